"""Corrections of author records as the claim workflow and ``bzpeer authors``
make them.

``resolve.corrections`` stores a correction as the constraint resolution
obeys and applies it to the records; it runs nothing else. Here each
operation also does what must follow: a removal's authorships are resolved
onto other records at once, and the trust refresh of every record touched is
queued once the transaction commits (trust reads corrections), and the search
index told which records changed (`catalog.news.authors_changed`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from bzpeer.catalog import news
from bzpeer.catalog.models import Author, AuthorCorrection
from bzpeer.resolve import corrections as stored
from bzpeer.resolve.authors import resolve_authors
from bzpeer.resolve.corrections import CorrectionError, survivor_of
from bzpeer.trust.tasks import schedule_refresh

__all__ = ["CorrectionError", "merge", "move", "remove", "survivor_of", "undo"]


def merge(author: Author, target: Author, actor: str, reason: str) -> AuthorCorrection:
    """Merge ``author`` into ``target``; ``author``'s URL redirects to ``target``'s."""
    applied = stored.merge(author, target, actor, reason)
    _refresh_on_commit(applied.touched)
    return applied.correction


def move(
    author: Author,
    work_ids: Iterable[int],
    actor: str,
    reason: str,
    target: Author | None = None,
) -> AuthorCorrection:
    """Move ``author``'s authorships on ``work_ids`` to ``target``, or split them
    off into a new record when no target is given."""
    applied = stored.move(author, work_ids, actor, reason, target)
    _refresh_on_commit(applied.touched)
    return applied.correction


def remove(author: Author, work_ids: Iterable[int], actor: str, reason: str) -> AuthorCorrection:
    """Take ``author``'s authorships on ``work_ids`` off the record for good, and
    resolve them onto other records."""
    applied = stored.remove(author, work_ids, actor, reason)
    resolved = resolve_authors()
    _refresh_on_commit(applied.touched | resolved.touched_authors)
    return applied.correction


def undo(correction: AuthorCorrection, actor: str) -> None:
    """Withdraw a correction and put back what it moved."""
    _refresh_on_commit(stored.undo(correction, actor).touched)


def _refresh_on_commit(author_ids: Iterable[int]) -> None:
    ids = sorted(set(author_ids))
    transaction.on_commit(lambda: schedule_refresh(ids))
    transaction.on_commit(lambda: news.authors_changed(ids))
