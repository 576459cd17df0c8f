"""E-mail alerts of new works by what an account follows: opt-in only
(immediately or weekly), each with a link that unsubscribes without a login.

``deliver`` is idempotent: each account's ``seen_work_id`` says which works
it was already told about, so running it twice, or after every import, sends
nothing twice. The worker runs it (``send_alerts``) after every import that
resolved authors, and ``bzpeer alerts`` runs it on demand (from cron, for the
weekly ones when nothing is imported)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django_tasks import task

from bzpeer.catalog.models import Work
from bzpeer.claims.notices import address
from bzpeer.claims.services import account_id

from .feed import new_works
from .models import AlertSettings

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)
MOST = 50  # works listed in one alert
SALT = "bzpeer.social.alerts.unsubscribe"
QUEUE = "alerts"  # its own queue (settings.TASKS): `bzpeer worker` runs both


def settings_of(user: AbstractBaseUser | AnonymousUser) -> AlertSettings:
    """The account's settings, or the defaults (never) when it chose none;
    reading them writes nothing."""
    uid = account_id(user)
    return AlertSettings.objects.filter(user_id=uid).first() or AlertSettings(user_id=uid)


def set_alerts(
    user: AbstractBaseUser | AnonymousUser, frequency: str, message_emails: bool
) -> AlertSettings:
    """The account's choice. Turning alerts on starts from now: works already
    in the catalog are never sent as new."""
    if frequency not in AlertSettings.Frequency.values:
        raise ValueError(f"unknown alert frequency {frequency!r}")
    with transaction.atomic():
        row, _ = AlertSettings.objects.select_for_update().get_or_create(user_id=user.pk)
        if row.frequency == AlertSettings.Frequency.NEVER and frequency != row.frequency:
            row.seen_work_id = _newest_work()
            row.last_sent_at = timezone.now()
        row.frequency = frequency
        row.message_emails = message_emails
        row.save()
    return row


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=SALT, compress=True)


def unsubscribe(token: str) -> int | None:
    """Stop every e-mail to the account the token names; its id, or None
    when the token is not one of ours."""
    try:
        user_id = int(signing.loads(token, salt=SALT))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    AlertSettings.objects.filter(user_id=user_id).update(
        frequency=AlertSettings.Frequency.NEVER, message_emails=False
    )
    return user_id


def unsubscribe_url(user_id: int) -> str:
    return f"{settings.BZPEER_SITE_URL}/alerts/unsubscribe/{unsubscribe_token(user_id)}"


def _newest_work() -> int:
    return int(Work.objects.aggregate(n=Max("id"))["n"] or 0)


@dataclass
class Delivered:
    sent: int = 0
    works: int = 0


def deliver(now: datetime | None = None) -> Delivered:
    """Send every alert that is due: "immediately" accounts whenever works
    they follow were imported since the last alert, "weekly" ones at most
    once in seven days."""
    now = now or timezone.now()
    upto = _newest_work()
    due = AlertSettings.objects.filter(
        Q(frequency=AlertSettings.Frequency.IMMEDIATELY)
        | Q(frequency=AlertSettings.Frequency.WEEKLY)
        & (Q(last_sent_at=None) | Q(last_sent_at__lte=now - WEEK)),
        seen_work_id__lt=upto,
    ).order_by("id")
    done = Delivered()
    for row in list(due):
        works = new_works(row.user_id, row.seen_work_id, upto, MOST + 1)
        sent = bool(works) and _send(row, works[:MOST], more=len(works) > MOST)
        if works and not sent:
            continue  # no verified address, or the mail server failed: next time
        change: dict[str, object] = {"seen_work_id": upto}
        if sent:
            change["last_sent_at"] = now
            done.sent += 1
            done.works += min(len(works), MOST)
        AlertSettings.objects.filter(pk=row.pk).update(**change)
    return done


def _send(row: AlertSettings, works: list[Work], more: bool) -> bool:
    site = settings.BZPEER_SITE_URL
    lines = [
        f"{len(works)}{'+' if more else ''} new work{'s' if len(works) != 1 else ''} "
        "by what you follow on BZPEER:",
        "",
    ]
    for work in works:
        title = " ".join(work.title.split())[:300]
        lines += [f"- {title} ({work.year or 'undated'})", f"  {site}/works/{work.pk}"]
    lines += ["", f"Your feed: {site}/feed", f"Alert settings: {site}/alerts"]
    return mail(row.user_id, "New works by what you follow", lines)


def mail(user_id: int, subject: str, lines: list[str]) -> bool:
    """Send ``lines`` to the account's verified address with the link that
    stops every e-mail without signing in (also as ``List-Unsubscribe``);
    False when it has no address or the mail server failed (logged)."""
    to = address(user_id)
    if not to:
        return False
    stop = unsubscribe_url(user_id)
    body = "\n".join([*lines, "", f"Stop these e-mails (no sign-in needed): {stop}"])
    message = EmailMessage(
        subject, body + "\n\n-- BZPEER\n", to=[to], headers={"List-Unsubscribe": f"<{stop}>"}
    )
    try:
        message.send()
    except OSError:
        log.exception("could not send %r to account %s", subject, user_id)
        return False
    return True


@task(queue_name=QUEUE)
def send_alerts() -> int:
    """The worker's side of ``deliver``: how many alerts went out."""
    return deliver().sent


def queue_alerts() -> None:
    """Queue ``send_alerts`` once the current transaction commits (an import's
    resolution calls this through ``catalog.news``)."""
    if AlertSettings.objects.exclude(frequency=AlertSettings.Frequency.NEVER).exists():
        transaction.on_commit(send_alerts.enqueue)
