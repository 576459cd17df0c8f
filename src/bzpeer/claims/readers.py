"""The claim reads trust makes (``trust.claims``), registered at start-up."""

from __future__ import annotations

from collections.abc import Iterator

from bzpeer.trust.claims import ClaimRow
from bzpeer.trust.score import ClaimFacts

from .models import Claim


def _row(claim: Claim) -> ClaimRow:
    return ClaimRow(
        id=claim.pk,
        author_id=claim.author_id,
        created_at=claim.created_at,
        facts=ClaimFacts(
            status=claim.status,
            email_verified=claim.email_verified,
            orcid_works_matched=claim.orcid_works_matched,
            institution_email=claim.institution_email,
            reviewed=claim.reviewed_by_id is not None and claim.reviewed_at is not None,
            orcid=claim.orcid,
        ),
    )


class ClaimTable:
    def of_author(self, author_id: int) -> list[ClaimRow]:
        # raw: on a profile, the ORM's building of a filtered query cost more
        # than the database's answer (``catalog.queries.raw_rows``)
        table = Claim._meta.db_table
        query = f'SELECT * FROM "{table}" WHERE author_id = %s'
        return [_row(c) for c in Claim.objects.raw(query, [author_id])]

    def every_claim(self) -> Iterator[ClaimRow]:
        return (_row(c) for c in Claim.objects.iterator())
