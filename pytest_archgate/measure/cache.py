"""The evaluation cache: measurements kept by what they depend on, so that an unchanged
candidate is not retrained or evaluated again.

A test declares what its measurements depend on (``archgate.cache(...)`` in
:mod:`pytest_archgate.plugin.fixture`): data fingerprints or arrays, files (hashed by content),
code (a callable's or module's source), a JSON configuration, the versions of the packages that
matter, and, added by the fixture, the test's node id, its links (ADR and option), the linked
ADRs' criteria and options, the run's family setting, archgate's version and the Python
version. The entry's key is the SHA-256 of the canonical JSON of all of it
(:func:`key_of`); any change of any of it is a miss.

An entry is one JSON file ``<key>.json`` in a plain folder (never pickle: a folder restored
from CI is input an attacker may write). It is read through :func:`load_entry`, which refuses,
with one line naming the file, anything it cannot vouch for: not a regular file, too large, not
JSON, NaN or infinity anywhere, another schema or version, a stored key that is not its file
name, dependencies whose hash is not that key, dependencies other than the ones asked for, a
measurement of the wrong types, per-row scores whose fingerprint is not the measurement's, or an
entry older than the maximum age. A refused entry is recomputed, never trusted. Entries are
written atomically (a temporary file and a rename, :mod:`pytest_archgate.safe_io`), so two xdist
workers writing the same key leave one whole entry, either one.

Each measurement restored from an entry carries ``cache`` provenance: the key, the commit and
date it was made, and its ``origin`` (the run that measured it). A fresh measurement written to
the cache carries the same ``origin``: :mod:`pytest_archgate.measure.replicates` refuses to
combine two replicates of one origin, so a cache hit never counts as an independent replicate.

This module knows nothing of ADRs or pytest (the fixture hands it the criteria as JSON) and
imports numpy only when arrays are hashed or per-row scores restored.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import inspect
import json
import math
import os
import re
import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pytest_archgate.errors import ArchgateError, MeasurementError
from pytest_archgate.measure.estimate import (
    Estimate,
    Measurement,
    check_estimate,
    check_name,
    short_repr,
)

SCHEMA = "pytest-archgate/cache-entry"
VERSION = 1
MODES = ("off", "read", "write", "refresh")
DEFAULT_MODE = "write"
DEFAULT_MAX_AGE = "7d"
#: An entry larger than this is refused unread (per-row scores of large test sets belong in a
#: data store, not in a cache entry).
MAX_ENTRY_BYTES = 64 * 1024 * 1024
#: A folder named in ``files=`` is hashed file by file; more files than this is refused.
MAX_FILES = 10_000
_KEY = re.compile(r"[0-9a-f]{64}")


class CacheEntryError(ArchgateError):
    """A cache entry that cannot be trusted (the entry is ignored and recomputed)."""


# --------------------------------------------------------------------------------------------
# dependencies and the key


def canonical(value: Any) -> str:
    """The one JSON text of ``value``: sorted keys, no spaces, no NaN (the key's input)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def key_of(material: Mapping[str, Any]) -> str:
    """The entry key: SHA-256 of the canonical JSON of the dependencies."""
    return hashlib.sha256(canonical(material).encode("utf-8")).hexdigest()


def _digest_array(value: Any) -> str:
    import numpy as np

    arr = np.ascontiguousarray(np.asarray(value))
    if arr.dtype.hasobject:
        raise MeasurementError(
            "data must be fingerprints (strings) or numeric arrays, got an object array",
            field="cache",
        )
    h = hashlib.sha256(f"{arr.dtype.str}|{arr.shape}|".encode())
    h.update(arr.tobytes())
    return "array:" + h.hexdigest()


def data_part(data: object) -> list[str]:
    """Data dependencies: fingerprint strings as given, arrays hashed by dtype, shape and
    bytes (all of it, features included: a label-only fingerprint misses a changed feature)."""
    items = [data] if isinstance(data, str) or hasattr(data, "__array__") else data
    if not isinstance(items, Iterable) or isinstance(items, bytes | Mapping):
        raise MeasurementError(
            f"data must be a fingerprint, an array or a list of them, got {short_repr(data)}",
            field="cache",
        )
    return [x if isinstance(x, str) else _digest_array(x) for x in items]


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | os.PathLike) or callable(value) or inspect.ismodule(value):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        return list(value)
    return [value]


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def files_part(files: object, root: Path) -> dict[str, str]:
    """``path -> sha256`` of each file (a folder: every file under it, ``__pycache__`` and
    ``.pyc`` left out), paths relative to ``root`` when they are under it."""
    out: dict[str, str] = {}
    for item in _as_list(files):
        if not isinstance(item, str | os.PathLike):
            raise MeasurementError(f"files must be paths, got {short_repr(item)}", field="cache")
        path = Path(item)
        path = path if path.is_absolute() else root / path
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            )
            if len(found) > MAX_FILES:
                raise MeasurementError(
                    f"files: {path} holds more than {MAX_FILES:,} files; name the ones that matter",
                    field="cache",
                )
        elif path.is_file():
            found = [path]
        else:
            raise MeasurementError(
                f"files: {path} does not exist (a dependency of the cache entry)", field="cache"
            )
        for p in found:
            try:
                shown = p.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                shown = p.resolve().as_posix()
            try:
                out[shown] = _file_digest(p)
            except OSError as exc:
                raise MeasurementError(
                    f"files: cannot read {p}: {exc.strerror or exc}", field="cache"
                ) from None
    return out


