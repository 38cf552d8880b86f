"""The futures and path engines: CME's published worked examples, contract codes, the
path inputs, and real data from the embedded snapshot."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.odds.conventions import Conventions
from carrywatch.analytics.odds.futures import (
    contract_code,
    contract_month,
    futures_implied_odds,
    implied_rate_pct,
    price_from_rate,
)
from carrywatch.analytics.odds.policy_odds import PolicyOdds
from carrywatch.analytics.odds.rate_path import path_implied_odds
from carrywatch.catalog.spec import load_catalog
from carrywatch.errors import ConfigError, InsufficientDataError
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series

FOMC = [m.date for m in load_catalog().fomc]
BOJ = [m.date for m in load_catalog().boj]


def _dist(result: PolicyOdds, day: date, meeting: date) -> dict[tuple[float, float], float]:
    odds = result.odds(day, meeting)
    assert odds.distribution is not None, odds.reason
    return {(r.lower_pct, r.upper_pct): r.probability for r in odds.distribution}


def _change_pct(result: PolicyOdds, day: date, meeting: date) -> float:
    """The move implied at ``meeting`` alone, in percent."""
    change = result.odds(day, meeting).change_bp
    assert change is not None
    return change / 100


# --- CME's published examples ----------------------------------------------------------------

# CME Group, "Fed Funds Futures Probability Tree Calculator" (the FedWatch methodology
# page), worksheet "FedWatch calculation examples", daily settles as of 12 September 2022:
CME_2022 = {
    "ZQU2": 97.4475, "ZQV2": 96.9400, "ZQX2": 96.4300, "ZQZ2": 96.2350, "ZQF3": 96.1150,
    "ZQG3": 96.0200, "ZQH3": 96.0050, "ZQJ3": 95.9850, "ZQK3": 96.0050, "ZQM3": 96.0350,
    "ZQN3": 96.0650,
}  # fmt: skip


def test_cme_worked_example_of_12_september_2022() -> None:
    # The worksheet's numbers: October has no meeting, 100 - 96.94 = 3.0600 ends September
    # and starts November. September (meeting on the 21st: 20 days before, 10 after):
    # start = (2.5525 - 1/3 * 3.06) / (2/3) = 2.29875 (shown 2.2987), change 0.7613.
    # November (meeting on the 2nd: 1 day before, 29 after): end = (3.57 - 1/30 * 3.06)
    # / (29/30) = 104.04 / 29 = 3.587586 (shown 3.5876), change 0.5276.
    # The tree, derived here by hand from those changes: September 0.76125 / 0.25 = 3.045
    # steps: 95.5% of +75 bp (3.00-3.25), 4.5% of +100 bp. November 2.110345 steps:
    # 88.9655% +50, 11.0345% +75; after both, from 2.25-2.50: +125 (3.50-3.75)
    # 0.955 * 0.889655 = 0.849621; +150: 0.955 * 0.110345 + 0.045 * 0.889655 = 0.145414;
    # +175: 0.045 * 0.110345 = 0.004966.
    # The worksheet solves November from its own contract ("longer-side": 29 days after the
    # meeting against 1 before). CME's live tool takes November's end from the next anchored
    # chain instead (January, no meeting, ZQF3 3.885: December 13 days before, 18 after,
    # start = (31 * 3.765 - 18 * 3.885) / 13 = 3.598846), a move of 0.538846; September is
    # the same under both (no August price here: its start is solved, its end is October).
    frame = pd.DataFrame([CME_2022], index=pd.DatetimeIndex(["2022-09-12"]))
    day, sep, nov = date(2022, 9, 12), date(2022, 9, 21), date(2022, 11, 2)
    live = futures_implied_odds(frame, FOMC, (2.25, 2.50))
    assert _change_pct(live, day, sep) == pytest.approx(0.76125)
    assert _change_pct(live, day, nov) == pytest.approx((31 * 3.765 - 18 * 3.885) / 13 - 3.06)
    worksheet = Conventions(chain="longer-side")
    result = futures_implied_odds(frame, FOMC, (2.25, 2.50), conventions=worksheet)
    assert _change_pct(result, day, sep) == pytest.approx(0.76125)
    assert _change_pct(result, day, sep) == pytest.approx(0.7613, abs=5e-5)
    assert _change_pct(result, day, nov) == pytest.approx(0.5276, abs=5e-5)
    assert _dist(result, day, sep) == pytest.approx({(3.0, 3.25): 0.955, (3.25, 3.5): 0.045})
    assert _dist(result, day, nov) == pytest.approx(
        {(3.5, 3.75): 0.849621, (3.75, 4.0): 0.145414, (4.0, 4.25): 0.004966}, abs=1e-6
    )
    # The July 2022 meeting was held before the trade date; 2023-09 has no contract.
    assert result.meetings[0] == sep
    assert result.odds(day, date(2023, 9, 20)).reason == (
        "no contract or path period covers the 2023-09-20 meeting (the input covers "
        "2022-09-01 to 2023-07-31): add prices or rates that reach it"
    )


def test_cme_2015_example_a_hike_at_the_september_meeting() -> None:
    # J. Lao and A. Mirza, "CME Group FedWatch Tool - Fed Funds Futures Probability Tree
    # Calculator" (CME Group): 17 September 2015 FOMC, FFQ5 = 99.8675 (August, no
    # meeting: FFER(start) = 0.1325), FFU5 = 99.805 (0.195); N = 30, M = 16 days before
    # the meeting: FFER(end) = 30/14 * (0.195 - 16/30 * 0.1325) = 0.26643;
    # P(hike) = (0.26643 - 0.1325) / 0.25 = 53.6%. October holds a meeting, so the end
    # cannot come from the right; the paper's trade date is not given (any day in August).
    frame = pd.DataFrame(
        {"ZQQ15": [99.8675], "ZQU15": [99.805]}, index=[pd.Timestamp("2015-08-28")]
    )
    meetings = [date(2015, 7, 29), date(2015, 9, 17), date(2015, 10, 28)]
    result = futures_implied_odds(frame, meetings, (0.0, 0.25), calendar_end=date(2015, 12, 31))
    day = date(2015, 8, 28)
    odds = _dist(result, day, date(2015, 9, 17))
    assert odds[(0.25, 0.5)] == pytest.approx(0.5357142857)
    assert round(odds[(0.25, 0.5)], 3) == 0.536
    assert 0.1325 + _change_pct(result, day, date(2015, 9, 17)) == pytest.approx(0.26643, abs=5e-6)
    assert result.odds(day, date(2015, 10, 28)).reason == (
        "no contract or path period covers the 2015-10-28 meeting (the input covers "
        "2015-08-01 to 2015-09-30): add prices or rates that reach it"
    )


# --- contract codes and prices ----------------------------------------------------------------


def test_contract_codes() -> None:
    may23 = pd.Period("2023-05", "M")
    ref = date(2026, 7, 1)
    for code in ("ZQK23", "ZQK3", "zqk23", "ZQK2023", "K23", "2023-05", "ZQK23.CBT"):
        assert contract_month(code, reference=ref) == may23
    assert contract_month("ZQZ25.CBT") == pd.Period("2025-12", "M")
    assert contract_month("ZQF9", reference=ref) == pd.Period("2029-01", "M")
    assert contract_month("ZQF2", reference=ref) == pd.Period("2022-01", "M")
    # Without a trade date a one-digit year is refused, never resolved by today's clock
    # (ZQN6 named July 2026 until 2031, and would name July 2036 from 2032).
    with pytest.raises(ConfigError, match="one-digit year needs the trade date"):
        contract_month("ZQN6")
    assert contract_code(pd.Period("2025-03", "M")) == "ZQH25"
    for bad in ("ZQA23", "2023-13", "ZQK123", "fed funds"):
        with pytest.raises(ConfigError):
            contract_month(bad)


@given(st.floats(-5.0, 25.0, allow_nan=False))
def test_prices_and_rates_round_trip(rate: float) -> None:
    assert implied_rate_pct(price_from_rate(rate)) == pytest.approx(rate, abs=1e-12)
    assert price_from_rate(implied_rate_pct(100.0 - rate)) == pytest.approx(100.0 - rate)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 6.0), min_size=14, max_size=14))
def test_the_futures_engine_is_the_path_engine_on_prices(rates: list[float]) -> None:
    # Monthly averages as a path, and as ZQ prices: the same odds up to rounding.
    months = pd.period_range("2024-06", periods=14, freq="M")
    day = pd.Timestamp("2024-06-10")
    path = pd.DataFrame([rates], index=[day], columns=months)
    prices = price_from_rate(path).rename(columns=contract_code)
    a = path_implied_odds(path, FOMC, (4.0, 4.25), horizon=date(2025, 7, 31))
    b = futures_implied_odds(prices, FOMC, (4.0, 4.25), horizon=date(2025, 7, 31))
    assert a.meetings == b.meetings
    assert np.allclose(a.probabilities, b.probabilities, atol=1e-9, equal_nan=True)


# --- missing data and the horizon ---------------------------------------------------------


def _flat(months: pd.PeriodIndex, rate: float, day: str) -> pd.DataFrame:
    return pd.DataFrame([[100.0 - rate] * len(months)], index=[pd.Timestamp(day)], columns=months)


def test_a_missing_contract_and_a_contract_missing_at_the_horizon() -> None:
    months = pd.period_range("2025-01", "2025-12", freq="M")
    frame = _flat(months, 4.33, "2025-01-06")
    frame[pd.Period("2025-05", "M")] = math.nan  # the month of the 7 May meeting
    frame = frame.drop(columns=[pd.Period("2025-12", "M")])  # the horizon's last contract
    # CME's live chain does not need May's own price: April pins its start and June's
    # solved start its end. "longer-side" solves a side from the month's own price.
    live = futures_implied_odds(frame, FOMC, (4.25, 4.5), horizon=date(2025, 12, 31))
    assert _dist(live, date(2025, 1, 6), date(2025, 5, 7)) == pytest.approx({(4.25, 4.5): 1.0})
    longer = Conventions(chain="longer-side")
    result = futures_implied_odds(
        frame, FOMC, (4.25, 4.5), horizon=date(2025, 12, 31), conventions=longer
    )
    day = date(2025, 1, 6)
    assert _dist(result, day, date(2025, 3, 19)) == {(4.25, 4.5): 1.0}
    assert result.odds(day, date(2025, 5, 7)).reason == "no price or rate for 2025-05 (ZQK25)"
    assert result.odds(day, date(2025, 6, 18)).reason == (
        "the 2025-05-07 meeting before it has no odds"
    )
    # Without the December contract, the 10 December meeting has no period of its own.
    priced = frame.fillna(100.0 - 4.33)
    short = futures_implied_odds(priced, FOMC, (4.25, 4.5), horizon=date(2025, 12, 31))
    assert _dist(short, day, date(2025, 10, 29)) == {(4.25, 4.5): 1.0}
    assert short.odds(day, date(2025, 12, 10)).reason == (
        "no contract or path period covers the 2025-12-10 meeting (the input covers "
        "2025-01-01 to 2025-11-30): add prices or rates that reach it"
    )
    frame_out = result.to_frame()
    assert set(frame_out.loc[frame_out["reason"].isna(), "meeting"]) == {
        pd.Timestamp("2025-01-29"), pd.Timestamp("2025-03-19")
    }  # fmt: skip


def test_a_horizon_beyond_the_last_published_meeting() -> None:
    # events.toml ends with the meeting of 28 July 2027; ask for odds through 2028.
    months = pd.period_range("2026-11", "2028-06", freq="M")
    result = futures_implied_odds(
        _flat(months, 3.63, "2026-11-02"), FOMC, (3.5, 3.75), horizon=date(2028, 6, 30)
    )
    assert result.meetings[-1] == date(2027, 7, 28)
    assert "2028-06-30 extends beyond the published calendar" in result.notes[0]
    for meeting in result.meetings:
        assert _dist(result, date(2026, 11, 2), meeting) == {(3.5, 3.75): 1.0}


def test_inputs_that_cannot_be_used() -> None:
    with pytest.raises(InsufficientDataError):
        futures_implied_odds(pd.DataFrame(), FOMC, (1.0, 1.25))
    twice = pd.DataFrame(
        [[99.0, 99.0]], index=[pd.Timestamp("2025-01-02")], columns=["ZQH25", "2025-03"]
    )
    with pytest.raises(ValueError, match="twice"):
        futures_implied_odds(twice, FOMC, (1.0, 1.25))
    with pytest.raises(ConfigError):
        futures_implied_odds(
            pd.DataFrame([[99.0]], index=[pd.Timestamp("2025-01-02")], columns=["March"]),
            FOMC,
            (1.0, 1.25),
        )


# --- real data from the embedded snapshot ------------------------------------------------------


def _monthly_mean(series: pd.Series, months: pd.PeriodIndex) -> list[float]:
    return [float(series[str(m)].mean()) for m in months]


def test_the_september_2024_cut_from_realized_fed_funds() -> None:
    # Prices built from the realized DFF month averages (perfect foresight), on 15 August
    # 2024: July-August 5.33, September 5.13 = (18 * 5.33 + 12 * 4.83) / 30 (the cut of
    # 18 September shows in DFF from the 19th), October 4.83.
    # Under CME's convention the announcement day counts at the new rate: 17 days before,
    # 13 after; start = (30 * 5.13 - 13 * 4.83) / 17 = 5.359412, move -0.529412 = -2.1176
    # steps: 88.24% of -50 bp (4.75-5.00, the decision), 11.76% of -75 bp.
    # Counting it at the old rate (18 days before, 12 after): start = (153.9 - 57.96) / 18
    # = 5.33, move exactly -0.50: 100% of -50 bp; and the cuts of November (-25) and
    # December (-25) follow exactly: 4.25-4.50 after 18 December, as decided.
    # Those two are the "longer-side" chain (September solved from its own price). CME's
    # live chain pins September between August (5.33) and October (4.83): exactly -50 bp.
    dff = snapshot_series(snapshot_frame(), "us.fed.dff")
    months = pd.period_range("2024-07", "2025-03", freq="M")
    averages = _monthly_mean(dff, months)
    assert averages[2] == pytest.approx(5.13)
    frame = pd.DataFrame(
        [price_from_rate(np.array(averages))], index=[pd.Timestamp("2024-08-15")], columns=months
    )
    day, sep, dec = date(2024, 8, 15), date(2024, 9, 18), date(2024, 12, 18)
    live = futures_implied_odds(frame, FOMC, (5.25, 5.5))
    assert _dist(live, day, sep) == pytest.approx({(4.75, 5.0): 1.0})
    new = futures_implied_odds(frame, FOMC, (5.25, 5.5), conventions=Conventions("longer-side"))
    assert _dist(new, day, sep) == pytest.approx({(4.5, 4.75): 2 / 17, (4.75, 5.0): 15 / 17})
    old = futures_implied_odds(
        frame, FOMC, (5.25, 5.5), conventions=Conventions("longer-side", "old")
    )
    assert _dist(old, day, sep) == pytest.approx({(4.75, 5.0): 1.0})
    assert _dist(old, day, dec) == pytest.approx({(4.25, 4.5): 1.0})


def test_a_year_of_no_change_curves_on_real_rates_in_one_call() -> None:
    # Every business day from June 2024 to May 2025, prices that expect no change from
    # that day's DFF (realized days of the month so far, today's rate after): 100% hold
    # at every meeting ahead, from the range decided at the last meeting (events.toml).
    dff = snapshot_series(snapshot_frame(), "us.fed.dff")
    months = pd.period_range("2024-05", "2026-06", freq="M")
    days = pd.date_range(months[0].start_time, months[-1].end_time.normalize())
    realized = dff.reindex(days).to_numpy()
    trades = pd.bdate_range("2024-06-03", "2025-05-30")
    now = realized[days.get_indexer(trades)][:, None]
    path = np.where(days.to_numpy()[None, :] <= trades.to_numpy()[:, None], realized[None, :], now)
    month_of = days.to_period("M")
    prices = pd.DataFrame({m: 100.0 - path[:, month_of == m].mean(axis=1) for m in months}, trades)
    held = [m for m in load_catalog().fomc if m.target_lower_pct is not None]
    last = pd.DatetimeIndex([pd.Timestamp(m.date) for m in held]).searchsorted(trades, "right") - 1
    lower = pd.Series([held[i].target_lower_pct for i in last], index=trades, dtype=float)
    result = futures_implied_odds(prices, FOMC, (lower, lower + 0.25), horizon=date(2026, 4, 30))
    ahead = np.array([[m > t.date() for m in result.meetings] for t in trades])
    assert result.probabilities.shape[:2] == (len(trades), len(result.meetings))
    hold = result.probabilities[:, :, list(result.offsets).index(0)]
    assert np.allclose(hold[ahead], 1.0, atol=1e-9)
    assert np.isnan(hold[~ahead]).all()


def test_the_boj_july_2024_hike_from_its_policy_rate() -> None:
    # A perfect-foresight path from the BOJ's decisions (jp.boj.policy_rate, dated on the
    # decision day, in force from the next day): 0.1% (the top of 0-0.1%) to 31 July
    # 2024, 0.25% from 1 August. The 31 July meeting is on the last day of the month.
    # Under "new" the decision day counts at 0.25: July (30 days before, 1 after) has the
    # end from August (0.25) and its start solved: (31 * 0.1 - 0.25) / 30 = 0.095, a move of
    # 15.5 bp: with 15 bp steps 1.0333 steps, 96.67% to 0.25%, 3.33% to 0.40%; with the
    # default 25 bp, 62% of +25 bp. Under "old" the move takes effect on 1 August: 0.25 - 0.1
    # = 15 bp exactly, 100% to 0.25%, as decided.
    rate = snapshot_series(snapshot_frame(), "jp.boj.policy_rate")
    months = pd.period_range("2024-05", "2024-10", freq="M")
    days = pd.date_range(months[0].start_time, months[-1].end_time.normalize())
    decided = rate.index.searchsorted(days - timedelta(days=1), side="right") - 1
    daily = pd.Series(rate.to_numpy()[decided], index=days)
    path = pd.Series(_monthly_mean(daily, months), index=months)
    assert path.iloc[2:4].tolist() == pytest.approx([0.1, 0.25])  # July, August
    day, july = date(2024, 7, 1), date(2024, 7, 31)
    new = path_implied_odds(path, BOJ, (0.1, 0.1), asof=day, conventions=Conventions(step_bp=15.0))
    assert _dist(new, day, july) == pytest.approx({(0.25, 0.25): 29 / 30, (0.4, 0.4): 1 / 30})
    wide = path_implied_odds(path, BOJ, (0.1, 0.1), asof=day)
    assert _dist(wide, day, july) == pytest.approx({(0.1, 0.1): 0.38, (0.35, 0.35): 0.62})
    old = path_implied_odds(
        path, BOJ, (0.1, 0.1), asof=day, conventions=Conventions("cme", "old", 15.0)
    )
    assert _dist(old, day, july) == pytest.approx({(0.25, 0.25): 1.0})
    assert _dist(old, day, date(2024, 9, 20)) == pytest.approx({(0.25, 0.25): 1.0})
    assert "path-implied odds" in old.summary()
