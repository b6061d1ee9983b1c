"""Unit tests of ADR discovery and parsing (``pytest_archgate.adr.parse``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_archgate.adr.files import adr_files, find_adr_dir, is_adr_file
from pytest_archgate.adr.lint import lint_log
from pytest_archgate.adr.log import AdrLog, load_log
from pytest_archgate.adr.markdown_format import split_front_matter
from pytest_archgate.adr.model import STATUSES
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.adr.status import normalise_status
from pytest_archgate.errors import AdrError, CriterionError, UnknownAdrError


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# status normalisation

STATUS_TABLE = [
    ("accepted", "accepted", None),
    ("Accepted", "accepted", None),
    ("ACCEPTED", "accepted", None),
    ("**Accepted**", "accepted", None),
    ("Accepted 2020-01-01", "accepted", None),
    ("accepted, amended by 0007", "accepted", None),
    ("proposed", "proposed", None),
    ("Proposed (2020)", "proposed", None),
    ("draft", "proposed", None),
    ("Draft", "proposed", None),
    ("rejected", "rejected", None),
    ("REJECTED", "rejected", None),
    ("deprecated", "deprecated", None),
    ("Deprecated", "deprecated", None),
    ("superseded", "superseded", None),
    ("superseded by ADR-0123", "superseded", "ADR-0123"),
    ("Superseded by ADR-0005.", "superseded", "ADR-0005"),
    ("superseded by 0005", "superseded", "0005"),
    ("Superseded by [3. Use X](0003-use-x.md)", "superseded", "0003-use-x.md"),
    ("Superceded by [3. Use X](0003-use-x.md)", "superseded", "0003-use-x.md"),
    ("superceded by ADR-0003", "superseded", "ADR-0003"),
    (
        "superseded by [20201016-use-the-adr-slug](20201016-use-the-adr-slug.md)",
        "superseded",
        "20201016-use-the-adr-slug.md",
    ),
    ("on hold", "proposed", None),
    ("on ice", "unknown", None),
    ("accepted-ish", "unknown", None),
    ("Amended by [4. X](0004-x.md)", "unknown", None),
    ("", "unknown", None),
    ("   ", "unknown", None),
    (None, "unknown", None),
]


@pytest.mark.parametrize(("raw", "status", "successor"), STATUS_TABLE)
def test_normalise_status(raw: str | None, status: str, successor: str | None) -> None:
    assert normalise_status(raw) == (status, successor)


@given(
    word=st.sampled_from([*STATUSES, "draft"]),
    flips=st.lists(st.booleans(), min_size=12, max_size=12),
    bold=st.booleans(),
    tail=st.sampled_from(["", " 2020-01-01", ", see below", " (by the team)"]),
)
def test_normalise_status_ignores_case_emphasis_and_tail(
    word: str, flips: list[bool], bold: bool, tail: str
) -> None:
    cased = "".join(c.upper() if f else c for c, f in zip(word, flips, strict=False))
    raw = f"**{cased}**{tail}" if bold else f"{cased}{tail}"
    expected = "proposed" if word == "draft" else word
    assert normalise_status(raw)[0] == expected


# ---------------------------------------------------------------------------------------------
# the three formats


def test_madr_front_matter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0002-use-postgres.md",
        """\
        ---
        status: accepted
        date: 2024-01-31
        decision-makers: [alice, bob]
        ---
        # Use PostgreSQL

        ## Context and Problem Statement

        # Not the title either
        """,
    )
    adr = parse_adr(path, root=tmp_path)
    assert (adr.id, adr.number, adr.title, adr.status, adr.status_raw) == (
        "ADR-0002",
        2,
        "Use PostgreSQL",
        "accepted",
        "accepted",
    )
    assert (adr.format, adr.date, adr.status_line, adr.file) == (
        "madr",
        "2024-01-31",
        2,
        "0002-use-postgres.md",
    )
    assert adr.has_archgate is False
    assert adr.criteria == ()
    assert adr.enforced is True


def test_madr_superseded_by_in_front_matter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0004-x.md",
        """\
        ---
        status: "superseded by ADR-0123"
        ---
        # X
        """,
    )
    adr = parse_adr(path)
    assert (adr.status, adr.superseded_by, adr.enforced) == ("superseded", "ADR-0123", False)


def test_front_matter_title_wins(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0003-x.md",
        """\
        ---
        title: The real title
        status: proposed
        ---
        # 3. The heading
        """,
    )
    assert parse_adr(path).title == "The real title"


def test_adr_tools_format(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0004-use-a-queue.md",
        """\
        # 4. Use a **queue**

        Date: 2016-02-12

        ## Status

        Superceded by [5. Use a stream](0005-use-a-stream.md)

        ## Context

        - Status: accepted
        """,
    )
    adr = parse_adr(path)
    assert (adr.id, adr.title, adr.format, adr.date) == (
        "ADR-0004",
        "Use a queue",
        "adr-tools",
        "2016-02-12",
    )
    assert (adr.status, adr.superseded_by, adr.status_line) == (
        "superseded",
        "0005-use-a-stream.md",
        7,
    )
    assert adr.status_raw == "Superceded by [5. Use a stream](0005-use-a-stream.md)"


def test_adr_tools_status_is_the_first_paragraph_only(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0005-use-a-stream.md",
        """\
        # 5. Use a stream

        Date: 2016-02-13

        ## Status

        Accepted

        Supersedes [4. Use a queue](0004-use-a-queue.md)
        """,
    )
    adr = parse_adr(path)
    assert (adr.status, adr.status_raw, adr.superseded_by, adr.status_line) == (
        "accepted",
        "Accepted",
        None,
        7,
    )


def test_adr_tools_status_at_end_of_file(tmp_path: Path) -> None:
    path = write(tmp_path, "0001-x.md", "# 1. X\n\n## Status\n\nProposed")
    assert parse_adr(path).status == "proposed"


@pytest.mark.parametrize(
    ("bullet", "status"),
    [
        ("- Status: accepted", "accepted"),
        ("* Status: rejected", "rejected"),
        ("+ status: draft", "proposed"),
        ("- **Status**: deprecated", "deprecated"),
        ("- **Status:** proposed", "proposed"),
        ("- Status: superseded by [20201029-superseder](20201029-superseder.md)", "superseded"),
        ("- Status: on hold", "proposed"),
        ("- Status: on ice", "unknown"),
    ],
)
def test_log4brains_bullets(tmp_path: Path, bullet: str, status: str) -> None:
    path = write(
        tmp_path,
        "20201028-some-decision.md",
        f"# Some decision\n\nAn intro paragraph.\n\n{bullet}\n- Date: 2020-10-28\n\n## Context\n",
    )
    adr = parse_adr(path)
    assert (adr.status, adr.format, adr.date, adr.status_line) == (
        status,
        "log4brains",
        "2020-10-28",
        5,
    )
    assert adr.id == "20201028-some-decision"
    assert adr.number is None


def test_bullets_below_a_section_are_not_the_status(tmp_path: Path) -> None:
    path = write(tmp_path, "0001-x.md", "# X\n\n## Considered Options\n\n- Status: accepted\n")
    assert parse_adr(path).status == "unknown"


def test_front_matter_status_beats_body(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0001-x.md",
        "---\nstatus: rejected\n---\n# X\n\n- Status: accepted\n\n## Status\n\nAccepted\n",
    )
    adr = parse_adr(path)
    assert (adr.status, adr.format) == ("rejected", "madr")


def test_fenced_code_blocks_are_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0003-fences.md",
        """\
        ```markdown
        # 9. Not the title

        - Status: rejected
        ```

        ~~~
        ```
        # Still in the tilde fence
        ~~~

        # Real title

        - Status: accepted

        ## Example

        ```
        ## Status

        Deprecated
        ```
        """,
    )
    adr = parse_adr(path)
    assert (adr.title, adr.status, adr.status_line) == ("Real title", "accepted", 14)


def test_fenced_status_section_is_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0003-fences.md",
        "# 3. X\n\n```\n## Status\n\nRejected\n```\n\n## Status\n\nAccepted\n",
    )
    adr = parse_adr(path)
    assert (adr.status, adr.status_line) == ("accepted", 11)


