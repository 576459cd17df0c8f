"""Where a work sits in OpenAlex's taxonomy, shown only when likely right.

The model is a logistic regression over TF-IDF of the words of title,
abstract and venue name; its classes are targets (an OpenAlex subfield, or a
field where the label says no more, see ``catalog.openalex_fields``). A
field's probability is the sum of its classes'. Unlike naive Bayes, whose
posteriors are near 0 or 1 whatever the evidence, a regularised logistic
regression's probabilities are close to calibrated, so one threshold per
level can be chosen on held-out labelled works for a precision target
(``choose_thresholds``).

A probability says which class is likeliest among those the model knows,
not whether the work belongs to any of them: a surgery paper scored against
astrophysics and machine learning still gets a "likeliest" class. So the
model also abstains when a work is far from every training example: too few
of its words are in the model's vocabulary, or its TF-IDF vector is far from
every class's centroid. Both limits are set so that 95 % of held-out
labelled works pass.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bzpeer.catalog.openalex_fields import field_of

MIN_CLASS = 5  # a target needs this many labelled works to be learned
PRECISION = 0.9  # what a shown topic must reach on held-out labelled works
MIN_SHOWN = 10  # a threshold is chosen from at least this many held-out guesses
IN_DOMAIN = 5  # percentile of held-out works' similarity and known share: below it, abstain


@dataclass(frozen=True)
class Guess:
    target: int  # the likeliest class
    target_p: float
    field: int  # the likeliest field
    field_p: float
    similarity: float  # cosine to the nearest class centroid
    known: float  # share of the work's words in the model's vocabulary


@dataclass(frozen=True)
class Thresholds:
    subfield: float
    field: float
    similarity: float
    known: float


# Limits no guess reaches: the model shows nothing.
SHOW_NOTHING = Thresholds(1.01, 1.01, 1.0, 1.0)


@dataclass
class Classifier:
    vectorizer: TfidfVectorizer
    model: LogisticRegression
    classes: list[int]
    centroids: np.ndarray  # classes x features, unit rows

    def guesses(self, docs: Sequence[list[str]]) -> list[Guess]:
        if not docs:
            return []
        matrix = self.vectorizer.transform(docs)
        probs = self.model.predict_proba(matrix)
        sims = np.asarray(matrix @ self.centroids.T).max(axis=1) if self.centroids.size else None
        vocabulary = self.vectorizer.vocabulary_
        fields = sorted({field_of(c) for c in self.classes})
        members = np.zeros((len(self.classes), len(fields)))
        for i, cls in enumerate(self.classes):
            members[i, fields.index(field_of(cls))] = 1.0
        field_probs = probs @ members
        out = []
        for row, doc in enumerate(docs):
            best = int(probs[row].argmax())
            best_field = int(field_probs[row].argmax())
            known = sum(1 for w in doc if w in vocabulary) / len(doc) if doc else 0.0
            out.append(
                Guess(
                    target=self.classes[best],
                    target_p=float(probs[row, best]),
                    field=fields[best_field],
                    field_p=float(field_probs[row, best_field]),
                    similarity=float(sims[row]) if sims is not None else 0.0,
                    known=known,
                )
            )
        return out


def _same(tokens: list[str]) -> list[str]:
    return tokens


def train(docs: Sequence[list[str]], labels: Sequence[int]) -> Classifier | None:
    """A classifier over the targets with at least ``MIN_CLASS`` works; None
    when fewer than two such targets exist."""
    counts: dict[int, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    keep = [i for i, label in enumerate(labels) if counts[label] >= MIN_CLASS]
    classes = sorted({labels[i] for i in keep})
    if len(classes) < 2:
        return None
    vectorizer = TfidfVectorizer(analyzer=_same, min_df=2, sublinear_tf=True, dtype=np.float32)
    matrix = vectorizer.fit_transform([docs[i] for i in keep])
    y = np.array([labels[i] for i in keep])
    model = LogisticRegression(C=4.0, max_iter=300, class_weight="balanced")
    with warnings.catch_warnings():
        # 300 iterations bound the time on a large catalog (a million
        # labelled works stop short of convergence); the thresholds are
        # measured on held-out works whatever the fit, so an early stop shows
        # as measured precision, not as a warning on the operator's screen.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(matrix, y)
    centroids = np.zeros((len(classes), matrix.shape[1]), dtype=np.float32)
    for index, cls in enumerate(classes):
        rows = matrix[np.flatnonzero(y == cls)]
        centre = np.asarray(sparse.csr_matrix(rows).mean(axis=0)).ravel()
        norm = float(np.linalg.norm(centre))
        centroids[index] = centre / norm if norm else centre
    return Classifier(vectorizer, model, [int(c) for c in model.classes_], centroids)


def decide(guess: Guess, limits: Thresholds) -> tuple[int, float] | None:
    """The topic to show for a guess, and its probability: the subfield when
    that is sure enough, else the field when that is, else nothing; nothing
    either for a work far from every training example."""
    if guess.similarity < limits.similarity or guess.known < limits.known:
        return None
    if guess.target >= 100 and guess.target_p >= limits.subfield:
        return guess.target, guess.target_p
    if guess.field_p >= limits.field:
        return guess.field, guess.field_p
    return None


def _lowest(scored: list[tuple[float, bool]], precision: float) -> float:
    """The lowest probability at which the guesses at or above it are right
    at least ``precision`` of the time (and number ``MIN_SHOWN`` or more);
    above 1 (show nothing) when none is."""
    scored = sorted(scored, reverse=True)
    best = 1.01
    right = 0
    for n, (p, ok) in enumerate(scored, 1):
        right += ok
        if n >= MIN_SHOWN and right / n >= precision and (n == len(scored) or scored[n][0] < p):
            best = p
    return best


def choose_thresholds(
    guesses: Sequence[Guess],
    labels: Sequence[int],
    groups: Sequence[str] | None = None,
    precision: float = PRECISION,
) -> Thresholds:
    """Limits chosen on held-out labelled works: similarity and known share at
    their ``IN_DOMAIN`` percentile; the field and subfield probabilities at
    the lowest value that keeps precision at ``precision`` in every group of
    works (``groups``: where each work's label came from, so that the many
    arXiv works do not hide the model's errors on the few journal papers)
    with at least ``MIN_SHOWN`` works."""
    if not guesses:
        return SHOW_NOTHING
    similarity = float(np.percentile([g.similarity for g in guesses], IN_DOMAIN))
    known = float(np.percentile([g.known for g in guesses], IN_DOMAIN))
    keys = list(groups) if groups is not None else [""] * len(guesses)
    field, subfield = 0.0, 0.0
    for group in sorted(set(keys)):
        inside = [
            (g, label)
            for g, label, key in zip(guesses, labels, keys, strict=True)
            if key == group and g.similarity >= similarity and g.known >= known
        ]
        if len(inside) < MIN_SHOWN:
            continue
        fields = [(g.field_p, g.field == field_of(label)) for g, label in inside]
        subs = [(g.target_p, g.target == label) for g, label in inside if g.target >= 100]
        field = max(field, _lowest(fields, precision))
        subfield = max(subfield, _lowest(subs, precision) if len(subs) >= MIN_SHOWN else 0.0)
    return Thresholds(subfield=subfield, field=field, similarity=similarity, known=known)
