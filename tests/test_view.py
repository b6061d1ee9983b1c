"""The one view layer: one number formatter and one table model for every output.

A value must read the same in the terminal, the job summary, the PR comment, the Markdown and
the HTML package; a missing value is :data:`~pytest_archgate.report.view.MISSING` everywhere.
The table writers escape every cell themselves, so a renderer cannot forget to.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from typing import Any

import pytest

from pytest_archgate.report import view
from pytest_archgate.report.view import (
    MISSING,
    Span,
    badge,
    fmt_any,
    fmt_count,
    fmt_delta,
    fmt_interval,
    fmt_level,
    fmt_score,
    fmt_usd,
    fmt_value,
    fmt_value_ci,
    html_table,
    markdown_table,
    table,
    text_table,
)
from pytest_archgate.verdict import comparison


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, MISSING),
        (0.874, "0.874"),
        (84, "84"),
        (84.0, "84"),
        (-0.006, "-0.006"),
        (1234567.0, "1234567"),
        (12345.6, "12346"),
        (0.123456, "0.1235"),
        (math.inf, "inf"),
        (math.nan, "nan"),
        (True, "True"),
        ("n/a", "n/a"),
    ],
)
def test_fmt_value(value: object, text: str) -> None:
    assert fmt_value(value) == text


@pytest.mark.parametrize("value", [0.874, 84, 12345.6, -0.006, 1e20, 3.0e-7])
def test_one_digit_rule_for_verdict_reasons_and_views(value: float) -> None:
    """The view shows a number exactly as the verdict reasons in the report write it."""
    assert fmt_value(value) == comparison.fmt_value(value)
    assert fmt_count(value) == comparison.fmt_count(value)
    assert fmt_usd(value) == comparison.fmt_usd(value)


def test_other_formatters() -> None:
    assert fmt_interval([0.85, 0.9]) == "[0.85, 0.9]"
    assert fmt_interval(None) == MISSING
    assert fmt_interval("ab") == MISSING
    assert fmt_value_ci(0.87, (0.85, 0.9)) == "0.87 [0.85, 0.9]"
    assert fmt_value_ci(0.87, None) == "0.87"
    assert fmt_delta(0.04) == "+0.04"
    assert fmt_delta(-3.0) == "-3"
    assert fmt_delta(0) == "0"
    assert fmt_delta(None) == MISSING
    assert fmt_count(1_000_000) == "1,000,000"
    assert fmt_count(None) == MISSING
    assert fmt_usd(1234.5) == "$1,234"
    assert fmt_usd(0.0123) == "$0.0123"
    assert fmt_usd(None) == MISSING
    assert fmt_level(0.99440) == "0.9944"
    assert fmt_score(0.5) == "0.50"
    assert fmt_any({"b": 1, "a": [1, 2]}) == '{"a": [1, 2], "b": 1}'
    assert fmt_any(None) == MISSING
    assert fmt_any(2.0) == "2"


HOSTILE = "<script>@org/team #12 ](javascript:x) |a|`b`\x1b[31m\u202e"


def _hostile_table() -> view.Table:
    return table(
        ["criterion", "value"],
        [
            [HOSTILE, Span("0.9")],
            [Span(HOSTILE, "strong", href="javascript:alert(1)"), badge("fail")],
            [(Span("0.9"), Span(" [0.8, 1]", "meta")), None],
        ],
        numeric=(1,),
    )


def test_markdown_table_escapes_every_cell() -> None:
    lines = markdown_table(_hostile_table())
    assert lines[:2] == ["| criterion | value |", "|---|---|"]
    body = "\n".join(lines)
    assert "<script" not in body
    assert "@org" not in body
    assert "team #12" not in body
    assert "\\](javascript" in body  # the bracket is escaped: no link can open
    assert re.search(r"(?<!\\)\]\(", body) is None
    assert "\x1b" not in body
    assert "\u202e" not in body
    assert all(line.count("|") == 3 for line in lines)  # no cell broke out of its column
    assert "| **fail** |" in lines[3]
    assert lines[4] == "| 0.9 \\[0.8, 1\\] |   |"


def test_text_table_escapes_every_cell() -> None:
    lines = text_table(_hostile_table())
    assert lines[0].split() == ["criterion", "value"]
    assert all("\x1b" not in x and "\u202e" not in x for x in lines)
    assert lines[3].startswith("0.9 [0.8, 1]")


def test_html_table_escapes_every_cell() -> None:
    page = html_table(_hostile_table())
    assert "<script" not in page
    assert "javascript:alert" not in page
    assert '<td class="num"><span class="badge b-fail">fail</span></td>' in page
    assert "<td>0.9<span class='meta'> [0.8, 1]</span></td>" in page
    assert "&lt;script&gt;" in page


def test_safe_links_only() -> None:
    ok = table(None, [[Span("ADR-1", href="#adr-1"), Span("f", href="adr/0001-x.md")]])
    assert markdown_table(ok)[2] == "| [ADR-1](#adr-1) | [f](adr/0001-x.md) |"
    assert '<a href="#adr-1">ADR-1</a>' in html_table(ok)
    for bad in ("javascript:alert(1)", "//evil.example/x", "a b", "x)](y"):
        t = table(None, [[Span("x", href=bad)]])
        assert "href" not in html_table(t)
        assert re.search(r"(?<!\\)\]\(", markdown_table(t)[2]) is None


# --------------------------------------------------------------------------------------------
# the same value reads the same in every output

SAME_ADR = """\
---
status: accepted
date: 2026-11-03
title: Numbers read the same everywhere
archgate:
  options: [a, b]
  acceptance:
    big: ">= 1"
    small: ">= 0"
    missing: ">= 0"
