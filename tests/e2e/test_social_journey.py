"""Following and talking in the browser, as people do it (issue 24): A
follows the reference researcher without a reload and the count changes; an
import adds a work of his, which appears in A's feed and in the alert the
worker writes to the mail folder; claimed B invites claimed C (co-authors:
the invitation shows the conflict of interest), C accepts, they exchange
messages, C blocks B and B can no longer write.

The journey leaves the session's database as it found it: every row it made
is deleted by primary key, the records it changed are put back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from journey import in_database, mail_to, table_counts

pytestmark = pytest.mark.browser

SLUG = "tianlong-chen"
TITLE = "Sparse Lottery Tickets Delivered To Your Inbox"
# Rows the journey makes; deleted children first.
MADE = (
    ("catalog", "AuthorshipMention"),
    ("catalog", "WorkIdentifier"),
    ("catalog", "WorkVersion"),
    ("catalog", "Work"),
    ("catalog", "SourceRecord"),
    ("catalog", "Venue"),
    ("catalog", "Author"),
    ("trust", "TrustSnapshot"),
    ("ingest", "ImportRun"),
    ("auth", "User"),  # with them: addresses, claims, follows, invitations, messages, blocks
)
COUNTED_TOO = ("social",)


@dataclass
class SocialLedger:
    started: Any
    top: dict[str, int]
    sessions: set[str]
    counts: dict[str, int]
    authors: dict[int, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def open(cls, author_ids: list[int]) -> SocialLedger:
        from django.apps import apps
        from django.contrib.sessions.models import Session
        from django.db.models import Max
        from django.forms.models import model_to_dict
        from django.utils import timezone

        from bzpeer.catalog.models import Author

        top = {
            f"{app}.{name}": apps.get_model(app, name)._default_manager.aggregate(m=Max("pk"))["m"]
            or 0
            for app, name in MADE
        }
        return cls(
            started=timezone.now(),
            top=top,
            sessions=set(Session.objects.values_list("session_key", flat=True)),
            counts=counts(),
            authors={a.pk: model_to_dict(a) for a in Author.objects.filter(pk__in=author_ids)},
        )

    def close(self) -> list[str]:
        from django.apps import apps
        from django.contrib.sessions.models import Session
        from django.forms.models import model_to_dict
        from django_tasks_db.models import DBTaskResult

        from bzpeer.catalog.models import Author

        for app, name in MADE:
            model = apps.get_model(app, name)
            model._default_manager.filter(pk__gt=self.top[f"{app}.{name}"]).delete()
        Session.objects.exclude(session_key__in=self.sessions).delete()
        DBTaskResult.objects.filter(enqueued_at__gte=self.started).delete()
        for pk, fields in self.authors.items():
            Author.objects.filter(pk=pk).update(**{k: v for k, v in fields.items() if k != "id"})
        differs = [
            f"{table}: {self.counts[table]} rows before, {n} after"
            for table, n in counts().items()
            if n != self.counts.get(table)
        ]
        for pk, fields in self.authors.items():
            now = model_to_dict(Author.objects.get(pk=pk))
            differs += [f"A{pk}.{k}: {v!r} -> {now[k]!r}" for k, v in fields.items() if now[k] != v]
        return differs


def counts() -> dict[str, int]:
    from django.apps import apps

    found = table_counts()
    for label in COUNTED_TOO:
        for model in apps.get_app_config(label).get_models():
            found[model._meta.db_table] = model._default_manager.count()
    return found


@dataclass
class Cast:
    base: str
    browser: Any
    a: Any = None  # accounts
    b: Any = None
    c: Any = None
    b_record: Any = None
    contexts: list[Any] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base.rstrip("/") + path

    def as_(self, user: Any, sessions: dict[int, str]) -> Any:
        """A browser of its own, signed in as ``user``; nothing leaves the machine."""
        context = self.browser.new_context(viewport={"width": 1024, "height": 900})
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        host = urlsplit(self.base).netloc

        def route(route: Any) -> None:
            url = urlsplit(route.request.url)
            if url.scheme in ("http", "https", "ws", "wss") and url.netloc != host:
                route.abort()
            else:
                route.continue_()

        context.route("**/*", route)
        context.add_cookies([{"name": "sessionid", "value": sessions[user.pk], "url": self.base}])
        return context.new_page()


@pytest.fixture
def cast(browser, live_server, django_db_setup, django_db_blocker, settings, tmp_path):
    """Three accounts with verified addresses: A holds nothing; B holds the
    record of the reference researcher's most frequent co-author, C the
    reference researcher's; both records open to collaborate. Mail goes to a
    folder, as the site's default backend sends it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    from django.core.cache import cache

    cache.clear()

    def setup() -> tuple[Cast, SocialLedger, dict[int, str]]:
        from allauth.account.models import EmailAddress
        from django.contrib.auth.models import User
        from django.test import Client

        from bzpeer.catalog.models import Author
        from bzpeer.claims.models import Claim
        from bzpeer.social.fit import coauthor_counts

        chen = Author.objects.get(slug=SLUG)
        partner_id = coauthor_counts([chen.pk])[0][1]
        ledger = SocialLedger.open([chen.pk, partner_id])
        made = Cast(live_server.url, browser)
        sessions = {}
        for name in ("a", "b", "c"):
            user = User.objects.create_user(f"e2e-{name}", f"e2e-{name}@example.org", "x" * 12)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            client = Client()
            client.force_login(user)
            sessions[user.pk] = client.cookies["sessionid"].value
            setattr(made, name, user)
        for user, pk in ((made.b, partner_id), (made.c, chen.pk)):
            Claim.objects.create(author_id=pk, user=user, status="verified", level="L3")
        Author.objects.filter(pk__in=[chen.pk, partner_id]).update(open_to_collaborate=True)
        made.b_record = Author.objects.get(pk=partner_id)
        return made, ledger, sessions

    made, ledger, sessions = in_database(django_db_blocker, setup)
    made.sessions = sessions  # type: ignore[attr-defined]
    try:
        yield made
    finally:
        for context in made.contexts:
            context.close()
        differs = in_database(django_db_blocker, ledger.close)
        assert not differs, "the journey left the database changed:\n  " + "\n  ".join(differs)


