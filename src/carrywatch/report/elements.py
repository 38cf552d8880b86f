"""The building blocks of the brief's sections: cards from the headline metrics, figures
captioned with their provenance, ranks in history, and the readings several sections share.

A section builder (:mod:`carrywatch.report.sections`, :mod:`~carrywatch.report.markets`,
:mod:`~carrywatch.report.policy`, :mod:`~carrywatch.report.scenarios`) composes these;
none of them reads the store: they work on :class:`~carrywatch.report.inputs.BriefInputs`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, TypeVar

import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, latest_asof
from carrywatch.analytics.flows import positioning
from carrywatch.analytics.hedging import ASSUMED_BASIS_BP
from carrywatch.analytics.spreads import HistoryRank, history_rank, spread_pp
from carrywatch.catalog.spec import BojMeeting, FomcMeeting
from carrywatch.errors import AnalyticsError
from carrywatch.report import charts
from carrywatch.report.formats import ordinal
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.metrics import HeadlineMetrics
from carrywatch.report.model import Card, Figure

__all__ = [
    "BTC_IDS",
    "CHART_YEARS",
    "FX_IDS",
    "JP_SHORT_IDS",
    "LABELS",
    "NOT_RATES",
    "RANK_START",
    "MetricsAt",
    "attempt",
    "change_asof",
    "figure",
    "fx_series",
    "hedged_reading",
    "last_decision",
    "liquidity_reading",
    "local_card",
    "meeting_extra",
    "metric_card",
    "missing_of",
    "next_meeting",
    "positioning_reading",
    "rank_text",
    "safe_rank",
    "spread10",
    "window_start",
]

LABELS: Final = {
    "spread.us_jp.10y": "US-Japan 10y spread",
    "spread.us_jp.2y": "US-Japan 2y spread",
    "policy.boj.rate": "BOJ policy rate",
    "policy.fed.upper": "Fed funds, upper limit",
    "fx.usdjpy": "USD/JPY",
    "hedged.pickup_vs_jgb10y": "Hedged UST 10y pickup vs JGB 10y",
    "hedged.ust10y_jpy_investor": "UST 10y hedged into yen",
    "liquidity.net": "Net liquidity",
    "liquidity.fed_assets": "Fed total assets",
    "liquidity.tga": "Treasury General Account",
    "liquidity.rrp": "ON RRP",
    "liquidity.m2_yoy": "M2, year on year",
    "positioning.cftc.jpy_net": "CFTC speculative net yen",
    "flows.tic.japan_holdings": "Japan's US Treasury holdings",
    "carry.usdjpy.carry_to_vol": "Carry-to-vol, USD/JPY",
    "carry.usdjpy.differential": "Carry: 3m bill - yen short rate",
    "carry.usdjpy.realized_vol": "USD/JPY realized vol, 3m",
    "stance.boj.real_rate": "BOJ real policy rate",
    "stance.boj.gap_to_neutral_low": "BOJ rate vs neutral (low end)",
}

FX_IDS: Final = ("fx.usdjpy", "fx.usdjpy.yahoo")
BTC_IDS: Final = ("crypto.btcusd", "crypto.btcusd.yahoo")
JP_SHORT_IDS: Final = ("jp.boj.call_rate", "jp.boj.policy_rate")
#: Metrics in percent that are not interest rates: their changes are written in pp.
NOT_RATES: Final = frozenset({"carry.usdjpy.realized_vol", "liquidity.m2_yoy"})
#: Percentiles and z-scores are taken over this history (regimes before it differ).
RANK_START: Final = date(2000, 1, 1)
#: Rolling windows shown in charts: ten years of weekly points.
CHART_YEARS: Final = 10


T = TypeVar("T")


# --- cards, figures, ranks ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricValues:
    """The headline metrics' values as of one day (``None``: missing), what a change
    needs: the brief takes a week's and a month's from one pass over both days
    (:func:`~carrywatch.report.metric_history.metric_paths`), equal to
    :func:`~carrywatch.report.metrics.metrics_from_series`' values on each."""

    asof: date
    values: Mapping[str, float | None]

    @classmethod
    def of(cls, metrics: HeadlineMetrics) -> MetricValues:
        """The values of ``metrics``."""
        return cls(metrics.asof, {key: m.value for key, m in metrics.metrics.items()})


