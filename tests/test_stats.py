"""Tests of the interval fast paths in pytest_archgate.measure.stats.

Exactness against brute force (DeLong placements and covariance, the sort-once bootstrap curve
against scikit-learn with sample weights), interval properties, and small coverage simulations.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure import stats

sk_metrics = pytest.importorskip("sklearn.metrics")
scipy_stats = pytest.importorskip("scipy.stats")


def _binary_data(
    rng: np.random.Generator, n: int, ties: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    y = rng.random(n) < 0.4
    y[:2] = True
    y[2:4] = False
    s = rng.normal(size=n) + 0.8 * y
    if ties:
        s = np.round(s, 1)
    return y, s


# --------------------------------------------------------------------------------------------
# DeLong


def _brute_placements(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, z = s[y], s[~y]
    psi = (x[:, None] > z[None, :]) + 0.5 * (x[:, None] == z[None, :])
    return psi.mean(axis=1), psi.mean(axis=0)


def _brute_delong_cov(y: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    v10a, v01a = _brute_placements(y, a)
    v10b, v01b = _brute_placements(y, b)
    m, n = len(v10a), len(v01a)
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    return s10 / m + s01 / n


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_midranks_match_scipy(ties: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=300)
    if ties:
        x = np.round(x, 1)
    np.testing.assert_array_equal(stats.midranks(x), scipy_stats.rankdata(x))


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_delong_matches_brute_force(ties: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y, a = _binary_data(rng, 120, ties)
    b = np.round(a + rng.normal(size=120), 1 if ties else 6)
    pa = stats.delong_placements(y, a)
    pb = stats.delong_placements(y, b)
    v10, v01 = _brute_placements(y, a)
    np.testing.assert_allclose(pa.v10, v10, atol=1e-12)
    np.testing.assert_allclose(pa.v01, v01, atol=1e-12)
    assert pa.auc == pytest.approx(sk_metrics.roc_auc_score(y, a), abs=1e-12)
    cov = _brute_delong_cov(y, a, b)
    assert pa.variance == pytest.approx(cov[0, 0], rel=1e-10)
    assert pb.variance == pytest.approx(cov[1, 1], rel=1e-10)
    assert stats.delong_covariance(pa, pb) == pytest.approx(cov[0, 1], rel=1e-10)
    est = stats.roc_auc_diff_ci(y, a, b, (0.95,))
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    assert est.details["se"] == pytest.approx(math.sqrt(var), rel=1e-10)
    assert est.value == pytest.approx(pa.auc - pb.auc, abs=1e-15)
    assert est.method == "paired-mover-score-logit-delong"


# pROC's aSAH data (113 patients: the 41 with a poor outcome, then the 72 with a good one,
# each group in pROC's order), as rank-equivalent integer scores rebuilt from the DeLong
# placements pROC publishes in
# tests/testthat/helper-deLongPlacementsCpp-expected.R (Robin et al. 2011, BMC Bioinformatics
# 12:77); every placement of every patient is reproduced, so AUC, DeLong variance and the
# paired covariance are those of the original markers.
ASAH_POOR = 41
ASAH: dict[str, str] = {
    "ndka": """
        109 69 77 99 5 29 49 133 153 133 133 41 89 113 17 21 81 1 161 113 45 49 65 81 129 74
        113 21 157 98 5 38 113 5 33 133 61 89 149 49 99 0 28 20 48 16 98 16 112 80 112 108
        152 32 16 68 16 16 160 72 40 40 112 4 20 16 38 76 20 96 148 20 16 68 32 20 76 132 128
        44 64 156 16 108 40 48 48 96 4 108 68 32 48 112 48 64 20 40 48 132 28 68 74 148 60 68
        32 132 44 88 128 16 80
    """,
    "wfns": """
        58 32 76 128 128 128 128 32 128 32 4 32 128 76 76 32 128 128 128 32 128 32 128 32 76
        128 76 76 4 76 76 32 32 128 128 32 32 128 128 128 128 4 4 4 4 128 4 32 32 4 32 32 4 4
        4 32 4 32 4 4 58 76 4 76 4 128 128 4 4 32 76 4 4 32 32 4 32 4 32 32 4 4 4 4 32 4 32 4
        4 58 32 76 32 4 76 4 4 128 76 32 32 4 4 4 58 4 32 32 76 76 4 4 4
    """,
    "s100b": """
        48 32 58 39 101 117 111 10 90 24 10 97 93 110 117 69 117 117 117 10 117 81 3 24 61
        117 69 117 18 69 48 32 38 61 117 54 117 86 117 117 101 48 54 32 4 108 60 32 32 4 18 4
        24 38 10 60 10 38 48 60 4 58 54 92 24 116 108 58 10 100 108 38 18 24 18 4 48 32 54 56
        4 4 24 4 24 18 58 24 18 90 38 80 10 32 86 10 4 68 96 32 56 18 54 32 10 4 60 56 108 60
        56 116 110
    """,
}


def _asah(marker: str) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(ASAH[marker].split(), dtype=np.float64)
    y = np.arange(scores.shape[0]) < ASAH_POOR
    return y, scores


def test_delong_matches_proc_ci_auc_on_asah() -> None:
    """pROC's test-ci.auc.R: ci.auc(aSAH$outcome, aSAH$ndka), DeLong, 95%."""
    y, s = _asah("ndka")
    est = stats.roc_auc_ci(y, s, (0.95,))
    assert est.value == pytest.approx(0.611957994579946, abs=1e-14)
    # the interval is no longer DeLong-Wald (see roc_auc_ci); its DeLong ingredient is pinned:
    # value -/+ z * se is exactly pROC's interval
    z = NormalDist().inv_cdf(0.975)
    assert est.value - z * est.details["se"] == pytest.approx(0.501244999271703, abs=1e-14)
    assert est.value + z * est.details["se"] == pytest.approx(0.722670989888189, abs=1e-14)
    lo, hi = est.intervals[0.95]
    assert lo < est.value < hi
    # the other markers' AUCs (helper-deLongPlacementsCpp-expected.R, theta)
    assert stats.roc_auc_ci(*_asah("wfns")).value == pytest.approx(0.823678861788618, abs=1e-14)
    assert stats.roc_auc_ci(*_asah("s100b")).value == pytest.approx(0.731368563685637, abs=1e-14)


