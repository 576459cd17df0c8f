"""Hostile records through the real importers (issue 20, the import side of
findings 1, 3 and 4): only http(s) links and no e-mail address are stored,
re-importing repairs what an older parser stored, and NUL bytes, huge
strings and bidi controls neither crash an import nor get cut."""

from __future__ import annotations

import json

import pytest
from ingest_factories import import_files, work_by_id

from bzpeer.catalog.models import (
    Author,
    AuthorshipMention,
    Institution,
    Quarantine,
    SourceRecord,
    Work,
    WorkVersion,
)
from bzpeer.ingest import rows
from bzpeer.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db

ADDRESS = "Maliasili Initiatives, P.O. Box 8372, Arusha, Tanzania. fnelson@nm-aist.ac.tz"


def _version(scheme, value):
    return work_by_id(scheme, value).versions.get()


def _openalex(number: int, **fields) -> str:
    """An OpenAlex work as the API and the snapshot give it, one JSON line."""
    work = {
        "id": f"https://openalex.org/W{number}",
        "title": f"Conservation and aid in natural resource governance {number}",
        "publication_year": 2020,
        "type": "article",
        "primary_location": {
            "is_oa": False,
            "landing_page_url": f"https://example.org/landing/{number}",
            "source": None,
        },
        "authorships": [
            {
                "author_position": "first",
                "author": {"id": f"https://openalex.org/A{number}1", "display_name": "Fred Nelson"},
                "institutions": [],
                "raw_author_name": "Fred Nelson",
                "raw_affiliation_strings": ["Maliasili Initiatives, Arusha, Tanzania"],
            }
        ],
    }
    work.update(fields)
    return json.dumps(work)


# -- links -----------------------------------------------------------------


HOSTILE_LINKS = [
    " JavaScript:alert(1)",
    "javascript:alert(document.cookie)",
    "\tjava\u200bscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https://ok.example/a\u202e",
    'https://ok.example/"onmouseover="alert(1)',
]


def test_openalex_landing_page_is_stored_only_as_an_http_link(write):
    lines = [
        _openalex(9100 + n, primary_location={"landing_page_url": link, "source": None})
        for n, link in enumerate(HOSTILE_LINKS)
    ]
    lines.append(_openalex(9199))
    stats = import_files("openalex", [write("links.jsonl", "\n".join(lines) + "\n")])
    assert stats.new == len(HOSTILE_LINKS) + 1
    for n in range(len(HOSTILE_LINKS)):
        assert _version("openalex", f"W{9100 + n}").url == ""
    assert _version("openalex", "W9199").url == "https://example.org/landing/9199"
    # The raw record keeps what the source said.
    record = SourceRecord.objects.get(source="openalex", external_id="W9100")
    assert "JavaScript:alert(1)" in record.payload


