"""Editing the Markdown body of an ADR: where it states its status, and appending a section.

The body scan here mirrors :func:`pytest_archgate.adr.markdown_format.scan_body` with offsets
into the text, so that a status a body repeats (``## Status`` / ``- Status:``) can be rewritten
in place and every other byte of the file stays as the author wrote it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pytest_archgate.adr.markdown_format import outside_fences
from pytest_archgate.adr.status import normalise_status, strip_md
from pytest_archgate.authoring.frontmatter import split_document
from pytest_archgate.errors import CommandError

_HEADING_RE = re.compile(r"^#[ \t]+(\S.*)$")
_SECTION_RE = re.compile(r"^##[ \t]+(\S.*)$")
_STATUS_BULLET_RE = re.compile(r"^(\s*)([-*+])(\s+\**status\**\s*:\s*\**\s*)(.*?)\s*$", re.I)


@dataclass(frozen=True)
class _Spots:
    """Where a body keeps its status (offsets into the whole text)."""

    section_line: tuple[int, int] | None = None  # first line of the "## Status" paragraph
    section_end: int | None = None  # end of that paragraph
    bullet_value: tuple[int, int] | None = None  # the value of "- Status: ..."
    bullet_line_end: int | None = None
    bullet_prefix: str = "- "


def _body_start(text: str) -> int:
    try:
        doc = split_document(text)
    except CommandError:
        return 0
    closing = doc.tail.splitlines(keepends=True)[0]
    return len(doc.head) + len(doc.front) + len(closing)


def status_spots(text: str) -> _Spots:
    """Mirror of :func:`pytest_archgate.adr.markdown_format.scan_body`, with offsets."""
    body_start = _body_start(text)
    raws = text[body_start:].splitlines(keepends=True)
    starts = list(itertools.accumulate((len(r) for r in raws), initial=body_start))
    section: str | None = None
    para_first: tuple[int, int] | None = None
    para_end: int | None = None
    bullet: tuple[int, int] | None = None
    bullet_end: int | None = None
    prefix = "- "
    seen_title = False
    for index, line in outside_fences(r.rstrip("\r\n") for r in raws):
        start, offset = starts[index], starts[index + 1]
        if not seen_title and _HEADING_RE.match(line):
            seen_title = True
            continue
        sec = _SECTION_RE.match(line)
        if sec:
            if section == "status" and para_first is not None:
                break
            section = strip_md(sec.group(1)).lower()
            continue
        if section == "status":
            if line.strip():
                if para_first is None:
                    indent = len(line) - len(line.lstrip())
                    para_first = (start + indent, start + len(line.rstrip()))
                para_end = offset
            elif para_first is not None:
                break
            continue
        if section is None and bullet is None:
            m = _STATUS_BULLET_RE.match(line)
            if m:
                value = m.group(4)
                stars = len(value) - len(value.rstrip("*"))
                vstart = start + m.start(4)
                bullet = (vstart, vstart + len(value) - stars)
                bullet_end = offset
                prefix = m.group(1) + m.group(2) + " "
    return _Spots(
        section_line=para_first,
        section_end=para_end,
        bullet_value=bullet,
        bullet_line_end=bullet_end,
        bullet_prefix=prefix,
    )


def sync_body_status(text: str, *, section: str, bullet: str) -> str:
    """Restate the status in the body too, where the body states one beside the front matter.

    Only a ``## Status`` paragraph or ``- Status:`` line that reads as a status is replaced
    (prose such as "see below" is left alone).
    """
    spots = status_spots(text)
    edits: list[tuple[int, int, str]] = []
    for span, value in ((spots.section_line, section), (spots.bullet_value, bullet)):
        if span is not None and normalise_status(text[span[0] : span[1]])[0] != "unknown":
            edits.append((span[0], span[1], value))
    for start, end, value in sorted(edits, reverse=True):
        text = text[:start] + value + text[end:]
    return text


def append_section(text: str, section: str, nl: str) -> str:
    if not text.endswith(("\n", "\r")):
        text += nl
    if not text.endswith(nl + nl) and text.strip():
        text += nl
    return text + section
