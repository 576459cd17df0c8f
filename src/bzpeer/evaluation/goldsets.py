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

import csv
import io
import json
import re
import tarfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors
from lxml import etree
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
    "load_medline_pairs",
    "load_s2and",
    "parse_year",
    "pick_file",
]


@dataclass(frozen=True, slots=True)
class SignaturePair:
    """Two mentions sharing surname and initial; ``same``: one person per the gold."""

    first: Signature
    second: Signature
    same: bool


@dataclass(frozen=True, slots=True)
class PairSet:
    pairs: tuple[SignaturePair, ...]
    skipped: int  # unlabelled rows, missing articles, or no author of the pair's name


# -- shared helpers -------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 when it decodes, else Latin-1 (older benchmark CSVs)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")



def pick_file(folder: Path, name: str, pattern: str) -> Path:
    """``folder/name`` if present, else the single file matching ``pattern``."""
    if (folder / name).is_file():
        return folder / name
    matches = sorted(folder.glob(pattern))
    if len(matches) != 1:
        raise GoldFormatError(f"{folder}: expected one {pattern} file, found {len(matches)}")
    return matches[0]



# -- S2AND and INSPIRE ----------------------------------------------------------------


def _signatures_and_clusters(path: str | Path) -> tuple[Path, object, object]:
    folder = existing_path(path)
    signatures = pick_file(folder, "signatures.json", "*signatures.json").read_bytes()
    clusters = pick_file(folder, "clusters.json", "*clusters.json").read_bytes()
    return folder, json.loads(signatures), json.loads(clusters)


def load_s2and(path: str | Path) -> list[Signature]:
    """``[prefix_]signatures.json`` + ``clusters.json`` (+ ``papers.json`` when present).

    ``sourced_author_ids`` are not used: S2AND's gold clusters derive from them.
    Signatures in no cluster are unlabelled.
    """
    folder, signatures, clusters = _signatures_and_clusters(path)
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


def load_inspire(path: str | Path) -> list[Signature]:
    """``*_signatures.json`` + ``*_clusters.json`` (beard format), no records file.

    Without records, a mention's co-authors are the other signatures of the set
    on the same publication (for the ``wang`` set: the other Wangs).
    """
    folder, signatures, clusters = _signatures_and_clusters(path)
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


# -- MEDLINE pairs ---------------------------------------------------------------------


def load_medline_pairs(path: str | Path) -> PairSet:
    """The pairs CSV and the PubMed XML tar.gz, read in place (nothing extracted).

    Each side's mention is the article's author matching the pair's name.
    """
    folder = existing_path(path)
    text = decode_text(pick_file(folder, "1500_pairs_train.csv", "*.csv").read_bytes())
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    if rows and "PMID1" not in rows[0]:
        raise GoldFormatError(f"{folder}: the pairs CSV has no PMID1 column")
    wanted = {r[k].strip() for r in rows for k in ("PMID1", "PMID2") if r.get(k)}
    articles = _pubmed(pick_file(folder, "pubmed_articles_xml.tar.gz", "*.tar.gz"), wanted)
    pairs = [_medline_pair(row, articles) for row in rows]
    found = tuple(p for p in pairs if p is not None)
    return PairSet(found, len(pairs) - len(found))


# An article: a signature holding every author in ``coauthors``, and per author
# (affiliation, ORCID iD); a mention is made from it for the matching author only.
_Article = tuple[Signature, tuple[tuple[str, str], ...]]


def _pubmed(tar_path: Path, wanted: set[str]) -> dict[str, _Article]:
    """PMID -> article; files that are not PubMed XML (error pages) are skipped."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    out: dict[str, _Article] = {}
    with tarfile.open(tar_path, "r:gz") as tar:
        for member in tar:
            wanted_file = member.isfile() and Path(member.name).stem in wanted
            stream = tar.extractfile(member) if wanted_file else None
            try:
                root = etree.fromstring(stream.read(), parser) if stream else None
            except etree.XMLSyntaxError:
                continue
            for node in root.iter("PubmedArticle") if root is not None else ():
                article = _pubmed_article(node)
                out[article[0].id] = article
    return out


def _pubmed_article(node: etree._Element) -> _Article:
    people = [a for a in node.iterfind(".//AuthorList/Author") if a.findtext("LastName")]
    names, extra = [], []
    for author in people:  # "Last, Fore" is unambiguous; collective names have no LastName
        given = author.findtext("ForeName") or author.findtext("Initials") or ""
        names.append(f"{(author.findtext('LastName') or '').strip()}, {given.strip()}".strip(" ,"))
        orcid = re.search(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", author.findtext(_ORCID) or "")
        affiliations = (a.text or "" for a in author.iterfind(".//Affiliation"))
        extra.append(("; ".join(a.strip() for a in affiliations), orcid.group(0) if orcid else ""))
    pmid = (node.findtext(".//MedlineCitation/PMID") or "").strip()
    year = node.findtext(".//PubDate/Year") or node.findtext(".//PubDate/MedlineDate")
    article = Signature(
        id=pmid,
        name="",
        coauthors=tuple(names),
        label=None,
        publication=f"pmid:{pmid}",
        title=(node.findtext(".//ArticleTitle") or "").strip(),
        venue=(node.findtext(".//Journal/Title") or "").strip(),
        year=parse_year(year),
    )
    return article, tuple(extra)


_ORCID = "Identifier[@Source='ORCID']"


def _medline_pair(row: dict[str, str], articles: dict[str, _Article]) -> SignaturePair | None:
    answer = (row.get("Authorship") or "").strip().upper()
    first, second = _medline_author(row, "1", articles), _medline_author(row, "2", articles)
    if answer not in {"YES", "NO"} or first is None or second is None:
        return None
    return SignaturePair(first, second, answer == "YES")


def _medline_author(row: dict[str, str], n: str, articles: dict[str, _Article]) -> Signature | None:
    article, extra = articles.get((row.get(f"PMID{n}") or "").strip(), (None, ()))
    last, given = (row.get(f"Last_name{n}") or "").strip(), (row.get(f"First_name{n}") or "")
    if article is None or not last:
        return None
    names = article.coauthors
    own = find_author(names, parse_name_cached(f"{last}, {given.strip()}"))
    own = _wildcard_author(names, last) if own is None else own
    if own is None:
        return None
    affiliation, orcid = extra[own]
    return replace(
        article,
        id=f"{article.id}:{own}",
        name=names[own],
        coauthors=other_names(names, own),
        affiliation=affiliation,
        orcid=orcid,
    )


def _wildcard_author(names: Sequence[str], last: str) -> int | None:
    """The CSV lost its accents (``M\ufffdtivier``, ``Peri?-Balja``): they match any letter."""
    if not any(c in "?\ufffd" for c in last):
        return None
    pattern = re.compile("".join("." if c in "?\ufffd" else re.escape(c) for c in last.lower()))
    matches = (i for i, n in enumerate(names) if pattern.fullmatch(n.partition(",")[0].lower()))
    return next(matches, None)


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
}
