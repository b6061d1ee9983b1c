"""The JSON report: the stable interface between a run and everything that reads it.

``archgate comment``, ``merge``, ``report --html`` and other tools read this file, so its keys
are kept stable (``schema`` and ``version`` say which shape it is). ADR definitions travel with
the report so that a merged report can be judged again without the ADR files.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

from pytest_archgate.adr.criteria import Criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.measure.estimate import Measurement
from pytest_archgate.report.version import SCHEMA as SCHEMA
from pytest_archgate.report.version import VERSION as VERSION
from pytest_archgate.verdict.judge import AdrResult
from pytest_archgate.verdict.judge import CriterionResult as JudgedCriterion

if TYPE_CHECKING:
    from pytest_archgate.report.schema import (
        AdrEntry,
        AdrStatus,
        CriterionDefinition,
        CriterionResult,
        Definition,
        Family,
        MergedInput,
        Report,
        Summary,
    )
    from pytest_archgate.report.schema import Measurement as MeasurementJson

    # for the checker only: a TypedDict with string annotations compiles a ForwardRef per
    # field at import, which every linked pytest run would pay (issue 12)

    class ReportExtra(TypedDict, total=False):
        """The keys a caller of :func:`build_report` adds: the run's settings and failures (the
        plugin), or where a merged report came from (``archgate merge``)."""

        data_fingerprints: list[str]
        strict: bool
        family: Family
        session_failures: list[str]
        strict_failures: list[str]
        notes: list[str]
        merged_from: list[str]
        merged_inputs: list[MergedInput]


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _criterion_definition(c: Criterion) -> CriterionDefinition:
    # Criterion lives in a lower layer, which cannot name the report's types: its JSON is
    # typed here, where the schema is known (tests/test_report_schema.py checks the keys)
    return cast("CriterionDefinition", c.to_json())


def adr_definition(adr: Adr) -> Definition:
    """What a report needs to judge an ADR again without its file."""
    return {
        "decision": adr.decision,
        "baseline": adr.baseline,
        "options": list(adr.options),
        "acceptance": [_criterion_definition(c) for c in adr.acceptance],
        "constraints": [_criterion_definition(c) for c in adr.constraints],
        "weights": dict(adr.weights),
        "cost": _json_safe(adr.cost),
        "status_line": adr.status_line,
        "superseded_by": adr.superseded_by,
        "date": adr.date,
        # "none" or "holm": the parser checks it (adr.criteria.check_family)
        "family": cast("Family", adr.family),
    }


def adr_from_json(entry: AdrEntry) -> Adr:
    """Rebuild an :class:`Adr` (enough to judge it) from a report's ADR entry."""
    d: Definition = entry.get("definition") or {}

    def crit(c: CriterionDefinition) -> Criterion:
        return Criterion(
            name=c["name"],
            metric=c["metric"],
            kind=c.get("kind") or "acceptance",
            min=c.get("min"),
            max=c.get("max"),
            min_strict=bool(c.get("min_strict")),
            max_strict=bool(c.get("max_strict")),
            vs=c.get("vs"),
            confidence=c.get("confidence"),
            device=c.get("device"),
            line=c.get("line"),
        )

    return Adr(
        id=entry["id"],
        title=entry.get("title") or entry["id"],
        path=Path(entry.get("file") or ""),
        file=entry.get("file") or "",
        status=entry.get("status") or "unknown",
        status_raw=entry.get("status_raw"),
        status_line=d.get("status_line"),
        superseded_by=d.get("superseded_by"),
        date=d.get("date"),
        has_archgate=bool(d),
        decision=d.get("decision"),
        baseline=d.get("baseline"),
        options=tuple(d.get("options") or ()),
        acceptance=tuple(crit(c) for c in d.get("acceptance") or ()),
        constraints=tuple(crit(c) for c in d.get("constraints") or ()),
        weights=dict(d.get("weights") or {}),
        cost=dict(d.get("cost") or {}),
        family="holm" if d.get("family") == "holm" else "none",
    )


def _criterion_result(r: JudgedCriterion) -> CriterionResult:
    # CriterionResult.to_json is in the verdict layer, below the schema: typed here
    return cast("CriterionResult", r.to_json())


