"""Tests of pytest_archgate.measure.latency: intervals, stop rules, warm-up, errors, memory, CUDA.

No test asserts on absolute timings (the machine is shared and noisy): they check structure,
counts and orderings. Checks that need real torch run in a subprocess so that this test process
does not import torch as a side effect (other tests check import hygiene in-process).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure import latency as L
from pytest_archgate.measure.latency import (
    LatencyResult,
    binom_ppf,
    measure_latency,
    minimum_runs,
    mlperf_min_queries,
    order_statistic_interval,
    order_statistic_ranks,
)

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20


def _run_python(code: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _probe_cuda() -> bool:
    """CUDA availability, asked in a subprocess so that torch is not imported here."""
    proc = _run_python(
        "import sys\n"
        "try:\n    import torch\nexcept ImportError:\n    sys.exit(2)\n"
        "sys.exit(0 if torch.cuda.is_available() else 1)\n"
    )
    return proc.returncode == 0


def _torch_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


CUDA = _probe_cuda()
requires_cuda = pytest.mark.skipif(not CUDA, reason="needs torch with a usable CUDA device")
requires_no_cuda = pytest.mark.skipif(CUDA, reason="checks behaviour without a CUDA device")
requires_torch = pytest.mark.skipif(not _torch_installed(), reason="needs torch installed")


def _noop() -> None:
    return None


def _quick(**kwargs: Any) -> LatencyResult:
    """A fast measurement of a no-op with small warm-up (no memory reading unless asked)."""
    kwargs.setdefault("warmup", 2)
    kwargs.setdefault("warmup_seconds", 0.0)
    kwargs.setdefault("memory", False)
    return measure_latency(kwargs.pop("fn", _noop), **kwargs)


# --------------------------------------------------------------------------------------------
# binomial quantiles and order-statistic intervals against scipy

TAIL_QUANTILES = (0.0005, 0.005, 0.025, 0.05, 0.1, 0.9, 0.95, 0.975, 0.995, 0.9995)
SIZES = (1, 2, 3, 7, 10, 31, 64, 130, 367, 662, 1000, 4096, 100_000, 1_000_000)
PROBS = (0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999)


@pytest.mark.parametrize("n", SIZES)
def test_binom_ppf_matches_scipy(n: int) -> None:
    stats = pytest.importorskip("scipy.stats")
    for p in PROBS:
        for q in TAIL_QUANTILES:
            assert binom_ppf(q, n, p) == int(stats.binom.ppf(q, n, p)), (q, n, p)


def test_binom_ppf_exact_tie_and_edges() -> None:
    # P[Binomial(5, 1/2) <= 2] is exactly 1/2: the smallest k reaching q = 0.5 is 2.
    assert binom_ppf(0.5, 5, 0.5) == 2
    assert binom_ppf(0.0, 10, 0.3) == 0
    assert binom_ppf(1.0, 10, 0.3) == 10
    assert binom_ppf(0.5, 0, 0.3) == 0
    with pytest.raises(MeasurementError):
        binom_ppf(1.5, 10, 0.3)


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99, 0.999])
@pytest.mark.parametrize("pct", [50, 90, 95, 99, 99.9])
def test_order_statistic_ranks_match_scipy(pct: float, level: float) -> None:
    stats = pytest.importorskip("scipy.stats")
    p = pct / 100
    alpha = 1 - level
    for n in (5, 20, 64, 130, 500, 662, 2000, 50_000):
        lo = int(stats.binom.ppf(alpha / 2, n, p))
        hi = int(stats.binom.ppf(1 - alpha / 2, n, p)) + 1
        ranks = order_statistic_ranks(n, p, level)
        if lo < 1 or hi > n:
            assert ranks is None, (n, pct, level)
            continue
        assert ranks == (lo, hi), (n, pct, level)
        # coverage of [x_(l), x_(u)] is P[l <= B <= u - 1]
        coverage = stats.binom.cdf(hi - 1, n, p) - stats.binom.cdf(lo - 1, n, p)
        assert coverage >= level - 1e-12


def test_order_statistic_interval_uses_those_ranks() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(1)
    values = np.sort(rng.lognormal(size=1000))
    for pct, level in [(50, 0.95), (95, 0.9), (99, 0.95), (99, 0.99)]:
        p = pct / 100
        lo_rank = int(stats.binom.ppf((1 - level) / 2, 1000, p))
        hi_rank = int(stats.binom.ppf(1 - (1 - level) / 2, 1000, p)) + 1
        iv = order_statistic_interval(values, pct, level)
        assert iv == (values[lo_rank - 1], values[hi_rank - 1])
        assert iv[0] <= np.percentile(values, pct) <= iv[1]


def test_order_statistic_interval_none_when_too_few_values() -> None:
    values = np.arange(50, dtype=np.int64)
    assert order_statistic_interval(values, 99, 0.95) is None  # p99 needs 367 values
    assert order_statistic_interval(values, 50, 0.95) is not None


def test_order_statistic_interval_coverage_by_simulation() -> None:
    rng = np.random.default_rng(7)
    n, reps, p, level = 200, 2000, 0.95, 0.95
    true_q = -math.log(1 - p)  # p-quantile of Exp(1)
    draws = np.sort(rng.exponential(size=(reps, n)), axis=1)
    lo, hi = order_statistic_ranks(n, p, level) or (0, 0)
    covered = np.mean((draws[:, lo - 1] <= true_q) & (true_q <= draws[:, hi - 1]))
    assert covered >= level - 0.02  # binomial noise of 2000 repetitions is ~0.5%


# --------------------------------------------------------------------------------------------
# minimum number of calls


def test_mlperf_minimum_query_counts() -> None:
    assert mlperf_min_queries(90) == 64
    assert mlperf_min_queries(95) == 130
    assert mlperf_min_queries(99) == 662


def test_mlperf_rule_generalises() -> None:
    stats = pytest.importorskip("scipy.stats")
    for pct in (50, 75, 99.5, 99.9):
        n = mlperf_min_queries(pct)
        q = 1 - pct / 100
        assert stats.binom.cdf(1, n, q) <= 0.01
        assert stats.binom.cdf(1, n - 1, q) > 0.01


def test_minimum_runs_also_needs_the_interval_to_exist() -> None:
    assert minimum_runs([50, 95, 99], [0.95]) == 662
    assert minimum_runs([95], [0.95]) == 130
    # at two-sided level 0.999 the p99 interval needs 0.99**n <= 0.0005, i.e. n >= 757
    assert minimum_runs([99], [0.999]) == 757
    assert order_statistic_ranks(757, 0.99, 0.999) is not None
    assert order_statistic_ranks(756, 0.99, 0.999) is None


@pytest.mark.parametrize(("percentiles", "expected"), [((95,), 130), ((50, 95, 99), 662)])
def test_stop_rule_runs_at_least_the_minimum(percentiles: tuple[float, ...], expected: int) -> None:
    # rtol so loose that precision is met at the first check: exactly the minimum is run.
    result = _quick(percentiles=percentiles, rtol=1e9)
    assert result.stop_reason == "precision"
    assert result.n == expected
    assert result.min_runs == expected
    assert not result.below_minimum


def test_precision_stop_meets_rtol() -> None:
    result = _quick(rtol=0.5, max_seconds=30)
    if result.stop_reason != "precision":  # pragma: no cover - a pathologically loaded machine
        pytest.skip(f"stopped by {result.stop_reason}")
    for pct in (50, 95, 99):
        est = result.estimates()[f"latency_p{pct}_ms"]
        assert est.details["relative_half_width"] <= 0.5


def test_runs_makes_exactly_that_many_calls() -> None:
    calls = 0

    def fn() -> None:
        nonlocal calls
        calls += 1

    result = measure_latency(fn, runs=1000, warmup=3, warmup_seconds=0.0, memory=False)
    assert result.stop_reason == "runs"
    assert result.n == 1000 == result.samples_ns.shape[0]
    assert result.warmup_calls == 3
    assert calls == 1003
    assert result.samples_ns.dtype == np.int64


def test_runs_below_minimum_is_flagged_and_interval_missing() -> None:
    result = _quick(runs=50)
    assert result.n == 50
    assert result.below_minimum
    assert result.details["below_minimum"] is True
    est = result.estimates()
    assert est["latency_p99_ms"].ci is None  # p99 interval needs 367 calls
    assert est["latency_p50_ms"].ci is not None
    assert est["latency_p99_ms"].details["below_minimum"] is True


def test_max_runs_stop() -> None:
    result = _quick(max_runs=700, rtol=1e-12)
    assert result.stop_reason == "max_runs"
    assert result.n == 700


def test_max_seconds_stop_below_minimum() -> None:
    def slow() -> None:
        time.sleep(0.002)

    result = measure_latency(
        slow, max_seconds=0.1, warmup=1, warmup_seconds=0.0, rtol=1e-9, memory=False
    )
    assert result.stop_reason == "max_seconds"
    assert 1 <= result.n < 662
    assert result.below_minimum
    assert result.details["warmup_truncated"] is False
    est = result.estimates()
    assert est["latency_p99_ms"].ci is None
    assert est["latency_p99_ms"].details["below_minimum"] is True
    assert est["latency_p50_ms"].value > 0


def test_zero_calls_within_max_seconds_raises() -> None:
    def very_slow() -> None:
        time.sleep(0.3)

    with pytest.raises(MeasurementError, match="no call completed") as info:
        measure_latency(very_slow, max_seconds=0.1, warmup=0, warmup_seconds=0.0, memory=False)
    assert info.value.field == "max_seconds"


# --------------------------------------------------------------------------------------------
# warm-up


def test_warmup_by_count() -> None:
    calls = 0

    def fn() -> None:
        nonlocal calls
        calls += 1

    result = measure_latency(fn, warmup=25, warmup_seconds=0.0, runs=10, memory=False)
    assert result.warmup_calls == 25
    assert calls == 35


def test_warmup_by_time_needs_both_conditions() -> None:
    def fn() -> None:
        time.sleep(0.001)

    result = measure_latency(fn, warmup=2, warmup_seconds=0.05, runs=5, memory=False)
    assert result.warmup_seconds >= 0.05
    assert result.warmup_calls > 2


def test_warmup_is_capped_by_max_seconds() -> None:
    def fn() -> None:
        time.sleep(0.01)

    result = measure_latency(fn, warmup=10_000, warmup_seconds=0.0, max_seconds=0.05, runs=2)
    assert result.details["warmup_truncated"] is True
    assert result.warmup_calls < 10_000


def test_no_warmup() -> None:
    result = _quick(warmup=0, warmup_seconds=0.0, runs=5)
    assert result.warmup_calls == 0
    assert result.warmup_seconds == 0.0


# --------------------------------------------------------------------------------------------
# errors


def test_callable_raising_during_warmup() -> None:
    def broken() -> None:
        raise ValueError("boom")

    with pytest.raises(MeasurementError, match="warm-up call 1") as info:
        measure_latency(broken, memory=False)
    assert info.value.field == "fn"
    assert isinstance(info.value.__cause__, ValueError)
    assert "ValueError: boom" in str(info.value)


def test_callable_raising_during_timing() -> None:
    calls = 0

    def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 5 + 40:
            raise RuntimeError("call 40 failed")

    with pytest.raises(MeasurementError, match="timed call 40") as info:
        measure_latency(flaky, warmup=5, warmup_seconds=0.0, memory=True)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_memory_monitor_thread_stops_when_fn_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(L, "_CLEAR_REFS", "/nonexistent-dir/clear_refs")

    def broken() -> None:
        raise KeyError("x")

    with pytest.raises(MeasurementError):
        measure_latency(broken, memory=True)
    assert not any(t.name == "archgate-rss-sampler" for t in threading.enumerate())


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"percentiles": (100,)}, "percentiles"),
        ({"percentiles": ()}, "percentiles"),
        ({"level": 1.0}, "level"),
        ({"levels": (0.0,)}, "levels"),
        ({"runs": 0}, "runs"),
        ({"max_runs": 0}, "max_runs"),
        ({"max_seconds": 0}, "max_seconds"),
        ({"rtol": 0}, "rtol"),
        ({"batch_size": 0}, "batch_size"),
        ({"warmup": -1}, "warmup"),
        ({"inputs": []}, "inputs"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(MeasurementError) as info:
        measure_latency(lambda *a: None, **kwargs)
    assert info.value.field == field


def test_not_callable() -> None:
    with pytest.raises(MeasurementError) as info:
        measure_latency(42)  # type: ignore[arg-type]
    assert info.value.field == "fn"


# --------------------------------------------------------------------------------------------
# inputs, batch size, estimates


def test_inputs_cycle_and_throughput_uses_batch_size() -> None:
    items = [np.full(4, i) for i in range(3)]
    seen: list[int] = []

    def predict(x: Any) -> None:
        seen.append(int(x[0]))

    result = measure_latency(
        predict, inputs=iter(items), batch_size=4, runs=200, warmup=4, warmup_seconds=0.0
    )
    assert len(seen) == 204
    assert seen[:7] == [0, 1, 2, 0, 1, 2, 0]  # warm-up and timed calls continue one cycle
    est = result.estimates()["throughput_per_s"]
    expected = 4 * result.n / (result.samples_ns.sum() / 1e9)
    assert est.value == pytest.approx(expected)
    assert est.ci is not None
    assert est.ci[0] <= est.value <= est.ci[1]
    assert est.details["batch_size"] == 4
    assert result.batch_size == 4


def test_generator_inputs_are_materialised() -> None:
    def gen() -> Iterator[int]:
        yield from range(5)

    got: list[int] = []
    measure_latency(got.append, inputs=gen(), runs=10, warmup=0, warmup_seconds=0.0)
    assert got == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]


def test_estimates_structure_and_ordering() -> None:
    result = _quick(levels=(0.9, 0.99), rtol=0.2, max_seconds=20)
    est = result.estimates()
    assert set(est) >= {
        "latency_p50_ms",
        "latency_p95_ms",
        "latency_p99_ms",
        "latency_mean_ms",
        "throughput_per_s",
    }
    assert "peak_cpu_mem_mb" not in est  # memory=False
    assert "peak_gpu_mem_mb" not in est
    p50, p95, p99 = (est[f"latency_p{p}_ms"].value for p in (50, 95, 99))
    assert 0 < p50 <= p95 <= p99
    for name, e in est.items():
        assert e.n == result.n
        assert e.level == 0.95
        # the requested levels plus the standard set (contract 2)
        assert set(e.intervals) == {0.8, 0.9, 0.95, 0.98, 0.99}, name
        for lo, hi in e.intervals.values():
            assert lo <= e.value <= hi, name
        # nested: wider intervals at higher levels
        assert e.intervals[0.9][0] >= e.intervals[0.99][0]
        assert e.intervals[0.9][1] <= e.intervals[0.99][1]
        assert e.details["stop_reason"] == result.stop_reason
        assert e.details["device"] == "cpu"
        assert e.details["min_runs"] == 662
        assert "MLPerf" in e.details["min_runs_rule"]
        json.dumps(e.to_json(), allow_nan=False)
    for pct in (50, 95, 99):
        assert est[f"latency_p{pct}_ms"].method == "order-statistic"
        assert est[f"latency_p{pct}_ms"].value == pytest.approx(
            np.percentile(result.samples_ns, pct) / 1e6
        )
    assert est["latency_mean_ms"].value == pytest.approx(result.samples_ns.mean() / 1e6)
    assert result.total_seconds >= result.samples_ns.sum() / 1e9


def test_fractional_percentile_name() -> None:
    result = _quick(percentiles=(99.9,), runs=100)
    assert "latency_p99.9_ms" in result.estimates()


def test_environment_attached() -> None:
    result = _quick(runs=10)
    assert result.environment["python"]
    assert result.environment["device"] == "cpu"
    assert "numpy" in result.environment["packages"]


# --------------------------------------------------------------------------------------------
# memory


def _alloc_50mib() -> int:
    block = np.ones(50 * MIB // 8)  # written, so the pages are resident
    return int(block.shape[0])


def _clear_refs_writable() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _clear_refs_writable(), reason="needs writable /proc/self/clear_refs")
def test_memory_detects_allocation_inside_fn() -> None:
    result = measure_latency(_alloc_50mib, runs=5, warmup=1, warmup_seconds=0.0)
    assert result.cpu_mem_method == "vmhwm-clear-refs"
    est = result.estimates()["peak_cpu_mem_mb"]
    assert est.value >= 45
    assert est.method == "peak-rss-delta:vmhwm-clear-refs"
    assert est.details["absolute_peak_mb"] >= est.details["start_rss_mb"] + 45


@pytest.mark.skipif(not _clear_refs_writable(), reason="needs writable /proc/self/clear_refs")
def test_memory_ignores_allocations_made_before_measuring() -> None:
    freed = np.ones(200 * MIB // 8)  # raises the process's lifetime peak...
    del freed  # ...and is given back before measuring
    kept = np.ones(100 * MIB // 8)  # resident during the measurement, but allocated before it
    result = measure_latency(_noop, runs=100, warmup=1, warmup_seconds=0.0)
    est = result.estimates()["peak_cpu_mem_mb"]
    assert est.value < 20
    # the absolute peak is that of the measured phase, not the lifetime peak (which was
    # at least start + 200 MiB - 100 MiB above it)
    assert est.details["absolute_peak_mb"] < est.details["start_rss_mb"] + 50
    assert kept[0] == 1.0


def test_memory_sampling_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    if not Path("/proc/self/statm").exists():
        pytest.skip("needs /proc/self/statm")
    monkeypatch.setattr(L, "_CLEAR_REFS", "/nonexistent-dir/clear_refs")

    def hold_50mib() -> None:
        block = np.ones(50 * MIB // 8)
        time.sleep(0.02)  # long enough for a 2 ms sampler to see it
        del block

    result = measure_latency(hold_50mib, runs=3, warmup=1, warmup_seconds=0.0)
    assert result.cpu_mem_method is not None
    assert result.cpu_mem_method.startswith("rss-sampling")
    est = result.estimates()["peak_cpu_mem_mb"]
    assert est.value >= 45
    assert "rss-sampling" in est.method


def test_memory_unavailable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(L, "_CLEAR_REFS", "/nonexistent-dir/clear_refs")
    monkeypatch.setattr(L, "_PROC_STATM", "/nonexistent-dir/statm")
    result = _quick(runs=5, memory=True)
    assert result.peak_cpu_mem_mb is None
    assert result.details["memory_method"] == "unavailable"
    assert "peak_cpu_mem_mb" not in result.estimates()


# --------------------------------------------------------------------------------------------
# CUDA


def _fake_torch(available: bool, log: list[str]) -> types.ModuleType:
    """A stand-in for torch exposing just what the CUDA path uses."""
    torch = types.ModuleType("torch")
    torch.__version__ = "0.0-fake"  # type: ignore[attr-defined]
    torch.version = types.SimpleNamespace(cuda="12.0")  # type: ignore[attr-defined]
    state = {"peak": 0}

    def synchronize(device: Any = None) -> None:
        log.append("sync")

    def reset_peak_memory_stats(device: Any = None) -> None:
        log.append("reset")
        state["peak"] = 0

    torch.cuda = types.SimpleNamespace(  # type: ignore[attr-defined]
        is_available=lambda: available,
        device_count=lambda: 1,
        current_device=lambda: 0,
        synchronize=synchronize,
        reset_peak_memory_stats=reset_peak_memory_stats,
        memory_allocated=lambda device=None: 10 * MIB,
        max_memory_allocated=lambda device=None: 42 * MIB,
    )
    torch.device = lambda spec: types.SimpleNamespace(  # type: ignore[attr-defined]
        index=int(spec.split(":")[1]) if ":" in spec else None
    )
    torch.get_num_threads = lambda: 1  # type: ignore[attr-defined]
    torch.get_num_interop_threads = lambda: 1  # type: ignore[attr-defined]
    return torch


def test_cuda_path_synchronises_after_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(True, log))

    def fn() -> None:
        log.append("call")

    result = measure_latency(fn, device="cuda", runs=20, warmup=3, warmup_seconds=0.0)
    assert result.device == "cuda:0"
    # one sync before anything, then one after every warm-up and timed call, one at the end
    assert log[:2] == ["sync", "reset"]
    body = log[2:-1]
    assert body == ["call", "sync"] * 23
    assert log[-1] == "sync"
    est = result.estimates()
    assert est["peak_gpu_mem_mb"].value == 42
    assert est["peak_gpu_mem_mb"].details["delta_mb"] == 32
    assert est["latency_p50_ms"].details["device"] == "cuda:0"


def test_auto_device_uses_cuda_only_when_torch_imported_and_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log: list[str] = []
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(False, log))
    assert _quick(device="auto", runs=5).device == "cpu"
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(True, log))
    assert _quick(device="auto", runs=5).device == "cuda:0"


def test_cuda_requested_without_usable_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(False, []))
    with pytest.raises(MeasurementError, match="no CUDA device is usable") as info:
        measure_latency(_noop, device="cuda")
    assert info.value.field == "device"


def test_cuda_requested_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes "import torch" fail
    with pytest.raises(MeasurementError, match="needs PyTorch") as info:
        measure_latency(_noop, device="cuda")
    assert isinstance(info.value.__cause__, ImportError)


def test_cuda_index_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(True, []))
    with pytest.raises(MeasurementError, match="only 1 CUDA device"):
        measure_latency(_noop, device="cuda:3")


@requires_torch
@requires_no_cuda
def test_real_torch_without_cuda_raises_clear_error() -> None:
    proc = _run_python(
        "from pytest_archgate.measure.latency import measure_latency\n"
        "from pytest_archgate.errors import MeasurementError\n"
        "try:\n"
        "    measure_latency(lambda: None, device='cuda')\n"
        "except MeasurementError as e:\n"
        "    print('ERR', e.field, e)\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ERR device")
    assert "no CUDA device is usable" in proc.stdout


@requires_cuda
def test_real_cuda_measurement() -> None:
    import torch

    model = torch.nn.Linear(256, 256).cuda()
    row = torch.randn(1, 256, device="cuda")

    def fn() -> Any:
        with torch.no_grad():
            return model(row)

    result = measure_latency(fn, device="cuda", rtol=0.2, max_seconds=5)
    assert result.device.startswith("cuda")
    est = result.estimates()
    assert est["peak_gpu_mem_mb"].value > 0
    assert est["latency_p50_ms"].value <= est["latency_p99_ms"].value
    assert result.environment["cuda"]["available"] is True


@requires_cuda
def test_real_cuda_peak_memory_sees_allocation() -> None:
    import torch

    def fn() -> None:
        block = torch.empty(64 * MIB, dtype=torch.uint8, device="cuda")
        del block

    result = measure_latency(fn, device="cuda", runs=5, warmup=1, warmup_seconds=0.0)
    est = result.estimates()["peak_gpu_mem_mb"]
    assert est.details["delta_mb"] >= 63


# --------------------------------------------------------------------------------------------
# import hygiene


def test_import_does_not_import_ml_libraries() -> None:
    proc = _run_python(
        "import sys\n"
        "import pytest_archgate\n"
        "import pytest_archgate.measure.latency, pytest_archgate.measure.environment\n"
        "from pytest_archgate.measure.latency import measure_latency\n"
        "measure_latency(lambda: None, runs=10, warmup=0, warmup_seconds=0.0, device='auto')\n"
        "bad = [m for m in ('torch', 'xgboost', 'sklearn', 'scipy', 'jax') if m in sys.modules]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
