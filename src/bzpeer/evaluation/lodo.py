"""Leave one gold set out: how well the resolver does on a set it never learned from.

For each shipped gold set (``resolve.model.TRAINING_SETS``) the merge model
is trained on all the other sets, without the left-out set's name blocks
either (a name in two sets is unseen in both), and the left-out set is
clustered with it. Beside it stands the naive baseline, co-author
components: the mentions of one name block joined whenever they share a
co-author's block key (surname and first initial), nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from bzpeer.evaluation.evaluate import (
    Scores,
    b3,
    predict_clusters,
    same_person,
    scores,
)
from bzpeer.resolve.gold import GoldSet
from bzpeer.resolve.model import (
    TRAINING_SETS,
    set_excluded,
    shipped_model,
    training_records,
)
from bzpeer.resolve.pubmed import PairSet, load_medline_pairs
from bzpeer.resolve.signatures import Signature, signature_blocks, signature_mention


@dataclass(frozen=True, slots=True)
class LodoRow:
    name: str
    records: int  # scored mentions, or pairs
    pairs: bool  # a set of labelled pairs: pairwise scores, not B3
    model: Scores
    baseline: Scores
    seconds: float

    @property
    def gain(self) -> float:
        return self.model.f1 - self.baseline.f1


def coauthor_components(records: Sequence[Signature]) -> dict[str, str]:
    """The baseline: within a name block, mentions sharing a co-author block key join."""
    out: dict[str, str] = {}
    for key, mentions in signature_blocks(records).items():
        parent = list(range(len(mentions)))
        first: dict[str, int] = {}
        for i, m in enumerate(mentions):
            for co in sorted(m.coauthor_keys):
                parent[_root(parent, i)] = _root(parent, first.setdefault(co, i))
        for i, m in enumerate(mentions):
            out[records[m.id].id] = f"{key}#{_root(parent, i)}"
    return out


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _held_out(gold: GoldSet, blocks: set[str]) -> frozenset[str]:
    return frozenset({set_excluded(gold.name), *blocks})


def _cluster_row(gold: GoldSet) -> LodoRow:
    start = time.perf_counter()
    records = training_records(gold.name)
    blocks = signature_blocks(records)
    model = shipped_model(_held_out(gold, set(blocks)))
    labelled = {r.id: str(r.label) for r in records if r.label is not None}
    predicted = predict_clusters(records, model)
    naive = coauthor_components(records)
    return LodoRow(
        name=gold.name,
        records=len(labelled),
        pairs=False,
        model=b3({k: predicted[k] for k in labelled}, labelled),
        baseline=b3({k: naive[k] for k in labelled}, labelled),
        seconds=time.perf_counter() - start,
    )


def _pair_row(gold: GoldSet) -> LodoRow:
    start = time.perf_counter()
    pair_set: PairSet = load_medline_pairs(gold.path)
    keys = {
        signature_mention(0, 0, s).name.block_key
        for p in pair_set.pairs
        for s in (p.first, p.second)
    }
    model = shipped_model(_held_out(gold, keys))
    found, naive, gold_same = [], [], []
    for pair in pair_set.pairs:
        found.append(same_person(pair.first, pair.second, model))
        a, b = (signature_mention(i, i, s) for i, s in enumerate((pair.first, pair.second)))
        naive.append(
            a.name.block_key == b.name.block_key and bool(a.coauthor_keys & b.coauthor_keys)
        )
        gold_same.append(pair.same)
    return LodoRow(
        name=gold.name,
        records=len(pair_set.pairs),
        pairs=True,
        model=_pair_scores(found, gold_same),
        baseline=_pair_scores(naive, gold_same),
        seconds=time.perf_counter() - start,
    )


def _pair_scores(predicted: list[bool], gold: list[bool]) -> Scores:
    tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
    said, real = sum(predicted), sum(gold)
    return scores(tp / said if said else 1.0, tp / real if real else 1.0)


def leave_one_out(only: Sequence[str] = ()) -> list[LodoRow]:
    """One row per shipped gold set (or the ``only`` ones), in ``TRAINING_SETS`` order."""
    sets = [g for g in TRAINING_SETS if not only or g.name in only]
    return [_pair_row(g) if g.pairs else _cluster_row(g) for g in sets]


def format_lodo(rows: Sequence[LodoRow]) -> str:
    """The table, the mean F1 of both over the clustered sets, and the mean gain."""
    head = (
        f"{'left out':<14} {'records':>7}  {'P':>5} {'R':>5} {'F1':>5}   {'baseline F1':>11}  gain"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.name:<14} {r.records:>7}  {r.model.precision:.3f} {r.model.recall:.3f} "
            f"{r.model.f1:.3f}   {r.baseline.f1:>11.3f}  {r.gain:+.3f}"
            + ("  (pairs: pairwise)" if r.pairs else "")
        )
    clustered = [r for r in rows if not r.pairs]
    if clustered:
        n = len(clustered)
        mean = sum(r.model.f1 for r in clustered) / n
        base = sum(r.baseline.f1 for r in clustered) / n
        lines.append(
            f"mean B3 F1 over {n} clustered sets: {mean:.3f}, baseline {base:.3f}, "
            f"gain {mean - base:+.3f}"
        )
    lines.append(f"seconds: {sum(r.seconds for r in rows):.1f}")
    return "\n".join(lines)
