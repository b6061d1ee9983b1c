"""Rules of ``pytest_archgate.measure.estimate`` that mutation testing found unpinned (issue 15).

Two groups: how an estimate's interval at a level is found (computed, else derived from a
recorded one under a normal approximation, never another level's interval substituted), and
how its JSON round trip keeps every interval (reports, xdist workers and ``archgate merge`` all
go through it); then what a user handing bad input to ``archgate.record``, ``evaluate`` or an
``Estimate`` reads: one line naming the metric and the argument.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.estimate import (
    Estimate,
    Measurement,
    bad_name_reason,
    check_estimate,
    check_evaluate_args,
    check_number,
    check_record_args,
    levels_for,
    short_repr,
)


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


# ---------------------------------------------------------------------------------------------
# intervals at a level


def test_a_missing_level_is_shrunk_from_the_narrowest_recorded_higher_level() -> None:
    """Each side's half-width is scaled by z(level) / z(source), from the narrowest recorded
    level above the one asked for (0.99 here, not 0.999), and the source is named."""
    e = Estimate(0.8, intervals={0.9: (0.7, 0.85), 0.99: (0.6, 0.9), 0.999: (0.5, 0.95)})
    ratio = _z(0.95) / _z(0.99)
    (low, high), source = e.derived_interval(0.95) or ((math.nan, math.nan), None)
    assert source == 0.99
    assert low == pytest.approx(0.8 - 0.2 * ratio)
    assert high == pytest.approx(0.8 + 0.1 * ratio)
    assert e.interval(0.95) == (low, high)
    assert e.interval(0.9) == (0.7, 0.85)  # a computed interval is never derived


def test_a_missing_level_is_extrapolated_from_the_widest_recorded_lower_level() -> None:
    e = Estimate(0.8, intervals={0.8: (0.75, 0.82), 0.9: (0.7, 0.85)})
    ratio = _z(0.95) / _z(0.9)
    derived = e.derived_interval(0.95)
    assert derived is not None
    assert derived[1] == 0.9
    assert derived[0] == pytest.approx((0.8 - 0.1 * ratio, 0.8 + 0.05 * ratio))
    bound = e.bound(0.975, "upper")
    assert bound is not None
    assert (bound.value, bound.derived_from, bound.level) == (derived[0][1], 0.9, 0.95)


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5])
def test_no_interval_is_derived_at_a_level_outside_0_1(level: float) -> None:
    assert Estimate(0.8, intervals={0.9: (0.0, 1.0)}).derived_interval(level) is None


def test_an_estimate_without_intervals_has_no_bound_at_any_level() -> None:
    e = Estimate(0.8)
    assert (e.interval(0.95), e.bound(0.9, "lower"), e.lower_bound(0.9), e.upper_bound(0.9)) == (
        None,
        None,
        None,
        None,
    )


def test_lower_and_upper_bounds_are_the_ends_of_the_interval_at_two_c_minus_one() -> None:
    e = Estimate(0.8, intervals={0.9: (0.7, 0.85), 0.99: (0.6, 0.9)})
    assert (e.lower_bound(0.95), e.upper_bound(0.95)) == (0.7, 0.85)
    assert (e.lower_bound(0.995), e.upper_bound(0.995)) == (0.6, 0.9)


def test_the_reporting_interval_is_the_one_at_the_estimate_level_only() -> None:
    """``ci`` is the interval computed at ``level``; it is never derived from another."""
    assert Estimate(0.8, intervals={0.9: (0.7, 0.85)}).ci is None
    assert Estimate(0.8, level=0.9, intervals={0.9: (0.7, 0.85)}).ci == (0.7, 0.85)


def test_the_levels_to_compute_are_the_reporting_level_each_2c_minus_1_and_the_standard() -> None:
    assert levels_for([0.975]) == (0.8, 0.9, 0.95, 0.98, 0.99)
    assert levels_for([0.9, 0.9995], 0.5, standard=False) == (0.5, 0.8, 0.999)


# ---------------------------------------------------------------------------------------------
# JSON round trips (reports, xdist, archgate merge)


def test_an_estimate_keeps_every_interval_through_json() -> None:
    e = Estimate(
        0.8,
        method="bootstrap",
        n=120,
        level=0.9,
        intervals={0.9: (0.7, 0.85), 0.99: (0.6, 0.9)},
        details={"n_boot": 1000},
    )
    data = e.to_json()
    assert data == {
        "value": 0.8,
        "method": "bootstrap",
        "n": 120,
        "level": 0.9,
        "ci": [0.7, 0.85],
        "intervals": {"0.9": [0.7, 0.85], "0.99": [0.6, 0.9]},
        "details": {"n_boot": 1000},
    }
    assert Estimate.from_json(data) == e


def test_an_old_report_with_only_ci_gets_that_interval_at_its_level() -> None:
    """A report written before ``intervals`` existed keeps its ``ci`` at its ``level``."""
    e = Estimate.from_json({"value": 1, "ci": [0, 2], "level": 0.9})
    assert (e.intervals, e.level, e.method, e.n) == ({0.9: (0.0, 2.0)}, 0.9, "point", None)
    assert Estimate.from_json({"value": 1, "level": None}).level == 0.95


def test_a_measurement_keeps_its_replicate_fingerprint_and_environment_through_json() -> None:
    m = Measurement(
        adr="ADR-0002",
        option="a",
        metric="auc",
        estimate=Estimate(0.8, intervals={0.9: (0.7, 0.85)}),
        nodeid="t::x",
        device="cuda",
        fingerprint="abc",
        predictions="p.npz",
        environment={"python": "3.11"},
        replicate="seed=1",
    )
    data = m.to_json()
    assert data["replicate"] == "seed=1"
    assert Measurement.from_json(data) == m
    plain = Measurement(adr="A", option=None, metric="m", estimate=Estimate(1.0))
    assert "replicate" not in plain.to_json()


def test_a_measurement_keeps_its_cache_provenance_through_json() -> None:
    """A measurement the evaluation cache restored says so in the report (its entry, commit,
    date and origin run), and reads back the same; one the cache never saw has no ``cache``
    field, and a ``cache`` field that is not an object reads back as none."""
    provenance = {
        "restored": True,
        "commit": "abc1234",
        "created": "2026-12-01T00:00:00Z",
        "key": "k1",
        "origin": "run-1",
    }
    m = Measurement(
        adr="A", option="a", metric="m", estimate=Estimate(0.9), nodeid="t::x", cache=provenance
    )
    data = m.to_json()
    assert data["cache"] == provenance
    back = Measurement.from_json(data)
    assert back == m
    assert back.cache == provenance
    plain = Measurement(adr="A", option=None, metric="m", estimate=Estimate(1.0))
    assert "cache" not in plain.to_json()
    assert Measurement.from_json(plain.to_json()).cache is None
    for bad in ("run-1", 3, ["origin"], None):
        assert Measurement.from_json({**plain.to_json(), "cache": bad}).cache is None


@pytest.mark.parametrize(
    ("environment", "kept"), [("env-1", {"ref": "env-1"}), (3, {}), (None, {})]
)
def test_a_measurement_environment_stored_by_reference_is_read_back_as_a_reference(
    environment: object, kept: dict[str, str]
) -> None:
    """A report stores each environment once and refers to it by key; anything else is none."""
    m = Measurement.from_json(
        {
            "adr": "A",
            "metric": "m",
            "estimate": {"value": 1},
            "environment": environment,
            "device": None,
            "nodeid": None,
        }
    )
    assert (dict(m.environment), m.device, m.nodeid, m.replicate) == (kept, "cpu", "", None)


def test_a_replicate_id_read_from_a_report_is_checked_like_a_name() -> None:
    with pytest.raises(MeasurementError, match="replicate: must not contain control"):
        Measurement.from_json(
            {"adr": "A", "metric": "m", "estimate": {"value": 1}, "replicate": "a\nb"}
        )


# ---------------------------------------------------------------------------------------------
# what a user reads when handing bad input to record / evaluate / an Estimate


class _Hostile:
    def __float__(self) -> float:
        raise RuntimeError("no")

    def __repr__(self) -> str:
        return "<hostile>"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"value": True}, "auc: value must be a number, got True"),
        ({"value": "0.9"}, "auc: value must be a number, got '0.9'"),
        ({"value": np.array([1.0])}, "auc: value must be a number, got array([1.])"),
        ({"value": np.bool_(True)}, "auc: value must be a number, got np.True_"),
        ({"value": _Hostile()}, "auc: value must be a number, got <hostile> (RuntimeError)"),
        (
            {"value": 10**400},
            "auc: value is an integer of 401 digits, too large for a float; it must be finite",
        ),
        (
            {"value": math.nan},
            "auc: value is nan: a non-finite measurement can never be judged; fix the "
            "computation that produced it",
        ),
        (
            {"level": 1.0},
            "auc: level must be a number strictly between 0 and 1 (e.g. 0.95), got 1.0",
        ),
        (
            {"level": True},
            "auc: level must be a number strictly between 0 and 1 (e.g. 0.95), got True",
        ),
        (
            {"level": 0.9999999},  # rounds to 1.0 as a level key
            "auc: level must be a number strictly between 0 and 1 (e.g. 0.95), got 0.9999999",
        ),
        ({"ci": (0.95, 0.8)}, "auc: ci (0.95, 0.8) has low 0.95 above high 0.8"),
        (
            {"ci": (0.8, 0.85)},
            "auc: ci (0.8, 0.85) must be finite with low <= value <= high (value 0.9)",
        ),
        (
            {"ci": (0.8, 0.9, 1.0)},
            "auc: ci must be a pair (low, high), got (0.8, 0.9, 1.0) (3 values)",
        ),
        ({"ci": "ab"}, "auc: ci must be a pair (low, high), got 'ab'"),
        (
            {"ci": (0.8, math.inf)},
            "auc: ci high is inf: a non-finite measurement can never be judged; fix the "
            "computation that produced it",
        ),
        ({"n": 0}, "auc: n must be >= 1, got 0"),
        ({"n": 1.0}, "auc: n must be a whole number, got 1.0"),
        ({"n": 10**13}, "auc: n must be <= 1_000_000_000_000, got 10000000000000"),
        ({"method": "a\nb"}, "auc: method must not contain control characters, got 'a\\nb'"),
        ({"device": "tpu"}, "auc: device must be 'cpu' or 'cuda' (or 'cuda:N'), got 'tpu'"),
    ],
)
def test_a_bad_record_argument_is_one_line_naming_metric_and_argument(
    kwargs: dict[str, Any], expected: str
) -> None:
    args: dict[str, Any] = {"value": 0.9, **kwargs}
    value = args.pop("value")
    with pytest.raises(MeasurementError) as info:
        check_record_args("auc", value, **args)
    assert str(info.value) == expected


def test_a_valid_record_keeps_its_interval_at_its_level_and_reads_cuda_n_as_cuda() -> None:
    args = check_record_args("auc", 0.9, ci=(0.8, 0.95), level=0.9, n=10, device="cuda:1")
    assert (args.name, args.value, args.intervals, args.level, args.n, args.device) == (
        "auc",
        0.9,
        {0.9: (0.8, 0.95)},
        0.9,
        10,
        "cuda",
    )


@pytest.mark.parametrize(
    ("metrics", "kwargs", "expected"),
    [
        ([], {}, "metrics: no metric requested"),
        (None, {}, "metrics: must be a metric name or a list of names, got None"),
        (
            "auc",
            {"level": 2},
            "auc: level: must be a number strictly between 0 and 1 (e.g. 0.95), got 2",
        ),
        (["auc", "f1"], {"n_boot": 1}, "auc, f1: n_boot: must be >= 2, got 1"),
        ("auc", {"n_boot": 10**7}, "auc: n_boot: must be <= 1_000_000, got 10000000"),
        ("auc", {"seed": -1}, "auc: seed: must be >= 0, got -1"),
        ("auc", {"threshold": math.inf}, "auc: threshold: must be a finite number, got inf"),
    ],
)
def test_a_bad_evaluate_argument_names_the_metrics_and_the_argument(
    metrics: object, kwargs: dict[str, Any], expected: str
) -> None:
    with pytest.raises(MeasurementError) as info:
        check_evaluate_args(metrics, **kwargs)
    assert str(info.value) == expected


def test_evaluate_defaults() -> None:
    assert check_evaluate_args("auc") == (["auc"], 0.5, 0.95, 1000, 0)


@pytest.mark.parametrize(
    ("estimate", "expected"),
    [
        (3, "auc: expected a pytest_archgate.Estimate, got int"),
        (Estimate(0.9, method=""), "auc: method must be a non-empty string, got ''"),
        (Estimate(0.9, intervals=[1]), "auc: intervals must map levels to (low, high), got [1]"),  # type: ignore[arg-type]
        (
            Estimate(0.9, intervals={1.5: (0, 1)}),
            "auc: interval level must be a number strictly between 0 and 1 (e.g. 0.95), got 1.5",
        ),
        (
            Estimate(0.9, intervals={0.9: (1, 0)}),
            "auc: interval at level 0.9 (1, 0) has low 1 above high 0",
        ),
        (
            Estimate(0.9, details={"x": math.nan}),
            "auc: details must be JSON data with finite numbers: Out of range float values "
            "are not JSON compliant",
        ),
        (Estimate(0.9, n=0), "auc: n must be >= 1, got 0"),
    ],
)
def test_an_estimate_handed_to_record_that_cannot_be_judged_or_written_is_refused(
    estimate: object, expected: str
) -> None:
    with pytest.raises(MeasurementError) as info:
        check_estimate(estimate, "auc")
    assert str(info.value) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"value": math.inf}, "max_seconds: must be a finite number, got inf"),
        ({"value": 1, "minimum": 2}, "max_seconds: must be >= 2, got 1"),
        ({"value": 1, "minimum": 2, "what": "value"}, "max_seconds: value must be >= 2, got 1"),
    ],
)
def test_an_option_number_names_the_option(kwargs: dict[str, Any], expected: str) -> None:
    args = dict(kwargs)  # the parameter is shared between runs of the test: never mutate it
    value = args.pop("value")
    with pytest.raises(MeasurementError) as info:
        check_number(value, "max_seconds", **args)
    assert str(info.value) == expected


@pytest.mark.parametrize(
    ("estimate", "expected"),
    [
        (
            Estimate(math.nan),
            "auc: value is nan: a non-finite measurement can never be judged; fix the "
            "computation that produced it",
        ),
        (
            Estimate(0.9, level=1.5),
            "auc: level must be a number strictly between 0 and 1 (e.g. 0.95), got 1.5",
        ),
    ],
)
def test_an_estimate_with_a_non_finite_value_or_a_bad_level_is_refused_naming_it(
    estimate: Estimate, expected: str
) -> None:
    with pytest.raises(MeasurementError) as info:
        check_estimate(estimate, "auc")
    assert str(info.value) == expected


@pytest.mark.parametrize(("value", "finite"), [(0.5, True), (math.inf, False), (math.nan, False)])
def test_an_estimate_is_finite_when_its_value_is(value: float, finite: bool) -> None:
    assert Estimate(value).is_finite() is finite


def test_a_bound_names_the_confidence_it_was_asked_for() -> None:
    b = Estimate(0.8, intervals={0.95: (0.7, 0.9)}).bound(0.975, "lower")
    assert b is not None
    assert (b.value, b.side, b.confidence, b.level, b.derived_from) == (
        0.7,
        "lower",
        0.975,
        0.95,
        None,
    )


class _Unlistable:
    def __len__(self) -> int:
        return 2

    def __iter__(self) -> Any:
        raise RuntimeError("no")

    def __repr__(self) -> str:
        return "<unlistable>"


@pytest.mark.parametrize(
    ("ci", "expected"),
    [
        (_Unlistable(), "auc: ci must be a pair (low, high), got <unlistable>"),
        (
            (math.nan, 1.0),
            "auc: ci low is nan: a non-finite measurement can never be judged; fix the "
            "computation that produced it",
        ),
    ],
)
def test_a_ci_that_cannot_be_read_is_refused_naming_the_metric(ci: object, expected: str) -> None:
    with pytest.raises(MeasurementError) as info:
        check_record_args("auc", 0.9, ci=ci)
    assert str(info.value) == expected


@pytest.mark.parametrize("ci", [(0.9, 0.95), (0.8, 0.9), (0.9, 0.9)])
def test_a_value_on_an_end_of_its_ci_is_inside_it(ci: tuple[float, float]) -> None:
    assert check_record_args("auc", 0.9, ci=ci).intervals == {0.95: ci}


def test_a_metric_name_with_a_control_character_is_refused_as_the_name_argument() -> None:
    with pytest.raises(MeasurementError) as info:
        check_record_args("auc\n", 0.9)
    assert str(info.value) == "name: must not contain control characters, got 'auc\\n'"


@pytest.mark.parametrize(
    ("metrics", "expected"),
    [
        (b"auc", "metrics: must be a metric name or a list of names, got b'auc'"),
        ({"auc": 1}, "metrics: must be a metric name or a list of names, got {'auc': 1}"),
        (3, "metrics: must be a metric name or a list of names, got 3"),
        (["a\n"], "metrics: must not contain control characters, got 'a\\n'"),
    ],
)
def test_metrics_must_be_a_name_or_a_list_of_names(metrics: object, expected: str) -> None:
    with pytest.raises(MeasurementError) as info:
        check_evaluate_args(metrics)
    assert str(info.value) == expected


def test_a_seed_may_be_up_to_2_to_the_128() -> None:
    assert check_evaluate_args("auc", seed=2**128)[4] == 2**128
    with pytest.raises(MeasurementError) as info:
        check_evaluate_args("auc", seed=2**128 + 1)
    assert str(info.value) == (
        "auc: seed: must be <= 340_282_366_920_938_463_463_374_607_431_768_211_456, got "
        "340282366920938463463374607431768211457"
    )


class _NoRepr:
    def __repr__(self) -> str:
        raise ValueError("no")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (_NoRepr(), "<_NoRepr>"),  # a hostile __repr__ never escapes as a traceback
        (10**79, str(10**79)),  # 80 digits: shown whole
        (10**80, "an integer of 81 digits"),
        ("x" * 78, repr("x" * 78)),  # a repr of exactly 80 characters: whole
        ("x" * 79, repr("x" * 79)[:77] + "..."),  # 81: cut to 80 with the mark
    ],
)
def test_values_in_messages_are_bounded_to_80_characters(value: object, shown: str) -> None:
    assert short_repr(value) == shown


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"level": "0.9"}, "'0.9'"),  # a string is not a level, even one that reads as one
        ({"level": 10**400}, "an integer of 401 digits"),
        ({"level": 1e-7}, "1e-07"),  # rounds to 0 as a level key
    ],
)
def test_a_level_must_be_a_number_inside_0_1_once_rounded(
    kwargs: dict[str, Any], shown: str
) -> None:
    with pytest.raises(MeasurementError) as info:
        check_record_args("auc", 0.9, **kwargs)
    assert str(info.value) == (
        f"auc: level must be a number strictly between 0 and 1 (e.g. 0.95), got {shown}"
    )


def test_a_device_is_cpu_or_cuda_and_nothing_else() -> None:
    assert check_record_args("auc", 0.9, device="cpu").device == "cpu"
    assert check_record_args("auc", 0.9, device="cuda").device == "cuda"
    with pytest.raises(MeasurementError) as info:
        check_record_args("auc", 0.9, device=3)
    assert str(info.value) == "auc: device must be 'cpu' or 'cuda' (or 'cuda:N'), got 3"


def test_a_count_may_be_as_large_as_its_limit() -> None:
    assert check_record_args("auc", 0.9, n=10**12).n == 10**12


@pytest.mark.parametrize(
    "ch",
    [
        "\x07",  # Cc, a control character
        "\u200e",  # Cf, a format character (left-to-right mark)
        "\ud800",  # Cs, a lone surrogate
        "\ue000",  # Co, private use
        "\u0378",  # Cn, unassigned
        "\u2028",  # Zl, line separator
        "\u2029",  # Zp, paragraph separator
    ],
)
def test_a_name_with_a_character_that_can_hide_or_break_a_line_is_refused(ch: str) -> None:
    """A name is printed in terminals, CI annotations and PR comments: a character that starts
    a new line or hides text must never get there."""
    assert bad_name_reason(f"a{ch}b") == f"must not contain control characters, got {f'a{ch}b'!r}"


def test_a_name_may_be_200_characters_long_and_must_be_a_string() -> None:
    assert bad_name_reason("a" * 200) is None
    assert bad_name_reason("a" * 201) == "is 201 characters long; at most 200 are allowed"
    assert bad_name_reason(3) == "must be a string, got int 3"


def test_a_number_may_equal_its_minimum() -> None:
    assert check_number(2, "max_seconds", minimum=2) == 2.0
