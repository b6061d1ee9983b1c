"""The ``archgate`` command: argument parsing and dispatch only.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
