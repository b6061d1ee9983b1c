"""``archgate new``, ``accept`` and ``supersede`` on real files, through the real command line.

Every refusal is checked three ways: exit status 1, one line on stderr naming the problem, and
the file's bytes unchanged. Accepted files are compared byte for byte with what the author wrote
plus only the intended edits.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr.cost import parse_cost
from pytest_archgate.adr.lint import lint_log
from pytest_archgate.adr.log import load_log
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.authoring import common
from pytest_archgate.authoring.new import slugify
from pytest_archgate.authoring.templates import load_template, template_names
from pytest_archgate.cli import authoring as authoring_cli
from pytest_archgate.cli import main as cli
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.report.build import build_report
from pytest_archgate.verdict.judge import judge_all

DAY = dt.date(2026, 11, 24)
TEMPLATES = [
    "benchmark-methodology",
    "blank",
    "framework",
    "llm-adaptation",
    "tabular-model",
    "training-approach",
]
MADR_SECTIONS = [
    "## Context and Problem Statement",
    "## Decision Drivers",
    "## Considered Options",
    "## Decision Outcome",
    "### Consequences",
    "### Confirmation",
    "## Pros and Cons of the Options",
    "## More Information",
]

PROPOSED = """\
---
status: proposed  # flipped by archgate accept
date: 2024-03-01
decision-makers: [ana, bo]
archgate:
  baseline: logreg
  options: [xgboost, torch_mlp, logreg]
  constraints:
    train_rows: ">= 100_000"
  acceptance:
    roc_auc: ">= 0.9"
    latency_p95_ms: "<= 50"
    roc_auc_gain: {metric: roc_auc, min: 0.01, vs: logreg}
---
# Pick a fraud model

## Context and Problem Statement

Prose that mentions `status: proposed` and keeps   odd spacing.

## More Information

Links.
"""

GOOD: dict[str, dict[str, float]] = {
    "xgboost": {"roc_auc": 0.93, "latency_p95_ms": 12.5, "train_rows": 2_000_000},
    "torch_mlp": {"roc_auc": 0.95, "latency_p95_ms": 84},
    "logreg": {"roc_auc": 0.88, "latency_p95_ms": 1},
}

ACCEPTED = """\
---
status: accepted
date: 2024-01-01
archgate:
  decision: a
  options: [a, b]
  acceptance:
    auc: ">= 0.9"
