"""What a batch's versions bring along, inserted a batch at a time:
identifiers, mentions (and the institutions they name), references; and the
author records the mentions of a record written again keep (``keep_authors``)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db import connection

from bzpeer.catalog.bulk import allocate_ids, insert_flat, insert_rows, slices
from bzpeer.catalog.models import (
    Author,
    AuthorshipMention,
    MentionInstitution,
    WorkIdentifier,
    WorkReference,
)
from bzpeer.catalog.names import fullness

from .batch import BatchItem
from .entities import Entities
from .rows import InstitutionFields


def write_identifiers(items: list[BatchItem]) -> dict[tuple[str, str], int | None]:
    """Insert the items' identifiers (one already in the catalog stays
    with its work); return (scheme, value) -> the work each was written for."""
    rows = {(s, v): i.work_id for i in items for s, v in i.record.identifiers}
    ids = allocate_ids(WorkIdentifier, len(rows))
    insert_rows(
        WorkIdentifier,
        ["id", "scheme", "value", "work_id"],
        [(pk, s, v[:255], w) for pk, ((s, v), w) in zip(ids, rows.items(), strict=True)],
        ignore_conflicts=True,
    )
    return rows


def write_mentions(items: list[BatchItem], entities: Entities) -> None:
    """Insert the items' mentions and the institutions each names."""
    # Rows straight into one flat list (``insert_flat``): a mention's first
    # six fields are its first six columns, then the keys and confidence.
    values: list[object] = []
    links: list[tuple[int, InstitutionFields]] = []
    total = sum(len(i.record.mentions) for i in items)
    ids = iter(allocate_ids(AuthorshipMention, total))  # not a range on PostgreSQL
    for item in items:
        version_id, work_id = item.version_id, item.work_id
        if item.previous is not None:  # a changed record: ``keep_authors`` reads them
            item.written = []
        for mention in item.record.mentions:
            pk = next(ids)
            values += mention[:6]
            values += (pk, version_id, work_id, 0.0, mention[7])
            if mention[6]:  # institutions: most mentions name none
                links.extend((pk, ref) for ref in mention[6])
            if item.written is not None:
                item.written.append((pk, mention[0], mention[2], mention[1]))
    insert_flat(
        AuthorshipMention,
        [
            "position",
            "raw_name",
            "name_key",
            "raw_affiliation",
            "orcid",
            "person_key",
            "id",
            "version_id",
            "work_id",
            "confidence",
            "role",
        ],
        values,
    )
    if links:
        link_ids = allocate_ids(MentionInstitution, len(links))
        insert_rows(
            MentionInstitution,
            ["id", "mention_id", "institution_id", "confidence"],
            [
                (
                    link_id,
                    pk,
                    entities.institution_id_of(ref),
                    1.0,
                )
                for link_id, (pk, ref) in zip(link_ids, links, strict=True)
            ],
        )


def write_references(items: list[BatchItem]) -> None:
    rows = {(i.work_id, s, v[:255]) for i in items for s, v in i.record.references}
    ids = allocate_ids(WorkReference, len(rows))
    insert_rows(
        WorkReference,
        ["id", "work_id", "scheme", "value"],
        [(pk, *row) for pk, row in zip(ids, sorted(rows), strict=True)],
        ignore_conflicts=True,
    )


def keep_authors(items: list[BatchItem]) -> None:
    """Mentions of records written again keep the author records they had.

    A changed record (its source changed it, or a newer parser read it) gets
    new mention rows. Each takes the author of the old mention with the same
    name key, at the same position if there is one: otherwise resolution
    would give a person with no other mention tying them a new record, and
    their page a new address. An author whose display name is a spelling none
    of its mentions has any more (``JoséLuis Bernal`` read again as ``José
    Luis Bernal``) is named again from its mentions, as resolution names a
    new record; one that lost mentions gets its works count again.
    """
    assigned: list[tuple[int, float, int]] = []
    lost: dict[int, set[str]] = defaultdict(set)  # author -> raw names it no longer has
    dropped: set[int] = set()  # authors that lost an authorship
    for item in items:
        by_key: dict[str, list[tuple[int | None, str, str, int, float]]] = defaultdict(list)
        for old in item.previous or ():
            by_key[old[1]].append(old)
        for pk, position, key, raw in item.written or ():
            olds = by_key.get(key)
            if not olds:
                continue
            old = next((o for o in olds if o[0] == position), olds[0])
            olds.remove(old)
            assigned.append((old[3], old[4], pk))
            if old[2] != raw:
                lost[old[3]].add(old[2])
        for olds in by_key.values():
            for old in olds:
                dropped.add(old[3])
                lost[old[3]].add(old[2])
    if assigned:
        table = AuthorshipMention._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f'UPDATE "{table}" SET author_id = %s, confidence = %s WHERE id = %s', assigned
            )
    if lost:
        _rename_authors(lost)
    if dropped:
        # Imported here, as in pipeline: it loads the learned model's modules.
        from bzpeer.resolve.author_records import refresh_author_counts

        refresh_author_counts(dropped)


def _rename_authors(lost: dict[int, set[str]]) -> None:
    """Authors named by a spelling (in ``lost``) none of their mentions has now."""
    authors = [
        author
        for part in slices(sorted(lost))
        for author in Author.objects.filter(pk__in=part)
        if author.display_name in lost[author.pk]
    ]
    for author in authors:
        now = Counter(
            AuthorshipMention.objects.filter(author_id=author.pk).values_list("raw_name", flat=True)
        )
        if not now or author.display_name in now:
            continue  # no mention left to name it by, or one still spells it so
        author.display_name = max(now, key=lambda n: (fullness(n), now[n]))
        gone = lost[author.pk] - set(now)
        author.name_variants = sorted({*author.name_variants, *now} - gone)
        author.save(update_fields=["display_name", "name_variants"])
