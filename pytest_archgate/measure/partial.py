"""Metrics merged exactly from partial sufficient statistics: chunks, shards, distributed arrays.

Why this module exists: a test set that does not fit one process's memory arrives in chunks
(an iterator over files, the blocks of a Dask array, the shards of a CI matrix). A metric can
be evaluated from chunks without an approximation when it is a function of statistics that add
up across chunks; this module holds those statistics, their merge, and the estimate each metric
makes from them, with the same interval methods as the in-memory path of
:mod:`pytest_archgate.measure.stats`:

* accuracy, precision, recall, F1: the confusion table at the threshold (integer counts);
  paired, the 2x2x2 table of (truth, prediction a, prediction b);
* log loss, Brier, MAE, RMSE: the count, mean and central moments of the per-row values
  (loss, absolute or squared error), merged with the pairwise update of Chan, Golub & LeVeque
  (1979, "Updating formulae and a pairwise algorithm for computing sample variances", Stanford
  CS report STAN-CS-79-773) and its third-moment form (Pebay 2008, "Formulas for robust,
  one-pass parallel computation of covariances and arbitrary-order statistical moments",
  Sandia report SAND2008-6212); paired, the moments of the per-row differences and the
  co-moment of the two squared errors;
* ROC AUC and DeLong's variance: the table of distinct scores with the count of positives and
  negatives at each. Each positive's placement (the negatives below its score plus half those
  tied with it) is the same for every positive of one score, so the merged table gives the
  same AUC, and the same placement values whose variance DeLong's formula takes, as sorting
  all rows would. Its size is the number of distinct scores, not of rows.

Metrics whose interval is a bootstrap over rows (average precision, recall at a false-positive
rate, user metrics) or that need a global mean before their per-row terms (R^2) have no such
statistics: asking for them from chunks is refused with a one-line error naming the metric,
never approximated. The paired ROC AUC difference needs DeLong's covariance, the product of each
row's placements under both models: it takes two passes over chunks given as a re-iterable
collection (pass 1: both models' score tables; pass 2: the co-moments of each row's two
placements, looked up in those tables) and is refused from an iterator or Dask arrays.

Frequency weights are supported: a row of weight ``k`` counts as ``k`` identical rows, which is
what the in-memory path gives for the rows repeated (``numpy.repeat``).

The statistics travel in a shard's report (``details["partial"]`` of an estimate) as JSON:
:func:`partial_to_json` writes them, :func:`partial_from_json` reads them back and refuses
anything malformed, and :func:`merge_shards` turns the statistics of every shard into one
estimate, or refuses with a one-line error.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure import stats
from pytest_archgate.measure.distributions import t_value
from pytest_archgate.measure.estimate import Estimate, level_key

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

Kind = Literal["counts", "loss", "mean", "squares", "table"]
PairedKind = Literal["paired_counts", "paired_means", "paired_squares"]

#: How each metric merges from chunks (evaluate).
KINDS: Mapping[str, Kind] = {
    "accuracy": "counts",
    "precision": "counts",
    "recall": "counts",
    "f1": "counts",
    "log_loss": "loss",
    "brier": "loss",
    "mae": "mean",
    "rmse": "squares",
    "roc_auc": "table",
}
#: How each metric's paired difference merges from chunks (compare).
PAIRED_KINDS: Mapping[str, PairedKind] = {
    "accuracy": "paired_counts",
    "precision": "paired_counts",
    "recall": "paired_counts",
    "f1": "paired_counts",
    "log_loss": "paired_means",
    "brier": "paired_means",
    "mae": "paired_means",
    "rmse": "paired_squares",
}
#: The most distinct scores a ROC AUC table may hold in a report (a shard's statistics must
#: stay small; a run whose scores take more values records its AUC without them).
MAX_TABLE = 10_000
#: The most shards one measurement may be split into.
MAX_SHARDS = 10_000
#: The most confidence levels a shard's statistics list.
MAX_LEVELS = 64

_WHY_NOT: Mapping[str, str] = {
    "average_precision": "its interval is a bootstrap that resamples rows",
    "r2": "its per-row terms need the mean of all rows first",
}


def unmergeable_reason(metric: str, *, paired: bool = False) -> str | None:
    """Why ``metric`` cannot be computed exactly from chunks, or None when it can."""
    if metric in (PAIRED_KINDS if paired else KINDS):
        return None
    if paired and metric == "roc_auc":
        return (
            "the paired DeLong covariance needs each row's placement under both models: "
            "a second pass, possible over chunks given as a list (or another re-iterable "
            "collection), not over an iterator or Dask arrays"
        )
    if metric in _WHY_NOT:
        return _WHY_NOT[metric]
    if metric.startswith("recall_at_fpr_"):
        return "its interval is a bootstrap that resamples rows"
    return "it is a user metric: only built-in counting, mean and ROC AUC metrics merge"


def check_mergeable(metric: str, *, paired: bool = False) -> None:
    """Refuse, naming the metric, one that cannot be computed exactly from chunks."""
    why = unmergeable_reason(metric, paired=paired)
    if why is not None:
        raise MeasurementError(
            f"cannot be computed exactly from chunks, shards or distributed arrays ({why}); "
            "evaluate it in memory",
            field=metric,
        )


# --------------------------------------------------------------------------------------------
# the statistics


def _predictions(s: FloatArray, threshold: float, hard: bool) -> BoolArray:
    """``s >= threshold``, or ``s == 1`` when the scores are hard 0/1 labels (as metrics does)."""
    return np.asarray(s == 1.0) if hard else np.asarray(s >= threshold)


def _binary(s: FloatArray) -> bool:
    return bool(np.all((s == 0.0) | (s == 1.0)))


def _rules_differ(threshold: float) -> bool:
    """Whether ``s >= t`` and ``s == 1`` can differ on 0/1 scores: only for ``t`` outside (0, 1]."""
    return not 0.0 < threshold <= 1.0


def _wsum(mask: BoolArray, w: IntArray | None) -> int:
    return int(np.count_nonzero(mask)) if w is None else int(np.sum(w[mask], dtype=np.int64))


def _table4(y: BoolArray, p: BoolArray, w: IntArray | None) -> tuple[int, int, int, int]:
    return (
        _wsum(y & p, w),
        _wsum(~y & p, w),
        _wsum(y & ~p, w),
        _wsum(~y & ~p, w),
    )


def _add(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    return tuple(int(x) + int(y) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Counts:
    """The confusion table ``(tp, fp, fn, tn)`` at ``threshold``.

    The in-memory path takes scores that are all 0 or 1 as labels whatever the threshold; that
    can differ from ``score >= threshold`` only for a threshold outside (0, 1], so only then is
    the table of the label rule (``hard``) kept beside it, with ``binary`` saying whether every
    score so far was 0 or 1.
    """

    table: tuple[int, ...]
    threshold: float
    binary: bool = True
    hard: tuple[int, ...] | None = None

    @classmethod
    def of_rows(cls, y: BoolArray, s: FloatArray, w: IntArray | None, threshold: float) -> Counts:
        table = _table4(y, _predictions(s, threshold, False), w)
        hard = None
        if _rules_differ(threshold):
            hard = _table4(y, _predictions(s, threshold, True), w)
        return cls(table, threshold, _binary(s), hard)

    def merge(self, other: Counts) -> Counts:
        _same(self.threshold, other.threshold, "threshold")
        hard = None
        if self.hard is not None and other.hard is not None:
            hard = _add(self.hard, other.hard)
        return Counts(
            _add(self.table, other.table), self.threshold, self.binary and other.binary, hard
        )

    @property
    def cells(self) -> tuple[int, int, int, int]:
        """``(tp, fp, fn, tn)`` under the rule the in-memory path would use on all rows."""
        chosen = self.hard if (self.binary and self.hard is not None) else self.table
        tp, fp, fn, tn = chosen
        return tp, fp, fn, tn

    @property
    def rows(self) -> int:
        return sum(self.table)


@dataclass(frozen=True)
class Moments:
    """Count, mean and central moments ``M2 = sum (x - mean)^2``, ``M3`` of per-row values.

    ``n_pos`` counts the rows of class 1 (log loss and Brier refuse an interval when a class
    is rare); ``eps`` is log loss's clipping epsilon (it depends on the scores' dtype).
    """

    n: int
    mean: float
    m2: float
    m3: float
    n_pos: int = 0
    eps: float | None = None

    @classmethod
    def of_values(
        cls,
        x: FloatArray,
        w: IntArray | None,
        n_pos: int = 0,
        eps: float | None = None,
    ) -> Moments:
        n = int(x.shape[0]) if w is None else int(np.sum(w, dtype=np.int64))
        if n == 0:
            return cls(0, 0.0, 0.0, 0.0, n_pos, eps)
        mean = float(np.mean(x)) if w is None else float(np.dot(w, x) / n)
        dev = x - mean
        dev2 = dev * dev
        if w is None:
            m2, m3 = float(np.sum(dev2)), float(np.sum(dev2 * dev))
        else:
            m2, m3 = float(np.dot(w, dev2)), float(np.dot(w, dev2 * dev))
        return cls(n, mean, m2, m3, n_pos, eps)

    def merge(self, other: Moments) -> Moments:
        if self.eps != other.eps:
            raise MeasurementError(
                f"the chunks' scores have different dtypes (clipping eps {self.eps} and "
                f"{other.eps}); give every chunk the same float dtype",
                field="log_loss",
            )
        na, nb = self.n, other.n
        n_pos = self.n_pos + other.n_pos
        if na == 0 or nb == 0:
            keep = other if na == 0 else self
            return replace(keep, n_pos=n_pos)
        n = na + nb
        delta = other.mean - self.mean
        mean = self.mean + delta * nb / n
        m2 = self.m2 + other.m2 + delta * delta * na * nb / n
        m3 = (
            self.m3
            + other.m3
            + delta**3 * na * nb * (na - nb) / (n * n)
            + 3.0 * delta * (na * other.m2 - nb * self.m2) / n
        )
        return Moments(n, mean, m2, m3, n_pos, self.eps)

    def moments(self) -> stats.MeanMoments:
        """The :class:`~.stats.MeanMoments` the in-memory path computes from the values."""
        n = self.n
        m2 = self.m2 / n
        sd = math.sqrt(m2 * n / (n - 1)) if n > 1 else 0.0
        skew = (self.m3 / n) / math.sqrt(m2) ** 3 if m2 > 0 else 0.0
        return stats.MeanMoments(n=n, mean=self.mean, se=sd / math.sqrt(n), skewness=skew)

    @property
    def sd(self) -> float:
        """Sample standard deviation (``ddof=1``)."""
        return math.sqrt(max(self.m2, 0.0) / (self.n - 1)) if self.n > 1 else 0.0

    @property
    def rows(self) -> int:
        return self.n


@dataclass(frozen=True)
class CoMoments:
    """Count, means, second central moments and co-moment of two per-row values (a, b)."""

    n: int
    mean_a: float
    mean_b: float
    m2_a: float
    m2_b: float
    c_ab: float

    @classmethod
    def of_values(cls, a: FloatArray, b: FloatArray, w: IntArray | None) -> CoMoments:
        n = int(a.shape[0]) if w is None else int(np.sum(w, dtype=np.int64))
        if n == 0:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        ww = np.ones(a.shape[0]) if w is None else w.astype(np.float64)
        ma, mb = float(np.dot(ww, a) / n), float(np.dot(ww, b) / n)
        da, db = a - ma, b - mb
        return cls(
            n,
            ma,
            mb,
            float(np.dot(ww, da * da)),
            float(np.dot(ww, db * db)),
            float(np.dot(ww, da * db)),
        )

    def merge(self, other: CoMoments) -> CoMoments:
        na, nb = self.n, other.n
        if na == 0 or nb == 0:
            return other if na == 0 else self
        n = na + nb
        da, db = other.mean_a - self.mean_a, other.mean_b - self.mean_b
        f = na * nb / n
        return CoMoments(
            n,
            self.mean_a + da * nb / n,
            self.mean_b + db * nb / n,
            self.m2_a + other.m2_a + da * da * f,
            self.m2_b + other.m2_b + db * db * f,
            self.c_ab + other.c_ab + da * db * f,
        )

    @property
    def rows(self) -> int:
        return self.n


@dataclass(frozen=True)
class ScoreTable:
    """Distinct scores, ascending, with the count of positives and of negatives at each."""

    scores: FloatArray
    pos: IntArray
    neg: IntArray

    @classmethod
    def of_rows(cls, y: BoolArray, s: FloatArray, w: IntArray | None) -> ScoreTable:
        if s.shape[0] == 0:
            return cls(np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
        scores, inv = np.unique(s, return_inverse=True)
        k = scores.shape[0]
        if w is None:
            pos = np.bincount(inv[y], minlength=k).astype(np.int64)
            neg = np.bincount(inv[~y], minlength=k).astype(np.int64)
        else:  # float sums of integer weights are exact below 2**53
            pos = np.bincount(inv[y], weights=w[y], minlength=k).astype(np.int64)
            neg = np.bincount(inv[~y], weights=w[~y], minlength=k).astype(np.int64)
        return cls(scores.astype(np.float64), pos, neg)

    def merge(self, other: ScoreTable) -> ScoreTable:
        return merge_tables([self, other])

    @property
    def n_pos(self) -> int:
        return int(np.sum(self.pos, dtype=np.int64))

    @property
    def n_neg(self) -> int:
        return int(np.sum(self.neg, dtype=np.int64))

    @property
    def rows(self) -> int:
        return self.n_pos + self.n_neg


def merge_tables(tables: Sequence[ScoreTable]) -> ScoreTable:
    """One table from several (a k-way merge: one sort of all their distinct scores)."""
    parts = [t for t in tables if t.scores.shape[0]]
    if len(parts) <= 1:
        return parts[0] if parts else tables[0]
    scores, inv = np.unique(np.concatenate([t.scores for t in parts]), return_inverse=True)
    k = scores.shape[0]
    pos = np.zeros(k, dtype=np.int64)
    neg = np.zeros(k, dtype=np.int64)
    np.add.at(pos, inv, np.concatenate([t.pos for t in parts]))
    np.add.at(neg, inv, np.concatenate([t.neg for t in parts]))
    return ScoreTable(scores, pos, neg)


@dataclass(frozen=True)
class PairedCounts:
    """The 2x2x2 table of (truth, prediction a, prediction b), cell ``4 t + 2 a + b``.

    As for :class:`Counts`, a threshold outside (0, 1] keeps the tables of every pair of rules
    (``"tt"``, ``"th"``, ``"ht"``, ``"hh"``: threshold or hard labels for a, then b).
    """

    tables: Mapping[str, tuple[int, ...]]
    threshold: float
    binary_a: bool = True
    binary_b: bool = True

    @classmethod
    def of_rows(
        cls,
        y: BoolArray,
        a: FloatArray,
        b: FloatArray,
        w: IntArray | None,
        threshold: float,
    ) -> PairedCounts:
        rules = ("tt", "th", "ht", "hh") if _rules_differ(threshold) else ("tt",)
        tables: dict[str, tuple[int, ...]] = {}
        yi = y.astype(np.int64)
        for rule in rules:
            pa = _predictions(a, threshold, rule[0] == "h").astype(np.int64)
            pb = _predictions(b, threshold, rule[1] == "h").astype(np.int64)
            cell = 4 * yi + 2 * pa + pb
            counts = np.bincount(cell, weights=None if w is None else w, minlength=8)
            tables[rule] = tuple(int(c) for c in counts)
        return cls(tables, threshold, _binary(a), _binary(b))

    def merge(self, other: PairedCounts) -> PairedCounts:
        _same(self.threshold, other.threshold, "threshold")
        tables = {k: _add(v, other.tables[k]) for k, v in self.tables.items()}
        binary_a, binary_b = self.binary_a and other.binary_a, self.binary_b and other.binary_b
        return PairedCounts(tables, self.threshold, binary_a, binary_b)

    @property
    def cells(self) -> tuple[int, ...]:
        if len(self.tables) == 1:
            return self.tables["tt"]
        rule = ("h" if self.binary_a else "t") + ("h" if self.binary_b else "t")
        return self.tables[rule]

    @property
    def rows(self) -> int:
        return sum(self.tables["tt"])


@dataclass(frozen=True)
class PairedMoments:
    """Moments of the per-row values of a, of b and of their differences ``a - b``."""

    a: Moments
    b: Moments
    d: Moments

    @classmethod
    def of_values(cls, a: FloatArray, b: FloatArray, w: IntArray | None) -> PairedMoments:
        return cls(Moments.of_values(a, w), Moments.of_values(b, w), Moments.of_values(a - b, w))

    def merge(self, other: PairedMoments) -> PairedMoments:
        return PairedMoments(self.a.merge(other.a), self.b.merge(other.b), self.d.merge(other.d))

    @property
    def rows(self) -> int:
        return self.a.n


Partial: TypeAlias = (
    "Counts | Moments | CoMoments | ScoreTable | PairedCounts | PairedMoments | AucSegment"
)


def _same(a: float, b: float, what: str) -> None:
    if a != b:
        raise MeasurementError(f"the parts were evaluated at different {what}s ({a} and {b})")


def merge(a: Partial, b: Partial) -> Partial:
    """Two partial statistics of the same metric as one."""
    if type(a) is not type(b) or isinstance(a, AucSegment) or isinstance(b, AucSegment):
        # score ranges join only in score order (AucSegment.then), never as a merge
        raise MeasurementError(
            f"cannot merge {type(a).__name__} with {type(b).__name__} statistics"
        )
    return a.merge(b)  # type: ignore[arg-type]


def merge_all(parts: Sequence[Partial]) -> Partial:
    """All parts as one, in order (tables in one k-way merge)."""
    if not parts:
        raise MeasurementError("no parts to merge")
    if all(isinstance(p, ScoreTable) for p in parts):
        return merge_tables([p for p in parts if isinstance(p, ScoreTable)])
    out = parts[0]
    for p in parts[1:]:
        out = merge(out, p)
    return out


def merge_sets(a: Mapping[str, Partial], b: Mapping[str, Partial]) -> dict[str, Partial]:
    """Metric-by-metric merge of two sets of partial statistics (the same metrics)."""
    return {k: merge(v, b[k]) for k, v in a.items()}


# --------------------------------------------------------------------------------------------
# rows -> statistics (the arrays are validated by the caller, as in the in-memory path)


def of_rows(
    metric: str,
    y: FloatArray,
    s: FloatArray,
    w: IntArray | None,
    *,
    threshold: float,
    eps: float,
) -> Partial:
    """The partial statistics of ``metric`` over one chunk of validated rows."""
    kind = KINDS[metric]
    yb = y == 1.0
    if kind == "counts":
        return Counts.of_rows(yb, s, w, threshold)
    if kind == "table":
        return ScoreTable.of_rows(yb, s, w)
    n_pos = _wsum(yb, w)
    if metric == "log_loss":
        return Moments.of_values(stats.log_loss_rows(yb, s, eps), w, n_pos, eps)
    if metric == "brier":
        return Moments.of_values(stats.brier_rows(yb, s), w, n_pos)
    if metric == "mae":
        return Moments.of_values(stats.abs_error_rows(y, s), w)
    return Moments.of_values((y - s) ** 2, w)  # rmse


def paired_of_rows(
    metric: str,
    y: FloatArray,
    a: FloatArray,
    b: FloatArray,
    w: IntArray | None,
    *,
    threshold: float,
    eps: float,
) -> Partial:
    """The partial statistics of ``metric(a) - metric(b)`` over one chunk of validated rows."""
    kind = PAIRED_KINDS[metric]
    yb = y == 1.0
    if kind == "paired_counts":
        return PairedCounts.of_rows(yb, a, b, w, threshold)
    if kind == "paired_squares":
        return CoMoments.of_values((y - a) ** 2, (y - b) ** 2, w)
    if metric == "log_loss":
        return PairedMoments.of_values(
            stats.log_loss_rows(yb, a, eps), stats.log_loss_rows(yb, b, eps), w
        )
    if metric == "brier":
        return PairedMoments.of_values(stats.brier_rows(yb, a), stats.brier_rows(yb, b), w)
    return PairedMoments.of_values(stats.abs_error_rows(y, a), stats.abs_error_rows(y, b), w)


# --------------------------------------------------------------------------------------------
# statistics -> estimates: the in-memory interval methods, from the merged statistics


def estimate(
    metric: str,
    part: Partial,
    levels: Sequence[float],
    *,
    level: float,
) -> Estimate:
    """The estimate of ``metric`` from its merged statistics (as :func:`.metrics.evaluate`)."""
    lv = stats.normalise_levels(levels, metric)
    kw: dict[str, Any] = {"name": metric, "level": level}
    if isinstance(part, Counts):
        est = _counts_estimate(metric, part.cells, lv, **kw)
        return _with(est, threshold=part.threshold)
    if isinstance(part, ScoreTable | AucSegment):
        return _auc_estimate(part, lv, **kw)
    if not isinstance(part, Moments):
        raise MeasurementError(f"{type(part).__name__} statistics are not of one score")
    if part.n == 0:
        raise MeasurementError("y_true is empty", field=metric)
    if metric in ("log_loss", "brier"):
        hi = math.inf if metric == "log_loss" else 1.0
        return _loss_estimate(part, lv, lo=0.0, hi=hi, **kw)
    if metric == "mae":
        stats._need_rows(part.n, metric)
        se = part.sd / math.sqrt(part.n)
        intervals = stats._symmetric(part.mean, se, lv, 0.0, math.inf)
        details = {"se": se, "dist": "normal"}
        return stats._estimate(part.mean, "clt", part.n, lv, intervals, details, level)
    stats._need_rows(part.n, metric)  # rmse
    value = math.sqrt(part.mean)
    se_mse = part.sd / math.sqrt(part.n)
    se = se_mse / (2.0 * value) if value > 0 else 0.0
    intervals = stats._symmetric(value, se, lv, 0.0, math.inf)
    details = {"se": se, "dist": "normal", "transform": "sqrt(MSE)"}
    return stats._estimate(value, "delta", part.n, lv, intervals, details, level)


def _with(est: Estimate, **extra: Any) -> Estimate:
    return replace(est, details={**est.details, **extra})


def _counts_estimate(
    metric: str,
    cells: tuple[int, int, int, int],
    levels: tuple[float, ...],
    *,
    name: str,
    level: float,
) -> Estimate:
    """:func:`.stats.count_metric_ci` from the confusion table."""
    tp, fp, fn, tn = cells
    n = tp + fp + fn + tn
    kind: stats.CountMetric = metric  # type: ignore[assignment]
    stats._undefined_check(kind, tp, fp, fn, name)
    value = stats.count_metric_value(kind, tp, fp, fn, tn)
    details: dict[str, Any] = {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
    intervals: dict[float, tuple[float, float]] = {}
    if metric == "f1":
        trials = tp + fp + fn
        for lv in levels:
            lo, hi = stats.clopper_pearson_interval(tp, trials, lv)
            f_lo, f_hi = 2.0 * lo / (1.0 + lo), 2.0 * hi / (1.0 + hi)
            intervals[level_key(lv)] = (min(value, f_lo), max(value, f_hi))
        details.update({"trials": trials, "interval": "exact via Jaccard"})
        method = "clopper-pearson-jaccard"
        return stats._estimate(value, method, n, levels, intervals, details, level)
    k, trials = {
        "accuracy": (tp + tn, n),
        "precision": (tp, tp + fp),
        "recall": (tp, tp + fn),
    }[metric]
    intervals = {level_key(lv): stats.clopper_pearson_interval(k, trials, lv) for lv in levels}
    details["trials"] = trials
    return stats._estimate(value, "clopper-pearson", n, levels, intervals, details, level)


def _loss_estimate(
    part: Moments,
    levels: tuple[float, ...],
    *,
    name: str,
    level: float,
    lo: float,
    hi: float,
) -> Estimate:
    """:func:`.stats.loss_mean_ci` from the moments of the per-row losses."""
    n = part.n
    stats._need_rows(n, name)
    m = part.n_pos
    value = part.mean
    method = "hall-skew-corrected"
    details: dict[str, Any] = {"n_pos": m, "n_neg": n - m}
    info = {"rows": n, "positives": m, "negatives": n - m}
    if n < stats.LOSS_MIN_ROWS:
        reason = stats.too_few(n, "rows", name, stats.LOSS_MIN_ROWS)
        return stats.refused_estimate(value, method, n, reason, info, details, level)
    if min(m, n - m) < stats.LOSS_MIN_CLASS:
        what = "positives" if m <= n - m else "negatives"
        reason = stats.too_few(min(m, n - m), what, name, stats.LOSS_MIN_CLASS)
        return stats.refused_estimate(value, method, n, reason, info, details, level)
    mom = part.moments()
    se = mom.se
    intervals: dict[float, tuple[float, float]] = {}
    for lv in levels:
        low, high = stats.hall_mean_interval(mom, lv)
        half = t_value(lv, n - 1) * se
        low, high = min(low, value - half), max(high, value + half)
        intervals[level_key(lv)] = (min(value, max(lo, low)), max(value, min(hi, high)))
    details.update({"se": se, "interval": "Hall (1992) skewness-corrected, joined with t"})
    return stats._estimate(value, method, n, levels, intervals, details, level)


@dataclass(frozen=True)
class AucSums:
    """AUC and DeLong's variance from a score table (placements as in the in-memory path)."""

    auc: float
    variance: float
    n_pos: int
    n_neg: int

    @classmethod
    def of(cls, table: ScoreTable) -> AucSums:
        pos, neg = table.pos, table.neg
        m, n = table.n_pos, table.n_neg
        # twice each positive's placement: 2 * negatives below + negatives tied (an integer)
        neg_below = np.cumsum(neg) - neg
        twice_l = 2 * neg_below + neg
        pos_above_or_tied = np.cumsum(pos[::-1])[::-1]
        twice_k = 2 * (m - pos_above_or_tied) + pos  # 2 * positives below + positives tied
        if float(m) * float(n) * 2.0 >= 2.0**62:
            raise MeasurementError("too many rows for an exact ROC AUC sum", field="roc_auc")
        s_l = int(np.dot(pos, twice_l))
        auc = (s_l / 2.0) / (float(m) * float(n))
        v10 = twice_l / (2.0 * n)  # the placement value of a positive at each score
        v01 = 1.0 - twice_k / (2.0 * m)  # the same for a negative
        var10 = _weighted_var(v10, pos, m)
        var01 = _weighted_var(v01, neg, n)
        return cls(auc, var10 / m + var01 / n, m, n)


