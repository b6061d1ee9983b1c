"""Finding and parsing Architecture Decision Records.

Three real-world formats are read, because teams already have decision logs and should not have
to rewrite them to adopt archgate:

* MADR 4: YAML front matter (``status``, ``date``, ``decision-makers``...), title in ``# ``.
* adr-tools (Nygard): ``# 3. Title``, a ``Date:`` line and a ``## Status`` section whose first
  paragraph is the status (``Accepted``, ``Superseded by [5. ...](0005-...md)``, and the
  ``Superceded`` spelling adr-tools writes).
* log4brains (and MADR 2/3): ``- Status: accepted`` / ``* Status: ...`` bullets below the title.

The machine-readable part of a decision lives under one front-matter key, ``archgate:``, so an
ADR stays a valid file of its own format. Line numbers of the front-matter keys are kept so that
errors and CI annotations can point at the criterion that failed.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .criteria import Criterion, Kind, check_archgate_block, parse_criterion
from .errors import AdrError, CriterionError, UnknownAdrError

STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
DEFAULT_ADR_DIR = "adr"
FALLBACK_ADR_DIRS = ("docs/adr", "doc/adr", "docs/decisions")
ARCHGATE_KEYS = (
    "decision",
    "baseline",
    "options",
    "constraints",
    "acceptance",
    "weights",
    "cost",
)
_EXCLUDED_NAMES = {"readme.md", "index.md"}
_NUMBER_RE = re.compile(r"^(\d{1,5})(?=$|[-_. ])")
_DATE_PREFIX_RE = re.compile(r"^(\d{8}|\d{4}-\d{2}-\d{2})(?=$|[-_. ])")
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING_RE = re.compile(r"^#\s+(.+?)\s*#*\s*$")
_SECTION_RE = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_BULLET_RE = re.compile(r"^\s*[-*+]\s+\**(status|date)\**\s*:\s*\**\s*(.*?)\s*$", re.IGNORECASE)
_DATE_LINE_RE = re.compile(r"^\s*date\s*:\s*(.+?)\s*$", re.IGNORECASE)
_ADR_TOOLS_TITLE_RE = re.compile(r"^\d+\.\s+")
_LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_ID_RE = re.compile(r"^adr[-_ ]?0*(\d{1,5})$", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class Adr:
    """One parsed decision record."""

    id: str
    title: str
    path: Path
    file: str  # path as shown to users (relative to the project root where possible)
    status: str  # one of STATUSES or "unknown"
    status_raw: str | None = None
    status_line: int | None = None
    superseded_by: str | None = None  # raw reference as written (id, stem, or link target)
    number: int | None = None
    stem: str = ""
    date: str | None = None
    format: str = "plain"
    front_matter: Mapping[str, Any] = field(default_factory=dict)
    has_archgate: bool = False
    archgate_line: int | None = None
    decision: str | None = None
    baseline: str | None = None
    options: tuple[str, ...] = ()
    acceptance: tuple[Criterion, ...] = ()
    constraints: tuple[Criterion, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)
    cost: Mapping[str, Any] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return self.acceptance + self.constraints

    @property
    def enforced(self) -> bool:
        return self.status == "accepted"

    def summary(self) -> dict[str, Any]:
        """The JSON shape ``archgate list --format json`` prints for one ADR."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "status_raw": self.status_raw,
            "file": self.file,
            "date": self.date,
            "format": self.format,
            "superseded_by": self.superseded_by,
            "decision": self.decision,
            "baseline": self.baseline,
            "options": list(self.options),
            "acceptance": [c.to_json() for c in self.acceptance],
            "constraints": [c.to_json() for c in self.constraints],
        }


# --------------------------------------------------------------------------------------------
# discovery


def is_adr_file(path: Path) -> bool:
    """``*.md`` except README/index files and templates."""
    name = path.name.lower()
    if not name.endswith(".md") or name in _EXCLUDED_NAMES:
        return False
    return not name.startswith(("template", "adr-template"))


def find_adr_dir(rootdir: Path, configured: str | None = None) -> Path | None:
    """The ADR folder for a project rooted at ``rootdir``.

    ``configured`` (from ``--archgate-adr-dir`` / the ini option) wins; the default ``adr`` falls
    back to the first existing of ``docs/adr``, ``doc/adr``, ``docs/decisions``. Returns the
    configured path even when it does not exist (the caller reports that), or None when the
    default and every fallback are missing.
    """
    if configured and configured != DEFAULT_ADR_DIR:
        path = Path(configured)
        return path if path.is_absolute() else rootdir / path
    for candidate in (DEFAULT_ADR_DIR, *FALLBACK_ADR_DIRS):
        path = rootdir / candidate
        if path.is_dir():
            return path
    return None


