"""The catalog reads a graph slice is built from: each one query (or one per
900 ids), written out where the ORM would join more than needed."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

from django.db.models import Count

from bzpeer.catalog.bulk import select_in
from bzpeer.catalog.collaboration import MAX_AUTHORS
from bzpeer.catalog.models import (
    Affiliation,
    Author,
    AuthorshipMention,
    Institution,
    Topic,
    Work,
    WorkIdentifier,
    WorkReference,
    WorkTopic,
)
from bzpeer.catalog.queries import raw_rows
from bzpeer.catalog.queries import topic_researchers as _topic_researchers

MENTION = AuthorshipMention._meta.db_table
WORK = Work._meta.db_table
IDENT = WorkIdentifier._meta.db_table
REF = WorkReference._meta.db_table
# Pairs of people a second-degree read returns at most.
MAX_PAIRS = 5000


class Person(NamedTuple):
    """What a node needs of an author record (cheaper than a model instance)."""

    pk: int
    display_name: str
    slug: str
    works_count: int


def authors(ids: Iterable[int]) -> dict[int, Person]:
    """The live (not merged-away) records among ``ids``."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = select_in(
        f'SELECT id, display_name, slug, works_count FROM "{Author._meta.db_table}" '
        "WHERE merged_into_id IS NULL AND id IN ({in})",
        wanted,
    )
    return {row[0]: Person(*row) for row in rows}


def key_works(author_id: int, limit: int) -> list[tuple[int, str, int | None, int]]:
    """(id, title, year, citing works in the catalog) of the author's works,
    most cited first, then newest."""
    works_of = f'SELECT work_id FROM "{MENTION}" WHERE author_id = %s'
    cited = dict(
        raw_rows(
            f'SELECT i.work_id, COUNT(DISTINCT r.work_id) FROM "{IDENT}" i '
            f'JOIN "{REF}" r ON r.scheme = i.scheme AND r.value = i.value '
            f"WHERE i.work_id IN ({works_of}) GROUP BY i.work_id",
            [author_id],
        )
    )
    rows = raw_rows(f'SELECT id, title, year FROM "{WORK}" WHERE id IN ({works_of})', [author_id])
    ranked = sorted(rows, key=lambda r: (-cited.get(r[0], 0), -(r[2] or 0), -r[0]))
    return [(pk, title, year, cited.get(pk, 0)) for pk, title, year in ranked[:limit]]


def author_topics(author_id: int, limit: int) -> list[tuple[int, str, int]]:
    rows = raw_rows(
        "SELECT MIN(wt.topic_id), t.name, COUNT(DISTINCT wt.work_id) AS n "
        f'FROM "{WorkTopic._meta.db_table}" wt JOIN "{Topic._meta.db_table}" t '
        f'ON t.id = wt.topic_id WHERE wt.work_id IN (SELECT work_id FROM "{MENTION}" '
        "WHERE author_id = %s) GROUP BY t.name ORDER BY n DESC, t.name ASC LIMIT %s",
        [author_id, limit],
    )
    return [(pk, name, n) for pk, name, n in rows]


def author_institutions(author_id: int) -> list[tuple[Institution, int]]:
    rows = (
        Affiliation.objects.filter(author_id=author_id)
        .select_related("institution")
        .order_by("-works_count", "institution_id")
    )
    return [(a.institution, a.works_count or 1) for a in rows]


def coauthor_counts(people: Collection[int]) -> list[tuple[int, int, int]]:
    """(person, co-author, works shared) for each of ``people``'s co-authors
    (any record), leaving out works with more than ``MAX_AUTHORS`` authors
    (``catalog.collaboration``); the pairs with most shared works first."""
    if not people:
        return []
    ids = sorted(set(people))
    big = [
        w
        for w, n in select_in(
            f'SELECT m.work_id, COUNT(DISTINCT o.author_id) FROM "{MENTION}" m '
            f'JOIN "{MENTION}" o ON o.work_id = m.work_id WHERE m.author_id IN ({{in}}) '
            "GROUP BY m.work_id",
            ids,
        )
        if n > MAX_AUTHORS
    ]
    skip = f"AND m.work_id NOT IN ({', '.join(str(int(w)) for w in big)}) " if big else ""
    rows = select_in(
        f'SELECT m.author_id, o.author_id, COUNT(DISTINCT m.work_id) AS n FROM "{MENTION}" m '
        f'JOIN "{MENTION}" o ON o.work_id = m.work_id '
        "WHERE m.author_id IN ({in}) AND o.author_id IS NOT NULL "
        f"AND o.author_id <> m.author_id {skip}GROUP BY m.author_id, o.author_id",
        ids,
    )
    rows.sort(key=lambda r: (-r[2], r[0], r[1]))
    return [(a, o, n) for a, o, n in rows[:MAX_PAIRS]]


