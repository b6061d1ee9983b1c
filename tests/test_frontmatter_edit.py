"""The front-matter editor changes the one value it is asked to and not a byte more.

``archgate accept`` and ``supersede`` rewrite files people wrote by hand, so these tests pin the
exact text after each edit (comments, quoting, CRLF, BOM, flow mappings) and, with hypothesis,
check on generated files that an edit touches exactly one line and reads back as intended.
"""

from __future__ import annotations

import datetime as dt
import difflib

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_archgate.authoring.frontmatter import (
    _verify,
    newline_of,
    render_scalar,
    set_key,
    split_document,
)
from pytest_archgate.errors import CommandError

DAY = dt.date(2026, 11, 24)


def front(text: str) -> object:
    return yaml.safe_load(split_document(text).front)


# --------------------------------------------------------------------------------------------
# splitting


def test_split_document_round_trips_and_keeps_bom() -> None:
    text = "\ufeff---\r\nstatus: proposed\r\n---\r\n# T\r\n"
    doc = split_document(text)
    assert doc.head == "\ufeff---\r\n"
    assert doc.front == "status: proposed\r\n"
    assert doc.tail == "---\r\n# T\r\n"
    assert doc.text == text


@pytest.mark.parametrize(
    "text",
    ["# No front matter\n", "---\nstatus: x\nno closing fence\n", ""],
)
def test_split_document_refuses_text_without_front_matter(text: str) -> None:
    with pytest.raises(CommandError, match="no YAML front matter"):
        split_document(text, file="adr/x.md")


def test_newline_of() -> None:
    assert newline_of("a\r\nb\n") == "\r\n"
    assert newline_of("a\nb\r\n") == "\n"
    assert newline_of("no newline") == "\n"


# --------------------------------------------------------------------------------------------
# replacing values in place


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("status: proposed\n", "status: accepted\n"),
        ("status: proposed   # flip on accept\n", "status: accepted   # flip on accept\n"),
        ("status: 'proposed'\n", "status: 'accepted'\n"),
        ('status: "proposed" # q\n', 'status: "accepted" # q\n'),
        ("status:    proposed\n", "status:    accepted\n"),
        ("status:\n", "status: accepted\n"),
        ("status:   # to do\n", "status: accepted   # to do\n"),
        ("status: ~\n", "status: accepted\n"),
        ("status: null\n", "status: accepted\n"),
    ],
)
def test_top_level_scalar_replaced_in_place(before: str, after: str) -> None:
    head = "---\n# leading comment\ntitle: 'Keep: me'\n"
    tail = "decision-makers: [a, b]  # people\n---\n# Body\n\nstatus: proposed in prose\n"
    out = set_key(head + before + tail, ("status",), "accepted")
    assert out == head + after + tail


def test_crlf_file_stays_crlf_byte_for_byte() -> None:
    text = (
        "---\r\n"
        "status: proposed # c\r\n"
        "date: 2024-01-01\r\n"
        "archgate:\r\n"
        "  # the candidates\r\n"
        "  options: [a, b]\r\n"
        "  acceptance:\r\n"
        '    auc: ">= 0.9"\r\n'
        "---\r\n"
        "# Title\r\n"
        "\r\n"
        "Body.\r\n"
    )
    out = set_key(text, ("status",), "accepted")
    out = set_key(out, ("date",), DAY)
    out = set_key(out, ("archgate", "decision"), "a")
    out = set_key(out, ("supersedes",), "ADR-0001")
    assert out == (
        "---\r\n"
        "status: accepted # c\r\n"
        "date: 2026-11-24\r\n"
        "archgate:\r\n"
        "  decision: a\r\n"
        "  # the candidates\r\n"
        "  options: [a, b]\r\n"
        "  acceptance:\r\n"
        '    auc: ">= 0.9"\r\n'
        "supersedes: ADR-0001\r\n"
        "---\r\n"
        "# Title\r\n"
        "\r\n"
        "Body.\r\n"
    )
    assert "\n" not in out.replace("\r\n", "")


def test_bom_is_kept() -> None:
    out = set_key("\ufeff---\nstatus: proposed\n---\n", ("status",), "accepted")
    assert out == "\ufeff---\nstatus: accepted\n---\n"


def test_date_is_written_plain_or_in_the_existing_quotes() -> None:
    assert set_key("---\ndate: 2024-01-01\n---\n", ("date",), DAY) == "---\ndate: 2026-11-24\n---\n"
    assert (
        set_key("---\ndate: '2024-01-01'  # c\n---\n", ("date",), DAY)
        == "---\ndate: '2026-11-24'  # c\n---\n"
    )


# --------------------------------------------------------------------------------------------
# inserting keys


