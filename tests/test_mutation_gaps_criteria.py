"""Rules of criterion parsing and judging that mutation testing found unpinned (issue 15).

Every refused ADR is one line that names the file, the line and the field, so that an editor or
a CI log jumps to it; the tests below pin that whole line for each refusal of
``pytest_archgate.adr.criteria`` (a changed file, line, field or message is a changed user
experience), and the judging rules around non-finite bounds. Each test states its rule.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from pytest_archgate.adr.criteria import Criterion, check_family, parse_criterion
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.errors import AdrError, CriterionError
from pytest_archgate.measure.estimate import Estimate

# ---------------------------------------------------------------------------------------------
# refusals across one archgate: block, through the ADR file a user writes


def _refusal(tmp_path: Path, block: str) -> str:
    path = tmp_path / "0002-x.md"
    path.write_text(f"---\nstatus: accepted\narchgate:\n{block}---\n# X\n", encoding="utf-8")
    with pytest.raises(AdrError) as info:
        parse_adr(path, root=tmp_path)
    return str(info.value)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        pytest.param(
            '  decision: "a\\u0007b"\n  acceptance:\n    auc: ">= 0.9"\n',
            "0002-x.md:4: archgate.decision: option name must not contain control characters, "
            "got 'a\\x07b'",
            id="decision-with-control-character",
        ),
        pytest.param(
            '  decision: a\n  baseline: "b\\u0007"\n  acceptance:\n    auc: ">= 0.9"\n',
            "0002-x.md:5: archgate.baseline: option name must not contain control characters, "
            "got 'b\\x07'",
            id="baseline-with-control-character",
        ),
        pytest.param(
            '  decision: a\n  options: [a, "b\\u0007"]\n  acceptance:\n    auc: ">= 0.9"\n',
            "0002-x.md:5: archgate.options: option name must not contain control characters, "
            "got 'b\\x07'",
            id="option-with-control-character",
        ),
        pytest.param(
            "  decision: a\n  options: [a, b]\n  acceptance:\n"
            '    auc: ">= 0.9"\n    gain: {metric: auc, min: 0, vs: a}\n',
            "0002-x.md:8: archgate.acceptance.gain.vs: vs names 'a', the decision itself: the "
            "decision cannot be compared with itself, so this criterion would never be judged; "
            "compare with another option (e.g. the baseline)",
            id="vs-names-the-decision",
        ),
        pytest.param(
            "  decision: a\n  options: [a, b]\n  constraints:\n"
            "    gain: {metric: auc, min: 0, vs: a}\n",
            "0002-x.md:7: archgate.constraints.gain.vs: vs names 'a', the decision itself: the "
            "decision cannot be compared with itself, so this criterion would never be judged; "
            "compare with another option (e.g. the baseline)",
            id="constraint-vs-names-the-decision",
        ),
        pytest.param(
            "  options: [a]\n  acceptance:\n    gain: {metric: auc, min: 0, vs: a}\n",
            "0002-x.md:6: archgate.acceptance.gain.vs: vs names 'a', the only option: no option "
            "is left to compare with it",
            id="vs-names-the-only-option",
        ),
        pytest.param(
            '  decision: a\n  acceptance:\n    auc: ">= 0.9"\n  constraints:\n    auc: "<= 1"\n',
            "0002-x.md:8: archgate.constraints.auc: 'auc' is both an acceptance criterion "
            "(line 6) and a constraint; give them different names",
            id="one-name-in-acceptance-and-constraints",
        ),
    ],
)
def test_an_inconsistent_archgate_block_is_refused_in_one_line_naming_file_line_and_field(
    tmp_path: Path, block: str, expected: str
) -> None:
    """A block whose criteria or options cannot be judged together is refused, and the message
    points at the offending line and field (not at the block's first line)."""
    assert _refusal(tmp_path, block) == expected


def test_a_lone_option_that_is_the_decision_may_carry_criteria_without_vs(tmp_path: Path) -> None:
    """The 'only option' refusal is about ``vs``: a decided ADR with one option is fine."""
    path = tmp_path / "0002-x.md"
    path.write_text(
        "---\nstatus: accepted\narchgate:\n  decision: a\n  options: [a]\n"
        '  acceptance:\n    auc: ">= 0.9"\n---\n# X\n',
        encoding="utf-8",
    )
    assert [c.name for c in parse_adr(path, root=tmp_path).criteria] == ["auc"]


# ---------------------------------------------------------------------------------------------
# refusals of one criterion


@pytest.mark.parametrize(
    ("name", "spec", "options", "expected"),
    [
        pytest.param(
            3, ">= 1", (), "archgate.constraints: criterion name must be a non-empty string, got 3"
        ),
        pytest.param(
            "a\x07",
            ">= 1",
            (),
            "archgate.constraints: criterion name must not contain control characters, "
            "got 'a\\x07'",
        ),
        pytest.param(
            "n",
            "== 3",
            (),
            "archgate.constraints.n: cannot read '== 3': write '<op> <number>' with op one of "
            '>=, <=, >, < (e.g. ">= 0.90"), or a mapping with min/max',
        ),
        pytest.param(
            "n",
            [1],
            (),
            'archgate.constraints.n: expected a string like ">= 0.9" or a mapping, got list [1]',
        ),
        pytest.param(
            "n",
            {"min": 1, "zed": 1, "a\x07": 2},
            (),
            "archgate.constraints.n: unknown key(s) 'a\\x07', zed; allowed: min, max, metric, "
            "vs, confidence, device",
            id="unknown-keys-shown-safely",
        ),
        pytest.param(
            "n",
            {"metric": "m"},
            (),
            "archgate.constraints.n: a criterion needs a bound: give min and/or max",
        ),
        pytest.param(
            "n",
            {"min": 1, "metric": 3},
            (),
            "archgate.constraints.n.metric: metric must be a non-empty string, got 3",
        ),
        pytest.param(
            "n",
            {"min": 1, "metric": "m\x07"},
            (),
            "archgate.constraints.n.metric: metric must not contain control characters, "
            "got 'm\\x07'",
        ),
        pytest.param(
            "n", {"min": 1, "vs": 3}, (), "archgate.constraints.n.vs: vs must name an option, got 3"
        ),
        pytest.param(
            "n",
            {"min": 1, "vs": "z"},
            (),
            "archgate.constraints.n.vs: vs names 'z', which is not one of the ADR's options "
            "(none listed); add it to archgate.options",
        ),
        pytest.param(
            "n",
            {"min": 1, "vs": "z"},
            ("a", "b\x07"),
            "archgate.constraints.n.vs: vs names 'z', which is not one of the ADR's options "
            "(a, 'b\\x07'); add it to archgate.options",
        ),
        pytest.param(
            "n",
            {"min": 1, "confidence": "0.9"},
            (),
            "archgate.constraints.n.confidence: confidence must be in (0.5, 1), a number such "
            "as 0.95; got the string '0.9'",
        ),
        pytest.param(
            "n",
            {"min": 1, "confidence": [1]},
            (),
            "archgate.constraints.n.confidence: expected a number, got list [1]",
        ),
        pytest.param(
            "n",
            {"min": 1, "device": "tpu"},
            (),
            "archgate.constraints.n.device: device must be one of cpu, cuda; got 'tpu'",
        ),
        pytest.param(
            "n",
            {"min": 10**400},
            (),
            "archgate.constraints.n.min: bound must be a finite number, got an integer of 401 "
            "digits (too large for a float)",
        ),
        pytest.param(
            "n",
            {"min": "0" * 100 + "1"},
            (),
            "archgate.constraints.n.min: expected a number, got a string of 101 characters",
        ),
    ],
)
def test_a_criterion_that_cannot_be_judged_is_refused_naming_file_line_and_field(
    name: Any, spec: Any, options: tuple[str, ...], expected: str
) -> None:
    """Each refusal is one line ``file:line: field: why`` that shows hostile text escaped."""
    with pytest.raises(CriterionError) as info:
        parse_criterion(name, spec, kind="constraint", options=options, file="f.md", line=7)
    assert str(info.value) == f"f.md:7: {expected}"


def test_a_number_of_up_to_100_characters_is_read() -> None:
    """The length limit on a number written as a string is 100 characters, not fewer."""
    c = parse_criterion("n", {"min": "0" * 99 + "1"}, kind="acceptance")
    assert c.min == 1.0


@pytest.mark.parametrize(
    "confidence",
    [
        0.5,
        1.0,
        1.5,
        # levels are rounded (level_key): 2c - 1 rounds to 0 or to 1, so no interval exists
        0.5000000001,
        0.9999999999,
    ],
)
def test_a_confidence_whose_two_sided_level_is_not_inside_0_1_is_refused(
    confidence: float,
) -> None:
    """``confidence`` c judges an end of the two-sided interval at 2c - 1; a c whose 2c - 1 is
    not strictly between 0 and 1 once rounded could never be measured, so it is refused."""
    with pytest.raises(CriterionError) as info:
        parse_criterion("n", {"min": 1, "confidence": confidence}, kind="acceptance", file="f.md")
    assert str(info.value) == (
        "f.md: archgate.acceptance.n.confidence: confidence must be in (0.5, 1), strictly "
        f"between 0.5 and 1, e.g. 0.95; got {confidence!r}"
    )


@pytest.mark.parametrize(("spec", "attr"), [("> 3", "min"), ("=> 3", "min"), ("< 3", "max")])
def test_a_string_constraint_is_a_constraint(spec: str, attr: str) -> None:
    """A constraint written as ``"<op> <number>"`` keeps its kind (constraints warn, they do not
    fail a run), whichever side its bound is on."""
    c = parse_criterion("n", spec, kind="constraint")
    assert c.kind == "constraint"
    assert getattr(c, attr) == 3.0


@pytest.mark.parametrize(
    ("spec", "shown"), [("<= 1e15", "<= 1e+15"), ("<= 1e14", "<= 100000000000000")]
)
def test_whole_bounds_print_as_integers_below_1e15(spec: str, shown: str) -> None:
    """Whole numbers print without a decimal point up to 1e15 (exclusive); from there on in
    scientific notation, so that a bound is never printed with 16 misleading digits."""
    assert parse_criterion("n", spec, kind="acceptance").bound == shown


# ---------------------------------------------------------------------------------------------
# judging with non-finite interval ends


def test_an_infinite_interval_end_is_printed_as_inf() -> None:
    """A one-sided interval (e.g. [0.8, inf]) is named as such in the verdict's reason."""
    c = parse_criterion("n", {"min": 0.5, "confidence": 0.975}, kind="acceptance")
    verdict, reason = c.judge(Estimate(0.9, intervals={0.95: (0.8, math.inf)}))
    assert verdict == "pass"
    assert reason == (
        "lower one-sided 97.5% bound 0.8 >= 0.5 (the 95% two-sided interval is [0.8, inf])"
    )


@pytest.mark.parametrize(
    ("spec", "side", "judged"),
    [
        ({"min": 0.5, "confidence": 0.975}, "min", -math.inf),
        ({"max": 0.5, "confidence": 0.975}, "max", math.inf),
    ],
)
def test_a_nan_bound_fails_and_is_the_worst_possible_on_its_side(
    spec: dict[str, Any], side: Any, judged: float
) -> None:
    """An interval of NaN (a broken producer) never passes: the criterion fails, its judged
    value is the worst end of that side and its badness is infinite, so that it is the one
    reported among several measurements."""
    c: Criterion = parse_criterion("n", spec, kind="acceptance")
    e = Estimate(0.45 if side == "max" else 0.9, intervals={0.95: (math.nan, math.nan)})
    assert c.judge(e)[0] == "fail"
    assert c.judged_value(e, side) == judged
    assert c.badness(e) == math.inf


# ---------------------------------------------------------------------------------------------
# the family setting (``family:`` in an ADR, --archgate-family, ARCHGATE_FAMILY)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_an_empty_family_setting_means_none(blank: str | None) -> None:
    """An unset or blank family setting is ``none`` (no family-wise adjustment), not an error."""
    assert check_family(blank, source="ARCHGATE_FAMILY") == "none"


@pytest.mark.parametrize(("text", "family"), [(" Holm ", "holm"), ("NONE", "none")])
def test_a_family_setting_is_read_case_and_space_insensitively(text: str, family: str) -> None:
    assert check_family(text, source="ARCHGATE_FAMILY") == family


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("b" * 38, repr("b" * 38)),  # a repr of exactly 40 characters is shown whole
        ("b" * 39, repr("b" * 39)[:40] + "..."),  # 41: cut at 40, marked as cut
        (3, "3"),
    ],
)
def test_an_unknown_family_is_one_line_naming_its_source_and_the_choices(
    value: object, shown: str
) -> None:
    """The error names where the value came from and what is allowed; a long value is cut."""
    with pytest.raises(ValueError, match="is not a family") as info:
        check_family(value, source="ARCHGATE_FAMILY")
    assert str(info.value) == f"ARCHGATE_FAMILY: {shown} is not a family; use one of none, holm"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"metric": "roc_auc", "vs": "@base", "min": -0.01}, "archgate.acceptance.r.confidence"),
        ({"metric": "roc_auc", "min": 0.5, "device": "tpu"}, "archgate.acceptance.r.device"),
        ({"metric": "roc_auc", "min": 0.5, "confidence": 1.0}, "archgate.acceptance.r.confidence"),
        (
            {"metric": "roc_auc", "min": 0.5, "confidence": "0.9"},
            "archgate.acceptance.r.confidence",
        ),
        ({"metric": "roc_auc", "min": 0.5, "vs": "nope"}, "archgate.acceptance.r.vs"),
        ({"metric": "", "min": 0.5}, "archgate.acceptance.r.metric"),
    ],
)
def test_every_criterion_error_names_the_adr_file_and_line(
    spec: dict[str, Any], field: str
) -> None:
    """A broken criterion is reported at its file and line, whatever the problem (the user
    fixes the line the message names)."""
    with pytest.raises(CriterionError) as info:
        parse_criterion(
            "r", spec, kind="acceptance", options=("a", "b"), file="adr/0002-x.md", line=12
        )
    assert (info.value.file, info.value.line, info.value.field) == ("adr/0002-x.md", 12, field)
