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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .errors import CriterionError
from .measure import Estimate

Kind = Literal["acceptance", "constraint"]
Verdict = Literal["pass", "fail", "unmeasured"]

SPEC_KEYS = ("min", "max", "metric", "vs", "confidence", "device")
DEVICES = ("cpu", "cuda")
_OP_RE = re.compile(r"^\s*(>=|<=|>|<|=>|=<)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Criterion:
    """One parsed criterion: the bounds a metric of one option must meet."""

    name: str
    metric: str
    kind: Kind = "acceptance"
    min: float | None = None
    max: float | None = None
    min_strict: bool = False
    max_strict: bool = False
    vs: str | None = None
    confidence: float | None = None
    device: str | None = None
    line: int | None = None

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
        """Judge one estimate. Returns the verdict and, when not a pass, why.

        With ``confidence`` the one-sided bound at that level must clear the limit: the lower
        bound for ``min``, the upper bound for ``max``. Without an interval at that level the
        criterion is ``unmeasured``, never passed on the point value.
        """
        if not math.isfinite(estimate.value):
            return "fail", f"value is {estimate.value}"
        reasons: list[str] = []
        if self.min is not None:
            if self.confidence is not None:
                low = estimate.lower_bound(self.confidence)
                if low is None:
                    return "unmeasured", f"no interval at confidence {_fmt(self.confidence)}"
                ok = low > self.min if self.min_strict else low >= self.min
                if not ok:
                    reasons.append(f"lower bound {_fmt(low)} below {_fmt(self.min)}")
            elif not (estimate.value > self.min if self.min_strict else estimate.value >= self.min):
                reasons.append(f"{_fmt(estimate.value)} below {_fmt(self.min)}")
        if self.max is not None:
            if self.confidence is not None:
                high = estimate.upper_bound(self.confidence)
                if high is None:
                    return "unmeasured", f"no interval at confidence {_fmt(self.confidence)}"
                ok = high < self.max if self.max_strict else high <= self.max
                if not ok:
                    reasons.append(f"upper bound {_fmt(high)} above {_fmt(self.max)}")
            elif not (estimate.value < self.max if self.max_strict else estimate.value <= self.max):
                reasons.append(f"{_fmt(estimate.value)} above {_fmt(self.max)}")
        if reasons:
            return "fail", "; ".join(reasons)
        return "pass", None

    def badness(self, estimate: Estimate) -> float:
        """How far an estimate is on the wrong side of the bound (higher is worse).

        Used to pick the worst of several measurements of the same criterion and option.
        """
        score = -math.inf
        if self.min is not None:
            score = max(score, self.min - estimate.value)
        if self.max is not None:
            score = max(score, estimate.value - self.max)
        return score


def _fmt(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def parse_number(raw: Any, *, field: str, file: str | None, line: int | None) -> float:
    """A finite number from YAML: int, float, or a string such as ``"1_000_000"`` or ``"1e-3"``."""
    if isinstance(raw, bool):
        raise CriterionError(f"expected a number, got {raw!r}", file=file, line=line, field=field)
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
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
            f"criterion name must be a non-empty string, got {name!r}",
            file=file,
            line=line,
            field=f"archgate.{section}",
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
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(SPEC_KEYS)}",
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
            f"metric must be a non-empty string, got {metric!r}",
            file=file,
            line=line,
            field=f"{field}.metric",
        )
    vs = spec.get("vs")
    if vs is not None:
        if not isinstance(vs, str):
            raise CriterionError(
                f"vs must name an option, got {vs!r}", file=file, line=line, field=f"{field}.vs"
            )
        if vs not in options:
            listed = ", ".join(options) if options else "none listed"
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
        conf_v = parse_number(confidence, field=f"{field}.confidence", file=file, line=line)
        if not 0.5 <= conf_v < 1.0:
            raise CriterionError(
                f"confidence must be in [0.5, 1), e.g. 0.95; got {confidence!r}",
                file=file,
                line=line,
                field=f"{field}.confidence",
            )
    device = spec.get("device")
    if device is not None and device not in DEVICES:
        raise CriterionError(
            f"device must be one of {', '.join(DEVICES)}; got {device!r}",
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
