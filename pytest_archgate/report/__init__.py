"""The report (schema, loading, building) and every rendering of it: text, Markdown,
HTML, merge.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
