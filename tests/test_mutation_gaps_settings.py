"""Rules of ``pytest_archgate.settings`` (one resolver: command line > environment > ini >
default) that mutation testing found unpinned (issue 15).

The CLI reads the ini values itself (:func:`read_ini`), the way pytest finds its configuration;
these tests write real configuration files into ``tmp_path`` and check which one wins, what a
setting resolves to, and the one-line message of a bad value.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_archgate
from pytest_archgate.settings import (
    BY_NAME,
    SETTINGS,
    SettingError,
    help_text,
    parse_age,
    parse_bool,
    read_ini,
    resolve,
    resolve_in_project,
    resolve_one,
)

# ---------------------------------------------------------------------------------------------
# what a setting is when nothing sets it, and what its help says


def test_every_setting_defaults_to_off_or_unset() -> None:
    """Flags are off, paths unset and the family 'none' unless a source sets them."""
    assert {s.name: s.default for s in SETTINGS} == {
        "adr_dir": None,
        "report": None,
        "strict": False,
        "require_gpu": False,
        "family": None,
        # the evaluation cache (defaults applied where it is used: mode write, 7 days)
        "cache": None,
        "cache_dir": None,
        "cache_max_age": None,
        # the base-branch comparison (no base report unless given; 30 days where it is used)
        "base_report": None,
        "base_max_age": None,
    }
    assert resolve_one("strict", environ={}) == ("strict", False, "default")
    assert resolve_one("report", environ={}) == ("report", None, "default")
    settings = resolve(environ={})
    assert settings[:4] == (None, None, False, False)
    assert settings.family == "none"
    assert dict(settings.sources) == dict.fromkeys(BY_NAME, "default")


def test_the_help_of_each_setting_names_its_variable_and_ini_key() -> None:
    """``pytest --help`` and ``archgate --help`` print these lines."""
    assert help_text("strict") == (
        "fail the run when an accepted ADR has unmeasured criteria or violated constraints; "
        "env ARCHGATE_STRICT, ini archgate_strict"
    )
    assert help_text("require_gpu") == (
        "fail, instead of skip, @pytest.mark.gpu tests when no CUDA device is usable; "
        "env ARCHGATE_REQUIRE_GPU, ini archgate_require_gpu"
    )
    assert help_text("adr_dir") == (
        "folder holding the ADRs, relative to the rootdir (default: adr, else the first existing "
        "of docs/adr, doc/adr, docs/decisions); env ARCHGATE_ADR_DIR, ini archgate_adr_dir"
    )
    assert help_text("report") == (
        "write the archgate JSON report to this path (relative to the folder pytest was started "
        "in); env ARCHGATE_REPORT, ini archgate_report"
    )
    assert help_text("family") == (
        "none or holm: holm judges each ADR's confidence criteria with Holm's step-down, so "
        "every criterion reported as met holds simultaneously at the family's level (an ADR's "
        "own 'family: holm' applies either way); env ARCHGATE_FAMILY, ini archgate_family"
    )
    assert help_text("cache") == (
        "evaluation cache of archgate.cache() blocks: write (default: read and write), read "
        "(never write), refresh (never read, rewrite) or off; env ARCHGATE_CACHE, ini "
        "archgate_cache"
    )
    assert help_text("base_max_age") == (
        "a base report older than this (e.g. 30d, 36h, 90m; default 30d) is stale: vs '@base' "
        "criteria are then unmeasured; env ARCHGATE_BASE_MAX_AGE, ini archgate_base_max_age"
    )
    assert [s.kind for s in SETTINGS] == ["text", "text", "bool", "bool"] + ["text"] * 6
    assert [s.choices for s in SETTINGS] == [
        (),
        (),
        (),
        (),
        ("none", "holm"),
        ("off", "read", "write", "refresh"),
        (),
        (),
        (),
        (),
    ]


# ---------------------------------------------------------------------------------------------
# values and their errors


def test_a_setting_error_carries_its_source_and_message_apart() -> None:
    with pytest.raises(SettingError) as info:
        parse_bool("maybe", source="ini key archgate_strict")
    assert info.value.source == "ini key archgate_strict"
    assert info.value.message == (
        "'maybe' is neither true nor false; use one of 1, true, yes, on or 0, false, no, off"
    )
    assert isinstance(info.value, ValueError)


def test_a_long_bad_flag_value_is_cut_at_40_characters() -> None:
    with pytest.raises(SettingError) as info:
        parse_bool("y" * 41, source="x")
    assert info.value.message.startswith(repr("y" * 40 + "...") + " is neither")
    with pytest.raises(SettingError) as info:
        parse_bool("y" * 40, source="x")
    assert info.value.message.startswith(repr("y" * 40) + " is neither")


def test_a_flag_from_the_command_line_or_ini_may_be_a_bool_or_a_word() -> None:
    assert resolve_one("strict", cli={"strict": False}, environ={"ARCHGATE_STRICT": "1"}) == (
        "strict",
        False,
        "command line",
    )
    assert resolve_one("strict", ini={"strict": True}, environ={}).value is True
    assert resolve_one("strict", ini={"strict": ""}, environ={}).source == "default"
    with pytest.raises(SettingError) as info:
        resolve_one("strict", cli={"strict": "perhaps"}, environ={})
    assert info.value.source == "--archgate-strict"


def test_a_text_setting_keeps_its_case_and_loses_surrounding_blanks() -> None:
    r = resolve_one("adr_dir", environ={"ARCHGATE_ADR_DIR": "  Docs/ADR  "})
    assert r == ("adr_dir", "Docs/ADR", "ARCHGATE_ADR_DIR")
    r = resolve_one("report", ini={"report": "Out.json"}, environ={})
    assert r == ("report", "Out.json", "ini key archgate_report")
    assert resolve_one("family", cli={"family": " Holm "}, environ={}).value == "holm"


def test_a_path_given_for_a_text_setting_is_taken_as_its_text() -> None:
    """A Python caller may pass a ``Path``; the resolved value is its text, never dropped."""
    r = resolve_one("adr_dir", cli={"adr_dir": Path("docs") / "adr"}, environ={})
    assert r == ("adr_dir", str(Path("docs") / "adr"), "command line")


def test_a_long_family_word_is_cut_at_40_characters_and_names_its_source() -> None:
    with pytest.raises(SettingError) as info:
        resolve_one("family", ini={"family": "b" * 41}, environ={})
    assert str(info.value) == (
        f"ini key archgate_family: {'b' * 40 + '...'!r} is not one of none, holm"
    )
    with pytest.raises(SettingError) as info:
        resolve_one("family", cli={"family": "b" * 40}, environ={})
    assert str(info.value) == f"--archgate-family: {'b' * 40!r} is not one of none, holm"


def test_resolve_takes_only_true_as_on_and_only_holm_as_holm() -> None:
    s = resolve(cli={"strict": True, "family": "holm"}, environ={"ARCHGATE_REQUIRE_GPU": "no"})
    assert (s.strict, s.require_gpu, s.family) == (True, False, "holm")
    assert s.sources["family"] == "command line"
    assert s.sources["require_gpu"] == "ARCHGATE_REQUIRE_GPU"


def test_a_family_word_outside_its_choices_is_refused_naming_the_variable() -> None:
    """``ARCHGATE_FAMILY=bonferroni`` is an error naming the variable and the choices."""
    with pytest.raises(SettingError) as info:
        resolve_one("family", environ={"ARCHGATE_FAMILY": "bonferroni"})
    assert str(info.value) == "ARCHGATE_FAMILY: 'bonferroni' is not one of none, holm"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("7d", 7 * 86400.0),
        ("12h", 12 * 3600.0),
        ("30m", 1800.0),
        ("90s", 90.0),
        ("2", 2 * 86400.0),
        (" 1.5 H ", 5400.0),
        ("0.5d", 43200.0),
    ],
)
def test_an_age_is_a_number_of_seconds_minutes_hours_or_days(text: str, seconds: float) -> None:
    """``7d``, ``12h``, ``30m``, ``90s``; a plain number is days; case and blanks do not matter."""
    assert parse_age(text) == pytest.approx(seconds)


def test_a_bad_age_is_one_line_naming_its_source_cut_at_40_characters() -> None:
    with pytest.raises(SettingError) as info:
        parse_age("7w")
    assert (
        str(info.value)
        == "age: '7w' is not an age; write a number with s, m, h or d (e.g. 7d, 12h)"
    )
    assert info.value.source == "age"
    with pytest.raises(SettingError) as info:
        parse_age("x" * 41, source="ARCHGATE_CACHE_MAX_AGE")
    assert info.value.message.startswith(repr("x" * 40 + "...") + " is not an age;")
    assert info.value.source == "ARCHGATE_CACHE_MAX_AGE"
    with pytest.raises(SettingError) as info:
        parse_age("x" * 40)
    assert info.value.message.startswith(repr("x" * 40) + " is not an age;")


def test_a_bad_cache_age_is_refused_by_resolve_naming_where_it_came_from() -> None:
    """A bad ``cache_max_age`` is refused when the settings are resolved, like a bad flag,
    naming the option, the variable or the ini key that gave it."""
    message = "'soon' is not an age; write a number with s, m, h or d (e.g. 7d, 12h)"
    for kwargs, source in (
        ({"cli": {"cache_max_age": "soon"}}, "--archgate-cache-max-age"),
        ({"environ": {"ARCHGATE_CACHE_MAX_AGE": "soon"}}, "ARCHGATE_CACHE_MAX_AGE"),
        ({"ini": {"cache_max_age": "soon"}}, "ini key archgate_cache_max_age"),
    ):
        with pytest.raises(SettingError) as info:
            resolve(**{"environ": {}, **kwargs})  # type: ignore[arg-type]
        assert (info.value.source, info.value.message) == (source, message)
    assert resolve(cli={"cache_max_age": "12h"}, environ={}).cache_max_age == "12h"


def test_resolve_gives_the_cache_and_base_report_settings() -> None:
    """The evaluation cache mode (default write), its folder and age, the base report and its
    age resolve like every other setting; unset paths and ages are None."""
    s = resolve(environ={})
    assert (s.cache, s.cache_dir, s.cache_max_age, s.base_report, s.base_max_age) == (
        "write",
        None,
        None,
        None,
        None,
    )
    s = resolve(
        cli={"cache": "Read", "cache_dir": "ev"},
        ini={"cache_max_age": "3d", "base_max_age": "36h"},
        environ={"ARCHGATE_BASE_REPORT": "base.json"},
    )
    assert (s.cache, s.cache_dir, s.cache_max_age, s.base_report, s.base_max_age) == (
        "read",
        "ev",
        "3d",
        "base.json",
        "36h",
    )
    assert s.sources["base_report"] == "ARCHGATE_BASE_REPORT"
    assert resolve(environ={"ARCHGATE_CACHE": "off"}).cache == "off"


# ---------------------------------------------------------------------------------------------
# the ini file the CLI reads, found the way pytest finds it


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


CONFIGS = [
    ("pytest.toml", "[pytest]\narchgate_report = 'a.json'\n"),
    (".pytest.toml", "[pytest]\narchgate_report = 'b.json'\n"),
    ("pytest.ini", "[pytest]\narchgate_report = c.json\n"),
    (".pytest.ini", "[pytest]\narchgate_report = d.json\n"),
    ("pyproject.toml", "[tool.pytest.ini_options]\narchgate_report = 'e.json'\n"),
    ("tox.ini", "[pytest]\narchgate_report = f.json\n"),
    ("setup.cfg", "[tool:pytest]\narchgate_report = g.json\n"),
]


@pytest.mark.parametrize("first", range(len(CONFIGS)))
def test_the_first_configuration_file_in_pytest_s_order_wins(tmp_path: Path, first: int) -> None:
    """pytest.toml, .pytest.toml, pytest.ini, .pytest.ini, pyproject.toml, tox.ini, setup.cfg:
    with this file and every later one present, this one is read."""
    for name, text in CONFIGS[first:]:
        _write(tmp_path, name, text)
    root, values = read_ini(tmp_path)
    assert root == tmp_path.resolve()
    assert values == {"archgate_report": "abcdefg"[first] + ".json"}


def test_the_configuration_is_found_in_a_folder_above(tmp_path: Path) -> None:
    _write(tmp_path, "tox.ini", "[pytest]\narchgate_strict = yes\n")
    deep = tmp_path / "src" / "pkg"
    deep.mkdir(parents=True)
    assert read_ini(deep) == (tmp_path.resolve(), {"archgate_strict": "yes"})
    resolved, root = resolve_in_project("strict", cwd=deep, environ={})
    assert (resolved.value, resolved.source, root) == (
        True,
        "ini key archgate_strict",
        tmp_path.resolve(),
    )


def test_no_configuration_is_the_start_folder_and_no_values(tmp_path: Path) -> None:
    deep = tmp_path / "a"
    deep.mkdir()
    root, values = read_ini(deep)
    assert values == {} or root != deep.resolve()  # a configuration above tmp_path is possible
    _write(deep, "setup.cfg", "[metadata]\nname = x\n")
    _write(deep, "tox.ini", "[tox]\nenvlist = py\n")
    _write(deep, "pyproject.toml", "[project]\nname = 'x'\n")
    _write(deep, "pytest.ini", "")
    assert read_ini(deep) == (deep.resolve(), {})


def test_files_without_a_pytest_section_are_passed_over(tmp_path: Path) -> None:
    """A pyproject.toml without [tool.pytest], a tox.ini without [pytest] and a setup.cfg
    without [tool:pytest] are not pytest's configuration: the search goes on."""
    _write(tmp_path, "setup.cfg", "[tool:pytest]\narchgate_family = holm\n")
    _write(tmp_path, "tox.ini", "[tox]\nenvlist = py\n")
    _write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n[tool.ruff]\nline-length = 99\n")
    assert read_ini(tmp_path) == (tmp_path.resolve(), {"archgate_family": "holm"})
    inner = tmp_path / "inner"
    _write(inner, "setup.cfg", "[metadata]\nname = x\n")
    assert read_ini(inner) == (tmp_path.resolve(), {"archgate_family": "holm"})


