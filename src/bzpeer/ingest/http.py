"""The project's one outbound HTTP module, on httpx; no other module imports httpx.

Every request names BZPEER in its User-Agent with a contact address from
``BZPEER_CONTACT_EMAIL``; the same address goes to Crossref and OpenAlex as
``mailto``, which puts the requests in their "polite pools".

Requests to one host are spaced by the host's documented rate limit:

- api.openalex.org: 10 requests/s (and 100,000 a day)
- export.arxiv.org: 1 request every 3 s (arXiv API terms of use)
- api.crossref.org: 10 requests/s in the polite pool (with ``mailto``)
- pub.orcid.org: 24 requests/s (public API)
- api.ror.org: 2,000 requests per 5 minutes
- api.semanticscholar.org: 1 request/s (without an API key)

429, 5xx and connection errors are retried with exponential backoff, waiting
as long as ``Retry-After`` asks; after the last attempt a :class:`FetchError`
names the status and the URL. A body that is HTML where JSON or XML was
expected (a proxy's error page served with status 200) is an error too.

API keys come from settings (read from the environment variables of the same
names): ``OPENALEX_API_KEY`` (``api_key`` parameter), ``S2_API_KEY``
(``x-api-key`` header) and ``CROSSREF_PLUS`` (``Crossref-Plus-API-Token``
header). They are never logged: URLs in messages
are redacted, and a filter removes key values from httpx's own log lines.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from django.conf import settings

log = logging.getLogger(__name__)

PRODUCT = "BZPEER/0.1"
ABOUT = "open research-discovery platform"
DEFAULT_INTERVAL = 1.0  # seconds between requests to a host without a documented limit
MIN_INTERVAL: dict[str, float] = {
    "api.openalex.org": 1 / 10,
    "export.arxiv.org": 3.0,
    "api.crossref.org": 1 / 10,
    "pub.orcid.org": 1 / 24,
    "api.ror.org": 300 / 2000,
    "api.semanticscholar.org": 1.0,
}
MAILTO_HOSTS = frozenset({"api.openalex.org", "api.crossref.org"})
ACCEPT = {"json": "application/json", "xml": "application/xml"}
REDACTED = "[redacted]"
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class FetchError(Exception):
    """A request that failed for good; the message names the status and the URL."""

    def __init__(self, message: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


@dataclass(frozen=True)
class Response:
    """A successful response: its (redacted) URL, status, raw body and content type."""

    url: str
    status: int
    content: bytes
    content_type: str

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return orjson.loads(self.content)


class _Redact(logging.Filter):
    """Replaces secret values in log records (attached to httpx's logger)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def apply(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.apply(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_REDACT = _Redact()
logging.getLogger("httpx").addFilter(_REDACT)


@dataclass(frozen=True)
class _Keys:
    openalex: str
    s2: str
    crossref_plus: str

    @classmethod
    def from_settings(cls) -> _Keys:
        return cls(
            openalex=settings.OPENALEX_API_KEY,
            s2=settings.S2_API_KEY,
            crossref_plus=settings.CROSSREF_PLUS,
        )

    def values(self) -> set[str]:
        """Each key as given and as it appears encoded in a URL."""
        keys = {k for k in (self.openalex, self.s2, self.crossref_plus) if k}
        return keys | {str(httpx.QueryParams({"k": k}))[2:] for k in keys}


def snippet(content: bytes, size: int = 160) -> str:
    """The start of a body as one line of text, tags removed."""
    text = _TAGS.sub(" ", content[:4096].decode("utf-8", "replace"))
    text = _SPACE.sub(" ", text).strip()
    return text[:size] + ("..." if len(text) > size else "")


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class Client:
    """GET with a polite User-Agent, per-host spacing, retries and body checks.

    ``transport`` replaces the network (tests pass ``httpx.MockTransport``);
    ``clock`` and ``sleep`` replace real time, so tests do not wait.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        attempts: int = 3,
        backoff: float = 1.0,
        max_wait: float = 300.0,
        timeout: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.email = settings.BZPEER_CONTACT_EMAIL
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self._keys = _Keys.from_settings()
        self._secrets = sorted(self._keys.values(), key=len, reverse=True)
        _REDACT.secrets |= set(self._secrets)
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": self.user_agent},
        )

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.email}" if self.email else ""
        return f"{PRODUCT} ({ABOUT}{contact})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        *,
        expect: str = "json",
        accept: str | None = None,
    ) -> Response:
        """The response to GET ``url``; :class:`FetchError` when it cannot be had."""
        host = httpx.URL(url).host
        request = self._http.build_request(
            "GET",
            url,
            params=self._params(host, params or {}),
            headers=self._headers(host, accept or ACCEPT[expect]),
        )
        shown = self.redact(str(request.url))
        problem, status = "no attempt made", None
        for attempt in range(1, self.attempts + 1):
            self._wait_turn(host)
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:  # connection refused, reset, timed out
                problem, status = f"{type(exc).__name__}: {self.redact(str(exc))}", None
                wait = self._backoff(attempt)
            except httpx.RequestError as exc:  # undecodable body, redirect loop: no retry
                message = f"GET {shown} failed: {type(exc).__name__}: {self.redact(str(exc))}"
                raise FetchError(message, shown) from None
            else:
                status = response.status_code
                if status < 400:
                    return self._checked(response, shown, expect)
                problem = f"HTTP {status}"
                if status != 429 and status < 500:
                    body = self.redact(snippet(response.content))
                    raise FetchError(f"HTTP {status} for GET {shown}: {body}", shown, status)
                wait = self._backoff(attempt, response.headers.get("Retry-After"))
                if wait > self.max_wait:
                    message = f"HTTP {status} for GET {shown}: retry after {wait:.0f}s is too long"
                    raise FetchError(message, shown, status)
            if attempt < self.attempts:
                log.warning("%s for GET %s; retry %d in %.1fs", problem, shown, attempt, wait)
                self._sleep(wait)
        message = f"GET {shown} failed after {self.attempts} attempt(s): {problem}"
        raise FetchError(message, shown, status)

    def _params(self, host: str, params: Mapping[str, str]) -> dict[str, str]:
        out = dict(params)
        if self.email and host in MAILTO_HOSTS:
            out.setdefault("mailto", self.email)
        if self._keys.openalex and host == "api.openalex.org":
            out.setdefault("api_key", self._keys.openalex)
        return out

    def _headers(self, host: str, accept: str) -> dict[str, str]:
        headers = {"Accept": accept}
        if self._keys.s2 and host == "api.semanticscholar.org":
            headers["x-api-key"] = self._keys.s2
        if self._keys.crossref_plus and host == "api.crossref.org":
            headers["Crossref-Plus-API-Token"] = f"Bearer {self._keys.crossref_plus}"
        return headers

    def _wait_turn(self, host: str) -> None:
        """Sleep until the host's minimum interval since the last request has passed."""
        last = self._last.get(host)
        if last is not None:
            wait = last + MIN_INTERVAL.get(host, DEFAULT_INTERVAL) - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last[host] = self._clock()

    def _backoff(self, attempt: int, header: str | None = None) -> float:
        asked = retry_after(header)
        if asked is not None:
            return asked
        return min(self.backoff * 2 ** (attempt - 1), self.max_wait)

    def _checked(self, response: httpx.Response, shown: str, expect: str) -> Response:
        content = response.content
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        head = content[:256].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
        found = ""
        if content_type in {"text/html", "application/xhtml+xml"} or head.startswith(
            (b"<!doctype html", b"<html")
        ):
            found = "HTML"
        elif expect == "json" and not head.startswith((b"{", b"[")):
            found = "a body that is not JSON"
        elif expect == "xml" and not head.startswith(b"<"):
            found = "a body that is not XML"
        if found:
            text = self.redact(snippet(content))
            message = (
                f"GET {shown} returned {found} where {expect.upper()} was expected "
                f"(HTTP {response.status_code}): {text!r}"
            )
            raise FetchError(message, shown, response.status_code)
        return Response(shown, response.status_code, content, content_type)
