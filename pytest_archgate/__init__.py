"""pytest-archgate: make machine-learning architecture decisions enforceable.

The public, pure API (usable outside pytest) is re-exported here lazily, so that importing the
package, which pytest does in every run through the plugin entry point, stays cheap and never
imports numpy-heavy or ML modules until they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
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

if TYPE_CHECKING:
    from .latency import measure_latency
    from .measure import Estimate
    from .metrics import compare, evaluate, register_metric

_LAZY = {
    "evaluate": "metrics",
    "compare": "metrics",
    "register_metric": "metrics",
    "measure_latency": "latency",
    "Estimate": "measure",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_archgate' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