def test_every_importer_stores_only_http_links(write):
    bib = write(
        "links.bib",
        r"""@article{evil2021,
  title = {A Paper With a Hostile Link},
  author = {Nelson, Fred},
  journal = {Journal of Links},
  url = {JaVaScRiPt:alert(1)},
  year = {2021}
}
@article{good2021,
  title = {A Paper With a Good Link},
  author = {Nelson, Fred},
  journal = {Journal of Links},
  url = {https://example.org/good},
  year = {2021}
}
""",
    )
    crossref = write(
        "links.jsonl",
        json.dumps(
            {
                "DOI": "10.5555/hostile.1",
                "type": "journal-article",
                "title": ["A Crossref record with a data link"],
                "author": [{"given": "Fred", "family": "Nelson"}],
                "URL": "data:text/html,<script>alert(1)</script>",
                "issued": {"date-parts": [[2021, 1, 2]]},
            }
        )
        + "\n",
    )
    s2 = write(
        "paper.json",
        json.dumps(
            {
                "paperId": "f" * 40,
                "title": "A Semantic Scholar paper with a vbscript link",
                "year": 2021,
                "authors": [{"authorId": "1", "name": "Fred Nelson"}],
                "url": "vbscript:msgbox(1)",
            }
        ),
    )
    dblp = write(
        "dblp.xml",
        """<?xml version="1.0" encoding="UTF-8"?>
<dblp>
<article key="journals/x/Nelson21">
<author>Fred Nelson</author>
<title>A dblp record with a script link.</title>
<year>2021</year>
<journal>X</journal>
<ee>javascript:alert(1)</ee>
</article>
</dblp>
""",
    )
    manual = write(
        "papers.json",
        json.dumps(
            {
                "papers": [
                    {
                        "title": "A compiled paper with a script link",
                        "authors": ["Fred Nelson"],
                        "year": 2021,
                        "urls": [" javascript:alert(1)"],
                        "doi": "10.5555/hostile.2",
                    }
                ]
            }
        ),
    )
    ror = write(
        "ror.json",
        json.dumps(
            {
                "id": "https://ror.org/0abcdef12",
                "names": [{"value": "Hostile Links Institute", "types": ["ror_display"]}],
                "links": [
                    {"type": "website", "value": "javascript:alert(1)"},
                    {"type": "wikipedia", "value": "https://en.wikipedia.org/wiki/X"},
                ],
                "types": ["education"],
                "status": "active",
            }
        ),
    )
    assert import_files("ror", [ror]).new == 1
    institution = Institution.objects.get(ror="0abcdef12")
    assert institution.links == ["https://en.wikipedia.org/wiki/X"]
    assert import_files("bibtex", [bib], owner="Fred Nelson").new == 2
    assert import_files("crossref", [crossref]).new == 1
    assert import_files("s2", [s2]).new == 1
    assert import_files("dblp", [dblp]).new == 1
    assert import_files("manual", [manual], owner="Fred Nelson").new == 1
    bibtex_urls = dict(
        WorkVersion.objects.filter(source="bibtex", title__startswith="A Paper With a").values_list(
            "title", "url"
        )
    )
    assert bibtex_urls == {
        "A Paper With a Hostile Link": "",
        "A Paper With a Good Link": "https://example.org/good",
    }
    assert _version("doi", "10.5555/hostile.1").url == ""
    assert _version("doi", "10.5555/hostile.2").url == ""
    assert WorkVersion.objects.get(source="s2", source_record__external_id="f" * 40).url == ""
    assert _version("dblp", "journals/x/Nelson21").url == ""
    assert not WorkVersion.objects.filter(url__icontains="script:").exists()
    assert not WorkVersion.objects.filter(url__startswith="data:").exists()


# -- e-mail addresses ---------------------------------------------------------


def test_demo_affiliation_keeps_its_address_in_the_source_record_only():
    """The real record from the issue: OpenAlex W2154416934, Fred Nelson."""
    mention = AuthorshipMention.objects.get(
        version__source_record__source="openalex",
        version__source_record__external_id="W2154416934",
        position=0,
    )
    assert mention.raw_affiliation == "Maliasili Initiatives, P.O. Box 8372, Arusha, Tanzania"
    record = SourceRecord.objects.get(source="openalex", external_id="W2154416934")
    assert "fnelson@habari.co.tz" in record.payload
    assert not AuthorshipMention.objects.filter(raw_affiliation__contains="@").exists()


