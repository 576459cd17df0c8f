"""Read queries of the institution and venue pages (``web/places.py``).

An institution's works are those whose mentions a source or the affiliation
matcher linked to it (``MentionInstitution``); its people are the records with
an ``Affiliation`` to it. A venue's works are those whose canonical version
names it (``Work.venue``). Every read is bounded in statements, whatever the
size of the institution or venue (tests/test_query_counts.py): an
institution's works are found once, with their years, and counted, sorted
and paged from that list; a venue's per-year counts are one ``GROUP BY``
whose sum is the count, so no ``COUNT`` runs beside it. Timings on a
1,000,000-work catalog: docs/performance.md (bench/place_pages.py).

Taken-down records are ``claims``' business: callers pass a subquery of their
ids as ``hidden`` (``claims.suppression.suppressed_ids()``), which runs inside
the page's own queries.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet

from bzpeer.catalog.models import (
    Affiliation,
    Author,
    AuthorshipMention,
    Institution,
    MentionInstitution,
    Topic,
    Venue,
    Work,
    WorkTopic,
)
from bzpeer.catalog.queries import raw_rows

MENTION = AuthorshipMention._meta.db_table
WORK = Work._meta.db_table
WORK_TOPIC = WorkTopic._meta.db_table
TOPIC = Topic._meta.db_table
AUTHOR = Author._meta.db_table
LINK = MentionInstitution._meta.db_table

# The works of an institution, as a subquery with one parameter (its id).
INSTITUTION_WORKS = (
    f'SELECT m.work_id FROM "{MENTION}" m JOIN "{LINK}" mi ON mi.mention_id = m.id '
    "WHERE mi.institution_id = %s"
)
# The works of a venue, likewise.
VENUE_WORKS = f'SELECT id FROM "{WORK}" WHERE venue_id = %s'

TOPICS_SHOWN = 15
AUTHORS_SHOWN = 20


@dataclass(frozen=True)
class Related:
    """A relationship a ROR record states: ``institution`` when we hold the
    other side, else only the label ROR gives."""

    kind: str
    label: str
    institution: Institution | None


@dataclass(frozen=True)
class Output:
    """What a place published: works per year (oldest first), the works
    without a year, the topics they are about (most works first) and, for an
    institution, its work ids newest first."""

    by_year: list[tuple[int, int]]
    undated: int
    topics: list[tuple[int, str, int]] = field(default_factory=list)
    newest: list[int] = field(default_factory=list)

    @property
    def works_count(self) -> int:
        return sum(n for _, n in self.by_year) + self.undated

    @property
    def peak(self) -> int:
        return max((n for _, n in self.by_year), default=0)


def _per_year(rows: list[tuple[Any, ...]]) -> tuple[list[tuple[int, int]], int]:
    """(works per year, oldest first; works without a year) from (year, works) rows."""
    counts: Counter[int] = Counter()
    undated = 0
    for year, n in rows:
        if year is None:
            undated += n
        else:
            counts[year] += n
    return sorted(counts.items()), undated


def _topics(
    works_of: str, params: list[Any], limit: int = TOPICS_SHOWN
) -> list[tuple[int, str, int]]:
    rows = raw_rows(
        f'SELECT wt.topic_id, t.name, COUNT(*) AS n FROM "{WORK_TOPIC}" wt '
        f'JOIN "{TOPIC}" t ON t.id = wt.topic_id WHERE wt.work_id IN ({works_of}) '
        "GROUP BY wt.topic_id, t.name ORDER BY n DESC, t.name ASC LIMIT %s",
        [*params, limit],
    )
    return [(t, name, n) for t, name, n in rows]


def _id_list() -> str:
    """A subquery over one parameter holding a list of ids (``_ids`` makes it)."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])"
    return "SELECT value FROM json_each(%s)"


def _ids(ids: list[int]) -> object:
    return ids if connection.vendor == "postgresql" else json.dumps(ids)


def newest_first(works: QuerySet[Work]) -> QuerySet[Work]:
    return works.order_by(F("year").desc(nulls_last=True), "-id")


def works_by_id(ids: list[int]) -> list[Work]:
    """The works of ``ids``, in that order: one query."""
    found = Work.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


# --- institutions ---------------------------------------------------------


