"""Hostile review of the redesign (issue 12): reports the loader accepts, through the CLI.

The redesign made the loader the one promise the renderers rely on (ADR-0016: a typed report,
no broad ``except`` around the renderers). So every report the loader accepts must render with
every command, and every report it refuses must end in one line and exit status 2. These tests
run the commands in-process on files in ``tmp_path``; a traceback fails them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.cli import main as cli


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = cli.main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return rc, out, err


def _cell(value: float) -> dict[str, Any]:
    return {"value": value, "ci": [value, value], "verdict": "pass"}


def extreme_report(lo: float, hi: float) -> dict[str, Any]:
    """A proposed ADR whose two options measured values near the float limits (finite, so the
    loader accepts them)."""
    return {
        "schema": "pytest-archgate/report",
        "version": 1,
        "adrs": [
            {
                "id": "ADR-0001",
                "status": "proposed",
                "comparison": {
                    "options": ["a", "b"],
                    "criteria": ["m"],
                    "cells": {"a": {"m": _cell(lo)}, "b": {"m": _cell(hi)}},
                    "scores": {"a": 0, "b": 0},
                    "meets_all": {"a": True, "b": True},
                    "recommendation": {"option": None, "text": None},
                    "bounds": {"m": ">= 1e308"},
                    "weights": {},
                },
                "criteria": [
                    {"name": "m", "verdict": "pass", "option": "a", "value": lo, "min": -1e308},
                    {"name": "m", "verdict": "pass", "option": "b", "value": hi, "min": -1e308},
                ],
            }
        ],
    }


@pytest.mark.parametrize(("lo", "hi"), [(-1e308, 1e308), (-1.7e308, 0.0), (0.0, 1.79e308)])
def test_charts_of_values_near_the_float_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lo: float, hi: float
) -> None:
    """Was: ``archgate report --md`` and ``--html --charts svg`` ended in an OverflowError
    traceback (the axis span ``1e308 - -1e308`` is infinite and ``math.floor(inf)`` raises)."""
    report = _write(tmp_path / "r.json", extreme_report(lo, hi))
    html, md = tmp_path / "o.html", tmp_path / "o.md"
    args = ["report", str(report), "--html", str(html), "--md", str(md), "--charts", "svg"]
    rc, _out, _err = _run([*args, "--base", str(report)], capsys)
    assert rc == 0
    assert "xychart-beta" in md.read_text(encoding="utf-8")
    assert "<svg" in html.read_text(encoding="utf-8")


def test_a_report_with_the_details_of_record_estimate_loads_again(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was: ``archgate.record_estimate`` takes an estimate with any details, the run wrote them
    into its report, and then ``archgate merge``, ``report`` and ``comment`` of that very report
    ended in exit 2 (``details.stop_reason: expected one of precision, ...``): the loader
    checked latency's details on every method's. The merge must judge it (exit 1: violated)."""
    pytester.makefile(
        ".md",
        **{
            "adr/0001-latency": (
                "---\nstatus: accepted\ndate: 2026-01-01\narchgate:\n  acceptance:\n"
                '    latency_ms: "<= 50"\n---\n# Latency\n'
            )
        },
    )
    pytester.makepyfile(
        test_own_harness="""
        import pytest
        from pytest_archgate.measure.estimate import Estimate

        @pytest.mark.archgate("ADR-0001")
        def test_latency(archgate):
            details = {"stop_reason": "timeout", "below_minimum": "no", "rounds": 3}
            archgate.record_estimate(
                "latency_ms", Estimate(value=80.0, method="own-harness", details=details)
            )
        """
    )
    report = pytester.path / "r.json"
    result = pytester.runpytest("-p", "no:randomly", f"--archgate-report={report}")
    assert result.ret == 1  # the accepted ADR is violated
    capsys.readouterr()
    out = pytester.path / "m.json"
    rc, stdout, err = _run(["merge", str(report), "-o", str(out)], capsys)
    assert rc == 1, err
    assert "latency_ms = 80 violates <= 50" in stdout
    html, md = pytester.path / "o.html", pytester.path / "o.md"
    assert _run(["report", str(report), "--html", str(html), "--md", str(md)], capsys)[0] == 0
    assert _run(["comment", str(report), "--dry-run"], capsys)[0] == 0


def computed_comparison_report() -> dict[str, Any]:
    """A proposed ADR without a stored comparison (the renderers and merge compute one), whose
    values, weight and daily volume are finite but near the float limits."""

    def crit(option: str, value: float, name: str = "m") -> dict[str, Any]:
        return {
            "name": name,
            "metric": name,
            "kind": "acceptance",
            "verdict": "pass",
            "option": option,
            "role": "candidate",
            "value": value,
            "ci": [value, value],
            "min": -1.7e308,
            "bound": ">= -1.7e308",
        }

    big = 1.7e308
    return {
        "schema": "pytest-archgate/report",
        "version": 1,
        "adrs": [
            {
                "id": "ADR-0001",
                "status": "proposed",
                "options": ["a", "b"],
                "definition": {
                    "options": ["a", "b"],
                    "acceptance": [
                        {"name": "m", "metric": "m", "min": -big, "bound": ">= -1.7e308"},
                        {"name": "cost_per_1k_usd", "metric": "cost_per_1k_usd", "max": big},
                    ],
                    "weights": {"m": big, "cost_per_1k_usd": big},
                    "cost": {"volume_per_day": big},
                },
                "criteria": [
                    crit("a", -big),
                    crit("b", big),
                    crit("a", big, "cost_per_1k_usd"),
                    crit("b", 1e-300, "cost_per_1k_usd"),
                ],
            }
        ],
        "measurements": [
            {"adr": "ADR-0001", "option": o, "metric": "m", "estimate": {"value": v}}
            for o, v in (("a", -big), ("b", big))
        ],
    }


