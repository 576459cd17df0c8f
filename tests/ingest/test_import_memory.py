"""An import into an empty catalog finds version candidates in memory and
builds some indexes at its end: the rows must be exactly those the catalog
lookups give, batch after batch."""

from __future__ import annotations

import json
import random

import pytest
from django.db import connection

from bzpeer.catalog.bulk import deferred_indexes, existing_indexes
from bzpeer.catalog.models import SourceRecord, Work, WorkType, WorkVersion
from bzpeer.ingest import candidates, work_ends
from bzpeer.ingest.batch import BatchItem, surname_mask
from bzpeer.ingest.pipeline import run_import
from bzpeer.ingest.records import Chunk, ParsedAuthor, ParsedWork
from bzpeer.ingest.rows import compact
from bzpeer.ingest.work_ends import CandidateRow, WorkEnds

pytestmark = pytest.mark.django_db

WORDS = [
    "sparse",
    "graph",
    "neural",
    "model",
    "learning",
    "data",
    "network",
    "robust",
    "fast",
    "deep",
]
SURNAMES = [
    "Abiteboul",
    "Cluet",
    "Milo",
    "Chen",
    "Wang",
    "Lovelace",
    "Babbage",
    "Hopper",
    "Knuth",
    "Liskov",
]


def _corpus(seed: int = 5, families: int = 150) -> str:
    """OpenAlex works in families of versions: typos, subtitles, remarks,
    years apart, preprints and articles, shared and conflicting DOIs, and
    titles from a small vocabulary so that heads and tails collide."""
    rng = random.Random(seed)
    lines: list[tuple[int, str]] = []
    serial = 0
    for family in range(families):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))).capitalize()
        people = rng.sample(SURNAMES, rng.randint(1, 4))
        year = rng.choice([1990, 2001, 2002, 2005, 2015, None])
        for _ in range(rng.randint(1, 4)):
            serial += 1
            variant = title
            roll = rng.random()
            if roll < 0.2:
                variant = title[:-1] + "x"
            elif roll < 0.35:
                variant = title + ": a study"
            elif roll < 0.45:
                variant = title + " (extended abstract)"
            elif roll < 0.5:
                variant = "Introduction to " + title.lower()
            names = people if rng.random() < 0.8 else [*people[:-1], rng.choice(SURNAMES)]
            work: dict[str, object] = {
                "id": f"https://openalex.org/W{1000 + serial}",
                "title": variant,
                "publication_year": None if year is None else year + rng.choice([0, 0, 1, 3]),
                "type": rng.choice(["article", "preprint", "proceedings-article"]),
                "authorships": [
                    {"author": {"display_name": f"{rng.choice('ABCD')}. {name}"}} for name in names
                ],
            }
            if rng.random() < 0.2:
                work["doi"] = f"10.1000/f{family}.{rng.randint(0, 1)}"
            lines.append((work["publication_year"] or 0, json.dumps(work)))
    rng.shuffle(lines)
    lines.sort(key=lambda line: line[0])  # by year, as listings come: batches span a few years
    return "\n".join(line for _, line in lines) + "\n"


def _snapshot() -> dict[str, tuple[object, ...]]:
    """Per source record: the records of its work, how it joined, the work's fields."""
    members: dict[int, set[str]] = {}
    rows = list(
        WorkVersion.objects.values_list(
            "source_record__external_id",
            "work_id",
            "link_evidence",
            "work__title",
            "work__title_head",
            "work__title_tail",
            "work__year",
            "work__type",
            "work__authors_text",
        )
    )
    for external_id, work_id, *_ in rows:
        members.setdefault(work_id, set()).add(external_id)
    return {
        external_id: (frozenset(members[work_id]), *rest) for external_id, work_id, *rest in rows
    }


def _empty_catalog() -> None:
    Work.objects.all().delete()
    SourceRecord.objects.all().delete()


def test_candidates_from_memory_are_those_of_the_catalog(write, monkeypatch, settings):
    settings.BZPEER_IMPORT_BATCH = 13  # many batches: candidates from earlier ones
    monkeypatch.setattr(candidates, "PER_END", 2)  # the newest-per-end cap and year window bind
    # Kept candidate rows overflow and halve, then give way to the ends past 200 works.
    monkeypatch.setattr(WorkEnds, "MAX_ROWS", 60)
    monkeypatch.setattr(WorkEnds, "ROWS_GIVE_WAY", 200)
    path = write("works.jsonl", _corpus())
    used = []
    newest = WorkEnds.newest

    def spy(self: WorkEnds, key: str, low: int, high: int, limit: int) -> list[int]:
        used.append(key)
        return newest(self, key, low, high, limit)

    monkeypatch.setattr(WorkEnds, "newest", spy)
    _empty_catalog()
    run_import("openalex", [path], show_progress=False, resolve=False)
    from_memory = _snapshot()
    assert deferred_indexes().keys() <= existing_indexes()
    if connection.vendor == "sqlite":
        assert used  # the memory was used
    _empty_catalog()
    monkeypatch.setattr(WorkEnds, "start", classmethod(lambda cls: None))
    run_import("openalex", [path], show_progress=False, resolve=False)
    from_catalog = _snapshot()
    if connection.vendor == "sqlite":
        assert from_memory == from_catalog
    else:  # no memory on PostgreSQL; which of equal versions leads follows row order
        assert {k: v[0] for k, v in from_memory.items()} == {
            k: v[0] for k, v in from_catalog.items()
        }
    works = {v[0] for v in from_catalog.values()}
    assert len(works) < len(from_catalog)  # versions were joined
    assert any("near-identical" in v[1] for v in from_catalog.values())


