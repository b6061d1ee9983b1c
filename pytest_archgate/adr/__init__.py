"""Decision records: parsing per format, criteria, cost, configuration. Imports only
``measure`` and the bottom modules.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
