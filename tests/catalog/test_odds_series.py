"""The catalog's odds series, read from their ids."""

from __future__ import annotations

from datetime import date

from carrywatch.catalog.odds_series import futures_mid_series, odds_series
from carrywatch.catalog.spec import load_catalog


def test_odds_series_name_meeting_venue_and_outcome() -> None:
    found = {s.series_id: s for s in odds_series(load_catalog())}
    poly = found["us.fomc_odds.2025-12-10.polymarket.hold"]
    assert (poly.meeting, poly.venue, poly.outcome, poly.unit) == (
        date(2025, 12, 10),
        "polymarket",
        "hold",
        "probability",
    )
    assert poly.range_pct is None
    cme = found["us.fomc_odds.2026-07-29.cme_fedwatch.350-375"]
    assert cme.unit == "percent"
    assert cme.range_pct == (3.5, 3.75)
    # Every venue the catalog names is one the brief can name.
    assert {s.venue for s in found.values()} == {"polymarket", "kalshi", "cme_fedwatch"}


def test_futures_mids_map_to_their_contract() -> None:
    mids = futures_mid_series(load_catalog())
    assert mids["us.fedfunds_futures.zqn26.mid"] == "ZQN26"
    # The saved FedWatch page shows the 11 meeting months from July 2026 to October 2027.
    assert len(mids) == 11
    assert "us.fedfunds_futures.front" not in mids
