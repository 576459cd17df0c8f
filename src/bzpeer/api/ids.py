"""Every form of id OpenAlex accepts, to the record of ours it names.

- ours, short or as our URL: ``W12``, ``12``, ``http://<host>/W12``,
  ``http://<host>/api/v1/works/W12``;
- an OpenAlex id of a record we hold (through the ids we keep):
  ``https://openalex.org/W2741809807``, ``openalex:W2741809807``;
- an external id: ``doi:`` and ``https://doi.org/...`` and bare ``10.`` DOIs,
  ``arxiv:``, ``pmid:`` (works); ``orcid:`` and ``https://orcid.org/...``, a
  profile's slug (authors); ``ror:`` and ``https://ror.org/...``
  (institutions); ``issn:`` (sources).

``id_q`` turns a value into a ``Q`` on the entity's model without a query,
so a list of ids (``ids.openalex:W1|W2``) and an id inside another filter
(``authorships.author.id:...``) cost nothing until the list runs."""

from __future__ import annotations

import re

from django.db.models import Q

from bzpeer.catalog.identifiers import parse_arxiv, parse_doi, parse_orcid, parse_ror
from bzpeer.catalog.models import WorkIdentifier
from bzpeer.catalog.queries import row_id
from bzpeer.search.queries import Entity

LETTER: dict[Entity, str] = {
    "works": "W",
    "authors": "A",
    "institutions": "I",
    "topics": "T",
    "sources": "S",
}
ENTITY_OF_LETTER: dict[str, Entity] = {v: k for k, v in LETTER.items()}
NOTHING = Q(pk__in=[])
_OPENALEX = re.compile(r"^([WAISTwaist])(\d{1,18})$")
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")


def _openalex_q(entity: Entity, oa: str) -> Q:
    if entity == "works":
        return Q(pk__in=WorkIdentifier.objects.filter(scheme="openalex", value=oa).values("work"))
    if entity == "topics":
        return Q(scheme="openalex", external_id=f"openalex:{oa}")
    return Q(openalex_id=oa)


def _openalex_id(entity: Entity, text: str) -> str | None:
    match = _OPENALEX.match(text.rsplit("/", 1)[-1])
    if not match or match.group(1).upper() != LETTER[entity]:
        return None
    return f"{LETTER[entity]}{match.group(2)}"


def _ours(entity: Entity, text: str) -> int | None:
    """Our own id: ``W12``, ``12`` or a URL of this site ending in one."""
    last = text.rstrip("/").rsplit("/", 1)[-1]
    if last[:1].upper() == LETTER[entity]:
        last = last[1:]
    return row_id(last)


def id_q(entity: Entity, text: str) -> Q:
    """The record ``text`` names, as a Q on the entity's model; ``NOTHING``
    when it names none (an unknown id matches no record, as in OpenAlex)."""
    value = text.strip()
    lower = value.lower()
    if "://" in lower:
        host = lower.split("://", 1)[1].split("/", 1)[0]
        if host == "openalex.org" or host.endswith(".openalex.org"):
            oa = _openalex_id(entity, value)
            return _openalex_q(entity, oa) if oa else NOTHING
        if host.endswith("doi.org"):
            return _external_q(entity, "doi", value)
        if host.endswith("orcid.org"):
            return _external_q(entity, "orcid", value)
        if host.endswith("ror.org"):
            return _external_q(entity, "ror", value)
        if host.endswith("arxiv.org"):
            return _external_q(entity, "arxiv", value.rsplit("/abs/", 1)[-1])
        pk = _ours(entity, value)
        return Q(pk=pk) if pk is not None else NOTHING
    scheme, sep, rest = value.partition(":")
    if sep and scheme.lower() in {"doi", "arxiv", "pmid", "orcid", "ror", "issn", "openalex"}:
        if scheme.lower() == "openalex":
            oa = _openalex_id(entity, rest.strip())
            return _openalex_q(entity, oa) if oa else NOTHING
        return _external_q(entity, scheme.lower(), rest.strip())
    if entity == "works" and lower.startswith("10."):
        return _external_q(entity, "doi", value)
    pk = _ours(entity, value)
    if pk is not None:
        return Q(pk=pk)
    if entity == "authors" and _SLUG.match(value):
        return Q(slug=value)
    return NOTHING


def _external_q(entity: Entity, scheme: str, value: str) -> Q:
    if entity == "works" and scheme in {"doi", "arxiv", "pmid"}:
        normal = {"doi": parse_doi, "arxiv": parse_arxiv}.get(scheme, lambda v: v.strip())(value)
        if not normal:
            return NOTHING
        idents = WorkIdentifier.objects.filter(scheme=scheme, value=normal)
        return Q(pk__in=idents.values("work"))
    if entity == "authors" and scheme == "orcid":
        orcid = parse_orcid(value)
        return Q(orcid=orcid) if orcid else NOTHING
    if entity == "institutions" and scheme == "ror":
        ror = parse_ror(value)
        return Q(ror=ror) if ror else NOTHING
    if entity == "sources" and scheme == "issn" and _ISSN.match(value):
        issn = value.upper() if "-" in value else f"{value[:4]}-{value[4:]}".upper()
        return Q(issn_l=issn)
    return NOTHING


def is_malformed(text: str) -> bool:
    """A value no id form reads: too long, control characters."""
    return len(text) > 500 or any(ord(c) < 32 for c in text)
