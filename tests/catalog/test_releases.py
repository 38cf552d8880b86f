"""The point-in-time rule (carrywatch.catalog.releases) and the release calendar data.

Each release day checked here is a published one; where it comes from is in the comment
beside it and in the ``source`` of its row in ``releases.toml``:

* BEA, "Personal Income and Outlays, September 2025" (bea.gov/taxonomy/term/476):
  "Current release: December 5, 2025", originally scheduled for October 31;
* BEA after the shutdown: October and November 2025 "combined into a single report
  scheduled for January 22", which "replaces releases originally scheduled for November
  26 and December 19, 2025";
* Reuters, 21 November 2025: "November's Consumer Price Index report will be published
  on December 18"; no October 2025 CPI was published;
* CFTC, 18 November 2025, catch-up schedule: the COT report of 10/28/2025 on 12/05/2025,
  of 11/10/2025 (Veterans Day week) on 12/12/2025;
* CFTC, Commitments of Traders release schedule through 2024 (cftc.gov/es/node/132401):
  holiday weeks released on Monday, e.g. "July 08*" and "December 30*".
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from carrywatch.catalog.releases import (
    FIRST_PUBLICATION,
    FIRST_RELEASE,
    RELEASE_CALENDAR,
    ReleaseCalendar,
    parse_releases,
    usual_lag,
)
from carrywatch.catalog.spec import load_catalog
from carrywatch.errors import CatalogError


@pytest.fixture(scope="module")
def calendar() -> ReleaseCalendar:
    return load_catalog().calendar


@pytest.mark.parametrize(
    ("series_id", "obs_date", "released"),
    [
        ("us.core_pce", date(2025, 9, 1), date(2025, 12, 5)),  # BEA, see the docstring
        ("us.core_pce", date(2025, 10, 1), date(2026, 1, 22)),
        ("us.core_pce", date(2025, 11, 1), date(2026, 1, 22)),
        # Bloomberg: September 2025 CPI on October 24 (the usual lag of 45 days says 10-16).
        ("us.cpi", date(2025, 9, 1), date(2025, 10, 24)),
        ("us.cpi", date(2025, 11, 1), date(2025, 12, 18)),  # Reuters, 21 Nov 2025
        ("cftc.jpy.noncommercial_net", date(2025, 10, 28), date(2025, 12, 5)),  # CFTC
        ("cftc.jpy.noncommercial_long", date(2025, 11, 10), date(2025, 12, 12)),
        ("tic.japan.holdings", date(2025, 10, 1), date(2025, 12, 18)),
        # CFTC release schedule 2024 (cftc.gov/es/node/132401): "December 30*", "*Delayed
        # release date due to a Federal holiday": the report of Tuesday 12-24 (Christmas).
        ("cftc.jpy.noncommercial_net", date(2024, 12, 24), date(2024, 12, 30)),
        ("cftc.jpy.noncommercial_short", date(2024, 7, 2), date(2024, 7, 8)),
    ],
)
def test_delayed_releases_are_dated_by_the_publishers_calendar(
    calendar: ReleaseCalendar, series_id: str, obs_date: date, released: date
) -> None:
    assert calendar.release_day(series_id, obs_date) == (released, RELEASE_CALENDAR)


def test_october_2025_core_pce_is_not_published_as_of_2025_12_05(
    calendar: ReleaseCalendar,
) -> None:
    # The usual lag (61 days) would have shown it from 2025-12-01: the defect.
    assert calendar.lags["us.core_pce"] == 61
    released, rule = calendar.release_day("us.core_pce", date(2025, 10, 1))
    assert released > date(2025, 12, 5)
    assert rule == RELEASE_CALENDAR


def test_outside_the_calendar_the_usual_lag_dates_a_release(calendar: ReleaseCalendar) -> None:
    # August 2025 core PCE came out on its usual schedule (no row): obs_date + 61 days.
    assert calendar.release_day("us.core_pce", date(2025, 8, 1)) == (
        date(2025, 10, 1),
        usual_lag(61),
    )
    assert calendar.release_day("us.ust.10y", date(2025, 12, 5)) == (
        date(2025, 12, 5),
        "usual lag of 0 days",
    )


def test_a_vintage_first_release_beats_the_calendar_and_the_lag(
    calendar: ReleaseCalendar,
) -> None:
    obs = np.array(["2025-09-01", "2025-08-01", "2025-07-01"], dtype="datetime64[D]")
    # Hypothetical vintages for the first two dates; none for the third.
    first = np.array(["2025-12-04", "2025-09-26", "NaT"], dtype="datetime64[D]")
    released, rule = calendar.release_dates("us.core_pce", obs, first)
    assert released.tolist() == [date(2025, 12, 4), date(2025, 9, 26), date(2025, 8, 31)]
    assert rule.tolist() == [FIRST_RELEASE, FIRST_RELEASE, usual_lag(61)]
    # Without vintages the calendar row and the lag apply.
    none = np.full(3, np.datetime64("NaT", "D"))
    released, rule = calendar.release_dates("us.core_pce", obs, none)
    assert released.tolist() == [date(2025, 12, 5), date(2025, 10, 1), date(2025, 8, 31)]
    assert rule.tolist() == [RELEASE_CALENDAR, usual_lag(61), usual_lag(61)]


def test_a_first_publication_outside_fred_is_not_called_alfred(
    calendar: ReleaseCalendar,
) -> None:
    # A prediction-market quote series is known from its quote's moment (hypothetical day).
    sid = "us.fomc_odds.2025-12-10.polymarket.hold"
    obs = np.array(["2025-11-21"], dtype="datetime64[D]")
    _, rule = calendar.release_dates(sid, obs, obs)
    assert rule.tolist() == [FIRST_PUBLICATION]
    _, rule = calendar.release_dates("us.gdp.real", obs, obs)  # FRED GDPC1
    assert rule.tolist() == [FIRST_RELEASE]


def test_every_calendar_row_names_its_source(calendar: ReleaseCalendar) -> None:
    rows = [row for by_date in calendar.scheduled.values() for row in by_date.values()]
    assert len(rows) > 20
    assert all(row.source.strip() and row.released >= row.obs_date for row in rows)


_ROW: dict[str, Any] = {
    "obs_date": date(2025, 9, 1),
    "released": date(2025, 12, 5),
    "source": "BEA",
}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "x", "series": ["nope"], "rows": [_ROW]}, "unknown series"),
        ({"name": "x", "series": ["a"], "rows": [{**_ROW, "source": " "}]}, "source"),
        (
            {"name": "x", "series": ["a"], "rows": [{**_ROW, "released": date(2025, 8, 1)}]},
            "before the obs_date",
        ),
        ({"name": "x", "series": ["a"], "rows": [_ROW, _ROW]}, "already has a release"),
        ({"name": "x", "series": ["a"], "rows": [{**_ROW, "obs_date": "2025-09"}]}, "dates"),
    ],
)
def test_a_malformed_calendar_is_refused_with_the_reason(
    entry: dict[str, Any], message: str
) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_releases({"release": [entry]}, {"a": 30})