def _chan(
    n_a: int, mean_a: float, m2_a: float, n_b: int, mean_b: float, m2_b: float
) -> tuple[float, float]:
    """Mean and M2 of two groups together (Chan, Golub & LeVeque 1979)."""
    if n_a == 0 or n_b == 0:
        return (mean_b, m2_b) if n_a == 0 else (mean_a, m2_a)
    n = n_a + n_b
    delta = mean_b - mean_a
    return mean_a + delta * n_b / n, m2_a + m2_b + delta * delta * n_a * n_b / n


@dataclass(frozen=True)
class AucSegment:
    """ROC AUC statistics of the rows whose scores lie in one range, merged range after range.

    Placements are local to the range: a positive's ``L`` counts the range's negatives below
    it plus half those tied, a negative's ``K`` the range's positives below plus half those
    tied. Appending a higher range (:meth:`then`) adds the lower range's negatives to every
    ``L`` above it, and its positives to every ``K``: the means shift, the central moments do
    not. So ranges of a sorted (range-partitioned) score table merge exactly, and only these
    seven numbers per range travel; this is how Dask arrays of any size are ranked.
    """

    n_pos: int
    n_neg: int
    twice_sum_l: int
    mean_l: float
    m2_l: float
    mean_k: float
    m2_k: float

    @classmethod
    def of_table(cls, table: ScoreTable) -> AucSegment:
        pos, neg = table.pos, table.neg
        m, n = table.n_pos, table.n_neg
        twice_l = 2 * (np.cumsum(neg) - neg) + neg
        twice_k = 2 * (np.cumsum(pos) - pos) + pos
        mean_l = float(np.dot(pos, twice_l)) / (2.0 * m) if m else 0.0
        mean_k = float(np.dot(neg, twice_k)) / (2.0 * n) if n else 0.0
        dl = twice_l / 2.0 - mean_l
        dk = twice_k / 2.0 - mean_k
        return cls(
            m,
            n,
            int(np.dot(pos, twice_l)),
            mean_l,
            float(np.dot(pos.astype(np.float64), dl * dl)),
            mean_k,
            float(np.dot(neg.astype(np.float64), dk * dk)),
        )

    def then(self, upper: AucSegment) -> AucSegment:
        """This range followed by ``upper``, whose scores are all higher."""
        mean_l, m2_l = _chan(
            self.n_pos, self.mean_l, self.m2_l, upper.n_pos, upper.mean_l + self.n_neg, upper.m2_l
        )
        mean_k, m2_k = _chan(
            self.n_neg, self.mean_k, self.m2_k, upper.n_neg, upper.mean_k + self.n_pos, upper.m2_k
        )
        return AucSegment(
            self.n_pos + upper.n_pos,
            self.n_neg + upper.n_neg,
            self.twice_sum_l + upper.twice_sum_l + 2 * self.n_neg * upper.n_pos,
            mean_l,
            m2_l,
            mean_k,
            m2_k,
        )

    def sums(self) -> AucSums:
        m, n = self.n_pos, self.n_neg
        auc = (self.twice_sum_l / 2.0) / (float(m) * float(n))
        var10 = self.m2_l / (m - 1) / (float(n) * n) if m > 1 else math.nan
        var01 = self.m2_k / (n - 1) / (float(m) * m) if n > 1 else math.nan
        return AucSums(auc, var10 / m + var01 / n, m, n)

    @property
    def rows(self) -> int:
        return self.n_pos + self.n_neg


