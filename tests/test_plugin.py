"""Black-box tests of the pytest plugin through ``pytester``, as a user runs it.

Serial runs are in-process (fast); runs with ``-n`` go through a subprocess because xdist starts
its own workers. The standard decision log is described in ``conftest.py``.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Sequence
from typing import Any

import pytest
from conftest import AdrProject, criterion, entry, no_traceback

from pytest_archgate.adr.log import AdrLog

# plugins that this venv installs but the inner runs do not need: they only slow start-up
FAST = (
    "-p",
    "no:benchmark",
    "-p",
    "no:pytest_httpserver",
    "-p",
    "no:hypothesispytest",
    "-p",
    "no:cacheprovider",
)
IN_PROCESS = ("-W", "always")
RUNNERS = [
    pytest.param((), id="serial"),
    pytest.param(("-n", "1"), id="n1"),
    pytest.param(("-n", "2"), id="n2"),
]
USAGE_ERROR = pytest.ExitCode.USAGE_ERROR

XGB_FILE = "adr/0002-use-xgboost.md"


def run(project: AdrProject, *args: str, xdist: Sequence[str] = ()) -> pytest.RunResult:
    """Run pytest in the project: in-process when serial, in a subprocess with xdist."""
    if xdist:
        return project.pytester.runpytest_subprocess(*FAST, *xdist, *args)
    # in-process runs inherit this suite's ``filterwarnings = error``; a user's run does not
    return project.pytester.runpytest(*FAST, *IN_PROCESS, *args)


def esc(text: str) -> str:
    """Escape ``[`` and ``]`` for ``fnmatch_lines`` patterns."""
    return re.sub(r"([\[\]])", r"[\1]", text)


def output(result: pytest.RunResult) -> str:
    return result.stdout.str() + "\n" + result.stderr.str()


# tests that meet every criterion of ADR-0002 (auc_gain = 0.95 - 0.91 = 0.04 >= 0.01)
PASSING = """
    import pytest

    @pytest.mark.archgate("ADR-0002")
    def test_xgboost(archgate):
        archgate.record("roc_auc", 0.95)
        archgate.record("latency_p95_ms", 20.0)
        archgate.record("positive_rate", 0.1)

    @pytest.mark.archgate("ADR-0002", option="logreg")
    def test_logreg(archgate):
        archgate.record("roc_auc", 0.91)
"""


# ---------------------------------------------------------------------------------------------
# pass / fail


@pytest.mark.parametrize("xdist", RUNNERS)
def test_accepted_adr_passes(adr_project: AdrProject, xdist: tuple[str, ...]) -> None:
    adr_project.tests(PASSING)
    result = run(adr_project, "--archgate-report=report.json", xdist=xdist)
    result.assert_outcomes(passed=2)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*= archgate =*", "ADR-0002*accepted*pass*yes*"])
    adr = adr_project.adr_entry("ADR-0002")
    assert adr["verdict"] == "pass"
    assert adr["enforced"] is True
    assert adr["failing"] == []
    roc = criterion(adr, "roc_auc", "xgboost")
    assert (roc["value"], roc["verdict"], roc["role"], roc["enforced"]) == (
        0.95,
        "pass",
        "decision",
        True,
    )
    assert roc["tests"] == ["test_models.py::test_xgboost"]
    gain = criterion(adr, "auc_gain", "xgboost")
    assert gain["verdict"] == "pass"
    assert gain["value"] == pytest.approx(0.04)
    assert gain["tests"] == ["test_models.py::test_logreg", "test_models.py::test_xgboost"]
    # the baseline is judged for comparison only, never enforced
    base = criterion(adr, "roc_auc", "logreg")
    assert (base["role"], base["enforced"], base["verdict"]) == ("comparison", False, "pass")
    assert adr["tests"] == ["test_models.py::test_logreg", "test_models.py::test_xgboost"]


@pytest.mark.parametrize("xdist", RUNNERS)
def test_violated_criterion_fails_the_linked_test(
    adr_project: AdrProject, xdist: tuple[str, ...]
) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.874)

        def test_unrelated():
            pass
        """
    )
    result = run(adr_project, "--archgate-report=report.json", xdist=xdist)
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == 1
    message = f"ADR-0002 roc_auc [xgboost] = 0.874 violates >= 0.9 ({XGB_FILE}:11)"
    result.stdout.fnmatch_lines(
        ["*_ test_xgboost _*", esc(message), "ADR-0002*accepted*FAIL*yes*failing: roc_auc*"]
    )
    # reported on the test, so not a second time as a session failure
    assert "FAILED (session)" not in result.stdout.str()
    assert no_traceback(result.stdout.str())
    assert "archgate.record" not in result.stdout.str()  # no source excerpt either
    adr = adr_project.adr_entry("ADR-0002")
    assert adr["verdict"] == "fail"
    assert adr["failing"] == ["roc_auc"]
    assert adr_project.report()["summary"]["enforced_failures"] == 1


def test_worst_measurement_decides(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_good(archgate):
            archgate.record("roc_auc", 0.97)

        @pytest.mark.archgate("ADR-0002")
        def test_bad(archgate):
            archgate.record("roc_auc", 0.85)
        """
    )
    result = run(adr_project, "--archgate-report=report.json")
    result.assert_outcomes(passed=1, failed=1)
    roc = criterion(adr_project.adr_entry("ADR-0002"), "roc_auc", "xgboost")
    assert (roc["value"], roc["verdict"]) == (0.85, "fail")


def test_strict_bounds_and_upper_bounds(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project(
        standard=False,
        **{
            "0001-bounds": """\
            ---
            status: accepted
            archgate:
              decision: a
              acceptance:
                gt: "> 1"
                lt: "< 5"
                le: "<= 1_000"
            ---
            # Bounds
            """
        },
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_edges(archgate):
            archgate.record("gt", 1)
            archgate.record("lt", 5)
            archgate.record("le", 1000)
        """
    )
    result = run(project, "--archgate-report=report.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            esc("ADR-0001 gt [a] = 1 violates > 1 (adr/0001-bounds.md:6)"),
            esc("ADR-0001 lt [a] = 5 violates < 5 (adr/0001-bounds.md:7)"),
        ]
    )
    adr = project.adr_entry("ADR-0001")
    assert criterion(adr, "le", "a")["verdict"] == "pass"
    assert criterion(adr, "le", "a")["max"] == 1000


# ---------------------------------------------------------------------------------------------
# statuses that are never enforced


