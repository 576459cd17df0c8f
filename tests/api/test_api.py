"""The OpenAlex-shaped JSON API."""

import pytest

from bzpeer.catalog.models import Author, Institution, Topic, Venue, WorkIdentifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def chen():
    return Author.objects.get(display_name="Tianlong Chen")


def test_author(client, chen):
    data = client.get(f"/api/v1/authors/A{chen.pk}").json()
    assert data["display_name"] == "Tianlong Chen"
    assert data["works_count"] == chen.works_count
    # an id is a URL of ours in OpenAlex's form (https://openalex.org/A1): http://<host>/A1
    assert data["id"] == f"http://testserver/A{chen.pk}"
    assert data["last_known_institutions"][0]["display_name"].startswith("University of North")
    assert sum(c["works_count"] for c in data["counts_by_year"]) == chen.works_count
    assert client.get(f"/api/v1/authors/{chen.slug}").json()["id"] == data["id"]


def test_author_by_orcid_and_openalex_id(client):
    data = client.get("/api/v1/authors/orcid:0000-0003-3260-0660").json()
    assert data["display_name"] == "Daniel Kaufmann"
    data = client.get("/api/v1/authors/openalex:A5023888391").json()
    assert data["display_name"] == "Jason Priem"


def test_author_search(client):
    data = client.get("/api/v1/authors?search=tianlong chen").json()
    assert data["meta"]["count"] >= 1
    assert data["results"][0]["display_name"] == "Tianlong Chen"


def test_a_search_ranks_only_what_its_page_reaches_and_hidden_records_never_shorten_it(
    client, monkeypatch
):
    """Page 1 of a search ranks the best matches up to its end (and a few
    spare); when hidden records take the spare ones, every match is ranked."""
    from bzpeer.api import openalex
    from bzpeer.claims.models import Suppression

    everything = client.get("/api/v1/authors?search=chen&per_page=200").json()
    names = [r["id"] for r in everything["results"]]
    assert len(names) > 5
    monkeypatch.setattr(openalex, "SPARE", 0)
    page = client.get("/api/v1/authors?search=chen&per_page=2&page=2").json()
    assert [r["id"] for r in page["results"]] == names[2:4]
    assert page["meta"]["count"] == everything["meta"]["count"]
    first = Author.objects.get(pk=int(names[0].rsplit("A", 1)[1]))
    Suppression.objects.create(author=first, reason="me", status="approved")
    page = client.get("/api/v1/authors?search=chen&per_page=2&page=2").json()
    assert [r["id"] for r in page["results"]] == names[3:5]  # the hidden one's place taken
    assert page["meta"]["count"] == everything["meta"]["count"] - 1


def test_work_by_ids(client):
    work = WorkIdentifier.objects.get(scheme="arxiv", value="2106.10404").work
    data = client.get(f"/api/v1/works/W{work.pk}").json()
    assert data["type"] == "conference-paper"
    assert data["publication_year"] == 2021
    assert data["primary_location"]["source"]["display_name"] == "NeurIPS"
    assert [a["raw_author_name"] for a in data["authorships"]][:2] == [
        "Shiwei Liu",
        "Tianlong Chen",
    ]
    assert client.get("/api/v1/works/arxiv:2106.10404").json()["id"] == data["id"]
    doi = client.get("/api/v1/works/doi:10.1103/PhysRevD.76.013009").json()
    assert doi["doi"] == "https://doi.org/10.1103/physrevd.76.013009"
    words = doi["abstract_inverted_index"]
    assert words["A"][0] == 0


def test_whole_catalog_groupings_change_when_the_catalog_or_a_takedown_does(client, chen, write):
    """Kept under the catalog's revision (a million works take 180 ms to
    group): an import and a takedown both show at once."""
    from bzpeer.claims.models import Suppression
    from bzpeer.ingest.pipeline import run_import

    def years() -> dict[str, int]:
        data = client.get("/api/v1/works?group_by=publication_year").json()
        return {g["key"]: g["count"] for g in data["group_by"]}

    before = years()
    assert before == years()  # from the cache now
    run_import(
        "bibtex",
        [write("one.bib", "@article{x, title={Cached Counts Move}, author={Okafor, Ada},"
                          " journal={Journal of Counting}, year={1961}}")],
        {},
        show_progress=False,
    )
    assert years().get("1961", 0) == before.get("1961", 0) + 1

    def orcid_groups() -> dict[str, int]:
        data = client.get("/api/v1/authors?group_by=has_orcid").json()
        return {g["key"]: g["count"] for g in data["group_by"]}

    shown = orcid_groups()
    assert not chen.orcid and shown == orcid_groups()
    Suppression.objects.create(author=chen, reason="me", status="approved")
    assert orcid_groups()["false"] == shown["false"] - 1


