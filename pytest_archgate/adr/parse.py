"""Finding and parsing Architecture Decision Records.

The formats and styles real decision logs use are read, because teams already have decision logs
and should not have to rewrite them to adopt archgate:

* MADR 4: YAML front matter (``status``, ``date``, ``decision-makers``...), title in ``# ``; MADR
  template placeholders that survived (``status: { accepted }``) are read as the word inside.
* adr-tools (Nygard): ``# 3. Title``, a ``Date:`` line and a ``## Status`` section whose first
  paragraph is the status (``Accepted``, ``Superseded by [5. ...](0005-...md)``, the
  ``Superceded`` spelling adr-tools writes, emoji such as ``✅ Accepted``, a blockquote, a table).
* log4brains (and MADR 2/3): ``- Status: accepted`` / ``* Status: ...`` bullets below the title,
  and the plain or bold line forms (``Status: Accepted``, ``**Status:** Accepted | **Date:** ...``).
* tables: key/value rows (``| Status | Approved |``) and header-row tables
  (``| Status | Date |`` then ``| Accepted | 2021-05-01 |``).
* reStructuredText (``*.rst``, see :mod:`pytest_archgate.adr.rst_format`).

The machine-readable part of a decision lives under one front-matter key, ``archgate:``, so an
ADR stays a valid file of its own format. Line numbers of the front-matter keys are kept so that
errors and CI annotations can point at the criterion that failed.

Problems are split by what they affect (see :class:`AdrLog`): a file with an ``archgate:`` block
takes part in gating, so any problem in it is an error; a file used only as a record (no
``archgate:`` block) that cannot be read is a warning, so that a decision log kept in another
style never stops a test suite.

Every pattern applied to file content is linear: the regular expressions below are anchored and
have no nested or overlapping quantifiers, and the rest of the parsing is plain string methods.
YAML is checked event by event (depth, aliases, expanded size) before it is composed, so a
hostile front matter cannot make parsing exponential or recursive.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from pytest_archgate.adr.criteria import Criterion, Kind, check_archgate_block, parse_criterion
from pytest_archgate.errors import AdrError, CriterionError, UnknownAdrError
from pytest_archgate.measure.estimate import short_repr

STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
DEFAULT_ADR_DIR = "adr"
FALLBACK_ADR_DIRS = ("docs/adr", "doc/adr", "docs/decisions")
ARCHGATE_KEYS = (
    "decision",
    "baseline",
    "options",
    "constraints",
    "acceptance",
    "weights",
    "cost",
    "family",
)
ADR_SUFFIXES = (".md", ".rst")
MAX_ADR_BYTES = 1 << 20
"""An ADR file larger than this (1 MiB) is refused: decision records are prose, not data."""
YAML_MAX_DEPTH = 50
YAML_MAX_ALIASES = 100
YAML_MAX_NODES = 20_000
"""Limits on front matter: nesting depth, alias references, and nodes after alias expansion."""

# Status words and phrases as real logs write them, mapped to the five statuses. Only the first
# word (or phrase) of a status text counts: "Accepted (2021-03-01)", "Accepted on ...", "Accepted."
STATUS_WORDS: dict[str, str] = {
    "proposed": "proposed",
    "proposal": "proposed",
    "draft": "proposed",
    "pending": "proposed",
    "open": "proposed",
    "in progress": "proposed",
    "in-progress": "proposed",
    "work in progress": "proposed",
    "wip": "proposed",
    "under review": "proposed",
    "in review": "proposed",
    "under discussion": "proposed",
    "on hold": "proposed",  # put aside before it was taken: not in force, not decided against
    "accepted": "accepted",
    "approved": "accepted",
    "adopted": "accepted",
    "agreed": "accepted",
    "rejected": "rejected",
    "declined": "rejected",
    "deprecated": "deprecated",
    "reverted": "deprecated",
    "retired": "deprecated",
    "obsolete": "deprecated",
    "superseded": "superseded",
    "superceded": "superseded",
    "partly superseded": "superseded",
    "partially superseded": "superseded",
}
_MAX_PHRASE_WORDS = 3
_MAX_STATUS_CHARS = 4096
_MAX_TITLE_CHARS = 1000

# Names that are never decisions, after any leading number is removed (``000-index.md``).
_NOT_ADR_STEMS = {"readme", "index", "toc", "table-of-contents", "contents", "_sidebar", "summary"}
_TEMPLATE_WORDS = {"template", "adr", "madr", "short", "lite", "bare", "minimal", "full", "nygard"}
_NUMBERED_NOT_ADR_STEMS = {"readme", "index", "toc", "table-of-contents", "contents"}

# Every pattern here is anchored and linear (no nested or overlapping quantifiers).
_NUMBER_RE = re.compile(r"^(\d{1,5})(?=$|[-_. ])")
_DATE_PREFIX_RE = re.compile(r"^(\d{8}|\d{4}-\d{2}-\d{2})(?=$|[-_. ])")
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING_RE = re.compile(r"^#[ \t]+(\S.*)$")
_SECTION_RE = re.compile(r"^##[ \t]+(\S.*)$")
_ADR_TOOLS_TITLE_RE = re.compile(r"^\d{1,5}\.\s+")
_ADR_TITLE_PREFIX_RE = re.compile(
    r"^adr[-_ ]?\d{1,5}(?:[ \t]*[.:)\u2013\u2014-]|[ \t])[ \t]*", re.I
)
_ID_RE = re.compile(r"^(?:adr[-_ ]?|#)?0*(\d{1,5})$", re.IGNORECASE)
_REF_RE = re.compile(r"^(?:adr[-_ ]?|#)?\d{1,5}(?![\w])", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SEPARATORS = "-_. "


@dataclass(frozen=True, eq=False)
class Adr:
    """One parsed decision record."""

    id: str
    title: str
    path: Path
    file: str  # path as shown to users (relative to the project root where possible)
    status: str  # one of STATUSES or "unknown"
    status_raw: str | None = None
    status_line: int | None = None
    superseded_by: str | None = None  # raw reference as written (id, stem, or link target)
    number: int | None = None
    stem: str = ""
    date: str | None = None
    format: str = "plain"
    front_matter: Mapping[str, Any] = field(default_factory=dict)
    has_archgate: bool = False
    archgate_line: int | None = None
    decision: str | None = None
    baseline: str | None = None
    options: tuple[str, ...] = ()
    acceptance: tuple[Criterion, ...] = ()
    constraints: tuple[Criterion, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)
    cost: Mapping[str, Any] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict)
    family: str = "none"  # "holm": family-wise error over the confidence criteria (family.py)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return self.acceptance + self.constraints

    @property
    def enforced(self) -> bool:
        return self.status == "accepted"

    def summary(self) -> dict[str, Any]:
        """The JSON shape ``archgate list --format json`` prints for one ADR."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "status_raw": self.status_raw,
            "file": self.file,
            "date": self.date,
            "format": self.format,
            "superseded_by": self.superseded_by,
            "decision": self.decision,
            "baseline": self.baseline,
            "options": list(self.options),
            "acceptance": [c.to_json() for c in self.acceptance],
            "constraints": [c.to_json() for c in self.constraints],
        }


class DuplicateAdrIdError(AdrError):
    """Several files of one log read as the same ADR id."""


# --------------------------------------------------------------------------------------------
# discovery