@pytest.mark.parametrize(
    ("a", "b", "z", "ci"),
    [
        # pROC's test-roc.test.R: roc.test(r.a, r.b), paired DeLong, two-sided 95% interval
        ("wfns", "s100b", 2.20898359144091, (0.0104061769564846, 0.174214419249478)),
        ("wfns", "ndka", 2.79777591868904, (0.0634011709339876, 0.3600405634833566)),
        ("ndka", "s100b", -1.39077002573558, (-0.2876917446341914, 0.0488706064228094)),
    ],
)
def test_paired_delong_matches_proc_roc_test_on_asah(
    a: str, b: str, z: float, ci: tuple[float, float]
) -> None:
    y, sa = _asah(a)
    _, sb = _asah(b)
    est = stats.roc_auc_diff_ci(y, sa, sb, (0.95,))
    assert est.value / est.details["se"] == pytest.approx(z, abs=1e-12)
    # the interval is MOVER now (see roc_auc_diff_ci); paired DeLong's Wald interval from the
    # same se is exactly pROC's
    q = NormalDist().inv_cdf(0.975)
    assert est.value - q * est.details["se"] == pytest.approx(ci[0], abs=1e-14)
    assert est.value + q * est.details["se"] == pytest.approx(ci[1], abs=1e-14)
    lo, hi = est.intervals[0.95]
    assert lo < est.value < hi


def test_auc_interval_is_union_of_score_and_logit_delong() -> None:
    rng = np.random.default_rng(5)
    y, s = _binary_data(rng, 500)
    est = stats.roc_auc_ci(y, s, (0.9, 0.95))
    se = math.sqrt(stats.delong_placements(y, s).variance)
    z = NormalDist().inv_cdf(0.975)
    a = est.value
    logit = math.log(a / (1 - a))
    half = z * se / (a * (1 - a))
    lg = (1 / (1 + math.exp(-(logit - half))), 1 / (1 + math.exp(-(logit + half))))
    sc = stats.auc_score_interval(a, int(y.sum()), int((~y).sum()), 0.95)
    lo, hi = est.intervals[0.95]
    assert lo == pytest.approx(min(lg[0], sc[0]))
    assert hi == pytest.approx(max(lg[1], sc[1]))
    assert est.method == "score-logit-delong"
    assert est.n == 500
    assert est.details["n_pos"] + est.details["n_neg"] == 500


