"""Write the name-frequency table the learned author merges read.

    .venv/bin/python scripts/name_counts.py [LISTINGS] [--out PATH]

How common a name is tells how many people are likely to share it: one
"Rob Schreiber" in computer science, dozens of "Lei Wang". The table counts
author mentions by surname, by first given name (written out, not an
initial) and by both, from two real populations:

- every author of the arXiv astro-ph monthly listings 2000-2023 (814k
  mentions; ``../shared/data/arxiv/arxiv-browse-listings``), read once here,
  never at run time;
- every co-author in the shipped AMiner training files (computer science;
  the names themselves, not who they are).

The output, ``src/bzpeer/resolve/training/name_counts.tsv.gz`` (750 kB),
ships with the project (``kind<TAB>name<TAB>count``, kinds ``s``, ``g``,
``f``). Keeping names seen once, rather than leaving them out (465 kB),
measured the same on AMiner.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LISTINGS = (
    HERE.parent.parent
    / "shared/data/arxiv/arxiv-browse-listings/arxiv-monthly-listings-astro-ph-2000-2023.tar.gz"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("listings", nargs="?", default=str(LISTINGS))
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    import django

    django.setup()
    from rich.progress import track

    from bzpeer.catalog.names import parse_name_cached
    from bzpeer.ingest import arxiv
    from bzpeer.ingest.files import CountingReader, open_streams
    from bzpeer.ingest.records import RecordError
    from bzpeer.resolve.aminer import load_aminer
    from bzpeer.resolve.block import NAME_COUNTS, counted_name
    from bzpeer.resolve.model import training_files

    counts: Counter[tuple[str, str]] = Counter()

    def add(raw: str) -> None:
        surname, given = counted_name(parse_name_cached(raw))
        if surname:
            counts["s", surname] += 1
            if given:
                counts["g", given] += 1
                counts["f", f"{surname} {given}"] += 1

    seen: set[str] = set()
    path = Path(args.listings)
    with path.open("rb") as fh:
        for label, stream in open_streams(path, CountingReader(fh)):
            for chunk in arxiv.chunks(label, stream, ()):
                try:
                    works = arxiv.parse(chunk)
                except RecordError:
                    continue  # the import quarantines these; they name nobody here
                for work in works:
                    key = repr(work.identifiers)
                    if key not in seen:  # a paper is listed again when it is cross-listed
                        seen.add(key)
                        for author in work.authors:
                            add(author.name)
    for file in track(training_files(), description="AMiner co-authors"):
        for signature in load_aminer(file):
            for name in signature.coauthors:
                add(name)
    out = Path(args.out) if args.out else NAME_COUNTS
    rows = sorted((k, n, c) for (k, n), c in counts.items())
    # mtime=0: the same counts give the same bytes, so the cached model stays valid.
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as table:
        table.write("".join(f"{k}\t{n}\t{c}\n" for k, n, c in rows).encode())
    print(f"{len(seen):,} listed papers; {len(rows):,} names kept -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
