"""dblp: the XML dump of the dblp computer science bibliography (``dblp.xml``).

The dump is one ``<dblp>`` element holding millions of records. Each record is an
element named after its kind (``article``, ``inproceedings``, ``proceedings``,
``book``, ``incollection``, ``phdthesis``, ``mastersthesis``; ``www`` records are
person pages, not publications) with a unique ``key`` attribute such as
``journals/cacm/Knuth74`` and flat child fields: ``author`` or ``editor`` in order
(homonyms told apart by a four-digit suffix, "Wei Wang 0003", sometimes with an
``orcid`` attribute), ``title`` (may hold ``<i>``, ``<sub>``... and ends in a
period dblp adds), ``year``, ``journal`` or ``booktitle``, ``volume``, ``ee``
(electronic editions: DOI, arXiv and publisher links) and ``url``.

The file is ISO-8859-1 and spells other characters as entities (``&uuml;``)
declared in ``dblp.dtd``. A copy of that DTD ships in ``data/`` and is the only
external resource the parser ever loads, whatever system id the DOCTYPE names.

``chunks`` streams the file with ``iterparse`` and clears each record once it is
re-serialised (entities resolved, UTF-8 text), so memory stays flat on the 4 GB
dump; ``parse`` reads one such record on its own.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from bzpeer.catalog.identifiers import parse_arxiv, parse_doi
from bzpeer.catalog.models import WorkType

from .records import UNDECODABLE, Chunk, ParsedAuthor, ParsedWork, RecordError, stated_id
from .text import squash
from .xmlsafe import parse_xml

SOURCE = "dblp"
DTD_PATH = Path(__file__).resolve().parent / "data" / "dblp.dtd"
_FAILED_LIMIT = 1 << 20  # raw bytes kept for a chunk that could not be read
_TYPES = {
    "article": WorkType.JOURNAL_ARTICLE,
    "inproceedings": WorkType.CONFERENCE_PAPER,
    "proceedings": WorkType.BOOK,
    "book": WorkType.BOOK,
    "incollection": WorkType.BOOK_CHAPTER,
    "phdthesis": WorkType.THESIS,
    "mastersthesis": WorkType.THESIS,
}
_HOMONYM = re.compile(r"^(.*\S)\s+\d{4}$")
_DOI_LINK = re.compile(
    r"^https?://(?:(?:dx|www)\.)?doi(?:\.acm|\.ieeecomputersociety)?\.org/(.+)$", re.IGNORECASE
)


# --- chunking ---------------------------------------------------------------


class _BundledDTD(etree.Resolver):
    """Answers every external lookup with the DTD shipped in this package."""

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        return self.resolve_filename(str(DTD_PATH), context)


class _Tap:
    """Reads for the parser, keeping the last bytes read and any read error."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.window = bytearray()
        self.first_line = 1  # line number of window[0]
        self.error = ""

    def read(self, size: int = -1) -> bytes:
        if self.error:
            return b""
        try:
            data = self.stream.read(size)
        except (OSError, EOFError, zlib.error) as exc:  # e.g. a truncated .gz
            self.error = f"unreadable input: {exc}"
            return b""
        self.window += data
        excess = len(self.window) - _FAILED_LIMIT
        if excess > _FAILED_LIMIT:  # trim in large steps, at a line start if possible
            cut = self.window.rfind(b"\n", 0, excess) + 1 or excess
            self.first_line += self.window.count(b"\n", 0, cut)
            del self.window[:cut]
        return data

    def rest(self, line: int) -> bytes:
        """Raw bytes from ``line`` on (as far back as kept), then unread ones; 1 MB at most."""
        start = 0
        for _ in range(line - self.first_line):
            start = self.window.find(b"\n", start) + 1
            if not start:
                break
        data = bytes(self.window[start : start + _FAILED_LIMIT])
        if len(data) < _FAILED_LIMIT and not self.error:
            with contextlib.suppress(OSError, EOFError, zlib.error):
                data += self.stream.read(_FAILED_LIMIT - len(data))
        return data


