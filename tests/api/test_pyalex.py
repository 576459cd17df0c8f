"""pyalex, a real OpenAlex client, unchanged, drives the API on the live test
server: every call it makes is one a user of OpenAlex would make, and every
answer is checked against the catalog (the demo data).

pyalex writes ``https://api.openalex.org/<entity>...`` into its URLs; the
``openalex_here`` fixture gives requests a transport adapter for that host
which sends each request to the live server's ``/api/v1`` instead. Any other
host is refused: no test touches the network."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import pyalex
import pytest
import requests
from pyalex import Authors, Institutions, Sources, Topics, Works

from bzpeer.catalog.models import (
    Author,
    AuthorshipMention,
    Institution,
    Topic,
    Venue,
    Work,
    WorkIdentifier,
    WorkTopic,
)
from bzpeer.search import queries as search

OPENALEX = "https://api.openalex.org"


@pytest.fixture
def transactional_db(django_db_blocker) -> Iterator[None]:
    """The live server reads the session's demo data; these tests only read,
    and pytest-django's flush after a transactional test would empty it."""
    with django_db_blocker.unblock():
        yield


class ToLiveServer(requests.adapters.HTTPAdapter):
    """Sends what pyalex asks of OpenAlex to this API on the live server."""

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root

    def send(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        parts = urlsplit(request.url)
        request.url = f"{self.root}/api/v1{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return super().send(request, *args, **kwargs)


@pytest.fixture
def openalex_here(live_server, monkeypatch) -> str:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    forward = ToLiveServer(live_server.url)
    default = requests.Session.get_adapter

    def get_adapter(session, url):  # type: ignore[no-untyped-def]
        if url.startswith(OPENALEX):
            return forward
        if not url.startswith(live_server.url):
            raise AssertionError(f"a test reached for the network: {url}")
        return default(session, url)

    monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
    return live_server.url


def pk(record: dict) -> int:
    """Our row id from an answer's ``id`` (``http://<host>/W12``)."""
    return int(record["id"].rsplit("/", 1)[-1][1:])


@pytest.fixture
def chen() -> Author:
    return Author.objects.get(slug="tianlong-chen")


def test_get_a_work_by_every_id_form(openalex_here):
    work = WorkIdentifier.objects.get(scheme="arxiv", value="2106.10404").work
    doi = WorkIdentifier.objects.filter(scheme="doi").order_by("id").first()
    oa = WorkIdentifier.objects.filter(scheme="openalex").order_by("id").first()
    assert doi is not None and oa is not None
    for form in (f"W{work.pk}", f"{openalex_here}/W{work.pk}", "arxiv:2106.10404"):
        got = Works()[form]
        assert pk(got) == work.pk, form
        assert got["display_name"] == work.title
        assert got["publication_year"] == work.year == 2021
        assert got["abstract"] == " ".join(work.abstract.split())  # from the inverted index
    for form in (f"doi:{doi.value}", f"https://doi.org/{doi.value}"):
        assert pk(Works()[form]) == doi.work_id, form
    for form in (f"https://openalex.org/{oa.value}", f"openalex:{oa.value}"):
        assert pk(Works()[form]) == oa.work_id, form


def test_get_authors_institutions_topics_sources_by_their_ids(openalex_here, chen):
    priem = Author.objects.get(openalex_id="A5023888391")
    for form in (
        f"A{priem.pk}",
        f"{openalex_here}/A{priem.pk}",
        "https://openalex.org/A5023888391",
        f"orcid:{priem.orcid}",
        f"https://orcid.org/{priem.orcid}",
        priem.slug,
    ):
        got = Authors()[form]
        assert pk(got) == priem.pk, form
        assert got["display_name"] == priem.display_name
        assert got["works_count"] == priem.works_count
    assert Authors()[f"A{chen.pk}"]["last_known_institutions"][0]["display_name"].startswith(
        "University of North Carolina"
    )
    inst = Institution.objects.exclude(openalex_id=None).exclude(ror=None).order_by("id").first()
    assert inst is not None
    for form in (
        f"I{inst.pk}",
        f"ror:{inst.ror}",
        f"https://ror.org/{inst.ror}",
        f"https://openalex.org/{inst.openalex_id}",
    ):
        got = Institutions()[form]
        assert (pk(got), got["display_name"], got["country_code"]) == (
            inst.pk,
            inst.name,
            inst.country,
        ), form
    nature = Venue.objects.get(issn_l="0028-0836")
    for form in (f"S{nature.pk}", "issn:0028-0836", f"https://openalex.org/{nature.openalex_id}"):
        got = Sources()[form]
        assert pk(got) == nature.pk, form
        assert got["works_count"] == Work.objects.filter(venue=nature).count()
    topic = Topic.objects.get(external_id="openalex:T10309")
    for form in (f"T{topic.pk}", "https://openalex.org/T10309"):
        got = Topics()[form]
        assert pk(got) == topic.pk, form
        assert got["works_count"] == WorkTopic.objects.filter(topic=topic).count()
        assert got["subfield"]["display_name"] == "Astronomy and Astrophysics"
        assert got["field"]["display_name"] == "Physics and Astronomy"
        assert got["domain"]["display_name"] == "Physical Sciences"


def test_an_unknown_id_is_a_404(openalex_here):
    with pytest.raises(requests.HTTPError) as error:
        Works()["W999999999"]
    assert error.value.response.status_code == 404
    assert error.value.response.headers["Access-Control-Allow-Origin"] == "*"


def test_search(openalex_here, chen):
    found = Authors().search("tianlong chen").get()
    assert pk(found[0]) == chen.pk
    assert found[0]["relevance_score"] > 0
    works = Works().search("sparse").get(per_page=200)
    expected = search.find("works", "sparse", 10_000)
    assert works.meta["count"] == expected.total
    assert [pk(w) for w in works] == expected.ids[:200]


def test_filters_with_or_not_and_ranges(openalex_here, chen):
    works = Work.objects.all()
    either = Works().filter_or(publication_year=[2020, 2021]).count()
    assert either == works.filter(year__in=[2020, 2021]).count()
    assert Works().filter_not(type="preprint").count() == works.exclude(type="preprint").count()
    assert Works().filter_gt(publication_year=2020).count() == works.filter(year__gt=2020).count()
    assert Works().filter_lt(publication_year=2000).count() == works.filter(year__lt=2000).count()
    span = Works().filter(publication_year="2018-2020").count()
    assert span == works.filter(year__gte=2018, year__lte=2020).count()
    mine = Works().filter(authorships={"author": {"id": f"A{chen.pk}"}}, publication_year=2021)
    expected = works.filter(
        id__in=AuthorshipMention.objects.filter(author=chen).values("work_id"), year=2021
    )
    assert {pk(w) for w in mine.get(per_page=200)} == set(expected.values_list("id", flat=True))
    dois = WorkIdentifier.objects.filter(scheme="doi").values("work_id")
    assert Works().filter(has_doi=True).count() == works.filter(id__in=dois).count()
    with pytest.raises(pyalex.api.QueryError, match="not a valid field"):
        Works().filter(nonsense=1).get()


def test_filters_of_the_other_entities(openalex_here):
    us = Institutions().filter(country_code="us").count()
    assert us == Institution.objects.filter(country="US").count() > 0
    not_us = Institutions().filter_not(country_code="us").count()
    assert us + not_us == Institution.objects.count()
    assert Authors().filter(has_orcid=True).count() == (
        Author.objects.filter(merged_into=None).exclude(orcid=None).exclude(orcid="").count()
    )
    busy = Authors().filter_gt(works_count=20).get(per_page=200)
    assert {pk(a) for a in busy} == set(
        Author.objects.filter(merged_into=None, works_count__gt=20).values_list("id", flat=True)
    )
    assert (
        Sources().filter(type="repository").count()
        == Venue.objects.filter(kind="repository").count()
    )


def test_sort_and_select(openalex_here):
    authors = Authors().sort(works_count="desc").get(per_page=50)
    counts = [a["works_count"] for a in authors]
    assert counts == sorted(counts, reverse=True)
    top = Author.objects.filter(merged_into=None).order_by("-works_count", "id").first()
    assert pk(authors[0]) == top.pk
    oldest = Works().sort(publication_year="asc").get(per_page=5)
    assert oldest[0]["publication_year"] == min(
        Work.objects.exclude(year=None).values_list("year", flat=True)
    )
    picked = Works().select(["id", "display_name"]).get(per_page=3)
    assert all(set(w) == {"id", "display_name"} for w in picked)
    with pytest.raises(pyalex.api.QueryError, match="not a valid select field"):
        Works().select(["id", "nonsense"]).get()


def test_group_by(openalex_here):
    groups = Works().group_by("type").get()
    expected = Counter(Work.objects.values_list("type", flat=True))
    assert {g["key"]: g["count"] for g in groups} == dict(expected)
    assert groups.meta["groups_count"] == len(expected)
    years = Works().filter(publication_year="2019-2021").group_by("publication_year").get()
    assert {int(g["key"]): g["count"] for g in years} == dict(
        Counter(Work.objects.filter(year__gte=2019, year__lte=2021).values_list("year", flat=True))
    )
    countries = Institutions().group_by("country_code").get()
    assert sum(g["count"] for g in countries) == Institution.objects.count()


def test_sample_with_a_seed_is_reproducible(openalex_here):
    first = [pk(w) for w in Works().sample(20, seed=7).get(per_page=20)]
    again = [pk(w) for w in Works().sample(20, seed=7).get(per_page=20)]
    other = [pk(w) for w in Works().sample(20, seed=8).get(per_page=20)]
    assert first == again != other
    assert len(set(first)) == 20
    assert Work.objects.filter(id__in=first).count() == 20
    paged = [
        pk(w)
        for page in Works().sample(30, seed=7).paginate(method="page", per_page=10)
        for w in page
    ]
    assert len(paged) == len(set(paged)) == 30


def test_cursor_and_page_paging(openalex_here, chen):
    pages = Works().filter(author={"id": f"A{chen.pk}"}).paginate(per_page=25)
    seen = [pk(w) for page in pages for w in page]
    assert len(seen) == len(set(seen)) == chen.works_count
    by_page = Institutions().paginate(method="page", per_page=50)
    every = [pk(i) for page in by_page for i in page]
    assert sorted(every) == sorted(Institution.objects.values_list("id", flat=True))
    assert Topics().count() == Topic.objects.count()
    assert Sources().count() == Venue.objects.count()


def test_a_list_of_ids(openalex_here):
    wanted = list(Work.objects.order_by("id").values_list("id", flat=True)[:5])
    oa = WorkIdentifier.objects.filter(scheme="openalex").order_by("id").first()
    assert oa is not None
    got = Works()[[f"W{i}" for i in wanted] + [f"https://openalex.org/{oa.value}"]]
    assert {pk(w) for w in got} == {*wanted, oa.work_id}


def test_autocomplete(openalex_here, chen):
    typed = Authors().autocomplete("tianlong")
    assert pk(typed[0]) == chen.pk
    assert typed[0]["entity_type"] == "author"
    assert typed[0]["works_count"] == chen.works_count
    anything = pyalex.autocomplete("chen")
    assert {r["entity_type"] for r in anything} >= {"author", "work"}
    for row in anything:
        model = {"author": Author, "work": Work, "topic": Topic, "institution": Institution}.get(
            row["entity_type"], Venue
        )
        assert model.objects.filter(pk=pk(row)).exists()
