"""Coverage of the replicate intervals (a script, not a test; adr/0010 quotes its output).

Why: a criterion judged over seeds, splits or repeated runs must hold its one-sided level over
*both* sources of variance. Two simulations, each with a fixed seed:

(a) combined replicate estimates (:func:`~.replicates.combine`): a random-effects
    model, replicate values ``mu + u_i + e_i`` with seed effects ``u_i ~ N(0, tau^2)`` and
    test-set noise of SD ``sigma = 0.01`` (each replicate reports its 95% test-set interval);
    on the same rows the noise is shared (plus a seed x row part of SD ``0.3 sigma``), on splits
    it is independent. Coverage of the one-sided 95% lower and upper bounds of ``mu`` for
    k = 2, 3, 5, 10 and tau / sigma = 0, 1, 2, 5.
(b) pass rates over repeated runs (:func:`pytest_archgate.measure.replicates.item_mean_estimate`):
    items with pass probabilities ~ Beta(a, b), 5 runs each; coverage of the one-sided 95%
    bounds of the mean pass rate and of pass^3 for 10, 30, 100 and 300 items.

Usage: ``python benchmarks/bench_replicates.py [--sims N]`` (default 4000; Monte Carlo SE of a
0.95 coverage is 0.0034 at 4000).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.measure.replicates import _components, item_mean_estimate, pass_at_all_k

Z95 = 1.959963984540054


def replicate_coverage(
    k: int, tau: float, same_rows: bool, sims: int, seed: int
) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    mu, sigma = 0.8, 0.01
    lo = hi = 0
    for _ in range(sims):
        effects = rng.normal(0.0, tau, k)
        if same_rows:
            noise = rng.normal(0.0, sigma) + rng.normal(0.0, 0.3 * sigma, k)
        else:
            noise = rng.normal(0.0, sigma, k)
        group = [
            Measurement(
                adr="A",
                option="x",
                metric="m",
                estimate=Estimate(float(v), intervals={0.95: (v - Z95 * sigma, v + Z95 * sigma)}),
                fingerprint="rows" if same_rows else f"rows-{i}",
                replicate=f"seed-{i}",
            )
            for i, v in enumerate(mu + effects + noise)
        ]
        comp, _ = _components(group, 0.9)
        assert comp is not None
        low, high = comp.interval(0.9)
        lo += low <= mu
        hi += high >= mu
    return lo / sims, hi / sims


def pass_coverage(
    n_items: int, a: float, b: float, k: int, sims: int, seed: int
) -> tuple[float, float, float]:
    rng = np.random.default_rng(seed)
    true = math.exp(
        math.lgamma(a + k) + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(a + b + k)
    )
    lo = hi = 0
    for _ in range(sims):
        p = rng.beta(a, b, n_items)
        counts = (rng.random((n_items, 5)) < p[:, None]).sum(axis=1)
        per_item = counts / 5 if k == 1 else pass_at_all_k(counts, 5, k)
        est = item_mean_estimate(per_item, runs=5, k=k, levels=(0.9,), level=0.95, seed=0)
        low, high = est.lower_bound(0.95), est.upper_bound(0.95)
        assert low is not None
        assert high is not None
        lo += low <= true
        hi += high >= true
    return true, lo / sims, hi / sims


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=4000)
    args = parser.parse_args()
    start = time.perf_counter()
    print(f"(a) replicate groups, one-sided 95% bounds, {args.sims} simulations each")
    print("design     k  tau/sigma  lower  upper")
    for same_rows in (True, False):
        for k in (2, 3, 5, 10):
            for ratio in (0, 1, 2, 5):
                lo, hi = replicate_coverage(
                    k, 0.01 * ratio, same_rows, args.sims, seed=1000 * k + ratio
                )
                design = "same-rows" if same_rows else "splits"
                print(f"{design:<9} {k:>2}  {ratio:>9}  {lo:.3f}  {hi:.3f}")
    print(f"\n(b) pass rates over 5 runs per item, one-sided 95% bounds, {args.sims} simulations")
    print("items  Beta(a,b)   k  true   lower  upper")
    for n_items in (10, 30, 100, 300):
        for a, b in ((1.0, 1.0), (4.0, 1.0), (0.5, 0.5), (9.0, 0.3)):
            for k in (1, 3):
                true, lo, hi = pass_coverage(n_items, a, b, k, args.sims, seed=n_items + k)
                print(
                    f"{n_items:>5}  ({a:g},{b:g}){'':<{8 - len(f'{a:g},{b:g}')}} {k}  "
                    f"{true:.3f}  {lo:.3f}  {hi:.3f}"
                )
    print(f"\n{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
