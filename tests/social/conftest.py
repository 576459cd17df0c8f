"""The people of the social tests and the records they hold.

- ``anonymous``: nobody signed in;
- ``user``: signed in, verified address, holds no record;
- ``claimed`` (B): holds a verified claim (L3) on a record open to collaborate;
- ``invitee`` (C): holds the reference researcher's record (L3), open to
  collaborate; B's record and C's share works (co-authors);
- ``blocked``: holds a record (L2) and is blocked by C;
- ``moderator``: in the moderators group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from social_people import coauthor_of, hold, make_user

from bzpeer.catalog.models import Author
from bzpeer.social.models import Block

REFERENCE = "tianlong-chen"


@dataclass
class People:
    user: User
    claimed: User
    invitee: User
    blocked: User
    moderator: User
    b_record: Author  # the claimed researcher's
    c_record: Author  # the invitee's: the reference researcher
    blocked_record: Author


@pytest.fixture
def people(db) -> People:
    c_record = Author.objects.get(slug=REFERENCE)
    b_record = coauthor_of(c_record)
    other = (
        Author.objects.filter(merged_into=None, works_count__gte=1)
        .exclude(pk__in=[b_record.pk, c_record.pk])
        .order_by("-works_count", "id")
        .first()
    )
    assert other is not None
    user = make_user("someone")
    claimed, invitee, blocked = make_user("bee"), make_user("cee"), make_user("blocked")
    moderator = make_user("mod", moderator=True)
    hold(claimed, b_record)
    hold(invitee, c_record)
    hold(blocked, other, level="L2")
    Block.objects.create(blocker=invitee, blocked=blocked)
    return People(
        user,
        claimed,
        invitee,
        blocked,
        moderator,
        b_record,
        Author.objects.get(pk=c_record.pk),
        Author.objects.get(pk=other.pk),
    )


@pytest.fixture
def as_() -> Callable[..., Client]:
    """A client signed in as ``user`` (anonymous for None); ``csrf=True``
    checks CSRF tokens as a browser's requests are checked."""

    def _client(user: User | None, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_login(user)
        return client

    return _client
