"""What archgate costs a run that has it installed: plugin load, linked suites, CLI start-up.

Three comparisons, each a pair of commands run in fresh interpreters, interleaved (each round
runs both commands of every pair in a shuffled order, so that a load change on the machine hits
both sides alike), after one warm-up run each:

* ``bare``: a 3-test project without ADRs, ``pytest -q`` with the plugin against
  ``-p no:archgate`` (target <= 1.03x; issue 12);
* ``linked``: 1,000 trivial tests linked by marker to 200 accepted ADRs with criteria, with the
  plugin against ``-p no:archgate`` (a ``conftest.py`` registers the marker when the plugin is
  off, so the same tests run; target <= 1.10x);
* ``cli``: ``archgate list`` on a 50-ADR log against ``python -c "import yaml"``, i.e. the
  interpreter start plus PyYAML's import that reading ADRs cannot avoid (target <= 1.5x).

``linked`` and ``cli`` run with the parse cache (ADR-0022) as a repeated run finds it: the
ADR files are written, left 4 s (a file changed less than 3 s before it is read is not
stored), and the warm-up run fills the cache. ``linked-cold`` and ``cli-cold`` run the same
commands with ``ARCHGATE_ADR_CACHE=0``: every ADR parsed, what the first run after a change
and a CI runner with an empty cache folder pay (no target: shown so that the warm figure is
never read alone). The cache folder is a temporary ``XDG_CACHE_HOME``, never the user's.

Other installed pytest plugins (xdist, hypothesis, pytest-benchmark, pytest-httpserver, the
cache) are switched off on both sides: the ratio is against bare pytest, not diluted by them.
``PYTHONDONTWRITEBYTECODE`` is removed from the environment, so the warm-up runs leave the
bytecode an installed package has (pip compiles it): with it set, an editable checkout
compiles every archgate module from source in every run, which is not what users pay.

Reported per comparison: the median wall time of each side, the ratio of the medians (judged
against the target), the median and quartiles of the per-round ratios (the spread), the
ratio of the fastest runs (the least disturbed by other load), and the ratio of the median CPU
times (user + system of the child process: on a shared machine, waiting for a core inflates
wall time but not CPU time). With ``--instructions`` each command also runs once under
valgrind's callgrind (``PYTHONHASHSEED=0``): the ratio of the instructions the two sides
execute, a figure that other load on the machine cannot change (it counts work, not time: a
cache miss costs one instruction, so it is a check beside the timings, not the judged ratio).
Results go to ``benchmarks/results/overhead.json`` and a Markdown table to
``benchmarks/README_overhead_figures.md``.

    python benchmarks/bench_overhead.py [--rounds 21] [--bare-rounds 101] [--only bare,linked,cli]
        [--instructions]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OTHER_PLUGINS = ("cacheprovider", "xdist", "hypothesispytest", "pytest_httpserver", "benchmark")

ADR = """---
status: accepted
date: 2026-11-24
archgate:
  decision: a
  options: [a, b]
  acceptance:
    score: ">= 0.5"
    latency_ms: {{max: 100, confidence: 0.95}}
  constraints:
    rows: ">= 10"
---
# Decision {n}

## Context and Problem Statement

Generated for the overhead benchmark.
"""

# registers the marker when the plugin is off, so the linked tests run unchanged
CONFTEST = """
def pytest_configure(config):
    if not config.pluginmanager.hasplugin("archgate"):
        config.addinivalue_line("markers", "archgate(*ids, option=None): plugin switched off")