---
# Already decided
"""

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project (with a pytest.ini, so the CLI stops looking there), as the cwd."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(common, "today_date", lambda: DAY)
    return tmp_path


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``archgate ARGS...`` with these commands registered; returns (exit code, out, err)."""
    monkeypatch.setattr(cli, "_extensions", lambda: [authoring_cli.register])

    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def write(path: Path, text: str, *, newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def make_report(
    path: Path,
    adr_file: Path,
    values: Mapping[str, Mapping[str, float]],
    *,
    fingerprints: Mapping[str, str] | None = None,
    environment: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    entry_extra: Mapping[str, Any] | None = None,
) -> Path:
    """A report built by the library itself from recorded values, as a pytest run writes it."""
    adr = parse_adr(adr_file)
    ms = [
        Measurement(
            adr=adr.id,
            option=option,
            metric=metric,
            estimate=Estimate(value=value, method="recorded"),
            nodeid=f"tests/test_model.py::test_{option}",
            fingerprint=(fingerprints or {}).get(option),
        )
        for option, metrics in values.items()
        for metric, value in metrics.items()
    ]
    report = build_report(judge_all([adr], ms), ms, environment=environment, extra=extra)
    if entry_extra:
        report["adrs"][0].update(entry_extra)
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def assert_refused(result: tuple[int, str, str], match: str, *files: tuple[Path, bytes]) -> None:
    code, out, err = result
    assert code == 1, (out, err)
    assert re.search(match, err), err
    assert err.startswith("archgate "), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for path, before in files:
        assert path.read_bytes() == before, f"{path} was changed by a refused command"


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


# ============================================================================================
# new


def test_template_names_are_the_shipped_templates() -> None:
    assert template_names() == TEMPLATES


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Use XGBoost for fraud scoring", "use-xgboost-for-fraud-scoring"),
        ("  Café  crème: v2.0 (draft)!! ", "cafe-creme-v2-0-draft"),
        ("GBT vs. NN -- which?", "gbt-vs-nn-which"),
        ("日本語 only", "only"),
        ("!!!", ""),
        ("a" * 80, "a" * 60),
        ("word " * 20, "word-word-word-word-word-word-word-word-word-word-word-word"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert len(slugify(title)) <= 60


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_makes_a_valid_lint_clean_adr(
    project: Path, run: Run, template: str
) -> None:
    code, out, err = run("new", "Score fraud in real time", "--template", template)
    assert code == 0, err
    assert out.strip() == "adr/0001-score-fraud-in-real-time.md"
    path = project / out.strip()
    text = path.read_text(encoding="utf-8")
    for placeholder in ("{title}", "{date}", "{id}"):
        assert placeholder not in text
    for section in MADR_SECTIONS:
        assert f"\n{section}\n" in text, section
    assert "Team capabilities" in text

    log = load_log(project / "adr", root=project)
    assert lint_log(log) == []
    adr = log.lookup("ADR-0001")
    assert (adr.status, adr.date, adr.title) == (
        "proposed",
        "2026-11-24",
        "Score fraud in real time",
    )
    assert adr.format == "madr"
    assert {"decision-makers", "consulted", "informed"} <= set(adr.front_matter)
    assert adr.decision is None
    assert len(adr.options) >= 2
    assert adr.baseline in adr.options
    names = {c.name for c in adr.criteria}
    assert {"latency_p95_ms", "throughput_per_s", "cost_per_1k_usd"} <= names
    assert names & {"train_rows", "labelled_examples"}, "training data available"
    accuracy = {c.name for c in adr.acceptance} - {
        "latency_p95_ms",
        "throughput_per_s",
        "cost_per_1k_usd",
        "train_time_min",
        "train_time_hours",
    }
    assert accuracy, "an accuracy target"
    assert not parse_cost(adr.cost, file=adr.file, options=adr.options).empty
    assert "ADR-0001" in text  # {id} filled in the instructions
    assert no_temp_files(project / "adr")


def test_template_questions_are_specific(project: Path) -> None:
    def body(name: str) -> str:
        return load_template(name).lower()

    assert all(w in body("tabular-model") for w in ("latency", "interpretab", "feature types"))
    llm = body("llm-adaptation")
    for word in ("retrieval", "fine-tun", "thousands", "privacy", "grounded", "volume", "format"):
        assert word in llm, word
    for word in ("pytorch", "jax", "tensorflow", "xgboost", "scikit-learn", "deployment"):
        assert word in body("framework"), word
    bench = body("benchmark-methodology")
    for word in ("time-based", "group-based", "leakage", "baseline", "before", "online"):
        assert word in bench, word
    for word in ("data requirements", "training infrastructure", "evaluation protocol"):
        assert word in body("training-approach"), word


def test_numbering_continues_after_the_highest_number_with_gaps(project: Path, run: Run) -> None:
    adr = project / "adr"
    for name in ("0001-a.md", "0002-b.md", "0007-c.md", "README.md", "template.md"):
        write(adr / name, "# x\n")
    code, out, _err = run("new", "Next one")
    assert code == 0
    assert out.strip() == "adr/0008-next-one.md"
    assert "ADR-0008" in (project / out.strip()).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("existing", "created"),
    [
        ("20240105-use-kafka.md", "20261124-next-one.md"),
        ("2024-01-05-use-kafka.md", "2026-11-24-next-one.md"),
    ],
)
def test_date_prefixed_logs_get_a_date_prefixed_file(
    project: Path, run: Run, existing: str, created: str
) -> None:
    write(project / "adr" / existing, "# Use Kafka\n\n- Status: accepted\n")
    code, out, _err = run("new", "Next one")
    assert code == 0
    assert out.strip() == f"adr/{created}"
    text = (project / "adr" / created).read_text(encoding="utf-8")
    assert f"archgate accept {created[:-3]} " in text
    assert lint_log(load_log(project / "adr")) == []


def test_new_creates_the_folder(project: Path, run: Run) -> None:
    code, out, _err = run("new", "First", "--adr-dir", "docs/decisions")
    assert code == 0
    assert out.strip() == "docs/decisions/0001-first.md"
    code, out, _err = run("new", "Default folder")
    assert code == 0
    assert out.strip() == "docs/decisions/0002-default-folder.md"  # found as a fallback folder


def test_title_placeholders_are_filled_once(project: Path, run: Run) -> None:
    code, out, _err = run("new", "Why {date} drifts", "--template", "blank")
    assert code == 0
    adr = parse_adr(project / out.strip())
    assert adr.title == "Why {date} drifts"


def test_conflicting_numbers_are_refused_naming_both(project: Path, run: Run) -> None:
    adr = project / "adr"
    write(adr / "0003-a.md", "# a\n")
    write(adr / "0003-b.md", "# b\n")
    write(adr / "0001-c.md", "# c\n")
    before = sorted(p.name for p in adr.iterdir())
    result = run("new", "Another")
    assert_refused(result, r"0003-a\.md and adr/0003-b\.md")
    assert sorted(p.name for p in adr.iterdir()) == before


def test_title_that_slugs_to_nothing_is_a_usage_error(project: Path, run: Run) -> None:
    code, _out, err = run("new", "?!")
    assert code == 2
    assert "title '?!' has no letters or digits" in err
    assert not (project / "adr").exists() or not list((project / "adr").iterdir())


def test_unknown_template_lists_the_templates(project: Path, run: Run) -> None:
    code, _out, err = run("new", "X", "--template", "nope")
    assert code == 2
    assert "unknown template 'nope'; choose one of: " + ", ".join(TEMPLATES) in err


def test_existing_target_is_refused(project: Path, run: Run) -> None:
    target = write(project / "adr" / "20261124-pick-a-model.md", "# Pick a model\n")
    before = target.read_bytes()
    assert_refused(run("new", "Pick a model"), "already exists", (target, before))


# ============================================================================================
# accept


@pytest.fixture
def proposed(project: Path) -> Path:
    write(project / "adr" / "0001-record.md", "---\nstatus: accepted\n---\n# Record\n")
    return write(project / "adr" / "0002-pick-a-model.md", PROPOSED)


def accepted_front(text: str, decision: str = "xgboost") -> str:
    """PROPOSED's text with exactly the edits accept makes before the Evidence section."""
    return (
        text.replace("status: proposed  #", "status: accepted  #", 1)
        .replace("date: 2024-03-01", "date: 2026-11-24", 1)
        .replace("archgate:\n", f"archgate:\n  decision: {decision}\n", 1)
    )


def test_accept_on_the_reports_only_passing_option(proposed: Path, project: Path, run: Run) -> None:
    report = make_report(
        project / "report.json",
        proposed,
        GOOD,
        fingerprints={"xgboost": "a1b2c3d4e5f60718", "logreg": "a1b2c3d4e5f60718"},
        environment={
            "cpu_model": "AMD EPYC 9654",
            "cpu_count": 16,
            "machine": "x86_64",
            "python": "3.11.7",
            "platform": "Linux-6.5",
            "packages": {"numpy": "1.26.4", "xgboost": "2.0.3"},
            "threads": {"OMP_NUM_THREADS": "1"},
            "cuda": {"available": True, "devices": [{"name": "NVIDIA H200"}]},
        },
    )
    code, out, err = run("accept", "ADR-0002", "--report", str(report))
    assert code == 0, err
    assert out.strip() == (
        "ADR-0002 accepted: decision xgboost, the option the report recommends "
        "(adr/0002-pick-a-model.md)"
    )

    text = proposed.read_text(encoding="utf-8")
    head = accepted_front(PROPOSED)
    assert text.startswith(head + "\n## Evidence\n\n"), text
    evidence = text[len(head) :]
    assert "| criterion | bound | xgboost (chosen) | torch_mlp | logreg |" in evidence
    assert "| roc_auc | >= 0.9 | 0.93 pass | 0.95 pass | 0.88 fail |" in evidence
    assert "| latency_p95_ms | <= 50 | 12.5 pass | 84 fail | 1 pass |" in evidence
    assert "| roc_auc_gain | >= 0.01 vs logreg | 0.05 pass | 0.07 pass | reference |" in evidence
    assert (
        "| train_rows (constraint) | >= 100000 | 2000000 pass | unmeasured | unmeasured |"
    ) in evidence
    flat = " ".join(evidence.split())
    assert (
        "Rationale: xgboost meets 3 of 3 criteria; torch_mlp misses latency_p95_ms: 84 against "
        "<= 50; logreg misses roc_auc: 0.88 against >= 0.9. The report recommends xgboost as well."
    ) in flat
    assert "AMD EPYC 9654 (16 CPUs), x86_64, GPU NVIDIA H200" in flat
    assert "Python 3.11.7 on Linux-6.5, numpy 1.26.4, xgboost 2.0.3" in flat
    assert "OMP_NUM_THREADS=1" in flat
    assert "`a1b2c3d4e5f60718` (xgboost, logreg)" in flat
    assert json.loads(report.read_text())["generated_at"] in flat
    assert "Override" not in evidence

    log = load_log(project / "adr")
    assert lint_log(log) == []
    adr = log.lookup("ADR-0002")
    assert (adr.status, adr.decision, adr.date) == ("accepted", "xgboost", "2026-11-24")
    assert no_temp_files(project / "adr")


def test_accept_keeps_every_other_byte_of_a_crlf_flow_mapping_file(project: Path, run: Run) -> None:
    original = (
        "\ufeff---\r\n"
        "# the decision record of the scoring model\r\n"
        "status: 'proposed'   # quoted on purpose\r\n"
        'date: "2024-03-01"\r\n'
        "decision-makers: [ana]\r\n"
        "archgate: {options: [xgboost, logreg], acceptance: {roc_auc: '>= 0.9'}}  # flow\r\n"
        "tags: [fraud, tabular]\r\n"
        "---\r\n"
        "# Scoring model\r\n"
        "\r\n"
        "Prose, with trailing spaces   \r\n"
        "```yaml\r\n"
        "status: proposed\r\n"
        "```\r\n"
    )
    path = project / "adr" / "0004-scoring-model.md"
    path.parent.mkdir()
    path.write_bytes(original.encode("utf-8"))
    report = make_report(
        project / "r.json", path, {"xgboost": {"roc_auc": 0.95}, "logreg": {"roc_auc": 0.91}}
    )
    code, _out, err = run("accept", "4", "--option", "xgboost", "--report", str(report))
    assert code == 0, err
    text = path.read_bytes().decode("utf-8")
    expected_head = (
        original.replace("status: 'proposed'", "status: 'accepted'")
        .replace('date: "2024-03-01"', 'date: "2026-11-24"')
        .replace("archgate: {options", "archgate: {decision: xgboost, options")
    )
    assert text.startswith(expected_head + "\r\n## Evidence\r\n\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ending is still CRLF
    assert "xgboost also" not in text
    assert "logreg also meets 1 of 1 criteria" in text
    adr = parse_adr(path)
    assert (adr.status, adr.decision, adr.date) == ("accepted", "xgboost", "2026-11-24")
    assert adr.front_matter["tags"] == ["fraud", "tabular"]


def test_accept_inserts_a_missing_date_after_the_last_key(project: Path, run: Run) -> None:
    original = (
        "---\nstatus: proposed\narchgate:\n  options: [a, b]\n  acceptance:\n"
        '    auc: ">= 0.9"\n---\n# T\n'
    )
    path = write(project / "adr" / "0001-t.md", original)
    code, _out, err = run("accept", "1", "--option", "a", "--override", "pilot, measured later")
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "---\nstatus: accepted\narchgate:\n  decision: a\n  options: [a, b]\n  acceptance:\n"
        '    auc: ">= 0.9"\ndate: 2026-11-24\n---\n# T\n\n## Evidence\n'
    )
    flat = " ".join(text.split())
    assert "option **a**, with no measured evidence." in flat
    assert (
        "Override: accepted with `--override` although there is no measured evidence. "
        "Reason given: pilot, measured later"
    ) in flat


def test_accept_uses_the_comparison_recommendation(proposed: Path, project: Path, run: Run) -> None:
    both_pass = {**GOOD, "torch_mlp": {"roc_auc": 0.95, "latency_p95_ms": 20}}
    recommended = make_report(
        project / "rec.json",
        proposed,
        both_pass,
        entry_extra={
            "comparison": {"recommendation": {"option": "torch_mlp", "text": "best score"}}
        },
    )
    code, out, err = run("accept", "ADR-0002", "--report", str(recommended))
    assert code == 0, err
    assert "decision torch_mlp" in out
    flat = " ".join(proposed.read_text(encoding="utf-8").split())
    assert "torch_mlp meets 3 of 3 criteria; xgboost also meets 3 of 3 criteria" in flat
    assert "The report recommends torch_mlp as well." in flat


@pytest.mark.parametrize(
    ("values", "comparison"),
    [
        # two options pass and the report carries no comparison: nothing to choose by
        ({**GOOD, "torch_mlp": {"roc_auc": 0.95, "latency_p95_ms": 20}}, None),
        # no option passes: the comparison recommends none
        (
            {**GOOD, "xgboost": {**GOOD["xgboost"], "latency_p95_ms": 60}},
            {"recommendation": {"option": None, "text": "No option meets every criterion"}},
        ),
    ],
)
def test_accept_without_a_recommendation_asks_for_an_option(
    proposed: Path,
    project: Path,
    run: Run,
    values: dict[str, dict[str, float]],
    comparison: dict[str, Any] | None,
) -> None:
    report = make_report(
        project / "plain.json", proposed, values, entry_extra={"comparison": comparison}
    )
    before = proposed.read_bytes()
    assert_refused(
        run("accept", "ADR-0002", "--report", str(report)),
        r"the report recommends no single option for ADR-0002; pass --option NAME \(xgboost, "
        r"torch_mlp, logreg\)",
        (proposed, before),
    )


def test_accept_explicit_option_over_the_recommendation(
    proposed: Path, project: Path, run: Run
) -> None:
    values = {**GOOD, "torch_mlp": {"roc_auc": 0.95, "latency_p95_ms": 20}}
    report = make_report(
        project / "rec.json",
        proposed,
        values,
        entry_extra={
            "comparison": {"recommendation": {"option": "torch_mlp", "text": "it scores 0.9"}}
        },
    )
    code, _out, err = run("accept", "ADR-0002", "--option", "xgboost", "--report", str(report))
    assert code == 0, err
    flat = " ".join(proposed.read_text(encoding="utf-8").split())
    assert "The report recommends torch_mlp (it scores 0.9); xgboost was chosen instead." in flat


def test_needless_override_is_still_recorded(proposed: Path, project: Path, run: Run) -> None:
    report = make_report(project / "report.json", proposed, GOOD)
    code, _out, err = run("accept", "ADR-0002", "--report", str(report), "--override", "habit")
    assert code == 0, err
    flat = " ".join(proposed.read_text(encoding="utf-8").split())
    assert (
        "Override: `--override` was given, though the evidence needed no override. "
        "Reason given: habit"
    ) in flat


def test_override_accepts_a_failing_option_and_records_why(
    proposed: Path, project: Path, run: Run
) -> None:
    report = make_report(project / "report.json", proposed, GOOD)
    before = proposed.read_bytes()
    assert_refused(
        run("accept", "ADR-0002", "--option", "torch_mlp", "--report", str(report)),
        r"torch_mlp does not meet its criteria \(latency_p95_ms: 84 against <= 50\); "
        r'pass --override "reason"',
        (proposed, before),
    )
    code, _out, err = run(
        "accept",
        "ADR-0002",
        "--option",
        "torch_mlp",
        "--report",
        str(report),
        "--override",
        "latency is met by the batching service in ADR-0009",
    )
    assert code == 0, err
    text = proposed.read_text(encoding="utf-8")
    assert text.startswith(accepted_front(PROPOSED, "torch_mlp"))
    flat = " ".join(text.split())
    assert "torch_mlp meets 2 of 3 criteria (misses latency_p95_ms: 84 against <= 50)" in flat
    assert (
        "Override: accepted with `--override` although torch_mlp does not meet its criteria "
        "(latency_p95_ms: 84 against <= 50). Reason given: latency is met by the batching "
        "service in ADR-0009"
    ) in flat


def test_unmeasured_criterion_is_refused(proposed: Path, project: Path, run: Run) -> None:
    values = {"xgboost": {"roc_auc": 0.93}, "logreg": {"roc_auc": 0.88}}
    report = make_report(project / "report.json", proposed, values)
    before = proposed.read_bytes()
    assert_refused(
        run("accept", "ADR-0002", "--option", "xgboost", "--report", str(report)),
        r"latency_p95_ms unmeasured",
        (proposed, before),
    )


def test_failing_constraint_is_refused(proposed: Path, project: Path, run: Run) -> None:
    values = {**GOOD, "xgboost": {**GOOD["xgboost"], "train_rows": 5_000}}
    report = make_report(project / "report.json", proposed, values)
    before = proposed.read_bytes()
    assert_refused(
        run("accept", "ADR-0002", "--option", "xgboost", "--report", str(report)),
        r"constraint train_rows: 5000 against >= 100000",
        (proposed, before),
    )


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["ADR-0009"], r"no ADR 'ADR-0009' in .*adr \(2 ADRs\)"),
        (["ADR-0002", "--option", "lightgbm"], r"'lightgbm' is not one of the options"),
        (["ADR-0001", "--option", "a"], r"ADR-0001 is accepted, not proposed"),
        (["ADR-0002", "--option", "xgboost"], r"no --report: accepting ADR-0002 needs measured"),
        (["ADR-0002", "--override", "trust me"], r"pass --option NAME .*there is no report"),
    ],
)
def test_accept_refusals_leave_files_untouched(
    project: Path, run: Run, args: list[str], match: str
) -> None:
    accepted = write(project / "adr" / "0001-done.md", ACCEPTED)
    proposed = write(project / "adr" / "0002-pick-a-model.md", PROPOSED)
    files = [(p, p.read_bytes()) for p in (accepted, proposed)]
    assert_refused(run("accept", *args), match, *files)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["ADR-0002", "--report", "missing.json"], r"missing\.json: report file not found"),
        (["ADR-0002", "--report", "pytest.ini"], r"pytest\.ini:1: report is not valid JSON"),
    ],
)
def test_accept_with_an_unusable_report_is_an_input_error(
    project: Path, run: Run, args: list[str], match: str
) -> None:
    proposed = write(project / "adr" / "0002-pick-a-model.md", PROPOSED)
    before = proposed.read_bytes()
    code, out, err = run("accept", *args)
    assert code == 2, (out, err)
    assert re.search(match, err), err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert proposed.read_bytes() == before


