"""A visitor opens a work, clicks "Cite" and reads the reference and its
BibTeX; the page's JSON-LD is there and breaks no Content-Security-Policy."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def test_cite_shows_the_reference_and_bibtex(site, live_server):
    tab = site.context.new_page()
    violations: list[str] = []
    tab.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        tab.goto(f"{live_server.url}/researchers/tianlong-chen", wait_until="load")
        tab.locator("article.work h3 a").first.click()
        tab.wait_for_url("**/works/*")
        title = tab.locator("h1").inner_text().strip()
        box = tab.locator("details.cite")
        assert not box.locator(".reference").is_visible()  # closed until asked
        box.locator("summary").click()
        reference = box.locator(".reference")
        reference.wait_for(state="visible")
        assert title[:60] in reference.inner_text()
        bibtex = box.locator("textarea.bibtex")
        assert bibtex.is_visible()
        text = bibtex.input_value()
        assert text.startswith("@") and "author = {" in text and "title = {" in text
        links = box.locator(".downloads a").all_inner_texts()
        assert links == ["BibTeX", "RIS", "CSL-JSON"]
        data = json.loads(
            tab.locator('script[type="application/ld+json"]').first.text_content() or ""
        )
        assert data["@type"] == "ScholarlyArticle" and data["name"].startswith(title[:60])
        assert not violations, violations
    finally:
        tab.close()
