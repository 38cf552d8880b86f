"""Plausibility bounds at the door: a value outside its series' ``bounds`` is refused.

A cut-off number (``3`` for ``3.80``), a unit mix-up (a yield in basis points, holdings
in millions) or a provider's sentinel (``1e308``, ``-999``) parses as a number; only the
series' plausible range (``series.toml``: ``bounds`` and ``bounds_reason``) tells it from
data. :func:`check_bounds` is pure; ingest calls it before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from carrywatch.catalog.spec import SeriesSpec
from carrywatch.errors import OutlierError

__all__ = ["ALLOW_OUTLIERS_HINT", "check_bounds"]

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
    ranges = {sid: spec.bounds for sid, spec in specs.items() if spec.bounds is not None}
    ids = rows["series_id"].astype(str)
    known = ids.isin(list(ranges))
    low = ids.map(lambda s: ranges[s].low if s in ranges else -np.inf)
    high = ids.map(lambda s: ranges[s].high if s in ranges else np.inf)
    values = rows["value"].astype("float64")
    if "withdrawn" in rows.columns:  # a withdrawal carries no value (carrywatch.frames)
        known &= ~rows["withdrawn"].astype(bool)
    outside = known & ~((values >= low) & (values <= high))
    if not outside.any():
        return
    bad = rows[outside]
    first = bad.iloc[0]
    spec = specs[str(first["series_id"])]
    bounds = ranges[spec.id]
    more = f" (and {len(bad) - 1} more value(s) outside)" if len(bad) > 1 else ""
    raise OutlierError(
        f"{spec.id} on {pd.Timestamp(first['obs_date']):%Y-%m-%d}: {float(first['value']):g} "
        f"{spec.unit} is outside the plausible range {bounds} ({bounds.reason})"
        f"{more}; nothing was written; {ALLOW_OUTLIERS_HINT}",
        source=source,
        series_id=spec.id,
    )
