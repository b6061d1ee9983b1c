"""Benchmark of the latency harness itself (a script, not a test).

Why: ``measure_latency`` gates decisions on latencies of fast callables (one-row predictions of
a few microseconds), so its own per-call overhead and its agreement with established tools must
be known. This script measures and prints, side by side:

(a) harness overhead: an empty callable timed through ``measure_latency``; its median per-call
    time *is* the overhead added to every sample (target < 1 us);
(b) agreement of the median with ``torch.utils.benchmark.Timer.blocked_autorange`` and with
    pytest-benchmark (run in a subprocess on a generated test file, ``--benchmark-json``) on the
    same callables: a 64x64 numpy matmul, a ``torch.nn.Linear(64, 64)`` forward on one row, and
    a sleep-free Python loop (target: ratios within 5%).

``torch.utils.benchmark.Timer`` defaults to one intra-op thread; it is given the process's
current ``torch.get_num_threads()`` so that all three tools time the same thing.

Usage: ``python benchmarks/bench_latency.py [--out PATH] [--quick]``; writes JSON to ``--out``
(default ``benchmarks/results/latency.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def make_callables() -> dict[str, Callable[[], Any]]:
    """The callables compared across tools (also imported by the generated pytest file)."""
    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 64))
    b = rng.standard_normal((64, 64))

    def numpy_matmul_64() -> Any:
        return a @ b

    torch.manual_seed(0)
    linear = torch.nn.Linear(64, 64).eval()
    row = torch.randn(1, 64)

    def torch_linear_64_row() -> Any:
        with torch.no_grad():
            return linear(row)

    def python_loop_300() -> int:
        total = 0
        for i in range(300):
            total += i * i
        return total

    return {
        "numpy_matmul_64": numpy_matmul_64,
        "torch_linear_64_row": torch_linear_64_row,
        "python_loop_300": python_loop_300,
    }


def _noop() -> None:
    return None


def bench_overhead(max_seconds: float) -> dict[str, Any]:
    from pytest_archgate.measure.latency import measure_latency

    result = measure_latency(_noop, max_seconds=max_seconds, rtol=0.01, memory=False)
    import numpy as np

    samples = result.samples_ns
    pc = time.perf_counter_ns
    # cost of the clock itself: back-to-back reads
    pairs = np.empty(100_000, dtype=np.int64)
    for i in range(pairs.shape[0]):
        t0 = pc()
        pairs[i] = pc() - t0
    return {
        "median_ns": float(np.median(samples)),
        "p99_ns": float(np.percentile(samples, 99)),
        "mean_ns": float(samples.mean()),
        "n": result.n,
        "stop_reason": result.stop_reason,
        "wall_ns_per_call": result.total_seconds * 1e9 / result.n,
        "clock_pair_median_ns": float(np.median(pairs)),
        "clock_resolution_ns": time.get_clock_info("perf_counter").resolution * 1e9,
        "target_ns": 1000.0,
    }


def bench_archgate(fn: Callable[[], Any], max_seconds: float) -> dict[str, Any]:
    from pytest_archgate.measure.latency import measure_latency

    result = measure_latency(fn, max_seconds=max_seconds, rtol=0.02, memory=False)
    est = result.estimates()
    return {
        "median_ns": est["latency_p50_ms"].value * 1e6,
        "p50_ci_ns": [x * 1e6 for x in (est["latency_p50_ms"].ci or (float("nan"),) * 2)],
        "p99_ns": est["latency_p99_ms"].value * 1e6,
        "n": result.n,
        "stop_reason": result.stop_reason,
    }


def bench_torch_timer(fn: Callable[[], Any], min_run_time: float) -> dict[str, Any]:
    import torch
    from torch.utils.benchmark import Timer

    timer = Timer(stmt="fn()", globals={"fn": fn}, num_threads=torch.get_num_threads())
    measurement = timer.blocked_autorange(min_run_time=min_run_time)
    return {
        "median_ns": float(measurement.median) * 1e9,
        "blocks": len(measurement.times),
        "number_per_run": int(measurement.number_per_run),
    }


_PYTEST_FILE = """
import sys
sys.path.insert(0, {bench_dir!r})
sys.path.insert(0, {root!r})
import pytest
from bench_latency import make_callables

CALLABLES = make_callables()


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_bench(benchmark, name):
    benchmark.name = name
    benchmark(CALLABLES[name])
