"""Rules of ``pytest_archgate.measure.replicates`` (independent replicates, their combined
estimates and intervals, the probability of outperforming, pass^k) that mutation testing found
unpinned (issue 15).

The expected intervals are computed here from the published formulas with reference constants,
not by calling the module's own helpers:

* Student's t quantiles from Abramowitz & Stegun (1964), Table 26.10: ``t_{0.975, 1} = 12.7062``,
  ``t_{0.975, 2} = 4.3027``, ``t_{0.95, 2} = 2.9200``, ``t_{0.975, 4} = 2.7764``,
  ``t_{0.975, 9} = 2.2622``;
* Wilson's score interval checked against Newcombe (1998, Stat Med 17:857, Table I, method 3):
  1/29 -> (0.0061, 0.1718), 0/20 -> (0, 0.1611), 15/148 -> (0.0624, 0.1605),
  81/263 -> (0.2553, 0.3662);
* the combined interval of replicates on shared rows, ``mean -/+ sqrt(z^2 a + t^2 s^2 / k)``,
  and the MOVER difference ``d -/+ sqrt(l_A^2 + u_B^2)`` (Zou & Donner 2008, Stat Med 27:1693);
* pass^k = C(c, k) / C(n, k) (Yao et al. 2024, tau-bench, arXiv:2406.12045).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.measure.replicates import (
    GAMMA,
    MIN_ITEMS,
    STANDARD_LEVELS,
    as_measurement,
    check_passes,
    combine,
    difference,
    estimates_of,
    item_mean_estimate,
    outperform_estimate,
    pass_at_all_k,
    probability_of_outperforming,
    split_replicates,
    variance_label,
    variance_line,
    vs_estimates,
)

Z95 = NormalDist().inv_cdf(0.975)
Z90 = NormalDist().inv_cdf(0.95)
T975 = {1: 12.7062, 2: 4.3027, 4: 2.7764, 9: 2.2622}
T95_2 = 2.9200
STANDARD = set(STANDARD_LEVELS)


def rep(
    value: float,
    rid: str | None,
    *,
    fp: str | None = None,
    se: tuple[float, float] | None = None,
    level: float = 0.95,
    n: int | None = None,
    option: str = "x",
    device: str = "cpu",
    nodeid: str = "",
    details: Mapping[str, Any] | None = None,
) -> Measurement:
    """A measurement of ``value``; ``se`` = (below, above) test-set SEs recorded as a normal
    interval at ``level``."""
    intervals = {}
    if se is not None:
        z = NormalDist().inv_cdf(0.5 + level / 2)
        intervals = {level: (value - z * se[0], value + z * se[1])}
    return Measurement(
        adr="ADR-0001",
        option=option,
        metric="auc",
        estimate=Estimate(value, n=n, intervals=intervals, details=dict(details or {})),
        nodeid=nodeid or f"t::{option}-{rid}",
        device=device,
        fingerprint=fp,
        replicate=rid,
    )


def lo_hi(est: Estimate, level: float) -> tuple[float, float]:
    out = est.intervals.get(level)
    assert out is not None, (level, est.intervals)
    return out


# ---------------------------------------------------------------------------------------------
# grouping


def test_replicates_are_grouped_per_device_in_first_seen_order() -> None:
    a0, b0 = rep(0.8, "s0", device="cuda"), rep(0.7, "s0", device="cpu")
    a1, lone = rep(0.82, "s1", device="cuda"), rep(0.9, None)
    groups, singles = split_replicates([a0, b0, lone, a1])
    assert groups == [[a0, a1], [b0]]
    assert singles == [lone]
    assert estimates_of([a0, b0, lone, a1], ())[2] is lone.estimate


def test_a_replicate_id_recorded_twice_names_both_tests() -> None:
    first = rep(0.8, "seed-1", nodeid="t::a")
    again = rep(0.81, "seed-1", nodeid="t::b")
    with pytest.raises(MeasurementError) as info:
        split_replicates([rep(0.79, "seed-0"), first, again])
    assert info.value.message == (
        "replicate 'seed-1' of auc [x] was recorded twice, by t::a and t::b; give every "
        "replicate its own id"
    )
    assert info.value.field == "auc"
    nameless = Measurement("A", "x", "auc", Estimate(0.8), replicate="r")
    with pytest.raises(MeasurementError, match=r"twice, by \? and \?;"):
        split_replicates([nameless, nameless])


def cached(m: Measurement, **cache: Any) -> Measurement:
    from dataclasses import replace

    return replace(m, cache=cache)


def test_two_replicates_restored_from_one_cached_run_are_refused_naming_both_tests() -> None:
    """A value the evaluation cache restored is the run that measured it: two replicates of the
    same origin (fresh beside restored, or two restored copies) are one run, never two, and the
    error says so even when they also share a replicate id."""
    fresh = cached(rep(0.8, "seed-0", nodeid="t::a"), origin="run-1", restored=False)
    hit = cached(rep(0.8, "seed-1", nodeid="t::b"), origin="run-1", restored=True)
    for second in (hit, cached(rep(0.8, "seed-0", nodeid="t::b"), origin="run-1")):
        with pytest.raises(MeasurementError) as info:
            split_replicates([rep(0.7, "seed-9"), fresh, second])
        assert info.value.message == (
            f"replicates 'seed-0' and {second.replicate!r} of auc [x] are one run: the evaluation "
            "cache restored the same measured value for both (by t::a and t::b); a cache hit "
            "never counts as an independent replicate: give each replicate its own dependencies "
            "(e.g. its seed in config=)"
        )
        assert info.value.field == "auc"
    nameless = Measurement("A", "x", "auc", Estimate(0.8), replicate="r1", cache={"origin": "o"})
    other = cached(nameless, origin="o")
    from dataclasses import replace

    with pytest.raises(MeasurementError, match=r"for both \(by \? and \?\);"):
        split_replicates([nameless, replace(other, replicate="r2")])


def test_replicates_of_different_or_no_cache_origins_are_independent() -> None:
    """Only a shared origin makes two replicates one run: different origins, an origin beside a
    fresh measurement the cache never saw, or cache records without an origin group as usual."""
    a = cached(rep(0.8, "s0"), origin="run-1")
    pairs = [
        (a, cached(rep(0.81, "s1"), origin="run-2")),
        (a, rep(0.81, "s1")),
        (rep(0.81, "s1"), a),
        (cached(rep(0.8, "s0")), cached(rep(0.81, "s1"), restored=True)),
        (cached(rep(0.8, "s0")), rep(0.81, "s1")),
    ]
    for first, second in pairs:
        groups, singles = split_replicates([first, second])
        assert groups == [[first, second]]
        assert singles == []


# ---------------------------------------------------------------------------------------------
# one group: every replicate on its own rows (Student's t on the values)


def test_replicates_on_their_own_rows_get_a_t_interval_on_the_values() -> None:
    """k = 3 splits: mean 0.84, s = 0.04, 95% interval 0.84 -/+ t_{0.975,2} s / sqrt(3); the
    replicates' own test-set intervals are already in the spread of the values."""
    group = [
        rep(0.80, "split-0", fp="r0", n=100, se=(0.01, 0.01)),
        rep(0.84, "split-1", fp="r1", n=120, se=(0.01, 0.01)),
        rep(0.88, "split-2", fp="r2", n=110, se=(0.01, 0.01)),
    ]
    est = combine(group, (0.9973,))
    half = T975[2] * 0.04 / math.sqrt(3)
    assert est.value == pytest.approx(0.84)
    assert lo_hi(est, 0.95) == pytest.approx((0.84 - half, 0.84 + half), abs=1e-4)
    assert set(est.intervals) == STANDARD | {0.9973}
    assert est.method == "replicates-t"
    assert est.n == 330  # different rows: every row counts once
    info = est.details["replicates"]
    assert info == {
        "k": 3,
        "ids": ["split-0", "split-1", "split-2"],
        "values": [0.80, 0.84, 0.88],
        "between_sd": pytest.approx(0.04),
        "method": "replicates-t",
        "rows": "different",
        "df": 2,
    }
    assert "refused" not in est.details


