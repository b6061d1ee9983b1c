"""The task and the model specification every framework implements.

The task is a synthetic binary classification problem from
:func:`sklearn.datasets.make_classification` with a fixed seed: 20 features of which 8 are
informative and 4 redundant, two clusters per class, 3% of labels flipped (so no model can be
perfect). Features are standardised with the training rows' mean and standard deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


@dataclass(frozen=True)
class MLPSpec:
    """The model and its training, identical in every framework.

    Two hidden ReLU layers, a sigmoid output, binary cross-entropy, Adam with the usual
    defaults (beta1 0.9, beta2 0.999, eps 1e-8), mini-batches in a shuffled order, a fixed
    number of epochs, no regularisation, no early stopping. Weight initialisation is each
    framework's default for a dense layer (they differ slightly; that is part of the framework).
    """

    hidden: tuple[int, int] = (64, 64)
    epochs: int = 12
    batch_size: int = 128
    lr: float = 1e-3
    seed: int = 0


@dataclass(frozen=True)
class Task:
    X_train: Array
    y_train: Labels
    X_test: Array
    y_test: Labels


def make_task(n_rows: int = 30_000, test_share: float = 0.2, seed: int = 0) -> Task:
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n_rows,
        n_features=20,
        n_informative=8,
        n_redundant=4,
        n_clusters_per_class=2,
        flip_y=0.03,
        class_sep=1.0,
        random_state=seed,
    )
    n_test = int(n_rows * test_share)
    X_train, X_test = X[:-n_test], X[-n_test:]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return Task(
        X_train=((X_train - mean) / std).astype(np.float32),
        y_train=y[:-n_test].astype(np.int64),
        X_test=((X_test - mean) / std).astype(np.float32),
        y_test=y[-n_test:].astype(np.int64),
    )
