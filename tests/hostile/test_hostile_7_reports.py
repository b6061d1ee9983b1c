"""Hostile reports: every command that reads a report, against every kind of broken report.

A report is a file anyone can hand over (an artifact of another job, a fork's upload). Every
command that reads one goes through one loader, so each broken report must end the same way
for each command: exit status 2, one line on stderr naming the file (and the field, where
there is one), no traceback, nothing written.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.report.build import build_report
from pytest_archgate.report.load import MAX_BYTES, MAX_DEPTH
from pytest_archgate.verdict.judge import judge_all

PROPOSED = """\
---
status: proposed
date: 2024-03-01
archgate:
  baseline: logreg
  options: [xgboost, torch_mlp, logreg]
  acceptance:
    roc_auc: ">= 0.9"
    latency_p95_ms: "<= 50"
---
# Pick a fraud model
"""

VALUES = {
    "xgboost": {"roc_auc": (0.93, [0.91, 0.95]), "latency_p95_ms": (12.5, None)},
    "torch_mlp": {"roc_auc": (0.95, [0.93, 0.97]), "latency_p95_ms": (84.0, None)},
    "logreg": {"roc_auc": (0.88, [0.86, 0.9]), "latency_p95_ms": (1.0, None)},
}


def valid_report(project: Path) -> dict[str, Any]:
    adr_file = project / "adr" / "0002-pick-a-model.md"
    adr_file.parent.mkdir(parents=True, exist_ok=True)
    adr_file.write_text(PROPOSED, encoding="utf-8")
    adr = parse_adr(adr_file)
    ms = [
        Measurement(
            adr=adr.id,
            option=option,
            metric=metric,
            estimate=Estimate(
                value=value,
                method="recorded",
                intervals={0.95: (ci[0], ci[1])} if ci else {},
            ),
            nodeid=f"tests/test_model.py::test_{option}",
        )
        for option, metrics in VALUES.items()
        for metric, (value, ci) in metrics.items()
    ]
    report = build_report(judge_all([adr], ms), ms, rootdir=str(project))
    assert report["adrs"][0].get("comparison"), "the fixture report must carry a comparison"
    return report


def _set(data: Any, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def deep(n: int) -> str:
    return "[" * n + "]" * n


# name -> (bytes of the file, what the message must contain)
Mutation = Callable[[dict[str, Any]], "bytes | dict[str, Any]"]
CASES: dict[str, tuple[Mutation, str]] = {
    "not-utf8": (lambda r: json.dumps(r).encode() + b"\xff\xfe", "not UTF-8 (byte 0xff at offset"),
    "latin1-title": (
        lambda r: json.dumps(r, ensure_ascii=False).replace("Pick", "Pïck").encode("latin-1"),
        "not UTF-8",
    ),
    "not-json": (lambda r: b'{"schema": ', "not valid JSON"),
    "nan-value": (
        lambda r: json.dumps(_set(r, ("adrs", 0, "criteria", 0, "value"), float("nan"))).encode(),
        "NaN is not a number JSON allows",
    ),
    "infinity-in-measurement": (
        lambda r: json.dumps(
            _set(r, ("measurements", 0, "estimate", "value"), float("inf"))
        ).encode(),
        "Infinity is not a number JSON allows",
    ),
    "overflowing-number": (
        lambda r: json.dumps(r).replace('"value": 0.93', '"value": 1e400', 1).encode(),
        "too large for a float",
    ),
    "huge-integer": (
        lambda r: _set(r, ("adrs", 0, "criteria", 0, "value"), 10**400),
        "adrs[0].criteria[0].value: expected a finite number",
    ),
    "deeply-nested": (
        lambda r: json.dumps(r)[:-1].encode() + b', "x": ' + deep(100_000).encode() + b"}",
        "nested deeper than",
    ),
    "nested-just-too-deep": (
        lambda r: json.dumps(r)[:-1].encode() + b', "x": ' + deep(MAX_DEPTH + 1).encode() + b"}",
        f"nested deeper than the {MAX_DEPTH} levels",
    ),
    "top-level-list": (lambda r: b"[1, 2]", "not an archgate report"),
    "newer-version": (lambda r: _set(r, ("version",), 99), "version: report version 99 is newer"),
    "version-string": (lambda r: _set(r, ("version",), "1"), "version: report version must be"),
    "adrs-not-list": (lambda r: _set(r, ("adrs",), {"a": 1}), "adrs: expected a list"),
    "adr-not-object": (lambda r: _set(r, ("adrs", 0), "ADR-0002"), "adrs[0]: expected an object"),
    "adr-id-number": (lambda r: _set(r, ("adrs", 0, "id"), 2), "adrs[0].id: expected a string"),
    "criteria-not-list": (
        lambda r: _set(r, ("adrs", 0, "criteria"), {"roc_auc": 1}),
        "adrs[0].criteria: expected a list",
    ),
    "criterion-name-list": (
        lambda r: _set(r, ("adrs", 0, "criteria", 0, "name"), ["roc_auc"]),
        "adrs[0].criteria[0].name: expected a string",
    ),
    "criterion-value-string": (
        lambda r: _set(r, ("adrs", 0, "criteria", 0, "value"), "0.9"),
        "adrs[0].criteria[0].value: expected a number",
    ),
    "ci-three-numbers": (
        lambda r: _set(r, ("adrs", 0, "criteria", 0, "ci"), [0.1, 0.2, 0.3]),
        "adrs[0].criteria[0].ci: expected an interval",
    ),
    "ci-with-string": (
        lambda r: _set(r, ("adrs", 0, "criteria", 0, "ci"), [0.1, "x"]),
        "adrs[0].criteria[0].ci[1]: expected a number",
    ),
    "verdict-unknown": (
        lambda r: _set(r, ("adrs", 0, "criteria", 0, "verdict"), "great"),
        "adrs[0].criteria[0].verdict: expected one of",
    ),
    "summary-list": (lambda r: _set(r, ("summary",), [1]), "summary: expected an object"),
    "summary-count-string": (
        lambda r: _set(r, ("summary", "fail"), "0"),
        "summary.fail: expected an integer",
    ),
    "comparison-string": (
        lambda r: _set(r, ("adrs", 0, "comparison"), "xgboost"),
        "adrs[0].comparison: expected an object",
    ),
    "comparison-cells-missing-option": (
        lambda r: _set(r, ("adrs", 0, "comparison", "cells"), {}),
        "adrs[0].comparison.cells.",
    ),
    "comparison-recommendation-list": (
        lambda r: _set(r, ("adrs", 0, "comparison", "recommendation"), ["xgboost"]),
        "adrs[0].comparison.recommendation: expected an object",
    ),
    "comparison-score-nan-free-string": (
        lambda r: _set(r, ("adrs", 0, "comparison", "scores", "xgboost"), "high"),
        "adrs[0].comparison.scores.xgboost: expected a number",
    ),
    "definition-options-string": (
        lambda r: _set(r, ("adrs", 0, "definition", "options"), "xgboost"),
        "adrs[0].definition.options: expected a list",
    ),
    "tests-not-strings": (
        lambda r: _set(r, ("adrs", 0, "tests"), [1, 2]),
        "adrs[0].tests[0]: expected a string",
    ),
    "measurement-without-estimate": (
        lambda r: _set(r, ("measurements", 0, "estimate"), None),
        "measurements[0].estimate: required, but missing",
    ),
    "errors-not-strings": (lambda r: _set(r, ("errors",), [{"x": 1}]), "errors[0]: expected"),
}


def command_lines(report: Path, project: Path) -> dict[str, list[str]]:
    return {
        "report": ["report", str(report), "--md", str(project / "out.md")],
        "merge": ["merge", str(report), "-o", str(project / "merged.json")],
        "accept": ["accept", "ADR-0002", "--option", "xgboost", "--report", str(report)],
        "comment": ["comment", str(report), "--dry-run"],
        "comment-base": [
            "comment",
            str(project / "good.json"),
            "--base-report",
            str(report),
            "--dry-run",
        ],
        "comment-diff": ["comment", str(project / "good.json"), "--diff", str(report), "--dry-run"],
        "report-base": [
            "report",
            str(project / "good.json"),
            "--md",
            str(project / "out.md"),
            "--base",
            str(report),
        ],
    }


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from pytest_archgate.cli.main import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "GITHUB_ACTIONS": "", "GITHUB_BASE_REF": ""},
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project folder with the ADR, a good report and one file per hostile case."""
    project = tmp_path_factory.mktemp("hostile-reports")
    good = valid_report(project)
    (project / "good.json").write_text(json.dumps(good), encoding="utf-8")
    (project / "pytest.ini").write_text("[pytest]\narchgate_adr_dir = adr\n", encoding="utf-8")
    for name, (mutate, _message) in CASES.items():
        data = mutate(json.loads(json.dumps(good)))
        raw = data if isinstance(data, bytes) else json.dumps(data).encode()
        (project / f"{name}.json").write_bytes(raw)
    return project


