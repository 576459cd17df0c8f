"""Claiming a record in the browser, as a person does it (issue 22): sign up,
confirm the address from the mail, claim the reference researcher's record
with an address at his current institution, edit the profile, remove a work
and undo it; a second account's claim opens a dispute that a moderator
rejects; and the same claim through ORCID sign-in against a fake ORCID.

Each journey leaves the session's database as it found it (``Ledger``): the
other browser tests read the same records.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from journey import (
    ROR_UNC,
    FakeOrcid,
    Ledger,
    authorize_page,
    confirmation_link,
    in_database,
    orcid_record,
)

pytestmark = pytest.mark.browser

SLUG = "tianlong-chen"
UNC_ROR = "0130frc33"
PASSWORD = "correct horse battery staple 22"
OWNER_EMAIL = "tchen@unc.edu"
RIVAL_EMAIL = "t.chen.rival@example.com"
MODERATOR_EMAIL = "moderator@bzpeer.test"
BUDGET = 60.0  # seconds from sign-up to "Claimed" on the profile
ORCID_ID = "0000-0002-7319-2192"  # the iD of ORCID's official sample record
ORCID_CLIENT = "APP-E2ETESTCLIENT0"


@dataclass
class Journey:
    base: str
    browser: Any
    ledger: Ledger
    arxiv: list[str]
    contexts: list[Any] = field(default_factory=list)

    def person(self, orcid: FakeOrcid | None = None) -> Any:
        """A browser of one's own (cookies included); nothing leaves the
        machine: other hosts are refused, ORCID's answered by the fake."""
        context = self.browser.new_context(viewport={"width": 1024, "height": 900})
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        host = urlsplit(self.base).netloc

        def route(route: Any) -> None:
            url = urlsplit(route.request.url)
            if orcid is not None and url.netloc == "orcid.org" and url.path == "/oauth/authorize":
                route.fulfill(
                    status=200, content_type="text/html", body=authorize_page(url.geturl())
                )
            elif url.scheme in ("http", "https", "ws", "wss") and url.netloc != host:
                route.abort()
            else:
                route.continue_()

        context.route("**/*", route)
        return context.new_page()

    def url(self, path: str) -> str:
        return self.base.rstrip("/") + path


@pytest.fixture
def journey(browser, live_server, django_db_setup, django_db_blocker) -> Iterator[Journey]:
    """The journey's database: the real ROR record of UNC Chapel Hill imported
    (its links), a moderator account; all of it, and all the journey makes,
    gone afterwards."""
    from django.core.cache import cache

    cache.clear()  # allauth's rate limits count per address and per minute, in the cache

    def setup(ledger: Ledger) -> list[str]:
        from allauth.account.models import EmailAddress
        from django.contrib.auth.models import Group, User

        from bzpeer.catalog.models import Author, WorkIdentifier
        from bzpeer.ingest.pipeline import run_import

        run_import("ror", [str(ROR_UNC)], show_progress=False, resolve=False)
        group, ledger.group_made = Group.objects.get_or_create(name="moderators")
        moderator = User.objects.create_user("e2e-moderator", MODERATOR_EMAIL, PASSWORD)
        moderator.groups.add(group)
        EmailAddress.objects.create(
            user=moderator, email=MODERATOR_EMAIL, verified=True, primary=True
        )
        author = Author.objects.get(slug=SLUG)
        assert author.orcid is None and not Author.objects.filter(orcid=ORCID_ID).exists()
        return list(
            WorkIdentifier.objects.filter(work__mentions__author=author, scheme="arxiv")
            .order_by("value")
            .values_list("value", flat=True)
            .distinct()[:3]
        )

    ledger = in_database(django_db_blocker, lambda: Ledger.open(SLUG, ror=UNC_ROR))
    journey = Journey(live_server.url, browser, ledger, [])
    try:
        journey.arxiv = in_database(django_db_blocker, lambda: setup(ledger))
        yield journey
    finally:
        for context in journey.contexts:
            context.close()
        differs = in_database(django_db_blocker, lambda: ledger.close(SLUG))
        assert not differs, "the journey left the database changed:\n  " + "\n  ".join(differs)


# -- what a person sees ------------------------------------------------------------


def path_of(page: Any) -> str:
    return urlsplit(page.url).path


def snapshot(page: Any) -> tuple[str, str]:
    """The trust snapshot's verification level and claim state."""
    cells = page.locator("section.trust .trust-row > div")
    level = cells.filter(has=page.locator("span.label", has_text="Verification"))
    state = cells.filter(has=page.locator("span.label", has_text="Claim"))
    return level.locator("b").inner_text(), state.locator("b").inner_text()


