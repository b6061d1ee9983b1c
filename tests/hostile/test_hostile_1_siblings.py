"""Hostile class 1, siblings: more ways past the gate that must each end in a failed run.

* ``pytest.exit()`` after a measurement (in the test, a fixture's setup or teardown, or a later
  test): what was recorded is judged, and ``returncode=0`` cannot turn a violation into exit 0;
* a ``conftest.py`` that resets ``session.exitstatus`` to 0 in ``pytest_sessionfinish`` (plain,
  ``tryfirst``, ``trylast``, old- and new-style wrappers, a conftest loaded late, or later in
  ``pytest_unconfigure``): a failed gate still exits 1, and a run of a gated project in which
  no test ran still exits 5;
* an exception in a thread of a linked test (the measurement it was making is missing), a
  measurement error raised in a thread, or swallowed by a ``concurrent.futures`` future;
* a gated ADR that states two statuses that disagree: a usage error naming both lines.

The standard log (``tests/conftest.py``): ADR-0002 is accepted, decision ``xgboost``,
``roc_auc >= 0.9`` on line 11 of ``adr/0002-use-xgboost.md``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import AdrProject, no_traceback

from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.cli import main as cli

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")
FAST += ("-p", "no:cacheprovider")
VIOLATION = "ADR-0002 roc_auc [xgboost] = 0.874 violates >= 0.9 (adr/0002-use-xgboost.md:11)"


def run(project: AdrProject, *args: str, subprocess: bool = False) -> pytest.RunResult:
    if subprocess:
        return project.pytester.runpytest_subprocess(*FAST, *args)
    return project.pytester.runpytest(*FAST, "-W", "always", *args)


def gate_lines(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("FAILED (session)")]


# ---------------------------------------------------------------------------------------------
# pytest.exit after measuring

EXIT_CASES = {
    "in-the-test": """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.874)
            pytest.exit("stop here"{rc})
        """,
    "in-a-fixture-setup": """
        import pytest

        @pytest.fixture
        def measured(archgate):
            archgate.record("roc_auc", 0.874)
            pytest.exit("stop here"{rc})

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(measured):
            pass
        """,
    "in-a-fixture-teardown": """
        import pytest

        @pytest.fixture
        def measured(archgate):
            yield
            archgate.record("roc_auc", 0.874)
            pytest.exit("stop here"{rc})

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(measured):
            pass
        """,
    "in-a-later-test": """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.874)

        def test_zz_later():
            pytest.exit("stop here"{rc})
        """,
}


@pytest.mark.parametrize("where", list(EXIT_CASES))
def test_pytest_exit_with_returncode_0_after_a_violation_exits_1(
    adr_project: AdrProject, where: str
) -> None:
    adr_project.tests(EXIT_CASES[where].replace("{rc}", ", returncode=0"))
    result = run(adr_project, "-p", "no:randomly", "--archgate-report=report.json")
    assert result.ret == 1, result.stdout.str()
    report = adr_project.report()
    assert [a["verdict"] for a in report["adrs"] if a["id"] == "ADR-0002"] == ["fail"]
    if where == "in-a-later-test":  # the measuring test itself failed and showed it
        result.stdout.fnmatch_lines(["FAILED test_models.py::test_xgboost - Failed: ADR-0002*"])
        return
    assert [line[len("FAILED (session) ") :] for line in gate_lines(result)] == [VIOLATION]
    assert report["session_failures"] == [VIOLATION]


@pytest.mark.parametrize("where", ["in-the-test", "in-a-fixture-setup"])
def test_pytest_exit_without_returncode_still_judges_what_was_recorded(
    adr_project: AdrProject, where: str
) -> None:
    adr_project.tests(EXIT_CASES[where].replace("{rc}", ""))
    result = run(adr_project, "--archgate-report=report.json")
    assert result.ret == pytest.ExitCode.INTERRUPTED, result.stdout.str()
    assert adr_project.report()["session_failures"] == [VIOLATION]


def test_pytest_exit_in_a_subprocess_run_exits_1(adr_project: AdrProject) -> None:
    adr_project.tests(EXIT_CASES["in-the-test"].replace("{rc}", ", returncode=0"))
    result = run(adr_project, subprocess=True)
    assert result.ret == 1, result.stdout.str()
    assert gate_lines(result) == [f"FAILED (session) {VIOLATION}"]


# ---------------------------------------------------------------------------------------------
# a conftest that resets the exit status

RESETS = {
    "plain": """
        def pytest_sessionfinish(session):
            session.exitstatus = 0
        """,
    "plain-tryfirst": """
        import pytest

        @pytest.hookimpl(tryfirst=True)
        def pytest_sessionfinish(session):
            session.exitstatus = 0
        """,
    "plain-trylast": """
        import pytest

        @pytest.hookimpl(trylast=True)
        def pytest_sessionfinish(session):
            session.exitstatus = 0
        """,
    "old-hookwrapper-tryfirst": """
        import pytest

        @pytest.hookimpl(hookwrapper=True, tryfirst=True)
        def pytest_sessionfinish(session):
            yield
            session.exitstatus = 0
        """,
    "wrapper-trylast": """
        import pytest

        @pytest.hookimpl(wrapper=True, trylast=True)
        def pytest_sessionfinish(session):
            try:
                return (yield)
            finally:
                session.exitstatus = pytest.ExitCode.OK
        """,
    "testsfailed-reset": """
        import pytest

        @pytest.hookimpl(wrapper=True, tryfirst=True)
        def pytest_runtestloop(session):
            try:
                return (yield)
            finally:
                session.testsfailed = 0
        """,
    "sys-exit-0": """
        import sys

        def pytest_sessionfinish(session):
            sys.exit(0)
        """,
    "in-unconfigure": """
        SEEN = []

        def pytest_sessionfinish(session):
            SEEN.append(session)

        def pytest_unconfigure(config):
            for session in SEEN:
                session.exitstatus = 0
        """,
}

FAILING_TEST = """
    import pytest

    @pytest.mark.archgate("ADR-0002")
    def test_xgboost(archgate):
        archgate.record("roc_auc", {value})
    """


# sys.exit() in a hook ends an in-process pytester run with an error of pytester's own: the
# sys-exit-0 case runs in a subprocess only (test_a_conftest_reset_in_a_subprocess_run_exits_1)
INLINE_RESETS = [name for name in RESETS if name != "sys-exit-0"]


@pytest.mark.parametrize("where", ["root", "subfolder"])
@pytest.mark.parametrize("reset", INLINE_RESETS)
def test_a_conftest_cannot_reset_a_failed_gate_to_0(
    adr_project: AdrProject, reset: str, where: str
) -> None:
    # a root conftest is registered before the plugin's session; one in the tests' folder
    # only at collection, after it: both orders
    folder = adr_project.path if where == "root" else adr_project.path / "tests"
    folder.mkdir(exist_ok=True)
    (folder / "conftest.py").write_text(textwrap.dedent(RESETS[reset]), encoding="utf-8")
    (folder / "test_models.py").write_text(
        textwrap.dedent(FAILING_TEST.format(value=0.874)), encoding="utf-8"
    )
    result = run(adr_project)
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["FAILED *test_models.py::test_xgboost - Failed: ADR-0002*"])
    assert no_traceback(result.stdout.str())


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "n2"])
@pytest.mark.parametrize("reset", ["plain-tryfirst", "wrapper-trylast", "sys-exit-0"])
def test_a_conftest_reset_in_a_subprocess_run_exits_1(
    adr_project: AdrProject, reset: str, xdist: tuple[str, ...]
) -> None:
    adr_project.pytester.makeconftest(RESETS[reset])
    adr_project.tests(FAILING_TEST.format(value=0.874))
    assert run(adr_project, *xdist, subprocess=True).ret == 1


@pytest.mark.parametrize("reset", ["plain", "wrapper-trylast"])
def test_the_guard_leaves_a_passing_gate_and_other_statuses_alone(
    adr_project: AdrProject, reset: str
) -> None:
    adr_project.pytester.makeconftest(RESETS[reset])
    adr_project.tests(
        FAILING_TEST.format(value=0.95) + "\ndef test_plain_failure():\n    assert False\n"
    )
    # the gate passes; turning an ordinary test failure into 0 is the conftest's own business
    assert run(adr_project).ret == 0


@pytest.mark.parametrize("reset", ["plain", "old-hookwrapper-tryfirst", "in-unconfigure"])
def test_no_tests_in_a_gated_project_stays_exit_5(adr_project: AdrProject, reset: str) -> None:
    adr_project.pytester.makeconftest(RESETS[reset])
    adr_project.tests(FAILING_TEST.format(value=0.95))
    result = run(adr_project, "-k", "no_such_test")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED, result.stdout.str()


def test_no_tests_without_gated_adrs_is_the_conftests_business(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    pytester.makeconftest(RESETS["plain"])
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    assert pytester.runpytest(*FAST, "-k", "no_such_test").ret == 0


# ---------------------------------------------------------------------------------------------
# threads

THREADS = {
    "exception-before-recording": """
        import threading
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            def work():
                raise RuntimeError("model server went away")
                archgate.record("roc_auc", 0.95)
            t = threading.Thread(target=work, name="scorer")
            t.start()
            t.join()
        """,
    "records-after-an-exception": """
        import threading
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            def work():
                try:
                    raise RuntimeError("half the batches failed")
                finally:
                    archgate.record("roc_auc", 0.95)  # a value, but from a broken run
            t = threading.Thread(target=work, name="scorer")
            t.start()
            t.join()
        """,
    "measurement-error-in-a-thread": """
        import threading
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            t = threading.Thread(
                target=archgate.record, args=("roc_auc", float("nan")), name="scorer"
            )
            t.start()
            t.join()
        """,
    "measurement-error-in-a-future": """
        from concurrent.futures import ThreadPoolExecutor
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            with ThreadPoolExecutor(1) as pool:
                pool.submit(archgate.record, "roc_auc", float("nan"))  # result never asked
        """,
    "evaluate-error-in-a-future": """
        from concurrent.futures import ThreadPoolExecutor
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            with ThreadPoolExecutor(1) as pool:
                pool.submit(archgate.evaluate, "roc_auc", [1, 1, 1], [0.2, 0.4, 0.9])
        """,
}


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "n2"])
@pytest.mark.parametrize("case", list(THREADS))
def test_an_error_in_a_thread_of_a_linked_test_fails_the_run(
    adr_project: AdrProject, case: str, xdist: tuple[str, ...]
) -> None:
    adr_project.tests(THREADS[case])
    # pytest shows an unhandled thread exception as a warning only, which -W can hide
    args = ("-W", "ignore::pytest.PytestUnhandledThreadExceptionWarning", *xdist)
    result = run(adr_project, *args, "--archgate-report=report.json", subprocess=bool(xdist))
    assert result.ret == 1, result.stdout.str()
    errors = [line for line in result.outlines if line.startswith("ERROR test_models.py")]
    assert len(errors) == 1, result.stdout.str()
    assert "thread" in errors[0]
    if case == "exception-before-recording":
        expected = "unhandled RuntimeError in thread scorer: RuntimeError('model server went away')"
        assert expected in errors[0]
    report = adr_project.report()
    assert len(report["errors"]) == 1
    assert "thread" in report["errors"][0]


def test_a_thread_that_records_a_good_value_is_fine(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        from concurrent.futures import ThreadPoolExecutor
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda v: archgate.record("roc_auc", v), [0.95, 0.96]))
        """
    )
    result = run(adr_project)
    assert result.ret == 0, result.stdout.str()


