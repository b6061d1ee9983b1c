"""``archgate merge``: reports of real pytest runs (a CPU job and a GPU job) merged and re-judged.

One ``pytester`` project is run twice with ``--archgate-report``, each run selecting the tests
of one job with ``-k``, the way a CI matrix splits a suite. The GPU job records its latency with
``device="cuda"`` so that the device-restricted criterion is measured without a GPU.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.cli.merge import register
from pytest_archgate.errors import ArchgateError, ReportError
from pytest_archgate.report.merge import merge_files

ADR = """\
---
status: accepted
date: 2026-01-01
archgate:
  decision: fast
  baseline: slow
  options: [fast, slow]
  constraints:
    rows: "<= 1000"
  acceptance:
    accuracy: ">= {min_accuracy}"
    gpu_latency_ms: {{max: 20, device: cuda}}
    accuracy_gain: {{metric: accuracy, vs: slow, min: 0.01}}
---
# Serve the fast model
"""

TESTS = """\
import os

import pytest


def value(name, default):
    return float(os.environ.get(name, default))


@pytest.mark.archgate("ADR-0001")
def test_job_cpu_accuracy(archgate):
    archgate.record("accuracy", value("ACC_CPU", "0.95"))
    archgate.record("rows", 500)


@pytest.mark.archgate("ADR-0001")
def test_job_gpu_latency(archgate):
    archgate.record("gpu_latency_ms", value("LAT_GPU", "10"), device="cuda")
    if "ACC_GPU" in os.environ:
        archgate.record("accuracy", value("ACC_GPU", "0"), device="cuda")


@pytest.mark.archgate("ADR-0001", option="slow")
def test_job_gpu_baseline(archgate):
    archgate.record("accuracy", 0.9)
"""

CPU = "test_job_cpu_accuracy"
GPU = "test_job_gpu_latency"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    set_adr(pytester, "0.9")
    pytester.makepyfile(test_jobs=TESTS)
    return pytester


def set_adr(pytester: pytest.Pytester, min_accuracy: str) -> None:
    path = pytester.path / "adr" / "0001-serve-fast.md"
    path.write_text(ADR.format(min_accuracy=min_accuracy), encoding="utf-8")


def job(pytester: pytest.Pytester, name: str, selector: str, **env: str) -> Path:
    """Run one CI job's share of the tests and return its report."""
    mp = pytest.MonkeyPatch()
    try:
        for key, val in env.items():
            mp.setenv(key, val)
        result = pytester.runpytest(
            "-k", selector, f"--archgate-report={name}", "-p", "no:randomly"
        )
    finally:
        mp.undo()
    assert result.ret in (0, 1), result.stdout.str()
    path = pytester.path / name
    assert path.is_file(), result.stdout.str()
    return path


def cpu_and_gpu(pytester: pytest.Pytester, **env: str) -> tuple[Path, Path]:
    return job(pytester, "cpu.json", "cpu", **env), job(pytester, "gpu.json", "gpu", **env)


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--adr-dir", metavar="DIR")


