"""Rules of ``pytest_archgate.verdict.judge`` that mutation testing found unpinned (issue 15).

Each test states the rule it pins; they go through the public judging functions
(:func:`judge_criterion`, :func:`judge_adr`, :func:`unpaired_difference`), which the plugin,
``archgate merge`` and every report call alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from pytest_archgate.adr.criteria import Criterion, parse_criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.verdict.judge import judge_adr, judge_all, judge_criterion, unpaired_difference

GAIN = parse_criterion(
    "gain",
    {"metric": "auc", "min": 0.0, "vs": "b", "confidence": 0.95},
    kind="acceptance",
    options=("a", "b"),
)


def _m(
    option: str,
    value: float,
    *,
    n: int | None = None,
    fingerprint: str | None = None,
    predictions: str | None = None,
) -> Measurement:
    return Measurement(
        adr="ADR-0002",
        option=option,
        metric="auc",
        estimate=Estimate(value, n=n),
        nodeid=f"t::{option}",
        fingerprint=fingerprint,
        predictions=predictions,
    )


# ---------------------------------------------------------------------------------------------
# a vs comparison that cannot be made is refused with an error, never judged


def test_a_vs_between_options_measured_on_different_rows_is_an_error_not_a_verdict() -> None:
    """Two options whose y_true fingerprints differ were evaluated on different test sets:
    their difference means nothing, so the criterion carries an error (which fails the run)
    that names both fingerprints and tests, and is never passed."""
    r = judge_criterion(
        GAIN,
        "a",
        [_m("a", 0.9, fingerprint="f1"), _m("b", 0.8, fingerprint="f2")],
        role="decision",
        enforced=True,
    )
    expected = (
        "cannot compare 'a' with 'b': they were measured on different rows (y_true "
        "fingerprints f1 in t::a and f2 in t::b); evaluate both options on the same test set"
    )
    assert (r.verdict, r.error, r.reason, r.tests) == (
        "unmeasured",
        expected,
        expected,
        ["t::a", "t::b"],
    )


@pytest.mark.parametrize(
    ("y_b", "rows"),
    [([0, 1, 0], "4 vs 3 rows"), ([1, 1, 0, 1], "4 vs 4 rows")],
    ids=["fewer-rows", "same-count-other-labels"],
)
def test_a_paired_vs_on_predictions_with_other_labels_is_an_error(
    tmp_path: Path, y_b: list[int], rows: str
) -> None:
    """A paired comparison reads both options' stored rows; rows whose y_true differ (in
    number or in value) cannot be paired, and the criterion says so as an error."""
    np.savez(
        tmp_path / "a.npz", y_true=np.array([0, 1, 0, 1]), y_score=np.array([0.1, 0.9, 0.2, 0.8])
    )
    np.savez(tmp_path / "b.npz", y_true=np.array(y_b), y_score=np.linspace(0, 1, len(y_b)))
    r = judge_criterion(
        GAIN,
        "a",
        [
            _m("a", 0.9, predictions=str(tmp_path / "a.npz")),
            _m("b", 0.8, predictions=str(tmp_path / "b.npz")),
        ],
        role="decision",
        enforced=True,
    )
    assert r.verdict == "unmeasured"
    assert r.error == f"cannot compare 'a' with 'b': their y_true differ ({rows})"


def test_an_unpaired_difference_without_intervals_is_a_bare_difference() -> None:
    """Without an interval on either side the difference has none either (so a confidence
    criterion on it is unmeasured, never passed); its sample size is the smaller side's and it
    keeps both values it came from."""
    e = unpaired_difference(GAIN, _m("a", 0.9, n=100), _m("b", 0.8, n=80), (0.9,))
    assert e.method == "difference"
    assert e.value == pytest.approx(0.1)
    assert e.intervals == {}
    assert e.n == 80
    assert dict(e.details) == {"a": 0.9, "b": 0.8}
    assert GAIN.judge(e)[0] == "unmeasured"


@pytest.mark.parametrize(("n_a", "n_b"), [(100, None), (None, 80)])
def test_an_unpaired_difference_has_no_sample_size_when_a_side_has_none(
    n_a: int | None, n_b: int | None
) -> None:
    """The difference's n is only known when both sides' are."""
    assert unpaired_difference(GAIN, _m("a", 0.9, n=n_a), _m("b", 0.8, n=n_b), ()).n is None


def test_a_vs_naming_the_decision_in_an_adr_built_in_code_is_unmeasured_never_skipped(
    tmp_path: Path,
) -> None:
    """Parsing refuses a ``vs`` that names the decision; an ``Adr`` built in code that has one
    still judges it, as unmeasured and enforced, so that the ADR cannot pass on it."""
    self_vs: Criterion = parse_criterion(
        "self", {"metric": "auc", "min": 0, "vs": "a"}, kind="acceptance", options=("a", "b")
    )
    adr = Adr(
        id="ADR-0002",
        title="x",
        path=tmp_path / "x.md",
        file="x.md",
        status="accepted",
        decision="a",
        options=("a", "b"),
        acceptance=(self_vs,),
    )
    res = judge_adr(adr, [_m("a", 0.9), _m("b", 0.8)])
    assert res.verdict == "unmeasured"
    first = res.criteria[0]
    assert (first.option, first.verdict, first.role, first.enforced) == (
        "a",
        "unmeasured",
        "decision",
        True,
    )
    assert first.message(adr) == (
        "ADR-0002 self [a] is unmeasured (vs names 'a', the decision itself: nothing to "
        "compare it with): needs >= 0 vs a (x.md)"
    )


# ---------------------------------------------------------------------------------------------
# which levels an unpaired difference carries


def _with(option: str, value: float, intervals: dict[float, tuple[float, float]]) -> Measurement:
    return Measurement(
        adr="ADR-0002",
        option=option,
        metric="auc",
        estimate=Estimate(value, intervals=intervals),
        nodeid=f"t::{option}",
    )


@pytest.mark.parametrize(
    ("levels_a", "levels_b", "asked", "carried"),
    [
        # the levels asked for that both sides computed, and only those
        ((0.9, 0.95), (0.9, 0.95), (0.9,), [0.9]),
        # none asked for on both sides: the levels both computed
        ((0.8, 0.9), (0.9, 0.95), (0.99,), [0.9]),
        ((0.8, 0.9), (0.9, 0.95), (), [0.9]),
        # nothing in common: a's levels, b's interval derived at each
        ((0.8, 0.9), (0.95,), (0.95,), [0.8, 0.9]),
        ((0.8, 0.95), (0.9,), (0.95,), [0.8, 0.95]),
    ],
)
def test_an_unpaired_difference_carries_the_levels_both_sides_computed(
    levels_a: tuple[float, ...],
    levels_b: tuple[float, ...],
    asked: tuple[float, ...],
    carried: list[float],
) -> None:
    """Each level of the difference combines the two sides' intervals at that level as
    independent normals; a level only one side computed is not invented for the other unless
    nothing is shared (then a's levels, with b's derived, and the reason says so)."""
    a = _with("a", 0.9, {lv: (0.9 - lv / 10, 0.9 + lv / 20) for lv in levels_a})
    b = _with("b", 0.5, {lv: (0.5 - lv / 10, 0.5 + lv / 10) for lv in levels_b})
    e = unpaired_difference(GAIN, a, b, asked)
    assert sorted(e.intervals) == carried
    assert e.method == "unpaired-normal"


def test_an_unpaired_difference_with_one_side_without_interval_has_none() -> None:
    """When only one side has an interval the difference has no interval (a confidence
    criterion on it is unmeasured), never the one side's interval."""
    e = unpaired_difference(GAIN, _with("a", 0.9, {0.9: (0.8, 0.95)}), _with("b", 0.5, {}), (0.9,))
    assert (e.method, e.intervals) == ("difference", {})
    assert GAIN.judge(e)[0] == "unmeasured"


