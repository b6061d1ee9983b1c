"""Cost as a first-class criterion: prices in the ADR turn measurements into ``cost_per_1k_usd``.

Teams choose a cheaper model all the time, but the cost argument usually lives in a spreadsheet
that nobody re-runs when latency changes. Here the prices sit in the ADR next to the criteria
(``archgate.cost``), and the same measured throughput or token counts that feed the other
criteria become a cost per 1,000 predictions that can be gated (``cost_per_1k_usd: "<= 0.05"``)
and compared across options. The schema::

    archgate:
      cost:
        usd_per_hour: 2.5                  # hardware price of one serving instance (all options)
        volume_per_day: 1_000_000          # stated traffic, for the daily cost in comparisons
        options:                           # per-option overrides
          xgboost: {usd_per_hour: 0.8}     # a CPU instance
          torch_mlp: {usd_per_hour: 2.5}   # a GPU instance
          llm: {model: gpt-x}              # priced per token, see prices
        prices:                            # API prices per 1,000 tokens
          gpt-x: {input_per_1k_tokens: 0.0005, output_per_1k_tokens: 0.0015}

Formulas (all in US dollars):

* from throughput: ``cost_per_1k = usd_per_hour / 3600 / throughput_per_s * 1000``. This
  assumes the instance is **fully used**: it serves requests back to back at the measured
  throughput for every hour it is paid for. Idle capacity, autoscaling headroom and replicas
  for availability all make the real cost higher; the number is a lower bound per instance.
* from tokens: ``cost_per_1k = (input_tokens * input_per_1k_tokens + output_tokens *
  output_per_1k_tokens) / 1000 / queries * 1000``, with token counts summed over ``queries``.
* daily: ``daily_cost = cost_per_1k * volume_per_day / 1000``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_archgate.errors import AdrError, MeasurementError
from pytest_archgate.measure.estimate import Estimate, level_key

if TYPE_CHECKING:
    from pytest_archgate.adr.model import Adr

COST_METRIC = "cost_per_1k_usd"
COST_KEYS = ("usd_per_hour", "volume_per_day", "options", "prices")
OPTION_KEYS = ("usd_per_hour", "model")
PRICE_KEYS = ("input_per_1k_tokens", "output_per_1k_tokens")
FULL_USE_NOTE = "assumes the instance is fully used at the measured throughput"

LineOf = Callable[[str], int | None]


def _no_line(_field: str) -> int | None:
    return None


@dataclass(frozen=True)
class TokenPrice:
    """API price of one model, in USD per 1,000 tokens (None where the ADR gave none)."""

    model: str
    input_per_1k_tokens: float | None = None
    output_per_1k_tokens: float | None = None


@dataclass(frozen=True)
class OptionCost:
    """Per-option prices: an hourly instance price and/or the priced API model it calls."""

    usd_per_hour: float | None = None
    model: str | None = None


@dataclass(frozen=True)
class CostModel:
    """The validated ``archgate.cost`` block of one ADR."""

    usd_per_hour: float | None = None
    volume_per_day: float | None = None
    options: Mapping[str, OptionCost] = field(default_factory=dict)
    prices: Mapping[str, TokenPrice] = field(default_factory=dict)
    file: str | None = None
    line_of: LineOf = field(default=_no_line, compare=False, repr=False)

    @property
    def empty(self) -> bool:
        return (
            self.usd_per_hour is None
            and self.volume_per_day is None
            and not self.options
            and not self.prices
        )

    def for_option(self, option: str | None) -> float | None:
        """The hourly instance price of ``option`` (its own, else the ADR-wide one, else None)."""
        if option is not None:
            own = self.options.get(option)
            if own is not None and own.usd_per_hour is not None:
                return own.usd_per_hour
        return self.usd_per_hour

    def token_price(self, option: str | None) -> TokenPrice:
        """The token price of the model ``option`` calls; :class:`AdrError` when none is set."""
        own = self.options.get(option) if option is not None else None
        where = f"archgate.cost.options.{option}.model" if option else "archgate.cost.options"
        if own is None or own.model is None:
            raise AdrError(
                f"no API model priced for option {option!r}: set "
                f"archgate.cost.options.{option or 'OPTION'}.model to a model listed under "
                "archgate.cost.prices",
                file=self.file,
                line=self.line_of(where) or self.line_of("archgate.cost"),
                field=where,
            )
        price = self.prices.get(own.model)
        if price is None:  # parse_cost rejects this; a hand-built model may still do it
            raise AdrError(
                f"model {own.model!r} has no entry under archgate.cost.prices",
                file=self.file,
                line=self.line_of(where),
                field=where,
            )
        return price

    def daily(self, cost_per_1k: float) -> float | None:
        """Daily cost at the stated ``volume_per_day`` (None when the ADR states none)."""
        if self.volume_per_day is None:
            return None
        return daily_cost(cost_per_1k, self.volume_per_day)


# --------------------------------------------------------------------------------------------
# parsing


def _number(
    raw: Any, *, field: str, file: str | None, line_of: LineOf, positive: bool = False
) -> float:
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw) if not isinstance(raw, int) or abs(raw) < 2**1023 else math.inf
    elif isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            value = None
    if value is None or not math.isfinite(value):
        raise AdrError(
            f"expected a finite number, got {raw!r}", file=file, line=line_of(field), field=field
        )
    if value < 0 or (positive and value == 0):
        need = "greater than 0" if positive else "0 or more"
        raise AdrError(f"must be {need}, got {raw!r}", file=file, line=line_of(field), field=field)
    return value


def _mapping(
    raw: Any, *, field: str, file: str | None, line_of: LineOf, what: str
) -> Mapping[Any, Any]:
    if not isinstance(raw, Mapping):
        raise AdrError(
            f"expected a mapping ({what}), got {type(raw).__name__} {raw!r}",
            file=file,
            line=line_of(field),
            field=field,
        )
    return raw


def _check_keys(
    raw: Mapping[Any, Any],
    allowed: tuple[str, ...],
    *,
    field: str,
    file: str | None,
    line_of: LineOf,
) -> None:
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        bad = f"{field}.{unknown[0]}"
        raise AdrError(
            f"unknown key {unknown[0]!r}; allowed: {', '.join(allowed)}",
            file=file,
            line=line_of(bad) or line_of(field),
            field=bad,
        )


def parse_cost(
    mapping: Mapping[str, Any] | None,
    *,
    file: str | None = None,
    line_of: LineOf | None = None,
    options: Sequence[str] = (),
) -> CostModel:
    """Validate an ``archgate.cost`` mapping; :class:`AdrError` names the file, line and field.

    ``line_of`` maps a dotted field (``archgate.cost.prices.gpt-x``) to its line in the ADR
    (e.g. ``adr.key_lines.get``); ``options`` are the ADR's options, to reject typos in
    ``cost.options``.
    """
    lines: LineOf = line_of or _no_line
    base = "archgate.cost"
    if mapping is None:
        return CostModel(file=file, line_of=lines)
    raw = _mapping(
        mapping, field=base, file=file, line_of=lines, what="usd_per_hour, volume_per_day..."
    )
    _check_keys(raw, COST_KEYS, field=base, file=file, line_of=lines)

    def num(value: Any, fld: str, *, positive: bool = False) -> float | None:
        if value is None:
            return None
        return _number(value, field=fld, file=file, line_of=lines, positive=positive)

    usd = num(raw.get("usd_per_hour"), f"{base}.usd_per_hour")
    volume = num(raw.get("volume_per_day"), f"{base}.volume_per_day", positive=True)

    prices: dict[str, TokenPrice] = {}
    prices_raw = raw.get("prices")
    if prices_raw is not None:
        pr = _mapping(
            prices_raw,
            field=f"{base}.prices",
            file=file,
            line_of=lines,
            what="model name to its per-1k-token prices",
        )
        for model, spec in pr.items():
            fld = f"{base}.prices.{model}"
            sp = _mapping(
                spec,
                field=fld,
                file=file,
                line_of=lines,
                what="input_per_1k_tokens, output_per_1k_tokens",
            )
            _check_keys(sp, PRICE_KEYS, field=fld, file=file, line_of=lines)
            inp = num(sp.get("input_per_1k_tokens"), f"{fld}.input_per_1k_tokens")
            out = num(sp.get("output_per_1k_tokens"), f"{fld}.output_per_1k_tokens")
            if inp is None and out is None:
                raise AdrError(
                    "give input_per_1k_tokens and/or output_per_1k_tokens",
                    file=file,
                    line=lines(fld),
                    field=fld,
                )
            prices[str(model)] = TokenPrice(str(model), inp, out)

    per_option: dict[str, OptionCost] = {}
    options_raw = raw.get("options")
    if options_raw is not None:
        opr = _mapping(
            options_raw,
            field=f"{base}.options",
            file=file,
            line_of=lines,
            what="option name to usd_per_hour and/or model",
        )
        for option, spec in opr.items():
            fld = f"{base}.options.{option}"
            if options and option not in options:
                raise AdrError(
                    f"{option!r} is not one of archgate.options ({', '.join(options)})",
                    file=file,
                    line=lines(fld),
                    field=fld,
                )
            sp = _mapping(spec, field=fld, file=file, line_of=lines, what="usd_per_hour, model")
            _check_keys(sp, OPTION_KEYS, field=fld, file=file, line_of=lines)
            model = sp.get("model")
            if model is not None:
                if not isinstance(model, str) or not model.strip():
                    raise AdrError(
                        f"model must name an entry of archgate.cost.prices, got {model!r}",
                        file=file,
                        line=lines(f"{fld}.model"),
                        field=f"{fld}.model",
                    )
                model = model.strip()
                if model not in prices:
                    known = ", ".join(sorted(prices)) or "none given"
                    raise AdrError(
                        f"model {model!r} has no price under archgate.cost.prices ({known})",
                        file=file,
                        line=lines(f"{fld}.model"),
                        field=f"{fld}.model",
                    )
            per_option[str(option)] = OptionCost(
                usd_per_hour=num(sp.get("usd_per_hour"), f"{fld}.usd_per_hour"), model=model
            )
    return CostModel(
        usd_per_hour=usd,
        volume_per_day=volume,
        options=per_option,
        prices=prices,
        file=file,
        line_of=lines,
    )


# --------------------------------------------------------------------------------------------
# formulas


def _positive_finite(value: float, name: str) -> float:
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise MeasurementError(f"must be a finite number greater than 0, got {value!r}", field=name)
    return v


def _price(value: float, name: str) -> float:
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise MeasurementError(f"must be a finite price of 0 or more, got {value!r}", field=name)
    return v


def cost_per_1k_from_throughput(throughput_per_s: float, usd_per_hour: float) -> float:
    """USD per 1,000 predictions of one instance serving ``throughput_per_s`` at full use.

    ``usd_per_hour / 3600 / throughput_per_s * 1000``. The instance is assumed fully used
    (requests back to back, every paid hour), so this is the lowest cost that hardware allows.
    """
    tput = _positive_finite(throughput_per_s, "throughput_per_s")
    usd = _price(usd_per_hour, "usd_per_hour")
    return usd / 3600.0 / tput * 1000.0


def cost_interval_from_throughput(
    interval: tuple[float, float], usd_per_hour: float
) -> tuple[float, float]:
    """The cost interval for a throughput interval ``(low, high)``.

    Cost is a decreasing function of throughput, so the bounds swap: the cost's lower end comes
    from the throughput's upper end. A monotone transform keeps the coverage of the interval.
    """
    low, high = interval
    return (
        cost_per_1k_from_throughput(high, usd_per_hour),
        cost_per_1k_from_throughput(low, usd_per_hour),
    )


def cost_per_1k_from_tokens(
    input_tokens: float, output_tokens: float, queries: int, price: TokenPrice
) -> float:
    """USD per 1,000 queries for API calls that used these token totals over ``queries`` calls.

    Raises :class:`MeasurementError` when tokens of a kind were used whose price is missing.
    """
    if isinstance(queries, bool) or not isinstance(queries, int) or queries <= 0:
        raise MeasurementError(f"must be a positive whole number, got {queries!r}", field="queries")
    total = 0.0
    for count, per_1k, name in (
        (input_tokens, price.input_per_1k_tokens, "input_per_1k_tokens"),
        (output_tokens, price.output_per_1k_tokens, "output_per_1k_tokens"),
    ):
        c = float(count)
        kind = name.split("_", 1)[0]
        if not math.isfinite(c) or c < 0:
            raise MeasurementError(f"must be 0 or more, got {count!r}", field=f"{kind}_tokens")
        if c == 0:
            continue
        if per_1k is None:
            raise MeasurementError(
                f"{c:g} {kind} tokens were recorded but model {price.model!r} has no {name} "
                f"under archgate.cost.prices",
                field=f"archgate.cost.prices.{price.model}.{name}",
            )
        total += c / 1000.0 * per_1k
    return total / queries * 1000.0


def daily_cost(cost_per_1k: float, volume_per_day: float) -> float:
    """USD per day at ``volume_per_day`` predictions: ``cost_per_1k * volume_per_day / 1000``."""
    return _price(cost_per_1k, COST_METRIC) * _price(volume_per_day, "volume_per_day") / 1000.0


# --------------------------------------------------------------------------------------------
# estimates, for the fixture


def cost_estimates_from_throughput(
    model: CostModel, option: str | None, throughput: Estimate
) -> Estimate | None:
    """``cost_per_1k_usd`` for ``option`` from a measured ``throughput_per_s``.

    None when the ADR prices no instance for this option (no ``usd_per_hour``), so the fixture
    records a cost only where one was asked for. Every interval of the throughput becomes a
    cost interval at the same level, with its bounds swapped.
    """
    rate = model.for_option(option)
    if rate is None:
        return None
    value = cost_per_1k_from_throughput(throughput.value, rate)
    intervals = {
        level_key(lvl): cost_interval_from_throughput(iv, rate)
        for lvl, iv in throughput.intervals.items()
        if iv[0] > 0 and math.isfinite(iv[1])
    }
    return Estimate(
        value=value,
        method=f"hourly-price/throughput({throughput.method})",
        n=throughput.n,
        level=throughput.level,
        intervals=intervals,
        details={
            "usd_per_hour": rate,
            "throughput_per_s": throughput.value,
            "assumption": FULL_USE_NOTE,
        },
    )


def cost_estimate_from_tokens(
    model: CostModel,
    option: str | None,
    input_tokens: float,
    output_tokens: float,
    queries: int,
) -> Estimate:
    """``cost_per_1k_usd`` for ``option`` from token totals over ``queries`` API calls.

    Raises :class:`AdrError` when the ADR prices no model for the option. The estimate is a
    point value (token counts are counted, not sampled, for these queries).
    """
    price = model.token_price(option)
    value = cost_per_1k_from_tokens(input_tokens, output_tokens, queries, price)
    return Estimate(
        value=value,
        method="token-prices",
        n=queries,
        details={
            "model": price.model,
            "input_tokens": float(input_tokens),
            "output_tokens": float(output_tokens),
            "queries": queries,
            "input_per_1k_tokens": price.input_per_1k_tokens,
            "output_per_1k_tokens": price.output_per_1k_tokens,
        },
    )


def cost_model_of(adr: Adr) -> CostModel:
    """The :class:`CostModel` of a parsed ADR, with line numbers for its errors."""
    key_lines = adr.key_lines
    return parse_cost(
        dict(adr.cost or {}),
        file=adr.file,
        line_of=lambda f: key_lines.get(f),
        options=tuple(adr.options),
    )
