"""Following, the feed, alerts and the "who fits" list. Views parse, call a
service or a query, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bzpeer.catalog.models import Author, Institution, Topic
from bzpeer.catalog.queries import author_lists
from bzpeer.claims.services import account_id
from bzpeer.claims.suppression import is_suppressed

from . import alerts, feed, fit, services
from .models import AlertSettings

KINDS: dict[str, type[Author] | type[Topic] | type[Institution]] = {
    "author": Author,
    "topic": Topic,
    "institution": Institution,
}


def _target(kind: str, pk: int) -> Author | Topic | Institution:
    model = KINDS.get(kind)
    if model is None:
        raise Http404("nothing of that kind to follow")
    target: Author | Topic | Institution = get_object_or_404(model, pk=pk)  # type: ignore[assignment]
    if isinstance(target, Author) and (target.merged_into_id or is_suppressed(target.pk)):
        raise Http404("this record cannot be followed")
    return target


def button_context(
    user: AbstractBaseUser | AnonymousUser,
    target: Author | Topic | Institution,
    count: int | None = None,
) -> dict[str, object]:
    """The follow button's state. ``count``: the followers, when the caller
    has counted them already; else counted for a signed-in visitor, left off
    for an anonymous one (no query)."""
    kind = next(k for k, m in KINDS.items() if isinstance(target, m))
    if count is None and user.is_authenticated:
        count = services.follower_total(target)
    return {
        "kind": kind,
        "target": target,
        "following": services.is_following(user, target),
        "count": count,
    }


@require_POST
def follow(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Follow or unfollow; htmx swaps the button, a plain form goes back."""
    target = _target(kind, pk)
    back = request.POST.get("next", "")
    same_site = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
    if not (back.startswith("/") and same_site):
        back = "/"
    if not request.user.is_authenticated:
        login = f"{reverse('account_login')}?{urlencode({'next': back})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = login
            return response
        return HttpResponseRedirect(login)
    if request.POST.get("action") == "unfollow":
        services.unfollow(request.user, target)
    else:
        services.follow(request.user, target)
    if request.headers.get("HX-Request"):
        context = button_context(request.user, target) | {"next": back}
        return render(request, "social/follow_button.html", context)
    return HttpResponseRedirect(back)


@require_GET
def followers(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug, merged_into=None)
    if is_suppressed(author.pk):
        return render(request, "web/gone.html", status=410)
    return render(
        request, "social/followers.html", {"author": author, "f": feed.followers_of(author)}
    )


@login_required
@require_GET
def following(request: HttpRequest) -> HttpResponse:
    return render(request, "social/following.html", {"f": feed.following(account_id(request.user))})


@login_required
@require_GET
def feed_page(request: HttpRequest) -> HttpResponse:
    before = feed.Cursor.parse(request.GET.get("before"))
    works = feed.feed(account_id(request.user), before)
    lists = author_lists([w.pk for w in works])
    return render(
        request,
        "social/feed.html",
        {
            "rows": [(w, lists.get(w.pk, [])) for w in works],
            "more": feed.next_cursor(works),
            "paged": before is not None,
            "follows": feed.following_count(account_id(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_settings(request: HttpRequest) -> HttpResponse:
    row = alerts.settings_of(request.user)
    saved = False
    if request.method == "POST":
        frequency = request.POST.get("frequency", "")
        if frequency not in AlertSettings.Frequency.values:
            return render(
                request,
                "social/alerts.html",
                {"row": row, "choices": AlertSettings.Frequency.choices, "error": True},
                status=400,
            )
        row = alerts.set_alerts(request.user, frequency, request.POST.get("messages") == "on")
        saved = True
    return render(
        request,
        "social/alerts.html",
        {"row": row, "choices": AlertSettings.Frequency.choices, "saved": saved},
    )


@csrf_exempt  # the signed token is the credential, not a cookie: nothing to forge
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from an e-mail, no sign-in: the token names the account.
    A GET unsubscribes too (the link in the e-mail); POST is the mail
    client's one-click form (RFC 8058), which carries no CSRF token."""
    user_id = alerts.unsubscribe(token[:500])
    if user_id is None:
        return render(request, "social/unsubscribed.html", {"bad": True}, status=400)
    return render(request, "social/unsubscribed.html", {})


@login_required
@require_GET
def fits(request: HttpRequest, slug: str) -> HttpResponse:
    """The "might work with" list, fetched by the profile after it loads."""
    author = get_object_or_404(Author, slug=slug, merged_into=None)
    if is_suppressed(author.pk):
        return HttpResponse(status=410)
    return render(request, "social/fits.html", {"author": author, "found": fit.suggestions(author)})
