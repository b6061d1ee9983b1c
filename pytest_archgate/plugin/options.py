"""archgate's settings as a pytest run sees them: options and ini keys through the one resolver.

Both the entry point (:mod:`pytest_archgate.plugin.hooks`, to decide cheaply whether the run
needs the ADR machinery at all) and :class:`~pytest_archgate.plugin.session.ArchgateSession`
read the settings here, so this module imports only pytest and the bottom layer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_archgate.adr.folder import find_adr_dir
from pytest_archgate.settings import SETTINGS, SettingError, Settings, resolve

# options of runs that only show something (tests, fixtures, markers, help): they never judge
# ADRs, write a report or a job summary, or fail because of archgate
INSPECTION_OPTIONS = (
    "collectonly",
    "help",
    "version",
    "showfixtures",
    "show_fixtures_per_test",
    "markers",
    "setupplan",
)


def inspection_only(config: pytest.Config) -> bool:
    """True for ``--collect-only``, ``--help``, ``--fixtures``, ``--markers``, ``--version``..."""
    return any(getattr(config.option, name, False) for name in INSPECTION_OPTIONS)


def settings_of(config: pytest.Config) -> Settings:
    """Every archgate setting: command line > ARCHGATE_* environment variable > ini key."""
    ini: dict[str, object] = {}
    for s in SETTINGS:
        try:
            ini[s.name] = config.getini(s.ini)
        except (ValueError, pytest.UsageError) as exc:  # pytest's bool parsing of the value
            from pytest_archgate import escape

            raise pytest.UsageError(
                f"archgate: ini key {s.ini}: {escape.text(exc)}; "
                "use one of 1, true, yes, on or 0, false, no, off"
            ) from None
    try:
        return resolve(
            cli={
                "adr_dir": config.getoption("archgate_adr_dir"),
                "report": config.getoption("archgate_report"),
                # store_true flags default to None: "not given", so the environment can speak
                "strict": config.getoption("archgate_strict") or None,
                "require_gpu": config.getoption("archgate_require_gpu") or None,
                "family": config.getoption("archgate_family"),
                "cache": config.getoption("archgate_cache"),
                "cache_dir": config.getoption("archgate_cache_dir"),
                "cache_max_age": config.getoption("archgate_cache_max_age"),
                "base_report": config.getoption("archgate_base_report"),
                "base_max_age": config.getoption("archgate_base_max_age"),
            },
            ini=ini,
        )
    except SettingError as exc:
        from pytest_archgate import escape

        raise pytest.UsageError(escape.text(f"archgate: {exc}")) from None


def source_of(settings: Settings, name: str) -> str:
    """Where a setting came from, as the user wrote it (``--archgate-report``, an ini key...)."""
    source = settings.sources.get(name, "")
    return f"--archgate-{name.replace('_', '-')}" if source == "command line" else source


def adr_dir_of(config: pytest.Config, settings: Settings) -> Path | None:
    """The ADR folder the run uses (or the configured one, which may not exist), or None."""
    return find_adr_dir(Path(str(config.rootpath)), settings.adr_dir)


def needs_session_now(config: pytest.Config, settings: Settings) -> bool:
    """Whether the ADR machinery must load at configure time, before any test is collected.

    It must when there is an ADR folder (or one is configured: a missing one is a usage
    error), or a report is asked for (written by every run, also without ADRs). Otherwise a
    collected test that uses archgate loads it (see ``plugin/hooks.py``), and a run that does
    not costs a few ``stat`` calls.
    """
    return settings.report is not None or adr_dir_of(config, settings) is not None
