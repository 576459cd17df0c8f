"""Reading raw bytes: lines of a stream, and text that keeps undecodable input."""

from __future__ import annotations

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


def safe_text(data: bytes) -> str:
    """Decode; undecodable bytes are kept visibly and flagged for quarantine."""
    try:
        if b"\x00" in data:
            raise UnicodeDecodeError("utf-8", data, data.index(b"\x00"), 1, "NUL byte")
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return UNDECODABLE + data.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")


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
        return orjson.loads(chunk.text)
    except orjson.JSONDecodeError as exc:
        raise RecordError(f"malformed or truncated JSON: {exc}") from exc


def json_object(chunk: Chunk, what: str) -> dict[str, Any]:
    """The chunk's JSON object; anything else is a RecordError naming ``what``."""
    data = json_value(chunk)
    if not isinstance(data, dict):
        raise RecordError(f"{what} is not a JSON object")
    return data
