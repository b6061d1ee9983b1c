"""Confidence intervals for model-quality metrics, fast enough to run inside a test suite.

Why this module exists: an architecture gate compares a measured metric with a limit, and a
point value cannot tell a real regression from test-set noise. The textbook remedy, recomputing
the metric on 1,000 bootstrap resamples, costs 1,000 full metric evaluations: minutes per metric
on a million-row test set. Each function here uses the cheapest interval that is statistically
sound for its metric, in pure numpy:

* ROC AUC: DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988, *Biometrics* 44:837) with
  the O(n log n) midrank algorithm of Sun & Xu (2014, "Fast implementation of DeLong's algorithm
  for comparing the areas under correlated receiver operating characteristic curves", *IEEE
  Signal Processing Letters* 21:1389), used on the logit scale and joined with Newcombe's
  score-type interval (2006, *Stat. Med.* 25:559, method 5), which stays honest at rare events
  and AUC near 1; paired differences combine the two intervals by MOVER (Zou & Donner 2008).
* accuracy, precision, recall: exact Clopper-Pearson interval (1934, *Biometrika* 26:404);
  F1 through the Jaccard index, ``F1 = 2 J / (1 + J)``, exact too; paired accuracy differences:
  Newcombe's hybrid score interval (Newcombe 1998, *Stat. Med.* 17:2635, method 10).
* paired precision/recall/F1: bootstrap of the confusion table itself, i.e. multinomial draws of
  its 8 cells, which costs O(1) per resample instead of O(n).
* log loss and Brier: mean with Hall's (1992) skewness correction; other means of per-row
  losses (MAE): central-limit interval; RMSE and R^2: delta method.
* too little data for any honest interval (measured by simulation, see
  ``benchmarks/coverage_dev_regimes.py``): the estimate is *refused*: no intervals,
  ``details["refused"]`` says why and ``details["min_info"]`` what was counted.
* average precision: the union of the bootstrap below and the logit and binomial intervals of
  Boyd, Eng & Page (2013, ECML PKDD, LNCS 8190), refused below 5 positives.
* everything else (recall at a false-positive rate, user metrics, and average precision's
  bootstrap): a bootstrap that draws multinomial resample *counts* per class (stratified, so
  rare positives never vanish) and reweights rows instead of copying them; ranking metrics sort
  the scores once and evaluate all resamples of a chunk with cumulative sums (Efron & Tibshirani
  1993, *An Introduction to the Bootstrap*, ch. 13, percentile interval).

Inputs are expected to be validated 1-D arrays (see :mod:`~.metrics`); this module
raises :class:`~pytest_archgate.errors.MeasurementError` only where an interval is undefined.
Every interval contains its point estimate, intervals at a higher level contain those at a
lower level, and every random draw comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.distributions import beta_quantile, t_value, z_value
from pytest_archgate.measure.estimate import Estimate, level_key

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
Intervals = dict[float, tuple[float, float]]
BatchStatistic = Callable[[Sequence[IntArray]], FloatArray]

CountMetric = Literal["accuracy", "precision", "recall", "f1"]
RankMetric = Literal["average_precision", "recall_at_fpr"]

DEFAULT_N_BOOT = 1000
DEFAULT_SEED = 0
#: Upper bound on the elements of one resample-count matrix; bounds memory on large test sets.
CHUNK_ELEMENTS = 1 << 21

# --------------------------------------------------------------------------------------------
# shared helpers


def normalise_levels(levels: Sequence[float], name: str = "level") -> tuple[float, ...]:
    """Validated, de-duplicated, sorted two-sided levels (each strictly between 0 and 1)."""
    out: set[float] = set()
    for lv in levels:
        try:
            value = float(lv)
        except (TypeError, ValueError):
            raise MeasurementError(f"confidence level {lv!r} is not a number", field=name) from None
        if not (0.0 < value < 1.0):
            raise MeasurementError(
                f"confidence level must be strictly between 0 and 1, got {lv!r}", field=name
            )
        out.add(level_key(value))
    if not out:
        raise MeasurementError("no confidence level given", field=name)
    return tuple(sorted(out))


def _check_n_boot(n_boot: int, seed: int, name: str) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 2:
        raise MeasurementError(f"n_boot must be an integer >= 2, got {n_boot!r}", field=name)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise MeasurementError(f"seed must be an integer, got {seed!r}", field=name)


def _symmetric(value: float, se: float, levels: Sequence[float], lo: float, hi: float) -> Intervals:
    """``value +/- z * se`` at each level, clipped to ``[lo, hi]`` (always contains ``value``)."""
    out: Intervals = {}
    for lv in levels:
        half = z_value(lv) * se
        out[level_key(lv)] = (
            min(value, max(lo, value - half)),
            max(value, min(hi, value + half)),
        )
    return out


def percentile_intervals(
    replicates: FloatArray,
    value: float,
    levels: Sequence[float],
    lo: float = -math.inf,
    hi: float = math.inf,
) -> Intervals:
    """Percentile bootstrap intervals at each level.

    The interval is widened, if needed, to contain the point estimate: a percentile interval of a
    skewed statistic can, on small samples, miss the estimate it is about, which would make a
    gate report a value outside its own interval. The widening only ever makes a gate more
    cautious.
    """
    out: Intervals = {}
    for lv in levels:
        q = np.quantile(replicates, [0.5 - lv / 2.0, 0.5 + lv / 2.0])
        low = min(value, max(lo, float(q[0])))
        high = max(value, min(hi, float(q[1])))
        out[level_key(lv)] = (low, high)
    return out


def _estimate(
    value: float,
    method: str,
    n: int,
    levels: Sequence[float],
    intervals: Intervals,
    details: dict[str, Any],
    level: float | None = None,
) -> Estimate:
    report = level_key(level) if level is not None else level_key(0.95)
    if report not in intervals:
        report = max(intervals)
    return Estimate(
        value=float(value),
        method=method,
        n=int(n),
        level=report,
        intervals=dict(sorted(intervals.items())),
        details=details,
    )


def refused_estimate(
    value: float,
    method: str,
    n: int,
    reason: str,
    min_info: dict[str, int],
    details: dict[str, Any],
    level: float | None = None,
) -> Estimate:
    """An estimate that refuses an interval: no method is honest for data this small.

    ``intervals`` is empty, ``details["refused"]`` says why in one line and
    ``details["min_info"]`` holds what was counted, so a criterion with ``confidence`` is judged
    ``unmeasured`` with that reason instead of trusting a bound that would under-cover (see
    :meth:`pytest_archgate.adr.criteria.Criterion.judge`). The point value is still reported.
    """
    return Estimate(
        value=float(value),
        method=method,
        n=int(n),
        level=level_key(level) if level is not None else level_key(0.95),
        intervals={},
        details={**details, "refused": reason, "min_info": dict(min_info)},
    )


def too_few(count: int, what: str, metric: str, need: int) -> str:
    """The one-line reason of a refusal, e.g. ``"3 positives: too few to judge roc_auc ..."``."""
    return f"{count} {what}: too few to judge {metric} with a confidence bound (needs >= {need})"


# --------------------------------------------------------------------------------------------
# ROC AUC: DeLong via midranks (Sun & Xu 2014)


def _midranks_sorted(values: FloatArray) -> FloatArray:
    """Midranks (1-based, ties get the mean of their ranks) of an ascending-sorted array."""
    n = values.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.float64)
    change = np.empty(n, dtype=np.bool_)
    change[0] = True
    np.not_equal(values[1:], values[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], n)
    mids = (starts + ends + 1).astype(np.float64) / 2.0
    return np.repeat(mids, ends - starts)


def midranks(x: npt.ArrayLike) -> FloatArray:
    """Midranks of ``x`` in its original order (what ``scipy.stats.rankdata`` calls 'average')."""
    arr = np.asarray(x, dtype=np.float64)
    order = np.argsort(arr)
    out = np.empty(arr.shape[0], dtype=np.float64)
    out[order] = _midranks_sorted(arr[order])
    return out


@dataclass(frozen=True)
class Placements:
    """DeLong's structural components of one score on one labelled test set.

    ``v10[i]`` is, for the i-th positive (in row order), the share of negatives it outranks
    (ties count one half); ``v01[j]`` is, for the j-th negative, the share of positives that
    outrank it. Both average to the AUC.
    """

    auc: float
    v10: FloatArray
    v01: FloatArray

    @property
    def variance(self) -> float:
        """DeLong's variance of the AUC: ``S10 / m + S01 / n``."""
        m, n = self.v10.shape[0], self.v01.shape[0]
        return float(np.var(self.v10, ddof=1) / m + np.var(self.v01, ddof=1) / n)


