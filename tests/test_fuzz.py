"""Malformed requests to every page and API route: none may answer 5xx.

Each route gets at least 500 requests, built deterministically: every
parameter it reads once with every hostile value (non-numeric, negative and
huge numbers, other scripts' digits, 10 KB strings, NUL bytes, broken
percent-encoding, lone surrogates, bidi overrides, injections), then seeded
random mixes of several parameters, junk parameters and repeated keys. API
routes also get other methods, and every API error must be JSON
``{"error": ..., "message": ...}``.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client

from bzpeer.catalog.models import (
    Author,
    AuthorshipMention,
    Institution,
    Topic,
    Venue,
    Work,
    WorkIdentifier,
)

pytestmark = pytest.mark.django_db

PER_ROUTE = 500
HUGE = "9223372036854775807"  # the largest 64-bit integer
HUGER = "9223372036854775808"
EXPORT_FORMATS = ["bib", "ris", "json"]


class Raw(str):
    """A value already percent-encoded: sent as it is (broken encodings)."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


VALUES: list[str] = [
    "",
    " ",
    "0",
    "1",
    "-1",
    "+1",
    "01",
    "1.5",
    "1e3",
    "1e300",
    "inf",
    "NaN",
    "1_000",
    HUGE,
    HUGER,
    "-" + HUGER,
    "9" * 40,
    "9" * 5000,  # past Python's int() digit limit
    "abc",
    "٣",  # Arabic-Indic three: int() reads it, a database does not
    "²",
    "１２",  # fullwidth digits
    "\x00",
    "a\x00b",
    Raw("%00"),
    Raw("%ED%A0%80"),  # a lone surrogate, UTF-8 encoded
    Raw("%ED%B0%80x%ED%A0%BD"),
    Raw("%FF%FE%FD"),  # not UTF-8
    Raw("%C0%AF"),  # overlong "/"
    Raw("%"),
    Raw("%zz"),
    Raw("%2"),
    "A" * 10_000,
    "é" * 5_000,
    "\u202eevil\u202c",  # right-to-left override
    "\u2066\u2067\u2068\u202d",
    "\ufeff\u200b",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "1; DROP TABLE catalog_work",
    "../../etc/passwd",
    "..%2f..%2f",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "%s%s%s%n",
    "{{7*7}}",
    "null",
    "true",
    "[]",
    "{}",
    "\\",
    "*",
    "\r\nX-Injected: 1",
    "\t\n\x0b\x0c",
    "😀" * 100,
]

CURSORS: list[str] = [
    "*",
    "**",
    "",
    "=",
    "====",
    "abc",
    "abcd",
    "e30",  # "{}" without padding
    "%%%",
    "+/+/",
    "eyJvIjoxfQ",  # {"o":1} without padding
    _b64(b'{"o": 1e300}'),
    _b64(b'{"o": -1}'),
    _b64(b'{"o": "3"}'),
    _b64(b'{"o": 3.0}'),
    _b64(b'{"o": true}'),
    _b64(b'{"o": null}'),
    _b64(b'{"o": 18446744073709551616}'),
    _b64(b'{"o": 1e400}'),
    _b64(b'{"o": ' + b"9" * 5000 + b"}"),
    _b64(b'{"o": 9223372036854775807}'),
    _b64(b'{"o": 1099511627776}'),
    _b64(b'{"o": 0}'),
    _b64(b'{"o": [1]}'),
    _b64(b'{"o": {"o": 1}}'),
    _b64(b'{"x": 1}'),
    _b64(b"[]"),
    _b64(b"null"),
    _b64(b"1"),
    _b64(b'"o"'),
    _b64(b"[" * 5000 + b"]" * 5000),
    _b64(b"\xff\xfe\x00"),
    _b64(b'{"o": 1}\x00'),
    _b64(b'{"o": NaN}'),
    _b64('{"o": "٣"}'.encode()),
    base64.b64encode(b'{"o": 1}').decode(),  # standard alphabet, with padding
    _b64(b"A" * 10_000),
    "A" * 10_000,
]

