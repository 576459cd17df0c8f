"""Text clean-up shared by the parsers: whitespace, LaTeX to Unicode, title keys."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

from bzpeer.catalog.titles import title_key

__all__ = ["latex_to_unicode", "squash", "title_key"]

_LATEX_HINT = re.compile(r"[\\{}~]")
_converter = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def squash(text: str | None) -> str:
    """Collapse runs of whitespace; None becomes ''.

    ``str.split()`` breaks on exactly the characters ``\\s`` matches in a str
    pattern (both ask ``str.isspace``), at a fraction of a regex's cost: the
    parsers call this a dozen times a record."""
    return " ".join(text.split()) if text else ""


# Accent macros -> Unicode combining marks: \'e, \"{o}, {\`a}, \c{c}, \v c ...
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
    "k": "\u0328",
    "r": "\u030a",
}
# An accent macro and its letter: \'e, \'{e}, {\'e}, {\'{e}}, \c c, \v{c}, \'\i.
# Outer braces are taken only with their closing brace, and nothing after the
# letter is consumed: the space in "Jos\'e Luis" separates two words. TeX
# swallows the spaces after a control word (\i), never after a letter.
_ACCENT_RE = re.compile(
    r"(\{)?\\(['`^\"~=.]|[cvuHkr](?=[\s{]))\s*"
    r"(?:\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])\s*|[A-Za-z]))"
    r"(?(1)\s*\})"
)
_LETTERS = {
    "\\ss": "ß",
    "\\o": "ø",
    "\\O": "Ø",
    "\\l": "ł",
    "\\L": "Ł",
    "\\ae": "æ",
    "\\AE": "Æ",
    "\\aa": "å",
    "\\AA": "Å",
    "\\i": "ı",
    "\\&": "&",
}
# A letter macro: \o, {\o}, \o{}; as in TeX, the spaces after a control word
# go with it ("Bj\o rn" is Bjørn), those after the control symbol \& stay.
_LETTER_RE = re.compile(
    r"(\{)?(?:(\\(?:ss|o|O|l|L|ae|AE|aa|AA|i))(?![A-Za-z])(?:\{\}|\s*)|(\\&))(?(1)\s*\})"
)


def _accent(match: re.Match[str]) -> str:
    letter = (match.group(3) or match.group(4)).rstrip()
    base = letter[1] if letter[0] == "\\" else letter  # \i, \j (dotless): accented i, j
    return unicodedata.normalize("NFC", base + _ACCENTS[match.group(2)])


def _letter(match: re.Match[str]) -> str:
    return _LETTERS[match.group(2) or match.group(3)]


_STYLE_RE = re.compile(r"\\(?:textbf|textit|textsc|texttt|emph|url|href\{[^{}]*\})\{([^{}]*)\}")


def latex_accents(text: str) -> str:
    """Accent macros to Unicode and text styling unwrapped (``\\textbf{GraNet}``
    -> ``GraNet``); ``$math$`` and ``z~0.8`` stay as written.

    For titles and abstracts, where a tilde usually means "about".
    """
    text = squash(text)
    if "\\" not in text:
        return text
    text = _STYLE_RE.sub(r"\1", text)
    text = _ACCENT_RE.sub(_accent, text)
    return _LETTER_RE.sub(_letter, text)


@lru_cache(maxsize=65536)
def latex_to_unicode(text: str) -> str:
    """Turn LaTeX accents and braces into Unicode, keeping ``$math$`` as written."""
    text = squash(text)
    if not _LATEX_HINT.search(text):
        return text
    if "$" not in text:
        quick = _ACCENT_RE.sub(_accent, text)
        quick = _LETTER_RE.sub(_letter, quick)
        if not _LATEX_HINT.search(quick):
            return quick
    try:
        converted = _converter.latex_to_text(text)
    except Exception:  # pylatexenc raises many kinds on odd input; keep the raw text
        return text
    return unicodedata.normalize("NFC", squash(converted))
