"""Statistics of base-branch comparisons: MOVER against a published value, coverage by
simulation (paired and unpaired), and the verdict rules of ``vs: "@base"`` criteria."""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

import numpy as np
import pytest

from pytest_archgate.adr.criteria import BASE_VS, check_archgate_block, parse_criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.errors import AdrError, CriterionError, ReportError
from pytest_archgate.measure import stats
from pytest_archgate.measure.estimate import Estimate, Measurement, level_key
from pytest_archgate.measure.metrics import compare, data_fingerprint, evaluate
from pytest_archgate.report.baseline import _age_problem, _check_rows, parse_age, rows_folder
from pytest_archgate.verdict.baseline import Baseline, Recorder, mover_difference, named_test
from pytest_archgate.verdict.judge import default_paired, judge_adr, judge_criterion


def _wilson(k: int, n: int, levels: tuple[float, ...] = (0.95,)) -> Estimate:
    return Estimate(
        value=k / n,
        method="wilson",
        n=n,
        intervals={level_key(lv): stats.wilson_interval(k, n, lv) for lv in levels},
    )


def test_mover_of_two_wilson_intervals_is_newcombe_1998_method_10() -> None:
    # Newcombe, R. G. (1998). "Interval estimation for the difference between independent
    # proportions: comparison of eleven methods." Statistics in Medicine 17, 873-890, Table II,
    # example (a) 56/70 - 48/80, method 10 (score, hybrid): 0.0524 to 0.3339.
    est = mover_difference(_wilson(56, 70), _wilson(48, 80), [0.95])
    assert est is not None
    low, high = est.intervals[0.95]
    assert est.value == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    assert est.method == "unpaired-mover"
    assert est.n == 70
    assert named_test(est.method).startswith("unpaired MOVER")


def test_mover_needs_a_level_both_sides_computed() -> None:
    a = _wilson(56, 70, (0.9,))
    b = _wilson(48, 80, (0.95,))
    assert mover_difference(a, b, [0.9, 0.95]) is None
    no_n = Estimate(value=0.5, intervals={0.95: (0.4, 0.6)})
    est = mover_difference(no_n, _wilson(48, 80), [0.95])
    assert est is not None
    assert est.n is None


def test_unpaired_coverage_by_simulation() -> None:
    """90% two-sided MOVER intervals of a difference of independent accuracies cover the true
    difference about 90% of the time (2,000 seeded replications, n = 300 and 250; the
    standard error of the coverage is 0.0067)."""
    rng = np.random.default_rng(13)
    covered = 0
    reps = 2000
    for _ in range(reps):
        ka, kb = rng.binomial(300, 0.82), rng.binomial(250, 0.78)
        est = mover_difference(_wilson(ka, 300, (0.9,)), _wilson(kb, 250, (0.9,)), [0.9])
        assert est is not None
        low, high = est.intervals[0.9]
        covered += low <= 0.82 - 0.78 <= high
    assert 0.88 <= covered / reps <= 0.92


def test_paired_auc_coverage_by_simulation() -> None:
    """The paired ROC AUC difference (the base comparison on the same rows) covers the true
    difference about 90% of the time: two scores of one set of rows, 300 replications."""
    rng = np.random.default_rng(7)
    n, reps, covered = 300, 300, 0
    # binormal scores: AUC = Phi(d / sqrt(2)) for a shift d with unit variances
    true = 0.5 * (math.erf(1.2 / 2) - math.erf(1.0 / 2))
    for _ in range(reps):
        y = (rng.random(n) < 0.4).astype(float)
        shared = rng.normal(size=n)
        a = 0.6 * shared + 0.8 * rng.normal(size=n) + 1.2 * y
        b = 0.6 * shared + 0.8 * rng.normal(size=n) + 1.0 * y
        low, high = compare(y, a, b, "roc_auc", level=0.9).intervals[0.9]
        covered += low <= true <= high
    assert 0.85 <= covered / reps <= 0.95


# --------------------------------------------------------------------------- grammar


def test_base_criterion_parses_like_a_vs_criterion() -> None:
    c = parse_criterion(
        "no_regression",
        {"metric": "roc_auc", "vs": "@base", "min": -0.01, "confidence": 0.95},
        kind="acceptance",
        options=("gbt",),
    )
    assert c.vs == BASE_VS == "@base"
    assert c.min == -0.01
    assert c.confidence == 0.95
    assert c.bound == ">= -0.01 vs @base (conf. 0.95)"


