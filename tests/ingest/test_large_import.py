"""A large import into the populated demo catalog: no statement may grow with
the size of the input (issue 27). The database's limit on parameters per
statement is lowered for these tests (SQLite: the connection's own limit;
PostgreSQL, which binds client-side and has none, a cursor that refuses the
same), so a few thousand mentions stand for the millions that hit SQLite's
250,000 in production. And a run killed during resolution, imported again,
ends as a clean run does."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from bzpeer.catalog.models import Author, AuthorshipMention, SourceRecord
from bzpeer.ingest.models import ImportRun
from bzpeer.ingest.pipeline import run_import
from bzpeer.resolve import authors as resolution

pytestmark = pytest.mark.django_db

# Parameters a statement may take here: above the fixed slices the import
# path reads and writes in (``bulk.select_in``'s 900, the search index's
# 2,000 records), far below what the input below would need in one statement.
LIMIT = 2048


@dataclass(frozen=True)
class Person:
    name: str
    openalex: str
    orcid: str | None


def _people(count: int, rng: random.Random) -> list[Person]:
    """Distinct made-up people, most in a name block of their own."""
    syllables = ["ka", "lo", "mi", "ren", "to", "sa", "vu", "de", "qui", "zor", "bel", "fa"]
    given = ["Ava", "Bram", "Cleo", "Dario", "Esme", "Faye", "Gil", "Hana", "Ivo", "Juno"]
    seen: set[str] = set()
    out: list[Person] = []
    while len(out) < count:
        surname = "".join(rng.choice(syllables) for _ in range(3)).capitalize() + "x"
        name = f"{rng.choice(given)} {surname}"
        if name in seen:
            continue
        seen.add(name)
        n = len(out)
        orcid = _orcid(f"000000021{n:06d}") if n % 2 else None
        out.append(Person(name, f"https://openalex.org/A77{n:08d}", orcid))
    return out


def _orcid(digits: str) -> str:
    """An ORCID of 15 digits and its ISO 7064 11-2 check digit."""
    total = 0
    for d in digits:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    full = digits + ("X" if check == 10 else str(check))
    return "https://orcid.org/" + "-".join(full[i : i + 4] for i in range(0, 16, 4))


def _corpus(path: Path, works: int, people: int) -> dict[str, int]:
    """OpenAlex JSON lines of ``works`` works by three of ``people`` people;
    how many works each person's OpenAlex id is on."""
    rng = random.Random(27)
    pool = _people(people, rng)
    counts: dict[str, int] = {}
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for n in range(works):
            team = rng.sample(pool, 3)
            for p in team:
                counts[p.openalex] = counts.get(p.openalex, 0) + 1
            line = {
                "id": f"https://openalex.org/W77{n:08d}",
                "doi": f"https://doi.org/10.99999/large.{n}",
                "title": f"Generated study {n} of {rng.choice(['flux', 'grain', 'tide'])} {n * 7}",
                "publication_year": 2000 + n % 24,
                "type": "article",
                "authorships": [
                    {
                        "author_position": "first" if i == 0 else "middle",
                        "author": {"id": p.openalex, "display_name": p.name, "orcid": p.orcid},
                        "raw_author_name": p.name,
                        "institutions": [],
                        "raw_affiliation_strings": [],
                    }
                    for i, p in enumerate(team)
                ],
            }
            out.write(json.dumps(line) + "\n")
    return counts


def _bounded_cursor(base: type) -> type:
    """A psycopg cursor class that refuses a statement of over ``LIMIT`` parameters."""

    def check(params: Any) -> None:
        if params is not None and len(params) > LIMIT:
            raise AssertionError(f"a statement with {len(params)} parameters (limit {LIMIT})")

    class Bounded(base):  # type: ignore[misc,valid-type]
        def execute(self, query: Any, params: Any = None, **kw: Any) -> Any:
            check(params)
            return super().execute(query, params, **kw)

        def executemany(self, query: Any, params_seq: Any, **kw: Any) -> Any:
            rows = list(params_seq)
            for params in rows:
                check(params)
            return super().executemany(query, rows, **kw)

    return Bounded


@pytest.fixture
def few_variables() -> Iterator[None]:
    """At most ``LIMIT`` parameters per statement, on either engine."""
    connection.ensure_connection()
    raw: Any = connection.connection
    if connection.vendor == "sqlite":
        before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)
        try:
            yield
        finally:
            raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
        return
    before = raw.cursor_factory
    raw.cursor_factory = _bounded_cursor(before)
    try:
        yield
    finally:
        raw.cursor_factory = before


