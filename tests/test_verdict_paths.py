"""One rule for ``confidence: c`` on every path that records a measurement (issue 11).

The judged number is the one-sided bound at level ``c``: the end of the two-sided interval at
``2c - 1``, computed for that level or derived from a recorded interval and then said to be
derived. These tests run real ADR files through pytest (``pytester``) and check that the same
data gives the same verdict, and the same judged bound, whichever path recorded it.

The data are chosen so that the old fallback (the narrowest *wider* interval standing in for
the missing level) would flip the verdict: the limit lies between the 2.5% quantile (the low
end of the 95% interval) and the 5% quantile (the low end of the 90% interval), so the
one-sided 95% bound passes while the 95% two-sided low end fails.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Callable
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from conftest import AdrProject, criterion, entry
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_archgate.measure import metrics
from pytest_archgate.measure.estimate import STANDARD_LEVELS, Estimate, Measurement, two_sided_level
from pytest_archgate.report.merge import merge_files

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")

DATA = """
import numpy as np
import pytest

from pytest_archgate.measure import metrics
from pytest_archgate.measure import stats

rng = np.random.default_rng(11)
y = rng.random(400) < 0.3
s = rng.normal(size=400) + 1.2 * y
s_base = s + rng.normal(size=400) * 0.9
"""


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    y = rng.random(400) < 0.3
    s = rng.normal(size=400) + 1.2 * y
    s_base = s + rng.normal(size=400) * 0.9
    return y, s, s_base


Y, S, S_BASE = _data()
AUC = metrics.evaluate(Y, S, ["roc_auc"])["roc_auc"]
DIFF = metrics.compare(Y, S, S_BASE, "roc_auc")
# between the low end of the 95% interval and the low end of the 90% one
LIMIT = round((AUC.intervals[0.9][0] + AUC.intervals[0.95][0]) / 2, 4)
LIMIT_D = round((DIFF.intervals[0.9][0] + DIFF.intervals[0.95][0]) / 2, 4)

ADR = f"""\
---
status: accepted
date: 2026-12-01
archgate:
  decision: cand
  baseline: base
  options: [cand, base]
  acceptance:
    roc_auc: {{min: {LIMIT}, confidence: 0.95}}
    auc_diff: {{min: {LIMIT_D}, confidence: 0.95}}
    auc_gain: {{metric: roc_auc, vs: base, min: {LIMIT_D}, confidence: 0.95}}
    latency_p95_ms: {{max: 10000, confidence: 0.95}}
    benchmark_median_ms: {{max: 10000, confidence: 0.95}}
