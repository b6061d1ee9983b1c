"""What loads when: the plugin costs nothing when unused, the CLI starts without pytest.

ADR-0014 (``adr/0014-lazy-plugin-and-cli-imports.md``) records the design; these tests check
it in fresh interpreters, since a module imported once by the test process stays imported.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_archgate import errors
from pytest_archgate.cli import main as cli

# what a bare pytest run must not load: the ADR machinery, PyYAML, the judging and report code
ADR_MACHINERY = (
    "yaml",
    "numpy",
    "pytest_archgate.adr.parse",
    "pytest_archgate.adr.log",
    "pytest_archgate.adr.safe_yaml",
    "pytest_archgate.adr.criteria",
    "pytest_archgate.measure.estimate",
    "pytest_archgate.plugin.session",
    "pytest_archgate.plugin.fixture",
    "pytest_archgate.verdict.judge",
    "pytest_archgate.report.build",
    "pytest_archgate.github.actions",
)

ADR = """---
status: accepted
date: 2026-12-01
archgate:
  decision: a
  options: [a, b]
  acceptance:
    score: ">= 0.5"
---
# A decision
"""


def _loaded(code: str, cwd: Path, names: tuple[str, ...]) -> list[str]:
    """Run ``code`` in a fresh interpreter in ``cwd``; which of ``names`` it imported."""
    probe = "\n".join(
        [
            "import json, sys",
            textwrap.dedent(code),
            f"print(json.dumps(sorted(m for m in {names!r} if m in sys.modules)))",
        ]
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def _bare_project(root: Path) -> Path:
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_three.py").write_text(
        "def test_a():\n    pass\n\n\ndef test_b():\n    pass\n\n\ndef test_c():\n    pass\n"
    )
    return root


PYTEST_MAIN = (
    "import pytest\n"
    "rc = pytest.main(['-q', '-p', 'no:cacheprovider', '-p', 'no:randomly'{extra}])\n"
    "assert rc == {rc}, rc\n"
)


@pytest.mark.archgate("ADR-0014")
def test_bare_run_loads_no_adr_machinery(archgate, tmp_path: Path) -> None:
    """A project without ADRs and without a test that uses archgate loads only the cheap
    entry point: no parser, no PyYAML, no session, no numpy."""
    root = _bare_project(tmp_path)
    loaded = _loaded(PYTEST_MAIN.format(extra="", rc=0), root, ADR_MACHINERY)
    archgate.record("heavy_modules_on_bare_run", len(loaded))
    assert loaded == []


def test_the_plugin_is_loaded_in_a_bare_run(tmp_path: Path) -> None:
    """The probe above is not vacuous: the entry point itself is imported."""
    root = _bare_project(tmp_path)
    names = ("pytest_archgate.plugin.hooks",)
    assert _loaded(PYTEST_MAIN.format(extra="", rc=0), root, names) == list(names)


@pytest.mark.parametrize(
    ("test_body", "rc"),
    [
        ('@pytest.mark.archgate("ADR-0001")\ndef test_x():\n    pass\n', 4),
        ("def test_x(archgate):\n    pass\n", 0),
        ("@pytest.mark.gpu\ndef test_x():\n    pass\n", 0),
    ],
    ids=["marker", "fixture", "gpu-marker"],
)
def test_a_test_that_uses_archgate_loads_it(tmp_path: Path, test_body: str, rc: int) -> None:
    """Without an ADR folder the session starts at collection once a test uses archgate (the
    marker then names an ADR that does not exist: a usage error, exit 4, as without laziness)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_one.py").write_text("import pytest\n\n" + test_body)
    names = ("pytest_archgate.plugin.session",)
    assert _loaded(PYTEST_MAIN.format(extra="", rc=rc), tmp_path, names) == list(names)


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_unknown_adr_without_folder_is_the_same_clear_error(
    pytester: pytest.Pytester, xdist: tuple[str, ...]
) -> None:
    """No ADR folder: the marker's unknown id is named, with where to point archgate."""
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.archgate("ADR-0042")
        def test_linked():
            pass

        def test_plain():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", *xdist)
    assert result.ret != 0
    out = result.stdout.str() + result.stderr.str()
    assert "no ADR 'ADR-0042': no ADR folder was found" in out
    assert "Traceback" not in out


