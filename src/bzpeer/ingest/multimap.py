"""A compact map from integer keys to sets of integer ids, newest first.

The import keeps every new work's title head and tail in memory while it
writes into an empty catalog (``work_ends.WorkEnds``). As a dict of strings to
ids that cost about 150 bytes an end, 150 MB at a million works; here an end
is a 64-bit hash in an open-addressing table of two ``array('q')`` columns,
16 bytes a slot at most three quarters full. An end shared by several works
chains their ids, largest first, through two more arrays (16 bytes an id;
an ``array`` of its own cost about 150 bytes an end: 30 MB at 1M works).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

_EMPTY = 0  # a free slot's key (a key of 0 is stored as 1)
_NONE = -(2**63)  # a slot whose key has no ids left
_END = -1  # the last node of a chain


class IdMultiMap:
    """int key -> ids (>= 0); keys are any ints that fit in 64 bits (e.g.
    ``hash(text)``). A slot's value is its key's one id, or ``-1 - node``
    for the first node of a chain, or ``_NONE``."""

    def __init__(self, capacity: int = 1 << 10) -> None:
        size = 1
        while size < capacity:
            size <<= 1
        self._keys = array("q", bytes(8 * size))
        self._values = array("q", bytes(8 * size))
        self._used = 0  # slots holding a key
        self._ids = array("q")  # a node's id
        self._next = array("q")  # the node after it, or _END
        self._free = _END  # nodes given back, chained through _next

    def __len__(self) -> int:
        return self._used

    def _slot(self, key: int) -> int:
        keys = self._keys
        mask = len(keys) - 1
        at = key & mask
        while True:
            found = keys[at]
            if found in (key, _EMPTY):
                return at
            at = (at + 1) & mask

    def descending(self, key: int) -> Iterable[int]:
        """The ids under ``key``, largest first."""
        at = self._slot(key or 1)
        value = self._values[at]
        if self._keys[at] == _EMPTY or value == _NONE:
            return ()
        if value >= 0:
            return (value,)
        return self._chain(-1 - value)

    def _chain(self, node: int) -> Iterator[int]:
        ids, after = self._ids, self._next
        while node != _END:
            yield ids[node]
            node = after[node]

    def add(self, key: int, pk: int) -> None:
        """Add ``pk`` (>= 0) under ``key``."""
        key = key or 1
        at = self._slot(key)
        if self._keys[at] == _EMPTY:
            self._keys[at] = key
            self._values[at] = pk
            self._used += 1
            if 4 * self._used > 3 * len(self._keys):
                self._grow()
            return
        value = self._values[at]
        if value == _NONE:
            self._values[at] = pk
        elif value >= 0:
            if value != pk:
                low = self._node(min(value, pk), _END)
                self._values[at] = -1 - self._node(max(value, pk), low)
        else:
            ids, after = self._ids, self._next
            node = -1 - value
            if pk > ids[node]:  # the usual case: a new work has the largest id
                self._values[at] = -1 - self._node(pk, node)
                return
            while ids[node] != pk:
                following = after[node]
                if following == _END or ids[following] < pk:
                    after[node] = self._node(pk, following)
                    return
                node = following

    def remove(self, key: int, pk: int) -> bool:
        """Remove ``pk`` from under ``key``; whether it was there."""
        key = key or 1
        at = self._slot(key)
        value = self._values[at]
        if self._keys[at] == _EMPTY or value == _NONE:
            return False
        if value >= 0:
            if value != pk:
                return False
            self._values[at] = _NONE  # the key stays: probing walks past it
            return True
        ids, after = self._ids, self._next
        before, node = _END, -1 - value
        while node != _END and ids[node] != pk:
            before, node = node, after[node]
        if node == _END:
            return False
        if before == _END:
            first = after[node]
        else:
            after[before] = after[node]
            first = -1 - value
        self._release(node)
        if after[first] == _END:  # one id left: held in the slot again
            self._values[at] = ids[first]
            self._release(first)
        else:
            self._values[at] = -1 - first
        return True

    def _node(self, pk: int, following: int) -> int:
        node = self._free
        if node == _END:
            self._ids.append(pk)
            self._next.append(following)
            return len(self._ids) - 1
        self._free = self._next[node]
        self._ids[node], self._next[node] = pk, following
        return node

    def _release(self, node: int) -> None:
        self._next[node] = self._free
        self._free = node

    def _grow(self) -> None:
        keys, values = self._keys, self._values
        size = 2 * len(keys)
        self._keys = array("q", bytes(8 * size))
        self._values = array("q", bytes(8 * size))
        for key, value in zip(keys, values, strict=True):
            if key != _EMPTY:
                at = self._slot(key)
                self._keys[at] = key
                self._values[at] = value
