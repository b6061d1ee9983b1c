"""Parsed ADRs kept between runs, so that a decision log that did not change is not parsed again.

Reading an ADR costs most of a millisecond (PyYAML's construction of the front matter, then the
checks of the ``archgate:`` block), which a suite linked to a few hundred decisions pays on every
pytest run and ``archgate list`` on every call. This cache keeps, per ADR folder, the parsed
record of every file that parsed without error, and serves it again only while both are
unchanged:

* the file: its path as shown to users, and its device, inode, size, modification time and
  status-change time (``st_ctime``, which every write sets to the current time and which no
  program can set back: restoring ``mtime`` after an edit still changes it). A file changed
  less than :data:`RACY_SECONDS` before it was read is not stored: a second edit within the
  clock's resolution could leave every one of those values the same (git's "racily clean"
  entries are handled the same way);
* the parser: the size and modification time of every module that takes part in parsing
  (``adr/``, the name rules, the error tree, the escaper, safe reading), the Python version,
  and PyYAML's files: an upgrade or a local edit of the parser never serves an old reading.

A file that failed to parse is never cached (its error is found again, with its line), and
neither is a record holding a value the cache cannot write back exactly. A hit reads nothing
but the cache file and the ``stat`` of each ADR; the parser and PyYAML are not even imported.

Where: ``$XDG_CACHE_HOME/pytest-archgate/adr/`` (``~/.cache/...`` without it), one JSON file
per ADR folder, named after the folder's absolute path. Outside the checkout on purpose: a
cache inside the repository (``.pytest_cache``) is content that a pull request can commit, and
a forged entry could drop a criterion from the gate without the ADR changing. JSON only, never
pickle or marshal. A cache file that is unreadable, not JSON, of another format or with values
of the wrong type is ignored and rewritten; writes are atomic. ``ARCHGATE_ADR_CACHE=0`` turns
the cache off; a folder that cannot be written (a read-only home) only costs the time saved.
At most :data:`MAX_FILES` folders are kept, least recently written first out. See ADR-0022
(``adr/0022-adr-parse-cache.md``).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pytest_archgate.adr.criteria import Criterion
from pytest_archgate.adr.model import Adr

FORMAT = 2
"""Version of the cache file's layout; another version is ignored."""

MAX_FILES = 256
"""Cached ADR folders kept; pytester-style test suites make a new folder per test."""

MAX_CACHE_BYTES = 32 * 1024 * 1024
"""A larger cache file is not read (a 200-ADR log takes about 200 KB)."""

RACY_SECONDS = 3.0
"""A file modified this recently when read is parsed but not stored (file systems with a
coarse clock, e.g. FAT's 2 s, could hide a second edit)."""

_OFF = frozenset({"0", "false", "no", "off", "n", "f"})
_TAG = "\x00"  # key of a tagged value; a mapping that has this key itself is stored tagged

_STR_FIELDS = ("id", "title", "status", "stem", "format", "family")
_OPT_STR_FIELDS = ("status_raw", "superseded_by", "date", "decision", "baseline")
_OPT_INT_FIELDS = ("status_line", "number", "archgate_line")
CRITERION_FIELDS = Criterion.__slots__
"""A criterion is stored as the list of its fields, in declaration order."""
ADR_FIELDS = (
    *_STR_FIELDS,
    *_OPT_STR_FIELDS,
    *_OPT_INT_FIELDS,
    "path",
    "file",
    "front_matter",
    "has_archgate",
    "options",
    "acceptance",
    "constraints",
    "weights",
    "cost",
    "key_lines",
)
"""Every field of :class:`Adr`; a test checks this against the class, so a new field cannot be
forgotten here (``path`` and ``file`` are not stored: they are the entry's key)."""


class _Unsupported(Exception):
    """A value the cache cannot write back exactly: the record is simply not cached."""


def enabled() -> bool:
    return os.environ.get("ARCHGATE_ADR_CACHE", "").strip().lower() not in _OFF


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "pytest-archgate" / "adr"


def _stat_entries(folder: str, suffixes: tuple[str, ...]) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.endswith(suffixes):
                    st = entry.stat()
                    out.append((entry.name, st.st_size, st.st_mtime_ns))
    except OSError:
        out.append((folder, -1, -1))
    out.sort()
    return out


def code_fingerprint() -> list[Any]:
    """What the parser is made of, cheaply: sizes and times of its modules, Python, PyYAML."""
    import importlib.util

    package = Path(__file__).resolve().parent.parent
    parts: list[Any] = [FORMAT, sys.version, str(package)]
    parts.append(_stat_entries(str(package / "adr"), (".py",)))
    top = _stat_entries(str(package), (".py",))
    parts.append(top)
    parts.append(_stat_entries(str(package / "measure"), ("names.py",)))
    spec = importlib.util.find_spec("yaml")
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    for location in locations:
        parts.append((location, _stat_entries(location, (".py", ".so", ".pyd"))))
    # through JSON, so that it compares equal to the copy read back from the cache file
    fingerprint: list[Any] = json.loads(json.dumps(parts))
    return fingerprint