def run_merge(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run ``archgate merge`` through a fresh parser, the way ``cli.main`` does."""
    parser = argparse.ArgumentParser(prog="archgate")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub, add_common)
    args = parser.parse_args(["merge", *map(str, argv)])
    handler: Callable[[argparse.Namespace], int] = args.handler
    capsys.readouterr()
    try:
        rc = handler(args)
    except ArchgateError as exc:
        print(f"archgate merge: error: {exc}", file=sys.stderr)
        rc = 2
    out, err = capsys.readouterr()
    return rc, out, err


def entry(report: dict[str, Any], adr_id: str = "ADR-0001") -> dict[str, Any]:
    found = [a for a in report["adrs"] if a["id"] == adr_id]
    assert len(found) == 1
    return found[0]


def crit(report: dict[str, Any], name: str, option: str = "fast") -> dict[str, Any]:
    adr = entry(report)
    found = [
        c
        for c in adr["criteria"] + adr["constraints"]
        if (c["name"], c["option"])
        == (
            name,
            option,
        )
    ]
    assert len(found) == 1, [(c["name"], c["option"]) for c in adr["criteria"]]
    return found[0]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --------------------------------------------------------------------------------------------


def test_each_job_alone_is_unmeasured_and_the_merge_is_measured(
    project: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    cpu, gpu = cpu_and_gpu(project)
    for path, unmeasured in (
        (cpu, {"gpu_latency_ms", "accuracy_gain"}),
        (gpu, {"accuracy", "accuracy_gain", "rows"}),
    ):
        assert entry(load(path))["verdict"] == "unmeasured"
        assert set(entry(load(path))["unmeasured"]) == unmeasured

    out = project.path / "merged.json"
    rc, text, err = run_merge(capsys, cpu, gpu, "-o", out, "--fail-on-unmeasured")
    assert (rc, err) == (0, "")
    assert "2 report(s)" in text
    report = load(out)
    adr = entry(report)
    assert adr["verdict"] == "pass"
    assert adr["unmeasured"] == []
    assert crit(report, "accuracy")["value"] == 0.95
    assert crit(report, "gpu_latency_ms")["value"] == 10
    gain = crit(report, "accuracy_gain")  # the vs reference came from the other job
    assert gain["verdict"] == "pass"
    assert gain["value"] == pytest.approx(0.05)
    assert report["summary"]["enforced_failures"] == 0
    assert report["merged_from"] == [str(cpu), str(gpu)]
    assert adr["tests"] == [
        "test_jobs.py::test_job_cpu_accuracy",
        "test_jobs.py::test_job_gpu_baseline",
        "test_jobs.py::test_job_gpu_latency",
    ]
    assert len(report["measurements"]) == len(load(cpu)["measurements"]) + len(
        load(gpu)["measurements"]
    )
    assert report["schema"] == "pytest-archgate/report"


def test_conflicting_measurements_the_worse_decides(
    project: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    cpu, gpu = cpu_and_gpu(project, ACC_GPU="0.85")
    assert entry(load(cpu))["verdict"] == "unmeasured"  # the CPU job alone does not fail
    out = project.path / "merged.json"
    rc, text, _ = run_merge(capsys, cpu, gpu, "-o", out)
    assert rc == 1
    report = load(out)
    accuracy = crit(report, "accuracy")
    assert accuracy["verdict"] == "fail"
    assert accuracy["value"] == 0.85
    assert accuracy["tests"] == [
        "test_jobs.py::test_job_cpu_accuracy",
        "test_jobs.py::test_job_gpu_latency",
    ]
    kept = [m["estimate"]["value"] for m in report["measurements"] if m["metric"] == "accuracy"]
    assert sorted(kept) == [0.85, 0.9, 0.95]  # both conflicting values (and the baseline) kept
    assert report["summary"]["enforced_failures"] == 1
    assert entry(report)["failing"] == ["accuracy", "accuracy_gain"]
    assert "FAILED ADR-0001 accuracy [fast] = 0.85 violates >= 0.9" in text


def test_fail_on_unmeasured(project: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> None:
    cpu = job(project, "cpu.json", "cpu")
    out = project.path / "merged.json"
    rc, _, _ = run_merge(capsys, cpu, "-o", out)
    assert rc == 0
    assert load(out)["summary"]["unmeasured_accepted"] == 1
    rc, text, _ = run_merge(capsys, cpu, "-o", out, "--fail-on-unmeasured")
    assert rc == 1
    assert "FAILED (strict) unmeasured: ADR-0001 gpu_latency_ms" in text
    assert load(out)["strict_failures"]


def test_mismatched_definitions_name_both_files(
    project: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    cpu = job(project, "cpu.json", "cpu")
    set_adr(project, "0.8")
    gpu = job(project, "gpu.json", "gpu")
    out = project.path / "merged.json"
    rc, _, err = run_merge(capsys, cpu, gpu, "-o", out)
    assert rc == 2
    assert str(cpu) in err
    assert str(gpu) in err
    assert "ADR-0001 is defined differently" in err
    assert "acceptance" in err
    assert err.count("\n") == 1
    assert not out.exists()
    with pytest.raises(ReportError, match="defined differently"):
        merge_files([cpu, gpu])


def test_same_report_merges_with_itself(project: pytest.Pytester) -> None:
    cpu, gpu = cpu_and_gpu(project)
    once = merge_files([cpu, gpu]).report
    twice = merge_files([cpu, gpu, cpu]).report
    assert once["summary"] == twice["summary"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema": "something-else"}', "not an archgate report"),
        (
            '{"schema": "pytest-archgate/report", "version": 1, "adrs": [{"title": "x"}]}',
            "adrs[0].id: required, but missing",
        ),
        (
            '{"schema": "pytest-archgate/report", "version": 1, "adrs": [],'
            ' "measurements": [{"adr": "ADR-0001"}]}',
            "measurements[0].metric: required, but missing",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_file(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    rc, out, err = run_merge(capsys, bad, "-o", tmp_path / "out.json")
    assert rc == 2
    assert out == ""
    assert str(bad) in err
    assert message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "out.json").exists()


def test_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run_merge(capsys, tmp_path / "nope.json", "-o", tmp_path / "out.json")
    assert rc == 2
    assert "nope.json: report file not found" in err


def test_merged_report_keeps_the_environments_measurements_refer_to() -> None:
    from pathlib import Path as _Path

    from pytest_archgate.adr.criteria import parse_criterion
    from pytest_archgate.adr.model import Adr
    from pytest_archgate.measure.estimate import Estimate, Measurement
    from pytest_archgate.report.build import build_report
    from pytest_archgate.report.merge import merge_reports
    from pytest_archgate.verdict.judge import judge_all

    adr = Adr(
        id="ADR-0001",
        title="t",
        path=_Path("adr/0001-t.md"),
        file="adr/0001-t.md",
        status="accepted",
        has_archgate=True,
        decision="a",
        options=("a",),
        acceptance=(parse_criterion("latency_p95_ms", "<= 5", kind="acceptance", options=("a",)),),
    )
    reports = []
    for device in ("cpu", "cuda"):
        m = Measurement(
            adr="ADR-0001",
            option="a",
            metric="latency_p95_ms",
            estimate=Estimate(1.0),
            nodeid=f"t::{device}",
            device=device,
            environment={"device": device},
        )
        reports.append((f"{device}.json", build_report(judge_all([adr], [m]), [m])))
    merged = merge_reports(reports).report
    keys = {m["environment"] for m in merged["measurements"]}
    assert len(keys) == 2
    assert {merged["environments"][k]["device"] for k in keys} == {"cpu", "cuda"}


def test_merge_judges_strictly_when_asked_or_when_a_job_ran_strict(
    project: pytest.Pytester, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # rows = 5000 violates the constraint "rows <= 1000": needs review, not a failure unless strict
    cpu = job(project, "cpu.json", "cpu")
    data = json.loads(cpu.read_text(encoding="utf-8"))
    for m in data["measurements"]:
        if m["metric"] == "rows":
            m["estimate"]["value"] = 5000
    cpu.write_text(json.dumps(data), encoding="utf-8")
    gpu = job(project, "gpu.json", "gpu")
    out = project.path / "merged.json"
    monkeypatch.chdir(project.path)
    monkeypatch.delenv("ARCHGATE_STRICT", raising=False)

    rc, _, _ = run_merge(capsys, cpu, gpu, "-o", out)
    assert rc == 0  # the criteria hold; the violated constraint only flags needs review

    rc, text, _ = run_merge(capsys, cpu, gpu, "-o", out, "--strict")
    assert rc == 1
    assert "FAILED (strict) needs review: ADR-0001 rows [fast] = 5000 violates <= 1000" in text
    assert load(out)["strict"] is True

    monkeypatch.setenv("ARCHGATE_STRICT", "1")
    assert run_merge(capsys, cpu, gpu, "-o", out)[0] == 1
    monkeypatch.setenv("ARCHGATE_STRICT", "maybe")
    rc, _, err = run_merge(capsys, cpu, gpu, "-o", out)
    assert rc == 2
    assert "ARCHGATE_STRICT" in err
    monkeypatch.delenv("ARCHGATE_STRICT")

    # a job that ran under --archgate-strict makes the merge strict: merging cannot loosen it
    data["strict"] = True
    cpu.write_text(json.dumps(data), encoding="utf-8")
    rc, text, _ = run_merge(capsys, cpu, gpu, "-o", out)
    assert rc == 1
    assert "needs review" in text
