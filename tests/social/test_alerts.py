"""E-mail alerts: nothing without opt-in; a new work by a followed
researcher reaches the account once, through the worker after an import; the
unsubscribe link works without signing in (issue 24)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from bzpeer.catalog.models import Work
from bzpeer.ingest.pipeline import run_import
from bzpeer.social import alerts
from bzpeer.social.models import AlertSettings

pytestmark = pytest.mark.django_db

STOP = re.compile(r"https?://\S+/alerts/unsubscribe/\S+")


def new_work_by_chen(write, title: str) -> Work:
    """A BibTeX entry of the reference researcher's, imported and resolved as
    any import is (``bzpeer import bibtex --owner``)."""
    key = re.sub(r"\W", "", title.lower())[:20]
    path = write(
        f"{key}.bib",
        f"@inproceedings{{{key}2026,\n  title = {{{title}}},\n"
        "  author = {Chen, Tianlong and Doe, Jane},\n  year = {2026},\n"
        "  booktitle = {Proceedings of a Test Conference}\n}\n",
    )
    run_import("bibtex", [path], {"owner": "Tianlong Chen"}, show_progress=False)
    work = Work.objects.get(title=title)
    assert work.mentions.filter(author__slug="tianlong-chen").exists()
    return work


def mails_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address in m.to]


def follow_chen(people, client_for, frequency: str | None):
    client = client_for(people.user)
    client.post(f"/follow/author/{people.c_record.pk}", {"action": "follow"})
    if frequency:
        assert client.post("/alerts", {"frequency": frequency}).status_code == 200
    return client


def test_nothing_is_sent_without_opting_in(people, client_for, write):
    follow_chen(people, client_for, None)
    new_work_by_chen(write, "Sparse Alerts Without Consent")
    alerts.deliver()
    assert mails_to(people.user.email) == []
    assert not AlertSettings.objects.exclude(frequency="never").exists()


def test_after_an_import_the_worker_sends_the_alert_once(
    people, client_for, write, django_capture_on_commit_callbacks, monkeypatch
):
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # The worker closes stale connections between tasks; here that would be
    # the test's own transaction (tests/e2e runs the worker as it is).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    DBTaskResult.objects.all().delete()  # the demo load's trust refreshes: not this test's
    follow_chen(people, client_for, "immediately")
    # works already in the catalog are never news
    assert alerts.deliver().sent == 0
    with django_capture_on_commit_callbacks(execute=True):
        work = new_work_by_chen(write, "Lottery Tickets Arrive By Mail")
    # the import queued the alert task; the worker runs it
    queued = DBTaskResult.objects.values_list("task_path", flat=True)
    assert "bzpeer.social.alerts.send_alerts" in set(queued)
    call_command("db_worker", batch=True, no_reload=True, queue_name="*", verbosity=0)
    sent = mails_to(people.user.email)
    assert len(sent) == 1
    body = sent[0].body
    assert "Lottery Tickets Arrive By Mail" in body and f"/works/{work.pk}" in body
    assert sent[0].extra_headers["List-Unsubscribe"].startswith("<http")
    # told once: running again sends nothing
    alerts.deliver()
    call_command("db_worker", batch=True, no_reload=True, queue_name="*", verbosity=0)
    assert len(mails_to(people.user.email)) == 1


def test_the_unsubscribe_link_works_without_signing_in(people, client_for, write, client):
    follow_chen(people, client_for, "immediately")
    new_work_by_chen(write, "Pruning The Mailing List")
    alerts.deliver()
    link = STOP.search(mails_to(people.user.email)[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    answer = client.get("/" + path)  # no session
    assert answer.status_code == 200 and "Unsubscribed" in answer.content.decode()
    assert AlertSettings.objects.get(user=people.user).frequency == "never"
    new_work_by_chen(write, "After Unsubscribing Nothing Comes")
    alerts.deliver()
    assert len(mails_to(people.user.email)) == 1
    # a forged or cut token changes nothing and says so
    assert client.get("/" + path[:-3]).status_code == 400
    assert client.get(f"/alerts/unsubscribe/{alerts.unsubscribe_token(1)}x").status_code == 400


def test_weekly_alerts_wait_seven_days(people, client_for, write):
    follow_chen(people, client_for, "weekly")
    row = AlertSettings.objects.get(user=people.user)
    new_work_by_chen(write, "A Week Of Sparse Training")
    assert alerts.deliver().sent == 0  # turned on just now: a week to wait
    AlertSettings.objects.filter(pk=row.pk).update(last_sent_at=timezone.now() - timedelta(days=8))
    assert alerts.deliver().sent == 1
    new_work_by_chen(write, "Another Week Another Ticket")
    assert alerts.deliver().sent == 0  # sent a moment ago
    later = timezone.now() + timedelta(days=7, minutes=1)
    assert alerts.deliver(later).sent == 1
    assert "Another Week Another Ticket" in mails_to(people.user.email)[-1].body


def test_the_settings_page_validates_and_needs_an_account(people, client_for):
    assert client_for(None).get("/alerts").status_code == 302
    client = client_for(people.user)
    assert client.post("/alerts", {"frequency": "hourly"}).status_code == 400
    assert client.post("/alerts", {"frequency": "weekly", "messages": "on"}).status_code == 200
    row = AlertSettings.objects.get(user=people.user)
    assert (row.frequency, row.message_emails) == ("weekly", True)
