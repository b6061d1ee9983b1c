"""Pure-Python distribution functions shared by the statistics and the judging code.

The standard-normal and Student-t quantiles, the regularised incomplete beta function and the
Beta quantile, written with :mod:`math` only: scipy is not a dependency, and the judging path
(:mod:`~.replicates`, :mod:`~.estimate`) must not import numpy when
the plugin loads (ADR-0003).
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from statistics import NormalDist


@functools.cache
def _std_normal() -> NormalDist:
    """The standard normal, built on first use: :mod:`statistics` imports ``fractions``,
    ``decimal`` and ``random``, a few milliseconds that every pytest run with ADRs would pay
    at start-up although only a run with measurements computes a quantile."""
    from statistics import NormalDist

    return NormalDist()


def z_value(level: float) -> float:
    """Standard-normal quantile for a two-sided ``level`` (1.959964 for 0.95)."""
    return _std_normal().inv_cdf(0.5 + level / 2.0)


def t_value(level: float, df: float) -> float:
    """Student-t quantile for a two-sided ``level`` with ``df`` degrees of freedom (exact, from
    :func:`t_ppf`; scipy is not a dependency)."""
    return t_ppf(0.5 + level / 2.0, df)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for k in range(1, 100_000):
        m2 = 2 * k
        aa = k * (b - k) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + k) * (qab + k) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _log_beta_kernel(a: float, b: float, x: float) -> float:
    """``log(x^a (1-x)^b / B(a, b))``."""
    return (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )


def _beta_pdf(a: float, b: float, x: float) -> float:
    """Beta(a, b) density at ``x`` (0 outside (0, 1) and where it underflows)."""
    if not 0.0 < x < 1.0:
        return 0.0
    log = (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + (a - 1.0) * math.log(x)
        + (b - 1.0) * math.log1p(-x)
    )
    return math.exp(log) if log < 700.0 else math.inf


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta ``I_x(a, b)`` (the Beta(a, b) CDF at ``x``), pure Python.

    The continued fraction of Press et al. (*Numerical Recipes*, 3rd ed. 2007, section 6.4),
    evaluated where it converges fast and mirrored with ``I_x(a, b) = 1 - I_{1-x}(b, a)``
    elsewhere. Written here because scipy is not a dependency.
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(_log_beta_kernel(a, b, x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """``P(T <= t)`` for Student's t with ``df`` (> 0, possibly fractional) degrees of freedom."""
    if math.isinf(df):
        return _std_normal().cdf(t)
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


@functools.lru_cache(maxsize=4096)
def t_ppf(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (``0 < p < 1``)."""
    if math.isinf(df) or df > 1e7:
        return _std_normal().inv_cdf(p)
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_ppf(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
        if hi > 1e12:
            return hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def beta_quantile(q: float, a: float, b: float) -> float:
    """The ``q`` quantile of Beta(a, b): Newton steps kept inside a shrinking bisection bracket."""
    lo, hi = 0.0, 1.0
    x = a / (a + b)
    for _ in range(200):
        f = betainc(a, b, x) - q
        if f > 0:
            hi = x
        else:
            lo = x
        if hi - lo < 1e-15 * max(x, 1e-300) or f == 0.0:
            break
        dens = _beta_pdf(a, b, x)
        step = x - f / dens if dens > 0 else math.nan
        x = step if lo < step < hi else (lo + hi) / 2.0
    return x
