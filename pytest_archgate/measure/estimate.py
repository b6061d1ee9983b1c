"""Measurement values shared by metrics, latency and verdicts.

An :class:`Estimate` is one measured number with its uncertainty: the point value, the method
that produced it, the sample size, and two-sided confidence intervals keyed by level. Gating a
criterion with ``confidence: c`` uses a one-sided bound at level ``c``, which is one end of the
two-sided interval at level ``2c - 1``; producers therefore compute every level the linked
criteria ask for (see :func:`levels_for`) plus :data:`STANDARD_LEVELS`, so an estimate made
outside the fixture can be judged exactly at the usual confidences.

One rule for every path (issue 11): the judged number is the one-sided bound at level ``c``.
When the estimate lacks the interval at ``2c - 1`` (a user's ``record(ci=...)``, an
``Estimate`` built by hand, an old report), :meth:`Estimate.bound` derives it from a recorded
interval under a normal approximation of each side separately, and says so; it never
substitutes an interval at another level for the one asked for.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.distributions import z_value

# the name checks and level arithmetic live in measure.names (cheap for the ADR parser and
# ``archgate list``); re-exported here, where the measurement code has always found them
from pytest_archgate.measure.names import MAX_NAME_LENGTH as MAX_NAME_LENGTH
from pytest_archgate.measure.names import bad_name_reason as bad_name_reason
from pytest_archgate.measure.names import level_key as level_key
from pytest_archgate.measure.names import short_repr as short_repr
from pytest_archgate.measure.names import two_sided_level as two_sided_level

DEFAULT_LEVEL = 0.95

#: Two-sided levels every producer that can compute any level computes (shared contract 2):
#: their ends are the one-sided bounds at confidence 0.9, 0.95, 0.975, 0.99 and 0.995.
STANDARD_LEVELS: tuple[float, ...] = (0.8, 0.9, 0.95, 0.98, 0.99)

Side = Literal["lower", "upper"]


def levels_for(
    confidences: Iterable[float], default: float = DEFAULT_LEVEL, *, standard: bool = True
) -> tuple[float, ...]:
    """All two-sided levels to compute: the reporting level, one per one-sided confidence and,
    unless ``standard`` is false, :data:`STANDARD_LEVELS`."""
    levels = {level_key(default)}
    levels.update(two_sided_level(c) for c in confidences)
    if standard:
        levels.update(STANDARD_LEVELS)
    return tuple(sorted(levels))


@dataclass(frozen=True)
class Bound:
    """The one-sided bound a criterion with ``confidence`` judges, and where it came from.

    ``interval`` is the two-sided interval at ``level = 2 * confidence - 1`` whose ``side`` end
    is ``value``. ``derived_from`` is ``None`` when the producer computed that interval, else
    the recorded level it was derived from by :meth:`Estimate.bound`.
    """

    value: float
    side: Side
    confidence: float
    level: float
    interval: tuple[float, float]
    derived_from: float | None = None

    @property
    def extrapolated(self) -> bool:
        """Derived from a narrower (lower-level) interval: valid only as far as normality is."""
        return self.derived_from is not None and self.derived_from < self.level


@dataclass(frozen=True)
class Estimate:
    """A measured value with its uncertainty.

    ``intervals`` maps a two-sided level (e.g. ``0.95``) to ``(low, high)``; ``ci`` is the
    interval at ``level``, the one reports show. ``details`` holds method-specific extras that
    are JSON-serialisable (e.g. number of bootstrap resamples, latency stop reason).
    """

    value: float
    method: str = "point"
    n: int | None = None
    level: float = DEFAULT_LEVEL
    intervals: Mapping[float, tuple[float, float]] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ci(self) -> tuple[float, float] | None:
        """The interval at ``level``, as the producer computed it (never a derived one)."""
        return self.intervals.get(level_key(self.level))

    def interval(self, level: float) -> tuple[float, float] | None:
        """The two-sided interval at ``level``: the computed one, else one derived from a
        recorded interval (see :meth:`derived_interval`); ``None`` without any interval."""
        exact = self.intervals.get(level_key(level))
        if exact is not None:
            return exact
        derived = self.derived_interval(level)
        return None if derived is None else derived[0]

    def derived_interval(self, level: float) -> tuple[tuple[float, float], float] | None:
        """The interval at ``level`` derived from a recorded one, and the level it came from.

        Each side is scaled separately by the ratio of standard-normal quantiles,
        ``half_width(level) = half_width(source) * z(level) / z(source)``, which is exact for
        the normal-theory intervals (DeLong, CLT, delta method, ``mean +/- z * se``) and keeps
        the asymmetry of a skewed one. The source is the narrowest recorded interval at a
        higher level (shrinking a wider interval), else the widest at a lower level
        (extrapolating outwards, which is as good as normality is; the criterion says so).
        """
        key = level_key(level)
        if not self.intervals or not 0.0 < key < 1.0:
            return None
        higher = [lv for lv in self.intervals if lv > key]
        source = min(higher) if higher else max(self.intervals)
        low, high = self.intervals[source]
        ratio = z_value(key) / z_value(source)
        value = self.value
        return (value - (value - low) * ratio, value + (high - value) * ratio), source

    def bound(self, confidence: float, side: Side) -> Bound | None:
        """The one-sided bound at ``confidence``: the ``side`` end of the two-sided interval at
        ``2 * confidence - 1``, computed or derived (``None`` when there is no interval)."""
        level = two_sided_level(confidence)
        exact = self.intervals.get(level)
        source: float | None = None
        if exact is None:
            derived = self.derived_interval(level)
            if derived is None:
                return None
            exact, source = derived
        return Bound(
            value=exact[0] if side == "lower" else exact[1],
            side=side,
            confidence=float(confidence),
            level=level,
            interval=exact,
            derived_from=source,
        )

    def lower_bound(self, confidence: float) -> float | None:
        """One-sided lower confidence bound at ``confidence`` (None without any interval)."""
        b = self.bound(confidence, "lower")
        return None if b is None else b.value

    def upper_bound(self, confidence: float) -> float | None:
        """One-sided upper confidence bound at ``confidence`` (None without any interval)."""
        b = self.bound(confidence, "upper")
        return None if b is None else b.value

    def is_finite(self) -> bool:
        return math.isfinite(self.value)

    def to_json(self) -> dict[str, Any]:
        ci = self.ci
        return {
            "value": self.value,
            "method": self.method,
            "n": self.n,
            "level": self.level,
            "ci": list(ci) if ci is not None else None,
            "intervals": {f"{k:g}": list(v) for k, v in sorted(self.intervals.items())},
            "details": dict(self.details),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Estimate:
        intervals = {
            level_key(float(k)): (float(v[0]), float(v[1]))
            for k, v in (data.get("intervals") or {}).items()
        }
        level = float(data.get("level") or DEFAULT_LEVEL)
        ci = data.get("ci")
        if ci is not None and level_key(level) not in intervals:
            intervals[level_key(level)] = (float(ci[0]), float(ci[1]))
        n = data.get("n")
        return cls(
            value=float(data["value"]),
            method=str(data.get("method") or "point"),
            n=int(n) if n is not None else None,
            level=level,
            intervals=intervals,
            details=dict(data.get("details") or {}),
        )


@dataclass(frozen=True)
class Measurement:
    """One recorded estimate of a metric for one option of one ADR, from one test.

    ``predictions`` is the path of a ``.npz`` file holding the per-row ``y_true`` and
    ``y_score`` the estimate was computed from (kept only when a paired ``vs`` criterion needs
    them); ``fingerprint`` identifies the rows so that paired comparisons can refuse mismatched
    test sets. ``replicate`` names the replicate (training seed, data split, repeated run) this
    measurement is one of: measurements of one metric and option that carry replicate ids are
    judged together (:mod:`pytest_archgate.measure.replicates`); ``None`` means not a replicate.
    ``cache`` is its evaluation-cache provenance (:mod:`pytest_archgate.measure.cache`):
    ``restored`` (read from an entry, with the ``commit`` and ``created`` date it was made) or
    not (fresh, and written to one), the entry's ``key`` and the ``origin`` run it came from.
    """

    adr: str
    option: str | None
    metric: str
    estimate: Estimate
    nodeid: str = ""
    device: str = "cpu"
    fingerprint: str | None = None
    predictions: str | None = None
    environment: Mapping[str, Any] = field(default_factory=dict)
    replicate: str | None = None
    cache: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "adr": self.adr,
            "option": self.option,
            "metric": self.metric,
            "estimate": self.estimate.to_json(),
            "nodeid": self.nodeid,
            "device": self.device,
            "fingerprint": self.fingerprint,
            "predictions": self.predictions,
            "environment": dict(self.environment),
            **({"replicate": self.replicate} if self.replicate is not None else {}),
            **({"cache": dict(self.cache)} if self.cache is not None else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Measurement:
        return cls(
            adr=str(data["adr"]),
            option=data.get("option"),
            metric=str(data["metric"]),
            estimate=Estimate.from_json(data["estimate"]),
            nodeid=str(data.get("nodeid") or ""),
            device=str(data.get("device") or "cpu"),
            fingerprint=data.get("fingerprint"),
            predictions=data.get("predictions"),
            # a report stores environments once and refers to them by key
            environment=env
            if isinstance(env := data.get("environment"), dict)
            else ({"ref": env} if isinstance(env, str) else {}),
            replicate=check_name(rep, "replicate")
            if (rep := data.get("replicate")) is not None
            else None,
            cache=dict(c) if isinstance(c := data.get("cache"), Mapping) else None,
        )


# --------------------------------------------------------------------------------------------
# validation of what a user hands to ``record``, ``evaluate``, ``latency``...: one set of
# checks, each raising MeasurementError that names the argument, never a bare traceback


def check_name(name: object, field: str) -> str:
    """``name`` as a metric/option name, or a MeasurementError naming ``field``."""
    why = bad_name_reason(name)
    if why is not None:
        raise MeasurementError(why, field=field)
    assert isinstance(name, str)
    return name


def _lead(what: str, text: str) -> str:
    """``"value must be..."`` when the argument is named in the message, else ``"must be..."``."""
    return f"{what} {text}" if what else text


def check_number(
    value: object, field: str, *, minimum: float | None = None, what: str = ""
) -> float:
    """A finite float from ``value`` (no bool, no string, no array, nothing that overflows).

    ``field`` locates the error (``roc_auc``); ``what`` names the argument in the message
    (``value``) when the field does not already.
    """
    if (
        isinstance(value, bool | str | bytes)
        or str(getattr(value, "dtype", "")) == "bool"
        or getattr(value, "ndim", 0) != 0
        or not (isinstance(value, numbers.Real) or hasattr(value, "__float__"))
    ):
        raise MeasurementError(
            _lead(what, f"must be a number, got {short_repr(value)}"), field=field
        )
    try:
        v = float(value)
    except OverflowError:
        raise MeasurementError(
            _lead(what, f"is {short_repr(value)}, too large for a float; it must be finite"),
            field=field,
        ) from None
    except Exception as exc:  # a __float__ that raises
        raise MeasurementError(
            _lead(what, f"must be a number, got {short_repr(value)} ({type(exc).__name__})"),
            field=field,
        ) from None
    if not math.isfinite(v):
        if not what:  # an option such as max_seconds, not a measured number
            raise MeasurementError(f"must be a finite number, got {v}", field=field)
        raise MeasurementError(
            f"{what} is {v}: a non-finite measurement can never be judged; fix the computation "
            "that produced it",
            field=field,
        )
    if minimum is not None and v < minimum:
        raise MeasurementError(_lead(what, f"must be >= {minimum:g}, got {v:g}"), field=field)
    return v


def check_int(
    value: object, field: str, *, minimum: int = 1, maximum: int | None = None, what: str = ""
) -> int:
    """A whole number (``int`` or a numpy integer, never a bool or float) in range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise MeasurementError(
            _lead(what, f"must be a whole number, got {short_repr(value)}"), field=field
        )
    v = int(value)
    if v < minimum:
        raise MeasurementError(_lead(what, f"must be >= {minimum}, got {v}"), field=field)
    if maximum is not None and v > maximum:
        raise MeasurementError(
            _lead(what, f"must be <= {maximum:_}, got {short_repr(v)}"), field=field
        )
    return v


