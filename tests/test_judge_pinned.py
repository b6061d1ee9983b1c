"""Rules of ``pytest_archgate.verdict.judge`` that the mutation run of issue 15 found unpinned.

Each test states one rule in its name and docstring and goes through the public judging API
(:func:`judge_adr`), which the plugin, ``archgate merge`` and every report call alike. The
comment above each test names the surviving mutants it kills. The rules:

* Under ``family: holm`` every measurement of a ``vs`` criterion is compared on its own: the
  worst of several measurements of the decision still decides, and a comparison option is
  judged on its own difference, never on the one computed for another option.
* Under ``family: holm`` a ``vs: "@base"`` criterion judged again at Holm's levels is still
  compared only with the base report's measurements of its own ADR.
* A ``vs: "@base"`` constraint is judged against the base report only when that report defined
  the ADR's criteria as they are now; otherwise it is ``unmeasured`` (stale baseline) and asks
  for no review.
* The Holm note of a criterion that is not met follows the criterion's own reason after "; ",
  and stands alone when the criterion has no reason of its own (a refusal without words).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from pytest_archgate.adr.criteria import Criterion, parse_criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure import stats
from pytest_archgate.measure.estimate import Estimate, Measurement, level_key
from pytest_archgate.verdict.baseline import Baseline
from pytest_archgate.verdict.judge import AdrResult, CriterionResult, judge_adr

# ---------------------------------------------------------------------------------------------
# helpers

GAIN = parse_criterion(
    "gain",
    {"metric": "auc", "min": 0.0, "vs": "b", "confidence": 0.95},
    kind="acceptance",
    options=("a", "b", "c"),
)


def _adr(
    *,
    decision: str,
    options: tuple[str, ...],
    acceptance: tuple[Criterion, ...] = (),
    constraints: tuple[Criterion, ...] = (),
    family: str = "none",
) -> Adr:
    return Adr(
        id="ADR-0001",
        title="t",
        path=Path("adr/0001-t.md"),
        file="adr/0001-t.md",
        status="accepted",
        decision=decision,
        options=options,
        acceptance=acceptance,
        constraints=constraints,
        family=family,
    )


def _auc(option: str, value: float, nodeid: str) -> Measurement:
    """An AUC with 90% and 95% two-sided intervals of half-width 0.01 and 0.012."""
    return Measurement(
        adr="ADR-0001",
        option=option,
        metric="auc",
        estimate=Estimate(
            value,
            n=1000,
            intervals={
                level_key(0.9): (value - 0.01, value + 0.01),
                level_key(0.95): (value - 0.012, value + 0.012),
            },
        ),
        nodeid=nodeid,
    )


def _accuracy(k: int, *, adr: str = "ADR-0001", n: int = 2000) -> Measurement:
    """An accuracy of ``k / n`` with Wilson intervals, measured on the rows ``f1``."""
    return Measurement(
        adr=adr,
        option="m",
        metric="accuracy",
        estimate=Estimate(
            value=k / n,
            method="wilson",
            n=n,
            intervals={level_key(lv): stats.wilson_interval(k, n, lv) for lv in (0.9, 0.95)},
        ),
        nodeid="t.py::test_accuracy",
        fingerprint="f1",
    )


def _base(*ms: Measurement, adrs: dict[str, Adr]) -> Baseline:
    return Baseline(
        file="base.json",
        commit="a" * 40,
        generated_at="2026-12-06T00:00:00+00:00",
        measurements=ms,
        adrs=adrs,
    )


def _one(results: Sequence[CriterionResult], option: str) -> CriterionResult:
    found = [r for r in results if r.option == option]
    assert len(found) == 1, [(r.criterion.name, r.option) for r in results]
    return found[0]


def _no_regression(kind: str, margin: float) -> Criterion:
    return parse_criterion(
        "no_regression",
        {"metric": "accuracy", "vs": "@base", "min": margin, "confidence": 0.95},
        kind=kind,  # type: ignore[arg-type]
        options=("m",),
    )


# ---------------------------------------------------------------------------------------------
# Holm computes each comparison once per judgement, but never one comparison for another
# (kills x__all_levels_paired__mutmut_15: the cache key forgot the candidate measurement)


def test_under_holm_the_worst_of_several_measurements_of_a_vs_criterion_still_decides() -> None:
    """Two tests measured the decision: one 0.05 above the reference, one 0.05 below. Holm
    computes every level of a comparison at once and reuses it, but each measurement is still
    compared on its own, so the worse one (-0.05) decides and the ADR fails, as without Holm."""
    adr = _adr(decision="a", options=("a", "b"), acceptance=(GAIN,))
    ms = [_auc("a", 0.90, "t::a_good"), _auc("a", 0.80, "t::a_bad"), _auc("b", 0.85, "t::b")]
    for family in ("none", "holm"):  # the run's setting: without Holm, then with it
        res = judge_adr(adr, ms, family=family)
        r = _one(res.criteria, "a")
        assert (res.verdict, r.verdict) == ("fail", "fail"), family
        assert r.family == ("holm" if family == "holm" else None)
        assert r.value == pytest.approx(-0.05), family
        assert r.tests == ["t::a_bad", "t::a_good", "t::b"]


def test_under_holm_each_option_of_a_vs_comparison_is_judged_on_its_own_difference() -> None:
    """The decision ``a`` gains 0.05 over the reference ``b``; the comparison option ``c``
    loses 0.05 to it. Under Holm each option is judged on its own difference: ``a`` passes,
    ``c`` fails (and, being a comparison, does not fail the ADR)."""
    adr = _adr(decision="a", options=("a", "b", "c"), acceptance=(GAIN,), family="holm")
    ms = [_auc("a", 0.90, "t::a"), _auc("b", 0.85, "t::b"), _auc("c", 0.80, "t::c")]
    res = judge_adr(adr, ms)
    mine, other = _one(res.criteria, "a"), _one(res.criteria, "c")
    assert res.verdict == "pass"
    assert (mine.verdict, other.verdict) == ("pass", "fail")
    assert mine.value == pytest.approx(0.05)
    assert other.value == pytest.approx(-0.05)
    assert other.family == "holm"


# ---------------------------------------------------------------------------------------------
# Holm's second judgement of a vs @base criterion keeps the ADR it belongs to
# (kills x__holm__mutmut_27, x__holm__mutmut_36: rejudge without adr; x_judge_adr__mutmut_109:
# _holm called without adr)


def test_under_holm_a_vs_base_criterion_is_compared_only_with_its_own_adrs_base_measurements() -> (
    None
):
    """The base report holds this ADR's accuracy of ``m`` (0.9, as in the PR) and another
    ADR's accuracy of an option also called ``m`` (0.99). The criterion is compared with its
    own ADR's measurement only, at Holm's level as at its own: no regression, it passes.
    Compared with the other ADR's 0.99 it would fail."""
    crit = _no_regression("acceptance", -0.02)
    adr = _adr(decision="m", options=("m",), acceptance=(crit,), family="holm")
    base = _base(_accuracy(1800), _accuracy(1980, adr="ADR-0099"), adrs={"ADR-0001": adr})
    res = judge_adr(adr, [_accuracy(1800)], base=base)
    r = _one(res.criteria, "m")
    assert (res.verdict, r.verdict, r.family) == ("pass", "pass", "holm"), r.reason
    assert r.value == 0.0
    assert r.base is not None
    assert (r.base.base_value, r.base.pr_value, r.base.stale) == (0.9, 0.9, [])