def test_proposed_adr_never_fails(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0003", option="mlp")
        def test_mlp(archgate):
            archgate.record("roc_auc", 0.5)

        @pytest.mark.archgate("ADR-0003", option="gbdt")
        def test_gbdt(archgate):
            archgate.record("roc_auc", 0.6)
        """
    )
    result = run(adr_project, "--archgate-report=report.json")
    result.assert_outcomes(passed=2)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["ADR-0003*proposed*FAIL*no*failing: roc_auc*"])
    assert "FAILED (session)" not in result.stdout.str()
    adr = adr_project.adr_entry("ADR-0003")
    assert (adr["verdict"], adr["enforced"]) == ("fail", False)
    assert {c["role"] for c in adr["criteria"]} == {"candidate"}
    assert all(c["enforced"] is False for c in adr["criteria"])


def test_no_decision_adr_passes_when_one_option_meets_all(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0003", option="mlp")
        def test_mlp(archgate):
            archgate.record("roc_auc", 0.5)

        @pytest.mark.archgate("ADR-0003", option="gbdt")
        def test_gbdt(archgate):
            archgate.record("roc_auc", 0.9)
        """
    )
    run(adr_project, "--archgate-report=report.json").assert_outcomes(passed=2)
    adr = adr_project.adr_entry("ADR-0003")
    assert adr["verdict"] == "pass"
    assert criterion(adr, "roc_auc", "mlp")["verdict"] == "fail"
    assert criterion(adr, "roc_auc", "gbdt")["verdict"] == "pass"


@pytest.mark.parametrize("status", ["proposed", "draft", "rejected", "deprecated", "superseded"])
def test_unenforced_statuses_never_fail(make_adr_project: Any, status: str) -> None:
    project: AdrProject = make_adr_project(
        standard=False,
        **{
            "0007-cache": f"""\
            ---
            status: {status}
            archgate:
              decision: redis
              acceptance:
                hit_rate: ">= 0.9"
            ---
            # Cache with Redis
            """
        },
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0007")
        def test_cache(archgate):
            archgate.record("hit_rate", 0.1)
        """
    )
    result = run(project, "--archgate-report=report.json", "-W", "ignore::pytest.PytestWarning")
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    adr = project.adr_entry("ADR-0007")
    expected_status = "proposed" if status == "draft" else status
    assert (adr["status"], adr["enforced"], adr["verdict"]) == (expected_status, False, "fail")
    assert "FAILED (session)" not in result.stdout.str()


@pytest.mark.parametrize("xdist", RUNNERS)
def test_superseded_adr_warns_with_successor(
    adr_project: AdrProject, xdist: tuple[str, ...]
) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0004")
        def test_old_store(archgate):
            archgate.record("freshness_s", 100)
        """
    )
    result = run(adr_project, "--archgate-report=report.json", xdist=xdist)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*SupersededAdrWarning: test_models.py::test_old_store is linked to ADR-0004, which "
            "is superseded; use ADR-0005 (adr/0005-feature-store-v2.md) instead",
            "ADR-0004*superseded*FAIL*no*superseded by ADR-0005*",
        ]
    )
    adr = adr_project.adr_entry("ADR-0004")
    assert adr["superseded_by"] == "ADR-0005"
    assert (adr["verdict"], adr["enforced"]) == ("fail", False)


def test_superseded_warning_count_serial(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0004")
        def test_old_store(archgate):
            pass
        """
    )
    run(adr_project).assert_outcomes(passed=1, warnings=1)


def test_superseded_warning_count_xdist(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0004")
        def test_old_store(archgate):
            pass
        """
    )
    run(adr_project, xdist=("-n", "2")).assert_outcomes(passed=1, warnings=1)


