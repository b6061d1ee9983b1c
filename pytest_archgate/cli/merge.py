"""``archgate merge``: arguments of merging reports (see :mod:`~pytest_archgate.report.merge`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_archgate import escape
from pytest_archgate.errors import CommandError
from pytest_archgate.report.merge import EXIT_STATUSES, merge_files
from pytest_archgate.safe_io import write_json_atomic


def _setting(name: str, given: object) -> bool | str | None:
    """``given`` (the command's option) > ``ARCHGATE_*`` > the ini key, as in pytest."""
    from pytest_archgate.settings import SettingError, resolve_in_project

    try:
        resolved, _root = resolve_in_project(name, given)
    except SettingError as exc:
        raise CommandError(str(exc)) from None
    return resolved.value


def _strict_setting(args: argparse.Namespace) -> bool:
    """``--strict`` > ``ARCHGATE_STRICT`` > the ``archgate_strict`` ini key, as in pytest."""
    return _setting("strict", True if args.strict else None) is True


def _family_setting(args: argparse.Namespace) -> str:
    """``--family`` > ``ARCHGATE_FAMILY`` > the ``archgate_family`` ini key, as in pytest."""
    return "holm" if _setting("family", getattr(args, "family", None)) == "holm" else "none"


def cmd_merge(args: argparse.Namespace) -> int:
    result = merge_files(
        args.reports,
        fail_on_unmeasured=args.fail_on_unmeasured,
        strict=_strict_setting(args),
        family=_family_setting(args),
    )
    out = Path(args.output)
    try:
        write_json_atomic(out, result.report)
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}", field="--output") from None
    s = result.report.get("summary") or {}  # merge_reports always writes it
    print(
        escape.line(
            f"archgate merge: {len(args.reports)} report(s) -> {out}: {s['adrs']} ADRs "
            f"({s['pass']} pass, {s['fail']} fail, {s['unmeasured']} unmeasured, "
            f"{s['none']} none); {s['enforced_failures']} enforced failure(s)"
        )
    )
    for msg in result.report.get("session_failures") or []:
        print(escape.line(f"FAILED {msg}"))
    for msg in result.report.get("strict_failures") or []:
        print(escape.line(f"FAILED (strict) {msg}"))
    for msg in result.report.get("errors") or []:
        print(escape.line(f"ERROR {msg}"))
    return result.exit_code(fail_on_unmeasured=args.fail_on_unmeasured)


def register(subparsers: Any, add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``archgate merge`` to the CLI's sub-commands."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "merge",
        help="merge the reports of several jobs into one and judge every ADR again",
        description=(
            "Pool the measurements of several archgate reports (CPU and GPU jobs, shards) and "
            "judge every ADR again. Exit statuses: " + EXIT_STATUSES + "."
        ),
    )
    add_common(p)
    p.add_argument("reports", nargs="+", metavar="REPORT", help="archgate JSON reports")
    p.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="where to write the merged report"
    )
    p.add_argument(
        "--fail-on-unmeasured",
        action="store_true",
        help="also exit 1 when an accepted ADR has criteria no job measured",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help=(
            "judge as pytest --archgate-strict: unmeasured criteria and violated constraints of "
            "accepted ADRs fail (also ARCHGATE_STRICT, the archgate_strict ini key, or any "
            "input report written by a strict run)"
        ),
    )
    p.add_argument(
        "--family",
        metavar="none|holm",
        help=(
            "holm: judge each ADR's confidence criteria with Holm's step-down, as pytest "
            "--archgate-family=holm (also ARCHGATE_FAMILY, the archgate_family ini key, or any "
            "input report written by a holm run)"
        ),
    )
    p.set_defaults(handler=cmd_merge)
