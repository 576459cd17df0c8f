"""Institutions for authorships that state only a raw affiliation string.

The strings are matched against the ROR registry the project ships, and
against the catalog's own ROR institutions the registry lacks; an
institution matched from the registry that the catalog does not hold yet is
added to it from the registry's record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from bzpeer.catalog.models import AuthorshipMention, Institution, MentionInstitution
from bzpeer.resolve.affiliations import InstitutionIndex, Match, catalog_orgs
from bzpeer.resolve.author_records import refresh_affiliations
from bzpeer.resolve.ror_registry import read_registry, shipped_index

MIN_CONFIDENCE = 0.6


@dataclass(frozen=True)
class AffiliationReport:
    registry: int  # ROR institutions matched against (shipped registry and catalog)
    mentions: int  # authorships with a raw affiliation and no institution
    strings: int  # distinct raw strings among them
    linked: int  # authorships given an institution
    links: int = 0  # authorship-institution links made (a string may name several)
    added: int = 0  # institutions added to the catalog from the registry


def enrich_affiliations() -> AffiliationReport:
    """Match raw affiliation strings to ROR institutions and link the
    authorships (confidence >= 0.6); rebuild the authors' affiliation history."""
    registry = shipped_index()
    orgs = catalog_orgs()
    catalog = {o.ror: o.id for o in orgs}
    own = InstitutionIndex(o for o in orgs if o.ror not in registry.by_ror)
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
    for _, raw, _ in rows:
        if raw not in found:
            matches = registry.match(raw) + (own.match(raw) if own.orgs else [])
            found[raw] = [m for m in matches if m.confidence >= MIN_CONFIDENCE]
    wanted = {m.org.ror for matches in found.values() for m in matches}
    with transaction.atomic():
        added = _add_institutions(wanted - catalog.keys(), catalog)
        links: list[MentionInstitution] = []
        authors: set[int] = set()
        for mention_id, raw, author_id in rows:
            for match in found[raw]:
                links.append(
                    MentionInstitution(
                        mention_id=mention_id,
                        institution_id=catalog[match.org.ror],
                        confidence=round(match.confidence, 3),
                    )
                )
                if author_id:
                    authors.add(author_id)
        MentionInstitution.objects.bulk_create(links, batch_size=2000)
        refresh_affiliations(sorted(authors))
    linked = len({link.mention_id for link in links})
    return AffiliationReport(
        len(registry.orgs) + len(own.orgs), len(rows), len(found), linked, len(links), added
    )


def _add_institutions(rors: set[str], catalog: dict[str, int]) -> int:
    """Catalog rows for the registry records ``rors``; their ids go into ``catalog``."""
    if not rors:
        return 0
    new = []
    for r in read_registry():
        if r["id"] in rors:
            types = [str(t) for t in r["types"]]
            new.append(
                Institution(
                    ror=str(r["id"]),
                    name=str(r["name"])[:500],
                    country=str(r["country"]),
                    kind=types[0].lower() if types else "",
                    aliases=r["aliases"],
                    acronyms=r["acronyms"],
                    labels=r["labels"],
                    types=types,
                    relationships=[
                        {"type": kind, "ror": target, "label": label}
                        for kind, target, label in r["relationships"]
                    ],
                    status=str(r["status"]),
                    city=str(r["city"])[:200],
                )
            )
    Institution.objects.bulk_create(new, batch_size=500)
    held = Institution.objects.filter(ror__in=[i.ror for i in new]).values_list("ror", "id")
    catalog.update((str(ror), pk) for ror, pk in held)
    return len(new)