def split_table(table: ScoreTable, edges: FloatArray) -> list[ScoreTable]:
    """The table cut at ``edges`` (ascending): piece ``b`` holds ``edges[b-1] <= score <
    edges[b]``, so every score of piece ``b`` is below every score of piece ``b + 1``."""
    cuts = np.searchsorted(table.scores, edges, side="left")
    return [
        ScoreTable(sc, p, q)
        for sc, p, q in zip(
            np.split(table.scores, cuts),
            np.split(table.pos, cuts),
            np.split(table.neg, cuts),
            strict=True,
        )
    ]


def table_edges(table: ScoreTable | None, pieces: int) -> FloatArray:
    """Scores that cut a sample table into ``pieces`` ranges of about equal row counts (the
    splitters of a sample sort); any edges give the same result, only the balance differs."""
    if table is None or table.scores.shape[0] == 0 or pieces < 2:
        return np.empty(0)
    cum = np.cumsum(table.pos + table.neg)
    targets = cum[-1] * np.arange(1, pieces) / pieces
    idx = np.minimum(np.searchsorted(cum, targets, side="left") + 1, table.scores.shape[0] - 1)
    return np.unique(table.scores[idx])


def _weighted_var(values: FloatArray, counts: IntArray, total: int) -> float:
    """``np.var(np.repeat(values, counts), ddof=1)`` without repeating (NaN below 2 rows)."""
    if total < 2:
        return math.nan
    c = counts.astype(np.float64)
    mean = float(np.dot(c, values)) / total
    dev = values - mean
    return float(np.dot(c, dev * dev)) / (total - 1)


