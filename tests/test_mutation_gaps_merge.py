"""Rules of ``archgate merge`` (``pytest_archgate.report.merge``) that mutation testing found
unpinned (issue 15).

Merge re-judges every ADR from the definitions the shard reports carry, so each rule here is
one a change could break while turning a failing build into a passing one. The reports are
built with the library (:func:`build_report` over :func:`judge_all`, as a pytest run writes
them) and go through a JSON file where the round trip matters, so the tests stay fast enough
to run for every mutant.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pytest_archgate.adr.criteria import Criterion, parse_criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.errors import ReportError
from pytest_archgate.measure.estimate import Estimate, Measurement
from pytest_archgate.report.build import build_report
from pytest_archgate.report.merge import (
    EXIT_STATUSES,
    MergeResult,
    combine_shards,
    merge_files,
    merge_reports,
)
from pytest_archgate.report.schema import Report
from pytest_archgate.verdict.judge import judge_all

OPTIONS = ("a", "b")


def crit(name: str, spec: Any, *, kind: str = "acceptance") -> Criterion:
    return parse_criterion(name, spec, kind=kind, options=OPTIONS)


def make_adr(
    adr_id: str = "ADR-0001",
    *,
    status: str = "accepted",
    acceptance: Sequence[Criterion] = (),
    constraints: Sequence[Criterion] = (),
    decision: str | None = "a",
    superseded_by: str | None = None,
    status_line: int | None = 2,
    date: str | None = "2026-12-01",
) -> Adr:
    stem = adr_id.lower().replace("adr-", "")
    return Adr(
        id=adr_id,
        title=f"Decision {adr_id}",
        path=Path(f"adr/{stem}-x.md"),
        file=f"adr/{stem}-x.md",
        status=status,
        status_line=status_line,
        superseded_by=superseded_by,
        date=date,
        has_archgate=True,
        decision=decision,
        options=OPTIONS,
        acceptance=tuple(acceptance),
        constraints=tuple(constraints),
    )


def m(
    metric: str,
    value: float,
    *,
    option: str = "a",
    adr: str = "ADR-0001",
    node: str = "t::job",
    intervals: dict[float, tuple[float, float]] | None = None,
    fingerprint: str | None = None,
    predictions: str | None = None,
    environment: dict[str, Any] | None = None,
    replicate: str | None = None,
) -> Measurement:
    return Measurement(
        adr=adr,
        option=option,
        metric=metric,
        estimate=Estimate(value, n=100, intervals=intervals or {}),
        nodeid=node,
        fingerprint=fingerprint,
        predictions=predictions,
        environment=environment or {},
        replicate=replicate,
    )


def report(
    adrs: Sequence[Adr],
    measurements: Sequence[Measurement] = (),
    *,
    tests: dict[str, set[str]] | None = None,
    errors: Sequence[str] = (),
    **extra: Any,
) -> Report:
    """A report as a pytest run writes it (``extra``: strict, family, adr_dir, rootdir...)."""
    where = {k: extra.pop(k) for k in ("adr_dir", "rootdir") if k in extra}
    results = judge_all(adrs, measurements, tests)
    return build_report(results, measurements, errors=errors, extra=extra or None, **where)  # type: ignore[arg-type]


def written(tmp_path: Path, name: str, data: Report) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def adr_entry(data: Report | dict[str, Any], adr_id: str = "ADR-0001") -> dict[str, Any]:
    found = [a for a in data["adrs"] if a["id"] == adr_id]
    assert len(found) == 1, [a["id"] for a in data["adrs"]]
    return dict(found[0])


def judged(data: Report | dict[str, Any], name: str, option: str = "a") -> dict[str, Any]:
    entry = adr_entry(data)
    found = [
        c
        for c in entry["criteria"] + entry["constraints"]
        if (c["name"], c["option"]) == (name, option)
    ]
    assert len(found) == 1
    return dict(found[0])


ACC = crit("acc", ">= 0.9")
LAT = crit("lat", "<= 50")
ROWS = crit("rows", "<= 1000", kind="constraint")
SHIP = make_adr(acceptance=(ACC, LAT), constraints=(ROWS,))
LAT_UNMEASURED = (
    "unmeasured: ADR-0001 lat [a] is unmeasured (no measurement of lat): needs <= 50 "
    "(adr/0001-x.md)"
)


# ---------------------------------------------------------------------------------------------
# the exit status


def test_a_comparison_across_jobs_is_judged_and_its_violation_fails_the_merge() -> None:
    """Each job measured one option, so each alone leaves the ``vs`` criterion unmeasured;
    pooled, the violated comparison fails the merge (exit 1), is listed among the session
    failures with its message and is an enforced failure of the summary."""
    gain = crit("gain", {"metric": "acc", "vs": "b", "min": 0.0})
    adr = make_adr(acceptance=(gain,))
    cpu = report([adr], [m("acc", 0.8, node="t::cpu")])
    gpu = report([adr], [m("acc", 0.9, option="b", node="t::gpu")])
    assert adr_entry(cpu)["verdict"] == adr_entry(gpu)["verdict"] == "unmeasured"
    merged = merge_reports([("cpu.json", cpu), ("gpu.json", gpu)])
    assert [r.adr.id for r in merged.enforced_failures] == ["ADR-0001"]
    assert merged.unmeasured_accepted == []
    assert merged.exit_code() == 1
    assert merged.report["session_failures"] == [
        "ADR-0001 gain (acc) [a] = -0.1 violates >= 0 vs b (adr/0001-x.md)"
    ]
    assert merged.report["summary"]["enforced_failures"] == 1
    assert adr_entry(merged.report)["verdict"] == "fail"


def test_a_violation_in_one_job_fails_the_merge_of_passing_ones() -> None:
    """The worse measurement decides: one job's violation fails the merge of jobs that pass."""
    good = report([SHIP], [m("acc", 0.95, node="t::cpu"), m("rows", 10), m("lat", 1)])
    bad = report([SHIP], [m("acc", 0.85, node="t::gpu")])
    merged = merge_reports([("good.json", good), ("bad.json", bad), ("good.json", good)])
    assert merged.exit_code() == 1
    assert merged.report["session_failures"] == [
        "ADR-0001 acc [a] = 0.85 violates >= 0.9 (adr/0001-x.md)"
    ]