def test_replicates_without_fingerprints_or_intervals_get_a_t_interval_and_a_note() -> None:
    group = [rep(v, f"seed-{i}", n=50) for i, v in enumerate([0.70, 0.74, 0.78, 0.72, 0.76])]
    est = combine(group)
    s = float(np.std([0.70, 0.74, 0.78, 0.72, 0.76], ddof=1))
    half = T975[4] * s / math.sqrt(5)
    assert lo_hi(est, 0.95) == pytest.approx((0.74 - half, 0.74 + half), abs=1e-4)
    assert est.n == 50  # rows unknown: never counted more than once
    info = est.details["replicates"]
    assert (info["rows"], info["method"], info["df"]) == ("unknown", "replicates-t", 4)
    assert info["note"] == (
        "no test-set interval was recorded: the interval holds the test-set variance only if "
        "every replicate was measured on its own rows"
    )


def test_two_replicates_use_one_degree_of_freedom_and_say_so() -> None:
    est = combine([rep(0.80, "a", fp="1"), rep(0.82, "b", fp="2")])
    half = T975[1] * 0.01  # s = 0.02 / sqrt(2), s / sqrt(2) = 0.01
    assert lo_hi(est, 0.95) == pytest.approx((0.81 - half, 0.81 + half), abs=1e-4)
    assert est.details["replicates"]["df"] == 1
    assert est.details["replicates"]["note"] == (
        "2 replicates: the between-replicate variance is poorly estimated; the interval uses "
        "t with 1 degree of freedom (wide); record 3 or more"
    )


def test_a_sample_count_missing_on_one_replicate_leaves_the_group_without_one() -> None:
    est = combine([rep(0.80, "a", fp="1", n=10), rep(0.82, "b", fp="2"), rep(0.81, "c", fp="3")])
    assert est.n is None


# ---------------------------------------------------------------------------------------------
# one group: replicates scored on the same rows (test-set and between variance in quadrature)


def _shared(level: float = 0.95) -> list[Measurement]:
    return [
        rep(0.80, "seed-0", fp="rows", n=200, se=(0.010, 0.020), level=level),
        rep(0.82, "seed-1", fp="rows", n=180, se=(0.012, 0.018), level=level),
        rep(0.84, "seed-2", fp="rows", n=190, se=(0.014, 0.016), level=level),
    ]


def _shared_expected(level: float, t: float) -> tuple[float, float]:
    z = NormalDist().inv_cdf(0.5 + level / 2)
    a_lo = (0.010**2 + 0.012**2 + 0.014**2) / 3
    a_hi = (0.020**2 + 0.018**2 + 0.016**2) / 3
    b = 0.02**2 / 3
    return 0.82 - math.sqrt(z * z * a_lo + t * t * b), 0.82 + math.sqrt(z * z * a_hi + t * t * b)


def test_replicates_on_shared_rows_add_both_variances_on_each_side() -> None:
    """Seeds scored on one test set: Var(mean) = sigma^2 + tau^2 / k. Each side of the interval
    uses its own test-set SE (the mean of the squared SEs below and above the value)."""
    est = combine(_shared())
    assert lo_hi(est, 0.95) == pytest.approx(_shared_expected(0.95, T975[2]), abs=1e-4)
    assert lo_hi(est, 0.9) == pytest.approx(_shared_expected(0.9, T95_2), abs=1e-4)
    assert est.method == "replicates-shared-rows"
    assert est.details["replicates"]["method"] == "replicates-shared-rows"
    assert est.details["replicates"]["rows"] == "same"
    assert est.n == 180  # the same rows: the smallest count, never the sum
    assert "note" not in est.details["replicates"]