def test_missing_top_level_key_goes_after_the_last_one() -> None:
    text = (
        "---\nstatus: accepted\narchgate:\n  options: [a]\n  acceptance:\n"
        '    x: ">= 1"\n# trailing comment\n\n---\nbody\n'
    )
    out = set_key(text, ("supersedes",), "ADR-0002")
    assert out == (
        "---\nstatus: accepted\narchgate:\n  options: [a]\n  acceptance:\n"
        '    x: ">= 1"\n# trailing comment\nsupersedes: ADR-0002\n\n---\nbody\n'
    )


def test_key_inserted_into_empty_front_matter() -> None:
    assert set_key("---\n---\n# T\n", ("date",), DAY) == "---\ndate: 2026-11-24\n---\n# T\n"


@pytest.mark.parametrize("indent", [2, 4])
def test_nested_key_inserted_first_at_the_mapping_indentation(indent: int) -> None:
    pad = " " * indent
    text = f"---\narchgate:   # block\n{pad}options: [a, b]  # c\n{pad}baseline: b\n---\n"
    out = set_key(text, ("archgate", "decision"), "a")
    assert out == (
        f"---\narchgate:   # block\n{pad}decision: a\n{pad}options: [a, b]  # c\n"
        f"{pad}baseline: b\n---\n"
    )


def test_nested_key_replaced_in_place() -> None:
    text = "---\narchgate:\n  decision: 'b'  # was b\n  options: [a, b]\n---\n"
    out = set_key(text, ("archgate", "decision"), "a")
    assert out == "---\narchgate:\n  decision: 'a'  # was b\n  options: [a, b]\n---\n"


def test_flow_mapping_insert_and_replace() -> None:
    text = "---\narchgate: {options: [a, b], acceptance: {x: '>= 1'}}  # flow\n---\n"
    out = set_key(text, ("archgate", "decision"), "a")
    assert out == (
        "---\narchgate: {decision: a, options: [a, b], acceptance: {x: '>= 1'}}  # flow\n---\n"
    )
    again = set_key(out, ("archgate", "decision"), "b")
    assert again == out.replace("decision: a", "decision: b")
    assert front(again) == {
        "archgate": {"decision": "b", "options": ["a", "b"], "acceptance": {"x": ">= 1"}}
    }


def test_value_with_flow_characters_is_quoted_inside_a_flow_mapping() -> None:
    out = set_key("---\nx: {y: 1}\n---\n", ("x", "z"), "a,b")
    assert out == '---\nx: {z: "a,b", y: 1}\n---\n'
    assert front(out) == {"x": {"z": "a,b", "y": 1}}


def test_empty_nested_mapping_gets_a_block() -> None:
    assert set_key("---\narchgate:\n---\n", ("archgate", "decision"), "a") == (
        "---\narchgate:\n  decision: a\n---\n"
    )
    assert set_key("---\narchgate: {}\n---\n", ("archgate", "decision"), "a") == (
        "---\narchgate: {decision: a}\n---\n"
    )


def test_list_values_are_written_as_flow_sequences() -> None:
    out = set_key("---\nsupersedes: ADR-0001\n---\n", ("supersedes",), ["ADR-0001", "ADR-0002"])
    assert out == "---\nsupersedes: [ADR-0001, ADR-0002]\n---\n"
    out = set_key(out, ("supersedes",), ["ADR-0001", "ADR-0002", "ADR-0003"])
    assert out == "---\nsupersedes: [ADR-0001, ADR-0002, ADR-0003]\n---\n"


# --------------------------------------------------------------------------------------------
# quoting


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("accepted", "accepted"),
        ("superseded by ADR-0005", "superseded by ADR-0005"),
        ("yes", '"yes"'),
        ("null", '"null"'),
        ("1.0", '"1.0"'),
        ("2024-01-01", '"2024-01-01"'),
        ("a: b", '"a: b"'),
        ("#x", '"#x"'),
        (" padded", '" padded"'),
        ("", '""'),
        ("it's", "it's"),
        ("line\nbreak", '"line\\nbreak"'),
    ],
)
def test_plain_only_when_it_reads_back_as_the_same_string(value: str, text: str) -> None:
    assert render_scalar(value) == text
    out = set_key("---\nk: old\n---\n", ("k",), value)
    assert front(out) == {"k": value}


def test_single_quoted_style_escapes_quotes() -> None:
    out = set_key("---\nk: 'old'\n---\n", ("k",), "it's")
    assert out == "---\nk: 'it''s'\n---\n"


# --------------------------------------------------------------------------------------------
# refusals


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("# no front matter\n", ("status",), "no YAML front matter"),
        ("---\nstatus: [unclosed\n---\n", ("status",), "not valid YAML"),
        ("---\nnotes: |\n  a\n  b\n---\n", ("notes",), "block scalar"),
        ("---\nstatus: {a: 1}\n---\n", ("status",), "holds a mapping"),
        ("---\nstatus: x\n---\n", ("archgate", "decision"), "has no archgate"),
        ("---\narchgate: [a, b]\n---\n", ("archgate", "decision"), "not a mapping"),
        ("---\n- a\n- b\n---\n", ("status",), "not a mapping"),
    ],
)
def test_edits_that_cannot_be_done_safely_are_refused(
    text: str, path: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message) as info:
        set_key(text, path, "accepted", file="adr/0001-x.md")
    assert "\n" not in str(info.value)


