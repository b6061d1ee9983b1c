"""False-gate rates of a 10-criterion ADR with and without ``family: holm`` (a script).

Why this script exists: issue 11 asks whether ten ``confidence: 0.95`` criteria make the gate
wrong far more often than 5%, and whether Holm's step-down fixes it. Which error grows depends
on what the criteria test (see ``pytest_archgate/verdict/family.py`` and ADR-0011):

* a confidence criterion (``min: L, confidence: 0.95``) passes only when its lower bound clears
  ``L``; it errs by a false *pass* at most 5% of the time, and an ADR of such criteria passes
  only when all pass (an intersection-union test, Berger 1982), so the ADR's false-pass rate
  stays <= 5% without any adjustment;
* a candidate that truly meets every criterion (a no-change candidate: the decision measured
  again) fails when *any* bound misses by chance: its false-fail rate is set by power and grows
  with the number of criteria; Holm raises it further;
* Holm buys simultaneous per-criterion claims: the chance that *any* violated criterion is
  reported as met stays <= 5% (without it, up to 1 - 0.95^j with j violated criteria);
* a regression *alarm* (fail when the evidence says "worse") errs by a false *fail* at 5% per
  criterion, 1 - 0.95^10 = 40% over ten; Holm on the alarms brings that to <= 5%. archgate's
  confidence criteria are not alarms (they ask for evidence of meeting); the row is here to show
  where the issue's reading comes from, computed with :func:`pytest_archgate.verdict.family.holm`.

Every gate row goes through the package's judging (:func:`pytest_archgate.verdict.judge.judge_adr`
on :class:`Measurement` objects), on estimates drawn from a normal model with exact intervals at
every level the judging asks for (so the rates measure the multiplicity, not an interval
method's coverage). Draws are vectorised; criteria are independent (the worst case for
Bonferroni-type procedures; positive dependence brings Holm closer to the unadjusted gate).

Usage::

    python benchmarks/bench_family.py [--quick] [--sims N] [--out benchmarks/results/family.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pytest_archgate.adr.criteria import Criterion  # noqa: E402
from pytest_archgate.adr.model import Adr  # noqa: E402
from pytest_archgate.measure.estimate import Estimate, Measurement, level_key, two_sided_level  # noqa: E402
from pytest_archgate.verdict.family import holm, holm_confidences  # noqa: E402
from pytest_archgate.verdict.judge import judge_adr  # noqa: E402

M = 10
CONFIDENCE = 0.95
Z = NormalDist().inv_cdf(CONFIDENCE)
#: true margins (in standard errors) at which one criterion has power 0.95 / 0.80 at 0.95
MARGIN_95 = 2 * Z
MARGIN_80 = Z + NormalDist().inv_cdf(0.80)
#: the margin at which one criterion has power 0.995: ten then all pass 95% of the time
MARGIN_995 = Z + NormalDist().inv_cdf(0.995)

LEVELS = tuple(
    sorted({two_sided_level(c) for c in (*holm_confidences(CONFIDENCE, M), CONFIDENCE)} | {0.95})
)
HALF_WIDTHS = {level_key(lv): NormalDist().inv_cdf(0.5 + lv / 2) for lv in LEVELS}

CRITERIA = tuple(
    Criterion(name=f"metric_{i}", metric=f"metric_{i}", min=0.0, confidence=CONFIDENCE)
    for i in range(M)
)
ADR = Adr(
    id="ADR-9999",
    title="ten confidence criteria",
    path=Path("adr/9999-ten.md"),
    file="adr/9999-ten.md",
    status="accepted",
    decision="candidate",
    options=("candidate",),
    acceptance=CRITERIA,
)


def _measurements(row: np.ndarray) -> list[Measurement]:
    """One run: the 10 estimates (standard error 1) with exact normal intervals."""
    out = []
    for i, x in enumerate(row.tolist()):
        intervals = {lv: (x - h, x + h) for lv, h in HALF_WIDTHS.items()}
        est = Estimate(value=x, method="normal", n=1000, intervals=intervals)
        out.append(Measurement(ADR.id, "candidate", f"metric_{i}", est))
    return out


def _rate(hits: int, sims: int) -> dict[str, float]:
    p = hits / sims
    return {"rate": p, "mc_se": math.sqrt(max(p * (1 - p), 1e-12) / sims)}


def gate_scenario(
    truth: np.ndarray, sims: int, rng: np.random.Generator, violated: np.ndarray
) -> dict[str, Any]:
    """Judge ``sims`` simulated runs with and without Holm.

    ``truth``: the true value of each criterion's metric (limit 0, standard error 1);
    ``violated``: which criteria are truly violated (truth below the limit, or at it: the least
    favourable point of "violated").
    """
    draws = truth[None, :] + rng.standard_normal((sims, M))
    out: dict[str, Any] = {}
    for family in ("none", "holm"):
        adr_fail = adr_pass = any_violated_shown_met = 0
        for row in draws:
            res = judge_adr(ADR, _measurements(row), family=family)
            verdicts = [r.verdict for r in res.criteria]
            adr_fail += res.verdict == "fail"
            adr_pass += res.verdict == "pass"
            any_violated_shown_met += any(
                v == "pass" for v, bad in zip(verdicts, violated, strict=True) if bad
            )
        out[family] = {
            "adr_fails": _rate(adr_fail, sims),
            "adr_passes": _rate(adr_pass, sims),
            "a_violated_criterion_reported_met": _rate(any_violated_shown_met, sims),
        }
    return out


def alarm_scenario(sims: int, rng: np.random.Generator) -> dict[str, Any]:
    """Ten regression alarms on a no-change candidate: fail when a one-sided p-value of
    H0 "not worse" is below 0.05 (i.e. the upper 95% bound of candidate - baseline < 0)."""
    diffs = rng.standard_normal((sims, M))  # true difference 0, standard error 1
    p = np.array([[NormalDist().cdf(x) for x in row] for row in diffs.tolist()])
    plain = int(np.sum(np.any(p <= 1 - CONFIDENCE, axis=1)))
    adjusted = sum(any(holm(row.tolist(), 1 - CONFIDENCE).rejected) for row in p)
    return {"none": _rate(plain, sims), "holm": _rate(adjusted, sims)}


def run(sims: int, seed: int = 11) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    met_95 = np.full(M, MARGIN_95)
    met_80 = np.full(M, MARGIN_80)
    one_bad = met_95.copy()
    one_bad[0] = 0.0
    five_bad = met_95.copy()
    five_bad[:5] = 0.0
    none_bad = np.zeros(M, dtype=bool)
    t0 = time.perf_counter()
    scenarios = {
        "no_change_power95": {
            "what": "no-change candidate that truly meets all 10 criteria; one criterion alone "
            "passes 95% of the time at conf. 0.95 (true margin 3.29 standard errors)",
            **gate_scenario(met_95, sims, rng, none_bad),
        },
        "no_change_power80": {
            "what": "as above with a margin of 2.49 standard errors (80% power per criterion)",
            **gate_scenario(met_80, sims, rng, none_bad),
        },
        "no_change_power995": {
            "what": "as above with a margin of 4.22 standard errors (99.5% power per "
            "criterion: about 1.65 times the rows of the 95%-power case)",
            **gate_scenario(np.full(M, MARGIN_995), sims, rng, none_bad),
        },
        "one_violated": {
            "what": "one criterion violated (true value at its limit), 9 met with 95% power",
            **gate_scenario(one_bad, sims, rng, one_bad == 0.0),
        },
        "five_violated": {
            "what": "five criteria violated (at their limits), five met with 95% power",
            **gate_scenario(five_bad, sims, rng, five_bad == 0.0),
        },
    }
    judged = time.perf_counter() - t0
    return {
        "sims": sims,
        "criteria": M,
        "confidence": CONFIDENCE,
        "seed": seed,
        "scenarios": scenarios,
        "regression_alarms_no_change": {
            "what": "reading B, not archgate's semantics: 10 regression alarms (fail when the "
            "upper 95% bound of candidate - baseline is below 0) on a no-change candidate",
            **alarm_scenario(sims, rng),
        },
        "expected": {
            "no_change_power95_none": 1 - 0.95**M,
            "no_change_power80_none": 1 - 0.80**M,
            "one_violated_none_adr_passes": 0.05 * 0.95 ** (M - 1),
            "five_violated_none_reported_met": 1 - 0.95**5,
            "alarms_none": 1 - 0.95**M,
        },
        "judging_seconds": judged,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
    }


def _fmt(r: dict[str, float]) -> str:
    return f"{r['rate']:.3f} +/- {r['mc_se']:.3f}"


def print_summary(data: dict[str, Any]) -> None:
    s = data["scenarios"]
    print(f"{data['criteria']} criteria at conf. {data['confidence']}, {data['sims']} runs each")
    for key in ("no_change_power95", "no_change_power80", "no_change_power995"):
        print(
            f"  {key}: ADR fails (false fail) without Holm {_fmt(s[key]['none']['adr_fails'])}, "
            f"with Holm {_fmt(s[key]['holm']['adr_fails'])}"
        )
    key = "one_violated"
    print(
        f"  {key}: ADR passes (false pass) without Holm {_fmt(s[key]['none']['adr_passes'])}, "
        f"with Holm {_fmt(s[key]['holm']['adr_passes'])}; violated criterion reported met "
        f"{_fmt(s[key]['none']['a_violated_criterion_reported_met'])} / "
        f"{_fmt(s[key]['holm']['a_violated_criterion_reported_met'])}"
    )
    key = "five_violated"
    print(
        f"  {key}: any violated criterion reported met without Holm "
        f"{_fmt(s[key]['none']['a_violated_criterion_reported_met'])}, with Holm "
        f"{_fmt(s[key]['holm']['a_violated_criterion_reported_met'])}; ADR passes "
        f"{_fmt(s[key]['none']['adr_passes'])} / {_fmt(s[key]['holm']['adr_passes'])}"
    )
    a = data["regression_alarms_no_change"]
    print(
        f"  regression alarms (not archgate's semantics): any of 10 fires without Holm "
        f"{_fmt(a['none'])}, with Holm {_fmt(a['holm'])}"
    )
    print(f"  judged in {data['judging_seconds']:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="500 runs per scenario")
    parser.add_argument("--sims", type=int, default=None, help="runs per scenario (5000)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/family.json")
    args = parser.parse_args()
    sims = args.sims or (500 if args.quick else 5000)
    data = run(sims)
    print_summary(data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
