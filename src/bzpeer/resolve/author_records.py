"""Upkeep of author records: readable unique slugs, works counts and the
affiliation history, for resolution, corrections and imports alike."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from bzpeer.catalog import revision
from bzpeer.catalog.models import Affiliation, Author, AuthorshipMention, MentionInstitution
from bzpeer.catalog.names import name_slug


def unique_slug(display_name: str, taken: set[str] | None = None) -> str:
    """``tianlong-chen``, or ``tianlong-chen-2`` when that is taken."""
    base = name_slug(display_name)
    if taken is None:
        taken = set(Author.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug



def refresh_author_counts(author_ids: set[int]) -> None:
    """Recompute works_count for the given authors from their mentions."""
    ids = sorted(author_ids)
    author_table = Author._meta.db_table
    mention_table = AuthorshipMention._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f'UPDATE "{author_table}" SET works_count = ('
                f'SELECT COUNT(DISTINCT m.work_id) FROM "{mention_table}" m '
                f'WHERE m.author_id = "{author_table}".id) WHERE id IN ({marks})',
                part,
            )
    refresh_affiliations(ids)


def refresh_affiliations(author_ids: list[int]) -> None:
    """Affiliation rows from the institutions sources attached to mentions.
    Called whenever records' mentions changed (resolution, corrections,
    linking): it moves the catalog's revision, so cached summaries of those
    records are computed again."""
    if author_ids:
        revision.bump()
    rows: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in range(0, len(author_ids), 500):
        part = author_ids[i : i + 500]
        for author_id, institution_id, year in MentionInstitution.objects.filter(
            mention__author_id__in=part
        ).values_list("mention__author_id", "institution_id", "mention__work__year"):
            rows[(author_id, institution_id)].append(year or 0)
    for (author_id, institution_id), years in rows.items():
        known = [y for y in years if y]
        Affiliation.objects.update_or_create(
            author_id=author_id,
            institution_id=institution_id,
            defaults={
                "start_year": min(known, default=None),
                "end_year": max(known, default=None),
                "works_count": len(years),
            },
        )
