"""Verdicts: judging an ADR's criteria against the measurements of a session.

This module is pure: it takes parsed ADRs and :class:`~pytest_archgate.measure.estimate.Measurement`
objects and returns results; the plugin, ``archgate merge`` and the reports all call it, so a
merged report is judged exactly like a live run.

Rules (see the README's "Verdicts" section):

* A criterion is judged per option. In an ADR with a ``decision`` the decision option is always
  judged (``unmeasured`` when nothing measured it) and is the only one that can fail the run;
  other measured options are judged for comparison. Without a decision every measured option
  is judged.
* When several measurements of the same criterion and option exist, the worst decides: a
  failing one before one that cannot be judged, that before a passing one, and among equals
  the one whose judged quantity (with ``confidence``: the one-sided bound, not the point value)
  is furthest on the wrong side of the limit (see :meth:`Criterion.severity`).
* Measurements that name a replicate (seed, split, repeated run) are judged together as one
  estimate over the replicates (:mod:`~.replicates`); the worst-of rule applies
  between that estimate and measurements that are not replicates.
* ``vs`` criteria judge ``metric(option) - metric(vs)``: paired on the same rows when both sides
  kept per-row predictions, otherwise from the two estimates (unpaired).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pytest_archgate import escape
from pytest_archgate.adr.criteria import BASE_VS, Criterion, Verdict
from pytest_archgate.adr.model import Adr
from pytest_archgate.errors import ArchgateError, MeasurementError
from pytest_archgate.measure import replicates
from pytest_archgate.measure.distributions import z_value
from pytest_archgate.measure.estimate import Estimate, Measurement, level_key, levels_for
from pytest_archgate.record import replace
from pytest_archgate.verdict import baseline as base_branch

AdrVerdict = Literal["pass", "fail", "unmeasured", "none"]
Role = Literal["decision", "comparison", "candidate"]

PairedFn = Callable[[Criterion, Measurement, Measurement, Sequence[float]], Estimate]


@dataclass
class CriterionResult:
    """The verdict of one criterion for one option."""

    criterion: Criterion
    option: str | None
    verdict: Verdict
    role: Role
    enforced: bool = False
    estimate: Estimate | None = None
    reason: str | None = None
    tests: list[str] = field(default_factory=list)
    error: str | None = None  # a measurement problem (e.g. mismatched rows) that fails the run
    # family-wise adjustment (family.py): "holm" and the one-sided level the bound was judged at
    family: str | None = None
    adjusted_confidence: float | None = None
    # a ``vs @base`` criterion: the base report, both sides' values, the test, staleness
    base: base_branch.BaseComparison | None = None

    @property
    def value(self) -> float | None:
        return self.estimate.value if self.estimate is not None else None

    @property
    def bound(self) -> str:
        """The criterion's bound, with its Holm level beside the confidence when adjusted:
        ``>= 0.9 (conf. 0.95, Holm 0.995)``."""
        text = self.criterion.bound
        if self.family == "holm" and self.adjusted_confidence is not None:
            from pytest_archgate.verdict.family import fmt_level

            holm = f", Holm {fmt_level(self.adjusted_confidence)})"
            text = re.sub(r"(\(conf\. [^)]*)\)", lambda m: m.group(1) + holm, text, count=1)
        return text

    def message(self, adr: Adr) -> str:
        """``ADR-0002 roc_auc = 0.874 violates >= 0.9 (adr/0002-x.md)``.

        One line of plain text, safe to print at the start of a line (pytest shows failure
        messages that way): see :func:`pytest_archgate.escape.line`.
        """
        return escape.line(self._message(adr))

    def _message(self, adr: Adr) -> str:
        c = self.criterion
        opt = f" [{self.option}]" if self.option else ""
        if self.estimate is None:
            what = f"{c.name}{opt} is unmeasured"
            if self.reason:
                what += f" ({self.reason})"
            return f"{adr.id} {what}: needs {self.bound} ({adr.file})"
        ci = self.estimate.ci
        # with confidence the reason shows the judged bound and the interval it is an end of;
        # the reporting interval (e.g. 95% two-sided) next to it would suggest it was judged
        judged_bound = c.confidence is not None and self.reason is not None
        ci_text = f" [{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci is not None and not judged_bound else ""
        verb = {"fail": "violates", "pass": "meets", "unmeasured": "cannot be judged against"}[
            self.verdict
        ]
        metric = c.name if c.metric == c.name else f"{c.name} ({c.metric})"
        show_reason = self.verdict == "unmeasured" or c.confidence is not None
        extra = f": {self.reason}" if self.reason and show_reason else ""
        return (
            f"{adr.id} {metric}{opt} = {_fmt(self.estimate.value)}{ci_text} {verb} "
            f"{self.bound}{extra} ({adr.file}" + (f":{c.line}" if c.line else "") + ")"
        )

    def to_json(self) -> dict[str, Any]:
        est = self.estimate
        return {
            "name": self.criterion.name,
            "metric": self.criterion.metric,
            "kind": self.criterion.kind,
            "option": self.option,
            "role": self.role,
            "enforced": self.enforced,
            "bound": self.bound,
            "min": self.criterion.min,
            "max": self.criterion.max,
            "vs": self.criterion.vs,
            "confidence": self.criterion.confidence,
            **(
                {"family": self.family, "adjusted_confidence": self.adjusted_confidence}
                if self.family is not None
                else {}
            ),
            **({"base": self.base.to_json()} if self.base is not None else {}),
            "device": self.criterion.device,
            "line": self.criterion.line,
            "value": est.value if est is not None else None,
            "ci": list(est.ci) if est is not None and est.ci is not None else None,
            "method": est.method if est is not None else None,
            "n": est.n if est is not None else None,
            "estimate": est.to_json() if est is not None else None,
            "verdict": self.verdict,
            "reason": self.reason,
            "error": self.error,
            "tests": sorted(self.tests),
            "variance": replicates.variance_label(est),
        }


@dataclass
class AdrResult:
    """The verdict of one ADR."""

    adr: Adr
    verdict: AdrVerdict
    enforced: bool
    needs_review: bool
    tests: list[str]
    criteria: list[CriterionResult]
    constraints: list[CriterionResult]
    options: list[str | None] = field(default_factory=list)

    @property
    def failing(self) -> list[CriterionResult]:
        """Criterion results that decide a ``fail`` verdict (the gate's reasons)."""
        if self.adr.decision is not None:
            return [r for r in self.criteria if r.role == "decision" and r.verdict == "fail"]
        if self.verdict != "fail":
            return []
        return [r for r in self.criteria if r.verdict == "fail"]

    @property
    def unmeasured(self) -> list[CriterionResult]:
        """Criteria the gate could not judge.

        With a decision: those of the decision option. Without one: criteria that no option
        measured (an option that skipped a criterion is shown in the comparison instead).
        """
        everything = self.criteria + self.constraints
        if self.adr.decision is not None:
            return [r for r in everything if r.verdict == "unmeasured" and r.role == "decision"]
        judged = {id(r.criterion) for r in everything if r.verdict != "unmeasured"}
        seen: set[int] = set()
        out = []
        for r in everything:
            if id(r.criterion) not in judged and id(r.criterion) not in seen:
                seen.add(id(r.criterion))
                out.append(r)
        return out

    @property
    def violated_constraints(self) -> list[CriterionResult]:
        return [r for r in self.constraints if r.verdict == "fail" and r.role != "comparison"]


def _fmt(x: float) -> str:
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def _matches(m: Measurement, c: Criterion, option: str | None, metric: str) -> bool:
    return m.metric == metric and m.option == option and (c.device is None or m.device == c.device)


def unpaired_difference(
    criterion: Criterion, a: Measurement, b: Measurement, levels: Sequence[float]
) -> Estimate:
    """``a - b`` from two independent estimates (normal approximation of each interval).

    The difference gets an interval at each level of ``levels`` that both sides computed (else
    at the levels both recorded, else at ``a``'s with ``b``'s derived); a criterion level
    missing from the result is then derived by :meth:`Estimate.bound`, and its reason says so.
    """
    value = a.estimate.value - b.estimate.value
    intervals: dict[float, tuple[float, float]] = {}
    have_a, have_b = set(a.estimate.intervals), set(b.estimate.intervals)
    wanted = [lv for lv in levels if level_key(lv) in have_a and level_key(lv) in have_b]
    if not wanted:
        wanted = sorted(have_a & have_b) or sorted(have_a)
    for level in wanted:
        ia, ib = a.estimate.interval(level), b.estimate.interval(level)
        if ia is None or ib is None:
            continue
        z = z_value(level)
        se = math.hypot((ia[1] - ia[0]) / (2 * z), (ib[1] - ib[0]) / (2 * z))
        intervals[level_key(level)] = (value - z * se, value + z * se)
    return Estimate(
        value=value,
        method="unpaired-normal" if intervals else "difference",
        n=min(x for x in (a.estimate.n, b.estimate.n) if x is not None)
        if a.estimate.n is not None and b.estimate.n is not None
        else None,
        intervals=intervals,
        details={"a": a.estimate.value, "b": b.estimate.value},
    )


def default_paired(
    criterion: Criterion, a: Measurement, b: Measurement, levels: Sequence[float]
) -> Estimate:
    """Paired difference on the same rows when both sides kept predictions, else unpaired."""
    if a.fingerprint and b.fingerprint and a.fingerprint != b.fingerprint:
        raise MeasurementError(
            f"cannot compare {a.option!r} with {b.option!r}: they were measured on different "
            f"rows (y_true fingerprints {a.fingerprint} in {a.nodeid} and {b.fingerprint} in "
            f"{b.nodeid}); evaluate both options on the same test set",
            field=criterion.name,
        )
    if (
        a.predictions
        and b.predictions
        and Path(a.predictions).is_file()
        and Path(b.predictions).is_file()
    ):
        import numpy as np

        from pytest_archgate.measure.metrics import compare

        with np.load(a.predictions) as fa, np.load(b.predictions) as fb:
            y_a, s_a, y_b, s_b = fa["y_true"], fa["y_score"], fb["y_true"], fb["y_score"]
            opts_a = {k: float(fa[k]) for k in ("threshold",) if k in fa}
            names = fa["metric_names"] if "metric_names" in fa.files else []
            # "recorded=metric": a recorded name may hold "=", a metric name never does
            aliases = dict(str(x).rsplit("=", 1) for x in names)
        if len(y_a) != len(y_b) or not np.array_equal(y_a, y_b):
            raise MeasurementError(
                f"cannot compare {a.option!r} with {b.option!r}: their y_true differ "
                f"({len(y_a)} vs {len(y_b)} rows)",
                field=criterion.name,
            )
        level = min(levels, key=lambda lv: abs(lv - 0.95)) if levels else 0.95
        return compare(
            y_a,
            s_a,
            s_b,
            aliases.get(criterion.metric, criterion.metric),
            threshold=opts_a.get("threshold", 0.5),
            level=level,
            levels=tuple(levels),
        )
    return unpaired_difference(criterion, a, b, levels)


def _criterion_levels(c: Criterion) -> tuple[float, ...]:
    return levels_for([c.confidence] if c.confidence is not None else [])


def judge_criterion(
    c: Criterion,
    option: str | None,
    measurements: Sequence[Measurement],
    *,
    role: Role,
    enforced: bool,
    paired: PairedFn = default_paired,
    confidence: float | None = None,
    adr: Adr | None = None,
    base: base_branch.Baseline | None = None,
) -> CriterionResult:
    """Judge one criterion for one option; the worst of several measurements decides.

    Measurements that name a replicate are first combined, per device, into one estimate over
    the replicates (:func:`~.replicates.estimates_of`); that estimate then takes
    part in the worst-of rule like one measurement.

    "Worst" is by :meth:`Criterion.severity`: the verdict first (fail, then unmeasured, then
    pass), then the judged quantity (lowest one-sided lower bound for a ``min`` with
    ``confidence``, highest upper bound for a ``max``), never the point value alone.
    ``confidence`` judges a confidence criterion at another one-sided level (Holm's, see
    family.py); the result still names the criterion as written. A ``vs: "@base"`` criterion
    takes its reference from ``base``, the base branch's report (see baseline.py).
    """
    result = CriterionResult(
        criterion=c, option=option, verdict="unmeasured", role=role, enforced=enforced
    )
    if confidence is not None and c.confidence is not None:
        c = replace(c, confidence=confidence)
    if c.vs is not None:
        cands = [m for m in measurements if _matches(m, c, option, c.metric)]
        refs = [m for m in measurements if _matches(m, c, c.vs, c.metric)]
        if c.vs == BASE_VS and cands:
            refs, result.base, why = base_branch.references(c, option, cands, adr, base)
            if why is not None:
                result.reason = why
                result.tests = sorted({m.nodeid for m in cands})
                return result
            paired = recorder = base_branch.Recorder(paired)
        else:
            recorder = None
        if not cands:
            result.reason = f"no measurement of {c.metric} for {option or 'this option'}"
            return result
        if not refs:
            result.reason = f"no measurement of {c.metric} for {c.vs} (the vs reference)"
            result.tests = sorted({m.nodeid for m in cands})
            return result
        pairs: list[tuple[Estimate, list[str]]] = []
        if any(m.replicate is not None for m in (*cands, *refs)):
            levels = _criterion_levels(c)
            try:
                pairs = replicates.vs_estimates(
                    cands, refs, levels, lambda a, b: paired(c, a, b, levels)
                )
            except ArchgateError as exc:
                result.reason = result.error = exc.message
                result.tests = sorted({m.nodeid for m in (*cands, *refs)})
                return result
        for a in cands if not pairs else ():
            same_rows = [b for b in refs if a.fingerprint and b.fingerprint == a.fingerprint]
            for b in same_rows or refs:
                try:
                    est = paired(c, a, b, _criterion_levels(c))
                except ArchgateError as exc:
                    # refuse this comparison clearly, keep judging everything else
                    result.reason = result.error = exc.message
                    result.tests = sorted({a.nodeid, b.nodeid})
                    return result
                pairs.append((est, [a.nodeid, b.nodeid]))
        est, _tests = max(pairs, key=lambda p: c.severity(p[0]))
        result.estimate = est
        if result.base is not None and recorder is not None:
            result.base = base_branch.comparison_info(result.base, est, recorder)
        result.tests = sorted({m.nodeid for m in cands} | {m.nodeid for m in refs})
    else:
        cands = [m for m in measurements if _matches(m, c, option, c.metric)]
        if not cands:
            dev = f" on {c.device}" if c.device else ""
            result.reason = f"no measurement of {c.metric}{dev}"
            return result
        result.tests = sorted({m.nodeid for m in cands})
        try:  # replicates are judged together, other measurements worst-of
            estimates = replicates.estimates_of(cands, _criterion_levels(c))
        except ArchgateError as exc:
            result.reason = result.error = exc.message
            return result
        result.estimate = max(estimates, key=c.severity)
    result.verdict, result.reason = c.judge(result.estimate)
    return result


def judge_adr(
    adr: Adr,
    measurements: Iterable[Measurement],
    tests: Iterable[str] = (),
    *,
    paired: PairedFn = default_paired,
    family: str | None = None,
    base: base_branch.Baseline | None = None,
) -> AdrResult:
    """Judge every criterion of ``adr`` against ``measurements`` (already filtered or not).

    ``family="holm"`` (or ``family: holm`` in the ADR) judges each option's confidence
    criteria with Holm's step-down, so that every one reported as met holds simultaneously at
    the family's level (see family.py).
    """
    ms = [m for m in measurements if m.adr == adr.id]
    from pytest_archgate.verdict.family import effective_family

    holm = effective_family(adr.family, family) == "holm"
    if holm:
        paired = _all_levels_paired(adr, paired)
    measured_options = list(dict.fromkeys(m.option for m in ms))
    enforced = adr.status == "accepted"

    options: list[str | None]
    if adr.decision is not None:
        others = [o for o in (*adr.options, *measured_options) if o != adr.decision]
        options = [adr.decision, *[o for o in dict.fromkeys(others) if o in measured_options]]
    elif measured_options:
        options = list(measured_options)
    elif adr.options:
        options = list(adr.options)
    else:
        options = [None]

    def role_of(option: str | None) -> Role:
        if adr.decision is None:
            return "candidate"
        return "decision" if option == adr.decision else "comparison"

    criteria: list[CriterionResult] = []
    constraints: list[CriterionResult] = []
    for option in options:
        role = role_of(option)
        for c in adr.acceptance:
            if c.vs is not None and c.vs == option:
                if role == "decision":
                    # parsing refuses this; an Adr built in code must not skip the decision
                    criteria.append(_self_comparison(c, option, enforced))
                continue  # a vs criterion says nothing about the reference itself
            criteria.append(
                judge_criterion(
                    c,
                    option,
                    ms,
                    role=role,
                    enforced=enforced and role == "decision",
                    paired=paired,
                    adr=adr,
                    base=base,
                )
            )
        for c in adr.constraints:
            if c.vs is not None and c.vs == option:
                continue
            constraints.append(
                judge_criterion(
                    c, option, ms, role=role, enforced=False, paired=paired, adr=adr, base=base
                )
            )

    if holm:
        criteria = _holm(criteria, ms, paired, adr, base)
    verdict = _adr_verdict(adr, criteria, options)
    needs_review = any(r.verdict == "fail" and r.role != "comparison" for r in constraints)
    all_tests = set(tests) | {m.nodeid for m in ms}
    return AdrResult(
        adr=adr,
        verdict=verdict,
        enforced=enforced,
        needs_review=needs_review,
        tests=sorted(t for t in all_tests if t),
        criteria=criteria,
        constraints=constraints,
        options=options,
    )


def _all_levels_paired(adr: Adr, paired: PairedFn) -> PairedFn:
    """``paired`` computing every Holm level at once, each comparison once per judgement."""
    from pytest_archgate.verdict.family import family_confidence, holm_confidences, members

    fam = members(adr.acceptance)
    level = family_confidence(fam)
    extra = holm_confidences(level, len(fam)) if level is not None else ()
    cache: dict[tuple[str, int, int], Estimate] = {}

    def cached(c: Criterion, a: Measurement, b: Measurement, levels: Sequence[float]) -> Estimate:
        # by name: Holm judges copies of the criterion at other levels, the rows stay the same
        key = (c.name, id(a), id(b))
        if key not in cache:
            wanted = levels_for([x for x in (c.confidence,) if x is not None] + list(extra))
            cache[key] = paired(c, a, b, tuple(sorted({*levels, *wanted})))
        return cache[key]

    return cached


def _holm(
    criteria: list[CriterionResult],
    ms: Sequence[Measurement],
    paired: PairedFn,
    adr: Adr | None = None,
    base: base_branch.Baseline | None = None,
) -> list[CriterionResult]:
    """Holm's step-down over each option's confidence criteria (see family.py)."""
    from pytest_archgate.verdict.family import describe, family_confidence, members, step_down

    out = list(criteria)
    for option in dict.fromkeys(r.option for r in criteria):
        idx = [i for i, r in enumerate(criteria) if r.option == option and members([r.criterion])]
        level = family_confidence([criteria[i].criterion for i in idx])
        if level is None:
            continue

        def rejudge(i: int, conf: float) -> CriterionResult:
            r = criteria[i]
            if r.estimate is None and r.error is None and r.reason is not None:
                # nothing measured it (or a vs naming the decision): stays as judged
                return replace(r)
            return judge_criterion(
                r.criterion,
                r.option,
                ms,
                role=r.role,
                enforced=r.enforced,
                paired=paired,
                confidence=conf,
                adr=adr,
                base=base,
            )

        steps = step_down(idx, level, lambda i, conf: rejudge(i, conf).verdict == "pass")
        for i, step in zip(idx, steps, strict=True):
            if step.confidence is not None:
                r = rejudge(i, step.confidence)
            else:  # no interval is kept at so high a level: nothing can pass there
                failed = criteria[i].verdict == "fail"
                r = replace(criteria[i], verdict="fail" if failed else "unmeasured")
            r.family, r.adjusted_confidence = "holm", step.confidence
            note = describe(step, level, len(idx), r.criterion.confidence)
            if r.verdict != "pass" or step.confidence is None:
                r.reason = f"{r.reason}; {note}" if r.reason else note
            out[i] = r
    return out


def _self_comparison(c: Criterion, option: str | None, enforced: bool) -> CriterionResult:
    """A ``vs`` criterion naming the decision itself cannot be judged: say so, never skip it."""
    return CriterionResult(
        criterion=c,
        option=option,
        verdict="unmeasured",
        role="decision",
        enforced=enforced,
        reason=f"vs names {c.vs!r}, the decision itself: nothing to compare it with",
    )


def _adr_verdict(
    adr: Adr, criteria: Sequence[CriterionResult], options: Sequence[str | None]
) -> AdrVerdict:
    if not adr.acceptance:
        return "none"
    if adr.decision is not None:
        mine = [r for r in criteria if r.option == adr.decision]
        if any(r.verdict == "fail" for r in mine):
            return "fail"
        if any(r.verdict == "unmeasured" for r in mine):
            return "unmeasured"
        return "pass"
    per_option: dict[str | None, list[CriterionResult]] = {}
    for r in criteria:
        per_option.setdefault(r.option, []).append(r)
    if any(rs and all(r.verdict == "pass" for r in rs) for rs in per_option.values()):
        return "pass"
    measured = [rs for rs in per_option.values() if any(r.estimate is not None for r in rs)]
    if (
        measured
        and len(measured) == len(per_option)
        and all(any(r.verdict == "fail" for r in rs) for rs in measured)
    ):
        return "fail"
    return "unmeasured"


def judge_all(
    adrs: Iterable[Adr],
    measurements: Iterable[Measurement],
    tests_by_adr: Mapping[str, Iterable[str]] | None = None,
    *,
    paired: PairedFn = default_paired,
    family: str | None = None,
    base: base_branch.Baseline | None = None,
) -> list[AdrResult]:
    """Judge every ADR that has criteria or linked tests (the report's ``adrs``); ``family``
    is the run's family-wise setting (``none`` or ``holm``, see :func:`judge_adr`)."""
    ms = list(measurements)
    tests_by_adr = tests_by_adr or {}
    by_adr: dict[str, list[Measurement]] = {}
    for m in ms:
        by_adr.setdefault(m.adr, []).append(m)
    results = []
    for adr in adrs:
        linked = list(tests_by_adr.get(adr.id, ()))
        if not adr.criteria and not linked and adr.id not in by_adr:
            continue
        results.append(
            judge_adr(adr, by_adr.get(adr.id, []), linked, paired=paired, family=family, base=base)
        )
    return results
