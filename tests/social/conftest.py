"""The people of the social tests and the records they hold (accounts from
the top conftest's ``make_user``, clients from its ``client_for``).

- ``anonymous``: nobody signed in;
- ``user``: signed in, verified address, holds no record;
- ``claimed`` (B): holds a verified claim (L3) on a record open to collaborate;
- ``invitee`` (C): holds the reference researcher's record (L3), open to
  collaborate; B's record and C's share works (co-authors);
- ``blocked``: holds a record (L2) and is blocked by C;
- ``moderator``: in the moderators group.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from social_people import coauthor_of, hold

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
def people(make_user) -> People:
    c_record = Author.objects.get(slug=REFERENCE)
    b_record = coauthor_of(c_record)
    other = (
        Author.objects.filter(merged_into=None, works_count__gte=1)
        .exclude(pk__in=[b_record.pk, c_record.pk])
        .order_by("-works_count", "id")
        .first()
    )
    assert other is not None

    def person(name: str, moderator: bool = False) -> User:
        return make_user(name, f"{name}@example.org", moderator=moderator)

    user = person("someone")
    claimed, invitee, blocked = person("bee"), person("cee"), person("blocked")
    moderator = person("mod", moderator=True)
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
