"""The MLP of :class:`mlpbench.data.MLPSpec` as scikit-learn's ``MLPClassifier`` (NumPy)."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from .data import Array, Labels, MLPSpec

name = "sklearn"


class Model:
    def __init__(self, clf: MLPClassifier) -> None:
        self.clf = clf

    def predict_proba(self, X: Array) -> np.ndarray:
        with threadpool_limits(limits=1):
            return self.clf.predict_proba(X)[:, 1]

    def predict_one(self, row: Array) -> float:
        # no threadpool_limits here: entering it costs more than the prediction; BLAS does not
        # spawn threads for a one-row matrix product anyway
        return float(self.clf.predict_proba(row.reshape(1, -1))[0, 1])


def train(X: Array, y: Labels, spec: MLPSpec) -> Model:
    clf = MLPClassifier(
        hidden_layer_sizes=spec.hidden,
        activation="relu",
        solver="adam",
        alpha=0.0,  # no L2 penalty, like the other implementations
        batch_size=spec.batch_size,
        learning_rate_init=spec.lr,
        max_iter=spec.epochs,  # epochs, for the adam solver
        shuffle=True,
        random_state=spec.seed,
        tol=0.0,
        n_iter_no_change=spec.epochs + 1,  # never stop early
    )
    with threadpool_limits(limits=1), warnings.catch_warnings():
        # "maximum iterations reached": a fixed number of epochs is the specification
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return Model(clf)
