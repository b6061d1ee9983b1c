"""Evaluation beyond one process's memory: Dask arrays on a local cluster against numpy in memory.

Each measured case runs in a fresh interpreter (so that its peak memory is its own):

* ``in-memory``: every row generated into one numpy array pair in this process (int8 labels,
  float32 scores), then ``evaluate(y, s, METRICS)``;
* ``dask``: a ``dask.distributed.LocalCluster`` of ``--workers`` worker processes (one thread
  each); the rows are generated per partition on the workers (the driver never holds them) and
  ``evaluate(dask_y, dask_s, METRICS)`` merges the per-partition statistics (ROC AUC by a
  sample sort of the score tables, measure/dask_bridge.py).

Both generate the same rows: partition ``i`` of ``--partition`` rows comes from
``numpy.random.default_rng([seed, i])``, labels with prevalence 0.1 and scores
``sigmoid(normal + 1.5 y - 2)`` in float32 (so about as many distinct scores as rows, the hard
case for ROC AUC). Reported per case: wall time of ``evaluate`` (generation included for Dask,
where it cannot be separated from the lazy graph; reported separately for numpy), peak RSS of
the driver and of each worker (``getrusage``), and the estimates. When both cases run at one
size the script checks that they agree (values and interval ends within 1e-12 relative or
1e-13 absolute) and records the largest difference.

    python benchmarks/bench_distributed.py --rows 10000000 --in-memory
    python benchmarks/bench_distributed.py --rows 100000000

Results are added to ``benchmarks/results/distributed.json`` under the row count.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "distributed.json"
FIGURES = HERE / "README_distributed_figures.md"
METRICS = ["roc_auc", "accuracy", "recall", "log_loss", "brier"]
SEED = 20261206


def make_partition(index: int, size: int, seed: int = SEED) -> tuple[Any, Any]:
    """Labels (int8) and float32 scores of one partition, the same wherever it is made."""
    rng = np.random.default_rng([seed, index])
    y = (rng.random(size, dtype=np.float32) < np.float32(0.1)).astype(np.int8)
    z = rng.standard_normal(size, dtype=np.float32) + np.float32(1.5) * y - np.float32(2.0)
    s = (np.float32(1.0) / (np.float32(1.0) + np.exp(-z))).astype(np.float32)
    return y, s


def sizes(rows: int, partition: int) -> list[int]:
    full, rest = divmod(rows, partition)
    return [partition] * full + ([rest] if rest else [])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def estimates_json(results: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {
            "value": est.value,
            "n": est.n,
            "method": est.method,
            "intervals": {str(k): list(v) for k, v in est.intervals.items()},
        }
        for name, est in results.items()
    }


def child_in_memory(rows: int, partition: int) -> dict[str, Any]:
    from pytest_archgate import evaluate

    t0 = time.perf_counter()
    y = np.empty(rows, dtype=np.int8)
    s = np.empty(rows, dtype=np.float32)
    start = 0
    for i, size in enumerate(sizes(rows, partition)):
        y[start : start + size], s[start : start + size] = make_partition(i, size)
        start += size
    generated = time.perf_counter() - t0
    t1 = time.perf_counter()
    results = evaluate(y, s, METRICS)
    seconds = time.perf_counter() - t1
    return {
        "case": "in-memory",
        "generate_s": round(generated, 2),
        "evaluate_s": round(seconds, 2),
        "peak_rss_mb": {"driver": round(peak_rss_mb(), 1)},
        "estimates": estimates_json(results),
    }


def _worker_peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child_dask(rows: int, partition: int, workers: int, memory_limit: str) -> dict[str, Any]:
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    from pytest_archgate import evaluate

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        parts = [
            dask.delayed(make_partition, pure=True)(i, size)
            for i, size in enumerate(sizes(rows, partition))
        ]
        shapes = sizes(rows, partition)
        y = da.concatenate(
            [da.from_delayed(p[0], (n,), dtype=np.int8) for p, n in zip(parts, shapes, strict=True)]
        )
        s = da.concatenate(
            [
                da.from_delayed(p[1], (n,), dtype=np.float32)
                for p, n in zip(parts, shapes, strict=True)
            ]
        )
        t0 = time.perf_counter()
        results = evaluate(y, s, METRICS)
        seconds = time.perf_counter() - t0
        worker_peaks = client.run(_worker_peak)
    return {
        "case": "dask",
        "scheduler": f"distributed.LocalCluster({workers} processes x 1 thread, {memory_limit})",
        "partitions": len(shapes),
        "partition_rows": partition,
        "evaluate_s": round(seconds, 2),
        "peak_rss_mb": {
            "driver": round(peak_rss_mb(), 1),
            "workers": sorted(round(v, 1) for v in worker_peaks.values()),
        },
        "estimates": estimates_json(results),
    }


def largest_difference(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The largest relative difference (absolute near 0) between two cases' estimates."""
    worst = 0.0
    for name, ea in a.items():
        eb = b[name]
        pairs = [(ea["value"], eb["value"])]
        for lv, (lo, hi) in ea["intervals"].items():
            pairs += [(lo, eb["intervals"][lv][0]), (hi, eb["intervals"][lv][1])]
        for x, z in pairs:
            worst = max(worst, abs(x - z) / max(abs(x), 1e-1))
        if ea["n"] != eb["n"] or ea["method"] != eb["method"]:
            return math.inf
    return worst


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        total = next(
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        total = 0
    import dask

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_mb": total,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "dask": dask.__version__,
    }