# ---------------------------------------------------------------------------------------------
# a paired vs on stored predictions


def _rows(tmp_path: Path, name: str, scores: np.ndarray, names: list[str] | None) -> str:
    """Stored rows as ``evaluate`` writes them (``names=None``: a file without the renames and
    the threshold, as written before they were stored)."""
    y = (np.arange(60) % 2).astype(float)
    path = tmp_path / name
    if names is None:
        np.savez(path, y_true=y, y_score=scores)
    else:
        np.savez(
            path,
            y_true=y,
            y_score=scores,
            threshold=np.float64(0.5),
            metric_names=np.array(names),
        )
    return str(path)


def _paired(
    tmp_path: Path, metric: str, names: list[str] | None, confidence: float = 0.975
) -> tuple[Criterion, list[Measurement]]:
    rng = np.random.default_rng(0)
    y = (np.arange(60) % 2).astype(float)
    good = np.clip(y * 0.6 + rng.random(60) * 0.5, 0, 1)
    c = parse_criterion(
        "gain",
        {"metric": metric, "min": 0.0, "vs": "b", "confidence": confidence},
        kind="acceptance",
        options=("a", "b"),
    )
    ms = [
        Measurement(
            adr="ADR-0002",
            option=opt,
            metric=metric,
            estimate=Estimate(0.5),
            nodeid=f"t::{opt}",
            predictions=_rows(tmp_path, f"{opt}.npz", scores, names),
        )
        for opt, scores in (("a", good), ("b", rng.random(60)))
    ]
    return c, ms


