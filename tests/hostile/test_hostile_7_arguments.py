"""Hostile cases, class 7 (validated at the door): the arguments of the ``archgate`` fixture.

Every ``record`` / ``evaluate`` / ``latency`` / ``record_tokens`` / ``record_estimate`` argument
a user can get wrong ends in one clear ``MeasurementError`` naming the argument (the linked test
fails with ``archgate: <field>: <message>``, no traceback), never in a Python traceback and never
in a silently accepted measurement.

The black-box cases all run in one pytester session (one linked test per bad call); the
failure message of each test is read from the JUnit XML.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_archgate import evaluate, measure_latency
from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.estimate import (
    Estimate,
    check_interval,
    check_level,
    check_number,
    check_record_args,
)
from pytest_archgate.measure.metrics import compare

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:cacheprovider")

# (test name, body, expected text of the failure: "archgate: " + this must be in it)
CASES: list[tuple[str, str, str]] = [
    # ---- record: values
    ("huge_int", 'archgate.record("roc_auc", 10**400)', "roc_auc: value is an integer of 401"),
    ("nan", 'archgate.record("roc_auc", float("nan"))', "roc_auc: value is nan"),
    ("inf", 'archgate.record("roc_auc", -math.inf)', "roc_auc: value is -inf"),
    ("bool", 'archgate.record("roc_auc", True)', "roc_auc: value must be a number, got True"),
    ("np_bool", 'archgate.record("roc_auc", np.bool_(True))', "roc_auc: value must be a number"),
    ("array", 'archgate.record("roc_auc", np.array([0.9, 0.8]))', "value must be a number"),
    ("string", 'archgate.record("roc_auc", "0.9")', "roc_auc: value must be a number, got '0.9'"),
    ("none", 'archgate.record("roc_auc", None)', "roc_auc: value must be a number, got None"),
    ("complex", 'archgate.record("roc_auc", 1j)', "roc_auc: value must be a number"),
    # ---- record: level
    ("level_str", 'archgate.record("roc_auc", 0.9, level="x")', "roc_auc: level must be a number"),
    ("level_big", 'archgate.record("roc_auc", 0.9, level=1.5)', "strictly between 0 and 1"),
    ("level_zero", 'archgate.record("roc_auc", 0.9, level=0)', "strictly between 0 and 1"),
    ("level_one", 'archgate.record("roc_auc", 0.9, level=1.0)', "strictly between 0 and 1"),
    ("level_nan", 'archgate.record("roc_auc", 0.9, level=float("nan"))', "got nan"),
    ("level_true", 'archgate.record("roc_auc", 0.9, level=True)', "got True"),
    ("level_neg", 'archgate.record("roc_auc", 0.9, level=-0.5)', "strictly between 0 and 1"),
    ("level_round", 'archgate.record("roc_auc", 0.9, level=0.9999999)', "strictly between"),
    ("level_huge", 'archgate.record("roc_auc", 0.9, level=10**400)', "strictly between"),
    # ---- record: ci
    ("ci_one", 'archgate.record("roc_auc", 0.9, ci=(0.8,))', "ci must be a pair (low, high)"),
    ("ci_three", 'archgate.record("roc_auc", 0.9, ci=(0.8, 0.9, 1.0))', "ci must be a pair"),
    ("ci_swapped", 'archgate.record("roc_auc", 0.9, ci=(0.95, 0.85))', "low 0.95 above high"),
    ("ci_nan", 'archgate.record("roc_auc", 0.9, ci=(0.8, float("nan")))', "ci high is nan"),
    ("ci_str", 'archgate.record("roc_auc", 0.9, ci="ab")', "ci must be a pair"),
    ("ci_dict", 'archgate.record("roc_auc", 0.9, ci={"low": 0.8, "high": 1})', "ci must be a pair"),
    ("ci_outside", 'archgate.record("roc_auc", 0.9, ci=(0.91, 0.95))', "low <= value <= high"),
    ("ci_huge", 'archgate.record("roc_auc", 0.9, ci=(0.8, 10**400))', "too large for a float"),
    ("ci_scalar", 'archgate.record("roc_auc", 0.9, ci=0.1)', "ci must be a pair"),
    # ---- record: n, names, option, device, method
    ("n_zero", 'archgate.record("roc_auc", 0.9, n=0)', "roc_auc: n must be >= 1, got 0"),
    ("n_neg", 'archgate.record("roc_auc", 0.9, n=-5)', "n must be >= 1"),
    ("n_float", 'archgate.record("roc_auc", 0.9, n=2.5)', "n must be a whole number, got 2.5"),
    ("n_bool", 'archgate.record("roc_auc", 0.9, n=True)', "n must be a whole number, got True"),
    ("n_str", 'archgate.record("roc_auc", 0.9, n="10")', "n must be a whole number"),
    ("name_empty", 'archgate.record("", 0.9)', "name: must be a non-empty name"),
    ("name_int", "archgate.record(5, 0.9)", "name: must be a string, got int 5"),
    ("name_newline", 'archgate.record("auc\\n::error::x", 0.9)', "control characters"),
    ("name_padded", 'archgate.record("roc_auc ", 0.9)', "whitespace"),
    ("option_unknown", 'archgate.record("roc_auc", 0.9, option="svm")', "option 'svm' is not one"),
    ("option_int", 'archgate.record("roc_auc", 0.9, option=3)', "option: must be a string"),
    ("option_ctrl", 'archgate.record("roc_auc", 0.9, option="a\\x1b")', "control characters"),
    ("device_tpu", 'archgate.record("roc_auc", 0.9, device="tpu")', "device must be 'cpu' or"),
    ("method_empty", 'archgate.record("roc_auc", 0.9, method="")', "method must be a non-empty"),
    # ---- evaluate
    ("ev_lengths", "archgate.evaluate([0, 1, 0], [0.1, 0.9])", "same number of rows"),
    ("ev_nan", "archgate.evaluate([0, 1, 0], [0.1, float('nan'), 0.2])", "NaN or infinite"),
    ("ev_one_class", "archgate.evaluate([1, 1, 1], [0.1, 0.9, 0.2])", "only one class"),
    ("ev_labels", "archgate.evaluate([0, 2, 1], [0.1, 0.9, 0.2])", "only 0 and 1"),
    ("ev_empty", "archgate.evaluate([], [])", "is empty"),
    ("ev_threshold_nan", "archgate.evaluate(Y, S, threshold=math.nan)", "threshold: must be a"),
    ("ev_threshold_bool", "archgate.evaluate(Y, S, ['accuracy'], threshold=True)", "threshold"),
    ("ev_level_str", "archgate.evaluate(Y, S, level='x')", "roc_auc: level: must be a number"),
    ("ev_level_big", "archgate.evaluate(Y, S, level=1.5)", "strictly between 0 and 1"),
    ("ev_level_nan", "archgate.evaluate(Y, S, level=float('nan'))", "strictly between 0 and 1"),
    ("ev_level_true", "archgate.evaluate(Y, S, level=True)", "got True"),
    ("ev_n_boot_one", "archgate.evaluate(Y, S, n_boot=1)", "n_boot: must be >= 2"),
    ("ev_n_boot_huge", "archgate.evaluate(Y, S, n_boot=10**9)", "n_boot: must be <= 1_000_000"),
    ("ev_n_boot_float", "archgate.evaluate(Y, S, n_boot=2.5)", "n_boot: must be a whole number"),
    ("ev_seed_neg", "archgate.evaluate(Y, S, seed=-1)", "seed: must be >= 0"),
    ("ev_seed_str", "archgate.evaluate(Y, S, seed='x')", "seed: must be a whole number"),
    ("ev_metrics_none", "archgate.evaluate(Y, S, metrics=None)", "metrics: must be a metric name"),
    ("ev_metrics_int", "archgate.evaluate(Y, S, metrics=[5])", "metrics: must be a string"),
    ("ev_metrics_empty", "archgate.evaluate(Y, S, metrics=[])", "no metric requested"),
    ("ev_names_list", "archgate.evaluate(Y, S, names=['x'])", "names: must map metric names"),
    ("ev_names_empty", "archgate.evaluate(Y, S, names={'roc_auc': ''})", "names: must be a non"),
    ("ev_names_other", "archgate.evaluate(Y, S, names={'f1': 'x'})", "not among the metrics"),
    ("ev_option", "archgate.evaluate(Y, S, option='svm')", "option 'svm' is not one"),
    ("ev_ragged", "archgate.evaluate([[0, 1], [1]], S)", "y_true"),
    # ---- latency
    ("lat_generator", "archgate.latency(lambda: (i for i in range(3)))", "fn returned a generator"),
    (
        "lat_generator_no_warmup",
        "archgate.latency(lambda: (i for i in range(3)), warmup=0, warmup_seconds=0)",
        "fn returned a generator",
    ),
    ("lat_generator_function", "archgate.latency(gen)", "fn is a generator function"),
    ("lat_coroutine_function", "archgate.latency(coro)", "fn is a coroutine function"),
    ("lat_coroutine", "archgate.latency(lambda: coro())", "fn returned a coroutine"),
    ("lat_async_gen", "archgate.latency(lambda: agen())", "fn returned an async generator"),
    ("lat_awaitable", "archgate.latency(lambda: Awaitable())", "fn returned an awaitable"),
    ("lat_map", "archgate.latency(lambda: map(abs, [1, 2]))", "lazy map iterator"),
    ("lat_not_callable", "archgate.latency(5)", "fn must be callable"),
    ("lat_warmup_neg", "archgate.latency(work, warmup=-1)", "warmup: must be >= 0"),
    ("lat_warmup_nan", "archgate.latency(work, warmup=float('nan'))", "warmup: must be a whole"),
    ("lat_warmup_huge", "archgate.latency(work, warmup=10**12)", "warmup: must be <="),
    ("lat_runs_zero", "archgate.latency(work, runs=0)", "runs: must be >= 1"),
    ("lat_runs_float", "archgate.latency(work, runs=2.5)", "runs: must be a whole number"),
    ("lat_runs_bool", "archgate.latency(work, runs=True)", "runs: must be a whole number"),
    ("lat_max_s_neg", "archgate.latency(work, max_seconds=-1)", "max_seconds: must be a positive"),
    (
        "lat_max_s_nan",
        "archgate.latency(work, max_seconds=float('nan'))",
        "must be a finite number, got nan",
    ),
    (
        "lat_max_s_inf",
        "archgate.latency(work, max_seconds=math.inf)",
        "must be a finite number, got inf",
    ),
    ("lat_max_s_huge", "archgate.latency(work, max_seconds=1e12)", "at most 86400"),
    ("lat_max_s_str", "archgate.latency(work, max_seconds='1')", "max_seconds: must be a number"),
    ("lat_batch_zero", "archgate.latency(work, batch_size=0)", "batch_size: must be >= 1"),
    ("lat_batch_huge", "archgate.latency(work, batch_size=10**400)", "batch_size: must be <="),
    ("lat_batch_bool", "archgate.latency(work, batch_size=True)", "batch_size: must be a whole"),
    ("lat_unknown", "archgate.latency(work, repeat=3)", "unknown argument(s) repeat"),
    ("lat_levels_kw", "archgate.latency(work, levels=[0.9])", "unknown argument(s) levels"),
    ("lat_level", "archgate.latency(work, level=1.5)", "level: must be a number strictly"),
    ("lat_percentile", "archgate.latency(work, percentiles=['x'])", "percentiles: must be a num"),
    ("lat_percentile_100", "archgate.latency(work, percentiles=[100])", "strictly between 0 and"),
    (
        "lat_rtol",
        "archgate.latency(work, rtol=float('nan'))",
        "rtol: must be a finite number",
    ),
    ("lat_inputs_int", "archgate.latency(work1, inputs=5)", "inputs: must be a finite iterable"),
    ("lat_inputs_endless", "archgate.latency(work1, inputs=itertools.count())", "never ends"),
    ("lat_memory", "archgate.latency(work, memory='yes')", "memory: must be True or False"),
    ("lat_device", "archgate.latency(work, device='tpu')", "device"),
    ("lat_option", "archgate.latency(work, option='svm')", "option 'svm' is not one"),
    # ---- record_tokens
    ("tok_neg", "archgate.record_tokens(-1, 10, 5)", "input_tokens: must be >= 0"),
    (
        "tok_nan",
        "archgate.record_tokens(10, float('nan'), 5)",
        "output_tokens: must be a finite",
    ),
    ("tok_bool", "archgate.record_tokens(True, 10, 5)", "input_tokens: must be a number"),
    ("tok_huge", "archgate.record_tokens(10**400, 10, 5)", "too large for a float"),
    ("tok_queries_zero", "archgate.record_tokens(10, 10, 0)", "queries: must be >= 1"),
    ("tok_queries_float", "archgate.record_tokens(10, 10, 2.5)", "queries: must be a whole"),
    ("tok_option", "archgate.record_tokens(10, 10, 5, option='svm')", "option 'svm' is not"),
    # ---- record_estimate
    (
        "est_nan_interval",
        "archgate.record_estimate('roc_auc', Estimate(0.9, intervals={0.95: (math.nan, 1.0)}))",
        "roc_auc: interval at level 0.95 low is nan",
    ),
    (
        "est_swapped",
        "archgate.record_estimate('roc_auc', Estimate(0.9, intervals={0.95: (0.95, 0.85)}))",
        "low 0.95 above high 0.85",
    ),
    (
        "est_bad_level",
        "archgate.record_estimate('roc_auc', Estimate(0.9, intervals={1.5: (0.8, 0.95)}))",
        "interval level must be a number strictly between 0 and 1",
    ),
    ("est_value", "archgate.record_estimate('roc_auc', Estimate(math.inf))", "value is inf"),
    ("est_level", "archgate.record_estimate('roc_auc', Estimate(0.9, level=2))", "level must be"),
    ("est_n", "archgate.record_estimate('roc_auc', Estimate(0.9, n=0))", "n must be >= 1"),
    ("est_type", "archgate.record_estimate('roc_auc', 0.9)", "expected a pytest_archgate.Est"),
    (
        "est_details",
        "archgate.record_estimate('roc_auc', Estimate(0.9, details={'x': object()}))",
        "details must be JSON data",
    ),
    (
        "est_details_nan",
        "archgate.record_estimate('roc_auc', Estimate(0.9, details={'x': math.nan}))",
        "details must be JSON data",
    ),
    ("est_name", "archgate.record_estimate('', Estimate(0.9))", "name: must be a non-empty"),
]

PREAMBLE = """
import asyncio
import itertools
import math

