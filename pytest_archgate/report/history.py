"""A criterion's history: its value and interval over a series of reports, and where it moved.

``archgate history`` (and the ``--history`` option of ``archgate report`` and ``archgate
comment``) reads the reports of past runs, for instance the ``archgate-report`` artifacts the
composite action uploads on every run, and lines up each criterion over them: one point per
report, ordered by the report's ``generated_at`` (or, with a git commit list, by the commit
order first), with the steps :func:`pytest_archgate.measure.steps.detect_steps` finds.

Every file comes in through the one loader (:func:`~pytest_archgate.report.load.load_report`).
A file the loader refuses is *skipped*, and named in :attr:`History.skipped` with the reason
(the command prints one warning line per file; ``--strict`` makes it an error instead): the
artifacts of old runs are many, written by several archgate versions, and one damaged file
should not hide the others. A folder is searched for ``*.json`` files a few levels deep, never
through a symbolic link to a folder (so a link loop cannot trap the walk), and at most
:data:`MAX_FILES` files are read.

A criterion is identified by its ADR, its name and its option. Its *definition* (metric, bound,
reference option, confidence level, device, kind) is compared from report to report: where it
changed, the series is split there, and each part is its own :class:`CriterionHistory` (steps
are never looked for across a change of definition).

This module renders nothing but plain data and a text table; the HTML, Markdown and comment
renderers draw the histories in their own format.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pytest_archgate.errors import ReportError
from pytest_archgate.measure.distributions import z_value
from pytest_archgate.measure.steps import (
    DEFAULT_ALPHA,
    MAX_POINTS,
    detect_steps,
    standard_error,
)
from pytest_archgate.report.load import load_report
from pytest_archgate.report.schema import AdrEntry, CriterionResult, Estimate, Report

if TYPE_CHECKING:
    from pytest_archgate.report.table import Table

__all__ = [
    "MAX_CHARTS",
    "MAX_DEPTH",
    "MAX_FILES",
    "SPARK",
    "SPARK_POINTS",
    "CriterionHistory",
    "History",
    "Point",
    "Run",
    "Skipped",
    "Step",
    "build_history",
    "chart_rows",
    "charted",
    "find_report_files",
    "git_commit_order",
    "history_table",
    "last_point",
    "load_history",
    "run_table",
    "spark_values",
    "sparkline",
    "step_lines",
    "step_text",
    "summary_table",
]

MAX_FILES = 2000
"""The most report files one history reads (a larger folder is refused with a clear error)."""

MAX_DEPTH = 4
"""How many folder levels below a given folder are searched (artifacts unpack one or two
levels deep)."""

SPARK = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"
"""The eight Unicode block characters of a sparkline, lowest first."""

Direction = Literal["higher", "lower"]

_Z95 = z_value(0.95)


@dataclass(frozen=True, slots=True)
class Run:
    """One report of the series: the file it came from and when and where it was measured."""

    file: str
    commit: str | None
    generated_at: str | None

    @property
    def label(self) -> str:
        """A short name for the run: the commit's first 7 characters, else the date."""
        if self.commit:
            return self.commit[:7]
        return (self.generated_at or "?")[:16]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not used, and why (one line)."""

    file: str
    reason: str


@dataclass(frozen=True, slots=True)
class Point:
    """A criterion in one run: its value and interval (``None`` when unmeasured)."""

    run: int
    value: float | None
    ci: tuple[float, float] | None
    level: float | None
    verdict: str


@dataclass(frozen=True, slots=True)
class Step:
    """A step of a criterion: the level moved from ``before`` to ``after`` at run ``run`` (the
    first run after the step); ``ci`` is the 95% interval of the change, and ``better`` says
    whether it moved the way the bound prefers (``None`` when the bound has no direction)."""

    run: int
    before: float
    after: float
    ci: tuple[float, float]
    better: bool | None

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(slots=True)
class CriterionHistory:
    """One criterion of one option over the runs, under one definition."""

    adr: str
    name: str
    option: str | None
    kind: str | None
    metric: str | None
    bound: str | None
    direction: Direction | None
    bounds: tuple[float, ...] = ()
    """The numeric bounds (``min``, ``max``) of the definition, for charts."""
    part: int = 1
    """1 for the first definition seen, 2 after its first change, ..."""
    points: list[Point] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    noise: str = "none"
    """How the noise of the step fit was known (see :class:`~.measure.steps.Fit`)."""

    @property
    def label(self) -> str:
        """``ADR-0002 roc_auc [gbdt]`` (``(definition 2)`` after a change of definition)."""
        text = f"{self.adr} {self.name}"
        if self.option:
            text += f" [{self.option}]"
        if self.part > 1:
            text += f" (definition {self.part})"
        return text

    def measured(self) -> list[Point]:
        return [p for p in self.points if p.value is not None]


@dataclass(slots=True)
class History:
    """The runs in order, the files skipped, and every criterion's history."""

    runs: list[Run]
    skipped: list[Skipped]
    criteria: list[CriterionHistory]
    alpha: float = DEFAULT_ALPHA

    def to_json(self) -> dict[str, Any]:
        """The history as JSON (``archgate history --json``)."""
        return {
            "schema": "pytest-archgate/history",
            "version": 1,
            "alpha": self.alpha,
            "runs": [
                {"file": r.file, "commit": r.commit, "generated_at": r.generated_at}
                for r in self.runs
            ],
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped],
            "criteria": [
                {
                    "adr": c.adr,
                    "name": c.name,
                    "option": c.option,
                    "kind": c.kind,
                    "metric": c.metric,
                    "bound": c.bound,
                    "direction": c.direction,
                    "definition": c.part,
                    "noise": c.noise,
                    "points": [
                        {
                            "run": p.run,
                            "value": p.value,
                            "ci": list(p.ci) if p.ci else None,
                            "level": p.level,
                            "verdict": p.verdict,
                        }
                        for p in c.points
                    ],
                    "steps": [
                        {
                            "run": s.run,
                            "commit": self.runs[s.run].commit,
                            "before": s.before,
                            "after": s.after,
                            "change": s.change,
                            "ci": list(s.ci),
                            "better": s.better,
                        }
                        for s in c.steps
                    ],
                }
                for c in self.criteria
            ],
        }


