"""The learned stage of author disambiguation: which clusters of a name block to merge.

The rules of ``authors.cluster_block`` first build small, nearly always right
clusters (one source person id, one work, a co-author with the same full
name). Many people's papers stay in several clusters after that: a paper
without co-authors, a new group of co-authors, a co-author spelt with
initials. This stage scores every pair of clusters of one block with a
gradient-boosted classifier over what the two clusters hold together, not
what two single papers hold:

- co-authors: shared full names (count, weight by rarity in the block,
  Jaccard) and shared surname + initial keys;
- venues: the share of one cluster's papers published where the other
  publishes, and the cosine of their venue words;
- titles and affiliations: cosine of TF-IDF centroids (IDF within the block);
- years: the gap between the clusters' year spans, between their medians and
  between their nearest papers;
- the best single pair of papers: highest title and venue-word cosines;
- sizes, and the share of papers without any co-author;
- how common the block's name is (surname, first name, both), from a table
  of 814k real author names (``scripts/name_counts.py``): the same evidence
  means less for "Lei Wang" than for "Rob Schreiber".

Pairs the names keep apart (``Yu`` and ``Yi`` in block ``wang_y``, initials
that differ, a correction) are never scored. The stage then merges, round
after round, the pairs whose probability is at least ``MERGE_AT`` (best
first, each cluster at most once per round), rescoring the clusters that
changed. Every merge goes through the block's union-find, so given names,
ORCID iDs and corrections still veto it.

A block is a few matrices: paper-to-paper cosines, summed by cluster (the
centroid cosine) or maxed (the best pair), so a merge adds or maxes two rows
instead of rebuilding a profile.

The classifier (three bagged gradient-boosted models) is trained on the gold
data shipped in ``training/`` (108 ambiguous AMiner names) and cached under
``var/models``; a fresh clone retrains it in seconds. Evaluation never
scores a name it trained on (``evaluate.py`` holds those names out).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import importlib.metadata
import io
import logging
import math
import os
import pickle
import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.special import expit
from unidecode import unidecode

if TYPE_CHECKING:
    from bzpeer.catalog.names import PersonName
    from bzpeer.resolve.authors import MentionRecord, _Clusters

FEATURES_VERSION = 3
ROUNDED = 6  # decimals a feature keeps
MERGE_AT = 0.8  # chosen among 0.7-0.9 by cross-validation by name on the training names
BAGGED = 3  # classifiers averaged
ALL_PAIRS = 250  # above this many clusters, only pairs that share some evidence are scored
LARGEST_BLOCK = 2000  # papers; a larger block keeps its rule clusters (see merge_blocks)
TRAINING_DIR = Path(__file__).with_name("training")
DENSE_CELLS = 10_000  # papers x words up to which a block's vectors are a dense array
UNDATED = 10_000.0  # the year of a paper without one: far from every other
NAME_COUNTS = TRAINING_DIR / "name_counts.tsv.gz"
log = logging.getLogger(__name__)

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
)

_STOPWORDS = (
    "a an the of for and in on to with by from at via using based its is are as into over "
    "under towards toward new approach study analysis method methods system systems"
)
_STOP = frozenset(_STOPWORDS.split())
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """ASCII lower-case content words of a title, venue or affiliation.

    Not ``enrich.topics.words``: that drops two-letter words and tokens that
    start with a digit (``ai``, ``3d``, venue acronyms), which costs 0.007 B3
    F1 on AMiner (0.881 -> 0.874, measured).
    """
    if not text:
        return []
    ascii_text = text if text.isascii() else unidecode(text)
    return [w for w in _WORD.findall(ascii_text.lower()) if len(w) > 1 and w not in _STOP]


@lru_cache(maxsize=1 << 18)
def title_stems(title: str) -> tuple[str, ...]:
    """A title's stemmed words; a work's title is asked for once per author."""
    return tuple(map(_stem, words(title)))


@lru_cache(maxsize=1 << 12)
def _phrase(text: str) -> str:
    """A venue's or an affiliation's words, joined: the same few recur across a block."""
    return " ".join(words(text))


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for suffix in ("ing", "ions", "ion", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


class Classifier(Protocol):
    def predict_proba(self, x: Any) -> Any: ...


# -- names ------------------------------------------------------------------------------


def counted_name(name: PersonName) -> tuple[str, str]:
    """Surname and first given name written out (``""`` for an initial), as counted."""
    given = name.given[0].replace("-", "") if name.given else ""
    return name.surname, given if len(given) > 1 else ""


@lru_cache(maxsize=1)
def name_counts() -> dict[tuple[str, str], int]:
    """The shipped name-frequency table (``scripts/name_counts.py``): (kind, name) -> count."""
    out: dict[tuple[str, str], int] = {}
    with gzip.open(NAME_COUNTS, "rt", encoding="utf-8") as fh:
        for line in fh:
            kind, name, count = line.rstrip("\n").split("\t")
            out[kind, name] = int(count)
    return out


def name_features(mentions: Sequence[MentionRecord]) -> list[float]:
    """How common the block's name is: S2AND's strongest signal for how many people share it."""
    written = Counter(counted_name(m.name) for m in mentions)
    full = [k for k in written if k[1]]
    surname, given = (
        max(full, key=lambda k: (written[k], k)) if full else (mentions[0].name.surname, "")
    )
    counts = name_counts()
    return [
        math.log1p(counts.get(("s", surname), 0)),
        math.log1p(counts.get(("g", given), 0)) if given else -1.0,
        math.log1p(counts.get(("f", f"{surname} {given}"), 0)) if given else -1.0,
    ]


# -- one block's papers, as matrices ----------------------------------------------------


def _gram(
    docs: Sequence[Sequence[str]], copies: NDArray[np.intp] | None = None
) -> NDArray[np.float64]:
    """Cosines of the papers' TF-IDF vectors (IDF of the block), paper by paper.

    ``copies`` says how many papers each doc stands for (one each by default):
    the IDF counts papers.
    """
    n = len(docs)
    vocab: dict[str, int] = {}
    ids = [vocab.setdefault(w, len(vocab)) for doc in docs for w in doc]
    if not ids:
        return np.zeros((n, n))
    width = len(vocab)
    paper = np.repeat(np.arange(n), [len(doc) for doc in docs])
    at = paper * width + np.asarray(ids)  # each word's cell: paper, word
    dense = n * width <= DENSE_CELLS  # small blocks, most of them: numpy beats scipy's set-up
    if dense:
        counts = np.bincount(at, minlength=n * width)
        cells = np.flatnonzero(counts)  # what np.unique gives, without sorting
        tf = counts[cells]
    else:
        found = np.unique(at, return_counts=True)
        cells, tf = found[0], found[1]
    rows, col = np.divmod(cells, width)
    if copies is None:
        papers, df = n, np.bincount(col, minlength=width)
    else:
        papers, df = int(copies.sum()), np.bincount(col, weights=copies[rows], minlength=width)
    weights = (1 + np.log(tf)) * np.log((papers + 1) / (df[col] + 0.5))
    if dense:
        vectors = np.zeros((n, width))
        vectors[rows, col] = weights
        lengths = np.linalg.norm(vectors, axis=1)
        vectors /= np.where(lengths > 0, lengths, 1.0)[:, None]
        return vectors @ vectors.T
    vectors = sparse.csr_matrix((weights, (rows, col)), shape=(n, width))
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    vectors = sparse.diags(1 / np.where(norms > 0, norms, 1.0)) @ vectors
    return np.asarray((vectors @ vectors.T).todense())


def _phrase_gram(phrases: Sequence[str]) -> NDArray[np.float64]:
    """``_gram`` of venues or affiliations: a block's papers share a few of them
    (four in five listing papers have the venue "arXiv"), so each is weighed once."""
    index: dict[str, int] = {}
    of = np.asarray([index.setdefault(p, len(index)) for p in phrases], dtype=np.intp)
    if not any(index):  # no paper has one
        return np.zeros((len(phrases), len(phrases)))
    gram = _gram([p.split() for p in index], np.bincount(of))
    return gram[of[:, None], of[None, :]]


class Block:
    """One name block's papers: what each holds, and paper-to-paper cosines."""

    def __init__(
        self, mentions: Sequence[MentionRecord], coauthor_df: Counter[str] | None = None
    ) -> None:
        self.titles = titles = [title_stems(m.title) for m in mentions]
        self.venues = venues = [_phrase(m.venue) for m in mentions]
        self.orgs = orgs = [_phrase(m.affiliation) for m in mentions]
        self.title = _gram(titles)
        self.venue_words = _phrase_gram(venues)
        self.affiliation = _phrase_gram(orgs)
        if coauthor_df is None:
            coauthor_df = Counter(chain.from_iterable(m.coauthors for m in mentions))
        self.coauthor_df = coauthor_df  # mentions per co-author
        self.mentions = mentions
        self.names = name_features(mentions)

    def tokens(self) -> list[set[str]]:
        """What each paper may share with another: co-author keys, venue, affiliation and
        rare title words (in at most a tenth of the block). Only asked for by blocks too
        large to score every pair of clusters."""
        n = len(self.mentions)
        df = Counter(w for t in self.titles for w in set(t))
        return [
            {"k" + k for k in m.coauthor_keys}
            | ({"v" + v} if v else set())
            | ({"o" + o} if o else set())
            | {"t" + w for w in t if df[w] <= n / 10}
            for m, t, v, o in zip(self.mentions, self.titles, self.venues, self.orgs, strict=True)
        ]


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


