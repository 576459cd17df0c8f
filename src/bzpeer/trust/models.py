"""Claims (a person saying "this record is me") and trust snapshots.

Making a claim is a later capability; what a claim has proven is recorded
here now because verification levels L2-L4 are defined by it (docs/trust.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bzpeer.catalog.models import Author


class Claim(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        VERIFIED = "verified", "verified"
        REJECTED = "rejected", "rejected"
        WITHDRAWN = "withdrawn", "withdrawn"

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
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

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author"],
                condition=models.Q(status="verified"),
                name="one_verified_claim_per_author",
            )
        ]


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
