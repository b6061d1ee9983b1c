"""Family-wise error over an ADR's confidence criteria (``family: holm``, family.py).

Unit tests check Holm's procedure against a worked example and its bound form against the
p-value form; black-box tests run pytest on real ADR files.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from statistics import NormalDist
from typing import Any

import pytest
from conftest import AdrProject, criterion, no_traceback

from pytest_archgate.adr.criteria import Criterion, check_family
from pytest_archgate.adr.model import Adr
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.errors import AdrError, ReportError
from pytest_archgate.measure.estimate import Estimate, Measurement, level_key, two_sided_level
from pytest_archgate.report.build import adr_definition, adr_from_json
from pytest_archgate.report.load import load_report
from pytest_archgate.report.merge import merge_files, merge_reports
from pytest_archgate.settings import SettingError, resolve
from pytest_archgate.verdict.family import (
    effective_family,
    holm,
    holm_confidence,
    holm_confidences,
    requested_confidences,
    step_down,
)
from pytest_archgate.verdict.judge import judge_adr

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")

# ---------------------------------------------------------------------------------------------
# Holm's procedure


def test_holm_textbook_example() -> None:
    # p = 0.01, 0.04, 0.03, 0.005 at alpha 0.05: sorted 0.005 <= 0.05/4 and 0.01 <= 0.05/3
    # are rejected; 0.03 > 0.05/2 stops the procedure (adjusted: 0.02, 0.03, 0.06, 0.06)
    res = holm([0.01, 0.04, 0.03, 0.005], 0.05)
    assert res.rejected == (True, False, False, True)
    assert res.adjusted == pytest.approx((0.03, 0.06, 0.06, 0.02))


def test_holm_matches_statsmodels() -> None:
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    rng = random.Random(3)
    for _ in range(50):
        ps = [rng.random() ** 3 for _ in range(rng.randint(1, 12))]
        ours = holm(ps, 0.05)
        reject, adjusted, _, _ = multitest.multipletests(ps, alpha=0.05, method="holm")
        assert list(ours.rejected) == list(reject)
        assert list(ours.adjusted) == pytest.approx(list(adjusted))


def test_holm_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="p-values"):
        holm([0.1, 1.5])
    with pytest.raises(ValueError, match="alpha"):
        holm([0.1], alpha=1.0)


def test_step_down_on_levels_is_holm_on_p_values() -> None:
    """The bound form archgate judges with rejects exactly what Holm rejects."""
    rng = random.Random(7)
    for _ in range(300):
        m = rng.randint(1, 12)
        ps = [round(rng.random() ** 4, 4) for _ in range(m)]
        steps = step_down(ps, 0.95, lambda p, conf: p <= 1.0 - conf)
        assert [s.passed for s in steps] == list(holm(ps, 0.05).rejected), ps
        for p, s in zip(ps, steps, strict=True):
            assert s.confidence is not None
            # a rejected hypothesis's level: its step's, 1 - alpha/k with k left
            assert s.confidence == holm_confidence(0.95, s.k)
            if s.passed:
                assert p <= 1 - s.confidence


def test_holm_levels() -> None:
    assert holm_confidence(0.95, 1) == 0.95
    assert holm_confidence(0.95, 10) == 0.995
    assert holm_confidence(0.95, 2) == 0.975
    for k in range(1, 40):
        c = holm_confidence(0.95, k)
        assert c is not None
        # never a narrower interval than Holm's exact level
        assert two_sided_level(c) >= 1 - 0.1 / k - 1e-12
        assert two_sided_level(c) - (1 - 0.1 / k) < 2e-6
    assert holm_confidences(0.95, 3) == (holm_confidence(0.95, 3), 0.975, 0.95)
    # a level that would round to 1 cannot be computed: nothing can pass there
    assert holm_confidence(0.9999995, 10) is None


def test_family_setting_values() -> None:
    assert check_family(None, source="x") == "none"
    assert check_family(" Holm ", source="x") == "holm"
    with pytest.raises(ValueError, match="x: 'bonferroni' is not a family; use one of none, holm"):
        check_family("bonferroni", source="x")
    with pytest.raises(ValueError, match="is not a family"):
        check_family(True, source="x")
    assert effective_family("holm", "none") == "holm"
    assert effective_family("none", "holm") == "holm"
    assert effective_family("none", None) == "none"


def test_run_setting_resolution() -> None:
    assert resolve(environ={}).family == "none"
    assert resolve(environ={"ARCHGATE_FAMILY": "holm"}).family == "holm"
    assert resolve(ini={"family": "holm"}, environ={}).family == "holm"
    assert resolve(cli={"family": "none"}, environ={"ARCHGATE_FAMILY": "holm"}).family == "none"
    with pytest.raises(SettingError, match="ARCHGATE_FAMILY: 'bonf' is not one of none, holm"):
        resolve(environ={"ARCHGATE_FAMILY": "bonf"})
    with pytest.raises(SettingError, match="ini key archgate_family"):
        resolve(ini={"family": "yes"}, environ={})


# ---------------------------------------------------------------------------------------------
# judging


def normal_estimate(value: float, se: float, levels: tuple[float, ...]) -> Estimate:
    """An estimate with exact normal intervals at every two-sided level in ``levels``."""
    intervals = {}
    for lv in levels:
        z = NormalDist().inv_cdf(0.5 + lv / 2)
        intervals[level_key(lv)] = (value - z * se, value + z * se)
    return Estimate(value=value, method="normal", n=100, intervals=intervals)


def adr_with(criteria: list[Criterion], family: str = "none", decision: str | None = "a") -> Adr:
    return Adr(
        id="ADR-0011",
        title="t",
        path=Path("adr/0011-t.md"),
        file="adr/0011-t.md",
        status="accepted",
        decision=decision,
        options=("a",) if decision else (),
        acceptance=tuple(criteria),
        family=family,
    )


def textbook_case(family: str) -> Any:
    """Four ``min: 0, confidence: 0.95`` criteria whose one-sided p-values are the textbook's."""
    ps = [0.01, 0.04, 0.03, 0.005]
    crits = [Criterion(name=f"m{i}", metric=f"m{i}", min=0.0, confidence=0.95) for i in range(4)]
    levels = (*tuple(two_sided_level(c) for c in (*holm_confidences(0.95, 4), 0.95)), 0.95)
    ms = [
        Measurement(
            adr="ADR-0011",
            option="a",
            metric=f"m{i}",
            estimate=normal_estimate(NormalDist().inv_cdf(1 - p), 1.0, levels),
        )
        for i, p in enumerate(ps)
    ]
    return judge_adr(adr_with(crits, family), ms)


