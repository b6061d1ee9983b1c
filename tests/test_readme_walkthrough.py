"""The README's walkthrough runs as written, in an empty folder.

The walkthrough section of README.md marks each fenced block with an HTML comment before it:

* ``<!-- walkthrough: PATH -->``: a file to write, with the block as its content;
* ``<!-- walkthrough: run -->`` / ``<!-- walkthrough: run, exit N -->``: shell commands, one per
  line (``archgate ...`` or ``pytest ...``, optionally after ``VAR=value`` assignments), run in
  order with this interpreter; each must exit 0 (or N);
* ``<!-- walkthrough: output -->``: what the previous command prints. Every line must appear in
  the command's output, in order, with numbers free (they depend on the machine and library
  versions), runs of spaces collapsed and ``===`` rules of any length; a line ending in ``...``
  is a prefix, and ``...`` alone stands for lines left out;
* ``<!-- walkthrough: archgate block of PATH -->``: the ``archgate:`` block of the front matter
  of PATH as ``archgate new`` wrote it, verbatim.

So the test fails when the README and the tool drift apart: a changed template, message, id,
file name or exit status.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SECTION = "## A 5-minute walkthrough"

_MARK_RE = re.compile(r"^<!-- walkthrough: (?P<what>.+?) -->\s*$")
_FENCE_RE = re.compile(r"^(?P<fence>```+)(?P<lang>\S*)\s*$")
# a number on its own: not the digits of an id (ADR-0001), a file name (0001-...) or a version
_NUMBER_RE = re.compile(r"(?<![\w/.-])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@dataclass(frozen=True)
class Block:
    what: str
    text: str
    line: int  # 1-based line of the marker in README.md


def walkthrough_blocks(markdown: str) -> list[Block]:
    """The marked blocks of the walkthrough section, in order."""
    lines = markdown.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    assert start is not None, f"README.md has no {SECTION!r} section"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    blocks: list[Block] = []
    i = start
    while i < end:
        mark = _MARK_RE.match(lines[i])
        if mark is None:
            i += 1
            continue
        j = i + 1
        while j < end and not lines[j].strip():
            j += 1
        fence = _FENCE_RE.match(lines[j]) if j < end else None
        assert fence is not None, f"README.md:{i + 1}: a walkthrough marker without a code block"
        k = j + 1
        while k < end and lines[k].strip() != fence.group("fence"):
            k += 1
        assert k < end, f"README.md:{j + 1}: unterminated code block"
        text = "\n".join(lines[j + 1 : k]) + "\n"
        blocks.append(Block(mark.group("what").strip(), text, i + 1))
        i = k + 1
    return blocks


def line_pattern(expected: str) -> re.Pattern[str]:
    """A regex for one expected output line: numbers free, whitespace runs collapsed."""
    text = expected.strip()
    prefix = text.endswith("...")
    if prefix:
        text = text[:-3].rstrip()
    parts = []
    for token in text.split():
        if set(token) == {"="}:  # pytest's separator lines: their length follows the terminal
            parts.append("=+")
            continue
        pieces, last = [], 0
        for m in _NUMBER_RE.finditer(token):
            pieces.append(re.escape(token[last : m.start()]))
            pieces.append(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
            last = m.end()
        pieces.append(re.escape(token[last:]))
        parts.append("".join(pieces))
    return re.compile(r"\s+".join(parts) + (r"(?:\s.*)?" if prefix else "") + r"\s*")


def unmatched_lines(expected: str, actual: str) -> list[str]:
    """Expected lines that do not appear in ``actual`` in order (empty when all match)."""
    out = [line.strip() for line in actual.splitlines()]
    pos = 0
    missing = []
    for line in expected.splitlines():
        if not line.strip() or line.strip() == "...":
            continue
        pattern = line_pattern(line)
        hit = next((k for k in range(pos, len(out)) if pattern.fullmatch(out[k])), None)
        if hit is None:
            missing.append(line)
        else:
            pos = hit + 1
    return missing


def command_line(line: str) -> tuple[dict[str, str], list[str]]:
    """``VAR=value ... archgate|pytest args`` as (environment additions, argv)."""
    words = shlex.split(line, comments=True)
    env: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    assert words, f"no command in {line!r}"
    programs = {
        "archgate": [sys.executable, "-m", "pytest_archgate.cli.main"],
        "pytest": [sys.executable, "-m", "pytest"],
    }
    assert words[0] in programs, f"the walkthrough runs only archgate and pytest, not {line!r}"
    return env, programs[words[0]] + words[1:]


def clean_env() -> dict[str, str]:
    """This environment without what the outer pytest run, CI or a user set for archgate."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "ARCHGATE_", "GITHUB_")) and k != "COLUMNS"
    }
    # this checkout's package, whatever is installed
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def front_matter(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path} has no front matter"
    return text[4 : text.index("\n---\n", 4) + 1]


