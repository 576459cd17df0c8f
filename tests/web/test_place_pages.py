"""Institution and venue pages as a visitor sees them, and the links to them."""

import re

import pytest
from django.db.models import Count

from bzpeer.catalog.models import (
    Affiliation,
    Author,
    AuthorshipMention,
    Institution,
    MentionInstitution,
    Venue,
    Work,
    WorkTopic,
)
from bzpeer.claims.models import Suppression
from bzpeer.web.places import PEOPLE_PAGE_SIZE
from bzpeer.web.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>\u202eevil'


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _years(page: str) -> list[int]:
    return [int(y) for y in re.findall(r'<span class="year">(\d{4})</span>', page)]


def _works_of(place: Institution) -> set[int]:
    return set(
        MentionInstitution.objects.filter(institution=place).values_list(
            "mention__work_id", flat=True
        )
    )


def _people(response) -> str:
    """The people section of an institution page."""
    page = response.content.decode()
    return page.split('class="institution-people"')[1].split("</section>")[0]


def people_count(place: Institution) -> int:
    return Affiliation.objects.filter(institution=place).count()


@pytest.fixture
def busiest() -> Institution:
    """The demo's institution with most affiliated records (more than a page of people)."""
    place = Institution.objects.get(ror="05dxps055")
    assert Affiliation.objects.filter(institution=place).count() > PEOPLE_PAGE_SIZE
    return place


