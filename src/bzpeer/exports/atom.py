"""Atom feeds of the newest works of a researcher, a topic or an institution
(no account needed): a feed reader's way to follow them."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from bzpeer.catalog.models import (
    Author,
    AuthorshipMention,
    Institution,
    MentionInstitution,
    Topic,
    Work,
    WorkTopic,
)
from bzpeer.catalog.untrusted import without_emails
from bzpeer.claims.suppression import is_suppressed

SIZE = 30


def _clean(text: str, limit: int) -> str:
    """One line, no control characters (XML refuses most of them), no e-mail."""
    text = "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)
    return without_emails(" ".join(text.split()))[:limit]


def works_of(target: Author | Topic | Institution, limit: int = 30) -> list[Work]:
    """The newest works of one researcher, topic or institution (its Atom feed)."""
    member: QuerySet[Any, Any]
    if isinstance(target, Author):
        member = AuthorshipMention.objects.filter(author=target).values("work_id")
    elif isinstance(target, Topic):
        member = WorkTopic.objects.filter(topic=target).values("work_id")
    else:
        member = MentionInstitution.objects.filter(institution=target).values("mention__work_id")
    return list(
        Work.objects.filter(id__in=member)
        .select_related("venue")
        .order_by(F("year").desc(nulls_last=True), "-id")[:limit]
    )


class _Works(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed
    kind = ""

    def items(self, target: Author | Topic | Institution) -> list[Work]:
        return works_of(target, SIZE)

    def item_title(self, item: Work) -> str:
        return _clean(item.title, 500) or "Untitled"

    def item_description(self, item: Work) -> str:
        venue = _clean(item.venue_name, 200)
        authors = _clean(item.authors_text, 600)
        head = ", ".join(p for p in (str(item.year or ""), venue) if p)
        return f"{head}. {authors}" if head else authors

    def item_link(self, item: Work) -> str:
        return reverse("work", args=[item.pk])

    def item_pubdate(self, item: Work) -> datetime | None:
        day = item.date or (date(item.year, 1, 1) if item.year else None)
        return timezone.make_aware(datetime.combine(day, time())) if day else None

    def item_updateddate(self, item: Work) -> datetime:
        return item.updated_at


class AuthorWorks(_Works):
    def get_object(self, request: HttpRequest, slug: str) -> Author:  # type: ignore[override]
        author = get_object_or_404(Author, slug=slug, merged_into=None)
        if is_suppressed(author.pk):
            raise Http404("no such record")
        return author

    def title(self, obj: Author) -> str:
        return f"New works by {_clean(obj.display_name, 200)} · BZPEER"

    def link(self, obj: Author) -> str:
        return reverse("profile", args=[obj.slug])

    def subtitle(self, obj: Author) -> str:
        return "The newest works of this researcher in the BZPEER catalog."


class TopicWorks(_Works):
    def get_object(self, request: HttpRequest, pk: int) -> Topic:  # type: ignore[override]
        return get_object_or_404(Topic, pk=pk)

    def title(self, obj: Topic) -> str:
        return f"New works in {_clean(obj.name, 200)} · BZPEER"

    def link(self, obj: Topic) -> str:
        return reverse("topic", args=[obj.pk])

    def subtitle(self, obj: Topic) -> str:
        return "The newest works of this topic in the BZPEER catalog."


class InstitutionWorks(_Works):
    def get_object(self, request: HttpRequest, pk: int) -> Institution:  # type: ignore[override]
        return get_object_or_404(Institution, pk=pk)

    def title(self, obj: Institution) -> str:
        return f"New works from {_clean(obj.name, 200)} · BZPEER"

    def link(self, obj: Institution) -> str:
        return reverse("institution", args=[obj.pk])

    def subtitle(self, obj: Institution) -> str:
        return "The newest works of this institution's researchers in the BZPEER catalog."
