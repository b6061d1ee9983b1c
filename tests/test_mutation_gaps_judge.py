"""Rules of ``pytest_archgate.verdict.judge`` that mutation testing found unpinned (issue 15).

Each test states the rule it pins; they go through the public judging functions
(:func:`judge_criterion`, :func:`judge_adr`, :func:`unpaired_difference`), which the plugin,
``archgate merge`` and every report call alike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pytest_archgate.adr.criteria import Criterion, parse_criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.verdict.judge import judge_adr, judge_criterion, unpaired_difference

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
