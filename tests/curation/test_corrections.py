"""Corrections of author records: merge, split, move, remove, undo, redirects,
and that every correction survives re-imports and re-runs of resolution."""

from __future__ import annotations

import json

import pytest

from bzpeer.catalog.models import Author, AuthorCorrection, AuthorshipMention, WorkIdentifier
from bzpeer.cli import main as cli
from bzpeer.curation import corrections
from bzpeer.ingest.pipeline import run_import
from bzpeer.resolve import corrections as stored
from bzpeer.resolve.authors import resolve_authors
from bzpeer.trust.facts import gather

pytestmark = pytest.mark.django_db

# Three papers by one "Wei Zhang" with no co-author in common: first-pass
# resolution keeps them apart, which is what a curator corrects. A name many
# people share: for a rare one ("Ada Quist"), the same field and month are
# themselves evidence, and the learned stage may join them (p 0.80).
PAPERS = [
    ("2301.00001", "Wei Zhang, Bo Lindqvist", "Sea ice drift from radar"),
    ("2301.00002", "Wei Zhang, Chen Maoyuan", "Glacier calving statistics"),
    ("2301.00003", "Wei Zhang, Dana Okafor", "Permafrost carbon feedbacks"),
]


def _line(arxiv_id: str, authors: str, title: str, abstract: str = "An abstract.") -> str:
    return json.dumps(
        {
            "id": arxiv_id,
            "title": title,
            "authors": authors,
            "abstract": abstract,
            "categories": "physics.geo-ph",
            "versions": [{"created": "Mon, 2 Jan 2023 10:00:00 GMT"}],
        }
    )


def _import(write, lines: list[str], name: str = "papers.jsonl") -> None:
    run_import("arxiv", [write(name, "\n".join(lines) + "\n")], show_progress=False)


def _quist(arxiv_id: str) -> Author:
    work = WorkIdentifier.objects.get(scheme="arxiv", value=arxiv_id).work
    mention = AuthorshipMention.objects.get(work=work, raw_name="Wei Zhang")
    assert mention.author is not None
    return mention.author


@pytest.fixture
def quists(write) -> list[Author]:
    _import(write, [_line(*p) for p in PAPERS])
    records = [_quist(p[0]) for p in PAPERS]
    assert len({a.pk for a in records}) == 3, "no shared co-authors: three records"
    return records


def _reimport_changed(write, index: int) -> None:
    """A source updates one paper: its mentions are written anew, unassigned."""
    arxiv_id, authors, title = PAPERS[index]
    _import(write, [_line(arxiv_id, authors, title, "A revised abstract.")], "update.jsonl")


def test_merge_moves_every_authorship_and_the_old_url_redirects(client, quists):
    a, b, _ = quists
    correction = corrections.merge(b, a, "curator:ana", "same person, same group")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.works_count == 2 and b.merged_into_id == a.pk
    assert (correction.actor, correction.reason, correction.kind) == (
        "curator:ana",
        "same person, same group",
        "merge",
    )
    page = client.get(f"/researchers/{b.slug}")
    assert page.status_code == 301 and page["Location"] == f"/researchers/{a.slug}"
    api = client.get(f"/api/v1/authors/A{b.pk}")
    assert api.status_code == 301 and api["Location"] == f"/api/v1/authors/A{a.pk}"
    assert client.get(api["Location"]).json()["works_count"] == 2


def test_merge_survives_a_reimport_of_the_merged_paper(write, quists):
    a, b, _ = quists
    corrections.merge(b, a, "curator", "same person")
    _reimport_changed(write, 1)
    assert _quist(PAPERS[1][0]).pk == a.pk


def test_a_chain_of_merges_redirects_straight_to_the_survivor(client, quists):
    a, b, c = quists
    corrections.merge(c, b, "curator", "same person")
    corrections.merge(b, a, "curator", "same person")
    page = client.get(f"/researchers/{c.slug}")
    assert page.status_code == 301 and page["Location"] == f"/researchers/{a.slug}"
    a.refresh_from_db()
    assert a.works_count == 3


