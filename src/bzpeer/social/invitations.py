"""Invitations between researchers, blocks and the conflict-of-interest check
they carry (docs/social.md).

Only a record's verified owner at L2 or above invites, and only the verified
owner of a record that is open to collaborate. The invitee accepts (a
conversation opens for both), declines, or declines and blocks the sender.
Limits: ``BZPEER_INVITES_PER_DAY`` per sender, no second invitation to the
same person while one is pending nor for ``BZPEER_REINVITE_DAYS`` after a
decline, none ever after a block."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bzpeer.catalog.models import Author
from bzpeer.claims.owner import owned_claim, owner_of
from bzpeer.claims.services import account_id

from . import coi
from .models import Block, Conversation, Invitation

User = AbstractBaseUser | AnonymousUser

MESSAGE_LIMIT = 2000
FIT_LIMIT = 500
INVITING_LEVELS = ("L2", "L3", "L4")


class Refused(Exception):
    """Not allowed in this state; the message says why, for the person who
    tried, and ``status`` is the HTTP answer a view gives it."""

    status = 403


class Invalid(Refused):
    """What was sent cannot be taken as it is (empty, too long, ...)."""

    status = 400


class Limited(Refused):
    """A rate limit holds: try again later."""

    status = 429


def plain_text(text: str, limit: int, label: str) -> str:
    """Plain text as a person typed it: lines kept, other control and
    invisible characters refused, at most ``limit`` characters, not empty."""
    text = "\n".join(line.rstrip() for line in text.strip().replace("\r\n", "\n").split("\n"))
    if not text:
        raise Invalid(f"Write the {label}.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch != "\n" for ch in text):
        raise Invalid(f"The {label} has invisible or control characters.")
    if len(text) > limit:
        raise Invalid(f"The {label} is limited to {limit} characters.")
    return text


def blocked(blocker_id: int, blocked_id: int) -> bool:
    return Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).exists()


def invite_check(user: User, recipient: Author) -> tuple[Author, int]:
    """(the sender's record, the invitee's account) when ``user`` may invite
    ``recipient``'s owner now; else ``Refused`` with the reason."""
    mine = owned_claim(user)
    if mine is None:
        raise Refused("Claim your own record first: invitations come from claimed researchers.")
    record = mine.author
    if mine.level not in INVITING_LEVELS:
        raise Refused("Your claim must be verified (L2 or above) to invite.")
    if recipient.pk == record.pk:
        raise Refused("This is your own record.")
    to = owner_of(recipient)
    if to is None:
        raise Refused("This record is not claimed: only claimed researchers can be invited.")
    if not recipient.open_to_collaborate:
        raise Refused("This researcher is not open to collaborate.")
    me = account_id(user)
    if blocked(to, me):
        raise Refused("This researcher does not take invitations from you.")
    earlier = Invitation.objects.filter(sender_id=me, recipient_id=to)
    if earlier.filter(status=Invitation.Status.PENDING).exists():
        raise Refused("Your earlier invitation is still waiting for an answer.")
    if (
        earlier.filter(status=Invitation.Status.ACCEPTED).exists()
        or Invitation.objects.filter(
            sender_id=to, recipient_id=me, status=Invitation.Status.ACCEPTED
        ).exists()
    ):
        raise Refused("You already have a conversation with this researcher.")
    wait = timedelta(days=settings.BZPEER_REINVITE_DAYS)
    if earlier.filter(
        status=Invitation.Status.DECLINED, decided_at__gte=timezone.now() - wait
    ).exists():
        raise Refused(
            f"This researcher declined your invitation; you can invite again "
            f"{settings.BZPEER_REINVITE_DAYS} days after the decline."
        )
    per_day = settings.BZPEER_INVITES_PER_DAY
    today = Invitation.objects.filter(
        sender_id=me, created_at__gte=timezone.now() - timedelta(days=1)
    ).count()
    if today >= per_day:
        raise Limited(f"At most {per_day} invitations a day; try again tomorrow.")
    return record, to


