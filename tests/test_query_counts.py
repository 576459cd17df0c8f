"""How many queries each list page and API list runs (issue 20, finding 9).

The property that matters: the count does not grow with the number of rows a
page shows. A list of 100 runs the queries a list of 10 does; the largest
topic runs the queries a one-work topic does; a work with many versions runs
those of a work with one. On top of that every page stays under a small fixed
bound.

Counted at the driver: Django's own log (``CaptureQueriesContext``) misses the
raw statements ``catalog.bulk.select_in`` runs on the driver's cursor (author
lists, co-authors), so ``statements`` counts what reaches the database itself:
SQLite's trace hook, or a counting cursor class on the psycopg connection. The
Django-logged queries are checked too, and shown when a bound is passed.

Each URL is requested once before it is counted: a profile's first visit in a
test may store a trust snapshot, which is a write, not a per-row query.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bzpeer.catalog.models import Author, Topic, Work

pytestmark = pytest.mark.django_db


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block."""
    log: list[str] = []
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    if connection.vendor == "sqlite":
        # "-- " lines are SQLite's own reads inside a statement (the full-text
        # index's shadow tables), not statements the site sent
        raw.set_trace_callback(lambda sql: None if sql.startswith("-- ") else log.append(sql))
        try:
            yield log
        finally:
            raw.set_trace_callback(None)
        return
    factory = raw.cursor_factory  # psycopg 3: every cursor, Django's or raw, is made from it

    class Counting(factory):
        def execute(self, query, *args, **kwargs):
            log.append(str(query))
            return super().execute(query, *args, **kwargs)

        def executemany(self, query, *args, **kwargs):
            log.append(str(query))
            return super().executemany(query, *args, **kwargs)

    raw.cursor_factory = Counting
    try:
        yield log
    finally:
        raw.cursor_factory = factory


@dataclass
class Counted:
    url: str
    total: int  # statements that reached the database
    logged: int  # of which Django logged
    sql: list[str]

    def __str__(self) -> str:
        listing = "\n".join(f"  {s[:160]}" for s in self.sql)
        return f"{self.url}: {self.total} statements ({self.logged} logged by Django)\n{listing}"


def count(client, url: str) -> Counted:
    assert client.get(url).status_code == 200, url  # warm: see the module docstring
    # Apart: Django's log on SQLite runs a statement a query to quote its parameters.
    with statements() as sent:
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as logged:
        assert client.get(url).status_code == 200, url
    return Counted(url, len(sent), len(logged), list(sent))


def within(counted: Counted, bound: int) -> None:
    assert counted.total <= bound, str(counted)
    assert counted.logged <= counted.total, str(counted)


@pytest.fixture
def chen() -> Author:
    return Author.objects.get(slug="tianlong-chen")


def test_home_page(client):
    within(count(client, "/"), 4)


def test_search_results(client):
    # works: the vocabulary, the count, a page, its records and authors, four
    # facets; the researchers beside them (count, page, records) and the
    # other kinds' counts; the taken-down records: whatever the matches
    within(count(client, "/?q=chen"), 17)
    within(count(client, "/search?q=chen&kind=authors"), 9)
    within(count(client, "/search/suggest?q=che"), 20)  # up to four a kind, five kinds


def test_profile_and_its_second_page(client, chen):
    assert chen.works_count > 40  # there is a full second page
    first = count(client, f"/researchers/{chen.slug}")
    second = count(client, f"/researchers/{chen.slug}?page=2")
    within(first, 15)
    assert second.total == first.total, f"{first}\n{second}"


def test_work_page_whatever_its_versions_and_authors(client):
    works = Work.objects.annotate(v=Count("versions", distinct=True), m=Count("mentions"))
    big = works.order_by("-v", "-m", "pk").first()
    small = works.filter(v=1).order_by("m", "pk").first()
    assert big is not None and small is not None and big.v > 2
    many, one = count(client, f"/works/{big.pk}"), count(client, f"/works/{small.pk}")
    within(many, 10)
    assert many.total == one.total, f"{many}\n{one}"


