"""Labelled author mentions (a gold set's records) and the mention records
resolution clusters them as, by name block: what training and the
evaluations feed the resolver."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bzpeer.catalog.names import parse_name_cached
from bzpeer.resolve.mentions import MentionRecord, full_key


@dataclass(frozen=True, slots=True)
class Signature:
    """One author mention of a gold set; ``label`` is the gold person (None: unlabelled)."""

    id: str
    name: str
    coauthors: tuple[str, ...]
    label: str | None
    publication: str  # groups the signatures of one work
    title: str = ""
    venue: str = ""
    year: int | None = None
    affiliation: str = ""
    orcid: str = ""




def signature_mention(index: int, work_id: int, sig: Signature) -> MentionRecord:
    """``sig`` as resolution sees an authorship: ``index`` is its id, ``work_id`` its work's."""
    name = parse_name_cached(sig.name)
    coauthors = [n for n in map(parse_name_cached, sig.coauthors) if n.surname]
    return MentionRecord(
        id=index,
        work_id=work_id,
        raw_name=sig.name,
        orcid=sig.orcid,
        person_key="",
        author_id=None,
        name=name,
        coauthors={full_key(c) for c in coauthors} - {full_key(name)},
        coauthor_keys={c.block_key for c in coauthors} - {name.block_key},
        title=sig.title,
        venue=sig.venue,
        affiliation=sig.affiliation,
        year=sig.year,
    )


def signature_blocks(records: Sequence[Signature]) -> dict[str, list[MentionRecord]]:
    """The records as mention records by name block; a mention's id is its position."""
    if len({r.id for r in records}) != len(records):
        raise ValueError("signature ids are not unique")
    work_ids: dict[str, int] = {}
    blocks: dict[str, list[MentionRecord]] = defaultdict(list)
    for i, sig in enumerate(records):
        work_id = work_ids.setdefault(sig.publication, len(work_ids))
        mention = signature_mention(i, work_id, sig)
        blocks[mention.name.block_key].append(mention)
    return blocks
