"""Which of an affiliation's candidate institutions it names: a logistic model.

Every candidate the index finds for one affiliation ("Perelman School of
Medicine, University of Pennsylvania" gives both records) is described by
how it was found (an exact name, an acronym, a name ending the part ...),
where in the string (the institution a department belongs to comes last),
whether the string's country and city agree, how many records share the
name, and the registry's parent/child links between the candidates (the
school is part of the university). The weights are learned from hand- and
publisher-labelled strings (``bench/affiliation_model.py``: S2AFF train and
Crossref train) and ship as ``data/affiliation-weights.json``.

Per affiliation the best candidate is kept when its probability reaches
``MIN_SCORE``, and any other whose probability reaches the shipped
``extra`` threshold (a string naming a laboratory and its university names
both).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import orjson

from .affiliation_names import (
    ACRONYM,
    ACRONYM_WORD,
    AROUND,
    ENDING,
    EXACT,
    FUZZY,
    JOINED,
    PAIR,
    SHUFFLED,
    STARTING,
    WITHIN,
    Affiliation,
    Candidate,
    Match,
    normalise,
)

WEIGHTS = Path(__file__).with_name("data") / "affiliation-weights.json"
MIN_SCORE = 0.3
MIN_SECOND = 0.1
WHOLE_PART = (EXACT, PAIR, SHUFFLED, ACRONYM)
TYPES = ("education", "healthcare", "facility", "company", "government", "nonprofit", "funder")
HOWS: tuple[str, ...] = (EXACT, PAIR, JOINED, SHUFFLED, ACRONYM, ACRONYM_WORD)
HOWS += (ENDING, STARTING, WITHIN, AROUND, FUZZY)
FEATURES = (
    "bias",
    *(f"how_{h}" for h in HOWS),
    "strength",
    "name_share",
    "position",
    "last_candidate",
    "country_agrees",
    "no_country",
    "city_named",
    "unique_name",
    "parent_of_candidate",
    "child_of_candidate",
    "parent_named_later",
    "has_parent",
    "log_children",
    "most_children_of_namesakes",
    "candidates",
    "institution_word",
    "inside_longer_name",
    *(f"type_{t}" for t in TYPES),
)
# Words that make a part an institution's name rather than a place's.
# fmt: off
_INSTITUTION_WORDS = frozenset((
    "university", "college", "institute", "school", "hospital", "center", "academy",
    "laboratory", "laboratories", "foundation", "museum", "council", "agency", "ministry",
    "society", "observatory", "clinic", "company", "corporation", "inc", "ltd", "gmbh",
    "universite", "universitat", "universita", "universidad", "universidade", "universiteit",
    "institut", "instituto", "istituto", "hochschule", "hopital", "ospedale", "klinikum",
    "centro", "centrum", "polytechnic", "politecnico", "research", "organisation",
    "organization", "group",
))
# fmt: on


def features(affiliation: Affiliation) -> list[list[float]]:
    """One row of ``FEATURES`` per candidate of the affiliation."""
    cands = affiliation.candidates
    rors = {c.org.ror: c for c in cands}
    text = f" {normalise(affiliation.text)} "
    last = max(c.position for c in cands)
    namesakes: dict[str, int] = {}
    for c in cands:
        namesakes[c.piece] = max(namesakes.get(c.piece, 0), c.org.children)
    rows = []
    for c in cands:
        org = c.org
        parents_here = [rors[p] for p in org.parents if p in rors]
        city = normalise(org.city) if org.city else ""
        types = {t.lower() for t in org.types}
        row = [
            1.0,
            *(float(c.how == h) for h in HOWS),
            c.strength,
            min(c.name_share, 1.0),
            c.position,
            float(c.position == last),
            float(org.country in affiliation.countries),
            float(not affiliation.countries),
            float(bool(city) and f" {city} " in text),
            1.0 / c.ambiguity,
            float(any(org.ror in other.org.parents for other in cands)),
            float(bool(parents_here)),
            float(any(p.position > c.position for p in parents_here)),
            float(bool(org.parents)),
            math.log1p(org.children),
            float(org.children >= namesakes[c.piece]),
            math.log(len(cands)),
            float(not _INSTITUTION_WORDS.isdisjoint(normalise(c.piece).split())),
            float(_shadowed(c, cands)),
            *(float(t in types) for t in TYPES),
        ]
        rows.append(row)
    return rows


@lru_cache(maxsize=1)
def _weights() -> tuple[list[float], float]:
    data = orjson.loads(WEIGHTS.read_bytes())
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{WEIGHTS.name} was learned for other features: rerun the bench")
    return [float(w) for w in data["coef"]], float(data["extra"])


def score(row: list[float]) -> float:
    coef, _ = _weights()
    z = sum(w * x for w, x in zip(coef, row, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def choose(affiliation: Affiliation) -> list[Match]:
    """The institutions one affiliation names: the best candidate, and any
    other scoring at least the learned ``extra`` threshold."""
    if not affiliation.candidates:
        return []
    _, extra = _weights()
    scored = sorted(
        zip(map(score, features(affiliation)), affiliation.candidates, strict=True),
        key=lambda pair: -pair[0],
    )
    out: list[Match] = []
    kept: list[Candidate] = []
    for rank, (p, cand) in enumerate(scored):
        if rank == 0:
            if p < MIN_SCORE:
                return []
        elif _shadowed(cand, affiliation.candidates) or (
            p < extra and not (p >= MIN_SECOND and _another(cand, kept))
        ):
            continue
        kept.append(cand)
        out.append(Match(cand.org, round(p, 4), _evidence(cand)))
    return out


def _shadowed(c: Candidate, cands: list[Candidate]) -> bool:
    """The name matched is part of a longer one matched: "University of
    California" in "University of California, Berkeley"."""
    return bool(c.name) and any(
        o.name != c.name and f" {c.name} " in f" {o.name} " for o in cands if o.name
    )


def _another(cand: Candidate, kept: list[Candidate]) -> bool:
    """A second institution the affiliation names in a part of its own, by
    an unshared name, neither part of nor holding one already kept ("Institute
    of Chemistry, University of Graz, NAWI Graz")."""
    return (
        cand.how in WHOLE_PART
        and cand.ambiguity == 1
        and all(
            k.piece != cand.piece
            and k.org.ror not in cand.org.parents
            and cand.org.ror not in k.org.parents
            for k in kept
        )
    )


def _evidence(c: Candidate) -> str:
    piece = " ".join(c.piece.split())[:80]
    return f"{c.how} {piece!r}"
