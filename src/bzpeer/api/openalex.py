"""OpenAlex's list language, for every entity: ``filter=``, ``search=``,
``sort=``, ``select=``, ``group_by=``, ``sample=`` with ``seed=``, and paging
by ``page=`` or ``cursor=``.

Each entity declares its filters, sorts and group-bys once, as data
(:class:`Entity`); this module parses a request against that declaration and
runs it as one queryset. The entity modules (works.py, authors.py,
entities.py) hold the declarations and turn rows into answers."""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, F, Model, Q, QuerySet
from ninja import Schema
from ninja.errors import HttpError
from pydantic import Field

from bzpeer.catalog import revision
from bzpeer.claims.suppression import suppressed_ids
from bzpeer.search import queries as search

MAX_PER_PAGE = 200
# OpenAlex pages through the first 10,000 results; cursor paging goes beyond.
MAX_PAGED_RESULTS = 10_000
# Offsets a cursor may carry: far past any catalog, far below the database's integers.
MAX_CURSOR_OFFSET = 1 << 40
# Records a search or a ``.search`` filter considers, best first (as many as page= reaches).
MAX_SEARCHED = 10_000
SPARE = 100  # matches ranked past a page's end, in case some are hidden
MAX_SAMPLE = 10_000
MAX_GROUPS = 200
MAX_VALUES = 100  # values in one filter, ``a|b|...``, as OpenAlex allows


class ListParams(Schema):
    filter: str = Field(
        "",
        max_length=8000,
        description="name:value pairs separated by commas (and); within a value | is or, "
        "! not, >x <x and a-b ranges: publication_year:2020-2022,type:!preprint",
    )
    search: str = Field("", max_length=500, description="words the name or title contains")
    sort: str = Field("", max_length=200, description="field or field:desc, comma-separated")
    select: str = Field("", max_length=1000, description="top-level fields to return")
    group_by: str = Field("", max_length=100, description="a field to count results by")
    group_by_dash: str = Field("", max_length=100, alias="group-by", description="as group_by")
    sample: int | None = Field(None, ge=1, le=MAX_SAMPLE, description="a random sample of n")
    seed: str = Field("", max_length=100, description="makes a sample reproducible")
    per_page: int | None = Field(None, ge=1, le=MAX_PER_PAGE, description="1-200, 25 by default")
    per_page_dash: int | None = Field(
        None, ge=1, le=MAX_PER_PAGE, alias="per-page", description="as per_page"
    )
    page: int | None = Field(
        None,
        ge=0,
        le=MAX_PAGED_RESULTS,
        description=f"page * per_page may be at most {MAX_PAGED_RESULTS:,}; use cursor beyond",
    )
    cursor: str | None = Field(
        None,
        max_length=200,
        description="* for the first page, then each answer's meta.next_cursor",
    )


# -- declarations ----------------------------------------------------------------


ValueQ = Callable[[str], Q]


@dataclass(frozen=True)
class Filter:
    """One filter name. ``q`` turns one value (no ``!``, no ``|``) into a Q on
    the entity's model; ``ranges`` lets ``>x``, ``<x`` and ``a-b`` through to it."""

    q: ValueQ
    ranges: bool = False


@dataclass(frozen=True)
class Group:
    """A ``group_by`` key: the column (or relation path) counted, and how
    keys are named: ``display(keys)`` maps each raw key to (key, display name)."""

    column: str
    display: Callable[[list[Any]], dict[Any, tuple[str, str]]] | None = None
    # for a relation counted through another table: (model, its column pointing here)
    through: tuple[type[Model], str] | None = None
    expression: Any = None  # a column computed for the grouping (``has_doi``)


@dataclass(frozen=True)
class Entity:
    name: search.Entity
    filters: dict[str, Filter]
    sorts: dict[str, str]  # sort name -> column or annotation
    groups: dict[str, Group]
    fields: tuple[str, ...]  # what select= may name
    default_order: tuple[Any, ...] = ("id",)
    annotate: dict[str, Callable[[], Any]] = field(default_factory=dict)  # for sorts/filters


# -- filter values -------------------------------------------------------------------


