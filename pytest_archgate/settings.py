"""archgate's settings and the one rule that resolves them, for the plugin and the CLI alike.

Every setting has three sources, and the first that gives a value wins:

1. the command line (``--archgate-strict``, or ``--adr-dir`` for the CLI);
2. the environment (``ARCHGATE_STRICT``); an empty variable counts as unset;
3. the ini file (``archgate_strict`` in ``pytest.ini``, ``pyproject.toml``, ...).

A flag set to an explicit false in the environment (``ARCHGATE_STRICT=0``, ``false``, ``no``,
``off``) therefore turns off a true in the ini file; a value that is neither true nor false is
refused with a message naming the variable, never guessed. Booleans are read the way pytest reads
``type="bool"`` ini values.

The plugin gets the command line and ini values from pytest; the CLI gets its command line from
argparse and the ini values from :func:`read_ini`, which looks for the pytest configuration the
way pytest does. Both then go through :func:`resolve_one` / :func:`resolve`, and both find the
ADR folder from the resolved value with :func:`pytest_archgate.adr.files.find_adr_dir`: there
is no second precedence rule anywhere.

This module is imported by the plugin entry point in every pytest run and by the CLI before
anything else, so it must stay cheap: the standard library only (``tomllib`` and
``configparser`` are imported when an ini file is read), no pytest, no PyYAML.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, NamedTuple

Kind = Literal["bool", "text"]

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n", "f"})


class SettingError(ValueError):
    """A setting has a value that is neither true nor false (or otherwise unusable).

    The plugin turns it into a pytest usage error, the CLI into a one-line error (exit 2).
    """

    def __init__(self, message: str, *, source: str) -> None:
        self.source = source
        self.message = message
        super().__init__(f"{source}: {message}")


# NamedTuples rather than frozen dataclasses: the plugin entry point and the CLI import this
# module in every run, and a dataclass costs about fifteen times as much to create (generated
# methods through exec); the records are immutable either way.
class Setting(NamedTuple):
    """One setting and its three spellings."""

    name: str
    option: str
    env: str
    ini: str
    kind: Kind
    help: str
    choices: tuple[str, ...] = ()  # a text setting limited to these words (lower case)

    @property
    def default(self) -> bool | str | None:
        return False if self.kind == "bool" else None


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "adr_dir",
        "--archgate-adr-dir",
        "ARCHGATE_ADR_DIR",
        "archgate_adr_dir",
        "text",
        "folder holding the ADRs, relative to the rootdir (default: adr, else the first existing "
        "of docs/adr, doc/adr, docs/decisions)",
    ),
    Setting(
        "report",
        "--archgate-report",
        "ARCHGATE_REPORT",
        "archgate_report",
        "text",
        "write the archgate JSON report to this path (relative to the folder pytest was started "
        "in)",
    ),
    Setting(
        "strict",
        "--archgate-strict",
        "ARCHGATE_STRICT",
        "archgate_strict",
        "bool",
        "fail the run when an accepted ADR has unmeasured criteria or violated constraints",
    ),
    Setting(
        "require_gpu",
        "--archgate-require-gpu",
        "ARCHGATE_REQUIRE_GPU",
        "archgate_require_gpu",
        "bool",
        "fail, instead of skip, @pytest.mark.gpu tests when no CUDA device is usable",
    ),
    Setting(
        "family",
        "--archgate-family",
        "ARCHGATE_FAMILY",
        "archgate_family",
        "text",
        "none or holm: holm judges each ADR's confidence criteria with Holm's step-down, so "
        "every criterion reported as met holds simultaneously at the family's level (an ADR's "
        "own 'family: holm' applies either way)",
        choices=("none", "holm"),
    ),
    Setting(
        "base_report",
        "--archgate-base-report",
        "ARCHGATE_BASE_REPORT",
        "archgate_base_report",
        "text",
        "the base branch's archgate JSON report: criteria with vs: '@base' compare this run "
        "with it (relative to the folder pytest was started in)",
    ),
    Setting(
        "base_max_age",
        "--archgate-base-max-age",
        "ARCHGATE_BASE_MAX_AGE",
        "archgate_base_max_age",
        "text",
        "a base report older than this (e.g. 30d, 36h, 90m; default 30d) is stale: vs '@base' "
        "criteria are then unmeasured",
    ),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def help_text(name: str) -> str:
    """The help line of a setting, naming its environment variable and ini key."""
    s = BY_NAME[name]
    return f"{s.help}; env {s.env}, ini {s.ini}"


def parse_bool(value: object, *, source: str) -> bool:
    """``value`` as a boolean, or :class:`SettingError` naming ``source``."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    shown = str(value)
    if len(shown) > 40:
        shown = shown[:40] + "..."
    raise SettingError(
        f"{shown!r} is neither true nor false; use one of 1, true, yes, on or 0, false, no, off",
        source=source,
    )