def check_two_classes(m: int, n: int, name: str) -> None:
    """The in-memory path's refusal of rows of one class only, for a ranking metric."""
    if m == 0 or n == 0:
        only = "negative" if m == 0 else "positive"
        raise MeasurementError(
            f"y_true has only one class (every row is {only}); "
            f"{name} needs both positive and negative rows",
            field=name,
        )


def _auc_estimate(
    part: ScoreTable | AucSegment, levels: tuple[float, ...], *, name: str, level: float
) -> Estimate:
    """:func:`.stats.roc_auc_ci` from the merged score table (or its ranges' statistics)."""
    m, n = part.n_pos, part.n_neg
    check_two_classes(m, n, name)
    sums = AucSums.of(part) if isinstance(part, ScoreTable) else part.sums()
    details: dict[str, Any] = {"n_pos": m, "n_neg": n}
    method = "score-logit-delong"
    if min(m, n) < stats.ROC_AUC_MIN_CLASS:
        what = "positives" if m <= n else "negatives"
        reason = stats.too_few(min(m, n), what, name, stats.ROC_AUC_MIN_CLASS)
        info = {"positives": m, "negatives": n}
        return stats.refused_estimate(sums.auc, method, m + n, reason, info, details, level)
    se = math.sqrt(max(sums.variance, 0.0))
    intervals = {level_key(lv): stats._auc_interval(sums.auc, se, m, n, lv) for lv in levels}
    details.update({"se": se, "interval": "union of score (Newcombe 2006 m5) and logit-DeLong"})
    return stats._estimate(sums.auc, method, m + n, levels, intervals, details, level)