def test_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "0002-crlf.md"
    text = (
        "\ufeff---\r\nstatus: accepted\r\narchgate:\r\n  decision: a\r\n  acceptance:\r\n"
        '    x: ">= 1"\r\n---\r\n# CRLF title\r\n'
    )
    path.write_bytes(text.encode("utf-8"))
    adr = parse_adr(path)
    assert (adr.status, adr.title, adr.status_line) == ("accepted", "CRLF title", 2)
    assert adr.acceptance[0].line == 6


def test_unterminated_front_matter_is_a_rule(tmp_path: Path) -> None:
    path = write(tmp_path, "0001-x.md", "---\nstatus: accepted\n# Title\n")
    adr = parse_adr(path)
    # not front matter: the "status: accepted" line is read as a plain status line
    assert (adr.status, adr.format, adr.title, adr.front_matter) == (
        "accepted",
        "plain",
        "Title",
        {},
    )


def test_split_front_matter_dots_terminator() -> None:
    fm, fm_line, body, body_line = split_front_matter("---\na: 1\n...\n# T\n")
    assert (fm, fm_line, body, body_line) == ("a: 1\n", 2, "# T\n", 4)
    assert split_front_matter("# T\n") == (None, 0, "# T\n", 1)


# ---------------------------------------------------------------------------------------------
# ids and titles


