"""What ``social`` keeps about one account, for its data export
(``accounts.privacy``): follows, alert settings, invitations, conversations,
blocks and reports."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from .models import (
    AlertSettings,
    Block,
    Conversation,
    Follow,
    InstitutionFollow,
    Invitation,
    Report,
    TopicFollow,
)


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def account_data(uid: int) -> dict[str, Any]:
    alerts = AlertSettings.objects.filter(user_id=uid).first()
    talks = (
        Conversation.objects.filter(Q(invitation__sender_id=uid) | Q(invitation__recipient_id=uid))
        .select_related("invitation__sender_author", "invitation__recipient_author")
        .order_by("id")
    )
    return {
        "follows": [
            {"record": slug, "since": _when(at)}
            for slug, at in Follow.objects.filter(user_id=uid)
            .order_by("id")
            .values_list("author__slug", "created_at")
        ],
        "topic_follows": [
            {"topic": name, "since": _when(at)}
            for name, at in TopicFollow.objects.filter(user_id=uid)
            .order_by("id")
            .values_list("topic__name", "created_at")
        ],
        "institution_follows": [
            {"institution": name, "since": _when(at)}
            for name, at in InstitutionFollow.objects.filter(user_id=uid)
            .order_by("id")
            .values_list("institution__name", "created_at")
        ],
        "alerts": None
        if alerts is None
        else {"frequency": alerts.frequency, "message_emails": alerts.message_emails},
        "invitations": [
            {
                "direction": "sent" if i.sender_id == uid else "received",
                "from": i.sender_author.slug,
                "to": i.recipient_author.slug,
                "message": i.message,
                "fit": i.fit,
                "status": i.status,
                "sent": _when(i.created_at),
                "decided": _when(i.decided_at),
            }
            for i in Invitation.objects.filter(Q(sender_id=uid) | Q(recipient_id=uid))
            .select_related("sender_author", "recipient_author")
            .order_by("id")
        ],
        "conversations": [
            {
                "with": (
                    c.invitation.recipient_author.slug
                    if c.invitation.sender_id == uid
                    else c.invitation.sender_author.slug
                ),
                "messages": [
                    {
                        "from": "you" if m.sender_id == uid else "them",
                        "body": m.body,
                        "at": _when(m.created_at),
                    }
                    for m in c.messages.order_by("id")
                ],
            }
            for c in talks
        ],
        "blocked_accounts": Block.objects.filter(blocker_id=uid).count(),
        "reports": [
            {"reason": r.reason, "status": r.status, "made": _when(r.created_at)}
            for r in Report.objects.filter(reporter_id=uid).order_by("id")
        ],
    }
