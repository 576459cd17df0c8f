"""Author resolution: unresolved mentions -> author records, name block by name block.

``resolve_authors`` loads each group of name blocks from the catalog, reads
the corrections (``corrections.load_constraints``), gives mentions the
record a correction pins or a source person id names, clusters the blocks
(``clustering.py``: the rules of ``rules.py``, then the learned merges of
``merging.py``) and writes the assignments, creating records for clusters
that have none. Existing assignments are kept: new mentions join the record
their cluster already has.

It returns what it did, the records it touched among it; scheduling their
trust refresh is the caller's (resolution knows nothing of trust).
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import orjson
from django.db import connection, transaction

from bzpeer.catalog.bulk import allocate_ids, insert_rows, lock_catalog
from bzpeer.catalog.models import Author, AuthorshipMention, Work
from bzpeer.catalog.names import fullness, parse_name_cached
from bzpeer.resolve.author_records import refresh_author_counts, unique_slug
from bzpeer.resolve.clustering import cluster_blocks
from bzpeer.resolve.compiled import use_compiled
from bzpeer.resolve.corrections import Constraints, load_constraints
from bzpeer.resolve.mentions import MentionRecord, full_key
from bzpeer.resolve.model import default_model
from bzpeer.resolve.scoring import Classifier

# Name blocks loaded, clustered and written together (about 85,000 mentions
# on the arXiv listings). Each group forks the learned stage's workers once,
# and a fork pays a copy-on-write fault for every inherited page it writes,
# heap pages it allocates into included: with 2,000 blocks a group the two
# processes took 5.1 million faults and 19 s of system time on the listings,
# with 8,000 3.5 million and 10 s (and scoring batches grew).
GROUP_BLOCKS = 8000
# ... and at most this many mentions, resolved ones included: a group's
# records take about 17 KB each in memory (their co-authors, names, texts).
# Counted by blocks alone, a million generated works put 650,000 mentions in
# a group (their surnames are few, so blocks are large) and the process
# grew past 13 GB.
GROUP_MENTIONS = 150_000
# Values per ``__in`` lookup: a group of a large import names more person
# keys than SQLite takes variables in one statement (32,766).
IN_CHUNK = 900


@dataclass
class ResolveStats:
    assigned: int = 0
    authors_created: int = 0
    touched_authors: set[int] = field(default_factory=set)  # their trust inputs changed


# What clusters a group's blocks: ``clustering.cluster_blocks`` in this
# process and its forks, or the same function's work shared out over a
# cluster (``bzpeer.cluster``).
Clusterer = Callable[
    [list[list[MentionRecord]], Classifier | None], list[list[list[MentionRecord]]]
]


def resolve_authors(
    progress: Callable[[int, int], None] | None = None,
    model: Classifier | None = None,
    on_group: Callable[[set[int]], None] | None = None,
    clusterer: Clusterer | None = None,
) -> ResolveStats:
    """Assign every unresolved mention to an author record.

    ``model`` merges the rule clusters it scores as one person; by default the
    shipped one (``model.py``). The records it touched are in
    ``touched_authors``: their counts are refreshed here, their trust
    snapshots are for the caller to schedule.

    Groups of blocks commit one at a time, each with its records' counts, so
    a run that dies part-way keeps whole groups and the next run resolves the
    rest. ``on_group`` is called with each group's touched records once the
    group has committed: a caller that tells others (trust, the search index)
    does so for what landed even if a later group fails.
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
    done = 0
    for group in _groups(blocks):
        with transaction.atomic(), collector_paused():
            lock_catalog()
            # Slugs that other resolvers (or this one) created since the last group.
            for pk, slug in Author.objects.filter(id__gt=seen).values_list("id", "slug"):
                taken.add(slug)
                seen = max(seen, pk)
            part = ResolveStats()
            _resolve_group(
                group, taken, key_owner, constraints, part, model, clusterer or cluster_blocks
            )
            refresh_author_counts(part.touched_authors)
        stats.assigned += part.assigned
        stats.authors_created += part.authors_created
        stats.touched_authors |= part.touched_authors
        if on_group and part.touched_authors:
            on_group(part.touched_authors)
        done += len(group)
        if progress:
            progress(done, len(blocks))
    return stats


