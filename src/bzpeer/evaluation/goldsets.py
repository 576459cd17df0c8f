"""Loaders for public author-disambiguation gold data.

Every loader reads one format as published and returns typed records, never
raw dicts: a :class:`Signature` is one author mention with what a resolver
could see (name, co-author names, title, venue, year, affiliation) and the gold
person it belongs to. Formats: ``aminer`` (per-name AMiner/ArnetMiner XML),
``s2and`` (S2AND signatures/clusters/papers JSON), ``inspire`` (INSPIRE
signatures and clusters), ``medline-pairs`` (labelled PMID pairs with the
PubMed XML in a tar.gz) and ``dblp-bibtex`` (one BibTeX file per person). The
path, text and year helpers also serve the work-matching data in ``evaluate``.
The AMiner reader lives with the shipped model it trains
(``bzpeer.resolve.aminer``); this module reads every other format.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors
from unidecode import unidecode

from bzpeer.catalog.names import PersonName, fullness, names_compatible, parse_name_cached
from bzpeer.catalog.titles import title_key
from bzpeer.resolve.aminer import (
    GoldFormatError,
    existing_path,
    find_author,
    gold_files,
    load_aminer,
    other_names,
    parse_year,
)
from bzpeer.resolve.gold import (
    decode_text,
    load_inspire,
    load_kim_dblp,
    load_lagos,
    load_lbd,
    pick_file,
    signatures_and_clusters,
)
from bzpeer.resolve.pubmed import PairSet, SignaturePair, load_medline_pairs, load_yonsei
from bzpeer.resolve.signatures import Signature

__all__ = [
    "DISAMBIGUATION_LOADERS",
    "GoldFormatError",
    "PairSet",
    "Signature",
    "SignaturePair",
    "decode_text",
    "existing_path",
    "load_aminer",
    "load_dblp_bibtex",
    "load_inspire",
    "load_kim_dblp",
    "load_lagos",
    "load_lbd",
    "load_medline_pairs",
    "load_s2and",
    "load_yonsei",
    "parse_year",
    "pick_file",
]


# -- S2AND and INSPIRE ----------------------------------------------------------------


def load_s2and(path: str | Path) -> list[Signature]:
    """``[prefix_]signatures.json`` + ``clusters.json`` (+ ``papers.json`` when present).

    ``sourced_author_ids`` are not used: S2AND's gold clusters derive from them.
    Signatures in no cluster are unlabelled.
    """
    folder, signatures, clusters = signatures_and_clusters(path)
    papers_path = next(iter(sorted(folder.glob("*papers.json"))), None)
    papers = json.loads(papers_path.read_bytes()) if papers_path else {}
    if not (isinstance(signatures, dict) and isinstance(clusters, dict)):
        raise GoldFormatError(f"{folder}: S2AND signatures and clusters are JSON objects")
    label = {str(s): str(c) for c, v in clusters.items() for s in v.get("signature_ids", [])}
    papers = papers if isinstance(papers, dict) else {}
    return [_s2and_signature(str(sid), sig, papers, label) for sid, sig in signatures.items()]


def _s2and_signature(
    sid: str, sig: dict[str, Any], papers: dict[str, Any], label: dict[str, str]
) -> Signature:
    info = sig["author_info"]
    parts = (info.get(k) for k in ("first", "middle", "last", "suffix"))
    paper_id = str(sig.get("paper_id", ""))
    paper = papers.get(paper_id) or {}
    authors = paper.get("authors", [])
    return Signature(
        id=sid,
        name=" ".join(str(p).strip() for p in parts if p),
        coauthors=tuple(
            str(a["author_name"])
            for a in authors
            if a.get("position") != info.get("position") and a.get("author_name")
        ),
        title=str(paper.get("title") or ""),
        venue=str(paper.get("venue") or paper.get("journal_name") or ""),
        year=parse_year(paper.get("year")),
        affiliation="; ".join(str(a) for a in info.get("affiliations") or []),
        label=label.get(sid),
        publication=f"s2:{paper_id}",
    )


# -- per-person BibTeX ----------------------------------------------------------------


def load_dblp_bibtex(path: str | Path) -> list[Signature]:
    """A folder of BibTeX files, one per gold person (or one such file).

    The person's name is picked among the author names (as parsed) whose
    words all appear in the file name (``Tianlong_Chen.bib``), or among the 20
    most frequent when none does: the one compatible with the most entries,
    then the fuller, then the alphabetically last. Each entry's mention is its
    first author compatible with that name; entries without one are left out.
    """
    return [sig for file in gold_files(path, ".bib") for sig in _bibtex_person(file)]


def _bib_entries(file: Path) -> list[tuple[str, dict[str, object]]]:
    middleware = [LatexDecodingMiddleware(), SeparateCoAuthors()]  # LaTeX -> Unicode
    library = bibtexparser.parse_string(
        decode_text(file.read_bytes()), append_middleware=middleware
    )
    blocks = list(library.entries)
    for failed in library.failed_blocks:  # a repeated key is still an entry
        if "DuplicateBlockKey" in type(failed).__name__:
            again = bibtexparser.parse_string(str(failed.raw), append_middleware=middleware)
            blocks.extend(again.entries)
    return [(e.key, {k.lower(): f.value for k, f in e.fields_dict.items()}) for e in blocks]


def _bib_authors(fields: dict[str, object]) -> list[str]:
    value = fields.get("author", [])
    names = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
    # "A One, B Two, C Three" (commas where "and" belongs) is a list, not one name.
    split = (p for n in names for p in (str(n).split(",") if str(n).count(",") > 2 else [n]))
    cleaned = (str(n).replace("{", "").replace("}", "").strip() for n in split)
    return [n for n in cleaned if n and n.lower() not in {"others", "et al."}]


def _person_name(file: Path, entries: list[list[str]]) -> PersonName | None:
    hint = set(re.findall(r"[a-z]+", unidecode(file.stem).lower()))
    parsed = [{parse_name_cached(n) for n in names} for names in entries]
    counts = Counter(name for names in parsed for name in names)

    def named(c: PersonName) -> bool:
        return c.surname in hint and all(g in hint for g in c.given if len(g) > 1)

    # Coverage is counted for the likely names only: a person's file has many co-authors.
    candidates = [c for c in counts if named(c)] or [c for c, _ in counts.most_common(20)]

    def rank(c: PersonName) -> tuple[int, int, str]:
        covered = sum(any(names_compatible(n, c) for n in names) for names in parsed)
        full = " ".join((*c.given, c.surname))
        return covered, fullness(full)[0], full

    return max(candidates, key=rank, default=None)


def _bibtex_person(file: Path) -> list[Signature]:
    entries = _bib_entries(file)
    if not entries:
        raise GoldFormatError(f"{file}: no BibTeX entries")
    authors = [_bib_authors(fields) for _, fields in entries]
    person = _person_name(file, authors)
    out: list[Signature] = []
    for (key, fields), names in zip(entries, authors, strict=True):
        own = find_author(names, person) if person else None
        if own is None or not person or not names_compatible(parse_name_cached(names[own]), person):
            continue
        title = str(fields.get("title", "")).replace("{", "").replace("}", "")
        venue = fields.get("booktitle") or fields.get("journal") or ""
        out.append(
            Signature(
                id=f"{file.stem}:{key}:{len(out)}",
                name=names[own],
                coauthors=other_names(names, own),
                title=title,
                venue=str(venue),
                year=parse_year(fields.get("year")),
                label=file.stem,
                publication=f"title:{title_key(title) or key}",
            )
        )
    return out


DISAMBIGUATION_LOADERS: dict[str, Callable[[str | Path], list[Signature]]] = {
    "aminer": load_aminer,
    "s2and": load_s2and,
    "inspire": load_inspire,
    "dblp-bibtex": load_dblp_bibtex,
    "kim-dblp": load_kim_dblp,
    "lagos-and": load_lagos,
    "lbd": load_lbd,
    "yonsei": load_yonsei,
}
