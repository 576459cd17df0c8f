"""BibTeX: entries written by bibtexparser, text encoded for LaTeX by pylatexenc.

Every character LaTeX or BibTeX would read as syntax is escaped (``{ } \\ $ &
% # _ ~ ^``), accents become LaTeX accents (``M{\\"u}ller``), and what has no
LaTeX form stays Unicode (biber and bibtex8 read UTF-8). Nothing a record
holds can open or close a brace group, start math, or run a macro such as
``\\input``: a title that holds ``$x$`` exports as ``{\\$}x{\\$}``. DOIs and
URLs, which LaTeX reads verbatim, are percent-encoded instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import bibtexparser
from bibtexparser import model
from pylatexenc.latexencode import RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

from bzpeer.catalog.models import WorkType

from .records import Citable, Person

# Characters the default rules turn into math or quotes a parser reads back
# differently; each is plain text in a braced BibTeX value.
_AS_IS = UnicodeToLatexConversionRule(RULE_DICT, {ord(c): c for c in '"<>|'})
_ENCODER = UnicodeToLatexEncoder(
    conversion_rules=[_AS_IS, "defaults"],
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)

ENTRY_TYPES: dict[str, str] = {
    WorkType.JOURNAL_ARTICLE: "article",
    WorkType.CONFERENCE_PAPER: "inproceedings",
    WorkType.BOOK: "book",
    WorkType.BOOK_CHAPTER: "incollection",
    WorkType.REPORT: "techreport",
}
# The field that names the venue, by entry type.
VENUE_FIELD = {
    "article": "journal",
    "inproceedings": "booktitle",
    "incollection": "booktitle",
    "book": "publisher",
    "techreport": "institution",
    "misc": "howpublished",
}
NOTES: dict[str, str] = {WorkType.THESIS: "Thesis", WorkType.DATASET: "Dataset"}
_AND = re.compile(r"(^|\s)and(\s|$)", re.IGNORECASE)


def latex(text: str) -> str:
    return str(_ENCODER.unicode_to_latex(text))


def verbatim(text: str) -> str:
    """A DOI or URL: biblatex and ``\\url`` read these fields verbatim, so they
    are not LaTeX-encoded; the three characters that could end or open a
    group or a macro are percent-encoded instead, as in any URL."""
    return text.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _part(text: str) -> str:
    """One part of a name; braced when BibTeX would split it ("and", a comma)."""
    encoded = latex(text)
    return f"{{{encoded}}}" if "," in text or _AND.search(text) else encoded


def name(person: Person) -> str:
    """``Family, Given`` (``Family, Suffix, Given``); a lone name braced whole."""
    if not person.given:
        return f"{{{latex(person.family)}}}"
    family = _part(person.family)
    if person.suffix:
        return f"{family}, {_part(person.suffix)}, {_part(person.given)}"
    return f"{family}, {_part(person.given)}"


def entry(item: Citable) -> model.Entry:
    kind = ENTRY_TYPES.get(item.type, "misc")
    fields: list[tuple[str, str | int]] = []
    if item.authors:
        fields.append(("author", " and ".join(name(p) for p in item.authors)))
    if item.editors:
        fields.append(("editor", " and ".join(name(p) for p in item.editors)))
    if item.title:
        fields.append(("title", latex(item.title)))
    if item.venue:
        fields.append((VENUE_FIELD[kind], latex(item.venue)))
    if item.year:
        fields.append(("year", item.year))
    if item.type in NOTES:
        fields.append(("note", NOTES[item.type]))
    if item.doi:
        fields.append(("doi", verbatim(item.doi)))
    if item.arxiv:
        fields += [("eprint", verbatim(item.arxiv)), ("archiveprefix", "arXiv")]
    fields.append(("url", verbatim(item.link)))
    return model.Entry(kind, item.key, [model.Field(k, v) for k, v in fields])


def write(items: Sequence[Citable], comment: str = "") -> str:
    """The items as a BibTeX file; ``comment`` (our own words) leads it."""
    library = bibtexparser.Library()
    if comment:
        library.add(model.ExplicitComment(comment))
    library.add([entry(item) for item in items])
    return str(bibtexparser.write_string(library))
