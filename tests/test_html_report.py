"""The decision package (HTML and Markdown) rendered from a report of a real pytest run.

The report comes from running pytest with the plugin (``pytester``) on a small project: a
proposed ADR whose title tries to inject a script, three options recorded with intervals, and a
parametrised test whose id holds markup. The HTML is checked for structure and escaping, and
opened in a real headless Chromium (skipped when none is installed) to prove it renders with
no console errors and loads nothing.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.cli import main as cli
from pytest_archgate.cli.report import register
from pytest_archgate.errors import CommandError
from pytest_archgate.report.html import render_html, svg_chart
from pytest_archgate.report.md_package import render_markdown
from pytest_archgate.report.view import report_changes
from pytest_archgate.safe_io import write_text_atomic

ADR = """\
---
status: proposed
date: 2026-11-01
title: '<script>alert("pwned")</script> Model & threshold for fraud'
archgate:
  options: [xgboost, torch_mlp, logreg]
  acceptance:
    roc_auc: ">= 0.9"
    latency_p95_ms: "<= 50"
  weights: {roc_auc: 2}
  cost:
    volume_per_day: 1_000_000
---
# Model for fraud scoring
"""

TESTS = """\
import pytest

OPTIONS = {
    "xgboost": ((0.93, 0.91, 0.95), (12.0, 10.5, 13.8), 0.004),
    "torch_mlp": ((0.95, 0.93, 0.97), (84.0, 80.0, 90.0), 0.03),
    "logreg": ((0.86, 0.83, 0.89), (2.0, 1.8, 2.4), 0.001),
}

@pytest.mark.archgate("ADR-0007")
@pytest.mark.parametrize("tag", ["<b>bold</b>"])
def test_options(archgate, tag):
    for option, (auc, lat, cost) in OPTIONS.items():
        archgate.record("roc_auc", auc[0], ci=auc[1:], option=option)
        archgate.record("latency_p95_ms", lat[0], ci=lat[1:], option=option)
        archgate.record("cost_per_1k_usd", cost, option=option)
"""

EXTERNAL = re.compile(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:[a-z]+:)?//""", re.I)


_RUNS: dict[str, dict[str, Any]] = {}


