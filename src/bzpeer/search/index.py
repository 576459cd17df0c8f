"""Keeping the index in step with the catalog.

- ``sync`` (after every import, via ``catalog.news``): works changed since the
  last sync, authors added since, and the small tables (institutions,
  topics, venues) written whole (their names change when a registry is
  imported again). Rows and words are written in one order (ids, then words
  sorted), so two imports syncing at once wait for each other and never
  deadlock.
- ``refresh_authors`` (after resolution and every correction): the records
  whose names or mentions changed, and records a split created.
- ``rebuild``: everything, from the catalog (``bzpeer reindex``).

Records merged away or deleted may linger in the index: queries join the
catalog and leave them out, so a stale row is never shown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from bzpeer.catalog.models import Author, Institution, Topic, Venue, Work

from .backends import Row, backend
from .models import SearchState, SearchTerm
from .text import normal

CHUNK = 2000
# Tables small enough to rewrite whole at every sync.
SMALL = ("institutions", "topics", "sources")


def _joined(*values: Any) -> str:
    parts: list[str] = []
    for value in values:
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif value:
            parts.append(str(value))
    return normal(" ".join(parts))


@dataclass(frozen=True)
class Document:
    model: type[Model]
    fields: tuple[str, ...]
    build: Callable[[tuple[Any, ...]], Row]


DOCUMENTS: dict[str, Document] = {
    "works": Document(
        Work,
        ("id", "title", "authors_text", "venue_name"),
        lambda r: (r[0], normal(r[1]), normal(r[2]), normal(r[3])),
    ),
    "authors": Document(
        Author,
        ("id", "display_name", "name_variants"),
        lambda r: (r[0], normal(r[1]), _joined(r[2]), ""),
    ),
    "institutions": Document(
        Institution,
        ("id", "name", "aliases", "acronyms", "labels", "city"),
        lambda r: (r[0], normal(r[1]), _joined(r[2], r[3], r[4]), normal(r[5])),
    ),
    "topics": Document(
        Topic, ("id", "name", "external_id"), lambda r: (r[0], normal(r[1]), normal(r[2]), "")
    ),
    "sources": Document(
        Venue,
        ("id", "name", "aliases", "issn_l"),
        lambda r: (r[0], normal(r[1]), _joined(r[2]), r[3] or ""),
    ),
}


def _chunks(qs: QuerySet[Any], fields: tuple[str, ...]) -> Iterator[list[tuple[Any, ...]]]:
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values_list(*fields)[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _count_terms(entity: str, rows: Iterable[Row]) -> None:
    terms: Counter[str] = Counter()
    for row in rows:
        terms.update({w for text in row[1:] for w in text.split() if len(w) <= 64})
    if not terms:
        return
    # in one order everywhere: two imports syncing at once lock the same
    # words in the same order and wait for each other instead of deadlocking
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_searchterm (entity, term, n) VALUES (%s, %s, %s) "
            "ON CONFLICT (entity, term) DO UPDATE SET n = search_searchterm.n + excluded.n",
            [(entity, term, n) for term, n in sorted(terms.items())],
        )


def write(
    entity: str, qs: QuerySet[Any] | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Index the records of ``qs`` (all of the entity's when None); the count."""
    doc = DOCUMENTS[entity]
    done = 0
    engine = backend()
    for chunk in _chunks(qs if qs is not None else doc.model._default_manager.all(), doc.fields):
        rows = [doc.build(r) for r in chunk]
        with transaction.atomic(), connection.cursor() as cursor:
            engine.write(cursor, entity, rows)
            _count_terms(entity, rows)
        done += len(rows)
        if progress:
            progress(len(rows))
    return done


def _clear(entity: str) -> None:
    with connection.cursor() as cursor:
        backend().clear(cursor, entity)
    SearchTerm.objects.filter(entity=entity).delete()


def _mark(entity: str, started: Any) -> None:
    model = DOCUMENTS[entity].model
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
    SearchState.objects.update_or_create(
        entity=entity, defaults={"synced_at": started, "last_id": last}
    )


def rebuild(entity: str, progress: Callable[[int], None] | None = None) -> int:
    started = timezone.now()
    _clear(entity)
    done = write(entity, progress=progress)
    _mark(entity, started)
    return done


def sync() -> None:
    """Bring every entity's index up to date with the catalog."""
    states = {s.entity: s for s in SearchState.objects.all()}
    for entity in DOCUMENTS:
        state = states.get(entity)
        if state is None or state.synced_at is None:
            rebuild(entity)
            continue
        started = timezone.now()
        model = DOCUMENTS[entity].model
        if entity in SMALL:
            # every row written again, nothing cleared first: an import syncing
            # beside this one never finds the table or its words half-deleted
            # (their counts grow alike, so the words' order stays)
            write(entity)
        elif entity == "works":
            write(entity, Work.objects.filter(updated_at__gte=state.synced_at))
        else:
            write(entity, model._default_manager.filter(pk__gt=state.last_id))
        _mark(entity, started)


def refresh_authors(ids: Iterable[int]) -> None:
    """Index again the author records whose names or works changed."""
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), CHUNK):
        write("authors", Author.objects.filter(pk__in=wanted[i : i + CHUNK]))


def is_built() -> bool:
    return SearchState.objects.filter(synced_at__isnull=False).count() == len(DOCUMENTS)