def delong_placements(y_true: BoolArray, y_score: FloatArray) -> Placements:
    """AUC and DeLong placement values with one sort (Sun & Xu 2014, algorithm 2).

    With ``T_Z`` the midranks of all scores, ``T_X`` those of the positives among themselves and
    ``T_Y`` those of the negatives: ``V10 = (T_Z - T_X) / n`` and ``V01 = 1 - (T_Z - T_Y) / m``.
    The within-class midranks come from the same sorted order (a class's scores, read in the
    combined sorted order, are themselves sorted), so only one argsort is needed.
    """
    order = np.argsort(y_score)
    s = y_score[order]
    y = y_true[order]
    tz = _midranks_sorted(s)
    tz_x = tz[y]
    tz_y = tz[~y]
    tx = _midranks_sorted(s[y])
    ty = _midranks_sorted(s[~y])
    m, n = tz_x.shape[0], tz_y.shape[0]
    # midranks are multiples of 1/2 and their sum is exact in float64 below 2**52 rows
    auc = (float(tz_x.sum()) - m * (m + 1) / 2.0) / (float(m) * float(n))
    row_v = np.empty(y_score.shape[0], dtype=np.float64)
    row_v[order[y]] = (tz_x - tx) / n
    row_v[order[~y]] = 1.0 - (tz_y - ty) / m
    return Placements(auc=auc, v10=row_v[y_true], v01=row_v[~y_true])


def _class_counts(y_true: BoolArray, name: str, need: int = 2) -> tuple[int, int]:
    m = int(np.count_nonzero(y_true))
    n = int(y_true.shape[0] - m)
    if m < need or n < need:
        raise MeasurementError(
            f"needs at least {need} positive and {need} negative rows in y_true for an "
            f"interval, got {m} positive and {n} negative",
            field=name,
        )
    return m, n


#: Fewest rows of the rarer class for an AUC interval; below it the estimate is refused. Set
#: from simulation (benchmarks/coverage_dev_regimes.py): with this many, every one-sided 95%
#: bound of :func:`roc_auc_ci` covered >= 0.94 over the grid of prevalence, n, AUC and ties.
ROC_AUC_MIN_CLASS = 5
#: The same for the paired difference: MOVER covered >= 0.94 from 10 positives at one-sided
#: 95% (0.91 at 5), but its one-sided 99% bound needs 20 (0.979 at 10, 0.986 at 20), and the
#: standard levels go up to 99%.
ROC_AUC_DIFF_MIN_CLASS = 20

#: Grid on which the score-type interval's inequality is scanned before bisection.
_SCORE_GRID = np.linspace(0.0, 1.0, 2001)


def hanley_mcneil_variance(theta: FloatArray | float, m: int, n: int) -> FloatArray:
    """Variance of the Mann-Whitney AUC at true value ``theta``, Newcombe's method 5 form.

    Hanley & McNeil (1982, *Radiology* 143:29) approximate ``Q1 = theta / (2 - theta)`` and
    ``Q2 = 2 theta^2 / (1 + theta)`` (an exponential model), which gives ``theta (1 - theta)
    / (m n) * [1 + (m - 1)(1 - theta) / (2 - theta) + (n - 1) theta / (1 + theta)]``;
    Newcombe (2006, *Stat. Med.* 25:559, method 5) replaces both ``m - 1`` and ``n - 1`` by
    ``N* - 1`` with ``N* = (m + n) / 2``, which he found to give the best coverage. Being a
    function of ``theta`` alone, it can be inverted as a score interval: at ``theta = 1`` it is
    0, but the interval of an observed AUC of 1 still reaches below 1.
    """
    th = np.asarray(theta, dtype=np.float64)
    nstar = (m + n) / 2.0
    bracket = 1.0 + (nstar - 1.0) * ((1.0 - th) / (2.0 - th) + th / (1.0 + th))
    return np.asarray(th * (1.0 - th) / (float(m) * float(n)) * bracket, dtype=np.float64)


def auc_score_interval(auc: float, m: int, n: int, level: float) -> tuple[float, float]:
    """Newcombe's (2006) method 5: ``{theta : (auc - theta)^2 <= z^2 V(theta)}``.

    ``V`` is :func:`hanley_mcneil_variance`. The set is scanned on a grid of 2,001 points
    plus ``auc`` itself and its outermost ends refined by 40 bisections (a superset when the
    set is not one piece, never a subset); it always contains ``auc``.
    """
    z = z_value(level)

    def inside(th: float) -> bool:
        return (auc - th) ** 2 <= z * z * float(hanley_mcneil_variance(th, m, n))

    pts = np.union1d(_SCORE_GRID, [auc])
    ok = (auc - pts) ** 2 <= z * z * hanley_mcneil_variance(pts, m, n)
    ok[np.searchsorted(pts, auc)] = True
    idx = np.flatnonzero(ok)
    ends: list[float] = []
    for i, outward in ((int(idx[0]), -1), (int(idx[-1]), 1)):
        good = float(pts[i])
        if not 0 <= i + outward < pts.shape[0]:
            ends.append(good)
            continue
        bad = float(pts[i + outward])
        for _ in range(40):
            mid = (good + bad) / 2.0
            good, bad = (mid, bad) if inside(mid) else (good, mid)
        ends.append(good)
    return min(auc, ends[0]), max(auc, ends[1])


def _logit_delong(auc: float, se: float, level: float) -> tuple[float, float] | None:
    """DeLong's variance carried to the logit scale (delta method); None at AUC 0 or 1."""
    if not 0.0 < auc < 1.0 or se <= 0.0:
        return None
    centre = math.log(auc / (1.0 - auc))
    half = z_value(level) * se / (auc * (1.0 - auc))
    return 1.0 / (1.0 + math.exp(-(centre - half))), 1.0 / (1.0 + math.exp(-(centre + half)))


def _auc_interval(auc: float, se: float, m: int, n: int, level: float) -> tuple[float, float]:
    """Union of the score interval (Newcombe 2006, method 5) and the logit-DeLong interval."""
    lo, hi = auc_score_interval(auc, m, n, level)
    logit = _logit_delong(auc, se, level)
    if logit is not None:
        lo, hi = min(lo, logit[0]), max(hi, logit[1])
    return max(0.0, min(auc, lo)), min(1.0, max(auc, hi))


def roc_auc_ci(
    y_true: BoolArray,
    y_score: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    name: str = "roc_auc",
    level: float | None = None,
) -> Estimate:
    """ROC AUC with an interval that stays honest at rare events, small n and AUC near 1.

    The interval is the union of two: Newcombe's score-type interval (2006, "Confidence
    intervals for an effect size measure based on the Mann-Whitney statistic. Part 2",
    *Stat. Med.* 25:559-573, method 5; :func:`auc_score_interval`) and DeLong's variance
    (DeLong, DeLong & Clarke-Pearson 1988) on the logit scale. The plain Wald interval on the
    AUC scale, which pROC reports, covered only 0.76 (one-sided lower bound at 95%) at 5
    positives and at AUC 0.99 with 50 positives, and collapses to (1, 1) on a separated sample.
    The score interval alone covers the lower bound in every simulated regime but its upper
    bound fell to 0.93 at 5 positives; the logit-DeLong interval fixes that side. Below
    :data:`ROC_AUC_MIN_CLASS` rows of the rarer class the interval is refused.
    """
    levels = normalise_levels(levels, name)
    m, n = _class_counts(y_true, name, need=1)
    pl = delong_placements(y_true, y_score)
    details: dict[str, Any] = {"n_pos": m, "n_neg": n}
    if min(m, n) < ROC_AUC_MIN_CLASS:
        what = "positives" if m <= n else "negatives"
        reason = too_few(min(m, n), what, name, ROC_AUC_MIN_CLASS)
        info = {"positives": m, "negatives": n}
        return refused_estimate(pl.auc, "score-logit-delong", m + n, reason, info, details, level)
    se = math.sqrt(max(pl.variance, 0.0))
    intervals = {level_key(lv): _auc_interval(pl.auc, se, m, n, lv) for lv in levels}
    details.update({"se": se, "interval": "union of score (Newcombe 2006 m5) and logit-DeLong"})
    return _estimate(pl.auc, "score-logit-delong", m + n, levels, intervals, details, level)


