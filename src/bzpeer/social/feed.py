"""What is new for an account: works by the researchers it follows, in the
topics it follows, from the institutions it follows; and the lists of what
it follows and who follows a researcher."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bzpeer.catalog.followers import follower_ids
from bzpeer.catalog.models import (
    Author,
    AuthorshipMention,
    Institution,
    MentionInstitution,
    Topic,
    Work,
    WorkTopic,
)
from bzpeer.catalog.queries import raw_rows
from bzpeer.claims.models import Claim

from .models import Follow, InstitutionFollow, TopicFollow

PAGE = 25
_CURSOR = re.compile(r"(-?[0-9]{1,9})\.([0-9]{1,18})")  # ASCII digits that fit the columns

_MENTION = AuthorshipMention._meta.db_table
_WORK = Work._meta.db_table


# The ids of every work the account (three ``%s``) follows, once each.
_FOLLOWED_IDS = (
    f'SELECT m.work_id FROM "{_MENTION}" m JOIN "{Follow._meta.db_table}" f '
    "ON f.author_id = m.author_id WHERE f.user_id = %s "
    f'UNION SELECT wt.work_id FROM "{WorkTopic._meta.db_table}" wt '
    f'JOIN "{TopicFollow._meta.db_table}" f ON f.topic_id = wt.topic_id WHERE f.user_id = %s '
    f'UNION SELECT m.work_id FROM "{MentionInstitution._meta.db_table}" mi '
    f'JOIN "{InstitutionFollow._meta.db_table}" f ON f.institution_id = mi.institution_id '
    f'JOIN "{_MENTION}" m ON m.id = mi.mention_id WHERE f.user_id = %s'
)


# Whether work ``w.id`` is one the account (three ``%s``) follows.
_IS_FOLLOWED = (
    f'EXISTS (SELECT 1 FROM "{_MENTION}" m JOIN "{Follow._meta.db_table}" f '
    "ON f.author_id = m.author_id WHERE m.work_id = w.id AND f.user_id = %s) "
    f'OR EXISTS (SELECT 1 FROM "{WorkTopic._meta.db_table}" wt '
    f'JOIN "{TopicFollow._meta.db_table}" f ON f.topic_id = wt.topic_id '
    "WHERE wt.work_id = w.id AND f.user_id = %s) "
    f'OR EXISTS (SELECT 1 FROM "{_MENTION}" m '
    f'JOIN "{MentionInstitution._meta.db_table}" mi ON mi.mention_id = m.id '
    f'JOIN "{InstitutionFollow._meta.db_table}" f ON f.institution_id = mi.institution_id '
    "WHERE m.work_id = w.id AND f.user_id = %s)"
)


@dataclass(frozen=True)
class Cursor:
    """Where a feed page ends: the (year, id) of its last work."""

    year: int
    id: int

    def __str__(self) -> str:
        return f"{self.year}.{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        found = _CURSOR.fullmatch(text or "")
        return cls(int(found[1]), int(found[2])) if found else None


def followed_volume(user_id: int) -> tuple[int, int]:
    """(about how many works the account follows, the highest work id): the
    researchers' work counts plus the topics' and institutions' works."""
    author, work_topic = Author._meta.db_table, WorkTopic._meta.db_table
    rows = raw_rows(
        f'SELECT (SELECT COALESCE(SUM(a.works_count), 0) FROM "{Follow._meta.db_table}" f '
        f'JOIN "{author}" a ON a.id = f.author_id WHERE f.user_id = %s) + '
        f'(SELECT COUNT(*) FROM "{work_topic}" wt JOIN "{TopicFollow._meta.db_table}" f '
        "ON f.topic_id = wt.topic_id WHERE f.user_id = %s) + "
        f'(SELECT COUNT(*) FROM "{MentionInstitution._meta.db_table}" mi '
        f'JOIN "{InstitutionFollow._meta.db_table}" f ON f.institution_id = mi.institution_id '
        f'WHERE f.user_id = %s), (SELECT MAX(id) FROM "{_WORK}")',
        [user_id, user_id, user_id],
    )
    followed, top = rows[0]
    return int(followed or 0), int(top or 0)


