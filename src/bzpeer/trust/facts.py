"""Trust facts from the database, snapshots kept current."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from bzpeer.catalog import revision
from bzpeer.catalog.bulk import slices
from bzpeer.catalog.followers import follower_ids
from bzpeer.catalog.models import (
    PUBLISHED,
    Author,
    AuthorCorrection,
    AuthorshipMention,
    WorkVersion,
)
from bzpeer.catalog.queries import AuthorOverview, author_overview, raw_rows

from .claims import ClaimRow, claims_of
from .models import TrustSnapshot
from .score import CLOSED, FORMULA, ClaimFacts, TrustFacts, score


def verified_users(user_ids: Iterable[int]) -> set[int]:
    """Accounts with a verified email address (django-allauth)."""
    from allauth.account.models import EmailAddress

    return {
        user_id
        for part in slices(sorted(set(user_ids)))
        for user_id in EmailAddress.objects.filter(user_id__in=part, verified=True).values_list(
            "user_id", flat=True
        )
    }


def claim_facts(claims: list[ClaimRow]) -> ClaimFacts | None:
    """What the record's claims prove: the verified one, else the latest open one."""
    open_ = sorted(
        (c for c in claims if c.facts.status not in CLOSED),
        key=lambda c: (c.created_at, c.id),
        reverse=True,
    )
    best = next((c for c in open_ if c.facts.status == "verified"), None) or (
        open_[0] if open_ else None
    )
    return None if best is None else best.facts


@dataclass
class MentionSummary:
    """What a record's authorships say, from rows of (orcid, person key,
    source, count, summed confidence)."""

    orcids: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    count: int = 0
    confidence: float = 0.0

    def add(self, orcid: str, key: str, source: str, n: int, total: float | None) -> None:
        if orcid:
            self.orcids.add(orcid)
        if key:
            self.keys.add(key)
        self.sources.add(source)
        self.count += n
        self.confidence += float(total or 0.0)


def assemble(
    author: tuple[str | None, str | None],
    mentions: MentionSummary,
    claim: ClaimFacts | None,
    removed: int,
    works: int,
    published: int,
    years: list[int],
    coauthors: tuple[int, int],
    followers: list[int],
    verified: set[int],
) -> TrustFacts:
    """The facts of one record from what ``gather`` (one record) or
    ``bulk.refresh_all`` (every record) read: one definition for both, so a
    page recognises a snapshot the bulk pass made. ``author``: (ORCID, OpenAlex id);
    ``coauthors``: (co-author records, close collaborators)."""
    good = sum(1 for u in followers if u in verified)
    return TrustFacts(
        orcid=author[0] or "",
        openalex_id=author[1] or "",
        dblp_ids=sum(1 for k in mentions.keys if k.startswith("dblp:")),
        sources=tuple(sorted(mentions.sources)),
        claim=claim,
        authorships=mentions.count,
        mean_confidence=round(mentions.confidence / mentions.count, 3) if mentions.count else 0.0,
        orcids_seen=len(mentions.orcids),
        openalex_seen=sum(1 for k in mentions.keys if k.startswith("openalex:")),
        removed_authorships=removed,
        works=works,
        published_works=published,
        first_year=min(years, default=None),
        last_year=max(years, default=None),
        coauthors=coauthors[0],
        close_collaborators=coauthors[1],
        followers_verified=good,
        followers_other=len(followers) - good,
    )


def _mention_rows(author_id: int) -> list[tuple[Any, ...]]:
    return raw_rows(  # one query: it runs on every profile view
        "SELECT m.orcid, m.person_key, v.source, COUNT(*), SUM(m.confidence) "
        f'FROM "{AuthorshipMention._meta.db_table}" m '
        f'JOIN "{WorkVersion._meta.db_table}" v ON v.id = m.version_id '
        "WHERE m.author_id = %s GROUP BY m.orcid, m.person_key, v.source",
        [author_id],
    )


def gather(author: Author, overview: AuthorOverview | None = None) -> TrustFacts:
    """Everything the trust score reads about one author record; a profile
    page passes the overview it already has, to spare the queries."""
    mentions = MentionSummary()
    for row in revision.remember(
        f"mentions:{author.pk}", lambda: _mention_rows(author.pk), works=author.works_count
    ):
        mentions.add(*row)
    if overview is None:
        overview = author_overview(author)
    followers = follower_ids(author.pk) if overview.followers else []
    # Raw, like the query above (see ``raw_rows``). The list of removed
    # authorships is JSON: text on SQLite, already decoded by psycopg.
    removed = sum(
        len(orjson.loads(keys) if isinstance(keys, str | bytes) else keys)
        for (keys,) in raw_rows(
            f'SELECT authorships FROM "{AuthorCorrection._meta.db_table}" '
            "WHERE author_id = %s AND kind = %s AND undone_at IS NULL",
            [author.pk, AuthorCorrection.Kind.REMOVE.value],
        )
    )
    claims = claims_of(author.pk)
    return assemble(
        (author.orcid, author.openalex_id),
        mentions,
        claim_facts(claims),
        removed,
        works=overview.count(),
        published=sum(overview.count(work_type=t) for t in PUBLISHED),
        years=[y for y, _ in overview.works_by_year],
        coauthors=(overview.coauthors, overview.close_collaborators),
        followers=followers,
        verified=verified_users(followers),
    )


def current(author: Author, overview: AuthorOverview | None = None) -> TrustSnapshot:
    """The author's snapshot for today's facts: the stored one when nothing
    changed, else a new one (the old ones stay, as history)."""
    facts = gather(author, overview)
    digest = facts.digest()
    latest = next(
        iter(
            TrustSnapshot.objects.raw(
                f'SELECT * FROM "{TrustSnapshot._meta.db_table}" WHERE author_id = %s '
                "ORDER BY computed_at DESC, id DESC LIMIT 1",
                [author.pk],
            )
        ),
        None,
    )
    if latest is not None and latest.inputs == digest and latest.formula == FORMULA:
        return latest
    return TrustSnapshot.objects.create(**snapshot_fields(author.pk, facts, digest))


def snapshot_fields(author_id: int, facts: TrustFacts, digest: str) -> dict[str, object]:
    result = score(facts)
    return {
        "author_id": author_id,
        "formula": FORMULA,
        "score": result.score,
        "tier": result.tier,
        "level": f"L{result.level}",
        "claim_state": result.claim_state,
        "components": [
            {
                "key": c.key,
                "name": c.name,
                "points": round(c.points, 1),
                "max": c.max_points,
                "evidence": list(c.evidence),
            }
            for c in result.components
        ],
        "inputs": digest,
    }


def refresh(author_ids: Iterable[int]) -> int:
    """Bring the snapshots of these records up to date; returns how many changed."""
    changed = 0
    for part in slices(sorted(set(author_ids))):
        for author in Author.objects.filter(pk__in=part, merged_into=None).iterator():
            latest = TrustSnapshot.objects.filter(author=author).order_by("-id").first()
            changed += current(author).pk != (latest.pk if latest else None)
    return changed