def test_deprecated_and_adr_tools_successor_links(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project(
        **{
            "0006-old-queue": """\
            # 6. Use a cron queue

            Date: 2020-01-01

            ## Status

            Superceded by [5. Feature store v2](0005-feature-store-v2.md)
            """,
            "0008-legacy-api": """\
            ---
            status: deprecated
            ---
            # Legacy API
            """,
        }
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0006")
        def test_queue():
            pass

        @pytest.mark.archgate(8)
        def test_legacy():
            pass
        """
    )
    result = run(project)
    result.assert_outcomes(passed=2, warnings=2)
    result.stdout.fnmatch_lines_random(
        [
            "*SupersededAdrWarning: test_models.py::test_queue is linked to ADR-0006, which is "
            "superseded; use ADR-0005 (adr/0005-feature-store-v2.md) instead",
            "*SupersededAdrWarning: test_models.py::test_legacy is linked to ADR-0008, which is "
            "deprecated",
        ]
    )


def test_superseded_by_missing_adr_names_the_reference(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project(
        **{
            "0009-gone": """\
            ---
            status: superseded by ADR-0042
            ---
            # Gone
            """
        }
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0009")
        def test_gone():
            pass
        """
    )
    result = run(project)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*ADR-0009, which is superseded; superseded by ADR-0042"])


def test_adr_without_criteria_has_verdict_none(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_documented():
            pass
        """
    )
    result = run(adr_project, "--archgate-report=report.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["ADR-0001*accepted*none*yes*"])
    adr = adr_project.adr_entry("ADR-0001")
    assert (adr["verdict"], adr["criteria"], adr["tests"]) == (
        "none",
        [],
        ["test_models.py::test_documented"],
    )
    assert adr_project.report()["summary"]["none"] == 1


# ---------------------------------------------------------------------------------------------
# unmeasured


def test_unmeasured_is_never_shown_as_pass(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0005")
        def test_measures_nothing(archgate):
            pass
        """
    )
    result = run(adr_project, "--archgate-report=report.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["ADR-0005*accepted*unmeasured*yes*unmeasured: freshness_s"])
    assert not re.search(r"^ADR-0005\s+accepted\s+pass", result.stdout.str(), re.M)
    report = adr_project.report()
    adr = entry(report, "ADR-0005")
    assert adr["verdict"] == "unmeasured"
    fresh = criterion(adr, "freshness_s", "store-v2")
    assert (fresh["verdict"], fresh["value"]) == ("unmeasured", None)
    assert report["summary"]["pass"] == 0
    assert report["summary"]["unmeasured_accepted"] == 2  # ADR-0002 and ADR-0005


def test_confidence_criterion_without_interval_is_unmeasured(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project(
        standard=False,
        **{
            "0001-ci": """\
            ---
            status: accepted
            archgate:
              decision: a
              options: [a, b]
              acceptance:
                recall: {min: 0.8, confidence: 0.95}
            ---
            # Confident
            """
        },
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_point_only(archgate):
            archgate.record("recall", 0.99)  # a point value cannot meet a confidence bound

        @pytest.mark.archgate("ADR-0001", option="b")
        def test_with_interval(archgate):
            # the one-sided 95% bound is the low end of the two-sided 90% interval
            archgate.record("recall", 0.9, ci=(0.85, 0.95), level=0.90)
        """
    )
    result = run(project, "--archgate-report=report.json")
    result.assert_outcomes(passed=2)
    adr = project.adr_entry("ADR-0001")
    point = criterion(adr, "recall", "a")
    assert (point["verdict"], point["value"]) == ("unmeasured", 0.99)
    assert "no interval at confidence 0.95" in point["reason"]
    assert adr["verdict"] == "unmeasured"
    assert criterion(adr, "recall", "b")["verdict"] == "pass"


# ---------------------------------------------------------------------------------------------
# vs criteria, judged at session end


@pytest.mark.parametrize("xdist", RUNNERS)
def test_vs_criterion_fails_the_session(adr_project: AdrProject, xdist: tuple[str, ...]) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.95)
            archgate.record("latency_p95_ms", 20.0)

        @pytest.mark.archgate("ADR-0002", option="logreg")
        def test_logreg(archgate):
            archgate.record("roc_auc", 0.945)
        """
    )
    result = run(adr_project, "--archgate-report=report.json", xdist=xdist)
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*= archgate =*",
            "ADR-0002*accepted*FAIL*yes*failing: auc_gain*",
            esc(
                "FAILED (session) ADR-0002 auc_gain (roc_auc) [xgboost] = 0.005 violates "
                f">= 0.01 vs logreg ({XGB_FILE}:13)"
            ),
        ]
    )
    adr = adr_project.adr_entry("ADR-0002")
    gain = criterion(adr, "auc_gain", "xgboost")
    assert gain["verdict"] == "fail"
    assert gain["value"] == pytest.approx(0.005)
    assert adr_project.report()["session_failures"] == [
        f"ADR-0002 auc_gain (roc_auc) [xgboost] = 0.005 violates >= 0.01 vs logreg ({XGB_FILE}:13)"
    ]


@pytest.mark.parametrize(
    "xdist", [pytest.param((), id="serial"), pytest.param(("-n", "2"), id="n2")]
)
def test_vs_criterion_passes(adr_project: AdrProject, xdist: tuple[str, ...]) -> None:
    adr_project.tests(PASSING)
    result = run(adr_project, "--archgate-report=report.json", xdist=xdist)
    assert result.ret == 0
    assert "FAILED (session)" not in result.stdout.str()
    assert adr_project.report()["session_failures"] == []


def test_vs_without_reference_is_unmeasured(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.95)
        """
    )
    result = run(adr_project, "--archgate-report=report.json")
    assert result.ret == 0
    gain = criterion(adr_project.adr_entry("ADR-0002"), "auc_gain", "xgboost")
    assert (gain["verdict"], gain["value"]) == ("unmeasured", None)
    assert "logreg" in gain["reason"]


@pytest.mark.parametrize(
    "xdist", [pytest.param((), id="serial"), pytest.param(("-n", "2"), id="n2")]
)
def test_evaluate_paired_vs(adr_project: AdrProject, xdist: tuple[str, ...]) -> None:
    pytest.importorskip("pytest_archgate.measure.metrics")
    adr_project.tests(
        """
        import pytest

        Y = [0, 0, 0, 0, 1, 1, 1, 1] * 25
        GOOD = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9] * 25
        WEAK = [0.1, 0.6, 0.3, 0.7, 0.2, 0.65, 0.8, 0.9] * 25

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            result = archgate.evaluate(Y, GOOD, ["roc_auc"])
            assert result["roc_auc"].value == 1.0
            archgate.record("latency_p95_ms", 10)

        @pytest.mark.archgate("ADR-0002", option="logreg")
        def test_logreg(archgate):
            archgate.evaluate(Y, WEAK, ["roc_auc"])
        """
    )
    result = run(adr_project, "--archgate-report=report.json", xdist=xdist)
    result.assert_outcomes(passed=2)
    adr = adr_project.adr_entry("ADR-0002")
    gain = criterion(adr, "auc_gain", "xgboost")
    assert gain["value"] == pytest.approx(0.25)
    assert gain["method"] == "paired-mover-score-logit-delong"
    assert gain["ci"] is not None
    assert gain["ci"][0] > 0.01
    assert criterion(adr, "roc_auc", "logreg")["value"] == pytest.approx(0.75)


# ---------------------------------------------------------------------------------------------
# constraints and --archgate-strict

DRIFT = """
    import pytest

    @pytest.mark.archgate("ADR-0002")
    def test_xgboost(archgate):
        archgate.record("roc_auc", 0.95)
        archgate.record("latency_p95_ms", 20.0)
        archgate.record("positive_rate", 0.5)

    @pytest.mark.archgate("ADR-0002", option="logreg")
    def test_logreg(archgate):
        archgate.record("roc_auc", 0.91)

    @pytest.mark.archgate("ADR-0005")
    def test_store(archgate):
        archgate.record("freshness_s", 5)
