"""dblp XML: streaming records out of dblp.xml and parsing them, without a database."""

from __future__ import annotations

import gzip
import inspect
import io
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from bzpeer.catalog.models import WorkType
from bzpeer.ingest import dblp
from bzpeer.ingest.records import Chunk, ParsedWork, RecordError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "dblp"
DEMO = FIXTURES / "dblp-mapreduce-demo.xml"
SAMPLE = FIXTURES / "alexandria3k-dblp-sample.xml.gz"
HEAD = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n'


def read_chunks(data: bytes, label: str = "t.xml") -> list[Chunk]:
    return list(dblp.chunks(label, io.BytesIO(data), ()))


def document(*records: str, doctype: str = HEAD) -> bytes:
    return (doctype + "<dblp>\n" + "\n".join(records) + "\n</dblp>\n").encode("iso-8859-1")


def one(record: str, doctype: str = HEAD) -> ParsedWork:
    (chunk,) = read_chunks(document(record, doctype=doctype))
    (work,) = dblp.parse(chunk)
    return work


def demo_chunks() -> dict[str, Chunk]:
    with open(DEMO, "rb") as stream:
        return {c.locator: c for c in dblp.chunks("demo", stream, ())}


def sample_chunks() -> list[Chunk]:
    with gzip.open(SAMPLE, "rb") as stream:
        return list(dblp.chunks("sample", stream, ()))


def outcomes(chunks: list[Chunk]) -> tuple[Counter[str], Counter[str]]:
    types: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for chunk in chunks:
        try:
            types.update(str(work.type) for work in dblp.parse(chunk))
        except RecordError as exc:
            errors[str(exc).split(": ", 1)[-1].split(",")[0]] += 1
    return types, errors


# --- the real fixtures -------------------------------------------------------


def test_demo_file_yields_every_publication_and_skips_person_pages():
    chunks = demo_chunks()
    assert len(chunks) == 293  # 290 articles, 1 book, 2 master's theses; 37 www pages skipped
    assert not any("homepages/" in locator or "www/" in locator for locator in chunks)
    types, errors = outcomes(list(chunks.values()))
    # 57 of the demo file's articles are technical reports (tr/ keys).
    # The book tr/acm/CS2013 and the report tr/ibm/G320-6590 name no author or
    # editor: works all the same (a curriculum, a manual), with nobody credited.
    assert types == {
        WorkType.JOURNAL_ARTICLE: 232,
        WorkType.REPORT: 58,
        WorkType.THESIS: 2,
        WorkType.BOOK: 1,
    }
    assert not errors
    (curriculum,) = dblp.parse(chunks["demo#tr/acm/CS2013"])
    assert curriculum.title == "Computer Science Curricula 2013"
    assert (curriculum.year, curriculum.authors) == (2013, ())
    assert ("doi", "10.1145/2534860") in curriculum.identifiers


def test_demo_thesis_and_entities():
    chunks = demo_chunks()
    (thesis,) = dblp.parse(chunks["demo#ms/Brown92"])
    assert thesis.type == WorkType.THESIS
    assert thesis.title == "PRPL: A Database Workload Specification Language, v1.3"
    assert thesis.venue == "Univ. of Wisconsin-Madison"
    assert thesis.url == "https://dblp.org/rec/ms/Brown92"
    (article,) = dblp.parse(chunks["demo#journals/ac/NavatheP92"])
    assert [a.name for a in article.authors] == ["Shamkant B. Navathe", "Günther Pernul"]
    assert "&uuml;" not in chunks["demo#journals/ac/NavatheP92"].text  # resolved in the chunk
    (report,) = dblp.parse(chunks["demo#tr/ibm/IWBS68"])
    assert report.authors[0].name == "Manfred Schmidt-Schauß"  # &szlig;


def test_demo_homonym_suffixes():
    (work,) = dblp.parse(demo_chunks()["demo#tr/meltdown/s18"])
    assert work.title == "Spectre Attacks: Exploiting Speculative Execution"
    assert work.year == 2018
    assert work.url == "https://spectreattack.com/spectre.pdf"
    prescher, schwarz = work.authors[7], work.authors[8]
    assert (prescher.name, prescher.person_key) == ("Thomas Prescher", "dblp:Thomas Prescher 0002")
    assert (schwarz.name, schwarz.person_key) == ("Michael Schwarz", "dblp:Michael Schwarz 0001")
    assert work.authors[3].person_key == "dblp:Werner Haas"
    assert [a.position for a in work.authors] == list(range(10))


