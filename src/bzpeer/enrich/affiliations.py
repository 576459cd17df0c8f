"""Institutions for authorships that state only a raw affiliation string."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from bzpeer.catalog.models import AuthorshipMention, MentionInstitution
from bzpeer.resolve.affiliations import InstitutionIndex, Match
from bzpeer.resolve.author_records import refresh_affiliations

MIN_CONFIDENCE = 0.7


@dataclass(frozen=True)
class AffiliationReport:
    registry: int  # ROR institutions in the catalog
    mentions: int  # authorships with a raw affiliation and no institution
    strings: int  # distinct raw strings among them
    linked: int  # authorships given an institution


def enrich_affiliations() -> AffiliationReport:
    """Match raw affiliation strings to the catalog's ROR institutions and link
    the authorships (confidence >= 0.7); rebuild the authors' affiliation history."""
    index = InstitutionIndex.from_catalog()
    if not index.orgs:
        return AffiliationReport(0, 0, 0, 0)
    mention = AuthorshipMention._meta.db_table
    link = MentionInstitution._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT m.id, m.raw_affiliation, m.author_id FROM "{mention}" m '
            "WHERE m.raw_affiliation <> '' AND NOT EXISTS "
            f'(SELECT 1 FROM "{link}" l WHERE l.mention_id = m.id)'
        )
        rows = cursor.fetchall()
    found: dict[str, list[Match]] = {}
    links: list[MentionInstitution] = []
    authors: set[int] = set()
    for mention_id, raw, author_id in rows:
        if raw not in found:
            found[raw] = [m for m in index.match(raw) if m.confidence >= MIN_CONFIDENCE]
        for match in found[raw]:
            links.append(
                MentionInstitution(
                    mention_id=mention_id,
                    institution_id=match.org.id,
                    confidence=round(match.confidence, 3),
                )
            )
            if author_id:
                authors.add(author_id)
    with transaction.atomic():
        MentionInstitution.objects.bulk_create(links, batch_size=2000)
        refresh_affiliations(sorted(authors))
    return AffiliationReport(len(index.orgs), len(rows), len(found), len(links))
