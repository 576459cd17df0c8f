"""schemathesis against the API's own OpenAPI schema, in-process (WSGI).

Every operation gets generated requests, valid and invalid by the schema,
and every other check schemathesis runs by default: no server error; a
documented status, content type and headers; a body that matches the
schema declared for its status; invalid input refused with a 4xx; other
methods answered 405. Examples are derived deterministically (the same
requests every run) and bounded per operation.

Not checked: that every schema-valid request is accepted. A filter or a
cursor is a string in the schema but has a grammar (``author.id:A1``, a
cursor this API gave out), and a string outside it is refused with the
documented 400 and its JSON error.
"""

from __future__ import annotations

from functools import cache

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from bzpeer.catalog.models import Author, Institution, Topic, Venue, WorkIdentifier
from bzpeer.wsgi import application

pytestmark = pytest.mark.django_db

# Generated requests per operation; the coverage phase adds its own boundary
# cases (about 450 requests in all, a few seconds).
MAX_EXAMPLES = 80

CONFIG = schemathesis.Config.from_dict({"generation": {"mode": "all", "deterministic": True}})

# Read once at collection: the schema view touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The app runs in this thread, inside the test's transaction. At the end
    of a request ``close_old_connections`` closes a connection whose
    autocommit differs from the settings', as it does inside a transaction;
    Django's test client holds it off, but schemathesis calls the WSGI app
    itself. Without this every request after the first answers 500 on
    PostgreSQL (SQLite's in-memory test database ignores the close)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@cache
def known_ids() -> dict[str, list[str]]:
    """Ids of records the demo data holds, in every form the API reads, and a
    merged-away author (301): generated ids alone almost never find one."""
    ids: dict[str, list[str]] = {"work_id": [], "author_id": []}
    ids["institution_id"] = [f"I{i.pk}" for i in Institution.objects.order_by("id")[:3]]
    ids["institution_id"] += [f"ror:{i.ror}" for i in Institution.objects.exclude(ror=None)[:2]]
    ids["topic_id"] = [f"T{t.pk}" for t in Topic.objects.order_by("id")[:3]]
    ids["source_id"] = [f"S{v.pk}" for v in Venue.objects.order_by("id")[:3]]
    for scheme in ("doi", "arxiv", "openalex"):
        for ident in WorkIdentifier.objects.filter(scheme=scheme).order_by("id")[:3]:
            ids["work_id"] += [f"W{ident.work_id}", f"{scheme}:{ident.value}"]
    authors = Author.objects.order_by("-works_count", "id")
    for author in [*authors.filter(merged_into=None)[:4], *authors.exclude(merged_into=None)[:2]]:
        ids["author_id"] += [f"A{author.pk}", author.slug]
        ids["author_id"] += [f"orcid:{author.orcid}"] if author.orcid else []
        ids["author_id"] += [f"openalex:{author.openalex_id}"] if author.openalex_id else []
    return ids


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, the id of a record that exists, so that full answers
    (200, and 301 for a merged author) are checked against the schema too."""
    if not isinstance(path_parameters, dict) or len(path_parameters) != 1:
        return st.just(path_parameters)  # negative cases may send none at all
    (name,) = path_parameters
    if name not in known_ids():  # the autocomplete's entity: an enum already
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        st.sampled_from(known_ids()[name]).map(lambda value: {name: value}),
    )


@schema.hook
def flatmap_query(context, query):
    """Half the time, a graph focus that exists (generated ones never do)."""
    if context.operation.path != "/api/v1/graph" or not isinstance(query, dict):
        return st.just(query)
    author = Author.objects.filter(merged_into=None).order_by("-works_count", "id").first()
    work = WorkIdentifier.objects.order_by("id").first()
    focuses = [f"author:A{author.pk}", f"work:W{work.work_id}", f"A{author.pk}"]
    return st.one_of(
        st.just(query), st.sampled_from(focuses).map(lambda focus: {**query, "focus": focus})
    )


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_answers_as_its_schema_says(case):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_every_operation_is_covered():
    """The schema lists every operation, each with its error answers."""
    operations = {
        f"{op.method.upper()} {op.path}": op for op in (r.ok() for r in schema.get_all_operations())
    }
    assert set(operations) == {
        "GET /api/v1/works",
        "GET /api/v1/works/{work_id}",
        "GET /api/v1/authors",
        "GET /api/v1/authors/{author_id}",
        "GET /api/v1/institutions",
        "GET /api/v1/institutions/{institution_id}",
        "GET /api/v1/topics",
        "GET /api/v1/topics/{topic_id}",
        "GET /api/v1/sources",
        "GET /api/v1/sources/{source_id}",
        "GET /api/v1/autocomplete",
        "GET /api/v1/autocomplete/{entity}",
        "GET /api/v1/graph",
        "GET /api/v1/coi",
    }
    for label, op in operations.items():
        statuses = set(op.definition.raw["responses"])
        assert {"200", "400"} <= statuses, label


def test_every_record_in_the_demo_data_matches_the_schema(client):
    """The views answer without validating (api/shapes.py ``ok``): hold every
    record of the demo data, not only the ones generated above, to the
    response models the schema is built from."""
    from bzpeer.api import out

    for path, model in (
        ("works", out.WorkListOut),
        ("authors", out.AuthorListOut),
        ("institutions", out.InstitutionListOut),
        ("topics", out.TopicListOut),
        ("sources", out.SourceListOut),
    ):
        cursor, pages = "*", 0
        while cursor:
            response = client.get(f"/api/v1/{path}?per_page=200&cursor={cursor}")
            assert response.status_code == 200
            cursor = model.model_validate_json(response.content, strict=True).meta.next_cursor
            pages += 1
        assert pages > 1 or path == "institutions", path  # the demo has 160 institutions
    for author in Author.objects.filter(merged_into=None).order_by("-works_count", "id")[:40]:
        response = client.get(f"/api/v1/authors/A{author.pk}")
        out.AuthorOut.model_validate_json(response.content, strict=True)
    for path, one in (
        ("institutions/I", out.InstitutionOut),
        ("topics/T", out.TopicOut),
        ("sources/S", out.SourceOut),
    ):
        for pk in (1, 2, 3):
            one.model_validate_json(client.get(f"/api/v1/{path}{pk}").content, strict=True)
    for group in ("type", "publication_year", "topics.id", "authorships.institutions.id"):
        grouped = client.get(f"/api/v1/works?group_by={group}").content
        assert out.WorkListOut.model_validate_json(grouped, strict=True).group_by, group
    typed = client.get("/api/v1/autocomplete?q=chen").content
    assert out.AutocompleteOut.model_validate_json(typed, strict=True).results
