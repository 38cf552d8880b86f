"""Plausibility bounds at the door: a value outside its series' ``bounds`` is refused.

A cut-off number (``3`` for ``3.80``), a unit mix-up (a yield in basis points, holdings
in millions) or a provider's sentinel (``1e308``, ``-999``) parses as a number; only the
series' plausible range (``series.toml``: ``bounds`` and ``bounds_reason``) tells it from
data. :func:`check_bounds` is pure; ingest calls it before anything is written.

A user's file can be wrong within the bounds too: :func:`check_same_unit` compares it with
what the store already holds for the same dates (a yield as a fraction, 0.0399 for 3.99 %,
lies within ``[-5, 50]``), and :func:`check_not_after` refuses a row dated after the
moment the file was read (not an observation yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.catalog.spec import SeriesSpec
from carrywatch.errors import OutlierError, ParseError

__all__ = [
    "ALLOW_OUTLIERS_HINT",
    "DATE_LEAD_DAYS",
    "UNIT_RATIO_RANGE",
    "check_bounds",
    "check_not_after",
    "check_same_unit",
    "outside_bounds",
]

#: Days a row may be dated after the UTC day it was read: a value dated by a clock ahead
#: of UTC (Tokyo, UTC+9) carries the next day's date for part of every UTC day.
DATE_LEAD_DAYS = 1

#: The range of median(|file|) / median(|stored|) over the dates both hold that is one
#: unit. A revision moves a level by far less than a factor of two; the mix-ups it catches
#: are factors of 100 (percent vs fraction, basis points vs percentage points) or 1,000
#: (millions vs billions).
UNIT_RATIO_RANGE = (0.5, 2.0)

#: What a user who knows better can do (the CLI option of refresh, reparse and import).
ALLOW_OUTLIERS_HINT = "if the value is right, run again with --allow-outliers"


def check_bounds(rows: pd.DataFrame, specs: Mapping[str, SeriesSpec], *, source: str) -> None:
    """Raise :class:`OutlierError` when a row's value lies outside its series' bounds.

    Parameters
    ----------
    rows:
        ``series_id``, ``obs_date``, ``value`` (other columns ignored); series without a
        spec in ``specs``, or without bounds, are not checked, nor are withdrawals (rows
        flagged ``withdrawn``, whose value is NaN).
    specs:
        The catalog's series by id.
    source:
        Named in the error (``fred``, ``import`` ...).

    Notes
    -----
    A row is outside when ``not (low <= value <= high)``; the bounds are inclusive.
    The message shows the first offending row and how many there are in all.
    """
    if rows.empty:
        return
    outside = outside_bounds(rows, specs)
    if not outside.any():
        return
    bad = rows[outside]
    first = bad.iloc[0]
    spec = specs[str(first["series_id"])]
    bounds = spec.bounds
    assert bounds is not None  # only a series with bounds has a row outside them
    more = f" (and {len(bad) - 1} more value(s) outside)" if len(bad) > 1 else ""
    raise OutlierError(
        f"{spec.id} on {pd.Timestamp(first['obs_date']):%Y-%m-%d}: {float(first['value']):g} "
        f"{spec.unit} is outside the plausible range {bounds} ({bounds.reason})"
        f"{more}; nothing was written; {ALLOW_OUTLIERS_HINT}",
        source=source,
        series_id=spec.id,
    )


def outside_bounds(rows: pd.DataFrame, specs: Mapping[str, SeriesSpec]) -> npt.NDArray[np.bool_]:
    """Per row of ``rows`` (as in :func:`check_bounds`): is its value outside its series'
    inclusive bounds? False for a series without bounds and for a withdrawal."""
    ranges = {sid: spec.bounds for sid, spec in specs.items() if spec.bounds is not None}
    # Bounds looked up once per distinct series, then spread over the rows by code: a
    # full-history payload has hundreds of thousands of rows and a few dozen series.
    codes, uniques = pd.factorize(rows["series_id"], use_na_sentinel=False)
    found = [ranges.get(str(sid)) for sid in uniques]
    low = np.array([-np.inf if b is None else b.low for b in found], dtype=np.float64)[codes]
    high = np.array([np.inf if b is None else b.high for b in found], dtype=np.float64)[codes]
    known = np.array([b is not None for b in found], dtype=bool)[codes]
    values = rows["value"].to_numpy(dtype=np.float64)
    if "withdrawn" in rows.columns:  # a withdrawal carries no value (carrywatch.frames)
        known &= ~rows["withdrawn"].astype(bool).to_numpy()
    outside: npt.NDArray[np.bool_] = known & ~((values >= low) & (values <= high))
    return outside


def check_not_after(
    obs_dates: pd.Series, moment: datetime, *, source: str, what: str, read_by: str
) -> None:
    """Raise :class:`ParseError` when an observation is dated after ``moment``'s UTC day
    plus :data:`DATE_LEAD_DAYS`: it cannot have been observed yet (a shifted date column,
    a template row filled in ahead), and would become its series' latest value when its
    day came. ``what`` names the file or answer, ``read_by`` the reading (``import``,
    ``retrieval``) in the message."""
    if obs_dates.empty:
        return
    last_day = pd.Timestamp(moment.date() + timedelta(days=DATE_LEAD_DAYS))
    days = pd.to_datetime(obs_dates)
    if not days.max() > last_day:
        return
    ahead = days[days > last_day]
    more = f" (and {len(ahead) - 1} more)" if len(ahead) > 1 else ""
    raise ParseError(
        f"{what}: a row is dated {ahead.min():%Y-%m-%d}{more}, after the {read_by} on "
        f"{moment:%Y-%m-%d %H:%M} UTC; no observation is dated before it is made: fix or "
        "remove such rows in a file, or try a provider again later; nothing was written",
        source=source,
    )


def check_same_unit(
    spec: SeriesSpec, imported: pd.Series, stored: pd.Series, *, source: str
) -> None:
    """Raise :class:`OutlierError` when ``imported`` (values by date) is in another unit
    than ``stored`` (the store's values of ``spec`` by date).

    Formula: r = median(|imported_d|) / median(|stored_d|) over the dates d both hold;
    refused when r lies outside :data:`UNIT_RATIO_RANGE`. Medians of absolute values
    keep one odd date, a sign change or a level near zero on some dates from deciding it;
    a series whose stored values are all zero on the common dates is not judged.
    """
    common = imported.index.intersection(stored.index)
    if common.empty:
        return
    scale_stored = float(np.median(np.abs(stored.loc[common].to_numpy(dtype=np.float64))))
    if not scale_stored > 0:
        return
    ratio = float(np.median(np.abs(imported.loc[common].to_numpy(dtype=np.float64)))) / scale_stored
    low, high = UNIT_RATIO_RANGE
    if low <= ratio <= high:
        return
    raise OutlierError(
        f"{spec.id}: on the {len(common)} date(s) the store already holds, the file's values "
        f"are {ratio:.3g} times the stored ones (median); it looks like another unit than "
        f"{spec.unit} (percent vs fraction, basis points vs percentage points, millions vs "
        f"billions): convert the file; nothing was written; {ALLOW_OUTLIERS_HINT}",
        source=source,
        series_id=spec.id,
    )
