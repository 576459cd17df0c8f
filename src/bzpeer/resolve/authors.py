"""First-pass author resolution: mentions -> author records.

Rules, in order of strength:

1. Hard evidence: mentions sharing a source person id (ORCID, OpenAlex author
   id, the owner of a publication list) are one person.
2. Within one work (across its versions), mentions with compatible names are
   one person: versions of a paper name the same people.
3. Within a name block (surname + first initial), mentions with compatible
   names that share a co-author are one person.

A cluster never joins two given names that disagree (``Tianlong`` and
``Tao``), two ORCIDs, or two existing author records. Existing assignments are
kept: new mentions join the record their cluster already has. This module is
the one place a later, learned disambiguation replaces.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from multiprocessing.connection import Connection
from typing import TypeVar

import orjson
from django.db import connection, transaction

from bzpeer.catalog.bulk import allocate_ids, insert_rows, lock_catalog
from bzpeer.catalog.models import Affiliation, Author, AuthorshipMention, Work
from bzpeer.catalog.names import (
    PersonName,
    fullness,
    name_slug,
    parse_name_cached,
)
from bzpeer.resolve.corrections import Constraints, load_constraints
from bzpeer.resolve.learned import Classifier, merge_blocks, use_compiled

# Name blocks loaded, clustered and written together (about 85,000 mentions
# on the arXiv listings). Each group forks the learned stage's workers once,
# and a fork pays a copy-on-write fault for every inherited page it writes,
# heap pages it allocates into included: with 2,000 blocks a group the two
# processes took 5.1 million faults and 19 s of system time on the listings,
# with 8,000 3.5 million and 10 s (and scoring batches grew).
GROUP_BLOCKS = 8000
_Key = TypeVar("_Key", bound=Hashable)
# Mentions in one call from which other processes share the blocks: about a
# quarter of a second of work, against a few milliseconds to fork. (It was
# 20,000, about a group's size: half the listings' groups ran in one process.)
PARALLEL_FROM = 2_000


@dataclass(slots=True)
class MentionRecord:
    """One authorship as resolution sees it."""

    id: int
    work_id: int
    raw_name: str
    orcid: str
    person_key: str
    author_id: int | None
    name: PersonName
    stored: bool = False
    coauthors: set[str] = field(default_factory=set)  # full_key of the other authors
    forbidden: frozenset[int] = frozenset()  # records a correction keeps it off
    coauthor_keys: set[str] = field(default_factory=set)  # their block keys
    title: str = ""
    venue: str = ""
    affiliation: str = ""
    year: int | None = None


def full_key(name: PersonName) -> str:
    """Surname and every given name as written: ``wang_jasontsongli``, ``wang_jtl``."""
    return f"{name.surname}_{''.join(name.given).replace('-', '')}"


@dataclass
class ResolveStats:
    assigned: int = 0
    authors_created: int = 0
    touched_authors: set[int] = field(default_factory=set)


def _signature(given: tuple[str, ...]) -> tuple[dict[int, set[str]], tuple[str, ...]]:
    """Full given names by position, and the initials they spell.

    ``Jing-Fei`` -> ({0: {jingfei}}, (j, f)); ``Mark A.`` -> ({0: {mark}}, (m, a)).
    """
    full = {i: {g.replace("-", "")} for i, g in enumerate(given) if len(g) > 1}
    initials = tuple(part[0] for g in given for part in g.split("-") if part)
    return full, initials


class _Clusters:
    """Union-find with per-cluster constraints.

    A cluster keeps every full given name it holds, not just one: joining
    ``Juan`` and ``Jing-Fei`` through an ambiguous ``J.-F.`` is refused
    whatever order the unions come in.
    """

    def __init__(self, mentions: list[MentionRecord]) -> None:
        self.parent = list(range(len(mentions)))
        signatures = [_signature(m.name.given) for m in mentions]
        self.full = [full for full, _ in signatures]
        self.initials = [initials for _, initials in signatures]
        self.orcids = [{m.orcid} if m.orcid else set() for m in mentions]
        self.authors = [{m.author_id} if m.author_id else set() for m in mentions]
        self.forbidden = [set(m.forbidden) for m in mentions]
        self.coauthor_df: Counter[str] | None = None  # mentions per co-author, once counted

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int, *, checked: bool) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self._forbidden(ra, rb) or (checked and not self._compatible(ra, rb)):
            return False
        self.parent[rb] = ra
        for position, names in self.full[rb].items():
            self.full[ra].setdefault(position, set()).update(names)
        if len(self.initials[rb]) > len(self.initials[ra]):
            self.initials[ra] = self.initials[rb]
        self.orcids[ra] |= self.orcids[rb]
        self.authors[ra] |= self.authors[rb]
        self.forbidden[ra] |= self.forbidden[rb]
        return True

    def may_join(self, a: int, b: int) -> bool:
        """Whether ``union(a, b, checked=True)`` would join two different clusters."""
        ra, rb = self.find(a), self.find(b)
        return ra != rb and not self._forbidden(ra, rb) and self._compatible(ra, rb)

    def _forbidden(self, ra: int, rb: int) -> bool:
        """A correction keeps them apart: stronger than any evidence."""
        return bool(self.authors[ra] & self.forbidden[rb] or self.authors[rb] & self.forbidden[ra])

    def _compatible(self, ra: int, rb: int) -> bool:
        a, b = self.full[ra], self.full[rb]
        if any(len(a[i] | b[i]) > 1 for i in a.keys() & b.keys()):
            return False
        if any(x != y for x, y in zip(self.initials[ra], self.initials[rb], strict=False)):
            return False
        if self.orcids[ra] and self.orcids[rb] and not self.orcids[ra] & self.orcids[rb]:
            return False
        return not (
            self.authors[ra] and self.authors[rb] and not self.authors[ra] & self.authors[rb]
        )


def unique_slug(display_name: str, taken: set[str] | None = None) -> str:
    """``tianlong-chen``, or ``tianlong-chen-2`` when that is taken."""
    base = name_slug(display_name)
    if taken is None:
        taken = set(Author.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def default_model() -> Classifier:
    """The merge classifier trained on the shipped gold names (cached under var/models)."""
    from bzpeer.resolve.evaluate import train_model
    from bzpeer.resolve.learned import shipped_model

    return shipped_model(train_model)


def resolve_authors(
    progress: Callable[[int, int], None] | None = None, model: Classifier | None = None
) -> ResolveStats:
    """Assign every unresolved mention to an author record.

    ``model`` merges the rule clusters it scores as one person; by default the
    shipped one (see ``learned.py``).
    """
    stats = ResolveStats()
    blocks = sorted(
        set(
            AuthorshipMention.objects.filter(author__isnull=True)
            .values_list("name_key", flat=True)
            .distinct()
        )
    )
    if not blocks:
        return stats
    taken: set[str] = set()
    seen = 0  # authors up to this id have their slugs in ``taken``
    key_owner: dict[str, int] = {}
    constraints = load_constraints()
    model = model or default_model()
    # Large runs score with the model's trees compiled (once; later runs load them).
    use_compiled(model, len(blocks))
    for i in range(0, len(blocks), GROUP_BLOCKS):
        group = blocks[i : i + GROUP_BLOCKS]
        with transaction.atomic(), collector_paused():
            lock_catalog()
            # Slugs that other resolvers (or this one) created since the last group.
            for pk, slug in Author.objects.filter(id__gt=seen).values_list("id", "slug"):
                taken.add(slug)
                seen = max(seen, pk)
            _resolve_group(group, taken, key_owner, constraints, stats, model)
        if progress:
            progress(min(i + GROUP_BLOCKS, len(blocks)), len(blocks))
    refresh_author_counts(stats.touched_authors)
    from bzpeer.trust.tasks import schedule_refresh

    schedule_refresh(stats.touched_authors)  # their trust inputs changed
    return stats


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a group is resolved.

    Its records hold no reference cycles and are freed by reference counts
    when the group ends, yet every automatic collection walked them again:
    on the arXiv listings 0.9 of the 1 s a group spent setting each
    mention's forbidden records, and a sixth of loading.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(group: list[str]) -> dict[str, list[MentionRecord]]:
    marks = ", ".join(["%s"] * len(group))
    table = AuthorshipMention._meta.db_table
    work_table = Work._meta.db_table
    blocks: dict[str, list[MentionRecord]] = defaultdict(list)
    texts: dict[str, str] = {}  # one string per distinct title, venue, affiliation
    # One pair of key strings per distinct name, shared by every set that holds
    # it: a collaboration's authors each list all the others.
    keys: dict[str, tuple[str, str] | None] = {}
    authors: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    with connection.cursor() as cursor:
        # Each touched work's authors once (joining each mention to the others
        # gave n * (n - 1) rows for a work of n authors, 14 million on the
        # arXiv listings); a mention's co-authors are those outside its block.
        cursor.execute(
            f'SELECT o.work_id, o.name_key, o.raw_name FROM "{table}" o '
            f'WHERE o.work_id IN (SELECT m.work_id FROM "{table}" m WHERE m.name_key IN ({marks}))',
            group,
        )
        for work_id, key, raw in cursor:
            try:
                known = keys[raw]
            except KeyError:
                name = parse_name_cached(raw)
                known = keys[raw] = (full_key(name), name.block_key) if name.surname else None
            if known is not None:
                authors[work_id].append((key, *known))
        cursor.execute(
            f"SELECT m.id, m.work_id, m.raw_name, m.name_key, m.orcid, m.person_key, m.author_id, "
            f'm.raw_affiliation, w.title, w.venue_name, w.year FROM "{table}" m '
            f'JOIN "{work_table}" w ON w.id = m.work_id '
            f"WHERE m.name_key IN ({marks}) ORDER BY m.id",
            group,
        )
        for row in cursor:
            pk, work_id, raw, key, orcid, person_key, author_id, org, title, venue, year = row
            others = [a for a in authors[work_id] if a[0] != key]
            blocks[key].append(
                MentionRecord(
                    pk,
                    work_id,
                    raw,
                    orcid,
                    person_key,
                    author_id,
                    parse_name_cached(raw),
                    stored=author_id is not None,
                    coauthors={a[1] for a in others},
                    coauthor_keys={a[2] for a in others},
                    title=texts.setdefault(title, title),
                    venue=texts.setdefault(venue, venue),
                    affiliation=texts.setdefault(org, org),
                    year=year,
                )
            )
    return blocks


def _resolve_group(
    group: list[str],
    taken: set[str],
    key_owner: dict[str, int],
    constraints: Constraints,
    stats: ResolveStats,
    model: Classifier | None,
) -> None:
    blocks = _load(group)
    wanted = {m.person_key for ms in blocks.values() for m in ms if m.person_key} - set(key_owner)
    if wanted:
        for key, author_id in AuthorshipMention.objects.filter(
            person_key__in=list(wanted), author__isnull=False
        ).values_list("person_key", "author_id"):
            key_owner.setdefault(key, author_id)
        openalex = {k.split(":", 1)[1]: k for k in wanted if k.startswith("openalex:")}
        for author_id, oa in Author.objects.filter(openalex_id__in=list(openalex)).values_list(
            "id", "openalex_id"
        ):
            if oa:
                key_owner.setdefault(openalex[oa], author_id)
    orcids = {m.orcid for ms in blocks.values() for m in ms if m.orcid}
    orcid_owner: dict[str, int] = (
        {
            o: pk
            for o, pk in Author.objects.filter(orcid__in=list(orcids)).values_list("orcid", "id")
            if o
        }
        if orcids
        else {}
    )
    updates: list[tuple[int, float, int]] = []
    pending: list[list[MentionRecord]] = []
    for block_key, mentions in blocks.items():
        for mention in mentions:
            authorship = (mention.work_id, block_key)
            mention.forbidden = frozenset(constraints.forbidden.get(authorship, ()))
            if mention.author_id is not None:
                mention.author_id = constraints.survivor(mention.author_id)
                continue
            # A correction's pin first, then source person ids, unless a correction forbids.
            mention.author_id = (
                constraints.allowed(authorship, constraints.pinned.get(authorship))
                or constraints.allowed(authorship, key_owner.get(mention.person_key))
                or constraints.allowed(authorship, orcid_owner.get(mention.orcid))
            )
    # One batch: the learned stage scores every block's cluster pairs together.
    keys = list(blocks)
    clustered = cluster_blocks([blocks[k] for k in keys], model)
    for block_key, clusters in zip(keys, clustered, strict=True):
        for members in clusters:
            if all(m.stored for m in members):
                continue
            for m in members:  # a person id that an earlier block gave a record
                if m.author_id is None and m.person_key in key_owner:
                    m.author_id = constraints.allowed(
                        (m.work_id, block_key), key_owner[m.person_key]
                    )
            refused = set().union(*(m.forbidden for m in members))
            counts = Counter(m.author_id for m in members if m.author_id)
            chosen = next((a for a, _ in counts.most_common() if a not in refused), None)
            if chosen is not None:
                _assign(members, chosen, key_owner, updates, stats)
            else:
                pending.append(members)
    new_ids = allocate_ids(Author, len(pending))
    new_authors = []
    for members, author_id in zip(pending, new_ids, strict=True):
        # A source person id is one person: a cluster whose id an earlier new
        # record of this batch took (the same OpenAlex author under another
        # name, so in another block) joins that record.
        earlier = next(
            (key_owner[m.person_key] for m in members if m.person_key in key_owner), None
        )
        if earlier is not None and earlier not in set().union(*(m.forbidden for m in members)):
            _assign(members, earlier, key_owner, updates, stats)
            continue
        new_authors.append(_new_author_row(author_id, members, taken, orcid_owner, key_owner))
        _assign(members, author_id, key_owner, updates, stats)
    stats.authors_created += len(new_authors)
    insert_rows(
        Author,
        [
            "id",
            "display_name",
            "name_key",
            "slug",
            "orcid",
            "openalex_id",
            "name_variants",
            "works_count",
            "open_to_collaborate",
        ],
        new_authors,
    )
    table = AuthorshipMention._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f'UPDATE "{table}" SET author_id = %s, confidence = %s WHERE id = %s',
            updates,
        )
    stats.assigned += len(updates)


def _assign(
    members: list[MentionRecord],
    author_id: int,
    key_owner: dict[str, int],
    updates: list[tuple[int, float, int]],
    stats: ResolveStats,
) -> None:
    strong = len(members) > 1
    for mention in members:
        if mention.person_key:
            key_owner.setdefault(mention.person_key, author_id)
        if mention.stored:
            continue
        mention.author_id = mention.author_id or author_id
        mention.stored = True
        confidence = 1.0 if (mention.person_key or mention.orcid) else (0.8 if strong else 0.5)
        updates.append((mention.author_id, confidence, mention.id))
        stats.touched_authors.add(mention.author_id)


def _new_author_row(
    author_id: int,
    members: list[MentionRecord],
    taken: set[str],
    orcid_owner: dict[str, int],
    key_owner: dict[str, int],
) -> tuple[object, ...]:
    names = Counter(m.raw_name for m in members)
    display = max(names, key=lambda n: (fullness(n), names[n]))
    orcid = next((m.orcid for m in members if m.orcid and m.orcid not in orcid_owner), None)
    if orcid:
        orcid_owner[orcid] = author_id
    openalex = next(  # one record holds an OpenAlex id: not one a record already has
        (
            m.person_key.split(":", 1)[1]
            for m in members
            if m.person_key.startswith("openalex:") and m.person_key not in key_owner
        ),
        None,
    )
    return (
        author_id,
        display,  # the whole name: the column is text
        members[0].name.block_key[:255],
        unique_slug(display, taken),
        orcid,
        openalex,
        orjson.dumps(sorted(names)).decode(),
        0,
        False,
    )


def cluster_block(
    mentions: list[MentionRecord], model: Classifier | None = None
) -> list[list[MentionRecord]]:
    """The clusters of one name block: a pure function, no database.

    ``author_id`` marks mentions already on a record (kept together, never two
    records merged); ``coauthors`` holds the full names of the other authors
    on each mention's work. The rules make the first clusters; ``model``, when
    given, merges those it scores as one person (``learned.merge_blocks``).
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
        found = _cluster_positions(blocks, model)
    else:
        shares = _shares(blocks, workers)
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
            shares[0], _cluster_positions([blocks[i] for i in shares[0]], model), strict=True
        ):
            found[i] = clusters
        for share, reader, process in forks:
            try:
                part = reader.recv()
            except EOFError:  # the fork died: do its share here
                part = _cluster_positions([blocks[i] for i in share], model)
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
    writer.send(_cluster_positions(blocks, model))
    writer.close()