# ---------------------------------------------------------------------------------------------
# a vs @base constraint is judged with its ADR, like an acceptance criterion
# (kills x_judge_adr__mutmut_94 and x_judge_adr__mutmut_102: constraints judged without adr)


def test_a_vs_base_constraint_against_a_base_report_with_other_criteria_is_stale_not_judged() -> (
    None
):
    """The base report was written when the constraint allowed a 0.05 drop; the PR allows
    0.02. A baseline judged under other criteria cannot be trusted: the constraint is
    ``unmeasured`` with the reason, carries no value, and asks for no review, even though the
    PR's accuracy (0.80) is far below the base's (0.90)."""
    now = _adr(decision="m", options=("m",), constraints=(_no_regression("constraint", -0.02),))
    then = _adr(decision="m", options=("m",), constraints=(_no_regression("constraint", -0.05),))
    base = _base(_accuracy(1800), adrs={"ADR-0001": then})
    res: AdrResult = judge_adr(now, [_accuracy(1600)], base=base)
    r = _one(res.constraints, "m")
    assert (r.verdict, r.estimate, res.needs_review) == ("unmeasured", None, False)
    assert r.reason == (
        "stale baseline: ADR-0001's criteria changed since the base report was written"
    )
    assert r.base is not None
    assert r.base.stale == ["ADR-0001's criteria changed since the base report was written"]
    # the same base report with the PR's definition judges it: a regression asks for review
    same = _base(_accuracy(1800), adrs={"ADR-0001": now})
    res = judge_adr(now, [_accuracy(1600)], base=same)
    assert (_one(res.constraints, "m").verdict, res.needs_review) == ("fail", True)


# ---------------------------------------------------------------------------------------------
# the Holm note joins the criterion's own reason, and stands alone without one
# (kills x__holm__mutmut_100: "None; " or "; " before the note)


def test_a_holm_note_follows_the_criterions_reason_and_stands_alone_without_one() -> None:
    """A producer refusing a comparison with an empty message leaves the criterion
    ``unmeasured`` with no reason of its own: its reason is the Holm note alone. With a
    message, the note follows it after "; "."""
    note = "Holm: judged at its own level 0.95 (step 1 of 1 confidence criteria)"
    adr = _adr(decision="a", options=("a", "b"), acceptance=(GAIN,), family="holm")
    ms = [_auc("a", 0.90, "t::a"), _auc("b", 0.85, "t::b")]
    for message, expected in (("", note), ("no rows", f"no rows; {note}")):

        def refuse(
            c: Criterion, a: Measurement, b: Measurement, levels: Sequence[float]
        ) -> Estimate:
            raise MeasurementError(message)  # noqa: B023 (called within this iteration)

        res = judge_adr(adr, ms, paired=refuse)
        r = _one(res.criteria, "a")
        assert (res.verdict, r.verdict, r.error) == ("unmeasured", "unmeasured", message)
        assert r.reason == expected