def test_verification_refuses_an_edit_that_changes_another_value() -> None:
    with pytest.raises(CommandError, match="would change other front-matter values"):
        _verify("a: 1\nb: 2\n", "a: x\nb: 5\n", ("a",), "x", file="x.md")
    with pytest.raises(CommandError, match="does not read back"):
        _verify("a: 1\n", "a: 2\n", ("a",), "3", file="x.md")
    with pytest.raises(CommandError, match="invalid YAML"):
        _verify("a: 1\n", "a: [\n", ("a",), "3", file="x.md")


# --------------------------------------------------------------------------------------------
# property: an edit changes exactly one line (or inserts exactly one) and nothing else

_scalar_text = (
    st.text(
        alphabet=st.characters(
            codec="utf-8", categories=("L", "N", "P", "Zs"), exclude_characters="\x85"
        ),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
_key = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True).filter(
    lambda k: k not in ("status", "date", "archgate", "supersedes")
)


def _quote(value: str, style: str) -> str:
    return render_scalar(value, style if style != "plain" else None)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, str]:
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# " + draw(_scalar_text))
    keys = draw(st.lists(_key, unique=True, max_size=4))
    positions = draw(st.permutations(["status", "date", "archgate", *keys]))
    archgate_flow = draw(st.booleans())
    has_decision = draw(st.booleans())
    for name in positions:
        comment = f"  # {draw(_scalar_text)}" if draw(st.booleans()) else ""
        style = draw(st.sampled_from(["plain", "'", '"']))
        if name == "status":
            if draw(st.booleans()):
                lines.append(f"status: {_quote('proposed', style)}{comment}")
        elif name == "date":
            if draw(st.booleans()):
                lines.append(f"date: 2024-0{draw(st.integers(1, 9))}-01{comment}")
        elif name == "archgate":
            decision = "decision: b, " if has_decision else ""
            if archgate_flow:
                lines.append(f"archgate: {{{decision}options: [a, b]}}{comment}")
            else:
                lines.append(f"archgate:{comment}")
                if draw(st.booleans()):
                    lines.append("  # " + draw(_scalar_text))
                if has_decision:
                    lines.append("  decision: b")
                lines.append("  options: [a, b]")
                lines.append('  acceptance: {auc: ">= 0.9"}')
        else:
            value = draw(_scalar_text)
            lines.append(f"{name}: {_quote(value, style)}{comment}")
        if draw(st.booleans()):
            lines.append("")
    body = nl.join(["# " + draw(_scalar_text), "", "status: proposed", ""])
    return "---" + nl + "".join(line + nl for line in lines) + "---" + nl + body, nl


@settings(max_examples=150, deadline=None)
@given(
    doc=documents(),
    edit=st.sampled_from(
        [
            (("status",), "accepted"),
            (("date",), DAY),
            (("archgate", "decision"), "a"),
            (("supersedes",), "ADR-0001"),
        ]
    ),
)
def test_an_edit_touches_one_line_only(
    doc: tuple[str, str], edit: tuple[tuple[str, ...], str | dt.date]
) -> None:
    text, nl = doc
    path, value = edit
    out = set_key(text, path, value)

    before, after = split_document(text), split_document(out)
    assert after.head == before.head
    assert after.tail == before.tail  # closing fence and body untouched

    old_lines = before.front.splitlines(keepends=True)
    new_lines = after.front.splitlines(keepends=True)
    ops = [
        op
        for op in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]
    if before.front == after.front:
        ops = []
    assert len(ops) <= 1, ops
    if ops:
        tag, i1, i2, j1, j2 = ops[0]
        assert (tag, i2 - i1, j2 - j1) in (("replace", 1, 1), ("insert", 0, 1)), ops[0]
        changed = new_lines[j1]
        assert changed.endswith(nl)
        assert path[-1] in changed
    for line in new_lines:
        assert line.endswith(nl)

    old_data = yaml.safe_load(before.front) or {}
    new_data = yaml.safe_load(after.front)
    got = new_data
    for name in path:
        got = got[name]
    assert got in (value, value.isoformat() if isinstance(value, dt.date) else value)
    for key in old_data:
        if key != path[0]:
            assert new_data[key] == old_data[key]
    if path == ("archgate", "decision"):
        assert {k: v for k, v in new_data["archgate"].items() if k != "decision"} == {
            k: v for k, v in old_data["archgate"].items() if k != "decision"
        }
