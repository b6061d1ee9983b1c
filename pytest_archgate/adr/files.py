"""Which files of a folder are decisions, where the ADR folder is, and reading one safely.

Real logs keep READMEs, indexes and templates beside their records and name files in several
ways (``0001-x.md``, ``ADR-001-x.md``, ``20200101-x.md``): the rules that tell a decision from
the rest live here, with the reading of a file as UTF-8 text under a size cap (a FIFO or a
device named like an ADR fails with a clear error instead of blocking).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from pytest_archgate.adr.folder import DEFAULT_ADR_DIR as DEFAULT_ADR_DIR
from pytest_archgate.adr.folder import FALLBACK_ADR_DIRS as FALLBACK_ADR_DIRS
from pytest_archgate.adr.folder import find_adr_dir as find_adr_dir
from pytest_archgate.errors import AdrError

ADR_SUFFIXES = (".md", ".rst")
MAX_ADR_BYTES = 1 << 20
"""An ADR file larger than this (1 MiB) is refused: decision records are prose, not data."""

# Names that are never decisions, after any leading number is removed (``000-index.md``).
_NOT_ADR_STEMS = {"readme", "index", "toc", "table-of-contents", "contents", "_sidebar", "summary"}
_TEMPLATE_WORDS = {"template", "adr", "madr", "short", "lite", "bare", "minimal", "full", "nygard"}
_NUMBERED_NOT_ADR_STEMS = {"readme", "index", "toc", "table-of-contents", "contents"}

# Every pattern here is anchored and linear (no nested or overlapping quantifiers).
NUMBER_RE = re.compile(r"^(\d{1,5})(?=$|[-_. ])")
DATE_PREFIX_RE = re.compile(r"^(\d{8}|\d{4}-\d{2}-\d{2})(?=$|[-_. ])")
_SEPARATORS = "-_. "


# --------------------------------------------------------------------------------------------
# discovery


def number_from_stem(stem: str) -> int | None:
    """The ADR number a file name carries, or None.

    ``0001-x``, ``001-x``, ``1-x``, ``ADR001-x``, ``ADR-001-x``, ``adr_001-x`` and a project prefix
    that names the ADR (``ODH-ADR-Operator-0001-x``) give 1; date prefixes (``20200101-x``,
    ``2020-01-01-x``) and numbers inside words (``use-python3``) give None.
    """
    if DATE_PREFIX_RE.match(stem):
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
    m = NUMBER_RE.match(stem)
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
    if NUMBER_RE.match(stem) and _strip_number(stem) in _NUMBERED_NOT_ADR_STEMS:
        return False
    if "template" in stem:
        # "adr-template.md", "adr-short-template.md", "0000-adr-template.md"; other numbered or
        # dated files are decisions about templates ("0007-prompt-template-engine.md")
        numbered = DATE_PREFIX_RE.match(stem) is not None or number_from_stem(stem) is not None
        if not numbered:
            return False
        rest = DATE_PREFIX_RE.sub("", stem) if DATE_PREFIX_RE.match(stem) else stem
        rest = _strip_number(rest.lstrip(_SEPARATORS))
        tokens = {t for t in re.split(r"[-_. ]", rest) if t}
        return not (tokens and tokens <= _TEMPLATE_WORDS)
    return True


def adr_files(directory: Path) -> list[Path]:
    """The ADR files of ``directory``. Entries named like ADRs that are not regular files
    (a FIFO, a device) are listed too: reading them fails with a clear error instead of
    blocking, and a decision never disappears from the log without a word. Dangling links and
    hidden special files are left out (an editor's lock link such as ``.#0001-x.md``)."""
    # os.scandir: the file type comes with the listing, so a regular file costs no stat call
    # (a 200-ADR log is listed on every run); sorted as Path objects sort (by the name, case
    # folded where the platform folds case), without comparing Path objects
    found: list[Path] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            path = directory / entry.name
            if is_adr_file(path) and _listed(entry):
                found.append(path)
    found.sort(key=lambda p: os.path.normcase(p.name))
    return found


def _listed(entry: os.DirEntry[str]) -> bool:
    try:
        if entry.is_file():
            return True
        is_dir = entry.is_dir()
    except OSError:
        return False
    return os.path.exists(entry.path) and not is_dir and not entry.name.startswith(".")


# --------------------------------------------------------------------------------------------
# reading


def display_path(path: Path, root: Path | None) -> str:
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


UNICODE_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def encoding_problem(data: bytes) -> str | None:
    """Why ``data`` is not an ADR's UTF-8 text: a UTF-16/32 byte order mark or a NUL byte.

    Both decode or half-decode as something else (UTF-16 is full of NUL bytes), so they are
    named before decoding: "not UTF-8" alone would not tell the author what to do.
    """
    for bom, name in UNICODE_BOMS:
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
    regular file (read without blocking, see :func:`~pytest_archgate.safe_io.read_regular`),
    UTF-16 or otherwise not UTF-8, or holds NUL bytes."""
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
    problem = encoding_problem(data)
    if problem is not None:
        raise AdrError(problem, file=file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AdrError(f"not UTF-8 text ({exc.reason})", file=file) from None
    return text[1:] if text.startswith("\ufeff") else text