# Above this share of the catalog, walking works newest first (the
# ``work_newest`` index) and keeping the followed ones finds a page sooner
# than gathering and sorting every followed work.
WALK_SHARE = 0.01


def feed(user_id: int, before: Cursor | None = None, limit: int = PAGE) -> list[Work]:
    """The newest works (by year, then newest imported) of what ``user_id``
    follows, after ``before``. Three queries: how much is followed, the
    page's ids, the works.

    Two plans for one order (docs/performance.md, "Feed"): an account that
    follows a little gathers its followed works and sorts them; one that
    follows a large share of the catalog walks the works newest first and
    keeps those it follows, stopping after a page."""
    followed, top = followed_volume(user_id)
    after = ""
    cursor: list[int | str] = []
    if before is not None:
        # written so both engines seek the index to the cursor
        after = "AND COALESCE(w.year, 0) <= %s AND (COALESCE(w.year, 0) < %s OR w.id < %s) "
        cursor = [before.year, before.year, before.id]
    walk = followed >= WALK_SHARE * top
    which = f"({_IS_FOLLOWED})" if walk else f"w.id IN ({_FOLLOWED_IDS})"
    rows = raw_rows(
        f'SELECT w.id FROM "{_WORK}" w WHERE {which} {after}'
        "ORDER BY COALESCE(w.year, 0) DESC, w.id DESC LIMIT %s",
        [user_id, user_id, user_id, *cursor, limit],
    )
    return _in_order([pk for (pk,) in rows])


def _in_order(ids: list[int]) -> list[Work]:
    found = Work.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def following_count(user_id: int) -> int:
    """How many researchers, topics and institutions the account follows."""
    return (
        Follow.objects.filter(user_id=user_id, author__merged_into=None).count()
        + TopicFollow.objects.filter(user_id=user_id).count()
        + InstitutionFollow.objects.filter(user_id=user_id).count()
    )


def next_cursor(works: list[Work], limit: int = PAGE) -> Cursor | None:
    if len(works) < limit:
        return None
    last = works[-1]
    return Cursor(last.year or 0, last.pk)


def new_works(user_id: int, after_id: int, upto_id: int, limit: int) -> list[Work]:
    """Works imported after ``after_id`` (up to ``upto_id``) of what the
    account follows, newest first."""
    rows = raw_rows(
        f'SELECT w.id FROM "{_WORK}" w WHERE w.id > %s AND w.id <= %s '
        f"AND w.id IN ({_FOLLOWED_IDS}) ORDER BY w.id DESC LIMIT %s",
        [after_id, upto_id, user_id, user_id, user_id, limit],
    )
    return _in_order([pk for (pk,) in rows])


@dataclass
class Following:
    authors: list[Author]
    topics: list[Topic]
    institutions: list[Institution]


def following(user_id: int) -> Following:
    """What the account follows, most recently followed first."""
    return Following(
        authors=[
            f.author
            for f in Follow.objects.filter(user_id=user_id, author__merged_into=None)
            .select_related("author")
            .order_by("-created_at", "-id")
        ],
        topics=[
            f.topic
            for f in TopicFollow.objects.filter(user_id=user_id)
            .select_related("topic")
            .order_by("-created_at", "-id")
        ],
        institutions=[
            f.institution
            for f in InstitutionFollow.objects.filter(user_id=user_id)
            .select_related("institution")
            .order_by("-created_at", "-id")
        ],
    )


@dataclass
class Followers:
    """Who follows a researcher: accounts that hold a record are shown by that
    record; the others only counted (an account's follows are its own)."""

    researchers: list[Author]
    others: int

    @property
    def total(self) -> int:
        return len(self.researchers) + self.others


def followers_of(author: Author) -> Followers:
    users = follower_ids(author.pk)
    held = {
        c.user_id: c.author
        for c in Claim.objects.filter(
            user_id__in=users, status=Claim.Status.VERIFIED, author__merged_into=None
        ).select_related("author")
    }
    shown = sorted(held.values(), key=lambda a: (a.display_name, a.pk))
    return Followers(researchers=shown, others=len(users) - len(shown))
