"""Writing decisions: ``archgate new``, ``archgate accept`` and ``archgate supersede``.

An ADR is only useful as a gate if writing one is cheap and accepting one leaves a trail. ``new``
starts a record from a template that already asks the questions a senior ML architect would ask
(latency budget, training data, cost, team capabilities...) and already carries measurable
criteria. ``accept`` flips a proposed record to accepted only on measured evidence: it checks the
report against the file (same criteria, same commit, the option passes) and writes the comparison
table, the environment and the rationale into the record, so that a reviewer reading the ADR a
year later sees what the decision was based on. ``supersede`` links an old record to its
successor in whichever format the log uses.

These commands edit files people wrote by hand, so they change only the fields they must (see
:mod:`pytest_archgate.frontmatter_edit`), re-read every result with the same parser the plugin
uses before writing it, and write through a temporary file and a rename: a refused or failed
command leaves every file exactly as it was.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import itertools
import os
import re
import secrets
import stat
import sys
import tempfile
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from . import escape
from .adr import (
    _DATE_PREFIX_RE,
    _HEADING_RE,
    _NUMBER_RE,
    _SECTION_RE,
    Adr,
    AdrLog,
    _strip_md,
    adr_files,
    lint_log,
    load_log,
    outside_fences,
    parse_adr,
)
from .config import resolve_adr_dir
from .errors import AdrError, ArchgateError, CommandError, UnknownAdrError
from .frontmatter_edit import newline_of, set_key, split_document

__all__ = [
    "AcceptResult",
    "Refused",
    "accept_adr",
    "load_template",
    "new_adr",
    "register",
    "slugify",
    "supersede_adr",
    "template_names",
]

DEFAULT_TEMPLATE = "blank"
SLUG_MAX = 60

_PLACEHOLDER_RE = re.compile(r"\{(title|date|id)\}")
_STATUS_BULLET_RE = re.compile(r"^(\s*)([-*+])(\s+\**status\**\s*:\s*\**\s*)(.*?)\s*$", re.I)
_LINE_NO_RE = re.compile(r":\d+: ")
_VERDICT_RANK = {"fail": 2, "unmeasured": 1, "pass": 0}


class Refused(CommandError):
    """A command declined to change the log in its current state (exit status 1).

    Usage mistakes (an unknown template, an empty title, a missing ADR folder) stay plain
    :class:`CommandError` and exit with status 2.
    """


# --------------------------------------------------------------------------------------------
# files


def _today() -> _dt.date:
    return _dt.date.today()


def _read(path: Path, display: str) -> str:
    """The exact text of ``path``: no newline translation, so CRLF files stay CRLF."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"not UTF-8 text ({exc.reason})", file=display) from None
    except OSError as exc:
        raise Refused(f"cannot read: {exc.strerror}", file=display) from None


def _temp_beside(path: Path, text: str) -> Path:
    """Write ``text`` to a new hidden file next to ``path``, with ``path``'s permissions."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _write_all(changes: Sequence[tuple[Path, str]]) -> None:
    """Write every file through a temporary file and ``os.replace``, none half-written."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, text in changes:
            temps.append((_temp_beside(path, text), path))
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _path in temps:
            tmp.unlink(missing_ok=True)


def _parse_text(text: str, path: Path, display: str) -> Adr:
    """Parse ``text`` as if it were the file ``path`` (same name, so the same id)."""
    with tempfile.TemporaryDirectory(prefix="archgate-") as tmpdir:
        probe = Path(tmpdir) / path.name
        probe.write_bytes(text.encode("utf-8"))
        try:
            return parse_adr(probe)
        except AdrError as exc:
            raise CommandError(
                f"the edited file would not parse ({exc.message}); nothing was written",
                file=display,
                field=exc.field,
            ) from None


def _display(path: Path, root: Path | None = None) -> str:
    base = root or Path.cwd()
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def _lookup(log: AdrLog, ref: str) -> Adr:
    try:
        return log.lookup(ref)
    except UnknownAdrError as exc:
        hint = ""
        if log.errors:
            hint = f"; {len(log.errors)} file(s) could not be parsed, first: {log.errors[0]}"
        raise Refused(exc.message + hint) from None


# --------------------------------------------------------------------------------------------
# new


def template_names() -> list[str]:
    """Names of the templates shipped with archgate (``blank``, ``tabular-model``...)."""
    folder = resources.files("pytest_archgate") / "templates"
    return sorted(
        entry.name.removesuffix(".md") for entry in folder.iterdir() if entry.name.endswith(".md")
    )


def load_template(name: str) -> str:
    """The text of template ``name``; :class:`CommandError` listing the templates otherwise."""
    names = template_names()
    if name not in names:
        raise CommandError(
            f"unknown template {name!r}; choose one of: {', '.join(names)}", field="--template"
        )
    entry = resources.files("pytest_archgate") / "templates" / f"{name}.md"
    return entry.read_text(encoding="utf-8")


