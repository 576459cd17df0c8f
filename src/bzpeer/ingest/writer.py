"""Write parsed records into the catalog, a batch at a time.

A record is new, updated (its raw text changed) or unchanged (same hash): an
import run twice writes nothing the second time. Works are matched on shared
identifiers (DOI, arXiv id, OpenAlex id) and, failing that, on the same
normalised title with a close year and a shared author surname.

The writer orchestrates a batch; the parts live beside it: the records' form
(``rows``), what a run carries (``batch``), matching (``candidates``, with
``work_ends`` in memory), entities (``entities``), the rows a version brings
(``version_rows``) and works' canonical rows (``canonical``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.utils import timezone

from bzpeer.catalog.bulk import (
    allocate_ids,
    dates_as_text,
    drop_deferred_indexes,
    insert_rows,
    restore_indexes,
    select_in,
    timestamp,
)
from bzpeer.catalog.models import (
    AuthorshipMention,
    SourceRecord,
    WorkIdentifier,
    WorkTopic,
    WorkVersion,
)

from .batch import BatchItem, RecordMarks, Stats
from .candidates import Candidates, joined
from .canonical import create_works, refresh_works
from .entities import Entities
from .records import Chunk, Parsed, ParsedWork
from .rows import WorkRow, compact
from .version_rows import keep_authors, write_identifiers, write_mentions, write_references
from .work_ends import WorkEnds


class Writer:
    """Holds caches across batches of one import run.

    ``ends_in_memory``: if the catalog holds no work when the first batch is
    written (SQLite only), keep the title ends of the works this run writes in
    memory (``WorkEnds``) instead of looking them up in the catalog's indexes,
    and drop the indexes nothing reads meanwhile (``bulk.deferred_indexes``);
    the caller builds them again with ``bulk.restore_indexes`` at the end.
    """

    def __init__(self, ends_in_memory: bool = False) -> None:
        self.entities = Entities()  # venues, topics, institutions met, by id
        # Source records this run wrote or found unchanged: a record that
        # comes again later in the run is skipped (the first one wins).
        self._marks = RecordMarks()
        self._predicted: bool | None = None  # whether any topic was predicted (enrich)
        self._ends_wanted = ends_in_memory
        self._ends: WorkEnds | None = None

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
            self._ends = WorkEnds.start()
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
            self.entities.write(chunk, record, digest, stats, self._marks)

    # -- works ---------------------------------------------------------------

    def _write_works(self, incoming: list[tuple[Chunk, WorkRow, str]], stats: Stats) -> None:
        now = timezone.now()
        stamp = timestamp(now)
        by_source: dict[str, list[BatchItem]] = defaultdict(list)
        for chunk, record, digest in incoming:
            by_source[record.source].append(BatchItem(chunk, record, digest))
        new_items: list[BatchItem] = []
        changed: list[BatchItem] = []
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
        venue_ids = self.entities.venue_ids(i.record for i in [*new_items, *changed])
        catalog_ids = self._assign_works(new_items)
        create_works(new_items, venue_ids, self._ends)
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
        identifiers = write_identifiers(written)
        write_mentions(written, self.entities)
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
        write_references(written)
        refresh_works(
            {i.work_id for i in new_items if i.new_work is None and i.work_id}
            | {i.work_id for i in changed if i.work_id},
            self._ends,
        )
        stats.new += len(new_items)
        stats.updated += len(changed)

    def _version_row(
        self, item: BatchItem, venue_ids: dict[str, int], as_text: bool = False
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

    def _update_version(self, item: BatchItem, venue_ids: dict[str, int]) -> None:
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

    def _assign_works(self, items: list[BatchItem]) -> set[tuple[str, str]]:
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
        catalog = Candidates.from_catalog(open_items, self._ends)
        local = Candidates()
        new_count = 0
        for item in items:
            record = item.record
            work_id, item.evidence = joined(record, known, catalog)
            if work_id is not None:
                item.work_id = work_id
                for ident in record.identifiers:
                    known.setdefault(ident, work_id)
                continue
            index, item.evidence = joined(record, local.ids, local)
            if index is None:
                index = new_count
                new_count += 1
                local.add(index, record)
            item.new_work = index
            for ident in record.identifiers:
                local.ids.setdefault(ident, index)
        return catalog_ids

    def _write_topics(self, items: list[BatchItem]) -> None:
        rows = {}
        topic_id_of = self.entities.topic_id_of
        for item in items:
            for ref in item.record.topics:
                rows[(item.work_id, topic_id_of(ref))] = ref[2]
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