def test_report_without_the_adr_is_refused(proposed: Path, project: Path, run: Run) -> None:
    other = write(project / "elsewhere" / "0007-other.md", PROPOSED)
    report = make_report(project / "report.json", other, GOOD)
    before = proposed.read_bytes()
    assert_refused(
        run("accept", "ADR-0002", "--report", str(report)),
        r"the report has no entry for ADR-0002",
        (proposed, before),
    )


def test_report_without_the_option_is_refused(proposed: Path, project: Path, run: Run) -> None:
    values = {"xgboost": GOOD["xgboost"], "logreg": GOOD["logreg"]}
    report = make_report(project / "report.json", proposed, values)
    before = proposed.read_bytes()
    assert_refused(
        run("accept", "ADR-0002", "--option", "torch_mlp", "--report", str(report)),
        r"no criteria judged for option 'torch_mlp'",
        (proposed, before),
    )


def test_stale_report_is_refused_even_with_override(
    proposed: Path, project: Path, run: Run
) -> None:
    report = make_report(project / "report.json", proposed, GOOD)
    write(proposed, PROPOSED.replace('roc_auc: ">= 0.9"', 'roc_auc: ">= 0.92"'))
    before = proposed.read_bytes()
    for extra in ([], ["--override", "hurry"]):
        assert_refused(
            run("accept", "ADR-0002", "--report", str(report), *extra),
            r"the report is stale: criterion roc_auc is >= 0\.92 in the ADR but >= 0\.9 in the "
            r"report",
            (proposed, before),
        )
    write(proposed, PROPOSED.replace('    latency_p95_ms: "<= 50"\n', ""))
    before = proposed.read_bytes()
    assert_refused(
        run("accept", "ADR-0002", "--report", str(report)),
        r"criterion latency_p95_ms is absent in the ADR but <= 50 in the report",
        (proposed, before),
    )


