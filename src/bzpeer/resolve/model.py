"""The merge classifier: trained on the shipped gold sets, cached on disk.

The training data is every gold set in ``training/`` (``TRAINING_SETS``: AMiner,
INSPIRE, Kim's DBLP, LAGOS-AND, UFMG LBD, Yonsei PubMed and the MEDLINE pairs,
read by ``aminer.py``, ``gold.py`` and ``pubmed.py``), each set weighing
alike; the model is cached under ``var/models`` with a fingerprint of the
data, the name table and the code that makes its features, so a fresh clone
or a change of that code retrains it on first use.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings
from threadpoolctl import threadpool_limits

from bzpeer.catalog.names import parse_name_cached
from bzpeer.resolve.aminer import load_aminer
from bzpeer.resolve.block import NAME_COUNTS, Block
from bzpeer.resolve.compiled import MODEL_FILES
from bzpeer.resolve.features import ClusterFeatures
from bzpeer.resolve.gold import GoldSet, load_inspire, load_kim_dblp, load_lagos, load_lbd
from bzpeer.resolve.mentions import MentionRecord
from bzpeer.resolve.pubmed import load_medline_pairs, load_yonsei
from bzpeer.resolve.rules import rule_clusters
from bzpeer.resolve.scoring import Bagged, Classifier
from bzpeer.resolve.signatures import Signature, signature_blocks, signature_mention

FEATURES_VERSION = 4
BAGGED = 3  # classifiers averaged
# The modules whose code shapes what the model learns: a change retrains it.
TRAINING_CODE = (
    "mentions.py",
    "unionfind.py",
    "rules.py",
    "block.py",
    "features.py",
    "signatures.py",
    "aminer.py",
    "gold.py",
    "pubmed.py",
    "model.py",
)
TRAINING_SETS = (
    GoldSet("aminer", "aminer", load_aminer),
    GoldSet("inspire-wang", "inspire-wang", load_inspire),
    GoldSet("kim-dblp", "kim-dblp", load_kim_dblp),
    GoldSet("lagos-and", "lagos-and", load_lagos),
    GoldSet("lbd-ufmg", "lbd-ufmg", load_lbd),
    GoldSet("yonsei", "yonsei", load_yonsei),
    # Labelled pairs, not clusters: read by ``_pair_rows``, no signatures of its own.
    GoldSet("medline-pairs", "medline-pairs", lambda _: [], pairs=True),
)
MAX_ROWS = 4000  # candidate pairs a block gives at most, drawn at random (INSPIRE's Wangs)
SET_ROWS = 12_000  # rows a gold set gives at most, drawn at random


def training_rows(
    mentions: Sequence[MentionRecord], labels: Sequence[str], roots: Sequence[int]
) -> tuple[list[list[float]], list[bool]]:
    """Every candidate pair of rule clusters (``MAX_ROWS`` of them drawn at random
    when there are more), labelled by majority gold person.

    Pairs whose names keep them apart are never scored, but they are kept
    here: they teach what two different people with one name look like
    (B3 F1 on AMiner 0.896 -> 0.899 with them).
    """
    clusters = ClusterFeatures(Block(mentions), roots)
    major = {
        root: Counter(labels[i] for i in members).most_common(1)[0][0]
        for root, members in clusters.members.items()
    }
    pairs = clusters.candidates()
    if len(pairs) > MAX_ROWS:
        pairs = sorted(random.Random(len(mentions)).sample(pairs, MAX_ROWS))
    return clusters.features(pairs).tolist(), [major[a] == major[b] for a, b in pairs]


def fit(sets: Iterable[Iterable[tuple[list[list[float]], list[bool]]]]) -> Classifier:
    """Gradient-boosted classifiers, bagged; each gold set weighs alike, and within
    a set each block about as much as the others.

    Three models, each splitting on a random 70 % of the features at every
    node, averaged: B3 F1 on AMiner 0.899 -> 0.906 (5 folds by name) and
    0.896 -> 0.903 (10 folds) against one model on all features.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    x: list[list[float]] = []
    y: list[bool] = []
    per_set: list[list[float]] = []
    for blocks in sets:
        found = [
            (row, label, 1.0 / math.sqrt(len(rows)))
            for rows, same in blocks
            for row, label in zip(rows, same, strict=True)
        ]
        if len(found) > SET_ROWS:  # as good, and training stays within a minute
            found = random.Random(len(found)).sample(found, SET_ROWS)
        if found:
            x += [row for row, _, _ in found]
            y += [label for _, label, _ in found]
            per_set.append([weight for _, _, weight in found])
    # Each set a total by the square root of its rows (a big set does not
    # dominate, a tiny one does not count as much as AMiner); the mean row
    # weighs 1 (HistGradientBoosting's least hessian for a split is absolute).
    totals = [math.sqrt(len(rows)) for rows in per_set]
    scale = len(x) / sum(totals) if per_set else 0.0
    w = [v * t * scale / sum(rows) for rows, t in zip(per_set, totals, strict=True) for v in rows]
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
    return sorted(f for gold in TRAINING_SETS for f in gold.path.rglob("*") if f.is_file())


