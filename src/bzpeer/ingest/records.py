"""Typed records every parser produces. Nothing downstream touches raw dicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from bzpeer.catalog.identifiers import parse_arxiv, parse_doi, parse_orcid
from bzpeer.catalog.names import parse_name
from bzpeer.catalog.titles import title_forms
from bzpeer.catalog.untrusted import http_url, without_emails

# Mixed into every source record's payload hash (``rows.payload_hash``).
# Raise it when a parser change alters what the same raw record parses to (a
# fix in LaTeX conversion, a field cleaned at import): a re-import then finds
# the records an older parser stored "changed" and writes them again, which
# repairs them; a second import with the same parser still writes nothing.
PARSER_VERSION = 2

URL_MAX = 1000  # WorkVersion.url: a longer link is not stored cut short, but not at all


class RecordError(ValueError):
    """A record is malformed; the message is the quarantine reason."""


_ID_PARSERS = {
    "doi": (parse_doi, "DOI"),
    "arxiv": (parse_arxiv, "arXiv id"),
    "orcid": (parse_orcid, "ORCID"),
}


def stated_id(scheme: str, raw: object, where: str) -> str:
    """The normalised identifier a record states; a malformed one is a RecordError
    (``"<where>: bad DOI '11.999/x'"``), which sends the record to quarantine."""
    parser, label = _ID_PARSERS[scheme]
    value = parser(str(raw))
    if value is None:
        raise RecordError(f"{where}: bad {label} {str(raw)[:80]!r}")
    return value


# Not frozen: a frozen dataclass's __init__ sets each field through
# object.__setattr__, several times the cost of this one's, and the import
# makes a Chunk, a ParsedWork and about six ParsedAuthors a record. Treat them
# as immutable; they stay hashable and compare by value.
@dataclass(slots=True, unsafe_hash=True)
class Chunk:
    """The raw text of one record and where it came from."""

    source: str
    locator: str
    text: str
    options: tuple[tuple[str, str], ...] = ()

    def option(self, name: str) -> str | None:
        return dict(self.options).get(name)


@dataclass(frozen=True)
class InstitutionRef:
    name: str
    ror: str | None = None
    openalex_id: str | None = None
    country: str = ""
    kind: str = ""

    def __post_init__(self) -> None:
        # Names read from raw affiliation strings can carry an address.
        cleaned = without_emails(self.name)
        if cleaned != self.name:
            object.__setattr__(self, "name", cleaned or "Unnamed institution")


@lru_cache(maxsize=262144)
def name_key(name: str) -> str:
    """A name's block key as mentions store it; the same names recur across records.

    Memoised itself, so it parses without ``parse_name_cached``: a parser
    process would otherwise keep every name twice, the second time as a
    PersonName it never reads again (about 50 MB of each parser's peak)."""
    return parse_name(name).block_key[:255]


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see Chunk
class ParsedAuthor:
    name: str
    position: int | None
    affiliation: str = ""
    orcid: str | None = None
    person_key: str = ""
    institutions: tuple[InstitutionRef, ...] = ()
    role: str = "author"  # or "editor": an edited volume naming only its editors
    # Derived at parse time, so parallel parsers do this work rather than the writer.
    name_key: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.name_key = name_key(self.name)
        if self.affiliation:
            # The address stays in the source record's payload only.
            self.affiliation = without_emails(self.affiliation)

    @property
    def surname(self) -> str:
        return self.name_key.rsplit("_", 1)[0]


@dataclass(frozen=True)
class TopicRef:
    external_id: str
    name: str
    score: float
    parents: tuple[tuple[str, str, str], ...] = ()  # (level, id, name), broadest first


MAX_YEAR = 9999  # the last a date can have


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see Chunk
class ParsedWork:
    source: str
    external_id: str
    title: str
    year: int | None
    type: str
    authors: tuple[ParsedAuthor, ...]
    abstract: str = ""
    date: dt.date | None = None
    venue: str = ""
    venue_openalex_id: str | None = None
    identifiers: tuple[tuple[str, str], ...] = ()
    journal_ref: str = ""
    url: str = ""
    topics: tuple[TopicRef, ...] = ()
    references: tuple[tuple[str, str], ...] = ()  # (scheme, value) of cited works
    # Derived at parse time (in the parser processes, not the writer):
    title_key: str = field(init=False, default="")
    surnames: frozenset[str] = field(init=False, default=frozenset())
    author_names: tuple[str, ...] = field(init=False, default=())  # in byline order
    first_author_key: str = field(init=False, default="")
    title_words: str = field(init=False, default="")  # for fuzzy title matching

    def __post_init__(self) -> None:
        if self.year is not None and not 0 < self.year <= MAX_YEAR:
            # 10**19 would stop the import at the database ("too large to
            # convert"): a record's fault, so the record's quarantine.
            raise RecordError(f"{self.external_id}: implausible year {self.year}")
        if self.url:
            # Stored only as a link a page may render (http/https), else not at all.
            url = http_url(self.url)
            self.url = url if len(url) <= URL_MAX else ""
        self.title_key, self.title_words = title_forms(self.title)
        self.surnames = frozenset(a.surname for a in self.authors)
        ordered = sorted(
            self.authors, key=lambda a: a.position if a.position is not None else 1 << 30
        )
        self.author_names = tuple(a.name for a in ordered)
        self.first_author_key = ordered[0].name_key if ordered else ""


@dataclass(frozen=True)
class ParsedAuthorEntity:
    source: str
    external_id: str
    display_name: str
    openalex_id: str | None
    orcid: str | None
    name_variants: tuple[str, ...] = ()
    affiliations: tuple[tuple[InstitutionRef, int | None, int | None], ...] = ()


@dataclass(frozen=True)
class ParsedInstitution:
    source: str
    external_id: str
    ref: InstitutionRef
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    relationships: tuple[tuple[str, str, str], ...] = ()  # (type, ror id, label)
    status: str = ""
    established: int | None = None
    city: str = ""
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedVenue:
    source: str
    external_id: str
    name: str
    kind: str
    openalex_id: str | None
    issn_l: str = ""
    aliases: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ParsedTopic:
    source: str
    external_id: str
    ref: TopicRef


Parsed = ParsedWork | ParsedAuthorEntity | ParsedInstitution | ParsedVenue | ParsedTopic

# Marks a chunk whose bytes are not UTF-8 text; the rest is the bytes with
# escapes, kept for quarantine. No NUL: PostgreSQL text refuses it.
UNDECODABLE = "\ufffdUNDECODABLE\ufffd "
