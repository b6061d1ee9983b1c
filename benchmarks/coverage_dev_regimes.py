"""Coverage of the one-sided 95% bounds in hard regimes, for choosing methods and minimums.

Why this script exists: the interval methods of :mod:`pytest_archgate.measure.stats` and the minimum
counts below which they refuse (``ROC_AUC_MIN_CLASS``, ``ROC_AUC_DIFF_MIN_CLASS``,
``LOSS_MIN_CLASS``, ``LOSS_MIN_ROWS``) were chosen from these simulations, not guessed. Each
regime draws ``--sims`` data sets, calls the library's own functions on each (so what is
measured is what users get) and counts how often the lower end and the upper end of the
two-sided 90% interval (the one-sided 95% bounds) lie on the right side of the true value.
Coverage is *conditional on not refusing*: refused draws are counted separately, since the
tool gives no bound for them.

Regimes: prevalence 50%, 10%, 1%, 0.1%; n 50 to 100,000; AUC 0.6 to 0.99; tied scores
(scores rounded to steps of 0.5 SD); calibrated and over-confident probabilities for the
losses. Run e.g.::

    python benchmarks/coverage_dev_regimes.py auc --sims 1000
    python benchmarks/coverage_dev_regimes.py loss --sims 1000 --n 500,2000 --prev 0.01

and read one line per regime: ``lower/upper`` coverage (of one-sided bounds at
``--confidence``, 0.95 by default). A bound is taken as covering when it
reaches 0.936 with 1,000 simulations (0.95 minus two Monte Carlo standard errors).
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from statistics import NormalDist

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure import stats

LEVEL = 0.9  # two-sided; each end is a one-sided 95% bound (``--confidence`` changes it)
ND = NormalDist()


def _shift(auc: float) -> float:
    """Mean shift of unit-variance binormal scores with this AUC."""
    return math.sqrt(2.0) * ND.inv_cdf(auc)


def _true_auc(auc: float, ties: bool, rng: np.random.Generator) -> float:
    if not ties:
        return auc
    k = 4_000_000
    x = np.round((rng.standard_normal(k) + _shift(auc)) * 2) / 2
    y = np.round(rng.standard_normal(k) * 2) / 2
    return float(np.mean(x > y) + 0.5 * np.mean(x == y))


def _count(lo: float, hi: float, truth: float, tally: list[int]) -> None:
    tally[0] += lo <= truth
    tally[1] += hi >= truth
    tally[2] += 1


def _line(label: str, tallies: dict[str, list[int]], refused: int) -> str:
    parts = [
        f"{k}={t[0] / t[2]:.3f}/{t[1] / t[2]:.3f}" if t[2] else f"{k}=-" for k, t in tallies.items()
    ]
    return f"{label} refused={refused} " + " ".join(parts)


def auc_regimes(args: argparse.Namespace, rng: np.random.Generator) -> Iterator[str]:
    """Single ROC AUC (binormal scores, classes of fixed size ``round(prev * n)``)."""
    for prev, n, auc, ties in itertools.product(args.prev, args.n, args.auc, (False, True)):
        m = round(prev * n)
        if m < 1 or n - m < 1:
            continue
        truth = _true_auc(auc, ties, rng)
        y = np.r_[np.ones(m, dtype=bool), np.zeros(n - m, dtype=bool)]
        tally, refused = [0, 0, 0], 0
        for _ in range(args.sims):
            s = rng.standard_normal(n) + _shift(auc) * y
            if ties:
                s = np.round(s * 2) / 2
            est = stats.roc_auc_ci(y, s, (LEVEL,))
            if not est.intervals:
                refused += 1
                continue
            _count(*est.intervals[LEVEL], truth, tally)
        yield _line(f"auc prev={prev} n={n} m={m} auc={auc} ties={ties}", {"cov": tally}, refused)


def paired_regimes(args: argparse.Namespace, rng: np.random.Generator) -> Iterator[str]:
    """Paired AUC difference: two correlated binormal scores of the same rows."""
    pairs = [(0.6, 0.6), (0.75, 0.75), (0.9, 0.85), (0.99, 0.97)]
    for prev, n, (aa, ab), rho in itertools.product(args.prev, args.n, pairs, (0.5, 0.9)):
        m = round(prev * n)
        if m < 1 or n - m < 1:
            continue
        y = np.r_[np.ones(m, dtype=bool), np.zeros(n - m, dtype=bool)]
        tally, refused = [0, 0, 0], 0
        for _ in range(args.sims):
            shared = rng.standard_normal(n)
            a = math.sqrt(rho) * shared + math.sqrt(1 - rho) * rng.standard_normal(n)
            b = math.sqrt(rho) * shared + math.sqrt(1 - rho) * rng.standard_normal(n)
            est = stats.roc_auc_diff_ci(y, a + _shift(aa) * y, b + _shift(ab) * y, (LEVEL,))
            if not est.intervals:
                refused += 1
                continue
            _count(*est.intervals[LEVEL], aa - ab, tally)
        label = f"paired-auc prev={prev} n={n} m={m} auc={aa},{ab} rho={rho}"
        yield _line(label, {"cov": tally}, refused)


def count_regimes(args: argparse.Namespace, rng: np.random.Generator) -> Iterator[str]:
    """Precision, recall and F1 from multinomial confusion tables (rows drawn i.i.d.)."""
    grid = (0.3, 0.6, 0.9)
    for prev, n, rec, prec in itertools.product(args.prev, args.n, grid, grid):
        tp = prev * n * rec
        fp = tp * (1 - prec) / prec
        fn = prev * n - tp
        if n - tp - fp - fn < 0:
            continue
        p = np.array([tp, fp, fn, n - tp - fp - fn]) / n
        truth = {"precision": prec, "recall": rec, "f1": 2 * tp / (2 * tp + fp + fn)}
        tallies = {k: [0, 0, 0] for k in truth}
        for _ in range(args.sims):
            c = rng.multinomial(n, p)
            y = np.r_[np.ones(c[0] + c[2], dtype=bool), np.zeros(c[1] + c[3], dtype=bool)]
            pred = np.r_[np.ones(c[0]), np.zeros(c[2]), np.ones(c[1]), np.zeros(c[3])] > 0
            for metric, t in truth.items():
                try:
                    est = stats.count_metric_ci(metric, y, pred, (LEVEL,))  # type: ignore[arg-type]
                except MeasurementError:  # undefined (no predicted positive, ...)
                    continue
                _count(*est.intervals[LEVEL], t, tallies[metric])
        yield _line(f"counts prev={prev} n={n} recall={rec} precision={prec}", tallies, 0)


def _probabilities(
    rng: np.random.Generator, k: int, prev: float, sigma: float, over: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Logit-normal class-1 probabilities; labels drawn from them; over-confident doubles the
    logit distance from the base rate in what the model reports."""
    base = math.log(prev / (1 - prev))
    logit = base + sigma * rng.standard_normal(k)
    y = rng.random(k) < 1 / (1 + np.exp(-logit))
    shown = 2 * logit - base if over else logit
    return y, 1 / (1 + np.exp(-shown))