def test_judge_adr_holm_on_the_textbook_example() -> None:
    plain = textbook_case("none")
    assert [r.verdict for r in plain.criteria] == ["pass"] * 4
    assert all(r.family is None and r.adjusted_confidence is None for r in plain.criteria)
    assert plain.verdict == "pass"

    res = textbook_case("holm")
    assert [r.verdict for r in res.criteria] == ["pass", "fail", "fail", "pass"]
    assert res.verdict == "fail"
    adjusted = [r.adjusted_confidence for r in res.criteria]
    # m3 (p 0.005) and m0 (p 0.01) both clear 1 - 0.05/4 at the first step (k = 4): each is
    # shown at the level it cleared; the others stop at k = 2 (0.03 > 0.05/2)
    assert adjusted == [0.9875, 0.975, 0.975, 0.9875]
    failed = res.criteria[1]
    assert "lower one-sided 97.5% bound" in (failed.reason or "")
    assert "Holm: conf. 0.95 adjusted to 0.975" in (failed.reason or "")
    assert failed.bound == ">= 0 (conf. 0.95, Holm 0.975)"
    text = failed.message(res.adr)
    assert "(conf. 0.95, Holm 0.975)" in text
    assert "lower one-sided 97.5% bound" in text
    data = res.criteria[3].to_json()
    assert (data["family"], data["adjusted_confidence"]) == ("holm", 0.9875)
    assert data["bound"] == ">= 0 (conf. 0.95, Holm 0.9875)"
    assert data["confidence"] == 0.95


def test_holm_from_the_run_setting_and_criteria_outside_the_family() -> None:
    crits = [
        Criterion(name="auc", metric="auc", min=0.0, confidence=0.95),
        Criterion(name="plain", metric="plain", max=10.0),  # no confidence: not in the family
    ]
    levels = (0.9, 0.95)  # no Holm level computed
    ms = [
        Measurement("ADR-0011", "a", "auc", normal_estimate(5.0, 1.0, levels)),
        Measurement("ADR-0011", "a", "plain", Estimate(value=3.0)),
    ]
    res = judge_adr(adr_with(crits), ms, family="holm")
    auc, plain = res.criteria
    # a family of one: Holm's only level is the criterion's own
    assert (auc.verdict, auc.adjusted_confidence, auc.family) == ("pass", 0.95, "holm")
    assert (plain.verdict, plain.family, plain.adjusted_confidence) == ("pass", None, None)
    assert "family" not in plain.to_json()


