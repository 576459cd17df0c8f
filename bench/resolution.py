"""Author resolution speed on the arXiv listing corpus (814k mentions).

    .venv/bin/python bench/resolution.py [--runs 3] [PATH]

Imports the listings once (without resolution) into a fresh SQLite database,
then, in fresh processes on copies of it:

- stages: the resolver's own loop (``resolve.authors``) timed by stage:
  loading each group of name blocks from the database, then blocking and
  clustering in memory (``cluster_block``: hard evidence, same-work and
  co-author unions under the name constraints), timed twice: the rules
  alone (the baseline, same run, one process) and rules + the learned merge
  stage (``resolve.merging``: cluster-pair scoring and merging), which
  shares each group's blocks between ``BZPEER_RESOLVE_WORKERS`` processes
  (default: the cores, at most 4);
- end to end: ``resolve_authors()`` as an import runs it, loading, clustering,
  creating author records and writing every assignment.

Target (issue 4): >= 20,000 mentions/s for blocking + scoring + clustering.
Figures are medians over runs; the end-to-end figure is the baseline the
stage figures are a part of.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from common import LISTINGS, run_child

SETUP = r"""
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bzpeer.ingest.pipeline import run_import
run_import("arxiv", [sys.argv[1]], show_progress=False, resolve=False)
"""

STAGES = r"""
import json, os, resource, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings"
import django
django.setup()
from bzpeer.catalog.models import AuthorshipMention
from bzpeer.resolve.authors import _groups, _load, collector_paused
from bzpeer.resolve.clustering import cluster_block, cluster_blocks, resolve_workers
from bzpeer.resolve.compiled import use_compiled
from bzpeer.resolve.model import default_model
model = default_model()
blocks = sorted(set(AuthorshipMention.objects.filter(author__isnull=True)
                    .values_list("name_key", flat=True).distinct()))
begun = time.perf_counter()
compiled = use_compiled(model, len(blocks))  # as resolve_authors does
compile_s = time.perf_counter() - begun
load = cluster = rules = 0.0
mentions = clusters = rule_clusters = 0
for keys in _groups(blocks):
    with collector_paused():  # as resolve_authors runs each group
        begun = time.perf_counter()
        group = _load(keys)
        load += time.perf_counter() - begun
        begun = time.perf_counter()
        for members in group.values():
            rule_clusters += len(cluster_block(members))
        rules += time.perf_counter() - begun
        begun = time.perf_counter()
        mentions += sum(len(members) for members in group.values())
        clusters += sum(map(len, cluster_blocks(list(group.values()), model)))
        cluster += time.perf_counter() - begun
        del group
print(json.dumps({"mentions": mentions, "blocks": len(blocks), "clusters": clusters,
                  "rule_clusters": rule_clusters, "rules_s": rules,
                  "load_s": load, "cluster_s": cluster, "workers": resolve_workers(),
                  "compiled": compiled, "compile_s": compile_s,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

END_TO_END = r"""
import json, os, resource, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings"
import django
django.setup()
from bzpeer.resolve.authors import resolve_authors
begun = time.perf_counter()
stats = resolve_authors()
print(json.dumps({"assigned": stats.assigned, "authors": stats.authors_created,
                  "seconds": time.perf_counter() - begun,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(LISTINGS))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.sqlite3"
        run_child(SETUP, base, args.path)
        stages, ends = [], []
        for _ in range(args.runs):
            copy = Path(tmp) / "run.sqlite3"
            shutil.copy(base, copy)
            stages.append(run_child(STAGES, copy))
            ends.append(run_child(END_TO_END, copy))
            copy.unlink()
    med = {k: statistics.median(r[k] for r in stages) for k in stages[0]}
    end = {k: statistics.median(r[k] for r in ends) for k in ends[0]}
    n = med["mentions"]
    print(
        f"machine: {os.cpu_count()} cores; medians of {args.runs} run(s); "
        f"learned stage on {med['workers']:.0f} process(es) (BZPEER_RESOLVE_WORKERS)"
    )
    print(
        f"{n:,.0f} mentions in {med['blocks']:,.0f} name blocks -> "
        f"{med['rule_clusters']:,.0f} rule clusters -> {med['clusters']:,.0f} after learned merges"
    )
    print(
        f"blocking + scoring + clustering: {med['cluster_s']:.1f}s, "
        f"{n / med['cluster_s']:,.0f} mentions/s (target >= 20,000); "
        f"rules alone (baseline): {med['rules_s']:.1f}s, {n / med['rules_s']:,.0f} mentions/s, "
        f"ratio {med['cluster_s'] / med['rules_s']:.1f}x"
    )
    print(
        f"scoring: {'compiled trees' if med['compiled'] else 'scikit-learn'} "
        f"(compiled or loaded in {med['compile_s']:.1f}s before the stages, once per model)"
    )
    print(f"loading blocks from the database: {med['load_s']:.1f}s, {n / med['load_s']:,.0f}/s")
    print(
        f"end to end (load, cluster, create {end['authors']:,.0f} records, write): "
        f"{end['seconds']:.1f}s, {end['assigned'] / end['seconds']:,.0f} mentions/s; "
        f"clustering is {med['cluster_s'] / end['seconds']:.0%} of it; "
        f"peak RSS {end['rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
