"""Mutation testing of the gate's core with mutmut: how tightly the tests pin each module.

    pip install -e '.[mutation]'
    python benchmarks/mutation.py                       # every core module, 1 hour budget
    python benchmarks/mutation.py --modules adr/criteria    # one module
    python benchmarks/mutation.py --modules adr/criteria verdict/judge --budget 1800

mutmut (configured in ``[tool.mutmut]`` of pyproject.toml) changes one thing at a time in the
code (an operator, a constant, a string, a removed call) and runs the tests that cover the
changed function; a mutant no test notices *survives*. This script runs it on a copy of the
working tree (so ``mutants/`` never lands in the checkout) with ``only_mutate`` narrowed to
the modules asked for, stops at the time budget (mutants not reached are ``not checked``), and
writes ``benchmarks/results/mutation.json`` and ``benchmarks/results/mutation.md``: per module
killed, survived, timed out, and every surviving mutant with its diff, marked ``equivalent``
(with the reviewed reason from ``benchmarks/mutation-equivalents.txt``) or ``gap``.

Score = (killed + timed out + caught by the type check) / (mutants checked - equivalents).
A timed-out mutant counts as killed: the tests noticed it (it made them hang).

Keeping it from slipping (the CI mode)::

    python benchmarks/mutation.py --changed-since origin/main --budget 240 --check \
        --results /tmp/mutation-ci

``--changed-since REF`` mutates only the core modules this branch changed since its merge
base with ``REF`` (committed, staged, unstaged or untracked; none changed: nothing to do, exit
0). ``--check`` exits 1 when a module's score is below its floor: ``archgate_floors`` in
``[tool.mutmut]`` of pyproject.toml (mutmut ignores keys it does not know), overridden by
``--floor adr/criteria=97``. Under a budget only the mutants reached count (mutmut checks them
in source order), so a budgeted score is the score of the module's first functions.

``benchmarks/mutation-equivalents.txt``: one ``<mutant id>: <one-line reason>`` a line
(``#`` starts a comment). A mutant id is mutmut's name, e.g.
``pytest_archgate.adr.criteria.x__fmt__mutmut_3``; it is stable while the function is unchanged.
See ADR-0012 for why mutmut and what the figures mean.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = "pytest_archgate"
# paths inside the package, without ".py" (the layout of issue 12)
CORE = (
    "adr/criteria",
    "verdict/judge",
    "measure/estimate",
    "measure/replicates",
    "verdict/family",
    "plugin/session",
    "report/merge",
    "settings",
    "measure/names",
)
EQUIVALENTS = HERE / "mutation-equivalents.txt"

# mutmut's exit codes (mutmut.stats.status_by_exit_code, 3.8.1), folded into our columns
STATUS: dict[int | None, str] = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    2: "interrupted",
    None: "not checked",
    34: "skipped",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    255: "timeout",
    37: "type check",
    -11: "segfault",
    -9: "segfault",
}


@dataclass
class ModuleResult:
    """The mutants of one module, by status, and the survivors' diffs."""

    module: str
    counts: dict[str, int] = field(default_factory=dict)
    survivors: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def equivalent(self) -> int:
        return sum(1 for s in self.survivors if s["verdict"] == "equivalent")

    @property
    def gaps(self) -> int:
        return sum(1 for s in self.survivors if s["verdict"] == "gap")

    @property
    def score(self) -> float | None:
        detected = sum(self.counts.get(k, 0) for k in ("killed", "timeout", "type check"))
        checked = sum(v for k, v in self.counts.items() if k not in ("not checked", "skipped"))
        denominator = checked - self.equivalent
        return detected / denominator if denominator > 0 else None

    def to_json(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "counts": dict(sorted(self.counts.items())),
            "equivalent": self.equivalent,
            "gaps": self.gaps,
            "score": self.score,
            "survivors": self.survivors,
        }


def read_equivalents(path: Path) -> dict[str, str]:
    """``mutant id -> reason`` from the reviewed file (missing file: none)."""
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, reason = line.partition(":")
        if not sep or not reason.strip():
            raise SystemExit(f"{path}:{number}: expected '<mutant id>: <reason>', got {raw!r}")
        out[name.strip()] = reason.strip()
    return out


