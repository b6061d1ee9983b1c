"""Base-branch comparisons: a criterion ``vs: "@base"`` judged against the base branch's report.

A criterion such as ``{metric: roc_auc, vs: "@base", min: -0.01, confidence: 0.95}`` says "the
pull request's ``roc_auc`` is no worse than the base branch's by more than 0.01, with confidence
0.95" (non-inferiority). It is judged like every ``vs`` criterion, on ``metric(PR) -
metric(base)`` and the one-sided bound of its interval at ``2c - 1`` two-sided, with the
measurements of the same ADR, option, metric and device in the base report as the reference:

* paired (paired DeLong, paired Newcombe, the paired bootstraps of ``measure/``) when both
  sides were evaluated on the same rows (equal data fingerprints) and both sides' per-row
  predictions are at hand (the base side's from the report's rows folder, see
  ``report/baseline.py``); unpaired (normal approximation from each side's interval) otherwise.
  The test used is named in the result (:class:`BaseComparison`).
* A baseline that cannot be trusted is never used: a base report older than the configured
  maximum age, measured on other rows (another data fingerprint), or written when the ADR's
  criteria were different makes the criterion ``unmeasured`` with the reason, never ``pass``.
  A base report from another commit than the PR's merge base is used and flagged.

This module knows nothing of files: the report layer turns a base report into a
:class:`Baseline`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_archgate.adr.criteria import BASE_VS, Criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.measure.estimate import Estimate, Measurement, level_key
from pytest_archgate.record import replace

__all__ = [
    "BASE_VS",
    "BaseComparison",
    "Baseline",
    "Recorder",
    "comparison_info",
    "mover_difference",
    "named_test",
    "references",
]

# what each paired or unpaired method is called where a reader sees it
_TESTS: dict[str, str] = {
    "paired-mover-score-logit-delong": "paired DeLong",
    "paired-newcombe": "paired Newcombe",
    "paired-multinomial-bootstrap": "paired bootstrap",
    "paired-bootstrap": "paired bootstrap",
    "paired-stratified-bootstrap": "paired bootstrap",
    "paired-clt": "paired CLT",
    "paired-delta": "paired delta method",
    "unpaired-mover": "unpaired MOVER (Newcombe / Zou-Donner)",
    "unpaired-normal": "unpaired normal",
    "difference": "difference without interval",
}


def named_test(method: str | None) -> str:
    """The name of the test behind a difference's interval (``paired DeLong``...)."""
    if method is None:
        return "none"
    if method in _TESTS:
        return _TESTS[method]
    return f"paired ({method})" if method.startswith("paired-") else method


@dataclass(frozen=True)
class Baseline:
    """The base branch's report, as much of it as judging needs.

    ``stale`` holds report-wide reasons the baseline must not be used (too old); ``flags``
    report-wide warnings shown beside every comparison (not the merge base). ``adrs`` are the
    ADRs as the base report defined them (for the "criteria changed" check).
    """

    file: str
    commit: str | None = None
    generated_at: str | None = None
    measurements: tuple[Measurement, ...] = ()
    adrs: Mapping[str, Adr] = field(default_factory=dict)
    stale: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    paired_rows: bool = False  # the base report came with per-row predictions


def _shape(c: Criterion) -> Criterion:
    return replace(c, line=None)


def definition_change(adr: Adr, base: Baseline) -> str | None:
    """Why the base report's definition of ``adr`` is not the PR's (None when it is)."""
    old = base.adrs.get(adr.id)
    if old is None:
        return f"the base report has no definition of {adr.id}"
    now = [_shape(c) for c in (*adr.acceptance, *adr.constraints)]
    then = [_shape(c) for c in (*old.acceptance, *old.constraints)]
    if now != then:
        return f"{adr.id}'s criteria changed since the base report was written"
    return None


@dataclass
class BaseComparison:
    """What a reader needs beside the verdict of a ``vs @base`` criterion."""

    file: str
    commit: str | None
    generated_at: str | None
    stale: list[str]
    flags: list[str]
    base_value: float | None = None
    pr_value: float | None = None
    test: str | None = None
    paired: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "commit": self.commit,
            "generated_at": self.generated_at,
            "base_value": self.base_value,
            "pr_value": self.pr_value,
            "test": self.test,
            "paired": self.paired,
            "stale": list(self.stale),
            "flags": list(self.flags),
        }


