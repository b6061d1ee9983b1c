"""Any report the loader accepts renders in every format without an exception.

The loader (report/load.py) is the one door of a report file, and the renderers trust what it
checked (ADR-0016: no broad ``except`` around them). The two can only drift apart silently, so
Hypothesis builds reports from the loader's own validators (every checked field randomly
present, missing or null; hostile strings; consistent ranked comparisons), asserts that
:func:`check_report` accepts each one, and renders it with every renderer: the HTML and
Markdown packages (with a base report), the PR comment and the job summary (with a diff), the
terminal table, the Actions annotations and step outputs, and ``archgate merge``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_archgate.errors import ReportError
from pytest_archgate.report import load
from pytest_archgate.report.load import check_report

HOSTILE = [
    "",
    "x",
    "@org/team",
    "#123",
    "<script>alert(1)</script>",
    "::error::pwned",
    "](javascript:alert(1))",
    "a|b`c",
    "line\nbreak",
    "\x1b[31mred\x1b[0m",
    "##[error]legacy",
    "ünïcode ≥ 0.9",
    ">= 0.9",
    "ADR-0001",
]

_strings = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))
_names = st.sampled_from(["a", "b", "x_1", "roc_auc", "lat@ms"])
_numbers = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1e300, -1e300, 1.7e308, -1.7e308, 5e-324]),
)


def _closure_check(fn: Any) -> Any:
    (cell,) = fn.__closure__
    return cell.cell_contents


def _pair() -> st.SearchStrategy[list[float]]:
    return st.tuples(_numbers, _numbers).map(lambda t: sorted(t))


def strategy(check: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values ``check`` (a validator of report/load.py) accepts."""
    if check is load.partial_statistics:  # its stats' shape follows its kind
        return _partial_statistics()
    if isinstance(check, load.obj):
        return _object(check, depth)
    if isinstance(check, load.one_of):
        return st.sampled_from(check.choices)
    if check is load.comparison:
        return _comparison()
    simple: dict[Any, st.SearchStrategy[Any]] = {
        load.string: _strings,
        load.boolean: st.booleans(),
        load.number: _numbers,
        load.integer: st.integers(-1000, 1000),
        load.count: st.integers(0, 1000),
        load.level: st.sampled_from([0.5, 0.9, 0.95, 0.999]),
        load.pair: _pair(),
        load._interval_keys: st.dictionaries(st.sampled_from(["0.9", "0.95"]), _pair(), max_size=2),
        load._anything: st.one_of(st.none(), _numbers, _strings, st.dictionaries(_names, _strings)),
        load._environment_ref: st.one_of(_names, st.dictionaries(_names, _strings, max_size=2)),
        load._replicate_id: _names,
    }
    if check in simple:
        return simple[check]
    qual = getattr(check, "__qualname__", "")
    if qual.startswith("list_of."):
        return st.lists(strategy(_closure_check(check), depth + 1), max_size=3)
    if qual.startswith("map_of."):
        return st.dictionaries(_names, strategy(_closure_check(check), depth + 1), max_size=3)
    if qual.startswith("optional."):
        return st.one_of(st.none(), strategy(_closure_check(check), depth + 1))
    raise AssertionError(f"no strategy for the loader's check {check!r}")


# Names that tie parts of a report together (an ADR's options, a criterion's option, name and
# metric, a measurement's option) come from one small set, so that the comparisons the
# renderers compute from criteria and measurements have options to rank.
_SHARED: dict[str, st.SearchStrategy[Any]] = {
    "option": _names,
    "decision": _names,
    "baseline": _names,
    "vs": _names,
    "name": _names,
    "metric": st.one_of(_names, st.just("cost_per_1k_usd")),
    "options": st.lists(_names, max_size=3, unique=True),
}