def authorships(people: Collection[int]) -> list[tuple[int, int]]:
    """(author, work) for every work of ``people``."""
    if not people:
        return []
    return select_in(
        f'SELECT DISTINCT author_id, work_id FROM "{MENTION}" WHERE author_id IN ({{in}})',
        sorted(set(people)),
    )


def citations(works: Collection[int], limit: int) -> list[tuple[int, int]]:
    """(citing, cited) pairs, both in the catalog, where one side is in ``works``."""
    if not works:
        return []
    ids = sorted(set(works))
    cites = select_in(
        f'SELECT DISTINCT r.work_id, i.work_id FROM "{REF}" r JOIN "{IDENT}" i '
        "ON i.scheme = r.scheme AND i.value = r.value WHERE r.work_id IN ({in})",
        ids,
    )
    cited_by = select_in(
        f'SELECT DISTINCT r.work_id, i.work_id FROM "{IDENT}" i JOIN "{REF}" r '
        "ON r.scheme = i.scheme AND r.value = i.value WHERE i.work_id IN ({in})",
        ids,
    )
    pairs = {(a, b) for a, b in (*cites, *cited_by) if a != b}
    return sorted(pairs)[:limit]


def work_rows(ids: Iterable[int]) -> dict[int, tuple[str, int | None]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = select_in(f'SELECT id, title, year FROM "{WORK}" WHERE id IN ({{in}})', wanted)
    return {pk: (title, year) for pk, title, year in rows}


def work_authors(work_id: int) -> list[Person]:
    ids = [
        a
        for (a,) in raw_rows(
            f'SELECT author_id FROM "{MENTION}" WHERE work_id = %s AND author_id IS NOT NULL '
            "ORDER BY position, id",
            [work_id],
        )
    ]
    found = authors(ids)
    ordered: dict[int, Person] = {}
    for pk in ids:
        if pk in found:
            ordered.setdefault(pk, found[pk])
    return list(ordered.values())


def work_topics(work_id: int) -> list[tuple[int, str, float]]:
    return [
        (wt.topic_id, wt.topic.name, round(wt.score, 4))
        for wt in WorkTopic.objects.filter(work_id=work_id)
        .select_related("topic")
        .order_by("-score", "topic_id")
    ]


def topic_children(topic_id: int, limit: int) -> list[tuple[Topic, int]]:
    rows = (
        Topic.objects.filter(parent_id=topic_id)
        .annotate(n=Count("worktopic"))
        .order_by("-n", "name")[:limit]
    )
    return [(t, t.n) for t in rows]  # type: ignore[attr-defined]


def topic_researchers(topic_id: int, limit: int) -> list[tuple[int, int]]:
    return _topic_researchers(Topic(pk=topic_id), limit)


def topic_works(topic_id: int, limit: int) -> list[tuple[int, str, int | None]]:
    rows = raw_rows(
        f'SELECT w.id, w.title, w.year FROM "{WORK}" w WHERE w.id IN '
        f'(SELECT work_id FROM "{WorkTopic._meta.db_table}" WHERE topic_id = %s) '
        "ORDER BY w.year DESC, w.id DESC LIMIT %s",
        [topic_id, limit],
    )
    return [(pk, title, year) for pk, title, year in rows]


def institution_authors(institution_id: int, limit: int) -> list[tuple[Person, int]]:
    rows = list(
        Affiliation.objects.filter(institution_id=institution_id, author__merged_into=None)
        .order_by("-works_count", "author_id")
        .values_list("author_id", "works_count")[:limit]
    )
    people = authors(a for a, _ in rows)
    return [(people[a], n or 1) for a, n in rows if a in people]
