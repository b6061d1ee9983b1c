"""Rules of the plugin's session (``pytest_archgate.plugin.session``) that mutation testing
found unpinned (issue 15).

The session decides what a pytest run judges, its exit status and the report it writes. Each
test states one rule in its name and docstring and runs a real project through pytest
*in-process* (``pytester.runpytest``), so that the mutated session is the code that runs: a
subprocess or an xdist worker would import the package afresh and could not kill a mutant.

The project: ``adr/0001-ship.md``, accepted, decision ``cand`` (options ``cand``, ``base``),
the constraint ``rate`` on line 8 and the criteria ``acc >= 0.9`` (line 10) and
``lat <= 50`` (line 11).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from conftest import AdrProject, criterion, entry, no_traceback

PLAIN = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")
PLAIN += ("-p", "no:cacheprovider", "-p", "no:randomly")
# in-process runs inherit this suite's filterwarnings = error; a user's run does not
FAST = (*PLAIN, "-W", "always")
USAGE_ERROR = pytest.ExitCode.USAGE_ERROR
NO_TESTS = pytest.ExitCode.NO_TESTS_COLLECTED

MakeProject = Callable[..., AdrProject]

SHIP = """\
---
status: accepted
date: 2026-12-01
archgate:
  decision: cand
  options: [cand, base]
  constraints:
    rate: {min: 0.05, max: 0.2}
  acceptance:
    acc: ">= 0.9"
    lat: "<= 50"
---
# Ship the candidate
"""

WHERE = "(adr/0001-ship.md:10)"
ACC_FAILS = f"ADR-0001 acc [cand] = 0.8 violates >= 0.9 {WHERE}"
EXCUSE = "xfail, skip and reruns do not excuse a violated criterion of an accepted decision"


def esc(text: str) -> str:
    """``[`` and ``]`` escaped for ``fnmatch_lines``."""
    return re.sub(r"([\[\]])", r"[\1]", text)


@pytest.fixture
def ship(make_adr_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> AdrProject:
    for name in ("ARCHGATE_STRICT", "ARCHGATE_REPORT", "ARCHGATE_FAMILY", "ARCHGATE_ADR_DIR"):
        monkeypatch.delenv(name, raising=False)
    return make_adr_project(standard=False, **{"0001-ship": SHIP})


def run(project: AdrProject, tests: str, *args: str) -> pytest.RunResult:
    """Write ``tests`` and run pytest in-process with a report."""
    project.tests(tests)
    return project.pytester.runpytest(*FAST, "--archgate-report=report.json", *args)


def module_of(body: str) -> str:
    return "import pytest\n\n" + textwrap.dedent(body)


PASSING = module_of(
    """
    @pytest.mark.archgate("ADR-0001")
    def test_cand(archgate):
        archgate.record("acc", 0.95)
        archgate.record("lat", 10)
        archgate.record("rate", 0.1)
    """
)


# ---------------------------------------------------------------------------------------------
# what the run judges and its exit status


def test_a_run_that_meets_every_criterion_passes_and_says_so_in_its_report(
    ship: AdrProject,
) -> None:
    """Exit 0; the report carries the run's settings and no failure of any kind."""
    result = run(ship, PASSING)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    report = ship.report()
    assert entry(report, "ADR-0001")["verdict"] == "pass"
    assert entry(report, "ADR-0001")["tests"] == ["test_models.py::test_cand"]
    for key in ("session_failures", "strict_failures", "notes", "errors", "data_fingerprints"):
        assert report[key] == [], key
    assert (report["strict"], report["family"]) == (False, "none")
    assert report["adr_dir"] == str(ship.adr_dir)
    assert report["rootdir"] == str(ship.path)
    # the written report is the full one: with the environment and the commit
    assert "commit" in report
    assert report["environment"]["python"]
    result.stdout.fnmatch_lines(["*= archgate =*", "ADR-0001  accepted  pass     yes"])


def test_a_violation_in_the_test_body_fails_that_test_and_the_run_once(ship: AdrProject) -> None:
    """The test that measured the violation fails with the criterion's message (no
    traceback); the session does not repeat it as a session failure; the JUnit XML carries it
    as a property of the test case."""
    result = run(
        ship,
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.8)
                archgate.record("acc", 0.7, option="base")
                archgate.record("lat", 10)
            """
        ),
        "--junitxml=junit.xml",
    )
    result.assert_outcomes(failed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines([esc(ACC_FAILS)])
    assert no_traceback(result.stdout.str())
    report = ship.report()
    assert report["session_failures"] == []
    assert report["summary"]["enforced_failures"] == 1
    assert entry(report, "ADR-0001")["failing"] == ["acc"]
    junit = ElementTree.parse(ship.path / "junit.xml")
    properties = [(p.get("name"), p.get("value")) for p in junit.iter("property")]
    # only the decision is judged in the test body
    assert properties == [("archgate:ADR-0001:acc", f"fail: {ACC_FAILS}")]


def test_only_the_decision_of_an_accepted_adr_is_judged_in_the_test_body(
    make_adr_project: MakeProject,
) -> None:
    """A proposed ADR, an accepted one without a decision, a ``vs`` criterion and replicates
    never fail the test that measured them; the gate judges them at the end of the run."""
    undecided = SHIP.replace("  decision: cand\n", "").replace("0001", "0002")
    proposed = SHIP.replace("status: accepted", "status: proposed")
    gain = SHIP.replace(
        '    lat: "<= 50"\n', '    lat: "<= 50"\n    gain: {metric: acc, vs: base, min: 0}\n'
    )
    project = make_adr_project(
        standard=False,
        **{"0001-ship": gain, "0002-open": undecided, "0003-maybe": proposed.replace("0001", "3")},
    )
    result = run(
        project,
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_gain(archgate):
                archgate.record("acc", 0.95)
                archgate.record("acc", 0.99, option="base")

            @pytest.mark.archgate("ADR-0001")
            @pytest.mark.parametrize("seed", [1, 2])
            def test_seed(archgate, seed):
                archgate.record("lat", 60 + seed, replicate=f"s{seed}")

            @pytest.mark.archgate("ADR-0002", option="cand")
            def test_open(archgate):
                archgate.record("acc", 0.5)

            @pytest.mark.archgate("ADR-0003")
            def test_maybe(archgate):
                archgate.record("acc", 0.5)
            """
        ),
    )
    result.assert_outcomes(passed=5)
    assert result.ret == 1
    report = project.report()
    assert [f.split(" = ")[0] for f in report["session_failures"]] == [
        "ADR-0001 lat [cand]",
        "ADR-0001 gain (acc) [cand]",
        "ADR-0002 acc [cand]",
    ]


# ---------------------------------------------------------------------------------------------
# a test's outcome never excuses a violated criterion


@pytest.mark.parametrize(
    ("body", "outcome", "excuse"),
    [
        (
            """
            @pytest.mark.xfail(reason="flaky")
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.8)
            """,
            "xfailed",
            "is marked xfail",
        ),
        (
            # measured in the teardown, after a body that passed: the test shows as xpassed
            """
            @pytest.fixture
            def late(archgate):
                yield
                archgate.record("acc", 0.8)

            @pytest.mark.xfail(reason="flaky")
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate, late):
                pass
            """,
            "xpassed",
            "is marked xfail",
        ),
        (
            """
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.8)
                pytest.skip("no time")
            """,
            "skipped",
            "skipped after measuring",
        ),
    ],
    ids=["xfailed", "xpassed", "skipped"],
)
def test_xfail_and_skip_do_not_excuse_a_violation_and_the_session_says_why(
    ship: AdrProject, body: str, outcome: str, excuse: str
) -> None:
    """The test may show as xfailed, xpassed or skipped; the run fails all the same, with a
    session failure that names the test and what its outcome would have hidden."""
    result = run(ship, module_of(body))
    result.assert_outcomes(**{outcome: 1})
    assert result.ret == 1
    expected = f"{ACC_FAILS}; test_models.py::test_cand {excuse}: {EXCUSE}"
    assert ship.report()["session_failures"] == [expected]
    result.stdout.fnmatch_lines([f"FAILED (session) {esc(expected)}"])


# the rerun protocol of pytest-rerunfailures, reduced to what matters: a failed attempt is
# logged with the outcome "rerun" and the same item is set up and run again
RERUN_CONFTEST = """
import pytest
from _pytest.runner import runtestprotocol


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for attempt in range(2):
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
        if attempt == 0 and any(r.failed for r in reports):
            for r in reports:
                if r.failed:
                    r.outcome = "rerun"
                item.ihook.pytest_runtest_logreport(report=r)
            item._initrequest()
            continue
        for r in reports:
            item.ihook.pytest_runtest_logreport(report=r)
        break
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def pytest_report_teststatus(report):
    if report.outcome == "rerun":
        return "rerun", "R", "RERUN"
"""


def test_a_rerun_that_passes_does_not_excuse_the_violation_of_its_first_attempt(
    ship: AdrProject,
) -> None:
    ship.pytester.makeconftest(RERUN_CONFTEST)
    result = run(
        ship,
        module_of(
            """
            ATTEMPTS = []

            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                ATTEMPTS.append(1)
                archgate.record("acc", 0.8 if len(ATTEMPTS) == 1 else 0.95)
            """
        ),
    )
    assert result.ret == 1
    assert ship.report()["session_failures"] == [
        f"{ACC_FAILS}; test_models.py::test_cand was rerun: {EXCUSE}"
    ]


def test_the_session_failure_names_only_the_excused_tests_whose_own_values_violate(
    ship: AdrProject,
) -> None:
    """Of two xfailed tests measuring the failing criterion, only the one whose own
    measurement of that option violates it is named: a test whose value met the bound is not
    blamed, whatever it measured for another option."""
    result = run(
        ship,
        module_of(
            """
            @pytest.mark.xfail(reason="unrelated")
            @pytest.mark.archgate("ADR-0001")
            def test_good(archgate):
                archgate.record("acc", 0.95)
                archgate.record("acc", 0.8, option="base")
                assert False

            @pytest.mark.xfail(reason="flaky")
            @pytest.mark.archgate("ADR-0001")
            def test_bad(archgate):
                archgate.record("acc", 0.8)
            """
        ),
    )
    result.assert_outcomes(xfailed=2)
    assert result.ret == 1
    assert ship.report()["session_failures"] == [
        f"{ACC_FAILS}; test_models.py::test_bad is marked xfail: {EXCUSE}"
    ]


