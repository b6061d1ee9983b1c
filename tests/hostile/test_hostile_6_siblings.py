"""Hostile class 6, siblings: ADR files that are not what they seem, and parsing that stays linear.

* a gated ADR saved as UTF-16 or UTF-32 (with a byte order mark), or holding NUL bytes: a clear
  error naming the file and what to do, never a silent skip (the ``archgate:`` key of a UTF-16
  file is not visible to a byte search, so it used to drop out of the gate as "unreadable");
* an ADR file that cannot be read at all (no permission) counts as gated: an error;
* a 100 KB status value is quoted short in every message;
* the reStructuredText scan is linear on adversarial input (``..`` lines, comments inside a
  Status section, title/underline pairs, deep indentation), timed against a plain file of the
  same size and line count.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import no_traceback

from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.cli import main as cli
from pytest_archgate.errors import AdrError

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")
FAST += ("-p", "no:cacheprovider")

GATED = """\
---
status: accepted
archgate:
  decision: a
  acceptance:
    accuracy: ">= 0.5"
---
# Pick a
"""
UNGATED = "# Keep records\n\nStatus: accepted\n"


def project(pytester: pytest.Pytester, files: dict[str, bytes]) -> Path:
    pytester.makeini("[pytest]\n")
    folder = pytester.path / "adr"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    return folder


def usage_error(pytester: pytest.Pytester) -> str:
    result = pytester.runpytest(*FAST)
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str() + result.stderr.str()
    err = result.stderr.str()
    assert no_traceback(err), err
    return err


ENCODINGS = {
    "utf-16-le-bom": (b"\xff\xfe" + GATED.encode("utf-16-le"), "UTF-16"),
    "utf-16-be-bom": (b"\xfe\xff" + GATED.encode("utf-16-be"), "UTF-16"),
    "utf-32-le-bom": (b"\xff\xfe\x00\x00" + GATED.encode("utf-32-le"), "UTF-32"),
    "utf-16-le-no-bom": (GATED.encode("utf-16-le"), "NUL byte at offset 1"),
    "nul-in-status": (GATED.replace("accepted", "accepted\x00").encode(), "NUL byte at offset 20"),
    "nul-in-body": ((GATED + "\nText\x00more.\n").encode(), "NUL byte"),
}


@pytest.mark.parametrize("case", list(ENCODINGS))
def test_a_gated_adr_that_is_not_utf8_text_is_a_usage_error(
    pytester: pytest.Pytester, case: str
) -> None:
    data, words = ENCODINGS[case]
    project(pytester, {"0001-pick-a.md": data})
    err = usage_error(pytester)
    assert "adr/0001-pick-a.md: " in err, err
    assert words in err, err
    assert "save it as UTF-8" in err, err


@pytest.mark.parametrize("case", ["utf-16-le-bom", "nul-in-status"])
def test_lint_names_the_encoding_problem(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    project(pytester, {"0001-pick-a.md": ENCODINGS[case][0]})
    monkeypatch.chdir(pytester.path)
    assert cli.main(["lint"]) == 1
    out = capsys.readouterr().out
    assert "0001-pick-a.md" in out
    assert "error" in out
    assert "save it as UTF-8" in out


def test_an_ungated_record_with_nul_bytes_is_a_notice_not_silence(
    pytester: pytest.Pytester,
) -> None:
    project(pytester, {"0001-records.md": (UNGATED + "\x00").encode()})
    result = pytester.runpytest(*FAST)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["archgate: 1 ADR file in * could not be read and is not used*"])


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files without permission"
)
@pytest.mark.parametrize("text", [GATED, UNGATED], ids=["gated", "looks-ungated"])
def test_an_unreadable_adr_counts_as_gated(pytester: pytest.Pytester, text: str) -> None:
    folder = project(pytester, {"0001-pick-a.md": text.encode()})
    (folder / "0001-pick-a.md").chmod(0)
    try:
        err = usage_error(pytester)
        assert "adr/0001-pick-a.md: cannot read: Permission denied" in err, err
    finally:
        (folder / "0001-pick-a.md").chmod(0o600)


def test_an_adr_that_is_not_a_regular_file_is_refused_without_blocking(
    pytester: pytest.Pytester,
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    folder = project(pytester, {"0001-pick-a.md": GATED.encode()})
    os.mkfifo(folder / "0002-a-pipe.md")  # open() would wait for a writer forever
    started = time.monotonic()
    err = usage_error(pytester)
    assert time.monotonic() - started < 30
    assert "adr/0002-a-pipe.md: " in err, err
    assert "named pipe (FIFO), not a regular file" in err, err


# ---------------------------------------------------------------------------------------------
# a huge status value

HUGE = "x" * 100_000


@pytest.mark.parametrize(
    "text",
    [
        GATED.replace("status: accepted", f"status: acc{HUGE}"),
        GATED.replace("status: accepted\n", "") + f"\n## Status\n\nAccepted{HUGE}\n",
        GATED.replace("status: accepted\n", "") + f"\n## Status\n\n{HUGE}\n",
        GATED + f"\n## Status\n\nRejected {HUGE}\n",
        GATED.replace("status: accepted", f"status: [{HUGE}]"),
    ],
    ids=["front-matter", "status-section", "unknown-word", "conflict", "yaml-list"],
)
def test_a_huge_status_is_quoted_short(pytester: pytest.Pytester, text: str) -> None:
    project(pytester, {"0001-pick-a.md": text.encode()})
    result = pytester.runpytest(*FAST)
    out = result.stdout.str() + result.stderr.str()
    assert max(len(line) for line in out.splitlines()) < 2_000, "a line quotes the whole status"
    assert no_traceback(out)
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.USAGE_ERROR)


def test_lint_quotes_a_huge_unknown_status_short(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project(pytester, {"0001-records.md": f"# Records\n\nStatus: {HUGE}\n".encode()})
    monkeypatch.chdir(pytester.path)
    cli.main(["lint"])
    out = capsys.readouterr().out
    assert "0001-records.md" in out
    assert max(len(line) for line in out.splitlines()) < 1_000


def test_the_error_for_a_huge_status_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "0001-pick-a.md"
    path.write_text(GATED.replace("status: accepted", f"status: acc{HUGE}"), encoding="utf-8")
    with pytest.raises(AdrError) as info:
        parse_adr(path, root=tmp_path)
    message = str(info.value)
    assert message.startswith("0001-pick-a.md:2: status: status 'accxxx")
    assert len(message) < 600


# ---------------------------------------------------------------------------------------------
# reStructuredText: linear on adversarial input

SIZE = 1_000_000
RST_HEAD = "1. Pick a\n=========\n\nStatus\n------\n\nAccepted\n\n"


def _lines(unit: str) -> str:
    """``unit`` repeated to about SIZE characters."""
    return unit * (SIZE // len(unit))


ADVERSARIAL: dict[str, Callable[[], str]] = {
    "dot-dot-lines": lambda: _lines("..\n"),
    "comments-in-a-status-section": lambda: "T\n=\n\nStatus\n------\n\n" + _lines(".. x\n"),
    "title-underline-pairs": lambda: _lines("ab\n==\n"),
    "status-fields": lambda: RST_HEAD + _lines(":status: Accepted\n"),
    "deep-indentation": lambda: RST_HEAD + "".join(" " * (2 * i) + "x\n" for i in range(1000)),
    "one-indented-line": lambda: RST_HEAD + " " * SIZE + "x\n",
    "archgate-comment-of-spaces": lambda: RST_HEAD + ".. archgate:\n" + _lines("   \n"),
    "long-adornments": lambda: _lines("=" * 999 + "\n"),
}


def _parse_seconds(path: Path, text: str) -> float:
    path.write_text(text, encoding="utf-8")
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        with contextlib.suppress(AdrError):
            parse_adr(path)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("case", list(ADVERSARIAL))
def test_the_rst_scan_is_linear_on_adversarial_input(tmp_path: Path, case: str) -> None:
    text = ADVERSARIAL[case]()
    assert SIZE * 0.9 < len(text) < SIZE * 1.1
    lines = text.count("\n")
    # the reference: a plain RST ADR of the same size and the same number of lines
    width = max(1, len(text) // max(lines, 1) - 1)
    plain = RST_HEAD + ("p" * width + "\n") * lines
    reference = _parse_seconds(tmp_path / "0001-plain.rst", plain[: len(text)])
    seconds = _parse_seconds(tmp_path / "0002-hostile.rst", text)
    # generous: a super-linear scan of 1 MB takes minutes, not a few times the reference
    assert seconds < 10 * reference + 0.5, (seconds, reference)


def test_the_rst_scan_grows_linearly(tmp_path: Path) -> None:
    def timed(n: int) -> float:
        return _parse_seconds(tmp_path / f"0001-n{n}.rst", "T\n=\n\n" + "..\n" * n)

    small, large = timed(SIZE // 12), timed(SIZE // 3)
    # 4x the input: a linear scan takes about 4x, a quadratic one 16x
    assert large < 10 * small + 0.2, (small, large)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_an_editors_dangling_lock_link_is_not_an_adr(pytester: pytest.Pytester) -> None:
    # Emacs marks a file being edited with a dangling link ".#name" beside it
    folder = project(pytester, {"0001-pick-a.md": GATED.encode()})
    os.symlink("user@host.1234:1700000000", folder / ".#0001-pick-a.md")
    result = pytester.runpytest(*FAST)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert "could not be read" not in result.stdout.str()


@pytest.mark.parametrize("text", [GATED, UNGATED], ids=["gated", "looks-ungated"])
def test_a_permission_error_counts_as_gated_also_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    # root reads a chmod-000 file, so the permission error is simulated at the one door
    from pytest_archgate import safe_io
    from pytest_archgate.adr.log import load_log

    (tmp_path / "0001-pick-a.md").write_text(text, encoding="utf-8")
    (tmp_path / "0002-other.md").write_text(UNGATED, encoding="utf-8")
    real_open = os.open

    def deny(path: object, flags: int, *args: object) -> int:
        if str(path).endswith("0001-pick-a.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(safe_io.os, "open", deny)
    log = load_log(tmp_path, root=tmp_path)
    assert [str(e) for e in log.errors] == ["0001-pick-a.md: cannot read: Permission denied"]
    assert [a.file for a in log.adrs] == ["0002-other.md"]
