"""The MLP of :class:`mlpbench.data.MLPSpec` in PyTorch (eager mode, one CPU thread)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .data import Array, Labels, MLPSpec

name = "pytorch"


class Model:
    def __init__(self, net: nn.Module) -> None:
        self.net = net.eval()

    def predict_proba(self, X: Array) -> np.ndarray:
        with torch.inference_mode():
            return torch.sigmoid(self.net(torch.from_numpy(X))).squeeze(1).numpy()

    def predict_one(self, row: Array) -> float:
        with torch.inference_mode():
            return float(torch.sigmoid(self.net(torch.from_numpy(row).unsqueeze(0)))[0, 0])


def train(X: Array, y: Labels, spec: MLPSpec) -> Model:
    torch.set_num_threads(1)
    torch.manual_seed(spec.seed)
    h1, h2 = spec.hidden
    net = nn.Sequential(
        nn.Linear(X.shape[1], h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(), nn.Linear(h2, 1)
    )
    opt = torch.optim.Adam(net.parameters(), lr=spec.lr)
    loss_fn = nn.BCEWithLogitsLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.float32))
    gen = torch.Generator().manual_seed(spec.seed)
    for _ in range(spec.epochs):
        perm = torch.randperm(len(Xt), generator=gen)
        for start in range(0, len(Xt), spec.batch_size):
            idx = perm[start : start + spec.batch_size]
            opt.zero_grad()
            loss_fn(net(Xt[idx]).squeeze(1), yt[idx]).backward()
            opt.step()
    return Model(net)