---
# Ship the candidate
"""


def _fmt(x: float) -> str:
    return f"{x:.6g}"


@pytest.fixture
def gate(make_adr_project: Callable[..., AdrProject]) -> AdrProject:
    return make_adr_project(standard=False, **{"0001-ship": ADR})


def _run(project: AdrProject, body: str, *args: str, xdist: bool = False) -> dict[str, Any]:
    project.tests(DATA + textwrap.dedent(body))
    argv = (*FAST, "--archgate-report=report.json", *args)
    if xdist:
        result = project.pytester.runpytest_subprocess(*argv)
    else:
        result = project.pytester.runpytest(*argv, "-W", "always")
    assert "Traceback" not in result.stdout.str(), result.stdout.str()
    return entry(project.report(), "ADR-0001")


def _reason_of_pass(bound: float, limit: float, level: int = 90) -> str:
    return f"lower one-sided 95% bound {_fmt(bound)} >= {limit:g} (the {level}% two-sided interval"


def test_the_data_would_flip_under_the_old_fallback() -> None:
    """The premise: the 95% two-sided low end fails where the one-sided 95% bound passes."""
    assert AUC.intervals[0.95][0] < LIMIT <= AUC.intervals[0.9][0]
    assert DIFF.intervals[0.95][0] < LIMIT_D <= DIFF.intervals[0.9][0]


# --------------------------------------------------------------------------------------------
# single-option criterion: every way of recording the same AUC

EXACT = "exact"
DERIVED = "derived"

AUC_PATHS = {
    # the fixture computes the criterion's level
    "fixture.evaluate": (
        """
        @pytest.mark.archgate("ADR-0001")
        def test_m(archgate):
            archgate.evaluate(y, s, ["roc_auc"])
        """,
        EXACT,
    ),
    # outside the fixture: metrics.evaluate computes the standard set, which has 0.9
    "record_estimate(evaluate)": (
        """
        @pytest.mark.archgate("ADR-0001")
        def test_m(archgate):
            archgate.record_estimate("roc_auc", metrics.evaluate(y, s, ["roc_auc"])["roc_auc"])
        """,
        EXACT,
    ),
    # record(ci=..., level=0.9): the level the criterion needs
    "record(ci, level=0.9)": (
        """
        @pytest.mark.archgate("ADR-0001")
        def test_m(archgate):
            e = metrics.evaluate(y, s, ["roc_auc"])["roc_auc"]
            archgate.record("roc_auc", e.value, ci=e.intervals[0.9], level=0.9)
        """,
        EXACT,
    ),
    # record(ci=...) with the usual 95% interval: the 90% one is derived, never replaced by it
    "record(ci 95%)": (
        """
        @pytest.mark.archgate("ADR-0001")
        def test_m(archgate):
            e = metrics.evaluate(y, s, ["roc_auc"])["roc_auc"]
            archgate.record("roc_auc", e.value, ci=e.intervals[0.95])
        """,
        DERIVED,
    ),
    # an Estimate made at 0.95 only (a library call with one level)
    "record_estimate(one level)": (
        """
        @pytest.mark.archgate("ADR-0001")
        def test_m(archgate):
            archgate.record_estimate("roc_auc", stats.roc_auc_ci(y, s, (0.95,)))
        """,
        DERIVED,
    ),
}


@pytest.mark.parametrize("path", sorted(AUC_PATHS))
def test_same_auc_same_verdict_on_every_path(gate: AdrProject, path: str) -> None:
    body, how = AUC_PATHS[path]
    adr = _run(gate, body)
    c = criterion(adr, "roc_auc", "cand")
    assert c["verdict"] == "pass", c["reason"]
    # the judged number is the low end of the two-sided 90% interval; the AUC interval is not
    # symmetric (score + logit-DeLong), so one derived from the 95% interval by the normal
    # approximation is close to the computed one, not equal to it
    if how == EXACT:
        assert c["reason"].startswith(_reason_of_pass(AUC.intervals[0.9][0], LIMIT)), c["reason"]
    else:
        judged = float(c["reason"].split(" bound ")[1].split(" ")[0])
        assert judged == pytest.approx(AUC.intervals[0.9][0], abs=2e-3), c["reason"]
    derived = "bound derived from the recorded 95% interval (normal approximation)"
    assert (derived in c["reason"]) is (how == DERIVED)


def test_the_failure_message_shows_the_judged_bound(gate: AdrProject) -> None:
    """A failing confidence criterion names the one-sided bound, its level and its interval,
    not the 95% two-sided interval the report shows."""
    gate.write_adr("0001-ship", ADR.replace(f"min: {LIMIT},", "min: 0.99,"))
    gate.tests(
        DATA
        + textwrap.dedent(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_m(archgate):
                archgate.evaluate(y, s, ["roc_auc"])
            """
        )
    )
    result = gate.pytester.runpytest(*FAST, "-W", "always")
    lo, hi = AUC.intervals[0.9]
    result.stdout.fnmatch_lines(
        [
            f"*ADR-0001 roc_auc ?cand? = {AUC.value:.4g} violates >= 0.99 (conf. 0.95): lower "
            f"one-sided 95% bound {_fmt(lo)} < 0.99 (the 90% two-sided interval is "
            f"?{_fmt(lo)}, {_fmt(hi)}?)*"
        ]
    )
    lo95, hi95 = AUC.intervals[0.95]
    assert f"[{lo95:.4g}, {hi95:.4g}]" not in result.stdout.str()


def test_xdist_workers_judge_the_same(gate: AdrProject) -> None:
    serial = criterion(_run(gate, AUC_PATHS["record(ci 95%)"][0]), "roc_auc", "cand")
    workers = criterion(
        _run(gate, AUC_PATHS["record(ci 95%)"][0], "-n", "2", xdist=True), "roc_auc", "cand"
    )
    assert (workers["verdict"], workers["reason"]) == (serial["verdict"], serial["reason"])


def test_merge_rejudges_the_same(gate: AdrProject) -> None:
    """``archgate merge`` re-judges from the JSON report: every interval survives the trip."""
    for path in ("fixture.evaluate", "record(ci 95%)"):
        live = criterion(_run(gate, AUC_PATHS[path][0]), "roc_auc", "cand")
        merged = merge_files([gate.path / "report.json"]).report
        again = criterion(entry(merged, "ADR-0001"), "roc_auc", "cand")
        assert (again["verdict"], again["reason"]) == (live["verdict"], live["reason"])
        assert again["estimate"]["intervals"] == live["estimate"]["intervals"]


