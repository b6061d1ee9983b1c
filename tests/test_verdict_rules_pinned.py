"""Verdict rules that no other test pinned (issue 15): each test states one rule of the gate.

Mutation testing of the core found behaviours that a change could flip (a failing build turned
into a passing one) with every test still green. Each test here states the rule it pins in its
name and docstring, and goes through pytest (``pytester``, real ADR files) where the user sees
the behaviour, through the public API where the user does not. The comment above each test
names a mutation it kills.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from conftest import AdrProject, criterion, entry

from pytest_archgate.adr.criteria import Criterion, parse_criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.measure import gpu
from pytest_archgate.measure.estimate import Estimate, Measurement, two_sided_level
from pytest_archgate.report.merge import merge_files
from pytest_archgate.verdict.judge import judge_adr, judge_criterion, unpaired_difference

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")
IN_PROCESS = ("-W", "always")

MakeProject = Callable[..., AdrProject]


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def run(project: AdrProject, *args: str) -> pytest.RunResult:
    """An in-process run (so that a mutant of the plugin's code is the code that runs)."""
    return project.pytester.runpytest(*FAST, *IN_PROCESS, *args)


def adr_text(acceptance: str, *, decision: str | None = "cand", extra: str = "") -> str:
    """An accepted ADR with options ``cand`` and ``base`` and the given acceptance lines."""
    head = f"  decision: {decision}\n" if decision else ""
    body = textwrap.indent(textwrap.dedent(acceptance).strip(), "    ")
    return (
        "---\nstatus: accepted\ndate: 2026-12-01\narchgate:\n"
        f"{head}  options: [cand, base]\n{extra}  acceptance:\n{body}\n---\n# Ship it\n"
    )


# ---------------------------------------------------------------------------------------------
# the `=>` and `=<` spellings of a bound


@pytest.mark.parametrize(
    ("spec", "value", "exit_code"),
    [
        # kills: `op in (">=", "=>", ">")` losing "=>" (the bound becomes a max)
        ('"=> 0.9"', 0.95, 0),
        ('"=> 0.9"', 0.85, 1),
        # kills: "=<" read as a min
        ('"=< 50"', 40.0, 0),
        ('"=< 50"', 60.0, 1),
    ],
)
def test_reversed_spellings_bound_like_the_usual_ones(
    make_adr_project: MakeProject, spec: str, value: float, exit_code: int
) -> None:
    """``=> x`` is a minimum like ``>= x`` and ``=< x`` a maximum like ``<= x``: a value on
    the wrong side fails the run, one on the right side passes it."""
    project = make_adr_project(standard=False, **{"0001-ship": adr_text(f"m: {spec}")})
    project.tests(
        f"""
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_m(archgate):
            archgate.record("m", {value})
        """
    )
    result = run(project, "--archgate-report=report.json")
    assert result.ret == exit_code
    row = criterion(project.adr_entry("ADR-0001"), "m", "cand")
    assert row["verdict"] == ("pass" if exit_code == 0 else "fail")


@pytest.mark.parametrize(
    ("spec", "side", "limit", "strict"),
    [("=> 0.9", "min", 0.9, False), ("=< 0.9", "max", 0.9, False), (">= 0.9", "min", 0.9, False)],
)
def test_reversed_spellings_parse_to_inclusive_bounds(
    spec: str, side: str, limit: float, strict: bool
) -> None:
    """``=>``/``=<`` are inclusive (a value equal to the limit passes), like ``>=``/``<=``."""
    c = parse_criterion("m", spec, kind="acceptance")
    assert getattr(c, side) == limit
    assert getattr(c, "max" if side == "min" else "min") is None
    assert (c.min_strict, c.max_strict) == (False, False)
    assert strict is False
    assert c.judge(Estimate(value=0.9))[0] == "pass"
    # with confidence (mapping form) the same bound is judged on the one-sided bound
    conf = Criterion(name="m", metric="m", confidence=0.95, **{side: limit})  # type: ignore[arg-type]
    inside = (0.89, 0.91)
    verdict, _ = conf.judge(Estimate(value=0.9, intervals={0.9: inside}))
    assert verdict == "fail"  # one end of [0.89, 0.91] is on the wrong side of 0.9


# ---------------------------------------------------------------------------------------------
# a max criterion with confidence; which interval a bound comes from


def test_max_with_confidence_and_no_interval_is_unmeasured_never_pass(
    make_adr_project: MakeProject,
) -> None:
    """A ``max`` with ``confidence`` whose estimate has no interval at all is ``unmeasured``
    (never passed on its point value); the run passes without strict and fails with it."""
    # kills: the `elif self.confidence is not None and bound is None` branch dropped
    project = make_adr_project(
        standard=False, **{"0001-ship": adr_text("lat: {max: 50, confidence: 0.95}")}
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_lat(archgate):
            archgate.record("lat", 10.0)
        """
    )
    result = run(project, "--archgate-report=report.json")
    assert result.ret == 0
    adr = project.adr_entry("ADR-0001")
    row = criterion(adr, "lat", "cand")
    assert row["verdict"] == "unmeasured"
    assert "no interval at confidence 0.95" in row["reason"]
    assert adr["verdict"] == "unmeasured"
    assert run(project, "--archgate-strict").ret == 1


def test_max_without_interval_still_fails_on_its_point_value() -> None:
    """A point value above a ``max`` fails whatever its interval, also without one."""
    c = Criterion(name="lat", metric="lat", max=50.0, confidence=0.95)
    verdict, reason = c.judge(Estimate(value=60.0))
    assert verdict == "fail"
    assert reason == "60 above 50"


def _several_levels() -> Estimate:
    return Estimate(
        value=10.0,
        level=0.95,
        intervals={0.8: (9.0, 11.0), 0.9: (8.5, 11.5), 0.95: (8.0, 12.0), 0.99: (7.0, 13.0)},
    )


def test_upper_bound_is_the_high_end_at_exactly_two_c_minus_one() -> None:
    """With several recorded levels the upper bound at ``c`` is the high end of the interval at
    ``2c - 1`` exactly: never the reported one, a wider or a narrower one."""
    # kills: `exact[0] if side == "lower"` swapped, or the level lookup using `confidence`
    e = _several_levels()
    assert e.upper_bound(0.95) == 11.5
    assert e.upper_bound(0.9) == 11.0
    assert e.upper_bound(0.975) == 12.0
    assert e.lower_bound(0.95) == 8.5
    b = e.bound(0.95, "upper")
    assert b is not None
    assert (b.level, b.interval, b.derived_from, b.extrapolated) == (0.9, (8.5, 11.5), None, False)
    c = Criterion(name="lat", metric="lat", max=11.4, confidence=0.95)
    verdict, reason = c.judge(e)
    assert verdict == "fail"
    assert reason == (
        "upper one-sided 95% bound 11.5 > 11.4 (the 90% two-sided interval is [8.5, 11.5])"
    )
    assert Criterion(name="lat", metric="lat", max=11.5, confidence=0.95).judge(e)[0] == "pass"


def test_missing_level_is_derived_from_the_narrowest_higher_one() -> None:
    """A missing level is derived from the narrowest recorded interval at a higher level, each
    side scaled by ``z(level) / z(source)``; the reason says it was derived."""
    # kills: `min(higher)` -> `max(higher)`, the ratio inverted, or the derivation note dropped
    e = Estimate(value=10.0, intervals={0.8: (9.0, 11.0), 0.95: (8.0, 13.0), 0.99: (6.0, 14.0)})
    b = e.bound(0.95, "upper")
    assert b is not None
    ratio = _z(0.9) / _z(0.95)
    assert b.derived_from == 0.95
    assert not b.extrapolated
    assert b.value == pytest.approx(10.0 + 3.0 * ratio, abs=1e-12)
    assert b.interval[0] == pytest.approx(10.0 - 2.0 * ratio, abs=1e-12)
    limit = 12.6  # the 95% high end (13) would fail it, the derived 90% end (12.52) passes
    assert 10.0 + 3.0 * ratio < limit < 13.0
    c = Criterion(name="lat", metric="lat", max=limit, confidence=0.95)
    verdict, reason = c.judge(e)
    assert verdict == "pass"
    assert reason is not None
    assert reason.endswith("; bound derived from the recorded 95% interval (normal approximation)")
    tighter = Criterion(name="lat", metric="lat", max=12.5, confidence=0.95)
    assert tighter.judge(e)[0] == "fail"


def test_missing_level_extrapolates_from_the_widest_lower_one_and_says_so() -> None:
    """With only lower levels recorded the bound is extrapolated from the widest of them, and
    the reason adds ``extrapolated to a higher level``."""
    # kills: `max(self.intervals)` -> `min(...)`, `extrapolated` inverted
    e = Estimate(value=10.0, intervals={0.5: (9.5, 10.5), 0.8: (9.0, 11.0)})
    b = e.bound(0.95, "upper")
    assert b is not None
    assert b.derived_from == 0.8
    assert b.extrapolated
    assert b.value == pytest.approx(10.0 + 1.0 * _z(0.9) / _z(0.8), abs=1e-12)
    c = Criterion(name="lat", metric="lat", max=20.0, confidence=0.95)
    reason = c.judge(e)[1]
    assert reason is not None
    assert reason.endswith(
        "; bound derived from the recorded 80% interval "
        "(normal approximation, extrapolated to a higher level)"
    )


# ---------------------------------------------------------------------------------------------
# the exact (2c - 1) level for confidence other than 0.95

NESTED = Estimate(
    value=0.9,
    intervals={
        0.6: (0.88, 0.92),
        0.8: (0.87, 0.93),
        0.9: (0.86, 0.94),
        0.95: (0.85, 0.95),
        0.98: (0.84, 0.96),
        0.99: (0.83, 0.97),
    },
)


@pytest.mark.parametrize(("confidence", "level"), [(0.99, 0.98), (0.9, 0.8), (0.8, 0.6)])
def test_confidence_judges_the_end_of_the_interval_at_two_c_minus_one(
    confidence: float, level: float
) -> None:
    """``confidence: c`` judges an end of the two-sided interval at ``2c - 1`` exactly (not
    derived, not a neighbour): a limit just below that end passes, one just above fails."""
    # kills: `2.0 * confidence - 1.0` altered, `two_sided_level` rounding dropped, 0.99 unmeasured
    assert two_sided_level(confidence) == level
    low, high = NESTED.intervals[level]
    lo_c = Criterion(name="m", metric="m", min=low, confidence=confidence)
    b = lo_c.bound_for(NESTED, "min")
    assert b is not None
    assert (b.value, b.level, b.derived_from) == (low, level, None)
    assert lo_c.judge(NESTED)[0] == "pass"  # the bound equals the limit: inclusive
    assert (
        Criterion(name="m", metric="m", min=low + 0.005, confidence=confidence).judge(NESTED)[0]
        == "fail"
    )
    assert Criterion(name="m", metric="m", max=high, confidence=confidence).judge(NESTED)[0] == (
        "pass"
    )
    assert (
        Criterion(name="m", metric="m", max=high - 0.005, confidence=confidence).judge(NESTED)[0]
        == "fail"
    )


def test_confidence_levels_through_a_run(make_adr_project: MakeProject) -> None:
    """Through pytest, ``evaluate`` records the level each ``confidence`` needs, and the judged
    bound is that interval's end: at 0.99 and 0.8 the criterion is judged, not unmeasured."""
    project = make_adr_project(
        standard=False,
        **{
            "0001-ship": adr_text(
                """
                auc99: {metric: roc_auc, min: 0.5, confidence: 0.99}
                auc80: {metric: roc_auc, min: 0.5, confidence: 0.8}
                auc90: {metric: roc_auc, min: 0.5, confidence: 0.9}
                """
            )
        },
    )
    project.tests(
        """
        import numpy as np
        import pytest

        rng = np.random.default_rng(3)
        y = rng.random(300) < 0.4
        s = rng.normal(size=300) + 1.0 * y

        @pytest.mark.archgate("ADR-0001")
        def test_auc(archgate):
            archgate.evaluate(y, s, ["roc_auc"])
        """
    )
    result = run(project, "--archgate-report=report.json")
    assert result.ret == 0
    adr = project.adr_entry("ADR-0001")
    for name, conf in (("auc99", 0.99), ("auc80", 0.8), ("auc90", 0.9)):
        row = criterion(adr, name, "cand")
        assert row["verdict"] == "pass", row
        level = two_sided_level(conf)
        low = row["estimate"]["intervals"][f"{level:g}"][0]
        assert f"lower one-sided {conf * 100:g}% bound" in row["reason"]
        assert f"(the {level * 100:g}% two-sided interval is [" in row["reason"]
        assert "derived" not in row["reason"]
        est = Estimate.from_json(row["estimate"])
        assert est.lower_bound(conf) == low


# ---------------------------------------------------------------------------------------------
# unpaired vs ... confidence


def _m(option: str, value: float, ci: tuple[float, float], level: float = 0.9) -> Measurement:
    return Measurement(
        adr="ADR-0001",
        option=option,
        metric="roc_auc",
        estimate=Estimate(value=value, level=level, intervals={level: ci}),
        nodeid=f"t::{option}",
    )


def test_unpaired_difference_combines_the_two_intervals_as_normals() -> None:
    """Without stored predictions ``a - b`` gets ``(a - b) +/- z * hypot(se_a, se_b)`` with
    each ``se`` read off its interval as ``width / (2 z)``."""
    # kills: `a - b` reversed, `hypot` -> sum, `2 * z` altered, `+/-` swapped
    c = Criterion(name="gain", metric="roc_auc", vs="base", min=0.02, confidence=0.95)
    a, b = _m("cand", 0.90, (0.88, 0.92)), _m("base", 0.85, (0.83, 0.87))
    est = unpaired_difference(c, a, b, (0.9, 0.95))
    z = _z(0.9)
    se = math.hypot(0.04 / (2 * z), 0.04 / (2 * z))
    assert est.value == pytest.approx(0.05, abs=1e-12)
    assert est.method == "unpaired-normal"
    low, high = est.intervals[0.9]
    assert low == pytest.approx(0.05 - z * se, abs=1e-12)
    assert high == pytest.approx(0.05 + z * se, abs=1e-12)
    assert set(est.intervals) == {0.9}  # only the level both sides computed


@pytest.mark.parametrize(("limit", "exit_code"), [(0.02, 0), (0.025, 1)])
def test_unpaired_vs_with_confidence_through_a_run(
    make_adr_project: MakeProject, limit: float, exit_code: int
) -> None:
    """An unpaired ``vs ... confidence`` is judged on the combined interval's lower end
    (0.0217 here): a limit below it passes the run, one above it fails the run even though
    the point difference (0.05) clears both limits."""
    project = make_adr_project(
        standard=False,
        **{
            "0001-ship": adr_text(
                f"gain: {{metric: roc_auc, vs: base, min: {limit}, confidence: 0.95}}"
            )
        },
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_cand(archgate):
            archgate.record("roc_auc", 0.90, ci=(0.88, 0.92), level=0.9)

        @pytest.mark.archgate("ADR-0001", option="base")
        def test_base(archgate):
            archgate.record("roc_auc", 0.85, ci=(0.83, 0.87), level=0.9)
        """
    )
    result = run(project, "--archgate-report=report.json")
    assert result.ret == exit_code
    row = criterion(project.adr_entry("ADR-0001"), "gain", "cand")
    z = _z(0.9)
    expected_low = 0.05 - z * math.hypot(0.04 / (2 * z), 0.04 / (2 * z))
    assert row["value"] == pytest.approx(0.05, abs=1e-12)
    assert row["method"] == "unpaired-normal"
    assert row["estimate"]["intervals"]["0.9"][0] == pytest.approx(expected_low, abs=1e-12)
    assert row["verdict"] == ("pass" if exit_code == 0 else "fail")
    assert f"bound {expected_low:.6g}" in row["reason"]


# ---------------------------------------------------------------------------------------------
# criteria after a vs criterion, on an accepted ADR without a decision


def _no_decision_adr() -> Adr:
    return Adr(
        id="ADR-0001",
        title="x",
        path=Path("adr/0001-x.md"),
        file="adr/0001-x.md",
        status="accepted",
        options=("a", "b"),
        acceptance=(
            Criterion(name="gain", metric="roc_auc", vs="b", min=0.01),
            Criterion(name="roc_auc", metric="roc_auc", min=0.9),
        ),
    )


def _point(option: str, metric: str, value: float) -> Measurement:
    return Measurement(
        adr="ADR-0001",
        option=option,
        metric=metric,
        estimate=Estimate(value=value),
        nodeid=f"t::{option}",
    )


def test_criteria_after_a_vs_criterion_are_judged_for_the_reference() -> None:
    """Without a decision every measured option is judged on every criterion: the ``vs``
    criterion is skipped for its own reference only, the criteria after it are not."""
    # kills: `continue` -> `break` in judge_adr's loop over the acceptance criteria
    adr = _no_decision_adr()
    # b meets roc_auc; a misses its gain over b: the ADR passes through b
    res = judge_adr(adr, [_point("a", "roc_auc", 0.91), _point("b", "roc_auc", 0.95)])
    rows = {(r.criterion.name, r.option): r.verdict for r in res.criteria}
    assert rows == {("gain", "a"): "fail", ("roc_auc", "a"): "pass", ("roc_auc", "b"): "pass"}
    assert res.verdict == "pass"
    # b misses roc_auc, a misses both: every option misses one, the ADR fails
    res = judge_adr(adr, [_point("a", "roc_auc", 0.89), _point("b", "roc_auc", 0.885)])
    rows = {(r.criterion.name, r.option): r.verdict for r in res.criteria}
    assert rows[("roc_auc", "b")] == "fail"
    assert res.verdict == "fail"


def test_criterion_after_vs_fails_an_undecided_accepted_adr(make_adr_project: MakeProject) -> None:
    """Through pytest: on an accepted ADR without a decision, the reference option's failing
    criterion listed after the ``vs`` one is in the report and the ADR fails."""
    project = make_adr_project(
        standard=False,
        **{
            "0001-ship": adr_text(
                """
                gain: {metric: roc_auc, vs: base, min: 0.01}
                roc_auc: ">= 0.9"
                """,
                decision=None,
            )
        },
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001", option="cand")
        def test_cand(archgate):
            archgate.record("roc_auc", 0.89)

        @pytest.mark.archgate("ADR-0001", option="base")
        def test_base(archgate):
            archgate.record("roc_auc", 0.885)
        """
    )
    result = run(project, "--archgate-report=report.json")
    adr = project.adr_entry("ADR-0001")
    assert criterion(adr, "roc_auc", "base")["verdict"] == "fail"
    assert criterion(adr, "gain", "cand")["verdict"] == "fail"
    assert adr["verdict"] == "fail"
    assert result.ret == 1


# ---------------------------------------------------------------------------------------------
# paired vs on a threshold metric


def test_paired_vs_uses_the_threshold_the_measurement_used(make_adr_project: MakeProject) -> None:
    """A paired ``vs`` on accuracy or F1 compares the two options at the threshold both were
    evaluated at (0.3 here), not at 0.5: the difference equals the hand computation."""
    # kills: the stored threshold ignored (`opts_a.get("threshold", 0.5)` -> 0.5)
    project = make_adr_project(
        standard=False,
        **{
            "0001-ship": adr_text(
                """
                acc_gain: {metric: accuracy, vs: base, min: -1}
                f1_gain: {metric: f1, vs: base, min: -1}
                """
            )
        },
    )
    project.tests(
        """
        import numpy as np
        import pytest

        y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 1, 0] * 10, dtype=bool)
        s = np.array([0.9, 0.4, 0.35, 0.2, 0.1, 0.45, 0.6, 0.05, 0.8, 0.32] * 10)
        t = np.array([0.9, 0.7, 0.1, 0.2, 0.1, 0.2, 0.25, 0.05, 0.45, 0.15] * 10)

        @pytest.mark.archgate("ADR-0001")
        def test_cand(archgate):
            archgate.evaluate(y, s, ["accuracy", "f1"], threshold=0.3)

        @pytest.mark.archgate("ADR-0001", option="base")
        def test_base(archgate):
            archgate.evaluate(y, t, ["accuracy", "f1"], threshold=0.3)
        """
    )
    result = run(project, "--archgate-report=report.json")
    assert result.ret == 0
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 1, 0] * 10, dtype=bool)
    s = np.array([0.9, 0.4, 0.35, 0.2, 0.1, 0.45, 0.6, 0.05, 0.8, 0.32] * 10)
    t = np.array([0.9, 0.7, 0.1, 0.2, 0.1, 0.2, 0.25, 0.05, 0.45, 0.15] * 10)

    def acc(score: np.ndarray[Any, Any], thr: float) -> float:
        return float(np.mean((score >= thr) == y))

    def f1(score: np.ndarray[Any, Any], thr: float) -> float:
        p = score >= thr
        tp = float(np.sum(p & y))
        return 2 * tp / (float(np.sum(p)) + float(np.sum(y)))

    acc_diff = acc(s, 0.3) - acc(t, 0.3)
    f1_diff = f1(s, 0.3) - f1(t, 0.3)
    # the data are chosen so that 0.5 would give other differences
    assert acc_diff != pytest.approx(acc(s, 0.5) - acc(t, 0.5))
    assert f1_diff != pytest.approx(f1(s, 0.5) - f1(t, 0.5))
    adr = project.adr_entry("ADR-0001")
    acc_row = criterion(adr, "acc_gain", "cand")
    f1_row = criterion(adr, "f1_gain", "cand")
    assert acc_row["method"] != "unpaired-normal"  # paired on the rows
    assert acc_row["value"] == pytest.approx(acc_diff, abs=1e-12)
    assert f1_row["value"] == pytest.approx(f1_diff, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# settings from the environment

DRIFT_ADR = """\
---
status: accepted
date: 2026-12-01
archgate:
  decision: cand
  options: [cand, base]
  constraints:
    rate: {min: 0.05, max: 0.2}
  acceptance:
    roc_auc: ">= 0.9"
---
# Ship it
"""

DRIFT_TESTS = """
import pytest

@pytest.mark.archgate("ADR-0001")
def test_cand(archgate):
    archgate.record("roc_auc", 0.95)
    archgate.record("rate", 0.5)
"""


@pytest.mark.parametrize(
    ("env", "ini", "exit_code"),
    [
        (None, "", 0),
        ("1", "", 1),
        ("true", "", 1),
        ("0", "archgate_strict = true\n", 0),
        ("false", "archgate_strict = true\n", 0),
        ("", "archgate_strict = true\n", 1),  # an empty variable counts as unset
    ],
)
def test_archgate_strict_from_the_environment(
    make_adr_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    env: str | None,
    ini: str,
    exit_code: int,
) -> None:
    """``ARCHGATE_STRICT`` true makes a violated constraint fail the run; an explicit false
    in the environment overrides ``archgate_strict = true`` in the ini."""
    # kills: the environment layer skipped in settings.resolve_one, or parse_bool inverted
    if env is None:
        monkeypatch.delenv("ARCHGATE_STRICT", raising=False)
    else:
        monkeypatch.setenv("ARCHGATE_STRICT", env)
    project = make_adr_project(ini="[pytest]\n" + ini, standard=False, **{"0001-ship": DRIFT_ADR})
    project.tests(DRIFT_TESTS)
    result = run(project)
    assert result.ret == exit_code
    if exit_code:
        result.stdout.fnmatch_lines(["FAILED (--archgate-strict) needs review: *"])


GPU_TEST = """
import pytest

@pytest.mark.gpu
def test_on_gpu():
    pass
"""


@pytest.mark.parametrize(
    ("env", "ini", "outcome"),
    [
        (None, "", "skipped"),
        ("1", "", "errors"),
        ("0", "archgate_require_gpu = true\n", "skipped"),
        (None, "archgate_require_gpu = true\n", "errors"),
    ],
)
def test_archgate_require_gpu_from_the_environment(
    make_adr_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    env: str | None,
    ini: str,
    outcome: str,
) -> None:
    """``ARCHGATE_REQUIRE_GPU`` true errors (instead of skipping) a ``gpu`` test without CUDA;
    an explicit false in the environment overrides ``archgate_require_gpu = true``."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    gpu.cuda_unavailable_reason.cache_clear()
    if env is None:
        monkeypatch.delenv("ARCHGATE_REQUIRE_GPU", raising=False)
    else:
        monkeypatch.setenv("ARCHGATE_REQUIRE_GPU", env)
    project = make_adr_project(ini="[pytest]\n" + ini)
    project.tests(GPU_TEST)
    try:
        result = run(project)
    finally:
        gpu.cuda_unavailable_reason.cache_clear()
    result.assert_outcomes(**{outcome: 1})
    assert result.ret == (1 if outcome == "errors" else 0)
    if outcome == "errors":
        result.stdout.fnmatch_lines(["*--archgate-require-gpu: *must not pass by skipping*"])


# ---------------------------------------------------------------------------------------------
# constraint drift under filterwarnings = error


@pytest.mark.parametrize("strict", [(), ("--archgate-strict",)])
def test_constraint_drift_under_filterwarnings_error_fails_the_run(
    make_adr_project: MakeProject, strict: tuple[str, ...]
) -> None:
    """Under ``filterwarnings = error`` the needs-review warning of a violated constraint is an
    error: the run exits 1 (with or without strict), with an ``ERROR needs review`` line and
    no traceback, while the ADR's own verdict stays ``pass``."""
    # kills: `session.exitstatus = TESTS_FAILED` dropped from the warning-turned-error branch
    project = make_adr_project(
        ini="[pytest]\nfilterwarnings = error\n", standard=False, **{"0001-ship": DRIFT_ADR}
    )
    project.tests(DRIFT_TESTS)
    result = project.pytester.runpytest(*FAST, *strict, "--archgate-report=report.json")
    assert result.ret == 1
    assert "Traceback" not in result.stdout.str()
    result.stdout.fnmatch_lines(["ERROR needs review: ADR-0001 rate [[]cand[]] = 0.5 violates *"])
    result.assert_outcomes(passed=1)
    adr = project.adr_entry("ADR-0001")
    assert (adr["verdict"], adr["needs_review"]) == ("pass", True)


def test_constraint_drift_without_filterwarnings_error_passes(
    make_adr_project: MakeProject,
) -> None:
    """Without ``filterwarnings = error`` and without strict, a violated constraint only
    flags the ADR: the run exits 0."""
    project = make_adr_project(standard=False, **{"0001-ship": DRIFT_ADR})
    project.tests(DRIFT_TESTS)
    result = run(project)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["WARNING needs review: *rate*violates*"])