def test_missing_holm_level_is_derived_and_said_so() -> None:
    """An estimate without an interval at the Holm level is judged on a bound derived from its
    recorded interval (normal approximation, extrapolated), and the reason says so."""
    crits = [Criterion(name=f"m{i}", metric=f"m{i}", min=0.0, confidence=0.95) for i in range(2)]
    ms = [
        Measurement("ADR-0011", "a", f"m{i}", normal_estimate(9.0, 1.0, (0.9,))) for i in range(2)
    ]
    res = judge_adr(adr_with(crits, "holm"), ms)
    assert [r.verdict for r in res.criteria] == ["pass", "pass"]
    assert "derived from the recorded 90% interval" in (res.criteria[0].reason or "")
    assert "extrapolated" in (res.criteria[0].reason or "")
    assert res.verdict == "pass"


def test_unmeasured_member_counts_in_the_family() -> None:
    crits = [Criterion(name=f"m{i}", metric=f"m{i}", min=0.0, confidence=0.95) for i in range(2)]
    levels = (0.9, 0.95)
    # m0 passes at 0.975 but not beyond; m1 has no measurement at all
    ms = [Measurement("ADR-0011", "a", "m0", normal_estimate(2.1, 1.0, levels))]
    res = judge_adr(adr_with(crits, "holm"), ms)
    m0, m1 = res.criteria
    assert (m0.verdict, m0.adjusted_confidence) == ("pass", 0.975)
    assert m1.verdict == "unmeasured"
    assert "no measurement" in (m1.reason or "")
    assert res.verdict == "unmeasured"


def test_failing_at_own_level_still_fails_under_holm() -> None:
    crits = [Criterion(name=f"m{i}", metric=f"m{i}", min=0.0, confidence=0.9) for i in range(3)]
    levels = tuple(two_sided_level(c) for c in holm_confidences(0.9, 3))
    ms = [
        Measurement("ADR-0011", "a", "m0", normal_estimate(10.0, 1.0, levels)),
        Measurement("ADR-0011", "a", "m1", normal_estimate(-1.0, 1.0, levels)),
        Measurement("ADR-0011", "a", "m2", normal_estimate(10.0, 1.0, levels)),
    ]
    res = judge_adr(adr_with(crits, "holm"), ms)
    assert [r.verdict for r in res.criteria] == ["pass", "fail", "pass"]
    assert res.criteria[1].adjusted_confidence == 0.9
    reason = res.criteria[1].reason or ""
    assert "lower one-sided 90% bound -2.28155 < 0" in reason
    assert "Holm: judged at its own level 0.9 (step 3 of 3 confidence criteria)" in reason


def test_mixed_confidences_use_the_highest() -> None:
    crits = [
        Criterion(name="a1", metric="a1", min=0.0, confidence=0.9),
        Criterion(name="a2", metric="a2", min=0.0, confidence=0.99),
    ]
    levels = tuple(two_sided_level(c) for c in holm_confidences(0.99, 2))
    ms = [Measurement("ADR-0011", "a", f"a{i}", normal_estimate(10.0, 1.0, levels)) for i in (1, 2)]
    res = judge_adr(adr_with(crits, "holm"), ms)
    assert [r.adjusted_confidence for r in res.criteria] == [0.995, 0.995]
    # a miss shows both levels: the family's and the criterion's own
    ms[0] = Measurement("ADR-0011", "a", "a1", normal_estimate(2.0, 1.0, levels))
    res = judge_adr(adr_with(crits, "holm"), ms)
    assert res.criteria[0].verdict == "fail"
    assert "Holm (family level 0.99): conf. 0.9 adjusted to 0.99 (step 2 of 2" in (
        res.criteria[0].reason or ""
    )
    assert requested_confidences(adr_with(crits, "holm"), "a1", None) == [0.995, 0.99]
    assert requested_confidences(adr_with(crits), "a1", None) == []
    assert requested_confidences(adr_with(crits), "a1", "holm") == [0.995, 0.99]
    assert requested_confidences(adr_with(crits), "other", "holm") == []


