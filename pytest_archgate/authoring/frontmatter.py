"""Editing an ADR's YAML front matter in place, without reformatting anything else.

``archgate accept`` and ``archgate supersede`` change two or three values in a file a person
wrote. Loading the YAML and dumping it again would drop every comment, re-quote strings, reorder
keys and turn CRLF into LF, so the author's file would come back rewritten. Instead this module
edits the front matter *text*: it asks PyYAML's composer where a value sits (character offsets of
its node), replaces exactly those characters, or inserts one new line, and leaves every other
byte alone. Each edit is then checked by loading the old and the new front matter and comparing
them: if anything but the intended key changed (or the intended key did not come out as asked),
the edit is refused rather than written.

The pure-Python :class:`yaml.SafeLoader` is used for composing because its marks count
characters of the input string, which is what slicing needs.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from pytest_archgate.errors import CommandError

__all__ = [
    "FrontMatterDocument",
    "newline_of",
    "set_key",
    "split_document",
]

Value = str | _dt.date | list[str]

_FLOW_UNSAFE = set(",[]{}")


@dataclass(frozen=True)
class FrontMatterDocument:
    """A Markdown document cut around its front matter: ``head + front + tail == text``.

    ``head`` is an optional byte-order mark and the opening ``---`` line; ``front`` the YAML
    text between the fences (every line with its own line ending); ``tail`` the closing fence
    line and the body.
    """

    head: str
    front: str
    tail: str

    @property
    def text(self) -> str:
        return self.head + self.front + self.tail


def newline_of(text: str) -> str:
    """The line ending a text uses (``\\r\\n`` when its first line ends so, else ``\\n``)."""
    first = text.find("\n")
    if first > 0 and text[first - 1] == "\r":
        return "\r\n"
    return "\n"


def split_document(text: str, *, file: str | None = None) -> FrontMatterDocument:
    """Cut ``text`` around its front matter, the way :func:`~pytest_archgate.adr.parse.parse_adr`
    finds it; :class:`CommandError` when there is none."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = text[len(bom) :].splitlines(keepends=True)
    if lines and lines[0].rstrip("\r\n").rstrip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip("\r\n").rstrip() in ("---", "..."):
                return FrontMatterDocument(
                    head=bom + lines[0], front="".join(lines[1:i]), tail="".join(lines[i:])
                )
    raise CommandError("has no YAML front matter (--- ... ---) to edit", file=file)


# --------------------------------------------------------------------------------------------
# rendering values


def _loads_as(text: str, expected: Any) -> bool:
    try:
        loaded = yaml.safe_load(f"k: {text}\n")
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and _same(loaded.get("k"), expected)


def _same(loaded: Any, expected: Any) -> bool:
    """Whether a loaded YAML value is what the caller asked for (a date may load as text)."""
    if isinstance(expected, _dt.date):
        return bool(loaded == expected or loaded == expected.isoformat())
    if isinstance(expected, list):
        return (
            isinstance(loaded, list)
            and len(loaded) == len(expected)
            and all(_same(a, b) for a, b in zip(loaded, expected, strict=True))
        )
    return type(loaded) is type(expected) and bool(loaded == expected)


