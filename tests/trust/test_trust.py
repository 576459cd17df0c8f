"""Verification levels, the trust score's components and tiers, its snapshot on
the profile and in the API, and that fake followers cannot inflate it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from bzpeer.catalog import revision
from bzpeer.catalog.collaboration import Edge, edges, work_weight
from bzpeer.catalog.models import Author, AuthorshipMention
from bzpeer.claims.models import Claim
from bzpeer.social.models import Follow
from bzpeer.social.services import follow, unfollow
from bzpeer.trust.facts import current, gather
from bzpeer.trust.models import TrustSnapshot
from bzpeer.trust.score import (
    FOLLOWER_CAP,
    UNCLAIMED_CEILING,
    ClaimFacts,
    TrustFacts,
    score,
    tier,
    verification_level,
)

# A consistent public record, unclaimed, no followers.
PUBLIC = TrustFacts(
    sources=("arxiv", "bibtex", "listing"),
    authorships=120,
    mean_confidence=0.9,
    works=60,
    published_works=30,
    first_year=2018,
    last_year=2025,
    coauthors=80,
    close_collaborators=4,
)
VERIFIED = ClaimFacts(status="verified", email_verified=True)


def points(facts: TrustFacts, key: str) -> float:
    return next(c.points for c in score(facts).components if c.key == key)


# -- levels -----------------------------------------------------------------------------


def test_level_0_is_a_bare_mention():
    assert verification_level(TrustFacts(sources=("arxiv",), mean_confidence=0.5))[0] == 0


def test_level_1_needs_an_authoritative_id_or_agreeing_sources():
    assert verification_level(TrustFacts(orcid="0000-0002-1825-0097"))[0] == 1
    assert verification_level(TrustFacts(openalex_id="A5023888391"))[0] == 1
    assert verification_level(TrustFacts(dblp_ids=1))[0] == 1
    assert verification_level(PUBLIC)[0] == 1
    # Two ORCID iDs on one record: the evidence conflicts, no level 1.
    assert verification_level(replace(PUBLIC, orcids_seen=2))[0] == 0


def test_level_2_to_4_follow_what_the_claim_proved():
    assert verification_level(replace(PUBLIC, claim=VERIFIED))[0] == 2
    pending = ClaimFacts(status="pending", email_verified=True)
    assert verification_level(replace(PUBLIC, claim=pending))[0] == 1
    orcid = replace(VERIFIED, orcid_works_matched=12)
    assert verification_level(replace(PUBLIC, claim=orcid))[0] == 3
    institution = replace(VERIFIED, institution_email=True)
    assert verification_level(replace(PUBLIC, claim=institution))[0] == 3
    reviewed = replace(VERIFIED, reviewed=True)
    level, why = verification_level(replace(PUBLIC, claim=reviewed))
    assert level == 4 and "moderator" in why[0]


# -- components and tiers ---------------------------------------------------------------


def test_an_unclaimed_consistent_record_without_followers_is_emerging():
    result = score(PUBLIC)
    assert result.tier == "Emerging" and 20 <= result.score < 50
    assert (result.level, result.claim_state) == (1, "unclaimed")
    perfect = replace(PUBLIC, mean_confidence=1.0, works=500, coauthors=500, close_collaborators=9)
    assert score(perfect).score <= UNCLAIMED_CEILING < 50, "unclaimed stays below Established"


def test_each_component_moves_with_its_own_evidence():
    assert points(replace(PUBLIC, claim=VERIFIED), "identity") > points(PUBLIC, "identity")
    assert points(replace(PUBLIC, mean_confidence=0.5), "consistency") < points(
        PUBLIC, "consistency"
    )
    assert points(replace(PUBLIC, works=5, published_works=1), "publications") < points(
        PUBLIC, "publications"
    )
    assert points(replace(PUBLIC, coauthors=3, close_collaborators=0), "collaboration") < points(
        PUBLIC, "collaboration"
    )
    assert points(replace(PUBLIC, followers_verified=3), "community") > 0
    assert sum(c.max_points for c in score(PUBLIC).components) == 100


def test_conflicting_evidence_scores_lower():
    conflicted = replace(PUBLIC, orcids_seen=2, openalex_seen=2, removed_authorships=3)
    assert score(conflicted).score < score(PUBLIC).score
    evidence = " ".join(e for c in score(conflicted).components for e in c.evidence)
    assert "2 different ORCID iDs" in evidence and "removed by correction" in evidence


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (0, "New"),
        (19, "New"),
        (20, "Emerging"),
        (49, "Emerging"),
        (50, "Established"),
        (69, "Established"),
        (70, "Trusted"),
        (84, "Trusted"),
        (85, "Highly trusted"),
        (100, "Highly trusted"),
    ],
)
def test_tier_boundaries(value, name):
    assert tier(value) == name


def test_follower_points_are_capped_and_unverified_ones_do_not_count():
    assert points(replace(PUBLIC, followers_other=1000), "community") == 0
    assert points(replace(PUBLIC, followers_verified=10_000), "community") == FOLLOWER_CAP


# -- close collaborators ----------------------------------------------------------------


def test_close_collaborators_need_shared_recent_and_exclusive_work():
    # Me (1) with 2 on three recent four-author papers: close.
    papers = [(2024, {1, 2, 3, 4}), (2023, {1, 2, 5, 6}), (2025, {1, 2, 7, 8})]
    by_other = {e.other: e for e in edges(1, papers)}
    assert by_other[2].shared_works == 3 and by_other[2].close
    assert not by_other[3].close  # one paper
    # Three papers of 60 authors: not close; of 300 (a consortium): no edge at all.
    large = [(y, {1, 2, *range(10, 68)}) for y in (2023, 2024, 2025)]
    assert not {e.other: e for e in edges(1, large)}[2].close
    consortium = [(y, {1, 2, *range(10, 310)}) for y in (2023, 2024, 2025)]
    assert edges(1, consortium) == []
    # Three two-author papers from twenty years ago: faded.
    old = [(2000, {1, 2}), (2001, {1, 2}), (2002, {1, 2}), (2025, {1, 9})]
    assert not {e.other: e for e in edges(1, old)}[2].close
    assert work_weight(2, 2025, 2025) == 1.0 and work_weight(5, 2020, 2025) == 0.125
    assert Edge(2, 3, 0.7, 2025).close


# -- on real records --------------------------------------------------------------------


@pytest.mark.django_db
def test_reference_researcher_trust_snapshot_on_the_profile_and_api(client):
    author = Author.objects.get(display_name="Tianlong Chen")
    page = client.get(f"/researchers/{author.slug}").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    snapshot = TrustSnapshot.objects.filter(author=author).latest("computed_at")
    assert snapshot.tier == "Emerging" and snapshot.level == "L1"
    assert f"{snapshot.score} /100 {snapshot.tier}" in text
    assert "Verification L1" in text and "Unclaimed author" in text
    assert "Why this score" in text and "Collaboration network" in text
    assert "Emerging 20–49" in text and "at most 49" in text  # from TIERS, not typed in
    assert "share at least 3 works with a collaboration strength of 0.7" in text
    facts = gather(author)
    assert facts.works == author.works_count and facts.close_collaborators >= 3
    data = client.get(f"/api/v1/authors/A{author.pk}").json()["trust"]
    assert (data["score"], data["tier"], data["verification_level"], data["claim_state"]) == (
        snapshot.score,
        "Emerging",
        "L1",
        "unclaimed",
    )
    assert [c["key"] for c in data["components"]] == [
        "identity",
        "consistency",
        "publications",
        "collaboration",
        "community",
    ]
    # Viewing again changes nothing: the snapshot is reused while its inputs hold.
    client.get(f"/researchers/{author.slug}")
    assert TrustSnapshot.objects.filter(author=author).count() == 1


@pytest.mark.django_db
def test_a_thousand_unverified_follows_do_not_move_the_score():
    author = Author.objects.get(display_name="Tianlong Chen")
    before = current(author).score
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bot{i}", email=f"bot{i}@example.org") for i in range(1000)
    )
    Follow.objects.bulk_create(Follow(user=u, author=author) for u in users)
    after = current(author)
    assert after.score == before
    community = next(c for c in after.components if c["key"] == "community")
    assert "1000 followers without a verified email: not counted" in community["evidence"]
    # Verified followers count, up to the cap.
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    capped = current(author)
    assert next(c for c in capped.components if c["key"] == "community")["points"] == FOLLOWER_CAP
    assert capped.score == before + FOLLOWER_CAP


@pytest.mark.django_db
def test_claims_in_each_state_set_the_level():
    author = Author.objects.get(display_name="Tianlong Chen")
    before = TrustSnapshot.objects.filter(author=author).count()
    user = get_user_model().objects.create(username="tianlong", email="t@unc.edu")
    claim = Claim.objects.create(author=author, user=user, status="pending", email="t@unc.edu")
    assert current(author).claim_state == "claim pending"
    claim.status, claim.email_verified = "verified", True
    claim.save()
    snapshot = current(author)
    assert (snapshot.level, snapshot.claim_state) == ("L2", "claimed")
    claim.institution_email = True
    claim.save()
    assert current(author).level == "L3"
    claim.reviewed_by, claim.reviewed_at = user, timezone.now()
    claim.save()
    top = current(author)
    assert top.level == "L4" and top.score > snapshot.score
    assert TrustSnapshot.objects.filter(author=author).count() == before + 4  # history kept


@pytest.mark.django_db
def test_a_record_with_conflicting_orcids_scores_lower_than_a_clean_one():
    author = Author.objects.get(display_name="Tianlong Chen")
    clean = current(author).score
    mentions = list(AuthorshipMention.objects.filter(author=author)[:2])
    for mention, orcid in zip(
        mentions, ["0000-0002-1825-0097", "0000-0001-5109-3700"], strict=True
    ):
        mention.orcid = orcid
        mention.save()
    revision.bump()  # as the import that writes mentions does
    assert current(author).score < clean


@pytest.mark.django_db
def test_bulk_enrichment_computes_the_same_facts_as_a_single_record():
    """The demo load ran ``bzpeer enrich`` (bulk); a page computing one record's
    facts finds the same digest, so it reuses the snapshot."""
    sample = Author.objects.filter(works_count__gte=2).order_by("-works_count")[:25]
    for author in sample:
        stored = TrustSnapshot.objects.filter(author=author).latest("id")
        assert gather(author).digest() == stored.inputs, author.display_name


@pytest.mark.django_db(transaction=False)
def test_a_follow_queues_the_records_trust_refresh(django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    author = Author.objects.get(display_name="Tianlong Chen")
    user = get_user_model().objects.create(username="reader", email="r@example.org")
    before = set(DBTaskResult.objects.values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        follow(user, author)
        follow(user, author)  # once is enough: nothing changed
    [queued] = DBTaskResult.objects.exclude(id__in=before)
    assert queued.task_path.endswith("refresh_trust")
    assert queued.args_kwargs["args"] == [[author.pk]]
    with django_capture_on_commit_callbacks(execute=True):
        assert unfollow(user, author)
    assert DBTaskResult.objects.exclude(id__in=before).count() == 2


@pytest.mark.django_db
def test_resolution_queues_a_trust_refresh_for_the_records_it_touched(write):
    import json

    from django_tasks_db.models import DBTaskResult

    from bzpeer.ingest.pipeline import run_import

    before = set(DBTaskResult.objects.values_list("id", flat=True))
    line = {
        "id": "2303.00077",
        "title": "A new record for a new person",
        "authors": "Oriel Vantongeren",
        "abstract": "Text.",
        "categories": "astro-ph.GA",
        "versions": [{"created": "Thu, 2 Mar 2023 10:00:00 GMT"}],
    }
    run_import("arxiv", [write("one.jsonl", json.dumps(line) + "\n")], show_progress=False)
    author = AuthorshipMention.objects.get(raw_name="Oriel Vantongeren").author
    assert author is not None
    queued = DBTaskResult.objects.exclude(id__in=before)
    refreshed = {
        pk
        for task in queued
        if task.task_path.endswith("refresh_trust")
        for pk in task.args_kwargs["args"][0]
    }
    assert author.pk in refreshed
