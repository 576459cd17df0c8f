"""Who is told when new works have settled into the catalog.

An import ends with resolution (``ingest.resolution``), and what follows from
new works lives above the catalog: alerts to the people who follow their
authors (``social``). The import cannot import those packages; they register
a listener here when their app is ready, and the import calls ``settled``.
"""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[[], None]] = []


def listen(listener: Callable[[], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def settled() -> None:
    """New works and their authors are in the catalog: tell the listeners."""
    for listener in _listeners:
        listener()