def slugify(title: str, max_len: int = SLUG_MAX) -> str:
    """``"Use XGBoost (v2) for fraud!"`` -> ``"use-xgboost-v2-for-fraud"``: lowercase ASCII."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_len // 2 :] else cut
        slug = slug.strip("-")
    return slug


def _next_name(directory: Path, slug: str, today: _dt.date, root: Path | None) -> tuple[str, str]:
    """(file name, id) of the next ADR in ``directory``, numbered or date-prefixed like the log."""
    numbered: dict[int, list[Path]] = {}
    dated: list[str] = []
    for path in adr_files(directory):
        date_prefix = _DATE_PREFIX_RE.match(path.stem)
        if date_prefix:
            dated.append(date_prefix.group(1))
            continue
        number = _NUMBER_RE.match(path.stem)
        if number:
            numbered.setdefault(int(number.group(1)), []).append(path)
    clashes = {n: paths for n, paths in numbered.items() if len(paths) > 1}
    if clashes:
        n = min(clashes)
        names = " and ".join(_display(p, root) for p in clashes[n])
        raise Refused(
            f"number {n:04d} is used twice ({names}); renumber one before adding an ADR",
            file=_display(directory, root),
        )
    if numbered:
        n = max(numbered) + 1
        return f"{n:04d}-{slug}.md", f"ADR-{n:04d}"
    if dated:
        prefix = today.strftime("%Y%m%d") if len(dated[-1]) == 8 else today.isoformat()
        stem = f"{prefix}-{slug}"
        return f"{stem}.md", stem
    return f"0001-{slug}.md", "ADR-0001"


def new_adr(
    title: str,
    *,
    directory: Path,
    template: str = DEFAULT_TEMPLATE,
    today: _dt.date | None = None,
    root: Path | None = None,
) -> Path:
    """Create the next ADR in ``directory`` from ``template`` and return its path.

    The file is ``NNNN-slug.md`` (one more than the highest number in the folder), or
    ``YYYYMMDD-slug.md`` / ``YYYY-MM-DD-slug.md`` in a date-prefixed log; ``{title}``,
    ``{date}`` and ``{id}`` in the template are filled in, and the result is parsed before it is
    written.
    """
    title = " ".join(title.split())
    slug = slugify(title)
    if not slug:
        raise CommandError(
            f"title {title!r} has no letters or digits to name the file after", field="TITLE"
        )
    text = load_template(template)
    today = today or _today()
    directory.mkdir(parents=True, exist_ok=True)
    name, adr_id = _next_name(directory, slug, today, root)
    path = directory / name
    display = _display(path, root)
    if path.exists():
        raise Refused("already exists; choose another title", file=display)
    values = {"title": title, "date": today.isoformat(), "id": adr_id}
    text = _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], text)
    adr = _parse_text(text, path, display)
    if adr.status != "proposed" or adr.title != title:  # pragma: no cover - template bug
        raise CommandError(f"template {template!r} did not produce a proposed ADR titled {title!r}")
    _write_all([(path, text)])
    return path


# --------------------------------------------------------------------------------------------
# accept: reading the report


def _fmt(x: Any) -> str:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@dataclass(frozen=True)
class _Row:
    """One judged criterion of one option, as the report has it."""

    name: str
    kind: str
    option: str
    bound: str
    verdict: str
    value: float | None
    ci: tuple[float, float] | None
    reason: str | None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], kind: str) -> _Row | None:
        name, option = raw.get("name"), raw.get("option")
        if not isinstance(name, str) or not isinstance(option, str):
            return None
        value = raw.get("value")
        ci = raw.get("ci")
        return cls(
            name=name,
            kind=str(raw.get("kind") or kind),
            option=option,
            bound=str(raw.get("bound") or ""),
            verdict=str(raw.get("verdict") or "unmeasured"),
            value=float(value) if isinstance(value, int | float) else None,
            ci=(float(ci[0]), float(ci[1])) if isinstance(ci, list) and len(ci) == 2 else None,
            reason=raw.get("reason") if isinstance(raw.get("reason"), str) else None,
        )

    @property
    def measured(self) -> str:
        if self.value is None:
            return "unmeasured"
        text = _fmt(self.value)
        if self.ci is not None:
            text += f" [{_fmt(self.ci[0])}, {_fmt(self.ci[1])}]"
        return text

    def cell(self) -> str:
        if self.value is None:
            return "unmeasured"
        return f"{self.measured} {self.verdict}"

    def miss(self) -> str:
        """``latency_p95_ms: 84 against <= 50`` or ``latency_p95_ms unmeasured``."""
        if self.value is None:
            return f"{self.name} unmeasured"
        return f"{self.name}: {_fmt(self.value)} against {self.bound}"


def _rows(entry: Mapping[str, Any]) -> dict[tuple[str, str, str], _Row]:
    """The worst row per (kind, criterion, option) of a report's ADR entry."""
    out: dict[tuple[str, str, str], _Row] = {}
    for section, kind in (("criteria", "acceptance"), ("constraints", "constraint")):
        raw_rows = entry.get(section)
        if not isinstance(raw_rows, list):
            continue
        for raw in raw_rows:
            if not isinstance(raw, Mapping):
                continue
            row = _Row.from_json(raw, kind)
            if row is None:
                continue
            key = (kind, row.name, row.option)
            old = out.get(key)
            if old is None or _VERDICT_RANK.get(row.verdict, 1) > _VERDICT_RANK.get(old.verdict, 1):
                out[key] = row
    return out