def test_rows_stored_without_renames_or_threshold_are_compared_at_threshold_half(
    tmp_path: Path,
) -> None:
    """An older rows file (no renames, no threshold) is compared on the criterion's metric
    itself, a threshold metric at 0.5; every level the criterion needs is computed, not
    derived (2c - 1 = 0.998 for confidence 0.999)."""
    c, ms = _paired(tmp_path, "accuracy", None, confidence=0.999)
    r = judge_criterion(c, "a", ms, role="decision", enforced=True)
    assert r.error is None
    assert r.estimate is not None
    assert r.estimate.method.startswith("paired")
    assert r.estimate.value == pytest.approx(0.41666666666666663)  # accuracy at 0.5, a - b
    assert 0.998 in r.estimate.intervals
    assert "derived" not in (r.reason or "")


def test_a_paired_vs_on_a_renamed_metric_computes_the_metric_it_was_recorded_from(
    tmp_path: Path,
) -> None:
    """``evaluate(..., names={"roc_auc": "myauc"})`` stores ``myauc=roc_auc`` with the rows;
    the paired difference of ``myauc`` is a paired ROC AUC difference, reported at the 95%
    level (the reporting interval) with every level the criterion needs."""
    c, ms = _paired(tmp_path, "myauc", ["myauc=roc_auc"])
    r = judge_criterion(c, "a", ms, role="decision", enforced=True)
    assert r.error is None
    assert r.verdict == "pass"
    assert r.estimate is not None
    assert r.estimate.method.startswith("paired")
    assert r.estimate.level == 0.95
    assert r.estimate.ci == r.estimate.intervals[0.95]
    assert sorted(r.estimate.intervals) == [0.8, 0.9, 0.95, 0.98, 0.99]


def test_a_paired_vs_needs_the_rows_of_both_sides(tmp_path: Path) -> None:
    """With stored rows on one side only the comparison is unpaired (from the estimates)."""
    c, ms = _paired(tmp_path, "auc", [])
    ms[1] = Measurement(
        adr="ADR-0002",
        option="b",
        metric="auc",
        estimate=Estimate(0.5, intervals={0.95: (0.4, 0.6)}),
        nodeid="t::b",
    )
    ms[0] = Measurement(
        adr="ADR-0002",
        option="a",
        metric="auc",
        estimate=Estimate(0.9, intervals={0.95: (0.85, 0.95)}),
        nodeid="t::a",
        predictions=ms[0].predictions,
    )
    r = judge_criterion(c, "a", ms, role="decision", enforced=True)
    assert r.estimate is not None
    assert r.estimate.method == "unpaired-normal"


def test_a_recorded_name_containing_equals_never_crashes_the_judging(tmp_path: Path) -> None:
    """A name given through ``names=`` may contain ``=``; judging a paired vs on it returns a
    result (never an exception out of the gate)."""
    c, ms = _paired(tmp_path, "auc=v2", ["auc=v2=roc_auc"])
    r = judge_criterion(c, "a", ms, role="decision", enforced=True)
    assert r.verdict in ("pass", "fail", "unmeasured")


def test_a_paired_vs_on_a_recorded_name_containing_equals_is_judged(tmp_path: Path) -> None:
    c, ms = _paired(tmp_path, "auc=v2", ["auc=v2=roc_auc"])
    r = judge_criterion(c, "a", ms, role="decision", enforced=True)
    assert r.error is None
    assert r.verdict == "pass"


