"""Run an import: files -> chunks -> parsed records -> catalog, with quarantine.

Every chunk either lands (new, updated, unchanged) or goes to quarantine with
its reason and raw text; nothing is dropped silently. Batches commit one at a
time, so an interrupted import keeps what it wrote and a re-run adds the rest.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from bzpeer.catalog import revision
from bzpeer.catalog.bulk import lock_catalog, restore_indexes, slices
from bzpeer.catalog.models import Quarantine

from .batch import Stats
from .files import expand, total_size
from .models import ImportRun
from .parsers import ParseInput, Position, parse_chunk, parse_input
from .records import Chunk, Parsed
from .rows import WorkRow
from .sources import SOURCES
from .writer import Writer

if TYPE_CHECKING:  # the resolver's modules load numpy: not while importing
    from bzpeer.resolve.authors import Clusterer


@dataclass(frozen=True)
class ImportResult:
    stats: Stats
    seconds: float
    resolve_seconds: float = 0.0
    run_id: int | None = None


def _quarantine(chunk: Chunk, reason: str) -> None:
    Quarantine.objects.update_or_create(
        source=chunk.source,
        locator=chunk.locator[:500],
        defaults={
            "reason": reason[:2000],
            "payload": chunk.text,
            "options": dict(chunk.options),
            "seen_at": timezone.now(),
            "resolved_at": None,
        },
    )


def _flush(
    writer: Writer,
    batch: list[tuple[Chunk, Parsed | WorkRow, str]],
    good: list[Chunk],
    bad: list[tuple[Chunk, str]],
    stats: Stats,
    run: ImportRun,
    where: tuple[int, int],
) -> None:
    """Write a batch, its quarantine and the run's checkpoint in one transaction."""
    with transaction.atomic():
        lock_catalog()
        writer.write(batch, stats)
        for chunk, reason in bad:
            _quarantine(chunk, reason)
        for part in slices([c.locator[:500] for c in good]):
            Quarantine.objects.filter(
                source=good[0].source, locator__in=part, resolved_at__isnull=True
            ).update(resolved_at=timezone.now())
        stats.quarantined += len(bad)
        ImportRun.objects.filter(pk=run.pk).update(
            checkpoint_file=where[0],
            checkpoint_chunk=where[1],
            new=stats.new,
            updated=stats.updated,
            unchanged=stats.unchanged,
            quarantined=stats.quarantined,
            skipped=stats.skipped,
        )
    run.checkpoint_file, run.checkpoint_chunk = where
    batch.clear()
    good.clear()
    bad.clear()


def run_import(
    source_name: str,
    paths: list[str],
    options: dict[str, str] | None = None,
    show_progress: bool = True,
    resolve: bool = True,
    run: ImportRun | None = None,
    parse: ParseInput = parse_input,
    clusterer: Clusterer | None = None,
) -> ImportResult:
    """Import files of one source; then resolve authors of the new mentions.

    The run is recorded as an ImportRun. An earlier run of the same input that
    stopped part-way (killed, crashed) is resumed from its checkpoint instead
    of starting over. ``parse`` and ``clusterer`` put the parsing and the
    clustering of name blocks on a cluster (``bzpeer.cluster``); the writes
    stay here.
    """
    source = SOURCES[source_name]
    opts = tuple(sorted((options or {}).items()))
    files = expand(paths)
    run = _claim(run) if run else start_run(source_name, [str(p) for p in files], dict(opts))
    stats = Stats(
        new=run.new,
        updated=run.updated,
        unchanged=run.unchanged,
        quarantined=run.quarantined,
        skipped=run.skipped,
    )
    restore_indexes()  # an earlier import into an empty catalog was killed before its end
    writer = Writer(ends_in_memory=True)
    started = time.perf_counter()
    progress = Progress(
        TextColumn(f"[bold]{source_name}[/]"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[records]:>9,} records  {task.fields[rate]:>8,.0f}/s"),
        TimeElapsedColumn(),
        disable=not show_progress,
        transient=False,
    )
    batch: list[tuple[Chunk, Parsed | WorkRow, str]] = []
    good: list[Chunk] = []
    bad: list[tuple[Chunk, str]] = []
    start = (run.checkpoint_file, run.checkpoint_chunk)
    batch_size = settings.BZPEER_IMPORT_BATCH  # records per transaction (and checkpoint)
    try:
        with progress, _few_collections(), _small_page_cache():
            task = progress.add_task("import", total=total_size(files), records=0, rate=0.0)
            position = Position()
            for where, chunk, (parsed, reason, digest) in parse(
                source, files, opts, bad, position, start
            ):
                if reason:
                    bad.append((chunk, reason))
                else:
                    good.append(chunk)
                    if not parsed:
                        stats.skipped += 1
                    batch.extend((chunk, record, digest) for record in parsed)
                if len(batch) + len(bad) >= batch_size:
                    _flush(writer, batch, good, bad, stats, run, where)
                    elapsed = time.perf_counter() - started
                    progress.update(
                        task,
                        completed=position.bytes,
                        records=stats.records,
                        rate=stats.records / elapsed,
                    )
            _flush(writer, batch, good, bad, stats, run, (len(files), 0))
            writer.release()
            restore_indexes()  # built once, if the writer deferred them
            elapsed = time.perf_counter() - started
            progress.update(
                task,
                completed=position.bytes,
                records=stats.records,
                rate=stats.records / max(elapsed, 1e-9),
            )
        seconds = time.perf_counter() - started
        resolve_seconds = 0.0
        if resolve:
            # Imported here: the learned model's modules (numpy, 20 MB) are
            # not needed while importing.
            from bzpeer.ingest.resolution import resolve_and_refresh as resolve_authors

            _set_status(run, ImportRun.Status.RESOLVING)
            begun = time.perf_counter()
            resolve_authors(clusterer=clusterer)
            resolve_seconds = time.perf_counter() - begun
    except BaseException as exc:
        # Counts and checkpoint stay as the last committed batch left them.
        with contextlib.suppress(Exception):
            restore_indexes()
        with contextlib.suppress(Exception):
            revision.bump()  # what the committed batches wrote shows
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED,
            log=run.log + f"failed: {type(exc).__name__}: {exc}\n",
            finished_at=timezone.now(),
        )
        raise
    if stats.new or stats.updated:  # an import that changed nothing keeps the cache
        revision.bump()
    run.status = ImportRun.Status.DONE
    run.finished_at = timezone.now()
    run.new, run.updated, run.unchanged = stats.new, stats.updated, stats.unchanged
    run.quarantined, run.skipped = stats.quarantined, stats.skipped
    run.seconds += seconds + resolve_seconds
    run.log += (
        f"{stats.new} new, {stats.updated} updated, {stats.unchanged} unchanged, "
        f"{stats.quarantined} quarantined, {stats.skipped} skipped; "
        f"import {seconds:.1f}s, resolution {resolve_seconds:.1f}s\n"
    )
    run.save()
    return ImportResult(stats, seconds, resolve_seconds, run.pk)


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """Collect garbage rarely while importing.

    An import allocates millions of short-lived, acyclic objects (records,
    tuples, rows); with the default thresholds the collector walks the young
    generation every 700 allocations and the whole heap often, which cost a
    quarter of the writer's time. Objects that exist before the import (Django,
    settings, caches) are frozen out of the collector's walks; parser
    processes forked from here inherit both settings.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


# SQLite page cache while importing, in KiB (the connection's default is 64 MiB).
IMPORT_CACHE_KIB = 16 * 1024


@contextlib.contextmanager
def _small_page_cache() -> Iterator[None]:
    """A smaller SQLite page cache for the import's connection.

    The import fills the 64 MiB cache whatever its size, about a fifth of its
    peak memory; with 16 MiB the listings peak 50 MB lower (304 -> 253 MB)
    for about 3 % more writer CPU: the pages it drops stay in the operating
    system's file cache.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def run_signature(source_name: str, paths: list[str], options: dict[str, str]) -> str:
    text = orjson.dumps([source_name, [os.path.abspath(p) for p in paths], sorted(options.items())])
    return hashlib.sha256(text).hexdigest()


