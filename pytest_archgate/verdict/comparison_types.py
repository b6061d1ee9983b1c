"""The options comparison as the report carries it (``adrs[].comparison``): its closed sets of
values and its ``TypedDict`` types.

Their code is :mod:`pytest_archgate.verdict.comparison`; they live here, in the verdict layer
(which may not import the report layer), and ``report/schema.py`` re-exports them as part of
the report's schema. This module has no ``from __future__ import annotations``: a
``TypedDict`` whose annotations are strings compiles a ``ForwardRef`` for each field when it is
imported, which every pytest run that judges an ADR would pay (issue 12); ``report/schema.py``
is written the same way.
"""

from typing import Literal, NotRequired, TypedDict

Direction = Literal["higher", "lower", "target"]
"""Which way a criterion is good: ``higher`` (``min`` only), ``lower`` (``max`` only),
``target`` (both: closer to the middle of the range is better)."""

CriterionVerdict = Literal["pass", "fail", "unmeasured", "n/a"]
"""A criterion's verdict: ``n/a`` when it does not apply to the option (its ``vs``
reference)."""


class Cell(TypedDict):
    """One option against one acceptance criterion."""

    value: float | None
    """The measured value (for a ``vs`` criterion, the difference); null when not measured."""
    ci: list[float] | None
    """The interval ``[low, high]`` of the value, null when there is none."""
    verdict: CriterionVerdict
    """The criterion's verdict for this option (``n/a``: the option is its ``vs`` reference)."""
    bound: NotRequired[str | None]
    """The criterion's bound as written, e.g. ``>= 0.9``."""
    reason: NotRequired[str | None]
    """Why the verdict is what it is (plain text)."""


class Recommendation(TypedDict):
    """The option the comparison recommends and the sentence that says why."""

    option: str | None
    """The recommended option; null when no candidate meets every criterion."""
    text: str | None
    """The recommendation as one paragraph of plain text."""


class DailyCost(TypedDict):
    """An option's cost per day at the ADR's ``cost.volume_per_day``."""

    value: float
    """US dollars per day."""
    ci: NotRequired[list[float] | None]
    """Its interval, from the interval of ``cost_per_1k_usd``."""
    cost_per_1k_usd: NotRequired[float | None]
    """The measured cost per 1,000 requests it was computed from."""
    volume_per_day: NotRequired[float | None]
    """The ADR's daily request volume."""


class Comparison(TypedDict):
    """The measured options of one ADR side by side (the ranking and the weighted score are
    explained in the docstring of ``pytest_archgate/verdict/comparison.py``).

    Every key may be missing in a report file (an older or hand-written one); a comparison
    with ``options`` is a ranked one, whose required keys the loader checks (see
    :class:`RankedComparison`).
    """

    adr: NotRequired[str | None]
    """The ADR id."""
    decision: NotRequired[str | None]
    """The ADR's decision (the option it chose), if any."""
    options: NotRequired[list[str] | None]
    """The options, ranked best first (references of ``vs`` criteria last)."""
    criteria: NotRequired[list[str] | None]
    """The acceptance criteria compared, in ADR order."""
    bounds: NotRequired[dict[str, str | None] | None]
    """Each criterion's bound as written."""
    directions: NotRequired[dict[str, Direction] | None]
    """Each criterion's good direction."""
    cells: NotRequired[dict[str, dict[str, Cell]] | None]
    """``cells[option][criterion]``."""
    normalised: NotRequired[dict[str, dict[str, float | None]] | None]
    """Each option's normalised score per criterion in [0, 1]; null where not judged."""
    scores: NotRequired[dict[str, float] | None]
    """Each option's weighted score in [0, 1]."""
    meets_all: NotRequired[dict[str, bool] | None]
    """Whether the option meets every criterion that applies to it."""
    failures: NotRequired[dict[str, int] | None]
    """How many criteria each option fails."""
    weights: NotRequired[dict[str, float] | None]
    """Each criterion's weight (``archgate.weights``, default 1)."""
    references: NotRequired[dict[str, list[str]] | None]
    """Options that a ``vs`` criterion compares against, with those criteria."""
    recommendation: NotRequired[Recommendation | None]
    """The recommended option and why."""
    volume_per_day: NotRequired[float | None]
    """The ADR's ``cost.volume_per_day``, when daily costs are shown."""
    daily_cost: NotRequired[dict[str, DailyCost] | None]
    """Each option's daily cost, when its ``cost_per_1k_usd`` was measured."""


class RankedComparison(TypedDict):
    """A comparison with options: what :func:`compare_options` writes, and what the loader
    guarantees of a comparison whose ``options`` list is not empty (these keys present, and
    every option has a cell for every criterion, a score and a meets-all flag).

    The fields are those of :class:`Comparison`; :func:`ranked` narrows one to this type.
    """

    adr: NotRequired[str | None]
    decision: NotRequired[str | None]
    options: list[str]
    criteria: list[str]
    bounds: dict[str, str | None]
    directions: NotRequired[dict[str, Direction] | None]
    cells: dict[str, dict[str, Cell]]
    normalised: NotRequired[dict[str, dict[str, float | None]] | None]
    scores: dict[str, float]
    meets_all: dict[str, bool]
    failures: NotRequired[dict[str, int] | None]
    weights: dict[str, float]
    references: NotRequired[dict[str, list[str]] | None]
    recommendation: Recommendation
    volume_per_day: NotRequired[float | None]
    daily_cost: NotRequired[dict[str, DailyCost] | None]