def test_institution_page_shows_every_section(client, busiest):
    response = client.get(f"/institutions/{busiest.pk}")
    assert response.status_code == 200
    page, text = response.content.decode(), _text(response)
    assert "California Institute of Technology" in text
    assert "US" in text
    assert 'href="https://ror.org/05dxps055"' in page
    works = _works_of(busiest)
    assert f"{len(works)} works" in text
    # works, newest first, each with its linked author list
    years = _years(page)
    assert years == sorted(years, reverse=True) and len(years) == min(len(works), PAGE_SIZE)
    for pk in list(works)[:5]:
        assert f'href="/works/{pk}"' in page
    somebody = AuthorshipMention.objects.filter(work_id__in=works).exclude(author=None).first()
    assert f'href="/researchers/{somebody.author.slug}"' in page
    # people: affiliated records with their works counts
    first = (
        Affiliation.objects.filter(institution=busiest)
        .select_related("author")
        .order_by("-end_year", "-works_count", "author_id")
        .first()
    )
    assert f'href="/researchers/{first.author.slug}"' in page
    assert f"{first.author.works_count} work" in text
    # topics of its works, linked to their pages
    topic = (
        WorkTopic.objects.filter(work_id__in=works)
        .values("topic_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert f'href="/topics/{topic["topic_id"]}"' in page
    # works per year, following, the feed and the explorer
    assert "Works per year" in text and '<svg class="chart"' in page
    assert f'action="/follow/institution/{busiest.pk}"' in page
    assert f'href="/institutions/{busiest.pk}/feed.atom"' in page
    assert f'href="/explore?focus=institution:I{busiest.pk}"' in page


def test_people_are_paged_current_first(client, busiest):
    people = Affiliation.objects.filter(institution=busiest).select_related("author")
    current = people.order_by("author__works_count", "author_id").first()
    current.end_year = None
    current.save()
    first = client.get(f"/institutions/{busiest.pk}").content.decode()
    listed = re.findall(
        r'<li><a href="/researchers/([^"]+)">', first.split("institution-people")[1]
    )
    assert listed[0] == current.author.slug and len(listed) == PEOPLE_PAGE_SIZE
    second = client.get(f"/institutions/{busiest.pk}?people=2").content.decode()
    rest = re.findall(r'<li><a href="/researchers/([^"]+)">', second.split("institution-people")[1])
    assert len(rest) == people.count() - PEOPLE_PAGE_SIZE
    assert not set(rest) & set(listed)
    assert set(rest) | set(listed) == {a.author.slug for a in people}


def test_works_are_paged_newest_first(client, reference_author):
    """UNC's few works, grown past a page by linking the reference record's mentions."""
    unc = Institution.objects.get(name="University of North Carolina at Chapel Hill")
    mentions = AuthorshipMention.objects.filter(author=reference_author)
    MentionInstitution.objects.bulk_create(
        MentionInstitution(mention=m, institution=unc) for m in mentions
    )
    works = _works_of(unc)
    assert len(works) > PAGE_SIZE
    first = client.get(f"/institutions/{unc.pk}").content.decode()
    last_page = -(-len(works) // PAGE_SIZE)
    last = client.get(f"/institutions/{unc.pk}?page={last_page}").content.decode()
    shown = re.findall(r'<h3><a href="/works/(\d+)">', first + last)
    assert len(shown) == PAGE_SIZE + len(works) - (last_page - 1) * PAGE_SIZE
    assert _years(first)[-1] >= _years(last)[0]
    assert f"page 1 of {last_page}" in _text(client.get(f"/institutions/{unc.pk}"))
    assert "?page=2" in first


def test_taken_down_and_merged_records_are_not_among_the_people(client, busiest):
    people = list(
        Affiliation.objects.filter(institution=busiest)
        .select_related("author")
        .order_by("author_id")[:2]
    )
    hidden, merged = people[0].author, people[1].author
    Suppression.objects.create(author=hidden, reason="me", status="approved")
    survivor = Author.objects.exclude(pk__in=[hidden.pk, merged.pk]).first()
    merged.merged_into = survivor
    merged.save()
    listed = "".join(_people(client.get(f"/institutions/{busiest.pk}?people={n}")) for n in (1, 2))
    assert f'href="/researchers/{hidden.slug}"' not in listed
    assert f'href="/researchers/{merged.slug}"' not in listed
    assert listed.count('href="/researchers/') == people_count(busiest) - 2
    total = Affiliation.objects.filter(institution=busiest).count()
    assert f"{total - 2} researchers" in _text(client.get(f"/institutions/{busiest.pk}"))


def test_parent_and_child_link_to_each_other(client):
    anu = Institution.objects.get(name="Australian National University")
    stromlo = Institution.objects.get(name="Mount Stromlo Observatory")
    parent = client.get(f"/institutions/{anu.pk}").content.decode()
    assert f'href="/institutions/{stromlo.pk}"' in parent
    assert "Calvary Hospital" in parent  # a relationship we hold no record of: its label
    assert "ANU" in parent  # the acronym
    child = client.get(f"/institutions/{stromlo.pk}").content.decode()
    assert f'href="/institutions/{anu.pk}"' in child and "parent" in child


def test_unknown_ids_are_404(client):
    assert client.get("/institutions/987654321").status_code == 404
    assert client.get("/sources/987654321").status_code == 404
    assert client.get("/institutions/99999999999999999999999").status_code == 404


def test_hostile_institution_and_venue_are_escaped(client):
    place = Institution.objects.create(
        name=HOSTILE,
        ror="javascrip",
        city=HOSTILE,
        country="<b",
        kind=HOSTILE[:32],
        aliases=[HOSTILE],
        acronyms=["<i>"],
        labels=[HOSTILE],
        links=["javascript:alert(1)", 'https://ok.example/"onmouseover='],
        relationships=[{"type": "<parent>", "ror": "x", "label": HOSTILE}, "junk"],
    )
    venue = Venue.objects.create(
        key="hostile-venue",
        name=HOSTILE,
        kind=HOSTILE[:16],
        aliases=[HOSTILE],
        issn_l="<b>1234",
        openalex_id='S1"><x',
    )
    for url in (f"/institutions/{place.pk}", f"/sources/{venue.pk}"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "<script>alert" not in page and "<i>" not in page and "<b>" not in page
        assert "&lt;b" in page
        assert "&lt;script&gt;" in page
        assert "javascript:" not in page and "onmouseover" not in page
        assert "<bdi>&lt;script&gt;" in page  # isolated in its own direction


def test_venue_page_shows_every_section_and_pages(client):
    venue = Venue.objects.annotate(n=Count("works")).order_by("-n", "id").first()
    assert venue.n > 2 * PAGE_SIZE
    response = client.get(f"/sources/{venue.pk}")
    assert response.status_code == 200
    page, text = response.content.decode(), _text(response)
    assert venue.name in text and f"{venue.n:,} works" in text
    years = _years(page)
    assert years == sorted(years, reverse=True) and len(years) == PAGE_SIZE
    assert "Works per year" in text and '<svg class="chart"' in page
    top = (
        AuthorshipMention.objects.filter(work__venue=venue)
        .exclude(author=None)
        .values("author_id")
        .annotate(n=Count("work_id", distinct=True))
        .order_by("-n", "author_id")
        .first()
    )
    author = Author.objects.get(pk=top["author_id"])
    assert f'href="/researchers/{author.slug}"' in page.split("Top authors")[1]
    assert f"{top['n']} work" in _text(response).split("Top authors")[1]
    assert 'href="/topics/' in page.split("Top authors")[1]
    second = client.get(f"/sources/{venue.pk}?page=2").content.decode()
    assert _years(second)[0] <= years[-1]
    assert set(re.findall(r'/works/(\d+)"', second)).isdisjoint(re.findall(r'/works/(\d+)"', page))
    # taken down: not among the top authors
    Suppression.objects.create(author=author, reason="me", status="approved")
    again = client.get(f"/sources/{venue.pk}").content.decode()
    assert f'href="/researchers/{author.slug}"' not in again.split("Top authors")[1]


def test_venue_identifiers_link_out(client):
    venue = Venue.objects.exclude(openalex_id="").filter(works__isnull=False).first()
    page = client.get(f"/sources/{venue.pk}").content.decode()
    assert f'href="https://openalex.org/{venue.openalex_id}"' in page


def test_profile_links_affiliations_and_venues(client, reference_author):
    page = client.get(f"/researchers/{reference_author.slug}").content.decode()
    unc = Institution.objects.get(name="University of North Carolina at Chapel Hill")
    # the header's affiliation and the affiliations list
    assert page.count(f'href="/institutions/{unc.pk}"') == 2
    shown = Work.objects.filter(mentions__author=reference_author).exclude(venue=None)
    venues = {w.venue_id for w in shown}
    linked = {int(v) for v in re.findall(r'href="/sources/(\d+)"', page)}
    assert linked and linked <= venues


def test_work_page_links_its_venue(client):
    work = Work.objects.exclude(venue=None).exclude(venue_name="").order_by("id").first()
    page = client.get(f"/works/{work.pk}").content.decode()
    assert f'href="/sources/{work.venue_id}"' in page


def test_explorer_institution_nodes_open_the_institution_page(client, busiest):
    page = client.get("/explore", {"focus": f"institution:I{busiest.pk}"}).content.decode()
    assert f'href="/institutions/{busiest.pk}"' in page
    assert f'action="/follow/institution/{busiest.pk}"' in page
