"""Family-wise error over an ADR's confidence criteria: Holm's step-down (``family: holm``).

What a confidence criterion tests
---------------------------------
``min: L, confidence: c`` passes only when the one-sided lower bound at level ``c`` clears
``L``: it tests H0 "violated" (theta < L) against H1 "met", and the error it controls at
``1 - c`` is a false *pass*. An ADR passes only when every criterion passes; that is an
intersection-union test (Berger 1982, Technometrics 24:295; Berger & Hsu 1996, Statistical
Science 11:283), so the chance that an ADR with a violated criterion passes is already at most
``1 - c`` without any adjustment, however many criteria it has.

What ``family: holm`` adds, and what it costs
---------------------------------------------
The per-criterion lines are claims too: "roc_auc meets >= 0.9" in a report whose ADR failed on
another criterion, or in the comparison of options. With ``m`` confidence criteria, ``j`` of
them violated, up to ``1 - c**j`` of runs show at least one violated criterion as met. Holm's
step-down procedure (Holm 1979, Scandinavian Journal of Statistics 6:65) makes every criterion
reported as *met* hold simultaneously: the chance that any violated criterion of the family is
reported as met is at most ``1 - c`` (strong control of the family-wise error rate, for any
dependence between the criteria).

The price is power: a candidate that truly meets every criterion fails more often, because the
first criterion must clear its bound at ``1 - (1 - c) / m``. Holm does *not* lower the chance
that a no-change candidate fails an ADR of many criteria "by chance" (that false fail is set by
power: margins and test-set size); it raises it. ``benchmarks/bench_family.py`` measures both
rates and ADR-0011 records the figures.

The procedure, on bounds instead of p-values
--------------------------------------------
Holm in its usual form sorts one-sided p-values and rejects while ``p_(j) <= alpha / (m-j+1)``.
Equivalently, in sets: with ``k`` hypotheses left, reject every one whose test passes at level
``1 - alpha / k``; repeat with the smaller ``k``; stop when none passes. archgate uses that form:
"passes at level ``c'``" is :meth:`Criterion.judge` with the one-sided bound at ``c'``, computed
by the producer's own interval method, so the adjusted verdict is exactly the unadjusted one at
a higher level and no second (e.g. normal-approximation) test is introduced. Producers compute
the levels :func:`holm_confidences` lists (the fixture asks for them for linked ADRs that use
Holm); a bound at a level nobody computed falls back to a wider interval (conservative) or is
``unmeasured``, never passed on the point value.

Scope: the family is one option's *acceptance* criteria that carry ``confidence``. Criteria
without ``confidence`` make no error-rate claim and are judged as before; constraints (which
ask for review, not for a failed run) stay unadjusted. When the criteria of a family ask for
different confidences, the family level is the highest of them, so no criterion is judged at a
level below its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from pytest_archgate.adr.criteria import Family

if TYPE_CHECKING:
    from pytest_archgate.adr.criteria import Criterion
    from pytest_archgate.adr.model import Adr


T = TypeVar("T")

#: Two-sided levels are kept to 6 decimals (:func:`pytest_archgate.measure.estimate.level_key`).
_LEVEL_DIGITS = 6


def effective_family(adr_family: str | None, run_family: str | None) -> Family:
    """Holm when the ADR or the run asks for it: a setting can add the adjustment, never
    remove one an ADR asks for."""
    return "holm" if "holm" in (adr_family, run_family) else "none"


def members(criteria: Sequence[Criterion]) -> list[Criterion]:
    """The criteria of a family: acceptance criteria that carry ``confidence``."""
    return [c for c in criteria if c.kind == "acceptance" and c.confidence is not None]


def family_confidence(criteria: Sequence[Criterion]) -> float | None:
    """The family's level: the highest confidence among its members (None when it has none)."""
    levels = [c.confidence for c in members(criteria) if c.confidence is not None]
    return max(levels) if levels else None


def holm_confidence(confidence: float, k: int) -> float | None:
    """The one-sided level of Holm's step with ``k`` hypotheses left: ``1 - (1 - c) / k``.

    Rounded *up* so that its two-sided level ``2c' - 1`` is a 6-decimal level at least as high
    as the exact one (a judged bound is never narrower than Holm's). None when that level
    would round to 1: no interval is kept at such a level, so nothing can pass there.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    alpha = 1.0 - confidence
    two_sided = 1.0 - 2.0 * alpha / k
    scale = float(10**_LEVEL_DIGITS)
    # the small slack keeps float noise (0.8999999999999999) from rounding a level up a step
    rounded = math.ceil(two_sided * scale - 1e-6) / scale
    if rounded >= 1.0:
        return None
    return round((1.0 + rounded) / 2.0, _LEVEL_DIGITS + 1)


def holm_confidences(confidence: float, m: int) -> tuple[float, ...]:
    """Every level Holm's step-down may judge a family of ``m`` at (``k = m, ..., 1``)."""
    out = [holm_confidence(confidence, k) for k in range(m, 0, -1)]
    return tuple(c for c in out if c is not None)


