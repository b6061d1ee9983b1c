"""ADR-0001: the same MLP trained and served in PyTorch, JAX and scikit-learn.

Per framework: training time, accuracy with a confidence interval (and paired against the
scikit-learn baseline on the same test rows), and the latency of predicting one row. JAX is
skipped with its reason when it is not installed; the ADR then shows it as unmeasured.
"""

from __future__ import annotations

import numpy as np
import pytest
from mlpbench import FRAMEWORKS
from mlpbench.data import Task

ADR = "ADR-0001"


def per_framework() -> list[object]:
    return [pytest.param(f, marks=pytest.mark.archgate(ADR, option=f), id=f) for f in FRAMEWORKS]


@pytest.mark.parametrize("framework", per_framework())
def test_train_and_accuracy(archgate, framework: str, task: Task, trained) -> None:
    model, seconds = trained(framework)
    archgate.record("train_seconds", seconds)
    archgate.record("train_rows", len(task.X_train))
    archgate.record("n_features", task.X_train.shape[1])
    archgate.evaluate(
        task.y_test, model.predict_proba(task.X_test), metrics=("accuracy", "roc_auc")
    )


@pytest.mark.parametrize("framework", per_framework())
def test_latency_one_row(archgate, framework: str, task: Task, trained) -> None:
    model, _ = trained(framework)
    archgate.latency(model.predict_one, inputs=list(task.X_test[:256]), max_seconds=2.0)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_one_row_prediction_matches_batch(framework: str, task: Task, trained) -> None:
    model, _ = trained(framework)
    rows = task.X_test[:20]
    one_by_one = np.array([model.predict_one(r) for r in rows])
    np.testing.assert_allclose(one_by_one, model.predict_proba(rows), rtol=1e-4, atol=1e-6)