@pytest.mark.parametrize("charts", ["auto", "svg"])
def test_a_computed_comparison_near_the_float_limits_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], charts: str
) -> None:
    """Was: ``archgate report --html`` (matplotlib, the default when installed) ended in an
    OverflowError traceback from matplotlib's tick arithmetic."""
    report = _write(tmp_path / "r.json", computed_comparison_report())
    html, md = tmp_path / "o.html", tmp_path / "o.md"
    rc, _out, _err = _run(
        ["report", str(report), "--html", str(html), "--md", str(md), "--charts", charts], capsys
    )
    assert rc == 0
    assert "Options compared" in md.read_text(encoding="utf-8")


def test_merge_of_a_comparison_near_the_float_limits_writes_a_report_that_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was: ``archgate merge`` ended in a ValueError traceback (``Out of range float values are
    not JSON compliant: nan``): the comparison it computes normalised by a spread that
    overflowed (inf / inf) and summed weights that did. The live run computes the same
    comparison, so its report could not be written either."""
    report = _write(tmp_path / "r.json", computed_comparison_report())
    out = tmp_path / "m.json"
    rc, _stdout, err = _run(["merge", str(report), "-o", str(out)], capsys)
    assert rc == 0, err
    html = tmp_path / "o.html"
    assert _run(["report", str(out), "--html", str(html), "--charts", "svg"], capsys)[0] == 0
    merged = json.loads(out.read_text(encoding="utf-8"))
    comparison = merged["adrs"][0]["comparison"]
    assert set(comparison["scores"]) == {"a", "b"}
    assert all(0.0 <= v <= 1.0 for v in comparison["scores"].values())
    assert "a" not in (comparison.get("daily_cost") or {})  # 1.7e308 x 1.7e308: no daily cost


@pytest.mark.parametrize("clash", ["base", "both"])
def test_report_never_writes_over_its_base_report_or_its_other_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clash: str
) -> None:
    """Was: ``archgate report R --html BASE --base BASE`` wrote the HTML over the base report
    (only the input report itself was refused), and ``--html X --md X`` wrote one output over
    the other; both exited 0. Now exit 2, one line, nothing written."""
    report = _write(tmp_path / "r.json", extreme_report(0.0, 1.0))
    base = _write(tmp_path / "base.json", extreme_report(0.0, 2.0))
    before = base.read_bytes()
    out = tmp_path / "o.html"
    if clash == "base":
        args = ["report", str(report), "--html", str(base), "--base", str(base)]
    else:
        args = ["report", str(report), "--html", str(out), "--md", str(out)]
    rc, _out, err = _run(args, capsys)
    assert rc == 2
    assert len(err.strip().splitlines()) == 1, err
    assert base.read_bytes() == before
    assert not out.exists()


def _judged_report(pytester: pytest.Pytester) -> Path:
    """A real run: an accepted ADR whose criterion is violated (exit 1)."""
    pytester.makefile(
        ".md",
        **{
            "adr/0001-accuracy": (
                "---\nstatus: accepted\ndate: 2026-01-01\narchgate:\n  acceptance:\n"
                '    accuracy: ">= 0.9"\n    rows: ">= 100"\n---\n# Accuracy\n'
            )
        },
    )
    pytester.makepyfile(
        test_acc="""
        import pytest

        @pytest.mark.archgate("ADR-0001")
        def test_acc(archgate):
            archgate.record("accuracy", 0.5)
            archgate.record("rows", 500)
        """
    )
    report = pytester.path / "r.json"
    assert pytester.runpytest("-p", "no:randomly", f"--archgate-report={report}").ret == 1
    return report


@pytest.mark.parametrize(
    "edit",
    ["drop-definition", "null-definition", "drop-violated-criterion", "drop-acceptance"],
)
def test_merge_never_passes_an_adr_whose_definition_lost_its_judged_criteria(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str], edit: str
) -> None:
    """``merge`` judges every ADR again from the definition its report carries. A report edited
    so that a judged criterion is no longer in the definition (the definition removed, nulled,
    or the violated criterion taken out of it) must not merge into a pass: it is refused as one
    line (exit 2) naming the ADR and the criterion."""
    report = _judged_report(pytester)
    capsys.readouterr()
    data = json.loads(report.read_text(encoding="utf-8"))
    entry = data["adrs"][0]
    if edit == "drop-definition":
        del entry["definition"]
    elif edit == "null-definition":
        entry["definition"] = None
    elif edit == "drop-violated-criterion":
        acceptance = entry["definition"]["acceptance"]
        entry["definition"]["acceptance"] = [c for c in acceptance if c["name"] != "accuracy"]
    else:
        entry["definition"]["acceptance"] = []
    _write(report, data)
    out = pytester.path / "m.json"
    rc, stdout, err = _run(["merge", str(report), "-o", str(out)], capsys)
    assert rc == 2, stdout + err
    assert "ADR-0001" in err
    assert "accuracy" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()
