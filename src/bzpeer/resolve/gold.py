"""The author-disambiguation gold sets as labelled signatures, and the sets the
shipped model trains on (``training/<set>``, see each folder's README).

Formats read here: ``inspire`` (INSPIRE beard signatures and clusters),
``kim-dblp`` (Kim's corrected Han DBLP set, TSV), ``lagos-and`` (the
LAGOS-AND quality sample, ORCID-labelled CSV) and ``lbd`` (UFMG LBD folds,
stemmed). AMiner XML is read by ``aminer.py``, the PubMed sets by
``pubmed.py``. Every file may also be read gzipped (``name.gz``), as shipped.
"""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bzpeer.catalog.names import parse_name_cached
from bzpeer.resolve.aminer import (
    GoldFormatError,
    existing_path,
    find_author,
    other_names,
    parse_year,
)
from bzpeer.resolve.block import TRAINING_DIR
from bzpeer.resolve.signatures import Signature


def decode_text(data: bytes) -> str:
    """UTF-8 when it decodes, else Latin-1 (older benchmark CSVs)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def pick_file(folder: Path, name: str, pattern: str) -> Path:
    """``folder/name`` (or ``name.gz``) if present, else the single file matching ``pattern``."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    matches = sorted(folder.glob(pattern)) or sorted(folder.glob(f"{pattern}.gz"))
    if len(matches) != 1:
        raise GoldFormatError(f"{folder}: expected one {pattern} file, found {len(matches)}")
    return matches[0]


def read_bytes(path: Path) -> bytes:
    """A file's bytes, gunzipped when its name ends in ``.gz``."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def read_text(path: Path) -> str:
    return decode_text(read_bytes(path))


def signatures_and_clusters(path: str | Path) -> tuple[Path, object, object]:
    """A beard-format folder (INSPIRE, S2AND): ``*signatures.json`` and
    ``*clusters.json``, parsed."""
    folder = existing_path(path)
    signatures = read_bytes(pick_file(folder, "signatures.json", "*signatures.json"))
    clusters = read_bytes(pick_file(folder, "clusters.json", "*clusters.json"))
    return folder, json.loads(signatures), json.loads(clusters)


# -- INSPIRE ----------------------------------------------------------------------------


def load_inspire(path: str | Path) -> list[Signature]:
    """``*_signatures.json`` + ``*_clusters.json`` (beard format), no records file.

    Without records, a mention's co-authors are the other signatures of the set
    on the same publication (for the ``wang`` set: the other Wangs).
    """
    folder, signatures, clusters = signatures_and_clusters(path)
    if not (isinstance(signatures, list) and isinstance(clusters, dict)):
        raise GoldFormatError(f"{folder}: INSPIRE signatures are a list, clusters an object")
    label = {str(sig): str(cid) for cid, members in clusters.items() for sig in members}
    on_pub: dict[str, list[dict[str, Any]]] = {}
    for sig in signatures:
        on_pub.setdefault(str(sig["publication_id"]), []).append(sig)
    return [
        Signature(
            id=str(sig["signature_id"]),
            name=sig["author_name"],
            coauthors=tuple(
                o["author_name"] for o in on_pub[str(sig["publication_id"])] if o is not sig
            ),
            affiliation=str(sig.get("author_affiliation") or ""),
            label=label.get(str(sig["signature_id"])),
            publication=f"inspire:{sig['publication_id']}",
        )
        for sig in signatures
    ]


# -- Kim's DBLP ---------------------------------------------------------------------------


def load_kim_dblp(path: str | Path) -> list[Signature]:
    """``DBLP_labeled_data.txt``: name, person id, paper id, ``|``-separated authors,
    year, venue, title (stemmed, stop-words removed), tab-separated, no header."""
    folder = existing_path(path)
    file = folder if folder.is_file() else pick_file(folder, "DBLP_labeled_data.txt", "*.txt")
    out = []
    for n, line in enumerate(read_text(file).splitlines()):
        cells = line.split("\t")
        if len(cells) < 7:
            if line.strip():
                raise GoldFormatError(f"{file}:{n + 1}: expected 7 tab-separated columns")
            continue
        name, person, paper, authors, year, venue, title = (c.strip() for c in cells[:7])
        names = [a.strip() for a in authors.split("|") if a.strip()]
        own = find_author(names, parse_name_cached(name))
        out.append(
            Signature(
                id=f"kim:{n}",
                name=name,
                coauthors=other_names(names, -1 if own is None else own),
                label=person,
                publication=f"kim:{paper}",
                title=title,
                venue=venue,
                year=parse_year(year),
            )
        )
    return out


# -- LAGOS-AND ----------------------------------------------------------------------------


def load_lagos(path: str | Path) -> list[Signature]:
    """The LAGOS-AND quality sample: one row per author and paper; the gold person is
    the ORCID iD (not given to the resolver, which would then only copy it)."""
    folder = existing_path(path)
    file = (
        folder
        if folder.is_file()
        else pick_file(folder, "dataset_quality_testing_by_block.csv", "*.csv")
    )
    rows = list(csv.DictReader(io.StringIO(read_text(file))))
    if rows and "author_group_orcid" not in rows[0]:
        raise GoldFormatError(f"{file}: no author_group_orcid column")
    out = []
    for n, row in enumerate(rows):
        try:
            names = [str(a) for a in ast.literal_eval(row.get("coauthor") or "[]")]
        except (ValueError, SyntaxError):
            names = []
        own = find_author(names, parse_name_cached(row["author_name"]))
        out.append(
            Signature(
                id=f"lagos:{n}",
                name=row["author_name"],
                coauthors=other_names(names, -1 if own is None else own),
                label=row["author_group_orcid"],
                publication=f"doi:{row['doi'].lower()}",
                title=row.get("OriginalTitle") or "",
                affiliation=row.get("author_affiliation") or "",
                year=parse_year(row.get("pub_year")),
            )
        )
    return out


# -- UFMG LBD -----------------------------------------------------------------------------


def load_lbd(path: str | Path) -> list[Signature]:
    """UFMG LBD folds (``<name>_train_f0.txt`` and ``_test_f0.txt``, any depth):
    ``id;person;name;co-authors (comma);title;venue;year``, words stemmed."""
    root = existing_path(path)
    files = sorted(root.rglob("*_f*.txt")) if root.is_dir() else [root]
    out: dict[str, Signature] = {}
    for file in files:
        group = f"{file.parent.name}/{file.stem.split('_')[0]}"
        for line in read_text(file).splitlines():
            cells = line.split(";")
            if len(cells) < 7:
                continue
            pid, person, name, coauthors, title, venue, year = (c.strip() for c in cells[:7])
            out.setdefault(
                f"{group}:{pid}",
                Signature(
                    id=f"{group}:{pid}",
                    name=name,
                    coauthors=tuple(c.strip() for c in coauthors.split(",") if c.strip()),
                    label=f"{group}#{person}",
                    publication=f"lbd:{group}:{pid}",
                    title=title,
                    venue=venue,
                    year=parse_year(year),
                ),
            )
    if not out:
        raise GoldFormatError(f"{root}: no LBD fold files")
    return list(out.values())


# -- the shipped sets -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoldSet:
    """One shipped gold set: clusters of signatures, or labelled pairs (``pairs``)."""

    name: str
    folder: str  # under training/
    load: Callable[[str | Path], list[Signature]]
    pairs: bool = False

    @property
    def path(self) -> Path:
        return TRAINING_DIR / self.folder
