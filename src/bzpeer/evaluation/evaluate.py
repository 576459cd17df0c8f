"""How good the resolvers are, measured on public gold data.

Metrics are pure functions over ``{record id: cluster label}`` mappings: B3
precision/recall micro-averaged over all records, and pairwise
precision/recall over the pairs of records in one block. The evaluations run
the resolvers exactly as imports do: :func:`evaluate_disambiguation` calls
``cluster_block`` once per name block (surname + first initial),
:func:`evaluate_pairs` asks it about two mentions only, and
:func:`evaluate_works` applies ``same_work`` to DBLP/ACM records sharing a title
key, head or tail (the Leipzig CSVs are read here).

The author resolver's learned stage (``resolve/merging.py``) is trained on the
gold sets shipped in ``resolve/training`` (``resolve/model.py``; ``lodo.py``
leaves each set out in turn). An
evaluation never scores a name the model was trained on: when the gold set
shares name blocks with the training data, its names are split into five
folds and each fold is clustered by a model trained without that fold's
blocks (cross-validation by name).
"""

from __future__ import annotations

import csv
import html
import io
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from bzpeer.catalog.names import parse_name_cached
from bzpeer.catalog.titles import title_ends
from bzpeer.evaluation.goldsets import (
    PairSet,
    Signature,
    decode_text,
    existing_path,
    parse_year,
    pick_file,
)
from bzpeer.resolve.clustering import cluster_block, cluster_blocks
from bzpeer.resolve.model import shipped_model, training_blocks
from bzpeer.resolve.scoring import Classifier
from bzpeer.resolve.signatures import signature_blocks, signature_mention
from bzpeer.resolve.works import MatchFacts, match_facts, same_work

K = TypeVar("K", bound=Hashable)  # record ids

NOTHING_LEARNED = (
    "work matching rules (shared ids, title, year, authors); nothing is learned from the gold data"
)
FOLDS = 5


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float


def scores(precision: float, recall: float) -> Scores:
    """Precision and recall with their harmonic mean (0 when both are 0)."""
    total = precision + recall
    return Scores(precision, recall, 2 * precision * recall / total if total else 0.0)


