"""Reading raw bytes: lines of a stream, and text that keeps undecodable input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from .records import UNDECODABLE, Chunk, RecordError


def lines(head: bytes, rest: BinaryIO) -> Iterator[bytes]:
    """Lines (with their newline) of ``head`` followed by the rest of the stream."""
    buffer = head
    while True:
        *complete, buffer = buffer.split(b"\n")
        for line in complete:
            yield line + b"\n"
        data = rest.read(1 << 16)
        if not data:
            break
        buffer += data
    if buffer:
        yield buffer


def head_of(stream: BinaryIO, limit: int) -> bytes:
    """The stream's first 64 KiB, read further (up to ``limit``) until
    something follows its first line: a JSON-lines file whose first record is
    longer than a block still shows a second line, and is split as lines."""
    head = stream.read(1 << 16)
    while len(head) < limit:
        end = head.find(b"\n")
        if end != -1 and head[end + 1 :].strip():
            break
        more = stream.read(1 << 16)
        if not more:
            break
        head += more
    return head


def safe_text(data: bytes) -> str:
    """Decode; undecodable bytes are kept visibly and flagged for quarantine.

    NUL bytes are dropped: no field can hold one (PostgreSQL text refuses
    them) and they carry no meaning, so the rest of the record imports."""
    clean = data.replace(b"\x00", b"") if b"\x00" in data else data
    try:
        return clean.decode("utf-8")
    except UnicodeDecodeError:
        return UNDECODABLE + data.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")


def loads(text: str) -> Any:
    """A record's JSON, NUL characters (written ``\\u0000``) taken out of
    every string in it, as ``safe_text`` takes NUL bytes out of raw text."""
    data = orjson.loads(text)
    return _without_nul(data) if "\\u0000" in text else data


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def item_json(item: Any) -> str:
    """One record of a larger document (an API page, a dump) as JSON text of
    its own, its chunk's text.

    orjson writes 255 levels at most: a record nested deeper is written by
    the standard library, and one too deep even for that becomes a chunk its
    parser quarantines (not a JSON object), never an error that stops the run."""
    try:
        return orjson.dumps(item).decode()
    except TypeError:  # orjson.JSONEncodeError: nested too deep
        try:
            return json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        except RecursionError:
            return '"a record nested too deeply to be split out of its document"'


def is_json_object(line: bytes) -> bool:
    """Whether a line is a whole JSON object (a JSON-lines file starts with one)."""
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def json_value(chunk: Chunk) -> Any:
    """The chunk's JSON, or the RecordError that sends it to quarantine."""
    if chunk.text.startswith(UNDECODABLE):
        raise RecordError("undecodable bytes (not UTF-8)")
    try:
        return loads(chunk.text)
    except orjson.JSONDecodeError as exc:
        raise RecordError(f"malformed or truncated JSON: {exc}") from exc


def json_object(chunk: Chunk, what: str) -> dict[str, Any]:
    """The chunk's JSON object; anything else is a RecordError naming ``what``."""
    data = json_value(chunk)
    if not isinstance(data, dict):
        raise RecordError(f"{what} is not a JSON object")
    return data