def test_auc_perfect_separation_has_a_lower_bound_below_one() -> None:
    y = np.r_[np.zeros(10, dtype=bool), np.ones(10, dtype=bool)]
    s = np.arange(20.0)
    est = stats.roc_auc_ci(y, s)
    assert est.value == 1.0
    lo, hi = est.intervals[0.95]
    assert hi == 1.0
    assert 0.7 < lo < 0.99
    # 3 vs 3, the case that used to give (1, 1): too few to judge, so no interval at all
    small = stats.roc_auc_ci(np.array([0, 0, 0, 1, 1, 1], dtype=bool), np.arange(6.0))
    assert small.intervals == {}
    assert small.details["refused"].startswith("3 positives: too few to judge roc_auc")
    assert stats.auc_score_interval(1.0, 3, 3, 0.95)[0] < 0.9


def test_auc_refuses_one_positive_and_needs_both_classes() -> None:
    y = np.array([1, 0, 0, 0], dtype=bool)
    est = stats.roc_auc_ci(y, np.arange(4.0))
    assert est.details["min_info"] == {"positives": 1, "negatives": 3}
    with pytest.raises(MeasurementError, match="roc_auc"):
        stats.roc_auc_ci(np.zeros(4, dtype=bool), np.arange(4.0))


# --------------------------------------------------------------------------------------------
# Wilson, Newcombe, confusion-table bootstraps


def test_wilson_known_values() -> None:
    lo, hi = stats.wilson_interval(0, 10, 0.95)
    z2 = NormalDist().inv_cdf(0.975) ** 2
    assert lo == 0.0
    assert hi == pytest.approx(z2 / (10 + z2))
    lo, hi = stats.wilson_interval(10, 10, 0.95)
    assert hi == 1.0
    assert lo == pytest.approx(10 / (10 + z2))
    # symmetric about 1/2 for k = n / 2
    lo, hi = stats.wilson_interval(50, 100, 0.95)
    assert lo + hi == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        # Newcombe, R. G. (1998). "Two-sided confidence intervals for the single proportion:
        # comparison of seven methods." Statistics in Medicine 17:857-872, Table I, method 3
        # (Wilson score interval without continuity correction), printed to 4 decimals
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0000, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
    ],
)
def test_wilson_matches_newcombe_1998_table_1(
    k: int, n: int, expected: tuple[float, float]
) -> None:
    lo, hi = stats.wilson_interval(k, n, 0.95)
    assert (round(lo, 4), round(hi, 4)) == expected


@given(
    k=st.integers(0, 500),
    extra=st.integers(0, 500),
    l1=st.floats(0.5, 0.99),
    l2=st.floats(0.5, 0.99),
)
@settings(max_examples=200, deadline=None)
def test_wilson_contains_estimate_and_nests(k: int, extra: int, l1: float, l2: float) -> None:
    n = k + extra
    if n == 0:
        return
    lo_l, hi_l = min(l1, l2), max(l1, l2)
    a = stats.wilson_interval(k, n, lo_l)
    b = stats.wilson_interval(k, n, hi_l)
    assert 0.0 <= b[0] <= a[0] <= k / n <= a[1] <= b[1] <= 1.0


@given(
    cells=st.lists(st.integers(0, 60), min_size=4, max_size=4).filter(lambda c: sum(c) > 0),
    l1=st.floats(0.5, 0.99),
    l2=st.floats(0.5, 0.99),
)
@settings(max_examples=300, deadline=None)
def test_newcombe_contains_estimate_and_nests(cells: list[int], l1: float, l2: float) -> None:
    both, only_a, only_b, neither = cells
    n = sum(cells)
    d = (only_a - only_b) / n
    lo_l, hi_l = min(l1, l2), max(l1, l2)
    a = stats.newcombe_paired_interval(both, only_a, only_b, neither, lo_l)
    b = stats.newcombe_paired_interval(both, only_a, only_b, neither, hi_l)
    assert -1.0 <= b[0] <= a[0] + 1e-12
    assert a[0] <= d + 1e-12
    assert d <= a[1] + 1e-12
    assert a[1] <= b[1] + 1e-12
    assert b[1] <= 1.0


