"""E-mail notices of invitations and messages, only to accounts that opted
in (``AlertSettings.message_emails``). They say who wrote, never what: the
text stays on the site, behind the sign-in."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage

from bzpeer.claims.notices import address

from .alerts import unsubscribe_url
from .models import AlertSettings, Invitation, Message

log = logging.getLogger(__name__)


def _send(user_id: int, subject: str, lines: list[str]) -> None:
    if not AlertSettings.objects.filter(user_id=user_id, message_emails=True).exists():
        return
    to = address(user_id)
    if not to:
        return
    stop = unsubscribe_url(user_id)
    body = "\n".join([*lines, "", f"Stop these e-mails (no sign-in needed): {stop}"])
    try:
        EmailMessage(
            subject, body + "\n\n-- BZPEER\n", to=[to], headers={"List-Unsubscribe": f"<{stop}>"}
        ).send()
    except OSError:
        log.exception("could not send %r to account %s", subject, user_id)


def _name(text: str) -> str:
    return " ".join(text.split())[:120]


def invitation_sent(invitation: Invitation) -> None:
    who = _name(invitation.sender_author.display_name)
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
        f"New message from {_name(who)}",
        [
            f"{_name(who)} wrote to you on BZPEER.",
            f"Read it: {settings.BZPEER_SITE_URL}/conversations/{message.conversation_id}",
        ],
    )
