"""Which version of a work to show: pure functions over version facts.

A work's type, venue and year follow its best version: a published version
(journal article, conference paper, ...) beats a preprint, a curated or
authoritative source beats a scraped one. An arXiv preprint whose
``journal-ref`` names its published version is shown as that publication.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import NamedTuple

from rapidfuzz import fuzz

from bzpeer.catalog import venues
from bzpeer.catalog.models import PUBLISHED, WorkType
from bzpeer.catalog.titles import title_key, title_words

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


# Named tuples, not frozen dataclasses: a frozen dataclass sets each field
# through object.__setattr__ (3.1 us for WorkFacts against 0.5), and the
# import makes one of these for most records.
class VersionFacts(NamedTuple):
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


class WorkFacts(NamedTuple):
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


class MatchFacts(NamedTuple):
    """What work matching compares: title (exact key and words), year, authors,
    and the identifiers that tell two works apart (arXiv ids, DOIs)."""

    title_key: str
    words: str
    year: int | None
    surnames: frozenset[str]
    preprint: bool = False
    ids: frozenset[tuple[str, str]] = frozenset()


def match_facts(
    title: str,
    year: int | None,
    surnames: AbstractSet[str],
    preprint: bool = False,
    ids: AbstractSet[tuple[str, str]] = frozenset(),
) -> MatchFacts:
    return MatchFacts(
        title_key(title), title_words(title), year, frozenset(surnames), preprint, frozenset(ids)
    )


DISTINCT_SCHEMES = ("arxiv", "doi")  # one per work: two different ones are two works
_NUMBERING = re.compile(r"^(?:[0-9]+|i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)$")


def similar_titles(a: str, b: str) -> bool:
    """Title words (``title_words``) a few characters apart, or one the other
    with a subtitle or remark added; never two parts of a series ("... II" and
    "... III") or titles whose numbers differ."""
    if a == b:
        return bool(a)
    short, long = (a, b) if len(a) < len(b) else (b, a)
    # A ratio of 90 needs 2 * len(short) / (len(short) + len(long)) >= 0.9 (the
    # Indel distance is at least the difference in length): most candidates
    # that share only a title's first words fail this before any comparison.
    if len(short) >= 12 and 11 * len(short) >= 9 * len(long) and fuzz.ratio(a, b, score_cutoff=90):
        return not _renumbered(a, b)
    # Three words or more, then a subtitle or before them a prefix: ``long``
    # starts with ``short`` and a space (or ends with a space and ``short``),
    # tested without building either string (most candidates fail at once).
    if (
        (long.startswith(short) and long[len(short)] == " ")
        or (long.endswith(short) and long[-len(short) - 1] == " ")
    ) and short.count(" ") >= 2:
        return not _renumbered(a, b)
    return False


def _renumbered(a: str, b: str) -> bool:
    """Whether the words two titles do not share include a number or a part numeral."""
    return any(_NUMBERING.match(w) for w in set(a.split()) ^ set(b.split()))


def years_agree(a: int | None, b: int | None, preprint: bool) -> bool:
    """Years two versions of a work may have: the same, or at most two apart
    when either is a preprint (it precedes its publication); unknown agrees."""
    return a is None or b is None or abs(a - b) <= (2 if preprint else 0)


def match_reason(a: MatchFacts, b: MatchFacts, generic: bool = False) -> str | None:
    """Why two records without a shared identifier are one work, or None.

    - Identifiers: two different arXiv ids (or DOIs) are two works.
    - Years: within two when either is a preprint (a preprint precedes its
      publication), otherwise equal (a conference paper and its journal
      extension a year later are two works).
    - Authors: at least half of the shorter author list's surnames shared.
    - Titles: the same normalised title, or ``similar_titles``.
    - ``generic``: the title recurs among other works (a yearly column such as
      "Reminiscences on Influential Papers"): only the exact title, the same
      year and most of the authors (Jaccard >= 0.5) will do.
    """
    for scheme in DISTINCT_SCHEMES:
        mine = {v for s, v in a.ids if s == scheme}
        theirs = {v for s, v in b.ids if s == scheme}
        if mine and theirs and not mine & theirs:
            return None
    if not years_agree(a.year, b.year, a.preprint or b.preprint):
        return None
    shared = a.surnames & b.surnames
    if not shared:
        return None
    people = f"{len(shared)} author surname{'s' if len(shared) > 1 else ''} shared"
    years = "same year" if a.year == b.year else f"years {a.year} and {b.year}"
    if generic:
        ok = (
            a.title_key == b.title_key
            and a.year == b.year
            and len(shared) / len(a.surnames | b.surnames) >= 0.5
        )
        return f"same recurring title, {years}, {people}" if ok else None
    if len(shared) / min(len(a.surnames), len(b.surnames)) < 0.5:
        return None
    if a.title_key == b.title_key:
        return f"same title, {years}, {people}" if a.title_key else None
    if similar_titles(a.words, b.words):
        return f"near-identical title, {years}, {people}"
    return None


def same_work(a: MatchFacts, b: MatchFacts, generic: bool = False) -> bool:
    """Whether ``match_reason`` finds a reason: see there for the rule."""
    return match_reason(a, b, generic) is not None


def version_rank(source: str, work_type: str, venue_known: bool) -> int:
    """Higher is better: published beats preprint, then known venue, then source."""
    type_rank = 3 if work_type in PUBLISHED else (1 if work_type == WorkType.OTHER else 0)
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


def published_placing(
    journal_refs: Iterable[str], year: int | None
) -> tuple[str, int | None, str] | None:
    """Where a work known only as a preprint was published, from the first
    journal-ref that names a venue: (venue name, year, type), the year the
    journal-ref's or else ``year``; None if none does."""
    for journal_ref in journal_refs:
        published = published_from_journal_ref(journal_ref)
        if published:
            name, ref_year, kind = published
            return name, ref_year or year, kind
    return None


def summarize(versions: Sequence[tuple[int, VersionFacts]]) -> WorkFacts:
    """Canonical fields of a work from its versions, given as (rank, facts)."""
    ordered = sorted(versions, key=lambda rv: -rv[0])
    best = ordered[0][1]
    preprints = [v for _, v in ordered if v.type == WorkType.PREPRINT]
    work_type, venue_id, venue_name, year = best.type, best.venue_id, best.venue_name, best.year
    if best.type == WorkType.PREPRINT:
        placed = published_placing((v.journal_ref for v in preprints), year)
        if placed:
            venue_name, year, work_type = placed
            venue_id = None
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
