"""Property: for generated criteria and measurements, the exit status of a real pytest run equals
what the verdict rules say.

The rules are written again here, from the documentation (`docs/statistics.md`, "How verdicts
work"), without calling
``pytest_archgate.verdict.judge`` or ``Criterion.judge``:

* without ``confidence`` the point value is judged against the bound(s);
* with ``confidence: c`` a ``min`` is judged on the one-sided lower bound at ``c`` (the low end
  of the two-sided interval at ``2c - 1``; an interval recorded at another level is scaled to
  that level, each side by the ratio of normal quantiles), a ``max`` on the upper bound; a
  point value that already violates a bound fails whatever its interval; one that meets it
  without any interval cannot be judged (``unmeasured``);
* several measurements of one criterion (several tests, several calls): any failure fails it,
  else any that cannot be judged leaves it unmeasured, else it passes; nothing recorded is
  ``unmeasured``, never ``pass``;
* the ADR is accepted with a decision: a failed criterion fails the run (exit 1);
  ``--archgate-strict`` also fails it on an unmeasured criterion; otherwise exit 0.

Each example writes a small project (one accepted ADR, two linked tests) and runs pytest in
process.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

FAST = (
    "-p",
    "no:benchmark",
    "-p",
    "no:pytest_httpserver",
    "-p",
    "no:hypothesispytest",
    "-p",
    "no:cacheprovider",
    "-W",
    "always",
)

GRID = [i / 20 for i in range(10, 21)]  # 0.5, 0.55, ..., 1.0: values land near the bounds
CONFIDENCES = [None, 0.9, 0.95, 0.975]
LEVELS = [0.5, 0.8, 0.9, 0.95, 0.99]
WIDTHS = [0.0, 0.05, 0.1, 0.3]


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str  # "min", "max" or "range"
    low: float | None
    high: float | None
    strict: bool  # only without confidence: ">" / "<"
    confidence: float | None

    def yaml(self) -> str:
        if self.confidence is None and self.kind != "range":
            op = (
                (">" if self.strict else ">=")
                if self.kind == "min"
                else ("<" if self.strict else "<=")
            )
            bound = self.low if self.kind == "min" else self.high
            return f'"{op} {bound!r}"'
        parts = []
        if self.low is not None:
            parts.append(f"min: {self.low!r}")
        if self.high is not None:
            parts.append(f"max: {self.high!r}")
        if self.confidence is not None:
            parts.append(f"confidence: {self.confidence!r}")
        return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True)
class Rec:
    criterion: str
    test: int
    value: float
    ci: tuple[float, float] | None
    level: float

    def call(self) -> str:
        if self.ci is None:
            return f"archgate.record({self.criterion!r}, {self.value!r})"
        return (
            f"archgate.record({self.criterion!r}, {self.value!r}, ci={self.ci!r}, "
            f"level={self.level!r})"
        )


@st.composite
def specs(draw: st.DrawFn, name: str) -> Spec:
    kind = draw(st.sampled_from(["min", "max", "range"]))
    confidence = draw(st.sampled_from(CONFIDENCES))
    a, b = sorted(draw(st.lists(st.sampled_from(GRID), min_size=2, max_size=2)))
    low = a if kind in ("min", "range") else None
    high = (b if kind == "range" else a) if kind in ("max", "range") else None
    strict = kind != "range" and confidence is None and draw(st.booleans())
    return Spec(name, kind, low, high, strict, confidence)


@st.composite
def recs(draw: st.DrawFn, name: str) -> list[Rec]:
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        value = draw(st.sampled_from(GRID))
        ci = None
        if draw(st.booleans()):
            ci = (value - draw(st.sampled_from(WIDTHS)), value + draw(st.sampled_from(WIDTHS)))
        level = draw(st.sampled_from(LEVELS))
        out.append(Rec(name, draw(st.integers(min_value=0, max_value=1)), value, ci, level))
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Spec], list[Rec], bool]:
    names = [f"c{i}" for i in range(draw(st.integers(min_value=1, max_value=3)))]
    criteria = [draw(specs(n)) for n in names]
    measured = [r for n in names for r in draw(recs(n))]
    order = draw(st.permutations(range(len(measured)))) if measured else []
    return criteria, [measured[i] for i in order], draw(st.booleans())


# ---------------------------------------------------------------------------------------------
# the rules, independently


def _clears(spec: Spec, side: str, x: float) -> bool:
    ops: dict[tuple[str, bool], Callable[[float, float], bool]] = {
        ("min", False): operator.ge,
        ("min", True): operator.gt,
        ("max", False): operator.le,
        ("max", True): operator.lt,
    }
    limit = spec.low if side == "min" else spec.high
    assert limit is not None
    return ops[(side, spec.strict)](x, limit)


def rule_for_one(spec: Spec, rec: Rec) -> str:
    sides = [s for s, limit in (("min", spec.low), ("max", spec.high)) if limit is not None]
    missing = False
    for side in sides:
        if not _clears(spec, side, rec.value):
            return "fail"  # a point value that violates the bound fails, interval or not
        if spec.confidence is None:
            continue
        needed = round(2 * spec.confidence - 1, 6)
        if rec.ci is None:
            missing = True
            continue
        recorded = round(rec.level, 6)
        end = rec.ci[0] if side == "min" else rec.ci[1]
        if recorded == needed:
            bound = end
        else:  # the documentation: derived under a normal approximation, each side on its own
            z = NormalDist().inv_cdf
            ratio = z(0.5 + needed / 2.0) / z(0.5 + recorded / 2.0)
            bound = (
                rec.value - (rec.value - end) * ratio
                if side == "min"
                else rec.value + (end - rec.value) * ratio
            )
        if not _clears(spec, side, bound):
            return "fail"
    return "unmeasured" if missing else "pass"


def rule(spec: Spec, records: list[Rec]) -> str:
    verdicts = {rule_for_one(spec, r) for r in records if r.criterion == spec.name}
    if not verdicts or ("unmeasured" in verdicts and "fail" not in verdicts):
        return "unmeasured"
    return "fail" if "fail" in verdicts else "pass"


def expected_exit(criteria: list[Spec], records: list[Rec], strict: bool) -> int:
    verdicts = [rule(c, records) for c in criteria]
    if "fail" in verdicts:
        return 1
    if strict and "unmeasured" in verdicts:
        return 1
    return 0


# ---------------------------------------------------------------------------------------------
# the real run


def write_project(path: Path, criteria: list[Spec], records: list[Rec], n: int) -> str:
    adr = path / "adr"
    adr.mkdir(exist_ok=True)
    lines = "".join(f"    {c.name}: {c.yaml()}\n" for c in criteria)
    (adr / "0007-gate.md").write_text(
        "---\nstatus: accepted\narchgate:\n  decision: a\n  options: [a]\n  acceptance:\n"
        f"{lines}---\n# Gate\n",
        encoding="utf-8",
    )
    for old in path.glob("test_gen_*.py"):
        old.unlink()
    source = ["import pytest\n"]
    for t in (0, 1):
        body = [r.call() for r in records if r.test == t] or ["pass"]
        source.append(
            f'\n\n@pytest.mark.archgate("ADR-0007")\ndef test_{t}(archgate):\n'
            + "".join(f"    {b}\n" for b in body)
        )
    # a new module name per example: no stale bytecode from an earlier example
    name = f"test_gen_{n}.py"
    (path / name).write_text("".join(source), encoding="utf-8")
    return name


_counter = itertools.count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
# the cases that "worst point value decides" got wrong, always tried
@example(
    scenario=(
        [Spec("c0", "min", 0.9, None, False, 0.95)],
        [Rec("c0", 0, 0.95, (0.85, 1.0), 0.9), Rec("c0", 0, 0.9, (0.9, 0.95), 0.9)],
        False,
    )
)
@example(
    scenario=(
        [Spec("c0", "max", None, 0.6, False, 0.975)],
        [Rec("c0", 0, 0.5, (0.5, 0.8), 0.95), Rec("c0", 1, 0.55, (0.5, 0.6), 0.99)],
        False,
    )
)
@example(
    scenario=([Spec("c0", "min", 0.9, None, False, 0.95)], [Rec("c0", 1, 0.5, None, 0.95)], False)
)
@example(
    scenario=([Spec("c0", "min", 0.9, None, False, 0.95)], [Rec("c0", 0, 1.0, None, 0.95)], True)
)
def test_exit_status_follows_the_verdict_rules(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    scenario: tuple[list[Spec], list[Rec], bool],
) -> None:
    criteria, records, strict = scenario
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("ARCHGATE_STRICT", raising=False)
    pytester.makeini("[pytest]\n")
    name = write_project(pytester.path, criteria, records, next(_counter))
    args = [*FAST, name] + (["--archgate-strict"] if strict else [])
    result = pytester.runpytest(*args)
    want = expected_exit(criteria, records, strict)
    table = {c.name: rule(c, records) for c in criteria}
    assert int(result.ret) == want, (table, result.stdout.str())
    assert "Traceback" not in result.stdout.str()


def test_the_rules_here_catch_the_old_worst_by_point_value() -> None:
    """The independent rules disagree with "worst point value decides" where it matters."""
    spec = Spec("c0", "min", 0.9, None, False, 0.95)
    wide = Rec("c0", 0, 0.95, (0.85, 0.99), 0.9)
    tight = Rec("c0", 1, 0.92, (0.91, 0.93), 0.9)
    assert rule(spec, [wide, tight]) == "fail"
    assert rule(spec, [tight]) == "pass"
    assert rule(spec, [Rec("c0", 0, 0.5, None, 0.95)]) == "fail"
    assert rule(spec, [Rec("c0", 0, 0.99, None, 0.95)]) == "unmeasured"
    assert rule(spec, []) == "unmeasured"
