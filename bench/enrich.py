"""Enrichment time on the arXiv listing corpus: topics (train, measure, label)
and trust snapshots for every author record, after import and resolution.

    .venv/bin/python bench/enrich.py [--runs 1] [PATH]

Each run is a fresh process and a fresh SQLite database. The import and
author resolution are timed too, as the baseline the enrichment adds to.
Target (issue 5): enrichment of the listing corpus under 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from common import LISTINGS, run_child

CHILD = r"""
import json, os, resource, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bzpeer.ingest.pipeline import run_import
from bzpeer.enrich.run import enrich
begun = time.perf_counter()
result = run_import("arxiv", [sys.argv[1]], show_progress=False)
imported = time.perf_counter() - begun
report = enrich(show_progress=False)
topics = report.topics[0] if report.topics else None
print(json.dumps({
    "records": result.stats.records,
    "import_s": result.seconds, "resolve_s": result.resolve_seconds,
    "topics_s": report.topic_seconds, "trust_s": report.trust_seconds,
    "authors": report.authors, "snapshots": report.snapshots,
    "labelled": topics.labelled if topics else 0,
    "classes": topics.classes if topics else 0,
    "field_p": topics.thresholds.field if topics else 0.0,
    "subfield_p": topics.thresholds.subfield if topics else 0.0,
    "field_precision": topics.field.precision if topics else 0.0,
    "field_coverage": topics.field.coverage if topics else 0.0,
    "subfield_precision": topics.subfield.precision if topics else 0.0,
    "subfield_coverage": topics.subfield.coverage if topics else 0.0,
    "nb_precision": topics.naive_bayes.precision if topics else 0.0,
    "nb_coverage": topics.naive_bayes.coverage if topics else 0.0,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def one_run(path: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        return run_child(CHILD, Path(tmp) / "bench.sqlite3", str(path))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(LISTINGS))
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    runs = [one_run(Path(args.path)) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    enrich_s = med["topics_s"] + med["trust_s"]
    print(f"machine: {os.cpu_count()} cores; medians of {len(runs)} run(s)")
    print(
        f"baseline: import {med['records']:,.0f} records {med['import_s']:.1f}s, "
        f"author resolution {med['resolve_s']:.1f}s"
    )
    print(
        f"enrichment: {enrich_s:.1f}s ({enrich_s / 60:.1f} min; target < 5 min) = "
        f"topics {med['topics_s']:.1f}s + trust snapshots {med['trust_s']:.1f}s "
        f"for {med['authors']:,.0f} author records; ratio to import "
        f"{enrich_s / med['import_s']:.2f}"
    )
    print(
        f"topics: {med['labelled']:,.0f} labelled works, {med['classes']:.0f} OpenAlex fields and "
        f"subfields; thresholds field p >= {med['field_p']:.2f}, subfield p >= "
        f"{med['subfield_p']:.2f}; held out: field precision {med['field_precision']:.3f} "
        f"at coverage {med['field_coverage']:.0%}, subfield precision "
        f"{med['subfield_precision']:.3f} at coverage {med['subfield_coverage']:.0%}; "
        f"former naive Bayes (p >= 0.7) {med['nb_precision']:.3f} at {med['nb_coverage']:.0%}"
    )
    print(f"peak RSS {med['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
