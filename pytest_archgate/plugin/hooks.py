"""pytest entry point of archgate: options, ini keys, markers and the ``archgate`` fixture.

Everything else is delegated: :class:`~pytest_archgate.plugin.session.ArchgateSession` owns the
run-time hooks, and the library modules do the parsing, measuring and judging. This module must
stay cheap to import: it is loaded into every pytest run of every project that installs the
plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pytest_archgate import escape
from pytest_archgate.errors import ArchgateError
from pytest_archgate.plugin.linking import GPU_MARKER_HELP, MARKER_HELP
from pytest_archgate.plugin.session import ArchgateSession, ExitGuard
from pytest_archgate.settings import help_text

if TYPE_CHECKING:
    from pytest_archgate.plugin.fixture import Archgate

SESSION_KEY = pytest.StashKey[ArchgateSession]()
INSPECTING_KEY = pytest.StashKey[bool]()
# the configured sessions, innermost last (pytester runs pytest inside pytest); None stands for
# a run that only inspects (--collect-only, --help, ...), which has no session
_ACTIVE: list[ArchgateSession | None] = []

HELP_ADR_DIR = help_text("adr_dir")
HELP_REPORT = help_text("report")
HELP_STRICT = help_text("strict")
HELP_REQUIRE_GPU = help_text("require_gpu")
HELP_FAMILY = help_text("family")

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


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register archgate's command-line options and ini keys (see settings.py)."""
    group = parser.getgroup("archgate", "architecture decisions (pytest-archgate)")
    group.addoption("--archgate-adr-dir", dest="archgate_adr_dir", metavar="DIR", help=HELP_ADR_DIR)
    group.addoption("--archgate-report", dest="archgate_report", metavar="PATH", help=HELP_REPORT)
    # flags default to None, not False: "not given" lets the environment and the ini speak
    group.addoption(
        "--archgate-strict",
        dest="archgate_strict",
        action="store_true",
        default=None,
        help=HELP_STRICT,
    )
    group.addoption(
        "--archgate-require-gpu",
        dest="archgate_require_gpu",
        action="store_true",
        default=None,
        help=HELP_REQUIRE_GPU,
    )
    group.addoption(
        "--archgate-family", dest="archgate_family", metavar="none|holm", help=HELP_FAMILY
    )
    parser.addini("archgate_adr_dir", HELP_ADR_DIR, default="adr")
    parser.addini("archgate_report", HELP_REPORT, default="")
    parser.addini("archgate_strict", HELP_STRICT, type="bool", default=False)
    parser.addini("archgate_require_gpu", HELP_REQUIRE_GPU, type="bool", default=False)
    parser.addini("archgate_family", HELP_FAMILY, default="")


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers and the session object that owns the run-time hooks."""
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line("markers", GPU_MARKER_HELP)
    if inspection_only(config):
        # collection is not judgement: no ADR is read, so nothing can fail or be written
        _ACTIVE.append(None)
        config.stash[INSPECTING_KEY] = True
        return
    try:
        session = ArchgateSession(config)
    except ArchgateError as exc:
        raise pytest.UsageError(escape.line(f"archgate: {exc}")) from None
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(session, "archgate-session")
    if not session.is_worker:
        config.pluginmanager.register(ExitGuard(session), "archgate-exit-guard")
    _ACTIVE.append(session)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drop the session object and its scratch folder."""
    if config.stash.get(INSPECTING_KEY, False):
        del config.stash[INSPECTING_KEY]
        if None in _ACTIVE:
            # the innermost placeholder: remove the last None
            index = len(_ACTIVE) - 1 - _ACTIVE[::-1].index(None)
            del _ACTIVE[index]
        return
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        if session in _ACTIVE:
            _ACTIVE.remove(session)
        session.close()
        config.pluginmanager.unregister(session)
        guard = config.pluginmanager.get_plugin("archgate-exit-guard")
        if guard is not None:
            config.pluginmanager.unregister(guard)
        del config.stash[SESSION_KEY]


@pytest.fixture
def archgate() -> Archgate:
    """Record measurements (``record``, ``evaluate``, ``latency``) for the test's linked ADRs."""
    # The session knows the item being set up; asking for `request` instead would make pytest
    # build a fixture definition for it on every test, which shows in large suites.
    session = _ACTIVE[-1] if _ACTIVE else None
    item = session.current_item if session is not None else None
    if session is None or item is None:
        from pytest_archgate.plugin.fixture import Archgate as _Archgate

        # outside a judged run (e.g. --setup-plan) measurements have nowhere to go
        return _Archgate("(not judged)", [])
    return session.recorder(item)
