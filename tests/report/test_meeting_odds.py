"""The brief's policy-odds section: the range in force it anchors on, and how market
distributions become table cells and chart bars.

The target ranges are FRED's DFEDTARL/DFEDTARU (5.25-5.50% from 27 July 2023 until the
18 September 2024 cut to 4.75-5.00%). The market distributions are hypothetical, shaped
like a Kalshi ladder after isotonic repair (see analytics/odds/prediction_markets.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from carrywatch.analytics.odds.distribution import OddsDistribution, RangeProbability
from carrywatch.catalog.spec import Catalog, load_catalog
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.meeting_odds import ODDS_READS, bank_odds, odds_section, range_in_force
from carrywatch.report.odds import Bank
from carrywatch.store.sqlite import FetchRecord, Store
from carrywatch.types import Origin, sha256_hex

LOWER, UPPER = "us.fed.target_lower", "us.fed.target_upper"
AUG5 = date(2024, 8, 5)
SEP_MEETING, NOV_MEETING = date(2024, 9, 18), date(2024, 11, 7)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.sqlite") as opened:
        yield opened


def _append(store: Store, series_id: str, rows: Sequence[tuple[str, float]]) -> None:
    at = datetime(2024, 9, 20, tzinfo=UTC)
    fetch = FetchRecord(
        source="fred",
        url="https://fred.stlouisfed.org/graph/fredgraph.csv",
        retrieved_at=at,
        sha256=sha256_hex(f"{series_id}{rows}".encode()),
        n_bytes=0,
        parse_version=1,
        origin=Origin.LIVE,
    )
    frame = pd.DataFrame(
        {
            "series_id": series_id,
            "obs_date": pd.to_datetime([d for d, _ in rows]),
            "value": [v for _, v in rows],
        }
    )
    store.append(fetch, frame)


def _inputs(store: Store, catalog: Catalog, asof: date) -> BriefInputs:
    return BriefInputs.load(store, catalog, asof, ODDS_READS)


def _ladder(
    meeting: date,
    *ranges: tuple[float, float, float, str | None],
    source: str = "kalshi",
    flags: tuple[str, ...] = (),
) -> OddsDistribution:
    return OddsDistribution(
        meeting=meeting,
        source=source,
        probabilities=tuple(RangeProbability(lo, hi, p, lumped) for lo, hi, p, lumped in ranges),  # type: ignore[arg-type]
        flags=flags,
        repaired=False,
        quality=None,
    )


def test_the_range_in_force_needs_both_ends_from_one_day(store: Store, catalog: Catalog) -> None:
    _append(store, LOWER, [("2024-09-17", 5.25), ("2024-09-18", 5.25), ("2024-09-19", 4.75)])
    # Hypothetical partial refresh: the upper end stops a day earlier.
    _append(store, UPPER, [("2024-09-17", 5.50), ("2024-09-18", 5.50)])

    assert range_in_force(_inputs(store, catalog, date(2024, 9, 18)), "fed") == (5.25, 5.50)
    found = range_in_force(_inputs(store, catalog, date(2024, 9, 19)), "fed")
    assert found == "its ends are from different days (2024-09-19, 2024-09-18); refresh both"

    odds = bank_odds(_inputs(store, catalog, date(2024, 9, 19)), "fed", lambda *_: [])
    assert odds.report is None
    assert odds.reason is not None
    assert odds.reason.startswith("no target range in force as of 2024-09-19 (its ends")


def test_a_collapsed_or_inverted_fed_range_gives_no_odds(store: Store, catalog: Catalog) -> None:
    # Hypothetical bad inputs: both ends 5.25 (not a range), then lower above upper.
    _append(store, LOWER, [("2024-08-01", 5.25), ("2024-08-02", 5.50)])
    _append(store, UPPER, [("2024-08-01", 5.25), ("2024-08-02", 5.25)])

    assert range_in_force(_inputs(store, catalog, date(2024, 8, 1)), "fed") == (
        "5.25-5.25% is not a range"
    )
    section = odds_section(
        _inputs(store, catalog, date(2024, 8, 2)),
        [bank_odds(_inputs(store, catalog, date(2024, 8, 2)), "fed", lambda *_: [])],
    )
    assert any("5.5-5.25% is not a range" in m for m in section.missing)


def test_market_odds_become_cells_and_bars_by_move(store: Store, catalog: Catalog) -> None:
    _append(store, LOWER, [("2024-08-02", 5.25), ("2024-08-05", 5.25)])
    _append(store, UPPER, [("2024-08-02", 5.50), ("2024-08-05", 5.50)])
    asked: list[tuple[Bank, date, tuple[float, float]]] = []
    ladders = [
        _ladder(
            SEP_MEETING,
            (4.75, 5.00, 0.10, "below"),
            (5.00, 5.25, 0.50, None),
            (5.25, 5.50, 0.35, None),
            (5.50, 5.75, 0.05, "above"),
        ),
        # Buckets wider than the range in force: spans, one of them across the hold.
        _ladder(NOV_MEETING, (4.50, 5.00, 0.60, None), (5.00, 5.50, 0.40, None)),
    ]

    def markets(bank: Bank, day: date, range_pct: tuple[float, float]) -> list[OddsDistribution]:
        asked.append((bank, day, range_pct))
        return ladders if bank == "fed" else []

    inputs = _inputs(store, catalog, AUG5)
    section = odds_section(inputs, [bank_odds(inputs, "fed", markets)])

    assert asked == [("fed", AUG5, (5.25, 5.50))]
    (table,) = section.tables
    cells = {r[1]: r[table.columns.index("markets")] for r in table.rows if r[0] == "FOMC"}
    assert cells[SEP_MEETING.isoformat()] == (
        "kalshi: 5-5.25% 50%, 5.25-5.5% 35%, <= 4.75-5% 10%, 1 more"
    )
    assert cells[NOV_MEETING.isoformat()] == "kalshi: 4.5-5% 60%, 5-5.5% 40%"
    bars = section.figures[0].spec["data"]
    by_name = {t["name"]: (t["x"], t["y"], t["marker"]["color"]) for t in bars}
    # Outcomes in move order; a tail open on one side, a span read at both ends.
    assert list(by_name) == [
        "-75bp to -50bp",
        "-50bp or more cuts",
        "-25bp",
        "-25bp to hold",
        "hold",
        "+25bp or more hikes",
    ]
    assert by_name["-25bp"] == (["FOMC 18 Sep 2024 · kalshi"], [50.0], "#f4a582")
    # A span on one side takes the shade of its end nearer the hold (-50bp).
    assert by_name["-75bp to -50bp"] == (["FOMC 07 Nov 2024 · kalshi"], [60.0], "#d6604d")
    assert by_name["-50bp or more cuts"][2] == "#d6604d"
    assert by_name["-25bp to hold"][2] == "#d5d8dc"  # a cut or a hold: neither colour
    assert by_name["hold"][2] == "#8a9099"
    assert by_name["+25bp or more hikes"][2] == "#92c5de"
    assert not any(m.startswith("FOMC:") for m in section.missing)


def test_odds_over_time_follow_the_next_meeting_across_quoted_days(
    store: Store, catalog: Catalog
) -> None:
    _append(store, LOWER, [("2024-07-01", 5.25), ("2024-08-02", 5.25), ("2024-08-05", 5.25)])
    _append(store, UPPER, [("2024-07-01", 5.50), ("2024-08-02", 5.50), ("2024-08-05", 5.50)])
    # Hypothetical quotes on three days: the cut priced ever more before the sell-off.
    cut_by_day = {date(2024, 7, 1): 0.30, date(2024, 8, 2): 0.70, AUG5: 0.90}

    def markets(bank: Bank, day: date, range_pct: tuple[float, float]) -> list[OddsDistribution]:
        assert range_pct == (5.25, 5.50)
        cut = cut_by_day[day]
        # Polymarket's moves placed on a range another decision may change first: their
        # ranges could shift under a line, so they are left out of the history.
        moved = _ladder(
            SEP_MEETING,
            (5.25, 5.50, 1.0, None),
            source="polymarket",
            flags=("anchor: outcomes are changes at the meeting, placed on the range",),
        )
        return [_ladder(SEP_MEETING, (5.00, 5.25, cut, None), (5.25, 5.50, 1 - cut, None)), moved]

    inputs = _inputs(store, catalog, AUG5)
    days = [*cut_by_day, date(2023, 1, 3)]  # a day beyond the window is left out
    odds = bank_odds(inputs, "fed", markets, days)
    section = odds_section(inputs, [odds])

    assert [d for d, _ in odds.history] == sorted(cut_by_day)
    (over_time,) = [f for f in section.figures if f.key == "odds_over_time_fed"]
    assert over_time.title == "FOMC 18 Sep 2024: odds over time"
    lines = {t["name"]: t for t in over_time.spec["data"]}
    assert list(lines) == ["kalshi 5-5.25%", "kalshi 5.25-5.5%"]
    assert lines["kalshi 5-5.25%"]["x"] == ["2024-07-01", "2024-08-02", "2024-08-05"]
    assert lines["kalshi 5-5.25%"]["y"] == pytest.approx([30.0, 70.0, 90.0])
    # A day whose last quotes are an earlier day's (another source or bank was quoted
    # that day) adds no point: the same quotes are not drawn twice.
    stale_day = date(2024, 8, 3)
    cut_by_day[stale_day] = cut_by_day[date(2024, 8, 2)]
    again = bank_odds(inputs, "fed", markets, [*days, stale_day])
    assert [d for d, _ in again.history] == [d for d, _ in odds.history]
    # One quoted day is no history: no chart.
    single = bank_odds(inputs, "fed", markets, [AUG5])
    assert single.history == ()
    assert [f.key for f in odds_section(inputs, [single]).figures] == ["odds_by_meeting"]
