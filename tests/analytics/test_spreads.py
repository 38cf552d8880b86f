"""Spreads, history ranks and rolling correlations: hand-derived numbers, properties, real data."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no type stubs

from carrywatch.analytics.alignment import STALENESS_LIMITS
from carrywatch.analytics.spreads import (
    HistoryRank,
    fed_target_midpoint_pct,
    history_rank,
    policy_spread_pp,
    rolling_correlation,
    spread_pp,
)
from carrywatch.errors import InsufficientDataError
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series

DAILY = STALENESS_LIMITS["daily"]
EVENT = STALENESS_LIMITS["event"]


def _series(values: list[float], dates: list[str] | pd.DatetimeIndex, name: str) -> pd.Series:
    return pd.Series(values, index=pd.DatetimeIndex(dates), name=name, dtype="float64")


def _bdays(n: int, start: str = "2024-01-01") -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=n)


# --- spread_pp --------------------------------------------------------------------------


def test_spread_takes_the_latest_japanese_value_on_or_before_each_us_date() -> None:
    # Thu 11, Fri 12, Mon 15 July 2024: Monday is Marine Day, JGBs do not trade, so the
    # Monday spread uses Friday's JGB: 4.23 - 1.055 = 3.175. The JGB of Tue 16 is never
    # used for an earlier date. Thu: 4.20 - 1.089 = 3.111; Fri: 4.18 - 1.055 = 3.125.
    us = _series([4.20, 4.18, 4.23], ["2024-07-11", "2024-07-12", "2024-07-15"], "us.ust.10y")
    jp = _series([1.089, 1.055, 1.032], ["2024-07-11", "2024-07-12", "2024-07-16"], "jp.jgb.10y")
    spread = spread_pp(us, jp, max_age=DAILY)
    assert spread.name == "us.ust.10y-jp.jgb.10y"
    assert list(spread.index) == list(us.index)
    assert spread.to_list() == pytest.approx([3.111, 3.125, 3.175], abs=1e-12)


def test_spread_is_missing_past_the_staleness_limit() -> None:
    # Friday's JGB is 3 days old on Monday: beyond a 2-day limit, so NaN (not Friday's).
    us = _series([4.18, 4.23], ["2024-07-12", "2024-07-15"], "us")
    jp = _series([1.055], ["2024-07-12"], "jp")
    spread = spread_pp(us, jp, max_age=timedelta(days=2))
    assert spread.iloc[0] == pytest.approx(3.125)
    assert math.isnan(spread.iloc[1])


def test_spread_without_any_japanese_value_names_the_series() -> None:
    us = _series([4.18], ["2024-07-12"], "us.ust.10y")
    jp = _series([1.055], ["2024-08-12"], "jp.jgb.10y")
    with pytest.raises(InsufficientDataError) as caught:
        spread_pp(us, jp, max_age=DAILY)
    assert caught.value.series == ("jp.jgb.10y",)


def test_equal_spreads_compare_equal() -> None:
    # 3.78 - 0.781 and 3.80 - 0.801 are both 2.999 pp; in binary floating point they
    # differ in the 16th digit, which would break "at or below" counts.
    us = _series([3.78, 3.80], ["2024-08-05", "2024-08-06"], "us")
    jp = _series([0.781, 0.801], ["2024-08-05", "2024-08-06"], "jp")
    spread = spread_pp(us, jp, max_age=DAILY)
    assert spread.iloc[0] == spread.iloc[1] == 2.999


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 800), st.integers(-100, 100)), min_size=1, max_size=30))
def test_spread_on_common_dates_is_the_difference(pairs: list[tuple[int, int]]) -> None:
    dates = _bdays(len(pairs))
    us = _series([a / 100 for a, _ in pairs], dates, "us")
    jp = _series([b / 100 for _, b in pairs], dates, "jp")
    spread = spread_pp(us, jp, max_age=DAILY)
    assert np.allclose(spread.to_numpy(), us.to_numpy() - jp.to_numpy(), atol=1e-9)


# --- policy spread ----------------------------------------------------------------------


def test_policy_spread_uses_the_fed_midpoint_and_the_boj_rate_in_force() -> None:
    # Fed range 5.25-5.50: midpoint 5.375. BOJ 0.10 from the 2024-06-14 meeting, 0.25 from
    # 2024-07-31. 2024-07-30: 5.375 - 0.10 = 5.275; 2024-08-01: 5.375 - 0.25 = 5.125.
    days = ["2024-07-30", "2024-08-01"]
    upper = _series([5.50, 5.50], days, "us.fed.target_upper")
    lower = _series([5.25, 5.25], days, "us.fed.target_lower")
    boj = _series([0.10, 0.25], ["2024-06-14", "2024-07-31"], "jp.boj.policy_rate")
    assert fed_target_midpoint_pct(upper, lower).to_list() == [5.375, 5.375]
    spread = policy_spread_pp(upper, lower, boj)
    assert spread.to_list() == pytest.approx([5.275, 5.125])


def test_policy_spread_ends_where_the_boj_had_no_rate_target() -> None:
    # The last rate decision before the monetary-base era is 2013-02-14; 121 days later
    # it is past the 120-day event limit, so the spread is missing, not -0.1 or 0.1.
    upper = _series([0.25, 0.25], ["2013-06-14", "2013-06-17"], "us.fed.target_upper")
    lower = _series([0.0, 0.0], ["2013-06-14", "2013-06-17"], "us.fed.target_lower")
    boj = _series([0.1], ["2013-02-14"], "jp.boj.policy_rate")
    spread = policy_spread_pp(upper, lower, boj)
    assert spread.iloc[0] == pytest.approx(0.025)  # 120 days: 0.125 - 0.10
    assert math.isnan(spread.iloc[1])


# --- history_rank: hand-derived ---------------------------------------------------------

DIGITS = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]


def test_history_rank_by_hand() -> None:
    dates = _bdays(8, "2024-01-01")  # Mon 1 Jan .. Wed 10 Jan 2024
    series = _series(DIGITS, dates, "x")
    rank = history_rank(series, date(2024, 1, 10), label="test spread", unit="pp")
    # Today 6 (Wed 10 Jan). At or below 6: 3, 1, 4, 1, 5, 2, 6 -> 7 of 8 = 87.5 %.
    assert rank.obs_date == date(2024, 1, 10)
    assert rank.value == 6.0
    assert rank.percentile == 87.5
    # mean 31/8 = 3.875; squared deviations sum to 52.875; s = sqrt(52.875 / 7).
    assert rank.zscore == pytest.approx((6.0 - 3.875) / math.sqrt(52.875 / 7))
    assert rank.n_obs == 8
    # Last earlier day at or below 6: Tue 9 Jan (2); at or above 6: Mon 8 Jan (9).
    assert rank.lowest_since == date(2024, 1, 9)
    assert rank.highest_since == date(2024, 1, 8)
    # "highest since 8 Jan" spans longer than "lowest since 9 Jan".
    assert (
        rank.summary()
        == "test spread 6.00 pp, highest since 2024-01-08 (88th percentile since 2024-01-01)"
    )


def test_history_rank_window_and_asof_between_dates() -> None:
    series = _series(DIGITS, _bdays(8, "2024-01-01"), "x")
    # Sat 6 Jan: the latest on or before is Fri 5 Jan (5); data after it is not seen.
    # History since Wed 3 Jan: 4, 1, 5 -> 5 is the max: 100th percentile.
    rank = history_rank(series, date(2024, 1, 6), start=date(2024, 1, 3))
    assert (rank.obs_date, rank.value, rank.n_obs) == (date(2024, 1, 5), 5.0, 3)
    assert rank.percentile == 100.0
    assert rank.history_start == date(2024, 1, 3)
    # "highest since" looks at the whole series: nothing at or above 5 before it.
    assert rank.highest_since is None
    assert rank.statement == "highest since the start of the data, 2024-01-01"
    assert rank.lowest_since == date(2024, 1, 4)  # the 1 of Thu 4 Jan


def test_history_rank_refuses_what_it_cannot_rank() -> None:
    series = _series(DIGITS, _bdays(8, "2024-01-01"), "us.ust.10y-jp.jgb.10y")
    with pytest.raises(InsufficientDataError) as caught:
        history_rank(series, date(2023, 12, 29))
    assert caught.value.series == ("us.ust.10y-jp.jgb.10y",)
    with pytest.raises(InsufficientDataError, match="stale"):
        history_rank(series, date(2024, 3, 1), max_age=DAILY)


def test_the_first_observation_is_said_so() -> None:
    rank = history_rank(_series([1.5], ["2024-01-02"], "x"), date(2024, 1, 2))
    assert rank.percentile == 100.0
    assert rank.zscore is None
    assert rank.statement == "the first observation, 2024-01-02"


# --- history_rank: properties -----------------------------------------------------------

values_strategy = st.lists(st.integers(-50, 50), min_size=1, max_size=60)


def _rank_of(values: list[int], start_at: int = 0) -> tuple[pd.Series, HistoryRank]:
    series = _series([v / 10 for v in values], _bdays(len(values)), "x")
    start = series.index[min(start_at, len(values) - 1)].date()
    return series, history_rank(series, series.index[-1].date(), start=start)


@settings(max_examples=100, deadline=None)
@given(values_strategy, st.integers(0, 59))
def test_percentile_is_the_weak_percentile_of_score(values: list[int], start_at: int) -> None:
    series, rank = _rank_of(values, start_at)
    assert 0.0 < rank.percentile <= 100.0
    window = series.loc[pd.Timestamp(rank.history_start) :].to_numpy()
    expected = stats.percentileofscore(window, rank.value, kind="weak")
    assert rank.percentile == pytest.approx(expected)


@settings(max_examples=100, deadline=None)
@given(values_strategy)
def test_since_dates_are_the_last_day_at_or_beyond_today(values: list[int]) -> None:
    series, rank = _rank_of(values)
    today = pd.Timestamp(rank.obs_date)
    for since, beyond in (
        (rank.lowest_since, np.less_equal),
        (rank.highest_since, np.greater_equal),
    ):
        if since is None:
            # Nothing earlier is at or beyond today's value.
            assert not beyond(series.loc[series.index < today].to_numpy(), rank.value).any()
            continue
        d = pd.Timestamp(since)
        assert beyond(series.loc[d], rank.value)
        between = series.loc[(series.index > d) & (series.index < today)].to_numpy()
        assert not beyond(between, rank.value).any()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=40, unique=True))
def test_a_strictly_decreasing_series_ends_at_its_lowest_since_the_start(
    values: list[int],
) -> None:
    series, rank = _rank_of(sorted(values, reverse=True))
    assert rank.lowest_since is None
    assert rank.statement == f"lowest since the start of the data, {series.index[0].date()}"
    assert rank.percentile == pytest.approx(100.0 / len(values))


# --- rolling_correlation ----------------------------------------------------------------


def test_rolling_correlation_of_changes_by_hand() -> None:
    # Levels x: 0, 1, 3, 6 -> changes 1, 2, 3; y: 0, 1, 4, 6 -> changes 1, 3, 2.
    # Deviations from the means (2, 2): (-1, 0, 1) and (-1, 1, 0): covariance sum 1,
    # squared sums 2 and 2: r = 1 / sqrt(2 * 2) = 0.5.
    dates = _bdays(4)
    x = _series([0.0, 1.0, 3.0, 6.0], dates, "x")
    y = _series([0.0, 1.0, 4.0, 6.0], dates, "y")
    corr = rolling_correlation(x, y, window=3)
    assert list(corr.index) == list(dates[1:])
    assert corr.iloc[-1] == pytest.approx(0.5)
    assert corr.iloc[:-1].isna().all()


def test_trending_levels_correlate_where_their_changes_do_not() -> None:
    # Two upward trends with unrelated wiggles: x changes +1, +3, +1, +3 ...; y changes
    # +3, +3, +1, +1, +3, +3 ... Levels correlate near 1 (both rise); changes do not.
    n = 41
    x = np.cumsum([1.0 if i % 2 else 3.0 for i in range(n)])
    y = np.cumsum([3.0 if (i // 2) % 2 == 0 else 1.0 for i in range(n)])
    dates = _bdays(n)
    levels = rolling_correlation(
        _series(list(x), dates, "x"), _series(list(y), dates, "y"), window=40, on="levels"
    )
    changes = rolling_correlation(
        _series(list(x), dates, "x"), _series(list(y), dates, "y"), window=40
    )
    assert levels.iloc[-1] > 0.99
    assert abs(changes.iloc[-1]) < 0.1


def test_rolling_correlation_uses_only_common_dates() -> None:
    x = _series([1.0, 2.0, 4.0, 7.0, 11.0], _bdays(5), "x")
    y = _series([2.0, 4.0, 8.0, 14.0], _bdays(5)[[0, 1, 2, 4]], "y")  # y lacks day 4
    corr = rolling_correlation(x, y, window=2)
    assert list(corr.index) == list(_bdays(5)[[1, 2, 4]])
    with pytest.raises(InsufficientDataError) as caught:
        rolling_correlation(x, y, window=4)
    assert caught.value.series == ("x", "y")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-100, 100), min_size=6, max_size=30), st.sampled_from([2.0, -0.5]))
def test_correlation_of_a_linear_image_is_plus_or_minus_one(steps: list[int], slope: float) -> None:
    x = pd.Series(np.cumsum(steps, dtype="float64"), index=_bdays(len(steps)), name="x")
    corr = rolling_correlation(x, slope * x + 1.0, window=5).dropna()
    assert ((corr >= -1.0 - 1e-9) & (corr <= 1.0 + 1e-9)).all()
    assert np.allclose(corr.to_numpy(), math.copysign(1.0, slope))


# --- real data --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snap() -> pd.DataFrame:
    return snapshot_frame()


def test_real_spreads_through_the_2024_unwind(snap: pd.DataFrame) -> None:
    ten = spread_pp(
        snapshot_series(snap, "us.ust.10y"), snapshot_series(snap, "jp.jgb.10y"), max_age=DAILY
    )
    # 2024-08-05: 3.78 - 0.781 = 2.999. 2024-07-15 (Marine Day, no JGB): 4.23 - 1.055
    # (JGB of Fri 12 July) = 3.175. 2024-07-04 is a US holiday: no row.
    assert ten.loc["2024-08-05"] == pytest.approx(2.999)
    assert ten.loc["2024-07-15"] == pytest.approx(3.175)
    assert pd.Timestamp("2024-07-04") not in ten.index
    two = spread_pp(
        snapshot_series(snap, "us.ust.2y"), snapshot_series(snap, "jp.jgb.2y"), max_age=DAILY
    )
    # 2024-08-05: 3.89 - 0.265 = 3.625.
    assert two.loc["2024-08-05"] == pytest.approx(3.625)
    policy = policy_spread_pp(
        snapshot_series(snap, "us.fed.target_upper"),
        snapshot_series(snap, "us.fed.target_lower"),
        snapshot_series(snap, "jp.boj.policy_rate"),
        max_age=EVENT,
    )
    # Fed 5.25-5.50 (midpoint 5.375); the BOJ hiked to 0.25 on 2024-07-31.
    assert policy.loc["2024-07-30"] == pytest.approx(5.375 - 0.10)
    assert policy.loc["2024-08-05"] == pytest.approx(5.375 - 0.25)


def test_real_history_rank_of_the_10y_spread(snap: pd.DataFrame) -> None:
    ten = spread_pp(
        snapshot_series(snap, "us.ust.10y"), snapshot_series(snap, "jp.jgb.10y"), max_age=DAILY
    )
    rank = history_rank(
        ten, date(2024, 8, 5), start=date(2000, 1, 1), label="US-Japan 10y spread", unit="pp"
    )
    # 2.999 on 2024-08-05. Earlier: 07-31 4.09 - 1.070 = 3.020 (>= 2.999), 08-01 3.99 -
    # 1.046 = 2.944 and 08-02 3.80 - 0.974 = 2.826 (both below): highest since 07-31,
    # lowest since 08-02; the former spans longer.
    assert rank.value == pytest.approx(2.999)
    assert rank.highest_since == date(2024, 7, 31)
    assert rank.lowest_since == date(2024, 8, 2)
    assert rank.history_start == date(2000, 1, 3)
    assert rank.data_start == date(1986, 7, 7)
    history = ten.loc["2000-01-01":"2024-08-05"].dropna()
    assert rank.percentile == pytest.approx(100.0 * (history <= 2.999 + 1e-12).mean())
    assert rank.summary().startswith("US-Japan 10y spread 3.00 pp, highest since 2024-07-31 (")


def test_real_changes_of_usdjpy_and_the_10y_spread_move_together(snap: pd.DataFrame) -> None:
    ten = spread_pp(
        snapshot_series(snap, "us.ust.10y"), snapshot_series(snap, "jp.jgb.10y"), max_age=DAILY
    )
    usdjpy = snapshot_series(snap, "fx.usdjpy")
    corr = rolling_correlation(usdjpy.loc["2022":"2024"], ten.loc["2022":"2024"]).dropna()
    assert ((corr >= -1.0) & (corr <= 1.0)).all()
    # The rate-differential story of 2022-2024: positive on average.
    assert corr.mean() > 0.2
