"""The learned merge stage of author resolution, on small blocks a test builds."""

from __future__ import annotations

import pytest

from bzpeer.catalog.names import parse_name
from bzpeer.resolve.authors import MentionRecord, _Clusters, cluster_block, default_model
from bzpeer.resolve.learned import FEATURES, Block, initial_profiles, merge_clusters

pytestmark = pytest.mark.django_db  # the cached model lives beside the database settings

GRAPHS = "Graph neural networks for {} with sparse attention"
TOPICS = ["molecule property prediction", "traffic forecasting", "node classification"]


def mention(pk: int, name: str, title: str, venue: str, year: int, coauthors=()) -> MentionRecord:
    keys = {parse_name(c) for c in coauthors}
    return MentionRecord(
        pk,
        pk,
        name,
        "",
        "",
        None,
        parse_name(name),
        coauthors={f"{k.surname}_{''.join(k.given)}" for k in keys},
        coauthor_keys={k.block_key for k in keys},
        title=title,
        venue=venue,
        year=year,
    )


def graph_papers(name: str, start: int = 1) -> list[MentionRecord]:
    group = ["Ada Lovelace", "Alan Turing"]
    return [
        mention(start, name, GRAPHS.format(TOPICS[0]), "NeurIPS", 2020, group),
        mention(start + 1, name, GRAPHS.format(TOPICS[1]), "NeurIPS", 2021, group),
        mention(start + 2, name, GRAPHS.format(TOPICS[2]), "ICML", 2021, ["Grace Hopper"]),
        mention(start + 3, name, "Sparse attention for graph neural networks", "NeurIPS", 2022),
    ]


def chemistry(pk: int, name: str) -> MentionRecord:
    return mention(pk, name, "Crystal growth of perovskite thin films", "J. Cryst. Growth", 1998)


def test_features_are_named_and_computed_for_every_pair():
    papers = graph_papers("Tianlong Chen")
    block = Block(papers)
    profiles = initial_profiles(block, [0, 0, 2, 3])
    pairs = block.candidates(profiles)
    assert pairs == [(0, 2), (0, 3), (2, 3)]
    assert all(len(block.features(profiles[a], profiles[b])) == len(FEATURES) for a, b in pairs)


def test_rules_leave_a_paper_without_coauthors_apart_and_the_model_joins_it():
    papers = [*graph_papers("Tianlong Chen"), chemistry(9, "Tianlong Chen")]
    by_rules = cluster_block(papers)
    assert len(by_rules) == 4  # the shared co-author group, and three papers alone
    learned = cluster_block(papers, default_model())
    together = next(c for c in learned if papers[0] in c)
    assert {m.id for m in together} >= {1, 2, 4}  # venue and title make it one person
    assert all(papers[-1] not in c or len(c) == 1 for c in learned)  # chemistry stays apart


def test_a_learned_merge_needs_matching_initials():
    papers = graph_papers("Tianlong Chen")
    other = mention(20, "T.-W. Chen", GRAPHS.format("molecules"), "NeurIPS", 2021)
    clusters = cluster_block([*papers, other], default_model())
    (with_other,) = [c for c in clusters if other in c]  # T.-W.: however close, not Tianlong
    assert not {m.id for m in papers} & {m.id for m in with_other}


def test_merges_respect_refusals_and_stop():
    papers = graph_papers("Tianlong Chen")
    uf = _Clusters(papers)  # no rules run: four clusters of one paper
    uf.forbidden[0].add(7)
    uf.authors[3].add(7)  # paper 4 is on record 7, which a correction keeps paper 1 off
    merges = merge_clusters(papers, uf, default_model(), threshold=0.0)  # merge anything
    clusters = {uf.find(i) for i in range(4)}
    # Every merge but the forbidden one happens, then the rounds stop: two people left.
    assert merges == 2 and len(clusters) == 2
    assert uf.find(0) != uf.find(3)
