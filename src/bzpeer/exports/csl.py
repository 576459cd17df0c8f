"""CSL-JSON (Citation Style Language's data format, read by Zotero, Pandoc and
every CSL processor): a list of items, our work types mapped to CSL's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from bzpeer.catalog.models import WorkType

from .records import Citable, Person

TYPES: dict[str, str] = {
    WorkType.JOURNAL_ARTICLE: "article-journal",
    WorkType.CONFERENCE_PAPER: "paper-conference",
    WorkType.BOOK: "book",
    WorkType.BOOK_CHAPTER: "chapter",
    WorkType.THESIS: "thesis",
    WorkType.REPORT: "report",
    WorkType.DATASET: "dataset",
    WorkType.PREPRINT: "article",  # CSL 1.0's type for a preprint
}


def name(person: Person) -> dict[str, str]:
    out = {"family": person.family}
    if person.given:
        out["given"] = person.given
    if person.suffix:
        out["suffix"] = person.suffix
    return out


def item(work: Citable) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": work.key,
        "type": TYPES.get(work.type, "document"),
        "title": work.title,
    }
    if work.authors:
        out["author"] = [name(p) for p in work.authors]
    if work.editors:
        out["editor"] = [name(p) for p in work.editors]
    if work.date:
        out["issued"] = {"date-parts": [[work.date.year, work.date.month, work.date.day]]}
    elif work.year:
        out["issued"] = {"date-parts": [[work.year]]}
    if work.venue:
        out["container-title"] = work.venue
    if work.doi:
        out["DOI"] = work.doi
    if work.arxiv:
        out["archive"] = "arXiv"
        out["archive_location"] = work.arxiv
    out["URL"] = work.link
    return out


def write(items: Sequence[Citable]) -> bytes:
    return orjson.dumps([item(i) for i in items], option=orjson.OPT_INDENT_2)
