"""The sections of the brief, one builder each, named after its section.

Every builder takes the :class:`~carrywatch.report.inputs.BriefInputs` read once for the
whole brief and returns a :class:`~carrywatch.report.model.Section` that declares the
series it reads (its ``*_READS`` constant; :data:`SECTION_READS` lists them all). Where
an input is missing or stale the section says so in ``missing`` and shows nothing in its
place: never an invented or carried-over number.

This module holds the headline and the data status, and re-exports the builders of
:mod:`~carrywatch.report.meeting_odds` (policy odds), :mod:`~carrywatch.report.markets`
(rates, carry, liquidity, flows), :mod:`~carrywatch.report.policy` (event moves, stance,
calendar) and :mod:`~carrywatch.report.scenarios` (fiscal sensitivity, unwind), so that
every builder can be imported from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Final

import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS
from carrywatch.analytics.carry import carry_to_vol, realized_vol_pct, short_rate_differential_pp
from carrywatch.analytics.hedging import hedged_yield_history
from carrywatch.catalog.spec import BojMeeting, FomcMeeting
from carrywatch.errors import AnalyticsError
from carrywatch.report.elements import (
    JP_SHORT_IDS,
    NOT_RATES,
    MetricsAt,
    fx_series,
    hedged_reading,
    last_decision,
    liquidity_reading,
    metric_card,
    next_meeting,
    positioning_reading,
    spread10,
)
from carrywatch.report.formats import change_text, value_text
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.markets import (
    CARRY_READS,
    FLOWS_READS,
    LIQUIDITY_READS,
    RATES_READS,
    carry_section,
    flows_section,
    liquidity_section,
    rates_section,
)
from carrywatch.report.meeting_odds import NO_EXCHANGE_ODDS, ODDS_READS, odds_section
from carrywatch.report.metrics import INPUT_SERIES, METRIC_KEYS, HeadlineMetrics
from carrywatch.report.model import Cell, Section, Table
from carrywatch.report.policy import (
    CALENDAR_READS,
    EVENTS_READS,
    STANCE_READS,
    calendar_section,
    events_section,
    stance_section,
)
from carrywatch.report.readings import level_reading, yen_reading
from carrywatch.report.scenarios import FISCAL_READS, UNWIND_READS, fiscal_section, unwind_section
from carrywatch.report.what_changed import WHAT_CHANGED_READS

__all__ = [
    "HEADLINE_KEYS",
    "HEADLINE_READS",
    "NO_EXCHANGE_ODDS",
    "ODDS_READS",
    "SECTION_READS",
    "MetricsAt",
    "calendar_section",
    "carry_section",
    "data_status_section",
    "events_section",
    "fiscal_section",
    "flows_section",
    "headline_section",
    "liquidity_section",
    "odds_section",
    "rates_section",
    "stance_section",
    "unwind_section",
]

#: The headline: the numbers that matter, in the order shown.
HEADLINE_KEYS: Final = (
    "spread.us_jp.10y",
    "policy.boj.rate",
    "policy.fed.upper",
    "fx.usdjpy",
    "hedged.pickup_vs_jgb10y",
    "liquidity.net",
    "positioning.cftc.jpy_net",
    "carry.usdjpy.carry_to_vol",
)

HEADLINE_READS: Final = tuple(INPUT_SERIES)

#: Every section's reads, in the order of the page (the data status reads their union).
SECTION_READS: Final[Mapping[str, tuple[str, ...]]] = {
    "what_changed": WHAT_CHANGED_READS,
    "headline": HEADLINE_READS,
    "odds": ODDS_READS,
    "rates": RATES_READS,
    "carry": CARRY_READS,
    "liquidity": LIQUIDITY_READS,
    "flows": FLOWS_READS,
    "events": EVENTS_READS,
    "stance": STANCE_READS,
    "fiscal": FISCAL_READS,
    "unwind": UNWIND_READS,
    "calendar": CALENDAR_READS,
}


# --- headline -------------------------------------------------------------------------------


def headline_section(inputs: BriefInputs, metrics: MetricsAt) -> Section:
    """The 6-8 numbers that matter, each with its 1-week and 1-month change and a reading."""
    asof, daily = inputs.asof, STALENESS_LIMITS["daily"]
    readings: dict[str, Callable[[], str]] = {
        "spread.us_jp.10y": lambda: level_reading(spread10(inputs), asof, "pp", daily),
        "policy.boj.rate": lambda: _policy_reading(inputs.catalog.boj, asof, "BOJ meeting"),
        "policy.fed.upper": lambda: _fed_reading(inputs, metrics),
        "fx.usdjpy": lambda: yen_reading(fx_series(inputs), asof, daily),
        "hedged.pickup_vs_jgb10y": lambda: _hedged_headline_reading(inputs, metrics.now),
        "liquidity.net": lambda: liquidity_reading(metrics.now),
        "positioning.cftc.jpy_net": lambda: positioning_reading(inputs),
        "carry.usdjpy.carry_to_vol": lambda: _carry_reading(inputs, metrics.now),
    }
    cards = []
    for key in HEADLINE_KEYS:
        try:
            reading = readings[key]()
        except (AnalyticsError, ValueError) as exc:
            reading = f"no reading: {exc}"
        cards.append(metric_card(key, metrics, reading))
    rows: list[tuple[Cell, ...]] = []
    classes = []
    for key in METRIC_KEYS:
        m = metrics.now[key]
        rows.append(
            (
                key,
                value_text(m.value, m.unit),
                m.unit,
                m.obs_date.isoformat() if m.obs_date else None,
                change_text(metrics.change(key, metrics.week_ago), m.unit, bp=key not in NOT_RATES),
                change_text(
                    metrics.change(key, metrics.month_ago), m.unit, bp=key not in NOT_RATES
                ),
                ", ".join(m.series) if m.value is not None else m.reason,
            )
        )
        classes.append("" if m.value is not None else "missing")
    table = Table(
        key="all_metrics",
        title="Every headline metric",
        columns=("metric", "value", "unit", "obs_date", "1w", "1m", "from / why missing"),
        rows=tuple(rows),
        note="The document `carrywatch metrics --json` prints for the same date.",
        row_classes=tuple(classes),
    )
    week, month = metrics.week_ago.asof, metrics.month_ago.asof
    missing = tuple(
        f"{k}: {metrics.now[k].reason}" for k in HEADLINE_KEYS if metrics.now[k].value is None
    )
    return Section(
        key="headline",
        title="Headline",
        reads=HEADLINE_READS,
        lede=(
            "The numbers that matter, each the latest observation on or before "
            f"{asof.isoformat()} within its staleness limit."
        ),
        cards=tuple(cards),
        tables=(table,),
        notes=(
            f"Changes: the same metric as of {week.isoformat()} (1w) and {month.isoformat()} "
            "(1m); rate changes in basis points.",
            "Readings lead with the longest look-back over which a value of the last five "
            'observations is a high or a low ("lowest since" looks at the whole stored '
            "history), or with the move's z-score among five-day moves since 2000 when no "
            "high or low spans a year; percentiles are of the same quantity since 2000 (for "
            "USD/JPY, the yen's value in dollars).",
        ),
        missing=missing,
    )


def _policy_reading(
    meetings: Sequence[BojMeeting] | Sequence[FomcMeeting], asof: date, what: str
) -> str:
    parts = []
    moved = last_decision(meetings, asof, changes_only=True)
    if moved is not None:
        parts.append(f"last move: {moved.decision} on {moved.date.isoformat()}")
    ahead = next_meeting(meetings, asof)
    parts.append(f"next {what} {ahead.date.isoformat()}" if ahead else f"no {what} scheduled")
    return "; ".join(parts)


def _fed_reading(inputs: BriefInputs, metrics: MetricsAt) -> str:
    lower = metrics.now["policy.fed.lower"].value
    upper = metrics.now["policy.fed.upper"].value
    text = _policy_reading(inputs.catalog.fomc, inputs.asof, "FOMC")
    if lower is not None and upper is not None:
        return f"range {lower:.2f}-{upper:.2f}%; {text}"
    return text


def _carry_to_vol_history(inputs: BriefInputs) -> pd.Series:
    jp_id = inputs.first_fresh(JP_SHORT_IDS)
    diff = short_rate_differential_pp(
        inputs.series("us.ust.3m"), inputs.series(jp_id), max_age=inputs.limit(jp_id)
    )
    vol = realized_vol_pct(fx_series(inputs), window=63)
    return carry_to_vol(diff, vol).dropna()


def _carry_reading(inputs: BriefInputs, now: HeadlineMetrics) -> str:
    diff, vol = now["carry.usdjpy.differential"].value, now["carry.usdjpy.realized_vol"].value
    head = "" if diff is None or vol is None else f"{diff:.2f} pp carry / {vol:.1f}% vol; "
    history = _carry_to_vol_history(inputs)
    return head + level_reading(history, inputs.asof, "ratio", STALENESS_LIMITS["daily"])


def _hedged_headline_reading(inputs: BriefInputs, now: HeadlineMetrics) -> str:
    """The pickup's most notable statement in its own history, then the comparison."""
    jp_id = inputs.first_fresh(JP_SHORT_IDS)
    pickup = hedged_yield_history(
        inputs.series("us.ust.10y"),
        inputs.series("jp.jgb.10y"),
        inputs.series("us.ust.3m"),
        inputs.series(jp_id),
        jp_short_max_age=inputs.limit(jp_id),
    )["pickup_vs_jgb_pp"].dropna()
    pickup.name = "hedged.pickup_vs_jgb10y"
    notable = level_reading(pickup, inputs.asof, "pp", STALENESS_LIMITS["daily"])
    return f"{notable}; {hedged_reading(now)}"