@pytest.mark.parametrize(
    ("name", "adr_id", "number"),
    [
        ("0002-use-x.md", "ADR-0002", 2),
        ("2-use-x.md", "ADR-0002", 2),
        ("0002_use_x.md", "ADR-0002", 2),
        ("0002.use.x.md", "ADR-0002", 2),
        ("0002.md", "ADR-0002", 2),
        ("0000-first.md", "ADR-0000", 0),
        ("12345-big.md", "ADR-12345", 12345),
        ("123456-too-long.md", "123456-too-long", None),
        ("20200101-dated.md", "20200101-dated", None),
        ("2020-01-01-dated.md", "2020-01-01-dated", None),
        ("use-names.md", "use-names", None),
        ("adr_with_a_WeIrd-filename.md", "adr_with_a_WeIrd-filename", None),
        ("0002use.md", "0002use", None),
    ],
)
def test_ids_from_file_names(tmp_path: Path, name: str, adr_id: str, number: int | None) -> None:
    adr = parse_adr(write(tmp_path, name, "# T\n"))
    assert (adr.id, adr.number, adr.stem) == (adr_id, number, name[:-3])


@pytest.mark.parametrize(
    ("value", "adr_id"), [("DB-7", "DB-7"), ("7", "7"), ("ADR-0042", "ADR-0042")]
)
def test_front_matter_id_wins(tmp_path: Path, value: str, adr_id: str) -> None:
    adr = parse_adr(write(tmp_path, "0002-x.md", f"---\nid: {value}\n---\n# T\n"))
    assert adr.id == adr_id
    assert adr.number == 2


def test_invalid_front_matter_id(tmp_path: Path) -> None:
    path = write(tmp_path, "0002-x.md", "---\nstatus: accepted\nid: [1, 2]\n---\n# T\n")
    with pytest.raises(AdrError) as info:
        parse_adr(path, root=tmp_path)
    assert str(info.value) == "0002-x.md:3: id: id must be a string, got [1, 2]"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Use [PostgreSQL](https://postgresql.org)\n", "Use PostgreSQL"),
        ("# `pyyaml` for YAML\n", "pyyaml for YAML"),
        ("# 3. Numbered heading\n", "Numbered heading"),
        ("# Closing hashes ##\n", "Closing hashes"),
        ("Intro\n\n## Only a section\n", "0003-title"),
        ("", "0003-title"),
    ],
)
def test_titles(tmp_path: Path, text: str, title: str) -> None:
    assert parse_adr(write(tmp_path, "0003-title.md", text)).title == title


