"""The decision package: one self-contained HTML file a stakeholder can open and read.

Reviewers of an architecture decision are often not the people who run pytest. The JSON report
has everything, but they need a page: the decision log with statuses, what each decision was
measured against, the options side by side with their intervals, the machine the numbers come
from, and what changed since the last accepted run. ``archgate report REPORT.json --html
OUT.html`` writes that page from a report alone (no ADR files, no network).

The page is a single file on purpose: it is attached to CI runs and e-mails, so it has inline
CSS and inline SVG charts, no scripts and no external URL; a Content-Security-Policy forbids
loading anything. Everything that comes from ADR files or test ids is escaped. Charts are drawn
with matplotlib (the optional ``plot`` extra) when it is importable, else as small SVGs drawn
here: for each option the measured value as a bar, its interval as a whisker, and the bound as
a dashed line.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pytest_archgate.errors import CommandError
from pytest_archgate.escape import escape_html
from pytest_archgate.measure.replicates import variance_line
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

Charts = Literal["auto", "matplotlib", "svg"]

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "unmeasured": "#9e9e9e", "n/a": "#bdbdbd"}

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


# --------------------------------------------------------------------------------------------
# shared helpers (also used by md_report)


def esc(value: Any) -> str:
    """HTML-escape anything (quotes included, one line, no controls), ``-`` for None."""
    return escape_html("-" if value is None else value)


# --------------------------------------------------------------------------------------------
# charts


def _domain(values: Iterable[float]) -> tuple[float, float]:
    vals = [v for v in values if math.isfinite(v)] + [0.0]
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
) -> str:
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
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    parts = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{esc(title)}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{esc(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    step = nice_step(hi - lo)
    tick = math.ceil(lo / step) * step
    axis_y = top + row_h * max(len(rows), 1)
    while tick <= hi + 1e-12:
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{axis_y}" stroke="#eee"/>'
            f'<text x="{tx:.1f}" y="{axis_y + 16}" text-anchor="middle" fill="#555">'
            f"{esc(fmt_value(round(tick, 10)))}</text>"
        )
        tick += step
    parts.append(
        f'<line x1="{x0}" y1="{axis_y}" x2="{x1}" y2="{axis_y}" stroke="#999"/>'
        f'<line x1="{x(0):.1f}" y1="{top - 4}" x2="{x(0):.1f}" y2="{axis_y}" stroke="#999"/>'
    )
    for i, (option, value, ci, verdict) in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        colour = _COLOURS.get(verdict, "#9e9e9e")
        parts.append(
            f'<text x="{x0 - 8}" y="{cy + 4:.1f}" text-anchor="end" fill="#222">'
            f"{esc(option)}</text>"
        )
        if value is None:
            parts.append(
                f'<text x="{x0 + 6}" y="{cy + 4:.1f}" fill="#777" font-style="italic">'
                "not measured</text>"
            )
            continue
        bx, bw = min(x(0), x(value)), abs(x(value) - x(0))
        parts.append(
            f'<rect x="{bx:.1f}" y="{cy - 8:.1f}" width="{max(bw, 1.0):.1f}" height="16" '
            f'fill="{colour}" fill-opacity="0.8"><title>{esc(option)}: {esc(fmt_value(value))} '
            f"({esc(verdict)})</title></rect>"
        )
        label = fmt_value(value)
        if ci:
            cl, ch = x(ci[0]), x(ci[1])
            parts.append(
                f'<line x1="{cl:.1f}" y1="{cy:.1f}" x2="{ch:.1f}" y2="{cy:.1f}" stroke="#111" '
                'stroke-width="1.5"/>'
                f'<line x1="{cl:.1f}" y1="{cy - 6:.1f}" x2="{cl:.1f}" y2="{cy + 6:.1f}" '
                'stroke="#111" stroke-width="1.5"/>'
                f'<line x1="{ch:.1f}" y1="{cy - 6:.1f}" x2="{ch:.1f}" y2="{cy + 6:.1f}" '
                'stroke="#111" stroke-width="1.5"/>'
            )
            label += f" {fmt_ci(ci)}"
        parts.append(
            f'<text x="{x1 + 8}" y="{cy + 4:.1f}" fill="{colour}">'
            f"{esc(label)} {esc(verdict)}</text>"
        )
    for b in bounds:
        bx = x(b)
        parts.append(
            f'<line x1="{bx:.1f}" y1="{top - 6}" x2="{bx:.1f}" y2="{axis_y}" stroke="#e65100" '
            'stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{bx:.1f}" y="{top - 10}" text-anchor="middle" fill="#e65100">'
            f"{esc(bound_text or fmt_value(b))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


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
) -> str:
    """The same chart as :func:`svg_chart`, drawn by matplotlib (raises ImportError without).

    Every element id is prefixed with ``scope``, unique per chart on a page.
    """
    import matplotlib
    from matplotlib.figure import Figure

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
            ax.barh(y, value, color=colour, alpha=0.8, height=0.55)
            if ci:
                ax.errorbar(
                    value,
                    y,
                    xerr=[[max(value - ci[0], 0.0)], [max(ci[1] - value, 0.0)]],
                    fmt="none",
                    ecolor="#111",
                    capsize=4,
                    lw=1.4,
                )
        for b in bounds:
            ax.axvline(b, color="#e65100", ls="--", lw=1.8)
            ax.annotate(
                bound_text or fmt_value(b),
                (b, 1.0),
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
                text = fmt_value(value) + (f" {fmt_ci(ci)}" if ci else "") + f" {verdict}"
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
    return _scope_ids(svg, scope)


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
) -> tuple[str, str]:
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


def _badge(value: Any, extra: str | None = None) -> str:
    text = "-" if value is None else str(value)
    cls = extra or text.lower()
    return f'<span class="badge b-{esc(cls)}">{esc(text)}</span>'


def _table(
    header: Sequence[str] | None, rows: Iterable[Sequence[str]], nums: Sequence[int] = ()
) -> str:
    """Rows are already-escaped HTML cells; no header row when ``header`` is None."""
    out = ["<table>"]
    if header is not None:
        out += ["<thead><tr>", *(f"<th>{esc(h)}</th>" for h in header), "</tr></thead>"]
    out.append("<tbody>")
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            out.append(f'<td class="num">{cell}</td>' if i in nums else f"<td>{cell}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _link(href: str | None, text: str) -> str:
    if href is None:
        return esc(text)
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def _result_rows(results: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    rows = []
    for c in results:
        metric = c.get("metric")
        name = esc(c.get("name"))
        if metric and metric != c.get("name"):
            name += f" <span class='meta'>({esc(metric)})</span>"
        tests = c.get("tests") or []
        rows.append(
            [
                name,
                esc(c.get("option")),
                esc(c.get("role")),
                esc(c.get("bound")),
                esc(fmt_value(c.get("value"))),
                esc(fmt_ci(c.get("ci"))),
                esc(c.get("method")),
                esc(c.get("n")),
                _badge(c.get("verdict")),
                esc(c.get("reason") or ""),
                "<br>".join(f"<code>{esc(t)}</code>" for t in tests) or "-",
            ]
        )
    return rows


_RESULT_HEADER = [
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
]


def _comparison_html(
    comp: Mapping[str, Any], *, charts: Charts, engines: set[str], scope: str
) -> str:
    options: list[str] = list(comp["options"])
    rec = comp["recommendation"]
    out = ["<h3>Options compared</h3>"]
    cls = "rec" if rec.get("option") else "rec none"
    lead = (
        f"Recommended: <strong>{esc(rec['option'])}</strong>. "
        if rec.get("option")
        else "<strong>No option meets every criterion.</strong> "
    )
    text = str(rec.get("text") or "")
    if not rec.get("option") and text.startswith("No option meets every criterion: "):
        text = text[len("No option meets every criterion: ") :]
    out.append(f'<p class="{cls}">{lead}{esc(text)}</p>')
    header = ["criterion", "bound", "weight", *options]
    rows = []
    for n in comp["criteria"]:
        cells = []
        for o in options:
            cell = comp["cells"][o][n]
            value = "" if cell["value"] is None else esc(fmt_value(cell["value"]))
            ci = f" <span class='meta'>{esc(fmt_ci(cell['ci']))}</span>" if cell.get("ci") else ""
            cells.append(f"{value}{ci} {_badge(cell['verdict'])}")
        rows.append(
            [
                esc(n),
                esc(comp["bounds"].get(n)),
                esc(fmt_value(comp["weights"].get(n, 1.0))),
                *cells,
            ]
        )
    rows.append(
        [
            "<strong>meets all</strong>",
            "",
            "",
            *(
                _badge("yes", "pass") if comp["meets_all"][o] else _badge("no", "fail")
                for o in options
            ),
        ]
    )
    rows.append(
        [
            "<strong>weighted score</strong>",
            "",
            "",
            *(esc(f"{comp['scores'][o]:.2f}") for o in options),
        ]
    )
    daily = comp.get("daily_cost") or {}
    if daily:
        rows.append(
            [
                "<strong>cost per day</strong>",
                esc(f"at {fmt_count(comp.get('volume_per_day'))} predictions/day"),
                "",
                *(
                    esc(fmt_usd(daily[o]["value"]))
                    + (
                        f" <span class='meta'>[{esc(fmt_usd(daily[o]['ci'][0]))}, "
                        f"{esc(fmt_usd(daily[o]['ci'][1]))}]</span>"
                        if daily[o].get("ci")
                        else ""
                    )
                    if o in daily
                    else "-"
                    for o in options
                ),
            ]
        )
    out.append(_table(header, rows))
    out.append(
        "<p class='meta'>Options are ranked: those meeting every criterion first, then by the "
        "weighted score (each criterion normalised across the options to [0, 1] in its good "
        "direction, 1 = best measured), then by fewer failures."
        + (
            " Cost per day = cost_per_1k_usd &times; volume / 1000; a cost derived from "
            "throughput assumes each instance is fully used at the measured throughput."
            if daily
            else ""
        )
        + "</p>"
    )
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
            f"<figure><figcaption>{esc(n)}: value, interval and bound {esc(bound_text)}"
            f"</figcaption>{svg}</figure>"
        )
    if figs:
        out.append('<div class="charts">' + "".join(figs) + "</div>")
    return "".join(out)


def _adr_section(
    entry: Mapping[str, Any],
    report: Mapping[str, Any],
    *,
    out_dir: Path | None,
    charts: Charts,
    engines: set[str],
    known: set[str],
) -> str:
    adr_id = entry.get("id")
    d = entry.get("definition") or {}
    out = [f'<section class="adr" id="{adr_anchor(adr_id)}">']
    out.append(f"<h2>{esc(adr_id)}: {esc(entry.get('title'))}</h2>")
    badges = [_badge(entry.get("status")), _badge(entry.get("verdict"))]
    if entry.get("enforced"):
        badges.append(_badge("enforced", "accepted"))
    if entry.get("needs_review"):
        badges.append(_badge("needs review", "review"))
    out.append("<p>" + " ".join(badges) + "</p>")
    facts = [
        ("file", _link(file_href(report, entry.get("file"), out_dir), str(entry.get("file")))),
        ("date", esc(d.get("date"))),
        ("decision", esc(entry.get("decision") or d.get("decision"))),
        ("baseline", esc(entry.get("baseline") or d.get("baseline"))),
        ("options", esc(", ".join(str(o) for o in d.get("options") or entry.get("options") or []))),
    ]
    succ = entry.get("superseded_by")
    if succ:
        href = f"#{adr_anchor(succ)}" if str(succ) in known else None
        facts.append(("superseded by", _link(href, str(succ))))
    weights = d.get("weights") or {}
    if weights:
        facts.append(
            ("weights", esc(", ".join(f"{k}: {fmt_value(v)}" for k, v in weights.items())))
        )
    cost = d.get("cost") or {}
    if cost:
        facts.append(("cost", "<br>".join(f"{esc(k)}: {esc(v)}" for k, v in flatten(cost))))
    out.append(_table(None, [[f"<strong>{esc(k)}</strong>", v] for k, v in facts]))
    failing = entry.get("failing") or []
    if failing:
        out.append(f'<p class="failures">Failing: {esc(", ".join(str(f) for f in failing))}</p>')
    constraints = entry.get("constraints") or []
    if constraints:
        out.append("<h3>Constraints (assumptions the decision rests on)</h3>")
        out.append(_table(_RESULT_HEADER, _result_rows(constraints), nums=(4,)))
    elif d.get("constraints"):
        out.append("<h3>Constraints</h3>")
        out.append(
            _table(
                ["constraint", "bound"],
                [[esc(c.get("name")), esc(c.get("bound"))] for c in d["constraints"]],
            )
        )
    criteria = entry.get("criteria") or []
    if criteria:
        out.append("<h3>Acceptance criteria</h3>")
        out.append(_table(_RESULT_HEADER, _result_rows(criteria), nums=(4,)))
        if (line := variance_line(criteria)) is not None:
            out.append(f"<p class='meta'>{esc(line)}</p>")
    elif d.get("acceptance"):
        out.append("<h3>Acceptance criteria</h3>")
        out.append(
            _table(
                ["criterion", "bound"],
                [[esc(c.get("name")), esc(c.get("bound"))] for c in d["acceptance"]],
            )
        )
    comp = comparison_for(entry, report)
    if comp is not None:
        out.append(_comparison_html(comp, charts=charts, engines=engines, scope=adr_anchor(adr_id)))
    tests = entry.get("tests") or []
    if tests:
        out.append("<h3>Linked tests</h3><ul class='tests'>")
        out.extend(f"<li><code>{esc(t)}</code></li>" for t in tests)
        out.append("</ul>")
    out.append("</section>")
    return "".join(out)


def _changes_html(changes: Mapping[str, Any]) -> str:
    out = [
        f"<h2 id='changes'>Changes since the base report ({esc(changes['base_generated_at'])})</h2>"
    ]
    if changes["adrs"]:
        out.append(
            _table(
                ["ADR", "change", "before", "after"],
                [
                    [
                        f'<a href="#{adr_anchor(c["id"])}">{esc(c["id"])}</a>',
                        esc(c["change"]),
                        esc(c["before"]),
                        esc(c["after"]),
                    ]
                    for c in changes["adrs"]
                ],
            )
        )
    if changes["values"]:
        rows = []
        for v in changes["values"]:
            cls = {True: "delta-good", False: "delta-bad"}.get(v["better"], "")
            verdict = (
                esc(v["verdict_after"])
                if v["verdict_before"] == v["verdict_after"]
                else f"{esc(v['verdict_before'])} &rarr; {esc(v['verdict_after'])}"
            )
            rows.append(
                [
                    esc(v["adr"]),
                    esc(v["criterion"]),
                    esc(v["option"]),
                    esc(v["bound"]),
                    esc(fmt_value(v["before"])),
                    esc(fmt_value(v["after"])),
                    f'<span class="{cls}">{esc(fmt_delta(v["delta"]))}</span>',
                    verdict,
                ]
            )
        out.append(
            _table(
                ["ADR", "criterion", "option", "bound", "before", "after", "delta", "verdict"],
                rows,
                nums=(4, 5, 6),
            )
        )
    if not changes["adrs"] and not changes["values"]:
        out.append("<p>No value or verdict changed.</p>")
    out.append(f"<p class='meta'>{esc(changes['unchanged'])} measured results unchanged.</p>")
    return "".join(out)


def render_html(
    report: Mapping[str, Any],
    *,
    base: Mapping[str, Any] | None = None,
    out_dir: str | Path | None = None,
    charts: Charts = "auto",
) -> str:
    """The decision package for ``report`` as one self-contained HTML page.

    ``base`` adds a "changes since" section; ``out_dir`` is the folder the page will be
    written to, so that links to ADR files are relative to it (default: as in the report).
    ``charts``: ``auto`` uses matplotlib when importable, ``svg`` never does.
    """
    folder = Path(out_dir) if out_dir is not None else None
    adrs = list(report.get("adrs") or [])
    known = {str(a.get("id")) for a in adrs}
    engines: set[str] = set()
    summary = report.get("summary") or {}
    title = "Architecture decisions: archgate decision package"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{esc(title)}</h1>",
        f"<p class='meta'>Generated {esc(report.get('generated_at'))} by pytest-archgate "
        f"{esc(report.get('archgate_version'))}; ADR folder <code>{esc(report.get('adr_dir'))}"
        "</code></p>",
    ]
    counts = [f"{esc(summary.get(k, 0))} {esc(label)}" for k, label in SUMMARY_COUNTS]
    out.append("<p>" + " &middot; ".join(counts) + "</p>")
    failures = gate_failures(report)
    errors = list(report.get("errors") or [])
    if failures or errors:
        out.append('<div class="failures"><strong>The gate failed:</strong><ul>')
        out.extend(f"<li><code>{esc(m)}</code></li>" for m in failures)
        out.extend(f"<li>error: <code>{esc(m)}</code></li>" for m in errors)
        out.append("</ul></div>")

    out.append("<h2 id='log'>Decision log</h2>")
    rows = []
    for a in adrs:
        notes = adr_notes(a, limit=None)
        rows.append(
            [
                f'<a href="#{adr_anchor(a.get("id"))}">{esc(a.get("id"))}</a>',
                esc(a.get("title")),
                _badge(a.get("status")),
                _badge(a.get("verdict")),
                "yes" if a.get("enforced") else "no",
                esc(a.get("decision")),
                _link(file_href(report, a.get("file"), folder), str(a.get("file"))),
                esc("; ".join(notes)),
            ]
        )
    out.append(
        _table(["ADR", "title", "status", "verdict", "enforced", "decision", "file", "notes"], rows)
        if rows
        else "<p>No ADR with criteria or linked tests in this report.</p>"
    )
    if base is not None:
        out.append(_changes_html(report_changes(report, base)))
    for a in adrs:
        out.append(
            _adr_section(a, report, out_dir=folder, charts=charts, engines=engines, known=known)
        )

    out.append("<h2 id='environment'>Environment</h2>")
    env_rows = [
        ("python", report.get("python")),
        ("platform", report.get("platform")),
        ("archgate", report.get("archgate_version")),
        ("rootdir", report.get("rootdir")),
        ("strict", report.get("strict")),
    ]
    env = report.get("environment") or {}
    table_rows = [[f"<code>{esc(k)}</code>", esc(v)] for k, v in env_rows if v is not None]
    table_rows += [[f"<code>{esc(k)}</code>", esc(v)] for k, v in flatten(env)]
    out.append(_table(["fact", "value"], table_rows))
    if not env:
        out.append(
            "<p class='meta'>The run recorded no machine details; latency and cost numbers "
            "are only comparable on the same kind of machine.</p>"
        )
    engine = " and ".join(sorted(engines)) if engines else "none"
    out.append(
        f"<footer>Charts: {esc(engine)}. Intervals are two-sided at the level each measurement "
        "states (95% unless the ADR asks otherwise). This page loads nothing from the network."
        "</footer></main></body></html>"
    )
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# command line
