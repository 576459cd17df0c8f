"""Import throughput: records/s and peak RSS for the 104k-record arXiv listing
corpus, into a fresh SQLite database (or DATABASE_URL if set).

    .venv/bin/python bench/import_throughput.py [--runs 3] [PATH]

Each run is a fresh process and a fresh database; the figures printed are the
median over runs. The import is timed apart from author resolution, which is
reported on its own line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = (
    HERE.parent.parent / "shared/data/arxiv/arxiv-browse-listings/"
    "arxiv-monthly-listings-astro-ph-2000-2023.tar.gz"
)

CHILD = r"""
import json, os, resource, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bzpeer.ingest.pipeline import run_import
from bzpeer.resolve.authors import resolve_authors
from bzpeer.catalog.models import AuthorshipMention
result = run_import("arxiv", [sys.argv[1]], show_progress=False, resolve=False)
import_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
begun = time.perf_counter()
resolve_authors()
resolve_s = time.perf_counter() - begun
print(json.dumps({
    "records": result.stats.records, "new": result.stats.new,
    "seconds": result.seconds, "import_rss_mb": import_rss,
    "mentions": AuthorshipMention.objects.count(), "resolve_s": resolve_s,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def one_run(path: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, BZPEER_SQLITE=str(Path(tmp) / "bench.sqlite3"), BZPEER_HOME=tmp)
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run(Path(args.path)) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"machine: {os.cpu_count()} cores; {args.runs} runs, medians")
    print(f"input: {args.path}")
    print(f"records: {med['records']:,.0f} ({med['new']:,.0f} unique arXiv ids)")
    print(
        f"import: {med['seconds']:.1f} s, {med['records'] / med['seconds']:,.0f} records/s, "
        f"peak RSS {med['import_rss_mb']:.0f} MB"
    )
    print(
        f"author resolution: {med['mentions']:,.0f} mentions in {med['resolve_s']:.1f} s "
        f"({med['mentions'] / med['resolve_s']:,.0f} mentions/s), "
        f"peak RSS {med['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
