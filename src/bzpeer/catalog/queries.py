"""Read queries the pages and the API share. Views stay thin."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, QuerySet
from django.db.models.expressions import RawSQL

from bzpeer.catalog import revision
from bzpeer.catalog.bulk import select_in
from bzpeer.catalog.collaboration import Edge, edges
from bzpeer.catalog.followers import follower_count
from bzpeer.catalog.models import (
    Affiliation,
    Author,
    AuthorshipMention,
    Institution,
    Topic,
    Work,
    WorkIdentifier,
    WorkTopic,
)
from bzpeer.catalog.untrusted import without_emails


@dataclass(frozen=True)
class AuthorLink:
    name: str
    slug: str | None
    author_id: int | None
    position: int | None
    role: str = "author"  # "editor": an edited volume's editor

    @property
    def url(self) -> str | None:
        return f"/researchers/{self.slug}" if self.slug else None


@dataclass(frozen=True)
class Collaborator:
    id: int
    display_name: str
    slug: str
    shared_works: int
    strength: float = 0.0
    close: bool = False


@dataclass
class AuthorOverview:
    author: Author
    affiliation: str
    affiliation_source: str
    works_by_year: list[tuple[int, int]]
    topics: list[tuple[int, str, int]]
    collaborators: list[Collaborator]
    followers: int
    coauthors: int = 0  # every co-author record
    close_collaborators: int = 0  # of them, close (``catalog.collaboration``)
    top_venues: list[str] = field(default_factory=list)
    facets: dict[tuple[int | None, str], int] = field(default_factory=dict)
    affiliations: list[Affiliation] = field(default_factory=list)

    def count(self, year: int | None = None, work_type: str | None = None) -> int:
        """Works matching a year and/or type filter, from the facet counts."""
        return sum(
            n
            for (y, t), n in self.facets.items()
            if (year is None or y == year) and (work_type is None or t == work_type)
        )

    @property
    def types(self) -> list[str]:
        return sorted({t for _, t in self.facets})

    @property
    def description_parts(self) -> list[tuple[str, bool]]:
        """A one-line description derived from the record, never typed in, as
        (text, from a record) pieces: a page isolates each record's piece."""
        a = self.author
        years = [y for y, _ in self.works_by_year]
        parts: list[tuple[str, bool]] = [
            (a.display_name, True),
            (f" has {a.works_count} work{'s' if a.works_count != 1 else ''}", False),
        ]
        if years:
            span = f"{years[0]}" if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
            parts.append((f" ({span})", False))

        def listed(lead: str, names: list[str]) -> None:
            parts.append((lead, False))
            for i, name in enumerate(names):
                parts.extend([(", ", False)] if i else [])
                parts.append((name, True))

        if self.topics:
            listed(" on ", [name for _, name, _ in self.topics[:3]])
        if self.top_venues:
            listed(" published at ", self.top_venues[:3])
        parts.append((".", False))
        return parts

    @property
    def description(self) -> str:
        return "".join(text for text, _ in self.description_parts)


def author_works(author: Author) -> QuerySet[Work]:
    return Work.objects.filter(
        id__in=AuthorshipMention.objects.filter(author=author).values("work_id")
    )


def raw_rows(sql: str, params: Sequence[int | str]) -> list[tuple[Any, ...]]:
    """Rows of a raw query (``%s`` placeholders); lists of ids go through
    ``bulk.select_in``. The profile page's queries are written out: the ORM
    took ten times the database's time to build each (0.3 ms against 0.03 for
    the follower count), and the page runs a dozen."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _work_facets(author: Author) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(year, type, venue, works) rows and the ten largest topics' (id, name,
    works) rows of the author's works."""
    mention, work = AuthorshipMention._meta.db_table, Work._meta.db_table
    works_of = f'SELECT work_id FROM "{mention}" WHERE author_id = %s'
    facets = raw_rows(
        f'SELECT year, type, venue_name, COUNT(*) FROM "{work}" WHERE id IN ({works_of}) '
        "GROUP BY year, type, venue_name",
        [author.pk],
    )
    # By name: an arXiv category and an OpenAlex subfield can share one
    # ("Computer Vision and Pattern Recognition"), shown once for both's works.
    topics = raw_rows(
        "SELECT MIN(wt.topic_id), t.name, COUNT(DISTINCT wt.work_id) AS n "
        f'FROM "{WorkTopic._meta.db_table}" wt JOIN "{Topic._meta.db_table}" t '
        f"ON t.id = wt.topic_id WHERE wt.work_id IN ({works_of}) "
        "GROUP BY t.name ORDER BY n DESC, t.name ASC LIMIT 10",
        [author.pk],
    )
    return facets, topics


