"""The MLP of :class:`mlpbench.data.MLPSpec` in plain JAX: ``jax.numpy``, ``jax.value_and_grad``,
``jax.jit`` and a hand-written Adam step; no Flax, no Optax.

Only the stable core API is used (``jax.random.key``, ``jax.nn``, ``jax.nn.initializers``,
``jax.tree.map``, ``jax.jit``), which JAX 0.4.25 and later, 0.10.x included, provide. Import this
module only when JAX is installed: the tests guard it with ``pytest.importorskip``.
Dense layers use LeCun-normal weights and zero biases, Flax's default for ``nn.Dense``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .data import Array, Labels, MLPSpec

name = "jax"

Params = tuple[tuple[Any, Any], ...]
_B1, _B2, _EPS = 0.9, 0.999, 1e-8


def _forward(params: Params, x: Any) -> Any:
    (w1, b1), (w2, b2), (w3, b3) = params
    h = jax.nn.relu(x @ w1 + b1)
    h = jax.nn.relu(h @ w2 + b2)
    return (h @ w3 + b3)[:, 0]


def _loss(params: Params, x: Any, y: Any) -> Any:
    logits = _forward(params, x)
    # binary cross-entropy on logits, in the numerically stable form
    return jnp.mean(jnp.logaddexp(0.0, logits) - y * logits)


def _adam_step(
    params: Params, m: Params, v: Params, t: Any, x: Any, y: Any, lr: Any
) -> tuple[Params, Params, Params, Any]:
    loss, grads = jax.value_and_grad(_loss)(params, x, y)
    m = jax.tree.map(lambda m_, g: _B1 * m_ + (1 - _B1) * g, m, grads)
    v = jax.tree.map(lambda v_, g: _B2 * v_ + (1 - _B2) * g * g, v, grads)
    m_scale = 1.0 / (1.0 - _B1**t)
    v_scale = 1.0 / (1.0 - _B2**t)
    params = jax.tree.map(
        lambda p, m_, v_: p - lr * (m_ * m_scale) / (jnp.sqrt(v_ * v_scale) + _EPS), params, m, v
    )
    return params, m, v, loss


@jax.jit
def _epoch(
    params: Params, m: Params, v: Params, t0: Any, xb: Any, yb: Any, lr: Any
) -> tuple[Params, Params, Params, Any]:
    """Adam steps over the full batches ``xb[i]`` of one epoch, compiled as one ``lax.scan``."""

    def body(carry: Any, batch: Any) -> tuple[Any, Any]:
        params, m, v, t = carry
        params, m, v, loss = _adam_step(params, m, v, t + 1, batch[0], batch[1], lr)
        return (params, m, v, t + 1), loss

    (params, m, v, t), _ = jax.lax.scan(body, (params, m, v, t0), (xb, yb))
    return params, m, v, t


_step = jax.jit(_adam_step)


@jax.jit
def _predict(params: Params, x: Any) -> Any:
    return jax.nn.sigmoid(_forward(params, x))


class Model:
    def __init__(self, params: Params) -> None:
        self.params = params

    def predict_proba(self, X: Array) -> np.ndarray:
        return np.asarray(_predict(self.params, X))

    def predict_one(self, row: Array) -> float:
        # np.asarray waits for the result (JAX dispatches asynchronously)
        return float(np.asarray(_predict(self.params, row.reshape(1, -1)))[0])


def _init(key: Any, sizes: list[int]) -> Params:
    init = jax.nn.initializers.lecun_normal()
    keys = jax.random.split(key, len(sizes) - 1)
    return tuple(
        (init(k, (n_in, n_out), jnp.float32), jnp.zeros((n_out,), jnp.float32))
        for k, n_in, n_out in zip(keys, sizes[:-1], sizes[1:], strict=True)
    )


def train(X: Array, y: Labels, spec: MLPSpec) -> Model:
    params = _init(jax.random.key(spec.seed), [X.shape[1], *spec.hidden, 1])
    m = jax.tree.map(jnp.zeros_like, params)
    v = jax.tree.map(jnp.zeros_like, params)
    Xd = jnp.asarray(X)
    yd = jnp.asarray(y, dtype=jnp.float32)
    lr = jnp.float32(spec.lr)
    rng = np.random.default_rng(spec.seed)
    bs = spec.batch_size
    n_full = len(X) // bs
    t = jnp.float32(0)
    for _ in range(spec.epochs):
        perm = rng.permutation(len(X))
        full, rest = perm[: n_full * bs].reshape(n_full, bs), perm[n_full * bs :]
        params, m, v, t = _epoch(params, m, v, t, Xd[full], yd[full], lr)
        if len(rest):  # the last, smaller batch, as the other frameworks do
            t = t + 1
            params, m, v, _ = _step(params, m, v, t, Xd[rest], yd[rest], lr)
    jax.block_until_ready(params)
    return Model(params)
