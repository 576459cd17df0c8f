"""Learn the affiliation re-ranker's weights, and measure the matcher on every
affiliation gold set of the shared data.

    .venv/bin/python bench/affiliation_model.py train   # resolve/data/affiliation-weights.json
    .venv/bin/python bench/affiliation_model.py table   # the docs/quality.md table

Training reads S2AFF's train split and the Crossref 2023 train split; the
table scores the sets left out of training (and, marked, the training ones).
Both use the registry the project ships.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from common import HERE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")

GOLD = HERE.parent.parent / "shared/data/affiliation-gold"
X = GOLD / "ror-affiliation-matching-experimental/test_data"
CROSSREF = (
    X
    / "Crossref_publisher_assertions"
    / ("20230628_Crossref_publisher_asserted_affiliation_string_ROR_IDs")
)
EL = GOLD / "affilgood/data/entity linking"
S2AFF = GOLD / "s2aff-gold/gold_affiliation_annotations.csv"
ROR = HERE.parent.parent / "shared/data/ror/ror-api-affiliation-gold"

TRAIN = [(f"{CROSSREF}_train.csv", None), (str(S2AFF), "train")]
SETS = {
    "Crossref 2023 publisher assertions, test": (f"{CROSSREF}_test.csv", None),
    "S2AFF test": (str(S2AFF), "test"),
    "S2AFF val": (str(S2AFF), "val"),
    "ROR Springer Nature 2023-10-31": (str(X / "Springer/20231031_springer_nature.csv"), None),
    "ROR Springer (ror-api sample)": (
        str(ROR / "dataset_affiliations_springer_2023_10_31.json"),
        None,
    ),
    "ROR names (ror-api)": (str(ROR / "dataset_names.json"), None),
    "ROR affiliation logs, test": (
        str(X / "Logs/20230903_affiliation_matching_logs_test.csv"),
        None,
    ),
    "ROR affiliation logs, train": (
        str(X / "Logs/20230903_affiliation_matching_logs_train.csv"),
        None,
    ),
    "AffilGood CORDIS": (str(EL / "CORDIS.csv"), None),
    "AffilGood ETER English": (str(EL / "ETER English.csv"), None),
    "AffilGood ETER multilingual": (str(EL / "ETER multilingual.csv"), None),
    "AffilGood French": (str(EL / "French affiliations.csv"), None),
    "AffilGood mixed (S2AFF*)": (str(EL / "Mixed affiliations (S2AFF*).csv"), None),
    "AffilGood multilingual": (str(EL / "Multilingual affiliations.csv"), None),
    "AffilGood non-related multi-org": (str(EL / "Non-related multi-organizations.csv"), None),
    "(train) Crossref 2023, train": (f"{CROSSREF}_train.csv", None),
    "(train) S2AFF train": (str(S2AFF), "train"),
}


def train() -> None:
    import numpy as np
    import orjson
    from sklearn.linear_model import LogisticRegression

    from bzpeer.evaluation.affiliations import load_gold
    from bzpeer.resolve.affiliation_rank import FEATURES, WEIGHTS, features
    from bzpeer.resolve.ror_registry import shipped_index

    index = shipped_index()
    rows: list[list[float]] = []
    labels: list[int] = []
    groups: list[tuple[int, list[int], frozenset[str]]] = []  # (string, row ids, gold)
    for number, (path, split) in enumerate(TRAIN):
        for text, ids in load_gold(path, split):
            if ids and not ids <= index.by_ror.keys():
                continue  # the gold institution is not in the registry: nothing to learn
            for affiliation in index.read(text):
                start = len(rows)
                rows += features(affiliation)
                labels += [int(c.org.ror in ids) for c in affiliation.candidates]
                groups.append((number, list(range(start, len(rows))), ids))
    x, y = np.array(rows), np.array(labels)
    model = LogisticRegression(C=1.0, max_iter=5000, fit_intercept=False)
    model.fit(x, y)
    p = model.predict_proba(x)[:, 1]
    # The threshold for a second institution of one affiliation: the best F1
    # on the S2AFF strings (hand-labelled, several institutions each).
    best = (0.0, 0.5)
    for extra in np.arange(0.3, 0.96, 0.05):
        tp = fp = fn = 0
        for number, ids_rows, _ in groups:
            if number != 1:
                continue
            order = sorted(ids_rows, key=lambda i: -p[i])
            chosen = [order[0]] + [i for i in order[1:] if p[i] >= extra]
            hit = sum(y[i] for i in chosen)
            tp += hit
            fp += len(chosen) - hit
            fn += max(0, sum(y[i] for i in ids_rows) - hit)
        f1 = 2 * tp / max(1, 2 * tp + fp + fn)
        best = max(best, (f1, float(extra)))
    WEIGHTS.write_bytes(
        orjson.dumps(
            {
                "features": list(FEATURES),
                "coef": [round(float(w), 5) for w in model.coef_[0]],
                "extra": round(best[1], 2),
                "trained_on": [f"{Path(p).name}{' ' + s if s else ''}" for p, s in TRAIN],
                "candidates": len(rows),
                "positives": int(y.sum()),
            },
            option=orjson.OPT_INDENT_2,
        )
        + b"\n"
    )
    for name, w in zip(FEATURES, model.coef_[0], strict=True):
        print(f"{name:28s} {w:+.3f}")
    print(f"{len(rows):,} candidates, {int(y.sum()):,} right; extra threshold {best[1]:.2f}")


def table(names: list[str]) -> None:
    from bzpeer.evaluation.affiliations import load_gold, score_gold
    from bzpeer.resolve.ror_registry import shipped_index

    index = shipped_index()
    print(
        "| gold set | strings | covered | accuracy on covered | no-id strings given none "
        "| precision | recall | seconds |"
    )
    for name, (path, split) in SETS.items():
        if names and not any(n.lower() in name.lower() for n in names):
            continue
        start = time.perf_counter()
        r = score_gold(index, load_gold(path, split), start)
        empty = f"{r.correct_empty}/{r.empty}" if r.empty else "-"
        print(
            f"| {name} | {r.strings:,} | {r.covered:,} | {r.accuracy_covered:.3f} | {empty} "
            f"| {r.precision:.3f} | {r.recall:.3f} | {r.seconds:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1:2] == ["train"]:
        train()
    else:
        table(sys.argv[2:])
