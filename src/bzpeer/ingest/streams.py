"""Reading raw bytes: lines of a stream, and text that keeps undecodable input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from .records import UNDECODABLE


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