def test_affiliations_from_every_importer_lose_their_addresses(write):
    openalex = write(
        "aff.jsonl",
        _openalex(
            9301,
            authorships=[
                {
                    "author": {"display_name": "Fred Nelson"},
                    "raw_author_name": "Fred Nelson",
                    "raw_affiliation_strings": [ADDRESS],
                },
                {
                    "author": {"display_name": "Ada Quist"},
                    "raw_affiliation_strings": ["Dept. of Physics, MIT (e-mail: ada [at] mit.edu)"],
                },
            ],
        )
        + "\n",
    )
    crossref = write(
        "aff-crossref.jsonl",
        json.dumps(
            {
                "DOI": "10.5555/hostile.3",
                "type": "journal-article",
                "title": ["A Crossref record with an address"],
                "author": [
                    {
                        "given": "Fred",
                        "family": "Nelson",
                        "affiliation": [{"name": "Arusha, Tanzania; Email: fnelson@nm-aist.ac.tz"}],
                    }
                ],
                "issued": {"date-parts": [[2021]]},
            }
        )
        + "\n",
    )
    listing = write(
        "listing.txt",
        r"""------------------------------------------------------------------------------
\\
arXiv:2006.99991
From: Fred Nelson  <example@example.com>
Date: Thu, 18 Jun 2020 21:15:12 GMT   (2167kb,D)

Title: A listing with an address in an affiliation
Authors: Fred Nelson (Arusha, Tanzania. fnelson@nm-aist.ac.tz), Ada Quist
Categories: astro-ph.CO
\\
  An abstract.
\\
""",
    )
    s2_author = write(
        "author.json",
        json.dumps(
            {
                "authorId": "99999001",
                "name": "Fred Nelson",
                "affiliations": ["Nelson Mandela Institution, Arusha. fnelson@nm-aist.ac.tz"],
            }
        ),
    )
    import_files("openalex", [openalex])
    import_files("crossref", [crossref])
    import_files("arxiv", [listing])
    import_files("s2", [s2_author])
    first, second = work_by_id("openalex", "W9301").mentions.order_by("position")
    assert first.raw_affiliation == "Maliasili Initiatives, P.O. Box 8372, Arusha, Tanzania"
    assert second.raw_affiliation == "Dept. of Physics, MIT"
    crossref_mention = work_by_id("doi", "10.5555/hostile.3").mentions.get()
    assert crossref_mention.raw_affiliation == "Arusha, Tanzania"
    listed = work_by_id("arxiv", "2006.99991").mentions.get(position=0)
    assert listed.raw_affiliation == "Arusha, Tanzania"
    assert Institution.objects.filter(name="Nelson Mandela Institution, Arusha").exists()
    assert not Institution.objects.filter(name__contains="@").exists()
    assert not AuthorshipMention.objects.filter(raw_affiliation__contains="@").exists()
    assert "fnelson@nm-aist.ac.tz" in SourceRecord.objects.get(external_id="W9301").payload


# -- re-importing repairs what an older parser stored -------------------------

BIBTEX = r"""@inproceedings{bernal2021sparse,
  title = {\emph{Sparse} Training via \textbf{Boosting} of {GraNet}},
  author = {Chen, Tianlong and Jos\'e Luis Bernal and A. Sillanp\"a\"a and S. Ciprini},
  booktitle = {Advances in Neural Information Processing Systems},
  url = {JaVaScRiPt:alert(1)},
  year = {2021}
}
"""


def _stored_as_before(record: SourceRecord, **version_fields) -> WorkVersion:
    """Rows as the parser before these fixes wrote them (its output, taken
    from that parser), hashed as it hashed the record: no parser version."""
    version = record.version
    WorkVersion.objects.filter(pk=version.pk).update(**version_fields)
    if "title" in version_fields:
        Work.objects.filter(pk=version.work_id).update(title=version_fields["title"])
    return version


def test_reimport_repairs_a_bibtex_record_an_older_parser_stored(write, monkeypatch):
    path = write("vita.bib", BIBTEX)
    # The first import hashes the record as the older parser did.
    monkeypatch.setattr(rows, "_PARSER_TAG", b"")
    assert import_files("bibtex", [path], owner="Tianlong Chen").new == 1
    monkeypatch.undo()
    record = SourceRecord.objects.get(source="bibtex", external_id__startswith="bernal2021sparse")
    version = _stored_as_before(record, title="Training via of GraNet", url="JaVaScRiPt:alert(1)")
    mention = version.mentions.get(position=1)
    author = mention.author
    assert author is not None and author.display_name == "José Luis Bernal"
    AuthorshipMention.objects.filter(pk=mention.pk).update(raw_name="JoséLuis Bernal")
    Author.objects.filter(pk=author.pk).update(
        display_name="JoséLuis Bernal", name_variants=["JoséLuis Bernal"]
    )
    authors_before = Author.objects.count()

    stats = import_files("bibtex", [path], owner="Tianlong Chen")

    assert (stats.new, stats.updated, stats.unchanged) == (0, 1, 0)
    work = Work.objects.get(pk=version.work_id)
    assert work.title == "Sparse Training via Boosting of GraNet"
    version = WorkVersion.objects.get(pk=version.pk)
    assert (version.title, version.url) == ("Sparse Training via Boosting of GraNet", "")
    repaired = version.mentions.get(position=1)
    assert repaired.raw_name == "José Luis Bernal"
    # The same author record, its address unchanged, named as the record now reads.
    assert repaired.author_id == author.pk
    author.refresh_from_db()
    assert author.display_name == "José Luis Bernal"
    assert author.name_variants == ["José Luis Bernal"]
    assert Author.objects.count() == authors_before
    assert "José Luis Bernal" in work.authors_text

    # A plain second import of the same input writes nothing.
    stamp = Work.objects.get(pk=work.pk).updated_at
    again = import_files("bibtex", [path], owner="Tianlong Chen")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert Work.objects.get(pk=work.pk).updated_at == stamp


