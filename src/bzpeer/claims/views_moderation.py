"""The moderators' queues besides claims: merge requests and suppression
requests, and the audit log of every decision."""

from __future__ import annotations

from itertools import chain

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from bzpeer.trust.models import ClaimEvent

from . import fixes, services, suppression
from .models import AuditEvent, MergeRequest, Suppression

LOG_SIZE = 200


def _moderator(request: HttpRequest) -> None:
    if not services.is_moderator(request.user):
        raise PermissionDenied("moderators only")


def _refused(request: HttpRequest, refused: services.ClaimRefused) -> HttpResponse:
    return render(request, "claims/refused.html", {"error": str(refused)}, status=400)


@login_required
def merges(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    rows = MergeRequest.objects.select_related("author", "other", "user", "decided_by")
    return render(
        request,
        "claims/merges.html",
        {
            "pending": rows.filter(status=MergeRequest.Status.PENDING).order_by("created_at"),
            "decided": rows.exclude(status=MergeRequest.Status.PENDING).order_by("-decided_at")[
                :50
            ],
        },
    )


@login_required
@require_POST
def decide_merge(request: HttpRequest, pk: int) -> HttpResponse:
    _moderator(request)
    item = get_object_or_404(MergeRequest, pk=pk)
    try:
        fixes.decide_merge(
            request.user,
            item,
            request.POST.get("decision", ""),
            request.POST.get("reason", "")[:4000],
        )
    except services.ClaimRefused as refused:
        return _refused(request, refused)
    return redirect("moderation_merges")


@login_required
def suppressions(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    rows = Suppression.objects.select_related("author", "user", "decided_by")
    return render(
        request,
        "claims/suppressions.html",
        {
            "pending": rows.filter(status=Suppression.Status.PENDING).order_by("created_at"),
            "in_force": rows.filter(status=Suppression.Status.APPROVED, lifted_at=None).order_by(
                "-decided_at"
            ),
            "decided": rows.exclude(status=Suppression.Status.PENDING).order_by("-decided_at")[:50],
        },
    )


@login_required
@require_POST
def decide_suppression(request: HttpRequest, pk: int) -> HttpResponse:
    _moderator(request)
    item = get_object_or_404(Suppression, pk=pk)
    try:
        suppression.decide_suppression(
            request.user,
            item,
            request.POST.get("decision", ""),
            request.POST.get("reason", "")[:4000],
        )
    except services.ClaimRefused as refused:
        return _refused(request, refused)
    return redirect("moderation_suppressions")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every decision and correction, newest first: claims' events and the rest."""
    _moderator(request)
    events = AuditEvent.objects.select_related("actor", "author")[:LOG_SIZE]
    claim_events = ClaimEvent.objects.select_related("actor", "claim__author").order_by(
        "-at", "-id"
    )[:LOG_SIZE]
    rows = sorted(
        chain(
            ((e.at, e.actor, e.role, e.action, e.author, e.subject, e.reason) for e in events),
            (
                (e.at, e.actor, "claim", e.action, e.claim.author, f"claim:{e.claim_id}", e.reason)
                for e in claim_events
            ),
        ),
        key=lambda row: row[0],
        reverse=True,
    )[:LOG_SIZE]
    return render(request, "claims/log.html", {"rows": rows})
