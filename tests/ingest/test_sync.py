"""Live-source sync, replayed: httpx.MockTransport serves recorded responses, no network."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.utils import timezone

from bzpeer import cli
from bzpeer.catalog.models import Institution, SourceRecord, WorkIdentifier
from bzpeer.ingest import sync as sync_module
from bzpeer.ingest.http import Client, FetchError
from bzpeer.ingest.models import ImportRun, SyncState
from bzpeer.ingest.sync import sync

HTTP = Path(__file__).parent.parent / "fixtures" / "http"
S2 = Path(__file__).parent.parent / "fixtures" / "s2"
EMAIL = "sync-tests@example.org"
OAI_LIST = "oaipmh-listrecords---should-list-identifiers-from-arxiv.xml"
Handler = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """A clock that only moves when something sleeps; remembers each sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Replay:
    """A MockTransport handler that records every request it answers."""

    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def params(self, name: str) -> list[str | None]:
        return [r.url.params.get(name) for r in self.requests]


def make_client(replay: Replay, time: FakeTime | None = None, **options: Any) -> Client:
    time = time or FakeTime()
    return Client(httpx.MockTransport(replay), clock=time.clock, sleep=time.sleep, **options)


def body(name: str) -> bytes:
    return (HTTP / name).read_bytes()


def json_response(data: object) -> httpx.Response:
    return httpx.Response(200, content=json.dumps(data).encode(), headers=JSON)


JSON = {"content-type": "application/json"}
XML = {"content-type": "text/xml;charset=UTF-8"}


@pytest.fixture(autouse=True)
def environment(settings: Any) -> None:
    settings.BZPEER_CONTACT_EMAIL = EMAIL
    for name in ("OPENALEX_API_KEY", "S2_API_KEY", "CROSSREF_PLUS"):
        setattr(settings, name, "")


def openalex_pages() -> Handler:
    """The recorded 2-work page split in two, joined by a cursor."""
    page = json.loads(body("keypaper_results_page_1.json"))
    first = {**page, "results": page["results"][:1], "meta": {**page["meta"], "next_cursor": "P2"}}
    second = {**page, "results": page["results"][1:], "meta": {**page["meta"], "next_cursor": None}}
    empty = {**page, "results": [], "meta": {**page["meta"], "next_cursor": None}}

    def answer(request: httpx.Request) -> httpx.Response:
        assert (request.url.host, request.url.path) == ("api.openalex.org", "/works")
        if "from_updated_date" in request.url.params.get("filter", ""):
            return json_response(empty)
        return json_response(first if request.url.params["cursor"] == "*" else second)

    return answer


def test_openalex_pages_by_cursor_and_imports_the_works(db: None, tmp_path: Path) -> None:
    replay = Replay(openalex_pages())
    result = sync("openalex", author="A5023888391", client=make_client(replay), spool_dir=tmp_path)
    assert (result.pages, result.records, result.finished, result.error) == (2, 2, True, None)
    assert replay.params("cursor") == ["*", "P2"]
    assert replay.params("filter") == ["author.id:A5023888391"] * 2
    assert replay.params("mailto") == [EMAIL, EMAIL]
    agent = replay.requests[0].headers["User-Agent"]
    assert "BZPEER" in agent and EMAIL in agent
    assert result.imported is not None
    stats = result.imported.stats
    assert stats.new + stats.updated + stats.unchanged == 2 and stats.quarantined == 0
    run = ImportRun.objects.get(pk=result.imported.run_id)
    assert (run.source, run.paths, run.status) == (
        "openalex",
        [str(f) for f in result.files],
        "done",
    )
    for entity in ("W2755950973", "W2741809807"):
        assert WorkIdentifier.objects.filter(scheme="openalex", value=entity).exists()


def test_spool_keeps_each_raw_body_unchanged(db: None, tmp_path: Path) -> None:
    replay = Replay(lambda request: httpx.Response(200, content=body("test_cursor__0.json")))
    result = sync("crossref", query="widget", client=make_client(replay), spool_dir=tmp_path)
    (kept,) = result.files
    assert kept.parent == tmp_path / "crossref"
    assert re.fullmatch(r"\d{8}T\d{12}Z-0001\.json", kept.name)
    assert kept.read_bytes() == body("test_cursor__0.json")


