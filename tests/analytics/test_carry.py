"""The carry trade: differential, return index, volatility, carry-to-vol and drawdowns."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.alignment import STALENESS_LIMITS
from carrywatch.analytics.carry import (
    DrawdownEpisode,
    carry_return_index,
    carry_to_vol,
    carry_to_vol_ratio,
    drawdowns,
    max_drawdown,
    realized_vol_pct,
    short_rate_differential_pp,
)
from carrywatch.errors import AnalyticsError, InsufficientDataError
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series

EVENT = STALENESS_LIMITS["event"]


def _series(values: list[float], dates: list[str] | pd.Index, name: str) -> pd.Series:
    return pd.Series(values, index=pd.DatetimeIndex(dates), name=name, dtype="float64")


# --- the return index: hand-derived -----------------------------------------------------

FRI_MON_TUE = ["2024-01-05", "2024-01-08", "2024-01-09"]


def test_constant_spot_and_rates_grow_by_the_hand_computed_carry() -> None:
    # S constant at 150, USD 5 %, JPY 1 %. Fri -> Mon is 3 calendar days, Mon -> Tue 1:
    #   I_Mon = 100 * (1 + 0.05 * 3/360) / (1 + 0.01 * 3/365)
    #         = 100 * 1.000416667 / 1.000082192 = 100.0334447
    #   I_Tue = I_Mon * (1 + 0.05/360) / (1 + 0.01/365) = 100.0445973
    spot = _series([150.0] * 3, FRI_MON_TUE, "fx.usdjpy")
    us = _series([5.0] * 3, FRI_MON_TUE, "us.ust.3m")
    jp = _series([1.0], ["2023-12-19"], "jp.boj.policy_rate")  # in force, 17 days old
    index = carry_return_index(spot, us, jp)
    assert index.name == "carry:fx.usdjpy"
    assert index.to_list() == pytest.approx([100.0, 100.0334447, 100.0445973], abs=1e-7)
    assert index.iloc[1] == pytest.approx(100 * (1 + 0.05 * 3 / 360) / (1 + 0.01 * 3 / 365))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(50.0, 400.0), min_size=2, max_size=40))
def test_with_zero_rates_the_index_is_the_spot_ratio(spots: list[float]) -> None:
    dates = pd.bdate_range("2024-01-02", periods=len(spots))
    spot = _series(spots, dates, "fx.usdjpy")
    zero = _series([0.0] * len(spots), dates, "r")
    index = carry_return_index(spot, zero, zero)
    assert np.allclose(index.to_numpy(), 100.0 * spot.to_numpy() / spots[0], rtol=1e-12)


def test_the_rate_known_at_t_minus_1_accrues_from_t_minus_1_to_t() -> None:
    # The dollar rate jumps from 0 to 36 % on Mon 8 Jan: Fri -> Mon accrues the old 0 %,
    # Mon -> Tue accrues 36 % for 1 day: 100 * (1 + 0.36/360) = 100.1.
    spot = _series([150.0] * 3, FRI_MON_TUE, "fx.usdjpy")
    us = _series([0.0, 36.0, 36.0], FRI_MON_TUE, "us.ust.3m")
    jp = _series([0.0], ["2024-01-05"], "jp.boj.policy_rate")
    index = carry_return_index(spot, us, jp)
    assert index.to_list() == pytest.approx([100.0, 100.0, 100.1])


def test_the_index_starts_where_both_rates_are_known() -> None:
    spot = _series([150.0, 151.5, 151.5], FRI_MON_TUE, "fx.usdjpy")
    us = _series([0.0, 0.0], FRI_MON_TUE[1:], "us.ust.3m")  # no rate before Monday
    jp = _series([0.0], ["2024-01-01"], "jp.boj.policy_rate")
    index = carry_return_index(spot, us, jp, base=1.0)
    assert list(index.index) == list(pd.DatetimeIndex(FRI_MON_TUE[1:]))
    assert index.to_list() == [1.0, 1.0]


def test_a_rate_gap_inside_the_window_is_refused_with_the_series_named() -> None:
    spot = _series([150.0] * 3, ["2024-01-05", "2024-06-03", "2024-06-04"], "fx.usdjpy")
    us = _series([5.0, 5.0, 5.0], spot.index, "us.ust.3m")
    jp = _series([0.1], ["2024-01-05"], "jp.boj.policy_rate")  # stale by June
    with pytest.raises(InsufficientDataError, match="2024-06-03") as caught:
        carry_return_index(spot, us, jp)
    assert caught.value.series == ("jp.boj.policy_rate",)
    with pytest.raises(InsufficientDataError) as nothing:
        carry_return_index(spot, us, _series([0.1], ["2025-01-01"], "jp.boj.call_rate"))
    assert nothing.value.series == ("jp.boj.call_rate",)


# --- differential, volatility, carry-to-vol ---------------------------------------------


def test_realized_vol_by_hand() -> None:
    # Log returns +0.01, -0.01, +0.01, -0.01: mean 0, sample variance 4e-4 / 3, so
    # sigma = 0.01 * sqrt(4/3) * sqrt(252) * 100 = 18.3303 % a year.
    logs = np.cumsum([0.0, 0.01, -0.01, 0.01, -0.01])
    prices = _series(list(150.0 * np.exp(logs)), pd.bdate_range("2024-01-02", periods=5), "fx")
    vol = realized_vol_pct(prices, window=4)
    assert len(vol) == 4
    assert vol.iloc[:3].isna().all()
    assert vol.iloc[-1] == pytest.approx(18.3303028, abs=1e-6)
    flat = realized_vol_pct(_series([150.0] * 5, prices.index, "fx"), window=4)
    assert flat.iloc[-1] == 0.0


def test_realized_vol_refuses_short_or_non_positive_input() -> None:
    dates = pd.bdate_range("2024-01-02", periods=3)
    with pytest.raises(InsufficientDataError):
        realized_vol_pct(_series([1.0, 2.0, 3.0], dates, "fx"), window=3)
    with pytest.raises(AnalyticsError, match="non-positive"):
        realized_vol_pct(_series([1.0, 0.0, 3.0], dates, "fx"), window=2)


def test_carry_to_vol_by_hand() -> None:
    # 5.10 pp of carry over 10 % vol: 0.51; over 0 % vol: undefined.
    assert carry_to_vol_ratio(5.10, 10.0) == pytest.approx(0.51)
    with pytest.raises(AnalyticsError):
        carry_to_vol_ratio(5.10, 0.0)
    days = pd.bdate_range("2024-08-01", periods=3)
    differential = _series([5.30, 5.10], days[:2], "d")  # carried 1 day to the third date
    vol = _series([10.0, 0.0, 12.75], days, "v")
    ratio = carry_to_vol(differential, vol)
    assert ratio.iloc[0] == pytest.approx(0.53)
    assert math.isnan(ratio.iloc[1])
    assert ratio.iloc[2] == pytest.approx(5.10 / 12.75)


# --- drawdowns --------------------------------------------------------------------------

PATH = [100.0, 110.0, 99.0, 105.0, 121.0, 110.0]


def test_drawdowns_by_hand() -> None:
    # Running max 100, 110, 110, 110, 121, 121: 0, 0, -0.1, -5/110, 0, -11/121.
    index = _series(PATH, pd.bdate_range("2024-01-01", periods=6), "idx")
    assert drawdowns(index).to_list() == pytest.approx([0, 0, -0.1, -5 / 110, 0, -11 / 121])
    worst = max_drawdown(index)
    # 110 (Tue 2 Jan) -> 99 (Wed 3 Jan): -10 %, back above 110 on Fri 5 Jan (121).
    assert worst.depth_pct == pytest.approx(-10.0)  # 99/110 - 1 is -0.1 up to rounding
    assert replace(worst, depth_pct=-10.0) == DrawdownEpisode(
        series_id="idx",
        start=date(2024, 1, 1),
        end=date(2024, 1, 8),
        peak_date=date(2024, 1, 2),
        peak_value=110.0,
        trough_date=date(2024, 1, 3),
        trough_value=99.0,
        depth_pct=-10.0,
        recovery_date=date(2024, 1, 5),
        data_end=date(2024, 1, 8),
    )
    # From Thu 4 Jan the running high restarts: 121 -> 110 = -9.09 %, not recovered.
    late = max_drawdown(index, date(2024, 1, 4), None)
    assert (late.peak_date, late.trough_date) == (date(2024, 1, 5), date(2024, 1, 8))
    assert late.depth_pct == pytest.approx(-100 * 11 / 121)
    assert late.recovery_date is None
    assert late.summary().endswith("not recovered by 2024-01-08")


def test_a_rising_index_has_no_drawdown() -> None:
    index = _series([1.0, 2.0, 3.0], pd.bdate_range("2024-01-01", periods=3), "idx")
    episode = max_drawdown(index)
    assert episode.depth_pct == 0.0
    assert episode.recovery_date is None
    assert "none" in episode.summary()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(1.0, 1000.0), min_size=1, max_size=50))
def test_drawdown_properties(values: list[float]) -> None:
    index = _series(values, pd.bdate_range("2024-01-01", periods=len(values)), "idx")
    dd = drawdowns(index)
    assert (dd <= 0.0).all()
    assert (dd[index == index.cummax()] == 0.0).all()
    episode = max_drawdown(index)
    assert episode.depth_pct == pytest.approx(100.0 * dd.min())
    assert episode.peak_date <= episode.trough_date
    assert episode.peak_value == index.loc[: pd.Timestamp(episode.trough_date)].max()
    if episode.recovery_date is not None:
        assert index.loc[pd.Timestamp(episode.recovery_date)] >= episode.peak_value


# --- real data --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snap() -> pd.DataFrame:
    return snapshot_frame()


def test_the_snapshot_has_no_daily_call_rate_so_the_yen_leg_is_the_policy_rate(
    snap: pd.DataFrame,
) -> None:
    with pytest.raises(KeyError):
        snapshot_series(snap, "jp.boj.call_rate")
    differential = short_rate_differential_pp(
        snapshot_series(snap, "us.ust.3m"),
        snapshot_series(snap, "jp.boj.policy_rate"),
        max_age=EVENT,
    )
    # 2024-07-30: 5.40 - 0.10; 2024-08-05: 5.35 - 0.25 (the 2024-07-31 hike in force).
    assert differential.loc["2024-07-30"] == pytest.approx(5.30)
    assert differential.loc["2024-08-05"] == pytest.approx(5.10)


@pytest.fixture(scope="module")
def carry_2024(snap: pd.DataFrame) -> pd.Series:
    return carry_return_index(
        snapshot_series(snap, "fx.usdjpy").loc["2024-01-01":"2024-12-31"],
        snapshot_series(snap, "us.ust.3m"),
        snapshot_series(snap, "jp.boj.policy_rate"),
    )


def test_the_july_august_2024_unwind_in_the_carry_index(carry_2024: pd.Series) -> None:
    unwind = max_drawdown(carry_2024, date(2024, 7, 1), date(2024, 8, 31))
    assert unwind.peak_date == date(2024, 7, 10)
    assert unwind.trough_date == date(2024, 8, 5)
    # Spot: 143.95 / 161.73 - 1 = -10.99 %. Carry over the 26 days: dollars at about
    # 5.43 % ACT/360 (+0.392 %), yen at 0.10 % for 21 days then 0.25 % for 5 (-0.009 %):
    # 0.89006 * 1.00383 = 0.89347, i.e. -10.65 %.
    spot_move = 143.95 / 161.73 - 1
    assert spot_move == pytest.approx(-0.1099, abs=1e-4)
    assert unwind.depth_pct == pytest.approx(-10.65, abs=0.02)


def test_the_deepest_2024_drawdown_bottoms_in_september(carry_2024: pd.Series) -> None:
    # USD/JPY fell further after 5 August, to 140.66 on 2024-09-13: spot -13.03 % from
    # the 161.73 peak, with 65 days of carry (+0.96 % dollars, -0.04 % yen) -12.2 %.
    year = max_drawdown(carry_2024, date(2024, 1, 1), date(2024, 12, 31))
    assert year.peak_date == date(2024, 7, 10)
    assert year.trough_date == date(2024, 9, 13)
    assert year.depth_pct == pytest.approx(-12.2, abs=0.05)
    assert year.recovery_date is None  # not back at the July high by the end of 2024


def test_the_pre_2016_boj_gaps_stop_a_long_index(snap: pd.DataFrame) -> None:
    # The BOJ decision list is incomplete before 2016 (and there was no rate target in
    # 2013-2016): the index cannot be chained across, and says where.
    with pytest.raises(InsufficientDataError, match=r"jp\.boj\.policy_rate") as caught:
        carry_return_index(
            snapshot_series(snap, "fx.usdjpy").loc["2009":],
            snapshot_series(snap, "us.ust.3m"),
            snapshot_series(snap, "jp.boj.policy_rate"),
        )
    assert caught.value.series == ("jp.boj.policy_rate",)


def test_real_volatility_and_carry_to_vol_around_the_unwind(snap: pd.DataFrame) -> None:
    usdjpy = snapshot_series(snap, "fx.usdjpy")
    vol = realized_vol_pct(usdjpy)
    # Independent check: the 63 log returns ending 2024-08-05.
    window = np.log(usdjpy.loc[:"2024-08-05"].iloc[-64:].to_numpy())
    expected = np.diff(window).std(ddof=1) * math.sqrt(252) * 100
    assert vol.loc["2024-08-05"] == pytest.approx(expected)
    # The unwind raised three-month volatility.
    assert vol.loc["2024-08-30"] > vol.loc["2024-06-28"] + 2.0
    differential = short_rate_differential_pp(
        snapshot_series(snap, "us.ust.3m"),
        snapshot_series(snap, "jp.boj.policy_rate"),
        max_age=EVENT,
    )
    ratio = carry_to_vol(differential, vol)
    assert ratio.loc["2024-08-05"] == pytest.approx(5.10 / vol.loc["2024-08-05"])
    assert ratio.loc["2024-08-30"] < ratio.loc["2024-06-28"]
