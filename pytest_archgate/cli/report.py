"""``archgate report``: argument parsing for the decision package (HTML and Markdown)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_archgate import escape
from pytest_archgate.errors import CommandError
from pytest_archgate.report.html import render_html
from pytest_archgate.safe_io import write_text_atomic


def cmd_report(args: argparse.Namespace) -> int:
    """``archgate report REPORT.json --html OUT.html [--md OUT.md] [--base BASE.json]
    [--history PATH]``."""
    from pytest_archgate.report.load import load_report
    from pytest_archgate.report.md_package import render_markdown

    if not args.html and not args.md:
        raise CommandError("nothing to write: give --html OUT.html and/or --md OUT.md")
    source = Path(args.report)
    outputs: list[tuple[str, Path, Callable[..., str]]] = []
    if args.html:
        outputs.append(("--html", Path(args.html), render_html))
    if args.md:
        outputs.append(("--md", Path(args.md), render_markdown))
    # an output must not overwrite an input (the report or the base report) or the other output
    inputs = [(source, "the input report")]
    if args.base:
        inputs.append((Path(args.base), "the base report"))
    written: list[tuple[Path, str]] = []
    for flag, path, _ in outputs:
        for other, what in [*inputs, *written]:
            if path.resolve() == other.resolve():
                raise CommandError(f"{path} is {what}; choose another file", field=flag)
        if path.is_dir():
            raise CommandError(f"{path} is a folder; give a file name", field=flag)
        written.append((path, f"the {flag} output too"))
    report = load_report(source)
    base = load_report(args.base) if args.base else None
    history = None
    if args.history:
        from pytest_archgate.cli.history import read_history

        args.history_paths = args.history
        history = read_history(args, extra=[(str(source), report)])
    for flag, path, render in outputs:
        kwargs: dict[str, Any] = {"base": base, "out_dir": path.parent, "history": history}
        if render is render_html:
            kwargs["charts"] = args.charts
        text = render(report, **kwargs)  # the loader checked every field the renderers read
        try:
            write_text_atomic(path, text)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}", field=flag) from None
        print(escape.line(f"wrote {path}"), file=sys.stdout)
    return 0


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    add_common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add ``archgate report`` (``add_common`` is unused: the command reads no ADR folder)."""
    del add_common
    p = subparsers.add_parser(
        "report",
        help="write the decision package (HTML and/or Markdown) from a JSON report",
        description="Render a JSON report written by --archgate-report as a self-contained "
        "HTML page and/or Markdown. Exit 0 on success, 2 on bad input.",
    )
    p.add_argument("report", metavar="REPORT.json", help="report written by --archgate-report")
    p.add_argument("--html", metavar="OUT.html", help="write the HTML decision package here")
    p.add_argument("--md", metavar="OUT.md", help="write the Markdown variant here")
    p.add_argument(
        "--base", metavar="BASE.json", help="an earlier report: add the changes since it"
    )
    p.add_argument(
        "--history",
        action="append",
        metavar="PATH",
        help="reports of past runs (a file or a folder; repeatable): add each criterion's "
        "history, with the report itself as the latest run",
    )
    p.add_argument(
        "--charts",
        choices=("auto", "matplotlib", "svg"),
        default="auto",
        help="chart engine of the HTML: matplotlib when installed (auto), or built-in SVG",
    )
    p.set_defaults(handler=cmd_report)