# ---------------------------------------------------------------------------------------------
# the failure message pytest shows


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.5, "0.5"), (1e15, "1e+15"), (1e14, "100000000000000"), (0.123456, "0.1235")],
)
def test_the_message_of_a_criterion_without_options_names_no_option(
    tmp_path: Path, value: float, shown: str
) -> None:
    """An ADR without options measures ``option=None``: its message has no ``[option]``; whole
    values print as integers below 1e15, others with 4 significant digits."""
    c = parse_criterion("auc", ">= 1e16", kind="acceptance", line=7)
    adr = Adr(
        id="ADR-0002",
        title="x",
        path=tmp_path / "x.md",
        file="x.md",
        status="accepted",
        acceptance=(c,),
    )
    m = Measurement(adr="ADR-0002", option=None, metric="auc", estimate=Estimate(value))
    r = judge_criterion(c, None, [m], role="candidate", enforced=True)
    assert r.message(adr) == f"ADR-0002 auc = {shown} violates >= 1e+16 (x.md:7)"


@pytest.mark.parametrize(
    ("spec", "estimate", "expected"),
    [
        pytest.param(
            ">= 0.9",
            Estimate(0.85, intervals={0.95: (0.8, 0.9)}),
            "ADR-0002 auc [a] = 0.85 [0.8, 0.9] violates >= 0.9 (x.md:7)",
            id="fail-shows-the-reporting-interval",
        ),
        pytest.param(
            ">= 0.9",
            Estimate(0.95, intervals={0.95: (0.9, 0.97)}),
            "ADR-0002 auc [a] = 0.95 [0.9, 0.97] meets >= 0.9 (x.md:7)",
            id="pass",
        ),
        pytest.param(
            {"min": 0.9, "confidence": 0.95},
            Estimate(0.95),
            "ADR-0002 auc [a] = 0.95 cannot be judged against >= 0.9 (conf. 0.95): no interval "
            "at confidence 0.95: the point value cannot be judged against a one-sided 95% bound "
            "(x.md:7)",
            id="unmeasured-with-a-value",
        ),
        pytest.param(
            {"min": 0.9, "confidence": 0.975},
            Estimate(0.95, intervals={0.95: (0.92, 0.97)}),
            "ADR-0002 auc [a] = 0.95 meets >= 0.9 (conf. 0.975): lower one-sided 97.5% bound "
            "0.92 >= 0.9 (the 95% two-sided interval is [0.92, 0.97]) (x.md:7)",
            id="confidence-shows-the-judged-bound-not-the-reporting-interval",
        ),
    ],
)
def test_the_message_says_what_was_judged(
    tmp_path: Path, spec: object, estimate: Estimate, expected: str
) -> None:
    """Without confidence the message shows the point value and the reporting interval; with
    confidence it shows the judged one-sided bound and the interval it is an end of instead
    (the reporting interval beside it would suggest it was judged)."""
    c = parse_criterion("auc", spec, kind="acceptance", line=7)
    adr = Adr(
        id="ADR-0002",
        title="x",
        path=tmp_path / "x.md",
        file="x.md",
        status="accepted",
        decision="a",
        options=("a",),
        acceptance=(c,),
    )
    m = Measurement(adr="ADR-0002", option="a", metric="auc", estimate=estimate)
    r = judge_criterion(c, "a", [m], role="decision", enforced=True)
    assert r.message(adr) == expected


# ---------------------------------------------------------------------------------------------
# Holm's step-down inside judge_adr


def _holm_adr(tmp_path: Path, *criteria: Criterion, options: tuple[str, ...] = ("a",)) -> Adr:
    return Adr(
        id="ADR-0002",
        title="x",
        path=tmp_path / "x.md",
        file="x.md",
        status="accepted",
        decision="a",
        options=options,
        acceptance=criteria,
        family="holm",
    )


def _est(option: str, metric: str, value: float, half: float, node: str = "") -> Measurement:
    intervals = {lv: (value - half * lv, value + half * lv) for lv in (0.9, 0.95, 0.975, 0.99)}
    return Measurement(
        adr="ADR-0002",
        option=option,
        metric=metric,
        estimate=Estimate(value, intervals=intervals),
        nodeid=node or f"t::{option}-{metric}",
    )


