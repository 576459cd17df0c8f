"""django-allauth adapters: how the site departs from allauth's defaults."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.http import Http404, HttpRequest


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request: HttpRequest, provider: Any, client_id: Any = None) -> SocialApp:
        """A provider that is not configured (ORCID without
        BZPEER_ORCID_CLIENT_ID) answers 404 on its sign-in and callback URLs,
        not a server error."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist as missing:
            raise Http404(f"sign-in with {provider} is not configured") from missing