"""
DRIFT_MESSAGE = f"ADR-0002 positive_rate [xgboost] = 0.5 violates >= 0.05 and <= 0.2 ({XGB_FILE}:9)"


def test_constraint_drift_needs_review(adr_project: AdrProject) -> None:
    adr_project.tests(DRIFT)
    result = run(adr_project, "--archgate-report=report.json")
    result.assert_outcomes(passed=3, warnings=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*NeedsReviewWarning: needs review: " + esc(DRIFT_MESSAGE) + "*",
            "ADR-0002*accepted*pass*yes*NEEDS REVIEW: a constraint no longer holds",
            "WARNING needs review: " + esc(DRIFT_MESSAGE) + "*",
        ]
    )
    report = adr_project.report()
    adr = entry(report, "ADR-0002")
    assert (adr["verdict"], adr["needs_review"]) == ("pass", True)
    rate = criterion(adr, "positive_rate", "xgboost")
    assert (rate["kind"], rate["verdict"], rate["value"], rate["line"]) == (
        "constraint",
        "fail",
        0.5,
        9,
    )
    assert report["summary"]["needs_review"] == 1
    assert entry(report, "ADR-0005")["needs_review"] is False


@pytest.mark.parametrize("how", ["option", "ini"])
def test_strict_turns_needs_review_into_failure(adr_project: AdrProject, how: str) -> None:
    adr_project.tests(DRIFT)
    args = ["--archgate-report=report.json"]
    if how == "option":
        args.append("--archgate-strict")
    else:
        adr_project.pytester.makeini("[pytest]\narchgate_strict = true\n")
    result = run(adr_project, *args)
    result.assert_outcomes(passed=3)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["FAILED (--archgate-strict) needs review: " + esc(DRIFT_MESSAGE)])
    assert adr_project.report()["strict_failures"] == [f"needs review: {DRIFT_MESSAGE}"]


def test_strict_fails_on_unmeasured_accepted_criteria(adr_project: AdrProject) -> None:
    adr_project.tests(PASSING)  # ADR-0005 is never measured
    result = run(adr_project, "--archgate-strict")
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            esc(
                "FAILED (--archgate-strict) unmeasured: ADR-0005 freshness_s [store-v2] is "
                "unmeasured (no measurement of freshness_s): needs <= 30 "
                "(adr/0005-feature-store-v2.md*"
            )
        ]
    )
    # unenforced ADRs (proposed, superseded) are not held to --archgate-strict
    assert "ADR-0003" not in "".join(
        line for line in result.outlines if line.startswith("FAILED (--archgate-strict)")
    )
    assert "ADR-0004" not in "".join(
        line for line in result.outlines if line.startswith("FAILED (--archgate-strict)")
    )


def test_strict_passes_when_everything_is_measured(adr_project: AdrProject) -> None:
    adr_project.tests(
        PASSING
        + """
    @pytest.mark.archgate("ADR-0005")
    def test_store(archgate):
        archgate.record("freshness_s", 5)
    """
    )
    result = run(adr_project, "--archgate-strict")
    result.assert_outcomes(passed=3)
    assert result.ret == 0
    assert "FAILED (--archgate-strict)" not in result.stdout.str()


def test_unmeasured_does_not_fail_without_strict(adr_project: AdrProject) -> None:
    adr_project.tests(PASSING)
    assert run(adr_project).ret == 0


# ---------------------------------------------------------------------------------------------
# marker forms


def test_marker_on_class_module_and_param(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        pytestmark = pytest.mark.archgate("ADR-0005")

        def test_module_level(archgate):
            assert archgate.adrs == ["ADR-0005"]
            assert archgate.option == "store-v2"
            archgate.record("freshness_s", 10)
        """,
        name="test_module_mark",
    )
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002", option="mlp")
        class TestMlp:
            def test_in_class(self, archgate):
                assert archgate.adrs == ["ADR-0002"]
                assert archgate.option == "mlp"
                archgate.record("roc_auc", 0.5)

        @pytest.mark.parametrize(
            "model, auc",
            [
                pytest.param(
                    "logreg", 0.91, marks=pytest.mark.archgate("ADR-0002", option="logreg")
                ),
                pytest.param("xgboost", 0.95, marks=pytest.mark.archgate("ADR-0002")),
                pytest.param("none", 0.0),
            ],
        )
        def test_param(request, model, auc):
            if model == "none":
                assert request.node.get_closest_marker("archgate") is None
                return
            archgate = request.getfixturevalue("archgate")
            assert archgate.option == model
            archgate.record("roc_auc", auc)
        """,
        name="test_other_marks",
    )
    result = run(adr_project, "--archgate-report=report.json")
    result.assert_outcomes(passed=5)
    report = adr_project.report()
    assert entry(report, "ADR-0005")["tests"] == ["test_module_mark.py::test_module_level"]
    adr = entry(report, "ADR-0002")
    assert adr["tests"] == [
        "test_other_marks.py::TestMlp::test_in_class",
        "test_other_marks.py::test_param[logreg-0.91]",
        "test_other_marks.py::test_param[xgboost-0.95]",
    ]
    assert criterion(adr, "roc_auc", "mlp")["value"] == 0.5
    assert criterion(adr, "roc_auc", "logreg")["value"] == 0.91
    assert criterion(adr, "roc_auc", "xgboost")["value"] == 0.95
    assert criterion(adr, "auc_gain", "xgboost")["value"] == pytest.approx(0.04)


@pytest.mark.parametrize(
    "ref",
    [
        "'ADR-0002'",
        "'adr-0002'",
        "2",
        "'2'",
        "'0002'",
        "'0002-use-xgboost'",
        "'0002-use-xgboost.md'",
    ],
)
def test_marker_by_id_number_or_stem(adr_project: AdrProject, ref: str) -> None:
    adr_project.tests(
        f"""
        import pytest

        @pytest.mark.archgate({ref})
        def test_linked(archgate):
            assert archgate.adrs == ["ADR-0002"]
            archgate.record("roc_auc", 0.8)
        """
    )
    result = run(adr_project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([esc("ADR-0002 roc_auc [xgboost] = 0.8 violates >= 0.9*")])


def test_one_test_linked_to_two_adrs(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0003", "ADR-0002", option="mlp")
        def test_mlp(archgate):
            assert archgate.adrs == ["ADR-0003", "ADR-0002"]
            archgate.record("roc_auc", 0.88)
        """
    )
    result = run(adr_project, "--archgate-report=report.json")
    result.assert_outcomes(passed=1)
    report = adr_project.report()
    assert criterion(entry(report, "ADR-0003"), "roc_auc", "mlp")["verdict"] == "pass"
    assert criterion(entry(report, "ADR-0002"), "roc_auc", "mlp")["role"] == "comparison"


def test_option_override_in_record(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_side_by_side(archgate):
            archgate.record("roc_auc", 0.95)
            archgate.record("roc_auc", 0.5, option="logreg")  # comparison only: never fails
        """
    )
    result = run(adr_project, "--archgate-report=report.json")
    result.assert_outcomes(passed=1)
    adr = adr_project.adr_entry("ADR-0002")
    assert criterion(adr, "roc_auc", "logreg")["verdict"] == "fail"
    assert criterion(adr, "auc_gain", "xgboost")["value"] == pytest.approx(0.45)


def test_option_not_in_options_in_record_fails_test(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_svm(archgate):
            archgate.record("roc_auc", 0.95, option="svm")
        """
    )
    result = run(adr_project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["archgate: option: option 'svm' is not one of ADR-0002's options (xgboost, logreg, mlp)"]
    )
    assert no_traceback(result.stdout.str())


