"""Hostile cases, class 1 (no silent pass), the verdict part: confidence criteria and ``vs``.

* With ``confidence`` the judged quantity of a ``min`` is the one-sided lower bound, of a ``max``
  the upper bound; among several measurements of one criterion and option the worst *judged*
  quantity decides, never the one with the worst point value.
* A point value that already violates the bound fails, interval or not; a point value that meets
  it without an interval at the needed level is ``unmeasured``.
* A ``vs`` naming the decision (it would never be judged), and the sibling holes of criterion
  validation, are errors naming file, line and field, in pytest and in ``archgate lint``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr.criteria import parse_criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.cli import main as cli
from pytest_archgate.errors import AdrError, CriterionError
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.verdict.judge import judge_adr

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:cacheprovider")


def write_adr(folder: Path, block: str, *, status: str = "accepted", stem: str = "0002-x") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.md"
    path.write_text(f"---\nstatus: {status}\narchgate:\n{block}---\n# X\n", encoding="utf-8")
    return path


def adr_of(tmp_path: Path, block: str, **kw: Any) -> Adr:
    return parse_adr(write_adr(tmp_path / "adr", block, **kw), root=tmp_path)


def est(value: float, ci: tuple[float, float] | None = None, level: float = 0.9) -> Estimate:
    return Estimate(value=value, level=level, intervals={level: ci} if ci is not None else {})


def meas(option: str | None, metric: str, e: Estimate, nodeid: str = "t.py::x") -> Measurement:
    return Measurement(adr="ADR-0002", option=option, metric=metric, estimate=e, nodeid=nodeid)


HEAD = "  decision: a\n  options: [a, b]\n  acceptance:\n"
MIN_CONF = HEAD + "    auc: {min: 0.9, confidence: 0.95}\n"
MAX_CONF = HEAD + "    lat: {max: 50, confidence: 0.95}\n"


# ---------------------------------------------------------------------------------------------
# worst of several = worst judged bound


def test_min_worst_is_the_lowest_lower_bound_not_the_lowest_point(tmp_path: Path) -> None:
    adr = adr_of(tmp_path, MIN_CONF)
    wide = meas("a", "auc", est(0.95, (0.85, 0.99)), "t.py::wide")  # best point, failing bound
    tight = meas("a", "auc", est(0.92, (0.91, 0.93)), "t.py::tight")  # worse point, passing
    for order in ([wide, tight], [tight, wide]):
        res = judge_adr(adr, order)
        (auc,) = res.criteria
        assert (res.verdict, auc.verdict, auc.value) == ("fail", "fail", 0.95)
        assert auc.reason == (
            "lower one-sided 95% bound 0.85 < 0.9 (the 90% two-sided interval is [0.85, 0.99])"
        )
        assert auc.tests == ["t.py::tight", "t.py::wide"]
        assert auc.message(adr) == (
            "ADR-0002 auc [a] = 0.95 violates >= 0.9 (conf. 0.95): lower one-sided 95% bound "
            "0.85 < 0.9 (the 90% two-sided interval is [0.85, 0.99]) (adr/0002-x.md:7)"
        )


def test_max_worst_is_the_highest_upper_bound(tmp_path: Path) -> None:
    adr = adr_of(tmp_path, MAX_CONF)
    wide = meas("a", "lat", est(40.0, (30.0, 60.0)))  # lowest point, upper bound over 50
    tight = meas("a", "lat", est(45.0, (44.0, 48.0)))
    (lat,) = judge_adr(adr, [tight, wide]).criteria
    assert (lat.verdict, lat.value, lat.reason) == (
        "fail",
        40.0,
        "upper one-sided 95% bound 60 > 50 (the 90% two-sided interval is [30, 60])",
    )


def test_among_failures_the_worst_bound_is_shown(tmp_path: Path) -> None:
    adr = adr_of(tmp_path, MIN_CONF)
    a = meas("a", "auc", est(0.86, (0.85, 0.87)))  # lowest point
    b = meas("a", "auc", est(0.95, (0.70, 0.99)))  # lowest lower bound
    (auc,) = judge_adr(adr, [a, b]).criteria
    assert (auc.verdict, auc.value, auc.reason) == (
        "fail",
        0.95,
        "lower one-sided 95% bound 0.7 < 0.9 (the 90% two-sided interval is [0.7, 0.99])",
    )


def test_among_passes_the_worst_bound_is_shown(tmp_path: Path) -> None:
    adr = adr_of(tmp_path, MIN_CONF)
    a = meas("a", "auc", est(0.93, (0.925, 0.935)))
    b = meas("a", "auc", est(0.99, (0.905, 1.0)))
    (auc,) = judge_adr(adr, [a, b]).criteria
    assert (auc.verdict, auc.value) == ("pass", 0.99)


def test_a_point_value_that_violates_the_bound_fails_without_an_interval(tmp_path: Path) -> None:
    adr = adr_of(tmp_path, MIN_CONF)
    (alone,) = judge_adr(adr, [meas("a", "auc", est(0.5))]).criteria
    assert (alone.verdict, alone.reason) == ("fail", "0.5 below 0.9")
    # and it is not hidden behind a measurement that passes with an interval
    ok = meas("a", "auc", est(0.97, (0.95, 0.99)))
    (mixed,) = judge_adr(adr, [ok, meas("a", "auc", est(0.5))]).criteria
    assert (mixed.verdict, mixed.value) == ("fail", 0.5)
    # max side: a point value above the bound fails too
    (lat,) = judge_adr(adr_of(tmp_path, MAX_CONF), [meas("a", "lat", est(80.0))]).criteria
    assert (lat.verdict, lat.reason) == ("fail", "80 above 50")


def test_a_point_value_that_violates_fails_whatever_its_interval(tmp_path: Path) -> None:
    # an interval that does not contain its point (e.g. merged from elsewhere) cannot rescue it
    c = parse_criterion("auc", {"min": 0.9, "confidence": 0.95}, kind="acceptance")
    assert c.judge(est(0.5, (0.91, 0.99))) == ("fail", "0.5 below 0.9")
    hi = parse_criterion("lat", {"max": 50, "confidence": 0.95}, kind="acceptance")
    assert hi.judge(est(80.0, (10.0, 20.0))) == ("fail", "80 above 50")


def test_a_passing_point_without_the_needed_interval_is_unmeasured(tmp_path: Path) -> None:
    adr = adr_of(tmp_path, MIN_CONF)
    (alone,) = judge_adr(adr, [meas("a", "auc", est(0.99))]).criteria
    assert alone.verdict == "unmeasured"
    assert str(alone.reason).startswith("no interval at confidence 0.95")
    # an interval at a lower level than the one the bound needs (0.9) is extrapolated under a
    # normal approximation, and the reason says so (issue 11: one rule on every path)
    (narrow,) = judge_adr(adr, [meas("a", "auc", est(0.99, (0.98, 1.0), level=0.5))]).criteria
    assert narrow.verdict == "pass"
    assert str(narrow.reason).endswith(
        "bound derived from the recorded 50% interval (normal approximation, extrapolated to a "
        "higher level)"
    )
    # one measurement that cannot be judged is not hidden behind one that passes
    ok = meas("a", "auc", est(0.97, (0.95, 0.99)))
    (mixed,) = judge_adr(adr, [ok, meas("a", "auc", est(0.99))]).criteria
    assert mixed.verdict == "unmeasured"


def test_nan_bound_fails() -> None:
    c = parse_criterion("auc", {"min": 0.9, "confidence": 0.95}, kind="acceptance")
    verdict, reason = c.judge(est(0.95, (float("nan"), 0.99)))
    assert verdict == "fail"
    assert reason == (
        "lower one-sided 95% bound nan < 0.9 (the 90% two-sided interval is [nan, 0.99])"
    )


def test_strict_bounds_name_the_operator() -> None:
    c = parse_criterion("auc", {"min": 0.9, "confidence": 0.95}, kind="acceptance")
    strict = Estimate(value=0.95, intervals={0.9: (0.9, 0.99)})
    assert c.judge(strict) == (
        "pass",
        "lower one-sided 95% bound 0.9 >= 0.9 (the 90% two-sided interval is [0.9, 0.99])",
    )
    gt = parse_criterion("auc", "> 0.9", kind="acceptance")
    assert gt.judge(Estimate(0.9)) == ("fail", "0.9 below 0.9")
    both = parse_criterion("r", {"min": 0.1, "max": 0.2, "confidence": 0.975}, kind="acceptance")
    assert both.judge(Estimate(0.15, intervals={0.95: (0.05, 0.25)})) == (
        "fail",
        "lower one-sided 97.5% bound 0.05 < 0.1 (the 95% two-sided interval is [0.05, 0.25]); "
        "upper one-sided 97.5% bound 0.25 > 0.2 (the 95% two-sided interval is [0.05, 0.25])",
    )


def test_vs_criterion_worst_is_by_judged_bound(tmp_path: Path) -> None:
    adr = adr_of(
        tmp_path,
        "  decision: a\n  options: [a, b]\n  acceptance:\n"
        "    gain: {metric: auc, vs: b, min: 0.01, confidence: 0.95}\n",
    )
    ref = meas("b", "auc", est(0.90, (0.899, 0.901), level=0.95))
    wide = meas("a", "auc", est(0.95, (0.80, 1.0), level=0.95))  # +0.05, bound far below 0.01
    tight = meas("a", "auc", est(0.93, (0.929, 0.931), level=0.95))  # +0.03, tight
    (gain,) = judge_adr(adr, [ref, tight, wide]).criteria
    assert gain.verdict == "fail"
    assert gain.value == pytest.approx(0.05)
    assert str(gain.reason).startswith("lower one-sided 95% bound ")
    # a difference with no interval at all whose point fails is a failure, not unmeasured
    (point,) = judge_adr(adr, [meas("b", "auc", est(0.9)), meas("a", "auc", est(0.85))]).criteria
    assert (point.verdict, point.reason) == ("fail", "-0.05 below 0.01")


def test_constraints_follow_the_same_rule(tmp_path: Path) -> None:
    adr = adr_of(
        tmp_path,
        "  decision: a\n  acceptance:\n    auc: '>= 0.5'\n"
        "  constraints:\n    rate: {max: 0.2, confidence: 0.95}\n",
    )
    wide = meas("a", "rate", est(0.10, (0.05, 0.30)))
    tight = meas("a", "rate", est(0.15, (0.14, 0.16)))
    res = judge_adr(adr, [tight, wide, meas("a", "auc", est(0.9))])
    (rate,) = res.constraints
    assert (rate.verdict, rate.reason) == (
        "fail",
        "upper one-sided 95% bound 0.3 > 0.2 (the 90% two-sided interval is [0.05, 0.3])",
    )
    assert res.needs_review is True


# ---------------------------------------------------------------------------------------------
# black box: a linked test that records twice


def _project(pytester: pytest.Pytester, block: str) -> None:
    pytester.makeini("[pytest]\n")
    write_adr(pytester.path / "adr", block)


def test_gate_fails_when_the_hidden_measurement_fails_its_bound(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    _project(pytester, MIN_CONF)
    pytester.makepyfile(
        test_m="""
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_auc(archgate):
            archgate.record("auc", 0.95, ci=(0.85, 0.99), level=0.9)  # bound fails
            archgate.record("auc", 0.92, ci=(0.91, 0.93), level=0.9)  # bound passes
        """
    )
    result = pytester.runpytest(*FAST, "-W", "always")
    assert result.ret == 1
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ADR-0002 auc ?a? = 0.95 violates >= 0.9 (conf. 0.95): lower one-sided 95% bound "
            "0.85 < 0.9 (the 90% two-sided interval is ?0.85, 0.99?) (adr/0002-x.md:7)*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_gate_fails_a_point_value_below_a_confidence_bound(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    _project(pytester, MIN_CONF)
    pytester.makepyfile(
        test_m="""
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_auc(archgate):
            archgate.record("auc", 0.5)
        """
    )
    result = pytester.runpytest(*FAST, "-W", "always")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["*ADR-0002 auc ?a? = 0.5 violates >= 0.9 (conf. 0.95): 0.5 below 0.9 (adr/0002-x.md:7)*"]
    )


def test_a_passing_point_without_interval_is_unmeasured_not_passed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    _project(pytester, MIN_CONF)
    pytester.makepyfile(
        test_m="""
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_auc(archgate):
            archgate.record("auc", 0.99)
        """
    )
    result = pytester.runpytest(*FAST, "-W", "always")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["ADR-0002 *accepted*unmeasured*unmeasured: auc"])
    strict = pytester.runpytest(*FAST, "-W", "always", "--archgate-strict")
    assert strict.ret == 1


# ---------------------------------------------------------------------------------------------
# criterion validation: every rejection names file, line and field

DECIDED = "  decision: xgboost\n  baseline: logreg\n  options: [xgboost, logreg]\n"


@pytest.mark.parametrize(
    ("block", "line", "field", "message"),
    [
        pytest.param(
            DECIDED + "  acceptance:\n    gain: {metric: auc, vs: xgboost, min: 0.01}\n",
            8,
            "archgate.acceptance.gain.vs",
            "the decision itself",
            id="vs-the-decision",
        ),
        pytest.param(
            DECIDED
            + "  acceptance:\n    auc: '>= 0.9'\n"
            + "  constraints:\n    drift: {metric: auc, vs: xgboost, max: 0.1}\n",
            10,
            "archgate.constraints.drift.vs",
            "the decision itself",
            id="constraint-vs-the-decision",
        ),
        pytest.param(
            "  options: [solo]\n  acceptance:\n    gain: {metric: auc, vs: solo, min: 0}\n",
            6,
            "archgate.acceptance.gain.vs",
            "the only option",
            id="vs-the-only-option",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {min: 0.9, metric: ''}\n",
            8,
            "archgate.acceptance.auc.metric",
            "non-empty",
            id="empty-metric",
        ),
        pytest.param(
            DECIDED + '  acceptance:\n    auc: {min: 0.9, metric: "a\\nb"}\n',
            8,
            "archgate.acceptance.auc.metric",
            "control characters",
            id="metric-newline",
        ),
        pytest.param(
            DECIDED + '  acceptance:\n    "auc\\n::error::x": ">= 0.9"\n',
            8,
            "archgate.acceptance",
            "control characters",
            id="name-newline-workflow-command",
        ),
        pytest.param(
            DECIDED + '  acceptance:\n    "auc\\u001b[31m": ">= 0.9"\n',
            8,
            "archgate.acceptance",
            "control characters",
            id="name-escape-sequence",
        ),
        pytest.param(
            DECIDED + '  acceptance:\n    " auc": ">= 0.9"\n',
            8,
            "archgate.acceptance",
            "whitespace",
            id="name-padded",
        ),
        pytest.param(
            '  decision: "xg\\nboost"\n  acceptance:\n    auc: ">= 0.9"\n',
            4,
            "archgate.decision",
            "control characters",
            id="decision-newline",
        ),
        pytest.param(
            '  decision: a\n  options: [a, "b\\r::warning::x"]\n  acceptance:\n    auc: ">= 0.9"\n',
            5,
            "archgate.options",
            "control characters",
            id="option-carriage-return",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {min: true}\n",
            8,
            "archgate.acceptance.auc.min",
            "expected a number, got True",
            id="bool-bound",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {max: 1" + "0" * 400 + "}\n",
            8,
            "archgate.acceptance.auc.max",
            "too large for a float",
            id="huge-int-bound",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: '>= 1" + "0" * 400 + "'\n",
            8,
            "archgate.acceptance.auc",
            "expected a number",
            id="huge-string-bound",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {min: 0.9, confidence: 0.5}\n",
            8,
            "archgate.acceptance.auc.confidence",
            "(0.5, 1)",
            id="confidence-0.5",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {min: 0.9, confidence: 1}\n",
            8,
            "archgate.acceptance.auc.confidence",
            "(0.5, 1)",
            id="confidence-1",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {min: 0.9, confidence: 0.99999999}\n",
            8,
            "archgate.acceptance.auc.confidence",
            "(0.5, 1)",
            id="confidence-rounds-to-1",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {min: 0.9, confidence: true}\n",
            8,
            "archgate.acceptance.auc.confidence",
            "expected a number, got True",
            id="confidence-bool",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {min: 0.9, confidence: '0.95'}\n",
            8,
            "archgate.acceptance.auc.confidence",
            "string",
            id="confidence-string",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {min: 0.9, confidence: .nan}\n",
            8,
            "archgate.acceptance.auc.confidence",
            "finite",
            id="confidence-nan",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: {min: 0.9, device: [cuda]}\n",
            8,
            "archgate.acceptance.auc.device",
            "cpu, cuda",
            id="device-list",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: '>= 0.9'\n" + "  constraints:\n    auc: '<= 0.99'\n",
            10,
            "archgate.constraints.auc",
            "both an acceptance criterion (line 8) and a constraint",
            id="duplicate-across-sections",
        ),
        pytest.param(
            DECIDED + '  acceptance:\n    auc: {min: 0.9, "x\\n::error::y": 1}\n',
            8,
            "archgate.acceptance.auc",
            "unknown key(s) 'x\\n::error::y'",
            id="unknown-key-newline",
        ),
        pytest.param(
            '  options: [a, "b\\n::error::x"]\n  acceptance:\n    g: {metric: m, vs: c, min: 0}\n',
            6,
            "archgate.acceptance.g.vs",
            "(a, 'b\\n::error::x')",
            id="vs-listing-options-with-newline",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: '>= 0.9'\n  weights:\n    auc: .nan\n",
            10,
            "archgate.weights.auc",
            "non-negative number, got nan",
            id="weight-nan",
        ),
        pytest.param(
            DECIDED + "  acceptance:\n    auc: '>= 0.9'\n  weights:\n    auc: 1" + "0" * 400 + "\n",
            10,
            "archgate.weights.auc",
            "non-negative number",
            id="weight-huge-int",
        ),
        pytest.param(
            DECIDED
            + "  acceptance:\n    auc: '>= 0.9'\n  cost:\n    usd_per_hour: 1"
            + "0" * 400
            + "\n",
            10,
            "archgate.cost.usd_per_hour",
            "expected a finite number",
            id="cost-huge-int",
        ),
    ],
)
def test_criterion_holes_are_errors_with_file_line_field(
    tmp_path: Path, block: str, line: int, field: str, message: str
) -> None:
    path = write_adr(tmp_path / "adr", block)
    with pytest.raises(AdrError) as info:
        parse_adr(path, root=tmp_path)
    err = info.value
    assert (err.file, err.line, err.field) == ("adr/0002-x.md", line, field), str(err)
    assert message in err.message
    assert "\n" not in str(err)
    if field.startswith(("archgate.acceptance", "archgate.constraints")):
        assert isinstance(err, CriterionError)


def test_vs_the_decision_is_a_usage_error_and_a_lint_problem(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    _project(pytester, DECIDED + "  acceptance:\n    gain: {metric: auc, vs: xgboost, min: 0.01}\n")
    pytester.makepyfile(
        test_m="""
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_auc(archgate):
            archgate.record("auc", 0.95)
        """
    )
    result = pytester.runpytest(*FAST, "-W", "always")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    expected = "adr/0002-x.md:8: archgate.acceptance.gain.vs: vs names 'xgboost', the decision"
    assert expected in result.stderr.str() + result.stdout.str()
    monkeypatch.chdir(pytester.path)
    capsys.readouterr()
    assert cli.main(["lint", "--adr-dir", "adr"]) == 1
    out = capsys.readouterr()
    # lint prints the severity after the location
    expected_lint = expected.replace(":8: ", ":8: error: ")
    assert expected_lint in out.out + out.err


def test_vs_another_option_is_still_fine(tmp_path: Path) -> None:
    adr = adr_of(tmp_path, DECIDED + "  acceptance:\n    gain: {metric: auc, vs: logreg, min: 0}\n")
    assert [c.vs for c in adr.acceptance] == ["logreg"]
    # without a decision, a vs naming one of several options compares the others with it
    free = adr_of(
        tmp_path,
        "  options: [a, b, c]\n  acceptance:\n    gain: {metric: auc, vs: a, min: 0}\n",
        status="proposed",
    )
    assert free.acceptance[0].vs == "a"


def test_an_adr_built_in_code_with_vs_the_decision_is_not_skipped() -> None:
    crit = parse_criterion(
        "gain", {"metric": "auc", "vs": "a", "min": 0.0}, kind="acceptance", options=("a", "b")
    )
    adr = Adr(
        id="ADR-0002",
        title="X",
        path=Path("adr/0002-x.md"),
        file="adr/0002-x.md",
        status="accepted",
        has_archgate=True,
        decision="a",
        options=("a", "b"),
        acceptance=(crit,),
    )
    res = judge_adr(adr, [meas("a", "auc", est(0.9))])
    (gain,) = res.criteria
    assert (res.verdict, gain.verdict, gain.role) == ("unmeasured", "unmeasured", "decision")
    assert "the decision itself" in str(gain.reason)