def delong_covariance(pa: Placements, pb: Placements) -> float:
    """DeLong covariance of two AUCs computed on the same rows."""
    m, n = int(pa.v10.shape[0]), int(pa.v01.shape[0])
    c10 = float(np.cov(pa.v10, pb.v10, ddof=1)[0, 1])
    c01 = float(np.cov(pa.v01, pb.v01, ddof=1)[0, 1])
    return c10 / m + c01 / n


def roc_auc_diff_ci(
    y_true: BoolArray,
    score_a: FloatArray,
    score_b: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    name: str = "roc_auc",
    level: float | None = None,
) -> Estimate:
    """AUC(a) - AUC(b) on the same rows: each AUC's interval combined by MOVER.

    The method of variance estimates recovery (Zou & Donner 2008, "Construction of confidence
    limits about effect measures: a general approach", *Stat. Med.* 27:1693; the same
    square-and-add as Newcombe 1998's method 10 for paired proportions) carries the asymmetric
    single-AUC intervals of :func:`roc_auc_ci` into the difference, with ``r`` the DeLong
    correlation of the two AUCs::

        low  = d - sqrt((A - l_A)^2 + (u_B - B)^2 - 2 r (A - l_A)(u_B - B))
        high = d + sqrt((u_A - A)^2 + (B - l_B)^2 - 2 r (u_A - A)(B - l_B))

    Paired DeLong's Wald interval (``var(A) + var(B) - 2 cov``) covered only 0.61-0.80 on the
    side facing an AUC near 1 (0.99 vs 0.97) even with 20 positives, because DeLong's variance
    vanishes there. Refused below :data:`ROC_AUC_DIFF_MIN_CLASS` rows of the rarer class.
    """
    levels = normalise_levels(levels, name)
    m, n = _class_counts(y_true, name, need=1)
    pa = delong_placements(y_true, score_a)
    pb = delong_placements(y_true, score_b)
    diff = pa.auc - pb.auc
    details: dict[str, Any] = {"n_pos": m, "n_neg": n, "value_a": pa.auc, "value_b": pb.auc}
    method = "paired-mover-score-logit-delong"
    if min(m, n) < ROC_AUC_DIFF_MIN_CLASS:
        what = "positives" if m <= n else "negatives"
        reason = too_few(min(m, n), what, name, ROC_AUC_DIFF_MIN_CLASS)
        info = {"positives": m, "negatives": n}
        return refused_estimate(diff, method, m + n, reason, info, details, level)
    va, vb = max(pa.variance, 0.0), max(pb.variance, 0.0)
    cov = delong_covariance(pa, pb)
    var = va + vb - 2.0 * cov
    # no correlation to recover when either AUC has no variance (0 widens the interval when
    # the true correlation is positive, the usual case for two models of the same rows)
    r = max(-1.0, min(1.0, cov / math.sqrt(va * vb))) if va > 0 and vb > 0 else 0.0
    se_a, se_b = math.sqrt(va), math.sqrt(vb)
    intervals: Intervals = {}
    for lv in levels:
        la, ua = _auc_interval(pa.auc, se_a, m, n, lv)
        lb, ub = _auc_interval(pb.auc, se_b, m, n, lv)
        da, db = pa.auc - la, ub - pb.auc
        low = diff - math.sqrt(max(da * da + db * db - 2.0 * r * da * db, 0.0))
        ea, eb = ua - pa.auc, pb.auc - lb
        high = diff + math.sqrt(max(ea * ea + eb * eb - 2.0 * r * ea * eb, 0.0))
        intervals[level_key(lv)] = (max(-1.0, min(diff, low)), min(1.0, max(diff, high)))
    details.update(
        {"se": math.sqrt(max(var, 0.0)), "r": r, "interval": "MOVER (Zou & Donner 2008)"}
    )
    return _estimate(diff, method, m + n, levels, intervals, details, level)


# --------------------------------------------------------------------------------------------
# count metrics: Wilson, Newcombe, confusion-table bootstrap