def test_record_without_marker_fails_clearly(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        def test_unlinked(archgate):
            archgate.record("roc_auc", 0.95)
        """
    )
    result = run(adr_project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*this test is not linked to any ADR*"])
    assert no_traceback(result.stdout.str())


# ---------------------------------------------------------------------------------------------
# bad input: usage errors in serial runs, setup errors under xdist

BAD_MARKERS = {
    "unknown-id": (
        '@pytest.mark.archgate("ADR-0099")',
        "test_models.py:3: no ADR 'ADR-0099' in * (5 ADRs); did you mean *",
    ),
    "unknown-number": ("@pytest.mark.archgate(42)", "test_models.py:3: no ADR 42 in *"),
    "bad-option": (
        '@pytest.mark.archgate("ADR-0002", option="svm")',
        "test_models.py:3: test_models.py::test_bad marker option: option 'svm' is not one of "
        "ADR-0002's options (xgboost, logreg, mlp, in adr/0002-use-xgboost.md); "
        "add it to archgate.options",
    ),
    "no-id": (
        "@pytest.mark.archgate()",
        "test_models.py:3: test_models.py::test_bad marker: @pytest.mark.archgate needs at least "
        "one ADR id*",
    ),
    "bad-kwarg": (
        '@pytest.mark.archgate("ADR-0002", options="xgboost")',
        "*unknown keyword argument(s) options*",
    ),
}


def bad_marker_project(project: AdrProject, kind: str) -> str:
    marker, message = BAD_MARKERS[kind]
    project.tests(
        f"""
        import pytest

        {marker}
        def test_bad(archgate):
            pass

        def test_good():
            pass
        """
    )
    return message


@pytest.mark.parametrize("kind", list(BAD_MARKERS))
def test_bad_marker_is_a_usage_error(adr_project: AdrProject, kind: str) -> None:
    message = bad_marker_project(adr_project, kind)
    result = run(adr_project)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: archgate: {esc(message)}"])
    assert result.stderr.str().strip().count("\n") == 0  # one line
    assert no_traceback(output(result))


@pytest.mark.parametrize("xdist", RUNNERS[1:])
@pytest.mark.parametrize("kind", ["unknown-id", "bad-option"])
def test_bad_marker_errors_at_setup_under_xdist(
    adr_project: AdrProject, kind: str, xdist: tuple[str, ...]
) -> None:
    message = bad_marker_project(adr_project, kind)
    result = run(adr_project, "--archgate-report=report.json", xdist=xdist)
    assert result.ret == 1
    result.assert_outcomes(passed=1, errors=1)
    errors = adr_project.report()["errors"]
    assert len(errors) == 1
    assert fnmatch.fnmatchcase(errors[0], f"archgate: {esc(message)}")
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_bad*",
            f"archgate: {esc(message)}",
            f"ERROR archgate: {esc(message)}",
        ]
    )
    assert no_traceback(output(result))


def test_bad_marker_serial_without_xdist_plugin(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0099")
        def test_bad():
            pass
        """
    )
    result = run(adr_project, "-p", "no:xdist")
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: archgate: test_models.py:3: no ADR 'ADR-0099' in *"])


def broken_project(make_adr_project: Any, body: str) -> AdrProject:
    project: AdrProject = make_adr_project(**{"0006-broken": body})
    project.tests("def test_anything():\n    pass\n")
    return project


BROKEN_ADRS = {
    "yaml-bad-indent": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
         acceptance: x
        ---
        # Broken
        """,
        "adr/0006-broken.md:5: front matter: front matter is not valid YAML: *",
    ),
    "yaml-unquoted-op": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            auc: >= 0.9
            other: ">= 1"
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: front matter: front matter is not valid YAML: *",
    ),
    "duplicate-key": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            auc: ">= 0.9"
            auc: ">= 0.8"
        ---
        # Broken
        """,
        "adr/0006-broken.md:7: archgate.acceptance.auc: key 'auc' appears twice*",
    ),
    "unknown-archgate-key": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          thresholds:
            auc: 0.9
        ---
        # Broken
        """,
        "adr/0006-broken.md:5: archgate.thresholds: unknown key 'thresholds'; allowed: decision, "
        "baseline, options, constraints, acceptance, weights, cost, family",
    ),
    "unknown-criterion-key": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            auc: {minimum: 0.9}
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: archgate.acceptance.auc: unknown key(s) minimum; allowed: min, "
        "max, metric, vs, confidence, device",
    ),
    "non-numeric-string-bound": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            auc: ">= high"
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: archgate.acceptance.auc: expected a number, got 'high'",
    ),
    "non-numeric-mapping-bound": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          constraints:
            rows: {min: lots}
          acceptance:
            auc: ">= 0.9"
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: archgate.constraints.rows.min: expected a number, got 'lots'",
    ),
    "bad-operator": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            auc: "== 0.9"
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: archgate.acceptance.auc: cannot read '== 0.9'*",
    ),
    "min-greater-than-max": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            auc: {min: 0.9, max: 0.8}
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: archgate.acceptance.auc: min 0.9 is greater than max 0.8*",
    ),
    "vs-not-an-option": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          options: [a, b]
          acceptance:
            gain: {metric: auc, min: 0.01, vs: c}
        ---
        # Broken
        """,
        "adr/0006-broken.md:7: archgate.acceptance.gain.vs: vs names 'c', which is not one of "
        "the ADR's options (a, b)*",
    ),
    "bad-device": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            latency: {max: 5, device: tpu}
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: archgate.acceptance.latency.device: device must be one of cpu, "
        "cuda; got 'tpu'",
    ),
    "bad-confidence": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            auc: {min: 0.9, confidence: 1.5}
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: archgate.acceptance.auc.confidence: confidence must be in*",
    ),
    "no-bound": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            auc: {metric: roc_auc}
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: archgate.acceptance.auc: a criterion needs a bound*",
    ),
    "non-finite-bound": (
        """\
        ---
        status: accepted
        archgate:
          decision: a
          acceptance:
            auc: {min: .inf}
        ---
        # Broken
        """,
        "adr/0006-broken.md:6: archgate.acceptance.auc.min: bound must be a finite number*",
    ),
    "decision-not-an-option": (
        """\
        ---
        status: accepted
        archgate:
          decision: z
          options: [a, b]
          acceptance:
            auc: ">= 0.9"
        ---
        # Broken
        """,
        "adr/0006-broken.md:4: archgate.decision: 'z' is not one of archgate.options (a, b)",
    ),
}


