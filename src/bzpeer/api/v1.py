"""Public JSON API v1, shaped like OpenAlex's: same field names where the
concept is the same, ``filter=``, ``search=``, ``per_page=``, ``cursor=``."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

import orjson
from django.db.models import Count, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic import Field

from bzpeer.catalog import queries
from bzpeer.catalog.identifiers import parse_arxiv, parse_doi
from bzpeer.catalog.models import Author, Work, WorkType, WorkVersion
from bzpeer.catalog.untrusted import without_emails
from bzpeer.claims.suppression import is_suppressed, suppressed_ids
from bzpeer.resolve.corrections import survivor_of
from bzpeer.search import queries as search
from bzpeer.trust.facts import current as current_trust

from .graph import router as graph_router
from .schemas import ErrorOut, Out
from .social import router as social_router


class CachedSchemaAPI(NinjaAPI):
    """The OpenAPI schema is the same for every request: built once per path
    prefix, not on each request for ``openapi.json`` (20 ms of CPU each)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[str, OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        if path_prefix not in self._schemas:
            self._schemas[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return self._schemas[path_prefix]


api = CachedSchemaAPI(
    title="BZPEER API",
    version="1",
    urls_namespace="api-v1",
    description="Works and authors resolved from public scholarly records, shaped like OpenAlex.",
)

MAX_PER_PAGE = 200


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", [])[1:])
    return api.create_response(
        request,
        {
            "error": "Invalid query parameters error.",
            "message": f"{where}: {first.get('msg', 'invalid value')}",
        },
        status=400,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, {"error": str(exc.message), "message": str(exc.message)}, status=exc.status_code
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"error": "Not found", "message": str(exc) or "no such entity"}, status=404
    )


# OpenAlex pages through the first 10,000 results; cursor paging goes beyond.
MAX_PAGED_RESULTS = 10_000


class ListParams(Schema):
    filter: str = Field(
        "",
        description="name:value pairs separated by commas, e.g. "
        "author.id:A1,publication_year:2020-2022 (works only)",
    )
    search: str = Field("", description="words the name or title contains")
    per_page: int = Field(25, ge=1, le=MAX_PER_PAGE)
    page: int | None = Field(
        None,
        ge=0,
        le=MAX_PAGED_RESULTS,
        description=f"page * per_page may be at most {MAX_PAGED_RESULTS:,}; use cursor beyond",
    )
    cursor: str | None = Field(
        None, description="* for the first page, then each answer's meta.next_cursor"
    )


# Offsets a cursor may carry: far past any catalog, far below the database's integers.
MAX_CURSOR_OFFSET = 1 << 40


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/v1").rstrip("/")


def _cursor_offset(cursor: str) -> int:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise HttpError(400, "cursor is not one this API gave out") from exc
    offset = data.get("o") if isinstance(data, dict) else None
    # bool is an int in Python; 1e300 and "3" are not offsets either
    if type(offset) is not int or not 0 <= offset <= MAX_CURSOR_OFFSET:
        raise HttpError(400, "cursor is not one this API gave out")
    return offset


def _paginate(qs: QuerySet[Any], params: ListParams) -> tuple[list[Any], dict[str, Any]]:
    # per_page and page are within their bounds already (ListParams)
    cursor = params.cursor or None  # an empty cursor is no cursor
    if params.page is not None and cursor is not None:
        raise HttpError(400, "use either page or cursor, not both")
    offset = 0
    if cursor is not None and cursor != "*":
        offset = _cursor_offset(cursor)
    elif params.page is not None:
        page = max(params.page, 1)  # page 0 is the first page, as page 1
        if page * params.per_page > MAX_PAGED_RESULTS:
            raise HttpError(
                400,
                f"page * per_page may be at most {MAX_PAGED_RESULTS:,}; "
                "page further with cursor=* and the next_cursor each answer gives",
            )
        offset = (page - 1) * params.per_page
    count = qs.count()
    items = list(qs[offset : offset + params.per_page])
    next_cursor = None
    if cursor is not None and offset + params.per_page < count:
        next_cursor = base64.urlsafe_b64encode(
            orjson.dumps({"o": offset + params.per_page})
        ).decode()
    meta = {
        "count": count,
        "per_page": params.per_page,
        "page": None if cursor is not None else max(params.page or 1, 1),
        "next_cursor": next_cursor,
    }
    return items, meta


def _parse_filter(text: str, allowed: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (p for p in text.split(",") if p.strip()):
        key, sep, value = part.partition(":")
        key = key.strip()
        if not sep or not value.strip():
            raise HttpError(400, f"filter {part!r} must look like name:value")
        if key not in allowed:
            raise HttpError(
                400, f"{key} is not a valid filter; valid: {', '.join(sorted(allowed))}"
            )
        out[key] = value.strip()
    return out


def _year_filter(qs: QuerySet[Work], value: str) -> QuerySet[Work]:
    try:
        if value.startswith(">"):
            return qs.filter(year__gt=int(value[1:]))
        if value.startswith("<"):
            return qs.filter(year__lt=int(value[1:]))
        if "-" in value:
            low, high = value.split("-", 1)
            return qs.filter(year__gte=int(low), year__lte=int(high))
        return qs.filter(year=int(value))
    except ValueError as exc:
        raise HttpError(400, f"publication_year must be a year or range, not {value!r}") from exc


# -- what the API answers, as the OpenAPI schema declares it ------------------------
#
# The serialisers below build plain dicts and the views answer them as they
# are (``_ok``): Ninja validating every answer against these models took 150 ms
# of a 250 ms page of 200 works. The tests hold the answers to the schema
# instead (tests/test_schema.py); ``extra="forbid"`` puts
# ``additionalProperties: false`` in it, so a field a serialiser adds without
# adding it here fails them.


class AuthorIdsOut(Out):
    bzpeer: str
    openalex: str | None
    orcid: str | None


class InstitutionNameOut(Out):
    display_name: str


class InstitutionOut(Out):
    display_name: str
    ror: str | None
    country_code: str | None


class AffiliationOut(Out):
    institution: InstitutionOut
    years: list[int]


class TopicCountOut(Out):
    display_name: str
    count: int


class YearCountOut(Out):
    year: int
    works_count: int


class SummaryStatsOut(Out):
    followers: int
    close_collaborators: int


class TrustComponentOut(Out):
    key: str
    name: str
    points: float
    max: int
    evidence: list[str]


class TrustOut(Out):
    score: int
    tier: str
    verification_level: str
    claim_state: str
    formula_version: str
    computed_at: str
    components: list[TrustComponentOut]


class AuthorSummaryOut(Out):
    """An author as lists show it."""

    id: str
    display_name: str
    display_name_alternatives: list[str]
    orcid: str | None
    works_count: int
    ids: AuthorIdsOut
    works_api_url: str
    profile_url: str


class AuthorOut(AuthorSummaryOut):
    """One author record in full."""

    last_known_institutions: list[InstitutionNameOut]
    affiliations: list[AffiliationOut]
    topics: list[TopicCountOut]
    counts_by_year: list[YearCountOut]
    summary_stats: SummaryStatsOut
    trust: TrustOut


class WorkIdsOut(Out):
    bzpeer: str
    doi: str | None
    arxiv: str | None
    openalex: str | None


class SourceOut(Out):
    display_name: str
    type: str | None


class LocationOut(Out):
    source: SourceOut | None


class AuthorshipAuthorOut(Out):
    id: str | None
    display_name: str


class AuthorshipOut(Out):
    author_position: Literal["first", "middle", "last"]
    author: AuthorshipAuthorOut
    raw_author_name: str


class WorkOut(Out):
    id: str
    doi: str | None
    title: str
    display_name: str
    publication_year: int | None
    publication_date: str | None
    type: WorkType
    ids: WorkIdsOut
    primary_location: LocationOut
    authorships: list[AuthorshipOut]
    abstract: str | None
    abstract_inverted_index: dict[str, list[int]] | None
    locations_count: int
    also_preprint: bool


class MetaOut(Out):
    count: int
    per_page: int
    page: int | None
    next_cursor: str | None


class AuthorListOut(Out):
    meta: MetaOut
    results: list[AuthorSummaryOut]


class WorkListOut(Out):
    meta: MetaOut
    results: list[WorkOut]


# -- serialisers ---------------------------------------------------------------


def author_json(request: HttpRequest, author: Author, full: bool = True) -> dict[str, Any]:
    base = _base(request)
    data: dict[str, Any] = {
        "id": f"{base}/authors/A{author.pk}",
        "display_name": author.display_name,
        "display_name_alternatives": [n for n in author.name_variants if n != author.display_name],
        "orcid": f"https://orcid.org/{author.orcid}" if author.orcid else None,
        "works_count": author.works_count,
        "ids": {
            "bzpeer": f"A{author.pk}",
            "openalex": f"https://openalex.org/{author.openalex_id}"
            if author.openalex_id
            else None,
            "orcid": f"https://orcid.org/{author.orcid}" if author.orcid else None,
        },
        "works_api_url": f"{base}/works?filter=author.id:A{author.pk}",
        "profile_url": request.build_absolute_uri(f"/researchers/{author.slug}"),
    }
    if full:
        o = queries.author_overview(author)
        # a raw affiliation string may carry its author's e-mail address: never served
        affiliation = without_emails(o.affiliation)
        data["last_known_institutions"] = [{"display_name": affiliation}] if affiliation else []
        data["affiliations"] = [
            {
                "institution": {
                    "display_name": a.institution.name,
                    "ror": f"https://ror.org/{a.institution.ror}" if a.institution.ror else None,
                    "country_code": a.institution.country or None,
                },
                "years": [y for y in (a.start_year, a.end_year) if y],
            }
            for a in author.affiliations.select_related("institution")
        ]
        data["topics"] = [{"display_name": name, "count": n} for _, name, n in o.topics]
        data["counts_by_year"] = [
            {"year": y, "works_count": n} for y, n in reversed(o.works_by_year)
        ]
        data["summary_stats"] = {
            "followers": o.followers,
            "close_collaborators": o.close_collaborators,
        }
        snapshot = current_trust(author, o)
        data["trust"] = {
            "score": snapshot.score,
            "tier": snapshot.tier,
            "verification_level": snapshot.level,
            "claim_state": snapshot.claim_state,
            "formula_version": snapshot.formula,
            "computed_at": snapshot.computed_at.isoformat(),
            "components": snapshot.components,
        }
    return data


def _with_locations(works: list[Work]) -> dict[int, int]:
    """Load the works' identifiers and count their versions: two queries for
    the whole page, whatever its size."""
    prefetch_related_objects(works, "identifiers")
    return dict(
        WorkVersion.objects.filter(work_id__in=[w.pk for w in works])
        .values_list("work_id")
        .annotate(n=Count("id"))
        .values_list("work_id", "n")
    )


def work_json(
    request: HttpRequest,
    work: Work,
    authors: list[queries.AuthorLink],
    locations: dict[int, int],
) -> dict[str, Any]:
    base = _base(request)
    ids = {i.scheme: i.value for i in work.identifiers.all()}
    doi = f"https://doi.org/{ids['doi']}" if "doi" in ids else None
    return {
        "id": f"{base}/works/W{work.pk}",
        "doi": doi,
        "title": work.title,
        "display_name": work.title,
        "publication_year": work.year,
        "publication_date": work.date.isoformat() if work.date else None,
        "type": work.type,
        "ids": {
            "bzpeer": f"W{work.pk}",
            "doi": doi,
            "arxiv": f"https://arxiv.org/abs/{ids['arxiv']}" if "arxiv" in ids else None,
            "openalex": f"https://openalex.org/{ids['openalex']}" if "openalex" in ids else None,
        },
        "primary_location": {
            "source": {
                "display_name": work.venue_name,
                "type": work.venue.kind if work.venue else None,
            }
            if work.venue_name
            else None,
        },
        "authorships": [
            {
                "author_position": "first"
                if i == 0
                else ("last" if i == len(authors) - 1 else "middle"),
                "author": {
                    "id": f"{base}/authors/A{a.author_id}" if a.author_id else None,
                    "display_name": a.name,
                },
                "raw_author_name": a.name,
            }
            for i, a in enumerate(authors)
        ],
        "abstract": work.abstract or None,
        "abstract_inverted_index": _inverted(work.abstract),
        "locations_count": locations.get(work.pk, 0),
        "also_preprint": work.also_preprint,
    }


def _inverted(text: str) -> dict[str, list[int]] | None:
    if not text:
        return None
    index: dict[str, list[int]] = {}
    for i, word in enumerate(text.split()):
        index.setdefault(word, []).append(i)
    return index


# -- endpoints -------------------------------------------------------------------


def _ok(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    """A 200 answer, not validated again against its response model."""
    return api.create_response(request, data, status=200)


@api.get(
    "/authors/{path:author_id}",
    summary="One author record (A1, slug, orcid:..., openalex:...)",
    # 301: the record was merged into another; Location names the survivor
    # 410: taken down at the request of the person it was about
    response={200: AuthorOut, 301: None, 400: ErrorOut, 404: ErrorOut, 410: ErrorOut},
)
def get_author(request: HttpRequest, author_id: str) -> HttpResponse:
    author = queries.find_author(author_id)
    if author is None:
        raise HttpError(404, f"no author {author_id!r}")
    if author.merged_into_id is not None:  # merged away: 301 to the survivor, as OpenAlex does
        return HttpResponsePermanentRedirect(
            reverse("api-v1:get_author", kwargs={"author_id": f"A{survivor_of(author).pk}"})
        )
    if is_suppressed(author.pk):
        raise HttpError(410, f"author {author_id!r} was taken down at its subject's request")
    return _ok(request, author_json(request, author))


@api.get(
    "/authors",
    summary="Search or list author records",
    response={200: AuthorListOut, 400: ErrorOut},
)
def list_authors(request: HttpRequest, params: Query[ListParams]) -> HttpResponse:
    _parse_filter(params.filter, set())
    qs = (
        search.search_authors(params.search[:200])
        if params.search.strip()
        else Author.objects.filter(merged_into=None).order_by("-works_count", "id")
    ).exclude(pk__in=suppressed_ids())
    items, meta = _paginate(qs, params)
    return _ok(
        request, {"meta": meta, "results": [author_json(request, a, full=False) for a in items]}
    )


@api.get(
    "/works/{path:work_id}",
    summary="One work (W1, doi:..., arxiv:..., openalex:...)",
    response={200: WorkOut, 400: ErrorOut, 404: ErrorOut},
)
def get_work(request: HttpRequest, work_id: str) -> HttpResponse:
    work = queries.find_work(work_id)
    if work is None:
        raise HttpError(404, f"no work {work_id!r}")
    authors = queries.author_lists([work.pk]).get(work.pk, [])
    return _ok(request, work_json(request, work, authors, _with_locations([work])))


WORK_FILTERS = {
    "author.id",
    "authorships.author.id",
    "publication_year",
    "type",
    "doi",
    "ids.arxiv",
}


@api.get(
    "/works",
    summary="Filter, search and page through works",
    response={200: WorkListOut, 400: ErrorOut},
)
def list_works(request: HttpRequest, params: Query[ListParams]) -> HttpResponse:
    filters = _parse_filter(params.filter, WORK_FILTERS)
    qs: QuerySet[Work] = Work.objects.all()
    for key, value in filters.items():
        if key in {"author.id", "authorships.author.id"}:
            author = queries.find_author(value.rsplit("/", 1)[-1])
            if author is None:
                raise HttpError(400, f"author.id {value!r} matches no author")
            qs = qs.filter(id__in=queries.author_works(author).values("id"))
        elif key == "publication_year":
            qs = _year_filter(qs, value)
        elif key == "type":
            if value not in WorkType.values:
                raise HttpError(400, f"type must be one of {', '.join(WorkType.values)}")
            qs = qs.filter(type=value)
        elif key == "doi":
            doi = parse_doi(value)
            if not doi:
                raise HttpError(400, f"{value!r} is not a DOI")
            qs = qs.filter(identifiers__scheme="doi", identifiers__value=doi)
        elif key == "ids.arxiv":
            arxiv_id = parse_arxiv(value)
            if not arxiv_id:
                raise HttpError(400, f"{value!r} is not an arXiv id")
            qs = qs.filter(identifiers__scheme="arxiv", identifiers__value=arxiv_id)
    if params.search.strip():
        qs = qs.filter(id__in=search.search_works(params.search[:200]).values("id"))
    items, meta = _paginate(qs.select_related("venue").order_by("-year", "-id"), params)
    lists = queries.author_lists([w.pk for w in items])
    locations = _with_locations(items)
    results = [work_json(request, w, lists.get(w.pk, []), locations) for w in items]
    return _ok(request, {"meta": meta, "results": results})


api.add_router("", graph_router)
api.add_router("", social_router)
