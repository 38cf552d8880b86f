"""series.toml: the release lags that decide what an as-of view may see."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from carrywatch.catalog.spec import Catalog, load_catalog, parse_series
from carrywatch.errors import CatalogError

ENTRY: dict[str, Any] = {
    "id": "us.m2",
    "title": "M2",
    "unit": "usd_bn",
    "frequency": "monthly",
    "source": "fred",
    "remote_code": "M2SL",
    "publisher": "Board of Governors of the Federal Reserve System (via FRED)",
}


def test_official_statistics_carry_their_release_lag_and_market_data_none() -> None:
    catalog = load_catalog()
    lags = {sid: spec.release_lag_days for sid, spec in catalog.series.items()}
    # The publishers' calendars (series.toml cites each): H.6 on the fourth Tuesday of
    # the next month, TIC about the 18th of the month after next, CFTC on Friday for
    # Tuesday, H.4.1 on Thursday for Wednesday.
    assert (lags["us.m2"], lags["tic.japan.holdings"], lags["cftc.jpy.noncommercial_net"]) == (
        58,
        80,
        3,
    )
    assert lags["us.fed.assets"] == 1
    # Every TIC country and every CFTC leg alike; market prices are known at the close.
    assert {lags[s] for s in lags if s.startswith("tic.")} == {80}
    assert {lags[s] for s in lags if s.startswith("cftc.")} == {3}
    markets = ("us.ust.10y", "jp.jgb.10y", "fx.usdjpy", "us.nasdaq", "us.vix", "crypto.btcusd")
    assert [lags[m] for m in markets] == [0] * len(markets)
    # July 2024's M2 (obs_date 2024-07-01) came out on 27 August 2024; the usual lag
    # dates it a day later, on the 28th (no calendar row: H.6 was not delayed).
    assert catalog.calendar.release_day("us.m2", date(2024, 7, 1)) == (
        date(2024, 8, 28),
        "usual lag of 58 days",
    )


@pytest.mark.parametrize("bad", [-1, 400, 1.5, "58", True])
def test_a_release_lag_must_be_whole_days(bad: object) -> None:
    with pytest.raises(CatalogError, match="release_lag_days"):
        parse_series({"series": [{**ENTRY, "release_lag_days": bad}]})


def test_without_a_release_lag_an_observation_is_known_on_its_date() -> None:
    (spec,) = parse_series({"series": [ENTRY]}).values()
    assert spec.release_lag_days == 0
    catalog = Catalog(series={spec.id: spec}, fomc=(), boj=())
    assert catalog.calendar.release_day(spec.id, date(2024, 8, 5)) == (
        date(2024, 8, 5),
        "usual lag of 0 days",
    )
