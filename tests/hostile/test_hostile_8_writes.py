"""Class 8 (and the operating-system part of class 7): writes to ADRs are serialised and atomic.

``archgate accept``, ``supersede`` and ``new`` lock the ADR folder, re-read what they change
under the lock, write through a temporary file in the same folder, fsync and rename. These tests
run the real command line: concurrency with eight real processes started at once against one
folder; failing disks and read-only folders in-process through ``cli.main`` (the only way to
make ``write``/``fsync``/``rename`` fail on demand), checking each time the exit status, that
the error is one line naming the path and what to do, that every ADR keeps its bytes, and that
no temporary or lock file is left behind.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr.log import load_log
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.authoring import lock as authoring
from pytest_archgate.cli import main as cli
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.report.build import build_report
from pytest_archgate.verdict.judge import judge_all

REPO = Path(__file__).resolve().parents[2]
PROCESS_TIMEOUT_S = 120

PROPOSED = """\
---
status: proposed
date: 2024-03-01
archgate:
  baseline: logreg
  options: [xgboost, torch_mlp, logreg]
  acceptance:
    roc_auc: ">= 0.9"
    latency_p95_ms: "<= 50"
    roc_auc_gain: {metric: roc_auc, min: 0.01, vs: logreg}
---
# Pick a fraud model

## Context and Problem Statement

Which model scores fraud.
"""

ACCEPTED = """\
---
status: accepted
date: 2024-01-01
---
# Record architecture decisions
"""

VALUES = {
    "xgboost": {"roc_auc": 0.93, "latency_p95_ms": 12.5},
    "torch_mlp": {"roc_auc": 0.95, "latency_p95_ms": 84.0},
    "logreg": {"roc_auc": 0.88, "latency_p95_ms": 1.0},
}

Run = Callable[..., tuple[int, str, str]]


# --------------------------------------------------------------------------------------------
# helpers


def make_report(path: Path, adr_file: Path, values: Mapping[str, Mapping[str, float]]) -> Path:
    """A report built by the library from recorded values, as a pytest run writes it."""
    adr = parse_adr(adr_file)
    ms = [
        Measurement(
            adr=adr.id,
            option=option,
            metric=metric,
            estimate=Estimate(value=value, method="recorded"),
            nodeid=f"tests/test_model.py::test_{option}",
        )
        for option, metrics in values.items()
        for metric, value in metrics.items()
    ]
    path.write_text(json.dumps(build_report(judge_all([adr], ms), ms)), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry of ``folder`` (recursively) with its bytes: equal snapshots mean that nothing
    was changed, created or left behind (temporary files, lock files)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def one_line_error(err: str, *patterns: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith("archgate "), err
    assert "Traceback" not in err, err
    assert 'File "' not in err, err
    for pattern in patterns:
        assert re.search(pattern, err), (pattern, err)


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    )
    env.pop("GITHUB_ACTIONS", None)
    return env


def spawn(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest_archgate.cli.main", *args],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    results = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=PROCESS_TIMEOUT_S)
            results.append((proc.returncode, out, err))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return results


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project (pytest.ini so the CLI stops looking here) with a proposed ADR and a report
    that recommends xgboost, as the current folder."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    adr = tmp_path / "adr"
    adr.mkdir()
    (adr / "0001-record.md").write_text(ACCEPTED, encoding="utf-8")
    (adr / "0002-pick-a-model.md").write_text(PROPOSED, encoding="utf-8")
    make_report(tmp_path / "report.json", adr / "0002-pick-a-model.md", VALUES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``archgate ARGS...`` in-process; returns (exit status, stdout, stderr)."""

    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


ADR = "adr/0002-pick-a-model.md"


# --------------------------------------------------------------------------------------------
# concurrency: real processes


def test_eight_concurrent_accepts_leave_one_evidence_section(project: Path) -> None:
    target = project / ADR
    # Hold the folder's lock while the eight processes start, so that they pile up on it and
    # are released together: the worst case for interleaving.
    with authoring.adr_lock(project / "adr"):
        procs = [
            spawn(["accept", "ADR-0002", "--report", "report.json"], project) for _ in range(8)
        ]
        time.sleep(1.0)
    results = finish(procs)

    codes = sorted(code for code, _out, _err in results)
    assert codes == [0] + [1] * 7, results
    winner = next(out for code, out, _err in results if code == 0)
    assert winner.strip() == (
        f"ADR-0002 accepted: decision xgboost, the option the report recommends ({ADR})"
    )
    for code, _out, err in results:
        if code == 1:
            one_line_error(err, r"refused: .*ADR-0002 is accepted, not proposed")

    text = target.read_text(encoding="utf-8")
    assert text.count("## Evidence") == 1, text
    assert text.count("decision: xgboost") == 1, text
    adr = load_log(project / "adr").lookup("ADR-0002")
    assert (adr.status, adr.decision) == ("accepted", "xgboost")
    assert sorted(p.name for p in (project / "adr").iterdir()) == [
        "0001-record.md",
        "0002-pick-a-model.md",
    ]