def code_part(code: object) -> dict[str, str]:
    """``module.qualname -> sha256 of its source`` for each callable, class or module.

    Only that object's own source: a function it calls is another dependency (name its module
    or file too)."""
    out: dict[str, str] = {}
    for obj in _as_list(code):
        target = getattr(obj, "__wrapped__", obj)
        name = (
            target.__name__
            if inspect.ismodule(target)
            else f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', '?')}"
        )
        try:
            source = inspect.getsource(target)
        except (OSError, TypeError):
            raise MeasurementError(
                f"code: cannot read the source of {short_repr(obj)}; name its file in files= "
                "or its package in packages=",
                field="cache",
            ) from None
        out[name] = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return out


def config_part(config: object) -> Any:
    """The configuration as canonical JSON data (a mapping with string keys, finite numbers)."""
    if config is None:
        return None
    if not isinstance(config, Mapping):
        raise MeasurementError(
            f"config must be a mapping of JSON values, got {short_repr(config)}", field="cache"
        )
    try:
        return json.loads(canonical(config))
    except (TypeError, ValueError) as exc:
        raise MeasurementError(
            f"config must be JSON data (strings, finite numbers, lists, mappings with string "
            f"keys): {exc}",
            field="cache",
        ) from None


def packages_part(packages: object) -> dict[str, str | None]:
    """``distribution name -> installed version`` (``None``: not installed)."""
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in _as_list(packages):
        if not isinstance(name, str) or not name.strip():
            raise MeasurementError(
                f"packages must be distribution names, got {short_repr(name)}", field="cache"
            )
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def dependencies(
    *,
    name: str,
    nodeid: str,
    links: Sequence[Mapping[str, Any]],
    family: str,
    data: object = (),
    files: object = (),
    code: object = (),
    config: object = None,
    packages: object = (),
    root: Path,
) -> dict[str, Any]:
    """Everything an entry's key is the hash of (see the module docstring)."""
    from pytest_archgate import __version__

    return {
        "schema": SCHEMA,
        "version": VERSION,
        "name": name,
        "nodeid": nodeid,
        "links": json.loads(canonical(list(links))),
        "family": family,
        "data": data_part(data),
        "files": files_part(files, root),
        "code": code_part(code),
        "config": config_part(config),
        "packages": packages_part(packages),
        "archgate": __version__,
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
    }


# --------------------------------------------------------------------------------------------
# entries


@dataclass(frozen=True)
class Rows:
    """Per-row labels and scores kept for paired ``vs`` criteria."""

    y_true: list[float]
    y_score: list[float]
    threshold: float
    metric_names: list[str]


@dataclass(frozen=True)
class Entry:
    """A checked entry: its measurements carry their ``cache`` provenance."""

    key: str
    created: str
    commit: str | None
    measurements: list[Measurement]
    rows: dict[str, Rows]


def entry_path(folder: Path, key: str) -> Path:
    return folder / f"{key}.json"


def now_utc() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise CacheEntryError(what)


def _finite_list(value: object, what: str) -> list[float]:
    _need(isinstance(value, list), f"{what} is not a list")
    assert isinstance(value, list)
    _need(
        all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in value
        ),
        f"{what} holds something other than finite numbers",
    )
    return [float(v) for v in value]


def _check_rows(value: object) -> dict[str, Rows]:
    _need(isinstance(value, dict), "rows is not an object")
    assert isinstance(value, dict)
    out: dict[str, Rows] = {}
    for rid, r in value.items():
        _need(isinstance(r, dict), f"rows.{rid} is not an object")
        y_true = _finite_list(r.get("y_true"), f"rows.{rid}.y_true")
        y_score = _finite_list(r.get("y_score"), f"rows.{rid}.y_score")
        _need(len(y_true) == len(y_score) > 0, f"rows.{rid}: y_true and y_score differ in length")
        threshold = _finite_list([r.get("threshold")], f"rows.{rid}.threshold")[0]
        names = r.get("metric_names")
        _need(
            isinstance(names, list) and all(isinstance(n, str) and "=" in n for n in names),
            f"rows.{rid}.metric_names is not a list of 'recorded=metric' names",
        )
        out[str(rid)] = Rows(y_true, y_score, threshold, list(names))
    return out