"""


@dataclass(frozen=True)
class Pair:
    name: str
    what: str
    target: float | None
    cwd: Path
    subject: tuple[str, ...]  # the command measured
    baseline: tuple[str, ...]  # the command it is compared with
    rounds: int = 21
    subject_env: tuple[tuple[str, str], ...] = ()  # set for the measured command only


def _pytest(*extra: str) -> tuple[str, ...]:
    cmd = [sys.executable, "-m", "pytest", "-q"]
    for name in OTHER_PLUGINS:
        cmd += ["-p", f"no:{name}"]
    return (*cmd, *extra)


def make_bare(root: Path) -> None:
    root.mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_three.py").write_text(
        "def test_a():\n    assert 1\n\n\ndef test_b():\n    assert 2\n\n\n"
        "def test_c():\n    assert 3\n"
    )


def make_adrs(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    for i in range(1, n + 1):
        (folder / f"{i:04d}-decision-{i}.md").write_text(ADR.format(n=i))


def make_linked(root: Path, n_tests: int, n_adrs: int) -> None:
    root.mkdir(parents=True)
    make_adrs(root / "adr", n_adrs)
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "conftest.py").write_text(CONFTEST)
    per_file = 100
    for f in range(n_tests // per_file):
        lines = ["import pytest", ""]
        for t in range(per_file):
            k = f * per_file + t
            lines += [
                f'@pytest.mark.archgate("ADR-{k % n_adrs + 1:04d}")',
                f"def test_{k}():",
                "    assert True",
                "",
            ]
        (root / f"test_linked_{f}.py").write_text("\n".join(lines))


def make_cli(root: Path, n_adrs: int) -> None:
    root.mkdir(parents=True)
    make_adrs(root / "adr", n_adrs)
    (root / "pytest.ini").write_text("[pytest]\n")


def archgate_command() -> tuple[str, ...]:
    """The installed ``archgate`` script next to this interpreter, else the module."""
    script = Path(sys.executable).with_name("archgate")
    if script.is_file():
        return (str(script),)
    return (sys.executable, "-m", "pytest_archgate.cli.main")


def run(
    cmd: Sequence[str], cwd: Path, extra_env: Sequence[tuple[str, str]] = ()
) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``cmd``."""
    env = child_env(extra_env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def child_env(extra_env: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """The environment of a measured command: no archgate or pytest settings of the caller's."""
    env = dict(os.environ)
    for name in list(env):
        if name.startswith(("ARCHGATE_", "PYTEST_")) or name in (
            "GITHUB_ACTIONS",
            "PYTHONDONTWRITEBYTECODE",
        ):
            del env[name]
    env.update(extra_env)
    return env


def instructions(cmd: Sequence[str], cwd: Path, extra_env: Sequence[tuple[str, str]] = ()) -> int:
    """Instructions one run of ``cmd`` executes, counted by valgrind's callgrind."""
    env = child_env(extra_env)
    env["PYTHONHASHSEED"] = "0"  # the same dict and set orders on both sides, every time
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise SystemExit(f"valgrind {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    for line in proc.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1].strip())
    raise SystemExit(f"no instruction count in valgrind's output:\n{proc.stderr[-2000:]}")


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[1], q[2]


def measure(pairs: Sequence[Pair], seed: int) -> dict[str, dict[str, Any]]:
    rng = random.Random(seed)
    jobs = [(p, side) for p in pairs for side in ("subject", "baseline")]
    times: dict[tuple[str, str], list[float]] = {(p.name, s): [] for p, s in jobs}
    cpus: dict[tuple[str, str], list[float]] = {(p.name, s): [] for p, s in jobs}

    def once(p: Pair, side: str) -> tuple[float, float]:
        env = p.subject_env if side == "subject" else ()
        return run(getattr(p, side), p.cwd, env)

    for p, side in jobs:  # warm the file system cache, the bytecode and the parse cache
        once(p, side)
    for r in range(max(p.rounds for p in pairs)):
        order = [(p, side) for p, side in jobs if r < p.rounds]
        rng.shuffle(order)
        for p, side in order:
            wall, cpu = once(p, side)
            times[(p.name, side)].append(wall)
            cpus[(p.name, side)].append(cpu)
    out: dict[str, dict[str, Any]] = {}
    for p in pairs:
        subject, baseline = times[(p.name, "subject")], times[(p.name, "baseline")]
        per_round = [s / b for s, b in zip(subject, baseline, strict=True)]
        q1, med, q3 = quartiles(per_round)
        ratio = statistics.median(subject) / statistics.median(baseline)
        cpu_s, cpu_b = cpus[(p.name, "subject")], cpus[(p.name, "baseline")]
        out[p.name] = {
            "what": p.what,
            "subject": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(p.subject)),
            "subject_env": dict(p.subject_env),
            "baseline": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(p.baseline)),
            "rounds": p.rounds,
            "subject_s": [round(t, 4) for t in subject],
            "baseline_s": [round(t, 4) for t in baseline],
            "median_subject_s": round(statistics.median(subject), 4),
            "median_baseline_s": round(statistics.median(baseline), 4),
            "ratio_of_medians": round(ratio, 4),
            # the fastest run of each side is the least disturbed by other load on the machine
            "ratio_of_minimums": round(min(subject) / min(baseline), 4),
            "per_round_ratio_median": round(med, 4),
            "per_round_ratio_q1": round(q1, 4),
            "per_round_ratio_q3": round(q3, 4),
            "subject_cpu_s": [round(t, 4) for t in cpu_s],
            "baseline_cpu_s": [round(t, 4) for t in cpu_b],
            "ratio_of_cpu_medians": round(statistics.median(cpu_s) / statistics.median(cpu_b), 4),
            "target": p.target,
            "met": None if p.target is None else ratio <= p.target,
        }
    return out


def markdown(results: dict[str, dict[str, Any]], machine: str, note: str) -> str:
    counted = all("ratio_of_instructions" in r for r in results.values())
    lines = [
        "| comparison | with archgate | baseline | ratio of medians | per-round ratio "
        "(median [Q1, Q3]) | ratio of minimums | ratio of CPU times | "
        + ("ratio of instructions | " if counted else "")
        + "target |",
        "|---|---|---|---|---|---|---|---|" + ("---|" if counted else ""),
    ]
    for r in results.values():
        if r["target"] is None:
            target = "(no target: the cache off)"
        else:
            target = f"<= {r['target']}x {'(met)' if r['met'] else '(missed)'}"
        lines.append(
            f"| {r['what']} | {float(r['median_subject_s']):.3f} s | "
            f"{float(r['median_baseline_s']):.3f} s | "
            f"**{float(r['ratio_of_medians']):.3f}x** | "
            f"{float(r['per_round_ratio_median']):.3f}x "
            f"[{float(r['per_round_ratio_q1']):.3f}, "
            f"{float(r['per_round_ratio_q3']):.3f}] | "
            f"{float(r['ratio_of_minimums']):.3f}x | "
            f"{float(r['ratio_of_cpu_medians']):.3f}x | "
            + (f"{float(r['ratio_of_instructions']):.3f}x | " if counted else "")
            + f"{target} |"
        )
    rounds = "/".join(str(r["rounds"]) for r in results.values())
    lines += [
        "",
        f"Medians of {rounds} interleaved runs of each command (subprocess wall time, fresh "
        f"interpreter each), `python benchmarks/bench_overhead.py`; machine: {machine}. {note}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument(
        "--bare-rounds",
        type=int,
        default=101,
        help="rounds of the bare comparison: its runs are short and a 3 %% target needs more",
    )
    parser.add_argument("--only", default="bare,linked,cli,linked-cold,cli-cold")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--adrs", type=int, default=200)
    parser.add_argument("--cli-adrs", type=int, default=50)
    parser.add_argument("--out", default=str(HERE / "results" / "overhead.json"))
    parser.add_argument("--md", default=str(HERE / "README_overhead_figures.md"))
    parser.add_argument(
        "--machine",
        default=f"{platform.machine()} {platform.system()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
    )
    parser.add_argument("--note", default="")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions of one run of each command with valgrind",
    )
    args = parser.parse_args(argv)
    if min(args.rounds, args.bare_rounds) < 15:
        parser.error("--rounds, --bare-rounds: at least 15, or the medians say little")
    wanted = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="archgate-overhead-") as tmp:
        root = Path(tmp)
        pairs: list[Pair] = []
        if "bare" in wanted:
            make_bare(root / "bare")
            pairs.append(
                Pair(
                    "bare",
                    "3-test project without ADRs: `pytest -q` / `-p no:archgate`",
                    1.03,
                    root / "bare",
                    _pytest(),
                    _pytest("-p", "no:archgate"),
                    args.bare_rounds,
                )
            )
        if "linked" in wanted:
            make_linked(root / "linked", args.tests, args.adrs)
            pairs.append(
                Pair(
                    "linked",
                    f"{args.tests} trivial linked tests, {args.adrs} accepted ADRs with "
                    "criteria: `pytest -q` / `-p no:archgate`",
                    1.10,
                    root / "linked",
                    _pytest(),
                    _pytest("-p", "no:archgate"),
                    args.rounds,
                )
            )
        if "cli" in wanted:
            make_cli(root / "cli", args.cli_adrs)
            pairs.append(
                Pair(
                    "cli",
                    f'`archgate list` on {args.cli_adrs} ADRs / `python -c "import yaml"`',
                    1.5,
                    root / "cli",
                    (*archgate_command(), "list"),
                    (sys.executable, "-c", "import yaml"),
                    args.rounds,
                )
            )
        for name in ("linked", "cli"):
            if f"{name}-cold" in wanted:
                warm = next(p for p in pairs if p.name == name)
                pairs.append(
                    Pair(
                        f"{name}-cold",
                        warm.what.replace(":", ", parse cache off:", 1)
                        if ":" in warm.what
                        else f"{warm.what} (parse cache off)",
                        None,
                        warm.cwd,
                        warm.subject,
                        warm.baseline,
                        warm.rounds,
                        (("ARCHGATE_ADR_CACHE", "0"),),
                    )
                )
        # a file changed less than 3 s before it is read is not cached (ADR-0022): the log
        # must be older than that for the warm-up run to fill the cache, as a repeated run finds
        saved = os.environ.get("XDG_CACHE_HOME")
        os.environ["XDG_CACHE_HOME"] = str(root / "cache-home")
        try:
            time.sleep(4)
            results = measure(pairs, args.seed)
            if args.instructions:
                for p in pairs:
                    env = p.subject_env
                    n_s = instructions(p.subject, p.cwd, env)
                    n_b = instructions(p.baseline, p.cwd)
                    results[p.name]["instructions_subject"] = n_s
                    results[p.name]["instructions_baseline"] = n_b
                    results[p.name]["ratio_of_instructions"] = round(n_s / n_b, 4)
        finally:
            if saved is None:
                del os.environ["XDG_CACHE_HOME"]
            else:
                os.environ["XDG_CACHE_HOME"] = saved
    for r in results.values():
        print(
            f"{r['what']}: {r['median_subject_s']} s / {r['median_baseline_s']} s -> "
            f"{r['ratio_of_medians']}x (per round {r['per_round_ratio_median']}x "
            f"[{r['per_round_ratio_q1']}, {r['per_round_ratio_q3']}]; fastest runs "
            f"{r['ratio_of_minimums']}x; CPU {r['ratio_of_cpu_medians']}x; "
            + (
                f"instructions {r['ratio_of_instructions']}x; "
                if "ratio_of_instructions" in r
                else ""
            )
            + f"target {r['target']})"
        )
    payload = {"machine": args.machine, "note": args.note, "results": results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2) + "\n")
    Path(args.md).write_text(markdown(results, args.machine, args.note))
    return results


if __name__ == "__main__":
    main()
