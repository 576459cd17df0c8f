"""``/authors`` and ``/authors/{id}``: author records in OpenAlex's shape.
Merged-away records answer 301 with the survivor; taken-down ones 410, and
lists leave them out."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Q, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from ninja import Query, Router
from ninja.errors import HttpError

from bzpeer.catalog import queries
from bzpeer.catalog.identifiers import parse_orcid
from bzpeer.catalog.models import Affiliation, Author, Institution
from bzpeer.catalog.untrusted import without_emails
from bzpeer.claims.suppression import is_suppressed, suppressed_ids
from bzpeer.resolve.corrections import survivor_of
from bzpeer.trust.facts import current as current_trust

from .ids import id_q, is_malformed
from .openalex import (
    Entity,
    Filter,
    Group,
    ListParams,
    boolean,
    number_filter,
    parse_select,
    run_list,
    search_filter,
    selected,
)
from .out import AuthorListOut, AuthorOut
from .reads import topics_with_ancestors
from .schemas import ErrorOut
from .shapes import institution_ref, ok, record_url, topic_tree, works_api_url
from .works import related

router = Router(tags=["authors"])


def _author_id(value: str) -> Q:
    if is_malformed(value):
        raise HttpError(400, f"{value[:40]!r} is not an id")
    return id_q("authors", value)


def _orcid(value: str) -> Q:
    orcid = parse_orcid(value)
    if not orcid:
        raise HttpError(400, f"{value!r} is not an ORCID iD")
    return Q(orcid=orcid)


def _by_institution(pks: Any) -> Q:
    return Q(pk__in=Affiliation.objects.filter(institution__in=pks).values("author_id"))


_institution = related("institutions", Institution, _by_institution)
_search = search_filter("authors")
_has_orcid = Q(orcid__isnull=False) & ~Q(orcid="")


def _institutions(keys: list[Any]) -> dict[Any, tuple[str, str]]:
    rows = Institution.objects.filter(pk__in=keys).values_list("pk", "name")
    return {pk: (f"I{pk}", name) for pk, name in rows}


AUTHORS = Entity(
    name="authors",
    filters={
        "display_name.search": _search,
        "default.search": _search,
        "works_count": number_filter("works_count", "works_count"),
        "last_known_institutions.id": _institution,
        "affiliations.institution.id": _institution,
        "has_orcid": boolean("has_orcid", _has_orcid),
        "orcid": Filter(_orcid),
        "ids.orcid": Filter(_orcid),
        "openalex": Filter(_author_id),
        "openalex_id": Filter(_author_id),
        "ids.openalex": Filter(_author_id),
    },
    sorts={"works_count": "works_count", "display_name": "display_name", "id": "id"},
    groups={
        "has_orcid": Group(
            "has_orcid_key",
            expression=Case(When(_has_orcid, then=Value(True)), default=Value(False)),
        ),
        "affiliations.institution.id": Group(
            "institution_id", _institutions, (Affiliation, "author")
        ),
        "last_known_institutions.id": Group(
            "institution_id", _institutions, (Affiliation, "author")
        ),
    },
    fields=tuple(AuthorOut.model_fields),
    default_order=("-works_count", "id"),
)


def author_json(request: HttpRequest, author: Author, full: bool = True) -> dict[str, Any]:
    orcid = f"https://orcid.org/{author.orcid}" if author.orcid else None
    data: dict[str, Any] = {
        "id": record_url(request, "A", author.pk),
        "display_name": author.display_name,
        "display_name_alternatives": [n for n in author.name_variants if n != author.display_name],
        "orcid": orcid,
        "works_count": author.works_count,
        "ids": {
            "bzpeer": f"A{author.pk}",
            "openalex": f"https://openalex.org/{author.openalex_id}"
            if author.openalex_id
            else None,
            "orcid": orcid,
        },
        "works_api_url": works_api_url(request, "authorships.author.id", "A", author.pk),
        "profile_url": request.build_absolute_uri(f"/researchers/{author.slug}"),
        "x_bzpeer": {
            "page_url": request.build_absolute_uri(f"/researchers/{author.slug}"),
            "graph_api_url": request.build_absolute_uri(f"/api/v1/graph?focus=author:A{author.pk}"),
            "open_to_collaborate": author.open_to_collaborate,
        },
    }
    if full:
        data.update(_full(request, author))
    return data


def _full(request: HttpRequest, author: Author) -> dict[str, Any]:
    o = queries.author_overview(author)
    current = queries.current_institutions(author)
    # a raw affiliation string may carry its author's e-mail address: never served
    affiliation = without_emails(o.affiliation)
    last_known = [institution_ref(request, i) for i in current]
    if not last_known and affiliation:
        last_known = [
            {
                "id": None,
                "display_name": affiliation,
                "ror": None,
                "country_code": None,
                "type": None,
            }
        ]
    topic_rows = topics_with_ancestors([pk for pk, _, _ in o.topics])
    snapshot = current_trust(author, o)
    return {
        "last_known_institutions": last_known,
        "affiliations": [
            {
                "institution": institution_ref(request, a.institution),
                "years": [y for y in (a.start_year, a.end_year) if y],
            }
            for a in author.affiliations.select_related("institution").order_by("id")
        ],
        "topics": [
            {
                "id": record_url(request, "T", pk),
                "display_name": name,
                "count": n,
                **(
                    topic_tree(request, topic_rows[pk])
                    if pk in topic_rows
                    else {"subfield": None, "field": None, "domain": None}
                ),
            }
            for pk, name, n in o.topics
        ],
        "counts_by_year": [{"year": y, "works_count": n} for y, n in reversed(o.works_by_year)],
        "summary_stats": {
            "followers": o.followers,
            "close_collaborators": o.close_collaborators,
        },
        "trust": {
            "score": snapshot.score,
            "tier": snapshot.tier,
            "verification_level": snapshot.level,
            "claim_state": snapshot.claim_state,
            "formula_version": snapshot.formula,
            "computed_at": snapshot.computed_at.isoformat(),
            "components": snapshot.components,
        },
    }


def find_author(identifier: str) -> Author | None:
    if is_malformed(identifier):
        return None
    return Author.objects.filter(id_q("authors", identifier)).first()


@router.get(
    "/authors/{path:author_id}",
    summary="One author record: A1, its URL, slug, orcid:..., https://orcid.org/..., openalex:...",
    # 301: the record was merged into another; Location names the survivor
    # 410: taken down at the request of the person it was about
    response={200: AuthorOut, 301: None, 400: ErrorOut, 404: ErrorOut, 410: ErrorOut},
)
def get_author(request: HttpRequest, author_id: str, select: str = "") -> HttpResponse:
    fields = parse_select(AUTHORS, select)
    author = find_author(author_id)
    if author is None:
        raise HttpError(404, f"no author {author_id[:200]!r}")
    if author.merged_into_id is not None:  # merged away: 301 to the survivor, as OpenAlex does
        return HttpResponsePermanentRedirect(
            reverse("api-v1:get_author", kwargs={"author_id": f"A{survivor_of(author).pk}"})
        )
    if is_suppressed(author.pk):
        raise HttpError(410, f"author {author_id!r} was taken down at its subject's request")
    return ok(selected(author_json(request, author, full=True), fields))


@router.get(
    "/authors",
    summary="Filter, search, sort, group, sample and page through author records",
    response={200: AuthorListOut, 400: ErrorOut},
)
def list_authors(request: HttpRequest, params: Query[ListParams]) -> HttpResponse:
    base = Author.objects.filter(merged_into=None).exclude(pk__in=suppressed_ids())
    page = run_list(AUTHORS, base, params, request.build_absolute_uri("/"))
    rows = Author.objects.in_bulk(page.ids)
    fields = parse_select(AUTHORS, params.select)
    results = []
    for pk in page.ids:
        if pk not in rows:
            continue
        data = author_json(request, rows[pk], full=False)
        if pk in page.relevance:
            data["relevance_score"] = page.relevance[pk]
        results.append(selected(data, fields))
    return ok({"meta": page.meta, "results": results, "group_by": page.groups or []})