def _check_measurement(
    data: object, i: int, allowed: Mapping[str, set[str | None]]
) -> tuple[Measurement, str | None]:
    where = f"measurements[{i}]"
    _need(isinstance(data, dict), f"{where} is not an object")
    assert isinstance(data, dict)
    adr, option = data.get("adr"), data.get("option")
    _need(isinstance(adr, str) and adr in allowed, f"{where}.adr is not an ADR this test links")
    _need(option in allowed[str(adr)], f"{where}.option is not an option this test measures")
    est = data.get("estimate")
    _need(isinstance(est, dict), f"{where}.estimate is not an object")
    assert isinstance(est, dict)
    _need(
        isinstance(est.get("value"), int | float) and not isinstance(est.get("value"), bool),
        f"{where}.estimate.value is not a number",
    )
    env = data.get("environment")
    _need(env is None or isinstance(env, dict), f"{where}.environment is not an object")
    rows = data.get("rows")
    _need(rows is None or isinstance(rows, str), f"{where}.rows is not a string")
    for key in ("fingerprint", "replicate", "device", "metric"):
        v = data.get(key)
        _need(v is None or isinstance(v, str), f"{where}.{key} is not a string")
    try:
        m = Measurement.from_json({**data, "predictions": None, "cache": None})
        check_name(m.metric, "metric")
        if m.option is not None:
            check_name(m.option, "option")
        check_estimate(m.estimate, m.metric)
        if m.device not in ("cpu", "cuda"):
            raise MeasurementError(f"device {short_repr(m.device)}", field=m.metric)
    except (ArchgateError, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise CacheEntryError(f"{where}: {exc}") from None
    return m, rows if isinstance(rows, str) else None


def signature(data: Mapping[str, Any], secret: str) -> str:
    """HMAC-SHA256 of an entry's canonical JSON (without its ``mac``) under ``secret``."""
    import hmac

    body = canonical({k: v for k, v in data.items() if k != "mac"})
    return hmac.new(secret.encode("utf-8"), body.encode("utf-8"), hashlib.sha256).hexdigest()


def check_entry(
    data: object,
    *,
    key: str,
    material: Mapping[str, Any],
    allowed: Mapping[str, set[str | None]],
    secret: str | None = None,
) -> Entry:
    """An entry's JSON data checked field by field, or :class:`CacheEntryError` saying why.

    With a ``secret`` (``ARCHGATE_CACHE_SECRET``) only an entry signed with it is read: one
    written by anyone without the secret, however well formed, is refused."""
    _need(isinstance(data, dict), "not a JSON object")
    assert isinstance(data, dict)
    if secret:
        import hmac

        mac = data.get("mac")
        _need(
            isinstance(mac, str) and hmac.compare_digest(mac, signature(data, secret)),
            "not signed with this run's ARCHGATE_CACHE_SECRET",
        )
    _need(data.get("schema") == SCHEMA, f"schema is not {SCHEMA}")
    _need(data.get("version") == VERSION, f"of another version (this archgate reads {VERSION})")
    stored = data.get("key")
    _need(stored == key, "its stored key is not its file name")
    deps = data.get("dependencies")
    _need(isinstance(deps, dict), "dependencies is not an object")
    assert isinstance(deps, dict)
    try:
        recomputed = key_of(deps)
    except (TypeError, ValueError):
        recomputed = ""
    _need(recomputed == key, "its dependencies do not hash to its key (edited by hand?)")
    _need(deps == json.loads(canonical(material)), "made for other dependencies")
    created = data.get("created")
    _need(isinstance(created, str), "created is not a date")
    try:
        when = _dt.datetime.fromisoformat(str(created))
    except ValueError:
        raise CacheEntryError("created is not an ISO 8601 date") from None
    _need(when.tzinfo is not None, "created has no time zone")
    commit = data.get("commit")
    _need(commit is None or isinstance(commit, str), "commit is not a string")
    origin = data.get("origin")
    _need(isinstance(origin, str) and 0 < len(origin) <= 64, "origin is not a string")
    rows = _check_rows(data.get("rows") or {})
    raw = data.get("measurements")
    _need(isinstance(raw, list) and len(raw) > 0, "measurements is not a non-empty list")
    assert isinstance(raw, list)
    out: list[Measurement] = []
    for i, item in enumerate(raw):
        m, rid = _check_measurement(item, i, allowed)
        if rid is not None:
            _need(rid in rows, f"measurements[{i}].rows names no stored rows")
            if m.fingerprint is not None:
                from pytest_archgate.measure.metrics import data_fingerprint

                _need(
                    data_fingerprint(rows[rid].y_true) == m.fingerprint,
                    f"measurements[{i}]: its rows do not have its fingerprint",
                )
        provenance = {
            "restored": True,
            "key": key,
            "origin": f"{origin}:{i}",
            "commit": commit,
            "created": created,
            **({"rows": rid} if rid is not None else {}),
        }
        out.append(replace(m, cache=provenance))
    return Entry(key=key, created=str(created), commit=commit, measurements=out, rows=rows)


def load_entry(
    folder: Path,
    key: str,
    *,
    material: Mapping[str, Any],
    allowed: Mapping[str, set[str | None]],
    max_age: float,
    now: _dt.datetime | None = None,
    secret: str | None = None,
) -> Entry | None:
    """The entry of ``key``, or ``None`` when there is none; :class:`CacheEntryError` (whose
    message names the file) when there is one that cannot be trusted or has expired."""
    from pytest_archgate.safe_io import read_regular

    path = entry_path(folder, key)
    if not os.path.lexists(path):
        return None
    try:
        raw = read_regular(path, MAX_ENTRY_BYTES, "cache entry")
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except ArchgateError as exc:
        raise CacheEntryError(f"{exc.message}", file=str(path)) from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CacheEntryError(
            f"not valid JSON: {short_repr(str(exc), 80)}", file=str(path)
        ) from None
    try:
        entry = check_entry(data, key=key, material=material, allowed=allowed, secret=secret)
    except CacheEntryError as exc:
        raise CacheEntryError(exc.message, file=str(path)) from None
    age = ((now or now_utc()) - _dt.datetime.fromisoformat(entry.created)).total_seconds()
    if age > max_age:
        raise CacheEntryError(
            f"expired: made {entry.created}, older than the maximum age ({max_age / 86400:g} days)",
            file=str(path),
        )
    if age < -300:
        raise CacheEntryError(f"made in the future ({entry.created})", file=str(path))
    return entry


def new_origin() -> str:
    """A fresh id of one run's measurements (``<origin>:<index>`` names each)."""
    return uuid.uuid4().hex


def entry_data(
    key: str,
    material: Mapping[str, Any],
    measurements: Sequence[Measurement],
    rows: Mapping[str, Rows],
    *,
    origin: str,
    commit: str | None,
    created: str,
) -> dict[str, Any]:
    """The JSON data of a new entry (``rows`` keyed by the ids the measurements name)."""
    stored = []
    for m in measurements:
        data = m.to_json()
        data.pop("predictions", None)
        data.pop("cache", None)
        data.pop("nodeid", None)
        rid = (m.cache or {}).get("rows")
        if rid is not None:
            data["rows"] = rid
        stored.append(data)
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "key": key,
        "created": created,
        "commit": commit,
        "origin": origin,
        "dependencies": dict(material),
        "measurements": stored,
        "rows": {
            rid: {
                "y_true": r.y_true,
                "y_score": r.y_score,
                "threshold": r.threshold,
                "metric_names": r.metric_names,
            }
            for rid, r in rows.items()
        },
    }