@dataclass(frozen=True, slots=True)
class MetricsAt:
    """The headline metrics as of the brief's date, and their values a week and a month
    (30 days) before."""

    now: HeadlineMetrics
    week_ago: MetricValues
    month_ago: MetricValues

    def change(self, key: str, before: MetricValues) -> float | None:
        a, b = self.now[key].value, before.values[key]
        return None if a is None or b is None else round(a - b, 10)


def metric_card(key: str, metrics: MetricsAt, reading: str) -> Card:
    """A card for a headline metric: its value exactly as :func:`headline_metrics` gives
    it, with the changes since a week and a month before."""
    metric = metrics.now[key]
    if metric.value is None:
        reading = f"missing: {metric.reason}"
    return Card(
        key=key,
        label=LABELS.get(key, key),
        value=metric.value,
        unit=metric.unit,
        obs_date=metric.obs_date,
        series=metric.series,
        reading=reading,
        change_1w=metrics.change(key, metrics.week_ago),
        change_1m=metrics.change(key, metrics.month_ago),
        reason=metric.reason,
        bp_changes=key not in NOT_RATES,
    )


def local_card(
    key: str,
    label: str,
    *,
    value: float | None,
    unit: str,
    obs_date: date | None,
    series: Sequence[str],
    reading: str,
    reason: str | None = None,
) -> Card:
    """A card for a section's own number (not a headline metric)."""
    if value is None and reason:
        reading = f"missing: {reason}"
    return Card(key, label, value, unit, obs_date, tuple(series), reading, reason=reason)


def _newest_with_value(series: pd.Series) -> pd.Timestamp | None:
    """The newest index date of ``series`` with a value (``None``: none), without the
    copy a ``dropna`` makes: the brief asks this of about 90 plotted series."""
    kept = series.index[~pd.isna(series.to_numpy())]
    return None if kept.empty else pd.Timestamp(kept.max())


def figure(
    key: str,
    title: str,
    spec: Mapping[str, Any],
    inputs: BriefInputs,
    sids: Sequence[str],
    *,
    plotted: Sequence[pd.Series],
    note: str,
    empty_reason: str | None = None,
    extra_sources: Sequence[str] = (),
) -> Figure:
    """A :class:`Figure` captioned with the provenance of ``sids`` (and ``extra_sources``,
    e.g. a statement or a published estimate); the latest observation is the newest date
    among the ``plotted`` series. Without data the spec becomes an empty-state figure
    naming ``empty_reason``."""
    dates = [_newest_with_value(s) for s in plotted]
    present = [d for d in dates if d is not None]
    latest = max(present).date() if present else None
    provenance = tuple(inputs.provenance(s) for s in dict.fromkeys(sids))
    made = Figure(
        key=key,
        title=title,
        spec=spec,
        sources=tuple(p.label for p in provenance) + tuple(extra_sources),
        asof=inputs.asof,
        latest_obs=latest,
        provenance=provenance,
        note=note,
        empty_reason=empty_reason,
    )
    if made.has_data and empty_reason is None:
        return made
    reason = empty_reason or f"no observations of {', '.join(sids)} to plot as of {inputs.asof}"
    return Figure(
        key,
        title,
        charts.empty_spec(reason),
        made.sources,
        inputs.asof,
        None,
        provenance,
        note,
        reason,
    )


def missing_of(missing: Sequence[str], cards: Sequence[Card] = ()) -> tuple[str, ...]:
    """A section's ``missing``: its own items, then the reasons of its cards without a
    value (cards sharing a reason in one line), each once."""
    by_reason: dict[str, list[str]] = {}
    for card in cards:
        if card.value is None and card.reason:
            by_reason.setdefault(card.reason, []).append(card.key)
    found = [*missing, *(f"{', '.join(keys)}: {why}" for why, keys in by_reason.items())]
    return tuple(dict.fromkeys(found))


def window_start(asof: date, years: int = CHART_YEARS) -> date:
    """The first date of a chart window ending at ``asof``."""
    return (pd.Timestamp(asof) - pd.DateOffset(years=years)).date()


def change_asof(
    series: pd.Series, inputs: BriefInputs, days: int, limit: timedelta
) -> float | None:
    """Latest value as of the brief minus the latest value as of ``days`` earlier."""
    now = latest_asof(series, inputs.asof, limit)
    then = latest_asof(series, inputs.asof - timedelta(days=days), limit)
    if now.value is None or then.value is None:
        return None
    return now.value - then.value


