"""Server time of the research graph's endpoint (/api/v1/graph), p50 and p95,
on the demo data and on a catalog of N generated works.

    .venv/bin/python bench/graph_slice.py [--works 1000000] [--corpus var/corpus.jsonl.gz]
        [--requests 5] [--skip-demo]

Each catalog is built in a fresh process with its own SQLite database (or
DATABASE_URL): the demo data as ``bzpeer demo`` loads it; the generated
corpus (bench/make_corpus.py, kept at ``--corpus`` and reused) imported and
resolved as ``bzpeer import openalex`` does. Requests go through Django's
test client in the same process (server time: URL routing, the slice, JSON),
after one warm-up per URL. Focuses: the 10 records with most works, 30 drawn
at random (seeded), 10 works, the 5 largest topics; three shapes: the
profile's slice (60 nodes), the explorer's first view (300 nodes) and its
largest (2,000 nodes, depth 2).

Target (issue 23): p95 <= 50 ms for the slice at 1,000,000 works.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import HERE, ensure_corpus

SHAPES = {
    "slice (60 nodes)": {},
    "explorer (300)": {"limit": "300"},
    "explorer (2,000, depth 2)": {"limit": "2000", "depth": "2"},
}


def measure(requests: int) -> dict[str, object]:
    """In a configured process: time the endpoint over the catalog there."""
    from django.db.models import Count
    from django.test import Client

    from bzpeer.catalog.models import Author, Topic, Work

    rng = random.Random(11)
    live = Author.objects.filter(merged_into=None)
    top = list(live.order_by("-works_count", "id").values_list("id", flat=True)[:10])
    ids = list(live.values_list("id", flat=True))
    drawn = rng.sample(ids, min(30, len(ids)))
    works = list(Work.objects.order_by("id").values_list("id", flat=True))
    focuses = [f"author:A{a}" for a in top + drawn]
    focuses += [f"work:W{w}" for w in rng.sample(works, min(10, len(works)))]
    topics = Topic.objects.annotate(n=Count("worktopic")).order_by("-n", "id")[:5]
    focuses += [f"topic:T{t.pk}" for t in topics]
    client = Client()
    out: dict[str, object] = {
        "works": Work.objects.count(),
        "authors": len(ids),
        "focuses": len(focuses),
    }
    for shape, extra in SHAPES.items():
        samples: list[float] = []
        nodes: list[int] = []
        for focus in focuses:
            url = "/api/v1/graph?" + "&".join(
                f"{k}={v}" for k, v in {"focus": focus, **extra}.items()
            )
            first = client.get(url)
            assert first.status_code == 200, (url, first.content[:200])
            nodes.append(len(json.loads(first.content)["nodes"]))
            for _ in range(requests):
                begun = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - begun) * 1000)
        samples.sort()
        out[shape] = {
            "p50": statistics.median(samples),
            "p95": samples[int(0.95 * (len(samples) - 1))],
            "max": samples[-1],
            "nodes": statistics.median(nodes),
        }
    return out


def child(stage: str, corpus: str, requests: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    begun = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        if stage == "demo":
            from bzpeer.demo import load_demo

            load_demo(show_progress=False)
        else:
            from bzpeer.ingest.pipeline import run_import

            run_import("openalex", [corpus], show_progress=False)
    built = time.perf_counter() - begun
    result = measure(requests)
    result["built_s"] = built
    print(json.dumps(result))


def run_stage(stage: str, corpus: str, requests: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, BZPEER_HOME=tmp)
        env.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")
        if not env.get("DATABASE_URL"):
            env["BZPEER_SQLITE"] = str(Path(tmp) / "bench.sqlite3")
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                stage,
                "--corpus",
                corpus,
                "--requests",
                str(requests),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"the {stage} run failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, result: dict[str, object]) -> None:
    print(
        f"\n{name}: {result['works']:,} works, {result['authors']:,} author records, "
        f"{result['focuses']} focuses (built in {result['built_s']:.0f} s)"
    )
    print(f"{'shape':<28} {'nodes':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for shape in SHAPES:
        row = result[shape]
        assert isinstance(row, dict)
        print(
            f"{shape:<28} {row['nodes']:>6.0f} {row['p50']:>8.1f} "
            f"{row['p95']:>8.1f} {row['max']:>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=int, default=1_000_000, help="generated works (0: none)")
    parser.add_argument("--corpus", default=str(HERE.parent / "var/corpus.jsonl.gz"))
    parser.add_argument(
        "--requests", type=int, default=5, help="timed requests per focus and shape"
    )
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--child", choices=["demo", "corpus"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.corpus, args.requests)
        return
    cores, memory = os.cpu_count(), os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    backend = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(
        f"{backend}; machine: {cores} cores, {memory / 2**30:.1f} GiB; "
        f"{args.requests} requests per URL"
    )
    if not args.skip_demo:
        report("demo data", run_stage("demo", args.corpus, args.requests))
    if args.works:
        corpus = Path(args.corpus)
        ensure_corpus(corpus, args.works)
        report(f"generated corpus {corpus.name}", run_stage("corpus", str(corpus), args.requests))


if __name__ == "__main__":
    main()
