"""Raw affiliation strings -> ROR institutions: the matcher, its evaluation on
ROR's gold strings, and authorships linked by ``bzpeer enrich``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bzpeer.catalog.models import (
    Affiliation,
    AuthorshipMention,
    Institution,
    MentionInstitution,
)
from bzpeer.cli import main
from bzpeer.enrich.affiliations import enrich_affiliations
from bzpeer.evaluation.affiliations import evaluate_affiliations
from bzpeer.resolve.affiliations import InstitutionIndex, Org, country_of, normalise

GOLD = Path(__file__).parent.parent / "fixtures" / "gold" / "ror"
REGISTRY = [str(GOLD / "registry-v1.json"), str(GOLD / "registry-v2.json")]

ORGS = [
    Org(1, "03rmrcq20", "University of British Columbia", "CA", acronyms=("UBC",)),
    Org(2, "01ej9dk98", "University of Melbourne", "AU"),
    Org(3, "031rekg67", "Swinburne University of Technology", "AU", aliases=("Swinburne",)),
    Org(4, "01sf06y89", "Macquarie University", "AU"),
    Org(5, "04a1mvv97", "Victoria University", "AU"),
    Org(6, "01p93h210", "University of South Australia", "AU", acronyms=("UniSA",)),
    Org(7, "00rqy9422", "Bond University", "AU"),
]


def test_normalise_and_countries():
    assert (
        normalise("Dept. of Physics, Univ. of Tübingen") == "department physics university tubingen"
    )
    assert (country_of("USA"), country_of("P.R. China"), country_of("Deutschland")) == (
        "US",
        "CN",
        None,
    )
    assert country_of("Germany") == "DE" and country_of("United Kingdom") == "GB"


def test_the_institution_part_of_a_long_string_is_found():
    index = InstitutionIndex(ORGS)
    [match] = index.match(
        "Department of Physics, University of British Columbia, Vancouver, Canada"
    )
    assert match.org.id == 1 and match.confidence > 0.95  # exact name, country agrees
    [inside] = index.match("School of International Business at the University of South Australia")
    assert inside.org.id == 6
    [part] = index.match("Brain Dynamics Lab, Swinburne University, Melbourne, Australia")
    assert part.org.id == 3


def test_similar_names_in_another_order_or_country_are_not_matched():
    index = InstitutionIndex(ORGS)
    assert index.match("University of Bonn, Bonn, Germany") == []  # not Bond University
    assert index.match("Victoria University of Wellington, New Zealand") == []
    assert index.match("University of British Columbia, Vancouver, Australia") == []  # country


def test_several_affiliations_give_several_institutions():
    index = InstitutionIndex(ORGS)
    found = index.match("Macquarie University, Sydney, Australia; UBC, Vancouver, Canada")
    assert [m.org.id for m in found] == [4, 1]


def test_evaluation_on_ror_gold_strings():
    report = evaluate_affiliations(GOLD / "springer-sample.json", REGISTRY)
    assert (report.strings, report.registry, report.covered) == (49, 49, 34)
    assert report.accuracy_covered >= 0.9


def test_cli_evaluate_affiliations(capsys: pytest.CaptureFixture[str]):
    assert (
        main(
            [
                "evaluate",
                "affiliations",
                str(GOLD / "springer-sample.json"),
                "--registry",
                *REGISTRY,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "registry 49 ROR records" in out and "covered     34 strings" in out
    assert main(["evaluate", "affiliations", str(GOLD / "nowhere.json")]) == 2


@pytest.mark.django_db
def test_enrich_links_raw_affiliations_to_institutions_and_builds_history():
    mention = AuthorshipMention.objects.filter(
        author__isnull=False, work__year__isnull=False, institutions__isnull=True
    ).first()
    assert mention is not None
    institution = Institution.objects.get(ror="01sf06y89")  # Macquarie, a demo ROR record
    AuthorshipMention.objects.filter(pk=mention.pk).update(
        raw_affiliation="School of Earth Sciences, Macquarie University, Sydney, Australia"
    )
    report = enrich_affiliations()
    assert report.linked >= 1
    link = MentionInstitution.objects.get(mention=mention, institution=institution)
    assert 0.9 < link.confidence <= 1.0
    history = Affiliation.objects.get(author=mention.author, institution=institution)
    assert history.start_year == history.end_year == mention.work.year
