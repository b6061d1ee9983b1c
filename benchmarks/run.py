"""Run every benchmark of archgate itself and print the figures side by side.

    python benchmarks/run.py            # full run (several minutes on 2 cores)
    python benchmarks/run.py --quick    # small sizes, a smoke run

Each part is its own script (``bench_stats.py``, ``bench_latency.py``, ``bench_plugin.py``,
``bench_family.py``, ``coverage.py``) and writes JSON under ``benchmarks/results/`` (or
``--results DIR``); this runner calls them in one process tree and prints where the figures
went. The README's "Measured figures" section quotes the latest run. CI runs
``python benchmarks/run.py --quick --only coverage --results DIR`` as a smoke test: it fails on
a crash, never on the (noisy) quick figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("stats", "latency", "plugin", "family", "coverage")
SCRIPTS = {"coverage": "coverage.py"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--only", choices=PARTS, action="append")
    parser.add_argument(
        "--results",
        type=Path,
        default=HERE / "results",
        help="folder the JSON goes to (default benchmarks/results)",
    )
    args = parser.parse_args()
    parts = args.only or list(PARTS)
    rc = 0
    for part in parts:
        cmd = [sys.executable, str(HERE / SCRIPTS.get(part, f"bench_{part}.py"))]
        if args.quick:
            cmd.append("--quick" if part != "plugin" else "--rounds=1")
        cmd += ["--out", str(args.results / f"{part}.json")]
        print(f"\n=== {part}: {' '.join(cmd[1:])}", flush=True)
        rc |= subprocess.call(cmd)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