def wilson_interval(k: float, n: float, level: float) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes in ``n`` trials (contains ``k / n``)."""
    if n <= 0:
        raise ValueError("wilson_interval needs n > 0")
    z = z_value(level)
    p = k / n
    z2n = z * z / n
    denom = 1.0 + z2n
    centre = (p + z2n / 2.0) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n)) / denom
    return min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


def clopper_pearson_interval(k: int, n: int, level: float) -> tuple[float, float]:
    """Exact (Clopper & Pearson 1934, *Biometrika* 26:404) interval for ``k`` of ``n``.

    Each end is an exact one-sided bound at ``(1 + level) / 2``: its coverage is at least that
    for every true proportion and every ``n``. The Wilson interval is not: its one-sided bounds
    dip to about 0.84 where ``n p`` is below 1 (Brown, Cai & DasGupta 2001, *Statist. Sci.*
    16:101), which for precision and recall at rare events is the common case, not a corner.
    """
    if n <= 0:
        raise ValueError("clopper_pearson_interval needs n > 0")
    alpha = (1.0 - level) / 2.0
    lo = 0.0 if k == 0 else beta_quantile(alpha, k, n - k + 1)
    hi = 1.0 if k == n else beta_quantile(1.0 - alpha, k + 1, n - k)
    p = k / n
    return min(p, lo), max(p, hi)


def confusion_counts(y_true: BoolArray, y_pred: BoolArray) -> tuple[int, int, int, int]:
    """``(tp, fp, fn, tn)`` of boolean truth and predictions."""
    tp = int(np.count_nonzero(y_true & y_pred))
    pp = int(np.count_nonzero(y_pred))
    pos = int(np.count_nonzero(y_true))
    n = int(y_true.shape[0])
    return tp, pp - tp, pos - tp, n - pos - pp + tp


def _safe_ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    """``num / den`` with 0 where ``den == 0`` (scikit-learn's ``zero_division=0``)."""
    out = np.zeros(np.broadcast(num, den).shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _count_metric_from_cells(
    metric: CountMetric, tp: FloatArray, fp: FloatArray, fn: FloatArray, tn: FloatArray
) -> FloatArray:
    if metric == "accuracy":
        return _safe_ratio(tp + tn, tp + fp + fn + tn)
    if metric == "precision":
        return _safe_ratio(tp, tp + fp)
    if metric == "recall":
        return _safe_ratio(tp, tp + fn)
    return _safe_ratio(2.0 * tp, 2.0 * tp + fp + fn)


def count_metric_value(metric: CountMetric, tp: float, fp: float, fn: float, tn: float) -> float:
    """Point value of a count metric from the confusion table (scikit-learn's definitions)."""
    cells = [np.asarray(float(c)) for c in (tp, fp, fn, tn)]
    return float(_count_metric_from_cells(metric, *cells))


def _undefined_check(metric: CountMetric, tp: int, fp: int, fn: int, name: str) -> None:
    if metric == "precision" and tp + fp == 0:
        raise MeasurementError(
            "precision is undefined: no row is predicted positive at this threshold", field=name
        )
    if metric == "recall" and tp + fn == 0:
        raise MeasurementError("recall is undefined: y_true has no positive row", field=name)
    if metric == "f1" and tp + fp + fn == 0:
        raise MeasurementError(
            "f1 is undefined: no positive row in y_true and none predicted", field=name
        )


def count_metric_ci(
    metric: CountMetric,
    y_true: BoolArray,
    y_pred: BoolArray,
    levels: Sequence[float] = (0.95,),
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    name: str | None = None,
    level: float | None = None,
) -> Estimate:
    """Accuracy, precision, recall and F1 with exact (Clopper-Pearson) intervals.

    Precision and recall are binomial proportions conditional on their denominators
    (predicted positives, actual positives), accuracy on the row count, so each gets the
    Clopper-Pearson interval (:func:`clopper_pearson_interval`), whose one-sided bounds cover
    at every count. F1 is a monotone function of the Jaccard index ``J = tp / (tp + fp + fn)``:
    ``F1 = 2 J / (1 + J)`` (Hand, Christen & Kirielle 2021, "F*: an interpretable
    transformation of the F-measure", *Machine Learning* 110:451). Given the ``k = tp + fp +
    fn`` rows that are positive or predicted positive, ``tp`` is Binomial(k, J) when rows are
    drawn independently, so the exact interval of ``J`` mapped through ``2 J / (1 + J)`` is an
    exact interval of F1, conditionally on ``k`` and hence overall. The multinomial bootstrap
    it replaces covered 0.89 at about 5 positives and its BCa version 0.66-0.86 at 5-10; no
    count is too small for this one, so F1 is never refused. ``n_boot`` and ``seed`` are
    accepted for compatibility and unused.
    """
    label = name or metric
    levels = normalise_levels(levels, label)
    n = int(y_true.shape[0])
    tp, fp, fn, tn = confusion_counts(y_true, y_pred)
    _undefined_check(metric, tp, fp, fn, label)
    value = count_metric_value(metric, tp, fp, fn, tn)
    details: dict[str, Any] = {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
    if metric == "f1":
        _check_n_boot(n_boot, seed, label)
        trials = tp + fp + fn
        intervals: Intervals = {}
        for lv in levels:
            lo, hi = clopper_pearson_interval(tp, trials, lv)
            f_lo, f_hi = 2.0 * lo / (1.0 + lo), 2.0 * hi / (1.0 + hi)
            intervals[level_key(lv)] = (min(value, f_lo), max(value, f_hi))
        details.update({"trials": trials, "interval": "exact via Jaccard"})
        return _estimate(value, "clopper-pearson-jaccard", n, levels, intervals, details, level)
    k, trials = {
        "accuracy": (tp + tn, n),
        "precision": (tp, tp + fp),
        "recall": (tp, tp + fn),
    }[metric]
    intervals = {level_key(lv): clopper_pearson_interval(k, trials, lv) for lv in levels}
    details["trials"] = trials
    return _estimate(value, "clopper-pearson", n, levels, intervals, details, level)


def newcombe_phi(both: int, only_a: int, only_b: int, neither: int) -> float:
    """Newcombe's corrected correlation phi* of a paired 2x2 table (1998, method 10).

    With ``A = both * neither - only_a * only_b`` and the margins ``e, f, g, h``: ``phi* = 0``
    when a margin is zero; ``(A - n/2) / sqrt(efgh)`` when ``A > n/2``; ``0`` when
    ``0 <= A <= n/2``; ``A / sqrt(efgh)`` when ``A < 0``. The ``n/2`` shrinkage of a positive
    correlation is the continuity correction that separates method 10 from method 8: without
    it, a table with no discordant pair has ``phi = 1`` and the interval collapses, and near
    identical models get far too narrow an interval (the one-sided bound covered 64% at
    n = 100). A negative correlation is used as it is, as in the paper (widening, never
    narrowing, the interval).
    """
    n = both + only_a + only_b + neither
    margins = (both + only_a, only_b + neither, both + only_b, only_a + neither)
    if min(margins) == 0:
        return 0.0
    a = float(both) * neither - float(only_a) * only_b
    if a > n / 2.0:
        a -= n / 2.0
    elif a >= 0.0:
        a = 0.0
    return a / math.sqrt(math.prod(float(m) for m in margins))


def newcombe_paired_interval(
    both: int, only_a: int, only_b: int, neither: int, level: float
) -> tuple[float, float]:
    """Interval for ``p_a - p_b`` of two paired proportions: Newcombe's method 10.

    Newcombe, R. G. (1998). "Improved confidence intervals for the difference between binomial
    proportions based on paired data." *Statistics in Medicine* 17:2635-2650, method 10: the
    Wilson score limits ``(l1, u1)`` of ``p_a = (both + only_a) / n`` and ``(l2, u2)`` of
    ``p_b = (both + only_b) / n`` are combined by square-and-add with the corrected correlation
    phi* of :func:`newcombe_phi`::

        lower = d - sqrt((p_a - l1)^2 - 2 phi* (p_a - l1)(u2 - p_b) + (u2 - p_b)^2)
        upper = d + sqrt((p_b - l2)^2 - 2 phi* (p_b - l2)(u1 - p_a) + (u1 - p_a)^2)

    ``only_a`` / ``only_b`` are the discordant counts (the paper's b and c). The paper's
    examples are reproduced to its printed precision in ``tests/test_newcombe_paired.py``:
    (a, b, c, d) = (20, 12, 2, 16) gives (0.0562, 0.3292) and (1, 1, 7, 12) gives
    (-0.507, -0.026). With no discordant pair the interval is not degenerate: it contains 0
    with a width that shrinks as ``n`` grows.

    Coverage of the one-sided 95% upper bound at n = 100 (20,000 simulated tables each, cell
    probabilities (both, only_a, only_b, neither)): (0.50, 0.01, 0, 0.49), the near-identical
    models of issue 11, 1.000 (method 8, computed here before: 0.632); (0.50, 0.02, 0.01,
    0.47) 0.956 (0.859); (0.50, 0.02, 0.02, 0.46) 0.974 (0.938); (0.80, 0.02, 0.02, 0.16)
    0.975 (0.971); (0.70, 0.05, 0.03, 0.22) 0.950 (0.943); but (0.50, 0.03, 0.01, 0.46) 0.938
    (0.907): method 10 slightly undercovers, as measured here, when the discordant cells are unequal
    and small. ``tests/test_newcombe_paired.py`` re-checks four of these with 4,000 tables.
    """
    n = both + only_a + only_b + neither
    p1 = (both + only_a) / n
    p2 = (both + only_b) / n
    l1, u1 = wilson_interval(both + only_a, n, level)
    l2, u2 = wilson_interval(both + only_b, n, level)
    phi = newcombe_phi(both, only_a, only_b, neither)
    d = p1 - p2
    dl = (p1 - l1) ** 2 - 2.0 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    du = (p2 - l2) ** 2 - 2.0 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2
    return max(-1.0, d - math.sqrt(max(dl, 0.0))), min(1.0, d + math.sqrt(max(du, 0.0)))


def count_metric_diff_ci(
    metric: CountMetric,
    y_true: BoolArray,
    pred_a: BoolArray,
    pred_b: BoolArray,
    levels: Sequence[float] = (0.95,),
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    name: str | None = None,
    level: float | None = None,
) -> Estimate:
    """Paired difference metric(a) - metric(b) of two predictions on the same rows.

    Accuracy: Newcombe's interval on the 2x2 table of per-row correctness (McNemar's table).
    Precision, recall, F1: multinomial bootstrap of the 2x2x2 table of (truth, pred_a, pred_b),
    8 cells, O(1) per resample, percentile interval.
    """
    label = name or metric
    levels = normalise_levels(levels, label)
    cell = 4 * y_true.astype(np.int64) + 2 * pred_a.astype(np.int64) + pred_b.astype(np.int64)
    table = [int(c) for c in np.bincount(cell, minlength=8)]
    return count_metric_diff_from_table(
        metric, table, levels, n_boot=n_boot, seed=seed, label=label, level=level
    )


def count_metric_diff_from_table(
    metric: CountMetric,
    table: Sequence[int],
    levels: Sequence[float],
    *,
    n_boot: int,
    seed: int,
    label: str,
    level: float | None,
) -> Estimate:
    """:func:`count_metric_diff_ci` from the 2x2x2 table of (truth, pred_a, pred_b) counts,
    cell index ``4 * truth + 2 * pred_a + pred_b`` (also what shards merge, see partial.py);
    ``levels`` already normalised."""
    c = table
    n = sum(c)
    ca = (c[6] + c[7], c[2] + c[3], c[4] + c[5], c[0] + c[1])  # tp, fp, fn, tn of a
    cb = (c[5] + c[7], c[1] + c[3], c[4] + c[6], c[0] + c[2])
    _undefined_check(metric, ca[0], ca[1], ca[2], label)
    _undefined_check(metric, cb[0], cb[1], cb[2], label)
    va = count_metric_value(metric, *ca)
    vb = count_metric_value(metric, *cb)
    diff = va - vb
    if metric == "accuracy":
        # correct: truth 1 and predicted 1, or truth 0 and predicted 0
        both = c[7] + c[0]
        only_a = c[6] + c[1]
        only_b = c[5] + c[2]
        neither = n - both - only_a - only_b
        intervals: Intervals = {}
        for lv in levels:
            lo, hi = newcombe_paired_interval(both, only_a, only_b, neither, lv)
            intervals[level_key(lv)] = (min(lo, diff), max(hi, diff))
        details: dict[str, Any] = {
            "value_a": va,
            "value_b": vb,
            "both_correct": both,
            "only_a_correct": only_a,
            "only_b_correct": only_b,
            "neither_correct": neither,
        }
        return _estimate(diff, "paired-newcombe", n, levels, intervals, details, level)
    _check_n_boot(n_boot, seed, label)
    rng = np.random.default_rng(seed)
    counts = np.array(c, dtype=np.float64)
    draws = rng.multinomial(n, counts / n, size=n_boot).astype(np.float64)
    tp_a = draws[:, 6] + draws[:, 7]
    fp_a = draws[:, 2] + draws[:, 3]
    fn_a = draws[:, 4] + draws[:, 5]
    tp_b = draws[:, 5] + draws[:, 7]
    fp_b = draws[:, 1] + draws[:, 3]
    fn_b = draws[:, 4] + draws[:, 6]
    zero = np.zeros(n_boot)
    reps = _count_metric_from_cells(metric, tp_a, fp_a, fn_a, zero) - _count_metric_from_cells(
        metric, tp_b, fp_b, fn_b, zero
    )
    intervals = percentile_intervals(reps, diff, levels, -1.0, 1.0)
    details = {
        "value_a": va,
        "value_b": vb,
        "table": [int(x) for x in c],
        "n_boot": int(n_boot),
        "seed": int(seed),
        "interval": "percentile",
    }
    return _estimate(diff, "paired-multinomial-bootstrap", n, levels, intervals, details, level)


# --------------------------------------------------------------------------------------------
# means of per-row losses, RMSE, R^2


def log_loss_rows(
    y_true: BoolArray, p: npt.NDArray[np.floating[Any]], eps: float | None = None
) -> FloatArray:
    """Per-row binary log loss (natural log), clipped like scikit-learn's ``log_loss``.

    Probabilities of class 1 and of class 0 (``1 - p``) are clipped to ``[eps, 1 - eps]`` with
    ``eps`` the machine epsilon of the caller's probability dtype (default: ``p``'s), so exact
    0/1 predictions give a large finite loss rather than infinity.
    """
    eps = float(np.finfo(p.dtype).eps) if eps is None else eps
    q = np.clip(1 - p, eps, 1 - eps).astype(np.float64)
    pc = np.clip(p, eps, 1 - eps).astype(np.float64)
    return np.asarray(-np.where(y_true, np.log(pc), np.log(q)), dtype=np.float64)


def brier_rows(y_true: BoolArray, p: FloatArray) -> FloatArray:
    """Per-row squared error of the class-1 probability (scikit-learn's binary Brier score)."""
    return np.asarray((y_true.astype(np.float64) - p) ** 2, dtype=np.float64)


def abs_error_rows(y_true: FloatArray, y_pred: FloatArray) -> FloatArray:
    """Per-row absolute error."""
    return np.asarray(np.abs(y_true - y_pred), dtype=np.float64)


def _need_rows(n: int, name: str) -> None:
    if n < 2:
        raise MeasurementError(f"needs at least 2 rows for an interval, got {n}", field=name)


def mean_ci(
    values: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    name: str = "mean",
    lo: float = -math.inf,
    hi: float = math.inf,
    level: float | None = None,
) -> Estimate:
    """Mean of per-row values with a central-limit (normal, not t) interval.

    ``se = sd(values, ddof=1) / sqrt(n)``. The normal quantile is used because the gates run on
    test sets of hundreds of rows or more, where t and normal quantiles agree to <1%.
    """
    levels = normalise_levels(levels, name)
    n = int(values.shape[0])
    _need_rows(n, name)
    value = float(np.mean(values))
    se = float(np.std(values, ddof=1)) / math.sqrt(n)
    intervals = _symmetric(value, se, levels, lo, hi)
    return _estimate(value, "clt", n, levels, intervals, {"se": se, "dist": "normal"}, level)


#: Fewest rows of the rarer class, and fewest rows, for a log-loss or Brier interval; below
#: either it is refused. Set from simulation (benchmarks/coverage_dev_regimes.py): at 50 rows,
#: or 1-2 rows of the rarer class, a one-sided 95% bound covered only 0.925-0.938.
LOSS_MIN_CLASS = 5
LOSS_MIN_ROWS = 100


@dataclass(frozen=True)
class MeanMoments:
    """Mean, standard error and sample skewness of per-row values, computed once."""

    n: int
    mean: float
    se: float
    skewness: float

    @classmethod
    def of(cls, values: FloatArray) -> MeanMoments:
        n = int(values.shape[0])
        mean = float(np.mean(values))
        dev = values - mean
        m2 = float(np.mean(dev * dev))
        sd = math.sqrt(m2 * n / (n - 1)) if n > 1 else 0.0
        skew = float(np.mean(dev * dev * dev)) / math.sqrt(m2) ** 3 if m2 > 0 else 0.0
        return cls(n=n, mean=mean, se=sd / math.sqrt(n), skewness=skew)


def hall_mean_interval(values: FloatArray | MeanMoments, level: float) -> tuple[float, float]:
    """Interval for a mean corrected for skewness by Hall's (1992) transformation.

    Hall (1992, "On the removal of skewness by transformation", *J. R. Statist. Soc. B*
    54:221-228): with ``T = (mean - mu) / se`` and ``g = gamma / (3 sqrt(n))`` (``gamma`` the
    sample skewness), ``T + g T^2 + g^2 T^3 / 3 + g / 2`` is nearer normal than ``T``; the
    transformation is monotone, so inverting it at the Student-t quantiles ``+-t(n - 1)``
    (slightly wider than ``+-z`` on small samples) gives the limits. For the
    right-skewed per-row losses of rare events the upper limit moves up much more than the
    lower one, which is where the plain CLT interval under-covered (0.82 at 1% positives).
    """
    mom = values if isinstance(values, MeanMoments) else MeanMoments.of(values)
    if mom.se == 0.0:
        return mom.mean, mom.mean
    g = mom.skewness / (3.0 * math.sqrt(mom.n))
    z = t_value(level, mom.n - 1)

    def t_of(u: float) -> float:  # inverse of t + g t^2 + g^2 t^3 / 3 + g / 2
        if g == 0.0:
            return u
        return (float(np.cbrt(1.0 + 3.0 * g * (u - g / 2.0))) - 1.0) / g

    return mom.mean - mom.se * t_of(z), mom.mean - mom.se * t_of(-z)


def loss_mean_ci(
    values: FloatArray,
    y_true: BoolArray,
    levels: Sequence[float] = (0.95,),
    *,
    name: str = "mean",
    lo: float = -math.inf,
    hi: float = math.inf,
    level: float | None = None,
) -> Estimate:
    """Mean of per-row losses of a binary classifier (log loss, Brier), skew-corrected.

    The losses of the rare class are few and large, so their mean is strongly right-skewed and
    the CLT interval of :func:`mean_ci` under-covers on the upper side; this uses
    :func:`hall_mean_interval` and refuses below :data:`LOSS_MIN_ROWS` rows or
    :data:`LOSS_MIN_CLASS` rows of the rarer class, where it under-covered in simulation.
    """
    levels = normalise_levels(levels, name)
    n = int(values.shape[0])
    _need_rows(n, name)
    m = int(np.count_nonzero(y_true))
    value = float(np.mean(values))
    method = "hall-skew-corrected"
    details: dict[str, Any] = {"n_pos": m, "n_neg": n - m}
    info = {"rows": n, "positives": m, "negatives": n - m}
    if n < LOSS_MIN_ROWS:
        reason = too_few(n, "rows", name, LOSS_MIN_ROWS)
        return refused_estimate(value, method, n, reason, info, details, level)
    if min(m, n - m) < LOSS_MIN_CLASS:
        what = "positives" if m <= n - m else "negatives"
        reason = too_few(min(m, n - m), what, name, LOSS_MIN_CLASS)
        return refused_estimate(value, method, n, reason, info, details, level)
    mom = MeanMoments.of(values)
    se = mom.se
    intervals: Intervals = {}
    for lv in levels:
        # each limit is the more cautious of Hall's and the plain t interval: Hall's moves both
        # limits towards the long tail, and its limit on the short side covered only 0.93
        low, high = hall_mean_interval(mom, lv)
        half = t_value(lv, n - 1) * se
        low, high = min(low, value - half), max(high, value + half)
        intervals[level_key(lv)] = (min(value, max(lo, low)), max(value, min(hi, high)))
    details.update({"se": se, "interval": "Hall (1992) skewness-corrected, joined with t"})
    return _estimate(value, method, n, levels, intervals, details, level)


def mean_diff_ci(
    values_a: FloatArray,
    values_b: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    name: str = "mean",
    level: float | None = None,
) -> Estimate:
    """mean(a) - mean(b) of per-row values on the same rows: CLT on per-row differences."""
    levels = normalise_levels(levels, name)
    n = int(values_a.shape[0])
    _need_rows(n, name)
    va, vb = float(np.mean(values_a)), float(np.mean(values_b))
    diff = va - vb
    se = float(np.std(values_a - values_b, ddof=1)) / math.sqrt(n)
    intervals = _symmetric(diff, se, levels, -math.inf, math.inf)
    details: dict[str, Any] = {"se": se, "dist": "normal", "value_a": va, "value_b": vb}
    return _estimate(diff, "paired-clt", n, levels, intervals, details, level)


def rmse_value(y_true: FloatArray, y_pred: FloatArray) -> float:
    """Root mean squared error (``sklearn.metrics.root_mean_squared_error``)."""
    return math.sqrt(float(np.mean((y_true - y_pred) ** 2)))


def r2_value(y_true: FloatArray, y_pred: FloatArray, name: str = "r2") -> float:
    """Coefficient of determination ``1 - SSE / SST`` (``sklearn.metrics.r2_score``)."""
    sst = float(np.sum((y_true - np.mean(y_true)) ** 2))
    if sst == 0.0:
        raise MeasurementError("r2 is undefined: y_true is constant", field=name)
    return 1.0 - float(np.sum((y_true - y_pred) ** 2)) / sst


def rmse_ci(
    y_true: FloatArray,
    y_pred: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    name: str = "rmse",
    level: float | None = None,
) -> Estimate:
    """RMSE with a delta-method interval: ``se(RMSE) = se(MSE) / (2 RMSE)``, clipped at 0."""
    levels = normalise_levels(levels, name)
    n = int(y_true.shape[0])
    _need_rows(n, name)
    sq = (y_true - y_pred) ** 2
    value = rmse_value(y_true, y_pred)
    se_mse = float(np.std(sq, ddof=1)) / math.sqrt(n)
    se = se_mse / (2.0 * value) if value > 0 else 0.0
    intervals = _symmetric(value, se, levels, 0.0, math.inf)
    details: dict[str, Any] = {"se": se, "dist": "normal", "transform": "sqrt(MSE)"}
    return _estimate(value, "delta", n, levels, intervals, details, level)


def _delta_se(grad: FloatArray, rows: FloatArray) -> float:
    """Delta-method standard error of g(means of the columns of ``rows``) with gradient ``grad``."""
    n = rows.shape[0]
    cov = np.atleast_2d(np.cov(rows, rowvar=False, ddof=1))
    var = float(grad @ cov @ grad) / n
    return math.sqrt(max(var, 0.0))


def r2_ci(
    y_true: FloatArray,
    y_pred: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    name: str = "r2",
    level: float | None = None,
) -> Estimate:
    """R^2 with a delta-method interval.

    ``R^2 = 1 - A / B`` with ``A = mean(e^2)`` and ``B = mean((y - mean(y))^2)``; the gradient
    ``(-1/B, A/B^2)`` is applied to the sample covariance of the per-row ``(e^2, (y - ybar)^2)``
    (the O(1/n^2) effect of estimating ``ybar`` is ignored).
    """
    levels = normalise_levels(levels, name)
    n = int(y_true.shape[0])
    _need_rows(n, name)
    value = r2_value(y_true, y_pred, name)
    u = (y_true - y_pred) ** 2
    v = (y_true - np.mean(y_true)) ** 2
    a, b = float(np.mean(u)), float(np.mean(v))
    se = _delta_se(np.array([-1.0 / b, a / (b * b)]), np.column_stack([u, v]))
    intervals = _symmetric(value, se, levels, -math.inf, 1.0)
    return _estimate(value, "delta", n, levels, intervals, {"se": se, "dist": "normal"}, level)


def rmse_diff_ci(
    y_true: FloatArray,
    pred_a: FloatArray,
    pred_b: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    name: str = "rmse",
    level: float | None = None,
) -> Estimate:
    """RMSE(a) - RMSE(b), paired delta method on the joint per-row squared errors."""
    levels = normalise_levels(levels, name)
    n = int(y_true.shape[0])
    _need_rows(n, name)
    ua, ub = (y_true - pred_a) ** 2, (y_true - pred_b) ** 2
    ra, rb = rmse_value(y_true, pred_a), rmse_value(y_true, pred_b)
    # a zero RMSE means every squared error is 0, so that component has no variance
    grad = np.array([0.5 / ra if ra > 0 else 0.0, -0.5 / rb if rb > 0 else 0.0])
    se = _delta_se(grad, np.column_stack([ua, ub]))
    diff = ra - rb
    intervals = _symmetric(diff, se, levels, -math.inf, math.inf)
    details: dict[str, Any] = {"se": se, "dist": "normal", "value_a": ra, "value_b": rb}
    return _estimate(diff, "paired-delta", n, levels, intervals, details, level)


def r2_diff_ci(
    y_true: FloatArray,
    pred_a: FloatArray,
    pred_b: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    name: str = "r2",
    level: float | None = None,
) -> Estimate:
    """R^2(a) - R^2(b) = (A_b - A_a) / B, paired delta method on ``(e_a^2, e_b^2, (y-ybar)^2)``."""
    levels = normalise_levels(levels, name)
    n = int(y_true.shape[0])
    _need_rows(n, name)
    va, vb = r2_value(y_true, pred_a, name), r2_value(y_true, pred_b, name)
    ua, ub = (y_true - pred_a) ** 2, (y_true - pred_b) ** 2
    v = (y_true - np.mean(y_true)) ** 2
    aa, ab, b = float(np.mean(ua)), float(np.mean(ub)), float(np.mean(v))
    grad = np.array([-1.0 / b, 1.0 / b, -(ab - aa) / (b * b)])
    se = _delta_se(grad, np.column_stack([ua, ub, v]))
    diff = va - vb
    intervals = _symmetric(diff, se, levels, -math.inf, math.inf)
    details: dict[str, Any] = {"se": se, "dist": "normal", "value_a": va, "value_b": vb}
    return _estimate(diff, "paired-delta", n, levels, intervals, details, level)


# --------------------------------------------------------------------------------------------
# generic stratified weighted bootstrap


def _chunk_size(n_rows: int, n_boot: int) -> int:
    return max(1, min(n_boot, CHUNK_ELEMENTS // max(n_rows, 1)))


def _resample_counts(
    rngs: Sequence[np.random.Generator], sizes: Sequence[int], n_resamples: int
) -> list[IntArray]:
    """Per stratum, an ``(n_resamples, size)`` matrix of bootstrap counts.

    Each row is Multinomial(size, uniform): how often each row of the stratum is drawn when
    ``size`` rows are drawn with replacement, i.e. the ordinary bootstrap expressed as weights.
    Each stratum has its own generator, so the draws do not depend on the chunk size.
    """
    out: list[IntArray] = []
    for rng, size in zip(rngs, sizes, strict=True):
        idx = rng.integers(0, size, size=(n_resamples, size), dtype=np.int64)
        if n_resamples > 1:
            idx += (np.arange(n_resamples, dtype=np.int64) * size)[:, None]
        counts = np.bincount(idx.ravel(), minlength=n_resamples * size)
        out.append(counts.reshape(n_resamples, size).astype(np.int64, copy=False))
    return out


def stratum_generators(seed: int, n_strata: int) -> list[np.random.Generator]:
    """One independent generator per stratum, derived from ``seed``."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n_strata)]


def bootstrap_replicates(
    statistic: BatchStatistic, sizes: Sequence[int], *, n_boot: int, seed: int
) -> FloatArray:
    """``n_boot`` bootstrap replicates of a statistic of resample counts.

    ``statistic`` receives one count matrix per stratum, each ``(chunk, size)``, and returns the
    ``chunk`` replicate values; chunks are sized so that a count matrix holds at most
    :data:`CHUNK_ELEMENTS` entries, which keeps memory bounded on million-row test sets.
    """
    rngs = stratum_generators(seed, len(sizes))
    chunk = _chunk_size(sum(sizes), n_boot)
    out = np.empty(n_boot, dtype=np.float64)
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        out[done : done + b] = statistic(_resample_counts(rngs, sizes, b))
        done += b
    return out


@dataclass(frozen=True)
class RankCurve:
    """One score sorted once: the cumulative class counts at each distinct threshold.

    ``pos_perm`` orders the positives (indexed in row order) by decreasing score, likewise
    ``neg_perm``; ``pos_end[k]`` / ``neg_end[k]`` count the positives / negatives scoring at or
    above the k-th distinct score (decreasing), so resample weights turn into the weighted
    ``tps`` / ``fps`` of ``sklearn.metrics.precision_recall_curve`` by a cumulative sum and a
    gather, without re-sorting.
    """

    pos_perm: IntArray
    neg_perm: IntArray
    pos_end: IntArray
    neg_end: IntArray
    thresholds: FloatArray

    @classmethod
    def build(cls, y_true: BoolArray, y_score: FloatArray) -> RankCurve:
        order = np.argsort(-y_score, kind="stable")
        s = y_score[order]
        y = y_true[order]
        n = s.shape[0]
        last = np.empty(n, dtype=np.bool_)
        last[-1] = True
        np.not_equal(s[1:], s[:-1], out=last[:-1])
        ends = np.flatnonzero(last)  # index of the last row of each distinct score
        cum_pos = np.cumsum(y, dtype=np.int64)
        pos_end = cum_pos[ends]
        neg_end = ends.astype(np.int64) + 1 - pos_end
        pos_rank = np.cumsum(y_true, dtype=np.int64) - 1  # row -> index among positives
        neg_rank = np.cumsum(~y_true, dtype=np.int64) - 1
        return cls(
            pos_perm=pos_rank[order[y]],
            neg_perm=neg_rank[order[~y]],
            pos_end=pos_end,
            neg_end=neg_end,
            thresholds=s[ends],
        )

    def counts(
        self, w_pos: FloatArray | IntArray, w_neg: FloatArray | IntArray, *, permute: bool = True
    ) -> tuple[FloatArray, FloatArray]:
        """Weighted ``(tps, fps)``, shape ``(chunk, n_thresholds)``, from per-class weights.

        With ``permute=False`` the weights are taken as already in score order, which is valid
        for i.i.d. exchangeable resample counts and saves a gather.
        """
        wp: npt.NDArray[Any] = np.take(w_pos, self.pos_perm, axis=1) if permute else w_pos
        wn: npt.NDArray[Any] = np.take(w_neg, self.neg_perm, axis=1) if permute else w_neg
        tps = _cum_at(wp, self.pos_end)
        fps = _cum_at(wn, self.neg_end)
        return tps, fps


def _cum_at(w: npt.NDArray[Any], ends: IntArray) -> FloatArray:
    """Row-wise cumulative sums of ``w`` (with a leading 0) read at ``ends``.

    Integer counts are summed in int32 when they cannot overflow it, and gathered with
    ``np.take``: on million-row curves this is several times faster than float64 indexing.
    """
    total_bound = w.shape[1] * (int(w.max()) if w.size else 0)
    integer = np.issubdtype(w.dtype, np.integer)
    dtype = np.int32 if integer and total_bound < np.iinfo(np.int32).max else w.dtype
    cum = np.zeros((w.shape[0], w.shape[1] + 1), dtype=dtype)
    np.cumsum(w, axis=1, out=cum[:, 1:], dtype=dtype)
    return np.take(cum, ends, axis=1).astype(np.float64)


def average_precision_from_counts(tps: FloatArray, fps: FloatArray) -> FloatArray:
    """AP = sum_k (R_k - R_{k-1}) P_k over distinct thresholds (scikit-learn's definition)."""
    # where tps + fps == 0, tps == 0 too, so dividing by the tiniest float gives precision 0
    prec = tps / np.maximum(tps + fps, np.finfo(np.float64).tiny)
    dtp = np.diff(tps, axis=-1, prepend=0.0)
    return np.asarray(np.sum(dtp * prec, axis=-1) / tps[..., -1], dtype=np.float64)


def recall_at_fpr_from_counts(tps: FloatArray, fps: FloatArray, max_fpr: float) -> FloatArray:
    """Highest recall over thresholds whose false-positive rate is at most ``max_fpr``."""
    fpr = fps / fps[..., -1:]
    tpr = tps / tps[..., -1:]
    return np.asarray(np.max(np.where(fpr <= max_fpr, tpr, 0.0), axis=-1), dtype=np.float64)


def _rank_stat(
    metric: RankMetric, max_fpr: float
) -> Callable[[FloatArray, FloatArray], FloatArray]:
    if metric == "average_precision":
        return average_precision_from_counts
    return lambda t, f: recall_at_fpr_from_counts(t, f, max_fpr)


def _curve_value(curve: RankCurve, stat: Callable[[FloatArray, FloatArray], FloatArray]) -> float:
    """``stat`` of the unweighted curve: the point value of a ranking metric."""
    tps = curve.pos_end.astype(np.float64)[None, :]
    fps = curve.neg_end.astype(np.float64)[None, :]
    return float(stat(tps, fps)[0])


def _curve_threshold(curve: RankCurve, max_fpr: float) -> float:
    """Lowest score threshold (``score >= t`` is positive) whose FPR is at most ``max_fpr``.

    ``inf`` when even the highest score gives too many false positives.
    """
    fpr = curve.neg_end / curve.neg_end[-1]
    ok = np.flatnonzero(fpr <= max_fpr)
    return float(curve.thresholds[ok[-1]]) if ok.size else math.inf


def rank_metric_ci(
    metric: RankMetric,
    y_true: BoolArray,
    y_score: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    max_fpr: float = 0.0,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    name: str | None = None,
    level: float | None = None,
) -> Estimate:
    """Average precision or recall-at-FPR with a class-stratified weighted bootstrap.

    The scores are sorted once; each resample is a pair of multinomial count vectors (one over
    the positives, one over the negatives) turned into weighted ``tps``/``fps`` curves by
    cumulative sums, ``chunk`` resamples at a time. Percentile interval (BCa would need a
    jackknife, n more evaluations).
    """
    label = name or metric
    levels = normalise_levels(levels, label)
    _check_n_boot(n_boot, seed, label)
    m, n = _class_counts(y_true, label, need=1)
    curve = RankCurve.build(y_true, y_score)
    stat = _rank_stat(metric, max_fpr)
    value = _curve_value(curve, stat)

    def batch(counts: Sequence[IntArray]) -> FloatArray:
        return stat(*curve.counts(counts[0], counts[1], permute=False))

    reps = bootstrap_replicates(batch, [m, n], n_boot=n_boot, seed=seed)
    intervals = percentile_intervals(reps, value, levels, 0.0, 1.0)
    details: dict[str, Any] = {
        "n_boot": int(n_boot),
        "seed": int(seed),
        "n_pos": m,
        "n_neg": n,
        "interval": "percentile",
    }
    if metric == "average_precision":
        # the bootstrap's estimate of the sample AP's bias (see average_precision_ci)
        details["bootstrap_bias"] = float(np.mean(reps)) - value
    if metric == "recall_at_fpr":
        details["max_fpr"] = max_fpr
        # None (JSON null) when even the highest score exceeds the false-positive budget
        thr = _curve_threshold(curve, max_fpr)
        details["threshold"] = thr if math.isfinite(thr) else None
    return _estimate(value, "stratified-bootstrap", m + n, levels, intervals, details, level)


#: Fewest positives for an average-precision interval; below it the estimate is refused. Set
#: from simulation (benchmarks/coverage.py, ADR-0009). A higher minimum made coverage worse:
#: the AP rises with the prevalence, so refusing by the positive count keeps the draws with
#: more positives than usual (at 10, the lower bound at 1% of 1,000 rows fell to 0.928).
AP_MIN_POS = 5
#: The lower end of :func:`average_precision_ci` moves down by this many times the bootstrap's
#: bias estimate (set from simulation: 1 left the lower bound at 0.935 with 50 positives, 2
#: gave 0.945 on the same draws).
AP_BIAS_FACTOR = 2.0


def ap_logit_interval(ap: float, n_pos: int, level: float) -> tuple[float, float]:
    """Boyd, Eng & Page's (2013) logit interval for average precision.

    ``logistic(logit(AP) +- z / sqrt(n_pos AP (1 - AP)))``, with ``n_pos`` the number of
    positives (Boyd, K., Eng, K. H. & Page, C. D. (2013). "Area under the precision-recall
    curve: point estimates and confidence intervals", *ECML PKDD 2013*, LNCS 8190, 451-466).
    At AP 0 or 1 the logit is infinite and the interval is the point itself.
    """
    if not 0.0 < ap < 1.0:
        return ap, ap
    centre = math.log(ap / (1.0 - ap))
    half = z_value(level) / math.sqrt(n_pos * ap * (1.0 - ap))
    return 1.0 / (1.0 + math.exp(-(centre - half))), 1.0 / (1.0 + math.exp(-(centre + half)))


def ap_binomial_interval(ap: float, n_pos: int, level: float) -> tuple[float, float]:
    """Boyd, Eng & Page's (2013) binomial interval ``AP +- z sqrt(AP (1 - AP) / n_pos)``,
    clipped to [0, 1]."""
    half = z_value(level) * math.sqrt(ap * (1.0 - ap) / n_pos)
    return max(0.0, ap - half), min(1.0, ap + half)


def average_precision_ci(
    y_true: BoolArray,
    y_score: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    name: str = "average_precision",
    level: float | None = None,
) -> Estimate:
    """Average precision with the union of three intervals; refused below :data:`AP_MIN_POS`.

    Each level's interval runs from the lowest to the highest end of: the stratified percentile
    bootstrap of :func:`rank_metric_ci`, and the logit and binomial intervals of Boyd, Eng &
    Page (2013, "Area under the precision-recall curve: point estimates and confidence
    intervals", *ECML PKDD 2013*, LNCS 8190, 451-466; :func:`ap_logit_interval`,
    :func:`ap_binomial_interval`). The bootstrap alone covered its one-sided 95% lower bound
    only 0.86-0.87 at 10 and 50 positives: it holds the class counts fixed while the AP moves
    with the prevalence, and the sample AP of few positives is skewed. The binomial interval
    fixes that lower side at low AP, the logit one near AP 1, where the binomial interval
    collapses; the union costs two formulas on top of the bootstrap.

    The sample AP of few positives is also biased upwards (simulated: 0.257 on average at about
    10 positives where the truth is 0.202), and the bootstrap sees only about half of that bias.
    So the lower end is moved down by :data:`AP_BIAS_FACTOR` times the bootstrap's bias
    estimate (mean of the replicates minus the AP) when it is positive; the upper end, which
    covered 0.97-1.00 in every simulated regime, is left alone. Without that widening the union's
    lower bound covered 0.906 at 50 positives (prevalence 10%, AUC 0.8).
    """
    est = rank_metric_ci(
        "average_precision", y_true, y_score, levels, n_boot=n_boot, seed=seed, name=name
    )
    m, n = int(est.details["n_pos"]), int(est.details["n_neg"])
    method = "bootstrap-logit-binomial"
    details = {**est.details, "interval": "union of percentile bootstrap, logit and binomial"}
    if m < AP_MIN_POS:
        info = {"positives": m, "negatives": n}
        reason = too_few(m, "positives", name, AP_MIN_POS)
        return refused_estimate(est.value, method, m + n, reason, info, details, level)
    ap = est.value
    shift = AP_BIAS_FACTOR * max(0.0, float(est.details["bootstrap_bias"]))
    intervals: Intervals = {}
    for lv, (blo, bhi) in est.intervals.items():
        llo, lhi = ap_logit_interval(ap, m, lv)
        nlo, nhi = ap_binomial_interval(ap, m, lv)
        lo = min(ap, blo, llo, nlo) - shift
        intervals[lv] = (max(0.0, lo), min(1.0, max(ap, bhi, lhi, nhi)))
    return _estimate(ap, method, m + n, list(est.intervals), intervals, details, level)


def rank_metric_diff_ci(
    metric: RankMetric,
    y_true: BoolArray,
    score_a: FloatArray,
    score_b: FloatArray,
    levels: Sequence[float] = (0.95,),
    *,
    max_fpr: float = 0.0,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    name: str | None = None,
    level: float | None = None,
) -> Estimate:
    """metric(a) - metric(b) with the same stratified resample weights applied to both scores."""
    label = name or metric
    levels = normalise_levels(levels, label)
    _check_n_boot(n_boot, seed, label)
    m, n = _class_counts(y_true, label, need=1)
    ca = RankCurve.build(y_true, score_a)
    cb = RankCurve.build(y_true, score_b)
    stat = _rank_stat(metric, max_fpr)
    va = _curve_value(ca, stat)
    vb = _curve_value(cb, stat)
    diff = va - vb

    def batch(counts: Sequence[IntArray]) -> FloatArray:
        return stat(*ca.counts(counts[0], counts[1])) - stat(*cb.counts(counts[0], counts[1]))

    reps = bootstrap_replicates(batch, [m, n], n_boot=n_boot, seed=seed)
    intervals = percentile_intervals(reps, diff, levels, -1.0, 1.0)
    details: dict[str, Any] = {
        "n_boot": int(n_boot),
        "seed": int(seed),
        "n_pos": m,
        "n_neg": n,
        "value_a": va,
        "value_b": vb,
        "interval": "percentile",
    }
    return _estimate(diff, "paired-stratified-bootstrap", m + n, levels, intervals, details, level)


def strata_rows(y_true: FloatArray) -> list[npt.NDArray[np.intp]]:
    """Row indices per bootstrap stratum: one per class when ``y_true`` is 0/1, else all rows."""
    values = np.unique(y_true)
    if values.shape[0] == 2 and set(values.tolist()) == {0.0, 1.0}:
        return [np.flatnonzero(y_true == 1.0), np.flatnonzero(y_true == 0.0)]
    return [np.arange(y_true.shape[0])]


def rowwise_weights(
    rows: Sequence[npt.NDArray[np.intp]], n_rows: int
) -> Callable[[Sequence[IntArray]], FloatArray]:
    """Turn per-stratum count matrices into an ``(chunk, n_rows)`` row-weight matrix."""

    def to_weights(counts: Sequence[IntArray]) -> FloatArray:
        w = np.empty((counts[0].shape[0], n_rows), dtype=np.float64)
        for idx, c in zip(rows, counts, strict=True):
            w[:, idx] = c
        return w

    return to_weights


def weighted_bootstrap_ci(
    statistic: Callable[[FloatArray], float],
    y_true: FloatArray,
    value: float,
    levels: Sequence[float] = (0.95,),
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    name: str = "metric",
    level: float | None = None,
    paired: bool = False,
) -> Estimate:
    """Bootstrap interval for any statistic of row weights, ``statistic(weights) -> float``.

    Used for user metrics: ``weights`` are the resample counts of each row (stratified by class
    when ``y_true`` is 0/1), passed as ``sample_weight``. Percentile interval.
    """
    levels = normalise_levels(levels, name)
    _check_n_boot(n_boot, seed, name)
    n = int(y_true.shape[0])
    _need_rows(n, name)
    rows = strata_rows(y_true)
    to_weights = rowwise_weights(rows, n)

    def batch(counts: Sequence[IntArray]) -> FloatArray:
        w = to_weights(counts)
        return np.array([statistic(w[i]) for i in range(w.shape[0])], dtype=np.float64)

    reps = bootstrap_replicates(batch, [r.shape[0] for r in rows], n_boot=n_boot, seed=seed)
    intervals = percentile_intervals(reps, value, levels)
    stratified = len(rows) == 2
    details: dict[str, Any] = {
        "n_boot": int(n_boot),
        "seed": int(seed),
        "stratified": stratified,
        "interval": "percentile",
    }
    if stratified:
        details["n_pos"] = int(rows[0].shape[0])
        details["n_neg"] = int(rows[1].shape[0])
    method = "stratified-bootstrap" if stratified else "bootstrap"
    if paired:
        method = "paired-" + method
    return _estimate(value, method, n, levels, intervals, details, level)