def test_crossref_cursor_envelope_replay(db: None, tmp_path: Path) -> None:
    replay = Replay(lambda request: httpx.Response(200, content=body("test_cursor__0.json")))
    result = sync(
        "crossref", author="Josiah Carberry", client=make_client(replay), spool_dir=tmp_path
    )
    (request,) = replay.requests
    assert request.url.host == "api.crossref.org" and request.url.path == "/works"
    params = dict(request.url.params)
    assert params == {
        "query.author": "Josiah Carberry",
        "cursor": "*",
        "rows": "200",
        "mailto": EMAIL,
    }
    # 20 items where 200 were asked for: the last page.
    assert (result.pages, result.records, result.finished) == (1, 20, True)
    assert result.imported is not None
    stats = result.imported.stats
    assert stats.new + stats.updated + stats.unchanged == 20


def test_limit_keeps_the_cursor_and_the_next_sync_sends_it(db: None, tmp_path: Path) -> None:
    recorded = json.loads(body("test_cursor__0.json"))
    saved = recorded["message"]["next-cursor"]
    replay = Replay(lambda request: httpx.Response(200, content=body("test_cursor__0.json")))
    client = make_client(replay)
    first = sync("crossref", query="widget", limit=20, client=client, spool_dir=tmp_path)
    assert (first.records, first.finished, first.cursor) == (20, False, saved)
    state = SyncState.objects.get(source="crossref", query="query=widget")
    assert (state.cursor, state.records, state.pages) == (saved, 20, 1)
    second = sync("crossref", query="widget", limit=20, client=client, spool_dir=tmp_path)
    assert replay.params("cursor") == ["*", saved]
    assert replay.params("rows") == ["20", "20"]
    assert second.records == 20
    assert SyncState.objects.get(pk=state.pk).records == 40


def test_finished_pass_sets_the_high_water_date_the_next_sync_asks_from(
    db: None, tmp_path: Path
) -> None:
    replay = Replay(openalex_pages())
    client = make_client(replay)
    first = sync("openalex", author="A5023888391", limit=1, client=client, spool_dir=tmp_path)
    assert (first.records, first.finished) == (1, False)
    state = SyncState.objects.get(source="openalex", query="author=A5023888391")
    assert (state.cursor, state.since) == ("P2", None)
    sync("openalex", author="A5023888391", client=client, spool_dir=tmp_path)
    state.refresh_from_db()
    assert state.cursor == "" and state.since == timezone.now().date()
    third = sync("openalex", author="A5023888391", client=client, spool_dir=tmp_path)
    assert replay.params("cursor") == ["*", "P2", "*"]
    assert replay.params("filter")[-1] == (
        f"author.id:A5023888391,from_updated_date:{state.since.isoformat()}"
    )
    assert (third.records, third.finished) == (0, True)


def oai_pages(token: str = "tok-1") -> Handler:
    """The recorded ListRecords page, first with a resumptionToken added, then as recorded."""
    recorded = body(OAI_LIST)
    marker = b"</ListRecords>"
    resumable = recorded.replace(
        marker, f'<resumptionToken cursor="0">{token}</resumptionToken>'.encode() + marker
    )

    def answer(request: httpx.Request) -> httpx.Response:
        assert (request.url.host, request.url.path) == ("export.arxiv.org", "/oai2")
        if "resumptionToken" in request.url.params:
            return httpx.Response(200, content=recorded, headers=XML)
        return httpx.Response(200, content=resumable, headers=XML)

    return answer


def test_arxiv_oai_pmh_replay_imports_1412_8544(db: None, tmp_path: Path) -> None:
    replay = Replay(lambda request: httpx.Response(200, content=body(OAI_LIST), headers=XML))
    client = make_client(replay)
    result = sync("arxiv", since="2015-01-01", client=client, spool_dir=tmp_path)
    assert dict(replay.requests[0].url.params) == {
        "verb": "ListRecords",
        "metadataPrefix": "arXiv",
        "from": "2015-01-01",
    }
    assert (result.pages, result.records, result.finished) == (1, 2, True)
    assert result.imported is not None and result.imported.stats.quarantined == 0
    work = WorkIdentifier.objects.get(scheme="arxiv", value="1412.8544").work
    assert work.title == "A Kochen-Specker system has at least 22 vectors (extended abstract)"
    assert SourceRecord.objects.filter(source="arxiv", external_id="1412.8544").exists()
    # The next sync asks only for what changed since the high-water date.
    sync("arxiv", client=client, spool_dir=tmp_path)
    state = SyncState.objects.get(source="arxiv", query="all")
    assert replay.requests[1].url.params["from"] == state.since.isoformat()


