"""Options compared side by side: ranking, weighted normalised scores, recommendation text.

Entries are built through the real verdict pipeline (criteria parsed like an ADR's, judged by
``judge_adr``, shaped by ``adr_entry``), so the comparison is tested on the report's own shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr.criteria import parse_criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.report.build import adr_entry
from pytest_archgate.report.text import comparison_lines
from pytest_archgate.verdict.comparison import compare_options, fmt_value
from pytest_archgate.verdict.judge import judge_adr

ADR_ID = "ADR-0009"


def make_entry(
    acceptance: Mapping[str, Any],
    values: Mapping[str, Mapping[str, float]],
    *,
    options: tuple[str, ...] | None = None,
    weights: Mapping[str, float] | None = None,
    decision: str | None = None,
    cis: Mapping[tuple[str, str], tuple[float, float]] | None = None,
    cost: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    opts = options or tuple(values)
    criteria = tuple(
        parse_criterion(n, s, kind="acceptance", options=opts) for n, s in acceptance.items()
    )
    adr = Adr(
        id=ADR_ID,
        title="Pick a model",
        path=Path("adr/0009-pick.md"),
        file="adr/0009-pick.md",
        status="proposed",
        has_archgate=True,
        decision=decision,
        options=opts,
        acceptance=criteria,
        weights=dict(weights or {}),
        cost=dict(cost or {}),
    )
    cis = cis or {}
    ms = [
        Measurement(
            adr=ADR_ID,
            option=o,
            metric=m,
            estimate=Estimate(value=v, intervals={0.95: cis[(o, m)]} if (o, m) in cis else {}),
            nodeid=f"test_x.py::test_{o}",
        )
        for o, per in values.items()
        for m, v in per.items()
    ]
    return adr_entry(judge_adr(adr, ms))


THREE = {
    "roc_auc": ">= 0.9",
    "latency_p95_ms": "<= 50",
}


def test_fewer_than_two_measured_options_gives_none() -> None:
    entry = make_entry(THREE, {"xgboost": {"roc_auc": 0.95, "latency_p95_ms": 10}})
    assert compare_options(entry) is None
    entry = make_entry(
        THREE, {"xgboost": {"roc_auc": 0.95}}, options=("xgboost", "logreg")
    )  # logreg listed but never measured
    assert compare_options(entry) is None


def test_shape_and_cells() -> None:
    entry = make_entry(
        THREE,
        {
            "xgboost": {"roc_auc": 0.93, "latency_p95_ms": 12},
            "logreg": {"roc_auc": 0.86, "latency_p95_ms": 2},
        },
        cis={("xgboost", "roc_auc"): (0.91, 0.95)},
    )
    comp = compare_options(entry)
    assert comp is not None
    assert set(comp) >= {
        "options",
        "criteria",
        "cells",
        "scores",
        "meets_all",
        "recommendation",
        "weights",
    }
    assert comp["criteria"] == ["roc_auc", "latency_p95_ms"]
    cell = comp["cells"]["xgboost"]["roc_auc"]
    assert cell == {
        "value": 0.93,
        "ci": [0.91, 0.95],
        "verdict": "pass",
        "bound": ">= 0.9",
        "reason": None,
    }
    assert comp["cells"]["logreg"]["roc_auc"]["verdict"] == "fail"
    assert comp["weights"] == {"roc_auc": 1.0, "latency_p95_ms": 1.0}


def test_normalisation_and_default_weights() -> None:
    # roc_auc (higher better): 0.95, 0.90, 0.85 -> 1, 0.5, 0
    # latency (lower better): 10, 40, 30 -> 1, 0, 1/3
    entry = make_entry(
        THREE,
        {
            "a": {"roc_auc": 0.95, "latency_p95_ms": 10},
            "b": {"roc_auc": 0.90, "latency_p95_ms": 40},
            "c": {"roc_auc": 0.85, "latency_p95_ms": 30},
        },
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["normalised"]["a"] == pytest.approx({"roc_auc": 1.0, "latency_p95_ms": 1.0})
    assert comp["normalised"]["b"] == pytest.approx({"roc_auc": 0.5, "latency_p95_ms": 0.0})
    assert comp["normalised"]["c"] == pytest.approx({"roc_auc": 0.0, "latency_p95_ms": 1 / 3})
    assert comp["scores"] == pytest.approx({"a": 1.0, "b": 0.25, "c": 1 / 6})
    assert comp["options"] == ["a", "b", "c"]  # a and b meet both; c misses roc_auc
    assert comp["meets_all"] == {"a": True, "b": True, "c": False}


def test_weights_change_the_order_among_options_meeting_everything() -> None:
    values = {
        "fast": {"roc_auc": 0.91, "latency_p95_ms": 5},
        "accurate": {"roc_auc": 0.97, "latency_p95_ms": 45},
    }
    equal = compare_options(make_entry(THREE, values))
    assert equal is not None
    assert equal["scores"] == pytest.approx({"fast": 0.5, "accurate": 0.5})
    assert equal["options"] == ["accurate", "fast"]  # a tie: same failures, then the name

    latency_first = compare_options(make_entry(THREE, values, weights={"latency_p95_ms": 3}))
    assert latency_first is not None
    # fast: (0 * 1 + 1 * 3) / 4, accurate: (1 * 1 + 0 * 3) / 4
    assert latency_first["scores"] == pytest.approx({"fast": 0.75, "accurate": 0.25})
    assert latency_first["options"] == ["fast", "accurate"]
    assert latency_first["weights"] == {"roc_auc": 1.0, "latency_p95_ms": 3.0}

    auc_only = compare_options(make_entry(THREE, values, weights={"latency_p95_ms": 0}))
    assert auc_only is not None
    assert auc_only["options"] == ["accurate", "fast"]
    assert auc_only["scores"] == pytest.approx({"fast": 0.0, "accurate": 1.0})


def test_meeting_every_criterion_beats_a_higher_score() -> None:
    entry = make_entry(
        THREE,
        {
            "great_but_slow": {"roc_auc": 0.99, "latency_p95_ms": 51},
            "just_enough": {"roc_auc": 0.90, "latency_p95_ms": 50},
        },
        weights={"roc_auc": 10},
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["scores"]["great_but_slow"] > comp["scores"]["just_enough"]
    assert comp["options"] == ["just_enough", "great_but_slow"]
    assert comp["recommendation"]["option"] == "just_enough"


def test_recommendation_text() -> None:
    four = {
        "roc_auc": ">= 0.9",
        "latency_p95_ms": "<= 50",
        "recall": ">= 0.5",
        "cost_per_1k_usd": "<= 0.1",
    }
    entry = make_entry(
        four,
        {
            "xgboost": {
                "roc_auc": 0.93,
                "latency_p95_ms": 12,
                "recall": 0.7,
                "cost_per_1k_usd": 0.01,
            },
            "torch_mlp": {
                "roc_auc": 0.95,
                "latency_p95_ms": 84,
                "recall": 0.8,
                "cost_per_1k_usd": 0.05,
            },
            "logreg": {
                "roc_auc": 0.86,
                "latency_p95_ms": 2,
                "recall": 0.6,
                "cost_per_1k_usd": 0.04,
            },
        },
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["options"] == ["xgboost", "torch_mlp", "logreg"]  # scores 0.92, 0.5, 0.31
    assert comp["recommendation"] == {
        "option": "xgboost",
        "text": "xgboost meets 4 of 4 criteria; torch_mlp misses latency_p95_ms: 84 against "
        "<= 50; logreg misses roc_auc: 0.86 against >= 0.9",
    }


def test_all_options_fail() -> None:
    entry = make_entry(
        THREE,
        {
            "xgboost": {"roc_auc": 0.88, "latency_p95_ms": 60},
            "logreg": {"roc_auc": 0.85, "latency_p95_ms": 5},
        },
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["meets_all"] == {"xgboost": False, "logreg": False}
    # logreg: roc 0 + latency 1 = 0.5 and one failure; xgboost: 1 + 0 = 0.5 and two failures
    assert comp["scores"] == pytest.approx({"xgboost": 0.5, "logreg": 0.5})
    assert comp["failures"] == {"xgboost": 2, "logreg": 1}
    assert comp["options"] == ["logreg", "xgboost"]
    rec = comp["recommendation"]
    assert rec["option"] is None
    assert rec["text"] == (
        "No option meets every criterion: logreg misses roc_auc: 0.85 against >= 0.9; "
        "xgboost misses roc_auc: 0.88 against >= 0.9, latency_p95_ms: 60 against <= 50. "
        "Best ranked: logreg (weighted score 0.50)"
    )


def test_unmeasured_counts_as_worst_and_blocks_meets_all() -> None:
    entry = make_entry(
        THREE,
        {
            "xgboost": {"roc_auc": 0.95},
            "logreg": {"roc_auc": 0.91, "latency_p95_ms": 3},
        },
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["cells"]["xgboost"]["latency_p95_ms"]["verdict"] == "unmeasured"
    assert comp["normalised"]["xgboost"]["latency_p95_ms"] == 0.0
    assert comp["normalised"]["logreg"]["latency_p95_ms"] == 1.0  # the only measured value
    assert comp["meets_all"] == {"xgboost": False, "logreg": True}
    assert comp["options"] == ["logreg", "xgboost"]
    assert "xgboost has no measurement of latency_p95_ms" in comp["recommendation"]["text"]


def test_two_sided_bound_prefers_the_middle() -> None:
    entry = make_entry(
        {"positive_rate": {"min": 0.1, "max": 0.3}},
        {"a": {"positive_rate": 0.2}, "b": {"positive_rate": 0.28}, "c": {"positive_rate": 0.12}},
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["directions"] == {"positive_rate": "target"}
    # distance from 0.2: a 0, b 0.08, c 0.08 -> a 1, b and c 0
    assert comp["scores"] == pytest.approx({"a": 1.0, "b": 0.0, "c": 0.0})
    assert comp["options"] == ["a", "b", "c"]


def test_vs_criterion_reference_is_not_scored_on_it() -> None:
    entry = make_entry(
        {"roc_auc": ">= 0.8", "auc_gain": {"metric": "roc_auc", "vs": "logreg", "min": 0.01}},
        {
            "xgboost": {"roc_auc": 0.90},
            "mlp": {"roc_auc": 0.86},
            "logreg": {"roc_auc": 0.85},
        },
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["cells"]["logreg"]["auc_gain"]["verdict"] == "n/a"
    assert comp["normalised"]["logreg"]["auc_gain"] is None
    assert comp["cells"]["xgboost"]["auc_gain"]["value"] == pytest.approx(0.05)
    # roc_auc: xgboost 1, mlp 0.2, logreg 0; gain: xgboost 1, mlp 0; logreg scored on roc_auc only
    assert comp["scores"] == pytest.approx({"xgboost": 1.0, "mlp": 0.1, "logreg": 0.0})
    assert comp["meets_all"] == {"xgboost": True, "mlp": True, "logreg": True}
    # logreg is the reference of auc_gain: not a candidate, so it is not counted among the
    # options that meet every criterion and is named as the reference instead
    assert comp["references"] == {"logreg": ["auc_gain"]}
    assert comp["recommendation"]["text"] == (
        "xgboost meets 2 of 2 criteria and has the best weighted score of the 2 options that do "
        "(1.00); mlp also meets all 2 but scores 0.10; logreg is the reference of auc_gain, not "
        "a candidate"
    )


def test_equal_values_all_score_one() -> None:
    entry = make_entry({"roc_auc": ">= 0.9"}, {"b": {"roc_auc": 0.95}, "a": {"roc_auc": 0.95}})
    comp = compare_options(entry)
    assert comp is not None
    assert comp["scores"] == {"a": 1.0, "b": 1.0}
    assert comp["options"] == ["a", "b"]


def test_decision_other_than_recommendation_is_mentioned() -> None:
    entry = make_entry(
        THREE,
        {
            "xgboost": {"roc_auc": 0.88, "latency_p95_ms": 12},
            "logreg": {"roc_auc": 0.92, "latency_p95_ms": 2},
        },
        decision="xgboost",
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["decision"] == "xgboost"
    assert comp["recommendation"]["option"] == "logreg"
    assert comp["recommendation"]["text"].endswith("; the ADR's decision is xgboost")


def test_confidence_failure_explains_the_bound() -> None:
    entry = make_entry(
        {"roc_auc": {"min": 0.9, "confidence": 0.975}},
        {"xgboost": {"roc_auc": 0.91}, "logreg": {"roc_auc": 0.95}},
        cis={("xgboost", "roc_auc"): (0.88, 0.94), ("logreg", "roc_auc"): (0.93, 0.97)},
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["cells"]["xgboost"]["roc_auc"]["verdict"] == "fail"
    assert (
        "xgboost misses roc_auc: 0.91 against >= 0.9 (conf. 0.975) (lower one-sided 97.5% bound "
        "0.88 < 0.9 (the 95% two-sided interval is [0.88, 0.94]))"
        in (comp["recommendation"]["text"])
    )


def test_daily_cost_from_measurements_at_the_stated_volume() -> None:
    entry = make_entry(
        THREE,
        {
            "xgboost": {"roc_auc": 0.93, "latency_p95_ms": 12},
            "torch_mlp": {"roc_auc": 0.95, "latency_p95_ms": 30},
        },
        cost={"volume_per_day": 2_000_000},
    )
    measurements = [
        {
            "adr": ADR_ID,
            "option": "xgboost",
            "metric": "cost_per_1k_usd",
            "estimate": {"value": 0.002, "ci": [0.0018, 0.0023]},
        },
        {
            "adr": ADR_ID,
            "option": "xgboost",
            "metric": "cost_per_1k_usd",
            "estimate": {"value": 0.001, "ci": None},
        },
        {
            "adr": "ADR-0001",
            "option": "torch_mlp",
            "metric": "cost_per_1k_usd",
            "estimate": {"value": 9.0},
        },
    ]
    comp = compare_options(entry, measurements=measurements)
    assert comp is not None
    assert comp["volume_per_day"] == 2_000_000
    assert set(comp["daily_cost"]) == {"xgboost"}  # the other ADR's measurement is ignored
    daily = comp["daily_cost"]["xgboost"]
    assert daily["value"] == pytest.approx(4.0)  # the worst of the two measurements
    assert daily["ci"] == pytest.approx([3.6, 4.6])
    without = compare_options(entry)  # no cost measured: no daily cost shown
    assert without is not None
    assert "daily_cost" not in without


def test_daily_cost_from_a_cost_criterion() -> None:
    entry = make_entry(
        {"cost_per_1k_usd": "<= 0.01", "roc_auc": ">= 0.9"},
        {
            "a": {"cost_per_1k_usd": 0.005, "roc_auc": 0.93},
            "b": {"cost_per_1k_usd": 0.02, "roc_auc": 0.95},
        },
        cost={"volume_per_day": 1000},
    )
    comp = compare_options(entry)
    assert comp is not None
    assert comp["daily_cost"]["a"]["value"] == pytest.approx(0.005)
    assert comp["daily_cost"]["b"]["value"] == pytest.approx(0.02)


def test_comparison_lines() -> None:
    entry = make_entry(
        THREE,
        {
            "xgboost": {"roc_auc": 0.93, "latency_p95_ms": 12},
            "logreg": {"roc_auc": 0.86, "latency_p95_ms": 2},
        },
        cis={("xgboost", "roc_auc"): (0.91, 0.95)},
        weights={"roc_auc": 2},
    )
    comp = compare_options(entry)
    assert comp is not None
    lines = comparison_lines(comp)
    assert lines[0] == "ADR-0009 options, best first:"
    header = lines[1].split()
    assert header == ["criterion", "bound", "xgboost", "logreg"]
    assert any(
        line.startswith("roc_auc (w=2)") and "0.93 [0.91, 0.95] ok" in line and "0.86 FAIL" in line
        for line in lines
    )
    assert any(line.startswith("meets all") and "yes" in line and "no" in line for line in lines)
    assert lines[-1].startswith("recommended: xgboost. xgboost meets 2 of 2 criteria")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.874, "0.874"),
        (84.0, "84"),
        (-0.006000000000000005, "-0.006"),
        (1234567.8, "1234568"),
        (None, "-"),
    ],
)
def test_fmt_value(value: float | None, text: str) -> None:
    assert fmt_value(value) == text


def test_differences_within_the_interval_tie_instead_of_ranking() -> None:
    # 0.9513 vs 0.9512 with intervals of +-0.01: the measurement cannot tell them apart
    values = {
        "a": {"accuracy": 0.9512, "latency_ms": 5.0},
        "b": {"accuracy": 0.9513, "latency_ms": 9.0},
    }
    cis = {("a", "accuracy"): (0.9412, 0.9612), ("b", "accuracy"): (0.9413, 0.9613)}
    comp = compare_options(
        make_entry({"accuracy": ">= 0.9", "latency_ms": "<= 10"}, values, cis=cis)
    )
    assert comp is not None
    assert comp["normalised"]["a"]["accuracy"] == comp["normalised"]["b"]["accuracy"] == 1.0
    # latency has no interval here, so its real difference still ranks: a is faster
    assert comp["options"][0] == "a"
    # without intervals the tiny accuracy gap would count fully
    plain = compare_options(make_entry({"accuracy": ">= 0.9", "latency_ms": "<= 10"}, values))
    assert plain is not None
    assert plain["normalised"]["a"]["accuracy"] == 0.0
