"""New records for people the catalog already knows: each new mention joins
the record the evidence names (an id, co-authors), only the new mentions
are assigned, and nothing already placed moves."""

from __future__ import annotations

import json

import pytest

from bzpeer.catalog.models import Author, AuthorshipMention
from bzpeer.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db

BIBTEX = r"""
@inproceedings{liu2024sparse,
  title     = {Sparse Mixture of Lottery Tickets for Efficient Fine-Tuning},
  author    = {Liu, Shiwei and Chen, Tianlong and Wang, Zhangyang},
  booktitle = {International Conference on Learning Representations},
  year      = {2024}
}

@article{shen1985kelp,
  title   = {Seasonal growth of kelp beds off the Shandong coast},
  author  = {Shen, Li and Hargreaves, Thomas},
  journal = {Marine Botany Letters},
  year    = {1985}
}
"""


def import_files(source: str, paths: list[str]):
    return run_import(source, paths, {}, show_progress=False).stats


def _placed() -> dict[int, int | None]:
    return dict(AuthorshipMention.objects.values_list("id", "author_id"))


def _by_name(title: str) -> dict[str, int | None]:
    return dict(
        AuthorshipMention.objects.filter(work__title=title).values_list("raw_name", "author_id")
    )


def test_a_bibtex_record_of_known_people_joins_their_records(write):
    before = _placed()
    authors_before = Author.objects.count()
    known = {
        name: Author.objects.get(slug=slug).pk
        for name, slug in [
            ("Shiwei Liu", "shiwei-liu"),
            ("Tianlong Chen", "tianlong-chen"),
            ("Zhangyang Wang", "zhangyang-wang"),
        ]
    }
    li_shen = Author.objects.get(slug="li-shen").pk

    stats = import_files("bibtex", [write("new.bib", BIBTEX)])
    assert stats.new == 2

    # co-authors the catalog has seen together carry all three to their records
    joined = _by_name("Sparse Mixture of Lottery Tickets for Efficient Fine-Tuning")
    assert joined == known
    # a 1985 marine botanist shares a name with Tianlong Chen's co-author Li
    # Shen, and nothing else: a record of their own
    kelp = _by_name("Seasonal growth of kelp beds off the Shandong coast")
    assert kelp["Li Shen"] not in (None, li_shen)
    # two new records (the botanist and the co-author no one knew), nothing else
    assert Author.objects.count() == authors_before + 2
    # only the new mentions were placed: every earlier assignment stands
    after = _placed()
    assert {pk: after[pk] for pk in before} == before


def _openalex_work(number: int, authorships: list[tuple[str, str | None]]) -> str:
    return json.dumps(
        {
            "id": f"https://openalex.org/W99880000{number}",
            "title": "Paying for environmental services from silvopastoral practices, a sequel",
            "publication_year": 2008,
            "type": "article",
            "authorships": [
                {
                    "author_position": "first" if i == 0 else "middle",
                    "author": {
                        "id": f"https://openalex.org/{oa_id}" if oa_id else None,
                        "display_name": name,
                    },
                    "raw_author_name": name,
                    "institutions": [],
                }
                for i, (name, oa_id) in enumerate(authorships)
            ],
        }
    )


def test_an_openalex_record_joins_by_author_id_and_by_coauthors(write):
    before = _placed()
    pagiola = Author.objects.get(openalex_id="A5003862560")
    agostini = Author.objects.get(display_name="Paola Agostini")
    gobbi = Author.objects.get(display_name="José Gobbi")
    path = write(
        "sequel.jsonl",
        _openalex_work(
            1,
            [
                ("Stefano Pagiola", "A5003862560"),  # the id: hard evidence
                ("Paola Agostini", None),  # no id: her co-authors place her
                ("J. Gobbi", None),  # an initial and co-authors
            ],
        )
        + "\n",
    )
    import_files("openalex", [path])
    placed = dict(
        AuthorshipMention.objects.filter(work__title__endswith="a sequel").values_list(
            "raw_name", "author_id"
        )
    )
    assert placed == {
        "Stefano Pagiola": pagiola.pk,
        "Paola Agostini": agostini.pk,
        "J. Gobbi": gobbi.pk,
    }
    confidence = dict(
        AuthorshipMention.objects.filter(work__title__endswith="a sequel").values_list(
            "raw_name", "confidence"
        )
    )
    assert confidence["Stefano Pagiola"] == 1.0  # an id
    assert 0.5 < confidence["Paola Agostini"] < 1.0  # co-authors
    after = _placed()
    assert {pk: after[pk] for pk in before} == before
