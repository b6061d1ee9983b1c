"""Hostile class 2: every setting resolves one way, in the plugin and in the CLI.

The rule (``pytest_archgate/settings.py``): command line > ``ARCHGATE_*`` environment > ini key
> default. An explicit false in the environment turns off a true in the ini; a value that is
neither true nor false is a usage error naming the variable; an empty variable is unset.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import AdrProject, no_traceback, write_standard_adrs

from pytest_archgate.cli.main import main
from pytest_archgate.settings import SettingError, parse_bool, resolve, resolve_one

FAST = ("-p", "no:benchmark", "-p", "no:pytest_httpserver", "-p", "no:hypothesispytest")
FAST += ("-p", "no:cacheprovider")
USAGE_ERROR = pytest.ExitCode.USAGE_ERROR

# meets every criterion that is measured; ADR-0005 stays unmeasured: fails only when strict
MEASURED = """
    import pytest

    @pytest.mark.archgate("ADR-0002")
    def test_xgboost(archgate):
        archgate.record("roc_auc", 0.95)
        archgate.record("latency_p95_ms", 20.0)
        archgate.record("positive_rate", 0.1)

    @pytest.mark.archgate("ADR-0002", option="logreg")
    def test_logreg(archgate):
        archgate.record("roc_auc", 0.91)