# ---------------------------------------------------------------------------------------------
# xdist workers and merge round trips keep intervals, fingerprints and replicate ids

ROUND_TRIP_ADR = adr_text(
    """
    roc_auc: {min: 0.6, confidence: 0.95}
    seeds_auc: {metric: seed_auc, min: 0.5, confidence: 0.9}
    gain: {metric: roc_auc, vs: base, min: -0.2, confidence: 0.95}
    lat: {max: 100, confidence: 0.99}
    """
)

ROUND_TRIP_TESTS = """
import numpy as np
import pytest

from pytest_archgate.measure.estimate import Estimate

rng = np.random.default_rng(5)
y = rng.random(300) < 0.4
s = rng.normal(size=300) + 1.0 * y
t = s + rng.normal(size=300)

@pytest.mark.archgate("ADR-0001")
def test_cand(archgate):
    archgate.evaluate(y, s, ["roc_auc"])
    archgate.record_estimate(
        "lat", Estimate(value=20.0, intervals={0.8: (18.0, 23.0), 0.95: (17.0, 26.0)})
    )

@pytest.mark.archgate("ADR-0001", option="base")
def test_base(archgate):
    archgate.evaluate(y, t, ["roc_auc"])

@pytest.mark.archgate("ADR-0001")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_seed(archgate, seed):
    archgate.record("seed_auc", 0.7 + 0.01 * seed, ci=(0.6, 0.8), replicate=f"seed-{seed}")
"""


