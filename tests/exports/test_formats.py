"""BibTeX, RIS and CSL-JSON exports read back by their own parsers
(bibtexparser, rispy, citeproc-py) and checked against the catalog."""

from __future__ import annotations

import os
from datetime import date

import bibtexparser
import citeproc
import orjson
import pytest
import rispy
from bibtexparser import middlewares
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from pylatexenc.latex2text import LatexNodes2Text

from bzpeer.catalog.models import Work, WorkIdentifier, WorkType
from bzpeer.catalog.queries import author_lists
from bzpeer.exports import bibtex, csl, ris
from bzpeer.exports.records import Citable, Person, clean, split_name

pytestmark = pytest.mark.django_db

HARVARD = os.path.join(
    os.path.dirname(citeproc.__file__), "data", "styles", "harvard-cite-them-right.csl"
)
# Every character LaTeX or BibTeX treats as syntax, accents of several
# scripts, and text with no LaTeX form.
HOSTILE_TITLE = (
    r"50% of {Sparse} $x_1$ & #tags ~ ^hat \input{/etc/passwd} }unbalanced{ "
    'Müller’s “quoted” Ångström Łódź Ærø naïve Dvořák 中文 ☃ α-helix <b>bold</b> "q" a|b'
)


def _parse_bibtex(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            # names split on the braces as written (their parts decoded in _names)
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
            middlewares.LatexDecodingMiddleware(),
        ],
    )
    assert not library.failed_blocks, library.failed_blocks
    return library


_LATEX = LatexNodes2Text()


def _names(entry) -> list[tuple[str, str, str]]:
    """(family with its von part, given, suffix) of each author, decoded."""

    def text(parts: list[str]) -> str:
        return _LATEX.latex_to_text(" ".join(parts))

    return [
        (text(n.von + n.last), text(n.first), text(n.jr)) for n in entry.fields_dict["author"].value
    ]


def _families(entry) -> list[str]:
    return [family for family, _, _ in _names(entry)]


def _catalog(work_ids: list[int]) -> dict[int, tuple[str, list[str], int | None, str]]:
    """What the catalog says: title, author surnames in order, year, first DOI."""
    lists = author_lists(work_ids)
    out = {}
    for work in Work.objects.filter(pk__in=work_ids):
        dois = sorted(
            WorkIdentifier.objects.filter(work=work, scheme="doi").values_list("value", flat=True)
        )
        families = [split_name(a.name).family for a in lists.get(work.pk, [])]
        out[work.pk] = (clean(work.title, 1000), families, work.year, dois[0] if dois else "")
    return out


def _work_id(url: str) -> int:
    return int(url.rstrip("/").rsplit("/", 1)[1])