def test_vs_criteria_under_holm_compare_each_pair_once() -> None:
    crits = [
        Criterion(name=f"gain{i}", metric=f"m{i}", min=0.0, vs="b", confidence=0.95)
        for i in range(3)
    ]
    adr = Adr(
        id="ADR-0011",
        title="t",
        path=Path("adr/0011-t.md"),
        file="adr/0011-t.md",
        status="accepted",
        decision="a",
        options=("a", "b"),
        acceptance=tuple(crits),
        family="holm",
    )
    levels = (0.9, 0.95)
    ms = [
        Measurement("ADR-0011", o, f"m{i}", normal_estimate(v, 0.5, levels))
        for i in range(3)
        for o, v in (("a", 10.0), ("b", 1.0))
    ]
    calls: list[tuple[float, ...]] = []

    def paired(c: Criterion, a: Measurement, b: Measurement, lv: Any) -> Estimate:
        calls.append(tuple(lv))
        return normal_estimate(a.estimate.value - b.estimate.value, 1.0, tuple(lv))

    res = judge_adr(adr, ms, paired=paired)
    assert [r.verdict for r in res.criteria] == ["pass"] * 3
    assert [r.adjusted_confidence for r in res.criteria] == [holm_confidence(0.95, 3)] * 3
    assert len(calls) == 3  # one comparison per criterion, every Holm level at once
    assert {two_sided_level(c) for c in holm_confidences(0.95, 3)} <= set(calls[0])


def test_merge_judges_with_holm_from_input_or_setting() -> None:
    crits = [Criterion(name=f"m{i}", metric=f"m{i}", min=0.0, confidence=0.95) for i in range(2)]
    adr = adr_with(crits)
    levels = (0.9, 0.95)
    # both pass at 0.95, neither at 0.975
    ms = [
        Measurement("ADR-0011", "a", f"m{i}", normal_estimate(1.8, 1.0, levels)).to_json()
        for i in range(2)
    ]
    entry = {"id": adr.id, "file": adr.file, "status": "accepted", "tests": []}
    report = {
        "adrs": [{**entry, "definition": adr_definition(adr)}],
        "measurements": ms,
    }
    assert adr_from_json({**entry, "definition": adr_definition(adr)}).family == "none"
    plain = merge_reports([("r.json", report)])
    assert plain.results[0].verdict == "pass"
    assert plain.report["family"] == "none"
    holm_run = merge_reports([("r.json", report)], family="holm")
    assert holm_run.results[0].verdict == "fail"
    assert holm_run.report["family"] == "holm"
    # an input judged with Holm keeps the merge on Holm
    inherited = merge_reports([("r.json", {**report, "family": "holm"})])
    assert inherited.results[0].verdict == "fail"
    holm_adr = adr_with(crits, "holm")
    assert adr_from_json({**entry, "definition": adr_definition(holm_adr)}).family == "holm"


# ---------------------------------------------------------------------------------------------
# the ADR key


def write(tmp_path: Path, family_line: str) -> Path:
    path = tmp_path / "adr" / "0011-many.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "---\nstatus: accepted\narchgate:\n  decision: a\n"
        f"{family_line}"
        "  acceptance:\n    auc: {min: 0.8, confidence: 0.95}\n---\n# Many criteria\n",
        encoding="utf-8",
    )
    return path


def test_adr_key_parsed(tmp_path: Path) -> None:
    assert parse_adr(write(tmp_path, "  family: holm\n")).family == "holm"
    assert parse_adr(write(tmp_path, "  family: none\n")).family == "none"
    assert parse_adr(write(tmp_path, "")).family == "none"


@pytest.mark.parametrize("value", ["bonferroni", "true", "[holm]", "1"])
def test_adr_key_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(AdrError) as info:
        parse_adr(write(tmp_path, f"  family: {value}\n"))
    text = str(info.value)
    assert "archgate.family" in text
    assert "0011-many.md" in text
    assert "none, holm" in text
    assert "\n" not in text


# ---------------------------------------------------------------------------------------------
# black box

TWO_MARGINAL = """\
---
status: accepted
archgate:
  decision: a
  options: [a]
  {family}
  acceptance:
    recall: {{min: 0.855, confidence: 0.95}}
    precision: {{min: 0.855, confidence: 0.95}}
---
# Two criteria, one error rate
"""

