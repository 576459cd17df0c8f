"""``/works`` and ``/works/{id}``: works in OpenAlex's shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.errors import HttpError

from bzpeer.catalog.identifiers import parse_arxiv, parse_doi
from bzpeer.catalog.models import (
    Author,
    AuthorshipMention,
    Institution,
    MentionInstitution,
    Topic,
    Venue,
    Work,
    WorkIdentifier,
    WorkTopic,
    WorkType,
)
from bzpeer.claims.suppression import suppressed_ids

from . import reads
from .ids import id_q, is_malformed
from .openalex import (
    Entity,
    Filter,
    Group,
    ListParams,
    boolean,
    choice,
    date_filter,
    number_filter,
    parse_select,
    run_list,
    search_filter,
    selected,
)
from .out import WorkListOut, WorkOut
from .schemas import ErrorOut
from .shapes import institution_ref, ok, record_url, source_ref, topic_ref, topic_tree

router = Router(tags=["works"])


def related(entity: Any, model: type[Model], make: Callable[[Any], Q]) -> Filter:
    """A filter on the id of a related record, in any id form: ``make`` turns
    the related records' keys (a subquery) into a Q on works."""

    def q(value: str) -> Q:
        if is_malformed(value):
            raise HttpError(400, f"{value[:40]!r} is not an id")
        return make(model._default_manager.filter(id_q(entity, value)).values("pk"))

    return Filter(q)


def _by_author(pks: Any) -> Q:
    return Q(pk__in=AuthorshipMention.objects.filter(author__in=pks).values("work_id"))


def _by_institution(pks: Any) -> Q:
    links = MentionInstitution.objects.filter(institution__in=pks).values("mention__work_id")
    return Q(pk__in=links)


def _by_topic(pks: Any) -> Q:
    return Q(pk__in=WorkTopic.objects.filter(topic__in=pks).values("work_id"))


def _doi(value: str) -> Q:
    doi = parse_doi(value)
    if not doi:
        raise HttpError(400, f"{value!r} is not a DOI")
    return Q(pk__in=WorkIdentifier.objects.filter(scheme="doi", value=doi).values("work_id"))


def _arxiv(value: str) -> Q:
    arxiv = parse_arxiv(value)
    if not arxiv:
        raise HttpError(400, f"{value!r} is not an arXiv id")
    return Q(pk__in=WorkIdentifier.objects.filter(scheme="arxiv", value=arxiv).values("work_id"))


def _work_id(value: str) -> Q:
    if is_malformed(value):
        raise HttpError(400, f"{value[:40]!r} is not an id")
    return id_q("works", value)


_author = related("authors", Author, _by_author)
_institution = related("institutions", Institution, _by_institution)
_topic = related("topics", Topic, _by_topic)
_source = related("sources", Venue, lambda pks: Q(venue__in=pks))
_has_doi = Exists(WorkIdentifier.objects.filter(work=OuterRef("pk"), scheme="doi"))
_search = search_filter("works")

FILTERS: dict[str, Filter] = {
    "publication_year": number_filter("year", "publication_year"),
    "from_publication_date": date_filter("date", "from_publication_date", "gte"),
    "to_publication_date": date_filter("date", "to_publication_date", "lte"),
    "type": choice("type", "type", WorkType.values),
    "doi": Filter(_doi),
    "ids.arxiv": Filter(_arxiv),
    "openalex": Filter(_work_id),
    "openalex_id": Filter(_work_id),
    "ids.openalex": Filter(_work_id),
    "author.id": _author,
    "authorships.author.id": _author,
    "institutions.id": _institution,
    "authorships.institutions.id": _institution,
    "primary_location.source.id": _source,
    "locations.source.id": _source,
    "topics.id": _topic,
    "primary_topic.id": _topic,
    "has_doi": boolean("has_doi", Q(_has_doi)),
    "has_abstract": boolean("has_abstract", ~Q(abstract="")),
    "is_preprint": boolean("is_preprint", Q(type=WorkType.PREPRINT)),
    "title.search": _search,
    "display_name.search": _search,
    "default.search": _search,
}


def _names(model: type[Model], letter: str, field: str) -> Any:
    def display(keys: list[Any]) -> dict[Any, tuple[str, str]]:
        rows = model._default_manager.filter(pk__in=keys).values_list("pk", field)
        return {pk: (f"{letter}{pk}", name) for pk, name in rows}

    return display


def _authors_shown(keys: list[Any]) -> dict[Any, tuple[str, str]]:
    """Authors as group keys, taken-down records left out (as lists leave them)."""
    rows = Author.objects.filter(pk__in=keys).exclude(pk__in=suppressed_ids())
    return {pk: (f"A{pk}", name) for pk, name in rows.values_list("pk", "display_name")}