def test_holm_beyond_the_kept_levels_leaves_a_fail_failing_and_nothing_passing(
    tmp_path: Path,
) -> None:
    """When Holm's level rounds to 1 (no interval is kept there), nothing can pass: a criterion
    that failed at its own level stays failed, one that passed becomes unmeasured, both still
    enforced, and the reason says why."""
    conf = 0.9999995
    auc, f1 = (
        parse_criterion(n, {"min": 0.5, "confidence": conf}, kind="acceptance")
        for n in ("auc", "f1")
    )
    ms = [
        Measurement(
            adr="ADR-0002",
            option="a",
            metric=name,
            estimate=Estimate(v, intervals={0.999999: (v - 0.1, v + 0.05)}),
        )
        for name, v in (("auc", 0.9), ("f1", 0.4))
    ]
    res = judge_adr(_holm_adr(tmp_path, auc, f1), ms)
    assert res.verdict == "fail"
    got = [
        (r.criterion.name, r.verdict, r.enforced, r.family, r.adjusted_confidence)
        for r in res.criteria
    ]
    assert got == [("auc", "unmeasured", True, "holm", None), ("f1", "fail", True, "holm", None)]
    for r in res.criteria:
        assert (r.reason or "").endswith(
            "needs a level beyond the 6-digit levels intervals are kept at"
        )


def test_holm_rejudges_each_criterion_at_its_step_level_and_keeps_it_enforced(
    tmp_path: Path,
) -> None:
    """A criterion judged again at Holm's level keeps its role's enforcement."""
    auc, f1 = (
        parse_criterion(n, {"min": 0.5, "confidence": 0.95}, kind="acceptance")
        for n in ("auc", "f1")
    )
    res = judge_adr(
        _holm_adr(tmp_path, auc, f1), [_est("a", "auc", 0.9, 0.1), _est("a", "f1", 0.8, 0.1)]
    )
    assert res.verdict == "pass"
    assert [(r.verdict, r.enforced, r.family) for r in res.criteria] == [
        ("pass", True, "holm"),
        ("pass", True, "holm"),
    ]
    # both clear their bound at step 1 (two left: 1 - 0.05 / 2), so both are judged there
    assert [r.adjusted_confidence for r in res.criteria] == [0.975, 0.975]


def test_holm_judges_every_option_even_after_one_without_confidence_criteria(
    tmp_path: Path,
) -> None:
    """The reference of a vs criterion has no criterion of the family; the options after it are
    still judged with Holm."""
    gain = parse_criterion(
        "gain",
        {"metric": "auc", "min": 0.0, "vs": "b", "confidence": 0.95},
        kind="acceptance",
        options=("a", "b", "c"),
    )
    plain = parse_criterion("auc", ">= 0", kind="acceptance")
    adr = _holm_adr(tmp_path, plain, gain, options=("a", "b", "c"))
    ms = [_est("a", "auc", 0.9, 0.01), _est("b", "auc", 0.8, 0.01), _est("c", "auc", 0.85, 0.01)]
    res = judge_adr(adr, ms)
    # b has a result (auc) but no member of the family (its gain is not judged: b is the
    # reference); c after it is still judged with Holm
    assert [(r.criterion.name, r.option, r.family) for r in res.criteria] == [
        ("auc", "a", None),
        ("gain", "a", "holm"),
        ("auc", "b", None),
        ("auc", "c", None),
        ("gain", "c", "holm"),
    ]


def test_holm_uses_the_paired_function_it_was_given_at_every_step(tmp_path: Path) -> None:
    gain = parse_criterion(
        "gain",
        {"metric": "auc", "min": 0.0, "vs": "b", "confidence": 0.95},
        kind="acceptance",
        options=("a", "b"),
    )
    calls: list[tuple[float, ...]] = []

    def paired(c: Criterion, a: Measurement, b: Measurement, levels: Sequence[float]) -> Estimate:
        calls.append(tuple(levels))
        return Estimate(0.1, intervals=dict.fromkeys(levels, (0.05, 0.15)))

    ms = [
        Measurement(adr="ADR-0002", option=o, metric="auc", estimate=Estimate(v))
        for o, v in (("a", 0.9), ("b", 0.8))
    ]
    res = judge_adr(_holm_adr(tmp_path, gain, options=("a", "b")), ms, paired=paired)
    assert [(r.verdict, r.family) for r in res.criteria] == [("pass", "holm")]
    assert calls  # never replaced by the default (which would find no interval here)


