"""Named DataFrame contracts between modules.

``OBSERVATIONS`` is what every parser returns and what the store appends::

    remote_code  str              the provider's code (FRED id, MOF tenor, TIC country ...)
    obs_date     datetime64[ns]   the period the value belongs to (midnight, no timezone)
    value        float64          never NaN, except on a withdrawal (below)
    known_from   datetime64[ns, UTC]  optional: first publication (vintage sources) or the
                                  moment of an intraday quote
    withdrawn    bool             optional, vintage sources only: True where the vintage
                                  starting at known_from shows no value for the date
                                  (ALFRED's ".": the value was withdrawn); value is NaN
                                  on exactly those rows

A missing value is not an observation and is dropped, but a withdrawal is: it says that
from ``known_from`` on the date had no value, so that a view as of then shows none
instead of the previous vintage's. It travels as the explicit ``withdrawn`` flag, never
as a bare NaN, because every reader treats NaN as "nothing here".

:func:`observations_frame` builds and checks such a frame; a violation is a
:class:`~carrywatch.errors.ParseError` that carries the offending rows in its message.

``QUOTES`` is what a parser of decision-market prices returns before they become
observations: one row per quote of one outcome of one central-bank meeting::

    venue         str                  the market (``polymarket``, ``kalshi``)
    meeting       datetime64[ns]       the decision day the outcome is about
    outcome       str                  ``hold``, ``cut_25``, ``hike_25`` ... (moves in bp)
    quoted_at     datetime64[ns, UTC]  when the price was observed
    probability   float64              the implied probability, in [0, 1]

:func:`quotes_frame` builds and checks one; :func:`observations_from_quotes` turns it into
observations: ``remote_code`` ``<venue>:<meeting>:<outcome>``, ``obs_date`` the UTC day of
the quote and ``known_from`` its moment, so that the store's "newest revision of a day" is
the day's last quote and ``known_at=T`` gives the last quote before ``T`` (see
``docs/decisions/0008-odds-histories.md``).
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
    "QUOTE_COLUMNS",
    "describe_rows",
    "empty_observations",
    "observations_frame",
    "observations_from_quotes",
    "quote_code",
    "quotes_frame",
]

OBSERVATION_COLUMNS: tuple[str, ...] = ("remote_code", "obs_date", "value")
QUOTE_COLUMNS: tuple[str, ...] = ("venue", "meeting", "outcome", "quoted_at", "probability")

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


def describe_rows(rows: pd.DataFrame, *, limit: int = 3) -> str:
    """The first ``limit`` observation rows for a message a person reads:
    ``DGS10 2024-08-02 = 3.8, ...`` (dates as YYYY-MM-DD, not pandas' ``Timestamp(...)``),
    with the number of rows left out."""
    code = "series_id" if "series_id" in rows.columns else "remote_code"
    shown = [
        f"{row[code]} {pd.Timestamp(row['obs_date']):%Y-%m-%d} = {float(row['value']):g}"
        for _, row in rows.head(limit).iterrows()
    ]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return ", ".join(shown) + more


def observations_frame(
    source: str,
    remote_codes: Sequence[str],
    obs_dates: Sequence[date] | pd.Series | pd.DatetimeIndex,
    values: Sequence[float] | np.ndarray | pd.Series,
    known_from: Sequence[object] | pd.Series | None = None,
    *,
    withdrawn: Sequence[bool] | None = None,
) -> pd.DataFrame:
    """Build an observation frame and check the contract.

    Rows whose value is NaN are dropped (a missing value is not an observation), except
    where ``withdrawn`` (which needs ``known_from``) is True: those are kept, value NaN.
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
        if withdrawn is not None:
            if known_from is None:
                raise ValueError("withdrawals need known_from (the vintage they start)")
            frame["withdrawn"] = pd.Series(np.asarray(withdrawn, dtype=bool))
            frame.loc[frame["withdrawn"], "value"] = np.nan
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParseError(f"rows do not form observations ({exc})", source=source) from exc
    gone = frame["withdrawn"] if withdrawn is not None else False
    frame = frame[frame["value"].notna() | gone].reset_index(drop=True)
    if frame.empty:
        return frame
    present = frame["value"].notna().to_numpy()
    if not np.isfinite(frame["value"].to_numpy()[present]).all():
        bad = frame[present & ~np.isfinite(frame["value"].to_numpy())]
        raise ParseError(f"non-finite values: {describe_rows(bad)}", source=source)
    lowest = pd.Timestamp(EARLIEST_OBS_DATE)
    highest = pd.Timestamp.today().normalize() + pd.Timedelta(days=_MAX_FUTURE_DAYS)
    out_of_range = frame[(frame["obs_date"] < lowest) | (frame["obs_date"] > highest)]
    if not out_of_range.empty:
        raise ParseError(
            f"observation dates out of range (before {EARLIEST_OBS_DATE} or more than "
            f"{_MAX_FUTURE_DAYS} days ahead): {describe_rows(out_of_range)}",
            source=source,
        )
    key = ["remote_code", "obs_date", *(["known_from"] if known_from is not None else [])]
    duplicated = frame[frame.duplicated(key, keep=False)]
    if not duplicated.empty:
        raise ParseError(
            f"duplicate observations, the same date twice: {describe_rows(duplicated, limit=4)}; "
            "keep one value per date",
            source=source,
        )
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def quote_code(venue: str, meeting: date, outcome: str) -> str:
    """The remote code of one outcome at one meeting on one venue:
    ``polymarket:2025-12-10:hold``."""
    return f"{venue}:{meeting.isoformat()}:{outcome}"


def quotes_frame(
    source: str,
    *,
    venues: Sequence[str],
    meetings: Sequence[date],
    outcomes: Sequence[str],
    quoted_at: Sequence[object] | pd.Series,
    probabilities: Sequence[float] | np.ndarray | pd.Series,
) -> pd.DataFrame:
    """Build a quote frame and check the contract (see the module docstring).

    Rows whose probability is NaN are dropped (no quote at that moment). Raises
    :class:`ParseError` on a probability outside [0, 1], an unreadable moment, or two
    quotes of the same outcome at the same moment.
    """
    try:
        frame = pd.DataFrame(
            {
                "venue": pd.Series(list(venues), dtype=object),
                "meeting": pd.to_datetime(pd.Series(list(meetings)), errors="raise").astype(
                    "datetime64[ns]"
                ),
                "outcome": pd.Series(list(outcomes), dtype=object),
                "quoted_at": pd.to_datetime(
                    pd.Series(list(quoted_at)), utc=True, errors="raise"
                ).astype("datetime64[ns, UTC]"),
                "probability": pd.Series(np.asarray(probabilities, dtype="float64")),
            }
        )
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParseError(f"rows do not form quotes ({exc})", source=source) from exc
    frame = frame[frame["probability"].notna()].reset_index(drop=True)
    bad = frame[~frame["probability"].between(0.0, 1.0)]
    if not bad.empty:
        raise ParseError(
            f"probabilities outside [0, 1]: {bad.head(3).to_dict('records')}", source=source
        )
    key = ["venue", "meeting", "outcome", "quoted_at"]
    duplicated = frame[frame.duplicated(key, keep=False)]
    if not duplicated.empty:
        raise ParseError(
            f"two quotes of one outcome at one moment: {duplicated.head(4).to_dict('records')}",
            source=source,
        )
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def observations_from_quotes(source: str, quotes: pd.DataFrame) -> pd.DataFrame:
    """Observations of a :func:`quotes_frame`: one per quote, dated by its UTC day and
    known from its moment (the module docstring says why)."""
    codes = [
        quote_code(venue, pd.Timestamp(meeting).date(), outcome)
        for venue, meeting, outcome in zip(
            quotes["venue"], quotes["meeting"], quotes["outcome"], strict=True
        )
    ]
    moments = quotes["quoted_at"]
    return observations_frame(
        source,
        codes,
        moments.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize(),
        quotes["probability"],
        known_from=moments,
    )