def _judged(report: dict[str, Any]) -> dict[tuple[str, str], tuple[Any, ...]]:
    adr = entry(report, "ADR-0001")
    return {
        (c["name"], c["option"]): (
            c["verdict"],
            c["value"],
            c["method"],
            c["reason"],
            json.dumps(c["estimate"] and c["estimate"]["intervals"], sort_keys=True),
        )
        for c in adr["criteria"]
    }


def _measured(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            m["metric"],
            m["option"],
            m["nodeid"],
            m["fingerprint"],
            m.get("replicate"),
            json.dumps(m["estimate"]["intervals"], sort_keys=True),
        )
        for m in report["measurements"]
    )


def test_bounds_fingerprints_and_replicates_survive_xdist_and_merge(
    make_adr_project: MakeProject,
) -> None:
    """A run with two xdist workers and ``archgate merge`` of its report judge every bound
    exactly as a serial run does: intervals, fingerprints and replicate ids survive the JSON
    trips."""
    # kills: Estimate/Measurement JSON dropping intervals, a replicate id or a fingerprint
    project = make_adr_project(standard=False, **{"0001-ship": ROUND_TRIP_ADR})
    project.tests(ROUND_TRIP_TESTS)
    serial = run(project, "--archgate-report=serial.json")
    assert serial.ret == 0
    workers = project.pytester.runpytest_subprocess(*FAST, "-n", "2", "--archgate-report=n2.json")
    assert workers.ret == 0
    one = project.report("serial.json")
    two = project.report("n2.json")
    assert _judged(one) == _judged(two)
    assert _measured(one) == _measured(two)
    measured = _measured(one)
    assert {m[4] for m in measured if m[0] == "seed_auc"} == {"seed-1", "seed-2", "seed-3"}
    assert all(m[3] for m in measured if m[0] == "roc_auc")  # fingerprints kept
    # a merge has no per-row predictions (a report's scratch paths are never opened), so a
    # paired vs criterion is re-judged unpaired there; every other judged bound is identical
    paired = {("gain", "cand"), ("gain", "base")}
    live = {k: v for k, v in _judged(one).items() if k not in paired}
    for name in ("serial.json", "n2.json"):
        merged = merge_files([project.path / name]).report
        again = {k: v for k, v in _judged(merged).items() if k not in paired}
        assert again == live
        assert _measured(merged) == measured
    lat = criterion(entry(one, "ADR-0001"), "lat", "cand")
    assert "bound derived from the recorded 95% interval" in lat["reason"]
    assert criterion(entry(one, "ADR-0001"), "seeds_auc", "cand")["verdict"] == "pass"


