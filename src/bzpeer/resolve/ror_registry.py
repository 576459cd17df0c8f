"""The ROR registry the project ships (``data/ror-registry.jsonl.gz``, see
``data/README.md``): the institutions raw affiliation strings are matched
against when the catalog has not imported a registry of its own.

Reading and indexing the file takes a few seconds; the built index is
cached under ``var/models`` in a file named by the registry's hash and this
code's, so a second process loads it in well under a second.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings

from .affiliation_names import Org, with_children
from .affiliations import InstitutionIndex

REGISTRY = Path(__file__).with_name("data") / "ror-registry.jsonl.gz"


def read_registry(path: Path = REGISTRY) -> Iterator[dict[str, Any]]:
    """The registry's records: id, name, country, city, types, status,
    aliases, acronyms, labels, relationships [[type, ROR id, label]]."""
    with gzip.open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def registry_orgs(path: Path = REGISTRY) -> list[Org]:
    return with_children(
        Org(
            number,
            str(r["id"]),
            str(r["name"]),
            str(r["country"]),
            tuple(r["aliases"]),
            tuple(r["acronyms"]),
            tuple(r["labels"]),
            str(r["city"]),
            tuple(r["types"]),
            tuple(str(t) for kind, t, *_ in r["relationships"] if kind == "parent"),
        )
        for number, r in enumerate(read_registry(path), start=1)
    )


def _key(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    for module in ("affiliation_names.py", "affiliations.py"):  # what the pickle holds
        digest.update(Path(__file__).with_name(module).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=2)
def shipped_index(path: Path = REGISTRY) -> InstitutionIndex:
    """The index over the shipped registry, from the on-disk cache when it is there."""
    folder = Path(settings.VAR_DIR) / "models"
    cached = folder / f"ror-index-{_key(path)}.pickle"
    if cached.exists():
        with cached.open("rb") as fh:
            index: InstitutionIndex = pickle.load(fh)  # written below from the shipped file
        return index
    index = InstitutionIndex(registry_orgs(path))
    folder.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")  # two processes may build it at once
    with tmp.open("wb") as fh:
        pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cached)
    return index