def _file_bounds(adr: Adr) -> dict[tuple[str, str], str]:
    return {(c.kind, c.name): c.bound for c in adr.criteria}


def _report_bounds(entry: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    definition = entry.get("definition")
    bounds: dict[tuple[str, str], str] = {}
    if isinstance(definition, Mapping):
        for section, kind in (("acceptance", "acceptance"), ("constraints", "constraint")):
            for raw in definition.get(section) or ():
                if isinstance(raw, Mapping) and isinstance(raw.get("name"), str):
                    bounds[(kind, raw["name"])] = str(raw.get("bound") or "")
        return bounds
    for (kind, name, _option), row in _rows(entry).items():
        bounds[(kind, name)] = row.bound
    return bounds


def _check_stale(adr: Adr, entry: Mapping[str, Any], report_file: str) -> None:
    mine, theirs = _file_bounds(adr), _report_bounds(entry)
    if mine == theirs:
        return
    for key in [*mine, *[k for k in theirs if k not in mine]]:
        if mine.get(key) != theirs.get(key):
            _kind, name = key
            file_side = mine.get(key, "absent")
            report_side = theirs.get(key, "absent")
            break
    raise Refused(
        f"the report is stale: criterion {name} is {file_side} in the ADR but {report_side} in "
        "the report; re-run the benchmarks",
        file=report_file,
    )


def _recommended(entry: Mapping[str, Any], rows: Mapping[tuple[str, str, str], _Row]) -> str | None:
    comparison = entry.get("comparison")
    if isinstance(comparison, Mapping):
        recommendation = comparison.get("recommendation")
        if isinstance(recommendation, Mapping):
            option = recommendation.get("option")
            if isinstance(option, str) and option:
                return option
    per_option: dict[str, list[_Row]] = {}
    for (kind, _name, option), row in rows.items():
        if kind == "acceptance":
            per_option.setdefault(option, []).append(row)
    passing = [o for o, rs in per_option.items() if rs and all(r.verdict == "pass" for r in rs)]
    return passing[0] if len(passing) == 1 else None


def _recommendation_reason(entry: Mapping[str, Any]) -> str | None:
    comparison = entry.get("comparison")
    if isinstance(comparison, Mapping):
        recommendation = comparison.get("recommendation")
        if isinstance(recommendation, Mapping):
            reason = recommendation.get("text") or recommendation.get("reason")
            if isinstance(reason, str) and reason.strip():
                return " ".join(reason.split())
    return None


# --------------------------------------------------------------------------------------------
# accept: the Evidence section


def _table(adr: Adr, option: str, rows: Mapping[tuple[str, str, str], _Row]) -> list[str]:
    options = list(adr.options)
    header = ["criterion", "bound", *[f"{o} (chosen)" if o == option else o for o in options]]
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "|" + "---|" * len(header),
    ]
    for c in adr.criteria:
        label = c.name if c.kind == "acceptance" else f"{c.name} (constraint)"
        cells = [label, c.bound]
        for o in options:
            row = rows.get((c.kind, c.name, o))
            if row is not None:
                cells.append(row.cell())
            elif c.vs == o:
                cells.append("reference")
            else:
                cells.append("not measured")
        lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    return lines


def _option_summary(
    adr: Adr, option: str, rows: Mapping[tuple[str, str, str], _Row], *, chosen: bool
) -> str | None:
    mine = [
        rows[("acceptance", c.name, option)]
        for c in adr.acceptance
        if ("acceptance", c.name, option) in rows
    ]
    if not mine:
        return None if not chosen else f"{option} has no measured criteria"
    passed = [r for r in mine if r.verdict == "pass"]
    missed = [r for r in mine if r.verdict != "pass"]
    if chosen:
        text = f"{option} meets {len(passed)} of {len(mine)} criteria"
        if missed:
            text += " (misses " + ", ".join(r.miss() for r in missed) + ")"
        return text
    if not missed:
        return f"{option} also meets {len(passed)} of {len(mine)} criteria"
    return f"{option} misses " + ", ".join(r.miss() for r in missed)


