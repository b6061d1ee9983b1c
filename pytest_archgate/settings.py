"""archgate's settings and the one rule that resolves them, for the plugin and the CLI alike.

Every setting has three sources, and the first that gives a value wins:

1. the command line (``--archgate-strict``, or ``--adr-dir`` for the CLI);
2. the environment (``ARCHGATE_STRICT``); an empty variable counts as unset;
3. the ini file (``archgate_strict`` in ``pytest.ini``, ``pyproject.toml``, ...).

A flag set to an explicit false in the environment (``ARCHGATE_STRICT=0``, ``false``, ``no``,
``off``) therefore turns off a true in the ini file; a value that is neither true nor false is
refused with a message naming the variable, never guessed. Booleans are read the way pytest reads
``type="bool"`` ini values.

This module is imported by the CLI before anything else and must stay cheap: the standard
library only, and no pytest.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

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


@dataclass(frozen=True)
class Setting:
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


@dataclass(frozen=True)
class Resolved:
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


@dataclass(frozen=True)
class Settings:
    """Every setting, resolved."""

    adr_dir: str | None
    report: str | None
    strict: bool
    require_gpu: bool
    sources: Mapping[str, str]
    family: str = "none"


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
    )