def test_newcombe_close_to_wald_on_large_tables() -> None:
    both, only_a, only_b, neither = 6000, 900, 700, 2400
    n = both + only_a + only_b + neither
    d = (only_a - only_b) / n
    se = math.sqrt((only_a + only_b) / n - d * d) / math.sqrt(n)
    lo, hi = stats.newcombe_paired_interval(both, only_a, only_b, neither, 0.95)
    z = NormalDist().inv_cdf(0.975)
    assert lo == pytest.approx(d - z * se, abs=2e-4)
    assert hi == pytest.approx(d + z * se, abs=2e-4)


def test_newcombe_nonzero_width_without_discordant_rows() -> None:
    lo, hi = stats.newcombe_paired_interval(80, 0, 0, 20, 0.95)
    assert lo < 0.0 < hi


def test_f1_interval_is_the_exact_jaccard_interval_mapped() -> None:
    rng = np.random.default_rng(3)
    y, s = _binary_data(rng, 4000)
    pred = s >= 0.5
    est = stats.count_metric_ci("f1", y, pred, (0.95,))
    tp, fp, fn, _ = stats.confusion_counts(y, pred)
    jl, jh = stats.clopper_pearson_interval(tp, tp + fp + fn, 0.95)
    assert est.method == "clopper-pearson-jaccard"
    assert est.value == pytest.approx(sk_metrics.f1_score(y, pred), abs=1e-12)
    assert est.intervals[0.95] == pytest.approx((2 * jl / (1 + jl), 2 * jh / (1 + jh)))


@pytest.mark.parametrize("metric", ["precision", "recall", "f1"])
def test_paired_table_bootstrap_matches_point_difference(metric: stats.CountMetric) -> None:
    rng = np.random.default_rng(4)
    y, s = _binary_data(rng, 3000)
    b = s + rng.normal(size=3000) * 0.5
    est = stats.count_metric_diff_ci(metric, y, s >= 0.4, b >= 0.4, (0.9, 0.95), seed=2)
    fn = getattr(sk_metrics, f"{metric}_score")
    assert est.value == pytest.approx(fn(y, s >= 0.4) - fn(y, b >= 0.4), abs=1e-12)
    assert est.method == "paired-multinomial-bootstrap"
    lo95, hi95 = est.intervals[0.95]
    lo90, hi90 = est.intervals[0.9]
    assert lo95 <= lo90 <= est.value <= hi90 <= hi95
    assert sum(est.details["table"]) == 3000


def test_precision_undefined_is_an_error() -> None:
    y = np.array([0, 1, 1, 0], dtype=bool)
    with pytest.raises(MeasurementError, match=r"precision.*no row is predicted positive"):
        stats.count_metric_ci("precision", y, np.zeros(4, dtype=bool))


# --------------------------------------------------------------------------------------------
# sort-once weighted bootstrap


@pytest.mark.parametrize("ties", [False, True])
def test_rank_curve_counts_match_sklearn_with_weights(ties: bool) -> None:
    rng = np.random.default_rng(7)
    y, s = _binary_data(rng, 400, ties)
    curve = stats.RankCurve.build(y, s)
    counts = stats._resample_counts([rng, rng], [int(y.sum()), int((~y).sum())], 5)
    tps, fps = curve.counts(counts[0], counts[1])
    ap = stats.average_precision_from_counts(tps, fps)
    for i in range(5):
        w = np.empty(len(y))
        w[y] = counts[0][i]
        w[~y] = counts[1][i]
        expected = sk_metrics.average_precision_score(y, s, sample_weight=w)
        assert ap[i] == pytest.approx(expected, abs=1e-12)
        fpr, tpr, _ = sk_metrics.roc_curve(y, s, sample_weight=w, drop_intermediate=False)
        best = tpr[fpr <= 0.05].max()
        assert stats.recall_at_fpr_from_counts(tps, fps, 0.05)[i] == pytest.approx(best)