def integer(name: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        digits = text[1:] if text.startswith("-") else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
            raise HttpError(400, f"{name} needs a whole number, not {text!r}")
        return int(text)

    return parse


def number_filter(column: str, name: str) -> Filter:
    """A number with OpenAlex's ranges: ``2020``, ``>2020``, ``<2020``, ``2018-2020``."""
    parse = integer(name)

    def q(value: str) -> Q:
        if value.startswith(">"):
            return Q(**{f"{column}__gt": parse(value[1:])})
        if value.startswith("<"):
            return Q(**{f"{column}__lt": parse(value[1:])})
        low, dash, high = value.partition("-")
        if dash and low:
            lo, hi = (parse(low) if low else None), (parse(high) if high else None)
            out = Q()
            out &= Q(**{f"{column}__gte": lo}) if lo is not None else Q()
            out &= Q(**{f"{column}__lte": hi}) if hi is not None else Q()
            return out
        return Q(**{column: parse(value)})

    return Filter(q, ranges=True)


def boolean(name: str, when_true: Q) -> Filter:
    def q(value: str) -> Q:
        if value.lower() == "true":
            return when_true
        if value.lower() == "false":
            return ~when_true
        raise HttpError(400, f"{name} is true or false, not {value!r}")

    return Filter(q)


def choice(column: str, name: str, allowed: Sequence[str]) -> Filter:
    def q(value: str) -> Q:
        if value.lower() not in allowed:
            raise HttpError(400, f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        return Q(**{column: value.lower()})

    return Filter(q)


def date_filter(column: str, name: str, lookup: str) -> Filter:
    def q(value: str) -> Q:
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise HttpError(400, f"{name} needs a date as YYYY-MM-DD, not {value!r}") from exc
        return Q(**{f"{column}__{lookup}": day})

    return Filter(q)


def search_filter(entity: search.Entity) -> Filter:
    def q(value: str) -> Q:
        return Q(pk__in=search.find(entity, value, MAX_SEARCHED).ids)

    return Filter(q)


# -- parsing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    name: str
    wanted: list[str]  # or'ed
    refused: list[str]  # each excluded


def _split_filter(text: str) -> list[tuple[str, str]]:
    """``a:1,b:x|y`` to its (name, value) pairs. A comma inside a value (a
    search text) belongs to it when what follows is no ``name:``."""
    pairs: list[tuple[str, str]] = []
    for part in text.split(","):
        name, sep, value = part.partition(":")
        if sep and name.strip() and " " not in name.strip():
            pairs.append((name.strip(), value.strip()))
        elif pairs and part.strip():
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]},{part}")
        elif part.strip():
            raise HttpError(400, f"filter {part!r} must look like name:value")
    return pairs


def parse_filter(entity: Entity, text: str) -> list[Clause]:
    clauses = []
    for name, value in _split_filter(text):
        if name not in entity.filters:
            raise HttpError(
                400,
                f"{name} is not a valid field to filter {entity.name}. Valid fields: "
                + ", ".join(sorted(entity.filters)),
            )
        if not value:
            raise HttpError(400, f"filter {name} needs a value: {name}:value")
        # a negation before the whole value applies to every alternative
        negate_all = value.startswith("!") and name.endswith(".search")
        values = [value] if name.endswith(".search") else value.split("|")
        if len(values) > MAX_VALUES:
            raise HttpError(400, f"{name} takes at most {MAX_VALUES} values at once")
        wanted, refused = [], []
        for v in values:
            v = v.strip()
            if v.startswith("!"):
                refused.append(v[1:].strip())
            elif negate_all:
                refused.append(v)
            else:
                wanted.append(v)
        if any(not v for v in wanted + refused):
            raise HttpError(400, f"filter {name} has an empty value")
        if not entity.filters[name].ranges and any(v[:1] in "<>" for v in wanted + refused):
            raise HttpError(400, f"{name} takes no ranges (> or <)")
        clauses.append(Clause(name, wanted, refused))
    return clauses


def apply_filters(entity: Entity, qs: QuerySet[Any], clauses: list[Clause]) -> QuerySet[Any]:
    for clause in clauses:
        spec = entity.filters[clause.name]
        if clause.wanted:
            any_of = Q()
            for value in clause.wanted:
                any_of |= spec.q(value)
            qs = qs.filter(any_of)
        for value in clause.refused:
            qs = qs.exclude(spec.q(value))
    return qs


@dataclass(frozen=True)
class Sort:
    name: str
    descending: bool


def parse_sort(entity: Entity, text: str, searching: bool) -> list[Sort]:
    out = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, direction = part.partition(":")
        if name not in entity.sorts and name != "relevance_score":
            raise HttpError(
                400,
                f"{name} is not a valid sort field for {entity.name}. Valid fields: "
                + ", ".join(sorted([*entity.sorts, "relevance_score"])),
            )
        if name == "relevance_score" and not searching:
            raise HttpError(400, "sort by relevance_score needs a search")
        if direction not in {"", "asc", "desc"}:
            raise HttpError(400, f"sort direction must be asc or desc, not {direction!r}")
        out.append(Sort(name, direction == "desc"))
    return out


