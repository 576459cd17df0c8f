"""The learned merge stage of author resolution, on small blocks a test builds."""

from __future__ import annotations

import numpy as np
import pytest

from bzpeer.catalog.names import parse_name
from bzpeer.resolve import clustering, scoring
from bzpeer.resolve.block import Block, name_features
from bzpeer.resolve.clustering import cluster_block, cluster_blocks
from bzpeer.resolve.compiled import COMPILE_FROM, MODEL_FILES, Compiled, use_compiled
from bzpeer.resolve.features import FEATURES, ClusterFeatures
from bzpeer.resolve.mentions import MentionRecord
from bzpeer.resolve.merging import initials_agree, joinable, merge_clusters
from bzpeer.resolve.model import default_model
from bzpeer.resolve.scoring import SMALL_BATCH, Bagged, Forest
from bzpeer.resolve.unionfind import UnionFind

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
        mention(
            start + 3,
            name,
            "Sparse attention in graph neural networks for traffic forecasting",
            "NeurIPS",
            2022,
        ),
    ]


def chemistry(pk: int, name: str) -> MentionRecord:
    return mention(pk, name, "Crystal growth of perovskite thin films", "J. Cryst. Growth", 1998)


def test_features_are_named_and_computed_for_every_pair():
    papers = graph_papers("Tianlong Chen")
    clusters = ClusterFeatures(Block(papers), [0, 0, 2, 3])  # papers 1 and 2 share co-authors
    pairs = clusters.candidates()
    assert pairs == [(0, 2), (0, 3), (2, 3)]
    rows = [dict(zip(FEATURES, row, strict=True)) for row in clusters.features(pairs)]
    with_icml, with_neurips = rows[0], rows[1]
    assert with_icml["venue_share_max"] == 0.0  # ICML: not where the pair publishes
    assert with_neurips["venue_share_max"] == 1.0  # NeurIPS: where both of them publish
    assert with_neurips["larger_size"] == 2.0 and with_neurips["smaller_size"] == 1.0
    assert with_icml["title_cosine"] > 0.0 and with_icml["max_title_cosine"] > 0.0  # graphs
    assert with_icml["nearest_years"] == 0.0 and with_neurips["nearest_years"] == 1.0


def test_a_merge_updates_the_features_as_if_built_afresh():
    papers = [*graph_papers("Tianlong Chen"), chemistry(9, "Tianlong Chen")]
    block = Block(papers)
    merged = ClusterFeatures(block, [0, 0, 2, 3, 4])
    merged.merge(0, 2)
    afresh = ClusterFeatures(block, [0, 0, 0, 3, 4])
    pairs = [(0, 3), (0, 4), (3, 4)]
    assert np.allclose(merged.features(pairs), afresh.features(pairs))


def test_a_common_name_counts_as_more_common_than_a_rare_one():
    wang = name_features([mention(1, "Lei Wang", "A title", "", 2020)])
    schreiber = name_features([mention(2, "Robert Schreiber", "A title", "", 2020)])
    assert wang[0] > schreiber[0]  # surnames: Wang is among the commonest
    assert wang[2] > schreiber[2]  # the whole name


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
    uf = UnionFind(papers)  # no rules run: four clusters of one paper
    uf.forbidden[0].add(7)
    uf.authors[3].add(7)  # paper 4 is on record 7, which a correction keeps paper 1 off
    merges = merge_clusters(papers, uf, default_model(), threshold=0.0)  # merge anything
    clusters = {uf.find(i) for i in range(4)}
    # Every merge but the forbidden one happens, then the rounds stop: two people left.
    assert merges == 2 and len(clusters) == 2
    assert uf.find(0) != uf.find(3)


def test_blocks_shared_with_a_worker_process_are_clustered_the_same(monkeypatch):
    names = ["Tianlong Chen", "Ada Chen", "Bo Chen", "Cy Chen"]
    blocks = [
        [*graph_papers(name, start=10 * k + 1), chemistry(10 * k + 9, name)]
        for k, name in enumerate(names)
    ]
    model = default_model()
    alone = cluster_blocks(blocks, model, workers=1)
    here: list[int] = []  # blocks clustered in this process (a fork's calls are not seen)
    positions = clustering.cluster_positions
    monkeypatch.setattr(
        clustering, "cluster_positions", lambda b, m: here.append(len(b)) or positions(b, m)
    )
    shared = cluster_blocks(blocks, model, workers=2, parallel_from=0)
    assert here == [2]  # half the blocks; the fork did the other half
    assert [[[m.id for m in c] for c in b] for b in shared] == [
        [[m.id for m in c] for c in b] for b in alone
    ]
    assert all(shared[k][0][0] is blocks[k][0] for k in range(4))  # the caller's own records


def test_screened_scores_are_exact_wherever_a_merge_could_follow():
    names = ["Tianlong Chen", "T. Chen", "Tao Chen"]
    papers = [p for k, name in enumerate(names) for p in graph_papers(name, start=10 * k + 1)]
    papers += [chemistry(40 + k, "T. Chen") for k in range(3)]
    clusters = ClusterFeatures(Block(papers), list(range(len(papers))))
    rows = clusters.features(clusters.candidates())
    model = default_model()
    assert isinstance(model, Bagged)
    full = model.predict_proba(rows)[:, 1]
    for threshold in (0.0, 0.5, 0.8, 0.95):
        screened = model.screen(rows, threshold)
        above = full >= threshold
        assert above.any()
        assert (~above).any() or threshold == 0.0
        assert (screened[above] == full[above]).all()  # the same floats, not just close
        assert (screened[~above] < threshold).all()


