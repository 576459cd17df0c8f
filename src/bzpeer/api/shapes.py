"""Pieces every entity's answer shares: ids as URLs of ours, and the short
("dehydrated") forms OpenAlex nests inside other records."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse

from bzpeer.catalog.models import Institution, Topic, Venue

from .reads import ancestors


def record_url(request: HttpRequest, letter: str, pk: int) -> str:
    """A record's id, as OpenAlex's ``https://openalex.org/W1`` but on this
    site: ``http://<host>/W12`` (it redirects to the record's page)."""
    return request.build_absolute_uri(f"/{letter}{pk}")


def api_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/v1").rstrip("/")


def works_api_url(request: HttpRequest, filter_name: str, letter: str, pk: int) -> str:
    return f"{api_base(request)}/works?filter={filter_name}:{letter}{pk}"


def ok(data: dict[str, Any]) -> HttpResponse:
    """A 200 answer, not validated again against its response model."""
    return HttpResponse(orjson.dumps(data), content_type="application/json")


def institution_ref(request: HttpRequest, i: Institution) -> dict[str, Any]:
    return {
        "id": record_url(request, "I", i.pk),
        "display_name": i.name,
        "ror": f"https://ror.org/{i.ror}" if i.ror else None,
        "country_code": i.country or None,
        "type": i.kind or None,
    }


def topic_ref(request: HttpRequest, t: Topic) -> dict[str, Any]:
    return {"id": record_url(request, "T", t.pk), "display_name": t.name}


def topic_tree(request: HttpRequest, t: Topic) -> dict[str, Any]:
    """``subfield``, ``field`` and ``domain`` of a topic, where our taxonomy has them."""
    levels = ancestors(t)
    return {
        level: topic_ref(request, levels[level]) if level in levels else None
        for level in ("subfield", "field", "domain")
    }


def source_ref(request: HttpRequest, v: Venue | None, name: str) -> dict[str, Any] | None:
    if v is None and not name:
        return None
    return {
        "id": record_url(request, "S", v.pk) if v else None,
        "display_name": v.name if v else name,
        "type": v.kind if v else None,
        "issn_l": (v.issn_l or None) if v else None,
    }


def year_counts(rows: list[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"year": y, "works_count": n} for y, n in rows]