def references(
    c: Criterion,
    option: str | None,
    cands: Sequence[Measurement],
    adr: Adr | None,
    base: Baseline | None,
) -> tuple[list[Measurement], BaseComparison | None, str | None]:
    """The base measurements ``cands`` are compared with, the comparison's record, and why it
    cannot be made (``None`` when it can): no base report, a stale one, other rows."""
    if base is None:
        return [], None, "no base report was given (--archgate-base-report)"
    info = BaseComparison(
        file=base.file,
        commit=base.commit,
        generated_at=base.generated_at,
        stale=list(base.stale),
        flags=list(base.flags),
    )
    if adr is not None and (why := definition_change(adr, base)) is not None:
        info.stale.append(why)
    refs = [
        m
        for m in base.measurements
        if (adr is None or m.adr == adr.id)
        and m.option == option
        and m.metric == c.metric
        and (c.device is None or m.device == c.device)
    ]
    mine = {m.fingerprint for m in cands if m.fingerprint}
    theirs = {m.fingerprint for m in refs if m.fingerprint}
    if mine and theirs and not mine & theirs:
        info.stale.append(
            "measured on other data (data fingerprint "
            f"{', '.join(sorted(theirs))} in the base report, {', '.join(sorted(mine))} here)"
        )
    elif refs and not (mine and theirs):
        info.flags.append("data fingerprint unknown on one side: compared unpaired")
    if info.stale:
        return [], info, "stale baseline: " + "; ".join(info.stale)
    if not refs:
        return [], info, f"the base report has no measurement of {c.metric} for {option}"
    if mine and theirs:  # only the rows both sides share
        refs = [m for m in refs if m.fingerprint in mine]
    return refs, info, None


def mover_difference(a: Estimate, b: Estimate, levels: Sequence[float]) -> Estimate | None:
    """``a - b`` for two independent estimates by MOVER (Zou & Donner 2008), at each level of
    ``levels`` both sides computed; None when they share none.

    Each end combines the distances from each point value to the relevant end of its own
    interval: ``low = d - sqrt((a - l_a)^2 + (u_b - b)^2)``, ``high = d + sqrt((u_a - a)^2 +
    (b - l_b)^2)``. It keeps the asymmetry of skewed intervals (a proportion or an AUC near 1)
    and, from two Wilson intervals, is Newcombe's (1998) method 10 for the difference of
    independent proportions. On the same rows without per-row predictions, the two estimates
    are positively correlated in practice, which makes this interval wider than a paired one:
    conservative for a non-inferiority bound.
    """
    d = a.value - b.value
    intervals: dict[float, tuple[float, float]] = {}
    for level in levels:
        key = level_key(level)
        ia, ib = a.intervals.get(key), b.intervals.get(key)
        if ia is None or ib is None:
            continue
        low = d - math.hypot(a.value - ia[0], ib[1] - b.value)
        high = d + math.hypot(ia[1] - a.value, b.value - ib[0])
        intervals[key] = (low, high)
    if not intervals:
        return None
    n = min(x for x in (a.n, b.n) if x is not None) if a.n is not None and b.n is not None else None
    return Estimate(
        value=d,
        method="unpaired-mover",
        n=n,
        intervals=intervals,
        details={"a": a.value, "b": b.value},
    )


class Recorder:
    """The ``paired`` function of a base comparison, remembering which sides gave each
    difference: paired on the rows when ``paired`` can (both sides' predictions at hand),
    else MOVER at every level both sides computed, else ``paired``'s own unpaired fallback."""

    def __init__(self, paired: Any) -> None:
        self.paired = paired
        self.sides: list[tuple[Estimate, Measurement, Measurement]] = []

    def __call__(
        self, c: Criterion, a: Measurement, b: Measurement, levels: Sequence[float]
    ) -> Estimate:
        est: Estimate | None = None
        if not (a.predictions and b.predictions):
            est = mover_difference(a.estimate, b.estimate, levels)
        if est is None:
            est = self.paired(c, a, b, levels)
        assert est is not None
        self.sides.append((est, a, b))
        return est


def comparison_info(info: BaseComparison, est: Estimate | None, rec: Recorder) -> BaseComparison:
    """``info`` completed with the two sides' values and the test of the judged difference."""
    if est is None:
        return info
    info.test = named_test(est.method)
    info.paired = bool(est.method and est.method.startswith("paired-"))
    for judged, a, b in rec.sides:
        if judged is est or (
            judged.value == est.value and judged.method == est.method
        ):  # replicates rebuild the estimate around the same difference
            info.pr_value, info.base_value = a.estimate.value, b.estimate.value
            break
    return info
