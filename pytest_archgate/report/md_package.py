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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_archgate.escape import escape_md
from pytest_archgate.report.build import adr_notes
from pytest_archgate.report.view import (
    SUMMARY_COUNTS,
    adr_anchor,
    chart_series,
    comparison_for,
    file_href,
    flatten,
    fmt_ci,
    fmt_delta,
    gate_failures,
    nice_step,
    report_changes,
)
from pytest_archgate.verdict.comparison import fmt_count, fmt_usd, fmt_value


def md(value: Any) -> str:
    """Escape text for a Markdown table cell or heading (one line, no HTML, no formatting)."""
    return escape_md("-" if value is None else " ".join(str(value).split()))


def _mermaid_text(value: Any) -> str:
    """Mermaid string content: no quotes, brackets or markup characters."""
    text = str(value).replace(">=", "\u2265").replace("<=", "\u2264")
    text = text.replace(">", " above ").replace("<", " below ")
    return re.sub(r"[^\w .,:+\-/%()\u2265\u2264]", "_", text).strip() or "_"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return [*out, ""]


def _link(href: str | None, text: str) -> str:
    return f"[{md(text)}]({href})" if href else md(text)


def _results(results: Sequence[Mapping[str, Any]]) -> list[str]:
    rows = []
    for c in results:
        rows.append(
            [
                md(c.get("name")),
                md(c.get("option")),
                md(c.get("bound")),
                md(fmt_value(c.get("value"))),
                md(fmt_ci(c.get("ci"))),
                md(c.get("method")),
                f"**{md(c.get('verdict'))}**"
                if c.get("verdict") == "fail"
                else md(c.get("verdict")),
                md(c.get("reason") or ""),
            ]
        )
    header = ["criterion", "option", "bound", "value", "interval", "method", "verdict", "reason"]
    from pytest_archgate.measure.replicates import variance_line

    line = variance_line(results)
    return _table(header, rows) + (["", md(line)] if line else [])


def _mermaid(comp: Mapping[str, Any], criterion: str) -> list[str]:
    rows, bounds = chart_series(comp, criterion)
    measured = [(o, v) for o, v, _, _ in rows if v is not None]
    if not measured:
        return []
    values = [v for _, v in measured] + list(bounds) + [0.0]
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


def _comparison(comp: Mapping[str, Any]) -> list[str]:
    options: list[str] = list(comp["options"])
    rec = comp["recommendation"]
    lead = (
        f"**Recommended: {md(rec['option'])}.**" if rec.get("option") else "**No recommendation.**"
    )
    out = ["### Options compared", "", f"> {lead} {md(rec.get('text'))}", ""]
    rows = []
    for n in comp["criteria"]:
        cells = []
        for o in options:
            cell = comp["cells"][o][n]
            text = "" if cell["value"] is None else md(fmt_value(cell["value"]))
            if cell.get("ci"):
                text += f" {md(fmt_ci(cell['ci']))}"
            verdict = md(cell["verdict"])
            cells.append(
                f"{text} **{verdict}**" if cell["verdict"] == "fail" else f"{text} {verdict}"
            )
        rows.append(
            [md(n), md(comp["bounds"].get(n)), md(fmt_value(comp["weights"].get(n, 1.0))), *cells]
        )
    rows.append(["meets all", "", "", *("yes" if comp["meets_all"][o] else "no" for o in options)])
    rows.append(["weighted score", "", "", *(f"{comp['scores'][o]:.2f}" for o in options)])
    daily = comp.get("daily_cost") or {}
    if daily:
        rows.append(
            [
                "cost per day",
                md(f"at {fmt_count(comp.get('volume_per_day'))}/day"),
                "",
                *(md(fmt_usd(daily[o]["value"])) if o in daily else "-" for o in options),
            ]
        )
    out += _table(["criterion", "bound", "weight", *(md(o) for o in options)], rows)
    for n in comp["criteria"]:
        out += _mermaid(comp, n)
    return out


