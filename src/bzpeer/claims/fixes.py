"""Corrections by the record's owner, applied at once: "not my work",
"move to another record", "these records are also me". Each is stored as
the constraint resolution obeys (``resolve.corrections``), re-resolves only
the authorships it touches, appears in the profile's public correction log
and can be undone by the owner or a moderator. A merge the evidence does not
support at once waits for a moderator as a ``MergeRequest``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bzpeer.catalog.models import Author, AuthorCorrection, AuthorshipMention
from bzpeer.catalog.names import names_compatible, parse_name
from bzpeer.curation import corrections
from bzpeer.resolve.corrections import CorrectionError

from . import notices
from .models import AuditEvent, MergeRequest
from .owner import owner_of, require_owner
from .services import ClaimRefused, User, account_id, is_moderator, linked_orcids

REASON_LIMIT = 500
Decision = Literal["approve", "reject"]


def corrections_per_day() -> int:
    return int(getattr(settings, "BZPEER_CORRECTIONS_PER_DAY", 100))


def merge_requests_per_day() -> int:
    return int(getattr(settings, "BZPEER_MERGE_REQUESTS_PER_DAY", 5))


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ClaimRefused("Say why: the correction log shows it.")
    if len(reason) > REASON_LIMIT:
        raise ClaimRefused(f"The reason is limited to {REASON_LIMIT} characters.")
    return reason


def _within_limit(user: User, actions: tuple[str, ...], limit: int, what: str) -> None:
    since = timezone.now() - timedelta(days=1)
    done = AuditEvent.objects.filter(
        actor_id=account_id(user), action__in=actions, at__gte=since
    ).count()
    if done >= limit:
        raise ClaimRefused(f"At most {limit} {what} a day per account; try again tomorrow.")


def _actor(user: User, role: str) -> str:
    return f"{role}:{account_id(user)}"


def actor_label(actor: str) -> str:
    """Who made a correction, as the public log says it (never an address or login)."""
    role = actor.split(":", 1)[0]
    return {"owner": "the record's owner", "moderator": "a moderator"}.get(role, "a maintainer")


def _audit(user: User, role: str, action: str, author: Author, subject: str, reason: str) -> None:
    AuditEvent.objects.create(
        actor_id=account_id(user),
        role=role,
        action=action,
        author=author,
        subject=subject,
        reason=reason,
    )


def _correct(user: User, author: Author, action: str) -> str:
    role = require_owner(user, author, moderators=True)
    if role == "owner":
        _within_limit(user, ("remove", "move", "merge", "undo"), corrections_per_day(), action)
    return role


def remove_works(
    user: User, author: Author, work_ids: Iterable[int], reason: str
) -> AuthorCorrection:
    """ "Not my work": the authorships leave the record for good."""
    role = _correct(user, author, "corrections")
    reason = _reason(reason)
    try:
        done = corrections.remove(author, list(work_ids), _actor(user, role), reason)
    except CorrectionError as exc:
        raise ClaimRefused(str(exc)) from exc
    _audit(user, role, "remove", author, f"correction:{done.pk}", reason)
    return done


def find_record(ref: str) -> Author:
    """A record named by its slug or its profile link."""
    slug = ref.strip().rstrip("/").rsplit("/", 1)[-1]
    found = Author.objects.filter(slug=slug).first() if slug else None
    if found is None:
        raise ClaimRefused("No record at that address: paste the other profile's link.")
    return corrections.survivor_of(found)


def move_works(
    user: User, author: Author, work_ids: Iterable[int], target: Author | None, reason: str
) -> AuthorCorrection:
    """Move the authorships to ``target`` (an unclaimed record, or one the
    actor holds), or to a new record of their own when ``target`` is None."""
    role = _correct(user, author, "corrections")
    reason = _reason(reason)
    if target is not None:
        holder = owner_of(target)
        if holder is not None and holder != account_id(user) and role != "moderator":
            raise ClaimRefused(
                "That record is claimed by another account: use “not my work” instead."
            )
    try:
        done = corrections.move(author, list(work_ids), _actor(user, role), reason, target)
    except CorrectionError as exc:
        raise ClaimRefused(str(exc)) from exc
    _audit(user, role, "move", author, f"correction:{done.pk}", reason)
    return done


def _orcids(author: Author) -> set[str]:
    found = set(
        AuthorshipMention.objects.filter(author=author)
        .exclude(orcid="")
        .values_list("orcid", flat=True)
        .distinct()
    )
    return found | ({author.orcid} if author.orcid else set())


def _coauthors(author: Author) -> set[int]:
    works = AuthorshipMention.objects.filter(author=author).values("work_id")
    return set(
        AuthorshipMention.objects.filter(work_id__in=works)
        .exclude(author=None)
        .exclude(author=author)
        .values_list("author_id", flat=True)
        .distinct()
    )


def same_person_evidence(user: User, author: Author, other: Author) -> str:
    """Why ``other`` is at once the same person as the owner's ``author`` (a
    shared ORCID iD, or shared co-authors under a compatible name), or ''."""
    mine = _orcids(author) | set(linked_orcids(user))
    if mine & _orcids(other):
        return "the records share an ORCID iD"
    names = [author.display_name, *(v for v in author.name_variants or [] if isinstance(v, str))]
    if not any(names_compatible(parse_name(other.display_name), parse_name(n)) for n in names):
        return ""
    shared = (_coauthors(author) & _coauthors(other)) - {author.pk, other.pk}
    if shared:
        return f"the records share {len(shared)} co-author{'s' if len(shared) > 1 else ''}"
    return ""


@dataclass
class MergeOutcome:
    correction: AuthorCorrection | None = None
    request: MergeRequest | None = None
    evidence: str = ""


def merge_records(user: User, author: Author, other: Author, reason: str) -> MergeOutcome:
    """ "These records are also me": ``other`` merges into ``author`` at once when
    it is unclaimed and the evidence supports it, else a moderator decides."""
    role = require_owner(user, author, moderators=True)
    reason = _reason(reason)
    other = corrections.survivor_of(other)
    if other.pk == author.pk:
        raise ClaimRefused("That is this record.")
    if role == "owner":
        _within_limit(user, ("merge", "request merge"), merge_requests_per_day(), "merge requests")
    holder = owner_of(other)
    evidence = "" if holder is not None else same_person_evidence(user, author, other)
    if evidence or role == "moderator":
        try:
            done = corrections.merge(other, author, _actor(user, role), reason)
        except CorrectionError as exc:
            raise ClaimRefused(str(exc)) from exc
        _audit(user, role, "merge", author, f"correction:{done.pk}", f"{reason} ({evidence})")
        return MergeOutcome(correction=done, evidence=evidence)
    with transaction.atomic():
        if MergeRequest.objects.filter(
            author=author, other=other, status=MergeRequest.Status.PENDING
        ).exists():
            raise ClaimRefused("You already asked for this merge; a moderator will decide.")
        request = MergeRequest.objects.create(
            user_id=account_id(user), author=author, other=other, reason=reason
        )
        _audit(user, role, "request merge", author, f"merge-request:{request.pk}", reason)
    return MergeOutcome(request=request)


def decide_merge(
    moderator: User, request: MergeRequest, decision: str, reason: str
) -> MergeRequest:
    """A moderator approves (the records merge) or rejects (with a reason) a merge request."""
    if not is_moderator(moderator):
        raise PermissionDenied("moderators only")
    if request.user_id == account_id(moderator):
        raise PermissionDenied("a moderator does not decide their own request")
    if decision not in ("approve", "reject"):
        raise ClaimRefused("Choose approve or reject.")
    reason = " ".join(reason.split())[:REASON_LIMIT]
    if decision == "reject" and not reason:
        raise ClaimRefused("Give a reason: the requester sees it.")
    with transaction.atomic():
        request = MergeRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != MergeRequest.Status.PENDING:
            raise ClaimRefused(f"This request is {request.get_status_display()} already.")
        if decision == "approve":
            try:
                request.correction = corrections.merge(
                    request.other,
                    request.author,
                    _actor(moderator, "moderator"),
                    request.reason + (f" (approved: {reason})" if reason else ""),
                )
            except CorrectionError as exc:
                raise ClaimRefused(str(exc)) from exc
            request.status = MergeRequest.Status.APPROVED
        else:
            request.status = MergeRequest.Status.REJECTED
        request.decision_reason = reason
        request.decided_by_id = account_id(moderator)
        request.decided_at = timezone.now()
        request.save()
        _audit(
            moderator,
            "moderator",
            f"{decision} merge",
            request.author,
            f"merge-request:{request.pk}",
            reason,
        )
        transaction.on_commit(lambda: notices.merge_decided(request))
    return request


def undo_correction(user: User, correction: AuthorCorrection) -> AuthorCorrection:
    """The owner of the record it was made on, or a moderator, takes it back."""
    record = corrections.survivor_of(correction.author)
    role = _correct(user, record, "corrections")
    try:
        corrections.undo(correction, _actor(user, role))
    except CorrectionError as exc:
        raise ClaimRefused(str(exc)) from exc
    _audit(user, role, "undo", record, f"correction:{correction.pk}", "")
    correction.refresh_from_db()
    return correction


def correction_log(author: Author, limit: int = 50) -> list[AuthorCorrection]:
    """The corrections made on the record or into it, newest first."""
    return list(
        AuthorCorrection.objects.filter(Q(author=author) | Q(target=author))
        .select_related("author", "target")
        .order_by("-created_at", "-id")[:limit]
    )
