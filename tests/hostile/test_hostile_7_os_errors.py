"""Errors from the operating system reach the user as one line, never a traceback.

Commands that write ADRs translate OS errors themselves (see test_hostile_8_writes.py); this
is the last line of defence for every other command.
"""

from __future__ import annotations

import argparse
import errno

import pytest

from pytest_archgate.cli import main as cli


def test_an_unexpected_os_error_is_one_line_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full_disk(args: argparse.Namespace) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", "out/report.json")

    monkeypatch.setattr(cli, "cmd_list", full_disk)
    assert cli.main(["list"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "archgate list: error: out/report.json: No space left on device; nothing more was done\n"
    )


def test_an_os_error_naming_a_hostile_path_cannot_start_a_workflow_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def denied(args: argparse.Namespace) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", "x\n::error::owned")

    monkeypatch.setattr(cli, "cmd_lint", denied)
    assert cli.main(["lint"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert not any(line.lstrip().startswith("::") for line in err.splitlines())
