"""pytest-archgate: make machine-learning architecture decisions enforceable.

The public, pure API (usable outside pytest) is re-exported here lazily, so that importing the
package, which pytest does in every run through the plugin entry point, stays cheap and never
imports numpy-heavy or ML modules until they are used.
"""

from __future__ import annotations

import typing as _typing  # TYPE_CHECKING and Any, without making them public names

from pytest_archgate.errors import (
    AdrError,
    ArchgateError,
    ArchgateWarning,
    CommandError,
    CriterionError,
    MeasurementError,
    NeedsReviewWarning,
    ReportError,
    SupersededAdrWarning,
    UnknownAdrError,
)

__version__ = "0.1.0"

__all__ = [
    "AdrError",
    "ArchgateError",
    "ArchgateWarning",
    "CommandError",
    "CriterionError",
    "Estimate",
    "MeasurementError",
    "NeedsReviewWarning",
    "ReportError",
    "SupersededAdrWarning",
    "UnknownAdrError",
    "__version__",
    "compare",
    "evaluate",
    "measure_latency",
    "register_metric",
]

if _typing.TYPE_CHECKING:
    from pytest_archgate.measure.estimate import Estimate
    from pytest_archgate.measure.latency import measure_latency
    from pytest_archgate.measure.metrics import compare, evaluate, register_metric

_LAZY = {
    "evaluate": "measure.metrics",
    "compare": "measure.metrics",
    "register_metric": "measure.metrics",
    "measure_latency": "measure.latency",
    "Estimate": "measure.estimate",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_archgate' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
