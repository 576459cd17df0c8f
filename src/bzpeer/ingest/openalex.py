"""OpenAlex: API list responses, single-entity JSON and snapshot JSON lines, for
works, authors, institutions, sources and topics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from bzpeer.catalog.identifiers import parse_arxiv, parse_openalex, parse_ror
from bzpeer.catalog.models import WorkType

from .records import (
    Chunk,
    InstitutionRef,
    Parsed,
    ParsedAuthor,
    ParsedAuthorEntity,
    ParsedInstitution,
    ParsedTopic,
    ParsedVenue,
    ParsedWork,
    RecordError,
    TopicRef,
    stated_id,
)
from .streams import head_of, is_json_object, item_json, json_object, lines, safe_text
from .text import squash

SOURCE = "openalex"
_SINGLE_FILE_LIMIT = 256 << 20


def chunks(label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    """One chunk per entity: JSON lines stream; list pages and single entities are split."""
    head = head_of(stream, _SINGLE_FILE_LIMIT)
    first_line = head.split(b"\n", 1)[0]
    if is_json_object(first_line) and b"\n" in head.strip():
        for number, line in enumerate(lines(head, stream), start=1):
            if line.strip():
                yield Chunk(SOURCE, f"{label}:{number}", safe_text(line), options)
        return
    data = head + stream.read(_SINGLE_FILE_LIMIT)
    text = safe_text(data)
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        # Truncated or broken: keep the whole file in quarantine with the reason.
        yield Chunk(SOURCE, label, text, options)
        return
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        for number, item in enumerate(document["results"], start=1):
            yield Chunk(SOURCE, f"{label}#{number}", item_json(item), options)
    else:
        yield Chunk(SOURCE, label, text, options)


def parse(chunk: Chunk) -> list[Parsed]:
    data = json_object(chunk, "OpenAlex record")
    raw_id = str(data.get("id") or "")
    entity = parse_openalex(raw_id)
    if not entity:
        raise RecordError(f"missing or malformed OpenAlex id: {raw_id[:80]!r}")
    kind = entity[0]
    if kind == "W":
        return [_work(entity, data)]
    if kind == "A":
        return [_author_entity(entity, data)]
    if kind == "I":
        return [ParsedInstitution(SOURCE, entity, _institution(data))]
    if kind == "S":
        return [_source(entity, data)]
    if kind == "T":
        return [ParsedTopic(SOURCE, entity, _topic(data, 1.0))]
    return []  # publishers, funders, concepts: not part of the catalog


_TYPES = {
    "article": WorkType.JOURNAL_ARTICLE,
    "preprint": WorkType.PREPRINT,
    "posted-content": WorkType.PREPRINT,
    "book": WorkType.BOOK,
    "book-chapter": WorkType.BOOK_CHAPTER,
    "dissertation": WorkType.THESIS,
    "report": WorkType.REPORT,
    "dataset": WorkType.DATASET,
    "proceedings-article": WorkType.CONFERENCE_PAPER,
}


def _work(entity: str, data: dict[str, Any]) -> ParsedWork:
    title = squash(data.get("title") or data.get("display_name"))
    if not title:
        raise RecordError(f"{entity}: missing title")
    identifiers = [("openalex", entity)]
    raw_doi = data.get("doi") or (data.get("ids") or {}).get("doi")
    if raw_doi:
        identifiers.append(("doi", stated_id("doi", raw_doi, entity)))
    ids = data.get("ids") or {}
    if ids.get("pmid"):
        identifiers.append(("pmid", str(ids["pmid"]).rstrip("/").rsplit("/", 1)[-1]))
    location = data.get("primary_location") or {}
    source = location.get("source") or {}
    for loc in data.get("locations") or []:
        landing = str((loc or {}).get("landing_page_url") or "")
        if "arxiv.org/abs/" in landing:
            arxiv_id = parse_arxiv(landing)
            if arxiv_id:
                identifiers.append(("arxiv", arxiv_id))
                break
    work_type = _TYPES.get(str(data.get("type") or ""), WorkType.OTHER)
    if work_type == WorkType.JOURNAL_ARTICLE:
        if source.get("type") == "conference":
            work_type = WorkType.CONFERENCE_PAPER
        elif source.get("type") == "repository":
            work_type = WorkType.PREPRINT
    authors = []
    for position, authorship in enumerate(data.get("authorships") or []):
        person = authorship.get("author") or {}
        name = squash(authorship.get("raw_author_name") or person.get("display_name"))
        if not name:
            continue
        orcid = None
        if person.get("orcid"):
            orcid = stated_id("orcid", person["orcid"], f"{entity} ({name})")
        author_id = parse_openalex(str(person.get("id") or ""), "A")
        authors.append(
            ParsedAuthor(
                name=name,
                position=position,
                affiliation="; ".join(
                    squash(s) for s in authorship.get("raw_affiliation_strings") or []
                ),
                orcid=orcid,
                person_key=f"openalex:{author_id}" if author_id else "",
                institutions=tuple(_institution(i) for i in authorship.get("institutions") or []),
            )
        )
    date = None
    if data.get("publication_date"):
        try:
            date = dt.date.fromisoformat(str(data["publication_date"]))
        except ValueError:
            date = None
    year = data.get("publication_year")
    return ParsedWork(
        source=SOURCE,
        external_id=entity,
        title=title,
        year=int(year) if isinstance(year, int) else (date.year if date else None),
        date=date,
        type=work_type,
        authors=tuple(authors),
        abstract=_abstract(data.get("abstract_inverted_index")),
        venue=squash(source.get("display_name")),
        venue_openalex_id=parse_openalex(str(source.get("id") or ""), "S"),
        identifiers=tuple(identifiers),
        url=str(location.get("landing_page_url") or ""),
        topics=tuple(_topic(t, float(t.get("score") or 0)) for t in data.get("topics") or []),
    )


def _abstract(index: dict[str, list[int]] | None) -> str:
    """Rebuild the text of an OpenAlex ``abstract_inverted_index``."""
    if not index:
        return ""
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions:
            slots[position] = word
    return " ".join(slots[i] for i in sorted(slots))


def _institution(data: dict[str, Any]) -> InstitutionRef:
    return InstitutionRef(
        name=squash(data.get("display_name")) or "Unnamed institution",
        ror=parse_ror(str(data.get("ror") or "")),
        openalex_id=parse_openalex(str(data.get("id") or ""), "I"),
        country=str(data.get("country_code") or "")[:2],
        kind=str(data.get("type") or ""),
    )


_LEVELS = ("domain", "field", "subfield")
# Topic id, name and parents by what a record says of them: a work names a few
# of OpenAlex's 4,500 topics, and each comes with its three parents' ids and names.
_TOPIC_PARTS: dict[tuple[object, ...], tuple[str, str, tuple[tuple[str, str, str], ...]]] = {}
_TOPIC_PARTS_MAX = 1 << 14


def _topic(data: dict[str, Any], score: float) -> TopicRef:
    nodes = [data.get(level) or {} for level in _LEVELS]
    said = _topic_said(data, nodes)
    parts = None if said is None else _TOPIC_PARTS.get(said)
    if parts is None:
        parts = _topic_parts(data, nodes)
        if said is not None:
            if len(_TOPIC_PARTS) >= _TOPIC_PARTS_MAX:
                _TOPIC_PARTS.clear()
            _TOPIC_PARTS[said] = parts
    return TopicRef(parts[0], parts[1], score, parts[2])


def _topic_said(data: dict[str, Any], nodes: list[Any]) -> tuple[str | None, ...] | None:
    """The ids and names a record gives a topic and its parents, as the key
    of ``_TOPIC_PARTS``; None unless each is a string or missing (1, 1.0 and
    True are one key but three ids: such a topic is read afresh, and so is
    one with a level that is not an object, which fails as it always did)."""
    try:
        said = (
            data.get("id"),
            data.get("display_name"),
            *[node.get("id") for node in nodes],
            *[node.get("display_name") for node in nodes],
        )
    except AttributeError:
        return None
    for value in said:
        if value is not None and type(value) is not str:
            return None
    return said


def _topic_parts(
    data: dict[str, Any], nodes: list[Any]
) -> tuple[str, str, tuple[tuple[str, str, str], ...]]:
    parents = []
    for level, node in zip(_LEVELS, nodes, strict=True):
        if node.get("id"):
            parents.append(
                (
                    level,
                    f"openalex:{str(node['id']).rsplit('/', 2)[-2]}/"
                    f"{str(node['id']).rsplit('/', 1)[-1]}",
                    squash(node.get("display_name")),
                )
            )
    topic_id = str(data.get("id") or "").rsplit("/", 1)[-1]
    return f"openalex:{topic_id}", squash(data.get("display_name")), tuple(parents)


def _author_entity(entity: str, data: dict[str, Any]) -> ParsedAuthorEntity:
    name = squash(data.get("display_name"))
    if not name:
        raise RecordError(f"{entity}: author without a name")
    orcid = None
    if data.get("orcid"):
        orcid = stated_id("orcid", data["orcid"], entity)
    affiliations = []
    for item in data.get("affiliations") or []:
        years = [y for y in item.get("years") or [] if isinstance(y, int)]
        affiliations.append(
            (
                _institution(item.get("institution") or {}),
                min(years, default=None),
                max(years, default=None),
            )
        )
    if not affiliations:
        for inst in data.get("last_known_institutions") or []:
            affiliations.append((_institution(inst), None, None))
    return ParsedAuthorEntity(
        source=SOURCE,
        external_id=entity,
        display_name=name,
        openalex_id=entity,
        orcid=orcid,
        name_variants=tuple(squash(v) for v in data.get("display_name_alternatives") or []),
        affiliations=tuple(affiliations),
    )


def _source(entity: str, data: dict[str, Any]) -> ParsedVenue:
    name = squash(data.get("display_name"))
    if not name:
        raise RecordError(f"{entity}: source without a name")
    kinds = {"journal": "journal", "conference": "conference", "repository": "repository"}
    return ParsedVenue(
        source=SOURCE,
        external_id=entity,
        name=name,
        kind=kinds.get(str(data.get("type") or ""), "other"),
        openalex_id=entity,
        issn_l=str(data.get("issn_l") or "")[:9],
        aliases=tuple(squash(a) for a in data.get("alternate_titles") or []),
    )
