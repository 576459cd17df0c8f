"""Scholarly identifiers, normalised in one place.

Every parser returns the canonical string form or ``None``; nothing else in the
project strips prefixes or checks checksums.

- DOI: lower-cased ``10.xxxx/suffix`` without resolver prefix.
- arXiv: ``2106.10404`` (new style) or ``math-ph/0509001`` (old style), with the
  version suffix removed (see :func:`arxiv_version`).
- ORCID: ``0000-0002-1825-0097`` after an ISO 7064 MOD 11-2 check.
- ROR: the nine-character id, e.g. ``04aj4sh46``.
- OpenAlex: an upper-case kind letter and digits, e.g. ``W2741809807``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_DOI_RE = re.compile(r"(10\.\d{4,9}/\S+)", re.IGNORECASE)
_DOI_PREFIXES = re.compile(
    r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|https?://doi\.org/|info:doi/)", re.IGNORECASE
)
_ARXIV_NEW = re.compile(r"^(\d{4})\.(\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?)/(\d{7})(v\d+)?$", re.IGNORECASE)
_ARXIV_PREFIX = re.compile(
    r"^(?:arxiv:\s*|https?://(?:export\.)?arxiv\.org/(?:abs|pdf)/|oai:arxiv\.org:)",
    re.IGNORECASE,
)
_ORCID_RE = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")
_ROR_RE = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}\d{2}$")
_OPENALEX_RE = re.compile(r"^([WAISPTFC])(\d+)$", re.IGNORECASE)


def parse_doi(text: str | None) -> str | None:
    """Return the DOI in ``text`` as ``10.prefix/suffix`` (lower case) or None."""
    if not text:
        return None
    value = unquote(text.strip())
    # The prefix most records state is one _DOI_PREFIXES removes: sliced off, no regex.
    https = value.startswith("https://doi.org/")
    value = value[16:] if https else _DOI_PREFIXES.sub("", value)
    match = _DOI_RE.match(value)
    if not match:
        return None
    doi = match.group(1).rstrip(".,;/")
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1].rstrip(".,;/")
    if "/" not in doi or doi.endswith("/"):
        return None
    return doi.lower()


def parse_arxiv(text: str | None) -> str | None:
    """Return the version-less arXiv id in ``text`` or None."""
    if not text:
        return None
    value = _ARXIV_PREFIX.sub("", text.strip())
    value = value.removesuffix(".pdf")
    new = _ARXIV_NEW.match(value)
    if new:
        month = int(new.group(1)[2:])
        if not 1 <= month <= 12:
            return None
        # Five-digit numbers start in 1501; four-digit ones end in 1412.
        if len(new.group(2)) == 5 and int(new.group(1)) < 1501:
            return None
        return f"{new.group(1)}.{new.group(2)}"
    old = _ARXIV_OLD.match(value)
    if old:
        month = int(old.group(2)[2:4])
        if not 1 <= month <= 12:
            return None
        return f"{old.group(1).lower()}/{old.group(2)}"
    return None


def arxiv_version(text: str) -> int | None:
    """The version number in an arXiv id such as ``2106.10404v3``, else None."""
    match = re.search(r"v(\d+)$", text.strip())
    return int(match.group(1)) if match else None


def orcid_checksum_ok(digits: str) -> bool:
    """ISO 7064 MOD 11-2 over the 15 digits, compared with the 16th character.

    The standard's loop doubles a running total after each digit, so digit i
    counts 2**(15 - i) times. Modulo 11, 13 is 2: the digits read as a base-13
    number give the same sum without a Python loop (int() is C)."""
    if not digits[:15].isdecimal():  # base 13 would also read A-C
        return False
    total = 2 * int(digits[:15], 13)
    remainder = (12 - total % 11) % 11
    expected = "X" if remainder == 10 else str(remainder)
    return digits[15] == expected


def parse_orcid(text: str | None) -> str | None:
    """Return ``0000-0000-0000-000X`` when ``text`` is a valid ORCID iD, else None."""
    if not text:
        return None
    if len(text) == 37 and text.startswith("https://orcid.org/"):
        # The form records state: what the general path below finds, without its regex.
        value = text[18:].upper()
        digits = value[:4] + value[5:9] + value[10:14] + value[15:]
        if (
            value[4] == value[9] == value[14] == "-"
            and digits.isascii()
            and digits[:15].isdecimal()
            and (digits[15].isdecimal() or digits[15] == "X")
        ):
            return value if orcid_checksum_ok(digits) else None
    value = text.strip()
    lowered = value.lower()
    for prefix in ("https://orcid.org/", "http://orcid.org/", "orcid.org/", "orcid:"):
        if lowered.startswith(prefix):
            value = value[len(prefix) :]
            break
    match = _ORCID_RE.match(value.upper())
    if not match:
        return None
    digits = "".join(match.groups())
    if not orcid_checksum_ok(digits):
        return None
    return "-".join(match.groups())


def parse_ror(text: str | None) -> str | None:
    """Return the bare nine-character ROR id or None."""
    if not text:
        return None
    value = text.strip().lower()
    for prefix in ("https://ror.org/", "http://ror.org/", "ror.org/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value if _ROR_RE.match(value) else None


def parse_openalex(text: str | None, kind: str | None = None) -> str | None:
    """Return an OpenAlex id such as ``W2741809807``; ``kind`` restricts the letter."""
    if not text:
        return None
    if text.startswith("https://openalex.org/"):
        # The form every OpenAlex record uses: no regex (a work names four or five).
        letter, digits = text[21:22], text[22:]
        if letter and letter in "WAISPTFC" and digits.isdecimal():
            return f"{letter}{digits}" if not kind or letter == kind else None
    # The last path segment: "https://openalex.org/W1", ".../works/W1" and "W1" alike.
    match = _OPENALEX_RE.match(text.strip().rsplit("/", 1)[-1])
    if not match:
        return None
    letter = match.group(1).upper()
    if kind and letter != kind:
        return None
    return f"{letter}{match.group(2)}"
