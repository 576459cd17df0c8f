"""Follows: an account following a public author record."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bzpeer.catalog.models import Author


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "author"], name="uniq_follow")]
