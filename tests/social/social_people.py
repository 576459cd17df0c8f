"""Building the people of the social tests (used by conftest.py and tests)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count

from bzpeer.catalog.models import Author, AuthorshipMention
from bzpeer.claims.models import Claim


def hold(user: User, author: Author, level: str = "L3", open_: bool = True) -> Author:
    Claim.objects.create(author=author, user=user, status="verified", level=level)
    Author.objects.filter(pk=author.pk).update(open_to_collaborate=open_)
    author.refresh_from_db()
    return author


def coauthor_of(author: Author) -> Author:
    """The record with most works shared with ``author``."""
    works = AuthorshipMention.objects.filter(author=author).values("work_id")
    row = (
        AuthorshipMention.objects.filter(work_id__in=works, author__merged_into=None)
        .exclude(author=author)
        .exclude(author=None)
        .values("author_id")
        .annotate(n=Count("work_id", distinct=True))
        .order_by("-n", "author_id")
        .first()
    )
    assert row is not None
    return Author.objects.get(pk=row["author_id"])
