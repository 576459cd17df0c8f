"""``/institutions``, ``/topics``, ``/sources`` (our venues) and one of each
by id, in OpenAlex's shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, IntegerField, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.errors import HttpError

from bzpeer.catalog.identifiers import parse_ror
from bzpeer.catalog.models import Institution, MentionInstitution, Topic, Venue, Work, WorkTopic
from bzpeer.search.queries import Entity as EntityName

from . import reads
from .ids import id_q, is_malformed
from .openalex import (
    Entity,
    Filter,
    Group,
    ListParams,
    number_filter,
    parse_select,
    run_list,
    search_filter,
    selected,
)
from .out import (
    InstitutionListOut,
    InstitutionOut,
    SourceListOut,
    SourceOut,
    TopicListOut,
    TopicOut,
)
from .schemas import ErrorOut
from .shapes import ok, record_url, topic_ref, topic_tree, works_api_url, year_counts
from .works import related

router = Router(tags=["institutions, topics, sources"])


def _id_filter(entity: EntityName) -> Filter:
    def q(value: str) -> Q:
        if is_malformed(value):
            raise HttpError(400, f"{value[:40]!r} is not an id")
        return id_q(entity, value)

    return Filter(q)


def _count(subquery: QuerySet[Any], column: str) -> Callable[[], Any]:
    """A works count per row, as an annotation (only when a sort or filter needs it)."""

    def make() -> Any:
        counted = subquery.values(column).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return make


def _exact(column: str, normalise: Callable[[str], str]) -> Filter:
    return Filter(lambda value: Q(**{column: normalise(value)}))


def _ror(value: str) -> Q:
    ror = parse_ror(value)
    if not ror:
        raise HttpError(400, f"{value!r} is not a ROR id")
    return Q(ror=ror)


def _ancestor(pks: Any) -> Q:
    return Q(parent__in=pks) | Q(parent__parent__in=pks) | Q(parent__parent__parent__in=pks)


_works_count = number_filter("works_count", "works_count")
_SORTS = {"display_name": "name", "works_count": "works_count", "id": "id"}

INSTITUTIONS = Entity(
    name="institutions",
    filters={
        "display_name.search": search_filter("institutions"),
        "default.search": search_filter("institutions"),
        "country_code": _exact("country", str.upper),
        "type": _exact("kind", str.lower),
        "ror": Filter(_ror),
        "ids.ror": Filter(_ror),
        "works_count": _works_count,
        "openalex": _id_filter("institutions"),
        "openalex_id": _id_filter("institutions"),
        "ids.openalex": _id_filter("institutions"),
    },
    sorts=_SORTS,
    groups={"country_code": Group("country"), "type": Group("kind")},
    fields=tuple(InstitutionOut.model_fields),
    annotate={
        "works_count": lambda: Coalesce(
            Subquery(
                MentionInstitution.objects.filter(institution=OuterRef("pk"))
                .values("institution")
                .annotate(n=Count("mention__work", distinct=True))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        )
    },
)

TOPICS = Entity(
    name="topics",
    filters={
        "display_name.search": search_filter("topics"),
        "default.search": search_filter("topics"),
        "works_count": _works_count,
        "domain.id": related("topics", Topic, _ancestor),
        "field.id": related("topics", Topic, _ancestor),
        "subfield.id": related("topics", Topic, _ancestor),
        "openalex": _id_filter("topics"),
        "openalex_id": _id_filter("topics"),
        "ids.openalex": _id_filter("topics"),
    },
    sorts=_SORTS,
    groups={"x_bzpeer.level": Group("level"), "x_bzpeer.scheme": Group("scheme")},
    fields=tuple(TopicOut.model_fields),
    annotate={"works_count": _count(WorkTopic.objects.filter(topic=OuterRef("pk")), "topic")},
)

SOURCES = Entity(
    name="sources",
    filters={
        "display_name.search": search_filter("sources"),
        "default.search": search_filter("sources"),
        "works_count": _works_count,
        "type": _exact("kind", str.lower),
        "issn": _id_filter("sources"),
        "issn_l": _id_filter("sources"),
        "openalex": _id_filter("sources"),
        "openalex_id": _id_filter("sources"),
        "ids.openalex": _id_filter("sources"),
    },
    sorts=_SORTS,
    groups={"type": Group("kind")},
    fields=tuple(SourceOut.model_fields),
    annotate={"works_count": _count(Work.objects.filter(venue=OuterRef("pk")), "venue")},
)

SPECS: dict[str, tuple[Entity, type[Model]]] = {
    "institutions": (INSTITUTIONS, Institution),
    "topics": (TOPICS, Topic),
    "sources": (SOURCES, Venue),
}
FILTER_KEY = {
    "institutions": "authorships.institutions.id",
    "topics": "topics.id",
    "sources": "primary_location.source.id",
}


def institution_json(request: HttpRequest, i: Institution, works: int) -> dict[str, Any]:
    ror = f"https://ror.org/{i.ror}" if i.ror else None
    return {
        "id": record_url(request, "I", i.pk),
        "display_name": i.name,
        "ror": ror,
        "country_code": i.country or None,
        "type": i.kind or None,
        "ids": {
            "bzpeer": f"I{i.pk}",
            "openalex": f"https://openalex.org/{i.openalex_id}" if i.openalex_id else None,
            "ror": ror,
        },
        "display_name_alternatives": [*i.aliases, *i.labels],
        "display_name_acronyms": list(i.acronyms),
        "geo": {"city": i.city or None, "country_code": i.country or None},
        "works_count": works,
        "works_api_url": works_api_url(request, FILTER_KEY["institutions"], "I", i.pk),
        "x_bzpeer": {"page_url": request.build_absolute_uri(f"/institutions/{i.pk}")},
    }


def topic_json(request: HttpRequest, t: Topic, works: int) -> dict[str, Any]:
    oa = t.external_id.removeprefix("openalex:") if t.scheme == "openalex" else ""
    parent = t.parent if t.parent_id is not None and Topic.parent.is_cached(t) else None
    return {
        "id": record_url(request, "T", t.pk),
        "display_name": t.name,
        "ids": {
            "bzpeer": f"T{t.pk}",
            "openalex": f"https://openalex.org/{oa}" if oa[:1] == "T" else None,
        },
        **topic_tree(request, t),
        "works_count": works,
        "works_api_url": works_api_url(request, FILTER_KEY["topics"], "T", t.pk),
        "x_bzpeer": {
            "page_url": request.build_absolute_uri(f"/topics/{t.pk}"),
            "scheme": t.scheme,
            "level": t.level,
            "parent": topic_ref(request, parent) if parent is not None else None,
        },
    }


def source_json(request: HttpRequest, v: Venue, works: int) -> dict[str, Any]:
    return {
        "id": record_url(request, "S", v.pk),
        "display_name": v.name,
        "type": v.kind or None,
        "issn_l": v.issn_l or None,
        "issn": [v.issn_l] if v.issn_l else None,
        "ids": {
            "bzpeer": f"S{v.pk}",
            "openalex": f"https://openalex.org/{v.openalex_id}" if v.openalex_id else None,
            "issn_l": v.issn_l or None,
        },
        "alternate_titles": [a for a in v.aliases if a != v.name],
        "works_count": works,
        "works_api_url": works_api_url(request, FILTER_KEY["sources"], "S", v.pk),
        "x_bzpeer": {"page_url": request.build_absolute_uri(f"/sources/{v.pk}")},
    }


SERIALISERS: dict[str, Callable[[HttpRequest, Any, int], dict[str, Any]]] = {
    "institutions": institution_json,
    "topics": topic_json,
    "sources": source_json,
}


def _rows(entity: str, ids: list[int]) -> dict[int, Any]:
    model = SPECS[entity][1]
    if entity == "topics":
        return reads.topics_with_ancestors(ids)
    return model._default_manager.in_bulk(ids)


def _list(request: HttpRequest, entity: str, params: ListParams) -> HttpResponse:
    spec, model = SPECS[entity]
    page = run_list(spec, model._default_manager.all(), params, request.build_absolute_uri("/"))
    rows = _rows(entity, page.ids)
    counts = reads.works_counts(entity, page.ids)
    fields = parse_select(spec, params.select)
    results = []
    for pk in page.ids:
        if pk in rows:
            data = SERIALISERS[entity](request, rows[pk], counts.get(pk, 0))
            if pk in page.relevance:
                data["relevance_score"] = page.relevance[pk]
            results.append(selected(data, fields))
    return ok({"meta": page.meta, "results": results, "group_by": page.groups or []})


def _get(request: HttpRequest, entity: EntityName, identifier: str, select: str) -> HttpResponse:
    spec, model = SPECS[entity]
    fields = parse_select(spec, select)
    if is_malformed(identifier):
        raise HttpError(404, f"no {entity[:-1]} {identifier[:200]!r}")
    qs = model._default_manager.filter(id_q(entity, identifier))
    if entity == "topics":
        qs = qs.select_related("parent__parent__parent")
    record = qs.first()
    if record is None:
        raise HttpError(404, f"no {entity[:-1]} {identifier[:200]!r}")
    data = SERIALISERS[entity](
        request, record, reads.works_counts(entity, [record.pk]).get(record.pk, 0)
    )
    data["counts_by_year"] = year_counts(reads.counts_by_year(entity, record.pk))
    return ok(selected(data, fields))


_GET = {200: None, 400: ErrorOut, 404: ErrorOut}
_ID_HELP = "{letter}1, its URL, openalex:..., https://openalex.org/..."


@router.get(
    "/institutions/{path:institution_id}",
    summary="One institution: " + _ID_HELP.format(letter="I") + ", ror:..., https://ror.org/...",
    response={**_GET, 200: InstitutionOut},
)
def get_institution(request: HttpRequest, institution_id: str, select: str = "") -> HttpResponse:
    return _get(request, "institutions", institution_id, select)


@router.get(
    "/institutions",
    summary="Filter, search, sort, group, sample and page through institutions",
    response={200: InstitutionListOut, 400: ErrorOut},
)
def list_institutions(request: HttpRequest, params: Query[ListParams]) -> HttpResponse:
    return _list(request, "institutions", params)


@router.get(
    "/topics/{path:topic_id}",
    summary="One topic: " + _ID_HELP.format(letter="T"),
    response={**_GET, 200: TopicOut},
)
def get_topic(request: HttpRequest, topic_id: str, select: str = "") -> HttpResponse:
    return _get(request, "topics", topic_id, select)


@router.get(
    "/topics",
    summary="Filter, search, sort, group, sample and page through topics",
    response={200: TopicListOut, 400: ErrorOut},
)
def list_topics(request: HttpRequest, params: Query[ListParams]) -> HttpResponse:
    return _list(request, "topics", params)


@router.get(
    "/sources/{path:source_id}",
    summary="One source (journal, conference, repository): "
    + _ID_HELP.format(letter="S")
    + ", issn:...",
    response={**_GET, 200: SourceOut},
)
def get_source(request: HttpRequest, source_id: str, select: str = "") -> HttpResponse:
    return _get(request, "sources", source_id, select)


@router.get(
    "/sources",
    summary="Filter, search, sort, group, sample and page through sources",
    response={200: SourceListOut, 400: ErrorOut},
)
def list_sources(request: HttpRequest, params: Query[ListParams]) -> HttpResponse:
    return _list(request, "sources", params)
