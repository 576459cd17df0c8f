"""Co-author edges and who counts as a close collaborator: pure functions.

Works with more than ``MAX_AUTHORS`` authors make no edges.

An edge's strength sums, over the works two people share, how exclusive the
work is (1 / the number of other authors: a two-author paper counts 1, a
five-author paper 0.25, a 300-author collaboration next to nothing) times how
recent it is (halving every five years before the author's latest year).

**Close** (the documented rule, docs/trust.md): at least ``CLOSE_MIN_SHARED``
shared works and a strength of at least ``CLOSE_MIN_STRENGTH`` - about three
recent papers of four or five authors, or two recent papers written as a pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

CLOSE_MIN_SHARED = 3
CLOSE_MIN_STRENGTH = 0.7
HALF_LIFE_YEARS = 5.0
# A work with more authors than this (a detector collaboration, a consortium)
# makes no edge between two of its members: the weight would be next to
# nothing anyway, and the pairs would number in the millions.
MAX_AUTHORS = 100


@dataclass(frozen=True, slots=True)
class Edge:
    other: int
    shared_works: int
    strength: float
    last_year: int | None

    @property
    def close(self) -> bool:
        return self.shared_works >= CLOSE_MIN_SHARED and self.strength >= CLOSE_MIN_STRENGTH


def work_weight(authors: int, year: int | None, latest_year: int | None) -> float:
    """How much one shared work says about a collaboration."""
    exclusivity = 1.0 / max(1, authors - 1)
    if year is None or latest_year is None:
        return exclusivity * 0.5  # undated: counted as ten years old
    return exclusivity * 0.5 ** (max(0, latest_year - year) / HALF_LIFE_YEARS)


def edges(me: int, works: Iterable[tuple[int | None, Iterable[int]]]) -> list[Edge]:
    """Co-author edges of ``me`` from ``(year, author ids)`` per work, strongest first."""
    rows = [(year, set(authors)) for year, authors in works]
    latest = max((y for y, _ in rows if y is not None), default=None)
    shared: dict[int, int] = defaultdict(int)
    strength: dict[int, float] = defaultdict(float)
    last: dict[int, int | None] = {}
    for year, authors in rows:
        if me not in authors or len(authors) > MAX_AUTHORS:
            continue
        weight = work_weight(len(authors), year, latest)
        for other in authors - {me}:
            shared[other] += 1
            strength[other] += weight
            if year is not None and (last.get(other) is None or year > (last[other] or 0)):
                last[other] = year
            last.setdefault(other, None)
    out = [Edge(o, shared[o], round(strength[o], 4), last[o]) for o in shared]
    return sorted(out, key=lambda e: (-e.strength, -e.shared_works, e.other))
