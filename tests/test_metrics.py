"""Tests of the public metric API in pytest_archgate.measure.metrics.

Point values against scikit-learn (to 1e-12, with ties and sample weights), the registry, paired
comparisons, input validation, and interval properties under hypothesis.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure import metrics
from pytest_archgate.measure.estimate import Estimate

skm = pytest.importorskip("sklearn.metrics")

CLASSIFICATION = (
    "roc_auc",
    "average_precision",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "log_loss",
    "brier",
)
REGRESSION = ("mae", "rmse", "r2")
ALL_BUILTIN = CLASSIFICATION + REGRESSION


def _sk(name: str, y: np.ndarray, s: np.ndarray, w: np.ndarray | None = None) -> float:
    pred = (s >= 0.5).astype(int)
    funcs: dict[str, Any] = {
        "roc_auc": lambda: skm.roc_auc_score(y, s, sample_weight=w),
        "average_precision": lambda: skm.average_precision_score(y, s, sample_weight=w),
        "accuracy": lambda: skm.accuracy_score(y, pred, sample_weight=w),
        "precision": lambda: skm.precision_score(y, pred, sample_weight=w),
        "recall": lambda: skm.recall_score(y, pred, sample_weight=w),
        "f1": lambda: skm.f1_score(y, pred, sample_weight=w),
        "log_loss": lambda: skm.log_loss(y, s, sample_weight=w, labels=[0, 1]),
        "brier": lambda: skm.brier_score_loss(y, s, sample_weight=w),
        "mae": lambda: skm.mean_absolute_error(y, s, sample_weight=w),
        "rmse": lambda: skm.root_mean_squared_error(y, s, sample_weight=w),
        "r2": lambda: skm.r2_score(y, s, sample_weight=w),
    }
    return float(funcs[name]())


def _probs(rng: np.random.Generator, n: int, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    y = (rng.random(n) < 0.35).astype(float)
    y[:3], y[3:6] = 1.0, 0.0
    p = 1.0 / (1.0 + np.exp(-(rng.normal(size=n) + 1.2 * y - 0.3)))
    if ties:
        p = np.round(p, 1)  # many ties, including exact 0.0 / 1.0 for log_loss clipping
        p[6] = 0.0
        p[7] = 1.0
    return y, p


def _regression(rng: np.random.Generator, n: int, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    y = rng.normal(size=n) * 3
    p = y + rng.normal(size=n)
    if ties:
        y, p = np.round(y), np.round(p)
    return y, p


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_point_values_match_sklearn(ties: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y, p = _probs(rng, 700, ties)
    res = metrics.evaluate(y, p, CLASSIFICATION, n_boot=50)
    for name in CLASSIFICATION:
        assert res[name].value == pytest.approx(_sk(name, y, p), abs=1e-12), name
    yr, pr = _regression(rng, 700, ties)
    res = metrics.evaluate(yr, pr, REGRESSION)
    for name in REGRESSION:
        assert res[name].value == pytest.approx(_sk(name, yr, pr), abs=1e-12), name


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("name", ALL_BUILTIN)
def test_metric_functions_match_sklearn_with_weights(name: str, ties: bool) -> None:
    rng = np.random.default_rng(11)
    if name in REGRESSION:
        y, s = _regression(rng, 400, ties)
    else:
        y, s = _probs(rng, 400, ties)
    w = rng.integers(0, 4, size=400).astype(float)
    fn = metrics.get_metric(name).fn
    assert fn(y, s) == pytest.approx(_sk(name, y, s), abs=1e-12)
    assert fn(y, s, sample_weight=w) == pytest.approx(_sk(name, y, s, w), abs=1e-12)


def test_hard_labels_are_accepted_for_count_metrics() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(300) < 0.5).astype(int)
    pred = np.where(rng.random(300) < 0.8, y, 1 - y)
    res = metrics.evaluate(y, pred, ("accuracy", "precision", "recall", "f1"), threshold=0.9)
    assert res["accuracy"].value == pytest.approx(skm.accuracy_score(y, pred))
    assert res["f1"].value == pytest.approx(skm.f1_score(y, pred))
    assert res["accuracy"].details["threshold"] == 0.9


def test_threshold_is_used() -> None:
    rng = np.random.default_rng(4)
    y, p = _probs(rng, 500, False)
    res = metrics.evaluate(y, p, ("precision", "recall"), threshold=0.7)
    pred = (p >= 0.7).astype(int)
    assert res["precision"].value == pytest.approx(skm.precision_score(y, pred), abs=1e-12)
    assert res["recall"].value == pytest.approx(skm.recall_score(y, pred), abs=1e-12)
    assert res["precision"].method == "clopper-pearson"


def _brute_recall_at_fpr(y: np.ndarray, s: np.ndarray, max_fpr: float) -> float:
    best = 0.0
    neg, pos = (y == 0).sum(), (y == 1).sum()
    for t in np.unique(s):
        pred = s >= t
        if ((pred) & (y == 0)).sum() / neg <= max_fpr:
            best = max(best, ((pred) & (y == 1)).sum() / pos)
    return float(best)


@pytest.mark.parametrize("max_fpr", ["0.01", "0.1", "0.25", "0"])
@pytest.mark.parametrize("ties", [False, True])
def test_recall_at_fpr(max_fpr: str, ties: bool) -> None:
    rng = np.random.default_rng(5)
    y, p = _probs(rng, 600, ties)
    name = f"recall_at_fpr_{max_fpr}"
    est = metrics.evaluate(y, p, (name,), n_boot=100)[name]
    assert est.value == pytest.approx(_brute_recall_at_fpr(y, p, float(max_fpr)), abs=1e-12)
    assert est.method == "stratified-bootstrap"
    lo, hi = est.ci or (math.nan, math.nan)
    assert lo <= est.value <= hi
    pred = p >= est.details["threshold"]
    assert ((pred) & (y == 0)).sum() / (y == 0).sum() <= float(max_fpr)


def test_recall_at_fpr_bad_names() -> None:
    with pytest.raises(MeasurementError, match="recall_at_fpr_abc"):
        metrics.get_metric("recall_at_fpr_abc")
    with pytest.raises(MeasurementError, match=r"recall_at_fpr_1\.5"):
        metrics.get_metric("recall_at_fpr_1.5")


EXPECTED_METHODS = {
    "roc_auc": ("score-logit-delong", "paired-mover-score-logit-delong"),
    "average_precision": ("bootstrap-logit-binomial", "paired-stratified-bootstrap"),
    "accuracy": ("clopper-pearson", "paired-newcombe"),
    "precision": ("clopper-pearson", "paired-multinomial-bootstrap"),
    "recall": ("clopper-pearson", "paired-multinomial-bootstrap"),
    "f1": ("clopper-pearson-jaccard", "paired-multinomial-bootstrap"),
    "log_loss": ("hall-skew-corrected", "paired-clt"),
    "brier": ("hall-skew-corrected", "paired-clt"),
    "mae": ("clt", "paired-clt"),
    "rmse": ("delta", "paired-delta"),
    "r2": ("delta", "paired-delta"),
    "recall_at_fpr_0.05": ("stratified-bootstrap", "paired-stratified-bootstrap"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_METHODS))
def test_methods_levels_and_compare(name: str) -> None:
    rng = np.random.default_rng(6)
    if name in REGRESSION:
        y, a = _regression(rng, 800, False)
        b = y + rng.normal(size=800) * 1.3
    else:
        y, a = _probs(rng, 800, False)
        b = np.clip(a + rng.normal(size=800) * 0.15, 0.0, 1.0)
    est = metrics.evaluate(y, a, (name,), levels=(0.9, 0.85), n_boot=200)[name]
    single, paired = EXPECTED_METHODS[name]
    assert est.method == single
    assert est.n == 800
    assert est.level == 0.95
    # the requested levels and the standard set (contract 2), whoever calls evaluate
    assert set(est.intervals) == {0.8, 0.85, 0.9, 0.95, 0.98, 0.99}
    (l80, h80), (l90, h90), (l95, h95) = (est.intervals[k] for k in (0.8, 0.9, 0.95))
    assert l95 <= l90 <= l80 <= est.value <= h80 <= h90 <= h95
    diff = metrics.compare(y, a, b, name, levels=(0.9,), n_boot=200)
    assert diff.method == paired
    fn = metrics.get_metric(name).fn
    assert diff.value == pytest.approx(fn(y, a) - fn(y, b), abs=1e-12)
    lo, hi = diff.ci or (math.nan, math.nan)
    assert lo <= diff.value <= hi
    assert diff.details["fingerprint"] == metrics.data_fingerprint(y)
    # the paired interval is narrower than the unpaired sum of errors would suggest
    assert hi - lo > 0


def test_compare_same_model_is_zero() -> None:
    rng = np.random.default_rng(7)
    y, a = _probs(rng, 300, False)
    for name in ("roc_auc", "accuracy", "f1", "log_loss"):
        diff = metrics.compare(y, a, a, name)
        assert diff.value == 0.0
        lo, hi = diff.ci or (math.nan, math.nan)
        assert lo <= 0.0 <= hi


def test_compare_length_mismatch() -> None:
    with pytest.raises(MeasurementError, match=r"roc_auc.*same number of rows.*score_b has 3"):
        metrics.compare([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], [0.1, 0.9, 0.2], "roc_auc")


def test_data_fingerprint() -> None:
    fp = metrics.data_fingerprint([0, 1, 1, 0])
    assert len(fp) == 16
    assert int(fp, 16) >= 0
    assert fp == metrics.data_fingerprint(np.array([0.0, 1.0, 1.0, 0.0]))
    assert fp == metrics.data_fingerprint(np.array([False, True, True, False]))
    assert fp != metrics.data_fingerprint([0, 1, 1, 1])
    assert fp != metrics.data_fingerprint([0, 1, 1, 0, 0])
    import hashlib

    raw = np.array([0.0, 1.0, 1.0, 0.0], dtype="<f8").tobytes() + b"|4"
    assert fp == hashlib.sha256(raw).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# registry


@pytest.fixture
def registered() -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        metrics.unregister_metric(name)


def test_builtins_listed() -> None:
    names = metrics.metric_names()
    for name in ALL_BUILTIN:
        assert name in names
        assert name in metrics.BUILTIN_METRICS
    assert metrics.get_metric("log_loss").higher_is_better is False
    assert metrics.get_metric("roc_auc").higher_is_better is True


def test_unknown_metric_lists_known_names() -> None:
    with pytest.raises(MeasurementError, match=r"aucroc: unknown metric.*roc_auc.*brier"):
        metrics.evaluate([0, 1], [0.2, 0.7], ("aucroc",))


def test_register_user_metric(registered: list[str]) -> None:
    def weighted_tpr(y: Any, s: Any, sample_weight: Any = None) -> float:
        w = np.ones(len(y)) if sample_weight is None else sample_weight
        pos = y == 1
        return float(np.sum(w[pos] * (s[pos] >= 0.5)) / np.sum(w[pos]))

    spec = metrics.register_metric("my_tpr", weighted_tpr, higher_is_better=True)
    registered.append("my_tpr")
    assert spec.name == "my_tpr"
    assert "my_tpr" in metrics.metric_names()
    assert metrics.get_metric("my_tpr") is spec
    rng = np.random.default_rng(8)
    y, p = _probs(rng, 500, False)
    est = metrics.evaluate(y, p, ("my_tpr", "recall"), n_boot=300, seed=1)
    assert est["my_tpr"].value == pytest.approx(est["recall"].value)
    assert est["my_tpr"].method == "stratified-bootstrap"
    assert est["my_tpr"].details["n_pos"] == int(y.sum())
    lo, hi = est["my_tpr"].ci or (math.nan, math.nan)
    wlo, whi = est["recall"].ci or (math.nan, math.nan)
    assert lo == pytest.approx(wlo, abs=0.03)
    assert hi == pytest.approx(whi, abs=0.03)
    again = metrics.evaluate(y, p, ("my_tpr",), n_boot=300, seed=1)["my_tpr"]
    assert again == est["my_tpr"]
    b = np.clip(p + rng.normal(size=500) * 0.2, 0, 1)
    diff = metrics.compare(y, p, b, "my_tpr", n_boot=200)
    assert diff.method == "paired-stratified-bootstrap"
    assert diff.value == pytest.approx(weighted_tpr(y, p) - weighted_tpr(y, b))
    with pytest.raises(MeasurementError, match="already registered"):
        metrics.register_metric("my_tpr", weighted_tpr)
    metrics.register_metric("my_tpr", weighted_tpr, replace=True)


def test_user_metric_on_regression_and_labels(registered: list[str]) -> None:
    def med_ae(y: Any, s: Any, sample_weight: Any = None) -> float:
        w = np.ones(len(y)) if sample_weight is None else sample_weight
        return float(np.average(np.abs(y - s), weights=w))

    def n_pred_pos(y: Any, s: Any, sample_weight: Any = None) -> float:
        assert set(np.unique(s)) <= {0.0, 1.0}
        return float(np.mean(s))

    metrics.register_metric("wmae", med_ae, higher_is_better=False)
    metrics.register_metric("pos_rate", n_pred_pos, needs="label")
    registered.extend(["wmae", "pos_rate"])
    rng = np.random.default_rng(9)
    y, p = _regression(rng, 200, False)
    est = metrics.evaluate(y, p, ("wmae", "mae"), n_boot=100)
    assert est["wmae"].method == "bootstrap"
    assert est["wmae"].value == pytest.approx(est["mae"].value)
    yb, pb = _probs(rng, 200, False)
    assert metrics.evaluate(yb, pb, ("pos_rate",), n_boot=50)["pos_rate"].value == pytest.approx(
        float(np.mean(pb >= 0.5))
    )


def test_cannot_shadow_builtins() -> None:
    with pytest.raises(MeasurementError, match="roc_auc"):
        metrics.register_metric("roc_auc", lambda y, s, sample_weight=None: 0.0)
    with pytest.raises(MeasurementError, match=r"recall_at_fpr_0\.1"):
        metrics.register_metric("recall_at_fpr_0.1", lambda y, s, sample_weight=None: 0.0)
    with pytest.raises(MeasurementError, match="needs"):
        metrics.register_metric("x_bad_needs", lambda y, s, sample_weight=None: 0.0, needs="x")  # type: ignore[arg-type]


def test_user_metric_that_raises_or_returns_nan(registered: list[str]) -> None:
    def boom(y: Any, s: Any, sample_weight: Any = None) -> float:
        raise ZeroDivisionError("oops")

    def nan(y: Any, s: Any, sample_weight: Any = None) -> float:
        return math.nan

    calls = {"n": 0}

    def nan_later(y: Any, s: Any, sample_weight: Any = None) -> float:
        calls["n"] += 1
        return 0.5 if calls["n"] < 5 else math.nan

    metrics.register_metric("boom", boom)
    metrics.register_metric("nanny", nan)
    metrics.register_metric("nan_later", nan_later)
    registered.extend(["boom", "nanny", "nan_later"])
    y, s = [0, 1, 0, 1], [0.1, 0.8, 0.3, 0.6]
    with pytest.raises(MeasurementError, match=r"boom: user metric raised ZeroDivisionError"):
        metrics.evaluate(y, s, ("boom",))
    with pytest.raises(MeasurementError, match=r"nanny: user metric returned nan"):
        metrics.evaluate(y, s, ("nanny",))
    with pytest.raises(MeasurementError, match=r"nan_later: .*bootstrap resample"):
        metrics.evaluate(y, s, ("nan_later",))


# --------------------------------------------------------------------------------------------
# input validation


BAD_INPUTS: list[tuple[str, Any, Any, str]] = [
    ("roc_auc", [], [], "y_true is empty"),
    ("accuracy", [0, 1, 1], [0.2, 0.4], "same number of rows"),
    ("mae", [0.0, 1.0, np.nan], [0.1, 0.2, 0.3], "y_true contains 1 NaN"),
    ("f1", [0, 1, 1], [0.1, np.inf, 0.3], "y_score contains 1 NaN or infinite"),
    ("roc_auc", [1, 1, 1], [0.1, 0.2, 0.3], "only one class"),
    ("average_precision", [0, 0, 0], [0.1, 0.2, 0.3], "only one class"),
    ("recall_at_fpr_0.1", [0, 0, 0], [0.1, 0.2, 0.3], "only one class"),
    ("accuracy", [0, 1, 2], [0.1, 0.2, 0.3], "only 0 and 1"),
    ("roc_auc", [0.5, 1, 0], [0.1, 0.2, 0.3], "only 0 and 1"),
    ("log_loss", [0, 1, 1], [0.1, 1.2, 0.3], r"probabilities in \[0, 1\]"),
    ("brier", [0, 1, 1], [-0.1, 0.2, 0.3], r"probabilities in \[0, 1\]"),
    ("r2", [1.0, 1.0, 1.0], [0.5, 1.0, 1.5], "y_true is constant"),
    ("precision", [0, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], "no row is predicted positive"),
    ("recall", [0, 0, 0, 0], [0.1, 0.7, 0.3, 0.4], "no positive row"),
    ("roc_auc", [[0, 1], [1, 0]], [0.1, 0.2], "one-dimensional"),
    ("roc_auc", ["a", "b"], [0.1, 0.2], "numeric"),
]


@pytest.mark.parametrize(("metric", "y", "s", "match"), BAD_INPUTS)
def test_bad_input_is_a_measurement_error(metric: str, y: Any, s: Any, match: str) -> None:
    with pytest.raises(MeasurementError, match=match) as info:
        metrics.evaluate(y, s, (metric,), n_boot=20)
    assert str(info.value).startswith(f"{metric}: ")
    assert info.value.field == metric


def test_bad_levels_and_options() -> None:
    y, s = [0, 1, 0, 1], [0.1, 0.8, 0.3, 0.6]
    with pytest.raises(MeasurementError, match=r"roc_auc.*between 0 and 1"):
        metrics.evaluate(y, s, ("roc_auc",), level=1.0)
    with pytest.raises(MeasurementError, match=r"accuracy.*threshold"):
        metrics.evaluate(y, s, ("accuracy",), threshold=math.nan)
    with pytest.raises(MeasurementError, match=r"f1.*n_boot"):
        metrics.evaluate(y, s, ("f1",), n_boot=1)


def test_compare_validates_both_scores() -> None:
    with pytest.raises(MeasurementError, match=r"log_loss: score_b must hold probabilities"):
        metrics.compare([0, 1, 1], [0.1, 0.9, 0.5], [0.1, 1.5, 0.3], "log_loss")
    with pytest.raises(MeasurementError, match=r"roc_auc: score_a contains"):
        metrics.compare([0, 1, 1], [0.1, np.nan, 0.5], [0.1, 0.5, 0.3], "roc_auc")


# --------------------------------------------------------------------------------------------
# properties


@st.composite
def binary_data(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(8, 150))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < draw(st.floats(0.2, 0.8))).astype(float)
    y[:2], y[2:4] = 1.0, 0.0
    p = 1.0 / (1.0 + np.exp(-(rng.normal(size=n) + draw(st.floats(0, 3)) * y - 0.5)))
    if draw(st.booleans()):
        p = np.round(p, 1)
    p[0], p[2] = 0.9, 0.1  # one predicted positive and one predicted negative at 0.5
    return y, p


PROPERTY_METRICS = ("roc_auc", "average_precision", "accuracy", "recall", "f1", "log_loss")


@given(data=binary_data(), l1=st.floats(0.5, 0.99), l2=st.floats(0.5, 0.99))
@settings(max_examples=40, deadline=None)
def test_interval_properties(data: tuple[np.ndarray, np.ndarray], l1: float, l2: float) -> None:
    y, p = data
    low, high = sorted((round(l1, 3), round(l2, 3)))
    res = metrics.evaluate(y, p, PROPERTY_METRICS, level=low, levels=(high,), n_boot=60, seed=3)
    again = metrics.evaluate(y, p, PROPERTY_METRICS, level=low, levels=(high,), n_boot=60, seed=3)
    assert res == again
    for name, est in res.items():
        assert isinstance(est, Estimate)
        assert math.isfinite(est.value), name
        if est.details.get("refused"):  # too few rows for an honest interval: none at all
            assert not est.intervals, name
            assert est.details["min_info"], name
            continue
        lo_in, hi_in = est.interval(low) or (math.nan, math.nan)
        lo_out, hi_out = est.interval(high) or (math.nan, math.nan)
        assert lo_out <= lo_in <= est.value <= hi_in <= hi_out, name


@given(data=binary_data())
@settings(max_examples=25, deadline=None)
def test_compare_properties(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, a = data
    b = np.clip(a[::-1].copy(), 0.0, 1.0)
    b[0], b[2] = 0.8, 0.2
    for name in ("roc_auc", "accuracy", "f1", "brier"):
        d = metrics.compare(y, a, b, name, levels=(0.8,), n_boot=60)
        if d.details.get("refused"):
            assert not d.intervals, name
            continue
        lo80, hi80 = d.interval(0.8) or (math.nan, math.nan)
        lo95, hi95 = d.ci or (math.nan, math.nan)
        assert lo95 <= lo80 <= d.value <= hi80 <= hi95, name


def test_log_loss_clips_with_the_input_dtype() -> None:
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    p64 = np.array([0.0, 1.0, 1.0, 0.0, 0.3, 0.6])
    p32 = p64.astype(np.float32)
    v64 = metrics.evaluate(y, p64, ("log_loss",))["log_loss"].value
    v32 = metrics.evaluate(y, p32, ("log_loss",))["log_loss"].value
    assert math.isfinite(v64)
    assert v64 == pytest.approx(skm.log_loss(y, p64), abs=1e-12)
    assert v32 == pytest.approx(skm.log_loss(y, p32), rel=1e-6)
    assert v32 < v64  # float32's larger eps caps the loss of a confident mistake lower


def test_recall_at_fpr_zero_budget_unreachable() -> None:
    y = np.array([0, 1, 0, 1, 0, 1], dtype=float)
    s = np.array([0.9, 0.8, 0.1, 0.7, 0.2, 0.3])  # the top score is a negative
    est = metrics.evaluate(y, s, ("recall_at_fpr_0",), n_boot=50)["recall_at_fpr_0"]
    assert est.value == 0.0
    assert est.details["threshold"] is None
    import json

    json.dumps(est.to_json(), allow_nan=False)
