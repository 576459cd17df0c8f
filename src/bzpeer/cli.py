"""The ``bzpeer`` command: migrate, import, quarantine, resolve, demo, serve."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured as ImproperlyConfiguredError


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    import django

    django.setup()


def cmd_init(args: argparse.Namespace) -> int:
    """Create the data folder and its secret key; safe to run again. Runs
    before Django (the settings need the key): the folder comes from
    ``home.home_dir``, the one reading of ``BZPEER_HOME`` settings also use."""
    from bzpeer.home import SECRET_FILE, ensure_secret, home_dir

    var_dir = home_dir(os.environ) / "var"
    if ensure_secret(var_dir):
        print(f"wrote a new secret key to {var_dir / SECRET_FILE}")
    elif args.verbose:
        print(f"{var_dir / SECRET_FILE} is already there")
    return 0


# Commands that work without a migrated database.
_NO_DATABASE = {"init", "migrate", "evaluate", "serve", "restore", "digest"}


def _database_missing() -> str:
    """Why the catalog cannot be used ('' when it can): a command run before
    ``bzpeer migrate`` says which command to run instead of failing on a
    missing table."""
    from django.conf import settings
    from django.db import connection
    from django.db.utils import OperationalError

    from bzpeer.catalog.models import Work

    try:
        tables = connection.introspection.table_names()
    except OperationalError as exc:
        return f"cannot open the database ({exc})"
    if Work._meta.db_table in tables:
        return ""
    where = settings.DATABASES["default"]["NAME"]
    return f"the database {where} has no BZPEER tables yet: run `bzpeer migrate` first"


def _options(args: argparse.Namespace) -> dict[str, str]:
    return {"owner": args.owner} if getattr(args, "owner", None) else {}


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from bzpeer.catalog import revision
    from bzpeer.search import index

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    call_command("createcachetable", verbosity=0)  # settings.CACHES: shared by the workers
    # An upgrade may change what is cached: nothing cached before it is read again.
    revision.bump()
    if not index.is_built():  # a catalog from before the search index: index it once
        _reindex(quiet=False)
    return 0


def _reindex(quiet: bool) -> None:
    from functools import partial

    from django.db.models import Model
    from rich.progress import Progress

    from bzpeer.search import index

    with Progress(disable=quiet, transient=True) as bar:
        for entity, doc in index.DOCUMENTS.items():
            model: type[Model] = doc.model
            task = bar.add_task(f"indexing {entity}", total=model._default_manager.count())
            index.rebuild(entity, progress=partial(bar.advance, task))


def _warm(quiet: bool) -> None:
    """The busiest records' pages computed once after a batch (``web.warm``)."""
    from rich.progress import Progress

    from bzpeer.web.warm import warm_busiest

    with Progress(disable=quiet, transient=True) as bar:
        task = bar.add_task("caching the busiest profiles and graph slices", total=None)
        done = warm_busiest(progress=lambda n, total: bar.update(task, completed=n, total=total))
    if done.records:
        print(f"cached the {done.records} busiest records' pages in {done.seconds:.1f}s")