def copy_tree(dest: Path) -> None:
    """The working tree as git sees it (tracked and untracked, not ignored) into ``dest``."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if not src.is_file():
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)


def read_floors(pyproject: Path) -> dict[str, float]:
    """``module -> floor`` (percent) from ``archgate_floors`` in ``[tool.mutmut]``."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    raw = data.get("tool", {}).get("mutmut", {}).get("archgate_floors", {})
    floors: dict[str, float] = {}
    for module, floor in raw.items():
        if module not in CORE or isinstance(floor, bool) or not isinstance(floor, int | float):
            raise SystemExit(f"{pyproject}: archgate_floors: bad entry {module!r} = {floor!r}")
        floors[module] = float(floor)
    return floors


def parse_floor(text: str) -> tuple[str, float]:
    """``adr/criteria=97`` -> ``("adr/criteria", 97.0)`` (an argparse type)."""
    module, sep, number = text.partition("=")
    if not sep or module not in CORE:
        raise argparse.ArgumentTypeError(
            f"expected MODULE=PERCENT with MODULE in CORE, got {text!r}"
        )
    try:
        return module, float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{number!r} is not a percentage") from None


def changed_modules(ref: str) -> list[str]:
    """The core modules changed since ``ref``: committed, staged, unstaged or untracked."""
    base = subprocess.run(
        ["git", "merge-base", ref, "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if base.returncode != 0:
        raise SystemExit(f"--changed-since {ref}: {base.stderr.strip() or 'no merge base'}")
    names: set[str] = set()
    # against the merge base: what this branch changed, not what REF gained since
    for cmd in (
        ["git", "diff", "--name-only", base.stdout.strip(), "--"],
        ["git", "ls-files", "--others", "--exclude-standard"],
    ):
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)}: {proc.stderr.strip()}")
        names.update(proc.stdout.split())
    return [m for m in CORE if f"{PACKAGE}/{m}.py" in names]


def below_floor(results: list[ModuleResult], floors: dict[str, float]) -> list[str]:
    """One line per module whose score is under its floor (a module with nothing checked
    within the budget has no score and is reported, not failed)."""
    out = []
    for r in results:
        floor = floors.get(r.module)
        if floor is None:
            continue
        if r.score is None:
            print(f"{r.module}: no mutant checked within the budget; floor {floor:g}% not checked")
        elif r.score * 100 < floor:
            out.append(f"{r.module}: score {r.score:.1%} is below its floor {floor:g}%")
    return out


def narrow(pyproject: Path, modules: list[str]) -> None:
    """Set ``only_mutate`` in the copy's ``[tool.mutmut]`` to ``modules``."""
    text = pyproject.read_text(encoding="utf-8")
    listed = ", ".join(f'"{PACKAGE}/{m}.py"' for m in modules)
    new, count = re.subn(
        r"^only_mutate = \[.*?\]", f"only_mutate = [{listed}]", text, flags=re.S | re.M
    )
    if count != 1:
        raise SystemExit("pyproject.toml: [tool.mutmut] has no only_mutate list")
    pyproject.write_text(new, encoding="utf-8")