def _double(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render_scalar(value: str | _dt.date, style: str | None = None, *, flow: bool = False) -> str:
    """``value`` as YAML text in ``style`` (``'``, ``"`` or plain), quoted when plain is unsafe.

    Plain is used only when the plain text loads back as exactly ``value`` (``yes``, ``1.0``,
    ``null`` and ``a: b`` are quoted); inside a flow collection ``,[]{}`` force quotes too.
    """
    text = value.isoformat() if isinstance(value, _dt.date) else value
    if style == '"' or "\n" in text or "\r" in text:
        return _double(text)
    if style == "'":
        return _single(text)
    plain_ok = (
        bool(text)
        and text == text.strip()
        and not (flow and _FLOW_UNSAFE & set(text))
        and _loads_as(text, value)
    )
    return text if plain_ok else _double(text)


def render_value(value: Value, style: str | None = None, *, flow: bool = False) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(render_scalar(v, None, flow=True) for v in value) + "]"
    return render_scalar(value, style, flow=flow)


# --------------------------------------------------------------------------------------------
# locating nodes


def _compose(front: str, *, file: str | None) -> yaml.Node | None:
    try:
        return yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        message = f"front matter is not valid YAML ({exc})".replace("\n", " ")
        raise CommandError(message, file=file) from None


def _load(front: str, *, file: str | None) -> Any:
    try:
        return yaml.safe_load(front)
    except yaml.YAMLError as exc:  # pragma: no cover - _compose already refused it
        message = f"front matter is not valid YAML ({exc})".replace("\n", " ")
        raise CommandError(message, file=file) from None


def _find(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def _line_end(text: str, index: int) -> int:
    """Index just past the line ending of the line that holds ``index``."""
    for i in range(index, len(text)):
        ch = text[i]
        if ch == "\n":
            return i + 1
        if ch == "\r":
            return i + 2 if text[i + 1 : i + 2] == "\n" else i + 1
    return len(text)


def _insert_in_flow(front: str, mapping: yaml.MappingNode, line: str) -> str:
    brace = mapping.start_mark.index
    if front[brace : brace + 1] != "{":  # pragma: no cover - composer guarantees it
        raise CommandError("cannot find the '{' of a flow mapping")
    sep = ", " if mapping.value else ""
    return front[: brace + 1] + line + sep + front[brace + 1 :]


def _edit(front: str, path: Sequence[str], value: Value, *, file: str | None) -> str:
    nl = newline_of(front) if front else "\n"
    root = _compose(front, file=file)
    if root is None:
        if len(path) != 1:
            raise CommandError(f"has no {path[0]}: mapping to put {'.'.join(path)} in", file=file)
        return front + f"{path[0]}: {render_value(value)}{nl}"
    if not isinstance(root, yaml.MappingNode):
        raise CommandError("front matter is not a mapping of keys", file=file)

    parent: yaml.Node = root
    parent_key: yaml.Node | None = None
    for name in path[:-1]:
        if not isinstance(parent, yaml.MappingNode):
            raise CommandError(f"{name} is not inside a mapping", file=file, field=".".join(path))
        found = _find(parent, name)
        if found is None:
            raise CommandError(f"has no {name}: mapping to put {'.'.join(path)} in", file=file)
        parent_key, parent = found
    key = path[-1]
    field = ".".join(path)

    if isinstance(parent, yaml.ScalarNode) and parent.value == "" and parent_key is not None:
        # ``archgate:`` with nothing under it: open a block mapping on the next line
        end = _line_end(front, parent_key.end_mark.index)
        indent = " " * (parent_key.start_mark.column + 2)
        return front[:end] + f"{indent}{key}: {render_value(value)}{nl}" + front[end:]
    if not isinstance(parent, yaml.MappingNode):
        raise CommandError(
            f"{'.'.join(path[:-1])} is not a mapping; cannot set {key}", file=file, field=field
        )

    in_flow = bool(parent.flow_style)
    found = _find(parent, key)
    if found is not None:
        _k, node = found
        start, end = node.start_mark.index, node.end_mark.index
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):
                raise CommandError(
                    "is a block scalar (| or >); edit it by hand", file=file, field=field
                )
            if node.value == "" and node.style is None and start == end:
                # ``key:`` with no value (null): put the value right after the colon
                return front[:start] + " " + render_value(value, flow=in_flow) + front[end:]
            text = render_value(value, node.style, flow=in_flow)
            return front[:start] + text + front[end:]
        if isinstance(node, yaml.SequenceNode) and node.flow_style and isinstance(value, list):
            return front[:start] + render_value(value) + front[end:]
        raise CommandError(
            f"holds a {type(node).__name__.removesuffix('Node').lower()}, not a value this "
            "command can replace; edit it by hand",
            file=file,
            field=field,
        )

    new_text = f"{key}: {render_value(value, flow=in_flow)}"
    if in_flow:
        return _insert_in_flow(front, parent, new_text)
    if parent is root:
        # after the last top-level key: at the end of the front matter, before trailing blanks
        body = front.rstrip(" \t\r\n")
        end = _line_end(front, len(body)) if body else 0
        if end == len(front) and not front.endswith(("\n", "\r")):
            return front + nl + new_text + nl
        return front[:end] + new_text + nl + front[end:]
    # first key of a nested block mapping, at the indentation of its keys
    first_key = parent.value[0][0]
    indent = " " * first_key.start_mark.column
    assert parent_key is not None
    end = _line_end(front, parent_key.end_mark.index)
    return front[:end] + f"{indent}{new_text}{nl}" + front[end:]


# --------------------------------------------------------------------------------------------
# verification


def _canon(value: Any) -> Any:
    """Make loaded YAML comparable with ``==`` (NaN equals NaN)."""
    if isinstance(value, dict):
        return {k: _canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canon(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "<nan>"
    return value


def _verify(
    old_front: str, new_front: str, path: Sequence[str], value: Value, *, file: str | None
) -> None:
    field = ".".join(path)
    old = _load(old_front, file=file)
    try:
        new = yaml.safe_load(new_front)
    except yaml.YAMLError as exc:
        raise CommandError(
            f"editing the front matter would make it invalid YAML ({exc}); edit it by hand".replace(
                "\n", " "
            ),
            file=file,
            field=field,
        ) from None
    old = {} if old is None else old
    expected = copy.deepcopy(old)
    cursor: Any = expected
    got: Any = new
    for name in path[:-1]:
        if cursor.get(name) is None:
            cursor[name] = {}
        cursor = cursor[name]
        got = got.get(name) if isinstance(got, dict) else None
    if not isinstance(got, dict) or not _same(got.get(path[-1]), value):
        raise CommandError(
            f"the edited front matter does not read back as {render_value(value)}; edit it by hand",
            file=file,
            field=field,
        )
    cursor[path[-1]] = got[path[-1]]
    if _canon(new) != _canon(expected):
        raise CommandError(
            "editing this key would change other front-matter values; edit it by hand",
            file=file,
            field=field,
        )


def set_key(text: str, path: Sequence[str], value: Value, *, file: str | None = None) -> str:
    """Return ``text`` (a whole Markdown document) with front-matter key ``path`` set to ``value``.

    ``path`` is ``("status",)`` for a top-level key or ``("archgate", "decision")`` for a key
    inside a mapping. An existing single-line value is replaced in place, keeping its quoting
    style and any trailing comment; a missing top-level key is inserted after the last one; a
    missing nested key becomes the first key of its mapping, at that mapping's indentation (or
    the first entry of a flow mapping). Everything else, comments, blank lines, line endings
    and the body, is kept byte for byte. The result is re-read and compared with the original:
    when any other value would change, :class:`CommandError` is raised instead.
    """
    if not path:
        raise ValueError("path must name at least one key")
    doc = split_document(text, file=file)
    new_front = _edit(doc.front, path, value, file=file)
    _verify(doc.front, new_front, path, value, file=file)
    return doc.head + new_front + doc.tail
