"""AMiner's per-name XML files (the format of the shipped training names,
``training/aminer``) read into labelled signatures, and the small path, year
and author-list helpers the other gold-set readers share
(``bzpeer.evaluation.goldsets``)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from html.entities import html5
from pathlib import Path

from lxml import etree

from bzpeer.catalog.names import PersonName, names_compatible, parse_name_cached
from bzpeer.resolve.signatures import Signature


class GoldFormatError(ValueError):
    """The path exists but does not hold data of the expected format."""



def parse_year(text: object) -> int | None:
    """The first plausible year (1800-2099) in a field."""
    match = re.search(r"\b(1[89]|20)\d{2}\b", str(text or ""))
    return int(match.group(0)) if match else None



def existing_path(path: str | Path) -> Path:
    """``path`` as a Path; FileNotFoundError when nothing is there."""
    found = Path(path)
    if not found.exists():
        raise FileNotFoundError(f"no such file or folder: {found}")
    return found


def gold_files(path: str | Path, suffix: str) -> list[Path]:
    """The ``*suffix`` files of a folder, or the one file given."""
    root = existing_path(path)
    files = sorted(root.glob(f"*{suffix}")) if root.is_dir() else [root]
    if not files:
        raise GoldFormatError(f"{root}: no {suffix} files")
    return files



def other_names(names: Sequence[str], own: int) -> tuple[str, ...]:
    return tuple(n for i, n in enumerate(names) if i != own and n.strip())


def find_author(names: Sequence[str], person: PersonName) -> int | None:
    """Index of the first name compatible with ``person``, else of the same surname."""
    parsed = [parse_name_cached(n) for n in names]
    for i, name in enumerate(parsed):
        if names_compatible(name, person):
            return i
    return next((i for i, n in enumerate(parsed) if n.surname == person.surname), None)


# -- AMiner ---------------------------------------------------------------------------

_ENTITY = re.compile(r"&(#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)?")
_XML_ENTITIES = {"amp;", "lt;", "gt;", "quot;", "apos;"}


def _entity(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref is None:
        return "&amp;"  # a bare ampersand: "R&D"
    if ref.startswith("#") or ref in _XML_ENTITIES:
        return match.group(0)
    char = html5.get(ref)
    return html.escape(char, quote=False) if char else f"&amp;{ref}"


def _lenient_xml(data: bytes) -> etree._Element:
    """The AMiner files are not well-formed: bare ``&`` and HTML entities."""
    text = _ENTITY.sub(_entity, data.decode("utf-8", errors="replace"))
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    return etree.fromstring(text.encode("utf-8"), parser)


def load_aminer(path: str | Path) -> list[Signature]:
    """A folder of per-name XML files (or one file); gold label = (file, ``<label>``).

    The mention's name is the file's ``<FullName>``; its co-authors are the other
    names in ``<authors>`` (all of them when none is compatible with it).
    """
    return [sig for file in gold_files(path, ".xml") for sig in _aminer_file(file)]


def _aminer_file(file: Path) -> list[Signature]:
    person = _lenient_xml(file.read_bytes())  # None when nothing could be recovered
    full_name = (person.findtext("FullName") or "").strip() if person is not None else ""
    if person is None or person.tag != "person" or not full_name:
        raise GoldFormatError(f"{file}: not an AMiner <person> file with a <FullName>")
    out = []
    for n, pub in enumerate(person.iter("publication")):
        names = [a.strip() for a in (pub.findtext("authors") or "").split(",") if a.strip()]
        own = find_author(names, parse_name_cached(full_name))
        org = (pub.findtext("organization") or "").strip()
        out.append(
            Signature(
                id=f"{file.stem}:{n}",
                name=full_name,
                coauthors=other_names(names, -1 if own is None else own),
                title=(pub.findtext("title") or "").strip(),
                venue=(pub.findtext("jconf") or "").strip(),
                year=parse_year(pub.findtext("year")),
                affiliation="" if org == "null" else org,
                label=f"{file.stem}#{(pub.findtext('label') or '').strip()}",
                publication=f"aminer:{(pub.findtext('id') or '').strip() or f'{file.stem}:{n}'}",
            )
        )
    return out

