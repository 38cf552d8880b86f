"""The brief's first section: what changed in the week to the brief's date, ranked by how
unusual each move is.

Every headline metric as of the brief's date and seven days before, the change, and its
z-score against the :data:`PAST_WEEKS` weekly changes before it
(:func:`carrywatch.analytics.changes.change_score`). The yardstick's weeks end on the same
weekday, seven days apart and do not overlap, so half a year of history costs
:data:`PAST_WEEKS` + 2 evaluations of the metrics, from the brief's one read of the store
(``carrywatch diff`` takes any two dates and a daily window).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import pandas as pd

from carrywatch.report.diff import Diff, diff_of
from carrywatch.report.formats import change_text, value_text
from carrywatch.report.history import histories_from_series
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.metrics import INPUT_SERIES, METRIC_KEYS
from carrywatch.report.model import Cell, Section, Table

__all__ = ["PAST_WEEKS", "WHAT_CHANGED_READS", "weekly_diff", "what_changed_section"]

#: What the section reads: the headline metrics' inputs.
WHAT_CHANGED_READS: Final = tuple(INPUT_SERIES)
#: Weekly changes the week's change is compared with (half a year).
PAST_WEEKS: Final = 26
#: How many of the most unusual moves the lede names.
_LEDE_MOVES: Final = 3
#: Metrics whose changes are not rates (not written in basis points).
_NOT_RATES: Final = frozenset(
    {
        "fx.usdjpy",
        "liquidity.fed_assets",
        "liquidity.tga",
        "liquidity.rrp",
        "liquidity.net",
        "flows.tic.japan_holdings",
        "positioning.cftc.jpy_net",
        "carry.usdjpy.carry_to_vol",
    }
)


def weekly_diff(inputs: BriefInputs) -> Diff:
    """Every headline metric's change over the week to ``inputs.asof``, with z-scores."""
    asof = inputs.asof
    week = timedelta(days=7)
    days = pd.DatetimeIndex([pd.Timestamp(asof - week * k) for k in range(PAST_WEEKS + 2, -1, -1)])
    histories = histories_from_series(
        inputs.observed(INPUT_SERIES), inputs.catalog, list(METRIC_KEYS), days
    )
    return diff_of(histories, asof - week, asof, PAST_WEEKS)


def what_changed_section(inputs: BriefInputs) -> Section:
    """The section (key ``what_changed``): a lede naming the most unusual moves, and a
    table of every metric's weekly change, most unusual first."""
    diff = weekly_diff(inputs)
    rows: list[tuple[Cell, ...]] = []
    classes = []
    for c in diff.changes:
        rows.append(
            (
                c.target,
                value_text(c.start_value, c.unit),
                value_text(c.end_value, c.unit),
                change_text(c.change, c.unit, bp=c.target not in _NOT_RATES),
                None if c.zscore is None else round(c.zscore, 2),
                c.reason,
            )
        )
        classes.append("" if c.zscore is not None else "missing")
    scored = [c for c in diff.changes if c.zscore is not None]
    named = ", ".join(
        f"{c.target} {change_text(c.change, c.unit, bp=c.target not in _NOT_RATES)} "
        f"({c.zscore:+.1f} sd)"
        for c in scored[:_LEDE_MOVES]
        if c.zscore is not None
    )
    lede = f"The week to {diff.end}, against the {PAST_WEEKS} weekly changes before it. " + (
        f"Most unusual: {named}." if named else "No metric has enough history to rank."
    )
    table = Table(
        key="what_changed",
        title=f"Every headline metric since {diff.start}, most unusual move first",
        columns=("metric", str(diff.start), str(diff.end), "change", "z-score", "why no z"),
        rows=tuple(rows),
        note=(
            "z-score: (change - mean) / standard deviation of the metric's changes over the "
            f"{PAST_WEEKS} weeks before, each week ending on the same weekday; none with fewer "
            "than 20 such changes or when they never vary."
        ),
        row_classes=tuple(classes),
    )
    return Section(
        key="what_changed",
        title=f"What changed since {diff.start}",
        reads=WHAT_CHANGED_READS,
        lede=lede,
        tables=(table,),
    )
