"""The sitemap (sitemaps.org protocol, through django.contrib.sitemaps):
``/sitemap.xml`` is an index of one sitemap per kind of page, each split in
files of 50,000 addresses (``?p=2``...). Merged-away and taken-down
researchers are left out; institutions are listed once someone is affiliated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, QuerySet

from bzpeer.catalog.models import Affiliation, Author, Institution, Topic, Venue, Work
from bzpeer.claims.suppression import suppressed_ids

PER_FILE = 50_000  # the protocol's limit of addresses in one file


class _Pages(Sitemap):  # type: ignore[type-arg]
    limit = PER_FILE
    path = ""

    def location(self, item: Any) -> str:
        return self.path.format(item.pk)


class Researchers(_Pages):
    def items(self) -> QuerySet[Author]:
        return (
            Author.objects.filter(merged_into=None)
            .exclude(pk__in=suppressed_ids())
            .order_by("pk")
            .only("pk", "slug")
        )

    def location(self, item: Author) -> str:
        return f"/researchers/{item.slug}"


class Works(_Pages):
    path = "/works/{}"

    def items(self) -> QuerySet[Work]:
        return Work.objects.order_by("pk").only("pk", "updated_at")

    def lastmod(self, item: Work) -> datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        # the index asks for it: one aggregate, not every work read in Python
        latest: datetime | None = Work.objects.aggregate(latest=Max("updated_at"))["latest"]
        return latest


class Topics(_Pages):
    path = "/topics/{}"

    def items(self) -> QuerySet[Topic]:
        return Topic.objects.order_by("pk").only("pk")


class Institutions(_Pages):
    path = "/institutions/{}"

    def items(self) -> QuerySet[Institution]:
        someone = Affiliation.objects.filter(institution=OuterRef("pk"))
        return Institution.objects.filter(Exists(someone)).order_by("pk").only("pk")


class Venues(_Pages):
    path = "/sources/{}"

    def items(self) -> QuerySet[Venue]:
        return (
            Venue.objects.filter(Exists(Work.objects.filter(venue=OuterRef("pk"))))
            .order_by("pk")
            .only("pk")
        )


SITEMAPS: dict[str, type[Sitemap]] = {  # type: ignore[type-arg]
    "researchers": Researchers,
    "works": Works,
    "topics": Topics,
    "institutions": Institutions,
    "venues": Venues,
}
