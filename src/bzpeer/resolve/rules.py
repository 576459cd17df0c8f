"""The first stage of author resolution: clusters from the rules alone.

Mentions that share a source person id, an ORCID iD or an author record are
joined unchecked; mentions on one work, or sharing a co-author with the same
full name, are joined when their names agree (``UnionFind``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from itertools import chain
from typing import TypeVar

from bzpeer.resolve.mentions import MentionRecord
from bzpeer.resolve.unionfind import UnionFind

_Key = TypeVar("_Key", bound=Hashable)


def rule_clusters(mentions: list[MentionRecord]) -> UnionFind:
    """The first stage: hard evidence, same work, a co-author with the same full name."""
    uf = UnionFind(mentions)
    hard: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.person_key:
            hard["p" + m.person_key].append(i)
        if m.orcid:
            hard["o" + m.orcid].append(i)
        if m.author_id:
            hard[f"a{m.author_id}"].append(i)
    for members in hard.values():
        for j in members[1:]:
            uf.union(members[0], j, checked=False)
    _union_buckets(uf, _shared([{m.work_id} for m in mentions]))
    # Counted once: the learned stage weighs shared co-authors by it.
    uf.coauthor_df = Counter(chain.from_iterable(m.coauthors for m in mentions))
    _union_buckets(uf, _shared([m.coauthors for m in mentions], uf.coauthor_df))
    return uf


def _shared(
    keys_per_mention: list[set[_Key]], counts: Counter[_Key] | None = None
) -> list[list[int]]:
    """The mentions of each key that at least two mentions have.

    In the order the keys first appear, a mention's own keys in sorted order:
    set order varies between processes, and the clusters must not. Sorting
    the few shared keys, not every mention's co-authors, is a fifth of the
    rules' time less on the arXiv listings. Keys are counted first, so the
    many held by one mention alone (most co-authors) cost no list.
    """
    if counts is None:
        counts = Counter(chain.from_iterable(keys_per_mention))
    common = {key for key, n in counts.items() if n > 1}
    buckets: dict[_Key, list[int]] = defaultdict(list)
    for i, keys in enumerate(keys_per_mention):
        for key in keys & common:
            buckets[key].append(i)
    shared = [(members[0], key, members) for key, members in buckets.items()]
    shared.sort(key=lambda item: item[:2])
    return [members for _, _, members in shared]


def _union_buckets(uf: UnionFind, buckets: list[list[int]]) -> None:
    for members in buckets:
        if len(members) == 2:  # most buckets: the one union the loop below would try
            uf.union(members[0], members[1], checked=True)
            continue
        # Clusters, not mentions: most members already share one.
        clusters = list(dict.fromkeys(uf.find(i) for i in members))
        roots: list[int] = []
        for cluster in clusters:
            for k, root in enumerate(roots):
                current = uf.find(root)
                if current == uf.find(cluster) or uf.union(current, cluster, checked=True):
                    roots[k] = uf.find(current)
                    break
            else:
                roots.append(cluster)
