"""The public, pure metric API: named metrics with confidence intervals, and paired comparisons.

Why this module exists: tests and the plugin ask for metrics by name (``"roc_auc"``,
``"recall_at_fpr_0.01"``, a user-registered ``"profit"``) and need an :class:`Estimate` with
intervals at every confidence level the linked criteria use. This module owns the metric
definitions (written here to match scikit-learn's exactly, so the library works without
scikit-learn installed), the registry of user metrics, the input validation that turns bad data
into a :class:`MeasurementError` naming the metric instead of a NaN, and the dispatch to the
fast interval methods of :mod:`pytest_archgate.measure.stats`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure import stats
from pytest_archgate.measure.estimate import (
    DEFAULT_LEVEL,
    STANDARD_LEVELS,
    Estimate,
    check_evaluate_args,
    short_repr,
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Needs = Literal["score", "label", "proba"]
Task = Literal["binary", "regression", "any"]

NEEDS: tuple[str, ...] = ("score", "label", "proba")
RECALL_AT_FPR_PREFIX = "recall_at_fpr_"
_RECALL_AT_FPR_RE = re.compile(r"^recall_at_fpr_(\d+(?:\.\d*)?(?:[eE]-?\d+)?|\.\d+)$")


class MetricFn(Protocol):
    """A metric: ``fn(y_true, y_score, sample_weight=None) -> float``."""

    def __call__(
        self,
        y_true: npt.NDArray[Any],
        y_score: npt.NDArray[Any],
        sample_weight: npt.NDArray[Any] | None = None,
    ) -> float: ...


@dataclass(frozen=True)
class MetricSpec:
    """A named metric.

    ``needs`` says what ``fn`` receives as ``y_score``: raw scores (``"score"``), 0/1 labels
    thresholded at ``threshold`` (``"label"``), or class-1 probabilities checked to lie in
    [0, 1] (``"proba"``). ``task`` says what ``y_true`` must be (``"binary"``: only 0 and 1).
    """

    name: str
    fn: MetricFn
    higher_is_better: bool = True
    needs: Needs = "score"
    task: Task = "any"
    builtin: bool = False
    description: str = ""


# --------------------------------------------------------------------------------------------
# metric definitions (weighted, matching scikit-learn)


def _weights(sample_weight: npt.ArrayLike | None, n: int) -> FloatArray:
    if sample_weight is None:
        return np.ones(n, dtype=np.float64)
    return np.asarray(sample_weight, dtype=np.float64).reshape(-1)


def _weighted_curve(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, sample_weight: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted ``(tps, fps, thresholds)`` at each distinct score, highest score first."""
    y = np.asarray(y_true, dtype=np.float64).reshape(-1) == 1.0
    s = np.asarray(y_score, dtype=np.float64).reshape(-1)
    w = _weights(sample_weight, s.shape[0])
    order = np.argsort(-s, kind="stable")
    s, y, w = s[order], y[order], w[order]
    last = np.append(s[1:] != s[:-1], True)
    tps = np.cumsum(w * y)[last]
    fps = np.cumsum(w * ~y)[last]
    return tps, fps, s[last]