# --------------------------------------------------------------------------- finding files


def find_report_files(paths: Iterable[str | Path]) -> list[Path]:
    """The report files named by ``paths``: files as given, folders searched for ``*.json``.

    Folders are walked at most :data:`MAX_DEPTH` levels deep, in name order, without following
    links to folders; at most :data:`MAX_FILES` files in all, else :class:`ReportError`. A path
    that does not exist is a :class:`ReportError` (a typo must not give an empty history)."""
    found: list[Path] = []
    seen: set[str] = set()

    def add(p: Path) -> None:
        key = os.path.normcase(os.path.abspath(p))
        if key in seen:
            return
        seen.add(key)
        found.append(p)
        if len(found) > MAX_FILES:
            raise ReportError(
                f"more than {MAX_FILES} report files; pass a narrower folder or fewer files",
                file=str(p),
            )

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            top = len(p.parts)
            for root, dirs, files in os.walk(p, followlinks=False, onerror=None):
                depth = len(Path(root).parts) - top
                dirs[:] = (
                    sorted(d for d in dirs if not d.startswith(".")) if depth < MAX_DEPTH else []
                )
                for name in sorted(files):
                    if name.endswith(".json"):
                        add(Path(root) / name)
        elif p.exists() or p.is_symlink():
            add(p)
        else:
            raise ReportError("no such file or folder", file=str(p))
    return found


