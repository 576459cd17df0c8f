"""Fill the cache for the busiest records after a batch wrote the catalog.

A batch (an import, resolution, enrichment) moves the catalog's revision
(``catalog.revision``), so the busiest researchers' summaries and graph
slices would be computed again by their next visitors, a few hundred
milliseconds each at a million works. ``warm_busiest`` computes them once,
as the profile page and its slice ask for them, in the batch's process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bzpeer.catalog import queries, revision
from bzpeer.catalog.models import Author
from bzpeer.claims.suppression import suppressed_ids
from bzpeer.graph import slice as graph
from bzpeer.trust.facts import gather

BUSIEST = 200


@dataclass(frozen=True)
class Warmed:
    records: int
    seconds: float


def warm_busiest(
    limit: int = BUSIEST, progress: Callable[[int, int], None] | None = None
) -> Warmed:
    """The profile summary, trust facts and default graph slice of the
    ``limit`` records with the most works (those with fewer than
    ``revision.MIN_WORKS`` are never cached)."""
    started = time.perf_counter()
    hidden = set(suppressed_ids())
    authors = list(
        Author.objects.filter(merged_into=None, works_count__gte=revision.MIN_WORKS)
        .exclude(pk__in=hidden)
        .order_by("-works_count", "id")[:limit]
    )
    for done, author in enumerate(authors, 1):
        gather(author, queries.author_overview(author))
        # the parameters of the profile's own request (a focus, nothing else)
        graph.build("author", author.pk, exclude=hidden)
        if progress:
            progress(done, len(authors))
    return Warmed(len(authors), time.perf_counter() - started)
