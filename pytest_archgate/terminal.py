"""Plain-text rendering of ADR results: the pytest summary section and ``archgate list``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import escape


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


def adr_rows(adrs: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """One row per ADR entry of a report."""
    from .report import adr_notes

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


def summary_lines(adrs: Sequence[Mapping[str, Any]]) -> list[str]:
    return table(adr_rows(adrs), ["ADR", "status", "verdict", "enforced", "notes"])
