"""Every value in every output is escaped: terminal, job summary, PR comment, Markdown, HTML.

ADR titles, option names, criterion names and test ids come from files anyone can edit in a
pull request. Here each of them carries a script tag, an ``@org/team`` mention, a ``#12``
issue link, a ``](javascript:`` link and (where the ADR format allows it: titles and test ids;
names with control characters are refused by the parser) ANSI escapes, a bell and a
right-to-left override. One real pytest run writes the report; each renderer then gets it,
and none of the hostile pieces may reach its output in a form that acts:

* HTML: no tag from data, no mention or issue link, no control character, no link to data;
* Markdown (job summary, PR comment, Markdown package): no raw HTML tag from data, no
  ``@org`` or ``#12`` without a zero-width break, no unescaped ``](``, no control character;
  the only literal text is inside code spans, which Markdown shows as they are;
* terminal: no control character, no line that starts a workflow command.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st

from pytest_archgate import escape
from pytest_archgate.report import text as terminal
from pytest_archgate.report.html import render_html
from pytest_archgate.report.md_package import render_markdown
from pytest_archgate.report.summary import render_comment, render_summary
from pytest_archgate.report.view import comparison_for

# YAML double-quoted escapes: \e is ESC, \a a bell, \u202e a right-to-left override
TITLE = (
    "<script>alert(1)</script> @org/team #12 [x](javascript:alert(1)) "
    "\\e[31mred\\e[0m \\a \\u202e ::error::t"
)
OPTION = "<blink>xg</blink>@org/team#12](javascript:x)"
CRITERION = "auc<marquee>@org/team #12](javascript:x)"
TEST_ID = "<script>@org/team #12 ](javascript:x)\x1b[31m\u202e"

ADR = f"""\
---
status: accepted
date: 2026-11-02
title: "{TITLE}"
archgate:
  options: ["{OPTION}", "lr"]
  acceptance:
    "{CRITERION}": ">= 0.5"
---
# Hostile
"""

TESTS = f"""\
import pytest

@pytest.mark.archgate("ADR-0001")
@pytest.mark.parametrize("tag", [{TEST_ID!r}])
def test_hostile(archgate, tag):
    archgate.record({CRITERION!r}, 0.7, ci=(0.6, 0.8), option={OPTION!r})
    archgate.record({CRITERION!r}, 0.4, ci=(0.3, 0.45), option="lr")
"""

HOSTILE_TAGS = ("<script", "<blink", "<marquee")
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_RUN: dict[str, dict[str, Any]] = {}


@pytest.fixture
def report(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The JSON report of one real run on the hostile project (run once per process)."""
    if "report" not in _RUN:
        make_adr_project: Callable[..., Any] = request.getfixturevalue("make_adr_project")
        project = make_adr_project(standard=False, **{"0001-hostile": ADR})
        project.tests(TESTS)
        result = project.pytester.runpytest(
            "--archgate-report", "report.json", "-p", "no:cacheprovider"
        )
        result.assert_outcomes(passed=1)
        _RUN["report"] = project.report()
    return copy.deepcopy(_RUN["report"])


def test_the_hostile_values_reach_the_report(report: dict[str, Any]) -> None:
    """The check below is only worth something if the data really holds the hostile text."""
    (entry,) = report["adrs"]
    assert "<script>" in entry["title"]
    assert "\x1b[31m" in entry["title"]
    assert {c["option"] for c in entry["criteria"]} == {OPTION, "lr"}
    assert {c["name"] for c in entry["criteria"]} == {CRITERION}
    assert any("<script>@org/team" in t for t in entry["tests"])


def _without_code_spans(text: str) -> str:
    """Markdown code spans show their content as it is (no tag, mention or link), so only the
    text outside them must be escaped; a code span itself must hold no control character."""
    spans = re.findall(r"`[^`\n]*`", text)
    assert not any(CONTROLS.search(s) for s in spans)
    return re.sub(r"`[^`\n]*`", "``", text)


def assert_safe_markdown(text: str) -> None:
    assert not CONTROLS.search(text)
    outside = _without_code_spans(text)
    for tag in HOSTILE_TAGS:
        assert tag not in outside
    assert "@org" not in outside  # "@\u200borg" / "@&#8203;org": nobody is notified
    assert re.search(r"(?<!&)#12(?!\d)", outside) is None  # no issue link
    # no link opens; a line of raw HTML (a <details> block) is not parsed as Markdown
    markdown_lines = [x for x in outside.splitlines() if not x.lstrip().startswith("<")]
    assert re.search(r"(?<!\\)\]\(javascript", "\n".join(markdown_lines)) is None


def assert_safe_html(page: str, *, mentions: bool = True) -> None:
    """``mentions``: also no ``@org`` / ``#12`` (the page's own text does break them; labels
    that matplotlib draws are plain text, where a mention means nothing)."""
    assert not CONTROLS.search(page)
    for tag in HOSTILE_TAGS:
        assert tag not in page
    if mentions:
        assert "@org" not in page
        assert re.search(r"(?<!&)#12(?!\d)", page) is None
    assert re.search(r"""href\s*=\s*["']?\s*javascript""", page, re.I) is None