def test_pyproject_tool_pytest_with_toml_types(tmp_path: Path) -> None:
    """pytest 9's [tool.pytest] table: values are TOML types, read as text; tables are not
    settings."""
    _write(
        tmp_path,
        "pyproject.toml",
        "[tool.pytest]\narchgate_strict = true\nminversion = 9\n[tool.pytest.sub]\nx = 1\n",
    )
    assert read_ini(tmp_path) == (
        tmp_path.resolve(),
        {"archgate_strict": "True", "minversion": "9"},
    )
    assert resolve_in_project("strict", cwd=tmp_path, environ={})[0].value is True


def test_pytest_toml_values_are_read_as_text(tmp_path: Path) -> None:
    _write(tmp_path, "pytest.toml", "[pytest]\narchgate_strict = false\nmarkers = ['a']\n")
    assert read_ini(tmp_path)[1] == {"archgate_strict": "False", "markers": "['a']"}
    _write(tmp_path, "pytest.toml", "[tool]\nx = 1\n")
    assert read_ini(tmp_path) == (tmp_path.resolve(), {})


def test_an_ini_value_with_a_percent_sign_is_read_as_written(tmp_path: Path) -> None:
    """pytest reads ini values without interpolation: ``100%`` is not an error."""
    _write(tmp_path, "pytest.ini", "[pytest]\narchgate_report = out/100%.json\n")
    assert read_ini(tmp_path)[1] == {"archgate_report": "out/100%.json"}