def test_a_passing_merge_exits_0_and_has_no_failures() -> None:
    cpu = report([SHIP], [m("acc", 0.95), m("rows", 10)])
    gpu = report([SHIP], [m("lat", 10)])
    merged = merge_reports([("cpu.json", cpu), ("gpu.json", gpu)])
    assert merged.exit_code() == merged.exit_code(fail_on_unmeasured=True) == 0
    assert merged.enforced_failures == []
    assert merged.errors == []
    assert merged.report["session_failures"] == merged.report["strict_failures"] == []
    assert adr_entry(merged.report)["verdict"] == "pass"


def test_a_failing_criterion_of_a_proposed_adr_does_not_fail_the_merge() -> None:
    """Only accepted ADRs gate: a proposed one that fails is reported, and exit is 0."""
    proposed = make_adr(status="proposed", acceptance=(ACC,))
    merged = merge_reports([("r.json", report([proposed], [m("acc", 0.5)]))])
    assert adr_entry(merged.report)["verdict"] == "fail"
    assert merged.enforced_failures == []
    assert merged.report["session_failures"] == []
    assert merged.exit_code() == 0


def test_only_criteria_no_job_measured_fail_under_fail_on_unmeasured() -> None:
    """``--fail-on-unmeasured``: an accepted ADR with a criterion no job measured exits 1 and
    names it; without the flag the merge passes; a proposed ADR's unmeasured criteria never
    count."""
    data = report([SHIP], [m("acc", 0.95), m("rows", 10)])
    plain = merge_reports([("cpu.json", data)])
    assert [r.adr.id for r in plain.unmeasured_accepted] == ["ADR-0001"]
    assert plain.exit_code() == 0
    assert plain.exit_code(fail_on_unmeasured=True) == 1
    assert plain.report["strict_failures"] == []
    flagged = merge_reports([("cpu.json", data)], fail_on_unmeasured=True)
    assert flagged.report["strict_failures"] == [LAT_UNMEASURED]
    assert flagged.exit_code() == 1  # the strict failures alone fail it
    assert flagged.report["strict"] is False
    proposed = make_adr("ADR-0002", status="proposed", acceptance=(LAT,))
    other = merge_reports([("p.json", report([proposed], [m("x", 1, adr="ADR-0002")]))])
    assert other.unmeasured_accepted == []
    assert other.exit_code(fail_on_unmeasured=True) == 0
    strict_proposed = merge_reports(
        [("p.json", report([proposed], [m("x", 1, adr="ADR-0002")]))], strict=True
    )
    assert strict_proposed.report["strict_failures"] == []


def test_an_input_report_with_errors_fails_the_merge_and_is_named() -> None:
    """An error of a job (a measurement that could not be made) fails the merge (exit 1),
    kept with the name of the report it came from, once however often it is repeated."""
    good = report([SHIP], [m("acc", 0.95), m("rows", 10), m("lat", 1)])
    bad = report([SHIP], [m("acc", 0.95)], errors=["t::x: archgate: y_score holds NaN"])
    merged = merge_reports([("good.json", good), ("bad.json", bad), ("bad.json", bad)])
    assert merged.enforced_failures == []
    assert merged.errors == ["bad.json: t::x: archgate: y_score holds NaN"]
    assert merged.report["errors"] == merged.errors
    assert merged.exit_code() == 1


