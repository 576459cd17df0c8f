"""Sync from live sources: fetch pages, keep each raw body, import through the importers.

Each response body is written unchanged to ``var/spool/<source>/<stamp>-<n>.<ext>``
(the project keeps what sources said) and the files are imported by
:func:`run_import`, so parsing, quarantine, idempotency and the ImportRun are
those of ``bzpeer import``. A :class:`SyncState` per source and query keeps the
next cursor while paging and, once a pass is done, the high-water date that the
next sync asks from. Endpoints and documented limits (``http.Client`` spaces
the requests):

- openalex: ``api.openalex.org/works?filter=author.id:..|raw_author_name.search:..,
  from_updated_date:..&cursor=..``, 200 a page; 10 requests/s, 100,000 a day;
  ``from_updated_date`` is documented as needing an API key (OPENALEX_API_KEY).
- arxiv: OAI-PMH ``export.arxiv.org/oai2?verb=ListRecords&metadataPrefix=arXiv&from=..``
  and resumptionToken; 1 request every 3 s. No author selection in OAI-PMH:
  ``--query`` is a set (``cs``); ``--limit`` ends at a page boundary.
- crossref: ``api.crossref.org/works?query.author=..&filter=from-update-date:..&cursor=*``,
  200 rows a page; 10 requests/s in the polite pool (``mailto``).
- orcid: ``pub.orcid.org/v3.0/{orcid}/record`` as XML, whole; 24 requests/s.
- ror: ``api.ror.org/v2/organizations?query=..`` (20 a page, kept as ``*.search.json``,
  not imported: the importer reads records) then each organisation by id, or
  ``/v2/organizations/{id}``; 2,000 requests per 5 minutes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.utils import timezone

from bzpeer.catalog.identifiers import parse_openalex, parse_orcid, parse_ror

from .http import Client, FetchError, Response
from .models import SyncState
from .pipeline import ImportResult, run_import
from .records import RecordError
from .xmlsafe import parse_xml

PAGE = 200  # records asked for per page (OpenAlex allows 200, Crossref 1000)
ROR_PAGE = 20  # organisations per ROR search page (fixed by the API)
_OAI = "{http://www.openarchives.org/OAI/2.0/}"
_OAI_SET = re.compile(r"^[A-Za-z-]+(?::[A-Za-z.-]+)*$")


class SyncError(ValueError):
    """Arguments a sync cannot run with (the CLI exits 2)."""


@dataclass(frozen=True)
class Query:
    author: str | None
    text: str | None
    since: dt.date | None  # the date filter of this pass


@dataclass(frozen=True)
class Call:
    url: str
    params: dict[str, str] = field(default_factory=dict)
    expect: str = "json"
    accept: str | None = None


@dataclass(frozen=True)
class Page:
    """What one response holds: its record count and the cursor of the next page."""

    records: int
    cursor: str | None
    listing: bool = False  # a search page: kept, not imported; its records are fetched
    follow: tuple[Call, ...] = ()  # the records a listing names, to fetch one by one


@dataclass(frozen=True)
class Plan:
    ext: str
    call: Callable[[Query, str | None, int], Call]  # (query, cursor, page size)
    read: Callable[[Query, bytes, str | None, int], Page]  # (query, body, cursor, size)


def _openalex_call(q: Query, cursor: str | None, size: int) -> Call:
    filters = [_openalex_author(q.author)] if q.author else []
    if q.since:
        filters.append(f"from_updated_date:{q.since.isoformat()}")
    params = {"per-page": str(size), "cursor": cursor or "*"}
    if filters:
        params["filter"] = ",".join(filters)
    if q.text:
        params["search"] = q.text
    return Call("https://api.openalex.org/works", params)


def _openalex_read(q: Query, body: bytes, cursor: str | None, size: int) -> Page:
    document = _json_object(body)
    results = document.get("results")
    if not isinstance(results, list):
        raise ValueError("an OpenAlex list page has no results list")
    following = (document.get("meta") or {}).get("next_cursor")
    return Page(len(results), str(following) if results and following else None)


def _openalex_author(author: str) -> str:
    if entity := parse_openalex(author, "A"):
        return f"author.id:{entity}"
    if orcid := parse_orcid(author):
        return f"author.orcid:{orcid}"
    # Commas separate filters and "|" means OR: neither may stand in a name.
    return "raw_author_name.search:" + " ".join(re.sub(r"[,|]", " ", author).split())


def _arxiv_call(q: Query, cursor: str | None, size: int) -> Call:
    params = {"verb": "ListRecords"}
    if cursor:
        params["resumptionToken"] = cursor  # OAI-PMH: the token and nothing else
    else:
        params["metadataPrefix"] = "arXiv"
        if q.since:
            params["from"] = q.since.isoformat()
        if q.text:
            params["set"] = q.text
    return Call("https://export.arxiv.org/oai2", params, expect="xml")


def _arxiv_read(q: Query, body: bytes, cursor: str | None, size: int) -> Page:
    try:
        root = parse_xml(body.decode("utf-8"))
    except (RecordError, UnicodeDecodeError) as exc:
        raise ValueError(f"unreadable OAI-PMH response: {exc}") from exc
    error = root.find(f"{_OAI}error")
    if error is not None:
        if error.get("code") == "noRecordsMatch":
            return Page(0, None)
        raise ValueError(f"OAI-PMH error {error.get('code')}: {(error.text or '').strip()}")
    token = (root.findtext(f"{_OAI}ListRecords/{_OAI}resumptionToken") or "").strip()
    return Page(len(root.findall(f"{_OAI}ListRecords/{_OAI}record")), token or None)


def _crossref_call(q: Query, cursor: str | None, size: int) -> Call:
    params = {"rows": str(size), "cursor": cursor or "*"}
    orcid = parse_orcid(q.author)
    filters = [f"orcid:{orcid}"] if orcid else []
    if q.author and not orcid:
        params["query.author"] = q.author
    if q.text:
        params["query"] = q.text
    if q.since:
        filters.append(f"from-update-date:{q.since.isoformat()}")
    if filters:
        params["filter"] = ",".join(filters)
    return Call("https://api.crossref.org/works", params)


def _crossref_read(q: Query, body: bytes, cursor: str | None, size: int) -> Page:
    message = _json_object(body).get("message")
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(message, dict) or not isinstance(items, list):
        raise ValueError("a Crossref work-list envelope has no message.items")
    following = message.get("next-cursor")
    # Crossref keeps sending a cursor: a short page is the last one.
    done = len(items) < size or not following
    return Page(len(items), None if done else str(following))


def _orcid_call(q: Query, cursor: str | None, size: int) -> Call:
    url = f"https://pub.orcid.org/v3.0/{q.author}/record"
    return Call(url, expect="xml", accept="application/vnd.orcid+xml")


def _ror_call(q: Query, cursor: str | None, size: int) -> Call:
    if ror := parse_ror(q.text):
        return Call(f"https://api.ror.org/v2/organizations/{ror}")
    return Call(
        "https://api.ror.org/v2/organizations", {"query": str(q.text), "page": cursor or "1"}
    )


def _ror_read(q: Query, body: bytes, cursor: str | None, size: int) -> Page:
    document = _json_object(body)
    if parse_ror(q.text):
        return Page(1, None)
    items = document.get("items")
    if not isinstance(items, list):
        raise ValueError("a ROR search response has no items list")
    ids = [parse_ror(str(item.get("id") or "")) for item in items if isinstance(item, dict)]
    follow = tuple(Call(f"https://api.ror.org/v2/organizations/{r}") for r in ids if r)
    page = int(cursor or "1")
    more = bool(items) and page * ROR_PAGE < int(document.get("number_of_results") or 0)
    return Page(0, str(page + 1) if more else None, listing=True, follow=follow)


def _one_record(q: Query, body: bytes, cursor: str | None, size: int) -> Page:
    return Page(1, None)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ValueError("the response is not a JSON object")
    return document


PLANS: dict[str, Plan] = {
    "openalex": Plan("json", _openalex_call, _openalex_read),
    "arxiv": Plan("xml", _arxiv_call, _arxiv_read),
    "crossref": Plan("json", _crossref_call, _crossref_read),
    "orcid": Plan("xml", _orcid_call, _one_record),
    "ror": Plan("json", _ror_call, _ror_read),
}
SYNC_SOURCES = tuple(PLANS)


def check(
    source: str,
    author: str | None = None,
    query: str | None = None,
    since: dt.date | str | None = None,
    limit: int | None = None,
) -> tuple[Query, str]:
    """The checked query and the key SyncState knows it by; else :class:`SyncError`."""
    author, query = (author or "").strip() or None, (query or "").strip() or None
    if source not in PLANS:
        raise SyncError(f"cannot sync {source!r}; sources: {', '.join(PLANS)}")
    if limit is not None and limit < 1:
        raise SyncError("--limit must be a positive number")
    day = parse_since(since)
    problem = _problem(source, author, query, day)
    if problem:
        raise SyncError(f"{source}: {problem}")
    if source == "orcid":
        author = parse_orcid(author)
    key = ";".join(f"{k}={v}" for k, v in (("author", author), ("query", query)) if v)
    return Query(author, query, day), key or "all"


def _problem(source: str, author: str | None, query: str | None, day: dt.date | None) -> str:
    if day and source in {"orcid", "ror"}:
        return "--since does not apply (records are fetched whole)"
    if source in {"openalex", "crossref"} and not (author or query):
        return "give --author (a name, an id or an ORCID iD) or --query"
    if source == "arxiv" and author:
        return "OAI-PMH cannot select by author; --query takes an OAI set such as cs"
    if source == "arxiv" and query and not _OAI_SET.match(query):
        return f"--query must be an OAI-PMH set such as cs or physics:hep-th, not {query!r}"
    if source == "orcid" and (query or not parse_orcid(author)):
        return "give --author with a valid ORCID iD (and no --query)"
    if source == "ror" and (author or not query):
        return "give --query with an organisation name or a ROR id (no --author)"
    return ""


def parse_since(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise SyncError(f"--since must be a date YYYY-MM-DD, not {value!r}") from None
    if day and day > timezone.now().date():
        raise SyncError(f"--since {day} is in the future")
    return day


@dataclass
class SyncResult:
    source: str
    query: str
    since: dt.date | None  # the date filter the pages were asked with
    pages: int = 0
    records: int = 0
    files: list[Path] = field(default_factory=list)
    cursor: str | None = None  # where the next sync continues; None when the pass is done
    finished: bool = False
    error: str | None = None
    imported: ImportResult | None = None  # the run_import of the spooled files


class _Spool:
    """Raw bodies, one file each, never overwritten."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
        self.count = 0

    def write(self, body: bytes, ext: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path = self.folder / f"{self.stamp}-{self.count:04d}.{ext}"
        with open(path, "xb") as out:
            out.write(body)
        return path


def sync(
    source: str,
    author: str | None = None,
    since: dt.date | str | None = None,
    limit: int | None = None,
    client: Client | None = None,
    spool_dir: str | Path | None = None,
    *,
    query: str | None = None,
    resolve: bool = True,
    progress: Callable[[str], None] | None = None,
) -> SyncResult:
    """Fetch new pages of a query, spool them and import them; remember where it stopped."""
    asked, key = check(source, author, query, since, limit)
    state = SyncState.objects.filter(source=source, query=key).first()
    state = state or SyncState(source=source, query=key)
    cursor, day = _resume(state, asked.since)
    if source == "arxiv" and not (cursor or day):
        raise SyncError("arxiv: the first sync needs --since (a full harvest is millions)")
    result = SyncResult(source, key, day, cursor=cursor)
    spool = _Spool(Path(spool_dir or settings.VAR_DIR / "spool") / source)
    http = client or Client()
    work = _Harvest(PLANS[source], replace(asked, since=day), http, spool, result, limit)
    try:
        work.run(progress or (lambda _: None))
    finally:
        if client is None:
            http.close()
    if result.files:
        paths = [str(p) for p in result.files]
        result.imported = run_import(source, paths, {}, show_progress=False, resolve=resolve)
    _save(state, result)
    return result


def _resume(state: SyncState, since: dt.date | None) -> tuple[str | None, dt.date | None]:
    """(cursor to continue from, date filter) and mark when a new pass begins."""
    if state.cursor and (since is None or since == state.since):
        return state.cursor, state.since
    state.pass_started_at = state.pass_started_at or timezone.now()
    return None, since or state.since


@dataclass
class _Harvest:
    """Fetches pages until the last one, the limit or an error (kept in ``result.error``)."""

    plan: Plan
    query: Query
    client: Client
    spool: _Spool
    result: SyncResult
    limit: int | None

    def room(self) -> int:
        return PAGE if self.limit is None else min(PAGE, self.limit - self.result.records)

    def run(self, progress: Callable[[str], None]) -> None:
        result = self.result
        while self.room() > 0:
            size = self.room()
            response = self.fetch(self.plan.call(self.query, result.cursor, size))
            if response is None:
                return
            try:
                page = self.plan.read(self.query, response.content, result.cursor, size)
            except ValueError as exc:
                result.error = f"GET {response.url}: {exc}"
                return
            result.pages += 1
            kept = self.spool.write(
                response.content, "search.json" if page.listing else self.plan.ext
            )
            count = len(page.follow) if page.listing else page.records
            progress(f"page {result.pages}: {count} records ({kept.name})")
            if not page.listing:
                result.files.append(kept)
                result.records += page.records
            elif not self.follow(page.follow):
                return  # stopped inside a listing: the next sync fetches it again
            result.cursor = page.cursor
            if page.cursor is None:
                result.finished = True
                return

    def follow(self, calls: tuple[Call, ...]) -> bool:
        """Fetch the single records a listing names; False when stopped before the end."""
        for call in calls:
            if self.room() <= 0:
                return False
            response = self.fetch(call)
            if response is None:
                return False
            self.result.files.append(self.spool.write(response.content, self.plan.ext))
            self.result.records += 1
        return True

    def fetch(self, call: Call) -> Response | None:
        try:
            return self.client.get(call.url, call.params, expect=call.expect, accept=call.accept)
        except FetchError as exc:
            self.result.error = str(exc)
            return None


def _save(state: SyncState, result: SyncResult) -> None:
    state.pages += result.pages
    state.records += result.records
    state.last_run_at = timezone.now()
    if result.finished:
        state.cursor = ""
        state.since = (state.pass_started_at or state.last_run_at).date()
        state.pass_started_at = None
    else:
        state.cursor = result.cursor or ""
        state.since = result.since
    state.save()
