"""The download addresses: what each answers, what it leaves out (e-mail
addresses, taken-down records), and 4xx for what makes no sense."""

from __future__ import annotations

import re

import bibtexparser
import orjson
import pytest
import rispy

from bzpeer.catalog.models import Author, AuthorshipMention, Work
from bzpeer.claims.models import Suppression
from bzpeer.exports import views
from bzpeer.search.queries import find

pytestmark = pytest.mark.django_db

FORMATS = ["bib", "ris", "json"]


def _work_of(author: Author) -> Work:
    return Work.objects.filter(mentions__author=author).order_by("pk").first()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_work_downloads_with_its_key_as_filename(client, reference_author, fmt):
    work = _work_of(reference_author)
    response = client.get(f"/works/{work.pk}/cite.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == f"{views.FORMATS[fmt]}; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith(f'.{fmt}"')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_email_in_a_record_never_leaves_in_an_export(client, reference_author):
    work = _work_of(reference_author)
    Work.objects.filter(pk=work.pk).update(
        title="Sparse Training, write to someone@evil.example now",
        venue_name="Proceedings (contact: editor [at] venue.example)",
    )
    mention = AuthorshipMention.objects.filter(work=work, author__isnull=False).first()
    Author.objects.filter(pk=mention.author_id).update(display_name="Jane Doe jane@doe.example")
    pages = [f"/works/{work.pk}/cite.{fmt}" for fmt in FORMATS] + [
        f"/researchers/{reference_author.slug}/works.{fmt}" for fmt in FORMATS
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "Sparse Training, write to" in body, url
        body = re.sub(r"^@\w+\{", "", body, flags=re.MULTILINE)  # BibTeX's own @
        for leak in ("evil.example", "venue.example", "doe.example", "@", "[at]"):
            assert leak not in body, url


def _suppress(author: Author) -> None:
    Suppression.objects.create(author=author, reason="about me", status="approved")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_taken_down_record_is_not_exported(client, reference_author, fmt):
    _suppress(reference_author)
    response = client.get(f"/researchers/{reference_author.slug}/works.{fmt}")
    assert response.status_code == 410
    assert b"Tianlong" not in response.content


def test_a_merged_record_sends_to_its_survivors_export(client, reference_author):
    other = Author.objects.exclude(pk=reference_author.pk).filter(merged_into=None).first()
    Author.objects.filter(pk=other.pk).update(merged_into=reference_author)
    response = client.get(f"/researchers/{other.slug}/works.bib?year=2021")
    assert response.status_code == 301
    assert response["Location"] == f"/researchers/{reference_author.slug}/works.bib?year=2021"


def test_unknown_records_and_formats_answer_404(client, reference_author):
    assert client.get("/works/999999999/cite.bib").status_code == 404
    assert client.get("/researchers/nobody-at-all/works.ris").status_code == 404
    work = _work_of(reference_author)
    assert client.get(f"/works/{work.pk}/cite.pdf").status_code == 404
    assert client.get(f"/works/{work.pk}/cite.").status_code == 404


def test_a_search_exports_its_works_best_first(client):
    response = client.get("/search/works.bib?q=sparse+training")
    assert response.status_code == 200
    assert 'filename="search-works.bib"' in response["Content-Disposition"]
    entries = bibtexparser.parse_string(response.content.decode()).entries
    found = find("works", "sparse training", views.SEARCH_LIMIT)
    assert len(entries) == len(found.ids) == found.total > 1
    urls = [e.fields_dict["url"].value for e in entries]
    ris = rispy.loads(client.get("/search/works.ris?q=sparse+training").content.decode())
    assert [r["urls"] for r in ris] == [[u] for u in urls]
    titles = [
        i["title"] for i in orjson.loads(client.get("/search/works.json?q=sparse+training").content)
    ]
    works = Work.objects.in_bulk(found.ids)
    assert titles == [works[pk].title for pk in found.ids]


def test_a_search_export_is_capped_and_says_so(client, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_LIMIT", 3)
    found = find("works", "sparse", 1000)
    assert found.total > 3
    response = client.get("/search/works.bib?q=sparse")
    library = bibtexparser.parse_string(response.content.decode())
    assert len(library.entries) == 3
    assert response["X-Export-Count"] == "3"
    (comment,) = library.comments
    assert f"the first 3 of {found.total:,} works" in comment.comment
    assert len(orjson.loads(client.get("/search/works.json?q=sparse").content)) == 3


def test_a_search_without_words_is_a_bad_request(client):
    for query in ["", "?q=", "?q=%20%20", "?other=1"]:
        response = client.get(f"/search/works.bib{query}")
        assert response.status_code == 400
    assert client.get("/search/works.json?q=" + "a" * 5000).status_code == 200


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode().splitlines()
