"""RIS, written by rispy. RIS is a line per field: the records layer has
already put every value on one line, so no value can start a field of its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import rispy

from bzpeer.catalog.models import WorkType

from .records import Citable, Person

TYPES: dict[str, str] = {
    WorkType.JOURNAL_ARTICLE: "JOUR",
    WorkType.CONFERENCE_PAPER: "CPAPER",
    WorkType.BOOK: "BOOK",
    WorkType.BOOK_CHAPTER: "CHAP",
    WorkType.THESIS: "THES",
    WorkType.REPORT: "RPRT",
    WorkType.DATASET: "DATA",
    WorkType.PREPRINT: "UNPB",
}


class _Writer(rispy.RisWriter):
    """Records as the RIS specification writes them: no numbered line before
    each, lines ended by CR LF."""

    NEWLINE = "\r\n"

    def set_header(self, count: int) -> str:
        return ""


def author(person: Person) -> str:
    return ", ".join(p for p in (person.family, person.given, person.suffix) if p)


def record(item: Citable) -> dict[str, Any]:
    out: dict[str, Any] = {"type_of_reference": TYPES.get(item.type, "GEN"), "id": item.key}
    if item.authors:
        out["authors"] = [author(p) for p in item.authors]
    if item.editors:  # A2: the editors of a book or a volume
        out["secondary_authors"] = [author(p) for p in item.editors]
    if item.title:
        out["title"] = item.title
    if item.venue:
        out["secondary_title"] = item.venue
    if item.year:
        out["year"] = str(item.year)
    if item.date:
        out["date"] = item.date.strftime("%Y/%m/%d/")
    if item.doi:
        out["doi"] = item.doi
    out["urls"] = [item.link]
    return out


def write(items: Sequence[Citable]) -> str:
    return str(rispy.dumps([record(i) for i in items], implementation=_Writer))
