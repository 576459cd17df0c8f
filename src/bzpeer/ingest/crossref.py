"""Crossref: REST API work objects and envelopes (``message-type`` work and
work-list), the public data file (``{"items": [...]}``, gzipped) and JSON lines.

Preprint relations (``is-preprint-of``, ``has-preprint``, ``is-version-of``)
add the related DOI to the record's identifiers, so both versions land in one
work. Cited DOIs become references.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from bzpeer.catalog.identifiers import parse_arxiv, parse_doi
from bzpeer.catalog.models import WorkType

from .records import Chunk, ParsedAuthor, ParsedWork, RecordError, stated_id
from .streams import head_of, is_json_object, item_json, json_value, lines, safe_text
from .text import squash

SOURCE = "crossref"
_BLOCK_TAGS = re.compile(r"</?(?:jats:)?(?:p|title|sec|list-item|break)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_VERSION_RELATIONS = ("is-preprint-of", "has-preprint", "is-version-of", "has-version")
# Not works: containers and parts that Crossref registers too.
_NOT_WORKS = {
    "journal",
    "journal-issue",
    "journal-volume",
    "proceedings",
    "book-series",
    "book-set",
    "component",
    "peer-review",
    "grant",
}
_TYPES = {
    "journal-article": WorkType.JOURNAL_ARTICLE,
    "proceedings-article": WorkType.CONFERENCE_PAPER,
    "book-chapter": WorkType.BOOK_CHAPTER,
    "book-section": WorkType.BOOK_CHAPTER,
    "book-part": WorkType.BOOK_CHAPTER,
    "reference-entry": WorkType.BOOK_CHAPTER,
    "book": WorkType.BOOK,
    "monograph": WorkType.BOOK,
    "edited-book": WorkType.BOOK,
    "reference-book": WorkType.BOOK,
    "dissertation": WorkType.THESIS,
    "report": WorkType.REPORT,
    "dataset": WorkType.DATASET,
    "posted-content": WorkType.PREPRINT,
}


_HEAD_LIMIT = 256 << 20  # how far a first record may run before a line break


def chunks(label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    """One chunk per work: JSON lines stream; documents are split into their items."""
    head = head_of(stream, _HEAD_LIMIT)
    first = head.split(b"\n", 1)[0]
    if b"\n" in head.strip() and is_json_object(first):
        for number, line in enumerate(lines(head, stream), start=1):
            if line.strip():
                yield Chunk(SOURCE, f"{label}:{number}", safe_text(line), options)
        return
    data = head + stream.read()
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        yield Chunk(SOURCE, label, safe_text(data), options)
        return
    items = _items(document)
    if items is None:
        yield Chunk(SOURCE, label, safe_text(data), options)
        return
    for number, item in enumerate(items, start=1):
        yield Chunk(SOURCE, f"{label}#{number}", item_json(item), options)


def _items(document: Any) -> list[Any] | None:
    """The work objects of a data-file document or an API envelope."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("items"), list):
        return document["items"]
    message = document.get("message")
    if isinstance(message, dict):
        if isinstance(message.get("items"), list):
            return message["items"]
        return [message]
    return None


def parse(chunk: Chunk) -> list[ParsedWork]:
    data = json_value(chunk)
    if isinstance(data, dict) and isinstance(data.get("message"), dict):
        data = data["message"]  # a single-work envelope on one line
    if not isinstance(data, dict):
        raise RecordError("Crossref record is not a JSON object")
    raw_doi = str(data.get("DOI") or "")
    doi = parse_doi(raw_doi)
    if not doi:
        raise RecordError(f"missing or bad DOI {raw_doi[:80]!r}")
    kind = str(data.get("type") or "")
    if kind in _NOT_WORKS:
        return []
    title = _text(_first(data.get("title")))
    if not title:
        raise RecordError(f"{doi}: missing title")
    subtitle = _text(_first(data.get("subtitle")))
    if subtitle and not title.endswith(subtitle):
        title = f"{title}: {subtitle}"
    identifiers = [("doi", doi)]
    arxiv_id = _arxiv_from_doi(doi)
    if arxiv_id:
        identifiers.append(("arxiv", arxiv_id))
    for relation in _VERSION_RELATIONS:
        for target in (data.get("relation") or {}).get(relation) or []:
            if str(target.get("id-type") or "").lower() == "doi":
                related = parse_doi(str(target.get("id") or ""))
                if related and ("doi", related) not in identifiers:
                    identifiers.append(("doi", related))
                    related_arxiv = _arxiv_from_doi(related)
                    if related_arxiv:
                        identifiers.append(("arxiv", related_arxiv))
            elif str(target.get("id-type") or "").lower() == "arxiv":
                related_arxiv = parse_arxiv(str(target.get("id") or ""))
                if related_arxiv:
                    identifiers.append(("arxiv", related_arxiv))
    date, year = _date(data)
    work_type = _TYPES.get(kind, WorkType.OTHER)
    if kind == "posted-content" and data.get("subtype") not in (None, "preprint"):
        work_type = WorkType.OTHER
    references = tuple(
        ("doi", ref_doi)
        for ref in data.get("reference") or []
        if (ref_doi := parse_doi(str(ref.get("DOI") or "")))
    )
    return [
        ParsedWork(
            source=SOURCE,
            external_id=doi,
            title=title,
            year=year,
            date=date,
            type=work_type,
            authors=_authors(doi, data.get("author") or []),
            abstract=_text(str(data.get("abstract") or "")),
            venue=_text(_first(data.get("container-title")))
            or squash(
                str((data.get("institution") or [{}])[0].get("name") or "")
                if isinstance(data.get("institution"), list)
                else ""
            ),
            identifiers=tuple(dict.fromkeys(identifiers)),
            url=str(data.get("URL") or f"https://doi.org/{doi}"),
            references=tuple(dict.fromkeys(references)),
        )
    ]


def _authors(doi: str, people: list[dict[str, Any]]) -> tuple[ParsedAuthor, ...]:
    authors = []
    for position, person in enumerate(people):
        name = squash(" ".join(p for p in (person.get("given"), person.get("family")) if p))
        name = name or squash(person.get("name"))
        if not name:
            continue
        orcid = None
        if person.get("ORCID"):
            orcid = stated_id("orcid", person["ORCID"], f"{doi} ({name})")
        affiliation = "; ".join(
            squash(a.get("name")) for a in person.get("affiliation") or [] if a.get("name")
        )
        authors.append(
            ParsedAuthor(name=name, position=position, affiliation=affiliation, orcid=orcid)
        )
    return tuple(authors)


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def _text(value: str) -> str:
    """Crossref titles and abstracts carry JATS/HTML markup and entities."""
    return squash(html.unescape(_TAGS.sub("", _BLOCK_TAGS.sub(" ", value))))


def _arxiv_from_doi(doi: str) -> str | None:
    """arXiv's own DOIs: ``10.48550/arxiv.2106.10404``."""
    if doi.startswith("10.48550/arxiv."):
        return parse_arxiv(doi.split("arxiv.", 1)[1])
    return None


def _date(data: dict[str, Any]) -> tuple[dt.date | None, int | None]:
    for field in ("published", "published-print", "published-online", "issued", "created"):
        parts = ((data.get(field) or {}).get("date-parts") or [[None]])[0]
        if parts and isinstance(parts[0], int):
            year = parts[0]
            try:
                date = dt.date(year, parts[1], parts[2]) if len(parts) >= 3 else None
            except (ValueError, TypeError):
                date = None
            return date, year
    return None, None