def cmd_reindex(args: argparse.Namespace) -> int:
    """Build the search index again from the catalog."""
    _reindex(args.quiet)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bzpeer.ingest.pipeline import run_import

    console = Console(stderr=True)
    if args.background:
        from bzpeer.ingest.tasks import enqueue_import

        try:
            run = enqueue_import(args.source, args.paths, _options(args))
        except FileNotFoundError as exc:
            console.print(f"[red]error:[/] {exc}")
            return 2
        print(f"queued import run #{run.pk}; a worker runs it: bzpeer worker")
        return 0
    from bzpeer.cluster.engine import ClusterError, stand_ins

    try:
        with stand_ins(args.cluster) as on:
            result = run_import(
                args.source, args.paths, _options(args), show_progress=not args.quiet, **on
            )
    except (FileNotFoundError, ClusterError) as exc:
        console.print(f"[red]error:[/] {exc}")
        return 2
    s = result.stats
    rate = s.records / result.seconds if result.seconds else 0.0
    print(
        f"{args.source}: {s.new} new, {s.updated} updated, {s.unchanged} unchanged, "
        f"{s.quarantined} quarantined, {s.skipped} skipped "
        f"in {result.seconds:.1f}s ({rate:,.0f} records/s); "
        f"authors resolved in {result.resolve_seconds:.1f}s"
    )
    if s.quarantined:
        print("see them with: bzpeer quarantine list")
    _warm(args.quiet)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from bzpeer.ingest.sync import SyncError, sync

    try:
        result = sync(
            args.source,
            author=args.author,
            query=args.query,
            since=args.since,
            limit=args.limit,
            progress=print,
        )
    except SyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    where = "all fetched" if result.finished else "the next sync continues where this one stopped"
    print(f"{args.source}: {result.pages} page(s), {result.records} records fetched; {where}")
    if result.imported:
        s = result.imported.stats
        print(
            f"{args.source}: {s.new} new, {s.updated} updated, {s.unchanged} unchanged, "
            f"{s.quarantined} quarantined, {s.skipped} skipped "
            f"(import run #{result.imported.run_id})"
        )
    if result.error:
        print(f"error: {result.error}", file=sys.stderr)
        return 1
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from bzpeer.catalog.models import Quarantine
    from bzpeer.ingest.pipeline import retry_quarantine

    if args.action == "retry":
        fixed, still = retry_quarantine(args.source)
        print(f"{fixed} imported, {still} still quarantined")
        return 0
    rows = Quarantine.objects.filter(resolved_at__isnull=True).order_by("id")
    if args.source:
        rows = rows.filter(source=args.source)
    count = 0
    for row in rows:
        count += 1
        print(f"#{row.pk}\t{row.source}\t{row.locator}\t{row.reason}")
    print(f"{count} record(s) in quarantine")
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from bzpeer.ingest.models import ImportRun

    for run in ImportRun.objects.all()[: args.limit]:
        print(
            f"#{run.pk}\t{run.source}\t{run.status}\t{run.records} records "
            f"({run.new} new, {run.updated} updated, {run.unchanged} unchanged, "
            f"{run.quarantined} quarantined)\t{run.seconds:.1f}s\tresumed {run.resumed}x"
        )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    # every queue settings.TASKS declares: imports and trust ("default"), e-mail ("alerts")
    queues = ",".join(settings.TASKS["default"]["QUEUES"])
    call_command("db_worker", batch=args.batch, no_reload=True, queue_name=queues)
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    """Send the e-mail alerts that are due (``social.alerts.deliver``): run it
    from cron for weekly alerts when nothing is imported."""
    from bzpeer.social.alerts import deliver

    done = deliver()
    print(f"{done.sent} alert{'s' if done.sent != 1 else ''} sent, {done.works} works listed")
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from bzpeer.cluster.engine import ClusterError, stand_ins
    from bzpeer.ingest.resolution import resolve_and_refresh

    try:
        with stand_ins(args.cluster) as on:
            stats = resolve_and_refresh(clusterer=on.get("clusterer"))
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{stats.assigned} mentions assigned, {stats.authors_created} author records created")
    _warm(quiet=False)
    return 0


def cmd_authors(args: argparse.Namespace) -> int:
    """Corrections of author records: merge, move/split, remove, undo, list."""
    import getpass

    from bzpeer.catalog.models import AuthorCorrection
    from bzpeer.catalog.queries import find_author, find_work
    from bzpeer.curation import corrections

    actor = args.by or f"cli:{getpass.getuser()}"

    def author(ref: str) -> Any:
        found = find_author(ref)
        if found is None:
            raise corrections.CorrectionError(f"no author record {ref!r}")
        return found

    def works(refs: list[str]) -> list[int]:
        found = [find_work(r) for r in refs]
        missing = [r for r, w in zip(refs, found, strict=True) if w is None]
        if missing:
            raise corrections.CorrectionError(f"no work {', '.join(missing)}")
        return [w.pk for w in found if w is not None]

    try:
        if args.action != "list" and not args.author:
            raise corrections.CorrectionError(f"{args.action} needs a record (or a number)")
        if args.action == "list":
            rows = AuthorCorrection.objects.select_related("author", "target").order_by("-id")
            if args.author:
                rows = rows.filter(author=author(args.author[0]))
            for c in rows[:100]:
                state = f"undone {c.undone_at:%Y-%m-%d} by {c.undone_by}" if c.undone_at else ""
                target = f" -> A{c.target_id}" if c.target_id else ""
                print(
                    f"#{c.pk} {c.created_at:%Y-%m-%d %H:%M} {c.kind} A{c.author_id}{target} "
                    f"({len(c.authorships)} authorships) by {c.actor}: {c.reason} {state}".rstrip()
                )
            return 0
        if args.action == "undo":
            number = args.author[0].lstrip("#")
            found = (
                AuthorCorrection.objects.filter(pk=int(number)).first()
                if number.isdigit()
                else None
            )
            if found is None:
                raise corrections.CorrectionError(f"no correction {args.author[0]}")
            corrections.undo(found, actor)
            print(f"undid #{found.pk}")
            return 0
        if not args.reason:
            raise corrections.CorrectionError("say why: --reason")
        first = author(args.author[0])
        if args.action == "merge":
            if len(args.author) != 2:
                raise corrections.CorrectionError("merge needs two records: FROM INTO")
            done = corrections.merge(first, author(args.author[1]), actor, args.reason)
        elif args.action == "move":
            receiver = author(args.to) if args.to else None
            done = corrections.move(first, works(args.works), actor, args.reason, receiver)
        else:
            done = corrections.remove(first, works(args.works), actor, args.reason)
    except (corrections.CorrectionError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"#{done.pk} {done.kind}: {len(done.authorships)} authorships; A{done.author_id}", end="")
    print(f" -> A{done.target_id}" if done.target_id else "")
    return 0


