"""Tests of the GitHub Actions output (pytest_archgate.github.actions) and the Markdown views
(pytest_archgate.report.summary) they share with ``archgate comment``.

Runner files point into ``tmp_path``; annotations are read back from stdout with ``capsys``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_archgate.github import actions
from pytest_archgate.github.actions import (
    collect_annotations,
    format_command,
    output_record,
    publish_run,
)
from pytest_archgate.report.summary import (
    GITHUB_COMMENT_LIMIT,
    adr_table,
    base_delta,
    comment_marker,
    details_blocks,
    escape_html,
    escape_md,
    mermaid_comparison,
    render_comment,
    render_summary,
)

# --------------------------------------------------------------------------- report builders


def crit(
    name: str,
    option: str | None = "xgboost",
    value: float | None = 0.874,
    verdict: str = "fail",
    *,
    role: str = "decision",
    enforced: bool = True,
    line: int | None = 11,
    **kw: Any,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "metric": name,
        "kind": "acceptance",
        "option": option,
        "role": role,
        "enforced": enforced,
        "bound": ">= 0.9",
        "min": 0.9,
        "max": None,
        "vs": None,
        "line": line,
        "value": value,
        "ci": None,
        "method": "recorded",
        "n": None,
        "verdict": verdict,
        "reason": None,
        "tests": [],
    }
    entry.update(kw)
    return entry


def adr(adr_id: str = "ADR-0002", **kw: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": adr_id,
        "title": "Use XGBoost for fraud scoring",
        "file": "adr/0002-model.md",
        "status": "accepted",
        "enforced": True,
        "verdict": "fail",
        "needs_review": False,
        "superseded_by": None,
        "decision": "xgboost",
        "options": ["xgboost", "logreg"],
        "tests": ["tests/test_model.py::test_xgb"],
        "failing": ["roc_auc"],
        "unmeasured": [],
        "criteria": [crit("roc_auc")],
        "constraints": [],
    }
    entry.update(kw)
    return entry


def report(*adrs: dict[str, Any], **kw: Any) -> dict[str, Any]:
    adrs = adrs or (adr(),)
    data: dict[str, Any] = {
        "schema": "pytest-archgate/report",
        "version": 1,
        "generated_at": "2026-11-24T19:26:00+00:00",
        "archgate_version": "0.1.0",
        "rootdir": "/ws",
        "summary": {
            "adrs": len(adrs),
            "enforced_failures": sum(1 for a in adrs if a["enforced"] and a["verdict"] == "fail"),
            "needs_review": sum(1 for a in adrs if a["needs_review"]),
            "unmeasured": sum(1 for a in adrs if a["verdict"] == "unmeasured"),
            "unmeasured_accepted": sum(
                1 for a in adrs if a["enforced"] and a["verdict"] == "unmeasured"
            ),
        },
        "adrs": list(adrs),
        "measurements": [],
        "environment": {},
        "errors": [],
    }
    data.update(kw)
    return data


def proposed_adr() -> dict[str, Any]:
    return adr(
        "ADR-0003",
        title="Evaluate an MLP",
        file="adr/0003-mlp.md",
        status="proposed",
        enforced=False,
        verdict="pass",
        decision=None,
        failing=[],
        criteria=[
            crit("roc_auc", "mlp", 0.91, "pass", role="candidate", enforced=False),
            crit("roc_auc", "gbdt", 0.88, "fail", role="candidate", enforced=False),
            crit(
                "latency_p95_ms",
                "mlp",
                12.0,
                "pass",
                role="candidate",
                enforced=False,
                bound="<= 50",
                min=None,
                max=50.0,
            ),
        ],
    )


@pytest.fixture
def gha(tmp_path: Path) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_WORKSPACE": "/ws",
    }


def read_outputs(path: str) -> dict[str, str]:
    text = Path(path).read_text(encoding="utf-8")
    found = re.findall(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", text, flags=re.M | re.S)
    return {name: value for name, _delim, value in found}


def annotation_lines(out: str, level: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(f"::{level} ")]


# --------------------------------------------------------------------------- publish_run


def test_publish_run_does_nothing_outside_actions(
    gha: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    publish_run(report(), report_path="r.json", env={**gha, "GITHUB_ACTIONS": "false"})
    assert capsys.readouterr() == ("", "")
    assert not Path(gha["GITHUB_STEP_SUMMARY"]).exists()
    assert not Path(gha["GITHUB_OUTPUT"]).exists()


def test_publish_run_writes_summary_annotations_and_outputs(
    gha: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    Path(gha["GITHUB_STEP_SUMMARY"]).write_text("earlier step\n", encoding="utf-8")
    accepted = adr(
        needs_review=True,
        constraints=[
            crit(
                "train_rows",
                value=2e6,
                bound="<= 1000000",
                kind="constraint",
                line=9,
                enforced=False,
            )
        ],
    )
    superseded = adr(
        "ADR-0004",
        file="adr/0004-old.md",
        status="superseded",
        superseded_by="ADR-0005",
        enforced=False,
        verdict="pass",
        failing=[],
        criteria=[],
        tests=["t.py::a", "t.py::b"],
        definition={"status_line": 2},
    )
    proposed = proposed_adr()
    data = report(accepted, superseded, proposed)
    publish_run(data, report_path="out/report.json", env=gha)
    out, err = capsys.readouterr()
    assert err == ""

    errors = annotation_lines(out, "error")
    warnings = annotation_lines(out, "warning")
    assert errors == [
        "::error title=ADR-0002,file=adr/0002-model.md,line=11::ADR-0002 roc_auc [xgboost] "
        "= 0.874 violates >= 0.9: the accepted decision does not hold"
    ]
    assert len(warnings) == 3
    assert warnings[0].startswith("::warning title=ADR-0002,file=adr/0002-model.md,line=9::")
    assert "needs review" in warnings[0]
    assert "train_rows" in warnings[0]
    assert warnings[1].startswith("::warning title=ADR-0004,file=adr/0004-old.md,line=2::")
    assert "2 tests linked to ADR-0004, which is superseded by ADR-0005" in warnings[1]
    assert warnings[2].startswith("::warning title=ADR-0003,file=adr/0003-mlp.md,line=11::")
    assert "advisory" in warnings[2]
    assert "[gbdt]" in warnings[2]

    summary = Path(gha["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert summary.startswith("earlier step\n## archgate")
    assert "1 accepted decision violated" in summary
    assert "<!-- archgate-comment" not in summary
    assert "```mermaid" in summary  # the proposed ADR compares two options

    outputs = read_outputs(gha["GITHUB_OUTPUT"])
    assert outputs == {
        "enforced-failures": "1",
        "needs-review": "1",
        "unmeasured": "0",
        "unmeasured-accepted": "0",
        "report-path": "out/report.json",
    }


def test_annotations_are_capped_per_kind_and_the_rest_counted(
    gha: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    many = adr(
        criteria=[crit(f"metric_{i}", line=10 + i) for i in range(13)],
        constraints=[
            crit(f"assumption_{i}", kind="constraint", enforced=False, line=i + 1)
            for i in range(11)
        ],
        needs_review=True,
    )
    publish_run(report(many), report_path=None, env=gha)
    out, _ = capsys.readouterr()
    assert len(annotation_lines(out, "error")) == 10
    assert len(annotation_lines(out, "warning")) == 10
    summary = Path(gha["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "3 enforced failures" in summary
    assert "1 needs-review constraint" in summary
    assert "at most 10 annotations of each kind" in summary
    assert "report-path" not in read_outputs(gha["GITHUB_OUTPUT"])


def test_annotation_properties_and_messages_are_escaped(
    gha: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    odd = adr(
        "ADR:1,2",
        file="adr/a,b:c%.md",
        criteria=[crit("auc\n::set-env name=X::1", reason="50%\r\ndrop", value=0.5)],
    )
    publish_run(report(odd), report_path="x\ny.json", env=gha)
    out, _ = capsys.readouterr()
    (line,) = annotation_lines(out, "error")
    assert line.startswith("::error title=ADR%3A1%2C2,file=adr/a%2Cb%3Ac%25.md,line=11::")
    assert "auc%0A::set-env name=X::1" in line
    assert "\n::set-env" not in out
    # a value with a newline cannot end its own record early
    assert read_outputs(gha["GITHUB_OUTPUT"])["report-path"] == "x\ny.json"


def test_own_formatter_matches_github_rules_and_the_library(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = "::warning title=a%3Ab%2Cc%25,file=f.md,line=3::100%25%0D%0Adone: ok, yes"
    assert (
        format_command("warning", "100%\r\ndone: ok, yes", title="a:b,c%", file="f.md", line=3)
        == expected
    )
    assert actions._library_escapes()  # the installed github_action_utils escapes correctly
    actions.annotate("warning", "100%\r\ndone: ok, yes", title="a:b,c%", file="f.md", line=3)
    monkeypatch.setattr(actions, "_library_escapes", lambda: False)
    actions.annotate("warning", "100%\r\ndone: ok, yes", title="a:b,c%", file="f.md", line=3)
    assert capsys.readouterr().out.splitlines() == [expected, expected]


def test_unwritable_runner_files_only_warn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(tmp_path),  # a directory: cannot be opened for append
        "GITHUB_OUTPUT": str(tmp_path / "missing" / "out.txt"),
    }
    publish_run(report(), report_path="r.json", env=env)
    out, err = capsys.readouterr()
    assert "cannot write the job summary" in err
    assert "cannot write the step outputs" in err
    assert len(annotation_lines(out, "error")) == 1


def test_files_are_made_relative_to_the_repository_root() -> None:
    data = report(rootdir="/ws/sub/project")
    (a,) = collect_annotations(data, prefix=actions.repo_prefix(data, {"GITHUB_WORKSPACE": "/ws"}))
    assert a.file == "sub/project/adr/0002-model.md"
    outside = report(rootdir="/elsewhere")
    assert actions.repo_prefix(outside, {"GITHUB_WORKSPACE": "/ws"}) == ""


def test_comparison_failures_are_not_annotated() -> None:
    data = report(
        adr(criteria=[crit("roc_auc", "logreg", role="comparison", enforced=False)], verdict="pass")
    )
    assert collect_annotations(data) == []


def test_output_record_uses_a_fresh_delimiter() -> None:
    record = output_record("report-path", "a\nb")
    name, rest = record.split("<<", 1)
    delimiter, value = rest.split("\n", 1)
    assert name == "report-path"
    assert value == f"a\nb\n{delimiter}\n"
    with pytest.raises(ValueError, match="invalid output name"):
        output_record("a=b", "x")


# --------------------------------------------------------------------------- escaping


_MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")
_ISSUE = re.compile(r"(?<![&\w])#\d")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|#\d+);")


@given(st.text())
def test_escape_md_property(text: str) -> None:
    out = escape_md(text)
    assert "<" not in out
    assert ">" not in out
    assert "|" not in out
    assert "`" not in out
    assert "\n" not in out
    assert "\r" not in out
    assert not _MENTION.search(out)
    assert not _ISSUE.search(out)
    assert all(_ENTITY.match(out, m.start()) for m in re.finditer("&", out))


@given(st.text())
def test_escape_html_property(text: str) -> None:
    out = escape_html(text)
    assert "<" not in out
    assert "|" not in out
    assert "\n" not in out
    assert not _MENTION.search(out)


@given(st.text(alphabet=st.sampled_from("ab|<>&@#1`\n _*[]\\"), max_size=30))
def test_escaped_cell_never_splits_a_table_row(text: str) -> None:
    row = "| " + escape_md(text) + " | x |"
    assert row.count("|") - row.count("\\|") == 3


def test_escape_md_examples() -> None:
    assert escape_md("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escape_md("a|b") == "a&#124;b"
    assert escape_md("ping @org/team") == "ping @&#8203;org/team"
    assert escape_md("fixes #123") == "fixes #&#8203;123"
    assert escape_md("C# and #x") == "C# and #x"
    assert escape_md("line\nbreak") == "line break"
    assert escape_md("[x](javascript:alert)") == "\\[x\\](javascript:alert)"


def test_hostile_adr_text_is_neutralised_in_the_comment() -> None:
    hostile = adr(
        title="<script>alert(1)</script> | owned @org/team #12",
        criteria=[crit("auc</details><img src=x>", reason="@everyone")],
        tests=["t.py::test[a|b]"],
    )
    body = render_comment(report(hostile))
    assert "<script" not in body
    assert "<img" not in body
    assert "@org" not in body
    assert "@everyone" not in body
    assert body.count("<details>") == body.count("</details>") == 1
    row = next(line for line in body.splitlines() if "ADR-0002 |" in line)
    assert row.count("|") == 7  # six cells: the title's pipe did not add one


# --------------------------------------------------------------------------- rendering


def test_comment_starts_with_the_marker_and_headline() -> None:
    body = render_comment(report(), key="gpu")
    assert body.startswith("<!-- archgate-comment:gpu -->\n")
    assert "❌ **1 accepted decision violated**" in body
    assert "| ADR | title | status | verdict | enforced | notes |" in body
    with pytest.raises(Exception, match="invalid comment key"):
        comment_marker("a -->b")


def test_headline_when_all_hold() -> None:
    ok = adr(verdict="pass", failing=[], criteria=[crit("roc_auc", value=0.95, verdict="pass")])
    ok2 = adr("ADR-0009", verdict="pass", failing=[], criteria=[])
    assert "✅ **All 2 accepted decisions hold**" in render_summary(report(ok, ok2))
    unmeasured = adr(verdict="unmeasured", failing=[], unmeasured=["latency_p95_ms"])
    text = render_summary(report(ok, unmeasured))
    assert "1 of 2 is unmeasured" in text
    assert "**Unmeasured**" in text
    assert "latency\\_p95\\_ms" in text


def test_adr_table_links_ids_to_files() -> None:
    table = adr_table(report(), link_base="https://github.com/o/r/blob/abc123/")
    assert "[ADR-0002](https://github.com/o/r/blob/abc123/adr/0002-model.md)" in table
    spaced = report(adr(file="adr/0002 my (model).md"))
    assert "(https://github.com/o/r/blob/abc123/adr/0002%20my%20%28model%29.md)" in adr_table(
        spaced, link_base="https://github.com/o/r/blob/abc123/"
    )
    absolute = report(adr(file="/etc/passwd"))
    assert "](" not in adr_table(absolute, link_base="https://github.com/o/r/blob/abc123/")


def test_details_blocks_show_each_criterion() -> None:
    data = report(
        adr(
            criteria=[
                crit("roc_auc", ci=[0.861, 0.887]),
                crit("latency_p95_ms", value=None, verdict="unmeasured"),
            ],
            unmeasured=["latency_p95_ms"],
        )
    )
    text = details_blocks(data)
    assert text.startswith("<details><summary><b>ADR-0002</b>")
    assert (
        "| roc\\_auc | xgboost | decision | 0.874 | [0.861, 0.887] | &gt;= 0.9 "
        "| ❌ FAIL (enforced) |" in text
    )
    assert "| latency\\_p95\\_ms | xgboost | decision | - | - |" in text
    assert "Unmeasured: latency\\_p95\\_ms" in text
    assert text.rstrip().endswith("</details>")


def test_mermaid_chart_for_a_multi_option_proposed_adr() -> None:
    proposed = proposed_adr()
    chart = mermaid_comparison(proposed)
    assert chart.count("```mermaid") == 1  # latency was measured for one option only
    assert "xychart-beta" in chart
    assert 'x-axis ["mlp", "gbdt"]' in chart
    assert "bar [0.91, 0.88]" in chart
    assert "line [0.9, 0.9]" in chart
    assert "```mermaid" in render_comment(report(adr(), proposed))
    single = adr(criteria=[crit("roc_auc")])
    assert mermaid_comparison(single) == ""
    assert "```mermaid" not in render_comment(report(single))


def test_mermaid_labels_cannot_break_the_chart() -> None:
    proposed = proposed_adr()
    proposed["criteria"][0]["option"] = 'm"l\n```p'
    chart = mermaid_comparison(proposed)
    assert chart.count("```") == 2
    assert '"m_l____p"' in chart


def test_base_delta_table() -> None:
    base = report(
        adr(criteria=[crit("roc_auc", value=0.91, verdict="pass"), crit("old", value=1.0)])
    )
    new = report(adr(criteria=[crit("roc_auc", value=0.874), crit("fresh", value=2.0)]))
    table = base_delta(new, base)
    lines = table.splitlines()
    assert lines[0] == "| ADR | criterion | option | base | new | delta | verdict |"
    assert "| ADR-0002 | roc\\_auc | xgboost | 0.91 | 0.874 | -0.036 | **pass → fail** |" in lines
    assert "| ADR-0002 | fresh | xgboost | - | 2 | - | **new → fail** |" in lines
    assert "| ADR-0002 | old | xgboost | 1 | - | - | **fail → removed** |" in lines
    assert base_delta(report(adr(criteria=[])), report(adr(criteria=[]))) == ""


def test_diff_entries_are_rendered_generically() -> None:
    diff = {
        "changes": [
            {
                "adr": "ADR-0002",
                "kind": "loosened",
                "criterion": "roc_auc",
                "before": {"min": 0.95},
                "after": {"min": 0.9},
            },
            {"adr": "ADR-0007", "kind": "status", "before": "proposed", "after": "accepted"},
        ]
    }
    body = render_comment(report(), diff=diff)
    assert "### Criteria changed in this PR" in body
    assert (
        "| ADR-0002 | ⚠️ loosened | roc\\_auc | {&quot;min&quot;: 0.95} | {&quot;min&quot;: 0.9} |"
        in body
    )
    assert "| ADR-0007 | status | - | proposed | accepted |" in body
    from_report = render_comment(report(diff=diff))
    assert "### Criteria changed in this PR" in from_report
    assert "Criteria changed" not in render_comment(report())


def test_comparison_object_is_rendered_when_present() -> None:
    proposed = proposed_adr()
    proposed["comparison"] = {
        "ranking": [{"option": "mlp", "score": 0.8}, {"option": "gbdt", "score": 0.6}],
        "recommendation": "Choose mlp: it meets every criterion @team",
    }
    text = details_blocks(report(proposed))
    assert "1. mlp (score 0.8)" in text
    assert "2. gbdt (score 0.6)" in text
    assert "**Recommendation:** Choose mlp: it meets every criterion @&#8203;team" in text


def test_truncation_keeps_the_marker_and_says_so() -> None:
    adrs = [
        adr(f"ADR-{i:04d}", criteria=[crit(f"metric_{j}", ci=[0.1, 0.2]) for j in range(30)])
        for i in range(60)
    ]
    big = report(*adrs)
    body = render_comment(big, key="k", max_chars=20_000)
    assert len(body) <= 20_000
    assert body.startswith("<!-- archgate-comment:k -->")
    assert "truncated" in body
    assert body.count("<details>") == body.count("</details>")
    assert body.count("```") % 2 == 0
    full = render_comment(big, key="k", max_chars=10**9)
    assert len(full) < GITHUB_COMMENT_LIMIT or "truncated" in full
    assert len(full) <= GITHUB_COMMENT_LIMIT - 1


def test_truncation_cuts_a_long_table_by_rows() -> None:
    adrs = [adr(f"ADR-{i:04d}", title="x" * 200) for i in range(200)]
    body = render_comment(report(*adrs), max_chars=5_000)
    assert len(body) <= 5_000
    assert "| ADR-0000 |" in body
    assert "truncated" in body
    assert body.startswith(comment_marker("default"))


def test_recommendation_is_text_in_the_comment_and_the_summary() -> None:
    entry = adr()
    entry["comparison"] = {
        "recommendation": {
            "option": "xgboost",
            "text": "xgboost meets 2 of 2 criteria; logreg misses roc_auc",
        }
    }
    for body in (render_comment(report(entry)), render_summary(report(entry))):
        assert (
            "**Recommendation: xgboost.** xgboost meets 2 of 2 criteria; logreg misses roc\\_auc"
            in body
        )
        assert "option" not in body.split("**Recommendation")[1].split("\n")[0]
    entry["comparison"] = {"recommendation": {"option": None, "text": "No option meets all"}}
    assert "**No recommendation.** No option meets all" in render_comment(report(entry))
