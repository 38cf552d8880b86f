"""Event windows around BOJ and FOMC decisions: hand-derived moves, properties, real data."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.event_study import (
    DEFAULT_WINDOWS,
    ChangeKind,
    EventWindow,
    asset_change,
    cross_asset_moves,
    event_study,
    generator_seed,
)
from carrywatch.catalog.spec import load_catalog
from carrywatch.errors import InsufficientDataError
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series


def _series(values: list[float], name: str = "x", start: str = "2024-01-01") -> pd.Series:
    return pd.Series(
        values, index=pd.bdate_range(start, periods=len(values)), name=name, dtype="float64"
    )


# ---------------------------------------------------------------- windows and changes


def test_window_rejects_empty_or_reversed() -> None:
    with pytest.raises(ValueError, match="start_offset < end_offset"):
        EventWindow(0, 0)
    with pytest.raises(ValueError, match="start_offset < end_offset"):
        EventWindow(1, -1)
    assert [w.label for w in DEFAULT_WINDOWS] == ["(-1,0)", "(-1,+1)", "(-1,+5)"]


def test_asset_change_by_hand() -> None:
    # Business days from Mon 2024-01-01: positions 0..4 = Jan 1, 2, 3, 4, 5.
    # Event on Sat 2024-01-06 -> day 0 is Mon 2024-01-08 (position 5).
    prices = _series([100.0, 101.0, 99.0, 102.0, 104.0, 110.0, 121.0])
    # (-1, 0): 104 -> 110: (110 / 104 - 1) * 100 = 5.769230...%
    assert asset_change(prices, "price_pct", date(2024, 1, 6), EventWindow(-1, 0)) == pytest.approx(
        600.0 / 104.0
    )
    # (0, +1): 110 -> 121 = +10 % exactly.
    assert asset_change(prices, "price_pct", date(2024, 1, 8), EventWindow(0, 1)) == pytest.approx(
        10.0
    )
    yields = _series([1.000, 1.012, 1.070, 0.781], name="y")
    # Day 0 = Wed 2024-01-03 (1.070); (-1, +1): (0.781 - 1.012) * 100 = -23.1 bp.
    assert asset_change(yields, "yield_bp", date(2024, 1, 3), EventWindow(-1, 1)) == pytest.approx(
        -23.1
    )
    # level: 0.781 - 1.000 = -0.219 points over (-2, +1).
    assert asset_change(yields, "level", date(2024, 1, 3), EventWindow(-2, 1)) == pytest.approx(
        -0.219
    )


def test_asset_change_none_outside_the_data() -> None:
    s = _series([1.0, 2.0, 3.0])
    assert asset_change(s, "level", date(2023, 12, 29), EventWindow(-1, 0)) is None  # no day -1
    assert asset_change(s, "level", date(2024, 1, 3), EventWindow(-1, 1)) is None  # no day +1
    assert asset_change(s, "level", date(2024, 2, 1), EventWindow(-1, 0)) is None  # after end
    # Day 0 more than 7 calendar days after the event: a gap, not the event's reaction.
    gap = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2024-01-01", "2024-01-20"]), name="g")
    assert asset_change(gap, "level", date(2024, 1, 5), EventWindow(-1, 0)) is None


def test_nan_is_not_a_trading_day() -> None:
    s = _series([1.0, float("nan"), 3.0, 4.0])
    # Jan 2 is NaN: the calendar is Jan 1, 3, 4, so day -1 of Jan 3 is Jan 1: 3 - 1 = 2.
    assert asset_change(s, "level", date(2024, 1, 2), EventWindow(-1, 0)) == pytest.approx(2.0)


# ---------------------------------------------------------------- event study by hand


def _alternating_with_events() -> tuple[pd.Series, list[date]]:
    # Daily level changes alternate +1, -1 except on two event days (+5 each).
    diffs = [1.0, -1.0] * 5 + [5.0] + [1.0, -1.0] * 5 + [5.0] + [1.0, -1.0] * 2
    values = np.concatenate([[100.0], 100.0 + np.cumsum(diffs)])
    s = _series(list(values), name="lvl")
    index = pd.DatetimeIndex(s.index)
    events = [index[11].date(), index[22].date()]  # the positions whose diff is +5
    return s, events


def test_event_study_golden() -> None:
    s, events = _alternating_with_events()
    result = event_study(
        s,
        "level",
        events,
        window=EventWindow(-1, 0),
        n_placebo=500,
        rng=np.random.default_rng(3),
        exclude_days=0,
    )
    # Event changes: +5 and +5 -> mean 5.
    # Placebo days (every other position 1..26): 12 changes of +1 and 12 of -1
    # -> mean 0, population sd 1.  t = (5 - 0) / (1 / sqrt(2)) = 5 * sqrt(2) = 7.0711.
    # A mean of two placebo changes is -1, 0 or +1, never as far as 5 from 0, so the
    # empirical p-value is its floor 1 / (500 + 1).
    assert [c.change for c in result.changes] == [pytest.approx(5.0), pytest.approx(5.0)]
    assert result.n_events == 2
    assert result.mean_change == pytest.approx(5.0)
    assert result.n_placebo_days == 24
    assert result.placebo_mean == pytest.approx(0.0)
    assert result.placebo_std == pytest.approx(1.0)
    assert result.t_stat == pytest.approx(5.0 * math.sqrt(2.0))
    assert result.p_value == pytest.approx(1.0 / 501.0)
    assert result.placebo_means.shape == (500,)
    assert set(np.unique(result.placebo_means)) <= {-1.0, 0.0, 1.0}
    assert result.seed == 3
    assert result.unit == "points"
    assert result.missing is None
    assert "t = +7.07" in result.summary()


def test_exclusion_removes_neighbours() -> None:
    s, events = _alternating_with_events()
    # exclude_days=2 also drops the 2 days either side of each event: 24 - 8 = 16 left.
    result = event_study(
        s, "level", events, window=EventWindow(-1, 0), rng=np.random.default_rng(0), exclude_days=2
    )
    assert result.n_placebo_days == 16


def test_missing_events_are_named_and_all_missing_raises() -> None:
    s, events = _alternating_with_events()
    late = date(2030, 1, 1)
    result = event_study(
        s, "level", [*events, late], window=EventWindow(-1, 0), rng=np.random.default_rng(0)
    )
    assert result.n_events == 2
    assert result.changes[-1].change is None
    assert result.changes[-1].reason is not None
    assert "lvl" in result.changes[-1].reason
    assert result.missing is not None
    assert "2030-01-01" in result.missing
    with pytest.raises(InsufficientDataError) as info:
        event_study(s, "level", [late], window=EventWindow(-1, 0), rng=np.random.default_rng(0))
    assert info.value.series == ("lvl",)


def test_constant_series_has_no_t() -> None:
    s = _series([2.0] * 40, name="flat")
    result = event_study(
        s, "level", [date(2024, 1, 15)], window=EventWindow(-1, 0), rng=np.random.default_rng(0)
    )
    assert result.t_stat is None
    assert result.p_value == 1.0  # every placebo mean ties with the event mean


def test_generator_seed() -> None:
    assert generator_seed(np.random.default_rng(42)) == 42
    assert (
        generator_seed(np.random.Generator(np.random.PCG64(np.random.SeedSequence([1, 2])))) is None
    )


# ---------------------------------------------------------------- properties

_values = st.lists(
    st.floats(min_value=1.0, max_value=1000.0, allow_nan=False), min_size=12, max_size=40
)


@given(values=_values, cut=st.integers(min_value=1, max_value=4))
def test_changes_compose_over_adjacent_windows(values: list[float], cut: int) -> None:
    s = _series(values)
    event = pd.DatetimeIndex(s.index)[5].date()
    ab, ac, cb = EventWindow(-2, 5), EventWindow(-2, cut), EventWindow(cut, 5)
    for kind in ("level", "yield_bp"):
        k: ChangeKind = "level" if kind == "level" else "yield_bp"
        total, first, second = (asset_change(s, k, event, w) for w in (ab, ac, cb))
        assert total is not None
        assert first is not None
        assert second is not None
        assert total == pytest.approx(first + second, abs=1e-9)
    total, first, second = (asset_change(s, "price_pct", event, w) for w in (ab, ac, cb))
    assert total is not None
    assert first is not None
    assert second is not None
    assert 1 + total / 100 == pytest.approx((1 + first / 100) * (1 + second / 100))


@settings(max_examples=30, deadline=None)
@given(values=_values, seed=st.integers(min_value=0, max_value=2**32 - 1), factor=st.floats(0.5, 4))
def test_study_is_reproducible_and_scale_free(
    values: list[float], seed: int, factor: float
) -> None:
    s = _series(values)
    events = [pd.DatetimeIndex(s.index)[3].date()]
    one, two = (
        event_study(
            series,
            "price_pct",
            events,
            window=EventWindow(-1, 1),
            n_placebo=200,
            rng=np.random.default_rng(seed),
            exclude_days=1,
        )
        for series in (s, s * factor)
    )
    assert one.seed == seed
    assert one.mean_change == pytest.approx(two.mean_change)
    np.testing.assert_allclose(one.placebo_means, two.placebo_means, atol=1e-9)
    assert 0 < one.p_value <= 1
    if one.t_stat is not None and abs(one.mean_change - one.placebo_mean) > 1e-9:
        assert math.copysign(1, one.t_stat) == math.copysign(1, one.mean_change - one.placebo_mean)


# ---------------------------------------------------------------- real data (snapshot)

BOJ_HIKE = date(2024, 7, 31)


@pytest.fixture(scope="module")
def assets() -> dict[str, tuple[pd.Series, ChangeKind]]:
    frame = snapshot_frame()

    def s(series_id: str) -> pd.Series:
        return snapshot_series(frame, series_id)

    return {
        "USD/JPY": (s("fx.usdjpy"), "price_pct"),
        "UST 10y": (s("us.ust.10y"), "yield_bp"),
        "JGB 10y": (s("jp.jgb.10y"), "yield_bp"),
        "Nasdaq": (s("us.nasdaq"), "price_pct"),
        "S&P 500": (s("us.sp500"), "price_pct"),
        "VIX": (s("us.vix"), "level"),
        "Bitcoin": (s("crypto.btcusd"), "price_pct"),
    }


def test_boj_hike_2024_07_31_as_it_happened(
    assets: dict[str, tuple[pd.Series, ChangeKind]],
) -> None:
    usdjpy = assets["USD/JPY"][0]
    # DEXJPUS 2024-07-30 = 153.72, 2024-07-31 = 150.38 (the BOJ hiked to 0.25% at midday
    # Tokyo, before the New York noon fixing): 150.38 / 153.72 - 1 = -3.34 / 153.72
    # = -2.17278 %.
    assert asset_change(usdjpy, "price_pct", BOJ_HIKE, EventWindow(-1, 0)) == pytest.approx(
        -2.17278, abs=1e-5
    )
    moves = cross_asset_moves(assets, BOJ_HIKE, [EventWindow(-1, 0), EventWindow(-1, 3)])
    table = moves.table()
    w = "(-1,+3)"
    # Day +3 of 2024-07-31 is Monday 2024-08-05 on the US and Tokyo calendars
    # (07-31 = 0, 08-01 = 1, 08-02 = 2, 08-05 = 3); day -1 is 2024-07-30.
    # USD/JPY: 143.95 / 153.72 - 1 = -9.77 / 153.72 = -6.35571 %.
    assert table.loc["USD/JPY", w] == pytest.approx(-6.35571, abs=1e-5)
    # UST 10y: (3.78 - 4.15) * 100 = -37 bp.
    assert table.loc["UST 10y", w] == pytest.approx(-37.0)
    # JGB 10y: (0.781 - 1.012) * 100 = -23.1 bp.
    assert table.loc["JGB 10y", w] == pytest.approx(-23.1)
    # VIX: 38.57 (close of 2024-08-05) - 17.69 = +20.88 points.
    assert table.loc["VIX", w] == pytest.approx(20.88)
    vix = next(m for m in moves.moves if m.asset == "VIX" and m.window.label == w)
    assert (vix.move.end_date, vix.move.end_value) == (date(2024, 8, 5), 38.57)
    # Nasdaq: 16200.08 / 17147.42 - 1 = -947.34 / 17147.42 = -5.52468 %.
    assert table.loc["Nasdaq", w] == pytest.approx(-5.52468, abs=1e-5)
    # Bitcoin trades every day: its day +3 is Saturday 2024-08-03, not 08-05:
    # 60631.11 / 66200.81 - 1 = -5569.70 / 66200.81 = -8.41334 %.
    btc = next(m for m in moves.moves if m.asset == "Bitcoin" and m.window.label == w)
    assert btc.move.end_date == date(2024, 8, 3)
    assert table.loc["Bitcoin", w] == pytest.approx(-8.41334, abs=1e-5)
    assert list(table["unit"]) == ["%", "bp", "bp", "%", "%", "points", "%"]
    assert moves.missing is None
    assert moves.summary().startswith("around 2024-07-31 (-1,0): USD/JPY -2.17 %")


def test_jgb_from_the_hike_to_the_crash(
    assets: dict[str, tuple[pd.Series, ChangeKind]],
) -> None:
    jgb = assets["JGB 10y"][0]
    # 2024-07-31 (day 0) 1.070 -> 2024-08-05 (day +3) 0.781: (0.781 - 1.070) * 100 = -28.9 bp.
    assert asset_change(jgb, "yield_bp", BOJ_HIKE, EventWindow(0, 3)) == pytest.approx(-28.9)


def test_sell_off_of_2024_08_05(assets: dict[str, tuple[pd.Series, ChangeKind]]) -> None:
    nasdaq = assets["Nasdaq"][0]
    # 2024-08-02 16776.16 -> 2024-08-05 16200.08: -576.08 / 16776.16 = -3.43392 %.
    assert asset_change(nasdaq, "price_pct", date(2024, 8, 5), EventWindow(-1, 0)) == (
        pytest.approx(-3.43392, abs=1e-5)
    )


def test_event_study_on_boj_decisions(assets: dict[str, tuple[pd.Series, ChangeKind]]) -> None:
    boj = [m.date for m in load_catalog().boj if m.decision is not None and m.date.year >= 2016]
    usdjpy = assets["USD/JPY"][0]
    result = event_study(
        usdjpy, "price_pct", boj, window=EventWindow(-1, 0), rng=np.random.default_rng(2024)
    )
    hike = next(c for c in result.changes if c.event_date == BOJ_HIKE)
    assert hike.change == pytest.approx(-2.17278, abs=1e-5)
    assert (hike.start_date, hike.end_date) == (date(2024, 7, 30), date(2024, 7, 31))
    # DEXJPUS ends 2026-01-30 in the snapshot: the five 2026 decisions after it (03-19 to
    # 09-18) have no window and are named as missing, never filled.
    covered = [d for d in boj if d <= date(2026, 1, 30)]
    assert len(boj) - len(covered) == 5
    assert result.n_events == len(covered)
    assert result.missing is not None
    assert result.missing.endswith("2026-03-19, 2026-04-28, 2026-06-16, 2026-07-31, 2026-09-18")
    # Placebo days run from ~250 trading days before the first decision to the last
    # complete window before the data end, less 5 days either side of each decision.
    assert result.placebo_start < boj[0] < covered[-1] < result.placebo_end + timedelta(days=30)
    assert result.n_placebo_days > 1000
    assert result.placebo_std > 0
    assert result.t_stat is not None
    again = event_study(
        usdjpy, "price_pct", boj, window=EventWindow(-1, 0), rng=np.random.default_rng(2024)
    )
    assert again.p_value == result.p_value

    # Coinbase Bitcoin stops at 2025-05-06: the later decisions are named, not dropped silently.
    btc = event_study(
        assets["Bitcoin"][0],
        "price_pct",
        boj,
        window=EventWindow(-1, 1),
        rng=np.random.default_rng(1),
    )
    assert btc.missing is not None
    assert "crypto.btcusd" in btc.missing
    assert "2026-01-23" in btc.missing
    assert btc.n_events == sum(d <= date(2025, 5, 5) for d in boj)
