"""The one door through which a report file (or any JSON a command is handed) comes in.

Every command that reads a report (``report``, ``merge``, ``accept``, ``comment`` and its
``--base-report`` / ``--diff`` files) calls :func:`load_report` or :func:`load_json`, so a
hostile or damaged file fails the same way everywhere: one :class:`~.errors.ReportError`
rendered ``file: field.path: message`` and exit status 2, never a traceback. Checked, in order:

1. size: at most :data:`MAX_BYTES`, regular files only (:func:`read_regular`: a FIFO or
   ``/dev/zero`` is refused without blocking or filling memory);
2. encoding: UTF-8 (an optional BOM is skipped); the error names the byte offset;
3. syntax: JSON, with line and column; ``NaN``, ``Infinity`` and numbers that overflow a
   float (``1e400``) are refused, since no renderer can show them and no criterion can judge
   them;
4. nesting: at most :data:`MAX_DEPTH` levels (Python's decoder recurses; a deeper document is
   refused, never a ``RecursionError``);
5. schema: ``"schema": "pytest-archgate/report"`` and a ``version`` this archgate understands;
6. types: every field a renderer, ``merge`` or ``accept`` reads has the type it expects
   (strings where strings are shown, finite numbers, intervals as pairs of finite numbers or
   ``null``, lists of node ids...). Renderers can then trust the data and need no broad
   ``except``.

The checks are the one door that makes the schema's types honest: :func:`check_report` returns
the data typed as :class:`~.schema.Report`, which promises what these validators check, no more.
This module imports only the standard library, :mod:`.errors` and the schema (plain types):
reading a report does not load numpy.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn, cast, get_args

from pytest_archgate.errors import ReportError
from pytest_archgate.measure.estimate import bad_name_reason, short_repr
from pytest_archgate.report.schema import (
    SCHEMA,
    VERSION,
    AdrStatus,
    AdrVerdict,
    CriterionKind,
    CriterionVerdict,
    Direction,
    Family,
    Report,
    Role,
)
from pytest_archgate.safe_io import read_regular

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "SCHEMA",
    "VERSION",
    "check_report",
    "load_json",
    "load_report",
]

MAX_BYTES = 64 * 1024 * 1024
"""The largest report (or diff) file a command reads."""

MAX_DEPTH = 64
"""The deepest nesting of arrays and objects accepted (a report nests about 8 levels)."""

# The closed sets of values come from the schema's Literals, so the types and the checks
# cannot drift apart.
VERDICTS: tuple[str, ...] = get_args(AdrVerdict)
CRITERION_VERDICTS: tuple[str, ...] = get_args(CriterionVerdict)
STATUSES: tuple[str, ...] = get_args(AdrStatus)
KINDS: tuple[str, ...] = get_args(CriterionKind)
ROLES: tuple[str, ...] = get_args(Role)
FAMILIES: tuple[str, ...] = get_args(Family)
DIRECTIONS: tuple[str, ...] = get_args(Direction)


class _Refused(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --------------------------------------------------------------------------- bytes to JSON


def _read_capped(p: Path, what: str, max_bytes: int) -> bytes:
    return read_regular(p, max_bytes, what)


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number JSON allows (write null or a finite number)")


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(f"number {literal[:40]} is too large for a float")
    return value


_STRING_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_CONSTANT_RE = re.compile(r"-?\b(?:NaN|Infinity)\b|-?\d[\d.eE+-]*")


def _locate(text: str, message: str) -> int | None:
    """The line of the first offending literal, for constants and overflowing numbers."""
    blanked = _STRING_RE.sub(lambda m: " " * len(m.group()), text)
    for m in _CONSTANT_RE.finditer(blanked):
        literal = m.group()
        if "NaN" in literal or "Infinity" in literal or literal[:40] in message:
            return blanked.count("\n", 0, m.start()) + 1
    return None


def _depth_error(data: Any, limit: int) -> str | None:
    """The path of the first value nested deeper than ``limit`` (iteratively: no recursion)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= limit:
                return path or "(top level)"
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in items:
                if isinstance(v, dict | list):
                    sub = f"{path}[{k}]" if isinstance(k, int) else _join(path, str(k))
                    stack.append((v, sub, depth + 1))
    return None