def paired_estimate(
    metric: str,
    part: Partial,
    levels: Sequence[float],
    *,
    level: float,
    n_boot: int,
    seed: int,
) -> Estimate:
    """The estimate of ``metric(a) - metric(b)`` from merged statistics (as ``compare``)."""
    lv = stats.normalise_levels(levels, metric)
    if isinstance(part, PairedCounts):
        return _paired_counts_estimate(metric, part, lv, level=level, n_boot=n_boot, seed=seed)
    if isinstance(part, PairedMoments):
        n = part.d.n
        stats._need_rows(n, metric)
        va, vb = part.a.mean, part.b.mean
        diff = va - vb
        se = part.d.sd / math.sqrt(n)
        intervals = stats._symmetric(diff, se, lv, -math.inf, math.inf)
        details: dict[str, Any] = {"se": se, "dist": "normal", "value_a": va, "value_b": vb}
        return stats._estimate(diff, "paired-clt", n, lv, intervals, details, level)
    if isinstance(part, CoMoments):
        n = part.n
        stats._need_rows(n, metric)
        ra, rb = math.sqrt(part.mean_a), math.sqrt(part.mean_b)
        grad = np.array([0.5 / ra if ra > 0 else 0.0, -0.5 / rb if rb > 0 else 0.0])
        cov = np.array([[part.m2_a, part.c_ab], [part.c_ab, part.m2_b]]) / (n - 1)
        se = math.sqrt(max(float(grad @ cov @ grad) / n, 0.0))
        diff = ra - rb
        intervals = stats._symmetric(diff, se, lv, -math.inf, math.inf)
        details = {"se": se, "dist": "normal", "value_a": ra, "value_b": rb}
        return stats._estimate(diff, "paired-delta", n, lv, intervals, details, level)
    raise MeasurementError(f"{type(part).__name__} statistics are not of a paired comparison")


