"""The front-matter fast path (no event pass) gives exactly what the event pass gives.

:func:`pytest_archgate.adr.safe_yaml.load_yaml` skips the event-by-event limit check when the
text alone proves no limit can be reached (no anchors or aliases, few collection indicators,
short, one document). These tests hold the proof to its word: for every input, the fast path
and the forced event pass return the same data and key lines, or raise the same error.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_archgate.adr import safe_yaml
from pytest_archgate.errors import AdrError

SAMPLES = [
    "status: accepted\ndate: 2026-11-24\n",
    "archgate:\n  decision: a\n  options: [a, b]\n  acceptance:\n    score: '>= 0.5'\n",
    "a: {max: 100, confidence: 0.95}\n",
    "a: [1, 2\n",  # unclosed flow sequence
    "a: b: c\n",  # mapping values not allowed here
    "a: 1\na: 2\n",
    "a:\n  - x\n  - - y\n",
    "- a\n- b\n",
    "a: 'unterminated\n",
    'a: "\\q"\n',  # bad escape
    "date: 2024-02-30\n",  # the timestamp constructor refuses it
    "a: !!python/object x\n",
    "? [a]\n: b\n",
    "{a, b}\n",
    "[:]\n",
    "a: |\n  text\n b: 1\n",
    "\t a: 1\n",
    "",
    "# only a comment\n",
]


def _load(fm: str, *, fast: bool) -> tuple[str, Any]:
    original = safe_yaml._cannot_exceed_limits
    try:
        if not fast:
            safe_yaml._cannot_exceed_limits = lambda fm: False  # type: ignore[assignment]
        data, node = safe_yaml.load_yaml(fm, file="x.md", first_line=2)
        lines = safe_yaml.key_lines_of(node, 2, file="x.md")
        return "ok", (data, lines)
    except AdrError as exc:
        return "error", (str(exc), exc.line)
    finally:
        safe_yaml._cannot_exceed_limits = original


@pytest.mark.parametrize("fm", SAMPLES)
def test_fast_path_matches_the_event_pass(fm: str) -> None:
    assert safe_yaml._cannot_exceed_limits(fm), fm
    assert _load(fm, fast=True) == _load(fm, fast=False)


@pytest.mark.parametrize(
    "fm",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: " + "[" * 60 + "]" * 60 + "\n",  # deeper than the limit
        "a: [" + "1," * 7000 + "]\n",  # more nodes than the limit could allow
        "a: 1\n...\nb: [\n",  # a document end: a second document could follow
        "a: 1\n---\nb: 2\n",
    ],
)
def test_inputs_near_a_limit_take_the_event_pass(fm: str) -> None:
    assert not safe_yaml._cannot_exceed_limits(fm)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab1 :-[]{},?'\"\n#!|>.", max_size=60))
def test_fast_path_matches_the_event_pass_on_generated_text(fm: str) -> None:
    assert _load(fm, fast=True) == _load(fm, fast=False)
