"""The import and author resolution on a local Dask cluster of 1 and of 2
workers, beside the single-machine path: records/s, the speed-up, what each
task costs, and whether the catalogs are the same.

    .venv/bin/python bench/cluster.py [--works 50000] [--workers 1 2]

Needs the cluster extra (``pip install -e '.[cluster]'``). The corpus is
generated OpenAlex works (bench/make_corpus.py, seeded; the first N lines of
a 200,000-work file written once under var/bench/). Each run is a fresh
process with a fresh SQLite catalog: ``bzpeer migrate``, then ``run_import``
(resolution included) on this machine alone, or with ``bzpeer.cluster``'s
parsing and clustering on a ``LocalCluster`` of W worker processes (one
thread each) started for the run. Printed per run: import and resolution
seconds, records/s, the tasks' count and mean seconds (Dask's task stream:
parse windows, cluster shares), and ``bzpeer digest --content`` compared
with the single-machine catalog's.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import ensure_corpus  # noqa: E402

CORPUS = HERE.parent / "var" / "bench" / "corpus-200k.jsonl.gz"


def child(db: Path, corpus: Path, address: str) -> None:
    """In a fresh process: migrate, import (and resolve), print one JSON line."""
    os.environ["BZPEER_SQLITE"] = str(db)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bzpeer.backup import digest
    from bzpeer.ingest.pipeline import run_import

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    tasks: dict[str, list[float]] = {}
    began = time.perf_counter()
    if address:
        from distributed import get_task_stream

        from bzpeer.cluster.engine import cluster_on, connect, parse_on

        client = connect(address)
        with get_task_stream(client) as stream:
            result = run_import(
                "openalex",
                [str(corpus)],
                show_progress=False,
                parse=parse_on(client),
                clusterer=cluster_on(client),
            )
        for item in stream.data:
            name = item["key"].split("-")[0]
            for part in item["startstops"]:
                if part["action"] == "compute":
                    tasks.setdefault(name, []).append(part["stop"] - part["start"])
        client.close()
    else:
        result = run_import("openalex", [str(corpus)], show_progress=False)
    wall = time.perf_counter() - began
    out = {
        "records": result.stats.records,
        "import_s": result.seconds,
        "resolve_s": result.resolve_seconds,
        "wall_s": wall,
        "tasks": {k: [len(v), statistics.mean(v), sum(v)] for k, v in tasks.items()},
        "digest": [list(row) for row in digest(content_only=True)],
    }
    print(json.dumps(out))


def run(db: Path, corpus: Path, address: str) -> dict:
    env = dict(os.environ, BZPEER_SQLITE=str(db))
    env.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(db), str(corpus), address],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def head(source: Path, works: int, target: Path) -> None:
    with gzip.open(source, "rt") as src, gzip.open(target, "wt", compresslevel=1) as out:
        out.writelines(itertools.islice(src, works))


def report(label: str, found: dict, baseline: dict | None) -> None:
    rate = found["records"] / max(found["import_s"] + found["resolve_s"], 1e-9)
    line = (
        f"{label:<22} import {found['import_s']:7.1f} s  resolution {found['resolve_s']:7.1f} s  "
        f"{rate:8,.0f} records/s (import + resolution)"
    )
    if baseline is not None:
        base = baseline["import_s"] + baseline["resolve_s"]
        line += f"  speed-up {base / (found['import_s'] + found['resolve_s']):.2f}x"
        line += "  catalog " + ("identical" if found["digest"] == baseline["digest"] else "DIFFERS")
    print(line)
    for name, (count, mean, total) in sorted(found["tasks"].items()):
        print(f"{'':<22} {name}: {count} tasks, mean {mean * 1000:.0f} ms, total {total:.1f} s")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "")
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=int, default=50_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="generated works (gz)")
    args = parser.parse_args()
    from distributed import LocalCluster

    ensure_corpus(args.corpus, max(args.works, 200_000))
    print(f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bzpeer-cluster-") as tmp:
        folder = Path(tmp)
        corpus = folder / "corpus.jsonl.gz"
        head(args.corpus, args.works, corpus)
        baseline = run(folder / "alone.sqlite3", corpus, "")
        print(f"{args.works:,} generated works")
        report("this machine alone", baseline, None)
        for workers in args.workers:
            with LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            ) as cluster:
                address = cluster.scheduler_address
                found = run(folder / f"cluster-{workers}.sqlite3", corpus, address)
            report(f"Dask, {workers} worker{'s' if workers > 1 else ''}", found, baseline)


if __name__ == "__main__":
    main()
