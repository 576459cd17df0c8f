"""What a pair of a block's clusters holds together, as one row of ``FEATURES``.

``ClusterFeatures`` keeps the clusters of one block as matrices while they
merge; ``features`` gives the rows the merge classifier scores.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bzpeer.resolve.block import Block

ROUNDED = 6  # decimals a feature keeps
ALL_PAIRS = 250  # above this many clusters, only pairs that share some evidence are scored
UNDATED = 10_000.0  # the year of a paper without one: far from every other

FEATURES = (
    "shared_coauthors",
    "shared_coauthor_weight",
    "coauthor_jaccard",
    "shared_coauthor_keys",
    "venue_share_max",
    "venue_share_min",
    "venue_cosine",
    "title_cosine",
    "affiliation_cosine",
    "same_affiliation",
    "year_gap",
    "median_year_gap",
    "smaller_size",
    "larger_size",
    "without_coauthors",
    "surname_count",
    "given_name_count",
    "full_name_count",
    "max_title_cosine",
    "max_venue_cosine",
    "nearest_years",
    "venues_known",
    "titles_known",
    "affiliations_known",
)


@dataclass(slots=True)
class _Profile:
    """What one cluster holds together."""

    coauthors: set[str]
    keys: set[str]
    venues: dict[str, int]  # papers per venue
    orgs: set[str]
    years: list[int]
    size: int
    bare: int  # papers without any co-author


class ClusterFeatures:
    """The clusters of one block, kept up to date as they merge.

    Cosines of centroids come from sums over the paper-to-paper cosines
    (``|sum a|^2`` is the sum over a's own pairs), the best single paper pair
    (max-linkage) from their maximum: merging two clusters adds or maxes two
    rows. Sets of co-authors, keys, venues and affiliations are kept per
    cluster.

    The venue, title and affiliation sums are one stacked array, and so are
    the title and venue maxima: a merge or a batch of features is a few numpy
    calls, not one per matrix (most blocks are small, and numpy's cost per
    call outweighed the arithmetic).
    """

    SUMS = 3  # venue words, title, affiliation

    def __init__(self, block: Block, roots: Sequence[int]) -> None:
        self.block = block
        self._tokens: list[set[str]] | None = None
        groups: dict[int, list[int]] = defaultdict(list)
        for i, root in enumerate(roots):
            groups[root].append(i)
        self.members = dict(sorted(groups.items()))
        self.row = {root: k for k, root in enumerate(self.members)}
        order = np.asarray([i for members in self.members.values() for i in members])
        years = np.asarray([m.year or UNDATED for m in block.mentions], dtype=np.float64)
        k = len(self.members)
        self.sums = np.empty((self.SUMS, k, k))  # venue words, title, affiliation
        self.links = np.empty((2, k, k))  # best title, best venue
        self.year_link = np.empty((k, k))
        plan = (
            (self.sums[0], block.venue_words, np.add),
            (self.sums[1], block.title, np.add),
            (self.sums[2], block.affiliation, np.add),
            (self.links[0], block.title, np.maximum),
            (self.links[1], block.venue_words, np.maximum),
            (self.year_link, np.abs(years[:, None] - years[None, :]), np.minimum),
        )
        if k == len(order):  # one paper each: only reordered
            pick = np.ix_(order, order)
            for out, x, _ in plan:
                out[...] = x[pick]
        else:
            starts = np.cumsum([0] + [len(m) for m in self.members.values()])[:-1]
            ordered: dict[int, NDArray[np.float64]] = {}  # title and venues serve twice
            for out, x, ufunc in plan:
                if id(x) not in ordered:
                    ordered[id(x)] = x[order]
                x = ufunc.reduceat(ordered[id(x)], starts, axis=0)
                ufunc.reduceat(x[:, order], starts, axis=1, out=out)
        self.profiles = {root: self._profile(members) for root, members in self.members.items()}

    def _profile(self, members: list[int]) -> _Profile:
        block = self.block
        if len(members) == 1:  # most clusters of a block: built directly
            m, venue, org = (
                block.mentions[members[0]],
                block.venues[members[0]],
                block.orgs[members[0]],
            )
            return _Profile(
                set(m.coauthors),
                set(m.coauthor_keys),
                {venue: 1} if venue else {},
                {org} if org else set(),
                [m.year] if m.year else [],
                1,
                0 if m.coauthors else 1,
            )
        venues: dict[str, int] = {}
        for i in members:
            if v := block.venues[i]:
                venues[v] = venues.get(v, 0) + 1
        return _Profile(
            coauthors=set().union(*(block.mentions[i].coauthors for i in members)),
            keys=set().union(*(block.mentions[i].coauthor_keys for i in members)),
            venues=venues,
            orgs={block.orgs[i] for i in members if block.orgs[i]},
            years=sorted(y for y in (block.mentions[i].year for i in members) if y),
            size=len(members),
            bare=sum(1 for i in members if not block.mentions[i].coauthors),
        )

    def merge(self, into: int, other: int) -> None:
        """Cluster ``other`` joins ``into`` (both roots; ``into`` stays the root)."""
        a, b = self.row[into], self.row.pop(other)
        sums, links, years = self.sums, self.links, self.year_link
        sums[:, a] += sums[:, b]
        sums[:, :, a] += sums[:, :, b]
        links[:, a] = np.maximum(links[:, a], links[:, b])
        links[:, :, a] = links[:, a]
        years[a] = np.minimum(years[a], years[b])
        years[:, a] = years[a]
        self.members[into] = sorted(self.members[into] + self.members.pop(other))
        mine, theirs = self.profiles[into], self.profiles.pop(other)
        mine.coauthors |= theirs.coauthors
        mine.keys |= theirs.keys
        for venue, count in theirs.venues.items():
            mine.venues[venue] = mine.venues.get(venue, 0) + count
        mine.orgs |= theirs.orgs
        mine.years = sorted(mine.years + theirs.years)
        mine.size += theirs.size
        mine.bare += theirs.bare

    def features(self, pairs: Sequence[tuple[int, int]]) -> NDArray[np.float64]:
        """One row of ``FEATURES`` per pair of roots."""
        if not pairs:
            return np.zeros((0, len(FEATURES)))
        ia = np.asarray([self.row[a] for a, _ in pairs])
        ib = np.asarray([self.row[b] for _, b in pairs])
        sets = np.asarray(
            [self._set_features(self.profiles[a], self.profiles[b]) for a, b in pairs]
        )
        names = np.broadcast_to(np.asarray(self.block.names), (len(pairs), len(self.block.names)))
        nearest = self.year_link[ia, ib]
        rows = np.column_stack(
            [
                sets[:, :6],
                _cosines(self.sums, ia, ib).T,  # venue words, title, affiliation
                sets[:, 6:],
                names,
                self.links[:, ia, ib].T,  # best title, best venue
                np.where(nearest < UNDATED / 2, nearest, -1.0),
                _known(self.sums, ia, ib).T,  # venue words, title, affiliation
            ]
        )
        # Rounded: the last bits of a cosine or a sum depend on the order of the
        # arithmetic (BLAS, set order), and a tree split fell between 1.0 and the
        # float below it: 1-ulp differences changed 3 % of the listings' blocks.
        return np.round(rows, ROUNDED)  # type: ignore[no-any-return]

    def _set_features(self, a: _Profile, b: _Profile) -> list[float]:
        shared = a.coauthors & b.coauthors
        union = len(a.coauthors) + len(b.coauthors) - len(shared)
        n, df = len(self.block.mentions), self.block.coauthor_df  # the idf of a co-author
        share_b = _venue_share(b.venues, a.venues)
        share_a = _venue_share(a.venues, b.venues)
        year_gap = median_gap = -1.0
        if a.years and b.years:
            year_gap = float(max(0, max(a.years[0], b.years[0]) - min(a.years[-1], b.years[-1])))
            median_gap = float(abs(a.years[len(a.years) // 2] - b.years[len(b.years) // 2]))
        size_a, size_b = a.size, b.size
        return [
            float(len(shared)),
            sum(math.log((n + 1) / (df[c] + 0.5)) for c in shared),
            len(shared) / union if union else 0.0,
            float(len(a.keys & b.keys)),
            max(share_a, share_b),
            min(share_a, share_b),
            float(bool(a.orgs & b.orgs)),
            year_gap,
            median_gap,
            float(min(size_a, size_b)),
            float(max(size_a, size_b)),
            (a.bare + b.bare) / (size_a + size_b),
        ]

    def candidates(self) -> list[tuple[int, int]]:
        """Pairs of roots worth scoring: all of them, or those sharing some evidence."""
        roots = list(self.members)
        if len(roots) <= ALL_PAIRS:
            return [(a, b) for i, a in enumerate(roots) for b in roots[i + 1 :]]
        index: dict[str, list[int]] = defaultdict(list)
        if self._tokens is None:
            self._tokens = self.block.tokens()
        for root, members in self.members.items():
            for token in set().union(*(self._tokens[i] for i in members)):
                index[token].append(root)
        return sorted(
            {
                (a, b)
                for group in index.values()
                for i, a in enumerate(group)
                for b in group[i + 1 :]
            }
        )


def _cosines(
    sums: NDArray[np.float64], ia: NDArray[np.intp], ib: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Cosines of cluster centroids from the summed paper cosines, one row per stacked sum."""
    norms = np.sqrt(np.maximum(np.diagonal(sums, axis1=-2, axis2=-1), 0.0))
    denominator = norms[:, ia] * norms[:, ib]
    return np.where(
        denominator > 0, sums[:, ia, ib] / np.where(denominator > 0, denominator, 1.0), 0.0
    )


def _known(
    sums: NDArray[np.float64], ia: NDArray[np.intp], ib: NDArray[np.intp]
) -> NDArray[np.float64]:
    """1 where both clusters have some venue, title or affiliation words, else 0: a cosine
    of 0 then means "different", not "unknown" (sets without venues or titles train
    the same model)."""
    diagonal = np.diagonal(sums, axis1=-2, axis2=-1) > 0
    return (diagonal[:, ia] & diagonal[:, ib]).astype(np.float64)


def _venue_share(of: dict[str, int], within: dict[str, int]) -> float:
    total = sum(of.values())
    return sum(c for v, c in of.items() if v in within) / total if total else 0.0
