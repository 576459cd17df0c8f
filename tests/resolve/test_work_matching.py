"""When two records without a shared identifier are one work (``same_work``),
and that the importer applies it across sources."""

from __future__ import annotations

import json

import pytest

from bzpeer.catalog.models import WorkIdentifier
from bzpeer.catalog.titles import title_forms, title_key, title_words
from bzpeer.ingest.pipeline import run_import
from bzpeer.resolve.works import match_facts, same_work

ABC = {"abiteboul", "cluet", "milo"}


def test_typos_plurals_and_case_are_the_same_work():
    # Real DBLP / ACM pairs from the Leipzig benchmark.
    a = match_facts("A Database Interface for File Updates", 1995, ABC)
    b = match_facts("A database interface for file update", 1995, ABC)
    assert same_work(a, b)
    typo_a = match_facts("Efficient and Tunable Similar Set Retrieval", 2001, {"gionis"})
    typo_b = match_facts("Efficient and tumble similar set retrieval", 2001, {"gionis"})
    assert same_work(typo_a, typo_b)


def test_remarks_and_subtitles_one_source_adds():
    a = match_facts("STREAM: The Stanford Stream Data Manager", 2003, {"arasu", "widom"})
    b = match_facts(
        "STREAM: the stanford stream data manager (demonstration description)",
        2003,
        {"arasu", "widom"},
    )
    assert same_work(a, b)
    panel_a = match_facts(
        "Will Database Researchers Have ANY Role in Data Security? (Panel Abstract)",
        2001,
        {"rosenthal"},
    )
    panel_b = match_facts(
        "Will database researchers have any role in data security? (panel session)",
        2001,
        {"rosenthal", "winslett", "jajodia", "sandhu"},
    )
    assert same_work(panel_a, panel_b)


def test_same_title_different_people_or_years_are_different_works():
    a = match_facts("Modeling Design Versions", 1996, {"ram", "ramakrishnan"})
    assert not same_work(a, match_facts("Modeling Design Versions", 1996, {"smith"}))
    # A conference paper and its journal extension a year later: two works...
    conf = match_facts("Integrating Reliable Memory in Databases", 1997, {"ng", "chen"})
    journal = match_facts("Integrating Reliable Memory in Databases", 1998, {"ng", "chen"})
    assert not same_work(conf, journal)
    # ...but a preprint two years before its publication is one.
    preprint = match_facts(
        "Integrating Reliable Memory in Databases", 1996, {"ng", "chen"}, preprint=True
    )
    assert same_work(preprint, journal)


def test_a_recurring_column_needs_the_same_year_and_most_authors():
    ross = match_facts("Reminiscences on Influential Papers", 2000, {"ross"})
    issue = match_facts(
        "Reminiscences on Influential Papers", 2000, {"ross", "vianu", "levy", "weikum"}
    )
    assert same_work(ross, issue)  # half of the shorter list is enough for a one-off title
    assert not same_work(ross, issue, generic=True)  # not for a column that recurs
    assert same_work(issue, issue, generic=True)


def test_different_short_titles_do_not_match():
    a = match_facts("Petabyte Databases", 1999, {"dullmann"})
    assert not same_work(a, match_facts("Terabyte Databases", 1999, {"dullmann"}))


@pytest.mark.django_db
def test_import_joins_a_retitled_preprint_to_its_published_version(write):
    """An arXiv preprint and a Crossref-less published record (BibTeX) of the
    same paper, titles a few characters apart, no shared identifier."""
    line = {
        "id": "2302.00099",
        "title": "Robust Sparse Training of Deep Network",
        "authors": "Mira Castellanos, Jonah Whitcombe",
        "abstract": "We study sparse training.",
        "categories": "cs.LG",
        "versions": [{"created": "Thu, 2 Feb 2023 10:00:00 GMT"}],
    }
    run_import("arxiv", [write("p.jsonl", json.dumps(line) + "\n")], show_progress=False)
    bib = (
        "@inproceedings{castellanos2024,\n"
        "  title = {Robust Sparse Training of Deep Networks},\n"
        "  author = {Castellanos, Mira and Whitcombe, Jonah},\n"
        "  booktitle = {International Conference on Machine Learning},\n"
        "  year = {2024}\n}\n"
    )
    run_import("bibtex", [write("pubs.bib", bib)], show_progress=False)
    work = WorkIdentifier.objects.get(scheme="arxiv", value="2302.00099").work
    assert work.versions.count() == 2
    assert (work.type, work.year, work.also_preprint) == ("conference-paper", 2024, True)
    assert work.title == "Robust Sparse Training of Deep Networks"
    joined = work.versions.get(source="bibtex").link_evidence
    assert joined == "near-identical title, years 2023 and 2024, 2 author surnames shared"


def test_a_records_own_summary_is_the_summary_of_it_alone():
    """The parsers summarise a record as its work's only version without
    ``summarize`` (``rows.solo_work``); on every demo record, including
    preprints whose journal-ref names their journal, they must agree."""
    from bzpeer.demo import DATA, STEPS
    from bzpeer.ingest.files import CountingReader, expand, open_streams
    from bzpeer.ingest.records import ParsedWork, RecordError
    from bzpeer.ingest.rows import compact, version_facts
    from bzpeer.ingest.sources import SOURCES
    from bzpeer.resolve.works import summarize

    own_venue = -1
    compared = published = 0
    for source_name, paths, options in STEPS:
        source = SOURCES[source_name]
        for path in expand([str(DATA / p) for p in paths]):
            with open(path, "rb") as raw:
                for label, stream in open_streams(path, CountingReader(raw)):
                    for chunk in source.chunks(label, stream, tuple(sorted(options.items()))):
                        try:
                            records = source.parse(chunk)
                        except RecordError:
                            continue
                        for record in records:
                            if not isinstance(record, ParsedWork):
                                continue
                            row = compact(record)
                            facts = summarize(
                                [(row.rank, version_facts(row, own_venue, row.venue_display))]
                            )
                            assert row.solo == (
                                facts.year,
                                facts.type,
                                facts.venue_id == own_venue,
                                facts.venue_name,
                                facts.also_preprint,
                                facts.authors_text,
                            ), chunk.locator
                            compared += 1
                            published += not row.solo.keeps_venue
    assert compared > 1000 and published > 50


@pytest.mark.parametrize(
    "title",
    [
        "Flare",
        "Atomic Gas in L1544: I. Resolving the Transient ASASSN-15lh",
        "Ünïcødé straße – ΑΒΓ",
        "Deep learning (invited talk)",
        "Query languages - Book Review",
        "Tutorial: Graph databases",
        "İstanbul ﬁelds Æther",
        "x" * 300,
        "",
    ],
)
def test_a_titles_key_and_words_come_together_as_apart(title):
    assert title_forms(title) == (title_key(title), title_words(title))