def test_the_good_report_passes_every_command(corpus: Path) -> None:
    """The baseline: the same commands on the unmodified report do not fail as input errors."""
    for command, args in command_lines(corpus / "good.json", corpus).items():
        if command == "comment-diff":
            continue  # a report is not a diff; it only has to load
        result = run_cli(args, corpus)
        assert result.returncode in (0, 1), (command, result.stderr)
        assert "Traceback" not in result.stderr
    # accept changed the ADR: put it back for the hostile runs
    valid_report(corpus)


# Every command on every case would be ~250 processes; the loader is shared, so each case runs
# through every command in one process each, via cli.main.
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_command_refuses_a_hostile_report(
    case: str, corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_archgate.cli import main as cli

    monkeypatch.chdir(corpus)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    _mutate, message = CASES[case]
    report = corpus / f"{case}.json"
    adr_before = (corpus / "adr" / "0002-pick-a-model.md").read_bytes()
    for command, args in command_lines(report, corpus).items():
        if command == "comment-diff" and message.startswith(
            ("adrs", "summary", "version", "not an", "measurements", "errors")
        ):
            continue  # a diff file has no report schema; only the byte-level checks apply
        for out in ("out.md", "merged.json"):
            (corpus / out).unlink(missing_ok=True)
        rc = cli.main(args)
        captured = capsys.readouterr()
        assert rc == 2, (command, captured.err)
        assert captured.err.count("\n") == 1, (command, captured.err)
        assert str(report) in captured.err, (command, captured.err)
        assert message in captured.err, (command, captured.err)
        assert "Traceback" not in captured.err
        assert captured.out == "", (command, captured.out)
        assert not (corpus / "out.md").exists()
        assert not (corpus / "merged.json").exists()
        assert (corpus / "adr" / "0002-pick-a-model.md").read_bytes() == adr_before


def test_oversized_report_is_refused_before_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_archgate.cli import main as cli

    big = tmp_path / "big.json"
    with big.open("wb") as fh:  # sparse: the size is what counts, not the content
        fh.truncate(MAX_BYTES + 1)
    assert cli.main(["merge", str(big), "-o", str(tmp_path / "m.json")]) == 2
    err = capsys.readouterr().err
    assert f"{big}: report is {MAX_BYTES + 1:,} bytes, more than the" in err
    assert err.count("\n") == 1


def test_hostile_report_as_a_subprocess_has_no_traceback(corpus: Path) -> None:
    """The real entry point, once, for the nesting case (RecursionError must not escape)."""
    result = run_cli(["merge", str(corpus / "deeply-nested.json"), "-o", "m.json"], corpus)
    assert result.returncode == 2
    assert "nested deeper than" in result.stderr
    assert "Traceback" not in result.stderr
    assert "RecursionError" not in result.stderr


def test_merge_exits_1_when_an_input_report_carries_errors(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_archgate.cli import main as cli

    data = json.loads((corpus / "good.json").read_text(encoding="utf-8"))
    data["errors"] = ["tests/test_model.py::test_x: archgate: y_true has one class"]
    bad = tmp_path / "with-errors.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["merge", str(bad), "-o", str(tmp_path / "m.json")]) == 1
    out = capsys.readouterr().out
    assert f"ERROR {bad}: tests/test_model.py::test_x: archgate: y_true has one class" in out
    merged = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert merged["errors"]
    # the same report without the error merges with exit 0 (a proposed ADR never fails)
    assert cli.main(["merge", str(corpus / "good.json"), "-o", str(tmp_path / "m2.json")]) == 0


def test_merge_help_documents_its_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_archgate.cli import main as cli

    with pytest.raises(SystemExit):
        cli.main(["merge", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for status in ("0: every accepted ADR holds", "1: an accepted ADR fails", "2: an input"):
        assert status in out


# --------------------------------------------------------------------------- property test

HOSTILE_VALUES: list[Any] = [
    None,
    "",
    "x\n::error::y",
    "\x1b[31m##[error]z",
    -1,
    0,
    1e308,
    -1e308,
    True,
    [],
    {},
    [1, 2],
    [2.0, 1.0],
    ["a", "b"],
    {"a": 1},
    "0.9",
    "pass",
    "fail",
]


# values of the same JSON type as the one replaced: most pass the loader and reach renderers
SAME_TYPE: dict[type, list[Any]] = {
    str: [
        *("", "x\n::error::y", "<b>@team #12|`", "pass", "fail", "n/a", "none", "acceptance"),
        *("decision", "accepted", "superseded", "xgboost", "logreg", "roc_auc", "0.5", "ADR-0002"),
    ],
    float: [0.0, -1.0, 1e308, -1e308, 1e-300, 0.5, 5.0],
    int: [0, 1, 10**15, 2**62],
    bool: [True, False],
    list: [[], [1.0, 2.0], ["xgboost"]],
    dict: [{}],
    type(None): [None],
}


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        path = (*prefix, key)
        out.append(path)
        if isinstance(value, dict | list):
            out.extend(_paths(value, path))
    return out


@pytest.fixture(scope="module")
def good_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return valid_report(tmp_path_factory.mktemp("good"))


def test_every_report_the_loader_accepts_renders_and_merges(good_report: dict[str, Any]) -> None:
    """Mutate a real report at random places with hostile values: the loader either refuses
    it (ReportError) or every renderer and merge work on it. Any other exception is a bug in a
    renderer or a gap in the loader."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pytest_archgate.errors import ReportError
    from pytest_archgate.github.actions import collect_annotations
    from pytest_archgate.report.html import render_html
    from pytest_archgate.report.load import check_report
    from pytest_archgate.report.md_package import render_markdown
    from pytest_archgate.report.merge import merge_reports
    from pytest_archgate.report.summary import render_comment, render_summary
    from pytest_archgate.report.text import summary_lines

    paths = _paths(good_report)

    @settings(
        max_examples=400,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        st.lists(
            st.tuples(st.sampled_from(paths), st.booleans(), st.integers(0, 1000)),
            min_size=1,
            max_size=3,
        )
    )
    def check(mutations: list[tuple[tuple[Any, ...], bool, int]]) -> None:
        report = json.loads(json.dumps(good_report))
        for path, same_type, pick in mutations:
            try:
                pool = SAME_TYPE[type(_get(report, path))] if same_type else HOSTILE_VALUES
                _set(report, path, json.loads(json.dumps(pool[pick % len(pool)])))
            except (KeyError, IndexError, TypeError):
                continue  # an earlier mutation removed the parent
        refused: str | None = None
        try:
            checked = check_report(report, "r.json")
        except ReportError as exc:
            refused = str(exc)
        if refused is not None:
            assert refused.startswith("r.json: ")
            assert "\n" not in refused
            return
        render_comment(checked, base=checked)
        render_summary(checked)
        render_markdown(checked, base=checked)
        render_html(checked, base=checked, charts="svg")
        summary_lines(checked["adrs"])
        collect_annotations(checked)
        with contextlib.suppress(ReportError):  # e.g. a definition made inconsistent
            merge_reports([("a.json", checked), ("b.json", checked)])

    check()


def test_merge_never_opens_prediction_paths_from_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report's ``predictions`` (scratch files of the run that wrote it) are never opened:
    a handed-over report could point them anywhere."""
    from pytest_archgate.cli import main as cli

    adr_file = tmp_path / "adr" / "0003-vs.md"
    adr_file.parent.mkdir()
    adr_file.write_text(
        "---\nstatus: accepted\ndate: 2024-01-01\narchgate:\n  decision: a\n  baseline: b\n"
        "  options: [a, b]\n  acceptance:\n    gain: {metric: auc, vs: b, min: 0.01}\n---\n# Vs\n",
        encoding="utf-8",
    )
    adr = parse_adr(adr_file)
    ms = [
        Measurement(adr=adr.id, option=o, metric="auc", estimate=Estimate(value=v, method="x"))
        for o, v in (("a", 0.9), ("b", 0.8))
    ]
    data = build_report(judge_all([adr], ms), ms)
    not_npz = tmp_path / "not-an-npz.bin"
    not_npz.write_bytes(b"\x80\x04pickled?" * 10)
    for m in data["measurements"]:
        m["predictions"] = str(not_npz)
        m["fingerprint"] = "same"
    report = tmp_path / "r.json"
    report.write_text(json.dumps(data), encoding="utf-8")
    rc = cli.main(["merge", str(report), "-o", str(tmp_path / "m.json")])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "Traceback" not in captured.err
    merged = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert merged["adrs"][0]["verdict"] == "pass"
    assert all(m.get("predictions") is None for m in merged["measurements"])


def test_a_line_break_anywhere_is_refused_in_one_line(good_report: dict[str, Any]) -> None:
    """Whatever key or string of a report carries a line break (an option name in the
    comparison, a metric name, an ADR id), a refusal is one line: names are quoted in the
    field path and the message, never printed raw."""
    from pytest_archgate.errors import ReportError
    from pytest_archgate.report.load import check_report

    hostile = "x\n::error::injected"
    sites: list[tuple[tuple[Any, ...], Any]] = []

    def walk(data: Any, prefix: tuple[Any, ...] = ()) -> None:
        if isinstance(data, dict):
            for k, v in data.items():
                sites.append(((*prefix, k), "key"))
                walk(v, (*prefix, k))
        elif isinstance(data, list):
            for i, v in enumerate(data):
                walk(v, (*prefix, i))
        elif isinstance(data, str):
            sites.append((prefix, "value"))

    walk(good_report)
    refusals: list[tuple[tuple[Any, ...], str]] = []
    for path, kind in sites:
        report = json.loads(json.dumps(good_report))
        parent = _get(report, path[:-1])
        if kind == "key":
            parent[hostile] = parent.pop(path[-1])
        else:
            parent[path[-1]] = hostile
        try:
            check_report(report, "r.json")
        except ReportError as exc:
            refusals.append((path, str(exc)))
    assert len(refusals) > 10
    assert [(p, m) for p, m in refusals if "\n" in m] == []