def adr_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.md") if p.is_file() and is_adr_file(p))


# --------------------------------------------------------------------------------------------
# parsing


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(_resolved(root)).as_posix()
        except ValueError:
            pass
    return str(path)


@functools.lru_cache(maxsize=32)
def _resolved(root: Path) -> Path:
    """``root.resolve()``, once per root: it is asked for every ADR file of a log."""
    return root.resolve()


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """Split ``text`` into (front matter or None, its first line, body, body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return None, 0, text, 1
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n").rstrip() in ("---", "..."):
            return "".join(lines[1:i]), 2, "".join(lines[i + 1 :]), i + 2
    return None, 0, text, 1  # an unterminated '---' is a Markdown rule, not front matter


def _load_yaml(fm: str, *, file: str, first_line: int) -> tuple[Any, yaml.Node | None]:
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(fm)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
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
    finally:
        loader.dispose()
    return data, node


def _mapping_items(node: yaml.Node | None) -> list[tuple[yaml.Node, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        return list(node.value)
    return []


def _key_lines(
    node: yaml.Node | None, first_line: int, *, file: str, path: str = ""
) -> dict[str, int]:
    """Line numbers of every mapping key, by dotted path; rejects duplicate keys."""
    out: dict[str, int] = {}
    seen: set[str] = set()
    for key_node, value_node in _mapping_items(node):
        key = str(key_node.value)
        dotted = f"{path}.{key}" if path else key
        line = first_line + key_node.start_mark.line
        if key in seen:
            raise AdrError(
                f"key {key!r} appears twice; YAML would silently keep only the last one",
                file=file,
                line=line,
                field=dotted,
            )
        seen.add(key)
        out[dotted] = line
        out.update(_key_lines(value_node, first_line, file=file, path=dotted))
    return out


def _strip_md(text: str) -> str:
    text = _LINK_RE.sub(lambda m: m.group(1), text)
    return text.replace("**", "").replace("__", "").replace("`", "").strip().strip("*_").strip()


def normalise_status(raw: str | None) -> tuple[str, str | None]:
    """(normalised status, successor reference or None) for a raw status text."""
    if raw is None:
        return "unknown", None
    text = raw.strip()
    plain = _strip_md(text).lower()
    if not plain:
        return "unknown", None
    first = re.split(r"[\s,;:(.!]+", plain, maxsplit=1)[0]
    if first in ("superseded", "superceded"):
        successor = None
        link = _LINK_RE.search(text)
        if link:
            successor = link.group(2)
        else:
            m = re.search(r"\bby\s+(\S+)", _strip_md(text), re.IGNORECASE)
            if m:
                successor = m.group(1).rstrip(".,;")
        return "superseded", successor
    if first == "draft":
        return "proposed", None
    if first in STATUSES:
        return first, None
    return "unknown", None


def outside_fences(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(index, line) of the Markdown lines outside fenced code blocks (``` and ~~~)."""
    in_fence, fence = False, ""
    for index, line in enumerate(lines):
        fence_match = _FENCE_RE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if not in_fence:
                in_fence, fence = True, marker
                continue
            if marker == fence:
                in_fence = False
                continue
        if not in_fence:
            yield index, line


def _scan_body(body: str, first_line: int, *, need_status: bool = True) -> dict[str, Any]:
    """Title, status and date from the Markdown body, skipping fenced code blocks.

    Stops at the first ``## `` section once it has the title and either has the status or
    does not need it (front matter gave one): long ADR bodies are not scanned to the end on
    every pytest start.
    """
    found: dict[str, Any] = {}
    section: str | None = None
    status_para: list[str] = []
    status_para_line: int | None = None
    for offset, line in outside_fences(body.splitlines()):
        lineno = first_line + offset
        heading = _HEADING_RE.match(line)
        if heading and "title" not in found:
            found["title"] = heading.group(1)
            found["title_line"] = lineno
            continue
        sec = _SECTION_RE.match(line)
        if sec:
            if (
                "title" in found
                and not status_para
                and (not need_status or "status_bullet" in found or "status_section" in found)
            ):
                break
            section = _strip_md(sec.group(1)).lower()
            continue
        if section == "status" and "status_section" not in found:
            if line.strip():
                if status_para_line is None:
                    status_para_line = lineno
                status_para.append(line.strip())
            elif status_para:
                found["status_section"] = " ".join(status_para)
                found["status_section_line"] = status_para_line
            continue
        if section is None:
            bullet = _BULLET_RE.match(line)
            if bullet:
                key = bullet.group(1).lower()
                if f"{key}_bullet" not in found:
                    found[f"{key}_bullet"] = bullet.group(2)
                    found[f"{key}_bullet_line"] = lineno
                continue
            date_line = _DATE_LINE_RE.match(line)
            if date_line and "date_line" not in found:
                found["date_line"] = date_line.group(1)
    if status_para and "status_section" not in found:
        found["status_section"] = " ".join(status_para)
        found["status_section_line"] = status_para_line
    return found


