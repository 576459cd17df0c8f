"""Search: what a person types, to the records it names.

The interface every caller (pages, API, exports) uses:

- ``matching(entity, text)``: a QuerySet of the records that match,
  annotated with ``relevance`` (higher is better), open to more filters;
- ``find(entity, text, limit)``: the records that match, best first, with how
  many match in all and a "did you mean" suggestion;
- ``autocomplete(entity, text, limit)``: a few records as someone types;
- ``lookup(text)``: a DOI, arXiv id, ORCID, ROR or OpenAlex id to its record.

How text matches (``docs/search.md``): accents and case never matter;
words match whole ("Chen" never finds "Kitchen"); every word must match, in
any order ("Chen, Tianlong"); a one-letter word in a name is an initial
("T. Chen"); a word the index does not hold is mended from the words it does
hold (one typo in a word of up to four letters, two beyond; the first letter
is taken as typed), and the answer says what it understood ("did you mean").
Ranking puts the record whose whole name or title is the text first, then
the engine's relevance (bm25 or ts_rank, titles and names weighing most);
author records are ordered by their works among equally good matches.

Records merged into another are left out; taken-down records are left to
the callers (they sit above ``claims``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bzpeer.catalog.identifiers import (
    parse_arxiv,
    parse_doi,
    parse_openalex,
    parse_orcid,
    parse_ror,
)
from bzpeer.catalog.models import Author, Institution, Topic, Venue, Work, WorkIdentifier
from bzpeer.catalog.titles import title_ends, title_key, title_words

from .backends import Query, backend
from .models import SearchTerm
from .text import name_class, normal, words

Entity = Literal["works", "authors", "institutions", "topics", "sources"]
ENTITIES: tuple[Entity, ...] = ("works", "authors", "institutions", "topics", "sources")

MAX_WORDS = 12  # words of a query beyond these are dropped
POOL = 200  # the best matches the exact-name rule reorders
# Relevance is computed for the newest this many matches of a query that
# matches more (bm25 reads every match's sizes: 6 us each, 160 ms for "model"
# on a million works); a narrower query or a filter reaches the older ones.
RANK_WINDOW = 1000
SUGGEST_WINDOW = 300  # the same, as someone types (a prefix of three letters matches much)
MENDS = 3  # vocabulary words tried for one unknown word


@dataclass(frozen=True)
class Found:
    entity: Entity
    ids: list[int]  # best first, at most the limit asked for
    total: int  # how many records match in all
    suggestion: str | None = None  # "did you mean": the text with its typos mended


@dataclass(frozen=True)
class Suggestion:
    entity: Entity
    id: int
    display_name: str
    hint: str  # what tells two of the same name apart (works count, country, ...)
    works_count: int | None = None
    slug: str = ""  # an author record's, for its profile's address


@dataclass(frozen=True)
class Match:
    qs: QuerySet[Any]  # the matching records (filter them further as you like)
    words: list[str]  # the query's words as matched (typos mended)
    suggestion: str | None  # the mended text, when a word was mended
    query: Query  # the words as the index is asked (``ranked`` orders by it)


MODELS: dict[Entity, type[Model]] = {
    "works": Work,
    "authors": Author,
    "institutions": Institution,
    "topics": Topic,
    "sources": Venue,
}
NAME: dict[Entity, str] = {
    "works": "title",
    "authors": "display_name",
    "institutions": "name",
    "topics": "name",
    "sources": "name",
}
ORDER: dict[Entity, tuple[str, ...]] = {
    "works": ("-relevance", "-id"),
    "authors": ("-works_count", "-relevance", "id"),
    "institutions": ("-relevance", "id"),
    "topics": ("-relevance", "id"),
    "sources": ("-relevance", "id"),
}


def _mends(entity: Entity, word: str) -> list[str]:
    """Words of the vocabulary within a typo or two of ``word``, the most used
    first among the closest; the first letter is taken as typed."""
    most = 1 if len(word) <= 4 else 2
    rows = dict(
        SearchTerm.objects.filter(
            entity=entity, term__gte=word[0], term__lt=chr(ord(word[0]) + 1)
        ).values_list("term", "n")
    )
    near = [t for t in rows if abs(len(t) - len(word)) <= most and t != word]
    found = process.extract(word, near, scorer=OSA.distance, score_cutoff=most, limit=None)
    found.sort(key=lambda f: (f[1], -rows[f[0]], f[0]))
    return [f[0] for f in found[:MENDS]]


def _compile(
    entity: Entity, text: str, prefix_last: bool, mend_all: bool, mend: bool = True
) -> tuple[Query, list[str], str | None]:
    ws = words(text)[:MAX_WORDS]
    if entity != "authors" and any(len(w) > 1 for w in ws):
        # a lone letter in a title query ("a", "s") matches nearly everything
        ws = [w for i, w in enumerate(ws) if len(w) > 1 or (prefix_last and i == len(ws) - 1)]
    if not ws:
        return [], [], None
    known = (
        set(SearchTerm.objects.filter(entity=entity, term__in=ws).values_list("term", flat=True))
        if mend
        else set(ws)  # taken as typed: nothing to mend
    )
    query: Query = []
    understood: list[str] = []
    for i, word in enumerate(ws):
        prefix = (entity == "authors" and len(word) == 1) or (prefix_last and i == len(ws) - 1)
        alternatives: list[str] = []
        if not prefix and len(word) >= 3 and not word.isdigit() and (mend_all or word not in known):
            alternatives = _mends(entity, word)
        query.append([(word, prefix), *((a, False) for a in alternatives)])
        understood.append(alternatives[0] if alternatives else word)
    mended = understood != ws
    return query, understood, " ".join(understood) if mended else None


def matching(
    entity: Entity,
    text: str,
    *,
    prefix_last: bool = False,
    mend_all: bool = False,
    mend: bool = True,
) -> Match:
    """The records of ``entity`` whose text matches: a QuerySet that composes
    with any filter and works inside subqueries (``pk IN`` the index's answer)."""
    model = MODELS[entity]
    query, understood, suggestion = _compile(entity, text, prefix_last, mend_all, mend)
    if not query:
        return Match(model._default_manager.none(), [], None, [])
    sql, params = backend().ids(entity, query)
    qs = model._default_manager.filter(pk__in=RawSQL(sql, params))
    if entity == "authors":
        qs = qs.filter(merged_into=None)
    return Match(qs, understood, suggestion, query)


def ranked(
    entity: Entity,
    match: Match,
    limit: int,
    offset: int = 0,
    qs: QuerySet[Any] | None = None,
    window_size: int = RANK_WINDOW,
) -> list[int]:
    """The ids of ``match`` (or of ``qs``, its QuerySet filtered further) best
    first: the engine's relevance, then within the best ``POOL`` the records
    whose whole name is the text ahead of the rest."""
    if not match.query:
        return []
    wanted = max(limit + offset, POOL)
    # author records are ordered by their works first: no window for them
    since = window(entity, match, window_size) if entity != "authors" else None
    if qs is not None:
        base = qs
    else:  # the join below is the match: no second ``pk IN`` the index's answer
        base = MODELS[entity]._default_manager.all()
        if entity == "authors":
            base = base.filter(merged_into=None)
    table = MODELS[entity]._meta.db_table
    if qs is None and entity != "authors":
        # the index alone orders them; the names of the best are read after
        ids = backend().top(entity, match.query, since, wanted)
        if since is not None and entity == "works":  # a whole title outside the window
            ids = [*_same_title(" ".join(match.words)), *ids]
            ids = list(dict.fromkeys(ids))
        names = dict(
            MODELS[entity]._default_manager.filter(pk__in=ids).values_list("pk", NAME[entity])
        )
        rows = [(pk, names[pk]) for pk in ids if pk in names]
    else:
        rows = _ranked_rows(
            base, backend().extra(entity, table, match.query, since), entity, wanted
        )
        if since is not None and qs is not None and len(rows) < wanted:
            # the filter left too few in the window: rank every match
            rows = _ranked_rows(base, backend().extra(entity, table, match.query), entity, wanted)
    head = sorted(
        enumerate(rows[:POOL]), key=lambda r: (name_class(str(r[1][1]), match.words), r[0])
    )
    ordered = [r[1][0] for r in head] + [r[0] for r in rows[POOL:]]
    return ordered[offset : offset + limit]


def _same_title(text: str) -> list[int]:
    """Works whose title is these words, by the catalog's title index."""
    head, _ = title_ends(title_words(text))
    key = title_key(text)
    return list(
        Work.objects.filter(title_head=head, title_key=key).values_list("pk", flat=True)[:5]
    )


def _ranked_rows(
    base: QuerySet[Any], extra: dict[str, Any], entity: Entity, wanted: int
) -> list[tuple[int, str]]:
    return list(
        base.extra(**extra).order_by(*ORDER[entity]).values_list("pk", NAME[entity])[:wanted]
    )


def window(entity: Entity, match: Match, n: int) -> int | None:
    """The lowest id among the newest ``n`` matches, when more than ``n`` match."""
    return backend().cutoff(entity, match.query, n + 1) if match.query else None


def newest(entity: Entity, match: Match, since: int) -> QuerySet[Any]:
    """The records of ``match`` from id ``since`` on (see ``window``), the
    window asked of the index itself."""
    sql, params = backend().ids(entity, match.query, since)
    return MODELS[entity]._default_manager.filter(pk__in=RawSQL(sql, params))


def count(entity: Entity, match: Match) -> int:
    """How many records match: read from the index alone, but for author
    records (those merged away stay in the index and are not counted)."""
    if not match.query:
        return 0
    if entity == "authors":
        return match.qs.count()
    return backend().count(entity, match.query)


def best_match(entity: Entity, text: str, **options: bool) -> tuple[Match, int]:
    """``matching``, and when it finds nothing as typed, again with every word
    mended; with how many records match."""
    match = matching(entity, text, **options)
    total = count(entity, match)
    if total == 0 and match.suggestion is None and match.words and options.get("mend", True):
        again = matching(entity, text, mend_all=True, **options)
        again_total = count(entity, again)
        if again_total:
            return again, again_total
    return match, total


def find(entity: Entity, text: str, limit: int = 1000, mend: bool = True) -> Found:
    """The records matching ``text``, best first; ``mend=False`` takes every
    word as typed (no typo mending, no second try)."""
    match, total = best_match(entity, text, mend=mend)
    if not total:
        return Found(entity, [], 0, None)
    return Found(entity, ranked(entity, match, limit), total, match.suggestion)


def _hint(entity: Entity, record: Any) -> tuple[str, int | None]:
    if entity == "works":
        first = record.authors_text.split(";")[0].split(",")[0].strip()
        bits = [str(record.year) if record.year else "", first]
        return " · ".join(b for b in bits if b), None
    if entity == "authors":
        n = record.works_count
        return f"{n} work{'' if n == 1 else 's'}", n
    if entity == "institutions":
        return ", ".join(b for b in (record.city, record.country) if b), None
    if entity == "topics":
        return record.level, None
    return record.kind, None


def autocomplete(entity: Entity, text: str, limit: int = 10) -> list[Suggestion]:
    """A few records whose names start as ``text`` does, the last word as a prefix."""
    if not normal(text):
        return []
    match = matching(entity, text, prefix_last=True, mend=False)
    if not match.words:
        return []
    ids = ranked(entity, match, limit, window_size=SUGGEST_WINDOW)
    records = MODELS[entity]._default_manager.in_bulk(ids)
    out = []
    for pk in ids:
        record = records.get(pk)
        if record is not None:
            hint, works = _hint(entity, record)
            name = str(getattr(record, NAME[entity]))
            slug = str(getattr(record, "slug", "")) if entity == "authors" else ""
            out.append(Suggestion(entity, pk, name, hint, works, slug))
    return out


def lookup(text: str) -> tuple[Entity, int] | None:
    """The record an identifier names: a DOI, an arXiv id, an ORCID iD, a ROR id
    or an OpenAlex id (short or as a URL), whole or with its prefix."""
    value = text.strip()
    if not value or len(value) > 300 or " " in value:
        return None
    scheme, sep, rest = value.partition(":")
    if sep and scheme.lower() in {"doi", "arxiv", "orcid", "ror", "openalex"} and rest:
        value = rest.strip()
    doi = parse_doi(value)
    if doi:
        return _work("doi", doi)
    orcid = parse_orcid(value)
    if orcid:
        pk = Author.objects.filter(orcid=orcid).values_list("pk", flat=True).first()
        return ("authors", pk) if pk else None
    if "ror.org/" in value.lower() or scheme.lower() == "ror":
        ror = parse_ror(value)
        place = Institution.objects.filter(ror=ror).values_list("pk", flat=True).first()
        return ("institutions", place) if ror and place else None
    openalex = parse_openalex(value)
    if openalex and (value.startswith("https://openalex.org/") or len(openalex) > 5):
        return _openalex(openalex)
    arxiv = parse_arxiv(value)
    if arxiv and any(c.isdigit() for c in arxiv):
        return _work("arxiv", arxiv)
    return None


def _work(scheme: str, value: str) -> tuple[Entity, int] | None:
    pk = (
        WorkIdentifier.objects.filter(scheme=scheme, value=value)
        .values_list("work_id", flat=True)
        .first()
    )
    return ("works", pk) if pk else None


def _openalex(value: str) -> tuple[Entity, int] | None:
    letter = value[0].upper()
    if letter == "W":
        return _work("openalex", value)
    tables: dict[str, tuple[Entity, QuerySet[Any]]] = {
        "A": ("authors", Author.objects.filter(openalex_id=value)),
        "I": ("institutions", Institution.objects.filter(openalex_id=value)),
        "S": ("sources", Venue.objects.filter(openalex_id=value)),
        "T": (
            "topics",
            Topic.objects.filter(scheme="openalex", external_id__in=[value, f"openalex:{value}"]),
        ),
    }
    if letter not in tables:
        return None
    entity, qs = tables[letter]
    pk = qs.values_list("pk", flat=True).first()
    return (entity, pk) if pk else None
