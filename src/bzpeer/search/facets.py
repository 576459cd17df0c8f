"""Filters and facet counts over what a search matched: works by type, year,
topic and institution; author records by institution and whether they are
open to collaborate. Counts are over every match, not one page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from bzpeer.catalog.models import (
    Affiliation,
    Author,
    MentionInstitution,
    Work,
    WorkTopic,
    WorkType,
)

TOP = 8  # topics and institutions a facet lists


@dataclass(frozen=True)
class WorkFilters:
    type: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    topic: int | None = None
    institution: int | None = None

    def any(self) -> bool:
        return any(v is not None for v in vars(self).values())


@dataclass(frozen=True)
class AuthorFilters:
    open: bool = False
    institution: int | None = None

    def any(self) -> bool:
        return self.open or self.institution is not None


def filter_works(qs: QuerySet[Work], f: WorkFilters) -> QuerySet[Work]:
    if f.type in WorkType.values:
        qs = qs.filter(type=f.type)
    if f.year_from is not None:
        qs = qs.filter(year__gte=f.year_from)
    if f.year_to is not None:
        qs = qs.filter(year__lte=f.year_to)
    if f.topic is not None:
        qs = qs.filter(Exists(WorkTopic.objects.filter(work_id=OuterRef("pk"), topic_id=f.topic)))
    if f.institution is not None:
        qs = qs.filter(
            Exists(
                MentionInstitution.objects.filter(
                    mention__work_id=OuterRef("pk"), institution_id=f.institution
                )
            )
        )
    return qs


def filter_authors(qs: QuerySet[Author], f: AuthorFilters) -> QuerySet[Author]:
    if f.open:
        qs = qs.filter(open_to_collaborate=True)
    if f.institution is not None:
        qs = qs.filter(
            Exists(
                Affiliation.objects.filter(author_id=OuterRef("pk"), institution_id=f.institution)
            )
        )
    return qs


@dataclass(frozen=True)
class WorkFacets:
    types: list[tuple[str, str, int]]  # value, label, works
    years: list[tuple[int, int]]  # newest first
    topics: list[tuple[int, str, int]]
    institutions: list[tuple[int, str, int]]


def _ids(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.order_by().values("pk")


def work_facets(qs: QuerySet[Work]) -> WorkFacets:
    ids = _ids(qs)
    base = Work.objects.filter(pk__in=ids).order_by()
    types = [
        (t, WorkType(t).label, n)
        for t, n in base.values_list("type").annotate(n=Count("id")).order_by("-n", "type")
    ]
    years = list(
        base.exclude(year=None).values_list("year").annotate(n=Count("id")).order_by("-year")
    )
    topics = list(
        WorkTopic.objects.filter(work_id__in=ids)
        .values_list("topic_id", "topic__name")
        .annotate(n=Count("work_id", distinct=True))
        .order_by("-n", "topic__name")[:TOP]
    )
    institutions = list(
        MentionInstitution.objects.filter(mention__work_id__in=ids)
        .values_list("institution_id", "institution__name")
        .annotate(n=Count("mention__work_id", distinct=True))
        .order_by("-n", "institution__name")[:TOP]
    )
    return WorkFacets(types, years, topics, institutions)


@dataclass(frozen=True)
class AuthorFacets:
    open: int  # records open to collaborate
    institutions: list[tuple[int, str, int]]


def author_facets(qs: QuerySet[Author]) -> AuthorFacets:
    ids = _ids(qs)
    return AuthorFacets(
        Author.objects.filter(pk__in=ids, open_to_collaborate=True).count(),
        list(
            Affiliation.objects.filter(author_id__in=ids)
            .values_list("institution_id", "institution__name")
            .annotate(n=Count("author_id", distinct=True))
            .order_by("-n", "institution__name")[:TOP]
        ),
    )
