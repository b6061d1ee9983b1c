"""The task, made once, and each framework's model, trained once on first use."""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from mlpbench import FRAMEWORKS
from mlpbench.data import MLPSpec, Task, make_task

# One CPU thread for every framework, so that training times compare implementations rather
# than thread pools. XLA reads this when JAX is first imported; a value you set yourself wins.
os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
)

_MODULES = {
    "pytorch": ("torch", "mlpbench.torch_mlp", "pip install torch"),
    "jax": ("jax", "mlpbench.jax_mlp", "pip install 'jax[cpu]>=0.4.25'"),
    "sklearn": ("sklearn", "mlpbench.sklearn_mlp", "pip install scikit-learn"),
}


def implementation(framework: str) -> ModuleType:
    """The framework's implementation module; skips the test when the framework is missing."""
    assert framework in FRAMEWORKS, framework
    package, module, install = _MODULES[framework]
    pytest.importorskip(
        package, reason=f"{framework} is not installed, so it is not benchmarked ({install})"
    )
    return importlib.import_module(module)


@pytest.fixture(scope="session")
def task() -> Task:
    return make_task()


@pytest.fixture(scope="session")
def spec() -> MLPSpec:
    return MLPSpec()


@pytest.fixture(scope="session")
def trained(task: Task, spec: MLPSpec) -> Callable[[str], tuple[Any, float]]:
    """``trained(framework)`` -> (model, training seconds), training on the first call only."""
    cache: dict[str, tuple[Any, float]] = {}

    def get(framework: str) -> tuple[Any, float]:
        if framework not in cache:
            impl = implementation(framework)
            start = time.perf_counter()
            model = impl.train(task.X_train, task.y_train, spec)
            cache[framework] = (model, time.perf_counter() - start)
        return cache[framework]

    return get
