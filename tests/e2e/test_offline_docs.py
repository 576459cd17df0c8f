"""The API docs work with no internet and under the site's CSP (issue 20,
finding 8): Swagger UI comes from this site and draws every operation."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _tab_noting_csp_violations(site) -> tuple[object, list[str]]:
    """A new tab, and the list its console's CSP violation reports go to."""
    tab = site.context.new_page()
    violations: list[str] = []
    tab.on(
        "console",
        lambda message: (
            violations.append(f"{tab.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return tab, violations


def test_api_docs_draw_every_operation_offline(site, live_server):
    tab, violations = _tab_noting_csp_violations(site)
    try:
        tab.goto(f"{live_server.url}/api/v1/docs", wait_until="load")
        tab.wait_for_selector(".opblock", timeout=15_000)
        paths = tab.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/v1/works" in p for p in paths), paths
        assert any("/api/v1/authors" in p for p in paths), paths
        assert not violations, violations
    finally:
        tab.close()


def test_no_page_breaks_the_content_security_policy(site, live_server):
    tab, violations = _tab_noting_csp_violations(site)
    try:
        for path in [
            "/",
            "/?q=chen",
            "/researchers/tianlong-chen",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
        ]:
            tab.goto(f"{live_server.url}{path}", wait_until="load")
        assert not violations, violations
    finally:
        tab.close()
