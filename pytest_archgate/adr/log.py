"""A decision log: every ADR of one folder, looked up by id, number, stem or link target.

Problems are split by what they affect: a file with an ``archgate:`` block takes part in gating,
so any problem in it is an error; a file used only as a record (no ``archgate:`` block) that
cannot be read is a warning, so that a decision log kept in another style never stops a test
suite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_archgate.adr.files import (
    ADR_SUFFIXES,
    MAX_ADR_BYTES,
    UNICODE_BOMS,
    adr_files,
    display_path,
    number_from_stem,
    read_adr_text,
)
from pytest_archgate.adr.model import Adr, DuplicateAdrIdError
from pytest_archgate.errors import AdrError, UnknownAdrError

if TYPE_CHECKING:
    from pytest_archgate.adr.parse_cache import ParseCache

_ID_RE = re.compile(r"^(?:adr[-_ ]?|#)?0*(\d{1,5})$", re.IGNORECASE)


def _ref_keys(ref: str | int) -> list[str]:
    """Index keys an ADR reference may match, most specific first: the text itself, a bare
    number (``2``, ``"0002"``), an id (``ADR-002``, ``ADR025``, ``ADR 25``, ``#25``), a link
    target (``./0003-foo.md#x``) and the number a file-name-like reference carries."""
    if isinstance(ref, bool):
        return []
    if isinstance(ref, int):
        return [str(ref)] if 0 <= ref < 10**6 else []
    text = str(ref).strip()
    if not text or len(text) > 500:
        return []
    keys = [text.lower()]
    m = _ID_RE.match(text)
    if m:
        keys.append(str(int(m.group(1))))
    name = text.split("#", 1)[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name:
        keys.append(name)
        stem = name.rsplit(".", 1)[0] if name.endswith(ADR_SUFFIXES) else name
        keys.append(stem)
        digits = len(stem) - len(stem.rstrip("0123456789"))
        number = number_from_stem(stem) if 0 < digits <= 5 else None
        if number is not None:  # an id with a project prefix: "ODH-ADR-Operator-0002"
            keys.append(f"#{number}")
    return list(dict.fromkeys(keys))


class AdrLog:
    """All ADRs of one folder, with lookup by id, number or file stem.

    ``errors`` are problems of files that take part in gating (they have an ``archgate:``
    block, or share an id with one that has): they stop pytest. ``warnings`` are problems of
    files used only as records (unparseable front matter, placeholder templates, files that
    share a number): they are reported and never stop a test suite. ``failed`` maps the names
    of files that could not be parsed to their problem, so that a marker naming one gets that
    problem instead of "no such ADR".
    """

    # a plain class, not a dataclass: the CLI must not import dataclasses (record.py)
    def __init__(
        self,
        directory: Path | None,
        adrs: list[Adr] | None = None,
        errors: list[AdrError] | None = None,
        warnings: list[AdrError] | None = None,
        failed: dict[str, AdrError] | None = None,
    ) -> None:
        self.directory = directory
        self.adrs: list[Adr] = adrs if adrs is not None else []
        self.errors: list[AdrError] = errors if errors is not None else []
        self.warnings: list[AdrError] = warnings if warnings is not None else []
        self.failed: dict[str, AdrError] = failed if failed is not None else {}
        # key -> the ADR, or the ADRs when several share it (one list per shared key only: a
        # pytest run keeps the log, and each container is work for every full collection)
        self._index: dict[str, Adr | list[Adr]] = {}
        for adr in self.adrs:
            for key in self._keys(adr):
                have = self._index.get(key)
                if have is None:
                    self._index[key] = adr
                elif isinstance(have, list):
                    if adr not in have:
                        have.append(adr)
                elif have is not adr:
                    self._index[key] = [have, adr]

    @staticmethod
    def _keys(adr: Adr) -> Iterable[str]:
        yield adr.id.lower()
        yield adr.stem.lower()
        yield adr.path.name.lower()
        if adr.number is not None:
            yield str(adr.number)
            yield f"#{adr.number}"

    def __repr__(self) -> str:
        return (
            f"AdrLog(directory={self.directory!r}, adrs={len(self.adrs)}, "
            f"errors={len(self.errors)}, warnings={len(self.warnings)})"
        )

    def __iter__(self) -> Any:
        return iter(self.adrs)

    def __len__(self) -> int:
        return len(self.adrs)

    def candidates(self, ref: str | int) -> list[Adr]:
        """Every ADR ``ref`` may name (several when files share an id or number)."""
        for key in _ref_keys(ref):
            found = self._index.get(key)
            if found is not None:
                return list(found) if isinstance(found, list) else [found]
        return []

    def get(self, ref: str | int) -> Adr | None:
        """The ADR for an id (``ADR-0002``), bare number (``2``, ``"0002"``), stem or file name;
        None when there is none or the reference is ambiguous."""
        found = self.candidates(ref)
        return found[0] if len(found) == 1 else None

    def failure(self, ref: str | int) -> AdrError | None:
        """The parse problem of the file ``ref`` names, when that file could not be parsed."""
        for key in _ref_keys(ref):
            if key in self.failed:
                return self.failed[key]
        return None

    def lookup(self, ref: str | int, *, where: str | None = None) -> Adr:
        """Like :meth:`get` but raises :class:`UnknownAdrError`: for an ambiguous reference
        (naming the files), a file that cannot be parsed (naming its problem), or no match
        (with close matches)."""
        found = self.candidates(ref)
        if len(found) == 1:
            return found[0]
        if found:
            files = ", ".join(a.file for a in found)
            raise UnknownAdrError(
                f"{ref!r} is ambiguous: {files} all read as {found[0].id}; name one by its file "
                f"stem (e.g. {found[0].stem!r}) or give the files distinct numbers",
                file=where,
            )
        problem = self.failure(ref)
        if problem is not None:
            raise UnknownAdrError(
                f"{ref!r} names {problem.file}, which cannot be parsed: {problem}", file=where
            )
        known = [a.id for a in self.adrs]
        import difflib

        close = difflib.get_close_matches(str(ref)[:200], known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        folder = str(self.directory) if self.directory else "no ADR folder found"
        raise UnknownAdrError(f"no ADR {ref!r} in {folder} ({len(known)} ADRs){hint}", file=where)

    def successor(self, adr: Adr) -> Adr | None:
        return self.get(adr.superseded_by) if adr.superseded_by else None

    def duplicate_ids(self) -> dict[str, list[Adr]]:
        seen: dict[str, list[Adr]] = {}
        for adr in self.adrs:
            seen.setdefault(adr.id.lower(), []).append(adr)
        return {k: v for k, v in seen.items() if len(v) > 1}

    def gated_duplicate_ids(self) -> dict[str, list[Adr]]:
        """Duplicate ids where at least one of the files has an ``archgate:`` block."""
        return {k: v for k, v in self.duplicate_ids().items() if any(a.has_archgate for a in v)}


def _probe_gated(path: Path) -> bool:
    """Whether a file that could not be parsed looks like it has an ``archgate:`` block (read
    as bytes, so that it also works for files too large, UTF-16 or not UTF-8).

    A file that cannot be read at all (no permission, not a regular file) counts as gated: what
    it decides cannot be known, so it must not drop out of the gate without an error.
    """
    from pytest_archgate.errors import ReportError
    from pytest_archgate.safe_io import read_regular

    try:
        head = read_regular(path, MAX_ADR_BYTES, "ADR file", head=True)
    except ReportError:
        return True
    candidates = [head, head.replace(b"\x00", b"")]  # UTF-16/32: ASCII with NUL bytes between
    for bom, name in UNICODE_BOMS:
        if head.startswith(bom):
            candidates.append(head.decode(name.lower(), "replace").encode("utf-8", "replace"))
    pattern = re.compile(rb"(?m)^(?:\.\.[ \t]+)?[\"']?archgate[\"']?[ \t]*:")
    return any(pattern.search(c) is not None for c in candidates)


def _file_keys(path: Path) -> list[str]:
    name = path.name.lower()
    stem = name.rsplit(".", 1)[0]
    keys = [name, stem]
    number = number_from_stem(stem)
    if number is not None:
        keys += [str(number), f"#{number}", f"adr-{number:04d}"]
    return keys


def _parse(path: Path, shown: str, state: dict[str, bool], cache: ParseCache | None) -> Adr:
    """One file, from the parse cache when its text and the parser are unchanged.

    The parser (and PyYAML with it) is imported only on a miss: a run whose log is unchanged
    never imports it.
    """
    if cache is None:
        from pytest_archgate.adr.parse import parse_tracked

        return parse_tracked(path, shown, state)
    from pytest_archgate.adr.parse_cache import file_key

    found = file_key(path)
    if found is not None:
        adr = cache.get(path, shown, found[0])
        if adr is not None:
            return adr
    from pytest_archgate.adr.parse import parse_text

    text = read_adr_text(path, file=shown)
    adr = parse_text(path, shown, text, state)
    if found is not None and found[1]:
        # stat'ed before the read: a write during the read changes ctime, so at worst the
        # entry is stale-looking and missed next time, never a new text under an old key
        cache.put(shown, found[0], adr)
    return adr


def load_log(directory: Path | None, *, root: Path | None = None) -> AdrLog:
    """Parse every ADR in ``directory``; problems are collected in ``AdrLog.errors`` (files
    that take part in gating) and ``AdrLog.warnings`` (files used only as records)."""
    if directory is None or not directory.is_dir():
        return AdrLog(directory=directory)
    adrs: list[Adr] = []
    errors: list[AdrError] = []
    warnings: list[AdrError] = []
    failed: dict[str, AdrError] = {}
    shown_dir = display_path(directory, root)  # resolved once, not once per file
    from pytest_archgate.adr.parse_cache import open_cache

    cache = open_cache(directory)
    for path in adr_files(directory):
        shown = path.name if shown_dir == "." else f"{shown_dir}/{path.name}"
        state: dict[str, bool] = {}
        try:
            adrs.append(_parse(path, shown, state, cache))
        except AdrError as exc:
            gated = state.get("gated") or _probe_gated(path)
            (errors if gated else warnings).append(exc)
            for key in _file_keys(path):
                failed.setdefault(key, exc)
    if cache is not None:
        cache.save()
    adrs.sort(key=lambda a: (a.number is None, a.number or 0, a.stem))
    log = AdrLog(directory=directory, adrs=adrs, errors=errors, warnings=warnings, failed=failed)
    for _ident, group in sorted(log.duplicate_ids().items()):
        files = ", ".join(a.file for a in group)
        problem = DuplicateAdrIdError(
            f"duplicate id {group[0].id} in {files}", file=group[0].file, field="id"
        )
        (errors if any(a.has_archgate for a in group) else warnings).append(problem)
    return log
