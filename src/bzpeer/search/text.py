"""Text as the index stores it and as queries compare it: ASCII (``unidecode``:
"José" is "jose", "Müller" "muller", "Łukasz" "lukasz"), lower case, words of
letters and digits separated by single spaces. Both databases index this
form, so they split and match words the same way."""

from __future__ import annotations

import re

from unidecode import unidecode

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normal(text: str) -> str:
    """``text`` as words of ASCII letters and digits, lower case."""
    return _NOT_WORD.sub(" ", unidecode(text or "").lower()).strip()


def words(text: str) -> list[str]:
    return normal(text).split()


def name_class(name: str, query: list[str]) -> int:
    """How well a name or title answers the query words: 0 the same words
    (in any order: "Chen, Tianlong" is "Tianlong Chen"), 1 every query word is
    a word of the name or the initial of one ("T. Chen"), 2 otherwise."""
    have = words(name)
    if sorted(have) == sorted(query):
        return 0
    rest = list(have)
    for word in sorted(query, key=len, reverse=True):
        match = next((w for w in rest if w == word or (len(word) == 1 and w[0] == word)), None)
        if match is None:
            return 2
        rest.remove(match)
    return 1