def test_a_profiles_bibtex_parses_back_to_the_catalog(client, reference_author):
    response = client.get(f"/researchers/{reference_author.slug}/works.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tianlong-chen.bib"'
    library = _parse_bibtex(response.content.decode())
    entries = library.entries
    assert len(entries) == reference_author.works_count
    keys = [e.key for e in entries]
    assert len(set(keys)) == len(keys)  # de-duplicated
    ids = []
    for e in entries:
        fields = e.fields_dict
        # the work's page is its URL when it has no DOI or arXiv id; else find it by DOI
        doi = fields["doi"].value if "doi" in fields else ""
        if doi:
            ids.append(WorkIdentifier.objects.filter(scheme="doi", value=doi).first().work_id)
        elif "eprint" in fields:
            ids.append(
                WorkIdentifier.objects.filter(scheme="arxiv", value=fields["eprint"].value)
                .first()
                .work_id
            )
        else:
            ids.append(_work_id(fields["url"].value))
    catalog = _catalog(ids)
    for e, work_id in zip(entries, ids, strict=True):
        title, families, year, doi = catalog[work_id]
        fields = e.fields_dict
        assert fields["title"].value.replace("ˆ", "^") == title
        assert _families(e) == families
        assert (int(fields["year"].value) if "year" in fields else None) == year
        assert (fields["doi"].value if "doi" in fields else "") == doi
    # newest first, as on the profile
    years = [int(e.fields_dict["year"].value) for e in entries if "year" in e.fields_dict]
    assert years == sorted(years, reverse=True)


def test_the_profiles_filter_narrows_the_export(client, reference_author):
    response = client.get(
        f"/researchers/{reference_author.slug}/works.ris?year=2021&type=conference-paper"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert "tianlong-chen-2021-conference-paper.ris" in response["Content-Disposition"]
    records = rispy.loads(response.content.decode())
    expected = Work.objects.filter(
        mentions__author=reference_author, year=2021, type=WorkType.CONFERENCE_PAPER
    ).distinct()
    assert len(records) == expected.count() > 0
    titles = {clean(w.title, 1000) for w in expected}
    assert {r["title"] for r in records} == titles
    assert {r["type_of_reference"] for r in records} == {"CPAPER"}
    assert any(r["title"].startswith("Sparse Training via Boosting Pruning") for r in records)


def test_ris_carries_authors_in_order_years_and_dois(client):
    work = Work.objects.filter(identifiers__scheme="doi", year__isnull=False).order_by("pk").first()
    response = client.get(f"/works/{work.pk}/cite.ris")
    (record,) = rispy.loads(response.content.decode())
    title, families, year, doi = _catalog([work.pk])[work.pk]
    assert record["title"] == title
    assert [a.split(",")[0] for a in record["authors"]] == families
    assert record["year"] == str(year)
    assert record["doi"] == doi
    assert record["urls"] == [f"https://doi.org/{doi}"]
    assert response.content.endswith(b"ER  - \r\n")


def test_csl_json_renders_through_a_csl_processor(client, reference_author):
    response = client.get(f"/researchers/{reference_author.slug}/works.json")
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    items = orjson.loads(response.content)
    assert len(items) == reference_author.works_count
    style = CitationStylesStyle(HARVARD, validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), citeproc_formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(r) for r in bibliography.bibliography()]
    assert len(rendered) == len(items)
    for item in items[:40]:
        entry = next(r for r in rendered if item["title"] in r)
        assert f"({item['issued']['date-parts'][0][0]})" in entry
        assert entry.startswith(f"{item['author'][0]['family']},")
    by_title = {i["title"]: i for i in items}
    granet = next(i for t, i in by_title.items() if t.startswith("Sparse Training via Boosting"))
    assert granet["type"] == "paper-conference"
    assert granet["author"][0] == {"family": "Liu", "given": "Shiwei"}
    assert {"family": "Chen", "given": "Tianlong"} in granet["author"]
    assert granet["container-title"] == "NeurIPS"


def _item(**fields) -> Citable:
    base = dict(
        id=1,
        key="muller2021sparse",
        type=WorkType.JOURNAL_ARTICLE,
        title=HOSTILE_TITLE,
        authors=(
            Person("Müller", "José"),
            Person("van der Berg", "J."),
            Person("Łukasiewicz", "Ægir Þór"),
            Person("King", "Martin Luther", "Jr."),
            Person("Smith and Jones", "A."),
            Person("World Health Organization"),
        ),
        year=2021,
        date=date(2021, 3, 4),
        venue="Journal of {Braces} & 100% Ünïcode",
        doi="10.1000/x_y{z}",
        arxiv="",
        page="http://testserver/works/1",
    )
    return Citable(**(base | fields))


def test_latex_specials_and_accents_survive_a_bibtex_round_trip():
    item = _item()
    text = bibtex.write([item])
    assert r"\input" not in text.replace(r"{\textbackslash}input", "")
    (entry,) = _parse_bibtex(text).entries
    fields = entry.fields_dict
    # pylatexenc reads \textasciicircum as U+02C6, the modifier letter
    assert fields["title"].value.replace("ˆ", "^") == HOSTILE_TITLE
    assert fields["journal"].value == item.venue
    assert _names(entry) == [(p.family, p.given, p.suffix) for p in item.authors]
    # verbatim fields (read as written, not as LaTeX): braces percent-encoded
    (raw,) = bibtexparser.parse_string(text).entries
    assert raw.fields_dict["doi"].value == "10.1000/x_y%7Bz%7D"
    assert fields["year"].value == "2021"


def test_specials_survive_ris_and_csl_json():
    item = _item(type=WorkType.PREPRINT, arxiv="2101.00001", doi="")
    (record,) = rispy.loads(ris.write([item]))
    assert record["title"] == HOSTILE_TITLE
    assert record["authors"][3] == "King, Martin Luther, Jr."
    assert record["type_of_reference"] == "UNPB"
    (data,) = orjson.loads(csl.write([item]))
    assert data["title"] == HOSTILE_TITLE
    assert data["type"] == "article"
    assert data["issued"] == {"date-parts": [[2021, 3, 4]]}
    assert data["author"][3] == {"family": "King", "given": "Martin Luther", "suffix": "Jr."}
    assert data["URL"] == "https://arxiv.org/abs/2101.00001"
    style = CitationStylesStyle(HARVARD, validate=False)
    bib = CitationStylesBibliography(style, CiteProcJSON([data]), citeproc_formatter.plain)
    bib.register(Citation([CitationItem(data["id"])]))
    (rendered,) = [str(r) for r in bib.bibliography()]
    assert rendered.startswith("Müller, J. et al. (2021)")
    assert HOSTILE_TITLE.replace("<b>bold</b>", "")[:40] in rendered


def test_a_newline_in_a_record_cannot_start_a_field_of_its_own():
    title = "Harmless\nER  - \nTY  - JOUR\nTI  - Injected\r\n@misc{evil,"
    item = _item(title=clean(title, 1000), authors=(Person("Doe", "Jane\nAU  - Evil"),))
    records = rispy.loads(ris.write([item]))
    assert len(records) == 1 and "Injected" in records[0]["title"]
    library = _parse_bibtex(bibtex.write([item]))
    assert [e.key for e in library.entries] == [item.key]


@pytest.mark.parametrize(
    ("raw", "family", "given", "suffix"),
    [
        ("Tianlong Chen", "Chen", "Tianlong", ""),
        ("Chen, Tianlong", "Chen", "Tianlong", ""),
        ("T. Chen", "Chen", "T.", ""),
        ("Ludwig van Beethoven", "van Beethoven", "Ludwig", ""),
        ("Martin Luther King Jr.", "King", "Martin Luther", "Jr."),
        ("King, Jr., Martin Luther", "King", "Martin Luther", "Jr."),
        ("José  María\tGarcía-Pérez", "García-Pérez", "José María", ""),
        ("陈天龙", "陈天龙", "", ""),
    ],
)
def test_names_split_into_family_and_given(raw, family, given, suffix):
    assert split_name(raw) == Person(family, given, suffix)
