"""Plain-text rendering of ADR results: the pytest summary section and the options comparison."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_archgate.measure.names import level_key, two_sided_level
from pytest_archgate.report.build import adr_notes
from pytest_archgate.report.view import (
    MISSING,
    fmt_count,
    fmt_interval,
    fmt_score,
    fmt_usd,
    fmt_value,
    text_lines,
)

if TYPE_CHECKING:
    from pytest_archgate.report.schema import (
        AdrEntry,
        BaseComparison,
        Cell,
        CriterionResult,
        RankedComparison,
    )

_MARK = {"pass": "ok", "fail": "FAIL", "unmeasured": "?", "n/a": "n/a"}


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> list[str]:
    """Left-aligned columns separated by two spaces, through the view's one text-table writer
    (every cell through :func:`~pytest_archgate.escape.text`, every line through
    :func:`~pytest_archgate.escape.line`)."""
    return text_lines(header, rows)


def adr_rows(adrs: Sequence[AdrEntry]) -> list[list[str]]:
    """One row per ADR entry of a report."""

    rows = []
    for a in adrs:
        notes = adr_notes(a)
        verdict = (
            str(a.get("verdict", "")).upper()
            if a.get("verdict") == "fail"
            else str(a.get("verdict", ""))
        )
        rows.append(
            [
                str(a["id"]),
                str(a.get("status", "")),
                verdict,
                "yes" if a.get("enforced") else "no",
                "; ".join(notes),
            ]
        )
    return rows


def summary_lines(adrs: Sequence[AdrEntry]) -> list[str]:
    return table(adr_rows(adrs), ["ADR", "status", "verdict", "enforced", "notes"])


BASE_HEADER = ["ADR", "criterion", "option", "base", "PR", "difference", "test", "verdict", "notes"]


def _judged_interval(c: CriterionResult) -> object:
    """The two-sided interval at ``2c - 1`` whose end the criterion judged (else its ``ci``)."""
    conf = c.get("confidence")
    est = c.get("estimate")
    intervals = (est.get("intervals") if est is not None else None) or {}
    if isinstance(conf, float) and 0.5 < conf < 1:
        key = str(level_key(two_sided_level(conf)))
        if key in intervals:
            return intervals[key]
    return c.get("ci")


def base_rows(adrs: Sequence[AdrEntry]) -> list[list[str]]:
    """One row per ``vs @base`` criterion and option: base value, PR value, difference with the
    interval the verdict was judged on, the test, the verdict, and what was flagged (plain
    text; every writer escapes the cells)."""
    rows = []
    for a in adrs:
        for c in a.get("criteria") or ():
            if c.get("base") is None and c.get("vs") != "@base":
                continue
            b: BaseComparison = c.get("base") or {}
            diff = fmt_value(c.get("value"))
            ci = _judged_interval(c)
            if c.get("value") is not None and ci:
                diff += " " + fmt_interval(ci)
            notes = [f"stale: {x}" for x in b.get("stale") or ()] + list(b.get("flags") or ())
            if not notes and c.get("verdict") == "unmeasured" and c.get("reason"):
                notes.append(str(c.get("reason")))
            rows.append(
                [
                    str(a["id"]),
                    f"{c['name']} ({c.get('bound') or ''})",
                    str(c.get("option") or MISSING),
                    fmt_value(b.get("base_value")),
                    fmt_value(b.get("pr_value")),
                    diff,
                    str(b.get("test") or MISSING),
                    str(c["verdict"]),
                    "; ".join(notes),
                ]
            )
    return rows


def base_lines(adrs: Sequence[AdrEntry]) -> list[str]:
    """The terminal's "compared with the base branch" table (empty without such criteria)."""
    rows = base_rows(adrs)
    return ["compared with the base branch:", *table(rows, BASE_HEADER)] if rows else []


def _cell_text(cell: Cell) -> str:
    if cell["value"] is None:
        return _MARK.get(cell["verdict"], str(cell["verdict"]))
    text = fmt_value(cell["value"])
    if cell["ci"]:
        text += " " + fmt_interval(cell["ci"])
    return f"{text} {_MARK.get(cell['verdict'], cell['verdict'])}"


def comparison_lines(comp: RankedComparison) -> list[str]:
    """A compact plain-text table of a comparison (ranked options as columns)."""
    options: list[str] = list(comp["options"])
    header = ["criterion", "bound", *options]
    rows: list[list[str]] = []
    for n in comp["criteria"]:
        weight = comp["weights"].get(n, 1.0)
        label = n if weight == 1.0 else f"{n} (w={fmt_value(weight)})"
        rows.append(
            [
                label,
                str(comp["bounds"].get(n) or ""),
                *(_cell_text(comp["cells"][o][n]) for o in options),
            ]
        )
    references = comp.get("references") or {}
    rows.append(
        [
            "meets all",
            "",
            *(
                "reference" if o in references else "yes" if comp["meets_all"][o] else "no"
                for o in options
            ),
        ]
    )
    rows.append(["score", "", *(fmt_score(comp["scores"][o]) for o in options)])
    daily = comp.get("daily_cost") or {}
    if daily:
        volume = fmt_count(comp.get("volume_per_day"))
        rows.append(
            [
                "cost/day",
                f"at {volume}/day",
                *(fmt_usd(daily[o]["value"]) if o in daily else MISSING for o in options),
            ]
        )
    title = f"{comp.get('adr') or 'ADR'} options, best first:"
    rec = comp["recommendation"]
    lead = f"recommended: {rec['option']}" if rec["option"] else "recommended: none"
    return [title, *table(rows, header), f"{lead}. {rec['text']}"]


def restored_line(measurements: Iterable[Mapping[str, Any]], adr: str) -> str | None:
    """One line for every renderer (terminal, job summary, Markdown, HTML): which of ``adr``'s
    measurements were restored from the evaluation cache, and the commits and dates they were
    made at; ``None`` when none was.

    ``measurements`` are the report's (JSON data)."""
    mine = [m for m in measurements if isinstance(m, Mapping) and m.get("adr") == adr]
    restored = [
        m for m in mine if isinstance(c := m.get("cache"), Mapping) and c.get("restored") is True
    ]
    if not restored:
        return None
    names: dict[str, list[str]] = {}
    for m in restored:
        opts = names.setdefault(str(m.get("metric")), [])
        opt = m.get("option")
        if opt is not None and str(opt) not in opts:
            opts.append(str(opt))
    what = "; ".join(
        f"{metric} [{', '.join(opts)}]" if opts else metric for metric, opts in names.items()
    )
    commits = sorted({str(c)[:12] for m in restored if (c := m["cache"].get("commit"))})
    dates = sorted({str(d)[:19] for m in restored if (d := m["cache"].get("created"))})
    # a report written by hand or by another tool may lack the dates: say so, never guess
    if dates:
        made = f"made {dates[0]}" + (f" to {dates[-1]}" if len(dates) > 1 else "") + " UTC"
    else:
        made = "made at an unknown date"
    made += f" at commit {', '.join(commits[:3])}" if commits else " (no commit known)"
    if len(commits) > 3:
        made += f" (+{len(commits) - 3})"
    return (
        f"cached: {len(restored)} of {len(mine)} measurements restored from the evaluation "
        f"cache, not measured in this run ({what}); {made}"
    )