def test_an_error_found_when_judging_again_is_an_error_of_the_merge() -> None:
    """A comparison the merge cannot make (two options measured on different rows) is an
    error, reported once, and the merge exits 1; the job that already reported the same
    error is not repeated without its file name."""
    gain = crit("gain", {"metric": "acc", "vs": "b", "min": 0.0})
    adr = make_adr(acceptance=(gain,))
    cpu = report([adr], [m("acc", 0.9, fingerprint="f1", node="t::a")])
    gpu = report([adr], [m("acc", 0.8, option="b", fingerprint="f2", node="t::b")])
    merged = merge_reports([("cpu.json", cpu), ("gpu.json", gpu)])
    text = (
        "ADR-0001 gain [a]: cannot compare 'a' with 'b': they were measured on different rows "
        "(y_true fingerprints f1 in t::a and f2 in t::b); evaluate both options on the same "
        "test set"
    )
    assert merged.errors == [text]
    assert merged.exit_code() == 1
    # the merged report, merged again: its error came from an input, so it is not added twice
    again = merge_reports([("merged.json", merged.report)])
    assert again.errors == [f"merged.json: {text}"]


def test_strict_fails_on_violated_constraints_and_unmeasured_criteria() -> None:
    """Under strict (asked for, or written by a strict job) a violated constraint of an
    accepted ADR and an unmeasured criterion fail the merge: needs-review lines first."""
    job = report([SHIP], [m("acc", 0.95), m("rows", 5000)])
    plain = merge_reports([("cpu.json", job)])
    assert plain.exit_code() == 0
    assert adr_entry(plain.report)["needs_review"] is True
    expected = [
        "needs review: ADR-0001 rows [a] = 5000 violates <= 1000 (adr/0001-x.md)",
        LAT_UNMEASURED,
    ]
    for merged in (
        merge_reports([("cpu.json", job)], strict=True),
        merge_reports([("cpu.json", job), ("s.json", {**job, "strict": True})]),
        merge_reports([("s.json", {**job, "strict": True}), ("cpu.json", job)]),
    ):
        assert merged.report["strict"] is True
        assert merged.report["strict_failures"] == expected
        assert merged.exit_code() == 1
    loose = merge_reports([("cpu.json", {**job, "strict": False})])
    assert loose.report["strict"] is False
    assert loose.exit_code() == 0


def test_exit_statuses_text_names_every_way_to_fail() -> None:
    """``archgate merge --help`` shows this text: it names each source of exit 1 and 2."""
    for words in (
        "0: every accepted ADR holds",
        "1: an accepted ADR fails, an input report carries errors",
        "--fail-on-unmeasured",
        "ARCHGATE_STRICT",
        "2: an input cannot be used",
    ):
        assert words in EXIT_STATUSES


# ---------------------------------------------------------------------------------------------
# family-wise judging


HOLM_ADR = make_adr(
    acceptance=(
        crit("p", {"min": 0.8, "confidence": 0.95}),
        crit("q", {"min": 0.8, "confidence": 0.95}),
    )
)
HOLM_MS = [
    m("p", 0.9, intervals={0.9: (0.85, 0.95), 0.95: (0.84, 0.96), 0.975: (0.83, 0.97)}),
    m("q", 0.9, intervals={0.9: (0.85, 0.95), 0.95: (0.84, 0.96), 0.975: (0.83, 0.97)}),
]


@pytest.mark.parametrize(
    ("family", "inputs", "expected"),
    [
        (None, ("none", "none"), "none"),
        ("holm", ("none", "none"), "holm"),
        (None, ("none", "holm"), "holm"),
        (None, ("holm", None), "holm"),
        ("none", ("none", "none"), "none"),
    ],
)
def test_holm_is_used_when_asked_or_when_any_job_used_it(
    family: str | None, inputs: tuple[str | None, str | None], expected: str
) -> None:
    """Merging can never drop the family-wise adjustment a job judged with."""
    reports: list[tuple[str, Report]] = []
    for i, fam in enumerate(inputs):
        data = report([HOLM_ADR], HOLM_MS if i == 0 else [])
        if fam is not None:
            data["family"] = fam  # type: ignore[typeddict-item]
        else:
            data.pop("family", None)
        reports.append((f"r{i}.json", data))
    merged = merge_reports(reports, family=family)
    assert merged.report["family"] == expected
    families = {judged(merged.report, name).get("family") for name in ("p", "q")}
    assert families == ({"holm"} if expected == "holm" else {None})