def git_commit_order(cwd: str | Path | None = None, rev: str = "HEAD") -> list[str]:
    """The commits of ``rev``'s first-parent history, oldest first (``git rev-list``).

    A :class:`ReportError` when git is missing, ``cwd`` is not a repository or ``rev`` is
    unknown."""
    if rev.startswith("-"):
        raise ReportError(f"{rev!r} is not a revision", field="--git-rev")
    try:
        proc = subprocess.run(
            ["git", "rev-list", "--first-parent", "--reverse", rev, "--"],
            cwd=cwd,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReportError(f"cannot run git rev-list: {exc}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReportError(f"git rev-list {rev} failed: {message[0] if message else 'no output'}")
    return proc.stdout.decode("ascii", "replace").split()


# --------------------------------------------------------------------------- ordering


def _when(report: Report) -> _dt.datetime | None:
    text = report.get("generated_at")
    if not text:
        return None
    try:
        when = _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=_dt.UTC)


def load_history(
    paths: Iterable[str | Path],
    *,
    strict: bool = False,
    extra: Sequence[tuple[str, Report]] = (),
    commits: Sequence[str] | None = None,
    last: int | None = None,
    alpha: float = DEFAULT_ALPHA,
) -> History:
    """Read the reports under ``paths`` and build their :class:`History`.

    ``strict`` raises the loader's :class:`ReportError` for the first bad file instead of
    skipping it. ``extra`` adds reports already loaded (the current run of ``archgate report``
    or ``comment``), as ``(name, report)``. ``commits`` (oldest first, see
    :func:`git_commit_order`) orders the runs by commit before time and skips reports of other
    commits. ``last`` keeps the latest runs only."""
    loaded: list[tuple[str, Report]] = []
    skipped: list[Skipped] = []
    # the current report may also lie in the folder of past runs: read it once
    given = {os.path.normcase(os.path.abspath(name)) for name, _ in extra}
    for path in find_report_files(paths):
        if os.path.normcase(os.path.abspath(path)) in given:
            continue
        try:
            loaded.append((str(path), _slim(load_report(path))))
        except ReportError as exc:
            if strict:
                raise
            # the error names the file: keep where in it (line, field) and the message
            where = f"line {exc.line}: " if exc.line else ""
            where += f"{exc.field}: " if exc.field else ""
            skipped.append(Skipped(str(path), where + exc.message))
    loaded.extend(extra)
    return build_history(loaded, skipped=skipped, commits=commits, last=last, alpha=alpha)


def _slim(report: Report) -> Report:
    """Only what a history reads (when, which commit, the criteria results): a series of up to
    :data:`MAX_FILES` reports must not hold every measurement and environment in memory."""
    adrs: list[AdrEntry] = []
    for entry in report["adrs"]:
        adrs.append(
            {
                "id": entry["id"],
                "criteria": [_slim_result(c) for c in entry.get("criteria") or []],
                "constraints": [_slim_result(c) for c in entry.get("constraints") or []],
            }
        )
    return {
        "schema": report["schema"],
        "version": report["version"],
        "adrs": adrs,
        "generated_at": report.get("generated_at"),
        "commit": report.get("commit"),
    }


def _slim_result(c: CriterionResult) -> CriterionResult:
    """A criterion result without its tests, reason and the estimate's details."""
    slim = c.copy()
    slim.pop("tests", None)
    slim.pop("reason", None)
    slim.pop("error", None)
    estimate = c.get("estimate")
    if estimate:
        slim["estimate"] = {"value": estimate["value"], "level": estimate.get("level")}
    return slim


def build_history(
    reports: Sequence[tuple[str, Report]],
    *,
    skipped: Sequence[Skipped] = (),
    commits: Sequence[str] | None = None,
    last: int | None = None,
    alpha: float = DEFAULT_ALPHA,
) -> History:
    """Order ``(name, report)`` pairs into runs and line up their criteria (see
    :func:`load_history`)."""
    skips = list(skipped)
    position = {c: i for i, c in enumerate(commits)} if commits is not None else None
    keyed: list[tuple[tuple[Any, ...], str, Report]] = []
    seen_runs: set[tuple[str | None, str | None]] = set()
    for name, report in reports:
        when = _when(report)
        if when is None:
            skips.append(Skipped(name, "has no valid generated_at: its place is unknown"))
            continue
        commit = report.get("commit")
        run_id = (commit, report.get("generated_at"))
        if run_id in seen_runs:
            skips.append(Skipped(name, "the same run as another file (same commit and time)"))
            continue
        seen_runs.add(run_id)
        if position is not None:
            if commit is None or commit not in position:
                skips.append(Skipped(name, "its commit is not in the git history given"))
                continue
            key: tuple[Any, ...] = (position[commit], when, name)
        else:
            key = (when, name)
        keyed.append((key, name, report))
    keyed.sort(key=lambda item: item[0])
    if last is not None:
        keyed = keyed[-last:] if last > 0 else []
    keyed = keyed[-MAX_POINTS:]
    runs = [
        Run(name, report.get("commit"), report.get("generated_at")) for _, name, report in keyed
    ]
    criteria = _align([report for _, _, report in keyed])
    for c in criteria:
        _fit(c, alpha)
    return History(runs, skips, criteria, alpha)


# --------------------------------------------------------------------------- aligning


_HOLM_RE = re.compile(r", Holm [^)]*")


def _bound(c: CriterionResult) -> str | None:
    """The bound as the ADR writes it: without the Holm level, which the family's other
    results move from run to run (``>= 0.9 (conf. 0.95, Holm 0.99)`` is ``>= 0.9 (conf.
    0.95)``)."""
    bound = c.get("bound")
    return _HOLM_RE.sub("", bound) if bound else bound


def _definition(c: CriterionResult) -> tuple[object, ...]:
    """What a criterion measures and how it is judged: a change of any splits the series."""
    return (
        c.get("metric"),
        c.get("kind"),
        c.get("min"),
        c.get("max"),
        _bound(c),
        c.get("vs"),
        c.get("confidence"),
        c.get("device"),
    )


def _direction(c: CriterionResult) -> Direction | None:
    lo, hi = c.get("min"), c.get("max")
    if lo is not None and hi is None:
        return "higher"
    if hi is not None and lo is None:
        return "lower"
    return None


def _point(run: int, c: CriterionResult) -> Point:
    value = c.get("value")
    ci = c.get("ci")
    estimate: Estimate | dict[str, Any] = c.get("estimate") or {}
    return Point(
        run,
        float(value) if value is not None else None,
        (float(ci[0]), float(ci[1])) if value is not None and ci else None,
        estimate.get("level"),
        str(c.get("verdict")),
    )


def _align(reports: Sequence[Report]) -> list[CriterionHistory]:
    current: dict[tuple[str, str, str], tuple[tuple[object, ...], CriterionHistory]] = {}
    out: list[CriterionHistory] = []
    for run, report in enumerate(reports):
        for entry in report["adrs"]:
            for c in [*(entry.get("constraints") or []), *(entry.get("criteria") or [])]:
                option = c.get("option")
                key = (entry["id"], c["name"], option or "")
                definition = _definition(c)
                held = current.get(key)
                if held is None or held[0] != definition:
                    part = held[1].part + 1 if held is not None else 1
                    history = CriterionHistory(
                        adr=entry["id"],
                        name=c["name"],
                        option=option,
                        kind=c.get("kind"),
                        metric=c.get("metric"),
                        bound=_bound(c),
                        direction=_direction(c),
                        bounds=tuple(
                            float(b) for b in (c.get("min"), c.get("max")) if b is not None
                        ),
                        part=part,
                    )
                    current[key] = (definition, history)
                    out.append(history)
                else:
                    history = held[1]
                if history.points and history.points[-1].run == run:
                    continue  # the same criterion twice in one report: the first counts
                history.points.append(_point(run, c))
    out.sort(key=lambda h: (h.adr, h.name, h.option or "", h.part))
    return out


def _fit(history: CriterionHistory, alpha: float) -> None:
    measured = history.measured()
    values = [p.value for p in measured if p.value is not None]
    errors = [standard_error(p.ci, p.level) for p in measured]
    fit = detect_steps(values, errors, alpha=alpha)
    history.noise = fit.noise
    for before, after in itertools.pairwise(fit.segments):
        change = after.mean - before.mean
        se = math.hypot(before.se, after.se)
        better: bool | None = None
        if history.direction is not None and change != 0:
            better = (change > 0) == (history.direction == "higher")
        history.steps.append(
            Step(
                run=measured[after.start].run,
                before=before.mean,
                after=after.mean,
                ci=(change - _Z95 * se, change + _Z95 * se),
                better=better,
            )
        )


# --------------------------------------------------------------------------- views


def sparkline(values: Sequence[float | None]) -> str:
    """One block character per value, scaled between the smallest and the largest (a space
    for a missing value; the middle block when all are equal)."""
    present = [v for v in values if v is not None and math.isfinite(v)]
    if not present:
        return " " * len(values)
    lo, hi = min(present), max(present)
    out = []
    for v in values:
        if v is None or not math.isfinite(v):
            out.append(" ")
        elif hi == lo:
            out.append(SPARK[3])
        else:
            # halves: the span of two values near the float limits would overflow
            i = int((v / 2 - lo / 2) / (hi / 2 - lo / 2) * (len(SPARK) - 1) + 0.5)
            out.append(SPARK[max(0, min(len(SPARK) - 1, i))])
    return "".join(out)


SPARK_POINTS = 30
"""How many of the latest runs a sparkline or a chart shows."""

MAX_CHARTS = 24
"""The most criteria charted in a decision package (those with steps first)."""


def charted(history: History, limit: int = MAX_CHARTS) -> list[CriterionHistory]:
    """The criteria a decision package charts: measured at least twice, those with steps
    first, at most ``limit``."""
    shown = [c for c in history.criteria if len(c.measured()) >= 2]
    shown.sort(key=lambda c: not c.steps)
    return shown[:limit]


def chart_rows(
    history: History, c: CriterionHistory, limit: int = SPARK_POINTS
) -> list[tuple[str, float | None, tuple[float, float] | None, str]]:
    """The latest ``limit`` points of ``c`` as chart rows ``(label, value, ci, verdict)``;
    the first run after a step is labelled with an arrow."""
    starts = {s.run: s for s in c.steps}
    rows = []
    for p in c.points[-limit:]:
        label = history.runs[p.run].label
        if p.run in starts:
            label = ("\u25b2 " if starts[p.run].change > 0 else "\u25bc ") + label
        rows.append((label, p.value, p.ci, p.verdict))
    return rows


def step_text(history: History, step: Step) -> str:
    """``+0.031 [0.02, 0.042] at def5678 (better)``: one step in words (plain text)."""
    from pytest_archgate.report.view import fmt_delta, fmt_interval

    way = {True: " (better)", False: " (worse)", None: ""}[step.better]
    return (
        f"{fmt_delta(step.change)} {fmt_interval(step.ci)} at {history.runs[step.run].label}{way}"
    )


def last_point(c: CriterionHistory) -> Point | None:
    """The criterion's latest measured point."""
    measured = c.measured()
    return measured[-1] if measured else None


def spark_values(
    history: History, c: CriterionHistory, limit: int = SPARK_POINTS
) -> list[float | None]:
    """The criterion's values over the latest ``limit`` runs of its own part of the history
    (``None`` where a run did not measure it)."""
    by_run = {p.run: p.value for p in c.points}
    runs = [p.run for p in c.points][-limit:]
    return [by_run.get(r) for r in runs]


def summary_table(history: History, *, max_rows: int | None = None) -> Table:
    """One row per measured criterion: runs measured, latest value and interval, the trend as a
    sparkline of the latest :data:`SPARK_POINTS` runs, and the last step. Cells are plain text:
    each output's table writer escapes them. With ``max_rows``, the criteria with steps come
    first and a last row says how many were left out."""
    from pytest_archgate.report.table import table
    from pytest_archgate.report.view import fmt_value_ci

    criteria = [c for c in history.criteria if c.measured()]
    left_out = 0
    if max_rows is not None and len(criteria) > max_rows:
        criteria.sort(key=lambda c: not c.steps)  # stable: the order within each group stays
        left_out = len(criteria) - max_rows
        criteria = criteria[:max_rows]
    rows: list[list[str]] = []
    for c in criteria:
        p = last_point(c)
        rows.append(
            [
                c.adr,
                c.name + (f" (definition {c.part})" if c.part > 1 else ""),
                c.option or "",
                str(len(c.measured())),
                fmt_value_ci(p.value, p.ci) if p else "-",
                sparkline(spark_values(history, c)),
                step_text(history, c.steps[-1]) if c.steps else "",
            ]
        )
    if left_out:
        rows.append([f"... {left_out} more criteria without steps", "", "", "", "", "", ""])
    header = ["ADR", "criterion", "option", "runs", "latest", "trend", "last step"]
    return table(header, rows)


def history_table(history: History) -> list[str]:
    """:func:`summary_table` for the terminal."""
    from pytest_archgate.report.table import text_table

    return text_table(summary_table(history))


def step_lines(history: History) -> list[str]:
    """One line per step of every criterion, in run order (plain text, escaped)."""
    from pytest_archgate.escape import line

    out = []
    for c in history.criteria:
        for s in c.steps:
            out.append(line(f"step: {c.label}: {step_text(history, s)}"))
    return out


def run_table(history: History, c: CriterionHistory) -> list[str]:
    """Every run of one criterion: commit, time, value and interval, verdict, step mark."""
    from pytest_archgate.report.table import table, text_table
    from pytest_archgate.report.view import fmt_value_ci

    starts = {s.run: s for s in c.steps}
    rows = []
    for p in c.points:
        run = history.runs[p.run]
        mark = f"step {step_text(history, starts[p.run])}" if p.run in starts else ""
        rows.append(
            [run.label, run.generated_at or "", fmt_value_ci(p.value, p.ci), p.verdict, mark]
        )
    return text_table(table(["run", "generated_at", "value", "verdict", ""], rows))