def test_a_thread_exception_in_an_unlinked_test_is_pytests_business(
    adr_project: AdrProject,
) -> None:
    marker = '@pytest.mark.archgate("ADR-0002")'
    unlinked = THREADS["exception-before-recording"].replace(marker, "")
    adr_project.tests(unlinked)
    result = run(adr_project, "-W", "ignore::pytest.PytestUnhandledThreadExceptionWarning")
    assert result.ret == 0, result.stdout.str()


# ---------------------------------------------------------------------------------------------
# two statuses in one gated ADR

GATED_FRONT = """\
---
status: accepted
archgate:
  decision: a
  acceptance:
    accuracy: ">= 0.5"
---
# Pick a
"""
GATED_NO_STATUS = GATED_FRONT.replace("status: accepted\n", "")

CONFLICTS = {
    "front-matter-and-status-section": (
        GATED_FRONT + "\n## Status\n\nRejected\n\n## Context\n\nText.\n",
        ("'accepted' on line 2", "'Rejected' on line 12"),
    ),
    "two-status-lines": (
        GATED_NO_STATUS + "\nStatus: accepted\nStatus: rejected\n\n## Context\n\nText.\n",
        ("'accepted' on line 9", "'rejected' on line 10"),
    ),
    "two-status-sections": (
        GATED_NO_STATUS + "\n## Status\n\nAccepted\n\n## Context\n\nx\n\n## Status\n\nDeprecated\n",
        ("'Accepted' on line 11", "'Deprecated' on line 19"),
    ),
    "status-line-and-status-section": (
        GATED_NO_STATUS + "\n- Status: proposed\n\n## Status\n\nAccepted\n",
        ("'proposed' on line 9", "'Accepted' on line 13"),
    ),
    "two-front-matter-keys": (
        GATED_FRONT.replace("status: accepted\n", "status: accepted\nStatus: rejected\n"),
        ("'accepted' on line 2", "'rejected' on line 3"),
    ),
    "front-matter-and-status-table": (
        GATED_FRONT + "\n| Status | Deprecated |\n|---|---|\n\n## Context\n\nText.\n",
        ("'accepted' on line 2", "'Deprecated' on line 10"),
    ),
    "front-matter-and-status-line-far-down": (
        GATED_FRONT + "\n## Context\n\n" + "Text.\n\n" * 200 + "## Status\n\nSuperseded\n",
        ("'accepted' on line 2",),
    ),
}