def test_base_criterion_needs_confidence() -> None:
    with pytest.raises(CriterionError, match="needs confidence") as info:
        parse_criterion("r", {"metric": "roc_auc", "vs": "@base", "min": -0.01}, kind="acceptance")
    assert info.value.field == "archgate.acceptance.r.confidence"
    assert info.value.message == (
        "a criterion vs @base (the base branch) needs confidence, e.g. 0.95: the difference "
        "from the base is judged by its one-sided bound, never its point value"
    )


def test_an_option_cannot_be_named_at_base() -> None:
    with pytest.raises(AdrError, match="reserved") as info:
        check_archgate_block(
            decision=None,
            baseline=None,
            options=("a", "@base"),
            acceptance=(),
            constraints=(),
            file="x.md",
            line_of=lambda _k: 3,
        )
    assert info.value.field == "archgate.options"
    assert info.value.line == 3
    assert info.value.message == (
        "option name '@base' is reserved: vs @base means the base branch's report"
    )


# --------------------------------------------------------------------------- verdicts

CRIT = parse_criterion(
    "no_regression",
    {"metric": "accuracy", "vs": "@base", "min": -0.02, "confidence": 0.95},
    kind="acceptance",
    options=("m",),
)
ADR = Adr(
    id="ADR-0001",
    title="t",
    path=__import__("pathlib").Path("adr/0001-t.md"),
    file="adr/0001-t.md",
    status="accepted",
    decision="m",
    options=("m",),
    acceptance=(CRIT,),
)


def _m(k: int, n: int = 2000, fp: str | None = "f1", predictions: str | None = None) -> Measurement:
    return Measurement(
        adr="ADR-0001",
        option="m",
        metric="accuracy",
        estimate=_wilson(k, n, (0.9, 0.95)),
        nodeid="t.py::test",
        fingerprint=fp,
        predictions=predictions,
    )


def _base(*ms: Measurement, adrs: dict[str, Adr] | None = None, **kw: object) -> Baseline:
    return Baseline(
        file="base.json",
        commit="a" * 40,
        generated_at="2026-12-06T00:00:00+00:00",
        measurements=ms,
        adrs={"ADR-0001": ADR} if adrs is None else adrs,
        **kw,  # type: ignore[arg-type]
    )


def _judge(pr: Measurement, base: Baseline | None) -> object:
    return judge_criterion(CRIT, "m", [pr], role="decision", enforced=True, adr=ADR, base=base)


def test_within_margin_passes_and_names_the_test() -> None:
    r = _judge(_m(1800), _base(_m(1800)))
    assert r.verdict == "pass", r.reason
    assert r.base is not None
    assert r.base.test == named_test("unpaired-mover")
    assert (r.base.base_value, r.base.pr_value, r.base.paired) == (0.9, 0.9, False)
    data = r.to_json()["base"]
    assert data["file"] == "base.json"
    assert data["stale"] == []
    assert data["flags"] == []


def test_regression_beyond_the_margin_fails() -> None:
    r = _judge(_m(1700), _base(_m(1800)))
    assert r.verdict == "fail"
    assert r.value == pytest.approx(-0.05)


def test_within_margin_but_too_uncertain_fails_the_one_sided_bound() -> None:
    # point difference -0.01 is within the margin; its 90% lower end is below -0.02
    r = judge_criterion(
        CRIT,
        "m",
        [_m(170, 200)],
        role="decision",
        enforced=True,
        adr=ADR,
        base=_base(_m(172, 200)),
    )
    assert r.verdict == "fail"
    assert "lower one-sided 95% bound" in (r.reason or "")


def test_no_base_report_is_unmeasured() -> None:
    r = _judge(_m(1800), None)
    assert r.verdict == "unmeasured"
    assert "no base report" in (r.reason or "")
    res = judge_adr(ADR, [_m(1800)])
    assert res.verdict == "unmeasured"
    assert res.unmeasured