def _paired_counts_estimate(
    metric: str,
    part: PairedCounts,
    levels: tuple[float, ...],
    *,
    level: float,
    n_boot: int,
    seed: int,
) -> Estimate:
    """:func:`.stats.count_metric_diff_ci` from the merged 2x2x2 table."""
    kind: stats.CountMetric = metric  # type: ignore[assignment]
    return stats.count_metric_diff_from_table(
        kind, part.cells, levels, n_boot=n_boot, seed=seed, label=metric, level=level
    )


# --------------------------------------------------------------------------------------------
# paired ROC AUC: two passes over the chunks


@dataclass(frozen=True)
class PairedTables:
    """Pass 1 of the paired ROC AUC: the score table of each model."""

    a: ScoreTable
    b: ScoreTable

    @classmethod
    def of_rows(
        cls, y: BoolArray, a: FloatArray, b: FloatArray, w: IntArray | None
    ) -> PairedTables:
        return cls(ScoreTable.of_rows(y, a, w), ScoreTable.of_rows(y, b, w))

    def merge(self, other: PairedTables) -> PairedTables:
        return PairedTables(merge_tables([self.a, other.a]), merge_tables([self.b, other.b]))

    @property
    def rows(self) -> int:
        return self.a.rows


@dataclass(frozen=True)
class Placement:
    """Each distinct score of one model (all rows) with the DeLong placement value of a
    positive (``v10``) and of a negative (``v01``) at that score."""

    scores: FloatArray
    v10: FloatArray
    v01: FloatArray

    @classmethod
    def of_table(cls, table: ScoreTable) -> Placement:
        pos, neg = table.pos, table.neg
        m, n = table.n_pos, table.n_neg
        twice_l = 2 * (np.cumsum(neg) - neg) + neg
        twice_k = 2 * (np.cumsum(pos) - pos) + pos
        return cls(table.scores, twice_l / (2.0 * n), 1.0 - twice_k / (2.0 * m))

    def at(self, scores: FloatArray, positive: bool) -> FloatArray:
        """The placement of rows of one class with these scores (each is in the table)."""
        idx = np.searchsorted(self.scores, scores)
        if idx.shape[0] and (
            int(idx.max()) >= self.scores.shape[0] or bool(np.any(self.scores[idx] != scores))
        ):
            raise MeasurementError(
                "a score of the second pass over the chunks was not in the first: the chunks "
                "must give the same rows each time they are read",
                field="roc_auc",
            )
        return np.asarray(self.v10[idx] if positive else self.v01[idx], dtype=np.float64)


@dataclass(frozen=True)
class PairedPlacements:
    """Pass 2: co-moments of the two models' placements, over positives and over negatives."""

    pos: CoMoments
    neg: CoMoments

    @classmethod
    def of_rows(
        cls,
        y: BoolArray,
        a: FloatArray,
        b: FloatArray,
        w: IntArray | None,
        pa: Placement,
        pb: Placement,
    ) -> PairedPlacements:
        wp = None if w is None else w[y]
        wn = None if w is None else w[~y]
        return cls(
            CoMoments.of_values(pa.at(a[y], True), pb.at(b[y], True), wp),
            CoMoments.of_values(pa.at(a[~y], False), pb.at(b[~y], False), wn),
        )

    def merge(self, other: PairedPlacements) -> PairedPlacements:
        return PairedPlacements(self.pos.merge(other.pos), self.neg.merge(other.neg))

    @property
    def rows(self) -> int:
        return self.pos.n + self.neg.n


def paired_auc_estimate(
    tables: PairedTables,
    placements: PairedPlacements,
    levels: Sequence[float],
    *,
    level: float,
    name: str = "roc_auc",
) -> Estimate:
    """:func:`.stats.roc_auc_diff_ci` from the two passes' statistics."""
    lv = stats.normalise_levels(levels, name)
    m, n = tables.a.n_pos, tables.a.n_neg
    check_two_classes(m, n, name)
    auc_a, auc_b = AucSums.of(tables.a).auc, AucSums.of(tables.b).auc
    diff = auc_a - auc_b
    details: dict[str, Any] = {"n_pos": m, "n_neg": n, "value_a": auc_a, "value_b": auc_b}
    method = "paired-mover-score-logit-delong"
    if min(m, n) < stats.ROC_AUC_DIFF_MIN_CLASS:
        what = "positives" if m <= n else "negatives"
        reason = stats.too_few(min(m, n), what, name, stats.ROC_AUC_DIFF_MIN_CLASS)
        info = {"positives": m, "negatives": n}
        return stats.refused_estimate(diff, method, m + n, reason, info, details, level)
    p, q = placements.pos, placements.neg
    va = max(p.m2_a / (m - 1) / m + q.m2_a / (n - 1) / n, 0.0)
    vb = max(p.m2_b / (m - 1) / m + q.m2_b / (n - 1) / n, 0.0)
    cov = p.c_ab / (m - 1) / m + q.c_ab / (n - 1) / n
    var = va + vb - 2.0 * cov
    r = max(-1.0, min(1.0, cov / math.sqrt(va * vb))) if va > 0 and vb > 0 else 0.0
    se_a, se_b = math.sqrt(va), math.sqrt(vb)
    intervals: dict[float, tuple[float, float]] = {}
    for lvl in lv:
        la, ua = stats._auc_interval(auc_a, se_a, m, n, lvl)
        lb, ub = stats._auc_interval(auc_b, se_b, m, n, lvl)
        da, db = auc_a - la, ub - auc_b
        low = diff - math.sqrt(max(da * da + db * db - 2.0 * r * da * db, 0.0))
        ea, eb = ua - auc_a, auc_b - lb
        high = diff + math.sqrt(max(ea * ea + eb * eb - 2.0 * r * ea * eb, 0.0))
        intervals[level_key(lvl)] = (max(-1.0, min(diff, low)), min(1.0, max(diff, high)))
    details.update(
        {"se": math.sqrt(max(var, 0.0)), "r": r, "interval": "MOVER (Zou & Donner 2008)"}
    )
    return stats._estimate(diff, method, m + n, lv, intervals, details, level)


