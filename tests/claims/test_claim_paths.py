"""Each claim path and the level it gives; the moderator queue; disputes,
withdrawal, revocation and the daily limit (docs/trust.md, "Claiming a record")."""

from __future__ import annotations

import pytest
from claim_pages import snapshot_on_page
from django.test import override_settings

from bzpeer.catalog.models import SourceRecord
from bzpeer.claims import services
from bzpeer.claims.domains import is_free_mail, matching_host
from bzpeer.claims.models import Claim, ClaimEvent
from bzpeer.claims.services import ClaimRefused
from bzpeer.trust.facts import current

pytestmark = pytest.mark.django_db


def test_free_mail_never_counts_and_subdomains_do():
    links = ["https://www.unc.edu", "http://gmail.com/", "https://yahoo.co.uk"]
    assert matching_host("tc@unc.edu", links) == "unc.edu"
    assert matching_host("tc@cs.unc.edu", links) == "unc.edu"
    assert matching_host("tc@notunc.edu", links) == ""
    assert matching_host("tc@gmail.com", links) == ""  # even when listed as a link
    assert matching_host("tc@yahoo.co.uk", links) == ""
    for domain in (
        "gmail.com",
        "yahoo.fr",
        "gmx.de",
        "yandex.ru",
        "mail.ru",
        "proton.me",
        "163.com",
    ):
        assert is_free_mail(domain), domain
    assert not is_free_mail("unc.edu")


def test_institutional_email_is_verified_at_once_at_l3_and_the_profile_shows_it(
    author, unc_link, make_user, client_for
):
    user = make_user("tc", "tianlong@cs.unc.edu")
    client = client_for(user)
    assert snapshot_on_page(client, author) == ("L1", "Unclaimed author")
    page = client.get(f"/researchers/{author.slug}").content.decode()
    assert "Claim this record" in page
    response = client.post(f"/researchers/{author.slug}/claim", {"email": "tianlong@cs.unc.edu"})
    assert response.status_code == 200
    assert "Verified at once" in response.content.decode() and "L3" in response.content.decode()
    claim = Claim.objects.get(user=user)
    assert (claim.status, claim.level, claim.institution_email) == ("verified", "L3", True)
    assert snapshot_on_page(client, author) == ("L3", "Claimed")
    assert "Claimed by you" in client.get(f"/researchers/{author.slug}").content.decode()
    assert current(author).level == "L3"
    assert [e.action for e in ClaimEvent.objects.filter(claim=claim)] == ["claim"]


def test_a_free_mail_address_at_an_institution_link_never_counts(author, make_user):
    from bzpeer.catalog.models import Affiliation

    institution = Affiliation.objects.get(author=author, institution__ror="0130frc33").institution
    institution.links = ["https://gmail.com"]
    institution.save(update_fields=["links"])
    user = make_user("tc", "tianlong@gmail.com")
    claim = services.claim_author(user, author, email="tianlong@gmail.com")
    assert (claim.status, claim.level, claim.institution_email) == ("pending", "", False)


def test_an_address_in_the_records_own_sources_is_verified_at_once_at_l2(
    author, make_user, client_for
):
    record = SourceRecord.objects.filter(version__mentions__author=author).first()
    record.payload += ' {"corresponding": "T.Chen@example-lab.org"}'
    record.save(update_fields=["payload"])
    user = make_user("tc", "t.chen@example-lab.org")
    claim = services.claim_author(user, author, email="t.chen@example-lab.org")
    assert (claim.status, claim.level) == ("verified", "L2")
    assert snapshot_on_page(client_for(user), author) == ("L2", "Claimed")
    # a longer address that merely contains it does not count
    other = make_user("x", "chen@example-lab.org")
    services.withdraw_claim(user, claim)
    assert services.claim_author(other, author, email="chen@example-lab.org").status == "pending"


