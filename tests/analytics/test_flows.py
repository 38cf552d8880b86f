"""TIC holdings and CFTC yen positioning: hand-derived numbers, properties, real data."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.flows import CME_JPY_CONTRACT_SIZE_JPY, positioning, tic_holdings
from carrywatch.errors import InsufficientDataError
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series


def _weekly(values: list[float], start: str = "2024-01-02", name: str = "net") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="7D"), name=name)


# --- TIC ------------------------------------------------------------------------------------


def test_japan_holdings_december_2025_on_real_data() -> None:
    frame = snapshot_frame()
    japan = snapshot_series(frame, "tic.japan.holdings")
    total = snapshot_series(frame, "tic.total.holdings")
    held = tic_holdings(japan, total, date(2026, 2, 20))
    # TIC MFH: Japan 2025-12 = 1,185.5; 2025-11 = 1,202.7 -> change -17.2
    #          Japan 2024-12 = 1,061.5 -> 12-month change +124.0
    #          all foreign 2025-12 = 9,271.0 -> share 100 * 1185.5 / 9271 = 12.787%
    assert held.obs_date == date(2025, 12, 1)
    assert held.level_usd_bn == 1185.5
    assert held.change_1m_usd_bn == pytest.approx(-17.2)
    assert held.change_12m_usd_bn == pytest.approx(124.0)
    assert held.total_usd_bn == 9271.0
    assert held.share_of_foreign_pct == pytest.approx(12.787185, abs=1e-6)
    assert f"{held.share_of_foreign_pct:.2f}" == "12.79"
    assert held.reasons == ()
    assert held.summary() == (
        "tic.japan.holdings USD 1,185.5bn (2025-12), -17.2bn m/m, +124.0bn y/y, "
        "12.79% of foreign holdings"
    )


def test_tic_holdings_names_a_missing_comparison_month() -> None:
    months = pd.date_range("2024-01-01", periods=14, freq="MS")
    japan = pd.Series(np.arange(14.0) + 1000, index=months, name="tic.japan.holdings")
    japan = japan.drop(pd.Timestamp("2025-01-01"))  # the month before the latest
    total = pd.Series([9000.0], index=[months[-1]], name="tic.total.holdings")
    held = tic_holdings(japan, total, date(2025, 2, 28))
    assert held.change_1m_usd_bn is None
    # 2025-02 (1013) vs 2024-02 (1001)
    assert held.change_12m_usd_bn == pytest.approx(12.0)
    assert held.share_of_foreign_pct == pytest.approx(100 * 1013 / 9000)
    assert held.reasons == ("tic.japan.holdings has no observation for 2025-01",)


def test_tic_holdings_share_needs_the_same_month_of_the_total() -> None:
    months = pd.date_range("2024-01-01", periods=3, freq="MS")
    japan = pd.Series([1.0, 2.0, 3.0], index=months, name="tic.japan.holdings")
    total = pd.Series([10.0, 20.0], index=months[:2], name="tic.total.holdings")
    held = tic_holdings(japan, total, date(2024, 3, 31))
    assert held.share_of_foreign_pct is None  # not the February total
    assert "tic.total.holdings has no observation for 2024-03" in held.reasons


def test_tic_holdings_refuses_a_stale_level() -> None:
    japan = snapshot_series(snapshot_frame(), "tic.japan.holdings")
    total = snapshot_series(snapshot_frame(), "tic.total.holdings")
    with pytest.raises(InsufficientDataError, match=r"tic\.japan\.holdings is stale") as info:
        tic_holdings(japan, total, date(2026, 6, 30))
    assert info.value.series == ("tic.japan.holdings",)


# --- CFTC positioning -------------------------------------------------------------------------


def test_the_july_2024_record_short_on_real_data() -> None:
    frame = snapshot_frame()
    net = snapshot_series(frame, "cftc.jpy.noncommercial_net")
    fx = snapshot_series(frame, "fx.usdjpy")
    pos = positioning(net, date(2024, 7, 5), usdjpy=fx)
    assert pos.obs_date == date(2024, 7, 2)
    assert pos.net_contracts == -184_223
    # The lowest of the window: nothing below it, so the percentile rank is 0.
    assert pos.percentile_rank_pct == 0.0
    assert pos.record_low_contracts == -184_223
    assert pos.record_low_date == date(2024, 7, 2)
    # The snapshot starts 2022-07-26: 102 weekly reports, not three years; said so.
    assert pos.window_start == date(2022, 7, 26)
    assert pos.window_obs == 102
    assert any("less than the 3 years" in r for r in pos.reasons)
    # 1 week: -184,223 - (-173,900 on 06-25) = -10,323
    # 4 weeks: -184,223 - (-132,101 on 06-04) = -52,122
    assert pos.change_1w_contracts == -10_323
    assert pos.change_4w_contracts == -52_122
    # Notional: -184,223 x JPY 12.5m = JPY -2,302,787,500,000 at USD/JPY 161.53 (H.10,
    # 2024-07-02) = USD -14.256bn.
    assert pos.usdjpy == 161.53
    assert pos.notional_usd_bn == pytest.approx(-184_223 * 12.5e6 / 161.53 / 1e9)
    assert pos.notional_usd_bn == pytest.approx(-14.256, abs=1e-3)
    assert pos.zscore is not None
    assert pos.zscore < -2
    assert "net short yen 184,223 contracts" in pos.summary()


def test_the_unwind_flipped_speculators_to_net_long_by_mid_august_2024() -> None:
    net = snapshot_series(snapshot_frame(), "cftc.jpy.noncommercial_net")
    pos = positioning(net, date(2024, 8, 13))
    assert pos.net_contracts == 23_104
    assert pos.percentile_rank_pct == 100.0  # the highest of the window
    assert pos.record_high_date == date(2024, 8, 13)
    # Six weeks from -184,223 to +23,104; over the last four: 23,104 - (-151,072) = 174,176
    assert pos.change_4w_contracts == 174_176
    assert pos.notional_usd_bn is None
    assert "fx.usdjpy was not supplied; the notional is not computed" in pos.reasons


def test_a_holiday_shifted_report_still_counts_as_last_week() -> None:
    net = snapshot_series(snapshot_frame(), "cftc.jpy.noncommercial_net")
    # The report for the week of 4 July 2023 is dated Monday 2023-07-03.
    assert pd.Timestamp("2023-07-03") in net.index
    pos = positioning(net, date(2023, 7, 11))
    assert pos.change_1w_contracts == pytest.approx(net.loc["2023-07-11"] - net.loc["2023-07-03"])


def test_positioning_statistics_by_hand() -> None:
    net = _weekly([5.0, 1.0, 4.0, 2.0, 3.0])
    pos = positioning(net, date(2024, 1, 30), usdjpy=125.0)
    # Latest 3 among the others {5, 1, 4, 2}: two below, no tie -> 100 * 2 / 4 = 50.
    # Mean 3, so z = 0. One week: 3 - 2 = 1; four weeks: 3 - 5 = -2.
    assert pos.percentile_rank_pct == 50.0
    assert pos.zscore == pytest.approx(0.0)
    assert pos.change_1w_contracts == 1.0
    assert pos.change_4w_contracts == -2.0
    assert (pos.record_low_contracts, pos.record_high_contracts) == (1.0, 5.0)
    # 3 contracts x JPY 12.5m / 125 = USD 300,000 = 0.0003 bn
    assert pos.notional_usd_bn == pytest.approx(3 * CME_JPY_CONTRACT_SIZE_JPY / 125 / 1e9)
    assert pos.notional_usd_bn == pytest.approx(0.0003)


def test_positioning_ties_and_z_score_by_hand() -> None:
    net = _weekly([1.0, 2.0, 2.0, 3.0, 2.0])
    pos = positioning(net, date(2024, 1, 30))
    # Latest 2 among {1, 2, 2, 3}: one below, two ties -> 100 * (1 + 0.5 * 2) / 4 = 50.
    assert pos.percentile_rank_pct == 50.0
    net = _weekly([1.0, 2.0, 3.0, 4.0, 5.0])
    pos = positioning(net, date(2024, 1, 30))
    # mean 3, sample sd sqrt(10 / 4) = 1.58114 -> z = 2 / 1.58114 = 1.26491
    assert pos.zscore == pytest.approx(2 / np.sqrt(2.5))
    assert pos.percentile_rank_pct == 100.0


def test_positioning_refuses_a_stale_report() -> None:
    net = _weekly([1.0, 2.0])
    with pytest.raises(InsufficientDataError, match="stale"):
        positioning(net, date(2024, 3, 1))


def test_positioning_window_is_the_lookback() -> None:
    net = _weekly([-100.0] + [0.0] * 60 + [10.0], start="2022-01-04")
    one_year = positioning(net, date(2023, 3, 1), lookback_years=1)
    # Latest report on or before 2023-03-01 is Tue 2023-02-28; the window
    # (2022-02-28, 2023-02-28] holds the Tuesdays 2022-03-01 .. 2023-02-28: 53 reports.
    # The -100 of 2022-01-04 lies before it.
    assert one_year.obs_date == date(2023, 2, 28)
    assert one_year.record_low_contracts == 0.0
    assert one_year.window_obs == 53
    assert one_year.window_start == date(2022, 3, 1)
    assert positioning(net, date(2023, 3, 1), lookback_years=2).record_low_contracts == -100.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-200_000, 200_000), min_size=2, max_size=60),
    st.integers(-50_000, 50_000),
    st.floats(0.1, 10.0),
)
def test_percentile_and_z_ignore_shifts_and_scale(
    values: list[int], shift: int, scale: float
) -> None:
    series = _weekly([float(v) for v in values])
    asof = pd.DatetimeIndex(series.index)[-1].date()
    base = positioning(series, asof)
    moved = positioning(scale * series + shift, asof)
    assert 0.0 <= base.percentile_rank_pct <= 100.0
    assert moved.percentile_rank_pct == pytest.approx(base.percentile_rank_pct)
    if base.zscore is None:
        assert moved.zscore is None or abs(moved.zscore) < 1e-6
    else:
        assert moved.zscore == pytest.approx(base.zscore, abs=1e-6)
    # The record low and high bracket the latest value.
    assert base.record_low_contracts <= base.net_contracts <= base.record_high_contracts
