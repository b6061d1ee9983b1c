"""Rules of ``pytest_archgate.measure.names`` (metric, option and criterion names; level keys)
that mutation testing found unpinned (issue 15).

Every name an ADR or a measurement carries goes through :func:`bad_name_reason` before it is
printed anywhere (a terminal, a job summary, a CI workflow command), and every confidence level
goes through :func:`level_key` before it is looked up: these tests state what each accepts,
what it refuses and the one-line reason a user reads.
"""

from __future__ import annotations

import pytest

from pytest_archgate.measure.names import (
    MAX_NAME_LENGTH,
    bad_name_reason,
    level_key,
    short_repr,
    two_sided_level,
)

# ---------------------------------------------------------------------------------------------
# level keys


def test_a_level_key_keeps_six_decimals() -> None:
    """Levels are dict keys to 6 decimals: 0.95 computed two ways is one key, and a Holm level
    such as 0.9983335 keeps its sixth decimal (rounded half to even by float rounding)."""
    assert level_key(0.1 + 0.85) == 0.95
    assert level_key(0.9876544) == 0.987654
    assert level_key(0.9876546) == 0.987655
    assert level_key(1) == 1.0
    assert isinstance(level_key(1), float)


@pytest.mark.parametrize(
    ("one_sided", "two_sided"),
    [(0.95, 0.9), (0.975, 0.95), (0.995, 0.99), (0.9975, 0.995), (0.5, 0.0)],
)
def test_the_two_sided_level_of_a_one_sided_bound_is_2c_minus_1(
    one_sided: float, two_sided: float
) -> None:
    """The lower end of a two-sided 90% interval is the one-sided 95% bound (2c - 1)."""
    assert two_sided_level(one_sided) == two_sided


# ---------------------------------------------------------------------------------------------
# names


def test_plain_names_are_accepted() -> None:
    for name in ("auc", "roc_auc", "p95 latency (ms)", "é-score", "x" * MAX_NAME_LENGTH):
        assert bad_name_reason(name) is None, name


def test_a_name_longer_than_200_characters_is_refused_with_its_length() -> None:
    assert MAX_NAME_LENGTH == 200
    assert bad_name_reason("x" * 201) == "is 201 characters long; at most 200 are allowed"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (3, "must be a string, got int 3"),
        (None, "must be a string, got NoneType None"),
        ("", "must be a non-empty name, got ''"),
        ("  \t", "must be a non-empty name, got '  \\t'"),
        (" auc", "must not start or end with whitespace, got ' auc'"),
        ("auc ", "must not start or end with whitespace, got 'auc '"),
        ("é-auc\u00a0", "must not start or end with whitespace, got 'é-auc\\xa0'"),
    ],
)
def test_a_bad_name_gets_a_reason_naming_it(name: object, reason: str) -> None:
    assert bad_name_reason(name) == reason


@pytest.mark.parametrize(
    "char",
    [
        "\n",  # Cc: a newline could start a CI workflow command where the name is printed
        "\x07",  # Cc inside printable-looking ASCII text
        "\x7f",  # Cc: DEL
        "\u200b",  # Cf: zero width space
        "\u202e",  # Cf: right-to-left override (reverses what a reader sees)
        "\ud800",  # Cs: a lone surrogate
        "\ue000",  # Co: private use
        "\u0378",  # Cn: unassigned
        "\u2028",  # Zl: line separator
        "\u2029",  # Zp: paragraph separator
    ],
)
def test_a_name_with_a_control_format_or_separator_character_is_refused(char: str) -> None:
    """Inside the name, in ASCII or not: the reason names it with the character escaped."""
    for name in (f"auc{char}x", f"é{char}x"):
        assert bad_name_reason(name) == f"must not contain control characters, got {name!r}"


def test_a_name_with_a_newline_is_refused_naming_the_control_character() -> None:
    assert bad_name_reason("auc\n::error::x") == (
        "must not contain control characters, got 'auc\\n::error::x'"
    )


# ---------------------------------------------------------------------------------------------
# bounded reprs in error messages


def test_a_short_repr_is_the_repr_up_to_80_characters() -> None:
    assert short_repr("abc") == "'abc'"
    assert short_repr("x" * 78) == repr("x" * 78)  # 80 characters with the quotes
    assert short_repr("x" * 79) == "'" + "x" * 76 + "..."  # 81: cut to 80 with the dots
    assert len(short_repr(list(range(100)))) == 80


def test_a_short_repr_takes_its_limit() -> None:
    assert short_repr("abcdefghij", 8) == "'abcd..."
    assert short_repr("abcdef", 8) == "'abcdef'"


def test_a_huge_integer_is_named_by_its_digits_not_printed() -> None:
    assert short_repr(10**400) == "an integer of 401 digits"
    assert short_repr(10**79) == str(10**79)  # 80 digits: printed
    assert short_repr(10**80) == "an integer of 81 digits"
    assert short_repr(10**10, 10) == "an integer of 11 digits"
    assert short_repr(True) == "True"


def test_a_hostile_repr_is_named_by_its_type() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert short_repr(Hostile()) == "<Hostile>"
