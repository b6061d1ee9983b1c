"""The evaluation cache on the fraud example: a cold run against a warm-cache run.

Each round runs the fraud-detection example's pytest suite twice in fresh interpreters: cold
(an empty cache folder: every candidate trained with every seed) and then warm (the same folder:
the quality measurements restored, the latency tests measured afresh). It prints each run's wall
time, the medians, their ratio, how many measurements the warm run restored, and checks that
both runs reach the same verdict on every criterion of every option. Cold and warm runs
interleave, round after round, so a change of machine load hits both alike; the machine and its
load average before and after each round are printed.

    python benchmarks/bench_cache.py [--rounds 2] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fraud_detection"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {sys.platform}"


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def run(cache: Path, report: Path) -> float:
    cmd = [sys.executable, "-m", "pytest", str(EXAMPLE), "-q", "-p", "no:cacheprovider"]
    cmd += ["-p", "no:randomly", f"--archgate-cache-dir={cache}", f"--archgate-report={report}"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"pytest failed ({proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    return seconds


def verdicts(report: Path) -> dict[str, str]:
    data = json.loads(report.read_text())
    return {
        f"{a['id']} {c['name']} [{c.get('option')}]": c["verdict"]
        for a in data["adrs"]
        for c in (a.get("criteria") or []) + (a.get("constraints") or [])
    }


def restored(report: Path) -> tuple[int, int]:
    ms = json.loads(report.read_text()).get("measurements") or []
    return sum(1 for m in ms if (m.get("cache") or {}).get("restored")), len(ms)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    cold: list[float] = []
    warm: list[float] = []
    loads = [load()]
    n_criteria = 0
    with tempfile.TemporaryDirectory(prefix="archgate-bench-cache-") as tmp:
        for r in range(args.rounds):
            cache = Path(tmp) / f"cache-{r}"
            shutil.rmtree(cache, ignore_errors=True)
            cold_report, warm_report = Path(tmp) / f"cold-{r}.json", Path(tmp) / f"warm-{r}.json"
            cold.append(run(cache, cold_report))
            warm.append(run(cache, warm_report))
            loads.append(load())
            same = verdicts(cold_report) == verdicts(warm_report)
            hits, total = restored(warm_report)
            size = sum(p.stat().st_size for p in cache.glob("*.json"))
            print(
                f"round {r + 1}: cold {cold[-1]:.1f} s, warm {warm[-1]:.1f} s; warm restored "
                f"{hits} of {total} measurements; same verdicts: {same}; "
                f"{len(list(cache.glob('*.json')))} entries, {size / 1e6:.1f} MB; "
                f"load {loads[-1]}"
            )
            if not same:
                print("verdicts differ:", verdicts(cold_report), verdicts(warm_report))
                return 1
            n_criteria = len(verdicts(warm_report))
    ratio = statistics.median(cold) / statistics.median(warm)
    print(
        f"median cold {statistics.median(cold):.1f} s, warm {statistics.median(warm):.1f} s: "
        f"the warm run takes {1 / ratio:.0%} of the cold run's time ({ratio:.1f}x faster); "
        f"{n_criteria} criterion verdicts identical in every round"
    )
    if args.out is not None:
        args.out.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "load_before_and_after_rounds": loads,
                    "cold_s": cold,
                    "warm_s": warm,
                    "median_cold_s": statistics.median(cold),
                    "median_warm_s": statistics.median(warm),
                    "criteria_compared": n_criteria,
                },
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
