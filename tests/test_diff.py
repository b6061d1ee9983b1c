"""``archgate diff``: real git repositories, the registered command and the pure ``diff_logs``.

Each test commits a decision log, edits the working tree the way a pull request would, and
checks what the diff reports and when ``--fail-on-loosened`` refuses the change: relaxing an
accepted ADR in place fails, superseding it with a new ADR does not.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr.log import load_log
from pytest_archgate.authoring.diff import Change, DiffResult, diff_logs, resolve_commit
from pytest_archgate.cli.diff import register
from pytest_archgate.errors import ArchgateError, CommandError

ADR_MODEL = """\
---
status: accepted
date: 2026-01-01
archgate:
  decision: xgboost
  baseline: logreg
  options: [xgboost, logreg]
  constraints:
    train_rows: "<= 1_000_000"
  acceptance:
    roc_auc: {{min: {auc}, confidence: {conf}}}
    latency_p95_ms: "{lat}"
    auc_gain: {{metric: roc_auc, vs: logreg, min: {gain}}}
{extra}---
# Use XGBoost for fraud scoring
"""

GPU_MEM = "    gpu_mem_mb: {max: 2000, device: cuda}\n"


def model(
    *,
    auc: str = "0.90",
    conf: str = "0.95",
    lat: str = "< 50",
    gain: str = "0.01",
    extra: str = GPU_MEM,
    status: str = "accepted",
) -> str:
    text = ADR_MODEL.format(auc=auc, conf=conf, lat=lat, gain=gain, extra=extra)
    return text.replace("status: accepted", f"status: {status}", 1)


ADR_PROPOSED = """\
---
status: proposed
archgate:
  options: [mlp, gbdt]
  acceptance:
    roc_auc: ">= 0.85"
---
# Evaluate an MLP
"""

ADR_SUCCESSOR = """\
---
status: accepted
archgate:
  decision: xgboost
  baseline: logreg
  options: [xgboost, logreg]
  acceptance:
    roc_auc: {min: 0.85, confidence: 0.95}
---
# Relax the fraud AUC bound: the label definition changed
"""


# --------------------------------------------------------------------------------------------
# helpers


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty git repository (isolated from the user's git config) as the current folder."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "archgate tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "archgate tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@example.invalid")
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    monkeypatch.chdir(path)
    return path


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout


def write(repo: Path, files: dict[str, str | None], folder: str = "adr") -> None:
    """Write (or, for None, delete) ADR files in ``folder``."""
    for stem, text in files.items():
        path = repo / folder / f"{stem}.md"
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")


def commit(repo: Path, files: dict[str, str | None], folder: str = "adr") -> None:
    write(repo, files, folder)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "decisions")


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--adr-dir", metavar="DIR")


def run_diff(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``archgate diff`` through a fresh parser, the way ``cli.main`` does."""
    parser = argparse.ArgumentParser(prog="archgate")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub, add_common)
    args = parser.parse_args(["diff", *argv])
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        rc = handler(args)
    except ArchgateError as exc:
        print(f"archgate diff: error: {exc}", file=sys.stderr)
        rc = 2
    out, err = capsys.readouterr()
    return rc, out, err


