"""The gold sets the model trains on: their loaders, the co-author baseline, and
leaving one set out (``bzpeer evaluate disambiguation --leave-one-out``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bzpeer.cli import main
from bzpeer.evaluation import lodo
from bzpeer.evaluation.goldsets import (
    GoldFormatError,
    load_kim_dblp,
    load_lagos,
    load_lbd,
    load_yonsei,
)
from bzpeer.evaluation.lodo import coauthor_components
from bzpeer.resolve import model
from bzpeer.resolve.gold import GoldSet
from bzpeer.resolve.model import TRAINING_SETS, training_records

GOLD = Path(__file__).parent.parent / "fixtures" / "gold"


def test_kim_dblp_rows_become_signatures_without_the_person_among_coauthors():
    records = load_kim_dblp(GOLD / "kim-dblp")
    assert len(records) == 9
    assert len({r.label for r in records}) == 4  # four J. Martins
    first = records[0]
    assert (first.name, first.label) == ("joel d. martin", "jmartin-12")
    assert first.publication == "kim:2463"
    assert first.coauthors == ("chris lankester",)
    assert (first.venue, first.year) == ("trec", 1999)
    assert first.title.startswith("tomorrow nrc univers ottawa")  # stemmed as published
    assert records[2].coauthors == ()  # a paper of his alone


def test_lagos_labels_by_orcid_but_never_hands_the_resolver_the_orcid():
    records = load_lagos(GOLD / "lagos-and")
    assert len(records) == 7
    fang = records[-1]
    assert fang.label == "0000-0002-5416-3302" and fang.orcid == ""
    assert fang.name == "Yan Fang"
    assert fang.coauthors == ("Victor V. Yashin", "Steven P. Levitan", "Anna C. Balazs")
    assert (fang.publication, fang.year) == ("doi:10.1126/sciadv.1601114", 2016)
    assert fang.affiliation.startswith("Department of Electrical and Computer Engineering")


def test_lbd_folds_read_with_their_person_per_collection():
    records = load_lbd(GOLD / "lbd")
    assert len(records) == 14
    ankur = next(r for r in records if r.id == "kisti/aagarwal:8")
    assert (ankur.name, ankur.label) == ("ankur agarwal", "kisti/aagarwal#2")
    assert ankur.coauthors == ("a pandya", "p kim")
    with pytest.raises(GoldFormatError):
        load_lbd(GOLD / "kim-dblp")


def test_yonsei_finds_each_labelled_author_in_the_pubmed_record():
    records = {r.id: r for r in load_yonsei(GOLD / "yonsei")}
    assert len(records) == 6
    janice = records["yonsei:21485988:0"]
    assert (janice.name, janice.label) == ("Taylor, Janice", "yonsei#179")
    assert janice.coauthors == ("Sims, Jane", "Haines, Terry P")
    assert janice.venue == "Journal of gerontological nursing" and janice.year == 2011
    assert "Monash University" in janice.affiliation
    assert {r.label for r in records.values()} == {"yonsei#179", "yonsei#185"}


def test_the_baseline_joins_mentions_sharing_a_coauthor_block_key():
    predicted = coauthor_components(load_kim_dblp(GOLD / "kim-dblp"))
    # Jean-Claude Martin's two papers with Dominique Beroule join; nothing else does.
    assert predicted["kim:3"] == predicted["kim:4"]
    assert len(set(predicted.values())) == 8


def test_every_shipped_set_loads_with_labels():
    for gold in TRAINING_SETS:
        if gold.pairs:
            continue
        records = training_records(gold.name)
        assert len(records) >= 80, gold.name
        assert all(r.label for r in records), gold.name


@pytest.fixture
def tiny_sets(monkeypatch: pytest.MonkeyPatch):
    """Three fixture sets stand in for the shipped ones (the models train in a blink)."""
    sets = (
        GoldSet("tiny-kim", str(GOLD / "kim-dblp"), load_kim_dblp),
        GoldSet("tiny-lbd", str(GOLD / "lbd"), load_lbd),
        GoldSet("tiny-yonsei", str(GOLD / "yonsei"), load_yonsei),
    )
    monkeypatch.setattr(model, "TRAINING_SETS", sets)
    monkeypatch.setattr(lodo, "TRAINING_SETS", sets)
    model._fingerprint.cache_clear()
    yield sets
    model._fingerprint.cache_clear()


@pytest.mark.django_db
def test_leave_one_out_prints_each_set_beside_the_baseline(tiny_sets, capsys):
    assert main(["evaluate", "disambiguation", "--leave-one-out"]) == 0
    out = capsys.readouterr().out
    for name in ("tiny-kim", "tiny-lbd", "tiny-yonsei"):
        assert name in out
    assert "mean B3 F1 over 3 clustered sets" in out and "baseline" in out
    rows = lodo.leave_one_out(["tiny-kim"])
    assert [r.name for r in rows] == ["tiny-kim"]
    assert rows[0].records == 9 and rows[0].baseline.precision == 1.0


def test_evaluate_disambiguation_needs_a_format_or_leave_one_out(capsys):
    assert main(["evaluate", "disambiguation"]) == 2
    assert "--leave-one-out" in capsys.readouterr().err
