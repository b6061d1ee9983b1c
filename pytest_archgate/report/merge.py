"""``archgate merge``: one verdict from the reports of several CI jobs.

ML projects measure in more than one place: a CPU job checks accuracy, a GPU runner checks
CUDA latency and memory, a big suite is sharded. Each job's report sees only part of the
picture, so a criterion one job never measured is ``unmeasured`` there even when another job
measured it. Gating on any single report is therefore wrong; this command rebuilds every ADR
from the definitions the reports carry, pools all measurements, and judges again with the same
:func:`~pytest_archgate.verdict.judge.judge_all` a live run uses: a criterion measured by any job is
measured, and when jobs disagree the worse measurement decides.

Reports from different revisions of the decision log must not be mixed silently, so an ADR
defined differently in two inputs is an error naming both files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_archgate.adr.model import Adr
from pytest_archgate.errors import ReportError
from pytest_archgate.measure.estimate import Measurement
from pytest_archgate.report.build import adr_from_json, build_report
from pytest_archgate.report.load import load_report
from pytest_archgate.report.schema import AdrEntry, Family, MergedInput, Report
from pytest_archgate.verdict.judge import AdrResult, judge_all

EXIT_STATUSES = (
    "0: every accepted ADR holds (criteria unmeasured in every job are allowed unless "
    "--fail-on-unmeasured); "
    "1: an accepted ADR fails, an input report carries errors (a measurement that could not be "
    "made, so the run that wrote it failed), or --fail-on-unmeasured and an accepted ADR has "
    "criteria no job measured, or strict (--strict, ARCHGATE_STRICT, the archgate_strict ini "
    "key, or any input written by a strict run) and an accepted ADR has unmeasured criteria or "
    "violated constraints; "
    "2: an input cannot be used (missing, not UTF-8, not JSON, NaN, wrong types, ADRs defined "
    "differently) or the output cannot be written"
)
"""``archgate merge``'s exit statuses, as its help shows them."""

# fields of a report's ADR definition that do not change what is judged
_COSMETIC_DEFINITION_KEYS = ("status_line", "date")
_COSMETIC_CRITERION_KEYS = ("line", "bound")


@dataclass
class MergeResult:
    """The merged report and the verdicts it was built from."""

    report: Report
    results: list[AdrResult] = field(default_factory=list)

    @property
    def enforced_failures(self) -> list[AdrResult]:
        return [r for r in self.results if r.enforced and r.verdict == "fail"]

    @property
    def unmeasured_accepted(self) -> list[AdrResult]:
        """Accepted ADRs with an unmeasured criterion or constraint of the decision."""
        return [r for r in self.results if r.enforced and r.unmeasured]

    @property
    def errors(self) -> list[str]:
        """Measurement errors carried by the inputs or found when judging again."""
        errors = self.report.get("errors") or []
        return [str(e) for e in errors]

    def exit_code(self, *, fail_on_unmeasured: bool = False) -> int:
        """1 when the gate fails (see :data:`EXIT_STATUSES`), else 0."""
        if self.enforced_failures or self.errors:
            return 1
        if fail_on_unmeasured and self.unmeasured_accepted:
            return 1
        if self.report.get("strict_failures"):
            return 1
        return 0


def _signature(entry: AdrEntry) -> dict[str, Any]:
    """What must agree between two reports' entries of the same ADR."""
    definition: dict[str, Any] = dict(entry.get("definition") or {})
    for key in _COSMETIC_DEFINITION_KEYS:
        definition.pop(key, None)
    for section in ("acceptance", "constraints"):
        definition[section] = [
            {k: v for k, v in c.items() if k not in _COSMETIC_CRITERION_KEYS}
            for c in definition.get(section) or []
            if isinstance(c, Mapping)
        ]
    return {"status": entry.get("status"), **definition}


