"""An account's own data: all of it as JSON on request, and deletion.

Deleting an account releases its claims (the records stay public, their
owner's statements go), removes its follows, addresses, linked ORCID iDs and
pending requests. Corrections it made stay in the records' public logs,
attributed to "the record's owner"; decided suppressions stay in force."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from bzpeer.catalog.models import AuthorCorrection
from bzpeer.claims.models import (
    AuditEvent,
    Claim,
    ClaimEvent,
    MergeRequest,
    OwnerProfile,
    Suppression,
)
from bzpeer.claims.services import release
from bzpeer.social.export import account_data
from bzpeer.social.models import Follow
from bzpeer.trust.tasks import schedule_refresh

CONFIRM_WORD = "delete"


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_account(user: AbstractBaseUser) -> dict[str, Any]:
    """Everything the site keeps about the account, as plain JSON values."""
    uid = user.pk
    claims = list(Claim.objects.filter(user_id=uid).select_related("author").order_by("id"))
    events: dict[int, list[dict[str, Any]]] = {}
    for event in ClaimEvent.objects.filter(claim__user_id=uid).order_by("at", "id"):
        events.setdefault(event.claim_id, []).append(
            {
                "action": event.action,
                "status": event.status,
                "reason": event.reason,
                "at": _when(event.at),
            }
        )
    profile = (
        OwnerProfile.objects.filter(user_id=uid).select_related("author", "institution").first()
    )
    return {
        "account": {
            "id": uid,
            "username": user.get_username(),
            "date_joined": _when(getattr(user, "date_joined", None)),
            "last_login": _when(user.last_login),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user_id=uid).order_by("id")
        ],
        "orcid": [
            {"id": s.uid, "linked": _when(s.date_joined), "last_sign_in": _when(s.last_login)}
            for s in SocialAccount.objects.filter(user_id=uid, provider="orcid").order_by("id")
        ],
        "claims": [
            {
                "record": c.author.slug,
                "status": c.status,
                "level": c.level,
                "email": c.email,
                "orcid": c.orcid,
                "evidence_url": c.evidence_url,
                "note": c.note,
                "reason": c.reason,
                "made": _when(c.created_at),
                "events": events.get(c.pk, []),
            }
            for c in claims
        ],
        "profile": None
        if profile is None
        else {
            "record": profile.author.slug,
            "display_name": profile.display_name,
            "bio": profile.bio,
            "homepage": profile.homepage,
            "orcid": profile.orcid,
            "institution": profile.institution.name if profile.institution else "",
        },
        **account_data(uid),
        "corrections": [
            {
                "kind": c.kind,
                "record": c.author.slug,
                "into": c.target.slug if c.target else None,
                "works": sorted({w for w, _ in c.authorships}),
                "reason": c.reason,
                "made": _when(c.created_at),
                "undone": _when(c.undone_at),
            }
            for c in AuthorCorrection.objects.filter(actor__in=(f"owner:{uid}", f"moderator:{uid}"))
            .select_related("author", "target")
            .order_by("id")
        ],
        "merge_requests": [
            {
                "record": r.author.slug,
                "other": r.other.slug,
                "reason": r.reason,
                "status": r.status,
                "decision_reason": r.decision_reason,
                "made": _when(r.created_at),
            }
            for r in MergeRequest.objects.filter(user_id=uid).select_related("author", "other")
        ],
        "suppression_requests": [
            {
                "record": r.author.slug,
                "reason": r.reason,
                "status": r.status,
                "decision_reason": r.decision_reason,
                "made": _when(r.created_at),
            }
            for r in Suppression.objects.filter(user_id=uid).select_related("author")
        ],
        "activity": [
            {"action": a.action, "role": a.role, "subject": a.subject, "at": _when(a.at)}
            for a in AuditEvent.objects.filter(actor_id=uid).order_by("at", "id")
        ],
    }


def delete_account(user: AbstractBaseUser) -> list[int]:
    """Delete the account; returns the records whose claims it released."""
    with transaction.atomic():
        held = list(
            Claim.objects.filter(user_id=user.pk, status=Claim.Status.VERIFIED).values_list(
                "author_id", flat=True
            )
        )
        touched = set(Claim.objects.filter(user_id=user.pk).values_list("author_id", flat=True))
        touched |= set(Follow.objects.filter(user_id=user.pk).values_list("author_id", flat=True))
        for author_id in held:
            release(author_id)
        MergeRequest.objects.filter(user_id=user.pk, status=MergeRequest.Status.PENDING).delete()
        Suppression.objects.filter(user_id=user.pk, status=Suppression.Status.PENDING).delete()
        user.delete()
        transaction.on_commit(lambda: schedule_refresh(touched))
    return held
