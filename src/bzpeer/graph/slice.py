"""Graph slices: the neighbourhood of a focus (a researcher, a work, a topic
or an institution) as nodes and edges, built from the resolved catalog.

Rules (docs/architecture.md, "The research graph"):

- Node ids are the API's: ``A12`` (author record), ``W5`` (work), ``T3``
  (topic), ``I7`` (institution). Every node carries a type, a label, a weight
  (what ranks it) and the URL of its page.
- Edge kinds: ``wrote`` (author -> work), ``co-authored`` (author -- author,
  strength: ``catalog.collaboration``'s, recency- and exclusivity-weighted),
  ``cites`` (work -> work, both in the catalog), ``about`` (author or work ->
  topic; topic -> its broader topic), ``affiliated`` (author -> institution).
- Around a researcher: co-authors by collaboration strength; their works
  ranked by in-catalog citations, then recency; the works those cite or are
  cited by; topics by the share of works; institutions by works there. Depth
  2 adds the co-authors' own strongest co-authors.
- Caps: ``limit`` nodes in all (``SLICE_LIMIT`` on a profile, at most
  ``MAX_LIMIT``), shared out by type (``SHARES``); a type that has fewer
  candidates leaves its room to the others, in ``SHARES`` order.
- Every node is reachable from the focus: a node enters only with an edge to
  a node already in. Records merged into another, and the ids the caller
  excludes (records taken down), never enter.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bzpeer.catalog import revision
from bzpeer.catalog.collaboration import MAX_AUTHORS
from bzpeer.catalog.models import Author, Institution, Topic, Work
from bzpeer.catalog.queries import coauthor_edges, row_id

from . import reads

NODE_TYPES = ("author", "work", "topic", "institution")
EDGE_KINDS = ("wrote", "co-authored", "cites", "about", "affiliated")
PREFIX = {"author": "A", "work": "W", "topic": "T", "institution": "I"}
SLICE_LIMIT = 60
MAX_LIMIT = 2000
MAX_DEPTH = 2
# How the room is shared out, by type, in the order leftover room is handed on.
SHARES = {"author": 0.4, "work": 0.35, "topic": 0.15, "institution": 0.1}
# How many first-degree co-authors bring their own co-authors at depth 2.
SECOND_DEGREE_FROM = 15


class FocusError(ValueError):
    """A focus that names nothing: the message says why."""


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    type: str
    label: str
    weight: float
    url: str
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str
    strength: float


@dataclass
class Slice:
    focus: Node
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False

    def as_json(self) -> dict[str, object]:
        counts = {t: 0 for t in NODE_TYPES}
        for node in self.nodes:
            counts[node.type] += 1
        return {
            "focus": self.focus.id,
            "nodes": [
                {
                    "id": n.id,
                    "type": n.type,
                    "label": n.label,
                    "weight": n.weight,
                    "url": n.url,
                    "year": n.year,
                }
                for n in self.nodes
            ],
            "edges": [
                {"source": e.source, "target": e.target, "kind": e.kind, "strength": e.strength}
                for e in self.edges
            ],
            "meta": {"count": len(self.nodes), "by_type": counts, "truncated": self.truncated},
        }


def node_id(kind: str, pk: int) -> str:
    return f"{PREFIX[kind]}{pk}"


def parse_focus(text: str) -> tuple[str, int]:
    """``author:A418``, ``work:W1``, ``topic:T3``, ``institution:I5`` (the
    prefix letter optional), or a bare ``A418``."""
    text = text.strip()
    kind, sep, rest = text.partition(":")
    if not sep:
        kind = next((k for k, p in PREFIX.items() if text[:1].upper() == p), "")
        rest = text
    kind = kind.lower()
    if kind not in PREFIX:
        raise FocusError("focus must be author:A1, work:W1, topic:T1 or institution:I1")
    pk = row_id(rest[1:] if rest[:1].upper() == PREFIX[kind] else rest)
    if pk is None:
        raise FocusError(f"{text!r} is not an id: write {kind}:{PREFIX[kind]}1")
    return kind, pk


class _Builder:
    """Adds nodes by type within their room, each with an edge from a node already in."""

    def __init__(self, focus: Node, limit: int, types: Iterable[str]) -> None:
        self.focus = focus
        self.nodes: dict[str, Node] = {focus.id: focus}
        self.edges: dict[tuple[str, str, str], Edge] = {}
        self.types = set(types) | {focus.type}
        self.limit = limit
        self.truncated = False
        self.candidates: dict[str, list[tuple[Node, Edge]]] = {t: [] for t in NODE_TYPES}

    def offer(self, node: Node, edge: Edge) -> None:
        """A candidate, in rank order within its type."""
        if node.type in self.types:
            self.candidates[node.type].append((node, edge))

    def link(self, edge: Edge) -> None:
        """An edge between two nodes already in (ignored otherwise)."""
        if edge.source in self.nodes and edge.target in self.nodes and edge.source != edge.target:
            key = (edge.source, edge.target, edge.kind)
            if key not in self.edges:
                self.edges[key] = edge

    def settle(self) -> None:
        """Admit the offered candidates by their shares of the room left."""
        room = self.limit - len(self.nodes)
        wanted = {t: _unique(c, self.nodes) for t, c in self.candidates.items()}
        self.candidates = {t: [] for t in NODE_TYPES}
        live = [t for t in SHARES if t in self.types and wanted[t]]
        total = sum(SHARES[t] for t in live) or 1.0
        # each type its share, at most what it has; the room left over goes
        # to the types that have more, in SHARES order
        quota = {t: min(len(wanted[t]), int(room * SHARES[t] / total)) for t in live}
        spare = room - sum(quota.values())
        for t in live:
            give = min(len(wanted[t]) - quota[t], spare)
            quota[t] += give
            spare -= give
        for t in live:
            if len(wanted[t]) > quota[t]:
                self.truncated = True
            for node, edge in wanted[t][: quota[t]]:
                if edge.source in self.nodes or edge.target in self.nodes:
                    self.nodes[node.id] = node
                    self.link(edge)

    def result(self) -> Slice:
        nodes = [self.focus] + [n for n in self.nodes.values() if n.id != self.focus.id]
        return Slice(self.focus, nodes, list(self.edges.values()), self.truncated)


def _unique(offered: list[tuple[Node, Edge]], present: dict[str, Node]) -> list[tuple[Node, Edge]]:
    seen = set(present)
    out = []
    for node, edge in offered:
        if node.id not in seen:
            seen.add(node.id)
            out.append((node, edge))
    return out


def author_node(author: Author | reads.Person) -> Node:
    return Node(
        node_id("author", author.pk),
        "author",
        author.display_name[:200],
        float(author.works_count),
        f"/researchers/{author.slug}",
    )


def work_node(pk: int, title: str, year: int | None, weight: float) -> Node:
    return Node(node_id("work", pk), "work", title[:300], weight, f"/works/{pk}", year)


def topic_node(pk: int, name: str, weight: float) -> Node:
    return Node(node_id("topic", pk), "topic", name[:200], weight, f"/topics/{pk}")


def institution_node(institution: Institution, weight: float) -> Node:
    return Node(
        node_id("institution", institution.pk),
        "institution",
        institution.name[:200],
        weight,
        f"/institutions/{institution.pk}",
    )


def build(
    kind: str,
    pk: int,
    *,
    limit: int = SLICE_LIMIT,
    depth: int = 1,
    types: Sequence[str] = NODE_TYPES,
    exclude: Iterable[int] = (),
) -> Slice:
    """The slice around a focus; FocusError when it names nothing shown."""
    limit = max(1, min(limit, MAX_LIMIT))
    depth = max(1, min(depth, MAX_DEPTH))
    hidden = set(exclude)
    if kind == "author":
        author = Author.objects.filter(pk=pk, merged_into=None).first()
        if author is None or author.pk in hidden:
            raise FocusError(f"no author record A{pk}")
        # Kept under the catalog's revision whatever the record's size: a
        # slice ranks its co-authors' shared works too, and a record of five
        # works beside a co-author of thousands costs as much as the latter's.
        hidden_key = hashlib.sha1(",".join(map(str, sorted(hidden))).encode()).hexdigest()[:12]
        return revision.remember(
            f"slice:{pk}:{limit}:{depth}:{','.join(types)}:{hidden_key}",
            lambda: _around_author(author, limit, depth, types, hidden),
        )
    if kind == "work":
        work = Work.objects.filter(pk=pk).first()
        if work is None:
            raise FocusError(f"no work W{pk}")
        return _around_work(work, limit, depth, types, hidden)
    if kind == "topic":
        topic = Topic.objects.filter(pk=pk).first()
        if topic is None:
            raise FocusError(f"no topic T{pk}")
        return _around_topic(topic, limit, types, hidden)
    institution = Institution.objects.filter(pk=pk).first()
    if institution is None:
        raise FocusError(f"no institution I{pk}")
    return _around_institution(institution, limit, types, hidden)


def _around_author(
    author: Author, limit: int, depth: int, types: Sequence[str], hidden: set[int]
) -> Slice:
    me = author_node(author)
    b = _Builder(me, limit, types)
    links = [e for e in coauthor_edges(author) if e.other not in hidden]
    people = reads.authors([e.other for e in links[:limit]])
    for e in links:
        if e.other in people:
            other = people[e.other]
            b.offer(
                author_node(other),
                Edge(me.id, node_id("author", other.pk), "co-authored", e.strength),
            )
    works = reads.key_works(author.pk, limit)
    for pk, title, year, cited in works:
        b.offer(
            work_node(pk, title, year, 1.0 + cited), Edge(me.id, node_id("work", pk), "wrote", 1.0)
        )
    total = max(1, author.works_count)
    for pk, name, n in reads.author_topics(author.pk, 50):
        b.offer(
            topic_node(pk, name, n), Edge(me.id, node_id("topic", pk), "about", round(n / total, 4))
        )
    for institution, n in reads.author_institutions(author.pk):
        b.offer(
            institution_node(institution, n),
            Edge(me.id, node_id("institution", institution.pk), "affiliated", float(n)),
        )
    b.settle()
    _second_round(b, depth, hidden)
    return b.result()


def _second_round(b: _Builder, depth: int, hidden: set[int]) -> None:
    """Links among what is in (co-authors' shared works and collaborations,
    citations between works), and with room left: works cited by or citing
    them, and at depth 2 the co-authors' own co-authors."""
    people = [int(n.id[1:]) for n in b.nodes.values() if n.type == "author"]
    works = [int(n.id[1:]) for n in b.nodes.values() if n.type == "work"]
    written = reads.authorships(people)
    for a, other, shared in shared_works(written):
        b.link(Edge(node_id("author", a), node_id("author", other), "co-authored", float(shared)))
    shown = set(works)
    for author_id, work_id in written:
        if work_id in shown:
            b.link(Edge(node_id("author", author_id), node_id("work", work_id), "wrote", 1.0))
    cites = reads.citations(works, b.limit)
    if len(b.nodes) < b.limit:
        found = reads.work_rows({w for pair in cites for w in pair} - set(works))
        for citing, cited in cites:
            for inside, outside in ((citing, cited), (cited, citing)):
                if inside in works and outside in found:
                    title, year = found[outside]
                    b.offer(
                        work_node(outside, title, year, 1.0),
                        Edge(node_id("work", citing), node_id("work", cited), "cites", 1.0),
                    )
        if depth > 1:
            first = [p for p in people if node_id("author", p) != b.focus.id][:SECOND_DEGREE_FROM]
            pairs = [(a, o, n) for a, o, n in reads.coauthor_counts(first) if o not in hidden]
            named = reads.authors({o for _, o, _ in pairs})
            for a, other, shared in sorted(pairs, key=lambda p: (-p[2], p[1])):
                if other in named:
                    b.offer(
                        author_node(named[other]),
                        Edge(
                            node_id("author", a),
                            node_id("author", other),
                            "co-authored",
                            float(shared),
                        ),
                    )
        b.settle()
    for citing, cited in cites:
        b.link(Edge(node_id("work", citing), node_id("work", cited), "cites", 1.0))


