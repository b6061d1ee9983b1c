"""Metrics from chunks equal the in-memory path: measure/partial.py and evaluate(chunks=...).

Tolerance: counts, ROC AUC and the count metrics' intervals are computed from the same integers
by the same formulas, so they are compared for equality. Means, standard errors and moments
are sums of floats taken in another order (per chunk, then merged by Chan's and Pebay's
updates, against numpy's pairwise sum over all rows), so they agree to float rounding: within
1e-12 relative, or 1e-13 absolute for ends near 0 (measured worst on these tests: about 2e-14
relative, on an interval end of a paired MAE difference).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure import partial
from pytest_archgate.measure.estimate import Estimate
from pytest_archgate.measure.metrics import compare, data_fingerprint, evaluate

METRICS = ["roc_auc", "accuracy", "precision", "recall", "f1", "log_loss", "brier", "mae", "rmse"]
PAIRED = ["accuracy", "precision", "recall", "f1", "log_loss", "brier", "mae", "rmse"]
REL, ABS = 1e-12, 1e-13


def assert_same(a: Estimate, b: Estimate, *, exact: bool = False) -> None:
    """The estimates agree: method, n, levels and details keys equal; numbers to rounding."""
    assert (a.method, a.n, a.level) == (b.method, b.n, b.level)
    assert a.intervals.keys() == b.intervals.keys()
    assert a.details.keys() == b.details.keys()

    def close(x: float, y: float) -> bool:
        return x == y if exact else math.isclose(x, y, rel_tol=REL, abs_tol=ABS)

    assert close(a.value, b.value), (a.value, b.value)
    for lv, (lo, hi) in a.intervals.items():
        assert close(lo, b.intervals[lv][0]), (lv, lo, b.intervals[lv][0])
        assert close(hi, b.intervals[lv][1]), (lv, hi, b.intervals[lv][1])
    for key, value in a.details.items():
        other = b.details[key]
        if isinstance(value, float):
            assert close(value, other), (key, value, other)
        else:
            assert value == other, key


def data(n: int = 5000, seed: int = 0, ties: bool = True) -> tuple[Any, Any, Any]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(np.int8)
    s = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0.0, 1.0)
    if ties:
        s = np.round(s, 2)  # many tied scores
    b = np.clip(s + rng.normal(0.0, 0.1, n), 0.0, 1.0)
    return y, s.astype(np.float32), b.astype(np.float32)


def split(n: int, seed: int = 1) -> list[tuple[int, int]]:
    """Chunk bounds with an empty chunk, a one-row chunk and uneven sizes."""
    rng = np.random.default_rng(seed)
    cuts = sorted({0, n, 7, 8, *rng.integers(0, n, 6).tolist()})
    return [(0, 0), *itertools.pairwise(cuts)]


@pytest.mark.parametrize("ties", [True, False])
def test_chunks_give_the_in_memory_estimates(ties: bool) -> None:
    y, s, _ = data(ties=ties)
    whole = evaluate(y, s, METRICS, levels=[0.9, 0.999])
    parts = evaluate(
        chunks=[(y[a:b], s[a:b]) for a, b in split(len(y))], metrics=METRICS, levels=[0.9, 0.999]
    )
    for m in METRICS:
        exact = m in ("roc_auc", "accuracy", "precision", "recall", "f1")
        assert_same(whole[m], parts[m], exact=exact and m != "roc_auc")
    # the AUC itself is the same float: both are an exact integer sum over m * n
    assert whole["roc_auc"].value == parts["roc_auc"].value


def test_a_generator_of_chunks_is_read_once() -> None:
    y, s, _ = data(3000)

    def gen() -> Iterator[tuple[Any, Any]]:
        for a in range(0, 3000, 700):
            yield y[a : a + 700], s[a : a + 700]

    assert_same(evaluate(y, s, ["roc_auc"])["roc_auc"], evaluate(chunks=gen())["roc_auc"])


def test_frequency_weights_equal_repeated_rows() -> None:
    y, s, _ = data(3000, seed=3)
    w = np.random.default_rng(4).integers(0, 4, len(y))  # zeros too: a row of weight 0 is none
    whole = evaluate(np.repeat(y, w), np.repeat(s, w), METRICS)
    parts = evaluate(chunks=[(y[a:b], s[a:b], w[a:b]) for a, b in split(len(y))], metrics=METRICS)
    for m in METRICS:
        assert_same(whole[m], parts[m])


def test_one_class_chunks_merge_when_the_whole_has_both() -> None:
    y, s, _ = data(2000, seed=5)
    order = np.argsort(y, kind="stable")  # every negative first: each chunk has one class
    y, s = y[order], s[order]
    cut = int(np.sum(y == 0))
    chunks = [(y[:cut], s[:cut]), (y[cut:], s[cut:])]
    assert_same(
        evaluate(y, s, METRICS)["roc_auc"], evaluate(chunks=chunks, metrics=METRICS)["roc_auc"]
    )


def test_one_class_overall_is_refused_as_in_memory() -> None:
    y = np.zeros(50)
    s = np.linspace(0, 1, 50)
    with pytest.raises(MeasurementError, match="only one class") as whole:
        evaluate(y, s, ["roc_auc"])
    with pytest.raises(MeasurementError, match="only one class") as parts:
        evaluate(chunks=[(y[:20], s[:20]), (y[20:], s[20:])], metrics=["roc_auc"])
    assert str(whole.value) == str(parts.value)


def test_few_rows_are_refused_like_in_memory() -> None:
    y = np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0] * 3)  # 3 positives
    s = np.linspace(0.05, 0.95, 30)
    for m in ("roc_auc", "log_loss"):
        whole = evaluate(y, s, [m])[m]
        parts = evaluate(chunks=[(y[:13], s[:13]), (y[13:], s[13:])], metrics=[m])[m]
        assert whole.details.get("refused")
        assert_same(whole, parts)


def test_hard_labels_and_thresholds_outside_0_1_follow_the_in_memory_rule() -> None:
    rng = np.random.default_rng(6)
    y = (rng.random(400) < 0.4).astype(float)
    hard = (rng.random(400) < 0.5).astype(float)  # 0/1 predictions taken as labels
    soft = hard.copy()
    soft[:3] = 0.4  # one chunk makes the scores not all 0/1
    for scores in (hard, soft):
        for t in (-1.0, 0.5, 1.0, 2.0):
            whole = evaluate(y, scores, ["accuracy", "f1"], threshold=t)
            parts = evaluate(
                chunks=[(y[:200], scores[:200]), (y[200:], scores[200:])],
                metrics=["accuracy", "f1"],
                threshold=t,
            )
            for m in whole:
                assert_same(whole[m], parts[m], exact=True)
            a = compare(y, scores, hard, "accuracy", threshold=t)
            b = compare(
                chunks=[(y[:200], scores[:200], hard[:200]), (y[200:], scores[200:], hard[200:])],
                metric="accuracy",
                threshold=t,
            )
            assert_same(a, b, exact=True)


@pytest.mark.parametrize("metric", PAIRED)
def test_paired_comparisons_from_chunks(metric: str) -> None:
    y, s, b = data(4000, seed=7)
    whole = compare(y, s, b, metric, levels=[0.9])
    parts = compare(
        chunks=[(y[i:j], s[i:j], b[i:j]) for i, j in split(len(y), 2)], metric=metric, levels=[0.9]
    )
    assert_same(whole, parts, exact=metric in ("accuracy", "precision", "recall", "f1"))
    assert parts.details["fingerprint"] == data_fingerprint(y)


def test_log_loss_clipping_follows_the_score_dtype() -> None:
    y = np.array([0, 1] * 100, dtype=float)
    p = np.array([0.0, 1.0] * 100, dtype=np.float32)  # clipped at float32's eps
    p[:2] = [1.0, 0.0]
    whole = evaluate(y, p, ["log_loss"])["log_loss"]
    parts = evaluate(chunks=[(y[:50], p[:50]), (y[50:], p[50:])], metrics=["log_loss"])["log_loss"]
    assert_same(whole, parts)
    with pytest.raises(MeasurementError, match="different dtypes"):
        evaluate(
            chunks=[(y[:50], p[:50]), (y[50:], p[50:].astype(np.float64))], metrics=["log_loss"]
        )


# --------------------------------------------------------------------------- refusals


def test_nan_in_a_chunk_names_the_chunk() -> None:
    y, s, _ = data(100)
    bad = s.copy()
    bad[60] = np.nan
    with pytest.raises(MeasurementError, match=r"^roc_auc: chunk 1: y_score contains 1 NaN"):
        evaluate(chunks=[(y[:50], s[:50]), (y[50:], bad[50:])])


def test_mismatched_lengths_name_the_chunk() -> None:
    y, s, _ = data(100)
    with pytest.raises(MeasurementError, match=r"chunk 1: arrays must have the same number"):
        evaluate(chunks=[(y[:50], s[:50]), (y[50:], s[50:99])])
    with pytest.raises(MeasurementError, match=r"chunk 0: .*sample_weight has 3"):
        evaluate(chunks=[(y[:50], s[:50], [1, 2, 3])])


def test_bad_chunks_are_refused_in_one_line() -> None:
    y, s, _ = data(100)
    cases: list[tuple[Any, str]] = [
        ([(y, s, np.ones(100), 1)], "chunk 0 must be a"),
        ([y], "chunk 0 must be a"),
        ("not chunks", "must be an iterable of chunk tuples"),
        ([(y[:50], s[:50], np.ones(50)), (y[50:], s[50:])], "either every chunk has"),
        ([(y, s, np.full(100, 0.5))], "whole numbers"),
        ([(y, s, -np.ones(100))], "whole numbers"),
        ([(y[:0], s[:0])], "no rows"),
        ([(y[:0], s[:3])], "chunk 0"),
    ]
    for chunks, message in cases:
        with pytest.raises(MeasurementError, match=message) as info:
            evaluate(chunks=chunks)
        assert "\n" not in str(info.value)
    with pytest.raises(MeasurementError, match="not both"):
        evaluate(y, s, chunks=[(y, s)])


@pytest.mark.parametrize("metric", ["average_precision", "recall_at_fpr_0.1", "r2", "my_metric"])
def test_metrics_that_do_not_merge_are_refused_by_name(metric: str) -> None:
    from pytest_archgate.measure.metrics import register_metric, unregister_metric

    register_metric("my_metric", lambda y, s, sample_weight=None: 0.5)
    try:
        y, s, _ = data(100)
        with pytest.raises(MeasurementError, match=rf"^{metric}: cannot be computed exactly"):
            evaluate(chunks=[(y, s)], metrics=["accuracy", metric])
    finally:
        unregister_metric("my_metric")


def test_paired_roc_auc_from_a_list_of_chunks_takes_two_passes() -> None:
    y, s, b = data(5000, seed=8)
    cuts = split(len(y), 3)
    whole = compare(y, s, b, "roc_auc", levels=[0.9])
    parts = compare(
        chunks=[(y[i:j], s[i:j], b[i:j]) for i, j in cuts], metric="roc_auc", levels=[0.9]
    )
    assert_same(whole, parts)
    assert whole.value == parts.value
    w = np.random.default_rng(9).integers(0, 3, len(y))
    weighted = compare(np.repeat(y, w), np.repeat(s, w), np.repeat(b, w), "roc_auc")
    parts = compare(chunks=[(y[i:j], s[i:j], b[i:j], w[i:j]) for i, j in cuts], metric="roc_auc")
    assert_same(_drop(weighted, "fingerprint"), _drop(parts, "fingerprint"))


def test_paired_roc_auc_from_an_iterator_is_refused() -> None:
    y, s, b = data(100)
    with pytest.raises(
        MeasurementError, match=r"^roc_auc: cannot be computed exactly.*re-iterable"
    ):
        compare(chunks=iter([(y, s, b)]), metric="roc_auc")


class Shifting:
    """Chunks that change between reads (a re-iterable that is not what it claims)."""

    def __init__(self, y: Any, s: Any, b: Any) -> None:
        self.rows, self.reads = (y, s, b), 0

    def __iter__(self) -> Iterator[tuple[Any, Any, Any]]:
        self.reads += 1
        y, s, b = self.rows
        yield y, s + (0.001 if self.reads > 1 else 0.0), b


class Relabelled(Shifting):
    """Chunks whose labels flip on the second read (same scores)."""

    def __iter__(self) -> Iterator[tuple[Any, Any, Any]]:
        self.reads += 1
        y, s, b = self.rows
        yield (1 - y if self.reads > 1 else y), s, b


def test_chunks_that_change_between_the_two_passes_are_refused() -> None:
    y, s, b = data(500)
    with pytest.raises(MeasurementError, match="must give the same rows each time"):
        compare(chunks=Shifting(y, s.astype(float), b), metric="roc_auc")
    with pytest.raises(MeasurementError, match="must give the same rows each time"):
        compare(chunks=Relabelled(y, s, b), metric="roc_auc")


# --------------------------------------------------------------------------- merges


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=6),
    st.integers(0, 2**31),
)
def test_merging_is_the_same_in_any_grouping(sizes: list[int], seed: int) -> None:
    """Counts, moments and tables merged chunk by chunk equal those of all rows at once."""
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    y = (rng.random(n) < 0.5).astype(float)
    s = np.round(rng.random(n), 1)
    cuts = np.cumsum([0, *sizes])
    for metric in ("accuracy", "brier", "roc_auc"):
        whole = partial.of_rows(metric, y, s, None, threshold=0.5, eps=1e-7)
        parts = [
            partial.of_rows(metric, y[a:b], s[a:b], None, threshold=0.5, eps=1e-7)
            for a, b in itertools.pairwise(cuts)
        ]
        merged = partial.merge_all(parts)
        if isinstance(whole, partial.ScoreTable):
            assert isinstance(merged, partial.ScoreTable)
            assert np.array_equal(whole.scores, merged.scores)
            assert np.array_equal(whole.pos, merged.pos)
            assert np.array_equal(whole.neg, merged.neg)
        elif isinstance(whole, partial.Moments):
            assert isinstance(merged, partial.Moments)
            assert merged.n == whole.n
            assert merged.n_pos == whole.n_pos
            for k in ("mean", "m2", "m3"):
                assert math.isclose(getattr(merged, k), getattr(whole, k), abs_tol=1e-9)
        else:
            assert merged == whole


def test_auc_and_delong_variance_from_the_table_match_sorting() -> None:
    """The table's placements are DeLong's (Sun & Xu's midrank form) row for row."""
    from pytest_archgate.measure import stats

    y, s, _ = data(3000, seed=11)
    yb = y == 1
    pl = stats.delong_placements(yb, s.astype(np.float64))
    sums = partial.AucSums.of(partial.ScoreTable.of_rows(yb, s.astype(np.float64), None))
    assert sums.auc == pl.auc
    assert math.isclose(sums.variance, pl.variance, rel_tol=1e-12)


# --------------------------------------------------------------------------- report JSON


def test_statistics_round_trip_through_json() -> None:
    y, s, _ = data(500)
    for metric in ("accuracy", "log_loss", "roc_auc", "rmse"):
        part = partial.of_rows(
            metric, y.astype(float), s.astype(float), None, threshold=0.5, eps=1e-7
        )
        text = json.dumps(partial.partial_to_json(part, shard=(1, 2), fingerprint="0" * 16))
        back = partial.partial_from_json(json.loads(text))
        assert (back.shard, back.shards, back.reason) == (1, 2, None)
        if isinstance(part, partial.ScoreTable):
            assert isinstance(back.part, partial.ScoreTable)
            assert np.array_equal(back.part.scores, part.scores)
            assert np.array_equal(back.part.pos, part.pos)
        else:
            assert back.part == part


def test_a_table_too_large_for_a_report_is_carried_as_not_mergeable() -> None:
    s = np.arange(partial.MAX_TABLE + 1, dtype=float)
    y = (s % 2 == 0).astype(float)
    part = partial.of_rows("roc_auc", y, s, None, threshold=0.5, eps=1e-7)
    out = partial.partial_to_json(part, shard=(1, 2), fingerprint="0" * 16)
    assert out["kind"] == "none"
    assert "distinct scores" in out["reason"]


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d.update(shard=[3, 2]), "shard"),
        (lambda d: d.update(shard=[0, 2]), "shard"),
        (lambda d: d.update(shard=[1, 10**6]), "shard"),
        (lambda d: d.update(fingerprint="xyz"), "fingerprint"),
        (lambda d: d.update(kind="bootstrap"), "kind"),
        (lambda d: d["stats"].update(table=[1, 2, -3, 4]), "stats.table"),
        (lambda d: d["stats"].update(table=[1, 2, 3]), "stats.table"),
        (lambda d: d["stats"].update(table=[1.5, 2, 3, 4]), "stats.table"),
        (lambda d: d["stats"].update(table=[True, 2, 3, 4]), "stats.table"),
        (lambda d: d["stats"].update(threshold=float("nan")), "stats.threshold"),
        (lambda d: d["stats"].update(binary="yes"), "stats.binary"),
        (lambda d: d["stats"].update(hard=[1, 2, 3, 4]), "stats.hard"),
        (lambda d: d.update(stats=None), "stats"),
    ],
)
def test_forged_statistics_are_refused(edit: Any, field: str) -> None:
    good = partial.partial_to_json(
        partial.Counts((5, 1, 2, 8), 0.5), shard=(1, 2), fingerprint="ab" * 8
    )
    partial.partial_from_json(good)
    edit(good)
    with pytest.raises(MeasurementError) as info:
        partial.partial_from_json(good)
    assert info.value.field == field


