"""View helpers shared by every rendering of a report: numbers, intervals, anchors, tables.

The terminal, the job summary, the PR comment, the Markdown and the HTML package take their
formatting from here, so one value reads the same everywhere:

* **numbers**: :func:`fmt_value` (a measured value), :func:`fmt_interval`, :func:`fmt_count`,
  :func:`fmt_usd`, :func:`fmt_delta`, :func:`fmt_level`, :func:`fmt_score` and :func:`fmt_any`
  return plain, unescaped text, with :data:`MISSING` for a value that is not there;
* **tables**: :func:`table` builds a :class:`Table` of plain-text :class:`Span` cells (data,
  never markup), and exactly one writer per output turns it into lines or markup,
  escaping every cell on the way: :func:`text_table` (terminal, CI log),
  :func:`markdown_table` (job summary, PR comment, Markdown package) and :func:`html_table`
  (HTML package). A renderer therefore cannot forget to escape a cell;
* **the tables of a report**, built once for every output: :func:`results_table`,
  :func:`decision_log_table`, :func:`adr_changes_table`, :func:`value_changes_table`,
  :func:`environment_table`; and what they are built from (:func:`report_changes`,
  :func:`comparison_for`, :func:`chart_series`, :func:`file_href`, :func:`adr_anchor`).

A new output format adds one writer here (next to :func:`markdown_table` and
:func:`html_table`) and takes the tables and numbers as they are.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, TypeGuard, cast
from urllib.parse import quote

from pytest_archgate import escape
from pytest_archgate.escape import Html, html_format, html_join, html_literal, html_text
from pytest_archgate.report.build import adr_notes

# the table model and its text writer live in report.table (cheap for ``archgate list``);
# re-exported here so every renderer takes its tables from the view
from pytest_archgate.report.table import ARROW as ARROW
from pytest_archgate.report.table import BREAK as BREAK
from pytest_archgate.report.table import Cell as Cell
from pytest_archgate.report.table import CellLike as CellLike
from pytest_archgate.report.table import Span as Span
from pytest_archgate.report.table import Style as Style
from pytest_archgate.report.table import Table as Table
from pytest_archgate.report.table import cell as cell
from pytest_archgate.report.table import cell_text as cell_text
from pytest_archgate.report.table import table as table
from pytest_archgate.report.table import text_lines as text_lines
from pytest_archgate.report.table import text_table as text_table
from pytest_archgate.verdict import comparison as _numbers
from pytest_archgate.verdict.comparison import compare_options

if TYPE_CHECKING:
    from pytest_archgate.report.schema import AdrEntry, CriterionResult, RankedComparison, Report

MISSING = "-"
"""What every output shows for a value that is not there (not measured, no interval)."""

#: The summary counts a decision package shows, as ``(report summary key, label)``.
SUMMARY_COUNTS: tuple[tuple[str, str], ...] = (
    ("adrs", "ADR(s) judged"),
    ("pass", "pass"),
    ("fail", "fail"),
    ("unmeasured", "unmeasured"),
    ("enforced_failures", "enforced failures"),
    ("needs_review", "need review"),
)


def gate_failures(report: Report) -> list[str]:
    """The session and strict-mode failure messages of a report, in that order."""
    return list(report.get("session_failures") or []) + list(report.get("strict_failures") or [])


def adr_anchor(adr_id: object) -> str:
    """A safe fragment id for an ADR section."""
    return "adr-" + re.sub(r"[^A-Za-z0-9_-]+", "-", str(adr_id)).strip("-").lower()


def file_href(report: Report, file: str | None, out_dir: Path | None) -> str | None:
    """A relative, URL-quoted link from the output folder to an ADR file (None without file)."""
    if not file:
        return None
    target = Path(file)
    root = report.get("rootdir")
    if not target.is_absolute() and root:
        target = Path(str(root)) / target
    if out_dir is not None and target.is_absolute():
        try:
            rel = os.path.relpath(target, out_dir.resolve())
        except ValueError:  # another drive on Windows
            rel = str(target)
    else:
        rel = file
    return quote(Path(rel).as_posix(), safe="/._-~")


def comparison_for(entry: AdrEntry, report: Report) -> RankedComparison | None:
    """The entry's precomputed ``comparison`` when the report has one, else computed here."""
    comp = entry.get("comparison")
    if isinstance(comp, dict) and comp.get("options"):
        return cast("RankedComparison", comp)  # the loader checked a ranked comparison's keys
    return compare_options(entry, measurements=report.get("measurements") or [])


