"""E-mail notices of decisions: the claimant of a decided claim, both sides of
a dispute, the requester of a decided merge or suppression. Sent after the
decision is committed, to each account's primary address; a failed send is
logged and never undoes the decision."""

from __future__ import annotations

import logging

from django.core.mail import send_mail

from .models import Claim, MergeRequest, Suppression

log = logging.getLogger(__name__)


def address(user_id: int) -> str:
    """The account's primary verified address, else any verified one, else ''."""
    from allauth.account.models import EmailAddress

    row = (
        EmailAddress.objects.filter(user_id=user_id, verified=True)
        .order_by("-primary", "id")
        .values_list("email", flat=True)
        .first()
    )
    return row or ""


def _send(user_id: int | None, subject: str, body: str) -> None:
    to = address(user_id) if user_id is not None else ""
    if not to:
        return
    try:
        send_mail(subject, body + "\n\n-- BZPEER\n", None, [to])
    except OSError:
        log.exception("could not send %r to account %s", subject, user_id)


def short_name(text: str) -> str:
    """A name as a notice writes it: one line, at most 120 characters."""
    return " ".join(text.split())[:120]


def claim_decided(claim: Claim) -> None:
    status = claim.get_status_display()
    lines = [
        f"Your claim of the record “{short_name(claim.author.display_name)}” is now: {status}."
    ]
    if claim.level:
        lines.append(f"Verification level: {claim.level}.")
    if claim.reason:
        lines.append(f"The moderator's reason: {claim.reason}")
    if claim.status == Claim.Status.NEEDS_EVIDENCE:
        lines.append("Add evidence on the page “Your claims” (/claims/mine).")
    _send(claim.user_id, f"Your claim: {status}", "\n\n".join(lines))


def dispute_opened(claim: Claim) -> None:
    name = short_name(claim.author.display_name)
    _send(
        claim.user_id,
        "Your claim disputes another account's",
        f"Another account holds the record “{name}”. Your claim waits for a moderator, "
        "who decides between the two; you will be told the decision.",
    )
    standing = (
        Claim.objects.filter(author_id=claim.author_id, status=Claim.Status.VERIFIED)
        .exclude(user_id=claim.user_id)
        .values_list("user_id", flat=True)
        .first()
    )
    if standing is not None:
        _send(
            standing,
            "Another account claims your record",
            f"Another account claims the record “{name}”, which you hold. A moderator "
            "will decide; your claim stands until then. If you can, add evidence that the "
            "record is yours on “Your claims” (/claims/mine).",
        )


def merge_decided(request: MergeRequest) -> None:
    _send(
        request.user_id,
        f"Your merge request: {request.get_status_display()}",
        f"Your request to merge “{short_name(request.other.display_name)}” into "
        f"“{short_name(request.author.display_name)}” was {request.get_status_display()}."
        + (
            f"\n\nThe moderator's reason: {request.decision_reason}"
            if request.decision_reason
            else ""
        ),
    )


def suppression_decided(request: Suppression) -> None:
    _send(
        request.user_id,
        f"Your suppression request: {request.get_status_display()}",
        f"Your request to take down the record “{short_name(request.author.display_name)}” was "
        f"{request.get_status_display()}."
        + (
            f"\n\nThe moderator's reason: {request.decision_reason}"
            if request.decision_reason
            else ""
        ),
    )
