"""``cpu_time_percentile`` counts the time the scoring thread runs, not the time it waits.

That is what lets ADR-0002's latency budget pass on a busy machine: a call that is descheduled
for a few milliseconds (simulated here by sleeping) must not count those milliseconds, while a
call that computes must.
"""

from __future__ import annotations

import time

from fraud.cputime import cpu_time_percentile


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_waiting_is_not_counted() -> None:
    est = cpu_time_percentile(lambda _: time.sleep(0.003), [None], calls=40, warmup=2)
    assert est.value < 1.0  # ms: a 3 ms wait uses almost no CPU


def test_computing_is_counted_with_an_interval() -> None:
    est = cpu_time_percentile(lambda _: spin(0.001), [None], calls=200, warmup=5)
    # about 1 ms of CPU per call; a call interrupted mid-spin uses less, which p95 does not see
    assert 0.5 < est.value < 50.0
    interval = est.interval(0.90)
    assert interval is not None
    assert interval[0] <= est.value <= interval[1]
    assert est.n == 200