@pytest.mark.parametrize("case", list(CONFLICTS))
def test_two_statuses_that_disagree_are_a_usage_error(pytester: pytest.Pytester, case: str) -> None:
    text, lines = CONFLICTS[case]
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    (pytester.path / "adr" / "0001-pick-a.md").write_text(text, encoding="utf-8")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest(*FAST)
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    err = result.stderr.str()
    assert "adr/0001-pick-a.md:" in err, err
    assert "status: two statuses that disagree" in err, err
    for where in lines:
        assert where in err, err
    assert no_traceback(err)


def test_two_statuses_in_an_rst_adr_are_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    (pytester.path / "adr" / "0001-pick-a.rst").write_text(
        "1. Pick a\n=========\n\n:status: Accepted\n\nStatus\n------\n\nRejected\n\n"
        '.. archgate:\n   decision: a\n   acceptance:\n     accuracy: ">= 0.5"\n',
        encoding="utf-8",
    )
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest(*FAST)
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    err = result.stderr.str()
    assert "'Accepted' on line 4 and 'Rejected' on line 9" in err, err


@pytest.mark.parametrize(
    "body",
    [
        "\n## Status\n\nAccepted\n",  # the same status twice is not a conflict
        "\n## Status\n\nAccepted on 2024-01-02 by the ML guild\n",
        "\n## Status\n\nSee the discussion below.\n",  # prose that reads as no status
    ],
)
def test_statuses_that_agree_are_fine(pytester: pytest.Pytester, body: str) -> None:
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    (pytester.path / "adr" / "0001-pick-a.md").write_text(GATED_FRONT + body, encoding="utf-8")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest(*FAST)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()


