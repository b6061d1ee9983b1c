"""View helpers shared by every rendering of a report: numbers, intervals, anchors, tables.

The terminal, the job summary, the PR comment, the Markdown and the HTML package take their
formatting from here, so one value reads the same everywhere.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from pytest_archgate.verdict.comparison import RankedComparison, compare_options, fmt_value

#: The summary counts a decision package shows, as ``(report summary key, label)``.
SUMMARY_COUNTS: tuple[tuple[str, str], ...] = (
    ("adrs", "ADR(s) judged"),
    ("pass", "pass"),
    ("fail", "fail"),
    ("unmeasured", "unmeasured"),
    ("enforced_failures", "enforced failures"),
    ("needs_review", "need review"),
)


def gate_failures(report: Mapping[str, Any]) -> list[Any]:
    """The session and strict-mode failure messages of a report, in that order."""
    return list(report.get("session_failures") or []) + list(report.get("strict_failures") or [])


def adr_anchor(adr_id: Any) -> str:
    """A safe fragment id for an ADR section."""
    return "adr-" + re.sub(r"[^A-Za-z0-9_-]+", "-", str(adr_id)).strip("-").lower()


def file_href(report: Mapping[str, Any], file: str | None, out_dir: Path | None) -> str | None:
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


def comparison_for(entry: Mapping[str, Any], report: Mapping[str, Any]) -> RankedComparison | None:
    """The entry's precomputed ``comparison`` when the report has one, else computed here."""
    comp = entry.get("comparison")
    if isinstance(comp, dict) and comp.get("options"):
        return cast("RankedComparison", comp)  # the loader checked a ranked comparison's keys
    return compare_options(entry, measurements=report.get("measurements") or [])


def report_changes(report: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from ``base`` to ``report``: ADRs added, removed or re-judged; values.

    ``values`` lists every criterion and constraint (per option) whose value or verdict
    differs, with ``delta = after - before`` when both were measured; ``unchanged`` counts the
    rest.
    """
    now = {str(a.get("id")): a for a in report.get("adrs") or []}
    then = {str(a.get("id")): a for a in base.get("adrs") or []}
    adrs: list[dict[str, Any]] = []
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

    def rows(entries: Mapping[str, Mapping[str, Any]]) -> dict[tuple[str, str, str, str], Any]:
        out: dict[tuple[str, str, str, str], Any] = {}
        for adr_id, a in entries.items():
            for c in list(a.get("criteria") or []) + list(a.get("constraints") or []):
                out[_criterion_key(adr_id, c)] = c
        return out

    after_rows, before_rows = rows(now), rows(then)
    values: list[dict[str, Any]] = []
    unchanged = 0
    for key in list(after_rows) + [k for k in before_rows if k not in after_rows]:
        a_c, b_c = after_rows.get(key), before_rows.get(key)
        a_v = a_c.get("value") if a_c else None
        b_v = b_c.get("value") if b_c else None
        a_verdict = a_c.get("verdict") if a_c else None
        b_verdict = b_c.get("verdict") if b_c else None
        if a_v == b_v and a_verdict == b_verdict:
            unchanged += 1
            continue
        spec = a_c or b_c or {}
        delta = a_v - b_v if a_v is not None and b_v is not None else None
        values.append(
            {
                "adr": key[0],
                "kind": key[1],
                "criterion": key[2],
                "option": spec.get("option"),
                "bound": spec.get("bound"),
                "before": b_v,
                "after": a_v,
                "delta": delta,
                "better": _better(spec, delta),
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


def fmt_ci(ci: Sequence[float] | None) -> str:
    if not ci:
        return "-"
    return f"[{fmt_value(ci[0])}, {fmt_value(ci[1])}]"


def fmt_delta(delta: float | None) -> str:
    if delta is None:
        return "-"
    return ("+" if delta > 0 else "") + fmt_value(delta)


def flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested mappings as ``(dotted.key, text)`` rows, for environment tables."""
    rows: list[tuple[str, str]] = []
    if isinstance(data, Mapping):
        for k, v in data.items():
            rows.extend(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(data, list | tuple):
        if all(not isinstance(x, Mapping | list | tuple) for x in data):
            rows.append((prefix, ", ".join("-" if x is None else str(x) for x in data)))
        else:
            for i, v in enumerate(data):
                rows.extend(flatten(v, f"{prefix}[{i}]"))
    else:
        rows.append((prefix, "-" if data is None else str(data)))
    return rows


def chart_series(
    comp: Mapping[str, Any], criterion: str
) -> tuple[list[tuple[str, float | None, list[float] | None, str]], list[float]]:
    """For one criterion of a comparison: ``(option, value, ci, verdict)`` rows and bounds."""
    rows = []
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


def nice_step(span: float, target: int = 4) -> float:
    raw = span / target
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def _criterion_key(adr_id: Any, c: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (str(adr_id), str(c.get("kind")), str(c.get("name")), str(c.get("option")))


def _better(spec: Mapping[str, Any], delta: float | None) -> bool | None:
    """Whether a change moved the value in the criterion's good direction (None: no view)."""
    if delta is None or delta == 0:
        return None
    has_min, has_max = spec.get("min") is not None, spec.get("max") is not None
    if has_min and not has_max:
        return delta > 0
    if has_max and not has_min:
        return delta < 0
    return None


def _bounds_of(comp: Mapping[str, Any], criterion: str) -> list[float]:
    text = str(comp.get("bounds", {}).get(criterion) or "")
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