def test_a_catalog_that_is_not_empty_is_looked_up(write, monkeypatch):
    monkeypatch.setattr(
        WorkEnds, "newest", lambda *a: pytest.fail("memory used on a non-empty catalog")
    )
    path = write("works.jsonl", _corpus(seed=6, families=10))
    assert run_import("openalex", [path], show_progress=False, resolve=False).stats.new > 0


def test_memory_given_up_mid_run_gives_the_same_rows(write, monkeypatch, settings):
    """Another connection commits mid-run: the writer turns to the catalog's
    lookups and builds the indexes it had dropped, inside the batch."""
    settings.BZPEER_IMPORT_BATCH = 13
    monkeypatch.setattr(candidates, "PER_END", 2)
    path = write("works.jsonl", _corpus(seed=7))
    real = work_ends.data_version
    calls = iter(range(10**6))
    monkeypatch.setattr(work_ends, "data_version", lambda: real() + (next(calls) >= 6))
    _empty_catalog()
    run_import("openalex", [path], show_progress=False, resolve=False)
    given_up = _snapshot()
    assert deferred_indexes().keys() <= existing_indexes()
    _empty_catalog()
    monkeypatch.setattr(WorkEnds, "start", classmethod(lambda cls: None))
    run_import("openalex", [path], show_progress=False, resolve=False)
    from_catalog = _snapshot()
    key = slice(None) if connection.vendor == "sqlite" else slice(0, 1)
    assert {k: v[key] for k, v in given_up.items()} == {k: v[key] for k, v in from_catalog.items()}


def test_kept_candidate_rows_come_back_as_they_were_kept():
    ends = WorkEnds(None, 0)
    rows = {
        1: ("sparsegraphs", "sparse graphs", 2001, WorkType.PREPRINT),  # a summary's type
        2: ("sparsegraphstutorial", "sparse graphs", None, "article"),  # a remark dropped
        3: ("x" * 255, " ".join(["x" * 100] * 3), 1999, "book"),  # a key cut at 255
    }
    for pk, row in rows.items():
        ends.keep(pk, row)
    found: dict[int, CandidateRow] = {}
    assert ends.cached([1, 2, 3, 4], found) == [4]
    assert found == rows


def test_candidates_that_cannot_match_are_not_read():
    """A work under a record's title end with none of its authors' surnames,
    another year (more than two apart if either is a preprint), or a DOI
    where the record has one the catalog does not know, cannot be its other
    version: its row is not read, unless its title key is the record's (it
    counts for recurring titles)."""
    record = compact(
        ParsedWork(
            source="openalex",
            external_id="W1",
            title="Sparse graphs in practice",
            year=2001,
            type=WorkType.JOURNAL_ARTICLE,
            authors=(ParsedAuthor("Ada Chen", 0), ParsedAuthor("Bo Wang", 1)),
            identifiers=(("doi", "10.1000/sparse"),),
        )
    )
    mine = surname_mask(record.surnames)
    # A surname whose bit is not one of the record's (64 bits, per process hash).
    other = next(s for s in (n.lower() for n in SURNAMES) if not surname_mask([s]) & mine)
    ends = WorkEnds(None, 0)
    article, preprint = WorkType.JOURNAL_ARTICLE, WorkType.PREPRINT
    works = {
        1: ("sparsegraphsinpractice", {"wang"}, 2001, article),  # shares Wang
        2: ("sparsegraphsinpractice", {other}, 1990, article),  # the record's title key
        3: ("sparsegraphsinpracticeii", {other}, 2001, article),  # no surname shared
        4: ("sparsegraphstheory", {other, "chen"}, 2003, preprint),  # a preprint 2 years on
        5: ("sparsegraphstheory", {"chen"}, 1998, preprint),  # a preprint 3 years before
        6: ("sparsegraphstheory", {"chen"}, None, article),  # year unknown
        7: ("sparsegraphstheory", {"chen"}, 2002, article),  # published a year on
        8: ("sparsegraphstheory", {"chen"}, 2001, article),  # another DOI
    }
    for pk, (key, surnames, year, kind) in works.items():
        ends.add(pk, record.head, record.tail, year, key, kind)
        ends.add_surnames(pk, surname_mask(surnames))
    ends.add_scheme(8, "doi")
    ends.add_scheme(1, "arxiv")  # the record has none: no conflict
    near = {"h" + record.head: [8, 7, 6, 5, 4, 3, 2, 1], "t" + record.tail: [3, 1]}

    def kept(**changes: object) -> list[int]:
        item = BatchItem(Chunk("openalex", "x", "{}"), record._replace(**changes), "")
        return ends.may_match([item], near)

    assert kept() == [1, 2, 4, 6]
    assert kept(type=preprint) == [1, 2, 4, 6, 7]  # a preprint: two years either side
    assert kept(year=None) == [1, 2, 4, 5, 6, 7]
    assert kept(identifiers=()) == [1, 2, 4, 6, 8]

    # Of those kept, a work kept for its title key alone counts for recurring
    # titles, but no record can join it: its authors and identifiers are not
    # read (``joinable``), unless another record of the batch that reaches it
    # (by title key, head or tail) may join it.
    rows = {
        # Title words with the record's head, as the works under it have.
        pk: (
            key,
            "sparse graphs in practice" if pk < 4 else "sparse graphs in practical",
            year,
            kind,
        )
        for pk, (key, _, year, kind) in works.items()
    }
    item = BatchItem(Chunk("openalex", "x", "{}"), record, "")
    assert ends.joinable([1, 2, 4, 6], rows, [item]) == [1, 4, 6]
    same_title = record._replace(
        external_id="W2", year=1990, surnames=frozenset({other}), identifiers=()
    )
    other_item = BatchItem(Chunk("openalex", "y", "{}"), same_title, "")
    assert ends.joinable([1, 2, 4, 6], rows, [item, other_item]) == [1, 2, 4, 6]
