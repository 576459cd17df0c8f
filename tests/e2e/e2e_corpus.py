"""The hostile corpus and the pages the browser suite visits.

The records shipped in ``tests/fixtures/hostile/`` (see its README) are
imported here through the real importers, one file per run so that a file an
importer cannot take does not keep the others out, together with the
100,000-character records this module writes (too big to ship four times).
Every string a stranger wrote carries the marker ``Zyxhostile``, so a page's
stranger-provided text can be told from the site's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
MARKER = "Zyxhostile"
EMAIL = "fnelson@nm-aist.ac.tz"
PWN = "window.__pwned=1;alert(1)"
RLO = "\u202e"
LONG = 100_000

# The names the shipped records give their authors (tests/fixtures/hostile/README.md).
NELSON = f'Zyxhostile <img src=x onerror="{PWN}"> Nelson'
RTL = f"Zyxhostile Evil{RLO}Override"  # an unclosed right-to-left override
TRENT = "Trent Zyxhostile Plain"  # the name after RTL in every author list
LONG_NAME_START = f"{MARKER}Longname"

# (source, file under tests/fixtures/hostile, options), in import order.
SHIPPED: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("openalex", "openalex/works.jsonl", {}),
    ("openalex", "openalex/authors-page.json", {}),
    ("crossref", "crossref/work.json", {}),
    ("crossref", "crossref/items.json", {}),
    ("arxiv", "arxiv/listing-2401.txt", {}),
    ("arxiv", "arxiv/2401.99002.abs", {}),
    ("arxiv", "arxiv/oai-2401.xml", {}),
    ("arxiv", "arxiv/snapshot-2401.jsonl", {}),
    ("bibtex", "bibtex/hostile.bib", {}),
    # A raw NUL byte (dropped); refused whole: a javascript: DOI, a javascript: ORCID.
    ("bibtex", "bibtex/nul-byte.bib", {}),
    ("openalex", "openalex/refused.jsonl", {}),
    # NUL characters written as JSON escapes, in titles, names, abstracts and venues.
    ("openalex", "openalex/nul.jsonl", {}),
    ("arxiv", "arxiv/nul-snapshot.jsonl", {}),
)


def write_long_records(folder: Path) -> list[tuple[str, Path, dict[str, str]]]:
    """Records whose title, names, abstract, venue, affiliation and URLs are
    100,000 characters long, in four sources' formats; (source, path, options)."""
    unbroken = (MARKER + "Unbroken" * LONG)[:LONG]  # one word: it cannot wrap

    def title(source: str) -> str:  # one each: equal titles would make one work
        return (f"{MARKER}{source}Title" + source * LONG)[:LONG]

    spaced = (MARKER + " many short words" * LONG)[:LONG]
    name = (LONG_NAME_START + "x" * LONG)[:LONG]
    http = ("https://example.org/" + "a" * LONG)[:LONG]
    script = (f"javascript:{PWN}//" + "a" * LONG)[:LONG]
    folder.mkdir(parents=True, exist_ok=True)

    def openalex_work(number: int, title: str, author: str) -> dict[str, object]:
        return {
            "id": f"https://openalex.org/W99000004{number}",
            "title": title,
            "display_name": title,
            "publication_year": 2024,
            "type": "article",
            "primary_location": {
                "landing_page_url": http,
                "pdf_url": script,
                "source": {
                    "id": "https://openalex.org/S990000040",
                    "display_name": unbroken,
                    "type": "journal",
                },
            },
            "authorships": [
                {
                    "author": {
                        "id": f"https://openalex.org/A99000004{number}",
                        "display_name": author,
                    },
                    "raw_author_name": author,
                    "raw_affiliation_strings": [unbroken],
                },
                {"author": {"display_name": RTL}, "raw_affiliation_strings": [spaced]},
                {"author": {"display_name": TRENT}},
            ],
            "abstract_inverted_index": {unbroken: [0], spaced: [1]},
            "topics": [
                {
                    "id": "https://openalex.org/T990040",
                    "display_name": unbroken,
                    "score": 0.9,
                    "field": {"id": "https://openalex.org/fields/999", "display_name": unbroken},
                }
            ],
        }

    # The first line is over 64 KiB: the importer still reads the file as lines.
    openalex = folder / "long-openalex.jsonl"
    openalex.write_text(
        json.dumps(openalex_work(0, title("Openalex"), name))
        + "\n"
        + json.dumps(openalex_work(1, spaced, spaced))
        + "\n",
        encoding="utf-8",
    )
    crossref = folder / "long-crossref.json"
    crossref.write_text(
        json.dumps(
            {
                "status": "ok",
                "message-type": "work",
                "message": {
                    "DOI": "10.5555/zyxhostile.long",
                    "type": "journal-article",
                    "title": [title("Crossref")],
                    "author": [
                        {"given": name, "family": "", "affiliation": [{"name": unbroken}]},
                        {"given": RTL, "family": ""},
                        {"given": "Trent", "family": "Zyxhostile Plain"},
                    ],
                    "container-title": [unbroken],
                    "abstract": f"<jats:p>{spaced}</jats:p>",
                    "published": {"date-parts": [[2024, 6, 1]]},
                    "URL": script,
                },
            }
        ),
        encoding="utf-8",
    )
    bibtex = folder / "long.bib"
    bibtex.write_text(
        f"@article{{zyxhostilelong,\n  title = {{{title('Bibtex')}}},\n"
        f"  author = {{{name} and {RTL} and {TRENT}}},\n  journal = {{{unbroken}}},\n"
        f"  year = {{2024}},\n  url = {{{script}}},\n  abstract = {{{spaced}}},\n}}\n",
        encoding="utf-8",
    )
    arxiv = folder / "long-arxiv-snapshot.jsonl"
    arxiv.write_text(
        json.dumps(
            {
                "id": "2401.99007",
                "authors": f"{MARKER} Longarxiv, {RTL}, {TRENT}",
                "title": title("Arxiv"),
                "journal-ref": unbroken,
                "categories": "cs.CR",
                "abstract": spaced,
                "versions": [{"version": "v1", "created": "Sun, 7 Jan 2024 10:00:00 GMT"}],
                "authors_parsed": [
                    ["Longarxiv", MARKER, unbroken],
                    [f"Evil{RLO}Override", MARKER, ""],
                    ["Zyxhostile Plain", "Trent", ""],
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return [
        ("openalex", openalex, {}),
        ("crossref", crossref, {}),
        ("bibtex", bibtex, {}),
        ("arxiv", arxiv, {}),
    ]


@dataclass
class ImportReport:
    """What importing the corpus did: each file's outcome, and failures."""

    outcomes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def import_corpus(long_folder: Path) -> ImportReport:
    """Import every hostile file through ``run_import``, then resolve authors
    (what ``bzpeer import`` and ``bzpeer resolve`` do)."""
    from bzpeer.ingest.pipeline import run_import
    from bzpeer.resolve.authors import resolve_authors

    report = ImportReport()
    files = [(source, HOSTILE / path, options) for source, path, options in SHIPPED]
    for source, path, options in [*files, *write_long_records(long_folder)]:
        label = f"{source} {path.name}"
        try:
            stats = run_import(source, [str(path)], options, show_progress=False, resolve=False)
        except Exception as exc:
            report.failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        s = stats.stats
        report.outcomes.append(f"{label}: {s.new} new, {s.quarantined} quarantined")
    try:
        resolve_authors()
    except Exception as exc:
        report.failures.append(f"resolve: {type(exc).__name__}: {str(exc)[:300]}")
    return report


# A query that tries to break out of the search box and the results heading.
REFLECTED_QUERY = f'"><script>{PWN}</script><img src=x onerror="{PWN}"> {MARKER} {RLO}'


@dataclass(frozen=True)
class Page:
    """A page to visit: ``target`` is a path, or what ``locate`` turns into one."""

    key: str
    target: str
    status: int = 200
    shows: str = MARKER  # text the page must show (it is about the hostile records)


# Hostile works by the source record that holds them.
WORKS = {
    "work-main": "openalex:W990000001",  # OpenAlex, Crossref and BibTeX versions
    "work-breakout": "openalex:W990000002",
    "work-data-url": "openalex:W990000003",
    "work-tab-in-scheme": "openalex:W990000004",
    "work-control-char-scheme": "openalex:W990000005",
    "work-upper-data-url": "openalex:W990000006",
    "work-entity-scheme": "openalex:W990000007",
    "work-nul-title": "openalex:W990000020",
    "work-nul-venue": "openalex:W990000021",
    "work-long-unbroken": "openalex:W990000040",
    "work-long-spaced": "openalex:W990000041",
    "work-crossref": "crossref:10.5555/zyxhostile.crossref",
    "work-crossref-long": "crossref:10.5555/zyxhostile.long",
    "work-bibtex-data-url": "bibtex:zyxhostile2023data:",
    "work-bibtex-javascript": "bibtex:zyxhostile2022js:",
    "work-bibtex-long": "bibtex:zyxhostilelong:",
    "work-arxiv-listing": "arxiv:2401.99001",
    "work-arxiv-legend": "arxiv:2401.99003",
    "work-arxiv-abs": "arxiv:2401.99002",
    "work-arxiv-oai": "arxiv:2401.99004",
    "work-arxiv-snapshot": "arxiv:2401.99005",
    "work-arxiv-nul": "arxiv:2401.99006",
    "work-arxiv-long": "arxiv:2401.99007",
}

PAGES: tuple[Page, ...] = (
    Page("home", "/", shows=""),
    Page("search", f"/?q={MARKER}"),
    Page("search-reflected", "/?q=" + quote(REFLECTED_QUERY)),
    Page("profile-nelson", "author:nelson"),  # the e-mail affiliation, hostile co-authors
    Page("profile-rtl", "author:rtl"),
    Page("profile-svg", "author:svg"),  # institutions from an OpenAlex author entity
    Page("profile-long-name", "author:long"),
    *(Page(key, f"work:{record}") for key, record in WORKS.items()),
    Page("topic-hostile", "topic:openalex:T990001"),
    Page("topic-hostile-field", "topic:openalex:fields/999"),
    Page("institution-hostile", "institution:I990000001"),  # from the OpenAlex authorships
    Page("venue-hostile", "venue:S990000001"),
    Page("not-found", f"/{MARKER}/%3Cscript%3E{quote(PWN)}%3C/script%3E", status=404, shows=""),
    Page("not-found-researcher", f"/researchers/{MARKER.lower()}-nobody", status=404, shows=""),
    Page("login", "/accounts/login/", shows=""),
    Page("signup", "/accounts/signup/", shows=""),
    Page("password-reset", "/accounts/password/reset/", shows=""),
    Page("api-docs", "/api/v1/docs", shows=""),
    Page("demo-profile", "/researchers/tianlong-chen", shows="Tianlong Chen"),
    Page("demo-work", "demo:work", shows="Tianlong Chen"),
)


def locate(target: str) -> str:
    """The path of a page named by what it shows (see ``Page.target``)."""
    from bzpeer.catalog.models import (
        Author,
        AuthorshipMention,
        Institution,
        SourceRecord,
        Topic,
        Venue,
    )
    from bzpeer.resolve.corrections import survivor_of

    if target.startswith("/"):
        return target
    kind, _, what = target.partition(":")
    if kind == "work":
        source, _, external = what.partition(":")
        record = (
            SourceRecord.objects.filter(source=source, external_id__startswith=external)
            .select_related("version")
            .order_by("id")
            .first()
        )
        if record is None:
            raise LookupError(f"{what} was not imported (quarantined or refused?)")
        return f"/works/{record.version.work_id}"
    if kind == "author":
        mentions = AuthorshipMention.objects.exclude(author=None).order_by("id")
        author = {
            "nelson": lambda: mentions.filter(raw_name=NELSON).first(),
            "rtl": lambda: mentions.filter(raw_name=RTL).first(),
            "long": lambda: mentions.filter(raw_name__startswith=LONG_NAME_START).first(),
            "svg": lambda: Author.objects.filter(openalex_id="A990000004").first(),
        }[what]()
        if author is None:
            raise LookupError(f"no author record for the {what!r} hostile name")
        if isinstance(author, AuthorshipMention):
            author = author.author
        return f"/researchers/{survivor_of(author).slug}"
    if kind == "topic":
        return f"/topics/{Topic.objects.get(external_id=what).pk}"
    if kind == "institution":
        return f"/institutions/{Institution.objects.get(openalex_id=what).pk}"
    if kind == "venue":
        return f"/sources/{Venue.objects.get(openalex_id=what).pk}"
    if target == "demo:work":
        chen = Author.objects.get(slug="tianlong-chen")
        mention = AuthorshipMention.objects.filter(author=chen).order_by("work_id").first()
        assert mention is not None
        return f"/works/{mention.work_id}"
    raise ValueError(target)


def stranger_strings(target: str) -> list[str]:
    """Record text on a demo page that has no marker: the names and title it shows."""
    from bzpeer.catalog import queries
    from bzpeer.catalog.models import Author, Work

    if target == "/researchers/tianlong-chen":
        chen = Author.objects.get(slug="tianlong-chen")
        return [chen.display_name]
    if target == "demo:work":
        work = Work.objects.get(pk=int(locate(target).rsplit("/", 1)[1]))
        names = [a.name for a in queries.author_lists([work.pk]).get(work.pk, [])]
        return [work.title, *[n for n in names if len(n) >= 8]]
    return []
