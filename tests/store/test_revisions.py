"""``Store.revisions``: a series' values at the moments they became known."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from carrywatch.store.sqlite import FetchRecord, Store
from carrywatch.types import Origin


@pytest.fixture
def store(store_target: Path | str) -> Iterator[Store]:
    with Store.open(store_target) as opened:
        yield opened


def _fetch(n: int) -> FetchRecord:
    return FetchRecord(
        source="venue_quotes",
        url="file:quotes.csv",
        retrieved_at=datetime(2026, 1, 18, tzinfo=UTC),
        sha256=f"{n:064d}",
        n_bytes=1,
        parse_version=1,
        origin=Origin.SNAPSHOT,
    )


def test_quotes_come_back_at_their_moments(store: Store) -> None:
    # Hypothetical quotes of one day: 0.50 at 06:00, 0.50 again at 06:30 (no change: not
    # stored), 0.45 at 07:00; then 0.40 the next day.
    rows = pd.DataFrame(
        {
            "series_id": "q",
            "obs_date": pd.to_datetime(["2025-11-16", "2025-11-16", "2025-11-16", "2025-11-17"]),
            "value": [0.50, 0.50, 0.45, 0.40],
            "known_from": pd.to_datetime(
                [
                    "2025-11-16T06:00:00Z",
                    "2025-11-16T06:30:00Z",
                    "2025-11-16T07:00:00Z",
                    "2025-11-17T01:00:00Z",
                ],
                utc=True,
            ),
        }
    )
    store.append(_fetch(1), rows)
    path = store.revisions(
        "q", start=date(2025, 11, 16), known_at=datetime(2025, 11, 16, 23, 59, tzinfo=UTC)
    )
    assert path.tolist() == [0.50, 0.45]
    assert list(path.index) == [
        pd.Timestamp("2025-11-16 06:00", tz="UTC"),
        pd.Timestamp("2025-11-16 07:00", tz="UTC"),
    ]
    later = store.revisions(
        "q", start=date(2025, 11, 17), known_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert later.tolist() == [0.40]
    assert store.revisions(
        "other", start=date(2025, 1, 1), known_at=datetime(2026, 1, 1, tzinfo=UTC)
    ).empty
