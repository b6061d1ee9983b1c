"""Write ``docs/reference/report-schema.md`` from the report's types.

The page documents the JSON report from :mod:`pytest_archgate.report.schema` itself, so it
cannot drift from what mypy checks: each ``TypedDict`` becomes a table (key, type, required,
description), read with :func:`typing.get_type_hints`; each field's description is the string
written below it in the class body (an attribute docstring, read from the source with
:mod:`ast`, since Python keeps no docstrings for fields); each closed set of values (a
``Literal`` alias such as ``AdrStatus``) is listed with its values.

Usage::

    python docs/gen_report_schema.py           # rewrite the page
    python docs/gen_report_schema.py --check   # exit 1 when the page is out of date

``tests/test_report_schema.py`` runs the check.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import sys
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

PAGE = Path(__file__).resolve().parent / "reference" / "report-schema.md"

# RankedComparison repeats Comparison's fields with other requiredness; its descriptions are
# Comparison's.
_DOCS_FROM = {"RankedComparison": "Comparison"}


def _schema() -> types.ModuleType:
    from pytest_archgate.report import schema

    return schema


def _clean(text: str) -> str:
    """Sphinx-flavoured docstring text as one line of Markdown."""
    text = inspect.cleandoc(text)
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text)  # :func:`x` -> `x`
    text = text.replace("``", "`")
    text = " ".join(text.split())
    return text.replace("|", "\\|")


def _string_after(body: list[ast.stmt]) -> dict[str, str]:
    """Names assigned in ``body`` mapped to the string statement right below them."""
    docs: dict[str, str] = {}
    for prev, node in itertools.pairwise(body):
        if not (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            continue
        target: ast.expr | None = None
        if isinstance(prev, ast.AnnAssign):
            target = prev.target
        elif isinstance(prev, ast.Assign) and len(prev.targets) == 1:
            target = prev.targets[0]
        if isinstance(target, ast.Name):
            docs[target.id] = node.value.value
    return docs


def _field_docs(cls: type) -> dict[str, str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    classdef = tree.body[0]
    assert isinstance(classdef, ast.ClassDef)
    return {k: _clean(v) for k, v in _string_after(classdef.body).items()}


def _aliases(schema: types.ModuleType) -> dict[tuple[object, ...], str]:
    """The schema's Literal aliases, by their values."""
    return {
        typing.get_args(value): name
        for name, value in vars(schema).items()
        if typing.get_origin(value) is typing.Literal and not name.startswith("_")
    }


def _anchor(name: str) -> str:
    return "#" + name.lower()


def _show(
    tp: Any, aliases: dict[tuple[object, ...], str], found: list[type], nested: bool = False
) -> str:
    """A type as a reader of the JSON sees it; TypedDicts met are appended to ``found``.
    A union inside a list or object is parenthesised (``object of (number or null)``)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.NotRequired, typing.Required):
        return _show(args[0], aliases, found, nested)
    if origin in (typing.Union, types.UnionType):
        shown = [_show(a, aliases, found, True) for a in args if a is not type(None)]
        if type(None) in args:
            shown.append("null")
        text = " or ".join(shown)
        return f"({text})" if nested else text
    if origin is typing.Literal:
        name = aliases.get(args)
        if name is not None:
            return f"[{name}]({_anchor(name)})"
        return " or ".join(f'`"{a}"`' for a in args)
    if origin is list:
        return f"list of {_show(args[0], aliases, found, True)}"
    if origin is dict:
        return f"object of {_show(args[1], aliases, found, True)}"
    if typing.is_typeddict(tp):
        if tp not in found:
            found.append(tp)
        return f"[{tp.__name__}]({_anchor(tp.__name__)})"
    names = {str: "string", int: "integer", float: "number", bool: "boolean", object: "any"}
    if tp is Any:
        return "any JSON"
    if tp in names:
        return names[tp]
    raise TypeError(f"no rendering for {tp!r}")  # a new kind of type: teach _show about it


def _required(cls: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is typing.NotRequired:
        return False
    if origin is typing.Required:
        return True
    # ``__required_keys__`` is not reliable on Python 3.11 with postponed annotations; a plain
    # key is required exactly when its class is total
    return bool(cls.__total__)


def render() -> str:
    """The page, as Markdown."""
    schema = _schema()
    aliases = _aliases(schema)
    # the closed sets are documented where they are defined: the schema, or the comparison
    # module for the comparison's own types
    module_docs: dict[str, str] = {}
    for module in (schema, sys.modules[schema.Comparison.__module__]):
        module_docs.update(_string_after(ast.parse(inspect.getsource(module)).body))
    extra_docs: dict[tuple[str, str], str] = schema.FIELD_DOCS
    out = [
        "# Report schema",
        "",
        "<!-- generated by docs/gen_report_schema.py from pytest_archgate/report/schema.py;"
        " do not edit -->",
        "",
        "The JSON report written by `pytest --archgate-report=PATH` and `archgate merge`, and"
        " read by `archgate report`, `merge`, `accept` and `comment`. Its top level carries"
        f' `"schema": "{schema.SCHEMA}"` and `"version": {schema.VERSION}`.',
        "",
        "**Required** keys are always present and never `null`; a key the loader accepts"
        " without (an older or hand-written report) is **optional**, and an optional key may"
        " also be `null`, which means the same as a missing key. Readers must ignore keys they"
        " do not know. Every report a command reads is checked against these types first (size,"
        " encoding, JSON syntax, finite numbers, nesting depth, then every field below), and a"
        " report that does not match is refused with one line naming the file and the field.",
        "",
    ]
    found: list[type] = [schema.Report]
    i = 0
    while i < len(found):
        cls: Any = found[i]
        i += 1
        hints = typing.get_type_hints(cls, include_extras=True)
        docs = _field_docs(cls)
        if cls.__name__ in _DOCS_FROM:
            docs = {**_field_docs(getattr(schema, _DOCS_FROM[cls.__name__])), **docs}
        out += [f"## {cls.__name__}", "", _clean(cls.__doc__ or ""), ""]
        out += ["| key | type | required | description |", "|---|---|---|---|"]
        for key, hint in hints.items():
            doc = docs.get(key) or _clean(extra_docs.get((cls.__name__, key), ""))
            required = "yes" if _required(cls, hint) else "no"
            out.append(f"| `{key}` | {_show(hint, aliases, found)} | {required} | {doc} |")
        out.append("")
    out += [
        "## Closed sets of values",
        "",
        "A value outside its set is refused when the report is read.",
        "",
    ]
    for values, name in sorted(aliases.items(), key=lambda kv: kv[1]):
        shown = ", ".join(f'`"{v}"`' for v in values)
        out += [f"### {name}", "", shown, ""]
        if name in module_docs:
            out += [_clean(module_docs[name]), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE} is out of date: run python docs/gen_report_schema.py", file=sys.stderr)
            return 1
        return 0
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
