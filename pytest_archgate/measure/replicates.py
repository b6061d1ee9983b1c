"""Replicates: judging a candidate over training seeds, data splits and repeated runs.

Every interval a metric producer computes describes one source of variance: which rows the test
set happened to contain. A model retrained with another seed, or an LLM answering the same
question again, gives another number, and a gate on one run flips between runs (Bouthillier et
al., "Accounting for Variance in Machine Learning Benchmarks", MLSys 2021). When a user declares
measurements as replicates (``archgate.evaluate(..., replicate="seed-3")``), the criterion is
judged on one combined estimate whose target is the candidate's *expected* performance over the
declared source of variation (seeds, splits, runs) on the population, with an interval that holds
both variances.

The model is a one-way random-effects model (e.g. Searle, Casella & McCulloch, "Variance
Components", Wiley 1992): replicate ``i`` measures ``mu + u_i + e_i`` with replicate effects
``u_i ~ (0, tau^2)`` and test-set error ``e_i`` of variance ``sigma_i^2`` (read from each
replicate's own interval). Two designs are told apart by the rows' fingerprints:

* **different rows** (every replicate on its own split): the replicate values are independent
  with variance ``tau^2 + sigma^2``, so the sample variance of the values already holds both, and
  the interval is Student's t with ``k - 1`` degrees of freedom on the values (``replicates-t``).
* **same rows, or rows unknown** (seeds or runs scored on one test set): the test-set error is
  shared and does not average out, ``Var(mean) = sigma^2 + tau^2 / k``. The interval adds the
  test-set half-width (normal quantile on the mean of the replicates' squared test-set standard
  errors) and the between-replicate half-width (t quantile with ``k - 1`` degrees of freedom on
  ``s^2 / k``, ``s`` the between-replicate SD) in quadrature, as MOVER does (Zou & Donner 2008,
  Stat Med 27:1693); Satterthwaite's (1946) plug-in degrees of freedom were measured to
  undercover at ``k = 3``. When the rows are unknown this formula is the safe one: on different rows
  it counts the test-set variance twice (wider), never zero times.

``k = 2`` gives an honest but wide interval (t with 1 degree of freedom: 6.31 at 95% one-sided):
the between-replicate variance is poorly estimated from two values, and the details say so.
``k = 1`` is not a group: it is judged as one measurement, labelled "test set only".

The simulation in ``tests/test_replicates.py`` (random effects ``N(0, tau^2)`` plus test-set
noise) measures the coverage of the one-sided 95% bound for ``k = 3, 5, 10``; adr/0010 records it.

For per-item pass/fail over repeated runs (:func:`pass_rate_estimates`) the items are the
independent units and runs of one item are correlated: the interval is Wilson's score interval
at the design-effect sample size ``n_eff = p(1 - p) / Var(p_hat)`` with the variance of the
item-level mean (Kish, "Survey Sampling", Wiley 1965; Korn & Graubard 1998, Survey Methodology
24:193, for the effective sample size in small-count intervals), never less than the number of
items. pass^k follows tau-bench (Yao et al., 2024): per item ``C(c_i, k) / C(n_runs, k)``, the
unbiased estimate of the chance that ``k`` runs all pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.distributions import t_ppf, z_value
from pytest_archgate.measure.estimate import Estimate, Measurement, level_key, short_repr

ReplicateMethod = Literal["replicates-t", "replicates-shared-rows", "single"]

#: Two-sided levels every combined estimate carries (contract: the standard set).
STANDARD_LEVELS = (0.8, 0.9, 0.95, 0.98, 0.99)

#: Bouthillier et al. (2021) read P(A > B) against this threshold of a meaningful improvement.
GAMMA = 0.75

#: Fewer items than this and a pass rate over repeated runs is refused (contract 1).
MIN_ITEMS = 10


# --------------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------------
# grouping


def split_replicates(
    measurements: Sequence[Measurement],
) -> tuple[list[list[Measurement]], list[Measurement]]:
    """Replicate groups (one per device, in first-seen order) and the measurements that are
    not replicates (judged by the worst-of rule).

    Two measurements of one group with the same replicate id are an error naming both tests:
    the same seed recorded twice would count one run as two. So are two of the same ``origin``
    (``Measurement.cache``): a value the evaluation cache restored is the run that measured it,
    never another replicate, whether beside that fresh run or beside another copy of it.
    """
    groups: dict[str, list[Measurement]] = {}
    singles: list[Measurement] = []
    for m in measurements:
        if m.replicate is None:
            singles.append(m)
            continue
        group = groups.setdefault(m.device, [])
        for other in group:
            origin = (m.cache or {}).get("origin")
            if origin is not None and (other.cache or {}).get("origin") == origin:
                # a cache hit is not an independent replicate (measure/cache.py, docs/cache.md)
                raise MeasurementError(
                    f"replicates {other.replicate!r} and {m.replicate!r} of {m.metric} "
                    f"[{m.option}] are one run: the evaluation cache restored the same measured "
                    f"value for both (by {other.nodeid or '?'} and {m.nodeid or '?'}); a cache "
                    "hit never counts as an independent replicate: give each replicate its own "
                    "dependencies (e.g. its seed in config=)",
                    field=m.metric,
                )
            if other.replicate == m.replicate:
                raise MeasurementError(
                    f"replicate {m.replicate!r} of {m.metric} [{m.option}] was recorded twice, "
                    f"by {other.nodeid or '?'} and {m.nodeid or '?'}; give every replicate its "
                    "own id",
                    field=m.metric,
                )
        group.append(m)
    return list(groups.values()), singles


def _ids_label(ids: Sequence[str]) -> str:
    """``seed-0..seed-4`` for consecutive numbered ids, else the ids (at most 4 shown)."""
    parsed = [re.fullmatch(r"(.*?)(\d+)", i) for i in ids]
    if len(ids) > 2 and all(parsed):
        prefixes = {p.group(1) for p in parsed if p}
        nums = sorted(int(p.group(2)) for p in parsed if p)
        if len(prefixes) == 1 and nums == list(range(nums[0], nums[0] + len(nums))):
            prefix = prefixes.pop()
            return f"{prefix}{nums[0]}..{prefix}{nums[-1]}"
    shown = ", ".join(ids[:4])
    return shown + (f", +{len(ids) - 4}" if len(ids) > 4 else "")


def variance_label(estimate: Estimate | None) -> str:
    """Which sources of variance an estimate's interval holds, for the report.

    ``"test set only"`` unless the estimate combines replicates (``details["replicates"]``) or
    repeated runs per item (``details["runs"]``): a reader then knows whether seed or run
    variance was measured at all.
    """
    if estimate is None:
        return "test set only"
    details = estimate.details
    reps = details.get("replicates")
    if isinstance(reps, Mapping):
        k = reps.get("k")
        ids = [str(i) for i in reps.get("ids") or []]
        if k == 1:
            return f"test set only (1 replicate, {_ids_label(ids)}: seed variance not measured)"
        if isinstance(reps.get("b"), Mapping):  # a vs difference of two groups
            kb = reps["b"].get("k")
            return f"test set + {k} vs {kb} replicates"
        return f"test set + {k} replicates ({_ids_label(ids)})"
    runs = details.get("runs")
    if isinstance(runs, Mapping):
        return f"items + {runs.get('runs')} repeated runs per item"
    return "test set only"


# --------------------------------------------------------------------------------------------
# combining one group


def _design(group: Sequence[Measurement]) -> Literal["different", "same", "unknown"]:
    fps = [m.fingerprint for m in group]
    if any(fp is None for fp in fps):
        return "unknown"
    if len(set(fps)) == len(fps):
        return "different"
    return "same"


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    k = len(values)
    mean = math.fsum(values) / k
    if k < 2:
        return mean, 0.0
    var = math.fsum((v - mean) ** 2 for v in values) / (k - 1)
    return mean, math.sqrt(var)


class _Components:
    """The pieces of the combined interval at one level.

    ``a_lo`` / ``a_hi``: the test-set variance of the mean on each side (known: its quantile is
    normal); ``b = s^2 / k``: the between-replicate variance of the mean, estimated with
    ``df = k - 1`` (Student's t). The half-width combines the two in quadrature,
    ``sqrt(z^2 a + t^2 b)``, as in MOVER (Zou & Donner 2008, Stat Med 27:1693): exact when
    either part vanishes and conservative between them, where Satterthwaite's plug-in degrees
    of freedom undercover at ``k = 3`` (measured: 0.935 for tau = 3 sigma).
    """

    def __init__(
        self, mean: float, a_lo: float, a_hi: float, b: float, df: float, method: ReplicateMethod
    ) -> None:
        self.mean, self.a_lo, self.a_hi, self.b, self.df, self.method = (
            mean,
            a_lo,
            a_hi,
            b,
            df,
            method,
        )

    def half_widths(self, level: float) -> tuple[float, float]:
        z = z_value(level)
        t = t_ppf(0.5 + level / 2.0, self.df)
        between = t * t * self.b
        return math.sqrt(z * z * self.a_lo + between), math.sqrt(z * z * self.a_hi + between)

    def interval(self, level: float) -> tuple[float, float]:
        lo, hi = self.half_widths(level)
        return self.mean - lo, self.mean + hi


def _test_se(estimate: Estimate, level: float) -> tuple[float, float] | None:
    """Test-set standard errors (below, above the value) read from the interval at ``level``,
    or when that level was not computed from the nearest computed one, each end divided by its
    own normal quantile (a 95% interval recorded with ``record(ci=...)`` serves every level)."""
    if not estimate.intervals:
        return None
    key = level_key(level)
    lv = key if key in estimate.intervals else min(estimate.intervals, key=lambda x: abs(x - key))
    lo, hi = estimate.intervals[lv]
    z = z_value(lv)
    v = estimate.value
    return max(v - lo, 0.0) / z, max(hi - v, 0.0) / z


def _components(
    group: Sequence[Measurement], level: float
) -> tuple[_Components | None, str | None]:
    """The combined interval's pieces at ``level``, or ``(None, why not)``."""
    values = [m.estimate.value for m in group]
    k = len(values)
    mean, sd = _mean_sd(values)
    between = sd * sd / k
    df = float(max(k - 1, 1))
    design = _design(group)
    ses = [_test_se(m.estimate, level) for m in group]
    has_intervals = all(se is not None for se in ses)
    if design == "different" or not has_intervals:
        if design == "same" or (design != "different" and any(m.estimate.intervals for m in group)):
            # on shared rows the values' spread misses the test-set variance: refuse, never
            # judge a t interval that holds only part of it
            return None, f"not every replicate has an interval at level {level:g}"
        return _Components(mean, 0.0, 0.0, between, df, "replicates-t"), None
    a_lo = math.fsum(se[0] ** 2 for se in ses if se is not None) / k
    a_hi = math.fsum(se[1] ** 2 for se in ses if se is not None) / k
    return _Components(mean, a_lo, a_hi, between, df, "replicates-shared-rows"), None


def _refusal(group: Sequence[Measurement]) -> str | None:
    for m in group:
        why = m.estimate.details.get("refused")
        if why:
            return f"replicate {m.replicate}: {why}"
    return None


def combine(group: Sequence[Measurement], levels: Sequence[float] = ()) -> Estimate:
    """One estimate of the expected metric over the replicates of ``group``.

    ``levels`` are the two-sided levels the criterion needs; the standard set is always added.
    A group of one is returned as that measurement, labelled as a single replicate.
    """
    values = [m.estimate.value for m in group]
    ids = [m.replicate or "" for m in group]
    k = len(group)
    mean, sd = _mean_sd(values)
    info: dict[str, Any] = {
        "k": k,
        "ids": ids,
        "values": values,
        "between_sd": sd if k > 1 else None,
        "method": "single",
    }
    if k == 1:
        only = group[0].estimate
        info["note"] = "one replicate is not a group: judged as one measurement"
        return Estimate(
            value=only.value,
            method=only.method,
            n=only.n,
            level=only.level,
            intervals=dict(only.intervals),
            details={**only.details, "replicates": info},
        )
    design = _design(group)
    info["rows"] = design
    if k == 2:
        info["note"] = (
            "2 replicates: the between-replicate variance is poorly estimated; the interval uses "
            "t with 1 degree of freedom (wide); record 3 or more"
        )
    ns = [m.estimate.n for m in group if m.estimate.n is not None]
    n = (sum(ns) if design == "different" else min(ns)) if len(ns) == k else None
    details: dict[str, Any] = {"replicates": info}
    refused = _refusal(group)
    if refused is not None:
        details["refused"] = refused
        details["min_info"] = {"replicates": k}
        return Estimate(value=mean, method="replicates", n=n, intervals={}, details=details)
    intervals: dict[float, tuple[float, float]] = {}
    why: str | None = None
    method: ReplicateMethod = "replicates-t"
    for lv in sorted({level_key(x) for x in (*levels, *STANDARD_LEVELS)}):
        comp, why_not = _components(group, lv)
        if comp is None:
            why = why_not
            continue
        intervals[lv] = comp.interval(lv)
        method = comp.method
    info["method"] = method
    info["df"] = max(k - 1, 1)
    if design == "unknown" and method == "replicates-t":
        info["note"] = (
            "no test-set interval was recorded: the interval holds the test-set variance only "
            "if every replicate was measured on its own rows"
        )
    if why is not None and not intervals:
        details["refused"] = why
        details["min_info"] = {"replicates": k}
    return Estimate(value=mean, method=method, n=n, intervals=intervals, details=details)


# --------------------------------------------------------------------------------------------
# vs: the difference of two groups


def _wilson(successes: float, n: float, level: float) -> tuple[float, float]:
    z = z_value(level)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def probability_of_outperforming(
    a: Sequence[float], b: Sequence[float], *, paired: bool, level: float = 0.95
) -> dict[str, Any]:
    """P(A > B): the chance that a replicate of A scores above a replicate of B.

    Bouthillier et al. (2021) recommend reporting it, read against 0.5 (is there any difference)
    and against ``gamma = 0.75`` (is the difference meaningful given the variance). Paired
    replicates (same ids): the share of pairs where A is higher (ties count half), a binomial
    proportion of ``k`` pairs with Wilson's interval. Unpaired: the Mann-Whitney share over all
    pairs, whose variance is at most ``p(1 - p) / min(k_a, k_b)`` (Birnbaum & Klose 1957, Ann.
    Math. Stat. 28:933), so Wilson's interval at that size is conservative.
    """
    if paired:
        pairs = zip(a, b, strict=True)
        wins = math.fsum(1.0 if x > y else 0.5 if x == y else 0.0 for x, y in pairs)
        p, n = wins / len(a), float(len(a))
    else:
        wins = math.fsum(1.0 if x > y else 0.5 if x == y else 0.0 for x in a for y in b)
        p, n = wins / (len(a) * len(b)), float(min(len(a), len(b)))
    lo, hi = _wilson(p * n, n, level)
    return {
        "value": p,
        "ci": [lo, hi],
        "level": level,
        "method": "wilson-paired" if paired else "wilson-mann-whitney",
        "paired": paired,
        "gamma": GAMMA,
        "reading": (
            "meaningful (P >= 0.75, lower bound > 0.5)"
            if lo > 0.5 and p >= GAMMA
            else "above 0.5"
            if lo > 0.5
            else "not distinguishable from 0.5"
            if hi >= 0.5
            else "below 0.5"
        ),
    }


def outperform_estimate(
    a: Sequence[float],
    b: Sequence[float],
    *,
    paired: bool,
    levels: Sequence[float] = (),
    level: float = 0.95,
) -> Estimate:
    """P(A > B) as a recordable :class:`Estimate`, with the intervals of
    :func:`probability_of_outperforming` at every level asked for plus the standard set."""
    info = probability_of_outperforming(a, b, paired=paired, level=level)
    p = float(info["value"])
    n = float(len(a) if paired else min(len(a), len(b)))
    intervals = {
        lv: _wilson(p * n, n, lv)
        for lv in sorted({level_key(x) for x in (*levels, level, *STANDARD_LEVELS)})
    }
    return Estimate(
        value=p,
        method=str(info["method"]),
        n=int(n),
        level=level_key(level),
        intervals=intervals,
        details={"p_outperform": info, "a": list(a), "b": list(b)},
    )


def difference(
    a: Sequence[Measurement],
    b: Sequence[Measurement],
    levels: Sequence[float],
    paired_one: Any,
) -> Estimate:
    """``mean(A) - mean(B)`` over two replicate groups, with P(A > B) in the details.

    When both groups carry the same replicate ids (the same seeds or splits), the replicates
    are paired: each id's difference is computed as one paired measurement (``paired_one(a_i,
    b_i)``: on the same rows when both kept predictions) and the differences are combined as a
    replicate group, so their between-replicate variance is that of the differences. Otherwise
    each side is combined on its own and the two half-widths add in quadrature (MOVER, Zou &
    Donner 2008).
    """
    ids_a = {m.replicate for m in a}
    ids_b = {m.replicate for m in b}
    all_levels = sorted({level_key(x) for x in (*levels, *STANDARD_LEVELS)})
    if ids_a == ids_b and len(a) > 1:
        by_id = {m.replicate: m for m in b}
        diffs = []
        for m in a:
            other = by_id[m.replicate]
            est = paired_one(m, other)
            diffs.append(
                Measurement(
                    adr=m.adr,
                    option=m.option,
                    metric=m.metric,
                    estimate=est,
                    nodeid=m.nodeid,
                    device=m.device,
                    fingerprint=m.fingerprint,
                    replicate=m.replicate,
                )
            )
        out = combine(diffs, all_levels)
        p = probability_of_outperforming(
            [m.estimate.value for m in a],
            [by_id[m.replicate].estimate.value for m in a],
            paired=True,
        )
        info = dict(out.details.get("replicates") or {})
        info["paired"] = True
        info["b"] = {"k": len(b), "ids": [m.replicate for m in b]}
        return Estimate(
            value=out.value,
            method=f"paired-{out.method}",
            n=out.n,
            intervals=dict(out.intervals),
            details={**out.details, "replicates": info, "p_outperform": p},
        )
    ea, eb = combine(a, all_levels), combine(b, all_levels)
    value = ea.value - eb.value
    intervals: dict[float, tuple[float, float]] = {}
    for lv in all_levels:
        ca, _ = _components(a, lv) if len(a) > 1 else (None, None)
        cb, _ = _components(b, lv) if len(b) > 1 else (None, None)
        if ca is None or cb is None:
            continue
        # MOVER (Zou & Donner 2008): each side's half-widths combined in quadrature
        a_lo, a_hi = ca.half_widths(lv)
        b_lo, b_hi = cb.half_widths(lv)
        intervals[lv] = (value - math.hypot(a_lo, b_hi), value + math.hypot(a_hi, b_lo))
    details: dict[str, Any] = {
        "replicates": {
            "k": len(a),
            "ids": [m.replicate for m in a],
            "values": [m.estimate.value for m in a],
            "between_sd": (ea.details.get("replicates") or {}).get("between_sd"),
            "method": "mover",
            "paired": False,
            "b": {
                "k": len(b),
                "ids": [m.replicate for m in b],
                "values": [m.estimate.value for m in b],
                "between_sd": (eb.details.get("replicates") or {}).get("between_sd"),
            },
        },
        "p_outperform": probability_of_outperforming(
            [m.estimate.value for m in a], [m.estimate.value for m in b], paired=False
        ),
    }
    for side in (ea, eb):
        if side.details.get("refused"):
            details["refused"] = side.details["refused"]
            details["min_info"] = side.details.get("min_info", {})
            intervals = {}
    return Estimate(
        value=value, method="replicates-mover", n=None, intervals=intervals, details=details
    )


def as_measurement(group: Sequence[Measurement], estimate: Estimate) -> Measurement:
    """A combined group as one measurement (to compare it with a reference that is not a
    replicate group); it keeps the rows' fingerprint only when all replicates share it."""
    first = group[0]
    fps = {m.fingerprint for m in group}
    return Measurement(
        adr=first.adr,
        option=first.option,
        metric=first.metric,
        estimate=estimate,
        nodeid=first.nodeid,
        device=first.device,
        fingerprint=fps.pop() if len(fps) == 1 else None,
        predictions=first.predictions if len(group) == 1 else None,
        replicate=first.replicate if len(group) == 1 else None,
    )


# --------------------------------------------------------------------------------------------
# pass rates over repeated runs


def check_passes(passes: object, field: str) -> Any:
    """A 2-D bool array (items x runs) from ``passes``, or a one-line MeasurementError."""
    import numpy as np

    if isinstance(passes, str | bytes | Mapping):
        raise MeasurementError(
            f"passes must be a 2-D array of bools (items x runs), got {short_repr(passes)}",
            field=field,
        )
    try:
        arr = np.asarray(passes)
    except ValueError:
        raise MeasurementError(
            "passes is ragged: every item needs the same number of runs", field=field
        ) from None
    if arr.dtype == object:
        raise MeasurementError(
            "passes is ragged or not made of bools: every item needs the same number of runs "
            "of True/False",
            field=field,
        )
    if arr.ndim != 2:
        raise MeasurementError(
            f"passes must be 2-D (items x runs), got {arr.ndim} dimension(s) of shape {arr.shape}",
            field=field,
        )
    if arr.size == 0:
        raise MeasurementError(
            f"passes is empty (shape {arr.shape}): nothing to judge", field=field
        )
    if arr.dtype != np.bool_:
        raise MeasurementError(
            f"passes must hold bools (True = the run passed), got dtype {arr.dtype}", field=field
        )
    return arr


def _comb(n: int, k: int) -> float:
    return float(math.comb(n, k))


def pass_at_all_k(counts: Any, runs: int, k: int) -> Any:
    """Per item, the unbiased estimate ``C(c_i, k) / C(runs, k)`` that ``k`` runs drawn
    without replacement all pass (tau-bench's pass^k, Yao et al. 2024)."""
    import numpy as np

    total = _comb(runs, k)
    return np.array([_comb(int(c), k) / total for c in counts], dtype=np.float64)


def item_mean_estimate(
    per_item: Any, *, runs: int, k: int, levels: Sequence[float], level: float, seed: int
) -> Estimate:
    """The mean of per-item values in [0, 1] with a design-effect Wilson interval.

    ``n_eff = p(1 - p) / (s^2 / n)`` from the item-level variance ``s^2``, clipped to
    ``[n, n * (runs // k)]`` (items fully correlated at one end, all independent ``k``-run
    draws at the other); at ``p`` of 0 or 1 it is ``n``, the conservative end.
    """
    import numpy as np

    n = int(per_item.size)
    p = float(np.mean(per_item))
    var = float(np.var(per_item, ddof=1)) / n if n > 1 else 0.0
    cap = float(n * max(1, runs // k))
    if 0.0 < p < 1.0 and var > 0.0:
        n_eff = min(max(p * (1.0 - p) / var, float(n)), cap)
    elif 0.0 < p < 1.0:
        n_eff = cap
    else:
        n_eff = float(n)
    details: dict[str, Any] = {
        "runs": {"items": n, "runs": runs, "k": k, "n_eff": n_eff, "seed": seed},
    }
    if n < MIN_ITEMS:
        details["refused"] = (
            f"{n} items: too few to judge a pass rate over repeated runs (needs >= {MIN_ITEMS})"
        )
        details["min_info"] = {"items": n, "runs": runs}
        return Estimate(value=p, method="design-effect-wilson", n=n, level=level, details=details)
    from statistics import NormalDist  # on use: see distributions._std_normal

    intervals = {}
    for lv in sorted({level_key(x) for x in (*levels, level, *STANDARD_LEVELS)}):
        # Korn & Graubard's degrees-of-freedom correction: the variance is estimated from n
        # items, so the effective size shrinks by (z / t_{n-1})^2
        q = 0.5 + lv / 2.0
        shrink = (NormalDist().inv_cdf(q) / t_ppf(q, n - 1)) ** 2
        intervals[lv] = _wilson(p * n_eff * shrink, n_eff * shrink, lv)
    return Estimate(
        value=p,
        method="design-effect-wilson",
        n=n,
        level=level,
        intervals=intervals,
        details=details,
    )


# --------------------------------------------------------------------------------------------
# what verdicts.judge_criterion calls


def estimates_of(measurements: Sequence[Measurement], levels: Sequence[float]) -> list[Estimate]:
    """The estimates a criterion judges, worst-of among them: one combined estimate per
    replicate group and each measurement that is not a replicate as it is."""
    groups, singles = split_replicates(measurements)
    return [combine(g, levels) for g in groups] + [m.estimate for m in singles]


def _units(measurements: Sequence[Measurement]) -> list[list[Measurement]]:
    groups, singles = split_replicates(measurements)
    return groups + [[m] for m in singles]


def _side_info(unit: Sequence[Measurement], est: Estimate) -> dict[str, Any]:
    info = est.details.get("replicates")
    if isinstance(info, Mapping):
        return dict(info)
    return {"k": 1, "ids": [], "values": [est.value], "between_sd": None, "method": "single"}


def vs_estimates(
    cands: Sequence[Measurement],
    refs: Sequence[Measurement],
    levels: Sequence[float],
    paired_one: Any,
) -> list[tuple[Estimate, list[str]]]:
    """Every (candidate unit, reference unit) difference, where a unit is a replicate group
    or one measurement that is not a replicate; the caller judges the worst."""
    out: list[tuple[Estimate, list[str]]] = []
    for ua in _units(cands):
        for ub in _units(refs):
            tests = sorted({m.nodeid for m in (*ua, *ub)})
            if len(ua) > 1 and len(ub) > 1:
                out.append((difference(ua, ub, levels, paired_one), tests))
                continue
            ea = combine(ua, levels) if ua[0].replicate is not None else ua[0].estimate
            eb = combine(ub, levels) if ub[0].replicate is not None else ub[0].estimate
            est = paired_one(as_measurement(ua, ea), as_measurement(ub, eb))
            if ua[0].replicate is not None or ub[0].replicate is not None:
                info = _side_info(ua, ea)
                info["b"] = _side_info(ub, eb)
                refused = ea.details.get("refused") or eb.details.get("refused")
                extra: dict[str, Any] = {"replicates": info}
                if refused:
                    extra["refused"] = refused
                est = Estimate(
                    value=est.value,
                    method=est.method,
                    n=est.n,
                    level=est.level,
                    intervals={} if refused else dict(est.intervals),
                    details={**est.details, **extra},
                )
            out.append((est, tests))
    return out


def variance_line(results: Sequence[Mapping[str, Any]]) -> str | None:
    """One line for the renderers: which variance the judged intervals hold.

    ``results`` are criterion results as in the JSON report (``name``, ``option``,
    ``variance``); only measured ones count. None when nothing was measured.
    """
    measured = [r for r in results if r.get("value") is not None]
    if not measured:
        return None
    only = "test set only (seed variance not measured)"
    shown = [
        f"{r.get('name')}{f' [{o}]' if (o := r.get('option')) else ''}: {r.get('variance')}"
        + _outperform_text(r)
        for r in measured
        if r.get("variance") not in (None, "test set only")
    ]
    if not shown:
        return f"variance: {only}"
    rest = len(shown) < len(measured)
    return "variance: " + "; ".join(shown) + (f"; others: {only}" if rest else "")


def _outperform_text(result: Mapping[str, Any]) -> str:
    """``, P(mlp > xgb) = 0.8 [0.38, 0.96]`` for a ``vs`` result over replicates."""
    est = result.get("estimate")
    details = est.get("details") if isinstance(est, Mapping) else None
    p = details.get("p_outperform") if isinstance(details, Mapping) else None
    if not isinstance(p, Mapping) or not isinstance(p.get("ci"), list):
        return ""
    lo, hi = p["ci"]
    return (
        f", P({result.get('option')} > {result.get('vs')}) = {p.get('value'):.3g} "
        f"[{lo:.3g}, {hi:.3g}] ({p.get('reading')})"
    )
