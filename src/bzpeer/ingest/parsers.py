"""Reading and parsing an import's input: files -> chunks -> outcomes, in input order.

``parse_input`` parses a small input in the importing process. A larger one
(more than one window) is parsed by parser processes (``_Parsers``) while
the importing process writes: each reads and splits the whole input itself
and parses every n-th window; the importing process takes the windows back in
turn through plain pipes, so outcomes arrive in input order and the
checkpoint counts chunks exactly as a single process would.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Generator, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from django.conf import settings

from .files import CountingReader, open_streams
from .records import Chunk, Parsed, RecordError
from .rows import WorkRow, check_fits, compact_all, payload_hash
from .sources import Source

Outcome = tuple[list[Parsed | WorkRow], str | None, str]


def parse_chunk(source: Source, chunk: Chunk) -> Outcome:
    """(parsed records, None, payload hash), or ([], the reason the chunk cannot
    be imported, ""). Runs in the parser processes, hash included; works come
    in the writer's form (``rows.compact``), also built there."""
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


class Position:
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
    """Parser processes: settings.BZPEER_IMPORT_WORKERS (one per core, at most 4,
    unless the environment variable says otherwise)."""
    return settings.BZPEER_IMPORT_WORKERS


# (index of the file, chunks of that file up to and including this one)
Where = tuple[int, int]


def all_chunks(
    source: Source,
    files: list[Path],
    opts: tuple[tuple[str, str], ...],
    bad: list[tuple[Chunk, str]],
    position: Position,
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


# ``parse_input``'s shape: a cluster's (``bzpeer.cluster``) stands in for it.
ParseInput = Callable[
    [
        Source,
        list[Path],
        tuple[tuple[str, str], ...],
        list[tuple[Chunk, str]],
        Position,
        tuple[int, int],
    ],
    Iterator[tuple[tuple[int, int], Chunk, Outcome]],
]


def parse_input(
    source: Source,
    files: list[Path],
    opts: tuple[tuple[str, str], ...],
    bad: list[tuple[Chunk, str]],
    position: Position,
    start: Where,
) -> Iterator[tuple[Where, Chunk, Outcome]]:
    """(position, chunk, outcome) in input order.

    Large inputs are read and parsed by parser processes while this process
    writes (``_Parsers``); a small one is parsed here.
    """
    workers = import_workers()
    known = len(bad)
    chunks = all_chunks(source, files, opts, bad, position, start)
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
        self, bad: list[tuple[Chunk, str]], position: Position
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
        position = Position()
        chunks = all_chunks(source, files, opts, bad, position, start)
        for number in itertools.count():
            window = list(itertools.islice(chunks, WINDOW))
            if number % workers == index:
                # A file that cannot be read is reported by the parser of the
                # window being read when it failed: every parser meets it there.
                unreadable = [(chunk_fields(chunk), reason) for chunk, reason in bad]
                outbox.put(
                    pickle.dumps(
                        (
                            "window",
                            (
                                [(where, chunk_fields(chunk)) for where, chunk in window],
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


def chunk_fields(chunk: Chunk) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
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