def test_an_ini_file_in_utf8_is_read_as_utf8(tmp_path: Path) -> None:
    _write(tmp_path, "tox.ini", "[pytest]\narchgate_adr_dir = décisions\n")
    assert read_ini(tmp_path)[1] == {"archgate_adr_dir": "décisions"}


def test_a_broken_configuration_file_gives_no_values_not_a_traceback(tmp_path: Path) -> None:
    _write(tmp_path, "pytest.ini", "archgate_strict = true\n[pytest\n")
    assert read_ini(tmp_path) == (tmp_path.resolve(), {})
    other = tmp_path / "toml"
    _write(other, "pyproject.toml", "[tool.pytest.ini_options\narchgate_strict = true\n")
    _write(other, "setup.cfg", "[tool:pytest]\narchgate_strict = yes\n")
    # a pyproject.toml pytest cannot read holds no pytest table: the next file is read
    assert read_ini(other) == (other.resolve(), {"archgate_strict": "yes"})
    bad = tmp_path / "bad"
    _write(bad, "pytest.toml", "[pytest]\nx = 'unterminated\n")
    assert read_ini(bad) == (bad.resolve(), {})
    _write(bad, "pytest.toml", "")
    (bad / "pytest.toml").write_bytes(b"[pytest]\nx = '\xff'\n")
    assert read_ini(bad) == (bad.resolve(), {})