class Clusters:
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


def _venue_share(of: dict[str, int], within: dict[str, int]) -> float:
    total = sum(of.values())
    return sum(c for v, c in of.items() if v in within) / total if total else 0.0


def _initials_agree(uf: _Clusters, a: int, b: int) -> bool:
    """A learned merge needs the same initials, or a bare single initial on one side.

    The rules may join ``Tianlong`` and ``T.-W.`` when a co-author says so; a
    score from topics and venues may not (``T.`` and ``Tianlong`` it may).
    """
    x, y = uf.initials[uf.find(a)], uf.initials[uf.find(b)]
    if x == y:
        return True
    bare = [i for i, full in ((x, uf.full[uf.find(a)]), (y, uf.full[uf.find(b)])) if not full]
    return any(len(i) == 1 for i in bare) and x[:1] == y[:1]


def joinable(uf: _Clusters, pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The pairs a learned merge may join: given names, initials, iDs and corrections agree.

    The rest are never scored: on the arXiv listings that is more than half
    of all pairs (``Yu`` and ``Yi`` share the block ``wang_y``).
    """
    classes: dict[int, object] = {}
    verdicts: dict[tuple[object, object], bool] = {}
    out = []
    for a, b in pairs:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        key = (_name_class(uf, ra, classes), _name_class(uf, rb, classes))
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = uf.may_join(ra, rb) and _initials_agree(uf, ra, rb)
        if verdict:
            out.append((a, b))
    return out


def _name_class(uf: _Clusters, root: int, seen: dict[int, object]) -> object:
    """What ``may_join`` and ``_initials_agree`` read of a cluster: its full given
    names and initials, or the root itself when it holds iDs or corrections.

    A block's clusters fall in a few such classes (``Y.``, ``Yu``, ``Y. J.``),
    so ``joinable`` decides each pair of classes once instead of each pair.
    """
    found = seen.get(root)
    if found is None:
        if uf.orcids[root] or uf.authors[root] or uf.forbidden[root]:
            found = root
        else:
            full = tuple(sorted((p, tuple(sorted(n))) for p, n in uf.full[root].items()))
            found = (full, uf.initials[root])
        seen[root] = found
    return found


class _Merger:
    """One block's merging, a round at a time; the scoring is batched across blocks."""

    def __init__(self, mentions: Sequence[MentionRecord], uf: _Clusters) -> None:
        self.uf = uf
        block = Block(mentions, uf.coauthor_df)
        self.clusters = Clusters(block, [uf.find(i) for i in range(len(mentions))])
        self.scores: dict[tuple[int, int], float] = {}
        self.refused: set[tuple[int, int]] = set()
        self.fresh = joinable(uf, self.clusters.candidates())
        self.merges = 0

    def rows(self) -> NDArray[np.float64]:
        return self.clusters.features(self.fresh)

    def step(self, probabilities: Sequence[float], threshold: float) -> bool:
        """Take the fresh pairs' scores, merge the best pairs; False when nothing merged.

        Only scores from the threshold up are kept: a pair below it is not
        merged, and is scored again (not read) once one of its clusters changes.
        """
        self.scores.update(
            ((min(a, b), max(a, b)), p)
            for (a, b), p in zip(self.fresh, probabilities, strict=True)
            if p >= threshold
        )
        uf, clusters = self.uf, self.clusters
        touched: set[int] = set()
        for (a, b), _ in sorted(self.scores.items(), key=lambda kv: (-kv[1], kv[0])):
            if a in touched or b in touched:
                continue
            if not _initials_agree(uf, a, b) or not uf.union(a, b, checked=True):
                self.refused.add((a, b))  # names, ORCID iDs or a correction say no
                continue
            touched |= {a, b}
            root = uf.find(a)
            clusters.merge(root, b if root == a else a)
            self.merges += 1
        if not touched:
            self.fresh = []
            return False
        # Pairs with a changed cluster are scored again; refused ones never are.
        self.scores = {
            k: v for k, v in self.scores.items() if not touched & set(k) and k not in self.refused
        }
        changed = sorted({uf.find(t) for t in touched} & clusters.members.keys())
        done: set[int] = set()
        fresh = []
        for c in changed:
            done.add(c)
            fresh += [
                (c, o)
                for o in clusters.members
                if o not in done and (min(c, o), max(c, o)) not in self.refused
            ]
        if len(clusters.members) > ALL_PAIRS:
            allowed = set(clusters.candidates())
            fresh = [(a, b) for a, b in fresh if (min(a, b), max(a, b)) in allowed]
        self.fresh = joinable(uf, fresh)
        return True


def merge_blocks(
    blocks: Sequence[tuple[Sequence[MentionRecord], _Clusters]],
    model: Classifier,
    threshold: float | None = None,
) -> int:
    """Merge the rule clusters of many blocks that the model scores as one person.

    Each round scores the fresh pairs of every block in one call: the
    classifier costs about 1.4 ms a call whatever the batch, which per block
    was 95 % of the time on the arXiv listings. A block of more than
    ``LARGEST_BLOCK`` papers keeps its rule clusters: its paper-to-paper
    similarities would not fit in memory.
    """
    threshold = MERGE_AT if threshold is None else threshold
    active = [
        _Merger(mentions, uf)
        for mentions, uf in blocks
        if len(mentions) <= LARGEST_BLOCK and len({uf.find(i) for i in range(len(mentions))}) > 1
    ]
    merges = 0
    while active:
        parts = [merger.rows() for merger in active]
        rows = np.concatenate(parts) if parts else np.zeros((0, len(FEATURES)))
        probabilities = scores(model, rows, threshold) if len(rows) else []
        going, start = [], 0
        for merger in active:
            end = start + len(merger.fresh)
            if merger.step(probabilities[start:end], threshold):
                going.append(merger)
            else:
                merges += merger.merges
            start = end
        active = going
    return merges


def merge_clusters(
    mentions: Sequence[MentionRecord],
    uf: _Clusters,
    model: Classifier,
    threshold: float | None = None,
) -> int:
    """Merge the rule clusters of one block that the model scores as one person."""
    return merge_blocks([(mentions, uf)], model, threshold)


# -- training -------------------------------------------------------------------------


def training_rows(
    mentions: Sequence[MentionRecord], labels: Sequence[str], roots: Sequence[int]
) -> tuple[list[list[float]], list[bool]]:
    """Every candidate pair of rule clusters, labelled by majority gold person.

    Pairs whose names keep them apart are never scored, but they are kept
    here: they teach what two different people with one name look like
    (B3 F1 on AMiner 0.896 -> 0.899 with them).
    """
    clusters = Clusters(Block(mentions), roots)
    major = {
        root: Counter(labels[i] for i in members).most_common(1)[0][0]
        for root, members in clusters.members.items()
    }
    pairs = clusters.candidates()
    return clusters.features(pairs).tolist(), [major[a] == major[b] for a, b in pairs]


def scores(model: Classifier, rows: NDArray[np.float64], threshold: float) -> list[float]:
    """The probability of each row, exact from ``threshold`` up.

    Below it a score only has to stay below: merging looks no further.
    """
    if isinstance(model, Bagged):
        return model.screen(rows, threshold).tolist()
    return _probability(model, rows).tolist()


class Bagged:
    """The mean probability of several classifiers."""

    def __init__(self, models: Sequence[Classifier]) -> None:
        self.models = list(models)

    def predict_proba(self, x: Any) -> Any:
        return sum(m.predict_proba(x) for m in self.models) / len(self.models)

    def screen(self, x: NDArray[np.float64], threshold: float) -> NDArray[np.float64]:
        """``predict_proba(x)[:, 1]``, except below ``threshold``: a row whose mean
        cannot reach it even if the models not asked yet all said 1 is not
        asked further, and keeps a partial mean below ``threshold``.

        On the arXiv listings this saves less than one might hope: 88 % of the
        pairs pass the first model and 74 % need all three. The sum runs in
        ``predict_proba``'s order, so a row asked every model gets the same
        float.
        """
        n = len(self.models)
        total = np.zeros(len(x))
        alive = np.arange(len(x))
        for k, model in enumerate(self.models):
            total[alive] += _probability(model, x[alive])
            alive = alive[total[alive] + (n - k - 1) >= threshold * n]
            if not len(alive):
                break
        return total / n  # type: ignore[no-any-return]


SMALL_BATCH = 128  # rows below which ``Forest`` walks the trees, not scikit-learn


def _probability(model: Classifier, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """``model.predict_proba(x)[:, 1]``, the same floats, without scikit-learn's
    cost per call when ``x`` is a few rows."""
    if len(x) < SMALL_BATCH:
        forest = Forest.of(model)
        if forest is not None:
            return forest.probability(x)
    compiled = _COMPILED.get(model)
    if compiled is not None:
        return compiled.probability(x)
    return model.predict_proba(x)[:, 1]  # type: ignore[no-any-return]


class Forest:
    """A fitted binary ``HistGradientBoostingClassifier`` as flat arrays, every
    tree walked at once for a few rows.

    scikit-learn walks one tree per call, about 13 us each: 4 ms a call for
    300 trees, whatever the rows. Merging runs a dozen rounds a group, most of
    them on a few dozen pairs, and there that overhead was most of the time.
    The sums run tree by tree in the order scikit-learn adds them, so the
    probabilities are the same floats (``test_learned`` checks).
    """

    _cache: weakref.WeakKeyDictionary[Any, Forest | None] = weakref.WeakKeyDictionary()

    def __init__(self, model: Any) -> None:
        trees = [iteration[0].nodes for iteration in model._predictors]
        sizes = np.asarray([len(t) for t in trees])
        start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        nodes = np.concatenate(trees)
        offset = np.repeat(start, sizes)
        self.roots = start
        self.feature = nodes["feature_idx"].astype(np.intp)
        self.threshold = nodes["num_threshold"].astype(np.float64)
        self.missing_left = nodes["missing_go_to_left"].astype(bool)
        self.leaf = nodes["is_leaf"].astype(bool)
        self.left = nodes["left"].astype(np.intp) + offset
        self.right = nodes["right"].astype(np.intp) + offset
        self.value = nodes["value"].astype(np.float64)
        self.baseline = float(np.asarray(model._baseline_prediction).ravel()[0])

    @classmethod
    def of(cls, model: Classifier) -> Forest | None:
        """The forest of ``model``; None for a model this cannot walk (not a
        binary classifier with numeric features)."""
        if model not in cls._cache:
            from sklearn.ensemble import HistGradientBoostingClassifier

            usable = (
                isinstance(model, HistGradientBoostingClassifier)
                and getattr(model, "n_trees_per_iteration_", 0) == 1
                and getattr(model, "is_categorical_", None) is None
            )
            cls._cache[model] = cls(model) if usable else None
        return cls._cache[model]

    def probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        trees = len(self.roots)
        node = np.tile(self.roots, len(x))  # row by row, each row's trees in order
        cell = np.repeat(np.arange(len(x)) * x.shape[1], trees)  # where each row starts
        flat = np.ascontiguousarray(x).ravel()
        walking = np.arange(len(node))
        while True:
            at = node[walking]
            inner = ~self.leaf[at]
            walking, at = walking[inner], at[inner]
            if not len(walking):
                break
            value = flat[cell[walking] + self.feature[at]]
            left = np.where(np.isnan(value), self.missing_left[at], value <= self.threshold[at])
            node[walking] = np.where(left, self.left[at], self.right[at])
        raw = np.empty((len(x), trees + 1))
        raw[:, 0] = self.baseline
        raw[:, 1:] = self.value[node].reshape(len(x), trees)
        return expit(np.cumsum(raw, axis=1)[:, -1])  # type: ignore[no-any-return]


# Name blocks in a run from which missing compiled trees are built (a few
# seconds, once: later runs load them). The arXiv listings have 76,446.
COMPILE_FROM = 20_000


class Compiled:
    """A fitted binary ``HistGradientBoostingClassifier`` compiled to C by
    tl2cgen, for the large scoring batches.

    scikit-learn walks its trees one at a time over every row, about 7 us a
    row for 300 trees on the listings' first rounds (a quarter of the learned
    stage's CPU); the compiled trees, their thresholds turned into integer
    bins, take a third of that. The baseline is the library's first tree and the
    sum is read as the raw margin, so the trees are added from scikit-learn's
    starting value in its order and ``expit`` is applied as it applies it:
    the same floats (``test_learned`` checks).
    """

    def __init__(self, library: Path) -> None:
        import tl2cgen

        self._predictor = tl2cgen.Predictor(library, nthread=1)

    def probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        import tl2cgen

        matrix = tl2cgen.DMatrix(np.ascontiguousarray(x, dtype=np.float64), dtype="float64")
        margin = self._predictor.predict(matrix, pred_margin=True)
        return expit(np.asarray(margin, dtype=np.float64).reshape(len(x)))  # type: ignore[no-any-return]

    @staticmethod
    def build(model: Any, library: Path) -> None:
        """Compile ``model`` (a model ``Forest.of`` can walk) into ``library``."""
        import tl2cgen
        from treelite.model_builder import Metadata, ModelBuilder, PostProcessorFunc, TreeAnnotation

        trees = [iteration[0].nodes for iteration in model._predictors]
        count = len(trees) + 1
        builder = ModelBuilder(
            threshold_type="float64",
            leaf_output_type="float64",
            metadata=Metadata(
                num_feature=int(model.n_features_in_),
                task_type="kRegressor",
                average_tree_output=False,
                num_target=1,
                num_class=[1],
                leaf_vector_shape=(1, 1),
            ),
            tree_annotation=TreeAnnotation(
                num_tree=count, target_id=[0] * count, class_id=[0] * count
            ),
            postprocessor=PostProcessorFunc(name="identity"),
            base_scores=[0.0],
        )
        forest = Forest.of(model)
        if forest is None:
            raise ValueError("not a binary HistGradientBoostingClassifier on numeric features")
        builder.start_tree()  # the baseline, added first as scikit-learn adds it
        builder.start_node(0)
        builder.leaf(forest.baseline)
        builder.end_node()
        builder.end_tree()
        for nodes in trees:
            builder.start_tree()
            for key, node in enumerate(nodes):
                builder.start_node(key)
                if node["is_leaf"]:
                    builder.leaf(float(node["value"]))
                else:  # scikit-learn: a missing value goes its learned way, else x <= threshold
                    builder.numerical_test(
                        int(node["feature_idx"]),
                        float(node["num_threshold"]),
                        default_left=bool(node["missing_go_to_left"]),
                        opname="<=",
                        left_child_key=int(node["left"]),
                        right_child_key=int(node["right"]),
                    )
                builder.end_node()
            builder.end_tree()
        # Each process its own file, renamed into place: two runs may compile at once.
        temporary = library.with_suffix(f".{os.getpid()}.tmp")
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # tl2cgen's notes on compiling
                tl2cgen.export_lib(
                    builder.commit(),
                    toolchain="gcc",
                    libpath=temporary,
                    # Units compiled side by side; each adds its trees to the one sum, in order.
                    params={"quantize": 1, "parallel_comp": 8},
                    nthread=os.cpu_count() or 1,
                    options=["-O2"],
                )
            temporary.replace(library)
        finally:
            temporary.unlink(missing_ok=True)


_COMPILED: weakref.WeakKeyDictionary[Any, Compiled] = weakref.WeakKeyDictionary()
_MODEL_FILES: weakref.WeakKeyDictionary[Any, Path] = weakref.WeakKeyDictionary()


def use_compiled(model: Classifier, blocks: int) -> bool:
    """Whether ``model``'s large batches are now scored by its compiled trees,
    for a run of ``blocks`` name blocks.

    The libraries live beside the model's cached file (``shipped_model``);
    missing ones are compiled for a run of ``COMPILE_FROM`` blocks or more,
    which needs a C compiler. Without them, or for a model from elsewhere,
    scikit-learn scores as before. Call it before forking: the workers inherit
    the libraries.
    """
    models = model.models if isinstance(model, Bagged) else [model]
    path = _MODEL_FILES.get(model)
    if path is None or any(Forest.of(m) is None for m in models):
        return False
    try:
        # The version names the libraries; tl2cgen itself (30 ms to import)
        # is loaded only when there is a library to load or build.
        version = importlib.metadata.version("tl2cgen")
        for number, part in enumerate(models):
            if part in _COMPILED:
                continue
            library = path.with_name(f"{path.stem}-{number}-tl2cgen-{version}.so")
            if not library.exists():
                if blocks < COMPILE_FROM:
                    return False
                Compiled.build(part, library)
            _COMPILED[part] = Compiled(library)
    except Exception as exc:  # no compiler, a failed build: scikit-learn still scores
        log.warning("scoring without compiled trees: %s: %s", type(exc).__name__, exc)
        return False
    return True


def fit(blocks: Iterable[tuple[list[list[float]], list[bool]]]) -> Classifier:
    """Gradient-boosted classifiers, bagged; each block weighs about as much as the others.

    Three models, each splitting on a random 70 % of the features at every
    node, averaged: B3 F1 on AMiner 0.899 -> 0.906 (5 folds by name) and
    0.896 -> 0.903 (10 folds) against one model on all features.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    x: list[list[float]] = []
    y: list[bool] = []
    w: list[float] = []
    for rows, same in blocks:
        if rows:
            x += rows
            y += same
            w += [1.0 / math.sqrt(len(rows))] * len(rows)
    features, labels, weights = np.asarray(x, dtype=np.float64), np.asarray(y), np.asarray(w)
    models = []
    for seed in range(BAGGED):
        model = HistGradientBoostingClassifier(
            max_iter=300,
            learning_rate=0.08,
            max_leaf_nodes=31,
            max_features=0.7,
            early_stopping=False,
            random_state=seed,
        )
        models.append(model.fit(features, labels, sample_weight=weights))
    return Bagged(models)


def training_files() -> list[Path]:
    return sorted(TRAINING_DIR.glob("aminer/*.xml"))


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Read once per process: ``shipped_model`` is asked for on every pair MEDLINE scores."""
    import sklearn

    digest = hashlib.sha256(f"{FEATURES_VERSION} {sklearn.__version__}".encode())
    # The features and the rule clusters they start from are part of the model.
    for module in ("learned.py", "authors.py"):
        digest.update(Path(__file__).with_name(module).read_bytes())
    for file in [*training_files(), NAME_COUNTS]:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


_MODELS: dict[str, Classifier] = {}


def shipped_model(
    train: Callable[[frozenset[str]], Classifier], exclude: frozenset[str] = frozenset()
) -> Classifier:
    """The model trained on the shipped gold names (minus ``exclude``), cached on disk."""
    from django.conf import settings

    key = _fingerprint() + (
        "-" + hashlib.sha256(" ".join(sorted(exclude)).encode()).hexdigest()[:8] if exclude else ""
    )
    if key in _MODELS:
        return _MODELS[key]
    from threadpoolctl import threadpool_limits

    # Scoring runs on small batches: OpenMP threads cost far more than they
    # give (7x slower on 2 busy cores), so one thread for the whole process.
    threadpool_limits(limits=1, user_api="openmp")
    folder = Path(settings.VAR_DIR) / "models"
    path = folder / f"author-merge-{key}.pickle"
    if path.exists():
        with path.open("rb") as fh:
            model = pickle.load(fh)  # written by this code from the shipped data
    else:
        model = train(exclude)
        folder.mkdir(parents=True, exist_ok=True)
        # Each process its own file: two imports may train at once, and the
        # second rename must not find the first one's file gone.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh)
        tmp.replace(path)
    _MODELS[key] = model
    _MODEL_FILES[model] = path
    return model
