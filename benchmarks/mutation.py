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


def run_mutmut(work: Path, budget: float, max_children: int) -> tuple[float, bool]:
    """``mutmut run`` in ``work``; stops it at ``budget`` seconds. Returns (seconds, finished)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("MUTANT_UNDER_TEST", None)
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
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


def markdown(report: dict[str, Any], results: list[ModuleResult]) -> str:
    cols = ("killed", "timeout", "survived", "no tests", "not checked")
    lines = [
        "# Mutation testing of the gate's core",
        "",
        f"mutmut {report['mutmut']}, {report['date']}, {report['machine']}; "
        f"{report['seconds']:.0f} s wall clock (budget {report['budget_s']:.0f} s, "
        f"{'finished' if report['finished'] else 'stopped at the budget'}).",
        "Command: `python benchmarks/mutation.py "
        + " ".join(["--modules", *report["modules"]])
        + f" --budget {report['budget_s']:.0f}`.",
        "",
        "| module | mutants | killed | timed out | survived | no tests | not checked "
        "| equivalent | gaps | score |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        total = sum(r.counts.values())
        score = "n/a" if r.score is None else f"{r.score:.1%}"
        cells = [str(r.counts.get(c, 0)) for c in cols]
        lines.append(
            f"| `{r.module}.py` | {total} | "
            + " | ".join(cells)
            + f" | {r.equivalent} | {r.gaps} | {score} |"
        )
    lines += [
        "",
        "Score = (killed + timed out) / (checked - equivalent). Survivors are marked "
        "`equivalent` (reason reviewed in `benchmarks/mutation-equivalents.txt`) or `gap`.",
    ]
    for r in results:
        if not r.survivors:
            continue
        lines += ["", f"## `{r.module}.py`: surviving mutants", ""]
        for s in r.survivors:
            mark = f"equivalent: {s['reason']}" if s["verdict"] == "equivalent" else "**gap**"
            lines.append(f"- `{s['id']}` ({s['status']}): {mark}")
            if s["diff"]:
                lines.append("  ```diff")
                lines += [f"  {ln}" for ln in s["diff"].splitlines()]
                lines.append("  ```")
    return "\n".join(lines) + "\n"


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
        help="resume in a scratch copy kept by an earlier --keep run (mutants already checked "
        "keep their results; the budget counts this run only)",
    )
    args = parser.parse_args()
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
        seconds, finished = run_mutmut(work, args.budget, args.max_children)
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
    report = {
        "mutmut": mutmut_version,
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "machine": f"{os.cpu_count()}-core {platform.machine()} {platform.system()}, "
        f"Python {platform.python_version()}",
        "modules": args.modules,
        "budget_s": args.budget,
        "seconds": round(seconds, 1),
        "finished": finished,
        "results": [r.to_json() for r in results],
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "mutation.json").write_text(
        json.dumps(report, indent=2) + "\n", encoding="utf-8"
    )
    text = markdown(report, results)
    (args.results / "mutation.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