@pytest.mark.parametrize("kind", list(BROKEN_ADRS))
def test_broken_adr_is_a_usage_error(make_adr_project: Any, kind: str) -> None:
    body, message = BROKEN_ADRS[kind]
    project = broken_project(make_adr_project, body)
    result = run(project)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: archgate: 1 ADR file(s) cannot be parsed (run `archgate lint` for details):",
            "  " + esc(message),
        ]
    )
    assert no_traceback(output(result))


def test_broken_adr_under_xdist_exits_non_zero(make_adr_project: Any) -> None:
    body, message = BROKEN_ADRS["unknown-criterion-key"]
    project = broken_project(make_adr_project, body)
    result = run(project, xdist=("-n", "2"))
    assert result.ret != 0
    assert message.split(";")[0] in output(result)
    assert no_traceback(output(result))


def test_duplicate_ids_are_a_usage_error(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project(**{"0002-another": "# Another second decision\n"})
    project.tests("def test_anything():\n    pass\n")
    result = run(project)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: archgate: duplicate ADR ids:",
            "  ADR-0002: adr/0002-another.md, adr/0002-use-xgboost.md",
        ]
    )


@pytest.mark.parametrize("value", ["float('nan')", "float('inf')", "-math.inf", "numpy.nan"])
def test_non_finite_value_fails_test_without_traceback(adr_project: AdrProject, value: str) -> None:
    adr_project.tests(
        f"""
        import math
        import numpy
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_nan(archgate):
            archgate.record("roc_auc", {value})
        """
    )
    result = run(adr_project, "--archgate-report=report.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "archgate: roc_auc: value is *: a non-finite measurement can never be judged; fix "
            "the computation that produced it"
        ]
    )
    assert no_traceback(result.stdout.str())
    assert "archgate.record(" not in result.stdout.str()
    # nothing non-finite reaches the report (it must stay valid JSON)
    text = (adr_project.path / "report.json").read_text()
    assert "NaN" not in text
    assert "Infinity" not in text
    assert criterion(adr_project.adr_entry("ADR-0002"), "roc_auc", "xgboost")["value"] is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            'archgate.record("roc_auc", "0.9")',
            "archgate: roc_auc: value must be a number, got '0.9'",
        ),
        ("archgate.record('roc_auc', True)", "archgate: roc_auc: value must be a number, got True"),
        (
            "archgate.record('roc_auc', 0.95, ci=(0.97, 0.99))",
            "archgate: roc_auc: ci (0.97, 0.99) must be finite with low <= value <= high*",
        ),
    ],
)
def test_bad_recorded_values(adr_project: AdrProject, call: str, message: str) -> None:
    adr_project.tests(
        f"""
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_bad_value(archgate):
            {call}
        """
    )
    result = run(adr_project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([message])
    assert no_traceback(result.stdout.str())


# ---------------------------------------------------------------------------------------------
# filterwarnings = error in the user's config


def test_superseded_warning_with_filterwarnings_error(adr_project: AdrProject) -> None:
    adr_project.pytester.makeini("[pytest]\nfilterwarnings = error\n")
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0004")
        def test_old_store():
            pass

        def test_other():
            pass
        """
    )
    result = adr_project.pytester.runpytest_subprocess(*FAST)
    assert result.ret in (0, 1)
    assert "INTERNALERROR" not in output(result)
    assert no_traceback(output(result))


def test_needs_review_with_filterwarnings_error(adr_project: AdrProject) -> None:
    adr_project.pytester.makeini("[pytest]\nfilterwarnings = error\n")
    adr_project.tests(DRIFT)
    result = adr_project.pytester.runpytest_subprocess(*FAST)
    assert no_traceback(output(result))
    result.stdout.fnmatch_lines(["*= archgate =*"])


# ---------------------------------------------------------------------------------------------
# JSON report

TOP_KEYS = {
    "schema",
    "version",
    "generated_at",
    "archgate_version",
    "python",
    "platform",
    "rootdir",
    "adr_dir",
    "summary",
    "adrs",
    "measurements",
    "environment",
    "errors",
    "strict",
    "session_failures",
    "strict_failures",
}
ADR_KEYS = {
    "id",
    "title",
    "file",
    "status",
    "status_raw",
    "enforced",
    "verdict",
    "needs_review",
    "superseded_by",
    "decision",
    "baseline",
    "options",
    "tests",
    "failing",
    "unmeasured",
    "criteria",
    "constraints",
    "definition",
}
CRITERION_KEYS = {
    "name",
    "metric",
    "kind",
    "option",
    "role",
    "enforced",
    "bound",
    "min",
    "max",
    "vs",
    "confidence",
    "device",
    "line",
    "value",
    "ci",
    "method",
    "n",
    "estimate",
    "verdict",
    "reason",
    "tests",
}
SUMMARY_KEYS = {
    "adrs",
    "pass",
    "fail",
    "unmeasured",
    "none",
    "enforced_failures",
    "needs_review",
    "unmeasured_accepted",
}


def test_report_shape(adr_project: AdrProject) -> None:
    adr_project.tests(DRIFT)
    run(adr_project, "--archgate-report=out/report.json").assert_outcomes(passed=3)
    report = adr_project.report("out/report.json")
    # the documented keys are there; new keys may be added, never removed or renamed
    assert set(report) >= TOP_KEYS
    assert report["schema"] == "pytest-archgate/report"
    assert report["version"] == 1
    assert report["adr_dir"] == str(adr_project.adr_dir)
    assert set(report["summary"]) >= SUMMARY_KEYS
    assert {k: report["summary"][k] for k in SUMMARY_KEYS} == {
        "adrs": 4,
        "pass": 2,
        "fail": 0,
        "unmeasured": 2,
        "none": 0,
        "enforced_failures": 0,
        "needs_review": 1,
        "unmeasured_accepted": 0,
    }
    # ADRs with criteria or linked tests, in log order; 0001 has neither
    assert [a["id"] for a in report["adrs"]] == ["ADR-0002", "ADR-0003", "ADR-0004", "ADR-0005"]
    # every entry carries the documented keys, measured or not, pass or fail
    for adr in report["adrs"]:
        assert set(adr) >= ADR_KEYS, (adr["id"], ADR_KEYS - set(adr))
    results = [c for adr in report["adrs"] for c in adr["criteria"] + adr["constraints"]]
    assert {c["verdict"] for c in results} == {"pass", "fail", "unmeasured"}
    for c in results:
        assert set(c) >= CRITERION_KEYS, (c["name"], CRITERION_KEYS - set(c))
    adr = entry(report, "ADR-0002")
    assert adr["title"] == "Use XGBoost for churn scoring"
    assert adr["file"] == XGB_FILE
    assert (adr["status"], adr["decision"], adr["baseline"]) == ("accepted", "xgboost", "logreg")
    assert [(c["name"], c["option"]) for c in adr["criteria"]] == [
        ("roc_auc", "xgboost"),
        ("latency_p95_ms", "xgboost"),
        ("auc_gain", "xgboost"),
        ("roc_auc", "logreg"),
        ("latency_p95_ms", "logreg"),
    ]
    assert [c["line"] for c in adr["criteria"][:3]] == [11, 12, 13]
    assert criterion(adr, "roc_auc", "xgboost")["bound"] == ">= 0.9"
    assert criterion(adr, "auc_gain", "xgboost")["bound"] == ">= 0.01 vs logreg"
    assert {(m["adr"], m["option"], m["metric"]) for m in report["measurements"]} == {
        ("ADR-0002", "xgboost", "roc_auc"),
        ("ADR-0002", "xgboost", "latency_p95_ms"),
        ("ADR-0002", "xgboost", "positive_rate"),
        ("ADR-0002", "logreg", "roc_auc"),
        ("ADR-0005", "store-v2", "freshness_s"),
    }
    assert all("predictions" not in m for m in report["measurements"])
    assert report["errors"] == []
    assert report["strict"] is False


def test_report_written_when_tests_fail_and_for_ini_path(adr_project: AdrProject) -> None:
    adr_project.pytester.makeini("[pytest]\narchgate_report = reports/archgate.json\n")
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.5)
        """
    )
    result = run(adr_project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["archgate report: reports/archgate.json"])
    report = adr_project.report("reports/archgate.json")
    assert entry(report, "ADR-0002")["verdict"] == "fail"


