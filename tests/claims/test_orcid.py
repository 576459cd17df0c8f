"""ORCID sign-in (allauth's ORCID provider) and the ORCID claim path
(docs/trust.md, "Claiming a record").

The OAuth exchange is replayed in its documented shape: the sign-in page's
button, the redirect to ORCID's authorisation page, the callback with a code,
the token request and the record read, both answered by a fake requests
session holding ORCID's official v3.0 record sample (tests/fixtures/orcid/).
Nothing here touches the network: an unexpected request fails the test.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from claim_pages import snapshot_on_page
from django.contrib.auth import get_user_model

from bzpeer.catalog.models import Author, WorkIdentifier
from bzpeer.claims import services
from bzpeer.claims.models import Claim
from bzpeer.claims.services import ClaimRefused

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent.parent / "fixtures" / "orcid" / "record-full-3.0.json"
SAMPLE_ID = "0000-0002-7319-2192"  # the sample's own (sandbox) iD
OTHER_ID = "0000-0002-1825-0097"  # ORCID's documentation example iD
THIRD_ID, FOURTH_ID = "0000-0003-4444-5557", "0000-0001-5555-6661"  # valid check digits
CLIENT_ID = "APP-TESTCLIENT0000"
SECRET = "test-client-secret"
PROVIDERS = {
    "orcid": {
        "BASE_DOMAIN": "orcid.org",
        "MEMBER_API": False,
        "SCOPE": ["/authenticate"],
        "APPS": [{"client_id": CLIENT_ID, "secret": SECRET, "name": "ORCID"}],
    }
}


@pytest.fixture
def orcid_on(settings) -> None:
    """ORCID sign-in configured the way settings.py does when
    BZPEER_ORCID_CLIENT_ID is set."""
    settings.SOCIALACCOUNT_PROVIDERS = copy.deepcopy(PROVIDERS)


def orcid_record(
    orcid: str = SAMPLE_ID,
    *,
    given: str = "Three",
    family: str = "releasecandidate1",
    dois: tuple[str, ...] = (),
    arxiv: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The sample record with this iD, name and works (each given id as one
    work group shaped like the sample's), ahead of the sample's own work."""
    record = json.loads(SAMPLE.read_text(encoding="utf-8").replace(SAMPLE_ID, orcid))
    name = record["person"]["name"]
    name["given-names"]["value"], name["family-name"]["value"] = given, family
    groups = record["activities-summary"]["works"]["group"]
    template = groups[0]
    added = []
    for kind, value in [("doi", d) for d in dois] + [("arxiv", a) for a in arxiv]:
        ext = {
            "external-id-type": kind,
            "external-id-value": value,
            "external-id-normalized": {"value": value.lower(), "transient": True},
            "external-id-normalized-error": None,
            "external-id-url": {"value": f"https://doi.org/{value}" if kind == "doi" else ""},
            "external-id-relationship": "self",
        }
        group = copy.deepcopy(template)
        group["external-ids"]["external-id"] = [ext]
        for summary in group["work-summary"]:
            summary["external-ids"]["external-id"] = [copy.deepcopy(ext)]
        added.append(group)
    groups[:0] = added
    return record


class FakeResponse:
    def __init__(self, payload: dict[str, Any], content_type: str) -> None:
        self.status_code = 200
        self.text = json.dumps(payload)
        self.content = self.text.encode()
        self.headers = {"content-type": content_type}
        self._payload = payload

    def json(self) -> dict[str, Any]:
        return copy.deepcopy(self._payload)


