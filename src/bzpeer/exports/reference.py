"""The reference a work page shows under "Cite", APA-like:
``Chen, T., & Wang, Z. (2021). Title. *Venue*. https://doi.org/…``

Written here rather than by a CSL processor: citeproc-py's HTML output does
not escape what it is given (a record's ``<b>`` would reach the page), and its
one bundled style marks every journal article without a volume "[Preprint]".
The CSL-JSON export is what a CSL processor reads (tests/exports checks it)."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

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
    family = f"{p.family}, {p.suffix}" if p.suffix else p.family
    short = initials(p.given)
    return f"{family}, {short}" if short else family


def authors(people: tuple[Person, ...]) -> str:
    names = [person(p) for p in people]
    if len(names) > MAX_LISTED:
        return ", ".join(names[: MAX_LISTED - 1]) + ", … " + names[-1]
    if len(names) > 1:
        return ", ".join(names[:-1]) + ", & " + names[-1]
    return names[0] if names else ""


def _end(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def parts(item: Citable) -> tuple[str, str, str, str]:
    """Authors and year, title, venue, link: the plain text of each piece."""
    year = str(item.year) if item.year else "n.d."
    who = authors(item.authors)
    lead = f"{_end(who)} ({year})." if who else f"({year})."
    venue = item.venue or ("arXiv" if item.type == WorkType.PREPRINT and item.arxiv else "")
    return lead, _end(item.title) if item.title else "", venue, item.link


def text(item: Citable) -> str:
    lead, title, venue, link = parts(item)
    return " ".join(p for p in (lead, title, _end(venue) if venue else "", link) if p)


def html(item: Citable) -> SafeString:
    """The reference as HTML: every record piece escaped, the venue in italics."""
    lead, title, venue, link = parts(item)
    if venue:
        return format_html(
            "{} {} <i>{}</i>{} {}", lead, title, venue, "" if venue.endswith(".") else ".", link
        )
    return format_html("{} {} {}", lead, title, link)
