"""What the affiliation matcher and its re-ranker share: normalised names,
the institutions and candidates they pass around, how a candidate was found."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from unidecode import unidecode

_ABBREVIATIONS = {
    "univ": "university",
    "universite": "university",
    "universitat": "university",
    "universita": "university",
    "universidad": "university",
    "universidade": "university",
    "inst": "institute",
    "dept": "department",
    "dep": "department",
    "natl": "national",
    "hosp": "hospital",
    "lab": "laboratory",
    "labs": "laboratories",
    "sch": "school",
    "coll": "college",
    "ctr": "center",
    "centre": "center",
    "tech": "technology",
    "acad": "academy",
    "sci": "sciences",
    "st": "saint",
}
_NOISE = {"the", "of", "and", "at", "de", "la", "di", "del", "der", "fur", "und", "for", "in"}
_NOISE |= {"du", "des", "le", "les", "da", "do", "dos", "degli", "della", "e", "y", "et", "d", "l"}
# How a candidate was found; ``affiliation_rank`` weighs each.
EXACT, PAIR, ACRONYM, ACRONYM_WORD = "exact", "pair", "acronym", "acronym_word"
ENDING, STARTING, WITHIN, AROUND, FUZZY = "ending", "starting", "within", "around", "fuzzy"
SHUFFLED, JOINED = "shuffled", "joined"


def normalise(text: str) -> str:
    """ASCII, lower case, abbreviations spelled out, punctuation and filler gone."""
    if not text.isascii():
        text = unidecode(text)
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words if w not in _NOISE)


@dataclass(frozen=True, slots=True)
class Org:
    """An institution as the matcher sees it."""

    id: int
    ror: str
    name: str
    country: str = ""
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    city: str = ""
    types: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()  # ROR ids of the records this one is part of
    children: int = 0  # how many records are part of this one


def with_children(orgs: Iterable[Org]) -> list[Org]:
    """The records, each with ``children``: how many of them name it a parent."""
    listed = list(orgs)
    children = Counter(parent for org in listed for parent in org.parents)
    return [replace(org, children=children[org.ror]) for org in listed]


@dataclass(frozen=True, slots=True)
class Match:
    org: Org
    confidence: float
    evidence: str


@dataclass
class Candidate:
    """One institution a piece of an affiliation may name."""

    org: Org
    how: str
    strength: float  # 1 for an exact name; a fuzzy ratio; 1/n for one of n names around
    position: float  # 0 for the first part of the affiliation, 1 for the last
    piece: str
    ambiguity: int = 1  # records sharing the matched name
    name_share: float = 1.0  # how much of the part the matched name covers
    name: str = ""  # the normalised name matched, when the part holds it whole


@dataclass
class Affiliation:
    """One affiliation of a raw string: its text, country and candidates."""

    text: str
    countries: frozenset[str]  # what the string names; empty when it names none
    candidates: list[Candidate]
