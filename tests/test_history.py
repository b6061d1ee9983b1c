"""``archgate history`` and the ``--history`` option of ``report`` and ``comment``, black-box.

The series come from real pytest runs of a ``pytester`` project committed to a real git
repository (one report per commit, as CI writes them), or from small reports written here and
checked by the one loader. Hostile inputs (NaN, wrong types, non-JSON, link loops, a huge
folder) must end in a warning line or a one-line error, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import no_traceback

from pytest_archgate.cli.main import main
from pytest_archgate.report.history import MAX_FILES, sparkline
from pytest_archgate.report.load import check_report

ADR = """\
---
status: accepted
date: 2026-01-01
archgate:
  decision: model
  acceptance:
    accuracy: ">= {bound}"
---
# Serve the model
"""

TESTS = """\
import os

import pytest


@pytest.mark.archgate("ADR-0001")
def test_accuracy(archgate):
    value = float(os.environ["ACC"])
    archgate.record("accuracy", value, ci=(value - 0.01, value + 0.01), n=1000)
"""


def _git(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()  # what in-process pytest runs printed before
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _pytest_run(project: Path, report: Path, acc: str, *extra: str) -> None:
    """One real pytest run of ``project`` in its own process, as CI runs it."""
    env = {**os.environ, "ACC": acc}
    env.pop("PYTEST_ADDOPTS", None)
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", f"--archgate-report={report}", *extra],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.fixture(scope="module")
def series_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Six commits of a project in a real git repository, each run with ``--archgate-report``
    (the fourth under xdist); the accuracy moves from 0.90 to 0.95 at the fourth commit (index
    3), and the reports lie in ``reports/``. Built once; each test works on a copy."""
    project = tmp_path_factory.mktemp("series") / "project"
    (project / "adr").mkdir(parents=True)
    (project / "pytest.ini").write_text("[pytest]\n")
    (project / "adr" / "0001-model.md").write_text(ADR.format(bound="0.8"))
    (project / "test_model.py").write_text(TESTS)
    (project / ".gitignore").write_text("reports/\n")
    reports = project / "reports"
    reports.mkdir()
    _git(project, "init", "-q", "-b", "main")
    commits = []
    for i, acc in enumerate(["0.90", "0.901", "0.899", "0.95", "0.951", "0.949"]):
        (project / "version.txt").write_text(str(i))
        _git(project, "add", "-A")
        _git(project, "commit", "-q", "-m", f"change {i}")
        commits.append(_git(project, "rev-parse", "HEAD"))
        # one run under xdist: its report (written by the controller) lines up like the others
        xdist = ["-p", "xdist", "-n", "2"] if i == 3 else []
        _pytest_run(project, reports / f"run-{i}.json", acc, *xdist)
    return project, commits


@pytest.fixture
def series(
    series_repo: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, list[str]]:
    """A copy of :func:`series_repo` (the current folder is the copy): its reports folder and
    the commits."""
    project = tmp_path / "project"
    shutil.copytree(series_repo[0], project, symlinks=True)
    monkeypatch.chdir(project)
    return project / "reports", series_repo[1]