def _rationale(
    adr: Adr,
    option: str,
    rows: Mapping[tuple[str, str, str], _Row],
    entry: Mapping[str, Any],
) -> str:
    parts = [_option_summary(adr, option, rows, chosen=True)]
    parts += [_option_summary(adr, o, rows, chosen=False) for o in adr.options if o != option]
    broken = [
        rows[("constraint", c.name, option)]
        for c in adr.constraints
        if ("constraint", c.name, option) in rows
        and rows[("constraint", c.name, option)].verdict == "fail"
    ]
    if broken:
        parts.append("constraint " + ", ".join(r.miss() for r in broken) + " does not hold")
    text = "; ".join(p for p in parts if p) + "."
    recommended = _recommended(entry, rows)
    if recommended == option:
        text += f" The report recommends {option} as well."
    elif recommended is not None:
        reason = _recommendation_reason(entry)
        why = f" ({reason})" if reason else ""
        text += f" The report recommends {recommended}{why}; {option} was chosen instead."
    return text


def _join(items: Iterable[str]) -> str:
    return ", ".join(i for i in items if i)


def _environment_lines(report: Mapping[str, Any]) -> list[str]:
    env = report.get("environment")
    env = env if isinstance(env, Mapping) else {}
    lines: list[str] = []
    cpu = env.get("cpu_model")
    hw: list[str] = []
    if cpu:
        count = env.get("cpu_count")
        hw.append(f"{cpu} ({count} CPUs)" if count else str(cpu))
    if env.get("machine"):
        hw.append(str(env["machine"]))
    cuda = env.get("cuda")
    if isinstance(cuda, Mapping):
        devices = cuda.get("devices")
        names = [
            str(d.get("name")) for d in devices or () if isinstance(d, Mapping) and d.get("name")
        ]
        if names:
            hw.append("GPU " + ", ".join(names))
        elif cuda.get("available") is False:
            hw.append("no GPU")
    lines.append("hardware: " + (_join(hw) or "not recorded in the report"))
    python = env.get("python") or report.get("python")
    platform = env.get("platform") or report.get("platform")
    sw = []
    if python:
        sw.append(f"Python {python}" + (f" on {platform}" if platform else ""))
    packages = env.get("packages")
    if isinstance(packages, Mapping):
        sw.append(_join(f"{k} {v}" for k, v in sorted(packages.items()) if v))
    if report.get("archgate_version"):
        sw.append(f"pytest-archgate {report['archgate_version']}")
    lines.append("software: " + (_join(sw) or "not recorded in the report"))
    threads = env.get("threads")
    if isinstance(threads, Mapping) and threads:
        lines.append("threads: " + _join(f"{k}={v}" for k, v in sorted(threads.items())))
    return lines


def _fingerprints_per_option(report: Mapping[str, Any], adr_id: str) -> dict[str, set[str]]:
    """Option -> the data fingerprints it was evaluated on, for one ADR of a report."""
    per_option: dict[str, set[str]] = {}
    for m in report.get("measurements") or ():
        if not isinstance(m, Mapping) or m.get("adr") != adr_id:
            continue
        fp = m.get("fingerprint")
        if isinstance(fp, str) and fp:
            per_option.setdefault(str(m.get("option")), set()).add(fp)
    return per_option


def _fingerprints(report: Mapping[str, Any], adr_id: str) -> str:
    by_print: dict[str, list[str]] = {}
    for m in report.get("measurements") or ():
        if not isinstance(m, Mapping) or m.get("adr") != adr_id:
            continue
        fp = m.get("fingerprint")
        if isinstance(fp, str) and fp:
            options = by_print.setdefault(fp, [])
            opt = str(m.get("option"))
            if opt not in options:
                options.append(opt)
    env = report.get("environment")
    if not by_print and isinstance(env, Mapping) and isinstance(env.get("data_fingerprint"), str):
        return f"`{env['data_fingerprint']}`"
    if not by_print:
        return "none recorded (metrics were recorded, not evaluated on rows)"
    text = "; ".join(f"`{fp}` ({', '.join(opts)})" for fp, opts in by_print.items())
    if len(by_print) > 1:
        text += "; the options were not all measured on the same rows"
    return text


def _wrap(text: str, *, bullet: bool = False) -> list[str]:
    """Prose wrapped at 99 columns, as the rest of an ADR usually is; tables are left alone."""
    return textwrap.wrap(
        text,
        width=99,
        initial_indent="* " if bullet else "",
        subsequent_indent="  " if bullet else "",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]


