"""ROR: data dumps of schema v1 and v2 (a JSON list of organisations), and
single records from the ROR API. Streamed with ijson: the full dump has
over 100,000 organisations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import ijson

from bzpeer.catalog.identifiers import parse_ror

from .records import Chunk, InstitutionRef, ParsedInstitution, RecordError
from .streams import item_json, json_object, safe_text
from .text import squash

SOURCE = "ror"


def chunks(label: str, stream: BinaryIO, options: tuple[tuple[str, str], ...]) -> Iterator[Chunk]:
    """One chunk per organisation of a dump (a JSON list), or the one record of a file."""
    head = stream.read(1 << 12)
    if head.lstrip()[:1] != b"[":
        data = head + stream.read()
        yield Chunk(SOURCE, label, safe_text(data), options)
        return
    number = 0
    try:
        for number, item in enumerate(
            ijson.items(_Rewind(head, stream), "item", use_float=True), start=1
        ):
            yield Chunk(SOURCE, f"{label}#{number}", item_json(item), options)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        yield Chunk(
            SOURCE,
            f"{label}#{number + 1}",
            f"truncated after item {number}: {exc}",
            (*options, ("failed", f"malformed or truncated ROR dump: {exc}")),
        )


class _Rewind:
    """A stream whose first bytes were already read."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""  # ijson probes the stream's type with read(0)
        if self.head:
            data, self.head = self.head, b""
            return data
        return self.rest.read(size)


def parse(chunk: Chunk) -> list[ParsedInstitution]:
    if chunk.option("failed"):
        raise RecordError(str(chunk.option("failed")))
    data = json_object(chunk, "ROR record")
    ror = parse_ror(str(data.get("id") or ""))
    if not ror:
        raise RecordError(f"missing or malformed ROR id: {str(data.get('id'))[:80]!r}")
    if isinstance(data.get("names"), list):
        return [_v2(ror, data)]
    return [_v1(ror, data)]


def _relationships(data: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    out = []
    for rel in data.get("relationships") or []:
        target = parse_ror(str(rel.get("id") or ""))
        if target:
            out.append((str(rel.get("type") or "").lower(), target, squash(rel.get("label"))))
    return tuple(out)


def _v1(ror: str, data: dict[str, Any]) -> ParsedInstitution:
    name = squash(data.get("name"))
    if not name:
        raise RecordError(f"{ror}: missing name")
    country = str((data.get("country") or {}).get("country_code") or "")[:2]
    address = (data.get("addresses") or [{}])[0] or {}
    types = tuple(str(t) for t in data.get("types") or [])
    return ParsedInstitution(
        source=SOURCE,
        external_id=ror,
        ref=InstitutionRef(
            name=name, ror=ror, country=country, kind=types[0].lower() if types else ""
        ),
        aliases=tuple(squash(a) for a in data.get("aliases") or [] if a),
        acronyms=tuple(squash(a) for a in data.get("acronyms") or [] if a),
        labels=tuple(squash(lb.get("label")) for lb in data.get("labels") or [] if lb.get("label")),
        types=types,
        relationships=_relationships(data),
        status=str(data.get("status") or ""),
        established=data.get("established") if isinstance(data.get("established"), int) else None,
        city=squash(address.get("city")),
        links=tuple(str(u) for u in data.get("links") or [] if u),
    )


def _v2(ror: str, data: dict[str, Any]) -> ParsedInstitution:
    display = ""
    aliases: list[str] = []
    acronyms: list[str] = []
    labels: list[str] = []
    for entry in data["names"]:
        value = squash(entry.get("value"))
        kinds = entry.get("types") or []
        if "ror_display" in kinds:
            display = value
        elif "acronym" in kinds:
            acronyms.append(value)
        elif "alias" in kinds:
            aliases.append(value)
        elif "label" in kinds:
            labels.append(value)
    if not display:
        raise RecordError(f"{ror}: no ror_display name")
    location = ((data.get("locations") or [{}])[0] or {}).get("geonames_details") or {}
    types = tuple(str(t) for t in data.get("types") or [])
    return ParsedInstitution(
        source=SOURCE,
        external_id=ror,
        ref=InstitutionRef(
            name=display,
            ror=ror,
            country=str(location.get("country_code") or "")[:2],
            kind=types[0].lower() if types else "",
        ),
        aliases=tuple(aliases),
        acronyms=tuple(acronyms),
        labels=tuple(labels),
        types=types,
        relationships=_relationships(data),
        status=str(data.get("status") or ""),
        established=data.get("established") if isinstance(data.get("established"), int) else None,
        city=squash(location.get("name")),
        links=tuple(
            str(link.get("value") if isinstance(link, dict) else link)
            for link in data.get("links") or []
            if link
        ),
    )
