"""Hostile class 2, siblings: settings that point somewhere they cannot work.

* the ADR folder setting (command line, ``ARCHGATE_ADR_DIR``, ini key, the CLI's ``--adr-dir``)
  naming a regular file: a usage error "is not a folder", never a run without gating;
* ``--archgate-report`` naming an existing folder, a path under a regular file, or a folder
  without write permission: a usage error (exit 4) before any test runs, naming the path and
  the setting; a write that fails at the end of the run (the folder was replaced by a file
  meanwhile): one ERROR line, exit 1, no traceback and no half-written report.
"""

from __future__ import annotations

import os

import pytest
from conftest import AdrProject, no_traceback

from pytest_archgate.cli import main as cli

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")
FAST += ("-p", "no:cacheprovider")
PASSING = """
    import pytest

    @pytest.mark.archgate("ADR-0002")
    def test_xgboost(archgate):
        archgate.record("roc_auc", 0.95)
    """


def usage_error(result: pytest.RunResult) -> str:
    """The one ``ERROR:`` line of a usage error (exit 4, no test ran, no traceback)."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str() + result.stderr.str()
    err = result.stderr.str()
    assert no_traceback(err), err
    lines = [line for line in err.splitlines() if line.startswith("ERROR:")]
    assert len(lines) == 1, err
    return lines[0]


# ---------------------------------------------------------------------------------------------
# the ADR folder is a file


@pytest.mark.parametrize("how", ["command line", "environment", "ini"])
def test_an_adr_folder_setting_naming_a_file_is_not_a_folder(
    adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    (adr_project.path / "decisions.md").write_text("# not a folder\n", encoding="utf-8")
    adr_project.tests(PASSING)
    args: tuple[str, ...] = ()
    if how == "command line":
        args = ("--archgate-adr-dir", "decisions.md")
        source = "--archgate-adr-dir"
    elif how == "environment":
        monkeypatch.setenv("ARCHGATE_ADR_DIR", "decisions.md")
        source = "ARCHGATE_ADR_DIR"
    else:
        adr_project.pytester.makeini("[pytest]\narchgate_adr_dir = decisions.md\n")
        source = "ini key archgate_adr_dir"
    line = usage_error(adr_project.pytester.runpytest(*FAST, *args))
    assert "decisions.md is not a folder" in line, line
    assert f"(set by {source}" in line, line


def test_the_cli_adr_dir_naming_a_file_is_not_a_folder(
    adr_project: AdrProject,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(adr_project.path)
    (adr_project.path / "decisions.md").write_text("# not a folder\n", encoding="utf-8")
    for command in (["list"], ["lint"], ["accept", "ADR-0003", "--override", "x"]):
        assert cli.main([*command, "--adr-dir", "decisions.md"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert "decisions.md is not a folder" in err, err


# ---------------------------------------------------------------------------------------------
# the report path


def test_a_report_path_that_is_a_folder_is_a_usage_error(adr_project: AdrProject) -> None:
    (adr_project.path / "out").mkdir()
    adr_project.tests(PASSING)
    line = usage_error(adr_project.pytester.runpytest(*FAST, "--archgate-report", "out"))
    assert line.startswith("ERROR: archgate: report "), line
    assert "out is a folder" in line
    assert "(set by --archgate-report)" in line
    assert not list((adr_project.path / "out").iterdir())


def test_a_report_path_under_a_file_is_a_usage_error(
    adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    (adr_project.path / "build").write_text("a file, not a folder\n", encoding="utf-8")
    adr_project.tests(PASSING)
    monkeypatch.setenv("ARCHGATE_REPORT", "build/reports/archgate.json")
    line = usage_error(adr_project.pytester.runpytest(*FAST))
    assert "build/reports/archgate.json cannot be written: " in line, line
    assert "build is not a folder (set by ARCHGATE_REPORT)" in line, line


def test_a_report_path_from_the_ini_that_is_a_folder_names_the_ini_key(
    adr_project: AdrProject,
) -> None:
    (adr_project.path / "out").mkdir()
    adr_project.pytester.makeini("[pytest]\narchgate_report = out\n")
    adr_project.tests(PASSING)
    line = usage_error(adr_project.pytester.runpytest(*FAST))
    assert "(set by ini key archgate_report)" in line, line


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere"
)
def test_a_report_folder_without_write_permission_is_a_usage_error(
    adr_project: AdrProject,
) -> None:
    locked = adr_project.path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        adr_project.tests(PASSING)
        line = usage_error(
            adr_project.pytester.runpytest(*FAST, "--archgate-report", "locked/r.json")
        )
        assert "no permission to write in" in line, line
    finally:
        locked.chmod(0o700)


def test_missing_parent_folders_are_still_created(adr_project: AdrProject) -> None:
    adr_project.tests(PASSING)
    result = adr_project.pytester.runpytest(*FAST, "--archgate-report", "a/b/r.json")
    assert result.ret == 0, result.stdout.str()
    assert adr_project.report("a/b/r.json")["summary"]


@pytest.mark.parametrize("subprocess", [False, True], ids=["inline", "subprocess"])
def test_a_report_that_cannot_be_written_at_the_end_is_one_error_line(
    adr_project: AdrProject, subprocess: bool
) -> None:
    # the folder is fine when pytest starts, and a file by the time the report is written
    adr_project.tests(
        PASSING
        + """
    def test_zz_breaks_the_folder():
        import shutil
        shutil.rmtree("out")
        with open("out", "w") as fh:
            fh.write("now a file")
    """
    )
    (adr_project.path / "out").mkdir()
    args = (*FAST, "-p", "no:randomly", "--archgate-report", "out/r.json")
    pytester = adr_project.pytester
    result = pytester.runpytest_subprocess(*args) if subprocess else pytester.runpytest(*args)
    assert result.ret == 1, result.stdout.str()
    out = result.stdout.str() + result.stderr.str()
    assert no_traceback(out), out
    errors = [line for line in result.outlines if line.startswith("ERROR cannot write")]
    assert len(errors) == 1, out
    assert "out/r.json" in errors[0]
    assert errors[0].endswith("; no report was written")
    assert "archgate report: out/r.json" not in out
    assert (adr_project.path / "out").read_text(encoding="utf-8") == "now a file"


def test_a_report_path_naming_an_adr_file_is_a_usage_error(adr_project: AdrProject) -> None:
    adr = adr_project.adr_dir / "0002-use-xgboost.md"
    before = adr.read_bytes()
    adr_project.tests(PASSING)
    line = usage_error(
        adr_project.pytester.runpytest(*FAST, "--archgate-report", "adr/0002-use-xgboost.md")
    )
    assert "is the ADR file of ADR-0002" in line, line
    assert adr.read_bytes() == before
