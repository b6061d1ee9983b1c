"""Writing to the decision log: new, accept, supersede, front-matter editing, diff.

One module per command (``new``, ``accept`` with ``evidence``, ``supersede``) over shared
parts: ``templates``, ``frontmatter`` and ``body`` (editing a record in place), ``lock`` (one
writer per ADR folder), ``write`` (all files or none), ``common`` (refusals, one-line OS errors,
re-parsing an edited text). ``diff`` compares two logs and writes nothing.

Internal: the public API is :mod:`pytest_archgate` (``__all__``).
"""