def cmd_enrich(args: argparse.Namespace) -> int:
    from bzpeer.cluster.engine import ClusterError, stand_ins
    from bzpeer.enrich.run import enrich, summary

    try:
        with stand_ins(args.cluster, topics=True) as on:
            report = enrich(show_progress=not args.quiet, placer=on.get("placer"))
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary(report))
    _warm(args.quiet)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from bzpeer.evaluation.command import evaluate

    return evaluate(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from bzpeer.demo import load_demo

    load_demo(force=args.force, show_progress=not args.quiet)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """``bzpeer backup PATH`` and ``bzpeer restore --yes PATH``."""
    from bzpeer.backup import BackupError, backup, restore

    restoring = args.command == "restore"
    if restoring and not args.yes:
        print("error: restore replaces everything in the database; add --yes", file=sys.stderr)
        return 2
    try:
        (restore if restoring else backup)(Path(args.path))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'restored from' if restoring else 'backed up to'} {args.path}")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from bzpeer.backup import digest

    for table, rows, sha in digest(content_only=args.content):
        print(f"{table}\t{rows}\t{sha}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    argv = [
        str(gunicorn),
        "bzpeer.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
    ]
    os.execv(argv[0], argv)
    return 0  # pragma: no cover


def build_parser() -> argparse.ArgumentParser:
    """The command line; Django must be set up (defaults come from settings)."""
    from django.conf import settings

    from bzpeer.ingest.sources import SOURCES
    from bzpeer.ingest.sync import SYNC_SOURCES

    parser = argparse.ArgumentParser(prog="bzpeer", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "init", help="create the data folder and a random secret key (once)"
    ).set_defaults(func=cmd_init)
    sub.add_parser("migrate", help="create or update the database schema").set_defaults(
        func=cmd_migrate
    )
    imp = sub.add_parser(
        "import",
        help="import files, folders, .gz or .tar.gz of one source",
        description="\n".join(f"{n}: {s.summary}" for n, s in SOURCES.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("source", choices=sorted(SOURCES))
    imp.add_argument("paths", nargs="+")
    imp.add_argument("--owner", help="whose publication list this is (bibtex, manual, listing)")
    imp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    imp.add_argument("--background", action="store_true", help="queue it for `bzpeer worker`")
    imp.add_argument(
        "--cluster",
        metavar="ADDRESS",
        default=settings.BZPEER_CLUSTER,
        help="parse and cluster on this Dask scheduler (the [cluster] extra; BZPEER_CLUSTER)",
    )
    imp.set_defaults(func=cmd_import)
    syn = sub.add_parser("sync", help="fetch new records from a live source and import them")
    syn.add_argument("source", choices=SYNC_SOURCES)
    syn.add_argument("--author", help="name, OpenAlex id or ORCID iD (orcid: the ORCID iD)")
    syn.add_argument("--query", help="search text; arxiv: OAI set; ror: name or ROR id")
    syn.add_argument("--since", help="records updated since YYYY-MM-DD")
    syn.add_argument("--limit", type=int, help="stop after N records; the next sync continues")
    syn.set_defaults(func=cmd_sync)
    quarantine = sub.add_parser("quarantine", help="records that could not be imported")
    quarantine.add_argument("action", choices=["list", "retry"])
    quarantine.add_argument("--source", choices=sorted(SOURCES))
    quarantine.set_defaults(func=cmd_quarantine)
    runs = sub.add_parser("runs", help="recent import runs, with counts and status")
    runs.add_argument("--limit", type=int, default=20)
    runs.set_defaults(func=cmd_runs)
    alerts = sub.add_parser("alerts", help="send the e-mail alerts that are due (for cron)")
    alerts.set_defaults(func=cmd_alerts)
    worker = sub.add_parser("worker", help="run queued imports (django-tasks db_worker)")
    worker.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    worker.set_defaults(func=cmd_worker)
    res = sub.add_parser("resolve", help="assign unresolved mentions to author records")
    res.add_argument(
        "--cluster",
        metavar="ADDRESS",
        default=settings.BZPEER_CLUSTER,
        help="cluster name blocks on this Dask scheduler (BZPEER_CLUSTER)",
    )
    res.set_defaults(func=cmd_resolve)
    authors = sub.add_parser(
        "authors",
        help="correct author records: merge, move (split), remove, undo, list",
        description=(
            "merge FROM INTO: FROM's authorships join INTO and FROM's URL redirects. "
            "move AUTHOR --works W.. [--to TARGET]: to TARGET, or split off into a new "
            "record. remove AUTHOR --works W..: never on AUTHOR again. undo N. "
            "list [AUTHOR]. Records: A12, slug, orcid:..., openalex:...; works: W12, doi:..."
        ),
    )
    authors.add_argument("action", choices=["merge", "move", "remove", "undo", "list"])
    authors.add_argument("author", nargs="*", help="record(s), or the correction number")
    authors.add_argument("--works", nargs="+", default=[], help="works whose authorship moves")
    authors.add_argument("--to", help="move: the record that receives them")
    authors.add_argument("--reason", default="", help="why (kept with the correction)")
    authors.add_argument("--by", help="who makes it (default: cli:<login>)")
    authors.set_defaults(func=cmd_authors)
    enrich = sub.add_parser(
        "enrich", help="place works in the topic taxonomy; link affiliations; recompute trust"
    )
    enrich.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    enrich.add_argument(
        "--cluster",
        metavar="ADDRESS",
        default=settings.BZPEER_CLUSTER,
        help="place works in topics on this Dask scheduler (BZPEER_CLUSTER)",
    )
    enrich.set_defaults(func=cmd_enrich)
    reindex = sub.add_parser("reindex", help="build the search index again from the catalog")
    reindex.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    reindex.set_defaults(func=cmd_reindex)
    demo = sub.add_parser("demo", help="load the bundled demo data (once)")
    demo.add_argument("--force", action="store_true", help="load even if data exists")
    demo.add_argument("-q", "--quiet", action="store_true")
    demo.set_defaults(func=cmd_demo)
    evaluate = sub.add_parser("evaluate", help="measure resolution against public gold data")
    kinds = evaluate.add_subparsers(dest="kind", required=True)
    formats = {
        "disambiguation": [
            "aminer",
            "s2and",
            "inspire",
            "medline-pairs",
            "dblp-bibtex",
            "kim-dblp",
            "lagos-and",
            "lbd",
            "yonsei",
        ],
        "works": ["leipzig"],
    }
    for kind, choices in formats.items():
        one = kinds.add_parser(kind, help=f"{kind} gold data: {', '.join(choices)}")
        lodo = kind == "disambiguation"  # --leave-one-out needs neither format nor path
        one.add_argument("--format", required=not lodo, choices=choices)
        one.add_argument("path", nargs="?" if lodo else None, help="the gold data's file or folder")
        if lodo:
            one.add_argument(
                "--leave-one-out",
                action="store_true",
                help="train on all shipped gold sets but one, score that one, for each",
            )
            one.add_argument(
                "--folds",
                type=int,
                choices=range(2, 21),
                metavar="K",
                help="folds by name for gold names the model trains on (default 5)",
            )
        one.set_defaults(func=cmd_evaluate)
    aff = kinds.add_parser("affiliations", help="gold: raw affiliation string -> ROR ids")
    aff.add_argument(
        "path",
        help="the gold file: ROR JSON (Springer, names) or CSV (Crossref/Springer/logs "
        "affiliation,ror_id; S2AFF; AffilGood)",
    )
    aff.add_argument(
        "--registry",
        nargs="+",
        help="ROR dump files (v1 or v2; default: the registry the project ships)",
    )
    aff.add_argument("--split", help="only the rows of this split (S2AFF: train, val, test)")
    aff.set_defaults(func=cmd_evaluate, format="ror")
    back = sub.add_parser("backup", help="copy the whole database to a file")
    back.add_argument("path", help="the backup file (SQLite database or pg_dump archive)")
    back.set_defaults(func=cmd_backup)
    rest = sub.add_parser("restore", help="replace the database with a backup")
    rest.add_argument("path", help="a file `bzpeer backup` wrote")
    rest.add_argument("--yes", action="store_true", help="yes, replace everything")
    rest.set_defaults(func=cmd_backup)
    dig = sub.add_parser("digest", help="row count and sha256 of every table (compare a restore)")
    dig.add_argument(
        "--content",
        action="store_true",
        help="what two runs of one input must share: no run tables, times or sequences",
    )
    dig.set_defaults(func=cmd_digest)
    serve = sub.add_parser("serve", help="serve the site with gunicorn")
    serve.add_argument("--bind", default=settings.BZPEER_BIND)
    serve.add_argument("--workers", type=int, default=settings.BZPEER_WORKERS)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["init"]:  # before Django: the settings need the secret it writes
        return cmd_init(argparse.Namespace(verbose="-v" in argv[1:]))
    try:
        _setup()
    except ImproperlyConfiguredError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    if args.command not in _NO_DATABASE:
        problem = _database_missing()
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