def test_non_madr_adr_is_refused(project: Path, run: Run) -> None:
    path = write(
        project / "adr" / "0001-x.md", "# 1. X\n\nDate: 2024-01-01\n\n## Status\n\nProposed\n"
    )
    assert_refused(
        run("accept", "1", "--option", "a", "--override", "r"),
        r"accept edits the status: key of MADR front matter",
        (path, path.read_bytes()),
    )


def test_empty_override_reason_is_a_usage_error(proposed: Path, run: Run) -> None:
    before = proposed.read_bytes()
    code, _out, err = run("accept", "ADR-0002", "--option", "xgboost", "--override", "  ")
    assert code == 2
    assert "--override needs a reason" in err
    assert proposed.read_bytes() == before


def test_missing_adr_folder_is_a_usage_error(project: Path, run: Run) -> None:
    code, _out, err = run("accept", "ADR-0001", "--adr-dir", "nowhere")
    assert code == 2
    assert "does not exist" in err


@pytest.fixture
def git_repo(project: Path) -> str:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=project,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "initial")
    return git("rev-parse", "HEAD")


@pytest.mark.usefixtures("proposed")
def test_report_from_another_commit_is_refused_unless_overridden(
    project: Path, git_repo: str, run: Run
) -> None:
    proposed = project / "adr" / "0002-pick-a-model.md"
    other = "0" * 40
    report = make_report(project / "report.json", proposed, GOOD, extra={"commit": other})
    before = proposed.read_bytes()
    assert_refused(
        run("accept", "ADR-0002", "--report", str(report)),
        rf"measured at commit {other[:12]}, HEAD is {git_repo[:12]}",
        (proposed, before),
    )
    code, _out, err = run("accept", "ADR-0002", "--report", str(report), "--override", "same code")
    assert code == 0, err
    flat = " ".join(proposed.read_text(encoding="utf-8").split())
    assert f"commit: `{other}` (from the report)" in flat
    assert "Reason given: same code" in flat


