"""Importers on real records, malformed records, quarantine, re-import."""

from __future__ import annotations

import gzip
import json

import pytest
from ingest_factories import import_files, work_by_id

from bzpeer.catalog.models import (
    Author,
    AuthorshipMention,
    Quarantine,
    SourceRecord,
    Work,
    WorkIdentifier,
    WorkVersion,
)
from bzpeer.ingest import parsers
from bzpeer.ingest.batch import RecordMarks
from bzpeer.ingest.models import ImportRun
from bzpeer.ingest.pipeline import retry_quarantine, run_import
from bzpeer.ingest.sources import SOURCES, Source

pytestmark = pytest.mark.django_db


def test_arxiv_abs_record_is_parsed_fully():
    work = work_by_id("arxiv", "0704.0001")
    assert work.title.startswith("Calculation of prompt diphoton production cross sections")
    version = work.versions.get(source="arxiv")
    assert version.type == "preprint"
    assert version.journal_ref == "Phys.Rev.D76:013009,2007"
    names = list(version.mentions.order_by("position").values_list("raw_name", flat=True))
    assert names == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    # The published version named by the journal-ref is what the work shows.
    assert (work.type, work.venue_name, work.year) == ("journal-article", "Phys.Rev.D", 2007)
    assert work.also_preprint
    assert WorkIdentifier.objects.filter(
        work=work, scheme="doi", value="10.1103/physrevd.76.013009"
    ).exists()


def test_arxiv_snapshot_and_abs_of_the_same_paper_are_one_work():
    work = work_by_id("arxiv", "0704.0002")
    # The snapshot's copy of 0704.0002 is a duplicate record of the same source id.
    assert SourceRecord.objects.filter(source="arxiv", external_id="0704.0002").count() == 1
    assert work.versions.count() == 1


def test_arxiv_old_style_ids_and_listing_affiliations():
    assert (
        work_by_id("arxiv", "hep-th/9108002").title
        == "Hamiltonian construction of W-gravity actions"
    )
    mention = AuthorshipMention.objects.get(
        version__source_record__external_id="2006.00004", raw_name="Yingtian Chen"
    )
    assert mention.raw_affiliation == "MIT, PKU"


def test_arxiv_oai_pmh_records():
    work = work_by_id("arxiv", "1412.8544")
    assert work.title == "A Kochen-Specker system has at least 22 vectors (extended abstract)"
    mention = work.mentions.get(raw_name="Sander Uijlen")
    assert mention.raw_affiliation == "Radboud Universiteit"
    assert work_by_id("arxiv", "hep-th/9504118").year == 1995


def test_openalex_work_with_authorships_topics_and_abstract():
    work = work_by_id("openalex", "W1934649023")
    assert work.type == "book"
    mention = work.mentions.get(raw_name="Daniel Kaufmann")
    assert mention.orcid == "0000-0003-3260-0660"
    assert mention.author.orcid == "0000-0003-3260-0660"
    assert mention.institutions.get().institution.ror == "04aj4sh46"
    assert work.work_topics.filter(topic__name="Corruption and Economic Development").exists()


def test_openalex_topics_keep_each_works_score_and_odd_ids_parse():
    from bzpeer.ingest import openalex
    from bzpeer.ingest.records import Chunk

    field = {"id": "https://openalex.org/fields/17", "display_name": "Computer  Science"}
    topic = {"id": "https://openalex.org/T10028", "display_name": "Topic Modeling", "field": field}

    def work(n, score, topic):
        line = {"id": f"https://openalex.org/W{n}", "title": f"Work {n}"}
        line["topics"] = [{**topic, "score": score}]
        return openalex.parse(Chunk("openalex", f"t:{n}", json.dumps(line)))[0].topics[0]

    first, second = work(1, 0.9, topic), work(2, 0.4, topic)
    assert (first.score, second.score) == (0.9, 0.4)
    assert first.external_id == second.external_id == "openalex:T10028"
    assert first.parents == (("field", "openalex:fields/17", "Computer Science"),)
    odd = work(3, 0.5, {**topic, "id": ["T1"]})  # not a plain value: read as before
    assert (odd.external_id, odd.score, odd.parents) == ("openalex:['T1']", 0.5, first.parents)
    # Equal as keys, three ids as written: each read as its own.
    ids = [work(4 + n, 0.5, {**topic, "id": i}).external_id for n, i in enumerate([1, 1.0, True])]
    assert ids == ["openalex:1", "openalex:1.0", "openalex:True"]


def test_openalex_entities():
    author = Author.objects.get(openalex_id="A5023888391")
    assert author.display_name == "Jason Priem"
    assert author.affiliations.exists()


