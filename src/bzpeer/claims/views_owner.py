"""The owner's pages: edit the profile, fix the record (remove, move, merge),
undo a correction; and anyone's request to take an unclaimed record down.
Each view checks who may act, calls one service, renders or redirects."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bzpeer.catalog.models import Affiliation, Author, AuthorCorrection, Institution
from bzpeer.catalog.queries import author_works

from . import fixes, owner, suppression
from .services import ClaimRefused

FIELD_LIMIT = 4000
WORKS_PER_PAGE = 100


def _record(slug: str) -> Author:
    author = get_object_or_404(Author, slug=slug, merged_into=None)
    if suppression.is_suppressed(author.pk):
        raise Http404("this record was taken down")
    return author


def _post(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "")[:FIELD_LIMIT]


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    author = _record(slug)
    owner.require_owner(request.user, author)
    statements = owner.owner_statements(author)
    form = owner.ProfileEdit(
        display_name=(statements.display_name if statements else "") or author.display_name,
        bio=statements.bio if statements else "",
        open_to_collaborate=author.open_to_collaborate,
        institution=(statements.institution.name if statements and statements.institution else ""),
        homepage=statements.homepage if statements else "",
        orcid=(statements.orcid if statements else "") or (author.orcid or ""),
    )
    context: dict[str, object] = {
        "author": author,
        "form": form,
        "institutions": Institution.objects.filter(
            pk__in=Affiliation.objects.filter(author=author).values("institution_id")
        ).order_by("name")[:50],
        "limits": {"name": owner.NAME_LIMIT, "bio": owner.BIO_LIMIT},
    }
    if request.method == "POST":
        form = owner.ProfileEdit(
            display_name=_post(request, "display_name"),
            bio=_post(request, "bio"),
            open_to_collaborate=request.POST.get("open_to_collaborate") == "on",
            institution=_post(request, "institution"),
            homepage=_post(request, "homepage"),
            orcid=_post(request, "orcid"),
        )
        context["form"] = form
        try:
            owner.edit_profile(request.user, author, form)
        except ClaimRefused as refused:
            context["error"] = str(refused)
            return render(request, "claims/edit.html", context, status=400)
        return redirect("profile", slug=author.slug)
    return render(request, "claims/edit.html", context)


def _work_ids(request: HttpRequest) -> list[int]:
    ids = []
    for value in request.POST.getlist("work")[:1000]:
        if value.isascii() and value.isdigit() and len(value) < 19:
            ids.append(int(value))
    if not ids:
        raise ClaimRefused("Choose the works first.")
    return ids


@login_required
@require_http_methods(["GET", "POST"])
def fix(request: HttpRequest, slug: str) -> HttpResponse:
    """The owner's (or a moderator's) correction page for a record."""
    author = _record(slug)
    owner.require_owner(request.user, author, moderators=True)
    works = Paginator(author_works(author).order_by("-year", "-id"), WORKS_PER_PAGE)
    page = works.get_page(request.GET.get("page") or 1)
    context: dict[str, object] = {
        "author": author,
        "page": page,
        "log": fixes.correction_log(author),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = _post(request, "reason")
        try:
            if action == "remove":
                fixes.remove_works(request.user, author, _work_ids(request), reason)
                message = "removed"
            elif action == "move":
                ref = _post(request, "target").strip()
                target = fixes.find_record(ref) if ref else None
                fixes.move_works(request.user, author, _work_ids(request), target, reason)
                message = "moved"
            elif action == "merge":
                other = fixes.find_record(_post(request, "other"))
                outcome = fixes.merge_records(request.user, author, other, reason)
                message = "merged" if outcome.correction else "merge-requested"
            else:
                raise ClaimRefused("Choose remove, move or merge.")
        except ClaimRefused as refused:
            context["error"] = str(refused)
            return render(request, "claims/fix.html", context, status=400)
        return redirect(f"{reverse('profile', args=[author.slug])}?done={message}#corrections")
    return render(request, "claims/fix.html", context)


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    correction = get_object_or_404(AuthorCorrection, pk=pk)
    try:
        fixes.undo_correction(request.user, correction)
    except ClaimRefused as refused:
        return render(request, "claims/refused.html", {"error": str(refused)}, status=400)
    record = fixes.corrections.survivor_of(correction.author)
    return redirect(f"{reverse('profile', args=[record.slug])}?done=undone#corrections")


@login_required
@require_http_methods(["GET", "POST"])
def suppress(request: HttpRequest, slug: str) -> HttpResponse:
    author = _record(slug)
    context: dict[str, object] = {"author": author, "reason": "", "claimed": owner.owner_of(author)}
    if request.method == "POST":
        context["reason"] = _post(request, "reason")
        try:
            suppression.request_suppression(request.user, author, _post(request, "reason"))
        except ClaimRefused as refused:
            context["error"] = str(refused)
            return render(request, "claims/suppress.html", context, status=400)
        context["sent"] = True
    return render(request, "claims/suppress.html", context)
