"""Latency, throughput and peak memory of one callable, with distribution-free intervals.

Architecture decisions such as "the gradient-boosted model must answer one row in under 5 ms at
p99" are gated on tail latencies. A tail percentile estimated from too few calls is mostly
noise, so :func:`measure_latency` does not run a fixed number of iterations: it times every
call individually, runs at least as many calls as MLPerf LoadGen requires before it will report
the requested percentile, and then keeps calling until the distribution-free (order-statistic)
confidence interval of every requested percentile is narrower than ``rtol`` relative to the
estimate, or a time/run budget runs out. The reason it stopped travels with the numbers.

Design notes
------------
* **Per-call timing.** Each call is bracketed by two :func:`time.perf_counter_ns` reads and
  the difference goes into a preallocated list; the loop has no attribute lookups, and the
  clock budget and precision are checked between chunks of calls (chunks last about 5 ms), not
  after every call. The remaining overhead (one clock read plus a Python call, well under 1 us)
  is reported by ``benchmarks/bench_latency.py``.
* **Percentile intervals.** For the ``p``-quantile of ``n`` i.i.d. samples the number of
  samples below the true quantile is Binomial(n, p), so ``[x_(l), x_(u)]`` with
  ``l = F^-1(alpha/2)`` and ``u = F^-1(1 - alpha/2) + 1`` (``F`` the Binomial(n, p) CDF, ranks
  1-based) covers it with probability at least ``1 - alpha`` whatever the latency distribution
  (Conover, *Practical Nonparametric Statistics*, 3rd ed., sec. 3.2; Hahn & Meeker, *Statistical
  Intervals*, ch. 5). The binomial quantiles are computed exactly, by summing the log-gamma
  probability mass over the window mean +- (12 sd + 40), outside of which the mass is below
  1e-25 (Chernoff bound); this is exact where a normal approximation would be off by a rank for
  tail percentiles, and costs O(sqrt(n)).
* **Minimum number of calls.** MLPerf Inference LoadGen refuses a SingleStream percentile
  result unless ``n >= h_min + 1`` where ``h_min`` is the smallest number of passing queries
  such that, with ``t = 1`` over-latency query, P[Binomial(n, 1 - p) <= t] <= 1 - 0.99
  (``mlcommons/inference``: ``loadgen/results.cc``, ``PerformanceSummary::EarlyStopping``, and
  ``loadgen/early_stopping.cc``). That rule gives 64 calls for p90, 130 for p95 and 662 for
  p99, and :func:`mlperf_min_queries` applies it to any percentile. The minimum used is the
  larger of that and the smallest ``n`` for which the order-statistic interval exists at every
  requested level (``p^n <= alpha/2`` and ``(1-p)^n < alpha/2``).
* **CUDA.** Kernels run asynchronously, so a host clock read right after ``fn()`` measures only
  the launch. With ``device="cuda"`` the harness calls ``torch.cuda.synchronize()`` once
  before the clock starts and after every call, inside the timed region; this measures the
  end-to-end latency a caller waiting for the result sees (launch overhead, Python and GPU time
  together), which is what a serving decision is about, and is what
  ``torch.utils.benchmark.Timer`` does too. CUDA events (``Event.elapsed_time``) would time
  only GPU work on one stream between the events, hiding host-side overhead that dominates
  small single-row models; they were therefore not used.
* **Peak memory of the measured phase.** On Linux the kernel's peak-RSS counter (``VmHWM``) is
  reset by writing ``5`` to ``/proc/self/clear_refs`` (see ``proc(5)``), then read back after
  the last call, so earlier peaks of the process (loading data, training) do not count. Where
  that file is not writable the resident set size is sampled from ``/proc/self/statm`` by a
  background thread every 2 ms (which can miss spikes shorter than that and costs one GIL
  hand-off per sample). The measured phase is warm-up plus timed calls, so lazily allocated
  buffers of the first call are included. ``peak_cpu_mem_mb`` is the peak above the RSS at the
  start (what the callable costs); the absolute peak is in its details. The counter is
  process-wide: memory allocated by other threads meanwhile counts too.

Only numpy and the standard library are imported at module level; torch is imported only when
the caller asks for ``device="cuda"`` (or ``"auto"`` finds it already imported).
"""

from __future__ import annotations

import inspect
import itertools
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

import numpy as np
import numpy.typing as npt

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.distributions import z_value
from pytest_archgate.measure.environment import collect_environment
from pytest_archgate.measure.estimate import (
    DEFAULT_LEVEL,
    MAX_COUNT,
    STANDARD_LEVELS,
    Estimate,
    check_int,
    check_level,
    check_number,
    level_key,
    short_repr,
)

__all__ = [
    "LatencyResult",
    "binom_ppf",
    "measure_latency",
    "minimum_runs",
    "mlperf_min_queries",
    "order_statistic_interval",
    "order_statistic_ranks",
]

_MIB = float(2**20)
_NS_PER_MS = 1e6
_NS_PER_S = 1e9

#: Target wall time of one chunk of timed calls between two budget/precision checks.
_CHUNK_TARGET_NS = 5_000_000
#: Largest chunk (also the size of the preallocated per-chunk buffer).
_CHUNK_MAX = 8192
#: Precision is re-checked once the sample count has grown by this fraction (and >= 16 calls).
_CHECK_GROWTH = 0.10

