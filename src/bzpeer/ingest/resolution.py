"""Resolution after an import: authors resolved, then the trust refresh of
every record it touched queued (resolution itself knows nothing of trust),
and the listeners of ``catalog.news`` told (alerts)."""

from __future__ import annotations

from collections.abc import Callable

from bzpeer.catalog import news
from bzpeer.resolve.authors import ResolveStats, resolve_authors
from bzpeer.trust.tasks import schedule_refresh


def resolve_and_refresh(progress: Callable[[int, int], None] | None = None) -> ResolveStats:
    """``resolve_authors``, and the touched records' trust snapshots queued."""
    stats = resolve_authors(progress)
    schedule_refresh(stats.touched_authors)
    news.authors_changed(stats.touched_authors)
    news.settled()
    return stats
