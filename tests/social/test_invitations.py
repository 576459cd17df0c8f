"""Invitations, conversations, blocks and reports as the people involved
use them; the limits that keep them quiet (issue 24)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from bzpeer.social import conversations, invitations, reports
from bzpeer.social.invitations import Refused
from bzpeer.social.models import AlertSettings, Conversation, Invitation, Message, Report

pytestmark = pytest.mark.django_db


def send(people, client_for, message="Shall we work on sparse training?", fit="Shared topics"):
    client = client_for(people.claimed)
    answer = client.post(
        f"/researchers/{people.c_record.slug}/invite", {"message": message, "fit": fit}
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    return Invitation.objects.get(sender=people.claimed, recipient=people.invitee)


def test_invite_accept_talk_then_block(people, client_for):
    profile = (
        client_for(people.claimed).get(f"/researchers/{people.c_record.slug}").content.decode()
    )
    assert "Invite to a conversation" in profile
    sent = send(people, client_for)
    assert sent.status == "pending" and sent.sender_author == people.b_record
    c = client_for(people.invitee)
    assert "1</span>" in c.get("/inbox").content.decode()  # the header's unread count
    page = c.get(f"/invitations/{sent.pk}").content.decode()
    assert "Shall we work on sparse training?" in page and "Accept" in page
    answer = c.post(f"/invitations/{sent.pk}/answer", {"answer": "accept"})
    talk = Conversation.objects.get(invitation=sent)
    assert answer["Location"] == f"/conversations/{talk.pk}"
    b = client_for(people.claimed)
    assert b.post(f"/conversations/{talk.pk}", {"body": "Hello <b>C</b>"}).status_code == 302
    thread = c.get(f"/conversations/{talk.pk}").content.decode()
    assert "Hello &lt;b&gt;C&lt;/b&gt;" in thread and "<b>C</b>" not in thread  # plain text
    assert c.post(f"/conversations/{talk.pk}", {"body": "Hi B"}).status_code == 302
    assert "Hi B" in b.get(f"/conversations/{talk.pk}").content.decode()
    # C blocks B: B can no longer write, and cannot invite again
    assert c.post(f"/conversations/{talk.pk}/block", {"action": "block"}).status_code == 302
    refused = b.post(f"/conversations/{talk.pk}", {"body": "Still there?"})
    assert refused.status_code == 403 and "blocked you" in refused.content.decode()
    assert not Message.objects.filter(body="Still there?").exists()
    assert "blocked you" in b.get(f"/conversations/{talk.pk}").content.decode()
    assert b.get(f"/researchers/{people.c_record.slug}/invite").status_code == 403


def test_decline_waits_before_another_invitation_and_block_ends_them(people, client_for, settings):
    sent = send(people, client_for)
    client_for(people.invitee).post(f"/invitations/{sent.pk}/answer", {"answer": "decline"})
    sent.refresh_from_db()
    assert sent.status == "declined"
    again = client_for(people.claimed).get(f"/researchers/{people.c_record.slug}/invite")
    assert again.status_code == 403 and "days after the decline" in again.content.decode()
    Invitation.objects.filter(pk=sent.pk).update(
        decided_at=timezone.now() - timedelta(days=settings.BZPEER_REINVITE_DAYS + 1)
    )
    second = invitations.invite(people.claimed, people.c_record, "Once more?", "Still fits")
    invitations.decline(people.invitee, second, block_sender=True)
    with pytest.raises(Refused, match="does not take invitations"):
        invitations.invite_check(people.claimed, people.c_record)


def test_only_claimed_researchers_invite_and_only_open_ones_are_invited(people, client_for):
    from bzpeer.catalog.models import Author

    # a signed-in account without a record
    assert (
        client_for(people.user).get(f"/researchers/{people.c_record.slug}/invite").status_code
        == 403
    )
    # a record nobody holds
    free = Author.objects.filter(merged_into=None, claims=None).order_by("id").first()
    with pytest.raises(Refused, match="not claimed"):
        invitations.invite_check(people.claimed, free)
    # a claimed record not open to collaborate
    Author.objects.filter(pk=people.c_record.pk).update(open_to_collaborate=False)
    people.c_record.refresh_from_db()
    with pytest.raises(Refused, match="not open to collaborate"):
        invitations.invite_check(people.claimed, people.c_record)
    profile = (
        client_for(people.claimed).get(f"/researchers/{people.c_record.slug}").content.decode()
    )
    assert "not open to collaborate" in profile and "Invite to a conversation" not in profile
    # one's own record
    with pytest.raises(Refused, match="your own record"):
        invitations.invite_check(people.claimed, people.b_record)
    # an unclaimed record's profile says what would unlock it
    page = client_for(None).get(f"/researchers/{free.slug}").content.decode()
    assert "Claim this author entity first to unlock direct invitations." in page


def test_the_conflict_of_interest_shows_on_an_invitation_between_coauthors(people, client_for):
    sent = send(people, client_for)
    assert sent.conflicts, "B and C share works: the check must say so"
    kinds = {c["kind"] for c in sent.conflicts}
    assert kinds & {"coauthorship", "advisor"}
    for who in (people.claimed, people.invitee):
        page = client_for(who).get(f"/invitations/{sent.pk}").content.decode()
        assert "Conflict of interest" in page and 'data-conflicts="0"' not in page
    # and before sending, on the form
    form = client_for(people.claimed)
    Invitation.objects.all().delete()
    assert (
        "Conflict of interest"
        in form.get(f"/researchers/{people.c_record.slug}/invite").content.decode()
    )


def test_reports_reach_the_moderators_who_hide_the_content(people, client_for):
    sent = send(people, client_for)
    talk = invitations.accept(people.invitee, sent)
    said = conversations.send_message(people.claimed, talk, "Buy my course")
    c = client_for(people.invitee)
    assert c.post("/report", {"message": said.pk, "reason": "spam"}).status_code == 200
    item = Report.objects.get(message=said)
    queue = client_for(people.moderator).get("/moderation/reports").content.decode()
    assert "Buy my course" in queue
    done = client_for(people.moderator).post(
        f"/moderation/reports/{item.pk}", {"decision": "uphold", "reason": "spam"}
    )
    assert done.status_code == 302
    thread = c.get(f"/conversations/{talk.pk}").content.decode()
    assert "Buy my course" not in thread and "Removed by a moderator" in thread
    from bzpeer.claims.models import AuditEvent

    assert AuditEvent.objects.filter(action="report-upheld", subject=f"report:{item.pk}").exists()
    # nobody reports their own words, or what they cannot see
    with pytest.raises(Refused):
        reports.report(people.claimed, "mine", message=said)
    with pytest.raises(Refused):
        reports.report(people.user, "not mine", message=said)


@override_settings(BZPEER_INVITES_PER_DAY=2)
def test_invitations_per_day_hold(people, make_user):
    from social_people import hold

    from bzpeer.catalog.models import Author

    for n in range(3):
        record = (
            Author.objects.filter(merged_into=None, claims=None, works_count__gte=1)
            .order_by("id")[n : n + 1]
            .get()
        )
        hold(make_user(f"open{n}", f"open{n}@example.org"), record)
        if n < 2:
            invitations.invite(people.claimed, record, "Hi", "Fits")
        else:
            with pytest.raises(Refused, match="At most 2 invitations a day"):
                invitations.invite(people.claimed, record, "Hi", "Fits")
    assert Invitation.objects.filter(sender=people.claimed).count() == 2


@override_settings(BZPEER_MESSAGES_PER_MINUTE=3)
def test_messages_per_minute_hold(people, client_for):
    talk = invitations.accept(people.invitee, send(people, client_for))
    b = client_for(people.claimed)
    codes = [b.post(f"/conversations/{talk.pk}", {"body": f"m{n}"}).status_code for n in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Message.objects.filter(conversation=talk).count() == 3


@override_settings(BZPEER_REPORTS_PER_DAY=2)
def test_reports_per_day_hold(people, client_for):
    talk = invitations.accept(people.invitee, send(people, client_for))
    said = [conversations.send_message(people.claimed, talk, f"m{n}") for n in range(3)]
    c = client_for(people.invitee)
    codes = [c.post("/report", {"message": m.pk, "reason": "spam"}).status_code for m in said]
    assert codes == [200, 200, 429]


def test_message_emails_only_when_opted_in(people, client_for, django_capture_on_commit_callbacks):
    sent = send(people, client_for)
    assert not [m for m in mail.outbox if people.invitee.email in m.to]
    AlertSettings.objects.create(user=people.invitee, message_emails=True)
    talk = invitations.accept(people.invitee, sent)
    with django_capture_on_commit_callbacks(execute=True):
        conversations.send_message(people.claimed, talk, "Private words")
    notices = [m for m in mail.outbox if people.invitee.email in m.to]
    assert notices and "Private words" not in notices[-1].body  # who wrote, never what
    assert f"/conversations/{talk.pk}" in notices[-1].body


def test_the_data_export_holds_the_social_rows_and_deletion_removes_them(people, client_for):
    from bzpeer.accounts.privacy import delete_account, export_account
    from bzpeer.social.models import Block, Follow

    talk = invitations.accept(people.invitee, send(people, client_for))
    conversations.send_message(people.claimed, talk, "Draft attached")
    client_for(people.claimed).post(f"/follow/author/{people.c_record.pk}", {"action": "follow"})
    data = export_account(people.claimed)
    assert data["follows"][0]["record"] == people.c_record.slug
    assert data["invitations"][0]["direction"] == "sent"
    assert data["conversations"][0]["messages"][0] == {
        "from": "you",
        "body": "Draft attached",
        "at": data["conversations"][0]["messages"][0]["at"],
    }
    delete_account(people.claimed)
    assert not Invitation.objects.filter(recipient=people.invitee).exists()
    assert not Message.objects.filter(body="Draft attached").exists()
    assert not Follow.objects.filter(author=people.c_record).exists()
    assert Block.objects.filter(blocker=people.invitee).exists()  # C's block of another stays
