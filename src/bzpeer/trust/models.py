"""Trust snapshots: a record's computed score with its evidence.

The claims a score weighs are read through ``trust.claims``, the reader
``bzpeer.claims`` registers (docs/trust.md, verification levels).
"""

from __future__ import annotations

from django.db import models

from bzpeer.catalog.models import Author


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
