"""The headline metrics through time in one pass (``metric_paths``) against the per-day
evaluation (``metrics_from_series``), the oracle: the same value and observation date of
every metric on every day, on the real embedded snapshot.

The days cover the snapshot's regimes and the release calendar's edges: the August 2024
unwind (TIC and M2 months released on 18 and 23 July), the 2025 shutdown (core PCE and
CFTC reports delayed, the release calendar's rows for October-December 2025), the days
around BOJ decisions (2024-03-19, 2024-07-31, 2025-01-24), Japan CPI's end (2024-10) and
the snapshot's last weeks, where inputs turn stale one by one.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carrywatch.catalog.spec import Catalog
from carrywatch.report.metric_history import metric_paths
from carrywatch.report.metrics import INPUT_SERIES, METRIC_KEYS, metrics_from_series
from carrywatch.workspace import catalog_of, open_store

_DAYS = (
    # BOJ decisions and the day after: the policy rate's staleness limit and its change.
    "2024-03-18",
    "2024-03-19",
    "2024-03-20",
    "2024-07-30",
    "2024-07-31",
    "2024-08-01",
    "2024-08-05",
    "2025-01-24",
    # TIC (18 July) and M2 (23 July) releases of 2024: the day before, the day of.
    "2024-07-17",
    "2024-07-18",
    "2024-07-22",
    "2024-07-23",
    # Japan CPI's last month (2024-10, released 2024-11-22) and beyond.
    "2024-11-21",
    "2024-11-22",
    "2025-03-03",
    # The 2025 shutdown: releases dated by the calendar, late CFTC reports.
    "2025-10-01",
    "2025-10-31",
    "2025-11-20",
    "2025-12-05",
    "2025-12-08",
    # A weekend, New Year, and the snapshot's end.
    "2025-12-27",
    "2026-01-01",
    "2026-06-05",
    "2026-08-21",
    # Long before most series start: almost every metric missing.
    "1999-01-04",
)


@pytest.fixture(scope="module")
def stored(seeded: Path) -> tuple[dict[str, pd.Series], Catalog]:
    with open_store(seeded) as store:
        catalog = catalog_of(store)
        frame = store.read(list(INPUT_SERIES), asof=date(2026, 8, 21))
    series = {
        str(sid): pd.Series(
            rows["value"].to_numpy(dtype="float64"),
            index=pd.DatetimeIndex(rows["obs_date"]),
            name=str(sid),
        )
        for sid, rows in frame.groupby("series_id")
    }
    return series, catalog


def _days(values: tuple[str, ...]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(sorted(pd.Timestamp(d) for d in values)).as_unit("ns")


def _assert_matches_oracle(
    series: dict[str, pd.Series], catalog: Catalog, days: pd.DatetimeIndex
) -> int:
    paths = metric_paths(series, catalog, days)
    assert list(paths) == list(METRIC_KEYS)
    compared = 0
    for i, stamp in enumerate(days):
        oracle = metrics_from_series(series, catalog, stamp.date())
        for key in METRIC_KEYS:
            expected, path = oracle[key], paths[key]
            assert path.unit == expected.unit, key
            got = float(path.values[i])
            if expected.value is None:
                assert math.isnan(got), (key, stamp.date(), got, expected.reason)
                continue
            # Exact equality, bit for bit: the same functions on the same numbers.
            assert got == expected.value, (key, stamp.date(), got, expected.value)
            assert pd.Timestamp(path.obs_dates[i]).date() == expected.obs_date, (key, stamp)
            compared += 1
    return compared


def test_metric_paths_equal_the_per_day_metrics_at_calendar_edges(
    stored: tuple[dict[str, pd.Series], Catalog],
) -> None:
    series, catalog = stored
    compared = _assert_matches_oracle(series, catalog, _days(_DAYS))
    # Most metrics have a value on most days (the comparison is not vacuous).
    assert compared > 0.7 * len(_DAYS) * len(METRIC_KEYS)


def test_metric_paths_equal_the_per_day_metrics_every_weekday_of_a_year(
    stored: tuple[dict[str, pd.Series], Catalog],
) -> None:
    # Every weekday from the 2024 unwind through the 2025 shutdown's first weeks: each
    # release of the year falls between two of these days.
    series, catalog = stored
    days = pd.bdate_range("2024-06-03", "2025-10-31").as_unit("ns")
    compared = _assert_matches_oracle(series, catalog, days)
    assert compared > 0.9 * len(days) * len(METRIC_KEYS)


def test_a_year_ago_month_published_later_gives_no_growth_until_it_is(
    stored: tuple[dict[str, pd.Series], Catalog],
) -> None:
    """A twelve-month change needs the year-ago month as published by the day. With June
    2023's M2 moved to a release of 2024-09-02 (a revision-free stand-in for a late
    release; every other month keeps H.6's usual 58 days), June 2024's growth is missing
    as of 2024-08-05 on both paths; as of 2024-08-30 the newest month is July 2024, whose
    year-ago month is published, so both have a value."""
    series, catalog = stored
    m2 = series["us.m2"]
    usual = m2.index.to_numpy().astype("datetime64[D]") + np.timedelta64(58, "D")
    late = np.datetime64("2024-09-02", "D")
    moved = np.where(m2.index == pd.Timestamp("2023-06-01"), late, usual)
    released = {"us.m2": pd.Series(moved.astype("datetime64[D]"), index=m2.index)}
    days = _days(("2024-08-05", "2024-08-30", "2024-09-02"))
    paths = metric_paths(series, catalog, days, released=released)
    growth = paths["liquidity.m2_yoy"].values
    for i, stamp in enumerate(days):
        oracle = metrics_from_series(series, catalog, stamp.date(), released=released)
        expected = oracle["liquidity.m2_yoy"].value
        assert (math.isnan(growth[i]) and expected is None) or growth[i] == expected, stamp
    assert math.isnan(growth[0])
    assert not math.isnan(growth[1])
