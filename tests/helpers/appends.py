"""Shared helpers of the store's property tests: generated rows to append, and a fetch.

Values and moments are hypothetical: the append rule and the statistics are about the
order and equality of rows, not their size.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd
from hypothesis import strategies as st

from carrywatch.store.sqlite import FetchRecord, iso_utc
from carrywatch.types import Origin, sha256_hex

__all__ = ["SERIES", "T0", "GeneratedRow", "fetch_at", "frame_of", "generated_rows"]

T0 = datetime(2024, 8, 10, 12, 0, 0, tzinfo=UTC)
SERIES = ("us.ust.10y", "us.gdp")
_DAYS = [f"2024-08-{d:02d}" for d in range(1, 6)]
_KNOWN = ["2024-08-02T00:00:00Z", "2024-08-10T12:00:00Z", "2024-08-10T12:03:00Z"]

#: A row ``(series, day, known_from or None for the fetch's moment, value)``; a NaN value
#: is a withdrawal.
GeneratedRow = tuple[str, str, str | None, float]

#: Rows to append: two series, five days, three moments (one before ``T0``, ``T0``, one
#: after), values with repeats and withdrawals.
generated_rows = st.tuples(
    st.sampled_from(SERIES),
    st.sampled_from(_DAYS),
    st.none() | st.sampled_from(_KNOWN),
    st.sampled_from([3.78, 3.8, 3.9, math.nan]),
)


def frame_of(generated: list[GeneratedRow], at: datetime) -> pd.DataFrame:
    """``generated`` as the frame :meth:`Store.append` takes, retrieved at ``at``."""
    return pd.DataFrame(
        {
            "series_id": [r[0] for r in generated],
            "obs_date": pd.to_datetime([r[1] for r in generated]),
            "known_from": pd.to_datetime([r[2] or iso_utc(at) for r in generated], utc=True),
            "value": [r[3] for r in generated],
            "withdrawn": [math.isnan(r[3]) for r in generated],
        }
    )


def fetch_at(at: datetime, origin: Origin = Origin.LIVE) -> FetchRecord:
    """A FRED fetch retrieved at ``at`` (its digest made from the moment)."""
    return FetchRecord(
        source="fred",
        url="https://fred.stlouisfed.org/graph/fredgraph.csv",
        retrieved_at=at,
        sha256=sha256_hex(at.isoformat().encode()),
        n_bytes=0,
        parse_version=1,
        origin=origin,
    )