def works_count(page: Any) -> int:
    counts = page.locator("section.counts div", has_text="works")
    return int(counts.locator("b").inner_text().replace(",", ""))


def sign_up(page: Any, journey: Journey, email: str) -> None:
    """Sign up, open the link of the confirmation mail, confirm: signed in."""
    page.goto(journey.url("/accounts/signup/"))
    page.get_by_placeholder("Email address").fill(email)
    page.get_by_placeholder("Password", exact=True).fill(PASSWORD)
    page.get_by_placeholder("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert "Verify Your Email Address" in page.locator("main").inner_text()
    page.goto(confirmation_link(email))
    assert email in page.locator("main").inner_text()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(journey.url("/"))
    assert "Signed in as" in page.locator("header").inner_text()


def open_profile(page: Any, journey: Journey) -> None:
    page.goto(journey.url(f"/researchers/{SLUG}"))
    assert page.locator("h1").inner_text() == "Tianlong Chen"


def claim_it(page: Any) -> str:
    """From the profile: the claim form, the claim; the result's text."""
    page.get_by_role("link", name="Claim this record").click()
    page.wait_for_url(re.compile(rf"/researchers/{SLUG}/claim$"))
    page.locator("form.claim-form").get_by_role("button", name="Claim this record").click()
    return page.locator("p.result").inner_text()


# -- the journeys ------------------------------------------------------------------


def test_claim_by_institutional_email_then_edit_fix_and_a_dispute(journey):
    owner = journey.person()
    started = time.perf_counter()
    sign_up(owner, journey, OWNER_EMAIL)
    open_profile(owner, journey)
    assert snapshot(owner) == ("L1", "Unclaimed author")
    result = claim_it(owner)
    assert "Verified at once" in result and "L3" in result
    assert "an address at a current institution's domain" in result
    owner.get_by_role("link", name="Back to the profile").click()
    owner.wait_for_url(journey.url(f"/researchers/{SLUG}"))
    assert owner.locator(".claim-actions .tag").inner_text() == "Claimed by you"
    assert snapshot(owner) == ("L3", "Claimed")
    email_path = time.perf_counter() - started
    print(f"\ne-mail path, sign-up to Claimed: {email_path:.1f} s")
    assert email_path < BUDGET

    # Edit profile: a one-line bio.
    bio = "Assistant professor at UNC Chapel Hill; sparse and efficient neural networks."
    owner.get_by_role("link", name="Edit profile").click()
    owner.wait_for_url(journey.url(f"/researchers/{SLUG}/edit"))
    owner.get_by_label("One-line bio").fill(bio)
    owner.get_by_role("button", name="Save").click()
    owner.wait_for_url(journey.url(f"/researchers/{SLUG}"))
    assert owner.locator("p.bio").inner_text() == bio

    # Fix this record: "not my work" on one work, then undo it.
    before = works_count(owner)
    reason = "Not mine: a namesake at another university wrote this one."
    owner.get_by_role("link", name="Fix this record").click()
    owner.wait_for_url(journey.url(f"/researchers/{SLUG}/fix"))
    works = owner.locator("form.works-form")
    works.locator("ul.fix-works input[type=checkbox]").first.check()
    works.get_by_label("Why").fill(reason)
    works.get_by_role("button", name="Not my work: remove").click()
    owner.wait_for_url(re.compile(rf"/researchers/{SLUG}\?done=removed#corrections$"))
    assert "The works were removed from this record." in owner.locator("#corrections").inner_text()
    assert works_count(owner) == before - 1
    entries = owner.locator("#corrections ol.correction-log > li")
    assert entries.count() == 1
    entry = entries.first
    assert reason in entry.inner_text() and "by the record's owner" in entry.inner_text()
    entry.get_by_role("button", name="Undo").click()
    owner.wait_for_url(re.compile(rf"/researchers/{SLUG}\?done=undone#corrections$"))
    assert "The correction was undone." in owner.locator("#corrections").inner_text()
    assert works_count(owner) == before
    entry = owner.locator("#corrections ol.correction-log > li")
    assert entry.count() == 1 and "undone" in (entry.get_attribute("class") or "")
    assert "undone" in entry.locator(".tag").inner_text() and reason in entry.inner_text()
    assert entry.get_by_role("button", name="Undo").count() == 0

    # A second account claims the same record: a dispute.
    rival = journey.person()
    sign_up(rival, journey, RIVAL_EMAIL)
    open_profile(rival, journey)
    assert rival.get_by_role("link", name="Claim this record").count() == 0
    rival.get_by_role("link", name="Dispute this claim").click()
    rival.wait_for_url(re.compile(rf"/researchers/{SLUG}/claim$"))
    assert "Your claim opens a dispute" in rival.locator("p.notice").inner_text()
    rival.locator("form.claim-form").get_by_role("button", name="Claim this record").click()
    result = rival.locator("p.result").inner_text()
    assert "pending and disputes the claim another account holds" in result

    # A moderator signs in, finds the dispute, rejects it with a reason.
    moderator = journey.person()
    moderator.goto(journey.url("/accounts/login/"))
    moderator.get_by_placeholder("Email address").fill(MODERATOR_EMAIL)
    moderator.get_by_placeholder("Password").fill(PASSWORD)
    moderator.get_by_role("button", name="Sign In").click()
    moderator.wait_for_url(journey.url("/"))
    moderator.goto(journey.url("/moderation/claims"))
    disputes = moderator.locator("section", has=moderator.locator("h2", has_text="Disputes"))
    item = disputes.locator("article.claim-item", has_text=RIVAL_EMAIL)
    assert item.count() == 1 and "disputed" in item.inner_text()
    assert "Held by" in item.inner_text()  # the standing claim, beside it
    why = "The address at UNC and the record's own affiliation prove the standing claim."
    item.get_by_label("Reason", exact=True).fill(why)
    item.get_by_role("button", name="Reject").click()
    moderator.wait_for_url(journey.url("/moderation/claims"))
    assert "No disputes." in disputes.inner_text()

    # The second account sees the decision and the reason.
    rival.goto(journey.url("/claims/mine"))
    row = rival.locator("table.claims tbody tr", has_text="Tianlong Chen")
    assert row.count() == 1
    assert "rejected" in row.inner_text() and why in row.inner_text()
    # The record stays the first account's.
    open_profile(owner, journey)
    assert snapshot(owner) == ("L3", "Claimed")
    assert owner.locator(".claim-actions .tag").inner_text() == "Claimed by you"


@pytest.fixture
def orcid_on(settings) -> None:
    """ORCID sign-in configured, as settings.py does with BZPEER_ORCID_CLIENT_ID."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            "BASE_DOMAIN": "orcid.org",
            "MEMBER_API": False,
            "SCOPE": ["/authenticate"],
            "APPS": [{"client_id": ORCID_CLIENT, "secret": "e2e-secret", "name": "ORCID"}],
        }
    }


def test_claim_by_orcid_sign_in(journey, orcid_on):
    """Sign in with ORCID (its authorisation page and API faked, nothing
    leaves the machine); the ORCID record lists three of the record's works
    under his name: claimed at once, L3."""
    assert len(journey.arxiv) == 3
    fake = FakeOrcid(ORCID_ID, orcid_record(ORCID_ID, "Tianlong", "Chen", journey.arxiv))
    with fake.serving():
        person = journey.person(orcid=fake)
        started = time.perf_counter()
        person.goto(journey.url("/accounts/login/"))
        person.get_by_role("link", name="Sign in with ORCID").click()
        person.wait_for_url(re.compile(r"/accounts/orcid/login/\?process=login$"))
        person.get_by_role("button", name="Continue to ORCID").click()
        person.wait_for_url(re.compile(r"^https://orcid\.org/oauth/authorize\?"))
        person.get_by_role("link", name="Authorize access").click()
        person.wait_for_url(journey.url("/"))
        assert "Signed in as" in person.locator("header").inner_text()
        open_profile(person, journey)
        person.get_by_role("link", name="Claim this record").click()
        form = person.locator("form.claim-form")
        assert form.get_by_label(f"Use my ORCID iD {ORCID_ID}").is_checked()
        form.get_by_role("button", name="Claim this record").click()
        result = person.locator("p.result").inner_text()
        assert "Verified at once" in result and "whose record lists 3 of this record" in result
        person.get_by_role("link", name="Back to the profile").click()
        person.wait_for_url(journey.url(f"/researchers/{SLUG}"))
        assert person.locator(".claim-actions .tag").inner_text() == "Claimed by you"
        assert snapshot(person) == ("L3", "Claimed")
        orcid_path = time.perf_counter() - started
    print(f"\nORCID path, sign-in to Claimed: {orcid_path:.1f} s")
    assert orcid_path < BUDGET
    assert fake.calls == [
        "POST https://pub.orcid.org/oauth/token",
        f"GET https://pub.orcid.org/v3.0/{ORCID_ID}/record",
    ]
    assert not fake.refused
