"""PubMed gold sets: labelled pairs of MEDLINE mentions (Vishnyakova et al.) and
the Yonsei hand-labelled corpus, each with its articles' PubMed XML in a tar.gz
read in place (nothing extracted)."""

from __future__ import annotations

import csv
import io
import re
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from bzpeer.catalog.names import parse_name_cached
from bzpeer.resolve.aminer import (
    GoldFormatError,
    existing_path,
    find_author,
    other_names,
    parse_year,
)
from bzpeer.resolve.gold import pick_file, read_text
from bzpeer.resolve.signatures import Signature


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


def load_medline_pairs(path: str | Path) -> PairSet:
    """The pairs CSV and the PubMed XML tar.gz, read in place (nothing extracted).

    Each side's mention is the article's author matching the pair's name.
    """
    folder = existing_path(path)
    text = read_text(pick_file(folder, "1500_pairs_train.csv", "*.csv"))
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    if rows and "PMID1" not in rows[0]:
        raise GoldFormatError(f"{folder}: the pairs CSV has no PMID1 column")
    wanted = {r[k].strip() for r in rows for k in ("PMID1", "PMID2") if r.get(k)}
    articles = pubmed_articles(pick_file(folder, "pubmed_articles_xml.tar.gz", "*.tar.gz"), wanted)
    pairs = [_medline_pair(row, articles) for row in rows]
    found = tuple(p for p in pairs if p is not None)
    return PairSet(found, len(pairs) - len(found))


# An article: a signature holding every author in ``coauthors``, and per author
# (affiliation, ORCID iD); a mention is made from it for the matching author only.
Article = tuple[Signature, tuple[tuple[str, str], ...]]


def pubmed_articles(tar_path: Path, wanted: set[str]) -> dict[str, Article]:
    """PMID -> article; files that are not PubMed XML (error pages) are skipped."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    out: dict[str, Article] = {}
    with tarfile.open(tar_path, "r:*") as tar:
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


def _pubmed_article(node: etree._Element) -> Article:
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


def _medline_pair(row: dict[str, str], articles: dict[str, Article]) -> SignaturePair | None:
    answer = (row.get("Authorship") or "").strip().upper()
    first, second = _medline_author(row, "1", articles), _medline_author(row, "2", articles)
    if answer not in {"YES", "NO"} or first is None or second is None:
        return None
    return SignaturePair(first, second, answer == "YES")


def _medline_author(row: dict[str, str], n: str, articles: dict[str, Article]) -> Signature | None:
    article, extra = articles.get((row.get(f"PMID{n}") or "").strip(), (None, ()))
    last, given = (row.get(f"Last_name{n}") or "").strip(), (row.get(f"First_name{n}") or "")
    if article is None or not last:
        return None
    names = article.coauthors
    own = find_author(names, parse_name_cached(f"{last}, {given.strip()}"))
    own = _wildcard_author(names, last) if own is None else own
    if own is None:
        return None
    return _mention(article, extra, own, f"{article.id}:{own}", article.label)


def _mention(
    article: Signature, extra: Sequence[tuple[str, str]], own: int, key: str, label: str | None
) -> Signature:
    """The article's author at position ``own`` as a signature: the others are
    the co-authors, the affiliation and ORCID iD those of that author."""
    affiliation, orcid = extra[own]
    names = article.coauthors
    return replace(
        article,
        id=key,
        name=names[own],
        coauthors=other_names(names, own),
        affiliation=affiliation,
        orcid=orcid,
        label=label,
    )


def _wildcard_author(names: Sequence[str], last: str) -> int | None:
    """The CSV lost its accents (``M\ufffdtivier``, ``Peri?-Balja``): they match any letter."""
    if not any(c in "?\ufffd" for c in last):
        return None
    pattern = re.compile("".join("." if c in "?\ufffd" else re.escape(c) for c in last.lower()))
    matches = (i for i, n in enumerate(names) if pattern.fullmatch(n.partition(",")[0].lower()))
    return next(matches, None)


def load_yonsei(path: str | Path) -> list[Signature]:
    """``AND_CORPUS_v01.txt`` (IDX = gold person, PMID, surname, initials; tab-separated)
    and ``pubmed_xml.tar.gz``: the mention is the article's author of that name."""
    folder = existing_path(path)
    text = read_text(pick_file(folder, "AND_CORPUS_v01.txt", "*.txt"))
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    if rows and "IDX" not in rows[0]:
        raise GoldFormatError(f"{folder}: the corpus has no IDX column")
    wanted = {(r.get("PMID") or "").strip() for r in rows}
    articles = pubmed_articles(pick_file(folder, "pubmed_xml.tar.gz", "*.tar.gz"), wanted)
    out = []
    for row in rows:
        pmid = (row.get("PMID") or "").strip()
        article, extra = articles.get(pmid, (None, ()))
        last = (row.get("First_Author_Last_Name") or "").strip()
        if article is None or not last:
            continue
        names = article.coauthors
        own = find_author(
            names, parse_name_cached(f"{last}, {row.get('First_Author_Initials') or ''}")
        )
        if own is None:
            continue
        out.append(
            _mention(article, extra, own, f"yonsei:{pmid}:{own}", f"yonsei#{row['IDX'].strip()}")
        )
    return out