def follower_count(page: Any) -> int:
    return int(page.locator("section.counts b.followers-count").inner_text())


def import_a_new_work(write_dir) -> None:
    from django.core.management import call_command

    from bzpeer.ingest.pipeline import run_import

    path = write_dir / "new.bib"
    path.write_text(
        f"@article{{inbox2026,\n  title = {{{TITLE}}},\n"
        "  author = {Chen, Tianlong and Quillfeather, Ottoline},\n  year = {2026},\n"
        "  journal = {Journal of Delivered Tickets}\n}\n",
        encoding="utf-8",
    )
    run_import("bibtex", [str(path)], {"owner": "Tianlong Chen"}, show_progress=False)
    # the worker, on the queue the import's alert task went to
    call_command("db_worker", batch=True, no_reload=True, queue_name="alerts", verbosity=0)


def test_follow_feed_alert_invite_talk_block(cast, django_db_blocker, tmp_path):
    sessions = cast.sessions  # type: ignore[attr-defined]
    # -- A follows the researcher, no reload -------------------------------------
    a = cast.as_(cast.a, sessions)
    a.goto(cast.url(f"/researchers/{SLUG}"))
    before = follower_count(a)
    a.evaluate("window.stillHere = 'yes'")
    button = a.locator("section.actions form.follow button")
    assert button.inner_text().startswith("Follow researcher")
    button.click()
    a.locator("section.actions form.follow button.following").wait_for()
    assert a.evaluate("window.stillHere") == "yes"  # the page was not reloaded
    assert a.locator("section.actions .follow-count").inner_text() == str(before + 1)
    # opt in to alerts, as soon as works are imported
    a.goto(cast.url("/alerts"))
    a.get_by_label("As soon as they are imported").check()
    a.get_by_role("button", name="Save").click()
    assert "Saved." in a.locator("main").inner_text()

    # -- an import adds a work of his: the feed and the alert --------------------
    in_database(django_db_blocker, lambda: import_a_new_work(tmp_path))
    a.goto(cast.url("/feed"))
    first = a.locator("section.feed .work").first
    assert TITLE in first.inner_text()
    alerts = in_database(django_db_blocker, lambda: mail_to(cast.a.email))
    assert len(alerts) == 1 and TITLE in alerts[0] and "/alerts/unsubscribe/" in alerts[0]

    # -- B invites C; the conflict of interest shows ------------------------------
    b = cast.as_(cast.b, sessions)
    b.goto(cast.url(f"/researchers/{SLUG}"))
    b.get_by_role("link", name="Invite to a conversation").click()
    b.wait_for_url(re.compile(rf"/researchers/{SLUG}/invite$"))
    coi = b.locator("section.coi")
    assert int(coi.get_attribute("data-conflicts") or 0) >= 1
    b.get_by_label("Message").fill("Shall we write the follow-up together?")
    b.get_by_label("Why you fit").fill("We share the sparse-training line of work.")
    b.get_by_role("button", name="Send the invitation").click()
    b.wait_for_url(re.compile(r"/invitations/\d+$"))
    assert int(b.locator("section.coi").get_attribute("data-conflicts") or 0) >= 1

    # -- C sees it, with the same check, and accepts -----------------------------
    c = cast.as_(cast.c, sessions)
    c.goto(cast.url("/inbox"))
    assert c.locator("header .inbox .unread").inner_text() == "1"
    c.get_by_role("link", name=re.compile("^From ")).click()
    c.wait_for_url(re.compile(r"/invitations/\d+$"))
    assert "Shall we write the follow-up together?" in c.locator("main").inner_text()
    assert int(c.locator("section.coi").get_attribute("data-conflicts") or 0) >= 1
    c.get_by_role("button", name="Accept").click()
    c.wait_for_url(re.compile(r"/conversations/\d+$"))
    talk = urlsplit(c.url).path

    # -- they exchange messages ---------------------------------------------------
    c.get_by_label("Message").fill("Gladly. <script>alert(1)</script>")
    c.get_by_role("button", name="Send").click()
    c.wait_for_url(re.compile(r"/conversations/\d+$"))
    b.goto(cast.url(talk))
    assert "Gladly. <script>alert(1)</script>" in b.locator("ol.thread").inner_text()
    b.get_by_label("Message").fill("Great, a draft is coming.")
    b.get_by_role("button", name="Send").click()
    c.goto(cast.url(talk))
    assert "Great, a draft is coming." in c.locator("ol.thread").inner_text()
    assert c.locator("ol.thread li.message").count() == 2

    # -- C blocks B: B can no longer write -----------------------------------------
    c.get_by_role("button", name="Block").click()
    c.locator("button", has_text="Unblock").wait_for()
    b.goto(cast.url(talk))
    assert "blocked you" in b.locator("p.cannot-write").inner_text()
    assert b.locator("form.message-form").count() == 0
    token = next(k["value"] for k in b.context.cookies() if k["name"] == "csrftoken")
    tried = b.request.post(
        cast.url(talk),
        form={"body": "Are you there?", "csrfmiddlewaretoken": token},
        headers={"Referer": cast.url(talk)},
    )
    assert tried.status == 403
    c.goto(cast.url(talk))
    assert "Are you there?" not in c.locator("ol.thread").inner_text()
