"""Intervals in hard regimes (rare events, small n, AUC near 1, ties) and refusals.

Each method is pinned against published reference values where they exist, and each metric
gets a small coverage check at a regime where the method it replaced under-covered, so a
regression back to an optimistic interval is caught. The full grid (>= 1,000 simulations per
regime) is ``benchmarks/coverage_dev_regimes.py``; these checks use a few hundred and a loose
tolerance.
"""

from __future__ import annotations

import json
import math
from statistics import NormalDist

import numpy as np
import pytest

from pytest_archgate.adr.criteria import Criterion
from pytest_archgate.measure import metrics, stats
from pytest_archgate.measure.distributions import t_value
from pytest_archgate.measure.estimate import Estimate

N_SIM = 300
#: One-sided 95% bounds must cover at least this often in N_SIM simulations (3 SE below 0.95).
LOOSE = 0.91

# --------------------------------------------------------------------------------------------
# refusal contract


REFUSED_ADR = """---
status: accepted
archgate:
  decision: gbt
  options: [gbt]
  acceptance:
    roc_auc: {min: 0.9, confidence: 0.95}
---
# Use gbt
"""

REFUSED_TESTS = """
import numpy as np
import pytest

y = np.r_[np.ones(3), np.zeros(197)]
s = np.r_[np.full(3, {top}), np.linspace(0.0, 0.5, 197)]


@pytest.mark.archgate("ADR-0001")
def test_gbt(archgate):
    archgate.evaluate(y, s, ["roc_auc"])
"""


def _criterion(report: dict[str, object]) -> dict[str, object]:
    adrs = report["adrs"]
    assert isinstance(adrs, list)
    crit = adrs[0]["criteria"][0]
    assert isinstance(crit, dict)
    return crit


def test_too_few_positives_is_unmeasured_with_the_reason(pytester: pytest.Pytester) -> None:
    """A perfectly separated sample of 3 positives must never pass ``min: 0.9`` at 95%."""
    pytester.makefile(".md", **{"adr/0001-gbt": REFUSED_ADR})
    pytester.makepyfile(test_models=REFUSED_TESTS.format(top=0.99))
    result = pytester.runpytest_subprocess("--archgate-report=r.json", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["ADR-0001*accepted*unmeasured*roc_auc*"])
    report = json.loads((pytester.path / "r.json").read_text())
    crit = _criterion(report)
    assert crit["verdict"] == "unmeasured"
    assert crit["reason"] == (
        "3 positives: too few to judge roc_auc with a confidence bound (needs >= 5)"
    )
    details = crit["estimate"]["details"]  # type: ignore[index]
    assert details["min_info"] == {"positives": 3, "negatives": 197}
    assert crit["estimate"]["intervals"] == {}  # type: ignore[index]
    assert report["adrs"][0]["verdict"] == "unmeasured"  # type: ignore[index]
    # strict runs fail on an unmeasured criterion of an accepted ADR
    strict = pytester.runpytest_subprocess("--archgate-strict", "-p", "no:randomly")
    assert strict.ret != 0
    strict.stdout.fnmatch_lines(["*unmeasured*3 positives: too few to judge roc_auc*"])


