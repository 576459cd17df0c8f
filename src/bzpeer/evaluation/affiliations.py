"""``bzpeer evaluate affiliations``: the matcher against ROR's gold strings.

Gold: ROR's Springer set (``[{"affiliation", "ror_ids": [...]}]``) or its
names set (``[{"affiliation", "ror-id"}]``). The registry: ROR dump files
(``--registry``, read with the ROR importer's parser, nothing written), or
the institutions already in the catalog.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from bzpeer.catalog.identifiers import parse_ror
from bzpeer.evaluation.goldsets import existing_path
from bzpeer.ingest.files import CountingReader, expand, open_streams
from bzpeer.ingest.records import ParsedInstitution
from bzpeer.ingest.sources import SOURCES
from bzpeer.resolve.affiliations import InstitutionIndex, Org


@dataclass(frozen=True)
class AffiliationReport:
    strings: int
    registry: int
    covered: int  # gold strings whose every ROR id is in the registry
    correct: int  # the best match is one of the gold ids (no match when gold is empty)
    correct_covered: int
    predicted: int  # strings given any institution
    seconds: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.strings if self.strings else 0.0

    @property
    def accuracy_covered(self) -> float:
        return self.correct_covered / self.covered if self.covered else 0.0


def registry_from_files(paths: list[str]) -> list[Org]:
    source = SOURCES["ror"]
    orgs: list[Org] = []
    for path in expand(paths):
        with open(path, "rb") as raw:
            for label, stream in open_streams(path, CountingReader(raw)):
                for chunk in source.chunks(label, stream, ()):
                    try:
                        records = source.parse(chunk)
                    except ValueError:
                        continue  # a malformed registry record: the importer quarantines it
                    for r in records:
                        if isinstance(r, ParsedInstitution) and r.ref.ror:
                            orgs.append(
                                Org(
                                    len(orgs) + 1,
                                    r.ref.ror,
                                    r.ref.name,
                                    r.ref.country,
                                    r.aliases,
                                    r.acronyms,
                                    r.labels,
                                )
                            )
    return orgs


def load_gold(path: str | Path) -> list[tuple[str, frozenset[str]]]:
    data = orjson.loads(existing_path(path).read_bytes())
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of {affiliation, ror_ids} objects")
    out = []
    for row in data:
        ids = row.get("ror_ids")
        if ids is None:
            ids = [row["ror-id"]] if row.get("ror-id") else []
        out.append((str(row["affiliation"]), frozenset(filter(None, map(parse_ror, ids)))))
    return out


def evaluate_affiliations(gold_path: str | Path, registry: list[str]) -> AffiliationReport:
    start = time.perf_counter()
    gold = load_gold(gold_path)
    index = InstitutionIndex(registry_from_files(registry)) if registry else None
    if index is None:
        index = InstitutionIndex.from_catalog()
    known = {org.ror for org in index.orgs.values()}
    covered = correct = correct_covered = predicted = 0
    for text, ids in gold:
        matches = index.match(text)
        best = matches[0].org.ror if matches else None
        predicted += bool(matches)
        right = (best in ids) if ids else best is None
        correct += right
        if ids and ids <= known:
            covered += 1
            correct_covered += right
    return AffiliationReport(
        strings=len(gold),
        registry=len(index.orgs),
        covered=covered,
        correct=correct,
        correct_covered=correct_covered,
        predicted=predicted,
        seconds=time.perf_counter() - start,
    )


def format_affiliations(report: AffiliationReport) -> str:
    return "\n".join(
        [
            f"strings     {report.strings:,}; registry {report.registry:,} ROR records",
            f"accuracy    {report.accuracy:.3f} ({report.correct:,} right; "
            f"{report.predicted:,} given an institution)",
            f"covered     {report.covered:,} strings whose gold ids are in the registry: "
            f"accuracy {report.accuracy_covered:.3f}",
            f"seconds     {report.seconds:.2f}",
            "note: the best match must be one of the gold ROR ids; an empty gold list "
            "expects no match",
        ]
    )
