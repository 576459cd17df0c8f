"""Reports of messages and invitations to the moderators. Upholding one hides
the content from both sides ("removed by a moderator"); every decision is in
the moderation log (``claims.AuditEvent``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bzpeer.claims.models import AuditEvent
from bzpeer.claims.services import account_id, require_moderator

from .invitations import Invalid, Limited, Refused, User, plain_text
from .models import Invitation, Message, Report

REASON_LIMIT = 1000
DECISIONS = ("uphold", "dismiss")


def report(
    user: User,
    reason: str,
    *,
    invitation: Invitation | None = None,
    message: Message | None = None,
) -> Report:
    """``user``, one side of the invitation or conversation, reports it."""
    reason = plain_text(reason, REASON_LIMIT, "reason")
    me = account_id(user)
    subject = invitation if invitation is not None else message.conversation.invitation  # type: ignore[union-attr]
    if me not in (subject.sender_id, subject.recipient_id):
        raise Refused("You can only report what was sent to you or in your conversations.")
    if message is not None and message.sender_id == me:
        raise Invalid("This is your own message.")
    if invitation is not None and invitation.sender_id == me:
        raise Invalid("This is your own invitation.")
    per_day = settings.BZPEER_REPORTS_PER_DAY
    if (
        Report.objects.filter(
            reporter_id=me, created_at__gte=timezone.now() - timedelta(days=1)
        ).count()
        >= per_day
    ):
        raise Limited(f"At most {per_day} reports a day; try again tomorrow.")
    return Report.objects.create(
        reporter_id=me, invitation=invitation, message=message, reason=reason
    )


def decide_report(moderator: User, item: Report, decision: str, reason: str = "") -> Report:
    require_moderator(moderator)
    if decision not in DECISIONS:
        raise Invalid("Choose uphold or dismiss.")
    reason = " ".join(reason.split())[:REASON_LIMIT]
    with transaction.atomic():
        item = Report.objects.select_for_update().get(pk=item.pk)
        if item.status != Report.Status.PENDING:
            raise Refused("This report was already decided.")
        if item.reporter_id == account_id(moderator):
            raise Refused("A moderator never decides their own report.")
        now = timezone.now()
        item.status = Report.Status.UPHELD if decision == "uphold" else Report.Status.DISMISSED
        item.decided_by_id, item.decided_at, item.decision_reason = (
            account_id(moderator),
            now,
            reason,
        )
        item.save()
        if decision == "uphold":
            if item.message_id:
                Message.objects.filter(pk=item.message_id).update(removed_at=now)
            if item.invitation_id:
                Invitation.objects.filter(pk=item.invitation_id).update(removed_at=now)
        AuditEvent.objects.create(
            actor_id=account_id(moderator),
            role="moderator",
            action=f"report-{'upheld' if decision == 'uphold' else 'dismissed'}",
            subject=f"report:{item.pk}",
            reason=reason,
        )
    return item


def pending() -> list[Report]:
    return list(
        Report.objects.filter(status=Report.Status.PENDING)
        .select_related("invitation", "message", "reporter")
        .order_by("created_at", "id")[:200]
    )
