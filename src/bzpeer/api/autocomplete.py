"""``/autocomplete/{entity}?q=`` and ``/autocomplete?q=``: a few records as
someone types, in OpenAlex's shape (``search.queries.autocomplete`` finds them)."""

from __future__ import annotations

from itertools import chain, zip_longest
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from bzpeer.catalog.models import Author, Institution, Venue, WorkIdentifier
from bzpeer.claims.suppression import suppressed_ids
from bzpeer.search import queries as search

from . import reads
from .ids import LETTER
from .out import AutocompleteOut
from .schemas import ErrorOut
from .shapes import ok, record_url

router = Router(tags=["autocomplete"])

SHOWN = 10
FILTER_KEY: dict[search.Entity, str] = {
    "works": "openalex",
    "authors": "authorships.author.id",
    "institutions": "authorships.institutions.id",
    "topics": "topics.id",
    "sources": "primary_location.source.id",
}


class AutocompleteParams(Schema):
    q: str = Field("", max_length=200, description="what has been typed so far")


def _external(entity: search.Entity, ids: list[int]) -> dict[int, tuple[str | None, int | None]]:
    """(external id, works count) per record: one query for the entity."""
    if entity == "authors":
        rows = Author.objects.filter(pk__in=ids).values_list("pk", "orcid", "works_count")
        return {pk: (f"https://orcid.org/{o}" if o else None, n) for pk, o, n in rows}
    if entity == "works":
        dois = WorkIdentifier.objects.filter(work_id__in=ids, scheme="doi")
        return {w: (f"https://doi.org/{v}", None) for w, v in dois.values_list("work_id", "value")}
    counts = reads.works_counts(entity, ids)
    if entity == "institutions":
        rors = Institution.objects.filter(pk__in=ids).values_list("pk", "ror")
        return {pk: (f"https://ror.org/{r}" if r else None, counts.get(pk, 0)) for pk, r in rors}
    if entity == "sources":
        issns = Venue.objects.filter(pk__in=ids).values_list("pk", "issn_l")
        return {pk: (i or None, counts.get(pk, 0)) for pk, i in issns}
    return {pk: (None, counts.get(pk, 0)) for pk in ids}


def suggestions(request: HttpRequest, entity: search.Entity, text: str) -> list[dict[str, Any]]:
    found = search.autocomplete(entity, text, SHOWN) if text.strip() else []
    if entity == "authors":
        hidden = set(suppressed_ids().filter(author_id__in=[s.id for s in found]))
        found = [s for s in found if s.id not in hidden]
    extra = _external(entity, [s.id for s in found])
    letter = LETTER[entity]
    return [
        {
            "id": record_url(request, letter, s.id),
            "short_id": f"{entity}/{letter}{s.id}",
            "display_name": s.display_name,
            "hint": s.hint or None,
            "works_count": extra.get(s.id, (None, None))[1],
            "cited_by_count": None,
            "entity_type": entity[:-1],
            "external_id": extra.get(s.id, (None, None))[0],
            "filter_key": FILTER_KEY[entity],
        }
        for s in found
    ]


def _answer(results: list[dict[str, Any]]) -> HttpResponse:
    return ok({"meta": {"count": len(results), "per_page": SHOWN, "page": 1}, "results": results})


@router.get(
    "/autocomplete/{entity}",
    summary="A few records whose names start like q, for a search box",
    response={200: AutocompleteOut, 400: ErrorOut},
)
def autocomplete_entity(
    request: HttpRequest,
    entity: Literal["works", "authors", "institutions", "topics", "sources"],
    params: Query[AutocompleteParams],
) -> HttpResponse:
    return _answer(suggestions(request, entity, params.q))


@router.get(
    "/autocomplete",
    summary="A few records of every kind whose names start like q",
    response={200: AutocompleteOut, 400: ErrorOut},
)
def autocomplete_any(request: HttpRequest, params: Query[AutocompleteParams]) -> HttpResponse:
    each = [suggestions(request, entity, params.q) for entity in search.ENTITIES]
    mixed = [r for r in chain.from_iterable(zip_longest(*each)) if r is not None]
    return _answer(mixed[:SHOWN])