def requested_confidences(adr: Adr, metric: str, run_family: str | None) -> list[float]:
    """The one-sided levels a producer of ``metric`` must compute for ``adr`` under Holm.

    Empty when the ADR is not judged with Holm or no family criterion measures ``metric``.
    """
    if effective_family(getattr(adr, "family", None), run_family) != "holm":
        return []
    fam = members(adr.acceptance)
    level = family_confidence(fam)
    if level is None or not any(c.metric == metric for c in fam):
        return []
    return list(holm_confidences(level, len(fam)))


@dataclass(frozen=True)
class Step:
    """Where one hypothesis of a step-down ended.

    ``passed``: rejected (the criterion is reported as met); ``confidence``: the one-sided level
    it was judged at (the level of its own step when it passed, of the last step otherwise);
    ``k``: hypotheses left at that step; ``rank``: 1 for the first step, and so on.
    """

    passed: bool
    confidence: float | None
    k: int
    rank: int


def step_down(
    items: Sequence[T], confidence: float, passes: Callable[[T, float], bool]
) -> list[Step]:
    """Holm's step-down over ``items`` at family level ``confidence``.

    ``passes(item, c)`` says whether ``item`` clears its bound at one-sided level ``c``; it must
    be monotone (passing at a level implies passing at every lower level), which nested
    confidence intervals guarantee. With ``k`` items left, every item that passes at
    :func:`holm_confidence` ``(confidence, k)`` is rejected at once (those all qualify one by one
    as ``k`` shrinks, so this is Holm's sequence); the rest are judged again with the smaller
    ``k``, until none passes.
    """
    left = list(range(len(items)))
    out: dict[int, Step] = {}
    rank = 1
    while left:
        k = len(left)
        level = holm_confidence(confidence, k)
        passing = [i for i in left if level is not None and passes(items[i], level)]
        if not passing:
            for i in left:
                out[i] = Step(passed=False, confidence=level, k=k, rank=rank)
            break
        for i in passing:
            out[i] = Step(passed=True, confidence=level, k=k, rank=rank)
        left = [i for i in left if i not in passing]
        rank += len(passing)
    return [out[i] for i in range(len(items))]


@dataclass(frozen=True)
class HolmResult:
    """Holm's procedure on p-values: which hypotheses are rejected and the adjusted p-values."""

    rejected: tuple[bool, ...]
    adjusted: tuple[float, ...]


def holm(pvalues: Sequence[float], alpha: float = 0.05) -> HolmResult:
    """Holm (1979) on ``pvalues`` at family-wise level ``alpha``.

    Adjusted p-values are ``max_{i <= j} min(1, (m - i + 1) p_(i))`` over the sorted values
    (Wright 1992, Biometrics 48:1005); a hypothesis is rejected when its adjusted p-value is at
    most ``alpha``. archgate judges with :func:`step_down` on bounds; this form documents and
    tests the same procedure against published examples and serves the benchmark.
    """
    m = len(pvalues)
    for p in pvalues:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-values must lie in [0, 1], got {p!r}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for j, i in enumerate(order):
        running = max(running, min(1.0, (m - j) * pvalues[i]))
        adjusted[i] = running
    return HolmResult(rejected=tuple(a <= alpha for a in adjusted), adjusted=tuple(adjusted))


def describe(step: Step, confidence: float, m: int, own: float | None = None) -> str:
    """``Holm: conf. 0.95 adjusted to 0.995 (step 1 of 10 confidence criteria)``.

    ``confidence`` is the family's level; ``own`` the criterion's (named with the family's
    level when they differ: the family is judged at the highest confidence of its members).
    """
    own = confidence if own is None else own
    family = f" (family level {confidence:g})" if own != confidence else ""
    where = f"(step {step.rank} of {m} confidence criteria)"
    if step.confidence is None:
        return (
            f"Holm{family}: conf. {own:g} over {m} criteria needs a level beyond the 6-digit "
            "levels intervals are kept at"
        )
    if step.confidence == own:
        return f"Holm{family}: judged at its own level {own:g} {where}"
    return f"Holm{family}: conf. {own:g} adjusted to {fmt_level(step.confidence)} {where}"


def fmt_level(confidence: float) -> str:
    """A Holm level for display: 0.995, 0.9944, 0.9929 (4 decimals where they suffice).

    A level below 1 is never shown as ``1`` (no interval has confidence 1): 0.99999 keeps
    the decimals that tell it from 1.
    """
    digits = 4
    text = f"{confidence:.{digits}f}"
    while confidence < 1.0 and text.startswith("1") and digits < 17:
        digits += 1
        text = f"{confidence:.{digits}f}"
    return text.rstrip("0").rstrip(".")
