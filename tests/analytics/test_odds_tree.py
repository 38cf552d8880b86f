"""The shared probability tree: hand-derived chains, the properties the brief names, and
the reasons a pair gets no odds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.odds.conventions import Conventions
from carrywatch.analytics.odds.distribution import OddsDistribution
from carrywatch.analytics.odds.policy_odds import PolicyOdds
from carrywatch.analytics.odds.tree import odds_from_period_averages


def _months(first: str, n: int) -> list[tuple[date, date]]:
    span = pd.period_range(first, periods=n, freq="M")
    return [(m.start_time.date(), (m + 1).start_time.date()) for m in span]


def _averages(
    bounds: Sequence[tuple[date, date]], steps: dict[date, float], base: float
) -> list[float]:
    """Monthly means of a daily step path: ``base``, then each step from its date on."""
    ordered = sorted(steps.items())
    out = []
    for a, b in bounds:
        days = [a + timedelta(days=i) for i in range((b - a).days)]
        out.append(float(np.mean([_at(d, ordered, base) for d in days])))
    return out


def _at(day: date, steps: Sequence[tuple[date, float]], base: float) -> float:
    rate = base
    for d0, r in steps:
        if day >= d0:
            rate = r
    return rate


def _odds(
    averages: Sequence[Sequence[float]],
    bounds: Sequence[tuple[date, date]],
    trade_dates: Sequence[date],
    meetings: Sequence[date],
    target: tuple[float, float],
    *,
    chain: str = "cme",
    announcement_day: str = "new",
    step_bp: float = 25.0,
    **kwargs: object,
) -> PolicyOdds:
    """The tree on ``averages``; hand-derived cases count the decision day at the new rate."""
    n = len(trade_dates)
    conventions = Conventions(chain, announcement_day, step_bp)  # type: ignore[arg-type]
    return odds_from_period_averages(
        np.asarray(averages, dtype=np.float64),
        bounds,
        trade_dates,
        meetings,
        (np.full(n, target[0]), np.full(n, target[1])),
        source="path",
        conventions=conventions,
        **kwargs,  # type: ignore[arg-type]
    )


def _dist(result: PolicyOdds, day: date, meeting: date) -> dict[tuple[float, float], float]:
    odds = result.odds(day, meeting)
    assert odds.distribution is not None, odds.reason
    return {(r.lower_pct, r.upper_pct): r.probability for r in odds.distribution}


# --- hand-derived chains ---------------------------------------------------------------------


def test_two_meetings_in_one_month() -> None:
    # December (no meeting) averages 4.25, February (no meeting) 3.75; January has meetings
    # on the 10th and 20th. Announcement day at the new rate: 9 days at s = 4.25, 10 days at
    # the rate m between the meetings, 12 days at e = 3.75. With m = 4.10 the January
    # average is (9*4.25 + 10*4.10 + 12*3.75) / 31 = 124.25 / 31. The engine recovers
    # m = (124.25 - 38.25 - 45) / 10 = 4.10, so the moves are -0.15 (x = -0.6: 40% hold,
    # 60% -25 bp) and -0.35 (x = -1.4: 60% -25 bp, 40% -50 bp). From 4.00-4.25 after the
    # second meeting: -25: 0.4*0.6 = 0.24; -50: 0.4*0.4 + 0.6*0.6 = 0.52; -75: 0.6*0.4 = 0.24.
    bounds = _months("2007-12", 3)
    first, second = date(2008, 1, 10), date(2008, 1, 20)
    day = date(2007, 12, 20)  # December is still trading
    result = _odds(
        [[4.25, 124.25 / 31, 3.75]],
        bounds,
        [day],
        [first, second],
        (4.00, 4.25),
        calendar_end=date(2008, 2, 29),
    )
    assert _dist(result, day, first) == pytest.approx({(4.00, 4.25): 0.4, (3.75, 4.00): 0.6})
    assert _dist(result, day, second) == pytest.approx(
        {(3.75, 4.00): 0.24, (3.50, 3.75): 0.52, (3.25, 3.50): 0.24}
    )
    assert result.odds(day, second).change_bp == pytest.approx(-35.0)


def test_two_meetings_need_both_neighbours() -> None:
    # Without February there is no end rate: both meetings get a reason, nothing raises.
    bounds = _months("2007-12", 2)
    meetings = [date(2008, 1, 10), date(2008, 1, 20)]
    result = _odds(
        [[4.25, 4.0]],
        bounds,
        [date(2008, 1, 2)],
        meetings,
        (4.0, 4.25),
        calendar_end=date(2008, 1, 31),
    )
    assert result.odds(date(2008, 1, 2), meetings[0]).reason == (
        "two meetings in 2008-01-01..2008-01-31 need a priced month without a meeting on each side"
    )
    assert result.odds(date(2008, 1, 2), meetings[1]).reason == (
        "the 2008-01-10 meeting before it has no odds"
    )


def test_three_meetings_in_one_month_are_not_identified() -> None:
    bounds = _months("2020-02", 3)
    meetings = [date(2020, 3, 3), date(2020, 3, 15), date(2020, 3, 18)]
    result = _odds([[1.6, 0.6, 0.1]], bounds, [date(2020, 3, 2)], meetings, (1.5, 1.75))
    assert "3 meetings in 2020-03-01..2020-03-31" in str(
        result.odds(date(2020, 3, 2), meetings[0]).reason
    )


def test_a_meeting_on_the_last_day_of_a_month() -> None:
    # A 25 bp hike decided on 31 January, February without a meeting; rates 1.00 -> 1.25.
    # (a) The path moves on the announcement day (CME's convention): January averages
    #     (30*1.00 + 1*1.25)/31; the end is anchored by February (1.25) and the start,
    #     30 days, solved: (31*avg - 1.25)/30 = 1.00. Exactly one hike.
    # (b) The path moves the day after (the EFFR of the announcement day is at the old
    #     rate): January averages 1.00. Under "old" the move takes effect on 1 February,
    #     with no day before it in February: start from January (1.00), end 1.25. Exact.
    # (c) That path read under "new": start = (31*1.00 - 1*1.25)/30 = 0.991667, a move of
    #     0.258333 = 1.0333 steps: 96.67% of +25 bp, 3.33% of +50 bp.
    bounds = _months("2025-01", 2)
    day, meeting = date(2025, 1, 6), date(2025, 1, 31)
    new_day = [(30 * 1.0 + 1.25) / 31, 1.25]
    end = date(2025, 2, 28)  # the calendar is complete through February: it has no meeting
    new = _odds([new_day], bounds, [day], [meeting], (1.0, 1.25), calendar_end=end)
    assert _dist(new, day, meeting) == pytest.approx({(1.25, 1.5): 1.0})
    old_day = [1.0, 1.25]
    old = _odds(
        [old_day], bounds, [day], [meeting], (1.0, 1.25), announcement_day="old", calendar_end=end
    )
    assert _dist(old, day, meeting) == pytest.approx({(1.25, 1.5): 1.0})
    mixed = _odds([old_day], bounds, [day], [meeting], (1.0, 1.25), calendar_end=end)
    assert _dist(mixed, day, meeting) == pytest.approx(
        {(1.25, 1.5): 1 - 0.25 / 7.5, (1.5, 1.75): 0.25 / 7.5}
    )


def test_which_side_each_chain_takes_when_both_anchors_exist() -> None:
    # Meeting on the 21st of a 30-day month between two months without a meeting (CME's
    # September 2022). Averages 2.33 | 2.5525 | 3.06.
    # "cme" (the live tool): both sides are pinned by the neighbours and the month's own
    # average is not used: 3.06 - 2.33 = 0.73; pyfedwatch pins both sides the same way.
    # "longer-side": the 20 days before are solved from the average, the end comes from
    # the next month: start = (30*2.5525 - 10*3.06)/20 = 2.29875, move 0.76125.
    # Without August's price (CME's worksheet of 12 September 2022 lists no expired
    # contract), the live chain solves the start: 76.125, as on the worksheet.
    bounds = _months("2022-08", 3)
    meeting, end = date(2022, 9, 21), date(2022, 12, 31)
    rows = [[2.33, 2.5525, 3.06]]
    moves = {
        (chain, day): _odds(
            rows, bounds, [day], [meeting], (2.25, 2.5), chain=chain, calendar_end=end
        )
        .odds(day, meeting)
        .change_bp
        for chain in ("cme", "longer-side", "pyfedwatch")
        for day in (date(2022, 8, 12), date(2022, 9, 12))
    }
    august, september = date(2022, 8, 12), date(2022, 9, 12)
    assert moves == pytest.approx(
        {
            ("cme", august): 73.0,
            ("cme", september): 73.0,
            ("longer-side", august): 76.125,
            ("longer-side", september): 76.125,
            ("pyfedwatch", august): 73.0,
            ("pyfedwatch", september): 73.0,
        }
    )
    no_august = _odds(
        [[math.nan, 2.5525, 3.06]], bounds, [september], [meeting], (2.25, 2.5), calendar_end=end
    )
    assert no_august.odds(september, meeting).change_bp == pytest.approx(76.125)


def test_the_cme_chain_takes_the_end_from_the_next_anchored_chain() -> None:
    # January 2030 without a meeting, meetings on 5 February and 12 March, April without.
    # Averages 2.0 | 2.2 | 2.4 | 2.5. "cme": February's start is January (2.0); its end is
    # March's start, solved backward from April: March 11 days before, 20 after:
    # s_Mar = (31*2.4 - 20*2.5)/11 = 24.4/11 = 2.218182; February's move 0.218182 (87.27%
    # of a step). "longer-side" solves February's end from its own average (4 days before,
    # 24 after): e = (28*2.2 - 4*2.0)/24 = 2.233333, a move of 0.233333.
    bounds = _months("2030-01", 4)
    feb, mar, day = date(2030, 2, 5), date(2030, 3, 12), date(2030, 1, 10)
    rows = [[2.0, 2.2, 2.4, 2.5]]
    end = date(2030, 4, 30)
    cme = _odds(rows, bounds, [day], [feb, mar], (2.0, 2.25), calendar_end=end)
    longer = _odds(
        rows, bounds, [day], [feb, mar], (2.0, 2.25), chain="longer-side", calendar_end=end
    )
    assert cme.odds(day, feb).change_bp == pytest.approx(100 * (24.4 / 11 - 2.0))
    assert cme.odds(day, mar).change_bp == pytest.approx(100 * (2.5 - 24.4 / 11))
    assert longer.odds(day, feb).change_bp == pytest.approx(100 * (53.6 / 24 - 2.0))


# --- the properties ---------------------------------------------------------------------------


@st.composite
def _calendars(draw: st.DrawFn) -> tuple[list[tuple[date, date]], list[date]]:
    """Twelve months from 2030-01, meetings in at most two months in a row, none in the
    first or last month, 0 to 2 meetings a month on random days; a month with two has
    none in the months beside it (with a neighbour holding a meeting, the rate between
    the two is not identified)."""
    bounds = _months("2030-01", 12)
    counts = [0] * 12
    for i in range(1, 11):
        allowed = (
            [0]
            if counts[i - 1] == 2 or (i > 1 and counts[i - 2] and counts[i - 1])
            else [0, 1, 1, 1]
        )
        if counts[i - 1] == 0 and i < 10:
            allowed.append(2)
        counts[i] = draw(st.sampled_from(allowed))
        if counts[i] == 2:
            counts[i + 1] = 0
    meetings: list[date] = []
    for (a, b), count in zip(bounds, counts, strict=True):
        days = draw(
            st.lists(st.integers(1, (b - a).days), min_size=count, max_size=count, unique=True)
        )
        meetings += [a + timedelta(days=d - 1) for d in sorted(days)]
    return bounds, meetings


@settings(max_examples=60, deadline=None)
@given(
    _calendars(),
    st.lists(st.lists(st.floats(0.0, 6.0), min_size=12, max_size=12), min_size=1, max_size=4),
    st.sampled_from(["cme", "pyfedwatch"]),
    st.sampled_from(["new", "old"]),
)
def test_probabilities_lie_in_0_1_and_sum_to_1(
    calendar: tuple[list[tuple[date, date]], list[date]],
    rows: list[list[float]],
    chain: str,
    announcement: str,
) -> None:
    bounds, meetings = calendar
    days = [date(2029, 12, 20) + timedelta(days=15 * i) for i in range(len(rows))]
    result = _odds(
        rows,
        bounds,
        days,
        meetings,
        (2.0, 2.25),
        chain=chain,
        announcement_day=announcement,
        calendar_end=date(2030, 12, 31),
    )
    has = ~np.isnan(result.probabilities).all(axis=2)
    p = result.probabilities[has]
    assert np.all((p >= -1e-12) & (p <= 1 + 1e-12))
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-9, rtol=0)
    # The mean of the tree is the sum of the moves implied so far (each binary is unbiased).
    for t, k in zip(*np.nonzero(has), strict=True):
        ahead = [j for j in range(k + 1) if result.meetings[j] > days[t]]
        mean_bp = float(np.sum(result.probabilities[t, k] * result.offsets)) * result.step_bp
        assert mean_bp == pytest.approx(float(np.sum(result.change_bp[t, ahead])), abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(_calendars(), st.floats(0.0, 6.0), st.sampled_from(["new", "old"]))
def test_a_flat_curve_at_the_target_is_no_change_everywhere(
    calendar: tuple[list[tuple[date, date]], list[date]], level: float, announcement: str
) -> None:
    bounds, meetings = calendar
    day = date(2029, 12, 20)
    lower = round(level * 4) / 4
    result = _odds(
        [[level] * 12],
        bounds,
        [day],
        meetings,
        (lower, lower + 0.25),
        announcement_day=announcement,
        calendar_end=date(2030, 12, 31),
    )
    for m in result.meetings:
        assert _dist(result, day, m) == pytest.approx({(lower, lower + 0.25): 1.0}, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(
    _calendars(),
    st.data(),
    st.floats(0.0, 5.0),
    st.sampled_from(["new", "old"]),
    st.sampled_from(["cme", "pyfedwatch"]),
)
def test_one_priced_hike_shows_at_its_meeting_only(
    calendar: tuple[list[tuple[date, date]], list[date]],
    data: st.DataObject,
    level: float,
    announcement: str,
    chain: str,
) -> None:
    bounds, meetings = calendar
    if not meetings:
        return
    k = data.draw(st.integers(0, len(meetings) - 1))
    # The path moves 25 bp on the day the convention says the move takes effect.
    takes_effect = meetings[k] + timedelta(days=0 if announcement == "new" else 1)
    averages = _averages(bounds, {takes_effect: level + 0.25}, level)
    day = date(2029, 12, 20)
    result = _odds(
        [averages],
        bounds,
        [day],
        meetings,
        (1.0, 1.25),
        chain=chain,
        announcement_day=announcement,
        calendar_end=date(2030, 12, 31),
    )
    for j, m in enumerate(result.meetings):
        expected = (1.25, 1.5) if j >= k else (1.0, 1.25)
        assert _dist(result, day, m) == pytest.approx({expected: 1.0}, abs=1e-9)


# --- reasons and the result ----------------------------------------------------------------


def test_reasons_when_a_price_is_missing_or_a_meeting_was_held() -> None:
    # Meetings in Feb and Mar 2030, January and April without: the March price is missing.
    bounds = _months("2030-01", 4)
    feb, mar = date(2030, 2, 14), date(2030, 3, 20)
    day1, day2 = date(2030, 1, 10), date(2030, 2, 20)
    rows = [[2.0, 2.1, math.nan, 2.25], [2.0, 2.1, math.nan, 2.25]]
    # Under "longer-side" March needs its own price; "cme" takes it from the neighbours.
    result = _odds(
        rows,
        bounds,
        [day1, day2],
        [feb, mar],
        (2.0, 2.25),
        chain="longer-side",
        calendar_end=date(2030, 4, 30),
    )
    assert result.odds(day1, feb).distribution is not None
    assert result.odds(day1, mar).reason == "no price or rate for 2030-03-01..2030-03-31"
    assert result.odds(day2, feb).reason == "the meeting was held on or before the trade date"
    frame = result.to_frame()
    assert list(frame.columns) == [
        "trade_date",
        "meeting",
        "lower_pct",
        "upper_pct",
        "probability",
        "reason",
    ]
    assert frame["reason"].notna().sum() == 2  # March on both days; held pairs left out
    assert "pairs without odds" in result.summary()


def test_a_period_beyond_the_calendar_anchors_nothing() -> None:
    # The last published meeting is on 28 July; August lies beyond the calendar, so its
    # price may hide an unpublished meeting and cannot anchor July's end; June has no
    # price, so nothing anchors July's start either. No odds, a reason, no error.
    bounds = _months("2027-06", 3)
    jul, day = date(2027, 7, 28), date(2027, 6, 10)
    result = _odds(
        [[math.nan, 3.5, 3.5]], bounds, [day], [jul], (3.5, 3.75), horizon=date(2027, 12, 31)
    )
    assert len(result.notes) == 1
    assert "extends beyond the published calendar" in result.notes[0]
    assert str(result.odds(day, jul).reason).startswith(
        "the period after 2027-07-01..2027-07-31 lies beyond the published calendar"
    )
    # With June priced, July is solved forward and August is not needed.
    priced = _odds([[3.5, 3.5, 3.5]], bounds, [day], [jul], (3.5, 3.75))
    assert _dist(priced, day, jul) == pytest.approx({(3.5, 3.75): 1.0})


def test_an_implausible_move_and_a_missing_target() -> None:
    bounds = _months("2030-01", 3)
    meeting = date(2030, 2, 14)
    result = odds_from_period_averages(
        np.array([[2.0, 9.0, 14.0], [2.0, 2.0, 2.0]]),
        bounds,
        [date(2030, 1, 5), date(2030, 1, 6)],
        [meeting],
        (np.array([2.0, np.nan]), np.array([2.25, np.nan])),
        source="futures",
    )
    assert str(result.odds(date(2030, 1, 5), meeting).reason).startswith("the implied move")
    assert result.odds(date(2030, 1, 6), meeting).reason == (
        "no target range is given for the trade date"
    )


def test_the_result_as_a_market_odds_distribution() -> None:
    bounds = _months("2030-01", 3)
    meeting, day = date(2030, 2, 15), date(2030, 1, 5)
    # February: 14 days at 2.0, 14 at e; the mean is 2.05 so e = 2.10: 40% of a hike.
    result = _odds(
        [[2.0, 2.05, 2.10]], bounds, [day], [meeting], (2.0, 2.25), calendar_end=date(2030, 3, 31)
    )
    dist = result.as_distribution(day, meeting)
    assert isinstance(dist, OddsDistribution)
    assert dist.source == "path"
    assert [r.lower_pct for r in dist.probabilities] == [2.0, 2.25]
    assert [r.probability for r in dist.probabilities] == pytest.approx([0.6, 0.4])
    assert result.latest()[0].summary() == (
        "2030-02-15 as of 2030-01-05: most likely 2-2.25% (60.0%), this meeting +10.0 bp"
    )


def test_inputs_are_checked() -> None:
    bounds = _months("2030-01", 2)
    with pytest.raises(ValueError, match="contiguous"):
        _odds([[1.0]], bounds, [date(2030, 1, 1)], [], (1.0, 1.25))
    with pytest.raises(ValueError, match="lower <= upper"):
        _odds([[1.0, 1.0]], bounds, [date(2030, 1, 1)], [], (1.25, 1.0))
    with pytest.raises(ValueError, match="step_bp"):
        _odds([[1.0, 1.0]], bounds, [date(2030, 1, 1)], [], (1.0, 1.25), step_bp=0.0)
