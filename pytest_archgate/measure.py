"""Measurement values shared by metrics, latency and verdicts.

An :class:`Estimate` is one measured number with its uncertainty: the point value, the method
that produced it, the sample size, and two-sided confidence intervals keyed by level. Gating a
criterion with ``confidence: c`` uses a one-sided bound at level ``c``, which is one end of the
two-sided interval at level ``2c - 1``; producers therefore compute every level the linked
criteria ask for (see :func:`levels_for`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_LEVEL = 0.95


def level_key(level: float) -> float:
    """Normalise a confidence level so it can be used as a dict key."""
    return round(float(level), 6)


def two_sided_level(confidence: float) -> float:
    """The two-sided level whose lower (or upper) end is the one-sided bound at ``confidence``."""
    return level_key(2.0 * confidence - 1.0)


def levels_for(confidences: Iterable[float], default: float = DEFAULT_LEVEL) -> tuple[float, ...]:
    """All two-sided levels to compute: the reporting level plus one per one-sided confidence."""
    levels = {level_key(default)}
    levels.update(two_sided_level(c) for c in confidences)
    return tuple(sorted(levels))


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
        return self.interval(self.level)

    def interval(self, level: float) -> tuple[float, float] | None:
        """The two-sided interval at ``level``.

        When that exact level was not computed, the narrowest interval at a higher level is
        used: it is wider, so judging with it is conservative, never lenient.
        """
        key = level_key(level)
        exact = self.intervals.get(key)
        if exact is not None:
            return exact
        wider = [lv for lv in self.intervals if lv > key]
        return self.intervals[min(wider)] if wider else None

    def lower_bound(self, confidence: float) -> float | None:
        """One-sided lower confidence bound at ``confidence`` (None when not computed)."""
        iv = self.interval(2.0 * confidence - 1.0)
        return None if iv is None else iv[0]

    def upper_bound(self, confidence: float) -> float | None:
        """One-sided upper confidence bound at ``confidence`` (None when not computed)."""
        iv = self.interval(2.0 * confidence - 1.0)
        return None if iv is None else iv[1]

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
    test sets.
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
        )
