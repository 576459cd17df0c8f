"""Scoring cluster pairs with the merge classifier: a bagged model asked
model by model, its trees walked with numpy for small batches, and compiled
trees (``compiled.py``) for large ones, every way the same floats."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit


class Classifier(Protocol):
    def predict_proba(self, x: Any) -> Any: ...


class Predictor(Protocol):
    """Probabilities of one model by another route (``compiled.Compiled``)."""

    def probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]: ...


# Each model's compiled trees, once ``compiled.use_compiled`` has loaded them.
COMPILED: weakref.WeakKeyDictionary[Any, Predictor] = weakref.WeakKeyDictionary()


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
    compiled = COMPILED.get(model)
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