def test_nothing_measured_here_is_unmeasured() -> None:
    r = judge_criterion(CRIT, "m", [], role="decision", enforced=True, adr=ADR, base=_base())
    assert r.verdict == "unmeasured"
    assert r.base is None


@pytest.mark.parametrize(
    ("base", "words"),
    [
        (_base(_m(1800, fp="other")), "measured on other data"),
        (_base(_m(1800), stale=("too old",)), "too old"),
        (_base(_m(1800), adrs={}), "no definition of ADR-0001"),
    ],
    ids=["fingerprint", "age", "no-definition"],
)
def test_stale_baselines_are_unmeasured_never_pass(base: Baseline, words: str) -> None:
    r = _judge(_m(1800), base)
    assert r.verdict == "unmeasured"
    assert (r.reason or "").startswith("stale baseline: ")
    assert words in (r.reason or "")
    assert r.base is not None
    assert any(words in s for s in r.base.stale)
    assert r.tests == ["t.py::test"]
    assert r.estimate is None


def test_changed_definition_is_stale() -> None:
    old = parse_criterion(
        "no_regression",
        {"metric": "accuracy", "vs": "@base", "min": -0.05, "confidence": 0.95},
        kind="acceptance",
        options=("m",),
    )
    then = ADR.replace(acceptance=(old,))
    r = _judge(_m(1800), _base(_m(1800), adrs={"ADR-0001": then}))
    assert r.verdict == "unmeasured"
    assert "criteria changed" in (r.reason or "")
    # a moved line is not a change of definition
    moved = ADR.replace(acceptance=(CRIT.replace(line=99),))
    assert _judge(_m(1800), _base(_m(1800), adrs={"ADR-0001": moved})).verdict == "pass"


def test_no_matching_base_measurement_is_unmeasured() -> None:
    other = Measurement(**{**_m(1800).__dict__, "option": "x"})
    r = _judge(_m(1800), _base(other))
    assert r.verdict == "unmeasured"
    assert r.reason == "the base report has no measurement of accuracy for m"


def test_unknown_fingerprint_is_flagged_and_compared_unpaired() -> None:
    r = _judge(_m(1800, fp=None), _base(_m(1800)))
    assert r.verdict == "pass"
    assert r.base is not None
    assert r.base.flags == ["data fingerprint unknown on one side: compared unpaired"]


def test_only_base_rows_with_the_same_fingerprint_are_used() -> None:
    r = _judge(_m(1800), _base(_m(1500, fp="other"), _m(1800)))
    assert r.verdict == "pass"
    assert r.base is not None
    assert r.base.base_value == 0.9


def test_report_wide_flags_are_carried() -> None:
    r = _judge(_m(1800), _base(_m(1800), flags=("not the merge base",)))
    assert r.verdict == "pass"
    assert r.base is not None
    assert r.base.flags == ["not the merge base"]


def test_paired_when_both_sides_have_rows(tmp_path: object) -> None:
    from pathlib import Path

    rng = np.random.default_rng(1)
    y = (rng.random(3000) < 0.3).astype(float)
    s_pr = rng.normal(size=3000) + 1.5 * y
    s_base = s_pr + 0.05 * rng.normal(size=3000)
    paths = []
    for name, s in (("pr", s_pr), ("base", s_base)):
        p = Path(str(tmp_path)) / f"{name}.npz"
        np.savez(p, y_true=y, y_score=s, threshold=np.float64(0.5), metric_names=np.array([]))
        paths.append(str(p))
    crit = parse_criterion(
        "r",
        {"metric": "roc_auc", "vs": "@base", "min": -0.01, "confidence": 0.95},
        kind="acceptance",
        options=("m",),
    )
    adr = ADR.replace(acceptance=(crit,))

    def meas(s: np.ndarray, path: str) -> Measurement:
        est = evaluate(y, s, ["roc_auc"], levels=(0.9,))["roc_auc"]
        return Measurement(
            adr="ADR-0001",
            option="m",
            metric="roc_auc",
            estimate=est,
            fingerprint="f",
            predictions=path,
        )

    base = _base(meas(s_base, paths[1]), adrs={"ADR-0001": adr})
    r = judge_criterion(
        crit, "m", [meas(s_pr, paths[0])], role="decision", enforced=True, adr=adr, base=base
    )
    assert r.verdict == "pass", r.reason
    assert r.base is not None
    assert r.base.paired is True
    assert r.base.test == "paired DeLong"
    assert r.estimate is not None
    assert r.estimate.method == "paired-mover-score-logit-delong"
    # the same pair without the base side's rows: MOVER, wider
    nopaired = judge_criterion(
        crit,
        "m",
        [meas(s_pr, paths[0])],
        role="decision",
        enforced=True,
        adr=adr,
        base=_base(
            Measurement(**{**meas(s_base, paths[1]).__dict__, "predictions": None}),
            adrs={"ADR-0001": adr},
        ),
    )
    assert nopaired.base is not None
    assert nopaired.base.paired is False
    lo_p = r.estimate.intervals[0.9][0]
    assert nopaired.estimate is not None
    assert nopaired.estimate.intervals[0.9][0] < lo_p