def test_arxiv_resumption_token_and_three_second_spacing(db: None, tmp_path: Path) -> None:
    replay = Replay(oai_pages())
    time = FakeTime()
    result = sync("arxiv", since="2015-01-01", client=make_client(replay, time), spool_dir=tmp_path)
    assert (result.pages, result.records, result.finished) == (2, 4, True)
    assert dict(replay.requests[1].url.params) == {
        "verb": "ListRecords",
        "resumptionToken": "tok-1",
    }
    assert time.sleeps == [pytest.approx(3.0)]


def test_orcid_record_replay(db: None, tmp_path: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v3.0/8888-8888-8888-8880/record"
        return httpx.Response(200, content=body("record-3.0.xml"), headers=XML)

    replay = Replay(answer)
    result = sync(
        "orcid",
        author="https://orcid.org/8888-8888-8888-8880",
        client=make_client(replay),
        spool_dir=tmp_path,
    )
    (request,) = replay.requests
    assert request.url.host == "pub.orcid.org"
    assert request.headers["Accept"] == "application/vnd.orcid+xml"
    assert "mailto" not in request.url.params
    assert (result.records, result.finished, result.files[0].suffix) == (1, True, ".xml")
    assert result.imported is not None
    stats = result.imported.stats
    assert stats.new >= 2 and stats.quarantined == 0  # the person and the works
    assert SourceRecord.objects.filter(source="orcid").exists()


def test_ror_search_then_each_organisation_by_id(db: None, tmp_path: Path) -> None:
    records = json.loads(body("ror_records_es7_v2.json"))[:2]
    by_id = {r["id"].rsplit("/", 1)[-1]: r for r in records}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v2/organizations":
            return json_response({"number_of_results": 2, "items": records})
        return json_response(by_id[request.url.path.rsplit("/", 1)[-1]])

    replay = Replay(answer)
    result = sync("ror", query="Monash", client=make_client(replay), spool_dir=tmp_path)
    assert [r.url.path for r in replay.requests] == [
        "/v2/organizations",
        *(f"/v2/organizations/{ror}" for ror in by_id),
    ]
    assert replay.requests[0].url.params["query"] == "Monash"
    assert (result.records, result.finished, len(result.files)) == (2, True, 2)
    assert len(list((tmp_path / "ror").glob("*.search.json"))) == 1
    assert result.imported is not None and result.imported.stats.quarantined == 0
    assert Institution.objects.filter(ror__in=list(by_id)).count() == 2


def test_429_with_retry_after_is_retried_after_the_wait_asked_for() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "7"}, content=b"slow down"),
            json_response({"message": {"items": []}}),
        ]
    )
    replay = Replay(lambda request: next(answers))
    time = FakeTime()
    response = make_client(replay, time).get("https://api.crossref.org/works", {"rows": "1"})
    assert response.status == 200 and response.json() == {"message": {"items": []}}
    assert len(replay.requests) == 2
    assert time.sleeps == [7.0]


def test_503_three_times_raises_fetch_error_naming_status_and_url() -> None:
    replay = Replay(lambda request: httpx.Response(503, content=b"unavailable"))
    time = FakeTime()
    with pytest.raises(FetchError) as caught:
        make_client(replay, time).get("https://api.ror.org/v2/organizations", {"query": "x"})
    assert len(replay.requests) == 3
    assert time.sleeps == [1.0, 2.0]  # exponential backoff between the attempts
    assert caught.value.status == 503
    assert "HTTP 503" in str(caught.value)
    assert "https://api.ror.org/v2/organizations?query=x" in str(caught.value)


def test_connection_errors_are_retried() -> None:
    answers: list[httpx.Response | None] = [None, json_response({"ok": True})]

    def answer(request: httpx.Request) -> httpx.Response:
        response = answers.pop(0)
        if response is None:
            raise httpx.ConnectError("connection refused", request=request)
        return response

    replay = Replay(answer)
    assert make_client(replay).get("https://api.openalex.org/works").json() == {"ok": True}
    assert len(replay.requests) == 2


PROXY_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Proxy Error</title></head><body>x</body></html>"
)


def test_html_with_status_200_is_an_error_and_nothing_is_imported(db: None, tmp_path: Path) -> None:
    replay = Replay(lambda request: httpx.Response(200, content=PROXY_PAGE))
    runs = ImportRun.objects.count()
    result = sync("crossref", query="widget", client=make_client(replay), spool_dir=tmp_path)
    assert result.error is not None
    assert "HTML where JSON was expected" in result.error and "502 Proxy Error" in result.error
    assert (result.pages, result.records, result.imported) == (0, 0, None)
    assert len(replay.requests) == 1
    assert ImportRun.objects.count() == runs
    assert not list(tmp_path.rglob("*.json"))
    assert SyncState.objects.get(source="crossref", query="query=widget").cursor == ""