def test_the_test_set_error_is_read_from_the_nearest_recorded_level() -> None:
    """A replicate's interval recorded at 0.9 serves every level: its ends divided by the
    normal quantile at 0.9 give the SEs, used at 0.95 with the 0.95 quantile."""
    est = combine(_shared(level=0.9))
    assert lo_hi(est, 0.95) == pytest.approx(_shared_expected(0.95, T975[2]), abs=1e-4)
    # two recorded levels: the nearer one to the level judged is read (0.99 for 0.98)
    group = []
    for i, v in enumerate([0.80, 0.82, 0.84]):
        z99, z80 = NormalDist().inv_cdf(0.995), NormalDist().inv_cdf(0.9)
        ivs = {0.99: (v - z99 * 0.01, v + z99 * 0.01), 0.8: (v - z80 * 0.05, v + z80 * 0.05)}
        group.append(
            Measurement(
                "A", "x", "auc", Estimate(v, intervals=ivs), fingerprint="r", replicate=f"s{i}"
            )
        )
    est = combine(group)
    z98 = NormalDist().inv_cdf(0.99)
    t98_2 = 6.9646  # t_{0.99, 2}, Abramowitz & Stegun Table 26.10
    half = math.sqrt(z98**2 * 0.01**2 + t98_2**2 * 0.02**2 / 3)
    assert lo_hi(est, 0.98) == pytest.approx((0.82 - half, 0.82 + half), abs=1e-4)
    half = math.sqrt(
        NormalDist().inv_cdf(0.9) ** 2 * 0.05**2 + 1.8856**2 * 0.02**2 / 3
    )  # t_{0.9, 2} = 1.8856
    assert lo_hi(est, 0.8) == pytest.approx((0.82 - half, 0.82 + half), abs=1e-4)


def test_an_interval_that_does_not_hold_its_value_counts_as_no_test_set_error_there() -> None:
    """A recorded (low, high) above the value gives no negative variance below it."""
    group = [
        Measurement(
            "A",
            "x",
            "auc",
            Estimate(v, intervals={0.95: (v + 0.01, v + 0.03)}),
            fingerprint="r",
            replicate=f"s{i}",
        )
        for i, v in enumerate([0.80, 0.82, 0.84])
    ]
    lo, hi = lo_hi(combine(group), 0.95)
    between = T975[2] * 0.02 / math.sqrt(3)
    assert lo == pytest.approx(0.82 - between, abs=1e-4)
    assert hi == pytest.approx(0.82 + math.sqrt(0.03**2 + between**2), abs=1e-4)


def test_shared_rows_without_every_interval_are_refused_never_judged_on_t_alone() -> None:
    """On shared rows the spread of the values misses the test-set variance: with a replicate
    without an interval the group has no interval and says why (unmeasured, never passed)."""
    group = _shared()
    group[1] = rep(0.82, "seed-1", fp="rows", n=180)
    est = combine(group, (0.9,))
    assert est.intervals == {}
    assert est.details["refused"] == "not every replicate has an interval at level 0.99"
    assert est.details["min_info"] == {"replicates": 3}
    same_without_any = combine([rep(0.8, "a", fp="r"), rep(0.82, "b", fp="r")])
    assert same_without_any.intervals == {}
    assert "refused" in same_without_any.details
    unknown_mixed = [rep(0.8, "a", se=(0.01, 0.01)), rep(0.82, "b"), rep(0.81, "c")]
    assert combine(unknown_mixed).intervals == {}


def test_a_refused_replicate_refuses_the_group_naming_it() -> None:
    group = _shared()
    group[2] = rep(0.84, "seed-2", fp="rows", n=190, details={"refused": "9 positives"})
    est = combine(group)
    assert est.details["refused"] == "replicate seed-2: 9 positives"
    assert est.details["min_info"] == {"replicates": 3}
    assert (est.method, est.n, est.intervals) == ("replicates", 180, {})
    assert est.value == pytest.approx(0.82)


def test_one_replicate_is_judged_as_the_measurement_it_is() -> None:
    only = rep(0.8, "seed-7", fp="r", n=40, se=(0.02, 0.03))
    only = Measurement(
        "A",
        "x",
        "auc",
        Estimate(
            0.8,
            method="bootstrap",
            n=40,
            level=0.9,
            intervals={0.9: (0.77, 0.84)},
            details={"b": 1},
        ),
        replicate="seed-7",
    )
    est = combine([only], (0.99,))
    assert (est.value, est.method, est.n, est.level) == (0.8, "bootstrap", 40, 0.9)
    assert est.intervals == {0.9: (0.77, 0.84)}
    assert est.details["b"] == 1
    assert est.details["replicates"] == {
        "k": 1,
        "ids": ["seed-7"],
        "values": [0.8],
        "between_sd": None,
        "method": "single",
        "note": "one replicate is not a group: judged as one measurement",
    }


# ---------------------------------------------------------------------------------------------
# the probability of outperforming (Wilson's interval, Newcombe 1998)


@pytest.mark.parametrize(
    ("wins", "k", "expected"),
    [(1, 29, (0.0061, 0.1718)), (0, 20, (0.0, 0.1611)), (15, 148, (0.0624, 0.1605))],
)
def test_paired_p_outperform_has_wilson_s_interval(
    wins: int, k: int, expected: tuple[float, float]
) -> None:
    a = [1.0] * wins + [0.0] * (k - wins)
    b = [0.5] * k
    p = probability_of_outperforming(a, b, paired=True)
    assert p["value"] == pytest.approx(wins / k)
    assert p["ci"] == pytest.approx(list(expected), abs=1e-4)
    assert (p["level"], p["method"], p["paired"], p["gamma"]) == (0.95, "wilson-paired", True, 0.75)


def test_ties_count_half_and_unpaired_uses_every_pair_at_the_smaller_size() -> None:
    p = probability_of_outperforming([1.0, 2.0, 3.0], [1.0, 3.0, 2.0], paired=True)
    assert p["value"] == pytest.approx(1.5 / 3)
    u = probability_of_outperforming([3.0, 1.0], [1.0, 2.0, 0.5], paired=False)
    # pairs: 3 beats all three; 1 ties 1 (half), loses to 2, beats 0.5: 4.5 of 6
    assert u["value"] == pytest.approx(4.5 / 6)
    assert u["method"] == "wilson-mann-whitney"
    assert u["paired"] is False
    z = Z95
    n, p = 2.0, 0.75  # Birnbaum & Klose: at most p(1 - p) / min(k_a, k_b)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert u["ci"] == pytest.approx([centre - half, centre + half], abs=1e-9)
    at90 = probability_of_outperforming([3.0, 1.0], [1.0, 2.0, 0.5], paired=False, level=0.9)
    assert at90["level"] == 0.9
    assert at90["ci"][0] > u["ci"][0]


