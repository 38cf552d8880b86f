"""Alignment "as of": the latest observation on or before a date, within a staleness limit.

Both functions are checked against plain reference implementations (a loop over the
observations) on generated series: unsorted dates, gaps, NaN, several time resolutions.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.alignment import align_asof, latest_asof, staleness_limit

START = pd.Timestamp("2024-01-01")
UNITS = ("ns", "us", "s")

values = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(math.nan))


@st.composite
def series(draw: st.DrawFn, *, unique: bool = True) -> pd.Series:
    days = draw(st.lists(st.integers(0, 120), max_size=30, unique=unique))
    if draw(st.booleans()):
        days = sorted(days)
    index = pd.DatetimeIndex([START + pd.Timedelta(days=d) for d in days]).as_unit(
        draw(st.sampled_from(UNITS))
    )
    observed = draw(st.lists(values, min_size=len(days), max_size=len(days)))
    return pd.Series(np.array(observed, dtype="float64"), index=index, name="x")


def _latest_by_loop(s: pd.Series, day: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    best: tuple[pd.Timestamp, float] | None = None
    for when, value in zip(s.index, s.to_numpy(), strict=True):
        if not math.isnan(value) and when <= day and (best is None or when >= best[0]):
            best = (when, float(value))
    return best


@settings(max_examples=300, deadline=None)
@given(series(), series(unique=False), st.integers(0, 30))
def test_align_asof_takes_the_latest_observation_within_the_limit(
    observed: pd.Series, on: pd.Series, max_days: int
) -> None:
    limit = timedelta(days=max_days)
    got = align_asof(observed, pd.DatetimeIndex(on.index), limit)
    assert got.index.equals(on.index)
    assert got.name == "x"
    expected = []
    for day in on.index:
        found = _latest_by_loop(observed, day)
        expected.append(math.nan if found is None or day - found[0] > limit else found[1])
    np.testing.assert_array_equal(got.to_numpy(), np.array(expected, dtype="float64"))


@settings(max_examples=300, deadline=None)
@given(series(), st.integers(-5, 130), st.integers(0, 30))
def test_latest_asof_is_the_last_observation_on_or_before_the_date(
    observed: pd.Series, offset: int, max_days: int
) -> None:
    ordered = observed.sort_index()  # latest_asof slices by date: a sorted index
    day = (START + pd.Timedelta(days=offset)).date()
    limit = timedelta(days=max_days)
    got = latest_asof(ordered, day, limit)
    found = _latest_by_loop(ordered, pd.Timestamp(day))
    if found is None:
        assert (got.value, got.obs_date, got.stale) == (None, None, False)
        assert got.reason == f"x has no observation on or before {day}"
        return
    obs = found[0].date()
    assert got.obs_date == obs
    if day - obs > limit:
        assert (got.value, got.stale) == (None, True)
        assert got.reason is not None
        assert f"latest observation ({obs})" in got.reason
    else:
        assert (got.value, got.stale, got.reason) == (found[1], False, None)


def test_latest_asof_of_integers_takes_the_general_path() -> None:
    ints = pd.Series([1, 2, 3], index=pd.date_range("2024-01-01", periods=3), name="n")
    found = latest_asof(ints, date(2024, 1, 2), timedelta(days=3))
    assert (found.value, found.obs_date, found.series_id) == (2.0, date(2024, 1, 2), "n")
    assert isinstance(found.value, float)


def test_a_release_lag_lengthens_the_staleness_limit_only_past_the_default() -> None:
    # period + lag + 7 days of grace, never below the frequency's default:
    assert staleness_limit("monthly", 80) == timedelta(days=31 + 80 + 7)  # TIC: 118 days
    assert staleness_limit("monthly", 50) == timedelta(days=95)  # 31 + 50 + 7 = 88 < 95
    assert staleness_limit("monthly", 58) == timedelta(days=96)  # Japan CPI
    assert staleness_limit("quarterly", 140) == timedelta(days=92 + 140 + 7)
    assert staleness_limit("weekly", 3) == timedelta(days=17)  # CFTC: Tuesday -> Friday
    # Without a lag the defaults stand (they already allow for each frequency's rhythm).
    assert staleness_limit("daily") == staleness_limit("daily", 0) == timedelta(days=7)
    assert staleness_limit("monthly", 0) == timedelta(days=95)


def test_a_delayed_release_lengthens_the_limit_by_its_delay() -> None:
    # The CFTC published its report of 2025-10-28 on 2025-12-05 (catch-up schedule of
    # 18 November 2025), 38 days after the Tuesday instead of the usual 3: 35 days late.
    # As of 2025-12-05 it is the newest report there is, 38 days old, within 17 + 35.
    assert staleness_limit("weekly", 3, 35) == timedelta(days=17 + 35)
    # A release earlier than the usual lag (a vintage's first release) never shortens it.
    assert staleness_limit("weekly", 3, -2) == staleness_limit("weekly", 3)