# ---------------------------------------------------------------------------------------------
# definitions must agree


def test_an_adr_defined_differently_in_two_inputs_is_refused_naming_both_and_the_keys() -> None:
    first = report([SHIP], [m("acc", 0.95)])
    looser = make_adr(acceptance=(crit("acc", ">= 0.5"), LAT), constraints=(ROWS,))
    second = report([looser], [m("lat", 1)])
    with pytest.raises(ReportError) as info:
        merge_reports([("cpu.json", first), ("gpu.json", second)])
    assert info.value.message == (
        "ADR-0001 is defined differently in cpu.json and gpu.json (acceptance differ); "
        "merge reports of the same commit"
    )
    assert info.value.file == "gpu.json"


@pytest.mark.parametrize(
    ("other", "keys"),
    [
        (make_adr(status="proposed", acceptance=(ACC, LAT), constraints=(ROWS,)), "status"),
        (make_adr(acceptance=(ACC, LAT), constraints=()), "constraints"),
        (make_adr(acceptance=(ACC, LAT), constraints=(ROWS,), decision="b"), "decision"),
        (make_adr(acceptance=(ACC,), constraints=()), "acceptance, constraints"),
    ],
    ids=["status", "constraints", "decision", "two-keys"],
)
def test_status_and_every_judged_part_of_a_definition_must_agree(other: Adr, keys: str) -> None:
    """The status decides whether the ADR gates; the constraints and the decision what is
    judged: inputs that differ there cannot be merged."""
    with pytest.raises(ReportError, match=rf"\({keys} differ\)"):
        merge_reports([("one.json", report([SHIP])), ("two.json", report([other]))])


def test_where_a_criterion_is_written_and_the_adr_lines_do_not_matter() -> None:
    """A criterion moved to another line or its bound spelled another way, the status line
    or the date edited: the same decision, so the reports merge (and the violation in the
    first one fails the merge)."""
    one = report([SHIP], [m("acc", 0.8)])
    two = report([SHIP])
    definition = two["adrs"][0]["definition"]
    definition["status_line"] = 9
    definition["date"] = "2026-12-05"
    for c in [*definition["acceptance"], *definition["constraints"]]:
        c["line"] = 40
        c["bound"] = "at most fifty"
    merged = merge_reports([("one.json", one), ("two.json", two)])
    assert merged.exit_code() == 1
    assert adr_entry(merged.report)["failing"] == ["acc"]


def test_a_definition_without_status_line_or_date_merges(tmp_path: Path) -> None:
    """The lines and dates are left out of the comparison, also when a report has none."""
    data = report([SHIP], [m("acc", 0.8)])
    for key in ("status_line", "date"):
        data["adrs"][0]["definition"].pop(key)  # type: ignore[misc]
    merged = merge_files([written(tmp_path, "old.json", data)])
    assert merged.exit_code() == 1
    assert adr_entry(merged.report)["failing"] == ["acc"]


@pytest.mark.parametrize(
    ("section", "names", "field", "pronoun"),
    [
        ("criteria", ["acc"], "adrs[0].definition.acceptance", "it"),
        ("criteria", ["acc", "lat"], "adrs[0].definition.acceptance", "them"),
        ("constraints", ["rows"], "adrs[0].definition.constraints", "it"),
    ],
)
def test_a_judged_criterion_missing_from_the_definition_is_refused(
    section: str, names: list[str], field: str, pronoun: str
) -> None:
    """Merge judges from the definition alone: a report whose definition lost a criterion it
    was judged on (edited by hand) would drop that criterion from the gate, so it is refused,
    naming the file, the field and the criteria."""
    data = report([SHIP], [m("acc", 0.8), m("lat", 1), m("rows", 5)])
    definition = data["adrs"][0]["definition"]
    key = "acceptance" if section == "criteria" else "constraints"
    definition[key] = [c for c in definition[key] if c["name"] not in names]  # type: ignore[literal-required]
    with pytest.raises(ReportError) as info:
        merge_reports([("ok.json", report([make_adr("ADR-0000")])), ("cut.json", data)])
    listed = ", ".join(names)
    assert info.value.message == (
        f"ADR-0001 was judged on {listed} but its definition does not hold {pronoun}; merge "
        "judges from the definition, so this report cannot be merged (was it edited?)"
    )
    assert (info.value.file, info.value.field) == ("cut.json", field)


def test_a_report_that_judged_nothing_merges_from_its_definition() -> None:
    data = report([SHIP])
    data["adrs"][0].pop("criteria")  # type: ignore[misc]
    data["adrs"][0].pop("constraints")  # type: ignore[misc]
    merged = merge_reports([("r.json", data)])
    assert adr_entry(merged.report)["unmeasured"] == ["acc", "lat", "rows"]