@pytest.mark.usefixtures("proposed")
def test_report_from_head_is_accepted_and_commit_recorded(
    project: Path, git_repo: str, run: Run
) -> None:
    proposed = project / "adr" / "0002-pick-a-model.md"
    report = make_report(project / "report.json", proposed, GOOD, extra={"commit": git_repo})
    code, _out, err = run("accept", "ADR-0002", "--report", str(report))
    assert code == 0, err
    assert f"commit: `{git_repo}` (from the report)" in proposed.read_text(encoding="utf-8")


@pytest.mark.usefixtures("proposed")
def test_head_is_recorded_when_the_report_has_no_commit(
    project: Path, git_repo: str, run: Run
) -> None:
    proposed = project / "adr" / "0002-pick-a-model.md"
    report = make_report(project / "report.json", proposed, GOOD)
    code, _out, err = run("accept", "ADR-0002", "--report", str(report))
    assert code == 0, err
    flat = " ".join(proposed.read_text(encoding="utf-8").split())
    assert f"commit: `{git_repo}` (working tree HEAD at acceptance; the report has none)" in flat


def test_accept_on_a_report_written_by_a_real_pytest_run(
    pytester: pytest.Pytester, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "today_date", lambda: DAY)
    pytester.makeini("[pytest]\n")
    adr = pytester.path / "adr" / "0002-pick-a-model.md"
    write(adr, PROPOSED)
    pytester.makepyfile(
        test_models=textwrap.dedent(
            """
            import pytest

            @pytest.mark.archgate("ADR-0002", option="xgboost")
            def test_xgb(archgate):
                archgate.record("roc_auc", 0.93, ci=(0.91, 0.95))
                archgate.record("latency_p95_ms", 12.5)
                archgate.record("train_rows", 2_000_000)

            @pytest.mark.archgate("ADR-0002", option="torch_mlp")
            def test_mlp(archgate):
                archgate.record("roc_auc", 0.95)
                archgate.record("latency_p95_ms", 84)

            @pytest.mark.archgate("ADR-0002", option="logreg")
            def test_lr(archgate):
                archgate.record("roc_auc", 0.88)
                archgate.record("latency_p95_ms", 1)
            """
        )
    )
    result = pytester.runpytest("--archgate-report", "report.json")
    result.assert_outcomes(passed=3)
    code, out, err = run("accept", "ADR-0002", "--report", "report.json")
    assert code == 0, err
    assert "decision xgboost" in out
    text = adr.read_text(encoding="utf-8")
    assert text.startswith(accepted_front(PROPOSED) + "\n## Evidence\n")
    assert "| roc_auc | >= 0.9 | 0.93 [0.91, 0.95] pass | 0.95 pass | 0.88 fail |" in text
    assert lint_log(load_log(adr.parent)) == []
    # the accepted ADR is now enforced, and its evidence holds
    result = pytester.runpytest("--archgate-report", "after.json")
    result.assert_outcomes(passed=3)
    after = json.loads((pytester.path / "after.json").read_text(encoding="utf-8"))
    entry = next(a for a in after["adrs"] if a["id"] == "ADR-0002")
    assert (entry["status"], entry["decision"], entry["verdict"]) == ("accepted", "xgboost", "pass")


