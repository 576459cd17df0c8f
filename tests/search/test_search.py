"""Search as a person types it (issue 25): accents, typos, initials, name
order, whole words, identifiers, facets and suggestions; the index kept up by
imports and corrections. Runs on SQLite FTS5 and on PostgreSQL full text."""

from __future__ import annotations

import re

import pytest

from bzpeer.catalog.models import Author, Institution, Topic, Venue, Work, WorkIdentifier
from bzpeer.curation import corrections
from bzpeer.ingest.pipeline import run_import
from bzpeer.search import index
from bzpeer.search import queries as search

pytestmark = pytest.mark.django_db


def names(entity: str, text: str, n: int = 10) -> list[str]:
    found = search.find(entity, text, n)
    model = search.MODELS[entity]
    rows = model._default_manager.in_bulk(found.ids)
    return [str(getattr(rows[pk], search.NAME[entity])) for pk in found.ids]


def test_accents_and_case_never_matter():
    assert "José Gobbi" in names("authors", "jose gobbi")
    assert "José Gobbi" in names("authors", "JOSÉ GOBBI")
    with_umlaut = Author.objects.filter(display_name__contains="ü", merged_into=None).first()
    assert with_umlaut is not None
    plain = with_umlaut.display_name.replace("ü", "u")
    assert names("authors", plain)[0] == with_umlaut.display_name


def test_the_exact_name_comes_first_in_either_order():
    assert names("authors", "Tianlong Chen")[0] == "Tianlong Chen"
    assert names("authors", "Chen, Tianlong")[0] == "Tianlong Chen"


def test_initials_find_the_person():
    for typed in ("T. Chen", "Chen T", "t chen"):
        assert "Tianlong Chen" in names("authors", typed, 50), typed
        assert all(re.search(r"(^|[\s.-])T", n) for n in names("authors", typed, 50)), (
            typed
        )  # every answer has a T initial


def test_one_or_two_typos_are_mended_and_said():
    found = search.find("authors", "Tianlong Chn")
    assert found.suggestion == "tianlong chen"
    assert names("authors", "Tianlong Chn")[0] == "Tianlong Chen"
    found = search.find("works", "Sparse Trainig")
    assert found.suggestion == "sparse training" and found.total > 0
    assert any("Sparse Training" in t for t in names("works", "Sparse Trainig"))
    assert search.find("works", "Sparse Training").suggestion is None


def test_words_match_whole_never_inside_another():
    kitchen = Author.objects.create(
        display_name="Anna Kitchen", name_key="kitchen_a", slug="anna-kitchen"
    )
    index.refresh_authors([kitchen.pk])
    assert "Anna Kitchen" in names("authors", "Kitchen")
    assert "Anna Kitchen" not in names("authors", "Chen", 1000)
    assert "Anna Kitchen" not in names("authors", "Chen T", 1000)


def test_identifiers_go_straight_to_their_record(client):
    doi = WorkIdentifier.objects.filter(scheme="doi").first()
    arxiv = WorkIdentifier.objects.filter(scheme="arxiv").first()
    assert doi is not None and arxiv is not None
    for typed in (doi.value, f"https://doi.org/{doi.value}", f"doi:{doi.value.upper()}"):
        assert search.lookup(typed) == ("works", doi.work_id), typed
    for typed in (arxiv.value, f"arXiv:{arxiv.value}", f"https://arxiv.org/abs/{arxiv.value}v2"):
        assert search.lookup(typed) == ("works", arxiv.work_id), typed
    person = Author.objects.exclude(orcid=None).exclude(openalex_id=None).first()
    assert person is not None
    assert search.lookup(f"https://orcid.org/{person.orcid}") == ("authors", person.pk)
    assert search.lookup(str(person.orcid)) == ("authors", person.pk)
    assert search.lookup(f"https://openalex.org/{person.openalex_id}") == ("authors", person.pk)
    place = Institution.objects.exclude(ror=None).first()
    assert place is not None
    assert search.lookup(f"https://ror.org/{place.ror}") == ("institutions", place.pk)
    venue = Venue.objects.exclude(openalex_id="").first()
    assert venue is not None and search.lookup(venue.openalex_id) == ("sources", venue.pk)
    topic = Topic.objects.filter(external_id__startswith="openalex:T").first()
    assert topic is not None
    assert search.lookup(topic.external_id.split(":")[1]) == ("topics", topic.pk)
    page = client.get("/search", {"q": f"https://doi.org/{doi.value}"})
    assert page.status_code == 302 and page["Location"] == f"/works/{doi.work_id}"
    page = client.get("/", {"q": str(person.orcid)})
    assert page.status_code == 302 and page["Location"] == f"/researchers/{person.slug}"
    assert search.lookup("sparse training") is None
    assert search.lookup("10.9999/not-held") is None