FILTERS: list[str] = [
    "",
    ",",
    ",,,",
    ":",
    "::",
    " : ",
    "publication_year",
    "publication_year:",
    "publication_year:>",
    "publication_year:<",
    "publication_year:-",
    "publication_year:--1",
    "publication_year:2020-",
    "publication_year:-2020",
    "publication_year:2022-2020",
    "publication_year:2020-2021-2022",
    "publication_year:>-5",
    "publication_year:<" + HUGER,
    "publication_year:" + HUGE,
    "publication_year:" + "9" * 40,
    "publication_year:" + "9" * 5000,
    "publication_year:1e300",
    "publication_year:٣",
    "publication_year:²",
    "publication_year:1_999",
    "publication_year:2020|2021",
    "author.id",
    "author.id:",
    "author.id:A",
    "author.id:A0",
    "author.id:A-1",
    "author.id:A" + HUGE,
    "author.id:A" + "9" * 40,
    "author.id:" + "9" * 18,
    "author.id:A٣",
    "author.id:https://example.org/authors/A1",
    "author.id:https://example.org/",
    "author.id:orcid:",
    "author.id:orcid:0000-0000-0000-0000",
    "author.id:openalex:",
    "author.id:openalex:A" + "9" * 40,
    "author.id:" + "x" * 10_000,
    "authorships.author.id:A1|A2",
    "type:",
    "type:|",
    "type:preprint|article",
    "type:<script>",
    "type:" + "t" * 10_000,
    "doi:",
    "doi:10.",
    "doi:10.1/",
    "doi:https://doi.org/",
    "doi:10.1103/" + "x" * 10_000,
    "ids.arxiv:",
    "ids.arxiv:2106.",
    "ids.arxiv:9999.99999v99999999999999999999",
    "ids.arxiv:" + "1" * 10_000,
    "display_name.search:x",
    "x" * 10_000,
    "author.id:A1,author.id:A2",
    "publication_year:2020,publication_year:2021",
    "type:preprint,,publication_year:2020,",
    "author.id:A1:2",
]

# Identifiers for /api/v1/works/{id} and /api/v1/authors/{id}, before the real ones.
API_IDS: list[str] = [
    "W",
    "A",
    "W0",
    "A0",
    "W-1",
    "A-1",
    "W+1",
    "W1.5",
    "W1e300",
    "W" + HUGE,
    "A" + HUGE,
    "W" + HUGER,
    "A" + HUGER,
    "W" + "9" * 40,
    "A" + "9" * 40,
    "9" * 18,
    "9" * 5000,
    "W٣",
    "A²",
    "W１",
    "doi:",
    "doi:10.",
    "doi:10.1/" + "x" * 10_000,
    "doi:../../etc/passwd",
    "DOI:10.1103/PhysRevD.76.013009",
    "arxiv:",
    "arxiv:2106.10404v" + "9" * 40,
    "openalex:",
    "openalex:W" + "9" * 40,
    "openalex:A" + "9" * 40,
    "openalex:https://openalex.org/",
    "pmid:",
    "pmid:" + "9" * 40,
    "pmid:" + "x" * 10_000,
    "orcid:",
    "orcid:0000-0000-0000-000X",
    "orcid:" + "0" * 10_000,
    "mag:1",
    ":",
    "::::",
    " ",
    "%20",
    "a/b/c",
    "../../../../etc/passwd",
    "x" * 300,
    "x" * 10_000,
    "<script>",
    "' OR 1=1 --",
    "\u202eA1",
    "W1\x00",
    "😀",
]

PAGE_IDS: list[str] = [
    "0",
    "-1",
    "1",
    "01",
    HUGE,
    HUGER,
    "9" * 40,
    "9" * 5000,
    "1e300",
    "abc",
    "٣",
    "²",
    "%00",
    "%ED%A0%80",
    "%FF",
    "1%00",
    "1/",
    "1/x",
    "A" * 10_000,
    "..%2f..%2f",
]

SLUGS_JUNK: list[str] = [
    "-",
    "_",
    "a" * 101,
    "a" * 10_000,
    "tianlong-chen%00",
    "%ED%A0%80",
    "%FF",
    "t%C3%A9",
    "..",
    "tianlong-chen/",
    "tianlong-chen/x",
    "' OR 1=1 --",
    "<script>",
]

JUNK_KEYS = ["", "x", "q[]", "page[]", "%00", "A" * 1000, "sort", "select", "mailto", "__proto__"]
API_METHODS = ["get"] * 8 + ["post", "put", "patch", "delete", "head", "options"]


@dataclass
class Failure:
    method: str
    url: str
    status: int
    detail: str

    def __str__(self) -> str:
        url = self.url if len(self.url) < 200 else self.url[:200] + f"...({len(self.url)} chars)"
        return f"{self.method.upper()} {url} -> {self.status}: {self.detail[:300]}"


@dataclass
class Route:
    """How to build hostile requests for one route."""

    name: str
    paths: list[str]
    keys: list[str]
    values: dict[str, list[str]] = field(default_factory=dict)  # extra values per key
    form: list[str] = field(default_factory=list)  # POST fields, for forms
    api: bool = False

    def value_pool(self, key: str) -> list[str]:
        return self.values.get(key, []) + VALUES


