"""``bzpeer evaluate``: the resolvers against public gold data (the command's
arguments are declared in ``bzpeer.cli``)."""

from __future__ import annotations

import argparse
import sys
import tarfile
import time

from bzpeer.evaluation.affiliations import evaluate_affiliations, format_affiliations
from bzpeer.evaluation.evaluate import (
    FOLDS,
    PairReport,
    Report,
    WorksReport,
    evaluate_disambiguation,
    evaluate_pairs,
    evaluate_works,
    format_report,
)
from bzpeer.evaluation.goldsets import DISAMBIGUATION_LOADERS, load_medline_pairs


def evaluate(args: argparse.Namespace) -> int:
    """``bzpeer evaluate KIND [--format F] PATH``: print the report; 2 on bad input."""
    start = time.perf_counter()
    report: Report | PairReport | WorksReport
    if args.kind == "affiliations":
        try:
            found = evaluate_affiliations(args.path, args.registry or [], args.split)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"error: {args.path} is not affiliation gold data: {exc}", file=sys.stderr)
            return 2
        print(f"affiliations {args.path}")
        print(format_affiliations(found))
        return 0
    if args.kind == "disambiguation" and getattr(args, "leave_one_out", False):
        from bzpeer.evaluation.lodo import format_lodo, leave_one_out

        print("disambiguation --leave-one-out (every shipped gold set)")
        print(format_lodo(leave_one_out()))
        return 0
    if not args.format or not args.path:
        print("error: give --format and a path (or --leave-one-out)", file=sys.stderr)
        return 2
    try:
        if args.kind == "works":
            load, report = 0.0, evaluate_works(args.path)
        elif args.format == "medline-pairs":
            pairs = load_medline_pairs(args.path)
            load, report = time.perf_counter() - start, evaluate_pairs(pairs)
        else:
            records = DISAMBIGUATION_LOADERS[args.format](args.path)
            load = time.perf_counter() - start
            report = evaluate_disambiguation(records, folds=args.folds or FOLDS)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError, TypeError, tarfile.TarError) as exc:
        print(f"error: {args.path} is not {args.format} gold data: {exc}", file=sys.stderr)
        return 2
    print(f"{args.kind} --format {args.format} {args.path}")
    print(format_report(report, load))
    return 0
