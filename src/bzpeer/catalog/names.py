"""Personal names: parsing, keys for blocking, compatibility and slugs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.text import slugify
from unidecode import unidecode

_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^a-z\s\-']")


@dataclass(frozen=True, slots=True)
class PersonName:
    """A name split into given names and surname, in ASCII lower case."""

    given: tuple[str, ...]
    surname: str

    @property
    def block_key(self) -> str:
        """Surname and first initial: the candidates compared by resolution."""
        initial = self.given[0][0] if self.given and self.given[0] else ""
        return f"{self.surname}_{initial}"


def clean_display(name: str) -> str:
    """Collapse whitespace and strip stray punctuation around a display name."""
    return _SPACES.sub(" ", name).strip(" ,;")


def _ascii(text: str) -> str:
    if not text.isascii():
        text = unidecode(text)
    return _NON_WORD.sub(" ", text.lower().replace(".", ". "))


def parse_name(raw: str) -> PersonName:
    """Parse ``"Chen, Tianlong"``, ``"Tianlong Chen"``, ``"T. Chen"`` or ``"van der Berg, J."``."""
    text = raw.strip()
    if "," in text:
        surname_part, _, given_part = text.partition(",")
        given_tokens = _ascii(given_part).split()
        surname_tokens = _ascii(surname_part).split()
    else:
        tokens = _ascii(text).split()
        while len(tokens) > 1 and tokens[-1].strip(".") in _SUFFIXES:
            tokens.pop()
        if not tokens:
            return PersonName((), "")
        split = len(tokens) - 1
        while split > 1 and tokens[split - 1] in _PARTICLES:
            split -= 1
        given_tokens, surname_tokens = tokens[:split], tokens[split:]
    given: list[str] = []
    for token in given_tokens:
        token = token.strip("'")
        if not token or token in _SUFFIXES:
            continue
        if "-" not in token:  # most given names: an initial or a whole name
            bare = token.rstrip(".")
            if len(bare) > 1:
                given.append(token.replace(".", ""))
            elif bare:
                given.append(bare)
            continue
        # "C.-P." -> "c", "p"; "Jean-Luc" stays one given name.
        parts = [p.rstrip(".") for p in token.split("-") if p]
        if all(len(p) <= 1 for p in parts):
            given.extend(p for p in parts if p)
        else:
            given.append(token.replace(".", ""))
    surname = "".join(t for t in surname_tokens if t not in _SUFFIXES).replace("'", "")
    surname = surname.replace("-", "").replace(".", "")
    return PersonName(tuple(g for g in given if g), surname)


def given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Given names agree where both are known: initials match full names."""
    if not a or not b:
        return True
    for x, y in zip(a, b, strict=False):
        if len(x) == 1 or len(y) == 1:
            if x[0] != y[0]:
                return False
        elif x != y:
            return False
    return True


def names_compatible(a: PersonName, b: PersonName) -> bool:
    """Same surname and compatible given names (``T. Chen`` ~ ``Tianlong Chen``)."""
    return bool(a.surname) and a.surname == b.surname and given_compatible(a.given, b.given)


def name_slug(display_name: str) -> str:
    """Readable URL slug: ``Tianlong Chen`` -> ``tianlong-chen``."""
    return slugify(unidecode(display_name))[:80] or "author"


def fullness(display_name: str) -> tuple[int, int]:
    """Sort key preferring names with full given names over initials."""
    parsed = parse_name(display_name)
    return (sum(len(g) > 1 for g in parsed.given), len(display_name))


@lru_cache(maxsize=262144)
def parse_name_cached(raw: str) -> PersonName:
    """``parse_name`` memoised: the same names recur across thousands of records."""
    return parse_name(raw)
