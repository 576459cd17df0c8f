"""Trust facts from the database, snapshots kept current."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from bzpeer.catalog.models import (
    Author,
    AuthorCorrection,
    AuthorshipMention,
    WorkVersion,
)
from bzpeer.catalog.queries import AuthorOverview, author_overview
from bzpeer.resolve.works import PUBLISHED

from .models import Claim, TrustSnapshot
from .score import FORMULA, ClaimFacts, TrustFacts, score


def verified_users(user_ids: Iterable[int]) -> set[int]:
    """Accounts with a verified email address (django-allauth)."""
    from allauth.account.models import EmailAddress

    ids = list(user_ids)
    return set(
        EmailAddress.objects.filter(user_id__in=ids, verified=True).values_list(
            "user_id", flat=True
        )
    )


def claim_facts(claims: list[Claim]) -> ClaimFacts | None:
    """What the record's claims prove: the verified one, else the latest open one."""
    open_ = sorted(
        (c for c in claims if c.status not in (Claim.Status.REJECTED, Claim.Status.WITHDRAWN)),
        key=lambda c: (c.created_at, c.pk),
        reverse=True,
    )
    best = next((c for c in open_ if c.status == Claim.Status.VERIFIED), None) or (
        open_[0] if open_ else None
    )
    if best is None:
        return None
    return ClaimFacts(
        status=best.status,
        email_verified=best.email_verified,
        orcid_works_matched=best.orcid_works_matched,
        institution_email=best.institution_email,
        reviewed=best.reviewed_by_id is not None and best.reviewed_at is not None,
    )


def gather(author: Author, overview: AuthorOverview | None = None) -> TrustFacts:
    """Everything the trust score reads about one author record; a profile
    page passes the overview it already has, to spare the queries."""
    from bzpeer.social.models import Follow

    orcids: set[str] = set()
    keys: set[str] = set()
    sources: set[str] = set()
    count, confidence = 0, 0.0
    with connection.cursor() as cursor:  # one query: it runs on every profile view
        cursor.execute(
            "SELECT m.orcid, m.person_key, v.source, COUNT(*), SUM(m.confidence) "
            f'FROM "{AuthorshipMention._meta.db_table}" m '
            f'JOIN "{WorkVersion._meta.db_table}" v ON v.id = m.version_id '
            "WHERE m.author_id = %s GROUP BY m.orcid, m.person_key, v.source",
            [author.pk],
        )
        for orcid, key, source, n, total in cursor.fetchall():
            orcids.add(orcid)
            keys.add(key)
            sources.add(source)
            count += n
            confidence += float(total or 0.0)
    orcids.discard("")
    keys.discard("")
    if overview is None:
        overview = author_overview(author)
    years = [y for y, _ in overview.works_by_year]
    followers = (
        list(Follow.objects.filter(author=author).values_list("user_id", flat=True))
        if overview.followers
        else []
    )
    verified = verified_users(followers)
    removed = sum(
        len(keys_)
        for keys_ in AuthorCorrection.objects.filter(
            author=author, kind=AuthorCorrection.Kind.REMOVE, undone_at=None
        ).values_list("authorships", flat=True)
    )
    return TrustFacts(
        orcid=author.orcid or "",
        openalex_id=author.openalex_id or "",
        dblp_ids=sum(1 for k in keys if k.startswith("dblp:")),
        sources=tuple(sorted(sources)),
        claim=claim_facts(list(Claim.objects.filter(author=author))),
        authorships=count,
        mean_confidence=round(confidence / count, 3) if count else 0.0,
        orcids_seen=len(orcids),
        openalex_seen=sum(1 for k in keys if k.startswith("openalex:")),
        removed_authorships=removed,
        works=overview.count(),
        published_works=sum(overview.count(work_type=t) for t in PUBLISHED),
        first_year=min(years, default=None),
        last_year=max(years, default=None),
        coauthors=overview.coauthors,
        close_collaborators=overview.close_collaborators,
        followers_verified=len(verified),
        followers_other=len(followers) - len(verified),
    )


def current(author: Author, overview: AuthorOverview | None = None) -> TrustSnapshot:
    """The author's snapshot for today's facts: the stored one when nothing
    changed, else a new one (the old ones stay, as history)."""
    facts = gather(author, overview)
    digest = facts.digest()
    latest = TrustSnapshot.objects.filter(author=author).order_by("-computed_at", "-id").first()
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
    for author in Author.objects.filter(pk__in=list(author_ids), merged_into=None).iterator():
        before = TrustSnapshot.objects.filter(author=author).count()
        current(author)
        changed += TrustSnapshot.objects.filter(author=author).count() > before
    return changed
