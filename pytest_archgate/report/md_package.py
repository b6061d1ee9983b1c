"""The decision package as Markdown, for places that render Markdown rather than open files.

Pull-request descriptions, wikis and docs sites show Markdown, and GitHub renders Mermaid
diagrams in it, so the same content as the HTML page (decision log, criteria with intervals,
options compared with a recommendation, environment, changes since a base report) is written as
Markdown tables with one Mermaid bar chart per compared criterion. Mermaid cannot draw interval
whiskers, so intervals stay in the tables next to each chart. Everything from ADR files or test
ids is escaped, so a title cannot inject HTML or break a table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_archgate.measure.replicates import variance_line
from pytest_archgate.report.schema import CriterionResult, RankedComparison, Report
from pytest_archgate.report.text import restored_line
from pytest_archgate.report.view import (
    SUMMARY_COUNTS,
    CellLike,
    Span,
    adr_anchor,
    adr_changes_table,
    badge,
    chart_series,
    chart_values,
    comparison_for,
    decision_log_table,
    environment_table,
    file_link,
    fmt_count,
    fmt_interval,
    fmt_score,
    fmt_usd,
    fmt_value,
    gate_failures,
    markdown_code,
    markdown_span,
    markdown_table,
    markdown_text,
    nice_step,
    report_changes,
    results_table,
    span,
    table,
    value_changes_table,
)

if TYPE_CHECKING:
    from pytest_archgate.report.history import History

md = markdown_text
"""One value as escaped Markdown prose (``-`` for None): the one escaper, the one formatter."""

_RESULT_COLUMNS = (
    "criterion",
    "option",
    "bound",
    "value",
    "interval",
    "method",
    "verdict",
    "reason",
)


def _mermaid_text(value: object) -> str:
    """Mermaid string content: no quotes, brackets or markup characters."""
    text = str(value).replace(">=", "\u2265").replace("<=", "\u2264")
    text = text.replace(">", " above ").replace("<", " below ")
    return re.sub(r"[^\w .,:+\-/%()\u2265\u2264]", "_", text).strip() or "_"


def _results(results: Sequence[CriterionResult]) -> list[str]:
    out = [*markdown_table(results_table(results, _RESULT_COLUMNS, metric=False)), ""]
    line = variance_line(results)
    return out + (["", md(line)] if line else [])


def _mermaid(comp: RankedComparison, criterion: str) -> list[str]:
    rows, bounds = chart_series(comp, criterion)
    measured = [(o, v) for o, v, _, _ in rows if v is not None]
    if not measured:
        return []
    values = [*chart_values([v for _, v in measured] + list(bounds)), 0.0]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = nice_step(span)
    lo = math.floor((lo - 0.02 * span) / step) * step if lo < 0 else lo
    hi = math.ceil((hi + 0.02 * span) / step) * step
    bound_text = comp["bounds"].get(criterion) or ""
    names = ", ".join(f'"{_mermaid_text(o)}"' for o, _ in measured)
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{_mermaid_text(f"{criterion} ({bound_text})")}"',
        f"    x-axis [{names}]",
        f'    y-axis "{_mermaid_text(criterion)}" {fmt_value(lo)} --> {fmt_value(hi)}',
        f"    bar [{', '.join(repr(float(v)) for _, v in measured)}]",
    ]
    lines.extend(f"    line [{', '.join(repr(float(b)) for _ in measured)}]" for b in bounds)
    lines += ["```", ""]
    return lines


def _comparison(comp: RankedComparison) -> list[str]:
    options: list[str] = list(comp["options"])
    rec = comp["recommendation"]
    lead = f"**Recommended: {md(rec['option'])}.**" if rec["option"] else "**No recommendation.**"
    out = ["### Options compared", "", f"> {lead} {md(rec['text'])}", ""]
    rows: list[list[CellLike]] = []
    for n in comp["criteria"]:
        cells: list[CellLike] = []
        for o in options:
            cell = comp["cells"][o][n]
            value = "" if cell["value"] is None else fmt_value(cell["value"])
            ci = [Span(" " + fmt_interval(cell["ci"]))] if cell["ci"] else []
            cells.append((Span(value), *ci, Span(" "), badge(cell["verdict"])))
        rows.append(
            [span(n), span(comp["bounds"].get(n)), fmt_value(comp["weights"].get(n, 1.0)), *cells]
        )
    rows.append(["meets all", "", "", *("yes" if comp["meets_all"][o] else "no" for o in options)])
    rows.append(["weighted score", "", "", *(fmt_score(comp["scores"][o]) for o in options)])
    daily = comp.get("daily_cost") or {}
    if daily:
        rows.append(
            [
                "cost per day",
                f"at {fmt_count(comp.get('volume_per_day'))}/day",
                "",
                *(fmt_usd(daily[o]["value"]) if o in daily else "-" for o in options),
            ]
        )
    out += [*markdown_table(table(["criterion", "bound", "weight", *options], rows)), ""]
    for n in comp["criteria"]:
        out += _mermaid(comp, n)
    return out


def _history(history: History) -> list[str]:
    """The history section: the criteria table with trends and steps, and a Mermaid line of
    each charted criterion's latest runs (intervals stay in ``archgate history --full``)."""
    from pytest_archgate.report.history import SPARK_POINTS, charted, summary_table

    first, final = history.runs[0], history.runs[-1]
    out = [
        "## History",
        "",
        f"{len(history.runs)} runs from {md(first.generated_at)} ({md(first.label)}) to "
        f"{md(final.generated_at)} ({md(final.label)}); a step is a move beyond the runs' "
        f"intervals (false-step rate {md(history.alpha)} per criterion).",
        "",
        *markdown_table(summary_table(history)),
        "",
    ]
    for c in charted(history):
        rows = [
            (history.runs[p.run].label, p.value)
            for p in c.points[-SPARK_POINTS:]
            if p.value is not None
        ]
        values = chart_values([v for _, v in rows])
        if len(values) < 2:
            continue
        lo, hi = min(values), max(values)
        pad = (hi - lo) * 0.1 or abs(hi) * 0.1 or 1.0
        names = ", ".join(f'"{_mermaid_text(label)}"' for label, _ in rows)
        out += [
            "```mermaid",
            "xychart-beta",
            f'    title "{_mermaid_text(c.label)}"',
            f"    x-axis [{names}]",
            f'    y-axis "{_mermaid_text(c.metric or c.name)}" {fmt_value(lo - pad)} --> '
            f"{fmt_value(hi + pad)}",
            f"    line [{', '.join(repr(float(v)) for v in chart_values(v for _, v in rows))}]",
            "```",
            "",
        ]
    return out


