"""ORCID sign-in (allauth's ORCID provider).

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
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

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
    assert "<style" not in page and " style=" not in page and "<script" not in page
    # the button posts here, then the site redirects to ORCID: form-action allows it
    policy = response["Content-Security-Policy"]
    assert "form-action 'self' https://orcid.org;" in policy and "unsafe-inline" not in policy


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


def test_a_signed_in_user_links_orcid_and_keeps_several_addresses(orcid_on, make_user, login):
    user = make_user("ada", "ada@example.org", "ada@cs.example.edu")
    client = login(user)
    page = client.get("/accounts/3rdparty/").content.decode()
    assert 'href="/accounts/orcid/login/?process=connect"' in page and "Link your ORCID iD" in page
    assert 'href="/accounts/3rdparty/"' in client.get("/accounts/email/").content.decode()
    response, _ = sign_in_with_orcid(client, SAMPLE_ID, orcid_record(), process="connect")
    assert response.status_code == 302
    assert signed_in_user(client) == user
    assert SocialAccount.objects.get(user=user).uid == SAMPLE_ID
    assert SAMPLE_ID in client.get("/accounts/3rdparty/").content.decode()
    assert sorted(e.email for e in user.emailaddress_set.filter(verified=True)) == [
        "ada@cs.example.edu",
        "ada@example.org",
    ]


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