def invite(user: User, recipient: Author, message: str, fit: str) -> Invitation:
    """Send an invitation; its conflict-of-interest report goes with it."""
    message = plain_text(message, MESSAGE_LIMIT, "message")
    fit = plain_text(fit, FIT_LIMIT, "reason you fit")
    with transaction.atomic():
        record, to = invite_check(user, recipient)
        report = coi.conflicts(record, recipient)
        invitation = Invitation.objects.create(
            sender_id=account_id(user),
            sender_author=record,
            recipient_id=to,
            recipient_author=recipient,
            message=message,
            fit=fit,
            conflicts=report.as_json(),
        )
    from .notify import invitation_sent

    transaction.on_commit(lambda: invitation_sent(invitation))
    return invitation


def _mine_to_decide(user: User, invitation: Invitation) -> Invitation:
    if invitation.recipient_id != account_id(user):
        raise Refused("Only the invited researcher can answer this invitation.")
    if invitation.status != Invitation.Status.PENDING:
        raise Refused("This invitation was already answered.")
    return invitation


def accept(user: User, invitation: Invitation) -> Conversation:
    """The invitee accepts: a private conversation opens for both."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _mine_to_decide(user, invitation)
        if blocked(invitation.recipient_id, invitation.sender_id):
            raise Refused("You blocked this sender; unblock them first.")
        invitation.status = Invitation.Status.ACCEPTED
        invitation.decided_at = timezone.now()
        invitation.save(update_fields=["status", "decided_at"])
        return Conversation.objects.create(invitation=invitation)


def decline(user: User, invitation: Invitation, block_sender: bool = False) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _mine_to_decide(user, invitation)
        invitation.status = (
            Invitation.Status.BLOCKED if block_sender else Invitation.Status.DECLINED
        )
        invitation.decided_at = timezone.now()
        invitation.save(update_fields=["status", "decided_at"])
        if block_sender:
            block(user, invitation.sender_id)
    return invitation


def block(user: User, other_id: int) -> bool:
    """``user`` hears no more from ``other_id``: no invitation, no message.
    True when the block is new."""
    me = account_id(user)
    if not me or other_id == me:
        raise Refused("You cannot block this account.")
    _, created = Block.objects.get_or_create(blocker_id=me, blocked_id=other_id)
    return created


def unblock(user: User, other_id: int) -> bool:
    deleted, _ = Block.objects.filter(blocker_id=account_id(user), blocked_id=other_id).delete()
    return bool(deleted)


def received(user: User) -> list[Invitation]:
    return list(
        Invitation.objects.filter(recipient_id=account_id(user), removed_at=None)
        .select_related("sender_author", "recipient_author")
        .order_by("-created_at", "-id")[:200]
    )


def sent(user: User) -> list[Invitation]:
    return list(
        Invitation.objects.filter(sender_id=account_id(user))
        .select_related("sender_author", "recipient_author")
        .order_by("-created_at", "-id")[:200]
    )


def visible_to(user: User, invitation_id: int) -> Invitation | None:
    """The invitation when ``user`` is one of its two sides, else None."""
    uid = account_id(user)
    return (
        Invitation.objects.filter(Q(sender_id=uid) | Q(recipient_id=uid), pk=invitation_id)
        .select_related("sender_author", "recipient_author")
        .first()
    )


def collaboration_state(user: User, author: Author, claimed: bool) -> tuple[str, str]:
    """What the profile's "Direct collaboration" section offers this visitor:
    ("invite", "") when they may invite the record's owner now, else
    ("closed", why) in words."""
    if not claimed:
        return "closed", "Claim this author entity first to unlock direct invitations."
    if not user.is_authenticated:
        return "closed", "Sign in as a claimed researcher to invite them."
    try:
        invite_check(user, author)
    except Refused as refused:
        return "closed", str(refused)
    return "invite", ""
