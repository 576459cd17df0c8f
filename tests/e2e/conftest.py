"""The browser suite: Playwright driving Debian's Chromium against
pytest-django's ``live_server``, over the demo data (loaded by tests/conftest.py)
and the hostile corpus (tests/fixtures/hostile), imported once a session.

One browser a session; each page is visited once, measured in the page
(``checks.js``), and the tests read what was measured.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from e2e_corpus import (
    EMAIL,
    MARKER,
    PAGES,
    PWN,
    TRENT,
    WORKS,
    ImportReport,
    Page,
    import_corpus,
    locate,
    stranger_strings,
)
from journey import closing_connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHECKS = (Path(__file__).parent / "checks.js").read_text(encoding="utf-8")
# [index, href, whether to click it] for each link of a work's versions table.
VERSION_LINKS = """(links, every) => links.map((a, i) => [i, a.getAttribute("href") || "",
    every || !["http:", "https:"].includes(new URL(a.href, document.baseURI).protocol)])"""
# Links stored before links were checked at import (see ``hostile_corpus``).
LEGACY_LINKS = {
    "openalex": f"javascript:{PWN}",
    "crossref": f"data:text/html,<script>{PWN}</script>",
    "bibtex": f" JavaScript:{PWN}",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run after the others: the corpus they import stays in the
    session's database, where the other tests do not expect it."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    if browser:
        items[:] = [item for item in items if not item.get_closest_marker("browser")] + browser


@pytest.fixture
def transactional_db(django_db_blocker) -> Iterator[None]:
    """Database access for the browser tests, in place of pytest-django's
    (``live_server`` asks for it): these tests only read, and the flush that
    ends a transactional test would empty the session's database, the demo
    data every test relies on included."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def hostile_corpus(django_db_setup, django_db_blocker, tmp_path_factory) -> ImportReport:
    """The hostile corpus imported through the real importers, once."""
    from bzpeer.catalog.models import SourceRecord, WorkVersion

    with django_db_blocker.unblock(), closing_connections():
        report = import_corpus(tmp_path_factory.mktemp("hostile-long"))
        # Rows stored before any import-time check: the pages must check again.
        main = SourceRecord.objects.filter(source="openalex", external_id="W990000001").first()
        if main is not None:
            for source, url in LEGACY_LINKS.items():
                WorkVersion.objects.filter(work_id=main.version.work_id, source=source).update(
                    url=url
                )
    return report


@pytest.fixture
def tab(browser, live_server) -> Iterator[tuple[object, list[str]]]:
    """A desktop-sized page of its own, and the console errors it logs."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page, problems
    context.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: run `bash scripts/ensure-chromium.sh` (make test does)"
        )
    # Playwright's sync API runs an event loop in this thread; Django refuses
    # database work beside one (live_server's teardown included) unless told it may.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Targets:
    """Each page's path (or why it has none) and the record text of the demo pages."""

    paths: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    strangers: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Visit:
    page: Page
    url: str
    status: int | None = None
    error: str = ""
    dialogs: list[str] = field(default_factory=list)  # opened while loading
    requests: list[str] = field(default_factory=list)
    measured: dict[str, object] = field(default_factory=dict)
    clicks: list[str] = field(default_factory=list)  # what clicking a record link did

    @property
    def rendered(self) -> str:
        """'' when the page answered as expected and shows what it is about."""
        if self.error:
            return f"{self.url}: {self.error}"
        if self.status != self.page.status:
            return f"{self.url} answered {self.status}, not {self.page.status}"
        if self.page.shows and self.page.shows not in str(self.measured.get("text", "")):
            return f"{self.url} does not show {self.page.shows!r}"
        return ""

    def __getitem__(self, name: str) -> object:
        return self.measured[name]


