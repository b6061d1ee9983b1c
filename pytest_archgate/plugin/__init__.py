"""The pytest plugin: hooks (kept thin), the session that judges, the fixture, linking.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