# ============================================================================================
# supersede


OLD_MADR = """\
---
status: accepted  # since the pilot
date: 2024-01-01
archgate:
  decision: v1
  acceptance:
    freshness_s: "<= 60"
---
# Use feature store v1
"""

NEW_MADR = """\
---
status: proposed
date: 2024-05-01
archgate:
  decision: v2
  acceptance:
    freshness_s: "<= 30"
---
# Use feature store v2

Body.
"""

ADR_TOOLS_OLD = """\
# 1. Use Postgres for features

Date: 2024-01-01

## Status

Accepted

## Context

We need a store.
"""

ADR_TOOLS_NEW = """\
# 2. Use Redis for online features

Date: 2024-02-01

## Status

Accepted

## Context

Postgres is too slow.
"""

LOG4BRAINS_OLD = """\
# Use Kafka

- Status: accepted
- Deciders: ana, bo
- Date: 2024-01-01

## Context and Problem Statement

Events.
"""

LOG4BRAINS_NEW = """\
# Use Pulsar

* Status: proposed
* Date: 2024-03-01

## Context and Problem Statement

Tiered storage.
"""


def test_supersede_madr(project: Path, run: Run) -> None:
    old = write(project / "adr" / "0004-feature-store-v1.md", OLD_MADR)
    new = write(project / "adr" / "0005-feature-store-v2.md", NEW_MADR)
    code, out, err = run("supersede", "ADR-0004", "--by", "5")
    assert code == 0, err
    assert out.strip() == (
        "ADR-0004 superseded by ADR-0005 (adr/0004-feature-store-v1.md, "
        "adr/0005-feature-store-v2.md)"
    )
    assert old.read_text(encoding="utf-8") == OLD_MADR.replace(
        "status: accepted  #", "status: superseded by ADR-0005  #"
    )
    assert new.read_text(encoding="utf-8") == NEW_MADR.replace(
        '"<= 30"\n---', '"<= 30"\nsupersedes: ADR-0004\n---'
    )
    log = load_log(project / "adr")
    assert lint_log(log) == []
    assert log.successor(log.lookup("ADR-0004")) is log.lookup("ADR-0005")
    assert no_temp_files(project / "adr")


