"""Input files: plain, ``.gz``, ``.tar``/``.tar.gz`` and folders, read as streams."""

from __future__ import annotations

import gzip
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class CountingReader:
    """Counts bytes read from the underlying file, for the progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data

    def readinto(self, buffer: bytearray) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0

    def close(self) -> None:
        self.raw.close()


def expand(paths: list[str]) -> list[Path]:
    """Files named, and every file under folders named, in a stable order."""
    out: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            )
        elif path.is_file():
            out.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {name}")
    return out


def total_size(files: list[Path]) -> int:
    return sum(os.path.getsize(p) for p in files)


def open_streams(path: Path, counter: CountingReader) -> Iterator[tuple[str, BinaryIO]]:
    """(label, stream) for each record file inside ``path``."""
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(fileobj=counter, mode="r|*") as archive:  # type: ignore[call-overload]
            for member in archive:
                if member.isfile():
                    stream = archive.extractfile(member)
                    if stream is not None:
                        yield f"{path}!{member.name}", stream
        return
    if name.endswith(".gz"):
        with gzip.GzipFile(fileobj=counter) as stream:  # type: ignore[arg-type,call-overload]
            yield str(path), stream  # type: ignore[misc]
        return
    yield str(path), counter  # type: ignore[misc]