def test_bibtex_latex_and_types():
    work = Work.objects.get(title="Graph Contrastive Learning with Augmentations")
    assert (work.type, work.venue_name, work.year) == ("conference-paper", "NeurIPS", 2020)
    assert "Yuning You" in work.authors_text


def test_reimport_changes_nothing(data):
    before = (
        Work.objects.count(),
        WorkVersion.objects.count(),
        AuthorshipMention.objects.count(),
        Author.objects.count(),
    )
    stats = import_files("arxiv", [data / "arxiv/listings", data / "arxiv/oai"])
    assert stats.new == 0 and stats.updated == 0 and stats.unchanged > 3000
    stats = import_files("bibtex", [data / "reference-profile"], owner="Tianlong Chen")
    assert stats.new == 0 and stats.updated == 0
    after = (
        Work.objects.count(),
        WorkVersion.objects.count(),
        AuthorshipMention.objects.count(),
        Author.objects.count(),
    )
    assert before == after


def test_updated_record_replaces_its_version(write):
    path = write(
        "one.jsonl",
        json.dumps(
            {
                "id": "https://openalex.org/W99",
                "title": "First title of a test work here",
                "publication_year": 2020,
                "type": "article",
                "authorships": [{"author": {"display_name": "Ada Lovelace"}}],
            }
        )
        + "\n",
    )
    assert import_files("openalex", [path]).new == 1
    write(
        "one.jsonl",
        json.dumps(
            {
                "id": "https://openalex.org/W99",
                "title": "Second title of a test work here",
                "publication_year": 2021,
                "type": "article",
                "authorships": [
                    {"author": {"display_name": "Ada Lovelace"}},
                    {"author": {"display_name": "Charles Babbage"}},
                ],
            }
        )
        + "\n",
    )
    stats = import_files("openalex", [path])
    assert (stats.new, stats.updated) == (0, 1)
    work = work_by_id("openalex", "W99")
    assert (work.title, work.year) == ("Second title of a test work here", 2021)
    assert work.mentions.count() == 2


@pytest.mark.parametrize("batch", [2, 100])
def test_a_record_twice_in_one_run_keeps_the_first(write, settings, batch):
    """The same id again later in the input (in the same batch or a later
    one) is skipped: the first one wins, and a re-run changes nothing."""
    settings.BZPEER_IMPORT_BATCH = batch

    def work(n: int, title: str) -> str:
        return json.dumps(
            {
                "id": f"https://openalex.org/W77{n}",
                "title": title,
                "publication_year": 2019,
                "type": "article",
                "authorships": [{"author": {"display_name": "Grace Hopper"}}],
            }
        )

    lines = [
        work(1, "The first telling of a twice-told record"),
        work(2, "A record between the two tellings"),
        work(3, "Another record between the two tellings"),
        work(1, "The second telling of a twice-told record"),
        work(4, "A record after the second telling"),
        work(1, "The third telling of a twice-told record"),
    ]
    path = write("twice.jsonl", "\n".join(lines) + "\n")
    stats = import_files("openalex", [path])
    assert (stats.new, stats.skipped, stats.updated) == (4, 2, 0)
    assert work_by_id("openalex", "W771").title == "The first telling of a twice-told record"
    again = import_files("openalex", [path])
    assert (again.new, again.updated, again.unchanged, again.skipped) == (0, 0, 4, 2)
    assert work_by_id("openalex", "W771").title == "The first telling of a twice-told record"


def test_record_marks_remember_keys_far_apart():
    """Keys as PostgreSQL's sequences may hand them out: sparse and large."""
    marks = RecordMarks()
    keys = [0, 7, 8, 65_535, 65_536, 10**9, 2**40 + 3]
    assert [marks.add(k) for k in keys] == [False] * len(keys)
    assert [marks.add(k) for k in keys] == [True] * len(keys)
    assert not any(marks.add(k + 1) for k in (8, 65_536, 10**9))


MALFORMED_OPENALEX = (
    "\n".join(
        [
            json.dumps(
                {
                    "id": "https://openalex.org/W1001",
                    "title": "A good record among bad ones",
                    "type": "article",
                    "authorships": [{"author": {"display_name": "A. Good"}}],
                }
            ),
            '{"id": "https://openalex.org/W1002", "title": "Truncated rec',
            json.dumps({"id": "https://openalex.org/W1003", "title": "", "type": "article"}),
            json.dumps(
                {
                    "id": "https://openalex.org/W1004",
                    "title": "Bad DOI record",
                    "doi": "https://doi.org/11.999/nope",
                }
            ),
            json.dumps(
                {
                    "id": "https://openalex.org/W1005",
                    "title": "Bad ORCID record",
                    "authorships": [
                        {
                            "author": {
                                "display_name": "X Y",
                                "orcid": "https://orcid.org/0000-0002-1825-0098",
                            }
                        }
                    ],
                }
            ),
            json.dumps(
                {
                    "id": "https://openalex.org/W1006",
                    "title": "Another good record",
                    "type": "article",
                    "authorships": [{"author": {"display_name": "B. Good"}}],
                }
            ),
        ]
    )
    + "\n"
)