@pytest.mark.parametrize(
    ("a", "reading"),
    [
        ([1.0] * 30, "meaningful (P >= 0.75, lower bound > 0.5)"),
        ([1.0] * 20 + [0.0] * 10, "above 0.5"),  # 0.667: lower bound 0.488... see below
        ([1.0] * 15 + [0.0] * 15, "not distinguishable from 0.5"),
        ([0.0] * 30, "below 0.5"),
    ],
)
def test_the_reading_of_p_outperform(a: list[float], reading: str) -> None:
    b = [0.5] * len(a)
    if reading == "above 0.5":  # 22 of 30: 0.733, Wilson lower bound 0.556 > 0.5, P < 0.75
        a = [1.0] * 22 + [0.0] * 8
    p = probability_of_outperforming(a, b, paired=True)
    assert p["reading"] == reading


def test_the_reading_thresholds_are_exact() -> None:
    """P >= gamma with a lower bound above 0.5 is meaningful (P = 0.75 exactly counts); a
    lower bound of exactly 0.5 is not above it; an upper bound of exactly 0.5 is not below."""
    assert GAMMA == 0.75
    p = probability_of_outperforming([1.0] * 75 + [0.0] * 25, [0.5] * 100, paired=True)
    assert p["value"] == 0.75
    assert p["ci"][0] > 0.5
    assert p["reading"] == "meaningful (P >= 0.75, lower bound > 0.5)"
    # one pair, a tie: P = 0.5, interval (0.0546, 0.9454) holds 0.5 on both sides
    p = probability_of_outperforming([1.0], [1.0], paired=True)
    assert p["reading"] == "not distinguishable from 0.5"


def test_p_outperform_as_an_estimate_carries_wilson_intervals_at_every_level() -> None:
    est = outperform_estimate([1.0] * 28 + [0.0], [0.5] * 29, paired=True, levels=(0.999,))
    assert est.value == pytest.approx(28 / 29)
    assert est.n == 29
    assert isinstance(est.n, int)
    assert est.level == 0.95
    assert est.method == "wilson-paired"
    assert set(est.intervals) == STANDARD | {0.999}
    assert est.intervals[0.95] == pytest.approx((1 - 0.1718, 1 - 0.0061), abs=1e-4)
    assert est.details["p_outperform"]["value"] == pytest.approx(28 / 29)
    assert est.details["a"] == [1.0] * 28 + [0.0]
    assert est.details["b"] == [0.5] * 29
    unpaired = outperform_estimate([3.0, 1.0], [1.0, 2.0, 0.5], paired=False, level=0.9)
    assert (unpaired.n, unpaired.level, unpaired.method) == (2, 0.9, "wilson-mann-whitney")
    assert set(unpaired.intervals) == STANDARD
    assert unpaired.intervals[0.9] == pytest.approx(
        probability_of_outperforming([3.0, 1.0], [1.0, 2.0, 0.5], paired=False, level=0.9)["ci"]
    )


def test_wilson_s_interval_is_newcombe_s_reference_through_outperform_estimate() -> None:
    est = outperform_estimate([1.0] * 81 + [0.0] * 182, [0.5] * 263, paired=True)
    assert est.intervals[0.95] == pytest.approx((0.2553, 0.3662), abs=1e-4)


# ---------------------------------------------------------------------------------------------
# the difference of two groups


def _paired_one(calls: list[tuple[Measurement, Measurement]]) -> Any:
    def paired_one(a: Measurement, b: Measurement) -> Estimate:
        calls.append((a, b))
        d = a.estimate.value - b.estimate.value
        return Estimate(d, method="paired-test", n=100, intervals={0.95: (d - 0.02, d + 0.02)})

    return paired_one


def test_groups_with_the_same_ids_are_paired_by_id_and_their_differences_combined() -> None:
    a = [rep(v, f"seed-{i}", fp=f"r{i}", option="a") for i, v in enumerate([0.90, 0.92, 0.91])]
    b = [rep(v, f"seed-{i}", fp=f"r{i}", option="b") for i, v in enumerate([0.85, 0.88, 0.85])]
    calls: list[tuple[Measurement, Measurement]] = []
    est = difference(a, list(reversed(b)), (0.9,), _paired_one(calls))
    assert [(x.replicate, y.replicate) for x, y in calls] == [
        ("seed-0", "seed-0"),
        ("seed-1", "seed-1"),
        ("seed-2", "seed-2"),
    ]
    diffs = [0.05, 0.04, 0.06]
    assert est.value == pytest.approx(0.05)
    s = float(np.std(diffs, ddof=1))
    half = T975[2] * s / math.sqrt(3)  # each id on its own rows: t on the differences
    assert lo_hi(est, 0.95) == pytest.approx((0.05 - half, 0.05 + half), abs=1e-4)
    assert est.method == "paired-replicates-t"
    assert est.n == 300
    info = est.details["replicates"]
    assert info["paired"] is True
    assert info["b"] == {"k": 3, "ids": ["seed-2", "seed-1", "seed-0"]}
    assert info["ids"] == ["seed-0", "seed-1", "seed-2"]
    assert info["values"] == pytest.approx(diffs)
    p = est.details["p_outperform"]
    assert (p["value"], p["paired"]) == (1.0, True)
    assert variance_label(est) == "test set + 3 vs 3 replicates"


def test_paired_differences_on_shared_rows_keep_their_test_set_error() -> None:
    a = [rep(v, f"s{i}", fp="rows", option="a") for i, v in enumerate([0.90, 0.92, 0.91])]
    b = [rep(v, f"s{i}", fp="rows", option="b") for i, v in enumerate([0.85, 0.88, 0.85])]
    est = difference(a, b, (), _paired_one([]))
    se = 0.02 / Z95
    s = float(np.std([0.05, 0.04, 0.06], ddof=1))
    half = math.sqrt(Z95**2 * se**2 + T975[2] ** 2 * s**2 / 3)
    assert lo_hi(est, 0.95) == pytest.approx((0.05 - half, 0.05 + half), abs=1e-4)
    assert est.method == "paired-replicates-shared-rows"