#: MLPerf LoadGen early-stopping parameters for the SingleStream minimum (see module docstring).
_MLPERF_CONFIDENCE = 0.99
_MLPERF_TOLERATED = 1

#: Relative tolerance of :func:`binom_ppf` when the CDF ties with the requested quantile.
_PPF_RTOL = 1e-12

_CLEAR_REFS = "/proc/self/clear_refs"
_PROC_STATUS = "/proc/self/status"
_PROC_STATM = "/proc/self/statm"
_SAMPLING_INTERVAL_S = 0.002

STOP_REASONS = ("precision", "max_seconds", "max_runs", "runs")

#: Keyword arguments of :func:`measure_latency` that ``archgate.latency`` passes through.
LATENCY_OPTIONS = (
    "warmup_seconds",
    "max_runs",
    "percentiles",
    "level",
    "rtol",
    "batch_size",
    "inputs",
    "memory",
)
#: Limits on the arguments: a day of timing, a billion calls, a million distinct inputs.
MAX_SECONDS = 86_400.0
MAX_CALLS = 10**9
MAX_INPUTS = 1_000_000


# --------------------------------------------------------------------------------------------
# binomial quantiles and order-statistic intervals


def _check_prob(p: float, name: str) -> float:
    p = check_number(p, name)
    if not 0.0 < p < 1.0:
        raise MeasurementError(f"must be strictly between 0 and 1, got {p!r}", field=name)
    return p


@lru_cache(maxsize=128)
def _binom_window(n: int, p: float) -> tuple[int, npt.NDArray[np.float64]]:
    """``(k0, pmf)``: Binomial(n, p) probabilities of ``k0, k0 + 1, ...`` over the window that
    holds all but < 1e-25 of the mass (mean +- (12 sd + 40), clipped to [0, n])."""
    mean = n * p
    width = 12.0 * math.sqrt(n * p * (1.0 - p)) + 40.0
    k0 = max(0, math.floor(mean - width))
    k1 = min(n, math.ceil(mean + width))
    log_p, log_q = math.log(p), math.log1p(-p)
    first = (
        math.lgamma(n + 1)
        - math.lgamma(k0 + 1)
        - math.lgamma(n - k0 + 1)
        + k0 * log_p
        + (n - k0) * log_q
    )
    ks = np.arange(k0, k1, dtype=np.float64)  # k -> k + 1 steps
    steps = np.log(n - ks) - np.log(ks + 1.0) + (log_p - log_q)
    log_pmf = np.empty(k1 - k0 + 1, dtype=np.float64)
    log_pmf[0] = first
    np.cumsum(steps, out=log_pmf[1:])
    log_pmf[1:] += first
    pmf = np.exp(log_pmf)
    pmf.setflags(write=False)
    return k0, pmf


def binom_ppf(q: float, n: int, p: float) -> int:
    """Smallest ``k`` with P[Binomial(n, p) <= k] >= ``q`` (as ``scipy.stats.binom.ppf``).

    Exact up to floating-point rounding: the probability mass is computed in log space with
    :func:`math.lgamma` and summed from the nearer tail, so tail quantiles keep full relative
    precision. A CDF within a relative 1e-12 of ``q`` counts as reaching it, so that exact ties
    (e.g. P[Binomial(5, 0.5) <= 2] = 0.5) resolve as they do in exact arithmetic.
    """
    if n < 0:
        raise MeasurementError(f"n must be >= 0, got {n}", field="n")
    if not 0.0 <= q <= 1.0:
        raise MeasurementError(f"quantile must be in [0, 1], got {q!r}", field="q")
    if n == 0 or q == 0.0:
        return 0
    if q == 1.0:
        return n
    k0, pmf = _binom_window(n, p)
    if q <= 0.5:
        cdf = np.cumsum(pmf)
        idx = int(np.searchsorted(cdf, q * (1.0 - _PPF_RTOL), side="left"))
        return min(k0 + idx, n)
    # sf[j] = P[B > k0 + j], from the upper tail so that 1 - q keeps its precision.
    tail = np.cumsum(pmf[::-1])[::-1]  # tail[j] = P[B >= k0 + j]
    sf = np.append(tail[1:], 0.0)
    idx = int(np.argmax(sf <= (1.0 - q) * (1.0 + _PPF_RTOL)))
    return min(k0 + idx, n)


def order_statistic_ranks(n: int, p: float, level: float) -> tuple[int, int] | None:
    """1-based ranks ``(l, u)`` such that ``[x_(l), x_(u)]`` covers the ``p``-quantile with
    probability >= ``level``; ``None`` when ``n`` is too small for such ranks to exist.

    ``l = F^-1(alpha/2)`` and ``u = F^-1(1 - alpha/2) + 1`` with ``F`` the Binomial(n, p) CDF
    and ``alpha = 1 - level``; the coverage is P[l <= B <= u - 1] >= 1 - alpha.
    """
    p = _check_prob(p, "percentile")
    level = _check_prob(level, "level")
    alpha = 1.0 - level
    lo = binom_ppf(alpha / 2.0, n, p)
    hi = binom_ppf(1.0 - alpha / 2.0, n, p) + 1
    if lo < 1 or hi > n:
        return None
    return lo, hi


