"""The institution page in Chromium (issue 25): from a profile, a click on an
affiliation opens the institution's page, with its people and its works per
year. Reads only: nothing to clean up."""

from __future__ import annotations

import pytest

from bzpeer.catalog import places
from bzpeer.catalog.models import Institution
from bzpeer.claims.suppression import suppressed_ids

pytestmark = pytest.mark.browser


def test_an_affiliation_opens_its_institution_page(django_db_setup, browser, live_server):
    place = Institution.objects.get(ror="01an7q238")  # Berkeley: people, works, years
    # the first of its people, on the first page of them
    person = places.institution_people(place, suppressed_ids()).select_related("author")[0].author
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{live_server.url}/researchers/{person.slug}")
        page.get_by_role("heading", name="Affiliations").locator("..").get_by_role(
            "link", name=place.name
        ).click()
        page.wait_for_url(f"{live_server.url}/institutions/{place.pk}")
        assert page.locator("h1").inner_text().strip() == place.name
        people = page.locator("section.institution-people li a")
        assert people.count() > 1
        assert person.display_name in people.all_inner_texts()
        chart = page.locator("section.per-year svg.chart")
        assert chart.is_visible()
        assert chart.locator("rect").count() >= 1
        assert not problems, problems
    finally:
        context.close()