def run_child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--partition", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="4GiB")
    parser.add_argument("--in-memory", action="store_true", help="also run numpy in memory")
    parser.add_argument("--no-dask", action="store_true", help="only the in-memory case")
    parser.add_argument("--child", choices=["in-memory", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.child == "in-memory":
        print(json.dumps(child_in_memory(args.rows, args.partition)))
        return
    if args.child == "dask":
        print(json.dumps(child_dask(args.rows, args.partition, args.workers, args.memory_limit)))
        return
    common = ["--rows", str(args.rows), "--partition", str(args.partition)]
    entry: dict[str, Any] = {
        "rows": args.rows,
        "metrics": METRICS,
        "load_before": list(os.getloadavg()),
        "machine": machine(),
    }
    cases: dict[str, dict[str, Any]] = {}
    if args.in_memory or args.no_dask:
        cases["in-memory"] = run_child([*common, "--child", "in-memory"])
    if not args.no_dask:
        cases["dask"] = run_child(
            [
                *common,
                "--child",
                "dask",
                "--workers",
                str(args.workers),
                "--memory-limit",
                args.memory_limit,
            ]
        )
    entry["load_after"] = list(os.getloadavg())
    entry["cases"] = cases
    if len(cases) == 2:
        diff = largest_difference(cases["in-memory"]["estimates"], cases["dask"]["estimates"])
        entry["largest_difference"] = diff
        entry["identical_to_rounding"] = diff <= 1e-12
    for name, case in cases.items():
        peaks = case["peak_rss_mb"]
        print(
            f"{args.rows:>12,} rows {name:>9}: evaluate {case['evaluate_s']:8.2f} s, "
            f"peak RSS driver {peaks['driver']:8.1f} MB, workers {peaks.get('workers', '-')}"
        )
    if "largest_difference" in entry:
        print(f"largest difference between the cases: {entry['largest_difference']:.2e}")
    existing: dict[str, Any] = {}
    if args.out.is_file():
        existing = json.loads(args.out.read_text(encoding="utf-8"))
    existing[str(args.rows)] = entry
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(existing, indent=2) + "\n", encoding="utf-8")
    if args.out == RESULTS:
        FIGURES.write_text(figures(existing), encoding="utf-8")


def figures(results: dict[str, Any]) -> str:
    """The Markdown table of every measured size (included by docs/distributed.md)."""
    lines = [
        "<!-- written by benchmarks/bench_distributed.py from results/distributed.json -->",
        "",
        "| rows | case | evaluate (s) | peak RSS, driver (MB) | peak RSS, each worker (MB) "
        "| same estimates | load average (1 min, before/after) |",
        "|---:|---|---:|---:|---|---|---|",
    ]
    for rows in sorted(results, key=int):
        entry = results[rows]
        same = entry.get("largest_difference")
        shown = "-" if same is None else f"largest difference {same:.1e}"
        load = f"{entry['load_before'][0]:.1f} / {entry['load_after'][0]:.1f}"
        for name, case in entry["cases"].items():
            peaks = case["peak_rss_mb"]
            workers = ", ".join(f"{w:.0f}" for w in peaks.get("workers", [])) or "-"
            took = f"{case['evaluate_s']:.1f}"
            if "generate_s" in case:
                took += f" (+ {case['generate_s']:.1f} generating)"
            lines.append(
                f"| {int(rows):,} | {name} | {took} | {peaks['driver']:.0f} | {workers} "
                f"| {shown} | {load} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