def test_report_after_exitfirst(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.5)

        def test_later():
            pass
        """
    )
    result = run(adr_project, "-x", "--archgate-report=report.json")
    result.assert_outcomes(failed=1)
    report = adr_project.report()
    assert report["measurements"]  # recorded ...
    assert entry(report, "ADR-0002")["verdict"] == "fail"  # ... but never judged


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    """A report without what legitimately differs between runs.

    Time, measurement order, and the environment: an in-process run sees the modules this
    suite imported (their versions are recorded), a subprocess does not.
    """
    skip = ("generated_at", "measurements", "environment")
    data = {k: v for k, v in report.items() if k not in skip}
    assert report["environment"]["python"]
    data["measurements"] = sorted(json.dumps(m, sort_keys=True) for m in report["measurements"])
    return data


MIXED = (
    PASSING
    + """
    @pytest.mark.archgate("ADR-0003", option="mlp")
    def test_mlp(archgate):
        archgate.record("roc_auc", 0.7)

    @pytest.mark.archgate("ADR-0004")
    def test_old_store(archgate):
        archgate.record("freshness_s", 100)

    @pytest.mark.archgate("ADR-0002")
    def test_xgboost_drift(archgate):
        archgate.record("roc_auc", 0.89)
        archgate.record("positive_rate", 0.3)

    @pytest.mark.parametrize("i", range(4))
    def test_filler(i):
        pass
"""
)


def test_xdist_report_equals_serial(adr_project: AdrProject) -> None:
    adr_project.tests(MIXED)
    serial = run(adr_project, "--archgate-report=serial.json")
    serial.assert_outcomes(passed=8, failed=1)
    dist = run(adr_project, "--archgate-report=dist.json", xdist=("-n", "2"))
    dist.assert_outcomes(passed=8, failed=1)
    no_xdist = run(adr_project, "--archgate-report=noxdist.json", "-p", "no:xdist")
    no_xdist.assert_outcomes(passed=8, failed=1)
    assert serial.ret == dist.ret == no_xdist.ret == 1
    a, b, c = (adr_project.report(n) for n in ("serial.json", "dist.json", "noxdist.json"))
    assert _comparable(a) == _comparable(b)
    assert _comparable(a) == _comparable(c)
    assert entry(a, "ADR-0002")["verdict"] == "fail"
    assert entry(a, "ADR-0002")["needs_review"] is True
    assert criterion(entry(a, "ADR-0002"), "roc_auc", "xgboost")["value"] == 0.89
    assert len(a["measurements"]) == 8
    for res in (serial, dist):
        res.stdout.fnmatch_lines(["ADR-0002*accepted*FAIL*yes*failing: roc_auc*NEEDS REVIEW*"])


# ---------------------------------------------------------------------------------------------
# finding the ADR folder


def test_adr_dir_option(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project("architecture/decisions")
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.5)
        """
    )
    # without the option, nothing is found: the marker names an unknown ADR
    missing = run(project)
    assert missing.ret == USAGE_ERROR
    missing.stderr.fnmatch_lines(
        [
            "ERROR: archgate: test_models.py:3: no ADR 'ADR-0002': no ADR folder was found "
            "(looked for adr, docs/adr, doc/adr, docs/decisions); set --archgate-adr-dir, "
            "ARCHGATE_ADR_DIR or the archgate_adr_dir ini key"
        ]
    )
    result = run(project, "--archgate-adr-dir", "architecture/decisions")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*(architecture/decisions/0002-use-xgboost.md:11)"])


def test_adr_dir_ini_and_option_precedence(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project("records", ini="[pytest]\narchgate_adr_dir = records\n")
    other = project.path / "other"
    project.write_adr(
        "0002-other",
        """\
        ---
        status: accepted
        archgate:
          decision: x
          acceptance:
            roc_auc: ">= 0.1"
        ---
        # Other
        """,
        folder=other,
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.5)
        """
    )
    from_ini = run(project)
    from_ini.assert_outcomes(failed=1)
    from_ini.stdout.fnmatch_lines(["*(records/0002-use-xgboost.md:11)"])
    from_option = run(project, "--archgate-adr-dir=other")
    from_option.assert_outcomes(passed=1)


@pytest.mark.parametrize("folder", ["docs/adr", "doc/adr", "docs/decisions"])
def test_fallback_dirs(make_adr_project: Any, folder: str) -> None:
    project: AdrProject = make_adr_project(folder)
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0002")
        def test_xgboost(archgate):
            archgate.record("roc_auc", 0.5)
        """
    )
    result = run(project, "--archgate-report=report.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*({folder}/0002-use-xgboost.md:11)"])
    assert project.report()["adr_dir"] == str(project.path / folder)


