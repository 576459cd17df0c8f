"""LaTeX in names and titles becomes Unicode without fusing or losing words
(issue 20, finding 4)."""

from __future__ import annotations

import io
import unicodedata

import bibtexparser
import pytest
from pylatexenc.latex2text import LatexNodes2Text

from bzpeer.demo import DATA
from bzpeer.ingest import arxiv, bibtex
from bzpeer.ingest.text import latex_accents, latex_to_unicode, squash, title_key

# (as written, as read): every accent form, each followed by a space and
# another word, which must stay a word of its own.
FORMS = [
    (r"Jos\'e Luis Bernal", "José Luis Bernal"),
    (r"Jos\'{e} Luis", "José Luis"),
    (r"Jos{\'e} Luis", "José Luis"),
    (r"Jos{\'{e}} Luis", "José Luis"),
    (r"Jos\' e Luis", "José Luis"),
    (r"M\"{o}bius Strip", "Möbius Strip"),
    (r"M\"obius Strip", "Möbius Strip"),
    (r"\c c a", "ç a"),
    (r"Fran\c cois Roux", "François Roux"),
    (r"Fran\c{c}ois Roux", "François Roux"),
    (r"Du\v{s}an \v{C}ech", "Dušan Čech"),
    (r"Du\v san Kov", "Dušan Kov"),
    (r"H\'ector Gil-Mar\'in", "Héctor Gil-Marín"),
    (r"Mart\'\i nez Garc\'ia", "Martínez García"),
    (r"Mart\'{\i}nez Garc\'{i}a", "Martínez García"),
    (r"Erd\H{o}s P\'al", "Erdős Pál"),
    (r"\L{}ukasz Ma\l ecki", "Łukasz Małecki"),
    # A control word takes the spaces after it, as in TeX ("Bj\o rn" is one
    # word); braces end it without taking any.
    (r"Bj\o rn Berg", "Bjørn Berg"),
    (r"Bj{\o}rn Berg", "Bjørn Berg"),
    (r"S{\o} Berg", "Sø Berg"),
    (r"S\o{} Berg", "Sø Berg"),
    (r"{\O}stergaard Jens", "Østergaard Jens"),
    (r"Gau\ss{} Weber", "Gauß Weber"),
    (r"Gau{\ss} Weber", "Gauß Weber"),
    (r"Stra\ss e Eins", "Straße Eins"),
    (r"{\aa}ngstr{\"o}m Unit", "ångström Unit"),
    (r"Smith \& Wesson", "Smith & Wesson"),
    # Two names: the accent at the end of one must not join it to the next.
    (r"A. Sillanp\"a\"a and S. Ciprini", "A. Sillanpää and S. Ciprini"),
    (r"A. Sillanp\"a\"a S. Ciprini", "A. Sillanpää S. Ciprini"),
    (r"Sillanp\"{a}\"{a}, A. and Ciprini, S.", "Sillanpää, A. and Ciprini, S."),
]

_reference = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


@pytest.mark.parametrize(("written", "read"), FORMS)
def test_accents_keep_the_words_apart(written, read):
    assert latex_to_unicode(written) == read
    # Titles and abstracts (arXiv) read accents the same way.
    assert latex_accents(written) == read


@pytest.mark.parametrize(("written", "read"), FORMS)
def test_the_quick_reading_agrees_with_the_full_converter(written, read):
    """The regexes are a shortcut for pylatexenc, which handles what they do not."""
    full = unicodedata.normalize("NFC", squash(_reference.latex_to_text(written)))
    assert full == read


def test_an_unclosed_group_is_left_to_the_converter():
    # The outer brace has no partner right after the letter: not taken with it.
    assert latex_accents(r"{Jos\'e Luis} Bernal") == "{José Luis} Bernal"
    assert latex_to_unicode(r"{Jos\'e Luis} Bernal") == "José Luis Bernal"


def test_styling_macros_keep_their_words_in_arxiv_titles():
    assert latex_accents(r"\emph{Sparse} Training via \textbf{Boosting}") == (
        "Sparse Training via Boosting"
    )


def _bibtex(entry: str) -> list:
    (chunk,) = bibtex.chunks("test.bib", io.BytesIO(entry.encode()), ())
    return bibtex.parse(chunk)


def test_bibtex_title_keeps_emph_textbf_and_textit_words():
    (work,) = _bibtex(
        r"""@article{chen2021sparse,
  title = {\emph{Sparse} Training via \textbf{Boosting} and \textit{Pruning} of {GraNet}},
  author = {Chen, Tianlong and Jos\'e Luis Bernal},
  journal = {Journal of Sparse Things},
  year = {2021}
}"""
    )
    assert work.title == "Sparse Training via Boosting and Pruning of GraNet"
    assert work.title_key == "sparsetrainingviaboostingandpruningofgranet"


def test_bibtex_names_with_accents_stay_apart():
    (work,) = _bibtex(
        r"""@article{nilsson2018,
  title = {Long-term optical monitoring of TeV emitting Blazars},
  author = {Nilsson, K. and A. Sillanp\"a\"a and S. Ciprini and Jos\'e Luis Bernal
            and Fran\c{c}ois Roux and Du\v{s}an {\v{C}}ech and Bj{\o}rn Gau\ss{}
            and M{\"o}bius, A.},
  journal = {Astronomy \& Astrophysics},
  year = {2018}
}"""
    )
    assert work.author_names == (
        "K. Nilsson",
        "A. Sillanpää",
        "S. Ciprini",
        "José Luis Bernal",
        "François Roux",
        "Dušan Čech",
        "Bjørn Gauß",
        "A. Möbius",
    )
    assert work.venue == "Astronomy & Astrophysics"


def test_bibtex_titles_without_latex_keep_their_keys():
    """Titles with no macro read as before: case braces dropped, nothing else."""
    text = (DATA / "reference-profile/vita_readme_citations_tianlong_chen.bib").read_text()
    checked = 0
    for entry in bibtexparser.parse_string(text).entries:
        raw = str(entry.fields_dict["title"].value)
        if "\\" in raw:
            continue
        (work,) = _bibtex(entry.raw)
        plain = squash(raw.replace("{", "").replace("}", ""))
        assert work.title == plain
        assert work.title_key == title_key(plain)
        checked += 1
    assert checked > 30


LISTING = r"""------------------------------------------------------------------------------
\\
arXiv:2006.10857
From: Samuel Brieden  <example@example.com>
Date: Thu, 18 Jun 2020 21:15:12 GMT   (2167kb,D)

Title: Blind Observers of the Sky with \emph{Sparse} Maps
Authors: Samuel Brieden, H\'ector Gil-Mar\'in, Licia Verde, Jos\'e Luis Bernal
Categories: astro-ph.CO
\\
  We measure M\"{o}bius things.
\\
------------------------------------------------------------------------------
"""


def test_arxiv_listing_names_and_title():
    (chunk,) = list(arxiv.chunks("listing.txt", io.BytesIO(LISTING.encode()), ()))
    (work,) = arxiv.parse(chunk)
    assert work.author_names == (
        "Samuel Brieden",
        "Héctor Gil-Marín",
        "Licia Verde",
        "José Luis Bernal",
    )
    assert work.title == "Blind Observers of the Sky with Sparse Maps"
    assert work.abstract == "We measure Möbius things."
