"""Shards of one test set, evaluated in separate pytest runs, merged into one verdict.

A CI matrix splits the rows of a test set over jobs; each job runs the same test with
``archgate.evaluate(..., shard="k/K")`` and writes its report; ``archgate merge`` combines the
shards' sufficient statistics. The merged verdicts and values must be those of one run over
all rows, for the metrics that merge exactly, and the merge must refuse (exit 2, one line
naming the metric) for the others and for any forged or incomplete set of shards.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.cli.main import main

ADR = """\
---
status: accepted
date: 2026-01-01
archgate:
  decision: model
  options: [model]
  acceptance:
    roc_auc: {min: 0.75, confidence: 0.95}
    accuracy: ">= 0.7"
    recall: {min: 0.3, confidence: 0.9}
    log_loss: {max: 0.7, confidence: 0.95}
    brier: "<= 0.25"
    mae: "<= 0.4"
---
# Ship the model
"""

AP_ADR = """\
---
status: accepted
date: 2026-01-01
archgate:
  decision: model
  options: [model]
  acceptance:
    average_precision: ">= 0.1"
---
# Ranking quality
"""

TESTS = """\
import os

import numpy as np
import pytest

METRICS = os.environ.get("METRICS", "roc_auc,accuracy,recall,log_loss,brier,mae").split(",")


def rows():
    rng = np.random.default_rng(42)
    n = 3000
    y = (rng.random(n) < 0.3).astype(np.int8)
    p = np.round(1 / (1 + np.exp(-(rng.normal(0, 1.2, n) + 2.0 * y - 1.2))), 3)
    return y, p.astype(np.float32)


@pytest.mark.archgate(os.environ.get("ADR", "ADR-0001"))
def test_model_quality(archgate):
    y, p = rows()
    shard = os.environ.get("SHARD")
    if shard is None:
        archgate.evaluate(y, p, METRICS)
        return
    k, total = (int(x) for x in shard.split("/"))
    part = np.array_split(np.arange(len(y)), total)[k - 1]
    archgate.evaluate(y[part], p[part], METRICS, shard=shard)
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    (pytester.path / "adr" / "0001-ship.md").write_text(ADR, encoding="utf-8")
    pytester.makepyfile(test_quality=TESTS)
    return pytester


def run(
    pytester: pytest.Pytester, name: str, *args: str, monkeypatch: pytest.MonkeyPatch, **env: str
) -> Path:
    with monkeypatch.context() as mp:
        for key in ("SHARD", "METRICS", "ADR"):
            mp.delenv(key, raising=False)
        for key, val in env.items():
            mp.setenv(key, val)
        result = pytester.runpytest_subprocess(
            f"--archgate-report={name}", "-p", "no:randomly", *args
        )
    assert result.ret in (0, 1), result.stdout.str()
    return pytester.path / name


def merge(capsys: pytest.CaptureFixture[str], out: Path, *reports: Path) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(["merge", *map(str, reports), "-o", str(out)])
    return rc, capsys.readouterr().err


def criteria(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {c["name"]: c for a in data["adrs"] for c in a["criteria"]}


def shards(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str, **env: str
) -> tuple[Path, Path]:
    return (
        run(project, "s1.json", *args, monkeypatch=monkeypatch, SHARD="1/2", **env),
        run(project, "s2.json", *args, monkeypatch=monkeypatch, SHARD="2/2", **env),
    )


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["plain", "xdist"])
def test_merged_shards_judge_as_one_run_over_all_rows(
    project: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    xdist: tuple[str, ...],
) -> None:
    whole = run(project, "all.json", *xdist, monkeypatch=monkeypatch)
    s1, s2 = shards(project, monkeypatch, *xdist)
    rc, err = merge(capsys, project.path / "merged.json", s1, s2)
    assert rc in (0, 1), err
    one, merged = criteria(whole), criteria(project.path / "merged.json")
    assert one.keys() == merged.keys()
    verdicts = {name: c["verdict"] for name, c in one.items()}
    assert verdicts == {name: c["verdict"] for name, c in merged.items()}
    assert set(verdicts.values()) <= {"pass", "fail"}  # every criterion measured
    for name, c in one.items():
        m = merged[name]
        assert m["n"] == c["n"] == 3000
        assert m["method"] == c["method"]
        assert math.isclose(m["value"], c["value"], rel_tol=1e-12, abs_tol=1e-13), name
        for a, b in zip(m["ci"], c["ci"], strict=True):
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-13), name
    # each shard alone measured half the rows
    assert criteria(s1)["roc_auc"]["n"] == 1500
    assert rc == (0 if set(verdicts.values()) == {"pass"} else 1)


def test_a_metric_that_cannot_merge_is_refused_by_name(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.path / "adr" / "0002-ranking.md").write_text(AP_ADR, encoding="utf-8")
    s1, s2 = shards(project, monkeypatch, METRICS="average_precision", ADR="ADR-0002")
    rc, err = merge(capsys, project.path / "merged.json", s1, s2)
    assert rc == 2
    assert err.count("\n") == 1
    assert "average_precision" in err
    assert "cannot be merged from shards" in err
    assert not (project.path / "merged.json").exists()


