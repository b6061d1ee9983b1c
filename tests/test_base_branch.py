"""Base-branch comparisons, black-box: a real git repository with a main and a feature branch,
a report written on each by running pytest there, the feature run given main's report."""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

ADR = """---
status: accepted
archgate:
  decision: gbt
  options: [gbt]
  acceptance:
    roc_auc: ">= 0.6"
    auc_vs_main: {{metric: roc_auc, vs: "@base", min: {margin}, confidence: 0.95}}
---
# Use gradient-boosted trees
"""

TESTS = """
import numpy as np
import pytest

import model

rng = np.random.default_rng(0)
y = (rng.random(4000) < 0.3).astype(float)
score = rng.normal(size=4000) + model.STRENGTH * y


@pytest.mark.archgate("ADR-0001")
def test_gbt(archgate):
    archgate.evaluate(y[: model.ROWS], score[: model.ROWS], ["roc_auc"])
"""


def git(path: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(path)}
    out = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=path,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return out.stdout.strip()


def write_project(path: Path, *, strength: float, rows: int = 4000, margin: str = "-0.01") -> None:
    (path / "adr").mkdir(exist_ok=True)
    (path / "adr" / "0001-gbt.md").write_text(ADR.format(margin=margin))
    (path / "model.py").write_text(f"STRENGTH = {strength}\nROWS = {rows}\n")
    (path / "test_models.py").write_text(TESTS)
    (path / ".gitignore").write_text("reports/\n*.json\n*.rows/\n__pycache__/\n")


@pytest.fixture
def repo(pytester: pytest.Pytester) -> Path:
    """main with a committed project and the report of a pytest run on it in reports/."""
    path = pytester.path
    git(path, "init", "-q", "-b", "main")
    write_project(path, strength=1.5)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "main")
    result = pytester.runpytest_subprocess("--archgate-report=reports/main.json")
    result.assert_outcomes(passed=1)
    return path


def feature(pytester: pytest.Pytester, *args: str, **project: object) -> pytest.RunResult:
    path = pytester.path
    git(path, "checkout", "-q", "-b", "feature")
    write_project(path, **project)  # type: ignore[arg-type]
    git(path, "commit", "-q", "--allow-empty", "-am", "feature")
    return pytester.runpytest_subprocess(
        "--archgate-report=pr.json", "--archgate-base-report=reports/main.json", *args
    )


def criterion(path: Path, name: str = "auc_vs_main") -> dict:
    report = json.loads((path / "pr.json").read_text())
    return next(c for c in report["adrs"][0]["criteria"] if c["name"] == name)


def test_main_keeps_its_rows_beside_the_report(repo: Path) -> None:
    report = json.loads((repo / "reports" / "main.json").read_text())
    (m,) = report["measurements"]
    rows = m["rows"]
    assert (repo / "reports" / "main.json.rows" / rows["file"]).stat().st_size == rows["bytes"]
    # without a base report the base criterion is unmeasured, never passed
    main = next(c for c in report["adrs"][0]["criteria"] if c["name"] == "auc_vs_main")
    assert main["verdict"] == "unmeasured"
    assert "no base report" in main["reason"]
    assert report["adrs"][0]["verdict"] == "unmeasured"


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_regression_beyond_the_margin_fails_the_build(
    repo: Path, pytester: pytest.Pytester, xdist: list[str]
) -> None:
    result = feature(pytester, *xdist, strength=1.2)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*compared with the base branch:*",
            "*ADR-0001*auc_vs_main*paired DeLong*fail*",
            "FAILED (session) ADR-0001 auc_vs_main*violates >= -0.01 vs @base (conf. 0.95)*",
        ]
    )
    c = criterion(repo)
    assert c["verdict"] == "fail"
    base = c["base"]
    assert base["paired"] is True
    assert base["test"] == "paired DeLong"
    assert base["pr_value"] - base["base_value"] == pytest.approx(c["value"])
    assert c["value"] < -0.01
    assert base["stale"] == []
    assert base["flags"] == []
    assert base["commit"] == git(repo, "rev-parse", "main")


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_within_the_margin_passes(repo: Path, pytester: pytest.Pytester, xdist: list[str]) -> None:
    result = feature(pytester, *xdist, strength=1.49)
    assert result.ret == 0, result.stdout.str()
    c = criterion(repo)
    assert c["verdict"] == "pass"
    assert -0.01 < c["value"] < 0
    report = json.loads((repo / "pr.json").read_text())
    assert report["base_report"]["paired_rows"] is True
    assert report["base_report"]["file"] == "main.json"


def test_the_pr_comment_shows_the_comparison(repo: Path, pytester: pytest.Pytester) -> None:
    feature(pytester, strength=1.2)
    out = subprocess.run(
        [sys.executable, "-m", "pytest_archgate.cli.main", "comment", "pr.json", "--dry-run"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": ""},
    )
    body = out.stdout
    assert "### Compared with the base branch" in body, out.stderr
    section = body.split("### Compared with the base branch", 1)[1]
    row = next(line for line in section.splitlines() if "auc\\_vs\\_main" in line)
    assert "paired DeLong" in row
    assert "FAIL" in row
    assert "Base report main.json (commit " in body


def test_other_rows_are_stale_and_unmeasured(repo: Path, pytester: pytest.Pytester) -> None:
    result = feature(pytester, strength=1.5, rows=3000)
    assert result.ret == 0  # unmeasured, not strict: never a pass, not a failure
    c = criterion(repo)
    assert c["verdict"] == "unmeasured"
    assert c["reason"].startswith("stale baseline: measured on other data")
    assert json.loads((repo / "pr.json").read_text())["adrs"][0]["verdict"] == "unmeasured"


def test_stale_is_a_failure_under_strict(repo: Path, pytester: pytest.Pytester) -> None:
    result = feature(pytester, "--archgate-strict", strength=1.5, rows=3000)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["FAILED (--archgate-strict) unmeasured: ADR-0001 auc_vs_main*stale baseline*"]
    )