MARGINAL_TESTS = """
import pytest
from pytest_archgate import Estimate

# lower 95% one-sided bound 0.86 clears 0.855; the lower 97.5% bound 0.85 does not
EST = Estimate(value=0.9, method="given", n=500,
               intervals={0.9: (0.86, 0.94), 0.95: (0.85, 0.95), 0.99: (0.83, 0.97)})

@pytest.mark.archgate("ADR-0011")
def test_both(archgate):
    archgate.record_estimate("recall", EST)
    archgate.record_estimate("precision", EST)
"""


def project_with(make_adr_project: Any, family: str) -> AdrProject:
    project: AdrProject = make_adr_project(
        standard=False, **{"0011-two": TWO_MARGINAL.format(family=family)}
    )
    project.tests(MARGINAL_TESTS)
    return project


def test_marginal_criteria_pass_without_holm(make_adr_project: Any) -> None:
    project = project_with(make_adr_project, "")
    result = project.pytester.runpytest(*FAST, "--archgate-report=report.json")
    assert result.ret == 0, result.stdout.str()
    adr = project.adr_entry("ADR-0011")
    assert adr["verdict"] == "pass"
    rec = criterion(adr, "recall", "a")
    assert "adjusted_confidence" not in rec
    assert rec["bound"] == ">= 0.855 (conf. 0.95)"


def test_holm_adr_fails_naming_the_holm_level(make_adr_project: Any) -> None:
    project = project_with(make_adr_project, "family: holm")
    result = project.pytester.runpytest(*FAST, "--archgate-report=report.json")
    out = result.stdout.str()
    assert result.ret == 1, out
    result.stdout.fnmatch_lines(
        [
            "*ADR-0011 recall * = 0.9*violates >= 0.855 (conf. 0.95, Holm 0.975): "
            "lower one-sided 97.5% bound 0.85 < 0.855*; Holm: conf. 0.95 adjusted to 0.975 "
            "(step 1 of 2 confidence criteria)*"
        ]
    )
    assert no_traceback(out)
    result.stdout.fnmatch_lines(
        ["ADR-0011 * FAIL * Holm over 2 confidence criteria (levels 0.975 to 0.975)"]
    )
    report = project.report()
    assert report["family"] == "none"  # the run setting; the ADR asked for Holm itself
    adr = project.adr_entry("ADR-0011")
    assert adr["verdict"] == "fail"
    assert adr["definition"]["family"] == "holm"
    for name in ("recall", "precision"):
        c = criterion(adr, name, "a")
        assert (c["family"], c["adjusted_confidence"], c["confidence"]) == ("holm", 0.975, 0.95)
        assert c["bound"] == ">= 0.855 (conf. 0.95, Holm 0.975)"
    # the Markdown and HTML reports show the adjusted level beside the criterion
    from pytest_archgate.report.html import render_html
    from pytest_archgate.report.md_package import render_markdown

    assert "conf. 0.95, Holm 0.975" in render_markdown(report)
    assert "conf. 0.95, Holm 0.975" in render_html(report)
    # archgate merge reads the report back and judges it again with the ADR's Holm
    merged = merge_files([project.path / "report.json"])
    assert merged.results[0].verdict == "fail"
    assert merged.results[0].criteria[0].adjusted_confidence == 0.975
    # a family archgate does not know is refused by the loader, never read as "none"
    [entry_11] = [a for a in report["adrs"] if a["id"] == "ADR-0011"]
    entry_11["definition"]["family"] = "bonferroni"
    bad = project.path / "bad.json"
    bad.write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(ReportError, match="family"):
        load_report(bad)


