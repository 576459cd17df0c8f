"""Server time of the topic pages on the demo data: the median of the largest topics.

    .venv/bin/python bench/topic_page.py [--topics 5] [--requests 25] [--analyze]
    bash scripts/with-postgres.sh .venv/bin/python bench/topic_page.py

Loads the demo data into a fresh database: a temporary SQLite file, or, with
DATABASE_URL set, a test database beside the one it names (created and dropped
as the test suite does it). Then renders /topics/<id> in-process with Django's
test client (no network), after a warm-up, for the topics with the most works,
and last every topic page a few times, to give the slowest of them.
``--analyze`` gathers planner statistics first (ANALYZE); without it the
database stays as an import leaves it, without statistics: how SQLite stays
(nothing here analyzes it), and how PostgreSQL is until autovacuum comes
round, which the run turns off for its tables so that every figure sees the
same state.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time
from pathlib import Path


def _memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topics", type=int, default=5, help="how many of the largest topics")
    parser.add_argument("--requests", type=int, default=25, help="timed requests per topic")
    parser.add_argument("--all-requests", type=int, default=5, help="per topic, for all topics")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE before timing")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    os.environ["BZPEER_HOME"] = tmp
    os.environ.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")
    postgres = bool(os.environ.get("DATABASE_URL"))
    if not postgres:
        os.environ["BZPEER_SQLITE"] = str(Path(tmp) / "bench.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from bzpeer.catalog.models import Topic
    from bzpeer.demo import load_demo

    old_name = None
    if postgres:
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        if not args.analyze:  # keep the state an import leaves all through the run
            with connection.cursor() as cursor:
                for table in connection.introspection.table_names(cursor):
                    cursor.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')
    else:
        call_command("migrate", verbosity=0)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the importers' summaries
            load_demo(show_progress=False)
        if args.analyze:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        topics = list(Topic.objects.annotate(n=Count("worktopic")).order_by("-n", "pk"))
        client = Client()

        def median_ms(url: str, requests: int, warm: int) -> float:
            for _ in range(warm):
                assert client.get(url).status_code == 200, url
            samples = []
            for _ in range(requests):
                begun = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - begun) * 1000)
            return statistics.median(samples)

        with connection.cursor() as cursor:
            cursor.execute("SELECT sqlite_version()" if not postgres else "SHOW server_version")
            version = cursor.fetchone()[0]
        backend = f"{connection.vendor} {version}" + (", analyzed" if args.analyze else "")
        print(
            f"{backend}; machine: {os.cpu_count()} cores, {_memory_gib():.1f} GiB; "
            f"{args.requests} requests per page after 5 warm-up"
        )
        print(f"{'topic':<58} {'works':>6} {'median ms':>10}")
        for topic in topics[: args.topics]:
            ms = median_ms(f"/topics/{topic.pk}", args.requests, warm=5)
            label = f"/topics/{topic.pk} {topic.name} ({topic.scheme})"
            print(f"{label[:58]:<58} {topic.n:>6} {ms:>10.1f}")  # type: ignore[attr-defined]
        medians = sorted(
            (median_ms(f"/topics/{t.pk}", args.all_requests, warm=1), t.pk) for t in topics
        )
        slowest, pk = medians[-1]
        print(
            f"all {len(topics)} topic pages, {args.all_requests} requests each: median "
            f"{statistics.median(m for m, _ in medians):.1f} ms, slowest {slowest:.1f} ms "
            f"(/topics/{pk})"
        )
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