def test_json_round_trip_keeps_every_level() -> None:
    odd = {0.8: (0.1, 0.9), 0.834: (0.09, 0.91), 0.999999: (0.0, 1.0), 0.95: (0.05, 0.95)}
    est = Estimate(0.5, "m", 10, 0.95, odd)
    back = Estimate.from_json(json.loads(json.dumps(est.to_json())))
    assert dict(back.intervals) == odd
    m = Measurement("ADR-0001", "cand", "roc_auc", AUC)
    again = Measurement.from_json(json.loads(json.dumps(m.to_json()))).estimate
    assert dict(again.intervals) == dict(AUC.intervals)
    assert set(STANDARD_LEVELS) <= set(again.intervals)


# --------------------------------------------------------------------------------------------
# differences: a vs criterion (paired on the rows, or from two estimates) and compare()


def test_paired_vs_and_recorded_compare_judge_the_same_bound(gate: AdrProject) -> None:
    adr = _run(
        gate,
        """
        @pytest.mark.archgate("ADR-0001")
        def test_cand(archgate):
            archgate.evaluate(y, s, ["roc_auc"])
            archgate.record_estimate("auc_diff", metrics.compare(y, s, s_base, "roc_auc"))

        @pytest.mark.archgate("ADR-0001", option="base")
        def test_base(archgate):
            archgate.evaluate(y, s_base, ["roc_auc"])
        """,
    )
    paired = criterion(adr, "auc_gain", "cand")
    recorded = criterion(adr, "auc_diff", "cand")
    expected = _reason_of_pass(DIFF.intervals[0.9][0], LIMIT_D)
    for c in (paired, recorded):
        assert c["verdict"] == "pass", c["reason"]
        assert c["reason"].startswith(expected), c["reason"]
        assert "derived" not in c["reason"]
    assert paired["method"] == recorded["method"] == "paired-mover-score-logit-delong"


def test_unpaired_vs_from_recorded_95_intervals_is_judged_at_its_level(gate: AdrProject) -> None:
    """Two ``record(ci=95%)`` sides: the unpaired difference at 95% is scaled to 90%."""
    a = AUC
    b = metrics.evaluate(Y, S_BASE, ["roc_auc"])["roc_auc"]
    adr = _run(
        gate,
        """
        @pytest.mark.archgate("ADR-0001")
        def test_cand(archgate):
            e = metrics.evaluate(y, s, ["roc_auc"])["roc_auc"]
            archgate.record("roc_auc", e.value, ci=e.intervals[0.95])

        @pytest.mark.archgate("ADR-0001", option="base")
        def test_base(archgate):
            e = metrics.evaluate(y, s_base, ["roc_auc"])["roc_auc"]
            archgate.record("roc_auc", e.value, ci=e.intervals[0.95])
        """,
    )
    c = criterion(adr, "auc_gain", "cand")
    z90, z95 = NormalDist().inv_cdf(0.95), NormalDist().inv_cdf(0.975)
    wa, wb = (e.intervals[0.95][1] - e.intervals[0.95][0] for e in (a, b))
    se = math.hypot(wa, wb) / (2 * z95)
    bound = a.value - b.value - z90 * se
    assert c["method"] == "unpaired-normal"
    assert f"lower one-sided 95% bound {_fmt(bound)} " in c["reason"], c["reason"]
    assert c["reason"].endswith(
        "bound derived from the recorded 95% interval (normal approximation)"
    )
    assert c["verdict"] == ("pass" if bound >= LIMIT_D else "fail")


# --------------------------------------------------------------------------------------------
# latency and pytest-benchmark


def test_latency_is_judged_on_its_90_percent_order_statistic_interval(gate: AdrProject) -> None:
    adr = _run(
        gate,
        """
        @pytest.mark.archgate("ADR-0001")
        def test_m(archgate):
            archgate.latency(lambda: sum(range(50)), runs=300, warmup=2, memory=False)
        """,
    )
    c = criterion(adr, "latency_p95_ms", "cand")
    lo, hi = c["estimate"]["intervals"]["0.9"]
    assert c["verdict"] == "pass"
    assert c["reason"] == (
        f"upper one-sided 95% bound {_fmt(hi)} <= 10000 (the 90% two-sided interval is "
        f"[{_fmt(lo)}, {_fmt(hi)}])"
    )
    assert c["estimate"]["method"] == "order-statistic"


