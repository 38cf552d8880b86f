"""CME FedWatch's published tables of July 2026 against carrywatch's tree and engine.

The payload (tests/payloads/cme_fedwatch_tables/, origin in its README) holds CME's
published probabilities for ten meetings on four days, with the mid price of each meeting
month's ZQ contract, and nothing of the months without a meeting, which pin CME's chain.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carrywatch.analytics.odds.conventions import Conventions
from carrywatch.analytics.odds.futures import contract_month, futures_implied_odds
from carrywatch.analytics.odds.rate_path import meeting_dated_path, path_implied_odds
from carrywatch.catalog.spec import load_catalog

PAYLOAD = (
    Path(__file__).resolve().parents[1]
    / "payloads"
    / "cme_fedwatch_tables"
    / "cme_fedwatch_2026-07.csv"
)
DAYS = ("2026-07-20", "2026-07-21", "2026-07-22", "2026-07-28")
#: The range in force through July 2026 (3.50-3.75%, the "(Current)" band of every row).
RANGE = (3.5, 3.75)


def _published() -> tuple[dict[str, dict[date, dict[float, float]]], dict[str, dict[str, float]]]:
    """Per snapshot day: meeting -> {lower bound in percent: probability in percent}, and
    the contract mid prices of that day."""
    tables: dict[str, dict[date, dict[float, float]]] = defaultdict(dict)
    prices: dict[str, dict[str, float]] = defaultdict(dict)
    with PAYLOAD.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            meeting = date.fromisoformat(row["meeting_date"])
            lower_pct = int(row["rate_range"].split("-")[0]) / 100
            tables[row["snapshot_date"]].setdefault(meeting, {})[lower_pct] = float(row["prob_now"])
            prices[row["snapshot_date"]][row["contract"]] = float(row["mid_price"])
    return tables, prices


def test_the_payload_is_what_its_readme_says() -> None:
    tables, prices = _published()
    assert sorted(tables) == list(DAYS)
    assert len(tables["2026-07-20"]) == 10
    # Spot checks of data/PROVENANCE.md section 12.
    assert tables["2026-07-20"][date(2026, 7, 29)] == {3.5: 85.6, 3.75: 14.4}
    assert prices["2026-07-20"]["ZQN6"] == 96.3713
    assert tables["2026-07-28"][date(2026, 7, 29)] == {3.5: 62.1, 3.75: 37.9}


@pytest.mark.parametrize("day", DAYS)
def test_the_tree_reproduces_cme_published_distributions(day: str) -> None:
    # CME's multi-meeting distributions come from one binary split per meeting, multiplied
    # out. Take each meeting's expected move from the published tables (the mean in steps
    # of meeting k minus that of meeting k-1), give the tree a meeting-dated path of those
    # moves (the level changes on each effective day, so each period's average is its end
    # rate), and every published band comes back. The tables are rounded to 0.1 pp, so the
    # moves read from them carry rounding too: the bound is 0.15 pp (0.10 pp observed).
    tables, _ = _published()
    trade = date.fromisoformat(day)
    meetings = sorted(tables[day])
    mean_steps = [
        sum((lower - RANGE[0]) / 0.25 * p for lower, p in tables[day][m].items())
        / sum(tables[day][m].values())
        for m in meetings
    ]
    moves_bp = 25.0 * np.diff([0.0, *mean_steps])
    old = Conventions(announcement_day="old")  # the day after, as since 2026
    path = meeting_dated_path(trade, meetings, 3.625, moves_bp.tolist(), conventions=old)
    result = path_implied_odds(path, meetings, RANGE, conventions=old, calendar_end=path.ends[-1])
    worst = 0.0
    for meeting in meetings:
        odds = result.odds(trade, meeting)
        assert odds.distribution is not None, odds.reason
        ours = {r.lower_pct: 100 * r.probability for r in odds.distribution}
        cme = tables[day][meeting]
        worst = max(worst, *(abs(ours.get(k, 0.0) - cme.get(k, 0.0)) for k in {*ours, *cme}))
    assert worst <= 0.15


def test_the_engine_refuses_what_the_meeting_month_contracts_cannot_pin() -> None:
    # CME's chain pins every run of meeting months with the months without a meeting
    # around it: July 2026 ends at August's price, September-October run from August to
    # November, December-January from November to February, March-April from February to
    # May, June-July 2027 from May to August. None of those is in the file, so no meeting
    # is computable the way CME computes it: the engine says so, meeting by meeting,
    # rather than guessing a start rate. (The effective rate does not rescue the July
    # meeting: DFF 3.63% on 2026-07-20 as July's start leaves 2 of 31 days to solve the
    # end from ZQN6 96.3713, (31 * 3.6287 - 29 * 3.63) / 2 = 3.6099, a cut where CME shows
    # 14.4% of a hike: 0.0013 pp of price error is 20 bp of end rate there.)
    _, prices = _published()
    day = date(2026, 7, 20)
    row = {contract_month(code, reference=day): price for code, price in prices[str(day)].items()}
    frame = pd.DataFrame([row], index=pd.DatetimeIndex([day]))
    fomc = [m.date for m in load_catalog().fomc]
    result = futures_implied_odds(frame, fomc, RANGE)
    assert result.conventions.announcement_day_on(day) == "old"
    reasons = {m: result.odds(day, m).reason for m in result.meetings}
    assert all(reason is not None for reason in reasons.values())
    assert reasons[date(2026, 7, 29)] == (
        "no priced period without a meeting anchors 2026-07 (ZQN26) on either side"
    )