def render_markdown(
    report: Mapping[str, Any],
    *,
    base: Mapping[str, Any] | None = None,
    out_dir: str | Path | None = None,
) -> str:
    """The decision package for ``report`` as Markdown with Mermaid charts."""
    folder = Path(out_dir) if out_dir is not None else None
    adrs = list(report.get("adrs") or [])
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
    rows = []
    for a in adrs:
        notes = adr_notes(a, limit=None)
        rows.append(
            [
                f"[{md(a.get('id'))}](#{adr_anchor(a.get('id'))})",
                md(a.get("title")),
                md(a.get("status")),
                f"**{md(a.get('verdict'))}**"
                if a.get("verdict") == "fail"
                else md(a.get("verdict")),
                "yes" if a.get("enforced") else "no",
                md(a.get("decision")),
                _link(file_href(report, a.get("file"), folder), str(a.get("file"))),
                md("; ".join(notes)),
            ]
        )
    out += _table(
        ["ADR", "title", "status", "verdict", "enforced", "decision", "file", "notes"], rows
    )

    if base is not None:
        changes = report_changes(report, base)
        out += [f"## Changes since the base report ({md(changes['base_generated_at'])})", ""]
        if changes["adrs"]:
            out += _table(
                ["ADR", "change", "before", "after"],
                [
                    [md(c["id"]), md(c["change"]), md(c["before"]), md(c["after"])]
                    for c in changes["adrs"]
                ],
            )
        if changes["values"]:
            out += _table(
                ["ADR", "criterion", "option", "bound", "before", "after", "delta", "verdict"],
                [
                    [
                        md(v["adr"]),
                        md(v["criterion"]),
                        md(v["option"]),
                        md(v["bound"]),
                        md(fmt_value(v["before"])),
                        md(fmt_value(v["after"])),
                        md(fmt_delta(v["delta"])),
                        md(v["verdict_after"])
                        if v["verdict_before"] == v["verdict_after"]
                        else f"{md(v['verdict_before'])} \u2192 {md(v['verdict_after'])}",
                    ]
                    for v in changes["values"]
                ],
            )
        if not changes["adrs"] and not changes["values"]:
            out += ["No value or verdict changed.", ""]
        out += [f"{changes['unchanged']} measured results unchanged.", ""]

    for a in adrs:
        d = a.get("definition") or {}
        out += [
            f'<a id="{adr_anchor(a.get("id"))}"></a>',
            "",
            f"## {md(a.get('id'))}: {md(a.get('title'))}",
            "",
            f"Status **{md(a.get('status'))}**, verdict **{md(a.get('verdict'))}**"
            + (", enforced" if a.get("enforced") else "")
            + (", **needs review**" if a.get("needs_review") else "")
            + f". File: {_link(file_href(report, a.get('file'), folder), str(a.get('file')))}.",
            "",
        ]
        facts = [
            ("decision", a.get("decision") or d.get("decision")),
            ("baseline", a.get("baseline") or d.get("baseline")),
            ("options", ", ".join(str(o) for o in d.get("options") or a.get("options") or [])),
            ("superseded by", a.get("superseded_by")),
        ]
        out += [f"- {k}: {md(v)}" for k, v in facts if v] + [""]
        if a.get("constraints"):
            out += ["### Constraints", "", *_results(a["constraints"])]
        if a.get("criteria"):
            out += ["### Acceptance criteria", "", *_results(a["criteria"])]
        comp = comparison_for(a, report)
        if comp is not None:
            out += _comparison(comp)
        if a.get("tests"):
            out += ["<details><summary>Linked tests</summary>", ""]
            out += ["- `" + str(t).replace("`", "'") + "`" for t in a["tests"]]
            out += ["", "</details>", ""]

    out += ["## Environment", ""]
    env_rows = [
        [md(k), md(v)]
        for k, v in (
            ("python", report.get("python")),
            ("platform", report.get("platform")),
            ("archgate", report.get("archgate_version")),
            ("rootdir", report.get("rootdir")),
        )
        if v is not None
    ]
    env_rows += [[md(k), md(v)] for k, v in flatten(report.get("environment") or {})]
    out += _table(["fact", "value"], env_rows)
    return "\n".join(out).rstrip() + "\n"
