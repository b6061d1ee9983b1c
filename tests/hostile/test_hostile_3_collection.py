"""Hostile class 3: collection is not judgement.

``--collect-only``, ``--help``, ``--fixtures``, ``--markers``, ``--version`` (and the other runs
that only show something) never judge ADRs, never write the report or the GitHub job summary,
and never fail because of archgate, also with ``--archgate-strict`` and with a log or markers
that a real run would refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import AdrProject

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")
FAST += ("-p", "no:cacheprovider")

# a violated accepted criterion and an unmeasured one: a real run fails, even without strict
TESTS = """
    import pytest

    @pytest.mark.archgate("ADR-0002")
    def test_xgboost(archgate):
        archgate.record("roc_auc", 0.5)

    def test_plain():
        pass
"""

INSPECTIONS = {
    "co": (("--co",), 0),
    "collect-only": (("--collect-only", "-q"), 0),
    "help": (("--help",), 0),
    "fixtures": (("--fixtures",), 0),
    "fixtures-per-test": (("--fixtures-per-test",), 0),
    "markers": (("--markers",), 0),
    "version": (("--version",), 0),
    "setup-plan": (("--setup-plan",), 0),
}


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A GitHub Actions environment whose job summary and outputs land in files."""
    summary = tmp_path / "github" / "summary.md"
    summary.parent.mkdir()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(summary.parent / "output.txt"))
    return summary


def run(project: AdrProject, *args: str, xdist: Sequence[str] = ()) -> pytest.RunResult:
    # a subprocess: --help and --version print and exit in ways an in-process run cannot show
    return project.pytester.runpytest_subprocess(*FAST, *xdist, *args)


def assert_untouched(project: AdrProject, result: pytest.RunResult, summary: Path) -> None:
    text = result.stdout.str() + result.stderr.str()
    assert "= archgate =" not in text
    assert "archgate report:" not in text
    assert "FAILED (session)" not in text
    assert "FAILED (--archgate-strict)" not in text
    assert "::error" not in text
    assert not (project.path / "report.json").exists()
    assert not summary.exists()
    assert not (summary.parent / "output.txt").exists()
    # pytest's own --help mentions tracebacks; a real one starts like this
    assert "Traceback (most recent call last)" not in text
    assert "INTERNALERROR" not in text


@pytest.mark.parametrize("kind", list(INSPECTIONS))
def test_inspection_never_judges(adr_project: AdrProject, github: Path, kind: str) -> None:
    args, ret = INSPECTIONS[kind]
    adr_project.tests(TESTS)
    result = run(adr_project, *args, "--archgate-strict", "--archgate-report=report.json")
    assert result.ret == ret, result.stdout.str() + result.stderr.str()
    assert_untouched(adr_project, result, github)


@pytest.mark.parametrize(
    "xdist", [pytest.param(("-n", "1"), id="n1"), pytest.param(("-n", "2"), id="n2")]
)
def test_collect_only_under_xdist(
    adr_project: AdrProject, github: Path, xdist: tuple[str, ...]
) -> None:
    adr_project.tests(TESTS)
    result = run(
        adr_project, "--co", "--archgate-strict", "--archgate-report=report.json", xdist=xdist
    )
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*test_xgboost*", "*test_plain*"])
    assert_untouched(adr_project, result, github)


def test_env_strict_does_not_fail_collection(
    adr_project: AdrProject, github: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adr_project.pytester.makeini("[pytest]\narchgate_strict = true\narchgate_report = r.json\n")
    monkeypatch.setenv("ARCHGATE_STRICT", "1")
    adr_project.tests(TESTS)
    result = run(adr_project, "--co")
    assert result.ret == 0
    assert not (adr_project.path / "r.json").exists()
    assert_untouched(adr_project, result, github)


@pytest.mark.parametrize(
    "problem",
    [
        "unknown-marker",
        "broken-adr",
        "missing-folder",
        "bad-setting",
    ],
)
@pytest.mark.parametrize("args", [("--co",), ("--fixtures",), ("--markers",), ("--help",)])
def test_collection_does_not_fail_because_of_archgate(
    adr_project: AdrProject,
    github: Path,
    monkeypatch: pytest.MonkeyPatch,
    problem: str,
    args: tuple[str, ...],
) -> None:
    """What a real run refuses (exit 4) does not stop a listing: IDEs collect to show tests."""
    adr_project.tests(TESTS)
    if problem == "unknown-marker":
        adr_project.tests(
            'import pytest\n\n@pytest.mark.archgate("ADR-0099")\ndef test_x():\n    pass\n',
            name="test_unknown",
        )
    elif problem == "broken-adr":
        adr_project.write_adr(
            "0006-broken",
            "---\nstatus: accepted\narchgate:\n  decision: a\n  acceptance:\n    x: nonsense\n"
            "---\n# Broken\n",
        )
    elif problem == "missing-folder":
        monkeypatch.setenv("ARCHGATE_ADR_DIR", "nowhere")
    else:
        monkeypatch.setenv("ARCHGATE_STRICT", "maybe")
    if args == ("--co",):
        real = run(adr_project)
        assert real.ret == pytest.ExitCode.USAGE_ERROR  # the control: a real run refuses
    result = run(adr_project, *args)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert_untouched(adr_project, result, github)


def test_markers_and_options_are_still_listed(adr_project: AdrProject) -> None:
    markers = run(adr_project, "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.archgate(*adr_ids, option=None):*"])
    helps = run(adr_project, "--help")
    helps.stdout.fnmatch_lines(
        [
            "*--archgate-strict*",
            "*archgate_require_gpu (bool):*",
        ]
    )
    fixtures = run(adr_project, "--fixtures")
    fixtures.stdout.fnmatch_lines(["archgate -- *"])


def test_a_real_run_after_collection_still_judges(adr_project: AdrProject, github: Path) -> None:
    """The control: the same project judged for real writes everything and fails."""
    adr_project.tests(TESTS)
    result = run(adr_project, "--archgate-report=report.json")
    assert result.ret == 1
    assert (adr_project.path / "report.json").exists()
    assert github.exists()
