"""The busiest records' summaries and slices are kept under the catalog's
revision (``catalog.revision``): read from the cache between writes, computed
again after any write a page would show. Every test runs with every record
cached (``cache_every_record`` in conftest)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bzpeer.catalog import revision
from bzpeer.catalog.models import Author, CatalogRevision
from bzpeer.cli import main
from bzpeer.curation import corrections
from bzpeer.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db

PROFILE = "/researchers/tianlong-chen"
BIBTEX = r"""
@inproceedings{chen2026tickets,
  title     = {Winning Tickets Found Twice in Sparse Graph Transformers},
  author    = {Liu, Shiwei and Chen, Tianlong and Wang, Zhangyang and Okonkwo, Adaeze},
  booktitle = {International Conference on Learning Representations},
  year      = {2026}
}
"""


def _coauthor_queries(client, url: str) -> int:
    """How many times the page ran the co-author query (a self-join of mentions)."""
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return sum('JOIN "catalog_authorshipmention" o' in q["sql"] for q in seen.captured_queries)


def test_a_second_view_reads_the_summary_from_the_cache(client):
    assert _coauthor_queries(client, PROFILE) == 1
    assert _coauthor_queries(client, PROFILE) == 0
    chen = Author.objects.get(slug="tianlong-chen")
    slice_url = f"/api/v1/graph?focus=author:A{chen.pk}"
    first = client.get(slice_url).json()
    assert _coauthor_queries(client, slice_url) == 0
    assert client.get(slice_url).json() == first


def test_records_with_few_works_are_computed_on_each_view(client, monkeypatch):
    monkeypatch.setattr(revision, "MIN_WORKS", 1000)
    assert _coauthor_queries(client, PROFILE) == 1
    assert _coauthor_queries(client, PROFILE) == 1


def _coauthors(client) -> dict[str, int]:
    """The profile's co-author list: name -> shared works."""
    page = client.get(PROFILE).content.decode()
    section = page.split("<h2>Co-authors</h2>", 1)[1].split("</ul>", 1)[0]
    return {
        name: int(n)
        for name, n in re.findall(r"<bdi>([^<]+)</bdi></a>.*?(\d+) shared work", section)
    }


def test_an_import_shows_on_the_next_view(client, write):
    before = _coauthors(client)  # cached now
    assert before == _coauthors(client) and before["Shiwei Liu"]
    run_import("bibtex", [write("new.bib", BIBTEX)], {}, show_progress=False)
    assert _coauthors(client)["Shiwei Liu"] == before["Shiwei Liu"] + 1


def test_an_import_that_changes_nothing_keeps_the_cache(write):
    path = write("new.bib", BIBTEX)
    run_import("bibtex", [path], {}, show_progress=False)
    token = revision.current()
    again = run_import("bibtex", [path], {}, show_progress=False)
    assert again.stats.unchanged == 1 and not again.stats.new
    assert revision.current() == token  # an hourly sync with nothing new clears nothing


def test_a_merge_shows_on_the_page_and_the_slice(client):
    chen = Author.objects.get(slug="tianlong-chen")
    other = Author.objects.exclude(pk=chen.pk).filter(merged_into=None).order_by("-works_count")[0]
    client.get(PROFILE)
    before = client.get(f"/api/v1/graph?focus=author:A{chen.pk}").json()
    corrections.merge(other, chen, "cli:test", "the same person")
    chen.refresh_from_db()
    after = client.get(f"/api/v1/graph?focus=author:A{chen.pk}").json()
    assert after != before
    page = client.get(PROFILE).content.decode()
    # the list's count comes from the cached facet counts, not the record's row
    assert f"{chen.works_count} items" in page


def test_a_flushed_catalog_never_reads_another_catalogs_entries():
    token = revision.current()
    CatalogRevision.objects.all().delete()  # what a flush or a restore of another catalog does
    assert revision.current() != token


def test_a_rolled_back_write_keeps_the_cache():
    token = revision.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        revision.bump()
        raise RuntimeError("the write failed")
    assert revision.current() == token


def test_enrich_fills_the_cache_for_the_busiest_records(capsys, client):
    cache.clear()
    assert main(["enrich", "--quiet"]) == 0
    assert "busiest records' pages" in capsys.readouterr().out
    assert _coauthor_queries(client, PROFILE) == 0  # computed by the batch, not the visitor