"""
STRICT_LINE = "FAILED (--archgate-strict) unmeasured: ADR-0005 freshness_s*"
ALL_ENV = ("ARCHGATE_ADR_DIR", "ARCHGATE_REPORT", "ARCHGATE_STRICT", "ARCHGATE_REQUIRE_GPU")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)


def run(project: AdrProject, *args: str, xdist: Sequence[str] = ()) -> pytest.RunResult:
    if xdist:
        return project.pytester.runpytest_subprocess(*FAST, *xdist, *args)
    return project.pytester.runpytest(*FAST, "-W", "always", *args)


# ---------------------------------------------------------------------------------------------
# the resolver itself


@pytest.mark.parametrize(
    ("cli", "env", "ini", "expected", "source"),
    [
        (None, None, None, False, "default"),
        (None, None, True, True, "ini key archgate_strict"),
        (None, None, "false", False, "ini key archgate_strict"),
        (None, "0", True, False, "ARCHGATE_STRICT"),
        (None, "off", "true", False, "ARCHGATE_STRICT"),
        (None, " No ", True, False, "ARCHGATE_STRICT"),
        (None, "1", False, True, "ARCHGATE_STRICT"),
        (None, "", True, True, "ini key archgate_strict"),  # empty: unset
        (True, "0", False, True, "command line"),
    ],
)
def test_precedence_of_a_flag(
    cli: bool | None, env: str | None, ini: object, expected: bool, source: str
) -> None:
    environ = {} if env is None else {"ARCHGATE_STRICT": env}
    got = resolve_one("strict", {"strict": cli}, {"strict": ini}, environ)
    assert (got.value, got.source) == (expected, source)


def test_precedence_of_a_path() -> None:
    environ = {"ARCHGATE_ADR_DIR": "from-env", "ARCHGATE_REPORT": "env.json"}
    got = resolve({"adr_dir": "from-cli"}, {"adr_dir": "from-ini", "report": "ini.json"}, environ)
    assert (got.adr_dir, got.report) == ("from-cli", "env.json")
    assert got.sources["adr_dir"] == "command line"
    assert got.sources["report"] == "ARCHGATE_REPORT"
    assert resolve({}, {"adr_dir": "from-ini"}, {}).adr_dir == "from-ini"


@pytest.mark.parametrize("value", ["maybe", "2", "yes please", "ja", "\x1b[31m"])
def test_unrecognised_boolean_names_its_source(value: str) -> None:
    with pytest.raises(SettingError) as info:
        resolve({}, {}, {"ARCHGATE_REQUIRE_GPU": value})
    assert str(info.value).startswith("ARCHGATE_REQUIRE_GPU: ")
    assert "neither true nor false" in str(info.value)
    with pytest.raises(SettingError, match=r"^ini key archgate_strict: "):
        resolve_one("strict", ini={"strict": value}, environ={})


def test_parse_bool_words() -> None:
    for word in ("1", "true", "TRUE", "yes", "on", "y", "t", True):
        assert parse_bool(word, source="x") is True
    for word in ("0", "false", "False", "no", "off", "n", "f", False):
        assert parse_bool(word, source="x") is False


def test_settings_module_does_not_import_pytest() -> None:
    """The CLI will start without pytest: the resolver must not need it (and stays cheap)."""
    path = Path(__file__).resolve().parents[2] / "pytest_archgate" / "settings.py"
    code = textwrap.dedent(
        f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("archgate_settings", {str(path)!r})
        module = importlib.util.module_from_spec(spec)
        sys.modules["archgate_settings"] = module
        spec.loader.exec_module(module)
        print(module.resolve({{}}, {{}}, {{"ARCHGATE_STRICT": "no"}}).strict)
        heavy = sorted(m for m in ("pytest", "_pytest", "yaml", "numpy") if m in sys.modules)
        print(heavy)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split("\n")[:2] == ["False", "[]"]


# ---------------------------------------------------------------------------------------------
# the plugin


@pytest.mark.parametrize("word", ["0", "false", "no", "off", "FALSE", " Off "])
def test_env_false_overrides_ini_true(
    adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    adr_project.pytester.makeini("[pytest]\narchgate_strict = true\n")
    adr_project.tests(MEASURED)
    strict = run(adr_project)
    assert strict.ret == 1
    strict.stdout.fnmatch_lines([STRICT_LINE])
    monkeypatch.setenv("ARCHGATE_STRICT", word)
    relaxed = run(adr_project, "--archgate-report=report.json")
    relaxed.assert_outcomes(passed=2)
    assert relaxed.ret == 0, relaxed.stdout.str()
    assert "FAILED (--archgate-strict)" not in relaxed.stdout.str()
    assert adr_project.report()["strict"] is False


@pytest.mark.parametrize(
    "xdist", [pytest.param((), id="serial"), pytest.param(("-n", "2"), id="n2")]
)
def test_env_false_overrides_ini_true_under_xdist(
    adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch, xdist: tuple[str, ...]
) -> None:
    adr_project.pytester.makeini("[pytest]\narchgate_strict = true\n")
    adr_project.tests(MEASURED)
    monkeypatch.setenv("ARCHGATE_STRICT", "0")
    result = run(adr_project, xdist=xdist)
    result.assert_outcomes(passed=2)
    assert result.ret == 0


def test_command_line_beats_env_false(
    adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    adr_project.tests(MEASURED)
    monkeypatch.setenv("ARCHGATE_STRICT", "0")
    result = run(adr_project, "--archgate-strict")
    assert result.ret == 1
    result.stdout.fnmatch_lines([STRICT_LINE])


def test_env_true_without_ini(adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch) -> None:
    adr_project.tests(MEASURED)
    monkeypatch.setenv("ARCHGATE_STRICT", "yes")
    result = run(adr_project)
    assert result.ret == 1
    result.stdout.fnmatch_lines([STRICT_LINE])


def test_empty_env_is_unset(adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch) -> None:
    adr_project.pytester.makeini("[pytest]\narchgate_strict = true\n")
    adr_project.tests(MEASURED)
    monkeypatch.setenv("ARCHGATE_STRICT", "")
    assert run(adr_project).ret == 1


@pytest.mark.parametrize("name", ["ARCHGATE_STRICT", "ARCHGATE_REQUIRE_GPU"])
@pytest.mark.parametrize(
    "xdist", [pytest.param((), id="serial"), pytest.param(("-n", "2"), id="n2")]
)
def test_unrecognised_env_value_is_a_usage_error(
    adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch, name: str, xdist: tuple[str, ...]
) -> None:
    adr_project.tests(MEASURED)
    monkeypatch.setenv(name, "maybe")
    result = run(adr_project, xdist=xdist)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: archgate: {name}: 'maybe' is neither true nor false; use one of 1, true*"]
    )
    assert no_traceback(result.stdout.str() + result.stderr.str())


def test_unrecognised_ini_value_is_a_usage_error(adr_project: AdrProject) -> None:
    adr_project.pytester.makeini("[pytest]\narchgate_require_gpu = maybe\n")
    adr_project.tests(MEASURED)
    result = run(adr_project)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: archgate: ini key archgate_require_gpu: *maybe*"])
    assert no_traceback(result.stdout.str() + result.stderr.str())


GPU_TEST = """
    import pytest

    @pytest.mark.gpu
    def test_on_gpu():
        pass