def file_key(path: Path) -> tuple[list[int], bool] | None:
    """The stat values an entry is valid for, and whether the file is old enough to store;
    None when the file cannot be examined (the parser then reports why)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    key = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    newest = max(st.st_mtime_ns, st.st_ctime_ns)
    settled = time.time_ns() - newest > RACY_SECONDS * 1e9
    return key, settled


# ---------------------------------------------------------------------------- values
def _enc(value: Any) -> Any:
    """A YAML value (what PyYAML's safe loader builds) as JSON that decodes to an equal value."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):  # json writes inf/nan as Infinity/NaN and reads them
        return value
    if isinstance(value, list):
        return [_enc(v) for v in value]
    if isinstance(value, Mapping):
        if all(isinstance(k, str) and k != _TAG for k in value):
            return {k: _enc(v) for k, v in value.items()}
        return {_TAG: "map", "v": [[_enc(k), _enc(v)] for k, v in value.items()]}
    import datetime

    if isinstance(value, datetime.datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, bytes):
        return {_TAG: "bytes", "v": value.hex()}
    if isinstance(value, set):
        return {_TAG: "set", "v": [_enc(v) for v in value]}
    raise _Unsupported(type(value).__name__)


def _dec(value: Any) -> Any:
    if isinstance(value, list):
        return [_dec(v) for v in value]
    if isinstance(value, dict):
        tag = value.get(_TAG)
        if tag is None:
            return {k: _dec(v) for k, v in value.items()}
        raw = value["v"]
        if tag == "map":
            return {_dec(k): _dec(v) for k, v in raw}
        import datetime

        if tag == "datetime":
            return datetime.datetime.fromisoformat(raw)
        if tag == "date":
            return datetime.date.fromisoformat(raw)
        if tag == "bytes":
            return bytes.fromhex(raw)
        if tag == "set":
            return {_dec(v) for v in raw}
        raise ValueError(f"unknown tag {tag!r}")
    return value


def encode_adr(adr: Adr) -> dict[str, Any]:
    """The record as JSON; :class:`_Unsupported` when a value cannot round-trip exactly."""
    out: dict[str, Any] = {name: getattr(adr, name) for name in _STR_FIELDS}
    for name in (*_OPT_STR_FIELDS, *_OPT_INT_FIELDS):
        out[name] = getattr(adr, name)
    out["has_archgate"] = adr.has_archgate
    out["options"] = list(adr.options)
    for name in ("acceptance", "constraints"):
        out[name] = [[getattr(c, f) for f in CRITERION_FIELDS] for c in getattr(adr, name)]
    out["front_matter"] = _enc(adr.front_matter)
    out["weights"] = _enc(adr.weights)
    out["cost"] = _enc(adr.cost)
    # where the tagged (non-JSON) values are: only they are decoded when read back, copying
    # just the containers on their paths (front matter is plain JSON but for its dates)
    out["tagged"] = {name: list(_tag_paths(out[name], ())) for name in ("front_matter", "cost")}
    out["key_lines"] = dict(adr.key_lines)
    return out


def _tag_paths(encoded: Any, path: tuple[str | int, ...]) -> Iterator[list[str | int]]:
    """The paths (dict keys, list indexes) of the outermost tagged values in an :func:`_enc`
    result."""
    if isinstance(encoded, list):
        for i, v in enumerate(encoded):
            yield from _tag_paths(v, (*path, i))
    elif isinstance(encoded, dict):
        if _TAG in encoded:
            yield list(path)
        else:
            for k, v in encoded.items():
                yield from _tag_paths(v, (*path, k))


def _untag(value: Any, paths: Any) -> Any:
    """``_dec(value)`` when the tagged values are at ``paths``: the rest is used as read, and
    only the containers on a path are copied (the entry itself is written back unchanged)."""
    _check(isinstance(paths, list))
    for path in paths:
        _check(isinstance(path, list) and all(type(step) in (str, int) for step in path))
        value = _replace_at(value, path)
    return value


def _replace_at(node: Any, path: list[str | int]) -> Any:
    if not path:
        return _dec(node)
    _check(isinstance(node, list | dict))
    copy: Any = list(node) if isinstance(node, list) else dict(node)
    copy[path[0]] = _replace_at(node[path[0]], path[1:])
    return copy


def _check(ok: bool) -> None:
    if not ok:
        raise ValueError("cache entry of the wrong shape")


def decode_adr(data: Any, *, path: Path, file: str) -> Adr:
    """The record back; ``ValueError``/``KeyError``/``TypeError`` on an entry of another shape."""
    _check(isinstance(data, dict))
    fields: dict[str, Any] = {}
    for name in _STR_FIELDS:
        fields[name] = data[name]
        _check(isinstance(fields[name], str))
    for name in _OPT_STR_FIELDS:
        fields[name] = data[name]
        _check(fields[name] is None or isinstance(fields[name], str))
    for name in _OPT_INT_FIELDS:
        fields[name] = data[name]
        _check(fields[name] is None or type(fields[name]) is int)
    fields["has_archgate"] = data["has_archgate"]
    _check(isinstance(fields["has_archgate"], bool))
    options = data["options"]
    _check(isinstance(options, list) and all(isinstance(o, str) for o in options))
    fields["options"] = tuple(options)
    for name in ("acceptance", "constraints"):
        rows = data[name]
        _check(isinstance(rows, list))
        crits = []
        for row in rows:
            _check(isinstance(row, list) and len(row) == len(CRITERION_FIELDS))
            crit = Criterion._from_fields(row)  # checked below; the fields in slot order
            _check(isinstance(crit.name, str) and isinstance(crit.metric, str))
            for bound in (crit.min, crit.max, crit.confidence):
                _check(bound is None or (type(bound) in (int, float)))
            crits.append(crit)
        fields[name] = tuple(crits)
    tagged = data["tagged"]
    _check(isinstance(tagged, dict))
    front = _untag(data["front_matter"], tagged["front_matter"])
    _check(isinstance(front, dict))
    weights = data["weights"]
    _check(isinstance(weights, dict) and all(type(w) in (int, float) for w in weights.values()))
    cost = _untag(data["cost"], tagged["cost"])
    _check(isinstance(cost, dict))
    key_lines = data["key_lines"]
    _check(isinstance(key_lines, dict) and all(type(v) is int for v in key_lines.values()))
    fields.update(
        path=path, file=file, front_matter=front, weights=weights, cost=cost, key_lines=key_lines
    )
    return Adr._from_fields([fields[name] for name in Adr.__slots__])


# ---------------------------------------------------------------------------- the store
class ParseCache:
    """The cached records of one ADR folder for one run: read once, written once if changed."""

    def __init__(self, directory: Path) -> None:
        # a readable name; two folders that map to one name only evict each other's entries
        # (an entry also holds the file's device and inode, so it can never serve the other)
        folder = str(directory.resolve())
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", folder).strip("_")[-150:]
        self.file = cache_root() / f"{name}-{len(folder)}.json"
        self.fingerprint = code_fingerprint()
        self.entries: dict[str, Any] = {}
        self.kept: dict[str, Any] = {}
        self.changed = False
        self._read()

    def _read(self) -> None:
        try:
            with open(self.file, "rb") as fh:
                raw = fh.read(MAX_CACHE_BYTES + 1)
        except OSError:
            return
        if len(raw) > MAX_CACHE_BYTES:
            return
        try:
            data = json.loads(raw)
        except ValueError:
            return
        if (
            isinstance(data, dict)
            and data.get("format") == FORMAT
            and data.get("code") == self.fingerprint
            and isinstance(data.get("entries"), dict)
        ):
            self.entries = data["entries"]

    def get(self, path: Path, file: str, key: list[int]) -> Adr | None:
        entry = self.entries.get(file)
        if not isinstance(entry, dict) or entry.get("stat") != key:
            return None
        try:
            adr = decode_adr(entry.get("adr"), path=path, file=file)
        except (KeyError, IndexError, TypeError, ValueError):
            return None
        self.kept[file] = entry
        return adr

    def put(self, file: str, key: list[int], adr: Adr) -> None:
        try:
            encoded = encode_adr(adr)
            json.dumps(encoded)  # refuse what json cannot write before it reaches the file
        except (_Unsupported, TypeError, ValueError):
            return
        self.kept[file] = {"stat": key, "adr": encoded}
        self.changed = True

    def save(self) -> None:
        """Write the entries of this run (files gone from the folder drop out); best effort."""
        if not self.changed and self.kept.keys() == self.entries.keys():
            return
        from pytest_archgate.safe_io import write_text_atomic

        text = json.dumps({"format": FORMAT, "code": self.fingerprint, "entries": self.kept})
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.file, text)
            _prune(self.file.parent)
        except OSError:
            pass  # a read-only or full cache folder: the next run parses again


def _prune(folder: Path) -> None:
    try:
        with os.scandir(folder) as it:
            files = [(e.stat().st_mtime_ns, e.path) for e in it if e.name.endswith(".json")]
    except OSError:
        return
    if len(files) <= MAX_FILES:
        return
    files.sort()
    for _mtime, name in files[: len(files) - MAX_FILES]:
        try:
            os.unlink(name)
        except OSError:
            continue  # removed by another run meanwhile


def open_cache(directory: Path) -> ParseCache | None:
    if not enabled():
        return None
    try:
        return ParseCache(directory)
    except OSError:
        return None
