"""The JSON report of a deterministic project is the same as before the redesign (issue 12).

``tests/golden/report.json`` was written by the code of commit 67f1fbb, before the package was
split into layers and the report typed; see ``tests/report_golden_project.py`` for the project
and for what the normalisation replaces (time, paths, machine). A difference here is a change
of the report that users and ``archgate merge`` / ``comment`` / ``report`` would see.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.report_golden_project import dumps, run

GOLDEN = Path(__file__).parent / "golden" / "report.json"


def _canonical(data: dict[str, Any]) -> dict[str, Any]:
    """Measurements sorted: under xdist they arrive in the order the workers finish."""
    report = dict(data["report"])
    report["measurements"] = sorted(
        report["measurements"], key=lambda m: json.dumps(m, sort_keys=True)
    )
    return {**data, "report": report}


def _diff(expected: str, actual: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), "golden", "now", lineterm="", n=2
    )
    return "\n".join(list(lines)[:80])


@pytest.mark.parametrize("extra", [(), ("-n", "2")], ids=["in-process", "xdist"])
def test_report_unchanged(tmp_path: Path, extra: tuple[str, ...]) -> None:
    status, report = run(tmp_path, *extra)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    expected = dumps(_canonical(golden))
    actual = dumps(_canonical({"exit_status": status, "report": report}))
    assert actual == expected, _diff(expected, actual)
