"""Parsing one decision record into an :class:`~pytest_archgate.adr.model.Adr`.

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

This module puts the pieces together and applies the rules that need all of them (where the
status comes from, the title, the id, the checks of a gated file's status). The pieces: reading
the file (:mod:`~pytest_archgate.adr.files`), the front matter's YAML
(:mod:`~pytest_archgate.adr.safe_yaml`), the Markdown body
(:mod:`~pytest_archgate.adr.markdown_format`), status texts (:mod:`~pytest_archgate.adr.status`)
and the ``archgate:`` block (:mod:`~pytest_archgate.adr.block`). A folder of records is a
:class:`~pytest_archgate.adr.log.AdrLog`; its problems are listed by
:mod:`~pytest_archgate.adr.lint`.

A file with an ``archgate:`` block takes part in gating, so any problem in it is an error; a file
used only as a record that cannot be read is a warning (see :func:`parse_tracked`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from pytest_archgate.adr.block import parse_archgate_block
from pytest_archgate.adr.files import display_path, number_from_stem, read_adr_text
from pytest_archgate.adr.markdown_format import declares_archgate, scan_body, split_front_matter
from pytest_archgate.adr.model import STATUSES, Adr
from pytest_archgate.adr.safe_yaml import key_lines_of, load_yaml, mapping_items, node_text
from pytest_archgate.adr.status import STATUS_WORDS, normalise_status, strip_md
from pytest_archgate.errors import AdrError
from pytest_archgate.measure.names import short_repr

_MAX_TITLE_CHARS = 1000

_ADR_TOOLS_TITLE_RE = re.compile(r"^\d{1,5}\.\s+")
_ADR_TITLE_PREFIX_RE = re.compile(
    r"^adr[-_ ]?\d{1,5}(?:[ \t]*[.:)\u2013\u2014-]|[ \t])[ \t]*", re.I
)


def _status_node(root: yaml.Node | None) -> yaml.Node | None:
    for key_node, value_node in mapping_items(root):
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == "status":
            return value_node
    return None


def _placeholder_text(fm: str | None, node: yaml.Node | None, value: Any) -> str:
    """A non-string front-matter value as the person wrote it (``{ accepted }``)."""
    if fm is not None and node is not None:
        text = node_text(fm, node)
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
    file = file if file is not None else display_path(path, root)
    return parse_tracked(path, file, {})


def parse_tracked(path: Path, file: str, state: dict[str, bool]) -> Adr:
    """:func:`parse_adr`; sets ``state["gated"]`` as soon as the file is known to have an
    ``archgate:`` block, so that a caller can tell how serious a failure is."""
    return parse_text(path, file, read_adr_text(path, file=file), state)


def parse_text(path: Path, file: str, text: str, state: dict[str, bool]) -> Adr:
    """:func:`parse_tracked` of a text already read from ``path`` (by the parse cache)."""
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
        return scan_body(body, body_line, need_status=need_status, every_status=every)

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
        data, node = load_yaml(fm_text, file=file, first_line=fm_line)
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
        key_lines = key_lines_of(node, fm_line, file=file)
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
        title = strip_md(scanned["title"][:_MAX_TITLE_CHARS])
        if fmt in ("adr-tools", "rst") or number is not None:
            title = _ADR_TOOLS_TITLE_RE.sub("", title, count=1) or title
    else:
        title = _comment_title(fm_text) or stem
    title = _ADR_TITLE_PREFIX_RE.sub("", title, count=1).strip() or title

    date_raw = front.get("date")
    if date_raw is not None and not isinstance(date_raw, str):
        date_node = None
        for key_node, value_node in mapping_items(node):
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
        adr = parse_archgate_block(adr, front["archgate"], key_lines)
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