import numpy as np
import pytest

from pytest_archgate.measure.estimate import Estimate

Y = [0, 1, 0, 1, 1, 0]
S = [0.1, 0.8, 0.3, 0.7, 0.9, 0.2]


def work():
    return sum(range(10))


def work1(x):
    return x


def gen():
    yield 1


async def coro():
    return 1


async def agen():
    yield 1


class Awaitable:
    def __await__(self):
        yield


"""


def _test_source() -> str:
    parts = [PREAMBLE]
    for name, body, _ in CASES:
        parts.append(
            f'@pytest.mark.archgate("ADR-0002")\ndef test_{name}(archgate):\n    {body}\n\n\n'
        )
    return "".join(parts)


def test_case_names_are_unique() -> None:
    names = [n for n, _, _ in CASES]
    assert len(names) == len(set(names))


def test_every_bad_argument_is_one_clear_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\n")
    adr = pytester.path / "adr"
    adr.mkdir()
    (adr / "0002-use-xgboost.md").write_text(
        "---\nstatus: accepted\narchgate:\n  decision: xgboost\n  baseline: logreg\n"
        "  options: [xgboost, logreg, mlp]\n  acceptance:\n    roc_auc: '>= 0.5'\n"
        "  cost:\n    options: {xgboost: {model: m}}\n"
        "    prices: {m: {input_per_1k_tokens: 0.001, output_per_1k_tokens: 0.002}}\n"
        "---\n# Use XGBoost\n",
        encoding="utf-8",
    )
    pytester.makepyfile(test_args=_test_source())
    result = pytester.runpytest(
        *FAST, "-W", "always", "--junitxml=junit.xml", "--archgate-report=report.json"
    )
    out = result.stdout.str() + result.stderr.str()
    messages: dict[str, str] = {}
    for case in ET.parse(pytester.path / "junit.xml").getroot().iter("testcase"):
        failure = case.find("failure")
        messages[case.get("name", "")] = "" if failure is None else failure.get("message", "")
    problems = []
    for name, _body, expected in CASES:
        got = messages.get(f"test_{name}")
        if got is None or not got.startswith("archgate: ") or expected not in got:
            problems.append(f"{name}: expected 'archgate: ...{expected}...', got {got!r}")
        elif "\n" in got.rstrip("\n"):
            problems.append(f"{name}: the message spans lines: {got!r}")
    assert not problems, "\n".join(problems)
    result.assert_outcomes(failed=len(CASES))
    assert "Traceback" not in out
    assert "never awaited" not in out  # refused coroutines are closed, not leaked
    # nothing of a refused call reached the report, which stays valid JSON
    report = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    assert report["measurements"] == []


# ---------------------------------------------------------------------------------------------
# the pure functions refuse the same things


def test_measure_latency_refuses_deferred_work() -> None:
    def make_gen() -> Any:
        return (i for i in range(3))

    with pytest.raises(MeasurementError, match="fn returned a generator; pass a function"):
        measure_latency(make_gen, runs=5, warmup=2)

    async def job() -> int:
        return 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaked coroutine would warn "never awaited"
        with pytest.raises(MeasurementError, match="fn returned a coroutine"):
            measure_latency(lambda: job(), runs=5, warmup=0, warmup_seconds=0)
        with pytest.raises(MeasurementError, match="fn is a coroutine function"):
            measure_latency(job, runs=5)
    # the advice works: a function that does the work is timed
    res = measure_latency(lambda: list(make_gen()), runs=5, warmup=1, memory=False)
    assert res.n == 5
    res = measure_latency(lambda: asyncio.run(job()), runs=3, warmup=0, memory=False)
    assert res.n == 3


def test_measure_latency_user_errors_still_name_the_call() -> None:
    def boom() -> None:
        raise ValueError("bad model")

    with pytest.raises(MeasurementError, match=r"raised ValueError: bad model \(during warm-up"):
        measure_latency(boom, runs=5)
    with pytest.raises(MeasurementError, match=r"raised ValueError: bad model \(during timed"):
        measure_latency(boom, runs=5, warmup=0, warmup_seconds=0)


def test_endless_inputs_are_refused_quickly() -> None:
    with pytest.raises(MeasurementError, match="never ends"):
        measure_latency(lambda x: x, inputs=itertools.count(), runs=3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"level": "x"},
        {"level": 1.0},
        {"level": True},
        {"threshold": math.inf},
        {"n_boot": 0},
        {"n_boot": 10**7},
        {"seed": -3},
        {"seed": 1.5},
    ],
)
def test_evaluate_and_compare_refuse_bad_options(kwargs: dict[str, Any]) -> None:
    y, s = [0, 1, 0, 1], [0.1, 0.8, 0.3, 0.6]
    with pytest.raises(MeasurementError) as info:
        evaluate(y, s, "roc_auc", **kwargs)
    assert info.value.field == "roc_auc"
    assert next(iter(kwargs)) in info.value.message
    with pytest.raises(MeasurementError):
        compare(y, s, s, "roc_auc", **kwargs)


# ---------------------------------------------------------------------------------------------
# properties: whatever is handed over, the checks return a valid value or raise MeasurementError

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(),
    st.text(max_size=5),
    st.binary(max_size=3),
    st.lists(st.floats(), max_size=3),
    st.tuples(st.floats(), st.floats()),
    st.tuples(st.integers(), st.integers(), st.integers()),
    st.dictionaries(st.text(max_size=2), st.floats(), max_size=2),
    st.just(np.float32(0.5)),
    st.just(np.array([0.1, 0.2])),
    st.just(object()),
)


@settings(max_examples=300, deadline=None)
@given(name=st.one_of(st.text(max_size=8), junk), value=junk, ci=junk, level=junk, n=junk)
def test_record_arguments_are_valid_or_refused(
    name: Any, value: Any, ci: Any, level: Any, n: Any
) -> None:
    try:
        args = check_record_args(name, value, ci=ci, level=level, n=n)
    except MeasurementError as exc:
        message = exc.message
        assert message
        return
    assert isinstance(args.value, float)
    assert math.isfinite(args.value)
    assert 0.0 < args.level < 1.0
    for low, high in args.intervals.values():
        assert math.isfinite(low)
        assert math.isfinite(high)
        assert low <= args.value <= high
    assert args.n is None or (isinstance(args.n, int) and args.n >= 1)


@settings(max_examples=200, deadline=None)
@given(x=junk)
def test_number_level_interval_checks_never_leak(x: Any) -> None:
    for check in (
        lambda: check_number(x, "f"),
        lambda: check_level(x, "f"),
        lambda: check_interval(x, "f"),
    ):
        with contextlib.suppress(MeasurementError):
            check()


def test_estimate_with_nan_interval_from_python(tmp_path: Path) -> None:
    from pytest_archgate.measure.estimate import check_estimate

    with pytest.raises(MeasurementError, match="low is nan"):
        check_estimate(Estimate(0.9, intervals={0.95: (math.nan, 1.0)}), "roc_auc")
    ok = Estimate(0.9, intervals={0.95: (0.8, 0.95)}, details={"a": [1, 2]})
    assert check_estimate(ok, "roc_auc") is ok
