"""Accounts and records the claim tests share."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, User
from django.test import Client

from bzpeer.catalog.models import Affiliation, Author

REFERENCE = "tianlong-chen"


@pytest.fixture
def author(db) -> Author:
    return Author.objects.get(slug=REFERENCE)


@pytest.fixture
def other_author(db) -> Author:
    return (
        Author.objects.filter(merged_into=None)
        .exclude(slug=REFERENCE)
        .order_by("-works_count", "id")
        .first()
    )


@pytest.fixture
def unc_link(author) -> None:
    """The reference researcher's current institution (UNC Chapel Hill, ROR
    0130frc33) with the link its ROR record carries; the demo's ROR sample
    does not include it, so its ``links`` are empty."""
    institution = Affiliation.objects.get(author=author, institution__ror="0130frc33").institution
    institution.links = ["https://www.unc.edu"]
    institution.save(update_fields=["links"])


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def _make(name: str, *emails: str, verified: bool = True, moderator: bool = False) -> User:
        user = User.objects.create_user(name, email=emails[0] if emails else "", password="x" * 12)
        for i, email in enumerate(emails):
            EmailAddress.objects.create(user=user, email=email, verified=verified, primary=i == 0)
        if moderator:
            group, _ = Group.objects.get_or_create(name="moderators")
            user.groups.add(group)
        return user

    return _make


@pytest.fixture
def login() -> Callable[..., Client]:
    def _login(user: User | None, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_login(user)
        return client

    return _login
