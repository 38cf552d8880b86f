"""The embedded snapshot: rebuilt from ``../shared/data`` it equals the committed one,
and a fresh store seeded from it holds the real values the collection's PROVENANCE
spot-checks."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

import pytest

import carrywatch
from carrywatch.snapshot.artefact import MANIFEST_NAME, OBSERVATIONS_NAME, read_snapshot

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PACKAGED = REPO / "src" / "carrywatch" / "snapshot" / "data"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_snapshot", REPO / "scripts/build_snapshot.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_snapshot"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason="../shared/data is not beside the repo")
def test_rebuilding_from_shared_data_reproduces_the_committed_snapshot(tmp_path: Path) -> None:
    builder = _builder()
    assert builder.main(["--shared", str(SHARED), "--out", str(tmp_path)]) == 0
    for name in (MANIFEST_NAME, OBSERVATIONS_NAME):
        assert (tmp_path / name).read_bytes() == (PACKAGED / name).read_bytes(), (
            f"{name} differs: run `make snapshot` and commit the result"
        )


def test_every_value_has_provenance() -> None:
    entries, observations = read_snapshot()
    keys = {e.key for e in entries}
    assert set(observations["fetch_key"]) <= keys
    for entry in entries:
        assert entry.url.startswith("https://")
        assert entry.provenance["publisher"]
        if entry.source != "events":
            assert entry.provenance["repository"]
            assert entry.provenance["commit"]
            assert len(entry.sha256) == 64


# (series, obs_date, value): spot checks stated in shared/data/PROVENANCE.md
SPOT_CHECKS = [
    ("us.ust.10y", date(2024, 8, 5), 3.78),
    ("us.ust.10y", date(2024, 9, 16), 3.63),
    ("us.ust.2y", date(2024, 8, 5), 3.89),
    ("us.ust.3m", date(2024, 8, 5), 5.35),
    ("jp.jgb.10y", date(2024, 7, 31), 1.070),
    ("jp.jgb.2y", date(2024, 8, 5), 0.265),
    ("jp.jgb.10y", date(2024, 8, 5), 0.781),
    ("jp.jgb.30y", date(2026, 6, 30), 3.873),
    ("fx.usdjpy", date(2024, 8, 5), 143.95),
    ("fx.usdjpy.yahoo", date(2024, 7, 3), 161.50399780273438),
    ("us.fed.assets", date(2022, 4, 13), 8965487.0),
    ("us.fed.target_upper", date(2024, 9, 18), 5.5),
    ("us.fed.target_upper", date(2024, 12, 18), 4.75),
    ("us.fed.dff", date(2024, 9, 19), 4.83),
    ("us.rrp", date(2022, 12, 30), 2553.716),
    ("us.tga", date(2024, 8, 5), 769196.0),
    ("us.tga.weekly", date(2023, 5, 31), 48.954),
    ("us.m2", date(2026, 6, 1), 23155.2),
    ("us.nasdaq", date(2024, 8, 5), 16200.08),
    ("us.sp500", date(2025, 4, 8), 4982.77),
    ("us.vix", date(2024, 8, 5), 38.57),
    ("crypto.btcusd", date(2024, 8, 5), 54025.9),
    ("us.cpi", date(2024, 6, 1), 313.044),
    ("jp.cpi.core", date(2024, 10, 1), 108.8),
    ("jp.cpi", date(2024, 10, 1), 109.5),
    ("tic.japan.holdings", date(2025, 12, 1), 1185.5),
    ("tic.china.holdings", date(2025, 12, 1), 683.5),
    ("tic.total.holdings", date(2024, 12, 1), 8619.3),
    ("cftc.jpy.noncommercial_net", date(2024, 7, 2), -184223.0),
    ("cftc.jpy.noncommercial_long", date(2024, 7, 2), 36714.0),
    ("jp.gdp.real", date(2020, 4, 1), 528235.0),
    ("jp.boj.policy_rate", date(2024, 7, 31), 0.25),
    ("jp.boj.policy_rate", date(2025, 1, 24), 0.5),
    # CME FedWatch as published (§12): 2026-07-20, meeting 2026-07-29: 350-375 85.6%, ZQN6
    # mid 96.3713; 2026-07-28: 62.1% hold / 37.9% hike.
    ("us.fomc_odds.2026-07-29.cme_fedwatch.350-375", date(2026, 7, 20), 85.6),
    ("us.fedfunds_futures.zqn26.mid", date(2026, 7, 20), 96.3713),
    ("us.fomc_odds.2026-07-29.cme_fedwatch.350-375", date(2026, 7, 28), 62.1),
    ("us.fomc_odds.2026-07-29.cme_fedwatch.375-400", date(2026, 7, 28), 37.9),
    # Prediction markets (§12): 2025-12-06 23:30 ET 0.075, the last quote of the file, i.e.
    # the newest of the UTC day 2025-12-07 (04:30:42 UTC).
    ("us.fomc_odds.2025-12-10.polymarket.hold", date(2025, 12, 7), 0.075),
]


# (series, moment known, value): §12's intraday spot checks, read as known at a moment
# just after the quote (12:00 ET is 17:00 UTC in November).
INTRADAY_CHECKS = [
    ("us.fomc_odds.2025-12-10.polymarket.hold", "2025-11-16T06:10:00Z", 0.505),
    ("us.fomc_odds.2025-12-10.kalshi.hold", "2025-11-16T06:10:00Z", 0.51),
    ("us.fomc_odds.2025-12-10.polymarket.hold", "2025-11-20T17:10:00Z", 0.635),
    ("us.fomc_odds.2025-12-10.polymarket.hold", "2025-11-21T17:10:00Z", 0.355),
]


@pytest.mark.parametrize(("series_id", "known_at", "expected"), INTRADAY_CHECKS)
def test_quotes_keep_their_time_of_day(
    seeded: Path, series_id: str, known_at: str, expected: float
) -> None:
    moment = datetime.fromisoformat(known_at.replace("Z", "+00:00"))
    with carrywatch.open_store(seeded) as store:
        frame = store.read([series_id], start=moment.date(), end=moment.date(), known_at=moment)
    assert frame["value"].tolist() == [pytest.approx(expected, abs=1e-9)]


@pytest.mark.parametrize(("series_id", "day", "expected"), SPOT_CHECKS)
def test_a_fresh_store_holds_the_real_values(
    seeded: Path, series_id: str, day: date, expected: float
) -> None:
    with carrywatch.open_store(seeded) as store:
        frame = store.read([series_id], start=day, end=day)
    assert len(frame) == 1, f"{series_id} has no value on {day}"
    assert frame["value"].iloc[0] == pytest.approx(expected, abs=1e-9)
    assert frame["origin"].iloc[0] == "snapshot"


def test_seeding_again_adds_nothing(seeded: Path) -> None:
    with carrywatch.open_store(seeded) as store:
        before = store.counts()
        from carrywatch.snapshot.artefact import seed_store

        assert seed_store(store, force=True) == 0
        assert store.counts() == before
        assert store.integrity_check() == "ok"


def test_gaps_are_reported_not_filled(seeded: Path) -> None:
    with carrywatch.open_store(seeded) as store:
        # No BOJ daily call-rate history exists in the collection: the series stays empty.
        assert store.read(["jp.boj.call_rate"]).empty
        # Under the monetary-base target (2013-04-04 .. 2016-01-28) no rate target was set.
        qqe = store.read(["jp.boj.policy_rate"], start=date(2013, 4, 4), end=date(2016, 1, 28))
        assert qqe.empty
        # US CPI for October 2025 was never published (2025 shutdown).
        assert store.read(["us.cpi"], start=date(2025, 10, 1), end=date(2025, 10, 1)).empty