def run_mutmut(
    work: Path, budget: float, max_children: int, names: list[str] | None = None
) -> tuple[float, bool]:
    """``mutmut run`` in ``work`` (only the mutants ``names``, checked again, when given);
    stops it at ``budget`` seconds. Returns (seconds, finished)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("MUTANT_UNDER_TEST", None)
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    cmd += names or []
    start = time.monotonic()
    with open(work / "mutmut.log", "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            proc.wait(timeout=budget)
            finished = proc.returncode == 0
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            finished = False
    return time.monotonic() - start, finished


def diff_of(work: Path, name: str) -> str:
    """The changed lines of one mutant (``- old`` / ``+ new``), from ``mutmut show``."""
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "show", name],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    lines = [
        ln
        for ln in out.splitlines()
        if ln[:1] in "+-" and not ln.startswith(("+++", "---")) and ln[1:].strip()
    ]
    return "\n".join(lines)


def survivor_names(work: Path, modules: list[str], equivalents: dict[str, str]) -> list[str]:
    """The mutants of ``modules`` that an earlier run in ``work`` left alive, less the reviewed
    equivalents (no test can kill those)."""
    names = []
    for module in modules:
        meta = work / "mutants" / PACKAGE / f"{module}.py.meta"
        if meta.is_file():
            codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
            names += [
                n
                for n, c in codes.items()
                if c is not None and STATUS.get(c) != "killed" and n not in equivalents
            ]
    return sorted(names)


def refresh_tests(work: Path) -> None:
    """The checkout's ``tests/`` into ``work`` (new tests get their coverage recorded by
    mutmut; the test selection in pyproject.toml must stay as it was, or every result is
    reset)."""
    shutil.rmtree(work / "tests", ignore_errors=True)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__"))


def collect(work: Path, modules: list[str], equivalents: dict[str, str]) -> list[ModuleResult]:
    results = []
    for module in modules:
        res = ModuleResult(module=module)
        meta = work / "mutants" / PACKAGE / f"{module}.py.meta"
        if meta.is_file():
            data = json.loads(meta.read_text(encoding="utf-8"))
            codes: dict[str, int | None] = data.get("exit_code_by_key", {})
            res.seconds = round(sum((data.get("durations_by_key") or {}).values()), 1)
            for name, code in sorted(codes.items()):
                status = STATUS.get(code, "suspicious")
                res.counts[status] = res.counts.get(status, 0) + 1
                if status in ("survived", "no tests", "suspicious"):
                    reason = equivalents.get(name)
                    res.survivors.append(
                        {
                            "id": name,
                            "status": status,
                            "verdict": "equivalent" if reason else "gap",
                            "reason": reason or "",
                            "diff": diff_of(work, name),
                        }
                    )
        results.append(res)
    return results


def markdown(report: dict[str, Any]) -> str:
    """The Markdown report of ``report`` (the JSON: one entry per module, each with its run)."""
    cols = ("killed", "timeout", "survived", "no tests", "not checked")
    results: list[dict[str, Any]] = report["results"]
    lines = [
        "# Mutation testing of the gate's core",
        "",
        f"mutmut {report['mutmut']}, {report['machine']}. One run per module (a module keeps "
        "the figures of its latest run); `--rerun-survivors` runs check again, with the "
        "tests added since, only the mutants an earlier run left alive.",
        "",
        "| module | mutants | killed | timed out | survived | no tests | not checked "
        "| equivalent | gaps | score | run |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        counts: dict[str, int] = r["counts"]
        score = "n/a" if r["score"] is None else f"{r['score']:.1%}"
        cells = [str(counts.get(c, 0)) for c in cols]
        run = r.get("run") or {}
        when = (
            f"{run.get('date', '?')}: {run.get('seconds', 0):.0f} s, budget "
            f"{run.get('budget_s', 0):.0f} s, "
            + ("finished" if run.get("finished") else "stopped at the budget")
        )
        lines.append(
            f"| `{r['module']}.py` | {sum(counts.values())} | "
            + " | ".join(cells)
            + f" | {r['equivalent']} | {r['gaps']} | {score} | {when} |"
        )
    lines += [
        "",
        "Score = (killed + timed out) / (checked - equivalent). Survivors are marked "
        "`equivalent` (reason reviewed in `benchmarks/mutation-equivalents.txt`) or `gap`.",
        "",
        "Commands:",
        "",
    ]
    for r in results:
        run = r.get("run") or {}
        after = f", after the full run `{run['full_run']}`" if run.get("full_run") else ""
        lines.append(f"- `{run.get('command', '?')}`{after}")
    for r in results:
        if not r["survivors"]:
            continue
        lines += ["", f"## `{r['module']}.py`: surviving mutants", ""]
        for s in r["survivors"]:
            mark = f"equivalent: {s['reason']}" if s["verdict"] == "equivalent" else "**gap**"
            lines.append(f"- `{s['id']}` ({s['status']}): {mark}")
            if s["diff"]:
                lines.append("  ```diff")
                lines += [f"  {ln}" for ln in s["diff"].splitlines()]
                lines.append("  ```")
    return "\n".join(lines) + "\n"


def cpu_model() -> str:
    """The processor's model name (Linux), else the machine type."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return " ".join(line.partition(":")[2].split())
    except OSError:
        pass
    return platform.machine()


