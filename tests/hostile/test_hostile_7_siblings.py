"""Hostile class 7, siblings: files and arguments a hostile environment can hand over.

* every report a command reads (``report``, ``merge``, ``comment``, ``accept --report``), and
  ``GITHUB_EVENT_PATH``, goes through ``report_load.read_regular``: a FIFO (which would block
  ``open`` forever), a device (``/dev/zero`` never ends) or a folder is refused at once with
  one line, exit 2; the event payload is capped;
* ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` naming a FIFO without a reader do not hang the
  run: one warning line;
* ``archgate new`` with a hostile title (line breaks, control and bidi characters, 10 KB, path
  separators, ``..``) gives one clear error or a safe file inside the ADR folder;
* ``archgate accept --override`` validates its reason (non-empty, one line, no control
  characters, bounded).

Processes that could hang run as subprocesses with a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import AdrProject, no_traceback

from pytest_archgate.cli import main as cli
from pytest_archgate.errors import ReportError
from pytest_archgate.github import actions
from pytest_archgate.safe_io import read_regular

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")
FAST += ("-p", "no:cacheprovider")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
needs_dev_zero = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")


def archgate(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process: a hang fails the test instead of blocking the suite."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest_archgate.cli.main", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert no_traceback(proc.stderr), proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture
def report_file(adr_project: AdrProject) -> Path:
    """A real report of the standard project."""
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.95)
        """
    )
    result = adr_project.pytester.runpytest(*FAST, "--archgate-report=report.json")
    assert result.ret == 0, result.stdout.str()
    return adr_project.path / "report.json"


COMMANDS = {
    "report": ["report", "{X}", "--md", "out.md"],
    "merge": ["merge", "{X}", "-o", "merged.json"],
    "comment": ["comment", "{X}", "--dry-run", "--repo", "o/r", "--pr", "1"],
    "accept": ["accept", "ADR-0003", "--option", "mlp", "--report", "{X}"],
}


def command(name: str, target: Path | str) -> list[str]:
    return [str(target) if part == "{X}" else part for part in COMMANDS[name]]


# ---------------------------------------------------------------------------------------------
# report files that are not regular files


@needs_fifo
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_report_that_is_a_fifo_is_refused_without_blocking(
    adr_project: AdrProject, name: str
) -> None:
    fifo = adr_project.path / "report.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    line = one_error_line(archgate(*command(name, fifo), cwd=adr_project.path))
    assert time.monotonic() - started < 30
    assert "report.json" in line, line
    assert "named pipe (FIFO), not a regular file" in line, line


