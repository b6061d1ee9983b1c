"""Decision records. Imports only ``measure`` and the bottom modules.

In the order a record is read: ``files`` (which files are decisions, the ADR folder, reading one
safely), ``markdown_format`` / ``rst_format`` (the body of each format), ``safe_yaml`` (front
matter), ``status`` (status texts), ``criteria`` and ``cost`` (the criteria and prices of an
``archgate:`` block), ``block`` (that block), ``parse`` (one file into a ``model.Adr``), ``log``
(a folder of records), ``lint`` (its problems); ``config`` finds the folder a project configured.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
