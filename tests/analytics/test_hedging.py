"""FX-hedged Treasury yields for a yen investor: hand-derived numbers, properties, real data."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.hedging import (
    HedgedYield,
    hedge_cost_from_forward_pct,
    hedge_cost_from_rates_pct,
    hedged_yield,
    hedged_yield_asof,
    hedged_yield_history,
)
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series

# --- hedge costs ------------------------------------------------------------------------


def test_hedge_cost_from_the_forward_by_hand() -> None:
    # Spot 150.00, 90-day forward 148.50 yen per dollar: 1.50 yen lost per dollar over
    # 90 days = 1 % of the yen invested; annualized ACT/360: 1 % * 360/90 = 4.00 %.
    assert hedge_cost_from_forward_pct(150.0, 148.5, 90) == pytest.approx(4.0)
    # ACT/365 annualization: 1 % * 365/90 = 4.0556 %.
    assert hedge_cost_from_forward_pct(150.0, 148.5, 90, day_count=365) == pytest.approx(365 / 90)
    # A forward above spot (yen rates above dollar rates) pays the hedger.
    assert hedge_cost_from_forward_pct(150.0, 151.5, 90) == pytest.approx(-4.0)
    with pytest.raises(ValueError, match="positive"):
        hedge_cost_from_forward_pct(150.0, 148.5, 0)


def test_the_parity_forward_gives_the_exact_parity_cost() -> None:
    # Covered interest parity with money-market conventions, 91 days, USD 5.35 %,
    # JPY 0.25 %: F = S (1 + 0.0025 * 91/365) / (1 + 0.0535 * 91/360). Then
    # (S - F)/S * 360/91 = (5.35 - 0.25 * 360/365) / (1 + 0.0535 * 91/360) = 5.0353 %,
    # 6.5 bp under the first-order 5.10 of the rates formula.
    spot, tau = 150.0, 91
    forward = spot * (1 + 0.0025 * tau / 365) / (1 + 0.0535 * tau / 360)
    exact = (5.35 - 0.25 * 360 / 365) / (1 + 0.0535 * tau / 360)
    assert exact == pytest.approx(5.0353, abs=1e-4)
    assert hedge_cost_from_forward_pct(spot, forward, tau) == pytest.approx(exact)
    assert hedge_cost_from_rates_pct(5.35, 0.25) - exact == pytest.approx(0.065, abs=0.001)


def test_a_negative_basis_raises_the_cost_for_the_yen_investor() -> None:
    # Du-Tepper-Verdelhan: -rho = (y_usd - y_jpy) - x. With x = -30 bp (dollars dearer
    # through swaps): 5.35 - 0.25 + 0.30 = 5.40 %.
    assert hedge_cost_from_rates_pct(5.35, 0.25) == pytest.approx(5.10)
    assert hedge_cost_from_rates_pct(5.35, 0.25, basis_bp=-30.0) == pytest.approx(5.40)
    assert hedge_cost_from_rates_pct(5.35, 0.25, basis_bp=+10.0) == pytest.approx(5.00)


@settings(max_examples=100, deadline=None)
@given(st.floats(-1.0, 10.0), st.floats(-1.0, 5.0), st.floats(-150.0, 50.0), st.floats(0.0, 10.0))
def test_hedge_cost_properties(us: float, jp: float, basis_bp: float, ust: float) -> None:
    cost = hedge_cost_from_rates_pct(us, jp, basis_bp=basis_bp)
    assert cost == pytest.approx(us - jp - basis_bp / 100.0, abs=1e-12)
    # A lower (more negative) basis never lowers the cost.
    assert hedge_cost_from_rates_pct(us, jp, basis_bp=basis_bp - 10.0) > cost
    result = hedged_yield(ust, 0.5, hedge_cost_pct=cost, method="m", inputs={"x": ust})
    assert result.hedged_yield_pct is not None
    assert result.hedged_yield_pct + cost == pytest.approx(ust)


def test_hedge_costs_are_vectorised() -> None:
    us = pd.Series([5.35, 4.50], name="us.ust.3m")
    jp = pd.Series([0.25, 0.50], name="jp.boj.policy_rate")
    assert hedge_cost_from_rates_pct(us, jp).to_list() == pytest.approx([5.10, 4.00])
    spot, forward = np.array([150.0, 150.0]), np.array([148.5, 151.5])
    assert hedge_cost_from_forward_pct(spot, forward, 90).tolist() == pytest.approx([4.0, -4.0])


# --- hedged yield -----------------------------------------------------------------------

INPUTS_2024_08_05 = {
    "us.ust.10y": 3.78,
    "jp.jgb.10y": 0.781,
    "us.ust.3m": 5.35,
    "jp.boj.policy_rate": 0.25,
    "basis_bp": 0.0,
}


def test_golden_2024_08_05() -> None:
    # 5 August 2024, zero basis:
    #   hedge cost = DGS3MO - BOJ - basis = 5.35 - 0.25 - 0.00 = 5.10 % a year
    #   hedged     = UST 10y - cost      = 3.78 - 5.10        = -1.32 %
    #   pickup     = hedged - JGB 10y    = -1.32 - 0.781      = -2.101 pp
    cost = hedge_cost_from_rates_pct(5.35, 0.25, basis_bp=0.0)
    result = hedged_yield(
        3.78, 0.781, hedge_cost_pct=cost, method="rates", inputs=INPUTS_2024_08_05
    )
    assert result.hedge_cost_pct == pytest.approx(5.10)
    assert result.hedged_yield_pct == pytest.approx(-1.32)
    assert result.pickup_vs_jgb_pp == pytest.approx(-2.101)
    assert result.missing == ()
    assert result.reason is None
    assert (
        result.summary()
        == "hedged UST -1.32 % (3.78 % - hedge cost 5.10 %), -2.10 pp vs JGB 0.78 %"
    )


def test_a_missing_input_leaves_what_it_feeds_empty_and_says_which() -> None:
    inputs = {**INPUTS_2024_08_05, "jp.jgb.10y": None}
    result = hedged_yield(3.78, None, hedge_cost_pct=5.10, method="rates", inputs=inputs)
    assert result.hedged_yield_pct == pytest.approx(-1.32)
    assert result.pickup_vs_jgb_pp is None
    assert result.missing == ("jp.jgb.10y",)
    assert result.reason == "missing input: jp.jgb.10y"
    assert "no JGB comparison" in result.summary()
    no_cost = hedged_yield(3.78, 0.781, hedge_cost_pct=None, method="rates", inputs={})
    assert (no_cost.hedged_yield_pct, no_cost.pickup_vs_jgb_pp) == (None, None)
    assert no_cost.missing == ("hedge_cost_pct",)
    assert no_cost.summary() == "hedged UST yield unavailable: missing input: hedge_cost_pct"


def test_the_result_is_frozen() -> None:
    result = hedged_yield(3.78, 0.781, hedge_cost_pct=5.10, method="m", inputs={"a": 1.0})
    with pytest.raises(AttributeError):
        result.hedge_cost_pct = 0.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.inputs["a"] = 2.0  # type: ignore[index]


# --- real data --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def legs() -> dict[str, pd.Series]:
    frame = snapshot_frame()
    ids = ("us.ust.10y", "jp.jgb.10y", "us.ust.3m", "jp.boj.policy_rate")
    return {sid: snapshot_series(frame, sid) for sid in ids}


def test_real_hedged_yield_on_2024_08_05(legs: dict[str, pd.Series]) -> None:
    result = hedged_yield_asof(
        legs["us.ust.10y"],
        legs["jp.jgb.10y"],
        legs["us.ust.3m"],
        legs["jp.boj.policy_rate"],
        date(2024, 8, 5),
    )
    assert isinstance(result, HedgedYield)
    assert dict(result.inputs) == INPUTS_2024_08_05
    assert result.hedge_cost_pct == pytest.approx(5.10)
    assert result.hedged_yield_pct == pytest.approx(-1.32)
    assert result.pickup_vs_jgb_pp == pytest.approx(-2.101)
    assert "parity assumed" in result.method


def test_real_history_matches_the_asof_values(legs: dict[str, pd.Series]) -> None:
    args = (legs["us.ust.10y"], legs["jp.jgb.10y"], legs["us.ust.3m"], legs["jp.boj.policy_rate"])
    history = hedged_yield_history(*args)
    assert list(history.columns) == ["hedge_cost_pct", "hedged_yield_pct", "pickup_vs_jgb_pp"]
    for day in (date(2024, 7, 10), date(2024, 7, 30), date(2024, 8, 5), date(2025, 3, 3)):
        one = hedged_yield_asof(*args, day)
        row = history.loc[pd.Timestamp(day)]
        assert row["hedge_cost_pct"] == pytest.approx(one.hedge_cost_pct)
        assert row["pickup_vs_jgb_pp"] == pytest.approx(one.pickup_vs_jgb_pp)
    # No rate target 2013-2016 and the BOJ list is incomplete before: no hedge cost then.
    assert math.isnan(history["hedge_cost_pct"].loc["2014-06-02"])


def test_an_absent_yen_rate_is_named(legs: dict[str, pd.Series]) -> None:
    # The embedded snapshot has no daily call rate (jp.boj.call_rate): passed as an empty
    # series, the result keeps the yields and names what is missing.
    empty = pd.Series([], index=pd.DatetimeIndex([]), name="jp.boj.call_rate", dtype="float64")
    result = hedged_yield_asof(
        legs["us.ust.10y"], legs["jp.jgb.10y"], legs["us.ust.3m"], empty, date(2024, 8, 5)
    )
    assert result.ust_yield_pct == 3.78
    assert result.hedge_cost_pct is None
    assert result.missing == ("jp.boj.call_rate",)
    assert result.reason is not None
    assert "jp.boj.call_rate has no observation" in result.reason


def test_without_named_series_every_empty_argument_is_named() -> None:
    result = hedged_yield(None, 0.781, hedge_cost_pct=None, method="rates", inputs={})
    assert result.missing == ("ust_yield_pct", "hedge_cost_pct")