def test_both_sides_of_an_excused_vs_criterion_are_named(make_adr_project: MakeProject) -> None:
    """A ``vs`` criterion is violated by both measurements together: every excused test that
    measured either side is named."""
    gain = SHIP.replace('    lat: "<= 50"\n', "    gain: {metric: acc, vs: base, min: 0}\n")
    project = make_adr_project(standard=False, **{"0001-ship": gain})
    result = run(
        project,
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.91)
                pytest.skip("later")

            @pytest.mark.archgate("ADR-0001", option="base")
            def test_base(archgate):
                archgate.record("acc", 0.95)
                pytest.skip("later")
            """
        ),
    )
    assert result.ret == 1
    [failure] = project.report()["session_failures"]
    assert failure.endswith(
        "; test_models.py::test_base skipped after measuring, test_models.py::test_cand skipped "
        f"after measuring: {EXCUSE}"
    )


def test_an_excused_test_that_met_the_criterion_leaves_the_run_green(ship: AdrProject) -> None:
    result = run(
        ship,
        module_of(
            """
            @pytest.mark.xfail(reason="unrelated")
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.95)
                archgate.record("lat", 10)
                archgate.record("rate", 0.1)
                assert False
            """
        ),
    )
    result.assert_outcomes(xfailed=1)
    assert result.ret == 0
    assert ship.report()["session_failures"] == []


# ---------------------------------------------------------------------------------------------
# a report path that cannot be written is refused before any test runs (exit 4)


def usage_error(result: pytest.RunResult) -> str:
    """The one ``ERROR:`` line of a usage error (exit 4), with no traceback."""
    assert result.ret == USAGE_ERROR, result.stdout.str()
    assert no_traceback(result.stdout.str() + result.stderr.str())
    lines = [line for line in result.errlines if line.startswith("ERROR: ")]
    assert len(lines) == 1, result.errlines
    return lines[0]


def test_a_report_path_that_is_a_folder_is_refused(ship: AdrProject) -> None:
    (ship.path / "out").mkdir()
    ship.tests(PASSING)
    result = ship.pytester.runpytest(*FAST, "--archgate-report=out")
    assert usage_error(result) == (
        f"ERROR: archgate: report {ship.path / 'out'} is a folder; name a file such as "
        "archgate-report.json "
        "(set by --archgate-report)"
    )


def test_a_report_path_that_is_not_a_regular_file_is_refused(ship: AdrProject) -> None:
    os.mkfifo(ship.path / "pipe.json")
    ship.pytester.makeini("[pytest]\narchgate_report = pipe.json\n")
    ship.tests(PASSING)
    result = ship.pytester.runpytest(*FAST)
    assert usage_error(result) == (
        f"ERROR: archgate: report {ship.path / 'pipe.json'} is not a regular file; name a "
        "file such as "
        "archgate-report.json (set by ini key archgate_report)"
    )


def test_a_report_path_under_a_file_is_refused(ship: AdrProject) -> None:
    (ship.path / "notes.txt").write_text("x", encoding="utf-8")
    ship.tests(PASSING)
    result = ship.pytester.runpytest(*FAST, "--archgate-report=notes.txt/deeper/report.json")
    assert usage_error(result) == (
        f"ERROR: archgate: report {ship.path / 'notes.txt/deeper/report.json'} cannot be "
        f"written: {ship.path / 'notes.txt'} is "
        "not a folder (set by --archgate-report)"
    )


def deny_writes_in(monkeypatch: pytest.MonkeyPatch, *denied: Path) -> None:
    """``os.access`` says no write permission in ``denied`` (the suite may run as root)."""
    real = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if Path(path) in denied and mode & os.W_OK:
            return False
        return real(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_a_report_path_in_a_folder_without_write_permission_is_refused(
    ship: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    (ship.path / "locked").mkdir()
    deny_writes_in(monkeypatch, ship.path / "locked")
    ship.tests(PASSING)
    result = ship.pytester.runpytest(*FAST, "--archgate-report=locked/new/report.json")
    assert usage_error(result) == (
        f"ERROR: archgate: report {ship.path / 'locked/new/report.json'} cannot be written: "
        f"no permission to write in {ship.path / 'locked'} (set by --archgate-report)"
    )


def test_missing_folders_of_a_report_path_are_created_checking_the_nearest_existing_one(
    ship: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the nearest existing folder must be writable (here the project); the missing ones
    are created when the report is written."""
    deny_writes_in(monkeypatch, Path("/"), ship.path.parent)
    ship.tests(PASSING)
    result = ship.pytester.runpytest(*FAST, "--archgate-report=out/a/b/report.json")
    assert result.ret == 0, result.stdout.str()
    assert ship.report("out/a/b/report.json")["summary"]["pass"] == 1