def loss_regimes(args: argparse.Namespace, rng: np.random.Generator) -> Iterator[str]:
    """Log loss and Brier of logit-normal probabilities (calibrated or over-confident)."""
    eps = float(np.finfo(np.float64).eps)
    for prev, sigma, over in itertools.product(args.prev, (1.0, 2.5), (False, True)):
        chunks = [_probabilities(rng, 1_000_000, prev, sigma, over) for _ in range(10)]
        t_ll = float(np.mean([stats.log_loss_rows(y, q, eps).mean() for y, q in chunks]))
        t_br = float(np.mean([stats.brier_rows(y, q).mean() for y, q in chunks]))
        for n in args.n:
            tallies = {"log_loss": [0, 0, 0], "brier": [0, 0, 0]}
            refused = 0
            for _ in range(args.sims):
                y, q = _probabilities(rng, n, prev, sigma, over)
                if 0 < int(y.sum()) < n:
                    rows = {
                        "log_loss": stats.log_loss_rows(y, q, eps),
                        "brier": stats.brier_rows(y, q),
                    }
                else:
                    refused += 1
                    continue
                for name, truth in (("log_loss", t_ll), ("brier", t_br)):
                    est = stats.loss_mean_ci(rows[name], y, (LEVEL,), name=name)
                    if not est.intervals:
                        refused += name == "log_loss"
                        continue
                    _count(*est.intervals[LEVEL], truth, tallies[name])
            label = f"loss prev={prev} n={n} sigma={sigma} overconfident={over}"
            yield _line(label, tallies, refused)


KINDS = {
    "auc": (auc_regimes, "50,100,500,1000,5000,20000,100000"),
    "paired": (paired_regimes, "500,5000"),
    "counts": (count_regimes, "50,500,5000"),
    "loss": (loss_regimes, "100,500,2000,10000"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("--sims", type=int, default=1000)
    parser.add_argument("--n", default=None, help="comma-separated row counts")
    parser.add_argument("--prev", default="0.5,0.1,0.01,0.001")
    parser.add_argument("--auc", default="0.6,0.75,0.9,0.99")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--confidence", type=float, default=0.95, help="one-sided level")
    args = parser.parse_args(argv)
    global LEVEL
    LEVEL = round(2 * args.confidence - 1, 6)
    fn, default_n = KINDS[args.kind]
    args.n = [int(v) for v in (args.n or default_n).split(",")]
    args.prev = [float(v) for v in args.prev.split(",")]
    args.auc = [float(v) for v in args.auc.split(",")]
    for line in fn(args, np.random.default_rng(args.seed)):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