def _quantile_sorted(sorted_values: npt.NDArray[Any], p: float) -> float:
    """numpy's default ("linear") percentile of an already sorted array."""
    n = int(sorted_values.shape[0])
    h = (n - 1) * p
    i = math.floor(h)
    lo = float(sorted_values[i])
    if i + 1 >= n:
        return lo
    return lo + (h - i) * (float(sorted_values[i + 1]) - lo)


def order_statistic_interval(
    sorted_values: npt.NDArray[Any], percentile: float, level: float
) -> tuple[float, float] | None:
    """Distribution-free ``level`` interval for the ``percentile`` (0-100) of the population
    ``sorted_values`` (ascending) was drawn from; ``None`` when there are too few values."""
    p = float(percentile) / 100.0
    ranks = order_statistic_ranks(int(sorted_values.shape[0]), p, level)
    if ranks is None:
        return None
    value = _quantile_sorted(sorted_values, p)
    lo = float(sorted_values[ranks[0] - 1])
    hi = float(sorted_values[ranks[1] - 1])
    return min(lo, value), max(hi, value)


def _binom_cdf_small_k(t: int, n: int, q: float) -> float:
    """P[Binomial(n, q) <= t] for small ``t``, summed term by term in log space."""
    log_q, log_1q = math.log(q), math.log1p(-q)
    total = 0.0
    for j in range(min(t, n) + 1):
        total += math.exp(
            math.lgamma(n + 1)
            - math.lgamma(j + 1)
            - math.lgamma(n - j + 1)
            + j * log_q
            + (n - j) * log_1q
        )
    return total


@lru_cache(maxsize=256)
def mlperf_min_queries(
    percentile: float,
    confidence: float = _MLPERF_CONFIDENCE,
    tolerated: int = _MLPERF_TOLERATED,
) -> int:
    """MLPerf LoadGen's minimum query count for reporting the ``percentile`` (0-100) latency.

    The smallest ``n`` with P[Binomial(n, 1 - p) <= tolerated] <= 1 - confidence: with that
    many queries, seeing at most ``tolerated`` queries above the ``p``-quantile would happen
    with probability below ``1 - confidence``. LoadGen's SingleStream early-stopping check uses
    ``tolerated=1``, ``confidence=0.99`` (``mlcommons/inference``, ``loadgen/results.cc``),
    which gives 64 for p90, 130 for p95 and 662 for p99.
    """
    p = _check_prob(float(percentile) / 100.0, "percentiles")
    q = 1.0 - p
    limit = 1.0 - float(confidence)

    def ok(n: int) -> bool:
        return _binom_cdf_small_k(tolerated, n, q) <= limit

    hi = max(tolerated + 1, 2)
    while not ok(hi):
        hi *= 2
    lo = hi // 2
    while lo + 1 < hi:  # invariant: not ok(lo) (or lo too small), ok(hi)
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


@lru_cache(maxsize=256)
def _min_ci_runs(percentile: float, level: float) -> int:
    """Smallest ``n`` for which :func:`order_statistic_ranks` exists at ``level``."""
    p = float(percentile) / 100.0
    half_alpha = (1.0 - level) / 2.0
    # need p^n <= alpha/2 (upper rank <= n) and (1-p)^n < alpha/2 (lower rank >= 1)
    n = max(
        math.ceil(math.log(half_alpha) / math.log(p)),
        math.floor(math.log(half_alpha) / math.log1p(-p)) + 1,
        1,
    )
    while order_statistic_ranks(n, p, level) is None:  # guard against rounding at the edge
        n += 1
    while n > 1 and order_statistic_ranks(n - 1, p, level) is not None:
        n -= 1
    return n


def minimum_runs(percentiles: Iterable[float], levels: Iterable[float]) -> int:
    """Calls needed before the requested percentiles are reported (see module docstring)."""
    levels = tuple(levels)
    need = 1
    for pct in percentiles:
        need = max(need, mlperf_min_queries(float(pct)))
        for lvl in levels:
            need = max(need, _min_ci_runs(float(pct), level_key(lvl)))
    return need


MIN_RUNS_RULE = (
    "max over requested percentiles of the MLPerf LoadGen SingleStream minimum "
    "(smallest n with P[Binomial(n, 1-p) <= 1] <= 0.01: p90->64, p95->130, p99->662) and the "
    "smallest n for which the order-statistic interval exists at every requested level"
)


# --------------------------------------------------------------------------------------------
# result


