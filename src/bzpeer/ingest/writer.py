"""Write parsed records into the catalog, a batch at a time.

A record is new, updated (its raw text changed) or unchanged (same hash): an
import run twice writes nothing the second time. Works are matched on shared
identifiers (DOI, arXiv id, OpenAlex id) and, failing that, on the same
normalised title with a close year and a shared author surname.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from sys import intern
from typing import NamedTuple

from django.db import connection
from django.db.models import Field, Model, Q
from django.utils import timezone

from bzpeer.catalog import venues
from bzpeer.catalog.bulk import (
    allocate_ids,
    dates_as_text,
    drop_deferred_indexes,
    insert_flat,
    insert_rows,
    restore_indexes,
    select_in,
    timestamp,
)
from bzpeer.catalog.models import (
    Affiliation,
    Author,
    AuthorshipMention,
    Institution,
    MentionInstitution,
    SourceRecord,
    Topic,
    Venue,
    Work,
    WorkIdentifier,
    WorkReference,
    WorkTopic,
    WorkType,
    WorkVersion,
)
from bzpeer.catalog.names import fullness, parse_name_cached
from bzpeer.catalog.titles import title_ends, title_words
from bzpeer.catalog.untrusted import http_url
from bzpeer.resolve.works import (
    DISTINCT_SCHEMES,
    MatchFacts,
    VersionFacts,
    WorkFacts,
    match_reason,
    published_placing,
    similar_titles,
    summarize,
    version_rank,
    years_agree,
)

from .multimap import IdMultiMap
from .records import (
    PARSER_VERSION,
    Chunk,
    InstitutionRef,
    Parsed,
    ParsedAuthorEntity,
    ParsedInstitution,
    ParsedTopic,
    ParsedVenue,
    ParsedWork,
    RecordError,
    TopicRef,
)
from .text import title_key


@dataclass
class Stats:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    skipped: int = 0

    @property
    def records(self) -> int:
        return self.new + self.updated + self.unchanged + self.quarantined + self.skipped


# InstitutionRef's fields: (name, ROR, OpenAlex id, country, kind).
InstitutionFields = tuple[str, str | None, str | None, str, str]
# An authorship as the writer inserts it: (position, raw name, name key,
# raw affiliation, ORCID or "", person key, institutions).
Mention = tuple[int | None, str, str, str, str, str, tuple[InstitutionFields, ...]]
# A topic as TopicRef's fields: (external id, name, score, parents).
TopicFields = tuple[str, str, float, tuple[tuple[str, str, str], ...]]


class SoloWork(NamedTuple):
    """``summarize`` of a record alone, the fields a new work takes from it
    beyond its own title, abstract and date; computed by the parsers, so the
    writer summarises only works with several versions."""

    year: int | None
    type: str
    keeps_venue: bool  # False when the journal-ref names the venue instead
    venue_name: str
    also_preprint: bool
    authors_text: str


class WorkRow(NamedTuple):
    """A ``ParsedWork`` as the writer reads it, made by ``compact``.

    Parser processes build it, so what the writer derives from a record (the
    mention rows, title ends, version rank, venue display name) is computed
    there, in parallel; and it crosses the process boundary as tuples and
    strings, about a quarter of the cost of rebuilding the record's
    dataclasses (one per author and topic) in the writer.
    """

    source: str
    external_id: str
    title: str
    title_key: str
    title_words: str
    head: str
    tail: str
    year: int | None
    date: dt.date | None
    type: str
    abstract: str
    venue: str
    venue_openalex_id: str | None
    venue_display: str
    rank: int
    identifiers: tuple[tuple[str, str], ...]
    journal_ref: str
    url: str
    surnames: frozenset[str]
    author_names: tuple[str, ...]
    mentions: tuple[Mention, ...]
    topics: tuple[TopicFields, ...]
    references: tuple[tuple[str, str], ...]
    # The work this record makes when it is its only version (most new works).
    solo: SoloWork


def version_facts(
    record: ParsedWork | WorkRow, venue_id: int | None, venue_name: str
) -> VersionFacts:
    """What ``summarize`` reads of one version, from a parsed record or its ``WorkRow``."""
    return VersionFacts(
        source=record.source,
        title=record.title,
        title_key=record.title_key,
        abstract=record.abstract,
        year=record.year,
        date=record.date,
        type=str(record.type),
        venue_id=venue_id,
        venue_name=venue_name,
        journal_ref=record.journal_ref,
        author_names=record.author_names,
    )


def solo_work(record: ParsedWork, venue_display: str) -> SoloWork:
    """``summarize`` of the record as a work's only version, without building
    its facts: one version is the best one, and a preprint's own journal-ref
    is the only one that can place it (``published_placing``, as there).
    The general case took about a tenth of the parsers' time per record."""
    work_type = str(record.type)
    preprint = work_type == WorkType.PREPRINT
    placed = published_placing((record.journal_ref,), record.year) if preprint else None
    if placed is None:
        return SoloWork(
            record.year, work_type, True, venue_display, False, "; ".join(record.author_names)
        )
    venue_name, year, work_type = placed
    return SoloWork(
        year,
        work_type,
        False,
        venue_name,
        work_type != WorkType.PREPRINT,
        "; ".join(record.author_names),
    )


def compact(record: ParsedWork) -> WorkRow:
    """The writer's form of a parsed work (see ``WorkRow``)."""
    head, tail = title_ends(record.title_words)
    venue_display = _venue_display(record.venue)
    rank = version_rank(record.source, record.type, venues.match_known(record.venue) is not None)
    return WorkRow(
        record.source,
        record.external_id,
        record.title,
        record.title_key,
        record.title_words,
        head,
        tail,
        record.year,
        record.date,
        str(record.type),  # a WorkType member is its value; a plain str pickles cheaper
        record.abstract,
        record.venue,
        record.venue_openalex_id,
        venue_display,
        rank,
        record.identifiers,
        record.journal_ref,
        record.url,
        record.surnames,
        record.author_names,
        tuple(
            (
                a.position,
                a.name,
                a.name_key,
                a.affiliation,
                a.orcid or "",
                a.person_key[:255],
                tuple((i.name, i.ror, i.openalex_id, i.country, i.kind) for i in a.institutions)
                if a.institutions
                else (),
            )
            for a in record.authors
        ),
        tuple((t.external_id, t.name, t.score, t.parents) for t in record.topics),
        record.references,
        solo_work(record, venue_display),
    )