WORKS = Entity(
    name="works",
    filters=FILTERS,
    sorts={
        "publication_year": "year",
        "publication_date": "date",
        "display_name": "title",
        "title": "title",
        "id": "id",
    },
    groups={
        "type": Group("type"),
        "publication_year": Group("year"),
        "primary_location.source.id": Group("venue_id", _names(Venue, "S", "name")),
        "topics.id": Group("topic_id", _names(Topic, "T", "name"), (WorkTopic, "work")),
        "authorships.author.id": Group("author_id", _authors_shown, (AuthorshipMention, "work")),
        "authorships.institutions.id": Group(
            "institution_id",
            _names(Institution, "I", "name"),
            (MentionInstitution, "mention__work"),
        ),
    },
    fields=tuple(WorkOut.model_fields),
    default_order=("-year", "-id"),
)


def works_json(request: HttpRequest, works: list[Work]) -> list[dict[str, Any]]:
    """Works in OpenAlex's shape: six queries for the page, whatever its size."""
    ids = [w.pk for w in works]
    authorships = reads.authorships(ids)
    identifiers = reads.identifiers(ids)
    locations = reads.locations(ids)
    cited = reads.cited_by(ids)
    topics = reads.work_topics(ids)
    return [
        _work_json(
            request,
            w,
            authorships.get(w.pk, []),
            identifiers.get(w.pk, {}),
            locations.get(w.pk, 0),
            cited.get(w.pk, 0),
            topics.get(w.pk, []),
        )
        for w in works
    ]


def _work_json(
    request: HttpRequest,
    work: Work,
    authorships: list[reads.Authorship],
    ids: dict[str, str],
    locations: int,
    cited_by: int,
    topics: list[tuple[Topic, float]],
) -> dict[str, Any]:
    doi = f"https://doi.org/{ids['doi']}" if "doi" in ids else None
    last = len(authorships) - 1
    topic_list = [
        {**topic_ref(request, t), "score": score, **topic_tree(request, t)} for t, score in topics
    ]
    return {
        "id": record_url(request, "W", work.pk),
        "doi": doi,
        "title": work.title,
        "display_name": work.title,
        "publication_year": work.year,
        "publication_date": work.date.isoformat() if work.date else None,
        "type": work.type,
        "ids": {
            "bzpeer": f"W{work.pk}",
            "openalex": f"https://openalex.org/{ids['openalex']}" if "openalex" in ids else None,
            "doi": doi,
            "arxiv": f"https://arxiv.org/abs/{ids['arxiv']}" if "arxiv" in ids else None,
            "pmid": f"https://pubmed.ncbi.nlm.nih.gov/{ids['pmid']}" if "pmid" in ids else None,
        },
        "primary_location": {"source": source_ref(request, work.venue, work.venue_name)},
        "authorships": [
            {
                "author_position": "first" if i == 0 else ("last" if i == last else "middle"),
                "author": {
                    "id": record_url(request, "A", a.author_id) if a.author_id else None,
                    "display_name": a.name,
                    "orcid": f"https://orcid.org/{a.orcid}" if a.orcid else None,
                },
                "institutions": [institution_ref(request, inst) for inst in a.institutions],
                "raw_author_name": a.name,
                "raw_affiliation_strings": [a.raw_affiliation] if a.raw_affiliation else [],
            }
            for i, a in enumerate(authorships)
        ],
        "topics": topic_list,
        "primary_topic": topic_list[0] if topic_list else None,
        "abstract": work.abstract or None,
        "abstract_inverted_index": _inverted(work.abstract),
        "cited_by_count": cited_by,
        "locations_count": locations,
        "also_preprint": work.also_preprint,
        "x_bzpeer": {"page_url": request.build_absolute_uri(f"/works/{work.pk}")},
    }


def _inverted(text: str) -> dict[str, list[int]] | None:
    if not text:
        return None
    index: dict[str, list[int]] = {}
    for i, word in enumerate(text.split()):
        index.setdefault(word, []).append(i)
    return index


def find_work(identifier: str) -> Work | None:
    if is_malformed(identifier):
        return None
    return Work.objects.filter(id_q("works", identifier)).select_related("venue").first()


@router.get(
    "/works/{path:work_id}",
    summary="One work: W1, its URL, doi:..., https://doi.org/..., arxiv:..., openalex:...",
    response={200: WorkOut, 400: ErrorOut, 404: ErrorOut},
)
def get_work(request: HttpRequest, work_id: str, select: str = "") -> HttpResponse:
    fields = parse_select(WORKS, select)
    work = find_work(work_id)
    if work is None:
        raise HttpError(404, f"no work {work_id[:200]!r}")
    return ok(selected(works_json(request, [work])[0], fields))


@router.get(
    "/works",
    summary="Filter, search, sort, group, sample and page through works",
    response={200: WorkListOut, 400: ErrorOut},
)
def list_works(request: HttpRequest, params: Query[ListParams]) -> HttpResponse:
    page = run_list(WORKS, Work.objects.all(), params, request.build_absolute_uri("/"))
    rows = Work.objects.select_related("venue").in_bulk(page.ids)
    works = [rows[pk] for pk in page.ids if pk in rows]
    fields = parse_select(WORKS, params.select)
    results = []
    for w, data in zip(works, works_json(request, works), strict=True):
        if w.pk in page.relevance:
            data["relevance_score"] = page.relevance[w.pk]
        results.append(selected(data, fields))
    return ok({"meta": page.meta, "results": results, "group_by": page.groups or []})
