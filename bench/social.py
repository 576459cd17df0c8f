"""Server time of the feed (issue 24): ``bzpeer.social.feed.feed()`` and the
``/feed`` page for an account following 500 researchers, on a catalog of N
generated works; p50, p95 and max.

    .venv/bin/python bench/social.py [--works 1000000] [--follows 500] [--runs 100]
        [--corpus var/corpus.jsonl.gz] [--db PATH]

The catalog is the one bench/graph_slice.py measures: the synthetic corpus
(bench/make_corpus.py, ``--works`` works, kept at ``--corpus`` and reused)
imported and resolved as ``bzpeer import openalex`` does, in a fresh process,
into a temporary SQLite database. ``--db PATH`` keeps that database, or
reuses it when the file exists (a million works took 13 minutes to import
and resolve here).

Four accounts, created for the run and deleted after it, follow researchers
with works: ``--follows`` drawn at random (seeded, without replacement) with
probability proportional to their works (readers meet prolific people more
often); as many drawn evenly (each record alike: a lighter feed); as many of
the most prolific (the worst case); and one researcher, the median of the
first draw (the baseline). Each account is timed on page 1 and page 2 (the
``before`` cursor of page 1): ``feed()`` alone, and the page through Django's
test client with ``force_login`` if ``/feed`` is routed (server time:
routing, session, the feed, author lists, the count of what is followed,
template). The first account's page-1 works read by id (``in_bulk``, the
last of feed()'s queries alone) are the floor. Cases are timed in
turns, one call each per round after ``--warm`` rounds, so that the host's
drift hits them alike.

Target (issue 24): p95 <= 50 ms server time, 500 follows, 1,000,000 works.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from common import HERE, ensure_corpus

PREFIX = "bench-social-"


def default_corpus(works: int) -> Path:
    """graph_slice's corpus for the default size; a file per size otherwise,
    so that a quick run does not leave a small corpus where a large one is
    expected."""
    name = "corpus.jsonl.gz" if works == 1_000_000 else f"corpus-{works}.jsonl.gz"
    return HERE.parent / "var" / name


def build(corpus: str) -> None:
    """In a fresh process configured for the database: import and resolve."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bzpeer.ingest.pipeline import run_import

    call_command("migrate", verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):
        run_import("openalex", [corpus], show_progress=False)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()  # the last connection removes the write-ahead log


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))], ordered[-1]


def timed(cases: dict[str, Callable[[], object]], runs: int, warm: int) -> dict[str, list[float]]:
    """Each case once per round, in turns; ``warm`` rounds untimed first."""
    samples: dict[str, list[float]] = {label: [] for label in cases}
    for round_ in range(warm + runs):
        for label, call in cases.items():
            begun = time.perf_counter()
            call()
            if round_ >= warm:
                samples[label].append((time.perf_counter() - begun) * 1000)
    return samples


