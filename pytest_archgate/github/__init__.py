"""GitHub: the REST client, Actions output and the pull-request comment.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
