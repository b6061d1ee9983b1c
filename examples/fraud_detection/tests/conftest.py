"""Session fixtures: simulate once, split by time once, train every candidate once.

Every test of ADR-0002 reads the same cached models and the same test rows, so that paired
``vs logreg`` criteria compare the options on identical transactions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from fraud.benchmark import Split, Trained, load_split, train_candidates


@pytest.fixture(scope="session")
def split() -> Split:
    return load_split()


@pytest.fixture(scope="session")
def trained(split: Split) -> dict[str, Trained]:
    return train_candidates(split)


@pytest.fixture(scope="session")
def test_scores(split: Split, trained: dict[str, Trained]) -> dict[str, npt.NDArray[np.float64]]:
    """Fraud probability of every test transaction, per option."""
    return {name: t.model.predict_proba(split.X_test) for name, t in trained.items()}
