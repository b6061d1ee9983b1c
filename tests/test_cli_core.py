"""The ``archgate list`` and ``archgate lint`` commands, and how the CLI finds the ADR folder.

Most tests call :func:`pytest_archgate.cli.main.main` in-process (fast); a few run the installed
``archgate`` script to check what a user sees: exit codes and one-line errors.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import no_traceback, write_standard_adrs

from pytest_archgate.cli.main import main

ARCHGATE = Path(sys.executable).parent / "archgate"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (cwd) with ``pytest.ini`` and the standard ADRs in ``adr/``."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    write_standard_adrs(tmp_path / "adr")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------------------------------------
# list


def test_list_table(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["ADR", "status", "date", "title", "file"]
    assert len(lines) == 6
    assert lines[1].split()[:3] == ["ADR-0001", "accepted", "2024-01-01"]
    assert lines[2].endswith("adr/0002-use-xgboost.md")
    assert "Use XGBoost for churn scoring" in lines[2]
    assert [line.split()[1] for line in lines[1:]] == [
        "accepted",
        "accepted",
        "proposed",
        "superseded",
        "accepted",
    ]
    # columns line up
    assert len({line.index("adr/") for line in lines[1:]}) == 1


def test_list_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "list", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [a["id"] for a in data] == ["ADR-0001", "ADR-0002", "ADR-0003", "ADR-0004", "ADR-0005"]
    assert set(data[0]) == {
        "id",
        "title",
        "status",
        "status_raw",
        "file",
        "date",
        "format",
        "superseded_by",
        "decision",
        "baseline",
        "options",
        "acceptance",
        "constraints",
    }
    xgb = data[1]
    assert (xgb["decision"], xgb["baseline"], xgb["options"]) == (
        "xgboost",
        "logreg",
        ["xgboost", "logreg", "mlp"],
    )
    assert [(c["name"], c["line"], c["bound"]) for c in xgb["acceptance"]] == [
        ("roc_auc", 11, ">= 0.9"),
        ("latency_p95_ms", 12, "<= 50"),
        ("auc_gain", 13, ">= 0.01 vs logreg"),
    ]
    assert [(c["name"], c["kind"]) for c in xgb["constraints"]] == [("positive_rate", "constraint")]
    assert data[3]["superseded_by"] == "ADR-0005"
    assert data[0]["date"] == "2024-01-01"


def test_list_adr_dir_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_standard_adrs(tmp_path / "somewhere" / "records")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "list", "--adr-dir", "somewhere/records", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data[1]["file"] == "somewhere/records/0002-use-xgboost.md"
    code, out, _ = cli(capsys, "list", "--adr-dir", str(tmp_path / "somewhere" / "records"))
    assert code == 0
    assert "ADR-0005" in out


def test_list_with_broken_adr_lists_the_rest(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "adr", "0006-broken.md", "---\nstatus: [accepted\n---\n")
    code, out, err = cli(capsys, "list", "--format", "json")
    # a record without an archgate block: a warning on stderr, exit 0
    assert code == 0
    assert len(json.loads(out)) == 5
    assert err.startswith("warning: adr/0006-broken.md:")
    assert "front matter is not valid YAML" in err
    assert len(err.strip().splitlines()) == 1
    # with an archgate block it breaks gating: an error, exit 1
    write(project / "adr", "0006-broken.md", "---\nstatus: [accepted\narchgate: {}\n---\n")
    code, out, err = cli(capsys, "list", "--format", "json")
    assert code == 1
    assert len(json.loads(out)) == 5
    assert err.startswith("error: adr/0006-broken.md:")
    assert len(err.strip().splitlines()) == 1


def test_list_excludes_readme_index_templates(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("README.md", "index.md", "template.md", "adr-template.md"):
        write(project / "adr", name, "---\nstatus: [broken\n---\n# Not a decision\n")
    code, out, _ = cli(capsys, "list", "--format", "json")
    assert code == 0
    assert len(json.loads(out)) == 5


# ---------------------------------------------------------------------------------------------
# lint


def test_lint_clean(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "lint")
    assert (code, err) == (0, "")
    assert out == f"5 ADRs in {project / 'adr'}: no problems\n"


LINT_CASES = {
    "parse-error": (
        {
            "0006-broken.md": (
                "---\nstatus: accepted\narchgate:\n  decision: a\n acceptance: x\n---\n"
            )
        },
        ["adr/0006-broken.md:5: error: front matter: front matter is not valid YAML: *"],
    ),
    "invalid-criterion": (
        {
            "0006-bad.md": (
                "---\nstatus: accepted\narchgate:\n  decision: a\n  acceptance:\n"
                "    auc: {min: 0.9, max: 0.1}\n---\n"
            )
        },
        [
            "adr/0006-bad.md:6: error: archgate.acceptance.auc: min 0.9 is greater than max 0.1: "
            "no value can pass"
        ],
    ),
    "unknown-archgate-key": (
        {"0006-bad.md": "---\nstatus: accepted\narchgate:\n  criteria: {}\n---\n"},
        ["adr/0006-bad.md:4: error: archgate.criteria: unknown key 'criteria'; allowed: *"],
    ),
    "duplicate-id": (
        {"0002-again.md": "# 2. Again\n\n## Status\n\nAccepted\n"},
        [
            "adr/0002-again.md: error: id: duplicate id ADR-0002 in adr/0002-again.md, "
            "adr/0002-use-xgboost.md"
        ],
    ),
    "missing-successor": (
        {"0006-old.md": "---\nstatus: superseded by ADR-0042\n---\n# Old\n"},
        ["adr/0006-old.md:2: warning: status: superseded by 'ADR-0042', which is not in the log"],
    ),
    "missing-successor-link": (
        {
            "0006-old.md": (
                "# 6. Old\n\n## Status\n\nSuperseded by [9. New](0009-new.md)\n\n## Context\n"
            )
        },
        [
            "adr/0006-old.md:5: warning: status: superseded by '0009-new.md', which is not in "
            "the log"
        ],
    ),
    "cycle": (
        {
            "0006-a.md": "---\nstatus: superseded by ADR-0007\n---\n# A\n",
            "0007-b.md": "---\nstatus: superseded by ADR-0006\n---\n# B\n",
        },
        ["adr/0006-a.md:2: warning: status: supersede cycle ADR-0006 -> ADR-0007 -> ADR-0006"],
    ),
    "self-cycle": (
        {"0006-a.md": "---\nstatus: superseded by ADR-0006\n---\n# A\n"},
        ["adr/0006-a.md:2: warning: status: supersede cycle ADR-0006 -> ADR-0006"],
    ),
    "unknown-status-with-archgate": (
        {
            "0006-hold.md": (
                "---\nstatus: on ice\narchgate:\n  decision: a\n  acceptance:\n"
                '    auc: ">= 0.9"\n---\n'
            )
        },
        [
            "adr/0006-hold.md:2: error: status: status 'on ice' is not one of proposed, accepted, "
            "rejected, deprecated, superseded (or a synonym such as *): an ADR with an archgate "
            "block is never enforced without one*"
        ],
    ),
    "no-status-with-archgate": (
        {"0006-none.md": '---\narchgate:\n  decision: a\n  acceptance:\n    auc: ">= 0.9"\n---\n'},
        [
            "adr/0006-none.md:2: error: status: no status; an ADR with an archgate block needs "
            "one of *"
        ],
    ),
    "no-criteria": (
        {"0006-empty.md": "---\nstatus: accepted\narchgate:\n  decision: a\n---\n"},
        [
            "adr/0006-empty.md:3: error: archgate: no acceptance criteria or constraints: "
            "nothing can be checked"
        ],
    ),
    "accepted-without-decision": (
        {
            "0006-nodec.md": (
                '---\nstatus: accepted\narchgate:\n  acceptance:\n    auc: ">= 0.9"\n---\n'
            )
        },
        [
            "adr/0006-nodec.md:3: error: archgate.decision: an accepted ADR with criteria must "
            "name the option it chose"
        ],
    ),
}


@pytest.mark.parametrize("kind", list(LINT_CASES))
def test_lint_problems(project: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    import fnmatch

    files, expected = LINT_CASES[kind]
    for name, text in files.items():
        write(project / "adr", name, text)
    code, out, err = cli(capsys, "lint")
    warnings_only = all(": warning: " in e for e in expected)
    assert code == (0 if warnings_only else 1)
    assert err == ""
    lines = out.splitlines()
    if warnings_only:  # a summary line follows the warnings
        assert fnmatch.fnmatchcase(
            lines.pop(), f"* ADRs in {project / 'adr'}: {len(expected)} warning(s), no errors"
        )
    assert len(lines) == len(expected), lines
    for line, pattern in zip(lines, expected, strict=True):
        assert fnmatch.fnmatchcase(line, pattern), line
    # --strict fails on warnings too
    code, _, _ = cli(capsys, "lint", "--strict")
    assert code == 1


def test_lint_reports_every_problem_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected: list[str] = []
    number = 100
    for kind, (files, lines) in LINT_CASES.items():
        if "cycle" in kind:
            continue  # these refer to each other by id; renumbering would break them
        for name, text in files.items():
            new_name = name if kind == "duplicate-id" else f"{number:04d}-{name.split('-', 1)[1]}"
            number += 1
            write(project / "adr", new_name, text)
            expected.extend(line.replace(name, new_name) for line in lines)
    code, out, _ = cli(capsys, "lint")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == len(expected) == 10
    import fnmatch

    for pattern in expected:
        assert sum(fnmatch.fnmatchcase(line, pattern) for line in lines) == 1, pattern


# ---------------------------------------------------------------------------------------------
# finding the folder


@pytest.mark.parametrize(
    ("config_name", "config"),
    [
        ("pytest.ini", "[pytest]\narchgate_adr_dir = architecture/decisions\n"),
        (".pytest.ini", "[pytest]\narchgate_adr_dir = architecture/decisions\n"),
        (
            "pyproject.toml",
            '[project]\nname = "x"\n\n[tool.pytest.ini_options]\n'
            'archgate_adr_dir = "architecture/decisions"\n',
        ),
        ("tox.ini", "[tox]\n\n[pytest]\narchgate_adr_dir = architecture/decisions\n"),
        (
            "setup.cfg",
            "[metadata]\nname = x\n\n[tool:pytest]\narchgate_adr_dir = architecture/decisions\n",
        ),
    ],
)
def test_ini_discovery(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config_name: str,
    config: str,
) -> None:
    (tmp_path / config_name).write_text(config, encoding="utf-8")
    write_standard_adrs(tmp_path / "architecture" / "decisions")
    write(tmp_path / "adr", "0001-decoy.md", "# Decoy\n")  # the default folder must not win
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "list", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data) == 5
    assert data[0]["file"] == "architecture/decisions/0001-record-architecture-decisions.md"


def test_ini_discovery_from_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\narchgate_adr_dir = "docs/records"\n', encoding="utf-8"
    )
    write_standard_adrs(tmp_path / "docs" / "records")
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    code, out, _ = cli(capsys, "lint")
    assert code == 0
    assert out == f"5 ADRs in {tmp_path / 'docs' / 'records'}: no problems\n"


def test_pyproject_without_pytest_section_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\narchgate_adr_dir = records\n")
    write_standard_adrs(tmp_path / "records")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    monkeypatch.chdir(inner)
    code, out, _ = cli(capsys, "lint")
    assert (code, out) == (0, f"5 ADRs in {tmp_path / 'records'}: no problems\n")


@pytest.mark.parametrize("folder", ["adr", "docs/adr", "doc/adr", "docs/decisions"])
def test_default_and_fallback_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], folder: str
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    write_standard_adrs(tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "list", "--format", "json")
    assert code == 0
    assert json.loads(out)[1]["file"] == f"{folder}/0002-use-xgboost.md"


# ---------------------------------------------------------------------------------------------
# errors and exit codes


def test_no_folder_is_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    monkeypatch.chdir(tmp_path)
    for command in ("list", "lint"):
        code, out, err = cli(capsys, command)
        assert (code, out) == (2, "")
        assert err == (
            f"archgate {command}: error: no ADR folder found (looked for adr, docs/adr, doc/adr, "
            "docs/decisions); pass --adr-dir DIR\n"
        )


def test_missing_adr_dir_option(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "lint", "--adr-dir", "nope")
    assert (code, out) == (2, "")
    assert err == f"archgate lint: error: --adr-dir: ADR folder {project / 'nope'} does not exist\n"


def test_ini_pointing_to_missing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\narchgate_adr_dir = gone\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, "list")
    assert code == 2
    assert err.strip().endswith(f"ADR folder {tmp_path / 'gone'} does not exist")


def run_script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ARCHGATE), *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_script_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    if not ARCHGATE.exists():
        pytest.skip(f"no archgate script next to {sys.executable}")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    missing = run_script("list", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert len(missing.stderr.strip().splitlines()) == 1
    assert no_traceback(missing.stderr)

    write_standard_adrs(tmp_path / "adr")
    clean = run_script("lint", cwd=tmp_path)
    assert (clean.returncode, clean.stderr) == (0, "")

    write(tmp_path / "adr", "0006-bad.md", "---\nstatus: accepted\narchgate:\n  decision: 3\n---\n")
    broken = run_script("lint", cwd=tmp_path)
    assert broken.returncode == 1
    assert broken.stdout.splitlines() == [
        "adr/0006-bad.md:4: error: archgate.decision: expected an option name, got 3"
    ]
    assert no_traceback(broken.stdout + broken.stderr)

    listed = run_script("list", "--format", "json", cwd=tmp_path)
    assert listed.returncode == 1
    assert len(json.loads(listed.stdout)) == 5
    assert no_traceback(listed.stderr)

    usage = run_script("frobnicate", cwd=tmp_path)
    assert usage.returncode == 2
    assert no_traceback(usage.stderr)

    version = run_script("--version", cwd=tmp_path)
    assert (version.returncode, version.stdout.split()[0]) == (0, "archgate")


def test_bad_format_choice(project: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["list", "--format", "yaml"])
    assert info.value.code == 2


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.toml", '[pytest]\narchgate_adr_dir = "decisions"\n'),
        ("pyproject.toml", '[tool.pytest]\narchgate_adr_dir = "decisions"\n'),
    ],
)
def test_pytest9_toml_configuration_is_read(tmp_path: Path, name: str, text: str) -> None:
    from pytest_archgate.adr.config import resolve_adr_dir

    (tmp_path / name).write_text(text)
    (tmp_path / "decisions").mkdir()
    folder, root = resolve_adr_dir(None, tmp_path)
    assert folder == tmp_path / "decisions"
    assert root == tmp_path.resolve()


def test_status_with_trailing_punctuation_is_read() -> None:
    from pytest_archgate.adr.status import normalise_status

    assert normalise_status("Accepted.") == ("accepted", None)
    assert normalise_status("Proposed!") == ("proposed", None)
