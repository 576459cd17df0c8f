"""Private conversations: the two sides of an accepted invitation write to
each other in plain text. A side that blocked the other stops hearing from
it: the blocked side can no longer write. At most
``BZPEER_MESSAGES_PER_MINUTE`` messages a minute per account."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bzpeer.catalog.queries import raw_rows
from bzpeer.claims.services import account_id

from .invitations import Limited, Refused, User, blocked, plain_text
from .models import Conversation, Invitation, Message, ReadMark

BODY_LIMIT = 4000


def visible_to(user: User, conversation_id: int) -> Conversation | None:
    """The conversation when ``user`` is one of its two sides, else None."""
    uid = account_id(user)
    return (
        Conversation.objects.filter(
            Q(invitation__sender_id=uid) | Q(invitation__recipient_id=uid), pk=conversation_id
        )
        .select_related("invitation__sender_author", "invitation__recipient_author")
        .first()
    )


def other_side(conversation: Conversation, user_id: int) -> int:
    invitation = conversation.invitation
    return invitation.recipient_id if invitation.sender_id == user_id else invitation.sender_id


def can_write(user: User, conversation: Conversation) -> str:
    """'' when ``user`` may write in the conversation now, else why not."""
    me = account_id(user)
    if me not in (conversation.invitation.sender_id, conversation.invitation.recipient_id):
        return "This conversation is not yours."
    if blocked(other_side(conversation, me), me):
        return "The other researcher blocked you: you can no longer write here."
    if blocked(me, other_side(conversation, me)):
        return "You blocked the other researcher; unblock them to write."
    return ""


def send_message(user: User, conversation: Conversation, body: str) -> Message:
    body = plain_text(body, BODY_LIMIT, "message")
    why = can_write(user, conversation)
    if why:
        raise Refused(why)
    me = account_id(user)
    per_minute = settings.BZPEER_MESSAGES_PER_MINUTE
    with transaction.atomic():
        recent = Message.objects.filter(
            sender_id=me, created_at__gte=timezone.now() - timedelta(minutes=1)
        ).count()
        if recent >= per_minute:
            raise Limited(f"At most {per_minute} messages a minute; wait a little.")
        message = Message.objects.create(conversation=conversation, sender_id=me, body=body)
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=message.created_at)
        mark_read(me, conversation.pk, message.pk)
    from .notify import message_sent

    transaction.on_commit(lambda: message_sent(message))
    return message


def thread(user: User, conversation: Conversation) -> list[Message]:
    """The conversation's messages, oldest first; reading them marks them read."""
    messages = list(conversation.messages.order_by("id"))
    if messages:
        mark_read(account_id(user), conversation.pk, messages[-1].pk)
    return messages


def mark_read(user_id: int, conversation_id: int, message_id: int) -> None:
    mark, _ = ReadMark.objects.get_or_create(conversation_id=conversation_id, user_id=user_id)
    if message_id > mark.last_read_id:
        ReadMark.objects.filter(pk=mark.pk).update(last_read_id=message_id)


def conversations(user: User) -> list[tuple[Conversation, int]]:
    """The account's conversations, latest activity first, each with its
    number of unread messages."""
    uid = account_id(user)
    found: list[Conversation] = list(
        Conversation.objects.filter(Q(invitation__sender_id=uid) | Q(invitation__recipient_id=uid))
        .select_related("invitation__sender_author", "invitation__recipient_author")
        .order_by("-updated_at", "-id")[:200]
    )
    seen = dict(
        ReadMark.objects.filter(user_id=uid, conversation__in=found).values_list(
            "conversation_id", "last_read_id"
        )
    )
    counts: dict[int, int] = {}
    for conversation_id, message_id in (
        Message.objects.filter(conversation__in=found, removed_at=None)
        .exclude(sender_id=uid)
        .values_list("conversation_id", "id")
    ):
        if message_id > seen.get(conversation_id, 0):
            counts[conversation_id] = counts.get(conversation_id, 0) + 1
    return [(c, counts.get(c.pk, 0)) for c in found]


def unread(user_id: int) -> int:
    """Messages from the other side not yet read, plus invitations waiting
    for an answer: the header's count. One query."""
    message, conversation = Message._meta.db_table, Conversation._meta.db_table
    invitation, mark = Invitation._meta.db_table, ReadMark._meta.db_table
    rows = raw_rows(
        f'SELECT (SELECT COUNT(*) FROM "{message}" m '
        f'JOIN "{conversation}" c ON c.id = m.conversation_id '
        f'JOIN "{invitation}" i ON i.id = c.invitation_id '
        f'LEFT JOIN "{mark}" r ON r.conversation_id = c.id AND r.user_id = %s '
        "WHERE (i.sender_id = %s OR i.recipient_id = %s) AND m.sender_id <> %s "
        "AND m.removed_at IS NULL AND m.id > COALESCE(r.last_read_id, 0)) + "
        f'(SELECT COUNT(*) FROM "{invitation}" WHERE recipient_id = %s AND status = %s '
        "AND removed_at IS NULL)",
        [user_id, user_id, user_id, user_id, user_id, Invitation.Status.PENDING.value],
    )
    return int(rows[0][0])
