"""``/api/v1/coi``: conflicts of interest between two researchers
(``social.coi``), each with its evidence."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from bzpeer.catalog.models import Author
from bzpeer.catalog.queries import find_author
from bzpeer.claims.suppression import is_suppressed
from bzpeer.social import coi

from .schemas import ErrorOut, Out

router = Router(tags=["social"])


class CoiParams(Schema):
    a: str = Field(..., max_length=300, description="a researcher: A12, a slug, orcid:... ")
    b: str = Field(..., max_length=300, description="the other researcher, in the same forms")
    years: int | None = Field(
        None, ge=1, le=50, description="co-authorship window in years (default: the setting)"
    )


class ConflictOut(Out):
    kind: Literal["coauthorship", "institution", "advisor"]
    summary: str
    evidence: list[dict[str, Any]]


class CoiOut(Out):
    a: str
    b: str
    years: int
    conflict: bool
    conflicts: list[ConflictOut]


def _author(text: str, which: str) -> Author:
    found = find_author(text)
    if found is not None and found.merged_into_id is not None:
        found = Author.objects.filter(pk=found.merged_into_id).first()
    if found is None or is_suppressed(found.pk):
        raise HttpError(404, f"no researcher {which}={text[:80]!r}")
    return found


@router.get(
    "/coi",
    summary="Conflicts of interest between two researchers: recent co-authorship, "
    "a shared current institution, an advisor-style pattern; each with its evidence",
    response={200: CoiOut, 400: ErrorOut, 404: ErrorOut},
)
def get_coi(request: HttpRequest, params: Query[CoiParams]) -> dict[str, Any]:
    a, b = _author(params.a, "a"), _author(params.b, "b")
    if a.pk == b.pk:
        raise HttpError(400, "a and b are the same researcher")
    report = coi.conflicts(a, b, params.years)
    return {
        "a": f"A{a.pk}",
        "b": f"A{b.pk}",
        "years": report.years,
        "conflict": report.any,
        "conflicts": report.as_json(),
    }