def _alive(run: ImportRun) -> bool:
    """Whether the process that holds a run is still running on this machine."""
    if run.pid is None or run.host != socket.gethostname():
        return False
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return run.pid != os.getpid()


def start_run(source_name: str, paths: list[str], options: dict[str, str]) -> ImportRun:
    """A new ImportRun, or the stopped run of the same input to carry on with."""
    signature = run_signature(source_name, paths, options)
    stopped = (
        ImportRun.objects.filter(
            signature=signature,
            status__in=[
                ImportRun.Status.RUNNING,
                ImportRun.Status.RESOLVING,
                ImportRun.Status.FAILED,
            ],
        )
        .order_by("-id")
        .first()
    )
    if stopped is not None and not _alive(stopped):
        stopped.resumed += 1
        stopped.log += (
            f"resumed at file {stopped.checkpoint_file}, chunk {stopped.checkpoint_chunk}\n"
        )
        run = stopped
    else:
        run = ImportRun(source=source_name, paths=paths, options=options, signature=signature)
    run.finished_at = None
    return _claim(run)


def queue_run(source_name: str, paths: list[str], options: dict[str, str]) -> ImportRun:
    """An ImportRun waiting for a worker."""
    files = [str(p) for p in expand(paths)]
    return ImportRun.objects.create(
        source=source_name,
        paths=files,
        options=options,
        signature=run_signature(source_name, files, options),
    )


def _claim(run: ImportRun) -> ImportRun:
    run.status = ImportRun.Status.RUNNING
    run.pid = os.getpid()
    run.host = socket.gethostname()
    run.started_at = run.started_at or timezone.now()
    run.save()
    return run


def _set_status(run: ImportRun, status: str) -> None:
    run.status = status
    run.save(update_fields=["status"])


def retry_quarantine(source_name: str | None = None) -> tuple[int, int]:
    """Parse quarantined chunks again (after a fix); returns (imported, still bad)."""
    from bzpeer.ingest.resolution import resolve_and_refresh as resolve_authors

    pending = Quarantine.objects.filter(resolved_at__isnull=True).order_by("id")
    if source_name:
        pending = pending.filter(source=source_name)
    writer = Writer()
    stats = Stats()
    fixed = still = 0
    for item in pending:
        source = SOURCES.get(item.source)
        if source is None:
            still += 1
            continue
        chunk = Chunk(
            item.source, item.locator, item.payload, tuple(sorted((item.options or {}).items()))
        )
        parsed, reason, digest = parse_chunk(source, chunk)
        with transaction.atomic():
            lock_catalog()
            if reason:
                Quarantine.objects.filter(pk=item.pk).update(reason=reason, seen_at=timezone.now())
                still += 1
                continue
            writer.write([(chunk, record, digest) for record in parsed], stats)
            Quarantine.objects.filter(pk=item.pk).update(resolved_at=timezone.now())
            fixed += 1
    if fixed:
        resolve_authors()
    return fixed, still
