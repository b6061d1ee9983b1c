"""The report's schema (pytest_archgate/report/schema.py) against what is written and read.

The types are only worth what they promise, so these tests tie them to the three places that
could drift from them:

* what ``build_report`` (and ``archgate merge``) writes: every key of a rich report is declared,
  with a value of the declared type, and every declared key is written by one of them (or is
  listed below with the reason it is not);
* what the loader checks (``check_report`` casts to ``Report``): the same keys, required where
  the schema says so, and the same closed sets;
* the reference page ``docs/reference/report-schema.md``, generated from the types.

mypy checks ``entry["key"]`` against the types but lets ``entry.get("key")`` through, so a
last test reads the renderers' source and checks every key literal they look up.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr import criteria as adr_criteria
from pytest_archgate.adr.parse import STATUSES
from pytest_archgate.github import actions
from pytest_archgate.report import load, schema
from pytest_archgate.report.merge import merge_reports
from pytest_archgate.report.schema import Report
from pytest_archgate.report.summary import details_blocks, render_comment, render_summary
from pytest_archgate.report.text import comparison_lines, summary_lines
from pytest_archgate.safe_io import write_json_atomic
from pytest_archgate.verdict import judge
from tests.report_golden_project import run

ROOT = Path(__file__).resolve().parent.parent

# Declared keys that neither the golden project's report nor its merge writes, and why.
NOT_WRITTEN = {
    ("Report", "commit"): "git commit of the run: the golden project is not a git checkout",
    ("Report", "diff"): "attached by workflows for the PR comment, never by archgate",
    ("Measurement", "predictions"): "dropped by build_report (a scratch path of the run)",
    ("Measurement", "environment"): "only when the run records environments",
    ("Measurement", "replicate"): "only for replicated measurements",
    ("CriterionResult", "family"): "only under Holm's correction",
    ("CriterionResult", "adjusted_confidence"): "only under Holm's correction",
    ("EstimateDetails", "stop_reason"): "latency estimates only",
    ("EstimateDetails", "below_minimum"): "latency estimates only",
    # base-branch comparisons (tests/test_base_branch.py writes and reads them)
    ("Measurement", "rows"): "only beside a report whose ADRs have vs @base criteria",
    ("CriterionResult", "base"): "only for vs @base criteria",
    ("Report", "base_report"): "only when a base report is given",
    **{
        (cls, key): "base-branch comparisons only"
        for cls, keys in (
            ("RowsFile", ("file", "sha256", "bytes")),
            ("BaseReport", ("file", "commit", "generated_at", "stale", "flags", "paired_rows")),
            (
                "BaseComparison",
                (
                    "file",
                    "commit",
                    "generated_at",
                    "base_value",
                    "pr_value",
                    "test",
                    "paired",
                    "stale",
                    "flags",
                ),
            ),
        )
        for key in keys
    },
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The raw report file of the golden project (comparisons, costs, vs criteria, errors)."""
    root = tmp_path_factory.mktemp("golden")
    run(root)
    return root / "report.json"


@pytest.fixture(scope="module")
def rich(written: Path) -> Report:
    return load.load_report(written)


@pytest.fixture(scope="module")
def merged(rich: Report) -> Report:
    return merge_reports([("cpu.json", rich), ("gpu.json", rich)]).report


# --------------------------------------------------------------------------- walking the types


def _required(cls: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is typing.NotRequired:
        return False
    if origin is typing.Required:
        return True
    return bool(cls.__total__)  # __required_keys__ is unreliable on 3.11 (postponed hints)


def _strip(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.NotRequired, typing.Required):
        return typing.get_args(hint)[0]
    return hint


def _fits(value: Any, tp: Any) -> bool:
    """A shallow check: could ``value`` be of type ``tp``?"""
    origin = typing.get_origin(tp)
    if tp is Any or tp is object:
        return True
    if typing.is_typeddict(tp) or origin is dict:
        return isinstance(value, dict)
    if origin is list:
        return isinstance(value, list)
    if origin is typing.Literal:
        return value in typing.get_args(tp)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, tp)


