import pytest

from bzpeer.catalog.identifiers import (
    arxiv_version,
    orcid_checksum_ok,
    parse_arxiv,
    parse_doi,
    parse_openalex,
    parse_orcid,
    parse_ror,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1103/PhysRevD.76.013009", "10.1103/physrevd.76.013009"),
        ("https://doi.org/10.1596/1813-9450-3630", "10.1596/1813-9450-3630"),
        ("doi:10.1016/0370-2693(92)90710-L", "10.1016/0370-2693(92)90710-l"),
        ("http://dx.doi.org/10.1000/xyz%2F1", "10.1000/xyz/1"),
        ("10.3847/0004-637X/826/2/102/", "10.3847/0004-637x/826/2/102"),
        ("10.1000/abc).", "10.1000/abc"),
        ("21.11130/00-1735-0000-0005-146A", None),
        ("10.1234", None),
        ("", None),
        (None, None),
    ],
)
def test_doi(raw, expected):
    assert parse_doi(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0704.0001", "0704.0001"),
        ("0704.0001v2", "0704.0001"),
        ("arXiv:2106.10404v3", "2106.10404"),
        ("https://arxiv.org/abs/2503.07778", "2503.07778"),
        ("math-ph/0509001", "math-ph/0509001"),
        ("math-ph/0509001v1", "math-ph/0509001"),
        ("hep-th/9108002", "hep-th/9108002"),
        ("oai:arXiv.org:hep-th/9504118", "hep-th/9504118"),
        ("math.AG/0309136", "math.ag/0309136"),
        ("0713.0001", None),  # no month 13
        ("1412.12345", None),  # five digits only from 1501 on
        ("not-an-id", None),
    ],
)
def test_arxiv(raw, expected):
    assert parse_arxiv(raw) == expected


def test_arxiv_version():
    assert arxiv_version("2106.10404v3") == 3
    assert arxiv_version("2106.10404") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0003-3260-0660", "0000-0003-3260-0660"),
        ("0000-0002-1694-233X", "0000-0002-1694-233X"),  # checksum X
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("000000021825009 7".replace(" ", ""), "0000-0002-1825-0097"),
        ("0000-0002-1825-0098", None),  # bad checksum
        ("https://orcid.org/0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("https://orcid.org/0000-0002-1825-0098", None),  # bad checksum, as records state it
        ("https://orcid.org/0000-0002-1825-009Y", None),
        ("https://orcid.org/0000_0002-1825-0097", None),
        ("https://orcid.org/0000-0002-18250-097", None),
        ("HTTPS://ORCID.ORG/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1825-0097 ", "0000-0002-1825-0097"),
        ("0000-0002-3666-1234", None),
        ("1234", None),
    ],
)
def test_orcid(raw, expected):
    assert parse_orcid(raw) == expected


def test_ror_and_openalex():
    assert parse_ror("https://ror.org/04aj4sh46") == "04aj4sh46"
    assert parse_ror("04AJ4SH46") == "04aj4sh46"
    assert parse_ror("not-a-ror") is None
    assert parse_openalex("https://openalex.org/W2741809807") == "W2741809807"
    assert parse_openalex("a5023888391", "A") == "A5023888391"
    assert parse_openalex("W1", "A") is None
    assert parse_openalex(" https://api.openalex.org/works/W42 ") == "W42"
    assert parse_openalex("HTTPS://OPENALEX.ORG/w5", "W") == "W5"
    assert parse_openalex("https://openalex.org/") is None
    assert parse_openalex("https://openalex.org/keywords/cardiac-imaging") is None
    assert parse_openalex("https://openalex.org/A5023888391", "W") is None
    assert parse_openalex("https://openalex.org/X123") is None
    assert parse_openalex("https://openalex.org/W12a") is None
    assert parse_openalex("https://openalex.org/w12") == "W12"


def test_orcid_checksum_agrees_with_the_standards_loop():
    import random

    def by_the_standard(digits: str) -> bool:  # ISO 7064 MOD 11-2 as written
        total = 0
        for char in digits[:15]:
            total = (total + int(char)) * 2
        remainder = (12 - total % 11) % 11
        return digits[15] == ("X" if remainder == 10 else str(remainder))

    draw = random.Random(11)
    for _ in range(5000):
        digits = "".join(draw.choice("0123456789") for _ in range(15)) + draw.choice("0123456789X")
        assert orcid_checksum_ok(digits) == by_the_standard(digits), digits