# ---------------------------------------------------------------------------------------------
# the worst of several measurements, and the reasons of a judged criterion


def _judged_m(value: float, interval: tuple[float, float], node: str) -> Measurement:
    return Measurement(
        adr="ADR-0001",
        option="cand",
        metric="m",
        estimate=Estimate(value=value, intervals={0.9: interval}),
        nodeid=node,
    )


@pytest.mark.parametrize(
    ("spec", "worst"),
    [
        # the lowest lower bound decides a min, though its point value is the highest
        ({"min": 0.9}, "t::wide"),
        # the highest upper bound decides a max, though its point value is the lowest
        ({"max": 1.0}, "t::wide_max"),
    ],
)
def test_worst_of_several_passing_measurements_is_by_the_judged_bound(
    spec: dict[str, float], worst: str
) -> None:
    """Of several measurements of one criterion and option, the worst *judged* quantity
    decides (with ``confidence``: the one-sided bound), never the worst point value."""
    # kills: badness/judged_value judging the other side, or the point value, for the worst-of
    c = Criterion(name="m", metric="m", confidence=0.95, **spec)  # type: ignore[arg-type]
    other = (0.95, (0.91, 0.99)) if "min" in spec else (0.90, (0.80, 0.995))
    ms = [_judged_m(*other, worst), _judged_m(0.93, (0.92, 0.94), "t::narrow")]
    res = judge_criterion(c, "cand", ms, role="decision", enforced=True)
    assert res.verdict == "pass"
    chosen = {m.nodeid: m.estimate for m in ms}[worst]
    assert res.estimate == chosen


