"""Background imports: a task takes an ImportRun id (safe to run twice: a run
that finished is left alone, one that stopped carries on from its checkpoint)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from .models import ImportRun
from .pipeline import queue_run, run_import


@task()
def import_task(run_id: int) -> dict[str, Any]:
    run = ImportRun.objects.get(pk=run_id)
    if run.status == ImportRun.Status.DONE:
        return {"run": run.pk, "status": run.status}
    result = run_import(run.source, run.paths, run.options, show_progress=False, run=run)
    s = result.stats
    return {
        "run": run.pk,
        "new": s.new,
        "updated": s.updated,
        "unchanged": s.unchanged,
        "quarantined": s.quarantined,
        "skipped": s.skipped,
    }


def enqueue_import(source: str, paths: list[str], options: dict[str, str]) -> ImportRun:
    """Record a queued ImportRun and hand it to the task queue."""
    run = queue_run(source, paths, options)
    import_task.enqueue(run.pk)
    return run
