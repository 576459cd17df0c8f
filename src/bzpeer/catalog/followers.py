"""Who follows a record, read from below.

Follows belong to ``social``, which sits above the catalog and trust, yet
the profile counts followers and the trust score weighs them. The reads go
through the reader ``social`` registers when its app is ready, so no module
below imports ``social``: the dependency points down, the data flows up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class FollowerReader(Protocol):
    def count(self, author_id: int) -> int: ...

    def followers(self, author_id: int) -> list[int]: ...

    def every_follow(self) -> Iterator[tuple[int, int]]: ...


_reader: FollowerReader | None = None


def register(reader: FollowerReader) -> None:
    global _reader
    _reader = reader


def _registered() -> FollowerReader:
    if _reader is None:
        raise ImproperlyConfigured("no follower reader: is bzpeer.social in INSTALLED_APPS?")
    return _reader


def follower_count(author_id: int) -> int:
    """How many accounts follow the record (one query)."""
    return _registered().count(author_id)


def follower_ids(author_id: int) -> list[int]:
    """The accounts that follow the record."""
    return _registered().followers(author_id)


def every_follow() -> Iterator[tuple[int, int]]:
    """(author id, account id) of every follow."""
    return _registered().every_follow()