def test_numbered_heading_kept_for_unnumbered_file(tmp_path: Path) -> None:
    assert parse_adr(write(tmp_path, "plain.md", "# 3. Numbered\n")).title == "3. Numbered"


# ---------------------------------------------------------------------------------------------
# archgate block


def test_archgate_block(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0002-model.md",
        """\
        ---
        status: accepted
        archgate:
          # the chosen model
          decision: xgboost
          baseline: logreg
          options: [xgboost, logreg]

          constraints:
            positive_rate:
              min: 0.05
              max: 0.2
          acceptance:
            roc_auc: ">= 0.9"   # a comment

            latency_p95_ms: {max: 50, device: cpu}
            gain:
              metric: roc_auc
              min: 0.01
              vs: logreg
          weights:
            roc_auc: 2
        ---
        # Model
        """,
    )
    adr = parse_adr(path)
    assert adr.has_archgate is True
    assert (adr.decision, adr.baseline, adr.options) == ("xgboost", "logreg", ("xgboost", "logreg"))
    assert adr.archgate_line == 3
    assert [(c.name, c.line, c.kind) for c in adr.acceptance] == [
        ("roc_auc", 14, "acceptance"),
        ("latency_p95_ms", 16, "acceptance"),
        ("gain", 17, "acceptance"),
    ]
    assert [(c.name, c.line, c.kind, c.min, c.max) for c in adr.constraints] == [
        ("positive_rate", 10, "constraint", 0.05, 0.2)
    ]
    assert adr.acceptance[2].vs == "logreg"
    assert adr.acceptance[2].metric == "roc_auc"
    assert adr.weights == {"roc_auc": 2.0}
    assert adr.key_lines["archgate.acceptance.gain.vs"] == 20
    summary = adr.summary()
    assert summary["options"] == ["xgboost", "logreg"]
    assert [c["line"] for c in summary["acceptance"]] == [14, 16, 17]


def test_options_default_to_decision_and_baseline(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0002-x.md",
        """\
        ---
        status: accepted
        archgate:
          decision: a
          baseline: b
          acceptance:
            gain: {min: 0, vs: b}
        ---
        """,
    )
    adr = parse_adr(path)
    assert adr.options == ("a", "b")
    assert adr.acceptance[0].vs == "b"


def test_empty_archgate_block(tmp_path: Path) -> None:
    adr = parse_adr(write(tmp_path, "0002-x.md", "---\nstatus: accepted\narchgate:\n---\n"))
    assert (adr.has_archgate, adr.criteria, adr.decision) == (True, (), None)


@pytest.mark.parametrize(
    ("block", "error"),
    [
        ("archgate: [a, b]", "0002-x.md:2: archgate: archgate must be a mapping*"),
        ("archgate:\n  decide: a", "0002-x.md:3: archgate.decide: unknown key 'decide'*"),
        (
            "archgate:\n  options: [a, a]",
            "0002-x.md:3: archgate.options: option(s) listed twice: a",
        ),
        (
            "archgate:\n  options: [a, 3]",
            "0002-x.md:3: archgate.options: expected a list of option names*",
        ),
        ("archgate:\n  decision: 3", "0002-x.md:3: archgate.decision: expected an option name*"),
        (
            "archgate:\n  options: [a]\n  baseline: b",
            "0002-x.md:4: archgate.baseline: 'b' is not one of archgate.options (a)",
        ),
        (
            'archgate:\n  acceptance:\n    x: ">= 1"\n  weights:\n    y: 1',
            "0002-x.md:6: archgate.weights.y: weight for 'y', which is not an acceptance "
            "criterion (x)",
        ),
        (
            'archgate:\n  acceptance:\n    x: ">= 1"\n  weights:\n    x: -1',
            "0002-x.md:6: archgate.weights.x: weight must be a non-negative number*",
        ),
        (
            "archgate:\n  acceptance: [x]",
            "0002-x.md:3: archgate.acceptance: expected a mapping of criterion name to spec*",
        ),
        ("- a\n- b", "0002-x.md:2: front matter: front matter must be a mapping*"),
        ("status: accepted\nstatus: rejected", "0002-x.md:3: status: key 'status' appears twice*"),
        (
            "archgate:\n  acceptance:\n    x: {min: 1, min: 2}",
            "0002-x.md:4: archgate.acceptance.x.min: key 'min' appears twice*",
        ),
        ("status: [accepted", "0002-x.md:*: front matter: front matter is not valid YAML: *"),
    ],
)
def test_archgate_block_errors(tmp_path: Path, block: str, error: str) -> None:
    import fnmatch

    path = write(tmp_path, "0002-x.md", f"---\n{block}\n---\n# X\n")
    with pytest.raises(AdrError) as info:
        parse_adr(path, root=tmp_path)
    assert fnmatch.fnmatchcase(str(info.value), error), str(info.value)
    assert info.value.file == "0002-x.md"
    assert info.value.line is not None