def test_supersede_adds_to_an_existing_supersedes_key(project: Path, run: Run) -> None:
    write(project / "adr" / "0001-a.md", OLD_MADR.replace("v1", "v0"))
    write(project / "adr" / "0002-b.md", OLD_MADR)
    new = write(
        project / "adr" / "0003-c.md",
        NEW_MADR.replace("status: proposed", "supersedes: ADR-0001\nstatus: accepted"),
    )
    code, _out, err = run("supersede", "ADR-0002", "--by", "ADR-0003")
    assert code == 0, err
    assert "supersedes: [ADR-0001, ADR-0002]\n" in new.read_text(encoding="utf-8")


def test_supersede_adr_tools_crlf(project: Path, run: Run) -> None:
    old = write(
        project / "adr" / "0001-use-postgres-for-features.md", ADR_TOOLS_OLD, newline="\r\n"
    )
    new = write(
        project / "adr" / "0002-use-redis-for-online-features.md", ADR_TOOLS_NEW, newline="\r\n"
    )
    code, _out, err = run("supersede", "1", "--by", "2")
    assert code == 0, err
    assert old.read_bytes().decode() == ADR_TOOLS_OLD.replace(
        "\nAccepted\n",
        "\nSuperseded by [2. Use Redis for online features]"
        "(0002-use-redis-for-online-features.md)\n",
    ).replace("\n", "\r\n")
    assert new.read_bytes().decode() == ADR_TOOLS_NEW.replace(
        "\nAccepted\n",
        "\nAccepted\n\nSupersedes [1. Use Postgres for features]"
        "(0001-use-postgres-for-features.md)\n",
    ).replace("\n", "\r\n")
    log = load_log(project / "adr")
    assert lint_log(log) == []
    old_adr, new_adr = log.lookup("1"), log.lookup("2")
    assert (old_adr.status, new_adr.status) == ("superseded", "accepted")
    assert log.successor(old_adr) is new_adr