LISTING = r"""------------------------------------------------------------------------------
\\
arXiv:1810.99751
From: Kari Nilsson  <example@example.com>
Date: Mon, 1 Oct 2018 11:25:27 GMT   (2023kb,D)

Title: Long-term optical monitoring of TeV emitting Blazars
Authors: K. Nilsson, E. Lindfors, A. Sillanp\"a\"a S. Ciprini, Jos\'e Luis Bernal
  (Arusha, Tanzania. fnelson@nm-aist.ac.tz)
Categories: astro-ph.HE
\\
  We monitor blazars.
\\
"""


def test_reimport_repairs_an_arxiv_record_an_older_parser_stored(write, monkeypatch):
    path = write("listing.txt", LISTING)
    monkeypatch.setattr(rows, "_PARSER_TAG", b"")
    assert import_files("arxiv", [path]).new == 1
    monkeypatch.undo()
    version = SourceRecord.objects.get(source="arxiv", external_id="1810.99751").version
    fused, bernal = version.mentions.get(position=2), version.mentions.get(position=3)
    assert (fused.raw_name, bernal.raw_name) == ("A. Sillanpää S. Ciprini", "José Luis Bernal")
    assert bernal.raw_affiliation == "Arusha, Tanzania"
    # As the older parser stored it: accents ate the spaces, the address stayed.
    AuthorshipMention.objects.filter(pk=fused.pk).update(raw_name="A. SillanpääS. Ciprini")
    AuthorshipMention.objects.filter(pk=bernal.pk).update(
        raw_name="JoséLuis Bernal", raw_affiliation="Arusha, Tanzania. fnelson@nm-aist.ac.tz"
    )
    Author.objects.filter(pk=fused.author_id).update(display_name="A. SillanpääS. Ciprini")
    Author.objects.filter(pk=bernal.author_id).update(display_name="JoséLuis Bernal")

    assert import_files("arxiv", [path]).updated == 1

    fused_now, bernal_now = version.mentions.get(position=2), version.mentions.get(position=3)
    assert fused_now.raw_name == "A. Sillanpää S. Ciprini"
    assert (bernal_now.raw_name, bernal_now.raw_affiliation) == (
        "José Luis Bernal",
        "Arusha, Tanzania",
    )
    assert (fused_now.author_id, bernal_now.author_id) == (fused.author_id, bernal.author_id)
    assert Author.objects.get(pk=fused.author_id).display_name == "A. Sillanpää S. Ciprini"
    assert Author.objects.get(pk=bernal.author_id).display_name == "José Luis Bernal"
    assert import_files("arxiv", [path]).unchanged == 1


def test_a_new_parser_version_rewrites_every_record_once(write, monkeypatch):
    path = write("three.jsonl", "\n".join(_openalex(9400 + n) for n in range(3)) + "\n")
    assert import_files("openalex", [path]).new == 3
    authors = dict(
        AuthorshipMention.objects.filter(work__in=_works(9400, 3)).values_list(
            "work_id", "author_id"
        )
    )
    monkeypatch.setattr(rows, "_PARSER_TAG", b"\x00parser=999")
    assert import_files("openalex", [path]).updated == 3
    assert import_files("openalex", [path]).unchanged == 3
    # Rewritten, each mention is still on the record resolution gave it.
    assert (
        dict(
            AuthorshipMention.objects.filter(work__in=_works(9400, 3)).values_list(
                "work_id", "author_id"
            )
        )
        == authors
    )


def _works(first: int, count: int) -> list[int]:
    return [work_by_id("openalex", f"W{first + n}").pk for n in range(count)]