def resolve_workers() -> int:
    configured = os.environ.get("BZPEER_RESOLVE_WORKERS", "")
    return int(configured) if configured.isdigit() else min(os.cpu_count() or 1, 4)


def _shares(blocks: list[list[MentionRecord]], n: int) -> list[list[int]]:
    """Block positions in ``n`` shares of about equal mentions, largest blocks first."""
    shares: list[list[int]] = [[] for _ in range(n)]
    loads = [0] * n
    for i in sorted(range(len(blocks)), key=lambda i: -len(blocks[i])):
        least = loads.index(min(loads))
        shares[least].append(i)
        loads[least] += len(blocks[i])
    return [sorted(share) for share in shares]


def _cluster_positions(
    blocks: list[list[MentionRecord]], model: Classifier | None
) -> list[list[list[int]]]:
    """Each block's clusters as positions in the block."""
    from threadpoolctl import threadpool_limits

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


def rule_clusters(mentions: list[MentionRecord]) -> _Clusters:
    """The first stage: hard evidence, same work, a co-author with the same full name."""
    uf = _Clusters(mentions)
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


def _union_buckets(uf: _Clusters, buckets: list[list[int]]) -> None:
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


def refresh_author_counts(author_ids: set[int]) -> None:
    """Recompute works_count for the given authors from their mentions."""
    ids = sorted(author_ids)
    author_table = Author._meta.db_table
    mention_table = AuthorshipMention._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f'UPDATE "{author_table}" SET works_count = ('
                f'SELECT COUNT(DISTINCT m.work_id) FROM "{mention_table}" m '
                f'WHERE m.author_id = "{author_table}".id) WHERE id IN ({marks})',
                part,
            )
    refresh_affiliations(ids)


def refresh_affiliations(author_ids: list[int]) -> None:
    """Affiliation rows from the institutions sources attached to mentions."""
    from bzpeer.catalog.models import MentionInstitution

    rows: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in range(0, len(author_ids), 500):
        part = author_ids[i : i + 500]
        for author_id, institution_id, year in MentionInstitution.objects.filter(
            mention__author_id__in=part
        ).values_list("mention__author_id", "institution_id", "mention__work__year"):
            rows[(author_id, institution_id)].append(year or 0)
    for (author_id, institution_id), years in rows.items():
        known = [y for y in years if y]
        Affiliation.objects.update_or_create(
            author_id=author_id,
            institution_id=institution_id,
            defaults={
                "start_year": min(known, default=None),
                "end_year": max(known, default=None),
                "works_count": len(years),
            },
        )