def test_groups_with_other_ids_are_combined_apart_and_their_half_widths_added_mover() -> None:
    a = _shared()
    b = [
        rep(0.75, "run-0", fp="rows", se=(0.015, 0.005), option="b"),
        rep(0.79, "run-1", fp="rows", se=(0.015, 0.005), option="b"),
        rep(0.77, "run-2", fp="rows", se=(0.015, 0.005), option="b"),
    ]
    est = difference(a, b, (0.9,), _paired_one([]))
    a_lo, a_hi = _shared_expected(0.95, T975[2])
    b_between = (T975[2] * 0.02) ** 2 / 3
    b_lo = math.sqrt(Z95**2 * 0.015**2 + b_between)
    b_hi = math.sqrt(Z95**2 * 0.005**2 + b_between)
    d = 0.82 - 0.77
    expected = (d - math.hypot(0.82 - a_lo, b_hi), d + math.hypot(a_hi - 0.82, b_lo))
    assert est.value == pytest.approx(d)
    assert lo_hi(est, 0.95) == pytest.approx(expected, abs=1e-4)
    assert set(est.intervals) == STANDARD
    assert (est.method, est.n) == ("replicates-mover", None)
    info = est.details["replicates"]
    assert info["k"] == 3
    assert info["ids"] == ["seed-0", "seed-1", "seed-2"]
    assert info["values"] == [0.80, 0.82, 0.84]
    assert info["between_sd"] == pytest.approx(0.02)
    assert (info["method"], info["paired"]) == ("mover", False)
    assert info["b"] == {
        "k": 3,
        "ids": ["run-0", "run-1", "run-2"],
        "values": [0.75, 0.79, 0.77],
        "between_sd": pytest.approx(0.02),
    }
    p = est.details["p_outperform"]
    assert (p["value"], p["paired"], p["method"]) == (1.0, False, "wilson-mann-whitney")
    assert "refused" not in est.details


def test_a_refused_side_refuses_the_unpaired_difference() -> None:
    a = _shared()
    b = [
        rep(0.75, "run-0", fp="rows", option="b", details={"refused": "too few"}),
        rep(0.79, "run-1", fp="rows", se=(0.01, 0.01), option="b"),
    ]
    est = difference(a, b, (), _paired_one([]))
    assert est.intervals == {}
    assert est.details["refused"] == "replicate run-0: too few"
    assert est.details["min_info"] == {"replicates": 2}
    # a side whose intervals are refused at every level (shared rows, one without interval)
    c = [rep(0.75, "run-0", fp="rows", option="b"), rep(0.79, "run-1", fp="rows", option="b")]
    est = difference(a, c, (), _paired_one([]))
    assert est.intervals == {}
    assert est.details["refused"].startswith("not every replicate has an interval")


def test_one_replicate_a_side_with_one_id_is_not_a_paired_group() -> None:
    calls: list[tuple[Measurement, Measurement]] = []
    est = difference(
        [rep(0.9, "s0", option="a")], [rep(0.8, "s0", option="b")], (), _paired_one(calls)
    )
    assert calls == []
    assert est.method == "replicates-mover"
    assert est.intervals == {}
    assert est.value == pytest.approx(0.1)


# ---------------------------------------------------------------------------------------------
# what judge_criterion calls for a vs criterion


def test_vs_between_a_group_and_one_reference_keeps_both_sides_in_the_details() -> None:
    a = [
        rep(v, f"seed-{i}", fp=f"r{i}", option="a", n=100) for i, v in enumerate([0.90, 0.92, 0.94])
    ]
    ref = rep(0.85, None, fp="ref", option="b", se=(0.01, 0.01), nodeid="t::ref")
    calls: list[tuple[Measurement, Measurement]] = []
    ((est, tests),) = vs_estimates(a, [ref], (0.9,), _paired_one(calls))
    ((ma, mb),) = calls
    assert ma.replicate is None  # a group is one measurement here
    assert ma.fingerprint is None  # its rows differ
    assert ma.estimate.value == pytest.approx(0.92)
    assert mb is not ref
    assert mb.estimate is ref.estimate
    assert est.value == pytest.approx(0.07)
    assert est.intervals == {0.95: pytest.approx((0.05, 0.09))}
    assert tests == sorted({"t::a-seed-0", "t::a-seed-1", "t::a-seed-2", "t::ref"})
    info = est.details["replicates"]
    assert (info["k"], info["ids"]) == (3, ["seed-0", "seed-1", "seed-2"])
    assert info["b"] == {
        "k": 1,
        "ids": [],
        "values": [0.85],
        "between_sd": None,
        "method": "single",
    }
    assert (est.method, est.n, est.level) == ("paired-test", 100, 0.95)
    assert variance_label(est) == "test set + 3 vs 1 replicates"


def test_vs_against_a_refused_group_has_no_interval() -> None:
    a = [
        rep(0.9, "s0", fp="r", option="a", details={"refused": "few"}),
        rep(0.91, "s1", fp="r", option="a"),
    ]
    ref = rep(0.85, None, option="b")
    ((est, _),) = vs_estimates(a, [ref], (), _paired_one([]))
    assert est.intervals == {}
    assert est.details["refused"] == "replicate s0: few"
    ((est, _),) = vs_estimates([ref], a, (), _paired_one([]))
    assert est.intervals == {}
    assert est.details["refused"] == "replicate s0: few"


def test_vs_between_single_measurements_is_the_paired_estimate_as_it_is() -> None:
    a, b = rep(0.9, None, option="a"), rep(0.8, None, option="b")
    calls: list[tuple[Measurement, Measurement]] = []
    ((est, tests),) = vs_estimates([a], [b], (), _paired_one(calls))
    assert calls == [(a, b)]
    assert "replicates" not in est.details
    assert tests == ["t::a-None", "t::b-None"]


def test_vs_between_two_groups_and_a_single_judges_every_pair_of_units() -> None:
    a = [rep(v, f"s{i}", fp=f"r{i}", option="a") for i, v in enumerate([0.90, 0.92, 0.94])]
    b = [rep(v, f"s{i}", fp=f"r{i}", option="b") for i, v in enumerate([0.80, 0.82, 0.84])]
    lone = rep(0.7, None, option="b", device="cuda")
    out = vs_estimates(a, [*b, lone], (), _paired_one([]))
    assert [e.method for e, _ in out] == ["paired-replicates-t", "paired-test"]
    assert out[0][0].value == pytest.approx(0.10)
    assert out[1][0].value == pytest.approx(0.22)