def test_malformed_records_are_quarantined_with_reasons(write):
    path = write(
        "bad.jsonl", MALFORMED_OPENALEX.encode() + b'{"id": "W1007", "title": "\xff\xfe"}\n'
    )
    stats = import_files("openalex", [path])
    assert stats.new == 2
    assert stats.quarantined == 5
    reasons = dict(
        Quarantine.objects.filter(locator__startswith=path).values_list("locator", "reason")
    )
    assert "truncated JSON" in reasons[f"{path}:2"]
    assert "missing title" in reasons[f"{path}:3"]
    assert "bad DOI" in reasons[f"{path}:4"]
    assert "bad ORCID" in reasons[f"{path}:5"]
    assert "undecodable" in reasons[f"{path}:7"]
    assert Quarantine.objects.get(locator=f"{path}:2").payload.startswith('{"id"')
    # Importing again neither duplicates quarantine rows nor good records.
    again = import_files("openalex", [path])
    assert again.quarantined == 5 and again.unchanged == 2
    assert Quarantine.objects.filter(locator__startswith=path).count() == 5


def test_xml_bomb_is_refused(write):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>&lol2;'
        "</ListRecords></OAI-PMH>"
    )
    stats = import_files("arxiv", [write("bomb.xml", bomb)])
    assert stats.quarantined == 1 and stats.new == 0
    assert "entities" in Quarantine.objects.get(locator__endswith="bomb.xml").reason


def test_arxiv_block_without_title_and_gzip_input(write, data):
    block = (
        "------------------------------------------------------------------------------\n"
        "\\\\\narXiv:2006.99999\nFrom: A <a@b.c>\nDate: Fri, 29 May 2020 18:00:00 GMT   (1kb)\n\n"
        "Authors: A. Person\nCategories: astro-ph.GA\n\\\\\n"
    )
    good = (data / "arxiv/abs/hep-th/papers/9108/9108002.abs").read_bytes()
    path = write("mixed.abs.gz", gzip.compress(block.encode() + good))
    stats = import_files("arxiv", [path])
    assert stats.quarantined == 1 and stats.unchanged == 1
    assert "missing title" in Quarantine.objects.get(locator__startswith=path).reason


