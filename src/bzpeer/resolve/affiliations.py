"""Raw affiliation strings -> institutions (ROR records), with a confidence.

"Department of Physics, Federal University of Lavras, Lavras, Brazil" names
its institution in one comma-separated part, and often its country in the
last. The matcher:

1. splits the string into affiliations (";") and parts (",", dashes, a
   number between words as in "University of Arizona 3 Department of
   Medicine"); a part with " and " between two names is also read as its
   halves, an acronym in brackets on its own ("German Center for Infection
   Research (DZIF)");
2. reads the country from the last part naming one (pycountry names and
   common variants, also beside an address: "Switzerland email ..."; a last
   "CA" is Canada or California);
3. looks every part (and every two adjacent parts, for "University of
   California, Berkeley") up among the registry's names, aliases, labels in
   other languages and acronyms, normalised (ASCII, lower case, "Univ." =
   "University", no "the"): an exact name, the same words in another order
   ("Bonn University"), an acronym, registry names inside the part ("Yale
   University School of Medicine") or across two parts, the part inside a
   few registry names ("Swinburne University"), or a name a few characters
   away in the same word order ("University of Bonn" is not "Bond
   University");
4. never keeps an institution of another country than the one the string
   names;
5. scores every candidate with ``affiliation_rank`` (a logistic model over
   how it was found, where in the string, country and city agreement, the
   registry's parent/child links between the candidates) and keeps, per
   affiliation, the best one and any other clearly named one.

Pure functions over ``Org`` records; ``catalog_orgs`` loads them from the
database, ``ror_registry.shipped_index`` from the registry the project ships.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

import pycountry
from rapidfuzz import fuzz
from unidecode import unidecode

from bzpeer.catalog.models import Institution

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
    Org,
    normalise,
    with_children,
)
from .affiliation_rank import choose

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
    "people s republic of china": "CN",
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
    "deutschland": "DE",
    "schweiz": "CH",
    "suisse": "CH",
    "espana": "ES",
    "italia": "IT",
    "brasil": "BR",
    "osterreich": "AT",
}
# Two-letter US state codes, which a last part "CA" may mean rather than a country.
# fmt: off
_STATES = frozenset((
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL",
    "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT",
    "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI",
    "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC",
))
# fmt: on
# "Hong Kong, China" names an institution ROR places in HK.
_GREATER = {"CN": frozenset(["CN", "HK", "MO", "TW"])}
MIN_FUZZY = 93
MAX_POOL = 500  # names sharing a word more common than this are not scanned for it
MAX_AROUND = 6  # a part inside more registry names than this names none of them

MAX_ACRONYM_IDS = 12  # an acronym inside a part that many records share names none


def _sorted(key: str) -> str:
    return " ".join(sorted(set(key.split())))


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[_country_key(value)] = country.alpha_2
    names.update(_COUNTRY_VARIANTS)
    return names


def _country_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z]+", unidecode(text).lower()))


def country_of(part: str) -> str | None:
    """The ISO code a part names, if it names a country ("PR China", "USA")."""
    return _countries().get(_country_key(part))


def country_in(part: str) -> str | None:
    """The country a part names, or names in its first or last words beside
    a number or an address ("Switzerland email x@y.ch", "75005 Paris France");
    not "University of Georgia"."""
    found = country_of(part)
    if found or not re.search(r"[0-9@]", part):
        return found
    words = _country_key(part).split()
    names = _countries()
    for size in (3, 2, 1):
        if len(words) > size:
            for key in (" ".join(words[-size:]), " ".join(words[:size])):
                if key in names and (size > 1 or len(key) > 3):
                    return names[key]
    return None


def countries_of(parts: list[str]) -> frozenset[str]:
    """The countries an affiliation's parts may name, the last one naming one
    first: {"CH"} for "..., Gland, Switzerland"; a last part of two capitals
    is an ISO code, or a US state ("Berkeley, CA" is {"CA", "US"})."""
    for part in reversed(parts):
        found = country_in(part)
        if found:
            return _GREATER.get(found, frozenset([found]))
    code = parts[-1].strip(". ") if parts else ""
    if len(parts) > 1 and len(code) == 2 and code.isupper() and code.isalpha():
        country = pycountry.countries.get(alpha_2=code)
        if country is not None:
            return frozenset([country.alpha_2, "US"] if code in _STATES else [country.alpha_2])
    return frozenset()


_SPLIT = re.compile(r",|\n|\s[-\u2013\u2014/]\s|\u2014|\s\d{1,2}\s(?=[A-Z,])|\s\|\s")
_MARKUP = re.compile(r"<[^<>]{1,40}>|#TAB#")
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_HALVES = re.compile(r"\s(?:and|&|und|et|y|e)\s", re.IGNORECASE)


def split_parts(affiliation: str) -> list[str]:
    """The comma-and-dash separated parts of one affiliation, brackets dropped."""
    parts = []
    for part in _SPLIT.split(affiliation):
        part = " ".join(_BRACKETS.sub(" ", part).split()).strip(" .;:")
        if part:
            parts.append(part)
    return parts


class InstitutionIndex:
    def __init__(self, orgs: Iterable[Org]) -> None:
        self.orgs: dict[int, Org] = {}
        self.by_ror: dict[str, int] = {}
        names: dict[str, set[int]] = defaultdict(set)
        shuffled: dict[str, set[int]] = defaultdict(set)  # the name's words, sorted
        acronyms: dict[str, set[int]] = defaultdict(set)
        words: dict[str, set[str]] = defaultdict(set)  # word -> normalised names
        for org in orgs:
            self.orgs[org.id] = org
            if org.ror:
                self.by_ror[org.ror] = org.id
            for name in (org.name, *org.aliases, *org.labels):
                key = normalise(name)
                if key:
                    names[key].add(org.id)
                    shuffled[_sorted(key)].add(org.id)
                    for word in key.split():
                        words[word].add(key)
            for acronym in org.acronyms:
                if acronym.strip():
                    acronyms[acronym.strip().upper()].add(org.id)
        # Tuples, not sets: a third of the memory, and built once.
        self.names = {k: tuple(v) for k, v in names.items()}
        self.shuffled = {k: tuple(v) for k, v in shuffled.items()}
        self.acronyms = {k: tuple(v) for k, v in acronyms.items()}
        self.words = {k: tuple(v) for k, v in words.items()}

    def match(self, raw: str) -> list[Match]:
        """The institutions a raw affiliation string names, best first."""
        out: dict[int, Match] = {}
        for affiliation in self.read(raw):
            for found in choose(affiliation):
                if found.org.id not in out or out[found.org.id].confidence < found.confidence:
                    out[found.org.id] = found
        return sorted(out.values(), key=lambda m: -m.confidence)

    def read(self, raw: str) -> list[Affiliation]:
        """Every affiliation of the string (split on ";") with its candidates."""
        raw = _MARKUP.sub(" ", raw)
        return [a for a in map(self._candidates, raw.split(";")) if a.candidates]

    def _candidates(self, affiliation: str) -> Affiliation:
        parts = split_parts(affiliation)
        countries = countries_of(parts)
        last = max(len(parts) - 1, 1)
        # (part number, text, where a pair of parts joins: 0 for one part)
        pieces: list[tuple[int, str, int]] = [(i, p, 0) for i, p in enumerate(parts)]
        for i, part in enumerate(parts):
            halves = _HALVES.split(part)
            if len(halves) == 2 and all(len(normalise(h).split()) >= 2 for h in halves):
                pieces += [(i, h, 0) for h in halves]
        for (i, a), (_, b) in itertools.pairwise(enumerate(parts)):
            pieces.append((i, f"{a} {b}", len(normalise(a).split())))
        for inner in _BRACKETS.findall(affiliation):
            text = (inner[0] or inner[1]).strip()
            if text.isupper() and 2 <= len(text) <= 12:
                pieces.append((0, text, 0))
        best: dict[int, Candidate] = {}
        for i, piece, joint in pieces:
            if country_of(piece) or (i == last and len(piece) <= 2):
                continue
            for found in self._piece(piece, joint):
                if countries and found.org.country and found.org.country not in countries:
                    continue  # never an institution of another country than the string's
                found.position = i / last
                old = best.get(found.org.id)
                if old is None or (found.strength, found.name_share) > (
                    old.strength,
                    old.name_share,
                ):
                    best[found.org.id] = found
        return Affiliation(affiliation.strip(), countries, list(best.values()))

    def _acronym_words(self, part: str) -> list[Candidate]:
        """Acronyms among a part's words: "UCL Great Ormond Street Institute"."""
        out = []
        for word in set(re.findall(r"\b[A-Z][A-Za-z0-9&]{1,7}\b", part)):
            if sum(ch.isupper() for ch in word) < 3 or country_of(word):
                continue
            ids = self.acronyms.get(word.upper(), ())
            if len(ids) <= MAX_ACRONYM_IDS:
                out += [Candidate(self.orgs[i], ACRONYM_WORD, 1.0, 0, word, len(ids)) for i in ids]
        return out

    def _within(
        self, part: str, key: str, joint: int = 0
    ) -> tuple[list[Candidate], list[tuple[int, int]]]:
        """Registry names inside the part, two words or more and not inside a
        longer one: "Yale University School of Medicine", "School of Business
        at the University of South Australia"; across the join of two parts
        when ``joint`` says where it is."""
        words = key.split()
        out: list[Candidate] = []
        spans: list[tuple[int, int]] = []
        for size in range(len(words) - 1, 1, -1):
            for begin in range(len(words) - size + 1):
                end = begin + size
                if joint and not begin < joint < end:
                    continue
                if any(b <= begin and end <= e for b, e in spans):
                    continue
                name = " ".join(words[begin:end])
                ids = self.names.get(name) or self.shuffled.get(_sorted(name)) or ()
                if ids:
                    spans.append((begin, end))
                    if joint:
                        how = JOINED
                    else:
                        how = ENDING if end == len(words) else STARTING if begin == 0 else WITHIN
                    share = len(name) / len(key)
                    out += [
                        Candidate(self.orgs[i], how, 1.0, 0, part, len(ids), share, name)
                        for i in ids
                    ]
        return out, spans

    def _piece(self, part: str, joint: int = 0) -> list[Candidate]:
        """Candidates for one part, or (``joint`` > 0) for two adjacent parts
        joined, whose names must then span the join ("... Management University
        of California, Berkeley Berkeley CA")."""
        key = normalise(part)
        if len(key) < 3:
            return []
        exact = self.names.get(key)
        if exact:
            how = PAIR if joint else EXACT
            return [Candidate(self.orgs[i], how, 1.0, 0, part, len(exact), 1.0, key) for i in exact]
        if joint:
            return self._within(part, key, joint)[0]
        shuffled = self.shuffled.get(_sorted(key))
        if shuffled:  # "Bonn University", "Research Centre Jülich"
            return [
                Candidate(self.orgs[i], SHUFFLED, 1.0, 0, part, len(shuffled), 1.0, key)
                for i in shuffled
            ]
        acronym = part.strip().upper()
        if (
            acronym in self.acronyms
            and 2 <= len(acronym) <= 12
            and part.strip().isupper()
            and not country_of(acronym)
        ):
            ids = self.acronyms[acronym]
            return [Candidate(self.orgs[i], ACRONYM, 1.0, 0, part, len(ids)) for i in ids]
        out = self._acronym_words(part)
        words = key.split()
        within, spans = self._within(part, key)
        out += within
        if spans:
            return out
        pools = [self.words.get(w, ()) for w in set(words)]
        nearby = set().union(*(p for p in pools if len(p) <= MAX_POOL)) if pools else set()
        # The part inside a few registry names: "Swinburne University".
        if len(words) >= 2:
            around = [n for n in nearby if f" {key} " in f" {n} "]
            held = {i for n in around for i in self.names[n]}
            if 0 < len(held) <= MAX_AROUND:
                share = len(key) / min(len(n) for n in around)
                out += [
                    Candidate(self.orgs[i], AROUND, 1 / len(held), 0, part, len(held), share)
                    for i in held
                ]
        # A few characters apart, in the same word order ("University of Bonn" is
        # not "Bond University").
        if len(key) >= 12:
            for name in nearby:
                ratio = fuzz.ratio(key, name)
                if ratio >= MIN_FUZZY:
                    ids = self.names[name]
                    out += [
                        Candidate(self.orgs[i], FUZZY, ratio / 100, 0, part, len(ids)) for i in ids
                    ]
        return out


def catalog_orgs() -> list[Org]:
    """The catalog's institutions with a ROR id, as the matcher sees them."""
    rows = Institution.objects.exclude(ror=None).only(
        "id",
        "ror",
        "name",
        "country",
        "aliases",
        "acronyms",
        "labels",
        "city",
        "types",
        "relationships",
    )
    return with_children(
        Org(
            i.pk,
            i.ror or "",
            i.name,
            i.country,
            tuple(i.aliases),
            tuple(i.acronyms),
            tuple(i.labels),
            i.city,
            tuple(i.types or ()),
            tuple(
                str(r["ror"])
                for r in i.relationships or []
                if isinstance(r, dict) and r.get("type") == "parent" and r.get("ror")
            ),
        )
        for i in rows
    )
