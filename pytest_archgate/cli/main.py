"""The ``archgate`` command line. Each command calls the same library functions as the plugin.

Errors a user can cause end in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pytest_archgate import escape
from pytest_archgate.adr.config import resolve_adr_dir
from pytest_archgate.adr.lint import lint_issues
from pytest_archgate.adr.log import AdrLog, load_log
from pytest_archgate.errors import ArchgateError, CommandError
from pytest_archgate.report.text import table

Handler = Callable[[argparse.Namespace], int]


def _load(args: argparse.Namespace) -> AdrLog:
    directory, _root = resolve_adr_dir(args.adr_dir)
    if directory is None:
        raise CommandError(
            "no ADR folder found (looked for adr, docs/adr, doc/adr, docs/decisions); "
            "pass --adr-dir DIR"
        )
    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "does not exist"
        raise CommandError(f"ADR folder {directory} {what}", field="--adr-dir")
    return load_log(directory, root=Path.cwd())


def cmd_list(args: argparse.Namespace) -> int:
    log = _load(args)
    if args.format == "json":
        text = json.dumps([a.summary() for a in log], indent=2, default=str)
        # "##[" can only occur inside a JSON string, where \u005b is the same "["
        sys.stdout.write(text.replace("##[", "##\\u005b") + "\n")
    else:
        rows = [[a.id, a.status, a.date or "", a.title[:60], a.file] for a in log]
        for line in table(rows, ["ADR", "status", "date", "title", "file"]):
            print(line)
    # errors break gating (exit 1); warnings concern files used only as records (exit 0)
    for err in log.errors:
        print(escape.line(f"error: {err}"), file=sys.stderr)
    for warning in log.warnings:
        print(escape.line(f"warning: {warning}"), file=sys.stderr)
    return 1 if log.errors else 0


def cmd_lint(args: argparse.Namespace) -> int:
    log = _load(args)
    issues = lint_issues(log)
    for issue in issues:
        print(escape.line(str(issue)))
    errors = sum(1 for i in issues if i.severity == "error")
    warnings = len(issues) - errors
    if not issues:
        print(escape.line(f"{len(log)} ADRs in {log.directory}: no problems"))
    elif not errors:
        print(escape.line(f"{len(log)} ADRs in {log.directory}: {warnings} warning(s), no errors"))
    return 1 if errors or (args.strict and warnings) else 0


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--adr-dir",
        metavar="DIR",
        help="ADR folder (default: $ARCHGATE_ADR_DIR, else the archgate_adr_dir ini key of the "
        "pytest configuration found from here, as pytest resolves it)",
    )


def build_parser() -> argparse.ArgumentParser:
    from pytest_archgate import __version__

    parser = argparse.ArgumentParser(
        prog="archgate",
        description="Architecture decisions with acceptance criteria, checked by pytest.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("list", help="list the ADRs with their status")
    _add_common(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser(
        "lint",
        help="check every ADR: one 'file:line: error|warning: message' line per problem; "
        "exit 1 on errors (what breaks gating)",
    )
    _add_common(p)
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on warnings (log hygiene) too",
    )
    p.set_defaults(handler=cmd_lint)

    for register in _extensions():
        register(sub, _add_common)
    return parser


def _extensions() -> list[Callable[..., object]]:
    """The other command groups, one module each under :mod:`pytest_archgate.cli`."""
    from pytest_archgate.cli import authoring, comment, diff, merge, report

    registers: list[Callable[..., object]] = [
        authoring.register,
        diff.register,
        merge.register,
        comment.register,
        report.register,
    ]
    return registers


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except ArchgateError as exc:
        print(escape.line(f"archgate {args.command}: error: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # a full disk, a read-only output folder, a folder where a file should be: one line
        # naming the path, never a traceback (commands that write ADRs say more, see authoring)
        where = f"{exc.filename}: " if exc.filename else ""
        reason = exc.strerror or exc.__class__.__name__
        print(
            escape.line(f"archgate {args.command}: error: {where}{reason}; nothing more was done"),
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