class Resolved(NamedTuple):
    """One setting's value and where it came from (``command line``, ``ARCHGATE_X``, ...)."""

    name: str
    value: bool | str | None
    source: str


def resolve_one(
    name: str,
    cli: Mapping[str, object] | None = None,
    ini: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Resolved:
    """Resolve one setting: command line > environment > ini > default.

    ``cli`` and ``ini`` map setting names (``strict``) to what that source gave; ``None`` (or a
    missing key) means the source did not set it. A boolean command-line flag that was not
    passed must be ``None``, not ``False``. ``environ`` defaults to ``os.environ``.
    """
    s = BY_NAME[name]
    env = os.environ if environ is None else environ
    given = (cli or {}).get(name)
    if given is not None and given != "":
        return Resolved(name, _coerce(s, given, s.option), "command line")
    raw = env.get(s.env)
    if raw is not None and raw.strip() != "":
        return Resolved(name, _coerce(s, raw, s.env), s.env)
    from_ini = (ini or {}).get(name)
    if from_ini is not None and from_ini != "":
        return Resolved(name, _coerce(s, from_ini, f"ini key {s.ini}"), f"ini key {s.ini}")
    return Resolved(name, s.default, "default")


def _coerce(s: Setting, value: object, source: str) -> bool | str:
    if s.kind == "bool":
        return parse_bool(value, source=source)
    text = str(value).strip() if isinstance(value, str) else str(value)
    if s.choices and text.lower() not in s.choices:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise SettingError(f"{shown!r} is not one of {', '.join(s.choices)}", source=source)
    return text.lower() if s.choices else text


class Settings(NamedTuple):
    """Every setting, resolved."""

    adr_dir: str | None
    report: str | None
    strict: bool
    require_gpu: bool
    sources: Mapping[str, str]
    family: str = "none"
    base_report: str | None = None
    base_max_age: str | None = None


def resolve(
    cli: Mapping[str, object] | None = None,
    ini: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every setting (see :func:`resolve_one`); the first bad value raises."""
    values = {s.name: resolve_one(s.name, cli, ini, environ) for s in SETTINGS}
    adr_dir = values["adr_dir"].value
    report = values["report"].value
    return Settings(
        adr_dir=adr_dir if isinstance(adr_dir, str) else None,
        report=report if isinstance(report, str) else None,
        strict=values["strict"].value is True,
        require_gpu=values["require_gpu"].value is True,
        sources={k: v.source for k, v in values.items()},
        family="holm" if values["family"].value == "holm" else "none",
        base_report=_text(values["base_report"].value),
        base_max_age=_text(values["base_max_age"].value),
    )


def _text(value: bool | str | None) -> str | None:
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------------------------
# the ini values outside pytest (for the CLI)


def read_ini(start: Path) -> tuple[Path, dict[str, str]]:
    """(rootdir, pytest ini values) for the project containing ``start``.

    The first of ``pytest.toml``, ``.pytest.toml``, ``pytest.ini``, ``.pytest.ini``,
    ``pyproject.toml`` (``[tool.pytest.ini_options]`` or ``[tool.pytest]``), ``tox.ini``
    (``[pytest]``), ``setup.cfg`` (``[tool:pytest]``) in ``start`` or a folder above, as pytest
    looks for its configuration.
    """
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
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        return {}


def _strings(table: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        return {}
    return {k: str(v) for k, v in table.items() if not isinstance(v, dict)}


def _ini_section(path: Path, section: str) -> dict[str, str] | None:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return None
    except UnicodeDecodeError:
        # one line naming the file, never a traceback (pytest reads its ini files as UTF-8 too)
        raise SettingError("is not UTF-8 text: save it as UTF-8", source=str(path)) from None
    if not parser.has_section(section):
        return None
    return dict(parser.items(section))


def resolve_in_project(
    name: str,
    given: object = None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Resolved, Path]:
    """One setting as a pytest run started in ``cwd`` would resolve it, and the project root.

    ``given`` is what the CLI's own option gave (``None``: not given); the environment and the
    ini key of the project's pytest configuration (:func:`read_ini`) follow, by
    :func:`resolve_one`'s rule. Raises :class:`SettingError` for a value pytest would refuse.
    """
    root, ini = read_ini(cwd or Path.cwd())
    resolved = resolve_one(
        name, cli={name: given}, ini={name: ini.get(BY_NAME[name].ini)}, environ=environ
    )
    return resolved, root