def test_an_author_dropped_from_a_changed_record_loses_the_work(write):
    both = [
        {"author": {"display_name": "Ada Quistorp"}, "raw_author_name": "Ada Quistorp"},
        {"author": {"display_name": "Charles Wexbridge"}, "raw_author_name": "Charles Wexbridge"},
    ]
    path = write("one.jsonl", _openalex(9501, authorships=both) + "\n")
    import_files("openalex", [path])
    work = work_by_id("openalex", "W9501")
    ada, charles = (m.author for m in work.mentions.order_by("position"))
    assert ada.works_count == charles.works_count == 1
    write("one.jsonl", _openalex(9501, authorships=both[:1]) + "\n")
    assert import_files("openalex", [path]).updated == 1
    assert work.mentions.get().author_id == ada.pk
    charles.refresh_from_db()
    assert charles.works_count == 0


# -- hostile text ---------------------------------------------------------------

LONG_TITLE = ("Attention " * 10_000)[:-1] + "!"  # 100,000 characters
LONG_NAME = "Q" + "u" * 4_990 + " Longname"  # 5,000 characters
BIDI = "\u202eevil\u202c name \u2067isolate\u2069"


def test_hostile_text_imports_whole(write):
    lines = [
        _openalex(
            9601,
            title="NUL\u0000 in the\u0000 title",
            abstract_inverted_index={"An\u0000": [0], "abstract": [1]},
            authorships=[
                {
                    "author": {"display_name": "Nul\u0000 Person"},
                    "raw_author_name": "Nul\u0000 Person",
                }
            ],
        ),
        _openalex(9602, title=LONG_TITLE),
        _openalex(
            9603,
            title=f"Bidi {BIDI} title",
            authorships=[
                {"author": {"display_name": LONG_NAME}, "raw_author_name": LONG_NAME},
                {"author": {"display_name": f"Bidi {BIDI}"}, "raw_author_name": f"Bidi {BIDI}"},
            ],
        ),
    ]
    stats = import_files("openalex", [write("hostile.jsonl", "\n".join(lines) + "\n")])
    assert (stats.new, stats.quarantined) == (3, 0)
    nul = work_by_id("openalex", "W9601")
    assert (nul.title, nul.abstract) == ("NUL in the title", "An abstract")
    assert nul.mentions.get().raw_name == "Nul Person"
    long = work_by_id("openalex", "W9602")
    assert long.title == LONG_TITLE and len(long.title) == 100_000
    assert long.versions.get().title == LONG_TITLE
    assert len(long.title_key) == 255  # a derived key: cut to its column
    bidi = work_by_id("openalex", "W9603")
    assert bidi.title == f"Bidi {BIDI} title"
    names = list(bidi.mentions.order_by("position").values_list("raw_name", flat=True))
    assert names == [LONG_NAME, f"Bidi {BIDI}"]
    assert LONG_NAME in bidi.authors_text


def test_nul_bytes_in_raw_text_are_dropped_not_quarantined(write):
    bib = write(
        "nul.bib",
        b"@article{nul2021,\n  title = {A NUL\x00 in a BibTeX title},\n"
        b"  author = {Nul\x00 Person},\n  journal = {J},\n  year = {2021}\n}\n",
    )
    assert import_files("bibtex", [bib], owner="Nul Person").new == 1
    work = Work.objects.get(title="A NUL in a BibTeX title")
    assert work.mentions.get().raw_name == "Nul Person"
    assert "\x00" not in SourceRecord.objects.get(version__work=work).payload


def test_an_author_record_keeps_a_long_name(write):
    path = write(
        "author.json",
        json.dumps(
            {"id": "https://openalex.org/A99999", "display_name": LONG_NAME, "works_count": 1}
        ),
    )
    import_files("openalex", [path])
    assert Author.objects.get(openalex_id="A99999").display_name == LONG_NAME


