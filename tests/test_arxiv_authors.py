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
