"""The composite action's ``history-path`` input, run offline.

The comment step of ``action.yml`` is a bash script; it is run here as the runner would run it
(inputs only through environment variables), with a stand-in ``archgate`` first on ``PATH`` that
records the arguments it was given.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _comment_step() -> dict[str, object]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    (step,) = [s for s in action["runs"]["steps"] if s["name"] == "Post the ADR status comment"]
    return step


def _run_step(tmp_path: Path, history: str) -> tuple[list[str], str]:
    step = _comment_step()
    env_names = step["env"]
    assert isinstance(env_names, dict)
    assert env_names["ARCHGATE_HISTORY_PATH"] == "${{ inputs.history-path }}"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "args.txt"
    stub = bin_dir / "archgate"
    stub.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > {record}\n')
    stub.chmod(0o755)
    (tmp_path / "report.json").write_text("{}")
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "ARCHGATE_REPORT_PATH": "report.json",
        "ARCHGATE_COMMENT_KEY": "default",
        "ARCHGATE_BASE_REPORT": "",
        "ARCHGATE_HISTORY_PATH": history,
    }
    script = step["run"]
    assert isinstance(script, str)
    out = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return record.read_text().splitlines(), out.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="the step is a bash script")
def test_history_path_is_passed_only_when_given(tmp_path: Path) -> None:
    args, _ = _run_step(tmp_path, "")
    assert "--history" not in args
    (tmp_path / "past").mkdir()
    args, _ = _run_step(tmp_path, "past")
    assert args[-2:] == ["--history", "past"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="the step is a bash script")
def test_a_missing_history_path_warns_and_still_comments(tmp_path: Path) -> None:
    args, out = _run_step(tmp_path, "nowhere")
    assert "--history" not in args
    assert args[:2] == ["comment", "report.json"]
    assert "::warning title=archgate::no reports of past runs" in out


@pytest.mark.skipif(shutil.which("bash") is None, reason="the step is a bash script")
def test_a_hostile_history_path_is_data_not_code(tmp_path: Path) -> None:
    hostile = "$(touch pwned) ; touch pwned2 `touch pwned3`"
    (tmp_path / hostile).mkdir()
    args, _ = _run_step(tmp_path, hostile)
    assert args[-2:] == ["--history", hostile]
    assert not any((tmp_path / f).exists() for f in ("pwned", "pwned2", "pwned3"))