def diff_json(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    rc, out, _err = run_diff("--base", "HEAD", "--format", "json", *extra, capsys=capsys)
    return rc, json.loads(out)


def find(changes: list[dict[str, Any]], **want: Any) -> dict[str, Any]:
    found = [c for c in changes if all(c.get(k) == v for k, v in want.items())]
    assert len(found) == 1, (want, changes)
    return found[0]


# --------------------------------------------------------------------------------------------
# loosening in place


def test_loosened_accepted_adr_in_place_fails_the_gate(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"0002-model": model()})
    write(
        repo,
        {"0002-model": model(auc="0.85", conf="0.90", lat="<= 60", gain="0.0", extra="")},
    )

    rc, data = diff_json(capsys)
    assert rc == 0  # reporting alone never fails
    ch = data["changes"]
    auc = find(ch, criterion="roc_auc", field="min")
    assert (auc["kind"], auc["before"], auc["after"]) == ("loosened", 0.9, 0.85)
    assert auc["enforced_before"] is True
    assert auc["adr"] == "ADR-0002"
    assert auc["file"] == "adr/0002-model.md"
    conf = find(ch, criterion="roc_auc", field="confidence")
    assert (conf["kind"], conf["before"], conf["after"]) == ("loosened", 0.95, 0.9)
    lat = find(ch, criterion="latency_p95_ms", field="max")
    assert (lat["kind"], lat["before"], lat["after"]) == ("loosened", 50.0, 60.0)
    gain = find(ch, criterion="auc_gain", field="min")
    assert (gain["kind"], gain["before"], gain["after"]) == ("loosened", 0.01, 0.0)
    assert gain["note"] == "margin over logreg"
    removed = find(ch, criterion="gpu_mem_mb")
    assert removed["kind"] == "loosened"
    assert removed["field"] == "criterion"
    assert removed["before"] == "<= 2000 [cuda]"
    assert removed["after"] is None
    assert len(data["loosened_accepted"]) == 5
    assert all(c["loosens_accepted"] for c in data["loosened_accepted"])

    rc, out, err = run_diff("--base", "HEAD", "--fail-on-loosened", capsys=capsys)
    assert rc == 1, err
    assert "loosens an accepted ADR in place" in out
    assert "acceptance roc_auc: min 0.9 -> 0.85" in out
    assert "5 change(s) loosen an ADR accepted at HEAD in place" in out


@pytest.mark.parametrize(
    ("before", "after", "kind", "field"),
    [
        ('">= 0.9"', '"> 0.9"', "tightened", "min_strict"),
        ('"> 0.9"', '">= 0.9"', "loosened", "min_strict"),
        ('"< 50"', '"<= 50"', "loosened", "max_strict"),
        ("{min: 0.9, confidence: 0.95}", '">= 0.9"', "loosened", "confidence"),
        ('">= 0.9"', "{min: 0.9, confidence: 0.9}", "tightened", "confidence"),
        ("{max: 9, device: cuda}", '"<= 9"', "loosened", "device"),
        ('"<= 9"', "{max: 9, device: cuda}", "tightened", "device"),
        ("{max: 9, device: cuda}", "{max: 9, device: cpu}", "changed", "device"),
        ("{min: 0.5, max: 0.9}", '">= 0.5"', "loosened", "max"),
        ('">= 0.5"', "{min: 0.5, max: 0.9}", "tightened", "max"),
        ('">= 0.9"', "{metric: auc, min: 0.9}", "changed", "metric"),
    ],
)
def test_each_kind_of_bound_change(
    tmp_path: Path, before: str, after: str, kind: str, field: str
) -> None:
    def log(name: str, spec: str) -> Any:
        folder = tmp_path / name
        write(
            tmp_path,
            {"0001-x": f"---\nstatus: accepted\narchgate:\n  acceptance:\n    c: {spec}\n---\n"},
            folder=name,
        )
        return load_log(folder, root=tmp_path / name)

    result = diff_logs(log("base", before), log("head", after))
    assert [(c.kind, c.criterion, c.field) for c in result.changes] == [(kind, "c", field)]
    assert bool(result.loosened_accepted) == (kind == "loosened")


def test_tightened_and_added_criteria_pass_the_gate(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"0002-model": model()})
    extra = GPU_MEM + '    recall: ">= 0.6"\n'
    write(repo, {"0002-model": model(auc="0.92", lat="< 40", conf="0.99", extra=extra)})

    rc, data = diff_json(capsys, "--fail-on-loosened")
    assert rc == 0
    ch = data["changes"]
    assert find(ch, criterion="roc_auc", field="min")["kind"] == "tightened"
    assert find(ch, criterion="roc_auc", field="confidence")["kind"] == "tightened"
    assert find(ch, criterion="latency_p95_ms", field="max")["kind"] == "tightened"
    added = find(ch, criterion="recall")
    assert (added["kind"], added["field"], added["after"]) == ("added", "criterion", ">= 0.6")
    assert data["loosened_accepted"] == []


