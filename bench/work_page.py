"""Server time of the work page (/works/<id>), p50 and p95, on a catalog.

    .venv/bin/python bench/work_page.py --db CATALOG.sqlite3 [--works 200] [--rounds 3]

In-process with Django's test client (routing, the queries, the template),
after one warm-up request: ``--works`` random works of the catalog (seeded),
plus the five works with the most versions and the five with the most
references, each requested ``--rounds`` times. The baseline in the same run
is ``/robots.txt`` (the framework's floor: middleware, routing, a
template). The catalog is only read; run ``bzpeer migrate`` on it first.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--works", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ["BZPEER_SQLITE"] = str(args.db.resolve())
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bzpeer.catalog.models import Work

    client = Client()
    last = Work.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(7)
    picks = set()
    while len(picks) < min(args.works, Work.objects.count()):
        picks.add(rng.randint(1, last))
    found = set(Work.objects.filter(id__in=picks).values_list("id", flat=True))
    with connection.cursor() as cursor:
        for sql in (
            "SELECT work_id FROM catalog_workversion GROUP BY work_id ORDER BY COUNT(*) DESC "
            "LIMIT 5",
            "SELECT work_id FROM catalog_workreference GROUP BY work_id ORDER BY COUNT(*) DESC "
            "LIMIT 5",
        ):
            cursor.execute(sql)
            found.update(row[0] for row in cursor.fetchall())
    urls = [f"/works/{pk}" for pk in sorted(found)]
    client.get(urls[0])
    client.get("/robots.txt")

    def timed(url: str) -> float:
        begun = time.perf_counter()
        response = client.get(url)
        spent = (time.perf_counter() - begun) * 1000
        assert response.status_code == 200, url
        return spent

    pages: list[float] = []
    floor: list[float] = []
    for _ in range(args.rounds):
        for url in urls:
            pages.append(timed(url))
            floor.append(timed("/robots.txt"))
    pages.sort()
    floor.sort()
    p95 = pages[int(0.95 * (len(pages) - 1))]
    print(
        f"{Work.objects.count():,} works; {len(urls)} work pages x {args.rounds}; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    median = statistics.median(pages)
    print(f"work page   p50 {median:6.1f} ms  p95 {p95:6.1f} ms  max {pages[-1]:.1f}")
    print(
        f"robots.txt  p50 {statistics.median(floor):6.1f} ms  "
        f"p95 {floor[int(0.95 * (len(floor) - 1))]:6.1f} ms (baseline)"
    )
    print(f"ratio of medians {statistics.median(pages) / statistics.median(floor):.1f}x")


if __name__ == "__main__":
    sys.exit(main())