def test_malformed_records_are_quarantined_with_their_reason(write):
    lines = [
        _openalex(
            9701,
            primary_location={
                "landing_page_url": "https://example.org/x",
                "source": {"id": "https://openalex.org/S" + "1" * 40, "display_name": "Journal X"},
            },
        ),
        # A NUL to take out of a thousand nested lists.
        '{"id": "https://openalex.org/W9702", "title": "Deep", "x": '
        + "[" * 1020
        + '"\\u0000"'
        + "]" * 1020
        + "}",
        _openalex(9703),
    ]
    openalex = write("bad.jsonl", "\n".join(lines) + "\n")
    crossref = write(
        "bad-crossref.jsonl",
        json.dumps(
            {
                "DOI": "10.5555/hostile.4",
                "type": "journal-article",
                "title": ["A date too large for any calendar"],
                "author": [{"given": "Fred", "family": "Nelson"}],
                "issued": {"date-parts": [[10**18, 1, 1]]},
            }
        )
        + "\n",
    )
    bib = write(
        "long-key.bib",
        "@article{" + "k" * 300 + ",\n title = {A key too long},\n author = {Nelson, Fred},\n}\n",
    )
    stats = import_files("openalex", [openalex])
    assert (stats.new, stats.quarantined) == (1, 2)
    reasons = dict(Quarantine.objects.filter(source="openalex").values_list("locator", "reason"))
    assert "venue OpenAlex id longer than 20 characters" in reasons[f"{openalex}:1"]
    assert "RecursionError" in reasons[f"{openalex}:2"]
    assert import_files("crossref", [crossref]).quarantined == 1
    assert "OverflowError" in Quarantine.objects.get(source="crossref").reason
    assert import_files("bibtex", [bib], owner="Fred Nelson").quarantined == 1
    assert "id longer than 255 characters" in Quarantine.objects.get(source="bibtex").reason


def test_records_nested_deep_in_a_page_do_not_stop_the_import(write):
    """orjson writes 255 levels at most: splitting a page must not raise."""

    def nested(depth: int) -> str:
        return "[" * depth + "1" + "]" * depth

    page = (
        '{"meta": {"count": 3}, "results": ['
        + _openalex(9801)
        + ", "
        + _openalex(9802)[:-1]
        + ', "x": '
        + nested(300)
        + "}, "
        + _openalex(9803)[:-1]
        + ', "x": '
        + nested(1010)
        + "}]}"
    )
    stats = import_files("openalex", [write("page.json", page)])
    assert (stats.new, stats.quarantined) == (2, 1)
    assert work_by_id("openalex", "W9802").title.endswith("9802")
    reason = Quarantine.objects.get(source="openalex", locator__endswith="page.json#3").reason
    assert reason == "OpenAlex record is not a JSON object"