@pytest.fixture
def small_batches(settings: Any) -> None:
    """Batches of 200 records: a batch's own statements stay within the limit,
    and the run spans many of them, as a large one does."""
    settings.BZPEER_IMPORT_BATCH = 200


def _new_mentions() -> Any:
    return AuthorshipMention.objects.filter(version__source_record__external_id__startswith="W77")


def _queued_refresh() -> set[int]:
    """The records whose trust refresh is queued (for ``bzpeer worker``)."""
    queued: set[int] = set()
    for args in DBTaskResult.objects.filter(task_path__endswith="refresh_trust").values_list(
        "args_kwargs", flat=True
    ):
        queued.update(args["args"][0])
    return queued


def _end_state() -> dict[str, Any]:
    """What a clean run and a resumed one must agree on, ids aside (PostgreSQL's
    sequences do not roll back): the records, their counts and their mentions,
    and their trust refresh queued."""
    clusters: dict[int, list[str]] = {}
    for author_id, external_id, position in _new_mentions().values_list(
        "author_id", "version__source_record__external_id", "position"
    ):
        clusters.setdefault(author_id, []).append(f"{external_id}/{position}")
    records = sorted(
        Author.objects.filter(pk__in=_new_mentions().values("author_id")).values_list(
            "display_name", "slug", "openalex_id", "orcid", "works_count"
        ),
        key=str,
    )
    digest = hashlib.sha256(
        json.dumps([records, sorted(sorted(c) for c in clusters.values())]).encode()
    ).hexdigest()
    return {
        "authors": Author.objects.count(),
        # Records the import touched and whose trust refresh is not queued.
        "not_queued": len(set(clusters) - _queued_refresh()),
        "assigned": AuthorshipMention.objects.filter(author__isnull=False).count(),
        "unassigned": AuthorshipMention.objects.filter(author__isnull=True).count(),
        "digest": digest,
    }


WORKS, PEOPLE = 2600, 2400


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[str, dict[str, int]]:
    path = tmp_path / "large.jsonl.gz"
    return str(path), _corpus(path, WORKS, PEOPLE)


def test_a_large_import_resolves_every_mention_within_the_limit(
    corpus: tuple[str, dict[str, int]], few_variables: None, small_batches: None
) -> None:
    path, counts = corpus
    authors_before = Author.objects.count()
    result = run_import("openalex", [path], show_progress=False)
    assert result.stats.new == WORKS
    run = ImportRun.objects.get(pk=result.run_id)
    assert run.status == ImportRun.Status.DONE
    assert not AuthorshipMention.objects.filter(author__isnull=True).exists()
    assert _new_mentions().count() == 3 * WORKS
    # One record per person, holding every work of theirs, counted.
    found = dict(
        Author.objects.filter(openalex_id__startswith="A77").values_list(
            "openalex_id", "works_count"
        )
    )
    assert found == {key.rsplit("/", 1)[1]: n for key, n in counts.items()}
    assert Author.objects.count() == authors_before + len(counts)


class Killed(Exception):
    pass


def _kill_after(groups: int) -> Callable[..., None]:
    """``_resolve_group`` that dies on its call after ``groups`` good ones."""
    real = resolution._resolve_group
    calls = {"n": 0}

    def resolve_group(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] > groups:
            raise Killed("killed mid-resolution")
        real(*args, **kwargs)

    return resolve_group


def test_a_run_killed_mid_resolution_resumes_to_the_clean_end_state(
    corpus: tuple[str, dict[str, int]],
    few_variables: None,
    small_batches: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _ = corpus
    monkeypatch.setattr(resolution, "GROUP_BLOCKS", 300)  # several groups

    class Discard(Exception):
        pass

    with contextlib.suppress(Discard), transaction.atomic():
        run_import("openalex", [path], show_progress=False)
        clean = _end_state()
        raise Discard  # back to the demo catalog alone

    assert not SourceRecord.objects.filter(external_id__startswith="W77").exists()
    with monkeypatch.context() as patch:
        patch.setattr(resolution, "_resolve_group", _kill_after(2))
        with pytest.raises(Killed):
            run_import("openalex", [path], show_progress=False)
    run = ImportRun.objects.filter(source="openalex").latest("id")
    assert run.status == ImportRun.Status.FAILED
    partly = _new_mentions().filter(author__isnull=False).count()
    assert 0 < partly < 3 * WORKS  # two groups landed, the rest did not

    again = run_import("openalex", [path], show_progress=False)
    assert again.run_id == run.pk  # the same run, carried on
    assert again.stats.new == WORKS  # the counts of the first attempt, kept
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.DONE
    assert _end_state() == clean
    assert clean["unassigned"] == 0
    assert clean["not_queued"] == 0