def test_topic_page_whatever_its_size(client):
    topics = Topic.objects.annotate(n=Count("worktopic"))
    largest = topics.order_by("-n", "pk").first()
    assert largest is not None and largest.n > 1000
    # a topic as deep in the same taxonomy, with a single work
    small = (
        topics.filter(scheme=largest.scheme, level=largest.level, n=1)
        .filter(parent__parent=largest.parent.parent if largest.parent else None)
        .order_by("pk")
        .first()
    )
    assert small is not None
    big, one = count(client, f"/topics/{largest.pk}"), count(client, f"/topics/{small.pk}")
    within(big, 8)
    assert big.total == one.total, f"{big}\n{one}"


def test_api_works_list_does_not_grow_with_per_page(client):
    # a count, the page's ids, its rows, then one query each for the authorships,
    # their institutions, identifiers, versions, citing works and topics
    ten = count(client, "/api/v1/works?per_page=10")
    hundred = count(client, "/api/v1/works?per_page=100")
    within(hundred, 9)
    assert hundred.total == ten.total, f"{ten}\n{hundred}"


def test_api_authors_list_does_not_grow_with_per_page(client):
    ten = count(client, "/api/v1/authors?per_page=10")
    hundred = count(client, "/api/v1/authors?per_page=100")
    within(hundred, 3)
    assert hundred.total == ten.total, f"{ten}\n{hundred}"


def test_api_works_of_an_author(client, chen):
    assert chen.works_count > 25  # per_page=100 lists them all, the default 25 of them
    ten = count(client, f"/api/v1/works?filter=author.id:A{chen.pk}&per_page=10")
    default = count(client, f"/api/v1/works?filter=author.id:A{chen.pk}")
    hundred = count(client, f"/api/v1/works?filter=author.id:A{chen.pk}&per_page=100")
    within(hundred, 9)
    assert hundred.total == default.total == ten.total, f"{ten}\n{hundred}"


def test_institution_page_whatever_its_size(client):
    from bzpeer.catalog.models import Institution

    places = Institution.objects.annotate(n=Count("affiliation")).order_by("-n", "pk")
    largest = places.first()
    assert largest is not None and largest.n > 30
    # as small, and like it in stating ROR relationships or not (one read of those)
    small = next(
        p for p in places.filter(n=1) if bool(p.relationships) == bool(largest.relationships)
    )
    big, one = (
        count(client, f"/institutions/{largest.pk}"),
        count(client, f"/institutions/{small.pk}"),
    )
    second = count(client, f"/institutions/{largest.pk}?people=2")
    within(big, 8)
    assert big.total == one.total == second.total, f"{big}\n{one}\n{second}"


def test_venue_page_whatever_its_size(client):
    from bzpeer.catalog.models import Venue

    venues = Venue.objects.annotate(n=Count("works")).order_by("-n", "pk")
    largest = venues.first()
    small = venues.filter(n=1).order_by("pk").first()
    assert largest is not None and small is not None and largest.n > 1000
    big, one = count(client, f"/sources/{largest.pk}"), count(client, f"/sources/{small.pk}")
    second = count(client, f"/sources/{largest.pk}?page=2")
    within(big, 8)
    assert big.total == one.total == second.total, f"{big}\n{one}\n{second}"


@pytest.mark.parametrize("entity", ["institutions", "topics", "sources"])
def test_api_other_entity_lists_do_not_grow_with_per_page(client, entity):
    # a count, the page's ids, its rows, their works counts
    ten = count(client, f"/api/v1/{entity}?per_page=10")
    hundred = count(client, f"/api/v1/{entity}?per_page=100&sort=works_count:desc")
    within(hundred, 4)
    assert hundred.total == ten.total, f"{ten}\n{hundred}"


def test_api_group_by_and_search_lists_are_flat(client):
    for url in (
        "/api/v1/works?group_by=type",
        "/api/v1/works?group-by=authorships.author.id&filter=publication_year:>2015",
        "/api/v1/authors?group_by=has_orcid",
    ):
        within(count(client, url), 3)
    few = count(client, "/api/v1/works?search=sparse&per_page=10")
    many = count(client, "/api/v1/works?search=sparse&per_page=100")
    assert many.total == few.total, f"{few}\n{many}"