def test_history_of_real_runs_points_at_the_commit_that_moved(
    series: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    reports, commits = series
    rc, out, err = _run(capsys, "history", str(reports), "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert [r["commit"] for r in data["runs"]] == commits
    (c,) = data["criteria"]
    assert (c["adr"], c["name"], c["option"]) == ("ADR-0001", "accuracy", "model")
    assert [p["value"] for p in c["points"]] == [0.9, 0.901, 0.899, 0.95, 0.951, 0.949]
    assert c["points"][0]["ci"] == pytest.approx([0.89, 0.91])
    assert c["noise"] == "intervals"
    (step,) = c["steps"]
    assert step["commit"] == commits[3]
    assert step["change"] == pytest.approx(0.05, abs=1e-3)
    assert step["ci"][0] > 0.03
    assert step["better"] is True

    rc, out, err = _run(capsys, "history", str(reports))
    assert rc == 0
    assert "step: ADR-0001 accuracy [model]: +0.05 [" in out
    assert f"at {commits[3][:7]} (better)" in out
    assert "6 run(s)" in out


def test_history_in_git_order_follows_the_commits_not_the_clock(
    series: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    reports, commits = series
    # a re-run of the first commit, written last: by time it would be the latest run
    first = json.loads((reports / "run-0.json").read_text())
    first["generated_at"] = "2099-01-01T00:00:00+00:00"
    (reports / "rerun-0.json").write_text(json.dumps(first))
    rc, out, _ = _run(capsys, "history", str(reports), "--json")
    assert json.loads(out)["runs"][-1]["commit"] == commits[0]
    rc, out, err = _run(capsys, "history", str(reports), "--json", "--order", "git")
    assert rc == 0, err
    runs = json.loads(out)["runs"]
    assert [r["commit"] for r in runs] == [commits[0], *commits]
    # a report of a commit outside the history is skipped, with a warning
    other = dict(first, commit="f" * 40, generated_at="2098-01-01T00:00:00+00:00")
    (reports / "other.json").write_text(json.dumps(other))
    rc, out, err = _run(capsys, "history", str(reports), "--order", "git")
    assert rc == 0
    assert "other.json: its commit is not in the git history given; skipped" in err

    rc, _, err = _run(capsys, "history", str(reports), "--order", "git", "--git-rev", "nope")
    assert rc == 2
    assert err.startswith("archgate history: error: git rev-list nope failed")
    assert len(err.strip().splitlines()) == 1


def test_a_changed_definition_splits_the_series(
    series: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    reports, _ = series
    project = reports.parent
    # the bound changes, and the value drops at the same commit: no step is claimed across
    (project / "adr" / "0001-model.md").write_text(ADR.format(bound="0.85"))
    for i, acc in enumerate(["0.90", "0.901"]):
        _pytest_run(project, reports / f"run-9{i}.json", acc)
    rc, out, _ = _run(capsys, "history", str(reports), "--json")
    assert rc == 0
    parts = json.loads(out)["criteria"]
    assert [(c["definition"], c["bound"], len(c["points"])) for c in parts] == [
        (1, ">= 0.8", 6),
        (2, ">= 0.85", 2),
    ]
    assert [len(c["steps"]) for c in parts] == [1, 0]
    _rc, out, _ = _run(capsys, "history", str(reports))
    assert "accuracy (definition 2)" in out


# --------------------------------------------------------------------------- crafted reports


def report(
    i: int,
    value: float | None,
    *,
    half: float | None = 0.01,
    adr: str = "ADR-0001",
    name: str = "accuracy",
    option: str = "model",
    title: str = "Serve the model",
    bound: str = ">= 0.8",
) -> dict[str, Any]:
    """A small report of run ``i`` (one day apart), checked by the loader."""
    ci = [value - half, value + half] if value is not None and half is not None else None
    data: dict[str, Any] = {
        "schema": "pytest-archgate/report",
        "version": 1,
        "generated_at": f"2026-11-{i + 1:02d}T12:00:00+00:00",
        "commit": f"{i:07x}" + "0" * 33,
        "adrs": [
            {
                "id": adr,
                "title": title,
                "status": "accepted",
                "verdict": "pass" if value is not None else "unmeasured",
                "criteria": [
                    {
                        "name": name,
                        "metric": "accuracy",
                        "option": option,
                        "bound": bound,
                        "min": 0.8,
                        "value": value,
                        "ci": ci,
                        "estimate": None
                        if value is None
                        else {"value": value, "ci": ci, "level": 0.95},
                        "verdict": "pass" if value is not None else "unmeasured",
                    }
                ],
            }
        ],
    }
    check_report(data)
    return data


def write_series(folder: Path, values: list[float | None], **kwargs: Any) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, v in enumerate(values):
        p = folder / f"r{i:03d}.json"
        p.write_text(json.dumps(report(i, v, **kwargs)))
        paths.append(p)
    return paths


def test_a_move_inside_the_intervals_is_not_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_series(tmp_path / "r", [0.9] * 5 + [0.905] * 5, half=0.02)
    rc, out, _ = _run(capsys, "history", str(tmp_path / "r"), "--json")
    assert rc == 0
    assert json.loads(out)["criteria"][0]["steps"] == []
    write_series(tmp_path / "s", [0.9] * 5 + [0.85] * 5, half=0.02)
    _rc, out, _ = _run(capsys, "history", str(tmp_path / "s"), "--json")
    (step,) = json.loads(out)["criteria"][0]["steps"]
    assert (step["run"], step["better"]) == (5, False)


def test_a_holm_level_that_moves_is_not_a_new_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Holm's level depends on the family's other results, so it moves from run to run; the
    # criterion as the ADR writes it did not change
    for i, holm in enumerate(["0.99", "0.975", "0.99", "0.9833"]):
        bound = f">= 0.8 (conf. 0.95, Holm {holm})"
        (tmp_path / f"r{i}.json").write_text(json.dumps(report(i, 0.9, bound=bound)))
    (tmp_path / "r9.json").write_text(json.dumps(report(9, 0.9, bound=">= 0.8 (conf. 0.9)")))
    rc, out, _ = _run(capsys, "history", str(tmp_path), "--json")
    assert rc == 0
    parts = json.loads(out)["criteria"]
    assert [(c["bound"], len(c["points"])) for c in parts] == [
        (">= 0.8 (conf. 0.95)", 4),
        (">= 0.8 (conf. 0.9)", 1),
    ]


def test_unmeasured_runs_are_gaps_not_zeros(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_series(tmp_path, [0.9, None, 0.9, 0.9])
    rc, out, _ = _run(capsys, "history", str(tmp_path), "--json")
    assert rc == 0
    (c,) = json.loads(out)["criteria"]
    assert [p["value"] for p in c["points"]] == [0.9, None, 0.9, 0.9]
    assert c["steps"] == []
    _rc, out, _ = _run(capsys, "history", str(tmp_path))
    assert "\u2584 \u2584\u2584" in out  # the unmeasured run is a blank in the sparkline


def test_last_keeps_the_latest_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_series(tmp_path, [0.9] * 8)
    _rc, out, _ = _run(capsys, "history", str(tmp_path), "--json", "--last", "3")
    runs = json.loads(out)["runs"]
    assert [Path(r["file"]).name for r in runs] == ["r005.json", "r006.json", "r007.json"]


def test_bad_files_are_skipped_with_one_warning_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_series(tmp_path, [0.9] * 3)
    (tmp_path / "nan.json").write_text('{"schema": "pytest-archgate/report", "x": NaN}')
    (tmp_path / "types.json").write_text(
        json.dumps({"schema": "pytest-archgate/report", "version": 1, "adrs": [{"id": 3}]})
    )
    (tmp_path / "text.json").write_text("not json at all")
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "other.json").write_text('{"name": "package.json"}')
    no_time = report(9, 0.9)
    del no_time["generated_at"]
    (tmp_path / "notime.json").write_text(json.dumps(no_time))
    os.symlink("loop.json", tmp_path / "loop.json")  # a link to itself
    os.symlink(".", tmp_path / "sub")  # a folder link back to the folder: not followed
    rc, out, err = _run(capsys, "history", str(tmp_path))
    assert rc == 0
    assert no_traceback(out + err)
    warnings = err.strip().splitlines()
    assert len(warnings) == 7, err  # the link to the folder itself is not followed
    assert all(w.startswith("warning: ") and w.endswith("; skipped") for w in warnings)
    assert any("nan.json: line 1:" in w and "NaN" in w for w in warnings)
    assert any("types.json: adrs[0].id: expected a string" in w for w in warnings)
    assert any("notime.json: has no valid generated_at" in w for w in warnings)
    assert any("loop.json: cannot read report" in w for w in warnings)
    assert "3 run(s)" in out

    rc, out, err = _run(capsys, "history", str(tmp_path), "--strict-history")
    assert rc == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("archgate history: error: ")


def test_no_readable_report_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.json").write_text("{}")
    rc, _, err = _run(capsys, "history", str(tmp_path))
    assert rc == 2
    assert "no report to show (1 file(s) skipped)" in err
    rc, _, err = _run(capsys, "history", str(tmp_path / "missing"))
    assert rc == 2
    assert err.strip().endswith("missing: no such file or folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    rc, _, err = _run(capsys, "history", str(empty))
    assert rc == 2


def test_a_huge_folder_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(MAX_FILES + 1):
        (tmp_path / f"{i:05d}.json").write_bytes(b"")
    rc, _, err = _run(capsys, "history", str(tmp_path))
    assert rc == 2
    assert f"more than {MAX_FILES} report files" in err
    assert len(err.strip().splitlines()) == 1


def test_a_deep_folder_is_searched_only_a_few_levels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "a" / "b" / "c" / "d" / "e"
    write_series(tmp_path / "a" / "b", [0.9])
    deep.mkdir(parents=True)
    (deep / "x.json").write_text(json.dumps(report(5, 0.9)))
    _rc, out, _ = _run(capsys, "history", str(tmp_path), "--json")
    assert len(json.loads(out)["runs"]) == 1


def test_a_fifo_does_not_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_series(tmp_path, [0.9, 0.9])
    os.mkfifo(tmp_path / "fifo.json")
    rc, _, err = _run(capsys, "history", str(tmp_path))
    assert rc == 0
    assert "fifo.json: report is a FIFO" in err or "fifo.json" in err


def test_bad_arguments_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_series(tmp_path, [0.9])
    for argv in (["--last", "0"], ["--alpha", "1"], ["--alpha", "nan"], ["--order", "x"]):
        with pytest.raises(SystemExit) as exc:
            main(["history", str(tmp_path), *argv])
        assert exc.value.code == 2
    rc, _, err = _run(capsys, "history", str(tmp_path), "--adr", "ADR-9")
    assert rc == 2
    assert "no criterion of ADR-9" in err
    # a revision that git would read as an option is refused before git runs
    rc, _, err = _run(capsys, "history", str(tmp_path), "--order", "git", "--git-rev=--all")
    assert rc == 2
    assert "--git-rev: '--all' is not a revision" in err


HOSTILE = "::error::pwned\x1b[31m <script>alert(1)</script> @org/team #12 |x|"


def test_hostile_names_are_escaped_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_series(
        tmp_path / "runs", [0.9] * 4 + [0.8] * 4, adr=HOSTILE, name=HOSTILE, option=HOSTILE
    )
    # the commit a report claims is shown too (its first 7 characters label the run)
    data = json.loads(paths[4].read_text())
    data["commit"] = "::warn<b>\x1b[2J##[x"
    paths[4].write_text(json.dumps(data))
    rc, out, err = _run(capsys, "history", str(tmp_path / "runs"), "--full")
    assert rc == 0
    for line in out.splitlines():
        assert not line.lstrip().startswith("::")
        assert "\x1b" not in line
    rc, out, _ = _run(capsys, "history", str(tmp_path / "runs"), "--json")
    assert json.loads(out)["criteria"][0]["name"] == HOSTILE

    html, md = tmp_path / "p.html", tmp_path / "p.md"
    rc, _, err = _run(
        capsys,
        "report",
        str(paths[-1]),
        "--html",
        str(html),
        "--md",
        str(md),
        "--charts",
        "svg",
        "--history",
        str(tmp_path / "runs"),
    )
    assert rc == 0, err
    page = html.read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<h2 id='history'>History</h2>" in page
    section = page[page.index("<h2 id='history'>") :]
    assert "<figure>" in section
    assert "<svg" in section
    text = md.read_text()
    history_md = text[text.index("## History") :]
    assert "<script>" not in history_md
    assert "&#124;x&#124;" in history_md
    assert "```mermaid" in history_md

    rc, out, err = _run(
        capsys, "comment", str(paths[-1]), "--dry-run", "--history", str(tmp_path / "runs")
    )
    assert rc == 0, err
    section = out[out.index("### History") :]
    assert "<script>" not in section
    assert "@org" not in section.replace("@&#8203;org", "")
    assert re.search(r"[\u2581-\u2588]{8}", section)
    assert "at ::warn&lt; (worse)" in section


def test_the_comment_history_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    for i in range(60):
        data = report(i % 28, 0.9, name="c0")
        data["generated_at"] = f"2026-{i // 28 + 1:02d}-{i % 28 + 1:02d}T12:00:00+00:00"
        data["commit"] = f"{i:040x}"
        data["adrs"][0]["criteria"] = [
            {**data["adrs"][0]["criteria"][0], "name": f"c{k}"} for k in range(45)
        ]
        (folder / f"r{i:03d}.json").write_text(json.dumps(data))
    rc, out, err = _run(
        capsys, "comment", str(folder / "r059.json"), "--dry-run", "--history", str(folder)
    )
    assert rc == 0, err
    section = out[out.index("### History") :]
    rows = [line for line in section.splitlines() if line.startswith("| ADR-0001")]
    assert len(rows) == 30
    assert "15 more criteria without steps" in section
    sparks = re.findall(r"[\u2581-\u2588 ]{10,}", section)
    assert sparks
    assert max(len(s.strip()) for s in sparks) <= 30
    assert "60 runs, trend over the last 30" in section


def test_the_report_itself_is_the_latest_run_and_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_series(tmp_path, [0.9] * 3)
    current = tmp_path.parent / "current.json"
    current.write_text(json.dumps(report(7, 0.7)))
    md = tmp_path.parent / "p.md"
    rc, _, err = _run(capsys, "report", str(current), "--md", str(md), "--history", str(tmp_path))
    assert rc == 0, err
    assert "4 runs from" in md.read_text()
    # the report inside the history folder is not read twice (no warning, no extra run)
    rc, _, err = _run(capsys, "report", str(paths[-1]), "--md", str(md), "--history", str(tmp_path))
    assert rc == 0
    assert err == ""
    assert "3 runs from" in md.read_text()


def test_sparkline_scales_gaps_and_extremes() -> None:
    assert sparkline([0.0, 0.5, 1.0]) == "\u2581\u2585\u2588"
    assert sparkline([2.0, None, 2.0]) == "\u2584 \u2584"
    assert sparkline([None, None]) == "  "
    assert sparkline([-1.7e308, 1.7e308]) == "\u2581\u2588"
    assert len(sparkline([float(i) for i in range(30)])) == 30


def test_the_comment_names_a_criterion_that_moved_in_this_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_series(tmp_path / "base", [0.9, 0.901, 0.899, 0.9, 0.9, 0.901])
    current = tmp_path / "pr.json"
    current.write_text(json.dumps(report(20, 0.86)))
    rc, out, err = _run(
        capsys, "comment", str(current), "--dry-run", "--history", str(tmp_path / "base")
    )
    assert rc == 0, err
    section = out[out.index("### History") :]
    assert "**Moved in this run**" in section
    assert "- ADR-0001 accuracy \\[model\\]: -0.04" in section
    assert "(worse)" in section
    # a run inside the noise of the others is not named
    current.write_text(json.dumps(report(20, 0.905)))
    rc, out, _ = _run(
        capsys, "comment", str(current), "--dry-run", "--history", str(tmp_path / "base")
    )
    assert "Moved in this run" not in out
