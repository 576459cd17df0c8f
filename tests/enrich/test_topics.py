"""Topics: words, the former naive Bayes (kept as the baseline), topic pages,
researchers' topics on the profile. Placing works in OpenAlex's taxonomy:
tests/enrich/test_placing.py."""

from __future__ import annotations

import pytest

from bzpeer.catalog.models import Author, Topic
from bzpeer.enrich.assign import split
from bzpeer.enrich.topics import train, words

ASTRO = "galaxy cluster redshift survey dark matter halo stellar mass"
ML = "neural network training sparse pruning gradient deep learning model"


def test_words_drop_stopwords_short_tokens_and_accents():
    assert words("The Schrödinger équation of a Neural-Network") == [
        "schrodinger",
        "equation",
        "neural",
        "network",
    ]


def test_naive_bayes_learns_two_topics_and_reports_a_probability():
    examples = [(words(f"{ASTRO} {i}"), "astro-ph.GA") for i in range(6)]
    examples += [(words(f"{ML} {i}"), "cs.LG") for i in range(6)]
    model = train(examples)
    assert model.classes == ["astro-ph.GA", "cs.LG"]
    label, p = model.predict(words("pruning a deep neural network")) or ("", 0)
    assert label == "cs.LG" and p > 0.9
    assert (model.predict(words("dark matter in a galaxy cluster")) or ("",))[0] == "astro-ph.GA"


def test_a_class_with_too_few_examples_is_not_learned():
    examples = [(words(ASTRO), "astro-ph.GA")] * 6 + [(words(ML), "cs.LG")] * 2
    assert train(examples).classes == ["astro-ph.GA"]


def test_the_split_holds_out_a_fifth_to_test_and_a_fifth_to_calibrate():
    parts = [split(k) for k in range(10_000)]
    for part in ("test", "calibrate"):
        assert 0.15 < parts.count(part) / 10_000 < 0.25
    assert parts.count("train") > 5_000


@pytest.mark.django_db
def test_profile_links_topics_to_topic_pages_with_researchers_and_works(client):
    author = Author.objects.get(display_name="Tianlong Chen")
    page = client.get(f"/researchers/{author.slug}").content.decode()
    ml = Topic.objects.get(scheme="arxiv", external_id="arxiv:cs.LG")
    assert f'href="/topics/{ml.pk}"' in page
    topic_page = client.get(f"/topics/{ml.pk}").content.decode()
    assert "Machine Learning" in topic_page and "Computer Science" in topic_page
    assert f'href="/researchers/{author.slug}"' in topic_page
    assert client.get("/topics/999999").status_code == 404