def _evidence(
    *,
    adr: Adr,
    option: str,
    today: _dt.date,
    nl: str,
    report: Mapping[str, Any] | None,
    report_name: str | None,
    entry: Mapping[str, Any] | None,
    commit: str | None,
    commit_source: str,
    override: str | None,
    overridden: Sequence[str],
) -> str:
    lines = ["## Evidence", ""]
    commit_line = f"commit: {f'`{commit}`' if commit else 'unknown'} ({commit_source})"
    if report is None or entry is None:
        lines += _wrap(
            f"Accepted on {today.isoformat()} with `archgate accept`: option **{option}**, "
            "with no measured evidence."
        )
        lines += ["", *_wrap(commit_line, bullet=True), ""]
    else:
        rows = _rows(entry)
        generated = str(report.get("generated_at") or "an unknown time")
        lines += _wrap(
            f"Accepted on {today.isoformat()} with `archgate accept`: option **{option}**, "
            f"from the report `{report_name}` generated at {generated}."
        )
        lines += ["", *_table(adr, option, rows), ""]
        lines += _wrap(f"Rationale: {_rationale(adr, option, rows, entry)}")
        lines += ["", "Measured on:", ""]
        items = [
            commit_line,
            *_environment_lines(report),
            f"data fingerprints: {_fingerprints(report, adr.id)}",
            f"report generated at: {generated}",
        ]
        for item in items:
            lines += _wrap(item, bullet=True)
        lines.append("")
    if override is not None:
        reason = " ".join(override.split())
        if overridden:
            why = f"accepted with `--override` although {'; '.join(overridden)}."
        else:
            why = "`--override` was given, though the evidence needed no override."
        lines += _wrap(f"Override: {why} Reason given: {reason}")
        lines.append("")
    return nl.join(lines)


def _append_section(text: str, section: str, nl: str) -> str:
    if not text.endswith(("\n", "\r")):
        text += nl
    if not text.endswith(nl + nl) and text.strip():
        text += nl
    return text + section


# --------------------------------------------------------------------------------------------
# accept


@dataclass(frozen=True)
class AcceptResult:
    """What ``archgate accept`` did."""

    path: Path
    adr_id: str
    option: str
    overridden: tuple[str, ...] = ()


def _git_head(directory: Path) -> str | None:
    from .environment import git_commit  # imports numpy: only when a report is checked

    return git_commit(directory)


