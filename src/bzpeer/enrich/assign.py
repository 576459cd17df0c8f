"""Give every work a place in OpenAlex's taxonomy when its sources give none,
measure how often the shown places are right, and store them.

Evidence, strongest first, for a work no OpenAlex record labels:

1. its primary arXiv category, where it maps clearly (``catalog.openalex_fields``);
2. its venue's name ("Oman Medical Journal" -> Medicine), refined to a
   subfield of that field when the model is sure of one;
3. the model over title, abstract and venue words (``enrich.classify``), only
   above the thresholds chosen for 90 % precision on held-out labelled works,
   and never for a work far from every training example.

The labelled works are those an OpenAlex record places (their primary topic's
subfield) and those whose primary arXiv category maps. A fixed fifth of them
is held out to measure, another fifth to choose the thresholds; the model
that labels the rest learns from all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from bzpeer.catalog.bulk import allocate_ids, insert_rows
from bzpeer.catalog.models import Topic, Work, WorkTopic
from bzpeer.catalog.openalex_fields import (
    DOMAINS,
    FIELDS,
    arxiv_target,
    field_of,
    target_name,
    venue_target,
)

from . import topics as naive_bayes
from .classify import (
    SHOW_NOTHING,
    Classifier,
    Guess,
    Thresholds,
    choose_thresholds,
    decide,
    train,
)
from .topics import words

MIN_LABELLED = 200  # fewer labelled works than this: no model
NAIVE_BAYES_SCORE = 0.7  # the old rule, measured beside the new one


BATCH = 2000  # works placed at a time
Batch = list[tuple[int, list[str], str]]  # (work id, title and abstract words, venue)
Placements = list[tuple[int, tuple[int, float, str]]]  # (work id, (target, score, how))
Placer = Callable[[Iterator[Batch], Classifier | None, Thresholds], Iterator[Placements]]


@dataclass(frozen=True)
class Shown:
    """Topics shown on held-out labelled works, and how many were right."""

    shown: int
    correct: int
    held_out: int

    @property
    def precision(self) -> float:
        return self.correct / self.shown if self.shown else 0.0

    @property
    def coverage(self) -> float:
        return self.shown / self.held_out if self.held_out else 0.0


@dataclass(frozen=True)
class TopicReport:
    labelled: int
    from_openalex: int  # labelled by an OpenAlex record
    classes: int
    thresholds: Thresholds
    field: Shown  # every shown topic, judged by its field
    subfield: Shown  # shown subfields, judged exactly
    openalex_field: Shown  # the same on held-out works an OpenAlex record labels
    venue: Shown  # the venue rule on every labelled work whose venue speaks
    naive_bayes: Shown  # the former model (p >= 0.7), by field, same split
    naive_bayes_openalex: Shown  # the same on held-out works an OpenAlex record labels
    mapped: int  # unlabelled works placed by their arXiv category
    by_venue: int
    by_model: int
    abstained: int  # works left without a place


def split(key: int) -> str:
    """A fixed three-way split: the same works are held out on every run."""
    bucket = (key * 2654435761) % 100
    return "test" if bucket < 20 else "calibrate" if bucket < 40 else "train"


def _node(external_id: str) -> int | None:
    """``openalex:subfields/2746`` -> 2746, ``openalex:fields/27`` -> 27."""
    tail = external_id.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _stated() -> tuple[dict[int, int], dict[int, str], set[int]]:
    """(work -> target from its OpenAlex topics, work -> primary arXiv code,
    works an OpenAlex record places)."""
    topics = {
        pk: (scheme, external_id, level, parent)
        for pk, scheme, external_id, level, parent in Topic.objects.values_list(
            "id", "scheme", "external_id", "level", "parent_id"
        )
    }

    def target_of(pk: int) -> int | None:
        node: int | None = pk
        while node is not None and node in topics:
            _, external_id, level, parent = topics[node]
            if level in ("subfield", "field"):
                return _node(external_id)
            node = parent
        return None

    openalex: dict[int, tuple[float, int]] = {}
    arxiv: dict[int, tuple[float, str]] = {}
    placed: set[int] = set()
    for work_id, topic_id, score in WorkTopic.objects.filter(origin="source").values_list(
        "work_id", "topic_id", "score"
    ):
        scheme, external_id, _, _ = topics[topic_id]
        if scheme == "openalex":
            placed.add(work_id)
            target = target_of(topic_id)
            if target is not None and score > openalex.get(work_id, (-1.0, 0))[0]:
                openalex[work_id] = (score, target)
        elif scheme == "arxiv" and score > arxiv.get(work_id, (-1.0, ""))[0]:
            arxiv[work_id] = (score, external_id.removeprefix("arxiv:"))
    return (
        {w: t for w, (_, t) in openalex.items()},
        {w: c for w, (_, c) in arxiv.items()},
        placed,
    )


def _texts(ids: set[int]) -> Iterator[tuple[int, list[str], str]]:
    """(work id, words of title, abstract and venue name, venue name) for the
    works in ``ids``; venue words are marked so they count apart."""
    table = Work._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id, title, abstract, venue_name FROM "{table}" ORDER BY id')
        while rows := cursor.fetchmany(2000):
            for work_id, title, abstract, venue in rows:
                if work_id in ids:
                    venue = venue or ""
                    tokens = words(f"{title} {abstract}")
                    if venue.lower() != "arxiv":
                        tokens += [f"venue:{w}" for w in words(venue)]
                    yield work_id, tokens, venue


def place(guess: Guess | None, venue: str, limits: Thresholds) -> tuple[int, float, str] | None:
    """(target, score, evidence) to show for a work no record places: the
    venue's field (or a subfield of it the model is sure of), else the
    model's guess when it is sure and the work is like its training works."""
    said = venue_target(venue)
    sure = decide(guess, limits) if guess is not None else None
    if said is not None:
        if said < 100 and sure is not None and sure[0] >= 100 and field_of(sure[0]) == said:
            return sure[0], sure[1], "venue"
        return said, 1.0, "venue"
    if sure is not None:
        return sure[0], sure[1], "model"
    return None