def parse_adr(path: Path, *, root: Path | None = None, file: str | None = None) -> Adr:
    """Parse one ADR file. Raises :class:`AdrError` naming the file, line and field.

    ``file`` is the path shown to users; by default ``path`` relative to ``root``.
    """
    file = file if file is not None else _display(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise AdrError(f"not UTF-8 text ({exc.reason})", file=file) from None
    except OSError as exc:
        raise AdrError(f"cannot read: {exc.strerror}", file=file) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    fm_text, fm_line, body, body_line = split_front_matter(text)
    front: Mapping[str, Any] = {}
    key_lines: dict[str, int] = {}
    fmt = "plain"
    if fm_text is not None:
        data, node = _load_yaml(fm_text, file=file, first_line=fm_line)
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
        key_lines = _key_lines(node, fm_line, file=file)
        fmt = "madr"
    scanned = _scan_body(body, body_line, need_status=front.get("status") is None)

    stem = path.stem
    number: int | None = None
    if _DATE_PREFIX_RE.match(stem) is None:
        m = _NUMBER_RE.match(stem)
        if m:
            number = int(m.group(1))
    if "id" in front:
        raw_id = front["id"]
        if not isinstance(raw_id, str | int) or isinstance(raw_id, bool) or not str(raw_id):
            raise AdrError(
                f"id must be a string, got {raw_id!r}",
                file=file,
                line=key_lines.get("id"),
                field="id",
            )
        adr_id = str(raw_id)
    elif number is not None:
        adr_id = f"ADR-{number:04d}"
    else:
        adr_id = stem

    # status: front matter, then an adr-tools "## Status" section, then a "- Status:" bullet
    status_raw: str | None = None
    status_line: int | None = None
    if "status" in front and front["status"] is not None:
        status_raw = str(front["status"])
        status_line = key_lines.get("status")
    elif "status_section" in scanned:
        status_raw = scanned["status_section"]
        status_line = scanned["status_section_line"]
        fmt = "adr-tools" if fmt == "plain" else fmt
    elif "status_bullet" in scanned:
        status_raw = scanned["status_bullet"]
        status_line = scanned["status_bullet_line"]
        fmt = "log4brains" if fmt == "plain" else fmt
    status, successor = normalise_status(status_raw)
    if fmt == "plain" and "date_line" in scanned:
        fmt = "adr-tools"
    elif fmt == "plain" and "date_bullet" in scanned:
        fmt = "log4brains"

    title_raw = front.get("title")
    if isinstance(title_raw, str) and title_raw.strip():
        title = title_raw.strip()
    elif "title" in scanned:
        title = _strip_md(scanned["title"])
        if fmt == "adr-tools" or (number is not None and _ADR_TOOLS_TITLE_RE.match(title)):
            title = _ADR_TOOLS_TITLE_RE.sub("", title)
    else:
        title = stem

    date_raw = front.get("date") or scanned.get("date_bullet") or scanned.get("date_line")
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
    if "archgate" in front:
        adr = _parse_archgate_block(adr, front["archgate"], key_lines)
    return adr


def _as_name_list(raw: Any, *, field: str, file: str, line: int | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise AdrError(
            f"expected a list of option names, got {raw!r}", file=file, line=line, field=field
        )
    names = tuple(x.strip() for x in raw)
    dupes = sorted({x for x in names if names.count(x) > 1})
    if dupes:
        raise AdrError(
            f"option(s) listed twice: {', '.join(dupes)}", file=file, line=line, field=field
        )
    return names


def _parse_archgate_block(adr: Adr, block: Any, key_lines: Mapping[str, int]) -> Adr:
    file = adr.file
    line = key_lines.get("archgate")
    if block is None:
        block = {}
    if not isinstance(block, Mapping):
        raise AdrError(
            f"archgate must be a mapping (decision, options, acceptance...), got "
            f"{type(block).__name__}",
            file=file,
            line=line,
            field="archgate",
        )
    unknown = sorted(str(k) for k in block if k not in ARCHGATE_KEYS)
    if unknown:
        bad = unknown[0]
        raise AdrError(
            f"unknown key {bad!r}; allowed: {', '.join(ARCHGATE_KEYS)}",
            file=file,
            line=key_lines.get(f"archgate.{bad}", line),
            field=f"archgate.{bad}",
        )

    def single(name: str) -> str | None:
        raw = block.get(name)
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw.strip():
            raise AdrError(
                f"expected an option name, got {raw!r}",
                file=file,
                line=key_lines.get(f"archgate.{name}", line),
                field=f"archgate.{name}",
            )
        return raw.strip()

    decision = single("decision")
    baseline = single("baseline")
    options = _as_name_list(
        block.get("options"),
        field="archgate.options",
        file=file,
        line=key_lines.get("archgate.options", line),
    )
    if options:
        for name, value in (("decision", decision), ("baseline", baseline)):
            if value is not None and value not in options:
                raise AdrError(
                    f"{value!r} is not one of archgate.options ({', '.join(options)})",
                    file=file,
                    line=key_lines.get(f"archgate.{name}", line),
                    field=f"archgate.{name}",
                )
    else:
        options = tuple(dict.fromkeys(x for x in (decision, baseline) if x is not None))

    def criteria(section: str, kind: Kind) -> tuple[Criterion, ...]:
        raw = block.get(section)
        if raw is None:
            return ()
        if not isinstance(raw, Mapping):
            raise CriterionError(
                f"expected a mapping of criterion name to spec, got {type(raw).__name__}",
                file=file,
                line=key_lines.get(f"archgate.{section}", line),
                field=f"archgate.{section}",
            )
        return tuple(
            parse_criterion(
                name,
                spec,
                kind=kind,
                options=options,
                file=file,
                line=key_lines.get(f"archgate.{section}.{name}", line),
            )
            for name, spec in raw.items()
        )

    acceptance = criteria("acceptance", "acceptance")
    constraints = criteria("constraints", "constraint")
    check_archgate_block(
        decision=decision,
        baseline=baseline,
        options=options,
        acceptance=acceptance,
        constraints=constraints,
        file=file,
        line_of=lambda key: key_lines.get(key, line),
    )

    weights_raw = block.get("weights") or {}
    weights: dict[str, float] = {}
    if not isinstance(weights_raw, Mapping):
        raise AdrError(
            "weights must map acceptance criterion names to numbers",
            file=file,
            line=key_lines.get("archgate.weights", line),
            field="archgate.weights",
        )
    names = {c.name for c in acceptance}
    for wname, wval in weights_raw.items():
        wline = key_lines.get(f"archgate.weights.{wname}", line)
        if wname not in names:
            raise AdrError(
                f"weight for {wname!r}, which is not an acceptance criterion "
                f"({', '.join(sorted(names)) or 'none defined'})",
                file=file,
                line=wline,
                field=f"archgate.weights.{wname}",
            )
        if isinstance(wval, bool) or not isinstance(wval, int | float) or not 0 <= wval <= 1e300:
            raise AdrError(
                f"weight must be a non-negative number, got {str(wval)[:40]}",
                file=file,
                line=wline,
                field=f"archgate.weights.{wname}",
            )
        weights[str(wname)] = float(wval)

    cost_raw = block.get("cost") or {}
    if not isinstance(cost_raw, Mapping):
        raise AdrError(
            "cost must be a mapping (usd_per_hour, volume_per_day, prices...)",
            file=file,
            line=key_lines.get("archgate.cost", line),
            field="archgate.cost",
        )
    from .cost import parse_cost

    parse_cost(cost_raw, file=file, line_of=key_lines.get, options=options)

    return _replace(
        adr,
        has_archgate=True,
        archgate_line=line,
        decision=decision,
        baseline=baseline,
        options=options,
        acceptance=acceptance,
        constraints=constraints,
        weights=weights,
        cost=dict(cost_raw),
    )


def _replace(adr: Adr, **changes: Any) -> Adr:
    return dataclasses.replace(adr, **changes)


# --------------------------------------------------------------------------------------------
# the log


@dataclass
class AdrLog:
    """All ADRs of one folder, with lookup by id, number or file stem."""

    directory: Path | None
    adrs: list[Adr] = field(default_factory=list)
    errors: list[AdrError] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index: dict[str, Adr] = {}
        for adr in self.adrs:
            for key in self._keys(adr):
                self._index.setdefault(key, adr)

    @staticmethod
    def _keys(adr: Adr) -> Iterable[str]:
        yield adr.id.lower()
        yield adr.stem.lower()
        yield adr.path.name.lower()
        if adr.number is not None:
            yield str(adr.number)

    def __iter__(self) -> Any:
        return iter(self.adrs)

    def __len__(self) -> int:
        return len(self.adrs)

    def get(self, ref: str | int) -> Adr | None:
        """The ADR for an id (``ADR-0002``), bare number (``2``, ``"0002"``), stem or file name."""
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int):
            return self._index.get(str(ref))
        text = str(ref).strip()
        key = text.lower()
        if key in self._index:
            return self._index[key]
        if text.isdigit():
            return self._index.get(str(int(text)))
        m = _ID_RE.match(text)
        if m:
            return self._index.get(str(int(m.group(1))))
        # a link target such as "0003-foo.md" or "./0003-foo.md"
        name = Path(text.split("#", 1)[0]).name.lower()
        if name in self._index:
            return self._index[name]
        return None

    def lookup(self, ref: str | int, *, where: str | None = None) -> Adr:
        """Like :meth:`get` but raises :class:`UnknownAdrError` with close matches."""
        adr = self.get(ref)
        if adr is not None:
            return adr
        known = [a.id for a in self.adrs]
        close = difflib.get_close_matches(str(ref), known, n=3)
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


def load_log(directory: Path | None, *, root: Path | None = None) -> AdrLog:
    """Parse every ADR in ``directory``; parse errors are collected in ``AdrLog.errors``."""
    if directory is None or not directory.is_dir():
        return AdrLog(directory=directory)
    adrs: list[Adr] = []
    errors: list[AdrError] = []
    shown_dir = _display(directory, root)  # resolved once, not once per file
    for path in adr_files(directory):
        try:
            shown = path.name if shown_dir == "." else f"{shown_dir}/{path.name}"
            adrs.append(parse_adr(path, root=root, file=shown))
        except AdrError as exc:
            errors.append(exc)
    adrs.sort(key=lambda a: (a.number is None, a.number or 0, a.stem))
    return AdrLog(directory=directory, adrs=adrs, errors=errors)


def lint_log(log: AdrLog) -> list[str]:
    """Every problem in a decision log, one line each (empty when clean)."""
    problems = [str(e) for e in log.errors]
    for _ident, adrs in sorted(log.duplicate_ids().items()):
        files = ", ".join(a.file for a in adrs)
        problems.append(f"{adrs[0].file}: id: duplicate id {adrs[0].id} in {files}")
    for adr in log.adrs:
        if adr.has_archgate and adr.status == "unknown":
            why = f"status {adr.status_raw!r} is not one of" if adr.status_raw else "no status; use"
            problems.append(
                f"{adr.file}:{adr.status_line or adr.archgate_line or 1}: status: {why} "
                f"{', '.join(STATUSES)}: an ADR with an archgate block is never enforced "
                "without one"
            )
        if adr.has_archgate and not adr.criteria:
            problems.append(
                f"{adr.file}:{adr.archgate_line or 1}: archgate: no acceptance criteria or "
                "constraints: nothing can be checked"
            )
        if adr.status == "accepted" and adr.has_archgate and adr.acceptance and not adr.decision:
            problems.append(
                f"{adr.file}:{adr.archgate_line or 1}: archgate.decision: an accepted ADR with "
                "criteria must name the option it chose"
            )
        if adr.superseded_by and log.successor(adr) is None:
            problems.append(
                f"{adr.file}:{adr.status_line or 1}: status: superseded by "
                f"{adr.superseded_by!r}, which is not in the log"
            )
    problems.extend(_supersede_cycles(log))
    return problems


def _supersede_cycles(log: AdrLog) -> list[str]:
    problems: list[str] = []
    reported: set[str] = set()
    for start in log.adrs:
        chain: list[Adr] = []
        cur: Adr | None = start
        while cur is not None and cur not in chain:
            chain.append(cur)
            cur = log.successor(cur)
        if cur is not None and cur.id not in reported:
            cycle = chain[chain.index(cur) :]
            reported.update(a.id for a in cycle)
            path = " -> ".join(a.id for a in [*cycle, cur])
            problems.append(f"{cur.file}:{cur.status_line or 1}: status: supersede cycle {path}")
    return problems
