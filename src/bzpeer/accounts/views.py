"""Privacy pages: what the site keeps about the account, download it, delete it."""

from __future__ import annotations

import orjson
from allauth.core import ratelimit
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import privacy


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html", {"word": privacy.CONFIRM_WORD})


@login_required
@require_GET
def data(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, AbstractBaseUser)  # login_required
    body = orjson.dumps(privacy.export_account(request.user), option=orjson.OPT_INDENT_2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="bzpeer-account.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # login_required
    # the password check is limited like allauth's re-authentication (per account)
    if limited := ratelimit.consume_or_429(request, action="reauthenticate", user=user):
        return limited
    error = ""
    if request.POST.get("confirm", "").strip().lower() != privacy.CONFIRM_WORD:
        error = f"Type “{privacy.CONFIRM_WORD}” to confirm."
    elif user.has_usable_password() and not user.check_password(
        request.POST.get("password", "")[:4000]
    ):
        error = "That is not your password."
    if error:
        context = {"word": privacy.CONFIRM_WORD, "error": error}
        return render(request, "accounts/privacy.html", context, status=400)
    logout(request)
    privacy.delete_account(user)
    return redirect("/?account=deleted")