def test_eight_concurrent_news_never_share_a_number(project: Path) -> None:
    procs = [spawn(["new", f"Decision number {i}"], project) for i in range(8)]
    results = finish(procs)
    assert [code for code, _o, _e in results] == [0] * 8, results
    created = sorted(out.strip() for _c, out, _e in results)
    numbers = sorted(re.match(r"adr/(\d{4})-", name).group(1) for name in created)  # type: ignore[union-attr]
    assert numbers == [f"{n:04d}" for n in range(3, 11)], created
    log = load_log(project / "adr")
    assert log.errors == []
    assert log.duplicate_ids() == {}
    assert len(log) == 10
    assert not [p for p in (project / "adr").iterdir() if p.name.startswith(".")]


def test_concurrent_accept_and_supersede_are_serialised(project: Path) -> None:
    # accept ADR-0002 and supersede ADR-0001 by it at the same time, four times each: every
    # accept but one is refused, every supersede but one is refused (already superseded), and
    # each file carries each edit exactly once.
    (project / "adr" / "0001-record.md").write_text(ACCEPTED, encoding="utf-8")
    procs = []
    for _ in range(4):
        procs.append(spawn(["accept", "ADR-0002", "--report", "report.json"], project))
        procs.append(spawn(["supersede", "ADR-0001", "--by", "ADR-0002"], project))
    results = finish(procs)
    accepts, supersedes = results[0::2], results[1::2]
    assert sorted(c for c, _o, _e in accepts) == [0, 1, 1, 1], accepts
    assert sorted(c for c, _o, _e in supersedes) == [0, 1, 1, 1], supersedes
    text = (project / ADR).read_text(encoding="utf-8")
    assert text.count("## Evidence") == 1
    assert text.count("supersedes: ADR-0001") == 1
    log = load_log(project / "adr")
    assert log.lookup("ADR-0001").status == "superseded"
    assert log.lookup("ADR-0002").status == "accepted"


# --------------------------------------------------------------------------------------------
# the lock: a live holder times out with a clear error, a dead one never blocks

