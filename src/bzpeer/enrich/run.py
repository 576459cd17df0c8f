"""``bzpeer enrich``: topics for unlabelled works, then every trust snapshot."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .affiliations import AffiliationReport, enrich_affiliations
from .assign import TopicReport, enrich_topics


@dataclass(frozen=True)
class EnrichReport:
    topics: list[TopicReport]
    topic_seconds: float
    affiliations: AffiliationReport
    authors: int
    snapshots: int
    trust_seconds: float


def enrich(show_progress: bool = True) -> EnrichReport:
    from bzpeer.trust.bulk import refresh_all

    progress = Progress(
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not show_progress,
    )
    with progress:
        started = time.perf_counter()
        step = progress.add_task("topics", total=None)
        reports = enrich_topics(lambda text: progress.update(step, description=text))
        progress.update(step, total=1, completed=1, description="topics")
        topic_seconds = time.perf_counter() - started
        places = enrich_affiliations()
        started = time.perf_counter()
        trust = progress.add_task("trust snapshots", total=None)
        authors, created = refresh_all(
            lambda done, total: progress.update(trust, completed=done, total=total)
        )
    return EnrichReport(
        reports, topic_seconds, places, authors, created, time.perf_counter() - started
    )


def summary(report: EnrichReport) -> str:
    lines = []
    for r in report.topics:
        lines.append(
            f"topics ({r.scheme} {r.level}): {r.labelled:,} labelled works, {r.classes} classes; "
            f"held-out accuracy {r.accuracy:.3f} on {r.held_out:,} "
            f"({r.confident:.0%} predicted with p >= 0.7, accuracy {r.confident_accuracy:.3f}); "
            f"{r.assigned:,} unlabelled works given a topic"
        )
    if not report.topics:
        lines.append("topics: no taxonomy has enough labelled works to learn from")
    lines.append(f"topics took {report.topic_seconds:.1f}s")
    a = report.affiliations
    lines.append(
        f"affiliations: {a.mentions:,} authorships with only a raw affiliation "
        f"({a.strings:,} distinct strings) matched against {a.registry:,} ROR institutions: "
        f"{a.linked:,} linked ({a.links:,} links, {a.added:,} institutions added)"
    )
    lines.append(
        f"trust: {report.authors:,} records, {report.snapshots:,} new snapshots "
        f"in {report.trust_seconds:.1f}s"
    )
    return "\n".join(lines)