def accept_adr(
    ref: str,
    *,
    directory: Path,
    option: str | None = None,
    report_path: Path | None = None,
    override: str | None = None,
    today: _dt.date | None = None,
    root: Path | None = None,
) -> AcceptResult:
    """Flip proposed ADR ``ref`` to accepted with ``option`` as its decision; see the module doc.

    Raises :class:`Refused` (nothing written) when the ADR is missing or not proposed, the
    option is not one of its options, or the evidence does not support it: no report, a report
    without this ADR or this option, a stale report (other criteria than the file), a report
    from another commit, or an option failing a criterion. ``override`` (a reason) accepts
    anyway for the last three and is recorded in the Evidence section.
    """
    today = today or _today()
    if override is not None and not override.strip():
        raise CommandError("--override needs a reason", field="--override")
    log = load_log(directory, root=root)
    adr = _lookup(log, ref)
    if adr.status != "proposed":
        raise Refused(
            f"{adr.id} is {adr.status_raw or adr.status}, not proposed; only a proposed ADR can "
            "be accepted",
            file=adr.file,
            line=adr.status_line,
            field="status",
        )
    if adr.format != "madr" or "status" not in adr.front_matter:
        raise Refused(
            "accept edits the status: key of MADR front matter, and this file has none",
            file=adr.file,
            field="status",
        )
    if not adr.options:
        raise Refused(
            "no options to choose from; list them under archgate.options",
            file=adr.file,
            line=adr.archgate_line,
            field="archgate.options",
        )
    if option is not None and option not in adr.options:
        raise Refused(
            f"{option!r} is not one of the options ({', '.join(adr.options)})",
            file=adr.file,
            line=adr.key_lines.get("archgate.options"),
            field="archgate.options",
        )
    text = _read(adr.path, adr.file)
    nl = newline_of(text)
    overridden: list[str] = []
    report: dict[str, Any] | None = None
    entry: Mapping[str, Any] | None = None
    report_name: str | None = None
    commit: str | None = None
    commit_source = "not a git checkout"

    if report_path is None:
        if override is None:
            raise Refused(
                f"no --report: accepting {adr.id} needs measured evidence; pass --report "
                'REPORT.json, or --override "reason" to record that there is none'
            )
        if option is None:
            raise Refused(f"pass --option NAME ({', '.join(adr.options)}): there is no report")
        overridden.append("there is no measured evidence")
        head = _git_head(directory)
        commit, commit_source = head, "working tree HEAD" if head else "not a git checkout"
    else:
        report_name = str(report_path)
        report = _load_report(report_path)  # a bad report is a ReportError: exit 2
        found = [a for a in report["adrs"] if isinstance(a, Mapping) and a.get("id") == adr.id]
        if not found:
            raise Refused(
                f"the report has no entry for {adr.id}; run the tests linked to it with "
                "--archgate-report",
                file=report_name,
            )
        entry = found[0]
        _check_stale(adr, entry, report_name)
        rows = _rows(entry)
        report_commit = report.get("commit")
        head = _git_head(directory)
        if isinstance(report_commit, str) and report_commit:
            commit, commit_source = report_commit, "from the report"
            if head and not (head.startswith(report_commit) or report_commit.startswith(head)):
                why = f"the report was measured at commit {report_commit[:12]}, HEAD is {head[:12]}"
                if override is None:
                    raise Refused(
                        f'{why}; re-run the benchmarks, or --override "reason"', file=report_name
                    )
                overridden.append(why)
        elif head:
            commit, commit_source = head, "working tree HEAD at acceptance; the report has none"
        per_option = _fingerprints_per_option(report, adr.id)
        if len({frozenset(fps) for fps in per_option.values()}) > 1:
            listed = "; ".join(f"{o}: {', '.join(sorted(fps))}" for o, fps in per_option.items())
            why = (
                f"the options of {adr.id} were evaluated on different data ({listed}): "
                "the comparison is not like for like"
            )
            if override is None:
                raise Refused(
                    f'{why}; evaluate every option on the same test set, or --override "reason"',
                    file=report_name,
                )
            overridden.append(why)
        if option is None:
            option = _recommended(entry, rows)
            if option is None:
                raise Refused(
                    f"the report recommends no single option for {adr.id}; pass --option NAME "
                    f"({', '.join(adr.options)})",
                    file=report_name,
                )
            if option not in adr.options:
                raise Refused(
                    f"the report recommends {option!r}, which is not one of the options "
                    f"({', '.join(adr.options)})",
                    file=adr.file,
                    field="archgate.options",
                )
        mine = [r for (kind, _n, o), r in rows.items() if o == option and kind == "acceptance"]
        if not mine and adr.acceptance:
            raise Refused(
                f"the report has no criteria judged for option {option!r} of {adr.id}; run the "
                f"tests that measure it (@pytest.mark.archgate({adr.id!r}, option={option!r}))",
                file=report_name,
            )
        judged = {r.name for r in mine}
        missing = [c.name for c in adr.acceptance if c.name not in judged and c.vs != option]
        problems = [r.miss() for r in mine if r.verdict != "pass"] + [
            f"{name} not in the report" for name in missing
        ]
        problems += [
            f"constraint {r.miss()}"
            for (kind, _n, o), r in rows.items()
            if kind == "constraint" and o == option and r.verdict == "fail"
        ]
        if problems:
            why = f"{option} does not meet its criteria ({', '.join(problems)})"
            if override is None:
                raise Refused(f'{why}; pass --override "reason" to accept anyway', file=adr.file)
            overridden.append(why)

    assert option is not None
    edited = set_key(text, ("status",), "accepted", file=adr.file)
    edited = set_key(edited, ("date",), today, file=adr.file)
    edited = set_key(edited, ("archgate", "decision"), option, file=adr.file)
    section = _evidence(
        adr=adr,
        option=option,
        today=today,
        nl=nl,
        report=report,
        report_name=report_name,
        entry=entry,
        commit=commit,
        commit_source=commit_source,
        override=override,
        overridden=overridden,
    )
    edited = _append_section(edited, section, nl)

    after = _parse_text(edited, adr.path, adr.file)
    if (
        after.status != "accepted"
        or after.decision != option
        or after.id != adr.id
        or after.title != adr.title
        or _file_bounds(after) != _file_bounds(adr)
        or after.options != adr.options
    ):  # pragma: no cover - set_key verifies each edit; this guards the whole
        raise CommandError("the edited file does not read back as intended", file=adr.file)
    _write_all([(adr.path, edited)])
    return AcceptResult(path=adr.path, adr_id=adr.id, option=option, overridden=tuple(overridden))


def _load_report(path: Path) -> dict[str, Any]:
    from .report_load import load_report

    return load_report(path)


# --------------------------------------------------------------------------------------------
# supersede


@dataclass(frozen=True)
class _Spots:
    """Where a body keeps its status (offsets into the whole text)."""

    section_line: tuple[int, int] | None = None  # first line of the "## Status" paragraph
    section_end: int | None = None  # end of that paragraph
    bullet_value: tuple[int, int] | None = None  # the value of "- Status: ..."
    bullet_line_end: int | None = None
    bullet_prefix: str = "- "


def _body_start(text: str) -> int:
    try:
        doc = split_document(text)
    except CommandError:
        return 0
    closing = doc.tail.splitlines(keepends=True)[0]
    return len(doc.head) + len(doc.front) + len(closing)


