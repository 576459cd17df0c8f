"""Query-string values as the pages read them."""

from __future__ import annotations


def small_int(value: str | None, low: int = 0, high: int = 10**9) -> int | None:
    """A small non-negative number written in ASCII digits within [low, high], else None."""
    if value and value.isascii() and value.isdigit() and len(value) < 10:
        number = int(value)
        return number if low <= number <= high else None
    return None
