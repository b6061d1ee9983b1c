"""``archgate accept``: a proposed ADR becomes accepted only on measured evidence.

The report is checked against the file (same criteria, same commit, the options measured on the
same data, the chosen option passes), then the status, date and decision are set and the
Evidence section (:mod:`pytest_archgate.authoring.evidence`) is appended. ``--override "reason"``
accepts anyway where the evidence falls short, and the reason is recorded.
"""

from __future__ import annotations

import datetime as _dt
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_archgate.adr.log import load_log
from pytest_archgate.authoring import common
from pytest_archgate.authoring.body import append_section, sync_body_status
from pytest_archgate.authoring.common import (
    Refused,
    check_text_argument,
    lookup_adr,
    parse_text,
    read_exact,
)
from pytest_archgate.authoring.evidence import (
    check_stale,
    evidence_section,
    file_bounds,
    fingerprints_per_option,
    judged_rows,
    recommended_option,
    reference_options,
)
from pytest_archgate.authoring.frontmatter import newline_of, set_key
from pytest_archgate.authoring.lock import adr_lock
from pytest_archgate.authoring.write import write_all
from pytest_archgate.errors import CommandError

if TYPE_CHECKING:
    from pytest_archgate.report.schema import Report

MAX_OVERRIDE_CHARS = 2000
"""The longest ``--override`` reason (it is written into the ADR's Evidence section)."""


@dataclass(frozen=True)
class AcceptResult:
    """What ``archgate accept`` did."""

    path: Path
    adr_id: str
    option: str
    overridden: tuple[str, ...] = ()
    recommended: bool = False  # no --option: the report's recommended candidate was taken


def _git_head(directory: Path) -> str | None:
    from pytest_archgate.measure.environment import (
        git_commit,  # imports numpy: only when a report is checked
    )

    return git_commit(directory)


def accept_adr(
    ref: str,
    *,
    directory: Path,
    option: str | None = None,
    report_path: Path | None = None,
    override: str | None = None,
    today: _dt.date | None = None,
    root: Path | None = None,
) -> AcceptResult:
    """Flip proposed ADR ``ref`` to accepted with ``option`` as its decision; see the module doc.

    Raises :class:`Refused` (nothing written) when the ADR is missing or not proposed, the
    option is not one of its options, or the evidence does not support it: no report, a report
    without this ADR or this option, a stale report (other criteria than the file), a report
    from another commit, or an option failing a criterion. ``override`` (a reason) accepts
    anyway for the last three and is recorded in the Evidence section.
    """
    today = today or common.today_date()
    if override is not None and not override.strip():
        raise CommandError("--override needs a reason", field="--override")
    if override is not None:
        override = check_text_argument(
            override, field="--override", what="the reason", max_chars=MAX_OVERRIDE_CHARS
        )
    # Work that does not depend on the ADR is done before taking the lock, to hold it briefly.
    head = _git_head(directory)
    if report_path is not None:
        importlib.import_module("pytest_archgate.report.build")  # verdicts and numpy, unlocked
    with adr_lock(directory):
        return _accept_locked(
            ref,
            directory=directory,
            option=option,
            report_path=report_path,
            override=override,
            today=today,
            root=root,
            head=head,
        )


