"""Hostile input, class 6: parsing is linear and bounded.

Every pattern applied to ADR text is linear, YAML aliases and nesting are bounded before
anything is composed, ADR files have a size limit, and whatever PyYAML raises becomes an
:class:`AdrError` naming the file (and the line where known). A property test feeds generated
files (valid, broken and pathological) to the parser: each parses or raises ``AdrError``, in
bounded time.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_archgate.adr.files import MAX_ADR_BYTES
from pytest_archgate.adr.log import load_log
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.errors import AdrError

LINE = 1_000_000  # a 1 MB line
BOUND_S = 1.0  # "well under a second" on a quiet machine; the best of three runs is judged


def timed_parse(path: Path) -> tuple[float, str]:
    best = float("inf")
    outcome = ""
    for _ in range(3):
        start = time.perf_counter()
        try:
            parse_adr(path)
            outcome = "ok"
        except AdrError as exc:
            outcome = f"AdrError: {exc}"
        best = min(best, time.perf_counter() - start)
        if best < BOUND_S / 4:
            break
    return best, outcome


PATHOLOGICAL = {
    "heading of spaces": "# " + " " * LINE + "x\n",
    "heading of closing hashes": "# a" + " #" * (LINE // 2) + "x\n",
    "heading of hashes": "#" * LINE + "\n",
    "heading of digits": "# " + "1" * LINE + "\n",
    "heading of ADR prefixes": "# ADR" + "1" * LINE + ". x\n",
    "status bullet of spaces": "# T\n\n- Status: " + " " * LINE + "x\n",
    "status bullet of stars": "- **Status:**" + "*" * LINE + "\n",
    "status line of colons": "Status" + ":" * LINE + "\n",
    "nested blockquote": "> " * (LINE // 2) + "Status: x\n",
    "unclosed links": "# T\n\n## Status\n\n" + "[a](" * (LINE // 4) + ")\n",
    "open brackets": "# T\n\n## Status\n\n" + "[" * LINE + "]\n",
    "close brackets": "# T\n\n## Status\n\n" + "]" * LINE + "\n",
    "table of pipes": "|" * LINE + "\n",
    "separator row": "| Status |\n|" + "-|" * (LINE // 2) + "\n",
    "supersede of ADR": "# T\n\n## Status\n\nSuperseded by " + "ADR" * (LINE // 3) + "\n",
    "supersede of hashes": "# T\n\n## Status\n\nSuperseded " + "#" * LINE + "\n",
    "emoji then word": "# T\n\n## Status\n\n" + "✅" * (LINE // 4) + " Accepted\n",
    "hyphenated word": "# T\n\n## Status\n\n" + "a-" * (LINE // 2) + "\n",
    "long front matter value": "---\ntitle: " + "a" * LINE + "\n---\n",
    "long front matter status": "---\nstatus: " + "a " * (LINE // 2) + "\n---\n",
    "fence markers": "```" * (LINE // 3) + "\n",
    "criterion spec": (
        "---\nstatus: accepted\narchgate:\n  decision: a\n  acceptance:\n    x: '>= "
        + "1" * (LINE // 2)
        + " " * (LINE // 2 - 200)
        + "x'\n---\n"
    ),
    "rst adornment": "T\n===\n\nStatus\n------\n\n" + "=" * LINE + "\n",
}


@pytest.mark.parametrize("kind", list(PATHOLOGICAL))
@pytest.mark.parametrize("suffix", [".md", ".rst"])
def test_a_pathological_line_parses_in_well_under_a_second(
    tmp_path: Path, kind: str, suffix: str
) -> None:
    path = tmp_path / f"0001-x{suffix}"
    path.write_text(PATHOLOGICAL[kind], encoding="utf-8")
    assert path.stat().st_size <= MAX_ADR_BYTES
    elapsed, outcome = timed_parse(path)
    assert elapsed < BOUND_S, f"{kind}: {elapsed:.2f} s ({outcome[:80]})"


def laughs(levels: int, width: int) -> str:
    """Nested aliases to mappings ("billion laughs"): ``width ** levels`` nodes when expanded."""
    lines = ["a0: &a0 {x: 1, y: 2}"]
    for i in range(1, levels):
        refs = ", ".join(f"k{j}: *a{i - 1}" for j in range(width))
        lines.append(f"a{i}: &a{i} {{{refs}}}")
    return "\n".join(lines) + "\n"


YAML_BOMBS = {
    "aliases of aliases": (laughs(9, 9), "expands to more than", None),
    "aliases of aliases in the archgate block": (
        "status: accepted\narchgate:\n  cost:\n"
        + "".join("    " + line + "\n" for line in laughs(8, 8).splitlines()),
        "expands to more than",
        None,
    ),
    "self-referencing alias": ("a: &a [*a]\n", "recursive YAML alias *a", 2),
    "self-referencing mapping": ("a: &a {b: *a}\n", "recursive YAML alias *a", 2),
    "many aliases": (
        "a: &a 1\nb: [" + ", ".join(["*a"] * 500) + "]\n",
        "more than 100 YAML aliases",
        3,
    ),
    # libyaml stops this one itself ("exceeded maximum nesting depth")
    "deep flow nesting": ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nest", 2),
    "deep flow nesting below libyaml's limit": (
        "a: " + "[" * 500 + "]" * 500 + "\n",
        "nested deeper than",
        2,
    ),
    "deep block nesting": (
        "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n",
        "nested deeper than",
        None,
    ),
    "impossible date": ("date: 2024-02-30\n", "front matter cannot be read", 2),
    "python tag": ("a: !!python/object/apply:os.system ['true']\n", "not valid YAML", 2),
    "undefined alias": ("a: *nope\n", "not valid YAML", 2),
}


@pytest.mark.parametrize("kind", list(YAML_BOMBS))
def test_yaml_is_bounded(tmp_path: Path, kind: str) -> None:
    front, message, line = YAML_BOMBS[kind]
    path = tmp_path / "0001-bomb.md"
    path.write_text(f"---\n{front}---\n# Bomb\n", encoding="utf-8")
    assert len(front) < 50_000
    start = time.perf_counter()
    with pytest.raises(AdrError) as info:
        parse_adr(path, root=tmp_path)
    assert time.perf_counter() - start < BOUND_S
    assert message in str(info.value)
    assert info.value.file == "0001-bomb.md"
    assert info.value.field == "front matter"
    if line is not None:
        assert info.value.line == line
    else:
        assert info.value.line is not None
        assert info.value.line >= 2


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "0001-ok.md"
    path.write_text(
        "---\nstatus: accepted\nopts: &o [a, b]\narchgate:\n  options: *o\n  decision: a\n"
        "  acceptance:\n    x: '>= 1'\n---\n# OK\n",
        encoding="utf-8",
    )
    assert parse_adr(path).options == ("a", "b")


def test_size_limit(tmp_path: Path) -> None:
    record = tmp_path / "0001-big.md"
    record.write_text("# Big\n\n" + "x" * MAX_ADR_BYTES, encoding="utf-8")
    gated = tmp_path / "0002-big.md"
    gated.write_text(
        "---\nstatus: accepted\narchgate:\n  decision: a\n---\n# Big\n" + "x" * MAX_ADR_BYTES,
        encoding="utf-8",
    )
    with pytest.raises(AdrError, match=r"^0001-big\.md: file is larger than 1024 KiB"):
        parse_adr(record, root=tmp_path)
    log = load_log(tmp_path, root=tmp_path)
    # a record too large to read is a warning; a gated one an error
    assert [e.file for e in log.warnings] == ["0001-big.md"]
    assert [e.file for e in log.errors] == ["0002-big.md"]
    assert len(log) == 0


def test_not_utf8_gated_and_not(tmp_path: Path) -> None:
    (tmp_path / "0001-latin.md").write_bytes("# Caf\xe9\n".encode("latin-1"))
    (tmp_path / "0002-latin.md").write_bytes(
        "---\nstatus: accepted\narchgate: {}\n---\n# Caf\xe9\n".encode("latin-1")
    )
    log = load_log(tmp_path, root=tmp_path)
    assert [e.file for e in log.warnings] == ["0001-latin.md"]
    assert [e.file for e in log.errors] == ["0002-latin.md"]
    assert "not UTF-8 text" in str(log.errors[0])


def test_yaml_bomb_in_a_gated_adr_stops_pytest_quickly(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    pytester.makeini("[pytest]\n")
    folder = pytester.path / "adr"
    folder.mkdir()
    (folder / "0001-bomb.md").write_text(
        "---\nstatus: accepted\narchgate:\n  decision: a\n  weights: &w {x: *w}\n---\n# B\n",
        encoding="utf-8",
    )
    (folder / "0002-record.md").write_text(f"---\n{laughs(9, 9)}---\n# R\n", encoding="utf-8")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    start = time.perf_counter()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert time.perf_counter() - start < 60
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*adr/0001-bomb.md:5: front matter: recursive YAML alias *w refers to itself*"]
    )
    assert "RecursionError" not in result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


# --------------------------------------------------------------------------------------------
# property (a): generated ADR files parse or raise AdrError, in bounded time

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40)
_WORDS = st.sampled_from(
    [
        "accepted",
        "Accepted.",
        "✅ Accepted",
        "superseded by [ADR-0002](0002-x.md)",
        "Superseded by ADR 2",
        "{ accepted }",
        "{proposed | accepted}",
        "[accepted]",
        "acepted",
        "",
        "**Status:** Accepted | **Date:** 2021",
        "> Approved",
    ]
)
_FRONT_LINES = st.one_of(
    st.builds(lambda w: f"status: {w}", _WORDS),
    st.builds(lambda t: f"title: {t!r}", _TEXT),
    st.just("archgate:\n  decision: a\n  acceptance:\n    x: '>= 1'"),
    st.just("archgate: [a"),
    st.just("a: &a [*a]"),
    st.builds(lambda n: "x: " + "[" * n + "]" * n, st.integers(0, 3000)),
    st.builds(lambda n, w: laughs(n, w), st.integers(1, 9), st.integers(1, 9)),
    st.builds(lambda t: f"id: {t!r}", _TEXT),
    st.just("date: 2024-02-30"),
    _TEXT,
)
_BODY_LINES = st.one_of(
    st.builds(lambda t: f"# {t}", _TEXT),
    st.builds(lambda t: f"## {t}", _TEXT),
    st.just("## Status"),
    _WORDS,
    st.builds(lambda w: f"- Status: {w}", _WORDS),
    st.builds(lambda w: f"| Status | {w} |", _WORDS),
    st.just("| Status | Date |\n|---|---|\n| Accepted | 2021 |"),
    st.just("```"),
    st.builds(
        lambda c, n: c * n, st.sampled_from(list("#[]()|>-*`~ =:✅a")), st.integers(0, 200_000)
    ),
    _TEXT,
)


@st.composite
def adr_files(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(
        st.sampled_from(
            ["0001-x.md", "ADR-002-y.md", "odd name.md", "20200101-z.md", "0003-r.rst", "a.rst"]
        )
    )
    parts: list[str] = []
    if draw(st.booleans()):
        parts.append("---")
        parts += draw(st.lists(_FRONT_LINES, max_size=6))
        if draw(st.integers(0, 4)):
            parts.append("---")
    if name.endswith(".rst") and draw(st.booleans()):
        parts.append(".. archgate:\n   decision: a\n   acceptance:\n     x: '>= 1'")
    parts += draw(st.lists(_BODY_LINES, max_size=12))
    return name, "\n".join(parts) + draw(st.sampled_from(["", "\n", "\r\n"]))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(adr_files())
def test_generated_adr_files_parse_or_raise_adr_error_in_bounded_time(
    case: tuple[str, str],
) -> None:
    name, text = case
    with tempfile.TemporaryDirectory(prefix="archgate-prop-") as tmp:
        folder = Path(tmp)
        path = folder / name
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        start = time.perf_counter()
        problem: AdrError | None = None
        try:
            parse_adr(path, root=folder)
        except AdrError as exc:
            problem = exc
        assert problem is None or problem.file == name
        log = load_log(folder, root=folder)
        elapsed = time.perf_counter() - start
        assert len(log.adrs) + len(log.errors) + len(log.warnings) >= 1 or path.suffix not in (
            ".md",
            ".rst",
        )
        assert elapsed < 2 * BOUND_S, f"{elapsed:.2f} s for {len(text)} characters"
