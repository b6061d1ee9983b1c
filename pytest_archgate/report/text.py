"""Plain-text rendering of ADR results: the pytest summary section and the options comparison."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_archgate.report.build import adr_notes
from pytest_archgate.report.schema import AdrEntry, Cell, RankedComparison
from pytest_archgate.report.view import (
    MISSING,
    fmt_count,
    fmt_interval,
    fmt_score,
    fmt_usd,
    fmt_value,
    text_table,
)
from pytest_archgate.report.view import table as view_table

_MARK = {"pass": "ok", "fail": "FAIL", "unmeasured": "?", "n/a": "n/a"}


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> list[str]:
    """Left-aligned columns separated by two spaces, through the view's one text-table writer
    (every cell through :func:`~pytest_archgate.escape.text`, every line through
    :func:`~pytest_archgate.escape.line`)."""
    return text_table(view_table(header, rows))


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
