"""Named DataFrame contracts between modules.

``OBSERVATIONS`` is what every parser returns and what the store appends::

    remote_code  str              the provider's code (FRED id, MOF tenor, TIC country ...)
    obs_date     datetime64[ns]   the period the value belongs to (midnight, no timezone)
    value        float64          never NaN: a missing value is not an observation
    known_from   datetime64[ns, UTC]  optional: first publication (vintage sources only)

:func:`observations_frame` builds and checks such a frame; a violation is a
:class:`~carrywatch.errors.ParseError` that carries the offending rows in its message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from carrywatch.errors import ParseError

__all__ = [
    "EARLIEST_OBS_DATE",
    "OBSERVATION_COLUMNS",
    "empty_observations",
    "observations_frame",
]

OBSERVATION_COLUMNS: tuple[str, ...] = ("remote_code", "obs_date", "value")

#: No series carrywatch tracks starts earlier; an older date is a parse error.
EARLIEST_OBS_DATE = date(1900, 1, 1)

#: Observation dates may lie at most this far in the future (forward-dated
#: calendar rows and the odd provider quirk), anything later is a parse error.
_MAX_FUTURE_DAYS = 400


def empty_observations(*, with_known_from: bool = False) -> pd.DataFrame:
    """An empty frame with the observation contract's columns and dtypes."""
    frame = pd.DataFrame(
        {
            "remote_code": pd.Series([], dtype=object),
            "obs_date": pd.Series([], dtype="datetime64[ns]"),
            "value": pd.Series([], dtype="float64"),
        }
    )
    if with_known_from:
        frame["known_from"] = pd.Series([], dtype="datetime64[ns, UTC]")
    return frame


def observations_frame(
    source: str,
    remote_codes: Sequence[str],
    obs_dates: Sequence[date] | pd.Series | pd.DatetimeIndex,
    values: Sequence[float] | np.ndarray | pd.Series,
    known_from: Sequence[object] | pd.Series | None = None,
) -> pd.DataFrame:
    """Build an observation frame and check the contract.

    Rows whose value is NaN are dropped (a missing value is not an observation).
    Raises :class:`ParseError` on non-finite values, dates outside
    ``[1900-01-01, today + 400 days]`` or duplicate ``(remote_code, obs_date[, known_from])``.
    """
    try:
        frame = pd.DataFrame(
            {
                "remote_code": pd.Series(list(remote_codes), dtype=object),
                "obs_date": pd.to_datetime(pd.Series(list(obs_dates)), errors="raise")
                .dt.normalize()
                .astype("datetime64[ns]"),
                "value": pd.Series(np.asarray(values, dtype="float64")),
            }
        )
        if known_from is not None:
            frame["known_from"] = pd.to_datetime(
                pd.Series(list(known_from)), utc=True, errors="raise"
            ).astype("datetime64[ns, UTC]")
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParseError(f"rows do not form observations ({exc})", source=source) from exc
    frame = frame[frame["value"].notna()].reset_index(drop=True)
    if frame.empty:
        return frame
    if not np.isfinite(frame["value"].to_numpy()).all():
        bad = frame[~np.isfinite(frame["value"].to_numpy())].head(3)
        raise ParseError(f"non-finite values: {bad.to_dict('records')}", source=source)
    lowest = pd.Timestamp(EARLIEST_OBS_DATE)
    highest = pd.Timestamp.today().normalize() + pd.Timedelta(days=_MAX_FUTURE_DAYS)
    out_of_range = frame[(frame["obs_date"] < lowest) | (frame["obs_date"] > highest)]
    if not out_of_range.empty:
        raise ParseError(
            f"observation dates out of range: {out_of_range.head(3).to_dict('records')}",
            source=source,
        )
    key = ["remote_code", "obs_date", *(["known_from"] if known_from is not None else [])]
    duplicated = frame[frame.duplicated(key, keep=False)]
    if not duplicated.empty:
        raise ParseError(
            f"duplicate observations: {duplicated.head(4).to_dict('records')}", source=source
        )
    return frame.sort_values(key, kind="stable").reset_index(drop=True)