def _walk(
    value: Any, tp: Any, path: str, seen: set[tuple[str, str]], undeclared: list[str]
) -> None:
    """Check ``value`` against ``tp`` all the way down; record the TypedDict keys met."""
    tp = _strip(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            assert type(None) in args, f"{path}: null where {tp} allows none"
            return
        for option in args:
            if option is not type(None) and _fits(value, option):
                _walk(value, option, path, seen, undeclared)
                return
        raise AssertionError(f"{path}: {value!r} is none of {tp}")
    assert _fits(value, tp), f"{path}: {value!r} is not {tp}"
    if origin is list:
        for i, item in enumerate(value):
            _walk(item, args[0], f"{path}[{i}]", seen, undeclared)
    elif origin is dict:
        for k, item in value.items():
            _walk(item, args[1], f"{path}.{k}", seen, undeclared)
    elif typing.is_typeddict(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        # a ranked comparison is a comparison with more keys required: one set of keys
        name = "Comparison" if tp is schema.RankedComparison else tp.__name__
        for key, hint in hints.items():
            if _required(tp, hint):
                assert key in value, f"{path}.{key}: required by {tp.__name__}, missing"
        for key, item in value.items():
            if key not in hints:
                if tp is not schema.EstimateDetails:  # open by design: any method's details
                    undeclared.append(f"{path}.{key} ({tp.__name__})")
                continue
            seen.add((name, key))
            _walk(item, hints[key], f"{path}.{key}", seen, undeclared)


def _typeddicts() -> Iterator[Any]:
    """Every TypedDict reachable from Report."""
    found: list[Any] = [schema.Report]
    i = 0
    while i < len(found):
        cls = found[i]
        i += 1
        yield cls
        stack = list(typing.get_type_hints(cls, include_extras=True).values())
        while stack:
            tp = stack.pop()
            if typing.is_typeddict(tp):
                if tp not in found:
                    found.append(tp)
            else:
                stack.extend(typing.get_args(tp))


def _declared() -> set[tuple[str, str]]:
    return {
        ("Comparison" if cls is schema.RankedComparison else cls.__name__, key)
        for cls in _typeddicts()
        for key in typing.get_type_hints(cls)
    }


# --------------------------------------------------------------------------- written reports


def test_every_written_key_is_declared_with_its_type(rich: Report, merged: Report) -> None:
    seen: set[tuple[str, str]] = set()
    undeclared: list[str] = []
    _walk(rich, Report, "report", seen, undeclared)
    _walk(merged, Report, "merged", seen, undeclared)
    assert undeclared == []
    assert not (_declared() - seen) - set(NOT_WRITTEN), "declared but never written"
    assert not set(NOT_WRITTEN) - _declared(), "NOT_WRITTEN names keys the schema lacks"


def test_the_rich_report_is_rich(rich: Report, merged: Report) -> None:
    """The fixture exercises what the key test relies on (else it would prove little)."""
    comparisons = [a["comparison"] for a in rich["adrs"] if a.get("comparison")]
    assert comparisons
    assert any(c.get("daily_cost") for c in comparisons)
    assert any(c.get("references") for c in comparisons)
    assert merged.get("merged_inputs")


def test_loading_and_writing_again_is_byte_identical(
    written: Path, merged: Report, tmp_path: Path
) -> None:
    raw = written.read_bytes()
    assert (json.dumps(load.load_report(written), indent=2, allow_nan=False) + "\n").encode(
        "utf-8"
    ) == raw
    # and a report written by the one atomic writer reads back unchanged too
    out = tmp_path / "merged.json"
    write_json_atomic(out, merged)
    again = tmp_path / "again.json"
    write_json_atomic(again, load.load_report(out))
    assert again.read_bytes() == out.read_bytes()


# --------------------------------------------------------------------------- the loader


# the loader's object checks, by the TypedDict each one makes honest
_CHECKS: dict[str, load.obj] = {
    "Report": load.report_shape,
    "AdrEntry": load.adr_entry,
    "CriterionResult": load.criterion_result,
    "CriterionDefinition": load.criterion_definition,
    "Definition": load.definition,
    "Measurement": load.measurement,
    "Estimate": load.estimate,
    "EstimateDetails": load.estimate_details,
    "Comparison": load._comparison_fields,
    "Cell": load.cell,
    "Recommendation": load.recommendation,
    "DailyCost": load.daily_cost,
    "MergedInput": load.merged_input,
}
# keys checked outside the object checks (check_report) or carried unchecked
_CHECKED_ELSEWHERE = {("Report", "schema"), ("Report", "version"), ("Report", "diff")}


@pytest.mark.parametrize("name", sorted(_CHECKS))
def test_the_loader_checks_what_the_type_promises(name: str) -> None:
    cls = getattr(schema, name)
    check = _CHECKS[name]
    hints = typing.get_type_hints(cls, include_extras=True)
    checked = set(check.fields) | set(check.required) | set(check.present)
    declared = {k for k in hints if (name, k) not in _CHECKED_ELSEWHERE}
    assert checked == declared
    for key in declared:
        hint = _strip(hints[key])
        nullable = type(None) in typing.get_args(hint)
        required = _required(cls, hints[key])
        # required and never null: checked "required"; required but may be null: "present";
        # anything else may be missing or null
        assert required == (key in check.required or key in check.present), key
        assert nullable == (key not in check.required), key
        literal = [
            a for a in (typing.get_args(hint) or (hint,)) if typing.get_origin(a) is typing.Literal
        ]
        if literal and len(typing.get_args(literal[0])) > 1:
            assert isinstance(check.fields[key], load.one_of), key
            assert check.fields[key].choices == typing.get_args(literal[0]), key


def test_a_ranked_comparison_requires_what_its_type_requires() -> None:
    hints = typing.get_type_hints(schema.RankedComparison, include_extras=True)
    required = {k for k, h in hints.items() if _required(schema.RankedComparison, h)}
    assert required == set(load._ranked_comparison.required)
    assert set(hints) == set(typing.get_type_hints(schema.Comparison))


def test_closed_sets_match_the_layers_that_produce_them() -> None:
    args = typing.get_args
    assert args(schema.AdrStatus) == (*STATUSES, "unknown")
    assert args(schema.AdrVerdict) == args(judge.AdrVerdict)
    assert args(schema.Role) == args(judge.Role)
    assert args(schema.CriterionKind) == args(adr_criteria.Kind)
    assert args(schema.Family) == args(adr_criteria.Family)
    assert args(schema.CriterionVerdict) == (*args(adr_criteria.Verdict), "n/a")
    assert args(schema.AdrVerdict) == load.VERDICTS
    from pytest_archgate.measure import latency  # numpy: imported here only

    assert schema.STOP_REASONS == latency.STOP_REASONS == args(schema.StopReason)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("status", "drafted", "adrs[0].status: expected one of proposed, accepted"),
        ("verdict", "ok", "adrs[0].verdict: expected one of pass, fail, unmeasured, none"),
    ],
)
def test_a_value_outside_its_closed_set_is_refused(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    path = tmp_path / "r.json"
    data = {"schema": schema.SCHEMA, "version": 1, "adrs": [{"id": "ADR-1", field: value}]}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(load.ReportError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load.load_report(path)


# --------------------------------------------------------------------------- renderers


def test_renderers_take_the_typed_report_as_it_is(rich: Report, merged: Report) -> None:
    """Renderer bugs surface here, not as "malformed report": no guard around these calls."""
    for report in (rich, merged):
        assert "ADR-0002" in render_summary(report)
        assert render_comment(report, base=rich).startswith("<!-- archgate-comment:default -->")
        assert "ADR-0002" in details_blocks(report)
        assert summary_lines(report["adrs"])[0].startswith("ADR")
        assert actions.collect_annotations(report)
        assert set(actions.step_outputs(report, "r.json")) >= {"enforced-failures", "report-path"}
        for entry in report["adrs"]:
            comparison = schema.ranked(entry.get("comparison"))
            if comparison is not None:
                assert comparison_lines(comparison)[0].endswith("options, best first:")


def _broken(*_args: object, **_kwargs: object) -> str:
    raise KeyError("a renderer bug")


def test_publish_run_reraises_renderer_bugs_when_asked(
    rich: Report,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import pytest_archgate.report.summary as summary

    monkeypatch.setattr(summary, "render_summary", _broken)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    # in a user's run, a side-channel bug is one warning line: the run's result stands
    actions.publish_run(rich, report_path=None, env=env)
    assert "cannot render the job summary: KeyError" in capsys.readouterr().err
    with pytest.raises(KeyError, match="a renderer bug"):
        actions.publish_run(rich, report_path=None, env={**env, actions.RAISE_ENV: "1"})


# the renderers and builders that read reports, and the key literals they may look up that are
# not report keys (GitHub's event payload, foreign shapes they tolerate)
_RENDERERS = {
    # a measurement's environment as a merged report refers to it: {"ref": key}
    "pytest_archgate/report/build.py": {"ref"},
    "pytest_archgate/report/merge.py": set(),
    "pytest_archgate/report/text.py": set(),
    "pytest_archgate/report/summary.py": {
        # a criteria diff (any shape) and a foreign comparison shape, read defensively
        "ranking",
        "changes",
        "entries",
        "items",
        "kind",
        "change",
        "type",
        "criterion",
        "before",
        "after",
    },
    # the event payload, and the step outputs it writes
    "pytest_archgate/github/actions.py": {"pull_request", "head", "sha", "report-path"},
    "pytest_archgate/verdict/comparison.py": set(),
}


def _key_literals(source: str) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(source)):
        key: ast.expr | None = None
        if isinstance(node, ast.Subscript):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop", "setdefault")
            and node.args
        ):
            key = node.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield node.lineno, key.value


@pytest.mark.parametrize("module", sorted(_RENDERERS))
def test_every_key_a_renderer_reads_is_declared(module: str) -> None:
    declared = {key for _cls, key in _declared()}
    allowed = _RENDERERS[module]
    source = (ROOT / module).read_text(encoding="utf-8")
    unknown = [
        f"{module}:{line}: {key!r}"
        for line, key in _key_literals(source)
        if key not in declared and key not in allowed and not key.isupper()  # env variables
    ]
    assert unknown == []


# --------------------------------------------------------------------------- the reference page


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_report_schema", ROOT / "docs/gen_report_schema.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_page_is_generated_from_the_types() -> None:
    gen = _generator()
    page = ROOT / "docs" / "reference" / "report-schema.md"
    assert page.read_text(encoding="utf-8") == gen.render(), (
        "docs/reference/report-schema.md is out of date: run python docs/gen_report_schema.py"
    )
    assert gen.main(["--check"]) == 0


def test_the_reference_page_documents_every_key() -> None:
    text = (ROOT / "docs" / "reference" / "report-schema.md").read_text(encoding="utf-8")
    for cls in _typeddicts():
        assert f"## {cls.__name__}\n" in text
        for key in typing.get_type_hints(cls):
            row = next(line for line in text.splitlines() if line.startswith(f"| `{key}` |"))
            assert not row.endswith("|  |"), f"{cls.__name__}.{key} has no description"