@pytest.mark.parametrize("how", ["option", "env", "ini"])
def test_run_setting_applies_holm(
    make_adr_project: Any, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    ini = "[pytest]\narchgate_family = holm\n" if how == "ini" else "[pytest]\n"
    project: AdrProject = make_adr_project(
        ini=ini, standard=False, **{"0011-two": TWO_MARGINAL.format(family="")}
    )
    project.tests(MARGINAL_TESTS)
    args = [*FAST, "--archgate-report=report.json"]
    if how == "option":
        args.append("--archgate-family=holm")
    if how == "env":
        monkeypatch.setenv("ARCHGATE_FAMILY", "holm")
    result = project.pytester.runpytest(*args)
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*Holm 0.975*"])
    assert project.report()["family"] == "holm"


def test_bad_run_setting_is_a_one_line_usage_error(
    make_adr_project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with(make_adr_project, "")
    monkeypatch.setenv("ARCHGATE_FAMILY", "bonferroni")
    result = project.pytester.runpytest(*FAST)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "ARCHGATE_FAMILY: 'bonferroni' is not one of none, holm" in err
    assert no_traceback(err)


def test_bad_adr_key_names_file_and_field(make_adr_project: Any) -> None:
    project = project_with(make_adr_project, "family: fdr")
    result = project.pytester.runpytest(*FAST)
    out = result.stdout.str() + result.stderr.str()
    assert result.ret != 0
    assert "archgate.family" in out
    assert "0011-two.md" in out
    assert no_traceback(out)


@pytest.mark.parametrize(
    ("key", "args"),
    [
        pytest.param("family: holm", (), id="adr-key"),
        pytest.param("", ("--archgate-family=holm", "-n", "2"), id="run-option-xdist"),
    ],
)
def test_fixture_computes_the_holm_levels(
    make_adr_project: Any, key: str, args: tuple[str, ...]
) -> None:
    project: AdrProject = make_adr_project(
        standard=False,
        **{
            "0011-three": """\
            ---
            status: accepted
            archgate:
              decision: a
              KEY
              acceptance:
                accuracy: {min: 0.5, confidence: 0.95}
                recall: {min: 0.5, confidence: 0.95}
                precision: {min: 0.5, confidence: 0.95}
            ---
            # Three criteria
            """.replace("KEY", key)
        },
    )
    project.tests(
        """
        import numpy as np
        import pytest

        @pytest.mark.archgate("ADR-0011")
        def test_model(archgate):
            rng = np.random.default_rng(0)
            y = rng.integers(0, 2, 2000)
            s = np.clip(y * 0.6 + rng.normal(0.2, 0.2, 2000), 0, 1)
            archgate.evaluate(y, s, ["accuracy", "recall", "precision"])
        """
    )
    run = project.pytester.runpytest_subprocess if args else project.pytester.runpytest
    result = run(*FAST, "--archgate-report=report.json", *args)
    assert result.ret == 0, result.stdout.str()
    report = project.report()
    for m in report["measurements"]:
        levels = set(m["estimate"]["intervals"])
        # two-sided levels of Holm's steps k = 3, 2, 1 at 0.95
        assert {"0.966667", "0.95", "0.9"} <= levels, levels
    adr = project.adr_entry("ADR-0011")
    assert (
        sorted(c["adjusted_confidence"] for c in adr["criteria"]) == [holm_confidence(0.95, 3)] * 3
    )
    json.dumps(report)


# ---------------------------------------------------------------------------------------------
# dogfood: ADR-0011's criteria, measured through archgate itself


def _simulate(truth: list[float], sims: int, family: str, seed: int) -> tuple[int, int]:
    """(ADR passes, runs with a violated criterion reported met) over ``sims`` runs of ten
    ``min: 0, confidence: 0.95`` criteria with standard-normal estimation error."""
    import numpy as np

    m = len(truth)
    crits = [Criterion(name=f"m{i}", metric=f"m{i}", min=0.0, confidence=0.95) for i in range(m)]
    adr = adr_with(crits)
    levels = tuple(two_sided_level(c) for c in holm_confidences(0.95, m))
    draws = np.asarray(truth) + np.random.default_rng(seed).standard_normal((sims, m))
    passes = shown = 0
    for row in draws.tolist():
        ms = [
            Measurement("ADR-0011", "a", f"m{i}", normal_estimate(x, 1.0, levels))
            for i, x in enumerate(row)
        ]
        res = judge_adr(adr, ms, family=family)
        passes += res.verdict == "pass"
        shown += any(
            r.verdict == "pass" for r, t in zip(res.criteria, truth, strict=True) if t <= 0
        )
    return passes, shown


@pytest.mark.archgate("ADR-0011")
def test_dogfood_family_wise_rates(archgate: Any) -> None:
    sims = 400
    met = 2 * NormalDist().inv_cdf(0.95)  # 95% power per criterion at conf. 0.95
    _, shown = _simulate([0.0] * 5 + [met] * 5, sims, "holm", seed=1)
    archgate.record("holm_violated_reported_met_rate", shown / sims, n=sims)
    passes, _ = _simulate([0.0] + [met] * 9, sims, "none", seed=2)
    archgate.record("unadjusted_adr_false_pass_rate", passes / sims, n=sims)
