"""Benchmark of archgate's confidence-interval fast paths (not a test; a script).

Why this script exists: ADR-0002 chose per-metric interval methods (DeLong, Wilson, confusion
table draws, CLT/delta, a sort-once bootstrap) over a generic bootstrap, on two claims: they are
orders of magnitude faster on large test sets, and they are statistically valid. This script
measures both claims and writes the figures as JSON:

1. speed on 1,000,000 rows: ROC AUC (single and paired) and accuracy / F1 intervals from
   :mod:`pytest_archgate.measure.metrics` against the naive loop (1,000 bootstrap resamples, each
   re-running the scikit-learn metric) and ``scipy.stats.bootstrap``. The slow baselines are
   timed on a few resamples and extrapolated linearly to 1,000 (each resample costs the same);
   the output says so.
2. validity over simulated test sets with known truth: coverage of the 95% intervals of ROC AUC
   (binormal model, true AUC = Phi(d / sqrt(2))), accuracy, F1, MAE and the paired AUC
   difference, and the false-alarm rate of a no-change candidate-vs-baseline comparison.

Usage::

    python benchmarks/bench_stats.py [--quick] [--out benchmarks/results/stats.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pytest_archgate.measure.metrics import compare, evaluate  # noqa: E402

N_BOOT = 1000


def _best_of(fn: Callable[[], object], repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _naive_loop_seconds(
    stat: Callable[[np.ndarray], object], n: int, resamples: int, seed: int = 0
) -> float:
    """Seconds per resample of the naive loop: draw row indices, recompute the metric."""
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for _ in range(resamples):
        stat(rng.integers(0, n, n))
    return (time.perf_counter() - t0) / resamples


def _binormal(rng: np.random.Generator, n: int, d: float) -> tuple[np.ndarray, np.ndarray]:
    y = (rng.random(n) < 0.3).astype(np.float64)
    return y, rng.normal(size=n) + d * y


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
    }
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        info["lscpu"] = out.splitlines()[:10]
    except (OSError, subprocess.CalledProcessError):
        info["lscpu"] = None
    for mod in ("sklearn", "scipy"):
        try:
            info[mod] = __import__(mod).__version__
        except ImportError:
            info[mod] = None
    return info


# --------------------------------------------------------------------------------------------
# speed


def bench_speed(n: int, naive_resamples: int, scipy_resamples: int) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    rng = np.random.default_rng(0)
    y, s = _binormal(rng, n, 1.0)
    s_b = s + rng.normal(size=n) * 0.5
    out: dict[str, Any] = {"rows": n, "n_boot": N_BOOT, "naive_resamples_timed": naive_resamples}

    # ROC AUC, one model
    ours = _best_of(lambda: evaluate(y, s, ("roc_auc",)), 3)
    point = _best_of(lambda: roc_auc_score(y, s), 3)
    naive = _naive_loop_seconds(lambda i: roc_auc_score(y[i], s[i]), n, naive_resamples) * N_BOOT
    auc: dict[str, Any] = {
        "archgate_delong_s": ours,
        "sklearn_point_estimate_s": point,
        "naive_loop_s_extrapolated": naive,
        "speedup_vs_naive": naive / ours,
    }
    try:
        from scipy.stats import bootstrap

        def scipy_run() -> None:
            bootstrap(
                (y, s),
                lambda a, b: roc_auc_score(a, b),
                paired=True,
                vectorized=False,
                n_resamples=scipy_resamples,
                method="percentile",
                random_state=np.random.default_rng(0),
            )

        t = _best_of(scipy_run, 1) * N_BOOT / scipy_resamples
        auc["scipy_bootstrap_s_extrapolated"] = t
        auc["scipy_bootstrap_resamples_timed"] = scipy_resamples
        auc["speedup_vs_scipy"] = t / ours
        auc["scipy_note"] = (
            "method='percentile' (the default BCa needs a jackknife: 1,000,000 more AUCs, "
            "infeasible); vectorized=False because roc_auc_score takes one sample at a time"
        )
    except ImportError:
        auc["scipy_note"] = "skipped: scipy not installed"
    out["roc_auc"] = auc

    # ROC AUC, paired difference
    ours = _best_of(lambda: compare(y, s, s_b, "roc_auc"), 3)
    naive = (
        _naive_loop_seconds(
            lambda i: roc_auc_score(y[i], s[i]) - roc_auc_score(y[i], s_b[i]), n, naive_resamples
        )
        * N_BOOT
    )
    out["roc_auc_paired"] = {
        "archgate_paired_delong_s": ours,
        "naive_loop_s_extrapolated": naive,
        "speedup_vs_naive": naive / ours,
    }

    # count metrics at threshold 0.5
    p = (s >= 0.5).astype(np.int64)
    for name, fn in (("accuracy", accuracy_score), ("f1", f1_score)):
        ours = _best_of(lambda name=name: evaluate(y, s, (name,)), 5)  # type: ignore[misc]
        naive = (
            _naive_loop_seconds(lambda i, fn=fn: fn(y[i], p[i]), n, naive_resamples) * N_BOOT  # type: ignore[misc]
        )
        method = evaluate(y, s, (name,))[name].method
        out[name] = {
            "method": method,
            "archgate_s": ours,
            "naive_loop_s_extrapolated": naive,
            "speedup_vs_naive": naive / ours,
        }
    return out


def bench_average_precision(n: int, naive_resamples: int) -> dict[str, Any]:
    """The generic sort-once bootstrap (1,000 resamples) against the naive loop."""
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(1)
    y, s = _binormal(rng, n, 1.0)
    ours = _best_of(lambda: evaluate(y, s, ("average_precision",)), 1)
    naive = (
        _naive_loop_seconds(lambda i: average_precision_score(y[i], s[i]), n, naive_resamples)
        * N_BOOT
    )
    return {
        "rows": n,
        "archgate_stratified_bootstrap_s": ours,
        "naive_loop_s_extrapolated": naive,
        "speedup_vs_naive": naive / ours,
    }


# --------------------------------------------------------------------------------------------
# validity


def bench_validity(sims: int, n: int) -> dict[str, Any]:
    rng = np.random.default_rng(2024)
    d = 1.0
    true_auc = NormalDist().cdf(d / math.sqrt(2))
    true_acc = 0.8
    true_mae = math.sqrt(2 / math.pi)  # E|e| for e ~ N(0, 1)
    # F1 of a classifier with P(y=1)=0.3, recall 0.8, FPR 0.1: tp .24, fp .07, fn .06
    true_f1 = 2 * 0.24 / (2 * 0.24 + 0.07 + 0.06)
    hits = {"roc_auc": 0, "accuracy": 0, "f1": 0, "mae": 0, "roc_auc_paired_diff": 0}
    alarm = improve = 0
    for _ in range(sims):
        y, s = _binormal(rng, n, d)
        est = evaluate(y, s, ("roc_auc",))["roc_auc"]
        lo, hi = est.ci or (math.nan, math.nan)
        hits["roc_auc"] += lo <= true_auc <= hi

        correct = rng.random(n) < true_acc
        pred = np.where(correct, y, 1 - y)
        lo, hi = evaluate(y, pred, ("accuracy",))["accuracy"].ci or (math.nan, math.nan)
        hits["accuracy"] += lo <= true_acc <= hi

        yb = y == 1
        pred_f1 = np.where(yb, rng.random(n) < 0.8, rng.random(n) < 0.1).astype(np.float64)
        lo, hi = evaluate(y, pred_f1, ("f1",), seed=int(rng.integers(2**31)))["f1"].ci or (
            math.nan,
            math.nan,
        )
        hits["f1"] += lo <= true_f1 <= hi

        yr = rng.normal(size=n)
        lo, hi = evaluate(yr, yr + rng.normal(size=n), ("mae",))["mae"].ci or (math.nan, math.nan)
        hits["mae"] += lo <= true_mae <= hi

        # two equally good models on the same rows (correlated through a shared component)
        shared = rng.normal(size=n)
        cand = shared + rng.normal(size=n) + 1.4 * y
        base = shared + rng.normal(size=n) + 1.4 * y
        diff = compare(y, cand, base, "roc_auc", levels=(0.9,))
        lo, hi = diff.ci or (math.nan, math.nan)
        hits["roc_auc_paired_diff"] += lo <= 0.0 <= hi
        upper = diff.upper_bound(0.95)
        lower = diff.lower_bound(0.95)
        assert upper is not None
        assert lower is not None
        alarm += upper < 0.0
        improve += lower >= 0.0
    mc_se = math.sqrt(0.95 * 0.05 / sims)
    return {
        "simulations": sims,
        "rows_per_set": n,
        "level": 0.95,
        "truth": {
            "roc_auc": true_auc,
            "accuracy": true_acc,
            "f1": true_f1,
            "mae": true_mae,
            "roc_auc_paired_diff": 0.0,
        },
        "coverage": {k: v / sims for k, v in hits.items()},
        "coverage_monte_carlo_se": mc_se,
        "no_change_regression_alarm_rate": alarm / sims,
        "no_change_passes_min0_gate_rate": improve / sims,
        "no_change_note": (
            "candidate and baseline equally good; regression alarm = one-sided 95% upper bound "
            "of (candidate - baseline) AUC below 0 (ADR-0002's false-fail criterion, expected "
            "~5%); a gate 'min: 0, confidence: 0.95' on the lower bound demands proof of "
            "improvement, so a no-change candidate passes it ~5% of the time (and fails ~95%)"
        ),
    }


# --------------------------------------------------------------------------------------------


def _fmt_s(t: float) -> str:
    return f"{t * 1000:9.1f} ms" if t < 1 else f"{t:9.2f} s "


def _cpu_model(info: dict[str, Any]) -> str:
    for line in info.get("lscpu") or []:
        if line.startswith("Model name:"):
            return str(line.split(":", 1)[1].strip())
    return platform.processor() or "unknown CPU"


def report(res: dict[str, Any]) -> str:
    sp = res["speed"]
    lines = [
        f"pytest-archgate interval benchmark ({'quick' if res['quick'] else 'full'} run)",
        f"machine: {_cpu_model(res['machine'])}, {res['machine']['cpu_count']} CPUs, "
        f"numpy {res['machine']['numpy']}, scikit-learn {res['machine']['sklearn']}, "
        f"scipy {res['machine']['scipy']}",
        "",
        f"speed on {sp['rows']:,} rows, 95% CI; naive loop = {N_BOOT} bootstrap resamples of the "
        f"scikit-learn metric, timed on {sp['naive_resamples_timed']} resamples and "
        "extrapolated linearly",
    ]
    a = sp["roc_auc"]
    lines += [
        f"  roc_auc   archgate interval   {_fmt_s(a['archgate_delong_s'])}"
        f"  (one sklearn roc_auc_score point estimate: {_fmt_s(a['sklearn_point_estimate_s'])})",
        f"            naive loop           {_fmt_s(a['naive_loop_s_extrapolated'])}"
        f"  -> archgate is {a['speedup_vs_naive']:,.0f}x faster",
    ]
    if "scipy_bootstrap_s_extrapolated" in a:
        lines.append(
            f"            scipy.stats.bootstrap {_fmt_s(a['scipy_bootstrap_s_extrapolated'])}"
            f" (timed on {a['scipy_bootstrap_resamples_timed']} resamples, extrapolated)"
            f"  -> archgate is {a['speedup_vs_scipy']:,.0f}x faster"
        )
    lines.append(f"            note: {a['scipy_note']}")
    p = sp["roc_auc_paired"]
    lines += [
        f"  roc_auc paired  archgate paired AUC    {_fmt_s(p['archgate_paired_delong_s'])}"
        f"  naive {_fmt_s(p['naive_loop_s_extrapolated'])}"
        f"  -> {p['speedup_vs_naive']:,.0f}x faster",
    ]
    for name in ("accuracy", "f1"):
        c = sp[name]
        lines.append(
            f"  {name:9s} archgate {c['method']:22s} {_fmt_s(c['archgate_s'])}"
            f"  naive {_fmt_s(c['naive_loop_s_extrapolated'])}"
            f"  -> {c['speedup_vs_naive']:,.0f}x faster"
        )
    if "average_precision" in res:
        ap = res["average_precision"]
        lines.append(
            f"  average_precision on {ap['rows']:,} rows: archgate sort-once stratified bootstrap "
            f"({N_BOOT} resamples) {_fmt_s(ap['archgate_stratified_bootstrap_s'])}"
            f"  naive {_fmt_s(ap['naive_loop_s_extrapolated'])}"
            f"  -> {ap['speedup_vs_naive']:,.1f}x faster"
        )
    v = res["validity"]
    lines += [
        "",
        f"validity over {v['simulations']} simulated test sets of {v['rows_per_set']:,} rows "
        f"(95% intervals; Monte Carlo se of a 0.95 coverage: {v['coverage_monte_carlo_se']:.3f})",
    ]
    for k, cov in v["coverage"].items():
        lines.append(f"  coverage {k:20s} {cov:.3f}  (truth {v['truth'][k]:.4f})")
    lines += [
        f"  no-change candidate vs baseline (paired AUC difference): regression alarm rate "
        f"{v['no_change_regression_alarm_rate']:.3f} (expected ~0.05); passes a "
        f"'min: 0, confidence: 0.95' gate {v['no_change_passes_min0_gate_rate']:.3f} "
        "(expected ~0.05)",
    ]
    return "\n".join(lines)


def run(quick: bool) -> dict[str, Any]:
    if quick:
        speed = bench_speed(100_000, naive_resamples=5, scipy_resamples=3)
        ap = bench_average_precision(20_000, naive_resamples=5)
        validity = bench_validity(100, 1_000)
    else:
        speed = bench_speed(1_000_000, naive_resamples=20, scipy_resamples=5)
        ap = bench_average_precision(1_000_000, naive_resamples=10)
        validity = bench_validity(1000, 2_000)
    return {
        "quick": quick,
        "machine": machine(),
        "speed": speed,
        "average_precision": ap,
        "validity": validity,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "stats.json",
        help="where to write the JSON results",
    )
    args = parser.parse_args(argv)
    res = run(args.quick)
    print(report(res))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, sort_keys=True) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
