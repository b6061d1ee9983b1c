"""Acceptance criteria and constraints: parsing a spec and judging a measurement against it.

A criterion is ``name: spec`` under ``archgate.acceptance`` or ``archgate.constraints``. The spec
is a string ``"<op> <number>"`` (``>=``, ``<=``, ``>``, ``<``; ``_`` allowed in numbers) or a
mapping with any of ``min``, ``max``, ``metric``, ``vs``, ``confidence``, ``device``. Parsing is
strict: anything this module cannot judge unambiguously is a :class:`CriterionError` that names
the file, line and field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pytest_archgate.errors import AdrError, CriterionError
from pytest_archgate.measure.names import bad_name_reason, short_repr, two_sided_level
from pytest_archgate.record import Record

if TYPE_CHECKING:  # judging takes estimates; parsing criteria (every ADR read) does not
    from pytest_archgate.measure.estimate import Bound, Estimate

Kind = Literal["acceptance", "constraint"]
Verdict = Literal["pass", "fail", "unmeasured"]

SPEC_KEYS = ("min", "max", "metric", "vs", "confidence", "device")
#: ``vs: "@base"``: compare with the same option measured by the base branch's report
#: (non-inferiority within a margin, e.g. ``min: -0.01``); never the name of an option
BASE_VS = "@base"
DEVICES = ("cpu", "cuda")
_OP_RE = re.compile(r"^\s*(>=|<=|>|<|=>|=<)\s*(\S+)\s*$")


class Criterion(Record):
    """One parsed criterion: the bounds a metric of one option must meet (immutable)."""

    __slots__ = (  # noqa: RUF023 (declaration order: repr and fields() follow it)
        "name",
        "metric",
        "kind",
        "min",
        "max",
        "min_strict",
        "max_strict",
        "vs",
        "confidence",
        "device",
        "line",
    )
    name: str
    metric: str
    kind: Kind
    min: float | None
    max: float | None
    min_strict: bool
    max_strict: bool
    vs: str | None
    confidence: float | None
    device: str | None
    line: int | None

    def __init__(
        self,
        name: str,
        metric: str,
        kind: Kind = "acceptance",
        min: float | None = None,
        max: float | None = None,
        min_strict: bool = False,
        max_strict: bool = False,
        vs: str | None = None,
        confidence: float | None = None,
        device: str | None = None,
        line: int | None = None,
    ) -> None:
        self._init(
            name=name,
            metric=metric,
            kind=kind,
            min=min,
            max=max,
            min_strict=min_strict,
            max_strict=max_strict,
            vs=vs,
            confidence=confidence,
            device=device,
            line=line,
        )

    @property
    def bound(self) -> str:
        """Human-readable bound, e.g. ``>= 0.9`` or ``>= 0.01 vs logreg (conf. 0.95)``."""
        parts: list[str] = []
        if self.min is not None:
            parts.append(f"{'>' if self.min_strict else '>='} {_fmt(self.min)}")
        if self.max is not None:
            parts.append(f"{'<' if self.max_strict else '<='} {_fmt(self.max)}")
        text = " and ".join(parts)
        if self.vs:
            text += f" vs {self.vs}"
        if self.confidence is not None:
            text += f" (conf. {_fmt(self.confidence)})"
        if self.device:
            text += f" [{self.device}]"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "metric": self.metric,
            "kind": self.kind,
            "min": self.min,
            "max": self.max,
            "min_strict": self.min_strict,
            "max_strict": self.max_strict,
            "vs": self.vs,
            "confidence": self.confidence,
            "device": self.device,
            "line": self.line,
            "bound": self.bound,
        }

    def judge(self, estimate: Estimate) -> tuple[Verdict, str | None]:
        """Judge one estimate. Returns the verdict and why (``None`` for a plain pass).

        Without ``confidence`` the point value is judged. With ``confidence`` the judged
        quantity is the one-sided bound at that level, whatever path recorded the estimate: the
        lower bound for ``min``, the upper bound for ``max``, i.e. one end of the two-sided
        interval at ``2c - 1`` (see :meth:`Estimate.bound`; a bound derived from an interval
        at another level may pass or fail, and the reason says it was derived). The reason, on
        a pass too, names the bound, its level and the interval it is an end of. A point value
        that already violates a bound fails, whatever its interval and whether it has one; a
        point value that meets it but has no interval at all is ``unmeasured``, never passed on
        the point value.
        """
        value = estimate.value
        if not math.isfinite(value):
            return "fail", f"value is {value}"
        reasons: list[str] = []
        notes: list[str] = []
        missing = False
        for side in ("min", "max"):
            limit = self.min if side == "min" else self.max
            if limit is None:
                continue
            point_ok = self._clears(side, value)
            bound = self.bound_for(estimate, side)
            if bound is not None and not self._clears(side, bound.value):
                reasons.append(self._bound_reason(side, bound, holds=False))
            elif not point_ok:
                where = "below" if side == "min" else "above"
                reasons.append(f"{_fmt(value)} {where} {_fmt(limit)}")
            elif self.confidence is not None and bound is None:
                missing = True
            elif bound is not None:
                notes.append(self._bound_reason(side, bound, holds=True))
        if reasons:
            return "fail", "; ".join(reasons)
        if missing:
            assert self.confidence is not None
            refused = estimate.details.get("refused")
            if isinstance(refused, str) and refused:  # the producer said why (too few rows)
                return "unmeasured", refused
            return "unmeasured", (
                f"no interval at confidence {_fmt(self.confidence)}: the point value cannot be "
                f"judged against a one-sided {_pct(self.confidence)} bound"
            )
        return "pass", "; ".join(notes) or None

    def bound_for(self, estimate: Estimate, side: Literal["min", "max"]) -> Bound | None:
        """The one-sided bound judged against ``side`` (``None`` without ``confidence`` or
        without any interval)."""
        if self.confidence is None:
            return None
        return estimate.bound(self.confidence, "lower" if side == "min" else "upper")

    def judged_value(self, estimate: Estimate, side: Literal["min", "max"]) -> float:
        """The quantity judged against one side: the point value, or with ``confidence`` the
        one-sided bound (the point value when it has none, or when it is worse)."""
        value = estimate.value
        b = self.bound_for(estimate, side)
        if b is None:
            return value
        bound = b.value
        if math.isnan(bound):
            return -math.inf if side == "min" else math.inf
        return min(value, bound) if side == "min" else max(value, bound)

    def badness(self, estimate: Estimate) -> float:
        """How far the judged quantity is on the wrong side of the bound (higher is worse).

        With ``confidence`` that is the one-sided bound (lowest lower bound for ``min``,
        highest upper bound for ``max``), not the point value. Used, after the verdict, to
        pick the worst of several measurements of the same criterion and option.
        """
        if not math.isfinite(estimate.value):
            return math.inf
        score = -math.inf
        if self.min is not None:
            score = max(score, self.min - self.judged_value(estimate, "min"))
        if self.max is not None:
            score = max(score, self.judged_value(estimate, "max") - self.max)
        return score

    def severity(self, estimate: Estimate) -> tuple[int, float]:
        """Sort key of one estimate, worst last: ``fail`` > ``unmeasured`` > ``pass``, then
        :meth:`badness`."""
        verdict, _ = self.judge(estimate)
        return _RANK[verdict], self.badness(estimate)

    def _clears(self, side: str, x: float) -> bool:
        if side == "min":
            assert self.min is not None
            return x > self.min if self.min_strict else x >= self.min
        assert self.max is not None
        return x < self.max if self.max_strict else x <= self.max

    def _bound_reason(self, side: str, bound: Bound, *, holds: bool) -> str:
        """``lower one-sided 95% bound 0.8712 < 0.9 (the 90% two-sided interval is [0.8712,
        0.9233])``, plus how the bound was derived when the producer did not compute it."""
        assert self.confidence is not None
        if side == "min":
            assert self.min is not None
            limit, strict = self.min, self.min_strict
            op = (">" if strict else ">=") if holds else ("<=" if strict else "<")
        else:
            assert self.max is not None
            limit, strict = self.max, self.max_strict
            op = ("<" if strict else "<=") if holds else (">=" if strict else ">")
        low, high = bound.interval
        text = (
            f"{bound.side} one-sided {_pct(self.confidence)} bound {_fmt(bound.value)} {op} "
            f"{_fmt(limit)} (the {_pct(bound.level)} two-sided interval is "
            f"[{_fmt(low)}, {_fmt(high)}])"
        )
        if bound.derived_from is not None:
            text += (
                f"; bound derived from the recorded {_pct(bound.derived_from)} interval "
                "(normal approximation"
                + (", extrapolated to a higher level" if bound.extrapolated else "")
                + ")"
            )
        return text


_RANK: dict[str, int] = {"pass": 0, "unmeasured": 1, "fail": 2}


def _shown(name: str) -> str:
    """A name as typed when it is plain, else its repr (never a raw newline in a message)."""
    return name if bad_name_reason(name) is None else short_repr(name)


def _pct(confidence: float) -> str:
    return f"{round(confidence * 100, 4):g}%"


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def parse_number(raw: Any, *, field: str, file: str | None, line: int | None) -> float:
    """A finite number from YAML: int, float, or a string such as ``"1_000_000"`` or ``"1e-3"``."""
    if isinstance(raw, bool):
        raise CriterionError(f"expected a number, got {raw!r}", file=file, line=line, field=field)
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:
            raise CriterionError(
                f"bound must be a finite number, got an integer of {len(str(raw))} digits "
                "(too large for a float)",
                file=file,
                line=line,
                field=field,
            ) from None
    elif isinstance(raw, str):
        if len(raw) > 100:
            raise CriterionError(
                f"expected a number, got a string of {len(raw)} characters",
                file=file,
                line=line,
                field=field,
            )
        try:
            value = float(raw.strip())
        except ValueError:
            raise CriterionError(
                f"expected a number, got {raw!r}", file=file, line=line, field=field
            ) from None
    else:
        raise CriterionError(
            f"expected a number, got {type(raw).__name__} {raw!r}",
            file=file,
            line=line,
            field=field,
        )
    if not math.isfinite(value):
        raise CriterionError(
            f"bound must be a finite number, got {raw!r}", file=file, line=line, field=field
        )
    return value


def parse_criterion(
    name: Any,
    spec: Any,
    *,
    kind: Kind,
    options: Sequence[str] = (),
    file: str | None = None,
    line: int | None = None,
) -> Criterion:
    """Parse one ``name: spec`` pair. ``options`` are the ADR's options, for checking ``vs``."""
    section = "acceptance" if kind == "acceptance" else "constraints"
    field = f"archgate.{section}.{name}"
    if not isinstance(name, str) or not name.strip():
        raise CriterionError(
            f"criterion name must be a non-empty string, got {short_repr(name)}",
            file=file,
            line=line,
            field=f"archgate.{section}",
        )
    why = bad_name_reason(name)
    if why is not None:
        raise CriterionError(
            f"criterion name {why}", file=file, line=line, field=f"archgate.{section}"
        )
    if isinstance(spec, str):
        match = _OP_RE.match(spec)
        if not match:
            raise CriterionError(
                f"cannot read {spec!r}: write '<op> <number>' with op one of >=, <=, >, < "
                '(e.g. ">= 0.90"), or a mapping with min/max',
                file=file,
                line=line,
                field=field,
            )
        op, number = match.groups()
        value = parse_number(number, field=field, file=file, line=line)
        if op in (">=", "=>", ">"):
            return Criterion(
                name=name, metric=name, kind=kind, min=value, min_strict=op == ">", line=line
            )
        return Criterion(
            name=name, metric=name, kind=kind, max=value, max_strict=op == "<", line=line
        )
    if not isinstance(spec, Mapping):
        raise CriterionError(
            f'expected a string like ">= 0.9" or a mapping, got {type(spec).__name__} {spec!r}',
            file=file,
            line=line,
            field=field,
        )
    unknown = sorted(str(k) for k in spec if k not in SPEC_KEYS)
    if unknown:
        raise CriterionError(
            f"unknown key(s) {', '.join(map(_shown, unknown))}; allowed: {', '.join(SPEC_KEYS)}",
            file=file,
            line=line,
            field=field,
        )
    lo = spec.get("min")
    hi = spec.get("max")
    lo_v = parse_number(lo, field=f"{field}.min", file=file, line=line) if lo is not None else None
    hi_v = parse_number(hi, field=f"{field}.max", file=file, line=line) if hi is not None else None
    if lo_v is None and hi_v is None:
        raise CriterionError(
            "a criterion needs a bound: give min and/or max", file=file, line=line, field=field
        )
    if lo_v is not None and hi_v is not None and lo_v > hi_v:
        raise CriterionError(
            f"min {_fmt(lo_v)} is greater than max {_fmt(hi_v)}: no value can pass",
            file=file,
            line=line,
            field=field,
        )
    metric = spec.get("metric", name)
    if not isinstance(metric, str) or not metric.strip():
        raise CriterionError(
            f"metric must be a non-empty string, got {short_repr(metric)}",
            file=file,
            line=line,
            field=f"{field}.metric",
        )
    why = bad_name_reason(metric.strip())
    if why is not None:
        raise CriterionError(f"metric {why}", file=file, line=line, field=f"{field}.metric")
    vs = spec.get("vs")
    if vs is not None:
        if not isinstance(vs, str):
            raise CriterionError(
                f"vs must name an option, got {short_repr(vs)}",
                file=file,
                line=line,
                field=f"{field}.vs",
            )
        if vs not in options and vs != BASE_VS:
            listed = ", ".join(map(_shown, options)) if options else "none listed"
            raise CriterionError(
                f"vs names {vs!r}, which is not one of the ADR's options ({listed}); "
                "add it to archgate.options",
                file=file,
                line=line,
                field=f"{field}.vs",
            )
    confidence = spec.get("confidence")
    conf_v: float | None = None
    if confidence is not None:
        if isinstance(confidence, str):
            raise CriterionError(
                f"confidence must be in (0.5, 1), a number such as 0.95; got the string "
                f"{short_repr(confidence)}",
                file=file,
                line=line,
                field=f"{field}.confidence",
            )
        conf_v = parse_number(confidence, field=f"{field}.confidence", file=file, line=line)
        # the one-sided bound at c is an end of the two-sided interval at 2c - 1, which must
        # itself be a level strictly inside (0, 1) once rounded
        if not 0.5 < conf_v < 1.0 or not 0.0 < two_sided_level(conf_v) < 1.0:
            raise CriterionError(
                f"confidence must be in (0.5, 1), strictly between 0.5 and 1, e.g. 0.95; "
                f"got {short_repr(confidence)}",
                file=file,
                line=line,
                field=f"{field}.confidence",
            )
    if vs == BASE_VS and conf_v is None:
        raise CriterionError(
            f"a criterion vs {BASE_VS} (the base branch) needs confidence, e.g. 0.95: the "
            "difference from the base is judged by its one-sided bound, never its point value",
            file=file,
            line=line,
            field=f"{field}.confidence",
        )
    device = spec.get("device")
    if device is not None and (not isinstance(device, str) or device not in DEVICES):
        raise CriterionError(
            f"device must be one of {', '.join(DEVICES)}; got {short_repr(device)}",
            file=file,
            line=line,
            field=f"{field}.device",
        )
    return Criterion(
        name=name,
        metric=metric.strip(),
        kind=kind,
        min=lo_v,
        max=hi_v,
        vs=vs,
        confidence=conf_v,
        device=device,
        line=line,
    )