HOLDER = """\
import sys, time
from pathlib import Path
from pytest_archgate.authoring.lock import adr_lock
with adr_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def holder(project: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the ADR folder's lock (killed at the end)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(project / "adr")],
        env=cli_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=PROCESS_TIMEOUT_S)


def test_a_live_holder_makes_the_command_wait_then_stop_with_one_line(
    project: Path, run: Run, holder: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(authoring, "LOCK_TIMEOUT_S", 0.5)
    before = snapshot(project)
    started = time.monotonic()
    code, out, err = run("accept", "ADR-0002", "--report", "report.json")
    waited = time.monotonic() - started
    assert code == 2, (out, err)
    one_line_error(
        err,
        r"adr/\.archgate\.lock: another archgate command \(pid \d+",
        r"held the lock on this ADR folder for more than 0\.5s; wait for it to finish",
    )
    assert f"pid {holder.pid}" in err
    assert 0.5 <= waited < 10
    assert snapshot(project) == before


def test_a_killed_holder_leaves_no_lock_behind(
    project: Path, run: Run, holder: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(authoring, "LOCK_TIMEOUT_S", 5.0)
    holder.kill()  # SIGKILL: no clean-up ran, its lock file is still on disk
    holder.wait(timeout=PROCESS_TIMEOUT_S)
    assert (project / "adr" / ".archgate.lock").exists()
    started = time.monotonic()
    code, _out, err = run("accept", "ADR-0002", "--report", "report.json")
    assert code == 0, err
    assert time.monotonic() - started < 5.0
    assert not (project / "adr" / ".archgate.lock").exists()


def test_lock_is_released_when_the_command_fails(project: Path, run: Run) -> None:
    code, _out, err = run("accept", "ADR-0009", "--report", "report.json")
    assert code == 1, err
    # a second process could not take the lock if the failed command still held it
    probe = subprocess.run(
        [sys.executable, "-c", HOLDER.replace("time.sleep(60)", "pass"), str(project / "adr")],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_S,
    )
    assert probe.stdout.strip() == "locked", probe.stderr
    assert not [p for p in (project / "adr").iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------------------------
# a failing disk: the original stays intact, one line, exit 2


def enospc(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def failing_write(real: Callable[[int, Any], int]) -> Callable[[int, Any], int]:
    """``os.write`` that fails on files (not on the terminal): the disk is full."""

    def write(fd: int, data: Any) -> int:
        if fd > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    return write


COMMANDS = {
    "accept": ("accept", "ADR-0002", "--report", "report.json"),
    "supersede": ("supersede", "ADR-0001", "--by", "ADR-0002"),
    "new": ("new", "Another decision"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("broken", ["write", "fsync", "replace"])
def test_a_full_disk_leaves_every_file_as_it_was(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch, command: str, broken: str
) -> None:
    before = snapshot(project)
    with monkeypatch.context() as patch:
        if broken == "write":
            patch.setattr(os, "write", failing_write(os.write))
        else:
            patch.setattr(os, broken, enospc)
        code, out, err = run(*COMMANDS[command])
    assert code == 2, (out, err)
    assert out == ""
    one_line_error(
        err,
        rf"^archgate {command}: error: adr/[^:]+\.md: cannot write: No space left on device; "
        r"free some disk space and run the command again \(no file was changed\)$",
    )
    assert snapshot(project) == before
    # nothing was held or left half-done: the same command works once the disk has room
    code, _out, err = run(*COMMANDS[command])
    assert code == 0, err


def test_a_failed_second_rename_puts_the_first_file_back(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # supersede writes two files; the disk fills up between the two renames
    before = snapshot(project)
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code, out, err = run(*COMMANDS["supersede"])
    assert code == 2, (out, err)
    one_line_error(err, r"cannot write: No space left on device.*\(no file was changed\)")
    assert len(calls) == 3  # old file replaced, new file failed, old file restored
    assert snapshot(project) == before


def test_an_interrupted_write_leaves_the_original(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(project)

    def interrupted(*_args: Any) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", interrupted)
        code, _out, _err = run(*COMMANDS["accept"])
    assert code == 130
    assert snapshot(project) == before
    code, _out, err = run(*COMMANDS["accept"])  # the lock was released
    assert code == 0, err


# --------------------------------------------------------------------------------------------
# permissions and things in the way


def refuse_creating_in(folder: Path, code: int, patch: pytest.MonkeyPatch) -> Callable[..., int]:
    """``os.open`` that cannot create files in ``folder``: how a read-only folder behaves for
    a user who is not root (the tests may run as root, which ignores permission bits)."""
    real_open = os.open

    def fake_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and Path(os.fsdecode(path)).parent == folder:
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    patch.setattr(os, "open", fake_open)
    return fake_open


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        (errno.EACCES, r"Permission denied; check that you may write to adr"),
        (errno.EROFS, r"Read-only file system; adr is on a read-only file system"),
    ],
)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_read_only_folder_is_one_line_and_changes_nothing(
    project: Path,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    code: int,
    hint: str,
) -> None:
    before = snapshot(project)
    with monkeypatch.context() as patch:
        refuse_creating_in((project / "adr").resolve(), code, patch)
        status, out, err = run(*COMMANDS[command])
    assert status == 2, (out, err)
    one_line_error(err, r"adr/[^:]+\.md: cannot write: " + hint)
    assert snapshot(project) == before


def test_a_read_only_folder_still_gives_the_right_refusal(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no lock can be taken in a folder nobody can write to, and none is needed: the command
    # still reads the log and refuses for the real reason
    (project / "adr" / "0002-pick-a-model.md").write_text(
        PROPOSED.replace("status: proposed", "status: accepted"), encoding="utf-8"
    )
    before = snapshot(project)
    with monkeypatch.context() as patch:
        refuse_creating_in((project / "adr").resolve(), errno.EACCES, patch)
        code, _out, err = run(*COMMANDS["accept"])
    assert code == 1
    one_line_error(err, r"ADR-0002 is accepted, not proposed")
    assert snapshot(project) == before


def permission_bits_enforced(folder: Path) -> bool:
    """False for root (or a process with CAP_DAC_OVERRIDE), which writes anywhere."""
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        (probe / "x").write_text("x", encoding="utf-8")
    except PermissionError:
        return True
    finally:
        probe.chmod(stat.S_IRWXU)
        (probe / "x").unlink(missing_ok=True)
        probe.rmdir()
    return False


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_real_read_only_folder(
    project: Path, run: Run, command: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if not permission_bits_enforced(tmp_path_factory.mktemp("probe")):
        pytest.skip("this process ignores permission bits (root)")
    folder = project / "adr"
    before = snapshot(project)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        code, out, err = run(*COMMANDS[command])
    finally:
        folder.chmod(stat.S_IRWXU)
    assert code == 2, (out, err)
    one_line_error(err, r"cannot write: Permission denied; check that you may write to adr")
    assert snapshot(project) == before


def test_new_when_adr_is_a_regular_file(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "adr").write_text("not a folder\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code, out, err = run("new", "Pick a model")
    assert code == 2, (out, err)
    one_line_error(
        err,
        r"^archgate new: error: adr: is not a folder \(a regular file or a broken link is in the "
        r"way\); move it away, or pass --adr-dir DIR to keep the ADRs elsewhere$",
    )
    assert snapshot(tmp_path) == before


def test_new_when_a_parent_of_the_adr_folder_is_a_file(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "docs").write_text("a file\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code, out, err = run("new", "Pick a model", "--adr-dir", "docs/adr")
    assert code == 2, (out, err)
    one_line_error(
        err,
        r"docs/adr: cannot create the ADR folder: Not a directory; a part of the path is a "
        r"regular file where a folder should be",
    )
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["accept", "supersede", "diff"])
def test_adr_dir_that_is_a_file(
    project: Path, run: Run, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "notes.md").write_text("# notes\n", encoding="utf-8")
    args = {
        "accept": ["accept", "ADR-0002", "--report", "report.json"],
        "supersede": ["supersede", "ADR-0001", "--by", "ADR-0002"],
        "diff": ["diff", "--base", "HEAD"],
    }[command]
    before = snapshot(project)
    code, out, err = run(*args, "--adr-dir", "notes.md")
    assert code == 2, (out, err)
    one_line_error(err, r"--adr-dir: ADR folder \S*notes\.md is (a file, )?not a folder")
    assert snapshot(project) == before


def test_a_folder_where_the_new_file_should_be(project: Path, run: Run) -> None:
    (project / "adr" / "0003-pick-a-model.md").mkdir()
    before = snapshot(project)
    code, _out, err = run("new", "Pick a model")
    assert code == 1
    one_line_error(err, r"refused: adr/0003-pick-a-model\.md: already exists; choose another title")
    assert snapshot(project) == before


def test_a_folder_given_as_the_report(project: Path, run: Run) -> None:
    (project / "reports").mkdir()
    before = snapshot(project)
    code, _out, err = run("accept", "ADR-0002", "--report", "reports")
    assert code == 2  # an unreadable report is an input error, like every other bad report
    one_line_error(err, r"reports: report is a folder, not a file")
    assert snapshot(project) == before


def test_diff_without_a_git_binary(
    project: Path,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty-path")))
    code, out, err = run("diff", "--base", "HEAD")
    assert code == 2, (out, err)
    one_line_error(err, r"git is not installed or not on PATH \(needed while .*\); install git")


def test_accept_without_a_git_binary_records_no_commit(
    project: Path,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty-path")))
    code, _out, err = run("accept", "ADR-0002", "--report", "report.json")
    assert code == 0, err
    assert "commit: unknown (not a git checkout)" in (project / ADR).read_text(encoding="utf-8")


def test_diff_with_an_unusable_scratch_folder(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "initial"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=project,
            check=True,
            capture_output=True,
            timeout=PROCESS_TIMEOUT_S,
        )
    not_a_folder = project / "tmp-is-a-file"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    code, out, err = run("diff", "--base", "HEAD")
    assert code == 2, (out, err)
    one_line_error(
        err,
        r"^archgate diff: error: \S*tmp-is-a-file\S*: cannot compare the ADRs: Not a directory; "
        r"a part of the path is a regular file where a folder should be$",
    )


def test_a_folder_where_the_lock_file_should_be(project: Path, run: Run) -> None:
    (project / "adr" / ".archgate.lock").mkdir()
    before = snapshot(project)
    code, out, err = run(*COMMANDS["accept"])
    assert code == 2, (out, err)
    one_line_error(
        err,
        r"adr/\.archgate\.lock: cannot lock the ADR folder: Is a directory; a folder is where "
        r"the file should be; move it away",
    )
    assert snapshot(project) == before


def test_a_planted_lock_symlink_is_never_followed(
    project: Path, run: Run, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # a repository could carry adr/.archgate.lock -> ~/.bashrc: archgate must not write to it
    victim = tmp_path_factory.mktemp("home") / ".bashrc"
    victim.write_text("export KEEP=me\n", encoding="utf-8")
    (project / "adr" / ".archgate.lock").symlink_to(victim)
    before = snapshot(project)
    for command in sorted(COMMANDS):
        code, out, err = run(*COMMANDS[command])
        assert code == 2, (command, out, err)
        one_line_error(err, r"adr/\.archgate\.lock: is a symbolic link, not archgate's lock file")
    assert victim.read_text(encoding="utf-8") == "export KEEP=me\n"
    assert snapshot(project) == before
