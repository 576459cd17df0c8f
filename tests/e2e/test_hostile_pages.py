"""Every kind of page, on a 390 px phone, over the hostile corpus (issue 20).

No record may run a script or open a dialog, no link may carry a
``javascript:`` or ``data:`` URL, no page may be wider than the phone, every
stranger-provided string is isolated (``<bdi>`` or ``unicode-bidi: isolate``)
so an unclosed right-to-left override cannot turn the next name around, no
e-mail address from a record is shown, and nothing is loaded from another host.
"""

from __future__ import annotations

import pytest
from e2e_corpus import EMAIL, PAGES, WORKS

pytestmark = pytest.mark.browser

KEYS = [page.key for page in PAGES]


def _rendered(site, key):
    visit = site.visit(key)
    if visit.rendered:
        pytest.fail(f"the page did not render, nothing to check: {visit.rendered}")
    return visit


def _listed(problems: list[str], limit: int = 12) -> str:
    more = f"\n  … and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n  " + "\n  ".join(problems[:limit]) + more


def test_the_corpus_imports(hostile_corpus):
    """Each hostile file goes through its importer without an error: a record
    is stored or refused (quarantined), never the import's end."""
    assert not hostile_corpus.failures, _listed(hostile_corpus.failures)


@pytest.mark.parametrize("key", KEYS)
def test_page_renders(site, key):
    visit = site.visit(key)
    assert not visit.rendered, visit.rendered


@pytest.mark.parametrize("key", KEYS)
def test_no_dialog_opens(site, key):
    visit = _rendered(site, key)
    assert not visit.dialogs, f"{visit.url} opened dialogs: {visit.dialogs}"


@pytest.mark.parametrize("key", KEYS)
def test_no_record_runs_script(site, key):
    visit = _rendered(site, key)
    assert visit["pwned"] is None, f"{visit.url}: a record's script set window.__pwned"
    assert not visit["injected"], f"{visit.url}: record markup became elements:" + _listed(
        visit["injected"]
    )


@pytest.mark.parametrize("key", KEYS)
def test_no_javascript_or_data_links(site, key):
    visit = _rendered(site, key)
    assert not visit["badLinks"], f"{visit.url} links to code:" + _listed(visit["badLinks"])


@pytest.mark.parametrize("key", KEYS)
def test_fits_a_390px_phone(site, key):
    visit = _rendered(site, key)
    assert visit["scrollWidth"] <= 390, (
        f"{visit.url} is {visit['scrollWidth']}px wide on a 390px phone:" + _listed(visit["wide"])
    )


@pytest.mark.parametrize("key", KEYS)
def test_stranger_text_is_isolated(site, key):
    visit = _rendered(site, key)
    assert not visit["unisolated"], (
        f"{visit.url}: record text outside <bdi> or unicode-bidi: isolate "
        f"({len(visit['unisolated'])} of {visit['strangerTexts']}):" + _listed(visit["unisolated"])
    )


@pytest.mark.parametrize("key", KEYS)
def test_bidi_override_does_not_turn_the_next_name(site, key):
    visit = _rendered(site, key)
    assert not visit["reversed"], f"{visit.url}:" + _listed(visit["reversed"])


@pytest.mark.parametrize("key", KEYS)
def test_no_email_address_from_a_record(site, key):
    visit = _rendered(site, key)
    assert not visit["emailAt"], f"{visit.url} shows {EMAIL}:" + _listed(visit["emailAt"])


@pytest.mark.parametrize("key", KEYS)
def test_nothing_loads_from_another_host(site, key):
    visit = _rendered(site, key)
    foreign = site.foreign(visit.requests)
    assert not foreign, f"{visit.url} requested other hosts:" + _listed(foreign)


@pytest.mark.parametrize("key", list(WORKS))
def test_record_links_run_nothing(site, key):
    """Clicking a version's record link neither runs a script nor goes to a
    javascript: or data: URL."""
    visit = _rendered(site, key)
    assert not visit.clicks, f"{visit.url}:" + _listed(visit.clicks)
