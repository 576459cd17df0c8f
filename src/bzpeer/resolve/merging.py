"""The learned stage of author disambiguation: which clusters of a name block to merge.

The rules (``rules.py``) first build small, nearly always right
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

A block is a few matrices (``block.py``, ``features.py``): paper-to-paper
cosines, summed by cluster (the centroid cosine) or maxed (the best pair), so
a merge adds or maxes two rows instead of rebuilding a profile.

The classifier (three bagged gradient-boosted models, ``scoring.py``) is
trained on every gold set shipped in ``training/`` (AMiner, INSPIRE, Kim's
DBLP, LAGOS-AND, UFMG LBD, Yonsei PubMed, MEDLINE pairs) by ``model.py`` and
cached under ``var/models``; a fresh clone retrains it in about half a
minute. Evaluation never scores a name it trained on (``bzpeer.evaluation``
holds those names out, or whole sets: ``--leave-one-out``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from bzpeer.resolve.block import Block
from bzpeer.resolve.features import ALL_PAIRS, FEATURES, ClusterFeatures
from bzpeer.resolve.mentions import MentionRecord
from bzpeer.resolve.scoring import Classifier, scores
from bzpeer.resolve.unionfind import UnionFind

MERGE_AT = 0.6  # chosen among 0.4-0.8 by leaving each gold set out (docs/quality.md)
LARGEST_BLOCK = 2000  # papers; a larger block keeps its rule clusters (see merge_blocks)


def initials_agree(uf: UnionFind, a: int, b: int) -> bool:
    """A learned merge needs the same initials, a bare single initial on one side,
    or the same written-out first name with a middle initial left out on one side.

    The rules may join ``Tianlong`` and ``T.-W.`` when a co-author says so; a
    score from topics and venues may not (``T.`` and ``Tianlong`` it may, and
    ``Richard D.`` and ``Richard``: B3 F1 of the left-out LAGOS-AND and Yonsei
    sets +0.009 and +0.008).
    """
    ra, rb = uf.find(a), uf.find(b)
    x, y = uf.initials[ra], uf.initials[rb]
    if x == y:
        return True
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    if short and long[: len(short)] == short and 0 in uf.full[ra] and 0 in uf.full[rb]:
        return True
    bare = [i for i, full in ((x, uf.full[ra]), (y, uf.full[rb])) if not full]
    return any(len(i) == 1 for i in bare) and x[:1] == y[:1]


def joinable(uf: UnionFind, pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
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
            verdict = verdicts[key] = uf.may_join(ra, rb) and initials_agree(uf, ra, rb)
        if verdict:
            out.append((a, b))
    return out


def _name_class(uf: UnionFind, root: int, seen: dict[int, object]) -> object:
    """What ``may_join`` and ``initials_agree`` read of a cluster: its full given
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

    def __init__(self, mentions: Sequence[MentionRecord], uf: UnionFind) -> None:
        self.uf = uf
        block = Block(mentions, uf.coauthor_df)
        self.clusters = ClusterFeatures(block, [uf.find(i) for i in range(len(mentions))])
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
            if not initials_agree(uf, a, b) or not uf.union(a, b, checked=True):
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
    blocks: Sequence[tuple[Sequence[MentionRecord], UnionFind]],
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
    uf: UnionFind,
    model: Classifier,
    threshold: float | None = None,
) -> int:
    """Merge the rule clusters of one block that the model scores as one person."""
    return merge_blocks([(mentions, uf)], model, threshold)
