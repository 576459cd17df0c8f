"""One name block's papers for the learned stage: their words, how common the
block's name is, and paper-to-paper TF-IDF cosines of titles, venues and
affiliations."""

from __future__ import annotations

import gzip
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from unidecode import unidecode

from bzpeer.catalog.names import PersonName
from bzpeer.resolve.mentions import MentionRecord

TRAINING_DIR = Path(__file__).with_name("training")
DENSE_CELLS = 10_000  # papers x words up to which a block's vectors are a dense array
NAME_COUNTS = TRAINING_DIR / "name_counts.tsv.gz"

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