def test_no_reports_is_an_error() -> None:
    with pytest.raises(ReportError, match=r"^no reports to merge$"):
        merge_reports([])


# ---------------------------------------------------------------------------------------------
# what the merged report carries


def test_adrs_are_judged_in_id_order_with_the_tests_of_every_job() -> None:
    later = make_adr("ADR-0002", acceptance=(crit("acc", ">= 0.1"),))
    one = report([later, SHIP], [m("acc", 0.95, node="t::one")], tests={"ADR-0001": {"t::one"}})
    two = report([SHIP], [m("lat", 1, node="t::two")], tests={"ADR-0001": {"t::two", "t::x"}})
    merged = merge_reports([("one.json", one), ("two.json", two)])
    assert [a["id"] for a in merged.report["adrs"]] == ["ADR-0001", "ADR-0002"]
    assert [r.adr.id for r in merged.results] == ["ADR-0001", "ADR-0002"]
    assert adr_entry(merged.report)["tests"] == ["t::one", "t::two", "t::x"]
    assert merged.report["merged_from"] == ["one.json", "two.json"]


def test_each_input_is_described_in_merged_inputs() -> None:
    one = report([SHIP], [m("acc", 0.95)])
    one["environment"] = {"host": "gpu-runner"}
    two = report([SHIP])
    two.pop("environment")
    merged = merge_reports([("one.json", one), ("two.json", two)])
    inputs = merged.report["merged_inputs"]
    assert [i["file"] for i in inputs] == ["one.json", "two.json"]
    for given, (_, data) in zip(inputs, [("one.json", one), ("two.json", two)], strict=True):
        assert given["generated_at"] == data["generated_at"]
        assert given["python"] == data["python"]
        assert given["platform"] == data["platform"]
        assert given["summary"] == data["summary"]
    assert inputs[0]["environment"] == {"host": "gpu-runner"}
    assert inputs[1]["environment"] == {}


def test_the_merged_report_takes_the_folders_of_its_first_input() -> None:
    one = report([SHIP], adr_dir="docs/adr", rootdir="/ci/one")
    two = report([SHIP], adr_dir="other", rootdir="/ci/two")
    merged = merge_reports([("one.json", one), ("two.json", two)])
    assert (merged.report["adr_dir"], merged.report["rootdir"]) == ("docs/adr", "/ci/one")


def test_a_superseded_adr_names_its_successor_as_the_job_reported_it() -> None:
    """The successor of a superseded ADR is the id the job resolved (its status may name the
    successor's file stem); an ADR no input defines is still named, by that id."""
    old = make_adr("ADR-0001", status="superseded", acceptance=(ACC,), superseded_by="0002-new")
    new = make_adr("ADR-0002", acceptance=(crit("acc", ">= 0.95"),))
    gone = make_adr("ADR-0003", status="superseded", acceptance=(ACC,), superseded_by="0009-x")
    data = report([old, new, gone], [m("acc", 0.97, adr=a) for a in ("ADR-0001", "ADR-0002")])
    # as a live run writes them, with the log's successors resolved to ids
    for entry in data["adrs"]:
        entry["superseded_by"] = {"ADR-0001": "ADR-0002", "ADR-0003": "ADR-0009"}.get(entry["id"])
    merged = merge_reports([("r.json", data)])
    assert adr_entry(merged.report, "ADR-0001")["superseded_by"] == "ADR-0002"
    assert adr_entry(merged.report, "ADR-0003")["superseded_by"] == "ADR-0009"
    assert adr_entry(merged.report, "ADR-0002")["superseded_by"] is None


def test_a_successor_that_is_not_a_name_is_ignored() -> None:
    old = make_adr("ADR-0001", status="superseded", acceptance=(ACC,))
    data = report([old])
    data["adrs"][0]["superseded_by"] = ""
    merged = merge_reports([("r.json", data)])
    assert adr_entry(merged.report)["superseded_by"] is None


def test_environments_of_every_input_are_pooled() -> None:
    cpu = report([SHIP], [m("acc", 0.95, environment={"device": "cpu"})])
    gpu = report([SHIP], [m("lat", 1, environment={"device": "cuda"})])
    merged = merge_reports([("cpu.json", cpu), ("gpu.json", gpu)])
    keys = {ms["environment"] for ms in merged.report["measurements"]}
    assert len(keys) == 2
    assert set(merged.report["environments"]) == keys
    assert {merged.report["environments"][k]["device"] for k in keys} == {"cpu", "cuda"}
    assert set(cpu["environments"]) | set(gpu["environments"]) == keys


