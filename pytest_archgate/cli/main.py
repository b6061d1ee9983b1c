"""The ``archgate`` command line. Each command calls the same library functions as the plugin.

Errors a user can cause end in one line on stderr and a non-zero exit, never a traceback.

The command line starts without importing pytest, numpy or any command it does not run: the
sub-commands are listed from :data:`GROUPS` (names and help lines), and only the module of the
command being run is imported to register its arguments and handler (``archgate list`` and
``archgate lint`` need the ADR parser and PyYAML, nothing else). ``tests/test_overhead_imports.py``
checks both the imports and that the listed help lines are the registered ones.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_archgate import escape
from pytest_archgate.errors import ArchgateError, CommandError

if TYPE_CHECKING:
    from pytest_archgate.adr.log import AdrLog

Handler = Callable[[argparse.Namespace], int]


def _load(args: argparse.Namespace) -> AdrLog:
    from pathlib import Path

    from pytest_archgate.adr.config import resolve_adr_dir
    from pytest_archgate.adr.log import load_log

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
        import json

        text = json.dumps([a.summary() for a in log], indent=2, default=str)
        # "##[" can only occur inside a JSON string, where \u005b is the same "["
        sys.stdout.write(text.replace("##[", "##\\u005b") + "\n")
    else:
        # report.table, not report.text: the text renderer imports the whole view layer
        from pytest_archgate.report.table import table, text_table

        rows = [[a.id, a.status, a.date or "", a.title[:60], a.file] for a in log]
        for line in text_table(table(["ADR", "status", "date", "title", "file"], rows)):
            print(line)
    # errors break gating (exit 1); warnings concern files used only as records (exit 0)
    for err in log.errors:
        print(escape.line(f"error: {err}"), file=sys.stderr)
    for warning in log.warnings:
        print(escape.line(f"warning: {warning}"), file=sys.stderr)
    return 1 if log.errors else 0


def cmd_lint(args: argparse.Namespace) -> int:
    from pytest_archgate.adr.lint import lint_issues

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


class CommandGroup(NamedTuple):
    """Commands registered by one module of :mod:`pytest_archgate.cli`, imported on use.

    ``commands`` are the (name, help line) pairs the module's ``register`` adds, in its order:
    what ``archgate --help`` lists without importing the module. (A NamedTuple, not a
    dataclass: defining one costs far less at every start.)
    """

    module: str
    commands: tuple[tuple[str, str], ...]

    def register(
        self, subparsers: Any, add_common: Callable[..., None], chosen: str | None
    ) -> None:
        """The module's own parsers when ``chosen`` is one of its commands, else stand-ins."""
        if chosen in {name for name, _help in self.commands}:
            module = importlib.import_module(f"pytest_archgate.cli.{self.module}")
            module.register(subparsers, add_common)
            return
        for name, help_line in self.commands:
            # never parsed: argparse parses only the chosen command, and that one is real
            subparsers.add_parser(name, help=help_line)


GROUPS: tuple[CommandGroup, ...] = (
    CommandGroup(
        "authoring",
        (
            ("new", "create the next ADR from a template"),
            ("accept", "accept a proposed ADR on the evidence of a report"),
            ("supersede", "mark an ADR superseded by a newer one"),
        ),
    ),
    CommandGroup("diff", (("diff", "compare the ADRs at a git revision with the working tree"),)),
    CommandGroup(
        "merge",
        (("merge", "merge the reports of several jobs into one and judge every ADR again"),),
    ),
    CommandGroup(
        "comment", (("comment", "post or update the ADR status comment on a pull request"),)
    ),
    CommandGroup(
        "report",
        (("report", "write the decision package (HTML and/or Markdown) from a JSON report"),),
    ),
    CommandGroup(
        "history",
        (
            (
                "history",
                "show each criterion's value and interval over the reports of past runs, "
                "with steps",
            ),
        ),
    ),
)


def _chosen(argv: Sequence[str]) -> str | None:
    """The command named on the command line: its first word that is not an option.

    The top level has only ``--help`` and ``--version``, neither takes a value, so the first
    other word is the command (or a mistyped one, which argparse then refuses).
    """
    return next((w for w in argv if not w.startswith("-")), None)


def _columns() -> int:
    """The terminal width by :func:`shutil.get_terminal_size`'s rule: ``$COLUMNS``, else the
    terminal of standard output, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, given its width so that it does not import :mod:`shutil`.

    argparse creates a formatter for every argument it adds, and the formatter asks
    :func:`shutil.get_terminal_size` for the width: importing shutil (with zlib, bz2 and lzma)
    was a tenth of the start-up that ``archgate list`` adds to the interpreter (issue 12).
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(
            prog, indent_increment, max_help_position, _columns() - 2 if width is None else width
        )


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser (and every sub-command's) that uses :class:`_Formatter`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``archgate`` parser; with ``argv``, only the command named there is imported.

    Without ``argv`` every command is imported and registered in full (documentation, tests);
    :func:`main` passes its arguments, so a command starts without importing the others.
    """
    from pytest_archgate import __version__

    parser = _Parser(
        prog="archgate",
        description="Architecture decisions with acceptance criteria, checked by pytest.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )

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

    chosen = _chosen(argv) if argv is not None else None
    for register in _extensions():
        if isinstance(register, CommandGroup):
            name = register.commands[0][0] if argv is None else chosen
            register.register(sub, _add_common, name)
        else:  # a plain register function (tests register one module this way)
            register(sub, _add_common)
    return parser


def _extensions() -> list[CommandGroup | Callable[..., object]]:
    """The other command groups, one module each under :mod:`pytest_archgate.cli`."""
    return list(GROUPS)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(words)
    args = parser.parse_args(words)
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
