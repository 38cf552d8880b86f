"""Net liquidity, QT pace and M2 growth: hand-derived numbers, properties, real data."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.liquidity import (
    DAYS_PER_MONTH,
    liquidity_asof,
    m2_yoy_pct,
    net_liquidity_usd_bn,
    qt_pace_usd_bn_per_month,
    twelve_month_change_pct,
)
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series


def _series(name: str, points: dict[str, float]) -> pd.Series:
    return pd.Series(
        list(points.values()), index=pd.DatetimeIndex(list(points)), name=name, dtype="float64"
    )


# --- net liquidity ----------------------------------------------------------------------


def test_net_liquidity_on_real_data_2024_08_07() -> None:
    frame = snapshot_frame()
    assets = snapshot_series(frame, "us.fed.assets")
    tga = snapshot_series(frame, "us.tga")
    rrp = snapshot_series(frame, "us.rrp")
    net = net_liquidity_usd_bn(assets, tga, rrp)
    # Snapshot values for Wednesday 2024-08-07:
    #   WALCL 7,175,256 usd_mn   -> 7,175.256 bn
    #   TGA (DTS close) 785,233 usd_mn -> 785.233 bn
    #   RRPONTSYD 286.660 usd_bn
    #   net = 7,175.256 - 785.233 - 286.660 = 6,103.363 bn
    assert net.loc["2024-08-07"] == pytest.approx(6103.363, abs=1e-9)
    # The default index is the Wednesdays of WALCL.
    assert (pd.DatetimeIndex(net.index).day_of_week == 2).all()
    assert net.name == "net_liquidity_usd_bn"


def test_net_liquidity_takes_the_latest_value_on_or_before_and_converts_units() -> None:
    assets = _series("us.fed.assets", {"2024-01-03": 8_000_000.0, "2024-01-10": 7_990_000.0})
    # Weekly WTREGEN in usd_bn; the second Wednesday has no TGA print but the first is
    # within the weekly limit (7 days old).
    tga = _series("us.tga.weekly", {"2024-01-03": 700.0})
    rrp = _series("us.rrp", {"2024-01-02": 600.0, "2024-01-10": 550.0})
    net = net_liquidity_usd_bn(assets, tga, rrp, tga_unit="usd_bn")
    # 2024-01-03: 8,000 - 700 - 600 (RRP of 01-02, 1 day old) = 6,700
    # 2024-01-10: 7,990 - 700 (TGA of 01-03, 7 days old) - 550 = 6,740
    assert net.tolist() == pytest.approx([6700.0, 6740.0])


def test_net_liquidity_is_nan_where_an_input_is_stale() -> None:
    assets = _series("us.fed.assets", {"2024-01-03": 8_000_000.0, "2024-01-24": 7_900_000.0})
    tga = _series("us.tga", {"2024-01-03": 700_000.0, "2024-01-24": 710_000.0})
    # Daily RRP last seen 2024-01-15: 9 days before 01-24, past the 7-day daily limit.
    rrp = _series("us.rrp", {"2024-01-03": 600.0, "2024-01-15": 500.0})
    net = net_liquidity_usd_bn(assets, tga, rrp)
    assert net.iloc[0] == pytest.approx(8000.0 - 700.0 - 600.0)
    assert np.isnan(net.iloc[1])
    # A longer limit, asked for explicitly, carries it.
    looser = net_liquidity_usd_bn(assets, tga, rrp, max_age={"rrp": timedelta(days=10)})
    assert looser.iloc[1] == pytest.approx(7900.0 - 710.0 - 500.0)


def test_net_liquidity_mixes_datetime_resolutions() -> None:
    # The snapshot reads obs_dates as datetime64[us], the store as datetime64[ns].
    assets = _series("us.fed.assets", {"2024-01-03": 8_000_000.0})
    assets.index = pd.DatetimeIndex(assets.index).as_unit("us")
    tga = _series("us.tga", {"2024-01-03": 700_000.0})
    tga.index = pd.DatetimeIndex(tga.index).as_unit("ns")
    rrp = _series("us.rrp", {"2024-01-03": 600.0})
    rrp.index = pd.DatetimeIndex(rrp.index).as_unit("s")
    net = net_liquidity_usd_bn(assets, tga, rrp)
    assert net.tolist() == [6700.0]
    assert net.index.equals(assets.index)


def test_net_liquidity_refuses_unknown_units_and_keys() -> None:
    s = _series("us.fed.assets", {"2024-01-03": 1.0})
    with pytest.raises(ValueError, match="usd_bn"):
        net_liquidity_usd_bn(s, s, s, tga_unit="jpy_bn")
    with pytest.raises(ValueError, match="max_age keys"):
        net_liquidity_usd_bn(s, s, s, max_age={"walcl": timedelta(days=1)})


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(1e5, 1e7), st.floats(0, 1e6), st.floats(0, 3000)),
        min_size=1,
        max_size=20,
    )
)
def test_net_liquidity_is_assets_less_tga_less_rrp_on_common_dates(
    rows: list[tuple[float, float, float]],
) -> None:
    days = pd.date_range("2023-01-04", periods=len(rows), freq="7D")
    assets = pd.Series([r[0] for r in rows], index=days, name="us.fed.assets")
    tga = pd.Series([r[1] for r in rows], index=days, name="us.tga")
    rrp = pd.Series([r[2] for r in rows], index=days, name="us.rrp")
    net = net_liquidity_usd_bn(assets, tga, rrp)
    expected = assets / 1000 - tga / 1000 - rrp
    np.testing.assert_allclose(net.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-9)


# --- QT pace ----------------------------------------------------------------------------


def test_qt_pace_by_hand() -> None:
    assets = _series(
        "us.fed.assets",
        {"2024-01-03": 8_000_000.0, "2024-02-07": 7_960_000.0, "2024-04-03": 7_900_000.0},
    )
    pace = qt_pace_usd_bn_per_month(assets)
    # 2024-04-03 minus 3 months = 2024-01-03, observed exactly; 91 days elapsed
    # = 91 / 30.436875 = 2.98979 months; change = 7,900 - 8,000 = -100 bn
    # pace = -100 / 2.98979 = -33.4472 bn/month
    assert pace.loc["2024-04-03"] == pytest.approx(-100.0 / (91 / 30.436875))
    assert pace.loc["2024-04-03"] == pytest.approx(-33.4472, abs=1e-4)
    # The first two dates have no observation three months earlier.
    assert pace.iloc[:2].isna().all()


def test_qt_pace_on_real_data_summer_2024() -> None:
    assets = snapshot_series(snapshot_frame(), "us.fed.assets")
    pace = qt_pace_usd_bn_per_month(assets)
    # 2024-08-07: 7,175,256; three months back is Tue 2024-05-07, the Wednesday on or
    # before it is 2024-05-01: 7,362,474. Change -187,218 mn = -187.218 bn over
    # 98 days = 3.21978 months -> -58.146 bn/month (runoff).
    assert pace.loc["2024-08-07"] == pytest.approx(-187.218 / (98 / DAYS_PER_MONTH))
    assert pace.loc["2024-08-07"] == pytest.approx(-58.146, abs=1e-3)


@settings(max_examples=40, deadline=None)
@given(st.floats(-5.0, 5.0), st.integers(1, 12))
def test_qt_pace_of_a_linear_balance_sheet_is_its_slope(
    slope_bn_per_day: float, months: int
) -> None:
    days = pd.date_range("2022-01-05", periods=120, freq="7D")
    elapsed = (days - days[0]).days.to_numpy(dtype="float64")
    # usd_mn: 8,000 bn = 8,000,000 mn
    assets = pd.Series(1e3 * (8000.0 + slope_bn_per_day * elapsed), index=days)
    pace = qt_pace_usd_bn_per_month(assets, months=months).dropna()
    assert not pace.empty
    np.testing.assert_allclose(pace.to_numpy(), slope_bn_per_day * DAYS_PER_MONTH, atol=1e-6)


def test_qt_pace_needs_a_window() -> None:
    with pytest.raises(ValueError, match="months"):
        qt_pace_usd_bn_per_month(_series("us.fed.assets", {"2024-01-03": 1.0}), months=0)


# --- M2 growth ---------------------------------------------------------------------------


def test_m2_yoy_on_real_data() -> None:
    m2 = snapshot_series(snapshot_frame(), "us.m2")
    growth = m2_yoy_pct(m2)
    # M2SL 2024-08 = 21,191.9; 2023-08 = 20,782.0 -> 100 * (21191.9 / 20782.0 - 1) = 1.9724
    assert growth.loc["2024-08-01"] == pytest.approx(100 * (21191.9 / 20782.0 - 1))
    assert growth.loc["2024-08-01"] == pytest.approx(1.9724, abs=1e-4)


def test_m2_yoy_refuses_to_bridge_a_missing_month() -> None:
    months = pd.date_range("2022-01-01", periods=26, freq="MS")
    m2 = pd.Series(100.0 + np.arange(26.0), index=months, name="us.m2")
    gappy = m2.drop(pd.Timestamp("2022-03-01"))
    growth = m2_yoy_pct(gappy)
    # 2023-03 would need 2022-03, which is missing: NaN, not a comparison with 2022-04
    # (what a shift by twelve observations would silently do).
    assert np.isnan(growth.loc["2023-03-01"])
    # Its neighbours still compare the right months: 2023-04 = 115 vs 2022-04 = 103.
    assert growth.loc["2023-04-01"] == pytest.approx(100 * (115.0 / 103.0 - 1))
    # 2024-02 (index 25, value 125) vs 2023-02 (value 113).
    assert growth.loc["2024-02-01"] == pytest.approx(100 * (125.0 / 113.0 - 1))
    naive = 100 * (gappy / gappy.shift(12) - 1)
    assert not np.isnan(naive.loc["2023-03-01"])  # the bug the function avoids


@settings(max_examples=60, deadline=None)
@given(st.floats(-0.02, 0.03), st.integers(13, 40), st.data())
def test_constant_monthly_growth_gives_constant_yoy(
    monthly: float, n: int, data: st.DataObject
) -> None:
    months = pd.date_range("2015-01-01", periods=n, freq="MS")
    series = pd.Series(100.0 * (1 + monthly) ** np.arange(n), index=months, name="x")
    drop = data.draw(st.sets(st.integers(0, n - 1), max_size=3))
    kept = series.drop(months[sorted(drop)])
    growth = twelve_month_change_pct(kept)
    expected = 100 * ((1 + monthly) ** 12 - 1)
    for when, value in zip(pd.DatetimeIndex(growth.index), growth.to_numpy(), strict=True):
        year_ago = when - pd.DateOffset(months=12)
        if year_ago in kept.index:
            assert value == pytest.approx(expected, rel=1e-9, abs=1e-9)
        else:
            assert np.isnan(value)


# --- snapshot as of a date ------------------------------------------------------------------


def test_liquidity_asof_the_carry_unwind_week() -> None:
    frame = snapshot_frame()
    snap = liquidity_asof(
        snapshot_series(frame, "us.fed.assets"),
        snapshot_series(frame, "us.tga"),
        snapshot_series(frame, "us.rrp"),
        date(2024, 8, 7),
        m2=snapshot_series(frame, "us.m2"),
    )
    assert snap.net_liquidity_usd_bn == pytest.approx(6103.363)
    assert snap.assets_obs_date == snap.tga_obs_date == snap.rrp_obs_date == date(2024, 8, 7)
    assert snap.qt_pace_usd_bn_per_month == pytest.approx(-58.146, abs=1e-3)
    assert snap.m2_obs_date == date(2024, 8, 1)
    assert snap.m2_yoy_pct == pytest.approx(1.9724, abs=1e-4)
    assert snap.missing == ()
    assert snap.reasons == ()
    assert "net liquidity USD 6,103bn" in snap.summary()


def test_liquidity_asof_names_stale_inputs_and_degrades() -> None:
    frame = snapshot_frame()
    # The snapshot's WALCL ends 2026-07-22 and RRP 2026-07-29; the DTS TGA runs further.
    snap = liquidity_asof(
        snapshot_series(frame, "us.fed.assets"),
        snapshot_series(frame, "us.tga"),
        snapshot_series(frame, "us.rrp"),
        date(2026, 9, 1),
    )
    assert snap.net_liquidity_usd_bn is None
    assert snap.assets_usd_bn is None
    assert snap.qt_pace_usd_bn_per_month is None
    assert snap.missing == ("us.fed.assets", "us.rrp")
    assert any("us.fed.assets is stale" in r and "2026-07-22" in r for r in snap.reasons)
    assert any("us.m2 was not supplied" in r for r in snap.reasons)
    assert snap.tga_usd_bn is not None  # what is fresh is still reported
    assert "missing: us.fed.assets, us.rrp" in snap.summary()