def test_forged_moments_and_tables_are_refused() -> None:
    base = {"shard": [1, 1], "fingerprint": "0" * 16}
    bad_stats: list[tuple[str, dict[str, Any], str]] = [
        ("moments", {"n": 5, "mean": 0.1, "m2": -1.0, "m3": 0.0, "n_pos": 2}, "stats.m2"),
        ("moments", {"n": 5, "mean": 0.1, "m2": 1.0, "m3": 0.0, "n_pos": 9}, "stats.n_pos"),
        ("moments", {"n": -5, "mean": 0.1, "m2": 1.0, "m3": 0.0, "n_pos": 0}, "stats.n"),
        ("table", {"scores": [0.2, 0.1], "pos": [1, 1], "neg": [1, 1]}, "stats.scores"),
        ("table", {"scores": [0.1, 0.2], "pos": [1], "neg": [1, 1]}, "stats.pos"),
        (
            "table",
            {"scores": [0.1] * (partial.MAX_TABLE + 1), "pos": [], "neg": []},
            "stats.scores",
        ),
    ]
    for kind, stats_, field in bad_stats:
        with pytest.raises(MeasurementError) as info:
            partial.partial_from_json({**base, "kind": kind, "stats": stats_})
        assert info.value.field == field, kind


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), max_size=12), st.integers(0, 2**31))
def test_score_ranges_joined_in_order_equal_the_whole_table(edges: list[float], seed: int) -> None:
    """The range-partitioned ranking (Dask) gives the table's AUC and DeLong variance."""
    rng = np.random.default_rng(seed)
    y = rng.random(400) < 0.3
    s = np.round(rng.random(400), 2)
    table = partial.ScoreTable.of_rows(y, s, None)
    pieces = partial.split_table(table, np.unique(np.array(edges, dtype=np.float64)))
    assert sum(p.rows for p in pieces) == table.rows
    segments = [partial.AucSegment.of_table(p) for p in pieces if p.rows]
    joined = segments[0]
    for seg in segments[1:]:
        joined = joined.then(seg)
    whole, ranged = partial.AucSums.of(table), joined.sums()
    assert ranged.auc == whole.auc
    assert math.isclose(ranged.variance, whole.variance, rel_tol=1e-12)


