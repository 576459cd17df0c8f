"""The search index's bookkeeping. The index itself is one full-text table
per entity, made by ``backends`` for the database in use (SQLite FTS5 virtual
tables, PostgreSQL tsvector tables with GIN indexes)."""

from __future__ import annotations

from django.db import models


class SearchTerm(models.Model):
    """Words the index holds for an entity, with how many records use them:
    the vocabulary that typos are mended from ("did you mean")."""

    entity = models.CharField(max_length=16)
    term = models.CharField(max_length=64)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "term"], name="search_term_once")]

    def __str__(self) -> str:
        return f"{self.entity}:{self.term}"


class SearchState(models.Model):
    """Up to when an entity's index is in step with the catalog."""

    entity = models.CharField(max_length=16, primary_key=True)
    synced_at = models.DateTimeField(null=True)
    last_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.entity} synced at {self.synced_at}"
