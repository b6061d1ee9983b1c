"""Rules of ``pytest_archgate.verdict.family`` (Holm's step-down) that mutation testing found
unpinned (issue 15).

Reference values: Holm (1979, Scandinavian Journal of Statistics 6:65) rejects the sorted
p-value ``p_(j)`` while ``p_(j) <= alpha / (m - j + 1)``; its adjusted p-values are
``max_{i <= j} min(1, (m - i + 1) p_(i))`` (Wright 1992, Biometrics 48:1005, section 2), the
values R's ``p.adjust(method = "holm")`` returns. On bounds, Holm's step with ``k`` hypotheses
left is the one-sided level ``1 - alpha / k``.
"""

from __future__ import annotations

import pytest

from pytest_archgate.verdict.family import (
    Step,
    describe,
    fmt_level,
    holm,
    holm_confidence,
    step_down,
)

# ---------------------------------------------------------------------------------------------
# the p-value form


def test_adjusted_p_values_are_capped_at_one() -> None:
    """Wright (1992): min(1, (m - i + 1) p_(i)); p = (0.6, 0.9) adjusts to (1, 1), not 1.2."""
    res = holm([0.6, 0.9])
    assert res.adjusted == (1.0, 1.0)
    assert res.rejected == (False, False)


def test_the_default_family_wise_level_is_five_percent() -> None:
    """p = (0.02, 0.03): 0.02 <= 0.05 / 2 and 0.03 <= 0.05 are both rejected; p = (0.02, 0.06):
    only the first (0.06 > 0.05); adjusted (0.04, 0.06)."""
    assert holm([0.02, 0.03]).rejected == (True, True)
    assert holm([0.02, 0.06]).rejected == (True, False)
    assert holm([0.02, 0.06]).adjusted == pytest.approx((0.04, 0.06))


def test_p_values_of_exactly_zero_and_one_are_valid() -> None:
    res = holm([0.0, 1.0], 0.05)
    assert res.rejected == (True, False)
    assert res.adjusted == (0.0, 1.0)


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 1.5])
def test_alpha_outside_the_open_unit_interval_is_refused(alpha: float) -> None:
    with pytest.raises(ValueError, match=rf"alpha must lie in \(0, 1\), got {alpha!r}"):
        holm([0.1], alpha=alpha)


# ---------------------------------------------------------------------------------------------
# the bound form archgate judges with


def test_a_holm_step_needs_at_least_one_hypothesis_left() -> None:
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        holm_confidence(0.95, 0)


def test_step_down_ranks_rejections_in_holm_s_order() -> None:
    """p = (0.001, 0.02, 0.2, 0.015) at alpha 0.05: 0.001 <= 0.05/4 is rejected first (step 1,
    level 0.9875), 0.015 <= 0.05/3 second (level 1 - 0.05/3 rounded up), 0.02 <= 0.05/2 third
    (0.975); 0.2 > 0.05 is not rejected and ends at the last step (4, its own level 0.95)."""
    steps = step_down([0.001, 0.02, 0.2, 0.015], 0.95, lambda p, c: p <= 1 - c)
    assert steps == [
        Step(passed=True, confidence=0.9875, k=4, rank=1),
        Step(passed=True, confidence=0.975, k=2, rank=3),
        Step(passed=False, confidence=0.95, k=1, rank=4),
        Step(passed=True, confidence=holm_confidence(0.95, 3), k=3, rank=2),
    ]
    assert holm([0.001, 0.02, 0.2, 0.015]).rejected == tuple(s.passed for s in steps)


def test_hypotheses_rejected_together_share_a_rank_and_the_rest_follow() -> None:
    """Two pass at the first level at once: both are step 1, the next step is 3."""
    steps = step_down([0.001, 0.002, 0.06], 0.95, lambda p, c: p <= 1 - c)
    assert [(s.passed, s.rank, s.k) for s in steps] == [(True, 1, 3), (True, 1, 3), (False, 3, 1)]


# ---------------------------------------------------------------------------------------------
# what the report says


def test_a_holm_step_is_described_with_the_adjusted_level_and_its_rank() -> None:
    """The reason a user reads names the family's level, the Holm level it was adjusted to
    (1 - 0.05 / 20, two-sided level 0.995, for the first of twenty criteria) and the step."""
    step = Step(passed=False, confidence=0.9975, k=20, rank=1)
    assert describe(step, 0.95, 20) == (
        "Holm: conf. 0.95 adjusted to 0.9975 (step 1 of 20 confidence criteria)"
    )


def test_a_criterion_judged_at_its_own_level_says_so() -> None:
    step = Step(passed=False, confidence=0.95, k=1, rank=3)
    assert describe(step, 0.95, 3) == (
        "Holm: judged at its own level 0.95 (step 3 of 3 confidence criteria)"
    )


def test_a_criterion_below_the_family_level_names_both() -> None:
    """The family is judged at its members' highest confidence; a member asking for less is
    named with the family's level."""
    step = Step(passed=False, confidence=0.995, k=2, rank=1)
    assert describe(step, 0.99, 2, own=0.9) == (
        "Holm (family level 0.99): conf. 0.9 adjusted to 0.995 (step 1 of 2 confidence criteria)"
    )


def test_a_level_beyond_the_kept_digits_is_described_as_such() -> None:
    """conf. 0.9999 over 500 criteria: 1 - 0.0001 / 500 has a two-sided level of 0.9999996,
    which no 6-digit interval holds."""
    step = Step(passed=False, confidence=None, k=500, rank=1)
    assert holm_confidence(0.9999, 500) is None
    assert describe(step, 0.9999, 500) == (
        "Holm: conf. 0.9999 over 500 criteria needs a level beyond the 6-digit levels "
        "intervals are kept at"
    )


def test_a_holm_level_is_shown_with_at_most_four_decimals_and_no_trailing_zeros() -> None:
    assert fmt_level(0.9833335) == "0.9833"
    assert fmt_level(0.975) == "0.975"
    assert fmt_level(0.9) == "0.9"
    assert fmt_level(1.0) == "1"
    assert fmt_level(2.0) == "2"


def test_a_holm_level_below_one_is_never_shown_as_one() -> None:
    level = holm_confidence(0.9999, 10)
    assert level is not None
    assert level < 1
    assert fmt_level(level) != "1"


def test_fmt_level_keeps_the_decimals_that_tell_a_level_from_one() -> None:
    assert fmt_level(0.99999) == "0.99999"
    assert fmt_level(0.9999996) == "0.9999996"
    assert fmt_level(0.99994) == "0.9999"
    assert fmt_level(0.99995) == "0.99995"
    assert fmt_level(1 - 2**-53) == "0.9999999999999999"
    assert fmt_level(1.0) == "1"
    assert fmt_level(1.00004) == "1"


def test_fmt_level_adds_one_decimal_at_a_time() -> None:
    # 4 decimals round 0.999994 to 1; 5 tell it from 1 and are enough (not 6)
    assert fmt_level(0.999994) == "0.99999"
    assert fmt_level(0.9999994) == "0.999999"
