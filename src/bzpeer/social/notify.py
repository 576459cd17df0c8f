"""E-mail notices of invitations and messages, only to accounts that opted
in (``AlertSettings.message_emails``). They say who wrote, never what: the
text stays on the site, behind the sign-in."""

from __future__ import annotations

from django.conf import settings

from bzpeer.claims.notices import short_name

from .alerts import mail
from .models import AlertSettings, Invitation, Message


def _send(user_id: int, subject: str, lines: list[str]) -> None:
    if AlertSettings.objects.filter(user_id=user_id, message_emails=True).exists():
        mail(user_id, subject, lines)


def invitation_sent(invitation: Invitation) -> None:
    who = short_name(invitation.sender_author.display_name)
    _send(
        invitation.recipient_id,
        f"{who} invites you to talk",
        [
            f"{who} invited you to a conversation on BZPEER.",
            f"Read it and answer: {settings.BZPEER_SITE_URL}/inbox",
        ],
    )


def message_sent(message: Message) -> None:
    invitation = message.conversation.invitation
    if message.sender_id == invitation.sender_id:
        to, who = invitation.recipient_id, invitation.sender_author.display_name
    else:
        to, who = invitation.sender_id, invitation.recipient_author.display_name
    _send(
        to,
        f"New message from {short_name(who)}",
        [
            f"{short_name(who)} wrote to you on BZPEER.",
            f"Read it: {settings.BZPEER_SITE_URL}/conversations/{message.conversation_id}",
        ],
    )
