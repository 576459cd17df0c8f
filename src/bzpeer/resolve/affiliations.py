"""Raw affiliation strings -> institutions (ROR records), with a confidence.

"Department of Physics, Federal University of Lavras, Lavras, Brazil" names
its institution in one comma-separated part, and often its country in the
last. The matcher:

1. splits the string into affiliations (";") and parts (",");
2. reads the country from the parts (pycountry names and common variants);
3. looks every part (and every two adjacent parts, for "University of
   California, Berkeley") up among the registry's names, aliases, labels and
   acronyms, normalised (ASCII, lower case, "Univ." = "University", no "the");
4. failing an exact name: a registry name ending the part ("School of
   Business at the University of South Australia"), the part inside exactly
   one registry name ("Swinburne University"), or a name a few characters
   away in the same word order (rapidfuzz ratio >= 93; "University of Bonn"
   is not "Bond University");
5. keeps, per affiliation, the best match; a country that disagrees with the
   institution's rules it out, one that agrees adds confidence.

Pure functions over ``Org`` records; ``InstitutionIndex.from_catalog`` loads
them from the database.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from rapidfuzz import fuzz
from unidecode import unidecode

from bzpeer.catalog.models import Institution

_ABBREVIATIONS = {
    "univ": "university",
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
_COUNTRY_VARIANTS = {
    "usa": "US",
    "u s a": "US",
    "us": "US",
    "united states of america": "US",
    "uk": "GB",
    "u k": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "great britain": "GB",
    "p r china": "CN",
    "pr china": "CN",
    "peoples republic of china": "CN",
    "korea": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "russia": "RU",
    "iran": "IR",
    "taiwan": "TW",
    "vietnam": "VN",
    "czech republic": "CZ",
    "turkey": "TR",
    "the netherlands": "NL",
    "holland": "NL",
}
MIN_FUZZY = 93
MAX_POOL = 500  # names sharing a word more common than this are not scanned for it


def normalise(text: str) -> str:
    """ASCII, lower case, abbreviations spelled out, punctuation and filler gone."""
    if not text.isascii():
        text = unidecode(text)
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words if w not in _NOISE)


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[" ".join(re.findall(r"[a-z]+", unidecode(value).lower()))] = country.alpha_2
    names.update(_COUNTRY_VARIANTS)
    return names


def country_of(part: str) -> str | None:
    """The ISO code a part names, if it names a country ("PR China", "USA")."""
    key = " ".join(re.findall(r"[a-z]+", unidecode(part).lower()))
    return _countries().get(key)


@dataclass(frozen=True)
class Org:
    """An institution as the matcher sees it."""

    id: int
    ror: str
    name: str
    country: str = ""
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    org: Org
    confidence: float
    evidence: str


class InstitutionIndex:
    def __init__(self, orgs: Iterable[Org]) -> None:
        self.orgs: dict[int, Org] = {}
        self.names: dict[str, set[int]] = defaultdict(set)
        self.acronyms: dict[str, set[int]] = defaultdict(set)
        self.words: dict[str, set[str]] = defaultdict(set)  # word -> normalised names
        for org in orgs:
            self.orgs[org.id] = org
            for name in (org.name, *org.aliases, *org.labels):
                key = normalise(name)
                if key:
                    self.names[key].add(org.id)
                    for word in key.split():
                        self.words[word].add(key)
            for acronym in org.acronyms:
                if acronym.strip():
                    self.acronyms[acronym.strip().upper()].add(org.id)

    @classmethod
    def from_catalog(cls) -> InstitutionIndex:
        return cls(
            Org(
                i.pk,
                i.ror or "",
                i.name,
                i.country,
                tuple(i.aliases),
                tuple(i.acronyms),
                tuple(i.labels),
            )
            for i in Institution.objects.exclude(ror=None).only(
                "id", "ror", "name", "country", "aliases", "acronyms", "labels"
            )
        )

    def match(self, raw: str) -> list[Match]:
        """The institutions a raw affiliation string names, best first, one per
        affiliation (split on ";")."""
        out: dict[int, Match] = {}
        for affiliation in raw.split(";"):
            found = self._one(affiliation)
            if found and (
                found.org.id not in out or out[found.org.id].confidence < found.confidence
            ):
                out[found.org.id] = found
        return sorted(out.values(), key=lambda m: -m.confidence)

    def _one(self, affiliation: str) -> Match | None:
        parts = [p.strip() for p in re.split(r",|\n|\s[-\u2013\u2014]\s|\u2014", affiliation)]
        parts = [p for p in parts if p]
        if not parts:
            return None
        country = next((c for c in map(country_of, reversed(parts)) if c), None)
        # Two adjacent parts name one institution only exactly ("University of
        # California, Berkeley"); the looser rules read one part at a time.
        candidates = [(p, False) for p in parts]
        candidates += [(f"{a} {b}", True) for a, b in itertools.pairwise(parts)]
        best: Match | None = None
        for part, exact_only in candidates:
            for found in self._part(part, exact_only):
                if country and found.org.country and found.org.country != country:
                    continue
                bonus = 0.04 if country and found.org.country == country else 0.0
                scored = Match(found.org, min(1.0, found.confidence + bonus), found.evidence)
                if best is None or scored.confidence > best.confidence:
                    best = scored
        return best

    def _part(self, part: str, exact_only: bool = False) -> list[Match]:
        key = normalise(part)
        if not key:
            return []
        exact = self.names.get(key)
        if exact:
            return [Match(self.orgs[i], 0.95, f"name {part!r}") for i in exact]
        if exact_only:
            return []
        acronym = part.strip().strip("()").upper()
        if acronym in self.acronyms and len(acronym) >= 2 and part.strip().isupper():
            return [Match(self.orgs[i], 0.8, f"acronym {acronym}") for i in self.acronyms[acronym]]
        words = key.split()
        pools = [self.words.get(w, set()) for w in set(words)]
        nearby = set().union(*(p for p in pools if len(p) <= MAX_POOL)) if pools else set()
        # A registry name ending the part: "School of Business at the University
        # of South Australia" (not "Victoria University of Wellington", another
        # institution); the longest one wins.
        padded = f" {key}"
        inside = [n for n in nearby if n.count(" ") >= 1 and padded.endswith(f" {n}")]
        if inside:
            name = max(inside, key=len)
            return [
                Match(self.orgs[i], 0.85, f"name {name!r} in {part!r}") for i in self.names[name]
            ]
        # The part inside exactly one registry name: "Swinburne University".
        if len(words) >= 2:
            around = [n for n in nearby if f" {key} " in f" {n} "]
            ids = {i for n in around for i in self.names[n]}
            if len(ids) == 1:
                (only,) = ids
                return [Match(self.orgs[only], 0.7, f"{part!r} part of {around[0]!r}")]
        # A few characters apart, in the same word order ("University of Bonn" is
        # not "Bond University").
        out: list[Match] = []
        if len(key) >= 12:
            for name in nearby:
                ratio = fuzz.ratio(key, name)
                if ratio >= MIN_FUZZY:
                    out.extend(
                        Match(self.orgs[i], 0.9 * ratio / 100, f"similar name {part!r}")
                        for i in self.names[name]
                    )
        return out