def test_sample_known_record():
    chunks = {c.locator: c for c in sample_chunks()}
    (work,) = dblp.parse(chunks["sample#journals/cacm/KulkarniPWRBC09"])
    assert work.source == "dblp"
    assert work.external_id == "journals/cacm/KulkarniPWRBC09"
    assert work.title == "Optimistic parallelism requires abstractions"
    assert work.year == 2009
    assert work.type == WorkType.JOURNAL_ARTICLE
    assert work.venue == "Commun. ACM"
    assert [a.name for a in work.authors] == [
        "Milind Kulkarni",
        "Keshav Pingali",
        "Bruce Walter",
        "Ganesh Ramanarayanan",
        "Kavita Bala",
        "L. Paul Chew",
    ]
    assert work.authors[0].person_key == "dblp:Milind Kulkarni 0001"
    assert work.authors[4].orcid == "0000-0001-9761-6503"
    assert work.identifiers == (
        ("dblp", "journals/cacm/KulkarniPWRBC09"),
        ("doi", "10.1145/1562164.1562188"),
    )
    assert work.url == "https://doi.org/10.1145/1562164.1562188"


def test_sample_orcids_entities_and_old_acm_doi_links():
    chunks = {c.locator: c for c in sample_chunks()}
    (stamp,) = dblp.parse(chunks["sample#journals/cacm/Stamp04"])
    assert stamp.authors[0].orcid == "0000-0002-3803-8368"
    (pena,) = dblp.parse(chunks["sample#journals/cacm/PenaHC06"])
    assert [a.name for a in pena.authors] == [
        "Joaquín Peña",
        "Michael G. Hinchey",
        "Antonio Ruiz Cortés",
    ]
    assert [a.orcid for a in pena.authors] == ["0000-0001-9216-9695", None, "0000-0001-9827-1834"]
    (colker,) = dblp.parse(chunks["sample#journals/cacm/Colker63a"])
    assert ("doi", "10.1145/366663.366672") in colker.identifiers  # http://doi.acm.org/...


def test_sample_ends_broken_and_keeps_the_rest_for_quarantine():
    """The sample file ends in ``<dblp>`` instead of ``</dblp>``."""
    chunks = sample_chunks()
    assert len(chunks) == 92  # 91 records, then the unreadable end
    types, errors = outcomes(chunks)
    # four articles name nobody (dblp's anonymous "X" keys and one unsigned)
    assert types == {WorkType.JOURNAL_ARTICLE: 91}
    assert errors == {"Premature end of data in tag dblp line 996": 1}
    last = chunks[-1]
    assert last.locator == "sample#line994"
    assert last.text.endswith("</article>\n<dblp>\n")
    with pytest.raises(RecordError, match="malformed XML: Premature end of data"):
        dblp.parse(last)


# --- built records -----------------------------------------------------------


def test_record_kinds_and_venues():
    records = [
        '<inproceedings key="conf/x/A1"><author>A B</author><title>P.</title>'
        "<booktitle>ICSE</booktitle><year>2001</year></inproceedings>",
        '<proceedings key="conf/x/2001"><editor>E One</editor><editor>E Two 0007</editor>'
        "<title>Proc. X.</title><booktitle>X</booktitle><publisher>ACM</publisher>"
        "<year>2001</year></proceedings>",
        '<book key="books/b/C"><author>C D</author><title>B.</title>'
        "<publisher>Springer</publisher><year>1999</year></book>",
        '<incollection key="reference/r/E"><author>E F</author><title>Ch.</title>'
        "<booktitle>Handbook</booktitle><year>2010</year></incollection>",
        '<phdthesis key="phd/G"><author>G H</author><title>Th.</title>'
        "<school>ETH Z&uuml;rich</school><year>2015</year></phdthesis>",
        '<data key="data/x/1"><author>I J</author><title>Not a publication.</title></data>',
    ]
    chunks = read_chunks(document(*records))
    assert [c.locator for c in chunks] == [
        "t.xml#conf/x/A1",
        "t.xml#conf/x/2001",
        "t.xml#books/b/C",
        "t.xml#reference/r/E",
        "t.xml#phd/G",
    ]
    works = [w for c in chunks for w in dblp.parse(c)]
    assert [(w.type, w.venue, w.year) for w in works] == [
        (WorkType.CONFERENCE_PAPER, "ICSE", 2001),
        (WorkType.BOOK, "X", 2001),
        (WorkType.BOOK, "Springer", 1999),
        (WorkType.BOOK_CHAPTER, "Handbook", 2010),
        (WorkType.THESIS, "ETH Zürich", 2015),
    ]
    editors = works[1].authors
    assert [(a.name, a.position, a.person_key) for a in editors] == [
        ("E One", 0, "dblp:E One"),
        ("E Two", 1, "dblp:E Two 0007"),
    ]


