"""Unit tests of criterion specs (``pytest_archgate.adr.criteria``) and verdicts (``verdicts``)."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_archgate.adr.criteria import Criterion, parse_criterion
from pytest_archgate.adr.log import load_log
from pytest_archgate.adr.model import Adr
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.errors import CriterionError
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.verdict.judge import judge_adr, judge_all

# ---------------------------------------------------------------------------------------------
# parsing specs


@pytest.mark.parametrize(
    ("spec", "fields"),
    [
        (">= 0.9", {"min": 0.9, "max": None, "min_strict": False, "bound": ">= 0.9"}),
        (">=0.9", {"min": 0.9, "bound": ">= 0.9"}),
        ("  >=   0.9  ", {"min": 0.9}),
        ("> 0.9", {"min": 0.9, "min_strict": True, "bound": "> 0.9"}),
        ("<= 50", {"max": 50.0, "min": None, "max_strict": False, "bound": "<= 50"}),
        ("< 50", {"max": 50.0, "max_strict": True, "bound": "< 50"}),
        ("<= 1_000_000", {"max": 1_000_000.0, "bound": "<= 1000000"}),
        ("<= 1e-3", {"max": 0.001, "bound": "<= 0.001"}),
        (">= -2.5", {"min": -2.5, "bound": ">= -2.5"}),
        ({"min": 0.9}, {"min": 0.9, "bound": ">= 0.9"}),
        ({"min": 1, "max": 2}, {"min": 1.0, "max": 2.0, "bound": ">= 1 and <= 2"}),
        ({"min": 1, "max": 1}, {"min": 1.0, "max": 1.0}),
        ({"max": "1_000"}, {"max": 1000.0}),
        ({"max": "2e3"}, {"max": 2000.0}),
        ({"min": 0.01, "metric": "roc_auc", "vs": "logreg"}, {"metric": "roc_auc", "vs": "logreg"}),
        (
            {"min": 0.9, "confidence": 0.95},
            {"confidence": 0.95, "bound": ">= 0.9 (conf. 0.95)"},
        ),
        ({"max": 5, "device": "cuda"}, {"device": "cuda", "bound": "<= 5 [cuda]"}),
        (
            {"min": 0.01, "vs": "logreg", "confidence": 0.9},
            {"bound": ">= 0.01 vs logreg (conf. 0.9)"},
        ),
    ],
)
def test_parse_valid_specs(spec: Any, fields: dict[str, Any]) -> None:
    c = parse_criterion("auc", spec, kind="acceptance", options=("xgboost", "logreg"), line=7)
    assert c.name == "auc"
    assert c.line == 7
    if "metric" not in fields:
        assert c.metric == "auc"
    for key, value in fields.items():
        assert getattr(c, key) == value, key


def test_kind_is_kept() -> None:
    c = parse_criterion("rate", "<= 0.2", kind="constraint")
    assert (c.kind, c.to_json()["kind"]) == ("constraint", "constraint")


@pytest.mark.parametrize(
    ("name", "spec", "options", "field", "message"),
    [
        ("auc", ">= high", (), "archgate.acceptance.auc", "expected a number, got 'high'"),
        ("auc", "== 0.9", (), "archgate.acceptance.auc", "cannot read '== 0.9'"),
        ("auc", ">= 0.9 or so", (), "archgate.acceptance.auc", "cannot read"),
        ("auc", "0.9", (), "archgate.acceptance.auc", "cannot read '0.9'"),
        ("auc", ">= nan", (), "archgate.acceptance.auc", "bound must be a finite number"),
        ("auc", "<= inf", (), "archgate.acceptance.auc", "bound must be a finite number"),
        ("auc", 0.9, (), "archgate.acceptance.auc", "expected a string like"),
        ("auc", None, (), "archgate.acceptance.auc", "expected a string like"),
        ("auc", [0.9], (), "archgate.acceptance.auc", "expected a string like"),
        ("auc", {"minimum": 1}, (), "archgate.acceptance.auc", "unknown key(s) minimum"),
        ("auc", {"min": 1, "Max": 2}, (), "archgate.acceptance.auc", "unknown key(s) Max"),
        ("auc", {"min": "lots"}, (), "archgate.acceptance.auc.min", "expected a number"),
        ("auc", {"max": True}, (), "archgate.acceptance.auc.max", "expected a number, got True"),
        ("auc", {"max": [1]}, (), "archgate.acceptance.auc.max", "expected a number, got list"),
        ("auc", {"min": math.inf}, (), "archgate.acceptance.auc.min", "finite number"),
        ("auc", {"metric": "auc"}, (), "archgate.acceptance.auc", "needs a bound"),
        ("auc", {}, (), "archgate.acceptance.auc", "needs a bound"),
        ("auc", {"min": 2, "max": 1}, (), "archgate.acceptance.auc", "min 2 is greater than max 1"),
        ("auc", {"min": 1, "metric": ""}, (), "archgate.acceptance.auc.metric", "non-empty"),
        ("auc", {"min": 1, "vs": "svm"}, ("a", "b"), "archgate.acceptance.auc.vs", "(a, b)"),
        ("auc", {"min": 1, "vs": "svm"}, (), "archgate.acceptance.auc.vs", "none listed"),
        ("auc", {"min": 1, "vs": 3}, ("a",), "archgate.acceptance.auc.vs", "must name an option"),
        ("auc", {"min": 1, "device": "tpu"}, (), "archgate.acceptance.auc.device", "cpu, cuda"),
        ("auc", {"min": 1, "device": "CUDA"}, (), "archgate.acceptance.auc.device", "'CUDA'"),
        (
            "auc",
            {"min": 1, "confidence": 1.0},
            (),
            "archgate.acceptance.auc.confidence",
            "(0.5, 1)",
        ),
        (
            "auc",
            {"min": 1, "confidence": 0.4},
            (),
            "archgate.acceptance.auc.confidence",
            "(0.5, 1)",
        ),
        (
            "auc",
            {"min": 1, "confidence": "high"},
            (),
            "archgate.acceptance.auc.confidence",
            "number",
        ),
        (3, ">= 1", (), "archgate.acceptance", "criterion name must be a non-empty string"),
        ("", ">= 1", (), "archgate.acceptance", "criterion name must be a non-empty string"),
    ],
)
def test_invalid_specs(
    name: Any, spec: Any, options: tuple[str, ...], field: str, message: str
) -> None:
    with pytest.raises(CriterionError) as info:
        parse_criterion(name, spec, kind="acceptance", options=options, file="adr/x.md", line=9)
    err = info.value
    assert (err.file, err.line, err.field) == ("adr/x.md", 9, field)
    assert message in err.message
    assert str(err) == f"adr/x.md:9: {field}: {err.message}"


def test_constraint_errors_name_the_constraints_section() -> None:
    with pytest.raises(CriterionError) as info:
        parse_criterion("rate", {"min": "x"}, kind="constraint", file="f.md", line=3)
    assert info.value.field == "archgate.constraints.rate.min"


# ---------------------------------------------------------------------------------------------
# judging


def est(value: float, **intervals: tuple[float, float]) -> Estimate:
    return Estimate(
        value=value,
        intervals={float(k.replace("_", ".")): v for k, v in intervals.items()},
    )


@pytest.mark.parametrize(
    ("spec", "value", "verdict", "reason"),
    [
        (">= 0.9", 0.9, "pass", None),
        (">= 0.9", 0.8999, "fail", "0.8999 below 0.9"),
        ("> 0.9", 0.9, "fail", "0.9 below 0.9"),
        ("> 0.9", 0.9001, "pass", None),
        ("<= 50", 50, "pass", None),
        ("<= 50", 50.5, "fail", "50.5 above 50"),
        ("< 50", 50, "fail", "50 above 50"),
        ({"min": 1, "max": 2}, 0.5, "fail", "0.5 below 1"),
        ({"min": 1, "max": 2}, 2.5, "fail", "2.5 above 2"),
        ({"min": 1, "max": 2}, 1.5, "pass", None),
    ],
)
def test_judge_point_values(spec: Any, value: float, verdict: str, reason: str | None) -> None:
    c = parse_criterion("m", spec, kind="acceptance")
    assert c.judge(est(value)) == (verdict, reason)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_judge_non_finite_is_a_fail(value: float) -> None:
    verdict, reason = parse_criterion("m", "<= 1e9", kind="acceptance").judge(est(value))
    assert verdict == "fail"
    assert reason == f"value is {value}"


def test_judge_with_confidence_uses_one_sided_bounds() -> None:
    low = parse_criterion("m", {"min": 0.8, "confidence": 0.95}, kind="acceptance")
    high = parse_criterion("m", {"max": 10, "confidence": 0.975}, kind="acceptance")
    # the one-sided 95% bound is an end of the two-sided 90% interval; the reason names it,
    # its level and that interval, on a pass too
    assert low.judge(est(0.9, **{"0_9": (0.85, 0.95)})) == (
        "pass",
        "lower one-sided 95% bound 0.85 >= 0.8 (the 90% two-sided interval is [0.85, 0.95])",
    )
    assert low.judge(est(0.9, **{"0_9": (0.75, 0.95)})) == (
        "fail",
        "lower one-sided 95% bound 0.75 < 0.8 (the 90% two-sided interval is [0.75, 0.95])",
    )
    assert high.judge(est(8, **{"0_95": (7.0, 9.5)}))[0] == "pass"
    assert high.judge(est(8, **{"0_95": (7.0, 11.0)})) == (
        "fail",
        "upper one-sided 97.5% bound 11 > 10 (the 95% two-sided interval is [7, 11])",
    )
    # no interval at all: never passed on the point value
    no_interval = (
        "no interval at confidence 0.95: the point value cannot be judged against a one-sided "
        "95% bound"
    )
    assert low.judge(est(0.99)) == ("unmeasured", no_interval)


def test_judge_derives_a_missing_level_and_says_so() -> None:
    """A 95% two-sided interval never stands in for the 90% one that confidence 0.95 needs."""
    low = parse_criterion("m", {"min": 0.8, "confidence": 0.95}, kind="acceptance")
    z90, z95 = NormalDist().inv_cdf(0.95), NormalDist().inv_cdf(0.975)
    # symmetric 95% interval 0.9 +/- 0.11: its low end 0.79 fails, the 90% one passes
    verdict, reason = low.judge(est(0.9, **{"0_95": (0.79, 1.01)}))
    derived = 0.9 - 0.11 * z90 / z95
    assert verdict == "pass"
    assert reason == (
        f"lower one-sided 95% bound {derived:.6g} >= 0.8 (the 90% two-sided interval is "
        f"[{derived:.6g}, {0.9 + 0.11 * z90 / z95:.6g}]); bound derived from the recorded 95% "
        "interval (normal approximation)"
    )
    # each side scaled on its own: a skewed interval keeps its skew
    est_skew = est(0.9, **{"0_95": (0.7, 0.95)})
    assert est_skew.lower_bound(0.95) == pytest.approx(0.9 - 0.2 * z90 / z95)
    assert est_skew.upper_bound(0.95) == pytest.approx(0.9 + 0.05 * z90 / z95)
    # from a lower level outwards (extrapolation): allowed under normality, and said
    verdict, reason = low.judge(est(0.99, **{"0_8": (0.98, 1.0)}))
    assert verdict == "pass"
    assert str(reason).endswith(
        "bound derived from the recorded 80% interval (normal approximation, extrapolated to "
        "a higher level)"
    )
    # the computed level wins over any derivation
    both = est(0.9, **{"0_9": (0.81, 0.99), "0_95": (0.5, 1.0)})
    assert low.judge(both)[1] == (
        "lower one-sided 95% bound 0.81 >= 0.8 (the 90% two-sided interval is [0.81, 0.99])"
    )


def test_badness_orders_worst_first() -> None:
    c = parse_criterion("m", {"min": 1, "max": 2}, kind="acceptance")
    assert c.badness(est(0.5)) > c.badness(est(1.5))
    assert c.badness(est(3)) > c.badness(est(2))


OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@given(op=st.sampled_from(sorted(OPS)), bound=finite, value=finite)
def test_judge_matches_the_operator(op: str, bound: float, value: float) -> None:
    c = parse_criterion("m", f"{op} {bound!r}", kind="acceptance")
    assert (c.min if op.startswith(">") else c.max) == bound
    expected = "pass" if OPS[op](value, bound) else "fail"
    assert c.judge(est(value))[0] == expected


@given(low=finite, high=finite)
def test_min_max_order(low: float, high: float) -> None:
    spec = {"min": low, "max": high}
    if low > high:
        with pytest.raises(CriterionError, match="is greater than max"):
            parse_criterion("m", spec, kind="acceptance")
    else:
        c = parse_criterion("m", spec, kind="acceptance")
        assert (c.min, c.max) == (low, high)


# ---------------------------------------------------------------------------------------------
# line numbers through the ADR parser


def test_criterion_lines(tmp_path: Path) -> None:
    path = tmp_path / "0002-lines.md"
    path.write_text(
        "---\n"  # 1
        "status: accepted\n"  # 2
        "# a comment\n"  # 3
        "archgate:\n"  # 4
        "  decision: a\n"  # 5
        "  options: [a, b]\n"  # 6
        "\n"  # 7
        "  acceptance:\n"  # 8
        '    auc: ">= 0.9"\n'  # 9
        "    # why the latency bound\n"  # 10
        "    latency:\n"  # 11
        "      max: 50\n"  # 12
        "      device: cpu\n"  # 13
        "    gain: {min: 0.01, vs: b}\n"  # 14
        "  constraints:\n"  # 15
        "\n"  # 16
        "    rows: {min: 1000}\n"  # 17
        "---\n"
        "# Lines\n",
        encoding="utf-8",
    )
    adr = parse_adr(path)
    assert [(c.name, c.line) for c in adr.criteria] == [
        ("auc", 9),
        ("latency", 11),
        ("gain", 14),
        ("rows", 17),
    ]


def test_invalid_criterion_line_in_file(tmp_path: Path) -> None:
    path = tmp_path / "0002-bad.md"
    path.write_text(
        "---\nstatus: accepted\narchgate:\n  decision: a\n  acceptance:\n"
        '    auc: ">= 0.9"\n\n    latency:\n      max: fast\n---\n',
        encoding="utf-8",
    )
    with pytest.raises(CriterionError) as info:
        parse_adr(path, root=tmp_path)
    assert str(info.value) == (
        "0002-bad.md:8: archgate.acceptance.latency.max: expected a number, got 'fast'"
    )


# ---------------------------------------------------------------------------------------------
# verdicts (pure)


def adr_from(tmp_path: Path, block: str, status: str = "accepted") -> Adr:
    path = tmp_path / "0002-x.md"
    path.write_text(f"---\nstatus: {status}\narchgate:\n{block}---\n# X\n", encoding="utf-8")
    return parse_adr(path, root=tmp_path)


DECISION_BLOCK = (
    "  decision: a\n  options: [a, b, c]\n"
    '  acceptance:\n    auc: ">= 0.9"\n    gain: {metric: auc, min: 0.01, vs: b}\n'
    '  constraints:\n    rate: "<= 0.2"\n'
)


def m(option: str | None, metric: str, value: float, nodeid: str = "t::x") -> Measurement:
    return Measurement(
        adr="ADR-0002", option=option, metric=metric, estimate=Estimate(value), nodeid=nodeid
    )


def test_decision_adr_verdicts(tmp_path: Path) -> None:
    adr = adr_from(tmp_path, DECISION_BLOCK)
    nothing = judge_adr(adr, [])
    assert nothing.verdict == "unmeasured"
    assert [(r.criterion.name, r.option, r.verdict) for r in nothing.criteria] == [
        ("auc", "a", "unmeasured"),
        ("gain", "a", "unmeasured"),
    ]
    assert {r.criterion.name for r in nothing.unmeasured} == {"auc", "gain", "rate"}

    ok = judge_adr(adr, [m("a", "auc", 0.95), m("b", "auc", 0.9)])
    assert ok.verdict == "pass"
    gain = next(r for r in ok.criteria if r.criterion.name == "gain")
    assert gain.value == pytest.approx(0.05)
    assert gain.role == "decision"
    assert gain.enforced
    base = [r for r in ok.criteria if r.option == "b"]
    assert [(r.criterion.name, r.role, r.enforced) for r in base] == [("auc", "comparison", False)]

    bad = judge_adr(adr, [m("a", "auc", 0.95), m("b", "auc", 0.945)])
    assert bad.verdict == "fail"
    assert [r.criterion.name for r in bad.failing] == ["gain"]
    assert bad.failing[0].message(adr) == (
        "ADR-0002 gain (auc) [a] = 0.005 violates >= 0.01 vs b (0002-x.md:8)"
    )

    # a failing comparison option never fails the decision
    other = judge_adr(adr, [m("a", "auc", 0.95), m("b", "auc", 0.5), m("c", "auc", 0.1)])
    assert other.verdict == "pass"
    assert [r.verdict for r in other.criteria if r.option == "c"] == ["fail", "fail"]


def test_needs_review(tmp_path: Path) -> None:
    adr = adr_from(tmp_path, DECISION_BLOCK)
    drift = judge_adr(adr, [m("a", "rate", 0.5), m("b", "rate", 0.9)])
    assert drift.needs_review is True
    assert [(r.option, r.verdict) for r in drift.violated_constraints] == [("a", "fail")]
    # a comparison option's drift is not a reason to review the decision
    fine = judge_adr(adr, [m("a", "rate", 0.1), m("b", "rate", 0.9)])
    assert fine.needs_review is False


def test_message_of_unmeasured_and_failing(tmp_path: Path) -> None:
    adr = adr_from(tmp_path, DECISION_BLOCK)
    res = judge_adr(adr, [m("a", "auc", 0.874)])
    auc, gain = res.criteria
    assert auc.message(adr) == "ADR-0002 auc [a] = 0.874 violates >= 0.9 (0002-x.md:7)"
    assert gain.message(adr).startswith("ADR-0002 gain [a] is unmeasured (no measurement of auc")


NO_DECISION_BLOCK = '  options: [a, b]\n  acceptance:\n    auc: ">= 0.9"\n    lat: "<= 10"\n'


@pytest.mark.parametrize(
    ("values", "verdict"),
    [
        ({}, "unmeasured"),
        ({("a", "auc"): 0.95, ("a", "lat"): 5}, "pass"),
        ({("a", "auc"): 0.95, ("a", "lat"): 50, ("b", "auc"): 0.91, ("b", "lat"): 1}, "pass"),
        ({("a", "auc"): 0.5}, "fail"),
        ({("a", "auc"): 0.5, ("b", "lat"): 50}, "fail"),
        ({("a", "auc"): 0.5, ("b", "auc"): 0.95}, "unmeasured"),
        ({("a", "auc"): 0.95}, "unmeasured"),
    ],
)
def test_no_decision_verdicts(
    tmp_path: Path, values: dict[tuple[str, str], float], verdict: str
) -> None:
    adr = adr_from(tmp_path, NO_DECISION_BLOCK, status="proposed")
    res = judge_adr(adr, [m(o, k, v) for (o, k), v in values.items()])
    assert res.verdict == verdict
    assert res.enforced is False
    assert all(r.role == "candidate" for r in res.criteria)


def test_no_criteria_is_none_and_judge_all_filters(adr_log_dir: Path) -> None:
    log = load_log(adr_log_dir, root=adr_log_dir.parent)
    results = judge_all(log, [])
    assert [r.adr.id for r in results] == ["ADR-0002", "ADR-0003", "ADR-0004", "ADR-0005"]
    linked = judge_all(log, [], {"ADR-0001": ["t.py::test_doc"]})
    first = linked[0]
    assert (first.adr.id, first.verdict, first.tests) == ("ADR-0001", "none", ["t.py::test_doc"])


def test_worst_measurement_and_device(tmp_path: Path) -> None:
    adr = adr_from(
        tmp_path,
        "  decision: a\n  acceptance:\n    lat: {max: 10, device: cuda}\n    auc: '>= 0.9'\n",
    )
    cpu = Measurement("ADR-0002", "a", "lat", Estimate(1.0), device="cpu")
    res = judge_adr(adr, [cpu, m("a", "auc", 0.95, "t::1"), m("a", "auc", 0.85, "t::2")])
    lat, auc = res.criteria
    assert (lat.verdict, lat.reason) == ("unmeasured", "no measurement of lat on cuda")
    assert (auc.verdict, auc.value, auc.tests) == ("fail", 0.85, ["t::1", "t::2"])
    gpu = Measurement("ADR-0002", "a", "lat", Estimate(12.0), device="cuda")
    assert judge_adr(adr, [gpu]).criteria[0].verdict == "fail"


def test_criterion_json_roundtrip_fields() -> None:
    c = Criterion(name="x", metric="y", min=1.0, line=4)
    data = c.to_json()
    assert set(data) == {
        "name",
        "metric",
        "kind",
        "min",
        "max",
        "min_strict",
        "max_strict",
        "vs",
        "confidence",
        "device",
        "line",
        "bound",
    }
    assert data["bound"] == ">= 1"
