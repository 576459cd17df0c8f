"""Import runs: what ran, how far it got (its checkpoint), and what it did."""

from __future__ import annotations

from django.db import models


class ImportRun(models.Model):
    """One import or sync, recorded so that it can be watched and resumed.

    The checkpoint (file index, chunks done in that file) is written in the
    same transaction as each batch, so after a crash it says exactly what is
    in the database; a new run of the same input carries on from there.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        RESOLVING = "resolving"
        DONE = "done"
        FAILED = "failed"

    source = models.CharField(max_length=16)
    paths = models.JSONField(default=list)
    options = models.JSONField(default=dict, blank=True)
    signature = models.CharField(max_length=64, db_index=True, help_text="source+paths+options")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    pid = models.IntegerField(null=True, blank=True)
    host = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checkpoint_file = models.IntegerField(default=0)
    checkpoint_chunk = models.IntegerField(default=0)
    resumed = models.IntegerField(default=0, help_text="times it carried on after a stop")
    new = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    quarantined = models.IntegerField(default=0)
    skipped = models.IntegerField(default=0)
    seconds = models.FloatField(default=0.0)
    log = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source} {self.status}"

    @property
    def records(self) -> int:
        return self.new + self.updated + self.unchanged + self.quarantined + self.skipped


class SyncState(models.Model):
    """Where the sync of one query against a live source stopped.

    While a pass pages through results, ``cursor`` is the next cursor (or
    OAI-PMH resumptionToken) and ``since`` the date filter that cursor belongs
    to. When a pass finishes, the cursor is cleared and ``since`` becomes the
    high-water date (the day the pass began): the next sync asks only for
    records updated since then.
    """

    source = models.CharField(max_length=16)
    query = models.CharField(max_length=500, help_text="author/query the sync selects")
    cursor = models.TextField(blank=True, help_text="next page; empty when the pass finished")
    since = models.DateField(null=True, blank=True)
    pass_started_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    pages = models.IntegerField(default=0)
    records = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "query"], name="syncstate_source_query")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.query}"
