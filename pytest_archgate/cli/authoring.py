"""``archgate new|accept|supersede``: arguments of the commands that write to the decision log.

The work is done by :mod:`pytest_archgate.authoring` (``new``, ``accept``, ``supersede``); here
every command's arguments are read, its refusals printed as one line (exit 1) and unexpected
operating-system errors turned into one :class:`~pytest_archgate.errors.CommandError` line (exit 2).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from pytest_archgate import escape
from pytest_archgate.adr.config import resolve_adr_dir
from pytest_archgate.authoring.accept import accept_adr
from pytest_archgate.authoring.common import Refused, os_error, safe_text, shown_path
from pytest_archgate.authoring.new import new_adr
from pytest_archgate.authoring.supersede import supersede_adr
from pytest_archgate.authoring.templates import DEFAULT_TEMPLATE, template_names
from pytest_archgate.errors import ArchgateError, CommandError

Handler = Callable[[argparse.Namespace], int]


def _directory(args: argparse.Namespace, *, create: bool) -> tuple[Path, Path]:
    directory, root = resolve_adr_dir(args.adr_dir)
    if directory is None:
        if not create:
            raise CommandError(
                "no ADR folder found (looked for adr, docs/adr, doc/adr, docs/decisions); "
                "pass --adr-dir DIR"
            )
        directory = root / "adr"
    if not create and not directory.is_dir():
        if directory.exists():
            raise CommandError(
                f"ADR folder {safe_text(str(directory))} is not a folder; pass --adr-dir DIR",
                field="--adr-dir",
            )
        raise CommandError(
            f"ADR folder {safe_text(str(directory))} does not exist", field="--adr-dir"
        )
    return directory, root


def one_line_os_errors(handler: Callable[[argparse.Namespace], int]) -> Handler:
    """Wrap a command so that an operating-system error it did not expect still ends as one
    :class:`CommandError` line (exit 2) naming the path, never as a traceback."""

    @functools.wraps(handler)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except OSError as exc:
            raise os_error(exc, action=f"run archgate {args.command}", unchanged=False) from None

    return wrapped


def _refused(args: argparse.Namespace, exc: ArchgateError) -> int:
    print(escape.line(f"archgate {args.command}: refused: {exc}"), file=sys.stderr)
    return 1


@one_line_os_errors
def cmd_new(args: argparse.Namespace) -> int:
    directory, _root = _directory(args, create=True)
    try:
        path = new_adr(args.title, directory=directory, template=args.template, root=Path.cwd())
    except Refused as exc:
        return _refused(args, exc)
    print(escape.line(shown_path(path)))
    return 0


@one_line_os_errors
def cmd_accept(args: argparse.Namespace) -> int:
    directory, _root = _directory(args, create=False)
    try:
        result = accept_adr(
            args.adr,
            directory=directory,
            option=args.option,
            report_path=Path(args.report) if args.report else None,
            override=args.override,
            root=Path.cwd(),
        )
    except Refused as exc:
        return _refused(args, exc)
    note = " (with --override)" if result.overridden else ""
    if result.recommended:
        note += ", the option the report recommends"
    print(
        escape.line(
            f"{result.adr_id} accepted: decision {result.option}{note} ({shown_path(result.path)})"
        )
    )
    return 0


@one_line_os_errors
def cmd_supersede(args: argparse.Namespace) -> int:
    directory, _root = _directory(args, create=False)
    try:
        old, new = supersede_adr(args.old, args.by, directory=directory, root=Path.cwd())
    except Refused as exc:
        return _refused(args, exc)
    print(escape.line(f"{old.id} superseded by {new.id} ({old.file}, {new.file})"))
    return 0


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    add_common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add ``new``, ``accept`` and ``supersede`` to the ``archgate`` command line."""
    p = subparsers.add_parser("new", help="create the next ADR from a template")
    add_common(p)
    p.add_argument("title", metavar="TITLE", help="the decision's title")
    p.add_argument(
        "--template",
        default=DEFAULT_TEMPLATE,
        metavar="NAME",
        help=f"one of: {', '.join(template_names())} (default: {DEFAULT_TEMPLATE})",
    )
    p.set_defaults(handler=cmd_new)

    p = subparsers.add_parser("accept", help="accept a proposed ADR on the evidence of a report")
    add_common(p)
    p.add_argument("adr", metavar="ADR", help="id (ADR-0003), number or file stem")
    p.add_argument("--option", metavar="NAME", help="the chosen option (default: the report's)")
    p.add_argument("--report", metavar="REPORT.json", help="a report written by --archgate-report")
    p.add_argument(
        "--override",
        metavar="REASON",
        help="accept although the evidence is missing, stale or failing; recorded in the ADR",
    )
    p.set_defaults(handler=cmd_accept)

    p = subparsers.add_parser("supersede", help="mark an ADR superseded by a newer one")
    add_common(p)
    p.add_argument("old", metavar="OLD", help="the ADR being replaced")
    p.add_argument("--by", required=True, metavar="NEW", help="the ADR replacing it")
    p.set_defaults(handler=cmd_supersede)
