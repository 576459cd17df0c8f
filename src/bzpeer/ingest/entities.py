"""Venues, topics, institutions and author entities: found or made one at a
time and remembered by id for the rest of the run (``Entities``), and the
entity records of OpenAlex, ROR and ORCID (anything but a work) written with
their source record (``Entities.write``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from bzpeer.catalog import venues
from bzpeer.catalog.models import (
    Affiliation,
    Author,
    Institution,
    SourceRecord,
    Topic,
    Venue,
)
from bzpeer.catalog.names import parse_name_cached
from bzpeer.catalog.untrusted import http_url

from .batch import RecordMarks, Stats
from .records import (
    Chunk,
    InstitutionRef,
    Parsed,
    ParsedAuthorEntity,
    ParsedInstitution,
    ParsedTopic,
    ParsedVenue,
    TopicRef,
)
from .rows import InstitutionFields, TopicFields, WorkRow


class Entities:
    """Ids of the venues, topics and institutions an import run has met."""

    def __init__(self) -> None:
        self._venues: dict[str, int] = {}
        self._topics: dict[str, int] = {}
        self._institutions: dict[tuple[str, str | None, str | None], int] = {}

    def venue_ids(self, records: Iterable[WorkRow]) -> dict[str, int]:
        """Venue id per raw venue string; known venues share one row whatever the alias."""
        out: dict[str, int] = {}
        for record in records:
            raw = record.venue
            if not raw or raw in out:
                continue
            known = venues.match_known(raw)
            key = known.key if known else venues.venue_key(raw)[:255]
            if not key:
                continue
            if key not in self._venues:
                venue = Venue.objects.filter(key=key).first()
                if venue is None and record.venue_openalex_id:
                    venue = Venue.objects.filter(openalex_id=record.venue_openalex_id).first()
                if venue is None:
                    venue, _ = Venue.objects.get_or_create(
                        key=key,
                        defaults={
                            "name": known.name if known else venues.clean_venue_name(raw)[:500],
                            "kind": known.kind if known else venues.OTHER,
                            "openalex_id": record.venue_openalex_id or "",
                        },
                    )
                self._venues[key] = venue.pk
            out[raw] = self._venues[key]
        return out

    def topic_id(self, ref: TopicRef) -> int:
        if ref.external_id in self._topics:
            return self._topics[ref.external_id]
        parent_id = None
        for level, external, name in ref.parents:
            parent, _ = Topic.objects.get_or_create(
                scheme=external.split(":")[0],
                external_id=external,
                defaults={"name": name[:255], "level": level, "parent_id": parent_id},
            )
            parent_id = parent.pk
        scheme = ref.external_id.split(":")[0]
        topic, _ = Topic.objects.get_or_create(
            scheme=scheme,
            external_id=ref.external_id,
            defaults={
                "name": ref.name[:255] or ref.external_id,
                "parent_id": parent_id,
                "level": "topic" if scheme == "openalex" else "category",
            },
        )
        self._topics[ref.external_id] = topic.pk
        return topic.pk

    def topic_id_of(self, fields: TopicFields) -> int:
        """``topic_id`` of a WorkRow's topic: a known one by its id, without
        making its TopicRef (1.5 a listing record)."""
        known = self._topics.get(fields[0])
        return self.topic_id(TopicRef(*fields)) if known is None else known

    def institution_id_of(self, fields: InstitutionFields) -> int:
        """``institution_id`` of a mention's institution: a known one without
        making its InstitutionRef (the fields begin with the cache's key)."""
        known = self._institutions.get(fields[:3])
        return self.institution_id(InstitutionRef(*fields)) if known is None else known

    def institution_id(self, ref: InstitutionRef) -> int:
        key = (ref.name, ref.ror, ref.openalex_id)  # as InstitutionFields begin
        if key in self._institutions:
            return self._institutions[key]
        query = Q(pk__in=[])
        if ref.ror:
            query |= Q(ror=ref.ror)
        if ref.openalex_id:
            query |= Q(openalex_id=ref.openalex_id)
        institution = (
            Institution.objects.filter(query).first()
            if (ref.ror or ref.openalex_id)
            else Institution.objects.filter(name=ref.name, ror=None, openalex_id=None).first()
        )
        if institution is None:
            institution = Institution.objects.create(
                ror=ref.ror,
                openalex_id=ref.openalex_id,
                name=ref.name[:500],
                country=ref.country,
                kind=ref.kind[:32],
            )
        else:
            changed = False
            for attr in ("ror", "openalex_id"):
                if getattr(ref, attr) and not getattr(institution, attr):
                    setattr(institution, attr, getattr(ref, attr))
                    changed = True
            if changed:
                institution.save()
        self._institutions[key] = institution.pk
        return institution.pk

    def write(
        self, chunk: Chunk, record: Parsed, digest: str, stats: Stats, marks: RecordMarks
    ) -> None:
        """Write an entity record (anything but a work); call inside a transaction.
        ``marks``: the source records the run has written, as for works."""
        existing = SourceRecord.objects.filter(
            source=record.source, external_id=record.external_id
        ).first()
        if existing and marks.add(existing.pk):
            stats.skipped += 1  # written earlier in this run: the first one wins
            return
        if existing and existing.payload_hash == digest:
            stats.unchanged += 1
            return
        if existing:
            existing.payload_hash, existing.payload = digest, chunk.text
            existing.fetched_at = timezone.now()
            existing.save()
            stats.updated += 1
        else:
            created = SourceRecord.objects.create(
                source=record.source,
                external_id=record.external_id,
                payload_hash=digest,
                payload=chunk.text,
                locator=chunk.locator[:500],
                fetched_at=timezone.now(),
            )
            marks.add(created.pk)
            stats.new += 1
        if isinstance(record, ParsedInstitution):
            Institution.objects.filter(pk=self.institution_id(record.ref)).update(
                name=record.ref.name[:500],
                country=record.ref.country,
                kind=record.ref.kind[:32],
                aliases=list(record.aliases),
                acronyms=list(record.acronyms),
                labels=list(record.labels),
                types=list(record.types),
                relationships=[
                    {"type": kind, "ror": ror, "label": label}
                    for kind, ror, label in record.relationships
                ],
                status=record.status[:16],
                established=record.established,
                city=record.city[:200],
                links=[link for link in map(http_url, record.links) if link],
            )
        elif isinstance(record, ParsedTopic):
            self.topic_id(record.ref)
        elif isinstance(record, ParsedVenue):
            Venue.objects.update_or_create(
                openalex_id=record.openalex_id or "",
                defaults={
                    "key": venues.venue_key(record.name)[:255],
                    "name": record.name[:500],
                    "kind": record.kind,
                    "issn_l": record.issn_l,
                    "aliases": list(record.aliases),
                },
            )
        elif isinstance(record, ParsedAuthorEntity):
            self._author_entity(record)

    def _author_entity(self, record: ParsedAuthorEntity) -> None:
        # Imported here: resolve.authors loads the learned model's modules
        # (numpy, scipy), which importing records of any other kind never needs.
        from bzpeer.resolve.author_records import unique_slug

        author = None
        if record.openalex_id:
            author = Author.objects.filter(openalex_id=record.openalex_id).first()
        if author is None and record.orcid:
            author = Author.objects.filter(orcid=record.orcid).first()
        if author is None:
            author = Author(
                display_name=record.display_name,
                name_key=parse_name_cached(record.display_name).block_key[:255],
                slug=unique_slug(record.display_name),
            )
        author.openalex_id = record.openalex_id or author.openalex_id
        author.orcid = record.orcid or author.orcid
        author.name_variants = sorted({*author.name_variants, *record.name_variants})
        author.save()
        spans: dict[int, list[tuple[int | None, int | None]]] = defaultdict(list)
        for ref, start, end in record.affiliations:
            spans[self.institution_id(ref)].append((start, end))
        for institution_id, periods in spans.items():
            # Several positions at one place: from the first start; open if any is open.
            starts = [s for s, _ in periods if s]
            ongoing = any(e is None for _, e in periods)
            Affiliation.objects.update_or_create(
                author=author,
                institution_id=institution_id,
                defaults={
                    "start_year": min(starts, default=None),
                    "end_year": None if ongoing else max(e for _, e in periods if e),
                },
            )
