"""Tests linked to the same ADRs share the session's per-test state until one of them records.

The plugin keeps one state object per distinct set of links (issue 12's overhead budget on
large linked suites) and gives a test its own the moment it records, fails a criterion or has a
thread error. These tests pin that nothing one test does shows up on a sibling with the same
links: not its measurements, not its failed criteria, not its thread errors, not on a rerun.
"""

from __future__ import annotations

import json

import pytest
from conftest import AdrProject

FAST = ("-p", "no:randomly", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestWarning")


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "n2"])
def test_siblings_with_the_same_links_keep_their_own_outcomes(
    adr_project: AdrProject, xdist: tuple[str, ...]
) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_low(archgate):
            archgate.record("roc_auc", 0.874)

        @pytest.mark.archgate("ADR-0002")
        def test_silent():
            pass

        @pytest.mark.archgate("ADR-0002")
        def test_high(archgate):
            archgate.record("roc_auc", 0.95)

        @pytest.mark.archgate("ADR-0002")
        def test_silent_too():
            pass
        """
    )
    run = adr_project.pytester.runpytest_subprocess if xdist else adr_project.pytester.runpytest
    result = run(*FAST, *xdist, "--archgate-report=report.json")
    result.assert_outcomes(passed=3, failed=1)
    assert "test_low" in result.stdout.str()
    report = json.loads((adr_project.path / "report.json").read_text(encoding="utf-8"))
    (entry,) = [a for a in report["adrs"] if a["id"] == "ADR-0002"]
    assert len(entry["tests"]) == 4
    recorded = sorted(m["nodeid"].rsplit("::", 1)[1] for m in report["measurements"])
    assert recorded == ["test_high", "test_low"]


def test_a_thread_error_is_charged_to_its_own_test_only(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import threading

        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_thread_fails():
            t = threading.Thread(target=lambda: 1 / 0, name="worker")
            t.start()
            t.join()

        @pytest.mark.archgate("ADR-0002")
        def test_sibling():
            pass
        """
    )
    result = adr_project.pytester.runpytest(*FAST)
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "test_thread_fails: unhandled ZeroDivisionError in thread worker" in out
    assert "test_sibling: unhandled" not in out


def test_parametrized_siblings_keep_their_own_failures(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        @pytest.mark.parametrize("value", [0.874, 0.95])
        def test_model(archgate, value):
            archgate.record("roc_auc", value)
        """
    )
    result = adr_project.pytester.runpytest(*FAST)
    result.assert_outcomes(passed=1, failed=1)
    failed = [line for line in result.stdout.lines if line.startswith("FAILED ")]
    assert len(failed) == 1
    assert "test_model[0.874]" in failed[0]
