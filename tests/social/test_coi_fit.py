"""The conflict-of-interest check and "who fits", by their documented rules
(docs/social.md), on the demo data (issue 24)."""

from __future__ import annotations

import pytest

from bzpeer.catalog.collaboration import CLOSE_MIN_SHARED
from bzpeer.catalog.models import Affiliation, Author, Institution
from bzpeer.graph.reads import coauthor_counts
from bzpeer.social import coi, fit

pytestmark = pytest.mark.django_db


@pytest.fixture
def chen() -> Author:
    return Author.objects.get(slug="tianlong-chen")


@pytest.fixture
def wang() -> Author:
    """His advisor: last author of many of his first-author papers."""
    return Author.objects.get(slug="zhangyang-wang")


def test_advisor_pattern_with_its_evidence(chen, wang):
    report = coi.conflicts(chen, wang)
    advisor = next(c for c in report.conflicts if c.kind == "advisor")
    assert len(advisor.evidence) >= coi.ADVISOR_MIN_WORKS
    assert all(e["roles"] in ("a first, b last", "b first, a last") for e in advisor.evidence)
    assert "shared works with one first author and the other last" in advisor.summary


def test_coauthorship_counts_only_inside_the_window(chen, wang):
    newest = max(
        w.year or 0 for w, *_ in coi._shared(chen, wang)
    )  # the demo's shared works end here
    from django.utils import timezone

    inside = timezone.now().year - newest + 1
    kinds = {c.kind for c in coi.conflicts(chen, wang, years=inside).conflicts}
    assert "coauthorship" in kinds
    outside = {c.kind for c in coi.conflicts(chen, wang, years=inside - 2).conflicts}
    assert "coauthorship" not in outside


def test_a_shared_current_institution(chen):
    stranger = Author.objects.filter(merged_into=None).exclude(pk=chen.pk).order_by("id").first()
    place = Institution.objects.create(name="Test Institute of Sparsity")
    Affiliation.objects.create(author=chen, institution=place, start_year=2020)
    Affiliation.objects.create(author=stranger, institution=place, start_year=2024)
    report = coi.conflicts(chen, stranger)
    found = next(c for c in report.conflicts if c.kind == "institution")
    assert "Test Institute of Sparsity" in found.summary
    # a past affiliation is not a current one
    Affiliation.objects.filter(author=stranger, institution=place).update(end_year=2021)
    Affiliation.objects.create(
        author=stranger, institution=Institution.objects.create(name="Elsewhere"), start_year=2022
    )
    assert "institution" not in {c.kind for c in coi.conflicts(chen, stranger).conflicts}


def test_the_api_answers_for_any_pair(client, chen, wang):
    answer = client.get(f"/api/v1/coi?a={chen.slug}&b=A{wang.pk}")
    body = answer.json()
    assert answer.status_code == 200 and body["conflict"] is True
    assert body["a"] == f"A{chen.pk}" and "advisor" in {c["kind"] for c in body["conflicts"]}
    candidates = Author.objects.filter(merged_into=None, works_count__gte=1).order_by("-id")[:50]
    none = next(a for a in candidates if not coi.conflicts(chen, a).any)
    quiet = client.get(f"/api/v1/coi?a={chen.slug}&b=A{none.pk}").json()
    assert quiet["conflict"] is False and quiet["conflicts"] == []
    assert client.get(f"/api/v1/coi?a={chen.slug}&b={chen.slug}").status_code == 400
    missing = client.get(f"/api/v1/coi?a={chen.slug}&b=nobody-at-all")
    assert missing.status_code == 404 and "error" in missing.json()


def test_suggestions_follow_the_rule_and_say_why(chen):
    found = fit.suggestions(chen, limit=20)
    assert found
    close = {o for _, o, n in coauthor_counts([chen.pk]) if n >= CLOSE_MIN_SHARED}
    assert not close & {s.author.pk for s in found}  # they already work together
    assert chen.pk not in {s.author.pk for s in found}
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)
    for s in found:
        assert s.shared_topics and s.reason.startswith(f"{len(s.shared_topics)} shared topic")
        if s.steps == 2:
            assert "2 steps apart via " in s.reason and s.via
    # open to collaborate lifts a candidate: the same one scores 2.5x
    last = next(s for s in reversed(found) if not s.author.open_to_collaborate)
    assert "open to collaborate" not in last.reason
    Author.objects.filter(pk=last.author.pk).update(open_to_collaborate=True)
    again = {s.author.pk: s for s in fit.suggestions(chen, limit=20)}
    assert again[last.author.pk].score == pytest.approx(last.score / fit.CLOSED, rel=1e-3)
    assert "open to collaborate" in again[last.author.pk].reason


def test_the_profile_loads_suggestions_for_signed_in_visitors(people, client_for, chen):
    anonymous = client_for(None).get(f"/researchers/{chen.slug}").content.decode()
    assert "Sign in</a> to see researchers who might work with" in anonymous
    page = client_for(people.user).get(f"/researchers/{chen.slug}").content.decode()
    assert f'hx-get="/researchers/{chen.slug}/fits"' in page
    listed = client_for(people.user).get(f"/researchers/{chen.slug}/fits").content.decode()
    assert 'class="muted small fit-reason"' in listed and "shared topic" in listed