def test_too_few_positives_with_a_bad_point_value_still_fails(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", **{"adr/0001-gbt": REFUSED_ADR})
    pytester.makepyfile(test_models=REFUSED_TESTS.format(top=0.2))
    result = pytester.runpytest_subprocess("--archgate-report=r.json", "-p", "no:randomly")
    assert result.ret == 1
    crit = _criterion(json.loads((pytester.path / "r.json").read_text()))
    assert crit["verdict"] == "fail"


def test_judge_refused_estimate() -> None:
    est = Estimate(
        value=0.97,
        method="m",
        n=100,
        details={"refused": "4 positives: too few", "min_info": {"positives": 4}},
    )
    with_conf = Criterion(name="auc", metric="auc", min=0.9, confidence=0.95)
    assert with_conf.judge(est) == ("unmeasured", "4 positives: too few")
    # a point value that already violates the bound fails, refused or not
    assert Criterion(name="auc", metric="auc", min=0.98, confidence=0.95).judge(est)[0] == "fail"
    # without confidence the point value is judged as always
    assert Criterion(name="auc", metric="auc", min=0.9).judge(est) == ("pass", None)


@pytest.mark.parametrize(
    ("metric", "n", "positives", "needs"),
    [
        ("roc_auc", 400, 4, 5),
        ("log_loss", 400, 4, 5),
        ("brier", 60, 30, 100),
        ("average_precision", 400, 4, 5),
    ],
)
def test_refusal_messages_name_the_count_and_the_minimum(
    metric: str, n: int, positives: int, needs: int
) -> None:
    rng = np.random.default_rng(0)
    y = np.zeros(n)
    y[:positives] = 1.0
    p = np.clip(rng.random(n) * 0.5 + 0.4 * y, 0.01, 0.99)
    est = metrics.evaluate(y, p, [metric])[metric]
    assert est.intervals == {}
    assert est.ci is None
    reason = est.details["refused"]
    what = "rows" if metric == "brier" else "positives"
    count = n if metric == "brier" else positives
    assert reason == f"{count} {what}: too few to judge {metric} with a confidence bound " + (
        f"(needs >= {needs})"
    )
    assert est.details["min_info"]["positives"] == positives
    assert est.value == pytest.approx(metrics.get_metric(metric).fn(y, p))
    json.dumps(est.to_json(), allow_nan=False)  # travels in the report


AP_ADR = REFUSED_ADR.replace("roc_auc: {min: 0.9,", "average_precision: {min: 0.5,")
AP_TESTS = REFUSED_TESTS.replace("np.ones(3), np.zeros(197)", "np.ones(4), np.zeros(196)")
AP_TESTS = AP_TESTS.replace("np.full(3,", "np.full(4,").replace(
    "linspace(0.0, 0.5, 197)", "linspace(0.0, 0.5, 196)"
)
AP_TESTS = AP_TESTS.replace('["roc_auc"]', '["average_precision"]')


def test_average_precision_with_four_positives_is_unmeasured(pytester: pytest.Pytester) -> None:
    """4 positives ranked on top (AP 1): ``min: 0.5`` at 95% is not judged, with the reason."""
    pytester.makefile(".md", **{"adr/0001-gbt": AP_ADR})
    pytester.makepyfile(test_models=AP_TESTS.format(top=0.99))
    result = pytester.runpytest_subprocess("--archgate-report=r.json", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["ADR-0001*accepted*unmeasured*average_precision*"])
    crit = _criterion(json.loads((pytester.path / "r.json").read_text()))
    assert crit["verdict"] == "unmeasured"
    assert crit["reason"] == (
        "4 positives: too few to judge average_precision with a confidence bound (needs >= 5)"
    )
    est = crit["estimate"]
    assert est["value"] == 1.0  # type: ignore[index]
    assert est["intervals"] == {}  # type: ignore[index]
    assert est["details"]["min_info"] == {"positives": 4, "negatives": 196}  # type: ignore[index]


def test_paired_auc_refuses_below_its_minimum() -> None:
    rng = np.random.default_rng(1)
    y = np.r_[np.ones(9, dtype=bool), np.zeros(300, dtype=bool)]
    a = rng.normal(size=309) + y
    est = stats.roc_auc_diff_ci(y, a, a + rng.normal(size=309))
    assert est.intervals == {}
    assert est.details["refused"].startswith("9 positives: too few to judge roc_auc")
    assert est.details["min_info"] == {"positives": 9, "negatives": 300}


# --------------------------------------------------------------------------------------------
# reference values


def test_hanley_mcneil_variance_matches_the_1982_formula() -> None:
    """With m = n, Newcombe's N* form equals Hanley & McNeil's (1982) Q1/Q2 variance."""
    theta, m, n = 0.9, 50, 50
    q1, q2 = theta / (2 - theta), 2 * theta**2 / (1 + theta)
    hm = (theta * (1 - theta) + (m - 1) * (q1 - theta**2) + (n - 1) * (q2 - theta**2)) / (m * n)
    assert float(stats.hanley_mcneil_variance(theta, m, n)) == pytest.approx(hm, rel=1e-12)
    assert math.sqrt(hm) == pytest.approx(0.03212, abs=5e-5)


@pytest.mark.parametrize(("auc", "m", "n"), [(1.0, 10, 10), (0.9, 5, 495), (0.6, 50, 50)])
def test_score_interval_solves_its_defining_inequality(auc: float, m: int, n: int) -> None:
    """Newcombe (2006) method 5 against a dense independent scan of the same inequality."""
    z = NormalDist().inv_cdf(0.975)
    grid = np.linspace(0.0, 1.0, 1_000_001)
    inside = (auc - grid) ** 2 <= z * z * stats.hanley_mcneil_variance(grid, m, n)
    lo, hi = stats.auc_score_interval(auc, m, n, 0.95)
    assert lo == pytest.approx(grid[inside][0], abs=2e-6)
    assert hi == pytest.approx(grid[inside][-1], abs=2e-6)
    if auc == 1.0:
        assert hi == 1.0
        assert lo < 0.9  # never (1, 1)


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    # Newcombe (1998, "Two-sided confidence intervals for the single proportion: comparison
    # of seven methods", Stat. Med. 17:857), table I, method 5 (Clopper-Pearson), 4 decimals
    [
        (81, 263, 0.2527, 0.3676),
        (15, 148, 0.0579, 0.1617),
        (0, 20, 0.0, 0.1684),
        (1, 29, 0.0009, 0.1776),
    ],
)
def test_clopper_pearson_published_values(k: int, n: int, lo: float, hi: float) -> None:
    got = stats.clopper_pearson_interval(k, n, 0.95)
    assert got == pytest.approx((lo, hi), abs=1e-4)


