"""The import's compact map of title ends to work ids answers as a plain dict
of sorted lists would, through growth, collisions, shared keys and removals."""

from __future__ import annotations

import random

from bzpeer.ingest.multimap import IdMultiMap


def test_matches_a_dict_of_sorted_lists_under_random_use():
    rng = random.Random(11)
    table = IdMultiMap(capacity=4)  # grows many times
    model: dict[int, list[int]] = {}
    # Few distinct keys of every sign and size, some equal modulo the table's
    # size (0 stands for 1, which is not among them).
    keys = [
        0,
        -1,
        2**63 - 1,
        -(2**63),
        1024,
        2048,
        *(rng.getrandbits(64) - 2**63 for _ in range(300)),
    ]
    for _ in range(20_000):
        key, pk = rng.choice(keys), rng.randrange(5_000)
        if rng.random() < 0.7:
            table.add(key, pk)
            ids = model.setdefault(key, [])
            if pk not in ids:
                ids.append(pk)
                ids.sort()
        else:
            assert table.remove(key, pk) == (pk in model.get(key, []))
            if pk in model.get(key, []):
                model[key].remove(pk)
    for key in keys:
        assert list(table.descending(key)) == model.get(key, [])[::-1]
    assert list(table.descending(12345)) == []


def test_a_key_emptied_and_filled_again():
    table = IdMultiMap()
    table.add(hash("hsparsetrainingvi"), 7)
    assert table.remove(hash("hsparsetrainingvi"), 7)
    assert not table.remove(hash("hsparsetrainingvi"), 7)
    assert list(table.descending(hash("hsparsetrainingvi"))) == []
    for pk in (9, 3, 12, 3, 10):
        table.add(hash("hsparsetrainingvi"), pk)
    assert list(table.descending(hash("hsparsetrainingvi"))) == [12, 10, 9, 3]
    for pk in (12, 3, 9):
        assert table.remove(hash("hsparsetrainingvi"), pk)
    assert list(table.descending(hash("hsparsetrainingvi"))) == [10]
    assert len(table) == 1
