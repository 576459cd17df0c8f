"""Parsed records in the form the writer takes them, built in the parser processes.

``compact`` turns a ``ParsedWork`` into a ``WorkRow``: what the writer
derives from a record alone (mention rows, title ends, version rank, the
venue's display name, the work it makes as its only version) is computed
where the record is parsed, in parallel, and crosses the process boundary as
tuples and strings. ``check_fits`` refuses identifiers longer than their
columns, and ``payload_hash`` is the hash that tells a changed record from an
unchanged one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import NamedTuple

from django.db.models import Field, Model

from bzpeer.catalog import venues
from bzpeer.catalog.models import Author, SourceRecord, Topic, WorkType
from bzpeer.catalog.titles import title_ends
from bzpeer.resolve.works import VersionFacts, published_placing, version_rank

from .records import (
    PARSER_VERSION,
    Chunk,
    Parsed,
    ParsedAuthorEntity,
    ParsedInstitution,
    ParsedTopic,
    ParsedVenue,
    ParsedWork,
    RecordError,
)

# InstitutionRef's fields: (name, ROR, OpenAlex id, country, kind).
InstitutionFields = tuple[str, str | None, str | None, str, str]
# An authorship as the writer inserts it: (position, raw name, name key,
# raw affiliation, ORCID or "", person key, institutions).
Mention = tuple[int | None, str, str, str, str, str, tuple[InstitutionFields, ...], str]
# A topic as TopicRef's fields: (external id, name, score, parents).
TopicFields = tuple[str, str, float, tuple[tuple[str, str, str], ...]]


class SoloWork(NamedTuple):
    """``summarize`` of a record alone, the fields a new work takes from it
    beyond its own title, abstract and date; computed by the parsers, so the
    writer summarises only works with several versions."""

    year: int | None
    type: str
    keeps_venue: bool  # False when the journal-ref names the venue instead
    venue_name: str
    also_preprint: bool
    authors_text: str


class WorkRow(NamedTuple):
    """A ``ParsedWork`` as the writer reads it, made by ``compact``.

    Parser processes build it, so what the writer derives from a record (the
    mention rows, title ends, version rank, venue display name) is computed
    there, in parallel; and it crosses the process boundary as tuples and
    strings, about a quarter of the cost of rebuilding the record's
    dataclasses (one per author and topic) in the writer.
    """

    source: str
    external_id: str
    title: str
    title_key: str
    title_words: str
    head: str
    tail: str
    year: int | None
    date: dt.date | None
    type: str
    abstract: str
    venue: str
    venue_openalex_id: str | None
    venue_display: str
    rank: int
    identifiers: tuple[tuple[str, str], ...]
    journal_ref: str
    url: str
    surnames: frozenset[str]
    author_names: tuple[str, ...]
    mentions: tuple[Mention, ...]
    topics: tuple[TopicFields, ...]
    references: tuple[tuple[str, str], ...]
    # The work this record makes when it is its only version (most new works).
    solo: SoloWork


def version_facts(
    record: ParsedWork | WorkRow, venue_id: int | None, venue_name: str
) -> VersionFacts:
    """What ``summarize`` reads of one version, from a parsed record or its ``WorkRow``."""
    return VersionFacts(
        source=record.source,
        title=record.title,
        title_key=record.title_key,
        abstract=record.abstract,
        year=record.year,
        date=record.date,
        type=str(record.type),
        venue_id=venue_id,
        venue_name=venue_name,
        journal_ref=record.journal_ref,
        author_names=record.author_names,
    )


def solo_work(record: ParsedWork, venue_display: str) -> SoloWork:
    """``summarize`` of the record as a work's only version, without building
    its facts: one version is the best one, and a preprint's own journal-ref
    is the only one that can place it (``published_placing``, as there).
    The general case took about a tenth of the parsers' time per record."""
    work_type = str(record.type)
    preprint = work_type == WorkType.PREPRINT
    placed = published_placing((record.journal_ref,), record.year) if preprint else None
    if placed is None:
        return SoloWork(
            record.year, work_type, True, venue_display, False, "; ".join(record.author_names)
        )
    venue_name, year, work_type = placed
    return SoloWork(
        year,
        work_type,
        False,
        venue_name,
        work_type != WorkType.PREPRINT,
        "; ".join(record.author_names),
    )