def _enc(text: str) -> str:
    return text if isinstance(text, Raw) else quote(text, safe="")


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{_enc(k)}={_enc(v)}" for k, v in pairs)


def requests_for(route: Route) -> Iterator[tuple[str, str, dict[str, str] | None]]:
    """(method, url, POST data) triples: at least PER_ROUTE of them, always the same."""
    rng = random.Random(f"bzpeer-fuzz-{route.name}")
    made = 0
    # 1. every path, bare
    for path in route.paths:
        made += 1
        yield "get", path, None
    # 2. every key with every value of its pool, on a path that exists
    for key in route.keys:
        for value in route.value_pool(key):
            made += 1
            yield "get", f"{route.paths[0]}?{_query([(key, value)])}", None
    # 3. more fields than Django parses, and a 100 KB query string
    for query in ("&".join(f"f{i}=1" for i in range(1200)), "x=" + "%41" * 33_000, "&" * 5000):
        made += 1
        yield "get", f"{route.paths[0]}?{query}", None
    # 4. every form field with every value, the other fields plausible
    for name in route.form:
        for value in VALUES:
            if isinstance(value, Raw):
                continue
            data = {other: "someone@example.org" for other in route.form}
            data[name] = value
            made += 1
            yield "post", route.paths[0], data
    # 5. seeded mixes: a path, two to five keys (repeats and junk keys too)
    while made < PER_ROUTE:
        keys = route.keys + JUNK_KEYS[: rng.randint(0, len(JUNK_KEYS))]
        pairs = [
            (key, rng.choice(route.value_pool(key)))
            for key in (rng.choice(keys) for _ in range(rng.randint(2, 5)))
        ]
        path = rng.choice(route.paths)
        method = rng.choice(API_METHODS) if route.api else "get"
        if route.form and rng.random() < 0.3:
            data = {
                name: rng.choice([v for v in VALUES if not isinstance(v, Raw)])
                for name in route.form
            }
            made += 1
            yield "post", f"{path}?{_query(pairs)}", data
            continue
        made += 1
        yield method, f"{path}?{_query(pairs)}", None


def _check(client: Client, route: Route) -> tuple[int, list[Failure]]:
    failures: list[Failure] = []
    sent = 0
    for method, url, data in requests_for(route):
        sent += 1
        call = getattr(client, method)
        response = call(url, data) if data is not None else call(url)
        status = response.status_code
        body = b"" if getattr(response, "streaming", False) else response.content
        if status >= 500:
            failures.append(Failure(method, url, status, body[:300].decode(errors="replace")))
            continue
        if route.api and status >= 400 and method != "head":
            kind = response.get("Content-Type", "")
            try:
                payload = response.json()
            except ValueError:
                payload = None
            if (
                not kind.startswith("application/json")
                or not isinstance(payload, dict)
                or not isinstance(payload.get("error"), str)
                or not isinstance(payload.get("message"), str)
            ):
                failures.append(Failure(method, url, status, f"not a JSON error: {kind} {body!r}"))
    return sent, failures


