"""Trust snapshots are recomputed in the background when their inputs change
(an import or resolution touched the record, a follow, a claim, a correction)."""

from __future__ import annotations

from collections.abc import Iterable

from django_tasks import task

from .facts import refresh

CHUNK = 500


@task()
def refresh_trust(author_ids: list[int]) -> int:
    return refresh(author_ids)


def schedule_refresh(author_ids: Iterable[int]) -> None:
    """Queue the recomputation (in chunks) for ``bzpeer worker``; with the
    immediate backend (tests) it runs at once."""
    ids = sorted(set(author_ids))
    for start in range(0, len(ids), CHUNK):
        refresh_trust.enqueue(ids[start : start + CHUNK])