# --------------------------------------------------------------------------------------------
# fingerprints of rows that arrive in chunks


class Fingerprint:
    """:func:`.metrics.data_fingerprint` of the concatenated labels, fed chunk by chunk.

    With frequency weights, the weights are hashed after the labels (marked as such), so a
    weighted data set never shares a fingerprint with an unweighted one.
    """

    def __init__(self) -> None:
        self._labels = hashlib.sha256()
        self._weights: Any = None
        self.rows = 0

    def update(self, y: npt.ArrayLike, w: IntArray | None = None) -> None:
        arr = np.ascontiguousarray(np.asarray(y, dtype="<f8").reshape(-1))
        self._labels.update(arr.tobytes())
        self.rows += int(arr.shape[0])
        if w is not None:
            if self._weights is None:
                self._weights = hashlib.sha256()
            self._weights.update(np.ascontiguousarray(w, dtype="<i8").tobytes())

    def hexdigest(self) -> str:
        h = self._labels.copy()
        h.update(f"|{self.rows}".encode())
        if self._weights is not None:
            h.update(b"|weights|" + self._weights.digest())
        return h.hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# shards: the statistics in a report, read back with suspicion, and merged into one estimate

#: ``kind`` of a shard measurement that carries no statistics (its metric cannot merge, or its
#: score table was too large to carry); merging it is refused with ``reason``.
NONE_KIND = "none"
_MAX_INT = 2**53
_FP_HEX = frozenset("0123456789abcdef")


def partial_to_json(
    part: Partial | None,
    *,
    shard: tuple[int, int],
    fingerprint: str,
    reason: str | None = None,
    levels: Sequence[float] = (),
) -> dict[str, Any]:
    """What a shard's estimate carries in ``details["partial"]`` (bounded: see MAX_TABLE).

    ``levels`` are the two-sided levels the shard's run computed (its criteria's), so that the
    merged estimate has the same intervals even where a shard alone had too few rows for one.
    """
    out: dict[str, Any] = {"shard": [shard[0], shard[1]], "fingerprint": fingerprint}
    if levels:
        out["levels"] = sorted({level_key(lv) for lv in levels})[:MAX_LEVELS]
    if isinstance(part, ScoreTable) and part.scores.shape[0] > MAX_TABLE:
        reason = (
            f"its score table has {part.scores.shape[0]} distinct scores, more than the "
            f"{MAX_TABLE} a report carries"
        )
        part = None
    if isinstance(part, AucSegment):
        reason = "from Dask arrays it is ranked by score ranges, whose statistics cannot merge"
        part = None
    if part is None:
        out.update({"kind": NONE_KIND, "reason": reason or "no statistics were recorded"})
        return out
    if isinstance(part, Counts):
        out["kind"] = "counts"
        out["stats"] = {
            "table": list(part.table),
            "threshold": part.threshold,
            "binary": part.binary,
            "hard": None if part.hard is None else list(part.hard),
        }
    elif isinstance(part, ScoreTable):
        out["kind"] = "table"
        out["stats"] = {
            "scores": [float(x) for x in part.scores],
            "pos": [int(x) for x in part.pos],
            "neg": [int(x) for x in part.neg],
        }
    elif isinstance(part, Moments):
        out["kind"] = "moments"
        out["stats"] = {
            "n": part.n,
            "mean": part.mean,
            "m2": part.m2,
            "m3": part.m3,
            "n_pos": part.n_pos,
            "eps": part.eps,
        }
    else:
        raise MeasurementError(f"{type(part).__name__} statistics do not travel in a report")
    return out


def _bad(message: str, field: str) -> MeasurementError:
    return MeasurementError(message, field=field)


