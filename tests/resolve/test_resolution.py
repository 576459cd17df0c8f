"""The reference researcher and first-pass resolution on the demo data."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from bzpeer.catalog.models import Author, AuthorshipMention, Work, WorkIdentifier
from bzpeer.catalog.queries import author_works
from bzpeer.resolve.clustering import resolve_workers
from bzpeer.settings import env_int

pytestmark = pytest.mark.django_db


def test_reference_researcher_is_one_record_with_every_work():
    records = Author.objects.filter(display_name="Tianlong Chen")
    assert records.count() == 1
    author = records.get()
    works = author_works(author)
    assert author.works_count == works.count()
    assert works.count() > 36  # the reference page shows only 36
    titles = list(works.values_list("title", flat=True))
    assert len(titles) == len(set(titles)), "each paper appears once"


def test_published_versions_type_and_place_the_work():
    work = WorkIdentifier.objects.get(scheme="arxiv", value="2106.10404").work
    assert work.title == "Sparse Training via Boosting Pruning Plasticity with Neuroregeneration"
    assert (work.type, work.venue_name, work.year) == ("conference-paper", "NeurIPS", 2021)
    assert work.also_preprint
    assert work.versions.count() == 3  # BibTeX, compiled list, profile listing
    assert "Decebal Constantin Mocanu" in work.authors_text
    bag = Work.objects.get(title__startswith="Bag of Tricks for Training Deeper Graph")
    assert bag.type == "journal-article"
    assert bag.venue_name == "IEEE Transactions on Pattern Analysis and Machine Intelligence"


def test_listing_abstracts_fill_the_works():
    work = WorkIdentifier.objects.get(scheme="arxiv", value="2202.02643").work
    assert work.abstract.startswith("Random pruning is arguably the most naive way")


def test_other_chens_stay_apart():
    author = Author.objects.get(display_name="Tianlong Chen")
    names = set(AuthorshipMention.objects.filter(author=author).values_list("raw_name", flat=True))
    assert names <= {"Tianlong Chen", "Chen, Tianlong", "T. Chen"}
    assert Author.objects.filter(display_name="Xiaohan Chen").exists()
    assert not AuthorshipMention.objects.filter(author=author, raw_name="Xiaohan Chen").exists()


def test_coauthors_shared_across_versions_resolve_to_one_record():
    wang = Author.objects.filter(display_name="Zhangyang Wang")
    assert wang.count() == 1
    assert wang.get().works_count >= 30


def test_owner_affiliation_from_the_paper():
    mention = AuthorshipMention.objects.get(
        version__source="manual", work__title__startswith="H3PIMAP", raw_name="Tianlong Chen"
    )
    assert mention.raw_affiliation == "University of North Carolina at Chapel Hill"


def test_an_initial_does_not_bridge_two_full_names():
    from bzpeer.catalog.names import parse_name
    from bzpeer.resolve.mentions import MentionRecord
    from bzpeer.resolve.unionfind import UnionFind

    def mention(pk, name):
        return MentionRecord(pk, pk, name, "", "", None, parse_name(name))

    people = [
        mention(1, "Juan Zhang"),
        mention(2, "J.-F. Zhang"),
        mention(3, "Jing-Fei Zhang"),
        mention(4, "Mark A. Smith"),
        mention(5, "Mark Andrew Smith"),
    ]
    clusters = UnionFind(people)
    assert clusters.union(0, 1, checked=True)  # Juan ~ J.-F.: could be
    assert not clusters.union(1, 2, checked=True)  # ...but then not Jing-Fei too
    assert clusters.union(3, 4, checked=True)  # Mark A. ~ Mark Andrew


def test_one_openalex_author_under_two_names_is_one_record(write):
    """An OpenAlex author id is one person even when two works spell the name
    so differently that they fall in two name blocks: it used to create two
    records with the same id and stop resolution on the unique constraint."""
    import json

    from bzpeer.ingest.pipeline import run_import

    def work(n: int, name: str) -> str:
        return json.dumps(
            {
                "id": f"https://openalex.org/W99770000{n}",
                "title": f"A study of engines number {n}",
                "publication_year": 1843,
                "type": "article",
                "authorships": [
                    {
                        "author_position": "first",
                        "author": {"id": "https://openalex.org/A9977001", "display_name": name},
                        "raw_author_name": name,
                        "institutions": [],
                    }
                ],
            }
        )

    path = write("two-names.jsonl", work(1, "Ada Lovelace") + "\n" + work(2, "Augusta King") + "\n")
    run_import("openalex", [path], {}, show_progress=False)
    records = Author.objects.filter(mentions__work__title__startswith="A study of engines")
    assert records.distinct().count() == 1
    assert records.first().openalex_id == "A9977001"
    assert not AuthorshipMention.objects.filter(
        work__title__startswith="A study of engines", author=None
    ).exists()


def test_resolve_workers_come_from_settings_and_a_bad_value_is_refused(settings, monkeypatch):
    settings.BZPEER_RESOLVE_WORKERS = 3
    assert resolve_workers() == 3
    monkeypatch.delenv("BZPEER_RESOLVE_WORKERS", raising=False)
    assert env_int("BZPEER_RESOLVE_WORKERS", 4, minimum=1) == 4
    monkeypatch.setenv("BZPEER_RESOLVE_WORKERS", "2")
    assert env_int("BZPEER_RESOLVE_WORKERS", 4, minimum=1) == 2
    for bad in ("two", "0", "-1", "1.5"):
        monkeypatch.setenv("BZPEER_RESOLVE_WORKERS", bad)
        with pytest.raises(ImproperlyConfigured, match="BZPEER_RESOLVE_WORKERS"):
            env_int("BZPEER_RESOLVE_WORKERS", 4, minimum=1)


def test_resolution_loads_a_bounded_number_of_mentions_at_a_time(monkeypatch):
    """A group holds at most GROUP_MENTIONS mentions (a block larger than
    that alone), so memory does not grow with the size of an import."""
    from bzpeer.resolve import authors

    keys = sorted(set(AuthorshipMention.objects.values_list("name_key", flat=True)))
    sizes = {k: AuthorshipMention.objects.filter(name_key=k).count() for k in keys[:400]}
    monkeypatch.setattr(authors, "GROUP_MENTIONS", 40)
    groups = authors._groups(keys[:400])
    assert [k for group in groups for k in group] == keys[:400]  # all, in order
    assert len(groups) > 5
    for group in groups:
        total = sum(sizes[k] for k in group)
        assert total <= 40 or len(group) == 1
    monkeypatch.setattr(authors, "GROUP_MENTIONS", 10**9)
    assert len(authors._groups(keys[:400])) == 1  # GROUP_BLOCKS (8,000) not reached
