"""The most notable statement about a level: properties of "since" statements, real dates."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.notable import extremes_at, notable_level
from carrywatch.analytics.spreads import spread_pp
from carrywatch.errors import InsufficientDataError
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series

DAILY = timedelta(days=7)


def _series(values: list[float]) -> pd.Series:
    index = pd.bdate_range("2020-01-01", periods=len(values))
    return pd.Series(values, index=index, name="x", dtype="float64")


def _check_true(
    history: pd.Series, extreme_kind: str, obs: date, value: float, since: date | None
) -> None:
    """A true "lowest since D": x_D <= v and every value strictly between D and obs is
    above v; without D, every earlier value is above v. Symmetric for highest."""

    def at_or_beyond(x: pd.Series) -> pd.Series:
        return x <= value if extreme_kind == "lowest" else x >= value

    earlier = history.loc[: pd.Timestamp(obs) - pd.Timedelta(days=1)]
    if since is None:
        assert not at_or_beyond(earlier).any()
        return
    at_d = history.loc[[pd.Timestamp(since)]]
    assert at_or_beyond(at_d).all()
    between = earlier.loc[pd.Timestamp(since) + pd.Timedelta(days=1) :]
    assert not at_or_beyond(between).any()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=1, max_size=60), st.data())
def test_every_since_statement_is_true(values: list[int], data: st.DataObject) -> None:
    history = _series([float(v) for v in values])
    position = data.draw(st.integers(0, len(history) - 1))
    for extreme in extremes_at(history, position):
        _check_true(history, extreme.kind, extreme.obs_date, extreme.value, extreme.since)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=1, max_size=60), st.integers(1, 8))
def test_the_notable_extreme_is_true_and_the_longest_of_the_window(
    values: list[int], recent: int
) -> None:
    history = _series([float(v) for v in values])
    asof = history.index[-1].date()
    found = notable_level(history, asof, recent_obs=recent)
    extreme = found.extreme
    _check_true(history, extreme.kind, extreme.obs_date, extreme.value, extreme.since)
    # The extreme is a value of the window, and no value of the window spans longer.
    window = history.iloc[-recent:]
    assert pd.Timestamp(extreme.obs_date) in window.index
    spans = [
        e.span_days
        for pos in range(max(0, len(history) - recent), len(history))
        for e in extremes_at(history, pos)
    ]
    assert extreme.span_days == max(spans)
    assert found.value == history.iloc[-1]


def test_a_dip_two_days_ago_is_found_over_a_three_day_high() -> None:
    # 10 (a year ago) ... 12, 12, 12, then 9 (the lowest since the start), 11, 11.5:
    # today's 11.5 is only the highest since the dip; the dip is the story.
    values = [10.0] + [12.0] * 300 + [9.0, 11.0, 11.5]
    found = notable_level(_series(values), _series(values).index[-1].date())
    assert found.extreme.kind == "lowest"
    assert found.extreme.value == 9.0
    assert found.extreme.since is None
    assert not found.extreme_is_latest
    assert found.lead == "extreme"


def test_a_large_move_leads_when_no_extreme_spans_a_year() -> None:
    # Alternating 0/1 for a year then a jump of 1 to a level seen last week: no high or
    # low of a year, but a five-day move far outside the usual ones.
    values = [float(i % 2) for i in range(300)] + [0.5, 0.5, 0.5, 0.5, 0.5, 3.0]
    values[-20] = 3.0  # a recent equal high caps the span at four weeks
    history = _series(values)
    found = notable_level(history, history.index[-1].date())
    assert found.extreme.span_days < 365
    assert found.move_z is not None
    assert found.move_z > 2.0
    assert found.lead == "move"


def test_no_value_or_a_stale_one_is_refused() -> None:
    history = _series([1.0, 2.0])
    with pytest.raises(InsufficientDataError):
        notable_level(history, date(2019, 12, 31))
    with pytest.raises(InsufficientDataError, match="stale"):
        notable_level(history, date(2020, 3, 1), max_age=DAILY)
    with pytest.raises(ValueError, match="at least 1"):
        notable_level(history, date(2020, 1, 2), recent_obs=0)


# --- real data --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spread10() -> pd.Series:
    frame = snapshot_frame()
    return spread_pp(
        snapshot_series(frame, "us.ust.10y"), snapshot_series(frame, "jp.jgb.10y"), max_age=DAILY
    )


def test_2025_12_05_leads_with_the_multi_year_low(spread10: pd.Series) -> None:
    # DGS10 4.06 - MOF JGB 10y 1.897 = 2.163 pp on 2025-12-03; the last day at or below
    # it is 2022-03-31 (2.32 - 0.218 = 2.102 pp). Today's 2.189 pp is only the highest
    # since 2025-12-02 (2.226 pp), three days: the reading the brief used to lead with.
    found = notable_level(spread10, date(2025, 12, 5), max_age=DAILY)
    assert found.value == pytest.approx(2.189)
    assert found.extreme.kind == "lowest"
    assert found.extreme.obs_date == date(2025, 12, 3)
    assert found.extreme.value == pytest.approx(2.163)
    assert found.extreme.since == date(2022, 3, 31)
    assert spread10.loc["2022-03-31"] <= 2.163
    assert (spread10.loc["2022-04-01":"2025-12-02"] > 2.163).all()
    assert found.lead == "extreme"


def test_2024_08_05_leads_with_the_two_year_low_of_the_crash_week(spread10: pd.Series) -> None:
    found = notable_level(spread10, date(2024, 8, 5), max_age=DAILY)
    assert found.extreme.kind == "lowest"
    assert found.extreme.obs_date == date(2024, 8, 2)
    assert found.extreme.since == date(2022, 8, 26)


def test_the_yen_on_2024_08_05_is_read_as_a_move() -> None:
    # USD/JPY 153.96 on 2024-07-29 to 143.95 on 2024-08-05 (H.10): the yen gained
    # 153.96/143.95 - 1 = 7.0 % in five observations, far outside the usual five-day
    # moves; its level is only the strongest since 2024-01-08.
    fx = snapshot_series(snapshot_frame(), "fx.usdjpy")
    yen = 1.0 / fx
    yen.name = "fx.usdjpy"
    found = notable_level(yen, date(2024, 8, 5), max_age=DAILY, z_start=date(2000, 1, 1))
    assert found.lead == "move"
    assert found.move_z is not None
    assert found.move_z > 3.0
    assert found.extreme.kind == "highest"
    assert found.extreme.since == date(2024, 1, 8)