def test_clopper_pearson_closed_forms_and_large_counts() -> None:
    for n in (1, 7, 1000, 10**6):
        assert stats.clopper_pearson_interval(0, n, 0.9)[1] == pytest.approx(1 - 0.05 ** (1 / n))
        assert stats.clopper_pearson_interval(n, n, 0.9)[0] == pytest.approx(0.05 ** (1 / n))
    lo, hi = stats.clopper_pearson_interval(400_000, 1_000_000, 0.95)
    w_lo, w_hi = stats.wilson_interval(400_000, 1_000_000, 0.95)
    assert lo == pytest.approx(w_lo, abs=2e-6)
    assert hi == pytest.approx(w_hi, abs=2e-6)


def test_clopper_pearson_matches_scipy_when_available() -> None:
    beta = pytest.importorskip("scipy.stats").beta
    for k, n in [(3, 17), (0, 5), (250, 251), (12345, 67890)]:
        for lv in (0.6, 0.9, 0.99):
            a = (1 - lv) / 2
            ref_lo = 0.0 if k == 0 else beta.ppf(a, k, n - k + 1)
            ref_hi = 1.0 if k == n else beta.ppf(1 - a, k + 1, n - k)
            lo, hi = stats.clopper_pearson_interval(k, n, lv)
            assert lo == pytest.approx(ref_lo, rel=1e-8, abs=1e-12)
            assert hi == pytest.approx(ref_hi, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize(
    ("level", "df", "ref"), [(0.95, 10, 2.228), (0.9, 5, 2.015), (0.95, 29, 2.045)]
)
def test_t_quantile_published_values(level: float, df: int, ref: float) -> None:
    assert t_value(level, df) == pytest.approx(ref, abs=1e-3)


def test_f1_point_value_matches_scikit_learn() -> None:
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(2)
    y = rng.random(300) < 0.05
    pred = np.where(y, rng.random(300) < 0.7, rng.random(300) < 0.03)
    est = stats.count_metric_ci("f1", y, pred)
    assert est.value == pytest.approx(skm.f1_score(y, pred), abs=1e-12)
    assert est.details["trials"] == est.details["tp"] + est.details["fp"] + est.details["fn"]


def test_hall_interval_without_skew_is_the_t_interval() -> None:
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0] * 10)
    lo, hi = stats.hall_mean_interval(x, 0.95)
    half = t_value(0.95, 49) * float(np.std(x, ddof=1)) / math.sqrt(50)
    assert (lo, hi) == pytest.approx((-half, half))
    # right skew pushes the upper limit out more than the lower one
    y = np.r_[np.zeros(190), np.full(10, 5.0)]
    lo, hi = stats.hall_mean_interval(y, 0.95)
    assert hi - y.mean() > y.mean() - lo


# --------------------------------------------------------------------------------------------
# fast coverage checks at hard regimes


def _auc_draw(
    rng: np.random.Generator, m: int, k: int, auc: float
) -> tuple[np.ndarray, np.ndarray]:
    d = math.sqrt(2) * NormalDist().inv_cdf(auc)
    y = np.r_[np.ones(m, dtype=bool), np.zeros(k, dtype=bool)]
    return y, rng.normal(size=m + k) + d * y


