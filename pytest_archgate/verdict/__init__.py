"""Judging measurements against an ADR's criteria; ranking options. Returns data, never
renders it.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