def test_a_combined_group_keeps_its_rows_only_when_all_share_them() -> None:
    same = [rep(0.8, "a", fp="rows"), rep(0.9, "b", fp="rows")]
    est = Estimate(0.85)
    m = as_measurement(same, est)
    assert (m.fingerprint, m.replicate, m.predictions, m.estimate) == ("rows", None, None, est)
    assert (m.adr, m.option, m.metric, m.nodeid, m.device) == (
        "ADR-0001",
        "x",
        "auc",
        "t::x-a",
        "cpu",
    )
    assert as_measurement([rep(0.8, "a", fp="1"), rep(0.9, "b", fp="2")], est).fingerprint is None
    single = Measurement(
        "A", "x", "auc", Estimate(0.8), fingerprint="f", predictions="p.npz", replicate="seed-0"
    )
    m = as_measurement([single], est)
    assert (m.fingerprint, m.predictions, m.replicate) == ("f", "p.npz", "seed-0")


# ---------------------------------------------------------------------------------------------
# pass rates over repeated runs


def test_pass_hat_k_is_the_unbiased_estimate_of_tau_bench() -> None:
    """pass^k of an item = C(c, k) / C(n, k): n = 10 runs, c = 7 passes, k = 5 gives
    C(7, 5) / C(10, 5) = 21 / 252; an item with fewer passes than k has 0."""
    assert list(pass_at_all_k([7, 4, 10], 10, 5)) == pytest.approx([21 / 252, 0.0, 1.0])


@pytest.mark.parametrize(
    ("passes", "message"),
    [
        ("yes", "passes must be a 2-D array of bools (items x runs), got 'yes'"),
        (b"1", "passes must be a 2-D array of bools (items x runs), got b'1'"),
        ({"a": [True]}, "passes must be a 2-D array of bools (items x runs), got {'a': [True]}"),
        ([[True, False], [True]], "passes is ragged: every item needs the same number of runs"),
        (
            np.array([[True, None]], dtype=object),
            "passes is ragged or not made of bools: every item needs the same number of runs "
            "of True/False",
        ),
        ([True, False], "passes must be 2-D (items x runs), got 1 dimension(s) of shape (2,)"),
        (np.zeros((0, 3), dtype=bool), "passes is empty (shape (0, 3)): nothing to judge"),
        ([[1, 0]], "passes must hold bools (True = the run passed), got dtype int64"),
    ],
)
def test_bad_pass_tables_are_refused_in_one_line(passes: object, message: str) -> None:
    with pytest.raises(MeasurementError) as info:
        check_passes(passes, "answer_rate")
    assert info.value.message == message
    assert info.value.field == "answer_rate"


def test_a_good_pass_table_is_returned_as_a_bool_array() -> None:
    arr = check_passes([[True, False], [False, False]], "x")
    assert arr.dtype == np.bool_
    assert arr.shape == (2, 2)


def _kg_wilson(p: float, n_eff: float, n: int, level: float, t: float) -> tuple[float, float]:
    """Wilson's interval at the design-effect size, shrunk by (z / t_{n-1})^2 (Korn &
    Graubard 1998)."""
    z = NormalDist().inv_cdf(0.5 + level / 2)
    m = n_eff * (z / t) ** 2
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    return max(0.0, centre - half), min(1.0, centre + half)


def test_a_pass_rate_gets_a_design_effect_wilson_interval() -> None:
    """Ten items with pass rates over 4 runs: n_eff = p(1 - p) / (s^2 / n), within [n, n *
    runs]; the interval is Wilson's at n_eff with Korn & Graubard's df correction."""
    per_item = np.array([1.0, 0.75, 0.5, 1.0, 0.25, 0.75, 1.0, 0.5, 0.75, 1.0])
    est = item_mean_estimate(per_item, runs=4, k=1, levels=(0.9973,), level=0.95, seed=3)
    p = 0.75
    var = float(np.var(per_item, ddof=1)) / 10
    n_eff = min(max(p * (1 - p) / var, 10.0), 40.0)
    assert est.value == pytest.approx(p)
    assert est.details["runs"] == {
        "items": 10,
        "runs": 4,
        "k": 1,
        "n_eff": pytest.approx(n_eff),
        "seed": 3,
    }
    assert lo_hi(est, 0.95) == pytest.approx(_kg_wilson(p, n_eff, 10, 0.95, T975[9]), abs=1e-4)
    assert set(est.intervals) == STANDARD | {0.9973}
    assert (est.method, est.n, est.level) == ("design-effect-wilson", 10, 0.95)
    assert variance_label(est) == "items + 4 repeated runs per item"


def test_the_effective_size_is_capped_by_the_independent_draws() -> None:
    """Items that vary less than binomial noise would be worth more than n * (runs // k) draws:
    n_eff stops there. 12 items at 0.5 each, 6 runs, k = 2: cap 12 * 3 = 36."""
    per_item = np.full(12, 0.5)
    per_item[0], per_item[1] = 0.49, 0.51
    est = item_mean_estimate(per_item, runs=6, k=2, levels=(), level=0.95, seed=0)
    assert est.details["runs"]["n_eff"] == 36.0
    flat = item_mean_estimate(np.full(12, 0.5), runs=6, k=4, levels=(), level=0.9, seed=0)
    assert flat.details["runs"]["n_eff"] == 12.0  # 6 // 4 = 1 draw per item
    assert flat.level == 0.9
    assert 0.9 in flat.intervals
    assert (
        item_mean_estimate(np.full(12, 0.5), runs=6, k=7, levels=(), level=0.9, seed=0).details[
            "runs"
        ]["n_eff"]
        == 12.0
    )


def test_an_effective_size_below_the_items_is_raised_to_them() -> None:
    """All-or-nothing items (fully correlated runs): n_eff = n, never less."""
    per_item = np.array([1.0, 0.0] * 6)
    est = item_mean_estimate(per_item, runs=5, k=1, levels=(), level=0.95, seed=0)
    assert est.details["runs"]["n_eff"] == 12.0


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_a_pass_rate_of_zero_or_one_uses_the_items_as_its_size(p: float) -> None:
    est = item_mean_estimate(np.full(10, p), runs=5, k=1, levels=(), level=0.95, seed=0)
    assert est.details["runs"]["n_eff"] == 10.0
    lo, hi = lo_hi(est, 0.95)
    expected = _kg_wilson(p, 10.0, 10, 0.95, T975[9])
    assert (lo, hi) == pytest.approx(expected, abs=1e-4)