def test_a_producer_refusal_is_the_reason_of_an_unmeasured_criterion() -> None:
    """An estimate whose producer refused an interval (``details["refused"]``) is unmeasured
    with the producer's reason; an empty refusal gives the generic reason."""
    c = Criterion(name="m", metric="m", min=0.5, confidence=0.95)
    refused = Estimate(value=0.9, details={"refused": "too few rows (3 < 5)"})
    assert c.judge(refused) == ("unmeasured", "too few rows (3 < 5)")
    empty = Estimate(value=0.9, details={"refused": ""})
    verdict, reason = c.judge(empty)
    assert verdict == "unmeasured"
    assert reason is not None
    assert reason.startswith("no interval at confidence 0.95")


def test_both_sides_of_a_two_sided_criterion_are_named() -> None:
    """A criterion with min and max judges both bounds; the reason names each, joined by
    ``"; "``, on a fail and on a pass."""
    e = Estimate(value=0.5, intervals={0.9: (0.3, 0.7)})
    verdict, reason = Criterion(name="m", metric="m", min=0.4, max=0.6, confidence=0.95).judge(e)
    assert verdict == "fail"
    assert reason == (
        "lower one-sided 95% bound 0.3 < 0.4 (the 90% two-sided interval is [0.3, 0.7]); "
        "upper one-sided 95% bound 0.7 > 0.6 (the 90% two-sided interval is [0.3, 0.7])"
    )
    verdict, reason = Criterion(name="m", metric="m", min=0.2, max=0.8, confidence=0.95).judge(e)
    assert verdict == "pass"
    assert reason == (
        "lower one-sided 95% bound 0.3 >= 0.2 (the 90% two-sided interval is [0.3, 0.7]); "
        "upper one-sided 95% bound 0.7 <= 0.8 (the 90% two-sided interval is [0.3, 0.7])"
    )
