"""A baseline is a reference, not a candidate.

When criteria compare against an option (``vs: logreg``), that option is the reference: it is not
judged on those criteria, so it could "meet every criterion" on fewer of them than the
candidates do. The comparison therefore ranks it after every candidate and never recommends it,
and ``archgate accept`` without ``--option`` never takes it: it accepts the recommended
candidate and says so, or refuses and asks for ``--option``. Naming the baseline with
``--option`` is a deliberate choice and stays possible.

The comparison is checked on report entries built by the real verdict pipeline; ``accept`` on
real files through the command line, and once on a report written by a real pytest run.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr.log import load_log
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.cli import main as cli
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.report.build import build_report
from pytest_archgate.report.text import comparison_lines
from pytest_archgate.verdict.comparison import compare_options
from pytest_archgate.verdict.judge import judge_all

PROPOSED = """\
---
status: proposed
date: 2024-03-01
archgate:
  baseline: logreg
  options: [xgboost, torch_mlp, logreg]
  acceptance:
    roc_auc: ">= 0.85"
    latency_p95_ms: "<= 50"
    roc_auc_gain: {metric: roc_auc, min: 0.01, vs: logreg}
---
# Pick a fraud model
"""

# logreg meets the two criteria it is judged on (the gain is n/a for the reference) and is the
# fastest; xgboost misses latency, torch_mlp misses the gain: no candidate meets everything.
ONLY_BASELINE_MEETS = {
    "xgboost": {"roc_auc": 0.93, "latency_p95_ms": 60.0},
    "torch_mlp": {"roc_auc": 0.865, "latency_p95_ms": 20.0},
    "logreg": {"roc_auc": 0.86, "latency_p95_ms": 1.0},
}
# the same, with xgboost fast enough: one candidate meets everything
ONE_CANDIDATE_MEETS = {**ONLY_BASELINE_MEETS, "xgboost": {"roc_auc": 0.93, "latency_p95_ms": 30.0}}

Run = Callable[..., tuple[int, str, str]]


def measurements(adr_id: str, values: Mapping[str, Mapping[str, float]]) -> list[Measurement]:
    return [
        Measurement(
            adr=adr_id,
            option=option,
            metric=metric,
            estimate=Estimate(value=value, method="recorded"),
            nodeid=f"tests/test_model.py::test_{option}",
        )
        for option, metrics in values.items()
        for metric, value in metrics.items()
    ]


def report_for(adr_file: Path, values: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    adr = parse_adr(adr_file)
    ms = measurements(adr.id, values)
    return build_report(judge_all([adr], ms), ms)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "adr").mkdir()
    (tmp_path / "adr" / "0001-pick-a-model.md").write_text(PROPOSED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def write_report(path: Path, report: Mapping[str, Any]) -> Path:
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# the comparison


def test_a_baseline_that_alone_meets_its_criteria_is_not_recommended(project: Path) -> None:
    report = report_for(project / "adr" / "0001-pick-a-model.md", ONLY_BASELINE_MEETS)
    comp = report["adrs"][0]["comparison"]
    assert comp["meets_all"]["logreg"] is True  # on the two criteria it is judged on
    assert comp["references"] == {"logreg": ["roc_auc_gain"]}
    assert comp["options"][-1] == "logreg"  # ranked after every candidate
    rec = comp["recommendation"]
    assert rec["option"] is None
    assert rec["text"].startswith("No candidate meets every criterion: ")
    assert "logreg is the reference of roc_auc_gain, not a candidate" in rec["text"]
    assert re.search(r"Best ranked: (xgboost|torch_mlp) \(weighted score", rec["text"])
    lines = comparison_lines(comp)
    assert lines[-1].startswith("recommended: none. No candidate meets every criterion")
    meets = next(line for line in lines if line.startswith("meets all"))
    assert meets.split()[-1] == "reference"


def test_the_candidate_meeting_every_criterion_is_recommended_over_a_faster_baseline(
    project: Path,
) -> None:
    adr = project / "adr" / "0001-pick-a-model.md"
    adr.write_text(
        PROPOSED.replace("  acceptance:", "  weights: {latency_p95_ms: 4}\n  acceptance:"),
        encoding="utf-8",
    )
    report = report_for(adr, ONE_CANDIDATE_MEETS)
    comp = report["adrs"][0]["comparison"]
    # with latency weighted, logreg has the best score on the criteria it is judged on, and it
    # still comes last: it is what the candidates are measured against
    assert comp["scores"]["logreg"] > comp["scores"]["xgboost"]
    assert comp["options"] == ["xgboost", "torch_mlp", "logreg"]
    assert comp["recommendation"] == {
        "option": "xgboost",
        "text": "xgboost meets 3 of 3 criteria; torch_mlp misses roc_auc_gain: 0.005 against "
        ">= 0.01 vs logreg; logreg is the reference of roc_auc_gain, not a candidate",
    }


def test_every_option_a_reference_recommends_nothing() -> None:
    entry = {
        "id": "ADR-0001",
        "definition": {
            "options": ["a", "b"],
            "acceptance": [
                {"name": "gain_a", "metric": "m", "min": 0, "vs": "a", "bound": ">= 0 vs a"},
                {"name": "gain_b", "metric": "m", "min": 0, "vs": "b", "bound": ">= 0 vs b"},
            ],
        },
        "criteria": [
            {"name": "gain_a", "option": "b", "value": 0.1, "verdict": "pass", "bound": ">= 0"},
            {"name": "gain_b", "option": "a", "value": -0.1, "verdict": "fail", "bound": ">= 0"},
        ],
    }
    comp = compare_options(entry)
    assert comp is not None
    assert comp["recommendation"]["option"] is None
    assert comp["recommendation"]["text"].startswith(
        "Every measured option is the reference of a vs criterion"
    )


def test_a_baseline_no_criterion_compares_against_is_an_ordinary_candidate(
    project: Path,
) -> None:
    # baseline: sklearn, and no vs criterion: "the simplest thing that could work" competes
    adr = project / "adr" / "0001-pick-a-model.md"
    adr.write_text(
        PROPOSED.replace("    roc_auc_gain: {metric: roc_auc, min: 0.01, vs: logreg}\n", ""),
        encoding="utf-8",
    )
    comp = report_for(adr, ONLY_BASELINE_MEETS)["adrs"][0]["comparison"]
    assert comp["references"] == {}
    assert comp["recommendation"]["option"] == "logreg"


# --------------------------------------------------------------------------------------------
# archgate accept without --option


def test_accept_takes_the_recommended_candidate_and_says_so(project: Path, run: Run) -> None:
    adr = project / "adr" / "0001-pick-a-model.md"
    report = write_report(project / "report.json", report_for(adr, ONE_CANDIDATE_MEETS))
    code, out, err = run("accept", "ADR-0001", "--report", str(report))
    assert code == 0, err
    assert out == (
        "ADR-0001 accepted: decision xgboost, the option the report recommends "
        "(adr/0001-pick-a-model.md)\n"
    )
    assert load_log(project / "adr").lookup("ADR-0001").decision == "xgboost"


def test_accept_refuses_when_only_the_baseline_meets_its_criteria(project: Path, run: Run) -> None:
    adr = project / "adr" / "0001-pick-a-model.md"
    report = write_report(project / "report.json", report_for(adr, ONLY_BASELINE_MEETS))
    before = adr.read_bytes()
    code, out, err = run("accept", "ADR-0001", "--report", str(report))
    assert (code, out) == (1, "")
    assert err == (
        "archgate accept: refused: report.json: the report recommends no single option for "
        "ADR-0001; pass --option NAME (xgboost, torch_mlp, logreg)\n"
    ).replace("report.json", str(report))
    assert adr.read_bytes() == before


def test_accept_refuses_a_report_that_recommends_the_baseline(project: Path, run: Run) -> None:
    # a report written before this rule (or edited) that names the baseline
    adr = project / "adr" / "0001-pick-a-model.md"
    report = report_for(adr, ONLY_BASELINE_MEETS)
    report["adrs"][0]["comparison"]["recommendation"] = {"option": "logreg", "text": "fastest"}
    path = write_report(project / "report.json", report)
    before = adr.read_bytes()
    code, out, err = run("accept", "ADR-0001", "--report", str(path))
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    # roc_auc_gain compares with logreg, so accepting logreg would be refused too: the
    # message never suggests it
    assert (
        "the report recommends logreg, the baseline: roc_auc_gain compares with it, so it "
        "cannot be the decision; pass --option NAME for a candidate (xgboost, torch_mlp)"
    ) in err
    assert "--option logreg" not in err
    assert adr.read_bytes() == before


def test_accept_without_a_comparison_never_falls_back_to_the_baseline(
    project: Path, run: Run
) -> None:
    # no comparison in the report: the single passing option is taken, the baseline left out
    adr = project / "adr" / "0001-pick-a-model.md"
    both = {**ONE_CANDIDATE_MEETS, "torch_mlp": {"roc_auc": 0.80, "latency_p95_ms": 20.0}}
    report = report_for(adr, both)
    del report["adrs"][0]["comparison"]
    path = write_report(project / "report.json", report)
    code, out, err = run("accept", "ADR-0001", "--report", str(path))
    assert code == 0, err
    assert "decision xgboost, the option the report recommends" in out

    # and when only the baseline passes, it refuses instead of taking it
    adr.write_text(PROPOSED, encoding="utf-8")
    report = report_for(adr, ONLY_BASELINE_MEETS)
    del report["adrs"][0]["comparison"]
    path = write_report(project / "report.json", report)
    before = adr.read_bytes()
    code, out, err = run("accept", "ADR-0001", "--report", str(path))
    assert code == 1
    assert "the report recommends no single option for ADR-0001; pass --option NAME" in err
    assert adr.read_bytes() == before


def test_a_declared_baseline_without_vs_criteria_is_still_never_taken_silently(
    project: Path, run: Run
) -> None:
    adr = project / "adr" / "0001-pick-a-model.md"
    adr.write_text(
        PROPOSED.replace("    roc_auc_gain: {metric: roc_auc, min: 0.01, vs: logreg}\n", ""),
        encoding="utf-8",
    )
    path = write_report(project / "report.json", report_for(adr, ONLY_BASELINE_MEETS))
    before = adr.read_bytes()
    code, _out, err = run("accept", "ADR-0001", "--report", str(path))
    assert code == 1
    assert "the report recommends logreg, the baseline" in err
    assert "pass --option logreg to choose it deliberately" in err
    assert adr.read_bytes() == before

    code, out, err = run("accept", "ADR-0001", "--report", str(path), "--option", "logreg")
    assert code == 0, err
    assert out == "ADR-0001 accepted: decision logreg (adr/0001-pick-a-model.md)\n"
    assert load_log(project / "adr").lookup("ADR-0001").decision == "logreg"


def test_accepting_the_baseline_that_vs_criteria_compare_with_is_refused(
    project: Path, run: Run
) -> None:
    # Choosing the reference deliberately would leave roc_auc_gain comparing logreg with
    # itself, a criterion that can never be judged: refused, nothing written, with the reason.
    adr = project / "adr" / "0001-pick-a-model.md"
    before = adr.read_bytes()
    path = write_report(project / "report.json", report_for(adr, ONLY_BASELINE_MEETS))
    code, _out, err = run("accept", "ADR-0001", "--report", str(path), "--option", "logreg")
    assert code == 2, err
    assert "archgate.acceptance.roc_auc_gain.vs" in err
    assert "vs names 'logreg', the decision itself" in err
    assert "nothing was written" in err
    assert adr.read_bytes() == before


def test_accept_after_a_real_pytest_run_never_takes_the_baseline(
    pytester: pytest.Pytester, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\n")
    adr = pytester.path / "adr" / "0001-pick-a-model.md"
    adr.parent.mkdir()
    adr.write_text(PROPOSED, encoding="utf-8")
    pytester.makepyfile(
        test_models=textwrap.dedent(
            f"""
            import pytest

            VALUES = {ONLY_BASELINE_MEETS!r}

            @pytest.mark.archgate("ADR-0001")
            @pytest.mark.parametrize("option", sorted(VALUES))
            def test_option(archgate, option):
                for metric, value in VALUES[option].items():
                    archgate.record(metric, value, option=option)
            """
        )
    )
    result = pytester.runpytest("--archgate-report", "report.json")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*recommended: none. No candidate meets every criterion*"])
    monkeypatch.chdir(pytester.path)
    before = adr.read_bytes()
    code, _out, err = run("accept", "ADR-0001", "--report", "report.json")
    assert code == 1, err
    assert "the report recommends no single option for ADR-0001; pass --option NAME" in err
    assert adr.read_bytes() == before