def test_cli_sync_reports_a_fetch_error_and_exits_1(
    db: None, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    settings.VAR_DIR = tmp_path
    replay = Replay(lambda request: httpx.Response(200, content=PROXY_PAGE))
    monkeypatch.setattr(sync_module, "Client", lambda: make_client(replay))
    assert cli.main(["sync", "crossref", "--query", "widget", "--since", "2024-01-01"]) == 1
    captured = capsys.readouterr()
    assert "0 page(s), 0 records fetched" in captured.out
    assert "returned HTML" in captured.err
    assert replay.requests[0].url.params["filter"] == "from-update-date:2024-01-01"


@pytest.mark.parametrize(
    "argv",
    [
        ["sync", "dblp", "--query", "x"],
        ["sync", "ror", "--author", "Jane Doe", "--query", "Monash"],
        ["sync", "crossref", "--author", "Jane Doe", "--since", "2024-13-01"],
        ["sync", "openalex", "--author", "Jane Doe", "--since", "yesterday"],
        ["sync", "arxiv", "--author", "Jane Doe", "--since", "2024-01-01"],
        ["sync", "orcid", "--author", "0000-0000-0000-0000"],
        ["sync", "openalex"],
        ["sync", "crossref", "--query", "x", "--limit", "0"],
    ],
)
@pytest.mark.django_db  # the command looks for a migrated catalog before its arguments
def test_bad_arguments_exit_2(argv: list[str], capsys: Any) -> None:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse refuses unknown sources itself
        code = int(exc.code or 0)
    assert code == 2
    assert "error" in capsys.readouterr().err


def test_api_keys_go_in_requests_but_never_in_logs_or_errors(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    keys = {"OPENALEX_API_KEY": "oa-SECRET-123", "S2_API_KEY": "s2-SECRET-456"}
    keys["CROSSREF_PLUS"] = "cr-SECRET-789"
    for name, value in keys.items():
        setattr(settings, name, value)
    caplog.set_level(logging.DEBUG)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.semanticscholar.org":
            return httpx.Response(200, content=(S2 / "test_get_author__0.json").read_bytes())
        return httpx.Response(503, content=b"busy")

    replay = Replay(answer)
    client = make_client(replay)
    with pytest.raises(FetchError) as openalex:
        client.get("https://api.openalex.org/works", {"filter": "author.id:A5023888391"})
    with pytest.raises(FetchError) as crossref:
        client.get("https://api.crossref.org/works", {"query": "widget"})
    client.get("https://api.semanticscholar.org/graph/v1/author/2262347", {"fields": "name"})
    sent = {r.url.host: r for r in replay.requests}
    assert sent["api.openalex.org"].url.params["api_key"] == keys["OPENALEX_API_KEY"]
    assert sent["api.semanticscholar.org"].headers["x-api-key"] == keys["S2_API_KEY"]
    assert sent["api.crossref.org"].headers["Crossref-Plus-API-Token"] == (
        f"Bearer {keys['CROSSREF_PLUS']}"
    )
    assert "HTTP Request" in caplog.text  # httpx logged each request, redacted
    assert "retry" in caplog.text
    for value in keys.values():
        assert value not in caplog.text
        assert value not in str(openalex.value) and value not in str(crossref.value)
    assert "api_key=%5Bredacted%5D" in str(openalex.value) or "[redacted]" in str(openalex.value)


def test_requests_to_one_host_are_spaced_by_its_documented_limit() -> None:
    replay = Replay(lambda request: httpx.Response(200, content=body(OAI_LIST), headers=XML))
    time = FakeTime()
    client = make_client(replay, time)
    for _ in range(2):
        client.get("https://export.arxiv.org/oai2", {"verb": "Identify"}, expect="xml")
    assert time.sleeps == [pytest.approx(3.0)]
    client.get("https://api.openalex.org/works", expect="xml")  # another host: no wait
    assert len(time.sleeps) == 1


def test_since_must_not_be_in_the_future() -> None:
    tomorrow = (timezone.now() + dt.timedelta(days=1)).date().isoformat()
    with pytest.raises(sync_module.SyncError, match="future"):
        sync("crossref", query="x", since=tomorrow)