def _int(data: Mapping[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_INT:
        raise _bad(f"must be a whole number from 0 to 2**53, got {value!r:.40}", f"{where}.{key}")
    return value


def _float(data: Mapping[str, Any], key: str, where: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(f"must be a finite number, got {value!r:.40}", f"{where}.{key}")
    return float(value)


def _ints(value: object, size: int | None, field: str) -> list[int]:
    if not isinstance(value, list) or (size is not None and len(value) != size):
        want = f"{size} " if size is not None else ""
        raise _bad(f"must be a list of {want}whole numbers", field)
    for x in value:
        if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x <= _MAX_INT:
            raise _bad(f"must hold whole numbers from 0 to 2**53, got {x!r:.40}", field)
    return list(value)


def _stats_from_json(kind: str, data: Mapping[str, Any], where: str) -> Partial:
    if kind == "counts":
        table = tuple(_ints(data.get("table"), 4, f"{where}.table"))
        threshold = _float(data, "threshold", where)
        binary = data.get("binary")
        if not isinstance(binary, bool):
            raise _bad("must be true or false", f"{where}.binary")
        raw_hard = data.get("hard")
        hard = None if raw_hard is None else tuple(_ints(raw_hard, 4, f"{where}.hard"))
        if _rules_differ(threshold) != (hard is not None) or (
            hard is not None and sum(hard) != sum(table)
        ):
            raise _bad("does not match the threshold and the table", f"{where}.hard")
        return Counts(table, threshold, binary, hard)
    if kind == "moments":
        n, n_pos = _int(data, "n", where), _int(data, "n_pos", where)
        mean, m2, m3 = (_float(data, k, where) for k in ("mean", "m2", "m3"))
        if n_pos > n:
            raise _bad(f"is {n_pos}, more than the {n} rows", f"{where}.n_pos")
        if m2 < 0.0:
            raise _bad(f"is negative ({m2})", f"{where}.m2")
        eps = None if data.get("eps") is None else _float(data, "eps", where)
        return Moments(n, mean, m2, m3, n_pos, eps)
    if kind == "table":
        raw = data.get("scores")
        if not isinstance(raw, list) or len(raw) > MAX_TABLE:
            raise _bad(f"must be a list of at most {MAX_TABLE} numbers", f"{where}.scores")
        scores = np.array([_float({"s": x}, "s", f"{where}.scores") for x in raw], dtype=np.float64)
        if scores.shape[0] > 1 and not bool(np.all(np.diff(scores) > 0)):
            raise _bad("must be strictly increasing", f"{where}.scores")
        pos = np.array(_ints(data.get("pos"), len(raw), f"{where}.pos"), dtype=np.int64)
        neg = np.array(_ints(data.get("neg"), len(raw), f"{where}.neg"), dtype=np.int64)
        return ScoreTable(scores, pos, neg)
    raise _bad(f"must be counts, moments, table or {NONE_KIND}, got {kind!r:.40}", "kind")


@dataclass(frozen=True)
class ShardStats:
    """One shard's statistics as a report carries them, checked."""

    shard: int
    shards: int
    fingerprint: str
    part: Partial | None
    reason: str | None
    levels: tuple[float, ...] = ()


def partial_from_json(data: object) -> ShardStats:
    """Read ``details["partial"]``; a :class:`MeasurementError` whose field is the bad key."""
    if not isinstance(data, Mapping):
        raise _bad("must be an object", "partial")
    shard = data.get("shard")
    if (
        not isinstance(shard, list)
        or len(shard) != 2
        or any(isinstance(x, bool) or not isinstance(x, int) for x in shard)
        or not 1 <= shard[0] <= shard[1] <= MAX_SHARDS
    ):
        raise _bad(f"must be [k, K] with 1 <= k <= K <= {MAX_SHARDS}", "shard")
    fp = data.get("fingerprint")
    if not isinstance(fp, str) or len(fp) != 16 or not set(fp) <= _FP_HEX:
        raise _bad("must be 16 lowercase hex digits", "fingerprint")
    raw_levels = data.get("levels") or []
    if not isinstance(raw_levels, list) or len(raw_levels) > MAX_LEVELS:
        raise _bad(f"must be a list of at most {MAX_LEVELS} levels", "levels")
    levels = tuple(_float({"level": x}, "level", "levels") for x in raw_levels)
    if any(not 0.0 < lv < 1.0 for lv in levels):
        raise _bad("must hold levels strictly between 0 and 1", "levels")
    kind = data.get("kind")
    if kind == NONE_KIND:
        reason = data.get("reason")
        if not isinstance(reason, str) or len(reason) > 300:
            raise _bad("must be a short text", "reason")
        return ShardStats(shard[0], shard[1], fp, None, reason, levels)
    raw = data.get("stats")
    if not isinstance(raw, Mapping):
        raise _bad("must be an object", "stats")
    part = _stats_from_json(str(kind), raw, "stats")
    return ShardStats(shard[0], shard[1], fp, part, None, levels)


def _kind_fits(metric: str, part: Partial) -> bool:
    kind = KINDS.get(metric)
    if isinstance(part, Counts):
        return kind == "counts"
    if isinstance(part, ScoreTable):
        return kind == "table"
    if isinstance(part, Moments):
        return kind in ("loss", "mean", "squares") and (part.eps is None) == (metric != "log_loss")
    return False


def shards_fingerprint(fingerprints: Sequence[str]) -> str:
    """The fingerprint of rows evaluated as shards: a hash of the shards' fingerprints in
    shard order (not the fingerprint one run over all rows gets: a hash cannot be merged)."""
    h = hashlib.sha256(("shards|" + ",".join(fingerprints)).encode())
    return h.hexdigest()[:16]


def merge_shards(
    metric: str,
    shards: Sequence[tuple[Estimate, str | None, ShardStats]],
) -> tuple[Estimate, str]:
    """One estimate of ``metric`` from every shard: ``(estimate, fingerprint)``.

    ``shards`` holds, per shard measurement, its estimate, the measurement's fingerprint and
    its checked statistics. Refused (a :class:`MeasurementError` naming the metric) when a
    shard is missing or repeated, two shards hold the same rows, a shard's statistics do not
    give the value and row count it reported, or the metric cannot be merged.
    """
    total = shards[0][2].shards
    seen: dict[int, tuple[Estimate, ShardStats]] = {}
    prints: dict[str, int] = {}
    for est, fp, st in shards:
        if st.shards != total:
            raise _bad(f"shards disagree on the number of shards ({total} and {st.shards})", metric)
        if st.shard in seen:
            raise _bad(f"shard {st.shard}/{total} appears twice", metric)
        if st.part is None:
            raise _bad(f"cannot be merged from shards: {st.reason}", metric)
        if fp != st.fingerprint:
            raise _bad(
                f"shard {st.shard}/{total}: its statistics' fingerprint {st.fingerprint} is not "
                f"the measurement's ({fp})",
                metric,
            )
        if st.fingerprint in prints:
            raise _bad(
                f"shards {prints[st.fingerprint]} and {st.shard} of {total} hold the same rows "
                f"(fingerprint {st.fingerprint}); each row must be in one shard",
                metric,
            )
        if not _kind_fits(metric, st.part):
            raise _bad(f"shard {st.shard}/{total} carries statistics of another metric", metric)
        _check_consistent(metric, est, st)
        prints[st.fingerprint] = st.shard
        seen[st.shard] = (est, st)
    missing = [str(k) for k in range(1, total + 1) if k not in seen]
    if missing:
        listed = ", ".join(missing)
        raise _bad(f"shard(s) {listed} of {total} missing: every shard must be merged", metric)
    ordered = [seen[k] for k in range(1, total + 1)]
    parts = [st.part for _est, st in ordered if st.part is not None]
    first = ordered[0][0]
    levels = sorted(
        {lv for est, st in ordered for lv in (*est.intervals, *st.levels)} | {first.level}
    )
    out = _guarded(
        metric,
        "the merged statistics",
        lambda: estimate(metric, merge_all(parts), levels, level=first.level),
    )
    fps = [st.fingerprint for _est, st in ordered]
    return _with(out, shards=total), shards_fingerprint(fps)


def _guarded(metric: str, what: str, compute: Any) -> Estimate:
    """``compute()``, with statistics that overflow or give no finite estimate refused in one
    line (a report's numbers may be anything the loader lets through)."""
    try:
        with np.errstate(all="ignore"):
            est: Estimate = compute()
    except MeasurementError as exc:
        raise _bad(f"{what} give no estimate ({exc.message})", metric) from None
    except (ArithmeticError, ValueError) as exc:
        raise _bad(f"{what} give no estimate ({type(exc).__name__}: {exc})", metric) from None
    ends = [x for pair in est.intervals.values() for x in pair]
    if not all(math.isfinite(x) for x in (est.value, *ends)):
        raise _bad(f"{what} give no finite estimate", metric)
    return est


def _check_consistent(metric: str, est: Estimate, st: ShardStats) -> None:
    """A shard's statistics must give the value and row count its estimate reports."""
    assert st.part is not None
    where = f"shard {st.shard}/{st.shards}"
    if st.part.rows != est.n or st.part.rows == 0:
        raise _bad(
            f"{where}: its statistics count {st.part.rows} rows but its estimate {est.n}", metric
        )
    part = st.part
    value = _guarded(
        metric,
        f"{where}: its statistics",
        lambda: estimate(metric, part, [est.level], level=est.level),
    ).value
    if not math.isclose(value, est.value, rel_tol=1e-9, abs_tol=1e-12):
        raise _bad(
            f"{where}: its statistics give {value!r} but its estimate reports {est.value!r}",
            metric,
        )