def test_split_makes_a_new_record_that_survives_reimport_and_undo_restores(client, write, quists):
    a, b, _ = quists
    corrections.merge(b, a, "curator", "same person")
    work = WorkIdentifier.objects.get(scheme="arxiv", value=PAPERS[1][0]).work
    split = corrections.move(a, [work.pk], "curator", "a different Wei Zhang")
    new = split.target
    assert new is not None and new.pk not in {a.pk, b.pk}
    new.refresh_from_db()
    assert new.display_name == "Wei Zhang" and new.works_count == 1
    a.refresh_from_db()
    assert a.works_count == 1

    _reimport_changed(write, 1)
    assert _quist(PAPERS[1][0]).pk == new.pk, "the split holds after the record changes"
    resolve_authors()
    assert _quist(PAPERS[1][0]).pk == new.pk

    corrections.undo(split, "curator")
    assert _quist(PAPERS[1][0]).pk == a.pk
    new.refresh_from_db()
    assert new.merged_into_id == a.pk  # empty again: its URL leads back
    assert client.get(f"/researchers/{new.slug}")["Location"] == f"/researchers/{a.slug}"


def test_undo_merge_gives_the_record_back_its_works(client, quists):
    a, b, _ = quists
    merge = corrections.merge(b, a, "curator", "looked alike")
    corrections.undo(merge, "curator")
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into_id is None and (a.works_count, b.works_count) == (1, 1)
    assert client.get(f"/researchers/{b.slug}").status_code == 200
    assert AuthorCorrection.objects.get(pk=merge.pk).undone_by == "curator"
    with pytest.raises(corrections.CorrectionError, match="already undone"):
        corrections.undo(merge, "curator")


def test_move_to_an_existing_record(quists):
    a, _, c = quists
    work = WorkIdentifier.objects.get(scheme="arxiv", value=PAPERS[2][0]).work
    corrections.move(c, [work.pk], "curator", "belongs with A", target=a)
    assert _quist(PAPERS[2][0]).pk == a.pk
    a.refresh_from_db()
    assert a.works_count == 2


def test_removed_authorship_stays_off_the_record(write, quists):
    a, b, _ = quists
    corrections.merge(b, a, "curator", "same person")
    work = WorkIdentifier.objects.get(scheme="arxiv", value=PAPERS[1][0]).work
    removal = corrections.remove(a, [work.pk], "curator", "not her paper")
    elsewhere = _quist(PAPERS[1][0])
    assert elsewhere.pk != a.pk
    # Trust reads the removal (a JSON list: text on SQLite, decoded on PostgreSQL).
    assert gather(a).removed_authorships == 1
    _reimport_changed(write, 1)
    assert _quist(PAPERS[1][0]).pk != a.pk, "a cannot-link outlives the mention rows"
    corrections.undo(removal, "curator")
    assert _quist(PAPERS[1][0]).pk == a.pk


def test_corrections_that_make_no_sense_are_refused(quists):
    a, b, _ = quists
    with pytest.raises(corrections.CorrectionError, match="itself"):
        corrections.merge(a, a, "curator", "oops")
    Author.objects.filter(pk=a.pk).update(orcid="0000-0002-1825-0097")
    Author.objects.filter(pk=b.pk).update(orcid="0000-0001-5109-3700")
    with pytest.raises(corrections.CorrectionError, match="different ORCID"):
        corrections.merge(b, a, "curator", "looked alike")
    with pytest.raises(corrections.CorrectionError, match="no authorship"):
        corrections.move(a, [], "curator", "nothing")
    assert not AuthorCorrection.objects.exists()


def test_cli_merge_list_and_undo(capsys, quists):
    a, b, _ = quists
    assert cli(["authors", "merge", f"A{b.pk}", a.slug, "--reason", "same", "--by", "ana"]) == 0
    assert cli(["authors", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"merge A{b.pk} -> A{a.pk}" in listed and "by ana: same" in listed
    number = AuthorCorrection.objects.get().pk
    assert cli(["authors", "undo", str(number)]) == 0
    assert cli(["authors", "merge", f"A{b.pk}", f"A{a.pk}"]) == 2  # no reason given
    assert "--reason" in capsys.readouterr().err


def test_resolution_stores_a_removal_and_says_which_records_it_touched(quists):
    """Below the callers: the constraint is stored and applied, the touched
    records returned for their trust refresh; nothing is resolved yet."""
    a, b, _ = quists
    assert stored.merge(b, a, "curator", "same person").touched == {a.pk, b.pk}
    work = WorkIdentifier.objects.get(scheme="arxiv", value=PAPERS[1][0]).work
    removal = stored.remove(a, [work.pk], "curator", "not her paper")
    assert removal.touched == {a.pk}
    assert AuthorshipMention.objects.filter(work=work, author=None).exists()  # not placed yet
    touched = resolve_authors().touched_authors
    assert _quist(PAPERS[1][0]).pk != a.pk and _quist(PAPERS[1][0]).pk in touched
    assert stored.undo(removal.correction, "curator").touched >= {a.pk}