def test_changed_definition_is_stale(repo: Path, pytester: pytest.Pytester) -> None:
    feature(pytester, strength=1.2, margin="-0.1")
    c = criterion(repo)
    assert c["verdict"] == "unmeasured"
    assert "criteria changed since the base report" in c["reason"]


def test_an_old_base_report_is_stale(repo: Path, pytester: pytest.Pytester) -> None:
    path = repo / "reports" / "main.json"
    data = json.loads(path.read_text())
    old = _dt.datetime.now(_dt.UTC) - _dt.timedelta(days=3)
    data["generated_at"] = old.isoformat(timespec="seconds")
    path.write_text(json.dumps(data))
    result = feature(pytester, "--archgate-base-max-age=2d", strength=1.2)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["note: base report main.json: *days old*"])
    c = criterion(repo)
    assert c["verdict"] == "unmeasured"
    assert "older than archgate_base_max_age (2 days)" in c["reason"]
    # the same report within the default age (30 days) is used
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "-q", "-D", "feature")
    assert feature(pytester, strength=1.2).ret == 1


def test_a_base_report_not_at_the_merge_base_is_flagged(
    repo: Path, pytester: pytest.Pytester
) -> None:
    git(repo, "checkout", "-q", "-b", "side")
    fork = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("later\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "main moves on")
    assert pytester.runpytest_subprocess("--archgate-report=reports/main.json").ret == 1 - 1
    git(repo, "checkout", "-q", "side")
    result = pytester.runpytest_subprocess(
        "--archgate-report=pr.json", "--archgate-base-report=reports/main.json"
    )
    assert result.ret == 0
    c = criterion(repo)
    assert c["verdict"] == "pass"  # flagged, still used
    assert c["base"]["flags"] == [
        f"the base report's commit {git(repo, 'rev-parse', 'main')[:12]} is not the merge base "
        f"{fork[:12]}"
    ]
    result.stdout.fnmatch_lines(["note: base report main.json: *is not the merge base*"])


def test_missing_rows_compare_unpaired(repo: Path, pytester: pytest.Pytester) -> None:
    shutil.rmtree(repo / "reports" / "main.json.rows")
    result = feature(pytester, strength=1.2)
    assert result.ret == 1
    c = criterion(repo)
    assert c["base"]["paired"] is False
    assert c["base"]["test"].startswith("unpaired MOVER")
    assert any("rows file(s) named by the base report are missing" in f for f in c["base"]["flags"])


def _hostile(repo: Path, edit: object) -> None:
    path = repo / "reports" / "main.json"
    data = json.loads(path.read_text())
    text = edit(data) if callable(edit) else None
    path.write_text(text if isinstance(text, str) else json.dumps(data))


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: json.dumps(d).replace('"value": 0', '"value": NaN', 1), "NaN"),
        (lambda d: d["measurements"][0].update(estimate="high"), "measurements[0].estimate"),
        (lambda d: d.update(version=99), "newer than this archgate"),
        (lambda d: d["measurements"][0]["rows"].update(sha256="0" * 64), "does not match"),
        (lambda d: d["measurements"][0]["rows"].update(file="../../x.npz"), "<sha256>.npz"),
        (lambda d: "[" * 100_000, "nested deeper"),
    ],
    ids=["nan", "wrong-type", "version", "tampered-rows", "rows-path", "deep"],
)
def test_a_hostile_base_report_is_a_one_line_error(
    repo: Path, pytester: pytest.Pytester, edit: object, words: str
) -> None:
    _hostile(repo, edit)
    result = feature(pytester, strength=1.5)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "Traceback" not in err + result.stdout.str()
    line = next(x for x in err.splitlines() if "archgate: base report" in x)
    assert "--archgate-base-report" in line
    assert words in line
    assert not (repo / "pr.json").exists()


def test_a_huge_base_report_is_refused(repo: Path, pytester: pytest.Pytester) -> None:
    with (repo / "reports" / "main.json").open("r+b") as f:
        f.truncate(65 * 1024 * 1024)  # sparse: no 65 MiB written
    result = feature(pytester, strength=1.5)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "Traceback" not in result.stderr.str()
    assert "archgate: base report" in result.stderr.str()


def test_base_settings_come_from_env_and_ini(repo: Path, pytester: pytest.Pytester) -> None:
    (repo / "pytest.ini").write_text(
        "[pytest]\narchgate_base_report = reports/main.json\narchgate_base_max_age = 1m\n"
    )
    data = json.loads((repo / "reports" / "main.json").read_text())
    data["generated_at"] = "2020-01-01T00:00:00+00:00"
    (repo / "reports" / "main.json").write_text(json.dumps(data))
    pytester.runpytest_subprocess("--archgate-report=pr.json")
    assert "older than archgate_base_max_age" in criterion(repo)["reason"]
    os.environ["ARCHGATE_BASE_MAX_AGE"] = "bad"
    try:
        result = pytester.runpytest_subprocess("--archgate-report=pr.json")
    finally:
        del os.environ["ARCHGATE_BASE_MAX_AGE"]
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "ARCHGATE_BASE_MAX_AGE: 'bad' is not an age" in result.stderr.str()
