"""The moderators' queues besides claims: merge requests and suppression
requests, and the audit log of every decision."""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import fixes, services, suppression
from .models import AuditEvent, ClaimEvent, MergeRequest, Request, Suppression

LOG_SIZE = 200
Decide = Callable[[Any, Any, str, str], object]


def _moderator(request: HttpRequest) -> None:
    services.require_moderator(request.user)


def _queue(rows: QuerySet[Any]) -> dict[str, Any]:
    """A request queue: the pending oldest first, the last 50 decided."""
    pending = rows.filter(status=Request.Status.PENDING)
    return {
        "pending": pending.order_by("created_at"),
        "decided": rows.exclude(status=Request.Status.PENDING).order_by("-decided_at")[:50],
    }


def _decide(
    request: HttpRequest, model: type[Request], pk: int, decide: Decide, back: str
) -> HttpResponse:
    """Hand the moderator's decision on one request to its service."""
    _moderator(request)
    item = get_object_or_404(model, pk=pk)
    try:
        decide(
            request.user,
            item,
            request.POST.get("decision", ""),
            request.POST.get("reason", "")[:4000],
        )
    except services.ClaimRefused as refused:
        return render(request, "claims/refused.html", {"error": str(refused)}, status=400)
    return redirect(back)


@login_required
def merges(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    rows = MergeRequest.objects.select_related("author", "other", "user", "decided_by")
    return render(request, "claims/merges.html", _queue(rows))


@login_required
@require_POST
def decide_merge(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, MergeRequest, pk, fixes.decide_merge, "moderation_merges")


@login_required
def suppressions(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    rows = Suppression.objects.select_related("author", "user", "decided_by")
    context = _queue(rows) | {
        "in_force": suppression.in_force().select_related("author").order_by("-decided_at")
    }
    return render(request, "claims/suppressions.html", context)


@login_required
@require_POST
def decide_suppression(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request, Suppression, pk, suppression.decide_suppression, "moderation_suppressions"
    )


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