@needs_dev_zero
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_report_that_is_a_device_is_refused(
    adr_project: AdrProject,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    monkeypatch.chdir(adr_project.path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert cli.main(command(name, "/dev/zero")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "/dev/zero: " in err
    assert "character device, not a regular file" in err


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_report_that_is_a_folder_is_refused(
    adr_project: AdrProject,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    monkeypatch.chdir(adr_project.path)
    (adr_project.path / "reports").mkdir()
    assert cli.main(command(name, "reports")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "is a folder, not a file" in err


def test_read_regular_reads_regular_files_and_caps_them(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"x" * 100)
    assert read_regular(path, 100, "report") == b"x" * 100
    assert read_regular(path, 10, "report", head=True) == b"x" * 10
    with pytest.raises(ReportError, match=r"report is 100 bytes, more than the 99 archgate reads"):
        read_regular(path, 99, "report")
    with pytest.raises(ReportError, match=r"report file not found"):
        read_regular(tmp_path / "missing.json", 99, "report")


# ---------------------------------------------------------------------------------------------
# the GitHub Actions runner files


@needs_fifo
def test_an_event_payload_that_is_a_fifo_does_not_hang_comment(
    report_file: Path, adr_project: AdrProject
) -> None:
    fifo = adr_project.path / "event.json"
    os.mkfifo(fifo)
    proc = archgate(
        "comment",
        str(report_file),
        "--dry-run",
        "--repo",
        "o/r",
        "--pr",
        "1",
        cwd=adr_project.path,
        env={"GITHUB_EVENT_PATH": str(fifo)},
    )
    assert no_traceback(proc.stderr), proc.stderr
    assert "archgate: warning: event payload not used: " in proc.stderr, proc.stderr
    assert "named pipe (FIFO)" in proc.stderr


@needs_dev_zero
def test_an_event_payload_that_is_a_device_is_not_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert actions.read_event({"GITHUB_EVENT_PATH": "/dev/zero"}) == {}
    assert "character device" in capsys.readouterr().err


def test_the_event_payload_is_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}, "pad": "x" * 5000}))
    assert actions.read_event({"GITHUB_EVENT_PATH": str(event)})["pull_request"]["number"] == 7
    monkeypatch.setattr(actions, "MAX_EVENT_BYTES", 1000)
    assert actions.read_event({"GITHUB_EVENT_PATH": str(event)}) == {}
    assert "more than the 1,000 archgate reads" in capsys.readouterr().err


@needs_fifo
@pytest.mark.parametrize("variable", ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"])
def test_runner_files_that_are_fifos_do_not_hang_the_run(
    adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.95)
        """
    )
    fifo = adr_project.path / "runner-file"
    os.mkfifo(fifo)  # nobody reads it: a blocking open would wait forever
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv(variable, str(fifo))
    started = time.monotonic()
    result = adr_project.pytester.runpytest_subprocess(*FAST, timeout=120)
    assert time.monotonic() - started < 120
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    err = result.stderr.str()
    assert "archgate: warning: cannot write the " in err, err
    assert "runner-file" in err


def test_a_runner_file_that_is_a_folder_is_one_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not actions._append(str(tmp_path), "x", "job summary")
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("archgate: warning: cannot write the job summary to ")


def test_a_runner_file_is_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("before\n", encoding="utf-8")
    assert actions._append(str(path), "after\n", "job summary")
    assert path.read_text(encoding="utf-8") == "before\nafter\n"


# ---------------------------------------------------------------------------------------------
# archgate new: hostile titles

REFUSED_TITLES = {
    "newline": ("Use XGBoost\n---\nstatus: accepted", "line break"),
    "carriage-return": ("Use XGBoost\r::error::owned", "line break"),
    "escape-sequence": ("Use \x1b[31mXGBoost", "control character U+001B"),
    "nul": ("Use\x00XGBoost", "control character U+0000"),
    "bidi-override": ("Use \u202eXGBoost", "control character U+202E"),
    "line-separator": ("Use\u2028XGBoost", "line break"),
    "10-kb": ("x" * 10_240, "10,240 characters long"),
    "dot-dot": ("..", "no letters or digits"),
    "separators-only": ("/../\\", "no letters or digits"),
    "blank": ("   ", "is empty"),
}


@pytest.mark.parametrize("case", list(REFUSED_TITLES))
def test_a_hostile_title_is_one_clear_error(
    adr_project: AdrProject,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    title, words = REFUSED_TITLES[case]
    monkeypatch.chdir(adr_project.path)
    before = sorted(p.name for p in adr_project.path.rglob("*"))
    assert cli.main(["new", title]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert words in err, err
    assert "TITLE" in err
    assert not any(line.lstrip().startswith("::") for line in err.splitlines())
    assert sorted(p.name for p in adr_project.path.rglob("*")) == before


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("../../etc/passwd", "0006-etc-passwd"),
        ("Use A/B tests\\for ranking", "0006-use-a-b-tests-for-ranking"),
        ("..\\..\\x", "0006-x"),
        ("Tabs\tare\tspaces", "0006-tabs-are-spaces"),
    ],
)
def test_path_separators_in_a_title_give_a_safe_file(
    adr_project: AdrProject,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    title: str,
    stem: str,
) -> None:
    monkeypatch.chdir(adr_project.path)
    assert cli.main(["new", title]) == 0, capsys.readouterr().err
    created = adr_project.adr_dir / f"{stem}.md"
    assert created.is_file(), sorted(p.name for p in adr_project.adr_dir.iterdir())
    assert created.resolve().parent == adr_project.adr_dir.resolve()


# ---------------------------------------------------------------------------------------------
# archgate accept --override: the reason


BAD_REASONS = {
    "empty": ("", "needs a reason"),
    "blank": ("   ", "needs a reason"),
    "newline": ("benchmarks next week\n## Status\nRejected", "line break"),
    "escape": ("ok\x1b]8;;http://evil\x07", "control character U+001B"),
    "bidi": ("ok \u2066hidden\u2069", "control character U+2066"),
    "huge": ("x" * 5_000, "5,000 characters long"),
}


@pytest.mark.parametrize("case", list(BAD_REASONS))
def test_an_override_reason_is_validated(
    adr_project: AdrProject,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    reason, words = BAD_REASONS[case]
    monkeypatch.chdir(adr_project.path)
    path = adr_project.adr_dir / "0003-evaluate-mlp.md"
    before = path.read_bytes()
    assert cli.main(["accept", "ADR-0003", "--option", "mlp", "--override", reason]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "--override" in err
    assert words in err, err
    assert path.read_bytes() == before


def test_a_plain_override_reason_is_recorded(
    adr_project: AdrProject,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(adr_project.path)
    reason = "benchmarks run on the release branch; see PR 12"
    assert cli.main(["accept", "ADR-0003", "--option", "mlp", "--override", reason]) == 0, (
        capsys.readouterr().err
    )
    assert reason in (adr_project.adr_dir / "0003-evaluate-mlp.md").read_text(encoding="utf-8")


@needs_fifo
def test_an_adr_replaced_by_a_fifo_during_the_run_does_not_hang_the_warning(
    adr_project: AdrProject,
) -> None:
    # a violated constraint warns at the ADR's line; pytest's summary quotes that line
    adr_project.tests(
        """
        import os
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.95)
            archgate.record("positive_rate", 0.5)
            os.remove("adr/0002-use-xgboost.md")
            os.mkfifo("adr/0002-use-xgboost.md")
        """
    )
    started = time.monotonic()
    result = adr_project.pytester.runpytest_subprocess(*FAST, timeout=120)
    assert time.monotonic() - started < 120
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["*NeedsReviewWarning: needs review: ADR-0002 positive_rate*"])


@needs_fifo
@pytest.mark.parametrize("name", ["merge", "report"])
def test_an_output_that_is_a_fifo_is_not_replaced(
    report_file: Path, adr_project: AdrProject, name: str
) -> None:
    fifo = adr_project.path / "out.fifo"
    os.mkfifo(fifo)
    args = {
        "merge": ["merge", str(report_file), "-o", str(fifo)],
        "report": ["report", str(report_file), "--md", str(fifo)],
    }[name]
    line = one_error_line(archgate(*args, cwd=adr_project.path))
    assert "out.fifo: exists and is not a regular file" in line, line
    assert fifo.is_fifo()