@dataclass(frozen=True)
class _Summary:
    """What a profile derives from every one of the author's works."""

    facets: dict[tuple[int | None, str], int]  # (year, type) -> works
    top_venues: list[str]  # the three with most works, arXiv aside
    topics: list[tuple[Any, ...]]  # (topic id, name, works), the ten largest
    strongest: list[Edge]  # the co-authors shown
    coauthors: int
    close: int
    history: list[Affiliation]  # ``affiliation_history``
    affiliation: tuple[str, str]  # ``current_affiliation``


def _summary(author: Author) -> _Summary:
    rows, topics = _work_facets(author)
    facets: Counter[tuple[int | None, str]] = Counter()
    venue_counts: Counter[str] = Counter()
    for year, work_type, venue, n in rows:
        facets[(year, work_type)] += n
        if venue and venue != "arXiv":
            venue_counts[venue] += n
    venues = sorted(venue_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    links = coauthor_edges(author)
    close = sum(1 for e in links if e.close)
    history = affiliation_history(author)
    return _Summary(
        dict(facets),
        [name for name, _ in venues],
        topics,
        links[:12],
        len(links),
        close,
        history,
        current_affiliation(author, history),
    )


def author_overview(author: Author) -> AuthorOverview:
    # What the page derives from every one of the author's works, in one
    # cache entry for the busiest records (``catalog.revision``).
    summary = revision.remember(
        f"summary:{author.pk}", lambda: _summary(author), works=author.works_count
    )
    by_year: Counter[int] = Counter()
    for (year, _), n in summary.facets.items():
        if year is not None:
            by_year[year] += n
    shown = summary.strongest
    people = {
        pk: (name, slug)
        for pk, name, slug in select_in(
            f'SELECT id, display_name, slug FROM "{Author._meta.db_table}" WHERE id IN ({{in}})',
            [e.other for e in shown],
        )
    }
    collaborators = [
        Collaborator(e.other, *people[e.other], e.shared_works, e.strength, e.close)
        for e in shown
        if e.other in people
    ]
    affiliation, origin = summary.affiliation
    followers = follower_count(author.pk)
    return AuthorOverview(
        author=author,
        affiliation=affiliation,
        affiliation_source=origin,
        works_by_year=sorted(by_year.items()),
        topics=[(pk, name, n) for pk, name, n in summary.topics],
        collaborators=collaborators,
        coauthors=summary.coauthors,
        close_collaborators=summary.close,
        followers=followers,
        top_venues=summary.top_venues,
        facets=summary.facets,
        affiliations=summary.history,
    )


def coauthor_edges(author: Author) -> list[Edge]:
    """The author's co-author edges, strongest first (``catalog.collaboration``).

    One query: the profile page renders in a few milliseconds, and the ORM's
    query building for three would cost more than the database does."""
    mention = AuthorshipMention._meta.db_table
    work = Work._meta.db_table
    per_work: dict[int, set[int]] = defaultdict(set)
    years: dict[int, int | None] = {}
    for work_id, author_id, year in raw_rows(
        f'SELECT DISTINCT o.work_id, o.author_id, w.year FROM "{mention}" m '
        f'JOIN "{mention}" o ON o.work_id = m.work_id '
        f'JOIN "{work}" w ON w.id = m.work_id '
        "WHERE m.author_id = %s AND o.author_id IS NOT NULL",
        [author.pk],
    ):
        per_work[work_id].add(author_id)
        years[work_id] = year
    return edges(author.pk, ((years[w], ids) for w, ids in per_work.items()))


def affiliation_history(author: Author) -> list[Affiliation]:
    """Affiliations, current first: open-ended ones, then by the year they ended."""
    return list(
        Affiliation.objects.filter(author=author)
        .select_related("institution")
        .order_by(
            F("end_year").desc(nulls_first=True),
            F("start_year").desc(nulls_last=True),
            "-works_count",
            "id",
        )
    )


def current_affiliation(
    author: Author, history: list[Affiliation] | None = None
) -> tuple[str, str]:
    """(affiliation, where it comes from); ('', '') when no source gives one."""
    history = affiliation_history(author) if history is None else history
    if history:
        latest = history[0]
        since = f" since {latest.start_year}" if latest.start_year and not latest.end_year else ""
        until = f" until {latest.end_year}" if latest.end_year else ""
        return latest.institution.name, f"institution record{since}{until}"
    mention = (
        AuthorshipMention.objects.filter(author=author)
        .exclude(raw_affiliation="")
        .order_by("-work__year", "-id")
        .values_list("raw_affiliation", "work__year", "version__source")
        .first()
    )
    if mention:
        where = f"as stated on a {mention[1] or 'dated'} paper ({mention[2]})"
        return without_emails(mention[0]), where
    return "", ""


def current_institutions(author: Author) -> list[Institution]:
    """The institutions of the record's current affiliations: the open-ended
    ones, else those that ended last (claims by institutional address and the
    conflict-of-interest check both read them)."""
    rows = list(
        Affiliation.objects.filter(author=author)
        .select_related("institution")
        .order_by("institution_id")
    )
    current = [a for a in rows if a.end_year is None]
    if not current:
        last = max((a.end_year for a in rows if a.end_year is not None), default=None)
        current = [a for a in rows if a.end_year == last and last is not None]
    return [a.institution for a in current]


def filter_works(works: QuerySet[Work], year: int | None, work_type: str | None) -> QuerySet[Work]:
    if year:
        works = works.filter(year=year)
    if work_type:
        works = works.filter(type=work_type)
    return works


def author_lists(work_ids: list[int]) -> dict[int, list[AuthorLink]]:
    """Ordered author list per work, from its version with the fullest list."""
    rows = select_in(
        "SELECT m.work_id, m.version_id, m.position, m.raw_name, m.author_id, a.slug, "
        f'a.display_name, m.id, m.role FROM "{AuthorshipMention._meta.db_table}" m '
        f'LEFT JOIN "{Author._meta.db_table}" a ON a.id = m.author_id '
        "WHERE m.work_id IN ({in})",
        work_ids,
    )
    per_version: dict[int, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        per_version[row[0]][row[1]].append(row)
    out: dict[int, list[AuthorLink]] = {}
    for work_id, versions in per_version.items():
        best = max(versions.values(), key=lambda v: (len(v), -min(r[7] for r in v)))
        best.sort(key=lambda r: (r[2] if r[2] is not None else 1 << 30, r[7]))
        out[work_id] = [AuthorLink(r[6] or r[3], r[5], r[4], r[2], r[8]) for r in best]
    return out


@dataclass(frozen=True)
class ReferenceSummary:
    cites: int  # references the work's versions list
    cited_in_catalog: list[Work]  # those that are works here too (first 20)
    cited_by: int  # works here whose references name this work


def references(work: Work) -> ReferenceSummary:
    """What the work cites and what cites it: joins from the work's own few
    rows through the (scheme, value) indexes, three queries whatever the work.
    (A correlated ``EXISTS`` over every identifier of the catalog took 0.6 s
    a page at 1M works.)"""
    from bzpeer.catalog.models import WorkReference

    ref, ident = WorkReference._meta.db_table, WorkIdentifier._meta.db_table
    cited = RawSQL(
        f'SELECT i.work_id FROM "{ref}" r JOIN "{ident}" i '
        "ON i.scheme = r.scheme AND i.value = r.value WHERE r.work_id = %s",
        [work.pk],
    )
    (cited_by,) = raw_rows(
        f'SELECT COUNT(DISTINCT r.work_id) FROM "{ident}" i JOIN "{ref}" r '
        "ON r.scheme = i.scheme AND r.value = i.value WHERE i.work_id = %s",
        [work.pk],
    )[0]
    return ReferenceSummary(
        cites=WorkReference.objects.filter(work=work).count(),
        cited_in_catalog=list(Work.objects.filter(id__in=cited).order_by("-year")[:20]),
        cited_by=cited_by,
    )


def row_id(text: str) -> int | None:
    """A row id written in ASCII digits that fits the database's integers, else None
    (``int()`` also reads "²" and "٣", and an id past 2**63 fails in the database)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)


def find_work(identifier: str) -> Work | None:
    """A work by our id (``W12`` or ``12``) or ``doi:``/``arxiv:``/``openalex:`` prefix."""
    from bzpeer.catalog.identifiers import parse_arxiv, parse_doi, parse_openalex

    value = identifier.strip()
    scheme, sep, rest = value.partition(":")
    if sep and scheme.lower() in {"doi", "arxiv", "openalex", "pmid"}:
        parsers: dict[str, Callable[[str], str | None]] = {
            "doi": parse_doi,
            "arxiv": parse_arxiv,
            "openalex": parse_openalex,
        }
        parser = parsers.get(scheme.lower())
        normal = parser(rest) if parser else rest
        if not normal:
            return None
        ident = WorkIdentifier.objects.filter(scheme=scheme.lower(), value=normal).first()
        return ident.work if ident else None
    if value.upper().startswith("W"):
        value = value[1:]
    pk = row_id(value)
    return Work.objects.filter(pk=pk).first() if pk is not None else None


def find_author(identifier: str) -> Author | None:
    """An author by our id (``A12``), slug, ``orcid:`` or ``openalex:`` id."""
    from bzpeer.catalog.identifiers import parse_openalex, parse_orcid

    value = identifier.strip()
    scheme, sep, rest = value.partition(":")
    if sep and scheme.lower() == "orcid":
        orcid = parse_orcid(rest)
        return Author.objects.filter(orcid=orcid).first() if orcid else None
    if sep and scheme.lower() == "openalex":
        oa = parse_openalex(rest, "A")
        return Author.objects.filter(openalex_id=oa).first() if oa else None
    pk = row_id(value[1:] if value[:1].upper() == "A" else value)
    if pk is not None:
        return Author.objects.filter(pk=pk).first()
    if len(value) > 255 or "\x00" in value:
        return None
    return Author.objects.filter(slug=value).first()


@dataclass(frozen=True)
class TopicPage:
    topic: Topic
    ancestors: list[Topic]
    children: list[tuple[Topic, int]]
    works_count: int
    researchers: list[tuple[Author, int]]
    recent: list[Work]


# Ancestors a topic page shows; the taxonomies here are at most four levels deep.
MAX_ANCESTORS = 6
_ANCESTOR_CHAIN = "__".join(["parent"] * (MAX_ANCESTORS - 1))


def topic_ancestors(topic: Topic) -> list[Topic]:
    """The topic's ancestors, root first. One query at most, none when the
    caller loaded them: the first ancestor not yet loaded comes with the rest
    of the chain through ``select_related``."""
    ancestors: list[Topic] = []
    node = topic
    while node.parent_id is not None and len(ancestors) < MAX_ANCESTORS:
        if not Topic.parent.is_cached(node):
            node.parent = Topic.objects.select_related(_ANCESTOR_CHAIN).get(pk=node.parent_id)
        assert node.parent is not None
        node = node.parent
        ancestors.insert(0, node)
    return ancestors


def topic_researchers(topic: Topic, limit: int) -> list[tuple[int, int]]:
    """(author id, works in the topic) of the topic's researchers, most works
    first, merged-away records left out.

    The ORM's form joined the mentions to the author table to leave merged
    records out, and SQLite made the author table its outer loop: it walked
    all 24,500 records and probed the (author, work) index once per work of
    the topic, 27 million probes and 2.2 s for the 1,098 works of
    astro-ph.GA. Here nothing is joined: the mentions are found through the
    topic's works (WorkTopic's topic index, then the mentions' (work,
    version) index) and counted per author, and merged-away records, a
    handful, are left out by a ``NOT IN`` on their short list. No join order
    is left for a planner to get wrong, including PostgreSQL's before it has
    statistics (right after an import)."""
    mention, work_topic = AuthorshipMention._meta.db_table, WorkTopic._meta.db_table
    rows = raw_rows(
        f'SELECT m.author_id, COUNT(DISTINCT m.work_id) AS n FROM "{mention}" m '
        f'WHERE m.work_id IN (SELECT work_id FROM "{work_topic}" WHERE topic_id = %s) '
        "AND m.author_id IS NOT NULL AND m.author_id NOT IN "
        f'(SELECT id FROM "{Author._meta.db_table}" WHERE merged_into_id IS NOT NULL) '
        "GROUP BY m.author_id ORDER BY n DESC, m.author_id ASC LIMIT %s",
        [topic.pk, limit],
    )
    return [(author_id, n) for author_id, n in rows]


def topic_page(topic: Topic, people: int = 20, works: int = 20) -> TopicPage:
    """A topic with its place in the taxonomy, its researchers (most works in
    the topic first) and its most recent works: six queries at most, whatever
    the topic's size (tests/test_query_counts.py)."""
    member = WorkTopic.objects.filter(topic=topic)
    researchers = topic_researchers(topic, people)
    authors = Author.objects.in_bulk([author_id for author_id, _ in researchers])
    children = list(
        Topic.objects.filter(parent=topic)
        .annotate(n=Count("worktopic"))
        .order_by("-n", "name")[:30]
    )
    return TopicPage(
        topic=topic,
        ancestors=topic_ancestors(topic),
        children=[(c, c.n) for c in children],  # type: ignore[attr-defined]
        works_count=member.count(),
        researchers=[(authors[pk], n) for pk, n in researchers if pk in authors],
        recent=list(
            Work.objects.filter(id__in=member.values("work_id"))
            .select_related("venue")
            .order_by(F("year").desc(nulls_last=True), "-id")[:works]
        ),
    )
