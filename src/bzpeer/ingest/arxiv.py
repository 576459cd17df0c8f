"""arXiv: ``.abs`` files, monthly listings, the JSON-lines metadata snapshot and
OAI-PMH ``ListRecords`` XML with ``metadataPrefix=arXiv``."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import BinaryIO

import orjson
from lxml import etree

from bzpeer.catalog.arxiv_categories import category_name, group_of
from bzpeer.catalog.identifiers import parse_arxiv
from bzpeer.catalog.models import WorkType

from .records import UNDECODABLE, Chunk, ParsedAuthor, ParsedWork, RecordError, TopicRef, stated_id
from .streams import lines, loads, safe_text
from .text import latex_accents, latex_to_unicode, squash
from .xmlsafe import parse_xml

SOURCE = "arxiv"
_FIELD = re.compile(r"^([A-Za-z][A-Za-z\- ()0-9]*):\s?(.*)$")
_OAI = "{http://www.openarchives.org/OAI/2.0/}"
_ARX = "{http://arxiv.org/OAI/arXiv/}"
_LEGEND = re.compile(r"^\(\s*\(?\d+\)")
_ID_LINE = re.compile(r"^(?:arXiv|Paper)\s*(?:\([^)]*\))?\s*:\s*(\S+)")
_PLAIN_SPLIT = re.compile(r",|\s+and\s+")
_MARKER = re.compile(r"\((\d+(?:\s*(?:,|and)\s*\d+)*)\)\s*$")
_TRAILING_LEGEND = re.compile(r"\(\s*\(\d+\).*\)\s*$")


# --- chunking ---------------------------------------------------------------


def chunks(label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    """Split a file into one chunk per record, sniffing the format."""
    head = stream.read(512)
    rest = stream
    first = head.lstrip()[:1]
    if first == b"{":
        yield from _jsonlines(label, head, rest, options)
    elif first == b"<":
        yield from _oai_records(label, safe_text(head + rest.read()), options)
    else:
        yield from _blocks(label, head, rest, options)


def _oai_records(label: str, text: str, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    """One chunk per OAI-PMH ``<record>``; a document that cannot be read is one bad chunk."""
    try:
        if text.startswith(UNDECODABLE):
            raise RecordError("undecodable bytes (not UTF-8)")
        root = parse_xml(text)
    except RecordError as exc:
        yield Chunk(SOURCE, label, text, (*options, ("format", "oai"), ("failed", str(exc))))
        return
    error = root.find(f"{_OAI}error")
    if error is not None and error.get("code") != "noRecordsMatch":
        reason = f"OAI-PMH error {error.get('code')}: {squash(error.text)}"
        yield Chunk(SOURCE, label, text, (*options, ("format", "oai"), ("failed", reason)))
    for number, record in enumerate(root.iter(f"{_OAI}record"), start=1):
        yield Chunk(
            SOURCE,
            f"{label}#{number}",
            etree.tostring(record, encoding="unicode"),
            (*options, ("format", "oai")),
        )


def _jsonlines(
    label: str, head: bytes, rest: BinaryIO, options: tuple[tuple[str, str], ...]
) -> Iterator[Chunk]:
    number = 0
    pending = head
    for line in lines(pending, rest):
        number += 1
        if line.strip():
            yield Chunk(
                SOURCE, f"{label}:{number}", safe_text(line), (*options, ("format", "json"))
            )


_DASHES = b"-" * 30


def _separator_lines(buffer: bytes) -> Iterator[tuple[int, int]]:
    r"""(start, end) of each complete line that starts with 30 dashes: what
    ``^-{30,}[^\n]*\n`` finds in multi-line mode, by ``bytes.find``, several
    times faster than that regex, which tries every position."""
    at = buffer.find(_DASHES)
    while at >= 0:
        end = buffer.find(b"\n", at)
        if end < 0:
            return
        if at == 0 or buffer[at - 1] == 10:  # at a line's start
            yield at, end + 1
        at = buffer.find(_DASHES, end + 1)


def _blocks(
    label: str, head: bytes, rest: BinaryIO, options: tuple[tuple[str, str], ...]
) -> Iterator[Chunk]:
    """Listing and ``.abs`` files: records separated by lines of dashes.

    Reads 64 KiB at a time (a truncated ``.gz`` loses no more than that) and
    splits on separator lines; the locator is the line number
    where each block starts.
    """
    opts = (*options, ("format", "abs"))
    buffer = head
    line = 1
    while True:
        data = rest.read(1 << 16)
        buffer += data
        position = 0
        for start, end in _separator_lines(buffer):
            block = buffer[position:start]
            if block.strip():
                yield Chunk(SOURCE, f"{label}:{line}", safe_text(block), opts)
            line += block.count(b"\n") + 1
            position = end
        buffer = buffer[position:]
        if not data:
            break
    if buffer.strip():
        yield Chunk(SOURCE, f"{label}:{line}", safe_text(buffer), opts)


# --- parsing ----------------------------------------------------------------


def parse(chunk: Chunk) -> list[ParsedWork]:
    if chunk.text.startswith(UNDECODABLE):
        raise RecordError("undecodable bytes (not UTF-8)")
    kind = chunk.option("format")
    if kind == "json":
        return [_from_json(chunk)]
    if kind == "oai":
        return _from_oai(chunk)
    work = _from_abs(chunk)
    return [work] if work else []


def _from_abs(chunk: Chunk) -> ParsedWork | None:
    head, _, tail = chunk.text.strip().strip("\\").strip().partition("\n\\\\\n")
    fields: dict[str, str] = {}
    dates: list[str] = []
    current = ""
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped == "\\\\":
            continue
        if current and line[0] in " \t":
            fields[current] += " " + stripped
            continue
        if line.startswith(("arXiv:", "Paper")):
            # "arXiv:0704.0001", "Paper: astro-ph/0001001",
            # "Paper (*cross-listing*): gr-qc/9407007", "arXiv:1810.0001 (*cross-listing*)"
            ident = _ID_LINE.match(line)
            if ident:
                fields["id"] = ident.group(1)
                continue
        match = _FIELD.match(line)
        if not match:
            continue
        current = match.group(1).strip()
        if current.startswith("Date"):
            dates.append(match.group(2))
        fields[current] = match.group(2).strip()
    abstract = tail.rsplit("\n\\\\", 1)[0] if tail else ""
    raw_id = fields.get("id", "")
    if not raw_id and "Title" not in fields and "Authors" not in fields:
        return None  # a listing's header or footer, not a record
    date = _email_date(dates[0]) if dates else None
    return _build(
        raw_id=raw_id,
        title=fields.get("Title", ""),
        authors=_split_authors(fields.get("Authors", "")),
        abstract=abstract,
        date=date,
        categories=fields.get("Categories", ""),
        doi=fields.get("DOI", ""),
        journal_ref=fields.get("Journal-ref", ""),
    )


def _from_json(chunk: Chunk) -> ParsedWork:
    try:
        data = loads(chunk.text)
    except orjson.JSONDecodeError as exc:
        raise RecordError(f"malformed JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise RecordError("JSON line is not an object")
    versions = data.get("versions") or []
    date = _email_date(versions[0].get("created", "")) if versions else None
    if data.get("authors_parsed"):
        authors = [
            _author(
                " ".join(p for p in (parts[1] if len(parts) > 1 else "", parts[0]) if p),
                i,
                parts[2] if len(parts) > 2 else "",
            )
            for i, parts in enumerate(data["authors_parsed"])
        ]
    else:
        authors = _split_authors(str(data.get("authors") or ""))
    return _build(
        raw_id=str(data.get("id") or ""),
        title=str(data.get("title") or ""),
        authors=authors,
        abstract=str(data.get("abstract") or ""),
        date=date,
        categories=str(data.get("categories") or ""),
        doi=str(data.get("doi") or ""),
        journal_ref=str(data.get("journal-ref") or ""),
    )


def _from_oai(chunk: Chunk) -> list[ParsedWork]:
    failed = chunk.option("failed")
    if failed:
        raise RecordError(failed)
    record = parse_xml(chunk.text)
    meta = record.find(f"{_OAI}metadata/{_ARX}arXiv")
    if meta is None:
        return []  # a deleted record or another metadata format: nothing to import
    authors = []
    for i, node in enumerate(meta.iterfind(f"{_ARX}authors/{_ARX}author")):
        name = " ".join(
            squash(node.findtext(f"{_ARX}{part}")) for part in ("forenames", "keyname")
        ).strip()
        affiliation = "; ".join(squash(a.text) for a in node.iterfind(f"{_ARX}affiliation"))
        authors.append(_author(name, i, affiliation))
    return [
        _build(
            raw_id=meta.findtext(f"{_ARX}id") or "",
            title=meta.findtext(f"{_ARX}title") or "",
            authors=authors,
            abstract=meta.findtext(f"{_ARX}abstract") or "",
            date=_iso_date(meta.findtext(f"{_ARX}created") or ""),
            categories=meta.findtext(f"{_ARX}categories") or "",
            doi=meta.findtext(f"{_ARX}doi") or "",
            journal_ref=meta.findtext(f"{_ARX}journal-ref") or "",
        )
    ]


def _build(
    *,
    raw_id: str,
    title: str,
    authors: list[ParsedAuthor],
    abstract: str,
    date: dt.date | None,
    categories: str,
    doi: str,
    journal_ref: str,
) -> ParsedWork:
    arxiv_id = parse_arxiv(raw_id.split()[0] if raw_id.strip() else "")
    if not arxiv_id:
        raise RecordError(f"missing or malformed arXiv id: {raw_id[:80]!r}")
    title = latex_accents(title)
    if not title:
        raise RecordError(f"arXiv {arxiv_id}: missing title")
    identifiers = [("arxiv", arxiv_id)]
    if doi.strip():
        first = doi.split()[0]
        identifiers.append(("doi", stated_id("doi", first, f"arXiv {arxiv_id}")))
    if not authors:
        raise RecordError(f"arXiv {arxiv_id}: no authors")
    year = date.year if date else _year_from_id(arxiv_id)
    topics = tuple(arxiv_topic(c, 1.0 if i == 0 else 0.5) for i, c in enumerate(categories.split()))
    return ParsedWork(
        source=SOURCE,
        external_id=arxiv_id,
        title=title,
        year=year,
        date=date,
        type=WorkType.PREPRINT,
        authors=tuple(authors),
        abstract=latex_accents(abstract),
        venue="arXiv",
        identifiers=tuple(identifiers),
        journal_ref=squash(journal_ref),
        url=f"https://arxiv.org/abs/{arxiv_id}",
        topics=topics,
    )


@lru_cache(maxsize=4096)
def arxiv_topic(code: str, score: float) -> TopicRef:
    """An arXiv category as a topic under its archive group (cs.LG under cs);
    memoised (a TopicRef is frozen): a few hundred categories recur."""
    parents: tuple[tuple[str, str, str], ...] = ()
    if "." in code:
        group, group_name = group_of(code)
        parents = (("group", f"arxiv:{group}", group_name),)
    return TopicRef(f"arxiv:{code}", category_name(code), score, parents)


def _year_from_id(arxiv_id: str) -> int | None:
    digits = arxiv_id.split("/")[-1][:2]
    if not digits.isdigit():
        return None
    yy = int(digits)
    return 1900 + yy if yy >= 91 else 2000 + yy


_SIZE_REMARK = re.compile(r"\s+\(.*$")
# The form nearly every listing date has: "Tue, 4 Jan 2000 19:30:00 GMT".
_PLAIN_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]\d{3}) "
    r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d GMT"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


def _email_date(text: str) -> dt.date | None:
    text = _SIZE_REMARK.sub("", text.strip())
    plain = _PLAIN_DATE.fullmatch(text)
    if plain:  # what email.utils would return, without its general parser
        with contextlib.suppress(ValueError):
            return dt.date(int(plain.group(3)), _MONTHS[plain.group(2)], int(plain.group(1)))
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _author(name: str, position: int, affiliation: str = "") -> ParsedAuthor:
    return ParsedAuthor(latex_to_unicode(name), position, latex_to_unicode(affiliation))


_SPLIT_TOKENS = re.compile(r"[(),]|\s+and\s+")


def _split_top_level(text: str) -> list[str]:
    """Split on commas and 'and' that are outside parentheses."""
    parts: list[str] = []
    depth = 0
    start = 0
    for match in _SPLIT_TOKENS.finditer(text):
        token = match.group(0)
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return [p for p in (squash(x) for x in parts) if p]


def _read_legend(text: str, legend: dict[str, str]) -> None:
    """``((1) MIT, (2) PKU)`` -> {"1": "MIT", "2": "PKU"}."""
    inner = text.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    for number, value in re.findall(r"\((\d+)\)\s*([^()]+?)(?=\s*\(\d+\)|$)", inner.strip()):
        legend[number] = squash(value).strip(" ,;")


def _byline_name(part: str) -> str:
    """A part of a byline as a name: a leading "and " dropped, "" for "et al."."""
    if part.lower().startswith("et al"):
        return ""
    return part[4:] if part.startswith("and ") else part


def _split_authors(text: str) -> list[ParsedAuthor]:
    """``A. Smith (MIT), B. Jones (1), C. Wu (1,2) ((1) MIT, (2) PKU)`` -> authors."""
    text = squash(text)
    if "(" not in text:
        # No legend, marker or affiliation (most listing bylines): the names
        # alone, as the general loop below would find them.
        authors: list[ParsedAuthor] = []
        for raw in _PLAIN_SPLIT.split(text):
            name = _byline_name(raw.strip())  # the byline is squashed: strip is squash here
            if name:
                authors.append(_author(name, len(authors)))
        return authors
    legend: dict[str, str] = {}
    parts = _split_top_level(text)
    names: list[tuple[str, str]] = []
    for part in parts:
        # Legends, markers and affiliations all need a parenthesis: most
        # listing bylines have none, and skip the regexes.
        if "(" in part:
            trailing = _TRAILING_LEGEND.search(part)
            if trailing and not _LEGEND.match(part):
                part, legend_text = part[: trailing.start()].strip(), trailing.group(0)
                _read_legend(legend_text, legend)
            if _LEGEND.match(part):
                _read_legend(part, legend)
                continue
        part = _byline_name(part)
        affiliation = ""
        if "(" in part:
            marker = _MARKER.search(part)
            if marker:
                affiliation = "#" + marker.group(1)
                part = part[: marker.start()].strip()
            elif part.endswith(")"):
                head, _, tail = part.partition("(")
                part, affiliation = head.strip(), tail[:-1].strip()
        if part:
            names.append((part, affiliation))
    authors = []
    for i, (name, affiliation) in enumerate(names):
        if affiliation.startswith("#"):
            numbers = [n.strip() for n in re.split(r",|\band\b", affiliation[1:])]
            affiliation = "; ".join(legend[n] for n in numbers if n in legend)
        authors.append(_author(name, i, affiliation))
    return authors