def test_recorder_falls_back_to_the_given_paired_function() -> None:
    # no level shared: MOVER cannot, the unpaired normal approximation derives one
    a = Measurement(
        adr="ADR-0001",
        option="m",
        metric="accuracy",
        estimate=Estimate(value=0.9, intervals={0.8: (0.88, 0.92)}),
    )
    b = Measurement(
        adr="ADR-0001",
        option="m",
        metric="accuracy",
        estimate=Estimate(value=0.9, intervals={0.99: (0.85, 0.95)}),
    )
    rec = Recorder(default_paired)
    est = rec(CRIT, a, b, [0.9])
    assert est.method in ("unpaired-normal", "difference")
    assert rec.sides == [(est, a, b)]


def test_test_names() -> None:
    assert named_test(None) == "none"
    assert named_test("paired-newcombe") == "paired Newcombe"
    assert named_test("paired-something-new") == "paired (paired-something-new)"
    assert named_test("recorded") == "recorded"


# --------------------------------------------------------------------------- staleness rules


def test_parse_age() -> None:
    assert parse_age("30d", source="s") == 30 * 86400
    assert parse_age("36h", source="s") == 36 * 3600
    assert parse_age(" 90m ", source="s") == 90 * 60
    assert parse_age("2.5", source="s") == 2.5 * 86400
    for bad in ("0d", "-1d", "soon", "", "3w"):
        with pytest.raises(ValueError, match=r"^s: .* is not an age"):
            parse_age(bad, source="s")


def test_age_rules() -> None:
    now = _dt.datetime(2026, 12, 6, 12, tzinfo=_dt.UTC)
    day = 86400.0
    assert _age_problem("2026-12-05T12:00:00+00:00", now, 2 * day) is None
    assert "days old" in (_age_problem("2026-12-01T12:00:00+00:00", now, 2 * day) or "")
    assert _age_problem("2026-12-05T12:00:00", now, 2 * day) is None  # naive = UTC
    assert "future" in (_age_problem("2026-12-07T12:00:00+00:00", now, 2 * day) or "")
    assert "does not say" in (_age_problem(None, now, day) or "")
    assert "ISO 8601" in (_age_problem("yesterday", now, day) or "")


# --------------------------------------------------------------------------- rows files


def _rows_file(tmp: Path, *, compressed: bool = False, **arrays: np.ndarray) -> dict[str, object]:
    import hashlib
    import io

    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    data = buf.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    folder = rows_folder(tmp / "base.json")
    folder.mkdir(exist_ok=True)
    (folder / f"{digest}.npz").write_bytes(data)
    return {"file": f"{digest}.npz", "sha256": digest, "bytes": len(data)}


