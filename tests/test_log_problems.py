"""Problems in a decision log: what stops pytest (errors) and what never does (warnings).

A file with an ``archgate:`` block takes part in gating: a problem in it stops the run. A file
kept only as a record (no ``archgate:`` block) never breaks a test suite, above all in a folder
the plugin found by itself (``docs/decisions``), which the project never pointed it at.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

USAGE_ERROR = pytest.ExitCode.USAGE_ERROR

TEMPLATE = """\
---
status: {proposed | rejected | accepted | deprecated | … | superseded by [ADR-0001](0001-a.md)}
date: {YYYY-MM-DD when the decision was last updated}
---
# {short title}
"""
BROKEN = "---\nstatus: [accepted\n---\n# Broken record\n"
PLAIN = "# {n}. Record {n}\n\n## Status\n\nAccepted\n"
TESTS = "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n"


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def messy_log(folder: Path) -> None:
    """A record-only log as real projects keep them: a template left in with placeholder
    YAML under a name that is not a template's, front matter that does not parse, and two
    files that share a number."""
    write(folder, "0001-a.md", PLAIN.format(n=1))
    write(folder, "0002-b.md", PLAIN.format(n=2))
    write(folder, "0002-c.md", PLAIN.format(n=2))
    write(folder, "0003-draft-from-template.md", TEMPLATE)
    write(folder, "0004-broken.md", BROKEN)


@pytest.mark.parametrize("folder", ["docs/decisions", "docs/adr", "adr"])
@pytest.mark.parametrize("ini", ["[pytest]\n", "[pytest]\nfilterwarnings = error\n"])
def test_record_only_log_never_breaks_a_suite(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, folder: str, ini: str
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini(ini)
    messy_log(pytester.path / folder)
    pytester.makepyfile(test_plain=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=2)
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "UsageError" not in result.stderr.str()


def test_explicit_folder_with_record_only_problems_runs(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\narchgate_adr_dir = records\n")
    messy_log(pytester.path / "records")
    pytester.makepyfile(test_plain=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=2)


GATED = """\
---
status: accepted
archgate:
  decision: a
  acceptance:
    x: ">= 1"
---
# Gated
"""


def test_gated_file_with_a_problem_stops_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\n")
    folder = pytester.path / "docs" / "decisions"
    messy_log(folder)
    write(folder, "0005-gated.md", GATED.replace('">= 1"', '">= 1"\n    x: ">= 2"'))
    pytester.makepyfile(test_plain=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: archgate: 1 ADR file(s) cannot be parsed (run `archgate lint` for details):",
            "  docs/decisions/0005-gated.md:7: archgate.acceptance.x: key 'x' appears twice*",
        ]
    )


def test_shared_number_with_a_gated_file_stops_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\n")
    folder = pytester.path / "adr"
    write(folder, "0005-gated.md", GATED)
    write(folder, "0005-other.md", PLAIN.format(n=5))
    pytester.makepyfile(test_plain=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: archgate: duplicate ADR ids:", "  ADR-0005: adr/0005-gated.md, adr/0005-other.md"]
    )


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            "ADR-0004",
            "*test_linked.py:3: 'ADR-0004' names docs/decisions/0004-broken.md, which cannot be "
            "parsed: docs/decisions/0004-broken.md:3: front matter: front matter is not valid "
            "YAML*",
        ),
        (
            "ADR-0002",
            "*test_linked.py:3: 'ADR-0002' is ambiguous: docs/decisions/0002-b.md, "
            "docs/decisions/0002-c.md all read as ADR-0002*",
        ),
    ],
)
def test_marker_naming_a_problem_file_gets_its_problem(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ref: str, message: str
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\n")
    messy_log(pytester.path / "docs" / "decisions")
    pytester.makepyfile(
        test_linked=f"""
        import pytest

        @pytest.mark.archgate("{ref}")
        def test_linked():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    # the other file of a shared number is reachable by its stem
    if ref == "ADR-0002":
        (pytester.path / "test_linked.py").write_text(
            'import pytest\n\n\n@pytest.mark.archgate("0002-c")\ndef test_linked():\n    pass\n'
        )
        assert pytester.runpytest_subprocess("-p", "no:cacheprovider").ret == pytest.ExitCode.OK


def test_cli_list_and_lint_on_a_record_only_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_archgate.cli.main import main

    messy_log(tmp_path / "docs" / "decisions")
    monkeypatch.chdir(tmp_path)
    assert main(["list"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "warning: docs/decisions/0003-draft-from-template.md:2: front matter: front matter is "
        "not valid YAML: did not find expected ',' or '}'",
        "warning: docs/decisions/0004-broken.md:3: front matter: front matter is not valid "
        "YAML: did not find expected ',' or ']'",
        "warning: docs/decisions/0002-b.md: id: duplicate id ADR-0002 in "
        "docs/decisions/0002-b.md, docs/decisions/0002-c.md",
    ]
    assert main(["lint"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert all(": warning: " in line for line in out[:-1]), out
    assert len(out) == 4
    assert out[-1].endswith(": 3 warning(s), no errors")
    assert main(["lint", "--strict"]) == 1