def load_json(path: str | Path, *, what: str = "JSON file", max_bytes: int = MAX_BYTES) -> Any:
    """Read one JSON document with the size, encoding, syntax, number and nesting checks."""
    p = Path(path)
    raw = _read_capped(p, what, max_bytes)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(
            f"{what} is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            file=str(p),
        ) from None
    try:
        data = json.loads(text, parse_constant=_constant, parse_float=_float)
    except _Refused as exc:
        raise ReportError(
            f"{what} is not valid JSON: {exc.message}", file=str(p), line=_locate(text, exc.message)
        ) from None
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"{what} is not valid JSON: {exc.msg} (column {exc.colno})",
            file=str(p),
            line=exc.lineno,
        ) from None
    except RecursionError:
        raise ReportError(
            f"{what} is nested deeper than the {MAX_DEPTH} levels archgate reads", file=str(p)
        ) from None
    except ValueError as exc:  # an integer literal longer than Python converts
        raise ReportError(f"{what} is not valid JSON: {exc}", file=str(p)) from None
    where = _depth_error(data, MAX_DEPTH)
    if where is not None:
        raise ReportError(
            f"nested deeper than the {MAX_DEPTH} levels archgate reads", file=str(p), field=where
        )
    return data


# --------------------------------------------------------------------------- types


Check = Callable[[Any, str], None]


def _join(path: str, key: str) -> str:
    """A field path for messages; a key that is not a plain name (a line break, a control
    character) is shown as its repr, so an error never prints a raw newline."""
    shown = key if bad_name_reason(key) is None else short_repr(key)
    return f"{path}.{shown}" if path else shown


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _fail(path: str, expected: str, value: Any) -> NoReturn:
    raise _Refused(f"expected {expected}, got {_type_name(value)}", path)


def string(value: Any, path: str) -> None:
    if not isinstance(value, str):
        _fail(path, "a string", value)


