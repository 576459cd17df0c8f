"""A work as the citation formats see it: cleaned text, authors split into
family and given names, identifiers, and a stable citation key.

Every field was written by a stranger. Each string leaves here on one line,
without control characters, bidirectional overrides or e-mail addresses, and
no longer than a citation needs: the formats (BibTeX, RIS, CSL-JSON, the
page's reference and JSON-LD) then only have to escape for their own syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from unidecode import unidecode

from bzpeer.catalog.bulk import select_in
from bzpeer.catalog.models import Work, WorkIdentifier
from bzpeer.catalog.queries import AuthorLink, author_lists
from bzpeer.catalog.untrusted import without_emails

TITLE_LIMIT = 1000
NAME_LIMIT = 200
VENUE_LIMIT = 500
SCHEMES = ("doi", "arxiv")

# Bidirectional embeddings, overrides and isolates: in a file they would turn
# the text after them around. Joiners (U+200C, U+200D) belong to the spelling.
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "dos",
        "la",
        "le",
        "ter",
        "ten",
        "zu",
        "af",
        "al",
        "bin",
        "ibn",
        "y",
    ]
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Words a citation key skips when it takes the title's first word.
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "and",
        "to",
        "with",
        "from",
        "towards",
        "toward",
        "via",
        "at",
        "by",
        "is",
        "are",
        "do",
        "does",
    ]
)


def clean(text: str | None, limit: int) -> str:
    """One line of printable text without e-mail addresses, at most ``limit`` long."""
    if not text:
        return ""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text.translate(_BIDI))
    text = without_emails(" ".join(text.split()))
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


@dataclass(frozen=True)
class Person:
    family: str
    given: str = ""
    suffix: str = ""

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.given, self.family, self.suffix) if p)


def split_name(raw: str) -> Person | None:
    """``"Tianlong Chen"``, ``"Chen, Tianlong"``, ``"Ludwig van Beethoven"``,
    ``"Martin Luther King Jr."`` into family, given and suffix, keeping the
    name's own letters and case (``catalog.names`` folds them for matching)."""
    name = clean(raw, NAME_LIMIT).strip(" ,;")
    if not name:
        return None
    if "," in name:
        parts = [p.strip() for p in name.split(",") if p.strip()]
        if not parts:
            return None
        if len(parts) >= 3 and parts[1].lower().rstrip(".") in _SUFFIXES:
            return Person(parts[0], " ".join(parts[2:]), parts[1])
        return Person(parts[0], " ".join(parts[1:]))
    tokens = name.split()
    suffix = ""
    if len(tokens) > 2 and tokens[-1].lower().rstrip(".") in _SUFFIXES:
        suffix = tokens.pop()
    if len(tokens) == 1:
        return Person(tokens[0], "", suffix)
    split = len(tokens) - 1
    # lower-case particles join the surname: "van der Berg"; "Van" starting a
    # given name stays given
    while split > 1 and tokens[split - 1] in _PARTICLES:
        split -= 1
    return Person(" ".join(tokens[split:]), " ".join(tokens[:split]), suffix)


@dataclass(frozen=True)
class Citable:
    id: int
    key: str
    type: str  # a WorkType value
    title: str
    authors: tuple[Person, ...]
    year: int | None
    date: date | None
    venue: str
    doi: str
    arxiv: str
    page: str  # the work's page on this site, absolute
    editors: tuple[Person, ...] = ()  # an edited volume's, when it names no author

    @property
    def link(self) -> str:
        """Where a reader finds the work: its DOI, else arXiv, else our page."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        return self.page


def _ascii_word(text: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9]", "", unidecode(text).lower())[:limit]


def base_key(item: Citable) -> str:
    """First author's surname, year, first title word: ``chen2021sparse``."""
    first = item.authors or item.editors
    surname = _ascii_word(first[0].family, 24) if first else ""
    words = [_ascii_word(w, 24) for w in item.title.split()]
    word = next((w for w in words if w and w not in _STOP), "")
    return f"{surname or 'anon'}{item.year or 'nd'}{word}"


def with_keys(items: Iterable[Citable]) -> list[Citable]:
    """The items with their keys, the second of a key ``…a``, the third ``…b``."""
    seen: set[str] = set()
    out = []
    for item in items:
        base = base_key(item)
        key, n = base, 0
        while key in seen:
            key = base + (chr(ord("a") + n) if n < 26 else str(n))
            n += 1
        seen.add(key)
        out.append(_replace_key(item, key))
    return out


def _replace_key(item: Citable, key: str) -> Citable:
    return replace(item, key=key)


def citable(
    work: Work, people: Sequence[AuthorLink], identifiers: dict[str, str], site: str
) -> Citable:
    """One work from what a page already read: the work, its author list and
    identifiers (``{"doi": ..., "arxiv": ...}``). ``site`` is the scheme and host."""
    authors = tuple(
        p for p in (split_name(x.name) for x in people if x.role != "editor") if p is not None
    )
    editors = tuple(
        p for p in (split_name(x.name) for x in people if x.role == "editor") if p is not None
    )
    item = Citable(
        id=work.pk,
        key="",
        type=work.type,
        title=clean(work.title, TITLE_LIMIT),
        authors=authors,
        year=work.year,
        date=work.date,
        venue=clean(work.venue_name, VENUE_LIMIT),
        doi=clean(identifiers.get("doi"), 300),
        arxiv=clean(identifiers.get("arxiv"), 100),
        page=f"{site}/works/{work.pk}",
        editors=editors,
    )
    return _replace_key(item, base_key(item))


def first_identifiers(rows: Iterable[WorkIdentifier]) -> dict[str, str]:
    """The first DOI and arXiv id of a work's identifiers (sorted by value)."""
    out: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r.value):
        if row.scheme in SCHEMES:
            out.setdefault(row.scheme, row.value)
    return out


def load(ids: Sequence[int], site: str) -> list[Citable]:
    """The works with these ids, in this order, keys made unique: three queries
    whatever their number."""
    ids = list(dict.fromkeys(ids))
    works = Work.objects.only("id", "title", "year", "date", "type", "venue_name").in_bulk(ids)
    people = author_lists(ids)
    found: dict[int, dict[str, str]] = {}
    rows = select_in(
        f'SELECT work_id, scheme, value FROM "{WorkIdentifier._meta.db_table}" '
        "WHERE scheme IN ('doi', 'arxiv') AND work_id IN ({in}) ORDER BY value",
        ids,
    )
    for work_id, scheme, value in rows:
        found.setdefault(work_id, {}).setdefault(scheme, value)
    return with_keys(
        citable(works[pk], people.get(pk, []), found.get(pk, {}), site) for pk in ids if pk in works
    )