def number_from_stem(stem: str) -> int | None:
    """The ADR number a file name carries, or None.

    ``0001-x``, ``001-x``, ``1-x``, ``ADR001-x``, ``ADR-001-x``, ``adr_001-x`` and a project prefix
    that names the ADR (``ODH-ADR-Operator-0001-x``) give 1; date prefixes (``20200101-x``,
    ``2020-01-01-x``) and numbers inside words (``use-python3``) give None.
    """
    if _DATE_PREFIX_RE.match(stem):
        return None
    start = 0
    limit = min(len(stem), 120)
    while start < limit and not stem[start].isdigit():
        start += 1
    if start >= limit:
        return None
    end = start
    while end < len(stem) and stem[end].isdigit():
        end += 1
    if end - start > 5 or (end < len(stem) and stem[end] not in _SEPARATORS):
        return None
    prefix = stem[:start]
    if prefix:
        if not all(c.isascii() and (c.isalpha() or c in _SEPARATORS) for c in prefix):
            return None
        tokens = [t.lower() for t in re.split(r"[-_. ]", prefix) if t]
        if not tokens or not any(t in ("adr", "adrs") for t in tokens):
            return None
    return int(stem[start:end])


def _strip_number(stem: str) -> str:
    m = _NUMBER_RE.match(stem)
    return stem[m.end() :].lstrip(_SEPARATORS) if m else stem


def is_adr_file(path: Path) -> bool:
    """``*.md`` and ``*.rst`` files, except README/index/table-of-contents files and templates."""
    name = path.name.lower()
    suffix = next((s for s in ADR_SUFFIXES if name.endswith(s)), None)
    if suffix is None:
        return False
    stem = name[: -len(suffix)]
    if stem in _NOT_ADR_STEMS:
        return False
    if _NUMBER_RE.match(stem) and _strip_number(stem) in _NUMBERED_NOT_ADR_STEMS:
        return False
    if "template" in stem:
        # "adr-template.md", "adr-short-template.md", "0000-adr-template.md"; other numbered or
        # dated files are decisions about templates ("0007-prompt-template-engine.md")
        numbered = _DATE_PREFIX_RE.match(stem) is not None or number_from_stem(stem) is not None
        if not numbered:
            return False
        rest = _DATE_PREFIX_RE.sub("", stem) if _DATE_PREFIX_RE.match(stem) else stem
        rest = _strip_number(rest.lstrip(_SEPARATORS))
        tokens = {t for t in re.split(r"[-_. ]", rest) if t}
        return not (tokens and tokens <= _TEMPLATE_WORDS)
    return True


def find_adr_dir(rootdir: Path, configured: str | None = None) -> Path | None:
    """The ADR folder for a project rooted at ``rootdir``.

    ``configured`` (from ``--archgate-adr-dir`` / the ini option) wins; the default ``adr`` falls
    back to the first existing of ``docs/adr``, ``doc/adr``, ``docs/decisions``. Returns the
    configured path even when it does not exist (the caller reports that), or None when the
    default and every fallback are missing.
    """
    if configured and configured != DEFAULT_ADR_DIR:
        path = Path(configured)
        return path if path.is_absolute() else rootdir / path
    for candidate in (DEFAULT_ADR_DIR, *FALLBACK_ADR_DIRS):
        path = rootdir / candidate
        if path.is_dir():
            return path
    return None


def adr_files(directory: Path) -> list[Path]:
    """The ADR files of ``directory``. Entries named like ADRs that are not regular files
    (a FIFO, a device) are listed too: reading them fails with a clear error instead of
    blocking, and a decision never disappears from the log without a word. Dangling links and
    hidden special files are left out (an editor's lock link such as ``.#0001-x.md``)."""
    return sorted(p for p in directory.iterdir() if is_adr_file(p) and _listed(p))


def _listed(path: Path) -> bool:
    if path.is_file():
        return True
    return path.exists() and not path.is_dir() and not path.name.startswith(".")


# --------------------------------------------------------------------------------------------
# reading and YAML


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(_resolved(root)).as_posix()
        except ValueError:
            pass
    return str(path)


@functools.lru_cache(maxsize=32)
def _resolved(root: Path) -> Path:
    """``root.resolve()``, once per root: it is asked for every ADR file of a log."""
    return root.resolve()


_UNICODE_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _encoding_problem(data: bytes) -> str | None:
    """Why ``data`` is not an ADR's UTF-8 text: a UTF-16/32 byte order mark or a NUL byte.

    Both decode or half-decode as something else (UTF-16 is full of NUL bytes), so they are
    named before decoding: "not UTF-8" alone would not tell the author what to do.
    """
    for bom, name in _UNICODE_BOMS:
        if data.startswith(bom):
            return f"file is {name} (it starts with a {name} byte order mark); save it as UTF-8"
    nul = data.find(b"\x00")
    if nul >= 0:
        return (
            f"file contains a NUL byte at offset {nul}: not a text file; save it as UTF-8 "
            "without NUL bytes"
        )
    return None


