"""What a Dask worker loads before any task: Django's settings and apps.

Kept apart from the tasks' module, which imports the parsers and the
resolver (their models need the apps loaded): unpickling this plugin in a
worker imports only this module."""

from __future__ import annotations

import os
from typing import Any

from distributed import WorkerPlugin


class DjangoSetup(WorkerPlugin):  # type: ignore[misc]
    """Settings and apps loaded once in each worker (no database is opened)."""

    def setup(self, worker: Any) -> None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
        import django

        django.setup()
