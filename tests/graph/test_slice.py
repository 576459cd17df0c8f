"""The research graph's slice rules (graph/slice.py), its API and the
explorer's list without JavaScript."""

from __future__ import annotations

from collections import deque

import pytest
from django.test import Client

from bzpeer.catalog.models import Author, AuthorshipMention, Topic, Work
from bzpeer.catalog.queries import coauthor_edges
from bzpeer.claims.models import Suppression
from bzpeer.curation import corrections
from bzpeer.graph import slice as graph

pytestmark = pytest.mark.django_db


@pytest.fixture
def chen() -> Author:
    return Author.objects.get(slug="tianlong-chen")


def reachable(found: graph.Slice) -> set[str]:
    links: dict[str, set[str]] = {}
    for e in found.edges:
        links.setdefault(e.source, set()).add(e.target)
        links.setdefault(e.target, set()).add(e.source)
    seen, todo = {found.focus.id}, deque([found.focus.id])
    while todo:
        for other in links.get(todo.popleft(), ()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def test_the_profile_slice_is_capped_and_shared_out_by_type(chen):
    found = graph.build("author", chen.pk)
    assert len(found.nodes) == graph.SLICE_LIMIT and found.truncated
    assert found.nodes[0].id == f"A{chen.pk}" and found.focus.type == "author"
    kinds = {n.type for n in found.nodes}
    assert kinds == {"author", "work", "topic", "institution"}
    assert len({n.id for n in found.nodes}) == len(found.nodes)  # no node twice
    assert {e.kind for e in found.edges} <= set(graph.EDGE_KINDS)


@pytest.mark.parametrize("limit", [1, 5, 60, 500, graph.MAX_LIMIT])
@pytest.mark.parametrize("depth", [1, 2])
def test_every_node_is_reachable_from_the_focus(chen, limit, depth):
    found = graph.build("author", chen.pk, limit=limit, depth=depth)
    assert len(found.nodes) <= limit
    assert reachable(found) == {n.id for n in found.nodes}
    ids = {n.id for n in found.nodes}
    assert all(e.source in ids and e.target in ids for e in found.edges)


def test_co_authors_come_strongest_first(chen):
    strongest = [f"A{e.other}" for e in coauthor_edges(chen)]
    found = graph.build("author", chen.pk, limit=12, types=["author"])
    people = [n.id for n in found.nodes[1:]]
    assert people == strongest[: len(people)] and len(people) == 11


def test_works_come_most_cited_then_newest(chen):
    found = graph.build("author", chen.pk, limit=30, types=["work"])
    works = [n for n in found.nodes[1:] if n.type == "work"]
    keys = [(-n.weight, -(n.year or 0)) for n in works]
    assert keys == sorted(keys) and works


def test_types_leave_the_others_out_and_room_goes_to_the_rest(chen):
    found = graph.build("author", chen.pk, types=["author", "topic"])
    assert {n.type for n in found.nodes[1:]} <= {"author", "topic"}
    assert len(found.nodes) == graph.SLICE_LIMIT  # the works' room went to people


def test_merged_away_records_never_appear(chen):
    other = Author.objects.get(pk=coauthor_edges(chen)[0].other)
    survivor = Author.objects.get(pk=coauthor_edges(chen)[1].other)
    corrections.merge(other, survivor, "cli:test", "the same person")
    for depth in (1, 2):
        ids = {n.id for n in graph.build("author", chen.pk, limit=2000, depth=depth).nodes}
        assert f"A{other.pk}" not in ids and f"A{survivor.pk}" in ids
    with pytest.raises(graph.FocusError):
        graph.build("author", other.pk)


def test_suppressed_records_never_appear(chen, client):
    hidden = Author.objects.get(pk=coauthor_edges(chen)[0].other)
    Suppression.objects.create(author=hidden, reason="me", status="approved")
    answer = client.get("/api/v1/graph", {"focus": f"author:A{chen.pk}", "limit": 2000, "depth": 2})
    assert answer.status_code == 200
    assert f"A{hidden.pk}" not in {n["id"] for n in answer.json()["nodes"]}
    assert client.get("/api/v1/graph", {"focus": f"author:A{hidden.pk}"}).status_code == 404
    page = client.get("/explore", {"focus": f"author:A{chen.pk}"}).content.decode()
    assert f'/researchers/{hidden.slug}"' not in page


def test_a_work_a_topic_and_an_institution_focus():
    work = Work.objects.filter(mentions__author__isnull=False).order_by("id").first()
    found = graph.build("work", work.pk)
    authors = set(
        AuthorshipMention.objects.filter(work=work)
        .exclude(author=None)
        .values_list("author_id", flat=True)
    )
    assert {int(n.id[1:]) for n in found.nodes if n.type == "author"} == authors
    assert all(e.kind == "wrote" for e in found.edges if e.source.startswith("A"))
    topic = Topic.objects.filter(worktopic__isnull=False).order_by("id").first()
    around = graph.build("topic", topic.pk, limit=40)
    assert reachable(around) == {n.id for n in around.nodes} and len(around.nodes) <= 40
    with pytest.raises(graph.FocusError):
        graph.build("institution", 10**12)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({}, 400),
        ({"focus": "nobody"}, 400),
        ({"focus": "author:Ax"}, 400),
        ({"focus": "author:A99999999999"}, 404),
        ({"focus": "author:A1", "types": "people"}, 400),
        ({"focus": "author:A1", "limit": 0}, 400),
        ({"focus": "author:A1", "limit": graph.MAX_LIMIT + 1}, 400),
        ({"focus": "author:A1", "depth": 3}, 400),
        ({"focus": "work:W1\x00"}, 400),
    ],
)
def test_bad_graph_requests_are_refused_with_json(client, query, status):
    answer = client.get("/api/v1/graph", query)
    assert answer.status_code == status and answer.json()["error"]


def test_the_api_answers_nodes_and_edges(chen, client):
    data = client.get("/api/v1/graph", {"focus": f"author:A{chen.pk}"}).json()
    assert data["focus"] == f"A{chen.pk}" and data["meta"]["count"] == len(data["nodes"]) == 60
    node = next(n for n in data["nodes"] if n["type"] == "author" and n["id"] != data["focus"])
    assert set(node) == {"id", "type", "label", "weight", "url", "year"}
    assert node["url"].startswith("/researchers/")
    assert sum(data["meta"]["by_type"].values()) == 60


def test_the_explorer_lists_the_nodes_without_javascript(chen):
    page = Client().get("/explore", {"focus": f"author:A{chen.pk}"})
    assert page.status_code == 200
    html = page.content.decode()
    top = Author.objects.get(pk=coauthor_edges(chen)[0].other)
    assert f'href="/researchers/{top.slug}"' in html and "Researchers (" in html
    assert 'type="module" src="/static/web/dist/explorer.js"' in html
    assert Client().get("/explore").status_code == 400
    assert Client().get("/explore", {"focus": "author:A99999999999"}).status_code == 404