def test_a_relative_report_path_is_taken_from_where_pytest_was_invoked(
    ship: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As ``--junitxml``: relative to the working directory, not to the rootdir."""
    (ship.path / "sub").mkdir()
    ship.tests(PASSING)
    monkeypatch.chdir(ship.path / "sub")
    result = ship.pytester.runpytest(
        *FAST, f"--rootdir={ship.path}", "--archgate-report=r.json", str(ship.path)
    )
    assert result.ret == 0, result.stdout.str()
    assert json.loads((ship.path / "sub" / "r.json").read_text())["summary"]["pass"] == 1
    assert not (ship.path / "r.json").exists()
    result.stdout.fnmatch_lines(["archgate report: r.json"])


def test_a_report_path_naming_an_adr_file_is_refused(ship: AdrProject) -> None:
    """Writing the report there would replace the decision with JSON."""
    ship.tests(PASSING)
    result = ship.pytester.runpytest(*FAST, "--archgate-report=adr/../adr/0001-ship.md")
    assert usage_error(result) == (
        f"ERROR: archgate: report {ship.path}/adr/../adr/0001-ship.md is the ADR file of "
        "ADR-0001; writing "
        "the report there would replace the decision: name another file (set by "
        "--archgate-report)"
    )
    assert (ship.adr_dir / "0001-ship.md").read_text(encoding="utf-8") == SHIP


# ---------------------------------------------------------------------------------------------
# the ADR folder and its files


@pytest.mark.parametrize(
    ("setup", "what"), [("missing", "does not exist"), ("file", "is not a folder")]
)
def test_an_adr_folder_that_is_not_there_is_a_usage_error_naming_its_source(
    pytester: pytest.Pytester, setup: str, what: str
) -> None:
    pytester.makeini("[pytest]\narchgate_adr_dir = decisions\n")
    if setup == "file":
        (pytester.path / "decisions").write_text("", encoding="utf-8")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest(*FAST)
    assert usage_error(result) == (
        f"ERROR: archgate: ADR folder {pytester.path / 'decisions'} {what} (set by ini key "
        "archgate_adr_dir)"
    )


def test_gated_adr_files_that_cannot_be_parsed_stop_the_run(make_adr_project: MakeProject) -> None:
    """Every gated file that cannot be parsed is named, under one heading (exit 4)."""
    bad = SHIP.replace('    lat: "<= 50"\n', '    lat: "<= fifty"\n')
    project = make_adr_project(
        standard=False, **{"0001-ship": bad, "0002-also": bad.replace("0001", "0002")}
    )
    project.tests(PASSING)
    result = project.pytester.runpytest(*FAST)
    assert result.ret == USAGE_ERROR
    err = result.errlines
    assert err[0] == (
        "ERROR: archgate: 2 ADR file(s) cannot be parsed (run `archgate lint` for details):"
    )
    assert len(err) == 4, err
    assert err[3] == ""
    assert err[1].startswith("  adr/0001-ship.md:11: ")
    assert err[2].startswith("  adr/0002-also.md:11: ")


def test_two_gated_adrs_with_one_id_stop_the_run_naming_both_files(
    make_adr_project: MakeProject,
) -> None:
    project = make_adr_project(standard=False, **{"0001-ship": SHIP, "0001-again": SHIP})
    project.tests(PASSING)
    result = project.pytester.runpytest(*FAST)
    assert result.ret == USAGE_ERROR
    assert result.errlines == [
        "ERROR: archgate: duplicate ADR ids:",
        "  ADR-0001: adr/0001-again.md, adr/0001-ship.md",
        "",
    ]


@pytest.mark.parametrize(
    ("broken", "notice"),
    [
        (
            1,
            "archgate: 1 ADR file in {adr} could not be read and is not used for gating (run "
            "`archgate lint` for details)",
        ),
        (
            2,
            "archgate: 2 ADR files in {adr} could not be read and are not used for gating "
            "(run `archgate lint` for details)",
        ),
    ],
)
def test_unreadable_files_kept_only_as_records_are_one_notice_line(
    make_adr_project: MakeProject, broken: int, notice: str
) -> None:
    """A file without an archgate block that cannot be read does not stop the run: one
    notice line counts them (singular or plural) and names the folder."""
    adrs = {
        f"000{i + 2}-draft": "---\nstatus: {accepted\n---\n# Placeholder\n" for i in range(broken)
    }
    project = make_adr_project(standard=False, **{"0001-ship": SHIP}, **adrs)
    result = run(project, PASSING)
    assert result.ret == 0
    lines = [line for line in result.outlines if "could not be read" in line]
    assert lines == [notice.format(adr=project.adr_dir)]


# ---------------------------------------------------------------------------------------------
# strict mode


STRICT_CASE = module_of(
    """
    @pytest.mark.archgate("ADR-0001")
    def test_cand(archgate):
        archgate.record("acc", 0.95)
        archgate.record("rate", 0.5)
    """
)


def test_strict_fails_on_unmeasured_criteria_and_violated_constraints_of_accepted_adrs(
    make_adr_project: MakeProject,
) -> None:
    """Under ``--archgate-strict`` a violated constraint and an unmeasured criterion of an
    accepted ADR fail the run, each listed in the report; a proposed ADR's never do."""
    proposed = SHIP.replace("status: accepted", "status: proposed").replace("0001", "0002")
    project = make_adr_project(standard=False, **{"0001-ship": SHIP, "0002-maybe": proposed})
    body = STRICT_CASE + textwrap.dedent(
        """
        @pytest.mark.archgate("ADR-0002")
        def test_maybe(archgate):
            archgate.record("rate", 0.5)
        """
    )
    result = run(project, body, "--archgate-strict")
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    report = project.report()
    assert report["strict"] is True
    assert report["strict_failures"] == [
        "needs review: ADR-0001 rate [cand] = 0.5 violates >= 0.05 and <= 0.2 (adr/0001-ship.md:8)",
        "unmeasured: ADR-0001 lat [cand] is unmeasured (no measurement of lat): needs <= 50 "
        "(adr/0001-ship.md)",
    ]
    assert report["session_failures"] == []
    result.stdout.fnmatch_lines(["FAILED (--archgate-strict) needs review: *"])


def test_without_strict_the_same_run_passes_and_flags_the_adr(ship: AdrProject) -> None:
    result = run(ship, STRICT_CASE)
    assert result.ret == 0
    report = ship.report()
    assert (report["strict"], report["strict_failures"]) == (False, [])
    assert entry(report, "ADR-0001")["needs_review"] is True
    result.stdout.fnmatch_lines(
        [
            "WARNING needs review: ADR-0001 rate [[]cand[]] = 0.5 violates >= 0.05 and <= 0.2 "
            "(adr/0001-ship.md:8): the decision's assumptions no longer hold"
        ]
    )


# ---------------------------------------------------------------------------------------------
# constraint drift: the needs-review warning


DRIFT_ADR = SHIP.replace(
    "    rate: {min: 0.05, max: 0.2}\n", "    rate: {min: 0.05, max: 0.2}  # ##[error]drift\n"
)


def test_the_needs_review_warning_points_at_the_constraint_line_and_quotes_it_escaped(
    make_adr_project: MakeProject,
) -> None:
    """The warning is attributed to the ADR file and the constraint's line; pytest's summary
    quotes that line as archgate escaped it (no workflow command gets through)."""
    project = make_adr_project(standard=False, **{"0001-ship": DRIFT_ADR})
    result = run(project, STRICT_CASE)
    assert result.ret == 0
    text = result.stdout.str()
    message = (
        "NeedsReviewWarning: needs review: ADR-0001 rate [cand] = 0.5 violates >= 0.05 and <= 0.2 "
        "(adr/0001-ship.md:8): the decision's assumptions no longer hold; revisit the ADR"
    )
    assert f"adr/0001-ship.md:8: {message}" in text
    assert "    rate: {min: 0.05, max: 0.2}  # ##\\[error]drift" in result.outlines
    assert "##[error]" not in text


def test_under_filterwarnings_error_the_needs_review_warning_is_an_error_of_the_run(
    make_adr_project: MakeProject,
) -> None:
    project = make_adr_project(
        ini="[pytest]\nfilterwarnings = error\n", standard=False, **{"0001-ship": SHIP}
    )
    project.tests(STRICT_CASE)
    result = project.pytester.runpytest(*PLAIN, "--archgate-report=report.json")
    assert result.ret == 1
    assert no_traceback(result.stdout.str())
    message = (
        "needs review: ADR-0001 rate [cand] = 0.5 violates >= 0.05 and <= 0.2 "
        "(adr/0001-ship.md:8): the decision's assumptions no longer hold; revisit the ADR"
    )
    assert project.report()["errors"] == [message]
    result.stdout.fnmatch_lines([f"ERROR {esc(message)}"])


def test_an_adr_file_replaced_during_the_run_is_not_quoted(ship: AdrProject) -> None:
    """The warning summary never opens an ADR file that is no longer a regular file."""
    result = run(
        ship,
        STRICT_CASE
        + textwrap.dedent(
            """
            import os

            def test_zz_replace_the_adr():
                os.remove("adr/0001-ship.md")
                os.mkfifo("adr/0001-ship.md")
            """
        ),
    )
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*adr/0001-ship.md:8: NeedsReviewWarning: needs review: *"])


def test_an_adr_file_rewritten_with_bytes_that_are_not_utf8_is_quoted_readably(
    ship: AdrProject,
) -> None:
    """An ADR file overwritten during the run with bytes that are not UTF-8 is still quoted
    (with replacement characters), never a crash of the run."""
    result = run(
        ship,
        STRICT_CASE
        + textwrap.dedent(
            """
            import pathlib

            def test_zz_rewrite_the_adr():
                path = pathlib.Path("adr/0001-ship.md")
                lines = path.read_bytes().split(b"\\n")
                lines[7] = b"    rate: \\xff\\xfe"
                path.write_bytes(b"\\n".join(lines))
            """
        ),
    )
    assert result.ret == 0, result.stdout.str()
    assert no_traceback(result.stdout.str() + result.stderr.str())
    result.stdout.fnmatch_lines(["*NeedsReviewWarning: needs review: *", "    rate: \ufffd\ufffd"])


# ---------------------------------------------------------------------------------------------
# the exit status cannot be reset to 0, and a run without tests stays a run without tests

RESET_CONFTEST = """
import pytest

@pytest.hookimpl({order})
def pytest_sessionfinish(session):
    session.exitstatus = 0
"""


@pytest.mark.parametrize("order", ["", "tryfirst=True", "trylast=True"])
@pytest.mark.parametrize(
    ("body", "args"),
    [
        # the test shows the failure itself
        (
            '@pytest.mark.archgate("ADR-0001")\ndef test_cand(archgate):\n'
            '    archgate.record("acc", 0.8)\n',
            (),
        ),
        # only the session shows it
        (
            '@pytest.mark.xfail(reason="flaky")\n@pytest.mark.archgate("ADR-0001")\n'
            'def test_cand(archgate):\n    archgate.record("acc", 0.8)\n',
            (),
        ),
        # only strict fails it (lat is unmeasured)
        (
            '@pytest.mark.archgate("ADR-0001")\ndef test_cand(archgate):\n'
            '    archgate.record("acc", 0.95)\n',
            ("--archgate-strict",),
        ),
        # only an error of the run fails it
        (
            '@pytest.mark.archgate("ADR-0001")\ndef test_cand(archgate):\n'
            '    archgate.record("acc", 0.95)\n'
            '    archgate.record("lat", 10)\n'
            "    threading.Thread(target=lambda: 1 / 0).start()\n",
            ("-W", "ignore::pytest.PytestUnhandledThreadExceptionWarning"),
        ),
    ],
    ids=["test-failed", "session-failure", "strict-failure", "error"],
)
def test_a_conftest_that_resets_the_exit_status_cannot_pass_a_failed_gate(
    ship: AdrProject, order: str, body: str, args: tuple[str, ...]
) -> None:
    """A ``pytest_sessionfinish`` that sets the status to 0 (first, plain or last) leaves a
    failed gate failed, whatever failed it."""
    ship.pytester.makeconftest(RESET_CONFTEST.format(order=order))
    result = run(ship, "import threading\n" + module_of(body), *args)
    assert result.ret == 1


def test_a_conftest_that_resets_a_passing_run_keeps_its_status(ship: AdrProject) -> None:
    """The guard raises only a failed gate's status: a passing gate has no say."""
    ship.pytester.makeconftest(RESET_CONFTEST.format(order="trylast=True"))
    result = run(ship, PASSING + "\n\ndef test_broken():\n    assert False\n")
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == 0


def test_pytest_exit_with_status_0_after_a_violation_fails_the_run(ship: AdrProject) -> None:
    """``pytest.exit(returncode=0)`` in the test that measured: what it recorded is still
    judged, and the run fails."""
    result = run(
        ship,
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.8)
                archgate.record("lat", 10)
                pytest.exit("done early", returncode=0)

            def test_never():
                pass
            """
        ),
    )
    assert result.ret == 1
    report = ship.report()
    assert criterion(entry(report, "ADR-0001"), "acc", "cand")["verdict"] == "fail"
    assert entry(report, "ADR-0001")["tests"] == ["test_models.py::test_cand"]
    assert report["session_failures"] == [ACC_FAILS]


def test_pytest_exit_keeps_the_link_and_the_thread_errors_of_the_test_it_interrupted(
    ship: AdrProject,
) -> None:
    """The interrupted test is still one of the ADR's tests, and an error in its thread is
    still an error of the run."""
    result = run(
        ship,
        "import threading\n"
        + module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                t = threading.Thread(target=lambda: 1 / 0, name="t1")
                t.start()
                t.join()
                pytest.exit("done early", returncode=0)
            """
        ),
        "-W",
        "ignore::pytest.PytestUnhandledThreadExceptionWarning",
    )
    assert result.ret == 1
    report = ship.report()
    assert entry(report, "ADR-0001")["tests"] == ["test_models.py::test_cand"]
    assert report["errors"] == [
        "test_models.py::test_cand: unhandled ZeroDivisionError in thread t1: "
        "ZeroDivisionError('division by zero'); a thread of a test linked to an ADR failed, so "
        "what it measured is missing"
    ]


