"""Real series from the embedded snapshot, for analytics tests.

Several snapshot files may carry the same ``(series_id, obs_date)``; like the store's
append rule, the last row wins.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from carrywatch.snapshot.artefact import read_snapshot

__all__ = ["snapshot_frame", "snapshot_series"]


@cache
def snapshot_frame() -> pd.DataFrame:
    """The snapshot's observations (read once per test session)."""
    _, frame = read_snapshot()
    return frame


def snapshot_series(frame: pd.DataFrame, series_id: str) -> pd.Series:
    """``series_id`` as a float Series on a sorted DatetimeIndex of obs_dates, named by its id."""
    rows = frame[frame["series_id"] == series_id]
    if rows.empty:
        raise KeyError(f"{series_id} is not in the embedded snapshot")
    last = rows.drop_duplicates(["series_id", "obs_date"], keep="last")
    series = pd.Series(
        last["value"].to_numpy(dtype="float64"),
        index=pd.DatetimeIndex(last["obs_date"]),
        name=series_id,
    )
    return series.sort_index()
