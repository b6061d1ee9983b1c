"""Shared fixtures: a standard decision log written into a ``pytester`` project.

The log (``adr/``) holds one ADR of each kind the plugin treats differently:

* ``0001`` accepted, no ``archgate`` block (no criteria: verdict ``none``);
* ``0002`` accepted, with decision/baseline/options, a constraint, plain criteria and a ``vs``
  criterion; ``roc_auc`` is on line 11, ``latency_p95_ms`` on 12, ``auc_gain`` on 13 and the
  ``positive_rate`` constraint on 9;
* ``0003`` proposed, options but no decision;
* ``0004`` superseded by ``ADR-0005``, and ``0005`` its accepted successor.

The ``pytest.ini`` written alongside sets the rootdir, so the inner runs never read this
repository's pyproject (and its ``filterwarnings = error``).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy  # noqa: F401  (see below)
import pytest
import yaml  # noqa: F401  (see below)

# The parse cache (pytest_archgate/adr/parse_cache.py) lives in $XDG_CACHE_HOME: the suite (and
# every pytester run and xdist worker it starts, through the environment) uses a folder of its
# own, removed at exit, never the user's ~/.cache.
if "ARCHGATE_TEST_CACHE_HOME" not in os.environ:
    os.environ["ARCHGATE_TEST_CACHE_HOME"] = tempfile.mkdtemp(prefix="archgate-test-cache-")
    atexit.register(shutil.rmtree, os.environ["ARCHGATE_TEST_CACHE_HOME"], ignore_errors=True)
os.environ["XDG_CACHE_HOME"] = os.environ["ARCHGATE_TEST_CACHE_HOME"]

# numpy and PyYAML are imported here, before any in-process ``pytester`` run: those runs
# restore ``sys.modules`` afterwards, and neither C extension can be imported twice in one
# process (a second PyYAML reads every ADR as "could not determine a constructor for the tag
# None"). The plugin imports PyYAML only when an ADR is parsed: with a warm parse cache, an
# xdist worker of this suite would first import it inside such a run.

ADR_0001 = """\
---
status: accepted
date: 2024-01-01
---
# Record architecture decisions

We record decisions as MADR files.
"""

ADR_0002 = """\
---
status: accepted
date: 2024-02-01
archgate:
  decision: xgboost
  baseline: logreg
  options: [xgboost, logreg, mlp]
  constraints:
    positive_rate: {min: 0.05, max: 0.20}
  acceptance:
    roc_auc: ">= 0.9"
    latency_p95_ms: "<= 50"
    auc_gain: {metric: roc_auc, min: 0.01, vs: logreg}
---
# Use XGBoost for churn scoring

## Context

Churn scoring needs a model.
"""

ADR_0003 = """\
---
status: proposed
date: 2024-03-01
archgate:
  options: [mlp, gbdt]
  acceptance:
    roc_auc: ">= 0.85"
---
# Evaluate an MLP for churn scoring
"""

ADR_0004 = """\
---
status: superseded by ADR-0005
date: 2024-04-01
archgate:
  decision: store-v1
  acceptance:
    freshness_s: "<= 60"
---
# Use feature store v1
"""

ADR_0005 = """\
---
status: accepted
date: 2024-05-01
archgate:
  decision: store-v2
  acceptance:
    freshness_s: "<= 30"
---
# Use feature store v2
"""

STANDARD_ADRS: dict[str, str] = {
    "0001-record-architecture-decisions": ADR_0001,
    "0002-use-xgboost": ADR_0002,
    "0003-evaluate-mlp": ADR_0003,
    "0004-feature-store-v1": ADR_0004,
    "0005-feature-store-v2": ADR_0005,
}

INI = "[pytest]\n"


@dataclass
class AdrProject:
    """A pytester project with the standard ADRs; helpers to add tests and read the report."""

    pytester: pytest.Pytester
    adr_dir: Path

    @property
    def path(self) -> Path:
        return self.pytester.path

    def write_adr(self, stem: str, text: str, folder: Path | None = None) -> Path:
        folder = folder or self.adr_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}.md"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def tests(self, source: str, name: str = "test_models") -> Path:
        return self.pytester.makepyfile(**{name: textwrap.dedent(source)})

    def report(self, name: str = "report.json") -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / name).read_text(encoding="utf-8"))
        return data

    def adr_entry(self, adr_id: str, name: str = "report.json") -> dict[str, Any]:
        return entry(self.report(name), adr_id)


def entry(report: dict[str, Any], adr_id: str) -> dict[str, Any]:
    """The ``adrs`` entry of one ADR in a report (fails when absent)."""
    found = [a for a in report["adrs"] if a["id"] == adr_id]
    assert len(found) == 1, [a["id"] for a in report["adrs"]]
    return found[0]


def criterion(adr: dict[str, Any], name: str, option: str | None) -> dict[str, Any]:
    """One criterion result (by name and option) of a report's ADR entry."""
    found = [
        c
        for c in adr["criteria"] + adr["constraints"]
        if c["name"] == name and c["option"] == option
    ]
    assert len(found) == 1, [(c["name"], c["option"]) for c in adr["criteria"]]
    return found[0]


def write_standard_adrs(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, text in STANDARD_ADRS.items():
        (folder / f"{stem}.md").write_text(text, encoding="utf-8")


@pytest.fixture
def adr_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> AdrProject:
    """A project with ``pytest.ini`` and the standard ADR set in ``adr/``."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)  # no CI annotations in inner runs
    pytester.makeini(INI)
    folder = pytester.path / "adr"
    write_standard_adrs(folder)
    return AdrProject(pytester=pytester, adr_dir=folder)


@pytest.fixture
def make_adr_project(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., AdrProject]:
    """Factory: a project whose ADR folder (and ini) the test chooses."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def make(
        folder: str = "adr", ini: str = INI, *, standard: bool = True, **adrs: str
    ) -> AdrProject:
        pytester.makeini(ini)
        path = pytester.path / folder
        path.mkdir(parents=True, exist_ok=True)
        if standard:
            write_standard_adrs(path)
        for stem, text in adrs.items():
            (path / f"{stem}.md").write_text(textwrap.dedent(text), encoding="utf-8")
        return AdrProject(pytester=pytester, adr_dir=path)

    return make


@pytest.fixture
def adr_log_dir(tmp_path: Path) -> Path:
    """A plain folder (no pytester) holding the standard ADRs, for library and CLI tests."""
    folder = tmp_path / "adr"
    write_standard_adrs(folder)
    return folder


def no_traceback(text: str) -> bool:
    """True when ``text`` shows no Python traceback."""
    return "Traceback" not in text and 'File "' not in text
