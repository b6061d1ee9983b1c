"""A pytest run on GitHub Actions, end to end: one summary, one set of annotations, outputs.

The Actions environment is simulated with ``GITHUB_*`` variables pointing into ``tmp_path``;
the key checks run serially and under pytest-xdist, where only the controller may publish.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ADR = """---
status: accepted
archgate:
  decision: xgboost
  options: [xgboost, logreg]
  constraints:
    train_rows: "<= 1000"
  acceptance:
    roc_auc: ">= 0.9"
---
# Use XGBoost
"""

OLD = """---
status: superseded by ADR-0001
---
# Use a rules engine
"""

TESTS = """
import pytest

@pytest.mark.archgate("ADR-0001")
def test_xgboost(archgate):
    archgate.record("roc_auc", 0.8)
    archgate.record("train_rows", 5000)

@pytest.mark.archgate("ADR-0001", option="logreg")
def test_logreg(archgate):
    archgate.record("roc_auc", 0.7)

@pytest.mark.archgate("ADR-0000")
def test_rules(archgate):
    pass
"""


@pytest.fixture
def actions_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    paths = {"summary": tmp_path / "summary.md", "output": tmp_path / "output.txt"}
    for p in paths.values():
        p.write_text("")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(paths["summary"]))
    monkeypatch.setenv("GITHUB_OUTPUT", str(paths["output"]))
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    return paths


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_one_summary_and_one_set_of_annotations(
    pytester: pytest.Pytester, actions_env: dict[str, Path], xdist: list[str]
) -> None:
    pytester.makefile(".md", **{"adr/0001-xgboost": ADR, "adr/0000-rules": OLD})
    pytester.makepyfile(test_models=TESTS)
    result = pytester.runpytest_subprocess(
        "--archgate-report=r.json", "-W", "ignore::pytest.PytestWarning", *xdist
    )
    assert result.ret == 1
    out = result.stdout.str()
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    warnings = [line for line in out.splitlines() if line.startswith("::warning ")]
    assert len(errors) == 1, out
    assert "file=adr/0001-xgboost.md" in errors[0]
    assert "line=9" in errors[0]  # the roc_auc line of the front matter
    assert "title=ADR-0001" in errors[0]
    # the logreg comparison failure is advisory; the constraint drift needs review
    assert any("train_rows" in w for w in warnings), warnings
    summary = actions_env["summary"].read_text()
    assert summary.count("| ADR-0001") == 1, summary
    assert parse_outputs(actions_env["output"].read_text())["enforced-failures"] == "1"
    assert parse_outputs(actions_env["output"].read_text())["report-path"] == "r.json"


def parse_outputs(text: str) -> dict[str, str]:
    """Read $GITHUB_OUTPUT in both of its formats (name=value and name<<DELIMITER)."""
    out: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            for v in lines:
                if v == delim:
                    break
                value.append(v)
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value_ = line.split("=", 1)
            out[name] = value_
    return out
