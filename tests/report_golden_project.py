"""A deterministic project whose JSON report pins the report's shape and values.

``tests/test_report_golden.py`` runs it and compares the normalised report with
``tests/golden/report.json``. The golden file was written by the code before the layout
change of issue 12 (commit 67f1fbb), so the test shows that the redesign left the report
unchanged; regenerate it (``python tests/report_golden_project.py OUT_DIR``, then copy
``OUT_DIR/normalised.json``) only for a deliberate change of the report, and say so in the
commit.

Everything that depends on the machine or the moment (time, paths, Python, commit, the
environment records and their ids, wall times) is replaced by a placeholder; every verdict,
value, interval, method and key is kept.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ADRS = {
    "0001-record-decisions.md": """\
---
status: accepted
date: 2026-01-01
---
# Record architecture decisions
""",
    "0002-fraud-model.md": """\
---
status: accepted
date: 2026-02-01
archgate:
  decision: gbdt
  baseline: logreg
  options: [gbdt, logreg]
  cost:
    options: {gbdt: {model: small-api}, logreg: {model: small-api}}
    prices: {small-api: {input_per_1k_tokens: 0.0005, output_per_1k_tokens: 0.0015}}
    volume_per_day: 100000
  constraints:
    rows: {min: 500}
  acceptance:
    roc_auc: {min: 0.75, confidence: 0.95}
    accuracy: ">= 0.6"
    auc_gain: {metric: roc_auc, vs: logreg, min: -0.05, confidence: 0.95}
    f1: ">= 0.99"
    cost_per_1k_usd: "<= 0.05"
---
# Gradient-boosted trees for fraud scoring
""",
    "0003-llm.md": """\
---
status: accepted
date: 2026-03-01
archgate:
  decision: rag
  options: [rag, finetune]
  family: holm
  acceptance:
    answer_pass_rate: {min: 0.5, confidence: 0.9}
    faithfulness: {min: 0.7, confidence: 0.9}
    toxicity_rate: "<= 0.01"
---
# Retrieval-augmented generation for support answers
""",
    "0004-proposed.md": """\
---
status: proposed
date: 2026-04-01
archgate:
  options: [small, large]
  acceptance:
    roc_auc: ">= 0.7"
---
# Pick a model size
""",
    "0005-old.md": """\
---
status: superseded by ADR-0006
date: 2026-05-01
archgate:
  decision: v1
  acceptance:
    accuracy: ">= 0.5"
---
# Old store
""",
    "0006-new.md": """\
---
status: accepted
date: 2026-06-01
archgate:
  decision: v2
  acceptance:
    accuracy: ">= 0.5"
---
# New store
""",
}

TESTS = """\
import numpy as np
import pytest


def data(seed, n, signal):
    rng = np.random.RandomState(seed)
    y = (rng.rand(n) < 0.3).astype(int)
    score = np.clip(0.5 * y * signal + rng.rand(n) * (1 - 0.5 * signal), 0, 1)
    return y, score


@pytest.mark.archgate("ADR-0002", option="gbdt")
def test_gbdt(archgate):
    y, s = data(0, 600, 0.8)
    archgate.evaluate(y, s, metrics=("roc_auc", "accuracy", "f1"))
    archgate.record("rows", 600)
    archgate.record_tokens(120000, 30000, 1000)


@pytest.mark.archgate("ADR-0002", option="logreg")
def test_logreg(archgate):
    y, _ = data(0, 600, 0.8)
    _, s = data(1, 600, 0.6)
    archgate.evaluate(y, s, metrics=("roc_auc", "accuracy"))
    archgate.record_tokens(100000, 20000, 1000)


@pytest.mark.archgate("ADR-0003", option="rag")
def test_rag_pass_rate(archgate):
    rng = np.random.RandomState(10)
    archgate.record_passes("answer_pass_rate", rng.rand(40, 5) < 0.8, k=(1, 3))


@pytest.mark.archgate("ADR-0003", option="rag")
@pytest.mark.parametrize("run", range(4))
def test_rag_faithfulness(archgate, run):
    ci = (0.7 + 0.01 * run, 0.9)
    archgate.record("faithfulness", 0.8 + 0.01 * run, ci=ci, n=200, replicate=f"run{run}")


@pytest.mark.archgate("ADR-0004", option="small")
def test_small(archgate):
    y, s = data(2, 300, 0.5)
    archgate.evaluate(y, s, metrics=("roc_auc",))


@pytest.mark.archgate("ADR-0006")
def test_store(archgate):
    archgate.record("accuracy", 0.9, ci=(0.85, 0.95), n=400)
"""

VOLATILE_KEYS = frozenset(
    {
        "generated_at",
        "python",
        "platform",
        "rootdir",
        "adr_dir",
        "commit",
        "archgate_version",
        "environment",
        "environments",
        "duration",
        "duration_s",
        "seconds",
        "wall_s",
    }
)


def _normalise(value: Any, root: str, env_ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = env_ids.get(k, k) if isinstance(k, str) else k
            out[key] = "<volatile>" if k in VOLATILE_KEYS else _normalise(v, root, env_ids)
        return out
    if isinstance(value, list):
        return [_normalise(v, root, env_ids) for v in value]
    if isinstance(value, str):
        text = value.replace(root, "<root>")
        for real, placeholder in env_ids.items():
            text = text.replace(real, placeholder)
        return text
    if isinstance(value, float):
        return float(f"{value:.10g}")  # last-digit noise of float sums is not a change
    return value


def normalise(report: dict[str, Any], root: Path) -> dict[str, Any]:
    """The report with everything that depends on the machine or the moment replaced."""
    envs = report.get("environments") or {}
    env_ids = {real: f"<env{i}>" for i, real in enumerate(sorted(envs))}
    text_root = str(root)
    normalised = _normalise(report, text_root, env_ids)
    assert isinstance(normalised, dict)
    return normalised


def write_project(root: Path) -> None:
    (root / "adr").mkdir(parents=True, exist_ok=True)
    for name, text in ADRS.items():
        (root / "adr" / name).write_text(text, encoding="utf-8")
    (root / "test_golden.py").write_text(TESTS, encoding="utf-8")
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")


def run(root: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """Run the project in a subprocess; (exit status, normalised report)."""
    write_project(root)
    report = root / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHGATE_", "GITHUB_"))}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            f"--archgate-report={report}",
            *extra,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if not report.exists():
        raise RuntimeError(f"no report written:\n{proc.stdout}\n{proc.stderr}")
    data = json.loads(report.read_text(encoding="utf-8"))
    return proc.returncode, normalise(data, root.resolve())


def dumps(data: Any) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    out = Path(sys.argv[1]).resolve()
    rc, data = run(out, *sys.argv[2:])
    (out / "normalised.json").write_text(dumps({"exit_status": rc, "report": data}))
    print(f"exit status {rc}; wrote {out / 'normalised.json'}")
    print(re.sub(r"\s+", " ", json.dumps(data["summary"])))
