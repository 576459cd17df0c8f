"""Server time of the institution and venue pages (/institutions/<id>, /sources/<id>),
p50 and p95, on the demo data and on a copy of a 1,000,000-work catalog.

    .venv/bin/python bench/place_pages.py [--catalog var/feed-1m.sqlite3] [--requests 10]
        [--keep var/places-1m.sqlite3] [--prepared] [--skip-demo]

The demo data is loaded into a temporary SQLite file. ``--catalog`` names a
SQLite catalog built by bench/social.py or bench/graph_slice.py (generated
OpenAlex works, which carry no institutions): it is copied to a temporary
folder, never changed, and the copy is given synthetic institutions, an
affiliation for every (record, institution) pair its links imply:

- 100 institutions, each linked to every 300th mention (offset by its
  number): about 8,500 mentions each;
- one large institution linked to every 20th mention: about 11 % of the
  catalog's works, far more than any university's share of a real one.

Each page is requested in-process with Django's test client (URL routing,
the queries, the template), after one warm-up: its first page, a deep page
of works (page 50), and for institutions the second page of people. Venues:
the 10 with most works.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYNTHETIC = 100
EVERY = 300  # a synthetic institution's mentions: every EVERY-th
LARGE_EVERY = 20


def add_institutions() -> None:
    """The synthetic institutions, their mention links and affiliations, in SQL."""
    from django.db import connection, transaction

    from bzpeer.catalog.models import (
        Affiliation,
        AuthorshipMention,
        Institution,
        MentionInstitution,
    )

    link, mention = MentionInstitution._meta.db_table, AuthorshipMention._meta.db_table
    affiliation = Affiliation._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        made = Institution.objects.bulk_create(
            Institution(name=f"Synthetic University {n}", country="ZZ", kind="education")
            for n in range(SYNTHETIC + 1)
        )
        large, rest = made[0], made[1:]
        large.name = "Synthetic Large University"
        large.save()
        cursor.execute(
            f'INSERT INTO "{link}" (institution_id, mention_id, confidence) '
            f'SELECT %s, id, 1.0 FROM "{mention}" WHERE id %% {LARGE_EVERY} = 1',
            [large.pk],
        )
        for n, place in enumerate(rest):
            cursor.execute(
                f'INSERT INTO "{link}" (institution_id, mention_id, confidence) '
                f'SELECT %s, id, 1.0 FROM "{mention}" WHERE id %% {EVERY} = %s',
                [place.pk, n],
            )
        cursor.execute(
            f'INSERT INTO "{affiliation}" (author_id, institution_id, works_count, '
            "start_year, end_year) SELECT m.author_id, l.institution_id, "
            "COUNT(DISTINCT m.work_id), NULL, NULL "
            f'FROM "{link}" l JOIN "{mention}" m ON m.id = l.mention_id '
            "WHERE m.author_id IS NOT NULL GROUP BY m.author_id, l.institution_id"
        )


def measure(requests: int) -> dict[str, object]:
    """In a configured process: time the pages over the catalog there."""
    from django.db.models import Count
    from django.test import Client

    from bzpeer.catalog.models import Affiliation, Institution, MentionInstitution, Venue, Work

    client = Client()
    linked = (
        MentionInstitution.objects.values("institution_id")
        .annotate(n=Count("id"))
        .order_by("-n", "institution_id")
    )
    places = [row["institution_id"] for row in linked[:11]]
    venues = list(
        Venue.objects.annotate(n=Count("works")).order_by("-n", "id").values_list("id", "n")[:10]
    )
    out: dict[str, object] = {
        "works": Work.objects.count(),
        "institutions": Institution.objects.count(),
        "affiliations": Affiliation.objects.count(),
        "largest institution links": linked[0]["n"] if places else 0,
        "largest venue works": venues[0][1] if venues else 0,
    }
    shapes = {
        "institution, first page": [f"/institutions/{pk}" for pk in places],
        "institution, works page 50": [f"/institutions/{pk}?page=50" for pk in places],
        "institution, people page 2": [f"/institutions/{pk}?people=2" for pk in places],
        "venue, first page": [f"/sources/{pk}" for pk, _ in venues],
        "venue, works page 50": [f"/sources/{pk}?page=50" for pk, _ in venues],
    }
    for shape, urls in shapes.items():
        samples: list[float] = []
        worst = ("", 0.0)
        for url in urls:
            assert client.get(url).status_code == 200, url
            for _ in range(requests):
                begun = time.perf_counter()
                client.get(url)
                ms = (time.perf_counter() - begun) * 1000
                samples.append(ms)
                worst = max(worst, (url, ms), key=lambda w: w[1])
        if samples:
            cuts = statistics.quantiles(samples, n=20) if len(samples) > 1 else samples * 19
            out[shape] = {
                "p50": round(statistics.median(samples), 1),
                "p95": round(cuts[18], 1),
                "max": round(max(samples), 1),
                "slowest": worst[0],
            }
    return out


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the copy may predate a migration
    if args.child == "demo":
        from bzpeer.demo import load_demo

        load_demo(show_progress=False)
    elif args.child == "catalog":
        add_institutions()
    print(json.dumps(measure(args.requests)))


def run(kind: str, db: Path, requests: int) -> dict[str, object]:
    env = dict(os.environ, BZPEER_SQLITE=str(db), BZPEER_HOME=str(db.parent))
    env.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")
    command = [sys.executable, __file__, "--child", kind, "--requests", str(requests)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalog", type=Path, help="a 1M-work SQLite catalog to copy")
    parser.add_argument("--requests", type=int, default=10, help="timed requests per URL")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument(
        "--prepared",
        action="store_true",
        help="--catalog already has the synthetic institutions (a copy this script made "
        "with --keep): measure it in place",
    )
    parser.add_argument("--keep", type=Path, help="keep the prepared copy at this path")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        if not args.skip_demo:
            results["demo data"] = run("demo", Path(tmp) / "demo.sqlite3", args.requests)
        if args.catalog and args.prepared:
            results[str(args.catalog)] = run("prepared", args.catalog, args.requests)
        elif args.catalog:
            copy = args.keep or Path(tmp) / "catalog.sqlite3"
            begun = time.perf_counter()
            shutil.copyfile(args.catalog, copy)
            print(f"copied {args.catalog} in {time.perf_counter() - begun:.0f} s", flush=True)
            results[str(args.catalog)] = run("catalog", copy, args.requests)
    for name, found in results.items():
        print(f"\n{name}:")
        for key, value in found.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
