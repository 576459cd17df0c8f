"""Text clean-up shared by the parsers: whitespace, LaTeX to Unicode, title keys."""

from __future__ import annotations

import re
import unicodedata

from pylatexenc.latex2text import LatexNodes2Text
from unidecode import unidecode

_SPACES = re.compile(r"\s+")
_KEY_NOISE = re.compile(r"[^a-z0-9]+")
_LATEX_HINT = re.compile(r"[\\{}~]")
_converter = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def squash(text: str | None) -> str:
    """Collapse runs of whitespace; None becomes ''."""
    return _SPACES.sub(" ", text or "").strip()


def latex_to_unicode(text: str) -> str:
    """Turn LaTeX accents and braces into Unicode, keeping ``$math$`` as written."""
    text = squash(text)
    if not _LATEX_HINT.search(text):
        return text
    try:
        converted = _converter.latex_to_text(text)
    except Exception:  # pylatexenc raises many kinds on odd input; keep the raw text
        return text
    return unicodedata.normalize("NFC", squash(converted))


def title_key(title: str) -> str:
    """Matching key for titles: ASCII letters and digits only, lower case."""
    return _KEY_NOISE.sub("", unidecode(title).lower())[:255]