def test_sys_exit_0_in_a_hook_cannot_pass_a_failed_gate(ship: AdrProject) -> None:
    ship.pytester.makeconftest(
        """
        import sys

        def pytest_sessionfinish(session):
            sys.exit(0)
        """
    )
    ship.tests(
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.8)
                pytest.skip("later")
            """
        )
    )
    with pytest.raises(SystemExit) as info:
        ship.pytester.inline_run(*FAST)
    assert info.value.code == 1


def test_a_run_that_collected_no_test_stays_no_tests_collected(ship: AdrProject) -> None:
    """With enforced criteria and no test run, the status stays 5 (not 0), also when a
    conftest resets it; a project whose ADRs have no criteria gets no say."""
    ship.pytester.makeconftest(RESET_CONFTEST.format(order="trylast=True"))
    result = run(ship, PASSING, "-k", "nothing_matches")
    assert result.ret == NO_TESTS


def test_a_project_without_criteria_leaves_the_status_alone(make_adr_project: MakeProject) -> None:
    plain = "---\nstatus: accepted\ndate: 2026-12-01\n---\n# Use Postgres\n"
    project = make_adr_project(standard=False, **{"0001-pg": plain})
    project.pytester.makeconftest(RESET_CONFTEST.format(order="trylast=True"))
    result = run(project, PASSING.replace("ADR-0001", "ADR-0001"), "-k", "nothing_matches")
    assert result.ret == 0


def test_strict_fails_a_run_that_collected_no_test(ship: AdrProject) -> None:
    """Every accepted criterion is unmeasured when no test ran: under strict that is a
    failed run (1), not a run without tests (5)."""
    result = run(ship, PASSING, "-k", "nothing_matches", "--archgate-strict")
    assert result.ret == 1
    assert len(ship.report()["strict_failures"]) == 3


# ---------------------------------------------------------------------------------------------
# errors of the run: a measurement that could not be made, late, or lost in a thread


def test_a_measurement_that_cannot_be_made_fails_its_test_and_the_run(ship: AdrProject) -> None:
    result = run(
        ship,
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", float("nan"))
            """
        ),
    )
    result.assert_outcomes(failed=1)
    assert result.ret == 1
    assert no_traceback(result.stdout.str())
    [error] = ship.report()["errors"]
    assert error.startswith("test_models.py::test_cand: archgate: ")
    assert "acc" in error


LATE = module_of(
    """
    import threading

    GO = threading.Event()
    LATE = []

    @pytest.mark.archgate("ADR-0001")
    def test_cand(archgate):
        archgate.record("acc", 0.95)
        archgate.record("lat", 10)

        def later():
            GO.wait(10)
            archgate.record("acc", 0.5)   # after test_cand's teardown ended

        t = threading.Thread(target=later)
        t.start()
        LATE.append(t)

    def test_later():
        GO.set()
        for t in LATE:
            t.join()
    """
)

LATE_MESSAGE = (
    "test_models.py::test_cand: acc [cand] for ADR-0001 was recorded after the test's teardown "
    "ended (a thread that outlived the test?); it cannot be judged: wait for the thread before "
    "the test's teardown returns"
)


def test_a_measurement_after_its_tests_teardown_is_an_error_of_the_run(ship: AdrProject) -> None:
    result = run(ship, LATE)
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    report = ship.report()
    assert report["errors"] == [LATE_MESSAGE]
    assert criterion(entry(report, "ADR-0001"), "acc", "cand")["value"] == 0.95


def test_a_measurement_after_the_gate_was_judged_fails_the_run(
    ship: AdrProject, late_plugin: None
) -> None:
    """A thread that records after the last test (while the session finishes) cannot pass
    the run either: the report is rebuilt with the error."""
    result = run(
        ship,
        module_of(
            """
            import threading
            import time

            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.95)
                archgate.record("lat", 10)

                def later():
                    time.sleep(0.5)
                    try:
                        archgate.record("acc", 0.5)
                    except Exception:
                        pass  # the recorder refuses it, and the run is told

                threading.Thread(target=later).start()
            """
        ),
        "-p",
        "late_plugin",
    )
    assert result.ret == 1
    assert ship.report()["errors"] == [LATE_MESSAGE]


@pytest.fixture
def late_plugin(ship: AdrProject) -> None:
    """A plugin whose ``pytest_sessionfinish`` runs first and waits for late threads."""
    ship.pytester.makepyfile(
        late_plugin="""
        import threading
        import pytest

        @pytest.hookimpl(tryfirst=True)
        def pytest_sessionfinish(session):
            for t in threading.enumerate():
                if t is not threading.main_thread():
                    t.join(5)
        """
    )
    ship.pytester.syspathinsert()


THREAD_TESTS = module_of(
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    @pytest.mark.archgate("ADR-0001")
    def test_crash(archgate):
        archgate.record("acc", 0.95)
        archgate.record("lat", 10)

        def work():
            raise RuntimeError("boom")

        t = threading.Thread(target=work, name="worker-1")
        t.start()
        t.join()

    @pytest.mark.archgate("ADR-0001")
    def test_swallowed(archgate):
        with ThreadPoolExecutor(1, thread_name_prefix="pool") as pool:
            pool.submit(archgate.record, "acc", float("nan"))  # nobody asks for the result

    def test_unlinked():
        def work():
            raise RuntimeError("not archgate's business")

        t = threading.Thread(target=work)
        t.start()
        t.join()
    """
)


def test_an_error_in_a_thread_of_a_linked_test_fails_the_run(ship: AdrProject) -> None:
    """An unhandled exception in a thread of a linked test, or a measurement error that a
    thread swallows, means a measurement is missing: an error of the run (a thread of a test
    that is not linked is pytest's business only)."""
    result = run(ship, THREAD_TESTS, "-W", "ignore::pytest.PytestUnhandledThreadExceptionWarning")
    result.assert_outcomes(passed=3)
    assert result.ret == 1
    errors = ship.report()["errors"]
    assert errors[0] == (
        "test_models.py::test_crash: unhandled RuntimeError in thread worker-1: "
        "RuntimeError('boom'); a thread of a test linked to an ADR failed, so what it measured "
        "is missing"
    )
    assert errors[1].startswith("test_models.py::test_swallowed: record() in thread pool_0: acc: ")
    assert len(errors) == 2, errors


def test_the_thread_hook_is_put_back_after_each_linked_test(ship: AdrProject) -> None:
    result = run(
        ship,
        module_of(
            """
            import threading

            BEFORE = threading.excepthook

            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                assert threading.excepthook is not BEFORE
                archgate.record("acc", 0.95)
                archgate.record("lat", 10)

            def test_after():
                assert threading.excepthook is BEFORE
            """
        ),
    )
    result.assert_outcomes(passed=2)
    assert result.ret == 0


# ---------------------------------------------------------------------------------------------
# the report file and the scratch folder


def test_a_report_that_cannot_be_written_at_the_end_is_an_error_and_nothing_is_written(
    ship: AdrProject,
) -> None:
    """Something took the report's place during the run: one error line, exit 1, and no
    half-written file."""
    result = run(
        ship,
        PASSING + "\n\ndef test_zz_take_its_place():\n    import os\n    os.mkdir('report.json')\n",
    )
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            f"ERROR cannot write the report {ship.path / 'report.json'}: exists and is not a "
            "regular file (a folder, pipe or device); archgate replaces only regular files; no "
            "report was written"
        ]
    )
    assert "archgate report:" not in result.stdout.str()
    assert (ship.path / "report.json").is_dir()
    assert list((ship.path / "report.json").iterdir()) == []


def test_the_report_names_the_commit_of_the_rootdir(
    ship: AdrProject, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit is the one of the project (its rootdir), wherever pytest was started."""
    import subprocess

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=ship.path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=ship.path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=ship.path, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ship.path, capture_output=True, text=True, check=True
    ).stdout.strip()
    ship.tests(PASSING)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    report = elsewhere / "r.json"
    result = ship.pytester.runpytest(
        *FAST, f"--rootdir={ship.path}", f"--archgate-report={report}", str(ship.path)
    )
    assert result.ret == 0
    assert json.loads(report.read_text())["commit"] == head


SCRATCH = module_of(
    """
    import pathlib
    import shutil

    @pytest.mark.archgate("ADR-0001")
    def test_cand(archgate):
        archgate.record("acc", 0.95)
        archgate.record("lat", 10)
        scratch = archgate._scratch
        assert scratch.is_dir()
        pathlib.Path("scratch.txt").write_text(str(scratch))
        if REMOVE:
            shutil.rmtree(scratch)
    """
)


@pytest.mark.parametrize("remove", [False, True], ids=["kept", "removed-during-the-run"])
def test_the_scratch_folder_of_the_run_is_removed_at_its_end(
    ship: AdrProject, remove: bool
) -> None:
    """The folder where predictions wait for paired comparisons goes with the run, also when
    something removed it first."""
    result = run(ship, f"REMOVE = {remove}\n" + SCRATCH)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    assert no_traceback(result.stdout.str() + result.stderr.str())
    assert not Path((ship.path / "scratch.txt").read_text()).exists()


# ---------------------------------------------------------------------------------------------
# what the terminal shows


COMPARED = """\
---
status: accepted
date: 2026-12-01
archgate:
  decision: cand
  options: [cand, base]
  acceptance:
    acc: ">= 0.9"
    gain: {metric: acc, vs: base, min: 0}
---
# Ship the candidate
"""


def test_the_archgate_section_shows_verdicts_variance_comparison_and_notes(
    make_adr_project: MakeProject,
) -> None:
    """After the tests: the section's heading, one row per ADR, the variance line, the
    options compared (after an empty line), then the notes; the notes are in the report."""
    project = make_adr_project(standard=False, **{"0001-ship": COMPARED})
    project.tests(
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            @pytest.mark.parametrize("seed", [1, 2, 3])
            def test_cand(archgate, seed):
                archgate.record("acc", 0.95 + seed / 100, ci=(0.9, 0.99), replicate=f"s{seed}")

            @pytest.mark.archgate("ADR-0001", option="base")
            def test_base(archgate):
                archgate.record("acc", 0.93)

            @pytest.mark.archgate("ADR-0001")
            def test_bench(archgate, benchmark):
                pass
            """
        )
    )
    with_benchmark = [a for a in FAST if a != "no:benchmark"]
    with_benchmark.remove("-p")  # the one before "no:benchmark"
    result = project.pytester.runpytest(*with_benchmark, "--archgate-report=report.json")
    assert result.ret == 0
    out = result.outlines
    start = next(i for i, line in enumerate(out) if re.fullmatch(r"=+ archgate =+", line))
    assert out[start + 1 : start + 14] == [
        "ADR       status    verdict  enforced  notes",
        "ADR-0001  accepted  pass     yes",
        "variance: acc [cand]: test set + 3 replicates (s1..s3); gain [cand]: test set + 3 vs 1 "
        "replicates; others: test set only (seed variance not measured)",
        "",
        "ADR-0001 options, best first:",
        "criterion  bound         cand                     base",
        "acc        >= 0.9        0.97 [0.8953, 1.003] ok  0.93 ok",
        "gain       >= 0 vs base  0.04 ok                  n/a",
        "meets all                yes                      reference",
        "score                    1.00                     1.00",
        "recommended: cand. cand meets 2 of 2 criteria; base is the reference of gain, not a "
        "candidate",
        # why the benchmark recorded nothing depends on the run (pytest-benchmark disables
        # itself under xdist, where this suite may run)
        out[start + 12],
        "archgate report: report.json",
    ]
    note = out[start + 12].removeprefix("note: ")
    assert note.startswith("test_models.py::test_bench: ")
    assert note.endswith(("measurements", "measurements were recorded"))
    assert project.report()["notes"] == [note]


