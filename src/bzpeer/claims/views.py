"""Claim pages: the claim form, the claimant's claims, the moderator queue.
Each view checks who may act, calls one service, renders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from bzpeer.catalog.models import Author

from . import services
from .models import Claim
from .services import ClaimRefused


def orcid_configured(request: HttpRequest) -> bool:
    """Whether ORCID sign-in is offered (settings' APPS, or a SocialApp row)."""
    from allauth.socialaccount.adapter import get_adapter

    return bool(get_adapter(request).list_apps(request, provider=services.ORCID_PROVIDER))


@login_required
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug, merged_into=None)
    emails = services.verified_emails(request.user)
    orcids = sorted(services.linked_orcids(request.user))
    standing = services.standing_claim(author, request.user)
    context: dict[str, object] = {
        "author": author,
        "emails": emails,
        "orcids": orcids,
        "orcid_offered": not orcids and orcid_configured(request),
        "disputed": standing is not None,
        "mine": Claim.objects.filter(
            user_id=services.account_id(request.user), status__in=Claim.OPEN
        )
        .select_related("author")
        .first(),
        # The proof: "email" (with the address chosen), or "orcid:<iD>".
        "form": {
            "proof": f"orcid:{orcids[0]}" if orcids else "email",
            "email": emails[0] if emails else "",
            "evidence_url": "",
            "note": "",
        },
    }
    if request.method == "POST":
        fields = ("proof", "email", "evidence_url", "note")
        form = {k: request.POST.get(k, "")[:4000] for k in fields}
        form["proof"] = form["proof"] or "email"
        context["form"] = form
        proof = form["proof"]
        orcid = proof.removeprefix("orcid:").strip() if proof.startswith("orcid:") else ""
        try:
            if proof != "email" and not orcid:
                raise ClaimRefused("Choose an e-mail address or your ORCID iD.")
            made = services.claim_author(
                request.user,
                author,
                email="" if orcid else form["email"],
                orcid=orcid,
                evidence_url=form["evidence_url"],
                note=form["note"],
            )
        except ClaimRefused as refused:
            context["error"] = str(refused)
            return render(request, "claims/claim.html", context, status=400)
        return render(request, "claims/result.html", {"author": author, "claim": made})
    return render(request, "claims/claim.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    claims = list(
        Claim.objects.filter(user_id=services.account_id(request.user))
        .select_related("author")
        .order_by("-created_at", "-id")
    )
    disputed = services.disputed_authors(claims)
    return render(
        request,
        "claims/mine.html",
        {"rows": [(c, c.status == "verified" and c.author_id in disputed) for c in claims]},
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    try:
        services.withdraw_claim(request.user, claim)
    except ClaimRefused as refused:
        return render(request, "claims/refused.html", {"error": str(refused)}, status=400)
    return redirect("claims_mine")


@login_required
@require_POST
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    try:
        services.add_evidence(
            request.user,
            claim,
            evidence_url=request.POST.get("evidence_url", "")[:4000],
            note=request.POST.get("note", "")[:4000],
        )
    except ClaimRefused as refused:
        return render(request, "claims/refused.html", {"error": str(refused)}, status=400)
    return redirect("claims_mine")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    services.require_moderator(request.user)
    open_ = list(
        Claim.objects.filter(status__in=services.REVIEWABLE)
        .select_related("author", "user")
        .order_by("created_at", "id")
    )
    disputed_authors = [c.author_id for c in open_ if c.dispute]
    standing = {
        c.author_id: c
        for c in Claim.objects.filter(
            author_id__in=disputed_authors, status=Claim.Status.VERIFIED
        ).select_related("user")
    }
    verified = (
        Claim.objects.filter(status=Claim.Status.VERIFIED)
        .select_related("author", "user")
        .order_by("-created_at", "-id")[:50]
    )
    return render(
        request,
        "claims/queue.html",
        {
            "pending": [(c, standing.get(c.author_id)) for c in open_ if not c.dispute],
            "disputed": [(c, standing.get(c.author_id)) for c in open_ if c.dispute],
            "verified": verified,
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_moderator(request.user)
    claim = get_object_or_404(Claim, pk=pk)
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")[:4000]
    try:
        if decision == "revoke":
            services.revoke_claim(request.user, claim, reason)
        else:
            services.review_claim(request.user, claim, decision, reason)
    except ClaimRefused as refused:
        return render(request, "claims/refused.html", {"error": str(refused)}, status=400)
    return redirect("claims_queue")