def test_resolve_in_project_takes_the_cli_value_before_env_and_ini(tmp_path: Path) -> None:
    _write(tmp_path, "pytest.ini", "[pytest]\narchgate_adr_dir = from-ini\n")
    r, root = resolve_in_project("adr_dir", "from-cli", tmp_path, {"ARCHGATE_ADR_DIR": "env"})
    assert (r.value, r.source, root) == ("from-cli", "command line", tmp_path.resolve())
    r, _ = resolve_in_project("adr_dir", None, tmp_path, {"ARCHGATE_ADR_DIR": "env"})
    assert (r.value, r.source) == ("env", "ARCHGATE_ADR_DIR")
    r, _ = resolve_in_project("adr_dir", None, tmp_path, {})
    assert (r.value, r.source) == ("from-ini", "ini key archgate_adr_dir")
    _write(tmp_path, "pytest.ini", "[pytest]\narchgate_family = bonferroni\n")
    with pytest.raises(SettingError, match="ini key archgate_family"):
        resolve_in_project("family", None, tmp_path, {})


@pytest.mark.skipif(sys.platform == "win32", reason="LC_ALL=C sets the locale on POSIX only")
def test_configuration_files_are_read_as_utf8_under_any_locale(tmp_path: Path) -> None:
    """pytest reads its configuration as UTF-8; so does the CLI, also under an ASCII locale
    (``LC_ALL=C`` without UTF-8 mode), where the locale's encoding would refuse the bytes."""
    _write(tmp_path / "ini", "pytest.ini", "[pytest]\narchgate_adr_dir = décisions\n")
    _write(tmp_path / "toml", "pytest.toml", "[pytest]\narchgate_adr_dir = 'décisions'\n")
    root = Path(pytest_archgate.__file__).resolve().parent.parent  # the package under test
    env = {
        **os.environ,
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONPATH": str(root),
    }
    code = (
        "import sys; from pathlib import Path; from pytest_archgate.settings import read_ini; "
        "print(ascii(read_ini(Path(sys.argv[1]))[1]))"
    )
    for sub in ("ini", "toml"):
        assert read_ini(tmp_path / sub)[1] == {"archgate_adr_dir": "décisions"}
        out = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / sub)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert out.stdout.strip() == ascii({"archgate_adr_dir": "décisions"}), out.stderr


def test_a_configuration_file_that_is_not_utf8_is_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_bytes(b"[pytest]\narchgate_adr_dir = d\xe9cisions\n")
    with pytest.raises(SettingError, match=r"pytest\.ini: is not UTF-8 text: save it as UTF-8$"):
        read_ini(tmp_path)  # one line naming the file