def _status_spots(text: str) -> _Spots:
    """Mirror of the body scan in :func:`pytest_archgate.adr.parse_adr`, with offsets."""
    body_start = _body_start(text)
    raws = text[body_start:].splitlines(keepends=True)
    starts = list(itertools.accumulate((len(r) for r in raws), initial=body_start))
    section: str | None = None
    para_first: tuple[int, int] | None = None
    para_end: int | None = None
    bullet: tuple[int, int] | None = None
    bullet_end: int | None = None
    prefix = "- "
    seen_title = False
    for index, line in outside_fences(r.rstrip("\r\n") for r in raws):
        start, offset = starts[index], starts[index + 1]
        if not seen_title and _HEADING_RE.match(line):
            seen_title = True
            continue
        sec = _SECTION_RE.match(line)
        if sec:
            if section == "status" and para_first is not None:
                break
            section = _strip_md(sec.group(1)).lower()
            continue
        if section == "status":
            if line.strip():
                if para_first is None:
                    indent = len(line) - len(line.lstrip())
                    para_first = (start + indent, start + len(line.rstrip()))
                para_end = offset
            elif para_first is not None:
                break
            continue
        if section is None and bullet is None:
            m = _STATUS_BULLET_RE.match(line)
            if m:
                value = m.group(4)
                stars = len(value) - len(value.rstrip("*"))
                vstart = start + m.start(4)
                bullet = (vstart, vstart + len(value) - stars)
                bullet_end = offset
                prefix = m.group(1) + m.group(2) + " "
    return _Spots(
        section_line=para_first,
        section_end=para_end,
        bullet_value=bullet,
        bullet_line_end=bullet_end,
        bullet_prefix=prefix,
    )


def _link(target: Adr, source: Adr, *, numbered: bool) -> str:
    rel = Path(os.path.relpath(target.path, source.path.parent)).as_posix()
    if numbered:
        label = f"{target.number}. {target.title}" if target.number is not None else target.title
    else:
        label = target.stem
    return f"[{label}]({rel})"


def _mark_superseded(old: Adr, new: Adr, text: str) -> str:
    front = old.front_matter
    if "status" in front and front["status"] is not None:
        return set_key(text, ("status",), f"superseded by {new.id}", file=old.file)
    spots = _status_spots(text)
    if spots.section_line is not None:
        start, end = spots.section_line
        return text[:start] + f"Superseded by {_link(new, old, numbered=True)}" + text[end:]
    if spots.bullet_value is not None:
        start, end = spots.bullet_value
        return text[:start] + f"superseded by {_link(new, old, numbered=False)}" + text[end:]
    if old.format == "madr":
        return set_key(text, ("status",), f"superseded by {new.id}", file=old.file)
    raise Refused(
        "has no status to mark as superseded (no front-matter status:, ## Status section or "
        "- Status: line)",
        file=old.file,
        field="status",
    )


def _add_supersedes(new: Adr, old: Adr, text: str) -> str:
    nl = newline_of(text)
    if new.format == "madr":
        current = new.front_matter.get("supersedes")
        if current is None:
            return set_key(text, ("supersedes",), old.id, file=new.file)
        if current == old.id:
            return text
        if isinstance(current, str):
            return set_key(text, ("supersedes",), [current, old.id], file=new.file)
        if isinstance(current, list) and all(isinstance(x, str) for x in current):
            if old.id in current:
                return text
            return set_key(text, ("supersedes",), [*current, old.id], file=new.file)
        raise Refused(
            f"supersedes holds {current!r}; expected an id or a list of ids",
            file=new.file,
            line=new.key_lines.get("supersedes"),
            field="supersedes",
        )
    spots = _status_spots(text)
    if spots.section_end is not None:
        end = spots.section_end
        lead = nl if text[:end].endswith(("\n", "\r")) else nl + nl
        line = f"Supersedes {_link(old, new, numbered=True)}"
        return text[:end] + lead + line + nl + text[end:]
    if spots.bullet_line_end is not None:
        end = spots.bullet_line_end
        lead = "" if text[:end].endswith(("\n", "\r")) else nl
        line = f"{spots.bullet_prefix}Supersedes: {_link(old, new, numbered=False)}"
        return text[:end] + lead + line + nl + text[end:]
    line = f"Supersedes {_link(old, new, numbered=True)}"
    return _append_section(text, line + nl, nl)


def _problems(log: AdrLog) -> set[str]:
    return {_LINE_NO_RE.sub(": ", p) for p in lint_log(log)}