def test_truncated_gzip_keeps_what_came_before(write, data):
    full = gzip.compress((data / "arxiv/listings/astro-ph-listing-2006.txt").read_bytes())
    stats = import_files("arxiv", [write("cut.txt.gz", full[: len(full) // 2])])
    assert stats.unchanged > 100
    assert stats.quarantined == 1
    assert "unreadable file" in Quarantine.objects.get(locator__endswith="cut.txt.gz").reason


def test_quarantine_retry_after_a_fix(monkeypatch):
    item = Quarantine.objects.get(source="manual", resolved_at=None)
    assert "no authors" in item.reason
    fixed, still = retry_quarantine("manual")
    assert (fixed, still) == (0, 1)

    original = SOURCES["manual"]

    def lenient(chunk):
        data = json.loads(chunk.text)
        data["authors"] = ["Tianlong Chen"]
        from bzpeer.ingest.records import Chunk

        return original.parse(Chunk(chunk.source, chunk.locator, json.dumps(data), chunk.options))

    monkeypatch.setitem(SOURCES, "manual", Source("manual", original.chunks, lenient, ""))
    fixed, still = retry_quarantine("manual")
    assert (fixed, still) == (1, 0)
    assert SourceRecord.objects.filter(source="manual", external_id="mutebench").exists()
    item.refresh_from_db()
    assert item.resolved_at is not None


def test_listing_requires_an_owner(write):
    path = write(
        "list.jsonl", json.dumps({"title": "Some listed work of a person", "year": 2020}) + "\n"
    )
    stats = import_files("listing", [path])
    assert stats.quarantined == 1
    assert "--owner" in Quarantine.objects.get(locator__startswith=path).reason


def test_bibtex_authors_separated_by_commas_are_several_people():
    # The reference list writes this entry's authors "Ajay Jaiswal, Peihao Wang, ..."
    work = Work.objects.get(title__startswith="Old can be Gold")
    mentions = AuthorshipMention.objects.filter(work=work).order_by("position")
    assert [m.raw_name for m in mentions] == [
        "Ajay Jaiswal",
        "Peihao Wang",
        "Tianlong Chen",
        "Justin F Rousseau",
        "Ying Ding",
        "Zhangyang Wang",
    ]
    assert mentions[2].author.display_name == "Tianlong Chen"


def test_parser_processes_give_what_one_process_gives(write, data, monkeypatch, settings):
    """Parser processes read the input themselves and send windows back in
    turn: the records, an unreadable file's quarantine and the checkpoint are
    those of parsing in the writer's process."""
    listing = (data / "arxiv/listings/astro-ph-listing-2006.txt").read_bytes()
    cut = gzip.compress(listing)
    monkeypatch.setattr(parsers, "WINDOW", 7)  # several windows, the last one short
    seen = []
    for workers, year in (("2", b"15"), ("0", b"16")):
        settings.BZPEER_IMPORT_WORKERS = int(workers)
        paths = [
            # New records (ids the demo data does not hold), then a file cut short.
            write(f"new-{workers}.txt", listing.replace(b"arXiv:2006.", b"arXiv:" + year + b"06.")),
            write(f"cut-{workers}.txt.gz", cut[: len(cut) // 2]),
        ]
        result = run_import("arxiv", paths, show_progress=False, resolve=False)
        run = ImportRun.objects.get(pk=result.run_id)
        records = SourceRecord.objects.filter(external_id__startswith=f"{year.decode()}06.")
        seen.append(
            (
                (result.stats.new, result.stats.unchanged, result.stats.quarantined),
                (run.checkpoint_file, run.checkpoint_chunk),
                sorted(
                    (r.locator.split(":")[-1], r.external_id[2:])
                    for r in records.only("locator", "external_id")
                ),
                list(
                    Quarantine.objects.filter(
                        locator__endswith=f"cut-{workers}.txt.gz"
                    ).values_list("reason", flat=True)
                ),
            )
        )
    parallel, alone = seen
    assert parallel == alone
    assert parallel[0][0] > 100 and parallel[0][2] == 1
    assert "unreadable file" in parallel[3][0]


def test_a_failing_parser_process_stops_the_import(write, data, monkeypatch, settings):
    original = SOURCES["arxiv"]

    def broken(chunk):
        raise RuntimeError("a bug in the parser")

    monkeypatch.setitem(SOURCES, "arxiv", Source("arxiv", original.chunks, broken, ""))
    monkeypatch.setattr(parsers, "WINDOW", 7)
    settings.BZPEER_IMPORT_WORKERS = 2
    path = write("listing.txt", (data / "arxiv/listings/astro-ph-listing-2006.txt").read_bytes())
    with pytest.raises(RuntimeError, match="a bug in the parser"):
        run_import("arxiv", [path], show_progress=False, resolve=False)


def test_listing_separator_lines_are_whole_lines_of_dashes(data):
    import re

    from bzpeer.ingest.arxiv import _separator_lines

    dashes = b"-" * 30
    text = (
        dashes + b"\n"  # at the very start
        b"Title: a -" + dashes + b" inside a line\n" + dashes + b"--- with a remark\n"
        b"\n" + dashes[:29] + b"\n"  # 29 dashes: not a separator
        b"x\n"
        + dashes
        + b"\n"
        + dashes
        + b"\n"  # two in a row
        + dashes  # the last line, not yet complete
    )
    regex = re.compile(rb"^-{30,}[^\n]*\n", re.MULTILINE)
    listing = (data / "arxiv/listings/astro-ph-listing-1810.txt").read_bytes()
    for buffer in (text, listing):
        found = list(_separator_lines(buffer))
        assert found == [m.span() for m in regex.finditer(buffer)]
    assert len(list(_separator_lines(text))) == 4


def test_an_impossible_year_quarantines_its_record_alone(write):
    """A year no date can have (10**19 does not even fit the database's
    integers) sends the record to quarantine; the records around it import."""
    lines = [
        json.dumps(
            {
                "id": f"https://openalex.org/W{901 + i}",
                "title": f"Paper of the year {year}",
                "type": "article",
                "publication_year": year,
                "authorships": [{"author": {"display_name": "A. Good"}}],
            }
        )
        for i, year in enumerate([2001, 10**19, 0, 1665])
    ]
    path = write("years.jsonl", "\n".join(lines) + "\n")
    stats = import_files("openalex", [path])
    assert (stats.new, stats.quarantined) == (2, 2)
    kept = Work.objects.filter(title__startswith="Paper of the year")
    assert sorted(kept.values_list("year", flat=True)) == [1665, 2001]
    reasons = Quarantine.objects.filter(locator__startswith=path).values_list("reason", flat=True)
    assert sorted(reasons) == [
        "W902: implausible year 10000000000000000000",
        "W903: implausible year 0",
    ]
