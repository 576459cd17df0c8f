"""Every social action from every role: anonymous, a signed-in account that
holds no record, a claimed researcher (B), the invitee (C), a sender C
blocked, a moderator. And CSRF on every POST (issue 24)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bzpeer.social import conversations, reports
from bzpeer.social.models import Conversation, Invitation, Message

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "user", "claimed", "invitee", "blocked", "moderator")


@dataclass
class World:
    pending: Invitation  # B -> C, waiting (accept)
    declinable: Invitation  # blocked sender -> C before the block (decline)
    talk: Conversation  # between the blocked sender and C, from before the block
    said: Message  # the blocked sender's message in it
    report_id: int  # C's report of it


@pytest.fixture
def world(people) -> World:
    def to_c(sender, record, text: str, status: str = "pending") -> Invitation:
        return Invitation.objects.create(
            sender=sender,
            sender_author=record,
            recipient=people.invitee,
            recipient_author=people.c_record,
            message=text,
            fit=text,
            status=status,
        )

    pending = to_c(people.claimed, people.b_record, "Talk?")
    old = to_c(people.blocked, people.blocked_record, "Earlier", "accepted")
    declinable = to_c(people.blocked, people.blocked_record, "Again")
    talk = Conversation.objects.create(invitation=old)
    said = Message.objects.create(conversation=talk, sender=people.blocked, body="Hello")
    item = reports.report(people.invitee, "rude", message=said)
    return World(pending, declinable, talk, said, item.pk)


def person(people, role):
    return None if role == "anonymous" else getattr(people, role)


def status_of(people, client_for, role, method, url, data=None):
    client = client_for(person(people, role))
    answer = client.post(url, data or {}) if method == "post" else client.get(url)
    return answer.status_code


def check(people, client_for, method, url, expected, data=None):
    got = {role: status_of(people, client_for, role, method, url, data) for role in ROLES}
    assert got == dict(zip(ROLES, expected, strict=True)), url


def test_following_feed_and_alerts(people, client_for):
    chen = people.c_record.pk
    check(people, client_for, "post", f"/follow/author/{chen}", [302] * 6, {"action": "follow"})
    assert (
        client_for(None).post(f"/follow/author/{chen}")["Location"].startswith("/accounts/login/")
    )
    check(people, client_for, "get", "/feed", [302, 200, 200, 200, 200, 200])
    check(people, client_for, "get", "/following", [302, 200, 200, 200, 200, 200])
    check(people, client_for, "get", "/alerts", [302, 200, 200, 200, 200, 200])
    check(people, client_for, "post", "/alerts", [302] + [200] * 5, {"frequency": "weekly"})
    check(people, client_for, "get", f"/researchers/{people.c_record.slug}/followers", [200] * 6)
    check(people, client_for, "get", f"/researchers/{people.c_record.slug}/fits", [302] + [200] * 5)


def test_invite(people, client_for, world):
    url = f"/researchers/{people.c_record.slug}/invite"
    # nobody may invite C now: no account, no record, a pending invitation,
    # one's own record, blocked, no record
    check(people, client_for, "get", url, [302, 403, 403, 403, 403, 403])
    data = {"message": "Hi", "fit": "Topics"}
    check(people, client_for, "post", url, [302, 403, 403, 403, 403, 403], data)
    assert Invitation.objects.filter(recipient=people.invitee).count() == 3


def test_accept_and_decline(people, client_for, world):
    accept = f"/invitations/{world.pending.pk}/answer"
    # the sender cannot answer for the invitee; others do not see it
    check(people, client_for, "post", accept, [302, 404, 403, 302, 404, 404], {"answer": "accept"})
    world.pending.refresh_from_db()
    assert world.pending.status == "accepted"
    decline = f"/invitations/{world.declinable.pk}/answer"
    check(
        people, client_for, "post", decline, [302, 404, 404, 302, 403, 404], {"answer": "decline"}
    )
    world.declinable.refresh_from_db()
    assert world.declinable.status == "declined"
    view = f"/invitations/{world.declinable.pk}"
    check(people, client_for, "get", view, [302, 404, 404, 200, 200, 404])


def test_conversation_write_block_and_report(people, client_for, world):
    talk = f"/conversations/{world.talk.pk}"
    check(people, client_for, "get", talk, [302, 404, 404, 200, 200, 404])
    # C blocked the sender: neither side writes until C unblocks
    check(people, client_for, "post", talk, [302, 404, 404, 403, 403, 404], {"body": "Hi"})
    assert not Message.objects.filter(body="Hi").exists()
    report = f"/report?message={world.said.pk}"
    check(people, client_for, "get", report, [302, 404, 404, 200, 200, 404])
    check(
        people,
        client_for,
        "post",
        "/report",
        [302, 404, 404, 200, 400, 404],
        {"message": world.said.pk, "reason": "again"},
    )
    block = f"/conversations/{world.talk.pk}/block"
    check(people, client_for, "post", block, [302, 404, 404, 302, 302, 404], {"action": "block"})
    # the blocked sender's own block does not undo C's: still nobody writes
    assert conversations.can_write(people.invitee, world.talk)
    assert conversations.can_write(people.blocked, world.talk)


def test_moderators_decide_reports(people, client_for, world):
    check(people, client_for, "get", "/moderation/reports", [302, 403, 403, 403, 403, 200])
    decide = f"/moderation/reports/{world.report_id}"
    data = {"decision": "dismiss", "reason": "fine"}
    check(people, client_for, "post", decide, [302, 403, 403, 403, 403, 302], data)


def test_csrf_on_every_social_post(people, client_for, world):
    posts = [
        (people.user, f"/follow/author/{people.c_record.pk}", {"action": "follow"}),
        (people.user, "/alerts", {"frequency": "weekly"}),
        (people.claimed, f"/researchers/{people.blocked_record.slug}/invite", {}),
        (people.invitee, f"/invitations/{world.pending.pk}/answer", {"answer": "accept"}),
        (people.invitee, f"/conversations/{world.talk.pk}", {"body": "x"}),
        (people.invitee, f"/conversations/{world.talk.pk}/block", {"action": "unblock"}),
        (people.invitee, "/report", {"message": world.said.pk, "reason": "x"}),
        (people.moderator, f"/moderation/reports/{world.report_id}", {"decision": "dismiss"}),
    ]
    for who, url, data in posts:
        assert client_for(who, csrf=True).post(url, data).status_code == 403, url
    world.pending.refresh_from_db()
    assert world.pending.status == "pending"
