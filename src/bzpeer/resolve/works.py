"""Which version of a work to show: pure functions over version facts.

A work's type, venue and year follow its best version: a published version
(journal article, conference paper, ...) beats a preprint, a curated or
authoritative source beats a scraped one. An arXiv preprint whose
``journal-ref`` names its published version is shown as that publication.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from bzpeer.catalog import venues
from bzpeer.catalog.models import WorkType

SOURCE_RANK = {
    "crossref": 5,
    "openalex": 4,
    "dblp": 4,
    "manual": 3,
    "s2": 3,
    "orcid": 2,
    "bibtex": 2,
    "arxiv": 1,
    "listing": 0,
}
_PUBLISHED = {
    WorkType.JOURNAL_ARTICLE,
    WorkType.CONFERENCE_PAPER,
    WorkType.BOOK,
    WorkType.BOOK_CHAPTER,
    WorkType.THESIS,
    WorkType.REPORT,
    WorkType.DATASET,
}


@dataclass(frozen=True, slots=True)
class VersionFacts:
    source: str
    title: str
    title_key: str
    abstract: str
    year: int | None
    date: dt.date | None
    type: str
    venue_id: int | None
    venue_name: str
    journal_ref: str
    author_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WorkFacts:
    title: str
    title_key: str
    abstract: str
    year: int | None
    date: dt.date | None
    type: str
    venue_id: int | None
    venue_name: str
    also_preprint: bool
    authors_text: str


MIN_TITLE_KEY = 25  # shorter titles ("Introduction", "Editorial") never match on title alone


def same_work(
    title_key_a: str,
    year_a: int | None,
    surnames_a: AbstractSet[str],
    title_key_b: str,
    year_b: int | None,
    surnames_b: AbstractSet[str],
) -> bool:
    """Two records without a shared identifier are one work when their titles
    match after normalisation (long enough to be specific), their years are
    within two of each other, and they share an author surname."""
    return (
        title_key_a == title_key_b
        and len(title_key_a) >= MIN_TITLE_KEY
        and (year_a is None or year_b is None or abs(year_a - year_b) <= 2)
        and bool(surnames_a & surnames_b)
    )


def version_rank(source: str, work_type: str, venue_known: bool) -> int:
    """Higher is better: published beats preprint, then known venue, then source."""
    type_rank = 3 if work_type in _PUBLISHED else (1 if work_type == WorkType.OTHER else 0)
    return type_rank * 100 + (10 if venue_known else 0) + SOURCE_RANK.get(source, 0)


def published_from_journal_ref(journal_ref: str) -> tuple[str, int | None, str] | None:
    """``Phys.Rev.D76:013009,2007`` -> (``Phys.Rev.D``, 2007, journal-article)."""
    text = journal_ref.strip()
    if not text:
        return None
    match = re.match(r"^([^\d(]+)", text)
    name = (match.group(1) if match else text).strip(" ,.;:")
    if len(name) < 2:
        return None
    years = re.findall(r"\b(?:19|20)\d{2}\b", text)
    year = int(years[-1]) if years else None
    known = venues.match_known(name)
    if known and known.key == "arxiv":
        return None
    kind = (
        WorkType.CONFERENCE_PAPER
        if (
            (known and known.kind == venues.CONFERENCE)
            or re.search(r"\b(proc|proceedings|conference|workshop|symposium)\b", name, re.I)
        )
        else WorkType.JOURNAL_ARTICLE
    )
    return (known.name if known else name), year, kind


def summarize(versions: Sequence[tuple[int, VersionFacts]]) -> WorkFacts:
    """Canonical fields of a work from its versions, given as (rank, facts)."""
    ordered = sorted(versions, key=lambda rv: -rv[0])
    best = ordered[0][1]
    preprints = [v for _, v in ordered if v.type == WorkType.PREPRINT]
    work_type, venue_id, venue_name, year = best.type, best.venue_id, best.venue_name, best.year
    if best.type == WorkType.PREPRINT:
        for version in preprints:
            published = published_from_journal_ref(version.journal_ref)
            if published:
                venue_name, ref_year, work_type = published
                venue_id = None
                year = ref_year or year
                break
    if year is None:
        year = min((v.year for _, v in ordered if v.year), default=None)
    abstract = next((v.abstract for _, v in ordered if v.abstract), "")
    with_authors = max(ordered, key=lambda rv: (len(rv[1].author_names), rv[0]))[1]
    title = best.title
    return WorkFacts(
        title=title,
        title_key=best.title_key,
        abstract=abstract,
        year=year,
        date=best.date or next((v.date for _, v in ordered if v.date), None),
        type=work_type,
        venue_id=venue_id,
        venue_name=venue_name,
        also_preprint=bool(preprints) and work_type != WorkType.PREPRINT,
        authors_text="; ".join(with_authors.author_names),
    )