def archgate_block(path: Path) -> str:
    fm = front_matter(path)
    return fm[fm.index("archgate:\n") :]


# --------------------------------------------------------------------------------------------
# the checker itself


def test_line_patterns_leave_numbers_free_and_nothing_else() -> None:
    expected = "ADR-0001 roc_auc [mlp] = 0.7207 [0.7031, 0.7382] violates >= 0.85 (adr/x.md:17)"
    assert not unmatched_lines(
        expected, "ADR-0001 roc_auc [mlp] = 0.6 [0.5, 0.71] violates >= 0.85 (adr/x.md:18)"
    )
    assert unmatched_lines(expected, "ADR-0002 roc_auc [mlp] = 0.6 [0.5, 0.7] violates >= 0.85")
    assert unmatched_lines(expected, expected.replace("ADR-0001", "ADR-0011"))
    assert unmatched_lines(expected, expected.replace("adr/x.md", "adr/y.md"))
    assert unmatched_lines(expected, expected.replace("violates", "misses"))
    assert not unmatched_lines("1 failed, 1 passed in ...", "1 failed, 1 passed in 3.17s")
    assert not unmatched_lines("=== 1 failed in 3.1s ===", "===== 1 failed in 0.5s =====")
    assert unmatched_lines("=== 1 failed in 3.1s ===", "===== 1 passed in 0.5s =====")
    assert unmatched_lines("a\n...\nb", "b\na")  # order matters


def test_blocks_are_found_with_their_markers() -> None:
    blocks = walkthrough_blocks(README.read_text(encoding="utf-8"))
    kinds = {b.what.split(",")[0].split(" of ")[0] for b in blocks}
    assert {"run", "output", "archgate block", "tests/conftest.py", "tests/test_model.py"} <= kinds


# --------------------------------------------------------------------------------------------
# the walkthrough


def test_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="the walkthrough's fixtures use scikit-learn")
    blocks = walkthrough_blocks(README.read_text(encoding="utf-8"))
    env = clean_env()
    last: tuple[str, subprocess.CompletedProcess[str]] | None = None
    ran: list[tuple[str, int]] = []

    def run(line: str, expect: int) -> subprocess.CompletedProcess[str]:
        extra, argv = command_line(line)
        proc = subprocess.run(
            argv,
            cwd=tmp_path,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert proc.returncode == expect, (
            f"README walkthrough: `{line}` exited {proc.returncode}, the README says {expect}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
        ran.append((line, proc.returncode))
        return proc

    for block in blocks:
        where = f"README.md:{block.line}"
        if block.what == "run" or block.what.startswith("run,"):
            m = re.fullmatch(r"run(?:, exit (\d+))?", block.what)
            assert m is not None, f"{where}: unknown marker {block.what!r}"
            expect = int(m.group(1) or 0)
            for line in block.text.splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    last = (line, run(line, expect))
        elif block.what == "output":
            assert last is not None, f"{where}: an output block before any command"
            line, proc = last
            missing = unmatched_lines(block.text, proc.stdout + proc.stderr)
            assert not missing, (
                f"{where}: `{line}` did not print these README lines:\n"
                + "\n".join(missing)
                + f"\n--- it printed\n{proc.stdout}{proc.stderr}"
            )
        elif block.what.startswith("archgate block of "):
            path = tmp_path / block.what.removeprefix("archgate block of ")
            assert path.is_file(), f"{where}: {path.name} was not created"
            assert archgate_block(path) == block.text, (
                f"{where}: the archgate block differs from what `archgate new` wrote:\n"
                + archgate_block(path)
            )
        else:
            path = tmp_path / block.what
            assert not path.is_absolute() or path.is_relative_to(tmp_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text, encoding="utf-8")

    assert [code for _, code in ran] == [0, 0, 0, 1], ran  # new, pytest, accept, regression

    # what the prose claims: the ADR is ADR-0001, accepted with decision mlp ...
    adr = tmp_path / "adr" / "0001-model-family-for-fraud-scoring.md"
    data = yaml.safe_load(front_matter(adr))
    assert data["status"] == "accepted"
    assert data["archgate"]["decision"] == "mlp"
    assert "\n## Evidence\n" in adr.read_text(encoding="utf-8")
    # ... and plain `pytest` passes again
    run("pytest", 0)
