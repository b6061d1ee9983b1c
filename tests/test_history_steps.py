"""Step detection (measure/steps.py) checked on simulated series.

The documented promise: in a flat series with Gaussian noise whose scale the intervals state,
the chance of one or more false steps is at most ``alpha`` (1% by default); a real step of a
few standard errors is found at the right point; a move inside the intervals is not a step.
Each rate is estimated from a few hundred seeded series, with a margin of about three
binomial standard errors, so a test fails only when the rate is clearly off.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_archgate.measure.distributions import z_value
from pytest_archgate.measure.steps import (
    MAX_POINTS,
    detect_steps,
    penalty,
    standard_error,
)


def _margin(rate: float, reps: int) -> float:
    return 3 * math.sqrt(rate * (1 - rate) / reps) + 1 / reps


@pytest.mark.parametrize("n", [2, 5, 12, 40])
def test_flat_series_with_intervals_has_false_steps_at_most_alpha(n: int) -> None:
    rng = random.Random(1000 + n)
    reps, alpha, false = 600, 0.05, 0
    for _ in range(reps):
        ses = [rng.uniform(0.005, 0.04) for _ in range(n)]  # heteroscedastic, as real CIs
        values = [0.9 + rng.gauss(0, s) for s in ses]
        false += bool(detect_steps(values, ses, alpha=alpha).steps)
    assert false / reps <= alpha + _margin(alpha, reps)


def test_default_alpha_rate_on_flat_series() -> None:
    rng = random.Random(7)
    reps, false = 800, 0
    for _ in range(reps):
        values = [0.5 + rng.gauss(0, 0.01) for _ in range(20)]
        false += bool(detect_steps(values, [0.01] * 20).steps)
    assert false / reps <= 0.01 + _margin(0.01, reps)


def test_flat_series_without_intervals_estimates_the_noise_conservatively() -> None:
    rng = random.Random(11)
    reps, false = 400, 0
    for _ in range(reps):
        values = [3.0 + rng.gauss(0, 0.2) for _ in range(25)]
        fit = detect_steps(values, alpha=0.05)
        assert fit.noise == "estimated"
        false += bool(fit.steps)
    assert false / reps <= 0.05 + _margin(0.05, reps)


@pytest.mark.parametrize("at", [1, 9, 18])
def test_a_real_step_is_found_at_the_right_point(at: int) -> None:
    rng = random.Random(at)
    reps, right = 200, 0
    for _ in range(reps):
        values = [0.8 + (0.06 if i >= at else 0.0) + rng.gauss(0, 0.01) for i in range(20)]
        right += detect_steps(values, [0.01] * 20).steps == [at]
    # a 6-standard-error step: found at exactly the right point nearly always
    assert right / reps >= 0.9


def test_a_move_inside_the_intervals_is_not_a_step() -> None:
    # the values move by half a standard error, with no noise at all: the intervals say the
    # move is noise, so it is not a step (a fit without intervals would call it one)
    values = [0.80] * 10 + [0.805] * 10
    assert detect_steps(values, [0.01] * 20).steps == []
    assert detect_steps(values).steps == [10]


def test_the_same_move_beyond_the_intervals_is_a_step() -> None:
    values = [0.80] * 10 + [0.85] * 10
    fit = detect_steps(values, [0.01] * 20)
    assert fit.steps == [10]
    before, after = fit.segments
    assert before.mean == pytest.approx(0.80)
    assert after.mean == pytest.approx(0.85)
    assert after.se == pytest.approx(0.01 / math.sqrt(10))


def test_two_steps_are_both_found() -> None:
    rng = random.Random(5)
    values = [1.0 + (0.1 if 7 <= i < 15 else 0.0) + rng.gauss(0, 0.01) for i in range(22)]
    assert detect_steps(values, [0.01] * 22).steps == [7, 15]


def test_a_value_without_noise_that_changes_is_a_step() -> None:
    assert detect_steps([600, 600, 600, 600, 600, 600, 650, 650], [0.0] * 8).steps == [6]
    assert detect_steps([600.0] * 8, [0.0] * 8).steps == []


def test_short_series_are_not_judged_without_intervals() -> None:
    fit = detect_steps([1.0, 5.0, 1.0])
    assert fit.noise == "none"
    assert fit.steps == []
    assert detect_steps([]).segments == ()
    assert detect_steps([2.0], [0.1]).steps == []


def test_points_without_interval_borrow_the_median_of_the_others() -> None:
    fit = detect_steps([0.8, 0.8, 0.8, 0.9, 0.9], [0.01, None, 0.01, 0.01, None])
    assert fit.noise == "mixed"
    assert fit.steps == [3]


def test_values_near_the_float_limits_do_not_overflow() -> None:
    big = 1.5e308
    fit = detect_steps([big, big, -big, -big], [1e300] * 4)
    assert fit.steps == [2]
    assert fit.segments[0].mean == pytest.approx(big)
    tiny = 5e-324
    assert detect_steps([tiny, tiny, 0.0, 0.0], [0.0] * 4).steps == [2]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        detect_steps([1.0, math.nan, 2.0], [0.1] * 3)
    with pytest.raises(ValueError, match="length"):
        detect_steps([1.0, 2.0], [0.1])
    with pytest.raises(ValueError, match="longer"):
        detect_steps([1.0] * (MAX_POINTS + 1))
    with pytest.raises(ValueError, match="alpha"):
        penalty(10, 1.5)


def test_standard_error_from_an_interval() -> None:
    assert standard_error([0.9, 1.1], 0.95) == pytest.approx(0.1 / z_value(0.95))
    assert standard_error([0.9, 1.1], 0.90) == pytest.approx(0.1 / z_value(0.90))
    assert standard_error([0.9, 1.1], None) == pytest.approx(0.1 / 1.959964, rel=1e-6)
    assert standard_error(None, 0.95) is None
    assert standard_error([1.0, 0.0], 0.95) is None
    assert math.isfinite(standard_error([-1.7e308, 1.7e308], 0.95) or math.inf)


def test_penalty_is_the_bonferroni_chi_square_quantile() -> None:
    # chi-square(1) quantile at 1 - 0.01 = 6.634897 (published table value)
    assert penalty(2, 0.01) == pytest.approx(6.634897, rel=1e-5)
    # at 1 - 0.05 / 9 it is the square of the normal quantile at 1 - 0.05 / 18
    assert penalty(10, 0.05) == pytest.approx(z_value(1 - 0.05 / 9) ** 2)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-1e6, 1e6, allow_nan=False),
            st.one_of(st.none(), st.floats(0, 1e3, allow_nan=False)),
        ),
        max_size=40,
    )
)
def test_the_fit_is_a_partition_whose_levels_lie_within_their_points(
    points: list[tuple[float, float | None]],
) -> None:
    values = [v for v, _ in points]
    fit = detect_steps(values, [e for _, e in points])
    if not values:
        assert fit.segments == ()
        return
    assert fit.segments[0].start == 0
    assert fit.segments[-1].stop == len(values)
    for a, b in zip(fit.segments, fit.segments[1:], strict=False):
        assert a.stop == b.start
    for s in fit.segments:
        assert s.stop > s.start
        part = values[s.start : s.stop]
        span = max(abs(v) for v in part) * 1e-9 + 1e-300
        assert min(part) - span <= s.mean <= max(part) + span
        assert s.se >= 0
    assert fit.steps == sorted(set(fit.steps))


def _penalised_cost(
    values: list[float], errors: list[float], starts: list[int], beta: float
) -> float:
    bounds = [0, *starts, len(values)]
    total = beta * len(starts)
    for a, b in itertools.pairwise(bounds):
        w = [1 / errors[i] ** 2 for i in range(a, b)]
        mean = sum(wi * values[i] for wi, i in zip(w, range(a, b), strict=True)) / sum(w)
        total += sum(wi * (values[i] - mean) ** 2 for wi, i in zip(w, range(a, b), strict=True))
    return total


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-10, 10, allow_nan=False), st.floats(0.05, 5, allow_nan=False)),
        min_size=2,
        max_size=7,
    )
)
def test_the_fit_is_the_optimum_of_every_segmentation(points: list[tuple[float, float]]) -> None:
    # brute force over all 2^(n-1) segmentations: the dynamic programme with PELT's pruning
    # finds the least penalised cost
    values = [v for v, _ in points]
    errors = [e for _, e in points]
    fit = detect_steps(values, errors)
    n = len(values)
    best = min(
        _penalised_cost(values, errors, list(starts), fit.beta)
        for k in range(n)
        for starts in itertools.combinations(range(1, n), k)
    )
    assert _penalised_cost(values, errors, fit.steps, fit.beta) == pytest.approx(
        best, rel=1e-9, abs=1e-9
    )
