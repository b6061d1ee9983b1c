"""The decision package: one self-contained HTML file a stakeholder can open and read.

Reviewers of an architecture decision are often not the people who run pytest. The JSON report
has everything, but they need a page: the decision log with statuses, what each decision was
measured against, the options side by side with their intervals, the machine the numbers come
from, and what changed since the last accepted run. ``archgate report REPORT.json --html
OUT.html`` writes that page from a report alone (no ADR files, no network).

The page is a single file on purpose: it is attached to CI runs and e-mails, so it has inline
CSS and inline SVG charts, no scripts and no external URL; a Content-Security-Policy forbids
loading anything. Charts are drawn with matplotlib (the optional ``plot`` extra) when it is
importable, else as small SVGs drawn here: for each option the measured value as a bar, its
interval as a whisker, and the bound as a dashed line.

Everything that comes from ADR files or test ids is untrusted, and escaping it cannot be
forgotten (ADR-0013): every fragment of the page is of the type
:data:`~pytest_archgate.escape.Html`, which only :func:`~pytest_archgate.escape.html_text`
(data, escaped), :func:`~pytest_archgate.escape.html_literal` and
:func:`~pytest_archgate.escape.html_format` (markup written here, data only as ``Html``
arguments) produce. An f-string or ``+`` gives a plain ``str``, which mypy rejects where
``Html`` is expected. Tables come from the shared view (:mod:`pytest_archgate.report.view`),
whose HTML writer escapes every cell.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pytest_archgate import escape
from pytest_archgate.errors import CommandError
from pytest_archgate.escape import Html, html_format, html_join, html_literal, html_text
from pytest_archgate.measure.replicates import variance_line
from pytest_archgate.report.schema import AdrEntry, CriterionResult, RankedComparison, Report
from pytest_archgate.report.text import restored_line
from pytest_archgate.report.view import (
    BREAK,
    MISSING,
    RESULT_COLUMNS,
    SUMMARY_COUNTS,
    CellLike,
    Span,
    adr_anchor,
    adr_changes_table,
    badge,
    chart_series,
    chart_value,
    chart_values,
    comparison_for,
    decision_log_table,
    environment_table,
    file_link,
    flatten,
    fmt_count,
    fmt_interval,
    fmt_score,
    fmt_usd,
    fmt_value,
    gate_failures,
    html_span,
    html_table,
    nice_step,
    report_changes,
    results_table,
    span,
    table,
    value_changes_table,
)

if TYPE_CHECKING:
    from pytest_archgate.report.history import History
    from pytest_archgate.report.view import Changes

Charts = Literal["auto", "matplotlib", "svg"]

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "unmeasured": "#9e9e9e", "n/a": "#bdbdbd"}
_FILL = {
    "pass": html_literal("#2e7d32"),
    "fail": html_literal("#c62828"),
    "unmeasured": html_literal("#9e9e9e"),
    "n/a": html_literal("#bdbdbd"),
}
"""The same colours as markup for the built-in SVG (a "#" before digits is no issue link here)."""
_GREY = html_literal("#9e9e9e")

CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #1d1d1f; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 36px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 1.08em; margin: 22px 0 6px; }
.meta { color: #555; font-size: 0.92em; }
table { border-collapse: collapse; margin: 8px 0 12px; background: #fff; font-size: 0.93em;
  display: block; max-width: 100%; overflow-x: auto; }
td .mono, td code { overflow-wrap: break-word; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 0.85em;
  font-weight: 600; color: #fff; background: #757575; white-space: nowrap; }
.b-pass, .b-accepted { background: #2e7d32; }
.b-fail { background: #c62828; }
.b-unmeasured, .b-none, .b-unknown { background: #9e9e9e; }
.b-proposed { background: #1565c0; }
.b-rejected, .b-superseded { background: #616161; }
.b-deprecated, .b-review { background: #ef6c00; }
.b-n\\/a { background: #bdbdbd; }
.adr { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 4px 18px 12px;
  margin: 18px 0; }
.rec { border-left: 4px solid #2e7d32; background: #f1f8e9; padding: 8px 12px; margin: 8px 0; }
.rec.none { border-color: #c62828; background: #fdecea; }
.failures { border-left: 4px solid #c62828; background: #fdecea; padding: 8px 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; background: #fff; border: 1px solid #eee; padding: 6px; }
figcaption { font-size: 0.88em; color: #444; margin-bottom: 2px; }
svg { max-width: 100%; height: auto; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.9em; }
ul.tests { margin: 4px 0; padding-left: 20px; font-size: 0.9em; }
.delta-good { color: #2e7d32; } .delta-bad { color: #c62828; }
footer { margin-top: 40px; color: #777; font-size: 0.85em; }
"""


