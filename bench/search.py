"""Search on a large catalog: server time of ``search.find``, the search page
(with its facets) and the suggestions, p50/p95 per kind of query.

    .venv/bin/python bench/search.py --db /work/bench-data/search-1m.sqlite3

``--db`` is a SQLite catalog (e.g. 1,000,000 generated works imported with
``bzpeer import openalex`` from bench/make_corpus.py's corpus); it is migrated
first, which builds the search index when it has none. Queries are drawn
from the catalog itself (seeded): two-word title fragments, full author
names, initials with a surname ("T. Chen"), names in "Surname, Given" order,
the same with one typo, single common words, and identifiers. The baseline,
timed in the same run: the search before the index (every word ``icontains``
the title), on a few of the same title queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]  # one letter dropped, never the first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True, help="a SQLite catalog")
    parser.add_argument("--queries", type=int, default=40, help="queries per kind")
    parser.add_argument("--rounds", type=int, default=3, help="timings per query")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ["BZPEER_SQLITE"] = str(args.db.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    os.environ.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Q
    from django.test import Client

    from bzpeer.catalog.models import Author, Work, WorkIdentifier
    from bzpeer.search import index
    from bzpeer.search import queries as search

    call_command("migrate", verbosity=0)
    if not index.is_built():
        print("building the search index…", flush=True)
        for entity in index.DOCUMENTS:
            index.rebuild(entity)
    rng = random.Random(args.seed)
    top = Work.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    titles = []
    while len(titles) < args.queries:
        pk = rng.randrange(1, top + 1)
        title = Work.objects.filter(pk=pk).values_list("title", flat=True).first()
        words = [w for w in (title or "").split() if len(w) > 3 and w.isalpha()]
        if len(words) >= 2:
            i = rng.randrange(len(words) - 1)
            titles.append(f"{words[i]} {words[i + 1]}")
    people = list(
        Author.objects.filter(merged_into=None, works_count__gte=2)
        .order_by("?")
        .values_list("display_name", flat=True)[: args.queries]
    )
    full = [p for p in people if len(p.split()) >= 2]
    initials = [f"{p.split()[0][0]}. {p.split()[-1]}" for p in full]
    reversed_ = [f"{p.split()[-1]}, {' '.join(p.split()[:-1])}" for p in full]
    typos = [
        " ".join(typo(w, rng) if len(w) > 4 else w for w in t.split()[:1]) + " " + t.split()[1]
        for t in titles
    ]
    common = ["learning", "neural networks", "galaxy", "model", "deep learning", "quantum"]
    ids = list(
        WorkIdentifier.objects.filter(scheme__in=["doi", "openalex"])
        .order_by("?")
        .values_list("value", flat=True)[: args.queries]
    )
    kinds: dict[str, tuple[str, list[str]]] = {
        "title words": ("works", titles),
        "full name": ("authors", full),
        "initial + surname": ("authors", initials),
        "surname, given": ("authors", reversed_),
        "title, one typo": ("works", typos),
        "common word": ("works", common),
    }
    client = Client()
    print(f"catalog: {Work.objects.count():,} works, {Author.objects.count():,} author records")
    print(f"{args.queries} queries a kind, {args.rounds} timings each; ms, server time in-process")
    print(f"{'query kind':22} {'find p50':>9} {'find p95':>9} {'page p50':>9} {'page p95':>9}")
    every_find: list[float] = []
    every_page: list[float] = []
    for label, (entity, texts) in kinds.items():
        finds: list[float] = []
        pages: list[float] = []
        for text in texts:
            finds += timed(lambda t=text, e=entity: search.find(e, t, 25), args.rounds)
            kind = "works" if entity == "works" else "authors"
            pages += timed(
                lambda t=text, k=kind: client.get("/search", {"q": t, "kind": k}), args.rounds
            )
        every_find += finds
        every_page += pages
        print(
            f"{label:22} {statistics.median(finds):9.1f} {pct(finds, 0.95):9.1f}"
            f" {statistics.median(pages):9.1f} {pct(pages, 0.95):9.1f}"
        )
    print(
        f"{'all of the above':22} {statistics.median(every_find):9.1f}"
        f" {pct(every_find, 0.95):9.1f} {statistics.median(every_page):9.1f}"
        f" {pct(every_page, 0.95):9.1f}"
    )
    looks = []
    for value in ids:
        looks += timed(lambda v=value: client.get("/search", {"q": v}), args.rounds)
    print(
        f"{'identifier (redirect)':22} {'':9} {'':9} {statistics.median(looks):9.1f}"
        f" {pct(looks, 0.95):9.1f}"
    )
    prefixes = [t.split()[0][: rng.randint(3, 6)] for t in full] + [t[:5] for t in titles]
    typed = []
    for text in prefixes:
        typed += timed(lambda t=text: client.get("/search/suggest", {"q": t}), args.rounds)
    print(
        f"{'suggest (as typed)':22} {'':9} {'':9} {statistics.median(typed):9.1f}"
        f" {pct(typed, 0.95):9.1f}"
    )

    def before(text: str) -> list[int]:
        q = Q()
        for word in text.split():
            q &= Q(title__icontains=word)
        return list(
            Work.objects.filter(q).order_by("-year", "id").values_list("pk", flat=True)[:25]
        )

    sample = titles[:3]
    old = [t for text in sample for t in timed(lambda t=text: before(t), 1)]
    new = [t for text in sample for t in timed(lambda t=text: search.find("works", t, 25), 1)]
    was, now = statistics.median(old), statistics.median(new)
    print(
        f"baseline, 3 title queries: icontains {was:.0f} ms, index {now:.1f} ms ({was / now:.0f}x)"
    )
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