def _object(check: Any, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for key, sub in check.fields.items():
        value = _SHARED[key] if key in _SHARED else strategy(sub, depth + 1)
        if key in check.required:
            fields[key] = value
        elif key in check.present:
            fields[key] = st.one_of(st.none(), value)
        else:
            optional[key] = st.one_of(st.none(), value)
    for key in (*check.required, *check.present):
        fields.setdefault(key, st.none())
    return st.fixed_dictionaries(fields, optional=optional)


@st.composite
def _comparison(draw: st.DrawFn) -> dict[str, Any]:
    base = draw(_object(load._comparison_fields, 1))
    if draw(st.booleans()):
        base.pop("options", None)
        return base
    options = draw(st.lists(_names, min_size=1, max_size=3, unique=True))
    criteria = draw(st.lists(_names, max_size=3, unique=True))
    cell = strategy(load.cell)
    base.update(
        options=options,
        criteria=criteria,
        cells={o: {n: draw(cell) for n in criteria} for o in options},
        scores={o: draw(_numbers) for o in options},
        meets_all={o: draw(st.booleans()) for o in options},
        recommendation=draw(strategy(load.recommendation)),
        bounds=draw(st.dictionaries(st.sampled_from(criteria or ["a"]), st.none() | _strings)),
        weights=draw(st.dictionaries(st.sampled_from(criteria or ["a"]), _numbers)),
    )
    return base


@st.composite
def _partial_statistics(draw: st.DrawFn) -> dict[str, Any]:
    """A shard's statistics of any shape the loader accepts (merge checks their meaning)."""
    total = draw(st.integers(1, 3))
    out: dict[str, Any] = {
        "shard": [draw(st.integers(1, total)), total],
        "fingerprint": draw(st.sampled_from(["0123456789abcdef", "fedcba9876543210", "x"])),
    }
    counts, sizes = st.integers(0, 10**6), st.integers(0, 4)
    kind = draw(st.sampled_from(["counts", "moments", "table", "none"]))
    out["kind"] = kind
    if kind == "none":
        out["reason"] = draw(_strings)
    elif kind == "counts":
        t = draw(_numbers)
        out["stats"] = {
            "table": draw(st.lists(counts, min_size=4, max_size=4)),
            "threshold": t,
            "binary": draw(st.booleans()),
            "hard": draw(st.none() | st.lists(counts, min_size=4, max_size=4)),
        }
    elif kind == "moments":
        out["stats"] = {
            "n": draw(counts),
            "mean": draw(_numbers),
            "m2": abs(draw(_numbers)),
            "m3": draw(_numbers),
            "n_pos": draw(counts),
            "eps": draw(st.none() | st.sampled_from([1e-7, 2.2e-16])),
        }
    else:
        k = draw(sizes)
        out["stats"] = {
            "scores": draw(st.lists(_numbers, min_size=k, max_size=k)),
            "pos": draw(st.lists(counts, min_size=k, max_size=k)),
            "neg": draw(st.lists(counts, min_size=k, max_size=k)),
        }
    if draw(st.booleans()):
        out["levels"] = draw(st.lists(st.sampled_from([0.5, 0.9, 0.95]), max_size=3))
    return out


# a criteria diff (``--diff`` or a report's ``diff``) is any JSON: read defensively
_json = st.recursive(
    st.none() | st.booleans() | _numbers | _strings,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_strings, inner, max_size=3),
    max_leaves=10,
)
_diffs = st.one_of(
    _json,
    st.lists(
        st.fixed_dictionaries(
            {"adr": _json, "kind": _json, "criterion": _json, "before": _json, "after": _json}
        ),
        max_size=3,
    ).map(lambda changes: {"changes": changes}),
)


@st.composite
def reports(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(strategy(load.report_shape))
    data["schema"] = load.SCHEMA
    data["version"] = 1
    if draw(st.booleans()):
        data["diff"] = draw(_diffs)
    # a few measurements that name the report's own ADRs and options, so that the comparison
    # computed from measurements has something to rank
    ids = [a["id"] for a in data["adrs"]]
    if ids and draw(st.booleans()):
        ms = data.get("measurements") or []
        for m in draw(st.lists(strategy(load.measurement), max_size=4)):
            m["adr"] = draw(st.sampled_from(ids))
            ms.append(m)
        data["measurements"] = ms
    return data


def _render_all(report: Any, base: Any, tmp: Path) -> None:
    from pytest_archgate.github.actions import collect_annotations, step_outputs
    from pytest_archgate.report.html import render_html
    from pytest_archgate.report.md_package import render_markdown
    from pytest_archgate.report.merge import merge_reports
    from pytest_archgate.report.summary import render_comment, render_summary
    from pytest_archgate.report.text import summary_lines

    html = render_html(report, base=base, out_dir=tmp, charts="svg")
    assert "<script" not in html.lower()
    render_markdown(report, base=base, out_dir=tmp)
    for body in (
        render_comment(report, base=base, diff=report.get("diff")),
        render_summary(report, base=base),
    ):
        # what GitHub would act on: a tag, a mention, an issue link, a workflow command (link
        # syntax is escaped in Markdown and inert inside the <summary> HTML block)
        for danger in ("<script", "@org/team", "#123"):
            assert danger not in body, danger
        assert not any(line.lstrip().startswith("::") for line in body.splitlines())
    summary_lines(report["adrs"])
    collect_annotations(report, prefix="", env={})
    step_outputs(report, None)
    # a ReportError is exit 2 and one line through the CLI (e.g. an ADR id defined twice)
    with contextlib.suppress(ReportError):
        merge_reports([("a.json", copy.deepcopy(report))])


@settings(
    max_examples=int(os.environ.get("FUZZ_N", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(report=reports(), base=st.one_of(st.none(), reports()))
def test_every_accepted_report_renders(
    report: dict[str, Any], base: Any, tmp_path_factory: Any
) -> None:
    # through JSON, as a file would come in
    report = json.loads(json.dumps(report))
    checked = check_report(report, "r.json")
    checked_base = check_report(json.loads(json.dumps(base)), "b.json") if base else None
    _render_all(checked, checked_base, tmp_path_factory.mktemp("out"))
