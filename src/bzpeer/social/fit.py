"""Researchers who might work with a researcher, each with its reason in
words. The rule (docs/social.md):

    score = topic overlap x network distance x open to collaborate

- topic overlap: the share of the researcher's top topics (up to
  ``TOPICS``) the candidate also has works in; candidates come from those
  topics' most active researchers, so every suggestion shares at least one;
- network distance over co-authorship: 2 steps (a co-author's co-author)
  1.0, not connected within 2 steps 0.6, a co-author who is not a close
  collaborator yet 0.5; close collaborators (``CLOSE_MIN_SHARED`` shared
  works or more) are never suggested: they already work together;
- open to collaborate 1.0, otherwise 0.4.

Merged-away and taken-down records are never suggested."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bzpeer.catalog.collaboration import CLOSE_MIN_SHARED
from bzpeer.catalog.models import Author
from bzpeer.claims.suppression import suppressed_ids
from bzpeer.graph.reads import author_topics, authors, coauthor_counts, topic_researchers

TOPICS = 10
PER_TOPIC = 60  # most active researchers read per topic
VIA_LIMIT = 200  # co-authors whose own co-authors are read
DISTANCE = {1: 0.5, 2: 1.0, 0: 0.6}
OPEN, CLOSED = 1.0, 0.4


@dataclass
class Suggestion:
    author: Author
    score: float
    shared_topics: list[str]
    steps: int  # 1, 2, or 0 when not connected within two steps
    via: str  # the co-author two steps go through
    shared_works: int  # with a co-author (steps == 1)

    @property
    def reason(self) -> str:
        n = len(self.shared_topics)
        named = ", ".join(self.shared_topics[:3])
        parts = [f"{n} shared topic{'s' if n != 1 else ''} ({named})"]
        if self.steps == 2:
            parts.append(f"2 steps apart via {self.via}")
        elif self.steps == 1:
            works = self.shared_works
            parts.append(f"{works} shared work{'s' if works != 1 else ''}, not yet close")
        else:
            parts.append("not connected through co-authors yet")
        if self.author.open_to_collaborate:
            parts.append("open to collaborate")
        return "; ".join(parts)


def suggestions(author: Author, limit: int = 5) -> list[Suggestion]:
    topics = author_topics(author.pk, TOPICS)
    if not topics:
        return []
    names = {tid: name for tid, name, _ in topics}
    direct = {co: n for _, co, n in coauthor_counts([author.pk])}
    via: dict[int, tuple[int, int]] = {}  # person two steps away -> (co-author, works)
    nearest = sorted(direct, key=lambda c: (-direct[c], c))[:VIA_LIMIT]
    for co, other, n in coauthor_counts(nearest):
        far = other != author.pk and other not in direct
        if far and (other not in via or n > via[other][1]):
            via[other] = (co, n)
    shared: dict[int, set[int]] = defaultdict(set)
    for tid in names:
        for candidate, _ in topic_researchers(tid, PER_TOPIC):
            shared[candidate].add(tid)
    shared.pop(author.pk, None)
    for pk, n in direct.items():
        if n >= CLOSE_MIN_SHARED:
            shared.pop(pk, None)
    hidden = set(suppressed_ids())
    records = Author.objects.in_bulk([pk for pk in shared if pk not in hidden])
    vias = authors(co for co, _ in via.values())
    found = []
    for pk, tids in shared.items():
        record = records.get(pk)
        if record is None or record.merged_into_id is not None:
            continue
        through = vias.get(via[pk][0]) if pk in via else None
        steps = 1 if pk in direct else 2 if through else 0
        score = (
            len(tids)
            / len(names)
            * DISTANCE[steps]
            * (OPEN if record.open_to_collaborate else CLOSED)
        )
        found.append(
            Suggestion(
                author=record,
                score=round(score, 4),
                shared_topics=sorted((names[t] for t in tids), key=str.lower),
                steps=steps,
                via=through.display_name if through else "",
                shared_works=direct.get(pk, 0),
            )
        )
    found.sort(key=lambda s: (-s.score, -s.author.works_count, s.author.pk))
    return found[:limit]
