"""pytest entry point of archgate: options, ini keys, markers and the ``archgate`` fixture.

This module is loaded into every pytest run of every project that installs the plugin, so it
imports only pytest and cheap modules (the settings resolver, the marker texts, the error tree,
where the ADR folder is; the escaper only when it reports an error): no ADR parser, no PyYAML,
no report code. The way Hypothesis's pytest plugin registers its options without importing
Hypothesis, everything else loads only when the run needs it (see
``adr/0014-lazy-plugin-and-cli-imports.md``):

* at configure time, when the project has an ADR folder (or configures one) or asks for a
  report: :class:`~pytest_archgate.plugin.session.ArchgateSession` is created as it always was;
* otherwise a :class:`LazyGate` waits: when a collected test carries an ``archgate`` or ``gpu``
  marker or uses the ``archgate`` fixture, it creates the session then and hands it the items
  (an unknown ADR id without an ADR folder is then the same clear error as ever); an xdist
  controller, which collects nothing, creates it from the first report that carries archgate
  data from a worker. A run that uses none of it costs a few ``stat`` calls.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import pytest

from pytest_archgate.errors import ArchgateError
from pytest_archgate.plugin.linking import GPU_MARKER_HELP, MARKER_HELP, uses_archgate
from pytest_archgate.plugin.options import inspection_only, needs_session_now, settings_of
from pytest_archgate.settings import Settings, help_text

if TYPE_CHECKING:
    from pytest_archgate.plugin.fixture import Archgate
    from pytest_archgate.plugin.session import ArchgateSession

HELP_ADR_DIR = help_text("adr_dir")
HELP_REPORT = help_text("report")
HELP_STRICT = help_text("strict")
HELP_REQUIRE_GPU = help_text("require_gpu")
HELP_FAMILY = help_text("family")
HELP_CACHE = help_text("cache")
HELP_CACHE_DIR = help_text("cache_dir")
HELP_CACHE_MAX_AGE = help_text("cache_max_age")
HELP_BASE_REPORT = help_text("base_report")
HELP_BASE_MAX_AGE = help_text("base_max_age")


class Slot:
    """archgate's place in one configured pytest run: its session, once there is one.

    ``inspecting`` marks a run that only shows something (``--collect-only``, ``--help``...):
    it never gets a session. ``in_loop`` marks a session created while the test loop ran, whose
    own ``pytest_runtestloop`` wrapper therefore never started (see :meth:`LazyGate`).
    """

    def __init__(self, inspecting: bool = False) -> None:
        self.inspecting = inspecting
        self.session: ArchgateSession | None = None
        self.in_loop = False


SLOT_KEY = pytest.StashKey[Slot]()
# the configured runs, innermost last (pytester runs pytest inside pytest)
_ACTIVE: list[Slot] = []


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
    # the evaluation cache (docs/cache.md)
    group.addoption(
        "--archgate-cache",
        dest="archgate_cache",
        metavar="off|read|write|refresh",
        help=HELP_CACHE,
    )
    group.addoption(
        "--archgate-cache-dir", dest="archgate_cache_dir", metavar="DIR", help=HELP_CACHE_DIR
    )
    group.addoption(
        "--archgate-cache-max-age",
        dest="archgate_cache_max_age",
        metavar="AGE",
        help=HELP_CACHE_MAX_AGE,
    )
    parser.addini("archgate_cache", HELP_CACHE, default="")
    parser.addini("archgate_cache_dir", HELP_CACHE_DIR, default="")
    parser.addini("archgate_cache_max_age", HELP_CACHE_MAX_AGE, default="")
    group.addoption(
        "--archgate-base-report",
        dest="archgate_base_report",
        metavar="PATH",
        help=HELP_BASE_REPORT,
    )
    group.addoption(
        "--archgate-base-max-age",
        dest="archgate_base_max_age",
        metavar="AGE",
        help=HELP_BASE_MAX_AGE,
    )
    parser.addini("archgate_base_report", HELP_BASE_REPORT, default="")
    parser.addini("archgate_base_max_age", HELP_BASE_MAX_AGE, default="")


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers; create the session now if the run has ADRs, else wait lazily."""
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line("markers", GPU_MARKER_HELP)
    if inspection_only(config):
        # collection is not judgement: no ADR is read, so nothing can fail or be written
        slot = Slot(inspecting=True)
        config.stash[SLOT_KEY] = slot
        _ACTIVE.append(slot)
        return
    # a bad ARCHGATE_STRICT or archgate_family value is a usage error in every run, ADRs or not
    settings = settings_of(config)
    slot = Slot()
    config.stash[SLOT_KEY] = slot
    _ACTIVE.append(slot)
    if needs_session_now(config, settings):
        start_session(config, settings, slot)
    else:
        config.pluginmanager.register(LazyGate(config, settings, slot), "archgate-lazy")


