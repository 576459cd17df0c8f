"""BibTeX: a researcher's publication list. LaTeX in titles and names becomes Unicode.

Option ``owner`` names the person whose list it is: their mention in each entry
carries the person key ``owner:<slug>``, hard evidence for resolution.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

import bibtexparser
from bibtexparser.middlewares import SeparateCoAuthors

from bzpeer.catalog import venues
from bzpeer.catalog.identifiers import parse_arxiv
from bzpeer.catalog.models import WorkType
from bzpeer.catalog.names import name_slug, names_compatible, parse_name

from .arxiv import arxiv_topic
from .records import UNDECODABLE, Chunk, ParsedAuthor, ParsedWork, RecordError, TopicRef, stated_id
from .streams import safe_text
from .text import latex_to_unicode, title_key

SOURCE = "bibtex"
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s/]*(?:abs/)?([\w.\-/]+\d)", re.IGNORECASE)


def chunks(label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    text = safe_text(stream.read())
    if text.startswith(UNDECODABLE):
        yield Chunk(SOURCE, label, text, options)
        return
    library = bibtexparser.parse_string(text, parse_stack=[])
    for entry in library.entries:
        yield Chunk(SOURCE, f"{label}:{(entry.start_line or 0) + 1}", entry.raw or "", options)
    for block in library.failed_blocks:
        raw = str(getattr(block, "raw", "") or "")
        if "DuplicateBlockKey" in type(block).__name__:
            # Same key twice in one file: a separate record all the same.
            yield Chunk(
                SOURCE, f"{label}:{(getattr(block, 'start_line', 0) or 0) + 1}", raw, options
            )
        else:
            yield Chunk(
                SOURCE,
                f"{label}:{(getattr(block, 'start_line', 0) or 0) + 1}",
                raw,
                (*options, ("failed", "1")),
            )


def parse(chunk: Chunk) -> list[ParsedWork]:
    if chunk.text.startswith(UNDECODABLE):
        raise RecordError("undecodable bytes (not UTF-8)")
    if chunk.option("failed"):
        raise RecordError("BibTeX block could not be parsed (unbalanced braces or bad syntax)")
    library = bibtexparser.parse_string(chunk.text, append_middleware=[SeparateCoAuthors()])
    if not library.entries:
        raise RecordError("BibTeX block holds no entry")
    entry = library.entries[0]
    fields = {k.lower(): str(v.value) for k, v in entry.fields_dict.items()}
    title = _title(fields.get("title", ""))
    if not title:
        raise RecordError(f"BibTeX entry {entry.key}: missing title")
    names = entry.fields_dict["author"].value if "author" in entry.fields_dict else []
    if isinstance(names, str):
        names = [names]
    owner = chunk.option("owner")
    owner_name = parse_name(owner) if owner else None
    authors = []
    owner_taken = False
    written = [name for raw in names for name in _names_in(latex_to_unicode(str(raw)))]
    for position, name in enumerate(written):
        if name.lower() in {"others", "et al."}:
            continue
        key = ""
        if owner_name and not owner_taken and names_compatible(parse_name(name), owner_name):
            key = f"owner:{name_slug(owner or '')}"
            owner_taken = True
        authors.append(ParsedAuthor(name=name, position=position, person_key=key))
    if not authors:
        raise RecordError(f"BibTeX entry {entry.key}: no authors")
    identifiers: list[tuple[str, str]] = []
    if fields.get("doi"):
        identifiers.append(("doi", stated_id("doi", fields["doi"], f"BibTeX entry {entry.key}")))
    arxiv_id = _arxiv_id(fields)
    if arxiv_id:
        identifiers.append(("arxiv", arxiv_id))
    venue_raw = (
        latex_to_unicode(
            fields.get("booktitle") or fields.get("journal") or fields.get("howpublished") or ""
        )
        .replace("{", "")
        .replace("}", "")
    )
    work_type, venue_name = _type_and_venue(entry.entry_type.lower(), venue_raw, arxiv_id)
    year_match = re.search(r"(19|20)\d{2}", fields.get("year", ""))
    year = int(year_match.group(0)) if year_match else None
    topics: tuple[TopicRef, ...] = ()
    if fields.get("primaryclass") and arxiv_id:
        category = fields["primaryclass"].strip()
        topics = (arxiv_topic(category, 1.0),)
    external = f"{entry.key}:{title_key(title)[:120]}"
    return [
        ParsedWork(
            source=SOURCE,
            external_id=external,
            title=title,
            year=year,
            type=work_type,
            authors=tuple(authors),
            abstract=latex_to_unicode(fields.get("abstract", "")),
            venue=venue_name,
            identifiers=tuple(identifiers),
            url=fields.get("url", ""),
            topics=topics,
        )
    ]


def _title(raw: str) -> str:
    """A BibTeX title in Unicode. Braces that only protect case (``{GraNet}``)
    are dropped; with a macro in the title the converter reads them, since
    they hold its argument (``\\emph{Sparse}``: stripped first, the word went
    with the unknown ``\\emphSparse``)."""
    if "\\" in raw:
        return latex_to_unicode(raw)
    return latex_to_unicode(raw.replace("{", "").replace("}", ""))


def _names_in(text: str) -> list[str]:
    """The names in one BibTeX author, each as ``Given Surname``.

    ``Chen, Tianlong`` and ``Berg, Jr., J.`` are one name each. ``Ajay
    Jaiswal, Peihao Wang, Tianlong Chen`` is a list someone separated with
    commas instead of ``and`` (the reference researcher's own list has one):
    three or more parts, each a whole name, are taken as that many people.
    """
    parts = [part.strip() for part in text.split(",")]
    if len(parts) >= 3 and all(len(part.split()) >= 2 for part in parts):
        return parts
    if len(parts) > 1:
        surname, _, given = text.partition(",")
        return [f"{given.strip()} {surname.strip()}".strip()]
    return [text]


def _arxiv_id(fields: dict[str, str]) -> str | None:
    if fields.get("archiveprefix", "").lower() == "arxiv" and fields.get("eprint"):
        return parse_arxiv(fields["eprint"])
    for name in ("journal", "booktitle", "howpublished", "note", "url", "eprint"):
        match = _ARXIV_IN_TEXT.search(fields.get(name, ""))
        if match:
            found = parse_arxiv(match.group(1))
            if found:
                return found
    return None


def _type_and_venue(entry_type: str, venue_raw: str, arxiv_id: str | None) -> tuple[str, str]:
    """Work type and venue from the entry type and its journal/booktitle."""
    known = venues.match_known(venue_raw) if venue_raw else None
    if (known and known.key == "arxiv") or (not venue_raw and arxiv_id):
        return WorkType.PREPRINT, "arXiv"
    if not venue_raw:
        return (WorkType.OTHER, "")
    if known:
        kind = (
            WorkType.CONFERENCE_PAPER
            if known.kind == venues.CONFERENCE
            else WorkType.JOURNAL_ARTICLE
        )
        return kind, venue_raw
    if entry_type in {"inproceedings", "conference"} or re.search(
        r"\b(proceedings|conference|workshop|symposium)\b", venue_raw, re.IGNORECASE
    ):
        return WorkType.CONFERENCE_PAPER, venue_raw
    if entry_type == "incollection":
        return WorkType.BOOK_CHAPTER, venue_raw
    if entry_type == "article":
        return WorkType.JOURNAL_ARTICLE, venue_raw
    return WorkType.OTHER, venue_raw