def test_stored_predictions_are_never_opened_and_a_paired_vs_is_judged_unpaired(
    tmp_path: Path,
) -> None:
    """A report names scratch files of the run that wrote it; merge never opens them (a
    handed-over report must not make it read a path), so a ``vs`` criterion is judged from the
    two options' intervals."""
    gain = crit("gain", {"metric": "roc_auc", "vs": "b", "min": 0.0, "confidence": 0.95})
    adr = make_adr(acceptance=(gain,))
    # rows files that cannot be paired (their y_true differ): opening them would be an error
    np.savez(tmp_path / "a.npz", y_true=np.array([0, 1, 0, 1]), y_score=np.linspace(0, 1, 4))
    np.savez(tmp_path / "b.npz", y_true=np.array([1, 1, 0]), y_score=np.linspace(0, 1, 3))
    ms = [
        m("roc_auc", 0.9, intervals={0.9: (0.88, 0.92)}, predictions=str(tmp_path / "a.npz")),
        m(
            "roc_auc",
            0.7,
            option="b",
            intervals={0.9: (0.68, 0.72)},
            predictions=str(tmp_path / "b.npz"),
        ),
    ]
    data = report([adr], [])
    data["measurements"] = [dict(x.to_json()) for x in ms]  # type: ignore[misc]
    merged = merge_reports([("r.json", data)])
    assert merged.errors == []
    assert judged(merged.report, "gain")["verdict"] == "pass"
    assert judged(merged.report, "gain")["method"] == "unpaired-normal"
    assert all(x.get("predictions") is None for x in merged.report["measurements"])


def test_intervals_fingerprints_and_replicates_survive_a_merge_of_report_files(
    tmp_path: Path,
) -> None:
    """Report files written to disk and merged: every interval, fingerprint and replicate id
    of the measurements comes back, and each criterion is judged exactly as the job judged
    it."""
    lat = crit("lat", {"max": 100, "confidence": 0.99})
    seeds = crit("seeds", {"min": 0.5, "confidence": 0.9})
    acc = crit("acc", {"min": 0.6, "confidence": 0.95})
    adr = make_adr(acceptance=(acc, lat, seeds))
    ms = [
        m("acc", 0.8, intervals={0.9: (0.7, 0.9), 0.95: (0.65, 0.92)}, fingerprint="fp-1"),
        m("lat", 20.0, intervals={0.8: (18.0, 23.0), 0.95: (17.0, 26.0)}),
        *(
            m("seeds", 0.7 + 0.01 * i, intervals={0.95: (0.6, 0.8)}, replicate=f"seed-{i}")
            for i in (1, 2, 3)
        ),
    ]
    job = report([adr], ms)
    path = written(tmp_path, "job.json", job)
    merged = merge_files([path])
    assert [x["fingerprint"] for x in merged.report["measurements"]] == [
        "fp-1",
        None,
        None,
        None,
        None,
    ]
    assert [x.get("replicate") for x in merged.report["measurements"]] == [
        None,
        None,
        "seed-1",
        "seed-2",
        "seed-3",
    ]
    assert [x["estimate"]["intervals"] for x in merged.report["measurements"]] == [
        x["estimate"]["intervals"] for x in json.loads(path.read_text())["measurements"]
    ]
    for name in ("acc", "lat", "seeds"):
        live, again = judged(job, name), judged(merged.report, name)
        assert (again["verdict"], again["value"], again["reason"]) == (
            live["verdict"],
            live["value"],
            live["reason"],
        ), name
    assert "bound derived from the recorded 95% interval" in judged(merged.report, "lat")["reason"]


def test_merge_files_passes_its_options_on(tmp_path: Path) -> None:
    """``merge_files`` judges with the strictness, family and unmeasured rule it is given."""
    path = written(tmp_path, "job.json", report([SHIP], [m("acc", 0.95), m("rows", 5000)]))
    plain = merge_files([path])
    assert (plain.report["strict"], plain.report["family"]) == (False, "none")
    assert plain.report["strict_failures"] == []
    strict = merge_files([path], strict=True, family="holm")
    assert (strict.report["strict"], strict.report["family"]) == (True, "holm")
    assert strict.report["strict_failures"][0].startswith("needs review: ADR-0001 rows")
    unmeasured = merge_files([path], fail_on_unmeasured=True)
    assert unmeasured.report["strict_failures"] == [LAT_UNMEASURED]
    assert unmeasured.report["strict"] is False


def test_a_merge_result_without_an_errors_key_has_no_errors() -> None:
    result = MergeResult(report=report([SHIP]))
    result.report.pop("errors")
    assert result.errors == []
    assert result.exit_code() == 0