@pytest.fixture
def decision_report(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The JSON report of a real run: a proposed ADR, three options measured with intervals.

    The run happens once per process (it takes about a second) and each test gets a copy.
    """
    if "report" not in _RUNS:
        make_adr_project: Callable[..., Any] = request.getfixturevalue("make_adr_project")
        project = make_adr_project(standard=False, **{"0007-fraud-model": ADR})
        project.tests(TESTS)
        result = project.pytester.runpytest(
            "--archgate-report", "report.json", "-p", "no:cacheprovider"
        )
        result.assert_outcomes(passed=1)
        _RUNS["report"] = project.report()
    return copy.deepcopy(_RUNS["report"])


def _entry(report: dict[str, Any]) -> dict[str, Any]:
    (entry,) = [a for a in report["adrs"] if a["id"] == "ADR-0007"]
    return entry


def _base_of(report: dict[str, Any]) -> dict[str, Any]:
    """An earlier report: xgboost had a lower AUC, torch_mlp was not measured for latency."""
    base = copy.deepcopy(report)
    base["generated_at"] = "2026-10-01T00:00:00+00:00"
    for c in _entry(base)["criteria"]:
        if c["option"] == "xgboost" and c["name"] == "roc_auc":
            c["value"], c["verdict"] = 0.89, "fail"
    return base


def test_html_structure_and_escaping(decision_report: dict[str, Any], tmp_path: Path) -> None:
    page = render_html(decision_report, out_dir=tmp_path, charts="svg")
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    # the title from the ADR is text, never markup
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; Model &amp; threshold" in page
    # the parametrised test id is escaped too
    assert "test_options[&lt;b&gt;bold&lt;/b&gt;]" in page
    assert "<b>bold</b>" not in page
    # nothing is loaded from anywhere: no scheme-relative or absolute URLs in src/href
    assert EXTERNAL.search(page) is None
    assert "http://" not in page
    assert "https://" not in page
    assert "Content-Security-Policy" in page
    assert "default-src 'none'" in page
    # the ADR log links the ADR file relative to the output folder, and its section
    assert 'href="#adr-adr-0007"' in page
    assert 'id="adr-adr-0007"' in page
    rel = Path(decision_report["rootdir"]) / "adr" / "0007-fraud-model.md"
    assert f'href="{Path(__import__("os").path.relpath(rel, tmp_path)).as_posix()}"' in page
    # criteria with their intervals, and the comparison with a recommendation
    assert "[0.91, 0.95]" in page
    assert "Options compared" in page
    assert "Recommended: <strong>xgboost</strong>" in page
    assert "torch_mlp misses latency_p95_ms: 84 against &lt;= 50" in page
    # one chart per criterion, each with a bound line and a whisker per option
    assert page.count("<figure>") == 2
    assert page.count('stroke-dasharray="6 4"') == 2
    # cost per day at the stated volume: xgboost 0.004 USD per 1k at 1M/day
    assert "$4.00" in page
    assert "at 1,000,000 predictions/day" in page
    assert "Charts: svg" in page
    assert "<h2 id='environment'>Environment</h2>" in page


def test_comparison_matches_the_report_entry(decision_report: dict[str, Any]) -> None:
    from pytest_archgate.verdict.comparison import compare_options

    comp = compare_options(_entry(decision_report), measurements=decision_report["measurements"])
    assert comp is not None
    assert comp["options"] == ["xgboost", "torch_mlp", "logreg"]
    assert comp["meets_all"] == {"xgboost": True, "torch_mlp": False, "logreg": False}
    assert comp["weights"] == {"roc_auc": 2.0, "latency_p95_ms": 1.0}
    assert comp["daily_cost"]["xgboost"]["value"] == pytest.approx(4.0)


def test_svg_fallback_without_matplotlib(
    decision_report: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    page = render_html(decision_report)
    assert "Charts: svg" in page
    with pytest.raises(CommandError, match="pip install 'pytest-archgate\\[plot\\]'"):
        render_html(decision_report, charts="matplotlib")


def test_matplotlib_charts_are_inline_and_scoped(decision_report: dict[str, Any]) -> None:
    pytest.importorskip("matplotlib")
    page = render_html(decision_report, charts="matplotlib")
    assert render_html(decision_report, charts="matplotlib") == page  # deterministic
    assert "Charts: matplotlib" in page
    assert page.count("<svg") == 2
    assert "<?xml" not in page
    assert "<!DOCTYPE svg" not in page
    assert EXTERNAL.search(page) is None
    assert "http://" not in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "element ids repeat across charts"
    for ref in re.findall(r'(?:url\(#|href="#)([^")]+)', page):
        assert ref in ids, ref


def test_own_svg_chart_draws_value_interval_and_bound() -> None:
    svg = svg_chart(
        "auc",
        [("a", 0.93, [0.91, 0.95], "pass"), ("b<&>", None, None, "unmeasured")],
        [0.9],
        ">= 0.9",
    )
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert svg.count("<rect") == 2  # background and one bar
    assert svg.count('stroke="#111"') == 3  # whisker and its two caps
    assert 'stroke-dasharray="6 4"' in svg
    assert "b&lt;&amp;&gt;" in svg
    assert "not measured" in svg
    assert "0.93 [0.91, 0.95] pass" in svg


def test_changes_since_a_base_report(decision_report: dict[str, Any]) -> None:
    base = _base_of(decision_report)
    changes = report_changes(decision_report, base)
    assert changes["adrs"] == []
    (change,) = changes["values"]
    assert change["criterion"] == "roc_auc"
    assert change["option"] == "xgboost"
    assert change["delta"] == pytest.approx(0.04)
    assert change["better"] is True
    assert (change["verdict_before"], change["verdict_after"]) == ("fail", "pass")
    page = render_html(decision_report, base=base, charts="svg")
    assert "Changes since the base report (2026-10-01T00:00:00+00:00)" in page
    assert '<span class="delta-good">+0.04</span>' in page
    assert "fail &rarr; pass" in page

    del base["adrs"][0]
    assert report_changes(decision_report, base)["adrs"] == [
        {"id": "ADR-0007", "change": "added", "before": None, "after": "pass"}
    ]


def test_markdown_variant(decision_report: dict[str, Any]) -> None:
    base = _base_of(decision_report)
    text = render_markdown(decision_report, base=base)
    assert text.startswith("# Architecture decisions")
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; Model &amp; threshold" in text
    assert "```mermaid\nxychart-beta" in text
    assert text.count("```mermaid") == 2
    assert 'x-axis ["xgboost", "torch_mlp", "logreg"]' in text
    assert "line [0.9, 0.9, 0.9]" in text
    assert "> **Recommended: xgboost.** xgboost meets 2 of 2 criteria" in text
    assert "| roc\\_auc | xgboost | &gt;= 0.9 | 0.93 | \\[0.91, 0.95\\] |" in text
    assert "## Changes since the base report" in text
    assert "+0.04" in text
    assert "`test_models.py::test_options[<b>bold</b>]`" in text  # inside a code span
    assert "http://" not in text
    assert "https://" not in text


def _cli(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(cli, "_extensions", lambda: [register])
    return cli.main(argv)


def test_cli_writes_html_and_markdown(
    decision_report: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(decision_report), encoding="utf-8")
    base = tmp_path / "base.json"
    base.write_text(json.dumps(_base_of(decision_report)), encoding="utf-8")
    out = tmp_path / "out" / "package.html"
    md = tmp_path / "out" / "package.md"
    argv = ["report", str(report), "--html", str(out), "--md", str(md), "--base", str(base)]
    assert _cli([*argv, "--charts", "svg"], monkeypatch) == 0
    assert "Changes since the base report" in out.read_text(encoding="utf-8")
    assert "```mermaid" in md.read_text(encoding="utf-8")
    assert capsys.readouterr().out.splitlines() == [f"wrote {out}", f"wrote {md}"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["package.html", "package.md"]


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["--html", "o.html"], "report file not found"),
        ("not json", ["--html", "o.html"], "not valid JSON"),
        ('{"schema": "x"}', ["--html", "o.html"], "not an archgate report"),
        ("REPORT", [], "nothing to write: give --html OUT.html and/or --md OUT.md"),
        ("REPORT", ["--html", "r.json"], "is the input report"),
        ("REPORT", ["--md", "."], "is a folder"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(
    setup: str | None,
    args: list[str],
    message: str,
    decision_report: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    if setup is not None:
        text = json.dumps(decision_report) if setup == "REPORT" else setup
        Path("r.json").write_text(text, encoding="utf-8")
    assert _cli(["report", "r.json", *args], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("archgate report: error: ")
    assert message in err
    assert not Path("o.html").exists()


def test_write_text_atomic_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "page.html"
    write_text_atomic(path, "one")
    write_text_atomic(path, "two")
    assert path.read_text(encoding="utf-8") == "two"
    assert [p.name for p in path.parent.iterdir()] == ["page.html"]


# --------------------------------------------------------------------------------------------
# a real browser


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _browse(binary: str, page: Path, work: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={work / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def _page_console(stderr: str) -> list[str]:
    """Console messages and uncaught errors of the page, from Chromium's log."""
    return [
        line
        for line in stderr.splitlines()
        if ":CONSOLE" in line or "Uncaught" in line or "Refused to" in line
    ]


def test_renders_in_headless_chromium(decision_report: dict[str, Any], tmp_path: Path) -> None:
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary found (apt-get install chromium)")
    page = tmp_path / "package.html"
    write_text_atomic(page, render_html(decision_report, out_dir=tmp_path))

    shot = tmp_path / "shot.png"
    run = _browse(binary, page, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600")
    assert run.returncode == 0, run.stderr[-2000:]
    assert _page_console(run.stderr) == []
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(data[16:20], "big") == 1200  # IHDR width
    assert len(data) > 10_000, "the screenshot is (nearly) blank"

    dom = _browse(binary, page, tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _page_console(dom.stderr) == []
    assert "Options compared" in dom.stdout
    assert "&lt;script&gt;alert" in dom.stdout  # shown as text
    assert "<script" not in dom.stdout.lower()  # never parsed as an element
    assert dom.stdout.count("<svg") == 2

    # the console check does see page errors: a page that logs one is caught
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>missing_function()</script></body></html>")
    caught = _page_console(_browse(binary, bad, tmp_path, "--dump-dom").stderr)
    assert any("Uncaught ReferenceError" in line for line in caught)


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    import os

    from pytest_archgate.safe_io import write_json_atomic

    mask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "page.html", "<p>x</p>")
        write_json_atomic(tmp_path / "r.json", {"a": 1})
    finally:
        os.umask(mask)
    assert (tmp_path / "page.html").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o644