# --- data status ----------------------------------------------------------------------------


def data_status_section(inputs: BriefInputs, reads: Sequence[str]) -> Section:
    """Every series the brief reads: source, last obs_date on or before the as-of date,
    retrieval time, origin, and whether it is stale for its frequency."""
    rows: list[tuple[Cell, ...]] = []
    classes = []
    for sid in dict.fromkeys(reads):
        p = inputs.provenance(sid)
        rows.append(
            (
                sid,
                p.publisher,
                p.frequency,
                p.last_obs.isoformat() if p.last_obs else None,
                p.age_days,
                p.limit_days,
                p.status,
                p.retrieved_at,
                p.origin,
                p.released.isoformat() if p.released else None,
                p.release_rule,
            )
        )
        classes.append({"fresh": "", "stale": "stale", "no data": "missing"}[p.status])
    stale = [str(r[0]) for r, c in zip(rows, classes, strict=True) if c]
    limits = ", ".join(f"{k} {v.days}" for k, v in STALENESS_LIMITS.items())
    return Section(
        key="status",
        title="Data status",
        reads=tuple(dict.fromkeys(reads)),
        lede=f"Each series the brief reads, as of {inputs.asof.isoformat()}.",
        tables=(
            Table(
                key="data_status",
                title="Series, sources and staleness",
                columns=(
                    "series",
                    "publisher",
                    "frequency",
                    "last obs_date",
                    "age, days",
                    "limit, days",
                    "status",
                    "retrieved_at",
                    "origin",
                    "released",
                    "dated by",
                ),
                rows=tuple(rows),
                formats=("", "", "", "", "d", "d", "", "", "", "", ""),
                note=(
                    "last obs_date: the newest observation published by the as-of date; "
                    "released: the day it was published, dated by the rule named in "
                    "'dated by' (ALFRED first release, the publisher's release calendar, or "
                    "obs_date plus its usual lag). Stale: "
                    f"older than the limit of its frequency ({limits} days; longer for a series "
                    "released late: one period, its lag and a week, plus the delay of a release "
                    "that came out later than usual); a stale value is never "
                    "shown as current. `carrywatch refresh` brings the store up to date."
                ),
                row_classes=tuple(classes),
            ),
        ),
        missing=tuple(f"{sid} is stale or empty as of {inputs.asof}" for sid in stale),
    )