def _routes() -> list[Route]:
    chen = Author.objects.get(display_name="Tianlong Chen")
    small = Author.objects.filter(merged_into=None, works_count__gte=1).order_by("works_count")
    few = small.first()  # a profile with one work: one page
    assert few is not None
    merged = Author.objects.exclude(merged_into=None).first()  # a 301, if the data has one
    slugs = [chen.slug, few.slug]
    if merged is not None:
        slugs.append(merged.slug)
    work = Work.objects.order_by("id").first()
    assert work is not None
    topic = Topic.objects.order_by("id").first()
    assert topic is not None
    place = Institution.objects.filter(affiliation__isnull=False).order_by("id").first()
    venue = Venue.objects.filter(works__isnull=False).order_by("id").first()
    assert place is not None and venue is not None
    doi = WorkIdentifier.objects.filter(scheme="doi").first()
    arxiv = WorkIdentifier.objects.filter(scheme="arxiv").first()
    real_work_ids = [f"W{work.pk}", str(work.pk)]
    real_work_ids += [f"doi:{doi.value}"] if doi else []
    real_work_ids += [f"arxiv:{arxiv.value}"] if arxiv else []
    real_author_ids = [f"A{chen.pk}", chen.slug] + ([f"A{merged.pk}"] if merged else [])
    list_values = {
        "filter": [
            *FILTERS,
            f"author.id:A{chen.pk}",
            f"author.id:A{chen.pk},publication_year:2021",
        ],
        "cursor": CURSORS,
        "page": ["2", "400", "10001", "-0"],
        "per_page": ["200", "201", "100000"],
        "search": ["tianlong chen", "a " * 300],
    }
    list_keys = ["filter", "search", "per_page", "page", "cursor"]
    list_keys += ["per-page", "sort", "select", "group_by", "group-by", "sample", "seed"]
    list_values |= {
        "per-page": ["1", "200", "201", "0", "x"],
        "sort": ["publication_year:desc", "works_count", "relevance_score", "x:up", ",", ":"],
        "select": ["id", "id,display_name", "nothing", ",", "id," * 500],
        "group_by": ["type", "publication_year", "topics.id", "has_orcid", "country_code", "x"],
        "group-by": ["type", "authorships.author.id", "", "a" * 1000],
        "sample": ["1", "10", "10000", "10001", "0", "-1", "x"],
        "seed": ["1", "", "x" * 100, "x" * 1000],
    }
    list_values["filter"] += [
        "publication_year:!2020|2021",
        "publication_year:>2019,publication_year:<2022",
        "type:!preprint",
        "ids.openalex:W1|W2|https://openalex.org/W1|doi:10.1/x",
        "country_code:us|!gb",
        "works_count:>10",
        "has_orcid:true",
        "has_doi:maybe",
        "from_publication_date:2020-13-45",
        "default.search:!chen",
        "ror:https://ror.org/",
        "issn:1234-5678",
        "x_bzpeer.level:topic",
        "type:" + "|".join(["a"] * 101),
    ]
    entity_ids = ["I1", "T1", "S1", "ror:019wvm592", "issn:0000-0000", "openalex:I1"]

    def api_paths(prefix: str, ids: list[str]) -> list[str]:
        return [f"/api/v1/{prefix}/{quote(i, safe='/:')}" for i in ids]

    account_keys = ["next", "email", "login", "key", "process"]
    return [
        Route("home", ["/"], ["q"], {"q": ["tianlong", "a " * 300, "%", "_"]}),
        Route(
            "search",
            ["/search"],
            ["q", "kind", "type", "from", "to", "topic", "institution", "open", "page"],
            {
                "q": ["tianlong", "chen", 'sp"arse*', "NEAR(a b)", "a " * 300, "10.1/x", "ü"],
                "kind": ["works", "authors", "institutions", "topics", "sources", "WORKS"],
                "from": ["2020", "0", "99999"],
                "page": ["2", "9999"],
            },
        ),
        Route(
            "search_suggest",
            ["/search/suggest"],
            ["q"],
            {"q": ["tia", "chen t", "'*", "OR AND", "ﬁ" * 50]},
        ),
        Route(
            "profile",
            [f"/researchers/{s}" for s in slugs + SLUGS_JUNK],
            ["page", "year", "type"],
            {"type": ["preprint", "conference-paper", "PREPRINT"], "year": ["2021", "1900"]},
        ),
        Route("work", [f"/works/{work.pk}"] + [f"/works/{i}" for i in PAGE_IDS], ["page", "id"]),
        Route(
            "topic", [f"/topics/{topic.pk}"] + [f"/topics/{i}" for i in PAGE_IDS], ["page", "id"]
        ),
        Route(
            "institution",
            [f"/institutions/{place.pk}"] + [f"/institutions/{i}" for i in PAGE_IDS],
            ["page", "people"],
            {"page": ["2", "0", "-1", "99999"], "people": ["2", "0", "x", "99999"]},
        ),
        Route(
            "source",
            [f"/sources/{venue.pk}"] + [f"/sources/{i}" for i in PAGE_IDS],
            ["page"],
            {"page": ["2", "0", "-1", "99999"]},
        ),
        Route("api-works", ["/api/v1/works"], list_keys, list_values, api=True),
        Route("api-authors", ["/api/v1/authors"], list_keys, list_values, api=True),
        Route(
            "api-work",
            api_paths("works", real_work_ids + API_IDS),
            ["select", "filter"],
            {"select": ["id", "id,doi,topics", "abstract,nothing"]},
            api=True,
        ),
        Route(
            "api-author",
            api_paths("authors", real_author_ids + API_IDS),
            ["select", "filter"],
            api=True,
        ),
        *[
            Route(f"api-{entity}", [f"/api/v1/{entity}"], list_keys, list_values, api=True)
            for entity in ("institutions", "topics", "sources")
        ],
        Route(
            "api-entity",
            [
                f"/api/v1/{entity}/{quote(i, safe='/:')}"
                for entity in ("institutions", "topics", "sources")
                for i in [*entity_ids, *API_IDS[::4]]
            ],
            ["select"],
            {"select": ["id", "counts_by_year", "nothing"]},
            api=True,
        ),
        Route(
            "api-autocomplete",
            ["/api/v1/autocomplete", "/api/v1/autocomplete/works", "/api/v1/autocomplete/nope"]
            + [f"/api/v1/autocomplete/{e}" for e in ("authors", "institutions", "topics")],
            ["q"],
            {"q": ["chen", "t", "a " * 300, "%", "_"]},
            api=True,
        ),
        Route(
            "short-ids",
            [f"/{letter}{i}" for letter in "WAITS" for i in ["1", str(chen.pk), HUGE, "9" * 40]]
            + ["/W", "/W-1", "/X1", "/W1/x"],
            ["q"],
        ),
        Route("api-openapi", ["/api/v1/openapi.json"], ["format", "q"], api=True),
        Route("api-docs", ["/api/v1/docs", "/api/v1/docs/"], ["url", "q"], api=True),
        Route(
            "api-unknown",
            ["/api/v1/", "/api/v1/nothing", "/api/v2/works", "/api/v1/works/"],
            ["q"],
            api=True,
        ),
        Route(
            "explore",
            ["/explore"],
            ["focus", "limit", "depth", "types"],
            {
                "focus": [f"author:A{chen.pk}", f"work:W{work.pk}", f"topic:T{topic.pk}", "I1"],
                "limit": ["60", "2000", "2001", "0"],
                "depth": ["1", "2", "3"],
            },
        ),
        Route(
            "api-graph",
            ["/api/v1/graph"],
            ["focus", "limit", "depth", "types"],
            {
                "focus": [f"author:A{chen.pk}", f"work:W{work.pk}", "author:A" + HUGE, "T", "x:1"],
                "limit": ["1", "2000", "2001", "-1"],
                "types": ["author", "author,work", "people", ","],
            },
            api=True,
        ),
        Route(
            "atom",
            [f"/researchers/{s}/feed.atom" for s in slugs + SLUGS_JUNK]
            + [f"/topics/{i}/feed.atom" for i in [str(topic.pk), *PAGE_IDS]]
            + [f"/institutions/{i}/feed.atom" for i in ["1", *PAGE_IDS]],
            ["page", "q"],
        ),
        Route(
            "exports",
            [f"/works/{i}/cite.{f}" for i in [str(work.pk), *PAGE_IDS] for f in EXPORT_FORMATS]
            + [f"/researchers/{s}/works.{f}" for s in slugs + SLUGS_JUNK for f in EXPORT_FORMATS]
            + [f"/search/works.{f}" for f in EXPORT_FORMATS],
            ["q", "year", "type"],
            {"q": ["sparse", "a " * 300, "%", "_", "10.1000/x"], "year": ["2021", "0", HUGER]},
        ),
        Route(
            "sitemap",
            ["/sitemap.xml", "/robots.txt"]
            + [f"/sitemap-{s}.xml" for s in ["researchers", "works", "topics", "institutions"]]
            + ["/sitemap-nothing.xml", "/sitemap-.xml", "/sitemap-%00.xml"],
            ["p", "section"],
            {"p": ["1", "2", "0", "-1", HUGER, "1e300"]},
        ),
        Route(
            "followers",
            [f"/researchers/{s}/followers" for s in slugs + SLUGS_JUNK]
            + [f"/follow/author/{chen.pk}", f"/follow/topic/{topic.pk}", "/follow/people/1"]
            + [f"/follow/institution/{i}" for i in PAGE_IDS],
            ["next"],
            {"next": ["/", "https://evil.example/", "//evil.example", "javascript:alert(1)"]},
            form=["action", "next"],
        ),
        Route(
            "unsubscribe",
            ["/alerts/unsubscribe/" + t for t in ["x", "a" * 600, "%00", "eyJ.abc:def"]],
            ["q"],
        ),
        Route(
            "api-coi",
            ["/api/v1/coi"],
            ["a", "b", "years"],
            {
                "a": [f"A{chen.pk}", chen.slug, "orcid:0000-0000-0000-0000", "A" + HUGE],
                "b": [f"A{chen.pk}", real_author_ids[-1], "nobody"],
                "years": ["3", "0", "51", "x"],
            },
            api=True,
        ),
        Route("login", ["/accounts/login/"], account_keys, form=["login", "password", "remember"]),
        Route(
            "signup", ["/accounts/signup/"], account_keys, form=["email", "password1", "password2"]
        ),
        Route("password-reset", ["/accounts/password/reset/"], account_keys, form=["email"]),
        Route(
            "admin-login",
            ["/admin/login/", "/admin/"],
            ["next", "username"],
            form=["username", "password"],
        ),
    ]


