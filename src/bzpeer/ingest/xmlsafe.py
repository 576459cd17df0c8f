"""XML parsing that refuses entity tricks (billion laughs, external entities)."""

from __future__ import annotations

import re

from lxml import etree

from .records import RecordError

_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)


def parse_xml(text: str) -> etree._Element:
    """Parse a document that must not declare entities; errors become RecordError."""
    if _ENTITY_DECL.search(text[:65536]):
        raise RecordError("XML declares entities (possible XML bomb); refused")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise RecordError(f"malformed XML: {exc}") from exc