def test_walking_the_trees_gives_scikit_learns_floats():
    names = ["Tianlong Chen", "T. Chen", "Tao Chen"]
    papers = [p for k, name in enumerate(names) for p in graph_papers(name, start=10 * k + 1)]
    clusters = ClusterFeatures(Block(papers), list(range(len(papers))))
    rows = clusters.features(clusters.candidates())
    noisy = np.random.default_rng(7).uniform(-1, 40, size=(SMALL_BATCH - 1, len(FEATURES)))
    noisy[::4, 3] = np.nan  # a missing value takes the side the tree learned for it
    model = default_model()
    assert isinstance(model, Bagged)
    for tree_model in model.models:
        forest = Forest.of(tree_model)
        assert forest is not None
        for x in (rows, rows[:1], noisy):
            assert np.array_equal(forest.probability(x), tree_model.predict_proba(x)[:, 1])


def test_compiled_trees_give_scikit_learns_floats(tmp_path):
    names = ["Tianlong Chen", "T. Chen", "Tao Chen"]
    papers = [p for k, name in enumerate(names) for p in graph_papers(name, start=10 * k + 1)]
    clusters = ClusterFeatures(Block(papers), list(range(len(papers))))
    rows = clusters.features(clusters.candidates())
    noisy = np.random.default_rng(11).uniform(-1, 40, size=(700, len(FEATURES)))
    noisy[::3, 3] = np.nan  # a missing value takes the side the tree learned for it
    model = default_model()
    assert isinstance(model, Bagged)
    tree_model = model.models[0]  # the shipped model's own 300 trees
    Compiled.build(tree_model, tmp_path / "trees.so")
    compiled = Compiled(tmp_path / "trees.so")
    for x in (rows, rows[:1], noisy):
        assert np.array_equal(compiled.probability(x), tree_model.predict_proba(x)[:, 1])


def small_model() -> Bagged:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, size=(400, len(FEATURES)))
    x[::5, 2] = np.nan
    y = x[:, 0] + x[:, 1] > 1
    return Bagged(
        [
            HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=7, random_state=s).fit(x, y)
            for s in range(3)
        ]
    )


def test_large_batches_are_scored_by_the_compiled_trees_once_built(tmp_path, monkeypatch):
    model = small_model()
    MODEL_FILES[model] = tmp_path / "author-merge-test.pickle"
    x = np.random.default_rng(9).uniform(0, 1, size=(2 * SMALL_BATCH, len(FEATURES)))
    x[::4, 2] = np.nan
    expected = model.predict_proba(x)[:, 1]
    small_run = COMPILE_FROM - 1
    assert not use_compiled(model, small_run)  # nothing built for a small run
    assert not list(tmp_path.glob("*.so"))
    assert use_compiled(model, COMPILE_FROM)
    assert len(list(tmp_path.glob("author-merge-test-*.so"))) == 3  # cached beside the model
    for part in model.models:  # from now on scikit-learn is not asked
        monkeypatch.setattr(part, "predict_proba", lambda _: pytest.fail("scikit-learn scored"))
    assert np.array_equal(model.screen(x, 0.0), expected)
    for threshold in (0.5, 0.8):
        screened = model.screen(x, threshold)
        above = expected >= threshold
        assert (screened[above] == expected[above]).all() and (screened[~above] < threshold).all()
    # A later run, however small, loads the libraries without building them.
    for part in model.models:
        del scoring.COMPILED[part]
    assert use_compiled(model, small_run)
    assert np.array_equal(model.screen(x, 0.0), expected)


def test_features_do_not_turn_on_the_last_bit_of_a_cosine():
    """That bit depends on the order of the arithmetic (BLAS, the hash seed's set
    order), so it must not decide merges on one machine and not on another."""
    papers = graph_papers("Tianlong Chen")
    roots = [0, 0, 2, 3]
    block = Block(papers)
    pairs = ClusterFeatures(block, roots).candidates()
    plain = ClusterFeatures(block, roots).features(pairs)
    for matrix in ("title", "venue_words"):
        setattr(block, matrix, np.nextafter(getattr(block, matrix), 0.0))  # one float lower
    assert (ClusterFeatures(block, roots).features(pairs) == plain).all()


def test_names_and_ids_decide_which_pairs_are_scored():
    # Two clusters with one name decide alike, unless an ORCID iD tells them apart.
    names = ["Yu Wang", "Yu Wang", "Yi Wang", "Y. Wang", "Y. Wang", "Y. Wang"]
    block = [mention(i, n, f"Paper {i}", "ApJ", 2020) for i, n in enumerate(names)]
    block[4].orcid = "0000-0002-1825-0097"
    block[5].orcid = "0000-0001-5109-3700"
    uf = UnionFind(block)
    pairs = [(a, b) for a in range(len(block)) for b in range(a + 1, len(block))]
    kept = set(joinable(uf, pairs))
    assert (0, 1) in kept and (3, 4) in kept and (0, 4) in kept
    assert (0, 2) not in kept  # Yu and Yi
    assert (4, 5) not in kept  # two iDs
    assert kept == {p for p in pairs if uf.may_join(*p) and initials_agree(uf, *p)}