def adr_entry(result: AdrResult, successor: Adr | None = None) -> AdrEntry:
    adr = result.adr
    return {
        "id": adr.id,
        "title": adr.title,
        "file": adr.file,
        # the parser sets one of STATUSES or "unknown" (adr/parse.py); the loader checks it
        "status": cast("AdrStatus", adr.status),
        "status_raw": adr.status_raw,
        "enforced": result.enforced,
        "verdict": result.verdict,
        "needs_review": result.needs_review,
        "superseded_by": successor.id if successor is not None else adr.superseded_by,
        "decision": adr.decision,
        "baseline": adr.baseline,
        "options": [o for o in result.options if o is not None],
        "tests": result.tests,
        "failing": list(dict.fromkeys(r.criterion.name for r in result.failing)),
        "unmeasured": sorted({r.criterion.name for r in result.unmeasured}),
        "criteria": [_criterion_result(r) for r in result.criteria],
        "constraints": [_criterion_result(r) for r in result.constraints],
        "definition": adr_definition(adr),
    }


def adr_notes(entry: AdrEntry, *, limit: int | None = 4) -> list[str]:
    """The notes every renderer shows beside an ADR (plain text; renderers escape them)."""

    def short(names: Sequence[Any]) -> str:
        names = [str(n) for n in names]
        if limit is None or len(names) <= limit:
            return ", ".join(names)
        return ", ".join(names[:limit]) + f" (+{len(names) - limit})"

    notes: list[str] = []
    if failing := entry.get("failing"):
        notes.append("failing: " + short(failing))
    if unmeasured := entry.get("unmeasured"):
        notes.append("unmeasured: " + short(unmeasured))
    if entry.get("needs_review"):
        notes.append("NEEDS REVIEW: a constraint no longer holds")
    if entry.get("status") == "superseded" and (successor := entry.get("superseded_by")):
        notes.append(f"superseded by {successor}")
    holm = [c for c in entry.get("criteria") or () if c.get("family") == "holm"]
    levels = sorted(float(a) for c in holm if (a := c.get("adjusted_confidence")))
    if holm:
        from pytest_archgate.verdict.family import fmt_level

        span = f"{fmt_level(levels[0])} to {fmt_level(levels[-1])}" if levels else "none"
        count = len({c["name"] for c in holm})
        notes.append(f"Holm over {count} confidence criteria (levels {span})")
    return notes


def summarise(results: Sequence[AdrResult]) -> Summary:
    counts: Summary = {"adrs": len(results), "pass": 0, "fail": 0, "unmeasured": 0, "none": 0}
    for r in results:
        counts[r.verdict] += 1
    counts["enforced_failures"] = sum(1 for r in results if r.enforced and r.verdict == "fail")
    counts["needs_review"] = sum(1 for r in results if r.needs_review)
    counts["unmeasured_accepted"] = sum(
        1 for r in results if r.enforced and r.verdict == "unmeasured"
    )
    return counts


def build_report(
    results: Sequence[AdrResult],
    measurements: Iterable[Measurement],
    *,
    successors: Mapping[str, Adr] | None = None,
    adr_dir: str | None = None,
    rootdir: str | None = None,
    environment: Mapping[str, Any] | None = None,
    errors: Sequence[str] = (),
    extra: ReportExtra | None = None,
) -> Report:
    from pytest_archgate import __version__

    successors = successors or {}
    ms: list[MeasurementJson] = []
    environments: dict[str, dict[str, Any]] = {}
    for m in measurements:
        data = m.to_json()
        data.pop("predictions", None)  # scratch paths mean nothing after the run
        env = data.pop("environment", None)
        if env and set(env) == {"ref"}:
            data["environment"] = env["ref"]  # already stored under that key (merged reports)
        elif env:
            # each measurement names the environment it ran in; identical ones are stored once
            key = hashlib.sha1(json.dumps(env, sort_keys=True, default=str).encode()).hexdigest()[
                :12
            ]
            environments.setdefault(key, _json_safe(env))
            data["environment"] = key
        # Measurement.to_json is in the measure layer, below the schema: typed here
        ms.append(cast("MeasurementJson", data))
    report: Report = {
        "schema": SCHEMA,
        "version": VERSION,
        "generated_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "archgate_version": __version__,
        "python": platform.python_version(),
        "platform": sys.platform,
        "rootdir": rootdir,
        "adr_dir": adr_dir,
        "summary": summarise(results),
        "adrs": [adr_entry(r, successors.get(r.adr.id)) for r in results],
        "measurements": ms,
        "environment": _json_safe(dict(environment or {})),
        "environments": environments,
        "errors": list(errors),
    }
    from pytest_archgate.verdict.comparison import compare_options

    for entry in report["adrs"]:
        comp = compare_options(entry, measurements=ms)
        if comp is not None:
            entry["comparison"] = comp
    if extra:
        # the caller's keys come last, in its order (ReportExtra types them at the call)
        cast("dict[str, Any]", report).update(_json_safe(dict(extra)))
    # Every other value above is built from str/float/int/None/bool already; only front-matter
    # values (dates, costs) and environments went through _json_safe.
    return report