def test_a_project_without_archgate_use_shows_no_section(make_adr_project: MakeProject) -> None:
    plain = "---\nstatus: accepted\ndate: 2026-12-01\n---\n# Use Postgres\n"
    project = make_adr_project(standard=False, **{"0001-pg": plain})
    result = run(project, "def test_plain():\n    pass\n")
    assert result.ret == 0
    shown = [line for line in result.outlines if not line.startswith(("rootdir:", "plugins:"))]
    assert [line for line in shown if "archgate" in line] == ["archgate report: report.json"]


def test_a_run_with_errors_and_no_verdict_still_shows_the_section(
    make_adr_project: MakeProject,
) -> None:
    """An error of the run is shown even when no ADR was judged (a linked test of an ADR
    without criteria whose thread failed)."""
    plain = "---\nstatus: accepted\ndate: 2026-12-01\n---\n# Use Postgres\n"
    project = make_adr_project(standard=False, **{"0001-pg": plain})
    result = run(
        project,
        module_of(
            """
            import threading

            @pytest.mark.archgate("ADR-0001")
            def test_pg():
                t = threading.Thread(target=lambda: 1 / 0, name="t1")
                t.start()
                t.join()
            """
        ),
        "-W",
        "ignore::pytest.PytestUnhandledThreadExceptionWarning",
    )
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*= archgate =*", "ERROR test_models.py::test_pg: unhandled *"])


# ---------------------------------------------------------------------------------------------
# links: superseded decisions, bad markers, GPU tests


SUPERSEDED = {
    "0001-ship": SHIP.replace("status: accepted", "status: superseded by ADR-0002"),
    "0002-new": SHIP.replace("0001", "0002"),
    "0003-gone": SHIP.replace("status: accepted", "status: superseded by ADR-0042"),
    "0004-old": SHIP.replace("status: accepted", "status: deprecated"),
}


def test_a_test_linked_to_a_superseded_adr_is_warned_at_its_own_line(
    make_adr_project: MakeProject,
) -> None:
    """The warning names the test, the ADR and its status, and its successor (with its file)
    or the reference it was superseded by; it points at the test's own line."""
    project = make_adr_project(standard=False, **SUPERSEDED)
    result = run(
        project,
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_old():
                pass


            @pytest.mark.archgate("ADR-0003")
            def test_gone():
                pass


            @pytest.mark.archgate("ADR-0004")
            def test_deprecated():
                pass
            """
        ),
    )
    result.assert_outcomes(passed=3, warnings=3)
    text = result.stdout.str()
    for line, message in [
        (
            4,
            "test_models.py::test_old is linked to ADR-0001, which is superseded; use ADR-0002 "
            "(adr/0002-new.md) instead",
        ),
        (
            9,
            "test_models.py::test_gone is linked to ADR-0003, which is superseded; superseded by "
            "ADR-0042",
        ),
        (14, "test_models.py::test_deprecated is linked to ADR-0004, which is deprecated"),
    ]:
        assert f"test_models.py:{line}: SupersededAdrWarning: {message}\n" in text


def test_a_bad_marker_stops_the_run_before_any_test_runs(ship: AdrProject) -> None:
    result = run(
        ship,
        module_of(
            """
            @pytest.mark.archgate("ADR-0099")
            def test_a():
                pass

            @pytest.mark.archgate("ADR-0001", option="svm")
            def test_b():
                pass
            """
        ),
    )
    assert result.ret == USAGE_ERROR
    assert result.errlines[0].startswith("ERROR: archgate: test_models.py:4: no ADR 'ADR-0099' in ")
    assert result.errlines[1].startswith(
        "  test_models.py:8: test_models.py::test_b marker option: option 'svm' is not one of "
    )


GPU_TESTS = module_of(
    """
    @pytest.mark.gpu
    @pytest.mark.archgate("ADR-0001")
    def test_on_gpu(archgate):
        archgate.record("lat", 10)

    @pytest.mark.parametrize("kind", ["gpu"])
    @pytest.mark.archgate("ADR-0001")
    def test_cpu(archgate, kind):
        archgate.record("acc", 0.95)
    """
)


def gpu_module() -> Any:
    """The module the inner runs import (an in-process run may have dropped an earlier one
    from ``sys.modules``)."""
    return importlib.import_module("pytest_archgate.measure.gpu")


@pytest.fixture
def no_cuda(monkeypatch: pytest.MonkeyPatch) -> Any:
    gpu = gpu_module()
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    gpu.cuda_unavailable_reason.cache_clear()
    yield gpu.cuda_unavailable_reason
    gpu.cuda_unavailable_reason.cache_clear()


def test_a_gpu_test_without_cuda_is_skipped_saying_why(ship: AdrProject, no_cuda: Any) -> None:
    """Only the ``gpu`` marker makes a test need CUDA (a parametrize id ``gpu`` does not)."""
    result = run(ship, GPU_TESTS, "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED * needs a CUDA device: {no_cuda()}"])


def test_require_gpu_fails_a_gpu_test_without_cuda(ship: AdrProject, no_cuda: Any) -> None:
    result = run(ship, GPU_TESTS, "--archgate-require-gpu")
    result.assert_outcomes(passed=1, errors=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            f"*--archgate-require-gpu: {no_cuda()}; this GPU test must not pass by skipping*",
        ]
    )


def test_measurements_of_a_gpu_test_are_on_the_cuda_device(
    ship: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gpu_module(), "cuda_unavailable_reason", lambda: None)
    result = run(ship, GPU_TESTS)
    result.assert_outcomes(passed=2)
    devices = {m["metric"]: m["device"] for m in ship.report()["measurements"]}
    assert devices == {"lat": "cuda", "acc": "cpu"}


def test_the_report_names_successors_by_id_and_every_linked_test(
    make_adr_project: MakeProject,
) -> None:
    """A superseded ADR's successor is reported by its id (though the status names its file
    stem); an ADR without criteria is reported with the tests linked to it, which recorded
    nothing."""
    old = SHIP.replace("status: accepted", "status: superseded by 0002-new")
    new = "---\nstatus: accepted\ndate: 2026-12-01\n---\n# New\n"
    project = make_adr_project(standard=False, **{"0001-ship": old, "0002-new": new})
    result = run(
        project,
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_old(archgate):
                archgate.record("acc", 0.95)

            @pytest.mark.archgate("ADR-0002")
            def test_new():
                pass
            """
        ),
    )
    assert result.ret == 0
    report = project.report()
    one, two = entry(report, "ADR-0001"), entry(report, "ADR-0002")
    assert (one["superseded_by"], one["tests"]) == ("ADR-0002", ["test_models.py::test_old"])
    assert (two["verdict"], two["tests"]) == ("none", ["test_models.py::test_new"])


# ---------------------------------------------------------------------------------------------
# pytest.exit in the places a report never follows


def test_pytest_exit_in_a_fixture_keeps_what_the_setup_measured(ship: AdrProject) -> None:
    """Stopped during the setup (no setup report): the test still counts as linked, what its
    fixture recorded is judged, and the run fails."""
    result = run(
        ship,
        module_of(
            """
            @pytest.fixture
            def model(archgate):
                archgate.record("acc", 0.8)
                pytest.exit("stop", returncode=0)

            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate, model):
                pass
            """
        ),
    )
    assert result.ret == 1
    report = ship.report()
    assert entry(report, "ADR-0001")["tests"] == ["test_models.py::test_cand"]
    assert report["session_failures"] == [ACC_FAILS]


def test_pytest_exit_between_a_report_and_its_logging_keeps_the_measurements(
    ship: AdrProject,
) -> None:
    """A hook wrapper that stops the run once the call's report is made (before it is
    logged): the measurements that report carried are still judged."""
    ship.pytester.makeconftest(
        """
        import pytest

        @pytest.hookimpl(wrapper=True, tryfirst=True)
        def pytest_runtest_makereport(item, call):
            report = yield
            if call.when == "call":
                pytest.exit("stop", returncode=0)
            return report
        """
    )
    result = run(
        ship,
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("lat", 60)
            """
        ),
    )
    assert result.ret == 1
    lat = criterion(entry(ship.report(), "ADR-0001"), "lat", "cand")
    assert (lat["verdict"], lat["value"]) == ("fail", 60)


def test_a_thread_that_records_after_pytest_exit_is_a_late_error(
    ship: AdrProject, late_plugin: None
) -> None:
    """The interrupted test's recorder is closed when its measurements are gathered: a thread
    that records later is an error of the run, never a value silently dropped."""
    result = run(
        ship,
        module_of(
            """
            import threading
            import time

            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.95)
                archgate.record("lat", 10)

                def later():
                    time.sleep(0.5)
                    try:
                        archgate.record("acc", 0.5)
                    except Exception:
                        pass  # the recorder refuses it, and the run is told

                threading.Thread(target=later).start()
                pytest.exit("stop", returncode=0)
            """
        ),
        "-p",
        "late_plugin",
    )
    assert result.ret == 1
    assert ship.report()["errors"] == [LATE_MESSAGE]


def test_a_thread_that_fails_during_the_setup_of_a_linked_test_fails_the_run(
    ship: AdrProject,
) -> None:
    result = run(
        ship,
        module_of(
            """
            import threading

            @pytest.fixture
            def model():
                t = threading.Thread(target=lambda: 1 / 0, name="loader")
                t.start()
                t.join()
                return "m"

            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate, model):
                archgate.record("acc", 0.95)
                archgate.record("lat", 10)
            """
        ),
        "-W",
        "ignore::pytest.PytestUnhandledThreadExceptionWarning",
    )
    assert result.ret == 1
    assert ship.report()["errors"] == [
        "test_models.py::test_cand: unhandled ZeroDivisionError in thread loader: "
        "ZeroDivisionError('division by zero'); a thread of a test linked to an ADR failed, so "
        "what it measured is missing"
    ]


def test_a_test_stopped_in_its_setup_before_measuring_is_still_linked(
    make_adr_project: MakeProject,
) -> None:
    plain = "---\nstatus: accepted\ndate: 2026-12-01\n---\n# Use Postgres\n"
    project = make_adr_project(standard=False, **{"0001-pg": plain})
    result = run(
        project,
        module_of(
            """
            @pytest.fixture
            def db():
                pytest.exit("stop", returncode=0)

            @pytest.mark.archgate("ADR-0001")
            def test_pg(db):
                pass
            """
        ),
    )
    assert result.ret == 0
    assert entry(project.report(), "ADR-0001")["tests"] == ["test_models.py::test_pg"]


# ---------------------------------------------------------------------------------------------
# the evaluation cache as the session sets it up for the recorders (settings, folder, commit)

SCORE_ADR = """\
---
status: accepted
date: 2026-12-01
archgate:
  decision: a
  options: [a, b]
  acceptance:
    score: ">= 0.5"
    gain: {metric: roc_auc, vs: b, min: 0.0}
