"""Crossref, ORCID and ROR importers on real records and malformed variants."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from ingest_factories import import_files, work_by_id

from bzpeer.catalog.models import (
    Affiliation,
    Author,
    AuthorshipMention,
    Institution,
    Quarantine,
    WorkReference,
)
from bzpeer.ingest import orcid
from bzpeer.ingest.records import ParsedAuthorEntity, ParsedWork

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.django_db
def test_crossref_data_file_work_with_affiliations():
    work = work_by_id("doi", "10.1002/mdc3.13466")
    assert work.title == "Adverse Events of Physiotherapy Interventions in Parkinsonian Patients"
    assert (work.type, work.venue_name, work.year) == (
        "journal-article",
        "Movement Disorders Clinical Practice",
        2022,
    )
    first = work.mentions.get(position=0)
    assert first.raw_name == "Verónica Caniça"
    assert first.raw_affiliation.startswith("CNS ‐ Campus Neurológico")


@pytest.mark.django_db
def test_crossref_orcid_references_and_version_relations():
    mention = AuthorshipMention.objects.get(orcid="0000-0001-5435-8794")
    assert mention.raw_name == "Saleh Serag"
    assert mention.author.orcid == "0000-0001-5435-8794"
    cited = WorkReference.objects.filter(
        work=work_by_id("doi", "10.1007/s10270-017-0613-x"), scheme="doi"
    )
    assert cited.count() == 34  # of 42 references, 34 carry a DOI
    # "is-version-of" puts both DOIs on one work.
    assert work_by_id("doi", "10.59350/895qm-mnq80") == work_by_id("doi", "10.59350/7mtwq-q3661")


@pytest.mark.django_db
def test_crossref_malformed_records(write):
    good = {
        "DOI": "10.9999/good.1",
        "type": "journal-article",
        "title": ["A good one"],
        "author": [{"given": "Ada", "family": "Lovelace"}],
    }
    lines = [
        json.dumps(good),
        json.dumps({**good, "DOI": "10.9999/untitled", "title": []}),
        json.dumps({**good, "DOI": "not a doi"}),
        json.dumps(
            {
                **good,
                "DOI": "10.9999/orcid",
                "author": [
                    {"given": "B", "family": "C", "ORCID": "http://orcid.org/0000-0002-1825-0098"}
                ],
            }
        ),
        '{"DOI": "10.9999/trunc", "title": ["Cut',
        json.dumps({**good, "DOI": "10.9999/journal", "type": "journal"}),
    ]
    path = write("crossref.jsonl.gz", gzip.compress("\n".join(lines).encode() + b"\n"))
    stats = import_files("crossref", [path])
    assert (stats.new, stats.quarantined, stats.skipped) == (1, 4, 1)
    reasons = " | ".join(
        Quarantine.objects.filter(locator__startswith=path).values_list("reason", flat=True)
    )
    for expected in ("missing title", "bad DOI", "bad ORCID", "truncated JSON"):
        assert expected in reasons


@pytest.mark.django_db
def test_orcid_record_attaches_to_its_author_with_affiliation_history():
    author = Author.objects.get(orcid="0000-0001-6222-3013")
    assert author.display_name == "Victoriano Santana Sanjurjo"
    spans = dict(
        Affiliation.objects.filter(author=author).values_list("institution__name", "start_year")
    )
    assert spans["Universidad de Las Palmas de Gran Canaria"] == 2003
    assert author.works_count >= 40
    assert AuthorshipMention.objects.filter(author=author, version__source="orcid").exists()


@pytest.mark.django_db
def test_orcid_locked_record_is_quarantined():
    item = Quarantine.objects.get(locator__endswith="0000-0001-5078-5000.xml")
    assert "ORCID error 409" in item.reason


def test_orcid_json_and_xml_samples_parse_alike():
    for name in ("record-3.0.xml", "record-full-3.0.json"):
        with open(FIXTURES / "orcid" / name, "rb") as stream:
            chunks = list(orcid.chunks(name, stream, ()))
        records = [r for c in chunks for r in orcid.parse(c)]
        person = records[0]
        assert isinstance(person, ParsedAuthorEntity)
        assert person.orcid in {"8888-8888-8888-8880", "0000-0002-7319-2192"}
        works = [r for r in records if isinstance(r, ParsedWork)]
        assert works and all(w.authors[0].orcid == person.orcid for w in works)


def test_orcid_partial_document_is_refused():
    with open(FIXTURES / "orcid" / "person-3.0.xml", "rb") as stream:
        (chunk,) = list(orcid.chunks("person", stream, ()))
    with pytest.raises(ValueError, match="not a full ORCID record"):
        orcid.parse(chunk)


@pytest.mark.django_db
def test_ror_v1_and_v2_records():
    monash = Institution.objects.get(ror="02bfwt286")
    assert (monash.name, monash.country, monash.city, monash.established) == (
        "Monash University",
        "AU",
        "Melbourne",
        1958,
    )
    assert {
        "type": "child",
        "ror": "02yasb727",
        "label": "ARC Centre of Excellence for Integrative Brain Function",
    } in monash.relationships
    assert Institution.objects.filter(ror__isnull=False).count() >= 29


@pytest.mark.django_db
def test_ror_truncated_dump_keeps_the_organisations_before_the_cut(write, data):
    text = (data / "ror/ror_records_es7_v2.json").read_text()
    path = write("ror-cut.json", text[: len(text) // 2])
    stats = import_files("ror", [path])
    assert stats.updated + stats.unchanged >= 5  # the demo holds the v1 text of these
    assert stats.quarantined == 1
    assert "truncated" in Quarantine.objects.get(locator__startswith=path).reason
