"""Plain-text rendering of ADR results: the pytest summary section and ``archgate list``."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_archgate import escape
from pytest_archgate.report.build import adr_notes
from pytest_archgate.report.schema import AdrEntry, Cell, RankedComparison
from pytest_archgate.verdict.comparison import fmt_count, fmt_usd, fmt_value

_MARK = {"pass": "ok", "fail": "FAIL", "unmeasured": "?", "n/a": "n/a"}


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> list[str]:
    """Left-aligned columns separated by two spaces; every cell goes through
    :func:`~pytest_archgate.escape.text` and every line through :func:`~.escape.line`."""
    header = [escape.text(h) for h in header]
    rows = [[escape.text(cell) for cell in row] for row in rows]
    widths = [len(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header).rstrip()]
    out.extend(fmt.format(*row).rstrip() for row in rows)
    return [escape.line(x) for x in out]


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


def _cell_text(cell: Cell) -> str:
    if cell["value"] is None:
        return _MARK.get(cell["verdict"], str(cell["verdict"]))
    text = fmt_value(cell["value"])
    if ci := cell["ci"]:
        text += f" [{fmt_value(ci[0])}, {fmt_value(ci[1])}]"
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
    rows.append(["score", "", *(f"{comp['scores'][o]:.2f}" for o in options)])
    daily = comp.get("daily_cost") or {}
    if daily:
        volume = fmt_count(comp.get("volume_per_day"))
        rows.append(
            [
                "cost/day",
                f"at {volume}/day",
                *(fmt_usd(daily[o]["value"]) if o in daily else "-" for o in options),
            ]
        )
    title = f"{comp.get('adr') or 'ADR'} options, best first:"
    rec = comp["recommendation"]
    lead = f"recommended: {rec['option']}" if rec["option"] else "recommended: none"
    return [title, *table(rows, header), f"{lead}. {rec['text']}"]
