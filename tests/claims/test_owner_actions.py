"""What the owner of a claimed record does with it: edit the profile, remove
or move works, merge records that are also them, undo; what moderators
decide; and that every correction shows in the public log."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.test import Client

from bzpeer.catalog.models import Author, AuthorCorrection, AuthorshipMention, Institution
from bzpeer.claims import fixes, services
from bzpeer.claims.models import Claim, MergeRequest, OwnerProfile
from bzpeer.curation import corrections
from bzpeer.resolve.authors import resolve_authors

pytestmark = pytest.mark.django_db


def works_on_page(client: Client, author: Author) -> int:
    html = client.get(f"/researchers/{author.slug}").content.decode()
    found = re.search(r"<div><b>(\d+)</b> works</div>", html)
    assert found
    return int(found.group(1))


def log_on_page(client: Client, author: Author) -> list[str]:
    html = client.get(f"/researchers/{author.slug}").content.decode()
    return [
        htmllib.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(
            r'<li class="[^"]*">(.*?)</li>',
            html.split("correction-log", 1)[-1].split("</ol>")[0],
            re.S,
        )
    ]


def test_the_owner_edits_the_profile(author, owner, client_for):
    client = client_for(owner)
    assert client.get(f"/researchers/{author.slug}/edit").status_code == 200
    unc = Institution.objects.get(ror="0130frc33")
    answer = client.post(
        f"/researchers/{author.slug}/edit",
        {
            "display_name": "Tianlong Chen",
            "bio": "  Sparse   neural networks\nand efficient learning. ",
            "open_to_collaborate": "on",
            "institution": "https://ror.org/0130frc33",
            "homepage": "https://tianlong-chen.example.org/",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == f"/researchers/{author.slug}"
    html = Client().get(f"/researchers/{author.slug}").content.decode()
    assert '<p class="bio" dir="auto">Sparse neural networks and efficient learning.</p>' in html
    assert "Open to collaborate" in html
    assert unc.name in html.split('class="facts"', 1)[1].split("</p>", 1)[0]
    assert 'href="https://tianlong-chen.example.org/"' in html
    assert "tianlong@unc.edu" not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "Geoffrey Hinton", "form of the record's name"),
        ("bio", "write to me at tianlong@unc.edu", "e-mail"),
        ("bio", "x" * 281, "limited to 280"),
        ("bio", "hidden\u202etext", "invisible"),
        ("homepage", "javascript:alert(1)", "http(s)"),
        ("orcid", "0000-0002-1825-0097", "Link that ORCID"),
        ("institution", "No Such University Anywhere", "No institution"),
    ],
)
def test_bad_profile_edits_are_refused_and_change_nothing(
    author, owner, client_for, field, value, message
):
    data = {"display_name": author.display_name, field: value}
    answer = client_for(owner).post(f"/researchers/{author.slug}/edit", data)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not OwnerProfile.objects.exists()


def test_remove_a_work_then_undo_it(author, owner, client_for):
    client = client_for(owner)
    before = works_on_page(Client(), author)
    work = AuthorshipMention.objects.filter(author=author).order_by("work_id").first().work
    answer = client.post(
        f"/researchers/{author.slug}/fix",
        {"action": "remove", "work": [work.pk], "reason": "a namesake's paper"},
    )
    assert answer.status_code == 302 and answer["Location"].endswith("?done=removed#corrections")
    assert works_on_page(Client(), author) == before - 1
    log = log_on_page(Client(), author)
    assert len(log) == 1 and "Remove authorships" in log[0]
    assert "by the record's owner" in log[0] and "a namesake's paper" in log[0]
    assert not AuthorshipMention.objects.filter(author=author, work=work).exists()
    # resolution again keeps it off the record
    resolve_authors()
    assert not AuthorshipMention.objects.filter(author=author, work=work).exists()

    correction = AuthorCorrection.objects.get()
    assert client.post(f"/corrections/{correction.pk}/undo").status_code == 302
    assert works_on_page(Client(), author) == before
    assert "undone" in log_on_page(Client(), author)[0]
    # undone once is undone: a second undo is refused with a reason
    again = client.post(f"/corrections/{correction.pk}/undo")
    assert again.status_code == 400 and b"already undone" in again.content


def test_move_works_to_a_new_record(author, owner, client_for):
    works = list(
        AuthorshipMention.objects.filter(author=author)
        .order_by("work_id")
        .values_list("work_id", flat=True)[:2]
    )
    before = Author.objects.get(pk=author.pk).works_count
    answer = client_for(owner).post(
        f"/researchers/{author.slug}/fix",
        {"action": "move", "work": works, "target": "", "reason": "another Tianlong Chen"},
    )
    assert answer.status_code == 302
    correction = AuthorCorrection.objects.get()
    assert correction.target is not None and correction.target.works_count == 2
    assert Author.objects.get(pk=author.pk).works_count == before - 2
    assert "Move authorships" in log_on_page(Client(), author)[0]


def test_a_record_that_shares_co_authors_merges_at_once(author, owner, client_for):
    # a maintainer split two works off earlier: the part shares his co-authors
    works = list(
        AuthorshipMention.objects.filter(author=author)
        .order_by("work_id")
        .values_list("work_id", flat=True)[:2]
    )
    part = corrections.move(author, works, "cli:test", "split for the test").target
    assert part is not None
    before = Author.objects.get(pk=author.pk).works_count
    answer = client_for(owner).post(
        f"/researchers/{author.slug}/fix",
        {
            "action": "merge",
            "other": f"https://bzpeer.example/researchers/{part.slug}",
            "reason": "me too",
        },
    )
    assert answer.status_code == 302 and answer["Location"].endswith("?done=merged#corrections")
    assert Author.objects.get(pk=author.pk).works_count == before + 2
    assert Client().get(f"/researchers/{part.slug}").status_code == 301
    assert not MergeRequest.objects.exists()


def test_a_merge_without_evidence_waits_for_a_moderator(
    author,
    owner,
    other_author,
    moderator,
    client_for,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    answer = client_for(owner).post(
        f"/researchers/{author.slug}/fix",
        {"action": "merge", "other": other_author.slug, "reason": "I wrote these too"},
    )
    assert answer["Location"].endswith("?done=merge-requested#corrections")
    request = MergeRequest.objects.get()
    assert request.status == "pending"
    assert Client().get(f"/researchers/{other_author.slug}").status_code == 200  # not yet
    page = client_for(moderator).get("/moderation/merges").content.decode()
    assert "I wrote these too" in page
    refused = client_for(moderator).post(f"/moderation/merges/{request.pk}", {"decision": "reject"})
    assert refused.status_code == 400  # a rejection needs a reason
    with django_capture_on_commit_callbacks(execute=True):
        decided = client_for(moderator).post(
            f"/moderation/merges/{request.pk}",
            {"decision": "reject", "reason": "different people: other names and fields"},
        )
    assert decided.status_code == 302
    request.refresh_from_db()
    assert request.status == "rejected"
    assert [m.to for m in mailoutbox] == [["tianlong@unc.edu"]]
    assert "different people" in mailoutbox[0].body
    assert "reject merge" in client_for(moderator).get("/moderation/log").content.decode()


def test_an_approved_merge_request_merges(author, owner, other_author, moderator):
    outcome = fixes.merge_records(owner, author, other_author, "also me")
    assert outcome.request is not None
    fixes.decide_merge(moderator, outcome.request, "approve", "checked the homepages")
    assert Client().get(f"/researchers/{other_author.slug}").status_code == 301
    assert "Merge records" in log_on_page(Client(), author)[0]


def test_merge_requests_are_limited_per_day(author, owner, other_author, settings):
    settings.BZPEER_MERGE_REQUESTS_PER_DAY = 1
    fixes.merge_records(owner, author, other_author, "also me")
    third = (
        Author.objects.exclude(pk__in=[author.pk, other_author.pk]).filter(merged_into=None).first()
    )
    with pytest.raises(services.ClaimRefused, match="At most 1 merge requests a day"):
        fixes.merge_records(owner, author, third, "also me")


def test_the_statements_go_when_the_claim_ends(author, owner, client_for):
    client = client_for(owner)
    client.post(
        f"/researchers/{author.slug}/edit",
        {"display_name": author.display_name, "bio": "hello", "open_to_collaborate": "on"},
    )
    held = Claim.objects.get(user=owner, status="verified")
    client.post(f"/claims/{held.pk}/withdraw")
    html = Client().get(f"/researchers/{author.slug}").content.decode()
    assert "hello" not in html and "Open to collaborate</span>" not in html
