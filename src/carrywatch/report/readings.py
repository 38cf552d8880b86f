"""Readings of a level in words: its most notable true statement and its percentile.

:func:`~carrywatch.analytics.notable.notable_level` finds the statement (the longest
look-back over which a value of the last week is a high or a low, or an unusual move);
this module only writes it, with the percentile of the same quantity. The yen is read
as the yen's own value (dollars per yen, the inverse of USD/JPY), so that "yen
strongest", its percentile and its move all speak of one quantity.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from carrywatch.analytics.notable import RECENT_OBS, NotableLevel, notable_level
from carrywatch.analytics.spreads import history_rank
from carrywatch.report.elements import RANK_START
from carrywatch.report.formats import change_text, ordinal, value_text

__all__ = ["level_reading", "yen_reading"]


def _percentile(series: pd.Series, asof: date, limit: timedelta, what: str) -> str:
    rank = history_rank(series, asof, start=RANK_START, max_age=limit)
    return (
        f"{what}{ordinal(round(rank.percentile))} percentile since {rank.history_start.isoformat()}"
    )


def _z(found: NotableLevel) -> str:
    return f"{found.move_z:+.1f} sd of {RECENT_OBS}-day moves since {RANK_START.year}"


def level_reading(series: pd.Series, asof: date, unit: str, limit: timedelta) -> str:
    """E.g. "2.163 pp on 2025-12-03 was the lowest since 2022-03-31; now 2.189 pp (5th
    percentile since 2000-01-03)" for a level in ``unit`` ("pp", "percent")."""
    found = notable_level(series, asof, max_age=limit, z_start=RANK_START)
    head = _extreme_text(found, unit)
    if found.lead == "move" and found.move is not None:
        head = f"{change_text(found.move, unit)} in {RECENT_OBS} days ({_z(found)}); {head}"
    return f"{head} ({_percentile(series, asof, limit, '')})"


def _extreme_text(found: NotableLevel, unit: str) -> str:
    extreme = found.extreme
    if found.extreme_is_latest:
        return extreme.text()
    return (
        f"{value_text(extreme.value, unit)} on {extreme.obs_date.isoformat()} was the "
        f"{extreme.text()}; now {value_text(found.value, unit)}"
    )


def yen_reading(usdjpy: pd.Series, asof: date, limit: timedelta) -> str:
    """E.g. "yen weakest since 1986-12-23 (yen strength: 1st percentile since
    2000-01-03)", all of the yen's value in dollars (1 / USD/JPY)."""
    yen = 1.0 / usdjpy.dropna()
    yen.name = usdjpy.name
    found = notable_level(yen, asof, max_age=limit, z_start=RANK_START)
    extreme = found.extreme
    words = extreme.text(lowest="weakest", highest="strongest")
    if found.extreme_is_latest:
        head = f"yen {words}"
    else:
        level = 1.0 / extreme.value
        head = (
            f"the yen at {level:.2f} per dollar on {extreme.obs_date.isoformat()} was its "
            f"{words}; now {1.0 / found.value:.2f}"
        )
    if found.lead == "move" and found.move is not None:
        before = found.value - found.move
        side = "stronger" if found.move > 0 else "weaker"
        change_pct = abs(found.move / before) * 100.0
        head = f"yen {change_pct:.1f}% {side} in {RECENT_OBS} days ({_z(found)}); {head}"
    return f"{head} ({_percentile(yen, asof, limit, 'yen strength: ')})"
