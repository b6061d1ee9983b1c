"""The benchmark set-up of ADR-0001, shared by the tests: one simulated period, split by time,
and every candidate of ADR-0002 trained on the same rows, once per training seed.

A candidate of ADR-0002 is a training recipe, not one fitted model: retrained with another seed
(XGBoost's row and column subsampling, the MLP's initial weights and batch order) it scores the
same test rows differently. ADR-0002 therefore trains every option with each of :data:`SEEDS`
and the tests record each fit as a replicate, so that the quality criteria are judged with the
between-seed variance included (Bouthillier et al., "Accounting for Variance in Machine Learning
Benchmarks", MLSys 2021). The data draw and the time split stay fixed: the split is by time, so
there is no split seed, and simulating another period would be another benchmark.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .models import FraudModel, LogRegModel, TorchMLP, XGBoostModel
from .simulate import SimulationConfig, Transactions, simulate, time_split

FloatArray = npt.NDArray[np.float64]
CONFIG = SimulationConfig()
TRAIN_DAYS = 42  # the first 70% of the 60 simulated days; ADR-0001 says why by time
OPTIONS = ("xgboost", "torch_mlp", "logreg")
# training seeds of ADR-0002; seed 0 is the model the latency and cost tests serve
SEEDS = (0, 1, 2, 3, 4)
_FAMILIES: dict[str, type[XGBoostModel] | type[TorchMLP] | type[LogRegModel]] = {
    "xgboost": XGBoostModel,
    "torch_mlp": TorchMLP,
    "logreg": LogRegModel,
}


@dataclass(frozen=True)
class Split:
    train: Transactions
    test: Transactions
    X_train: npt.NDArray[np.float64]
    X_test: npt.NDArray[np.float64]


@dataclass(frozen=True)
class Trained:
    model: FraudModel
    train_seconds: float


def load_split(config: SimulationConfig = CONFIG, train_days: int = TRAIN_DAYS) -> Split:
    train, test = time_split(simulate(config), config.n_days, train_days)
    return Split(train=train, test=test, X_train=train.features(), X_test=test.features())


def train_option(option: str, split: Split, seed: int = 0) -> Trained:
    """One option of ADR-0002 trained on the training period with ``seed``, ready to serve."""
    start = time.perf_counter()
    model = _FAMILIES[option](seed=seed).fit(split.X_train, split.train.is_fraud)
    return Trained(model=model.serve(), train_seconds=time.perf_counter() - start)


def train_candidates(split: Split, seed: int = 0) -> dict[str, Trained]:
    """Every option of ADR-0002 trained with ``seed`` on the training period, ready to serve."""
    return {option: train_option(option, split, seed) for option in OPTIONS}


class SeedScores:
    """Test-set scores and training time per (option, seed), trained on first use.

    Parametrised tests ask for one seed each; a cache shared by the session trains each
    (option, seed) once and reuses seed 0 from ``trained``.
    """

    def __init__(
        self, split: Split, trained: dict[str, Trained], seed0: dict[str, FloatArray]
    ) -> None:
        self.split = split
        self.cache: dict[tuple[str, int], tuple[FloatArray, float]] = {
            (o, SEEDS[0]): (seed0[o], t.train_seconds) for o, t in trained.items()
        }

    def get(self, option: str, seed: int) -> tuple[FloatArray, float]:
        """(scores on the test rows, training seconds) of ``option`` trained with ``seed``."""
        if (option, seed) not in self.cache:
            fit = train_option(option, self.split, seed)
            scores = fit.model.predict_proba(self.split.X_test)
            self.cache[option, seed] = (scores, fit.train_seconds)
        return self.cache[option, seed]
