"""Semantic Scholar importer: chunking and parsing of recorded Graph API responses.

No database: chunks() and parse() are called directly on tests/fixtures/s2/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest

from bzpeer.catalog.models import WorkType
from bzpeer.ingest import s2
from bzpeer.ingest.records import Chunk, ParsedAuthorEntity, ParsedWork, RecordError

S2 = Path(__file__).parent.parent / "fixtures" / "s2"
TURING_PAPER = "2d5673caa9e6af3a7b82a43f19ee920992db07ad"


def chunks_of(path: Path, label: str | None = None) -> list[Chunk]:
    with open(path, "rb") as stream:
        return list(s2.chunks(label or path.name, stream, ()))


def fixture_chunks(name: str) -> list[Chunk]:
    return chunks_of(S2 / name)


def one(chunk: Chunk) -> ParsedWork | ParsedAuthorEntity:
    records = s2.parse(chunk)
    assert len(records) == 1
    return records[0]


def work(chunk: Chunk) -> ParsedWork:
    record = one(chunk)
    assert isinstance(record, ParsedWork)
    return record


def author(chunk: Chunk) -> ParsedAuthorEntity:
    record = one(chunk)
    assert isinstance(record, ParsedAuthorEntity)
    return record


def paper_chunk(**fields: Any) -> Chunk:
    return Chunk(s2.SOURCE, "test", orjson.dumps({"paperId": "p1", **fields}).decode())


def test_full_paper_is_one_work_without_its_citations() -> None:
    chunks = fixture_chunks("Paper.json")
    assert [c.locator for c in chunks] == ["Paper.json"]  # 20 citations, 14 references inside
    paper = work(chunks[0])
    assert paper.source == "s2"
    assert paper.external_id == TURING_PAPER
    assert paper.title == "Computing Machinery and Intelligence"
    assert paper.year == 1950
    assert paper.date == dt.date(1950, 10, 1)
    assert paper.type == WorkType.JOURNAL_ARTICLE  # publicationTypes JournalArticle, Review
    assert paper.venue == "Mind"  # the journal, not the collection S2 also names
    assert paper.identifiers == (
        ("s2", TURING_PAPER),
        ("doi", "10.1093/mind/lix.236.433"),
        ("dblp", "journals/x/Turing50"),
    )
    assert [(a.name, a.position, a.person_key) for a in paper.authors] == [
        ("A. Turing", 0, "s2:2262347")
    ]
    assert paper.abstract.startswith("I propose to consider the question, “Can machines think?”")
    assert paper.url == f"https://www.semanticscholar.org/paper/{TURING_PAPER}"


def test_paper_with_null_values() -> None:
    chunks = fixture_chunks("PaperWithNullValues.json")  # pretty-printed over six lines
    assert [c.locator for c in chunks] == ["PaperWithNullValues.json"]
    with pytest.raises(RecordError, match=f"^{TURING_PAPER}: missing title$"):
        s2.parse(chunks[0])
    fields = {**orjson.loads(chunks[0].text), "title": " Null\n fields "}
    nullable = ("externalIds", "publicationVenue", "journal", "venue", "abstract", "url")
    fields.update(dict.fromkeys((*nullable, "year", "publicationDate", "publicationTypes")))
    paper = work(Chunk(s2.SOURCE, "test", orjson.dumps(fields).decode()))
    assert (paper.title, paper.year, paper.date, paper.type) == (
        "Null fields",
        None,
        None,
        WorkType.OTHER,
    )
    assert (paper.authors, paper.venue, paper.abstract, paper.url) == ((), "", "", "")
    assert paper.identifiers == (("s2", TURING_PAPER),)


def test_get_paper_with_title_only() -> None:
    (chunk,) = fixture_chunks("test_get_paper__0.json")
    paper = work(chunk)
    assert (paper.external_id, paper.title) == (
        TURING_PAPER,
        "Computing Machinery and Intelligence",
    )
    assert (paper.year, paper.type, paper.authors) == (None, WorkType.OTHER, ())


def test_paper_batch_without_titles_is_quarantined() -> None:
    chunks = fixture_chunks("test_get_papers__0.json")  # fields=authors: no title
    assert [c.locator for c in chunks] == [f"test_get_papers__0.json#{n}" for n in (1, 2, 3)]
    first = orjson.loads(chunks[0].text)
    assert first["paperId"] == "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce"
    assert [a["name"] for a in first["authors"]] == [
        "Marianne Bertrand",
        "E. Duflo",
        "S. Mullainathan",
    ]
    for chunk in chunks:
        with pytest.raises(RecordError, match="missing title"):
            s2.parse(chunk)


def test_paper_search_page_gives_one_chunk_per_item() -> None:
    name = "test_search_paper_fields_of_study__0.json"
    page = orjson.loads((S2 / name).read_bytes())
    assert (page["total"], page["next"], len(page["data"])) == (11683, 100, 100)
    chunks = fixture_chunks(name)
    assert len(chunks) == len(page["data"])
    assert chunks[-1].locator == f"{name}#100"
    assert orjson.loads(chunks[0].text)["paperId"] == "6b0f06617d9f5256a80ed62d9398acb92a55a6bd"
    with pytest.raises(RecordError, match="missing title"):  # fields=s2FieldsOfStudy only
        s2.parse(chunks[0])


def test_author_is_one_entity_without_its_papers() -> None:
    chunks = fixture_chunks("Author.json")
    assert len(orjson.loads(chunks[0].text)["papers"]) == 60
    assert [c.locator for c in chunks] == ["Author.json"]
    entity = author(chunks[0])
    assert (entity.source, entity.external_id, entity.display_name) == (
        "s2",
        "2262347",
        "A. Turing",
    )
    assert (entity.openalex_id, entity.orcid) == (None, None)
    assert (entity.name_variants, entity.affiliations) == ((), ())


def test_get_author_and_author_batch() -> None:
    (chunk,) = fixture_chunks("test_get_author__0.json")
    assert (author(chunk).external_id, author(chunk).display_name) == ("2262347", "A. Turing")
    batch = [author(c) for c in fixture_chunks("test_get_authors__0.json")]
    assert [(a.external_id, a.display_name) for a in batch] == [
        ("3234559", "E. Dijkstra"),
        ("1726629", "D. Parnas"),
        ("1711844", "I. Sommerville"),
    ]


def test_batch_null_entries_are_skipped(tmp_path: Path) -> None:
    items = orjson.loads((S2 / "test_get_authors__0.json").read_bytes())
    path = tmp_path / "batch.json"
    path.write_bytes(orjson.dumps([items[0], None, items[1], None, items[2]]))
    chunks = chunks_of(path)
    assert [c.locator for c in chunks] == ["batch.json#1", "batch.json#3", "batch.json#5"]
    assert [author(c).display_name for c in chunks] == [
        "E. Dijkstra",
        "D. Parnas",
        "I. Sommerville",
    ]


def test_author_papers_page() -> None:
    chunks = fixture_chunks("test_get_author_papers__0.json")
    assert len(chunks) == 100  # offset 0, next 100
    papers = [work(c) for c in chunks]
    assert papers[0].external_id == "01063e45d9fc9635d29d8d78aa24ed8de351f36a"
    assert papers[0].title == "SARS-CoV-2 hijacks p38β/MAPK11 to promote virus replication"
    assert {p.type for p in papers} == {WorkType.OTHER}
    assert len({p.external_id for p in papers}) == 100


def test_paper_authors_page() -> None:
    chunks = fixture_chunks("test_get_paper_authors__0.json")
    authors = [author(c) for c in chunks]
    assert [(a.external_id, a.display_name) for a in authors] == [
        ("2259683", "E. Duflo"),
        ("2237651454", "A. Banerjee"),
        ("4249203", "R. Glennerster"),
        ("31549526", "Cynthia Kinnan"),
    ]
    assert all(a.affiliations == () and a.orcid is None for a in authors)


def test_author_search_page() -> None:
    chunks = fixture_chunks("test_search_author__0.json")
    assert len(chunks) == orjson.loads((S2 / "test_search_author__0.json").read_bytes())["total"]
    assert len(chunks) == 59
    names = [author(c).display_name for c in chunks]
    assert names[0] == "A. Turing"
    assert names[-1] == "Minimal Turing Test and Children's Education"


def test_index_file_yields_nothing() -> None:
    index = orjson.loads((S2 / "_index.json").read_bytes())
    assert len(index) == 16 and all({"file", "uri"} <= entry.keys() for entry in index)
    assert fixture_chunks("_index.json") == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"publicationTypes": ["Conference"]}, WorkType.CONFERENCE_PAPER),
        ({"publicationTypes": ["Review"]}, WorkType.JOURNAL_ARTICLE),
        ({"publicationTypes": ["Book"]}, WorkType.BOOK),
        ({"publicationTypes": ["BookSection"]}, WorkType.BOOK_CHAPTER),
        ({"publicationTypes": ["Dataset"]}, WorkType.DATASET),
        ({"publicationTypes": ["Editorial"]}, WorkType.OTHER),
        ({"publicationTypes": ["JournalArticle", "Conference"]}, WorkType.CONFERENCE_PAPER),
        (
            {
                "publicationTypes": ["JournalArticle", "Conference"],
                "publicationVenue": {"name": "NeurIPS", "type": "conference"},
            },
            WorkType.CONFERENCE_PAPER,
        ),
        ({"publicationVenue": {"name": "Nature", "type": "journal"}}, WorkType.JOURNAL_ARTICLE),
        (
            {"publicationTypes": ["JournalArticle"], "venue": "arXiv.org"},
            WorkType.PREPRINT,
        ),
        (
            {"publicationTypes": ["JournalArticle"], "journal": {"name": "ArXiv"}},
            WorkType.PREPRINT,
        ),
        ({"externalIds": {"ArXiv": "2106.10404"}}, WorkType.PREPRINT),
        (
            {"externalIds": {"ArXiv": "2106.10404", "DOI": "10.48550/arXiv.2106.10404"}},
            WorkType.PREPRINT,
        ),
        ({"externalIds": {"ArXiv": "2106.10404", "DOI": "10.1000/x"}}, WorkType.OTHER),
        (
            {"externalIds": {"ArXiv": "2106.10404"}, "venue": "Phys. Rev. D"},
            WorkType.OTHER,
        ),
        ({}, WorkType.OTHER),
    ],
)
def test_work_types(fields: dict[str, Any], expected: str) -> None:
    assert work(paper_chunk(title="T", **fields)).type == expected


def test_venue_order_and_identifiers() -> None:
    paper = work(
        paper_chunk(
            title="T",
            publicationVenue={"name": "Physical Review D", "type": "journal"},
            venue="Phys. Rev. D",
            journal={"name": "Physical Review D", "volume": "76"},
            externalIds={
                "DOI": "10.1103/PhysRevD.76.013009",
                "ArXiv": "0704.0001",
                "PubMed": "12345",
                "DBLP": "journals/x/Y07",
                "MAG": "2145482038",
                "CorpusId": 1,
            },
        )
    )
    assert paper.venue == "Physical Review D"
    assert paper.identifiers == (
        ("s2", "p1"),
        ("doi", "10.1103/physrevd.76.013009"),
        ("arxiv", "0704.0001"),
        ("pmid", "12345"),
        ("dblp", "journals/x/Y07"),
    )
    assert work(paper_chunk(title="T", venue=" ", journal={"name": "Mind"})).venue == "Mind"


def test_bad_arxiv_id_is_quarantined() -> None:
    with pytest.raises(RecordError, match=r"p1: bad arXiv id 'not-an-id'"):
        s2.parse(paper_chunk(title="T", externalIds={"ArXiv": "not-an-id"}))


def test_authors_keep_position_and_key() -> None:
    authors = [
        {"authorId": "1", "name": "Ada  Lovelace"},
        {"authorId": None, "name": "Charles Babbage"},
        {"authorId": "3", "name": None},
        None,
        {"authorId": "5", "name": "Alan Turing"},
    ]
    paper = work(paper_chunk(title="T", authors=authors))
    assert [(a.name, a.position, a.person_key) for a in paper.authors] == [
        ("Ada Lovelace", 0, "s2:1"),
        ("Charles Babbage", 1, ""),
        ("Alan Turing", 4, "s2:5"),
    ]


def test_author_entity_fields() -> None:
    chunk = Chunk(
        s2.SOURCE,
        "test",
        orjson.dumps(
            {
                "authorId": "42",
                "name": "Alan M. Turing",
                "aliases": ["A. Turing", "A. M. Turing", None],
                "affiliations": ["University of Manchester", ""],
                "externalIds": {"ORCID": "0000-0002-1825-0097", "DBLP": ["Alan M. Turing"]},
            }
        ).decode(),
    )
    entity = author(chunk)
    assert entity.orcid == "0000-0002-1825-0097"
    assert entity.name_variants == ("A. Turing", "A. M. Turing")
    assert [(ref.name, start, end) for ref, start, end in entity.affiliations] == [
        ("University of Manchester", None, None)
    ]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"authorId": "42", "name": None}, "42: author without a name"),
        ({"authorId": "42", "name": "X", "externalIds": {"ORCID": "0000-0002-1825-0098"}}, "ORCID"),
        ({"title": "No id"}, "not a Semantic Scholar paper or author object"),
        ({"paperId": None, "authorId": None}, "not a Semantic Scholar paper or author object"),
        (["a", "list"], "not a Semantic Scholar paper or author object"),
    ],
)
def test_records_that_are_rejected(record: object, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        s2.parse(Chunk(s2.SOURCE, "test", orjson.dumps(record).decode()))


def test_json_lines_good_and_bad_lines(tmp_path: Path) -> None:
    paper_line = (S2 / "Paper.json").read_bytes().strip()  # ~100 KB: longer than one read
    lines = [
        paper_line,
        paper_line[:5000],
        b'{"paperId": "bad1", "title": "T", "externalIds": {"DOI": "10.1234"}}',
        b'{"paperId": "bad2", "title": "  ", "year": 2020}',
        b"",
        (S2 / "test_get_author__0.json").read_bytes(),
    ]
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    chunks = chunks_of(path)
    assert [c.locator for c in chunks] == [f"dump.jsonl:{n}" for n in (1, 2, 3, 4, 6)]
    assert work(chunks[0]).title == "Computing Machinery and Intelligence"
    assert author(chunks[4]).display_name == "A. Turing"
    with pytest.raises(RecordError, match=r"^malformed or truncated JSON: "):
        s2.parse(chunks[1])
    with pytest.raises(RecordError, match=r"^bad1: bad DOI '10.1234'$"):
        s2.parse(chunks[2])
    with pytest.raises(RecordError, match=r"^bad2: missing title$"):
        s2.parse(chunks[3])


def test_truncated_document_is_one_quarantined_chunk(tmp_path: Path) -> None:
    path = tmp_path / "Paper.json"
    path.write_bytes((S2 / "test_get_paper_authors__0.json").read_bytes()[:500])
    chunks = chunks_of(path)
    assert [c.locator for c in chunks] == ["Paper.json"]
    assert chunks[0].text.startswith('{"offset": 0, "data": [')
    with pytest.raises(RecordError, match=r"^malformed or truncated JSON: "):
        s2.parse(chunks[0])


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(b"\xff\xfe")
    (chunk,) = chunks_of(path)
    with pytest.raises(RecordError, match="undecodable"):
        s2.parse(chunk)
    path.write_bytes(b'{"authorId": "1", "name": "A"}\n{"authorId": "2", "name": "\xff\xfe"}\n')
    first, second = chunks_of(path)
    assert author(first).display_name == "A"
    with pytest.raises(RecordError, match="undecodable"):
        s2.parse(second)
