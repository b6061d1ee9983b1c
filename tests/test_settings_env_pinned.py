"""Settings resolution (settings.py), pinned rule by rule (issue 15).

One order for every setting: command line > environment > ini > default. An empty environment
variable counts as unset; an explicit false in the environment turns off a true in the ini; a
value that is neither true nor false is an error naming where it came from. These are unit
tests on :func:`resolve_one`/:func:`resolve` with an explicit environment, so that a mutant of
settings.py is killed in-process; ``tests/test_verdict_rules_pinned.py`` checks the same rules
through pytest.
"""

from __future__ import annotations

import pytest

from pytest_archgate.settings import (
    FALSE_WORDS,
    SETTINGS,
    TRUE_WORDS,
    SettingError,
    parse_bool,
    resolve,
    resolve_one,
)


@pytest.mark.parametrize("name", ["strict", "require_gpu"])
def test_flag_order_is_command_line_then_environment_then_ini(name: str) -> None:
    """Command line > environment > ini > default, each source named in the result."""
    env_name = f"ARCHGATE_{name.upper()}"
    ini_name = f"archgate_{name}"
    assert resolve_one(name, environ={}) == resolve_one(name, cli={name: None}, environ={})
    default = resolve_one(name, environ={})
    assert (default.value, default.source) == (False, "default")
    from_ini = resolve_one(name, ini={name: "true"}, environ={})
    assert (from_ini.value, from_ini.source) == (True, f"ini key {ini_name}")
    from_env = resolve_one(name, ini={name: "true"}, environ={env_name: "0"})
    assert (from_env.value, from_env.source) == (False, env_name)
    from_cli = resolve_one(name, cli={name: True}, ini={name: "false"}, environ={env_name: "no"})
    assert (from_cli.value, from_cli.source) == (True, "command line")


@pytest.mark.parametrize("blank", ["", "  "])
def test_an_empty_environment_variable_counts_as_unset(blank: str) -> None:
    """``ARCHGATE_STRICT=`` does not hide ``archgate_strict = true`` in the ini."""
    r = resolve_one("strict", ini={"strict": "true"}, environ={"ARCHGATE_STRICT": blank})
    assert (r.value, r.source) == (True, "ini key archgate_strict")
    r = resolve_one("strict", cli={"strict": ""}, environ={"ARCHGATE_STRICT": "1"})
    assert (r.value, r.source) == (True, "ARCHGATE_STRICT")


def test_every_true_and_false_word_and_nothing_else() -> None:
    """Exactly 1/true/yes/on/y/t are true and 0/false/no/off/n/f false, in any case."""
    assert {"1", "true", "yes", "on", "y", "t"} == TRUE_WORDS
    assert {"0", "false", "no", "off", "n", "f"} == FALSE_WORDS
    for word in TRUE_WORDS:
        assert parse_bool(f" {word.upper()} ", source="x") is True
    for word in FALSE_WORDS:
        assert parse_bool(word.capitalize(), source="x") is False
    assert parse_bool(True, source="x") is True
    assert parse_bool(False, source="x") is False


def test_a_word_that_is_neither_is_an_error_naming_its_source() -> None:
    with pytest.raises(SettingError) as info:
        resolve_one("strict", environ={"ARCHGATE_STRICT": "maybe"})
    assert info.value.source == "ARCHGATE_STRICT"
    assert str(info.value) == (
        "ARCHGATE_STRICT: 'maybe' is neither true nor false; use one of 1, true, yes, on or 0, "
        "false, no, off"
    )
    with pytest.raises(SettingError) as info:
        resolve_one("require_gpu", ini={"require_gpu": "x" * 50}, environ={})
    assert info.value.source == "ini key archgate_require_gpu"
    assert "'" + "x" * 40 + "...'" in info.value.message


def test_the_spellings_of_each_setting() -> None:
    """Every setting has the one prefix: ``--archgate-*``, ``ARCHGATE_*``, ``archgate_*``."""
    for s in SETTINGS:
        assert s.option == "--archgate-" + s.name.replace("_", "-")
        assert s.env == "ARCHGATE_" + s.name.upper()
        assert s.ini == "archgate_" + s.name


def test_resolve_reads_every_setting_from_the_environment() -> None:
    settings = resolve(
        environ={
            "ARCHGATE_STRICT": "yes",
            "ARCHGATE_REQUIRE_GPU": "on",
            "ARCHGATE_FAMILY": "HOLM",
            "ARCHGATE_ADR_DIR": "docs/decisions",
            "ARCHGATE_REPORT": "out.json",
        }
    )
    assert (settings.strict, settings.require_gpu, settings.family) == (True, True, "holm")
    assert (settings.adr_dir, settings.report) == ("docs/decisions", "out.json")
    assert settings.sources["strict"] == "ARCHGATE_STRICT"
    off = resolve(ini={"strict": "true", "require_gpu": "1"}, environ={"ARCHGATE_STRICT": "off"})
    assert (off.strict, off.require_gpu, off.family) == (False, True, "none")
    assert (off.adr_dir, off.report) == (None, None)
    with pytest.raises(SettingError, match="is not one of none, holm"):
        resolve(environ={"ARCHGATE_FAMILY": "bonferroni"})
