"""Every ADR style real logs use, one small file each, read as a person reads it.

Each case is written to ``tmp_path`` and parsed; the expected (id, status, successor, title)
is hard-coded from reading the file. The real logs these styles come from are read file by
file in ``test_corpora.py``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pytest_archgate.adr.files import is_adr_file
from pytest_archgate.adr.log import AdrLog, load_log
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.adr.status import normalise_status
from pytest_archgate.cli.main import main


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# status synonyms, case, punctuation and dates after the word

SYNONYMS = [
    ("Approved", "accepted"),
    ("Pending", "proposed"),
    ("Open", "proposed"),
    ("Draft", "proposed"),
    ("In progress", "proposed"),
    ("in-progress", "proposed"),
    ("Under review", "proposed"),
    ("Declined", "rejected"),
    ("Reverted", "deprecated"),
    ("Retired", "deprecated"),
    ("Obsolete", "deprecated"),
    ("ACCEPTED.", "accepted"),
    ("accepted!", "accepted"),
    ("Accepted (2021-03-01)", "accepted"),
    ("Accepted on 2021-03-01", "accepted"),
    ("Accepted 2021-03-01", "accepted"),
    ("experimental", "unknown"),
    ("accepted-ish", "unknown"),
    ("2021-03-01 accepted", "unknown"),
]


@pytest.mark.parametrize(("raw", "status"), SYNONYMS)
def test_status_synonyms_in_a_status_section(tmp_path: Path, raw: str, status: str) -> None:
    adr = parse_adr(write(tmp_path, "0001-x.md", f"# 1. X\n\n## Status\n\n{raw}\n\n## Context\n"))
    assert (adr.status, adr.status_raw, adr.status_line) == (status, raw, 5)


@pytest.mark.parametrize(
    ("raw", "successor"),
    [
        ("Partly superseded by [ADR-0007](0007-y.md)", "0007-y.md"),
        ("Superseded [0019](0019-y.md)", "0019-y.md"),
        ("Superseded by ADR-002", "ADR-002"),
        ("Superseded by ADR025", "ADR025"),
        ("superseded by ADR 25", "ADR 25"),
        ("Superseded by #25", "#25"),
        ("Superseded by 0025-use-y.", "0025"),
        ("Superseded by some-slug.", "some-slug"),
        ("⌛️ Superseded", None),
    ],
)
def test_supersede_lines(raw: str, successor: str | None) -> None:
    assert normalise_status(raw) == ("superseded", successor)


def test_every_reference_form_resolves_to_the_same_adr(tmp_path: Path) -> None:
    write(tmp_path, "0025-new.md", "# 25. New\n\n## Status\n\nAccepted\n")
    forms = ["ADR-0025", "ADR-025", "ADR025", "ADR 25", "adr_25", "#25", "25", "0025-new.md"]
    for i, form in enumerate(forms):
        write(tmp_path, f"{i + 1:04d}-old.md", f"# Old\n\n## Status\n\nSuperseded by {form}\n")
    log = load_log(tmp_path, root=tmp_path)
    for adr in log:
        if adr.number != 25:
            successor = log.successor(adr)
            assert successor is not None, adr.superseded_by
            assert successor.number == 25, adr.superseded_by


# --------------------------------------------------------------------------------------------
# decorations

DECORATED = {
    "emoji-accepted": ("# 1. X\n\n## Status\n\n✅ Accepted\n", "accepted", None),
    "emoji-rejected": ("# 1. X\n\n## Status\n\n❌ Rejected\n", "rejected", None),
    "emoji-proposed": ("# 1. X\n\n## Status\n\n🤔 Proposed\n", "proposed", None),
    "emoji-superseded": (
        "# 1. X\n\n## Status\n\n⌛️ Superseded [0019](0019-y.md)\n",
        "superseded",
        "0019-y.md",
    ),
    "bold-line": (
        "# X\n\n**Status:** Accepted | **Date:** 2023-01-01\n\n## Context\n",
        "accepted",
        None,
    ),
    "bold-key-outside": ("# X\n\n**Status**: Rejected\n\n## Context\n", "rejected", None),
    "plain-line": ("# X\n\nStatus: Accepted\n\n## Context\n", "accepted", None),
    "blockquote-section": ("# X\n\n## Status\n\n> Accepted\n\n## Context\n", "accepted", None),
    "blockquote-line": ("# X\n\n> Status: Deprecated\n\n## Context\n", "deprecated", None),
    "lowercase-heading": ("# X\n\n## status\n\naccepted\n", "accepted", None),
    "numbered-heading": ("# X\n\n## 2. Status\n\nRejected\n\n## 3. Context\n", "rejected", None),
    "h3-heading-with-colon": ("# X\n\n### Status:\n\nProposed\n", "proposed", None),
    "status-line-in-section": ("# X\n\n## Status\n\nStatus: Accepted\n", "accepted", None),
    "struck-through": (
        "# X\n\n## Status\n\n~~Accepted~~ Superseded by ADR-0009\n",
        "superseded",
        "ADR-0009",
    ),
}


@pytest.mark.parametrize("kind", list(DECORATED))
def test_decorations(tmp_path: Path, kind: str) -> None:
    text, status, successor = DECORATED[kind]
    adr = parse_adr(write(tmp_path, "0001-x.md", text))
    assert (adr.status, adr.superseded_by, adr.title) == (status, successor, "X")


def test_bold_line_gives_the_date_too(tmp_path: Path) -> None:
    adr = parse_adr(
        write(tmp_path, "0001-x.md", "# X\n\n**Status:** Accepted | **Date:** 2023-01-01\n")
    )
    assert (adr.status_raw, adr.date, adr.status_line) == ("Accepted", "2023-01-01", 3)


# --------------------------------------------------------------------------------------------
# tables


def test_key_value_table(tmp_path: Path) -> None:
    text = "# X\n\n| | |\n|---|---|\n| Status | Approved |\n| Date | 2021-05-01 |\n\n## Context\n"
    adr = parse_adr(write(tmp_path, "0001-x.md", text))
    assert (adr.status, adr.status_raw, adr.date, adr.status_line) == (
        "accepted",
        "Approved",
        "2021-05-01",
        5,
    )


def test_key_value_table_without_header(tmp_path: Path) -> None:
    text = "# X\n\n| Status | Declined |\n| Deciders | Ana |\n"
    adr = parse_adr(write(tmp_path, "0001-x.md", text))
    assert adr.status == "rejected"


def test_header_row_table(tmp_path: Path) -> None:
    text = (
        "| Status   | Date       | Author(s) |\n"
        "| :------- | :--------- | :-------- |\n"
        "| Accepted | 2021-05-01 | @someone  |\n"
        "\n## Context\n\n| Column | Type |\n|---|---|\n| status | TEXT |\n"
    )
    adr = parse_adr(write(tmp_path, "004-x.md", text))
    # no "# " title anywhere: the stem is the title
    assert (adr.id, adr.status, adr.date, adr.status_line, adr.title) == (
        "ADR-0004",
        "accepted",
        "2021-05-01",
        3,
        "004-x",
    )


def test_table_in_a_status_section(tmp_path: Path) -> None:
    text = "# X\n\n## Status\n\n| Status | Date |\n|---|---|\n| Rejected | 2020-01-01 |\n"
    assert parse_adr(write(tmp_path, "0001-x.md", text)).status == "rejected"


# --------------------------------------------------------------------------------------------
# MADR placeholders


@pytest.mark.parametrize(
    ("line", "status", "raw"),
    [
        ("status: { accepted }", "accepted", "{ accepted }"),
        ("status: {proposed}", "proposed", "{proposed}"),
        ("status: { in-progress }", "proposed", "{ in-progress }"),
        ("status: {proposed | rejected | accepted}", "unknown", "{proposed | rejected | accepted}"),
        ("status: [accepted]", "accepted", "[accepted]"),
    ],
)
def test_madr_placeholders(tmp_path: Path, line: str, status: str, raw: str) -> None:
    adr = parse_adr(write(tmp_path, "0001-x.md", f"---\n{line}\ndate: {{2023-11-10}}\n---\n# X\n"))
    assert (adr.status, adr.status_raw, adr.date) == (status, raw, "2023-11-10")


def test_placeholder_never_prints_a_python_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "adr", "0001-x.md", "---\nstatus: { accepted }\n---\n# X\n")
    write(tmp_path / "adr", "0002-y.md", "---\nstatus: {value: maybe}\n---\n# Y\n")
    monkeypatch.chdir(tmp_path)
    assert main(["list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(a["status"], a["status_raw"]) for a in data] == [
        ("accepted", "{ accepted }"),
        ("unknown", "{value: maybe}"),
    ]
    assert main(["lint"]) == 0
    out = capsys.readouterr().out
    assert "{value: maybe}" in out
    assert "None" not in out
    assert "'value':" not in out


# --------------------------------------------------------------------------------------------
# ids, slugs and titles


@pytest.mark.parametrize(
    ("name", "adr_id", "number"),
    [
        ("0001-x.md", "ADR-0001", 1),
        ("001-x.md", "ADR-0001", 1),
        ("ADR001-x.md", "ADR-0001", 1),
        ("ADR-001-x.md", "ADR-0001", 1),
        ("adr-001-x.md", "ADR-0001", 1),
        ("adr001-x.md", "ADR-0001", 1),
        ("adr_0001_x.md", "ADR-0001", 1),
        ("ODH-ADR-Operator-0001-x.md", "ADR-0001", 1),
        ("use-python3-x.md", "use-python3-x", None),
        ("20210301-x.md", "20210301-x", None),
    ],
)
def test_ids_from_file_name_schemes(
    tmp_path: Path, name: str, adr_id: str, number: int | None
) -> None:
    adr = parse_adr(write(tmp_path, name, "# X\n"))
    assert (adr.id, adr.number) == (adr_id, number)


def test_project_prefixed_reference_resolves(tmp_path: Path) -> None:
    write(tmp_path, "ODH-ADR-Operator-0001-a.md", "# A\n\n## Status\n\nAccepted\n")
    log = load_log(tmp_path)
    for ref in ("ODH-ADR-Operator-0001", "ADR-0001", 1, "ODH-ADR-Operator-0001-a"):
        assert log.get(ref) is not None, ref


def test_docusaurus_slug_id_does_not_replace_the_number(tmp_path: Path) -> None:
    adr = parse_adr(write(tmp_path, "adr001-x.md", "---\nid: adrs-adr001\n---\n# X\n"))
    assert adr.id == "ADR-0001"
    # an id written like an id still wins
    assert parse_adr(write(tmp_path, "0002-y.md", "---\nid: DB-7\n---\n# Y\n")).id == "DB-7"


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("# ADR001: Use X", "Use X"),
        ("# ADR-001 - Use X", "Use X"),
        ("# ADR 1. Use X", "Use X"),
        ("# ADR-0001 Use X", "Use X"),
        ("# 1. Use X", "Use X"),
        ("# Use `X` for **Y**", "Use X for Y"),
    ],
)
def test_titles_without_prefixes(tmp_path: Path, heading: str, title: str) -> None:
    assert parse_adr(write(tmp_path, "0001-x.md", heading + "\n")).title == title


def test_title_heads_the_document(tmp_path: Path) -> None:
    text = "---\n# Restructure the samples\nstatus: accepted\n---\n\n## Context\n\n# Option 3\n"
    adr = parse_adr(write(tmp_path, "0042-x.md", text))
    # the "# " heading after the sections began heads an option; the title is the comment
    assert adr.title == "Restructure the samples"


# --------------------------------------------------------------------------------------------
# not ADRs


@pytest.mark.parametrize(
    "name",
    [
        "template.md",
        "adr-template.md",
        "adr-short-template.md",
        "my-template.md",
        "0000-adr-template.md",
        "0000-template.md",
        "index.md",
        "000-index.md",
        "0000-index.md",
        "README.md",
        "toc.md",
        "table-of-contents.md",
        ".markdownlint.yml",
        "0001-x.txt",
        "0001-x.adoc",
    ],
)
def test_not_adrs(name: str) -> None:
    assert not is_adr_file(Path(name))


def test_decisions_about_templates_are_adrs() -> None:
    assert is_adr_file(Path("0007-prompt-template-engine.md"))
    assert is_adr_file(Path("20200101-template-engine.md"))
    assert is_adr_file(Path("0012-use-a-template.md"))
    assert is_adr_file(Path("0023-handlebars-template-engine.md"))


def test_placeholder_template_in_a_log_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "0001-x.md", "# X\n\n## Status\n\nAccepted\n")
    write(
        tmp_path,
        "adr-short-template.md",
        "---\nstatus: {proposed | superseded by [ADR-0001](0001-x.md)}\n---\n# {title}\n",
    )
    log = load_log(tmp_path)
    assert ([a.stem for a in log], log.errors, log.warnings) == (["0001-x"], [], [])


# --------------------------------------------------------------------------------------------
# reStructuredText


def test_rst_status_section(tmp_path: Path) -> None:
    text = """\
        1. Purpose of this repository
        #############################

        Status
        ******

        Superseded by :doc:`0005-new`, see ADR-0005

        Context
        *******

        Words.
        """
    adr = parse_adr(write(tmp_path, "0001-purpose.rst", text))
    assert (adr.id, adr.title, adr.status, adr.format, adr.status_line) == (
        "ADR-0001",
        "Purpose of this repository",
        "superseded",
        "rst",
        7,
    )


@pytest.mark.parametrize("underline", ["---", "===", "~~~"])
def test_rst_underlines(tmp_path: Path, underline: str) -> None:
    text = f"Use X\n=====\n\nStatus\n{underline * 2}\n\nAccepted (2021-01-01)\n"
    adr = parse_adr(write(tmp_path, "0003-x.rst", text))
    assert (adr.title, adr.status) == ("Use X", "accepted")


def test_rst_overlined_title_and_status_field(tmp_path: Path) -> None:
    text = "=====\nUse X\n=====\n\n:status: Rejected\n:date: 2021-01-01\n\nContext\n-------\n"
    adr = parse_adr(write(tmp_path, "0003-x.rst", text))
    assert (adr.title, adr.status, adr.date, adr.status_line) == (
        "Use X",
        "rejected",
        "2021-01-01",
        5,
    )


def test_rst_archgate_comment_block(tmp_path: Path) -> None:
    text = """\
        Use XGBoost
        ===========

        .. archgate:
           decision: xgboost
           options: [xgboost, logreg]
           acceptance:
             roc_auc: ">= 0.9"

        Status
        ------

        Accepted
        """
    adr = parse_adr(write(tmp_path, "0002-xgb.rst", text))
    assert (adr.has_archgate, adr.decision, adr.status, adr.archgate_line) == (
        True,
        "xgboost",
        "accepted",
        4,
    )
    assert [(c.name, c.line) for c in adr.acceptance] == [("roc_auc", 8)]


def test_rst_and_markdown_in_one_log(tmp_path: Path) -> None:
    write(tmp_path, "0001-a.md", "# A\n\n## Status\n\nAccepted\n")
    write(tmp_path, "0002-b.rst", "B\n=\n\nStatus\n------\n\nProposed\n")
    write(tmp_path, "index.rst", "Decisions\n=========\n")
    log = load_log(tmp_path)
    assert [(a.id, a.status, a.format) for a in log] == [
        ("ADR-0001", "accepted", "adr-tools"),
        ("ADR-0002", "proposed", "rst"),
    ]


def test_shared_numbers_are_warnings_and_ambiguous(tmp_path: Path) -> None:
    write(tmp_path, "0021-a.md", "# A\n")
    write(tmp_path, "0021-b.md", "# B\n")
    log = load_log(tmp_path, root=tmp_path)
    assert log.errors == []
    assert [str(w) for w in log.warnings] == [
        "0021-a.md: id: duplicate id ADR-0021 in 0021-a.md, 0021-b.md"
    ]
    assert log.get("ADR-0021") is None
    assert log.get("0021-b") is not None
    with pytest.raises(Exception, match=r"'ADR-0021' is ambiguous: 0021-a\.md, 0021-b\.md"):
        log.lookup("ADR-0021")
    assert isinstance(log, AdrLog)


def test_rst_adrs_are_listed_and_linted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "docs" / "decisions", "0001-a.rst", "A\n=\n\n:status: Accepted\n")
    write(
        tmp_path / "docs" / "decisions",
        "0002-b.rst",
        "B\n=\n\n.. archgate:\n   decision: a\n   acceptance:\n     x: '>= 1'\n\n"
        "Status\n------\n\nAcepted\n",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["list", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert [(a["id"], a["status"], a["format"]) for a in json.loads(captured.out)] == [
        ("ADR-0001", "accepted", "rst")
    ]
    assert captured.err.startswith("error: docs/decisions/0002-b.rst:12: status: status 'Acepted'")
    assert main(["lint"]) == 1
    assert capsys.readouterr().out.startswith("docs/decisions/0002-b.rst:12: error: status: ")