def supersede_adr(
    old_ref: str, new_ref: str, *, directory: Path, root: Path | None = None
) -> tuple[Adr, Adr]:
    """Mark ``old_ref`` superseded by ``new_ref`` and link ``new_ref`` back; returns both ADRs.

    Both files are edited in their own format, both results are parsed and the log is linted
    with them before either file is written; :class:`Refused` leaves both untouched.
    """
    log = load_log(directory, root=root)
    old = _lookup(log, old_ref)
    new = _lookup(log, new_ref)
    if old.path.resolve() == new.path.resolve():
        raise Refused(f"{old.id} cannot supersede itself", file=old.file)
    if old.status == "superseded":
        by = f" by {old.superseded_by}" if old.superseded_by else ""
        raise Refused(
            f"{old.id} is already superseded{by}",
            file=old.file,
            line=old.status_line,
            field="status",
        )
    if new.status in ("superseded", "rejected", "deprecated"):
        raise Refused(
            f"{new.id} is {new.status}; only a proposed or accepted ADR can supersede another",
            file=new.file,
            line=new.status_line,
            field="status",
        )
    old_text = _read(old.path, old.file)
    new_text = _read(new.path, new.file)
    old_edited = _mark_superseded(old, new, old_text)
    new_edited = _add_supersedes(new, old, new_text)

    old_after = _parse_text(old_edited, old.path, old.file)
    new_after = _parse_text(new_edited, new.path, new.file)
    old_after = _with_path(old_after, old)
    new_after = _with_path(new_after, new)
    adrs = [old_after if a is old else new_after if a is new else a for a in log.adrs]
    after_log = AdrLog(directory=log.directory, adrs=adrs, errors=list(log.errors))
    successor = after_log.successor(old_after)
    if old_after.status != "superseded" or successor is None or successor.path != new.path:
        raise CommandError(  # pragma: no cover - the edits above always produce this
            f"the edited file does not read back as superseded by {new.id}", file=old.file
        )
    if (new_after.id, new_after.title, new_after.status) != (new.id, new.title, new.status):
        raise CommandError(  # pragma: no cover
            "the edited file changed more than its supersedes link", file=new.file
        )
    added = sorted(_problems(after_log) - _problems(log))
    if added:
        raise Refused(f"the log would have a new problem: {added[0]}")
    edits = ((old.path, old_edited, old_text), (new.path, new_edited, new_text))
    _write_all([(path, edited) for path, edited, original in edits if edited != original])
    return old_after, new_after


def _with_path(parsed: Adr, original: Adr) -> Adr:
    """A probe-parsed ADR with the real file's path and display name."""
    return dataclasses.replace(parsed, path=original.path, file=original.file)


# --------------------------------------------------------------------------------------------
# command line


def _directory(args: argparse.Namespace, *, create: bool) -> tuple[Path, Path]:
    directory, root = resolve_adr_dir(args.adr_dir)
    if directory is None:
        if not create:
            raise CommandError(
                "no ADR folder found (looked for adr, docs/adr, doc/adr, docs/decisions); "
                "pass --adr-dir DIR"
            )
        directory = root / "adr"
    if not create and not directory.is_dir():
        raise CommandError(f"ADR folder {directory} does not exist", field="--adr-dir")
    return directory, root


def _refused(args: argparse.Namespace, exc: ArchgateError) -> int:
    print(escape.line(f"archgate {args.command}: refused: {exc}"), file=sys.stderr)
    return 1


def cmd_new(args: argparse.Namespace) -> int:
    directory, _root = _directory(args, create=True)
    try:
        path = new_adr(args.title, directory=directory, template=args.template, root=Path.cwd())
    except Refused as exc:
        return _refused(args, exc)
    print(escape.line(_display(path)))
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    directory, _root = _directory(args, create=False)
    try:
        result = accept_adr(
            args.adr,
            directory=directory,
            option=args.option,
            report_path=Path(args.report) if args.report else None,
            override=args.override,
            root=Path.cwd(),
        )
    except Refused as exc:
        return _refused(args, exc)
    note = " (with --override)" if result.overridden else ""
    print(
        escape.line(
            f"{result.adr_id} accepted: decision {result.option}{note} ({_display(result.path)})"
        )
    )
    return 0


def cmd_supersede(args: argparse.Namespace) -> int:
    directory, _root = _directory(args, create=False)
    try:
        old, new = supersede_adr(args.old, args.by, directory=directory, root=Path.cwd())
    except Refused as exc:
        return _refused(args, exc)
    print(escape.line(f"{old.id} superseded by {new.id} ({old.file}, {new.file})"))
    return 0


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    add_common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add ``new``, ``accept`` and ``supersede`` to the ``archgate`` command line."""
    p = subparsers.add_parser("new", help="create the next ADR from a template")
    add_common(p)
    p.add_argument("title", metavar="TITLE", help="the decision's title")
    p.add_argument(
        "--template",
        default=DEFAULT_TEMPLATE,
        metavar="NAME",
        help=f"one of: {', '.join(template_names())} (default: {DEFAULT_TEMPLATE})",
    )
    p.set_defaults(handler=cmd_new)

    p = subparsers.add_parser("accept", help="accept a proposed ADR on the evidence of a report")
    add_common(p)
    p.add_argument("adr", metavar="ADR", help="id (ADR-0003), number or file stem")
    p.add_argument("--option", metavar="NAME", help="the chosen option (default: the report's)")
    p.add_argument("--report", metavar="REPORT.json", help="a report written by --archgate-report")
    p.add_argument(
        "--override",
        metavar="REASON",
        help="accept although the evidence is missing, stale or failing; recorded in the ADR",
    )
    p.set_defaults(handler=cmd_accept)

    p = subparsers.add_parser("supersede", help="mark an ADR superseded by a newer one")
    add_common(p)
    p.add_argument("old", metavar="OLD", help="the ADR being replaced")
    p.add_argument("--by", required=True, metavar="NEW", help="the ADR replacing it")
    p.set_defaults(handler=cmd_supersede)
