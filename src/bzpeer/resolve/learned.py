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
- years: the gap between the clusters' year spans and between their medians;
- sizes, and the share of papers without any co-author.

It then merges, round after round, the pairs whose probability is at least
``MERGE_AT`` (best first, each cluster at most once per round), rescoring the
clusters that changed. Every merge goes through the block's union-find, so
given names, ORCID iDs and corrections still veto it.

The classifier is trained on the gold data shipped in ``training/`` (108
ambiguous AMiner names) and cached under ``var/models``; a fresh clone
retrains it in seconds. Evaluation never scores a name it trained on
(``evaluate.py`` holds those names out).
"""

from __future__ import annotations

import hashlib
import math
import pickle
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from unidecode import unidecode

if TYPE_CHECKING:
    from bzpeer.resolve.authors import MentionRecord, _Clusters

FEATURES_VERSION = 1
MERGE_AT = 0.85  # chosen by 5-fold cross-validation by name on the training names
ALL_PAIRS = 250  # above this many clusters, only pairs that share some evidence are scored
TRAINING_DIR = Path(__file__).with_name("training")

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
    return [w for w in _WORD.findall(unidecode(text).lower()) if len(w) > 1 and w not in _STOP]


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for suffix in ("ing", "ions", "ion", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


class Classifier(Protocol):
    def predict_proba(self, x: Any) -> Any: ...


Vector = dict[str, float]


def _idf(docs: Iterable[Iterable[str]], n: int) -> dict[str, float]:
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    return {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}


def _unit(counts: dict[str, float]) -> Vector:
    norm = math.sqrt(sum(x * x for x in counts.values())) or 1.0
    return {w: x / norm for w, x in counts.items()}


def _vector(tokens: Sequence[str], idf: dict[str, float]) -> Vector:
    return _unit({w: (1 + math.log(k)) * idf.get(w, 0.0) for w, k in Counter(tokens).items()})


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def _centroid(vectors: Iterable[Vector]) -> Vector:
    acc: dict[str, float] = defaultdict(float)
    for v in vectors:
        for w, x in v.items():
            acc[w] += x
    return _unit(acc)


@dataclass(slots=True)
class _Paper:
    """What one mention contributes to its cluster's profile."""

    coauthors: frozenset[str]
    keys: frozenset[str]
    venue: str
    title: Vector
    venue_words: Vector
    affiliation: Vector
    affiliation_text: str
    year: int | None


@dataclass(slots=True)
class _Profile:
    members: list[int]
    coauthors: Counter[str]
    keys: set[str]
    venues: Counter[str]
    title: Vector
    venue_words: Vector
    affiliation: Vector
    affiliations: set[str]
    first: int | None
    last: int | None
    median: int | None
    without_coauthors: int


