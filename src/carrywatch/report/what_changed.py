"""The brief's first section: what changed in the week to the brief's date, ranked by how
unusual each move is.

Every headline metric as of the brief's date and seven days before, the change, and its
z-score against the :data:`PAST_WEEKS` weekly changes before it
(:func:`carrywatch.analytics.changes.change_score`); likewise every odds figure with a value
on both dates (:mod:`carrywatch.report.odds_targets`: CME's published probabilities and
their P(cut) / P(hold) / P(hike), the venues' quotes, the ZQ mids), from the odds section's
read. The yardstick's weeks end on the same weekday, seven days apart and do not overlap:
:data:`PAST_WEEKS` + 2 days, every metric computed over them in one pass
(:func:`carrywatch.report.metric_history.metric_paths`) from the brief's one read of the
store (``carrywatch diff`` takes any two dates and a daily window).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import pandas as pd

from carrywatch.analytics.units import fraction_to_pct
from carrywatch.report.diff import Diff, MetricChange, diff_of
from carrywatch.report.formats import change_text, value_text
from carrywatch.report.history import histories_from_series
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.metrics import INPUT_SERIES, METRIC_KEYS
from carrywatch.report.model import Cell, Section, Table
from carrywatch.report.odds_targets import (
    is_odds_target,
    is_summary,
    odds_targets,
    summary_reads_each,
)

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


def weekly_diff(inputs: BriefInputs, odds: BriefInputs | None = None) -> Diff:
    """Every headline metric's change over the week to ``inputs.asof``, with z-scores; and
    every odds figure ``odds`` (the odds section's inputs) holds on both dates."""
    asof = inputs.asof
    week = timedelta(days=7)
    days = pd.DatetimeIndex([pd.Timestamp(asof - week * k) for k in range(PAST_WEEKS + 2, -1, -1)])
    stored = inputs.observed(INPUT_SERIES)
    released = {sid: inputs.released(sid) for sid in stored}
    targets = list(METRIC_KEYS)
    if odds is not None:
        figures = odds_targets(inputs.catalog)
        held = odds.observed([t for t in figures if t in odds.declared])
        stored.update(held)
        # The summaries of the meetings some of whose published ranges are held.
        reads = summary_reads_each(inputs.catalog, figures)
        targets += [
            t
            for t in figures
            if t in held or (is_summary(t) and not held.keys().isdisjoint(reads[t]))
        ]
    histories = histories_from_series(stored, inputs.catalog, targets, days, released=released)
    return diff_of(histories, asof - week, asof, PAST_WEEKS)


def _shown(value: float | None, unit: str) -> tuple[float | None, str]:
    """A venue's probability (0-1) as percent, as the odds section writes it."""
    if unit == "probability" and value is not None:
        return float(fraction_to_pct(value)), "percent"
    return value, unit


def _change(c: MetricChange) -> str:
    """A change as the table and the lede write it: rates in bp, odds in pp."""
    change, unit = _shown(c.change, c.unit)
    bp = c.target not in _NOT_RATES and not is_odds_target(c.target)
    return change_text(change, unit, bp=bp)


def what_changed_section(inputs: BriefInputs, odds: BriefInputs | None = None) -> Section:
    """The section (key ``what_changed``): a lede naming the most unusual moves, and a
    table of every metric's (and odds figure's) weekly change, most unusual first."""
    diff = weekly_diff(inputs, odds)
    rows: list[tuple[Cell, ...]] = []
    classes = []
    for c in diff.changes:
        (first, unit), (last, _) = (_shown(v, c.unit) for v in (c.start_value, c.end_value))
        rows.append(
            (
                c.target,
                value_text(first, unit),
                value_text(last, unit),
                _change(c),
                None if c.zscore is None else round(c.zscore, 2),
                c.reason,
            )
        )
        classes.append("" if c.zscore is not None else "missing")
    scored = [c for c in diff.changes if c.zscore is not None]
    named = ", ".join(
        f"{c.target} {_change(c)} ({c.zscore:+.1f} sd)"
        for c in scored[:_LEDE_MOVES]
        if c.zscore is not None
    )
    lede = f"The week to {diff.end}, against the {PAST_WEEKS} weekly changes before it. " + (
        f"Most unusual: {named}." if named else "No metric has enough history to rank."
    )
    with_odds = any(is_odds_target(c.target) for c in diff.changes)
    what = "Every headline metric and odds figure" if with_odds else "Every headline metric"
    table = Table(
        key="what_changed",
        title=f"{what} since {diff.start}, most unusual move first",
        columns=("metric", str(diff.start), str(diff.end), "change", "z-score", "why no z"),
        rows=tuple(rows),
        note=(
            "z-score: (change - mean) / standard deviation of the metric's changes over the "
            f"{PAST_WEEKS} weeks before, each week ending on the same weekday; none with fewer "
            "than 20 such changes or when they never vary."
            + (
                " Odds figures (a venue's probability in %, CME's P(cut) / P(hold) / P(hike) "
                "against the range in force that day) are listed where both dates have one; "
                "their changes are in pp."
                if with_odds
                else ""
            )
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
