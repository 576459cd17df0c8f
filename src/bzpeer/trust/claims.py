"""The claims a trust score weighs, read from below.

Claims belong to ``bzpeer.claims``, which sits above trust, yet verification
levels L2-L4 are defined by what a claim proved. The reads go through the
reader ``claims`` registers when its app is ready, so trust never imports
``claims``: the dependency points down, the data flows up
(``catalog.followers`` does the same for follows).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from .score import ClaimFacts


@dataclass(frozen=True)
class ClaimRow:
    """One claim on a record, as much of it as trust reads."""

    id: int
    author_id: int
    created_at: datetime
    facts: ClaimFacts


class ClaimReader(Protocol):
    def of_author(self, author_id: int) -> list[ClaimRow]: ...

    def every_claim(self) -> Iterator[ClaimRow]: ...


_reader: ClaimReader | None = None


def register(reader: ClaimReader) -> None:
    global _reader
    _reader = reader


def _registered() -> ClaimReader:
    if _reader is None:
        raise ImproperlyConfigured("no claim reader: is bzpeer.claims in INSTALLED_APPS?")
    return _reader


def claims_of(author_id: int) -> list[ClaimRow]:
    """Every claim ever made on the record, whatever its state."""
    return _registered().of_author(author_id)


def every_claim() -> Iterator[ClaimRow]:
    return _registered().every_claim()