@dataclass(frozen=True, eq=False)
class LatencyResult:
    """Everything :func:`measure_latency` measured; :meth:`estimates` turns it into numbers.

    ``samples_ns`` holds the duration of every timed call in nanoseconds (int64), in call order.
    ``total_seconds`` is the wall time of the timed phase (harness overhead between calls
    included); ``stop_reason`` is one of ``"precision"``, ``"max_seconds"``, ``"max_runs"``,
    ``"runs"``. CPU memory figures are ``None`` when ``memory=False`` or the platform offers no
    way to read them; GPU memory figures are ``None`` off CUDA.
    """

    samples_ns: npt.NDArray[np.int64]
    n: int
    warmup_calls: int
    stop_reason: str
    device: str
    batch_size: int
    total_seconds: float
    percentiles: tuple[float, ...] = (50.0, 95.0, 99.0)
    level: float = DEFAULT_LEVEL
    levels: tuple[float, ...] = ()
    rtol: float = 0.05
    min_runs: int = 1
    warmup_seconds: float = 0.0
    peak_cpu_mem_mb: float | None = None
    cpu_mem_start_mb: float | None = None
    cpu_mem_method: str | None = None
    peak_gpu_mem_mb: float | None = None
    gpu_mem_start_mb: float | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def below_minimum(self) -> bool:
        """Fewer calls than :func:`minimum_runs` asks for the requested percentiles."""
        return self.n < self.min_runs

    @property
    def cpu_mem_delta_mb(self) -> float | None:
        """Peak RSS of the measured phase above the RSS at its start, in MiB."""
        if self.peak_cpu_mem_mb is None or self.cpu_mem_start_mb is None:
            return None
        return max(0.0, self.peak_cpu_mem_mb - self.cpu_mem_start_mb)

    def all_levels(self) -> tuple[float, ...]:
        """The reporting level, the requested ones and the standard set (the standard levels
        whose interval would need more calls than were made are left out, never waited for)."""
        return tuple(
            sorted(
                {
                    level_key(self.level),
                    *(level_key(x) for x in self.levels),
                    *STANDARD_LEVELS,
                }
            )
        )

    def common_details(self) -> dict[str, Any]:
        """Details shared by every estimate (JSON-serialisable)."""
        return {
            "stop_reason": self.stop_reason,
            "device": self.device,
            "batch_size": self.batch_size,
            "n": self.n,
            "warmup_calls": self.warmup_calls,
            "min_runs": self.min_runs,
            "min_runs_rule": MIN_RUNS_RULE,
            "below_minimum": self.below_minimum,
            "rtol": self.rtol,
            "total_seconds": self.total_seconds,
            **self.details,
        }

    def estimates(self) -> dict[str, Estimate]:
        """Named estimates: ``latency_p{p}_ms`` per requested percentile, ``latency_mean_ms``,
        ``throughput_per_s``, ``peak_cpu_mem_mb`` (when measured) and ``peak_gpu_mem_mb``
        (on CUDA). Percentile intervals are order-statistic intervals at ``level`` and every
        level in ``levels``; a level whose interval needs more calls than were made is left
        out of ``intervals``."""
        out: dict[str, Estimate] = {}
        common = self.common_details()
        levels = self.all_levels()
        level = level_key(self.level)
        samples = np.sort(self.samples_ns)
        n = self.n
        for pct in self.percentiles:
            p = pct / 100.0
            value_ns = _quantile_sorted(samples, p)
            intervals: dict[float, tuple[float, float]] = {}
            for lvl in levels:
                iv = order_statistic_interval(samples, pct, lvl)
                if iv is not None:
                    intervals[lvl] = (iv[0] / _NS_PER_MS, iv[1] / _NS_PER_MS)
            at_level = intervals.get(level)
            rel = (
                _relative_half_width(value_ns / _NS_PER_MS, at_level)
                if at_level is not None
                else None
            )
            out[f"latency_p{pct:g}_ms"] = Estimate(
                value=value_ns / _NS_PER_MS,
                method="order-statistic",
                n=n,
                level=level,
                intervals=intervals,
                details={**common, "percentile": pct, "relative_half_width": rel},
            )

        mean_ns = float(samples.mean())
        mean_intervals: dict[float, tuple[float, float]] = {}
        tput_intervals: dict[float, tuple[float, float]] = {}
        min_ns = float(samples[0])
        if n >= 2:
            sem = float(samples.std(ddof=1)) / math.sqrt(n)
            for lvl in levels:
                z = z_value(lvl)
                lo, hi = mean_ns - z * sem, mean_ns + z * sem
                mean_intervals[lvl] = (lo / _NS_PER_MS, hi / _NS_PER_MS)
                # the mean per call cannot be below the fastest call observed
                lo_pos = max(lo, min_ns)
                if lo_pos > 0.0:
                    tput_intervals[lvl] = (
                        self.batch_size * _NS_PER_S / hi,
                        self.batch_size * _NS_PER_S / lo_pos,
                    )
        out["latency_mean_ms"] = Estimate(
            value=mean_ns / _NS_PER_MS,
            method="clt-normal",
            n=n,
            level=level,
            intervals=mean_intervals,
            details=dict(common),
        )
        total_ns = float(samples.sum())
        throughput = self.batch_size * n * _NS_PER_S / total_ns if total_ns > 0 else math.inf
        out["throughput_per_s"] = Estimate(
            value=throughput,
            method="clt-normal-inverted",
            n=n,
            level=level,
            intervals=tput_intervals,
            details={**common, "items_per_call": self.batch_size},
        )
        if self.peak_cpu_mem_mb is not None and self.cpu_mem_start_mb is not None:
            delta = self.cpu_mem_delta_mb
            assert delta is not None
            out["peak_cpu_mem_mb"] = Estimate(
                value=delta,
                method=f"peak-rss-delta:{self.cpu_mem_method}",
                n=None,
                level=level,
                details={
                    **common,
                    "memory_method": self.cpu_mem_method,
                    "absolute_peak_mb": self.peak_cpu_mem_mb,
                    "start_rss_mb": self.cpu_mem_start_mb,
                    "phase": "warmup+timed",
                },
            )
        if self.peak_gpu_mem_mb is not None:
            start = self.gpu_mem_start_mb
            out["peak_gpu_mem_mb"] = Estimate(
                value=self.peak_gpu_mem_mb,
                method="torch.cuda.max_memory_allocated",
                n=None,
                level=level,
                details={
                    **common,
                    "start_allocated_mb": start,
                    "delta_mb": None if start is None else self.peak_gpu_mem_mb - start,
                    "phase": "warmup+timed",
                },
            )
        return out


