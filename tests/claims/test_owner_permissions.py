"""Who may do what with a claimed record beyond claiming it: edit, correct,
undo, decide merges and suppressions, read the queues and the audit log, and
handle their own data; for anonymous, a signed-in user, the owner, another
claimant and a moderator. CSRF on every POST."""

from __future__ import annotations

import pytest

from bzpeer.catalog.models import AuthorCorrection, AuthorshipMention
from bzpeer.claims import fixes, services
from bzpeer.claims.models import MergeRequest, OwnerProfile, Suppression
from bzpeer.claims.suppression import request_suppression

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "user", "owner", "claimant", "moderator")
LOGIN = "/accounts/login/"


@pytest.fixture
def cast(author, other_author, owner, another_user, moderator, make_user):
    """The named users and a claimant who disputes the owner's claim on the
    reference record; the owner removed a work from it, and a merge request
    and a suppression request wait."""
    claimant = make_user("claimant", "claimant@example.com")
    people = {
        "anonymous": None,
        "user": another_user,
        "owner": owner,
        "claimant": claimant,
        "moderator": moderator,
    }
    services.claim_author(claimant, author, email="claimant@example.com")
    work = AuthorshipMention.objects.filter(author=author).order_by("work_id").first().work_id
    removed = fixes.remove_works(owner, author, [work], "not mine")
    merge = fixes.merge_records(owner, author, other_author, "also me").request
    assert merge is not None
    asker = make_user("asker", "asker@example.net")
    suppression = request_suppression(asker, other_author, "about me")
    return people, removed, merge, suppression


def check(response, expected) -> None:
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    else:
        assert response.status_code == expected, response.content[:300]


def row(anonymous, user, owner, claimant, moderator):
    return dict(zip(ACTORS, (anonymous, user, owner, claimant, moderator), strict=True))


EDIT_FORM = row("login", 403, 200, 403, 403)
EDIT = row("login", 403, 302, 403, 403)
FIX_FORM = row("login", 403, 200, 403, 200)
REMOVE = row("login", 403, 302, 403, 302)
UNDO = row("login", 403, 302, 403, 302)
DECIDE = row("login", 403, 403, 403, 302)
QUEUES = row("login", 403, 403, 403, 200)
SUPPRESS_FORM = row("login", 200, 200, 200, 200)
OWN_DATA = row("login", 200, 200, 200, 200)


@pytest.mark.parametrize("actor", ACTORS)
def test_each_owner_action_for_each_actor(actor, author, other_author, cast, client_for):
    people, removed, merge, suppression = cast
    client = client_for(people[actor])
    slug = author.slug
    check(client.get(f"/researchers/{slug}/edit"), EDIT_FORM[actor])
    check(
        client.post(
            f"/researchers/{slug}/edit", {"display_name": author.display_name, "bio": "hi"}
        ),
        EDIT[actor],
    )
    assert OwnerProfile.objects.filter(bio="hi").exists() == (actor == "owner")

    check(client.get(f"/researchers/{slug}/fix"), FIX_FORM[actor])
    work = AuthorshipMention.objects.filter(author=author).order_by("-work_id").first().work_id
    data = {"action": "remove", "work": [work], "reason": "not theirs"}
    check(client.post(f"/researchers/{slug}/fix", data), REMOVE[actor])
    removed_now = AuthorCorrection.objects.filter(reason="not theirs").exists()
    assert removed_now == (REMOVE[actor] == 302)

    check(client.post(f"/corrections/{removed.pk}/undo"), UNDO[actor])
    removed.refresh_from_db()
    assert (removed.undone_at is not None) == (UNDO[actor] == 302)

    for queue in ("/moderation/merges", "/moderation/suppressions", "/moderation/log"):
        check(client.get(queue), QUEUES[actor])
    data = {"decision": "reject", "reason": "different people"}
    check(client.post(f"/moderation/merges/{merge.pk}", data), DECIDE[actor])
    merge.refresh_from_db()
    assert merge.status == ("rejected" if actor == "moderator" else "pending")
    data = {"decision": "reject", "reason": "not the subject"}
    check(client.post(f"/moderation/suppressions/{suppression.pk}", data), DECIDE[actor])
    suppression.refresh_from_db()
    assert suppression.status == ("rejected" if actor == "moderator" else "pending")

    check(client.get(f"/researchers/{other_author.slug}/suppress"), SUPPRESS_FORM[actor])
    for page in ("/account/privacy", "/account/data.json"):
        check(client.get(page), OWN_DATA[actor])


def test_nobody_suppresses_a_claimed_record_and_moves_onto_anothers(
    author, other_author, cast, owner, another_user, moderator, client_for, make_user
):
    refused = client_for(another_user).post(
        f"/researchers/{author.slug}/suppress", {"reason": "me"}
    )
    assert refused.status_code == 400 and not Suppression.objects.filter(author=author).exists()
    # the other record gets an owner: the owner of the reference record cannot push works onto it
    holder = make_user("holder", "holder@example.com")
    claim = services.claim_author(holder, other_author, email="holder@example.com")
    services.review_claim(moderator, claim, "approve")
    work = AuthorshipMention.objects.filter(author=author).order_by("work_id").last().work_id
    answer = client_for(owner).post(
        f"/researchers/{author.slug}/fix",
        {"action": "move", "work": [work], "target": other_author.slug, "reason": "theirs"},
    )
    assert answer.status_code == 400 and b"claimed by another account" in answer.content


@pytest.mark.parametrize("actor", ["user", "owner", "claimant", "moderator"])
def test_every_owner_post_needs_the_csrf_token(actor, author, other_author, cast, client_for):
    people, removed, merge, suppression = cast
    client = client_for(people[actor], csrf=True)
    slug = author.slug
    work = AuthorshipMention.objects.filter(author=author).order_by("-work_id").first().work_id
    posts = [
        (f"/researchers/{slug}/edit", {"display_name": author.display_name, "bio": "x"}),
        (f"/researchers/{slug}/fix", {"action": "remove", "work": [work], "reason": "x"}),
        (
            f"/researchers/{slug}/fix",
            {"action": "merge", "other": other_author.slug, "reason": "x"},
        ),
        (f"/corrections/{removed.pk}/undo", {}),
        (f"/moderation/merges/{merge.pk}", {"decision": "approve"}),
        (f"/moderation/suppressions/{suppression.pk}", {"decision": "approve", "reason": "x"}),
        (f"/researchers/{other_author.slug}/suppress", {"reason": "x"}),
        ("/account/delete", {"password": "x" * 12, "confirm": "delete"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    removed.refresh_from_db()
    assert removed.undone_at is None and not OwnerProfile.objects.exists()
    assert AuthorCorrection.objects.count() == 1 and MergeRequest.objects.get().status == "pending"
    assert Suppression.objects.get().status == "pending"
    assert people[actor].__class__.objects.filter(pk=people[actor].pk).exists()
