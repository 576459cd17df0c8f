"""What an import's records/s can be at best on this machine: the CPU each
stage of the import takes per record, measured apart, against the import's
whole CPU per record.

    .venv/bin/python bench/import_floor.py [PATH] [--source arxiv] [--cores 2]

PATH defaults to the arXiv listing corpus; ``--source openalex`` with a corpus
from bench/make_corpus.py measures OpenAlex works. Stages, each timed alone
in one process (CPU time, so a busy machine slows them less than a wall clock):

- split: reading and splitting the input into chunks (every parser process
  does this for the whole input);
- parse: ``parse_chunk`` of every chunk (records in the writer's form);
- transport: pickling the outcomes in windows and unpickling them, as parser
  processes and the writer do;
- rows: inserting exactly the rows the import wrote (source records, works,
  versions, identifiers, mentions, topics), already built, batch by batch,
  into an empty catalog with the indexes the bulk import keeps, through
  ``bulk.insert_rows`` (foreign keys unchecked): the database's part with
  no Python logic around it.

The sum of the stages, with the split counted once per parser process, is
the CPU a record needs without any of the writer's own logic (matching
versions, building rows); divided over the cores it bounds records/s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from common import LISTINGS, run_child

CHILD = r"""
import gc, json, os, pickle, resource, sqlite3, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings"
import django
django.setup()
from pathlib import Path
from django.core.management import call_command
from django.db import connection, transaction
from bzpeer.catalog import bulk
from bzpeer.catalog.models import (
    AuthorshipMention, SourceRecord, Work, WorkIdentifier, WorkTopic, WorkVersion,
)
from django.conf import settings
from bzpeer.ingest import parsers, pipeline
from bzpeer.ingest.sources import SOURCES

path, source = Path(sys.argv[1]), SOURCES[sys.argv[2]]
db = Path(os.environ["BZPEER_SQLITE"])
call_command("migrate", verbosity=0)
# An empty catalog, for the rows stage (it drops the indexes the bulk import drops).
empty = db.with_name("rows.sqlite3")
connection.close()
with sqlite3.connect(empty) as target:
    sqlite3.connect(db).backup(target)


def cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


# The whole import first (its own parser processes), then its rows are read back.
began, wall = cpu(), time.perf_counter()
result = pipeline.run_import(sys.argv[2], [str(path)], show_progress=False, resolve=False)
import_cpu, import_wall = cpu() - began, time.perf_counter() - wall
records = result.stats.records

gc.freeze()
gc.set_threshold(100_000, 20, 100)  # as the import runs
began = time.process_time()
chunks = [c for _, c in parsers.all_chunks(source, [path], (), [], parsers.Position(), (0, 0))]
split = time.process_time() - began
began = time.process_time()
outcomes = [parsers.parse_chunk(source, c) for c in chunks]
parse = time.process_time() - began
began = time.process_time()
size = parsers.WINDOW
blobs = [
    pickle.dumps(
        ([parsers.chunk_fields(c) for c in chunks[i : i + size]], outcomes[i : i + size]),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    for i in range(0, len(chunks), size)
]
for blob in blobs:
    pickle.loads(blob)
transport = time.process_time() - began
del blobs, outcomes, chunks

tables = [SourceRecord, Work, WorkVersion, WorkIdentifier, AuthorshipMention, WorkTopic]
rows, columns = {}, {}
connection.close()
source_db = sqlite3.connect(db)  # values as stored (text dates), as the import passes them
for model in tables:
    cursor = source_db.execute(f'SELECT * FROM "{model._meta.db_table}" ORDER BY id')
    columns[model] = [d[0] for d in cursor.description]
    rows[model] = cursor.fetchall()
source_db.close()
# The same rows, through the import's own insert_rows, into the empty catalog.
connection.settings_dict["NAME"] = str(empty)
batches = max(1, -(-records // settings.BZPEER_IMPORT_BATCH))
began = time.process_time()
with connection.cursor() as cursor:
    cursor.execute(f"PRAGMA cache_size = -{pipeline.IMPORT_CACHE_KIB}")
    # Batches are slices of each table, not of records: a mention may come
    # before its version, so the deferred foreign-key checks are off.
    cursor.execute("PRAGMA foreign_keys = OFF")
for b in range(batches):
    with transaction.atomic():
        if b == 0:
            bulk.drop_deferred_indexes()
        for model, table_rows in rows.items():
            part = table_rows[len(table_rows) * b // batches : len(table_rows) * (b + 1) // batches]
            bulk.insert_rows(model, columns[model], part)
inserted = time.process_time() - began
print(json.dumps({
    "records": records, "rows": sum(map(len, rows.values())), "import_cpu": import_cpu,
    "import_wall": import_wall, "split": split, "parse": parse, "transport": transport,
    "rows_cpu": inserted, "workers": parsers.import_workers(),
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(LISTINGS))
    parser.add_argument("--source", default="arxiv")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = run_child(CHILD, Path(tmp) / "floor.sqlite3", args.path, args.source)
    n = r["records"]

    def us(seconds: float) -> float:
        return 1e6 * seconds / n

    split, parse, transport, rows = (
        us(r["split"]),
        us(r["parse"]),
        us(r["transport"]),
        us(r["rows_cpu"]),
    )
    workers = max(1, int(r["workers"]))
    floor = split * workers + parse + transport + rows
    total = us(r["import_cpu"])
    print(
        f"{Path(args.path).name}: {n:,} records, {r['rows'] / n:.1f} catalog rows each; "
        f"{args.cores} cores"
    )
    print(
        f"  the import: {n / r['import_wall']:,.0f} records/s, {total:.0f} us CPU a record "
        f"(all processes)"
    )
    print(
        f"  split {split:.1f} us (x{workers} parser processes), parse {parse:.1f} us, "
        f"transport {transport:.1f} us, rows {rows:.1f} us"
    )
    print(
        f"  stages alone: {floor:.0f} us a record -> at most "
        f"{args.cores * 1e6 / floor:,.0f} records/s on {args.cores} cores"
    )
    print(
        f"  rows and transport alone: at most {args.cores * 1e6 / (rows + transport):,.0f} "
        f"records/s; the writer's own logic: about {total - floor:.0f} us a record"
    )


if __name__ == "__main__":
    main()
