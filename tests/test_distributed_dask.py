"""Dask arrays as inputs of evaluate and compare (the ``dask`` extra), and the import rule.

Skipped cleanly without dask; the import test runs everywhere.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.metrics import compare, data_fingerprint, evaluate
from tests.test_partial import METRICS, PAIRED, assert_same, data


def test_importing_archgate_and_its_plugin_does_not_import_dask() -> None:
    code = (
        "import sys, pytest_archgate, pytest_archgate.plugin.hooks, "
        "pytest_archgate.measure.metrics, pytest_archgate.measure.partial; "
        "from pytest_archgate import evaluate; "
        "assert 'dask' not in sys.modules and 'distributed' not in sys.modules, 'dask loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


da: Any = pytest.importorskip("dask.array")


@pytest.fixture(autouse=True)
def _threads() -> Any:
    import dask

    with dask.config.set(scheduler="threads"):
        yield


def test_dask_arrays_give_the_in_memory_estimates() -> None:
    y, s, _ = data(6000, seed=21)
    whole = evaluate(y, s, METRICS, levels=[0.9])
    # misaligned blocks: the scores are rechunked to the labels' blocks
    parts = evaluate(
        da.from_array(y, chunks=1000), da.from_array(s, chunks=1700), METRICS, levels=[0.9]
    )
    for m in METRICS:
        assert_same(whole[m], parts[m])
    assert whole["roc_auc"].value == parts["roc_auc"].value


@pytest.mark.parametrize("metric", PAIRED)
def test_dask_paired_comparisons(metric: str) -> None:
    y, s, b = data(3000, seed=22)
    whole = compare(y, s, b, metric)
    parts = compare(*(da.from_array(x, chunks=800) for x in (y, s, b)), metric)
    assert_same(whole, parts, exact=metric in ("accuracy", "precision", "recall", "f1"))
    assert parts.details["fingerprint"] == data_fingerprint(y)


def test_a_nan_block_is_named() -> None:
    y, s, _ = data(3000)
    s = s.copy()
    s[2500] = np.nan
    with pytest.raises(MeasurementError, match=r"^roc_auc: chunk 2: y_score contains 1 NaN"):
        evaluate(da.from_array(y, chunks=1000), da.from_array(s, chunks=1000))


def test_bad_dask_inputs_are_refused_in_one_line() -> None:
    y, s, _ = data(300)
    with pytest.raises(
        MeasurementError, match="same number of rows: y_true has 300, y_score has 299"
    ):
        evaluate(da.from_array(y, chunks=100), da.from_array(s[:299], chunks=100))
    with pytest.raises(MeasurementError, match="must all be Dask arrays"):
        evaluate(da.from_array(y, chunks=100), s)
    with pytest.raises(MeasurementError, match="one-dimensional"):
        evaluate(da.from_array(y.reshape(3, 100)), da.from_array(s.reshape(3, 100)))
    unknown = da.from_array(y, chunks=100)
    unknown = unknown[unknown >= 0]  # block sizes unknown until computed
    with pytest.raises(MeasurementError, match="compute_chunk_sizes"):
        evaluate(unknown, da.from_array(s, chunks=100))
    with pytest.raises(MeasurementError, match=r"^roc_auc: cannot be computed exactly.*Dask"):
        compare(*(da.from_array(x, chunks=100) for x in (y, s, s)), "roc_auc")
    with pytest.raises(MeasurementError, match=r"^average_precision: cannot be computed exactly"):
        evaluate(da.from_array(y, chunks=100), da.from_array(s, chunks=100), ["average_precision"])


def test_on_a_local_distributed_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    y, s, b = data(4000, seed=23)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ):
        parts = evaluate(da.from_array(y, chunks=900), da.from_array(s, chunks=900), METRICS)
        diff = compare(*(da.from_array(x, chunks=900) for x in (y, s, b)), "log_loss")
    whole = evaluate(y, s, METRICS)
    for m in METRICS:
        assert_same(whole[m], parts[m])
    assert_same(compare(y, s, b, "log_loss"), diff)


TEST_FILE = """\
import dask
import dask.array as da
import numpy as np
import pytest


@pytest.mark.archgate("ADR-0001")
def test_quality(archgate):
    rng = np.random.default_rng(0)
    y = (rng.random(5000) < 0.3).astype(np.int8)
    s = np.clip(rng.normal(0.3 + 0.4 * y, 0.2), 0, 1).astype(np.float32)
    with dask.config.set(scheduler="threads"):
        got = archgate.evaluate(da.from_array(y, chunks=1000), da.from_array(s, chunks=1000),
                                ["roc_auc", "accuracy"])
    assert got["roc_auc"].value == archgate_reference(y, s)


def archgate_reference(y, s):
    from pytest_archgate import evaluate
    return evaluate(y, s, ["roc_auc"])["roc_auc"].value
"""

ADR = """\
---
status: accepted
date: 2026-01-01
archgate:
  decision: model
  options: [model]
  acceptance:
    roc_auc: {min: 0.8, confidence: 0.95}
    accuracy: ">= 0.7"
---
# Model
"""


def test_the_fixture_takes_dask_arrays(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    (pytester.path / "adr").mkdir()
    (pytester.path / "adr" / "0001-model.md").write_text(ADR, encoding="utf-8")
    pytester.makepyfile(test_quality=TEST_FILE)
    result = pytester.runpytest("-p", "no:randomly", "--archgate-report=r.json")
    result.assert_outcomes(passed=1)
    import json

    report = json.loads((pytester.path / "r.json").read_text(encoding="utf-8"))
    verdicts = {c["name"]: c["verdict"] for a in report["adrs"] for c in a["criteria"]}
    assert verdicts == {"roc_auc": "pass", "accuracy": "pass"}
    m = report["measurements"][0]
    assert m["fingerprint"] is not None


def test_one_class_and_empty_blocks() -> None:
    y, s, _ = data(3000, seed=24)
    order = np.argsort(y, kind="stable")
    y, s = y[order], s[order]
    sizes = (0, 1000, 1000, 0, 1000)  # every block holds one class; two hold none
    parts = evaluate(da.from_array(y, chunks=(sizes,)), da.from_array(s, chunks=(sizes,)), METRICS)
    whole = evaluate(y, s, METRICS)
    for m in METRICS:
        assert_same(whole[m], parts[m])