def test_renamed_criterion_and_constraint_moves(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"0002-model": model()})
    text = model().replace("gpu_mem_mb:", "gpu_memory_mb:")
    # roc_auc moves from acceptance to constraints: no longer enforced
    text = text.replace("    roc_auc: {min: 0.90, confidence: 0.95}\n", "")
    text = text.replace(
        '    train_rows: "<= 1_000_000"\n',
        '    train_rows: "<= 1_000_000"\n    roc_auc: {min: 0.90, confidence: 0.95}\n',
    )
    write(repo, {"0002-model": text})

    rc, data = diff_json(capsys, "--fail-on-loosened")
    assert rc == 1
    ch = data["changes"]
    renamed = find(ch, field="name")
    assert (renamed["kind"], renamed["before"], renamed["after"]) == (
        "changed",
        "gpu_mem_mb",
        "gpu_memory_mb",
    )
    metric = find(ch, field="metric")
    assert (metric["kind"], metric["before"], metric["after"]) == (
        "changed",
        "gpu_mem_mb",
        "gpu_memory_mb",
    )
    moved = find(ch, criterion="roc_auc")
    assert (moved["kind"], moved["field"], moved["before"], moved["after"]) == (
        "loosened",
        "section",
        "acceptance",
        "constraints",
    )


def test_loosening_a_proposed_adr_is_reported_but_not_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"0003-mlp": ADR_PROPOSED})
    write(repo, {"0003-mlp": ADR_PROPOSED.replace(">= 0.85", ">= 0.80")})
    rc, data = diff_json(capsys, "--fail-on-loosened")
    assert rc == 0
    change = find(data["changes"], criterion="roc_auc")
    assert change["kind"] == "loosened"
    assert change["enforced_before"] is False
    assert data["loosened_accepted"] == []


# --------------------------------------------------------------------------------------------
# status changes, superseding, added and deleted ADRs


def test_supersede_path_is_legitimate(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"0002-model": model()})
    write(
        repo,
        {
            "0002-model": model(status="superseded by ADR-0007"),
            "0007-relax-auc": ADR_SUCCESSOR,
        },
    )

    rc, data = diff_json(capsys, "--fail-on-loosened")
    assert rc == 0
    ch = data["changes"]
    status = find(ch, adr="ADR-0002", kind="status")
    assert (status["before"], status["after"]) == ("accepted", "superseded")
    assert status["note"] == "by ADR-0007"
    assert status["enforced_before"] is True
    assert status["loosens_accepted"] is False
    added = find(ch, adr="ADR-0007")
    assert (added["kind"], added["after"]) == ("adr_added", "accepted")
    assert data["loosened_accepted"] == []

    rc, out, _ = run_diff("--base", "HEAD", capsys=capsys)
    assert rc == 0
    assert "accepted -> superseded (by ADR-0007)" in out
    assert "new ADR (accepted)" in out


def test_dangling_supersede_is_reported_and_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"0002-model": model()})
    write(repo, {"0002-model": model(status="superseded by ADR-0009")})

    rc, data = diff_json(capsys, "--fail-on-loosened")
    assert rc == 1
    dangling = find(data["changes"], kind="dangling_supersede")
    assert (dangling["adr"], dangling["after"]) == ("ADR-0002", "ADR-0009")
    assert [c["kind"] for c in data["loosened_accepted"]] == ["status"]


def test_status_changes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"0002-model": model(), "0003-mlp": ADR_PROPOSED})
    write(
        repo,
        {
            "0002-model": model(status="deprecated"),
            "0003-mlp": ADR_PROPOSED.replace("status: proposed", "status: accepted"),
        },
    )
    rc, data = diff_json(capsys, "--fail-on-loosened")
    assert rc == 1  # an accepted ADR retired without a successor stops being checked
    deprecated = find(data["changes"], adr="ADR-0002", kind="status")
    assert (deprecated["before"], deprecated["after"]) == ("accepted", "deprecated")
    assert deprecated["loosens_accepted"] is True
    accepted = find(data["changes"], adr="ADR-0003", kind="status")
    assert (accepted["before"], accepted["after"]) == ("proposed", "accepted")
    assert accepted["loosens_accepted"] is False