def test_benchmark_bridge_is_judged_on_its_90_percent_interval(
    gate: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest-benchmark's rounds get order-statistic intervals at the standard levels, so a
    confidence criterion on them is judged like one on ``archgate.latency``."""
    pytest.importorskip("pytest_benchmark")
    # pytest-benchmark disables itself under an xdist worker id inherited from this suite
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    gate.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_m(archgate, benchmark):
            benchmark(lambda: sum(range(50)))
        """
    )
    gate.pytester.runpytest(
        "-p",
        "no:pytest_httpserver",
        "-p",
        "no:xdist",
        "--benchmark-max-time=0.05",
        "--archgate-report=report.json",
        "-W",
        "always",
    )
    c = criterion(entry(gate.report(), "ADR-0001"), "benchmark_median_ms", "cand")
    lo, hi = c["estimate"]["intervals"]["0.9"]
    assert c["verdict"] == "pass"
    assert c["reason"] == (
        f"upper one-sided 95% bound {_fmt(hi)} <= 10000 (the 90% two-sided interval is "
        f"[{_fmt(lo)}, {_fmt(hi)}])"
    )


def test_benchmark_estimates_carry_standard_levels() -> None:
    from types import SimpleNamespace

    from pytest_archgate.measure.benchmark_bridge import benchmark_estimates

    rounds = list(np.random.default_rng(3).gamma(4.0, 0.001, size=200))
    fixture = SimpleNamespace(stats=SimpleNamespace(stats=SimpleNamespace(data=rounds)))
    est, note = benchmark_estimates(fixture)
    assert note is None
    for name in ("benchmark_median_ms", "benchmark_mean_ms", "benchmark_ops"):
        e = est[name]
        assert set(e.intervals) == set(STANDARD_LEVELS), name
        assert e.intervals[0.99][0] <= e.intervals[0.8][0] <= e.value, name
        assert e.value <= e.intervals[0.8][1] <= e.intervals[0.99][1], name
    assert est["benchmark_min_ms"].intervals == {}
    # one round: no interval, so a confidence criterion stays unmeasured
    one = SimpleNamespace(stats=SimpleNamespace(stats=SimpleNamespace(data=[0.001])))
    est1, _ = benchmark_estimates(one)
    assert all(not e.intervals for e in est1.values())


# --------------------------------------------------------------------------------------------
# the derivation itself


@given(
    value=st.floats(-10, 10),
    below=st.floats(0, 5),
    above=st.floats(0, 5),
    source=st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]),
    c1=st.floats(0.51, 0.999),
    c2=st.floats(0.51, 0.999),
)
@settings(max_examples=200, deadline=None)
def test_derived_bounds_contain_the_value_and_nest(
    value: float, below: float, above: float, source: float, c1: float, c2: float
) -> None:
    est = Estimate(value, intervals={source: (value - below, value + above)})
    lo1, lo2 = est.lower_bound(c1), est.lower_bound(c2)
    hi1, hi2 = est.upper_bound(c1), est.upper_bound(c2)
    assert lo1 is not None
    assert lo2 is not None
    assert hi1 is not None
    assert hi2 is not None
    assert lo1 <= value <= hi1
    if c1 <= c2:
        assert lo2 <= lo1 + 1e-12
        assert hi1 <= hi2 + 1e-12
    # a normal interval at the source level derives the normal interval at any level
    z = NormalDist().inv_cdf
    se = below / z(0.5 + source / 2) if below > 0 else 0.0
    z1 = z(0.5 + two_sided_level(c1) / 2)  # the level is c1 as a level key (6 decimals)
    assert lo1 == pytest.approx(value - z1 * se, abs=1e-9)


def test_ci_is_only_ever_the_computed_interval() -> None:
    """Reports show ``ci``: it is the producer's interval at ``level``, never a derived one."""
    est = Estimate(0.5, level=0.95, intervals={0.9: (0.4, 0.6)})
    assert est.ci is None
    assert est.interval(0.95) is not None  # derived for judging
    b = est.bound(0.975, "lower")
    assert b is not None
    assert (b.derived_from, b.extrapolated, b.level) == (0.9, True, 0.95)
    assert Estimate(0.5).bound(0.95, "lower") is None
