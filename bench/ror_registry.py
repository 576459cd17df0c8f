"""Build the ROR registry the affiliation matcher ships with
(src/bzpeer/resolve/data/ror-registry.jsonl.gz) from the shared ROR records.

    .venv/bin/python bench/ror_registry.py [DUMP ...]

Every record of the dumps (schema v1 or v2) is read with the ROR importer's
parser; withdrawn records are left out. One JSON object a line, sorted by ROR
id: ``id, name, country, city, types, status, aliases, acronyms, labels,
relationships [[type, id, label]]``; gzip with a fixed timestamp, so the same input
gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys

import orjson
from common import HERE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
os.environ.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")

SHARED = HERE.parent.parent / "shared/data/ror/registry"
DUMPS = [SHARED / "ror-registry-partial-v2.json.gz", SHARED / "ror-registry-partial-v1.json.gz"]
OUT = HERE.parent / "src/bzpeer/resolve/data/ror-registry.jsonl.gz"


def main(paths: list[str]) -> None:
    import django

    django.setup()
    from bzpeer.ingest.files import CountingReader, expand, open_streams
    from bzpeer.ingest.records import ParsedInstitution
    from bzpeer.ingest.sources import SOURCES

    source = SOURCES["ror"]
    records: dict[str, bytes] = {}
    for path in expand(paths or [str(p) for p in DUMPS]):
        with open(path, "rb") as raw:
            for label, stream in open_streams(path, CountingReader(raw)):
                for chunk in source.chunks(label, stream, ()):
                    for r in source.parse(chunk):
                        if not isinstance(r, ParsedInstitution) or not r.ref.ror:
                            continue
                        if r.status == "withdrawn" or r.ref.ror in records:
                            continue
                        row = {
                            "id": r.ref.ror,
                            "name": r.ref.name,
                            "country": r.ref.country,
                            "city": r.city,
                            "types": list(r.types),
                            "status": r.status,
                            "aliases": list(r.aliases),
                            "acronyms": list(r.acronyms),
                            "labels": list(r.labels),
                            "relationships": [[t, i, label] for t, i, label in r.relationships],
                        }
                        records[r.ref.ror] = orjson.dumps(row)
    body = b"\n".join(records[k] for k in sorted(records)) + b"\n"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(body)
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"{len(records):,} records, {OUT.stat().st_size:,} bytes, sha256 {digest}")


if __name__ == "__main__":
    main(sys.argv[1:])
