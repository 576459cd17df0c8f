"""Run an import: files -> chunks -> parsed records -> catalog, with quarantine.

Every chunk either lands (new, updated, unchanged) or goes to quarantine with
its reason and raw text; nothing is dropped silently. Batches commit one at a
time, so an interrupted import keeps what it wrote and a re-run adds the rest.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from bzpeer.catalog.models import Quarantine

from .files import CountingReader, expand, open_streams, total_size
from .records import Chunk, Parsed, RecordError
from .sources import SOURCES, Source
from .writer import Stats, Writer

BATCH = 2000


@dataclass(frozen=True)
class ImportResult:
    stats: Stats
    seconds: float
    resolve_seconds: float = 0.0


def parse_chunk(source: Source, chunk: Chunk) -> tuple[list[Parsed], str | None]:
    """Parsed records, or the reason the chunk cannot be imported."""
    try:
        return source.parse(chunk), None
    except RecordError as exc:
        return [], str(exc)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        # A shape the parser did not expect: keep it for a later fix and retry.
        return [], f"unexpected record shape: {type(exc).__name__}: {exc}"


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
    batch: list[tuple[Chunk, Parsed]],
    good: list[Chunk],
    bad: list[tuple[Chunk, str]],
    stats: Stats,
) -> None:
    with transaction.atomic():
        writer.write(batch, stats)
        for chunk, reason in bad:
            _quarantine(chunk, reason)
        if good:
            Quarantine.objects.filter(
                source=good[0].source,
                locator__in=[c.locator[:500] for c in good],
                resolved_at__isnull=True,
            ).update(resolved_at=timezone.now())
    stats.quarantined += len(bad)
    batch.clear()
    good.clear()
    bad.clear()


def run_import(
    source_name: str,
    paths: list[str],
    options: dict[str, str] | None = None,
    show_progress: bool = True,
    resolve: bool = True,
) -> ImportResult:
    """Import files of one source; then resolve authors of the new mentions."""
    import time

    from bzpeer.resolve.authors import resolve_authors

    source = SOURCES[source_name]
    opts = tuple(sorted((options or {}).items()))
    files = expand(paths)
    stats = Stats()
    writer = Writer()
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
    batch: list[tuple[Chunk, Parsed]] = []
    good: list[Chunk] = []
    bad: list[tuple[Chunk, str]] = []
    with progress:
        task = progress.add_task("import", total=total_size(files), records=0, rate=0.0)
        position = _Position()
        for chunk, parsed, reason in _parsed(source, files, opts, bad, position):
            if reason:
                bad.append((chunk, reason))
            else:
                good.append(chunk)
                if not parsed:
                    stats.skipped += 1
                batch.extend((chunk, record) for record in parsed)
            if len(batch) + len(bad) >= BATCH:
                _flush(writer, batch, good, bad, stats)
                elapsed = time.perf_counter() - started
                progress.update(
                    task,
                    completed=position.bytes,
                    records=stats.records,
                    rate=stats.records / elapsed,
                )
        _flush(writer, batch, good, bad, stats)
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
        begun = time.perf_counter()
        resolve_authors()
        resolve_seconds = time.perf_counter() - begun
    return ImportResult(stats, seconds, resolve_seconds)


class _Position:
    """Bytes of input consumed so far, for the progress bar."""

    def __init__(self) -> None:
        self.bytes = 0


WINDOW = 1000  # chunks parsed per task when parsing in parallel
AHEAD = 8  # windows in flight: enough to keep parsers busy while a batch is written


def import_workers() -> int:
    """Parser processes: BZPEER_IMPORT_WORKERS, else one per core (at most 4)."""
    value = os.environ.get("BZPEER_IMPORT_WORKERS")
    if value is not None:
        if not value.isdigit():
            raise ValueError(f"BZPEER_IMPORT_WORKERS must be a whole number, not {value!r}")
        return int(value)
    return min(os.cpu_count() or 1, 4)


def _parse_window(task: tuple[str, list[Chunk]]) -> list[tuple[list[Parsed], str | None]]:
    name, window = task
    source = SOURCES[name]
    return [parse_chunk(source, chunk) for chunk in window]


def _all_chunks(
    source: Source,
    files: list[Path],
    opts: tuple[tuple[str, str], ...],
    bad: list[tuple[Chunk, str]],
    position: _Position,
) -> Iterator[Chunk]:
    done = 0
    for path in files:
        with open(path, "rb") as raw:
            counter = CountingReader(raw)
            for chunk in _chunks(source, path, counter, opts, bad):
                position.bytes = done + counter.count
                yield chunk
            done += counter.count
            position.bytes = done


def _parsed(
    source: Source,
    files: list[Path],
    opts: tuple[tuple[str, str], ...],
    bad: list[tuple[Chunk, str]],
    position: _Position,
) -> Iterator[tuple[Chunk, list[Parsed], str | None]]:
    """(chunk, records, reason) in input order.

    Large inputs are parsed by a pool of processes, a window of chunks per task,
    while this process writes; at most a few windows are in flight, so memory
    stays flat however large the input.
    """
    chunks = _all_chunks(source, files, opts, bad, position)
    workers = import_workers()
    first = list(itertools.islice(chunks, WINDOW))
    if workers < 1 or len(first) < WINDOW:
        for chunk in itertools.chain(first, chunks):
            parsed, reason = parse_chunk(source, chunk)
            yield chunk, parsed, reason
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        pending: deque[tuple[list[Chunk], AsyncResult[list[tuple[list[Parsed], str | None]]]]]
        pending = deque()
        window = first
        while window:
            pending.append((window, pool.apply_async(_parse_window, ((source.name, window),))))
            if len(pending) > AHEAD:
                yield from _drain(pending.popleft())
            window = list(itertools.islice(chunks, WINDOW))
        while pending:
            yield from _drain(pending.popleft())


def _drain(
    item: tuple[list[Chunk], AsyncResult[list[tuple[list[Parsed], str | None]]]],
) -> Iterator[tuple[Chunk, list[Parsed], str | None]]:
    window, result = item
    for chunk, (parsed, reason) in zip(window, result.get(), strict=True):
        yield chunk, parsed, reason


def _chunks(
    source: Source,
    path: object,
    counter: CountingReader,
    opts: tuple[tuple[str, str], ...],
    bad: list[tuple[Chunk, str]],
) -> Iterator[Chunk]:
    """Chunks of every stream in a file; a file that cannot be opened is quarantined."""
    try:
        for label, stream in open_streams(path, counter):  # type: ignore[arg-type]
            yield from source.chunks(label, stream, opts)
    except (OSError, EOFError, ValueError) as exc:
        with contextlib.suppress(Exception):
            counter.raw.seek(0)
        raw = counter.raw.read(1 << 20).decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
        bad.append((Chunk(source.name, str(path), raw, opts), f"unreadable file: {exc}"))


def retry_quarantine(source_name: str | None = None) -> tuple[int, int]:
    """Parse quarantined chunks again (after a fix); returns (imported, still bad)."""
    from bzpeer.resolve.authors import resolve_authors

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
        parsed, reason = parse_chunk(source, chunk)
        with transaction.atomic():
            if reason:
                Quarantine.objects.filter(pk=item.pk).update(reason=reason, seen_at=timezone.now())
                still += 1
                continue
            writer.write([(chunk, record) for record in parsed], stats)
            Quarantine.objects.filter(pk=item.pk).update(resolved_at=timezone.now())
            fixed += 1
    if fixed:
        resolve_authors()
    return fixed, still