def test_the_other_kinds_find_their_records():
    assert names("institutions", "monash")[0] == "Monash University"
    assert names("sources", "physical review letters")[0] == "Physical Review Letters"
    topic = Topic.objects.filter(scheme="openalex").first()
    assert topic is not None and names("topics", topic.name)[0] == topic.name


def test_an_exact_title_comes_first():
    work = Work.objects.filter(title__startswith="Sparse Training via Boosting").get()
    assert names("works", work.title)[0] == work.title
    assert names("works", work.title.lower().replace(":", ""))[0] == work.title


def test_the_search_page_filters_with_counts(client):
    page = client.get("/search", {"q": "sparse"})
    assert page.status_code == 200
    total = page.context["total"]
    assert total == search.find("works", "sparse").total > 1
    facets = dict(page.context["facets"])
    assert sum(n for _, n, _, _ in facets["Type"]) == total
    label, n, href, _ = facets["Type"][0]
    narrowed = client.get("/search" + href)
    assert narrowed.context["total"] == n
    assert all(w.get_type_display() == label for w, _ in narrowed.context["rows"])
    year = min(w.year for w, _ in page.context["rows"] if w.year)
    ranged = client.get("/search", {"q": "sparse", "from": year, "to": year})
    assert ranged.context["rows"] and all(w.year == year for w, _ in ranged.context["rows"])


def test_the_works_found_can_be_exported(client):
    page = client.get("/search", {"q": "sparse training"}).content.decode()
    assert 'href="/search/works.bib?q=sparse%20training"' in page
    exported = client.get("/search/works.bib", {"q": "sparse training"}).content.decode()
    assert exported.count("@") == search.find("works", "sparse training").total


def test_researchers_open_to_collaborate_filter(client):
    chen = Author.objects.get(slug="tianlong-chen")
    Author.objects.filter(pk=chen.pk).update(open_to_collaborate=True)
    page = client.get("/search", {"q": "chen", "kind": "authors", "open": "1"})
    assert [a.pk for a in page.context["results"]] == [chen.pk]
    assert b"open to collaborate" in page.content


def test_did_you_mean_is_shown(client):
    page = client.get("/search", {"q": "Sparse Trainig"})
    assert b"Showing results for" in page.content and b"sparse training" in page.content


def test_suggestions_as_one_types(client):
    page = client.get("/search/suggest", {"q": "tianl"})
    assert page.status_code == 200
    assert b"Tianlong Chen" in page.content and b'href="/researchers/tianlong-chen"' in page.content
    assert client.get("/search/suggest", {"q": "t"}).content.strip() == b""
    html = client.get("/").content.decode()
    assert 'hx-get="/search/suggest"' in html


def test_an_import_makes_its_works_findable(write):
    assert search.find("works", "Quokkas").total == 0
    path = write(
        "quokka.bib",
        "@article{q2026,\n  title = {Counting Quokkas on Rottnest Island},\n"
        "  author = {Müller, Zoë and Doe, Jane},\n  year = {2026},\n  journal = {Wildlife}\n}\n",
    )
    run_import("bibtex", [path], {}, show_progress=False)
    assert names("works", "quokkas") == ["Counting Quokkas on Rottnest Island"]
    assert "Zoë Müller" in names("authors", "Zoe Muller")


def test_a_split_record_is_findable_at_once(django_capture_on_commit_callbacks):
    chen = Author.objects.get(slug="tianlong-chen")
    work = chen.mentions.order_by("work_id").first()
    assert work is not None
    with django_capture_on_commit_callbacks(execute=True):
        corrections.move(chen, [work.work_id], "curator", "not him")
    split = Author.objects.filter(display_name=chen.display_name).exclude(pk=chen.pk)
    assert split.exists()
    found = set(search.find("authors", "Tianlong Chen").ids)
    assert chen.pk in found and set(split.values_list("pk", flat=True)) <= found


def test_merged_records_are_left_out(django_capture_on_commit_callbacks):
    a = Author.objects.create(display_name="Xenia Quartermaine", name_key="q_x", slug="xq-1")
    b = Author.objects.create(display_name="Xenia Quartermaine", name_key="q_x", slug="xq-2")
    index.refresh_authors([a.pk, b.pk])
    assert set(search.find("authors", "Quartermaine").ids) == {a.pk, b.pk}
    with django_capture_on_commit_callbacks(execute=True):
        corrections.merge(b, a, "curator", "same person")
    assert search.find("authors", "Quartermaine").ids == [a.pk]