def store_entry(
    folder: Path, key: str, data: Mapping[str, Any], *, secret: str | None = None
) -> None:
    """Write an entry atomically (concurrent writers of one key leave one whole entry), signed
    when there is a ``secret``."""
    from pytest_archgate.safe_io import write_text_atomic

    if secret:
        data = {**data, "mac": signature(data, secret)}
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    if len(text.encode("utf-8")) > MAX_ENTRY_BYTES:
        raise OSError(f"the entry would be larger than {MAX_ENTRY_BYTES:,} bytes; not stored")
    write_text_atomic(entry_path(folder, key), text)


def rows_from_file(path: str) -> Rows:
    """The per-row data of a predictions file the fixture wrote (``.npz``, no pickle)."""
    import numpy as np

    with np.load(path, allow_pickle=False) as npz:
        return Rows(
            y_true=[float(x) for x in npz["y_true"]],
            y_score=[float(x) for x in npz["y_score"]],
            threshold=float(npz["threshold"]),
            metric_names=[str(x) for x in npz["metric_names"]],
        )


def rows_to_file(rows: Rows, path: Path) -> str:
    import numpy as np

    np.savez(
        path,
        y_true=np.asarray(rows.y_true, dtype=np.float64),
        y_score=np.asarray(rows.y_score, dtype=np.float64),
        threshold=np.float64(rows.threshold),
        metric_names=np.array(rows.metric_names),
    )
    return str(path)


def estimates_of(measurements: Iterable[Measurement]) -> dict[str, Estimate]:
    """metric -> estimate (the last of each metric), for the test's own use."""
    return {m.metric: m.estimate for m in measurements}