def _accept_locked(
    ref: str,
    *,
    directory: Path,
    option: str | None,
    report_path: Path | None,
    override: str | None,
    today: _dt.date,
    root: Path | None,
    head: str | None,
) -> AcceptResult:
    log = load_log(directory, root=root)
    adr = lookup_adr(log, ref)
    if adr.status != "proposed":
        raise Refused(
            f"{adr.id} is {adr.status_raw or adr.status}, not proposed; only a proposed ADR can "
            "be accepted",
            file=adr.file,
            line=adr.status_line,
            field="status",
        )
    if adr.format != "madr" or "status" not in adr.front_matter:
        raise Refused(
            "accept edits the status: key of MADR front matter, and this file has none",
            file=adr.file,
            field="status",
        )
    if not adr.options:
        raise Refused(
            "no options to choose from; list them under archgate.options",
            file=adr.file,
            line=adr.archgate_line,
            field="archgate.options",
        )
    if option is not None and option not in adr.options:
        raise Refused(
            f"{option!r} is not one of the options ({', '.join(adr.options)})",
            file=adr.file,
            line=adr.key_lines.get("archgate.options"),
            field="archgate.options",
        )
    text = read_exact(adr.path, adr.file)
    nl = newline_of(text)
    overridden: list[str] = []
    report: Report | None = None
    entry: Mapping[str, Any] | None = None
    report_name: str | None = None
    commit: str | None = None
    commit_source = "not a git checkout"
    from_recommendation = False

    if report_path is None:
        if override is None:
            raise Refused(
                f"no --report: accepting {adr.id} needs measured evidence; pass --report "
                'REPORT.json, or --override "reason" to record that there is none'
            )
        if option is None:
            raise Refused(f"pass --option NAME ({', '.join(adr.options)}): there is no report")
        overridden.append("there is no measured evidence")
        commit, commit_source = head, "working tree HEAD" if head else "not a git checkout"
    else:
        report_name = str(report_path)
        report = _load_report(report_path)  # a bad report is a ReportError: exit 2
        found = [a for a in report["adrs"] if isinstance(a, Mapping) and a.get("id") == adr.id]
        if not found:
            raise Refused(
                f"the report has no entry for {adr.id}; run the tests linked to it with "
                "--archgate-report",
                file=report_name,
            )
        entry = found[0]
        check_stale(adr, entry, report_name)
        rows = judged_rows(entry)
        report_commit = report.get("commit")
        if isinstance(report_commit, str) and report_commit:
            commit, commit_source = report_commit, "from the report"
            if head and not (head.startswith(report_commit) or report_commit.startswith(head)):
                why = f"the report was measured at commit {report_commit[:12]}, HEAD is {head[:12]}"
                if override is None:
                    raise Refused(
                        f'{why}; re-run the benchmarks, or --override "reason"', file=report_name
                    )
                overridden.append(why)
        elif head:
            commit, commit_source = head, "working tree HEAD at acceptance; the report has none"
        per_option = fingerprints_per_option(report, adr.id)
        if len({frozenset(fps) for fps in per_option.values()}) > 1:
            listed = "; ".join(f"{o}: {', '.join(sorted(fps))}" for o, fps in per_option.items())
            why = (
                f"the options of {adr.id} were evaluated on different data ({listed}): "
                "the comparison is not like for like"
            )
            if override is None:
                raise Refused(
                    f'{why}; evaluate every option on the same test set, or --override "reason"',
                    file=report_name,
                )
            overridden.append(why)
        if option is None:
            refs = reference_options(adr)
            option = recommended_option(entry, rows, refs)
            if option is None:
                raise Refused(
                    f"the report recommends no single option for {adr.id}; pass --option NAME "
                    f"({', '.join(adr.options)})",
                    file=report_name,
                )
            if option in refs:
                candidates = [o for o in adr.options if o not in refs]
                # an option a vs criterion compares with cannot be the decision at all (the
                # criterion would compare it with itself): never suggest naming it
                compared = [c.name for c in adr.acceptance if c.vs == option]
                why = (
                    f"{', '.join(compared)} compares with it, so it cannot be the decision;"
                    if compared
                    else f"a reference is never accepted without being named; pass --option "
                    f"{option} to choose it deliberately, or"
                )
                raise Refused(
                    f"the report recommends {option}, {refs[option]}: {why} pass --option "
                    f"NAME for a candidate ({', '.join(candidates)})",
                    file=report_name,
                )
            from_recommendation = True
            if option not in adr.options:
                raise Refused(
                    f"the report recommends {option!r}, which is not one of the options "
                    f"({', '.join(adr.options)})",
                    file=adr.file,
                    field="archgate.options",
                )
        mine = [r for (kind, _n, o), r in rows.items() if o == option and kind == "acceptance"]
        if not mine and adr.acceptance:
            raise Refused(
                f"the report has no criteria judged for option {option!r} of {adr.id}; run the "
                f"tests that measure it (@pytest.mark.archgate({adr.id!r}, option={option!r}))",
                file=report_name,
            )
        judged = {r.name for r in mine}
        missing = [c.name for c in adr.acceptance if c.name not in judged and c.vs != option]
        problems = [r.miss() for r in mine if r.verdict != "pass"] + [
            f"{name} not in the report" for name in missing
        ]
        problems += [
            f"constraint {r.miss()}"
            for (kind, _n, o), r in rows.items()
            if kind == "constraint" and o == option and r.verdict == "fail"
        ]
        if problems:
            why = f"{option} does not meet its criteria ({', '.join(problems)})"
            if override is None:
                raise Refused(f'{why}; pass --override "reason" to accept anyway', file=adr.file)
            overridden.append(why)

    assert option is not None
    edited = set_key(text, ("status",), "accepted", file=adr.file)
    # a body that repeats the status (## Status / - Status:) says the same, or the file would
    # state two statuses that disagree (refused when gated)
    edited = sync_body_status(edited, section="Accepted", bullet="accepted")
    edited = set_key(edited, ("date",), today, file=adr.file)
    edited = set_key(edited, ("archgate", "decision"), option, file=adr.file)
    section = evidence_section(
        adr=adr,
        option=option,
        today=today,
        nl=nl,
        report=report,
        report_name=report_name,
        entry=entry,
        commit=commit,
        commit_source=commit_source,
        override=override,
        overridden=overridden,
    )
    edited = append_section(edited, section, nl)

    after = parse_text(edited, adr.path, adr.file)
    if (
        after.status != "accepted"
        or after.decision != option
        or after.id != adr.id
        or after.title != adr.title
        or file_bounds(after) != file_bounds(adr)
        or after.options != adr.options
    ):  # pragma: no cover - set_key verifies each edit; this guards the whole
        raise CommandError("the edited file does not read back as intended", file=adr.file)
    write_all([(adr.path, edited)])
    return AcceptResult(
        path=adr.path,
        adr_id=adr.id,
        option=option,
        overridden=tuple(overridden),
        recommended=from_recommendation,
    )


def _load_report(path: Path) -> Report:
    from pytest_archgate.report.load import load_report

    return load_report(path)
