"""Reading reStructuredText ADRs (``*.rst``), as Open edX and other Sphinx projects write them.

What is read, from the document as a person sees it:

* the title: the first section title (a line underlined, and optionally overlined, with a
  repeated punctuation character such as ``===`` or ``---``); an ``N. `` prefix is removed;
* the status: the first paragraph of a section titled ``Status`` (any underline character), or
  a ``:status:`` field (``:Status: Accepted``); the same words and decorations as in Markdown;
* the date: a ``:date:`` field.

An ``archgate:`` block lives in an RST comment, which Sphinx does not render::

    .. archgate:
       decision: xgboost
       acceptance:
         roc_auc: ">= 0.9"

The comment's first line is ``.. archgate:`` at the start of a line; its indented lines are the
YAML of the block, exactly as under an ``archgate:`` key in Markdown front matter (line numbers in
errors point into the ``.rst`` file). The status stays in the RST text, where readers see it.

Everything here is plain string handling, linear in the size of the file.
"""

from __future__ import annotations

from typing import Any

_ADORNMENT = set("=-`:'\"~^_*+#<>.")


def _adornment(line: str, min_len: int = 3) -> bool:
    s = line.rstrip()
    return len(s) >= max(min_len, 1) and s[0] in _ADORNMENT and s == s[0] * len(s)


def _field(line: str) -> tuple[str, str] | None:
    """``:status: Accepted`` -> ("status", "Accepted")."""
    if not line.startswith(":"):
        return None
    end = line.find(":", 1)
    if end <= 1 or end > 40:
        return None
    return line[1:end].strip().lower(), line[end + 1 :].strip()


def scan_rst(text: str) -> tuple[dict[str, Any], tuple[str, int] | None]:
    """(what was read, in the shape of the Markdown body scan; the archgate YAML and the line
    of its ``.. archgate:`` comment, or None)."""
    lines = text.splitlines()
    found: dict[str, Any] = {}
    yaml_block: tuple[str, int] | None = None
    section: str | None = None
    para: list[tuple[int, str]] = []
    status_fields: list[tuple[str, int]] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        lineno = i + 1
        stripped = line.strip()
        if not stripped:
            if para and section == "status" and "status_section" not in found:
                _end_para(para, found)
            para = []
            i += 1
            continue
        # an archgate comment block
        if yaml_block is None and line.rstrip() in (".. archgate:", ".. archgate::"):
            body = ["archgate:"]
            j = i + 1
            while j < n and (not lines[j].strip() or lines[j][:1] in (" ", "\t")):
                body.append(lines[j])
                j += 1
            yaml_block = ("\n".join(body) + "\n", lineno)
            i = j
            continue
        # a section title: text underlined (optionally overlined) with one repeated character
        title: str | None = None
        if (
            stripped
            and line[:1] not in (" ", "\t")
            and not _adornment(line)
            and i + 1 < n
            and _adornment(lines[i + 1], min(len(stripped), 3))
        ):
            title = stripped
        if title is not None:
            if section == "status" and para and "status_section" not in found:
                _end_para(para, found)
            para = []
            if "title" not in found:
                found["title"], found["title_line"] = title, lineno
                section = None
            else:
                name = title.lower().rstrip(":").strip()
                name = name.lstrip("0123456789.) \t")
                section = name.strip()
            i += 2
            continue
        if _adornment(line):  # an overline or a transition
            i += 1
            continue
        fld = _field(stripped) if line[:1] == ":" else None
        if fld is not None:
            key, value = fld
            if key in ("status", "date") and f"{key}_field" not in found and value:
                found[f"{key}_field"], found[f"{key}_field_line"] = value, lineno
            if key == "status" and value:
                status_fields.append((value, lineno))
        elif section == "status" and "status_section" not in found:
            if stripped and not stripped.startswith(".."):
                para.append((lineno, stripped))
            elif para:
                _end_para(para, found)
                para = []
        i += 1
    if section == "status" and para and "status_section" not in found:
        _end_para(para, found)
    if "status_section" not in found and "status_field" in found:
        found["status_kv"], found["status_kv_line"] = (
            found["status_field"],
            found["status_field_line"],
        )
    if "date_field" in found:
        found["date_line"] = found["date_field"]
    # every status the document states: a gated file whose statuses disagree is refused
    found["status_all"] = status_fields + (
        [(found["status_section"], found["status_section_line"])]
        if "status_section" in found
        else []
    )
    return found, yaml_block


def _end_para(para: list[tuple[int, str]], found: dict[str, Any]) -> None:
    text = " ".join(t for _n, t in para)
    if text.lower().startswith(":status:"):
        text = text[len(":status:") :].strip()
    found["status_section"], found["status_section_line"] = text, para[0][0]
