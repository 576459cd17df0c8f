"""dblp records that credit editors, or nobody, are works like any other:
imported (not quarantined), shown with their editors marked, cited with an
``editor`` field."""

from __future__ import annotations

import pytest
from ingest_factories import import_files

from bzpeer.catalog.models import AuthorshipMention, Quarantine, Work

pytestmark = pytest.mark.django_db

DBLP = """<?xml version="1.0" encoding="UTF-8"?>
<dblp>
<proceedings key="conf/vldb/2000">
<editor>Amr El Abbadi</editor>
<editor>Michael L. Brodie</editor>
<title>VLDB 2000, Proceedings of 26th International Conference on Very Large Data Bases.</title>
<publisher>Morgan Kaufmann</publisher>
<year>2000</year>
</proceedings>
<inproceedings key="conf/vldb/Brodie00">
<author>Michael L. Brodie</author>
<title>Data Management Challenges in Very Large Enterprises.</title>
<booktitle>VLDB</booktitle>
<year>2000</year>
</inproceedings>
<book mdate="2019-05-27" key="tr/acm/CS2013">
<title>Computer Science Curricula 2013</title>
<publisher>ACM Press and IEEE Computer Society Press</publisher>
<year>2013</year>
<ee>https://doi.org/10.1145/2534860</ee>
</book>
</dblp>
"""


def test_volumes_with_editors_or_nobody_are_imported_and_shown(client, write):
    stats = import_files("dblp", [write("dblp.xml", DBLP)])
    assert stats.quarantined == 0
    # nor in the demo data the suite loads: its dblp files hold both kinds
    demo = Quarantine.objects.filter(source="dblp").values_list("reason", flat=True)
    assert not [reason for reason in demo if "no authors" in reason]

    volume = Work.objects.get(title__startswith="VLDB 2000")
    roles = sorted(AuthorshipMention.objects.filter(work=volume).values_list("raw_name", "role"))
    assert roles == [("Amr El Abbadi", "editor"), ("Michael L. Brodie", "editor")]
    page = client.get(f"/works/{volume.pk}").content.decode()
    assert "Amr El Abbadi" in page and "(eds.)" in page

    # The editor is one person with the author of the paper: the volume is on
    # their profile, marked as edited.
    brodie = AuthorshipMention.objects.get(work=volume, raw_name="Michael L. Brodie").author
    assert brodie is not None
    profile = client.get(f"/researchers/{brodie.slug}").content.decode()
    assert "Data Management Challenges" in profile and "(eds.)" in profile

    bib = client.get(f"/works/{volume.pk}/cite.bib").content.decode()
    assert "editor = {Abbadi, Amr El and Brodie, Michael L.}" in bib
    assert "author =" not in bib

    curriculum = Work.objects.get(title="Computer Science Curricula 2013")
    assert not AuthorshipMention.objects.filter(work=curriculum).exists()
    page = client.get(f"/works/{curriculum.pk}").content.decode()
    assert "Computer Science Curricula 2013" in page
    ris = client.get(f"/works/{curriculum.pk}/cite.ris").content.decode()
    assert "TI  - Computer Science Curricula 2013" in ris