def parse_select(entity: Entity, text: str) -> list[str] | None:
    names = [p.strip() for p in text.split(",") if p.strip()]
    if not names:
        return None
    bad = [n for n in names if n not in entity.fields]
    if bad:
        raise HttpError(
            400,
            f"{bad[0]} is not a valid select field for {entity.name}. Valid fields for select "
            "are: " + ", ".join(entity.fields),
        )
    return names


def selected(data: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
    return data if names is None else {n: data[n] for n in names if n in data}


# -- running a list ----------------------------------------------------------------------


@dataclass
class Page:
    """What a list request found: the page's primary keys in order, and meta."""

    ids: list[int]
    meta: dict[str, Any]
    relevance: dict[int, float] = field(default_factory=dict)
    groups: list[dict[str, Any]] | None = None


def _cursor_offset(cursor: str) -> int:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise HttpError(400, "cursor is not one this API gave out") from exc
    offset = data.get("o") if isinstance(data, dict) else None
    # bool is an int in Python; 1e300 and "3" are not offsets either
    if type(offset) is not int or not 0 <= offset <= MAX_CURSOR_OFFSET:
        raise HttpError(400, "cursor is not one this API gave out")
    return offset


@dataclass(frozen=True)
class Window:
    offset: int
    per_page: int
    cursor: str | None
    page: int | None


def window(params: ListParams) -> Window:
    per_page = params.per_page or params.per_page_dash or 25
    cursor = params.cursor or None  # an empty cursor is no cursor
    if params.page is not None and cursor is not None:
        raise HttpError(400, "use either page or cursor, not both")
    if cursor is not None and params.sample is not None:
        raise HttpError(400, "a sample is paged with page, not cursor")
    if cursor is not None:
        return Window(0 if cursor == "*" else _cursor_offset(cursor), per_page, cursor, None)
    page = max(params.page or 1, 1)  # page 0 is the first page, as page 1
    if page * per_page > MAX_PAGED_RESULTS:
        raise HttpError(
            400,
            f"page * per_page may be at most {MAX_PAGED_RESULTS:,}; "
            "page further with cursor=* and the next_cursor each answer gives",
        )
    return Window((page - 1) * per_page, per_page, None, page)


def _meta(
    count: int, w: Window, groups: int | None = None, reachable: int | None = None
) -> dict[str, Any]:
    """``reachable``: how many of ``count`` can be paged to, when fewer."""
    next_cursor = None
    if w.cursor is not None and w.offset + w.per_page < (
        count if reachable is None else min(count, reachable)
    ):
        next_cursor = base64.urlsafe_b64encode(orjson.dumps({"o": w.offset + w.per_page})).decode()
    return {
        "count": count,
        "per_page": w.per_page,
        "page": w.page,
        "next_cursor": next_cursor,
        "groups_count": groups,
    }


def _order(entity: Entity, sorts: list[Sort]) -> list[Any]:
    order: list[Any] = []
    for s in sorts:
        column = F(entity.sorts[s.name])
        order.append(column.desc(nulls_last=True) if s.descending else column.asc(nulls_last=True))
    return [*order, *entity.default_order] if order else list(entity.default_order)


def run_list(entity: Entity, base: QuerySet[Any], params: ListParams, site: str) -> Page:
    """The page of ``base`` a request asks for: filtered, searched, sorted,
    sampled or grouped, as OpenAlex would. Two or three queries at most
    (a count, the page's ids; a search adds its own). ``site`` is this
    site's root URL, which record ids in group keys start with."""
    clauses = parse_filter(entity, params.filter)
    text = params.search.strip()
    sorts = parse_sort(entity, params.sort, bool(text))
    parse_select(entity, params.select)
    w = window(params)
    needed = {entity.sorts[s.name] for s in sorts if s.name in entity.sorts}
    needed |= {c.name for c in clauses}
    for name, make in entity.annotate.items():
        if name in needed:
            base = base.annotate(**{name: make()})
    qs = apply_filters(entity, base, clauses)
    group_name = params.group_by or params.group_by_dash
    relevance: dict[int, float] = {}
    ranked: list[int] | None = None
    by_relevance = not sorts or sorts[0].name == "relevance_score"
    # A page of matches in relevance order needs only the best up to that
    # page (and some to spare for hidden records), not all MAX_SEARCHED:
    # a common surname matched 10,000 author records, ranked and read for 25.
    reach = w.offset + w.per_page
    enough = by_relevance and not clauses and not group_name and params.sample is None
    limit = min(MAX_SEARCHED, reach + SPARE) if enough else MAX_SEARCHED
    filtered = qs

    def searched(limit: int) -> tuple[search.Found, dict[int, float]]:
        found = search.find(entity.name, text, limit)
        return found, {pk: round(1.0 / (1 + i), 6) for i, pk in enumerate(found.ids)}

    if text:
        found, relevance = searched(limit)
        qs = filtered.filter(pk__in=found.ids)
        if by_relevance:
            ranked = found.ids
    if group_name:
        groups, count = _grouped(entity, qs, group_name, site, whole=not (clauses or text))
        return Page([], _meta(count, w, len(groups)), groups=groups)
    if params.sample is not None:
        population = sorted(qs.values_list("pk", flat=True))
        rng = random.Random(params.seed) if params.seed else random.SystemRandom()
        chosen = rng.sample(population, min(params.sample, len(population)))
        return Page(chosen[w.offset : w.offset + w.per_page], _meta(len(chosen), w), relevance)
    if ranked is not None:
        present = set(qs.values_list("pk", flat=True))
        ordered = [pk for pk in ranked if pk in present]
        if len(ordered) < reach and len(ranked) == limit < MAX_SEARCHED:
            # hidden records took the spare ones: rank every match
            limit = MAX_SEARCHED
            found, relevance = searched(limit)
            ranked = found.ids
            present = set(filtered.filter(pk__in=ranked).values_list("pk", flat=True))
            ordered = [pk for pk in ranked if pk in present]
        # past the best MAX_SEARCHED, an unfiltered search still says how many match
        total = found.total if not clauses and len(ordered) == len(ranked) else len(ordered)
        partial = len(ranked) == limit < MAX_SEARCHED  # more match than were ranked
        if partial:
            total = found.total - (len(ranked) - len(ordered))
        meta = _meta(total, w, reachable=min(total, MAX_SEARCHED) if partial else len(ordered))
        return Page(ordered[w.offset : w.offset + w.per_page], meta, relevance)
    count = qs.count()
    ids = list(
        qs.order_by(*_order(entity, sorts)).values_list("pk", flat=True)[
            w.offset : w.offset + w.per_page
        ]
    )
    return Page(ids, _meta(count, w), relevance)


def _grouped(
    entity: Entity, qs: QuerySet[Any], name: str, site: str, whole: bool
) -> tuple[list[dict[str, Any]], int]:
    """The groups and the count. A grouping of the whole catalog reads every
    record (``type`` over a million works: 180 ms) and changes only when the
    catalog does: it is kept under the catalog's revision, keyed by its query
    and the records taken down (which a base may leave out, by a subquery)."""

    def counted() -> tuple[list[dict[str, Any]], int]:
        return group_counts(entity, qs, name, site), qs.count()

    if not whole:
        return counted()
    try:
        sql = str(qs.query)
    except EmptyResultSet:
        return counted()
    hidden = ",".join(map(str, sorted(suppressed_ids())))
    key = hashlib.sha256(f"{site}\n{name}\n{sql}\n{hidden}".encode()).hexdigest()[:24]
    return revision.remember(f"groups:{entity.name}:{key}", counted)


def group_counts(entity: Entity, qs: QuerySet[Any], name: str, site: str) -> list[dict[str, Any]]:
    group = entity.groups.get(name)
    if group is None:
        raise HttpError(
            400,
            f"{name} is not a valid field to group {entity.name} by. Valid fields: "
            + ", ".join(sorted(entity.groups)),
        )
    if group.through is not None:
        model, back = group.through
        rows = (
            model._default_manager.filter(**{f"{back}__in": qs.values("pk")})
            .values_list(group.column)
            .annotate(n=Count(back, distinct=True))
            .order_by("-n", group.column)
        )
    else:
        if group.expression is not None:
            qs = qs.annotate(**{group.column: group.expression})
        rows = (
            qs.order_by()
            .values_list(group.column)
            .annotate(n=Count("pk"))
            .order_by("-n", group.column)
        )
    counted = [(key, n) for key, n in rows[:MAX_GROUPS]]
    names = group.display([k for k, _ in counted if k is not None]) if group.display else {}
    out = []
    for key, n in counted:
        if key is None:
            out.append({"key": "unknown", "key_display_name": "unknown", "count": n})
            continue
        if group.display is not None and key not in names:
            continue  # a record not shown: taken down, or gone
        if key in names:
            short, shown = names[key]
            out.append({"key": f"{site}{short}", "key_display_name": shown, "count": n})
        else:
            out.append({"key": _key_text(key), "key_display_name": _key_text(key), "count": n})
    return out


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return str(key).lower()
    return str(key)
