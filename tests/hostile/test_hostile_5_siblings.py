"""Hostile class 5, siblings: the messages added for the class 1, 2, 6 and 7 siblings cannot
start a GitHub Actions workflow command either.

Each carries text a pull request controls: an exception message or a thread name from a test,
two status lines of an ADR, a report path or an ADR folder named with a line break, a
hostile ``archgate new`` title. No stdout or stderr line may start with ``::`` (after leading
whitespace) or hold ``##[``.
"""

from __future__ import annotations

import re
import sys

import pytest
from conftest import AdrProject

from pytest_archgate.cli import main as cli

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")
FAST += ("-p", "no:cacheprovider")
NASTY = "\n::error::owned \r::stop-commands::x ##[error]z"
needs_posix_names = pytest.mark.skipif(
    sys.platform == "win32", reason="file names with line breaks"
)


def assert_no_command(text: str) -> None:
    for line in re.split(r"\r\n|\r|\n", text):
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line


def test_a_thread_error_message_cannot_start_a_command(adr_project: AdrProject) -> None:
    adr_project.tests(
        f"""
        import threading
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            def work():
                raise RuntimeError({NASTY!r})
            t = threading.Thread(target=work, name={NASTY!r})
            t.start()
            t.join()
        """
    )
    result = adr_project.pytester.runpytest(
        *FAST, "-W", "ignore::pytest.PytestUnhandledThreadExceptionWarning"
    )
    assert result.ret == 1
    out = result.stdout.str() + result.stderr.str()
    assert "ERROR test_models.py::test_xgboost: unhandled RuntimeError in thread" in out
    assert_no_command(out)


def test_two_status_lines_cannot_start_a_command(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    (pytester.path / "adr" / "0001-pick-a.md").write_text(
        "---\nstatus: accepted\narchgate:\n  decision: a\n  acceptance:\n"
        '    accuracy: ">= 0.5"\n---\n# Pick a\n\n## Status\n\n'
        "Rejected ::error::owned ##[error]z\n",
        encoding="utf-8",
    )
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest(*FAST)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "two statuses that disagree" in err
    assert_no_command(result.stdout.str() + err)


@needs_posix_names
def test_a_report_folder_named_with_a_line_break_cannot_start_a_command(
    adr_project: AdrProject,
) -> None:
    folder = adr_project.path / "out\n::error::owned"
    folder.mkdir()
    adr_project.tests("def test_x():\n    pass\n")
    result = adr_project.pytester.runpytest(*FAST, "--archgate-report", str(folder))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "is a folder" in result.stderr.str()
    assert_no_command(result.stdout.str() + result.stderr.str())


@needs_posix_names
def test_an_adr_folder_setting_naming_a_file_cannot_start_a_command(
    adr_project: AdrProject, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "decisions\n::error::owned"
    (adr_project.path / name).write_text("x", encoding="utf-8")
    adr_project.tests("def test_x():\n    pass\n")
    result = adr_project.pytester.runpytest(*FAST, "--archgate-adr-dir", name)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "is not a folder" in result.stderr.str()
    assert_no_command(result.stdout.str() + result.stderr.str())
    monkeypatch.chdir(adr_project.path)
    assert cli.main(["lint", "--adr-dir", name]) == 2
    captured = capsys.readouterr()
    assert "is not a folder" in captured.err
    assert_no_command(captured.out + captured.err)


@needs_posix_names
def test_an_unreadable_adr_named_with_a_line_break_cannot_start_a_command(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\n")
    folder = pytester.path / "adr"
    folder.mkdir()
    (folder / "0001-x\n::error::owned.md").write_bytes(b"\xff\xfe" + "# x\n".encode("utf-16-le"))
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest(*FAST)
    out = result.stdout.str() + result.stderr.str()
    assert "UTF-16" in out or "could not be read" in out, out
    assert_no_command(out)


@pytest.mark.parametrize(
    "title", [f"Use XGBoost{NASTY}", "::error::owned", "##[error]z title", "\r::warning::x"]
)
def test_a_hostile_title_cannot_start_a_command(
    adr_project: AdrProject,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    title: str,
) -> None:
    monkeypatch.chdir(adr_project.path)
    cli.main(["new", title])
    captured = capsys.readouterr()
    assert_no_command(captured.out + captured.err)
