"""Hostile text cannot start a GitHub Actions workflow command in any output.

The runner reads every stdout/stderr line that starts with ``::`` after leading whitespace as
a workflow command, and ``##[command]`` anywhere in a line (actions/runner,
``src/Runner.Common/ActionCommand.cs``). ADR titles, criterion and option names, test ids and
report values are written by whoever opens a pull request; here they carry ``\\n::error::``,
``\\r::stop-commands::``, ANSI escapes and ``##[error]``, and every output path is checked:
no line may start a command except archgate's own annotations, and the exit status must stay
what the verdict says.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pytest_archgate import escape
from pytest_archgate.cli import main as cli

NASTY = "\n::error::x \r::stop-commands::y \x1b[31mred\x1b[0m \x1b]0;title\x07 ##[error]z"
# pytest shows test ids itself (escaping line breaks and ANSI, not "##["): no "##[" here
NASTY_ID = "\n::error::x \r::stop-commands::y \x1b[31mred"
YAML_NASTY = (
    "\\n::error::x \\r::stop-commands::y \\e[31mred\\e[0m \\e]0;title\\a ##[error]z"  # YAML escapes
)

# Criterion and option names may not hold control characters (a parse error, see
# test_names_with_line_breaks_are_refused_without_injection); they can still hold command text.
NAME_NASTY = " ::error::x ##[error]z"


def adr_text(names: str) -> str:
    return f"""\
---
status: accepted
date: 2024-01-01
id: "::ERROR::ID"
title: "Model{YAML_NASTY}"
archgate:
  decision: "xg{names}"
  options: ["xg{names}", "lr"]
  acceptance:
    "roc{names}": ">= 0.9"
  constraints:
    "rows{names}": ">= 100"
---
# Ignored
"""


ADR = adr_text(NAME_NASTY)

SUPERSEDED = f"""\
---
status: superseded by ADR-0002
date: 2023-01-01
id: "::WARNING::OLD"
title: "Old{YAML_NASTY}"
---
# Old
"""

TESTS = f"""\
import pytest

NAME = {("roc" + NAME_NASTY)!r}
OPTION = {("xg" + NAME_NASTY)!r}

@pytest.mark.parametrize("v", [0.5], ids=[{NASTY_ID!r}])
@pytest.mark.archgate("::ERROR::ID")
def test_model(archgate, v):
    archgate.record(NAME, v)
    archgate.record({("rows" + NAME_NASTY)!r}, 5)

@pytest.mark.archgate("::WARNING::OLD")
def test_old():
    pass