esc = html_text
"""Escape one value of the report for the page (``-`` for None): the only way data goes in."""


def _num(x: float, spec: str = ".1f") -> Html:
    """A coordinate or size of the drawing (a number: nothing to escape, typed all the same)."""
    return html_text(format(x, spec))


# --------------------------------------------------------------------------------------------
# charts


def _domain(values: Iterable[float]) -> tuple[float, float]:
    vals = [*chart_values(values), 0.0]
    lo, hi = min(vals), max(vals)
    if hi == lo:
        hi = lo + 1.0
    pad = (hi - lo) * 0.06
    return (lo - pad if lo < 0 else lo, hi + pad)


def svg_chart(
    title: str,
    rows: Sequence[tuple[str, float | None, Sequence[float] | None, str]],
    bounds: Sequence[float],
    bound_text: str = "",
) -> Html:
    """A horizontal bar chart drawn by hand: value bar, interval whisker, dashed bound line."""
    width, label_w, value_w, row_h, top, bottom = 640, 150, 150, 28, 26, 30
    x0, x1 = label_w, width - value_w
    height = top + row_h * max(len(rows), 1) + bottom
    numbers: list[float] = list(bounds)
    for _, value, ci, _ in rows:
        if value is not None:
            numbers.append(value)
        if ci:
            numbers.extend(ci)
    lo, hi = _domain(numbers)

    def x(v: float) -> float:
        # a value beyond the domain (see chart_values) is drawn at the edge
        v = max(lo, min(hi, v))
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    w, h = _num(width, "d"), _num(height, "d")
    parts = [
        html_format(
            '<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}" '
            'font-family="system-ui, sans-serif" font-size="12">',
            w=w,
            h=h,
            t=esc(title),
        ),
        html_format("<title>{}</title>", esc(title)),
        html_format('<rect x="0" y="0" width="{}" height="{}" fill="#fff"/>', w, h),
    ]
    step = nice_step(hi - lo)
    tick = math.ceil(lo / step) * step
    axis_y = top + row_h * max(len(rows), 1)
    ay, top4 = _num(axis_y, "d"), _num(top - 4, "d")
    while tick <= hi + 1e-12:
        tx = _num(x(tick))
        parts.append(
            html_format(
                '<line x1="{tx}" y1="{top4}" x2="{tx}" y2="{ay}" stroke="#eee"/>'
                '<text x="{tx}" y="{ty}" text-anchor="middle" fill="#555">{label}</text>',
                tx=tx,
                top4=top4,
                ay=ay,
                ty=_num(axis_y + 16, "d"),
                label=esc(fmt_value(round(tick, 10))),
            )
        )
        tick += step
    parts.append(
        html_format(
            '<line x1="{x0}" y1="{ay}" x2="{x1}" y2="{ay}" stroke="#999"/>'
            '<line x1="{z}" y1="{top4}" x2="{z}" y2="{ay}" stroke="#999"/>',
            x0=_num(x0, "d"),
            x1=_num(x1, "d"),
            ay=ay,
            z=_num(x(0)),
            top4=top4,
        )
    )
    for i, (option, value, ci, verdict) in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        colour = _FILL.get(verdict, _GREY)
        parts.append(
            html_format(
                '<text x="{}" y="{}" text-anchor="end" fill="#222">{}</text>',
                _num(x0 - 8, "d"),
                _num(cy + 4),
                esc(option),
            )
        )
        if value is None:
            parts.append(
                html_format(
                    '<text x="{}" y="{}" fill="#777" font-style="italic">not measured</text>',
                    _num(x0 + 6, "d"),
                    _num(cy + 4),
                )
            )
            continue
        bx, bw = min(x(0), x(value)), abs(x(value) - x(0))
        parts.append(
            html_format(
                '<rect x="{bx}" y="{by}" width="{bw}" height="16" fill="{c}" fill-opacity="0.8">'
                "<title>{o}: {v} ({verdict})</title></rect>",
                bx=_num(bx),
                by=_num(cy - 8),
                bw=_num(max(bw, 1.0)),
                c=colour,
                o=esc(option),
                v=esc(fmt_value(value)),
                verdict=esc(verdict),
            )
        )
        label = fmt_value(value)
        if ci:
            cl, ch = _num(x(ci[0])), _num(x(ci[1]))
            parts.append(
                html_format(
                    '<line x1="{cl}" y1="{cy}" x2="{ch}" y2="{cy}" stroke="#111" '
                    'stroke-width="1.5"/>'
                    '<line x1="{cl}" y1="{lo}" x2="{cl}" y2="{hi}" stroke="#111" '
                    'stroke-width="1.5"/>'
                    '<line x1="{ch}" y1="{lo}" x2="{ch}" y2="{hi}" stroke="#111" '
                    'stroke-width="1.5"/>',
                    cl=cl,
                    ch=ch,
                    cy=_num(cy),
                    lo=_num(cy - 6),
                    hi=_num(cy + 6),
                )
            )
            label += f" {fmt_interval(ci)}"
        parts.append(
            html_format(
                '<text x="{}" y="{}" fill="{}">{} {}</text>',
                _num(x1 + 8, "d"),
                _num(cy + 4),
                colour,
                esc(label),
                esc(verdict),
            )
        )
    for b in bounds:
        bx_ = _num(x(b))
        parts.append(
            html_format(
                '<line x1="{bx}" y1="{y1}" x2="{bx}" y2="{ay}" stroke="#e65100" '
                'stroke-width="2" stroke-dasharray="6 4"/>'
                '<text x="{bx}" y="{ty}" text-anchor="middle" fill="#e65100">{label}</text>',
                bx=bx_,
                y1=_num(top - 6, "d"),
                ay=ay,
                ty=_num(top - 10, "d"),
                label=esc(bound_text or fmt_value(b)),
            )
        )
    parts.append(html_literal("</svg>"))
    return html_join(parts)