def test_an_ungated_adr_with_two_statuses_is_not_refused(pytester: pytest.Pytester) -> None:
    # files kept only as records are read leniently (real logs are untidy); only gated files
    # must be unambiguous
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    (pytester.path / "adr" / "0001-pick-a.md").write_text(
        "# Pick a\n\nStatus: accepted\nStatus: rejected\n", encoding="utf-8"
    )
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    assert pytester.runpytest(*FAST).ret == 0


def test_accept_and_supersede_keep_a_repeated_status_in_agreement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a body that repeats the front matter's status must follow it, or the edited file would
    # state two statuses that disagree (and accept/supersede would refuse to write it)
    folder = tmp_path / "adr"
    folder.mkdir()
    path = folder / "0001-pick-a.md"
    path.write_text(
        "---\nstatus: proposed\narchgate:\n  options: [a, b]\n  acceptance:\n"
        '    accuracy: ">= 0.5"\n---\n# Pick a\n\n## Status\n\nProposed\n\n## Context\n\nx\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert cli.main(["accept", "ADR-0001", "--option", "a", "--override", "no report"]) == 0
    assert cli.main(["new", "Pick b"]) == 0
    assert cli.main(["supersede", "ADR-0001", "--by", "ADR-0002"]) == 0, capsys.readouterr().err
    text = path.read_text(encoding="utf-8")
    assert "status: superseded by ADR-0002\n" in text
    assert "## Status\n\nSuperseded by [2. Pick b](0002-pick-b.md)\n" in text
    adr = parse_adr(path, root=tmp_path)
    assert (adr.status, adr.superseded_by) == ("superseded", "ADR-0002")
