"""The reference a work page shows under "Cite", APA-like:
``Chen, T., & Wang, Z. (2021). Title. *Venue*. https://doi.org/…``

Written here rather than by a CSL processor: citeproc-py's HTML output does
not escape what it is given (a record's ``<b>`` would reach the page), and its
one bundled style marks every journal article without a volume "[Preprint]".
The CSL-JSON export is what a CSL processor reads (tests/exports checks it)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from bzpeer.catalog.models import WorkType

from .records import Citable, Person

MAX_LISTED = 20  # APA lists 19 authors, an ellipsis, then the last


def initials(given: str) -> str:
    """``"Tianlong"`` -> ``"T."``, ``"Jean-Luc"`` -> ``"J.-L."``, ``"T. W."`` -> ``"T. W."``."""
    out = []
    for word in given.replace(".", ". ").split():
        parts = [p for p in word.strip(".").split("-") if p]
        if parts:
            out.append("-".join(f"{p[0]}." for p in parts))
    return " ".join(out)


def person(p: Person) -> str:
    """``Doe, J.``; ``King, M. L., Jr.``"""
    return ", ".join(x for x in (p.family, initials(p.given), p.suffix) if x)


@dataclass(frozen=True)
class Piece:
    text: str
    from_record: bool = False  # a stranger's text: isolated in its own <bdi> on a page
    italic: bool = False


def _authors(people: tuple[Person, ...]) -> list[Piece]:
    names = [Piece(person(p), True) for p in people]
    if len(names) > MAX_LISTED:
        names = [*names[: MAX_LISTED - 1], Piece("…"), names[-1]]
    out: list[Piece] = []
    for i, name in enumerate(names):
        if i:
            last = i == len(names) - 1 and len(people) <= MAX_LISTED
            out.append(Piece(", & " if last else ", "))
        out.append(name)
    return out


def _end(text: str) -> str:
    return "" if text.endswith((".", "?", "!")) else "."


def pieces(item: Citable) -> list[Piece]:
    """Authors (year). Title. *Venue*. Link."""
    year = str(item.year) if item.year else "n.d."
    out = _authors(item.authors)
    if not out and item.editors:
        out = [*_authors(item.editors), Piece(" (Eds.)" if len(item.editors) > 1 else " (Ed.)")]
    if out:
        out.append(Piece(_end(out[-1].text) + " "))
    out.append(Piece(f"({year}). "))
    if item.title:
        out += [Piece(item.title, True), Piece(_end(item.title) + " ")]
    venue = item.venue or ("arXiv" if item.type == WorkType.PREPRINT and item.arxiv else "")
    if venue:
        out += [Piece(venue, True, italic=True), Piece(_end(venue) + " ")]
    out.append(Piece(item.link, True))
    return out


def text(item: Citable) -> str:
    return "".join(p.text for p in pieces(item))


def html(item: Citable) -> SafeString:
    """The reference as HTML: each record piece escaped in its own ``<bdi>``,
    the venue in italics."""
    out = []
    for p in pieces(item):
        markup = f"<bdi>{escape(p.text)}</bdi>" if p.from_record else escape(p.text)
        out.append(f"<i>{markup}</i>" if p.italic else markup)
    return mark_safe("".join(out))
