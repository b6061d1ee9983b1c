"""``archgate lint``: every problem of a decision log, with its severity.

``error``: it breaks gating (the plugin would refuse the log); ``warning``: log hygiene.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pytest_archgate.adr.log import AdrLog
from pytest_archgate.adr.model import STATUSES, Adr
from pytest_archgate.errors import AdrError
from pytest_archgate.measure.estimate import short_repr

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LintIssue:
    """One problem of a decision log. ``error``: it breaks gating; ``warning``: log hygiene."""

    severity: Severity
    file: str
    line: int | None
    message: str  # "field: message"

    @property
    def text(self) -> str:
        """``file:line: field: message``, the form of every archgate error."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


def _issue(severity: Severity, exc: AdrError) -> LintIssue:
    field_ = f"{exc.field}: " if exc.field else ""
    return LintIssue(severity, exc.file or "?", exc.line, f"{field_}{exc.message}")


def lint_issues(log: AdrLog) -> list[LintIssue]:
    """Every problem in a decision log, with its severity."""
    issues = [_issue("error", e) for e in log.errors]
    issues += [_issue("warning", e) for e in log.warnings]
    for adr in log.adrs:
        if adr.has_archgate and not adr.criteria:
            issues.append(
                LintIssue(
                    "error",
                    adr.file,
                    adr.archgate_line or 1,
                    "archgate: no acceptance criteria or constraints: nothing can be checked",
                )
            )
        if adr.status == "accepted" and adr.has_archgate and adr.acceptance and not adr.decision:
            issues.append(
                LintIssue(
                    "error",
                    adr.file,
                    adr.archgate_line or 1,
                    "archgate.decision: an accepted ADR with criteria must name the option it "
                    "chose",
                )
            )
        if not adr.has_archgate and adr.status == "unknown" and adr.status_raw:
            issues.append(
                LintIssue(
                    "warning",
                    adr.file,
                    adr.status_line or 1,
                    f"status: {short_repr(adr.status_raw)} is not one of {', '.join(STATUSES)}; "
                    "read as "
                    "unknown",
                )
            )
        if adr.superseded_by and log.successor(adr) is None:
            severity: Severity = "error" if adr.has_archgate else "warning"
            ambiguous = len(log.candidates(adr.superseded_by)) > 1
            why = "which names several ADRs" if ambiguous else "which is not in the log"
            issues.append(
                LintIssue(
                    severity,
                    adr.file,
                    adr.status_line or 1,
                    f"status: superseded by {adr.superseded_by!r}, {why}",
                )
            )
    issues.extend(_supersede_cycles(log))
    return issues


def lint_log(log: AdrLog) -> list[str]:
    """The errors of a decision log, one line each (``file:line: field: message``; empty when
    nothing breaks gating). :func:`lint_issues` has the warnings too."""
    return [i.text for i in lint_issues(log) if i.severity == "error"]


def _supersede_cycles(log: AdrLog) -> list[LintIssue]:
    problems: list[LintIssue] = []
    reported: set[str] = set()
    for start in log.adrs:
        chain: list[Adr] = []
        seen: set[int] = set()
        cur: Adr | None = start
        while cur is not None and id(cur) not in seen:
            chain.append(cur)
            seen.add(id(cur))
            cur = log.successor(cur)
        if cur is not None and cur.id not in reported:
            cycle = chain[chain.index(cur) :]
            reported.update(a.id for a in cycle)
            path = " -> ".join(a.id for a in [*cycle, cur])
            severity: Severity = "error" if any(a.has_archgate for a in cycle) else "warning"
            problems.append(
                LintIssue(
                    severity, cur.file, cur.status_line or 1, f"status: supersede cycle {path}"
                )
            )
    return problems
