"""Semantic Scholar Graph API: papers and authors.

Accepted files, told apart by their first line:

- JSON lines (a dump or a harvest log): one paper or author object per line,
  streamed line by line; the locator is ``label:line``.
- One whole JSON document, read at once, whose items get locators ``label#n``:
  a single object (``/paper/{id}``, ``/author/{id}``; locator ``label``), a
  list page ``{"data": [...], "offset", "next", "total"}`` (search, author
  papers, paper authors) or a batch response, a top-level JSON list in which
  ``null`` means "id not found" and is skipped.

A paper has a ``paperId``; an author has an ``authorId`` and no ``paperId``.
Objects nested in a record (a paper's citations and references, an author's
papers) are not records of their own. Fixture indexes (a list of
``{"file", "uri", ...}``) yield nothing. A whole document that does not
decode becomes one chunk with the raw text, which :func:`parse` quarantines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from bzpeer.catalog.models import WorkType

from .records import (
    Chunk,
    InstitutionRef,
    ParsedAuthor,
    ParsedAuthorEntity,
    ParsedWork,
    RecordError,
    stated_id,
)
from .streams import is_json_object, item_json, json_value, lines, safe_text
from .text import squash

SOURCE = "s2"
_SINGLE_FILE_LIMIT = 256 << 20
_BLOCK = 1 << 16


def chunks(label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    """One chunk per paper or author object."""
    head = _read_first_line(stream)
    first, _, after = head.partition(b"\n")
    if after.strip() and is_json_object(first):
        for number, line in enumerate(lines(head, stream), start=1):
            if line.strip():
                yield Chunk(SOURCE, f"{label}:{number}", safe_text(line), options)
        return
    data = head + stream.read(_SINGLE_FILE_LIMIT)
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        # Truncated or broken: keep the whole file in quarantine with the reason.
        yield Chunk(SOURCE, label, safe_text(data), options)
        return
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        document = document["data"]
    if not isinstance(document, list):
        yield Chunk(SOURCE, label, item_json(document), options)
        return
    for number, item in enumerate(document, start=1):
        if item is not None and not _is_index_entry(item):
            yield Chunk(SOURCE, f"{label}#{number}", item_json(item), options)


def _read_first_line(stream: BinaryIO) -> bytes:
    """Bytes up to the first line and something after it (or the whole stream)."""
    head = stream.read(_BLOCK)
    while not head.partition(b"\n")[2].strip():
        data = stream.read(_BLOCK)
        if not data:
            break
        head += data
    return head


def _is_index_entry(item: object) -> bool:
    """An ``_index.json`` entry names a recorded request; it is not a record."""
    return isinstance(item, dict) and "uri" in item and not item.keys() & {"paperId", "authorId"}


def parse(chunk: Chunk) -> list[ParsedWork | ParsedAuthorEntity]:
    data = json_value(chunk)
    if isinstance(data, dict) and data.get("paperId"):
        return [_work(str(data["paperId"]), data)]
    if isinstance(data, dict) and data.get("authorId"):
        return [_author_entity(str(data["authorId"]), data)]
    raise RecordError("not a Semantic Scholar paper or author object")


_TYPES = {  # publicationTypes, most specific first
    "Dataset": WorkType.DATASET,
    "BookSection": WorkType.BOOK_CHAPTER,
    "Book": WorkType.BOOK,
    "Conference": WorkType.CONFERENCE_PAPER,
    "JournalArticle": WorkType.JOURNAL_ARTICLE,
    "Review": WorkType.JOURNAL_ARTICLE,
}
_VENUE_TYPES = {"journal": WorkType.JOURNAL_ARTICLE, "conference": WorkType.CONFERENCE_PAPER}
_ARXIV_VENUES = {"arxiv.org", "arxiv"}


def _work(paper_id: str, data: dict[str, Any]) -> ParsedWork:
    title = squash(data.get("title"))
    if not title:
        raise RecordError(f"{paper_id}: missing title")
    external = data.get("externalIds") or {}
    publication_venue = data.get("publicationVenue") or {}
    journal = data.get("journal") or {}
    # The journal a paper appeared in, when S2 knows it, names the venue best.
    names = [squash(journal.get("name")), squash(publication_venue.get("name"))]
    names.append(squash(data.get("venue")))
    doi = str(external.get("DOI") or "").lower()
    arxiv_only = bool(external.get("ArXiv")) and (not doi or "10.48550/arxiv" in doi)
    date = _date(data.get("publicationDate"))
    year = data.get("year")
    return ParsedWork(
        source=SOURCE,
        external_id=paper_id,
        title=title,
        year=year if isinstance(year, int) else (date.year if date else None),
        date=date,
        type=_work_type(data, names, arxiv_only),
        authors=_authors(data.get("authors") or []),
        abstract=squash(data.get("abstract")),
        venue=next((n for n in names if n), ""),
        identifiers=_identifiers(paper_id, external),
        url=str(data.get("url") or ""),
    )


def _work_type(data: dict[str, Any], venue_names: list[str], arxiv_only: bool) -> str:
    """S2 labels arXiv e-prints "JournalArticle", so an arXiv-only venue wins."""
    named = {n.lower() for n in venue_names if n}
    if named <= _ARXIV_VENUES and (named or arxiv_only):
        return WorkType.PREPRINT
    kinds = {_TYPES[t] for t in data.get("publicationTypes") or [] if t in _TYPES}
    venue_kind = _VENUE_TYPES.get(str((data.get("publicationVenue") or {}).get("type") or ""))
    if venue_kind and (venue_kind in kinds or not kinds):
        return venue_kind
    return next((kind for kind in _TYPES.values() if kind in kinds), WorkType.OTHER)


def _identifiers(paper_id: str, external: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    identifiers = [("s2", paper_id)]
    if external.get("DOI"):
        identifiers.append(("doi", stated_id("doi", external["DOI"], paper_id)))
    if external.get("ArXiv"):
        identifiers.append(("arxiv", stated_id("arxiv", external["ArXiv"], paper_id)))
    for key, scheme in (("PubMed", "pmid"), ("DBLP", "dblp")):
        value = external.get(key)
        if isinstance(value, str | int) and str(value).strip():
            identifiers.append((scheme, str(value).strip()))
    return tuple(identifiers)


def _authors(items: list[Any]) -> tuple[ParsedAuthor, ...]:
    authors = []
    for position, item in enumerate(items):
        person = item if isinstance(item, dict) else {}
        name = squash(person.get("name"))
        if not name:
            continue
        author_id = str(person.get("authorId") or "")
        authors.append(
            ParsedAuthor(
                name=name,
                position=position,
                person_key=f"s2:{author_id}" if author_id else "",
            )
        )
    return tuple(authors)


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _author_entity(author_id: str, data: dict[str, Any]) -> ParsedAuthorEntity:
    name = squash(data.get("name"))
    if not name:
        raise RecordError(f"{author_id}: author without a name")
    raw_orcid = (data.get("externalIds") or {}).get("ORCID")
    orcid = stated_id("orcid", raw_orcid, author_id) if raw_orcid else None
    aliases = (squash(a) for a in data.get("aliases") or [] if isinstance(a, str))
    places = (squash(a) for a in data.get("affiliations") or [] if isinstance(a, str))
    return ParsedAuthorEntity(
        source=SOURCE,
        external_id=author_id,
        display_name=name,
        openalex_id=None,
        orcid=orcid,
        name_variants=tuple(a for a in aliases if a),
        affiliations=tuple((InstitutionRef(name=p), None, None) for p in places if p),
    )