def test_the_quick_link_test_agrees_with_the_full_one():
    """``http_url`` answers plain links without ``urlsplit``: the same answer."""
    import random
    import re
    from urllib.parse import urlsplit

    from bzpeer.catalog.untrusted import http_url

    junk = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

    def full(text: str) -> str:
        candidate = text.strip()
        if not candidate or junk.search(candidate) or len(candidate) > 2000:
            return ""
        try:
            parts = urlsplit(candidate)
        except ValueError:
            return ""
        if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
            return ""
        return "" if any(c in candidate for c in "<>\"'`\\") else candidate

    pieces = [
        *("http://", "https://", "HtTpS://", "http:", "//", "/", "?", "#", "@", ":"),
        *("[", "]", "::1", "a", "b.org", "99999", " ", "\t", "\n", "\x00", "\u202e"),
        *("é", "<", "'", '"', "\\", "`", "%20", "javascript:", "x", ".", "-", "_"),
        *("~", "&", "=", "\x7f", "\u200b", "{", "|", "!", "$", "(", ";"),
    ]
    rng = random.Random(20)
    for _ in range(30_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        if rng.random() < 0.6:
            text = rng.choice(["http://", "https://", " http://", "hTTp://"]) + text
        assert http_url(text) == full(text), repr(text)
    assert http_url("https://" + "a" * 1992) == "https://" + "a" * 1992
    assert http_url("https://" + "a" * 1993) == ""


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"1" + b"]" * depth


HOSTILE_FILES = {
    "nul-bytes": b"\x00" * 64,
    "utf16": '\ufeff{"id": "W1"}\n'.encode("utf-16"),
    # One record for each JSON source, each with NUL characters where they get stored.
    "nul-escapes": b"\n".join(
        [
            b'{"id": "https://openalex.org/W99001", "title": "NUL\\u0000 title", '
            b'"authorships": [{"author": {"display_name": "A\\u0000 Nul"}}]}',
            b'{"DOI": "10.5555/nul.1", "type": "journal-article", "title": ["NUL\\u0000"], '
            b'"author": [{"given": "A\\u0000", "family": "Nul"}]}',
            b'{"paperId": "nul1", "title": "NUL\\u0000", "authors": [{"name": "A\\u0000 Nul"}]}',
            b'{"id": "2101.99001", "title": "NUL\\u0000", "authors": "A\\u0000 Nul", '
            b'"abstract": "\\u0000", "versions": [{"created": "Mon, 4 Jan 2021 10:00:00 GMT"}]}',
            b'{"title": "NUL\\u0000 listed", "year": 2021, "venue": "\\u0000"}',
        ]
    )
    + b"\n",
    "deep": _deep(2000),
    "deep-page": b'{"results": [' + _deep(300) + b", " + _deep(1010) + b"]}",
    "deep-list": b"[" + _deep(300) + b"]",
    "xml-nul": b"<?xml version='1.0'?><dblp><article key='a'>&#0;</article></dblp>",
    "xml-bomb": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>',
    "long-line": b'{"title": "' + b"x" * 300_000 + b'"}\n',
    "bibtex-nul": b"@article{k\x00,\n title = {\x00},\n author = {\x00}\n}\n",
    "long-doi": b'{"DOI": "10.1/' + b"x" * 400 + b'", "type": "journal-article", '
    b'"title": ["A long DOI"], "author": [{"family": "X"}]}\n',
    "bidi": "\u202e\u2066 {[( \u0000 \\'e".encode() * 1000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_no_hostile_input_stops_an_import(write, name):
    """Every importer takes every hostile file: records land or go to
    quarantine with a reason, and the run ends (on PostgreSQL too)."""
    from bzpeer.ingest.sources import SOURCES

    path = write(f"{name}.bin", HOSTILE_FILES[name])
    for source in sorted(SOURCES):
        options = {"owner": "Fred Nelson"} if source in {"bibtex", "manual", "listing"} else {}
        import_files(source, [path], **options)
    assert not Quarantine.objects.filter(reason="").exists()
    if name == "nul-escapes":
        # Read back and tested here: SQLite's LIKE stops at a NUL in its pattern.
        landed = [
            (source, title)
            for source, title in WorkVersion.objects.values_list("source", "title")
            if title.startswith("NUL")
        ]
        assert {source for source, _ in landed} == {
            "openalex",
            "crossref",
            "s2",
            "arxiv",
            "listing",
        }
        assert not [title for _, title in landed if "\x00" in title]
        names = AuthorshipMention.objects.filter(raw_name__endswith="Nul")
        assert names.count() >= 4
        assert not [n for n in names.values_list("raw_name", flat=True) if "\x00" in n]


def test_a_json_lines_file_whose_first_record_is_longer_than_a_block_is_split(write):
    """A first line over 64 KiB used to make the file look like one document,
    and the whole file went to quarantine as malformed JSON."""
    import json

    from bzpeer.catalog.models import Work

    long = {"id": "https://openalex.org/W99550001", "title": "Long " + "x" * 100_000}
    short = {"id": "https://openalex.org/W99550002", "title": "Short record after a long one"}
    path = write("long-first.jsonl", json.dumps(long) + "\n" + json.dumps(short) + "\n")
    result = run_import("openalex", [path], {}, show_progress=False)
    assert result.stats.quarantined == 0 and result.stats.new == 2
    assert Work.objects.filter(title="Short record after a long one").exists()
    crossref = [
        {"DOI": "10.9999/long.1", "title": ["Long " + "y" * 100_000], "type": "journal-article"},
        {"DOI": "10.9999/long.2", "title": ["Short crossref record"], "type": "journal-article"},
    ]
    path = write("long-first-crossref.jsonl", "\n".join(json.dumps(c) for c in crossref) + "\n")
    result = run_import("crossref", [path], {}, show_progress=False)
    assert result.stats.quarantined == 0 and result.stats.new == 2
