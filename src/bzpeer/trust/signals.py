"""A claim changes a record's trust inputs: queue its refresh.

The one receiver left: the claim workflow (``bzpeer.claims.services``) saves
claims in many places and does not yet say which records it changed. Every
other trust input is refreshed by explicit calls of ``tasks.schedule_refresh``
from the code that changed it (imports and ``bzpeer resolve``, corrections,
``social.services.follow``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Claim
from .tasks import schedule_refresh


@receiver([post_save, post_delete], sender=Claim)
def _claim_changed(sender: type, instance: Claim, **kwargs: Any) -> None:
    author_id = instance.author_id
    transaction.on_commit(lambda: schedule_refresh([author_id]))