def test_holm_keeps_each_pair_of_measurements_apart(tmp_path: Path) -> None:
    """One measurement of the decision against two of the reference are two comparisons; the
    worse decides, also when Holm computes each comparison once for all its levels (a cache
    that mixed the pairs up would pass this failing criterion)."""
    gain = parse_criterion(
        "gain",
        {"metric": "auc", "min": 0.0, "vs": "b", "confidence": 0.95},
        kind="acceptance",
        options=("a", "b"),
    )
    ms = [
        _est("a", "auc", 0.9, 0.01, "t::a"),
        _est("b", "auc", 0.6, 0.01, "t::b1"),
        _est("b", "auc", 0.95, 0.01, "t::b2"),
    ]
    res = judge_adr(_holm_adr(tmp_path, gain, options=("a", "b")), ms)
    (r,) = res.criteria
    assert r.value == pytest.approx(0.9 - 0.95)
    assert r.verdict == "fail"
    assert res.verdict == "fail"


def test_holm_refuses_a_vs_on_different_rows_with_an_error(tmp_path: Path) -> None:
    gain = parse_criterion(
        "gain",
        {"metric": "auc", "min": 0.0, "vs": "b", "confidence": 0.95},
        kind="acceptance",
        options=("a", "b"),
    )
    ms = [
        Measurement(
            adr="ADR-0002",
            option=o,
            metric="auc",
            estimate=Estimate(v),
            nodeid=f"t::{o}",
            fingerprint=f,
        )
        for o, v, f in (("a", 0.9, "f1"), ("b", 0.8, "f2"))
    ]
    (r,) = judge_adr(_holm_adr(tmp_path, gain, options=("a", "b")), ms).criteria
    assert r.verdict == "unmeasured"
    assert (r.error or "").startswith(
        "cannot compare 'a' with 'b': they were measured on different rows"
    )


def test_holm_never_passes_a_vs_naming_the_decision(tmp_path: Path) -> None:
    """An ``Adr`` built in code whose vs names the decision stays unmeasured under Holm (it is
    not judged again: comparing the decision with itself would pass any min <= 0)."""
    self_vs = parse_criterion(
        "self",
        {"metric": "auc", "min": -0.1, "vs": "a", "confidence": 0.95},
        kind="acceptance",
        options=("a", "b"),
    )
    res = judge_adr(_holm_adr(tmp_path, self_vs, options=("a", "b")), [_est("a", "auc", 0.9, 0.01)])
    assert [(r.option, r.verdict) for r in res.criteria] == [("a", "unmeasured")]
    assert res.verdict == "unmeasured"


# ---------------------------------------------------------------------------------------------
# the report entry of a criterion


def test_a_criterion_result_is_written_to_the_report_with_every_field() -> None:
    """The report's criterion entry: the criterion as written, the judged estimate, the
    verdict and why; keys and order are the report schema's."""
    c = parse_criterion(
        "gain",
        {"metric": "auc", "min": 0.0, "vs": "b", "confidence": 0.95, "device": "cpu"},
        kind="acceptance",
        options=("a", "b"),
        line=9,
    )
    ms = [
        Measurement(
            adr="ADR-0002",
            option=o,
            metric="auc",
            estimate=Estimate(v, n=50, intervals={0.95: (v - 0.05, v + 0.05)}),
            nodeid=f"t::{o}",
        )
        for o, v in (("b", 0.8), ("a", 0.9))
    ]
    r = judge_criterion(c, "a", ms, role="decision", enforced=True)
    assert r.estimate is not None
    data = r.to_json()
    expected = {
        "name": "gain",
        "metric": "auc",
        "kind": "acceptance",
        "option": "a",
        "role": "decision",
        "enforced": True,
        "bound": ">= 0 vs b (conf. 0.95) [cpu]",
        "min": 0.0,
        "max": None,
        "vs": "b",
        "confidence": 0.95,
        "device": "cpu",
        "line": 9,
        "value": r.estimate.value,
        "ci": list(r.estimate.intervals[0.95]),
        "method": "unpaired-normal",
        "n": 50,
        "estimate": r.estimate.to_json(),
        "verdict": "pass",
        "reason": r.reason,
        "error": None,
        "tests": ["t::a", "t::b"],
        "variance": "test set only",
    }
    assert data == expected
    assert list(data) == list(expected)  # the order above is the report's
    assert r.value == pytest.approx(0.1)


def test_an_unmeasured_criterion_is_written_without_estimate() -> None:
    c = parse_criterion("auc", ">= 0.9", kind="constraint")
    data = judge_criterion(c, "a", [], role="comparison", enforced=False).to_json()
    assert {k: data[k] for k in ("kind", "value", "ci", "method", "n", "estimate", "verdict")} == {
        "kind": "constraint",
        "value": None,
        "ci": None,
        "method": None,
        "n": None,
        "estimate": None,
        "verdict": "unmeasured",
    }
    assert data["reason"] == "no measurement of auc"