def check_level(level: object, field: str = "level", *, what: str = "") -> float:
    """A two-sided confidence level: a float strictly between 0 and 1 (not a bool, not NaN),
    normalised by :func:`level_key` (and still strictly inside (0, 1) after that)."""
    v = math.nan
    if not isinstance(level, bool) and isinstance(level, numbers.Real):
        try:
            v = float(level)
        except (OverflowError, TypeError, ValueError):
            v = math.nan
    key = level_key(v) if math.isfinite(v) else v
    if not (0.0 < v < 1.0) or not (0.0 < key < 1.0):
        raise MeasurementError(
            _lead(
                what,
                f"must be a number strictly between 0 and 1 (e.g. 0.95), got {short_repr(level)}",
            ),
            field=field,
        )
    return key


def check_interval(
    ci: object, field: str, *, value: float | None = None, what: str = "ci"
) -> tuple[float, float]:
    """``(low, high)``: two finite numbers with ``low <= high`` (and ``low <= value <= high``
    when ``value`` is given)."""
    bad = _lead(what, f"must be a pair (low, high), got {short_repr(ci)}")
    if isinstance(ci, str | bytes | Mapping) or not hasattr(ci, "__len__"):
        raise MeasurementError(bad, field=field)
    try:
        items = list(ci)  # type: ignore[call-overload]
    except Exception:
        raise MeasurementError(bad, field=field) from None
    if len(items) != 2:
        raise MeasurementError(f"{bad} ({len(items)} values)", field=field)
    low = check_number(items[0], field, what=f"{what} low".strip())
    high = check_number(items[1], field, what=f"{what} high".strip())
    if low > high:
        raise MeasurementError(
            _lead(what, f"{short_repr(ci)} has low {low:g} above high {high:g}"), field=field
        )
    if value is not None and not low <= value <= high:
        raise MeasurementError(
            _lead(
                what,
                f"{short_repr(ci)} must be finite with low <= value <= high (value {value:g})",
            ),
            field=field,
        )
    return low, high


