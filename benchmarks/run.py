"""Run every benchmark of archgate itself and print the figures side by side.

    python benchmarks/run.py            # full run (several minutes on 2 cores)
    python benchmarks/run.py --quick    # small sizes, a smoke run

Each part is its own script (``bench_stats.py``, ``bench_latency.py``, ``bench_plugin.py``,
``bench_family.py``)
and writes JSON under ``benchmarks/results/``; this runner calls them in one process tree and
prints where the figures went. The README's "Measured figures" section quotes the latest run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--only", choices=("stats", "latency", "plugin", "family"), action="append")
    args = parser.parse_args()
    parts = args.only or ["stats", "latency", "plugin", "family"]
    rc = 0
    for part in parts:
        cmd = [sys.executable, str(HERE / f"bench_{part}.py")]
        if args.quick:
            cmd.append("--quick" if part != "plugin" else "--rounds=1")
        cmd += ["--out", str(HERE / "results" / f"{part}.json")]
        print(f"\n=== {part}: {' '.join(cmd[1:])}", flush=True)
        rc |= subprocess.call(cmd)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
