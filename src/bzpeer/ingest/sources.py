"""The import sources: how each splits files into chunks and parses a chunk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from . import arxiv, bibtex, crossref, curated, dblp, openalex, orcid, ror, s2
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
            "crossref",
            crossref.chunks,
            crossref.parse,  # type: ignore[arg-type]
            "Crossref API works and envelopes, the public data file, JSON lines",
        ),
        Source(
            "orcid",
            orcid.chunks,
            orcid.parse,
            "ORCID v3.0 records, XML or JSON: person, affiliations, works",
        ),
        Source(
            "ror",
            ror.chunks,
            ror.parse,  # type: ignore[arg-type]
            "ROR data dumps (schema v1 and v2) and single records",
        ),
        Source(
            "dblp",
            dblp.chunks,
            dblp.parse,  # type: ignore[arg-type]
            "dblp.xml (ISO-8859-1, entities from the bundled dblp.dtd), streamed",
        ),
        Source(
            "s2",
            s2.chunks,
            s2.parse,  # type: ignore[arg-type]
            "Semantic Scholar Graph API papers and authors: objects, pages, batches, JSON lines",
        ),
        Source(
            "listing",
            curated.listing_chunks,
            curated.parse_listing,  # type: ignore[arg-type]
            "a profile's publication list as JSON lines (--owner NAME required)",
        ),
    )
}