class Block:
    """One name block's papers, with the IDF weights of the block."""

    def __init__(self, mentions: Sequence[MentionRecord]) -> None:
        n = len(mentions)
        titles = [[_stem(w) for w in words(m.title)] for m in mentions]
        venues = [words(m.venue) for m in mentions]
        orgs = [words(m.affiliation) for m in mentions]
        self.coauthor_idf = _idf((m.coauthors for m in mentions), n)
        title_idf, venue_idf, org_idf = _idf(titles, n), _idf(venues, n), _idf(orgs, n)
        self.papers = [
            _Paper(
                coauthors=frozenset(m.coauthors),
                keys=frozenset(m.coauthor_keys),
                venue=" ".join(v),
                title=_vector(t, title_idf),
                venue_words=_vector(v, venue_idf),
                affiliation=_vector(o, org_idf),
                affiliation_text=" ".join(o),
                year=m.year,
            )
            for m, t, v, o in zip(mentions, titles, venues, orgs, strict=True)
        ]
        # Rare title words (in at most a tenth of the block) find candidate pairs.
        self.rare = {w for w, x in title_idf.items() if x >= math.log((n + 1) / (n / 10 + 0.5))}

    def profile(self, members: list[int]) -> _Profile:
        papers = [self.papers[i] for i in members]
        years = sorted(p.year for p in papers if p.year)
        return _Profile(
            members=members,
            coauthors=Counter(c for p in papers for c in p.coauthors),
            keys={k for p in papers for k in p.keys},
            venues=Counter(p.venue for p in papers if p.venue),
            title=_centroid(p.title for p in papers),
            venue_words=_centroid(p.venue_words for p in papers),
            affiliation=_centroid(p.affiliation for p in papers),
            affiliations={p.affiliation_text for p in papers if p.affiliation_text},
            first=years[0] if years else None,
            last=years[-1] if years else None,
            median=years[len(years) // 2] if years else None,
            without_coauthors=sum(1 for p in papers if not p.coauthors),
        )

    def features(self, a: _Profile, b: _Profile) -> list[float]:
        shared = a.coauthors.keys() & b.coauthors.keys()
        union = len(a.coauthors.keys() | b.coauthors.keys())
        share_b = _venue_share(b.venues, a.venues)
        share_a = _venue_share(a.venues, b.venues)
        year_gap = median_gap = -1.0
        if a.first is not None and b.first is not None and a.last and b.last:
            year_gap = float(max(0, max(a.first, b.first) - min(a.last, b.last)))
        if a.median and b.median:
            median_gap = float(abs(a.median - b.median))
        size_a, size_b = len(a.members), len(b.members)
        return [
            float(len(shared)),
            sum(self.coauthor_idf.get(c, 0.0) for c in shared),
            len(shared) / union if union else 0.0,
            float(len(a.keys & b.keys)),
            max(share_a, share_b),
            min(share_a, share_b),
            _cosine(a.venue_words, b.venue_words),
            _cosine(a.title, b.title),
            _cosine(a.affiliation, b.affiliation),
            float(bool(a.affiliations & b.affiliations)),
            year_gap,
            median_gap,
            float(min(size_a, size_b)),
            float(max(size_a, size_b)),
            (a.without_coauthors + b.without_coauthors) / (size_a + size_b),
        ]

    def candidates(self, profiles: dict[int, _Profile]) -> list[tuple[int, int]]:
        """Pairs of clusters worth scoring: all of them, or those sharing some evidence."""
        roots = sorted(profiles)
        if len(roots) <= ALL_PAIRS:
            return [(a, b) for i, a in enumerate(roots) for b in roots[i + 1 :]]
        index: dict[str, list[int]] = defaultdict(list)
        for root in roots:
            profile = profiles[root]
            tokens = {"k" + k for k in profile.keys}
            tokens |= {"v" + v for v in profile.venues}
            tokens |= {"o" + o for o in profile.affiliations}
            tokens |= {"t" + w for i in profile.members for w in self.papers[i].title}
            for token in tokens:
                if token[0] != "t" or token[1:] in self.rare:
                    index[token].append(root)
        pairs = {
            (a, b)
            for members in index.values()
            for i, a in enumerate(members)
            for b in members[i + 1 :]
        }
        return sorted(pairs)


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


def _venue_share(of: Counter[str], within: Counter[str]) -> float:
    total = sum(of.values())
    return sum(c for v, c in of.items() if v in within) / total if total else 0.0


def initial_profiles(block: Block, roots: Sequence[int]) -> dict[int, _Profile]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i, root in enumerate(roots):
        groups[root].append(i)
    return {root: block.profile(members) for root, members in groups.items()}


class _Merger:
    """One block's merging, a round at a time; the scoring is batched across blocks."""

    def __init__(self, mentions: Sequence[MentionRecord], uf: _Clusters) -> None:
        self.uf = uf
        self.block = Block(mentions)
        self.profiles = initial_profiles(self.block, [uf.find(i) for i in range(len(mentions))])
        self.scores: dict[tuple[int, int], float] = {}
        self.refused: set[tuple[int, int]] = set()
        self.fresh = list(self.block.candidates(self.profiles))
        self.merges = 0

    def rows(self) -> list[list[float]]:
        return [self.block.features(self.profiles[a], self.profiles[b]) for a, b in self.fresh]

    def step(self, probabilities: Sequence[float], threshold: float) -> bool:
        """Take the fresh pairs' scores, merge the best pairs; False when nothing merged."""
        self.scores.update(zip(self.fresh, probabilities, strict=True))
        uf, profiles = self.uf, self.profiles
        touched: set[int] = set()
        for (a, b), p in sorted(self.scores.items(), key=lambda kv: (-kv[1], kv[0])):
            if p < threshold:
                break
            if a in touched or b in touched:
                continue
            if not _initials_agree(uf, a, b) or not uf.union(a, b, checked=True):
                self.refused.add((a, b))  # names, ORCID iDs or a correction say no
                continue
            touched |= {a, b}
            root = uf.find(a)
            members = profiles.pop(a).members + profiles.pop(b).members
            profiles[root] = self.block.profile(sorted(members))
            self.merges += 1
        if not touched:
            self.fresh = []
            return False
        # Pairs with a changed cluster are scored again; refused ones never are.
        self.scores = {
            k: v for k, v in self.scores.items() if not touched & set(k) and k not in self.refused
        }
        changed = {uf.find(t) for t in touched} & profiles.keys()
        self.fresh = [
            (min(c, o), max(c, o))
            for c in sorted(changed)
            for o in sorted(profiles)
            if o != c and (o not in changed or c < o) and (min(c, o), max(c, o)) not in self.refused
        ]
        if len(profiles) > ALL_PAIRS:
            allowed = set(self.block.candidates(profiles))
            self.fresh = [pair for pair in self.fresh if pair in allowed]
        return True


def merge_blocks(
    blocks: Sequence[tuple[Sequence[MentionRecord], _Clusters]],
    model: Classifier,
    threshold: float | None = None,
) -> int:
    """Merge the rule clusters of many blocks that the model scores as one person.

    Each round scores the fresh pairs of every block in one call: the
    classifier costs about 1.4 ms a call whatever the batch, which per block
    was 95 % of the time on the arXiv listings.
    """
    threshold = MERGE_AT if threshold is None else threshold
    active = [
        _Merger(mentions, uf)
        for mentions, uf in blocks
        if len({uf.find(i) for i in range(len(mentions))}) > 1
    ]
    merges = 0
    while active:
        rows: list[list[float]] = []
        for merger in active:
            rows += merger.rows()
        probabilities = [float(p[1]) for p in model.predict_proba(rows)] if rows else []
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
    """Every candidate pair of rule clusters of one block, labelled by majority gold person."""
    block = Block(mentions)
    profiles = initial_profiles(block, roots)
    major = {
        root: Counter(labels[i] for i in p.members).most_common(1)[0][0]
        for root, p in profiles.items()
    }
    rows, same = [], []
    for a, b in block.candidates(profiles):
        rows.append(block.features(profiles[a], profiles[b]))
        same.append(major[a] == major[b])
    return rows, same


def fit(blocks: Iterable[tuple[list[list[float]], list[bool]]]) -> Classifier:
    """A gradient-boosted classifier; each block weighs about as much as the others."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    x: list[list[float]] = []
    y: list[bool] = []
    w: list[float] = []
    for rows, same in blocks:
        if rows:
            x += rows
            y += same
            w += [1.0 / math.sqrt(len(rows))] * len(rows)
    model = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.08, max_leaf_nodes=31, early_stopping=False, random_state=0
    )
    model.fit(np.asarray(x, dtype=np.float64), np.asarray(y), sample_weight=np.asarray(w))
    return model


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
    for file in training_files():
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
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh)
        tmp.replace(path)
    _MODELS[key] = model
    return model
