"""Market snapshots in the store: ``record_snapshot`` (a fetch row with no observations,
idempotent on source and sha256) and ``snapshots`` (newest last, up to a time).

The bodies are the first bytes of the real Gamma event (tests/payloads/polymarket_gamma/)
and of the constructed Kalshi events answer (tests/payloads/kalshi/README.md); only their
sha256 matters here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from carrywatch.errors import StoreError
from carrywatch.store.sqlite import SNAPSHOT_KIND, FetchRecord, Store
from carrywatch.types import Origin, sha256_hex

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"
GAMMA_BODY = next((PAYLOADS / "polymarket_gamma").glob("gamma_events_slug_*.json")).read_bytes()
KALSHI_BODY = (PAYLOADS / "kalshi" / "constructed_events_KXFED_nested_markets.json").read_bytes()
T1 = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC)
T3 = datetime(2026, 11, 25, 21, 30, 0, tzinfo=UTC)


def _record(source: str, body: bytes, at: datetime, **provenance: object) -> FetchRecord:
    return FetchRecord(
        source=source,
        url=f"https://example.invalid/{source}",
        params=(("status", "open"),),
        retrieved_at=at,
        http_status=200,
        sha256=sha256_hex(body),
        n_bytes=len(body),
        parse_version=1,
        origin=Origin.LIVE,
        provenance={"bank": "fed", **provenance},
    )


@pytest.fixture
def store(store_target: Path | str) -> Iterator[Store]:
    with Store.open(store_target) as opened:
        yield opened


def test_a_snapshot_is_a_fetch_row_without_observations(store: Store) -> None:
    fetch_id = store.record_snapshot(_record("kalshi", KALSHI_BODY, T1, key="KXFED"))
    assert store.counts() == (1, 0)
    (row,) = store.fetches(source="kalshi")
    assert row.fetch_id == fetch_id
    assert (row.origin, row.http_status, row.n_bytes) == ("live", 200, len(KALSHI_BODY))
    assert row.retrieved_at == "2026-11-24T09:00:00Z"
    assert row.params == (("status", "open"),)
    assert row.provenance == {"bank": "fed", "key": "KXFED", "kind": SNAPSHOT_KIND}
    assert store.snapshots("kalshi") == [row]


def test_recording_the_same_bytes_again_writes_nothing(store: Store) -> None:
    first = store.record_snapshot(_record("kalshi", KALSHI_BODY, T1))
    again = store.record_snapshot(_record("kalshi", KALSHI_BODY, T2))
    assert again == first
    assert store.counts() == (1, 0)
    # The row keeps its first retrieval time.
    assert [s.retrieved_at for s in store.snapshots("kalshi")] == ["2026-11-24T09:00:00Z"]
    # Same bytes from another source are another snapshot.
    other = store.record_snapshot(_record("polymarket_gamma", KALSHI_BODY, T2))
    assert other != first
    assert store.counts() == (2, 0)


def test_snapshots_newest_last_and_up_to_a_time(store: Store) -> None:
    late = store.record_snapshot(_record("kalshi", KALSHI_BODY + b"\n", T3))
    early = store.record_snapshot(_record("kalshi", KALSHI_BODY, T1))
    middle = store.record_snapshot(_record("kalshi", KALSHI_BODY + b" ", T2))
    store.record_snapshot(_record("polymarket_gamma", GAMMA_BODY, T2))
    ids = [s.fetch_id for s in store.snapshots("kalshi")]
    assert ids == [early, middle, late]  # by retrieval time, not insertion order
    until = datetime(2026, 11, 25, 9, 0, 0, 999_000, tzinfo=UTC)  # compared to the second
    assert [s.fetch_id for s in store.snapshots("kalshi", until=until)] == [early, middle]
    assert store.snapshots("kalshi", until=datetime(2026, 11, 1, tzinfo=UTC)) == []
    assert [s.source for s in store.snapshots("polymarket_gamma")] == ["polymarket_gamma"]
    assert store.snapshots("fred") == []
    with pytest.raises(StoreError, match="timezone-aware"):
        store.snapshots("kalshi", until=datetime(2026, 11, 25))  # noqa: DTZ001


def test_observation_fetches_are_not_snapshots(store: Store) -> None:
    rows = pd.DataFrame({"series_id": ["us.ust.10y"], "obs_date": ["2024-08-05"], "value": [3.78]})
    plain = _record("polymarket_gamma", GAMMA_BODY, T1)
    result = store.append(plain, rows)
    assert result.n_added == 1
    assert store.snapshots("polymarket_gamma") == []
    # The same bytes recorded as a snapshot get their own, observation-free row.
    snapshot_id = store.record_snapshot(plain)
    assert snapshot_id != result.fetch_id
    assert [s.fetch_id for s in store.snapshots("polymarket_gamma")] == [snapshot_id]
    assert store.counts() == (2, 1)
