"""The follower reads the catalog and trust make (``catalog.followers``)."""

from __future__ import annotations

from collections.abc import Iterator

from bzpeer.catalog.queries import raw_rows

from .models import Follow


class FollowTable:
    def count(self, author_id: int) -> int:
        # written out: on a profile, the ORM's building of this query cost ten
        # times the database's answer (``catalog.queries.raw_rows``)
        table = Follow._meta.db_table
        return int(
            raw_rows(f'SELECT COUNT(*) FROM "{table}" WHERE author_id = %s', [author_id])[0][0]
        )

    def followers(self, author_id: int) -> list[int]:
        return list(Follow.objects.filter(author_id=author_id).values_list("user_id", flat=True))

    def every_follow(self) -> Iterator[tuple[int, int]]:
        return Follow.objects.values_list("author_id", "user_id").iterator()