def chunks(label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    """One chunk per publication record; an unreadable rest becomes one failed chunk."""
    tap = _Tap(stream)
    events = etree.iterparse(
        tap,
        events=("end",),
        load_dtd=True,
        resolve_entities=True,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    events.resolvers.add(_BundledDTD())
    number = 0
    resume = 1  # the line where unread text starts (the last record's last field)
    try:
        for _, element in events:
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # the root itself, or a field inside a record
            number += 1
            if element.tag in _TYPES:
                yield _record_chunk(label, element, number, options)
            resume = (element[-1] if len(element) else element).sourceline or resume
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
        reason = tap.error
    except etree.XMLSyntaxError as exc:
        reason = tap.error or f"malformed XML: {exc}"
    if reason:
        text = _raw_text(tap.rest(resume))
        yield Chunk(SOURCE, f"{label}#line{resume}", text, (*options, ("failed", reason)))


def _record_chunk(
    label: str, element: Any, number: int, options: tuple[tuple[str, str], ...]
) -> Chunk:
    key = element.get("key") or str(number)
    text = etree.tostring(element, encoding="unicode", with_tail=False)
    return Chunk(SOURCE, f"{label}#{key}", text, options)


def _raw_text(data: bytes) -> str:
    """Bytes as text for quarantine: UTF-8 if they are, else ISO-8859-1 (dblp's own)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("iso-8859-1")
    return text.replace("\x00", "\\x00")


# --- parsing ----------------------------------------------------------------


def parse(chunk: Chunk) -> list[ParsedWork]:
    failed = chunk.option("failed")
    if failed:
        raise RecordError(failed)
    if chunk.text.startswith(UNDECODABLE):
        raise RecordError("undecodable bytes (not UTF-8)")
    return [_work(parse_xml(chunk.text))]


def _work(record: Any) -> ParsedWork:
    work_type = _TYPES.get(record.tag)
    if work_type is None:
        raise RecordError(f"not a dblp publication record: <{record.tag}>")
    key = squash(record.get("key"))
    if not key:
        raise RecordError("dblp record without a key")
    title = _title(record)
    if not title:
        raise RecordError(f"{key}: missing title")
    # dblp lists volumes, reports and anonymous columns with editors only, or
    # with nobody: they are works all the same (OpenAlex holds such works too).
    authors = _people(record, key)
    journal = _field(record, "journal")
    if work_type == WorkType.JOURNAL_ARTICLE and journal == "CoRR":
        work_type = WorkType.PREPRINT
    elif work_type == WorkType.JOURNAL_ARTICLE and key.startswith("tr/"):
        work_type = WorkType.REPORT  # dblp files technical reports as informal articles
    links = [link for link in (_text(ee) for ee in record.iterfind("ee")) if link]
    year = _field(record, "year")
    return ParsedWork(
        source=SOURCE,
        external_id=key,
        title=title,
        year=int(year) if year.isdigit() else None,
        type=work_type,
        authors=tuple(authors),
        venue=journal
        or _field(record, "booktitle")
        or _field(record, "school")
        or _field(record, "publisher"),
        identifiers=_identifiers(key, links, journal, _field(record, "volume")),
        url=links[0] if links else f"https://dblp.org/rec/{key}",
    )


def _text(node: Any) -> str:
    """All text in an element, inner markup (``<i>``, ``<sub>``) flattened."""
    return squash("".join(node.itertext()))


def _field(record: Any, name: str) -> str:
    node = record.find(name)
    return "" if node is None else _text(node)


def _title(record: Any) -> str:
    """The title without the period dblp appends (an ellipsis stays)."""
    title = _field(record, "title")
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title


def _people(record: Any, key: str) -> list[ParsedAuthor]:
    """Authors in order; an edited volume without authors has its editors
    instead, in the role of editor."""
    role = "author"
    nodes = record.findall("author")
    if not nodes:
        role, nodes = "editor", record.findall("editor")
    people: list[ParsedAuthor] = []
    for node in nodes:
        full = _text(node)
        if full:
            people.append(_person(full, node.get("orcid"), len(people), key, role))
    return people


def _person(
    full: str, raw_orcid: str | None, position: int, key: str, role: str
) -> ParsedAuthor:
    """'Werner Haas 0004' is shown as 'Werner Haas'; the full dblp name is the person key."""
    orcid = stated_id("orcid", raw_orcid, f"{key} ({full})") if raw_orcid is not None else None
    homonym = _HOMONYM.match(full)
    return ParsedAuthor(
        name=homonym.group(1) if homonym else full,
        position=position,
        orcid=orcid,
        person_key=f"dblp:{full}",
        role=role,
    )


def _identifiers(
    key: str, links: list[str], journal: str, volume: str
) -> tuple[tuple[str, str], ...]:
    """The dblp key, the first DOI link's DOI and an arXiv id (a link or a CoRR volume)."""
    found = [("dblp", key)]
    dois = (parse_doi(m.group(1)) for m in map(_DOI_LINK.match, links) if m)
    doi = next((d for d in dois if d), None)
    if doi:
        found.append(("doi", doi))
    arxiv = next((a for a in map(parse_arxiv, links) if a), None)
    if not arxiv and journal == "CoRR" and volume.startswith("abs/"):
        arxiv = parse_arxiv(volume.removeprefix("abs/"))
    if arxiv:
        found.append(("arxiv", arxiv))
    return tuple(found)
