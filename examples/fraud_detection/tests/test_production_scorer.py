"""ADR-0003: the production scorer (logreg) is judged against the base branch's report.

``FRAUD_DROP_FEATURE=<feature>`` plays a pull request that loses a feature: the column is set to
zero before training and scoring (``run.sh`` uses it to show a regression being caught).
"""

from __future__ import annotations

import os

import pytest
from fraud.benchmark import Split
from fraud.models import LogRegModel
from fraud.simulate import FEATURES


@pytest.mark.archgate("ADR-0003", option="logreg")
def test_production_scorer_against_the_base_branch(archgate, split: Split) -> None:
    X_train, X_test = split.X_train.copy(), split.X_test.copy()
    dropped = os.environ.get("FRAUD_DROP_FEATURE")
    if dropped:
        column = FEATURES.index(dropped)
        X_train[:, column] = 0.0
        X_test[:, column] = 0.0
    model = LogRegModel().fit(X_train, split.train.is_fraud)
    archgate.evaluate(split.test.is_fraud, model.predict_proba(X_test), ["roc_auc"])
