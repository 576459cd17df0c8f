"""Who is told when new works have settled into the catalog.

An import ends with resolution (``ingest.resolution``), and what follows from
new works lives above the catalog: alerts to the people who follow their
authors (``social``). The import cannot import those packages; they register
a listener here when their app is ready, and the import calls ``settled``.
Resolution and corrections also say which author records changed
(``authors_changed``): the search index reads them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

_listeners: list[Callable[[], None]] = []
_author_listeners: list[Callable[[Iterable[int]], None]] = []


def listen(listener: Callable[[], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def settled() -> None:
    """New works and their authors are in the catalog: tell the listeners."""
    for listener in _listeners:
        listener()


def listen_authors(listener: Callable[[Iterable[int]], None]) -> None:
    if listener not in _author_listeners:
        _author_listeners.append(listener)


def authors_changed(ids: Iterable[int]) -> None:
    """These author records changed (names, works, merged or split off)."""
    wanted = sorted(set(ids))
    if wanted:
        for listener in _author_listeners:
            listener(wanted)
