"""Accounts (django-allauth): email sign-up with verification, argon2 hashes,
CSRF on the forms. Verified emails are what trust counts (tests/trust/test_trust.py)."""

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


@pytest.mark.django_db
def test_every_login_form_stops_guessing(client, make_user):
    """Five wrong passwords for one address lock it for a while, on the site's
    form and on the admin's (which is the site's form); the right password
    is refused too until then."""
    from django.core.cache import cache

    cache.clear()
    make_user("admin", "admin@example.org", password="right-password-1", is_staff=True)
    for _ in range(5):
        answer = client.post(
            "/accounts/login/", {"login": "admin@example.org", "password": "wrong"}
        )
        assert answer.status_code == 200 and b"not correct" in answer.content
    admin = client.get("/admin/login/")  # the admin signs in through the site's form
    assert admin.status_code == 302 and admin["Location"].startswith("/accounts/login/")
    locked = client.post(
        admin["Location"], {"login": "admin@example.org", "password": "right-password-1"}
    )
    assert b"Too many failed login attempts" in locked.content
    assert "_auth_user_id" not in client.session
    cache.clear()


@pytest.mark.django_db
def test_the_delete_form_stops_password_guessing(client, make_user):
    from django.core.cache import cache

    cache.clear()
    user = make_user("u", password="right-password-1")
    client.force_login(user)
    answers = [
        client.post("/account/delete", {"password": "wrong", "confirm": "delete"}).status_code
        for _ in range(11)
    ]
    assert answers[:10] == [400] * 10 and answers[10] == 429
    cache.clear()
