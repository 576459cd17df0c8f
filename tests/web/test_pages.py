"""Profile, work and search pages as a visitor sees them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bzpeer.catalog.models import Author, AuthorshipMention, Work, WorkIdentifier

pytestmark = pytest.mark.django_db


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_profile_header_counts_and_chart(client):
    author = Author.objects.get(display_name="Tianlong Chen")
    response = client.get(f"/researchers/{author.slug}")
    assert response.status_code == 200
    text = _text(response)
    assert "Tianlong Chen" in text
    assert f"{author.works_count} works" in text
    assert "0 followers" in text
    assert "University of North Carolina at Chapel Hill" in text
    assert "Affiliation not imported" not in text
    assert "close collaborators" in text
    assert "Works per year" in text and "<svg" in response.content.decode()
    # Claiming is real (tests/claims): an anonymous visitor is asked to log in.
    assert "Log in to claim" in text
    # Following is real (tests/social): the button posts to the follow view.
    assert "Follow researcher 0" in text
    assert f'action="/follow/author/{author.pk}"' in response.content.decode()
    # The research graph loads after the page, from the API (tests/graph).
    assert "Building this graph slice" in text and "Open the full explorer" in text


def test_profile_lists_published_work_newest_first_with_linked_coauthors(client):
    response = client.get("/researchers/tianlong-chen")
    page = response.content.decode()
    years = [int(y) for y in re.findall(r'<span class="year">(\d{4})</span>', page)]
    assert years == sorted(years, reverse=True) and len(years) == 20
    wang = Author.objects.get(display_name="Zhangyang Wang")
    assert f'href="/researchers/{wang.slug}"' in page
    wang_pages = -(-Author.objects.get(display_name="Tianlong Chen").works_count // 20)
    older = client.get(f"/researchers/tianlong-chen?page={wang_pages}")
    assert "Learning to Optimize in Swarms" in _text(older)


def test_profile_types_granet_as_neurips_2021(client):
    text = _text(client.get("/researchers/tianlong-chen?year=2021&type=conference-paper"))
    assert re.search(
        r"conference paper 2021 NeurIPS · also on arXiv Sparse Training via Boosting Pruning", text
    )
    assert "preprint 2022" not in text


def test_profile_filters(client):
    text = _text(client.get("/researchers/tianlong-chen?type=preprint"))
    assert "conference paper 20" not in text
    assert "preprint 2026" in text
    assert client.get("/researchers/tianlong-chen?year=abc&type=<x>&page=zz").status_code == 200


def test_profile_without_affiliation_says_so(client):
    author = (
        Author.objects.filter(mentions__raw_affiliation="", affiliations=None)
        .exclude(mentions__raw_affiliation__gt="")
        .first()
    )
    text = _text(client.get(f"/researchers/{author.slug}"))
    assert "Affiliation not imported" in text


def test_profile_query_count_is_bounded(client, django_assert_max_num_queries):
    """Bounded whatever the number of works: no query per work or per co-author
    (the trust snapshot reads its facts in six queries, and reuses the overview).
    The first view also keeps the summaries in the cache (``catalog.revision``)."""
    with django_assert_max_num_queries(28):
        client.get("/researchers/tianlong-chen")
    with django_assert_max_num_queries(20):
        client.get("/researchers/tianlong-chen")


def test_unknown_profile_is_404(client):
    assert client.get("/researchers/no-such-person").status_code == 404


def test_work_page_shows_versions_and_identifiers(client):
    work = WorkIdentifier.objects.get(scheme="arxiv", value="2106.10404").work
    response = client.get(f"/works/{work.pk}")
    text = _text(response)
    assert "2106.10404" in text
    for source in ("bibtex", "manual", "listing"):
        assert source in text
    assert "Decebal Constantin Mocanu" in text
    # Each version says why it joined the work.
    evidence = set(work.versions.values_list("link_evidence", flat=True))
    assert "" in evidence and len(evidence) > 1
    assert "joined by" in text and "first record of this work" in text
    for reason in evidence - {""}:
        assert reason in text


def test_titles_from_strangers_are_escaped(client):
    work = Work.objects.first()
    Work.objects.filter(pk=work.pk).update(title="<script>alert(1)</script>")
    page = client.get(f"/works/{work.pk}").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_home_search_finds_people_and_works(client):
    text = _text(client.get("/?q=tianlong"))
    assert "Tianlong Chen" in text
    text = _text(client.get("/?q=Neuroregeneration"))
    assert "Sparse Training via Boosting Pruning Plasticity" in text
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/?q=chen")
    assert len(queries) <= 17  # tests/test_query_counts.py says what they are


def test_every_counted_work_is_listed_once_across_pages(client):
    author = Author.objects.get(display_name="Tianlong Chen")
    titles = []
    for page in range(1, -(-author.works_count // 20) + 1):
        page_html = client.get(f"/researchers/{author.slug}?page={page}").content.decode()
        titles += re.findall(r'<h3><a href="/works/(\d+)">', page_html)
    assert len(titles) == len(set(titles)) == author.works_count
    assert AuthorshipMention.objects.filter(author=author).values("work").distinct().count() == (
        author.works_count
    )


def test_profile_lists_affiliation_history_from_orcid(client):
    author = Author.objects.get(orcid="0000-0001-6222-3013")
    text = _text(client.get(f"/researchers/{author.slug}"))
    assert "Affiliations" in text
    assert "Universidad de Las Palmas de Gran Canaria 2003–now" in text


def test_work_page_counts_references(client):
    work = WorkIdentifier.objects.get(scheme="doi", value="10.1007/s10270-017-0613-x").work
    text = _text(client.get(f"/works/{work.pk}"))
    assert "Cites 34 works" in text


# The nine works his own listing names without authors or venue, as public
# BibTeX (demo/data/reference-profile/listing-works-citations.bib) gives them.
LISTED = {
    "Anti-Oversmoothing in Deep Vision Transformers": ("ICLR", "Peihao Wang"),
    "Triple Wins: Boosting Accuracy": ("ICLR", "Ting-Kuei Hu"),
    "Training Your Sparse Neural Network Better": ("International Conference", "Ajay Jaiswal"),
    "APP: Anytime Progressive Pruning": ("arXiv", "Diganta Misra"),
    "Focus Longer to See Better": ("CVPR", "Prateek Shroff"),
    "AutoSpeech: Neural Architecture Search": ("arXiv", "Shaojin Ding"),
    "Towards Lifelong Learning of Multilingual": ("ICASSP", "Mu Yang"),
    "Sparse-to-Sparse GAN Training": ("International Journal of Computer Vision", "Shiwei Liu"),
    "Metacognitive Self-Correction for Multi-Agent": ("Findings of the Association", "Xu Shen"),
}


@pytest.mark.parametrize("title", LISTED)
def test_reference_profile_lists_his_listed_works_with_venue_and_coauthors(
    client, reference_author, title
):
    venue, coauthor = LISTED[title]
    (work,) = Work.objects.filter(title__icontains=title)
    assert AuthorshipMention.objects.filter(work=work, author=reference_author).exists()
    page = _text(client.get(f"/works/{work.pk}"))
    assert coauthor in page and "Tianlong Chen" in page and venue in page
    # on his profile, in its year, with the venue and the co-author beside it
    listed = ""
    for number in range(1, 6):
        listed += _text(client.get(f"/researchers/tianlong-chen?year={work.year}&page={number}"))
    entry = re.search(rf"{work.year} ([^·]*?) (?:· also on arXiv )?{re.escape(work.title)}", listed)
    assert entry and venue in entry.group(1), title
    assert coauthor in listed[entry.end() : entry.end() + 400]


def test_work_page_lists_cited_works_here_and_counts_citing_ones(client):
    from bzpeer.catalog.models import WorkReference

    cited, other, citing = Work.objects.order_by("pk")[:3]
    WorkIdentifier.objects.create(work=cited, scheme="doi", value="10.9999/cited.1")
    WorkIdentifier.objects.create(work=other, scheme="arxiv", value="9999.00001")
    for scheme, value in [("doi", "10.9999/cited.1"), ("arxiv", "9999.00001"), ("doi", "10.9/x")]:
        WorkReference.objects.create(work=citing, scheme=scheme, value=value)
    page = client.get(f"/works/{citing.pk}").content.decode()
    text = _text(client.get(f"/works/{citing.pk}"))
    assert "Cites 3 works, of which here:" in text
    assert f'href="/works/{cited.pk}"' in page and f'href="/works/{other.pk}"' in page
    mine = set(cited.identifiers.values_list("scheme", "value"))
    citing_works = {
        r.work_id for r in WorkReference.objects.all() if (r.scheme, r.value) in mine
    }
    assert citing.pk in citing_works
    n = len(citing_works)
    assert f"cited by {n} work{'s' if n > 1 else ''} in this catalog" in _text(
        client.get(f"/works/{cited.pk}")
    )
