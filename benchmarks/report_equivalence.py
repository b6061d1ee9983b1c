"""Check that two JSON reports of the same run differ only where the machine adds noise.

Used to show that a refactoring left the report unchanged on the worked examples (issue 12):

    # the report written by the old code, twice (the second run measures the noise)
    python -m pytest examples/fraud_detection --archgate-report=/tmp/before.json
    python -m pytest examples/fraud_detection --archgate-report=/tmp/before-again.json
    # the report written by the new code
    python -m pytest examples/fraud_detection --archgate-report=/tmp/after.json
    python benchmarks/report_equivalence.py /tmp/before.json /tmp/after.json \
        --noise /tmp/before-again.json

Both reports are normalised as in ``tests/report_golden_project.py`` (time, paths, Python,
commit and environment records replaced). A difference between BEFORE and AFTER is accepted
only when it concerns a measurement or criterion (same ADR, option and metric) that also
differs between BEFORE and the NOISE run of the same code: wall-clock latency, throughput,
memory and what is derived from them (cost per 1,000 predictions) vary from run to run; every
other value, interval, verdict, reason and key must be identical. Exit status 0 when the
reports are equivalent, 1 otherwise (the differences are listed), 2 on unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from report_golden_project import normalise  # the normalisation of the golden test

Path_ = tuple[str | int, ...]


def load(path: str) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return normalise(data, Path(str(data.get("rootdir", "/nonexistent"))))


def differences(a: Any, b: Any, where: Path_ = ()) -> Iterator[Path_]:
    """Every path at which ``a`` and ``b`` differ (a missing key or list item counts)."""
    if type(a) is not type(b):
        yield where
    elif isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                yield (*where, key)
            else:
                yield from differences(a[key], b[key], (*where, key))
    elif isinstance(a, list):
        if len(a) != len(b):
            yield (*where, "#length")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            yield from differences(x, y, (*where, i))
    elif a != b:
        yield where


def subject(report: dict[str, Any], where: Path_) -> str:
    """What a difference is about: one measurement or criterion, else the path itself."""
    if len(where) >= 2 and where[0] == "measurements":
        m = report["measurements"][where[1]]
        return f"measurement {m['adr']} {m.get('option')} {m['metric']}"
    if len(where) >= 4 and where[0] == "adrs" and where[2] in ("criteria", "constraints"):
        adr = report["adrs"][where[1]]
        c = adr[where[2]][where[3]]
        return f"criterion {adr['id']} {c.get('option')} {c['name']}"
    if len(where) >= 5 and where[0] == "adrs" and where[2] == "comparison":
        adr_id = report["adrs"][where[1]]["id"]
        part, option = where[3], where[4]
        if part in ("cells", "normalised") and len(where) >= 6:
            return f"criterion {adr_id} {option} {where[5]}"
        if part == "daily_cost":  # derived from cost_per_1k_usd
            return f"criterion {adr_id} {option} cost_per_1k_usd"
        if part == "scores":  # the weighted score of one option
            return f"score {adr_id} {option}"
    return "/".join(str(p) for p in where)


def _follows_a_flip(report: dict[str, Any], where: Path_, flipped: set[str]) -> bool:
    """A comparison's failure count and recommendation text follow the verdicts, its scores
    the normalised values: they may change when a noisy criterion's verdict flipped (a latency
    close to its bound) or its normalised value moved (memory, latency)."""
    if len(where) < 4 or where[0] != "adrs" or where[2] != "comparison":
        return False
    adr_id = report["adrs"][where[1]]["id"]
    if where[3] == "failures" and len(where) >= 5:
        return any(s.startswith(f"criterion {adr_id} {where[4]} ") for s in flipped)
    if where[3] in ("recommendation", "scores"):
        return any(s.startswith(f"criterion {adr_id} ") for s in flipped)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--noise", help="a second report of the BEFORE code (same run)")
    args = parser.parse_args(argv)
    try:
        before, after = load(args.before), load(args.after)
        noise = load(args.noise) if args.noise else None
    except (OSError, ValueError, KeyError) as exc:
        print(f"report_equivalence: cannot read the reports: {exc}", file=sys.stderr)
        return 2
    noisy = set()
    if noise is not None:
        noisy = {subject(before, w) for w in differences(before, noise)}
    changed: dict[str, list[Path_]] = {}
    diffs = list(differences(before, after))
    flipped = {subject(before, w) for w in diffs if w[-1] == "verdict"} & noisy
    # a weighted score follows the normalised values of every option's criteria
    renormalised = {subject(before, w) for w in diffs if "normalised" in w} & noisy
    for where in diffs:
        about = subject(before, where)
        if about in noisy or _follows_a_flip(before, where, flipped | renormalised):
            continue
        changed.setdefault(about, []).append(where)
    print(
        f"{len(noisy)} measurement(s)/criteria vary between two runs of the same code; "
        f"{len(changed)} other difference(s)"
    )
    for about, paths in sorted(changed.items()):
        shown = ", ".join("/".join(str(p) for p in w) for w in paths[:3])
        print(f"  {about}: {shown}" + (f" (+{len(paths) - 3})" if len(paths) > 3 else ""))
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
