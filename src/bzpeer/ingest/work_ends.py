"""The title ends of every catalog work, in memory, while an import writes
into an empty catalog (``WorkEnds``): the candidates of a record are then
found without the catalog's ``title_head`` / ``title_tail`` indexes, which
the import drops meanwhile and builds once at its end."""

from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from sys import intern

from django.db import connection

from bzpeer.catalog.models import Work, WorkType
from bzpeer.catalog.titles import title_ends
from bzpeer.resolve.works import years_agree

from .batch import BatchItem
from .multimap import IdMultiMap

# A candidate work as matching reads it: (title key, title words, year, type).
CandidateRow = tuple[str, str, int | None, str]
# As ``WorkEnds`` keeps one: no title key when it is the title words' letters
# (most titles: the key is then one string less a row), the type interned.
_Kept = tuple[str | None, str, int | None, str]


class WorkEnds:
    """Every catalog work's title head, tail and year, in memory.

    Only while it is certain to be every work: the catalog held none when the
    import's first batch was written, the database is SQLite, and no other
    connection has committed since (``PRAGMA data_version``); each batch
    checks. Candidates found here are then exactly those the ``title_head`` /
    ``title_tail`` lookups would find (the same year window, the newest
    ``candidates.PER_END``). Past ``MAX_KEYS`` ends it gives way to the lookups.

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
    def start(cls) -> WorkEnds | None:
        if connection.vendor != "sqlite":
            return None
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT 1 FROM "{Work._meta.db_table}" LIMIT 1')
            if cursor.fetchone() is not None:
                return None
        return cls(connection.connection, data_version())

    def still_valid(self) -> bool:
        """No other connection changed the database, and the memory is not too big."""
        return (
            connection.connection is self._raw
            and data_version() == self._version
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

    def may_match(self, items: list[BatchItem], near: dict[str, list[int]]) -> list[int]:
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
        self, pks: list[int], rows: dict[int, CandidateRow], items: list[BatchItem]
    ) -> list[int]:
        """Of ``pks`` (candidates, their rows in ``rows``), those an item may
        be another version of (``may_join``), of the items that
        ``Candidates.find`` reaches each from: the same title key, head or
        tail. ``may_match`` also keeps a work for its title key alone."""
        reach: dict[str, list[BatchItem]] = defaultdict(list)
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

    def may_join(self, pk: int, item: BatchItem) -> bool:
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

    def _terms(self, item: BatchItem) -> tuple[int, int, bool]:
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

    def newest(self, key: str, low: int, high: int, limit: int) -> list[int]:
        """The newest ``limit`` works under a head ("h...") or tail ("t...")
        whose year is unknown or between ``low`` and ``high``."""
        out: list[int] = []
        years = self._years
        for pk in self._ids.descending(hash(key)):
            year = years[pk]
            if year == self.NO_YEAR or low <= year <= high:
                out.append(pk)
                if len(out) == limit:
                    break
        return out


def data_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        return int(cursor.fetchone()[0])
