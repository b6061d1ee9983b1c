"""``archgate diff``: argument parsing for the criteria diff between two revisions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_archgate import escape
from pytest_archgate.adr.config import resolve_adr_dir
from pytest_archgate.authoring.diff import _one_line, diff_against
from pytest_archgate.errors import CommandError


def cmd_diff(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    directory, _root = resolve_adr_dir(args.adr_dir, cwd)
    if directory is None:
        raise CommandError(
            "no ADR folder found (looked for adr, docs/adr, doc/adr, docs/decisions); "
            "pass --adr-dir DIR"
        )
    if directory.exists() and not directory.is_dir():
        raise CommandError(
            f"ADR folder {_one_line(str(directory))} is a file, not a folder; pass --adr-dir DIR",
            field="--adr-dir",
        )
    try:
        result = diff_against(args.base, directory, cwd=cwd)
    except OSError as exc:  # scratch folder full or unwritable, an unreadable ADR folder...
        from pytest_archgate.authoring.common import os_error

        raise os_error(exc, action="compare the ADRs", unchanged=False) from None
    if args.format == "json":
        text = json.dumps(result.to_json(), indent=2, default=str)
        # "##[" can only occur inside a JSON string, where \u005b is the same "["
        sys.stdout.write(text.replace("##[", "##\\u005b") + "\n")
    else:
        for line in escape.lines(result.to_text()):
            print(line)
    return 1 if args.fail_on_loosened and result.loosened_accepted else 0


def register(subparsers: Any, add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``archgate diff`` to the CLI's sub-commands."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "diff",
        help="compare the ADRs at a git revision with the working tree",
        description=(
            "Show ADRs added, removed or re-statused and criteria loosened, tightened, added or "
            "changed since a git revision."
        ),
    )
    add_common(p)
    p.add_argument("--base", required=True, metavar="REF", help="git revision, e.g. origin/main")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--fail-on-loosened",
        action="store_true",
        help="exit 1 when an ADR accepted at REF is loosened in place (superseding is fine)",
    )
    p.set_defaults(handler=cmd_diff)