def merged(path: Path, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-module entries of the report at ``path`` with those of this run replacing
    theirs (older reports without a per-module run are dropped), in the order of CORE."""
    by_module: dict[str, dict[str, Any]] = {}
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        for r in old.get("results", []):
            if isinstance(r, dict) and "run" in r and r.get("module") in CORE:
                by_module[r["module"]] = r
    by_module.update({r["module"]: r for r in new})
    return [by_module[m] for m in CORE if m in by_module]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", nargs="+", choices=CORE, default=list(CORE))
    parser.add_argument("--budget", type=float, default=3600.0, help="seconds (default 3600)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    parser.add_argument(
        "--work",
        type=Path,
        help="resume in a scratch copy kept by an earlier --keep run, with the checkout's tests/ "
        "(mutants already checked keep their results; the budget counts this run only)",
    )
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        help="mutate only the core modules changed since REF (git); none: exit 0",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when a module's score is below its floor (archgate_floors, --floor)",
    )
    parser.add_argument(
        "--floor",
        type=parse_floor,
        action="append",
        default=[],
        metavar="MODULE=PERCENT",
        help="the floor of one module (overrides archgate_floors in pyproject.toml)",
    )
    parser.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="with --work: copy the checkout's tests/ into the scratch copy and check again "
        "only the mutants that survived there (after adding tests that should kill them)",
    )
    parser.add_argument(
        "--machine-note", default="", help="added to the machine's description, e.g. 'shared'"
    )
    parser.add_argument(
        "--collect-only",
        action="store_true",
        help="with --work: write the report of the scratch copy's results, run nothing",
    )
    args = parser.parse_args()
    if (args.rerun_survivors or args.collect_only) and args.work is None:
        parser.error("--rerun-survivors and --collect-only need --work")
    floors = {**read_floors(ROOT / "pyproject.toml"), **dict(args.floor)}
    if args.changed_since is not None:
        changed = changed_modules(args.changed_since)
        args.modules = [m for m in args.modules if m in changed]
        if not args.modules:
            print(f"no core module changed since {args.changed_since}: nothing to mutate")
            return 0
    try:
        from importlib.metadata import version

        mutmut_version = version("mutmut")
    except Exception:
        print("mutmut is not installed: pip install -e '.[mutation]'", file=sys.stderr)
        return 2
    equivalents = read_equivalents(EQUIVALENTS)
    resume = args.work is not None
    work = args.work or Path(tempfile.mkdtemp(prefix="archgate-mutation-"))
    try:
        if not resume:
            copy_tree(work)
            narrow(work / "pyproject.toml", args.modules)
        names = None
        if resume:
            # the mutants not checked yet, or the survivors, meet the tests as they are now
            refresh_tests(work)
        if args.rerun_survivors:
            names = survivor_names(work, args.modules, equivalents)
            if not names:
                print("no surviving mutant to check again")
        if args.collect_only or names == []:
            seconds, finished = 0.0, True
        else:
            seconds, finished = run_mutmut(work, args.budget, args.max_children, names)
        results = collect(work, args.modules, equivalents)
        if not any(k != "not checked" for r in results for k in r.counts):
            log = (work / "mutmut.log").read_text(encoding="utf-8", errors="replace")
            print(log[-4000:], file=sys.stderr)
            print("mutmut produced no results", file=sys.stderr)
            return 1
    finally:
        if args.keep or resume:
            print(f"scratch copy kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    run = {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "budget_s": args.budget,
        "seconds": round(seconds, 1),
        "finished": finished,
        "command": f"python benchmarks/mutation.py --modules {' '.join(args.modules)} "
        f"--budget {args.budget:g}"
        + (" --rerun-survivors" if args.rerun_survivors else "")
        + (" --collect-only" if args.collect_only else ""),
    }
    args.results.mkdir(parents=True, exist_ok=True)
    report = {
        "mutmut": mutmut_version,
        "machine": f"{os.cpu_count()}-core {cpu_model()} {platform.system()}"
        + (f" ({args.machine_note})" if args.machine_note else "")
        + f", Python {platform.python_version()}",
        "results": merged(
            args.results / "mutation.json", [{**r.to_json(), "run": run} for r in results]
        ),
    }
    (args.results / "mutation.json").write_text(
        json.dumps(report, indent=2) + "\n", encoding="utf-8"
    )
    text = markdown(report)
    (args.results / "mutation.md").write_text(text, encoding="utf-8")
    print(text)
    if args.check:
        failures = below_floor(results, floors)
        for line in failures:
            print(line, file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