def _judge(shown: list[tuple[int, int]], held_out: int) -> tuple[Shown, Shown]:
    """(by field, subfields exactly) for (shown target, label) pairs."""
    by_field = Shown(
        len(shown), sum(field_of(t) == field_of(label) for t, label in shown), held_out
    )
    subs = [(t, label) for t, label in shown if t >= 100]
    return by_field, Shown(len(subs), sum(t == label for t, label in subs), held_out)


def _measure(
    rows: list[tuple[int, list[str], str, int]], openalex_ids: set[int]
) -> tuple[Thresholds, int, Shown, Shown, Shown, Shown, Shown]:
    """Train on the train part, choose thresholds on the calibration part,
    judge on the test part; also the former naive Bayes on the same split."""
    part = {w: split(w) for w, _, _, _ in rows}
    trial = train(
        [t for w, t, _, _ in rows if part[w] == "train"],
        [y for w, _, _, y in rows if part[w] == "train"],
    )
    calibrate = [(w, t, y) for w, t, _, y in rows if part[w] == "calibrate"]
    test = [(w, t, v, y) for w, t, v, y in rows if part[w] == "test"]
    if trial is None:
        limits = SHOW_NOTHING
        guesses: list[Guess | None] = [None] * len(test)
    else:
        limits = choose_thresholds(
            trial.guesses([t for _, t, _ in calibrate]),
            [y for _, _, y in calibrate],
            ["openalex" if w in openalex_ids else "arxiv" for w, _, _ in calibrate],
        )
        guesses = list(trial.guesses([t for _, t, _, _ in test]))
    shown, shown_openalex = [], []
    for (w, _, venue, label), guess in zip(test, guesses, strict=True):
        placed = place(guess, venue, limits)
        if placed is not None:
            shown.append((placed[0], label))
            if w in openalex_ids:
                shown_openalex.append((placed[0], label))
    by_field, by_subfield = _judge(shown, len(test))
    openalex_field, _ = _judge(shown_openalex, sum(1 for w, *_ in test if w in openalex_ids))
    nb = naive_bayes.train((t, str(y)) for w, t, _, y in rows if part[w] == "train")
    nb_shown, nb_openalex = [], []
    for w, tokens, _, label in test:
        said = nb.predict(tokens)
        if said and said[1] >= NAIVE_BAYES_SCORE:
            nb_shown.append((int(said[0]), label))
            if w in openalex_ids:
                nb_openalex.append((int(said[0]), label))
    nb_field, _ = _judge(nb_shown, len(test))
    nb_journal, _ = _judge(nb_openalex, openalex_field.held_out)
    classes = len(trial.classes) if trial else 0
    return limits, classes, by_field, by_subfield, openalex_field, nb_field, nb_journal


def _topic_ids(targets: set[int]) -> dict[int, int]:
    """target -> Topic id, creating the OpenAlex domain, field and subfield
    rows the targets need."""
    out: dict[int, int] = {}
    for target in sorted(targets, key=lambda t: (t >= 100, t)):
        field = field_of(target)
        domain = FIELDS[field][1]
        parent, _ = Topic.objects.get_or_create(
            scheme="openalex",
            external_id=f"openalex:domains/{domain}",
            defaults={"name": DOMAINS[domain], "level": "domain"},
        )
        node, _ = Topic.objects.get_or_create(
            scheme="openalex",
            external_id=f"openalex:fields/{field}",
            defaults={"name": FIELDS[field][0], "level": "field", "parent": parent},
        )
        if target >= 100:
            # A subfield learned from OpenAlex records has its row (and name) already.
            known = Topic.objects.filter(
                scheme="openalex", external_id=f"openalex:subfields/{target}"
            ).first()
            node = known or Topic.objects.create(
                scheme="openalex",
                external_id=f"openalex:subfields/{target}",
                name=target_name(target),
                level="subfield",
                parent=node,
            )
        out[target] = node.pk
    return out


