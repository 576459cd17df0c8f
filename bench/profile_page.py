"""Server time of the researcher profile page on the demo data: p50 and p95.

    .venv/bin/python bench/profile_page.py [--requests 300]

Loads the demo data into a fresh SQLite database, then renders
/researchers/tianlong-chen in-process with Django's test client (no network),
after a warm-up. The home page is timed in the same run as a baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bzpeer.settings",
        BZPEER_HOME=tmp,
        BZPEER_SQLITE=str(Path(tmp) / "bench.sqlite3"),
    )
    os.environ.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")  # a fresh home has none
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bzpeer.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo(show_progress=False)
    client = Client()
    urls = {
        "profile": "/researchers/tianlong-chen",
        "profile, filtered": "/researchers/tianlong-chen?year=2022&type=conference-paper",
        "home (baseline)": "/",
    }
    print(f"machine: {os.cpu_count()} cores; {args.requests} requests per page after 20 warm-up")
    for label, url in urls.items():
        for _ in range(20):
            assert client.get(url).status_code == 200
        samples = []
        for _ in range(args.requests):
            begun = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - begun) * 1000)
        p50, p95 = _percentiles(samples)
        print(f"{label:20s} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
