"""How unusual a change is: its z-score against past changes of the same horizon.

Used by ``carrywatch diff`` (what moved between two dates, ranked) and by the ``move``
alerts (a move larger than k standard deviations).

Notes
-----
For a value observed as of each day, ``v(t)``, the change over a horizon of ``h`` is
``Δ(t) = v(t) - v(t - h)``. Its z-score against a window of the ``n`` past changes of
the same horizon, ``Δ(t_1) ... Δ(t_n)`` (all ending before the change measured starts,
so the move itself never widens its own yardstick), is

.. math:: z = \\frac{Δ - \\bar Δ}{s_Δ}, \\qquad
          s_Δ = \\sqrt{\\frac{1}{n-1} \\sum_i (Δ(t_i) - \\bar Δ)^2}

Past changes overlap when ``h`` spans several steps (the weekly changes ending on each
day), which keeps ``n`` large; it makes ``s_Δ`` a smoother estimate, not a biased one.
Changes are in the value's own unit (pp for a spread, yen for USD/JPY): a level change,
not a return, so a spread near zero does not explode. ``s_Δ = 0`` (a value that never
moved, a policy rate between decisions) gives no z-score rather than an infinite one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from carrywatch.errors import InsufficientDataError

__all__ = ["MIN_PAST_CHANGES", "ChangeScore", "change_score", "step_zscores"]

#: Fewer past changes than this give no z-score: a standard deviation of a handful of
#: numbers says little.
MIN_PAST_CHANGES: Final = 20


@dataclass(frozen=True, slots=True)
class ChangeScore:
    """A change, and how unusual it is against the ``n_past`` changes before it."""

    change: float
    mean_past: float | None
    std_past: float | None
    n_past: int
    zscore: float | None
    reason: str | None = None


def _zscore(change: float, past: np.ndarray) -> ChangeScore:
    past = past[np.isfinite(past)]
    n = int(past.size)
    if n < MIN_PAST_CHANGES:
        return ChangeScore(
            change, None, None, n, None, f"{n} past changes (fewer than {MIN_PAST_CHANGES})"
        )
    mean = float(past.mean())
    std = float(past.std(ddof=1))
    if not std > 0.0:
        return ChangeScore(change, mean, std, n, None, "the past changes are all equal")
    return ChangeScore(change, mean, std, n, (change - mean) / std)


def change_score(
    daily: pd.Series, start: pd.Timestamp, end: pd.Timestamp, *, window: int
) -> ChangeScore:
    """The change of ``daily`` from ``start`` to ``end`` and its z-score (module Notes).

    Parameters
    ----------
    daily
        The value as of each day of a calendar (sorted ``DatetimeIndex``, NaN where
        missing); a day the calendar skips (a weekend) has the value of the day before.
    start, end
        The two days compared (``end`` after ``start``); both must be in the index.
    window
        How many past changes of the same horizon form the yardstick: those ending on the
        ``window`` days before ``start`` in the index.

    Raises
    ------
    InsufficientDataError
        when the value is missing on ``start`` or ``end``.
    """
    name = str(daily.name)
    first, last = daily.get(start), daily.get(end)
    if first is None or last is None or not (math.isfinite(first) and math.isfinite(last)):
        raise InsufficientDataError(
            f"{name} has no value on {start.date()} or {end.date()}", series=(name,)
        )
    horizon = end - start
    index = pd.DatetimeIndex(daily.index)
    stop = int(index.searchsorted(start, side="left"))  # changes ending before ``start``
    ends = index[max(0, stop - window) : stop]
    begins = ends - horizon
    known = begins >= index[0]
    # A day outside the calendar (a weekend) has the value of the last day before it: the
    # value at the last calendar day on or before each day (a binary search, as a
    # forward-filling reindex would find it).
    values = daily.to_numpy(dtype="float64")
    stamps = index.asi8 if index.unit == "ns" else index.as_unit("ns").asi8
    at_end = np.searchsorted(stamps, ends[known].as_unit("ns").asi8, side="right") - 1
    at_begin = np.searchsorted(stamps, begins[known].as_unit("ns").asi8, side="right") - 1
    past = values[at_end] - values[at_begin]
    return _zscore(float(last - first), np.asarray(past, dtype="float64"))


def step_zscores(values: pd.Series, *, window: int) -> pd.Series:
    """The z-score of each change between consecutive observations of ``values`` against
    the ``window`` changes before it (NaN until there are :data:`MIN_PAST_CHANGES`, and
    where they do not vary). Index: the observation that ends each change."""
    steps = values.diff()
    mean = steps.shift(1).rolling(window, min_periods=MIN_PAST_CHANGES).mean()
    std = steps.shift(1).rolling(window, min_periods=MIN_PAST_CHANGES).std(ddof=1)
    scores: pd.Series = (steps - mean) / std.where(std > 0.0)
    scores.name = values.name
    return scores
