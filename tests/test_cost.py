"""Cost formulas, their intervals, and the ``archgate.cost`` schema with its errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pytest_archgate.adr.cost import (
    FULL_USE_NOTE,
    CostModel,
    OptionCost,
    TokenPrice,
    cost_estimate_from_tokens,
    cost_estimates_from_throughput,
    cost_interval_from_throughput,
    cost_model_of,
    cost_per_1k_from_throughput,
    cost_per_1k_from_tokens,
    daily_cost,
    parse_cost,
)
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.errors import AdrError, MeasurementError
from pytest_archgate.measure.estimate import Estimate

FULL = {
    "usd_per_hour": 2.5,
    "volume_per_day": 1_000_000,
    "options": {
        "xgboost": {"usd_per_hour": 0.8},
        "torch_mlp": {"usd_per_hour": 2.5},
        "llm": {"model": "gpt-x"},
    },
    "prices": {"gpt-x": {"input_per_1k_tokens": 0.0005, "output_per_1k_tokens": 0.0015}},
}


def test_throughput_formula() -> None:
    # 3.6 USD/h = 0.001 USD/s; at 1 prediction/s that is 0.001 USD per prediction, 1 USD per 1k
    assert cost_per_1k_from_throughput(1.0, 3.6) == pytest.approx(1.0)
    assert cost_per_1k_from_throughput(100.0, 3.6) == pytest.approx(0.01)
    assert cost_per_1k_from_throughput(500.0, 0.8) == pytest.approx(0.8 / 3600 / 500 * 1000)
    assert cost_per_1k_from_throughput(10.0, 0.0) == 0.0


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_throughput_must_be_positive_and_finite(bad: float) -> None:
    with pytest.raises(MeasurementError, match="throughput_per_s"):
        cost_per_1k_from_throughput(bad, 1.0)


def test_negative_hourly_price_is_rejected() -> None:
    with pytest.raises(MeasurementError, match="usd_per_hour"):
        cost_per_1k_from_throughput(10.0, -1.0)


def test_interval_bounds_swap() -> None:
    low, high = cost_interval_from_throughput((90.0, 110.0), 3.6)
    assert low == pytest.approx(cost_per_1k_from_throughput(110.0, 3.6))
    assert high == pytest.approx(cost_per_1k_from_throughput(90.0, 3.6))
    assert low < cost_per_1k_from_throughput(100.0, 3.6) < high


def test_token_formula() -> None:
    price = TokenPrice("gpt-x", 0.0005, 0.0015)
    # 200 queries used 100k input and 20k output tokens: 0.05 + 0.03 = 0.08 USD in all,
    # 0.0004 USD per query, 0.4 USD per 1k queries
    assert cost_per_1k_from_tokens(100_000, 20_000, 200, price) == pytest.approx(0.4)


def test_token_price_missing_for_used_tokens() -> None:
    embed_only = TokenPrice("embed", input_per_1k_tokens=0.0001)
    assert cost_per_1k_from_tokens(1000, 0, 1, embed_only) == pytest.approx(0.1)
    with pytest.raises(MeasurementError, match=r"output_per_1k_tokens"):
        cost_per_1k_from_tokens(1000, 5, 1, embed_only)


@pytest.mark.parametrize("queries", [0, -3, True])
def test_token_queries_must_be_positive(queries: int) -> None:
    with pytest.raises(MeasurementError, match="queries"):
        cost_per_1k_from_tokens(10, 10, queries, TokenPrice("m", 1.0, 1.0))


def test_daily_cost() -> None:
    assert daily_cost(0.05, 1_000_000) == pytest.approx(50.0)
    assert daily_cost(0.0, 10) == 0.0


def test_parse_full_schema_and_per_option_rates() -> None:
    model = parse_cost(FULL, file="adr/0007.md", options=("xgboost", "torch_mlp", "llm"))
    assert model.volume_per_day == 1_000_000
    assert model.for_option("xgboost") == 0.8
    assert model.for_option("torch_mlp") == 2.5
    assert model.for_option("llm") == 2.5  # no own rate: the ADR-wide price
    assert model.for_option(None) == 2.5
    assert model.token_price("llm") == TokenPrice("gpt-x", 0.0005, 0.0015)
    assert model.daily(0.05) == pytest.approx(50.0)
    assert not model.empty
    assert parse_cost({}).empty
    assert parse_cost(None).for_option("x") is None


def test_no_global_rate_means_none_for_unpriced_options() -> None:
    model = parse_cost({"options": {"xgboost": {"usd_per_hour": 0.8}}})
    assert model.for_option("xgboost") == 0.8
    assert model.for_option("torch_mlp") is None
    assert model.daily(1.0) is None


def test_number_strings_with_underscores() -> None:
    model = parse_cost({"volume_per_day": "1_000_000", "usd_per_hour": "2.5"})
    assert model.volume_per_day == 1_000_000
    assert model.usd_per_hour == 2.5


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"usd_per_hour": "cheap"}, "archgate.cost.usd_per_hour", "expected a finite number"),
        ({"usd_per_hour": -1}, "archgate.cost.usd_per_hour", "0 or more"),
        ({"usd_per_hour": True}, "archgate.cost.usd_per_hour", "expected a finite number"),
        ({"volume_per_day": 0}, "archgate.cost.volume_per_day", "greater than 0"),
        ({"usd_per_hr": 1}, "archgate.cost.usd_per_hr", "unknown key 'usd_per_hr'"),
        ({"options": []}, "archgate.cost.options", "expected a mapping"),
        ({"options": {"x": {"gpu": 1}}}, "archgate.cost.options.x.gpu", "unknown key"),
        ({"options": {"nope": {"usd_per_hour": 1}}}, "archgate.cost.options.nope", "not one of"),
        ({"options": {"x": {"model": "m"}}}, "archgate.cost.options.x.model", "no price"),
        ({"prices": {"m": {}}}, "archgate.cost.prices.m", "input_per_1k_tokens and/or"),
        (
            {"prices": {"m": {"input_per_1k_tokens": "x"}}},
            "archgate.cost.prices.m.input_per_1k_tokens",
            "expected a finite number",
        ),
    ],
)
def test_parse_errors_name_the_field(raw: dict[str, object], field: str, message: str) -> None:
    lines = {field: 17, "archgate.cost": 12}
    with pytest.raises(AdrError, match=message) as info:
        parse_cost(raw, file="adr/0007.md", line_of=lines.get, options=("x",))
    err = info.value
    assert err.field == field
    assert err.file == "adr/0007.md"
    assert err.line in (17, 12)
    assert "\n" not in str(err)


def test_estimate_from_throughput_inverts_every_interval() -> None:
    model = parse_cost(FULL)
    tput = Estimate(
        value=100.0,
        method="clt-normal-inverted",
        n=400,
        intervals={0.95: (90.0, 110.0), 0.9: (92.0, 108.0)},
    )
    est = cost_estimates_from_throughput(model, "xgboost", tput)
    assert est is not None
    assert est.value == pytest.approx(0.8 / 3600 / 100 * 1000)
    assert est.ci == pytest.approx(cost_interval_from_throughput((90.0, 110.0), 0.8))
    assert est.interval(0.9) == pytest.approx(cost_interval_from_throughput((92.0, 108.0), 0.8))
    assert est.n == 400
    assert est.details["usd_per_hour"] == 0.8
    assert est.details["assumption"] == FULL_USE_NOTE
    assert est.ci is not None
    assert est.ci[0] <= est.value <= est.ci[1]


def test_estimate_from_throughput_is_none_without_a_price() -> None:
    model = CostModel(options={"xgboost": OptionCost(usd_per_hour=0.8)})
    assert cost_estimates_from_throughput(model, "logreg", Estimate(value=10.0)) is None
    assert cost_estimates_from_throughput(CostModel(), None, Estimate(value=10.0)) is None


def test_estimate_from_tokens() -> None:
    model = parse_cost(FULL)
    est = cost_estimate_from_tokens(model, "llm", 100_000, 20_000, 200)
    assert est.value == pytest.approx(0.4)
    assert est.n == 200
    assert est.method == "token-prices"
    assert est.details["model"] == "gpt-x"


def test_estimate_from_tokens_without_a_model_names_the_field() -> None:
    model = parse_cost(FULL, file="adr/0007.md")
    with pytest.raises(AdrError, match="no API model priced for option 'xgboost'") as info:
        cost_estimate_from_tokens(model, "xgboost", 10, 10, 1)
    assert info.value.field == "archgate.cost.options.xgboost.model"
    assert info.value.file == "adr/0007.md"


ADR = """\
---
status: proposed
archgate:
  options: [xgboost, torch_mlp]
  acceptance:
    cost_per_1k_usd: "<= 0.01"
  cost:
    volume_per_day: 1_000_000
    options:
      xgboost: {usd_per_hour: 0.8}
      torch_mlp: {usd_per_hour: -2}
---
# Pick a model
"""


def test_cost_model_of_a_parsed_adr_points_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "0007-pick.md"
    path.write_text(ADR, encoding="utf-8")
    # a bad cost block is rejected when the ADR is parsed, with the line of the field
    with pytest.raises(AdrError) as info:
        parse_adr(path, root=tmp_path)
    assert info.value.field == "archgate.cost.options.torch_mlp.usd_per_hour"
    assert info.value.line == 11
    assert str(info.value).startswith("0007-pick.md:11: archgate.cost.options.torch_mlp")

    path.write_text(ADR.replace("-2", "2.5"), encoding="utf-8")
    model = cost_model_of(parse_adr(path, root=tmp_path))
    assert model.for_option("torch_mlp") == 2.5
    assert model.volume_per_day == 1_000_000
