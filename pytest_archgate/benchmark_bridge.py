"""Recording pytest-benchmark's statistics as archgate measurements.

Teams that already time code with pytest-benchmark's ``benchmark`` fixture keep it: when a
linked test uses that fixture, its statistics become archgate measurements
(``benchmark_median_ms``, ``benchmark_mean_ms``, ``benchmark_min_ms``, ``benchmark_ops``,
``benchmark_p95_ms``/``benchmark_p99_ms`` over the recorded rounds). pytest-benchmark's rounds
are per-round averages of ``iterations`` calls, not single calls, which the ``method`` says.

pytest-benchmark is never imported here: the fixture object is read by duck typing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .measure import Estimate


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
    out: dict[str, Estimate] = {
        "benchmark_median_ms": Estimate(float(np.median(samples)), method, len(data)),
        "benchmark_mean_ms": Estimate(float(samples.mean()), method, len(data)),
        "benchmark_min_ms": Estimate(float(samples.min()), method, len(data)),
        "benchmark_ops": Estimate(float(1e3 / samples.mean()), method, len(data)),
    }
    for p in (95, 99):
        out[f"benchmark_p{p}_ms"] = Estimate(
            float(np.percentile(samples, p)), method, len(data), details=details
        )
    return out, None
