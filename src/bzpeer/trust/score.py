"""Verification levels and the trust score: pure functions over ``TrustFacts``.

The formula is published in docs/trust.md; change it only with a new
``FORMULA`` version. Every component returns its points, its maximum and
the evidence behind them, in words a visitor can check.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field

import orjson

FORMULA = "1"

LEVELS = {
    0: "bare mention",
    1: "public record backed by an authoritative id or consistent records",
    2: "claimed, email verified",
    3: "claim proven by ORCID sign-in or an institutional email",
    4: "reviewed by a moderator",
}
IDENTITY_POINTS = {0: 0, 1: 4, 2: 20, 3: 30, 4: 40}
TIERS = [  # (lowest score, name)
    (85, "Highly trusted"),
    (70, "Trusted"),
    (50, "Established"),
    (20, "Emerging"),
    (0, "New"),
]
FOLLOWER_CAP = 15  # community points never exceed this, however many followers
PART_MAX = 15  # the most each of consistency, publications and collaboration gives


def tier_ranges() -> list[tuple[str, int, int]]:
    """(tier, lowest, highest score) from ``TIERS``, lowest tier first."""
    ordered = sorted(TIERS)
    highs = [low - 1 for low, _ in ordered[1:]] + [100]
    return [(name, low, high) for (low, name), high in zip(ordered, highs, strict=True)]


# Public records alone (L1, no followers) never reach beyond this.
UNCLAIMED_CEILING = IDENTITY_POINTS[1] + 3 * PART_MAX


# A claim in one of these states no longer says anything about the record.
CLOSED = ("rejected", "withdrawn", "revoked")


@dataclass(frozen=True)
class ClaimFacts:
    status: str  # pending, needs_evidence, verified, rejected, withdrawn, revoked
    email_verified: bool = False
    orcid_works_matched: int = 0
    institution_email: bool = False
    reviewed: bool = False
    orcid: str = ""  # the iD of the claimant's ORCID sign-in, when the claim used it


@dataclass(frozen=True)
class TrustFacts:
    orcid: str = ""
    openalex_id: str = ""
    dblp_ids: int = 0  # DBLP person ids among the record's authorships
    sources: tuple[str, ...] = ()  # sources whose records name this person
    claim: ClaimFacts | None = None
    authorships: int = 0
    mean_confidence: float = 0.0
    orcids_seen: int = 0  # different ORCID iDs stated on its authorships
    openalex_seen: int = 0  # different OpenAlex author ids stated on them
    removed_authorships: int = 0  # authorships a correction took off the record
    works: int = 0
    published_works: int = 0
    first_year: int | None = None
    last_year: int | None = None
    coauthors: int = 0
    close_collaborators: int = 0
    followers_verified: int = 0
    followers_other: int = 0

    def digest(self) -> str:
        return hashlib.sha256(orjson.dumps(asdict(self), option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(frozen=True)
class Component:
    key: str
    name: str
    points: float
    max_points: int
    evidence: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Score:
    score: int
    tier: str
    level: int
    claim_state: str
    components: tuple[Component, ...]


def claim_state(facts: TrustFacts) -> str:
    if facts.claim is None or facts.claim.status in CLOSED:
        return "unclaimed"
    return "claimed" if facts.claim.status == "verified" else "claim pending"


def _conflicts(facts: TrustFacts) -> int:
    return max(0, facts.orcids_seen - 1) + max(0, facts.openalex_seen - 1)


def verification_level(facts: TrustFacts) -> tuple[int, list[str]]:
    """The highest level whose rule the facts meet, with the reason."""
    claim = facts.claim
    if claim is not None and claim.status == "verified":
        if claim.reviewed:
            return 4, ["claim reviewed by a moderator"]
        if claim.orcid and claim.orcid == facts.orcid:
            return 3, [f"claimed by ORCID sign-in with the record's own iD {claim.orcid}"]
        if claim.orcid_works_matched > 0:
            return 3, [
                f"claimed by ORCID sign-in; the ORCID record lists "
                f"{claim.orcid_works_matched} of these works"
            ]
        if claim.institution_email:
            return 3, ["claimed with an email at a current affiliation"]
        if claim.email_verified:
            return 2, ["claimed with a verified email"]
    ids = [
        label
        for label, present in (
            (f"ORCID iD {facts.orcid}", bool(facts.orcid)),
            (f"OpenAlex author {facts.openalex_id}", bool(facts.openalex_id)),
            ("a DBLP person id", facts.dblp_ids > 0),
        )
        if present
    ]
    if ids and _conflicts(facts) == 0:
        return 1, [f"backed by {', '.join(ids)}"]
    if len(facts.sources) >= 2 and facts.mean_confidence >= 0.75 and _conflicts(facts) == 0:
        return 1, [
            f"records from {len(facts.sources)} sources agree "
            f"({', '.join(facts.sources)}), mean confidence {facts.mean_confidence:.2f}"
        ]
    return 0, ["no authoritative id, and fewer than two agreeing sources"]


def _identity(facts: TrustFacts) -> tuple[Component, int]:
    level, why = verification_level(facts)
    return (
        Component(
            "identity",
            "Identity verification",
            IDENTITY_POINTS[level],
            IDENTITY_POINTS[4],
            (f"L{level}: {LEVELS[level]}", *why),
        ),
        level,
    )


def _consistency(facts: TrustFacts) -> Component:
    evidence = [
        f"mean resolution confidence {facts.mean_confidence:.2f} "
        f"over {facts.authorships} authorships (x 10)"
    ]
    points = 10 * facts.mean_confidence
    agree = min(1.0, max(0, len(facts.sources) - 1) / 2)
    points += 5 * agree
    evidence.append(f"{len(facts.sources)} source(s) name this person: +{5 * agree:.1f}")
    if facts.orcids_seen > 1:
        points -= 6 * (facts.orcids_seen - 1)
        evidence.append(f"{facts.orcids_seen} different ORCID iDs on its authorships: conflict")
    if facts.openalex_seen > 1:
        points -= 6 * (facts.openalex_seen - 1)
        evidence.append(f"{facts.openalex_seen} different OpenAlex author ids: conflict")
    if facts.removed_authorships:
        points -= min(9, 3 * facts.removed_authorships)
        evidence.append(f"{facts.removed_authorships} authorship(s) removed by correction")
    return Component(
        "consistency",
        "Record consistency",
        max(0.0, min(float(PART_MAX), points)),
        PART_MAX,
        tuple(evidence),
    )


def _publications(facts: TrustFacts) -> Component:
    volume = 8 * min(1.0, math.log10(1 + facts.works) / 2)  # 100 works: full
    span = 0
    if facts.first_year and facts.last_year:
        span = facts.last_year - facts.first_year + 1
    active = 4 * min(1.0, span / 10)
    published = 3 * (facts.published_works / facts.works) if facts.works else 0.0
    years = f"{facts.first_year}-{facts.last_year}" if span else "no dated work"
    return Component(
        "publications",
        "Publication record",
        volume + active + published,
        PART_MAX,
        (
            f"{facts.works} works: +{volume:.1f} (100 or more: 8)",
            f"active {years} ({span} years): +{active:.1f} (10 or more: 4)",
            f"{facts.published_works} published beyond preprints: +{published:.1f}",
        ),
    )


def _collaboration(facts: TrustFacts) -> Component:
    breadth = 8 * min(1.0, math.log10(1 + facts.coauthors) / math.log10(51))  # 50: full
    close = 7 * min(1.0, facts.close_collaborators / 5)
    return Component(
        "collaboration",
        "Collaboration network",
        breadth + close,
        PART_MAX,
        (
            f"{facts.coauthors} co-authors: +{breadth:.1f} (50 or more: 8)",
            f"{facts.close_collaborators} close collaborators: +{close:.1f} (5 or more: 7)",
        ),
    )


def _community(facts: TrustFacts) -> Component:
    points = min(FOLLOWER_CAP, 5 * math.log2(1 + facts.followers_verified))
    evidence = [f"{facts.followers_verified} followers with a verified email: +{points:.1f}"]
    if facts.followers_other:
        evidence.append(f"{facts.followers_other} followers without a verified email: not counted")
    return Component("community", "Community signals", points, FOLLOWER_CAP, tuple(evidence))


def tier(score: int) -> str:
    return next(name for low, name in TIERS if score >= low)


def score(facts: TrustFacts) -> Score:
    identity, level = _identity(facts)
    components = (
        identity,
        _consistency(facts),
        _publications(facts),
        _collaboration(facts),
        _community(facts),
    )
    total = max(0, min(100, round(sum(c.points for c in components))))
    return Score(total, tier(total), level, claim_state(facts), components)
