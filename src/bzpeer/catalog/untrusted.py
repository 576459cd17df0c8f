"""Rules for text and links that strangers wrote: every imported record.

One place decides which links may become ``href`` attributes and which text
is an e-mail address that must never be shown or served. The importers call
these before storing a record's fields; the pages and the API call them
again before showing one, so rows stored before a rule existed are covered.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Characters a browser ignores or strips inside a URL's scheme: controls,
# whitespace and the invisible format characters (zero-width space, bidi marks).
_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SAFE_SCHEMES = frozenset({"http", "https"})
# The plain form nearly every link an import stores has: http(s), a host name
# of letters, digits, dots and hyphens, a port, then characters none of which
# is junk, a quote, a bracket or a backslash. ``http_url`` accepts all of them.
_PLAIN_URL = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!#$%&()*+,\-./0-9:;=?@A-Z_a-z|~]*)?"
)


def http_url(text: str | None) -> str:
    """The link when it is an absolute ``http``/``https`` URL with a host, else ''.

    ``javascript:``, ``data:``, ``vbscript:``, relative and scheme-relative
    links, and any spelling of them with mixed case, leading spaces, control
    or invisible characters are refused: the browser would read them as the
    dangerous scheme, so they are never rendered as links."""
    if not text:
        return ""
    if len(text) <= 2000 and _PLAIN_URL.fullmatch(text):
        return text  # what every test below would let through, told at once
    candidate = text.strip()
    if not candidate or _URL_JUNK.search(candidate) or len(candidate) > 2000:
        return ""
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return ""
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.hostname:
        return ""
    if any(c in candidate for c in "<>\"'`\\"):
        return ""
    return candidate


# An address as people write them in affiliations and abstracts, also with
# spaces around the at sign or the usual obfuscations ("name [at] host.org").
_EMAIL = re.compile(
    r"[\w.+%-]+(?:\s?@\s?|\s?[\[(]\s?at\s?[\])]\s?)[\w-]+(?:(?:\.|\s?[\[(]\s?dot\s?[\])]\s?)[\w-]+)+",
    re.IGNORECASE,
)
_EMAIL_LEAD = re.compile(
    r"(?:\(?\b(?:e-?mail|electronic address|correspondence|corresponding author)\b"
    r"\s*[:.]?\s*\)?)\s*$",
    re.IGNORECASE,
)
_DANGLING = re.compile(r"^[\s,;:.)\]]+|[\s,;:.(\[]+$|\(\s*\)|\[\s*\]")


def has_email(text: str | None) -> bool:
    if not text:
        return False
    # The cheap test first, without a lower-case copy (every affiliation an
    # import stores passes here): ``_EMAIL`` needs an "@", or an "at" in
    # brackets ("name(at)host.org", "name [ at ] host.org").
    if "@" not in text and (("(" not in text and "[" not in text) or "at" not in text.lower()):
        return False
    return _EMAIL.search(text) is not None


def without_emails(text: str | None) -> str:
    """The text with every e-mail address taken out, along with an "E-mail:"
    label before it and the punctuation left dangling at the end."""
    if not text:
        return ""
    if not has_email(text):
        return text
    pieces: list[str] = []
    last = 0
    for match in _EMAIL.finditer(text):
        before = text[last : match.start()]
        pieces.append(_EMAIL_LEAD.sub("", before))
        last = match.end()
    pieces.append(text[last:])
    cleaned = " ".join("".join(pieces).split())
    cleaned = re.sub(r"\s+([,;.])", r"\1", cleaned)
    cleaned = re.sub(r"([,;])(?:\s*[,;])+", r"\1", cleaned)
    cleaned = re.sub(r"\s+([,;.])", r"\1", _DANGLING.sub("", cleaned)).strip()
    if cleaned.count("(") < cleaned.count(")"):
        cleaned = cleaned.rstrip(")]").rstrip(" ,;:")
    return cleaned