ROUTE_NAMES = [
    "home",
    "profile",
    "work",
    "topic",
    "institution",
    "source",
    "api-works",
    "api-authors",
    "api-work",
    "api-author",
    "api-institutions",
    "api-topics",
    "api-sources",
    "api-entity",
    "api-autocomplete",
    "short-ids",
    "api-openapi",
    "api-docs",
    "api-unknown",
    "explore",
    "api-graph",
    "atom",
    "exports",
    "sitemap",
    "followers",
    "unsubscribe",
    "api-coi",
    "login",
    "signup",
    "password-reset",
    "admin-login",
]


@pytest.fixture
def fresh_cache():
    """Rate limits live in the cache: start clean and leave nothing locked out."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_no_server_error(name, fresh_cache):
    route = next(r for r in _routes() if r.name == name)
    # raise_request_exception=False: an exception becomes the 500 a visitor would see
    client = Client(raise_request_exception=False)
    sent, failures = _check(client, route)
    assert sent >= PER_ROUTE
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(
        str(f) for f in failures[:8]
    )


def test_routes_cover_every_url_pattern():
    """A route added to urls.py or the API without an entry here fails this test."""
    from bzpeer.api.v1 import api
    from bzpeer.urls import urlpatterns

    site = {
        "",
        "search",
        "search/suggest",
        "researchers/<slug:slug>",
        "works/<int:pk>",
        "topics/<int:pk>",
        "institutions/<int:pk>",
        "sources/<int:pk>",
        "explore",
        "W<int:pk>",
        "A<int:pk>",
        "I<int:pk>",
        "T<int:pk>",
        "S<int:pk>",
        "api/v1/",
        "researchers/<slug:slug>/feed.atom",
        "topics/<int:pk>/feed.atom",
        "institutions/<int:pk>/feed.atom",
    }
    assert {str(p.pattern) for p in urlpatterns} == site | {"accounts/", "admin/"}
    # following and conversations, included at "": fuzzed anonymous (above) and
    # signed in (``_social_routes``)
    from bzpeer.social.urls import urlpatterns as social

    assert {str(p.pattern) for p in social} == {
        "follow/<str:kind>/<int:pk>",
        "researchers/<slug:slug>/followers",
        "researchers/<slug:slug>/fits",
        "researchers/<slug:slug>/invite",
        "following",
        "feed",
        "alerts",
        "alerts/unsubscribe/<str:token>",
        "inbox",
        "invitations/<int:pk>",
        "invitations/<int:pk>/answer",
        "conversations/<int:pk>",
        "conversations/<int:pk>/block",
        "report",
        "moderation/reports",
        "moderation/reports/<int:pk>",
    }
    # the claim pages, included at "", are fuzzed signed in (below)
    from bzpeer.claims.urls import urlpatterns as claims

    assert {str(p.pattern) for p in claims} == {
        "researchers/<slug:slug>/claim",
        "claims/mine",
        "claims/<int:pk>/withdraw",
        "claims/<int:pk>/evidence",
        "moderation/claims",
        "moderation/claims/<int:pk>",
        "researchers/<slug:slug>/edit",
        "researchers/<slug:slug>/fix",
        "researchers/<slug:slug>/suppress",
        "corrections/<int:pk>/undo",
        "moderation/merges",
        "moderation/merges/<int:pk>",
        "moderation/suppressions",
        "moderation/suppressions/<int:pk>",
        "moderation/log",
    }
    # citations, the sitemap and robots.txt, included at "": fuzzed above
    from bzpeer.exports.urls import urlpatterns as exports

    assert {str(p.pattern) for p in exports} == {
        "works/<int:pk>/cite.<export:fmt>",
        "researchers/<slug:slug>/works.<export:fmt>",
        "search/works.<export:fmt>",
        "sitemap.xml",
        "sitemap-<section>.xml",
        "robots.txt",
    }
    from bzpeer.accounts.urls import urlpatterns as accounts

    assert {str(p.pattern) for p in accounts} == {
        "account/privacy",
        "account/data.json",
        "account/delete",
    }
    assert {str(p.pattern) for p in api.urls[0]} == {
        "openapi.json",
        "docs",
        "authors/<path:author_id>",
        "authors",
        "works/<path:work_id>",
        "works",
        "institutions/<path:institution_id>",
        "institutions",
        "topics/<path:topic_id>",
        "topics",
        "sources/<path:source_id>",
        "sources",
        "autocomplete/<entity>",
        "autocomplete",
        "graph",
        "coi",
        "",  # the API's root: api-unknown
    }


def _claim_routes(make_user) -> list[Route]:
    """The claim pages as a signed-in moderator sees them: ``fuzz`` has a
    claim that needs evidence, another account a pending one to decide."""
    from bzpeer.claims import services

    chen = Author.objects.get(display_name="Tianlong Chen")
    other = Author.objects.filter(merged_into=None).exclude(pk=chen.pk).order_by("id").first()
    assert other is not None
    fuzz = make_user("fuzz", "fuzz@example.org", is_staff=True)
    rival = make_user("rival", "rival@example.org")
    mine = services.claim_author(fuzz, other, email="fuzz@example.org")
    theirs = services.claim_author(rival, chen, email="rival@example.org")
    mine.status = "needs_evidence"
    mine.save(update_fields=["status"])
    ids = PAGE_IDS
    return [
        Route(
            "claim",
            [f"/researchers/{chen.slug}/claim"] + [f"/researchers/{s}/claim" for s in SLUGS_JUNK],
            ["next"],
            form=["email", "evidence_url", "note"],
        ),
        Route(
            "claims-mine",
            [f"/claims/{mine.pk}/evidence", "/claims/mine", f"/claims/{mine.pk}/withdraw"]
            + [f"/claims/{i}/withdraw" for i in ids],
            ["page"],
            form=["evidence_url", "note"],
        ),
        Route(
            "claims-moderation",
            [f"/moderation/claims/{theirs.pk}", "/moderation/claims"]
            + [f"/moderation/claims/{i}" for i in ids],
            ["page"],
            form=["decision", "reason"],
        ),
    ]


def _owner_routes(make_user) -> list[Route]:
    """The owner's and moderators' pages as ``fuzzowner`` (staff, holding a
    record) sees them: a correction to undo, a merge and a suppression request
    to decide."""
    from bzpeer.claims import fixes
    from bzpeer.claims.models import Claim
    from bzpeer.claims.suppression import request_suppression

    records = Author.objects.filter(merged_into=None, works_count__gte=3).order_by("id")
    owned, other, third = records[0], records[1], records[2]
    owner = make_user("fuzzowner", "owner@example.org", is_staff=True)
    asker = make_user("asker", "asker@example.org")
    Claim.objects.create(author=owned, user=owner, status="verified", level="L4")
    work = AuthorshipMention.objects.filter(author=owned).order_by("work_id").first().work_id
    removed = fixes.remove_works(owner, owned, [work], "not mine")
    merge = fixes.MergeRequest.objects.create(user=asker, author=owned, other=other, reason="me")
    suppression = request_suppression(asker, third, "about me")
    ids = PAGE_IDS
    return [
        Route(
            "owner-edit",
            [f"/researchers/{owned.slug}/edit"] + [f"/researchers/{s}/edit" for s in SLUGS_JUNK],
            ["next"],
            form=["display_name", "bio", "open_to_collaborate", "institution", "homepage", "orcid"],
        ),
        Route(
            "owner-fix",
            [f"/researchers/{owned.slug}/fix"] + [f"/researchers/{s}/fix" for s in SLUGS_JUNK],
            ["page"],
            {"action": ["remove", "move", "merge"], "other": [other.slug]},
            form=["action", "work", "reason", "target", "other"],
        ),
        Route(
            "owner-undo",
            [f"/corrections/{removed.pk}/undo"] + [f"/corrections/{i}/undo" for i in ids],
            ["next"],
            form=["reason"],
        ),
        Route(
            "suppress",
            [f"/researchers/{third.slug}/suppress"]
            + [f"/researchers/{s}/suppress" for s in SLUGS_JUNK],
            ["next"],
            form=["reason"],
        ),
        Route(
            "moderation-merges",
            [f"/moderation/merges/{merge.pk}", "/moderation/merges", "/moderation/log"]
            + [f"/moderation/merges/{i}" for i in ids],
            ["page"],
            form=["decision", "reason"],
        ),
        Route(
            "moderation-suppressions",
            [f"/moderation/suppressions/{suppression.pk}", "/moderation/suppressions"]
            + [f"/moderation/suppressions/{i}" for i in ids],
            ["page"],
            form=["decision", "reason"],
        ),
        Route(
            "privacy",
            ["/account/delete", "/account/privacy", "/account/data.json"],
            ["format"],
            form=["password", "confirm"],
        ),
    ]


OWNER_ROUTES = [
    "owner-edit",
    "owner-fix",
    "owner-undo",
    "suppress",
    "moderation-merges",
    "moderation-suppressions",
    "privacy",
]


@pytest.mark.parametrize("name", OWNER_ROUTES)
def test_no_server_error_on_the_owner_and_moderation_pages(name, make_user, fresh_cache):
    from django.contrib.auth.models import User

    route = next(r for r in _owner_routes(make_user) if r.name == name)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="fuzzowner"))
    sent, failures = _check(client, route)
    assert sent >= PER_ROUTE
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(
        str(f) for f in failures[:8]
    )
    assert User.objects.filter(username="fuzzowner").exists()  # never deleted by junk


@pytest.mark.parametrize("name", ["claim", "claims-mine", "claims-moderation"])
def test_no_server_error_on_the_claim_pages_signed_in(name, make_user, fresh_cache):
    from django.contrib.auth.models import User

    route = next(r for r in _claim_routes(make_user) if r.name == name)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="fuzz"))
    sent, failures = _check(client, route)
    assert sent >= PER_ROUTE
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(
        str(f) for f in failures[:8]
    )


def _social_routes(make_user) -> list[Route]:
    """Following and conversations as ``fuzzsocial`` (staff, holding a record
    open to collaborate) sees them: an accepted invitation with a message from
    the other side, a pending one to answer, a report to decide."""
    from bzpeer.claims.models import Claim
    from bzpeer.social import conversations, invitations, reports

    records = Author.objects.filter(merged_into=None, works_count__gte=2).order_by("-id")
    mine, theirs, third = records[0], records[1], records[2]
    me = make_user("fuzzsocial", "social@example.org", is_staff=True)
    other = make_user("talker", "talker@example.org")
    asker = make_user("asker2", "asker2@example.org")
    for user, record in ((me, mine), (other, theirs), (asker, third)):
        Claim.objects.create(author=record, user=user, status="verified", level="L3")
    Author.objects.filter(pk__in=[mine.pk, theirs.pk, third.pk]).update(open_to_collaborate=True)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    sent = invitations.invite(other, mine, "Shall we talk?", "Same topics")
    talk = invitations.accept(me, sent)
    said = conversations.send_message(other, talk, "Hello")
    waiting = invitations.invite(asker, mine, "Hi", "Shared topics")
    report = reports.report(me, "spam", message=said)
    ids = PAGE_IDS
    return [
        Route(
            "social-follow",
            [f"/follow/author/{theirs.pk}", "/following", "/feed", "/alerts"]
            + [f"/follow/topic/{i}" for i in ids],
            ["before", "next"],
            {"before": ["2021.5", "x.y", "-1.-1", "9" * 40]},
            form=["action", "next", "frequency", "messages"],
        ),
        Route(
            "social-invite",
            [f"/researchers/{theirs.slug}/invite", f"/researchers/{third.slug}/fits"]
            + [f"/researchers/{s}/invite" for s in SLUGS_JUNK],
            ["next"],
            form=["message", "fit"],
        ),
        Route(
            "social-talk",
            [
                "/inbox",
                f"/invitations/{waiting.pk}",
                f"/invitations/{waiting.pk}/answer",
                f"/conversations/{talk.pk}",
                f"/conversations/{talk.pk}/block",
            ]
            + [f"/invitations/{i}/answer" for i in ids]
            + [f"/conversations/{i}" for i in ids],
            ["page"],
            {"answer": ["accept", "decline", "block", "x"], "action": ["block", "unblock"]},
            form=["answer", "body", "action"],
        ),
        Route(
            "social-report",
            ["/report", f"/moderation/reports/{report.pk}", "/moderation/reports"]
            + [f"/moderation/reports/{i}" for i in ids],
            ["message", "invitation"],
            {"message": [str(said.pk), "0", "-1"], "invitation": [str(waiting.pk), "x"]},
            form=["message", "invitation", "reason", "decision"],
        ),
    ]


@pytest.mark.parametrize("name", ["social-follow", "social-invite", "social-talk", "social-report"])
def test_no_server_error_on_the_social_pages_signed_in(name, make_user, fresh_cache):
    from django.contrib.auth.models import User

    route = next(r for r in _social_routes(make_user) if r.name == name)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="fuzzsocial"))
    sent, failures = _check(client, route)
    assert sent >= PER_ROUTE
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(
        str(f) for f in failures[:8]
    )