def assert_safe_terminal(lines: list[str]) -> None:
    for line in lines:
        assert not CONTROLS.search(line)
        assert not line.lstrip().startswith("::")


def test_html_package(report: dict[str, Any], tmp_path: Path) -> None:
    page = render_html(report, base=report, out_dir=tmp_path, charts="svg")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert_safe_html(page)


def test_html_package_with_matplotlib(report: dict[str, Any], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    assert_safe_html(render_html(report, out_dir=tmp_path, charts="matplotlib"), mentions=False)


def test_markdown_package(report: dict[str, Any], tmp_path: Path) -> None:
    text = render_markdown(report, base=report, out_dir=tmp_path)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert_safe_markdown(text)


def test_job_summary(report: dict[str, Any]) -> None:
    assert_safe_markdown(render_summary(report, base=report))


def test_pr_comment(report: dict[str, Any]) -> None:
    assert_safe_markdown(render_comment(report, base=report))


def test_terminal(report: dict[str, Any]) -> None:
    assert_safe_terminal(terminal.summary_lines(report["adrs"]))
    comp = comparison_for(report["adrs"][0], report)
    assert comp is not None
    assert_safe_terminal(terminal.comparison_lines(comp))


# --------------------------------------------------------------------------------------------
# the HTML package cannot forget to escape (ADR-0013)

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_archgate"
TEMPLATE_FUNCTIONS = {"html_literal": 0, "html_format": 0}


def _is_literal(node: ast.expr) -> bool:
    """A string written in the code: a literal, a conditional between literals, or a module
    constant in upper case (the style sheet, the CSP)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.IfExp):
        return _is_literal(node.body) and _is_literal(node.orelse)
    return isinstance(node, ast.Name) and node.id.isupper()


def _calls(tree: ast.AST) -> list[tuple[ast.Call, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            out.append((node, name))
    return out


def test_markup_comes_only_from_literal_templates() -> None:
    """Every ``html_literal``/``html_format`` template and ``html_join`` separator in the package
    is written in the code: data can enter a page only as an ``Html`` argument, and the only
    ``Html`` made from data is :func:`~pytest_archgate.escape.html_text`'s."""
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call, name in _calls(tree):
            where = f"{path.relative_to(PACKAGE)}:{call.lineno}"
            if name in TEMPLATE_FUNCTIONS:
                assert call.args, where
                assert _is_literal(call.args[0]), f"{where}: {name} needs a literal template"
                checked += 1
            elif name == "html_join":
                sep = call.args[1] if len(call.args) > 1 else None
                for kw in call.keywords:
                    if kw.arg == "sep":
                        sep = kw.value
                assert sep is None or _is_literal(sep), f"{where}: html_join needs a literal sep"
            elif name == "Html":
                # the constructor trusts its argument: escape.py's own functions, and the SVG
                # that matplotlib wrote (it escapes every label itself)
                rel = path.relative_to(PACKAGE).as_posix()
                assert rel in {"escape.py", "report/html.py"}, where
                if rel == "report/html.py":
                    assert "_scope_ids(svg, scope)" in ast.unparse(call), where
    assert checked > 50  # the HTML package really is built this way


def test_html_renderer_does_not_escape_by_hand() -> None:
    """The HTML package never calls the ``str`` escaper itself: a forgotten call could not be
    seen; only ``html_text`` (typed) lets data in."""
    source = (PACKAGE / "report" / "html.py").read_text(encoding="utf-8")
    assert "escape_html" not in source
    assert "escape_md" not in source


def test_mypy_rejects_str_where_markup_is_expected(tmp_path: Path) -> None:
    """The type is the guard: a ``str`` (unescaped data, an f-string, ``+``) is no ``Html``."""
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from pytest_archgate.escape import Html, html_format, html_text\n"
        "\n"
        "def page(title: str) -> Html:\n"
        '    ok = html_format("<h1>{}</h1>", html_text(title))\n'
        '    bad = html_format("<h1>{}</h1>", title)\n'
        '    return f"<main>{ok}{bad}</main>"\n',
        encoding="utf-8",
    )
    out, _, status = api.run(
        ["--strict", "--follow-imports=silent", "--no-incremental", str(snippet)]
    )
    assert status == 1
    assert 'snippet.py:5: error: Argument 2 to "html_format" has incompatible type "str"' in out
    assert 'snippet.py:6: error: Incompatible return value type (got "str", expected "Html")' in out
    assert "snippet.py:4" not in out


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(
    st.lists(
        st.sampled_from(
            [chr(i) for i in range(128)] + ["##[", "::", "\u2028", "\x9b", "\u202e", "é"]
        ),
        max_size=24,
    ).map("".join)
)
def test_text_has_one_meaning_on_its_fast_path(s: str) -> None:
    """Printable ASCII skips the regular expressions of ``escape.text``; the result must be what
    the full path gives (control characters, escape sequences and line breaks handled alike)."""
    full = escape._guard(re.sub(escape._LEGACY_COMMAND, "##\\\\[", escape._plain(s, "\\n")))
    assert escape.text(s) == full