def test_adr_dir_wins_over_fallbacks_and_fallback_order(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project("doc/adr")
    project.write_adr(
        "0001-first", "# First in docs/decisions\n", folder=project.path / "docs/decisions"
    )
    project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_one():
            pass
        """
    )
    run(project, "--archgate-report=report.json").assert_outcomes(passed=1)
    assert project.adr_entry("ADR-0001")["title"] == "Record architecture decisions"
    project.write_adr("0001-only", "# Only in adr\n", folder=project.path / "adr")
    run(project, "--archgate-report=report.json").assert_outcomes(passed=1)
    assert project.adr_entry("ADR-0001")["title"] == "Only in adr"


def test_excluded_files_are_not_adrs(adr_project: AdrProject) -> None:
    for name in ("README", "index", "template", "adr-template", "template-short"):
        adr_project.write_adr(name, "---\nstatus: [broken\n---\n# Not a decision\n")
    adr_project.tests("def test_anything():\n    pass\n")
    result = run(adr_project, "--archgate-report=report.json")
    assert result.ret == 0
    assert [a["id"] for a in adr_project.report()["adrs"]] == [
        "ADR-0002",
        "ADR-0003",
        "ADR-0004",
        "ADR-0005",
    ]


def test_missing_configured_dir_is_a_usage_error(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project(ini="[pytest]\narchgate_adr_dir = nowhere\n")
    project.tests("def test_anything():\n    pass\n")
    result = run(project)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: archgate: ADR folder */nowhere does not exist*"])
    assert no_traceback(output(result))


def archgate_lines(result: pytest.RunResult) -> list[str]:
    """Output lines that come from archgate (not pytest's header naming the plugin or tmp dir)."""
    return [
        line
        for line in result.outlines
        if "archgate" in line.lower() and not line.startswith(("plugins:", "rootdir:"))
    ]


def test_project_without_adrs_is_untouched(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\n")
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest(*FAST, *IN_PROCESS, "--archgate-report=report.json")
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    assert "= archgate =" not in result.stdout.str()
    # the one archgate line: the report asked for, written also without an ADR folder (CI steps
    # read it unconditionally)
    assert archgate_lines(result) == ["archgate report: report.json"]
    report = json.loads((pytester.path / "report.json").read_text())
    assert (report["adrs"], report["adr_dir"], report["summary"]["adrs"]) == ([], None, 0)
    assert report["errors"] == []


def test_marker_with_an_empty_adr_folder_says_so(make_adr_project: Any) -> None:
    project: AdrProject = make_adr_project(standard=False)
    project.tests("import pytest\n\n@pytest.mark.archgate(2)\ndef test_x():\n    pass\n")
    result = run(project)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: archgate: test_models.py:3: no ADR 2: {project.adr_dir} holds no ADR files; *"]
    )
    assert "0 ADRs" not in result.stderr.str()


def test_report_written_with_an_empty_adr_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest(*FAST, *IN_PROCESS, "--archgate-report=out/report.json")
    assert result.ret == 0
    assert "= archgate =" not in result.stdout.str()
    report = json.loads((pytester.path / "out" / "report.json").read_text())
    assert report["adrs"] == []
    assert report["adr_dir"] == str(pytester.path / "adr")


def test_project_without_archgate_use_runs_as_without_the_plugin(
    make_adr_project: Any,
) -> None:
    """ADRs without archgate blocks, tests without markers: nothing archgate shows or fails."""
    project: AdrProject = make_adr_project(
        "docs/decisions",
        standard=False,
        **{
            "0001-use-postgres": "# 1. Use Postgres\n\n## Status\n\nAccepted\n",
            "0002-use-kafka": "---\nstatus: proposed\n---\n# Use Kafka\n",
        },
    )
    project.tests("def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    result = run(project, "-W", "error")
    result.assert_outcomes(passed=2)
    assert result.ret == 0
    assert archgate_lines(result) == []
    assert result.stderr.str().strip() == ""


def test_failing_list_has_no_duplicates(adr_project: AdrProject) -> None:
    adr_project.tests(
        """
        import pytest

        @pytest.mark.archgate("ADR-0003", option="mlp")
        def test_mlp(archgate):
            archgate.record("roc_auc", 0.5)

        @pytest.mark.archgate("ADR-0003", option="gbdt")
        def test_gbdt(archgate):
            archgate.record("roc_auc", 0.6)
        """
    )
    result = run(adr_project, "--archgate-report=report.json")
    assert result.ret == 0
    assert adr_project.adr_entry("ADR-0003")["failing"] == ["roc_auc"]
    result.stdout.fnmatch_lines(["ADR-0003*proposed*FAIL*no*failing: roc_auc"])
    assert "failing: roc_auc, roc_auc" not in result.stdout.str()


@pytest.mark.parametrize("xdist", [RUNNERS[0], RUNNERS[2]])
def test_superseded_warning_points_at_the_test(
    adr_project: AdrProject, xdist: tuple[str, ...]
) -> None:
    path = adr_project.tests(
        """
        import pytest


        @pytest.mark.archgate("ADR-0004")
        def test_old_store():
            pass
        """
    )
    lines = path.read_text().splitlines()
    where = next(i for i, line in enumerate(lines, 1) if "ADR-0004" in line)
    result = run(adr_project, xdist=xdist)
    result.assert_outcomes(passed=1, warnings=1)
    # the test's own file and line (where it is defined), never the plugin's source
    result.stdout.fnmatch_lines([f"*test_models.py:{where}: SupersededAdrWarning: *"])
    assert "pytest_archgate" not in result.stdout.str()
    assert "session.py" not in result.stdout.str()


@pytest.mark.skipif(
    not hasattr(AdrLog(directory=None), "warnings"),
    reason="needs AdrLog.warnings (unreadable ADR files that are not used for gating)",
)
def test_unreadable_ungated_adr_is_one_line_even_with_filterwarnings_error(
    adr_project: AdrProject,
) -> None:
    adr_project.pytester.makeini("[pytest]\nfilterwarnings = error\n")
    adr_project.write_adr("0009-template-copy", "---\nstatus: {accepted\n---\n# Placeholder\n")
    adr_project.tests("def test_plain():\n    pass\n")
    result = adr_project.pytester.runpytest_subprocess(*FAST)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    # this project has gated ADRs too, so the archgate section's separator may precede it
    lines = [line for line in archgate_lines(result) if not line.startswith("=")]
    assert len(lines) == 1, lines
    assert "1 ADR file in " in lines[0]
    assert "is not used for gating (run `archgate lint` for details)" in lines[0]
