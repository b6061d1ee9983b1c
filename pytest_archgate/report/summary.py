"""GitHub-flavoured Markdown views of a report: the pull-request comment and the job summary.

Both views show the same tables, so they are built here once from the report JSON (never from
live objects): ``archgate comment`` renders a report written by an earlier step, and the plugin
renders the job summary at the end of a run from the same dictionary.

Everything that comes from an ADR file, a test id or a diff is untrusted text: it goes through
:func:`escape_md` (Markdown contexts) or :func:`escape_html` (inside raw HTML such as
``<summary>``), so that a title cannot inject HTML, break a table, ping ``@org/team`` or link
``#123``. Mermaid labels are reduced to a small safe alphabet by :func:`_mermaid_label`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from pytest_archgate.errors import CommandError
from pytest_archgate.escape import escape_html as escape_html
from pytest_archgate.escape import escape_md as escape_md
from pytest_archgate.report.build import adr_notes
from pytest_archgate.report.schema import (
    AdrEntry,
    Comparison,
    CriterionResult,
    RankedComparison,
    Report,
)
from pytest_archgate.report.view import (
    MISSING,
    Span,
    fmt_any,
    fmt_delta,
    markdown_table,
    markdown_text,
    table,
)

if TYPE_CHECKING:
    from pytest_archgate.report.history import History

GITHUB_COMMENT_LIMIT = 65_536
"""GitHub rejects issue comments longer than this many characters."""

SUMMARY_LIMIT = 1_000_000
"""A job summary may hold at most 1 MiB per step; stay a little below it."""

MARKER_PREFIX = "archgate-comment:"
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

_LINK_BASE_RE = re.compile(r"^https?://[A-Za-z0-9._~:/%+-]+$")
VERDICT_BADGE = {
    "pass": "✅ pass",
    "fail": "❌ FAIL",
    "unmeasured": "⚠️ unmeasured",
    "none": "⚪ none",
}


def comment_marker(key: str) -> str:
    """The hidden HTML comment that identifies archgate's comment for ``key``."""
    if not _KEY_RE.match(key):
        raise CommandError(
            f"invalid comment key {key!r}: use 1-64 letters, digits, '.', '_' or '-'",
            field="--key",
        )
    return f"<!-- {MARKER_PREFIX}{key} -->"


# --------------------------------------------------------------------------- formatting


# Values go through the one formatter of every output (report/view.py: MISSING for a value
# that is not there) and then through the one Markdown escaper.


def _fmt_ci(ci: object) -> str:
    if isinstance(ci, Sequence) and not isinstance(ci, str) and len(ci) == 2:
        return f"[{markdown_text(ci[0])}, {markdown_text(ci[1])}]"
    return MISSING


def _fmt_any(value: object) -> str:
    return escape_md(fmt_any(value))


def _badge(verdict: object) -> str:
    return VERDICT_BADGE.get(str(verdict), escape_md(verdict))


def _escaped(span: Span) -> str:
    """Cells of these tables are escaped as they are built (with links and badges that the
    view's span model does not have), so the one table writer takes them as they are."""
    return span.text