---
# Score
"""

CACHE_TESTS = module_of(
    """
    import numpy as np

    import helper


    @pytest.mark.archgate("ADR-0001")
    def test_score(archgate):
        with archgate.cache(files=["helper.py"], code=helper.train) as cached:
            if not cached.hit:
                archgate.record("score", helper.train())


    @pytest.mark.parametrize("option", ["a", "b"])
    @pytest.mark.archgate("ADR-0001")
    def test_auc(archgate, option):
        rng = np.random.default_rng(0)
        y = rng.integers(0, 2, 400)
        with archgate.cache(data=y, config={"option": option}) as cached:
            if not cached.hit:
                noise = 0.8 if option == "a" else 1.6
                archgate.evaluate(y, y + rng.normal(0, noise, 400), ["roc_auc"], option=option)
    """
)
CACHE_BLOCK_LINE = 11  # the line of test_score's ``with archgate.cache(...)``

HELPER = """\
from pathlib import Path


def train():
    with Path(__file__).with_name("trained.log").open("a") as fh:
        fh.write("trained\\n")
    return 0.7
"""


def enabling(plugin: str) -> tuple[str, ...]:
    """FAST's arguments with ``plugin`` left enabled."""
    pairs = zip(FAST[::2], FAST[1::2], strict=True)
    return tuple(a for pair in pairs if pair != ("-p", f"no:{plugin}") for a in pair)


# in-process like FAST, with pytest's cache folder (the evaluation cache's default home)
CACHED = enabling("cacheprovider")
PYTEST_CACHE = ".pytest_cache/d/archgate-evaluations"


