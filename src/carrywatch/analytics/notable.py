"""The most notable true statement about a level: how far back it is a high or a low, or
how unusual its latest move is.

A level's day-to-day direction ("highest since three days ago") is rarely the story; the
story is the longest look-back over which a value of the last few days is a high or a low
("lowest since 2022-03-31"), or, when no value is a high or low of note, a move far
outside the usual size of moves over as many days.

Definitions, for a series :math:`x` on its obs_dates:

* "lowest since D" for the value :math:`v = x_t`: D is the last date before :math:`t`
  with :math:`x_D \\le v`, so every observation strictly between D and :math:`t` is
  above :math:`v`; with no such date the value is the lowest since the start of the
  data. "Highest since" is symmetric with :math:`\\ge`. The span of the statement is
  :math:`t - D` in calendar days (from the first observation when there is no D).
* The recent window is the last ``recent_obs`` observations on or before the as-of date
  (five: a trading week); the notable extreme is the longest-spanning high or low of any
  value in it, which the reading names with its own date when it is not the latest.
* The move is :math:`x_t - x_{t-k}` over :math:`k` = ``recent_obs`` observations; its
  z-score compares it with every :math:`k`-observation change since ``z_start``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import latest_asof, require
from carrywatch.errors import InsufficientDataError

__all__ = [
    "MIN_MOVE_Z",
    "MIN_SPAN_DAYS",
    "RECENT_OBS",
    "Extreme",
    "NotableLevel",
    "extremes_at",
    "notable_level",
]

#: The recent window, in observations: a trading week of a daily series.
RECENT_OBS: Final = 5
#: A high or low is news when it spans at least a year ...
MIN_SPAN_DAYS: Final = 365
#: ... else a move of at least two standard deviations of moves of its length is.
MIN_MOVE_Z: Final = 2.0


@dataclass(frozen=True, slots=True)
class Extreme:
    """One value's "lowest since" or "highest since" statement.

    Attributes
    ----------
    kind:
        ``"lowest"`` or ``"highest"``.
    obs_date, value:
        The observation the statement is about.
    since:
        The last earlier date with a value at or below (lowest) / at or above (highest)
        ``value``; None when there is none: the extreme of the whole data.
    data_start:
        The first observation of the series.
    """

    kind: Literal["lowest", "highest"]
    obs_date: date
    value: float
    since: date | None
    data_start: date

    @property
    def span_days(self) -> int:
        """Calendar days the statement looks back over (to the data start without D)."""
        return (self.obs_date - (self.since or self.data_start)).days

    def text(self, lowest: str = "lowest", highest: str = "highest") -> str:
        """``"lowest since 2022-03-31"``, with the words of the quantity when given."""
        word = lowest if self.kind == "lowest" else highest
        if self.since is None:
            return f"{word} since the start of the data, {self.data_start.isoformat()}"
        return f"{word} since {self.since.isoformat()}"


@dataclass(frozen=True, slots=True)
class NotableLevel:
    """The most notable true statement about a series as of a date.

    Attributes
    ----------
    series_id, asof:
        What was read and the cut-off.
    obs_date, value:
        The latest observation on or before ``asof``.
    extreme:
        The longest-spanning high or low of a value in the recent window (which may be
        the latest value itself: ``extreme.obs_date == obs_date``).
    window_start:
        The first obs_date of the recent window.
    move, move_z:
        ``value`` minus the value ``recent_obs`` observations earlier, and its z-score
        among all such changes since ``z_start`` (None when there are too few).
    lead:
        ``"extreme"`` when the extreme spans at least ``min_span_days`` or the move is
        not unusual; ``"move"`` when only the move is notable.
    """

    series_id: str
    asof: date
    obs_date: date
    value: float
    extreme: Extreme
    window_start: date
    move: float | None
    move_z: float | None
    lead: Literal["extreme", "move"]

    @property
    def extreme_is_latest(self) -> bool:
        """Whether the extreme is the latest value rather than an earlier one."""
        return self.extreme.obs_date == self.obs_date


def _last_date(earlier: pd.Series, mask: pd.Series) -> date | None:
    hits = earlier.index[mask.to_numpy()]
    return None if len(hits) == 0 else pd.Timestamp(hits[-1]).date()


def extremes_at(history: pd.Series, position: int) -> tuple[Extreme, Extreme]:
    """The lowest-since and highest-since statements of ``history.iloc[position]``.

    ``history`` is a sorted series without NaN; only observations before ``position``
    are compared with it.
    """
    value = float(history.iloc[position])
    obs = pd.Timestamp(history.index[position]).date()
    earlier = history.iloc[:position]
    start = pd.Timestamp(history.index[0]).date()
    low = Extreme("lowest", obs, value, _last_date(earlier, earlier <= value), start)
    high = Extreme("highest", obs, value, _last_date(earlier, earlier >= value), start)
    return low, high


def _move_z(
    history: pd.Series, lag: int, z_start: date | None
) -> tuple[float | None, float | None]:
    if len(history) <= lag:
        return None, None
    changes = history.diff(lag).dropna()
    move = float(changes.iloc[-1])
    sample = changes.loc[pd.Timestamp(z_start) :] if z_start is not None else changes
    values = sample.to_numpy(dtype="float64")
    if len(values) < 2:
        return move, None
    std = float(np.std(values, ddof=1))
    if std == 0.0:
        return move, None
    return move, (move - float(np.mean(values))) / std


def notable_level(
    series: pd.Series,
    asof: date,
    *,
    recent_obs: int = RECENT_OBS,
    max_age: timedelta | None = None,
    z_start: date | None = None,
    min_span_days: int = MIN_SPAN_DAYS,
    min_move_z: float = MIN_MOVE_Z,
) -> NotableLevel:
    """The most notable true statement about ``series`` as of ``asof``.

    Parameters
    ----------
    series:
        Floats on a DatetimeIndex of obs_dates (NaN ignored), named by its series id.
        Only observations on or before ``asof`` are read.
    recent_obs:
        Size of the recent window and lag of the move, in observations.
    max_age:
        When given, a latest observation older than this is refused.
    z_start:
        First date of the changes the move is compared with (default: all).
    min_span_days, min_move_z:
        The thresholds of news (module docstring).

    Raises
    ------
    InsufficientDataError
        No observation on or before ``asof``, or a stale one.

    Notes
    -----
    Among the values of the window, each gives a lowest-since and a highest-since
    statement (:func:`extremes_at`); the one spanning the most days is the extreme, ties
    going to the later observation, then to "lowest". The lead is the extreme when its
    span is at least ``min_span_days`` or :math:`|z| <` ``min_move_z``, else the move.
    The z-score is :math:`(\\Delta_t - \\bar\\Delta)/s_\\Delta` over the
    ``recent_obs``-observation changes (overlapping) since ``z_start``.
    """
    if recent_obs < 1:
        raise ValueError(f"recent_obs must be at least 1 ({recent_obs})")
    series_id = "series" if series.name is None else str(series.name)
    clean = series.dropna().sort_index().loc[: pd.Timestamp(asof)]
    limit = timedelta.max if max_age is None else max_age
    found = latest_asof(clean, asof, limit, series_id=series_id)
    if found.value is None or found.obs_date is None:
        raise InsufficientDataError(
            found.reason or f"{series_id} has no value on {asof}", series=(series_id,)
        )
    history = require(clean, series_id=series_id, min_obs=1)
    first = max(0, len(history) - recent_obs)
    candidates = [e for pos in range(first, len(history)) for e in extremes_at(history, pos)]
    # Longest span first; then the later observation; then "lowest" (sorts first).
    extreme = max(
        candidates,
        key=lambda e: (e.span_days, e.obs_date, e.kind == "lowest"),
    )
    move, move_z = _move_z(history, recent_obs, z_start)
    unusual = move_z is not None and abs(move_z) >= min_move_z
    lead: Literal["extreme", "move"] = (
        "move" if unusual and extreme.span_days < min_span_days else "extreme"
    )
    return NotableLevel(
        series_id=series_id,
        asof=asof,
        obs_date=found.obs_date,
        value=found.value,
        extreme=extreme,
        window_start=pd.Timestamp(history.index[first]).date(),
        move=move,
        move_z=move_z,
        lead=lead,
    )