if TYPE_CHECKING:
    # types for the checker only: a TypedDict with string annotations compiles a ForwardRef
    # per field at import, which every linked pytest run would pay (issue 12)

    class AdrChange(TypedDict):
        """An ADR added, removed or re-judged since the base report."""

        id: str
        change: Literal["added", "removed", "verdict", "status"]
        before: str | None
        after: str | None

    class ValueChange(TypedDict):
        """A criterion or constraint (of one option) whose value or verdict changed."""

        adr: str
        kind: str
        criterion: str
        option: str | None
        bound: str | None
        before: float | None
        after: float | None
        delta: float | None
        better: bool | None
        verdict_before: str | None
        verdict_after: str | None

    class Changes(TypedDict):
        """What :func:`report_changes` finds between two reports."""

        base_generated_at: str | None
        adrs: list[AdrChange]
        values: list[ValueChange]
        unchanged: int


def report_changes(report: Report, base: Report) -> Changes:
    """What changed from ``base`` to ``report``: ADRs added, removed or re-judged; values.

    ``values`` lists every criterion and constraint (per option) whose value or verdict
    differs, with ``delta = after - before`` when both were measured; ``unchanged`` counts the
    rest.
    """
    now = {str(a["id"]): a for a in report["adrs"]}
    then = {str(a["id"]): a for a in base["adrs"]}
    adrs: list[AdrChange] = []
    for adr_id, a in now.items():
        b = then.get(adr_id)
        if b is None:
            adrs.append(
                {"id": adr_id, "change": "added", "before": None, "after": a.get("verdict")}
            )
        elif b.get("verdict") != a.get("verdict") or b.get("status") != a.get("status"):
            adrs.append(
                {
                    "id": adr_id,
                    "change": "verdict" if b.get("verdict") != a.get("verdict") else "status",
                    "before": f"{b.get('status')} / {b.get('verdict')}",
                    "after": f"{a.get('status')} / {a.get('verdict')}",
                }
            )
    for adr_id, b in then.items():
        if adr_id not in now:
            adrs.append(
                {"id": adr_id, "change": "removed", "before": b.get("verdict"), "after": None}
            )

    def rows(entries: Mapping[str, AdrEntry]) -> dict[tuple[str, str, str, str], CriterionResult]:
        out: dict[tuple[str, str, str, str], CriterionResult] = {}
        for adr_id, a in entries.items():
            for c in list(a.get("criteria") or []) + list(a.get("constraints") or []):
                out[_criterion_key(adr_id, c)] = c
        return out

    after_rows, before_rows = rows(now), rows(then)
    values: list[ValueChange] = []
    unchanged = 0
    for key in list(after_rows) + [k for k in before_rows if k not in after_rows]:
        a_c, b_c = after_rows.get(key), before_rows.get(key)
        a_v = a_c.get("value") if a_c else None
        b_v = b_c.get("value") if b_c else None
        a_verdict = a_c["verdict"] if a_c else None
        b_verdict = b_c["verdict"] if b_c else None
        if a_v == b_v and a_verdict == b_verdict:
            unchanged += 1
            continue
        spec = a_c or b_c
        delta = a_v - b_v if a_v is not None and b_v is not None else None
        values.append(
            {
                "adr": key[0],
                "kind": key[1],
                "criterion": key[2],
                "option": spec.get("option") if spec else None,
                "bound": spec.get("bound") if spec else None,
                "before": b_v,
                "after": a_v,
                "delta": delta,
                "better": _better(spec, delta) if spec else None,
                "verdict_before": b_verdict,
                "verdict_after": a_verdict,
            }
        )
    return {
        "base_generated_at": base.get("generated_at"),
        "adrs": adrs,
        "values": values,
        "unchanged": unchanged,
    }


def flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested mappings as ``(dotted.key, text)`` rows, for environment tables."""
    rows: list[tuple[str, str]] = []
    if isinstance(data, Mapping):
        for k, v in data.items():
            rows.extend(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(data, list | tuple):
        if all(not isinstance(x, Mapping | list | tuple) for x in data):
            rows.append((prefix, ", ".join(MISSING if x is None else str(x) for x in data)))
        else:
            for i, v in enumerate(data):
                rows.extend(flatten(v, f"{prefix}[{i}]"))
    else:
        rows.append((prefix, MISSING if data is None else str(data)))
    return rows


def chart_series(
    comp: RankedComparison, criterion: str
) -> tuple[list[tuple[str, float | None, list[float] | None, str]], list[float]]:
    """For one criterion of a comparison: ``(option, value, ci, verdict)`` rows and bounds."""
    rows: list[tuple[str, float | None, list[float] | None, str]] = []
    for option in comp["options"]:
        cell = comp["cells"][option][criterion]
        if cell["verdict"] == "n/a":
            continue
        value = cell["value"]
        rows.append(
            (str(option), None if value is None else float(value), cell["ci"], cell["verdict"])
        )
    bounds = _bounds_of(comp, criterion)
    return rows, bounds


CHART_LIMIT = 1e300
"""The largest magnitude a chart's axis spans. The loader accepts any finite number, but the
axis arithmetic of two values near the float limits (``1e308 - -1e308``) overflows to
infinity; a value beyond this is drawn at the edge (its table cell still shows it)."""


def chart_value(value: float) -> float:
    """Where a chart draws ``value``: the value itself, or the edge of :data:`CHART_LIMIT`."""
    return max(-CHART_LIMIT, min(CHART_LIMIT, value))


def chart_values(values: Iterable[float]) -> list[float]:
    """The finite ``values`` a chart's axis is computed from, each within :data:`CHART_LIMIT`
    (every chart's domain goes through here, so no axis arithmetic can overflow)."""
    return [chart_value(v) for v in values if math.isfinite(v)]


def nice_step(span: float, target: int = 4) -> float:
    raw = span / target
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def _criterion_key(adr_id: str, c: CriterionResult) -> tuple[str, str, str, str]:
    return (str(adr_id), str(c.get("kind")), str(c.get("name")), str(c.get("option")))


def _better(spec: CriterionResult, delta: float | None) -> bool | None:
    """Whether a change moved the value in the criterion's good direction (None: no view)."""
    if delta is None or delta == 0:
        return None
    has_min, has_max = spec.get("min") is not None, spec.get("max") is not None
    if has_min and not has_max:
        return delta > 0
    if has_max and not has_min:
        return delta < 0
    return None


def _bounds_of(comp: RankedComparison, criterion: str) -> list[float]:
    text = str(comp["bounds"].get(criterion) or "")
    found = re.findall(r"(?:>=|<=|>|<)\s*(-?[0-9.]+(?:e[+-]?\d+)?)", text)
    out = []
    for f in found:
        try:
            value = float(f)
        except ValueError:
            continue
        if math.isfinite(value):
            out.append(value)
    return out


# --------------------------------------------------------------------------------------------
# numbers: the one formatter of every output


def _is_number(x: object) -> TypeGuard[int | float]:
    return isinstance(x, int | float) and not isinstance(x, bool)


def fmt_value(x: object) -> str:
    """A measured value, short: ``0.874``, ``84``, ``-0.006``, ``1234567``, ``inf``.

    Integers without decimals, large values without a fraction, else 4 significant digits;
    :data:`MISSING` for ``None``; anything that is not a number as its ``str``. The digits come
    from :func:`pytest_archgate.verdict.comparison.fmt_value`, which also writes the numbers
    into verdict reasons, so a value reads the same in a reason and in a table cell.
    """
    if x is None:
        return MISSING
    if _is_number(x):
        return _numbers.fmt_value(x)
    return str(x)


def fmt_interval(ci: object) -> str:
    """An interval as ``[low, high]``; :data:`MISSING` when there is none (or it is malformed)."""
    if isinstance(ci, Sequence) and not isinstance(ci, str) and len(ci) == 2:
        return f"[{fmt_value(ci[0])}, {fmt_value(ci[1])}]"
    return MISSING


def fmt_value_ci(value: object, ci: object) -> str:
    """``0.874 [0.85, 0.9]``: a value followed by its interval when it has one."""
    text = fmt_value(value)
    interval = fmt_interval(ci)
    return text if interval == MISSING else f"{text} {interval}"


def fmt_count(x: object) -> str:
    """A count: ``1,000,000`` for whole numbers, else like :func:`fmt_value`."""
    if _is_number(x):
        return _numbers.fmt_count(x)
    return fmt_value(x)


def fmt_usd(x: object) -> str:
    """An amount in US dollars: ``$1,234`` when large, ``$0.0123`` when small."""
    if _is_number(x):
        return _numbers.fmt_usd(x)
    return fmt_value(x)


def fmt_delta(delta: object) -> str:
    """A change: ``+0.04``, ``-3``, ``0``; :data:`MISSING` when either side was not measured."""
    if not _is_number(delta):
        return MISSING if delta is None else str(delta)
    return ("+" if delta > 0 else "") + fmt_value(delta)


def fmt_level(confidence: object) -> str:
    """A confidence level: ``0.995``, ``0.9944`` (at most 4 decimals)."""
    if _is_number(confidence):
        # imported here: the family module pulls in the ADR criteria, which a view of a
        # finished report does not otherwise need
        from pytest_archgate.verdict.family import fmt_level as holm_level

        return holm_level(float(confidence))
    return fmt_value(confidence)


def fmt_score(x: object) -> str:
    """A weighted score of a comparison: two decimals."""
    if _is_number(x):
        return f"{x:.2f}"
    return fmt_value(x)


def fmt_any(value: object) -> str:
    """Any value of a report as one line of plain text: numbers by :func:`fmt_value`, strings as
    they are, lists and mappings as compact JSON; :data:`MISSING` for ``None``."""
    if value is None:
        return MISSING
    if _is_number(value) or isinstance(value, str | bool):
        return fmt_value(value)
    try:
        return json.dumps(value, sort_keys=True, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):  # circular structures, keys that are not strings
        return str(value)


# --------------------------------------------------------------------------------------------
# tables: rows as data, one writer per output


def span(value: object, style: Style = "plain", *, href: str | None = None) -> Span:
    """A span of any value: numbers through :func:`fmt_value`, ``None`` as :data:`MISSING`."""
    return Span(fmt_value(value), style, href)


def badge(value: object, kind: str | None = None) -> Span:
    """A status or verdict badge; ``kind`` picks the colour (default: the value itself)."""
    text = fmt_value(value)
    return Span(text, badge=(kind or text).lower())


_SAFE_HREF = re.compile(r"^[A-Za-z0-9/._~%#-]+$")


def _safe_href(href: str | None) -> str | None:
    """The link target when it can only be a relative path or fragment, else None.

    The views build links from :func:`file_href` (URL-quoted) and :func:`adr_anchor` only; the
    check makes a ``javascript:`` or ``](...)`` target impossible whatever a caller passes.
    """
    if href is None or not _SAFE_HREF.match(href) or href.startswith("//"):
        return None
    return href


def markdown_text(value: object) -> str:
    """One value as escaped Markdown prose or cell text: :func:`fmt_value`, then
    :func:`~pytest_archgate.escape.escape_md` (``-`` for None)."""
    return escape.escape_md(fmt_value(value))


def markdown_code(value: object) -> str:
    """A Markdown code span, for a list item (not a table cell: a pipe would split it).

    Inside a code span nothing is markup and no ``@name`` notifies, so the text only has to
    stay one line without control characters (:func:`~pytest_archgate.escape.text`) and hold
    no backtick that would end the span (one becomes ``'``).
    """
    return "`" + escape.text(value).replace("`", "'") + "`"


def markdown_span(s: Span) -> str:
    """One span as GitHub Markdown: escaped with :func:`~pytest_archgate.escape.escape_md`."""
    if s.style == "break":
        return "<br>"
    text = escape.escape_md(s.text)
    if s.style == "strong" or s.badge == "fail":
        text = f"**{text}**" if text else text
    href = _safe_href(s.href)
    return f"[{text}]({href})" if href and text else text


def markdown_cell(value: CellLike, *, render: Callable[[Span], str] = markdown_span) -> str:
    """A cell as escaped Markdown (``render`` can show badges differently, e.g. with icons)."""
    return "".join(render(s) for s in cell(value))


def markdown_table(t: Table, *, render: Callable[[Span], str] = markdown_span) -> list[str]:
    """A GitHub Markdown table, one line per row; every cell is escaped here.

    An empty cell is written as a space, so that every row has the same shape. A table
    without a header gets an empty one (Markdown tables need a header row).
    """

    def line(cells: Iterable[str]) -> str:
        return "| " + " | ".join(c if c else " " for c in cells) + " |"

    ncols = max([len(t.header or ()), *(len(r) for r in t.rows)], default=1)
    header = [escape.escape_md(h) for h in t.header] if t.header is not None else [""] * ncols
    out = [line(header), "|" + "|".join("---" for _ in header) + "|"]
    out.extend(line(markdown_cell(c, render=render) for c in row) for row in t.rows)
    return out


def html_span(s: Span) -> Html:
    """One span as HTML; its text goes in through :func:`~pytest_archgate.escape.html_text`."""
    if s.style == "break":
        return html_literal("<br>")
    if s.style == "arrow":
        return html_literal(" &rarr; ")
    text = html_text(s.text)
    if s.badge is not None:
        out = html_format('<span class="badge b-{}">{}</span>', html_text(s.badge), text)
    elif s.style == "strong":
        out = html_format("<strong>{}</strong>", text)
    elif s.style == "code":
        out = html_format("<code>{}</code>", text)
    elif s.style == "meta":
        out = html_format("<span class='meta'>{}</span>", text)
    elif s.style == "good":
        out = html_format('<span class="delta-good">{}</span>', text)
    elif s.style == "bad":
        out = html_format('<span class="delta-bad">{}</span>', text)
    else:
        out = text
    href = _safe_href(s.href)
    return html_format('<a href="{}">{}</a>', html_text(href), out) if href else out


def html_cell(value: CellLike) -> Html:
    """A cell as HTML: the spans one after another."""
    return html_join(html_span(s) for s in cell(value))


def html_table(t: Table, *, cells: Sequence[Sequence[Html]] | None = None) -> Html:
    """The table as an HTML ``<table>``; numeric columns get ``class="num"``.

    ``cells`` replaces the rendered cells (same shape) for the rare cell that holds more than
    spans, such as a list of linked tests; they are :data:`Html` already.
    """
    rendered = (
        [[html_cell(c) for c in row] for row in t.rows]
        if cells is None
        else [list(r) for r in cells]
    )
    out = [html_literal("<table>")]
    if t.header is not None:
        out.append(html_literal("<thead><tr>"))
        out.extend(html_format("<th>{}</th>", html_text(h)) for h in t.header)
        out.append(html_literal("</tr></thead>"))
    out.append(html_literal("<tbody>"))
    for row in rendered:
        out.append(html_literal("<tr>"))
        for i, c in enumerate(row):
            out.append(
                html_format('<td class="num">{}</td>' if i in t.numeric else "<td>{}</td>", c)
            )
        out.append(html_literal("</tr>"))
    out.append(html_literal("</tbody></table>"))
    return html_join(out)


# --------------------------------------------------------------------------------------------
# the tables of a report, built once for every output

RESULT_COLUMNS: tuple[str, ...] = (
    "criterion",
    "option",
    "role",
    "bound",
    "value",
    "interval",
    "method",
    "n",
    "verdict",
    "reason",
    "tests",
)
"""The columns of a criterion or constraint table (the HTML package shows them all)."""


def _result_cell(c: CriterionResult, column: str, *, metric: bool) -> CellLike:
    if column == "criterion":
        name = c["name"]
        shown = c.get("metric")
        if metric and shown and shown != name:
            return (span(name), Span(" "), Span(f"({shown})", "meta"))
        return span(name)
    if column == "value":
        return fmt_value(c.get("value"))
    if column == "interval":
        return fmt_interval(c.get("ci"))
    if column == "verdict":
        return badge(c["verdict"])
    if column == "reason":
        return fmt_any(c.get("reason") or "")
    if column == "tests":
        tests = [Span(str(t), "code") for t in c.get("tests") or []]
        if not tests:
            return MISSING
        return tuple(x for i, t in enumerate(tests) for x in ((BREAK, t) if i else (t,)))
    return fmt_any(cast("Mapping[str, object]", c).get(column))


def results_table(
    results: Sequence[CriterionResult],
    columns: Sequence[str] = RESULT_COLUMNS,
    *,
    metric: bool = True,
) -> Table:
    """Judged criteria or constraints, one row each; ``metric`` adds the metric to the name
    when it differs. The value column is numeric."""
    return table(
        columns,
        [[_result_cell(c, col, metric=metric) for col in columns] for c in results],
        numeric=[i for i, col in enumerate(columns) if col == "value"],
    )


def file_link(report: Report, file: str | None, out_dir: Path | None) -> Span:
    """An ADR's file, linked relative to ``out_dir`` when the report names one."""
    href = file_href(report, file, out_dir)
    return Span(str(file), href=href)


def decision_log_table(report: Report, adrs: Sequence[AdrEntry], out_dir: Path | None) -> Table:
    """The decision log: one row per ADR, its id linked to its section of the package."""
    rows = []
    for a in adrs:
        rows.append(
            [
                span(a["id"], href="#" + adr_anchor(a["id"])),
                span(a.get("title")),
                badge(a.get("status")),
                badge(a.get("verdict")),
                "yes" if a.get("enforced") else "no",
                span(a.get("decision")),
                file_link(report, a.get("file"), out_dir),
                "; ".join(adr_notes(a, limit=None)),
            ]
        )
    header = ["ADR", "title", "status", "verdict", "enforced", "decision", "file", "notes"]
    return table(header, rows)


def adr_changes_table(changes: Changes, *, link: bool) -> Table:
    """ADRs added, removed or re-judged since a base report (``link``: ids link to sections)."""
    return table(
        ["ADR", "change", "before", "after"],
        [
            [
                span(c["id"], href="#" + adr_anchor(c["id"]) if link else None),
                span(c["change"]),
                span(c["before"]),
                span(c["after"]),
            ]
            for c in changes["adrs"]
        ],
    )


def value_changes_table(changes: Changes) -> Table:
    """Values and verdicts that changed since a base report, with the change for the better
    or the worse marked."""
    rows: list[list[CellLike]] = []
    for v in changes["values"]:
        tone: Style = "good" if v["better"] is True else "bad" if v["better"] is False else "plain"
        verdict = (
            span(v["verdict_after"])
            if v["verdict_before"] == v["verdict_after"]
            else (span(v["verdict_before"]), ARROW, span(v["verdict_after"]))
        )
        rows.append(
            [
                span(v["adr"]),
                span(v["criterion"]),
                span(v["option"]),
                span(v["bound"]),
                fmt_value(v["before"]),
                fmt_value(v["after"]),
                Span(fmt_delta(v["delta"]), tone),
                verdict,
            ]
        )
    header = ["ADR", "criterion", "option", "bound", "before", "after", "delta", "verdict"]
    return table(header, rows, numeric=(4, 5, 6))


def environment_table(report: Report, *, strict: bool) -> Table:
    """Where the numbers come from: Python, platform, archgate, the report's machine details
    (``strict``: also whether the run was strict)."""
    facts: list[tuple[str, object]] = [
        ("python", report.get("python")),
        ("platform", report.get("platform")),
        ("archgate", report.get("archgate_version")),
        ("rootdir", report.get("rootdir")),
    ]
    if strict:
        facts.append(("strict", report.get("strict")))
    rows: list[list[CellLike]] = [[Span(k, "code"), fmt_any(v)] for k, v in facts if v is not None]
    rows += [[Span(k, "code"), v] for k, v in flatten(report.get("environment") or {})]
    return table(["fact", "value"], rows)
