"""``bzpeer enrich``: topics for unlabelled works, then every trust snapshot."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bzpeer.catalog import revision

from .affiliations import AffiliationReport, enrich_affiliations
from .assign import Placer, TopicReport, enrich_topics


@dataclass(frozen=True)
class EnrichReport:
    topics: list[TopicReport]
    topic_seconds: float
    affiliations: AffiliationReport
    authors: int
    snapshots: int
    trust_seconds: float


def enrich(show_progress: bool = True, placer: Placer | None = None) -> EnrichReport:
    """Topics (``placer``: the works' placement on a cluster), affiliations,
    trust snapshots."""
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
        reports = enrich_topics(lambda text: progress.update(step, description=text), placer)
        revision.bump()  # cached summaries count topics
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


def _limit(p: float) -> str:
    return f"p >= {p:.2f}" if p <= 1 else "none (never reaches it)"


def summary(report: EnrichReport) -> str:
    lines = []
    for r in report.topics:
        t = r.thresholds
        lines.append(
            f"topics: {r.labelled:,} labelled works ({r.from_openalex:,} placed by OpenAlex, "
            f"the rest by their arXiv category), {r.classes} OpenAlex fields and subfields learned"
        )
        lines.append(
            f"  the model's thresholds for precision >= 0.9 on held-out works: subfield "
            f"{_limit(t.subfield)}, field {_limit(t.field)}; it abstains below similarity "
            f"{t.similarity:.3f} or {t.known:.0%} known words"
        )
        for name, s in (
            ("field", r.field),
            ("subfield", r.subfield),
            ("field, OpenAlex-placed works only", r.openalex_field),
            ("former naive Bayes (p >= 0.7), field", r.naive_bayes),
            ("former naive Bayes, OpenAlex-placed works only", r.naive_bayes_openalex),
        ):
            lines.append(
                f"  held-out {name}: precision {s.precision:.3f} ({s.correct:,}/{s.shown:,}), "
                f"coverage {s.coverage:.0%} of {s.held_out:,}"
            )
        lines.append(
            f"  venue names: precision {r.venue.precision:.3f} on the {r.venue.shown:,} "
            "labelled works whose venue names a discipline"
        )
        lines.append(
            f"  works no source places: {r.mapped:,} by their arXiv category, "
            f"{r.by_venue:,} by their venue, {r.by_model:,} by the model, "
            f"{r.abstained:,} left unplaced"
        )
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
