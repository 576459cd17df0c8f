"""Resolution after an import: authors resolved, then the trust refresh of
every record it touched queued (resolution itself knows nothing of trust),
and the listeners of ``catalog.news`` told (alerts)."""

from __future__ import annotations

from collections.abc import Callable

from bzpeer.catalog import news
from bzpeer.resolve.authors import Clusterer, ResolveStats, resolve_authors
from bzpeer.trust.tasks import schedule_refresh


def resolve_and_refresh(
    progress: Callable[[int, int], None] | None = None, clusterer: Clusterer | None = None
) -> ResolveStats:
    """``resolve_authors``, and the touched records' trust snapshots queued.

    Told group by group as each commits, so a run that fails part-way has
    queued what it resolved, and the run that carries on needs only its own."""
    stats = resolve_authors(progress, on_group=_touched, clusterer=clusterer)
    news.settled()
    return stats


def _touched(author_ids: set[int]) -> None:
    schedule_refresh(author_ids)
    news.authors_changed(author_ids)
