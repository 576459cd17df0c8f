"""A follow or a claim changes a record's trust inputs: queue its refresh."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from bzpeer.social.models import Follow

from .models import Claim
from .tasks import schedule_refresh


@receiver([post_save, post_delete], sender=Follow)
@receiver([post_save, post_delete], sender=Claim)
def _inputs_changed(sender: type, instance: Follow | Claim, **kwargs: Any) -> None:
    author_id = instance.author_id
    transaction.on_commit(lambda: schedule_refresh([author_id]))
