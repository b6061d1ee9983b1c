"""Dask arrays as metric inputs: per-block statistics, merged by a tree reduction.

Why this module exists: a test set of hundreds of millions of scored rows lives in a
distributed engine, not in one process. This bridge runs the per-chunk statistics of
:mod:`pytest_archgate.measure.partial` on each block of aligned Dask arrays, where the block
lives, and merges them pairwise in a tree, so that only the statistics (counts, moments, or the
table of distinct scores) travel, never the rows. Dask is an optional extra
(``pip install pytest-archgate[dask]``) and is imported only inside these functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.partial import (
    AucSegment,
    Fingerprint,
    ScoreTable,
    merge_tables,
    split_table,
    table_edges,
)

T = TypeVar("T")

_NAMES = ("y_true", "y_score", "score_b", "sample_weight")


def _dask() -> Any:
    try:
        import dask
    except ImportError:  # pragma: no cover - the tests that reach here need dask
        raise MeasurementError(
            "Dask arrays need dask: pip install 'pytest-archgate[dask]'", field="dask"
        ) from None
    return dask


def _check_aligned(arrays: Sequence[Any], metric: str) -> None:
    for i, a in enumerate(arrays):
        if getattr(a, "ndim", None) != 1:
            shape = getattr(a, "shape", None)
            raise MeasurementError(
                f"{_NAMES[i]} must be a one-dimensional Dask array, got shape {shape}",
                field=metric,
            )
        if any(isinstance(c, float) and math.isnan(c) for c in a.chunks[0]):
            raise MeasurementError(
                f"{_NAMES[i]} has blocks of unknown size; call .compute_chunk_sizes() first",
                field=metric,
            )
    lengths = [int(a.shape[0]) for a in arrays]
    if len(set(lengths)) > 1:
        listed = ", ".join(f"{_NAMES[i]} has {n}" for i, n in enumerate(lengths))
        raise MeasurementError(f"arrays must have the same number of rows: {listed}", field=metric)


def map_reduce(
    arrays: Sequence[Any],
    block: Callable[..., T | None],
    merge: Callable[[T, T], T],
    metric: str,
) -> T | None:
    """``block(index, *blocks)`` on each aligned block, merged pairwise; None if all empty.

    The arrays are rechunked to the first one's blocks, so block ``i`` of each holds the same
    rows. The graph is computed with whatever scheduler is active (a
    ``dask.distributed.Client`` if one is, else dask's default).
    """
    dask = _dask()
    _check_aligned(arrays, metric)
    first = arrays[0]
    aligned = [first, *(a.rechunk(first.chunks) for a in arrays[1:])]
    blocks = [list(a.to_delayed().ravel()) for a in aligned]
    nodes = [dask.delayed(block)(i, *row) for i, row in enumerate(zip(*blocks, strict=True))]

    def both(a: T | None, b: T | None) -> T | None:
        if a is None or b is None:
            return b if a is None else a
        return merge(a, b)

    while len(nodes) > 1:
        nxt = [dask.delayed(both)(nodes[i], nodes[i + 1]) for i in range(0, len(nodes) - 1, 2)]
        if len(nodes) % 2:
            nxt.append(nodes[-1])
        nodes = nxt
    if not nodes:
        return None
    (result,) = dask.compute(nodes[0])
    return result  # type: ignore[no-any-return]


def _tree(dask: Any, nodes: list[Any], merge: Callable[[Any, Any], Any]) -> Any:
    """Pairwise merges of ``nodes`` in order, as a tree of delayed calls."""

    def both(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return b if a is None else a
        return merge(a, b)

    while len(nodes) > 1:
        nxt = [dask.delayed(both)(nodes[i], nodes[i + 1]) for i in range(0, len(nodes) - 1, 2)]
        if len(nodes) % 2:
            nxt.append(nodes[-1])
        nodes = nxt
    return nodes[0]


def _without(stats: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    return None if stats is None else {k: v for k, v in stats.items() if k != key}


def _table_of(stats: dict[str, Any] | None, key: str) -> ScoreTable | None:
    return None if stats is None else stats[key]


def _edges(stats: Sequence[dict[str, Any] | None], key: str, pieces: int) -> Any:
    first = next((s for s in stats if s is not None), None)
    return table_edges(None if first is None else first[key], pieces)


def _pieces(stats: dict[str, Any] | None, key: str, edges: Any) -> list[ScoreTable] | None:
    return None if stats is None else split_table(stats[key], edges)


def _piece(pieces: list[ScoreTable] | None, b: int) -> ScoreTable | None:
    return None if pieces is None or b >= len(pieces) else pieces[b]


def _segment(table: ScoreTable | None) -> AucSegment | None:
    return None if table is None or table.scores.shape[0] == 0 else AucSegment.of_table(table)


def map_reduce_ranked(
    arrays: Sequence[Any],
    block: Callable[..., dict[str, Any] | None],
    merge: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]],
    metric: str,
    *,
    ranked: str = "roc_auc",
) -> dict[str, Any] | None:
    """As :func:`map_reduce`, with the score table of ``ranked`` range-partitioned.

    A sample sort: the first non-empty block's table gives splitters that cut every block's
    table into score ranges; the pieces of one range are merged across blocks (a table of
    that range's distinct scores only) and summarised as an :class:`AucSegment`; the driver
    joins the segments in score order. No process ever holds the table of all distinct scores.
    """
    dask = _dask()
    _check_aligned(arrays, metric)
    first = arrays[0]
    aligned = [first, *(a.rechunk(first.chunks) for a in arrays[1:])]
    blocks = [list(a.to_delayed().ravel()) for a in aligned]
    stats = [dask.delayed(block)(i, *row) for i, row in enumerate(zip(*blocks, strict=True))]
    if not stats:
        return None
    ranges = max(8, min(256, 2 * len(stats)))
    edges = dask.delayed(_edges)(stats[:1], ranked, ranges)
    pieces = [dask.delayed(_pieces)(st, ranked, edges) for st in stats]
    segments = []
    for b in range(ranges):
        tables = [dask.delayed(_piece)(p, b) for p in pieces]
        merged = _tree(dask, tables, lambda x, y: merge_tables([x, y]))
        segments.append(dask.delayed(_segment)(merged))
    others = _tree(dask, [dask.delayed(_without)(st, ranked) for st in stats], merge)
    rest, segs = dask.compute(others, segments)
    found = [seg for seg in segs if seg is not None]
    if rest is None or not found:
        return None
    joined = found[0]
    for seg in found[1:]:
        joined = joined.then(seg)
    return {**rest, ranked: joined}


def fingerprint(y_true: Any) -> str:
    """The labels' fingerprint (as :func:`.metrics.data_fingerprint`), block by block in order.

    A hash is sequential, so the blocks are brought to this process one at a time: memory
    stays one block, but the labels do travel (1 byte per row for int8 labels).
    """
    fp = Fingerprint()
    for blk in y_true.to_delayed().ravel():
        fp.update(np.asarray(blk.compute()))
    return fp.hexdigest()
