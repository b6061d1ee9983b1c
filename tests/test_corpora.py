"""Real decision logs from ``../shared/adr-corpora/``, read file by file.

The expected readings (``corpora_expected.py``) were written by reading each file, not by
running the parser. The corpora live outside the repository; every test skips cleanly when they
are absent. Mismatches are reported all at once per corpus, one line per differing file and
field, so a failure shows the whole picture.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from corpora_expected import CORPUS_NAMES, EXPECTED, NOT_ADRS, Reading

from pytest_archgate.adr.files import adr_files
from pytest_archgate.adr.lint import lint_log
from pytest_archgate.adr.log import AdrLog, load_log
from pytest_archgate.adr.model import Adr

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "adr-corpora"
ARCHGATE = Path(sys.executable).parent / "archgate"


@pytest.fixture(scope="module")
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip(f"ADR corpora not found at {CORPORA}")
    return CORPORA


def _successor_id(log: AdrLog, adr: Adr) -> str | None:
    """The id of the ADR that supersedes ``adr``, or what was written when it resolves to none."""
    if not adr.superseded_by:
        return None
    successor = log.successor(adr)
    return successor.id if successor is not None else f"(unresolved) {adr.superseded_by!r}"


def _reading(log: AdrLog, adr: Adr) -> Reading:
    return (adr.id, adr.status, _successor_id(log, adr), adr.title)


FIELDS = ("id", "status", "successor", "title")


def _differences(expected: dict[str, Reading], read: dict[str, Reading]) -> list[str]:
    """One line per missing, extra or differing file and field."""
    lines = [
        f"{name}: not read (expected {expected[name]})"
        for name in sorted(set(expected) - set(read))
    ]
    lines += [
        f"{name}: read, but not an ADR (read as {read[name]})"
        for name in sorted(set(read) - set(expected))
    ]
    for name in sorted(set(expected) & set(read)):
        for field, want, got in zip(FIELDS, expected[name], read[name], strict=True):
            if want != got:
                lines.append(f"{name}: {field}: expected {want!r}, read {got!r}")
    return lines


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_holds_the_files_read_by_hand(corpora: Path, name: str) -> None:
    # guards the hand-read tables against a corpus that changed under them
    on_disk = {p.name for p in (corpora / name).iterdir()}
    assert on_disk == set(EXPECTED[name]) | NOT_ADRS[name]


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_exactly_the_decision_files_are_listed(corpora: Path, name: str) -> None:
    listed = {p.name for p in adr_files(corpora / name)}
    missing = sorted(set(EXPECTED[name]) - listed)
    extra = sorted(listed - set(EXPECTED[name]))
    assert (missing, extra) == ([], []), (
        f"{name}: ADRs not listed {missing}; listed but not ADRs {extra}"
    )


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_every_file_is_read_as_a_person_reads_it(corpora: Path, name: str) -> None:
    log = load_log(corpora / name, root=corpora)
    read = {adr.path.name: _reading(log, adr) for adr in log}
    problems = [f"parse error: {err}" for err in log.errors]
    problems += _differences(EXPECTED[name], read)
    assert not problems, (
        f"{name}: {len(problems)} difference(s) from the hand-read log:\n" + "\n".join(problems)
    )


def test_placeholder_status_keeps_its_raw_text(corpora: Path) -> None:
    # "status: { accepted }" is read as the word, and the raw text is kept as written, never a
    # Python repr of the mapping YAML makes of it
    log = load_log(corpora / "madr-large", root=corpora)
    adr = log.lookup("0025-planner-telemetry-enhancement")
    assert adr.status == "accepted"
    assert adr.status_raw is not None
    assert "accepted" in adr.status_raw
    assert "None" not in adr.status_raw
    assert ":" not in adr.status_raw


def test_madr(corpora: Path) -> None:
    log = load_log(corpora / "madr", root=corpora)
    assert log.errors == []
    by_stem = {a.stem: a for a in log}
    for adr in log:
        assert adr.format == "madr", adr.stem
    assert by_stem["0003-provide-own-madr-tools"].status_raw == "on hold"
    assert by_stem["0003-provide-own-madr-tools"].status_line == 4
    assert [a.id for a in log][:3] == ["ADR-0000", "ADR-0001", "ADR-0002"]
    assert log.get(0) is by_stem["0000-use-markdown-architectural-decision-records"]


ADR_TOOLS_DATES = {
    "0001": "2016-02-12",
    "0002": "2016-02-12",
    "0003": "2016-02-12",
    "0004": "2016-02-12",
    "0005": "2016-02-13",
    "0006": "2016-02-16",
    "0007": "2016-12-17",
    "0008": "2017-02-21",
    "0009": "2018-06-26",
}


def test_adr_tools(corpora: Path) -> None:
    log = load_log(corpora / "adr-tools", root=corpora)
    assert log.errors == []
    assert {a.stem[:4]: a.date for a in log} == ADR_TOOLS_DATES
    for adr in log:
        assert (adr.status_raw, adr.status_line, adr.format) == ("Accepted", 7, "adr-tools"), (
            adr.stem
        )


def test_log4brains(corpora: Path) -> None:
    log = load_log(corpora / "log4brains", root=corpora)
    assert log.errors == []
    by_stem = {a.stem: a for a in log}
    for adr in log:
        assert adr.number is None, adr.stem  # date-prefixed and unnumbered files use the stem
    assert by_stem["20201030-draft-adr"].status_raw == "draft"
    assert by_stem["20200102-adr-with-intro"].status_line == 5


@pytest.mark.parametrize("name", ["madr", "adr-tools", "log4brains"])
def test_corpora_lint_clean(corpora: Path, name: str) -> None:
    # no archgate blocks, and every supersede link resolves
    assert lint_log(load_log(corpora / name, root=corpora)) == []


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_cli_lists_every_corpus(corpora: Path, name: str, tmp_path: Path) -> None:
    if not ARCHGATE.exists():
        pytest.skip(f"no archgate script next to {sys.executable}")
    proc = subprocess.run(
        [str(ARCHGATE), "list", "--format", "json", "--adr-dir", str(corpora / name)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    listed = {Path(a["file"]).name: (a["id"], a["status"], a["title"]) for a in data}
    expected = {
        file: (ident, status, title) for file, (ident, status, _, title) in EXPECTED[name].items()
    }
    problems = [f"{f}: not listed" for f in sorted(set(expected) - set(listed))]
    problems += [f"{f}: listed, but not an ADR" for f in sorted(set(listed) - set(expected))]
    problems += [
        f"{f}: (id, status, title): expected {expected[f]!r}, listed {listed[f]!r}"
        for f in sorted(set(expected) & set(listed))
        if expected[f] != listed[f]
    ]
    assert not problems, f"archgate list {name}:\n" + "\n".join(problems)
    raw = {Path(a["file"]).name: a["status_raw"] for a in data}
    if name == "madr":
        assert raw["0003-provide-own-madr-tools.md"] == "on hold"


def test_plugin_reads_log4brains(
    corpora: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.archgate("20201028-superseded-adr")
        def test_old():
            pass

        @pytest.mark.archgate("adr_with_a_WeIrd-filename")
        def test_weird():
            pass
        """
    )
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-W",
        "always",
        f"--archgate-adr-dir={corpora / 'log4brains'}",
    )
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*SupersededAdrWarning: test_plugin_reads_log4brains.py::test_old is linked to "
            "20201028-superseded-adr, which is superseded; use 20201029-superseder (*) instead"
        ]
    )
