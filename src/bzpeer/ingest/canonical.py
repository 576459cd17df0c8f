"""A work's canonical row, summarised from its versions (``summarize``): the
rows of the works a batch creates (``create_works``), and the rows of works
whose versions changed, computed again (``refresh_works``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils import timezone

from bzpeer.catalog.bulk import (
    allocate_ids,
    dates_as_text,
    insert_rows,
    select_in,
    slices,
    timestamp,
)
from bzpeer.catalog.models import AuthorshipMention, Venue, Work, WorkVersion
from bzpeer.catalog.titles import title_ends, title_words
from bzpeer.resolve.works import VersionFacts, WorkFacts, summarize

from .batch import BatchItem
from .rows import version_facts
from .text import title_key
from .work_ends import WorkEnds


def create_works(items: list[BatchItem], venue_ids: dict[str, int], ends: WorkEnds | None) -> None:
    """Insert the batch's new works, each summarised from its records (those
    whose ``new_work`` is its index); the items learn their work's id. ``ends``
    keeps the new works' title ends, if given."""
    groups: dict[int, list[BatchItem]] = defaultdict(list)
    for item in items:
        if item.new_work is not None:
            groups[item.new_work].append(item)
    if not groups:
        return
    ids = allocate_ids(Work, len(groups))
    rows = []
    now = timestamp(timezone.now())
    as_text = dates_as_text()
    for (_, members), pk in zip(sorted(groups.items()), ids, strict=True):
        for member in members:
            member.work_id = pk
        if len(members) == 1:  # the record alone: its summary came with it
            r = members[0].record
            solo = r.solo
            facts = WorkFacts(
                title=r.title,
                title_key=r.title_key,
                abstract=r.abstract,
                year=solo.year,
                date=r.date,
                type=solo.type,
                venue_id=venue_ids.get(r.venue) if solo.keeps_venue and r.venue else None,
                venue_name=solo.venue_name,
                also_preprint=solo.also_preprint,
                authors_text=solo.authors_text,
            )
            words, (head, tail) = r.title_words, (r.head, r.tail)
        else:
            facts = summarize([_facts(m, venue_ids) for m in members])
            found = next(
                (m.record.title_words for m in members if m.record.title == facts.title),
                None,
            )
            words = title_words(facts.title) if found is None else found
            head, tail = title_ends(words)
        row = (
            pk,
            facts.title,
            facts.title_key,
            head,
            tail,
            facts.abstract,
            facts.year,
            facts.date.isoformat() if as_text and facts.date else facts.date,
            facts.type,
            facts.venue_id,
            facts.venue_name[:500],
            facts.also_preprint,
            facts.authors_text,
            now,
        )
        if ends is not None:
            # The newest works are the likeliest candidates of the next batches.
            ends.keep(pk, (facts.title_key, words, facts.year, facts.type))
        rows.append(row)
    insert_rows(
        Work,
        [
            "id",
            "title",
            "title_key",
            "title_head",
            "title_tail",
            "abstract",
            "year",
            "date",
            "type",
            "venue_id",
            "venue_name",
            "also_preprint",
            "authors_text",
            "updated_at",
        ],
        rows,
    )
    if ends is not None:
        for row in rows:
            ends.add(row[0], row[3], row[4], row[6], row[2], row[8])


def _facts(item: BatchItem, venue_ids: dict[str, int]) -> tuple[int, VersionFacts]:
    r = item.record
    venue_id = venue_ids.get(r.venue) if r.venue else None
    return r.rank, version_facts(r, venue_id, r.venue_display)


def refresh_works(work_ids: set[int], ends: WorkEnds | None = None) -> None:
    """Recompute the canonical fields of works whose versions changed (and
    their title ends in ``ends``, if given)."""
    if not work_ids:
        return
    ids = sorted(work_ids)
    if ends is not None:
        for pk, head, tail, year in select_in(
            f'SELECT id, title_head, title_tail, year FROM "{Work._meta.db_table}" '
            "WHERE id IN ({in})",
            ids,
        ):
            ends.remove(pk, head, tail, year)
    names: dict[int, list[tuple[int, str]]] = defaultdict(list)
    venue_names: dict[int, str] = {}
    rows: list[WorkVersion] = []
    # Ordered: versions that tie on rank are summarised in id order, the same
    # on every engine. A batch's works IN_SLICE a statement, so a large batch
    # (BZPEER_IMPORT_BATCH) never outgrows the database's parameter limit.
    for part in slices(ids):
        for version_id, position, name in AuthorshipMention.objects.filter(
            work_id__in=part
        ).values_list("version_id", "position", "raw_name"):
            names[version_id].append((position if position is not None else 1 << 30, name))
        venue_names.update(
            Venue.objects.values_list("id", "name").filter(
                id__in=WorkVersion.objects.filter(work_id__in=part).values("venue_id")
            )
        )
        rows.extend(_versions(part))
    grouped: dict[int, list[tuple[int, VersionFacts]]] = defaultdict(list)
    for v in rows:
        grouped[v.work_id].append(
            (
                v.rank,
                VersionFacts(
                    source=v.source,
                    title=v.title,
                    title_key=title_key(v.title),
                    abstract=v.abstract,
                    year=v.year,
                    date=v.date,
                    type=v.type,
                    venue_id=v.venue_id,
                    venue_name=venue_names.get(v.venue_id, "") if v.venue_id else v.venue_raw,
                    journal_ref=v.journal_ref,
                    author_names=tuple(n for _, n in sorted(names[v.pk])),
                ),
            )
        )
    for work_id, versions in grouped.items():
        facts = summarize(versions)
        head, tail = title_ends(title_words(facts.title))
        if ends is not None:
            ends.add(work_id, head, tail, facts.year, facts.title_key, facts.type)
        Work.objects.filter(pk=work_id).update(
            title=facts.title,
            title_key=facts.title_key,
            title_head=head,
            title_tail=tail,
            abstract=facts.abstract,
            year=facts.year,
            date=facts.date,
            type=facts.type,
            venue_id=facts.venue_id,
            venue_name=facts.venue_name[:500],
            also_preprint=facts.also_preprint,
            authors_text=facts.authors_text,
            updated_at=timezone.now(),
        )


def _versions(work_ids: Sequence[int]) -> QuerySet[WorkVersion]:
    """The versions of these works, in work and then id order."""
    return (
        WorkVersion.objects.filter(work_id__in=work_ids)
        .order_by("work_id", "id")
        .only(
            "id",
            "work_id",
            "source",
            "title",
            "abstract",
            "year",
            "date",
            "type",
            "venue_id",
            "venue_raw",
            "journal_ref",
            "rank",
        )
    )