def test_too_few_items_are_refused_never_judged_on_the_point_value() -> None:
    assert MIN_ITEMS == 10
    est = item_mean_estimate(np.full(9, 0.9), runs=5, k=1, levels=(), level=0.95, seed=0)
    assert est.intervals == {}
    assert est.details["refused"] == (
        "9 items: too few to judge a pass rate over repeated runs (needs >= 10)"
    )
    assert est.details["min_info"] == {"items": 9, "runs": 5}
    assert (est.value, est.method, est.n, est.level) == (
        pytest.approx(0.9),
        "design-effect-wilson",
        9,
        0.95,
    )
    one = item_mean_estimate(np.full(1, 1.0), runs=2, k=1, levels=(), level=0.95, seed=0)
    assert one.details["runs"]["n_eff"] == 1.0


# ---------------------------------------------------------------------------------------------
# what the report says about variance


def _labelled(ids: Sequence[str], **extra: Any) -> Estimate:
    return Estimate(0.8, details={"replicates": {"k": len(ids), "ids": list(ids), **extra}})


@pytest.mark.parametrize(
    ("ids", "label"),
    [
        (
            ["seed-0", "seed-1", "seed-2", "seed-3", "seed-4"],
            "test set + 5 replicates (seed-0..seed-4)",
        ),
        (["s7", "s9", "s8"], "test set + 3 replicates (s7..s9)"),
        (["s1", "s2"], "test set + 2 replicates (s1, s2)"),
        (["s1", "s3", "s4"], "test set + 3 replicates (s1, s3, s4)"),
        (["a1", "b2", "c3"], "test set + 3 replicates (a1, b2, c3)"),
        (["s1", "s2", "x"], "test set + 3 replicates (s1, s2, x)"),
        (["a", "b", "c", "d"], "test set + 4 replicates (a, b, c, d)"),
        (["a", "b", "c", "d", "e", "f"], "test set + 6 replicates (a, b, c, d, +2)"),
    ],
)
def test_replicate_ids_are_shown_as_a_range_when_consecutive(ids: list[str], label: str) -> None:
    assert variance_label(_labelled(ids)) == label


def test_variance_labels() -> None:
    assert variance_label(None) == "test set only"
    assert variance_label(Estimate(0.8)) == "test set only"
    assert variance_label(Estimate(0.8, details={"replicates": "x", "runs": 3})) == (
        "test set only"
    )
    assert variance_label(_labelled(["seed-3"])) == (
        "test set only (1 replicate, seed-3: seed variance not measured)"
    )
    assert variance_label(_labelled(["a", "b"], b={"k": 4})) == "test set + 2 vs 4 replicates"
    runs = Estimate(0.8, details={"runs": {"runs": 7}})
    assert variance_label(runs) == "items + 7 repeated runs per item"
    assert variance_label(Estimate(0.8, details={"replicates": {"k": 2}})) == (
        "test set + 2 replicates ()"
    )


def test_the_variance_line_names_each_measured_criterion_with_replicates() -> None:
    results: list[dict[str, Any]] = [
        {"name": "auc", "option": "mlp", "value": 0.9, "variance": "test set + 5 replicates"},
        {"name": "f1", "option": None, "value": 0.8, "variance": "test set only"},
        {"name": "lat", "option": "mlp", "value": None, "variance": "test set + 3 replicates"},
    ]
    assert variance_line(results) == (
        "variance: auc [mlp]: test set + 5 replicates; others: test set only (seed variance "
        "not measured)"
    )
    assert variance_line(results[:1]) == "variance: auc [mlp]: test set + 5 replicates"
    assert variance_line(results[1:]) == "variance: test set only (seed variance not measured)"
    assert variance_line([{"name": "x", "value": 1.0}]) == (
        "variance: test set only (seed variance not measured)"
    )
    assert variance_line(results[2:]) is None
    assert variance_line([]) is None


def test_the_variance_line_gives_p_outperform_of_a_vs_over_replicates() -> None:
    p = {"value": 0.8, "ci": [0.376, 0.964], "reading": "not distinguishable from 0.5"}
    result = {
        "name": "gain",
        "option": "mlp",
        "vs": "xgb",
        "value": 0.01,
        "variance": "test set + 5 vs 5 replicates",
        "estimate": {"details": {"p_outperform": p}},
    }
    assert variance_line([result]) == (
        "variance: gain [mlp]: test set + 5 vs 5 replicates, P(mlp > xgb) = 0.8 "
        "[0.376, 0.964] (not distinguishable from 0.5)"
    )
    for broken in (
        {"details": {"p_outperform": {"value": 0.8, "ci": "x"}}},
        {"details": {"p_outperform": "x"}},
        {"details": "x"},
        "x",
    ):
        assert variance_line([{**result, "estimate": broken}]) == (
            "variance: gain [mlp]: test set + 5 vs 5 replicates"
        )


# ---------------------------------------------------------------------------------------------
# second round: what the first full run left alive


def test_five_ids_that_are_not_consecutive_show_four_and_a_count() -> None:
    ids = ["a", "b", "c", "d", "e"]
    assert variance_label(_labelled(ids)) == "test set + 5 replicates (a, b, c, d, +1)"


def test_two_replicates_report_their_between_replicate_sd() -> None:
    est = combine([rep(0.80, "a", fp="1"), rep(0.82, "b", fp="2")])
    assert est.details["replicates"]["between_sd"] == pytest.approx(0.02 / math.sqrt(2))


def test_a_group_refused_at_every_level_still_names_a_replicates_method() -> None:
    est = combine([rep(0.8, "a", fp="r"), rep(0.82, "b", fp="r")])
    assert est.intervals == {}
    assert est.method == "replicates-t"
    assert est.details["replicates"]["method"] == "replicates-t"