@cache
def training_records(name: str) -> tuple[Signature, ...]:
    """One shipped gold set's labelled mentions (none for a set of pairs)."""
    gold = next(g for g in TRAINING_SETS if g.name == name)
    return tuple(gold.load(gold.path))


def training_blocks() -> frozenset[str]:
    """The name blocks the shipped model was trained on."""
    return frozenset(
        parse_name_cached(r.name).block_key
        for gold in TRAINING_SETS
        for r in training_records(gold.name)
    )


def set_excluded(name: str) -> str:
    """The ``exclude`` entry that leaves a whole gold set out of training."""
    return f"set:{name}"


def train_model(exclude: frozenset[str] = frozenset()) -> Classifier:
    """The merge classifier, trained on the shipped gold sets outside ``exclude``
    (name blocks, or whole sets as ``set_excluded`` names them)."""
    sets = []
    for gold in TRAINING_SETS:
        if set_excluded(gold.name) in exclude:
            continue
        sets.append(_pair_rows(exclude) if gold.pairs else _set_rows(gold.name, exclude))
    return fit(sets)


def _set_rows(name: str, exclude: frozenset[str]) -> list[tuple[list[list[float]], list[bool]]]:
    records = training_records(name)
    rows = []
    for key, mentions in sorted(signature_blocks(records).items()):
        if key in exclude:
            continue
        labels = [str(records[m.id].label) for m in mentions]
        rows.append(training_rows(mentions, labels, _rule_roots(mentions)))
    return rows


def _pair_rows(exclude: frozenset[str]) -> list[tuple[list[list[float]], list[bool]]]:
    """The MEDLINE pairs: each pair a block of two mentions, one row when the rules
    leave them apart."""
    gold = next(g for g in TRAINING_SETS if g.pairs)
    rows = []
    for pair in load_medline_pairs(gold.path).pairs:
        same_work = pair.first.publication == pair.second.publication
        mentions = [
            signature_mention(0, 0, pair.first),
            signature_mention(1, 0 if same_work else 1, pair.second),
        ]
        if mentions[0].name.block_key != mentions[1].name.block_key:
            continue
        if mentions[0].name.block_key in exclude:
            continue
        labels = ["a", "a" if pair.same else "b"]
        rows.append(training_rows(mentions, labels, _rule_roots(mentions)))
    return rows


def _rule_roots(mentions: list[MentionRecord]) -> list[int]:
    uf = rule_clusters(mentions)
    return [uf.find(i) for i in range(len(mentions))]


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Read once per process: ``shipped_model`` is asked for on every pair MEDLINE scores."""
    import sklearn

    digest = hashlib.sha256(f"{FEATURES_VERSION} {sklearn.__version__}".encode())
    # The features, the rule clusters they start from and the training
    # records they are computed on are part of the model.
    for module in TRAINING_CODE:
        digest.update(Path(__file__).with_name(module).read_bytes())
    for file in [*training_files(), NAME_COUNTS]:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


_MODELS: dict[str, Classifier] = {}


def shipped_model(
    exclude: frozenset[str] = frozenset(),
    train: Callable[[frozenset[str]], Classifier] | None = None,
) -> Classifier:
    """The model trained on the shipped gold names (minus ``exclude`` blocks), cached on disk.

    ``train`` trains it when it is not cached (``train_model`` by default).
    """
    key = _fingerprint() + (
        "-" + hashlib.sha256(" ".join(sorted(exclude)).encode()).hexdigest()[:8] if exclude else ""
    )
    if key in _MODELS:
        return _MODELS[key]
    # Scoring runs on small batches: OpenMP threads cost far more than they
    # give (7x slower on 2 busy cores), so one thread for the whole process.
    threadpool_limits(limits=1, user_api="openmp")
    folder = Path(settings.VAR_DIR) / "models"
    path = folder / f"author-merge-{key}.pickle"
    if path.exists():
        with path.open("rb") as fh:
            model = pickle.load(fh)  # written by this code from the shipped data
    else:
        model = (train or train_model)(exclude)
        folder.mkdir(parents=True, exist_ok=True)
        # Each process its own file: two imports may train at once, and the
        # second rename must not find the first one's file gone.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh)
        tmp.replace(path)
    _MODELS[key] = model
    MODEL_FILES[model] = path
    return model


def default_model() -> Classifier:
    """The merge classifier trained on the shipped gold names (cached under var/models)."""
    return shipped_model()
