"""What every test folder shares: the demo data under the test database, the
reference record, people (``make_user`` and the named users) and signed-in
clients (``client_for``). tests/README.md lists them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, User
from django.test import Client

from bzpeer.catalog import revision
from bzpeer.catalog.models import Affiliation, Author
from bzpeer.claims import services
from bzpeer.demo import DATA

FIXTURES = Path(__file__).parent / "fixtures"

# The reference researcher of the demo data, and the institutional address the
# named owner claims it with (UNC Chapel Hill, once ``unc_link`` gives it its link).
REFERENCE = "tianlong-chen"
OWNER_EMAIL = "tianlong@unc.edu"
PASSWORD = "x" * 12  # every account make_user creates has it unless told otherwise


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo data, loaded once through the real importers, under every test."""
    from bzpeer.demo import load_demo

    with django_db_blocker.unblock():
        load_demo(show_progress=False)


@pytest.fixture(autouse=True)
def cache_every_record(monkeypatch):
    """Every record's summary and graph slice goes through the cache that
    only the busiest records use in production (``catalog.revision``): each
    test that changes the catalog after a page was seen checks the change shows."""
    monkeypatch.setattr(revision, "MIN_WORKS", 0)


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def write(tmp_path: Path):
    """Write a small input file for a test and return its path."""

    def _write(name: str, content: str | bytes) -> str:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)

    return _write


# -- the reference record ----------------------------------------------------------------


@pytest.fixture
def reference_author(db) -> Author:
    """Tianlong Chen's record in the demo data."""
    return Author.objects.get(slug=REFERENCE)


@pytest.fixture
def unc_link(reference_author) -> None:
    """The reference researcher's current institution (UNC Chapel Hill, ROR
    0130frc33) with the link its ROR record carries; the demo's ROR sample
    does not include it, so its ``links`` are empty. With it an address at
    unc.edu proves a claim on the record (level L3)."""
    institution = Affiliation.objects.get(
        author=reference_author, institution__ror="0130frc33"
    ).institution
    institution.links = ["https://www.unc.edu"]
    institution.save(update_fields=["links"])


# -- people ----------------------------------------------------------------------------


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """``make_user(name, *emails, verified=True, moderator=False, password=PASSWORD,
    **fields)``: an account with these addresses (the first primary), verified
    or not, in the "moderators" group if asked; ``fields`` go to
    ``create_user`` (``is_staff=True``...)."""

    def _make(
        name: str,
        *emails: str,
        verified: bool = True,
        moderator: bool = False,
        password: str = PASSWORD,
        **fields: object,
    ) -> User:
        email = emails[0] if emails else ""
        user = User.objects.create_user(name, email=email, password=password, **fields)
        for i, address in enumerate(emails):
            EmailAddress.objects.create(user=user, email=address, verified=verified, primary=i == 0)
        if moderator:
            group, _ = Group.objects.get_or_create(name="moderators")
            user.groups.add(group)
        return user

    return _make


@pytest.fixture
def client_for() -> Callable[..., Client]:
    """``client_for(user_or_None, csrf=False)``: a test client signed in as the
    user (anonymous for None), checking CSRF tokens if ``csrf``."""

    def _client_for(user: User | None, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_login(user)
        return client

    return _client_for


@pytest.fixture
def owner(reference_author, unc_link, make_user) -> User:
    """Holds a verified claim (L3) on the reference record, made through the
    claim workflow with a verified address at the researcher's institution."""
    user = make_user("owner", OWNER_EMAIL)
    claim = services.claim_author(user, reference_author, email=OWNER_EMAIL)
    assert (claim.status, claim.level) == ("verified", "L3")
    return user


@pytest.fixture
def another_user(make_user) -> User:
    """Signed up with a verified address; claims nothing."""
    return make_user("someone", "someone@example.com")


@pytest.fixture
def outsider(make_user) -> User:
    """Signed up but never confirmed the address: no verified e-mail."""
    return make_user("outsider", "outsider@example.com", verified=False)


@pytest.fixture
def moderator(make_user) -> User:
    """In the "moderators" group, with a verified address."""
    return make_user("mod", "mod@example.org", moderator=True)
