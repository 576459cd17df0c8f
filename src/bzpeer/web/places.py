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
from bzpeer.web.views import PAGE_SIZE, _int

PEOPLE_PAGE_SIZE = 30


def _works_page(request: HttpRequest, works: QuerySet[Work], count: int) -> Page:
    paginator: Paginator = Paginator(works, PAGE_SIZE)
    # the works per year already know how many there are: spare the COUNT query
    paginator.__dict__["count"] = count
    # page 0, a word or nothing is the first page; past the end, the last
    return paginator.get_page(_int(request.GET.get("page")) or 1)


def _rows(page: Page) -> list[tuple[Work, list[queries.AuthorLink]]]:
    works: list[Work] = list(page.object_list)
    lists = queries.author_lists([w.pk for w in works])
    return [(w, lists.get(w.pk, [])) for w in works]


def institution(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Institution, pk=pk)
    output = places.institution_output(place)
    page = _works_page(request, places.institution_works(place), output.works_count)
    people = Paginator(
        places.institution_people(place, suppressed_ids()), PEOPLE_PAGE_SIZE
    ).get_page(_int(request.GET.get("people")) or 1)
    return render(
        request,
        "web/institution.html",
        {
            "place": place,
            "o": output,
            "names": places.other_names(place),
            "related": places.related_institutions(place),
            "page": page,
            "rows": _rows(page),
            "people": people,
            "chart": charts.works_per_year(output.by_year, output.peak),
            "follow": button_context(request.user, place),
        },
    )


def source(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_object_or_404(Venue, pk=pk)
    output = places.venue_output(venue)
    page = _works_page(request, places.venue_works(venue), output.works_count)
    return render(
        request,
        "web/source.html",
        {
            "venue": venue,
            "o": output,
            "aliases": places.venue_aliases(venue),
            "authors": places.venue_authors(venue, suppressed_ids()),
            "page": page,
            "rows": _rows(page),
            "chart": charts.works_per_year(output.by_year, output.peak),
        },
    )
