"""A person asks that an unclaimed record about them be taken down. After a
moderator approves, the record is gone from pages and the API (410 Gone) and
from search and lists; a moderator can lift the suppression."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bzpeer.catalog.models import Author

from . import notices
from .models import AuditEvent, Suppression
from .owner import owner_of
from .services import ClaimRefused, User, account_id, is_moderator, verified_emails

REASON_LIMIT = 2000


def suppressions_per_day() -> int:
    return int(getattr(settings, "BZPEER_SUPPRESSIONS_PER_DAY", 3))


def in_force() -> QuerySet[Suppression]:
    """The approved take-downs not lifted since."""
    return Suppression.objects.filter(status=Suppression.Status.APPROVED, lifted_at=None)


def suppressed_ids() -> QuerySet[Suppression, int]:
    """Ids of the records taken down (a subquery for ``exclude(pk__in=...)``)."""
    return in_force().values_list("author_id", flat=True)


def is_suppressed(author_id: int) -> bool:
    return in_force().filter(author_id=author_id).exists()


def request_suppression(user: User, author: Author, reason: str) -> Suppression:
    if not user.is_authenticated:
        raise PermissionDenied("sign in to ask for a record to be taken down")
    if not verified_emails(user):
        raise ClaimRefused("Confirm an e-mail address first: the moderators answer there.")
    reason = reason.strip()
    if not reason:
        raise ClaimRefused("Say who you are and why the record should go.")
    if len(reason) > REASON_LIMIT:
        raise ClaimRefused(f"The reason is limited to {REASON_LIMIT} characters.")
    if owner_of(author) is not None:
        raise ClaimRefused(
            "This record is claimed: only its owner speaks for it. If it is about you, "
            "claim it; the claim disputes the owner's and a moderator decides."
        )
    with transaction.atomic():
        since = timezone.now() - timedelta(days=1)
        mine = Suppression.objects.select_for_update().filter(user_id=account_id(user))
        if mine.filter(author=author, status=Suppression.Status.PENDING).exists():
            raise ClaimRefused("You already asked; a moderator will decide.")
        if mine.filter(created_at__gte=since).count() >= suppressions_per_day():
            raise ClaimRefused(
                f"At most {suppressions_per_day()} requests a day per account; try again tomorrow."
            )
        request = Suppression.objects.create(user_id=account_id(user), author=author, reason=reason)
        AuditEvent.objects.create(
            actor_id=account_id(user),
            role="requester",
            action="request suppression",
            author=author,
            subject=f"suppression:{request.pk}",
        )
    return request


def decide_suppression(
    moderator: User, request: Suppression, decision: str, reason: str
) -> Suppression:
    if not is_moderator(moderator):
        raise PermissionDenied("moderators only")
    if request.user_id == account_id(moderator):
        raise PermissionDenied("a moderator does not decide their own request")
    if decision not in ("approve", "reject", "lift"):
        raise ClaimRefused("Choose approve, reject or lift.")
    reason = " ".join(reason.split())[:REASON_LIMIT]
    if not reason:
        raise ClaimRefused("Give a reason: the requester sees it, and the audit log keeps it.")
    with transaction.atomic():
        request = Suppression.objects.select_for_update().get(pk=request.pk)
        if decision == "lift":
            if request.status != Suppression.Status.APPROVED or request.lifted_at is not None:
                raise ClaimRefused("Only a suppression in force can be lifted.")
            request.lifted_at = timezone.now()
        else:
            if request.status != Suppression.Status.PENDING:
                raise ClaimRefused(f"This request is {request.get_status_display()} already.")
            approve = decision == "approve"
            if approve and owner_of(request.author) is not None:
                raise ClaimRefused("The record was claimed meanwhile: its owner speaks for it.")
            request.status = Suppression.Status.APPROVED if approve else Suppression.Status.REJECTED
            request.decided_by_id = account_id(moderator)
            request.decided_at = timezone.now()
        request.decision_reason = reason
        request.save()
        AuditEvent.objects.create(
            actor_id=account_id(moderator),
            role="moderator",
            action=f"{decision} suppression",
            author=request.author,
            subject=f"suppression:{request.pk}",
            reason=reason,
        )
        if decision != "lift":
            transaction.on_commit(lambda: notices.suppression_decided(request))
    return request
