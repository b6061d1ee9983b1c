"""``archgate comment`` computes the criteria diff itself inside a git checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pytest_archgate.cli import main as cli

ADR = """---
status: accepted
archgate:
  decision: a
  acceptance:
    roc_auc: ">= {bound}"
---
# Pick a
"""

REPORT = """{{"schema": "pytest-archgate/report", "version": 1, "summary": {{}}, "adrs": [],
"measurements": []}}"""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "adr").mkdir()
    (tmp_path / "adr" / "0001-pick-a.md").write_text(ADR.format(bound="0.90"))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    (tmp_path / "adr" / "0001-pick-a.md").write_text(ADR.format(bound="0.80"))
    (tmp_path / "report.json").write_text(REPORT.format())
    monkeypatch.chdir(tmp_path)
    for var in ("GITHUB_BASE_REF", "GITHUB_ACTIONS", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def test_diff_base_adds_the_changed_criteria(repo: Path, capsys: pytest.CaptureFixture[str]):
    rc = cli.main(["comment", "report.json", "--dry-run", "--diff-base", "main"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "loosened" in out
    assert "| ADR-0001 |" in out
    assert "roc\\_auc" in out  # escaped for Markdown


def test_bad_explicit_diff_base_is_an_error(repo: Path, capsys: pytest.CaptureFixture[str]):
    rc = cli.main(["comment", "report.json", "--dry-run", "--diff-base", "no-such-ref"])
    assert rc == 2
    assert "Traceback" not in capsys.readouterr().err


def test_pull_request_base_ref_missing_only_warns(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GITHUB_BASE_REF", "main")  # origin/main does not exist here
    rc = cli.main(["comment", "report.json", "--dry-run"])
    captured = capsys.readouterr()
    assert rc == 0
    assert "criteria diff against origin/main skipped" in captured.err + captured.out
