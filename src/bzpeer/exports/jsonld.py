"""schema.org JSON-LD for pages: Person on a profile, ScholarlyArticle on a work.

The block is a ``<script type="application/ld+json">``: a data block, which
the Content-Security-Policy's ``script-src`` does not govern since no script
runs. What a record holds cannot end it: ``<``, ``>`` and ``&`` are written
as ``\\u003c``, ``\\u003e``, ``\\u0026`` (as Django's ``json_script`` does), so
no ``</script>`` or ``<!--`` can appear inside."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import orjson
from django.utils.safestring import SafeString, mark_safe

from bzpeer.catalog.models import Affiliation, Author, WorkType
from bzpeer.catalog.queries import AuthorLink

from .records import NAME_LIMIT, Citable, clean, split_name

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
CONTEXT = "https://schema.org"


def script(data: dict[str, Any]) -> SafeString:
    body = orjson.dumps(data).decode().translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{body}</script>')


def person(
    author: Author,
    site: str,
    *,
    name: str,
    orcid: str | None,
    affiliations: list[Affiliation],
    affiliation: str = "",
) -> dict[str, Any]:
    """A researcher's record: name, the record's other homes, current affiliations."""
    url = f"{site}/researchers/{author.slug}"
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Person",
        "@id": url,
        "url": url,
        "name": clean(name, NAME_LIMIT),
    }
    same = []
    if orcid:
        same.append(f"https://orcid.org/{orcid}")
    if author.openalex_id:
        same.append(f"https://openalex.org/{author.openalex_id}")
    if same:
        data["sameAs"] = same
    places = []
    for a in affiliations:
        if a.end_year is not None:
            continue
        place: dict[str, Any] = {"@type": "Organization", "name": clean(a.institution.name, 500)}
        if a.institution.ror:
            place["sameAs"] = f"https://ror.org/{a.institution.ror}"
        places.append(place)
    if not places and affiliation:
        places.append({"@type": "Organization", "name": clean(affiliation, 500)})
    if places:
        data["affiliation"] = places
    return data


def article(
    item: Citable, people: Sequence[AuthorLink], site: str, hidden: Collection[int]
) -> dict[str, Any]:
    """A work and its authors, each linked to their profile unless the record
    is in ``hidden`` (taken down)."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ScholarlyArticle",
        "@id": item.page,
        "url": item.page,
        "headline": item.title[:110],
        "name": item.title,
    }
    authors: list[dict[str, Any]] = []
    editors: list[dict[str, Any]] = []
    for link in people:
        p = split_name(link.name)
        if p is None:
            continue
        entry: dict[str, Any] = {"@type": "Person", "name": p.full}
        if p.given:
            entry |= {"familyName": p.family, "givenName": p.given}
        if link.url and link.author_id not in hidden:
            entry["url"] = site + link.url
        (editors if link.role == "editor" else authors).append(entry)
    if authors:
        data["author"] = authors
    if editors:
        data["editor"] = editors
    if item.date:
        data["datePublished"] = item.date.isoformat()
    elif item.year:
        data["datePublished"] = str(item.year)
    if item.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": item.doi}
        data["sameAs"] = f"https://doi.org/{item.doi}"
    if item.venue:
        kind = "Periodical" if item.type == WorkType.JOURNAL_ARTICLE else "CreativeWork"
        data["isPartOf"] = {"@type": kind, "name": item.venue}
    return data
