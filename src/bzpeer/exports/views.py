"""Downloads of citations (BibTeX, RIS, CSL-JSON) for a work, a researcher's
works and a search, and what the work and profile pages show of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from bzpeer.catalog import queries
from bzpeer.catalog.models import Author, Work, WorkIdentifier, WorkType
from bzpeer.claims.models import OwnerProfile
from bzpeer.claims.suppression import is_suppressed, suppressed_ids
from bzpeer.resolve.corrections import survivor_of
from bzpeer.search.queries import find

from . import bibtex, csl, jsonld, reference, ris
from .records import Citable, citable, first_identifiers, load

SEARCH_LIMIT = 1_000  # works in a search's export, best first
PROFILE_LIMIT = 5_000  # works in a researcher's export, newest first
FORMATS: dict[str, str] = {
    "bib": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "json": "application/vnd.citationstyles.csl+json",
}


class FormatConverter:
    """``bib``, ``ris`` or ``json`` in an export's address."""

    regex = "bib|ris|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def site(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _download(items: Sequence[Citable], fmt: str, filename: str, note: str = "") -> HttpResponse:
    body: str | bytes
    if fmt == "bib":
        body = bibtex.write(items, note)
    elif fmt == "ris":
        body = ris.write(items)
    else:
        body = csl.write(items)
    response = HttpResponse(body, content_type=f"{FORMATS[fmt]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Export-Count"] = str(len(items))
    return response


def _note(shown: int, total: int, what: str) -> str:
    if total <= shown:
        return ""
    return f"BZPEER: the first {shown:,} of {total:,} {what}; the export stops there."


def work_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    # an id past the database's integers is no work (and no query)
    items = load([pk], site(request)) if queries.row_id(str(pk)) is not None else []
    if not items:
        return HttpResponse("No such work.", status=404, content_type="text/plain")
    return _download(items, fmt, items[0].key)


def _filters(request: HttpRequest) -> tuple[int | None, str | None]:
    """The profile's own filters, read as the profile reads them."""
    raw = request.GET.get("year") or ""
    year = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    kind = request.GET.get("type") or None
    return year or None, kind if kind in WorkType.values else None


def profile_works(author: Author, year: int | None, kind: str | None) -> QuerySet[Work]:
    works = queries.filter_works(queries.author_works(author), year, kind)
    return works.order_by("-year", "-id")


def profile_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    if author.merged_into_id is not None:
        target = reverse("profile_export", args=[survivor_of(author).slug, fmt])
        query = request.GET.urlencode()
        return redirect(f"{target}?{query}" if query else target, permanent=True)
    if is_suppressed(author.pk):
        return HttpResponse("This record was taken down.", status=410, content_type="text/plain")
    year, kind = _filters(request)
    works = profile_works(author, year, kind)
    ids = list(works.values_list("pk", flat=True)[: PROFILE_LIMIT + 1])
    total = works.count() if len(ids) > PROFILE_LIMIT else len(ids)
    items = load(ids[:PROFILE_LIMIT], site(request))
    parts = [author.slug, str(year) if year else "", kind or ""]
    note = _note(len(items), total, "works")
    return _download(items, fmt, "-".join(p for p in parts if p), note)


def search_export(request: HttpRequest, fmt: str) -> HttpResponse:
    q = " ".join(request.GET.get("q", "").split())[:200]
    if not q:
        return HttpResponseBadRequest("Say what to search for: ?q=", content_type="text/plain")
    found = find("works", q, SEARCH_LIMIT)
    items = load(found.ids[:SEARCH_LIMIT], site(request))
    note = _note(len(items), found.total, "works matching the search, best first")
    return _download(items, fmt, "search-works", note)


def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        f"Sitemap: {site(request)}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# What the pages show


def work_context(
    request: HttpRequest,
    work: Work,
    people: Sequence[queries.AuthorLink],
    identifiers: Sequence[WorkIdentifier],
) -> dict[str, Any]:
    """The work page's "Cite" box and its JSON-LD, from what the page read."""
    here = site(request)
    item = citable(work, people, first_identifiers(identifiers), here)
    # every take-down in force (few; as the explorer reads them): one query
    # whether or not the work's authors have records
    hidden = set(suppressed_ids())
    return {
        "cite": {
            "reference": reference.html(item),
            "bibtex": bibtex.write([item]),
            "links": [(fmt, reverse("work_export", args=[work.pk, fmt])) for fmt in FORMATS],
        },
        "jsonld": jsonld.script(jsonld.article(item, people, here, hidden)),
    }


def profile_context(
    request: HttpRequest,
    overview: queries.AuthorOverview,
    owner: OwnerProfile | None,
    year: int | None,
    kind: str | None,
) -> dict[str, Any]:
    """The profile's export menu (honouring its filter) and its JSON-LD, where
    what the record's owner states (name, ORCID) comes before the sources."""
    author = overview.author
    query = urlencode([(k, v) for k, v in (("year", year), ("type", kind)) if v])
    links = []
    for fmt in FORMATS:
        url = reverse("profile_export", args=[author.slug, fmt])
        links.append((fmt, f"{url}?{query}" if query else url))
    data = jsonld.person(
        author,
        site(request),
        name=(owner.display_name if owner else "") or author.display_name,
        orcid=author.orcid or (owner.orcid if owner else None),
        affiliations=overview.affiliations,
        affiliation=overview.affiliation,
    )
    return {"exports": links, "jsonld": jsonld.script(data)}
