"""Front matter read as YAML without letting a hostile file make parsing explode.

YAML is checked event by event (depth, aliases, expanded size) before it is composed, so a
hostile front matter cannot make parsing exponential or recursive; every problem PyYAML raises
becomes one :class:`~pytest_archgate.errors.AdrError` with a line number. The line of every
mapping key is kept so that errors and CI annotations can point at the criterion that failed.
"""

from __future__ import annotations

from typing import Any

import yaml

from pytest_archgate.errors import AdrError

YAML_MAX_DEPTH = 50
YAML_MAX_ALIASES = 100
YAML_MAX_NODES = 20_000
"""Limits on front matter: nesting depth, alias references, and nodes after alias expansion."""


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


def load_yaml(fm: str, *, file: str, first_line: int) -> tuple[Any, yaml.Node | None]:
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


def mapping_items(node: yaml.Node | None) -> list[tuple[yaml.Node, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        return list(node.value)
    return []


def key_lines_of(
    node: yaml.Node | None, first_line: int, *, file: str, path: str = "", depth: int = 0
) -> dict[str, int]:
    """Line numbers of every mapping key, by dotted path; rejects duplicate keys."""
    out: dict[str, int] = {}
    seen: set[str] = set()
    if depth > YAML_MAX_DEPTH:
        return out
    for key_node, value_node in mapping_items(node):
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
        for k, v in key_lines_of(
            value_node, first_line, file=file, path=dotted, depth=depth + 1
        ).items():
            out.setdefault(k, v)
    return out


def node_text(fm: str, node: yaml.Node) -> str:
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