def enrich_topics(
    progress: Callable[[str], None] | None = None, placer: Placer | None = None
) -> list[TopicReport]:
    """Measure, then place every work no OpenAlex record places (see the
    module's docstring). Returns one report, or none when too few works are
    labelled to learn from. ``placer``: ``place_here``, or its stand-in on a
    cluster (``bzpeer.cluster``)."""
    with transaction.atomic():
        WorkTopic.objects.filter(origin="model").delete()
    openalex, arxiv, placed = _stated()
    labels = dict(openalex)
    for work_id, code in arxiv.items():
        mapped = arxiv_target(code)
        if work_id not in labels and mapped is not None:
            labels[work_id] = mapped
    rows = [(w, t, v, labels[w]) for w, t, v in _texts(set(labels))]
    if progress:
        progress(f"topics: learning from {len(rows):,} labelled works")
    classifier: Classifier | None = None
    limits = SHOW_NOTHING
    if len(rows) < MIN_LABELLED:
        rows = []
    else:
        limits, classes, by_field, by_subfield, openalex_field, nb_field, nb_journal = _measure(
            rows, set(openalex)
        )
        if min(limits.field, limits.subfield) <= 1:  # else the model would show nothing
            classifier = train([t for _, t, _, _ in rows], [y for _, _, _, y in rows])
    venue_shown = [(venue_target(v), y) for _, _, v, y in rows]
    venue, _ = _judge([(t, y) for t, y in venue_shown if t is not None], len(rows))
    unplaced = set(Work.objects.values_list("id", flat=True)) - placed
    chosen: dict[int, tuple[int, float, str]] = {}
    for work_id in unplaced & set(arxiv):
        mapped = arxiv_target(arxiv[work_id])
        if mapped is not None:
            chosen[work_id] = (mapped, 1.0, "arxiv")
    rest = unplaced - set(chosen)
    for found in (placer or place_here)(_batches(_texts(rest)), classifier, limits):
        chosen.update(found)
    _store(chosen)
    if not rows:
        return []
    evidence = [how for _, _, how in chosen.values()]
    return [
        TopicReport(
            labelled=len(rows),
            from_openalex=sum(1 for w, *_ in rows if w in openalex),
            classes=classes,
            thresholds=limits,
            field=by_field,
            subfield=by_subfield,
            openalex_field=openalex_field,
            venue=venue,
            naive_bayes=nb_field,
            naive_bayes_openalex=nb_journal,
            mapped=evidence.count("arxiv"),
            by_venue=evidence.count("venue"),
            by_model=evidence.count("model"),
            abstained=len(unplaced) - len(chosen),
        )
    ]


def placements(batch: Batch, classifier: Classifier | None, limits: Thresholds) -> Placements:
    """Where the model or the venue places each work of a batch: a pure
    function, run here or on a cluster's workers (``bzpeer.cluster``)."""
    guesses: list[Guess | None] = (
        list(classifier.guesses([t for _, t, _ in batch])) if classifier else [None] * len(batch)
    )
    out: Placements = []
    for (work_id, _, venue), guess in zip(batch, guesses, strict=True):
        placed = place(guess, venue, limits)
        if placed is not None:
            out.append((work_id, placed))
    return out


def place_here(
    batches: Iterator[Batch], classifier: Classifier | None, limits: Thresholds
) -> Iterator[Placements]:
    for batch in batches:
        yield placements(batch, classifier, limits)


def _batches(items: Iterator[tuple[int, list[str], str]]) -> Iterator[Batch]:
    batch: Batch = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _store(chosen: dict[int, tuple[int, float, str]]) -> None:
    topic_of = _topic_ids({t for t, _, _ in chosen.values()})
    rows = [(w, topic_of[t], round(s, 3)) for w, (t, s, _) in sorted(chosen.items())]
    with transaction.atomic():
        ids = allocate_ids(WorkTopic, len(rows))
        insert_rows(
            WorkTopic,
            ["id", "work_id", "topic_id", "score", "origin"],
            [(pk, w, t, s, "model") for pk, (w, t, s) in zip(ids, rows, strict=True)],
            ignore_conflicts=True,
        )
