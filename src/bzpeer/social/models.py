"""What accounts do with each other and with the catalog: follows, alert
settings, invitations, conversations, blocks and reports (docs/social.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bzpeer.catalog.models import Author, Institution, Topic

USER = settings.AUTH_USER_MODEL


class Follow(models.Model):
    """An account following a researcher (a trust input of the record)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "author"], name="uniq_follow")]


class TopicFollow(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="uniq_topic_follow")]


class InstitutionFollow(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "institution"], name="uniq_institution_follow")
        ]


class AlertSettings(models.Model):
    """What the account asked to be told by e-mail; nothing is sent without it."""

    class Frequency(models.TextChoices):
        NEVER = "never", "never"
        IMMEDIATELY = "immediately", "as soon as they are imported"
        WEEKLY = "weekly", "once a week"

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="alert_settings")
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default="never")
    message_emails = models.BooleanField(
        default=False, help_text="an e-mail for each new message or invitation"
    )
    # Works are told once: the highest work id the account was told about
    # (ids only grow; a new work is one with a higher id).
    seen_work_id = models.BigIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["frequency"])]


class Invitation(models.Model):
    """A claimed researcher asking another to talk: a short message and why
    they fit. Accepting opens a conversation."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        ACCEPTED = "accepted", "accepted"
        DECLINED = "declined", "declined"
        BLOCKED = "blocked", "declined and blocked"

    sender = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="invitations_sent")
    sender_author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="invitations_received"
    )
    recipient_author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+")
    message = models.TextField()
    fit = models.TextField(help_text="why they fit, in the sender's words")
    conflicts = models.JSONField(default=list, help_text="the conflict-of-interest report")
    status = models.CharField(max_length=10, choices=Status.choices, default="pending")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="hidden by a moderator")

    class Meta:
        indexes = [
            models.Index(fields=["sender", "-created_at"]),
            models.Index(fields=["recipient", "status"]),
        ]


class Conversation(models.Model):
    """A private thread between an invitation's two sides."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="conversation"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now_add=True)


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="hidden by a moderator")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "id"]),
            models.Index(fields=["sender", "-created_at"]),
        ]


class ReadMark(models.Model):
    """The last message of a conversation the account has seen."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="uniq_read_mark")
        ]


class Block(models.Model):
    """``blocker`` no longer hears from ``blocked``: no invitation, no message."""

    blocker = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="uniq_block")]


class Report(models.Model):
    """A message or an invitation reported to the moderators."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        UPHELD = "upheld", "upheld: the content is hidden"
        DISMISSED = "dismissed", "dismissed"

    reporter = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default="pending")
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(invitation__isnull=False) | models.Q(message__isnull=False),
                name="report_has_subject",
            )
        ]