def md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub table (the view's one Markdown table writer); cells must already be escaped."""
    return "\n".join(markdown_table(table(header, rows), render=_escaped))


def _short(names: Sequence[object], limit: int = 4) -> str:
    shown = ", ".join(escape_md(n) for n in names[:limit])
    if len(names) > limit:
        shown += f" (+{len(names) - limit})"
    return shown


def _adrs(report: Report) -> list[AdrEntry]:
    return list(report["adrs"])


def _entries(adr: AdrEntry, key: Literal["criteria", "constraints"]) -> list[CriterionResult]:
    return list(adr.get(key) or [])


def _link(text: str, link_base: str | None, file: object) -> str:
    """``text`` linked to ``file`` under ``link_base`` when both make a safe URL."""
    if not link_base or not isinstance(file, str) or not file:
        return text
    if file.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", file) or ".." in file.split("/"):
        return text  # an absolute or escaping path cannot be linked in the repository
    if not _LINK_BASE_RE.match(link_base):
        return text
    base = link_base if link_base.endswith("/") else link_base + "/"
    url = base + quote(file.replace("\\", "/"), safe="/-_.~")
    return f"[{text}]({url})"


# --------------------------------------------------------------------------- sections


def headline(report: Report) -> str:
    """One sentence: do the accepted decisions hold?"""
    adrs = _adrs(report)
    summary = report.get("summary") or {}
    enforced = [a for a in adrs if a.get("enforced")]
    failures = summary.get("enforced_failures")
    if not isinstance(failures, int):
        failures = sum(1 for a in enforced if a.get("verdict") == "fail")
    unmeasured = sum(1 for a in enforced if a.get("verdict") == "unmeasured")
    n = len(enforced)
    if failures:
        text = f"❌ **{failures} accepted decision{'s' if failures != 1 else ''} violated**"
        text += f" (of {n} enforced)"
    elif not n:
        text = "⚪ **No accepted decision was checked**"
    elif unmeasured:
        text = (
            f"⚠️ **No accepted decision violated**; {unmeasured} of {n} "
            f"{'is' if unmeasured == 1 else 'are'} unmeasured"
        )
    else:
        text = f"✅ **All {n} accepted decision{'s' if n != 1 else ''} hold**"
    review = summary.get("needs_review")
    if not isinstance(review, int):
        review = sum(1 for a in adrs if a.get("needs_review"))
    if review:
        text += f" · 🔎 {review} need{'s' if review == 1 else ''} review"
    errors = report.get("errors") or []
    if errors:
        text += f" · {len(errors)} error{'s' if len(errors) != 1 else ''}"
    return text


def adr_table(report: Report, *, link_base: str | None = None) -> str:
    """The ADR status table; ids link to the ADR file under ``link_base`` when given."""
    adrs = _adrs(report)
    if not adrs:
        return "_No ADR was linked to a test or has criteria._"
    rows = []
    for a in adrs:
        notes = [escape_md(n) for n in adr_notes(a)]
        rows.append(
            [
                _link(escape_md(a["id"]), link_base, a.get("file")),
                escape_md(a.get("title", "")),
                escape_md(a.get("status", "")),
                _badge(a.get("verdict")),
                "yes" if a.get("enforced") else "no",
                "; ".join(notes),
            ]
        )
    return md_table(["ADR", "title", "status", "verdict", "enforced", "notes"], rows)


def _criterion_rows(entries: Sequence[CriterionResult]) -> list[list[str]]:
    rows = []
    for c in entries:
        name = escape_md(c["name"])
        if (metric := c.get("metric")) and metric != c["name"]:
            name += f" ({escape_md(metric)})"
        verdict = _badge(c["verdict"])
        if c.get("enforced") and c["verdict"] == "fail":
            verdict += " (enforced)"
        rows.append(
            [
                name,
                escape_md(c.get("option") or MISSING),
                escape_md(c.get("role") or ""),
                markdown_text(c.get("value")),
                _fmt_ci(c.get("ci")),
                escape_md(c.get("bound") or ""),
                verdict,
                escape_md(c.get("reason") or ""),
            ]
        )
    return rows


_CRITERION_HEADER = ["criterion", "option", "role", "value", "interval", "bound", "verdict", "why"]


def details_block(adr: AdrEntry, measurements: Sequence[Mapping[str, Any]] = ()) -> str:
    """One collapsible block with every criterion and constraint of one ADR (and which of its
    ``measurements``, the report's, the evaluation cache restored)."""
    summary = (
        f"<b>{escape_html(adr['id'])}</b> {escape_html(adr.get('title', ''))}: "
        f"{escape_html(VERDICT_BADGE.get(str(adr.get('verdict')), adr.get('verdict')))}"
    )
    parts = [f"<details><summary>{summary}</summary>", ""]
    facts = [f"status: {escape_md(adr.get('status', '?'))}"]
    if decision := adr.get("decision"):
        facts.append(f"decision: {escape_md(decision)}")
    if baseline := adr.get("baseline"):
        facts.append(f"baseline: {escape_md(baseline)}")
    if file := adr.get("file"):
        facts.append(f"file: {escape_md(file)}")
    parts.append(" · ".join(facts))
    criteria = _entries(adr, "criteria")
    constraints = _entries(adr, "constraints")
    if criteria:
        parts += [
            "",
            "**Acceptance criteria**",
            "",
            md_table(_CRITERION_HEADER, _criterion_rows(criteria)),
        ]
        from pytest_archgate.measure.replicates import variance_line

        if (variance := variance_line(criteria)) is not None:
            parts += ["", escape_md(variance)]
        from pytest_archgate.report.text import restored_line

        if (cached := restored_line(measurements, adr["id"])) is not None:
            parts += ["", escape_md(cached)]
    if constraints:
        parts += [
            "",
            "**Constraints**",
            "",
            md_table(_CRITERION_HEADER, _criterion_rows(constraints)),
        ]
    if not criteria and not constraints:
        parts += ["", "_No criteria._"]
    unmeasured = list(adr.get("unmeasured") or [])
    if unmeasured:
        parts += ["", "Unmeasured: " + ", ".join(escape_md(u) for u in unmeasured)]
    violated = [c for c in constraints if c["verdict"] == "fail" and c.get("role") != "comparison"]
    if violated:
        names = ", ".join(escape_md(c["name"]) for c in violated)
        parts += ["", f"Needs review: the decision rests on {names}, which no longer holds."]
    tests = list(adr.get("tests") or [])
    if tests:
        parts += ["", f"Tests ({len(tests)}): " + _short(tests, 8)]
    comparison = adr.get("comparison")
    if comparison:
        rendered = comparison_section(comparison)
        if rendered:
            parts += ["", rendered]
    parts += ["", "</details>"]
    return "\n".join(parts)


def details_blocks(report: Report) -> str:
    """A ``<details>`` block per ADR (value, interval, bound, verdict, option per criterion)."""
    ms = report.get("measurements") or []
    return "\n\n".join(details_block(a, ms) for a in _adrs(report))


def comparison_section(comparison: Comparison | RankedComparison) -> str:
    """A report's optional per-ADR ``comparison`` object: its recommendation.

    Other producers have written a ``ranking`` list and a plain-string ``recommendation``
    (neither is in the schema; tests/test_actions.py pins how they render): they are read
    through a plain mapping, defensively, since the loader does not check them."""
    parts: list[str] = []
    foreign: Mapping[str, object] = comparison
    ranking = foreign.get("ranking")
    if isinstance(ranking, Sequence) and not isinstance(ranking, str) and ranking:
        lines = []
        for i, item in enumerate(ranking, 1):
            if isinstance(item, Mapping):
                name = item.get("option", item.get("name", "?"))
                extra = [
                    f"{escape_md(k)} {_fmt_any(v)}"
                    for k, v in item.items()
                    if k not in ("option", "name") and isinstance(v, int | float | str)
                ]
                line = f"{i}. {escape_md(name)}" + (f" ({', '.join(extra)})" if extra else "")
            else:
                line = f"{i}. {_fmt_any(item)}"
            lines.append(line)
        parts.append("**Ranking**\n\n" + "\n".join(lines))
    rec = foreign.get("recommendation")
    if isinstance(rec, str) and rec.strip():
        parts.append("**Recommendation:** " + escape_md(rec))
    elif isinstance(rec, Mapping):
        parts.append(recommendation_text(rec))
    return "\n\n".join(parts)


def recommendation_text(rec: Mapping[str, Any]) -> str:
    """The recommendation of a comparison as one readable sentence (never its JSON)."""
    option, text = rec.get("option"), rec.get("text")
    lead = (
        f"**Recommendation: {escape_md(option)}.**"
        if isinstance(option, str) and option
        else "**No recommendation.**"
    )
    if isinstance(text, str) and text.strip():
        return f"{lead} {escape_md(text.strip())}"
    return lead


def _mermaid_label(text: object, limit: int = 40) -> str:
    s = str(text).replace(">=", "≥").replace("<=", "≤")
    s = re.sub(r"[^\w .,:+=/%≥≤()-]", "_", s)
    return s[:limit] or "_"


def _finite(x: object) -> float | None:
    if isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(float(x)):
        return float(x)
    return None


def mermaid_comparison(adr: AdrEntry) -> str:
    """Mermaid ``xychart-beta`` bar charts, one per criterion that several options measured.

    Returns ``""`` when no criterion was measured for at least two options.
    """
    by_name: dict[str, dict[str, float]] = {}
    bounds: dict[str, CriterionResult] = {}
    for c in _entries(adr, "criteria"):
        value, option = _finite(c.get("value")), c.get("option")
        if value is None or option is None:
            continue
        name = str(c["name"])
        by_name.setdefault(name, {}).setdefault(str(option), value)
        bounds.setdefault(name, c)
    charts = []
    for name, values in by_name.items():
        if len(values) < 2:
            continue
        c = bounds[name]
        labels = ", ".join(f'"{_mermaid_label(o, 24)}"' for o in values)
        title = _mermaid_label(f"{name} ({c.get('bound', '')})", 60)
        lines = [
            "```mermaid",
            "xychart-beta",
            f'    title "{title}"',
            f"    x-axis [{labels}]",
            f'    y-axis "{_mermaid_label(name)}"',
            "    bar [" + ", ".join(f"{v:.6g}" for v in values.values()) + "]",
        ]
        for key in ("min", "max"):
            limit = _finite(c.get(key))
            if limit is not None:
                lines.append("    line [" + ", ".join(f"{limit:.6g}" for _ in values) + "]")
        lines.append("```")
        charts.append("\n".join(lines))
    if not charts:
        return ""
    head = f"**{escape_md(adr['id'])}: options compared**"
    return "\n\n".join([head, *charts])


def _criteria_index(report: Report) -> dict[tuple[str, str, str], CriterionResult]:
    index: dict[tuple[str, str, str], CriterionResult] = {}
    for a in _adrs(report):
        for c in _entries(a, "criteria") + _entries(a, "constraints"):
            k = (str(a["id"]), str(c["name"]), str(c.get("option") or ""))
            index.setdefault(k, c)
    return index


def base_delta(report: Report, base_report: Report) -> str:
    """Each criterion's value against a base report (e.g. the last run on main)."""
    new, old = _criteria_index(report), _criteria_index(base_report)
    rows = []
    for k in [*new, *(k for k in old if k not in new)]:
        n, o = new.get(k), old.get(k)
        nv = _finite(n.get("value")) if n else None
        ov = _finite(o.get("value")) if o else None
        if nv is None and ov is None:
            continue
        delta = MISSING
        if nv is not None and ov is not None:
            d = nv - ov
            delta = escape_md(fmt_delta(d))
        nverdict = str(n["verdict"]) if n else "removed"
        overdict = str(o["verdict"]) if o else "new"
        change = (
            escape_md(nverdict)
            if nverdict == overdict
            else f"**{escape_md(overdict)} → {escape_md(nverdict)}**"
        )
        rows.append(
            [
                escape_md(k[0]),
                escape_md(k[1]),
                escape_md(k[2] or MISSING),
                markdown_text(ov),
                markdown_text(nv),
                delta,
                change,
            ]
        )
    if not rows:
        return ""
    header = ["ADR", "criterion", "option", "base", "new", "delta", "verdict"]
    return md_table(header, rows)


def base_branch_section(report: Report) -> str:
    """The ``vs @base`` criteria: base value, PR value, difference and interval, test, verdict
    and staleness flags, per criterion and option (empty when there are none)."""
    from pytest_archgate.report.text import BASE_HEADER, base_rows

    rows = [
        [escape_md(x) for x in row[:7]] + [_badge(row[7]), escape_md(row[8])]
        for row in (base_rows(_adrs(report)))
    ]
    if not rows:
        return ""
    head = ""
    if (b := report.get("base_report")) is not None:
        commit = str(b.get("commit") or MISSING)[:12]
        rows_note = "" if b.get("paired_rows") else "; no per-row predictions: unpaired"
        text = (
            f"Base report {b.get('file') or MISSING} (commit {commit}, written "
            f"{b.get('generated_at') or MISSING}{rows_note})"
        )
        head = escape_md(text) + "\n\n"
    return head + md_table(BASE_HEADER, rows)


def _diff_entries(diff: object) -> list[Mapping[str, Any]]:
    if isinstance(diff, Mapping):
        for key in ("changes", "entries", "criteria", "items"):
            value = diff.get(key)
            if isinstance(value, list):
                return [e for e in value if isinstance(e, Mapping)]
        if "adr" in diff:
            return [diff]
        return []
    if isinstance(diff, list):
        return [e for e in diff if isinstance(e, Mapping)]
    return []


_CHANGE_ICONS = {"loosened": "⚠️ ", "removed": "⚠️ ", "tightened": "", "added": ""}


def diff_section(diff: object) -> str:
    """ "Criteria changed in this PR", from a diff object whose entries carry ``adr``, a change
    kind, ``criterion``, ``before`` and ``after`` (other keys are ignored)."""
    rows = []
    for e in _diff_entries(diff):
        kind = str(e.get("kind", e.get("change", e.get("type", "changed"))))
        rows.append(
            [
                escape_md(e.get("adr", e.get("id", "?"))),
                _CHANGE_ICONS.get(kind, "") + escape_md(kind),
                escape_md(e.get("criterion", e.get("name", "")) or MISSING),
                _fmt_any(e.get("before")),
                _fmt_any(e.get("after")),
            ]
        )
    if not rows:
        return ""
    return md_table(["ADR", "change", "criterion", "before", "after"], rows)


def attention_lists(report: Report) -> str:
    """Unmeasured criteria of enforced ADRs, needs-review ADRs, superseded links, errors."""
    parts: list[str] = []
    adrs = _adrs(report)
    unmeasured = [
        f"- {escape_md(a['id'])}: " + ", ".join(escape_md(u) for u in names)
        for a in adrs
        if (names := a.get("unmeasured"))
    ]
    if unmeasured:
        parts.append("**Unmeasured** (never counted as a pass)\n\n" + "\n".join(unmeasured))
    review = []
    for a in adrs:
        if not a.get("needs_review"):
            continue
        names = [
            f"{escape_md(c['name'])} {escape_md(c.get('bound') or '')}".rstrip()
            for c in _entries(a, "constraints")
            if c["verdict"] == "fail" and c.get("role") != "comparison"
        ]
        review.append(f"- {escape_md(a['id'])}: " + (", ".join(names) or "constraint"))
    if review:
        parts.append(
            "**Needs review** (a constraint the decision rests on fails)\n\n" + "\n".join(review)
        )
    superseded = [
        f"- {escape_md(a['id'])} is {escape_md(a.get('status'))}"
        + (f" (by {escape_md(by)})" if (by := a.get("superseded_by")) else "")
        + f" but {len(tests)} test{'s' if len(tests) != 1 else ''} still link to it"
        for a in adrs
        if a.get("status") in ("superseded", "deprecated") and (tests := a.get("tests"))
    ]
    if superseded:
        parts.append("**Linked to a superseded decision**\n\n" + "\n".join(superseded))
    errors = [f"- {escape_md(e)}" for e in report.get("errors") or []]
    if errors:
        parts.append("**Errors**\n\n" + "\n".join(errors))
    return "\n\n".join(parts)


HISTORY_ROWS = 30
"""The most criteria the comment's history table lists (criteria with steps first)."""


def history_section(history: History) -> str:
    """The criteria over past runs: latest value, a sparkline of the latest runs and the last
    step, one row per criterion (at most :data:`HISTORY_ROWS`); every cell escaped."""
    from pytest_archgate.report.history import SPARK_POINTS, step_text, summary_table

    if not history.runs:
        return ""
    shown = min(len(history.runs), SPARK_POINTS)
    lead = (
        f"{len(history.runs)} runs, trend over the last {shown}; a step is a move beyond the "
        f"runs' intervals."
    )
    latest = len(history.runs) - 1
    moved = [
        f"- {escape_md(c.label)}: {escape_md(step_text(history, c.steps[-1]))}"
        for c in history.criteria
        if c.steps and c.steps[-1].run == latest
    ]
    if moved:
        lead += "\n\n**Moved in this run** (beyond the intervals of the runs before):\n\n"
        lead += "\n".join(moved[:HISTORY_ROWS])
    return lead + "\n\n" + "\n".join(markdown_table(summary_table(history, max_rows=HISTORY_ROWS)))


def _footer(report: Report) -> str:
    bits = ["pytest-archgate"]
    if version := report.get("archgate_version"):
        bits[0] += " " + escape_md(version)
    if generated_at := report.get("generated_at"):
        bits.append("run " + escape_md(generated_at))
    return "<sub>" + " · ".join(bits) + "</sub>"


# --------------------------------------------------------------------------- whole documents


_TRUNCATED = (
    "_This comment was truncated to fit GitHub's size limit; the job summary and the JSON "
    "report have everything._"
)


def _fit(sections: Sequence[tuple[str, bool]], max_chars: int, note: str = _TRUNCATED) -> str:
    """Join sections with blank lines within ``max_chars``.

    The first section (the marker or title) is always kept. A section that does not fit ends the
    document; a splittable one (a table or a list) keeps the lines that fit; HTML and code blocks
    are dropped whole so that no ``<details>`` or fence is left open.
    """
    sep = "\n\n"
    full = sep.join(s for s, _ in sections if s)
    if len(full) <= max_chars:
        return full
    head = sections[0][0]
    budget = max_chars - len(sep) - len(note)
    out = [head]
    used = len(head)
    for text, splittable in sections[1:]:
        if not text:
            continue
        if used + len(sep) + len(text) <= budget:
            out.append(text)
            used += len(sep) + len(text)
            continue
        if splittable:
            kept: list[str] = []
            size = used + len(sep)
            for line in text.split("\n"):
                if size + len(line) + 1 > budget:
                    break
                kept.append(line)
                size += len(line) + 1
            if len(kept) > 2:  # more than a table header
                out.append("\n".join(kept))
        break
    out.append(note)
    doc = sep.join(out)
    if len(doc) > max_chars:  # only when max_chars is smaller than marker + note
        doc = (head + "\n" + note)[:max_chars]
    return doc


def _sections(
    report: Report,
    *,
    base: Report | None,
    diff: object,
    link_base: str | None,
    history: History | None = None,
) -> list[tuple[str, bool]]:
    sections: list[tuple[str, bool]] = [
        (headline(report), False),
        (adr_table(report, link_base=link_base), True),
    ]
    if diff is None:
        diff = report.get("diff")
    changed = diff_section(diff) if diff is not None else ""
    if changed:
        sections += [("### Criteria changed in this PR", False), (changed, True)]
    if base is not None:
        delta = base_delta(report, base)
        if delta:
            sections += [("### Compared with the base run", False), (delta, True)]
    branch = base_branch_section(report)
    if branch:
        sections += [("### Compared with the base branch", False), (branch, True)]
    if history is not None and history.runs:
        sections += [("### History", False), (history_section(history), True)]
    attention = attention_lists(report)
    if attention:
        sections.append((attention, True))
    ms = report.get("measurements") or []
    sections += [(details_block(a, ms), False) for a in _adrs(report)]
    for a in _adrs(report):
        if a.get("status") == "proposed":
            sections.append((mermaid_comparison(a), False))
    sections.append((_footer(report), False))
    return sections


def render_summary(
    report: Report,
    *,
    link_base: str | None = None,
    base: Report | None = None,
    max_chars: int = SUMMARY_LIMIT,
) -> str:
    """The job summary (``$GITHUB_STEP_SUMMARY``) of a run."""
    sections = [("## archgate: architecture decisions", False)]
    sections += _sections(report, base=base, diff=None, link_base=link_base)
    return _fit(sections, max_chars)


def render_comment(
    report: Report,
    *,
    base: Report | None = None,
    diff: object = None,
    key: str = "default",
    link_base: str | None = None,
    max_chars: int = 65_000,
    history: History | None = None,
) -> str:
    """The pull-request comment: the hidden marker for ``key`` first, then the status.

    ``base`` adds a table of changes against a base report; ``diff`` (or the report's own
    ``diff``) adds "Criteria changed in this PR"; ``history`` adds each criterion's trend over
    past runs. The body never exceeds ``max_chars`` (capped below GitHub's 65,536); when cut,
    it ends with a note and keeps the marker.
    """
    max_chars = min(max_chars, GITHUB_COMMENT_LIMIT - 1)
    marker = comment_marker(key)
    sections = [(marker + "\n## archgate: architecture decisions", False)]
    sections += _sections(report, base=base, diff=diff, link_base=link_base, history=history)
    return _fit(sections, max_chars)
