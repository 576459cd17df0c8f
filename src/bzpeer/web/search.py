"""The search page (``/search``, and ``/?q=``) and its suggestions as one types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from bzpeer.catalog import queries
from bzpeer.catalog.models import Author, Institution, Topic, Venue, Work
from bzpeer.claims.suppression import suppressed_ids
from bzpeer.search import facets
from bzpeer.search import queries as search
from bzpeer.web.params import small_int

PAGE_SIZE = 20
MAX_RESULTS = 1000  # what paging reaches; a narrower query or a filter goes further
FACET_WINDOW = 5000  # matches a broad query's facets count
SIDE = 5  # records of the other kinds shown beside works
NOUN = {
    "works": "work",
    "authors": "researcher",
    "institutions": "institution",
    "topics": "topic",
    "sources": "venue",
}
KINDS = {
    "works": "Works",
    "authors": "Researchers",
    "institutions": "Institutions",
    "topics": "Topics",
    "sources": "Venues",
}


def entity_url(entity: str, pk: int) -> str:
    if entity == "works":
        return reverse("work", args=[pk])
    if entity == "authors":
        slug = Author.objects.filter(pk=pk).values_list("slug", flat=True).first()
        return reverse("profile", args=[slug]) if slug else reverse("home")
    if entity == "topics":
        return reverse("topic", args=[pk])
    if entity == "institutions":
        return f"/institutions/{pk}"
    return f"/sources/{pk}"


def _page(request: HttpRequest, total: int) -> tuple[int, Paginator[int]]:
    paginator = Paginator(range(min(total, MAX_RESULTS)), PAGE_SIZE)
    number = paginator.get_page(small_int(request.GET.get("page")) or 1).number
    return number, paginator


def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "works")
    if kind not in KINDS:
        kind = "works"
    context: dict[str, object] = {"q": q, "kind": kind, "kinds": KINDS, "noun": NOUN[kind]}
    if not q:
        return render(request, "web/search.html", context)
    named = search.lookup(q)
    if named is not None:  # a DOI, arXiv id, ORCID, ROR or OpenAlex id: straight to it
        return redirect(entity_url(*named))
    hidden = set(suppressed_ids())
    if kind == "works":
        _works(request, q, hidden, context)
        for other in ("authors", "institutions", "topics", "sources"):
            found = search.find(other, q, SIDE + len(hidden), mend=False)  # type: ignore[arg-type]
            context[f"side_{other}"] = _records(other, found.ids, hidden)[:SIDE]
            context[f"side_{other}_total"] = found.total
    elif kind == "authors":
        _authors(request, q, hidden, context)
    else:
        match, total = search.best_match(kind, q)  # type: ignore[arg-type]
        number, paginator = _page(request, total)
        ids = search.ranked(kind, match, PAGE_SIZE, (number - 1) * PAGE_SIZE)  # type: ignore[arg-type]
        context.update(
            total=total,
            suggestion=match.suggestion,
            page=paginator.page(number) if total else None,
            results=_records(kind, ids, hidden),
        )
    page = context.get("page")
    if page is not None:
        context["pages"] = {
            "prev": _href(request, page=page.number - 1),  # type: ignore[attr-defined]
            "next": _href(request, page=page.number + 1),  # type: ignore[attr-defined]
        }
    return render(request, "web/search.html", context)


def _records(entity: str, ids: list[int], hidden: set[int]) -> list[object]:
    model = {"authors": Author, "institutions": Institution, "topics": Topic, "sources": Venue}[
        entity
    ]
    rows = model._default_manager.in_bulk(ids)  # type: ignore[attr-defined]
    return [rows[pk] for pk in ids if pk in rows and not (entity == "authors" and pk in hidden)]


Link = tuple[str, int, str, bool]  # label, records, href, chosen


def _href(request: HttpRequest, **changes: object) -> str:
    """This page's query string with ``changes`` (None removes a key), page reset."""
    params = {k: v for k, v in request.GET.items() if k != "page"}
    params.setdefault("kind", "works")
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params)


def _links(request: HttpRequest, key: str, rows: Sequence[tuple[object, str, int]]) -> list[Link]:
    chosen = request.GET.get(key)
    return [
        (label, n, _href(request, **{key: None if str(v) == chosen else v}), str(v) == chosen)
        for v, label, n in rows
    ]


