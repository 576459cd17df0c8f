"""A claim survives what the catalog does on its own: importing every source
again (unchanged records, and a record its source changed) and resolving
again keep the claim on the same record, at the same level, under the same
address (issue 22: "re-running resolution and re-importing every source
keeps every claim and correction"). So do the owner's corrections and
profile statements."""

from __future__ import annotations

from bzpeer.catalog.models import Author, AuthorshipMention, SourceRecord, WorkVersion
from bzpeer.claims import services
from bzpeer.claims.fixes import merge_records, move_works, remove_works
from bzpeer.claims.owner import ProfileEdit, edit_profile
from bzpeer.curation import corrections
from bzpeer.demo import load_demo
from bzpeer.resolve.authors import resolve_authors
from bzpeer.trust.facts import current


def test_reimporting_every_source_and_resolving_again_keep_the_claim(
    author, unc_link, make_user, client_for
):
    user = make_user("tc", "tianlong@cs.unc.edu")
    claim = services.claim_author(user, author, email="tianlong@cs.unc.edu")
    assert (claim.status, claim.level) == ("verified", "L3")
    works_before = author.works_count
    # One of the record's versions as if its source had changed it since: the
    # next import writes it again, with new mention rows.
    version = WorkVersion.objects.filter(mentions__author=author).order_by("id").first()
    SourceRecord.objects.filter(pk=version.source_record_id).update(payload_hash="changed")
    old_mentions = set(version.mentions.values_list("id", flat=True))

    load_demo(force=True, show_progress=False)  # every source again, then resolution
    resolve_authors()

    claim.refresh_from_db()
    again = Author.objects.get(pk=author.pk)
    assert (claim.author_id, claim.status, claim.level) == (author.pk, "verified", "L3")
    assert again.slug == author.slug and again.merged_into_id is None
    assert again.works_count == works_before
    rewritten = AuthorshipMention.objects.filter(version=version.pk)
    assert old_mentions.isdisjoint(rewritten.values_list("id", flat=True))  # written again
    assert rewritten.filter(author=author).exists()  # and still this record's
    assert current(again).level == "L3"
    page = client_for(user).get(f"/researchers/{author.slug}").content.decode()
    assert "Claimed by you" in page


def test_reimporting_and_resolving_again_keep_the_owners_corrections(
    author, unc_link, make_user, client_for
):
    user = make_user("tc", "tianlong@cs.unc.edu")
    services.claim_author(user, author, email="tianlong@cs.unc.edu")
    edit_profile(user, author, ProfileEdit(display_name=author.display_name, bio="efficient ML"))
    works = list(
        AuthorshipMention.objects.filter(author=author)
        .order_by("work_id")
        .values_list("work_id", flat=True)
        .distinct()[:4]
    )
    remove_works(user, author, [works[0]], "a namesake's")
    moved = move_works(user, author, [works[1]], None, "another Tianlong Chen").target
    part = corrections.move(author, [works[2]], "cli:test", "split to merge back").target
    assert moved is not None and part is not None
    assert merge_records(user, author, part, "also me").correction is not None
    state = AuthorshipMention.objects.filter(work_id__in=works[:3], name_key=author.name_key)

    def where() -> dict[int, set[int | None]]:
        out: dict[int, set[int | None]] = {}
        for work_id, author_id in state.values_list("work_id", "author_id"):
            out.setdefault(work_id, set()).add(author_id)
        return out

    before, count = where(), Author.objects.get(pk=author.pk).works_count
    assert author.pk not in before[works[0]] and before[works[1]] == {moved.pk}
    assert before[works[2]] == {author.pk}

    load_demo(force=True, show_progress=False)
    resolve_authors()

    assert where() == before
    assert Author.objects.get(pk=author.pk).works_count == count
    page = client_for(user).get(f"/researchers/{author.slug}").content.decode()
    assert "efficient ML" in page and page.count('<li class="">') >= 3  # the log, kept
