"""Print the options x criteria comparison of an archgate JSON report.

pytest's archgate section shows one line per ADR; a proposed ADR's reader wants every option
side by side. This reads the report's stable keys (``adrs[].criteria`` and ``constraints``) and
prints one table per ADR that compares options: per cell the value, its 95% interval (or, for
a criterion with ``confidence``, the one-sided bound it was judged on) and the verdict.

    python options_table.py out/report.json [--md]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any


def _num(x: float) -> str:
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) < 0.001:
        return f"{x:.2e}"
    return f"{x:.3g}" if abs(x) >= 1 else f"{x:.3f}"


def cell(result: dict[str, Any]) -> str:
    """``value [95% interval]``; with ``confidence: c``, ``value (lo|hi bound)``: the one-sided
    bound at level c that the verdict was judged on (one end of the 2c-1 two-sided interval)."""
    if result.get("value") is None:
        return "unmeasured"
    text = _num(result["value"])
    conf = result.get("confidence")
    intervals = (result.get("estimate") or {}).get("intervals") or {}
    one_sided = intervals.get(f"{round(2 * conf - 1, 6):g}") if conf else None
    ci = result.get("ci")
    if one_sided is not None:
        side, bound = (
            ("lo", one_sided[0]) if result.get("min") is not None else ("hi", one_sided[1])
        )
        text += f" ({side} {_num(bound)})"
    elif ci is not None:
        text += f" [{_num(ci[0])}, {_num(ci[1])}]"
    mark = {"pass": "pass", "fail": "FAIL", "unmeasured": "?"}[result["verdict"]]
    return f"{text} {mark}"


def tables(report: dict[str, Any], markdown: bool) -> list[str]:
    lines: list[str] = []
    for adr in report.get("adrs", []):
        results = adr.get("criteria", []) + adr.get("constraints", [])
        definition = adr.get("definition") or {}
        measured = [r["option"] for r in results if r.get("option")]
        # an ADR without a decision compares every listed option, measured or not; one with a
        # decision only measures the chosen option, so the others are left out
        listed = [] if definition.get("decision") else definition.get("options") or []
        options = list(dict.fromkeys([*listed, *measured]))
        if len(options) < 2:
            continue
        rows: dict[str, dict[str, str]] = {}
        bounds: dict[str, str] = {}
        for r in results:
            label = r["name"] + (" (constraint)" if r.get("kind") == "constraint" else "")
            rows.setdefault(label, {})[r["option"]] = cell(r)
            bounds[label] = r["bound"]
        # measured, but no criterion asks for it: shown for context, without a verdict; the
        # replicates of one (metric, option) (training seeds, repeated runs) as their mean and
        # range, never as whichever replicate came first
        judged = {r["metric"] for r in results}
        replicated: dict[tuple[str, str], list[float]] = {}
        for m in report.get("measurements", []):
            if m["adr"] != adr["id"] or m["metric"] in judged or m["option"] not in options:
                continue
            label = m["metric"] + (f" [{m['device']}]" if m.get("device") != "cpu" else "")
            bounds[label] = "(no criterion)"
            if m.get("replicate") is not None:
                replicated.setdefault((label, m["option"]), []).append(m["estimate"]["value"])
                rows.setdefault(label, {})
                continue
            rows.setdefault(label, {}).setdefault(m["option"], _num(m["estimate"]["value"]))
        for (label, option), values in replicated.items():
            mean = _num(sum(values) / len(values))
            spread = f"{_num(min(values))}-{_num(max(values))}"
            rows[label][option] = f"{mean} (mean of {len(values)}: {spread})"
        header = ["criterion", "bound", *options]
        body = [
            [
                name,
                bounds[name],
                *(cells.get(o, "-" if o in measured else "unmeasured") for o in options),
            ]
            for name, cells in rows.items()
        ]
        lines.append(f"{adr['id']} ({adr['status']}): {adr['title']}")
        if markdown:
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines.extend("| " + " | ".join(row) + " |" for row in body)
        else:
            widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
            for row in [header, *body]:
                cells = (c.ljust(w) for c, w in zip(row, widths, strict=True))
                lines.append("  ".join(cells).rstrip())
        lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--md", action="store_true", help="Markdown table")
    args = parser.parse_args()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    print("\n".join(tables(report, args.md)).rstrip())


if __name__ == "__main__":
    main()
