"""Markdown decision records: front matter and the body styles real logs use.

* MADR 4: YAML front matter between ``---`` lines, title in ``# ``.
* adr-tools (Nygard): ``# 3. Title``, a ``Date:`` line and a ``## Status`` section whose first
  paragraph is the status (a plain word, a link, emoji, a blockquote, a table).
* log4brains (and MADR 2/3): ``- Status: accepted`` / ``* Status: ...`` bullets below the title,
  and the plain or bold line forms (``Status: Accepted``, ``**Status:** Accepted | **Date:** ...``).
* tables: key/value rows (``| Status | Approved |``) and header-row tables
  (``| Status | Date |`` then ``| Accepted | 2021-05-01 |``).

Every pattern applied to file content is linear: the regular expressions are anchored and have no
nested or overlapping quantifiers, and the rest is plain string methods.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from pytest_archgate.adr.status import normalise_status, strip_md

_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")


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
    name = strip_md(text).lower()
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
    return strip_md(cell).strip().rstrip(":").strip().lower()


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


def scan_body(
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