def compact(record: ParsedWork) -> WorkRow:
    """The writer's form of a parsed work (see ``WorkRow``)."""
    head, tail = title_ends(record.title_words)
    venue_display = _venue_display(record.venue)
    rank = version_rank(record.source, record.type, venues.match_known(record.venue) is not None)
    return WorkRow(
        record.source,
        record.external_id,
        record.title,
        record.title_key,
        record.title_words,
        head,
        tail,
        record.year,
        record.date,
        str(record.type),  # a WorkType member is its value; a plain str pickles cheaper
        record.abstract,
        record.venue,
        record.venue_openalex_id,
        venue_display,
        rank,
        record.identifiers,
        record.journal_ref,
        record.url,
        record.surnames,
        record.author_names,
        tuple(
            (
                a.position,
                a.name,
                a.name_key,
                a.affiliation,
                a.orcid or "",
                a.person_key[:255],
                tuple((i.name, i.ror, i.openalex_id, i.country, i.kind) for i in a.institutions)
                if a.institutions
                else (),
                a.role,
            )
            for a in record.authors
        ),
        tuple((t.external_id, t.name, t.score, t.parents) for t in record.topics),
        record.references,
        solo_work(record, venue_display),
    )


def _limit(model: type[Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.max_length is not None
    return field.max_length


# Identifiers stored whole in a column of their own: one longer than the
# column is a malformed record (quarantined), not one to store cut short.
_RECORD_ID = _limit(SourceRecord, "external_id")
_OPENALEX_ID = _limit(Author, "openalex_id")  # as Venue's and Institution's
_TOPIC_ID = _limit(Topic, "external_id")


def check_fits(records: Sequence[Parsed]) -> None:
    """Raise RecordError if a record's identifier would not fit its column:
    PostgreSQL would refuse the whole batch (SQLite would store it). Plain
    length tests, inline: every record imported passes here."""
    for record in records:
        if len(record.external_id) > _RECORD_ID:
            _too_long(record, "id", _RECORD_ID)
        if isinstance(record, ParsedWork):
            if record.venue_openalex_id and len(record.venue_openalex_id) > _OPENALEX_ID:
                _too_long(record, "venue OpenAlex id", _OPENALEX_ID)
            for author in record.authors:
                # Resolution stores an author's OpenAlex id as its record's.
                if len(author.person_key) > _OPENALEX_KEY and author.person_key[:9] == "openalex:":
                    _too_long(record, "author OpenAlex id", _OPENALEX_ID)
                for ref in author.institutions:
                    if ref.openalex_id and len(ref.openalex_id) > _OPENALEX_ID:
                        _too_long(record, "institution OpenAlex id", _OPENALEX_ID)
            for topic in record.topics:
                if len(topic.external_id) > _TOPIC_ID:
                    _too_long(record, "topic id", _TOPIC_ID)
                for parent in topic.parents:
                    if len(parent[1]) > _TOPIC_ID:
                        _too_long(record, "topic id", _TOPIC_ID)
        elif isinstance(record, ParsedAuthorEntity | ParsedVenue | ParsedInstitution):
            refs = (
                [ref for ref, _, _ in record.affiliations]
                if isinstance(record, ParsedAuthorEntity)
                else [record.ref]
                if isinstance(record, ParsedInstitution)
                else []
            )
            oa_ids = [getattr(record, "openalex_id", None), *(r.openalex_id for r in refs)]
            if any(oa_id and len(oa_id) > _OPENALEX_ID for oa_id in oa_ids):
                _too_long(record, "OpenAlex id", _OPENALEX_ID)
        elif isinstance(record, ParsedTopic):
            ids = [record.ref.external_id, *(parent[1] for parent in record.ref.parents)]
            if any(len(topic_id) > _TOPIC_ID for topic_id in ids):
                _too_long(record, "topic id", _TOPIC_ID)


_OPENALEX_KEY = len("openalex:") + _OPENALEX_ID


def _too_long(record: Parsed, what: str, limit: int) -> None:
    raise RecordError(f"{record.external_id[:80]}: {what} longer than {limit} characters")


def compact_all(records: Sequence[Parsed | WorkRow]) -> list[Parsed | WorkRow]:
    """``records`` with every ``ParsedWork`` in its writer's form."""
    return [compact(r) if isinstance(r, ParsedWork) else r for r in records]


def _venue_display(raw: str) -> str:
    known = venues.match_known(raw) if raw else None
    return known.name if known else venues.clean_venue_name(raw)


_PARSER_TAG = f"\x00parser={PARSER_VERSION}".encode()


def payload_hash(chunk: Chunk) -> str:
    """The raw record, its options and the parser's version: a record stored
    by an older parser (``records.PARSER_VERSION``) is "changed" and written again."""
    digest = hashlib.md5(usedforsecurity=False)
    digest.update(chunk.text.encode("utf-8", "surrogatepass"))
    for name, value in sorted(chunk.options):
        digest.update(f"\x00{name}={value}".encode())
    digest.update(_PARSER_TAG)
    return digest.hexdigest()
