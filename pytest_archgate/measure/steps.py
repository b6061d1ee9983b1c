"""Step detection: where a series of measured values moved, judged against its own noise.

A criterion measured on every commit gives a series of values, each with an interval. The
question a reviewer asks of that series is asv's question for timings (asv's developer
documentation, "Step Detection"): is the series piecewise constant plus noise, and where are
the steps? Like asv, the fit is a penalised piecewise-constant one (a Potts functional,
Friedrich et al. 2008): minimise, over the number and the positions of the steps,

    sum over segments of sum_i w_i (y_i - mean_segment)^2  +  beta * (number of steps)

with weights ``w_i = 1 / s_i^2`` from each point's own standard error. Unlike asv (which fits
the L1 norm and scales the noise from the data), the noise here is the interval each report
carries: a point's standard error is its two-sided interval's half-width divided by the normal
quantile of its level. A move that stays inside the points' intervals is therefore not a step.
Points without an interval borrow the median standard error of those with one; when no point
has one, the noise is estimated from the series (a robust scale of successive differences,
which a step barely moves), and the false-step rate is then only approximate.

The penalty makes the false-step rate a stated number. For a flat series with Gaussian errors
of known scale, splitting at one fixed place lowers the cost by a chi-square variable with one
degree of freedom; over the ``n - 1`` places a split could go, Bonferroni's inequality keeps
the chance that any single split pays for itself below ``alpha`` when ``beta`` is the
chi-square quantile at ``1 - alpha / (n - 1)``. Solutions with more steps pay ``beta`` per
step; ``tests/test_history_steps.py`` checks the whole rate by simulation.

The exact optimum is found by dynamic programming (optimal partitioning, Jackson et al. 2005)
with PELT's pruning (Killick, Fearnhead and Eckley 2012), which is exact for this cost: close
to linear time on series with regular steps, quadratic on a flat one. Pure Python with
:mod:`math` only: series are a few hundred reports long, and ``archgate history`` should not
need numpy.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pytest_archgate.measure.distributions import t_ppf, z_value

__all__ = [
    "DEFAULT_ALPHA",
    "MAX_POINTS",
    "Fit",
    "Segment",
    "detect_steps",
    "penalty",
    "standard_error",
]

DEFAULT_ALPHA = 0.01
"""The default chance of one or more false steps in a flat series."""

MAX_POINTS = 1000
"""The longest series fitted; longer ones are refused by the caller's cap before this."""

MIN_ESTIMATED = 6
"""The fewest points whose noise is estimated from the series (without any interval)."""

_MAD_EFFICIENCY = 0.37
"""The asymptotic efficiency of the median absolute deviation against the standard deviation
for normal data (about 37%): the estimated scale is worth that fraction of its points as
degrees of freedom."""

_ABSOLUTE_FLOOR = 1e-12
"""... and never below this, in the scaled units of :func:`detect_steps` (largest magnitude
of the values and errors in [0.5, 1))."""

_RELATIVE_FLOOR = 1e-9
"""The smallest standard error, relative to the series' scale: a value without noise (a count,
an exact rate) still gets a finite weight, so that the sums stay finite."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of points ``[start, stop)`` fitted by one level ``mean`` with standard error
    ``se`` (the inverse-variance weighted mean of its points)."""

    start: int
    stop: int
    mean: float
    se: float


@dataclass(frozen=True, slots=True)
class Fit:
    """The fitted steps of one series: ``segments`` in order, and how the noise was known.

    ``noise`` is ``intervals`` when every point had an interval, ``mixed`` when some borrowed
    the others' median, ``estimated`` when none had one and the scale came from the series,
    and ``none`` when the series was too short to judge (fewer than 6 points without
    intervals, or fewer than 2 points)."""

    segments: tuple[Segment, ...]
    noise: str
    beta: float

    @property
    def steps(self) -> list[int]:
        """The index of the first point after each step."""
        return [s.start for s in self.segments[1:]]


def standard_error(ci: Sequence[float] | None, level: float | None) -> float | None:
    """The standard error an interval implies: its half-width over the normal quantile.

    ``None`` without an interval; a level outside (0, 1) is read as 0.95."""
    if ci is None or len(ci) != 2:
        return None
    lo, hi = float(ci[0]), float(ci[1])
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return None
    lv = level if level is not None and 0.0 < level < 1.0 else 0.95
    return (hi / 2.0 - lo / 2.0) / z_value(lv)  # halves: hi - lo may overflow


