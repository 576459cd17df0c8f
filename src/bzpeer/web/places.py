"""Pages of institutions and venues: each view parses, queries (``catalog.places``), renders."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from bzpeer.catalog import places, queries
from bzpeer.catalog.models import Institution, Venue, Work
from bzpeer.claims.suppression import suppressed_ids
from bzpeer.social.views import button_context
from bzpeer.web import charts
from bzpeer.web.params import small_int
from bzpeer.web.views import PAGE_SIZE

PEOPLE_PAGE_SIZE = 30


def _page(
    request: HttpRequest, items: QuerySet | list, size: int, key: str, count: int | None = None
) -> Page:
    paginator: Paginator = Paginator(items, size)
    if count is not None:  # the works per year know how many there are: no COUNT query
        paginator.__dict__["count"] = count
    # page 0, a word or nothing is the first page; past the end, the last
    return paginator.get_page(small_int(request.GET.get(key)) or 1)


def _rows(works: list[Work]) -> list[tuple[Work, list[queries.AuthorLink]]]:
    lists = queries.author_lists([w.pk for w in works])
    return [(w, lists.get(w.pk, [])) for w in works]


def institution(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Institution, pk=pk)
    output = places.institution_output(place)
    page = _page(request, output.newest, PAGE_SIZE, "page")
    people = _page(
        request, places.institution_people(place, suppressed_ids()), PEOPLE_PAGE_SIZE, "people"
    )
    people.object_list = places.with_authors(list(people.object_list))
    return render(
        request,
        "web/institution.html",
        {
            "place": place,
            "o": output,
            "names": places.other_names(place),
            "related": places.related_institutions(place),
            "page": page,
            "rows": _rows(places.works_by_id(list(page.object_list))),
            "people": people,
            "chart": charts.works_per_year(output.by_year, output.peak),
            "follow": button_context(request.user, place),
        },
    )


def source(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_object_or_404(Venue, pk=pk)
    output = places.venue_output(venue)
    page = _page(request, places.venue_works(venue), PAGE_SIZE, "page", output.works_count)
    return render(
        request,
        "web/source.html",
        {
            "venue": venue,
            "o": output,
            "aliases": places.venue_aliases(venue),
            "authors": places.venue_authors(venue, suppressed_ids()),
            "page": page,
            "rows": _rows(list(page.object_list)),
            "chart": charts.works_per_year(output.by_year, output.peak),
        },
    )