def _works(request: HttpRequest, q: str, hidden: set[int], context: dict[str, object]) -> None:
    chosen = facets.WorkFilters(
        type=request.GET.get("type") or None,
        year_from=small_int(request.GET.get("from"), 1000, 3000),
        year_to=small_int(request.GET.get("to"), 1000, 3000),
        topic=small_int(request.GET.get("topic")),
        institution=small_int(request.GET.get("institution")),
    )
    match, total = search.best_match("works", q)
    qs = facets.filter_works(match.qs, chosen)
    if chosen.any():
        total = qs.count()
    number, paginator = _page(request, total)
    ids = search.ranked("works", match, PAGE_SIZE, (number - 1) * PAGE_SIZE, qs)
    rows = Work.objects.in_bulk(ids)
    works = [rows[pk] for pk in ids if pk in rows]
    # a record taken down is named in author lists, never linked
    lists = {
        pk: [replace(a, slug=None) if a.author_id in hidden else a for a in people]
        for pk, people in queries.author_lists(ids).items()
    }
    # facets over the newest FACET_WINDOW matches of a broad query: every
    # match's rows read once per facet cost 400 ms for 27,000 matches
    since = search.window("works", match, FACET_WINDOW) if total > FACET_WINDOW else None
    counted = (
        qs if since is None else facets.filter_works(search.newest("works", match, since), chosen)
    )
    context["facets_window"] = FACET_WINDOW if since is not None else None
    found = facets.work_facets(counted) if total else None
    if found is not None:
        years = [(y, str(y), n) for y, n in found.years]
        context["facets"] = [
            ("Type", _links(request, "type", found.types)),
            ("Topic", _links(request, "topic", [(t, name, n) for t, name, n in found.topics])),
            (
                "Institution",
                _links(request, "institution", [(i, name, n) for i, name, n in found.institutions]),
            ),
            (
                "Year",
                [
                    (
                        label,
                        n,
                        _href(request, **{"from": y, "to": y}),
                        y == chosen.year_from == chosen.year_to,
                    )
                    for y, label, n in years
                ],
            ),
        ]
    context.update(
        total=total,
        suggestion=match.suggestion,
        filters=chosen,
        clear=_href(request, type=None, topic=None, institution=None, **{"from": None, "to": None}),
        page=paginator.page(number) if total else None,
        rows=[(w, lists.get(w.pk, [])) for w in works],
    )


def _authors(request: HttpRequest, q: str, hidden: set[int], context: dict[str, object]) -> None:
    chosen = facets.AuthorFilters(
        open=request.GET.get("open") == "1", institution=small_int(request.GET.get("institution"))
    )
    match, total = search.best_match("authors", q)
    qs = facets.filter_authors(match.qs, chosen).exclude(pk__in=hidden)
    total = qs.count()
    number, paginator = _page(request, total)
    ids = search.ranked("authors", match, PAGE_SIZE, (number - 1) * PAGE_SIZE, qs)
    found = facets.author_facets(qs) if total else None
    if found is not None:
        context["facets"] = [
            (
                "Open to collaborate",
                _links(
                    request,
                    "open",
                    [(1, "Open to collaborate", found.open)] if found.open or chosen.open else [],
                ),
            ),
            (
                "Institution",
                _links(request, "institution", [(i, name, n) for i, name, n in found.institutions]),
            ),
        ]
    context.update(
        total=total,
        suggestion=match.suggestion,
        filters=chosen,
        clear=_href(request, open=None, institution=None),
        page=paginator.page(number) if total else None,
        results=_records("authors", ids, hidden),
    )


SUGGEST = (("authors", 5), ("works", 5), ("institutions", 3), ("topics", 3), ("sources", 2))


def suggest(request: HttpRequest) -> HttpResponse:
    """Records whose names start as the text typed so far (htmx fragment)."""
    q = request.GET.get("q", "").strip()[:100]
    groups = []
    if len(q) >= 2:
        hidden = set(suppressed_ids())
        for entity, n in SUGGEST:
            extra = len(hidden) if entity == "authors" else 0
            found = [
                s
                for s in search.autocomplete(entity, q, n + extra)  # type: ignore[arg-type]
                if not (entity == "authors" and s.id in hidden)
            ][:n]
            items = [
                (s, reverse("profile", args=[s.slug]) if s.slug else entity_url(entity, s.id))
                for s in found
            ]
            if items:
                groups.append((KINDS[entity], items))
    return render(request, "web/_suggest.html", {"q": q, "groups": groups})
