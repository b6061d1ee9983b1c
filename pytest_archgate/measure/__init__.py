"""Measurements: numbers with intervals (estimates, metrics, statistics, latency,
environment, GPU, replicates). This layer knows nothing of ADRs.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
