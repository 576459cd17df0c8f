"""The import sources: how each splits files into chunks and parses a chunk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from . import arxiv, bibtex, curated, openalex
from .records import Chunk, Parsed

ChunkFn = Callable[[str, BinaryIO, tuple[tuple[str, str], ...]], Iterator[Chunk]]
ParseFn = Callable[[Chunk], list[Parsed]]


@dataclass(frozen=True)
class Source:
    name: str
    chunks: ChunkFn
    parse: ParseFn
    summary: str


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "openalex",
            openalex.chunks,
            openalex.parse,
            "OpenAlex API pages, single entities, snapshot JSON lines",
        ),
        Source(
            "arxiv",
            arxiv.chunks,
            arxiv.parse,  # type: ignore[arg-type]
            ".abs files, monthly listings, metadata JSON lines, OAI-PMH XML",
        ),
        Source(
            "bibtex",
            bibtex.chunks,
            bibtex.parse,  # type: ignore[arg-type]
            "a researcher's BibTeX publication list (--owner NAME)",
        ),
        Source(
            "manual",
            curated.manual_chunks,
            curated.parse_manual,  # type: ignore[arg-type]
            'a compiled paper list {"papers": [...]} (--owner NAME)',
        ),
        Source(
            "listing",
            curated.listing_chunks,
            curated.parse_listing,  # type: ignore[arg-type]
            "a profile's publication list as JSON lines (--owner NAME required)",
        ),
    )
}
