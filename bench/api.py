"""Server time of the OpenAlex-shaped API on a large catalog: p50 and p95 per
kind of request, and each median against the plain first page of works.

    cp ../bench-data/feed-1m.sqlite3 /tmp/api-1m.sqlite3   # never the original
    BZPEER_SQLITE=/tmp/api-1m.sqlite3 .venv/bin/bzpeer migrate
    .venv/bin/python bench/api.py --db /tmp/api-1m.sqlite3 [--requests 50]

Requests go through Django's test client in this process (no network, no
server): the figure is what the view and its queries cost. Each kind is
warmed up, then timed over ``--requests`` requests; a kind with an id in it
(an author's works, one work) rotates over that many different records, so
the page cache of one record does not flatter it. The load average is
printed beside the figures: they are only comparable at the same load."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

TARGETS_MS = {"filtered": 30.0, "group_by": 60.0}


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True, help="a copy of a large catalog")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per kind")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    os.environ["BZPEER_SQLITE"] = str(args.db.resolve())
    os.environ.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")
    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client

    from bzpeer.catalog.models import Author, Work

    client = Client()
    rng = random.Random(25)
    works = Work.objects.count()
    top = Work.objects.order_by("-id").values_list("id", flat=True).first() or 1
    busy = list(
        Author.objects.filter(merged_into=None)
        .order_by("-works_count", "id")
        .values_list("id", flat=True)[: args.requests]
    )
    drawn = list(
        Author.objects.filter(merged_into=None, works_count__gt=0)
        .order_by("?")
        .values_list("id", flat=True)[: args.requests]
    )
    # the years that have works, busiest first
    years = list(
        Work.objects.exclude(year=None)
        .values_list("year", flat=True)
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("year", flat=True)
    )

    def rotate(make):  # type: ignore[no-untyped-def]
        return [make(i) for i in range(args.requests)]

    kinds: list[tuple[str, str, list[str]]] = [
        ("baseline", "first page of works", ["/api/v1/works"] * args.requests),
        (
            "filtered",
            "publication_year + type",
            rotate(
                lambda i: (
                    "/api/v1/works?filter=publication_year:"
                    f"{years[i % len(years)]},type:journal-article"
                )
            ),
        ),
        (
            "filtered",
            "authorships.author.id (busiest authors)",
            rotate(lambda i: f"/api/v1/works?filter=author.id:A{busy[i % len(busy)]}"),
        ),
        (
            "filtered",
            "authorships.author.id (authors at random)",
            rotate(lambda i: f"/api/v1/works?filter=author.id:A{drawn[i % len(drawn)]}"),
        ),
        (
            "filtered",
            "publication_year range, not a type",
            rotate(
                lambda i: (
                    "/api/v1/works?filter=publication_year:"
                    f"{years[i % len(years)] - 2}-{years[i % len(years)] + 2},type:!book"
                )
            ),
        ),
        (
            "group_by",
            "type, in one year",
            rotate(
                lambda i: (
                    f"/api/v1/works?filter=publication_year:{years[i % len(years)]}&group_by=type"
                )
            ),
        ),
        (
            "group_by",
            "publication_year, whole catalog",
            ["/api/v1/works?group_by=publication_year"] * args.requests,
        ),
        ("group_by", "type, whole catalog", ["/api/v1/works?group_by=type"] * args.requests),
        ("get", "one work by id", rotate(lambda i: f"/api/v1/works/W{rng.randint(1, top)}")),
        (
            "sort",
            "publication_year:asc, one type",
            rotate(lambda i: "/api/v1/works?filter=type:thesis&sort=publication_year"),
        ),
        (
            "sort",
            "authors by works_count:desc",
            ["/api/v1/authors?sort=works_count:desc"] * args.requests,
        ),
    ]
    load = os.getloadavg()
    print(f"catalog: {works:,} works, {args.db}; {os.cpu_count()} CPUs; load {load[0]:.2f}")
    print(f"{'kind':<10} {'request':<42} {'p50 ms':>8} {'p95 ms':>8} {'x base':>7}")
    baseline = 0.0
    for kind, label, urls in kinds:
        for url in urls[:3]:  # warm
            assert client.get(url).status_code == 200, url
        times = []
        for url in urls:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, url
        p50, p95 = statistics.median(times), percentile(times, 95)
        baseline = baseline or p50
        target = TARGETS_MS.get(kind)
        verdict = "" if target is None else (" ok" if p95 <= target else f" > {target:.0f} ms")
        print(f"{kind:<10} {label:<42} {p50:8.1f} {p95:8.1f} {p50 / baseline:7.2f}{verdict}")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
