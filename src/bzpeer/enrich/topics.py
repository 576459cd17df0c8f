"""Topics for works no source labelled: a classifier trained on the labelled ones.

The model is multinomial naive Bayes over the words of title and abstract,
one per taxonomy (arXiv categories; OpenAlex fields), trained on the works
whose records state a topic of that taxonomy. It is small, has no dependency,
trains on the 143k astro-ph listings in seconds, and its accuracy on held-out
labelled works is measured (docs/quality.md); a heavier model (TF-IDF and a
linear model, or sentence embeddings) would have to beat it there to earn
its install size.

Scoring is sparse: a work's score for a class is the class's prior plus, for
each word, the class's default log-probability, corrected only for the classes
that have seen the word, so prediction costs words x classes-per-word, not
words x classes.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from unidecode import unidecode

_WORD = re.compile(r"[a-z][a-z0-9]{2,}")
_STOP_TEXT = """
the and for with from that this these those are was were has have had not but
can its our their which using based via into over under between within than then
them they also such both each other more most much many some any all may might
will would could should been being however here there where when what who whom
whose how why new show shows shown paper study present propose proposed approach
method methods results result use used two one three first second find found our
we
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
ALPHA = 0.1  # additive smoothing
MIN_CLASS = 5  # a class needs this many labelled works to be learned


def words(text: str) -> list[str]:
    if not text.isascii():
        text = unidecode(text)
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


@dataclass
class Model:
    classes: list[str]
    prior: list[float]  # log P(class)
    default: list[float]  # log P(unseen word | class)
    weights: dict[str, list[tuple[int, float]]]  # word -> (class, log P - default)

    def scores(self, tokens: Iterable[str]) -> list[float]:
        counts = Counter(tokens)
        total = sum(counts.values())
        out = [p + d * total for p, d in zip(self.prior, self.default, strict=True)]
        for word, n in counts.items():
            for cls, delta in self.weights.get(word, ()):
                out[cls] += n * delta
        return out

    def predict(self, tokens: Iterable[str]) -> tuple[str, float] | None:
        """The most likely class and its posterior probability."""
        scores = self.scores(tokens)
        if not scores:
            return None
        best = max(range(len(scores)), key=scores.__getitem__)
        top = scores[best]
        norm = sum(math.exp(s - top) for s in scores)
        return self.classes[best], 1.0 / norm


def train(examples: Iterable[tuple[list[str], str]]) -> Model:
    """Multinomial naive Bayes from (words, label) pairs."""
    word_counts: dict[str, Counter[str]] = defaultdict(Counter)
    docs: Counter[str] = Counter()
    for tokens, label in examples:
        docs[label] += 1
        word_counts[label].update(tokens)
    classes = sorted(c for c, n in docs.items() if n >= MIN_CLASS)
    vocabulary = {w for c in classes for w in word_counts[c]}
    size = len(vocabulary) or 1
    total_docs = sum(docs[c] for c in classes) or 1
    prior, default = [], []
    weights: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, cls in enumerate(classes):
        counts = word_counts[cls]
        denominator = sum(counts.values()) + ALPHA * size
        base = math.log(ALPHA / denominator)
        prior.append(math.log(docs[cls] / total_docs))
        default.append(base)
        for word, n in counts.items():
            weights[word].append((index, math.log((n + ALPHA) / denominator) - base))
    return Model(classes, prior, default, dict(weights))

