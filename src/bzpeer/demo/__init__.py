"""The bundled demo data set, loaded through the real importers."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OWNER = "Tianlong Chen"

# (source, paths relative to DATA, options) in load order.
STEPS: tuple[tuple[str, tuple[str, ...], dict[str, str]], ...] = (
    ("ror", ("ror",), {}),
    ("openalex", ("openalex/entities", "openalex/works"), {}),
    ("crossref", ("crossref",), {}),
    ("dblp", ("dblp",), {}),
    ("arxiv", ("arxiv/abs", "arxiv/snapshot", "arxiv/oai", "arxiv/listings"), {}),
    ("orcid", ("orcid",), {}),
    (
        "bibtex",
        (
            "reference-profile/vita_readme_citations_tianlong_chen.bib",
            "reference-profile/listing-works-citations.bib",
        ),
        {"owner": OWNER},
    ),
    ("manual", ("reference-profile/requested_papers.json",), {"owner": OWNER}),
    ("listing", ("reference-profile/works-as-listed.jsonl",), {"owner": OWNER}),
)


def load_demo(force: bool = False, show_progress: bool = True) -> bool:
    """Load the demo records unless the catalog already holds works."""
    from bzpeer.catalog.models import Work
    from bzpeer.ingest.pipeline import run_import
    from bzpeer.ingest.resolution import resolve_and_refresh

    if Work.objects.exists() and not force:
        print("demo data already loaded (use --force to load again)")
        return False
    for source, paths, options in STEPS:
        result = run_import(
            source,
            [str(DATA / p) for p in paths],
            options,
            show_progress=show_progress,
            resolve=False,
        )
        s = result.stats
        print(
            f"{source}: {s.new} new, {s.updated} updated, {s.unchanged} unchanged, "
            f"{s.quarantined} quarantined, {s.skipped} skipped"
        )
    stats = resolve_and_refresh()
    print(f"authors: {stats.authors_created} records from {stats.assigned} mentions")
    from bzpeer.enrich.run import enrich, summary

    print(summary(enrich(show_progress=show_progress)))
    return True
