"""Who may do what with claims: every action for anonymous, a signed-in
user, the owner, another claimant and a moderator; CSRF on every POST."""

from __future__ import annotations

import pytest

from bzpeer.claims import services
from bzpeer.claims.models import Claim

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "user", "owner", "claimant", "moderator")
LOGIN = "/accounts/login/"


@pytest.fixture
def cast(author, owner, another_user, moderator, make_user):
    """The named users, and a claimant who disputes the owner's claim (L3) on
    the reference record."""
    claimant = make_user("claimant", "claimant@example.com")
    people = {
        "anonymous": None,
        "user": another_user,
        "owner": owner,
        "claimant": claimant,
        "moderator": moderator,
    }
    held = Claim.objects.get(user=owner, author=author)
    disputed = services.claim_author(claimant, author, email="claimant@example.com")
    assert (held.status, disputed.status, disputed.dispute) == ("verified", "pending", True)
    return people, held, disputed


def status_of(claim: Claim) -> str:
    claim.refresh_from_db()
    return claim.status


# (action, actor) -> the answer: a status code, "login" for a redirect to the sign-in page.
VIEW_QUEUE = {"anonymous": "login", "user": 403, "owner": 403, "claimant": 403, "moderator": 200}
CLAIM_FORM = {"anonymous": "login", "user": 200, "owner": 200, "claimant": 200, "moderator": 200}
# A new claim: the owner and the claimant already have one each.
CLAIM = {"anonymous": "login", "user": 200, "owner": 400, "claimant": 400, "moderator": 200}
WITHDRAW_HELD = {"anonymous": "login", "user": 403, "owner": 302, "claimant": 403, "moderator": 403}
REVIEW_DISPUTED = {
    "anonymous": "login",
    "user": 403,
    "owner": 403,
    "claimant": 403,
    "moderator": 302,
}
REVOKE_HELD = {"anonymous": "login", "user": 403, "owner": 403, "claimant": 403, "moderator": 302}
MINE = {"anonymous": "login", "user": 200, "owner": 200, "claimant": 200, "moderator": 200}


def check(response, expected) -> None:
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("actor", ACTORS)
def test_each_action_for_each_actor(actor, author, cast, client_for):
    people, held, disputed = cast
    client = client_for(people[actor])
    check(client.get("/moderation/claims"), VIEW_QUEUE[actor])
    check(client.get("/claims/mine"), MINE[actor])
    check(client.get(f"/researchers/{author.slug}/claim"), CLAIM_FORM[actor])
    emails = services.verified_emails(people[actor]) if people[actor] else []
    check(
        client.post(
            f"/researchers/{author.slug}/claim", {"email": emails[0] if emails else "x@y.z"}
        ),
        CLAIM[actor],
    )
    Claim.objects.exclude(pk__in=[held.pk, disputed.pk]).delete()  # back to the cast

    check(
        client.post(f"/moderation/claims/{disputed.pk}", {"decision": "reject", "reason": "no"}),
        REVIEW_DISPUTED[actor],
    )
    assert status_of(disputed) == ("rejected" if actor == "moderator" else "pending")
    check(client.post(f"/claims/{held.pk}/withdraw"), WITHDRAW_HELD[actor])
    assert status_of(held) == ("withdrawn" if actor == "owner" else "verified")
    check(
        client.post(f"/moderation/claims/{held.pk}", {"decision": "revoke", "reason": "no"}),
        REVOKE_HELD[actor],
    )
    assert status_of(held) == {"owner": "withdrawn", "moderator": "revoked"}.get(actor, "verified")


EVIDENCE = {"anonymous": "login", "user": 403, "owner": 403, "claimant": 302, "moderator": 403}


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_claimant_adds_evidence(actor, cast, moderator, client_for):
    people, _, disputed = cast
    services.review_claim(moderator, disputed, "needs_evidence", "show the page")
    data = {"evidence_url": "https://example.com/me", "note": "here"}
    check(client_for(people[actor]).post(f"/claims/{disputed.pk}/evidence", data), EVIDENCE[actor])
    assert status_of(disputed) == ("pending" if actor == "claimant" else "needs_evidence")


def test_the_claimant_withdraws_only_their_own_and_a_moderator_not_their_own(
    author, cast, moderator, client_for
):
    people, held, disputed = cast
    check(client_for(people["claimant"]).post(f"/claims/{disputed.pk}/withdraw"), 302)
    assert status_of(disputed) == "withdrawn"
    # a moderator's own claim goes to another moderator
    services.revoke_claim(moderator, held, "to test")
    own = services.claim_author(moderator, author, email="mod@example.org")
    check(client_for(moderator).post(f"/moderation/claims/{own.pk}", {"decision": "approve"}), 403)
    assert status_of(own) == "pending"


def test_profile_offers_what_each_actor_may_do(author, cast, client_for):
    people, _, _ = cast
    expected = {
        "anonymous": f'href="/accounts/login/?next=/researchers/{author.slug}">Log in to claim',
        "user": "Dispute this claim",
        "owner": "Claimed by you",
        "claimant": "Your claim is pending",
        "moderator": "Dispute this claim",
    }
    for actor, text in expected.items():
        html = client_for(people[actor]).get(f"/researchers/{author.slug}").content.decode()
        assert (
            text.replace("?next=/researchers/", "?next=%2Fresearchers%2F") in html or text in html
        ), actor


def test_unclaimed_record_offers_claim_to_a_signed_in_user(other_author, another_user, client_for):
    html = client_for(another_user).get(f"/researchers/{other_author.slug}").content
    assert b"Claim this record" in html and b"Log in to claim" not in html


@pytest.mark.parametrize("actor", ["user", "owner", "claimant", "moderator"])
def test_every_post_needs_the_csrf_token(actor, author, cast, client_for):
    people, held, disputed = cast
    client = client_for(people[actor], csrf=True)
    posts = [
        (f"/researchers/{author.slug}/claim", {"email": "someone@example.com"}),
        (f"/claims/{held.pk}/withdraw", {}),
        (f"/claims/{disputed.pk}/withdraw", {}),
        (f"/claims/{disputed.pk}/evidence", {"note": "x"}),
        (f"/moderation/claims/{disputed.pk}", {"decision": "approve"}),
        (f"/moderation/claims/{held.pk}", {"decision": "revoke", "reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert (status_of(held), status_of(disputed)) == ("verified", "pending")
    assert Claim.objects.count() == 2