def edit(path: Path, change: Any) -> Path:
    data = json.loads(path.read_text(encoding="utf-8"))
    for m in data["measurements"]:
        if m["metric"] == "accuracy":
            change(m)
    out = path.with_name("forged-" + path.name)
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def _table(m: dict[str, Any]) -> list[int]:
    table: list[int] = m["estimate"]["details"]["partial"]["stats"]["table"]
    return table


def _forge_counts(m: dict[str, Any]) -> None:
    t = _table(m)  # move 100 rows from errors to correct predictions: accuracy rises
    t[1], t[3] = t[1] - 100, t[3] + 100


def _negative(m: dict[str, Any]) -> None:
    _table(m)[0] = -5


def _other_rows(m: dict[str, Any]) -> None:
    m["estimate"]["details"]["partial"]["fingerprint"] = "0123456789abcdef"


def _too_many_shards(m: dict[str, Any]) -> None:
    m["estimate"]["details"]["partial"]["shard"] = [2, 3]


FORGERIES = [
    (_forge_counts, "its statistics give"),
    (_negative, "expected a count"),
    (_other_rows, "is not the measurement's"),
    (_too_many_shards, "missing"),  # shard 2 of 3 beside shard 1 of 2: neither set is whole
]


def test_a_forged_shard_report_is_an_error_never_a_pass(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s1, s2 = shards(project, monkeypatch)
    for forge, message in FORGERIES:
        rc, err = merge(capsys, project.path / "merged.json", s1, edit(s2, forge))
        assert rc == 2, (forge.__name__, err)
        assert message in err, forge.__name__
        assert err.count("\n") == 1
        assert not (project.path / "merged.json").exists()


def test_nan_in_a_shard_report_is_refused(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s1, s2 = shards(project, monkeypatch)
    text = s2.read_text(encoding="utf-8")
    forged = s2.with_name("nan.json")
    forged.write_text(text.replace('"threshold": 0.5', '"threshold": NaN', 1), encoding="utf-8")
    rc, err = merge(capsys, project.path / "merged.json", s1, forged)
    assert rc == 2
    assert "NaN" in err


def test_missing_or_repeated_shards_are_refused(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s1, s2 = shards(project, monkeypatch)
    rc, err = merge(capsys, project.path / "merged.json", s1)
    assert rc == 2
    assert "shard(s) 2 of 2 missing" in err
    copy = s1.with_name("again.json")
    copy.write_bytes(s1.read_bytes())
    rc, err = merge(capsys, project.path / "merged.json", s1, copy, s2)
    assert rc == 2
    assert "appears twice" in err


CHUNK_ADR = """\
---
status: accepted
date: 2026-01-01
archgate:
  decision: model
  baseline: old
  options: [model, old]
  acceptance:
    roc_auc: {min: 0.75, confidence: 0.95}
    brier_gain: {metric: brier, vs: old, max: 0.0}
---
# Ship the model
"""

CHUNK_TESTS = """\
import numpy as np
import pytest


def rows():
    rng = np.random.default_rng(7)
    y = (rng.random(4000) < 0.3).astype(np.int8)
    p = np.clip(rng.normal(0.3 + 0.4 * y, 0.2), 0, 1).astype(np.float32)
    return y, p


@pytest.mark.archgate("ADR-0001")
def test_chunks(archgate):
    y, p = rows()
    got = archgate.evaluate(chunks=[(y[i:i + 900], p[i:i + 900]) for i in range(0, 4000, 900)],
                            metrics=["roc_auc"])
    assert got["roc_auc"].n == 4000


@pytest.mark.archgate("ADR-0001")
def test_chunks_for_a_vs_criterion(archgate):
    y, p = rows()
    archgate.evaluate(chunks=[(y, p)], metrics=["brier"])


@pytest.mark.archgate("ADR-0001")
def test_bad_shard(archgate):
    y, p = rows()
    archgate.evaluate(y, p, ["roc_auc"], shard="3/2")
"""


def test_the_fixture_takes_chunks_and_refuses_what_it_cannot_judge(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    (pytester.path / "adr" / "0001-ship.md").write_text(CHUNK_ADR, encoding="utf-8")
    pytester.makepyfile(test_chunked=CHUNK_TESTS)
    result = pytester.runpytest("-p", "no:randomly", "--archgate-report=r.json", "-rf")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*test_chunks_for_a_vs_criterion*brier: a paired vs criterion needs the rows*",
            '*test_bad_shard*shard: must be "k/K"*',
        ]
    )
    report = json.loads((pytester.path / "r.json").read_text(encoding="utf-8"))
    (m,) = [m for m in report["measurements"] if m["metric"] == "roc_auc"]
    assert m["estimate"]["n"] == 4000
    import numpy as np

    from pytest_archgate.measure.metrics import data_fingerprint

    rng = np.random.default_rng(7)
    y = (rng.random(4000) < 0.3).astype(np.int8)
    assert m["fingerprint"] == data_fingerprint(y)
