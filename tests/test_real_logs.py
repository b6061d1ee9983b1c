"""A real decision log never breaks a suite that does not use archgate.

Each real log of ``../shared/adr-corpora/`` is copied into a fresh project at one of the folders
the plugin finds by itself (``docs/decisions``, ``docs/adr``; no ``archgate_adr_dir`` set), next
to two trivial tests with no archgate marker. The suite must run as it runs without the plugin:
2 passed, exit 0, and archgate adds at most one line or one warning (also under
``filterwarnings = error``). ``archgate list`` and ``archgate lint`` run in that project without
a traceback. Skips cleanly when the corpora are absent.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from corpora_expected import CORPUS_NAMES, EXPECTED

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "adr-corpora"
ARCHGATE = Path(sys.executable).parent / "archgate"
PLACEMENTS = ("docs/decisions", "docs/adr")

TWO_TESTS = """\
def test_one():
    assert 1 + 1 == 2


def test_two():
    assert "b" in "abc"
"""

# plugins this venv installs that only slow the inner runs down (the same in both runs)
FAST = (
    "-p",
    "no:cacheprovider",
    "-p",
    "no:benchmark",
    "-p",
    "no:hypothesispytest",
    "-p",
    "no:pytest_httpserver",
)

INI = {
    "plain": "[pytest]\n",
    "warnings-are-errors": "[pytest]\nfilterwarnings =\n    error\n",
}

# environment that would change what the plugin does or prints
_ENV = (
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "ARCHGATE_ADR_DIR",
    "ARCHGATE_REPORT",
    "ARCHGATE_STRICT",
    "ARCHGATE_REQUIRE_GPU",
)


@pytest.fixture(scope="module")
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip(f"ADR corpora not found at {CORPORA}")
    return CORPORA


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


def _project(root: Path, corpus: Path, placement: str, ini: str) -> None:
    """A project with the log at ``placement``, two trivial tests and ``pytest.ini``."""
    target = root / placement
    target.mkdir(parents=True)
    for path in corpus.iterdir():
        if path.is_file():  # copy the content only: the shared corpora are read-only
            shutil.copyfile(path, target / path.name)
    (root / "test_trivial.py").write_text(TWO_TESTS, encoding="utf-8")
    (root / "pytest.ini").write_text(ini, encoding="utf-8")


_WARNINGS_HEADER = re.compile(r"^=+ warnings summary =+$")
_FINAL_LINE = re.compile(r"^=+ .*\bin \d+(\.\d+)?s\b.*=+$")


def _comparable(lines: list[str]) -> list[str]:
    """The lines of a run that do not depend on timing, the plugin list or warning details.

    The warnings summary block is left out here and counted by the outcome line instead.
    """
    out: list[str] = []
    in_warnings = False
    for line in lines:
        if _WARNINGS_HEADER.match(line):
            in_warnings = True
            continue
        if in_warnings:
            in_warnings = not line.startswith("-- Docs:")
            continue
        if not line.strip() or line.startswith("plugins:") or _FINAL_LINE.match(line):
            continue
        out.append(line)
    return out


def _added_lines(with_plugin: list[str], without_plugin: list[str]) -> list[str]:
    added = Counter(_comparable(with_plugin)) - Counter(_comparable(without_plugin))
    return [line for line in _comparable(with_plugin) if added[line] > 0]


def test_added_lines_ignore_timing_and_count_what_the_plugin_adds() -> None:
    without = [
        "rootdir: /p",
        "plugins: xdist-3.8.0",
        "collected 2 items",
        "",
        "test_trivial.py ..                                   [100%]",
        "============================== 2 passed in 0.01s ===============================",
    ]
    same = [*without[:1], "plugins: archgate-0.1.0, xdist-3.8.0", *without[2:-1]]
    same.append("========================= 2 passed, 1 warning in 0.02s =========================")
    assert _added_lines(same, without) == []
    added = [*without[:-1], "===== archgate =====", "ADR-0001  accepted", without[-1]]
    assert _added_lines(added, without) == ["===== archgate =====", "ADR-0001  accepted"]


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("ini", list(INI))
@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_real_log_never_breaks_a_suite(
    corpora: Path, pytester: pytest.Pytester, name: str, placement: str, ini: str
) -> None:
    _project(pytester.path, corpora / name, placement, INI[ini])
    without = pytester.runpytest(*FAST, "-p", "no:archgate")
    without.assert_outcomes(passed=2)  # the control: the project itself is fine
    result = pytester.runpytest(*FAST)
    shown = "\n".join(result.outlines + result.errlines)
    assert result.ret == pytest.ExitCode.OK, f"{name} at {placement} ({ini}):\n{shown}"
    result.assert_outcomes(passed=2)
    warnings = result.parseoutcomes().get("warnings", 0) - without.parseoutcomes().get(
        "warnings", 0
    )
    added = _added_lines(result.outlines, without.outlines)
    added += [line for line in result.errlines if line.strip()]
    assert warnings + len(added) <= 1, (
        f"{name} at {placement} ({ini}): archgate adds {warnings} warning(s) and "
        f"{len(added)} line(s), at most one in all:\n" + "\n".join(added) + f"\n---\n{shown}"
    )


def _archgate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV}
    return subprocess.run(
        [str(ARCHGATE), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_cli_list_and_lint_run_on_a_real_log(corpora: Path, tmp_path: Path, name: str) -> None:
    placement = "docs/decisions"
    if not ARCHGATE.exists():
        pytest.skip(f"no archgate script next to {sys.executable}")
    _project(tmp_path, corpora / name, placement, INI["plain"])

    listed = _archgate(tmp_path, "list", "--format", "json")  # the folder is found, not named
    assert "Traceback" not in listed.stderr, listed.stderr
    assert listed.returncode == 0, f"archgate list on {name}: {listed.stderr}"
    data = json.loads(listed.stdout)
    assert len(data) == len(EXPECTED[name])
    assert {Path(a["file"]).parent.as_posix() for a in data} == {placement}

    lint = _archgate(tmp_path, "lint")
    assert "Traceback" not in lint.stderr + lint.stdout, lint.stderr
    # lint may report problems (exit 1), but never fails to run (exit 2)
    assert lint.returncode in (0, 1), f"archgate lint on {name}: {lint.returncode}\n{lint.stderr}"
    assert lint.stdout.strip(), "lint says nothing"
