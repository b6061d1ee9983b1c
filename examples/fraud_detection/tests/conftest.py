"""Session fixtures: simulate once, split by time once, train every candidate once per seed.

Every test of ADR-0002 reads the same cached models and the same test rows, so that paired
``vs logreg`` criteria compare the options on identical transactions. The models of seed 0 are
kept and served by the latency tests; the other seeds' models are scored on the test rows and
dropped, since only their scores are needed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from fraud.benchmark import SEEDS, SeedScores, Split, Trained, load_split, train_candidates

Scores = npt.NDArray[np.float64]


@pytest.fixture(scope="session")
def split() -> Split:
    return load_split()


@pytest.fixture(scope="session")
def trained(split: Split) -> dict[str, Trained]:
    """Every option trained with seed 0: the models the latency and cost tests serve."""
    return train_candidates(split, seed=SEEDS[0])


@pytest.fixture(scope="session")
def test_scores(split: Split, trained: dict[str, Trained]) -> dict[str, Scores]:
    """Fraud probability of every test transaction, per option (seed 0)."""
    return {name: t.model.predict_proba(split.X_test) for name, t in trained.items()}


@pytest.fixture(scope="session")
def seed_scores(
    split: Split, trained: dict[str, Trained], test_scores: dict[str, Scores]
) -> SeedScores:
    return SeedScores(split, trained, test_scores)
