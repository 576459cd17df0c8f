"""A person's data: the account's export, deletion, and taking down an
unclaimed record about oneself."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from claim_pages import snapshot_on_page
from django.contrib.auth.models import User
from django.test import Client

from bzpeer.catalog.models import Author
from bzpeer.claims import services
from bzpeer.claims.models import Claim, OwnerProfile, Suppression
from bzpeer.claims.owner import ProfileEdit, edit_profile
from bzpeer.claims.suppression import decide_suppression, request_suppression
from bzpeer.social.models import Follow

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_with_data(owner, author):
    """The named owner with more kept about the account: a second, free-mail
    address and a bio on the claimed record."""
    EmailAddress.objects.create(user=owner, email="t.chen@gmail.com", verified=True, primary=False)
    edit_profile(owner, author, ProfileEdit(display_name=author.display_name, bio="sparse nets"))
    return owner


def test_the_account_downloads_everything_kept_about_it(
    author, owner_with_data, other_author, client_for
):
    Follow.objects.create(user=owner_with_data, author=other_author)
    answer = client_for(owner_with_data).get("/account/data.json")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert "attachment" in answer["Content-Disposition"]
    data = json.loads(answer.content)
    assert {e["email"] for e in data["email_addresses"]} == {"tianlong@unc.edu", "t.chen@gmail.com"}
    [claim] = data["claims"]
    assert (claim["record"], claim["status"], claim["level"]) == (author.slug, "verified", "L3")
    assert [e["action"] for e in claim["events"]] == ["claim"]
    assert data["profile"]["bio"] == "sparse nets"
    assert data["follows"][0]["record"] == other_author.slug
    assert Client().get("/account/data.json").status_code == 302  # sign in first


def test_deleting_the_account_releases_the_claim_and_keeps_the_record(
    author, owner_with_data, client_for
):
    client = client_for(owner_with_data)
    assert snapshot_on_page(client, author)[1] == "Claimed"
    wrong = client.post("/account/delete", {"password": "wrong", "confirm": "delete"})
    assert wrong.status_code == 400 and User.objects.filter(pk=owner_with_data.pk).exists()
    unconfirmed = client.post("/account/delete", {"password": "x" * 12, "confirm": "yes"})
    assert unconfirmed.status_code == 400
    done = client.post("/account/delete", {"password": "x" * 12, "confirm": "delete"})
    assert done.status_code == 302
    assert not User.objects.filter(pk=owner_with_data.pk).exists()
    assert not Claim.objects.filter(author=author).exists()
    assert not OwnerProfile.objects.exists()
    page = Client().get(f"/researchers/{author.slug}")
    assert page.status_code == 200 and b"sparse nets" not in page.content
    assert snapshot_on_page(Client(), author)[1] == "Unclaimed author"
    # the session ended with the account
    assert client.get("/account/privacy").status_code == 302


def test_an_approved_suppression_takes_the_record_down_everywhere(
    other_author, make_user, moderator, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    subject = make_user("subject", "me@example.org")
    slug = other_author.slug
    first_word = other_author.display_name.split()[-1]
    form = client_for(subject).get(f"/researchers/{slug}/suppress")
    assert form.status_code == 200 and b"Who you are and why" in form.content
    sent = client_for(subject).post(
        f"/researchers/{slug}/suppress", {"reason": "It is me; please."}
    )
    assert sent.status_code == 200 and b"Your request was sent" in sent.content
    request = Suppression.objects.get()
    assert Client().get(f"/researchers/{slug}").status_code == 200  # until a moderator decides
    assert b"It is me; please." in client_for(moderator).get("/moderation/suppressions").content
    with django_capture_on_commit_callbacks(execute=True):
        decided = client_for(moderator).post(
            f"/moderation/suppressions/{request.pk}",
            {"decision": "approve", "reason": "identity checked"},
        )
    assert decided.status_code == 302
    assert mailoutbox[-1].to == ["me@example.org"] and "identity checked" in mailoutbox[-1].body

    page = Client().get(f"/researchers/{slug}")
    assert page.status_code == 410 and b"This record is gone" in page.content
    api = Client().get(f"/api/v1/authors/A{other_author.pk}")
    assert api.status_code == 410 and api.json()["error"]
    assert Client().get(f"/api/v1/authors/{slug}").status_code == 410
    listed = Client().get("/api/v1/authors", {"search": first_word, "per_page": 200}).json()
    assert other_author.pk not in {int(r["id"].rsplit("A", 1)[1]) for r in listed["results"]}
    typed = Client().get("/api/v1/autocomplete/authors", {"q": first_word}).json()
    assert other_author.pk not in {int(r["id"].rsplit("A", 1)[1]) for r in typed["results"]}
    grouped = (
        Client()
        .get(
            "/api/v1/works",
            {
                "filter": f"authorships.author.id:A{other_author.pk}",
                "group_by": "authorships.author.id",
            },
        )
        .json()
    )
    assert grouped["meta"]["count"] > 0
    assert not [g for g in grouped["group_by"] if g["key"].endswith(f"/A{other_author.pk}")]
    assert f'/researchers/{slug}"'.encode() not in Client().get("/", {"q": first_word}).content
    assert f'/researchers/{slug}"'.encode() not in Client().get("/").content

    decide_suppression(moderator, request, "lift", "asked again to restore")
    assert Client().get(f"/researchers/{slug}").status_code == 200


def test_a_claimed_record_cannot_be_suppressed_by_someone_else(author, owner, another_user):
    with pytest.raises(services.ClaimRefused, match="claimed"):
        request_suppression(another_user, author, "about me")


def test_suppression_requests_are_limited_and_need_a_verified_address(
    outsider, another_user, settings
):
    settings.BZPEER_SUPPRESSIONS_PER_DAY = 2
    records = list(Author.objects.filter(merged_into=None).order_by("id")[:3])
    with pytest.raises(services.ClaimRefused, match="Confirm an e-mail"):
        request_suppression(outsider, records[0], "about me")
    request_suppression(another_user, records[0], "about me")
    request_suppression(another_user, records[1], "about me")
    with pytest.raises(services.ClaimRefused, match="At most 2 requests a day"):
        request_suppression(another_user, records[2], "about me")


def test_decisions_and_disputes_are_mailed(
    author, owner, moderator, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    rival = make_user("rival", "rival@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        disputed = services.claim_author(rival, author, email="rival@example.com")
    assert sorted(m.to[0] for m in mailoutbox) == ["rival@example.com", "tianlong@unc.edu"]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_claim(moderator, disputed, "reject", "no evidence of the address")
    assert [m.to for m in mailoutbox] == [["rival@example.com"]]
    assert "rejected" in mailoutbox[0].subject and "no evidence" in mailoutbox[0].body