def test_adr_added_and_deleted(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"0002-model": model(), "0003-mlp": ADR_PROPOSED})
    write(repo, {"0003-mlp": None, "0004-feature-store": ADR_PROPOSED.replace("MLP", "store")})
    rc, data = diff_json(capsys, "--fail-on-loosened")
    assert rc == 0  # deleting a proposed ADR removes nothing that was enforced
    assert find(data["changes"], adr="ADR-0003")["kind"] == "adr_deleted"
    assert find(data["changes"], adr="ADR-0004")["kind"] == "adr_added"

    write(repo, {"0002-model": None})
    rc, data = diff_json(capsys, "--fail-on-loosened")
    assert rc == 1
    deleted = find(data["changes"], adr="ADR-0002")
    assert (deleted["kind"], deleted["before"], deleted["loosens_accepted"]) == (
        "adr_deleted",
        "accepted",
        True,
    )


def test_no_changes_and_text_output(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"0002-model": model()})
    rc, out, err = run_diff("--base", "HEAD", "--fail-on-loosened", capsys=capsys)
    assert (rc, err) == (0, "")
    assert out.splitlines() == [
        "archgate diff HEAD -> working tree (adr)",
        "no changes to the decision log",
    ]


def test_json_output_shape(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"0002-model": model()})
    write(repo, {"0002-model": model(auc="0.8")})
    _rc, data = diff_json(capsys)
    assert set(data) == {"base", "head", "adr_dir", "changes", "loosened_accepted", "errors"}
    assert (data["base"], data["head"], data["adr_dir"]) == ("HEAD", "working tree", "adr")
    for change in data["changes"] + data["loosened_accepted"]:
        assert {"adr", "kind", "criterion", "field", "before", "after", "enforced_before"} <= set(
            change
        )


def test_base_ref_by_branch_and_nested_adr_folder(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"0002-model": model()}, folder="docs/decisions")
    git(repo, "branch", "-f", "base-branch")
    commit(repo, {"0002-model": model(auc="0.88")}, folder="docs/decisions")
    rc, out, _ = run_diff(
        "--base", "base-branch", "--adr-dir", "docs/decisions", "--fail-on-loosened", capsys=capsys
    )
    assert rc == 1
    assert "archgate diff base-branch -> working tree (docs/decisions)" in out
    assert "min 0.9 -> 0.88" in out


def test_new_adr_folder_without_history(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    write(repo, {"0002-model": model()})
    rc, data = diff_json(capsys, "--fail-on-loosened")
    assert rc == 0
    assert [c["kind"] for c in data["changes"]] == ["adr_added"]


# --------------------------------------------------------------------------------------------
# errors


def test_bad_ref_is_one_line_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"0002-model": model()})
    rc, out, err = run_diff("--base", "origin/nope", capsys=capsys)
    assert rc == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "unknown git revision 'origin/nope'" in err
    with pytest.raises(CommandError, match="invalid git revision"):
        resolve_commit("--output=x", top=repo)


def test_not_a_git_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    folder = tmp_path / "plain"
    write(folder, {"0002-model": model()})
    monkeypatch.chdir(folder)
    rc, _out, err = run_diff("--base", "HEAD", capsys=capsys)
    assert rc == 2
    assert "is not inside a git checkout" in err
    assert err.count("\n") == 1


def test_unparseable_adr_in_working_tree(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"0002-model": model()})
    write(repo, {"0002-model": model(lat="about fifty")})
    rc, _out, err = run_diff("--base", "HEAD", capsys=capsys)
    assert rc == 2
    assert "cannot be parsed" in err
    assert "latency_p95_ms" in err


def test_diff_result_is_plain_data() -> None:
    change = Change(adr="ADR-0001", kind="loosened", criterion="c", field="min", before=1.0)
    result = DiffResult(changes=[change])
    assert result.loosened_accepted == []
    assert json.loads(json.dumps(result.to_json()))["changes"][0]["before"] == 1.0
    assert "c: min 1 -> none" in result.to_text()