def test_a_passing_holm_criterion_carries_no_holm_note(tmp_path: Path) -> None:
    """The Holm note explains a verdict that is not pass; a pass keeps its own reason."""
    auc, f1 = (
        parse_criterion(n, {"min": 0.5, "confidence": 0.95}, kind="acceptance")
        for n in ("auc", "f1")
    )
    res = judge_adr(
        _holm_adr(tmp_path, auc, f1), [_est("a", "auc", 0.9, 0.1), _est("a", "f1", 0.8, 0.1)]
    )
    assert all("Holm" not in (r.reason or "") for r in res.criteria)
    assert all(r.bound.endswith("(conf. 0.95, Holm 0.975)") for r in res.criteria)
    data = res.criteria[0].to_json()
    assert (data["family"], data["adjusted_confidence"]) == ("holm", 0.975)
    assert list(data)[10:14] == ["confidence", "family", "adjusted_confidence", "device"]


def test_judge_all_uses_the_paired_function_it_was_given(tmp_path: Path) -> None:
    gain = parse_criterion(
        "gain", {"metric": "auc", "min": 0.0, "vs": "b"}, kind="acceptance", options=("a", "b")
    )
    adr = Adr(
        id="ADR-0002",
        title="x",
        path=tmp_path / "x.md",
        file="x.md",
        status="accepted",
        decision="a",
        options=("a", "b"),
        acceptance=(gain,),
    )

    def paired(c: Criterion, a: Measurement, b: Measurement, levels: Sequence[float]) -> Estimate:
        return Estimate(-1.0)

    ms = [
        Measurement(adr="ADR-0002", option=o, metric="auc", estimate=Estimate(v))
        for o, v in (("a", 0.9), ("b", 0.8))
    ]
    (res,) = judge_all([adr], ms, paired=paired)
    assert res.verdict == "fail"
    assert res.criteria[0].value == -1.0


def test_a_message_without_a_line_names_the_file_only(tmp_path: Path) -> None:
    c = parse_criterion("auc", ">= 0.9", kind="acceptance")
    adr = Adr(
        id="ADR-0002",
        title="x",
        path=tmp_path / "x.md",
        file="x.md",
        status="accepted",
        decision="a",
        options=("a",),
        acceptance=(c,),
    )
    m = Measurement(adr="ADR-0002", option="a", metric="auc", estimate=Estimate(0.5))
    r = judge_criterion(c, "a", [m], role="decision", enforced=True)
    assert r.message(adr) == "ADR-0002 auc [a] = 0.5 violates >= 0.9 (x.md)"


# ---------------------------------------------------------------------------------------------
# constraints with vs, and what judge_adr returns


def test_a_vs_constraint_is_judged_for_every_option_but_its_reference_and_never_enforced(
    tmp_path: Path,
) -> None:
    """A constraint ``vs b`` says nothing about b itself; it is judged (with the paired
    function given) for the other options, and a later constraint is still judged for b.
    Constraints warn, they never fail the run: none is enforced."""
    drift = parse_criterion(
        "drift", {"metric": "auc", "max": 0.05, "vs": "b"}, kind="constraint", options=("a", "b")
    )
    rows = parse_criterion("rows", {"min": 10}, kind="constraint")
    auc = parse_criterion("auc", ">= 0.5", kind="acceptance")
    adr = Adr(
        id="ADR-0002",
        title="x",
        path=tmp_path / "x.md",
        file="x.md",
        status="accepted",
        decision="a",
        options=("a", "b"),
        acceptance=(auc,),
        constraints=(drift, rows),
    )
    seen: list[tuple[str | None, str | None]] = []

    def paired(c: Criterion, a: Measurement, b: Measurement, levels: Sequence[float]) -> Estimate:
        seen.append((a.option, b.option))
        return Estimate(0.5)

    ms = [
        Measurement(adr="ADR-0002", option=o, metric=k, estimate=Estimate(v))
        for o, k, v in (("a", "auc", 0.9), ("b", "auc", 0.8), ("a", "rows", 5), ("b", "rows", 50))
    ]
    res = judge_adr(adr, ms, paired=paired)
    got = [(r.criterion.name, r.option, r.verdict, r.enforced) for r in res.constraints]
    assert got == [
        ("drift", "a", "fail", False),
        ("rows", "a", "fail", False),
        ("rows", "b", "pass", False),
    ]
    assert seen == [("a", "b")]
    assert res.options == ["a", "b"]
    assert res.needs_review is True
    assert res.verdict == "pass"