def shared_works(written: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(person, other, works shared) for each pair of people who wrote a work
    together, from their (author, work) rows; works with more than
    ``MAX_AUTHORS`` of them make no pairs, as in ``catalog.collaboration``."""
    by_work: dict[int, set[int]] = {}
    for author_id, work_id in written:
        by_work.setdefault(work_id, set()).add(author_id)
    counts: Counter[tuple[int, int]] = Counter()
    for members in by_work.values():
        if 1 < len(members) <= MAX_AUTHORS:
            ordered = sorted(members)
            for i, a in enumerate(ordered):
                for other in ordered[i + 1 :]:
                    counts[(a, other)] += 1
    return [(a, o, n) for (a, o), n in counts.items()]


def _around_work(
    work: Work, limit: int, depth: int, types: Sequence[str], hidden: set[int]
) -> Slice:
    me = work_node(work.pk, work.title, work.year, 1.0)
    b = _Builder(me, limit, types)
    authors = reads.work_authors(work.pk)
    for author in authors:
        if author.pk not in hidden:
            b.offer(author_node(author), Edge(node_id("author", author.pk), me.id, "wrote", 1.0))
    cites = reads.citations([work.pk], limit)
    found = reads.work_rows({w for pair in cites for w in pair} - {work.pk})
    for citing, cited in cites:
        other = cited if citing == work.pk else citing
        if other in found:
            title, year = found[other]
            b.offer(
                work_node(other, title, year, 1.0),
                Edge(node_id("work", citing), node_id("work", cited), "cites", 1.0),
            )
    for pk, name, score in reads.work_topics(work.pk):
        b.offer(topic_node(pk, name, score), Edge(me.id, node_id("topic", pk), "about", score))
    b.settle()
    _second_round(b, depth, hidden)
    return b.result()


def _around_topic(topic: Topic, limit: int, types: Sequence[str], hidden: set[int]) -> Slice:
    me = topic_node(topic.pk, topic.name, 1.0)
    b = _Builder(me, limit, types)
    if topic.parent_id is not None:
        parent = Topic.objects.filter(pk=topic.parent_id).first()
        if parent is not None:
            b.offer(
                topic_node(parent.pk, parent.name, 1.0),
                Edge(me.id, node_id("topic", parent.pk), "about", 1.0),
            )
    for child, n in reads.topic_children(topic.pk, limit):
        b.offer(
            topic_node(child.pk, child.name, n),
            Edge(node_id("topic", child.pk), me.id, "about", 1.0),
        )
    researchers = [(a, n) for a, n in reads.topic_researchers(topic.pk, limit) if a not in hidden]
    named = reads.authors([a for a, _ in researchers])
    for author_id, n in researchers:
        if author_id in named:
            b.offer(
                author_node(named[author_id]),
                Edge(node_id("author", author_id), me.id, "about", float(n)),
            )
    for pk, title, year in reads.topic_works(topic.pk, limit):
        b.offer(work_node(pk, title, year, 1.0), Edge(node_id("work", pk), me.id, "about", 1.0))
    b.settle()
    _second_round(b, 1, hidden)
    return b.result()


def _around_institution(
    institution: Institution, limit: int, types: Sequence[str], hidden: set[int]
) -> Slice:
    me = institution_node(institution, 1.0)
    b = _Builder(me, limit, types)
    for author, n in reads.institution_authors(institution.pk, limit):
        if author.pk not in hidden:
            b.offer(
                author_node(author),
                Edge(node_id("author", author.pk), me.id, "affiliated", float(n)),
            )
    b.settle()
    _second_round(b, 1, hidden)
    return b.result()