def test_resample_counts_are_multinomial() -> None:
    counts = stats._resample_counts(stats.stratum_generators(0, 2), [7, 13], 400)
    assert counts[0].shape == (400, 7)
    assert counts[1].shape == (400, 13)
    assert (counts[0].sum(axis=1) == 7).all()
    assert (counts[1].sum(axis=1) == 13).all()
    # each count is Binomial(size, 1/size): mean 1
    assert counts[1].mean() == pytest.approx(1.0, abs=0.05)


def test_bootstrap_chunks_do_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(8)
    y, s = _binary_data(rng, 300)
    one = stats.rank_metric_ci("average_precision", y, s, n_boot=200, seed=3)
    monkeypatch.setattr(stats, "CHUNK_ELEMENTS", 300 * 7)
    chunked = stats.rank_metric_ci("average_precision", y, s, n_boot=200, seed=3)
    assert chunked.intervals == one.intervals
    assert one.method == "stratified-bootstrap"
    assert one.details["n_boot"] == 200
    assert one.details["seed"] == 3


def test_weighted_bootstrap_generic_matches_rank_path() -> None:
    """The generic (fn-per-resample) path agrees with the sort-once path."""
    rng = np.random.default_rng(9)
    y, s = _binary_data(rng, 250)
    fast = stats.rank_metric_ci("average_precision", y, s, n_boot=150, seed=4)

    def ap(w: np.ndarray) -> float:
        return float(sk_metrics.average_precision_score(y, s, sample_weight=w))

    # the generic path stratifies rows in row order; the fast path in score order. Both are
    # exact multinomial resamples, so their intervals agree statistically, not bitwise.
    slow = stats.weighted_bootstrap_ci(ap, y.astype(float), fast.value, n_boot=150, seed=4)
    assert slow.method == "stratified-bootstrap"
    assert slow.intervals[0.95][0] == pytest.approx(fast.intervals[0.95][0], abs=0.04)
    assert slow.intervals[0.95][1] == pytest.approx(fast.intervals[0.95][1], abs=0.04)


# --------------------------------------------------------------------------------------------
# regression fast paths


def test_rmse_and_r2_delta_close_to_bootstrap() -> None:
    rng = np.random.default_rng(10)
    y = rng.normal(size=2000)
    p = y + rng.normal(size=2000) * 0.5
    reps_rmse, reps_r2 = [], []
    for _ in range(400):
        idx = rng.integers(0, 2000, 2000)
        reps_rmse.append(math.sqrt(np.mean((y[idx] - p[idx]) ** 2)))
        reps_r2.append(sk_metrics.r2_score(y[idx], p[idx]))
    e = stats.rmse_ci(y, p)
    assert e.method == "delta"
    assert e.details["se"] == pytest.approx(np.std(reps_rmse), rel=0.15)
    e = stats.r2_ci(y, p)
    assert e.details["se"] == pytest.approx(np.std(reps_r2), rel=0.15)


def test_paired_regression_differences() -> None:
    rng = np.random.default_rng(11)
    y = rng.normal(size=1500)
    a = y + rng.normal(size=1500) * 0.5
    b = y + rng.normal(size=1500) * 0.6
    e = stats.rmse_diff_ci(y, a, b)
    assert e.method == "paired-delta"
    assert e.value == pytest.approx(
        sk_metrics.root_mean_squared_error(y, a) - sk_metrics.root_mean_squared_error(y, b)
    )
    e = stats.r2_diff_ci(y, a, b)
    assert e.value == pytest.approx(sk_metrics.r2_score(y, a) - sk_metrics.r2_score(y, b))
    reps = []
    for _ in range(400):
        idx = rng.integers(0, 1500, 1500)
        reps.append(sk_metrics.r2_score(y[idx], a[idx]) - sk_metrics.r2_score(y[idx], b[idx]))
    assert e.details["se"] == pytest.approx(np.std(reps), rel=0.15)


# --------------------------------------------------------------------------------------------
# coverage simulations (200 data sets each, fixed seeds)

N_SIM = 200


def _covers(iv: tuple[float, float], truth: float) -> bool:
    return iv[0] <= truth <= iv[1]