def measure(follows: int, runs: int, warm: int) -> None:
    """In the configured process: create the accounts, time, delete them."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    from bzpeer.catalog.models import Author, Work
    from bzpeer.catalog.queries import raw_rows
    from bzpeer.social import feed as feeds
    from bzpeer.social.models import Follow

    live = Author.objects.filter(merged_into=None, works_count__gt=0).order_by("id")
    authors = list(live.values_list("id", "works_count"))
    uniform = random.Random(24).sample(authors, min(follows, len(authors)))
    rng = random.Random(24)  # weighted sampling without replacement (Efraimidis-Spirakis)
    drawn = sorted(authors, key=lambda a: rng.random() ** (1 / a[1]), reverse=True)[:follows]
    prolific = sorted(authors, key=lambda a: (-a[1], a[0]))[:follows]
    median = sorted(drawn, key=lambda a: (a[1], a[0]))[len(drawn) // 2]
    chosen = {
        f"{len(drawn)} drawn by works": drawn,
        f"{len(uniform)} drawn evenly": uniform,
        f"{len(prolific)} most prolific": prolific,
        "1 researcher": [median],
    }
    try:
        page_url: str | None = "/feed"
        resolve("/feed")
    except Resolver404:
        page_url = None

    users = get_user_model().objects
    users.filter(username__startswith=PREFIX).delete()  # left by a run that was killed
    accounts = {}
    for n, (label, picked) in enumerate(chosen.items()):
        user = users.create_user(username=f"{PREFIX}{n}")
        Follow.objects.bulk_create(Follow(user=user, author_id=a) for a, _ in picked)
        accounts[label] = user
    clients: list[Client] = []
    try:
        print(
            f"catalog: {Work.objects.count():,} works, {len(authors):,} live author records "
            f"with works (most prolific: {prolific[0][1]:,} works)"
        )
        print(f"{'account follows':<22} {'median works':>12} {'sum of works':>12} {'in feed':>9}")
        for label, picked in chosen.items():
            (scope,) = raw_rows(
                f"SELECT COUNT(*) FROM ({feeds._FOLLOWED_IDS})",
                [accounts[label].pk] * 3,
            )[0]
            works = [w for _, w in picked]
            print(f"{label:<22} {statistics.median(works):>12.0f} {sum(works):>12,} {scope:>9,}")
        cases: dict[str, Callable[[], object]] = {}
        first_ids: list[int] = []
        for label, user in accounts.items():
            page1 = feeds.feed(user.pk)
            cursor = feeds.next_cursor(page1)
            first_ids = first_ids or [w.pk for w in page1]
            cases[f"feed(), {label}, page 1"] = partial(feeds.feed, user.pk)
            if cursor is not None:
                cases[f"feed(), {label}, page 2"] = partial(feeds.feed, user.pk, cursor)
            if page_url:
                client = Client()
                client.force_login(user)
                clients.append(client)
                for url in [page_url, f"{page_url}?before={cursor}" if cursor else None]:
                    if url is None:
                        continue
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                    page = "page 1" if url == page_url else "page 2"
                    cases[f"/feed, {label}, {page}"] = partial(client.get, url)
        cases["25 works by id (floor)"] = partial(Work.objects.in_bulk, first_ids)

        first, user = next(iter(accounts.items()))
        page1 = feeds.feed(user.pk)
        shown: list[str] = []
        for label, before in [("page 1", None), ("page 2", feeds.next_cursor(page1))]:
            with CaptureQueriesContext(connection) as queries:
                feeds.feed(user.pk, before)
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + queries.captured_queries[0]["sql"])
                plan = [row[-1] for row in cursor.fetchall()]
            if plan != shown:
                print(f"\nplan of feed()'s id query, {first}, {label}:")
                print("\n".join(f"  {step}" for step in plan))
            else:
                print(f"{label}: the same plan")
            shown = plan

        if page_url is None:
            print("\n/feed is not routed (bzpeer.social.urls not included): page not timed")
        load = os.getloadavg()[0]
        samples = timed(cases, runs, warm)
        print(
            f"\n{runs} timed rounds after {warm} warm-up, cases in turns; "
            f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
        )
        print(f"{'case':<44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for label, values in samples.items():
            p50, p95, top = percentiles(values)
            print(f"{label:<44} {p50:>8.1f} {p95:>8.1f} {top:>8.1f}")
    finally:
        for client in clients:
            client.logout()
        users.filter(username__startswith=PREFIX).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--works", type=int, default=1_000_000, help="works of a corpus generated for the run"
    )
    parser.add_argument("--corpus", help="the generated corpus (default: var/corpus*.jsonl.gz)")
    parser.add_argument("--db", help="keep the built SQLite catalog here, or reuse it")
    parser.add_argument("--follows", type=int, default=500, help="researchers followed")
    parser.add_argument("--runs", type=int, default=100, help="timed calls per case")
    parser.add_argument("--warm", type=int, default=5, help="untimed calls per case first")
    parser.add_argument("--child", metavar="CORPUS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build(args.child)
        return
    if os.environ.get("DATABASE_URL"):
        sys.exit("SQLite only (the plans are SQLite's): unset DATABASE_URL")
    corpus = Path(args.corpus) if args.corpus else default_corpus(args.works)
    ensure_corpus(corpus, args.works)
    home = tempfile.TemporaryDirectory()
    db = Path(args.db) if args.db else Path(home.name) / "bench.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bzpeer.settings", BZPEER_HOME=home.name, BZPEER_SQLITE=str(db)
    )
    os.environ.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")  # a fresh home has none
    cores, memory = os.cpu_count(), os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    built = f"catalog {db} reused"
    if not db.exists():
        building = db.with_name(db.name + ".building")
        os.environ["BZPEER_SQLITE"] = str(building)
        begun = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(corpus)], capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"building the catalog failed:\n{done.stderr[-3000:]}")
        building.rename(db)
        os.environ["BZPEER_SQLITE"] = str(db)
        built = f"catalog built in {time.perf_counter() - begun:.0f} s"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a kept catalog may predate a migration
    print(
        f"SQLite {sqlite3.sqlite_version}; machine: {cores} cores, {memory / 2**30:.1f} GiB; "
        f"corpus {corpus} ({built})"
    )
    try:
        measure(args.follows, args.runs, args.warm)
    finally:
        home.cleanup()


if __name__ == "__main__":
    main()