def boolean(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        _fail(path, "true or false", value)


def number(value: Any, path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, "a number", value)
    try:
        ok = math.isfinite(float(value))
    except OverflowError:
        ok = False
    if not ok:
        raise _Refused("expected a finite number", path)


def integer(value: Any, path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(path, "an integer", value)
    number(value, path)


def count(value: Any, path: str) -> None:
    integer(value, path)
    if value < 0:
        raise _Refused("expected a count (0 or more)", path)


def optional(check: Check) -> Check:
    def run(value: Any, path: str) -> None:
        if value is not None:
            check(value, path)

    return run


class one_of:  # lower case: used like the other checks, one_of("a", "b")
    """One of a closed set of strings (the schema's Literals; a class so that a test can
    compare ``choices`` with them)."""

    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def __call__(self, value: Any, path: str) -> None:
        if value not in self.choices:
            shown = value if isinstance(value, str) else _type_name(value)
            raise _Refused(f"expected one of {', '.join(self.choices)}, got {shown!r}", path)


def list_of(check: Check) -> Check:
    def run(value: Any, path: str) -> None:
        if not isinstance(value, list):
            _fail(path, "a list", value)
        for i, item in enumerate(value):
            check(item, f"{path}[{i}]")

    return run


def map_of(check: Check) -> Check:
    def run(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            _fail(path, "an object", value)
        for k, v in value.items():
            check(v, _join(path, k))

    return run


def pair(value: Any, path: str) -> None:
    """An interval: two finite numbers, low first."""
    if not isinstance(value, list) or len(value) != 2:
        raise _Refused(f"expected an interval [low, high], got {_type_name(value)}", path)
    number(value[0], f"{path}[0]")
    number(value[1], f"{path}[1]")
    if value[0] > value[1]:
        raise _Refused("interval's low end is above its high end", path)


def level(value: Any, path: str) -> None:
    number(value, path)
    if not 0 < value < 1:
        raise _Refused("expected a level between 0 and 1", path)


class obj:  # lower case: used like the other checks, obj({...})
    """An object whose listed fields have these types (null allowed unless ``required``;
    ``present`` keys must exist, null or not).

    A class rather than a closure so that ``tests/test_report_schema.py`` can read which
    fields are checked and compare them with the schema's types."""

    def __init__(
        self,
        fields: Mapping[str, Check],
        required: tuple[str, ...] = (),
        present: tuple[str, ...] = (),
    ) -> None:
        self.fields = fields
        self.required = required
        self.present = present

    def __call__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            _fail(path or "(top level)", "an object", value)
        for key in self.present:
            if key not in value:
                raise _Refused("required, but missing", _join(path, key))
        for key in self.required:
            if value.get(key) is None:
                raise _Refused("required, but missing", _join(path, key))
        for key, check in self.fields.items():
            item = value.get(key)
            if item is not None:
                check(item, _join(path, key))


def _interval_keys(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        _fail(path, "an object", value)
    for k, v in value.items():
        try:
            lv = float(k)
        except ValueError:
            raise _Refused(f"interval level {k!r} is not a number", path) from None
        if not 0 < lv < 1:
            raise _Refused(f"interval level {k!r} is not between 0 and 1", path)
        pair(v, _join(path, k))


def _anything(value: Any, path: str) -> None:
    """Data carried along but never rendered field by field (environments, details)."""


def _environment_ref(value: Any, path: str) -> None:
    if not isinstance(value, str | dict):
        _fail(path, "an object or an environment key", value)


def _replicate_id(value: Any, path: str) -> None:
    """A replicate id is named like a metric (no control characters: it is printed)."""
    string(value, path)
    why = bad_name_reason(value)
    if why is not None:
        raise _Refused(why, path)


# Details are whatever the method (or a user's ``record_estimate``) put there: carried, never
# rendered, so nothing in them is refused (a report archgate wrote must load again).
estimate_details = obj({"stop_reason": _anything, "below_minimum": _anything})

estimate = obj(
    {
        "value": number,
        "method": string,
        "n": count,
        "level": level,
        "ci": pair,
        "intervals": _interval_keys,
        # details carry method-specific data; only what the schema names is checked
        "details": estimate_details,
    },
    required=("value",),
)

measurement = obj(
    {
        "adr": string,
        "option": string,
        "metric": string,
        "estimate": estimate,
        "nodeid": string,
        "device": string,
        "fingerprint": string,
        "predictions": string,
        "environment": _environment_ref,
        "replicate": _replicate_id,
        "rows": obj({"file": string, "sha256": string, "bytes": count}),
    },
    required=("adr", "metric", "estimate"),
)

_notes = list_of(string)
base_comparison = obj(
    {
        "file": string,
        "commit": string,
        "generated_at": string,
        "base_value": number,
        "pr_value": number,
        "test": string,
        "paired": boolean,
        "stale": _notes,
        "flags": _notes,
    }
)

criterion_definition = obj(
    {
        "name": string,
        "metric": string,
        "kind": one_of(*KINDS),
        "min": number,
        "max": number,
        "min_strict": boolean,
        "max_strict": boolean,
        "vs": string,
        "confidence": level,
        "device": string,
        "line": count,
        "bound": string,
    },
    required=("name", "metric"),
)

criterion_result = obj(
    {
        "name": string,
        "metric": string,
        "kind": one_of(*KINDS),
        "option": string,
        "role": one_of(*ROLES),
        "enforced": boolean,
        "bound": string,
        "min": number,
        "max": number,
        "vs": string,
        "confidence": level,
        "device": string,
        "line": count,
        "value": number,
        "ci": pair,
        "method": string,
        "n": count,
        "estimate": estimate,
        "verdict": one_of(*CRITERION_VERDICTS),
        "reason": string,
        "error": string,
        "tests": list_of(string),
        "variance": string,
        "family": one_of("holm"),
        "adjusted_confidence": level,
        "base": base_comparison,
    },
    required=("name", "verdict"),
)

definition = obj(
    {
        "decision": string,
        "baseline": string,
        "options": list_of(string),
        "acceptance": list_of(criterion_definition),
        "constraints": list_of(criterion_definition),
        "weights": map_of(number),
        "cost": map_of(_anything),
        "status_line": count,
        "superseded_by": string,
        "date": string,
        "family": one_of(*FAMILIES),
    }
)

cell = obj(
    {
        "value": number,
        "ci": pair,
        "verdict": one_of(*CRITERION_VERDICTS),
        "bound": string,
        "reason": string,
    },
    required=("verdict",),
    present=("value", "ci"),
)


recommendation = obj({"option": string, "text": string}, present=("option", "text"))

daily_cost = obj(
    {"value": number, "ci": pair, "cost_per_1k_usd": number, "volume_per_day": number},
    ("value",),
)

_comparison_fields = obj(
    {
        "adr": string,
        "decision": string,
        "options": list_of(string),
        "criteria": list_of(string),
        "bounds": map_of(optional(string)),
        "directions": map_of(one_of(*DIRECTIONS)),
        "cells": map_of(map_of(cell)),
        "normalised": map_of(map_of(optional(number))),
        "scores": map_of(number),
        "meets_all": map_of(boolean),
        "failures": map_of(count),
        "weights": map_of(number),
        "references": map_of(list_of(string)),
        "recommendation": recommendation,
        "volume_per_day": number,
        "daily_cost": map_of(daily_cost),
    }
)
_ranked_comparison = obj(
    {},
    required=(
        "options",
        "criteria",
        "cells",
        "scores",
        "meets_all",
        "recommendation",
        "bounds",
        "weights",
    ),
)


def comparison(value: Any, path: str) -> None:
    """The ranked comparison of options a report may carry per ADR (see comparison.py).

    Without ``options`` it is not a ranked comparison (renderers then compute one from the
    criteria); only its recommendation is read.
    """
    _comparison_fields(value, path)
    if not value.get("options"):
        return
    _ranked_comparison(value, path)
    # every ranked option has a cell for every criterion, a score and a meets-all flag
    for o in value["options"]:
        for key in ("cells", "scores", "meets_all"):
            if o not in value[key]:
                raise _Refused(f"option {o!r} is missing", _join(_join(path, key), o))
        for n in value["criteria"]:
            if n not in value["cells"][o]:
                raise _Refused(
                    f"criterion {n!r} is missing", _join(_join(_join(path, "cells"), o), n)
                )


adr_entry = obj(
    {
        "id": string,
        "title": string,
        "file": string,
        "status": one_of(*STATUSES),
        "status_raw": string,
        "enforced": boolean,
        "verdict": one_of(*VERDICTS),
        "needs_review": boolean,
        "superseded_by": string,
        "decision": string,
        "baseline": string,
        "options": list_of(string),
        "tests": list_of(string),
        "failing": list_of(string),
        "unmeasured": list_of(string),
        "criteria": list_of(criterion_result),
        "constraints": list_of(criterion_result),
        "definition": definition,
        "comparison": comparison,
    },
    required=("id",),
)

summary = map_of(count)

merged_input = obj(
    {
        "file": string,
        "generated_at": string,
        "python": string,
        "platform": string,
        "summary": summary,
        "environment": map_of(_anything),
    }
)

report_shape = obj(
    {
        "generated_at": string,
        "archgate_version": string,
        "python": string,
        "platform": string,
        "rootdir": string,
        "adr_dir": string,
        "commit": string,
        "summary": summary,
        "adrs": list_of(adr_entry),
        "measurements": list_of(measurement),
        "environment": map_of(_anything),
        "environments": map_of(map_of(_anything)),
        "errors": list_of(string),
        "session_failures": list_of(string),
        "strict_failures": list_of(string),
        "notes": list_of(string),
        "strict": boolean,
        "family": one_of(*FAMILIES),
        "data_fingerprints": list_of(string),
        "merged_from": list_of(string),
        "merged_inputs": list_of(merged_input),
        "base_report": obj(
            {
                "file": string,
                "commit": string,
                "generated_at": string,
                "stale": _notes,
                "flags": _notes,
                "paired_rows": boolean,
            }
        ),
    },
    required=("adrs",),
)


# --------------------------------------------------------------------------- reports


def check_report(data: Any, file: str | None = None) -> Report:
    """Check a decoded report (schema, version and field types); returns it unchanged, typed.

    The cast at the end is what these checks make honest: :class:`~.schema.Report` promises
    exactly what ``report_shape`` checks (a test compares the two)."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ReportError(f'not an archgate report (expected "schema": "{SCHEMA}")', file=file)
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ReportError(
            f"report version must be a whole number from 1, got {_type_name(version)}",
            file=file,
            field="version",
        )
    if version > VERSION:
        raise ReportError(
            f"report version {version} is newer than this archgate understands "
            f"({VERSION}); upgrade pytest-archgate",
            file=file,
            field="version",
        )
    try:
        report_shape(data, "")
    except _Refused as exc:
        # keys and values come from the file: one line, whatever they hold
        from pytest_archgate.escape import text

        field = text(exc.field) if exc.field is not None else None
        raise ReportError(text(exc.message), file=file, field=field) from None
    return cast("Report", data)


def load_report(path: str | Path) -> Report:
    """Read and check a report written by archgate (see the module docstring)."""
    data = load_json(path, what="report")
    return check_report(data, str(path))
