"""The API's batch reads: what a page of records needs, a few queries per
page whatever its size (tests/test_query_counts.py holds them flat)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bzpeer.catalog.bulk import select_in
from bzpeer.catalog.models import (
    Author,
    AuthorshipMention,
    Institution,
    MentionInstitution,
    Topic,
    Work,
    WorkIdentifier,
    WorkReference,
    WorkTopic,
    WorkVersion,
)
from bzpeer.catalog.queries import raw_rows
from bzpeer.catalog.untrusted import without_emails


def _t(model: type) -> str:
    return f'"{model._meta.db_table}"'  # type: ignore[attr-defined]


@dataclass
class Authorship:
    name: str
    author_id: int | None
    orcid: str | None
    position: int | None
    raw_affiliation: str
    institutions: list[Institution] = field(default_factory=list)


def authorships(work_ids: list[int]) -> dict[int, list[Authorship]]:
    """Ordered authorships per work, from its version with the fullest
    author list, with their institutions: two queries."""
    rows = select_in(
        "SELECT m.work_id, m.version_id, m.position, m.raw_name, m.author_id, a.display_name, "
        f"a.orcid, m.id, m.raw_affiliation FROM {_t(AuthorshipMention)} m "
        f"LEFT JOIN {_t(Author)} a ON a.id = m.author_id WHERE m.work_id IN ({{in}})",
        work_ids,
    )
    per_version: dict[int, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        per_version[row[0]][row[1]].append(row)
    chosen: dict[int, list[tuple]] = {}
    for work_id, versions in per_version.items():
        best = max(versions.values(), key=lambda v: (len(v), -min(r[7] for r in v)))
        best.sort(key=lambda r: (r[2] if r[2] is not None else 1 << 30, r[7]))
        chosen[work_id] = best
    mention_ids = [r[7] for best in chosen.values() for r in best]
    links: dict[int, list[Institution]] = defaultdict(list)
    for link in (
        MentionInstitution.objects.filter(mention_id__in=mention_ids)
        .select_related("institution")
        .order_by("id")
    ):
        links[link.mention_id].append(link.institution)
    return {
        work_id: [
            Authorship(
                r[5] or r[3], r[4], r[6], r[2], without_emails(r[8] or ""), links.get(r[7], [])
            )
            for r in best
        ]
        for work_id, best in chosen.items()
    }


def identifiers(work_ids: list[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = defaultdict(dict)
    rows = WorkIdentifier.objects.filter(work_id__in=work_ids).order_by("id")
    for work_id, scheme, value in rows.values_list("work_id", "scheme", "value"):
        out[work_id].setdefault(scheme, value)
    return out


def locations(work_ids: list[int]) -> dict[int, int]:
    rows = select_in(
        f"SELECT work_id, COUNT(*) FROM {_t(WorkVersion)} WHERE work_id IN ({{in}}) "
        "GROUP BY work_id",
        work_ids,
    )
    return dict(rows)


def cited_by(work_ids: list[int]) -> dict[int, int]:
    """How many works here cite each work (their references name one of its ids)."""
    rows = select_in(
        f"SELECT i.work_id, COUNT(DISTINCT r.work_id) FROM {_t(WorkIdentifier)} i "
        f"JOIN {_t(WorkReference)} r ON r.scheme = i.scheme AND r.value = i.value "
        "WHERE i.work_id IN ({in}) GROUP BY i.work_id",
        work_ids,
    )
    return dict(rows)


# the levels of OpenAlex's topic tree, as our taxonomy names them
TREE_LEVELS = ("subfield", "field", "domain")
_CHAIN = "parent__parent__parent"


def work_topics(work_ids: list[int]) -> dict[int, list[tuple[Topic, float]]]:
    """Each work's topics, best score first, with their ancestors loaded."""
    out: dict[int, list[tuple[Topic, float]]] = defaultdict(list)
    rows = (
        WorkTopic.objects.filter(work_id__in=work_ids)
        .select_related(f"topic__{_CHAIN}")
        .order_by("work_id", "-score", "topic_id")
    )
    for row in rows:
        out[row.work_id].append((row.topic, row.score))
    return out


def ancestors(topic: Topic) -> dict[str, Topic]:
    """The topic's subfield, field and domain, by the levels its ancestors
    have (loaded with it: no query)."""
    out: dict[str, Topic] = {}
    node = topic.parent if Topic.parent.is_cached(topic) else None
    for _ in range(3):
        if node is None:
            break
        if node.level in TREE_LEVELS:
            out.setdefault(node.level, node)
        node = node.parent if Topic.parent.is_cached(node) else None
    return out


def topics_with_ancestors(ids: list[int]) -> dict[int, Topic]:
    return Topic.objects.select_related(_CHAIN).in_bulk(ids)


def works_counts(entity: str, ids: list[int]) -> dict[int, int]:
    """Works per institution, source or topic: one grouped query."""
    if not ids:
        return {}
    if entity == "sources":
        sql = (
            f"SELECT venue_id, COUNT(*) FROM {_t(Work)} WHERE venue_id IN ({{in}}) "
            "GROUP BY venue_id"
        )
    elif entity == "topics":
        sql = (
            f"SELECT topic_id, COUNT(*) FROM {_t(WorkTopic)} WHERE topic_id IN ({{in}}) "
            "GROUP BY topic_id"
        )
    else:
        sql = (
            f"SELECT l.institution_id, COUNT(DISTINCT m.work_id) FROM {_t(MentionInstitution)} l "
            f"JOIN {_t(AuthorshipMention)} m ON m.id = l.mention_id "
            "WHERE l.institution_id IN ({in}) GROUP BY l.institution_id"
        )
    return dict(select_in(sql, ids))


def counts_by_year(entity: str, pk: int) -> list[tuple[int, int]]:
    """(year, works) of one institution, source or topic, newest first."""
    if entity == "sources":
        sql = f"SELECT year, COUNT(*) FROM {_t(Work)} WHERE venue_id = %s AND year IS NOT NULL"
    elif entity == "topics":
        sql = (
            f"SELECT w.year, COUNT(*) FROM {_t(Work)} w JOIN {_t(WorkTopic)} t ON t.work_id = w.id "
            "WHERE t.topic_id = %s AND w.year IS NOT NULL"
        )
    else:
        sql = (
            f"SELECT w.year, COUNT(DISTINCT w.id) FROM {_t(Work)} w JOIN {_t(AuthorshipMention)} m "
            f"ON m.work_id = w.id JOIN {_t(MentionInstitution)} l ON l.mention_id = m.id "
            "WHERE l.institution_id = %s AND w.year IS NOT NULL"
        )
    rows = raw_rows(sql + " GROUP BY 1 ORDER BY 1 DESC", [pk])
    return [(y, n) for y, n in rows]
