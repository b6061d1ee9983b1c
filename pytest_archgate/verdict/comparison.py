"""Options compared side by side: the table a decision meeting actually needs.

A verdict says whether the chosen option passed; a decision is made by looking at every measured
option against every criterion at once. :func:`compare_options` builds that view from one ADR
entry of the JSON report, so the terminal summary, the JSON report, the PR comment and the HTML
decision package all show the same ranking and the same recommendation.

Ranking
    0. A reference is not a candidate: an option that a ``vs`` criterion compares against
       (typically the ADR's ``baseline``) comes after every candidate, is never recommended, and
       is named as the reference in the recommendation text. It is not judged on the criteria
       that compare against it, so it would otherwise "meet every criterion" on fewer of them.
    1. Options that meet every acceptance criterion come first.
    2. Then by a weighted score in [0, 1] (higher is better), see below.
    3. Ties: fewer failed criteria first, then the option name.

Weighted score
    For each criterion, the values of the options that measured it are normalised across those
    options to [0, 1] in the criterion's good direction:

    * ``min`` only (e.g. ``roc_auc >= 0.9``): higher is better, ``s = (v - lo) / (hi - lo)``;
    * ``max`` only (e.g. ``latency_p95_ms <= 50``): lower is better, ``s = (hi - v) / (hi - lo)``;
    * both ``min`` and ``max``: closer to the middle of the range is better, ``s`` as above on
      ``-|v - (min + max) / 2|``;
    * ``vs`` criteria judge the difference ``metric(option) - metric(vs)``, the same rules
      apply to that difference.

    ``lo`` and ``hi`` are the worst and best values among the options, so the best option gets
    1 and the worst 0; when all options measured the same value every one gets 1, and so they
    do when the spread ``hi - lo`` is within the widest half confidence interval of the
    measurements (a difference the measurement cannot resolve does not rank options). An option that
    did not measure a criterion gets 0 for it; the reference option of a ``vs`` criterion is not
    judged on it, so that criterion is left out of its score. The score is the weighted mean
    ``sum(w_c * s_c) / sum(w_c)`` with the weights of ``archgate.weights`` (default 1 for each
    criterion). The score is relative to the options measured together: it ranks, it does not
    grade, and it never overrides the pass/fail of a criterion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, cast

from pytest_archgate.errors import AdrError
from pytest_archgate.verdict.comparison_types import Cell as Cell
from pytest_archgate.verdict.comparison_types import Comparison as Comparison
from pytest_archgate.verdict.comparison_types import CriterionVerdict as CriterionVerdict
from pytest_archgate.verdict.comparison_types import DailyCost as DailyCost
from pytest_archgate.verdict.comparison_types import Direction as Direction
from pytest_archgate.verdict.comparison_types import RankedComparison as RankedComparison
from pytest_archgate.verdict.comparison_types import Recommendation as Recommendation

COST_METRIC = "cost_per_1k_usd"


def ranked(comparison: Comparison | RankedComparison | None) -> RankedComparison | None:
    """The comparison as a ranked one, or None when it has no options (then renderers compute
    one from the criteria, or show none). The cast is honest for a comparison that came
    through the report loader, which checks a ranked comparison's keys, or from
    :func:`compare_options`."""
    if not comparison or not comparison.get("options"):
        return None
    return cast("RankedComparison", comparison)


def fmt_value(x: float | None) -> str:
    """A short human number: ``0.874``, ``84``, ``-0.006``, ``1234567``."""
    if x is None:
        return "-"
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    if abs(x) >= 1e4:
        return f"{x:.0f}"
    return f"{x:.4g}"


if TYPE_CHECKING:
    from typing_extensions import ReadOnly

    # What the comparison reads of a report's ADR entry and measurements. The report's schema
    # (report/schema.py) is in the layer above, which this module may not import; these read-only
    # views declare the keys read here instead, and mypy checks at every call that the schema's
    # AdrEntry and Measurement fit them (read-only items may be narrower in the schema, e.g. a
    # list where a Sequence is read, a required key where an optional one is read).

    class JudgedIn(TypedDict):
        """A judged criterion (the schema's ``CriterionResult``), as read here."""

        name: ReadOnly[str]
        verdict: ReadOnly[CriterionVerdict]
        metric: ReadOnly[NotRequired[str | None]]
        kind: ReadOnly[NotRequired[str | None]]
        option: ReadOnly[NotRequired[str | None]]
        min: ReadOnly[NotRequired[float | None]]
        max: ReadOnly[NotRequired[float | None]]
        vs: ReadOnly[NotRequired[str | None]]
        bound: ReadOnly[NotRequired[str | None]]
        confidence: ReadOnly[NotRequired[float | None]]
        value: ReadOnly[NotRequired[float | None]]
        ci: ReadOnly[NotRequired[Sequence[float] | None]]
        reason: ReadOnly[NotRequired[str | None]]

    class DefinedIn(TypedDict):
        """A criterion of the ADR's definition (the schema's ``CriterionDefinition``)."""

        name: ReadOnly[str]
        metric: ReadOnly[NotRequired[str | None]]
        min: ReadOnly[NotRequired[float | None]]
        max: ReadOnly[NotRequired[float | None]]
        vs: ReadOnly[NotRequired[str | None]]
        bound: ReadOnly[NotRequired[str | None]]
        confidence: ReadOnly[NotRequired[float | None]]

    class DefinitionIn(TypedDict, total=False):
        """The ADR's definition (the schema's ``Definition``)."""

        decision: ReadOnly[str | None]
        options: ReadOnly[Sequence[str] | None]
        acceptance: ReadOnly[Sequence[DefinedIn] | None]
        weights: ReadOnly[Mapping[str, float] | None]
        cost: ReadOnly[Mapping[str, Any] | None]

    class EntryIn(TypedDict):
        """One ADR entry of a report (the schema's ``AdrEntry``)."""

        id: ReadOnly[NotRequired[str | None]]
        file: ReadOnly[NotRequired[str | None]]
        decision: ReadOnly[NotRequired[str | None]]
        options: ReadOnly[NotRequired[Sequence[str] | None]]
        criteria: ReadOnly[NotRequired[Sequence[JudgedIn] | None]]
        definition: ReadOnly[NotRequired[DefinitionIn | None]]

    class EstimateIn(TypedDict):
        value: ReadOnly[float]
        ci: ReadOnly[NotRequired[Sequence[float] | None]]

    class MeasurementIn(TypedDict):
        """One measurement of a report (the schema's ``Measurement``)."""

        adr: ReadOnly[str]
        metric: ReadOnly[str]
        estimate: ReadOnly[EstimateIn]
        option: ReadOnly[NotRequired[str | None]]

    class _Spec(TypedDict, total=False):
        """An acceptance criterion as the comparison needs it: from the ADR's definition, or
        rebuilt from a judged result when the report carries no definition."""

        name: str
        metric: str | None
        min: float | None
        max: float | None
        vs: str | None
        bound: str | None
        confidence: float | None


def _direction(spec: _Spec) -> Direction:
    has_min = spec.get("min") is not None
    has_max = spec.get("max") is not None
    if has_min and has_max:
        return "target"
    return "lower" if has_max else "higher"


def _goodness(value: float, spec: _Spec, direction: Direction) -> float:
    if direction == "higher":
        return value
    if direction == "lower":
        return -value
    lo, hi = spec.get("min"), spec.get("max")
    if lo is None or hi is None:  # not reached: "target" means both bounds (see _direction)
        return value
    mid = (float(lo) + float(hi)) / 2.0
    return -abs(value - mid)


def _criterion_specs(entry: EntryIn) -> dict[str, _Spec]:
    """Acceptance criteria by name, in ADR order (definition first, then judged results)."""
    specs: dict[str, _Spec] = {}
    definition: DefinitionIn = entry.get("definition") or {}
    for c in definition.get("acceptance") or []:
        specs.setdefault(
            str(c["name"]),
            {
                "name": c["name"],
                "metric": c.get("metric"),
                "min": c.get("min"),
                "max": c.get("max"),
                "vs": c.get("vs"),
                "bound": c.get("bound"),
                "confidence": c.get("confidence"),
            },
        )
    for r in entry.get("criteria") or []:
        if r.get("kind", "acceptance") != "acceptance":
            continue
        specs.setdefault(
            str(r["name"]),
            {
                "name": r["name"],
                "metric": r.get("metric"),
                "min": r.get("min"),
                "max": r.get("max"),
                "vs": r.get("vs"),
                "bound": r.get("bound"),
                "confidence": r.get("confidence"),
            },
        )
    return specs


def _measured_options(entry: EntryIn) -> list[str]:
    measured = {
        str(r["option"])
        for r in entry.get("criteria") or []
        if r.get("option") is not None and r.get("value") is not None
    }
    order = [str(o) for o in (entry.get("definition") or {}).get("options") or []]
    order += [str(o) for o in entry.get("options") or []]
    order += sorted(measured)
    return [o for o in dict.fromkeys(order) if o in measured]


def _cell(result: JudgedIn | None, spec: _Spec, option: str) -> Cell:
    bound = spec.get("bound")
    if result is not None:
        ci = result.get("ci")
        return {
            "value": result.get("value"),
            "ci": list(ci) if ci is not None else None,
            "verdict": result.get("verdict", "unmeasured"),
            "bound": result.get("bound", bound),
            "reason": result.get("reason"),
        }
    if spec.get("vs") == option:
        return {
            "value": None,
            "ci": None,
            "verdict": "n/a",
            "bound": bound,
            "reason": f"{option} is the reference of this vs criterion",
        }
    return {
        "value": None,
        "ci": None,
        "verdict": "unmeasured",
        "bound": bound,
        "reason": "not measured",
    }


def _volume_per_day(entry: EntryIn) -> float | None:
    from pytest_archgate.adr.cost import parse_cost

    raw = (entry.get("definition") or {}).get("cost") or {}
    try:
        return parse_cost(raw, file=entry.get("file")).volume_per_day
    except AdrError:
        return None  # the ADR parser reports a bad cost block; the comparison just omits it


def _daily_costs(
    entry: EntryIn,
    options: Sequence[str],
    cells: Mapping[str, Mapping[str, Cell]],
    specs: Mapping[str, _Spec],
    measurements: Sequence[MeasurementIn] | None,
) -> tuple[float | None, dict[str, DailyCost]]:
    volume = _volume_per_day(entry)
    if volume is None:
        return None, {}
    out: dict[str, DailyCost] = {}
    for option in options:
        per_1k: float | None = None
        ci: Sequence[float] | None = None
        for name, spec in specs.items():
            cell = cells[option][name]
            if (
                spec.get("metric") == COST_METRIC
                and not spec.get("vs")
                and cell["value"] is not None
            ):
                per_1k, ci = float(cell["value"]), cell["ci"]
                break
        if per_1k is None:
            found = [
                m
                for m in measurements or []
                if m["adr"] == entry.get("id")
                and m.get("option") == option
                and m["metric"] == COST_METRIC
            ]
            if found:  # several tests measured it: the worst (most expensive) decides
                worst = max(found, key=lambda m: float(m["estimate"]["value"]))
                per_1k = float(worst["estimate"]["value"])
                ci = worst["estimate"].get("ci")
        if per_1k is None:
            continue
        daily = [x * volume / 1000.0 for x in (per_1k, *(ci or ()))]
        if not all(math.isfinite(x) for x in daily):
            continue  # finite inputs near the float limits: no daily cost a report can hold
        out[option] = {
            "value": daily[0],
            "ci": [daily[1], daily[2]] if ci else None,
            "cost_per_1k_usd": per_1k,
            "volume_per_day": volume,
        }
    return volume, out


def _misses(option: str, names: Sequence[str], cells: Mapping[str, Cell]) -> str:
    failed = []
    missing = []
    for name in names:
        cell = cells[name]
        if cell["verdict"] == "fail":
            text = f"{name}: {fmt_value(cell['value'])} against {cell['bound']}"
            reason = cell.get("reason") or ""
            if "bound" in reason:  # a confidence criterion: the interval, not the value, failed
                text += f" ({reason})"
            failed.append(text)
        elif cell["verdict"] == "unmeasured":
            missing.append(name)
    parts = []
    if failed:
        parts.append("misses " + ", ".join(failed))
    if missing:
        parts.append("has no measurement of " + ", ".join(missing))
    return f"{option} " + " and ".join(parts)


def _reference_phrase(option: str, criteria: Sequence[str]) -> str:
    return f"{option} is the reference of {', '.join(criteria)}, not a candidate"


def _recommendation(
    ranked: Sequence[str],
    names: Sequence[str],
    cells: Mapping[str, Mapping[str, Cell]],
    scores: Mapping[str, float],
    meets_all: Mapping[str, bool],
    decision: str | None,
    references: Mapping[str, Sequence[str]],
) -> Recommendation:
    def applicable(option: str) -> int:
        return sum(1 for n in names if cells[option][n]["verdict"] != "n/a")

    def phrase(option: str) -> str:
        if option in references:
            return _reference_phrase(option, references[option])
        if meets_all[option]:
            return f"{option} also meets all {applicable(option)} but scores {scores[option]:.2f}"
        return _misses(option, names, cells[option])

    candidates = [o for o in ranked if o not in references]
    meeting = [o for o in candidates if meets_all[o]]
    if meeting:
        best = meeting[0]
        k = applicable(best)
        first = f"{best} meets {k} of {k} criteria"
        if len(meeting) > 1:
            first += (
                f" and has the best weighted score of the {len(meeting)} options that do "
                f"({scores[best]:.2f})"
            )
        text = "; ".join([first, *(phrase(o) for o in ranked if o != best)])
        if decision is not None and decision != best and decision in cells:
            text += f"; the ADR's decision is {decision}"
        return {"option": best, "text": text}
    if not candidates:
        text = "Every measured option is the reference of a vs criterion: " + "; ".join(
            phrase(o) for o in ranked
        )
        return {"option": None, "text": text}
    who = "candidate" if references else "option"
    text = f"No {who} meets every criterion: " + "; ".join(phrase(o) for o in ranked)
    best = candidates[0]
    text += f". Best ranked: {best} (weighted score {scores[best]:.2f})"
    return {"option": None, "text": text}


def _weighted_mean(pairs: Sequence[tuple[float, float]], largest_weight: float) -> float:
    """The weighted mean of (weight, normalised value) pairs; 0 when no weight counts.

    Weights near the float limits make the sums overflow: the same ratio is then taken with
    every weight divided by the largest of the ADR (dividing by 1.0 first leaves ordinary sums
    exact).
    """
    for divisor in (1.0, largest_weight):
        total = sum(w / divisor for w, _ in pairs)
        acc = sum(w / divisor * s for w, s in pairs)
        if math.isfinite(total) and math.isfinite(acc):
            break
    return acc / total if total > 0 else 0.0


def compare_options(
    entry: EntryIn, *, measurements: Sequence[MeasurementIn] | None = None
) -> RankedComparison | None:
    """Compare the measured options of one report ADR entry; None below two measured options.

    ``measurements`` (the report's list) lets the comparison show a daily cost at the ADR's
    ``cost.volume_per_day`` for options whose ``cost_per_1k_usd`` was measured but is not an
    acceptance criterion. See the module docstring for the ranking and normalisation.
    """
    options = _measured_options(entry)
    if len(options) < 2:
        return None
    # listed options nobody measured (a skipped framework, a GPU-only option on a CPU run)
    # stay visible as unmeasured columns at the end, never silently dropped
    listed = [str(o) for o in (entry.get("definition") or {}).get("options") or []]
    options += [o for o in listed if o not in options]
    specs = _criterion_specs(entry)
    names = list(specs)
    by_key: dict[tuple[str, str], JudgedIn] = {}
    for r in entry.get("criteria") or []:
        if r.get("kind", "acceptance") == "acceptance" and r.get("option") is not None:
            by_key[(str(r["name"]), str(r["option"]))] = r
    cells = {o: {n: _cell(by_key.get((n, o)), specs[n], o) for n in names} for o in options}

    raw_weights = (entry.get("definition") or {}).get("weights") or {}
    weights = {n: float(raw_weights.get(n, 1.0)) for n in names}
    directions: dict[str, Direction] = {n: _direction(specs[n]) for n in names}

    normalised: dict[str, dict[str, float | None]] = {o: {} for o in options}
    for n in names:
        good = {
            o: _goodness(float(value), specs[n], directions[n])
            for o in options
            if (value := cells[o][n]["value"]) is not None and math.isfinite(float(value))
        }
        lo = min(good.values(), default=0.0)
        hi = max(good.values(), default=0.0)
        # Differences smaller than the measurement's own uncertainty are noise, not a ranking:
        # when the spread of the values is within the widest half-interval, they tie.
        half_widths = [
            (float(ci[1]) - float(ci[0])) / 2 for o in good if (ci := cells[o][n]["ci"]) is not None
        ]
        if half_widths and hi - lo <= max(half_widths):
            lo = hi
        for o in options:
            if cells[o][n]["verdict"] == "n/a":
                normalised[o][n] = None
            elif o not in good:
                normalised[o][n] = 0.0
            elif hi == lo:
                normalised[o][n] = 1.0
            elif math.isfinite(hi - lo):
                normalised[o][n] = (good[o] - lo) / (hi - lo)
            else:  # finite values near the float limits: the spread overflows, halves do not
                normalised[o][n] = (good[o] / 2 - lo / 2) / (hi / 2 - lo / 2)

    largest_weight = max((abs(w) for w in weights.values()), default=1.0)
    scores = {
        o: _weighted_mean(
            [(weights[n], s) for n in names if (s := normalised[o][n]) is not None],
            largest_weight,
        )
        for o in options
    }

    meets_all = {
        o: any(c["verdict"] == "pass" for c in cells[o].values())
        and all(c["verdict"] in ("pass", "n/a") for c in cells[o].values())
        for o in options
    }
    failures = {o: sum(1 for c in cells[o].values() if c["verdict"] == "fail") for o in options}
    # An option a vs criterion compares against is the reference of that criterion (usually the
    # baseline): it is ranked after the candidates and never recommended over them.
    references = {
        o: [n for n in names if specs[n].get("vs") == o]
        for o in options
        if any(specs[n].get("vs") == o for n in names)
    }
    ranked = sorted(
        options,
        key=lambda o: (o in references, not meets_all[o], -round(scores[o], 12), failures[o], o),
    )
    decision = entry.get("decision") or (entry.get("definition") or {}).get("decision")
    volume, daily = _daily_costs(entry, options, cells, specs, measurements)

    comp: RankedComparison = {
        "adr": entry.get("id"),
        "decision": decision,
        "options": ranked,
        "criteria": names,
        "bounds": {n: specs[n].get("bound") for n in names},
        "directions": directions,
        "cells": {o: cells[o] for o in ranked},
        "normalised": {o: normalised[o] for o in ranked},
        "scores": {o: scores[o] for o in ranked},
        "meets_all": {o: meets_all[o] for o in ranked},
        "failures": {o: failures[o] for o in ranked},
        "weights": weights,
        "references": {o: references[o] for o in ranked if o in references},
        "recommendation": _recommendation(
            ranked, names, cells, scores, meets_all, decision, references
        ),
    }
    if daily:
        comp["volume_per_day"] = volume
        comp["daily_cost"] = {o: daily[o] for o in ranked if o in daily}
    return comp


def fmt_count(x: float | None) -> str:
    """``1,000,000`` for whole numbers, else like :func:`fmt_value`."""
    if x is not None and math.isfinite(x) and x == int(x):
        return f"{int(x):,}"
    return fmt_value(x)


def fmt_usd(x: float) -> str:
    """``$1,234`` for large amounts, ``$0.0123`` for small ones."""
    if abs(x) >= 100:
        return f"${x:,.0f}"
    if abs(x) >= 1:
        return f"${x:,.2f}"
    return f"${x:.3g}"
