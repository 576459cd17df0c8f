"""Title matching keys: an exact key and words for fuzzy comparison."""

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


# Remarks sources add to one copy of a title and not the other: "(Tutorial)",
# "(panel session)", "(Experience Paper)", "- Book Review", "Tutorial: ...".
_REMARKS = re.compile(
    r"\([^()]*\)|\s[-:]\s*(?:book review|tutorial|panel)\b.*$|^(?:tutorial|panel)\s*:\s*",
    re.IGNORECASE,
)


def _may_have_remark(text: str) -> bool:
    """Whether ``_REMARKS`` could match: each of its alternatives needs one of
    these signs (three ``in`` tests, a fifth of a generator's cost)."""
    return "(" in text or ":" in text or "-" in text


_WORDS = re.compile(r"[a-z0-9]+")


def title_words(title: str) -> str:
    """A title for fuzzy comparison: remarks dropped, ASCII lower-case words."""
    text = title.lower()
    if _may_have_remark(text):
        text = _REMARKS.sub(" ", text)
    if not text.isascii():
        text = unidecode(text)
    return " ".join(_WORDS.findall(text))


def title_forms(title: str) -> tuple[str, str]:
    """``(title_key(title), title_words(title))``: a title without a remark to
    drop has the same words in both, found once (most titles; every record
    imported needs both)."""
    text = title.lower()
    if _may_have_remark(text):
        kept = _REMARKS.sub(" ", text)
        if kept != text:
            if not kept.isascii():
                kept = unidecode(kept)
            return title_key(title), " ".join(_WORDS.findall(kept))
    if not text.isascii():
        text = unidecode(text)
    words = _WORDS.findall(text)
    return "".join(words)[:255], " ".join(words)


END = 16  # letters in a title head or tail


def title_ends(words: str) -> tuple[str, str]:
    """The first and last ``END`` letters of ``title_words`` (spaces dropped):
    the blocking keys under which work matching looks for other versions."""
    letters = words.replace(" ", "")
    return letters[:END], letters[-END:]
