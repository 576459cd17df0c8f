"""Following researchers, topics and institutions. Following a researcher is
a trust input of the record, so following and unfollowing one queue its trust
refresh once committed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction

from bzpeer.catalog.models import Author, Institution, Topic
from bzpeer.trust.tasks import schedule_refresh

from .models import Follow, InstitutionFollow, TopicFollow

Target = Author | Topic | Institution


def _row(target: Target) -> tuple[type[models.Model], dict[str, Any]]:
    if isinstance(target, Author):
        return Follow, {"author": target}
    if isinstance(target, Topic):
        return TopicFollow, {"topic": target}
    return InstitutionFollow, {"institution": target}


def follow(user: AbstractBaseUser, target: Target) -> bool:
    """``user`` follows ``target`` (once, however often asked); True when new."""
    model, where = _row(target)
    _, created = model._default_manager.get_or_create(user_id=user.pk, **where)
    if created and isinstance(target, Author):
        _refresh_on_commit(target.pk)
    return created


def unfollow(user: AbstractBaseUser, target: Target) -> bool:
    """``user`` no longer follows ``target``; False when it did not."""
    model, where = _row(target)
    deleted, _ = model._default_manager.filter(user_id=user.pk, **where).delete()
    if deleted and isinstance(target, Author):
        _refresh_on_commit(target.pk)
    return bool(deleted)


def is_following(user: AbstractBaseUser | AnonymousUser, target: Target) -> bool:
    if not user.is_authenticated:
        return False
    model, where = _row(target)
    return model._default_manager.filter(user_id=user.pk, **where).exists()


def follower_total(target: Target) -> int:
    model, where = _row(target)
    return model._default_manager.filter(**where).count()


def _refresh_on_commit(author_id: int) -> None:
    transaction.on_commit(lambda: schedule_refresh([author_id]))