def test_a_wilson_upper_bound_is_never_above_one() -> None:
    """At P = 1 the score interval's upper end is 1 exactly; float rounding can put it a hair
    above (10 of 10 pairs at level 0.8), and the bound is clipped to 1."""
    est = outperform_estimate([1.0] * 10, [0.0] * 10, paired=True)
    for lo, hi in est.intervals.values():
        assert 0.0 <= lo <= hi <= 1.0
    assert est.intervals[0.8][1] == 1.0


def test_paired_values_of_unequal_length_are_refused() -> None:
    with pytest.raises(ValueError, match="zip"):
        probability_of_outperforming([1.0, 2.0], [1.0], paired=True)


def test_p_outperform_as_an_estimate_keeps_the_level_it_was_asked_for() -> None:
    est = outperform_estimate([3.0, 1.0, 2.0], [1.0, 2.0], paired=False, level=0.9)
    p = est.details["p_outperform"]
    assert p["level"] == 0.9
    assert p["ci"] == pytest.approx(list(est.intervals[0.9]))
    assert est.n == 2  # the smaller group, not the first


def test_unpaired_groups_of_two_get_an_interval() -> None:
    """Two replicates a side (t with 1 degree of freedom each): wide, but an interval."""
    a = [rep(0.90, "s0", fp="a0", option="a"), rep(0.92, "s1", fp="a1", option="a")]
    b = [rep(0.80, "r0", fp="b0", option="b"), rep(0.84, "r1", fp="b1", option="b")]
    est = difference(a, b, (), _paired_one([]))
    half_a, half_b = T975[1] * 0.01, T975[1] * 0.02
    d = 0.91 - 0.82
    expected = (d - math.hypot(half_a, half_b), d + math.hypot(half_a, half_b))
    assert lo_hi(est, 0.95) == pytest.approx(expected, abs=1e-3)


def test_paired_groups_carry_every_level_asked_for() -> None:
    a = [rep(v, f"seed-{i}", fp=f"r{i}", option="a") for i, v in enumerate([0.90, 0.92, 0.91])]
    b = [rep(v, f"seed-{i}", fp=f"r{i}", option="b") for i, v in enumerate([0.85, 0.88, 0.85])]
    est = difference(a, b, (0.9973,), _paired_one([]))
    assert set(est.intervals) == STANDARD | {0.9973}
    group = [rep(v, f"s{i}", fp=f"r{i}") for i, v in enumerate([0.8, 0.82, 0.84])]
    (combined,) = estimates_of(group, (0.9973,))
    assert set(combined.intervals) == STANDARD | {0.9973}


def test_a_combined_group_keeps_its_device_and_drops_predictions() -> None:
    group = [
        Measurement(
            "A", "x", "auc", Estimate(0.8), device="cuda", predictions="p0.npz", replicate="s0"
        ),
        Measurement(
            "A", "x", "auc", Estimate(0.9), device="cuda", predictions="p1.npz", replicate="s1"
        ),
    ]
    m = as_measurement(group, Estimate(0.85))
    assert m.device == "cuda"
    assert m.predictions is None  # one file cannot stand for several replicates


def test_a_pass_rate_of_equal_items_strictly_inside_zero_and_one_uses_the_cap() -> None:
    """Every item at 0.5: no item-level variance beyond the runs', so the effective size is the
    independent draws, n * (runs // k) = 12 * 3."""
    est = item_mean_estimate(np.full(12, 0.5), runs=6, k=2, levels=(), level=0.95, seed=0)
    assert est.details["runs"]["n_eff"] == 36.0


def test_a_refused_pass_rate_keeps_its_level_and_effective_size() -> None:
    """Two items (refused): p = 0.75, s^2 / n = 0.0625 / 1, n_eff = 0.1875 / 0.0625 = 3."""
    est = item_mean_estimate(np.array([1.0, 0.5]), runs=4, k=1, levels=(), level=0.9, seed=0)
    assert "refused" in est.details
    assert est.level == 0.9
    assert est.details["runs"]["n_eff"] == pytest.approx(3.0)
    one = item_mean_estimate(np.array([0.5]), runs=4, k=1, levels=(), level=0.9, seed=0)
    assert one.details["runs"]["n_eff"] == 4.0  # no item-level variance from one item


def test_vs_between_one_candidate_and_a_reference_group() -> None:
    """One candidate run against three seeds of the reference: the reference group is combined
    at every level asked for and handed to the comparison as one measurement."""
    cand = rep(0.9, None, option="a", se=(0.01, 0.01))
    refs = [rep(v, f"s{i}", fp=f"r{i}", option="b") for i, v in enumerate([0.80, 0.82, 0.84])]
    seen: list[tuple[Measurement, Measurement]] = []

    def paired_one(a: Measurement, b: Measurement) -> Estimate:
        seen.append((a, b))
        d = a.estimate.value - b.estimate.value
        return Estimate(d, method="paired-test", level=0.9, intervals={0.9: (d - 0.1, d + 0.1)})

    ((est, _),) = vs_estimates([cand], refs, (0.9973,), paired_one)
    ((ma, mb),) = seen
    assert ma.estimate is cand.estimate
    assert 0.9973 in mb.estimate.intervals
    assert mb.estimate.value == pytest.approx(0.82)
    assert (est.method, est.level) == ("paired-test", 0.9)
    assert est.details["replicates"]["b"]["k"] == 3
    ((est, _),) = vs_estimates(refs, [cand], (0.9973,), paired_one)
    assert 0.9973 in seen[-1][0].estimate.intervals


def test_vs_between_groups_of_two_compares_the_groups() -> None:
    a = [rep(v, f"s{i}", fp=f"r{i}", option="a") for i, v in enumerate([0.90, 0.92])]
    b = [rep(v, f"t{i}", fp=f"q{i}", option="b") for i, v in enumerate([0.80, 0.82])]
    ((est, _),) = vs_estimates(a, b, (), _paired_one([]))
    assert est.method == "replicates-mover"


def test_the_variance_line_joins_entries_and_names_options_only_when_set() -> None:
    results: list[dict[str, Any]] = [
        {"name": "auc", "option": None, "value": 0.9, "variance": "test set + 5 replicates"},
        {"name": "f1", "option": "mlp", "value": 0.8, "variance": "test set + 3 replicates"},
    ]
    assert variance_line(results) == (
        "variance: auc: test set + 5 replicates; f1 [mlp]: test set + 3 replicates"
    )
