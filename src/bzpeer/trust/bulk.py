"""Trust snapshots for every record at once, for enrichment after a large import.

``facts.gather`` reads one record in a handful of queries; a corpus of 300,000
records needs the same facts from a few passes over the tables instead. The
facts are the same (the same pure functions compute edges and scores), so a
profile page finds the snapshot current and does not write another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection

from bzpeer.catalog.collaboration import edges
from bzpeer.catalog.followers import every_follow
from bzpeer.catalog.models import (
    PUBLISHED,
    Author,
    AuthorCorrection,
    AuthorshipMention,
    Work,
    WorkVersion,
)

from .claims import ClaimRow, every_claim
from .facts import MentionSummary, assemble, claim_facts, snapshot_fields, verified_users
from .models import TrustSnapshot
from .score import FORMULA

BATCH = 2000


def _rows(sql: str) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(10_000):
            yield from rows


def refresh_all(progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Bring every record's snapshot up to date: (records, new snapshots)."""
    mention = AuthorshipMention._meta.db_table
    work = Work._meta.db_table
    version = WorkVersion._meta.db_table
    mentions: dict[int, MentionSummary] = defaultdict(MentionSummary)
    for author_id, *row in _rows(
        "SELECT m.author_id, m.orcid, m.person_key, v.source, COUNT(*), SUM(m.confidence) "
        f'FROM "{mention}" m JOIN "{version}" v ON v.id = m.version_id '
        "WHERE m.author_id IS NOT NULL GROUP BY m.author_id, m.orcid, m.person_key, v.source"
    ):
        mentions[author_id].add(*row)
    # Works: who wrote what, with year and type.
    years: dict[int, int | None] = {}
    published: set[int] = set()
    work_authors: dict[int, list[int]] = defaultdict(list)
    by_author: dict[int, list[int]] = defaultdict(list)
    for work_id, author_id, year, work_type in _rows(
        f'SELECT DISTINCT m.work_id, m.author_id, w.year, w.type FROM "{mention}" m '
        f'JOIN "{work}" w ON w.id = m.work_id WHERE m.author_id IS NOT NULL'
    ):
        w, a = work_id, author_id
        years[w] = year
        if work_type in PUBLISHED:
            published.add(w)
        work_authors[w].append(a)
        by_author[a].append(w)
    followers: dict[int, list[int]] = defaultdict(list)
    for author_id, user_id in every_follow():
        followers[author_id].append(user_id)
    verified = verified_users({u for users in followers.values() for u in users})
    claims: dict[int, list[ClaimRow]] = defaultdict(list)
    for claim in every_claim():
        claims[claim.author_id].append(claim)
    removed: dict[int, int] = defaultdict(int)
    for author_id, keys in AuthorCorrection.objects.filter(
        kind=AuthorCorrection.Kind.REMOVE, undone_at=None
    ).values_list("author_id", "authorships"):
        removed[author_id] += len(keys)
    latest: dict[int, tuple[str, str]] = {}
    for author_id, inputs, formula in TrustSnapshot.objects.order_by("id").values_list(
        "author_id", "inputs", "formula"
    ):
        latest[author_id] = (inputs, formula)

    authors = list(
        Author.objects.filter(merged_into=None).values_list("id", "orcid", "openalex_id")
    )
    pending: list[TrustSnapshot] = []
    created = 0
    for done, (author_id, orcid, openalex_id) in enumerate(authors, start=1):
        mine = by_author.get(author_id, [])
        links = edges(author_id, ((years[w], work_authors[w]) for w in mine))
        facts = assemble(
            (orcid, openalex_id),
            mentions.get(author_id, MentionSummary()),
            claim_facts(claims.get(author_id, [])),
            removed.get(author_id, 0),
            works=len(mine),
            published=sum(1 for w in mine if w in published),
            years=[y for y in (years[w] for w in mine) if y is not None],
            coauthors=(len(links), sum(1 for e in links if e.close)),
            followers=followers.get(author_id, []),
            verified=verified,
        )
        digest = facts.digest()
        if latest.get(author_id) != (digest, FORMULA):
            pending.append(TrustSnapshot(**snapshot_fields(author_id, facts, digest)))
        if len(pending) >= BATCH:
            TrustSnapshot.objects.bulk_create(pending)
            created += len(pending)
            pending.clear()
        if progress and (done % BATCH == 0 or done == len(authors)):
            progress(done, len(authors))
    TrustSnapshot.objects.bulk_create(pending)
    return len(authors), created + len(pending)
