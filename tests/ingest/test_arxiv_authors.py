"""arXiv author strings: affiliations in parentheses, numbered legends, 'and'."""

import pytest

from bzpeer.ingest.arxiv import _split_authors
from bzpeer.ingest.text import latex_accents, latex_to_unicode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Yingtian Chen (MIT, PKU), Hui Li (MIT), Mark Vogelsberger (MIT)",
            [("Yingtian Chen", "MIT, PKU"), ("Hui Li", "MIT"), ("Mark Vogelsberger", "MIT")],
        ),
        (
            "A. Smith (1), B. Jones (1 and 2), C. Wu (2) ((1) MIT, (2) PKU)",
            [("A. Smith", "MIT"), ("B. Jones", "MIT; PKU"), ("C. Wu", "PKU")],
        ),
        (
            "Kris Mortensen, Keerthi Vasan G.C., Tucker Jones, and Daniel P. Stark",
            [
                ("Kris Mortensen", ""),
                ("Keerthi Vasan G.C.", ""),
                ("Tucker Jones", ""),
                ("Daniel P. Stark", ""),
            ],
        ),
        ("C. Bal\\'azs, E. L. Berger", [("C. Balázs", ""), ("E. L. Berger", "")]),
    ],
)
def test_author_strings(text, expected):
    assert [(a.name, a.affiliation) for a in _split_authors(text)] == expected


def test_titles_keep_math_and_tildes_names_lose_accent_macros():
    assert latex_accents("Galaxies at z~0.8 with $\\alpha$") == "Galaxies at z~0.8 with $\\alpha$"
    assert latex_accents('G{\\"o}del') == "Gödel"
    assert latex_to_unicode('M. R\\"{o}ssler and Fran\\c{c}ois') == "M. Rössler and François"


def test_cross_listing_blocks_are_records():
    from bzpeer.ingest.arxiv import parse
    from bzpeer.ingest.records import Chunk

    block = (
        "\\\\\nPaper (*cross-listing*): gr-qc/9407007\nFrom: D S <x@y.z>\n"
        "Date: Mon, 11 Jul 1994 16:04:50 GMT   (51kb)\n\n"
        "Title: Exact Solutions for Cosmological Perturbations with Collisionless Matter\n"
        "Authors: Dominik J. Schwarz\nCategories: gr-qc astro-ph\n\\\\\n"
    )
    (work,) = parse(Chunk("arxiv", "t:1", block, (("format", "abs"),)))
    assert work.external_id == "gr-qc/9407007"
    assert work.year == 1994
    assert [t.name for t in work.topics] == [
        "General Relativity and Quantum Cosmology",
        "Astrophysics",
    ]


def test_abstracts_lose_text_styling_but_keep_math():
    assert latex_accents("named \\textbf{GraNet}, see \\url{https://x.y/z}") == (
        "named GraNet, see https://x.y/z"
    )
    assert latex_accents("an $\\ell_1$ \\emph{sparse} model") == "an $\\ell_1$ sparse model"