@pytest.mark.parametrize(("option", "named"), [("a", "a"), (None, "this option")])
def test_a_vs_criterion_without_a_measurement_of_its_option_says_which(
    option: str | None, named: str
) -> None:
    r = judge_criterion(GAIN, option, [_m("b", 0.8)], role="candidate", enforced=False)
    assert (r.verdict, r.reason) == ("unmeasured", f"no measurement of auc for {named}")


# ---------------------------------------------------------------------------------------------
# replicates, rows and devices in judge_criterion


def test_a_replicate_recorded_twice_is_an_error_naming_both_tests() -> None:
    auc = parse_criterion("auc", ">= 0.5", kind="acceptance")
    ms = [
        Measurement(
            adr="ADR-0002",
            option="a",
            metric="auc",
            estimate=Estimate(0.9),
            nodeid=f"t::{i}",
            replicate="s1",
        )
        for i in (1, 2)
    ]
    r = judge_criterion(auc, "a", ms, role="decision", enforced=True)
    assert (r.verdict, r.error, r.tests) == (
        "unmeasured",
        "replicate 's1' of auc [a] was recorded twice, by t::1 and t::2; give every replicate "
        "its own id",
        ["t::1", "t::2"],
    )


def test_a_vs_over_replicates_on_different_rows_is_an_error_naming_every_test() -> None:
    gain = parse_criterion(
        "gain", {"metric": "auc", "min": 0.0, "vs": "b"}, kind="acceptance", options=("a", "b")
    )
    ms = [
        Measurement(
            adr="ADR-0002",
            option=o,
            metric="auc",
            estimate=Estimate(v),
            nodeid=f"t::{o}{s}",
            replicate=s,
            fingerprint=f,
        )
        for o, v, f in (("a", 0.9, "f1"), ("b", 0.8, "f2"))
        for s in ("s1", "s2")
    ]
    r = judge_criterion(gain, "a", ms, role="decision", enforced=True)
    assert r.verdict == "unmeasured"
    assert (r.error or "").startswith(
        "cannot compare 'a' with 'b': they were measured on different rows"
    )
    assert r.tests == ["t::as1", "t::as2", "t::bs1", "t::bs2"]


def test_a_vs_compares_with_the_reference_measured_on_the_same_rows() -> None:
    """When the reference was measured on several test sets, the option is compared with the
    measurement on its own rows only (one on other rows is not an error then)."""
    gain = parse_criterion(
        "gain", {"metric": "auc", "min": 0.0, "vs": "b"}, kind="acceptance", options=("a", "b")
    )
    ms = [
        Measurement(
            adr="ADR-0002", option=o, metric="auc", estimate=Estimate(v), nodeid=n, fingerprint=f
        )
        for o, v, n, f in (
            ("a", 0.9, "t::a", "f1"),
            ("b", 0.8, "t::b1", "f1"),
            ("b", 0.5, "t::b2", "f2"),
        )
    ]
    r = judge_criterion(gain, "a", ms, role="decision", enforced=True)
    assert (r.verdict, r.error, r.tests) == ("pass", None, ["t::a", "t::b1", "t::b2"])
    assert r.value == pytest.approx(0.1)


def test_a_device_criterion_without_a_measurement_on_that_device_says_so() -> None:
    lat = parse_criterion("lat", {"max": 5, "device": "cuda"}, kind="acceptance")
    m = Measurement(adr="ADR-0002", option="a", metric="lat", estimate=Estimate(1.0))
    r = judge_criterion(lat, "a", [m], role="decision", enforced=True)
    assert (r.verdict, r.reason) == ("unmeasured", "no measurement of lat on cuda")


def test_the_report_names_the_variance_a_replicate_estimate_covers() -> None:
    auc = parse_criterion("auc", ">= 0.5", kind="acceptance")
    ms = [
        Measurement(
            adr="ADR-0002",
            option="a",
            metric="auc",
            estimate=Estimate(v),
            nodeid=f"t::{i}",
            replicate=f"s{i}",
        )
        for i, v in enumerate((0.9, 0.8, 0.85))
    ]
    r = judge_criterion(auc, "a", ms, role="decision", enforced=True)
    assert r.to_json()["variance"] == "test set + 3 replicates (s0..s2)"
