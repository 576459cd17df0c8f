"""Corrections of author resolution, stored as constraints.

Four operations, each recorded as an ``AuthorCorrection`` with who, when and
why, and each undoable:

- **merge** A into B: every authorship of A moves to B; A keeps its id and
  URL, which redirect (301) to B from then on.
- **move** authorships of A to B, or **split** them off into a new record:
  those authorships must be on B (a must-link that follows the work, not the
  mention row, so it survives re-imports).
- **remove** authorships from A: they must never be on A again (a
  cannot-link); resolution places them elsewhere.

Resolution reads the active corrections through ``load_constraints`` and
obeys them on every run; this module never runs resolution itself. Each
operation returns the records whose authorships it changed (``Applied``):
the caller runs resolution after a removal, to place the authorships
elsewhere, and queues the trust refresh of every record touched
(``bzpeer.curation.corrections`` does both for the claim workflow and the
command line).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from bzpeer.catalog.bulk import lock_catalog, slices
from bzpeer.catalog.models import Author, AuthorCorrection, AuthorshipMention
from bzpeer.catalog.names import fullness
from bzpeer.resolve.author_records import refresh_author_counts, unique_slug

Authorship = tuple[int, str]  # (work id, name key)
Kind = AuthorCorrection.Kind


class CorrectionError(ValueError):
    """A correction that cannot be made; the message says why."""


@dataclass(frozen=True)
class Applied:
    """A correction made (or undone), and the records whose authorships it changed."""

    correction: AuthorCorrection
    touched: frozenset[int]


@dataclass
class Constraints:
    """What resolution must obey: pinned and forbidden authorships, merged records."""

    pinned: dict[Authorship, int] = field(default_factory=dict)
    forbidden: dict[Authorship, set[int]] = field(default_factory=dict)
    merged: dict[int, int] = field(default_factory=dict)

    def survivor(self, author_id: int) -> int:
        """The record an id stands for now: itself, or the one it was merged into."""
        seen = {author_id}
        while author_id in self.merged:
            author_id = self.merged[author_id]
            if author_id in seen:  # a cycle cannot be made, but never loop on one
                break
            seen.add(author_id)
        return author_id

    def allowed(self, key: Authorship, author_id: int | None) -> int | None:
        """``author_id`` (or its survivor) unless a correction forbids it for ``key``."""
        if author_id is None:
            return None
        author_id = self.survivor(author_id)
        return None if author_id in self.forbidden.get(key, ()) else author_id


def load_constraints() -> Constraints:
    """The active corrections, applied in the order they were made."""
    out = Constraints(
        merged=dict(
            Author.objects.exclude(merged_into=None).values_list("id", "merged_into_id")  # type: ignore[arg-type]
        )
    )
    for kind, author_id, target_id, keys in (
        AuthorCorrection.objects.filter(undone_at=None)
        .order_by("id")
        .values_list("kind", "author_id", "target_id", "authorships")
    ):
        for work_id, name_key in keys:
            key = (work_id, name_key)
            if kind in (Kind.MOVE, Kind.MERGE) and target_id:
                out.pinned[key] = target_id
                out.forbidden.get(key, set()).discard(target_id)
            elif kind == Kind.REMOVE:
                out.forbidden.setdefault(key, set()).add(author_id)
                if out.pinned.get(key) == author_id:
                    del out.pinned[key]
    return out


def _keys(author: Author, work_ids: Iterable[int] | None = None) -> list[Authorship]:
    mentions = AuthorshipMention.objects.filter(author=author)
    if work_ids is None:
        return sorted(set(mentions.values_list("work_id", "name_key")))
    return sorted(
        {
            key
            for part in slices(sorted(set(work_ids)))
            for key in mentions.filter(work_id__in=part).values_list("work_id", "name_key")
        }
    )


def _authorships(author: Author, work_ids: Iterable[int]) -> tuple[Author, list[Authorship]]:
    """The record as stored now and its authorships on ``work_ids`` (some, or refused)."""
    author = _live(Author.objects.get(pk=author.pk))
    keys = _keys(author, work_ids)
    if not keys:
        raise CorrectionError(f"{author.display_name} has no authorship on those works")
    return author, keys


def _mention_rows(keys: Iterable[Authorship], *fields: str) -> list[tuple[Any, ...]]:
    """(id, author id, *fields) of the mentions named by ``keys``: their works
    in one query, the name keys checked here."""
    wanted = set(keys)
    works = sorted({work_id for work_id, _ in wanted})
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(works), 500):
        rows = AuthorshipMention.objects.filter(work_id__in=works[start : start + 500])
        for work_id, name_key, *values in rows.values_list(
            "work_id", "name_key", "id", "author_id", *fields
        ):
            if (work_id, name_key) in wanted:
                out.append(tuple(values))
    return out


def _move(keys: Iterable[Authorship], to_id: int | None, from_id: int | None = None) -> int:
    """Put the mentions of ``keys`` (only those on ``from_id``, if given) on ``to_id``."""
    ids = [pk for pk, author_id in _mention_rows(keys) if from_id is None or author_id == from_id]
    moved = 0
    for start in range(0, len(ids), 500):
        moved += AuthorshipMention.objects.filter(pk__in=ids[start : start + 500]).update(
            author_id=to_id, confidence=1.0 if to_id else 0.0
        )
    return moved


def _refresh(*author_ids: int | None) -> frozenset[int]:
    """The records' counts, now; the ids, for the caller's trust refresh."""
    ids = frozenset(a for a in author_ids if a)
    refresh_author_counts(set(ids))
    return ids


def _live(author: Author) -> Author:
    if author.merged_into_id is not None:
        raise CorrectionError(
            f"{author.display_name} (A{author.pk}) was merged into another record"
        )
    return author


def merge(author: Author, target: Author, actor: str, reason: str) -> Applied:
    """Merge ``author`` into ``target``; ``author``'s URL redirects to ``target``'s."""
    with transaction.atomic():
        lock_catalog()
        author = _live(Author.objects.get(pk=author.pk))
        target = _live(Author.objects.get(pk=target.pk))
        if author.pk == target.pk:
            raise CorrectionError("a record cannot be merged into itself")
        for attr, label in (("orcid", "ORCID iDs"), ("openalex_id", "OpenAlex ids")):
            mine, theirs = getattr(author, attr), getattr(target, attr)
            if mine and theirs and mine != theirs:
                raise CorrectionError(f"the records have different {label}: {mine} and {theirs}")
        keys = _keys(author)
        moved_ids = {
            attr: getattr(author, attr)
            for attr in ("orcid", "openalex_id")
            if getattr(author, attr) and not getattr(target, attr)
        }
        correction = AuthorCorrection.objects.create(
            kind=Kind.MERGE,
            author=author,
            target=target,
            authorships=[list(k) for k in keys],
            evidence={"ids": moved_ids, "variants": author.name_variants},
            reason=reason,
            actor=actor,
        )
        AuthorshipMention.objects.filter(author=author).update(author=target)
        for attr in moved_ids:
            setattr(author, attr, None)
        author.merged_into = target
        author.save()
        for attr, value in moved_ids.items():
            setattr(target, attr, value)
        target.name_variants = sorted({*target.name_variants, *author.name_variants})
        target.save()
        touched = _refresh(author.pk, target.pk)
    return Applied(correction, touched)


def move(
    author: Author,
    work_ids: Iterable[int],
    actor: str,
    reason: str,
    target: Author | None = None,
) -> Applied:
    """Move ``author``'s authorships on ``work_ids`` to ``target``, or split them
    off into a new record when no target is given."""
    with transaction.atomic():
        lock_catalog()
        author, keys = _authorships(author, work_ids)
        created = target is None
        if target is None:
            target = _new_record(keys)
        else:
            target = _live(Author.objects.get(pk=target.pk))
            if target.pk == author.pk:
                raise CorrectionError("the authorships are already on that record")
        correction = AuthorCorrection.objects.create(
            kind=Kind.MOVE,
            author=author,
            target=target,
            authorships=[list(k) for k in keys],
            evidence={"created_target": created},
            reason=reason,
            actor=actor,
        )
        _move(keys, target.pk, author.pk)
        touched = _refresh(author.pk, target.pk)
    return Applied(correction, touched)


def remove(author: Author, work_ids: Iterable[int], actor: str, reason: str) -> Applied:
    """Take ``author``'s authorships on ``work_ids`` off the record for good;
    the next resolution (``authors.resolve_authors``, which the caller runs)
    places them on another record."""
    with transaction.atomic():
        lock_catalog()
        author, keys = _authorships(author, work_ids)
        correction = AuthorCorrection.objects.create(
            kind=Kind.REMOVE,
            author=author,
            authorships=[list(k) for k in keys],
            reason=reason,
            actor=actor,
        )
        _move(keys, None, author.pk)
        touched = _refresh(author.pk)
    return Applied(correction, touched)


def undo(correction: AuthorCorrection, actor: str) -> Applied:
    """Withdraw a correction and put back what it moved."""
    with transaction.atomic():
        lock_catalog()
        correction = AuthorCorrection.objects.select_for_update().get(pk=correction.pk)
        if correction.undone_at is not None:
            raise CorrectionError(f"correction #{correction.pk} was already undone")
        correction.undone_at = timezone.now()
        correction.undone_by = actor
        correction.save()
        keys = [(w, k) for w, k in correction.authorships]
        author, target = correction.author, correction.target
        if correction.kind == Kind.MERGE:
            assert target is not None
            ids = correction.evidence.get("ids", {})
            for attr in ids:
                setattr(target, attr, None)
            target.save()
            author.merged_into = None
            for attr, value in ids.items():
                setattr(author, attr, value)
            author.save()
            _move(keys, author.pk, target.pk)
            touched = _refresh(author.pk, target.pk)
        elif correction.kind == Kind.MOVE:
            assert target is not None
            _move(keys, author.pk, target.pk)
            target.refresh_from_db()
            if correction.evidence.get("created_target") and not target.mentions.exists():
                # The split-off record is empty again: its URL leads back.
                target.merged_into = author
                target.save()
            touched = _refresh(author.pk, target.pk)
        else:
            constraints = load_constraints()
            owners = _owners(keys)
            # Back on the record unless a later correction pinned them elsewhere.
            _move([k for k in keys if constraints.pinned.get(k, author.pk) == author.pk], author.pk)
            touched = _refresh(author.pk, *owners)
    return Applied(correction, touched)


def _owners(keys: Iterable[Authorship]) -> set[int]:
    return {author_id for _, author_id in _mention_rows(keys) if author_id}


def _new_record(keys: list[Authorship]) -> Author:
    """An empty record for split-off authorships, named as they name the person."""
    names = Counter(raw for _, _, raw in _mention_rows(keys, "raw_name"))
    display = max(names, key=lambda n: (fullness(n), names[n]))
    return Author.objects.create(
        display_name=display,
        name_key=keys[0][1][:255],
        slug=unique_slug(display),
        name_variants=sorted(names),
    )


def survivor_of(author: Author) -> Author:
    """The record a merged-away record now lives on (itself when not merged)."""
    seen = {author.pk}
    while author.merged_into_id is not None and author.merged_into_id not in seen:
        seen.add(author.merged_into_id)
        author = Author.objects.get(pk=author.merged_into_id)
    return author
