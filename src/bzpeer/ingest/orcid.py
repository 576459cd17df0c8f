"""ORCID public records, API v3.0, as XML (the public data file's summaries)
or JSON (``/record``): the person with names and other names, employments and
educations with dates (-> affiliation history), and works with external ids.

A record splits into one chunk for the person and one per work group. Each
work becomes a version whose only known author is the record's owner, with
the ORCID iD as hard evidence, so the ORCID record attaches to the author
record it identifies and to the works other sources hold.

Not every work on a record is the owner's: search-and-link tools import a
whole profile from another database, which may hold a namesake's papers
(Eliana Ferroni's record, an epidemiologist publishing since 2006, lists
1959-1960 chemistry papers imported from Scopus). A work whose year lies
more than ``CAREER_GAP`` years from every year of the record's main body of
work keeps the owner's name but not the iD: resolution places it on the
evidence of the work itself, as any other mention.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson
from lxml import etree

from bzpeer.catalog.identifiers import parse_arxiv, parse_doi, parse_orcid, parse_ror
from bzpeer.catalog.models import WorkType

from .records import (
    UNDECODABLE,
    Chunk,
    InstitutionRef,
    Parsed,
    ParsedAuthor,
    ParsedAuthorEntity,
    ParsedWork,
    RecordError,
)
from .streams import item_json, loads, safe_text
from .text import squash
from .xmlsafe import parse_xml

SOURCE = "orcid"
NS = {
    "record": "http://www.orcid.org/ns/record",
    "person": "http://www.orcid.org/ns/person",
    "personal-details": "http://www.orcid.org/ns/personal-details",
    "other-name": "http://www.orcid.org/ns/other-name",
    "activities": "http://www.orcid.org/ns/activities",
    "employment": "http://www.orcid.org/ns/employment",
    "education": "http://www.orcid.org/ns/education",
    "work": "http://www.orcid.org/ns/work",
    "common": "http://www.orcid.org/ns/common",
    "error": "http://www.orcid.org/ns/error",
}
_TYPES = {
    "journal-article": WorkType.JOURNAL_ARTICLE,
    "conference-paper": WorkType.CONFERENCE_PAPER,
    "preprint": WorkType.PREPRINT,
    "book": WorkType.BOOK,
    "edited-book": WorkType.BOOK,
    "book-chapter": WorkType.BOOK_CHAPTER,
    "dissertation-thesis": WorkType.THESIS,
    "dissertation": WorkType.THESIS,
    "report": WorkType.REPORT,
    "working-paper": WorkType.PREPRINT,
    "data-set": WorkType.DATASET,
}


# --- chunking ---------------------------------------------------------------


def chunks(label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    text = safe_text(stream.read())
    if text.startswith(UNDECODABLE):
        yield Chunk(SOURCE, label, text, options)
        return
    if text.lstrip().startswith("{"):
        yield from _json_chunks(label, text, options)
    else:
        yield from _xml_chunks(label, text, options)


def _xml_chunks(label: str, text: str, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    try:
        root = parse_xml(text)
    except RecordError as exc:
        yield Chunk(SOURCE, label, text, (*options, ("failed", str(exc))))
        return
    if root.tag == f"{{{NS['error']}}}error":
        code = root.findtext("error:response-code", namespaces=NS)
        message = squash(root.findtext("error:developer-message", namespaces=NS))
        yield Chunk(SOURCE, label, text, (*options, ("failed", f"ORCID error {code}: {message}")))
        return
    if root.tag != f"{{{NS['record']}}}record":
        reason = f"not a full ORCID record (root element {etree.QName(root).localname})"
        yield Chunk(SOURCE, label, text, (*options, ("failed", reason)))
        return
    orcid = parse_orcid(root.findtext("common:orcid-identifier/common:path", namespaces=NS))
    if not orcid:
        yield Chunk(SOURCE, label, text, (*options, ("failed", "no valid ORCID iD in record")))
        return
    owner = _xml_name(root)
    base = (*options, ("format", "xml"), ("orcid", orcid), ("owner", owner))
    yield Chunk(SOURCE, f"{label}#person", text, (*base, ("part", "person")))
    groups = list(
        root.iterfind("activities:activities-summary/activities:works/activities:group", NS)
    )
    years = [_year(g.find("work:work-summary", NS), "common:publication-date") for g in groups]
    detached = detached_years(years)
    for number, (group, year) in enumerate(zip(groups, years, strict=True), start=1):
        yield Chunk(
            SOURCE,
            f"{label}#work-{number}",
            etree.tostring(group, encoding="unicode"),
            (*base, ("part", "work"), *_detached_option(year, detached)),
        )


def _json_chunks(label: str, text: str, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    try:
        data = loads(text)
    except orjson.JSONDecodeError as exc:
        yield Chunk(SOURCE, label, text, (*options, ("failed", f"malformed JSON: {exc}")))
        return
    orcid = parse_orcid(str(((data or {}).get("orcid-identifier") or {}).get("path") or ""))
    if not orcid:
        yield Chunk(SOURCE, label, text, (*options, ("failed", "no valid ORCID iD in record")))
        return
    owner = _json_name(data.get("person") or {})
    base = (*options, ("format", "json"), ("orcid", orcid), ("owner", owner))
    yield Chunk(SOURCE, f"{label}#person", text, (*base, ("part", "person")))
    works = ((data.get("activities-summary") or {}).get("works") or {}).get("group") or []
    years = [
        _json_year(((group.get("work-summary") or [{}])[0] or {}).get("publication-date"))
        for group in works
    ]
    detached = detached_years(years)
    for number, (group, year) in enumerate(zip(works, years, strict=True), start=1):
        yield Chunk(
            SOURCE,
            f"{label}#work-{number}",
            item_json(group),
            (*base, ("part", "work"), *_detached_option(year, detached)),
        )


CAREER_GAP = 25  # years without a work that split a record's works in two bodies


def detached_years(years: list[int | None]) -> set[int]:
    """The years of a record's works that lie apart from its main body: the
    years sorted are cut wherever two neighbours are more than ``CAREER_GAP``
    apart, and every part but the one with the most works is detached (a
    tie keeps the latest part: the record's owner is active now)."""
    known = sorted(y for y in years if y is not None)
    if not known:
        return set()
    parts: list[list[int]] = [[known[0]]]
    for year in known[1:]:
        if year - parts[-1][-1] > CAREER_GAP:
            parts.append([])
        parts[-1].append(year)
    if len(parts) == 1:
        return set()
    main = max(range(len(parts)), key=lambda i: (len(parts[i]), i))
    return {year for i, part in enumerate(parts) if i != main for year in part}


def _detached_option(year: int | None, detached: set[int]) -> tuple[tuple[str, str], ...]:
    return (("detached", "1"),) if year in detached else ()


# --- parsing ----------------------------------------------------------------


def parse(chunk: Chunk) -> list[Parsed]:
    if chunk.text.startswith(UNDECODABLE):
        raise RecordError("undecodable bytes (not UTF-8)")
    if chunk.option("failed"):
        raise RecordError(str(chunk.option("failed")))
    orcid = str(chunk.option("orcid") or "")
    owner = str(chunk.option("owner") or "")
    if not owner:
        raise RecordError(f"ORCID {orcid}: the record has no public name")
    xml = chunk.option("format") == "xml"
    if chunk.option("part") == "person":
        return [
            _person_xml(orcid, owner, chunk.text) if xml else _person_json(orcid, owner, chunk.text)
        ]
    summary = _work_xml(chunk.text) if xml else _work_json(chunk.text)
    if not summary:
        return []
    return [_work(orcid, owner, summary, detached=chunk.option("detached") == "1")]


def _xml_name(root: etree._Element) -> str:
    name = root.find("person:person/person:name", NS)
    if name is None:
        return ""
    credit = squash(name.findtext("personal-details:credit-name", namespaces=NS))
    given = squash(name.findtext("personal-details:given-names", namespaces=NS))
    family = squash(name.findtext("personal-details:family-name", namespaces=NS))
    return credit or squash(f"{given} {family}")


def _json_name(person: dict[str, Any]) -> str:
    name = person.get("name") or {}

    def value(key: str) -> str:
        return squash(str((name.get(key) or {}).get("value") or ""))

    return value("credit-name") or squash(f"{value('given-names')} {value('family-name')}")


def _year(node: etree._Element | None, path: str) -> int | None:
    if node is None:
        return None
    text = node.findtext(f"{path}/common:year", namespaces=NS)
    return int(text) if text and text.strip().isdigit() else None


def _person_xml(orcid: str, owner: str, text: str) -> ParsedAuthorEntity:
    root = parse_xml(text)
    others = tuple(
        squash(n.text)
        for n in root.iterfind(
            "person:person/other-name:other-names/other-name:other-name/other-name:content", NS
        )
        if squash(n.text)
    )
    affiliations = []
    for kind in ("employment", "education"):
        for summary in root.iter(f"{{{NS[kind]}}}{kind}-summary"):
            org = summary.find("common:organization", NS)
            if org is None:
                continue
            ror = None
            if (
                org.findtext(
                    "common:disambiguated-organization/common:disambiguation-source", namespaces=NS
                )
                == "ROR"
            ):
                ror = parse_ror(
                    org.findtext(
                        "common:disambiguated-organization/"
                        "common:disambiguated-organization-identifier",
                        namespaces=NS,
                    )
                )
            ref = InstitutionRef(
                name=squash(org.findtext("common:name", namespaces=NS)) or "Unnamed organisation",
                ror=ror,
                country=squash(org.findtext("common:address/common:country", namespaces=NS))[:2],
                kind=kind,
            )
            affiliations.append(
                (ref, _year(summary, "common:start-date"), _year(summary, "common:end-date"))
            )
    return ParsedAuthorEntity(SOURCE, orcid, owner, None, orcid, others, tuple(affiliations))


def _person_json(orcid: str, owner: str, text: str) -> ParsedAuthorEntity:
    data = loads(text)
    person = data.get("person") or {}
    others = tuple(
        squash(str(n.get("content") or ""))
        for n in (person.get("other-names") or {}).get("other-name") or []
        if squash(str(n.get("content") or ""))
    )
    summary_root = data.get("activities-summary") or {}
    affiliations = []
    for kind in ("employment", "education"):
        for group in (summary_root.get(f"{kind}s") or {}).get("affiliation-group") or []:
            for item in group.get("summaries") or []:
                summary = item.get(f"{kind}-summary") or {}
                org = summary.get("organization") or {}
                disambiguated = org.get("disambiguated-organization") or {}
                ror = (
                    parse_ror(str(disambiguated.get("disambiguated-organization-identifier") or ""))
                    if disambiguated.get("disambiguation-source") == "ROR"
                    else None
                )
                ref = InstitutionRef(
                    name=squash(org.get("name")) or "Unnamed organisation",
                    ror=ror,
                    country=str((org.get("address") or {}).get("country") or "")[:2],
                    kind=kind,
                )
                affiliations.append(
                    (
                        ref,
                        _json_year(summary.get("start-date")),
                        _json_year(summary.get("end-date")),
                    )
                )
    return ParsedAuthorEntity(SOURCE, orcid, owner, None, orcid, others, tuple(affiliations))


def _json_year(date: dict[str, Any] | None) -> int | None:
    value = str(((date or {}).get("year") or {}).get("value") or "")
    return int(value) if value.isdigit() else None


# A work summary in neutral form: put-code, title, type, year, venue, [(type, value, relation)]
Summary = tuple[str, str, str, int | None, str, list[tuple[str, str, str]]]


def _work_xml(text: str) -> Summary | None:
    group = parse_xml(text)
    work = group.find("work:work-summary", NS)
    if work is None:
        return None
    ids = [
        (
            squash(e.findtext("common:external-id-type", namespaces=NS)),
            squash(e.findtext("common:external-id-value", namespaces=NS)),
            squash(e.findtext("common:external-id-relationship", namespaces=NS)),
        )
        for e in work.iterfind("common:external-ids/common:external-id", NS)
    ]
    return (
        work.get("put-code") or "",
        squash(work.findtext("work:title/common:title", namespaces=NS)),
        squash(work.findtext("work:type", namespaces=NS)),
        _year(work, "common:publication-date"),
        squash(work.findtext("work:journal-title", namespaces=NS)),
        ids,
    )


def _work_json(text: str) -> Summary | None:
    summaries = loads(text).get("work-summary") or []
    if not summaries:
        return None
    work = summaries[0]
    ids = [
        (
            str(e.get("external-id-type") or ""),
            str(e.get("external-id-value") or ""),
            str(e.get("external-id-relationship") or ""),
        )
        for e in (work.get("external-ids") or {}).get("external-id") or []
    ]
    title = (((work.get("title") or {}).get("title")) or {}).get("value") or ""
    return (
        str(work.get("put-code") or ""),
        squash(str(title)),
        str(work.get("type") or ""),
        _json_year(work.get("publication-date")),
        squash(str((work.get("journal-title") or {}).get("value") or "")),
        ids,
    )


def _work(orcid: str, owner: str, summary: Summary, detached: bool = False) -> ParsedWork:
    put_code, title, kind, year, venue, ids = summary
    if not title:
        raise RecordError(f"ORCID {orcid} work {put_code}: missing title")
    identifiers: list[tuple[str, str]] = []
    for scheme, value, relation in ids:
        if relation not in {"self", "version-of"}:
            continue
        parsed = {"doi": parse_doi, "arxiv": parse_arxiv}.get(scheme.lower(), lambda v: None)(value)
        if parsed:  # ORCID ids are typed by hand; unreadable ones are left out
            identifiers.append((scheme.lower(), parsed))
        elif scheme.lower() == "pmid" and value.strip().isdigit():
            identifiers.append(("pmid", value.strip()))
    return ParsedWork(
        source=SOURCE,
        external_id=f"{orcid}:{put_code}",
        title=title,
        year=year,
        type=_TYPES.get(kind.lower(), WorkType.OTHER),
        authors=(
            ParsedAuthor(owner, None)
            if detached  # the owner's name only: see ``detached_years``
            else ParsedAuthor(owner, None, orcid=orcid, person_key=f"orcid:{orcid}"),
        ),
        venue=venue,
        identifiers=tuple(dict.fromkeys(identifiers)),
        url=f"https://orcid.org/{orcid}",
    )
