"""Time alignment across frequencies: "the latest observation on or before", with limits.

Series of different frequencies (daily yields, weekly balance sheet, monthly M2, BOJ
decisions) are never forward-filled silently. Every alignment states the longest a value
may be carried (its *staleness limit*); past it the value is missing, and the result says
which input was stale.

Default limits (:data:`STALENESS_LIMITS`) follow each frequency's publication rhythm:
a daily series may be 7 calendar days old (a long holiday weekend plus a missed release),
a weekly one 14 days, a monthly one 95 days (obs_date is the first of the month and
releases lag up to two months), a quarterly one 200 days, and a meeting-decision series
("event") 120 days (eight meetings a year, the longest gap about 9 weeks).

A series with a known release lag (``release_lag_days`` in the catalog) may be older:
its next observation is due one period plus the lag after its obs_date, so its limit is
``max(default, period + lag + 7 days)`` (:func:`staleness_limit`). TIC holdings, whose
month ``M`` comes out about 80 days after ``M`` begins, may be 118 days old; Japan's CPI
(lag 58 days) 96. A value released later than its usual lag (a delayed release, dated by
the publisher's calendar) may be older still, by that delay: as of 2025-12-05 the CFTC's
report of 2025-10-28, published that day 35 days late, is the newest there is, not stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from carrywatch.errors import InsufficientDataError

__all__ = [
    "PERIODS",
    "RELEASE_GRACE",
    "STALENESS_LIMITS",
    "AsofValue",
    "align_asof",
    "latest_asof",
    "require",
    "staleness_limit",
]

STALENESS_LIMITS: Final[Mapping[str, timedelta]] = {
    "daily": timedelta(days=7),
    "weekly": timedelta(days=14),
    "monthly": timedelta(days=95),
    "quarterly": timedelta(days=200),
    "event": timedelta(days=120),
}


#: The length of one period of each frequency, for :func:`staleness_limit`.
PERIODS: Final[Mapping[str, timedelta]] = {
    "daily": timedelta(days=1),
    "weekly": timedelta(days=7),
    "monthly": timedelta(days=31),
    "quarterly": timedelta(days=92),
    "event": timedelta(0),
}
#: How late a release may come beyond its usual lag before the series counts as stale.
RELEASE_GRACE: Final = timedelta(days=7)


def staleness_limit(
    frequency: str, release_lag_days: int = 0, release_delay_days: int = 0
) -> timedelta:
    """The staleness limit of a catalog frequency, for a series released
    ``release_lag_days`` after its obs_date: the default without a lag, else
    ``max(default, period + lag + 7 days)``; plus ``release_delay_days``, how much later
    than that usual lag the value at hand was released (0 when on time)."""
    return _usual_limit(frequency, release_lag_days) + timedelta(days=max(0, release_delay_days))


def _usual_limit(frequency: str, release_lag_days: int) -> timedelta:
    try:
        default, period = STALENESS_LIMITS[frequency], PERIODS[frequency]
    except KeyError:
        raise ValueError(f"no staleness limit for frequency {frequency!r}") from None
    if release_lag_days <= 0:  # the defaults already allow for a series' usual rhythm
        return default
    return max(default, period + timedelta(days=release_lag_days) + RELEASE_GRACE)


@dataclass(frozen=True, slots=True)
class AsofValue:
    """The latest observation on or before ``asof``, or why there is none.

    ``value`` is ``None`` when the series has no observation on or before ``asof``
    (``reason`` says so) or when the newest one is older than the limit (``stale``).
    """

    series_id: str
    asof: date
    value: float | None
    obs_date: date | None
    stale: bool
    reason: str | None


def latest_asof(
    series: pd.Series, asof: date, max_age: timedelta, *, series_id: str | None = None
) -> AsofValue:
    """The latest observation of ``series`` (DatetimeIndex, floats) dated on or before ``asof``.

    A value older than ``max_age`` is reported stale: ``value`` None, ``obs_date`` set.
    """
    name = series_id or str(series.name)
    found = _last_on_or_before(series, pd.Timestamp(asof))
    if found is None:
        return AsofValue(
            name, asof, None, None, False, f"{name} has no observation on or before {asof}"
        )
    obs, value = found
    if asof - obs > max_age:
        return AsofValue(
            name,
            asof,
            None,
            obs,
            True,
            f"{name} is stale: its latest observation ({obs}) is more than "
            f"{max_age.days} days before {asof}; refresh it",
        )
    return AsofValue(name, asof, value, obs, False, None)


def _last_on_or_before(series: pd.Series, cutoff: pd.Timestamp) -> tuple[date, float] | None:
    """The date and value of the last non-NaN observation dated on or before ``cutoff``.

    On a sorted, timezone-naive DatetimeIndex of floats (what the store gives) this is a
    binary search and a scan back over NaN; otherwise ``series.loc[:cutoff].dropna()``.
    """
    index = series.index
    if (
        isinstance(index, pd.DatetimeIndex)
        and index.tz is None
        and series.dtype == np.float64
        and index.is_monotonic_increasing
    ):
        values = series.to_numpy()[: int(index.searchsorted(cutoff, side="right"))]
        present = np.flatnonzero(~np.isnan(values))
        if len(present) == 0:
            return None
        last = int(present[-1])
        return index[last].date(), float(values[last])
    cut = series.loc[:cutoff].dropna()
    if cut.empty:
        return None
    return cut.index[-1].date(), float(cut.iloc[-1])


def align_asof(series: pd.Series, index: pd.DatetimeIndex, max_age: timedelta) -> pd.Series:
    """``series`` sampled on ``index``: for each date the latest observation on or before it,
    if no older than ``max_age``; NaN otherwise (never an older value carried further)."""
    clean = series.dropna().sort_index()
    if clean.empty:
        return pd.Series(np.nan, index=index, name=series.name)
    # For each date of ``index``: the last observation dated on or before it (a binary
    # search; the last of equal dates), kept when at most ``max_age`` older. Both sides
    # are compared at ns (the store gives ns, dates built from ``date`` objects s or us).
    at = pd.DatetimeIndex(index).as_unit("ns").asi8
    known = pd.DatetimeIndex(clean.index).as_unit("ns").asi8
    position = np.searchsorted(known, at, side="right") - 1
    found = position >= 0
    picked = np.where(found, position, 0)
    fresh = found & (at - known[picked] <= pd.Timedelta(max_age).value)
    values = np.where(fresh, clean.to_numpy(dtype="float64")[picked], np.nan)
    return pd.Series(values, index=index, name=series.name)


def require(series: pd.Series, *, series_id: str, min_obs: int = 1) -> pd.Series:
    """``series`` without NaN; ``InsufficientDataError`` when it has fewer than ``min_obs``."""
    clean = series.dropna()
    if len(clean) < min_obs:
        raise InsufficientDataError(
            f"{series_id} has {len(clean)} observation(s); at least {min_obs} are needed",
            series=(series_id,),
        )
    return clean
