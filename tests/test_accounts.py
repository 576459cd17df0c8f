"""Accounts (django-allauth): email sign-up with verification, argon2 hashes,
CSRF on the forms. Verified emails are what trust counts (test_trust.py)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def test_sign_up_needs_a_verified_email_and_stores_an_argon2_hash(client, mailoutbox):
    assert client.get("/accounts/signup/").status_code == 200
    response = client.post(
        "/accounts/signup/",
        {
            "email": "ada@example.org",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ada@example.org")
    assert user.password.startswith("argon2")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1 and "ada@example.org" in mailoutbox[0].to


def test_login_form_is_protected_by_csrf():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"login": "x@example.org", "password": "nope"})
    assert response.status_code == 403
