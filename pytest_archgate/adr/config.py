"""The ADR folder of the CLI's commands, found as the plugin finds it.

The rule and the ini reading live in :mod:`pytest_archgate.settings` (one resolver for the
plugin and the CLI); this module adds what only a command needs: ``--adr-dir`` relative to the
current folder, and a :class:`~pytest_archgate.errors.CommandError` instead of a
:class:`~pytest_archgate.settings.SettingError`.
"""

from __future__ import annotations

from pathlib import Path

from pytest_archgate.adr.files import find_adr_dir
from pytest_archgate.errors import CommandError
from pytest_archgate.settings import SettingError, resolve_in_project


def resolve_adr_dir(adr_dir: str | None, cwd: Path | None = None) -> tuple[Path | None, Path]:
    """(ADR folder or None, project root) as the plugin would find them from ``cwd``.

    ``--adr-dir`` (``adr_dir``) is relative to ``cwd``, like any path typed on a command line;
    ``ARCHGATE_ADR_DIR`` and the ini key are relative to the project root, as in pytest.
    """
    cwd = cwd or Path.cwd()
    if adr_dir:
        path = Path(adr_dir)
        return (path if path.is_absolute() else cwd / path), cwd
    try:
        resolved, root = resolve_in_project("adr_dir", None, cwd)
    except SettingError as exc:  # pragma: no cover - a text setting has no invalid value
        raise CommandError(exc.message, field=exc.source) from None
    value = resolved.value if isinstance(resolved.value, str) else None
    return find_adr_dir(root, value), root
