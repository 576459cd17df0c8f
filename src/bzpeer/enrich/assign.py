"""Train the topic models on labelled works, measure them, label the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from bzpeer.catalog.bulk import allocate_ids, insert_rows
from bzpeer.catalog.models import Topic, Work, WorkTopic

from .topics import Model, held_out, train, words

MIN_LABELLED = 200  # fewer labelled works than this: no model for the taxonomy
MIN_SCORE = 0.7  # a prediction below this probability is not stored
EVAL_SAMPLE = 5000  # held-out works scored for the accuracy figure


@dataclass(frozen=True)
class TopicReport:
    scheme: str
    level: str
    labelled: int
    classes: int
    held_out: int
    accuracy: float  # top-1 on held-out labelled works
    confident: float  # share of held-out works predicted with probability >= MIN_SCORE
    confident_accuracy: float  # top-1 accuracy on those: what gets stored
    assigned: int  # unlabelled works given a topic


def _labels(scheme: str) -> tuple[str, dict[int, int]]:
    """(level, topic id -> label topic id) for a taxonomy: arXiv categories as
    they are; OpenAlex topics rolled up to their field."""
    if scheme == "arxiv":
        ids = Topic.objects.filter(scheme="arxiv", level="category").values_list("id", flat=True)
        return "category", {pk: pk for pk in ids}
    parents = dict(Topic.objects.filter(scheme="openalex").values_list("id", "parent_id"))
    levels = dict(Topic.objects.filter(scheme="openalex").values_list("id", "level"))
    out: dict[int, int] = {}
    for pk in parents:
        node: int | None = pk
        while node is not None and levels.get(node) != "field":
            node = parents.get(node)
        if node is not None:
            out[pk] = node
    return "field", out


def _stated(labels: dict[int, int]) -> dict[int, int]:
    """work id -> its label: the taxonomy's topic a source gave it (the
    highest-scored one, i.e. the primary arXiv category)."""
    best: dict[int, tuple[float, int]] = {}
    for work_id, topic_id, score in WorkTopic.objects.filter(origin="source").values_list(
        "work_id", "topic_id", "score"
    ):
        if topic_id in labels and score > best.get(work_id, (-1.0, 0))[0]:
            best[work_id] = (score, labels[topic_id])
    return {work_id: label for work_id, (_, label) in best.items()}


def _texts(ids: set[int]) -> Iterator[tuple[int, list[str]]]:
    """(work id, words of title and abstract) for the works in ``ids``, by id;
    the others are passed over unread."""
    table = Work._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id, title, abstract FROM "{table}" ORDER BY id')
        while rows := cursor.fetchmany(2000):
            for work_id, title, abstract in rows:
                if work_id in ids:
                    yield work_id, words(f"{title} {abstract}")


def enrich_topics(progress: Callable[[str], None] | None = None) -> list[TopicReport]:
    """For each taxonomy with enough labelled works: measure a model trained
    without the held-out works, train on all labelled works, and give every
    work that has no topic at all its most likely one (probability >= 0.7)."""
    reports = []
    with transaction.atomic():
        WorkTopic.objects.filter(origin="model").delete()
    topicless = set(Work.objects.values_list("id", flat=True)) - set(
        WorkTopic.objects.values_list("work_id", flat=True)
    )
    for scheme in ("arxiv", "openalex"):
        level, labels = _labels(scheme)
        if not labels:
            continue
        stated = _stated(labels)
        rows = [(w, t, stated[w]) for w, t in _texts(set(stated))]
        if len(rows) < MIN_LABELLED:
            continue
        if progress:
            progress(f"{scheme}: training on {len(rows):,} labelled works")
        trial = train((t, str(label)) for w, t, label in rows if not held_out(w))
        test = [(t, str(label)) for w, t, label in rows if held_out(w)][:EVAL_SAMPLE]
        guesses = [(trial.predict(t) or ("", 0.0), label) for t, label in test]
        correct = sum(1 for (guess, _), label in guesses if guess == label)
        sure = [(guess, label) for (guess, p), label in guesses if p >= MIN_SCORE]
        model = train((t, str(label)) for _, t, label in rows)
        assigned = _assign(model, topicless)
        topicless -= assigned
        reports.append(
            TopicReport(
                scheme=scheme,
                level=level,
                labelled=len(rows),
                classes=len(model.classes),
                held_out=len(test),
                accuracy=correct / len(test) if test else 0.0,
                confident=len(sure) / len(test) if test else 0.0,
                confident_accuracy=sum(g == lab for g, lab in sure) / len(sure) if sure else 0.0,
                assigned=len(assigned),
            )
        )
    return reports


def _assign(model: Model, topicless: set[int]) -> set[int]:
    if not topicless:
        return set()
    rows: list[tuple[int, int, float]] = []
    for work_id, tokens in _texts(topicless):
        if not tokens:
            continue
        guess = model.predict(tokens)
        if guess and guess[1] >= MIN_SCORE:
            rows.append((work_id, int(guess[0]), round(guess[1], 3)))
    with transaction.atomic():
        ids = allocate_ids(WorkTopic, len(rows))
        insert_rows(
            WorkTopic,
            ["id", "work_id", "topic_id", "score", "origin"],
            [(pk, w, t, s, "model") for pk, (w, t, s) in zip(ids, rows, strict=True)],
            ignore_conflicts=True,
        )
    return {w for w, _, _ in rows}
