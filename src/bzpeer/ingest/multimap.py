"""A compact map from integer keys to ascending lists of integer ids.

The import keeps every new work's title head and tail in memory while it
writes into an empty catalog (``writer._WorkEnds``). As a dict of strings to
ids that cost about 150 bytes an end, 150 MB at a million works; here an end
is a 64-bit hash in an open-addressing table of two ``array('q')`` columns,
16 bytes a slot at most three quarters full, and an end shared by several works keeps
their ids in one ``array('q')`` (8 bytes an id).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Sequence

_EMPTY = 0  # a free slot's key (a key of 0 is stored as 1)
_NONE = -(2**63)  # a slot whose key has no ids left


class IdMultiMap:
    """int key -> ids in ascending order; keys are any Python ints that fit
    in 64 bits (e.g. ``hash(text)``)."""

    def __init__(self, capacity: int = 1 << 10) -> None:
        size = 1
        while size < capacity:
            size <<= 1
        self._keys = array("q", bytes(8 * size))
        self._values = array("q", bytes(8 * size))
        self._used = 0  # slots holding a key
        # Ids of keys with more than one: value -(i + 1) stands for _shared[i].
        self._shared: list[array[int]] = []

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

    def get(self, key: int) -> Sequence[int]:
        key = key or 1
        at = self._slot(key)
        if self._keys[at] == _EMPTY:
            return ()
        value = self._values[at]
        if value >= 0:
            return (value,)
        if value == _NONE:
            return ()
        return self._shared[-value - 1]

    def add(self, key: int, pk: int) -> None:
        """Add ``pk`` (>= 0) under ``key``, keeping the ids in ascending order."""
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
                self._shared.append(array("q", sorted((value, pk))))
                self._values[at] = -len(self._shared)
        else:
            ids = self._shared[-value - 1]
            where = bisect.bisect_left(ids, pk)
            if where == len(ids) or ids[where] != pk:
                ids.insert(where, pk)

    def remove(self, key: int, pk: int) -> bool:
        """Remove ``pk`` from under ``key``; whether it was there."""
        key = key or 1
        at = self._slot(key)
        if self._keys[at] == _EMPTY:
            return False
        value = self._values[at]
        if value >= 0:
            if value != pk:
                return False
            self._values[at] = _NONE  # the key stays: probing walks past it
            return True
        if value == _NONE:
            return False
        ids = self._shared[-value - 1]
        where = bisect.bisect_left(ids, pk)
        if where == len(ids) or ids[where] != pk:
            return False
        del ids[where]
        return True

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
