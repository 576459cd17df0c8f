"""What owners and moderators do with records besides claiming them: the
owner's own profile statements, merge requests, suppression requests, and
the audit log of every decision.

The claim itself (``Claim``, ``ClaimEvent``) is still defined in
``bzpeer.trust.models``, whose verification levels read it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bzpeer.catalog.models import Author, AuthorCorrection, Institution


class OwnerProfile(models.Model):
    """What the record's verified owner says about themselves. Shown on the
    profile over what the sources say; gone when the claim ends."""

    author = models.OneToOneField(Author, on_delete=models.CASCADE, related_name="owner_profile")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    display_name = models.CharField(max_length=200, blank=True)
    bio = models.CharField(max_length=280, blank=True)
    homepage = models.URLField(max_length=500, blank=True)
    orcid = models.CharField(max_length=19, blank=True)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)


class Request(models.Model):
    """A request moderators decide: pending, then approved or rejected with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        APPROVED = "approved", "approved"
        REJECTED = "rejected", "rejected"
        WITHDRAWN = "withdrawn", "withdrawn"

    # The requester; a deleted account's decided requests stay (a suppression
    # outlives the account that asked for it).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(help_text="the requester's reason")
    decision_reason = models.TextField(blank=True, help_text="the moderator's, shown to them")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class MergeRequest(Request):
    """An owner says ``other`` is also them, where the evidence alone does not
    merge it at once; approval merges ``other`` into ``author``."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+")
    correction = models.ForeignKey(
        AuthorCorrection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]


class Suppression(Request):
    """A person asks that an unclaimed record about them be taken down. Once a
    moderator approves, the record answers 410 on pages and the API and is
    left out of search and lists; a moderator can lift it."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="suppressions")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]


class AuditEvent(models.Model):
    """One decision or correction: who, when, what, on which record, and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=16, help_text="owner, moderator, requester")
    action = models.CharField(max_length=32)
    author = models.ForeignKey(
        Author, null=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    subject = models.CharField(max_length=64, blank=True, help_text="e.g. merge-request:12")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