def test_an_environment_written_inline_by_another_tool_is_stored_once_by_key() -> None:
    """A measurement may carry its environment itself (reports written by other tools): the
    merged report stores it under a key in ``environments`` and the measurement refers to it."""
    data = report([SHIP])
    inline = {**m("acc", 0.95).to_json(), "environment": {"device": "tpu", "host": "x"}}
    data["measurements"] = [inline]  # type: ignore[list-item]
    merged = merge_reports([("other-tool.json", data)])
    [measured] = merged.report["measurements"]
    key = measured["environment"]
    assert isinstance(key, str)
    assert merged.report["environments"] == {key: {"device": "tpu", "host": "x"}}


# ---------------------------------------------------------------------------------------------
# shards: one metric evaluated over parts of the rows in several jobs, merged into one
# measurement of all rows (``evaluate(..., shard="k/K")``; built here as the fixture builds it)

Y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0], dtype=np.float64)
S = np.array([0.9, 0.8, 0.7, 0.2, 0.1, 0.3, 0.6, 0.4, 0.9, 0.1, 0.6, 0.2], dtype=np.float64)


def shard(
    k: int,
    total: int,
    rows: slice,
    *,
    metric: str = "accuracy",
    option: str | None = "a",
    replicate: str | None = None,
    node: str = "t::job",
    device: str = "cpu",
    environment: dict[str, Any] | None = None,
) -> Measurement:
    """The measurement a job writes for shard ``k/total`` holding ``Y[rows]``."""
    from dataclasses import replace

    from pytest_archgate.measure import partial
    from pytest_archgate.measure.metrics import evaluate_parts, parts_of

    data = parts_of(chunks=[(Y[rows], S[rows])], width=2)
    parts = evaluate_parts(data, [metric], threshold=0.5, level=0.95, fingerprint=True)
    fingerprint = parts.fingerprint or ""
    carried = partial.partial_to_json(
        parts.partials[metric], shard=(k, total), fingerprint=fingerprint, levels=[0.95]
    )
    est = parts.estimates[metric]
    return Measurement(
        adr="ADR-0001",
        option=option,
        metric=metric,
        estimate=replace(est, details={**est.details, "partial": carried}),
        nodeid=node,
        device=device,
        fingerprint=fingerprint,
        environment=environment or {},
        replicate=replicate,
    )


def whole(metric: str = "accuracy") -> Estimate:
    from pytest_archgate.measure.metrics import evaluate_parts, parts_of

    data = parts_of(chunks=[(Y, S)], width=2)
    return evaluate_parts(data, [metric], threshold=0.5, level=0.95).estimates[metric]


FIRST, SECOND = slice(0, 5), slice(5, None)


def test_shards_merge_into_one_measurement_of_all_rows() -> None:
    """The shards of a metric become one measurement with the value, row count and intervals of
    one run over all rows, whatever order the jobs' reports come in; the merged measurement keeps
    the first shard's test, environment and other fields."""
    one = shard(1, 2, FIRST, node="t::job1", environment={"host": "one"})
    two = shard(2, 2, SECOND, node="t::job2", environment={"host": "two"})
    expected = whole()
    for given in ([one, two], [two, one]):
        [merged] = combine_shards(given)
        assert merged.estimate.value == pytest.approx(expected.value)
        assert merged.estimate.n == len(Y)
        assert merged.estimate.intervals[0.95] == pytest.approx(expected.intervals[0.95])
        assert (merged.adr, merged.option, merged.metric) == ("ADR-0001", "a", "accuracy")
        assert merged.nodeid == given[0].nodeid
        assert merged.environment == given[0].environment
        assert merged.device == "cpu"
        assert merged.fingerprint is not None
        assert merged.fingerprint not in (one.fingerprint, two.fingerprint)


def test_measurements_that_are_not_shards_pass_unchanged() -> None:
    plain = m("acc", 0.95)
    assert combine_shards([plain]) == [plain]
    one, two = shard(1, 2, FIRST), shard(2, 2, SECOND)
    out = combine_shards([plain, one, two])
    assert out[0] == plain
    assert [x.metric for x in out] == ["acc", "accuracy"]


def test_the_device_of_merged_shards_is_theirs_or_mixed() -> None:
    gpu = [shard(1, 2, FIRST, device="cuda"), shard(2, 2, SECOND, device="cuda")]
    assert [x.device for x in combine_shards(gpu)] == ["cuda"]
    mixed = [shard(1, 2, FIRST, device="cuda"), shard(2, 2, SECOND, device="cpu")]
    assert [x.device for x in combine_shards(mixed)] == ["mixed"]