def check_archgate_block(
    *,
    decision: str | None,
    baseline: str | None,
    options: Sequence[str],
    acceptance: Sequence[Criterion],
    constraints: Sequence[Criterion],
    file: str | None,
    line_of: Callable[[str], int | None],
) -> None:
    """Checks across the criteria and options of one ``archgate:`` block.

    Parsing each criterion on its own cannot see these holes: an option name with a control
    character, a baseline that is the decision, a ``vs`` that names the decision (the decision
    would be compared with itself, so the criterion would never be judged), and one name used
    by an acceptance criterion and a constraint. Each is an error naming file, line and field.
    """
    for key, value in (("decision", decision), ("baseline", baseline)):
        why = bad_name_reason(value) if value is not None else None
        if why is not None:
            raise AdrError(
                f"option name {why}",
                file=file,
                line=line_of(f"archgate.{key}"),
                field=f"archgate.{key}",
            )
    for option in options:
        why = bad_name_reason(option)
        if why is None and option == BASE_VS:
            why = f"{BASE_VS!r} is reserved: vs {BASE_VS} means the base branch's report"
        if why is not None:
            raise AdrError(
                f"option name {why}",
                file=file,
                line=line_of("archgate.options"),
                field="archgate.options",
            )
    # A baseline equal to the decision is allowed: a team may keep its reference option
    # (`archgate accept --option <baseline>`); a vs criterion naming it is refused below.
    seen: dict[str, Criterion] = {}
    for c in (*acceptance, *constraints):
        section = "acceptance" if c.kind == "acceptance" else "constraints"
        field = f"archgate.{section}.{c.name}"
        if c.vs is not None and decision is not None and c.vs == decision:
            raise CriterionError(
                f"vs names {c.vs!r}, the decision itself: the decision cannot be compared with "
                "itself, so this criterion would never be judged; compare with another option "
                "(e.g. the baseline)",
                file=file,
                line=c.line,
                field=f"{field}.vs",
            )
        if c.vs is not None and decision is None and options and set(options) == {c.vs}:
            raise CriterionError(
                f"vs names {c.vs!r}, the only option: no option is left to compare with it",
                file=file,
                line=c.line,
                field=f"{field}.vs",
            )
        other = seen.get(c.name)
        if other is not None:
            raise CriterionError(
                f"{c.name!r} is both an acceptance criterion (line {other.line}) and a "
                "constraint; give them different names",
                file=file,
                line=c.line,
                field=field,
            )
        seen[c.name] = c


Family = Literal["none", "holm"]


FAMILIES: tuple[Family, ...] = ("none", "holm")


def check_family(value: object, *, source: str) -> Family:
    """``value`` as a family setting (``none`` or ``holm``), or a ValueError naming ``source``.

    ``None`` and the empty string mean ``none``. The error message is one line.
    """
    if value is None:
        return "none"
    text = value.strip().lower() if isinstance(value, str) else None
    if text == "":
        return "none"
    if text == "none":
        return "none"
    if text == "holm":
        return "holm"
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "..."
    raise ValueError(f"{source}: {shown} is not a family; use one of {', '.join(FAMILIES)}")
