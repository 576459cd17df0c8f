"""Search queries: every word must appear (case-insensitive), most works or
newest first. Records merged into another are left out."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from bzpeer.catalog.models import Author, Work


def search_authors(text: str) -> QuerySet[Author]:
    query = Q()
    for term in text.split():
        query &= Q(display_name__icontains=term)
    return Author.objects.filter(query, merged_into=None).order_by("-works_count", "id")


def search_works(text: str) -> QuerySet[Work]:
    query = Q()
    for term in text.split():
        query &= Q(title__icontains=term)
    return Work.objects.filter(query).order_by("-year", "id")