def test_xdist_controller_learns_of_archgate_from_the_workers(pytester: pytest.Pytester) -> None:
    """The controller collects nothing; it starts the session from a worker's report and
    judges the gate, so an error of a linked test shows in its archgate section."""
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.archgate("ADR-0042")
        def test_linked():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-n", "2")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*= archgate =*", "ERROR *no ADR 'ADR-0042'*"])


def test_archgate_error_of_an_unlinked_test_is_one_line(pytester: pytest.Pytester) -> None:
    """A library call that raises an archgate error in a run without ADRs: one line, as ever."""
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(
        """
        from pytest_archgate.errors import MeasurementError

        def test_library_call():
            raise MeasurementError("no classes to judge", field="roc_auc")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*archgate: roc_auc: no classes to judge*"])
    assert "raise MeasurementError" not in result.stdout.str()


# --------------------------------------------------------------------------------------------
# the command line

# `archgate list` writes its table through the report view's one text-table writer, which
# imports the report builder and the comparison with it today; the renderers, the GitHub client
# and the other commands stay out
CLI_HEAVY = (
    "pytest",
    "_pytest",
    "numpy",
    "pytest_archgate.report.html",
    "pytest_archgate.report.md_package",
    "pytest_archgate.report.summary",
    "pytest_archgate.github.api",
    "pytest_archgate.github.actions",
    "pytest_archgate.authoring.accept",
    "pytest_archgate.authoring.diff",
    "pytest_archgate.cli.comment",
    "pytest_archgate.cli.authoring",
    "pytest_archgate.cli.report",
)


def test_cli_module_imports_no_pytest(tmp_path: Path) -> None:
    code = "import pytest_archgate.cli.main; import sys; print('pytest' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "False"


def test_errors_import_no_pytest(tmp_path: Path) -> None:
    assert _loaded("import pytest_archgate.errors", tmp_path, ("pytest", "_pytest")) == []


@pytest.mark.parametrize("command", [["list"], ["lint"], ["--help"], ["list", "--help"]])
def test_cli_commands_load_only_what_they_use(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "adr").mkdir()
    (tmp_path / "adr" / "0001-a.md").write_text(ADR)
    code = (
        "import contextlib, io\n"
        "from pytest_archgate.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        rc = main({command!r})\n"
        "    except SystemExit as exc:\n"
        "        rc = exc.code\n"
        "assert rc == 0, rc\n"
    )
    assert _loaded(code, tmp_path, CLI_HEAVY) == []


def _command_helps(parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return [(a.dest, a.help or "") for a in action._choices_actions]
    raise AssertionError("no sub-commands")


def test_lazy_command_list_matches_the_registered_commands() -> None:
    """``archgate --help`` lists from a table; it must say what the modules register."""
    full = _command_helps(cli.build_parser())
    lazy = _command_helps(cli.build_parser(["--help"]))
    assert lazy == full
    for group in cli.GROUPS:
        for name, _help in group.commands:
            # naming one command registers its module in full, the others stay stand-ins
            parser = cli.build_parser([name])
            assert _command_helps(parser) == full


def test_each_command_parses_its_own_arguments() -> None:
    args = cli.build_parser(["diff", "--base", "main"]).parse_args(["diff", "--base", "main"])
    assert (args.command, args.base) == ("diff", "main")


# --------------------------------------------------------------------------------------------
# warnings


def test_library_warnings_are_user_warnings_and_the_plugin_emits_pytest_warnings() -> None:
    """errors.py imports no pytest; what the plugin emits is both an archgate warning and a
    ``pytest.PytestWarning`` (``-W ignore::pytest.PytestWarning`` is a filter users write)."""
    from pytest_archgate.plugin import session

    assert issubclass(errors.ArchgateWarning, UserWarning)
    assert not issubclass(errors.ArchgateWarning, pytest.PytestWarning)
    for emitted, library in (
        (session.SupersededAdrWarning, errors.SupersededAdrWarning),
        (session.NeedsReviewWarning, errors.NeedsReviewWarning),
    ):
        assert issubclass(emitted, library)
        assert issubclass(emitted, pytest.PytestWarning)
        assert emitted.__name__ == library.__name__  # the warning summary reads the same