def rank_text(rank: HistoryRank) -> str:
    """ "lowest since 2023-05-04 (12th percentile since 2000-01-03)"."""
    return (
        f"{rank.statement} ({ordinal(round(rank.percentile))} percentile since "
        f"{rank.history_start.isoformat()})"
    )


def safe_rank(series: pd.Series, asof: date, limit: timedelta) -> HistoryRank | None:
    """:func:`history_rank` since :data:`RANK_START`, or None when the history is too short."""
    try:
        return history_rank(series, asof, start=RANK_START, max_age=limit)
    except (AnalyticsError, ValueError):
        return None


def last_decision(
    meetings: Sequence[FomcMeeting] | Sequence[BojMeeting], asof: date, *, changes_only: bool
) -> FomcMeeting | BojMeeting | None:
    """The latest meeting on or before ``asof`` with a known decision (a move, if
    ``changes_only``)."""
    wanted = {"hike", "cut"} if changes_only else {"hike", "cut", "hold", "framework"}
    held = [m for m in meetings if m.decision in wanted and m.date <= asof]
    return held[-1] if held else None


def next_meeting(
    meetings: Sequence[FomcMeeting] | Sequence[BojMeeting], asof: date
) -> FomcMeeting | BojMeeting | None:
    """The first meeting after ``asof`` (events.toml)."""
    ahead = [m for m in meetings if m.date > asof]
    return ahead[0] if ahead else None


def fx_series(inputs: BriefInputs) -> pd.Series:
    """USD/JPY: the H.10 noon rate, or Yahoo's close where H.10 has no fresh value."""
    return inputs.series(inputs.first_fresh(FX_IDS))


def spread10(inputs: BriefInputs) -> pd.Series:
    """The US-Japan 10-year spread in pp on US dates (:func:`spread_pp`)."""
    return spread_pp(
        inputs.series("us.ust.10y"), inputs.series("jp.jgb.10y"), max_age=STALENESS_LIMITS["daily"]
    )


def attempt(make: Callable[[], T], missing: list[str]) -> T | None:
    """``make()``, or None with its error appended to ``missing``."""
    try:
        return make()
    except (AnalyticsError, ValueError) as exc:
        missing.append(str(exc))
        return None


# --- readings used by several sections ------------------------------------------------------


def hedged_reading(now: HeadlineMetrics) -> str:
    hedged, jgb = now["hedged.ust10y_jpy_investor"].value, now["yield.jp.10y"].value
    pickup = now["hedged.pickup_vs_jgb10y"].value
    if hedged is None or jgb is None or pickup is None:
        return "no comparison: an input is missing"
    who = "the JGB pays more" if pickup < 0 else "the hedged Treasury pays more"
    return (
        f"hedged UST 10y {hedged:.2f}% vs JGB 10y {jgb:.2f}%: {who} "
        f"(3-month hedge at parity plus an assumed {ASSUMED_BASIS_BP:g} bp basis)"
    )


def liquidity_reading(now: HeadlineMetrics) -> str:
    parts = [now[k].value for k in ("liquidity.fed_assets", "liquidity.tga", "liquidity.rrp")]
    if any(p is None for p in parts):
        return "components incomplete"
    a, t, r = parts
    return f"Fed assets {a:,.0f} - TGA {t:,.0f} - ON RRP {r:,.0f} (USD bn)"


def positioning_reading(inputs: BriefInputs) -> str:
    found = positioning(
        inputs.series("cftc.jpy.noncommercial_net"),
        inputs.asof,
        usdjpy=fx_series(inputs),
        max_age=inputs.limit("cftc.jpy.noncommercial_net"),
    )
    side = "short" if found.net_contracts < 0 else "long"
    return (
        f"net {side} yen; {ordinal(round(found.percentile_rank_pct))} percentile of "
        f"{found.window_obs} weeks since {found.window_start.isoformat()}"
    )


def meeting_extra(meeting: FomcMeeting | BojMeeting) -> str:
    """What comes with a meeting: the FOMC's SEP, the BOJ's Outlook Report, or nothing."""
    if isinstance(meeting, FomcMeeting):
        return "SEP" if meeting.sep else ""
    return "Outlook Report" if meeting.outlook_report else ""
