"""Rows made the way the site makes them, through the real importers, and
the work an identifier names: what the importer tests share."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bzpeer.catalog.models import Work, WorkIdentifier
from bzpeer.ingest.batch import Stats
from bzpeer.ingest.pipeline import run_import


def import_files(source: str, paths: Iterable[str | Path], **options: str) -> Stats:
    """Import these files of one source, quietly, then resolve; the run's counts."""
    return run_import(source, [str(p) for p in paths], options, show_progress=False).stats


def work_by_id(scheme: str, value: str) -> Work:
    """The work that holds this identifier (``doi``, ``arxiv``...)."""
    return WorkIdentifier.objects.get(scheme=scheme, value=value).work