def test_coverage_auc_rare_positives_near_one() -> None:
    """10 positives in 1,000 rows, AUC 0.9: DeLong-Wald's lower bound covered 0.81."""
    rng = np.random.default_rng(200)
    low = high = 0
    for _ in range(N_SIM):
        y, s = _auc_draw(rng, 10, 990, 0.9)
        lo, hi = stats.roc_auc_ci(y, s, (0.9,)).intervals[0.9]
        low += lo <= 0.9
        high += hi >= 0.9
    assert low / N_SIM >= LOOSE
    assert high / N_SIM >= LOOSE


def test_coverage_paired_auc_near_one() -> None:
    """AUC 0.99 vs 0.97, 20 positives: the paired Wald upper bound covered 0.80."""
    rng = np.random.default_rng(201)
    nd = NormalDist()
    da, db = math.sqrt(2) * nd.inv_cdf(0.99), math.sqrt(2) * nd.inv_cdf(0.97)
    y = np.r_[np.ones(20, dtype=bool), np.zeros(480, dtype=bool)]
    low = high = 0
    for _ in range(N_SIM):
        shared = rng.normal(size=500)
        a = math.sqrt(0.5) * (shared + rng.normal(size=500)) + da * y
        b = math.sqrt(0.5) * (shared + rng.normal(size=500)) + db * y
        lo, hi = stats.roc_auc_diff_ci(y, a, b, (0.9,)).intervals[0.9]
        low += lo <= 0.02
        high += hi >= 0.02
    assert low / N_SIM >= LOOSE
    assert high / N_SIM >= LOOSE


def test_ap_logit_and_binomial_intervals_hand_worked() -> None:
    """Boyd, Eng & Page (2013) at AP 0.8, 25 positives, 95%: logit(0.8) = ln 4 and its standard
    error is 1 / sqrt(25 * 0.8 * 0.2) = 0.5, so the interval is logistic(ln 4 -+ 0.979982) =
    (0.600203, 0.914219); the binomial one is 0.8 -+ 1.959964 * 0.08 = (0.643203, 0.956797)."""
    lo, hi = stats.ap_logit_interval(0.8, 25, 0.95)
    assert lo == pytest.approx(0.6002033, abs=1e-6)
    assert hi == pytest.approx(0.9142193, abs=1e-6)
    assert stats.ap_binomial_interval(0.8, 25, 0.95) == pytest.approx(
        (0.6432029, 0.9567971), abs=1e-6
    )
    # both stay in [0, 1]; the logit interval is the point at AP 0 or 1
    assert stats.ap_logit_interval(1.0, 25, 0.95) == (1.0, 1.0)
    assert stats.ap_binomial_interval(0.99, 5, 0.99) == pytest.approx((0.8753, 1.0), abs=1e-4)


def test_average_precision_interval_is_the_union_in_unit_range() -> None:
    rng = np.random.default_rng(203)
    y = np.r_[np.ones(30, dtype=bool), np.zeros(270, dtype=bool)]
    s = rng.normal(size=300) + 3.0 * y
    est = stats.average_precision_ci(y, s, (0.9, 0.95, 0.99), n_boot=200)
    boot = stats.rank_metric_ci("average_precision", y, s, (0.9, 0.95, 0.99), n_boot=200)
    assert est.value == boot.value
    assert est.method == "bootstrap-logit-binomial"
    shift = stats.AP_BIAS_FACTOR * max(0.0, boot.details["bootstrap_bias"])
    for lv, (lo, hi) in est.intervals.items():
        llo, lhi = stats.ap_logit_interval(est.value, 30, lv)
        nlo, nhi = stats.ap_binomial_interval(est.value, 30, lv)
        blo, bhi = boot.intervals[lv]
        assert lo == max(0.0, min(blo, llo, nlo) - shift)
        assert hi == min(1.0, max(bhi, lhi, nhi))
        assert 0.0 <= lo <= est.value <= hi <= 1.0
    assert est.intervals[0.9][0] >= est.intervals[0.99][0]


def _ap_truth(prevalence: float, d: float) -> float:
    """Population AP of binormal scores: the integral of precision(t) over the positives'
    score density."""
    t = np.linspace(-8.0, 6.0 + d, 20_001)
    nd = NormalDist()
    tpr = np.array([1.0 - nd.cdf(x - d) for x in t])
    fpr = np.array([1.0 - nd.cdf(x) for x in t])
    prec = prevalence * tpr / (prevalence * tpr + (1.0 - prevalence) * fpr)
    dens = np.exp(-0.5 * (t - d) ** 2) / math.sqrt(2.0 * math.pi)
    return float(np.sum(prec * dens) * (t[1] - t[0]))


