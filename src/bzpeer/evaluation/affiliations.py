"""``bzpeer evaluate affiliations``: the matcher against labelled affiliation strings.

Gold formats (told apart by their columns or keys):

- ROR's JSON sets: Springer (``[{"affiliation", "ror_ids": [...]}]``) or
  names (``[{"affiliation", "ror-id"}]``);
- CSV ``affiliation, ror_id`` (ROR's Crossref publisher assertions, Springer
  and logs sets; ``NP`` or empty = no ROR id, several ids split by ";");
- CSV ``original_affiliation, labels, split`` (S2AFF; ``--split`` keeps one);
- CSV ``raw_affiliation_string, label`` or ``ORG, CITY, COUNTRY, label``
  (AffilGood; ``Name {https://ror.org/...}`` joined by "|").

The registry: ROR dump files (``--registry``, read with the ROR importer's
parser, nothing written), or the registry the project ships.
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from bzpeer.catalog.identifiers import parse_ror
from bzpeer.evaluation.goldsets import existing_path
from bzpeer.ingest.files import CountingReader, expand, open_streams
from bzpeer.ingest.records import ParsedInstitution
from bzpeer.ingest.sources import SOURCES
from bzpeer.resolve.affiliation_names import Org, with_children
from bzpeer.resolve.affiliations import InstitutionIndex
from bzpeer.resolve.ror_registry import shipped_index

_ROR = re.compile(r"(?:ror\.org/|^|[\s;,{|'\"])(0[a-hj-km-np-tv-z0-9]{6}[0-9]{2})(?![a-z0-9])")

Gold = list[tuple[str, frozenset[str]]]


@dataclass(frozen=True)
class AffiliationReport:
    strings: int
    registry: int
    covered: int  # strings with gold ids, every one in the registry
    correct: int  # the best match is one of the gold ids (no match when gold is empty)
    correct_covered: int
    predicted: int  # strings given any institution
    seconds: float
    true_positives: int = 0  # over covered strings and strings with no gold id
    false_positives: int = 0
    false_negatives: int = 0
    empty: int = 0  # strings with no gold id
    correct_empty: int = 0  # ... given no institution

    @property
    def accuracy(self) -> float:
        return self.correct / self.strings if self.strings else 0.0

    @property
    def accuracy_covered(self) -> float:
        return self.correct_covered / self.covered if self.covered else 0.0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 0.0


def registry_from_files(paths: list[str]) -> list[Org]:
    source = SOURCES["ror"]
    parsed: list[ParsedInstitution] = []
    seen = {""}  # a record in two dumps (v1 and v2) is read from the first
    for path in expand(paths):
        with open(path, "rb") as raw:
            for label, stream in open_streams(path, CountingReader(raw)):
                for chunk in source.chunks(label, stream, ()):
                    try:
                        records = source.parse(chunk)
                    except ValueError:
                        continue  # a malformed registry record: the importer quarantines it
                    for r in records:
                        if isinstance(r, ParsedInstitution) and r.ref.ror not in seen:
                            seen.add(r.ref.ror or "")
                            parsed.append(r)
    # children counted over every record, withdrawn ones included
    orgs = with_children(
        Org(
            number,
            r.ref.ror or "",
            r.ref.name,
            r.ref.country,
            r.aliases,
            r.acronyms,
            r.labels,
            r.city,
            r.types,
            tuple(t for kind, t, _ in r.relationships if kind == "parent"),
        )
        for number, r in enumerate(parsed, start=1)
    )
    return [org for org, r in zip(orgs, parsed, strict=True) if r.status != "withdrawn"]


def ror_ids(text: str) -> frozenset[str]:
    return frozenset(filter(None, (parse_ror(m) for m in _ROR.findall(text or ""))))


def load_gold(path: str | Path, split: str | None = None) -> Gold:
    data = existing_path(path).read_bytes()
    if data.lstrip()[:1] in (b"[", b"{"):
        return _json_gold(data)
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    columns = set(rows.fieldnames or ())
    out: Gold = []
    for row in rows:
        if split and row.get("split") not in (None, split):
            continue
        if {"affiliation", "ror_id"} <= columns:
            out.append((row["affiliation"], ror_ids(row["ror_id"])))
        elif {"original_affiliation", "labels"} <= columns:
            out.append((row["original_affiliation"], ror_ids(row["labels"])))
        elif {"raw_affiliation_string", "label"} <= columns:
            out.append((row["raw_affiliation_string"], ror_ids(row["label"])))
        elif {"ORG", "COUNTRY", "label"} <= columns:
            text = ", ".join(row[c] for c in ("ORG", "CITY", "COUNTRY") if row.get(c))
            out.append((text, ror_ids(row["label"])))
        else:
            raise ValueError(f"unknown affiliation gold columns: {sorted(columns)}")
    return out


def _json_gold(data: bytes) -> Gold:
    rows = orjson.loads(data)
    if not isinstance(rows, list):
        raise ValueError("expected a JSON list of {affiliation, ror_ids} objects")
    out = []
    for row in rows:
        ids = row.get("ror_ids")
        if ids is None:
            ids = [row["ror-id"]] if row.get("ror-id") else []
        out.append((str(row["affiliation"]), frozenset(filter(None, map(parse_ror, ids)))))
    return out


def evaluate_affiliations(
    gold_path: str | Path, registry: list[str] | None = None, split: str | None = None
) -> AffiliationReport:
    start = time.perf_counter()
    gold = load_gold(gold_path, split)
    index = InstitutionIndex(registry_from_files(registry)) if registry else shipped_index()
    return score_gold(index, gold, start)


def score_gold(index: InstitutionIndex, gold: Gold, start: float) -> AffiliationReport:
    known = set(index.by_ror)
    covered = correct = correct_covered = predicted = tp = fp = fn = empty = correct_empty = 0
    for text, ids in gold:
        matches = index.match(text)
        found = {m.org.ror for m in matches}
        best = matches[0].org.ror if matches else None
        predicted += bool(matches)
        right = (best in ids) if ids else best is None
        correct += right
        if not ids:
            empty += 1
            correct_empty += right
            fp += len(found)
        elif ids <= known:
            covered += 1
            correct_covered += right
            tp += len(found & ids)
            fp += len(found - ids)
            fn += len(ids - found)
    return AffiliationReport(
        strings=len(gold),
        registry=len(index.orgs),
        covered=covered,
        correct=correct,
        correct_covered=correct_covered,
        predicted=predicted,
        seconds=time.perf_counter() - start,
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        empty=empty,
        correct_empty=correct_empty,
    )


def format_affiliations(report: AffiliationReport) -> str:
    return "\n".join(
        [
            f"strings     {report.strings:,}; registry {report.registry:,} ROR records",
            f"accuracy    {report.accuracy:.3f} ({report.correct:,} right; "
            f"{report.predicted:,} given an institution)",
            f"covered     {report.covered:,} strings whose gold ids are in the registry: "
            f"accuracy {report.accuracy_covered:.3f}",
            f"no gold id  {report.empty:,} strings, {report.correct_empty:,} given none",
            f"institutions precision {report.precision:.3f}, recall {report.recall:.3f} "
            "(every institution returned, on covered strings and those with no gold id)",
            f"seconds     {report.seconds:.2f}",
            "note: the best match must be one of the gold ROR ids; an empty gold list "
            "expects no match",
        ]
    )
