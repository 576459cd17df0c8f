"""The catalog's revision, and what is cached under it.

A page about one of the busiest records (a researcher with thousands of
works) derives its summary from every one of those works: the co-author
network, the facet counts, the topics, the graph slice. Computed on each
view that costs a few hundred milliseconds at a million works; cached, a
few. The cache is keyed by one token, the catalog's revision, which every
write that changes what those summaries read replaces (``bump``): the end of
an import run, each group of resolution and each correction (through the
record counts they refresh), topic and affiliation enrichment. A correction
therefore shows on the next view, as it did uncached; between writes the
busiest pages are served from the shared (database) cache.

The token lives in a table of the catalog, not in the cache: a flushed
catalog gets a new token and a restored one the token of the state it was
backed up in, so nothing cached for other rows can be read back for these.
A write rolled back takes its new token with it.

A record's own summaries are cached only with at least ``MIN_WORKS`` works:
the others cost less to compute than a cache entry costs to write.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from .models import CatalogRevision

T = TypeVar("T")

MIN_WORKS = 100
KEEP_SECONDS = 7 * 24 * 3600  # an entry of an older revision is never read again


def current() -> str:
    token = CatalogRevision.objects.filter(pk=1).values_list("token", flat=True).first()
    if token is None:
        token = CatalogRevision.objects.get_or_create(
            pk=1, defaults={"token": secrets.token_hex(8)}
        )[0].token
    return token


def bump() -> None:
    """A write changed works, authorships, topics or affiliations."""
    CatalogRevision.objects.update_or_create(pk=1, defaults={"token": secrets.token_hex(8)})


def remember(key: str, compute: Callable[[], T], *, works: int | None = None) -> T:
    """``compute()``, or what it gave for ``key`` at the current revision;
    ``works``: the record's works count, computed afresh below ``MIN_WORKS``."""
    if works is not None and works < MIN_WORKS:
        return compute()
    full = f"{key}@{current()}"
    found = cache.get(full)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = compute()
    cache.set(full, value, KEEP_SECONDS)
    return value
