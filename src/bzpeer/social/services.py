"""Following an author record: a follow is a trust input of the record, so
following and unfollowing queue its trust refresh once committed."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from bzpeer.catalog.models import Author
from bzpeer.social.models import Follow
from bzpeer.trust.tasks import schedule_refresh


def follow(user: AbstractBaseUser, author: Author) -> Follow:
    """``user`` follows ``author`` (once, however often asked)."""
    found, created = Follow.objects.get_or_create(user_id=user.pk, author=author)
    if created:
        _refresh_on_commit(author.pk)
    return found


def unfollow(user: AbstractBaseUser, author: Author) -> bool:
    """``user`` no longer follows ``author``; False when it did not."""
    deleted, _ = Follow.objects.filter(user_id=user.pk, author=author).delete()
    if deleted:
        _refresh_on_commit(author.pk)
    return bool(deleted)


def _refresh_on_commit(author_id: int) -> None:
    transaction.on_commit(lambda: schedule_refresh([author_id]))