@pytest.fixture
def scored(make_adr_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> AdrProject:
    for name in list(os.environ):
        if name.startswith("ARCHGATE_"):
            monkeypatch.delenv(name)
    project = make_adr_project(
        ini="[pytest]\npythonpath = .\n", standard=False, **{"0001-score": SCORE_ADR}
    )
    project.pytester.makepyfile(helper=HELPER)
    project.tests(CACHE_TESTS, name="test_score")
    return project


def trainings(project: AdrProject) -> int:
    log = project.path / "trained.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def cache_entries(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def commit_all(path: Path) -> str:
    import subprocess

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=path, check=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_cache_folder_files_and_commit_are_the_rootdirs_wherever_pytest_starts(
    scored: AdrProject, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative ``--archgate-cache-dir``, the files a block depends on and the commit its
    entries name are the project's (its rootdir), not those of the folder pytest started in;
    a warm run restores every measurement, says so, and judges the paired ``vs`` criterion
    from the restored rows as the cold run did."""
    head = commit_all(scored.path)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    args = (*CACHED, "--archgate-cache-dir=ci-cache", str(scored.path))
    cold = scored.pytester.runpytest(*args, "--archgate-report=cold.json")
    cold.assert_outcomes(passed=3)
    assert cold.ret == 0
    assert not (elsewhere / "ci-cache").exists()
    stored = cache_entries(scored.path / "ci-cache")
    assert [e["commit"] for e in stored] == [head] * 3
    warm = scored.pytester.runpytest(*args, "--archgate-report=warm.json")
    warm.assert_outcomes(passed=3)
    assert warm.ret == 0
    assert trainings(scored) == 1  # the warm run did not train
    warm.stdout.fnmatch_lines(
        ["ADR-0001 cached: 3 of 3 measurements restored from the evaluation cache*"]
    )
    assert "cached:" not in cold.stdout.str()
    cold_report = json.loads((elsewhere / "cold.json").read_text())
    warm_report = json.loads((elsewhere / "warm.json").read_text())
    assert [m["cache"]["restored"] for m in warm_report["measurements"]] == [True] * 3
    assert [m["cache"]["commit"] for m in warm_report["measurements"]] == [head] * 3
    for report in (cold_report, warm_report):
        gain = criterion(entry(report, "ADR-0001"), "gain", "a")
        assert gain["verdict"] == "pass"
        assert gain["method"].startswith("paired-"), gain


def test_the_cache_lives_in_pytests_cache_folder_and_nowhere_without_it(
    scored: AdrProject,
) -> None:
    """Without ``--archgate-cache-dir`` entries go to pytest's cache folder; with
    ``-p no:cacheprovider`` and no folder named, nothing is cached and nothing fails."""
    only = "test_score.py::test_score"
    for _ in range(2):
        result = scored.pytester.runpytest(*CACHED, only)
        result.assert_outcomes(passed=1)
    assert trainings(scored) == 1
    assert len(cache_entries(scored.path / PYTEST_CACHE)) == 1
    for _ in range(2):
        result = scored.pytester.runpytest(*CACHED, "-p", "no:cacheprovider", only)
        result.assert_outcomes(passed=1)
        assert result.ret == 0
    assert trainings(scored) == 3
    assert "mac" not in cache_entries(scored.path / PYTEST_CACHE)[0]


def test_with_a_secret_in_the_environment_entries_are_signed(
    scored: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHGATE_CACHE_SECRET", "s3cret")
    scored.pytester.runpytest(*CACHED, "test_score.py::test_score").assert_outcomes(passed=1)
    (stored,) = cache_entries(scored.path / PYTEST_CACHE)
    assert "mac" in stored


def test_the_cache_mode_setting_reaches_the_blocks(scored: AdrProject) -> None:
    only = "test_score.py::test_score"
    scored.pytester.runpytest(*CACHED, "--archgate-cache=off", only).assert_outcomes(passed=1)
    assert not (scored.path / PYTEST_CACHE).exists()
    scored.pytester.runpytest(*CACHED, only).assert_outcomes(passed=1)  # the default: write
    assert len(cache_entries(scored.path / PYTEST_CACHE)) == 1


def test_the_maximum_age_setting_expires_entries_with_a_warning_at_the_block(
    scored: AdrProject,
) -> None:
    """``--archgate-cache-max-age=1d`` recomputes an entry made two days ago, warning at the
    line of the test's cache block; the 7-day default restores the same entry."""
    from datetime import UTC, datetime, timedelta

    only = "test_score.py::test_score"
    scored.pytester.runpytest(*CACHED, only).assert_outcomes(passed=1)
    (path,) = sorted((scored.path / PYTEST_CACHE).glob("*.json"))

    def age_it() -> None:
        data = json.loads(path.read_text())
        data["created"] = (datetime.now(UTC) - timedelta(days=2)).isoformat()
        path.write_text(json.dumps(data))

    age_it()
    scored.pytester.runpytest(*CACHED, only).assert_outcomes(passed=1)
    assert trainings(scored) == 1  # two days is within the default
    result = scored.pytester.runpytest(*CACHED, "--archgate-cache-max-age=1d", only)
    result.assert_outcomes(passed=1, warnings=1)
    assert trainings(scored) == 2
    result.stdout.fnmatch_lines(
        [
            f"*test_score.py:{CACHE_BLOCK_LINE}: CacheEntryWarning: archgate: evaluation cache "
            f"entry ignored, recomputed: *{path.name}*expired*"
        ]
    )


def test_the_family_setting_is_part_of_what_a_cache_entry_depends_on(
    scored: AdrProject,
) -> None:
    """An entry made under ``--archgate-family=holm`` (which computes more levels) is not
    restored by a run without it, and the other way round."""
    only = "test_score.py::test_score"
    for args in ((), ("--archgate-family=holm",), ("--archgate-family=holm",), ()):
        scored.pytester.runpytest(*CACHED, *args, only).assert_outcomes(passed=1)
    assert trainings(scored) == 2


@pytest.mark.parametrize(
    ("call", "method"),
    [
        ('archgate.evaluate([0, 1], [0.2, float("nan")], ["roc_auc"])', "evaluate"),
        ("archgate.latency(gen)", "latency"),
    ],
)
def test_a_measurement_error_swallowed_by_a_thread_fails_the_run(
    ship: AdrProject, call: str, method: str
) -> None:
    """``evaluate()`` and ``latency()`` in a worker thread whose future nobody asks for: the
    error is an error of the run, as for ``record()``."""
    result = run(
        ship,
        module_of(
            f"""
            from concurrent.futures import ThreadPoolExecutor

            def gen():
                yield 1

            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.95)
                archgate.record("lat", 10)
                with ThreadPoolExecutor(1, thread_name_prefix="pool") as pool:
                    pool.submit(lambda: {call})
            """
        ),
    )
    result.assert_outcomes(passed=1)
    assert result.ret == 1
    (error,) = ship.report()["errors"]
    assert error.startswith(f"test_models.py::test_cand: {method}() in thread pool_0: "), error


def test_a_benchmark_and_recorded_values_of_one_test_are_judged_together(
    ship: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest-benchmark's statistics join what the test recorded: its violated criterion
    still fails the test (one recorder per test)."""
    # pytest-benchmark switches itself off in an xdist worker (this suite may run in one)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    ship.tests(
        module_of(
            """
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate, benchmark):
                archgate.record("acc", 0.8)
                archgate.record("lat", 10)
                benchmark(lambda: None)
            """
        )
    )
    result = ship.pytester.runpytest(
        *enabling("benchmark"),
        "--archgate-report=report.json",
        "--benchmark-min-rounds=1",
        "--benchmark-max-time=0.001",
        "--benchmark-warmup=off",
    )
    result.assert_outcomes(failed=1)
    assert result.ret == 1
    metrics = {m["metric"] for m in ship.report()["measurements"]}
    assert {"acc", "lat"} <= metrics
    assert len(metrics) > 2, metrics  # and the benchmark's
    assert criterion(entry(ship.report(), "ADR-0001"), "acc", "cand")["verdict"] == "fail"


def test_the_report_names_the_base_report_it_was_compared_with(ship: AdrProject) -> None:
    run(ship, PASSING.replace("report.json", "x"), "--archgate-report=base.json")
    result = ship.pytester.runpytest(
        *FAST, "--archgate-report=report.json", "--archgate-base-report=base.json"
    )
    assert result.ret == 0, result.stdout.str()
    base = json.loads((ship.path / "base.json").read_text())
    assert ship.report()["base_report"] == {
        "file": "base.json",
        "commit": base["commit"],
        "generated_at": base["generated_at"],
        "stale": [],
        "flags": [],
        "paired_rows": False,
    }


# ---------------------------------------------------------------------------------------------
# with the exit guard blocked, pytest's own exit status still carries a failed gate

NO_GUARD = ("-p", "no:archgate-exit-guard")


def test_without_the_exit_guard_a_session_failure_still_counts_as_a_failed_test(
    ship: AdrProject,
) -> None:
    """``-p no:archgate-exit-guard`` leaves pytest's count of failed tests as the only carrier
    of a failed gate: the session failure adds one to it, so a run where another test failed
    too still ends with status 1."""
    result = run(
        ship,
        module_of(
            """
            @pytest.mark.xfail(reason="flaky")
            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.8)

            def test_other():
                assert False
            """
        ),
        *NO_GUARD,
    )
    result.assert_outcomes(xfailed=1, failed=1)
    assert result.ret == 1
    assert len(ship.report()["session_failures"]) == 1


def test_without_the_exit_guard_a_needs_review_error_still_fails_the_run(
    make_adr_project: MakeProject,
) -> None:
    """Under ``filterwarnings = error`` the needs-review warning is an error of the run, and
    the session sets the failed status itself (no guard needed)."""
    project = make_adr_project(
        ini="[pytest]\nfilterwarnings = error\n", standard=False, **{"0001-ship": SHIP}
    )
    project.tests(STRICT_CASE)
    result = project.pytester.runpytest(*PLAIN, *NO_GUARD, "--archgate-report=report.json")
    result.assert_outcomes(passed=1)
    assert result.ret == 1
    assert len(project.report()["errors"]) == 1


# ---------------------------------------------------------------------------------------------
# what the session hands the judge, and what the judge's errors become

BASE_ADR = """\
---
status: accepted
date: 2026-12-01
archgate:
  decision: cand
  options: [cand]
  acceptance:
    auc_vs_base: {metric: roc_auc, vs: "@base", min: -0.01, confidence: 0.95}
---
# Keep the candidate's accuracy
"""


def test_a_vs_base_criterion_is_judged_against_the_base_report_given(
    make_adr_project: MakeProject,
) -> None:
    """The base branch's report reaches the judge: a large drop of the AUC against it fails
    the run."""
    project = make_adr_project(standard=False, **{"0001-keep": BASE_ADR})
    body = """
        import numpy as np

        @pytest.mark.archgate("ADR-0001")
        def test_cand(archgate):
            rng = np.random.default_rng(0)
            y = (rng.random(2000) < 0.3).astype(float)
            archgate.evaluate(y, rng.normal(size=2000) + {strength} * y, ["roc_auc"])
        """
    run(project, module_of(body.format(strength=1.5)), "--archgate-report=base.json")
    result = run(project, module_of(body.format(strength=0.3)), "--archgate-base-report=base.json")
    assert result.ret == 1, result.stdout.str()
    found = criterion(entry(project.report(), "ADR-0001"), "auc_vs_base", "cand")
    assert found["verdict"] == "fail", found
    assert found["value"] < -0.2


PAIR_ADR = """\
---
status: accepted
date: 2026-12-01
archgate:
  decision: a
  options: [a, b]
  acceptance:
    gain: {metric: roc_auc, vs: b, min: 0.0}
---
# Pair
"""


def test_a_criterion_the_judge_cannot_compare_is_an_error_of_the_run(ship: AdrProject) -> None:
    """Two options evaluated on different rows cannot be compared: the criterion's error is
    an error of the run, in the report and on the terminal."""
    project = ship
    project.write_adr("0002-pair", PAIR_ADR)
    result = run(
        project,
        module_of(
            """
            @pytest.mark.parametrize("option", ["a", "b"])
            @pytest.mark.archgate("ADR-0002")
            def test_auc(archgate, option):
                y = [0, 1, 0, 1] if option == "a" else [1, 0, 1, 0, 1, 0]
                archgate.evaluate(y, [0.1, 0.9, 0.2, 0.8, 0.3, 0.7][: len(y)], ["roc_auc"],
                                  option=option)
            """
        ),
    )
    assert result.ret == 1
    (error,) = [e for e in project.report()["errors"] if e.startswith("ADR-0002 gain [a]: ")]
    assert "measured on different rows" in error
    result.stdout.fnmatch_lines([f"ERROR {esc(error)}"])


WORKER_CONFTEST = """
import json
import pytest

OUTPUT = {{}}

@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    # what pytest-xdist gives a worker: the controller's input, an output dict to fill
    config.workerinput = {{"archgate_scratch": {scratch!r}, "workerid": "gw0"}}
    config.workeroutput = OUTPUT

def pytest_unconfigure(config):
    with open("workeroutput.json", "w") as fh:
        json.dump(OUTPUT, fh)
"""


@pytest.fixture
def as_worker(ship: AdrProject, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's pytest runs as an xdist worker would (in this process, so that the
    session's worker code is the code under test); returns the controller's scratch folder."""
    scratch = tmp_path_factory.mktemp("controllers-scratch")
    ship.pytester.makeconftest(WORKER_CONFTEST.format(scratch=str(scratch)))
    return scratch


def test_a_worker_never_removes_the_scratch_folder_its_controller_made(
    ship: AdrProject, as_worker: Path
) -> None:
    """The controller removes its scratch folder at its end, a worker never does."""
    result = run(ship, PASSING)
    result.assert_outcomes(passed=1)
    assert as_worker.is_dir()


def test_a_worker_ships_its_late_measurements_to_the_controller(
    ship: AdrProject, as_worker: Path
) -> None:
    """A measurement recorded after its test's teardown on a worker travels to the controller
    in the worker's output (``archgate_late``), where it fails the run."""
    ship.tests(LATE)
    ship.pytester.runpytest(*FAST)
    output = json.loads((ship.path / "workeroutput.json").read_text())
    assert output == {"archgate_late": [LATE_MESSAGE]}


def test_without_the_exit_guard_a_measurement_after_the_gate_was_judged_fails_the_run(
    ship: AdrProject, late_plugin: None
) -> None:
    """A late measurement found while the session finishes sets the failed status itself."""
    result = run(
        ship,
        module_of(
            """
            import threading
            import time

            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                archgate.record("acc", 0.95)
                archgate.record("lat", 10)

                def later():
                    time.sleep(0.5)
                    try:
                        archgate.record("acc", 0.5)
                    except Exception:
                        pass

                threading.Thread(target=later).start()
            """
        ),
        "-p",
        "late_plugin",
        *NO_GUARD,
    )
    assert result.ret == 1
    assert ship.report()["errors"] == [LATE_MESSAGE]


def test_in_github_actions_the_run_writes_its_job_summary_and_outputs(
    ship: AdrProject, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Under GitHub Actions the session publishes the run: the job summary and the step's
    outputs (the Markdown and the output names are docs/github.md's)."""
    out = tmp_path_factory.mktemp("github")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(out / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(out / "output"))
    result = run(ship, PASSING)
    assert result.ret == 0
    assert "ADR-0001" in (out / "summary.md").read_text()
    outputs = (out / "output").read_text()
    assert "enforced-failures" in outputs
    assert "report.json" in outputs  # report-path


BASE_TESTS = module_of(
    """
    import numpy as np

    @pytest.mark.archgate("ADR-0001")
    def test_cand(archgate):
        rng = np.random.default_rng(0)
        y = (rng.random(2000) < 0.3).astype(float)
        archgate.evaluate(y, rng.normal(size=2000) + 1.5 * y, ["roc_auc"])
    """
)


def test_the_base_reports_maximum_age_comes_from_its_setting(
    make_adr_project: MakeProject,
) -> None:
    """A base report made two days ago is stale under ``--archgate-base-max-age=1d`` and fresh
    under the 30-day default; a bad age is a usage error naming the option."""
    from datetime import UTC, datetime, timedelta

    project = make_adr_project(standard=False, **{"0001-keep": BASE_ADR})
    run(project, BASE_TESTS, "--archgate-report=base.json")
    base_file = project.path / "base.json"
    base = json.loads(base_file.read_text())
    base["generated_at"] = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="seconds")
    base_file.write_text(json.dumps(base))
    fresh = run(project, BASE_TESTS, "--archgate-base-report=base.json")
    assert fresh.ret == 0, fresh.stdout.str()
    assert project.report()["base_report"]["stale"] == []
    run(project, BASE_TESTS, "--archgate-base-report=base.json", "--archgate-base-max-age=1d")
    (why,) = project.report()["base_report"]["stale"]
    assert "older than archgate_base_max_age" in why, why
    assert project.report()["notes"] == [f"base report base.json: {why}"]
    found = criterion(entry(project.report(), "ADR-0001"), "auc_vs_base", "cand")
    assert found["verdict"] == "unmeasured", found
    bad = run(
        project, BASE_TESTS, "--archgate-base-report=base.json", "--archgate-base-max-age=soon"
    )
    assert bad.ret == USAGE_ERROR
    assert "--archgate-base-max-age" in usage_error(bad)


def test_a_report_with_vs_base_criteria_carries_its_rows_and_a_later_run_pairs_with_them(
    make_adr_project: MakeProject,
) -> None:
    """The per-row predictions that ``vs @base`` criteria need are copied beside the report
    (``<report>.rows/``, named by their SHA-256); a run given that report compares paired."""
    import hashlib

    project = make_adr_project(standard=False, **{"0001-keep": BASE_ADR})
    run(project, BASE_TESTS, "--archgate-report=base.json")
    base = json.loads((project.path / "base.json").read_text())
    (m,) = base["measurements"]
    rows = m["rows"]
    data = (project.path / "base.json.rows" / rows["file"]).read_bytes()
    assert rows == {
        "file": rows["file"],
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    assert rows["file"] == f"{rows['sha256']}.npz"
    result = run(project, BASE_TESTS, "--archgate-base-report=base.json")
    assert result.ret == 0, result.stdout.str()
    report = project.report()
    assert report["base_report"]["paired_rows"] is True
    found = criterion(entry(report, "ADR-0001"), "auc_vs_base", "cand")
    assert found["method"].startswith("paired-"), found


def test_rows_that_cannot_be_copied_beside_the_report_are_a_note_of_the_report(
    make_adr_project: MakeProject,
) -> None:
    """Predictions gone by the end of the run (here: removed by a later test) cannot travel
    with the report: the report says so, and later comparisons with it are unpaired."""
    project = make_adr_project(standard=False, **{"0001-keep": BASE_ADR})
    tests = BASE_TESTS + textwrap.dedent(
        """

        def test_zz_remove_the_predictions(archgate):
            for path in archgate._scratch.glob("*.npz"):
                path.unlink()
        """
    )
    run(project, tests, "--archgate-report=base.json")
    report = json.loads((project.path / "base.json").read_text())
    assert report["notes"] == [
        "1 evaluation(s) kept no per-row predictions beside the report (unreadable, or over "
        "256 MiB in all): base-branch comparisons with them are unpaired"
    ]
    assert "rows" not in report["measurements"][0]


def test_without_the_exit_guard_a_report_that_cannot_be_written_fails_the_run(
    ship: AdrProject,
) -> None:
    result = run(
        ship,
        PASSING + "\n\ndef test_zz_take_its_place():\n    import os\n    os.mkdir('report.json')\n",
        *NO_GUARD,
    )
    result.assert_outcomes(passed=2)
    assert result.ret == 1


def test_a_base_report_from_another_clone_is_flagged(make_adr_project: MakeProject) -> None:
    """The base report's commit is looked up in the project's repository: one it does not
    hold is flagged beside every comparison (and in the report's ``base_report``)."""
    project = make_adr_project(standard=False, **{"0001-keep": BASE_ADR})
    commit_all(project.path)
    run(project, BASE_TESTS, "--archgate-report=base.json")
    base_file = project.path / "base.json"
    base = json.loads(base_file.read_text())
    base["commit"] = "0" * 40
    base_file.write_text(json.dumps(base))
    run(project, BASE_TESTS, "--archgate-base-report=base.json")
    assert project.report()["base_report"]["flags"] == [
        "the base report's commit 000000000000 is not in this clone"
    ]


def test_a_base_report_that_cannot_be_read_is_a_usage_error_naming_its_setting(
    make_adr_project: MakeProject,
) -> None:
    project = make_adr_project(standard=False, **{"0001-keep": BASE_ADR})
    result = run(project, BASE_TESTS, "--archgate-base-report=missing.json")
    line = usage_error(result)
    assert line.startswith("ERROR: archgate: base report (--archgate-base-report): "), line
    assert "missing.json" in line


def test_on_a_worker_a_bad_marker_errors_its_test_at_setup_with_the_reason(
    ship: AdrProject, as_worker: Path
) -> None:
    """A worker cannot stop the whole run at collection (the controller would see a crashed
    worker): each test with a bad marker errors at its setup, saying why, and the others run."""
    ship.tests(
        module_of(
            """
            @pytest.mark.archgate("ADR-0999")
            def test_unknown():
                pass

            def test_plain():
                pass
            """
        )
    )
    result = ship.pytester.runpytest(*FAST)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*archgate: *ADR-0999*"])


def test_a_report_without_an_adr_folder_names_none(make_adr_project: MakeProject) -> None:
    """A run asked for a report writes one even where no ADR folder exists; its ``adr_dir``
    is null, not a made-up path."""
    project = make_adr_project(standard=False)
    project.adr_dir.rmdir()
    result = run(project, "def test_plain():\n    pass\n")
    assert result.ret == 0
    assert project.report()["adr_dir"] is None


def test_every_duplicated_id_is_one_line_of_the_usage_error(make_adr_project: MakeProject) -> None:
    two = SHIP.replace("# Ship the candidate", "# Ship it again")
    project = make_adr_project(
        standard=False,
        **{"0001-ship": SHIP, "0001-again": SHIP, "0002-ship": two, "0002-again": two},
    )
    project.tests(PASSING)
    result = project.pytester.runpytest(*FAST)
    assert result.ret == USAGE_ERROR
    assert result.errlines == [
        "ERROR: archgate: duplicate ADR ids:",
        "  ADR-0001: adr/0001-again.md, adr/0001-ship.md",
        "  ADR-0002: adr/0002-again.md, adr/0002-ship.md",
        "",
    ]


def test_a_worker_keeps_its_predictions_in_the_controllers_scratch_folder(
    ship: AdrProject, as_worker: Path
) -> None:
    """Per-row predictions wait for the paired comparisons the controller makes: a worker
    writes them to the scratch folder the controller handed it."""
    ship.write_adr("0002-pair", PAIR_ADR)
    ship.tests(
        module_of(
            """
            @pytest.mark.archgate("ADR-0002", option="a")
            def test_a(archgate):
                archgate.evaluate([0, 1, 0, 1], [0.1, 0.9, 0.3, 0.7], ["roc_auc"])
            """
        )
    )
    ship.pytester.runpytest(*FAST).assert_outcomes(passed=1)
    assert list(as_worker.glob("*.npz"))


def test_a_worker_leaves_the_base_report_to_its_controller(
    ship: AdrProject, as_worker: Path
) -> None:
    """Only the controller reads the base report (and refuses a bad one); a worker does not
    read it at all."""
    result = run(ship, PASSING, "--archgate-base-report=missing.json")
    result.assert_outcomes(passed=1)


def test_an_error_a_thread_leaves_unhandled_after_it_was_reported_is_one_error(
    ship: AdrProject,
) -> None:
    """A measurement error in a thread is an error of the run once, whether the thread
    swallows it or lets it end the thread."""
    result = run(
        ship,
        module_of(
            """
            import threading

            @pytest.mark.archgate("ADR-0001")
            def test_cand(archgate):
                t = threading.Thread(target=archgate.record, args=("acc", float("nan")),
                                     name="worker-1")
                t.start()
                t.join()
            """
        ),
        "-W",
        "ignore::pytest.PytestUnhandledThreadExceptionWarning",
    )
    assert result.ret == 1
    (error,) = ship.report()["errors"]
    assert error.startswith("test_models.py::test_cand: record() in thread worker-1: acc: ")


def test_each_test_gets_a_recorder_of_its_own_also_without_a_marker(ship: AdrProject) -> None:
    """Tests that use the fixture without a marker share no recorder: each one's refused
    measurement names that test."""
    result = run(
        ship,
        module_of(
            """
            def test_first(archgate):
                archgate.record("acc", 0.95)

            def test_second(archgate):
                archgate.record("acc", 0.95)
            """
        ),
    )
    result.assert_outcomes(failed=2)
    for name in ("test_first", "test_second"):
        result.stdout.fnmatch_lines(
            [f"archgate: test_models.py::{name}: this test is not linked to any ADR: *"]
        )


def test_a_gpu_test_added_after_collection_is_still_a_gpu_test(
    ship: AdrProject, no_cuda: Any
) -> None:
    """A plugin that adds an item after archgate looked at the collected ones: its ``gpu``
    marker is still honoured (skipped without CUDA), not run as a plain test."""
    ship.pytester.makeconftest(
        """
        import pytest

        @pytest.hookimpl(trylast=True)
        def pytest_collection_modifyitems(session, items):
            template = items[0]
            extra = pytest.Function.from_parent(template.parent, name="test_late_gpu",
                                                callobj=template.obj)
            extra.add_marker(pytest.mark.gpu)
            items.append(extra)
        """
    )
    result = run(ship, module_of("def test_cpu():\n    pass\n"), "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED * needs a CUDA device: {no_cuda()}"])


def test_links_and_measurements_shipped_by_an_xdist_worker_reach_the_controllers_report(
    ship: AdrProject,
) -> None:
    """Under pytest-xdist the controller (this process) learns a test's links and measurements
    from its worker's reports only (a linked test that measured nothing is still listed).

    "xdist" in the name: the mutation harness deselects it (``-k "not xdist"``), since a worker
    it starts imports the mutated package without mutmut's configuration and fails."""
    tests = PASSING + '\n\n@pytest.mark.archgate("ADR-0001")\ndef test_linked_only():\n    pass\n'
    result = run(ship, tests, "-n", "1")
    result.assert_outcomes(passed=2)
    assert result.ret == 0
    adr = entry(ship.report(), "ADR-0001")
    assert adr["tests"] == ["test_models.py::test_cand", "test_models.py::test_linked_only"]
    assert {m["metric"] for m in ship.report()["measurements"]} == {"acc", "lat", "rate"}
