"""``archgate accept``: reading the report and writing the Evidence section.

The section a reviewer reads a year later: the comparison table of every option against every
criterion, the rationale (what the chosen option meets, what the others miss, what the report
recommended), and where it was measured (commit, hardware, software, data fingerprints).
"""

from __future__ import annotations

import datetime as _dt
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_archgate.adr.model import Adr
from pytest_archgate.authoring.common import Refused

_VERDICT_RANK = {"fail": 2, "unmeasured": 1, "pass": 0}


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


def judged_rows(entry: Mapping[str, Any]) -> dict[tuple[str, str, str], _Row]:
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


def file_bounds(adr: Adr) -> dict[tuple[str, str], str]:
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
    for (kind, name, _option), row in judged_rows(entry).items():
        bounds[(kind, name)] = row.bound
    return bounds


def check_stale(adr: Adr, entry: Mapping[str, Any], report_file: str) -> None:
    mine, theirs = file_bounds(adr), _report_bounds(entry)
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


def recommended_option(
    entry: Mapping[str, Any],
    rows: Mapping[tuple[str, str, str], _Row],
    references: Iterable[str] = (),
) -> str | None:
    """The report's recommended option; without a comparison in the report, the one option
    (``references`` left out) that passes every criterion judged for it, if exactly one does."""
    comparison = entry.get("comparison")
    if isinstance(comparison, Mapping):
        recommendation = comparison.get("recommendation")
        if isinstance(recommendation, Mapping):
            option = recommendation.get("option")
            if isinstance(option, str) and option:
                return option
            return None
    skip = set(references)
    per_option: dict[str, list[_Row]] = {}
    for (kind, _name, option), row in rows.items():
        if kind == "acceptance" and option not in skip:
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


def reference_options(adr: Adr) -> dict[str, str]:
    """Options that are references, not candidates: the baseline and every ``vs`` target,
    each with the words that say why (``the baseline``, ``the reference of auc_gain``)."""
    refs: dict[str, str] = {}
    for c in adr.acceptance:
        if c.vs:
            refs.setdefault(c.vs, f"the reference of {c.name}")
    if adr.baseline:
        refs[adr.baseline] = "the baseline"
    return refs


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
    recommended = recommended_option(entry, rows, reference_options(adr))
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


def fingerprints_per_option(report: Mapping[str, Any], adr_id: str) -> dict[str, set[str]]:
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


def evidence_section(
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
        rows = judged_rows(entry)
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
