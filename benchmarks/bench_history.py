"""Step detection of ``archgate history``: false-step rate, power and time (a script, not a test).

Why this script exists: ADR-0020 promises that a flat series of runs shows a step with chance
at most ``alpha``, that a real step is found at the run where it happened, and that the fit is
cheap enough for a few hundred runs. ``tests/test_history_steps.py`` checks the promises with a
few hundred seeded series and a margin; this script measures the rates with more series and
the time per fit, and prints them with the machine they came from.

Series are drawn as a report's criterion would be: values around 0.9 with normal noise whose
scale the run's interval states (heteroscedastic: each run's standard error uniform in [0.005,
0.03]); without intervals, normal noise of scale 0.01 and no interval at all. A step series
moves by ``d`` standard errors (0.01) at run 17 of 30.

Usage::

    python benchmarks/bench_history.py [--reps 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time

from pytest_archgate.measure.steps import detect_steps


def _flat_rate(n: int, reps: int, rng: random.Random, intervals: bool) -> float:
    false = 0
    for _ in range(reps):
        if intervals:
            ses: list[float | None] = [rng.uniform(0.005, 0.03) for _ in range(n)]
            values = [0.9 + rng.gauss(0, s or 0.0) for s in ses]
        else:
            ses = [None] * n
            values = [0.9 + rng.gauss(0, 0.01) for _ in range(n)]
        false += bool(detect_steps(values, ses).steps)
    return false / reps


def _power(d: float, reps: int, rng: random.Random) -> tuple[float, float]:
    found = right = 0
    for _ in range(reps):
        values = [0.9 + (d * 0.01 if i >= 17 else 0.0) + rng.gauss(0, 0.01) for i in range(30)]
        steps = detect_steps(values, [0.01] * 30).steps
        found += bool(steps)
        right += steps == [17]
    return found / reps, right / reps


def _fit_ms(n: int, rng: random.Random, every: int | None) -> float:
    values = [(0.1 * (i // every) if every else 0.0) + rng.gauss(0, 0.01) for i in range(n)]
    reps = max(1, 300 // n)
    start = time.perf_counter()
    for _ in range(reps):
        detect_steps(values, [0.01] * n)
    return (time.perf_counter() - start) / reps * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"# load average at start {load:.1f}; alpha 0.01 (the default)")
    print("false-step rate on flat series (intervals given):")
    for n in (5, 10, 30, 100):
        print(f"  n={n:>3}: {_flat_rate(n, args.reps, rng, True):.4f}  ({args.reps} series)")
    print("false-step rate on flat series (no intervals: the scale is estimated):")
    for n in (10, 30, 100):
        reps = args.reps // 2
        print(f"  n={n:>3}: {_flat_rate(n, reps, rng, False):.4f}  ({reps} series)")
    print("a step of d standard errors at run 17 of 30: found / found at run 17")
    for d in (1.0, 3.0, 5.0):
        found, right = _power(d, args.reps // 4, rng)
        print(f"  d={d:.0f}: {found:.3f} / {right:.3f}  ({args.reps // 4} series)")
    print("time per fit (ms): flat series / a step every 50 runs")
    for n in (30, 100, 300, 1000):
        print(f"  n={n:>4}: {_fit_ms(n, rng, None):8.1f} / {_fit_ms(n, rng, 50):8.1f}")


if __name__ == "__main__":
    main()