def roc_auc(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Area under the ROC curve (``sklearn.metrics.roc_auc_score``, binary, ties count 1/2)."""
    tps, fps, _ = _weighted_curve(y_true, y_score, sample_weight)
    tp0 = np.concatenate([[0.0], tps[:-1]])
    fp0 = np.concatenate([[0.0], fps[:-1]])
    area = float(np.sum((fps - fp0) * (tps + tp0))) / 2.0
    return area / (float(tps[-1]) * float(fps[-1]))


def average_precision(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Average precision ``sum_n (R_n - R_{n-1}) P_n``.

    Same definition as ``sklearn.metrics.average_precision_score`` (no interpolation, ties
    grouped into one threshold).
    """
    tps, fps, _ = _weighted_curve(y_true, y_score, sample_weight)
    return float(stats.average_precision_from_counts(tps, fps))


def recall_at_fpr(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    sample_weight: npt.ArrayLike | None = None,
    *,
    max_fpr: float = 0.01,
) -> float:
    """Recall at the lowest threshold whose false-positive rate is at most ``max_fpr``."""
    tps, fps, _ = _weighted_curve(y_true, y_score, sample_weight)
    return float(stats.recall_at_fpr_from_counts(tps, fps, max_fpr))


def _predict(y_score: FloatArray, threshold: float) -> BoolArray:
    """``y_score >= threshold``; hard 0/1 labels are taken as they are, whatever the threshold."""
    if _is_binary(y_score):
        return np.asarray(y_score == 1.0)
    return np.asarray(y_score >= threshold)


def _confusion(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    sample_weight: npt.ArrayLike | None,
    threshold: float,
) -> tuple[float, float, float, float]:
    y = np.asarray(y_true, dtype=np.float64).reshape(-1) == 1.0
    p = _predict(np.asarray(y_score, dtype=np.float64).reshape(-1), threshold)
    w = _weights(sample_weight, y.shape[0])
    tp = float(np.sum(w[y & p]))
    fp = float(np.sum(w[~y & p]))
    fn = float(np.sum(w[y & ~p]))
    tn = float(np.sum(w[~y & ~p]))
    return tp, fp, fn, tn


def accuracy(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    sample_weight: npt.ArrayLike | None = None,
    *,
    threshold: float = 0.5,
) -> float:
    """Share of rows whose prediction ``y_score >= threshold`` equals ``y_true``."""
    return stats.count_metric_value(
        "accuracy", *_confusion(y_true, y_score, sample_weight, threshold)
    )


def precision(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    sample_weight: npt.ArrayLike | None = None,
    *,
    threshold: float = 0.5,
) -> float:
    """``tp / (tp + fp)`` at ``threshold`` (0 when nothing is predicted positive, as sklearn)."""
    return stats.count_metric_value(
        "precision", *_confusion(y_true, y_score, sample_weight, threshold)
    )


def recall(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    sample_weight: npt.ArrayLike | None = None,
    *,
    threshold: float = 0.5,
) -> float:
    """``tp / (tp + fn)`` at ``threshold``."""
    return stats.count_metric_value(
        "recall", *_confusion(y_true, y_score, sample_weight, threshold)
    )


def f1(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    sample_weight: npt.ArrayLike | None = None,
    *,
    threshold: float = 0.5,
) -> float:
    """``2 tp / (2 tp + fp + fn)`` at ``threshold`` (the harmonic mean of precision and recall)."""
    return stats.count_metric_value("f1", *_confusion(y_true, y_score, sample_weight, threshold))


def _average(values: FloatArray, sample_weight: npt.ArrayLike | None) -> float:
    if sample_weight is None:
        return float(np.mean(values))
    return float(np.average(values, weights=_weights(sample_weight, values.shape[0])))


def log_loss(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Mean binary cross-entropy, natural log (``sklearn.metrics.log_loss``).

    Probabilities are clipped to ``[eps, 1 - eps]`` with ``eps`` the machine epsilon of their
    dtype, as scikit-learn does.
    """
    p = np.asarray(y_score)
    if not np.issubdtype(p.dtype, np.floating):
        p = p.astype(np.float64)
    y = np.asarray(y_true, dtype=np.float64).reshape(-1) == 1.0
    return _average(stats.log_loss_rows(y, p.reshape(-1)), sample_weight)


def brier(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Mean squared error of the class-1 probability (``sklearn.metrics.brier_score_loss``)."""
    y = np.asarray(y_true, dtype=np.float64).reshape(-1) == 1.0
    p = np.asarray(y_score, dtype=np.float64).reshape(-1)
    return _average(stats.brier_rows(y, p), sample_weight)


def mae(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Mean absolute error (``sklearn.metrics.mean_absolute_error``)."""
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    p = np.asarray(y_score, dtype=np.float64).reshape(-1)
    return _average(stats.abs_error_rows(y, p), sample_weight)


def rmse(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Root mean squared error (``sklearn.metrics.root_mean_squared_error``)."""
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    p = np.asarray(y_score, dtype=np.float64).reshape(-1)
    return math.sqrt(_average((y - p) ** 2, sample_weight))


def r2(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Coefficient of determination ``1 - SSE / SST`` (``sklearn.metrics.r2_score``)."""
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    p = np.asarray(y_score, dtype=np.float64).reshape(-1)
    w = _weights(sample_weight, y.shape[0])
    mean = float(np.average(y, weights=w))
    sst = float(np.sum(w * (y - mean) ** 2))
    if sst == 0.0:
        raise MeasurementError("r2 is undefined: y_true is constant", field="r2")
    return 1.0 - float(np.sum(w * (y - p) ** 2)) / sst


BUILTIN_METRICS: Mapping[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec("roc_auc", roc_auc, True, "score", "binary", True, "ROC AUC, score/logit CI"),
        MetricSpec(
            "average_precision",
            average_precision,
            True,
            "score",
            "binary",
            True,
            "average precision, stratified bootstrap CI",
        ),
        MetricSpec("accuracy", accuracy, True, "score", "binary", True, "accuracy, exact CI"),
        MetricSpec("precision", precision, True, "score", "binary", True, "precision, exact CI"),
        MetricSpec("recall", recall, True, "score", "binary", True, "recall, exact CI"),
        MetricSpec("f1", f1, True, "score", "binary", True, "F1, exact CI via Jaccard"),
        MetricSpec("log_loss", log_loss, False, "proba", "binary", True, "log loss, Hall CI"),
        MetricSpec("brier", brier, False, "proba", "binary", True, "Brier score, Hall CI"),
        MetricSpec("mae", mae, False, "score", "regression", True, "mean abs. error, CLT CI"),
        MetricSpec("rmse", rmse, False, "score", "regression", True, "RMSE, delta-method CI"),
        MetricSpec("r2", r2, True, "score", "regression", True, "R^2, delta-method CI"),
    )
}

_REGISTRY: dict[str, MetricSpec] = {}


def register_metric(
    name: str,
    fn: MetricFn | Callable[..., float],
    *,
    higher_is_better: bool = True,
    needs: Needs = "score",
    replace: bool = False,
) -> MetricSpec:
    """Register a user metric ``fn(y_true, y_score, sample_weight=None) -> float``.

    Its intervals come from the weighted bootstrap: ``fn`` is called once per resample with
    ``sample_weight`` set to the resample counts of the rows (stratified by class when ``y_true``
    is 0/1), so ``fn`` must honour ``sample_weight``. Built-in names cannot be replaced;
    re-registering a user name needs ``replace=True``.
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", name):
        raise MeasurementError(
            "a metric name must be an identifier-like string (letters, digits, _ . -)",
            field=str(name),
        )
    if name in BUILTIN_METRICS or _RECALL_AT_FPR_RE.match(name):
        raise MeasurementError("is a built-in metric and cannot be re-registered", field=name)
    if name in _REGISTRY and not replace:
        raise MeasurementError("is already registered; pass replace=True to replace it", field=name)
    if not callable(fn):
        raise MeasurementError(f"metric function must be callable, got {fn!r}", field=name)
    if needs not in NEEDS:
        raise MeasurementError(
            f"needs must be one of {', '.join(NEEDS)}, got {needs!r}", field=name
        )
    spec = MetricSpec(name, fn, bool(higher_is_better), needs, "any", False, "user metric")
    _REGISTRY[name] = spec
    return spec


def unregister_metric(name: str) -> None:
    """Remove a user metric (no error when it is not registered)."""
    _REGISTRY.pop(name, None)


def _parse_recall_at_fpr(name: str) -> float | None:
    m = _RECALL_AT_FPR_RE.match(name)
    if m is None:
        return None
    max_fpr = float(m.group(1))
    if not (0.0 <= max_fpr < 1.0):
        raise MeasurementError(
            f"the false-positive rate in {name!r} must be in [0, 1), e.g. recall_at_fpr_0.01",
            field=name,
        )
    return max_fpr


def get_metric(name: str) -> MetricSpec:
    """The spec of a built-in, ``recall_at_fpr_<rate>`` or registered metric."""
    if not isinstance(name, str):
        raise MeasurementError(f"a metric name must be a string, got {name!r}", field=str(name))
    if name in BUILTIN_METRICS:
        return BUILTIN_METRICS[name]
    max_fpr = _parse_recall_at_fpr(name)
    if max_fpr is not None:

        def fn(
            y_true: npt.NDArray[Any],
            y_score: npt.NDArray[Any],
            sample_weight: npt.NDArray[Any] | None = None,
        ) -> float:
            return recall_at_fpr(y_true, y_score, sample_weight, max_fpr=max_fpr)

        return MetricSpec(name, fn, True, "score", "binary", True, f"recall at FPR <= {max_fpr:g}")
    if name in _REGISTRY:
        return _REGISTRY[name]
    if name.startswith(RECALL_AT_FPR_PREFIX):
        raise MeasurementError(
            f"cannot read a false-positive rate from {name!r}; write e.g. recall_at_fpr_0.01",
            field=name,
        )
    raise MeasurementError(
        f"unknown metric; known metrics: {', '.join(metric_names())}, "
        f"{RECALL_AT_FPR_PREFIX}<rate> (e.g. recall_at_fpr_0.01), or register one with "
        "pytest_archgate.measure.metrics.register_metric",
        field=name,
    )


def metric_names() -> list[str]:
    """Names of the built-in and registered metrics (``recall_at_fpr_<rate>`` not listed)."""
    return [*BUILTIN_METRICS, *sorted(_REGISTRY)]


# --------------------------------------------------------------------------------------------
# validation


def _is_binary(values: FloatArray) -> bool:
    return bool(np.all((values == 0.0) | (values == 1.0)))


def _as_vector(values: object, what: str, metric: str) -> FloatArray:
    try:
        arr = np.asarray(values)
    except Exception as exc:  # ragged lists and the like
        raise MeasurementError(f"{what} cannot be read as an array: {exc}", field=metric) from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise MeasurementError(
            f"{what} must be one-dimensional, got shape {arr.shape}", field=metric
        )
    if arr.dtype == np.bool_:
        arr = arr.astype(np.float64)
    if not (np.issubdtype(arr.dtype, np.number)) or np.issubdtype(arr.dtype, np.complexfloating):
        raise MeasurementError(f"{what} must be numeric, got dtype {arr.dtype}", field=metric)
    if arr.shape[0] == 0:
        raise MeasurementError(f"{what} is empty", field=metric)
    out = arr.astype(np.float64) if arr.dtype != np.float64 else arr
    bad = ~np.isfinite(out)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise MeasurementError(
            f"{what} contains {int(bad.sum())} NaN or infinite value(s) (first at row {first})",
            field=metric,
        )
    return out


def _check_lengths(metric: str, **arrays: FloatArray) -> int:
    lengths = {k: int(v.shape[0]) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise MeasurementError(f"arrays must have the same number of rows: {listed}", field=metric)
    return next(iter(lengths.values()))


def _check_binary_truth(y: FloatArray, spec: MetricSpec, ranking: bool) -> BoolArray:
    if not _is_binary(y):
        seen = np.unique(y)
        shown = ", ".join(f"{v:g}" for v in seen[:5]) + (", ..." if seen.shape[0] > 5 else "")
        raise MeasurementError(
            f"y_true must contain only 0 and 1 for a classification metric, got values {shown}",
            field=spec.name,
        )
    yb = np.asarray(y == 1.0)
    if ranking:
        n_pos = int(yb.sum())
        if n_pos == 0 or n_pos == yb.shape[0]:
            only = "positive" if n_pos else "negative"
            raise MeasurementError(
                f"y_true has only one class (every row is {only}); "
                f"{spec.name} needs both positive and negative rows",
                field=spec.name,
            )
    return yb


def _check_proba(p: FloatArray, what: str, metric: str) -> None:
    lo, hi = float(p.min()), float(p.max())
    if lo < 0.0 or hi > 1.0:
        raise MeasurementError(
            f"{what} must hold probabilities in [0, 1], got values in [{lo:g}, {hi:g}]",
            field=metric,
        )


def _proba_eps(values: object) -> float:
    """Clipping eps for log loss: the machine epsilon of the caller's float dtype (as sklearn)."""
    dtype = getattr(values, "dtype", None)
    if dtype is not None and np.issubdtype(dtype, np.floating):
        return float(np.finfo(dtype).eps)
    return float(np.finfo(np.float64).eps)


def _check_threshold(threshold: float, metric: str) -> float:
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        raise MeasurementError(f"threshold {threshold!r} is not a number", field=metric) from None
    if not math.isfinite(t):
        raise MeasurementError(f"threshold must be finite, got {threshold!r}", field=metric)
    return t


_RANKING = ("roc_auc", "average_precision")
_COUNT_KINDS: dict[str, stats.CountMetric] = {
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall",
    "f1": "f1",
}
_COUNTS = tuple(_COUNT_KINDS)


def _is_ranking(spec: MetricSpec) -> bool:
    return spec.name in _RANKING or (spec.builtin and spec.name.startswith(RECALL_AT_FPR_PREFIX))


def _prepare(
    spec: MetricSpec, y_true: object, scores: Mapping[str, object]
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Validated float64 ``y_true`` and score arrays for one metric."""
    y = _as_vector(y_true, "y_true", spec.name)
    out = {what: _as_vector(s, what, spec.name) for what, s in scores.items()}
    _check_lengths(spec.name, y_true=y, **out)
    if spec.task == "binary":
        _check_binary_truth(y, spec, _is_ranking(spec))
    if spec.needs == "proba":
        for what, s in out.items():
            _check_proba(s, what, spec.name)
    return y, out


def _user_value(spec: MetricSpec, y: FloatArray, s: FloatArray, w: FloatArray | None) -> float:
    where = "" if w is None else " on a bootstrap resample"
    try:
        raw = spec.fn(y, s, sample_weight=w)
    except MeasurementError:
        raise
    except Exception as exc:
        raise MeasurementError(
            f"user metric raised {type(exc).__name__}{where}: {exc}", field=spec.name
        ) from exc
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise MeasurementError(
            f"user metric returned {raw!r}{where}, not a number", field=spec.name
        ) from None
    if not math.isfinite(value):
        raise MeasurementError(
            f"user metric returned {value}{where}; a metric must return a finite number",
            field=spec.name,
        )
    return value


def _all_levels(level: float, levels: Iterable[float], metric: str) -> tuple[float, ...]:
    """``level``, ``levels`` and the standard set: an estimate made here, inside the fixture or
    not, can be judged at the usual confidences on exactly the level each one needs."""
    return stats.normalise_levels([level, *levels, *STANDARD_LEVELS], metric)


# --------------------------------------------------------------------------------------------
# public API


def evaluate(
    y_true: npt.ArrayLike | None = None,
    y_score: npt.ArrayLike | None = None,
    metrics: str | Sequence[str] = ("roc_auc",),
    *,
    threshold: float = 0.5,
    level: float = DEFAULT_LEVEL,
    levels: Iterable[float] = (),
    n_boot: int = stats.DEFAULT_N_BOOT,
    seed: int = stats.DEFAULT_SEED,
    chunks: Iterable[Sequence[Any]] | None = None,
) -> dict[str, Estimate]:
    """Named metrics of one set of predictions, each with two-sided intervals.

    Intervals are computed at ``level`` (the one reports show), at every level in ``levels``
    and at :data:`~.estimate.STANDARD_LEVELS`. Classification metrics need 0/1
    ``y_true``; ``y_score`` is a score or probability of class 1 (``score >= threshold``
    predicts 1; hard 0/1 labels are used as they are). Regression metrics (mae, rmse, r2) take
    ``y_score`` as the predictions.
    ``n_boot`` and ``seed`` drive the bootstrap-based intervals.

    Inputs too large for memory: ``chunks`` instead of the arrays, an iterable of
    ``(y_true, y_score)`` or ``(y_true, y_score, sample_weight)`` tuples (integer frequency
    weights), or Dask arrays as ``y_true`` and ``y_score`` (the ``dask`` extra). The metrics
    that merge exactly from per-chunk statistics (:mod:`~.partial`) give the same estimates as
    the arrays in memory; the others are refused with an error naming them.
    """
    names, *_ = check_evaluate_args(
        metrics, threshold=threshold, level=level, n_boot=n_boot, seed=seed
    )
    if chunks is not None or _is_dask(y_true) or _is_dask(y_score):
        return evaluate_parts(
            parts_of(y_true, y_score, chunks=chunks),
            names,
            threshold=threshold,
            level=level,
            levels=levels,
        ).estimates
    out: dict[str, Estimate] = {}
    for name in names:
        spec = get_metric(name)
        lv = _all_levels(level, levels, spec.name)
        t = _check_threshold(threshold, spec.name)
        y, s = _prepare(spec, y_true, {"y_score": y_score})
        eps = _proba_eps(y_score)
        out[name] = _evaluate_one(spec, y, s["y_score"], t, lv, level, n_boot, seed, eps)
    return out


def _evaluate_one(
    spec: MetricSpec,
    y: FloatArray,
    s: FloatArray,
    threshold: float,
    lv: tuple[float, ...],
    level: float,
    n_boot: int,
    seed: int,
    eps: float,
) -> Estimate:
    name = spec.name
    kw: dict[str, Any] = {"name": name, "level": level}
    yb = y == 1.0
    if name == "roc_auc":
        return stats.roc_auc_ci(yb, s, lv, **kw)
    if name == "average_precision":
        return stats.average_precision_ci(yb, s, lv, n_boot=n_boot, seed=seed, **kw)
    if spec.builtin and name.startswith(RECALL_AT_FPR_PREFIX):
        max_fpr = _parse_recall_at_fpr(name)
        assert max_fpr is not None
        return stats.rank_metric_ci(
            "recall_at_fpr", yb, s, lv, max_fpr=max_fpr, n_boot=n_boot, seed=seed, **kw
        )
    if name in _COUNTS:
        est = stats.count_metric_ci(
            _COUNT_KINDS[name],
            yb,
            _predict(s, threshold),
            lv,
            n_boot=n_boot,
            seed=seed,
            **kw,
        )
        return _with_details(est, threshold=threshold)
    if name == "log_loss":
        # skew-corrected, refused at too few rows of the rarer class (see stats.loss_mean_ci)
        return stats.loss_mean_ci(stats.log_loss_rows(yb, s, eps), yb, lv, lo=0.0, **kw)
    if name == "brier":
        return stats.loss_mean_ci(stats.brier_rows(yb, s), yb, lv, lo=0.0, hi=1.0, **kw)
    if name == "mae":
        return stats.mean_ci(stats.abs_error_rows(y, s), lv, lo=0.0, **kw)
    if name == "rmse":
        return stats.rmse_ci(y, s, lv, **kw)
    if name == "r2":
        return stats.r2_ci(y, s, lv, **kw)
    # user metric
    x = _user_input(spec, s, threshold)
    value = _user_value(spec, y, x, None)
    return stats.weighted_bootstrap_ci(
        lambda w: _user_value(spec, y, x, w), y, value, lv, n_boot=n_boot, seed=seed, **kw
    )


def _user_input(spec: MetricSpec, s: FloatArray, threshold: float) -> FloatArray:
    if spec.needs == "label":
        return _predict(s, threshold).astype(np.float64)
    return s


def _with_details(est: Estimate, **extra: Any) -> Estimate:
    return Estimate(
        value=est.value,
        method=est.method,
        n=est.n,
        level=est.level,
        intervals=est.intervals,
        details={**est.details, **extra},
    )


def compare(
    y_true: npt.ArrayLike | None = None,
    score_a: npt.ArrayLike | None = None,
    score_b: npt.ArrayLike | None = None,
    metric: str | None = None,
    *,
    threshold: float = 0.5,
    level: float = DEFAULT_LEVEL,
    levels: Iterable[float] = (),
    n_boot: int = stats.DEFAULT_N_BOOT,
    seed: int = stats.DEFAULT_SEED,
    chunks: Iterable[Sequence[Any]] | None = None,
) -> Estimate:
    """Paired difference ``metric(score_a) - metric(score_b)`` on the same rows.

    Uses the paired method of each metric (paired DeLong, Newcombe, multinomial bootstrap of the
    joint confusion table, CLT or delta method on per-row differences, or a bootstrap applying
    the same resample weights to both). ``details`` holds both values and the rows' fingerprint.
    Intervals are computed at ``level``, ``levels`` and the standard set, as in :func:`evaluate`.
    ``chunks`` (``(y_true, score_a, score_b[, sample_weight])`` tuples) or Dask arrays work as in
    :func:`evaluate`, for the metrics whose paired statistics merge exactly.
    """
    if not isinstance(metric, str):
        raise MeasurementError(f"must be a metric name, got {short_repr(metric)}", field="metric")
    check_evaluate_args(metric, threshold=threshold, level=level, n_boot=n_boot, seed=seed)
    if chunks is not None or any(_is_dask(x) for x in (y_true, score_a, score_b)):
        parts = evaluate_parts(
            parts_of(y_true, score_a, score_b, chunks=chunks),
            [metric],
            threshold=threshold,
            level=level,
            levels=levels,
            n_boot=n_boot,
            seed=seed,
            paired=True,
            fingerprint=True,
        )
        return _with_details(parts.estimates[metric], fingerprint=parts.fingerprint)
    spec = get_metric(metric)
    name = spec.name
    lv = _all_levels(level, levels, name)
    t = _check_threshold(threshold, name)
    y, s = _prepare(spec, y_true, {"score_a": score_a, "score_b": score_b})
    a, b = s["score_a"], s["score_b"]
    eps = max(_proba_eps(score_a), _proba_eps(score_b))
    est = _compare_one(spec, y, a, b, t, lv, level, n_boot, seed, eps)
    extra: dict[str, Any] = {
        "fingerprint": data_fingerprint(y),
        "higher_is_better": spec.higher_is_better,
    }
    if spec.name in _COUNTS or spec.needs == "label":
        extra["threshold"] = t
    return _with_details(est, **extra)


def _compare_one(
    spec: MetricSpec,
    y: FloatArray,
    a: FloatArray,
    b: FloatArray,
    threshold: float,
    lv: tuple[float, ...],
    level: float,
    n_boot: int,
    seed: int,
    eps: float,
) -> Estimate:
    name = spec.name
    kw: dict[str, Any] = {"name": name, "level": level}
    yb = y == 1.0
    if name == "roc_auc":
        return stats.roc_auc_diff_ci(yb, a, b, lv, **kw)
    if name == "average_precision":
        return stats.rank_metric_diff_ci(
            "average_precision", yb, a, b, lv, n_boot=n_boot, seed=seed, **kw
        )
    if spec.builtin and name.startswith(RECALL_AT_FPR_PREFIX):
        max_fpr = _parse_recall_at_fpr(name)
        assert max_fpr is not None
        return stats.rank_metric_diff_ci(
            "recall_at_fpr", yb, a, b, lv, max_fpr=max_fpr, n_boot=n_boot, seed=seed, **kw
        )
    if name in _COUNTS:
        return stats.count_metric_diff_ci(
            _COUNT_KINDS[name],
            yb,
            _predict(a, threshold),
            _predict(b, threshold),
            lv,
            n_boot=n_boot,
            seed=seed,
            **kw,
        )
    if name == "log_loss":
        return stats.mean_diff_ci(
            stats.log_loss_rows(yb, a, eps), stats.log_loss_rows(yb, b, eps), lv, **kw
        )
    if name == "brier":
        return stats.mean_diff_ci(stats.brier_rows(yb, a), stats.brier_rows(yb, b), lv, **kw)
    if name == "mae":
        return stats.mean_diff_ci(stats.abs_error_rows(y, a), stats.abs_error_rows(y, b), lv, **kw)
    if name == "rmse":
        return stats.rmse_diff_ci(y, a, b, lv, **kw)
    if name == "r2":
        return stats.r2_diff_ci(y, a, b, lv, **kw)
    xa, xb = _user_input(spec, a, threshold), _user_input(spec, b, threshold)
    va, vb = _user_value(spec, y, xa, None), _user_value(spec, y, xb, None)
    est = stats.weighted_bootstrap_ci(
        lambda w: _user_value(spec, y, xa, w) - _user_value(spec, y, xb, w),
        y,
        va - vb,
        lv,
        n_boot=n_boot,
        seed=seed,
        paired=True,
        **kw,
    )
    return _with_details(est, value_a=va, value_b=vb)


def data_fingerprint(y_true: npt.ArrayLike) -> str:
    """Short stable hash of the rows' labels: sha256 of the little-endian float64 bytes and the
    row count, first 16 hex digits. Equal fingerprints mean paired comparisons line up."""
    arr = np.ascontiguousarray(np.asarray(y_true, dtype="<f8").reshape(-1))
    h = hashlib.sha256(arr.tobytes())
    h.update(f"|{arr.shape[0]}".encode())
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# inputs too large for memory: chunks and Dask arrays (the statistics live in partial.py)


def _is_dask(x: object) -> bool:
    """Whether ``x`` is a Dask collection (checked without importing dask)."""
    return type(x).__module__.split(".")[0] == "dask"


@dataclass(frozen=True)
class _Data:
    """Rows that arrive in parts: an iterable of chunk tuples, or aligned Dask arrays."""

    chunks: Iterable[Sequence[Any]] | None
    arrays: tuple[Any, ...]
    width: int  # arrays per chunk without the weights: 2 for evaluate, 3 for compare


def is_distributed(*arrays: object) -> bool:
    """Whether any of ``arrays`` is a Dask array (the rows then come in blocks)."""
    return any(_is_dask(a) for a in arrays)


def parts_of(
    *arrays: Any, chunks: Iterable[Sequence[Any]] | None, width: int | None = None
) -> _Data:
    """Rows in parts: ``chunks`` (tuples of ``width`` arrays and optional weights), or
    ``arrays``, which must then all be Dask arrays."""
    given = [a for a in arrays if a is not None]
    if chunks is not None:
        if given:
            raise MeasurementError(
                "pass the rows either as arrays or as chunks=, not both", field="chunks"
            )
        if isinstance(chunks, str | bytes | Mapping) or not isinstance(chunks, Iterable):
            raise MeasurementError(
                f"must be an iterable of chunk tuples, got {short_repr(chunks)}", field="chunks"
            )
        return _Data(chunks, (), width or len(arrays))
    if len(given) != len(arrays) or not all(_is_dask(a) for a in arrays):
        raise MeasurementError(
            "Dask inputs must all be Dask arrays (y_true and every score)", field="chunks"
        )
    return _Data(None, tuple(arrays), len(arrays))


@dataclass(frozen=True)
class PartsResult:
    """What evaluating rows in parts gives: the estimates, the merged statistics per metric,
    and the rows' fingerprint and count (``None`` when not asked for)."""

    estimates: dict[str, Estimate]
    partials: dict[str, Any]
    fingerprint: str | None
    rows: int


def evaluate_parts(
    data: _Data,
    names: Sequence[str],
    *,
    threshold: float,
    level: float,
    levels: Iterable[float] = (),
    n_boot: int = stats.DEFAULT_N_BOOT,
    seed: int = stats.DEFAULT_SEED,
    paired: bool = False,
    fingerprint: bool = False,
) -> PartsResult:
    """Evaluate ``names`` from rows in parts: statistics per chunk, merged, then estimated."""
    from pytest_archgate.measure import partial

    specs = [get_metric(n) for n in names]
    t = _check_threshold(threshold, names[0])
    if paired and [s.name for s in specs] == ["roc_auc"] and _reiterable(data):
        return _paired_auc(data, t, level, levels, fingerprint)
    for spec in specs:
        partial.check_mergeable(spec.name, paired=paired)
    block = _ChunkStats(tuple(s.name for s in specs), t, paired)
    fp: str | None = None
    if data.chunks is not None:
        merged, fp = _merge_chunks(block, data, fingerprint)
    else:
        from pytest_archgate.measure import dask_bridge

        if "roc_auc" in names and not paired:  # ranked by score ranges, never one table
            merged = dask_bridge.map_reduce_ranked(data.arrays, block, partial.merge_sets, names[0])
        else:
            merged = dask_bridge.map_reduce(data.arrays, block, partial.merge_sets, names[0])
        if fingerprint:
            fp = dask_bridge.fingerprint(data.arrays[0])
    if merged is None:
        raise MeasurementError("no rows: every chunk is empty", field=names[0])
    estimates: dict[str, Estimate] = {}
    for spec in specs:
        lv = _all_levels(level, levels, spec.name)
        part = merged[spec.name]
        if paired:
            est = partial.paired_estimate(
                spec.name, part, lv, level=level, n_boot=n_boot, seed=seed
            )
            if spec.name in _COUNTS:
                est = _with_details(est, threshold=t)
            estimates[spec.name] = _with_details(est, higher_is_better=spec.higher_is_better)
        else:
            estimates[spec.name] = partial.estimate(spec.name, part, lv, level=level)
    rows = next(iter(merged.values())).rows
    return PartsResult(estimates, dict(merged), fp, rows)


def _reiterable(data: _Data) -> bool:
    """Chunks that can be read twice: a collection, not an iterator (nor Dask arrays)."""
    chunks = data.chunks
    return chunks is not None and iter(chunks) is not chunks


def _paired_auc(
    data: _Data, threshold: float, level: float, levels: Iterable[float], fingerprint: bool
) -> PartsResult:
    """``compare(chunks=..., metric="roc_auc")``: the two models' score tables in a first pass
    over the chunks, the co-moments of each row's two placements in a second."""
    from pytest_archgate.measure import partial

    first = _ChunkStats(("roc_auc",), threshold, True, "tables")
    tables, fp = _merge_chunks(first, data, fingerprint)
    if tables is None:
        raise MeasurementError("no rows: every chunk is empty", field="roc_auc")
    merged: partial.PairedTables = tables["roc_auc"]
    partial.check_two_classes(merged.a.n_pos, merged.a.n_neg, "roc_auc")
    pa = partial.Placement.of_table(merged.a)
    pb = partial.Placement.of_table(merged.b)
    second = _ChunkStats(("roc_auc",), threshold, True, "placements", (pa, pb))
    placements, _ = _merge_chunks(second, data, False)
    found = placements["roc_auc"] if placements is not None else None
    if found is None or (found.pos.n, found.neg.n) != (merged.a.n_pos, merged.a.n_neg):
        raise MeasurementError(
            "the second pass over the chunks did not give the rows of the first: the chunks "
            "must give the same rows each time they are read",
            field="roc_auc",
        )
    lv = _all_levels(level, levels, "roc_auc")
    est = partial.paired_auc_estimate(merged, found, lv, level=level)
    est = _with_details(est, higher_is_better=True)
    return PartsResult({"roc_auc": est}, dict(tables), fp, merged.rows)


def _merge_chunks(
    block: _ChunkStats, data: _Data, fingerprint: bool
) -> tuple[dict[str, Any] | None, str | None]:
    from pytest_archgate.measure import partial

    assert data.chunks is not None
    fp = partial.Fingerprint() if fingerprint else None
    merged: dict[str, Any] | None = None
    weighted: bool | None = None
    for index, chunk in enumerate(data.chunks):
        if not isinstance(chunk, Sequence) or len(chunk) not in (data.width, data.width + 1):
            want = "(y_true, y_score" if data.width == 2 else "(y_true, score_a, score_b"
            got = type(chunk).__name__
            if isinstance(chunk, Sequence):
                got = f"a {got} of {len(chunk)}"
            raise MeasurementError(
                f"chunk {index} must be a {want}[, sample_weight]) tuple, got {got}",
                field="chunks",
            )
        has_w = len(chunk) == data.width + 1
        if weighted is not None and has_w != weighted:
            raise MeasurementError(
                f"chunk {index}: either every chunk has sample_weight or none has",
                field="chunks",
            )
        weighted = has_w
        stats_of, y, w = block.validated(index, *chunk)
        if fp is not None and y is not None:
            fp.update(y, w)
        if stats_of is None:
            continue
        merged = stats_of if merged is None else partial.merge_sets(merged, stats_of)
    return merged, (fp.hexdigest() if fp is not None and merged is not None else None)


@dataclass(frozen=True)
class _ChunkStats:
    """The statistics of one chunk of rows for every metric asked for (picklable, so that a
    Dask worker can run it on its block)."""

    names: tuple[str, ...]
    threshold: float
    paired: bool
    # the paired ROC AUC's passes: "tables", then "placements" with both models' placements
    auc_pass: str = ""
    placements: tuple[Any, ...] = ()

    def __call__(self, index: int, *arrays: Any) -> dict[str, Any] | None:
        return self.validated(index, *arrays)[0]

    def validated(
        self, index: int, *arrays: Any
    ) -> tuple[dict[str, Any] | None, FloatArray | None, npt.NDArray[np.int64] | None]:
        """``(statistics per metric or None for an empty chunk, y_true, weights)``."""
        try:
            return self._validated(arrays)
        except MeasurementError as exc:
            raise MeasurementError(f"chunk {index}: {exc.message}", field=exc.field) from None

    def _validated(
        self, arrays: Sequence[Any]
    ) -> tuple[dict[str, Any] | None, FloatArray | None, npt.NDArray[np.int64] | None]:
        from pytest_archgate.measure import partial

        width = 3 if self.paired else 2
        what = ("y_true", "score_a", "score_b") if self.paired else ("y_true", "y_score")
        raw, raw_w = arrays[:width], (arrays[width] if len(arrays) > width else None)
        first = self.names[0]
        sizes = {k: int(np.asarray(a).reshape(-1).shape[0]) for k, a in zip(what, raw, strict=True)}
        if all(v == 0 for v in sizes.values()):
            if raw_w is not None and np.asarray(raw_w).reshape(-1).shape[0]:
                raise MeasurementError("sample_weight has rows but the chunk has none", field=first)
            return None, None, None
        vecs = {k: _as_vector(a, k, first) for k, a in zip(what, raw, strict=True)}
        w = None if raw_w is None else _frequency_weights(raw_w, first)
        sized = {**vecs, **({} if w is None else {"sample_weight": w.astype(np.float64)})}
        _check_lengths(first, **sized)
        for name in self.names:
            spec = get_metric(name)
            if spec.task == "binary":
                _check_binary_truth(vecs["y_true"], spec, False)
            if spec.needs == "proba":
                for k in what[1:]:
                    _check_proba(vecs[k], k, name)
        y = vecs["y_true"]
        scores = [vecs[k] for k in what[1:]]
        given_w = w
        if w is not None and not bool(np.all(w > 0)):  # a row of weight 0 is no row
            keep = w > 0
            y, w, scores = y[keep], w[keep], [s[keep] for s in scores]
        eps = max(_proba_eps(a) for a in raw[1:])
        out: dict[str, Any] = {}
        if self.auc_pass:  # the paired ROC AUC's first or second pass
            yb, a, b = y == 1.0, scores[0], scores[1]
            found: Any = (
                partial.PairedTables.of_rows(yb, a, b, w)
                if self.auc_pass == "tables"
                else partial.PairedPlacements.of_rows(yb, a, b, w, *self.placements)
            )
            return {"roc_auc": found}, vecs["y_true"], given_w
        for name in self.names:
            if self.paired:
                out[name] = partial.paired_of_rows(
                    name, y, scores[0], scores[1], w, threshold=self.threshold, eps=eps
                )
            else:
                out[name] = partial.of_rows(
                    name, y, scores[0], w, threshold=self.threshold, eps=eps
                )
        return out, vecs["y_true"], given_w


def _frequency_weights(values: object, metric: str) -> npt.NDArray[np.int64]:
    """Whole, non-negative frequency weights (a row of weight k counts as k rows)."""
    w = _as_vector(values, "sample_weight", metric) if np.asarray(values).size else np.empty(0)
    if w.shape[0] and (bool(np.any(w < 0)) or not bool(np.all(w == np.floor(w)))):
        raise MeasurementError(
            "sample_weight must hold whole numbers >= 0: frequency weights, a row of weight k "
            "counting as k rows, are the ones that merge exactly",
            field=metric,
        )
    return w.astype(np.int64)