def _same_keys(pred: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> None:
    if pred.keys() != gold.keys():
        raise ValueError("predicted and gold clusterings cover different records")


def b3(pred: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> Scores:
    """B3, micro-averaged: each record's |pred ∩ gold| / |pred| and / |gold|, averaged.

    The c records of one (predicted, gold) cell each score c / |predicted
    cluster| and c / |gold cluster|. No records: all zero.
    """
    _same_keys(pred, gold)
    if not gold:
        return scores(0.0, 0.0)
    pred_size, gold_size = Counter(pred.values()), Counter(gold.values())
    cells = Counter((pred[k], gold[k]) for k in gold)
    precision = sum(c * c / pred_size[p] for (p, _), c in cells.items()) / len(gold)
    recall = sum(c * c / gold_size[g] for (_, g), c in cells.items()) / len(gold)
    return scores(precision, recall)


def _pairs(counts: Counter[tuple[Hashable, ...]]) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def pairwise(
    pred: Mapping[K, Hashable],
    gold: Mapping[K, Hashable],
    blocks: Mapping[K, Hashable] | None = None,
) -> Scores:
    """Pairwise precision/recall over all pairs of records in one block.

    Without ``blocks``, over all pairs. No predicted pairs: precision 1 (no
    wrong merge); no gold pairs: recall 1.
    """
    _same_keys(pred, gold)
    block: Mapping[K, Hashable] = blocks if blocks is not None else dict.fromkeys(gold, 0)
    both = _pairs(Counter((block[k], pred[k], gold[k]) for k in gold))
    predicted = _pairs(Counter((block[k], pred[k]) for k in gold))
    actual = _pairs(Counter((block[k], gold[k]) for k in gold))
    return scores(both / predicted if predicted else 1.0, both / actual if actual else 1.0)


# -- author disambiguation ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    records: int  # labelled mentions, the ones scored
    unlabelled: int  # clustered with the rest but not scored
    names: int
    blocks: int
    gold_clusters: int
    predicted_clusters: int
    b3: Scores
    pairwise: Scores
    seconds: float
    note: str = NOTHING_LEARNED


def predict_clusters(
    records: Sequence[Signature],
    model: Classifier | Literal["held-out"] | None = "held-out",
    folds: int = FOLDS,
) -> dict[str, str]:
    """``cluster_block`` over each name block: signature id -> predicted cluster.

    ``"held-out"``: the shipped model, retrained without the gold blocks it
    was trained on (``folds`` folds by block); ``None``: the rules alone.
    """
    blocks = signature_blocks(records)
    models: dict[str, Classifier | None] = dict.fromkeys(
        blocks, None if model == "held-out" else model
    )
    if model == "held-out":
        seen = training_blocks() & blocks.keys()
        # A handful of names: one fold, all of them held out at once.
        k_folds = folds if len(seen) >= 4 * folds else 1
        parts = [sorted(seen)[k::k_folds] for k in range(k_folds)] if seen else []
        for fold in parts:
            held_out = shipped_model(frozenset(fold))
            models.update(dict.fromkeys(fold, held_out))
        unseen = shipped_model()
        models.update({k: unseen for k in blocks.keys() - seen})
    by_model: dict[int, list[str]] = defaultdict(list)
    for key in sorted(blocks):
        by_model[id(models[key])].append(key)
    out: dict[str, str] = {}
    for keys in by_model.values():
        clustered = cluster_blocks([blocks[k] for k in keys], models[keys[0]])
        for key, clusters in zip(keys, clustered, strict=True):
            for n, cluster in enumerate(clusters):
                for mention in cluster:
                    out[records[mention.id].id] = f"{key}#{n}"
    return out


def evaluate_disambiguation(
    records: Sequence[Signature],
    model: Classifier | Literal["held-out"] | None = "held-out",
    folds: int = FOLDS,
) -> Report:
    """Cluster every signature by blocks, score the labelled ones against the gold."""
    start = time.perf_counter()
    predicted = predict_clusters(records, model, folds)
    gold = {r.id: r.label for r in records if r.label is not None}
    pred = {k: predicted[k] for k in gold}
    names = [parse_name_cached(r.name) for r in records]
    block = {r.id: n.block_key for r, n in zip(records, names, strict=True)}
    held_out = len(training_blocks() & set(block.values())) if model == "held-out" else 0
    return Report(
        records=len(gold),
        unlabelled=len(records) - len(gold),
        names=len({(n.surname, n.given) for n in names}),
        blocks=len(set(block.values())),
        gold_clusters=len(set(gold.values())),
        predicted_clusters=len(set(pred.values())),
        b3=b3(pred, gold),
        pairwise=pairwise(pred, gold, {k: block[k] for k in gold}),
        seconds=time.perf_counter() - start,
        note=(
            "rules only (name blocks, same work, shared co-author)"
            if model is None
            else f"rules + learned merges; {held_out} blocks also in the training data were "
            f"clustered by models trained without them ({folds}-fold cross-validation by name)"
            if held_out
            else "rules + learned merges; no block of this set is in the training data"
        ),
    )


# -- labelled pairs (MEDLINE) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairReport:
    pairs: int
    skipped: int
    true_pos: int
    false_pos: int
    false_neg: int
    true_neg: int
    accuracy: float
    scores: Scores
    seconds: float
    note: str = "rules + learned merges (shipped model; this set is not in its training data)"


def same_person(a: Signature, b: Signature, model: Classifier | None = None) -> bool:
    """Does the resolver put two mentions in one cluster, given only their two works?

    ``model``: the shipped one by default."""
    first = signature_mention(0, 0, a)
    second = signature_mention(1, 0 if a.publication == b.publication else 1, b)
    if first.name.block_key != second.name.block_key:
        return False  # never compared: different blocks
    return len(cluster_block([first, second], model or shipped_model())) == 1


def evaluate_pairs(pair_set: PairSet) -> PairReport:
    start = time.perf_counter()
    outcome = Counter((same_person(p.first, p.second), p.same) for p in pair_set.pairs)
    tp, fp = outcome[(True, True)], outcome[(True, False)]
    fn, tn = outcome[(False, True)], outcome[(False, False)]
    total = len(pair_set.pairs)
    return PairReport(
        pairs=total,
        skipped=pair_set.skipped,
        true_pos=tp,
        false_pos=fp,
        false_neg=fn,
        true_neg=tn,
        accuracy=(tp + tn) / total if total else 0.0,
        scores=scores(tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0),
        seconds=time.perf_counter() - start,
    )


# -- work matching (Leipzig DBLP-ACM) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkRecord:
    id: str
    title: str
    authors: tuple[str, ...]
    venue: str
    year: int | None


@dataclass(frozen=True, slots=True)
class WorkMatchSet:
    left: tuple[WorkRecord, ...]
    right: tuple[WorkRecord, ...]
    gold: frozenset[tuple[str, str]]  # (left id, right id)


def load_leipzig(path: str | Path) -> WorkMatchSet:
    """``DBLP2.csv`` and ``ACM.csv`` (id,title,authors,venue,year; UTF-8 or Latin-1,
    HTML entities) and the gold ``DBLP-ACM_perfectMapping.csv`` (with a header row)."""
    folder = existing_path(path)
    left = _work_csv(pick_file(folder, "DBLP2.csv", "DBLP*.csv"))
    right = _work_csv(pick_file(folder, "ACM.csv", "ACM*.csv"))
    mapping = pick_file(folder, "DBLP-ACM_perfectMapping.csv", "*apping*.csv")
    rows = list(csv.reader(io.StringIO(decode_text(mapping.read_bytes()))))
    gold = frozenset((r[0].strip(), r[1].strip()) for r in rows[1:] if len(r) >= 2)
    return WorkMatchSet(tuple(left), tuple(right), gold)


def _work_csv(path: Path) -> list[WorkRecord]:
    rows = list(csv.DictReader(io.StringIO(decode_text(path.read_bytes()))))
    if rows and not {"id", "title", "authors"} <= rows[0].keys():
        raise ValueError(f"{path}: expected columns id,title,authors,venue,year")
    return [
        WorkRecord(
            id=r["id"].strip(),
            title=html.unescape(r["title"] or "").strip(),
            authors=tuple(a.strip() for a in html.unescape(r["authors"] or "").split(",")),
            venue=html.unescape(r.get("venue") or "").strip(),
            year=parse_year(r.get("year")),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class WorksReport:
    left: int
    right: int
    gold_pairs: int
    candidates: int  # pairs sharing a title key, head or tail
    predicted: int
    true_pos: int
    blocking_recall: float  # gold pairs among the candidates
    scores: Scores
    seconds: float
    note: str = (
        "the import rule same_work (exact or fuzzy title, year, authors); nothing learned, "
        "thresholds chosen on this dev split"
    )


def _surnames(record: WorkRecord) -> set[str]:
    return {s for s in (parse_name_cached(a).surname for a in record.authors if a) if s}


def evaluate_works(folder: str | Path) -> WorksReport:
    """Match DBLP to ACM records with the import's rule (``same_work``), against
    the perfect mapping.

    Candidates are the pairs the importer compares: the same title key, title
    head or title tail (``title_ends``).
    """
    start = time.perf_counter()
    data = load_leipzig(folder)
    facts = {
        (side, r.id): match_facts(r.title, r.year, _surnames(r))
        for side, records in (("l", data.left), ("r", data.right))
        for r in records
    }
    recurring = {
        side: {k for k, n in Counter(facts[(side, r.id)].title_key for r in rs).items() if n > 1}
        for side, rs in (("l", data.left), ("r", data.right))
    }

    def blocks(f: MatchFacts) -> list[str]:
        head, tail = title_ends(f.words)
        return [f"k{f.title_key}", f"h{head}", f"t{tail}"]

    by_key: dict[str, set[str]] = defaultdict(set)
    for record in data.right:
        for block in blocks(facts[("r", record.id)]):
            by_key[block].add(record.id)
    candidates: set[tuple[str, str]] = set()
    predicted: set[tuple[str, str]] = set()
    for a in data.left:
        fa = facts[("l", a.id)]
        near: set[str] = set()
        for block in blocks(fa):
            near |= by_key.get(block, set())
        for b in sorted(near):
            fb = facts[("r", b)]
            candidates.add((a.id, b))
            generic = fa.title_key in recurring["l"] or fb.title_key in recurring["r"]
            if same_work(fa, fb, generic=generic):
                predicted.add((a.id, b))
    tp = len(predicted & data.gold)
    gold = len(data.gold)
    return WorksReport(
        left=len(data.left),
        right=len(data.right),
        gold_pairs=gold,
        candidates=len(candidates),
        predicted=len(predicted),
        true_pos=tp,
        blocking_recall=len(candidates & data.gold) / gold if gold else 1.0,
        scores=scores(tp / len(predicted) if predicted else 1.0, tp / gold if gold else 1.0),
        seconds=time.perf_counter() - start,
    )


# -- tables ---------------------------------------------------------------------------


def _prf(s: Scores) -> str:
    return f"P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"


def format_report(report: Report | PairReport | WorksReport, load_seconds: float = 0.0) -> str:
    """A small plain-text table of a report."""
    if isinstance(report, Report):
        rows = [
            ("records", f"{report.records} scored, {report.unlabelled} unlabelled"),
            ("names / blocks", f"{report.names} / {report.blocks}"),
            ("clusters", f"{report.gold_clusters} gold, {report.predicted_clusters} predicted"),
            ("B3 (micro)", _prf(report.b3)),
            ("pairwise", _prf(report.pairwise)),
        ]
    elif isinstance(report, PairReport):
        rows = [
            ("pairs", f"{report.pairs} scored, {report.skipped} skipped"),
            (
                "outcomes",
                f"TP {report.true_pos}  FP {report.false_pos}  "
                f"FN {report.false_neg}  TN {report.true_neg}",
            ),
            ("accuracy", f"{report.accuracy:.3f}"),
            ("pairwise", _prf(report.scores)),
        ]
    else:
        rows = [
            ("records", f"{report.left} DBLP, {report.right} ACM, {report.gold_pairs} gold pairs"),
            ("candidates", f"{report.candidates} (blocking recall {report.blocking_recall:.3f})"),
            ("predicted", f"{report.predicted}, {report.true_pos} correct"),
            ("pairwise", _prf(report.scores)),
        ]
    rows.append(("seconds", f"{load_seconds + report.seconds:.2f}"))
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    return "\n".join([*lines, f"note: {report.note}"])
