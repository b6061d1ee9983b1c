"""Where a project's ADR folder is.

Every pytest run of a project that installs the plugin asks this question (an ADR folder makes
the run load the ADR machinery at configure time, ``plugin/options.py``), so it lives apart from
the rules that tell a decision file from the rest (``adr/files.py``): this module imports only
:mod:`pathlib`.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_ADR_DIR = "adr"
FALLBACK_ADR_DIRS = ("docs/adr", "doc/adr", "docs/decisions")


def find_adr_dir(rootdir: Path, configured: str | None = None) -> Path | None:
    """The ADR folder for a project rooted at ``rootdir``.

    ``configured`` (from ``--archgate-adr-dir`` / the ini option) wins; the default ``adr`` falls
    back to the first existing of ``docs/adr``, ``doc/adr``, ``docs/decisions``. Returns the
    configured path even when it does not exist (the caller reports that), or None when the
    default and every fallback are missing.
    """
    if configured and configured != DEFAULT_ADR_DIR:
        path = Path(configured)
        return path if path.is_absolute() else rootdir / path
    for candidate in (DEFAULT_ADR_DIR, *FALLBACK_ADR_DIRS):
        path = rootdir / candidate
        if path.is_dir():
            return path
    return None
