"""Following researchers, topics and institutions; the feed of their new
works; followers and following pages; Atom feeds (issue 24)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from bzpeer.catalog.models import Author, Institution, MentionInstitution, Topic, Work, WorkTopic
from bzpeer.claims.suppression import decide_suppression, request_suppression
from bzpeer.social import feed
from bzpeer.social.models import Follow

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _count(html: str) -> int:
    found = re.search(r'class="follow-count">(\d+)<', html)
    assert found, html[:400]
    return int(found.group(1))


def test_follow_with_htmx_swaps_the_button_and_the_count_changes(people, client_for):
    chen = people.c_record
    client = client_for(people.user)
    before = Follow.objects.filter(author=chen).count()
    answer = client.post(
        f"/follow/author/{chen.pk}",
        {"action": "follow", "next": f"/researchers/{chen.slug}"},
        HTTP_HX_REQUEST="true",
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and html.startswith("<form")  # the button alone
    assert "Following" in html and _count(html) == before + 1
    page = client.get(f"/researchers/{chen.slug}").content.decode()
    assert 'aria-pressed="true"' in page and f">{before + 1}</b>" in page
    # following twice is one follow
    client.post(f"/follow/author/{chen.pk}", {"action": "follow"}, HTTP_HX_REQUEST="true")
    assert Follow.objects.filter(author=chen, user=people.user).count() == 1
    undone = client.post(
        f"/follow/author/{chen.pk}", {"action": "unfollow"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Follow researcher" in undone and _count(undone) == before


def test_without_htmx_the_form_goes_back_and_anonymous_visitors_sign_in_first(people, client_for):
    chen = people.c_record
    back = f"/researchers/{chen.slug}"
    answer = client_for(people.user).post(f"/follow/author/{chen.pk}", {"next": back})
    assert answer.status_code == 302 and answer["Location"] == back
    elsewhere = client_for(people.user).post(
        f"/follow/author/{chen.pk}", {"next": "https://evil.test/"}
    )
    assert elsewhere["Location"] == "/"
    anonymous = client_for(None).post(f"/follow/author/{chen.pk}", {"next": back})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    htmx = client_for(None).post(
        f"/follow/author/{chen.pk}", {"next": back}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 401 and htmx["HX-Redirect"].startswith("/accounts/login/")
    assert not Follow.objects.filter(author=chen, user=None).exists()


def test_the_feed_lists_new_works_of_what_one_follows_newest_first(people, client_for):
    client = client_for(people.user)
    assert "Nothing yet" in client.get("/feed").content.decode()
    chen = people.c_record
    client.post(f"/follow/author/{chen.pk}", {"action": "follow"})
    works = feed.feed(people.user.pk, limit=500)
    mine = set(Work.objects.filter(mentions__author=chen).values_list("id", flat=True))
    assert {w.pk for w in works} == mine
    order = [(w.year or 0, w.pk) for w in works]
    assert order == sorted(order, reverse=True)
    page = client.get("/feed").content.decode()
    assert works[0].title[:40] in page.replace("&#x27;", "'")
    # the next page starts after the last work of the first, and none repeats
    first = feed.feed(people.user.pk)
    cursor = feed.next_cursor(first)
    assert cursor is not None
    second = feed.feed(people.user.pk, cursor)
    assert second and not {w.pk for w in first} & {w.pk for w in second}
    assert client.get(f"/feed?before={cursor}").status_code == 200
    assert [w.pk for w in first + second] == [w.pk for w in works[: len(first) + len(second)]]


def test_a_followed_topic_and_institution_bring_their_works(people, client_for):
    client = client_for(people.user)
    topic = Topic.objects.filter(worktopic__isnull=False).order_by("id").first()
    place = Institution.objects.filter(mentioninstitution__isnull=False).order_by("id").first()
    assert topic is not None and place is not None
    client.post(f"/follow/topic/{topic.pk}", {"action": "follow"})
    client.post(f"/follow/institution/{place.pk}", {"action": "follow"})
    shown = {w.pk for w in feed.feed(people.user.pk, limit=100_000)}
    in_topic = set(WorkTopic.objects.filter(topic=topic).values_list("work_id", flat=True))
    from_place = set(
        MentionInstitution.objects.filter(institution=place).values_list(
            "mention__work_id", flat=True
        )
    )
    assert shown == in_topic | from_place
    listed = client.get("/following").content.decode()
    assert topic.name[:30] in listed and place.name[:30].replace("&", "&amp;") in listed
    assert client.post("/follow/people/1", {"action": "follow"}).status_code == 404


def test_followers_page_names_researchers_and_only_counts_the_others(people, client_for):
    chen = people.c_record
    client_for(people.claimed).post(f"/follow/author/{chen.pk}", {"action": "follow"})
    client_for(people.user).post(f"/follow/author/{chen.pk}", {"action": "follow"})
    page = client_for(None).get(f"/researchers/{chen.slug}/followers").content.decode()
    assert people.b_record.display_name in page  # the follower who holds a record
    assert "1 other account" in page
    assert people.user.email not in page and people.user.username not in page


def test_atom_feeds_list_the_newest_works_without_an_account(people, client_for, client):
    chen = people.c_record
    answer = client.get(f"/researchers/{chen.slug}/feed.atom")
    assert answer.status_code == 200 and "atom" in answer["Content-Type"]
    root = ElementTree.fromstring(answer.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == min(30, Work.objects.filter(mentions__author=chen).distinct().count())
    newest = Work.objects.filter(mentions__author=chen).order_by("-year", "-id").first()
    assert entries[0].findtext(f"{ATOM}title") == " ".join(newest.title.split())
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/works/{newest.pk}")
    topic = Topic.objects.filter(worktopic__isnull=False).order_by("id").first()
    assert client.get(f"/topics/{topic.pk}/feed.atom").status_code == 200
    place = Institution.objects.filter(mentioninstitution__isnull=False).order_by("id").first()
    feed = ElementTree.fromstring(client.get(f"/institutions/{place.pk}/feed.atom").content)
    assert feed.find(f"{ATOM}link").get("href").endswith(f"/institutions/{place.pk}")
    assert client.get("/institutions/999999999/feed.atom").status_code == 404
    # the profile and the topic page point feed readers to them
    profile = client.get(f"/researchers/{chen.slug}").content.decode()
    link = 'type="application/atom+xml" title="New works by this researcher" href="{}"'
    assert link.format(f"/researchers/{chen.slug}/feed.atom") in profile


def test_a_taken_down_record_has_no_feed_and_cannot_be_followed(people, client_for, client):
    other = (
        Author.objects.filter(merged_into=None, works_count__gte=1, claims=None)
        .order_by("id")
        .first()
    )
    asked = request_suppression(people.user, other, "about me")
    decide_suppression(people.moderator, asked, "approve", "the subject asked")
    assert client.get(f"/researchers/{other.slug}/feed.atom").status_code == 404
    answer = client_for(people.user).post(f"/follow/author/{other.pk}", {"action": "follow"})
    assert answer.status_code == 404
    assert not Follow.objects.filter(author=other).exists()


def test_following_a_merged_away_record_is_refused(people, client_for):
    merged = Author.objects.create(
        display_name="Tianlong Chen",
        slug="tianlong-chen-merged",
        name_key="chen_t",
        merged_into=people.c_record,
    )
    assert client_for(people.user).post(f"/follow/author/{merged.pk}").status_code == 404


def test_both_plans_of_the_feed_give_the_same_pages(people, client_for, monkeypatch):
    """Gathering the followed works and walking the catalog newest first
    (``feed.WALK_SHARE``) are one order: the same works, page after page."""
    client = client_for(people.user)
    client.post(f"/follow/author/{people.c_record.pk}", {"action": "follow"})
    client.post(f"/follow/author/{people.b_record.pk}", {"action": "follow"})
    topic = Topic.objects.filter(worktopic__isnull=False).order_by("id").first()
    client.post(f"/follow/topic/{topic.pk}", {"action": "follow"})

    def pages(share: float) -> list[list[int]]:
        monkeypatch.setattr(feed, "WALK_SHARE", share)
        out, cursor = [], None
        for _ in range(4):
            works = feed.feed(people.user.pk, cursor, limit=10)
            out.append([w.pk for w in works])
            cursor = feed.next_cursor(works, limit=10)
            if cursor is None:
                break
        return out

    gathered, walked = pages(1e9), pages(0.0)
    assert gathered == walked and len(gathered) == 4 and all(gathered)