class Site:
    """The live server as a phone-sized Chromium sees it; each page visited once."""

    def __init__(self, browser, base: str, targets: Targets):
        self.base = base.rstrip("/")
        self.host = urlsplit(base).netloc
        self.targets = targets
        self.visits: dict[str, Visit] = {}
        self.context = browser.new_context(viewport=PHONE)
        self.context.set_default_timeout(20_000)
        # Nothing leaves the machine: other hosts are refused (and recorded).
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != self.host:
            route.abort()
        else:
            route.continue_()

    def foreign(self, urls: list[str]) -> list[str]:
        return [
            u
            for u in urls
            if urlsplit(u).scheme not in ("data", "blob", "about")
            and urlsplit(u).netloc != self.host
        ]

    def visit(self, key: str) -> Visit:
        if key not in self.visits:
            self.visits[key] = self._visit(next(p for p in PAGES if p.key == key))
        return self.visits[key]

    def _visit(self, page: Page) -> Visit:
        if page.key in self.targets.errors:
            return Visit(page, page.target, error=self.targets.errors[page.key])
        visit = Visit(page, self.base + self.targets.paths[page.key])
        dialogs = [visit.dialogs]  # the last list takes the next dialog
        tab = self.context.new_page()
        tab.on("dialog", lambda dialog: (dialogs[-1].append(dialog.message), dialog.dismiss()))
        tab.on("request", lambda request: visit.requests.append(request.url))
        try:
            response = tab.goto(visit.url, wait_until="load")
            visit.status = response.status if response else None
            tab.wait_for_timeout(100)  # handlers that fire after load (focus, toggle)
            visit.measured = tab.evaluate(
                CHECKS,
                {
                    "marker": MARKER,
                    "strangers": self.targets.strangers[page.key],
                    "email": EMAIL,
                    "rtlNext": TRENT,
                },
            )
            if page.key in WORKS:
                dialogs.append([])  # the clicks' own
                self._click_record_links(tab, visit, dialogs[-1])
        except Exception as exc:  # a page that does not load is this page's failure
            visit.error = f"{type(exc).__name__}: {str(exc)[:500]}"
        finally:
            tab.close()
        return visit

    def _click_record_links(self, tab, visit: Visit, dialogs: list[str]) -> None:
        """Click each link of the versions table whose target is not an
        http(s) URL (every one on the main hostile work): nothing may run,
        and the tab may not go to a javascript: or data: URL."""
        every = visit.page.key == "work-main"
        links = tab.eval_on_selector_all("table.versions a", VERSION_LINKS, every)
        navigations: list[str] = []
        tab.on("framenavigated", lambda frame: navigations.append(frame.url))
        for index, href, click in links:
            if not click:
                continue
            if tab.url != visit.url:
                tab.goto(visit.url, wait_until="load")
            before = len(dialogs)
            navigations.clear()
            tab.locator("table.versions a").nth(index).click(
                force=True, no_wait_after=True, timeout=5_000
            )
            tab.wait_for_timeout(200)
            pwned = tab.evaluate("typeof window.__pwned === 'undefined' ? null : window.__pwned")
            went = [
                u
                for u in [*navigations, tab.url]
                if u.split(":", 1)[0].strip().lower() in ("javascript", "data", "vbscript")
            ]
            if len(dialogs) > before or pwned is not None or went:
                visit.clicks.append(
                    f"link {href[:80]!r}: dialogs {dialogs[before:]}, "
                    f"window.__pwned={pwned!r}, went to {went}"
                )


@pytest.fixture(scope="session")
def targets(hostile_corpus, django_db_blocker) -> Targets:
    """Read from the database before the pages are visited (and close the
    connections it opened: see ``closing_connections``)."""
    found = Targets()
    with django_db_blocker.unblock(), closing_connections():
        for page in PAGES:
            try:
                found.paths[page.key] = locate(page.target)
                found.strangers[page.key] = stranger_strings(page.target)
            except Exception as exc:
                found.errors[page.key] = f"{type(exc).__name__}: {exc}"
    return found


@pytest.fixture(scope="session")
def site(targets, live_server, browser) -> Iterator[Site]:
    site = Site(browser, live_server.url, targets)
    yield site
    site.context.close()