def _limit(model: type[Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.max_length is not None
    return field.max_length


# Identifiers stored whole in a column of their own: one longer than the
# column is a malformed record (quarantined), not one to store cut short.
_RECORD_ID = _limit(SourceRecord, "external_id")
_OPENALEX_ID = _limit(Author, "openalex_id")  # as Venue's and Institution's
_TOPIC_ID = _limit(Topic, "external_id")


def check_fits(records: Sequence[Parsed]) -> None:
    """Raise RecordError if a record's identifier would not fit its column:
    PostgreSQL would refuse the whole batch (SQLite would store it). Plain
    length tests, inline: every record imported passes here."""
    for record in records:
        if len(record.external_id) > _RECORD_ID:
            _too_long(record, "id", _RECORD_ID)
        if isinstance(record, ParsedWork):
            if record.venue_openalex_id and len(record.venue_openalex_id) > _OPENALEX_ID:
                _too_long(record, "venue OpenAlex id", _OPENALEX_ID)
            for author in record.authors:
                # Resolution stores an author's OpenAlex id as its record's.
                if len(author.person_key) > _OPENALEX_KEY and author.person_key[:9] == "openalex:":
                    _too_long(record, "author OpenAlex id", _OPENALEX_ID)
                for ref in author.institutions:
                    if ref.openalex_id and len(ref.openalex_id) > _OPENALEX_ID:
                        _too_long(record, "institution OpenAlex id", _OPENALEX_ID)
            for topic in record.topics:
                if len(topic.external_id) > _TOPIC_ID:
                    _too_long(record, "topic id", _TOPIC_ID)
                for parent in topic.parents:
                    if len(parent[1]) > _TOPIC_ID:
                        _too_long(record, "topic id", _TOPIC_ID)
        elif isinstance(record, ParsedAuthorEntity | ParsedVenue | ParsedInstitution):
            refs = (
                [ref for ref, _, _ in record.affiliations]
                if isinstance(record, ParsedAuthorEntity)
                else [record.ref]
                if isinstance(record, ParsedInstitution)
                else []
            )
            oa_ids = [getattr(record, "openalex_id", None), *(r.openalex_id for r in refs)]
            if any(oa_id and len(oa_id) > _OPENALEX_ID for oa_id in oa_ids):
                _too_long(record, "OpenAlex id", _OPENALEX_ID)
        elif isinstance(record, ParsedTopic):
            ids = [record.ref.external_id, *(parent[1] for parent in record.ref.parents)]
            if any(len(topic_id) > _TOPIC_ID for topic_id in ids):
                _too_long(record, "topic id", _TOPIC_ID)


_OPENALEX_KEY = len("openalex:") + _OPENALEX_ID


def _too_long(record: Parsed, what: str, limit: int) -> None:
    raise RecordError(f"{record.external_id[:80]}: {what} longer than {limit} characters")


def compact_all(records: Sequence[Parsed | WorkRow]) -> list[Parsed | WorkRow]:
    """``records`` with every ``ParsedWork`` in its writer's form."""
    return [compact(r) if isinstance(r, ParsedWork) else r for r in records]


def _venue_display(raw: str) -> str:
    known = venues.match_known(raw) if raw else None
    return known.name if known else venues.clean_venue_name(raw)


_PARSER_TAG = f"\x00parser={PARSER_VERSION}".encode()


def payload_hash(chunk: Chunk) -> str:
    """The raw record, its options and the parser's version: a record stored
    by an older parser (``records.PARSER_VERSION``) is "changed" and written again."""
    digest = hashlib.md5(usedforsecurity=False)
    digest.update(chunk.text.encode("utf-8", "surrogatepass"))
    for name, value in sorted(chunk.options):
        digest.update(f"\x00{name}={value}".encode())
    digest.update(_PARSER_TAG)
    return digest.hexdigest()


@dataclass
class _Item:
    chunk: Chunk
    record: WorkRow
    digest: str
    record_id: int | None = None
    work_id: int | None = None
    new_work: int | None = None  # index into the batch's new works
    version_id: int | None = None
    evidence: str = ""  # why the record joined an existing work (shown on the work page)
    # A changed record's mentions before it was written again: (position, name
    # key, raw name, author id, confidence) of those resolution had assigned.
    previous: list[tuple[int | None, str, str, int, float]] | None = None
    # Its mentions as written again: (id, position, name key, raw name).
    written: list[tuple[int, int | None, str, str]] | None = None

    @cached_property
    def mask(self) -> int:
        """``surname_mask`` of the record's authors."""
        return surname_mask(self.record.surnames)


class RecordMarks:
    """Source records an import run has written or found, by primary key.

    One bit per key, in pages of 65,536 keys allocated as keys come: about
    125 KB for a million records, where a set of their external ids took
    94 MB. A run reads each incoming record's key from the catalog anyway
    (to tell new from changed), so the key is what it remembers.
    """

    PAGE_BITS = 16
    MASK = (1 << PAGE_BITS) - 1

    def __init__(self) -> None:
        self._pages: dict[int, bytearray] = {}

    def add(self, pk: int) -> bool:
        """Mark ``pk``; whether it was marked before."""
        page = self._pages.get(pk >> self.PAGE_BITS)
        if page is None:
            page = self._pages[pk >> self.PAGE_BITS] = bytearray(1 << (self.PAGE_BITS - 3))
        at, bit = (pk & self.MASK) >> 3, 1 << (pk & 7)
        if page[at] & bit:
            return True
        page[at] |= bit
        return False


class Writer:
    """Holds caches across batches of one import run.

    ``ends_in_memory``: if the catalog holds no work when the first batch is
    written (SQLite only), keep the title ends of the works this run writes in
    memory (``_WorkEnds``) instead of looking them up in the catalog's indexes,
    and drop the indexes nothing reads meanwhile (``bulk.deferred_indexes``);
    the caller builds them again with ``bulk.restore_indexes`` at the end.
    """

    def __init__(self, ends_in_memory: bool = False) -> None:
        self._venues: dict[str, int] = {}
        self._topics: dict[str, int] = {}
        self._institutions: dict[tuple[str, str | None, str | None], int] = {}
        # Source records this run wrote or found unchanged: a record that
        # comes again later in the run is skipped (the first one wins).
        self._marks = RecordMarks()
        self._predicted: bool | None = None  # whether any topic was predicted (enrich)
        self._ends_wanted = ends_in_memory
        self._ends: _WorkEnds | None = None

    def release(self) -> None:
        """Drop what only the run's batches needed (before indexes are built)."""
        self._ends = None
        self._marks = RecordMarks()

    # -- entry point ---------------------------------------------------------

    def write(self, batch: Sequence[tuple[Chunk, Parsed | WorkRow, str]], stats: Stats) -> None:
        """Write one batch of (chunk, record, payload hash); call inside a transaction.
        Works may come as ``ParsedWork`` or already in their ``WorkRow`` form."""
        works: list[tuple[Chunk, WorkRow, str]] = []
        others: list[tuple[Chunk, Parsed, str]] = []
        # The same record twice in one batch: the first one wins (in earlier
        # batches: ``self._marks``, once the record's key is read).
        seen: set[tuple[str, str]] = set()
        for chunk, record, digest in batch:
            key = (record.source, record.external_id)
            if key in seen:
                stats.skipped += 1
                continue
            seen.add(key)
            if isinstance(record, WorkRow):
                works.append((chunk, record, digest))
            elif isinstance(record, ParsedWork):
                works.append((chunk, compact(record), digest))
            else:
                others.append((chunk, record, digest))
        if self._ends_wanted:
            self._ends_wanted = False
            self._ends = _WorkEnds.start()
            if self._ends is not None:
                drop_deferred_indexes()  # in this batch's transaction: a rollback keeps them
        elif self._ends is not None and not self._ends.still_valid():
            self._ends = None
            restore_indexes()  # the catalog's lookups need them again
        try:
            if works:
                self._write_works(works, stats)
        except BaseException:
            self._ends = None  # the batch rolls back; the memory would not
            raise
        for chunk, record, digest in others:
            self._write_entity(chunk, record, digest, stats)

    # -- works ---------------------------------------------------------------

    def _write_works(self, incoming: list[tuple[Chunk, WorkRow, str]], stats: Stats) -> None:
        now = timezone.now()
        stamp = timestamp(now)
        by_source: dict[str, list[_Item]] = defaultdict(list)
        for chunk, record, digest in incoming:
            by_source[record.source].append(_Item(chunk, record, digest))
        new_items: list[_Item] = []
        changed: list[_Item] = []
        for source, items in by_source.items():
            existing = {
                ext: (pk, digest)
                for ext, pk, digest in select_in(
                    f'SELECT external_id, id, payload_hash FROM "{SourceRecord._meta.db_table}" '
                    "WHERE source = ? AND external_id IN ({in})",
                    [i.record.external_id for i in items],
                    [source],
                )
            }
            for item in items:
                found = existing.get(item.record.external_id)
                if found is None:
                    new_items.append(item)
                elif self._marks.add(found[0]):
                    stats.skipped += 1  # written earlier in this run: the first one wins
                elif found[1] != item.digest:
                    item.record_id = found[0]
                    changed.append(item)
                else:
                    stats.unchanged += 1
        if not new_items and not changed:
            return
        venue_ids = self._venue_ids(i.record for i in [*new_items, *changed])
        catalog_ids = self._assign_works(new_items)
        self._create_new_works(new_items, venue_ids)
        ids = allocate_ids(SourceRecord, len(new_items))
        for item, pk in zip(new_items, ids, strict=True):
            item.record_id = pk
            self._marks.add(pk)
        insert_rows(
            SourceRecord,
            ["id", "source", "external_id", "payload_hash", "payload", "locator", "fetched_at"],
            [
                (
                    i.record_id,
                    i.record.source,
                    i.record.external_id,
                    i.digest,
                    i.chunk.text,
                    i.chunk.locator[:500],
                    stamp,
                )
                for i in new_items
            ],
        )
        for item in changed:
            assert item.record_id is not None
            SourceRecord.objects.filter(pk=item.record_id).update(
                payload_hash=item.digest,
                payload=item.chunk.text,
                locator=item.chunk.locator[:500],
                fetched_at=now,
            )
            version = WorkVersion.objects.filter(source_record_id=item.record_id).first()
            if version is None:
                continue
            item.version_id, item.work_id = version.pk, version.work_id
            old = AuthorshipMention.objects.filter(work_id=version.work_id, version_id=version.pk)
            item.previous = list(
                old.filter(author__isnull=False)
                .order_by("id")
                .values_list("position", "name_key", "raw_name", "author_id", "confidence")
            )
            old.delete()
            self._update_version(item, venue_ids)
        as_text = dates_as_text()
        version_ids = allocate_ids(WorkVersion, len(new_items))
        for item, pk in zip(new_items, version_ids, strict=True):
            item.version_id = pk
        insert_rows(
            WorkVersion,
            [
                "id",
                "work_id",
                "source_record_id",
                "source",
                "title",
                "abstract",
                "year",
                "date",
                "type",
                "venue_id",
                "venue_raw",
                "journal_ref",
                "url",
                "rank",
                "link_evidence",
            ],
            [(*self._version_row(i, venue_ids, as_text), i.evidence[:300]) for i in new_items],
        )
        written = [*new_items, *(i for i in changed if i.version_id)]
        identifiers = self._write_identifiers(written)
        self._write_mentions(written)
        keep_authors([i for i in changed if i.previous is not None])
        if self._ends is not None:
            for item in written:
                if item.work_id is not None:
                    self._ends.add_surnames(item.work_id, item.mask)
            for key, work_id in identifiers.items():
                # Inserted unless the catalog had it (for another work, or this one).
                if key not in catalog_ids and work_id is not None:
                    self._ends.add_scheme(work_id, key[0])
        self._write_topics(written)
        self._write_references(written)
        refresh_works(
            {i.work_id for i in new_items if i.new_work is None and i.work_id}
            | {i.work_id for i in changed if i.work_id},
            self._ends,
        )
        stats.new += len(new_items)
        stats.updated += len(changed)

    def _version_row(
        self, item: _Item, venue_ids: dict[str, int], as_text: bool = False
    ) -> tuple[object, ...]:
        r = item.record
        venue_id, rank = venue_ids.get(r.venue) if r.venue else None, r.rank
        return (
            item.version_id,
            item.work_id,
            item.record_id,
            r.source,
            r.title,
            r.abstract,
            r.year,
            r.date.isoformat() if as_text and r.date else r.date,
            r.type,
            venue_id,
            r.venue[:500],
            r.journal_ref[:500],
            r.url[:1000],
            rank,
        )

    def _update_version(self, item: _Item, venue_ids: dict[str, int]) -> None:
        row = self._version_row(item, venue_ids)
        assert item.version_id is not None
        WorkVersion.objects.filter(pk=item.version_id).update(
            title=row[4],
            abstract=row[5],
            year=row[6],
            date=row[7],
            type=row[8],
            venue_id=row[9],
            venue_raw=row[10],
            journal_ref=row[11],
            url=row[12],
            rank=row[13],
        )

    def _assign_works(self, items: list[_Item]) -> set[tuple[str, str]]:
        """Find each new record's work: a shared identifier first, then
        ``same_work`` (exact or fuzzy title, year, authors) against the works
        with the same title key or the same first author, in the catalog and
        earlier in the batch. Returns the records' identifiers the catalog
        already had."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for item in items:
            for scheme, value in item.record.identifiers:
                wanted[scheme].add(value)
        known: dict[tuple[str, str], int] = {}
        for scheme, values in wanted.items():
            for value, found_id in select_in(
                f'SELECT value, work_id FROM "{WorkIdentifier._meta.db_table}" '
                "WHERE scheme = ? AND value IN ({in})",
                sorted(values),
                [scheme],
            ):
                known[(scheme, value)] = found_id
        catalog_ids = set(known)  # before this batch's joins add to it
        open_items = [i for i in items if not any(ident in known for ident in i.record.identifiers)]
        catalog = _Candidates.from_catalog(open_items, self._ends)
        local = _Candidates()
        new_count = 0
        for item in items:
            record = item.record
            work_id, item.evidence = _joined(record, known, catalog)
            if work_id is not None:
                item.work_id = work_id
                for ident in record.identifiers:
                    known.setdefault(ident, work_id)
                continue
            index, item.evidence = _joined(record, local.ids, local)
            if index is None:
                index = new_count
                new_count += 1
                local.add(index, record)
            item.new_work = index
            for ident in record.identifiers:
                local.ids.setdefault(ident, index)
        return catalog_ids

    def _create_new_works(self, items: list[_Item], venue_ids: dict[str, int]) -> None:
        groups: dict[int, list[_Item]] = defaultdict(list)
        for item in items:
            if item.new_work is not None:
                groups[item.new_work].append(item)
        if not groups:
            return
        ids = allocate_ids(Work, len(groups))
        rows = []
        now = timestamp(timezone.now())
        as_text = dates_as_text()
        for (_, members), pk in zip(sorted(groups.items()), ids, strict=True):
            for member in members:
                member.work_id = pk
            if len(members) == 1:  # the record alone: its summary came with it
                r = members[0].record
                solo = r.solo
                facts = WorkFacts(
                    title=r.title,
                    title_key=r.title_key,
                    abstract=r.abstract,
                    year=solo.year,
                    date=r.date,
                    type=solo.type,
                    venue_id=venue_ids.get(r.venue) if solo.keeps_venue and r.venue else None,
                    venue_name=solo.venue_name,
                    also_preprint=solo.also_preprint,
                    authors_text=solo.authors_text,
                )
                words, (head, tail) = r.title_words, (r.head, r.tail)
            else:
                facts = summarize([self._facts(m, venue_ids) for m in members])
                found = next(
                    (m.record.title_words for m in members if m.record.title == facts.title),
                    None,
                )
                words = title_words(facts.title) if found is None else found
                head, tail = title_ends(words)
            row = (
                pk,
                facts.title,
                facts.title_key,
                head,
                tail,
                facts.abstract,
                facts.year,
                facts.date.isoformat() if as_text and facts.date else facts.date,
                facts.type,
                facts.venue_id,
                facts.venue_name[:500],
                facts.also_preprint,
                facts.authors_text,
                now,
            )
            if self._ends is not None:
                # The newest works are the likeliest candidates of the next batches.
                self._ends.keep(pk, (facts.title_key, words, facts.year, facts.type))
            rows.append(row)
        insert_rows(
            Work,
            [
                "id",
                "title",
                "title_key",
                "title_head",
                "title_tail",
                "abstract",
                "year",
                "date",
                "type",
                "venue_id",
                "venue_name",
                "also_preprint",
                "authors_text",
                "updated_at",
            ],
            rows,
        )
        if self._ends is not None:
            for row in rows:
                self._ends.add(row[0], row[3], row[4], row[6], row[2], row[8])

    def _facts(self, item: _Item, venue_ids: dict[str, int]) -> tuple[int, VersionFacts]:
        r = item.record
        venue_id = venue_ids.get(r.venue) if r.venue else None
        return r.rank, version_facts(r, venue_id, r.venue_display)

    def _write_identifiers(self, items: list[_Item]) -> dict[tuple[str, str], int | None]:
        """Insert the items' identifiers (one already in the catalog stays
        with its work); return (scheme, value) -> the work each was written for."""
        rows = {(s, v): i.work_id for i in items for s, v in i.record.identifiers}
        ids = allocate_ids(WorkIdentifier, len(rows))
        insert_rows(
            WorkIdentifier,
            ["id", "scheme", "value", "work_id"],
            [(pk, s, v[:255], w) for pk, ((s, v), w) in zip(ids, rows.items(), strict=True)],
            ignore_conflicts=True,
        )
        return rows

    def _write_mentions(self, items: list[_Item]) -> None:
        # Rows straight into one flat list (``insert_flat``): a mention's first
        # six fields are its first six columns, then the keys and confidence.
        values: list[object] = []
        links: list[tuple[int, InstitutionFields]] = []
        total = sum(len(i.record.mentions) for i in items)
        ids = iter(allocate_ids(AuthorshipMention, total))  # not a range on PostgreSQL
        for item in items:
            version_id, work_id = item.version_id, item.work_id
            if item.previous is not None:  # a changed record: ``keep_authors`` reads them
                item.written = []
            for mention in item.record.mentions:
                pk = next(ids)
                values += mention[:6]
                values += (pk, version_id, work_id, 0.0)
                if mention[6]:  # institutions: most mentions name none
                    links.extend((pk, ref) for ref in mention[6])
                if item.written is not None:
                    item.written.append((pk, mention[0], mention[2], mention[1]))
        insert_flat(
            AuthorshipMention,
            [
                "position",
                "raw_name",
                "name_key",
                "raw_affiliation",
                "orcid",
                "person_key",
                "id",
                "version_id",
                "work_id",
                "confidence",
            ],
            values,
        )
        if links:
            link_ids = allocate_ids(MentionInstitution, len(links))
            insert_rows(
                MentionInstitution,
                ["id", "mention_id", "institution_id", "confidence"],
                [
                    (
                        link_id,
                        pk,
                        self.institution_id_of(ref),
                        1.0,
                    )
                    for link_id, (pk, ref) in zip(link_ids, links, strict=True)
                ],
            )

    def _write_references(self, items: list[_Item]) -> None:
        rows = {(i.work_id, s, v[:255]) for i in items for s, v in i.record.references}
        ids = allocate_ids(WorkReference, len(rows))
        insert_rows(
            WorkReference,
            ["id", "work_id", "scheme", "value"],
            [(pk, *row) for pk, row in zip(ids, sorted(rows), strict=True)],
            ignore_conflicts=True,
        )

    def _write_topics(self, items: list[_Item]) -> None:
        rows = {}
        for item in items:
            for ref in item.record.topics:
                rows[(item.work_id, self.topic_id_of(ref))] = ref[2]
        if self._predicted is None:
            self._predicted = WorkTopic.objects.filter(origin="model").exists()
        if self._predicted and rows:
            # A source now states the work's topics: the model's guesses give way.
            stated = sorted({w for w, _ in rows if w is not None})
            for start in range(0, len(stated), 900):
                WorkTopic.objects.filter(
                    work_id__in=stated[start : start + 900], origin="model"
                ).delete()
        ids = allocate_ids(WorkTopic, len(rows))
        insert_rows(
            WorkTopic,
            ["id", "work_id", "topic_id", "score", "origin"],
            [(pk, w, t, s, "source") for pk, ((w, t), s) in zip(ids, rows.items(), strict=True)],
            ignore_conflicts=True,
        )

    # -- lookups ------------------------------------------------------------

    def _venue_ids(self, records: Iterable[WorkRow]) -> dict[str, int]:
        """Venue id per raw venue string; known venues share one row whatever the alias."""
        out: dict[str, int] = {}
        for record in records:
            raw = record.venue
            if not raw or raw in out:
                continue
            known = venues.match_known(raw)
            key = known.key if known else venues.venue_key(raw)[:255]
            if not key:
                continue
            if key not in self._venues:
                venue = Venue.objects.filter(key=key).first()
                if venue is None and record.venue_openalex_id:
                    venue = Venue.objects.filter(openalex_id=record.venue_openalex_id).first()
                if venue is None:
                    venue, _ = Venue.objects.get_or_create(
                        key=key,
                        defaults={
                            "name": known.name if known else venues.clean_venue_name(raw)[:500],
                            "kind": known.kind if known else venues.OTHER,
                            "openalex_id": record.venue_openalex_id or "",
                        },
                    )
                self._venues[key] = venue.pk
            out[raw] = self._venues[key]
        return out

    def topic_id(self, ref: TopicRef) -> int:
        if ref.external_id in self._topics:
            return self._topics[ref.external_id]
        parent_id = None
        for level, external, name in ref.parents:
            parent, _ = Topic.objects.get_or_create(
                scheme=external.split(":")[0],
                external_id=external,
                defaults={"name": name[:255], "level": level, "parent_id": parent_id},
            )
            parent_id = parent.pk
        scheme = ref.external_id.split(":")[0]
        topic, _ = Topic.objects.get_or_create(
            scheme=scheme,
            external_id=ref.external_id,
            defaults={
                "name": ref.name[:255] or ref.external_id,
                "parent_id": parent_id,
                "level": "topic" if scheme == "openalex" else "category",
            },
        )
        self._topics[ref.external_id] = topic.pk
        return topic.pk

    def topic_id_of(self, fields: TopicFields) -> int:
        """``topic_id`` of a WorkRow's topic: a known one by its id, without
        making its TopicRef (1.5 a listing record)."""
        known = self._topics.get(fields[0])
        return self.topic_id(TopicRef(*fields)) if known is None else known

    def institution_id_of(self, fields: InstitutionFields) -> int:
        """``institution_id`` of a mention's institution: a known one without
        making its InstitutionRef (the fields begin with the cache's key)."""
        known = self._institutions.get(fields[:3])
        return self.institution_id(InstitutionRef(*fields)) if known is None else known

    def institution_id(self, ref: InstitutionRef) -> int:
        key = (ref.name, ref.ror, ref.openalex_id)  # as InstitutionFields begin
        if key in self._institutions:
            return self._institutions[key]
        query = Q(pk__in=[])
        if ref.ror:
            query |= Q(ror=ref.ror)
        if ref.openalex_id:
            query |= Q(openalex_id=ref.openalex_id)
        institution = (
            Institution.objects.filter(query).first()
            if (ref.ror or ref.openalex_id)
            else Institution.objects.filter(name=ref.name, ror=None, openalex_id=None).first()
        )
        if institution is None:
            institution = Institution.objects.create(
                ror=ref.ror,
                openalex_id=ref.openalex_id,
                name=ref.name[:500],
                country=ref.country,
                kind=ref.kind[:32],
            )
        else:
            changed = False
            for attr in ("ror", "openalex_id"):
                if getattr(ref, attr) and not getattr(institution, attr):
                    setattr(institution, attr, getattr(ref, attr))
                    changed = True
            if changed:
                institution.save()
        self._institutions[key] = institution.pk
        return institution.pk

    # -- other entities -----------------------------------------------------

    def _write_entity(self, chunk: Chunk, record: Parsed, digest: str, stats: Stats) -> None:
        existing = SourceRecord.objects.filter(
            source=record.source, external_id=record.external_id
        ).first()
        if existing and self._marks.add(existing.pk):
            stats.skipped += 1  # written earlier in this run: the first one wins
            return
        if existing and existing.payload_hash == digest:
            stats.unchanged += 1
            return
        if existing:
            existing.payload_hash, existing.payload = digest, chunk.text
            existing.fetched_at = timezone.now()
            existing.save()
            stats.updated += 1
        else:
            created = SourceRecord.objects.create(
                source=record.source,
                external_id=record.external_id,
                payload_hash=digest,
                payload=chunk.text,
                locator=chunk.locator[:500],
                fetched_at=timezone.now(),
            )
            self._marks.add(created.pk)
            stats.new += 1
        if isinstance(record, ParsedInstitution):
            Institution.objects.filter(pk=self.institution_id(record.ref)).update(
                name=record.ref.name[:500],
                country=record.ref.country,
                kind=record.ref.kind[:32],
                aliases=list(record.aliases),
                acronyms=list(record.acronyms),
                labels=list(record.labels),
                types=list(record.types),
                relationships=[
                    {"type": kind, "ror": ror, "label": label}
                    for kind, ror, label in record.relationships
                ],
                status=record.status[:16],
                established=record.established,
                city=record.city[:200],
                links=[link for link in map(http_url, record.links) if link],
            )
        elif isinstance(record, ParsedTopic):
            self.topic_id(record.ref)
        elif isinstance(record, ParsedVenue):
            Venue.objects.update_or_create(
                openalex_id=record.openalex_id or "",
                defaults={
                    "key": venues.venue_key(record.name)[:255],
                    "name": record.name[:500],
                    "kind": record.kind,
                    "issn_l": record.issn_l,
                    "aliases": list(record.aliases),
                },
            )
        elif isinstance(record, ParsedAuthorEntity):
            self._author_entity(record)

    def _author_entity(self, record: ParsedAuthorEntity) -> None:
        from bzpeer.resolve.authors import unique_slug

        author = None
        if record.openalex_id:
            author = Author.objects.filter(openalex_id=record.openalex_id).first()
        if author is None and record.orcid:
            author = Author.objects.filter(orcid=record.orcid).first()
        if author is None:
            author = Author(
                display_name=record.display_name,
                name_key=parse_name_cached(record.display_name).block_key[:255],
                slug=unique_slug(record.display_name),
            )
        author.openalex_id = record.openalex_id or author.openalex_id
        author.orcid = record.orcid or author.orcid
        author.name_variants = sorted({*author.name_variants, *record.name_variants})
        author.save()
        spans: dict[int, list[tuple[int | None, int | None]]] = defaultdict(list)
        for ref, start, end in record.affiliations:
            spans[self.institution_id(ref)].append((start, end))
        for institution_id, periods in spans.items():
            # Several positions at one place: from the first start; open if any is open.
            starts = [s for s, _ in periods if s]
            ongoing = any(e is None for _, e in periods)
            Affiliation.objects.update_or_create(
                author=author,
                institution_id=institution_id,
                defaults={
                    "start_year": min(starts, default=None),
                    "end_year": None if ongoing else max(e for _, e in periods if e),
                },
            )


def keep_authors(items: list[_Item]) -> None:
    """Mentions of records written again keep the author records they had.

    A changed record (its source changed it, or a newer parser read it) gets
    new mention rows. Each takes the author of the old mention with the same
    name key, at the same position if there is one: otherwise resolution
    would give a person with no other mention tying them a new record, and
    their page a new address. An author whose display name is a spelling none
    of its mentions has any more (``JoséLuis Bernal`` read again as ``José
    Luis Bernal``) is named again from its mentions, as resolution names a
    new record; one that lost mentions gets its works count again.
    """
    assigned: list[tuple[int, float, int]] = []
    lost: dict[int, set[str]] = defaultdict(set)  # author -> raw names it no longer has
    dropped: set[int] = set()  # authors that lost an authorship
    for item in items:
        by_key: dict[str, list[tuple[int | None, str, str, int, float]]] = defaultdict(list)
        for old in item.previous or ():
            by_key[old[1]].append(old)
        for pk, position, key, raw in item.written or ():
            olds = by_key.get(key)
            if not olds:
                continue
            old = next((o for o in olds if o[0] == position), olds[0])
            olds.remove(old)
            assigned.append((old[3], old[4], pk))
            if old[2] != raw:
                lost[old[3]].add(old[2])
        for olds in by_key.values():
            for old in olds:
                dropped.add(old[3])
                lost[old[3]].add(old[2])
    if assigned:
        table = AuthorshipMention._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f'UPDATE "{table}" SET author_id = %s, confidence = %s WHERE id = %s', assigned
            )
    if lost:
        _rename_authors(lost)
    if dropped:
        # Imported here, as in pipeline: it loads the learned model's modules.
        from bzpeer.resolve.authors import refresh_author_counts

        refresh_author_counts(dropped)


def _rename_authors(lost: dict[int, set[str]]) -> None:
    """Authors named by a spelling (in ``lost``) none of their mentions has now."""
    names = {name for spellings in lost.values() for name in spellings}
    for author in Author.objects.filter(pk__in=list(lost), display_name__in=list(names)):
        if author.display_name not in lost[author.pk]:
            continue
        now = Counter(
            AuthorshipMention.objects.filter(author_id=author.pk).values_list("raw_name", flat=True)
        )
        if not now or author.display_name in now:
            continue  # no mention left to name it by, or one still spells it so
        author.display_name = max(now, key=lambda n: (fullness(n), now[n]))
        gone = lost[author.pk] - set(now)
        author.name_variants = sorted({*author.name_variants, *now} - gone)
        author.save(update_fields=["display_name", "name_variants"])


PER_END = 50  # candidate works per title head or tail

_ID_LABELS = {"doi": "DOI", "arxiv": "arXiv id", "openalex": "OpenAlex id", "dblp": "DBLP key"}


def _joined(
    record: WorkRow,
    ids: dict[tuple[str, str], int],
    candidates: _Candidates,
) -> tuple[int | None, str]:
    """The work (or batch index) a record joins and why: a shared identifier
    first, then ``match_reason`` over the candidates; (None, "") if none."""
    shared = next((i for i in record.identifiers if i in ids), None)
    if shared:
        return ids[shared], f"shared {_ID_LABELS.get(shared[0], shared[0])} {shared[1]}"
    return candidates.find(record) or (None, "")


def _match_facts(record: WorkRow) -> MatchFacts:
    return MatchFacts(
        record.title_key,
        record.title_words,
        record.year,
        record.surnames,
        record.type == WorkType.PREPRINT,
        frozenset(i for i in record.identifiers if i[0] in DISTINCT_SCHEMES),
    )


# A candidate work as matching reads it: (title key, title words, year, type).
CandidateRow = tuple[str, str, int | None, str]
# As ``_WorkEnds`` keeps one: no title key when it is the title words' letters
# (most titles: the key is then one string less a row), the type interned.
_Kept = tuple[str | None, str, int | None, str]


class _Candidates:
    """Works a new record may be another version of: the same title key, or
    the same title head or tail (``title_ends``)."""

    def __init__(self) -> None:
        # A batch's own records are kept as they came and made MatchFacts only
        # when another record finds them: most records find no candidate.
        self.facts: dict[int, MatchFacts | WorkRow] = {}
        self.by_title: dict[str, list[int]] = defaultdict(list)
        self.by_end: dict[str, list[int]] = defaultdict(list)
        self.ids: dict[tuple[str, str], int] = {}

    def add(self, key: int, work: MatchFacts | WorkRow) -> None:
        self.facts[key] = work
        if work.title_key:
            self.by_title[work.title_key].append(key)
        if isinstance(work, WorkRow):
            head, tail = work.head, work.tail  # title_ends of its title words
        else:
            head, tail = title_ends(work.words)
        if head:
            self.by_end["h" + head].append(key)
            self.by_end["t" + tail].append(key)

    def find(self, record: WorkRow) -> tuple[int, str] | None:
        """The first (oldest) candidate ``match_reason`` accepts, with the reason."""
        same_title = self.by_title.get(record.title_key, ())
        near = [
            *same_title,
            *self.by_end.get("h" + record.head, ()),
            *self.by_end.get("t" + record.tail, ()),
        ]
        if not near:
            return None
        facts = _match_facts(record)
        generic = len(same_title) > 1  # the title recurs: a column, an editorial
        seen: set[int] = set()
        for key in near:
            if key in seen or key not in self.facts:
                continue
            seen.add(key)
            other = self.facts[key]
            if isinstance(other, WorkRow):
                other = self.facts[key] = _match_facts(other)
            reason = match_reason(other, facts, generic=generic)
            if reason:
                return key, reason
        return None

    @classmethod
    def from_catalog(cls, items: list[_Item], memory: _WorkEnds | None = None) -> _Candidates:
        """Catalog works sharing a title head or tail with one of the records,
        loaded with their authors and identifiers. ``memory``, when given, holds
        every catalog work's title ends and year: the same candidates are then
        found without the index lookups."""
        out = cls()
        ends = [(i.record.head, i.record.tail) for i in items]
        heads = sorted({h for h, _ in ends if h})
        tails = sorted({t for _, t in ends if t})
        if not heads:
            return out
        work_table = Work._meta.db_table
        rows: dict[int, CandidateRow] = {}
        near: dict[str, list[int]] = defaultdict(list)
        # Versions are at most two years apart (same_work): around the batch's years.
        years = [i.record.year for i in items if i.record.year is not None]
        window = [min(years) - 2, max(years) + 2] if len(years) == len(items) else [-9999, 9999]
        for column, prefix, values in (("title_head", "h", heads), ("title_tail", "t", tails)):
            if memory is not None:
                for end in values:
                    newest = memory.newest(prefix + end, window[0], window[1])
                    if newest:
                        near[prefix + end] = newest
                continue
            # A head or tail thousands of works share ("Introduction to the ...")
            # says little; its newest PER_END works are candidates, no more, so
            # the cost per record stays bounded as the catalog grows.
            for pk, title, key, year, work_type, end in select_in(
                "SELECT id, title, title_key, year, type, e FROM ("
                f"SELECT id, title, title_key, year, type, {column} AS e, ROW_NUMBER() OVER "
                f'(PARTITION BY {column} ORDER BY id DESC) AS n FROM "{work_table}" '
                f"WHERE (year IS NULL OR year BETWEEN ? AND ?) AND {column} IN ({{in}})"
                f") AS near WHERE n <= {PER_END}",
                values,
                window,
            ):
                rows[pk] = (key, title_words(title), year, work_type)
                near[prefix + end].append(pk)
        if memory is not None:
            wanted = memory.cached(memory.may_match(items, near), rows)
            for pk, title, key, year, work_type in select_in(
                f'SELECT id, title, title_key, year, type FROM "{work_table}" WHERE id IN ({{in}})',
                wanted,
            ):
                rows[pk] = memory.keep(pk, (key, title_words(title), year, work_type))
        # Only works whose title is close to a record's are worth their authors.
        close: set[int] = set()
        for item, (head, tail) in zip(items, ends, strict=True):
            for pk in [*near.get("h" + head, ()), *near.get("t" + tail, ())]:
                if (
                    pk not in close
                    and pk in rows
                    and (
                        rows[pk][0] == item.record.title_key
                        or similar_titles(rows[pk][1], item.record.title_words)
                    )
                ):
                    close.add(pk)
        if not close:
            return out
        ids = sorted(close)
        # A close work no record can join still counts for ``generic`` (a
        # recurring title: the synthetic corpus's works kept are all such),
        # but its authors and identifiers need not be read: ``match_reason``
        # turns it down whatever they are, with none.
        full = ids if memory is None else memory.joinable(ids, rows, items)
        surnames: dict[int, set[str]] = defaultdict(set)
        for work_id, name_key in select_in(
            f'SELECT work_id, name_key FROM "{AuthorshipMention._meta.db_table}" '
            "WHERE work_id IN ({in})",
            full,
        ):
            surnames[work_id].add(name_key.rsplit("_", 1)[0])
        stated: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for work_id, scheme, value in select_in(
            f'SELECT work_id, scheme, value FROM "{WorkIdentifier._meta.db_table}" '
            "WHERE work_id IN ({in})",
            full,
        ):
            if scheme in DISTINCT_SCHEMES:
                stated[work_id].add((scheme, value))
        for pk in ids:
            key, words, year, work_type = rows[pk]
            out.add(
                pk,
                MatchFacts(
                    key,
                    words,
                    year,
                    frozenset(surnames[pk]),
                    work_type == WorkType.PREPRINT,
                    frozenset(stated[pk]),
                ),
            )
        return out


class _WorkEnds:
    """Every catalog work's title head, tail and year, in memory.

    Only while it is certain to be every work: the catalog held none when the
    import's first batch was written, the database is SQLite, and no other
    connection has committed since (``PRAGMA data_version``); each batch
    checks. Candidates found here are then exactly those the ``title_head`` /
    ``title_tail`` lookups would find (the same year window, the newest
    ``PER_END``). Past ``MAX_KEYS`` ends it gives way to the lookups.

    It also holds what ``match_reason`` first weighs of each work, so a
    candidate that cannot be a record's other version is dropped before its
    row is read (``may_match``): its authors' surnames as a 64-bit mask, its
    preprint type, which of the schemes that tell works apart (arXiv id, DOI)
    it has, and its title key's hash: one with the record's title key stays,
    as it counts for ``generic`` titles.
    """

    MAX_KEYS = 1_500_000  # the ends' table then takes at most 32 MB (2^21 slots)
    NO_YEAR = -(2**31)  # years are 1 to 9999 (records.MAX_YEAR)
    PREPRINT = 1
    SCHEME_BITS = {"arxiv": 2, "doi": 4}  # DISTINCT_SCHEMES
    # Candidate rows read from the catalog (and those of the works this run
    # creates), kept for the next batches: a frequent title end brings the
    # same works back batch after batch (the listings: 477,000 candidate rows
    # read, of 143,000 works). At most this many: when full, the older half is
    # dropped; a work's entry goes when it changes. 150,000 hold every work of
    # the listings (50,000 missed 120,000 reads, each a query and a title to
    # tokenise again: 6 % of the import's time), kept compact (``_Kept``).
    # Past ``ROWS_GIVE_WAY`` works the title ends' table grows with every work
    # and the rows give way to it (a third as many): 150,000 rows at a million
    # works peaked at 308 MB.
    MAX_ROWS = 150_000
    ROWS_GIVE_WAY = 300_000

    def __init__(self, raw: object, version: int) -> None:
        self._raw = raw
        self._version = version
        # hash("h" + head) or hash("t" + tail) -> work ids, newest first.
        # Two ends with one 64-bit hash would share their candidates (odds
        # about 1 in 10^7 at a million ends); matching still weighs each one.
        self._ids = IdMultiMap()
        self._years = array("i")
        # Bits of the surnames of every version's authors (a superset once a
        # version is rewritten: that only lets a candidate through).
        self._masks = array("Q")
        self._keys = array("I")  # hash(title key), its low 32 bits
        # PREPRINT for a work whose type is preprint, SCHEME_BITS of the
        # distinct identifiers (arXiv id, DOI) it has in the catalog.
        self._flags = bytearray()
        self._rows: dict[int, _Kept] = {}
        self._lost = False  # out of step with the catalog (never expected): stop using it

    @classmethod
    def start(cls) -> _WorkEnds | None:
        if connection.vendor != "sqlite":
            return None
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT 1 FROM "{Work._meta.db_table}" LIMIT 1')
            if cursor.fetchone() is not None:
                return None
        return cls(connection.connection, _data_version())

    def still_valid(self) -> bool:
        """No other connection changed the database, and the memory is not too big."""
        return (
            connection.connection is self._raw
            and _data_version() == self._version
            and len(self._ids) <= self.MAX_KEYS
            and not self._lost
        )

    def add(
        self, pk: int, head: str, tail: str, year: int | None, key: str, work_type: str
    ) -> None:
        missing = pk + 1 - len(self._years)
        if missing > 0:
            self._years.extend([self.NO_YEAR] * missing)
            self._masks.extend([0] * missing)
            self._keys.extend([0] * missing)
            self._flags.extend(bytes(missing))
        self._years[pk] = self.NO_YEAR if year is None else year
        self._keys[pk] = hash(key) & 0xFFFFFFFF
        kind = self.PREPRINT if work_type == WorkType.PREPRINT else 0
        self._flags[pk] = self._flags[pk] & ~self.PREPRINT | kind
        if head:
            self._ids.add(hash("h" + head), pk)
            self._ids.add(hash("t" + tail), pk)

    def add_scheme(self, pk: int, scheme: str) -> None:
        """Work ``pk`` now has an identifier of ``scheme`` in the catalog."""
        self._flags[pk] |= self.SCHEME_BITS.get(scheme, 0)

    def add_surnames(self, pk: int, mask: int) -> None:
        """A version of work ``pk`` names these authors (their ``surname_mask``)."""
        self._masks[pk] |= mask

    def may_match(self, items: list[_Item], near: dict[str, list[int]]) -> list[int]:
        """The works under the items' heads and tails in ``near`` that may be
        another version of one of them: a surname in common, the same year (at
        most two apart if either is a preprint; or unknown) and no arXiv id or
        DOI where the record has one; or the same title key. ``match_reason``
        turns every other one down: the items are those none of whose
        identifiers the catalog has, so a work's arXiv id or DOI is another."""
        masks, keys, years, flags = self._masks, self._keys, self._years, self._flags
        out: set[int] = set()
        for item in items:
            record = item.record
            if not record.head:
                continue
            key = hash(record.title_key) & 0xFFFFFFFF
            mask, stated, preprint = self._terms(item)
            # ``may_join``'s test, inlined: it runs for every candidate. The
            # batch's year window is wide (a snapshot mixes decades): each
            # record's own is ``years_agree``.
            for ends in (near.get("h" + record.head, ()), near.get("t" + record.tail, ())):
                for pk in ends:
                    if keys[pk] == key or (
                        masks[pk] & mask
                        and not flags[pk] & stated
                        and years_agree(
                            None if years[pk] == self.NO_YEAR else years[pk],
                            record.year,
                            preprint or bool(flags[pk] & self.PREPRINT),
                        )
                    ):
                        out.add(pk)
        return sorted(out)

    def joinable(
        self, pks: list[int], rows: dict[int, CandidateRow], items: list[_Item]
    ) -> list[int]:
        """Of ``pks`` (candidates, their rows in ``rows``), those an item may
        be another version of (``may_join``), of the items that
        ``_Candidates.find`` reaches each from: the same title key, head or
        tail. ``may_match`` also keeps a work for its title key alone."""
        reach: dict[str, list[_Item]] = defaultdict(list)
        for item in items:
            record = item.record
            if record.title_key:
                reach["k" + record.title_key].append(item)
            if record.head:
                reach["h" + record.head].append(item)
                reach["t" + record.tail].append(item)
        out = []
        for pk in pks:
            key, words = rows[pk][0], rows[pk][1]
            head, tail = title_ends(words)
            near = [
                *reach.get("k" + key, ()),
                *(reach.get("h" + head, ()) if head else ()),
                *(reach.get("t" + tail, ()) if head else ()),
            ]
            if any(self.may_join(pk, item) for item in near):
                out.append(pk)
        return out

    def may_join(self, pk: int, item: _Item) -> bool:
        """Whether ``match_reason`` could accept work ``pk`` for the item's
        record, as far as memory tells: a surname bit in common, the years
        (``years_agree``), and no arXiv id or DOI where the record states one
        (the record's are not in the catalog, so the work's is another)."""
        mask, stated, preprint = self._terms(item)
        year = self._years[pk]
        return bool(
            self._masks[pk] & mask
            and not self._flags[pk] & stated
            and years_agree(
                None if year == self.NO_YEAR else year,
                item.record.year,
                preprint or bool(self._flags[pk] & self.PREPRINT),
            )
        )

    def _terms(self, item: _Item) -> tuple[int, int, bool]:
        """What a record brings to ``may_join``: its surname mask, the
        ``SCHEME_BITS`` of its identifiers, whether it is a preprint."""
        stated = 0
        for scheme, _ in item.record.identifiers:
            stated |= self.SCHEME_BITS.get(scheme, 0)
        return item.mask, stated, item.record.type == WorkType.PREPRINT

    def cached(self, pks: list[int], rows: dict[int, CandidateRow]) -> list[int]:
        """Put the kept rows of ``pks`` (title key, title words, year, type) in
        ``rows``; return the ids that must be read from the catalog."""
        kept = self._rows
        wanted = []
        for pk in pks:
            row = kept.get(pk)
            if row is None:
                wanted.append(pk)
            else:
                key, words, year, kind = row
                rows[pk] = (words.replace(" ", "")[:255] if key is None else key, words, year, kind)
        return wanted

    def keep(self, pk: int, row: CandidateRow) -> CandidateRow:
        kept = self._rows
        cap = self.MAX_ROWS if len(self._years) <= self.ROWS_GIVE_WAY else self.MAX_ROWS // 3
        if len(kept) >= cap:
            # Keep the newer half (a new dict: deleting a dict's first keys one
            # by one leaves holes every later first-key lookup walks past).
            kept = self._rows = dict(itertools.islice(kept.items(), len(kept) // 2, None))
        key, words, year, kind = row
        derived = key == words.replace(" ", "")[:255]
        kept[pk] = (None if derived else key, words, year, intern(str(kind)))  # not a WorkType
        return row

    def remove(self, pk: int, head: str, tail: str, year: int | None) -> None:
        self._rows.pop(pk, None)
        if head:
            for key in ("h" + head, "t" + tail):
                if not self._ids.remove(hash(key), pk):
                    self._lost = True

    def newest(self, key: str, low: int, high: int) -> list[int]:
        """The newest ``PER_END`` works under a head ("h...") or tail ("t...")
        whose year is unknown or between ``low`` and ``high``."""
        out: list[int] = []
        years = self._years
        for pk in self._ids.descending(hash(key)):
            year = years[pk]
            if year == self.NO_YEAR or low <= year <= high:
                out.append(pk)
                if len(out) == PER_END:
                    break
        return out


def surname_mask(surnames: Iterable[str]) -> int:
    """One bit of 64 a surname: works without a bit in common share no surname."""
    mask = 0
    for surname in surnames:
        mask |= 1 << (hash(surname) & 63)
    return mask


def _data_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        return int(cursor.fetchone()[0])


def refresh_works(work_ids: set[int], ends: _WorkEnds | None = None) -> None:
    """Recompute the canonical fields of works whose versions changed (and
    their title ends in ``ends``, if given)."""
    if not work_ids:
        return
    ids = sorted(work_ids)
    if ends is not None:
        for pk, head, tail, year in select_in(
            f'SELECT id, title_head, title_tail, year FROM "{Work._meta.db_table}" '
            "WHERE id IN ({in})",
            ids,
        ):
            ends.remove(pk, head, tail, year)
    names: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for version_id, position, name in AuthorshipMention.objects.filter(work_id__in=ids).values_list(
        "version_id", "position", "raw_name"
    ):
        names[version_id].append((position if position is not None else 1 << 30, name))
    venue_names = dict(
        Venue.objects.values_list("id", "name").filter(
            id__in=WorkVersion.objects.filter(work_id__in=ids).values("venue_id")
        )
    )
    grouped: dict[int, list[tuple[int, VersionFacts]]] = defaultdict(list)
    # Ordered: versions that tie on rank are summarised in id order, the same on every engine.
    for v in (
        WorkVersion.objects.filter(work_id__in=ids)
        .order_by("work_id", "id")
        .only(
            "id",
            "work_id",
            "source",
            "title",
            "abstract",
            "year",
            "date",
            "type",
            "venue_id",
            "venue_raw",
            "journal_ref",
            "rank",
        )
    ):
        grouped[v.work_id].append(
            (
                v.rank,
                VersionFacts(
                    source=v.source,
                    title=v.title,
                    title_key=title_key(v.title),
                    abstract=v.abstract,
                    year=v.year,
                    date=v.date,
                    type=v.type,
                    venue_id=v.venue_id,
                    venue_name=venue_names.get(v.venue_id, "") if v.venue_id else v.venue_raw,
                    journal_ref=v.journal_ref,
                    author_names=tuple(n for _, n in sorted(names[v.pk])),
                ),
            )
        )
    for work_id, versions in grouped.items():
        facts = summarize(versions)
        head, tail = title_ends(title_words(facts.title))
        if ends is not None:
            ends.add(work_id, head, tail, facts.year, facts.title_key, facts.type)
        Work.objects.filter(pk=work_id).update(
            title=facts.title,
            title_key=facts.title_key,
            title_head=head,
            title_tail=tail,
            abstract=facts.abstract,
            year=facts.year,
            date=facts.date,
            type=facts.type,
            venue_id=facts.venue_id,
            venue_name=facts.venue_name[:500],
            also_preprint=facts.also_preprint,
            authors_text=facts.authors_text,
            updated_at=timezone.now(),
        )