"""


@pytest.mark.parametrize(
    ("ini", "env", "args", "failed"),
    [
        ("archgate_require_gpu = true", None, (), True),
        ("archgate_require_gpu = true", "0", (), False),
        ("", "1", (), True),
        ("", "off", ("--archgate-require-gpu",), True),
        ("", None, (), False),
    ],
)
def test_require_gpu_has_all_three_sources(
    adr_project: AdrProject,
    monkeypatch: pytest.MonkeyPatch,
    ini: str,
    env: str | None,
    args: tuple[str, ...],
    failed: bool,
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # no usable device, whatever the machine
    if env is not None:
        monkeypatch.setenv("ARCHGATE_REQUIRE_GPU", env)
    adr_project.pytester.makeini(f"[pytest]\n{ini}\n")
    adr_project.tests(GPU_TEST)
    result = adr_project.pytester.runpytest_subprocess(*FAST, *args)
    if failed:
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines(["*--archgate-require-gpu: CUDA_VISIBLE_DEVICES hides*"])
        assert result.ret == 1
    else:
        result.assert_outcomes(skipped=1)
        assert result.ret == 0


def test_adr_dir_and_report_precedence(
    make_adr_project: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: AdrProject = make_adr_project(  # type: ignore[operator]
        "from-ini", ini="[pytest]\narchgate_adr_dir = from-ini\narchgate_report = ini.json\n"
    )
    write_standard_adrs(project.path / "from-env")
    write_standard_adrs(project.path / "from-cli")
    project.tests("def test_plain():\n    pass\n")
    run(project).assert_outcomes(passed=1)
    assert json.loads((project.path / "ini.json").read_text())["adr_dir"].endswith("from-ini")
    monkeypatch.setenv("ARCHGATE_ADR_DIR", "from-env")
    monkeypatch.setenv("ARCHGATE_REPORT", "env.json")
    run(project).assert_outcomes(passed=1)
    assert json.loads((project.path / "env.json").read_text())["adr_dir"].endswith("from-env")
    run(project, "--archgate-adr-dir=from-cli", "--archgate-report=cli.json")
    assert json.loads((project.path / "cli.json").read_text())["adr_dir"].endswith("from-cli")


def test_missing_adr_dir_names_the_variable(
    adr_project: AdrProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHGATE_ADR_DIR", "nowhere")
    adr_project.tests("def test_plain():\n    pass\n")
    result = run(adr_project)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: archgate: ADR folder */nowhere does not exist (set by ARCHGATE_ADR_DIR)"]
    )


# ---------------------------------------------------------------------------------------------
# the CLI resolves the ADR folder exactly like pytest


@pytest.fixture
def cli_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\narchgate_adr_dir = from-ini\n")
    write_standard_adrs(tmp_path / "from-ini")
    (tmp_path / "from-env").mkdir()
    (tmp_path / "from-env" / "0001-only-in-env.md").write_text(
        "---\nstatus: accepted\n---\n# Only in the env folder\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _list(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["list", "--format", "json", *args])
    out = capsys.readouterr().out
    return code, [a["file"] for a in json.loads(out)] if code == 0 else []


def test_cli_honours_archgate_adr_dir(
    cli_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, files = _list(capsys)
    assert code == 0
    assert files[0] == "from-ini/0001-record-architecture-decisions.md"
    monkeypatch.setenv("ARCHGATE_ADR_DIR", "from-env")
    assert _list(capsys) == (0, ["from-env/0001-only-in-env.md"])
    # the command line wins over the environment
    code, files = _list(capsys, "--adr-dir", "from-ini")
    assert (code, len(files)) == (0, 5)
    assert main(["lint"]) == 0
    assert "1 ADRs in " in capsys.readouterr().out


def test_cli_env_relative_to_project_root_like_pytest(
    cli_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sub = cli_project / "src" / "pkg"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    monkeypatch.setenv("ARCHGATE_ADR_DIR", "from-env")
    code, files = _list(capsys)
    assert code == 0
    assert [Path(f).name for f in files] == ["0001-only-in-env.md"]
    from pytest_archgate.adr.config import resolve_adr_dir

    folder, root = resolve_adr_dir(None)
    assert folder == cli_project.resolve() / "from-env"
    assert root == cli_project.resolve()


def test_cli_new_writes_into_the_env_folder(
    cli_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARCHGATE_ADR_DIR", "from-env")
    assert main(["new", "Cache with Redis", "--template", "blank"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in (cli_project / "from-env").iterdir()) == [
        "0001-only-in-env.md",
        "0002-cache-with-redis.md",
    ]
    assert not (cli_project / "from-ini" / "0006-cache-with-redis.md").exists()


def test_cli_missing_env_folder_is_one_line(
    cli_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARCHGATE_ADR_DIR", "gone")
    assert main(["lint"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"ADR folder {cli_project.resolve() / 'gone'} does not exist" in err


def test_pytest_and_cli_agree(
    make_adr_project: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project: AdrProject = make_adr_project(  # type: ignore[operator]
        "decisions", ini="[pytest]\narchgate_adr_dir = adr\n"
    )
    project.tests("def test_plain():\n    pass\n")
    monkeypatch.setenv("ARCHGATE_ADR_DIR", "decisions")
    run(project, "--archgate-report=report.json").assert_outcomes(passed=1)
    from pytest_archgate.adr.config import resolve_adr_dir

    folder, _root = resolve_adr_dir(None, project.path)
    assert project.report()["adr_dir"] == str(folder)