def _scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id of a matplotlib SVG so that several charts can share one page."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for ident in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{ident}"
        svg = svg.replace(f'id="{ident}"', f'id="{new}"')
        svg = svg.replace(f"url(#{ident})", f"url(#{new})")
        svg = svg.replace(f'href="#{ident}"', f'href="#{new}"')
    return svg


def matplotlib_chart(
    title: str,
    rows: Sequence[tuple[str, float | None, Sequence[float] | None, str]],
    bounds: Sequence[float],
    bound_text: str = "",
    *,
    scope: str = "c",
) -> Html:
    """The same chart as :func:`svg_chart`, drawn by matplotlib (raises ImportError without).

    Every element id is prefixed with ``scope``, unique per chart on a page. The labels are
    made plain one-line text first (:func:`~pytest_archgate.escape.text`: no control
    characters); matplotlib's SVG writer escapes them as XML text.
    """
    import matplotlib
    from matplotlib.figure import Figure

    rows = [(escape.text(o), v, ci, verdict) for o, v, ci, verdict in rows]
    bound_text = escape.text(bound_text)
    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "archgate", "text.parse_math": False}
    ):
        fig = Figure(figsize=(6.4, 0.5 + 0.42 * max(len(rows), 1)))
        ax = fig.add_subplot()
        labels = [o for o, _, _, _ in rows]
        ys = list(range(len(rows)))[::-1]
        for y, (_option, value, ci, verdict) in zip(ys, rows, strict=True):
            if value is None:
                ax.text(0, y, " not measured", va="center", color="#777", style="italic")
                continue
            colour = _COLOURS.get(verdict, "#9e9e9e")
            # drawn within CHART_LIMIT (matplotlib's tick arithmetic overflows near the float
            # limits); the label below shows the value itself
            at = chart_value(value)
            ax.barh(y, at, color=colour, alpha=0.8, height=0.55)
            if ci:
                low, high = chart_value(ci[0]), chart_value(ci[1])
                ax.errorbar(
                    at,
                    y,
                    xerr=[[max(at - low, 0.0)], [max(high - at, 0.0)]],
                    fmt="none",
                    ecolor="#111",
                    capsize=4,
                    lw=1.4,
                )
        for b in bounds:
            ax.axvline(chart_value(b), color="#e65100", ls="--", lw=1.8)
            ax.annotate(
                bound_text or fmt_value(b),
                (chart_value(b), 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
                color="#e65100",
            )
        ax.axvline(0, color="#999", lw=0.8)
        ax.set_yticks(ys, labels=labels)
        ax.grid(axis="x", color="#eee")
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for y, (_option, value, ci, verdict) in zip(ys, rows, strict=True):
            if value is not None:
                text = fmt_value(value) + (f" {fmt_interval(ci)}" if ci else "") + f" {verdict}"
                ax.annotate(
                    text,
                    (1.0, y),
                    xycoords=("axes fraction", "data"),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                    color=_COLOURS.get(verdict, "#555"),
                )
        buf = io.StringIO()
        fig.savefig(
            buf,
            format="svg",
            bbox_inches="tight",
            metadata={"Creator": None, "Date": None, "Format": None, "Type": None},
        )
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{esc(title)}"', 1)
    # matplotlib wrote this markup and escaped every label in it (XML text and attributes):
    # the one place where markup from outside this package enters the page
    return Html(_scope_ids(svg, scope))


def have_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def chart(
    title: str,
    rows: Sequence[tuple[str, float | None, Sequence[float] | None, str]],
    bounds: Sequence[float],
    bound_text: str = "",
    *,
    charts: Charts = "auto",
    scope: str = "c",
) -> tuple[Html, str]:
    """``(svg, engine)``: matplotlib when asked or available, else the built-in SVG."""
    if charts != "svg":
        try:
            with warnings.catch_warnings():
                # values near the float limits overflow matplotlib's tick arithmetic: the axis
                # is drawn anyway, and a numpy RuntimeWarning is no news to the reader
                warnings.simplefilter("ignore", RuntimeWarning)
                svg = matplotlib_chart(title, rows, bounds, bound_text, scope=scope)
            return svg, "matplotlib"
        except ImportError:
            if charts == "matplotlib":
                raise CommandError(
                    "charts need matplotlib: pip install 'pytest-archgate[plot]'"
                ) from None
    return svg_chart(title, rows, bounds, bound_text), "svg"


# --------------------------------------------------------------------------------------------
# HTML


def _badge(value: object, kind: str | None = None) -> Html:
    return html_span(badge(value, kind))


def _comparison_html(
    comp: RankedComparison, *, charts: Charts, engines: set[str], scope: str
) -> Html:
    options: list[str] = list(comp["options"])
    rec = comp["recommendation"]
    out = [html_literal("<h3>Options compared</h3>")]
    lead = (
        html_format("Recommended: <strong>{}</strong>. ", esc(rec["option"]))
        if rec["option"]
        else html_literal("<strong>No option meets every criterion.</strong> ")
    )
    text = str(rec["text"] or "")
    if not rec["option"] and text.startswith("No option meets every criterion: "):
        text = text[len("No option meets every criterion: ") :]
    out.append(
        html_format(
            '<p class="{}">{}{}</p>',
            html_literal("rec" if rec["option"] else "rec none"),
            lead,
            esc(text),
        )
    )
    rows: list[list[CellLike]] = []
    for n in comp["criteria"]:
        cells: list[CellLike] = []
        for o in options:
            cell = comp["cells"][o][n]
            value = "" if cell["value"] is None else fmt_value(cell["value"])
            ci = [Span(" "), Span(fmt_interval(cell["ci"]), "meta")] if cell["ci"] else []
            cells.append((Span(value), *ci, Span(" "), badge(cell["verdict"])))
        rows.append(
            [span(n), span(comp["bounds"].get(n)), fmt_value(comp["weights"].get(n, 1.0)), *cells]
        )
    rows.append(
        [
            Span("meets all", "strong"),
            "",
            "",
            *(
                badge("yes", "pass") if comp["meets_all"][o] else badge("no", "fail")
                for o in options
            ),
        ]
    )
    rows.append(
        [Span("weighted score", "strong"), "", "", *(fmt_score(comp["scores"][o]) for o in options)]
    )
    daily = comp.get("daily_cost") or {}
    if daily:
        costs: list[CellLike] = []
        for o in options:
            if o not in daily:
                costs.append(MISSING)
                continue
            cost_ci = daily[o].get("ci")
            costs.append(
                (
                    Span(fmt_usd(daily[o]["value"])),
                    *(
                        [Span(" "), Span(f"[{fmt_usd(cost_ci[0])}, {fmt_usd(cost_ci[1])}]", "meta")]
                        if cost_ci
                        else []
                    ),
                )
            )
        rows.append(
            [
                Span("cost per day", "strong"),
                f"at {fmt_count(comp.get('volume_per_day'))} predictions/day",
                "",
                *costs,
            ]
        )
    out.append(html_table(table(["criterion", "bound", "weight", *options], rows)))
    out.append(
        html_literal(
            "<p class='meta'>Options are ranked: those meeting every criterion first, then by "
            "the weighted score (each criterion normalised across the options to [0, 1] in its "
            "good direction, 1 = best measured), then by fewer failures."
        )
    )
    if daily:
        out.append(
            html_literal(
                " Cost per day = cost_per_1k_usd &times; volume / 1000; a cost derived from "
                "throughput assumes each instance is fully used at the measured throughput."
            )
        )
    out.append(html_literal("</p>"))
    figs = []
    for i, n in enumerate(comp["criteria"]):
        rows_c, bounds = chart_series(comp, n)
        if not any(v is not None for _, v, _, _ in rows_c):
            continue
        bound_text = str(comp["bounds"].get(n) or "")
        svg, engine = chart(
            f"{n} ({bound_text})",
            rows_c,
            bounds,
            bound_text,
            charts=charts,
            scope=f"{scope}-c{i}",
        )
        engines.add(engine)
        figs.append(
            html_format(
                "<figure><figcaption>{}: value, interval and bound {}</figcaption>{}</figure>",
                esc(n),
                esc(bound_text),
                svg,
            )
        )
    if figs:
        out.append(html_format('<div class="charts">{}</div>', html_join(figs)))
    return html_join(out)


def _results_html(results: Sequence[CriterionResult]) -> Html:
    return html_table(results_table(results, RESULT_COLUMNS))


def _adr_section(
    entry: AdrEntry,
    report: Report,
    *,
    out_dir: Path | None,
    charts: Charts,
    engines: set[str],
    known: set[str],
) -> Html:
    adr_id = entry["id"]
    d = entry.get("definition") or {}
    out = [
        html_format('<section class="adr" id="{}">', html_text(adr_anchor(adr_id))),
        html_format("<h2>{}: {}</h2>", esc(adr_id), esc(entry.get("title"))),
    ]
    badges = [_badge(entry.get("status")), _badge(entry.get("verdict"))]
    if entry.get("enforced"):
        badges.append(_badge("enforced", "accepted"))
    if entry.get("needs_review"):
        badges.append(_badge("needs review", "review"))
    out.append(html_format("<p>{}</p>", html_join(badges, " ")))
    facts: list[tuple[str, CellLike]] = [
        ("file", file_link(report, entry.get("file"), out_dir)),
        ("date", span(d.get("date"))),
        ("decision", span(entry.get("decision") or d.get("decision"))),
        ("baseline", span(entry.get("baseline") or d.get("baseline"))),
        ("options", ", ".join(str(o) for o in d.get("options") or entry.get("options") or [])),
    ]
    succ = entry.get("superseded_by")
    if succ:
        href = f"#{adr_anchor(succ)}" if str(succ) in known else None
        facts.append(("superseded by", Span(str(succ), href=href)))
    weights = d.get("weights") or {}
    if weights:
        facts.append(("weights", ", ".join(f"{k}: {fmt_value(v)}" for k, v in weights.items())))
    cost = d.get("cost") or {}
    if cost:
        lines = [Span(f"{k}: {v}") for k, v in flatten(cost)]
        facts.append(
            ("cost", tuple(x for i, t in enumerate(lines) for x in ((BREAK, t) if i else (t,))))
        )
    fact_table = table(None, [[Span(k, "strong"), v] for k, v in facts])
    out.append(html_table(fact_table))
    failing = entry.get("failing") or []
    if failing:
        out.append(
            html_format(
                '<p class="failures">Failing: {}</p>', esc(", ".join(str(f) for f in failing))
            )
        )
    constraints = entry.get("constraints") or []
    if constraints:
        out.append(html_literal("<h3>Constraints (assumptions the decision rests on)</h3>"))
        out.append(_results_html(constraints))
    elif defined := d.get("constraints"):
        out.append(html_literal("<h3>Constraints</h3>"))
        out.append(
            html_table(
                table(
                    ["constraint", "bound"],
                    [[span(c["name"]), span(c.get("bound"))] for c in defined],
                )
            )
        )
    criteria = entry.get("criteria") or []
    if criteria:
        out.append(html_literal("<h3>Acceptance criteria</h3>"))
        out.append(_results_html(criteria))
        if (line := variance_line(criteria)) is not None:
            out.append(html_format("<p class='meta'>{}</p>", esc(line)))
        if (cached := restored_line(report.get("measurements") or [], adr_id)) is not None:
            out.append(html_format("<p class='meta'>{}</p>", esc(cached)))
    elif defined := d.get("acceptance"):
        out.append(html_literal("<h3>Acceptance criteria</h3>"))
        out.append(
            html_table(
                table(
                    ["criterion", "bound"],
                    [[span(c["name"]), span(c.get("bound"))] for c in defined],
                )
            )
        )
    comp = comparison_for(entry, report)
    if comp is not None:
        out.append(_comparison_html(comp, charts=charts, engines=engines, scope=adr_anchor(adr_id)))
    tests = entry.get("tests") or []
    if tests:
        out.append(html_literal("<h3>Linked tests</h3><ul class='tests'>"))
        out.extend(html_format("<li><code>{}</code></li>", esc(t)) for t in tests)
        out.append(html_literal("</ul>"))
    out.append(html_literal("</section>"))
    return html_join(out)


def _changes_html(changes: Changes) -> Html:
    out = [
        html_format(
            "<h2 id='changes'>Changes since the base report ({})</h2>",
            esc(changes["base_generated_at"]),
        )
    ]
    if changes["adrs"]:
        out.append(html_table(adr_changes_table(changes, link=True)))
    if changes["values"]:
        out.append(html_table(value_changes_table(changes)))
    if not changes["adrs"] and not changes["values"]:
        out.append(html_literal("<p>No value or verdict changed.</p>"))
    out.append(
        html_format("<p class='meta'>{} measured results unchanged.</p>", esc(changes["unchanged"]))
    )
    return html_join(out)


def _history_html(history: History, *, charts: Charts, engines: set[str]) -> Html:
    """The history section: the criteria table with trends and steps, and one chart per
    criterion (its latest runs as rows: value, interval, bound; a step marked by an arrow)."""
    from pytest_archgate.report.history import SPARK_POINTS, chart_rows, charted, summary_table

    first, final = history.runs[0], history.runs[-1]
    out = [
        html_literal("<h2 id='history'>History</h2>"),
        html_format(
            "<p class='meta'>{} runs from {} ({}) to {} ({}); a step is a move beyond the "
            "runs' intervals (false-step rate {} per criterion).</p>",
            esc(len(history.runs)),
            esc(first.generated_at),
            esc(first.label),
            esc(final.generated_at),
            esc(final.label),
            esc(history.alpha),
        ),
        html_table(summary_table(history)),
    ]
    figs = []
    for i, c in enumerate(charted(history)):
        bound_text = c.bound or ""
        svg, engine = chart(
            f"{c.label} over the last {SPARK_POINTS} runs ({bound_text})",
            chart_rows(history, c),
            c.bounds,
            bound_text,
            charts=charts,
            scope=f"h{i}",
        )
        engines.add(engine)
        figs.append(
            html_format(
                "<figure><figcaption>{}: value and interval per run, bound {}</figcaption>"
                "{}</figure>",
                esc(c.label),
                esc(bound_text),
                svg,
            )
        )
    if figs:
        out.append(html_format('<div class="charts">{}</div>', html_join(figs)))
    return html_join(out)


def render_html(
    report: Report,
    *,
    base: Report | None = None,
    out_dir: str | Path | None = None,
    charts: Charts = "auto",
    history: History | None = None,
) -> str:
    """The decision package for ``report`` as one self-contained HTML page.

    ``base`` adds a "changes since" section; ``out_dir`` is the folder the page will be
    written to, so that links to ADR files are relative to it (default: as in the report).
    ``charts``: ``auto`` uses matplotlib when importable, ``svg`` never does. ``history``
    adds the criteria over past runs (:mod:`pytest_archgate.report.history`).
    """
    folder = Path(out_dir) if out_dir is not None else None
    adrs = list(report["adrs"])
    known = {str(a["id"]) for a in adrs}
    engines: set[str] = set()
    summary = report.get("summary") or {}
    title = esc("Architecture decisions: archgate decision package")
    out = [
        html_literal("<!DOCTYPE html>"),
        html_literal('<html lang="en"><head><meta charset="utf-8">'),
        html_format('<meta http-equiv="Content-Security-Policy" content="{}">', html_literal(CSP)),
        html_literal('<meta name="viewport" content="width=device-width, initial-scale=1">'),
        html_literal('<meta name="referrer" content="no-referrer">'),
        html_format(
            "<title>{}</title><style>{}</style></head><body><main>", title, html_literal(CSS)
        ),
        html_format("<h1>{}</h1>", title),
        html_format(
            "<p class='meta'>Generated {} by pytest-archgate {}; ADR folder <code>{}</code></p>",
            esc(report.get("generated_at")),
            esc(report.get("archgate_version")),
            esc(report.get("adr_dir")),
        ),
    ]
    counts = [
        html_format("{} {}", esc(summary.get(k, 0)), esc(label)) for k, label in SUMMARY_COUNTS
    ]
    out.append(html_format("<p>{}</p>", html_join(counts, " &middot; ")))
    failures = gate_failures(report)
    errors = list(report.get("errors") or [])
    if failures or errors:
        out.append(html_literal('<div class="failures"><strong>The gate failed:</strong><ul>'))
        out.extend(html_format("<li><code>{}</code></li>", esc(m)) for m in failures)
        out.extend(html_format("<li>error: <code>{}</code></li>", esc(m)) for m in errors)
        out.append(html_literal("</ul></div>"))

    out.append(html_literal("<h2 id='log'>Decision log</h2>"))
    out.append(
        html_table(decision_log_table(report, adrs, folder))
        if adrs
        else html_literal("<p>No ADR with criteria or linked tests in this report.</p>")
    )
    if base is not None:
        out.append(_changes_html(report_changes(report, base)))
    if history is not None and history.runs:
        out.append(_history_html(history, charts=charts, engines=engines))
    for a in adrs:
        out.append(
            _adr_section(a, report, out_dir=folder, charts=charts, engines=engines, known=known)
        )

    out.append(html_literal("<h2 id='environment'>Environment</h2>"))
    out.append(html_table(environment_table(report, strict=True)))
    if not report.get("environment"):
        out.append(
            html_literal(
                "<p class='meta'>The run recorded no machine details; latency and cost numbers "
                "are only comparable on the same kind of machine.</p>"
            )
        )
    engine = " and ".join(sorted(engines)) if engines else "none"
    out.append(
        html_format(
            "<footer>Charts: {}. Intervals are two-sided at the level each measurement states "
            "(95% unless the ADR asks otherwise). This page loads nothing from the network."
            "</footer></main></body></html>",
            esc(engine),
        )
    )
    return html_join(out, "\n") + "\n"
