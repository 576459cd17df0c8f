"""The sitemap: an index of one sitemap per kind of page, files of at most
50,000 addresses, merged-away and taken-down researchers left out."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from bzpeer.catalog.models import Affiliation, Author, Institution, Topic, Venue, Work
from bzpeer.claims.models import Suppression
from bzpeer.exports import sitemaps

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _locs(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    return [e.text for e in root.findall(".//s:loc", NS)]


def _section(client, name: str) -> list[str]:
    out, page = [], 1
    for url in _locs(client, "/sitemap.xml"):
        if f"/sitemap-{name}.xml" in url:
            out += _locs(client, url.removeprefix("http://testserver"))
            page += 1
    return out


def test_the_index_lists_one_sitemap_per_kind(client):
    locs = _locs(client, "/sitemap.xml")
    assert locs == [
        f"http://testserver/sitemap-{name}.xml"
        for name in ["researchers", "works", "topics", "institutions", "venues"]
    ]


def test_the_sitemaps_list_every_page_once(client):
    works = _section(client, "works")
    assert sorted(works) == sorted(
        f"http://testserver/works/{pk}" for pk in Work.objects.values_list("pk", flat=True)
    )
    topics = _section(client, "topics")
    assert len(topics) == Topic.objects.count()
    places = _section(client, "institutions")
    linked = Institution.objects.filter(pk__in=Affiliation.objects.values("institution_id"))
    assert sorted(places) == sorted(f"http://testserver/institutions/{i.pk}" for i in linked)
    assert 0 < len(places) < Institution.objects.count() or len(places) == linked.count()
    venues = _section(client, "venues")
    used = Venue.objects.filter(pk__in=Work.objects.values("venue_id"))
    assert sorted(venues) == sorted(f"http://testserver/sources/{v.pk}" for v in used)
    assert venues and client.get(venues[0].removeprefix("http://testserver")).status_code == 200


def test_merged_and_taken_down_researchers_are_left_out(client, reference_author):
    merged, hidden = Author.objects.filter(merged_into=None).exclude(pk=reference_author.pk)[:2]
    Author.objects.filter(pk=merged.pk).update(merged_into=reference_author)
    Suppression.objects.create(author=hidden, reason="about me", status="approved")
    people = _section(client, "researchers")
    assert f"http://testserver/researchers/{reference_author.slug}" in people
    assert f"http://testserver/researchers/{merged.slug}" not in people
    assert f"http://testserver/researchers/{hidden.slug}" not in people
    expected = Author.objects.filter(merged_into=None).count() - 1
    assert len(people) == expected


def test_a_kind_larger_than_one_file_is_split_and_indexed(client, monkeypatch):
    monkeypatch.setattr(sitemaps.Works, "limit", 1000)
    total = Work.objects.count()
    assert total > 2000
    files = [u for u in _locs(client, "/sitemap.xml") if "sitemap-works" in u]
    assert len(files) == -(-total // 1000)
    assert files[1] == "http://testserver/sitemap-works.xml?p=2"
    assert len(_locs(client, "/sitemap-works.xml?p=2")) == 1000
    assert client.get(f"/sitemap-works.xml?p={len(files) + 1}").status_code == 404
    assert client.get("/sitemap-works.xml?p=abc").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
