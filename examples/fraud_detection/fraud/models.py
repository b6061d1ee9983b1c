"""The three candidate model families of ADR-0002, behind one small interface.

Every model is trained on the raw feature matrix of :func:`fraud.simulate.Transactions.features`
(columns in :data:`fraud.simulate.FEATURES` order, the merchant category as an integer code) and
exposes:

* ``predict_proba(X)``: the fraud probability of every row, a 1-D float array;
* ``score_one(row)``: the fraud probability of one raw transaction (a 1-D array of the same
  columns), doing all of its own preprocessing. This is what a real-time scoring service runs
  per request, so it is what the latency tests time.

Threads are pinned so that figures are comparable and reproducible. XGBoost trains on
``TRAIN_THREADS`` threads: one, because its OpenMP threads wait for each other at every step and
on a busy 2-core machine that waiting dominates (two threads took 101 s of wall time and 32 s of
CPU where one thread took 9.5 s and 3.9 s, with identical predictions). PyTorch uses one thread
throughout: a 64-unit MLP on batches of 256 gains nothing from a second thread, and
oversubscribed OpenMP threads on a shared 2-core CI runner made its training 10x slower in our
runs. Scoring one transaction uses one thread for every model (a scoring service runs one worker
per core; one request does not get the machine).

Each model takes the training ``seed`` (default :data:`SEED`): XGBoost's row and column
subsampling, the MLP's initial weights and batch order. The logistic regression's lbfgs solver
draws nothing at random, so its fit is the same for every seed. ADR-0002 trains every option
with several seeds (``fraud.benchmark.SEEDS``) and judges the quality criteria over all of them.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .simulate import CATEGORIES, FEATURES

TRAIN_THREADS = 1
SEED = 0

FloatArray = npt.NDArray[np.float64]
_CAT = FEATURES.index("merchant_category")
_LOG1P = [FEATURES.index(n) for n in ("amount", "txn_count_1h", "txn_count_24h")]
_LOG1P += [FEATURES.index(n) for n in ("account_age_days", "device_age_days")]
_LOG = [FEATURES.index("amount_ratio_to_typical")]
_NUMERIC = [i for i in range(len(FEATURES)) if i != _CAT]


class FraudModel(Protocol):
    name: str

    def predict_proba(self, X: FloatArray) -> FloatArray: ...

    def score_one(self, row: FloatArray) -> float: ...


class Preprocessor:
    """Standardised numeric features (heavy-tailed ones log-transformed) + one-hot category.

    What a linear model or a neural network needs; the tree model reads raw values. Written
    with numpy rather than scikit-learn's ``ColumnTransformer`` so that transforming one row
    costs microseconds, as it would in a hand-written scoring service.
    """

    def __init__(self) -> None:
        self.mean: FloatArray = np.zeros(len(_NUMERIC))
        self.scale: FloatArray = np.ones(len(_NUMERIC))
        self.width = len(_NUMERIC) + len(CATEGORIES)

    @staticmethod
    def _numeric(X: FloatArray) -> FloatArray:
        Z = np.array(X, dtype=np.float64, copy=True)
        Z[:, _LOG1P] = np.log1p(Z[:, _LOG1P])
        Z[:, _LOG] = np.log(Z[:, _LOG])
        return Z[:, _NUMERIC]

    def fit(self, X: FloatArray) -> Preprocessor:
        num = self._numeric(X)
        self.mean = num.mean(axis=0)
        self.scale = num.std(axis=0) + 1e-12
        return self

    def transform(self, X: FloatArray) -> npt.NDArray[np.float32]:
        X = np.atleast_2d(X)
        out = np.zeros((X.shape[0], self.width), dtype=np.float32)
        out[:, : len(_NUMERIC)] = (self._numeric(X) - self.mean) / self.scale
        out[np.arange(X.shape[0]), len(_NUMERIC) + X[:, _CAT].astype(np.int64)] = 1.0
        return out


class XGBoostModel:
    """Gradient-boosted trees (XGBoost, ``hist``), the category as a native categorical."""

    name = "xgboost"

    def __init__(self, n_estimators: int = 300, max_depth: int = 6, seed: int = SEED) -> None:
        import xgboost as xgb

        self.seed = seed
        self.model = xgb.XGBClassifier(
            n_estimators=n_estimators,
            max_depth=max_depth,
            learning_rate=0.1,
            subsample=0.8,
            colsample_bytree=0.8,
            tree_method="hist",
            enable_categorical=True,
            max_cat_to_onehot=1,
            feature_types=["c" if i == _CAT else "q" for i in range(len(FEATURES))],
            n_jobs=TRAIN_THREADS,
            random_state=seed,  # row and column subsampling
        )

    def fit(self, X: FloatArray, y: npt.NDArray[np.int64]) -> XGBoostModel:
        self.model.fit(X, y)
        self.booster = self.model.get_booster()
        return self

    def predict_proba(self, X: FloatArray) -> FloatArray:
        return np.asarray(self.model.predict_proba(X)[:, 1], dtype=np.float64)

    def serve(self) -> XGBoostModel:
        """Switch to single-request serving: one thread, direct booster calls."""
        self.booster.set_param({"nthread": 1})
        return self

    def score_one(self, row: FloatArray) -> float:
        return float(self.booster.inplace_predict(row.reshape(1, -1))[0])


class TorchMLP:
    """A small multilayer perceptron in PyTorch: two hidden layers, trained a few epochs."""

    name = "torch_mlp"

    def __init__(
        self,
        hidden: tuple[int, int] = (64, 32),
        epochs: int = 6,
        lr: float = 2e-3,
        seed: int = SEED,
    ) -> None:
        self.seed = seed
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.pre = Preprocessor()
        self.device = "cpu"

    def fit(self, X: FloatArray, y: npt.NDArray[np.int64]) -> TorchMLP:
        import torch
        from torch import nn

        torch.set_num_threads(1)
        torch.manual_seed(self.seed)  # initial weights
        Xt = torch.from_numpy(self.pre.fit(X).transform(X))
        yt = torch.from_numpy(np.asarray(y, dtype=np.float32))
        h1, h2 = self.hidden
        self.net = nn.Sequential(
            nn.Linear(self.pre.width, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(), nn.Linear(h2, 1)
        )
        opt = torch.optim.Adam(self.net.parameters(), lr=self.lr)
        loss_fn = nn.BCEWithLogitsLoss()
        gen = torch.Generator().manual_seed(self.seed)  # batch order
        batch = 256
        self.net.train()
        for _ in range(self.epochs):
            perm = torch.randperm(len(Xt), generator=gen)
            for start in range(0, len(Xt), batch):
                idx = perm[start : start + batch]
                opt.zero_grad()
                loss = loss_fn(self.net(Xt[idx]).squeeze(1), yt[idx])
                loss.backward()
                opt.step()
        self.net.eval()
        return self

    def predict_proba(self, X: FloatArray) -> FloatArray:
        import torch

        with torch.inference_mode():
            x = torch.from_numpy(self.pre.transform(X)).to(self.device)
            p = torch.sigmoid(self.net(x)).squeeze(1)
        return p.cpu().numpy().astype(np.float64)

    def serve(self, device: str = "cpu") -> TorchMLP:
        """Single-request serving: one CPU thread, or the model moved to ``device``."""
        import torch

        torch.set_num_threads(1)
        self.device = device
        self.net.to(device)
        return self

    def score_one(self, row: FloatArray) -> float:
        import torch  # already loaded: a dictionary lookup

        with torch.inference_mode():
            x = torch.from_numpy(self.pre.transform(row)).to(self.device)
            return float(torch.sigmoid(self.net(x))[0, 0])  # .item() waits for the device


class LogRegModel:
    """Logistic regression (scikit-learn) on standardised numeric + one-hot category."""

    name = "logreg"

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed  # lbfgs does not use it: the fit is the same for every seed
        self.pre = Preprocessor()

    def fit(self, X: FloatArray, y: npt.NDArray[np.int64]) -> LogRegModel:
        from sklearn.linear_model import LogisticRegression

        self.clf = LogisticRegression(max_iter=1000, random_state=self.seed)
        self.clf.fit(self.pre.fit(X).transform(X), y)
        # the linear score, for scoring one row without scikit-learn's input validation
        self.coef = self.clf.coef_[0].astype(np.float32)
        self.intercept = float(self.clf.intercept_[0])
        return self

    def predict_proba(self, X: FloatArray) -> FloatArray:
        return np.asarray(self.clf.predict_proba(self.pre.transform(X))[:, 1], dtype=np.float64)

    def serve(self) -> LogRegModel:
        return self

    def score_one(self, row: FloatArray) -> float:
        z = float(self.pre.transform(row)[0] @ self.coef) + self.intercept
        return 1.0 / (1.0 + math.exp(-z))
