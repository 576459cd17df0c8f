"""Conflicts of interest between two researchers, each with its evidence
(docs/social.md): co-authorship in the last N years (``BZPEER_COI_YEARS``),
a shared current institution, and an advisor-style pattern (a long run of
shared works with one of them first author and the other last)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from bzpeer.catalog.models import Author, AuthorshipMention, Work
from bzpeer.catalog.queries import current_institutions

# Shared works with one first author and the other last that make a pattern.
ADVISOR_MIN_WORKS = 3


@dataclass
class Conflict:
    kind: str  # coauthorship, institution, advisor
    summary: str  # in words
    evidence: list[dict[str, object]] = field(default_factory=list)


@dataclass
class Report:
    a: int
    b: int
    years: int
    conflicts: list[Conflict]

    @property
    def any(self) -> bool:
        return bool(self.conflicts)

    def as_json(self) -> list[dict[str, object]]:
        return [asdict(c) for c in self.conflicts]


def _shared(a: Author, b: Author) -> list[tuple[Work, int | None, int | None, int]]:
    """(work, a's position, b's position, last position) of every work both
    records are authors of, from a version that names both; newest first."""
    theirs = AuthorshipMention.objects.filter(author=b).values("work_id")
    rows = AuthorshipMention.objects.filter(
        author_id__in=[a.pk, b.pk], work_id__in=theirs
    ).values_list("work_id", "version_id", "author_id", "position")
    by_version: dict[tuple[int, int], dict[int, int | None]] = defaultdict(dict)
    for work_id, version_id, author_id, position in rows:
        by_version[(work_id, version_id)][author_id] = position
    both = {key: who for key, who in by_version.items() if a.pk in who and b.pk in who}
    if not both:
        return []
    lasts = {
        (w, v): n
        for w, v, n in AuthorshipMention.objects.filter(version_id__in=[v for _, v in both])
        .values("work_id", "version_id")
        .annotate(n=Max("position"))
        .values_list("work_id", "version_id", "n")
    }
    works = Work.objects.in_bulk({w for w, _ in both})
    out: dict[int, tuple[Work, int | None, int | None, int]] = {}
    for (work_id, version_id), who in sorted(both.items()):
        if work_id not in out and work_id in works:
            last = lasts.get((work_id, version_id)) or 0
            out[work_id] = (works[work_id], who[a.pk], who[b.pk], last)
    return sorted(out.values(), key=lambda r: (-(r[0].year or 0), r[0].pk))


def _work(work: Work) -> dict[str, object]:
    return {"work": work.pk, "title": work.title[:300], "year": work.year}


def conflicts(a: Author, b: Author, years: int | None = None) -> Report:
    years = years or settings.BZPEER_COI_YEARS
    since = timezone.now().year - years
    found: list[Conflict] = []
    shared = _shared(a, b) if a.pk != b.pk else []
    recent = [w for w, _, _, _ in shared if (w.year or 0) > since]
    if recent:
        n = len(recent)
        found.append(
            Conflict(
                "coauthorship",
                f"{n} shared work{'s' if n != 1 else ''} since {since + 1}",
                [_work(w) for w in recent[:20]],
            )
        )
    mine = {i.pk: i.name for i in current_institutions(a)}
    theirs = {i.pk: i.name for i in current_institutions(b)}
    common = sorted(set(mine) & set(theirs))
    if common:
        names = ", ".join(mine[i] for i in common)
        found.append(
            Conflict(
                "institution",
                f"both currently at {names}",
                [{"institution": i, "name": mine[i]} for i in common],
            )
        )
    pattern = [
        (w, "a first, b last" if pa == 0 else "b first, a last")
        for w, pa, pb, last in shared
        if last > 0 and ((pa == 0 and pb == last) or (pb == 0 and pa == last))
    ]
    if len(pattern) >= ADVISOR_MIN_WORKS:
        years_seen = sorted(w.year for w, _ in pattern if w.year)
        span = f", {years_seen[0]}-{years_seen[-1]}" if years_seen else ""
        found.append(
            Conflict(
                "advisor",
                f"{len(pattern)} shared works with one first author and the other last{span}",
                [{**_work(w), "roles": roles} for w, roles in pattern[:20]],
            )
        )
    return Report(a.pk, b.pk, years, found)
