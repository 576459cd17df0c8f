"""Import throughput: records/s and peak RSS for the arXiv listing corpus (209
monthly listings, 139k unique ids) and for N synthetic OpenAlex works
(bench/make_corpus.py), each into a fresh SQLite database (or DATABASE_URL).

    .venv/bin/python bench/import_throughput.py [--runs 3] [--openalex-works 1000000]
        [--openalex-runs 1] [--corpus var/corpus.jsonl.gz] [--titles real|words]
        [--no-resolution]

``--corpus`` keeps the generated OpenAlex corpus at that path and reuses it
when it is already there (the generator is seeded: same arguments, same
file). ``--no-resolution`` times the import alone.

Each run is a fresh process and a fresh database; figures are medians over
runs. The import is timed apart from author resolution, reported on its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from common import LISTINGS, ensure_corpus, run_child

CHILD = r"""
import json, os, resource, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bzpeer.ingest.pipeline import run_import
from bzpeer.catalog.models import AuthorshipMention
result = run_import(sys.argv[2], [sys.argv[1]], show_progress=False, resolve=False)
import_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# The largest parser process's peak (pages shared with this one since the fork count in both).
parser_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
begun = time.perf_counter()
if sys.argv[3] == "resolve":
    from bzpeer.ingest.resolution import resolve_and_refresh  # as run_import does
    resolve_and_refresh()
resolve_s = time.perf_counter() - begun
print(json.dumps({
    "records": result.stats.records, "new": result.stats.new,
    "seconds": result.seconds, "import_rss_mb": import_rss, "parser_rss_mb": parser_rss,
    "mentions": AuthorshipMention.objects.count(), "resolve_s": resolve_s,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def one_run(path: Path, source: str, resolve: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        return run_child(
            CHILD, Path(tmp) / "bench.sqlite3", str(path), source, "resolve" if resolve else "no"
        )


def report(label: str, runs: list[dict[str, float]]) -> None:
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"{label}: {med['records']:,.0f} records ({med['new']:,.0f} new), {len(runs)} run(s)")
    print(
        f"  import: {med['seconds']:.1f} s, {med['records'] / med['seconds']:,.0f} records/s, "
        f"peak RSS {med['import_rss_mb']:.0f} MB (each parser process at most "
        f"{med['parser_rss_mb']:.0f} MB, partly shared with it)"
    )
    print(
        "  import records/s per run: "
        + ", ".join(f"{r['records'] / r['seconds']:,.0f}" for r in runs)
    )
    if med["resolve_s"] > 0.01:
        print(
            f"  author resolution: {med['mentions']:,.0f} mentions in {med['resolve_s']:.1f} s "
            f"({med['mentions'] / med['resolve_s']:,.0f} mentions/s), "
            f"peak RSS {med['peak_rss_mb']:.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(LISTINGS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--openalex-works",
        type=int,
        default=1_000_000,
        help="synthetic OpenAlex works to import (0 to skip)",
    )
    parser.add_argument("--openalex-runs", type=int, default=1)
    parser.add_argument("--corpus", help="keep (or reuse) the generated OpenAlex corpus here")
    parser.add_argument(
        "--titles",
        choices=["real", "words"],
        default="real",
        help="make_corpus.py --titles; 'words': six of 25 words and a number",
    )
    parser.add_argument(
        "--no-resolution", action="store_true", help="time the import alone, no author resolution"
    )
    args = parser.parse_args()
    resolve = not args.no_resolution
    print(f"machine: {os.cpu_count()} cores; figures are medians")
    if args.runs:
        report(
            f"arXiv listings {Path(args.path).name}",
            [one_run(Path(args.path), "arxiv", resolve) for _ in range(args.runs)],
        )
    if args.openalex_works and args.openalex_runs:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(args.corpus) if args.corpus else Path(tmp) / "corpus.jsonl.gz"
            # A corpus kept from an earlier run says nothing of its titles: name the file.
            label = f"synthetic OpenAlex works, reused {corpus}"
            if ensure_corpus(corpus, args.openalex_works, "--titles", args.titles):
                label = f"synthetic OpenAlex works ({args.openalex_works:,}, {args.titles} titles)"
            report(
                label,
                [one_run(corpus, "openalex", resolve) for _ in range(args.openalex_runs)],
            )


if __name__ == "__main__":
    main()
