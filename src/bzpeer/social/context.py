"""The header's unread count, for signed-in accounts only (one query, run
only when a page shows it)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .conversations import unread


def unread_count(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread": SimpleLazyObject(lambda: unread(int(user.pk)))}
