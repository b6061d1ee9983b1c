"""The CLI and pytest resolve every ARCHGATE_* setting a command uses the same way.

Both go through :mod:`pytest_archgate.settings` (command line > environment > ini key); these
tests run the real ``archgate`` command and a real pytest run on the same project with the same
environment and ini file, and check that they agree: the ADR folder (``archgate list`` and the
ADRs the report judges), strict and family (``archgate merge`` and the report pytest writes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ADR = """---
status: accepted
date: 2026-12-01
archgate:
  decision: a
  options: [a, b]
  acceptance:
    score: ">= 0.5"
---
# {title}
"""

CLI = "import sys; from pytest_archgate.cli.main import main; sys.exit(main(sys.argv[1:]))"


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ARCHGATE_", "PYTEST_", "GITHUB_")) and k != "CI"
    }
    env.update(extra)
    return env


def _pytest(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    return subprocess.run(
        [*cmd, *args], cwd=root, env=_env(env), capture_output=True, text=True, check=False
    )


def _archgate(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=root,
        env=_env(env),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two ADR folders (``adr`` and ``decisions``) with different ADRs, and one plain test."""
    for folder, title in (("adr", "In adr"), ("decisions", "In decisions")):
        (tmp_path / folder).mkdir()
        number = "0001" if folder == "adr" else "0002"
        (tmp_path / folder / f"{number}-x.md").write_text(ADR.format(title=title))
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return tmp_path


def _ini(root: Path, **keys: str) -> None:
    body = "".join(f"archgate_{k} = {v}\n" for k, v in keys.items())
    (root / "pytest.ini").write_text("[pytest]\n" + body)


@pytest.mark.parametrize(
    ("env", "ini", "expected"),
    [
        ({}, {}, "ADR-0001"),
        ({"ARCHGATE_ADR_DIR": "decisions"}, {}, "ADR-0002"),
        ({}, {"adr_dir": "decisions"}, "ADR-0002"),
        ({"ARCHGATE_ADR_DIR": "adr"}, {"adr_dir": "decisions"}, "ADR-0001"),
        ({"ARCHGATE_ADR_DIR": ""}, {"adr_dir": "decisions"}, "ADR-0002"),  # empty: unset
    ],
    ids=["default", "env", "ini", "env-over-ini", "empty-env"],
)
def test_adr_dir_agrees(
    project: Path, env: dict[str, str], ini: dict[str, str], expected: str
) -> None:
    _ini(project, **ini)
    ran = _pytest(project, env, "--archgate-report=r.json")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    judged = [a["id"] for a in json.loads((project / "r.json").read_text())["adrs"]]
    listed = _archgate(project, env, "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert [a["id"] for a in json.loads(listed.stdout)] == judged == [expected]


@pytest.fixture
def base_report(project: Path) -> Path:
    """A report of a run with every setting at its default (not strict, no family)."""
    ran = _pytest(project, {}, "--archgate-report=base.json")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    data = json.loads((project / "base.json").read_text())
    assert (data["strict"], data["family"]) == (False, "none")
    return project / "base.json"


@pytest.mark.parametrize(
    ("env", "ini", "expected"),
    [
        ({}, {}, False),
        ({"ARCHGATE_STRICT": "1"}, {}, True),
        ({}, {"strict": "true"}, True),
        ({"ARCHGATE_STRICT": "off"}, {"strict": "true"}, False),
        ({"ARCHGATE_STRICT": "  "}, {"strict": "yes"}, True),  # blank: unset
    ],
    ids=["default", "env", "ini", "env-false-over-ini", "blank-env"],
)
def test_strict_agrees(
    project: Path, base_report: Path, env: dict[str, str], ini: dict[str, str], expected: bool
) -> None:
    _ini(project, **ini)
    ran = _pytest(project, env, "--archgate-report=r.json")
    merged = _archgate(project, env, "merge", str(base_report), "-o", "m.json")
    pytest_view = json.loads((project / "r.json").read_text())["strict"]
    merge_view = json.loads((project / "m.json").read_text())["strict"]
    assert pytest_view == merge_view == expected
    # strict with an unmeasured accepted criterion fails both
    assert (ran.returncode != 0) == (merged.returncode != 0) == expected, (
        ran.stdout + merged.stdout + merged.stderr
    )


@pytest.mark.parametrize(
    ("env", "ini", "expected"),
    [
        ({}, {}, "none"),
        ({"ARCHGATE_FAMILY": "holm"}, {}, "holm"),
        ({}, {"family": "Holm"}, "holm"),
        ({"ARCHGATE_FAMILY": "none"}, {"family": "holm"}, "none"),
    ],
    ids=["default", "env", "ini", "env-over-ini"],
)
def test_family_agrees(
    project: Path, base_report: Path, env: dict[str, str], ini: dict[str, str], expected: str
) -> None:
    _ini(project, **ini)
    ran = _pytest(project, env, "--archgate-report=r.json")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    merged = _archgate(project, env, "merge", str(base_report), "-o", "m.json")
    assert merged.returncode == 0, merged.stderr
    pytest_view = json.loads((project / "r.json").read_text())["family"]
    merge_view = json.loads((project / "m.json").read_text())["family"]
    assert pytest_view == merge_view == expected


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("ARCHGATE_STRICT", "maybe", "is neither true nor false"),
        ("ARCHGATE_FAMILY", "bonferroni", "is not one of none, holm"),
    ],
)
def test_bad_values_are_refused_alike(
    project: Path, base_report: Path, name: str, value: str, words: str
) -> None:
    env = {name: value}
    ran = _pytest(project, env)
    merged = _archgate(project, env, "merge", str(base_report), "-o", "m.json")
    assert ran.returncode == pytest.ExitCode.USAGE_ERROR
    assert merged.returncode == 2
    expected = f"{name}: {value!r} {words}"
    assert expected in ran.stderr
    assert expected in merged.stderr
    assert "Traceback" not in ran.stderr + merged.stderr
