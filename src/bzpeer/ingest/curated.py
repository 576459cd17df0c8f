"""Two hand-made formats around one researcher.

``manual``: a compiled paper list (JSON ``{"papers": [...]}``, each with title,
ordered authors, year, venue, arxiv_id, doi, urls, affiliations_from_paper).

``listing``: a profile's publication list as JSON lines of
``{type, year, venue, title, abstract}`` with no author list; option ``owner``
(required) names the researcher whose list it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

import orjson

from bzpeer.catalog import venues
from bzpeer.catalog.models import WorkType
from bzpeer.catalog.names import name_slug, names_compatible, parse_name

from .records import Chunk, ParsedAuthor, ParsedWork, RecordError, stated_id
from .streams import item_json, json_object, lines, safe_text
from .text import latex_accents, latex_to_unicode, squash, title_key

MANUAL = "manual"
LISTING = "listing"


def manual_chunks(
    label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]
) -> Iterator[Chunk]:
    data = stream.read()
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        yield Chunk(MANUAL, label, safe_text(data), options)
        return
    papers = document.get("papers") if isinstance(document, dict) else document
    if not isinstance(papers, list):
        yield Chunk(MANUAL, label, safe_text(data), options)
        return
    for number, paper in enumerate(papers, start=1):
        yield Chunk(MANUAL, f"{label}#{number}", item_json(paper), options)


def listing_chunks(
    label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]
) -> Iterator[Chunk]:
    for number, line in enumerate(lines(b"", stream), start=1):
        if line.strip():
            yield Chunk(LISTING, f"{label}:{number}", safe_text(line), options)


def _venue_type(venue_raw: str, fallback: str) -> tuple[str, str]:
    known = venues.match_known(venue_raw) if venue_raw else None
    if known is None:
        return fallback, venue_raw
    if known.key == "arxiv":
        return WorkType.PREPRINT, "arXiv"
    kind = (
        WorkType.CONFERENCE_PAPER if known.kind == venues.CONFERENCE else WorkType.JOURNAL_ARTICLE
    )
    # "NeurIPS 2021 (Advances in ... 34)" -> keep the part before the parenthesis.
    return kind, squash(venue_raw.split("(")[0]).rstrip(" ,;") or known.name


def parse_manual(chunk: Chunk) -> list[ParsedWork]:
    data = json_object(chunk, "record")
    title = latex_to_unicode(str(data.get("title") or ""))
    if not title:
        raise RecordError("missing title")
    names = data.get("authors")
    if not isinstance(names, list) or not names:
        raise RecordError(f"{title[:60]!r}: no authors given (unverified record)")
    affiliation_of: dict[str, str] = {}
    for institution, members in (data.get("affiliations_from_paper") or {}).items():
        for member in members:
            affiliation_of[member] = institution
    owner = chunk.option("owner")
    owner_name = parse_name(owner) if owner else None
    authors = []
    for position, name in enumerate(names):
        name = latex_to_unicode(str(name))
        key = ""
        if owner_name and names_compatible(parse_name(name), owner_name):
            key = f"owner:{name_slug(owner or '')}"
        authors.append(ParsedAuthor(name, position, affiliation_of.get(name, ""), person_key=key))
    identifiers = []
    if data.get("doi"):
        identifiers.append(("doi", stated_id("doi", data["doi"], repr(title[:60]))))
    if data.get("arxiv_id"):
        identifiers.append(("arxiv", stated_id("arxiv", data["arxiv_id"], repr(title[:60]))))
    venue_raw = squash(str(data.get("venue") or ""))
    work_type, venue_name = _venue_type(venue_raw, WorkType.OTHER)
    year = data.get("year") if isinstance(data.get("year"), int) else None
    urls = [u for u in data.get("urls") or [] if isinstance(u, str)]
    external = str(data.get("key") or title_key(title)[:120])
    return [
        ParsedWork(
            source=MANUAL,
            external_id=external,
            title=title,
            year=year,
            type=work_type,
            authors=tuple(authors),
            venue=venue_name,
            identifiers=tuple(identifiers),
            url=next((u for u in urls if "arxiv.org" not in u), urls[0] if urls else ""),
        )
    ]


_LISTING_TYPES = {t.value: t.value for t in WorkType} | {
    "article": WorkType.JOURNAL_ARTICLE,
    "conference": WorkType.CONFERENCE_PAPER,
}


def parse_listing(chunk: Chunk) -> list[ParsedWork]:
    owner = chunk.option("owner")
    if not owner:
        raise RecordError("a listing needs --owner: whose publication list is it?")
    data = json_object(chunk, "record")
    title = latex_to_unicode(str(data.get("title") or ""))
    if not title:
        raise RecordError("missing title")
    year = data.get("year")
    if year is not None and not isinstance(year, int):
        match = re.search(r"(19|20)\d{2}", str(year))
        year = int(match.group(0)) if match else None
    listed_type = _LISTING_TYPES.get(str(data.get("type") or "").lower(), WorkType.OTHER)
    work_type, venue_name = _venue_type(squash(str(data.get("venue") or "")), listed_type)
    return [
        ParsedWork(
            source=LISTING,
            external_id=f"{name_slug(owner)}:{title_key(title)[:200]}",
            title=title,
            year=year,
            type=work_type,
            authors=(ParsedAuthor(owner, None, person_key=f"owner:{name_slug(owner)}"),),
            abstract=latex_accents(str(data.get("abstract") or "")),
            venue=venue_name,
        )
    ]
