"""Title matching keys."""

from __future__ import annotations

import re

from unidecode import unidecode

_KEY_NOISE = re.compile(r"[^a-z0-9]+")


def title_key(title: str) -> str:
    """Matching key for titles: ASCII letters and digits only, lower case."""
    text = title.lower()
    if not text.isascii():
        text = unidecode(text)
    return _KEY_NOISE.sub("", text)[:255]
