"""Plugin overhead: a generated suite of 1,000 linked tests and 200 ADRs, with and without archgate.

Runs the same generated project twice per round in fresh interpreters, once with the plugin and
once with ``-p no:archgate`` (the tests then use a stub ``archgate`` fixture so they still run),
alternating the order, and prints the median wall-time ratio. Target: at most 1.15x.

    python benchmarks/bench_plugin.py [--rounds 5] [--tests 1000] [--adrs 200] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ADR = """---
status: accepted
date: 2026-11-24
archgate:
  decision: a
  options: [a, b]
  acceptance:
    score: ">= 0.5"
    latency_ms: {{max: 100, confidence: 0.95}}
---
# Decision {n}
"""


def generate(root: Path, n_tests: int, n_adrs: int) -> None:
    (root / "adr").mkdir(parents=True)
    for i in range(1, n_adrs + 1):
        (root / "adr" / f"{i:04d}-decision-{i}.md").write_text(ADR.format(n=i))
    (root / "pytest.ini").write_text("[pytest]\narchgate_adr_dir = adr\n")
    per_file = 100
    for f in range(n_tests // per_file):
        lines = ["import pytest", ""]
        for t in range(per_file):
            k = f * per_file + t
            adr = k % n_adrs + 1
            lines += [
                f'@pytest.mark.archgate("ADR-{adr:04d}")',
                f"def test_{k}(archgate):",
                "    archgate.record('score', 0.9)",
                "",
            ]
        (root / f"test_gen_{f}.py").write_text("\n".join(lines))


def run_once(root: Path, with_plugin: bool) -> float:
    # Other installed plugins (hypothesis imports itself at the end of every run: ~0.7 s) are
    # switched off in both runs, so the ratio is against bare pytest, not diluted by them.
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    cmd += ["-p", "no:hypothesispytest", "-p", "no:pytest_httpserver", "-p", "no:benchmark"]
    if not with_plugin:
        cmd += ["-p", "no:archgate", "-p", "stub_archgate"]
    env = dict(os.environ, PYTHONPATH=str(root))
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({'with' if with_plugin else 'without'}):\n{proc.stdout}")
    return elapsed


STUB_PLUGIN = """
import pytest


class _Stub:
    def record(self, *args, **kwargs):
        return None


def pytest_configure(config):
    config.addinivalue_line("markers", "archgate(*ids, option=None): stub without the plugin")


@pytest.fixture
def archgate():
    return _Stub()
"""


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--adrs", type=int, default=200)
    parser.add_argument("--out", default="benchmarks/results/plugin.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.tests, args.adrs)
        (root / "stub_archgate.py").write_text(STUB_PLUGIN)
        run_once(root, True)  # warm the file system cache and bytecode
        run_once(root, False)
        with_t: list[float] = []
        without_t: list[float] = []
        for r in range(args.rounds):
            order = (True, False) if r % 2 == 0 else (False, True)
            for flag in order:
                (with_t if flag else without_t).append(run_once(root, flag))
    ratio = statistics.median(with_t) / statistics.median(without_t)
    result: dict[str, object] = {
        "tests": args.tests,
        "adrs": args.adrs,
        "rounds": args.rounds,
        "with_plugin_s": with_t,
        "without_plugin_s": without_t,
        "median_with_s": statistics.median(with_t),
        "median_without_s": statistics.median(without_t),
        "ratio": ratio,
        "target": 1.15,
    }
    print(
        f"plugin overhead: {args.tests} linked tests, {args.adrs} ADRs: "
        f"median {statistics.median(with_t):.2f} s with archgate vs "
        f"{statistics.median(without_t):.2f} s without -> {ratio:.3f}x (target <= 1.15x)"
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