class FakeOrcid:
    """ORCID's token and record endpoints, as allauth's requests session sees
    them; every request is kept, and any other one fails."""

    def __init__(self, orcid: str, record: dict[str, Any]) -> None:
        self.orcid, self.record = orcid, record
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def __enter__(self) -> FakeOrcid:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        self.calls.append((method, url, kwargs))
        if (method, url) == ("POST", "https://pub.orcid.org/oauth/token"):
            # ORCID's documented token response for the /authenticate scope.
            return FakeResponse(
                {
                    "access_token": "f5af9f51-07e6-4332-8f1a-c0c11c1e3728",
                    "token_type": "bearer",
                    "refresh_token": "f725f747-3a65-49f6-a231-3e8944ce464d",
                    "expires_in": 631138518,
                    "scope": "/authenticate",
                    "name": "Three releasecandidate1",
                    "orcid": self.orcid,
                },
                "application/json;charset=UTF-8",
            )
        if (method, url) == ("GET", f"https://pub.orcid.org/v3.0/{self.orcid}/record"):
            return FakeResponse(self.record, "application/orcid+json;charset=UTF-8")
        raise AssertionError(f"unexpected request {method} {url}")

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        return self.request("GET", url, **kwargs)


def sign_in_with_orcid(client, orcid: str, record: dict[str, Any], process: str = "login"):
    """The whole exchange: button, confirmation page, redirect to ORCID, the
    callback with a code; returns the callback's response and the fake."""
    confirm = client.get(f"/accounts/orcid/login/?process={process}")
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    assert "Continue to ORCID" in confirm.content.decode()
    redirect = client.post(f"/accounts/orcid/login/?process={process}")
    assert redirect.status_code == 302
    target = urlsplit(redirect["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "orcid.org", "/oauth/authorize")
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["client_id"] == CLIENT_ID and query["scope"] == "/authenticate"
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == "http://testserver/accounts/orcid/login/callback/"
    fake = FakeOrcid(orcid, record)
    with mock.patch(
        "allauth.socialaccount.adapter.DefaultSocialAccountAdapter.get_requests_session",
        return_value=fake,
    ):
        response = client.get(
            "/accounts/orcid/login/callback/", {"code": "Q2w3E4", "state": query["state"]}
        )
    return response, fake


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def link(user, orcid: str, record: dict[str, Any]) -> SocialAccount:
    """What a finished ORCID sign-in leaves: the iD and the record read."""
    return SocialAccount.objects.create(user=user, provider="orcid", uid=orcid, extra_data=record)


def author_ids(author: Author) -> dict[str, list[tuple[int, str]]]:
    rows = (
        WorkIdentifier.objects.filter(work__mentions__author=author, scheme__in=("doi", "arxiv"))
        .values_list("work_id", "scheme", "value")
        .distinct()
        .order_by("work_id", "scheme")
    )
    found: dict[str, list[tuple[int, str]]] = {"doi": [], "arxiv": []}
    for work, scheme, value in rows:
        found[scheme].append((work, value))
    return found


# -- sign-in -------------------------------------------------------------------


def test_the_login_page_offers_orcid_only_when_configured(client, settings):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with ORCID" not in page
    settings.SOCIALACCOUNT_PROVIDERS = copy.deepcopy(PROVIDERS)
    response = client.get("/accounts/login/")
    page = response.content.decode()
    assert 'class="button provider-orcid" href="/accounts/orcid/login/?process=login"' in page
    assert (
        "Sign in with ORCID" in page
        and "Sign in with ORCID" in client.get("/accounts/signup/").content.decode()
    )
    # the site's layout, and still no inline script or style
    assert '<header class="top">' in page and 'class="account-page"' in page
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"<script(?![^>]*\ssrc=)", page), "an inline script"
    # the button posts here, then the site redirects to ORCID: form-action allows it
    policy = response["Content-Security-Policy"]
    assert "form-action 'self' https://orcid.org;" in policy and "unsafe-inline" not in policy


def test_orcid_urls_answer_404_while_orcid_is_not_configured(client):
    for url in ("/accounts/orcid/login/", "/accounts/orcid/login/callback/?code=x&state=y"):
        assert client.get(url).status_code == 404, url
    assert client.post("/accounts/orcid/login/").status_code == 404


def test_orcid_sign_in_replays_the_oauth_exchange_and_signs_in(client, orcid_on):
    response, fake = sign_in_with_orcid(client, SAMPLE_ID, orcid_record())
    assert response.status_code == 302 and response["Location"] == "/"
    (token_call, record_call) = fake.calls
    assert token_call[2]["data"] == {
        "redirect_uri": "http://testserver/accounts/orcid/login/callback/",
        "grant_type": "authorization_code",
        "code": "Q2w3E4",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
    }
    assert record_call[2]["headers"] == {"accept": "application/orcid+json"}
    user = signed_in_user(client)
    assert user is not None
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("orcid", SAMPLE_ID)
    assert account.extra_data["orcid-identifier"]["path"] == SAMPLE_ID
    assert (user.first_name, user.last_name) == ("Three", "releasecandidate1")
    assert services.linked_orcids(user) == {SAMPLE_ID: account.extra_data}
    assert "Signed in as" in client.get("/").content.decode()
    # signing in again finds the same account
    client.logout()
    sign_in_with_orcid(client, SAMPLE_ID, orcid_record())
    assert signed_in_user(client) == user and SocialAccount.objects.count() == 1


def test_a_failed_token_exchange_signs_nobody_in(client, orcid_on):
    client.get("/accounts/orcid/login/")
    redirect = client.post("/accounts/orcid/login/")
    state = parse_qs(urlsplit(redirect["Location"]).query)["state"][0]
    response = client.get(
        "/accounts/orcid/login/callback/", {"error": "access_denied", "state": state}
    )
    assert response["Location"] == "/accounts/3rdparty/login/cancelled/"
    assert signed_in_user(client) is None
    # a forged state is refused before any request is made
    fake = FakeOrcid(SAMPLE_ID, orcid_record())
    with mock.patch(
        "allauth.socialaccount.adapter.DefaultSocialAccountAdapter.get_requests_session",
        return_value=fake,
    ):
        client.get("/accounts/orcid/login/callback/", {"code": "x", "state": "forged"})
    assert fake.calls == [] and signed_in_user(client) is None


def test_a_signed_in_user_links_orcid_and_keeps_several_addresses(orcid_on, make_user, client_for):
    user = make_user("ada", "ada@example.org", "ada@cs.example.edu")
    client = client_for(user)
    page = client.get("/accounts/3rdparty/").content.decode()
    assert 'href="/accounts/orcid/login/?process=connect"' in page and "Link your ORCID iD" in page
    assert 'href="/accounts/3rdparty/"' in client.get("/accounts/email/").content.decode()
    response, _ = sign_in_with_orcid(client, SAMPLE_ID, orcid_record(), process="connect")
    assert response.status_code == 302
    assert signed_in_user(client) == user
    assert SocialAccount.objects.get(user=user).uid == SAMPLE_ID
    assert SAMPLE_ID in client.get("/accounts/3rdparty/").content.decode()
    assert services.verified_emails(user) == ["ada@example.org", "ada@cs.example.edu"]


def test_sandbox_or_production_is_a_setting(tmp_path):
    def run(**env: str) -> subprocess.CompletedProcess[str]:
        code = (
            "import django; django.setup(); from django.conf import settings; "
            "from allauth.socialaccount.providers.orcid.views import OrcidOAuth2Adapter as A; "
            "print(settings.SOCIALACCOUNT_PROVIDERS['orcid'].get('APPS', [{}])[0].get("
            "'client_id', '-'), A.authorize_url, A.access_token_url, A.profile_url)"
        )
        base = {k: v for k, v in os.environ.items() if not k.startswith("BZPEER_ORCID")}
        return subprocess.run(
            [sys.executable, "-c", code],
            env={**base, "DJANGO_SETTINGS_MODULE": "bzpeer.settings", "BZPEER_HOME": str(tmp_path),
                 "BZPEER_SECRET_KEY": "k" * 50, **env},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    off = run()
    assert off.returncode == 0, off.stderr
    assert off.stdout.split()[0] == "-"
    production = run(BZPEER_ORCID_CLIENT_ID="APP-1", BZPEER_ORCID_SECRET="s").stdout.split()
    assert production == [
        "APP-1",
        "https://orcid.org/oauth/authorize",
        "https://pub.orcid.org/oauth/token",
        "https://pub.orcid.org/v3.0/%s/record",
    ]
    sandbox = run(
        BZPEER_ORCID_CLIENT_ID="APP-1", BZPEER_ORCID_SECRET="s", BZPEER_ORCID_SANDBOX="true"
    ).stdout.split()
    assert sandbox[1:] == [
        "https://sandbox.orcid.org/oauth/authorize",
        "https://pub.sandbox.orcid.org/oauth/token",
        "https://pub.sandbox.orcid.org/v3.0/%s/record",
    ]
    for bad in ({"BZPEER_ORCID_CLIENT_ID": "APP-1"}, {"BZPEER_ORCID_SANDBOX": "maybe"}):
        failed = run(**bad)
        assert failed.returncode != 0 and "ImproperlyConfigured" in failed.stderr, bad


# -- what an ORCID record lists ------------------------------------------------


def test_work_ids_of_the_official_sample():
    record = json.loads(SAMPLE.read_text(encoding="utf-8"))
    # "work:doi" is no DOI; the version-of DOI names the work's other version
    assert services.orcid_work_ids(record) == ({"10.1087/20120404"}, set())
    listed = orcid_record(dois=("https://doi.org/10.1145/3292500.3330701",),
                          arxiv=("arXiv:2106.10404v2", "10.48550/arXiv.2003.13606"))  # fmt: skip
    dois, arxiv = services.orcid_work_ids(listed)
    assert dois == {"10.1145/3292500.3330701", "10.1087/20120404"}
    assert arxiv == {"2106.10404"}  # an arXiv DOI given as an arxiv id is not one
    as_doi = orcid_record(dois=("10.48550/arXiv.2003.13606",))
    assert services.orcid_work_ids(as_doi)[1] == {"2003.13606"}
    assert services.orcid_names(listed)[0] == "releasecandidate1, Three"
    broken_records = [
        {},
        {"activities-summary": None},
        {"activities-summary": {"works": []}},
        {"person": "x", "activities-summary": {"works": {"group": [1, None]}}},
    ]
    for broken in broken_records:
        assert services.orcid_work_ids(broken) == (set(), set())
        assert services.orcid_names(broken) == []


# -- the ORCID claim path ------------------------------------------------------


def test_the_records_own_orcid_id_verifies_at_once_at_l3(author, make_user, client_for):
    Author.objects.filter(pk=author.pk).update(orcid=SAMPLE_ID)
    author.refresh_from_db()
    user = make_user("tc")  # signed in with ORCID only: no e-mail address at all
    link(user, SAMPLE_ID, orcid_record())
    client = client_for(user)
    form = client.get(f"/researchers/{author.slug}/claim").content.decode()
    assert f"Use my ORCID iD {SAMPLE_ID}" in form
    assert f'value="orcid:{SAMPLE_ID}" checked' in form
    response = client.post(f"/researchers/{author.slug}/claim", {"proof": f"orcid:{SAMPLE_ID}"})
    page = response.content.decode()
    assert response.status_code == 200 and "Verified at once" in page and "L3" in page
    claim = Claim.objects.get(user=user)
    assert (claim.status, claim.level, claim.orcid, claim.email) == (
        "verified",
        "L3",
        SAMPLE_ID,
        "",
    )
    assert (claim.email_verified, claim.institution_email) == (False, False)
    assert snapshot_on_page(client, author) == ("L3", "Claimed")
    profile = client.get(f"/researchers/{author.slug}").content.decode()
    assert "Claimed by you" in profile and f"the record&#x27;s own iD {SAMPLE_ID}" in profile


def test_works_listed_by_doi_and_arxiv_id_verify_at_l3(author, make_user, client_for):
    works = [work for work, _ in author_ids(author)["arxiv"][:3]]
    assert len(works) == 3, "the reference record's works have arXiv ids"
    # the demo's copies of his works carry no DOI: give two of them one
    WorkIdentifier.objects.create(work_id=works[0], scheme="doi", value="10.5555/bzpeer.test.1")
    WorkIdentifier.objects.create(work_id=works[2], scheme="doi", value="10.5555/bzpeer.test.3")
    ids = author_ids(author)
    arxiv = [value for work, value in ids["arxiv"] if work in works[:2]]
    # by DOI (any case) and by arXiv id; the first work is listed both ways, counted once
    dois = ("10.5555/BZPEER.TEST.1", "https://doi.org/10.5555/bzpeer.test.3")
    expected = 3
    record = orcid_record(OTHER_ID, given="Tianlong", family="Chen", dois=dois, arxiv=tuple(arxiv))
    user = make_user("tc", "tc@example.com")
    link(user, OTHER_ID, record)
    client = client_for(user)
    response = client.post(f"/researchers/{author.slug}/claim", {"proof": f"orcid:{OTHER_ID}"})
    assert f"lists {expected} of this record" in response.content.decode()
    claim = Claim.objects.get(user=user)
    assert (claim.status, claim.level, claim.orcid, claim.orcid_works_matched) == (
        "verified",
        "L3",
        OTHER_ID,
        expected,
    )
    assert snapshot_on_page(client, author) == ("L3", "Claimed")
    assert (
        f"the ORCID record lists {expected} of these works"
        in client.get(f"/researchers/{author.slug}").content.decode()
    )


def test_neither_goes_to_the_queue_and_email_paths_still_work(
    author, unc_link, make_user, moderator, client_for
):
    user = make_user("tc", "tianlong@cs.unc.edu")
    link(user, OTHER_ID, orcid_record(OTHER_ID, given="Tianlong", family="Chen"))
    client = client_for(user)
    form = client.get(f"/researchers/{author.slug}/claim").content.decode()
    assert f"Use my ORCID iD {OTHER_ID}" in form and 'value="email"' in form
    response = client.post(f"/researchers/{author.slug}/claim", {"proof": f"orcid:{OTHER_ID}"})
    assert "pending" in response.content.decode()
    claim = Claim.objects.get(user=user)
    assert (claim.status, claim.level, claim.orcid, claim.orcid_works_matched) == (
        "pending",
        "",
        OTHER_ID,
        0,
    )
    assert snapshot_on_page(client, author) == ("L1", "Claim pending")
    assert (
        f"the ORCID iD {OTHER_ID}"
        in client_for(moderator).get("/moderation/claims").content.decode()
    )
    services.withdraw_claim(user, claim)
    # the same account, by its institutional address: the e-mail path
    client.post(
        f"/researchers/{author.slug}/claim", {"proof": "email", "email": "tianlong@cs.unc.edu"}
    )
    claim = Claim.objects.get(user=user, status="verified")
    assert (claim.level, claim.institution_email, claim.orcid) == ("L3", True, "")


def test_a_co_authors_orcid_listing_shared_works_is_not_enough(author, make_user):
    """Co-authors' ORCID records list the shared works too: works prove the
    record only when the names agree, the record names no other iD, and no
    other record holds the iD."""
    arxiv = tuple(value for _, value in author_ids(author)["arxiv"][:3])
    cases = [
        ("coauthor", orcid_record(THIRD_ID, given="Zhangyang", family="Wang", arxiv=arxiv)),
        ("anonymous-name", orcid_record(FOURTH_ID, given="", family="", arxiv=arxiv)),
    ]
    for name, record in cases:
        record["person"]["other-names"]["other-name"] = []
        user = make_user(name)
        orcid = record["orcid-identifier"]["path"]
        link(user, orcid, record)
        claim = services.claim_author(user, author, orcid=orcid)
        assert (claim.status, claim.orcid_works_matched) == ("pending", 3), name
        services.withdraw_claim(user, claim)
    named = orcid_record(OTHER_ID, given="T.", family="Chen", arxiv=arxiv)
    # the record states another iD
    Author.objects.filter(pk=author.pk).update(orcid=SAMPLE_ID)
    author.refresh_from_db()
    user = make_user("other-id")
    link(user, OTHER_ID, named)
    claim = services.claim_author(user, author, orcid=OTHER_ID)
    assert claim.status == "pending"
    services.withdraw_claim(user, claim)
    # the iD is another record's
    Author.objects.filter(pk=author.pk).update(orcid=None)
    elsewhere = Author.objects.exclude(pk=author.pk).filter(orcid=None).first()
    Author.objects.filter(pk=elsewhere.pk).update(orcid=OTHER_ID)
    author.refresh_from_db()
    assert services.claim_author(user, author, orcid=OTHER_ID).status == "pending"
    Author.objects.filter(pk=elsewhere.pk).update(orcid=None)
    # and with none of those, "T. Chen" listing the works proves it
    fine = make_user("fine")
    link(fine, SAMPLE_ID, orcid_record(SAMPLE_ID, given="T.", family="Chen", arxiv=arxiv))
    Claim.objects.filter(user=user).update(status="withdrawn")
    assert services.claim_author(fine, author, orcid=SAMPLE_ID).level == "L3"


def test_someone_elses_orcid_cannot_be_used(author, make_user, client_for):
    Author.objects.filter(pk=author.pk).update(orcid=SAMPLE_ID)
    owner_of_id = make_user("real")
    link(owner_of_id, SAMPLE_ID, orcid_record())
    nobody = make_user("nobody", "nobody@example.com")  # no ORCID linked
    other = make_user("other", "other@example.com")
    link(other, OTHER_ID, orcid_record(OTHER_ID))
    for user in (nobody, other):
        with pytest.raises(ClaimRefused, match="ORCID iD you signed in with"):
            services.claim_author(user, author, orcid=SAMPLE_ID)
        response = client_for(user).post(
            f"/researchers/{author.slug}/claim", {"proof": f"orcid:{SAMPLE_ID}"}
        )
        assert response.status_code == 400 and "ORCID iD you signed in with" in (
            response.content.decode()
        )
    bad = client_for(nobody).post(f"/researchers/{author.slug}/claim", {"proof": "orcid:"})
    assert bad.status_code == 400
    assert not Claim.objects.exists()
    # the form offers only the account's own iD
    form = client_for(other).get(f"/researchers/{author.slug}/claim").content.decode()
    assert OTHER_ID in form and SAMPLE_ID not in form


def test_the_form_offers_orcid_sign_in_when_not_linked(author, settings, make_user, client_for):
    user = make_user("tc", "tc@example.com")
    form = client_for(user).get(f"/researchers/{author.slug}/claim").content.decode()
    assert "Sign in with ORCID" not in form  # not configured
    settings.SOCIALACCOUNT_PROVIDERS = copy.deepcopy(PROVIDERS)
    form = client_for(user).get(f"/researchers/{author.slug}/claim").content.decode()
    href = re.search(
        r'<a class="button provider-orcid" href="([^"]+)">Sign in with ORCID to prove it', form
    )
    assert href and href.group(1).startswith("/accounts/orcid/login/?")
    assert parse_qs(urlsplit(href.group(1).replace("&amp;", "&")).query) == {
        "process": ["connect"],
        "next": [f"/researchers/{author.slug}/claim"],
    }
    bare = make_user("bare")  # neither an address nor an iD
    page = client_for(bare).get(f"/researchers/{author.slug}/claim").content.decode()
    assert "sign in with ORCID to prove it" in page and "<form" not in page.split("</header>")[1]


def test_an_orcid_claim_on_a_held_record_is_a_dispute(author, unc_link, make_user):
    Author.objects.filter(pk=author.pk).update(orcid=SAMPLE_ID)
    holder = make_user("holder", "tianlong@unc.edu")
    services.claim_author(holder, author, email="tianlong@unc.edu")
    user = make_user("tc")
    link(user, SAMPLE_ID, orcid_record())
    claim = services.claim_author(user, author, orcid=SAMPLE_ID)
    assert (claim.status, claim.dispute, claim.orcid) == ("pending", True, SAMPLE_ID)


def test_orcid_claims_need_sign_in_and_csrf(author, make_user, client_for):
    Author.objects.filter(pk=author.pk).update(orcid=SAMPLE_ID)
    user = make_user("tc")
    link(user, SAMPLE_ID, orcid_record())
    data = {"proof": f"orcid:{SAMPLE_ID}"}
    anonymous = client_for(None).post(f"/researchers/{author.slug}/claim", data)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert (
        client_for(user, csrf=True).post(f"/researchers/{author.slug}/claim", data).status_code
        == 403
    )
    assert not Claim.objects.exists()
    with pytest.raises(services.PermissionDenied):
        services.claim_author(services.AnonymousUser(), author, orcid=SAMPLE_ID)