---
# Numbers
"""

SAME_TESTS = """\
import pytest

@pytest.mark.archgate("ADR-0001")
def test_numbers(archgate):
    for option in ("a", "b"):
        archgate.record("big", 12345.6, ci=(12000.25, 12690.75), option=option)
        archgate.record("small", 0.123456, ci=(0.1, 0.15), option=option)
"""

_SAME: dict[str, dict[str, Any]] = {}


@pytest.fixture
def numbers_report(request: pytest.FixtureRequest) -> dict[str, Any]:
    if "report" not in _SAME:
        make_adr_project: Callable[..., Any] = request.getfixturevalue("make_adr_project")
        project = make_adr_project(standard=False, **{"0001-numbers": SAME_ADR})
        project.tests(SAME_TESTS)
        result = project.pytester.runpytest(
            "--archgate-report", "report.json", "-p", "no:cacheprovider"
        )
        result.assert_outcomes(passed=1)
        _SAME["report"] = project.report()
    return copy.deepcopy(_SAME["report"])


def _outputs(report: dict[str, Any]) -> dict[str, str]:
    from pytest_archgate.report import text as terminal
    from pytest_archgate.report.html import render_html
    from pytest_archgate.report.md_package import render_markdown
    from pytest_archgate.report.summary import render_comment, render_summary

    comp = view.comparison_for(report["adrs"][0], report)
    assert comp is not None
    return {
        "terminal": "\n".join(terminal.comparison_lines(comp)),
        "job summary": render_summary(report),
        "PR comment": render_comment(report),
        "Markdown package": render_markdown(report),
        "HTML package": render_html(report, charts="svg"),
    }


# every output takes its numbers from the view layer now (summary.py too)
_NOT_YET: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    "output", ["terminal", "job summary", "PR comment", "Markdown package", "HTML package"]
)
def test_formatters_give_the_same_text_in_every_output(
    numbers_report: dict[str, Any], output: str, request: pytest.FixtureRequest
) -> None:
    if output in _NOT_YET:
        request.applymarker(pytest.mark.xfail(reason="summary.py has its own formatter"))
    text = _outputs(numbers_report)[output].replace("\\[", "[").replace("\\]", "]")
    assert fmt_value(12345.6) == "12346"
    assert fmt_value(0.123456) == "0.1235"
    assert "12346" in text
    assert "1.235e+04" not in text
    assert "0.1235" in text
    assert fmt_interval((0.1, 0.15)) in text
    assert fmt_interval((12000.25, 12690.75)) == "[12000, 12691]"
    assert "[12000, 12691]" in text
    assert "—" not in text  # one missing-value mark: MISSING