def institution_output(institution: Institution) -> Output:
    """Two queries, whatever the institution's size. Its works are found once,
    with their years (links, then mentions, then works, by primary key: most
    of the page's time on a large catalog), and sorted here; the topics read
    them from that list instead of finding them again."""
    rows = raw_rows(
        f'SELECT id, year FROM "{WORK}" WHERE id IN ({INSTITUTION_WORKS})', [institution.pk]
    )
    by_year, undated = _per_year([(year, 1) for _, year in rows])
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), -r[0]))
    newest = [pk for pk, _ in rows]
    return Output(by_year, undated, _topics(_id_list(), [_ids(newest)]), newest)


def institution_people(institution: Institution, hidden: QuerySet) -> QuerySet[Affiliation]:
    """Affiliations to the institution of live, shown records: current ones
    (no end year) first, then by the year they ended, then by works there.
    The records are not joined (a page reads its own: ``with_authors``);
    merged-away ones, a handful, are left out by their short list."""
    merged = Author.objects.exclude(merged_into=None).values("id")
    return (
        Affiliation.objects.filter(institution=institution)
        .exclude(author_id__in=merged)
        .exclude(author_id__in=hidden)
        .order_by(F("end_year").desc(nulls_first=True), "-works_count", "author_id")
    )


def with_authors(affiliations: list[Affiliation]) -> list[Affiliation]:
    """The affiliations with their records read in one query."""
    people = Author.objects.in_bulk([a.author_id for a in affiliations])
    for a in affiliations:
        a.author = people[a.author_id]
    return affiliations


def related_institutions(institution: Institution) -> list[Related]:
    """The ROR relationships (parent, child, related...) the record states,
    linked where we hold the other institution: one query, none without any."""
    stated = [r for r in institution.relationships if isinstance(r, dict)]
    rors = {str(r.get("ror") or "") for r in stated} - {""}
    held = {i.ror: i for i in Institution.objects.filter(ror__in=rors)} if rors else {}
    out = [
        Related(
            str(r.get("type") or "related").lower(),
            str(r.get("label") or r.get("ror") or ""),
            held.get(str(r.get("ror") or "")),
        )
        for r in stated
    ]
    order = {"parent": 0, "child": 1}
    return sorted(out, key=lambda r: (order.get(r.kind, 2), r.kind, r.label))


def other_names(institution: Institution) -> list[tuple[str, str]]:
    """(kind, name) of the institution's aliases, acronyms and labels, each once."""
    seen = {institution.name}
    out: list[tuple[str, str]] = []
    for kind, names in (
        ("acronym", institution.acronyms),
        ("alias", institution.aliases),
        ("label", institution.labels),
    ):
        for entry in names or []:
            # ROR v2 labels are {"value", "lang"}; older ones plain strings
            name = (
                str(entry.get("value") or entry.get("label") or "")
                if isinstance(entry, dict)
                else str(entry)
            )
            if name and name not in seen:
                seen.add(name)
                out.append((kind, name))
    return out


# --- venues ---------------------------------------------------------------


def venue_output(venue: Venue) -> Output:
    """Two queries: the works per year, the topics."""
    by_year, undated = _per_year(
        raw_rows(
            f'SELECT year, COUNT(*) FROM "{WORK}" WHERE venue_id = %s GROUP BY year', [venue.pk]
        )
    )
    return Output(by_year, undated, _topics(VENUE_WORKS, [venue.pk]))


def venue_works(venue: Venue) -> QuerySet[Work]:
    return newest_first(Work.objects.filter(venue=venue))


def venue_authors(
    venue: Venue, hidden: QuerySet, limit: int = AUTHORS_SHOWN
) -> list[tuple[Author, int]]:
    """The records with most works at the venue (most first), merged-away and
    taken-down ones left out: one count over the venue's mentions (the topic
    page's researchers read the same way), one read of the records."""
    rows = raw_rows(
        f'SELECT m.author_id, COUNT(DISTINCT m.work_id) AS n FROM "{MENTION}" m '
        f"WHERE m.work_id IN ({VENUE_WORKS}) AND m.author_id IS NOT NULL "
        f'AND m.author_id NOT IN (SELECT id FROM "{AUTHOR}" WHERE merged_into_id IS NOT NULL) '
        "GROUP BY m.author_id ORDER BY n DESC, m.author_id ASC LIMIT %s",
        [venue.pk, limit * 2],
    )
    people = Author.objects.exclude(Q(pk__in=hidden)).in_bulk([a for a, _ in rows])
    return [(people[a], n) for a, n in rows if a in people][:limit]


def venue_aliases(venue: Venue) -> list[str]:
    return [str(a) for a in venue.aliases or [] if str(a) and str(a) != venue.name]