def _difference(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    keys = [k for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]
    return ", ".join(keys) or "definition"


def _adrs_of(name: str, data: Report) -> list[tuple[Adr, AdrEntry]]:
    """The ADRs of one report (its fields were checked by the loader)."""
    for index, entry in enumerate(data["adrs"]):
        _check_definition(name, index, entry)
    return [(adr_from_json(entry), entry) for entry in data["adrs"]]


def _check_definition(name: str, index: int, entry: AdrEntry) -> None:
    """Refuse an ADR whose judged criteria are not all in its definition.

    ``merge`` judges again from the definition alone: a criterion judged by the run but missing
    from the definition (a report edited by hand, or cut by a tool) would silently leave the
    gate, turning a violated accepted ADR into a pass.
    """
    definition = entry.get("definition") or {}
    for section, results, declared in (
        ("acceptance", entry.get("criteria") or [], definition.get("acceptance") or []),
        ("constraints", entry.get("constraints") or [], definition.get("constraints") or []),
    ):
        defined = {c["name"] for c in declared}
        missing = sorted({r["name"] for r in results} - defined)
        if missing:
            field = f"adrs[{index}].definition.{section}"
            raise ReportError(
                f"{entry['id']} was judged on {', '.join(missing)} but its definition does not "
                f"hold {'it' if len(missing) == 1 else 'them'}; merge judges from the definition, "
                "so this report cannot be merged (was it edited?)",
                file=name,
                field=field,
            )


def _measurements_of(name: str, data: Report) -> list[Measurement]:
    # ``predictions`` names a scratch file of the run that wrote the report: it means nothing
    # here, and a path in a handed-over report must never be opened
    return [
        Measurement.from_json({**m, "predictions": None}) for m in data.get("measurements") or []
    ]


def merge_reports(
    reports: Sequence[tuple[str, Report]],
    *,
    fail_on_unmeasured: bool = False,
    strict: bool = False,
    family: str | None = None,
) -> MergeResult:
    """Merge loaded reports (``(file name, data)`` pairs) and judge every ADR again.

    ``strict`` judges as ``--archgate-strict`` does (unmeasured criteria and violated
    constraints of accepted ADRs fail); an input written by a strict run makes the merge strict
    too, so that merging shard reports can never loosen the gate their jobs ran under.
    ``family="holm"`` judges with Holm's step-down (family.py); so does an input written by a
    run that did, for the same reason.
    """
    if not reports:
        raise ReportError("no reports to merge")
    strict = strict or any(data.get("strict") is True for _name, data in reports)
    holm = family == "holm" or any(data.get("family") == "holm" for _name, data in reports)
    judged: Family = "holm" if holm else "none"
    adrs: dict[str, Adr] = {}
    signatures: dict[str, tuple[str, dict[str, Any]]] = {}
    superseded_by: dict[str, str] = {}
    tests_by_adr: dict[str, set[str]] = {}
    measurements: list[Measurement] = []
    errors: list[str] = []
    inputs: list[MergedInput] = []
    for name, data in reports:
        for adr, entry in _adrs_of(name, data):
            sig = _signature(entry)
            seen = signatures.get(adr.id)
            if seen is None:
                signatures[adr.id] = (name, sig)
                adrs[adr.id] = adr
            elif seen[1] != sig:
                raise ReportError(
                    f"{adr.id} is defined differently in {seen[0]} and {name} "
                    f"({_difference(seen[1], sig)} differ); merge reports of the same commit",
                    file=name,
                )
            tests_by_adr.setdefault(adr.id, set()).update(entry.get("tests") or [])
            succ = entry.get("superseded_by")
            if isinstance(succ, str) and succ:
                superseded_by.setdefault(adr.id, succ)
        measurements.extend(_measurements_of(name, data))
        errors.extend(f"{name}: {e}" for e in data.get("errors") or [])
        inputs.append(
            {
                "file": name,
                "generated_at": data.get("generated_at"),
                "python": data.get("python"),
                "platform": data.get("platform"),
                "summary": data.get("summary"),
                "environment": data.get("environment") or {},
            }
        )

    measurements = combine_shards(measurements)
    ordered = [adrs[k] for k in sorted(adrs)]
    results = judge_all(ordered, measurements, tests_by_adr, family=judged)
    for res in results:  # what the pytest run reports as errors, merge reports too
        for r in res.criteria + res.constraints:
            text = f"{res.adr.id} {r.criterion.name} [{r.option}]: {r.error}"
            if r.error is not None and not any(e.endswith(f": {text}") for e in errors):
                errors.append(text)
    successors = {
        adr_id: adrs.get(succ) or Adr(id=succ, title=succ, path=Path(), file="", status="unknown")
        for adr_id, succ in superseded_by.items()
    }
    session_failures = [r.message(res.adr) for res in results if res.enforced for r in res.failing]
    strict_failures = [
        f"unmeasured: {r.message(res.adr)}"
        for res in results
        if res.enforced and (fail_on_unmeasured or strict)
        for r in res.unmeasured
    ]
    if strict:
        strict_failures[:0] = [
            f"needs review: {r.message(res.adr)}"
            for res in results
            if res.enforced
            for r in res.violated_constraints
        ]
    first = reports[0][1]
    report = build_report(
        results,
        measurements,
        successors=successors,
        adr_dir=first.get("adr_dir"),
        rootdir=first.get("rootdir"),
        errors=list(dict.fromkeys(errors)),
        extra={
            "strict": strict,
            "family": judged,
            "session_failures": session_failures,
            "strict_failures": strict_failures,
            "merged_from": [name for name, _ in reports],
            "merged_inputs": inputs,
        },
    )
    pooled: dict[str, dict[str, Any]] = {}
    for _name, data in reports:
        envs = data.get("environments")
        if isinstance(envs, Mapping):
            pooled.update(envs)
    # build_report always writes "environments" (a dict, perhaps empty)
    report["environments"] = {**pooled, **(report.get("environments") or {})}
    return MergeResult(report=report, results=results)


def _shard_key(m: Measurement) -> tuple[str, str, str, str, int] | None:
    raw = m.estimate.details.get("partial")
    if not isinstance(raw, Mapping):
        return None
    shard = raw.get("shard")
    total = shard[1] if isinstance(shard, list) and len(shard) == 2 else 0
    return (m.adr, m.option or "", m.metric, m.replicate or "", int(total))


def combine_shards(measurements: Sequence[Measurement]) -> list[Measurement]:
    """Each metric measured in shards (``details["partial"]``) as one measurement of all rows.

    The shards of one ADR, option, metric and replicate are merged from their sufficient
    statistics (:func:`pytest_archgate.measure.partial.merge_shards`): the same estimate one
    run over all their rows gives. A shard missing or repeated, statistics that do not match
    the estimate they came with, or a metric that cannot be merged is a :class:`ReportError`
    naming the metric, never a verdict on part of the rows. Other measurements pass unchanged.
    """
    groups: dict[tuple[str, str, str, str, int], list[Measurement]] = {}
    out: list[Measurement] = []
    for m in measurements:
        key = _shard_key(m)
        if key is None:
            out.append(m)
        else:
            groups.setdefault(key, []).append(m)
    if not groups:
        return out
    from dataclasses import replace

    from pytest_archgate.errors import MeasurementError
    from pytest_archgate.measure.partial import merge_shards, partial_from_json

    for (adr, option, metric, _rep, _total), shards in groups.items():
        where = f"{adr} {metric} [{option or '-'}]"
        try:
            checked = [
                (m.estimate, m.fingerprint, partial_from_json(m.estimate.details["partial"]))
                for m in shards
            ]
            estimate, fingerprint = merge_shards(metric, checked)
        except MeasurementError as exc:
            raise ReportError(f"{where}: {exc.message}") from None
        devices = {m.device for m in shards}
        out.append(
            replace(
                shards[0],
                estimate=estimate,
                fingerprint=fingerprint,
                device=devices.pop() if len(devices) == 1 else "mixed",
                nodeid=shards[0].nodeid,
            )
        )
    return out


def merge_files(
    paths: Sequence[str | Path],
    *,
    fail_on_unmeasured: bool = False,
    strict: bool = False,
    family: str | None = None,
) -> MergeResult:
    """Load, check and merge report files; a bad file is a :class:`ReportError` naming it."""
    loaded = [(str(p), load_report(p)) for p in paths]
    return merge_reports(
        loaded, fail_on_unmeasured=fail_on_unmeasured, strict=strict, family=family
    )