def _relative_half_width(value: float, interval: tuple[float, float]) -> float:
    half = (interval[1] - interval[0]) / 2.0
    if half <= 0.0:
        return 0.0
    if value <= 0.0:
        return math.inf
    return half / value


# --------------------------------------------------------------------------------------------
# memory


@dataclass
class _MemoryReading:
    start_mb: float
    peak_mb: float
    method: str


def _read_status_kb(key: str) -> int | None:
    try:
        with open(_PROC_STATUS, encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _read_statm_rss_bytes(fd: int, page: int) -> int:
    return int(os.pread(fd, 256, 0).split()[1]) * page


class _CpuMemoryMonitor:
    """Peak RSS over a phase: kernel high-water mark reset via clear_refs, else sampling."""

    def __init__(self) -> None:
        self.method = "unavailable"
        self._start_bytes = 0
        self._peak_bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fd: int | None = None
        self._page = 4096

    def start(self) -> None:
        if self._try_clear_refs():
            rss_kb = _read_status_kb("VmRSS:")
            if rss_kb is not None:
                self.method = "vmhwm-clear-refs"
                self._start_bytes = rss_kb * 1024
                return
        try:
            self._fd = os.open(_PROC_STATM, os.O_RDONLY)
            self._page = os.sysconf("SC_PAGE_SIZE")
            self._start_bytes = _read_statm_rss_bytes(self._fd, self._page)
        except (OSError, ValueError, IndexError, AttributeError):
            self._close()
            self.method = "unavailable"
            return
        self.method = f"rss-sampling-{_SAMPLING_INTERVAL_S * 1000:g}ms"
        self._peak_bytes = self._start_bytes
        self._thread = threading.Thread(
            target=self._sample, name="archgate-rss-sampler", daemon=True
        )
        self._thread.start()

    @staticmethod
    def _try_clear_refs() -> bool:
        try:
            with open(_CLEAR_REFS, "w", encoding="ascii") as fh:
                fh.write("5")
        except OSError:
            return False
        return True

    def _sample(self) -> None:
        fd, page, stop = self._fd, self._page, self._stop
        assert fd is not None
        peak = self._peak_bytes
        while True:
            try:
                rss = _read_statm_rss_bytes(fd, page)
            except (OSError, ValueError, IndexError):
                break
            peak = max(rss, peak)
            self._peak_bytes = peak
            if stop.wait(_SAMPLING_INTERVAL_S):
                break

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def stop(self) -> _MemoryReading | None:
        if self.method == "vmhwm-clear-refs":
            hwm_kb = _read_status_kb("VmHWM:")
            if hwm_kb is None:
                return None
            peak = max(hwm_kb * 1024, self._start_bytes)
            return _MemoryReading(self._start_bytes / _MIB, peak / _MIB, self.method)
        if self._thread is None:
            return None
        self._stop.set()
        self._thread.join()
        self._thread = None
        try:
            assert self._fd is not None
            final = _read_statm_rss_bytes(self._fd, self._page)
        except (OSError, ValueError, IndexError):
            final = 0
        self._close()
        peak = max(self._peak_bytes, final, self._start_bytes)
        return _MemoryReading(self._start_bytes / _MIB, peak / _MIB, self.method)

    def abort(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._close()


# --------------------------------------------------------------------------------------------
# device


def _resolve_device(device: str | None) -> tuple[str, Any, int | None]:
    """``(name, torch or None, cuda index or None)`` for the requested device."""
    if device is None or device == "cpu":
        return "cpu", None, None
    if device == "auto":
        loaded: Any = sys.modules.get("torch")
        if loaded is not None:
            try:
                usable = bool(loaded.cuda.is_available())
            except Exception:
                usable = False
            if usable:
                index = int(loaded.cuda.current_device())
                return f"cuda:{index}", loaded, index
        return "cpu", None, None
    if not isinstance(device, str) or not (device == "cuda" or device.startswith("cuda:")):
        raise MeasurementError(
            f"unknown device {device!r}; use None, 'cpu', 'cuda', 'cuda:N' or 'auto'",
            field="device",
        )
    try:
        import torch
    except ImportError as exc:
        raise MeasurementError(
            f"device={device!r} needs PyTorch, which cannot be imported ({exc})", field="device"
        ) from exc
    try:
        usable = bool(torch.cuda.is_available())
    except Exception as exc:
        raise MeasurementError(
            f"device={device!r}: torch.cuda.is_available() failed: {exc}", field="device"
        ) from exc
    if not usable:
        raise MeasurementError(
            f"device={device!r} requested but no CUDA device is usable "
            f"(torch {torch.__version__}, built for CUDA {torch.version.cuda}); "
            "use device='cpu' or 'auto'",
            field="device",
        )
    try:
        parsed = torch.device(device)
        index = parsed.index if parsed.index is not None else int(torch.cuda.current_device())
        count = int(torch.cuda.device_count())
    except Exception as exc:
        raise MeasurementError(f"invalid CUDA device {device!r}: {exc}", field="device") from exc
    if not 0 <= index < count:
        raise MeasurementError(
            f"device={device!r} but only {count} CUDA device(s) are visible", field="device"
        )
    return f"cuda:{index}", torch, int(index)


# --------------------------------------------------------------------------------------------
# the timing loops


_NOT_WORK = (
    "pass a function that does the work when called (e.g. lambda: list(gen()) for a generator, "
    "or lambda: asyncio.run(coro()) for a coroutine function): only the creation of the "
    "{what} would be timed"
)
#: Lazy iterators of the standard library: calling fn only builds them, the work comes later.
_LAZY_TYPES: tuple[type, ...] = (map, filter, zip)


def _check_fn(fn: object) -> None:
    """Refuse what cannot be timed call by call, before calling it."""
    if not callable(fn):
        raise MeasurementError(
            f"fn must be callable (a function that does the work), got {type(fn).__name__}",
            field="fn",
        )
    target = inspect.unwrap(fn.func) if isinstance(fn, partial) else fn
    for check, what in (
        (inspect.iscoroutinefunction, "coroutine"),
        (inspect.isasyncgenfunction, "async generator"),
        (inspect.isgeneratorfunction, "generator"),
    ):
        if check(target):
            raise MeasurementError(
                f"fn is a {what} function; " + _NOT_WORK.format(what=what), field="fn"
            )


def _check_result(result: object) -> None:
    """Refuse a first call that returned a generator, coroutine or other awaitable."""
    what: str | None = None
    if inspect.isgenerator(result):
        what = "generator"
    elif inspect.iscoroutine(result):
        what = "coroutine"
    elif inspect.isasyncgen(result):
        what = "async generator"
    elif inspect.isawaitable(result):
        what = "awaitable"
    elif isinstance(result, _LAZY_TYPES):
        what = f"lazy {type(result).__name__} iterator"
    if what is None:
        return
    close = getattr(result, "close", None)
    if what in ("generator", "coroutine") and callable(close):
        close()  # no "coroutine was never awaited" warning for the caller's run
    article = "an" if what[0] in "aeiou" else "a"
    raise _NotWork(f"fn returned {article} {what}; " + _NOT_WORK.format(what=what), field="fn")


class _NotWork(MeasurementError):
    """``fn`` returned something that defers the work (raised as it is, never wrapped)."""


def _call_failed(exc: Exception, phase: str, call: int) -> MeasurementError:
    return MeasurementError(
        f"the measured callable raised {type(exc).__name__}: {exc} (during {phase} call {call})",
        field="fn",
    )


def _warmup(
    fn: Callable[..., Any],
    it: Iterator[Any] | None,
    sync: Callable[[], Any] | None,
    warmup: int,
    warmup_ns: int,
    cap_ns: int,
) -> tuple[int, int, bool]:
    """Call ``fn`` until ``warmup`` calls AND ``warmup_ns`` have passed (or ``cap_ns``).

    Returns ``(calls, elapsed_ns, truncated)``.
    """
    pc = time.perf_counter_ns
    if warmup <= 0 and warmup_ns <= 0:
        return 0, 0, False
    count = 0
    start = pc()
    try:
        _check_result(fn() if it is None else fn(next(it)))
        while True:
            if count:
                if it is None:
                    fn()
                else:
                    fn(next(it))
            if sync is not None:
                sync()
            count += 1
            elapsed = pc() - start
            if count >= warmup and elapsed >= warmup_ns:
                return count, elapsed, False
            if elapsed >= cap_ns:
                return count, elapsed, True
    except _NotWork:
        raise
    except Exception as exc:
        raise _call_failed(exc, "warm-up", count + 1) from exc


def _timed_chunk(
    fn: Callable[..., Any],
    it: Iterator[Any] | None,
    sync: Callable[[], Any] | None,
    k: int,
    buf: list[int],
    done: int,
) -> None:
    """Time ``k`` calls, storing each duration (ns) in ``buf[0:k]``. Kept minimal: locals
    only, one branch outside the loop, two clock reads and one list store per call."""
    pc = time.perf_counter_ns
    i = 0
    try:
        if it is None:
            if sync is None:
                for i in range(k):
                    t0 = pc()
                    fn()
                    buf[i] = pc() - t0
            else:
                for i in range(k):
                    t0 = pc()
                    fn()
                    sync()
                    buf[i] = pc() - t0
        elif sync is None:
            for i, x in zip(range(k), it, strict=False):
                t0 = pc()
                fn(x)
                buf[i] = pc() - t0
        else:
            for i, x in zip(range(k), it, strict=False):
                t0 = pc()
                fn(x)
                sync()
                buf[i] = pc() - t0
    except Exception as exc:
        raise _call_failed(exc, "timed", done + i + 1) from exc


def _timed_first(
    fn: Callable[..., Any], it: Iterator[Any] | None, sync: Callable[[], Any] | None, buf: list[int]
) -> None:
    """Time one call into ``buf[0]`` and check what it returned (used when nothing warmed up)."""
    pc = time.perf_counter_ns
    try:
        t0 = pc()
        result = fn() if it is None else fn(next(it))
        if sync is not None:
            sync()
        buf[0] = pc() - t0
    except Exception as exc:
        raise _call_failed(exc, "timed", 1) from exc
    _check_result(result)


def _precise_enough(
    samples: npt.NDArray[np.int64], percentiles: Sequence[float], level: float, rtol: float
) -> bool:
    ordered = np.sort(samples)
    for pct in percentiles:
        iv = order_statistic_interval(ordered, pct, level)
        if iv is None:
            return False
        value = _quantile_sorted(ordered, pct / 100.0)
        if _relative_half_width(value, iv) > rtol:
            return False
    return True


def measure_latency(
    fn: Callable[..., Any],
    *,
    warmup: int = 10,
    warmup_seconds: float = 0.1,
    runs: int | None = None,
    max_runs: int = 100_000,
    max_seconds: float = 10.0,
    percentiles: Sequence[float] = (50, 95, 99),
    level: float = DEFAULT_LEVEL,
    levels: Iterable[float] = (),
    rtol: float = 0.05,
    device: str | None = None,
    batch_size: int = 1,
    inputs: Iterable[Any] | None = None,
    memory: bool = True,
) -> LatencyResult:
    """Time ``fn`` call by call until its latency percentiles are known to ``rtol``.

    ``fn`` is called with no argument, or, when ``inputs`` is given, as ``fn(x)`` for each
    ``x`` of ``inputs`` in turn, cycling (``inputs`` must be finite: it is materialised into a
    list first). ``batch_size`` is the number of items one call processes, used only for
    ``throughput_per_s``.

    Phases: warm-up (at least ``warmup`` calls and ``warmup_seconds``, cut short after
    ``max_seconds``), then timed calls. Without ``runs`` the timed phase makes at least
    :func:`minimum_runs` calls and then stops as soon as the order-statistic interval at
    ``level`` of every requested percentile has relative half-width ``<= rtol``
    (``"precision"``), or after ``max_seconds`` (``"max_seconds"``) or ``max_runs`` calls
    (``"max_runs"``). With ``runs`` it makes exactly ``runs`` calls (``"runs"``) unless
    ``max_seconds`` ends it first; ``max_runs`` does not apply. Stopping below the minimum
    still returns, with ``below_minimum`` set in the details.

    ``device``: ``None``/``"cpu"`` (no synchronisation), ``"cuda"``/``"cuda:N"`` (imports
    torch; synchronises around every call and records peak GPU memory), or ``"auto"`` (CUDA
    when torch is already imported and a device is usable, else CPU). ``memory`` turns the
    peak CPU memory measurement on or off. ``levels`` are the extra two-sided levels to compute
    intervals at (see :func:`pytest_archgate.measure.estimate.levels_for`).

    Raises :class:`MeasurementError` for invalid arguments, when ``fn`` raises (the original
    exception is chained), when no call completes within ``max_seconds``, or when CUDA is
    requested but unusable.
    """
    _check_fn(fn)
    if isinstance(percentiles, str | bytes) or not isinstance(percentiles, Iterable):
        raise MeasurementError(
            f"must be a list of percentiles such as (50, 95, 99), got {short_repr(percentiles)}",
            field="percentiles",
        )
    pcts = tuple(check_number(p, "percentiles") for p in percentiles)
    if not pcts:
        raise MeasurementError("at least one percentile is required", field="percentiles")
    for pct in pcts:
        if not 0.0 < pct < 100.0:
            raise MeasurementError(
                f"must be strictly between 0 and 100, got {pct:g}",
                field="percentiles",
            )
    level = check_level(level, "level")
    if isinstance(levels, str | bytes) or not isinstance(levels, Iterable):
        raise MeasurementError(
            f"must be a list of levels, got {short_repr(levels)}", field="levels"
        )
    extra_levels = tuple(check_level(x, "levels") for x in levels)
    all_levels = tuple(sorted({level, *extra_levels}))
    warmup = check_int(warmup, "warmup", minimum=0, maximum=MAX_CALLS)
    warmup_seconds = check_number(warmup_seconds, "warmup_seconds", minimum=0.0)
    if warmup_seconds > MAX_SECONDS:
        raise MeasurementError(
            f"must be at most {MAX_SECONDS:g} s, got {warmup_seconds:g}", field="warmup_seconds"
        )
    if runs is not None:
        runs = check_int(runs, "runs", minimum=1, maximum=MAX_CALLS)
    max_runs = check_int(max_runs, "max_runs", minimum=1, maximum=MAX_CALLS)
    max_seconds = check_number(max_seconds, "max_seconds")
    if not 0.0 < max_seconds <= MAX_SECONDS:
        raise MeasurementError(
            f"must be a positive number of seconds, at most {MAX_SECONDS:g}, got {max_seconds:g}",
            field="max_seconds",
        )
    rtol = check_number(rtol, "rtol")
    if not rtol > 0.0:
        raise MeasurementError(f"must be > 0, got {rtol:g}", field="rtol")
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=MAX_COUNT)
    if not isinstance(memory, bool):
        raise MeasurementError(f"must be True or False, got {short_repr(memory)}", field="memory")
    if inputs is not None and (
        isinstance(inputs, str | bytes | Mapping) or not isinstance(inputs, Iterable)
    ):
        raise MeasurementError(
            f"must be a finite iterable of inputs (e.g. a list), got {short_repr(inputs)}",
            field="inputs",
        )

    it: Iterator[Any] | None = None
    if inputs is not None:
        items = list(itertools.islice(inputs, MAX_INPUTS + 1))
        if len(items) > MAX_INPUTS:
            raise MeasurementError(
                f"holds more than {MAX_INPUTS:_} items (or never ends); pass a finite list",
                field="inputs",
            )
        if not items:
            raise MeasurementError("inputs is empty: nothing to call fn with", field="inputs")
        it = itertools.cycle(items)

    device_name, torch, cuda_index = _resolve_device(device)
    sync: Callable[[], Any] | None = None
    gpu_start_mb: float | None = None
    if torch is not None:
        sync = partial(torch.cuda.synchronize, cuda_index)
        sync()
        torch.cuda.reset_peak_memory_stats(cuda_index)
        gpu_start_mb = float(torch.cuda.memory_allocated(cuda_index)) / _MIB

    n_min = minimum_runs(pcts, all_levels)
    target = int(runs) if runs is not None else int(max_runs)
    max_ns = int(max_seconds * _NS_PER_S)

    monitor = _CpuMemoryMonitor() if memory else None
    if monitor is not None:
        monitor.start()
    try:
        warm_calls, warm_ns, warm_truncated = _warmup(
            fn, it, sync, int(warmup), int(warmup_seconds * _NS_PER_S), max_ns
        )
        samples, stop_reason, timed_ns = _timed_phase(
            fn,
            it,
            sync,
            target,
            runs is not None,
            n_min,
            pcts,
            level,
            rtol,
            max_ns,
            max_seconds,
            check_first=warm_calls == 0,
        )
        reading = monitor.stop() if monitor is not None else None
    except BaseException:
        if monitor is not None:
            monitor.abort()
        raise

    gpu_peak_mb: float | None = None
    if torch is not None:
        sync_fn = sync
        assert sync_fn is not None
        sync_fn()
        gpu_peak_mb = float(torch.cuda.max_memory_allocated(cuda_index)) / _MIB

    n = int(samples.shape[0])
    details: dict[str, Any] = {
        "below_minimum": n < n_min,
        "warmup_truncated": warm_truncated,
        "sum_call_seconds": float(samples.sum()) / _NS_PER_S,
        "timer": "time.perf_counter_ns per call"
        + (" + torch.cuda.synchronize" if sync is not None else ""),
    }
    if monitor is not None and reading is None:
        details["memory_method"] = monitor.method
    return LatencyResult(
        samples_ns=samples,
        n=n,
        warmup_calls=warm_calls,
        stop_reason=stop_reason,
        device=device_name,
        batch_size=int(batch_size),
        total_seconds=timed_ns / _NS_PER_S,
        percentiles=pcts,
        level=level,
        levels=extra_levels,
        rtol=float(rtol),
        min_runs=n_min,
        warmup_seconds=warm_ns / _NS_PER_S,
        peak_cpu_mem_mb=None if reading is None else reading.peak_mb,
        cpu_mem_start_mb=None if reading is None else reading.start_mb,
        cpu_mem_method=None if reading is None else reading.method,
        peak_gpu_mem_mb=gpu_peak_mb,
        gpu_mem_start_mb=gpu_start_mb,
        environment=collect_environment(device=device_name),
        details=details,
    )


def _timed_phase(
    fn: Callable[..., Any],
    it: Iterator[Any] | None,
    sync: Callable[[], Any] | None,
    target: int,
    fixed_runs: bool,
    n_min: int,
    percentiles: Sequence[float],
    level: float,
    rtol: float,
    max_ns: int,
    max_seconds: float,
    check_first: bool = False,
) -> tuple[npt.NDArray[np.int64], str, int]:
    """Run timed chunks until a stop rule fires; returns ``(samples, reason, wall_ns)``."""
    pc = time.perf_counter_ns
    buf = [0] * _CHUNK_MAX
    store = np.empty(min(target, 4096), dtype=np.int64)
    n = 0
    k = 1  # the first chunk is one call, so that "no call finished in time" is detectable
    next_check = n_min
    reason = ""
    start = pc()
    deadline = start + max_ns
    while True:
        k = min(k, target - n)
        if not fixed_runs and n < next_check:
            k = min(k, next_check - n)
        chunk_start = pc()
        if check_first and n == 0:
            _timed_first(fn, it, sync, buf)
            k = 1
        else:
            _timed_chunk(fn, it, sync, k, buf, n)
        now = pc()
        if n == 0 and now > deadline:
            raise MeasurementError(
                f"no call completed within max_seconds={max_seconds:g} "
                f"(the first timed call took {(now - chunk_start) / _NS_PER_S:.3g} s)",
                field="max_seconds",
            )
        if n + k > store.shape[0]:
            grown = np.empty(min(target, max(2 * store.shape[0], n + k)), dtype=np.int64)
            grown[:n] = store[:n]
            store = grown
        store[n : n + k] = buf[:k]
        n += k
        chunk_ns = max(now - chunk_start, 1)
        if n >= target:
            reason = "runs" if fixed_runs else "max_runs"
            break
        if not fixed_runs and n >= next_check:
            if _precise_enough(store[:n], percentiles, level, rtol):
                reason = "precision"
                break
            next_check = n + max(16, math.ceil(n * _CHECK_GROWTH))
            now = pc()
        if now >= deadline:
            reason = "max_seconds"
            break
        per_call = chunk_ns / k
        k_next = int(_CHUNK_TARGET_NS / per_call)
        k_next = min(k_next, int((deadline - now) / per_call) + 1, 4 * k + 16, _CHUNK_MAX)
        k = max(1, k_next)
    wall_ns = pc() - start
    samples = store[:n].copy()
    return samples, reason, wall_ns
