"""What author resolution reads of one authorship, and the full-name key of a co-author."""

from __future__ import annotations

from dataclasses import dataclass, field

from bzpeer.catalog.names import PersonName


@dataclass(slots=True)
class MentionRecord:
    """One authorship as resolution sees it."""

    id: int
    work_id: int
    raw_name: str
    orcid: str
    person_key: str
    author_id: int | None
    name: PersonName
    stored: bool = False
    coauthors: set[str] = field(default_factory=set)  # full_key of the other authors
    forbidden: frozenset[int] = frozenset()  # records a correction keeps it off
    coauthor_keys: set[str] = field(default_factory=set)  # their block keys
    title: str = ""
    venue: str = ""
    affiliation: str = ""
    year: int | None = None


def full_key(name: PersonName) -> str:
    """Surname and every given name as written: ``wang_jasontsongli``, ``wang_jtl``."""
    return f"{name.surname}_{''.join(name.given).replace('-', '')}"