def read_adr_text(path: Path, *, file: str) -> str:
    """The text of an ADR file; :class:`AdrError` when it is too large, unreadable, not a
    regular file (read without blocking, see :func:`~.report_load.read_regular`), UTF-16 or
    otherwise not UTF-8, or holds NUL bytes."""
    from pytest_archgate.errors import ReportError
    from pytest_archgate.safe_io import read_regular

    try:
        data = read_regular(path, MAX_ADR_BYTES, "ADR file")
    except ReportError as exc:
        message = exc.message
        if "more than the" in message:
            message = (
                f"file is larger than {MAX_ADR_BYTES // 1024} KiB; an ADR is prose, keep data "
                "elsewhere"
            )
        elif message.startswith("cannot read ADR file: "):
            message = "cannot read: " + message[len("cannot read ADR file: ") :]
        raise AdrError(message, file=file) from None
    problem = _encoding_problem(data)
    if problem is not None:
        raise AdrError(problem, file=file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AdrError(f"not UTF-8 text ({exc.reason})", file=file) from None
    return text[1:] if text.startswith("\ufeff") else text


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """Split ``text`` into (front matter or None, its first line, body, body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return None, 0, text, 1
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n").rstrip() in ("---", "..."):
            return "".join(lines[1:i]), 2, "".join(lines[i + 1 :]), i + 2
    return None, 0, text, 1  # an unterminated '---' is a Markdown rule, not front matter


_ARCHGATE_KEY_RE = re.compile(r"^[\"']?archgate[\"']?[ \t]*:", re.MULTILINE)


def declares_archgate(yaml_text: str) -> bool:
    """Whether YAML text has a top-level ``archgate:`` key, read as text (works when the YAML
    itself cannot be parsed)."""
    return _ARCHGATE_KEY_RE.search(yaml_text) is not None


def _check_events(loader: Any, *, file: str, first_line: int) -> None:
    """Refuse deep nesting, recursive aliases and alias expansion beyond the limits.

    Runs on parser events, before anything is composed: a few hundred bytes of nested aliases
    would otherwise expand exponentially, and a self-referencing alias would recurse forever.
    """
    sizes: dict[str, int] = {}
    stack: list[tuple[str | None, int]] = []  # (anchor, nodes so far) of each open collection
    open_anchors: set[str] = set()
    aliases = 0
    total = 0

    def fail(message: str, event: Any) -> AdrError:
        mark = getattr(event, "start_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        return AdrError(message, file=file, line=line, field="front matter")

    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= YAML_MAX_DEPTH:
                raise fail(f"front matter is nested deeper than {YAML_MAX_DEPTH} levels", event)
            stack.append((event.anchor, 0))
            if event.anchor:
                open_anchors.add(event.anchor)
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, count = stack.pop()
            size = count + 1
            if anchor:
                sizes[anchor] = size
                open_anchors.discard(anchor)
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if event.anchor in open_anchors:
                raise fail(f"recursive YAML alias *{event.anchor} refers to itself", event)
            if aliases > YAML_MAX_ALIASES:
                raise fail(f"front matter uses more than {YAML_MAX_ALIASES} YAML aliases", event)
            size = sizes.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor:
                sizes[event.anchor] = 1
        else:
            continue
        total += size
        if total > YAML_MAX_NODES:
            raise fail(
                f"front matter expands to more than {YAML_MAX_NODES} YAML nodes "
                "(aliases of aliases?)",
                event,
            )
        if stack:
            anchor, count = stack[-1]
            stack[-1] = (anchor, count + size)


def _load_yaml(fm: str, *, file: str, first_line: int) -> tuple[Any, yaml.Node | None]:
    """Parse front matter. Every problem, whatever PyYAML raises, becomes an :class:`AdrError`."""
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = None
    try:
        loader = loader_cls(fm)
        _check_events(loader, file=file, first_line=first_line)
        loader.dispose()
        loader = loader_cls(fm)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except AdrError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else None
        problem = exc.problem or str(exc)
        raise AdrError(
            f"front matter is not valid YAML: {problem}", file=file, line=line, field="front matter"
        ) from None
    except yaml.YAMLError as exc:
        raise AdrError(
            f"front matter is not valid YAML: {exc}", file=file, field="front matter"
        ) from None
    except RecursionError:
        raise AdrError(
            "front matter is nested too deeply to read",
            file=file,
            line=first_line,
            field="front matter",
        ) from None
    except (ValueError, TypeError, OverflowError, MemoryError) as exc:
        # e.g. a date such as 2024-02-30, which the YAML timestamp constructor refuses
        raise AdrError(
            f"front matter cannot be read: {exc}", file=file, line=first_line, field="front matter"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def _mapping_items(node: yaml.Node | None) -> list[tuple[yaml.Node, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        return list(node.value)
    return []


def _key_lines(
    node: yaml.Node | None, first_line: int, *, file: str, path: str = "", depth: int = 0
) -> dict[str, int]:
    """Line numbers of every mapping key, by dotted path; rejects duplicate keys."""
    out: dict[str, int] = {}
    seen: set[str] = set()
    if depth > YAML_MAX_DEPTH:
        return out
    for key_node, value_node in _mapping_items(node):
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        dotted = f"{path}.{key}" if path else key
        line = first_line + key_node.start_mark.line
        if key in seen and isinstance(key_node, yaml.ScalarNode):
            raise AdrError(
                f"key {key!r} appears twice; YAML would silently keep only the last one",
                file=file,
                line=line,
                field=dotted,
            )
        seen.add(key)
        out.setdefault(dotted, line)
        if len(out) > YAML_MAX_NODES:
            break
        for k, v in _key_lines(
            value_node, first_line, file=file, path=dotted, depth=depth + 1
        ).items():
            out.setdefault(k, v)
    return out


def _node_text(fm: str, node: yaml.Node) -> str:
    """The source text of a YAML node (``{ accepted }`` as written, never a Python repr)."""
    lines = fm.splitlines()
    start, end = node.start_mark, node.end_mark
    if start.line >= len(lines):
        return ""
    if start.line == end.line:
        return lines[start.line][start.column : end.column].strip()
    parts = [lines[start.line][start.column :]]
    parts.extend(lines[start.line + 1 : min(end.line, len(lines))])
    if end.line < len(lines):
        parts.append(lines[end.line][: end.column])
    return " ".join(p.strip() for p in parts if p.strip())


# --------------------------------------------------------------------------------------------
# status text


def _links(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(label, target, start, end) of each ``[label](target ...)`` Markdown link.

    One pass: every search starts after the previous one, and a link target is looked for in
    a bounded window, so the cost is linear in the text whatever it holds.
    """
    pos = 0
    paren = -1  # the next ")" at or after the current target, found once per position
    while True:
        close = text.find("]", pos)
        if close < 0:
            return
        open_ = text.rfind("[", pos, close)
        if open_ >= 0 and text.startswith("(", close + 1):
            if paren < close + 2:
                paren = text.find(")", close + 2)
                if paren < 0:
                    return
            end = paren if paren - close <= 2048 else -1
            inner = text[close + 2 : end] if end >= 0 else ""
            target = inner.split(maxsplit=1)
            if end >= 0 and target and "\n" not in inner:
                yield text[open_ + 1 : close], target[0], open_, end + 1
                pos = end + 1
                continue
        pos = close + 1


def _strip_md(text: str) -> str:
    """Markdown links replaced by their label; emphasis and code markers removed."""
    if "](" in text:
        out: list[str] = []
        last = 0
        for label, _target, start, end in _links(text):
            out.append(text[last:start])
            out.append(label)
            last = end
        out.append(text[last:])
        text = "".join(out)
    if text.count("~~") >= 2 and text.count("~~") % 2 == 0:
        text = "".join(text.split("~~")[0::2])  # ~~struck-through~~ words are not read
    return text.replace("**", "").replace("__", "").replace("`", "").strip().strip("*_").strip()


def _status_word(text: str) -> tuple[str, int] | None:
    """(status, index after the status phrase) for a status text, or None.

    The text's first word or phrase counts (letters and inner hyphens: ``accepted-ish`` is one
    word, not a status); decorations before it (emoji, ``>``, bullets, braces) are skipped,
    digits are not (``2021 accepted`` is not a status).
    """
    i = 0
    n = min(len(text), 2000)
    while i < n and not text[i].isalnum():
        i += 1
    if i >= n or text[i].isdigit():
        return None
    words: list[re.Match[str]] = []
    for m in _WORD_RE.finditer(text, i, min(n, i + 200)):
        words.append(m)
        if len(words) == _MAX_PHRASE_WORDS:
            break
    for size in range(len(words), 0, -1):
        phrase = " ".join(w.group(0).lower() for w in words[:size])
        status = STATUS_WORDS.get(phrase)
        if status is not None:
            return status, words[size - 1].end()
    return None


def _reference(rest: str) -> str | None:
    """The successor named after a supersede word: ``by X``, or a reference such as
    ``ADR-002``, ``ADR025``, ``ADR 25``, ``#25`` (plain text; links are read by the caller)."""
    rest = rest.lstrip(" \t:-,\u2013\u2014")
    lower = rest.lower()
    by = False
    for lead in ("by ", "by:", "with ", "in favour of ", "in favor of "):
        if lower.startswith(lead):
            rest, by = rest[len(lead) :].lstrip(" \t:"), True
            break
    m = _REF_RE.match(rest)
    if m:
        return m.group(0)
    if by:
        word = rest.split(maxsplit=1)[0].rstrip(".,;:)") if rest.strip() else ""
        return word or None
    return None


def normalise_status(raw: str | None) -> tuple[str, str | None]:
    """(normalised status, successor reference or None) for a raw status text.

    Case, emphasis, emoji or other decorations before the word, and anything after the status
    word or phrase (a date, punctuation, a note) do not matter; synonyms are read
    (:data:`STATUS_WORDS`). A MADR placeholder listing alternatives
    (``{proposed | rejected | accepted}``) was never filled in: ``unknown``.
    """
    if raw is None:
        return "unknown", None
    text = raw.strip()[:_MAX_STATUS_CHARS]  # the word and its successor are at the start
    if not text or (text.startswith("{") and "|" in text):
        return "unknown", None
    plain = _strip_md(text)
    found = _status_word(plain)
    if found is None:
        return "unknown", None
    status, end = found
    if status != "superseded":
        return status, None
    for _label, target, _start, _end in _links(text):
        return "superseded", target
    return "superseded", _reference(plain[end:])


# --------------------------------------------------------------------------------------------
# Markdown body


def outside_fences(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(index, line) of the Markdown lines outside fenced code blocks (``` and ~~~)."""
    in_fence, fence = False, ""
    for index, line in enumerate(lines):
        head = line[:6]
        fence_match = _FENCE_RE.match(head) if ("`" in head or "~" in head) else None
        if fence_match:
            marker = fence_match.group(1)
            if not in_fence:
                in_fence, fence = True, marker
                continue
            if marker == fence:
                in_fence = False
                continue
        if not in_fence:
            yield index, line


def _heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading (``## Status ##``), without regular expressions."""
    s = line.lstrip(" ")
    if len(line) - len(s) > 3 or not s.startswith("#"):
        return None
    level = len(s) - len(s.lstrip("#"))
    if level > 6:
        return None
    rest = s[level:]
    if rest and rest[0] not in " \t":
        return None
    text = rest.strip()
    closed = text.rstrip("#")
    if closed != text and (not closed or closed[-1] in " \t"):
        text = closed.rstrip()
    return (level, text) if text else None


def _section_name(text: str) -> str:
    """``2. Status:`` -> ``status``: emphasis, numbering and a trailing colon removed."""
    name = _strip_md(text).lower()
    i = 0
    while i < len(name) and (name[i].isdigit() or name[i] in ".)"):
        i += 1
    if i and (i == len(name) or name[i] in " \t"):
        name = name[i:]
    return name.strip().rstrip(":").strip()


def _key_values(line: str) -> tuple[bool, list[tuple[str, str]]]:
    """(is a bullet, [(key, value)]) of a metadata line: ``- Status: accepted``,
    ``Status: Accepted``, ``> Status: Accepted``, ``**Status:** Accepted | **Date:** ...``."""
    s = line.strip().lstrip("> \t")
    bullet = s[:1] in ("-", "*", "+") and s[1:2] in (" ", "\t")
    if bullet:
        s = s[2:].lstrip()
    segments = s.split("|") if "|" in s and not s.startswith("|") else [s]
    pairs = []
    for seg in segments:
        seg = seg.strip()
        colon = seg.find(":")
        if colon <= 0 or colon > 40:
            continue
        key = seg[:colon].strip().strip("*_`").strip().lower()
        value = seg[colon + 1 :].lstrip().lstrip("*_").rstrip().rstrip("*_").strip()
        pairs.append((key, value))
    return bullet, pairs


def _table_cells(line: str) -> list[str] | None:
    s = line.strip()
    if not s.startswith("|"):
        return None
    if s.count("|") > _MAX_TABLE_CELLS:
        return None  # not a metadata table
    s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.strip() for c in s.replace("\\|", "\x00").split("|")]


_MAX_TABLE_CELLS = 64
_MAX_TABLE_ROWS = 64


def _is_separator(cells: list[str]) -> bool:
    return bool(cells) and all(c.strip(":") and set(c.strip(":")) == {"-"} for c in cells)


def _cell_key(cell: str) -> str:
    return _strip_md(cell).strip().rstrip(":").strip().lower()


def _table_values(rows: list[tuple[int, list[str]]], key: str) -> list[tuple[str, int]]:
    """Values of ``key`` in a Markdown table, as (text, line): from a header-row table (the
    column named ``key``, first data row) and from key/value rows (``| Status | Approved |``)."""
    found: list[tuple[str, int]] = []
    if len(rows) >= 3 and _is_separator(rows[1][1]):
        header, (line, data) = rows[0][1], rows[2]
        for j, cell in enumerate(header):
            if _cell_key(cell) == key and j < len(data) and data[j]:
                found.append((data[j].replace("\x00", "|"), line))
    for line, cells in rows:
        if _is_separator(cells):
            continue
        for j in range(len(cells) - 1):
            if _cell_key(cells[j]) == key and cells[j + 1]:
                found.append((cells[j + 1].replace("\x00", "|"), line))
    return found


def _pick_status(candidates: list[tuple[str, int]]) -> tuple[str, int] | None:
    """The first candidate that reads as a status, else the first one."""
    for text, line in candidates:
        if normalise_status(text)[0] != "unknown":
            return text, line
    return candidates[0] if candidates else None


def _scan_body(
    body: str, first_line: int, *, need_status: bool = True, every_status: bool = False
) -> dict[str, Any]:
    """Title, status and date from the Markdown body, skipping fenced code blocks.

    Status sources: a ``Status`` section (any heading level after the title, numbered or not:
    its first paragraph, a table in it, or a ``Status:`` line), then metadata lines before the
    first section (``- Status:`` bullets, ``Status:`` lines, bold and blockquoted forms), then
    tables before the first section. Stops at a section once it has the title and either has
    the status or does not need it: long ADR bodies are not scanned to the end on every pytest
    start. With ``every_status`` (files that take part in gating) the whole body is scanned and
    every status it states is kept in ``found["status_all"]`` as (text, line), so that two
    statuses that disagree can be refused (see :func:`_check_status_conflict`).
    """
    found: dict[str, Any] = {}
    section: str | None = None
    para: list[tuple[int, str]] = []
    table: list[tuple[int, list[str]]] = []
    pre_tables: list[tuple[str, int]] = []
    pre_dates: list[tuple[str, int]] = []
    seen_section = False
    every: list[tuple[str, int]] = []
    section_read = False  # the first paragraph of the current Status section was read

    def end_table() -> None:
        del table[_MAX_TABLE_ROWS:]
        if table and section is None:
            pre_tables.extend(_table_values(table, "status"))
            pre_dates.extend(_table_values(table, "date"))
        table.clear()

    def end_para() -> None:
        nonlocal section_read
        if section == "status" and para and not section_read:
            section_read = True
            if "status_section" not in found:
                _status_paragraph(para, found)
                if every_status:
                    every.append((found["status_section"], found["status_section_line"]))
            elif every_status:
                more: dict[str, Any] = {}
                _status_paragraph(para, more)
                if "status_section" in more:
                    every.append((more["status_section"], more["status_section_line"]))
        para.clear()

    for offset, line in outside_fences(body.splitlines()):
        lineno = first_line + offset
        if not line or line.isspace():
            end_table()
            if para:
                end_para()
            continue
        head = _heading(line)
        if head is not None:
            level, text = head
            end_table()
            if level == 1 and "title" not in found and section is None and not seen_section:
                # the title heads the document: an "# " heading far down, after the sections
                # began, heads an option or an appendix
                found["title"], found["title_line"] = text, lineno
                continue
            seen_section = True
            end_para()
            have_status = any(k in found for k in ("status_section", "status_bullet", "status_kv"))
            if (
                "title" in found
                and not every_status
                and (not need_status or have_status or pre_tables)
            ):
                break
            section = _section_name(text)
            section_read = False
            continue
        cells = _table_cells(line)
        if cells is not None and section is None:
            table.append((lineno, cells))
            continue
        end_table()
        if section == "status" and not section_read:
            if line.strip():
                para.append((lineno, line))
            elif para:
                end_para()
            continue
        if section is None and ":" in line:
            bullet, pairs = _key_values(line)
            for key, value in pairs:
                if key not in ("status", "date"):
                    continue
                kind = f"{key}_bullet" if bullet else f"{key}_kv"
                if kind not in found:
                    found[kind], found[f"{kind}_line"] = value, lineno
                if key == "status" and every_status:
                    every.append((value, lineno))
    end_table()
    end_para()
    if "status_bullet" not in found and "status_kv" not in found and pre_tables:
        picked = _pick_status(pre_tables)
        if picked is not None:
            found["status_table"], found["status_table_line"] = picked
            every.append(picked)
    if every_status:
        found["status_all"] = every
    if pre_dates and "date_kv" not in found and "date_bullet" not in found:
        found["date_table"] = pre_dates[0][0]
    if "date_kv" in found:
        found["date_line"] = found["date_kv"]
    return found


def _status_paragraph(para: list[tuple[int, str]], found: dict[str, Any]) -> None:
    """The status from the first paragraph of a ``Status`` section."""
    rows = [(n, c) for n, c in ((n, _table_cells(t)) for n, t in para) if c is not None]
    if rows and len(rows) == len(para):
        picked = _pick_status(_table_values(rows, "status") or [(rows[0][1][0], rows[0][0])])
        if picked is not None:
            found["status_section"], found["status_section_line"] = picked
        return
    lines = []
    for _n, text in para:
        lines.append(text.strip().lstrip("> \t"))
    text = " ".join(s for s in lines if s)
    _bullet, pairs = _key_values(lines[0]) if ":" in lines[0] else (False, [])
    if pairs and pairs[0][0] == "status":
        text = pairs[0][1]
    found["status_section"], found["status_section_line"] = text, para[0][0]


# --------------------------------------------------------------------------------------------
# one file


def _status_node(root: yaml.Node | None) -> yaml.Node | None:
    for key_node, value_node in _mapping_items(root):
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == "status":
            return value_node
    return None


def _placeholder_text(fm: str | None, node: yaml.Node | None, value: Any) -> str:
    """A non-string front-matter value as the person wrote it (``{ accepted }``)."""
    if fm is not None and node is not None:
        text = _node_text(fm, node)
        if text:
            return text
    return str(value)


def _comment_title(fm: str | None) -> str | None:
    """A title written as the first comment of the front matter, where MADR's template has its
    ``# These are optional elements...`` line (``# Restructure of the samples``)."""
    if not fm:
        return None
    for line in fm.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            return None
        text = s.lstrip("#").strip()
        if text and "optional element" not in text.lower():
            return text
        return None
    return None


_YAML_KINDS = {
    "dict": "mapping",
    "list": "list",
    "int": "number",
    "float": "number",
    "bool": "boolean (yes/no/true/false)",
    "date": "date",
    "datetime": "date",
}


def _allowed_statuses() -> str:
    return f"{', '.join(STATUSES)} (or a synonym such as approved, draft, declined, retired)"


def _shortened(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for a message (a status line may be 100 KB)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_gated_status(
    status: str, raw: str | None, line: int | None, *, file: str, archgate_line: int | None
) -> None:
    """An ADR with an archgate block takes part in gating: its status must be readable.

    A typo (``acepted``), a list or mapping (``[accepted]``, ``{value: accepted}``), a number or
    nothing at all would otherwise load as ``unknown``, which is never enforced: a silent pass.
    """
    if raw is None or not raw.strip():
        raise AdrError(
            f"no status; an ADR with an archgate block needs one of {_allowed_statuses()}: "
            "without one it is never enforced",
            file=file,
            line=line or archgate_line,
            field="status",
        )
    if raw.lstrip()[:1] in ("[", "{") or status == "unknown":
        words = [w for w in re.split(r"[^A-Za-z]+", raw.lower()[:200]) if len(w) >= 4][:3]
        close = [
            m
            for w in words
            for m in difflib.get_close_matches(w, list(STATUS_WORDS), n=1, cutoff=0.75)
        ]
        hint = f"; did you mean {close[0]}?" if close else ""
        raise AdrError(
            f"status {short_repr(raw)} is not one of {_allowed_statuses()}: an ADR with an "
            f"archgate block is never enforced without one; write it as a plain word{hint}",
            file=file,
            line=line or archgate_line,
            field="status",
        )


def _check_status_conflict(
    front: tuple[str | None, int | None] | None,
    body: Iterable[tuple[str, int]],
    *,
    file: str,
) -> None:
    """Two statuses that read as different statuses in one gated file are a usage error.

    ``status: accepted`` in the front matter and ``## Status`` / ``Rejected`` in the body (or
    two ``Status:`` lines) leave the decision's state to whichever source the parser happens
    to prefer; the lenient reading would let a rejected decision gate, or an accepted one not
    gate. Both lines are named so the author can delete one. Statuses that agree (``accepted``
    twice, in any spelling) and texts that read as no status are not conflicts.
    """
    seen: list[tuple[str, str, int | None]] = []
    if front is not None and front[0] is not None:
        seen.append((normalise_status(front[0])[0], front[0], front[1]))
    seen.extend((normalise_status(text)[0], text, line) for text, line in body)
    known = [item for item in seen if item[0] != "unknown"]
    for status, text, line in known[1:]:
        first_status, first_text, first_line = known[0]
        if status != first_status:
            raise AdrError(
                f"two statuses that disagree: {short_repr(first_text.strip(), 60)} on line "
                f"{first_line} and {short_repr(text.strip(), 60)} on line {line}; an ADR with an "
                "archgate block needs exactly one status: delete the one that is wrong",
                file=file,
                line=line,
                field="status",
            )


def parse_adr(path: Path, *, root: Path | None = None, file: str | None = None) -> Adr:
    """Parse one ADR file. Raises :class:`AdrError` naming the file, line and field.

    ``file`` is the path shown to users; by default ``path`` relative to ``root``.
    """
    file = file if file is not None else _display(path, root)
    return _parse(path, file, {})


def _parse(path: Path, file: str, state: dict[str, bool]) -> Adr:
    """:func:`parse_adr`; sets ``state["gated"]`` as soon as the file is known to have an
    ``archgate:`` block, so that a caller can tell how serious a failure is."""
    text = read_adr_text(path, file=file)
    if path.name.lower().endswith(".rst"):
        from pytest_archgate.adr.rst_format import scan_rst

        scanned, yaml_block = scan_rst(text)
        fm_text: str | None = None
        fm_line = 0
        if yaml_block is not None:
            fm_text, fm_line = yaml_block
            state["gated"] = True
        return _assemble(path, file, scanned, fm_text, fm_line, fmt="rst", state=state)
    fm_text, fm_line, body, body_line = split_front_matter(text)
    if fm_text is None and text.startswith("---") and declares_archgate(text):
        state["gated"] = True
        raise AdrError(
            "front matter opened with '---' on line 1 is never closed with '---': its "
            "archgate block would be ignored",
            file=file,
            line=1,
            field="front matter",
        )
    if fm_text is not None and declares_archgate(fm_text):
        state["gated"] = True

    def scan(need_status: bool) -> dict[str, Any]:
        # a gated file is read whole: a second status further down must not go unseen
        every = bool(state.get("gated"))
        return _scan_body(body, body_line, need_status=need_status, every_status=every)

    return _assemble(path, file, scan, fm_text, fm_line, fmt="plain", state=state)


def _assemble(
    path: Path,
    file: str,
    scanned_or_scan: Any,
    fm_text: str | None,
    fm_line: int,
    *,
    fmt: str,
    state: dict[str, bool],
) -> Adr:
    front: Mapping[str, Any] = {}
    key_lines: dict[str, int] = {}
    node: yaml.Node | None = None
    if fm_text is not None:
        data, node = _load_yaml(fm_text, file=file, first_line=fm_line)
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise AdrError(
                f"front matter must be a mapping of keys, got {type(data).__name__}",
                file=file,
                line=fm_line,
                field="front matter",
            )
        front = data
        key_lines = _key_lines(node, fm_line, file=file)
        if fmt == "plain":
            fmt = "madr"
    gated = "archgate" in front
    if gated:
        state["gated"] = True
    if callable(scanned_or_scan):
        scanned: dict[str, Any] = scanned_or_scan(front.get("status") is None)
    else:
        scanned = scanned_or_scan

    stem = path.name.rsplit(".", 1)[0] if "." in path.name else path.name
    number = number_from_stem(stem)
    if "id" in front:
        raw_id = front["id"]
        if not isinstance(raw_id, str | int) or isinstance(raw_id, bool) or not str(raw_id):
            raise AdrError(
                f"id must be a string, got {_placeholder_text(fm_text, None, raw_id)}",
                file=file,
                line=key_lines.get("id"),
                field="id",
            )
        text_id = str(raw_id).strip()
        if number is not None and isinstance(raw_id, str) and any(c.islower() for c in text_id):
            # a documentation slug (Docusaurus "id: adrs-adr001"), not the decision's id
            adr_id = f"ADR-{number:04d}"
        else:
            adr_id = text_id
    elif number is not None:
        adr_id = f"ADR-{number:04d}"
    else:
        adr_id = stem

    # status: front matter, then a Status section, then metadata lines, then a table
    status_raw: str | None = None
    status_line: int | None = None
    if "status" in front and front["status"] is not None:
        value = front["status"]
        status_line = key_lines.get("status")
        if isinstance(value, str):
            status_raw = value
        else:
            status_raw = _placeholder_text(fm_text, _status_node(node), value)
            if gated:
                yaml_kind = _YAML_KINDS.get(type(value).__name__, type(value).__name__)
                raise AdrError(
                    f"status must be a plain word, one of {_allowed_statuses()}; got "
                    f"{_shortened(status_raw)}, which YAML reads as a {yaml_kind}: an ADR with "
                    "an archgate block is never enforced without one; write e.g. "
                    "'status: accepted'",
                    file=file,
                    line=status_line,
                    field="status",
                )
    else:
        for source, kind in (
            ("status_section", "adr-tools"),
            ("status_bullet", "log4brains"),
            ("status_kv", None),
            ("status_table", None),
        ):
            if source in scanned:
                status_raw, status_line = scanned[source], scanned[f"{source}_line"]
                if kind is not None and fmt == "plain":
                    fmt = kind
                break
    status, successor = normalise_status(status_raw)
    if fmt == "plain" and "date_line" in scanned:
        fmt = "adr-tools"
    elif fmt == "plain" and "date_bullet" in scanned:
        fmt = "log4brains"

    title_raw = front.get("title")
    if isinstance(title_raw, str) and title_raw.strip():
        title = title_raw.strip()
    elif "title" in scanned:
        title = _strip_md(scanned["title"][:_MAX_TITLE_CHARS])
        if fmt in ("adr-tools", "rst") or number is not None:
            title = _ADR_TOOLS_TITLE_RE.sub("", title, count=1) or title
    else:
        title = _comment_title(fm_text) or stem
    title = _ADR_TITLE_PREFIX_RE.sub("", title, count=1).strip() or title

    date_raw = front.get("date")
    if date_raw is not None and not isinstance(date_raw, str):
        date_node = None
        for key_node, value_node in _mapping_items(node):
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "date":
                date_node = value_node
        date_raw = _placeholder_text(fm_text, date_node, date_raw).strip("{}[] ") or None
    date_raw = (
        date_raw
        or scanned.get("date_bullet")
        or scanned.get("date_line")
        or scanned.get("date_table")
    )
    date = str(date_raw) if date_raw else None

    adr = Adr(
        id=adr_id,
        title=title,
        path=path,
        file=file,
        status=status,
        status_raw=status_raw,
        status_line=status_line,
        superseded_by=successor,
        number=number,
        stem=stem,
        date=date,
        format=fmt,
        front_matter=front,
        key_lines=key_lines,
    )
    if gated:
        adr = _parse_archgate_block(adr, front["archgate"], key_lines)
        front_status = (status_raw, status_line) if isinstance(front.get("status"), str) else None
        # "Status:" or "STATUS:" beside "status:" is a second status line, not another key
        others = [
            (value, key_lines.get(key, 0))
            for key, value in front.items()
            if isinstance(key, str)
            and key != "status"
            and key.strip().lower() == "status"
            and isinstance(value, str)
        ]
        _check_status_conflict(front_status, [*others, *scanned.get("status_all", ())], file=file)
        _check_gated_status(
            status, status_raw, status_line, file=file, archgate_line=adr.archgate_line
        )
    return adr


def _as_name_list(raw: Any, *, field: str, file: str, line: int | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise AdrError(
            f"expected a list of option names, got {short_repr(raw)}",
            file=file,
            line=line,
            field=field,
        )
    names = tuple(x.strip() for x in raw)
    dupes = sorted({x for x in names if names.count(x) > 1})
    if dupes:
        raise AdrError(
            f"option(s) listed twice: {', '.join(dupes)}", file=file, line=line, field=field
        )
    return names


def _parse_archgate_block(adr: Adr, block: Any, key_lines: Mapping[str, int]) -> Adr:
    file = adr.file
    line = key_lines.get("archgate")
    if block is None:
        block = {}
    if not isinstance(block, Mapping):
        raise AdrError(
            f"archgate must be a mapping (decision, options, acceptance...), got "
            f"{type(block).__name__}",
            file=file,
            line=line,
            field="archgate",
        )
    unknown = sorted(str(k) for k in block if k not in ARCHGATE_KEYS)
    if unknown:
        bad = unknown[0]
        raise AdrError(
            f"unknown key {short_repr(bad)}; allowed: {', '.join(ARCHGATE_KEYS)}",
            file=file,
            line=key_lines.get(f"archgate.{bad}", line),
            field=f"archgate.{bad}",
        )

    def single(name: str) -> str | None:
        raw = block.get(name)
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw.strip():
            raise AdrError(
                f"expected an option name, got {short_repr(raw)}",
                file=file,
                line=key_lines.get(f"archgate.{name}", line),
                field=f"archgate.{name}",
            )
        return raw.strip()

    decision = single("decision")
    baseline = single("baseline")
    options = _as_name_list(
        block.get("options"),
        field="archgate.options",
        file=file,
        line=key_lines.get("archgate.options", line),
    )
    if options:
        for name, value in (("decision", decision), ("baseline", baseline)):
            if value is not None and value not in options:
                raise AdrError(
                    f"{value!r} is not one of archgate.options ({', '.join(options)})",
                    file=file,
                    line=key_lines.get(f"archgate.{name}", line),
                    field=f"archgate.{name}",
                )
    else:
        options = tuple(dict.fromkeys(x for x in (decision, baseline) if x is not None))

    def criteria(section: str, kind: Kind) -> tuple[Criterion, ...]:
        raw = block.get(section)
        if raw is None:
            return ()
        if not isinstance(raw, Mapping):
            raise CriterionError(
                f"expected a mapping of criterion name to spec, got {type(raw).__name__}",
                file=file,
                line=key_lines.get(f"archgate.{section}", line),
                field=f"archgate.{section}",
            )
        return tuple(
            parse_criterion(
                name,
                spec,
                kind=kind,
                options=options,
                file=file,
                line=key_lines.get(f"archgate.{section}.{name}", line),
            )
            for name, spec in raw.items()
        )

    acceptance = criteria("acceptance", "acceptance")
    constraints = criteria("constraints", "constraint")
    check_archgate_block(
        decision=decision,
        baseline=baseline,
        options=options,
        acceptance=acceptance,
        constraints=constraints,
        file=file,
        line_of=lambda key: key_lines.get(key, line),
    )

    weights_raw = block.get("weights") or {}
    weights: dict[str, float] = {}
    if not isinstance(weights_raw, Mapping):
        raise AdrError(
            "weights must map acceptance criterion names to numbers",
            file=file,
            line=key_lines.get("archgate.weights", line),
            field="archgate.weights",
        )
    names = {c.name for c in acceptance}
    for wname, wval in weights_raw.items():
        wline = key_lines.get(f"archgate.weights.{wname}", line)
        if wname not in names:
            raise AdrError(
                f"weight for {wname!r}, which is not an acceptance criterion "
                f"({', '.join(sorted(names)) or 'none defined'})",
                file=file,
                line=wline,
                field=f"archgate.weights.{wname}",
            )
        if isinstance(wval, bool) or not isinstance(wval, int | float) or not 0 <= wval <= 1e300:
            raise AdrError(
                f"weight must be a non-negative number, got {str(wval)[:40]}",
                file=file,
                line=wline,
                field=f"archgate.weights.{wname}",
            )
        weights[str(wname)] = float(wval)

    cost_raw = block.get("cost") or {}
    if not isinstance(cost_raw, Mapping):
        raise AdrError(
            "cost must be a mapping (usd_per_hour, volume_per_day, prices...)",
            file=file,
            line=key_lines.get("archgate.cost", line),
            field="archgate.cost",
        )
    from pytest_archgate.adr.cost import parse_cost

    parse_cost(cost_raw, file=file, line_of=key_lines.get, options=options)

    from pytest_archgate.adr.criteria import check_family

    try:
        family = check_family(block.get("family"), source="family")
    except ValueError as exc:
        raise AdrError(
            str(exc).removeprefix("family: "),
            file=file,
            line=key_lines.get("archgate.family", line),
            field="archgate.family",
        ) from None

    return _replace(
        adr,
        has_archgate=True,
        archgate_line=line,
        decision=decision,
        baseline=baseline,
        options=options,
        acceptance=acceptance,
        constraints=constraints,
        weights=weights,
        cost=dict(cost_raw),
        family=family,
    )


def _replace(adr: Adr, **changes: Any) -> Adr:
    return dataclasses.replace(adr, **changes)


# --------------------------------------------------------------------------------------------
# the log


def _ref_keys(ref: str | int) -> list[str]:
    """Index keys an ADR reference may match, most specific first: the text itself, a bare
    number (``2``, ``"0002"``), an id (``ADR-002``, ``ADR025``, ``ADR 25``, ``#25``), a link
    target (``./0003-foo.md#x``) and the number a file-name-like reference carries."""
    if isinstance(ref, bool):
        return []
    if isinstance(ref, int):
        return [str(ref)] if 0 <= ref < 10**6 else []
    text = str(ref).strip()
    if not text or len(text) > 500:
        return []
    keys = [text.lower()]
    m = _ID_RE.match(text)
    if m:
        keys.append(str(int(m.group(1))))
    name = text.split("#", 1)[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name:
        keys.append(name)
        stem = name.rsplit(".", 1)[0] if name.endswith(ADR_SUFFIXES) else name
        keys.append(stem)
        digits = len(stem) - len(stem.rstrip("0123456789"))
        number = number_from_stem(stem) if 0 < digits <= 5 else None
        if number is not None:  # an id with a project prefix: "ODH-ADR-Operator-0002"
            keys.append(f"#{number}")
    return list(dict.fromkeys(keys))


@dataclass
class AdrLog:
    """All ADRs of one folder, with lookup by id, number or file stem.

    ``errors`` are problems of files that take part in gating (they have an ``archgate:``
    block, or share an id with one that has): they stop pytest. ``warnings`` are problems of
    files used only as records (unparseable front matter, placeholder templates, files that
    share a number): they are reported and never stop a test suite. ``failed`` maps the names
    of files that could not be parsed to their problem, so that a marker naming one gets that
    problem instead of "no such ADR".
    """

    directory: Path | None
    adrs: list[Adr] = field(default_factory=list)
    errors: list[AdrError] = field(default_factory=list)
    warnings: list[AdrError] = field(default_factory=list)
    failed: dict[str, AdrError] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index: dict[str, list[Adr]] = {}
        for adr in self.adrs:
            for key in self._keys(adr):
                bucket = self._index.setdefault(key, [])
                if adr not in bucket:
                    bucket.append(adr)

    @staticmethod
    def _keys(adr: Adr) -> Iterable[str]:
        yield adr.id.lower()
        yield adr.stem.lower()
        yield adr.path.name.lower()
        if adr.number is not None:
            yield str(adr.number)
            yield f"#{adr.number}"

    def __iter__(self) -> Any:
        return iter(self.adrs)

    def __len__(self) -> int:
        return len(self.adrs)

    def candidates(self, ref: str | int) -> list[Adr]:
        """Every ADR ``ref`` may name (several when files share an id or number)."""
        for key in _ref_keys(ref):
            found = self._index.get(key)
            if found:
                return list(found)
        return []

    def get(self, ref: str | int) -> Adr | None:
        """The ADR for an id (``ADR-0002``), bare number (``2``, ``"0002"``), stem or file name;
        None when there is none or the reference is ambiguous."""
        found = self.candidates(ref)
        return found[0] if len(found) == 1 else None

    def failure(self, ref: str | int) -> AdrError | None:
        """The parse problem of the file ``ref`` names, when that file could not be parsed."""
        for key in _ref_keys(ref):
            if key in self.failed:
                return self.failed[key]
        return None

    def lookup(self, ref: str | int, *, where: str | None = None) -> Adr:
        """Like :meth:`get` but raises :class:`UnknownAdrError`: for an ambiguous reference
        (naming the files), a file that cannot be parsed (naming its problem), or no match
        (with close matches)."""
        found = self.candidates(ref)
        if len(found) == 1:
            return found[0]
        if found:
            files = ", ".join(a.file for a in found)
            raise UnknownAdrError(
                f"{ref!r} is ambiguous: {files} all read as {found[0].id}; name one by its file "
                f"stem (e.g. {found[0].stem!r}) or give the files distinct numbers",
                file=where,
            )
        problem = self.failure(ref)
        if problem is not None:
            raise UnknownAdrError(
                f"{ref!r} names {problem.file}, which cannot be parsed: {problem}", file=where
            )
        known = [a.id for a in self.adrs]
        close = difflib.get_close_matches(str(ref)[:200], known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        folder = str(self.directory) if self.directory else "no ADR folder found"
        raise UnknownAdrError(f"no ADR {ref!r} in {folder} ({len(known)} ADRs){hint}", file=where)

    def successor(self, adr: Adr) -> Adr | None:
        return self.get(adr.superseded_by) if adr.superseded_by else None

    def duplicate_ids(self) -> dict[str, list[Adr]]:
        seen: dict[str, list[Adr]] = {}
        for adr in self.adrs:
            seen.setdefault(adr.id.lower(), []).append(adr)
        return {k: v for k, v in seen.items() if len(v) > 1}

    def gated_duplicate_ids(self) -> dict[str, list[Adr]]:
        """Duplicate ids where at least one of the files has an ``archgate:`` block."""
        return {k: v for k, v in self.duplicate_ids().items() if any(a.has_archgate for a in v)}


def _probe_gated(path: Path) -> bool:
    """Whether a file that could not be parsed looks like it has an ``archgate:`` block (read
    as bytes, so that it also works for files too large, UTF-16 or not UTF-8).

    A file that cannot be read at all (no permission, not a regular file) counts as gated: what
    it decides cannot be known, so it must not drop out of the gate without an error.
    """
    from pytest_archgate.errors import ReportError
    from pytest_archgate.safe_io import read_regular

    try:
        head = read_regular(path, MAX_ADR_BYTES, "ADR file", head=True)
    except ReportError:
        return True
    candidates = [head, head.replace(b"\x00", b"")]  # UTF-16/32: ASCII with NUL bytes between
    for bom, name in _UNICODE_BOMS:
        if head.startswith(bom):
            candidates.append(head.decode(name.lower(), "replace").encode("utf-8", "replace"))
    pattern = re.compile(rb"(?m)^(?:\.\.[ \t]+)?[\"']?archgate[\"']?[ \t]*:")
    return any(pattern.search(c) is not None for c in candidates)


def _file_keys(path: Path) -> list[str]:
    name = path.name.lower()
    stem = name.rsplit(".", 1)[0]
    keys = [name, stem]
    number = number_from_stem(stem)
    if number is not None:
        keys += [str(number), f"#{number}", f"adr-{number:04d}"]
    return keys


def load_log(directory: Path | None, *, root: Path | None = None) -> AdrLog:
    """Parse every ADR in ``directory``; problems are collected in ``AdrLog.errors`` (files
    that take part in gating) and ``AdrLog.warnings`` (files used only as records)."""
    if directory is None or not directory.is_dir():
        return AdrLog(directory=directory)
    adrs: list[Adr] = []
    errors: list[AdrError] = []
    warnings: list[AdrError] = []
    failed: dict[str, AdrError] = {}
    shown_dir = _display(directory, root)  # resolved once, not once per file
    for path in adr_files(directory):
        shown = path.name if shown_dir == "." else f"{shown_dir}/{path.name}"
        state: dict[str, bool] = {}
        try:
            adrs.append(_parse(path, shown, state))
        except AdrError as exc:
            gated = state.get("gated") or _probe_gated(path)
            (errors if gated else warnings).append(exc)
            for key in _file_keys(path):
                failed.setdefault(key, exc)
    adrs.sort(key=lambda a: (a.number is None, a.number or 0, a.stem))
    log = AdrLog(directory=directory, adrs=adrs, errors=errors, warnings=warnings, failed=failed)
    for _ident, group in sorted(log.duplicate_ids().items()):
        files = ", ".join(a.file for a in group)
        problem = DuplicateAdrIdError(
            f"duplicate id {group[0].id} in {files}", file=group[0].file, field="id"
        )
        (errors if any(a.has_archgate for a in group) else warnings).append(problem)
    return log


# --------------------------------------------------------------------------------------------
# lint


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LintIssue:
    """One problem of a decision log. ``error``: it breaks gating; ``warning``: log hygiene."""

    severity: Severity
    file: str
    line: int | None
    message: str  # "field: message"

    @property
    def text(self) -> str:
        """``file:line: field: message``, the form of every archgate error."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


def _issue(severity: Severity, exc: AdrError) -> LintIssue:
    field_ = f"{exc.field}: " if exc.field else ""
    return LintIssue(severity, exc.file or "?", exc.line, f"{field_}{exc.message}")


def lint_issues(log: AdrLog) -> list[LintIssue]:
    """Every problem in a decision log, with its severity."""
    issues = [_issue("error", e) for e in log.errors]
    issues += [_issue("warning", e) for e in log.warnings]
    for adr in log.adrs:
        if adr.has_archgate and not adr.criteria:
            issues.append(
                LintIssue(
                    "error",
                    adr.file,
                    adr.archgate_line or 1,
                    "archgate: no acceptance criteria or constraints: nothing can be checked",
                )
            )
        if adr.status == "accepted" and adr.has_archgate and adr.acceptance and not adr.decision:
            issues.append(
                LintIssue(
                    "error",
                    adr.file,
                    adr.archgate_line or 1,
                    "archgate.decision: an accepted ADR with criteria must name the option it "
                    "chose",
                )
            )
        if not adr.has_archgate and adr.status == "unknown" and adr.status_raw:
            issues.append(
                LintIssue(
                    "warning",
                    adr.file,
                    adr.status_line or 1,
                    f"status: {short_repr(adr.status_raw)} is not one of {', '.join(STATUSES)}; "
                    "read as "
                    "unknown",
                )
            )
        if adr.superseded_by and log.successor(adr) is None:
            severity: Severity = "error" if adr.has_archgate else "warning"
            ambiguous = len(log.candidates(adr.superseded_by)) > 1
            why = "which names several ADRs" if ambiguous else "which is not in the log"
            issues.append(
                LintIssue(
                    severity,
                    adr.file,
                    adr.status_line or 1,
                    f"status: superseded by {adr.superseded_by!r}, {why}",
                )
            )
    issues.extend(_supersede_cycles(log))
    return issues


def lint_log(log: AdrLog) -> list[str]:
    """The errors of a decision log, one line each (``file:line: field: message``; empty when
    nothing breaks gating). :func:`lint_issues` has the warnings too."""
    return [i.text for i in lint_issues(log) if i.severity == "error"]


def _supersede_cycles(log: AdrLog) -> list[LintIssue]:
    problems: list[LintIssue] = []
    reported: set[str] = set()
    for start in log.adrs:
        chain: list[Adr] = []
        seen: set[int] = set()
        cur: Adr | None = start
        while cur is not None and id(cur) not in seen:
            chain.append(cur)
            seen.add(id(cur))
            cur = log.successor(cur)
        if cur is not None and cur.id not in reported:
            cycle = chain[chain.index(cur) :]
            reported.update(a.id for a in cycle)
            path = " -> ".join(a.id for a in [*cycle, cur])
            severity: Severity = "error" if any(a.has_archgate for a in cycle) else "warning"
            problems.append(
                LintIssue(
                    severity, cur.file, cur.status_line or 1, f"status: supersede cycle {path}"
                )
            )
    return problems