def render_markdown(
    report: Report,
    *,
    base: Report | None = None,
    out_dir: str | Path | None = None,
    history: History | None = None,
) -> str:
    """The decision package for ``report`` as Markdown with Mermaid charts (``history`` adds
    the criteria over past runs)."""
    folder = Path(out_dir) if out_dir is not None else None
    adrs = list(report["adrs"])
    summary = report.get("summary") or {}
    out = [
        "# Architecture decisions: archgate decision package",
        "",
        f"Generated {md(report.get('generated_at'))} by pytest-archgate "
        f"{md(report.get('archgate_version'))}. "
        + ", ".join(f"{md(summary.get(k, 0))} {label}" for k, label in SUMMARY_COUNTS)
        + ".",
        "",
    ]
    failures = gate_failures(report)
    errors = [f"error: {e}" for e in report.get("errors") or []]
    if failures or errors:
        out.append("**The gate failed:**")
        out.append("")
        out.extend(f"- {md(m)}" for m in failures + errors)
        out.append("")

    out += ["## Decision log", ""]
    out += [*markdown_table(decision_log_table(report, adrs, folder)), ""]

    if base is not None:
        changes = report_changes(report, base)
        out += [f"## Changes since the base report ({md(changes['base_generated_at'])})", ""]
        if changes["adrs"]:
            out += [*markdown_table(adr_changes_table(changes, link=False)), ""]
        if changes["values"]:
            out += [*markdown_table(value_changes_table(changes)), ""]
        if not changes["adrs"] and not changes["values"]:
            out += ["No value or verdict changed.", ""]
        out += [f"{changes['unchanged']} measured results unchanged.", ""]

    if history is not None and history.runs:
        out += _history(history)

    for a in adrs:
        d = a.get("definition") or {}
        out += [
            f'<a id="{adr_anchor(a["id"])}"></a>',
            "",
            f"## {md(a['id'])}: {md(a.get('title'))}",
            "",
            f"Status **{md(a.get('status'))}**, verdict **{md(a.get('verdict'))}**"
            + (", enforced" if a.get("enforced") else "")
            + (", **needs review**" if a.get("needs_review") else "")
            + f". File: {markdown_span(file_link(report, a.get('file'), folder))}.",
            "",
        ]
        facts = [
            ("decision", a.get("decision") or d.get("decision")),
            ("baseline", a.get("baseline") or d.get("baseline")),
            ("options", ", ".join(str(o) for o in d.get("options") or a.get("options") or [])),
            ("superseded by", a.get("superseded_by")),
        ]
        out += [f"- {k}: {md(v)}" for k, v in facts if v] + [""]
        if constraints := a.get("constraints"):
            out += ["### Constraints", "", *_results(constraints)]
        if criteria := a.get("criteria"):
            out += ["### Acceptance criteria", "", *_results(criteria)]
        if (cached := restored_line(report.get("measurements") or [], a["id"])) is not None:
            out += [md(cached), ""]
        comp = comparison_for(a, report)
        if comp is not None:
            out += _comparison(comp)
        if tests := a.get("tests"):
            out += ["<details><summary>Linked tests</summary>", ""]
            out += [f"- {markdown_code(t)}" for t in tests]
            out += ["", "</details>", ""]

    out += ["## Environment", ""]
    out += [*markdown_table(environment_table(report, strict=False)), ""]
    return "\n".join(out).rstrip() + "\n"
