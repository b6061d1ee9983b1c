"""Real decision logs (MADR, adr-tools, log4brains) from ``../shared/adr-corpora/``.

The expected tables below were written by reading each file, not by running the parser. The
corpora live outside the repository; every test skips cleanly when they are absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_archgate.adr import adr_files, lint_log, load_log

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "adr-corpora"
ARCHGATE = Path(sys.executable).parent / "archgate"

MADR_TITLES = {
    "0000-use-markdown-architectural-decision-records": (
        "Use Markdown Architectural Decision Records"
    ),
    "0001-use-CC0-or-MIT-as-license": "Dual License the Work",
    "0002-do-not-use-numbers-in-headings": "Do Not Use Numbers in Headings",
    "0003-provide-own-madr-tools": "Write Own MADR Tooling",
    "0004-write-own-toc-tool": "Write Own TOC Tool",
    "0005-use-dashes-in-filenames": "Use Dashes in Filenames",
    "0006-use-names-as-identifier": "Use Names as Identifier",
    "0007-do-not-emphasize-line-headings": "Do Not Emphasize Line Headings",
    "0008-add-status-field": "Add Status Field",
    "0009-support-links-between-adrs-inside-an-adrs": "Support Links To Other ADRs Inside an ADR",
    "0010-support-categories": "Support Categories",
    "0011-use-asterisk-as-list-marker": "Use Asterisk as List Marker",
    "0012-use-curly-braces-to-denote-placeholder": "Use Curly Braces to Denote Placeholders",
    "0013-use-yaml-front-matter-for-meta-data": "Use YAML front matter for metadata",
    "0014-allow-neutral-arguments": 'Allow "neutral" arguments',
    "0015-include-consulting-informed-of-raci": 'Include "Consulted" and "Informed" of RACI',
    "0016-outcome-before-detailed-pros-cons": "Outcome before Detailed Pros and Cons",
    "0017-use-same-format-for-outcomes-and-options": "Use Same Format for Outcomes and Options",
    "0018-use-confirmation-as-heading": 'Use "Confirmation" as Heading',
}

ADR_TOOLS = {
    "0001-record-architecture-decisions": ("Record architecture decisions", "2016-02-12"),
    "0002-implement-as-shell-scripts": ("Implement as shell scripts", "2016-02-12"),
    "0003-single-command-with-subcommands": ("Single command with subcommands", "2016-02-12"),
    "0004-markdown-format": ("Markdown format", "2016-02-12"),
    "0005-help-comments": ("Help comments", "2016-02-13"),
    "0006-packaging-and-distribution-in-other-version-control-repositories": (
        "Packaging and distribution in other version control repositories",
        "2016-02-16",
    ),
    "0007-invoke-adr-config-executable-to-get-configuration": (
        "Invoke adr-config executable to get configuration",
        "2016-12-17",
    ),
    "0008-use-iso-8601-format-for-dates": ("Use ISO 8601 Format for Dates", "2017-02-21"),
    "0009-help-scripts": ("Help scripts", "2018-06-26"),
}

# stem -> (status, successor stem or None, title)
LOG4BRAINS = {
    "20200101-first-adr": ("accepted", None, "First ADR"),
    "20200102-adr-only-with-date": ("unknown", None, "ADR only with date"),
    "20200102-adr-with-intro": ("accepted", None, "ADR with intro"),
    "20200102-adr-without-status": ("unknown", None, "ADR without status"),
    "20200102-adr-without-title": ("unknown", None, "20200102-adr-without-title"),
    "20200924-use-markdown-architectural-decision-records": (
        "accepted",
        None,
        "Use Markdown Architectural Decision Records",
    ),
    "20200925-multi-packages-architecture-in-a-monorepo-with-yarn-and-lerna": (
        "accepted",
        None,
        "Multi-packages architecture in a monorepo with Yarn and Lerna",
    ),
    "20200925-use-prettier-eslint-airbnb-for-the-code-style": (
        "accepted",
        None,
        "Use Prettier-ESLint Airbnb for the code style",
    ),
    "20200926-use-the-adr-number-as-its-unique-id": (
        "superseded",
        "20201016-use-the-adr-slug-as-its-unique-id",
        "Use the ADR number as its unique ID",
    ),
    "20200927-avoid-default-exports": ("accepted", None, "Avoid default exports"),
    "20201016-use-the-adr-slug-as-its-unique-id": (
        "accepted",
        None,
        "Use the ADR slug as its unique ID",
    ),
    "20201026-the-core-api-is-responsible-for-enhancing-the-adr-markdown-body-with-mdx": (
        "accepted",
        None,
        "The core API is responsible for enhancing the ADR markdown body with MDX",
    ),
    "20201028-adr-with-no-metadata-no-title": (
        "unknown",
        None,
        "20201028-adr-with-no-metadata-no-title",
    ),
    "20201028-adr-with-no-metadata": ("unknown", None, "ADR with no metadata"),
    "20201028-adr-without-date": ("accepted", None, "ADR without date"),
    "20201028-links": ("unknown", None, "Links"),
    "20201028-superseded-adr": ("superseded", "20201029-superseder", "Superseded ADR"),
    "20201029-proposed-adr": ("proposed", None, "Proposed ADR"),
    "20201029-rejected-adr": ("rejected", None, "Rejected ADR"),
    "20201029-superseder": ("accepted", None, "Superseder"),
    "20201030-draft-adr": ("proposed", None, "Draft ADR"),
    "20201103-use-lunr-for-search": ("accepted", None, "Use Lunr for search"),
    "20210113-distribute-log4brains-as-a-global-npm-package": (
        "accepted",
        None,
        "Distribute Log4brains as a global NPM package",
    ),
    "adr_with_a_WeIrd-filename": ("accepted", None, "ADR with a weird filename"),
}

NOT_ADRS = {
    "madr": {"adr-template.md", "index.md"},
    "adr-tools": set(),
    "log4brains": {"README.md", "index.md", "template.md"},
}
EXPECTED_STEMS = {
    "madr": set(MADR_TITLES),
    "adr-tools": set(ADR_TOOLS),
    "log4brains": set(LOG4BRAINS),
}


@pytest.fixture(scope="module")
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip(f"ADR corpora not found at {CORPORA}")
    return CORPORA


@pytest.mark.parametrize("name", ["madr", "adr-tools", "log4brains"])
def test_exactly_the_decision_files_are_read(corpora: Path, name: str) -> None:
    folder = corpora / name
    on_disk = {p.name for p in folder.glob("*.md")}
    assert NOT_ADRS[name] <= on_disk  # the corpus really holds these non-ADR files
    assert {p.stem for p in adr_files(folder)} == EXPECTED_STEMS[name]
    assert on_disk == {f"{s}.md" for s in EXPECTED_STEMS[name]} | NOT_ADRS[name]


def test_madr(corpora: Path) -> None:
    log = load_log(corpora / "madr", root=corpora)
    assert log.errors == []
    by_stem = {a.stem: a for a in log}
    assert set(by_stem) == set(MADR_TITLES)
    for stem, title in MADR_TITLES.items():
        adr = by_stem[stem]
        assert adr.id == f"ADR-{stem[:4]}", stem
        assert adr.title == title, stem
        assert adr.format == "madr", stem
        # Jekyll keys only; no status in these files but 0003's "on hold" (not yet taken)
        assert adr.status == ("proposed" if stem.startswith("0003") else "unknown"), stem
        expected_raw = "on hold" if stem.startswith("0003") else None
        assert adr.status_raw == expected_raw, stem
    assert by_stem["0003-provide-own-madr-tools"].status_line == 4
    assert [a.id for a in log][:3] == ["ADR-0000", "ADR-0001", "ADR-0002"]
    assert log.get(0) is by_stem["0000-use-markdown-architectural-decision-records"]


def test_adr_tools(corpora: Path) -> None:
    log = load_log(corpora / "adr-tools", root=corpora)
    assert log.errors == []
    by_stem = {a.stem: a for a in log}
    assert set(by_stem) == set(ADR_TOOLS)
    for stem, (title, date) in ADR_TOOLS.items():
        adr = by_stem[stem]
        assert (adr.id, adr.status, adr.status_raw) == (
            f"ADR-{stem[:4]}",
            "accepted",
            "Accepted",
        ), stem
        assert (adr.title, adr.date, adr.format) == (title, date, "adr-tools"), stem
        assert adr.status_line == 7, stem


def test_log4brains(corpora: Path) -> None:
    log = load_log(corpora / "log4brains", root=corpora)
    assert log.errors == []
    by_stem = {a.stem: a for a in log}
    assert set(by_stem) == set(LOG4BRAINS)
    for stem, (status, successor, title) in LOG4BRAINS.items():
        adr = by_stem[stem]
        assert adr.id == stem, stem  # date-prefixed and unnumbered files use the stem
        assert adr.number is None, stem
        assert (adr.status, adr.title) == (status, title), stem
        succ = log.successor(adr)
        assert (succ.stem if succ is not None else None) == successor, stem
    assert by_stem["20201030-draft-adr"].status_raw == "draft"
    assert by_stem["20200102-adr-with-intro"].status_line == 5


@pytest.mark.parametrize("name", ["madr", "adr-tools", "log4brains"])
def test_corpora_lint_clean(corpora: Path, name: str) -> None:
    # no archgate blocks, and every supersede link resolves
    assert lint_log(load_log(corpora / name, root=corpora)) == []


@pytest.mark.parametrize("name", ["madr", "adr-tools", "log4brains"])
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
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert {Path(a["file"]).stem for a in data} == EXPECTED_STEMS[name]
    statuses = {Path(a["file"]).stem: a["status"] for a in data}
    if name == "log4brains":
        assert statuses == {stem: row[0] for stem, row in LOG4BRAINS.items()}
    elif name == "adr-tools":
        assert set(statuses.values()) == {"accepted"}
    else:
        assert set(statuses.values()) == {"unknown", "proposed"}
        raw = {Path(a["file"]).stem: a["status_raw"] for a in data}
        assert raw["0003-provide-own-madr-tools"] == "on hold"


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
