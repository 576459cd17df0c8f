"""Run an import: files -> chunks -> parsed records -> catalog, with quarantine.

Every chunk either lands (new, updated, unchanged) or goes to quarantine with
its reason and raw text; nothing is dropped silently. Batches commit one at a
time, so an interrupted import keeps what it wrote and a re-run adds the rest.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import multiprocessing
import os
import pickle
import queue
import socket
import threading
import time
import traceback
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import orjson
from django.db import connection, transaction
from django.utils import timezone
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from bzpeer.catalog.bulk import lock_catalog, restore_indexes
from bzpeer.catalog.models import Quarantine

from .files import CountingReader, expand, open_streams, total_size
from .models import ImportRun
from .records import Chunk, Parsed, RecordError
from .sources import SOURCES, Source
from .writer import Stats, WorkRow, Writer, check_fits, compact_all, payload_hash


def _batch_size() -> int:
    # 2,500: the parse windows in flight (AHEAD x WINDOW records) then cover
    # a whole batch, so the parsers keep working while the writer commits
    # (writer busy 80 -> 86 % of the listings' import), and the writer's heap
    # peaks lower (1M synthetic works: 343 -> 310 MB with 5,000 -> 2,500).
    value = os.environ.get("BZPEER_IMPORT_BATCH", "2500")
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"BZPEER_IMPORT_BATCH must be a positive integer, not {value!r}")
    return int(value)


BATCH = _batch_size()  # records per transaction (and per checkpoint)


@dataclass(frozen=True)
class ImportResult:
    stats: Stats
    seconds: float
    resolve_seconds: float = 0.0
    run_id: int | None = None


Outcome = tuple[list[Parsed | WorkRow], str | None, str]


def parse_chunk(source: Source, chunk: Chunk) -> Outcome:
    """(parsed records, None, payload hash), or ([], the reason the chunk cannot
    be imported, ""). Runs in the parser processes, hash included; works come
    in the writer's form (``writer.compact``), also built there."""
    try:
        records = source.parse(chunk)
        check_fits(records)
        return compact_all(records), None, payload_hash(chunk)
    except RecordError as exc:
        return [], str(exc), ""
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OverflowError,  # a number too large for a date or a column
        RecursionError,  # JSON nested a thousand deep
    ) as exc:
        # A shape the parser did not expect: keep it for a later fix and retry.
        return [], f"unexpected record shape: {type(exc).__name__}: {exc}"[:2000], ""


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
        if good:
            Quarantine.objects.filter(
                source=good[0].source,
                locator__in=[c.locator[:500] for c in good],
                resolved_at__isnull=True,
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
) -> ImportResult:
    """Import files of one source; then resolve authors of the new mentions.

    The run is recorded as an ImportRun. An earlier run of the same input that
    stopped part-way (killed, crashed) is resumed from its checkpoint instead
    of starting over.
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
    try:
        with progress, _few_collections(), _small_page_cache():
            task = progress.add_task("import", total=total_size(files), records=0, rate=0.0)
            position = _Position()
            for where, chunk, (parsed, reason, digest) in _parsed(
                source, files, opts, bad, position, start
            ):
                if reason:
                    bad.append((chunk, reason))
                else:
                    good.append(chunk)
                    if not parsed:
                        stats.skipped += 1
                    batch.extend((chunk, record, digest) for record in parsed)
                if len(batch) + len(bad) >= BATCH:
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
            from bzpeer.resolve.authors import resolve_authors

            _set_status(run, ImportRun.Status.RESOLVING)
            begun = time.perf_counter()
            resolve_authors()
            resolve_seconds = time.perf_counter() - begun
    except BaseException as exc:
        # Counts and checkpoint stay as the last committed batch left them.
        with contextlib.suppress(Exception):
            restore_indexes()
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED,
            log=run.log + f"failed: {type(exc).__name__}: {exc}\n",
            finished_at=timezone.now(),
        )
        raise
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


class _Position:
    """Bytes of input consumed so far, for the progress bar."""

    def __init__(self) -> None:
        self.bytes = 0


WINDOW = 1000  # chunks parsed per task when parsing in parallel
AHEAD = 2  # windows each parser keeps ready: enough to go on while a batch is written
# The writer sets the pace: when it and two parsers compete for two cores, it
# should have one. Nice 10 for the parsers: listings 5,800 -> 6,290 records/s
# (two alternated pairs; the writer then waits 2.7 s for windows instead of 0.7).
PARSER_NICENESS = 10


def import_workers() -> int:
    """Parser processes: BZPEER_IMPORT_WORKERS, else one per core (at most 4)."""
    value = os.environ.get("BZPEER_IMPORT_WORKERS")
    if value is not None:
        if not value.isdigit():
            raise ValueError(f"BZPEER_IMPORT_WORKERS must be a whole number, not {value!r}")
        return int(value)
    return min(os.cpu_count() or 1, 4)


# (index of the file, chunks of that file up to and including this one)
Where = tuple[int, int]


def _all_chunks(
    source: Source,
    files: list[Path],
    opts: tuple[tuple[str, str], ...],
    bad: list[tuple[Chunk, str]],
    position: _Position,
    start: Where,
) -> Generator[tuple[Where, Chunk], None, None]:
    """Every chunk with its position; chunks before ``start`` are passed over."""
    done = 0
    for index, path in enumerate(files):
        if index < start[0]:
            done += os.path.getsize(path)
            position.bytes = done
            continue
        skip = start[1] if index == start[0] else 0
        with open(path, "rb") as raw:
            counter = CountingReader(raw)
            for number, chunk in enumerate(_chunks(source, path, counter, opts, bad), start=1):
                position.bytes = done + counter.count
                if number > skip:
                    yield (index, number), chunk
            done += counter.count
            position.bytes = done


def _parsed(
    source: Source,
    files: list[Path],
    opts: tuple[tuple[str, str], ...],
    bad: list[tuple[Chunk, str]],
    position: _Position,
    start: Where,
) -> Iterator[tuple[Where, Chunk, Outcome]]:
    """(position, chunk, outcome) in input order.

    Large inputs are read and parsed by parser processes while this process
    writes (``_Parsers``); a small one is parsed here.
    """
    workers = import_workers()
    known = len(bad)
    chunks = _all_chunks(source, files, opts, bad, position, start)
    first = list(itertools.islice(chunks, WINDOW))
    if workers < 1 or len(first) < WINDOW:
        for where, chunk in itertools.chain(first, chunks):
            yield where, chunk, parse_chunk(source, chunk)
        return
    chunks.close()  # its file too: the parsers read the input again
    del bad[known:]  # and report what cannot be read
    with _Parsers(source, files, opts, start, workers) as parsers:
        yield from parsers.outcomes(bad, position)


class _Parsers:
    """Parser processes that read the input themselves.

    Each one reads and splits the whole input, as this process would, and
    parses every ``workers``-th window of ``WINDOW`` chunks; this process takes
    the windows back in turn, so outcomes come in input order. The writer's
    process then neither splits the input nor sends chunks out: splitting
    costs each parser a little (it splits what others parse), and the writer,
    which sets the pace, is spared that work, the chunks' pickling and a pool's
    threads competing for its lock.
    """

    def __init__(
        self,
        source: Source,
        files: list[Path],
        opts: tuple[tuple[str, str], ...],
        start: Where,
        workers: int,
    ) -> None:
        context = multiprocessing.get_context("fork")
        self.connections: list[Connection] = []
        self.processes: list[BaseProcess] = []
        for index in range(workers):
            receiving, sending = context.Pipe(duplex=False)
            # The child closes the read ends it inherits: if this process is
            # killed, its pipe then has no reader, and sending to it fails.
            readers = [*self.connections, receiving]
            process = context.Process(
                target=_parse_windows,
                args=(sending, readers, source, files, opts, start, index, workers),
                daemon=True,
            )
            process.start()
            sending.close()
            self.connections.append(receiving)
            self.processes.append(process)

    def __enter__(self) -> _Parsers:
        return self

    def __exit__(self, *exc: object) -> None:
        for connection_ in self.connections:
            connection_.close()
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()

    def outcomes(
        self, bad: list[tuple[Chunk, str]], position: _Position
    ) -> Iterator[tuple[Where, Chunk, Outcome]]:
        for number in itertools.count():
            try:
                message = self.connections[number % len(self.connections)].recv_bytes()
            except EOFError as exc:
                raise RuntimeError("a parser process stopped before the end") from exc
            kind, payload = pickle.loads(message)
            if kind == "end":
                return
            if kind == "error":
                raise RuntimeError(f"a parser process failed:\n{payload}")
            window, outcomes, unreadable, consumed = payload
            bad.extend((Chunk(*fields), reason) for fields, reason in unreadable)
            position.bytes = consumed
            for (where, fields), outcome in zip(window, outcomes, strict=True):
                yield where, Chunk(*fields), outcome


def _parse_windows(
    connection_: Connection,
    readers: list[Connection],
    source: Source,
    files: list[Path],
    opts: tuple[tuple[str, str], ...],
    start: Where,
    index: int,
    workers: int,
) -> None:
    """A parser process: read the input, parse windows ``index``, ``index +
    workers``, ... and send them; then "end". A thread sends while the next
    window is parsed, a few windows ahead at most."""
    for reader in readers:
        reader.close()
    with contextlib.suppress(OSError):
        os.nice(PARSER_NICENESS)
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)

    def send() -> None:
        try:
            while (blob := outbox.get()) is not None:
                connection_.send_bytes(blob)
        except OSError:  # the writer is gone (killed): nobody will read the rest
            os._exit(1)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        bad: list[tuple[Chunk, str]] = []
        position = _Position()
        chunks = _all_chunks(source, files, opts, bad, position, start)
        for number in itertools.count():
            window = list(itertools.islice(chunks, WINDOW))
            if number % workers == index:
                # A file that cannot be read is reported by the parser of the
                # window being read when it failed: every parser meets it there.
                unreadable = [(_fields(chunk), reason) for chunk, reason in bad]
                outbox.put(
                    pickle.dumps(
                        (
                            "window",
                            (
                                [(where, _fields(chunk)) for where, chunk in window],
                                [parse_chunk(source, chunk) for _, chunk in window],
                                unreadable,
                                position.bytes,
                            ),
                        ),
                        protocol=pickle.HIGHEST_PROTOCOL,
                    )
                )
            bad.clear()
            if len(window) < WINDOW:
                break
        outbox.put(pickle.dumps(("end", None)))
    except BaseException:
        outbox.put(pickle.dumps(("error", traceback.format_exc())))
    outbox.put(None)
    sender.join()


def _fields(chunk: Chunk) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    """A chunk as plain values: they pickle in a fraction of a dataclass's time."""
    return chunk.source, chunk.locator, chunk.text, chunk.options


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
