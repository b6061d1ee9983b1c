"""Reading archgate's settings outside pytest, for the CLI.

The CLI must find the same ADR folder as the plugin, so it resolves ``adr_dir`` with the same
rule (:mod:`pytest_archgate.settings`: command line > ``ARCHGATE_ADR_DIR`` > ini key) and reads
the ``archgate_adr_dir`` ini key from the project's pytest configuration the way pytest looks for
it: the first of ``pytest.toml``, ``.pytest.toml``, ``pytest.ini``, ``.pytest.ini``,
``pyproject.toml`` (``[tool.pytest.ini_options]`` or ``[tool.pytest]``), ``tox.ini``
(``[pytest]``), ``setup.cfg`` (``[tool:pytest]``) in the current folder or above.
"""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path
from typing import Any

from pytest_archgate.adr.files import find_adr_dir
from pytest_archgate.errors import CommandError
from pytest_archgate.settings import SettingError, resolve_one


def read_ini(start: Path) -> tuple[Path, dict[str, str]]:
    """(rootdir, pytest ini values) for the project containing ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        for name in ("pytest.toml", ".pytest.toml"):  # pytest 9's native TOML files
            path = folder / name
            if path.is_file():
                table = _toml(path).get("pytest", {})
                return folder, _strings(table)
        for name in ("pytest.ini", ".pytest.ini"):
            path = folder / name
            if path.is_file():
                return folder, _ini_section(path, "pytest") or {}
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            tool = _toml(pyproject).get("tool", {}).get("pytest", {})
            if isinstance(tool, dict) and isinstance(tool.get("ini_options"), dict):
                return folder, _strings(tool["ini_options"])
            if isinstance(tool, dict) and tool:  # pytest 9: [tool.pytest] with TOML types
                return folder, _strings(tool)
        for name, sect in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
            path = folder / name
            if path.is_file():
                values = _ini_section(path, sect)
                if values is not None:
                    return folder, values
    return start, {}


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        return {}


def _strings(table: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        return {}
    return {k: str(v) for k, v in table.items() if not isinstance(v, dict)}


def _ini_section(path: Path, section: str) -> dict[str, str] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return None
    if not parser.has_section(section):
        return None
    return dict(parser.items(section))


def resolve_adr_dir(adr_dir: str | None, cwd: Path | None = None) -> tuple[Path | None, Path]:
    """(ADR folder or None, project root) as the plugin would find them from ``cwd``.

    ``--adr-dir`` (``adr_dir``) is relative to ``cwd``, like any path typed on a command line;
    ``ARCHGATE_ADR_DIR`` and the ini key are relative to the project root, as in pytest.
    """
    cwd = cwd or Path.cwd()
    if adr_dir:
        path = Path(adr_dir)
        return (path if path.is_absolute() else cwd / path), cwd
    root, ini = read_ini(cwd)
    try:
        resolved = resolve_one("adr_dir", ini={"adr_dir": ini.get("archgate_adr_dir")})
    except SettingError as exc:  # pragma: no cover - a text setting has no invalid value
        raise CommandError(exc.message, field=exc.source) from None
    value = resolved.value if isinstance(resolved.value, str) else None
    return find_adr_dir(root, value), root