def _shard(y: Any, s: Any, k: int, total: int, levels: list[float]) -> Any:
    from pytest_archgate.measure.metrics import evaluate_parts, parts_of

    parts = evaluate_parts(
        parts_of(chunks=[(y, s)], width=2),
        ["roc_auc", "log_loss"],
        threshold=0.5,
        level=0.95,
        levels=levels,
        fingerprint=True,
    )
    out = {}
    for m, est in parts.estimates.items():
        carried = partial.partial_to_json(
            parts.partials[m], shard=(k, total), fingerprint=parts.fingerprint or "", levels=levels
        )
        back = partial.partial_from_json(json.loads(json.dumps(carried)))
        out[m] = (est, parts.fingerprint, back)
    return out


def test_merged_shards_have_every_level_even_where_a_shard_alone_was_refused() -> None:
    y, s, _ = data(2000, seed=31)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    order = np.concatenate([pos[:3], neg[:1000], pos[3:], neg[1000:]])
    y, s = y[order], s[order]
    cut = 1003  # shard 1: 3 positives and 1000 negatives, too few for an AUC interval
    levels = [0.9, 0.97]
    one = _shard(y[:cut], s[:cut], 1, 2, levels)
    two = _shard(y[cut:], s[cut:], 2, 2, levels)
    assert one["roc_auc"][0].details.get("refused")  # too few positives in this shard alone
    whole = evaluate(y, s, ["roc_auc", "log_loss"], levels=levels)
    for m in ("roc_auc", "log_loss"):
        merged, fp = partial.merge_shards(m, [one[m], two[m]])
        assert merged.intervals.keys() == whole[m].intervals.keys()
        assert_same(whole[m], _drop(merged, "shards"))
        assert fp == partial.shards_fingerprint([one[m][1], two[m][1]])


def _drop(est: Estimate, key: str) -> Estimate:
    from dataclasses import replace

    return replace(est, details={k: v for k, v in est.details.items() if k != key})


def test_the_report_and_the_statistics_agree_on_the_table_limit() -> None:
    from pytest_archgate.report.schema import MAX_PARTIAL_TABLE

    assert partial.MAX_TABLE == MAX_PARTIAL_TABLE


def test_statistics_that_overflow_are_refused_in_one_line() -> None:
    """A report's numbers may be anything finite: their merge must not raise past the gate."""
    huge = partial.Moments(200, 1e300, 1e300, 1e300, 50)
    other = partial.Moments(200, -1e300, 1e300, -1e300, 50)
    shards = []
    for k, part in ((1, huge), (2, other)):
        fp = f"{k:016x}"
        est = Estimate(value=part.mean, method="hall-skew-corrected", n=200, level=0.95)
        shards.append((est, fp, partial.ShardStats(k, 2, fp, part, None)))
    with pytest.raises(MeasurementError, match=r"no (finite )?estimate") as info:
        partial.merge_shards("brier", shards)
    assert "\n" not in str(info.value)
