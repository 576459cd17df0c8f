"""A digest of the catalog a fixed input builds: to show that a refactor of
the import changed nothing it writes.

    .venv/bin/python bench/catalog_digest.py [--listings N] [--out FILE.json]

In a fresh process, a fresh ``BZPEER_HOME`` and a fresh SQLite database
(``DATABASE_URL`` is ignored): migrate, load the demo data (``bzpeer demo``:
every demo source, author resolution, enrichment), then import the arXiv
listings corpus (``common.LISTINGS``; ``--listings N``: its first N files
only, for a quick check) and resolve authors, as ``bzpeer import`` does.
Then print, per table of ``bzpeer.catalog``, of ``bzpeer.trust`` (trust
snapshots) and of the claims (``Claim``, ``ClaimEvent``), its row count and
a sha256 of its rows, and one sha256 of the author clusters.

What a table's digest covers: every column, ids and foreign keys included
(the writer allocates ids in input order in one process, and resolution runs
in one process, so ids repeat from run to run), except the ones that depend on
when the run happened, left out:

- every ``DateTimeField``: ``Work.updated_at``, ``SourceRecord.fetched_at``,
  ``Quarantine.seen_at`` and ``resolved_at``, ``AuthorCorrection.created_at``
  and ``undone_at``, ``TrustSnapshot.computed_at``, ``Claim.created_at`` and
  ``reviewed_at``, ``ClaimEvent.at`` (a ``DateField`` such as ``Work.date`` is
  data, and kept);
- where the input files lie: a ``locator`` names its file, so the demo data
  folder (which lies in the checkout) and the listings file are written as
  ``<demo>`` and ``<listings>`` in every text column.

Trust snapshots read the catalog as it is on the day they are computed (a
record's age in years): compare digests made on the same day.

A table's digest is order-free: the sha256 of the sorted sha256s of its rows
(each row as canonical JSON). The author clusters' digest does not depend on
ids at all: each author record that holds mentions is the set of its
mentions' keys (the source and external id of the source record the mention
came from, its position, its name key), and the digest covers the sorted set
of those sets; a regression that only renumbers ids shows there and not in
the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from common import HERE, LISTINGS, run_child

CHILD = r"""
import sys
sys.path.insert(0, sys.argv[3])
from catalog_digest import child
child(sys.argv[1], sys.argv[2])
"""


def child(listings: str, listings_label: str) -> None:
    """In the fresh process: build the catalog, print the digests as one JSON line."""
    import hashlib

    import django
    import orjson

    os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings"
    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import models

    from bzpeer.catalog.models import AuthorshipMention
    from bzpeer.demo import DATA, load_demo
    from bzpeer.ingest.pipeline import run_import

    call_command("migrate", verbosity=0)
    load_demo(show_progress=False)
    result = run_import("arxiv", [listings], show_progress=False, resolve=True)
    replacements = ((listings, listings_label), (str(DATA), "<demo>"))

    def plain(value: object) -> object:
        if isinstance(value, str):
            for before, after in replacements:
                if before in value:
                    value = value.replace(before, after)
        return value

    def row_hash(row: tuple[object, ...]) -> bytes:
        text = orjson.dumps([plain(v) for v in row], option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(text).digest()

    tables: dict[str, dict[str, object]] = {}
    claims = [apps.get_model("claims", name) for name in ("Claim", "ClaimEvent")]
    for label in ("catalog", "trust", ""):
        for model in apps.get_app_config(label).get_models() if label else claims:
            columns = [
                f.attname
                for f in model._meta.concrete_fields
                if not isinstance(f, models.DateTimeField)
            ]
            hashes = sorted(
                row_hash(row)
                for row in model.objects.order_by().values_list(*columns).iterator(5000)
            )
            total = hashlib.sha256()
            for h in hashes:
                total.update(h)
            tables[model._meta.label] = {
                "rows": len(hashes),
                "columns": columns,
                "sha256": total.hexdigest(),
            }

    clusters: dict[int, list[tuple[object, ...]]] = {}
    rows = (
        AuthorshipMention.objects.filter(author__isnull=False)
        .order_by()
        .values_list(
            "author_id",
            "version__source_record__source",
            "version__source_record__external_id",
            "position",
            "name_key",
        )
        .iterator(5000)
    )
    for author_id, *key in rows:
        clusters.setdefault(author_id, []).append(tuple(key))
    canonical = sorted(
        orjson.dumps(sorted(keys, key=lambda k: orjson.dumps(k))) for keys in clusters.values()
    )
    digest = hashlib.sha256()
    for blob in canonical:
        digest.update(hashlib.sha256(blob).digest())
    print(
        orjson.dumps(
            {
                "listings_records": result.stats.records,
                "tables": tables,
                "author_clusters": {
                    "clusters": len(clusters),
                    "mentions": sum(len(k) for k in clusters.values()),
                    "sha256": digest.hexdigest(),
                },
            }
        ).decode()
    )


def first_listings(count: int, into: Path) -> Path:
    """A .tar.gz of the corpus's first ``count`` files, in the corpus's order and names."""
    out = into / LISTINGS.name
    with tarfile.open(LISTINGS, "r|gz") as source, tarfile.open(out, "w:gz") as target:
        taken = 0
        for member in source:
            if taken >= count:
                break
            if member.isfile():
                target.addfile(member, source.extractfile(member))
                taken += 1
            else:
                target.addfile(member)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, help="import only the first N listing files")
    parser.add_argument("--out", help="also write the digests to this JSON file")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite file
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        listings = LISTINGS
        if args.listings is not None:
            listings = first_listings(args.listings, Path(tmp))
        home = Path(tmp) / "home"
        home.mkdir()
        try:
            out = run_child(CHILD, home / "digest.sqlite3", str(listings), "<listings>", str(HERE))
        except subprocess.CalledProcessError as exc:
            sys.stderr.write(exc.stderr or "")
            raise SystemExit(f"the child process failed ({exc.returncode})") from exc
    report = {"commit": commit, "listings_files": args.listings or "all", **out}
    for name, table in report["tables"].items():
        print(f"{name:32} {table['rows']:>9,}  {table['sha256']}")
    clusters = report["author_clusters"]
    print(
        f"{'author clusters':32} {clusters['clusters']:>9,}  {clusters['sha256']}"
        f"  ({clusters['mentions']:,} mentions)"
    )
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
