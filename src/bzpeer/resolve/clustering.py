"""The clusters of name blocks: the rules, then the learned merges, in this
process or shared with forked workers."""

from __future__ import annotations

import gc
import multiprocessing
import sys
from collections import defaultdict
from multiprocessing.connection import Connection

from django.conf import settings
from threadpoolctl import threadpool_limits

from bzpeer.resolve.mentions import MentionRecord
from bzpeer.resolve.merging import merge_blocks
from bzpeer.resolve.rules import rule_clusters
from bzpeer.resolve.scoring import Classifier

# Mentions in one call from which other processes share the blocks: about a
# quarter of a second of work, against a few milliseconds to fork. (It was
# 20,000, about a group's size: half the listings' groups ran in one process.)
PARALLEL_FROM = 2_000


def cluster_block(
    mentions: list[MentionRecord], model: Classifier | None = None
) -> list[list[MentionRecord]]:
    """The clusters of one name block: a pure function, no database.

    ``author_id`` marks mentions already on a record (kept together, never two
    records merged); ``coauthors`` holds the full names of the other authors
    on each mention's work. The rules make the first clusters; ``model``, when
    given, merges those it scores as one person (``merging.merge_blocks``).
    """
    return cluster_blocks([mentions], model)[0]


def cluster_blocks(
    blocks: list[list[MentionRecord]],
    model: Classifier | None = None,
    workers: int | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> list[list[list[MentionRecord]]]:
    """``cluster_block`` for many blocks, the learned merges scored together.

    With a model and at least ``parallel_from`` mentions, ``workers``
    processes (``BZPEER_RESOLVE_WORKERS``, default the machine's cores, at
    most 4) share the blocks: this process clusters one share, processes
    forked for the call the others. A fork sees the records and the model
    without copying them (pickling them cost as much as clustering) and
    sends back positions in each block.

    The records are frozen out of the cyclic garbage collector for the call:
    they outlive it, and collections that walked them again and again took
    half the time of the rules on the arXiv listings (and, in a fork, would
    copy every page they touch).
    """
    gc.freeze()
    try:
        return _cluster_blocks(blocks, model, workers, parallel_from)
    finally:
        gc.unfreeze()


def _cluster_blocks(
    blocks: list[list[MentionRecord]],
    model: Classifier | None,
    workers: int | None,
    parallel_from: int,
) -> list[list[list[MentionRecord]]]:
    workers = resolve_workers() if workers is None else workers
    if model is None or workers < 2 or sum(map(len, blocks)) < parallel_from:
        found = cluster_positions(blocks, model)
    else:
        shares = shares_of(blocks, workers)
        context = multiprocessing.get_context("fork")
        sys.stdout.flush()  # or a fork would print what is buffered again when it ends
        sys.stderr.flush()
        forks = []
        for share in shares[1:]:
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(
                target=_cluster_share, args=(writer, [blocks[i] for i in share], model)
            )
            process.start()
            writer.close()
            forks.append((share, reader, process))
        found = [[] for _ in blocks]
        for i, clusters in zip(
            shares[0], cluster_positions([blocks[i] for i in shares[0]], model), strict=True
        ):
            found[i] = clusters
        for share, reader, process in forks:
            try:
                part = reader.recv()
            except EOFError:  # the fork died: do its share here
                part = cluster_positions([blocks[i] for i in share], model)
            process.join()
            for i, clusters in zip(share, part, strict=True):
                found[i] = clusters
    return [
        [[mentions[j] for j in cluster] for cluster in clusters]
        for mentions, clusters in zip(blocks, found, strict=True)
    ]


def _cluster_share(
    writer: Connection, blocks: list[list[MentionRecord]], model: Classifier | None
) -> None:
    """In a forked process: cluster a share of the blocks, send the positions back."""
    writer.send(cluster_positions(blocks, model))
    writer.close()


def resolve_workers() -> int:
    """Processes that share the learned stage (``BZPEER_RESOLVE_WORKERS``, read by settings)."""
    return int(settings.BZPEER_RESOLVE_WORKERS)


def shares_of(blocks: list[list[MentionRecord]], n: int) -> list[list[int]]:
    """Block positions in ``n`` shares of about equal mentions, largest blocks first."""
    shares: list[list[int]] = [[] for _ in range(n)]
    loads = [0] * n
    for i in sorted(range(len(blocks)), key=lambda i: -len(blocks[i])):
        least = loads.index(min(loads))
        shares[least].append(i)
        loads[least] += len(blocks[i])
    return [sorted(share) for share in shares]


def cluster_positions(
    blocks: list[list[MentionRecord]], model: Classifier | None
) -> list[list[list[int]]]:
    """Each block's clusters as positions in the block."""
    states = [(mentions, rule_clusters(mentions)) for mentions in blocks]
    if model is not None:
        # One BLAS thread: the matrices are small, and two processes with two
        # threads each ran 40 % slower than one thread each.
        with threadpool_limits(limits=1):
            merge_blocks(states, model)
    result = []
    for mentions, uf in states:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(mentions)):
            out[uf.find(i)].append(i)
        result.append(list(out.values()))
    return result