def test_corr_is_a_preprint_with_its_arxiv_id():
    work = one(
        '<article key="journals/corr/abs-2106-10404" publtype="informal">'
        "<author>A B</author><title>Some <i>k</i>-SAT results for H<sub>2</sub>O.</title>"
        "<journal>CoRR</journal><volume>abs/2106.10404</volume><year>2021</year>"
        "<ee type='oa'>https://doi.org/10.48550/arXiv.2106.10404</ee></article>"
    )
    assert work.type == WorkType.PREPRINT
    assert work.title == "Some k-SAT results for H2O"
    assert work.identifiers == (
        ("dblp", "journals/corr/abs-2106-10404"),
        ("doi", "10.48550/arxiv.2106.10404"),
        ("arxiv", "2106.10404"),
    )


def test_links_that_are_not_dois_are_ignored():
    work = one(
        '<article key="journals/j/A"><author>A B</author><title>T</title><year>2000</year>'
        "<journal>J</journal><ee>https://example.org/paper.pdf</ee>"
        "<ee>https://doi.org/not-a-doi</ee><ee>https://arxiv.org/abs/1501.00001v2</ee></article>"
    )
    assert work.identifiers == (("dblp", "journals/j/A"), ("arxiv", "1501.00001"))
    assert work.url == "https://example.org/paper.pdf"


def test_missing_title_is_a_record_error_and_nobody_named_is_not():
    (untitled, anonymous) = read_chunks(
        document(
            '<article key="journals/j/NoTitle"><author>A B</author><year>2000</year></article>',
            '<article key="journals/j/NoOne"><title>T.</title><year>2000</year></article>',
        )
    )
    with pytest.raises(RecordError, match="missing title"):
        dblp.parse(untitled)
    (work,) = dblp.parse(anonymous)
    assert (work.title, work.authors) == ("T", ())


def test_an_edited_volume_credits_its_editors_as_editors():
    (volume, chapter) = read_chunks(
        document(
            '<proceedings key="conf/vldb/2000"><editor>Amr El Abbadi</editor>'
            "<editor>Michael L. Brodie</editor><title>VLDB 2000.</title>"
            "<year>2000</year></proceedings>",
            '<incollection key="books/x/Y00"><author>Ann Lee</author><editor>Bo Ek</editor>'
            "<title>A chapter.</title><year>2000</year></incollection>",
        )
    )
    (work,) = dblp.parse(volume)
    assert [(a.name, a.role, a.position) for a in work.authors] == [
        ("Amr El Abbadi", "editor", 0),
        ("Michael L. Brodie", "editor", 1),
    ]
    (part,) = dblp.parse(chapter)  # a chapter's authors are its contributors
    assert [(a.name, a.role) for a in part.authors] == [("Ann Lee", "author")]


def test_orcid_attribute_and_bad_orcid():
    record = (
        '<article key="journals/j/O"><author orcid="{}">Ann Lee 0002</author>'
        "<title>T.</title></article>"
    )
    work = one(record.format("0000-0002-1825-0097"))
    assert work.authors[0].orcid == "0000-0002-1825-0097"
    assert work.authors[0].name == "Ann Lee"
    (chunk,) = read_chunks(document(record.format("0000-0002-1825-0098")))
    with pytest.raises(RecordError, match="bad ORCID"):
        dblp.parse(chunk)


def test_record_without_key_gets_a_running_number():
    chunks = read_chunks(
        document(
            '<www key="homepages/x"><author>X</author><title>Home Page</title></www>',
            "<article><author>A B</author><title>T.</title></article>",
        )
    )
    assert [c.locator for c in chunks] == ["t.xml#2"]
    with pytest.raises(RecordError, match="without a key"):
        dblp.parse(chunks[0])


def test_chunk_reparses_on_its_own_from_quarantine():
    (chunk,) = read_chunks(
        document(
            '<article key="a/b/C"><author>J&uuml;rgen M&ouml;ller</author>'
            "<title>T.</title></article>"
        )
    )
    assert "Jürgen Möller" in chunk.text and "&" not in chunk.text
    stored = Chunk("dblp", chunk.locator, chunk.text)
    assert dblp.parse(stored)[0].authors[0].name == "Jürgen Möller"


# --- broken and hostile input ------------------------------------------------


