"""Evaluation harness: metrics, gold-data loaders, evaluations and the CLI, without a database."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from bzpeer.cli import main
from bzpeer.evaluation.evaluate import (
    Scores,
    b3,
    evaluate_disambiguation,
    evaluate_pairs,
    evaluate_works,
    format_report,
    load_leipzig,
    pairwise,
    predict_clusters,
)
from bzpeer.evaluation.goldsets import (
    DISAMBIGUATION_LOADERS,
    GoldFormatError,
    load_aminer,
    load_dblp_bibtex,
    load_inspire,
    load_medline_pairs,
    load_s2and,
)

GOLD = Path(__file__).parent.parent / "fixtures" / "gold"

# Three gold people: a = {1, 2, 3}, b = {4, 5}.
GOLD_AB = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b"}


class Exactly:
    """Scores equal to exact fractions, up to float rounding."""

    def __init__(self, precision: Fraction | int, recall: Fraction | int, f1: Fraction | int):
        self.expected = pytest.approx((float(precision), float(recall), float(f1)), abs=1e-12)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scores):
            return NotImplemented
        return (other.precision, other.recall, other.f1) == self.expected

    def __repr__(self) -> str:
        return repr(self.expected)


# -- metrics ---------------------------------------------------------------------------


def test_b3_all_singletons():
    pred = {k: k for k in GOLD_AB}
    # recall: a's three records see 1/3 each, b's two 1/2 each -> (1 + 1) / 5
    assert b3(pred, GOLD_AB) == Exactly(1, Fraction(2, 5), Fraction(4, 7))


def test_b3_all_in_one():
    pred = dict.fromkeys(GOLD_AB, "x")
    # precision: 3 records at 3/5, 2 at 2/5 -> 13/25
    assert b3(pred, GOLD_AB) == Exactly(Fraction(13, 25), 1, Fraction(13, 19))


def test_b3_split():
    pred = {1: "x", 2: "x", 3: "y", 4: "z", 5: "z"}
    # recall: 2/3, 2/3, 1/3, 1, 1 -> 11/15
    assert b3(pred, GOLD_AB) == Exactly(1, Fraction(11, 15), Fraction(11, 13))


def test_b3_merge():
    gold = {1: "a", 2: "a", 3: "b", 4: "c"}
    pred = {1: "x", 2: "x", 3: "x", 4: "y"}
    # precision: 2/3, 2/3, 1/3, 1 -> 2/3
    assert b3(pred, gold) == Exactly(Fraction(2, 3), 1, Fraction(4, 5))


def test_b3_perfect_and_empty():
    assert b3(GOLD_AB, GOLD_AB) == Exactly(1, 1, 1)
    assert b3({}, {}) == Exactly(0, 0, 0)


def test_pairwise_on_the_same_four_cases():
    # gold pairs: 3 in a, 1 in b
    assert pairwise({k: k for k in GOLD_AB}, GOLD_AB) == Exactly(1, 0, 0)
    assert pairwise(dict.fromkeys(GOLD_AB, "x"), GOLD_AB) == Exactly(
        Fraction(4, 10), 1, Fraction(4, 7)
    )
    split = {1: "x", 2: "x", 3: "y", 4: "z", 5: "z"}
    assert pairwise(split, GOLD_AB) == Exactly(1, Fraction(1, 2), Fraction(2, 3))
    merge_gold = {1: "a", 2: "a", 3: "b", 4: "c"}
    merge = {1: "x", 2: "x", 3: "x", 4: "y"}
    assert pairwise(merge, merge_gold) == Exactly(Fraction(1, 3), 1, Fraction(1, 2))


def test_pairwise_counts_only_pairs_within_a_block():
    gold = {1: "a", 2: "a", 3: "a", 4: "b"}
    pred = {1: "x", 2: "x", 3: "y", 4: "y"}
    blocks = {1: "k1", 2: "k1", 3: "k2", 4: "k2"}
    # within blocks: gold pairs (1,2); predicted pairs (1,2), (3,4)
    assert pairwise(pred, gold, blocks) == Exactly(Fraction(1, 2), 1, Fraction(2, 3))
    # over all pairs: gold (1,2) (1,3) (2,3); the same two predicted
    assert pairwise(pred, gold) == Exactly(Fraction(1, 2), Fraction(1, 3), Fraction(2, 5))


def test_metrics_need_the_same_records():
    with pytest.raises(ValueError):
        b3({1: "x"}, {1: "a", 2: "a"})
    with pytest.raises(ValueError):
        pairwise({1: "x", 3: "x"}, {1: "a", 2: "a"})


# -- loaders ---------------------------------------------------------------------------


def test_aminer_loader_reads_the_not_quite_xml():
    records = load_aminer(GOLD / "aminer")
    assert len(records) == 36 + 12 + 16
    assert len({r.label for r in records}) == 9 + 7 + 8
    first = next(r for r in records if r.id == "Ajay_Gupta:2")
    assert first.name == "Ajay Gupta"
    assert first.coauthors == ("Manish Bhide", "Mukul Joshi", "Mukesh K. Mohania")
    assert (first.title, first.venue, first.year) == (
        "Optimal Deployment of Triggers for Detecting Events",
        "DEXA",
        2004,
    )
    assert (first.label, first.publication) == ("Ajay_Gupta#9", "aminer:149270")
    # bare "&" and HTML entities survive; "null" organisations are empty
    rahman = next(r for r in records if r.id == "M._Rahman:13")
    assert rahman.affiliation == "King Fahd Univ. of Petroleum & Minerals, Dhahran, Saudi Arabia"
    assert not any(r.affiliation == "null" for r in records)


def test_aminer_loader_rejects_other_xml(tmp_path: Path):
    (tmp_path / "x.xml").write_text("<dblp><article/></dblp>")
    with pytest.raises(GoldFormatError):
        load_aminer(tmp_path)
    with pytest.raises(FileNotFoundError):
        load_aminer(tmp_path / "missing")


def test_s2and_loader_uses_papers_for_coauthors_and_leaves_unclustered_unlabelled():
    records = {r.id: r for r in load_s2and(GOLD / "s2and")}
    assert len(records) == 9
    assert {k for k, r in records.items() if r.label is not None} == {"0", "1", "2", "3", "4"}
    first = records["0"]
    assert first.name == "Dr A'bdul Sattar"
    assert first.coauthors == ("Torben Lorenzen",)
    assert first.affiliation == "Bridgewater State University"
    assert (first.venue, first.year, first.label) == ("ACM SIGCSE Bull.", 2006, "1")
    assert records["4"].coauthors[:2] == ("Mike Tait", "Andrea Rosso")
    assert records["8"].name == "Alexander James Konovalov"


def test_inspire_loader_takes_coauthors_from_shared_publications():
    records = load_inspire(GOLD / "inspire")
    assert len(records) == 299
    assert len({r.label for r in records}) == 16
    by_id = {r.id: r for r in records}
    assert by_id["3722"].name == "Wang, W."
    assert by_id["3722"].coauthors == ("Wang, D.",)
    assert by_id["3722"].affiliation == "Beijing, Inst. High Energy Phys."
    assert by_id["3722"].title == ""


def test_medline_pairs_loader_reads_the_tar_in_place():
    pair_set = load_medline_pairs(GOLD / "medline")
    # 22 rows: one unlabelled, one whose article is an NCBI error page
    assert (len(pair_set.pairs), pair_set.skipped) == (20, 2)
    assert sum(p.same for p in pair_set.pairs) == 13
    stenkamp = pair_set.pairs[1]
    assert stenkamp.same
    assert stenkamp.first.name == "Stenkamp, Deborah L"
    assert stenkamp.first.coauthors == ("Nickerson, John M", "Frey, Ruth A", "Ciavatta, Vincent T")
    assert stenkamp.first.year == 2006
    assert "University of Idaho" in stenkamp.second.affiliation
    # the CSV lost the accent of "Bartholomé": it matches any letter
    assert pair_set.pairs[6].first.name == "Bartholomé, J"


def test_dblp_bibtex_loader_picks_each_files_person():
    records = load_dblp_bibtex(GOLD / "dblp-bibtex")
    tianlong = [r for r in records if r.label == "Tianlong_Chen"]
    tamsin = [r for r in records if r.label == "Tamsin_Chen"]
    # seven entries (a key used twice); "Chen, Ting" on the first is a co-author
    assert len(tianlong) == 7
    assert {r.name for r in tianlong} == {"Chen, Tianlong", "Tianlong Chen"}
    assert "Chen, Ting" in tianlong[0].coauthors
    # authors listed with commas instead of "and" are still separate people
    gcn = next(r for r in tianlong if "Jaiswal22GradientGCN" in r.id)
    assert gcn.coauthors[:2] == ("Ajay Jaiswal", "Peihao Wang")
    # the entry without her is left out; "T. Chen" is her by the file's name
    assert [r.name for r in tamsin] == ["Chen, Tamsin", "T. Chen", "Tamsin Chen"]


def test_leipzig_loader_unescapes_and_reads_latin1(tmp_path: Path):
    data = load_leipzig(GOLD / "leipzig")
    assert (len(data.left), len(data.right), len(data.gold)) == (27, 26, 21)
    boehm = next(r for r in data.right if r.id == "357776")
    assert boehm.authors == ("Christian Böhm",)
    folder = tmp_path / "latin1"
    folder.mkdir()
    header = "id,title,authors,venue,year\n"
    title = "Über Datenbanken und Anfragen im Netz"
    (folder / "DBLP2.csv").write_bytes(
        f"{header}d1,{title},Jörg Müller,VLDB,1999\n".encode("latin-1")
    )
    (folder / "ACM.csv").write_bytes(f"{header}7,{title},J. Müller,VLDB,1999\n".encode("latin-1"))
    (folder / "DBLP-ACM_perfectMapping.csv").write_text("idDBLP,idACM\nd1,7\n")
    assert load_leipzig(folder).left[0].authors == ("Jörg Müller",)
    report = evaluate_works(folder)
    assert (report.true_pos, report.scores.f1) == (1, 1.0)


# -- evaluations pinned on the fixtures ------------------------------------------------

PINNED = {
    # format: (records, unlabelled, gold clusters, predicted clusters, names, blocks, B3, pairwise)
    # rules only: a co-author links two mentions when the full names agree
    "aminer": (64, 0, 24, 41, 3, 3, (1.0, 0.6397321428571427), (1.0, 0.49640287769784175)),
    "s2and": (5, 4, 3, 4, 6, 3, (0.8, 0.6), (0.0, 0.0)),
    "inspire": (299, 0, 16, 181, 20, 10, (1.0, 0.35119205846793117), (1.0, 0.3858520900321543)),
    "dblp-bibtex": (
        10,
        0,
        2,
        2,
        3,
        1,
        (0.825, 0.8666666666666666),
        (0.7586206896551724, 0.9166666666666666),
    ),
}


@pytest.mark.parametrize("fmt", sorted(PINNED))
def test_evaluate_disambiguation_on_fixtures(fmt: str):
    report = evaluate_disambiguation(DISAMBIGUATION_LOADERS[fmt](GOLD / fmt), model=None)
    records, unlabelled, gold, predicted, names, blocks, b3_pr, pair_pr = PINNED[fmt]
    assert (report.records, report.unlabelled) == (records, unlabelled)
    assert (report.gold_clusters, report.predicted_clusters) == (gold, predicted)
    assert (report.names, report.blocks) == (names, blocks)
    for scores, expected in ((report.b3, b3_pr), (report.pairwise, pair_pr)):
        assert (scores.precision, scores.recall) == pytest.approx(expected, abs=1e-9)
        assert all(0.0 <= v <= 1.0 for v in (scores.precision, scores.recall, scores.f1))
    assert "rules only" in format_report(report)


def test_s2and_dummy_by_hand():
    # Gold {0,1} {2} {3,4}. "Dr A'bdul" blocks apart (sattar_d); 1 and 2 share the
    # co-author Lorenzen and merge; 3 and 4 share nothing and stay apart.
    predicted = predict_clusters(load_s2and(GOLD / "s2and"), model=None)
    assert predicted["1"] == predicted["2"]
    assert len({predicted[k] for k in ("0", "1", "3", "4")}) == 4


def test_evaluate_pairs_on_fixture():
    report = evaluate_pairs(load_medline_pairs(GOLD / "medline"))
    outcomes = (report.true_pos, report.false_pos, report.false_neg, report.true_neg)
    assert outcomes == (11, 0, 2, 7)  # no pair joined wrongly; 11 of the 13 same-person pairs
    assert report.accuracy == pytest.approx(0.90)
    assert report.scores == Exactly(1, Fraction(11, 13), Fraction(11, 12))


def test_evaluate_works_on_fixture():
    report = evaluate_works(GOLD / "leipzig")
    assert (report.left, report.right, report.gold_pairs) == (27, 26, 21)
    assert (report.candidates, report.predicted, report.true_pos) == (29, 19, 19)
    assert report.blocking_recall == 1.0  # title key or a shared author finds every pair
    assert report.scores == Exactly(1, Fraction(19, 21), Fraction(19, 20))


# -- CLI -------------------------------------------------------------------------------


def test_cli_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    missing = str(tmp_path / "nowhere")
    assert main(["evaluate", "disambiguation", "--format", "aminer", missing]) == 2
    assert main(["evaluate", "works", "--format", "leipzig", missing]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_cli_wrong_format_exits_2(capsys: pytest.CaptureFixture[str]):
    assert main(["evaluate", "disambiguation", "--format", "s2and", str(GOLD / "aminer")]) == 2
    assert "is not s2and gold data" in capsys.readouterr().err


def test_cli_prints_a_table(capsys: pytest.CaptureFixture[str]):
    assert main(["evaluate", "disambiguation", "--format", "s2and", str(GOLD / "s2and")]) == 0
    out = capsys.readouterr().out
    assert "B3 (micro)      P 0.800  R 0.600  F1 0.686" in out
    assert "rules + learned merges; no block of this set is in the training data" in out
    assert main(["evaluate", "works", "--format", "leipzig", str(GOLD / "leipzig")]) == 0
    assert "P 1.000  R 0.905  F1 0.950" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["aminer", "inspire"])
def test_learned_merges_gain_recall_on_names_held_out_of_training(fmt: str):
    # These fixtures' names are among the shipped training names: the model that
    # clusters them is retrained without them, so the gain is not memorised.
    records = DISAMBIGUATION_LOADERS[fmt](GOLD / fmt)
    rules = evaluate_disambiguation(records, model=None)
    learned = evaluate_disambiguation(records)
    assert "clustered by models trained without them" in learned.note
    assert learned.b3.recall > rules.b3.recall + 0.03
    # AMiner fixture 0.807 (0.938 with the AMiner-only model at p >= 0.8): the model
    # trained on every set merges more boldly, recall 0.640 -> 0.808 (docs/quality.md)
    assert learned.b3.precision >= 0.80
    assert learned.b3.f1 > rules.b3.f1
