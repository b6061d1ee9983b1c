"""Rules of ``pytest_archgate.measure.replicates`` (independent replicates, their combined
estimates and intervals, the probability of outperforming, pass^k) that mutation testing found
unpinned (issue 15)."""

from __future__ import annotations

import pytest

from pytest_archgate.measure.replicates import pass_at_all_k


def test_pass_hat_k_is_the_unbiased_estimate_of_tau_bench() -> None:
    """pass^k of an item = C(c, k) / C(n, k) (Yao et al. 2024, tau-bench, arXiv:2406.12045):
    n = 10 runs, c = 7 passes, k = 5 gives C(7, 5) / C(10, 5) = 21 / 252; an item with fewer
    passes than k has 0."""
    assert list(pass_at_all_k([7, 4, 10], 10, 5)) == pytest.approx([21 / 252, 0.0, 1.0])
