"""Claims (a person saying "this record is me") and trust snapshots.

The claim workflow lives in ``bzpeer.claims``; what a claim has proven is
recorded here because verification levels L2-L4 are defined by it
(docs/trust.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bzpeer.catalog.models import Author


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
        indexes = [models.Index(fields=["user", "-created_at"])]
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
        ordering = ["at", "id"]


class TrustSnapshot(models.Model):
    """A computed trust score with every component and the evidence behind it."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="trust_snapshots")
    formula = models.CharField(max_length=8, help_text="formula version, docs/trust.md")
    score = models.IntegerField()
    tier = models.CharField(max_length=20)
    level = models.CharField(max_length=2, help_text="verification level L0-L4")
    claim_state = models.CharField(max_length=16)
    components = models.JSONField(default=list)
    inputs = models.CharField(max_length=64, help_text="hash of the facts it was computed from")
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["author", "-computed_at"])]