def penalty(n: int, alpha: float = DEFAULT_ALPHA, *, df: float | None = None) -> float:
    """``beta`` for a series of ``n`` points: the chi-square(1) quantile at
    ``1 - alpha / (n - 1)`` (Bonferroni over the places a step could go).

    With ``df`` (the noise scale was estimated from the series), the square of Student's t
    quantile with ``df`` degrees of freedom instead: the estimated scale is itself noisy."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    places = max(n - 1, 1)
    tail = alpha / places / 2.0  # two-sided: P(|Z| > z) = alpha / places
    q = z_value(1.0 - 2.0 * tail) if df is None else t_ppf(1.0 - tail, df)
    return q * q


def _robust_scale(values: Sequence[float]) -> float:
    """A standard deviation from successive differences (1.4826 * MAD / sqrt 2): a few steps
    change few differences, so they hardly move it."""
    diffs = sorted(abs(b - a) for a, b in itertools.pairwise(values))
    if not diffs:
        return 0.0
    mid = len(diffs) // 2
    median = diffs[mid] if len(diffs) % 2 else (diffs[mid - 1] + diffs[mid]) / 2.0
    return 1.4826 * median / math.sqrt(2.0)


def _weights(
    values: Sequence[float], errors: Sequence[float | None]
) -> tuple[list[float], str] | None:
    known = [e for e in errors if e is not None and math.isfinite(e) and e >= 0.0]
    scale = max((abs(v) for v in values), default=0.0)
    spread = (max(values) - min(values)) if values else 0.0
    # the values and errors were scaled so that the largest is in [0.5, 1): an absolute floor
    # keeps every weight finite when the values themselves are all (nearly) zero
    floor = max(_RELATIVE_FLOOR * max(scale, spread), _ABSOLUTE_FLOOR)
    if len(known) == len(errors):
        noise = "intervals"
        ses = [max(float(e), floor) for e in known]
    elif known:
        noise = "mixed"
        ordered = sorted(known)
        mid = len(ordered) // 2
        fill = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0
        ses = [max(float(e) if e is not None else fill, floor) for e in errors]
    else:
        if len(values) < MIN_ESTIMATED:
            return None
        noise = "estimated"
        ses = [max(_robust_scale(values), floor)] * len(values)
    return [1.0 / (s * s) for s in ses], noise


def detect_steps(
    values: Sequence[float],
    errors: Sequence[float | None] | None = None,
    *,
    alpha: float = DEFAULT_ALPHA,
) -> Fit:
    """The penalised piecewise-constant fit of ``values`` (see the module docstring).

    ``errors`` are the points' standard errors (``None`` for a point without an interval; see
    :func:`standard_error`). Values must be finite. A series of fewer than 2 points (or fewer
    than 6 without any interval) has one segment and ``noise == "none"``.
    """
    n = len(values)
    if n > MAX_POINTS:
        raise ValueError(f"a series of {n} points is longer than the {MAX_POINTS} fitted")
    errs: Sequence[float | None] = errors if errors is not None else [None] * n
    if len(errs) != n:
        raise ValueError("values and errors differ in length")
    if any(not math.isfinite(v) for v in values):
        raise ValueError("values must be finite")
    # scale by a power of two (exact) so that no difference or square below can overflow
    finite_errors = [e for e in errs if e is not None and math.isfinite(e) and e > 0]
    largest = max([abs(v) for v in values] + finite_errors, default=0.0)
    shift = -math.frexp(largest)[1] if largest > 0 else 0
    values = [math.ldexp(v, shift) for v in values]
    errs = [math.ldexp(e, shift) if e is not None else None for e in errs]
    weighted = _weights(values, errs) if n >= 2 else None
    if weighted is None:
        beta = penalty(n, alpha)
        return Fit((_segment(values, [1.0] * n, 0, n, shift),) if n else (), "none", beta)
    w, noise = weighted
    df = max(1.0, _MAD_EFFICIENCY * (n - 1)) if noise == "estimated" else None
    beta = penalty(n, alpha, df=df)
    best = [0.0] * (n + 1)  # best[b]: the optimal penalised cost of the first b points
    last = [0] * (n + 1)  # last[b]: where the last segment of that optimum starts
    best[0] = -beta
    # each candidate start a keeps the weighted sum, mean and sum of squared deviations of
    # [a, b), updated point by point (West's weighted Welford update): no differences of large
    # prefix sums, so a heavy point next to a light one loses no precision
    candidates: list[list[float]] = []  # [start, weight, mean, squares]
    for b in range(1, n + 1):
        candidates.append([float(b - 1), 0.0, 0.0, 0.0])
        wi, y = w[b - 1], values[b - 1]
        for cand in candidates:
            total = cand[1] + wi
            delta = y - cand[2]
            cand[2] += delta * (wi / total)
            cand[3] += wi * delta * (y - cand[2])
            cand[1] = total
        scores = [best[int(c[0])] + max(c[3], 0.0) + beta for c in candidates]
        best[b] = min(scores)
        last[b] = int(candidates[scores.index(best[b])][0])
        # PELT: a start that cannot beat the optimum now never will (the cost is additive)
        candidates = [
            c for c, score in zip(candidates, scores, strict=True) if score - beta <= best[b]
        ]
    bounds = []
    b = n
    while b > 0:
        bounds.append((last[b], b))
        b = last[b]
    segments = tuple(_segment(values, w, a, b, shift) for a, b in reversed(bounds))
    return Fit(segments, noise, beta)


def _segment(values: Sequence[float], w: Sequence[float], a: int, b: int, shift: int) -> Segment:
    """The segment ``[a, b)`` in the caller's units (``values`` were scaled by
    ``2 ** shift``)."""
    sw = math.fsum(w[a:b])
    mean = math.fsum(w[i] * values[i] for i in range(a, b)) / sw
    return Segment(a, b, math.ldexp(mean, -shift), math.ldexp(math.sqrt(1.0 / sw), -shift))