"""

# archgate's own annotations: "::error title=...::message" with GitHub's escaping
OWN_COMMAND = re.compile(r"^::(error|warning|notice) [^\r\n]*?::[^\r\n]*$")


def assert_no_injected_command(text: str, *, allow_own: bool = False) -> None:
    for line in re.split(r"\r\n|\r|\n", text):
        if "##[" in line:
            raise AssertionError(f"legacy workflow command in output: {line!r}")
        if "\x1b" in line:
            raise AssertionError(f"ANSI escape in output: {line!r}")
        if line.lstrip().startswith("::"):
            if allow_own and OWN_COMMAND.match(line):
                continue
            raise AssertionError(f"line starts a workflow command: {line!r}")


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".md", **{"adr/0002-hostile": ADR, "adr/0001-old": SUPERSEDED})
    pytester.makeini("[pytest]\narchgate_adr_dir = adr\n")
    pytester.makepyfile(test_hostile=TESTS)
    return pytester


def test_pytest_run_output_has_no_injected_command(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = project.path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(project.path / "out.txt"))
    result = project.runpytest_subprocess(
        "--archgate-report", "report.json", "-rA", "-W", "default"
    )
    # the accepted decision is violated: the run fails
    assert result.ret == 1
    result.assert_outcomes(failed=1, passed=1, warnings=2)
    out, err = result.stdout.str(), result.stderr.str()
    assert "violates >= 0.9" in out
    assert_no_injected_command(out, allow_own=True)
    assert_no_injected_command(err)
    # archgate's own annotation is there, with the data escaped
    own = [line for line in out.splitlines() if line.startswith("::error ")]
    assert own, out
    # properties escape ':' (the title holds the hostile id), so the command cannot be cut short
    assert all("title=%3A%3AERROR%3A%3AID" in line for line in own), own
    # the hostile text is still shown, visibly
    assert "\\n::error::x" in out


def test_names_with_line_breaks_are_refused_without_injection(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", **{"adr/0002-hostile": adr_text(YAML_NASTY)})
    pytester.makeini("[pytest]\narchgate_adr_dir = adr\n")
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "0002-hostile.md" in err
    assert_no_injected_command(result.stdout.str())
    assert_no_injected_command(err)


def test_cli_output_has_no_injected_command(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project.runpytest_subprocess("--archgate-report", "report.json")
    report = project.path / "report.json"
    assert report.exists()
    monkeypatch.chdir(project.path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)

    # a second report whose values and errors carry the text as well
    data = json.loads(report.read_text(encoding="utf-8"))
    data["errors"] = [NASTY, "::error::plain"]
    data["adrs"][0]["title"] = NASTY
    hostile = project.path / "hostile.json"
    hostile.write_text(json.dumps(data), encoding="utf-8")

    runs = {
        "list": (["list"], 0),
        "list-json": (["list", "--format", "json"], 0),
        "lint": (["lint"], None),
        "merge": (["merge", str(hostile), "-o", "merged.json"], 1),
        "comment": (["comment", str(hostile), "--dry-run"], 0),
        "report": (["report", str(hostile), "--md", "out.md", "--html", "out.html"], 0),
        "accept": (["accept", "::ERROR::ID", "--report", str(hostile)], 1),
        "accept-option": (["accept", "::WARNING::OLD", "--option", NASTY], 1),
        "bad-report": (["merge", str(project.path / "adr" / "0002-hostile.md"), "-o", "m"], 2),
    }
    for name, (args, status) in runs.items():
        rc = cli.main(args)
        captured = capsys.readouterr()
        if status is not None:
            assert rc == status, (name, captured.out, captured.err)
        assert_no_injected_command(captured.out)
        assert_no_injected_command(captured.err)
    # the data itself is kept as written (JSON escapes it); only what is printed is neutralised
    merged = json.loads(Path("merged.json").read_text(encoding="utf-8"))
    assert any(NASTY in e for e in merged["errors"])


@pytest.mark.parametrize(
    "value",
    [
        "\n::error::x",
        "\r::stop-commands::y",
        "  ::warning::z",
        "\u2028::error::x",
        "\x85::error::x",
        "\t::error::x",
        "\x1b[2K\r::error::x",
        "a ##[error]b",
        "::add-mask::secret",
        "\u00a0::error::nbsp",
        "\u3000::error::ideographic-space",
    ],
)
def test_escape_text_and_line(value: str) -> None:
    for shown in (escape.text(value), escape.line("x" + value), escape.line(value)):
        assert "\n" not in shown
        assert "\r" not in shown
        assert "\x1b" not in shown
        assert_no_injected_command(shown)
    for part in escape.lines(value):
        assert_no_injected_command(part)


def test_markdown_and_html_escapers_neutralise_commands_and_mentions() -> None:
    md = escape.escape_md("::error::x @org/team fixes #12 |cell| `code` ##[error]")
    assert not md.startswith("::")
    assert "@&#8203;org" in md
    assert "#&#8203;12" in md
    for raw in ("|", "`", "##["):
        assert raw not in md
    html = escape.escape_html("<b>::x</b> ##[error] \"q\" 'a'")
    for raw in ("<", "##[", '"', "'"):
        assert raw not in html


def test_workflow_command_escaping_follows_githubs_rules() -> None:
    assert escape.command_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape.command_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert escape.command_data("\x1b[31mred") == "red"
