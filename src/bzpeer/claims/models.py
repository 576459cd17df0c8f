"""What people say about records: claims ("this record is me") and their
audit log, the owner's own profile statements, merge requests, suppression
requests, and the audit log of every other decision.

Trust reads claims through the reader ``apps.ClaimsConfig`` registers
(``trust.claims``); claims keep the tables trust first created for them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bzpeer.catalog.models import Author, AuthorCorrection, Institution


class Claim(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        NEEDS_EVIDENCE = "needs_evidence", "needs evidence"
        VERIFIED = "verified", "verified"
        REJECTED = "rejected", "rejected"
        WITHDRAWN = "withdrawn", "withdrawn"
        REVOKED = "revoked", "revoked"

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The level the claim granted when it was verified (L2, L3, L4); '' before.
    level = models.CharField(max_length=2, blank=True)
    evidence_url = models.URLField(max_length=2000, blank=True)
    note = models.TextField(blank=True, help_text="the claimant's plain-text note")
    reason = models.TextField(
        blank=True, help_text="the latest decision's reason, shown to the claimant"
    )
    # Another account held a verified claim on the record when this one was made.
    dispute = models.BooleanField(default=False)
    email = models.EmailField(blank=True, help_text="the address the claim was verified with")
    email_verified = models.BooleanField(default=False)
    # ORCID sign-in whose public record lists works of this author record.
    orcid = models.CharField(max_length=19, blank=True)
    orcid_works_matched = models.IntegerField(default=0)
    # The email's domain is a current affiliation's (ROR links).
    institution_email = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    OPEN = (Status.PENDING, Status.NEEDS_EVIDENCE, Status.VERIFIED)

    class Meta:
        db_table = "trust_claim"  # the table it had when trust defined it
        indexes = [
            models.Index(fields=["user", "-created_at"], name="trust_claim_user_id_a890dd_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author"],
                condition=models.Q(status="verified"),
                name="one_verified_claim_per_author",
            )
        ]


class ClaimEvent(models.Model):
    """One change of a claim's state: who, when, why (the claim's audit log)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, help_text="claim, approve, reject, withdraw, ...")
    status = models.CharField(max_length=16, help_text="the claim's status after it")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "trust_claimevent"
        ordering = ["at", "id"]


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