def test_criterion_errors_are_criterion_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "0002-x.md",
        "---\nstatus: accepted\narchgate:\n  acceptance:\n\n    auc: {min: x}\n---\n",
    )
    with pytest.raises(CriterionError) as info:
        parse_adr(path, root=tmp_path)
    assert (info.value.file, info.value.line, info.value.field) == (
        "0002-x.md",
        6,
        "archgate.acceptance.auc.min",
    )


def test_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "0001-latin1.md"
    path.write_bytes("# Caf\xe9\n".encode("latin-1"))
    with pytest.raises(AdrError, match=r"^0001-latin1\.md: not UTF-8 text"):
        parse_adr(path, root=tmp_path)


# ---------------------------------------------------------------------------------------------
# discovery


@pytest.mark.parametrize(
    ("name", "included"),
    [
        ("0001-x.md", True),
        ("notes.md", True),
        ("README.md", False),
        ("readme.md", False),
        ("index.md", False),
        ("INDEX.md", False),
        ("template.md", False),
        ("template-lite.md", False),
        ("Template.md", False),
        ("adr-template.md", False),
        ("adr-template-short.md", False),
        ("my-template.md", False),
        ("adr-short-template.md", False),
        ("0007-prompt-template-engine.md", True),
        ("20200101-template-engine.md", True),
        ("000-index.md", False),
        ("0000-index.md", False),
        ("toc.md", False),
        ("0003-x.rst", True),
        ("index.rst", False),
        ("0001-x.txt", False),
        ("0001-x.markdown", False),
    ],
)
def test_is_adr_file(name: str, included: bool) -> None:
    assert is_adr_file(Path(name)) is included


def test_adr_files_skips_folders_and_sorts(tmp_path: Path) -> None:
    for name in ("0002-b.md", "0001-a.md", "README.md", "index.md", "template.md"):
        write(tmp_path, name, "# T\n")
    (tmp_path / "0003-folder.md").mkdir()
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "0004-nested.md", "# T\n")
    assert [p.name for p in adr_files(tmp_path)] == ["0001-a.md", "0002-b.md"]


def test_find_adr_dir(tmp_path: Path) -> None:
    assert find_adr_dir(tmp_path) is None
    assert find_adr_dir(tmp_path, "adr") is None
    (tmp_path / "docs" / "decisions").mkdir(parents=True)
    assert find_adr_dir(tmp_path) == tmp_path / "docs" / "decisions"
    (tmp_path / "doc" / "adr").mkdir(parents=True)
    assert find_adr_dir(tmp_path) == tmp_path / "doc" / "adr"
    (tmp_path / "docs" / "adr").mkdir(parents=True)
    assert find_adr_dir(tmp_path) == tmp_path / "docs" / "adr"
    (tmp_path / "adr").mkdir()
    assert find_adr_dir(tmp_path) == tmp_path / "adr"
    assert find_adr_dir(tmp_path, "adr") == tmp_path / "adr"
    # a configured folder is returned even when missing, so the caller can report it
    assert find_adr_dir(tmp_path, "records") == tmp_path / "records"
    assert find_adr_dir(tmp_path, str(tmp_path / "abs")) == tmp_path / "abs"


