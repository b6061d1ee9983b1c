"""The project's own decisions (``adr/``), enforced through archgate itself.

These tests are linked to the project's ADRs and record what the ADRs' criteria ask for; the
plugin running this very suite judges them, so a regression fails CI with an ADR message.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest

HEAVY = ("torch", "xgboost", "sklearn", "scipy", "matplotlib")


def _heavy_loaded(code: str, cwd: Path | None = None) -> list[str]:
    probe = "\n".join(
        [
            "import json, sys",
            textwrap.dedent(code),
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))",
        ]
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.archgate("ADR-0003")
def test_import_is_light(archgate):
    loaded = _heavy_loaded("import pytest_archgate, pytest_archgate.plugin.hooks")
    archgate.record("heavy_modules_on_import", len(loaded))
    assert loaded == []


def test_judging_path_loads_without_numpy() -> None:
    """The plugin, the session and the judging code (verdicts, replicates, family) load without
    numpy: numpy comes in only when a test evaluates a metric. The distribution functions the
    judging path needs live in the numpy-free ``distributions`` module for this reason."""
    probe = (
        "import sys, pytest_archgate, pytest_archgate.plugin.hooks, "
        "pytest_archgate.plugin.session, pytest_archgate.verdict.judge, "
        "pytest_archgate.measure.replicates, pytest_archgate.verdict.family; "
        "print('numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.archgate("ADR-0003")
def test_unlinked_run_is_light(archgate, tmp_path: Path):
    (tmp_path / "test_plain.py").write_text("def test_one():\n    assert True\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    loaded = _heavy_loaded(
        "import pytest\n"
        f"rc = pytest.main([{str(tmp_path)!r}, '-q', '-p', 'no:cacheprovider'])\n"
        "assert rc == 0, rc",
        cwd=tmp_path,
    )
    archgate.record("heavy_modules_unlinked_run", len(loaded))
    assert loaded == []


def _binormal(rng: np.random.Generator, n: int, d: float) -> tuple[np.ndarray, np.ndarray]:
    y = (rng.random(n) < 0.3).astype(float)
    score = rng.normal(size=n) + d * y
    return y, score


@pytest.mark.archgate("ADR-0002")
def test_auc_interval_cost_ratio(archgate):
    pytest.importorskip("sklearn")
    from sklearn.metrics import roc_auc_score

    from pytest_archgate import evaluate

    rng = np.random.default_rng(1)
    y, score = _binormal(rng, 200_000, 1.0)
    roc_auc_score(y, score)  # warm both paths once
    evaluate(y, score, ("roc_auc",))
    plain, ours = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        roc_auc_score(y, score)
        plain.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        evaluate(y, score, ("roc_auc",))
        ours.append(time.perf_counter() - t0)
    archgate.record("auc_ci_time_ratio", min(ours) / min(plain))


@pytest.mark.archgate("ADR-0002")
def test_interval_coverage(archgate):
    from pytest_archgate import compare, evaluate

    rng = np.random.default_rng(7)
    d = 1.0
    true_auc = NormalDist().cdf(d / np.sqrt(2))
    sims = 200
    auc_hits = acc_hits = false_fails = 0
    for _ in range(sims):
        y, score = _binormal(rng, 2_000, d)
        est = evaluate(y, score, ("roc_auc",))["roc_auc"]
        lo, hi = est.ci
        auc_hits += lo <= true_auc <= hi
        # accuracy of a classifier that is right with probability 0.8 on every row
        correct = rng.random(2_000) < 0.8
        pred = np.where(correct, y, 1 - y)
        acc = evaluate(y, pred, ("accuracy",))["accuracy"]
        acc_hits += acc.ci[0] <= 0.8 <= acc.ci[1]
        # two equally good models on the same rows: a regression alarm (the one-sided 95%
        # upper bound of candidate - baseline below 0) should fire about 5% of the time
        other = rng.normal(size=2_000) + d * y
        diff = compare(y, other, score, "roc_auc", levels=(0.9,))
        upper = diff.upper_bound(0.95)
        assert upper is not None
        false_fails += upper < 0.0
    archgate.record("auc_ci_coverage", auc_hits / sims, n=sims)
    archgate.record("accuracy_ci_coverage", acc_hits / sims, n=sims)
    archgate.record("no_change_false_fail_rate", false_fails / sims, n=sims)


def _coverage_grid_module():
    """``benchmarks/coverage.py`` loaded as a module (it is a script, not part of the package)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "coverage.py"
    if not path.is_file():
        pytest.skip("benchmarks/coverage.py is not in this checkout")
    name = "archgate_coverage_grid"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


@pytest.mark.archgate("ADR-0009")
def test_quick_coverage_grid(archgate):
    # the CI-sized grid (hard corners: 1% positives, AUC 0.99, near-identical paired models, a
    # Pareto latency tail), 200 simulations a cell; the full grid is benchmarks/run.py's
    grid = _coverage_grid_module()
    results = grid.run_grid(grid.quick_grid(), 200, workers=1, seed=20261206)
    # a cell where the tool refused most data sets has too few bounds to judge their coverage
    judged = [r for r in results if r.given >= 100]
    one_sided = [x for r in judged for x in (r.lower, r.upper) if x is not None]
    assert one_sided, "the quick grid gave bounds in no cell"
    archgate.record("quick_grid_min_one_sided_coverage", min(one_sided), n=200)