def test_supersede_log4brains_date_prefixed(project: Path, run: Run) -> None:
    old = write(project / "adr" / "20240101-use-kafka.md", LOG4BRAINS_OLD)
    new = write(project / "adr" / "20240301-use-pulsar.md", LOG4BRAINS_NEW)
    code, _out, err = run("supersede", "20240101-use-kafka", "--by", "20240301-use-pulsar")
    assert code == 0, err
    assert old.read_text(encoding="utf-8") == LOG4BRAINS_OLD.replace(
        "- Status: accepted",
        "- Status: superseded by [20240301-use-pulsar](20240301-use-pulsar.md)",
    )
    assert new.read_text(encoding="utf-8") == LOG4BRAINS_NEW.replace(
        "* Status: proposed\n",
        "* Status: proposed\n* Supersedes: [20240101-use-kafka](20240101-use-kafka.md)\n",
    )
    log = load_log(project / "adr")
    assert lint_log(log) == []
    assert log.lookup("20240101-use-kafka").status == "superseded"
    assert log.successor(log.lookup("20240101-use-kafka")) is log.lookup("20240301-use-pulsar")


def test_supersede_across_formats(project: Path, run: Run) -> None:
    old = write(project / "adr" / "0001-use-postgres-for-features.md", ADR_TOOLS_OLD)
    new = write(project / "adr" / "0002-feature-store-v2.md", NEW_MADR)
    code, _out, err = run("supersede", "1", "--by", "2")
    assert code == 0, err
    assert "Superseded by [2. Use feature store v2](0002-feature-store-v2.md)" in old.read_text(
        encoding="utf-8"
    )
    assert "supersedes: ADR-0001\n" in new.read_text(encoding="utf-8")
    assert lint_log(load_log(project / "adr")) == []


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("ADR-0004", "ADR-0009", r"no ADR 'ADR-0009'"),
        ("ADR-0009", "ADR-0004", r"no ADR 'ADR-0009'"),
        ("ADR-0004", "ADR-0004", r"ADR-0004 cannot supersede itself"),
        ("ADR-0004", "0004-feature-store-v1", r"ADR-0004 cannot supersede itself"),
        ("ADR-0003", "ADR-0005", r"ADR-0003 is already superseded by ADR-0004"),
        ("ADR-0005", "ADR-0003", r"ADR-0003 is superseded; only a proposed or accepted"),
        ("ADR-0004", "ADR-0006", r"ADR-0006 is rejected"),
    ],
)
def test_supersede_refusals_leave_both_files_untouched(
    project: Path, run: Run, old: str, new: str, match: str
) -> None:
    adr = project / "adr"
    paths = [
        write(
            adr / "0003-feature-store-v0.md", OLD_MADR.replace("accepted", "superseded by ADR-0004")
        ),
        write(adr / "0004-feature-store-v1.md", OLD_MADR),
        write(adr / "0005-feature-store-v2.md", NEW_MADR),
        write(adr / "0006-rejected.md", NEW_MADR.replace("proposed", "rejected")),
    ]
    files = [(p, p.read_bytes()) for p in paths]
    assert_refused(run("supersede", old, "--by", new), match, *files)


def test_supersede_refuses_an_adr_without_any_status(project: Path, run: Run) -> None:
    old = write(project / "adr" / "0001-notes.md", "# Notes\n\nJust prose.\n")
    new = write(project / "adr" / "0002-b.md", NEW_MADR)
    files = [(p, p.read_bytes()) for p in (old, new)]
    assert_refused(run("supersede", "1", "--by", "2"), r"has no status to mark", *files)


def test_supersede_requires_by(project: Path, run: Run) -> None:
    write(project / "adr" / "0001-a.md", OLD_MADR)
    with pytest.raises(SystemExit) as info:
        run("supersede", "1")
    assert info.value.code == 2


def test_options_evaluated_on_different_data_are_refused(
    proposed: Path, project: Path, run: Run
) -> None:
    prints = {"xgboost": "aaaa", "torch_mlp": "aaaa", "logreg": "bbbb"}
    report = make_report(project / "report.json", proposed, GOOD, fingerprints=prints)
    before = proposed.read_bytes()
    assert_refused(
        run("accept", "ADR-0002", "--option", "xgboost", "--report", str(report)),
        r"evaluated on different data .*not like for like",
        (proposed, before),
    )
    code, _out, err = run(
        "accept",
        "ADR-0002",
        "--option",
        "xgboost",
        "--report",
        str(report),
        "--override",
        "the baseline was scored on last quarter's frozen set",
    )
    assert code == 0, err
    assert "not like for like" in " ".join(proposed.read_text(encoding="utf-8").split())
