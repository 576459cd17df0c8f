"""Search in Chromium (issue 25): suggestions appear under the box as one
types and a click lands on the record; a typo'd query says what it searched
for and a facet narrows the list; an identifier opens its record."""

from __future__ import annotations

import pytest

from bzpeer.catalog.models import WorkIdentifier

pytestmark = pytest.mark.browser


def test_suggestions_as_one_types_lead_to_the_record(tab, live_server):
    page, problems = tab
    page.goto(f"{live_server.url}/")
    box = page.locator("header form.search input[name=q]")
    box.click()
    box.press_sequentially("tianl", delay=40)
    option = page.locator("#suggest .suggest-box a", has_text="Tianlong Chen")
    option.wait_for()
    assert "works" in page.locator("#suggest").inner_text()
    option.click()
    page.wait_for_url(f"{live_server.url}/researchers/tianlong-chen")
    assert page.locator("h1").inner_text().strip() == "Tianlong Chen"
    assert not problems, problems


def test_a_typo_is_mended_a_facet_narrows_and_an_identifier_opens(tab, live_server):
    page, problems = tab
    page.goto(f"{live_server.url}/")
    box = page.locator("header form.search input[name=q]")
    box.fill("Sparse Trainig")
    box.press("Enter")
    page.wait_for_url("**/search?q=Sparse+Trainig")
    assert "Showing results for sparse training" in page.locator(".did-you-mean").inner_text()
    listed = page.locator("ol.works > li").count()
    assert listed > 1
    facet = page.locator(".facets ul.facet").first.locator("li").first
    wanted = int(facet.locator(".muted").inner_text().replace(",", ""))
    facet.locator("a").click()
    page.wait_for_selector(".facets a.chosen")
    assert page.locator("ol.works > li").count() == min(wanted, 20)
    doi = WorkIdentifier.objects.filter(scheme="doi").first()
    assert doi is not None
    box = page.locator("header form.search input[name=q]")
    box.fill(f"https://doi.org/{doi.value}")
    box.press("Enter")
    page.wait_for_url(f"{live_server.url}/works/{doi.work_id}")
    assert not problems, problems
