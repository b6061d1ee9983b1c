"""Writing to the decision log: new, accept, supersede, front-matter editing, diff.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
