"""What the claim journey (test_claim_journey.py) needs besides the browser:
the mail the site sent, a fake ORCID behind allauth's HTTP client, and a
ledger that puts the session's database back as the journey found it."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROR_UNC = FIXTURES / "ror" / "0130frc33.json"  # the real ROR v2 record of UNC Chapel Hill
ORCID_SAMPLE = FIXTURES / "orcid" / "record-full-3.0.json"
ORCID_SAMPLE_ID = "0000-0002-7319-2192"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+?/")


# -- mail --------------------------------------------------------------------


def mail_to(address: str) -> list[str]:
    """The bodies of the messages the site sent to ``address``, oldest first,
    from wherever its EMAIL_BACKEND puts them: the in-memory outbox (the test
    settings pytest-django applies) or the mail folder (the site's default)."""
    from django.conf import settings
    from django.core import mail

    if settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend":
        return [m.body for m in getattr(mail, "outbox", []) if address in m.to]
    if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
        import email

        bodies = []
        folder = Path(getattr(settings, "EMAIL_FILE_PATH", ""))
        for path in sorted(folder.glob("*.log"), key=_mtime):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                message = email.message_from_bytes(raw.strip())
                if address in str(message.get("To", "")):
                    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
                    payload = part.get_payload(decode=True)
                    bodies.append(payload.decode() if isinstance(payload, bytes) else "")
        return bodies
    raise AssertionError(f"cannot read mail sent through {settings.EMAIL_BACKEND}")


def _mtime(path: Path) -> float:
    return path.stat().st_mtime


def confirmation_link(address: str) -> str:
    """The link of the newest confirmation mail to ``address``."""
    for body in reversed(mail_to(address)):
        if found := CONFIRM_LINK.search(body):
            return found.group(0)
    raise AssertionError(f"no confirmation mail to {address}: {mail_to(address)}")


# -- a fake ORCID ---------------------------------------------------------------


def orcid_record(orcid: str, given: str, family: str, arxiv: list[str]) -> dict[str, Any]:
    """ORCID's official v3.0 sample record with this iD and name, listing
    these arXiv ids as works (each a work group shaped like the sample's)."""
    record = json.loads(ORCID_SAMPLE.read_text(encoding="utf-8").replace(ORCID_SAMPLE_ID, orcid))
    name = record["person"]["name"]
    name["given-names"]["value"], name["family-name"]["value"] = given, family
    record["person"]["other-names"]["other-name"] = []
    groups = record["activities-summary"]["works"]["group"]
    listed = []
    for value in arxiv:
        ext = {
            "external-id-type": "arxiv",
            "external-id-value": f"arXiv:{value}",
            "external-id-normalized": {"value": value, "transient": True},
            "external-id-url": {"value": f"https://arxiv.org/abs/{value}"},
            "external-id-relationship": "self",
        }
        group = copy.deepcopy(groups[0])
        group["external-ids"]["external-id"] = [ext]
        for summary in group["work-summary"]:
            summary["external-ids"]["external-id"] = [copy.deepcopy(ext)]
        listed.append(group)
    groups[:0] = listed
    return record


@dataclass
class FakeOrcid:
    """ORCID's public API as allauth's requests session reaches it: a
    transport adapter mounted on a real ``requests.Session`` answers the token
    exchange and the record read; any other request fails and is kept."""

    orcid: str
    record: dict[str, Any]
    calls: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def session(self) -> Any:
        import requests

        fake = self

        class Transport(requests.adapters.BaseAdapter):
            def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
                return fake.answer(request)

            def close(self) -> None:
                pass

        session = requests.Session()
        session.mount("https://", Transport())
        session.mount("http://", Transport())
        return session

    def answer(self, request: Any) -> Any:
        import requests

        url = urlsplit(request.url)
        call = f"{request.method} {url.scheme}://{url.netloc}{url.path}"
        self.calls.append(call)
        if call == "POST https://pub.orcid.org/oauth/token":
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            assert "grant_type=authorization_code" in (body or ""), body
            # ORCID's documented answer for the /authenticate scope.
            payload: dict[str, Any] = {
                "access_token": "f5af9f51-07e6-4332-8f1a-c0c11c1e3728",
                "token_type": "bearer",
                "refresh_token": "f725f747-3a65-49f6-a231-3e8944ce464d",
                "expires_in": 631138518,
                "scope": "/authenticate",
                "name": "Tianlong Chen",
                "orcid": self.orcid,
            }
            kind = "application/json;charset=UTF-8"
        elif call == f"GET https://pub.orcid.org/v3.0/{self.orcid}/record":
            payload, kind = self.record, "application/orcid+json;charset=UTF-8"
        else:
            self.refused.append(call)
            raise requests.ConnectionError(f"the fake ORCID does not answer {call}")
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = kind
        response._content = json.dumps(payload).encode()
        response.url = request.url
        response.request = request
        return response

    @contextmanager
    def serving(self) -> Iterator[FakeOrcid]:
        """allauth's requests (made in the live server's thread) reach this fake."""
        with mock.patch(
            "allauth.socialaccount.adapter.DefaultSocialAccountAdapter.get_requests_session",
            side_effect=lambda *args: self.session(),
            autospec=False,
        ):
            yield self


def authorize_page(url: str) -> str:
    """ORCID's authorisation page as the fake serves it to the browser: one
    button back to the site's callback with a code and the state it was given."""
    from html import escape
    from urllib.parse import parse_qs, urlencode

    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    back = f"{query['redirect_uri']}?{urlencode({'code': 'Q2w3E4', 'state': query['state']})}"
    return (
        "<!doctype html><title>ORCID</title><h1>Authorize access</h1>"
        f"<p>{escape(query['client_id'])} asks for {escape(query['scope'])}</p>"
        f'<a id="authorize" href="{escape(back)}">Authorize access</a>'
    )


# -- the database ---------------------------------------------------------------

# Rows the journey makes, found by a primary key above the one each table had.
NEW_ROWS = (
    ("auth", "User"),  # with them: addresses, claims, claim events, owner statements, ORCID links
    ("claims", "AuditEvent"),
    ("catalog", "AuthorCorrection"),
    ("catalog", "Author"),  # a record resolution made for a removed work (empty once undone)
    ("trust", "TrustSnapshot"),
    ("ingest", "ImportRun"),
    ("catalog", "SourceRecord"),
)
# Tables whose row counts must be what they were (checked after the clean-up).
COUNTED = ("auth", "account", "socialaccount", "sessions", "catalog", "trust", "claims", "ingest")


@dataclass
class Ledger:
    """The state before the journey, and how to return to it."""

    started: datetime
    top: dict[str, int]
    sessions: set[str]
    counts: dict[str, int]
    author: dict[str, Any]
    institution: dict[str, Any] | None
    group_made: bool = False

    @classmethod
    def open(cls, slug: str, ror: str | None = None) -> Ledger:
        from django.apps import apps
        from django.contrib.sessions.models import Session
        from django.db.models import Max
        from django.forms.models import model_to_dict
        from django.utils import timezone

        from bzpeer.catalog.models import Author, Institution

        top = {}
        for app, name in NEW_ROWS:
            model = apps.get_model(app, name)
            top[f"{app}.{name}"] = model._default_manager.aggregate(m=Max("pk"))["m"] or 0
        institution = Institution.objects.filter(ror=ror).first() if ror else None
        return cls(
            started=timezone.now(),
            top=top,
            sessions=set(Session.objects.values_list("session_key", flat=True)),
            counts=table_counts(),
            author=model_to_dict(Author.objects.get(slug=slug)),
            institution=model_to_dict(institution) if institution else None,
        )

    def close(self, slug: str) -> list[str]:
        """Delete what the journey made, restore what it changed; returns what
        still differs from before (nothing, when all went well)."""
        from django.apps import apps
        from django.contrib.auth.models import Group
        from django.contrib.sessions.models import Session
        from django.forms.models import model_to_dict
        from django_tasks_db.models import DBTaskResult

        from bzpeer.catalog.models import Author, Institution

        for app, name in NEW_ROWS:
            model = apps.get_model(app, name)
            model._default_manager.filter(pk__gt=self.top[f"{app}.{name}"]).delete()
        Session.objects.exclude(session_key__in=self.sessions).delete()
        if self.group_made:
            Group.objects.filter(name="moderators").delete()
        if self.institution is not None:
            fields = {k: v for k, v in self.institution.items() if k != "id"}
            Institution.objects.filter(pk=self.institution["id"]).update(**fields)
        # Trust refreshes queued by the journey's claims and corrections, and by this clean-up.
        DBTaskResult.objects.filter(enqueued_at__gte=self.started).delete()
        differs = [
            f"{table}: {self.counts[table]} rows before, {count} after"
            for table, count in table_counts().items()
            if count != self.counts.get(table)
        ]
        now = model_to_dict(Author.objects.get(slug=slug))
        differs += [
            f"{slug}.{k}: {v!r} before, {now.get(k)!r} after"
            for k, v in self.author.items()
            if now.get(k) != v
        ]
        return differs


def table_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.db_table: model._default_manager.count()
        for label in COUNTED
        for model in apps.get_app_config(label).get_models()
    }


@contextmanager
def closing_connections() -> Iterator[None]:
    """Close the database connections the work inside opened. Once a browser
    test has started Playwright's loop in this thread, a query from the test's
    thread opens a connection of its own, and one left open keeps PostgreSQL
    from dropping the test database at the end of the session."""
    from django.db import connections

    try:
        yield
    finally:
        connections.close_all()


def in_database(django_db_blocker: Any, work: Callable[[], Any]) -> Any:
    """Run ORM work from the test's thread, its connections closed after."""
    with django_db_blocker.unblock(), closing_connections():
        return work()
