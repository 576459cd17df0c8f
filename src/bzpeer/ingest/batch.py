"""What one import run carries from record to record: its counts (``Stats``),
each work record of a batch on its way into the catalog (``BatchItem``), and
the source records the run has already written (``RecordMarks``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from .records import Chunk
from .rows import WorkRow


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


@dataclass
class BatchItem:
    """A work record of the batch being written, and what the writer learns of it."""

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


def surname_mask(surnames: Iterable[str]) -> int:
    """One bit of 64 a surname: works without a bit in common share no surname."""
    mask = 0
    for surname in surnames:
        mask |= 1 << (hash(surname) & 63)
    return mask
