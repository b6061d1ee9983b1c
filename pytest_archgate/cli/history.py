"""``archgate history``: each criterion's value and interval over the reports of past runs."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pytest_archgate import escape
from pytest_archgate.errors import CommandError, ReportError
from pytest_archgate.report.history import (
    History,
    git_commit_order,
    history_table,
    load_history,
    run_table,
    step_lines,
)

if TYPE_CHECKING:
    from pytest_archgate.report.schema import Report

HELP = "show each criterion's value and interval over the reports of past runs, with steps"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def _alpha(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and 0 < value < 1):
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def read_history(args: argparse.Namespace, extra: Sequence[tuple[str, Report]] = ()) -> History:
    """The history of the reports at ``args.history_paths`` (``archgate report`` and
    ``comment`` use this too, with their own report in ``extra``), with one warning line per
    skipped file on stderr."""
    commits = (
        git_commit_order(rev=args.git_rev) if getattr(args, "order", "time") == "git" else None
    )
    history = load_history(
        args.history_paths,
        strict=getattr(args, "strict_history", False),
        commits=commits,
        last=getattr(args, "last", None),
        alpha=getattr(args, "alpha", 0.01),
        extra=extra,
    )
    for s in history.skipped:
        print(escape.line(f"warning: {s.file}: {s.reason}; skipped"), file=sys.stderr)
    return history


def cmd_history(args: argparse.Namespace) -> int:
    """``archgate history PATH... [--json] [--full] [--adr ID] [--last N]``."""
    args.history_paths = args.paths
    history = read_history(args)
    if not history.runs:
        raise ReportError(
            f"no report to show ({len(history.skipped)} file(s) skipped); "
            "pass the reports of past runs (--archgate-report files)"
        )
    if args.adr:
        history.criteria = [c for c in history.criteria if c.adr == args.adr]
        if not history.criteria:
            raise CommandError(f"no criterion of {args.adr} in these reports", field="--adr")
    if args.json:
        text = json.dumps(history.to_json(), indent=2, allow_nan=False)
        # "##[" can only occur inside a JSON string, where \u005b is the same "["
        sys.stdout.write(text.replace("##[", "##\\u005b") + "\n")
        return 0
    first, final = history.runs[0], history.runs[-1]
    print(
        escape.line(
            f"{len(history.runs)} run(s) from {first.generated_at} ({first.label}) to "
            f"{final.generated_at} ({final.label}); {len(history.skipped)} file(s) skipped"
        )
    )
    for line in history_table(history):
        print(line)
    for line in step_lines(history):
        print(line)
    if args.full:
        for c in history.criteria:
            print()
            print(escape.line(c.label))
            for line in run_table(history, c):
                print(line)
    return 0


def add_history_options(p: argparse.ArgumentParser) -> None:
    """The options that say which runs make the history (shared with report and comment)."""
    p.add_argument(
        "--order",
        choices=("time", "git"),
        default="time",
        help="order the runs by their generated_at (time), or by the first-parent history of "
        "--git-rev in the git repository here, then by time (git; runs of other commits are "
        "skipped)",
    )
    p.add_argument(
        "--git-rev", default="HEAD", metavar="REV", help="the revision --order git follows"
    )
    p.add_argument(
        "--last",
        type=_positive,
        default=100,
        metavar="N",
        help="keep the latest N runs (default: 100)",
    )
    p.add_argument(
        "--alpha",
        type=_alpha,
        default=0.01,
        metavar="A",
        help="the chance of one or more false steps in a flat series (default: 0.01)",
    )
    p.add_argument(
        "--strict-history",
        action="store_true",
        help="refuse a report file the loader refuses (default: skip it with a warning)",
    )


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    add_common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add ``archgate history`` (``add_common`` is unused: the command reads no ADR folder)."""
    del add_common
    p = subparsers.add_parser(
        "history",
        help=HELP,
        description="Read the JSON reports of past runs (files, or folders searched for *.json) "
        "and show each criterion's value and interval over them, with the steps where it "
        "moved beyond its intervals. Exit 0, or 2 on bad input.",
    )
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="report files or folders of report files"
    )
    p.add_argument("--json", action="store_true", help="write the history as JSON")
    p.add_argument("--full", action="store_true", help="also list every run of every criterion")
    p.add_argument("--adr", metavar="ID", help="only this ADR's criteria")
    add_history_options(p)
    p.set_defaults(handler=cmd_history)
