"""ORCID records whose works are not all the owner's: a profile imported
from another database can carry a namesake's papers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bzpeer.catalog.models import Author, AuthorshipMention
from bzpeer.ingest import orcid
from bzpeer.ingest.records import ParsedWork

DEMO = Path(orcid.__file__).parent.parent / "demo" / "data" / "orcid" / "summaries"


def test_works_far_from_the_rest_of_a_record_are_detached():
    assert orcid.detached_years([2006, 2010, 2020, None]) == set()
    # Eliana Ferroni's record: 1959-1960 chemistry beside an epidemiologist's 2006-2020
    assert orcid.detached_years([1959, 1960, 1960, 2006, 2008, 2012, 2020]) == {1959, 1960}
    # a long career with gaps under 25 years stays whole
    assert orcid.detached_years([1970, 1990, 2010]) == set()
    # a tie keeps the latest body of work
    assert orcid.detached_years([1950, 2000]) == {1950}


def test_a_detached_work_keeps_the_owners_name_but_not_the_id():
    chunks = list(
        orcid.chunks(
            "ferroni.xml",
            io.BytesIO((DEMO / "004/0000-0003-4803-2004.xml").read_bytes()),
            (),
        )
    )
    works = [w for c in chunks[1:] for w in orcid.parse(c) if isinstance(w, ParsedWork)]
    old = [w for w in works if w.year is not None and w.year < 2000]
    assert sorted(w.title for w in old)[0] == (
        "Action of streptomycin on tubercle bacilli detected by x-ray diffraction."
    )
    assert len(old) == 4
    for work in old:
        (author,) = work.authors
        assert (author.name, author.orcid, author.person_key) == ("ELIANA FERRONI", None, "")
    recent = [w for w in works if w.year is not None and w.year >= 2000]
    assert len(recent) == 56
    assert all(w.authors[0].orcid == "0000-0003-4803-2004" for w in recent)



@pytest.mark.django_db
def test_the_demo_epidemiologist_no_longer_holds_1959_chemistry():
    """The demo loads her record: the 1950s papers sit on another record."""
    ferroni = Author.objects.get(orcid="0000-0003-4803-2004")
    years = set(
        AuthorshipMention.objects.filter(author=ferroni).values_list("work__year", flat=True)
    )
    assert (min(years), max(years)) == (2006, 2020)
    chemistry = AuthorshipMention.objects.get(
        work__title="The physical chemistry of solutions.", version__source="orcid"
    )
    assert chemistry.author is not None and chemistry.author != ferroni
