"""catalog.places: the reads behind the institution and venue pages."""

import pytest
from django.db.models import Count

from bzpeer.catalog import places
from bzpeer.catalog.models import (
    Affiliation,
    Institution,
    MentionInstitution,
    Venue,
    Work,
    WorkTopic,
)
from bzpeer.claims.suppression import suppressed_ids

pytestmark = pytest.mark.django_db


def _busiest_institution() -> Institution:
    pk = (
        MentionInstitution.objects.values("institution_id")
        .annotate(n=Count("id"))
        .order_by("-n", "institution_id")
        .first()["institution_id"]
    )
    return Institution.objects.get(pk=pk)


def test_institution_output_counts_each_work_once():
    place = _busiest_institution()
    works = set(
        MentionInstitution.objects.filter(institution=place).values_list(
            "mention__work_id", flat=True
        )
    )
    out = places.institution_output(place)
    assert out.works_count == len(works)
    years = Work.objects.filter(pk__in=works).exclude(year=None)
    expected = dict(years.values_list("year").annotate(n=Count("id")))
    assert dict(out.by_year) == expected and out.by_year == sorted(out.by_year)
    assert out.peak == max(expected.values())
    counts = dict(
        WorkTopic.objects.filter(work_id__in=works).values_list("topic_id").annotate(n=Count("id"))
    )
    assert out.topics and all(counts[pk] == n for pk, _, n in out.topics)
    assert [n for _, _, n in out.topics] == sorted((n for _, _, n in out.topics), reverse=True)
    assert set(out.newest) == works and len(out.newest) == len(works)
    listed = places.works_by_id(out.newest)
    assert [w.pk for w in listed] == out.newest
    key = [(w.year is None, -(w.year or 0), -w.pk) for w in listed]
    assert key == sorted(key)  # newest first, undated last


def test_people_current_first_and_only_live_records():
    place = Institution.objects.annotate(n=Count("affiliation")).order_by("-n", "pk").first()
    rows = list(Affiliation.objects.filter(institution=place).order_by("author_id"))
    rows[0].end_year, rows[0].start_year = None, 2019
    rows[0].save()
    people = list(places.institution_people(place, suppressed_ids()))
    assert people[0].pk == rows[0].pk
    ended = [a.end_year for a in people[1:]]
    assert ended == sorted(ended, reverse=True)


def test_related_institutions_link_the_ones_we_hold():
    anu = Institution.objects.get(name="Australian National University")
    related = places.related_institutions(anu)
    assert related[0].kind == "child"  # parents, then children, then the rest
    held = [r for r in related if r.institution is not None]
    assert [r.institution.name for r in held] == ["Mount Stromlo Observatory"]
    assert all(r.label for r in related)


def test_other_names_skip_the_name_and_repeats():
    place = Institution(
        name="Example University",
        acronyms=["EU", "EU"],
        aliases=["Example University", "Ex U"],
        labels=[{"value": "Université Exemple", "lang": "fr"}, "", 7],
    )
    assert places.other_names(place) == [
        ("acronym", "EU"),
        ("alias", "Ex U"),
        ("label", "Université Exemple"),
        ("label", "7"),
    ]


def test_venue_output_and_works_newest_first_undated_last():
    venue = Venue.objects.annotate(n=Count("works")).order_by("-n", "pk").first()
    out = places.venue_output(venue)
    assert out.works_count == venue.n
    works = list(Work.objects.filter(venue=venue))
    expected = sorted(works, key=lambda w: (w.year is None, -(w.year or 0), -w.pk))
    assert [w.pk for w in places.venue_works(venue)] == [w.pk for w in expected]
