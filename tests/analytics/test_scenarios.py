"""Spread scenarios to yen positioning and unwind notionals: hand-derived numbers, properties,
and the CFTC positioning of 2022-2026 from the snapshot."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.alignment import align_asof
from carrywatch.analytics.scenarios import (
    BIS_CARRY_STOCK_USD_BN,
    CME_YEN_CONTRACT_JPY,
    PositioningModel,
    UnwindAssumptions,
    fit_positioning_model,
    newey_west_covariance,
    newey_west_lag,
    unwind_scenario,
)
from carrywatch.errors import InsufficientDataError
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series

# ---------------------------------------------------------------- Newey-West by hand


def test_newey_west_intercept_only_by_hand() -> None:
    # y = [1, 2, 3, 6] on a constant: b = mean = 3, e = [-2, -1, 0, 3], X'X = 4.
    # S0 = sum e^2 = 4 + 1 + 0 + 9 = 14; lag-1 autocovariance sum e_t e_{t-1}
    # = (-1)(-2) + 0(-1) + 3(0) = 2, weight 1 - 1/2 = 1/2.
    # lag 1: S = 14 + 2 * 0.5 * 2 = 16, V = S / 4^2 = 1.0
    # lag 0 (White): V = 14 / 16 = 0.875
    x = np.ones((4, 1))
    e = np.array([-2.0, -1.0, 0.0, 3.0])
    assert newey_west_covariance(x, e, 1)[0, 0] == pytest.approx(1.0)
    assert newey_west_covariance(x, e, 0)[0, 0] == pytest.approx(0.875)
    with pytest.raises(ValueError, match="negative"):
        newey_west_covariance(x, e, -1)


def test_newey_west_lag_rule() -> None:
    # floor(4 (n/100)^(2/9)): n=100 -> 4; n=208 -> 4 * 2.08^0.2222 = 4.70 -> 4; n=1000 -> 6.64 -> 6.
    assert [newey_west_lag(n) for n in (100, 208, 1000)] == [4, 4, 6]


# ---------------------------------------------------------------- fit by hand

TUESDAYS = pd.date_range("2024-01-02", periods=6, freq="7D")  # 2024-01-02 .. 2024-02-06


def _hand_inputs() -> tuple[pd.Series, pd.Series]:
    # Five weeks with spreads 1..5 pp, observed on the Monday before each report Tuesday
    # (so the as-of value is one day old); the sixth report has no spread within 7 days.
    net = pd.Series(
        [-10_000.0, -30_000.0, -20_000.0, -50_000.0, -40_000.0, -45_000.0],
        index=TUESDAYS,
        name="cftc.jpy.noncommercial_net",
    )
    spread = pd.Series(
        [1.0, 2.0, 3.0, 4.0, 5.0],
        index=TUESDAYS[:5] - pd.Timedelta(days=1),
        name="spread.us_jp.10y",
    )
    return net, spread


def _hand_model() -> PositioningModel:
    net, spread = _hand_inputs()
    return fit_positioning_model(net, spread, hac_lag=1)


def test_fit_by_hand() -> None:
    model = _hand_model()
    # In thousands of contracts: x = 1..5, y = -10, -30, -20, -50, -40 (the 6th week is
    # dropped: its latest spread, 2024-01-29, is 8 days old).
    # xbar = 3, ybar = -30, Sxx = 10, Sxy = (-2)(20) + (-1)(0) + 0 + (1)(-20) + (2)(-10) = -80
    # b = -80 / 10 = -8, a = -30 - (-8)(3) = -6.
    # fitted -14, -22, -30, -38, -46; e = 4, -8, 10, -12, 6; SSR = 360; SST = 1000
    # R2 = 1 - 360/1000 = 0.64; residual sd = sqrt(360 / (5 - 2)) = sqrt(120) = 10.954.
    # HAC slope variance = sum_t sum_s w_|t-s| h_t e_t h_s e_s / Sxx^2 with h = x - xbar:
    # v = h e = (-8, 8, 0, -12, 12); sum v^2 = 416; sum v_t v_{t-1} = -64 + 0 + 0 - 144 = -208
    # lag 1 (w = 1/2): (416 + 2 * 0.5 * (-208)) / 100 = 2.08 -> se 1.44222 (thousand contracts)
    assert model.spread_coef_contracts_per_pp == pytest.approx(-8_000.0)
    assert model.intercept_contracts == pytest.approx(-6_000.0)
    assert model.r_squared == pytest.approx(0.64)
    assert model.residual_std_contracts == pytest.approx(1_000.0 * math.sqrt(120.0))
    assert model.spread_se_contracts_per_pp == pytest.approx(1_000.0 * math.sqrt(2.08))
    assert model.spread_t_stat == pytest.approx(-8.0 / math.sqrt(2.08))
    assert (model.n_obs, model.n_dropped, model.hac_lag) == (5, 1, 1)
    assert (model.sample_start, model.sample_end) == (date(2024, 1, 2), date(2024, 1, 30))
    assert model.peak_net_short_contracts == 50_000.0
    assert model.peak_net_short_date == date(2024, 1, 23)
    assert model.carry_to_vol_coef_contracts is None
    assert model.missing is not None
    assert "spread.us_jp.10y" in model.missing
    assert "carry-to-vol not given" in model.missing
    assert "Newey-West" in model.se_method
    assert "descriptive, not causal" in model.summary()


def test_white_errors_with_lag_zero() -> None:
    net, spread = _hand_inputs()
    # lag 0: slope variance = sum v^2 / Sxx^2 = 416 / 100 = 4.16 (see test_fit_by_hand).
    model = fit_positioning_model(net, spread, hac_lag=0)
    assert model.spread_se_contracts_per_pp == pytest.approx(1_000.0 * math.sqrt(4.16))


def test_carry_to_vol_enters_the_fit() -> None:
    net, spread = _hand_inputs()
    # net = 1000 * (2 - 3 * spread + 4 * c2v) exactly: the fit recovers it with R2 = 1.
    c2v = pd.Series([0.5, 0.1, 0.9, 0.3, 0.7], index=spread.index, name="carry_to_vol")
    exact = 1_000.0 * (2.0 - 3.0 * spread.to_numpy() + 4.0 * c2v.to_numpy())
    net = pd.Series(exact, index=TUESDAYS[:5], name=net.name)
    model = fit_positioning_model(net, spread, c2v)
    assert model.spread_coef_contracts_per_pp == pytest.approx(-3_000.0)
    assert model.carry_to_vol_coef_contracts == pytest.approx(4_000.0)
    assert model.r_squared == pytest.approx(1.0)
    assert model.missing is None


def test_too_short_or_flat_raises() -> None:
    net, spread = _hand_inputs()
    with pytest.raises(InsufficientDataError) as info:
        fit_positioning_model(net.iloc[:3], spread)
    assert info.value.series == ("cftc.jpy.noncommercial_net", "spread.us_jp.10y")
    flat = pd.Series(2.0, index=spread.index, name="spread.us_jp.10y")
    with pytest.raises(InsufficientDataError, match="does not vary"):
        fit_positioning_model(net, flat)


# ---------------------------------------------------------------- scenario by hand


def test_scenario_by_hand() -> None:
    model = _hand_model()  # b = -8000 contracts/pp, se 1442.22, peak net short 50,000
    assumptions = UnwindAssumptions(repatriation_share=0.5, repatriation_share_source="test")
    scenario = unwind_scenario(
        model,
        2.0,
        1.5,
        6,
        assumptions,
        usdjpy=125.0,
        n_paths=200_000,
        rng=np.random.default_rng(11),
        residual_scale=0.0,
    )
    # ds = 1.5 - 2.0 = -0.5 pp; dN = -8000 * -0.5 = +4000 contracts (yen bought).
    # Notional: 4000 * 12.5e6 JPY = 5e10 JPY / 125 = 4e8 USD = 0.4 USD bn.
    # Fraction of the 50,000 peak net short: 4000 / 50000 = 0.08;
    # unwind = 250 bn (BIS) * 0.5 * 0.08 = 10 USD bn.
    assert scenario.spread_change_pp == pytest.approx(-0.5)
    assert scenario.spread_path_pp == pytest.approx(
        (1.9166667, 1.8333333, 1.75, 1.6666667, 1.5833333, 1.5)
    )
    assert scenario.net_change_contracts == pytest.approx(4_000.0)
    assert scenario.net_change_usd_bn == pytest.approx(0.4)
    assert scenario.positioning_scale_contracts == 50_000.0
    assert scenario.unwind_fraction == pytest.approx(0.08)
    assert scenario.unwind_usd_bn == pytest.approx(10.0)
    # Without residual, dN_j = (b + se z_j) ds = 4000 - 0.5 * 1442.22 z_j, so the 5/95 %
    # band is 4000 -/+ 0.5 * 1442.22 * 1.6449 = 4000 -/+ 1186.2 (sampling error ~0.5 %).
    band = scenario.net_change_band_contracts
    assert band.p5 == pytest.approx(2_813.8, rel=0.01)
    assert band.p50 == pytest.approx(4_000.0, rel=0.01)
    assert band.p95 == pytest.approx(5_186.2, rel=0.01)
    # The dollar bands are the same paths through the same formulas.
    assert scenario.net_change_band_usd_bn.p5 == pytest.approx(band.p5 * 12.5e6 / 125.0 / 1e9)
    assert scenario.unwind_band_usd_bn is not None
    assert scenario.unwind_band_usd_bn.p95 == pytest.approx(125.0 * band.p95 / 50_000.0)
    assert (scenario.seed, scenario.n_paths, scenario.residual_scale) == (11, 200_000, 0.0)
    assert scenario.contract_size_jpy == CME_YEN_CONTRACT_JPY == 12_500_000.0
    assert scenario.missing is None


def test_every_assumption_is_in_the_result() -> None:
    scenario = unwind_scenario(
        _hand_model(), 2.0, 1.5, 6, UnwindAssumptions(), usdjpy=150.0, rng=np.random.default_rng(0)
    )
    notes = " | ".join(scenario.notes)
    for needle in (
        "descriptive",
        "bisbull90",  # the carry stock's source
        "repatriation share 1",
        "user assumption",  # the share has no published source
        "positioning scale 50,000",
        "USD/JPY 150",
        "JPY 12,500,000",
        "N(-8,000, 1,442^2)",
        "clipped to [-1, 1]",
    ):
        assert needle in notes, needle
    assert scenario.assumptions.total_carry_stock_usd_bn == BIS_CARRY_STOCK_USD_BN == 250.0
    summary = scenario.summary()
    assert "seed 0" in summary
    assert "250 USD bn stock" in summary


def test_sources_follow_the_numbers() -> None:
    assert "bisbull90" in UnwindAssumptions().carry_stock_source
    assert UnwindAssumptions(total_carry_stock_usd_bn=1_100.0).carry_stock_source.startswith(
        "user assumption"
    )
    cited = UnwindAssumptions(
        total_carry_stock_usd_bn=1_100.0, total_carry_stock_source="TSLombard"
    )
    assert cited.carry_stock_source == "TSLombard"
    assert UnwindAssumptions(repatriation_share=0.3).share_source.startswith("user assumption")
    with pytest.raises(ValueError, match="repatriation_share"):
        UnwindAssumptions(repatriation_share=1.5)
    with pytest.raises(ValueError, match="total_carry_stock"):
        UnwindAssumptions(total_carry_stock_usd_bn=0.0)


def test_no_net_short_degrades_to_named_missing() -> None:
    net, spread = _hand_inputs()
    long_only = fit_positioning_model(-net, spread)
    assert long_only.peak_net_short_contracts is None
    scenario = unwind_scenario(
        long_only, 2.0, 1.5, 3, UnwindAssumptions(), usdjpy=150.0, rng=np.random.default_rng(0)
    )
    assert scenario.unwind_usd_bn is None
    assert scenario.unwind_band_usd_bn is None
    assert scenario.missing is not None
    assert "cftc.jpy.noncommercial_net" in scenario.missing
    given_scale = unwind_scenario(
        long_only,
        2.0,
        1.5,
        3,
        UnwindAssumptions(positioning_scale_contracts=40_000.0),
        usdjpy=150.0,
        rng=np.random.default_rng(0),
    )
    # dN = +8000 * -0.5 = -4000 (carry added): -4000 / 40000 = -0.1 of 250 bn = -25 bn.
    assert given_scale.unwind_usd_bn == pytest.approx(-25.0)


# ---------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    current=st.floats(-1.0, 6.0),
    target=st.floats(-1.0, 6.0),
    scale=st.floats(0.0, 3.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_scenario_properties(current: float, target: float, scale: float, seed: int) -> None:
    model = _hand_model()
    args = (model, current, target, 4, UnwindAssumptions())
    one = unwind_scenario(
        *args, usdjpy=150.0, n_paths=2_000, rng=np.random.default_rng(seed), residual_scale=scale
    )
    two = unwind_scenario(
        *args, usdjpy=150.0, n_paths=2_000, rng=np.random.default_rng(seed), residual_scale=scale
    )
    assert one == two  # reproducible from the seed
    for band in (one.net_change_band_contracts, one.net_change_band_usd_bn, one.unwind_band_usd_bn):
        assert band is not None
        assert band.p5 <= band.p50 <= band.p95
    assert one.unwind_fraction is not None
    assert -1.0 <= one.unwind_fraction <= 1.0
    assert one.unwind_band_usd_bn is not None
    assert one.unwind_band_usd_bn.p5 >= -250.0
    assert one.unwind_band_usd_bn.p95 <= 250.0
    # The slope is negative: a narrower spread implies yen buying (unwinding), a wider one carry.
    assert one.net_change_contracts * (target - current) <= 0.0
    assert one.spread_path_pp[-1] == pytest.approx(target)


def test_no_move_no_change() -> None:
    scenario = unwind_scenario(
        _hand_model(),
        1.8,
        1.8,
        6,
        UnwindAssumptions(),
        usdjpy=150.0,
        rng=np.random.default_rng(5),
        residual_scale=0.0,
    )
    assert scenario.net_change_band_contracts.p5 == scenario.net_change_band_contracts.p95 == 0.0
    assert scenario.unwind_usd_bn == 0.0


# ---------------------------------------------------------------- real data (snapshot)


@pytest.fixture(scope="module")
def real_inputs() -> tuple[pd.Series, pd.Series, pd.Series]:
    frame = snapshot_frame()
    us = snapshot_series(frame, "us.ust.10y")
    jgb = snapshot_series(frame, "jp.jgb.10y")
    us_dates = pd.DatetimeIndex(us.index)
    # Spread on the US calendar, the JGB as of each US date (at most 4 days old: a Tokyo
    # holiday weekend; a looser limit here would compound with the 7 days allowed when the
    # spread is sampled on the CFTC dates).
    spread = (us - align_asof(jgb, us_dates, timedelta(days=4))).dropna()
    spread.name = "spread.us_jp.10y"
    net = snapshot_series(frame, "cftc.jpy.noncommercial_net")
    usdjpy = snapshot_series(frame, "fx.usdjpy")
    return net, spread, usdjpy


def test_cftc_positioning_model_on_snapshot(
    real_inputs: tuple[pd.Series, pd.Series, pd.Series],
) -> None:
    net, spread, usdjpy = real_inputs
    # The record positions of the 2024 carry unwind are in the snapshot as published.
    assert net[pd.Timestamp("2024-07-02")] == -184_223.0
    assert net[pd.Timestamp("2024-08-13")] == 23_104.0
    model = fit_positioning_model(net, spread)
    # The CFTC history in the snapshot starts 2022-07-26; the JGB series ends 2026-06-30,
    # so the last spread is 2026-07-02 and report dates after 2026-07-07 are dropped and named.
    assert model.sample_start == date(2022, 7, 26)
    assert model.sample_end == date(2026, 7, 7)
    assert model.n_obs + model.n_dropped == len(net)
    assert model.missing is not None
    assert "spread.us_jp.10y" in model.missing
    assert model.peak_net_short_contracts == 184_223.0
    assert model.peak_net_short_date == date(2024, 7, 2)
    assert model.hac_lag == newey_west_lag(model.n_obs) == 4
    # A wider US-Japan spread went with a larger speculative yen short over 2022-2026.
    assert model.spread_coef_contracts_per_pp < 0
    assert 0.0 < model.r_squared < 1.0

    # US 10y 2024-08-05 = 3.78 and JGB 10y 0.781: spread 2.999 pp.
    assert spread[pd.Timestamp("2024-08-05")] == pytest.approx(3.78 - 0.781)
    # The swing from the record short (2024-07-02) to 2024-08-13 was +207,327 contracts:
    # 207,327 * 12.5e6 JPY = 2.5916e12 JPY, / 146.97 (DEXJPUS 2024-08-13) = USD 17.63 bn.
    rate = float(usdjpy[pd.Timestamp("2024-08-13")])
    assert rate == 146.97
    scenario = unwind_scenario(
        model,
        current_spread_pp=2.0,
        target_spread_pp=2.0 + 207_327.0 / model.spread_coef_contracts_per_pp,
        months=6,
        assumptions=UnwindAssumptions(),
        usdjpy=rate,
        rng=np.random.default_rng(7),
    )
    assert scenario.net_change_contracts == pytest.approx(207_327.0)
    assert scenario.net_change_usd_bn == pytest.approx(17.6334, abs=1e-3)
    # 207,327 / 184,223 > 1: more than the peak short, so the whole 250 bn stock (clipped).
    assert scenario.unwind_fraction == 1.0
    assert scenario.unwind_usd_bn == pytest.approx(250.0)


@settings(max_examples=40, deadline=None)
@given(n_paths=st.integers(1, 500), seed=st.integers(0, 2**32 - 1), scale=st.floats(0.0, 2.0))
def test_bands_are_percentiles_of_the_simulated_paths(
    n_paths: int, seed: int, scale: float
) -> None:
    model = _hand_model()
    scenario = unwind_scenario(
        model,
        2.5,
        1.5,
        6,
        UnwindAssumptions(),
        usdjpy=150.0,
        n_paths=n_paths,
        rng=np.random.default_rng(seed),
        residual_scale=scale,
    )
    # Rebuild the paths from the same seed: dN_j = (b + se z0_j) ds + scale * s_e * z1_j.
    z = np.random.default_rng(seed).standard_normal((2, n_paths))
    ds = -1.0
    paths = (
        model.spread_coef_contracts_per_pp + model.spread_se_contracts_per_pp * z[0]
    ) * ds + scale * model.residual_std_contracts * z[1]
    expected = np.percentile(paths, [5, 50, 95], method="inverted_cdf")
    band = scenario.net_change_band_contracts
    np.testing.assert_allclose([band.p5, band.p50, band.p95], expected, rtol=1e-9, atol=1e-6)
