"""pytest entry point of archgate: options, ini keys, markers and the ``archgate`` fixture.

Everything else is delegated: :class:`~pytest_archgate.session.ArchgateSession` owns the
run-time hooks, and the library modules do the parsing, measuring and judging. This module must
stay cheap to import: it is loaded into every pytest run of every project that installs the
plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from . import escape
from .errors import ArchgateError
from .linking import GPU_MARKER_HELP, MARKER_HELP
from .session import ArchgateSession

if TYPE_CHECKING:
    from .fixture import Archgate

SESSION_KEY = pytest.StashKey[ArchgateSession]()
# the configured sessions, innermost last (pytester runs pytest inside pytest)
_ACTIVE: list[ArchgateSession] = []

HELP_ADR_DIR = (
    "folder holding the ADRs, relative to the rootdir (default: adr, else the first existing "
    "of docs/adr, doc/adr, docs/decisions); env ARCHGATE_ADR_DIR"
)
HELP_REPORT = "write the archgate JSON report to this path; env ARCHGATE_REPORT"
HELP_STRICT = (
    "fail the run when an accepted ADR has unmeasured criteria or violated constraints; "
    "env ARCHGATE_STRICT=1"
)
HELP_REQUIRE_GPU = (
    "fail, instead of skip, @pytest.mark.gpu tests when no CUDA device is usable; "
    "env ARCHGATE_REQUIRE_GPU=1"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register archgate's command-line options and ini keys."""
    group = parser.getgroup("archgate", "architecture decisions (pytest-archgate)")
    group.addoption("--archgate-adr-dir", dest="archgate_adr_dir", metavar="DIR", help=HELP_ADR_DIR)
    group.addoption("--archgate-report", dest="archgate_report", metavar="PATH", help=HELP_REPORT)
    group.addoption(
        "--archgate-strict",
        dest="archgate_strict",
        action="store_true",
        default=False,
        help=HELP_STRICT,
    )
    group.addoption(
        "--archgate-require-gpu",
        dest="archgate_require_gpu",
        action="store_true",
        default=False,
        help=HELP_REQUIRE_GPU,
    )
    parser.addini("archgate_adr_dir", HELP_ADR_DIR, default="adr")
    parser.addini("archgate_report", HELP_REPORT, default="")
    parser.addini("archgate_strict", HELP_STRICT, type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers and the session object that owns the run-time hooks."""
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line("markers", GPU_MARKER_HELP)
    try:
        session = ArchgateSession(config)
    except ArchgateError as exc:
        raise pytest.UsageError(escape.line(f"archgate: {exc}")) from None
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(session, "archgate-session")
    _ACTIVE.append(session)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drop the session object and its scratch folder."""
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        if session in _ACTIVE:
            _ACTIVE.remove(session)
        session.close()
        config.pluginmanager.unregister(session)
        del config.stash[SESSION_KEY]


@pytest.fixture
def archgate() -> Archgate:
    """Record measurements (``record``, ``evaluate``, ``latency``) for the test's linked ADRs."""
    # The session knows the item being set up; asking for `request` instead would make pytest
    # build a fixture definition for it on every test, which shows in large suites.
    session = _ACTIVE[-1]
    item = session.current_item
    assert item is not None, "the archgate fixture is only available inside a test"
    return session.recorder(item)
