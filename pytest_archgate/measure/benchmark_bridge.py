"""Recording pytest-benchmark's statistics as archgate measurements.

Teams that already time code with pytest-benchmark's ``benchmark`` fixture keep it: when a
linked test uses that fixture, its statistics become archgate measurements
(``benchmark_median_ms``, ``benchmark_mean_ms``, ``benchmark_min_ms``, ``benchmark_ops``,
``benchmark_p95_ms``/``benchmark_p99_ms`` over the recorded rounds). pytest-benchmark's rounds
are per-round averages of ``iterations`` calls, not single calls, which the ``method`` says.

Each statistic but the minimum carries intervals at the standard levels (see
:data:`~pytest_archgate.measure.estimate.STANDARD_LEVELS`), so a ``confidence`` criterion on it is
judged like one on ``archgate.latency``: distribution-free order-statistic intervals for the
median and the percentiles (a level left out when there are too few rounds), a CLT interval for
the mean and its inverse for ``benchmark_ops``. They describe rounds, i.e. means of
``iterations`` calls, as the ``method`` says.

pytest-benchmark is never imported here: the fixture object is read by duck typing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pytest_archgate.measure.distributions import z_value
from pytest_archgate.measure.estimate import STANDARD_LEVELS, Estimate
from pytest_archgate.measure.latency import order_statistic_interval


def _percentile_intervals(ordered: Any, pct: float) -> dict[float, tuple[float, float]]:
    out: dict[float, tuple[float, float]] = {}
    for level in STANDARD_LEVELS:
        iv = order_statistic_interval(ordered, pct, level)
        if iv is not None:
            out[level] = iv
    return out


def _mean_intervals(samples: Any) -> dict[float, tuple[float, float]]:
    n = int(samples.shape[0])
    if n < 2:
        return {}
    mean = float(samples.mean())
    sem = float(samples.std(ddof=1)) / math.sqrt(n)
    return {lv: (mean - z * sem, mean + z * sem) for lv in STANDARD_LEVELS for z in (z_value(lv),)}


def benchmark_estimates(fixture: Any) -> tuple[dict[str, Estimate], str | None]:
    """(estimates, note): the note says why nothing was recorded, when nothing was."""
    if getattr(fixture, "disabled", False):
        return {}, (
            "pytest-benchmark is disabled in this run (it disables itself under pytest-xdist "
            "and with --benchmark-disable): no benchmark_* measurements were recorded"
        )
    meta = getattr(fixture, "stats", None)
    stats = getattr(meta, "stats", None)
    data = list(getattr(stats, "data", None) or [])
    if not data:
        return {}, "the benchmark fixture was not called: no benchmark_* measurements"
    iterations = int(getattr(meta, "iterations", 1) or 1)
    samples = np.asarray(data, dtype=np.float64) * 1e3
    method = f"pytest-benchmark rounds ({len(data)} rounds x {iterations} iterations)"
    details = {"rounds": len(data), "iterations": iterations}
    ordered = np.sort(samples)
    n = len(data)
    mean_iv = _mean_intervals(samples)
    # ops = 1000 / mean: the mean's interval inverted, where its low end is positive
    ops_iv = {lv: (1e3 / hi, 1e3 / lo) for lv, (lo, hi) in mean_iv.items() if lo > 0.0}
    out: dict[str, Estimate] = {
        "benchmark_median_ms": Estimate(
            float(np.median(samples)), method, n, intervals=_percentile_intervals(ordered, 50.0)
        ),
        "benchmark_mean_ms": Estimate(float(samples.mean()), method, n, intervals=mean_iv),
        "benchmark_min_ms": Estimate(float(samples.min()), method, n),
        "benchmark_ops": Estimate(float(1e3 / samples.mean()), method, n, intervals=ops_iv),
    }
    for p in (95, 99):
        out[f"benchmark_p{p}_ms"] = Estimate(
            float(np.percentile(samples, p)),
            method,
            n,
            intervals=_percentile_intervals(ordered, float(p)),
            details=details,
        )
    return out, None
