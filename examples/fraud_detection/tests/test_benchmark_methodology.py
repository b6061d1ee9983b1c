"""ADR-0001: the benchmark data is what the methodology says it must be.

These are data checks, measured like any other criterion: ADR-0001 is accepted, so a change to
the simulator or the split that breaks them fails the run before any model result is read.
"""

from __future__ import annotations

import math

import pytest
from fraud.benchmark import Split

pytestmark = pytest.mark.archgate("ADR-0001")


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a proportion (95% for the default z)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def test_test_set_is_large_enough_and_realistic(archgate, split: Split) -> None:
    test = split.test
    frauds = int(test.is_fraud.sum())
    archgate.record("test_rows", len(test))
    archgate.record("test_fraud_cases", frauds)
    archgate.record("test_fraud_rate", test.fraud_rate, ci=wilson(frauds, len(test)), n=len(test))


def test_training_data_is_comparable(archgate, split: Split) -> None:
    train = split.train
    frauds = int(train.is_fraud.sum())
    archgate.record(
        "train_fraud_rate", train.fraud_rate, ci=wilson(frauds, len(train)), n=len(train)
    )


def test_split_is_by_time(archgate, split: Split) -> None:
    # hours from the first test transaction back to the last training one: negative is a gap
    overlap_hours = (split.train.timestamp.max() - split.test.timestamp.min()) / 3600.0
    archgate.record("train_test_time_overlap", overlap_hours)
