from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _restore_indexes(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Indexes a killed bulk import left dropped are built again by ``migrate``."""
    from bzpeer.catalog.bulk import restore_indexes

    if using == "default":
        restore_indexes()


class IngestConfig(AppConfig):
    name = "bzpeer.ingest"

    def ready(self) -> None:
        post_migrate.connect(_restore_indexes, sender=self)