# ---------------------------------------------------------------------------------------------
# the log


@pytest.fixture
def log(adr_log_dir: Path) -> AdrLog:
    return load_log(adr_log_dir, root=adr_log_dir.parent)


@pytest.mark.parametrize(
    "ref",
    [
        "ADR-0002",
        "adr-0002",
        "ADR-2",
        "adr_0002",
        2,
        "2",
        "0002",
        " 0002 ",
        "0002-use-xgboost",
        "0002-use-xgboost.md",
        "./0002-use-xgboost.md",
        "../adr/0002-use-xgboost.md#decision",
    ],
)
def test_log_lookup(log: AdrLog, ref: str | int) -> None:
    adr = log.get(ref)
    assert adr is not None
    assert adr.id == "ADR-0002"


@pytest.mark.parametrize("ref", ["ADR-0099", 99, "99", "xgboost", True, "", "0002-use"])
def test_log_lookup_misses(log: AdrLog, ref: str | int) -> None:
    assert log.get(ref) is None


def test_lookup_error_suggests(log: AdrLog) -> None:
    with pytest.raises(UnknownAdrError) as info:
        log.lookup("ADR-0006", where="tests/test_x.py:3")
    text = str(info.value)
    assert text.startswith("tests/test_x.py:3: no ADR 'ADR-0006' in ")
    assert "(5 ADRs); did you mean ADR-0005" in text


def test_log_order_successor_and_titles(log: AdrLog) -> None:
    assert [a.id for a in log] == ["ADR-0001", "ADR-0002", "ADR-0003", "ADR-0004", "ADR-0005"]
    assert len(log) == 5
    old = log.get("ADR-0004")
    assert old is not None
    assert (old.status, old.superseded_by) == ("superseded", "ADR-0005")
    successor = log.successor(old)
    assert successor is not None
    assert successor.id == "ADR-0005"
    assert [a.status for a in log] == ["accepted", "accepted", "proposed", "superseded", "accepted"]
    assert log.get(1) is not None
    assert log.get(1).title == "Record architecture decisions"
    assert log.errors == []
    assert lint_log(log) == []


def test_load_log_collects_errors_and_keeps_the_rest(adr_log_dir: Path) -> None:
    write(adr_log_dir, "0006-broken.md", "---\nstatus: [accepted\n---\n")
    write(adr_log_dir, "README.md", "---\nstatus: [accepted\n---\n")
    write(adr_log_dir, "0007-gated.md", "---\nstatus: accepted\narchgate: [\n---\n")
    log = load_log(adr_log_dir, root=adr_log_dir.parent)
    assert len(log) == 5
    # a record without an archgate block is a warning; one with a block is an error
    assert [e.file for e in log.warnings] == ["adr/0006-broken.md"]
    assert [e.file for e in log.errors] == ["adr/0007-gated.md"]
    assert log.failure("ADR-0006") is log.warnings[0]
    assert log.failure("0007-gated") is log.errors[0]


def test_load_log_missing_folder(tmp_path: Path) -> None:
    assert len(load_log(None)) == 0
    assert len(load_log(tmp_path / "nope")) == 0


def test_unnumbered_files_sort_after_numbered(tmp_path: Path) -> None:
    for name in ("zeta.md", "0010-ten.md", "alpha.md", "0002-two.md"):
        write(tmp_path, name, "# T\n")
    assert [a.id for a in load_log(tmp_path)] == ["ADR-0002", "ADR-0010", "alpha", "zeta"]


def test_duplicate_ids(tmp_path: Path) -> None:
    write(tmp_path, "0002-a.md", "# A\n")
    write(tmp_path, "0002-b.md", "# B\n")
    write(tmp_path, "0003-c.md", "---\nid: ADR-0002\n---\n# C\n")
    dupes = load_log(tmp_path, root=tmp_path).duplicate_ids()
    assert list(dupes) == ["adr-0002"]
    assert [a.file for a in dupes["adr-0002"]] == ["0002-a.md", "0002-b.md", "0003-c.md"]
