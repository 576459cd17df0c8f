"""The Content-Security-Policy every response carries.

Scripts, styles, fonts and connections come from this site only; no inline
script or style runs, nothing loads from another host, and no page can be
framed. The graph front-end lives with it: its bundle is a static file, and
ForceAtlas2's web worker may start from a ``blob:`` URL. Images may also be
``data:`` URLs (icons inside the API docs' stylesheet).

One exception, only when ORCID sign-in is configured: ``form-action`` also
names the ORCID host, since the "Continue" button of allauth's sign-in page
posts to this site, which redirects to ORCID's authorisation page, and
browsers hold such a redirect to ``form-action`` too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def policy() -> str:
    """POLICY, with the ORCID host as a form target when ORCID sign-in is on."""
    orcid = settings.SOCIALACCOUNT_PROVIDERS.get("orcid", {})
    if not orcid.get("APPS"):
        return POLICY
    host = f"https://{orcid.get('BASE_DOMAIN', 'orcid.org')}"
    return POLICY.replace("form-action 'self'", f"form-action 'self' {host}")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy())
        return response


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in value for key, values in request.GET.lists() for value in [key, *values])


class RefuseNulBytesMiddleware:
    """A NUL byte in the path or the query string is refused with 400 before
    any view runs: no record holds one, and PostgreSQL refuses them in text."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return HttpResponseBadRequest(
                "A NUL byte is not allowed in a request.", content_type="text/plain"
            )
        return self.get_response(request)