def test_otherwise_pending_then_a_moderator_approves_at_l4(
    author, make_user, moderator, client_for
):
    user = make_user("tc", "tianlong@example.com")
    client = client_for(user)
    response = client.post(
        f"/researchers/{author.slug}/claim",
        {"email": "tianlong@example.com", "evidence_url": "https://example.com/people/tc",
         "note": "My lab page lists this address."},
    )  # fmt: skip
    assert "pending" in response.content.decode()
    claim = Claim.objects.get(user=user)
    assert (claim.status, claim.evidence_url) == ("pending", "https://example.com/people/tc")
    assert snapshot_on_page(client, author) == ("L1", "Claim pending")
    queue = client_for(moderator).get("/moderation/claims").content.decode()
    assert "https://example.com/people/tc" in queue and "My lab page lists" in queue
    response = client_for(moderator).post(f"/moderation/claims/{claim.pk}", {"decision": "approve"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.level, claim.reviewed_by) == ("verified", "L4", moderator)
    assert snapshot_on_page(client, author) == ("L4", "Claimed")


@pytest.mark.parametrize(
    ("decision", "status"), [("needs_evidence", "needs evidence"), ("reject", "rejected")]
)
def test_needs_evidence_and_reject_show_the_reason_to_the_claimant(
    author, make_user, moderator, client_for, decision, status
):
    user = make_user("tc", "tianlong@example.com")
    claim = services.claim_author(user, author, email="tianlong@example.com")
    refused = client_for(moderator).post(f"/moderation/claims/{claim.pk}", {"decision": decision})
    assert refused.status_code == 400 and "reason" in refused.content.decode()
    reason = "The page <b>does not</b> show your address."
    client_for(moderator).post(
        f"/moderation/claims/{claim.pk}", {"decision": decision, "reason": reason}
    )
    page = client_for(user).get("/claims/mine").content.decode()
    assert status in page
    assert "The page &lt;b&gt;does not&lt;/b&gt; show your address." in page
    event = ClaimEvent.objects.filter(claim=claim).last()
    assert (event.action, event.actor, event.reason) == (decision, moderator, reason)


def test_the_claimant_answers_needs_evidence_and_the_claim_returns_to_the_queue(
    author, make_user, moderator, client_for
):
    user = make_user("tc", "tianlong@example.com")
    claim = services.claim_author(user, author, email="tianlong@example.com")
    services.review_claim(moderator, claim, "needs_evidence", "Link a page with your address.")
    client = client_for(user)
    assert "Send evidence" in client.get("/claims/mine").content.decode()
    bad = client.post(f"/claims/{claim.pk}/evidence", {"evidence_url": "javascript:alert(1)"})
    assert bad.status_code == 400
    client.post(f"/claims/{claim.pk}/evidence", {"evidence_url": "https://example.edu/~tc"})
    claim.refresh_from_db()
    assert (claim.status, claim.evidence_url) == ("pending", "https://example.edu/~tc")
    assert (
        "https://example.edu/~tc"
        in client_for(moderator).get("/moderation/claims").content.decode()
    )
    with pytest.raises(ClaimRefused, match="asked evidence"):  # only after a request
        services.add_evidence(user, claim, note="more")
    actions = [e.action for e in ClaimEvent.objects.filter(claim=claim)]
    assert actions == ["claim", "needs_evidence", "evidence"]


def test_an_unverified_address_or_someone_elses_is_refused(author, make_user, client_for):
    user = make_user("tc", "tianlong@unc.edu", verified=False)
    make_user("other", "other@unc.edu")
    for email in ("tianlong@unc.edu", "other@unc.edu"):
        with pytest.raises(ClaimRefused, match="verified e-mail"):
            services.claim_author(user, author, email=email)
    response = client_for(user).post(
        f"/researchers/{author.slug}/claim", {"email": "other@unc.edu"}
    )
    assert response.status_code == 400 and not Claim.objects.exists()


def test_evidence_must_be_an_http_link_and_the_note_is_limited(author, make_user):
    user = make_user("tc", "tianlong@example.com")
    with pytest.raises(ClaimRefused, match="http"):
        services.claim_author(
            user, author, email="tianlong@example.com", evidence_url="javascript:alert(1)"
        )
    with pytest.raises(ClaimRefused, match="limited"):
        services.claim_author(user, author, email="tianlong@example.com", note="x" * 5000)


def test_one_account_holds_one_record(author, other_author, unc_link, make_user, client_for):
    user = make_user("tc", "tianlong@unc.edu", "tc@example.com")
    services.claim_author(user, author, email="tianlong@unc.edu")
    with pytest.raises(ClaimRefused, match="one record"):
        services.claim_author(user, other_author, email="tc@example.com")
    response = client_for(user).post(
        f"/researchers/{other_author.slug}/claim", {"email": "tc@example.com"}
    )
    assert response.status_code == 400 and "one record" in response.content.decode()
    with pytest.raises(ClaimRefused, match="one record"):  # the same record twice neither
        services.claim_author(user, author, email="tianlong@unc.edu")


def test_a_second_claimant_opens_a_dispute_a_moderator_resolves(
    author, unc_link, owner, make_user, moderator, client_for
):
    held = Claim.objects.get(user=owner)
    rival = make_user("rival", "rival@unc.edu")
    rival_page = client_for(rival).get(f"/researchers/{author.slug}").content.decode()
    assert "Dispute this claim" in rival_page and "Claim this record" not in rival_page
    assert (
        "opens a dispute"
        in client_for(rival).get(f"/researchers/{author.slug}/claim").content.decode()
    )
    disputed = services.claim_author(rival, author, email="rival@unc.edu")
    assert (disputed.status, disputed.dispute) == ("pending", True)  # institutional, yet pending
    assert snapshot_on_page(client_for(owner), author) == ("L3", "Claimed")
    queue = client_for(moderator).get("/moderation/claims").content.decode()
    assert "Revoke the standing claim" in queue
    # both sides are told
    assert "another account disputes it" in client_for(owner).get("/claims/mine").content.decode()
    assert "disputes the account" in client_for(rival).get("/claims/mine").content.decode()
    with pytest.raises(ClaimRefused, match="revoke it first"):
        services.review_claim(moderator, disputed, "approve")
    with pytest.raises(ClaimRefused, match="reason"):
        services.revoke_claim(moderator, held, "")
    client_for(moderator).post(
        f"/moderation/claims/{held.pk}", {"decision": "revoke", "reason": "the rival proved it"}
    )
    held.refresh_from_db()
    assert (held.status, held.reason) == ("revoked", "the rival proved it")
    assert "revoked" in client_for(owner).get("/claims/mine").content.decode()
    services.review_claim(moderator, disputed, "approve")
    assert snapshot_on_page(client_for(rival), author) == ("L4", "Claimed")


def test_the_owner_withdraws_and_the_record_is_unclaimed_again(
    author, unc_link, make_user, client_for
):
    user = make_user("tc", "tianlong@unc.edu")
    claim = services.claim_author(user, author, email="tianlong@unc.edu")
    client = client_for(user)
    assert "Withdraw" in client.get("/claims/mine").content.decode()
    assert client.post(f"/claims/{claim.pk}/withdraw").status_code == 302
    claim.refresh_from_db()
    assert claim.status == "withdrawn"
    assert snapshot_on_page(client, author) == ("L1", "Unclaimed author")
    assert client.post(f"/claims/{claim.pk}/withdraw").status_code == 400  # once
    services.claim_author(user, author, email="tianlong@unc.edu")  # and may claim again


def test_a_moderator_revokes_a_verified_claim(author, unc_link, make_user, moderator, client_for):
    user = make_user("tc", "tianlong@unc.edu")
    claim = services.claim_author(user, author, email="tianlong@unc.edu")
    services.revoke_claim(moderator, claim, "not the same person")
    assert snapshot_on_page(client_for(user), author) == ("L1", "Unclaimed author")
    assert [e.action for e in ClaimEvent.objects.filter(claim=claim)] == ["claim", "revoke"]


@override_settings(BZPEER_CLAIMS_PER_DAY=2)
def test_claims_per_account_per_day_are_limited(author, make_user):
    user = make_user("tc", "tianlong@example.com")
    for _ in range(2):
        services.withdraw_claim(
            user, services.claim_author(user, author, email="tianlong@example.com")
        )
    with pytest.raises(ClaimRefused, match="At most 2 claims a day"):
        services.claim_author(user, author, email="tianlong@example.com")


def test_record_and_claimant_strings_are_escaped_and_isolated(
    other_author, make_user, moderator, client_for
):
    other_author.display_name = '<script>alert(1)</script>\u202eevil"'
    other_author.save(update_fields=["display_name"])
    user = make_user("<b>tc</b>", "tc@example.com")
    client = client_for(user)
    form = client.get(f"/researchers/{other_author.slug}/claim").content.decode()
    services.claim_author(
        user, other_author, email="tc@example.com", note="<img src=x onerror=alert(1)>"
    )
    pages = [
        form,
        client.get("/claims/mine").content.decode(),
        client_for(moderator).get("/moderation/claims").content.decode(),
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>tc" not in page
        assert "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;" in page