def test_works_filtered_by_author_with_cursor(client, chen):
    seen = []
    cursor = "*"
    while cursor:
        data = client.get(
            f"/api/v1/works?filter=author.id:A{chen.pk}&per_page=25&cursor={cursor}"
        ).json()
        seen.extend(r["id"] for r in data["results"])
        cursor = data["meta"]["next_cursor"]
    assert len(seen) == len(set(seen)) == chen.works_count
    data = client.get(
        f"/api/v1/works?filter=author.id:A{chen.pk},publication_year:2021,type:conference-paper"
    ).json()
    assert data["meta"]["count"] >= 5
    assert {r["publication_year"] for r in data["results"]} == {2021}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/works?filter=nonsense:1",
        "/api/v1/works?filter=publication_year:soon",
        "/api/v1/works?filter=author.id",
        "/api/v1/works?filter=type:poem",
        "/api/v1/works?filter=doi:xyz",
        "/api/v1/works?per_page=0",
        "/api/v1/works?per_page=1000",
        "/api/v1/works?per_page=ten",
        "/api/v1/works?cursor=%%%",
        "/api/v1/works?cursor=eyJvIjogLTF9",
        "/api/v1/works?page=-1",
        "/api/v1/works?page=9223372036854775807",
        "/api/v1/authors?page=9223372036854775807",
        "/api/v1/works?page=51&per_page=200",
        "/api/v1/works?cursor=eyJvIjogMWUzMDB9",
        "/api/v1/works?cursor=eyJvIjogdHJ1ZX0=",
        "/api/v1/works?cursor=WzFd",
        "/api/v1/authors?per_page=-5",
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["message"]


def test_an_unknown_id_in_a_filter_matches_nothing(client):
    """As in OpenAlex: a well-formed id of no record is no error, it matches
    no work (this API answered 400 before it followed OpenAlex here)."""
    data = client.get("/api/v1/works?filter=author.id:A999999999").json()
    assert data["meta"]["count"] == 0
    assert data["results"] == []


def test_unknown_ids_answer_404(client):
    assert client.get("/api/v1/works/W999999999").status_code == 404
    assert client.get("/api/v1/works/doi:nonsense").status_code == 404
    assert client.get("/api/v1/authors/A999999999").status_code == 404


def test_openapi_docs(client):
    assert client.get("/api/v1/docs").status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/works" in schema["paths"]


def test_ids_redirect_to_the_records_pages(client, chen):
    """``http://<host>/W12`` and its kin, the ids the API gives, lead to pages."""
    work = WorkIdentifier.objects.get(scheme="arxiv", value="2106.10404").work
    topic, institution, venue = (
        Topic.objects.first(),
        Institution.objects.first(),
        Venue.objects.first(),
    )
    for path, page in (
        (f"/W{work.pk}", f"/works/{work.pk}"),
        (f"/A{chen.pk}", f"/researchers/{chen.slug}"),
        (f"/T{topic.pk}", f"/topics/{topic.pk}"),
        (f"/I{institution.pk}", f"/institutions/{institution.pk}"),
        (f"/S{venue.pk}", f"/sources/{venue.pk}"),
    ):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, page), path
    assert client.get("/W999999999").status_code == 404
    data = client.get(f"/api/v1/works/W{work.pk}").json()
    assert (
        client.get(data["id"].removeprefix("http://testserver"))["Location"] == f"/works/{work.pk}"
    )


def test_reads_are_open_to_other_sites(client):
    for url in ("/api/v1/works", "/api/v1/works/W999999999", "/api/v1/autocomplete?q=x"):
        assert client.get(url)["Access-Control-Allow-Origin"] == "*", url
    assert "Access-Control-Allow-Origin" not in client.post("/api/v1/works")


def test_openalex_parameter_spellings(client):
    dashed = client.get("/api/v1/works?per-page=3&group-by=type").json()
    assert dashed["meta"]["per_page"] == 3 and dashed["group_by"] and not dashed["results"]
    assert dashed["meta"]["groups_count"] == len(dashed["group_by"])
    assert dashed["meta"]["count"] == sum(g["count"] for g in dashed["group_by"])


@pytest.mark.parametrize(
    "url, words",
    [
        ("/api/v1/works?filter=nonsense:1", "publication_year"),  # the valid ones are named
        ("/api/v1/authors?sort=colour", "works_count"),
        ("/api/v1/works?select=id,colour", "display_name"),
        ("/api/v1/works?group_by=colour", "publication_year"),
        ("/api/v1/works?sort=relevance_score:desc", "search"),
        ("/api/v1/works?sample=5&cursor=*", "page"),
        ("/api/v1/institutions?filter=ror:nope", "ROR"),
    ],
)
def test_openalex_errors_say_what_is_valid(client, url, words):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid query parameters error."
    assert words in response.json()["message"]


def test_docs_name_every_filter_sort_and_group_by():
    """docs/api.md lists each entity's names; one declared without it fails here."""
    from pathlib import Path

    from bzpeer.api.authors import AUTHORS
    from bzpeer.api.entities import INSTITUTIONS, SOURCES, TOPICS
    from bzpeer.api.works import WORKS

    text = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    for entity in (WORKS, AUTHORS, INSTITUTIONS, TOPICS, SOURCES):
        section = text.split(f"**{entity.name}**:", 1)[1].split("\n\n", 1)[0]
        for name in [*entity.filters, *entity.sorts, *entity.groups]:
            assert f"`{name}`" in section, (entity.name, name)