def test_shards_of_different_options_replicates_or_shard_counts_merge_apart() -> None:
    """Shards merge only with those of the same ADR, option, metric, replicate and number of
    shards: a whole run written as shard 1/1 and the same rows in two shards are two measurements
    of all rows; so are two options' or two replicates' shards."""
    expected = whole().value
    cases = [
        [shard(1, 1, slice(None)), shard(1, 2, FIRST), shard(2, 2, SECOND)],
        [shard(k, 2, r, option=o) for o in ("a", "b") for k, r in ((1, FIRST), (2, SECOND))],
        [shard(k, 2, r, option=o) for o in (None, "XXXX") for k, r in ((1, FIRST), (2, SECOND))],
        [
            shard(k, 2, r, replicate=rep)
            for rep in ("seed1", "seed2")
            for k, r in ((1, FIRST), (2, SECOND))
        ],
        [
            shard(k, 2, r, replicate=rep)
            for rep in (None, "XXXX")
            for k, r in ((1, FIRST), (2, SECOND))
        ],
    ]
    for given in cases:
        out = combine_shards(given)
        assert len(out) == 2
        assert [x.estimate.value for x in out] == pytest.approx([expected, expected])
        assert [x.estimate.n for x in out] == [len(Y), len(Y)]


def test_a_shard_of_one_option_never_completes_another_s() -> None:
    """Shard 1/2 of an unnamed option and shard 2/2 of option 'XXXX' are two incomplete sets."""
    for a, b in ((None, "XXXX"), ("a", "")):
        with pytest.raises(ReportError, match="missing"):
            combine_shards([shard(1, 2, FIRST, option=a), shard(2, 2, SECOND, option=b)])
    for a, b in ((None, "XXXX"), ("seed1", "")):
        with pytest.raises(ReportError, match="missing"):
            combine_shards([shard(1, 2, FIRST, replicate=a), shard(2, 2, SECOND, replicate=b)])


def test_a_missing_shard_is_an_error_naming_the_metric_and_option() -> None:
    with pytest.raises(ReportError) as exc:
        combine_shards([shard(1, 2, FIRST)])
    assert str(exc.value) == (
        "ADR-0001 accuracy [a]: shard(s) 2 of 2 missing: every shard must be merged"
    )
    with pytest.raises(ReportError) as exc:
        combine_shards([shard(2, 2, SECOND, option=None)])
    assert str(exc.value).startswith("ADR-0001 accuracy [-]: shard(s) 1 of 2 missing")


@pytest.mark.parametrize("bad", [None, "1/2", [1], [1, 2, 3], {"k": 1}])
def test_a_malformed_shard_field_is_a_report_error(bad: object) -> None:
    """A shard field that is not [k, K] is refused in one line naming the metric, never a
    traceback."""
    from dataclasses import replace

    good = shard(1, 1, slice(None))
    carried = {**good.estimate.details["partial"], "shard": bad}
    forged = replace(good, estimate=replace(good.estimate, details={"partial": carried}))
    with pytest.raises(ReportError, match=r"^ADR-0001 accuracy \[a\]: must be \[k, K\]"):
        combine_shards([forged])


def test_the_first_set_of_shards_in_report_order_that_cannot_merge_is_named() -> None:
    """A whole run (1/1) of accuracy, an incomplete set of recall and a malformed accuracy
    shard: the malformed one is its own set, after recall's, so recall's missing shard is
    the error."""
    from dataclasses import replace

    good = shard(1, 1, slice(None))
    carried = {**good.estimate.details["partial"], "shard": [1]}
    forged = replace(good, estimate=replace(good.estimate, details={"partial": carried}))
    recall = shard(1, 2, FIRST, metric="recall")
    with pytest.raises(ReportError, match=r"^ADR-0001 recall \[a\]: shard\(s\) 2 of 2 missing"):
        combine_shards([good, recall, forged])


def test_merged_shards_are_judged_as_one_run_over_all_rows() -> None:
    """Each shard alone misses the bound or meets it; merged, the verdict is that of all rows
    (a shard's value never decides)."""
    adr = make_adr(acceptance=(crit("accuracy", ">= 0.82"),))
    one, two = shard(1, 2, FIRST, node="t::job1"), shard(2, 2, SECOND, node="t::job2")
    assert one.estimate.value != two.estimate.value
    value = whole().value
    assert value >= 0.82 > min(one.estimate.value, two.estimate.value)
    merged = merge_reports(
        [("job1.json", report([adr], [one])), ("job2.json", report([adr], [two]))]
    )
    assert judged(merged.report, "accuracy")["verdict"] == "pass"
    assert judged(merged.report, "accuracy")["value"] == pytest.approx(value)
    assert merged.exit_code() == 0
    assert len(merged.report["measurements"]) == 1