def start_session(config: pytest.Config, settings: Settings, slot: Slot) -> ArchgateSession:
    """Import the ADR machinery and register the session that owns the run-time hooks."""
    from pytest_archgate.plugin.session import ArchgateSession, ExitGuard

    try:
        session = ArchgateSession(config, settings)
    except ArchgateError as exc:
        from pytest_archgate import escape

        raise pytest.UsageError(escape.line(f"archgate: {exc}")) from None
    slot.session = session
    config.pluginmanager.register(session, "archgate-session")
    if not session.is_worker:
        config.pluginmanager.register(ExitGuard(session), "archgate-exit-guard")
    return session


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drop the session object and its scratch folder."""
    slot = config.stash.get(SLOT_KEY, None)
    if slot is None:
        return
    del config.stash[SLOT_KEY]
    if slot in _ACTIVE:
        _ACTIVE.remove(slot)
    lazy = config.pluginmanager.get_plugin("archgate-lazy")
    if lazy is not None:
        config.pluginmanager.unregister(lazy)
    session = slot.session
    if session is not None:
        slot.session = None
        session.close()
        config.pluginmanager.unregister(session)
        guard = config.pluginmanager.get_plugin("archgate-exit-guard")
        if guard is not None:
            config.pluginmanager.unregister(guard)


class LazyGate:
    """Stands in for the session in a run without ADRs until a test turns out to use archgate.

    Its hooks cost one attribute look-up per test report: the run of a project that installs
    the plugin but does not use it imports none of the ADR machinery.
    """

    def __init__(self, config: pytest.Config, settings: Settings, slot: Slot) -> None:
        self.config = config
        self.settings = settings
        self.slot = slot
        self.looping = False

    def _start(self) -> ArchgateSession:
        session = start_session(self.config, self.settings, self.slot)
        self.slot.in_loop = self.looping
        return session

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """A marked test or a test using the fixture: create the session and let it link."""
        if self.slot.session is None and any(uses_archgate(item) for item in items):
            # registered now, the session misses this very hook call: hand it the items
            self._start().pytest_collection_modifyitems(items)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        """Judge a session that was created during the loop (its own wrapper never ran)."""
        self.looping = True
        try:
            return (yield)
        finally:
            self.looping = False
            archgate = self.slot.session
            if archgate is not None and self.slot.in_loop:
                archgate.after_loop(session)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """An xdist controller learns of archgate from a worker's report: start the session."""
        if self.slot.session is None and getattr(report, "archgate", None):
            self._start().pytest_runtest_logreport(report)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """An archgate error raised by a library call in an unlinked test: one line, as ever."""
        report = yield
        if (
            self.slot.session is None
            and call.excinfo is not None
            and isinstance(call.excinfo.value, ArchgateError)
        ):
            from pytest_archgate import escape

            report.longrepr = escape.line(f"archgate: {call.excinfo.value}")
        return report


@pytest.fixture
def archgate() -> Archgate:
    """Record measurements (``record``, ``evaluate``, ``latency``) for the test's linked ADRs."""
    # The session knows the item being set up; asking for `request` instead would make pytest
    # build a fixture definition for it on every test, which shows in large suites.
    slot = _ACTIVE[-1] if _ACTIVE else None
    session = slot.session if slot is not None else None
    item = session.current_item if session is not None else None
    if session is None or item is None:
        from pytest_archgate.plugin.fixture import Archgate as _Archgate

        # outside a judged run (e.g. --setup-plan) measurements have nowhere to go
        return _Archgate("(not judged)", [])
    return session.recorder(item)
