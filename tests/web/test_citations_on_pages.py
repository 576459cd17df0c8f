"""What exports adds to the pages: the work's "Cite" box, the profile's export
menu, and schema.org JSON-LD (Person, ScholarlyArticle) that stranger text
cannot break out of."""

from __future__ import annotations

import html
import json
import re

import pytest

from bzpeer.catalog.models import Author, Work, WorkIdentifier
from bzpeer.catalog.queries import author_lists
from bzpeer.claims.models import OwnerProfile, Suppression

pytestmark = pytest.mark.django_db


def _json_ld(page: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(b) for b in blocks]


def _granet() -> Work:
    return Work.objects.get(title__startswith="Sparse Training via Boosting Pruning")


def test_a_work_page_describes_its_article(client):
    work = _granet()
    (data,) = _json_ld(client.get(f"/works/{work.pk}").content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ScholarlyArticle"
    assert data["headline"] == work.title[:110] and data["name"] == work.title
    assert data["url"] == f"http://testserver/works/{work.pk}"
    people = author_lists([work.pk])[work.pk]
    assert [a["name"] for a in data["author"]] == [p.name for p in people]
    chen = next(a for a in data["author"] if a["name"] == "Tianlong Chen")
    assert chen["url"] == "http://testserver/researchers/tianlong-chen"
    assert chen["familyName"] == "Chen" and chen["givenName"] == "Tianlong"
    assert data["datePublished"].startswith(str(work.year))
    assert data["isPartOf"] == {"@type": "CreativeWork", "name": "NeurIPS"}
    doi = WorkIdentifier.objects.filter(work=work, scheme="doi").order_by("value").first()
    if doi:
        assert data["identifier"]["value"] == doi.value


def test_the_json_ld_block_cannot_be_broken_out_of(client):
    work = _granet()
    hostile = '</script><script>alert(1)</script><!-- & "quotes"'
    Work.objects.filter(pk=work.pk).update(title=hostile, venue_name="</SCRIPT >")
    page = client.get(f"/works/{work.pk}").content.decode()
    head = page.split("</head>")[0]
    assert head.count("<script") == 2  # the JSON-LD and the site's module, nothing more
    assert "alert(1)</script>" not in page.split('<details class="cite">')[0]
    (data,) = _json_ld(page)
    assert data["name"] == hostile
    assert data["isPartOf"]["name"] == "</SCRIPT >"
    assert "\\u003c/script\\u003e" in head


def test_a_profile_describes_its_person(client, reference_author):
    (data,) = _json_ld(client.get(f"/researchers/{reference_author.slug}").content.decode())
    assert data["@type"] == "Person"
    assert data["name"] == "Tianlong Chen"
    assert data["url"] == "http://testserver/researchers/tianlong-chen"
    same = data.get("sameAs", [])
    if reference_author.orcid:
        assert f"https://orcid.org/{reference_author.orcid}" in same
    if reference_author.openalex_id:
        assert f"https://openalex.org/{reference_author.openalex_id}" in same
    names = [a["name"] for a in data["affiliation"]]
    assert "University of North Carolina at Chapel Hill" in names


def test_a_profile_names_the_orcid_its_owner_states(client, owner, reference_author):
    Author.objects.filter(pk=reference_author.pk).update(orcid=None)
    OwnerProfile.objects.update_or_create(
        author=reference_author, defaults={"user": owner, "orcid": "0000-0002-1825-0097"}
    )
    (data,) = _json_ld(client.get(f"/researchers/{reference_author.slug}").content.decode())
    assert "https://orcid.org/0000-0002-1825-0097" in data["sameAs"]


def test_the_cite_box_shows_the_reference_and_bibtex(client):
    work = _granet()
    page = client.get(f"/works/{work.pk}").content.decode()
    box = page.split('<details class="cite">')[1].split("</details>")[0]
    assert "<summary>Cite</summary>" in box
    reference = html.unescape(re.sub(r"<[^>]+>", "", box.split('class="reference" dir="auto">')[1]))
    assert reference.startswith("Liu, S., Chen, T.,")
    assert f"({work.year}). Sparse Training via Boosting Pruning" in reference
    bibtex = html.unescape(box.split('class="bibtex"')[1].split(">", 1)[1].split("</textarea>")[0])
    assert bibtex.startswith("@inproceedings{liu2021sparse,")
    assert "booktitle = {NeurIPS}" in bibtex
    for fmt in ["bib", "ris", "json"]:
        assert f'href="/works/{work.pk}/cite.{fmt}" download' in box


def test_the_cite_box_escapes_what_a_record_holds(client):
    work = _granet()
    Work.objects.filter(pk=work.pk).update(title="<img src=x onerror=alert(1)> & more")
    box = client.get(f"/works/{work.pk}").content.decode().split('<details class="cite">')[1]
    assert "<img" not in box.split("</details>")[0]
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in box


def test_the_profiles_export_menu_honours_its_filter(client, reference_author):
    page = client.get(f"/researchers/{reference_author.slug}").content.decode()
    assert f'href="/researchers/{reference_author.slug}/works.bib" download' in page
    page = client.get(
        f"/researchers/{reference_author.slug}?year=2021&type=conference-paper&page=2"
    ).content.decode()
    menu = page.split('class="exports small"')[1].split("</p>")[0]
    assert "matching the filter" in menu
    for fmt in ["bib", "ris", "json"]:
        assert (
            f'href="/researchers/{reference_author.slug}/works.{fmt}?year=2021&amp;type=conference-paper"'
            in menu
        )


def test_a_taken_down_coauthor_is_not_linked_from_a_works_json_ld(client, reference_author):
    work = Work.objects.filter(mentions__author=reference_author).order_by("pk").first()
    profile = f"http://testserver/researchers/{reference_author.slug}"
    (data,) = _json_ld(client.get(f"/works/{work.pk}").content.decode())
    assert profile in [a.get("url") for a in data["author"]]
    Suppression.objects.create(author=reference_author, reason="about me", status="approved")
    (data,) = _json_ld(client.get(f"/works/{work.pk}").content.decode())
    assert profile not in [a.get("url") for a in data["author"]]
    assert "Tianlong Chen" in [a["name"] for a in data["author"]]  # the byline stays


def test_an_email_in_a_record_is_not_in_the_cite_box_or_the_json_ld(client, reference_author):
    work = Work.objects.filter(mentions__author=reference_author).order_by("pk").first()
    Work.objects.filter(pk=work.pk).update(
        title="Sparse Training, write to someone@evil.example now",
        venue_name="Proceedings (contact: editor [at] venue.example)",
    )
    page = client.get(f"/works/{work.pk}").content.decode()
    blocks = [
        page.split('type="application/ld+json">')[1].split("</script>")[0],
        page.split('<details class="cite">')[1].split("</details>")[0],
    ]
    for body in blocks:
        assert "Sparse Training, write to" in body
        body = re.sub(r">@\w+\{", "", body)  # BibTeX's own @
        body = re.sub(r'"@(context|type|id)"', "", body)  # and JSON-LD's
        for leak in ("evil.example", "venue.example", "@", "[at]"):
            assert leak not in body
