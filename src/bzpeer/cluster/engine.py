"""The cluster engine: connecting, and the tasks that parse and cluster
(see the package's docstring)."""

from __future__ import annotations

import itertools
import pickle
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Nothing of ingest or resolve is imported at the top: the scheduler
# unpickles the tasks (this module's functions and their plain arguments)
# without Django, and those modules need its apps loaded.
if TYPE_CHECKING:
    from distributed import Client

    from bzpeer.enrich.assign import Batch, Placements
    from bzpeer.enrich.classify import Classifier as TopicModel
    from bzpeer.enrich.classify import Thresholds
    from bzpeer.ingest.parsers import Outcome, Position
    from bzpeer.ingest.records import Chunk
    from bzpeer.ingest.sources import Source
    from bzpeer.resolve.mentions import MentionRecord
    from bzpeer.resolve.scoring import Classifier

WINDOW = 250  # chunks a task: a window of OpenAlex works is a few MB on the wire
AHEAD = 3  # windows in flight per worker thread


class ClusterError(Exception):
    """The cluster cannot be used: the extra is not installed, or no scheduler answers."""


def connect(address: str) -> Client:
    """A client of the scheduler at ``address``, every worker set up for Django."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ClusterError(
            "the cluster engine is an optional extra: pip install -e '.[cluster]'"
        ) from exc
    try:
        client = Client(address, timeout="10s")
    except OSError as exc:
        raise ClusterError(f"no Dask scheduler answers at {address}: {exc}") from exc
    from bzpeer.cluster.worker import DjangoSetup

    client.register_plugin(DjangoSetup(), name="bzpeer-django")
    return client


@contextmanager
def stand_ins(address: str, topics: bool = False) -> Iterator[dict[str, Any]]:
    """``run_import``'s ``parse`` and ``clusterer`` on the cluster at
    ``address`` (with ``topics``: ``enrich``'s ``placer`` instead), the client
    closed after; nothing without an address."""
    if not address:
        yield {}
        return
    client = connect(address)
    try:
        if topics:
            yield {"placer": place_on(client)}
        else:
            yield {"parse": parse_on(client), "clusterer": cluster_on(client)}
    finally:
        client.close()


def _threads(client: Client) -> int:
    return max(1, sum(client.nthreads().values()))


# --- parsing ---------------------------------------------------------------


def parse_on(client: Client) -> Any:
    """``parsers.parse_input`` with the parsing done by the cluster's workers."""

    def parse_input(
        source: Source,
        files: list[Path],
        opts: tuple[tuple[str, str], ...],
        bad: list[tuple[Chunk, str]],
        position: Position,
        start: tuple[int, int],
    ) -> Iterator[tuple[tuple[int, int], Chunk, Outcome]]:
        from bzpeer.ingest.parsers import all_chunks, chunk_fields

        chunks = all_chunks(source, files, opts, bad, position, start)
        limit = AHEAD * _threads(client)
        pending: deque[tuple[list[tuple[tuple[int, int], Chunk]], Any]] = deque()
        while True:
            window = list(itertools.islice(chunks, WINDOW))
            if window:
                fields = [chunk_fields(chunk) for _, chunk in window]
                task = client.submit(parse_window, source.name, fields, pure=False)
                pending.append((window, task))
            while pending and (len(pending) >= limit or not window):
                done, future = pending.popleft()
                for (where, chunk), outcome in zip(done, future.result(), strict=True):
                    yield where, chunk, outcome
            if not window:
                return

    return parse_input


def parse_window(
    source_name: str, fields: list[tuple[str, str, str, tuple[tuple[str, str], ...]]]
) -> list[Outcome]:
    """On a worker: ``parse_chunk`` for each chunk of a window."""
    from bzpeer.ingest.parsers import parse_chunk
    from bzpeer.ingest.records import Chunk
    from bzpeer.ingest.sources import SOURCES

    source = SOURCES[source_name]
    return [parse_chunk(source, Chunk(*chunk)) for chunk in fields]


# --- clustering --------------------------------------------------------------


def cluster_on(client: Client) -> Any:
    """``clustering.cluster_blocks`` with the blocks shared out over the workers."""
    from bzpeer.resolve.clustering import shares_of

    def cluster_blocks(
        blocks: list[list[MentionRecord]], model: Classifier | None
    ) -> list[list[list[MentionRecord]]]:
        if not blocks:
            return []
        shares = [s for s in shares_of(blocks, _threads(client)) if s]
        shipped = client.scatter(model, broadcast=True) if model is not None else None
        # Pickled here, the records travel as bytes, scattered to the workers
        # directly: inside the task graph a share (about 18 MB at a million
        # works) passed through the scheduler, which warned of each one.
        payloads = client.scatter(
            [
                pickle.dumps([blocks[i] for i in share], protocol=pickle.HIGHEST_PROTOCOL)
                for share in shares
            ]
        )
        futures = [
            client.submit(cluster_share, payload, shipped, pure=False) for payload in payloads
        ]
        found: list[list[list[int]]] = [[] for _ in blocks]
        for share, future in zip(shares, futures, strict=True):
            for i, clusters in zip(share, future.result(), strict=True):
                found[i] = clusters
        return [
            [[mentions[j] for j in cluster] for cluster in clusters]
            for mentions, clusters in zip(blocks, found, strict=True)
        ]

    return cluster_blocks


def cluster_share(blocks: bytes, model: Classifier | None) -> list[list[list[int]]]:
    """On a worker: each block's clusters as positions in the block."""
    from bzpeer.resolve.clustering import cluster_positions

    return cluster_positions(pickle.loads(blocks), model)


# --- topic placement ------------------------------------------------------------


def place_on(client: Client) -> Any:
    """``assign.place_here`` with the batches of works placed by the workers."""

    def place(
        batches: Iterator[Batch], model: TopicModel | None, limits: Thresholds
    ) -> Iterator[Placements]:
        shipped = client.scatter(model, broadcast=True) if model is not None else None
        limit = AHEAD * _threads(client)
        pending: deque[Any] = deque()
        for batch in batches:
            pending.append(client.submit(place_batch, batch, shipped, limits, pure=False))
            while len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    return place


def place_batch(batch: Batch, model: TopicModel | None, limits: Thresholds) -> Placements:
    """On a worker: ``assign.placements`` of one batch."""
    from bzpeer.enrich.assign import placements

    return placements(batch, model, limits)
