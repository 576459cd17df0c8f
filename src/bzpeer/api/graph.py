"""``/api/v1/graph``: the research graph around a focus (``graph.slice``)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from bzpeer.claims.suppression import suppressed_ids
from bzpeer.graph import slice as graph

from .schemas import ErrorOut, Out

router = Router(tags=["graph"])


class GraphParams(Schema):
    focus: str = Field(
        ..., max_length=40, description="author:A1, work:W1, topic:T1 or institution:I1"
    )
    depth: int = Field(1, ge=1, le=graph.MAX_DEPTH, description="2 adds second-degree co-authors")
    types: str = Field(
        "",
        max_length=60,
        description="node types to include, comma-separated (author,work,topic,institution); "
        "all when empty",
    )
    limit: int = Field(graph.SLICE_LIMIT, ge=1, le=graph.MAX_LIMIT, description="nodes at most")


class NodeOut(Out):
    id: str
    type: Literal["author", "work", "topic", "institution"]
    label: str
    weight: float
    url: str
    year: int | None


class EdgeOut(Out):
    source: str
    target: str
    kind: Literal["wrote", "co-authored", "cites", "about", "affiliated"]
    strength: float


class GraphMetaOut(Out):
    count: int
    by_type: dict[str, int]
    truncated: bool


class GraphOut(Out):
    focus: str
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    meta: GraphMetaOut


def parse_types(text: str) -> list[str]:
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    unknown = [t for t in names if t not in graph.NODE_TYPES]
    if unknown:
        raise HttpError(400, f"types must be among {', '.join(graph.NODE_TYPES)}")
    return names or list(graph.NODE_TYPES)


@router.get(
    "/graph",
    summary="The research graph around a focus: nodes (authors, works, topics, "
    "institutions) and edges (wrote, co-authored, cites, about, affiliated)",
    response={200: GraphOut, 400: ErrorOut, 404: ErrorOut},
)
def get_graph(request: HttpRequest, params: Query[GraphParams]) -> HttpResponse:
    try:
        kind, pk = graph.parse_focus(params.focus)
    except graph.FocusError as exc:
        raise HttpError(400, str(exc)) from exc
    types = parse_types(params.types)
    try:
        found = graph.build(
            kind,
            pk,
            limit=params.limit,
            depth=params.depth,
            types=types,
            exclude=set(suppressed_ids()),
        )
    except graph.FocusError as exc:
        raise HttpError(404, str(exc)) from exc
    # the busiest records' slices come from the cache until the catalog next
    # changes (``catalog.revision``): a correction shows at once
    return JsonResponse(found.as_json())