def _groups(blocks: list[str]) -> list[list[str]]:
    """The blocks in order, cut into groups of at most ``GROUP_BLOCKS``
    blocks and (but for a single block larger) ``GROUP_MENTIONS`` mentions."""
    sizes: dict[str, int] = {}
    table = AuthorshipMention._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(blocks), IN_CHUNK):
            part = blocks[start : start + IN_CHUNK]
            cursor.execute(
                f'SELECT name_key, COUNT(*) FROM "{table}" '
                f"WHERE name_key IN ({', '.join(['%s'] * len(part))}) GROUP BY name_key",
                part,
            )
            sizes.update(cursor.fetchall())
    groups: list[list[str]] = []
    current: list[str] = []
    load = 0
    for key in blocks:
        n = sizes.get(key, 0)
        if current and (len(current) >= GROUP_BLOCKS or load + n > GROUP_MENTIONS):
            groups.append(current)
            current, load = [], 0
        current.append(key)
        load += n
    return [*groups, current] if current else groups


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
    table = AuthorshipMention._meta.db_table
    work_table = Work._meta.db_table
    blocks: dict[str, list[MentionRecord]] = defaultdict(list)
    texts: dict[str, str] = {}  # one string per distinct title, venue, affiliation
    # One pair of key strings per distinct name, shared by every set that holds
    # it: a collaboration's authors each list all the others.
    keys: dict[str, tuple[str, str] | None] = {}
    authors: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    with connection.cursor() as cursor:
        # IN_CHUNK name keys a statement, so no statement grows with the group.
        for start in range(0, len(group), IN_CHUNK):
            part = group[start : start + IN_CHUNK]
            marks = ", ".join(["%s"] * len(part))
            # Each touched work's authors once (joining each mention to the
            # others gave n * (n - 1) rows for a work of n authors, 14 million
            # on the arXiv listings); a mention's co-authors are those outside
            # its block. A work an earlier slice read is skipped.
            fresh: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
            cursor.execute(
                f'SELECT o.work_id, o.name_key, o.raw_name FROM "{table}" o '
                f'WHERE o.work_id IN (SELECT m.work_id FROM "{table}" m '
                f"WHERE m.name_key IN ({marks}))",
                part,
            )
            for work_id, key, raw in cursor:
                if work_id in authors:
                    continue
                try:
                    known = keys[raw]
                except KeyError:
                    name = parse_name_cached(raw)
                    known = keys[raw] = (full_key(name), name.block_key) if name.surname else None
                if known is not None:
                    fresh[work_id].append((key, *known))
            authors.update(fresh)
            cursor.execute(
                "SELECT m.id, m.work_id, m.raw_name, m.name_key, m.orcid, m.person_key, "
                f'm.author_id, m.raw_affiliation, w.title, w.venue_name, w.year FROM "{table}" m '
                f'JOIN "{work_table}" w ON w.id = m.work_id '
                f"WHERE m.name_key IN ({marks}) ORDER BY m.id",
                part,
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
    # Blocks in the order of their first mention, as one statement gave them
    # (the order new records are numbered in).
    return dict(sorted(blocks.items(), key=lambda item: item[1][0].id))


def _resolve_group(
    group: list[str],
    taken: set[str],
    key_owner: dict[str, int],
    constraints: Constraints,
    stats: ResolveStats,
    model: Classifier | None,
    clusterer: Clusterer,
) -> None:
    blocks = _load(group)
    wanted = {m.person_key for ms in blocks.values() for m in ms if m.person_key} - set(key_owner)
    if wanted:
        keys = sorted(wanted)
        for start in range(0, len(keys), IN_CHUNK):
            for key, author_id in AuthorshipMention.objects.filter(
                person_key__in=keys[start : start + IN_CHUNK], author__isnull=False
            ).values_list("person_key", "author_id"):
                key_owner.setdefault(key, author_id)
        openalex = {k.split(":", 1)[1]: k for k in wanted if k.startswith("openalex:")}
        oas = sorted(openalex)
        for start in range(0, len(oas), IN_CHUNK):
            for author_id, oa in Author.objects.filter(
                openalex_id__in=oas[start : start + IN_CHUNK]
            ).values_list("id", "openalex_id"):
                if oa:
                    key_owner.setdefault(openalex[oa], author_id)
    orcids = {m.orcid for ms in blocks.values() for m in ms if m.orcid}
    orcid_owner: dict[str, int] = {}
    listed = sorted(orcids)
    for start in range(0, len(listed), IN_CHUNK):
        for o, pk in Author.objects.filter(orcid__in=listed[start : start + IN_CHUNK]).values_list(
            "orcid", "id"
        ):
            if o:
                orcid_owner[o] = pk
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
    clustered = clusterer([blocks[k] for k in keys], model)
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