def test_rows_files_are_checked_before_use(tmp_path: Path) -> None:
    y = np.array([0.0, 1.0, 1.0, 0.0])
    fp = data_fingerprint(y)
    ok = _rows_file(tmp_path, y_true=y, y_score=np.array([0.1, 0.9, 0.8, 0.3]))
    target = _check_rows(tmp_path / "base.json", ok, fp, "m")  # type: ignore[arg-type]
    assert target is not None
    assert target.name == ok["file"]
    bad = {
        "compressed": _rows_file(
            tmp_path, compressed=True, y_true=y, y_score=np.array([0.2, 0.9, 0.8, 0.3])
        ),
        "not finite": _rows_file(tmp_path, y_true=y, y_score=np.array([np.nan, 0.9, 0.8, 0.3])),
        "lengths": _rows_file(tmp_path, y_true=y, y_score=np.array([0.9, 0.8])),
        "no y_score": _rows_file(tmp_path, y_true=y),
    }
    for why, entry in bad.items():
        with pytest.raises(ReportError, match="rows file") as info:
            _check_rows(tmp_path / "base.json", entry, fp, "m")  # type: ignore[arg-type]
        assert info.value.field == "m", why
    with pytest.raises(ReportError, match="does not hold the rows"):
        _check_rows(tmp_path / "base.json", ok, "0" * 16, "m")  # type: ignore[arg-type]
    with pytest.raises(ReportError, match="size is missing or too large"):
        _check_rows(tmp_path / "base.json", {**ok, "bytes": True}, fp, "m")  # type: ignore[arg-type]
    gone = {**ok, "file": "f" * 64 + ".npz"}
    assert _check_rows(tmp_path / "base.json", gone, fp, "m") is None  # type: ignore[arg-type]


def test_rows_over_the_cap_are_left_out_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pytest_archgate.report.baseline as rb

    src = tmp_path / "scratch.npz"
    np.savez(src, y_true=np.zeros(1000), y_score=np.zeros(1000))
    m = Measurement(
        adr="ADR-0001", option="m", metric="accuracy", estimate=Estimate(0.9), predictions=str(src)
    )
    report = {
        "adrs": [{"id": "ADR-0001", "definition": {"constraints": [CRIT.to_json()]}}],
        "measurements": [{"adr": "ADR-0001", "metric": "accuracy"}],
    }
    assert rb.write_rows(report, [m], tmp_path / "r.json") is None  # type: ignore[arg-type]
    assert report["measurements"][0]["rows"]["bytes"] == src.stat().st_size  # type: ignore[index]
    monkeypatch.setattr(rb, "MAX_ROWS_BYTES", 100)
    report["measurements"] = [{"adr": "ADR-0001", "metric": "accuracy"}]
    note = rb.write_rows(report, [m], tmp_path / "r2.json")  # type: ignore[arg-type]
    assert note is not None
    assert note.startswith("1 evaluation(s) kept no per-row predictions")
    assert "rows" not in report["measurements"][0]  # type: ignore[operator]


def test_judge_adr_and_judge_all_take_the_base_to_every_criterion() -> None:
    from pytest_archgate.verdict.judge import judge_all

    guard = parse_criterion(
        "no_regression_guard",
        {"metric": "accuracy", "vs": "@base", "min": -0.02, "confidence": 0.95},
        kind="constraint",
        options=("m",),
    )
    adr = ADR.replace(constraints=(guard,))
    base = _base(_m(1800), adrs={"ADR-0001": adr})
    res = judge_adr(adr, [_m(1700)], base=base)
    assert [r.verdict for r in res.criteria] == ["fail"]
    assert [r.verdict for r in res.constraints] == ["fail"]
    assert res.verdict == "fail"
    assert res.needs_review
    assert res.criteria[0].base is not None
    assert res.criteria[0].base.base_value == 0.9
    (again,) = judge_all([adr], [_m(1800)], base=base)
    assert again.verdict == "pass"
    assert again.constraints[0].verdict == "pass"
    # the ADR judged is the one compared with the base report's definition
    stale = judge_all([adr], [_m(1800)], base=_base(_m(1800)))[0]
    assert stale.verdict == "unmeasured"
    assert "criteria changed" in (stale.criteria[0].reason or "")


def test_holm_judges_base_criteria_with_the_base() -> None:
    auc = parse_criterion(
        "accuracy", {"min": 0.5, "confidence": 0.95}, kind="acceptance", options=("m",)
    )
    adr = ADR.replace(acceptance=(auc, CRIT), family="holm")
    res = judge_adr(adr, [_m(1800)], base=_base(_m(1800), adrs={"ADR-0001": adr}))
    assert [r.verdict for r in res.criteria] == ["pass", "pass"]
    assert [r.family for r in res.criteria] == ["holm", "holm"]
    base = res.criteria[1].base
    assert base is not None
    assert base.test == named_test("unpaired-mover")
    assert judge_adr(adr, [_m(1800)]).criteria[1].verdict == "unmeasured"