def check_estimate(estimate: object, field: str) -> Estimate:
    """An :class:`Estimate` whose numbers can be judged and written to a report."""
    if not isinstance(estimate, Estimate):
        raise MeasurementError(
            f"expected a pytest_archgate.Estimate, got {type(estimate).__name__}", field=field
        )
    check_number(estimate.value, field, what="value")
    check_level(estimate.level, field, what="level")
    if estimate.n is not None:
        check_int(estimate.n, field, what="n")
    if not isinstance(estimate.method, str) or not estimate.method:
        raise MeasurementError(
            f"method must be a non-empty string, got {short_repr(estimate.method)}", field=field
        )
    if not isinstance(estimate.intervals, Mapping):
        raise MeasurementError(
            f"intervals must map levels to (low, high), got {short_repr(estimate.intervals)}",
            field=field,
        )
    for lv, iv in estimate.intervals.items():
        key = check_level(lv, field, what="interval level")
        check_interval(iv, field, what=f"interval at level {key:g}")
    try:
        json.dumps(dict(estimate.details), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise MeasurementError(
            f"details must be JSON data with finite numbers: {exc}", field=field
        ) from None
    return estimate


#: Upper limits that keep a typo from turning into an hour-long or overflowing computation.
MAX_N_BOOT = 1_000_000
MAX_COUNT = 10**12


def check_device(device: object, field: str = "device") -> str | None:
    """``None``, ``"cpu"`` or ``"cuda"`` (``"cuda:N"`` counts as ``"cuda"``)."""
    if device is None:
        return None
    if isinstance(device, str) and device in ("cpu", "cuda"):
        return device
    if isinstance(device, str) and device.startswith("cuda:") and device[5:].isdigit():
        return "cuda"
    raise MeasurementError(
        f"device must be 'cpu' or 'cuda' (or 'cuda:N'), got {short_repr(device)}", field=field
    )


@dataclass(frozen=True)
class RecordArgs:
    """The validated arguments of ``archgate.record``."""

    name: str
    value: float
    intervals: dict[float, tuple[float, float]]
    level: float
    n: int | None
    device: str | None


def check_record_args(
    name: object,
    value: object,
    *,
    ci: object = None,
    level: object = DEFAULT_LEVEL,
    n: object = None,
    method: object = "recorded",
    device: object = None,
) -> RecordArgs:
    """Validate everything ``archgate.record`` takes, before anything is recorded."""
    metric = check_name(name, "name")
    v = check_number(value, metric, what="value")
    lv = check_level(level, metric, what="level")
    intervals: dict[float, tuple[float, float]] = {}
    if ci is not None:
        intervals[lv] = check_interval(ci, metric, value=v)
    count = check_int(n, metric, maximum=MAX_COUNT, what="n") if n is not None else None
    if bad_name_reason(method) is not None:
        raise MeasurementError(f"method {bad_name_reason(method)}", field=metric)
    return RecordArgs(
        name=metric,
        value=v,
        intervals=intervals,
        level=lv,
        n=count,
        device=check_device(device, metric),
    )


def check_evaluate_args(
    metrics: object,
    *,
    threshold: object = 0.5,
    level: object = DEFAULT_LEVEL,
    n_boot: object = 1000,
    seed: object = 0,
) -> tuple[list[str], float, float, int, int]:
    """Validate the arguments of ``evaluate``/``compare`` other than the data arrays.

    Returns ``(metric names, threshold, level, n_boot, seed)``.
    """
    if isinstance(metrics, str):
        names = [metrics]
    elif (
        metrics is None or isinstance(metrics, bytes | Mapping) or not isinstance(metrics, Iterable)
    ):
        raise MeasurementError(
            f"must be a metric name or a list of names, got {short_repr(metrics)}",
            field="metrics",
        )
    else:
        names = list(metrics)
    if not names:
        raise MeasurementError("no metric requested", field="metrics")
    for m in names:
        check_name(m, "metrics")
    try:
        t = check_number(threshold, "threshold")
        lv = check_level(level, "level")
        nb = check_int(n_boot, "n_boot", minimum=2, maximum=MAX_N_BOOT)
        sd = check_int(seed, "seed", minimum=0, maximum=2**128)
    except MeasurementError as exc:  # name the metrics too: "roc_auc: level: must be..."
        raise MeasurementError(f"{exc.field}: {exc.message}", field=", ".join(names)) from None
    return names, t, lv, nb, sd
