"""Write a SYNTHETIC corpus of N works in OpenAlex snapshot JSON-lines format.

    .venv/bin/python bench/make_corpus.py --works 1000000 --out var/corpus.jsonl.gz

Nothing in it is a real work or person. Its shape is taken from the real
OpenAlex sample in ../shared/data/openalex/openalexPro-works (authors per
work, publication years, work types, topics, surnames), with what a larger
graph has and a 150-work sample cannot show modelled explicitly:

- works per author follow a heavy tail (Pareto, a few very prolific people);
- surnames are shared (Zipf over the sample's surnames), so names collide;
- co-author communities: each work draws most authors from one community;
- each author keeps one ORCID (60% have one) and one OpenAlex id;
- titles come from a word-bigram model of real titles (the arXiv listings,
  the AMiner disambiguation set, the OpenAlex sample), so title heads and
  tails recur as often as real ones do ("The effect of ...", "On the ...").
  ``--titles words`` writes the simpler corpus instead (six of 25 words and
  a number: each 16-letter head shared by about 1,600 works, so work
  matching compares every record with 50 candidates where real titles give
  a few), for comparison.

The generator is seeded, so the same arguments write the same file.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import itertools
import json
import random
import re
import tarfile
from collections import Counter
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared/data"
SAMPLE = SHARED / "openalex/openalexPro-works"
LISTINGS = SHARED / "arxiv/arxiv-browse-listings/arxiv-monthly-listings-astro-ph-2000-2023.tar.gz"
AMINER = SHARED / "disambiguation/aminer-xujunrt/backup_108names"
GIVEN = [
    "Wei",
    "Maria",
    "James",
    "Anna",
    "Li",
    "David",
    "Sara",
    "Jun",
    "Ahmed",
    "Elena",
    "Tianlong",
    "Yuki",
    "Carlos",
    "Priya",
    "Olga",
    "Kwame",
    "Lucas",
    "Mei",
    "Omar",
    "Ines",
]
WORDS = [
    "learning",
    "network",
    "model",
    "analysis",
    "data",
    "neural",
    "graph",
    "sparse",
    "robust",
    "efficient",
    "adaptive",
    "deep",
    "structure",
    "dynamics",
    "quantum",
    "galaxy",
    "protein",
    "climate",
    "language",
    "inference",
    "optimization",
    "training",
    "evaluation",
    "benchmark",
    "theory",
]


def sample_distributions() -> dict[str, list]:
    """Authors per work, years, types, topics and surnames from the real sample."""
    per_work: Counter[int] = Counter()
    years: Counter[int] = Counter()
    types: Counter[str] = Counter()
    topics: dict[str, dict] = {}
    surnames: Counter[str] = Counter()
    for path in sorted(SAMPLE.glob("*.json")):
        for work in json.loads(path.read_text())["results"]:
            authorships = work.get("authorships") or []
            per_work[len(authorships)] += 1
            if work.get("publication_year"):
                years[work["publication_year"]] += 1
            types[work.get("type") or "article"] += 1
            for topic in work.get("topics") or []:
                topics.setdefault(topic["id"], topic)
            for a in authorships:
                name = (a.get("author") or {}).get("display_name") or ""
                if name.split():
                    surnames[name.split()[-1]] += 1
    return {
        "per_work": sorted(per_work.items()),
        "years": sorted(years.items()),
        "types": sorted(types.items()),
        "topics": list(topics.values()),
        "surnames": [s for s, _ in surnames.most_common()],
    }


class Weighted:
    def __init__(self, items: list[tuple[object, float]], rng: random.Random) -> None:
        self.values = [v for v, _ in items]
        self.cumulative = list(itertools.accumulate(w for _, w in items))
        self.rng = rng

    def draw(self) -> object:
        return self.values[bisect.bisect(self.cumulative, self.rng.random() * self.cumulative[-1])]


def real_titles() -> list[str]:
    """Titles of real works: the arXiv listings (astro-ph), AMiner (computer
    science) and the OpenAlex sample."""
    titles: list[str] = []
    listing_title = re.compile(rb"^Title: (.+(?:\n  .+)*)", re.MULTILINE)
    with tarfile.open(LISTINGS) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            raw = tar.extractfile(member) if member.isfile() else None
            if raw is not None:
                text = raw.read()
                titles += [m.decode("utf-8", "replace") for m in listing_title.findall(text)]
    aminer_title = re.compile(r"<title>(.*?)</title>", re.DOTALL)
    for path in sorted(AMINER.glob("*.xml")):
        titles += aminer_title.findall(path.read_text(encoding="utf-8", errors="replace"))
    for path in sorted(SAMPLE.glob("*.json")):
        titles += [w["title"] for w in json.loads(path.read_text())["results"] if w.get("title")]
    return [" ".join(t.split()) for t in titles if t.split()]


class TitleModel:
    """Word bigrams of real titles: a title starts as real titles start and
    each next word (or the end) follows the one before as it does there."""

    END = ""

    def __init__(self, titles: list[str], rng: random.Random) -> None:
        follows: dict[str, Counter[str]] = {}
        for title in titles:
            words = title.split()
            for before, after in zip(["", *words], [*words, self.END], strict=True):
                follows.setdefault(before, Counter())[after] += 1
        self.next = {
            word: Weighted(sorted(counts.items()), rng) for word, counts in follows.items()
        }

    def draw(self) -> str:
        words: list[str] = []
        word = str(self.next[""].draw())
        while word != self.END and len(words) < 40:
            words.append(word)
            word = str(self.next[word].draw())
        return " ".join(words)


def build_authors(n: int, surnames: list[str], rng: random.Random) -> list[dict]:
    zipf = Weighted([(s, 1.0 / (i + 1)) for i, s in enumerate(surnames)], rng)
    people = []
    for i in range(n):
        surname = str(zipf.draw())
        given = rng.choice(GIVEN)
        orcid = None
        if rng.random() < 0.6:
            digits = f"{i:015d}"
            total = 0
            for ch in digits:
                total = (total + int(ch)) * 2
            check = (12 - total % 11) % 11
            last = "X" if check == 10 else str(check)
            d = digits + last
            orcid = f"https://orcid.org/{d[0:4]}-{d[4:8]}-{d[8:12]}-{d[12:16]}"
        people.append(
            {
                "id": f"https://openalex.org/A{9_000_000_000 + i}",
                "display_name": f"{given} {surname}",
                "orcid": orcid,
                "weight": rng.paretovariate(1.2),  # heavy tail of productivity
                "community": i // 40,
            }
        )
    return people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--out", default="var/corpus.jsonl.gz")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--titles",
        choices=["real", "words"],
        default="real",
        help="real: a bigram model of real titles; words: six of 25 words and a number",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    model = TitleModel(real_titles(), random.Random(args.seed)) if args.titles == "real" else None
    dist = sample_distributions()
    per_work = Weighted([(k, v) for k, v in dist["per_work"] if k > 0], rng)
    years = Weighted(dist["years"], rng)
    types = Weighted(dist["types"], rng)
    authors = build_authors(max(args.works // 3, 50), dist["surnames"], rng)
    communities: dict[int, list[dict]] = {}
    for person in authors:
        communities.setdefault(person["community"], []).append(person)
    community_ids = list(communities)
    community_pick = Weighted(
        [(c, sum(p["weight"] for p in communities[c])) for c in community_ids], rng
    )
    topics = dist["topics"]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", compresslevel=1) as sink:
        for n in range(args.works):
            size = min(int(per_work.draw()), 40)
            home = communities[int(community_pick.draw())]
            chosen: dict[str, dict] = {}
            while len(chosen) < size:
                pool = home if rng.random() < 0.85 else authors
                person = rng.choice(pool)
                chosen[person["id"]] = person
            if model is None:
                title_words = rng.sample(WORDS, 6)
                title = " ".join(title_words).capitalize() + f" {n}"
            else:
                title = model.draw()
                title_words = title.split()
            topic = rng.choice(topics) if topics else None
            work = {
                "id": f"https://openalex.org/W{8_000_000_000 + n}",
                "doi": f"https://doi.org/10.99999/synthetic.{n}",
                "title": title,
                "publication_year": int(years.draw()),
                "type": str(types.draw()),
                "primary_location": {
                    "source": {
                        "id": f"https://openalex.org/S{700 + n % 300}",
                        "display_name": f"Synthetic Journal {n % 300}",
                        "type": "journal",
                    }
                },
                "authorships": [
                    {
                        "author_position": "first" if i == 0 else "middle",
                        "author": {
                            "id": p["id"],
                            "display_name": p["display_name"],
                            "orcid": p["orcid"],
                        },
                        "raw_author_name": p["display_name"],
                        "institutions": [],
                        "raw_affiliation_strings": [],
                    }
                    for i, p in enumerate(chosen.values())
                ],
                "topics": [topic] if topic else [],
                "abstract_inverted_index": {w: [i] for i, w in enumerate(title_words)},
            }
            sink.write(json.dumps(work, separators=(",", ":")) + "\n")
    print(f"wrote {args.works:,} synthetic works by {len(authors):,} authors to {out}")


if __name__ == "__main__":
    main()