"""


def bench_pytest_benchmark(max_time: float) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="archgate-bench-") as tmp:
        test_file = Path(tmp) / "test_pb_latency.py"
        test_file.write_text(
            textwrap.dedent(_PYTEST_FILE.format(bench_dir=str(HERE), root=str(ROOT)))
        )
        out = Path(tmp) / "pb.json"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:archgate",
            "-o",
            "addopts=",
            f"--rootdir={tmp}",
            "--benchmark-warmup=on",
            f"--benchmark-max-time={max_time}",
            f"--benchmark-json={out}",
        ]
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"pytest-benchmark run failed:\n{proc.stdout}\n{proc.stderr}")
        data = json.loads(out.read_text())
    results: dict[str, dict[str, Any]] = {}
    for bench in data["benchmarks"]:
        name = bench["params"]["name"]
        stats = bench["stats"]
        results[name] = {
            "median_ns": float(stats["median"]) * 1e9,
            "rounds": int(stats["rounds"]),
            "iterations": int(stats["iterations"]),
        }
    return results


def lscpu_head() -> str:
    try:
        proc = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10, check=False)
        return "\n".join(proc.stdout.splitlines()[:20])
    except (OSError, subprocess.SubprocessError):
        return platform.processor()


def p95_coverage(sets: int = 1000, n: int = 500, seed: int = 3) -> dict[str, Any]:
    """Share of 95% order-statistic intervals that cover the true p95 of a skewed population.

    Latencies are drawn from a lognormal (sigma 0.5, a typical long right tail) whose true
    95th percentile is known in closed form: exp(mu + sigma * z_0.95).
    """
    from statistics import NormalDist

    import numpy as np

    from pytest_archgate.measure.latency import order_statistic_interval

    rng = np.random.default_rng(seed)
    mu, sigma = 0.0, 0.5
    truth = float(np.exp(mu + sigma * NormalDist().inv_cdf(0.95)))
    hits = 0
    for _ in range(sets):
        values = np.sort(rng.lognormal(mu, sigma, size=n))
        iv = order_statistic_interval(values, 95, 0.95)
        assert iv is not None
        hits += iv[0] <= truth <= iv[1]
    return {"sets": sets, "n": n, "truth": truth, "coverage": hits / sets}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results" / "latency.json"))
    parser.add_argument("--quick", action="store_true", help="shorter runs (smoke test)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats per tool")
    args = parser.parse_args(argv)
    budget = 2.0 if args.quick else 10.0

    import numpy as np

    from pytest_archgate.measure.environment import collect_environment

    overhead = bench_overhead(budget)
    print("(a) harness overhead (empty callable through measure_latency)")
    print(
        f"    median {overhead['median_ns']:.0f} ns  p99 {overhead['p99_ns']:.0f} ns  "
        f"mean {overhead['mean_ns']:.1f} ns  n={overhead['n']} ({overhead['stop_reason']})"
    )
    print(
        f"    wall time per timed call incl. loop {overhead['wall_ns_per_call']:.0f} ns; "
        f"back-to-back perf_counter_ns pair {overhead['clock_pair_median_ns']:.0f} ns; "
        f"target < 1000 ns: {'OK' if overhead['median_ns'] < 1000 else 'MISSED'}"
    )

    callables = make_callables()
    names = list(callables)
    ours_runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    torch_runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    pb_runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    # Tools are interleaved and repeated, and medians of the per-repeat medians compared, so
    # that slow drift of a shared machine (frequency, neighbours) hits all tools alike.
    for _ in range(args.repeats):
        for name, fn in callables.items():
            ours_runs[name].append(bench_archgate(fn, budget))
            torch_runs[name].append(bench_torch_timer(fn, min_run_time=budget / 5))
        for name, res in bench_pytest_benchmark(max_time=budget / 5).items():
            pb_runs[name].append(res)

    def med(runs: list[dict[str, Any]]) -> float:
        return float(np.median([r["median_ns"] for r in runs]))

    def spread(runs: list[dict[str, Any]]) -> float:
        values = [r["median_ns"] for r in runs]
        return (max(values) - min(values)) / float(np.median(values))

    rows: list[dict[str, Any]] = []
    print(
        f"\n(b) median per call (ns), median over {args.repeats} interleaved repeats; "
        "ratio = archgate / other, target within 5%"
    )
    print(
        f"    {'callable':<22}{'archgate':>10}{'torch.Timer':>13}{'pytest-bm':>11}"
        f"{'ratio_torch':>13}{'ratio_pb':>10}   spread(a/t/pb)"
    )
    for name in names:
        ours, torch_t, other = med(ours_runs[name]), med(torch_runs[name]), med(pb_runs[name])
        r_torch, r_pb = ours / torch_t, ours / other
        spreads = [spread(ours_runs[name]), spread(torch_runs[name]), spread(pb_runs[name])]
        rows.append(
            {
                "callable": name,
                "archgate_median_ns": ours,
                "torch_timer_median_ns": torch_t,
                "pytest_benchmark_median_ns": other,
                "ratio_torch_timer": r_torch,
                "ratio_pytest_benchmark": r_pb,
                "within_5pct": bool(abs(r_torch - 1) <= 0.05 and abs(r_pb - 1) <= 0.05),
                "repeat_spread": dict(
                    zip(["archgate", "torch_timer", "pytest_benchmark"], spreads, strict=True)
                ),
                "runs": {
                    "archgate": ours_runs[name],
                    "torch_timer": torch_runs[name],
                    "pytest_benchmark": pb_runs[name],
                },
            }
        )
        print(
            f"    {name:<22}{ours:>10.0f}{torch_t:>13.0f}{other:>11.0f}"
            f"{r_torch:>13.3f}{r_pb:>10.3f}   " + "/".join(f"{x:.1%}" for x in spreads)
        )

    cov = p95_coverage(sets=200 if args.quick else 1000)
    print(
        f"\n(c) p95 interval coverage: {cov['coverage']:.3f} of {cov['sets']} simulated sets "
        f"of {cov['n']} lognormal latencies (target 0.93-0.97)"
    )

    import torch

    env = collect_environment(device="cpu")
    report = {
        "p95_coverage": cov,
        "overhead": overhead,
        "agreement": rows,
        "torch_num_threads": torch.get_num_threads(),
        "numpy": np.__version__,
        "lscpu": lscpu_head(),
        "environment": env,
        "quick": bool(args.quick),
        "repeats": args.repeats,
        "pid_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