def test_coverage_average_precision_fifty_positives() -> None:
    """500 rows at 10% prevalence, AUC 0.8 (about 50 positives): the percentile bootstrap's
    lower bound covered 0.87."""
    rng = np.random.default_rng(204)
    d = math.sqrt(2) * NormalDist().inv_cdf(0.8)
    truth = _ap_truth(0.1, d)
    assert truth == pytest.approx(0.3592, abs=1e-3)  # benchmarks/results/coverage.json
    low = high = 0
    for _ in range(N_SIM):
        y = rng.random(500) < 0.1
        s = rng.normal(size=500) + d * y
        lo, hi = stats.average_precision_ci(y, s, (0.9,), n_boot=400).intervals[0.9]
        low += lo <= truth
        high += hi >= truth
    assert low / N_SIM >= LOOSE
    assert high / N_SIM >= LOOSE


def _binom_pmf(n: int, p: float) -> np.ndarray:
    k = np.arange(n + 1)
    log = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k])
    with np.errstate(divide="ignore"):
        log = log + k * math.log(p) + (n - k) * math.log1p(-p)
    return np.exp(log)


def test_exact_coverage_of_precision_recall_bounds() -> None:
    """Exact one-sided coverage over p for 20 trials (no simulation): Clopper-Pearson never
    drops below 95%; Wilson's lower bound dips to about 0.84 where n p < 1."""
    n = 20
    limits = [stats.clopper_pearson_interval(k, n, 0.9) for k in range(n + 1)]
    wilson = [stats.wilson_interval(k, n, 0.9) for k in range(n + 1)]
    worst_cp, worst_wilson = 1.0, 1.0
    for p in np.linspace(0.001, 0.999, 400):
        pmf = _binom_pmf(n, float(p))
        cover_lo = sum(w for w, (lo, _) in zip(pmf, limits, strict=True) if lo <= p)
        cover_hi = sum(w for w, (_, hi) in zip(pmf, limits, strict=True) if hi >= p)
        worst_cp = min(worst_cp, cover_lo, cover_hi)
        worst_wilson = min(
            worst_wilson, sum(w for w, (lo, _) in zip(pmf, wilson, strict=True) if lo <= p)
        )
    assert worst_cp >= 0.95 - 1e-9
    assert worst_wilson < 0.9


def test_coverage_f1_five_positives() -> None:
    """About 5 positives in 500 rows, recall 0.9, precision 0.9: the bootstrap covered 0.89."""
    rng = np.random.default_rng(202)
    tp, fp, fn = 4.5, 0.5, 0.5
    p = np.array([tp, fp, fn, 500 - tp - fp - fn]) / 500
    truth = 2 * tp / (2 * tp + fp + fn)
    low = high = done = 0
    for _ in range(N_SIM):
        c = rng.multinomial(500, p)
        if c[0] + c[1] + c[2] == 0:
            continue
        y = np.r_[np.ones(c[0] + c[2], dtype=bool), np.zeros(c[1] + c[3], dtype=bool)]
        pred = np.r_[np.ones(c[0]), np.zeros(c[2]), np.ones(c[1]), np.zeros(c[3])].astype(bool)
        lo, hi = stats.count_metric_ci("f1", y, pred, (0.9,)).intervals[0.9]
        low += lo <= truth
        high += hi >= truth
        done += 1
    assert low / done >= LOOSE
    assert high / done >= LOOSE


def test_coverage_log_loss_upper_bound_with_skewed_losses() -> None:
    """10% base rate, 100 rows, confident logit-normal probabilities (logit SD 2.5): the CLT
    upper bound covered 0.89 (a few large losses make the mean right-skewed); Hall's 0.94."""
    rng = np.random.default_rng(203)
    base = math.log(0.1 / 0.9)

    def draw(k: int) -> tuple[np.ndarray, np.ndarray]:
        p = 1 / (1 + np.exp(-(base + 2.5 * rng.normal(size=k))))
        return rng.random(k) < p, p

    y_big, p_big = draw(4_000_000)
    truth = float(stats.log_loss_rows(y_big, p_big).mean())
    high = done = 0
    for _ in range(N_SIM):
        y, p = draw(100)
        est = stats.loss_mean_ci(stats.log_loss_rows(y, p), y, (0.9,), name="log_loss")
        if not est.intervals:  # fewer than 5 of a class
            continue
        high += est.intervals[0.9][1] >= truth
        done += 1
    assert done > N_SIM * 0.9
    assert high / done >= LOOSE
