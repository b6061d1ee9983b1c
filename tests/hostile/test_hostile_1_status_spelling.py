"""Hostile input, class 1 (no silent pass): every way of spelling a status on a gated ADR.

An ADR with an ``archgate:`` block takes part in gating. If its status cannot be read, it must
stop pytest with a usage error naming the file, the line and the statuses allowed: loading it
as ``unknown`` would mean it is never enforced, and a violated criterion would pass silently.
Spellings that do read as a status are enforced: a violated criterion fails the run.
"""

from __future__ import annotations

import pytest

USAGE_ERROR = pytest.ExitCode.USAGE_ERROR
ALLOWED = "proposed, accepted, rejected, deprecated, superseded"

GATED = """\
---
{status_line}
archgate:
  decision: a
  acceptance:
    score: ">= 0.9"
---
# Gated decision
"""

VIOLATING_TEST = """\
import pytest

@pytest.mark.archgate("ADR-0001")
def test_score(archgate):
    archgate.record("score", 0.5)
"""


def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, adr: str) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for name in ("ARCHGATE_STRICT", "ARCHGATE_ADR_DIR", "ARCHGATE_REPORT"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeini("[pytest]\n")
    folder = pytester.path / "adr"
    folder.mkdir()
    (folder / "0001-gated.md").write_text(adr, encoding="utf-8")
    pytester.makepyfile(test_gate=VIOLATING_TEST)


UNREADABLE = {
    "typo": ("status: acepted", 2, "'acepted'", "did you mean accepted?"),
    "list": ("status: [accepted]", 2, "[accepted]", "YAML reads as a list"),
    "mapping": ("status: {value: accepted}", 2, "{value: accepted}", "YAML reads as a mapping"),
    "placeholder": ("status: { accepted }", 2, "{ accepted }", "YAML reads as a mapping"),
    "number": ("status: 1", 2, "1", "YAML reads as a number"),
    "boolean": ("status: yes", 2, "yes", "YAML reads as a boolean"),
    "quoted-list": ("status: '[accepted]'", 2, "'[accepted]'", "plain word"),
    "empty": ("status:", 3, "no status", "never enforced"),
    "missing": ("date: 2024-01-01", 3, "no status", "never enforced"),
    "sentence": ("status: we accepted it", 2, "'we accepted it'", "never enforced"),
    "alternatives": ("status: '{proposed | accepted}'", 2, "{proposed | accepted}", "plain"),
}


@pytest.mark.parametrize("kind", list(UNREADABLE))
def test_unreadable_status_on_a_gated_adr_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    line, lineno, shown, hint = UNREADABLE[kind]
    project(pytester, monkeypatch, GATED.format(status_line=line))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == USAGE_ERROR, result.stdout.str()
    err = result.stderr.str()
    assert f"adr/0001-gated.md:{lineno}: status: " in err
    assert shown in err
    assert ALLOWED in err
    assert hint in err
    assert "Traceback" not in err + result.stdout.str()
    assert "'value': " not in err  # the raw text, never a Python repr
    # archgate lint says the same, as an error
    from pytest_archgate.cli.main import main

    monkeypatch.chdir(pytester.path)
    assert main(["lint"]) == 1


@pytest.mark.parametrize(
    "status_line",
    [
        "status: accepted",
        "status: Accepted",
        "status: ACCEPTED",
        "status: Accepted.",
        "status: approved",
        "status: accepted (2024-01-01)",
        "status: accepted on 2024-01-01",
        'status: "✅ Accepted"',
    ],
)
def test_every_readable_spelling_of_accepted_is_enforced(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, status_line: str
) -> None:
    project(pytester, monkeypatch, GATED.format(status_line=status_line))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ADR-0001 score ?a? = 0.5 violates >= 0.9*"])


@pytest.mark.parametrize(
    "body_status",
    [
        "## Status\n\nAccepted\n",
        "## status\n\n✅ Accepted\n",
        "## 2. Status\n\n> Approved\n",
        "- Status: accepted\n",
        "**Status:** Accepted | **Date:** 2024-01-01\n",
        "| Status | Date |\n|---|---|\n| Accepted | 2024-01-01 |\n",
    ],
)
def test_a_status_in_the_body_of_a_gated_adr_is_enforced(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, body_status: str
) -> None:
    adr = GATED.format(status_line="date: 2024-01-01") + "\n" + body_status
    project(pytester, monkeypatch, adr)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=1)


def test_unterminated_front_matter_with_an_archgate_block_is_an_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without the closing '---' the block would be prose, and the decision never enforced
    project(
        pytester,
        monkeypatch,
        GATED.format(status_line="status: accepted").replace("---\n# Gated", "# Gated"),
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["*adr/0001-gated.md:1: front matter: *never closed*"])


def test_odd_status_without_archgate_block_stays_unknown(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project(pytester, monkeypatch, "---\nstatus: acepted\n---\n# A record\n")
    pytester.makepyfile(test_gate="def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK
    from pytest_archgate.cli.main import main

    monkeypatch.chdir(pytester.path)
    capsys.readouterr()
    assert main(["lint"]) == 0
    out = capsys.readouterr().out
    assert "adr/0001-gated.md:2: warning: status: 'acepted' is not one of" in out
    assert main(["lint", "--strict"]) == 1