def test_coverage_roc_auc_delong() -> None:
    rng = np.random.default_rng(100)
    d = 1.0
    truth = NormalDist().cdf(d / math.sqrt(2))
    hits = 0
    for _ in range(N_SIM):
        y = np.r_[np.ones(80, dtype=bool), np.zeros(120, dtype=bool)]
        s = rng.normal(size=200) + d * y
        hits += _covers(stats.roc_auc_ci(y, s).intervals[0.95], truth)
    assert 0.88 <= hits / N_SIM <= 0.99


def test_coverage_paired_delong_no_difference() -> None:
    rng = np.random.default_rng(101)
    hits = 0
    for _ in range(N_SIM):
        y = np.r_[np.ones(80, dtype=bool), np.zeros(120, dtype=bool)]
        shared = rng.normal(size=200)
        a = shared + rng.normal(size=200) + y
        b = shared + rng.normal(size=200) + y
        hits += _covers(stats.roc_auc_diff_ci(y, a, b).intervals[0.95], 0.0)
    assert 0.88 <= hits / N_SIM <= 0.99


def test_coverage_accuracy_wilson() -> None:
    rng = np.random.default_rng(102)
    hits = 0
    for _ in range(N_SIM):
        y = rng.random(150) < 0.5
        correct = rng.random(150) < 0.85
        pred = np.where(correct, y, ~y)
        hits += _covers(stats.count_metric_ci("accuracy", y, pred).intervals[0.95], 0.85)
    assert 0.88 <= hits / N_SIM <= 0.99


def test_coverage_mean_loss_clt() -> None:
    rng = np.random.default_rng(103)
    truth = 1.0  # mean of Exponential(1), a skewed per-row loss
    hits = 0
    for _ in range(N_SIM):
        hits += _covers(stats.mean_ci(rng.exponential(size=200)).intervals[0.95], truth)
    assert 0.88 <= hits / N_SIM <= 0.99


def test_coverage_f1_table_bootstrap() -> None:
    rng = np.random.default_rng(104)
    # P(y=1) = 0.3, recall 0.8, false-positive rate 0.1 -> tp .24, fp .07, fn .06
    truth = 2 * 0.24 / (2 * 0.24 + 0.07 + 0.06)
    hits = 0
    for _ in range(N_SIM):
        y = rng.random(300) < 0.3
        pred = np.where(y, rng.random(300) < 0.8, rng.random(300) < 0.1)
        est = stats.count_metric_ci("f1", y, pred, n_boot=300, seed=int(rng.integers(1 << 30)))
        hits += _covers(est.intervals[0.95], truth)
    assert 0.88 <= hits / N_SIM <= 0.99


# --------------------------------------------------------------------------------------------
# generic properties


def test_levels_are_validated() -> None:
    with pytest.raises(MeasurementError, match="between 0 and 1"):
        stats.normalise_levels([1.5], "roc_auc")
    with pytest.raises(MeasurementError, match="roc_auc"):
        stats.normalise_levels([0.0], "roc_auc")
    assert stats.normalise_levels([0.95, 0.9, 0.95]) == (0.9, 0.95)


def test_n_boot_is_validated() -> None:
    y = np.array([0, 1, 0, 1, 1], dtype=bool)
    with pytest.raises(MeasurementError, match="n_boot"):
        stats.count_metric_ci("f1", y, y, n_boot=0)


@given(
    seed=st.integers(0, 2**31),
    n=st.integers(6, 120),
    l1=st.floats(0.5, 0.99),
    l2=st.floats(0.5, 0.99),
)
@settings(max_examples=40, deadline=None)
def test_stratified_bootstrap_properties(seed: int, n: int, l1: float, l2: float) -> None:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.5
    y[0], y[1] = True, False
    s = np.round(rng.normal(size=n) + y, 1)
    levels = (min(l1, l2), max(l1, l2))
    e1 = stats.rank_metric_ci("average_precision", y, s, levels, n_boot=50, seed=seed)
    e2 = stats.rank_metric_ci("average_precision", y, s, levels, n_boot=50, seed=seed)
    assert e1 == e2
    lo_in, hi_in = e1.interval(levels[0]) or (math.nan, math.nan)
    lo_out, hi_out = e1.interval(levels[1]) or (math.nan, math.nan)
    assert 0.0 <= lo_out <= lo_in <= e1.value <= hi_in <= hi_out <= 1.0