def test_truncated_file_yields_good_records_then_one_failed_chunk():
    data = DEMO.read_bytes()
    cut = data.index(b'key="journals/ac/Hill71"') + 60
    chunks = read_chunks(data[:cut], "cut.xml")
    assert [c.locator for c in chunks[:-1]] == [
        "cut.xml#journals/ac/Gotlieb60",
        "cut.xml#journals/ac/Spandorfer68",
        "cut.xml#journals/ac/Muroga91",
        "cut.xml#journals/ac/Good65",
        "cut.xml#journals/ac/Murtha66",
        "cut.xml#journals/ac/RamamoorthyPGYB87",
    ]
    failed = chunks[-1]
    assert failed.option("failed")
    assert 'key="journals/ac/Hill71"' in failed.text
    with pytest.raises(RecordError, match="malformed XML"):
        dblp.parse(failed)


def test_truncated_gzip_is_quarantined_not_raised():
    packed = gzip.compress(DEMO.read_bytes())
    with gzip.open(io.BytesIO(packed[: len(packed) // 2]), "rb") as stream:
        chunks = list(dblp.chunks("cut.xml.gz", stream, ()))
    assert len(chunks) > 10
    assert all(not c.option("failed") for c in chunks[:-1])
    with pytest.raises(RecordError, match="unreadable input"):
        dblp.parse(chunks[-1])


def test_undecodable_and_empty_input_do_not_crash():
    for data in (b"\xff\xfe\x00garbage", b"<dblp><article key='a'>\xe9</article></dblp>", b""):
        (chunk,) = read_chunks(data)
        assert "\x00" not in chunk.text
        with pytest.raises(RecordError):
            dblp.parse(chunk)


def test_foreign_doctype_gets_the_bundled_dtd(monkeypatch: pytest.MonkeyPatch):
    asked: list[str] = []
    original = dblp._BundledDTD.resolve

    def spy(self: Any, system_url: str, public_id: str, context: Any) -> Any:
        asked.append(system_url)
        return original(self, system_url, public_id, context)

    monkeypatch.setattr(dblp._BundledDTD, "resolve", spy)
    evil = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "http://evil.example/x.dtd">\n'
    work = one(
        '<article key="k/e/y"><author>Gro&szlig;</author><title>&Uuml;ber.</title></article>', evil
    )
    assert asked == ["http://evil.example/x.dtd"]
    assert (work.authors[0].name, work.title) == ("Groß", "Über")


def test_external_entities_are_never_read():
    hostile = (
        '<?xml version="1.0"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd" '
        '[<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    )
    chunks = read_chunks(
        document('<article key="a"><author>A</author><title>&x;</title></article>', doctype=hostile)
    )
    assert not any("root:" in c.text for c in chunks)
    with pytest.raises(RecordError):
        dblp.parse(chunks[-1])


# --- memory -------------------------------------------------------------------


class CountingStream(io.RawIOBase):
    def __init__(self, path: Path) -> None:
        self.file = open(path, "rb")  # noqa: SIM115 - closed by the test
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.read_bytes += len(data)
        return data


class WatchedParser:
    """Wraps ``iterparse`` to see how many records ``<dblp>`` holds at each record's end."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.resolvers = inner.resolvers
        self.widest = 0

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for event, element in self.inner:
            parent = element.getparent()
            if parent is not None and parent.getparent() is None:
                self.widest = max(self.widest, len(parent))
            yield event, element


def test_large_file_streams_with_flat_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "big.xml"
    records = 20_000
    with open(path, "wb") as out:
        out.write(HEAD.encode() + b"<dblp>\n")
        for n in range(records):
            out.write(
                f'<article key="journals/big/R{n}"><author>M&uuml;ller {n}</author>'
                f"<author>Ann Lee 0001</author><title>Record number {n}.</title>"
                f"<year>2000</year><journal>Big</journal>"
                f"<ee>https://doi.org/10.1/{n}</ee></article>\n".encode()
            )
            if n % 10 == 0:
                out.write(f'<www key="homepages/{n}"><author>X</author></www>\n'.encode())
        out.write(b"</dblp>\n")
    size = path.stat().st_size

    watches: list[WatchedParser] = []
    real_iterparse = etree.iterparse

    def watched(*args: Any, **kwargs: Any) -> WatchedParser:
        watches.append(WatchedParser(real_iterparse(*args, **kwargs)))
        return watches[-1]

    monkeypatch.setattr(etree, "iterparse", watched)
    stream = CountingStream(path)
    try:
        produced = dblp.chunks("big.xml", stream, ())  # type: ignore[arg-type]
        assert inspect.isgenerator(produced)
        first = next(produced)
        assert first.locator == "big.xml#journals/big/R0"
        assert stream.read_bytes < size  # the first record comes before the file is read
        tracemalloc.start()
        count = 1 + sum(1 for _ in produced)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        stream.file.close()
    widest = watches[0].widest
    assert count == records
    assert widest < 1_000  # records are unlinked as they go: only the read-ahead stays
    assert peak < 8 << 20  # the bounded raw window (for a failed chunk) is most of it
