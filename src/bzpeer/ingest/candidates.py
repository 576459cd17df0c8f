"""Which work a new record is another version of: a shared identifier first,
then ``match_reason`` over candidate works, those with the same title key or
the same title head or tail (``Candidates``), from the catalog (or the title
ends ``WorkEnds`` keeps in memory) and from earlier records of the batch."""

from __future__ import annotations

from collections import defaultdict

from bzpeer.catalog.bulk import select_in
from bzpeer.catalog.models import AuthorshipMention, Work, WorkIdentifier, WorkType
from bzpeer.catalog.titles import title_ends, title_words
from bzpeer.resolve.works import DISTINCT_SCHEMES, MatchFacts, match_reason, similar_titles

from .batch import BatchItem
from .rows import WorkRow
from .work_ends import CandidateRow, WorkEnds

PER_END = 50  # candidate works per title head or tail

_ID_LABELS = {"doi": "DOI", "arxiv": "arXiv id", "openalex": "OpenAlex id", "dblp": "DBLP key"}


def joined(
    record: WorkRow,
    ids: dict[tuple[str, str], int],
    candidates: Candidates,
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


class Candidates:
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
    def from_catalog(cls, items: list[BatchItem], memory: WorkEnds | None = None) -> Candidates:
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
                    newest = memory.newest(prefix + end, window[0], window[1], PER_END)
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
