"""The brief's policy-odds section: Fed and BOJ odds by meeting, every source side by side.

The odds come from :func:`carrywatch.report.odds.policy_odds`, the engine behind
``carrywatch odds``, fed with what the store holds as of the brief's date:

* prediction markets: the distributions of the Kalshi and Polymarket quotes stored by
  ``carrywatch markets refresh fed|boj`` up to that date
  (:class:`~carrywatch.report.market_quotes.StoredMarkets`), each with its quality flags;
* exchange-implied odds: the FedWatch method needs a settlement for every contract month
  around a meeting (a ZQ strip), which no stored series holds: the front-month
  continuation ``us.fedfunds_futures.front`` anchors no meeting on its own. The section
  says so and names ``carrywatch odds fed --futures FILE``, which takes a strip.

Over time: where markets were quoted on two or more days of the last
:data:`HISTORY_DAYS`, a chart follows each market's probability of each target range at the
bank's next meeting, day by day (each day's last quotes, anchored on that day's range).

A bank whose target range in force is unknown as of the date (the BOJ after the last
decision known offline, say) gets no odds at all: markets are anchored on that range, and
a guessed anchor would move every probability. The section says why instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import pandas as pd

from carrywatch.analytics.odds.distribution import (
    OddsDistribution,
    RangeProbability,
    range_text,
)
from carrywatch.analytics.odds.summary import meeting_summary, published_summary
from carrywatch.analytics.units import fraction_to_pct
from carrywatch.catalog.odds_series import VENUE_NAMES
from carrywatch.catalog.spec import BojMeeting, FomcMeeting
from carrywatch.errors import AnalyticsError
from carrywatch.report import charts, quoted_odds
from carrywatch.report.elements import figure, meeting_extra, missing_of
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.model import Cell, Figure, Section, Table
from carrywatch.report.odds import Bank, OddsReport, policy_odds
from carrywatch.report.odds_history import OddsHistory

__all__ = [
    "HISTORY_DAYS",
    "NO_EXCHANGE_ODDS",
    "ODDS_READS",
    "RANGE_SERIES",
    "BankOdds",
    "MarketOdds",
    "bank_odds",
    "odds_section",
    "range_in_force",
]

#: The target range in force of each bank, ``(lower, upper)`` (equal for a point target).
RANGE_SERIES: Final[Mapping[Bank, tuple[str, str]]] = {
    "fed": ("us.fed.target_lower", "us.fed.target_upper"),
    "boj": ("jp.boj.policy_rate_lower", "jp.boj.policy_rate"),
}
ODDS_READS: Final = (
    "us.fedfunds_futures.front",
    *(sid for pair in RANGE_SERIES.values() for sid in pair),
)

#: What the caller gives for a bank, a day and the range in force that day: the market
#: distributions of the bank's meetings as of the end of that day (the last quotes by
#: then; see the module docstring).
MarketOdds = Callable[[Bank, date, tuple[float, float]], Sequence[OddsDistribution]]

#: How far back the odds-over-time chart looks from the brief's date.
HISTORY_DAYS: Final = 180
#: A range drawn over time must reach this probability on some day (the rest is clutter).
HISTORY_MIN_PROBABILITY: Final = 0.05

#: Why the brief shows no futures-implied odds (see the module docstring).
NO_EXCHANGE_ODDS: Final = (
    "no exchange-implied odds: the FedWatch method needs a fed funds futures settlement for "
    "each contract month around a meeting, and the store holds the front month at most; "
    "`carrywatch odds fed --futures FILE` prices a strip"
)

#: The brief's name of each bank's meetings.
_LABELS: Final[Mapping[Bank, str]] = {"fed": "FOMC", "boj": "BOJ"}


@dataclass(frozen=True, slots=True)
class BankOdds:
    """One bank's odds as of the brief's date: a report, or why there is none."""

    bank: Bank
    report: OddsReport | None
    reason: str | None = None
    #: The bank's next meeting after the brief's date as each quoted day priced it,
    #: oldest first (market sources only; empty without quotes on two or more days).
    history: tuple[tuple[date, OddsDistribution], ...] = ()

    def __post_init__(self) -> None:
        if (self.report is None) == (self.reason is None):
            raise ValueError("BankOdds holds a report or a reason, not both or neither")

    def at(self, meeting: date) -> list[OddsDistribution]:
        """The distributions priced for ``meeting`` (refused ones included)."""
        if self.report is None:
            return []
        return [d for d in self.report.distributions if d.meeting == meeting]


def bank_odds(
    inputs: BriefInputs,
    bank: Bank,
    markets: MarketOdds | None,
    history_days: Sequence[date] = (),
) -> BankOdds:
    """``bank``'s odds as of the brief's date: the range in force from the store, then
    :func:`~carrywatch.report.odds.policy_odds` with the markets ``markets`` gives; and,
    for each of ``history_days`` (the days markets were quoted) within
    :data:`HISTORY_DAYS` before the brief's date, the markets' distribution of the bank's
    next meeting as priced that day, each anchored on the range in force that day."""
    found = range_in_force(inputs, bank)
    if isinstance(found, str):
        return BankOdds(
            bank,
            None,
            reason=f"no target range in force as of {inputs.asof} ({found}); markets are "
            "priced against it, so no odds are shown",
        )
    distributions = () if markets is None else tuple(markets(bank, inputs.asof, found))
    try:
        report = policy_odds(inputs.catalog, bank, inputs.asof, found, markets=distributions)
    except AnalyticsError as exc:
        return BankOdds(bank, None, reason=f"the odds cannot be formed: {exc}")
    history = () if markets is None else _history(inputs, bank, markets, history_days)
    return BankOdds(bank, report, history=history)


def _history(
    inputs: BriefInputs, bank: Bank, markets: MarketOdds, days: Sequence[date]
) -> tuple[tuple[date, OddsDistribution], ...]:
    meetings = inputs.catalog.fomc if bank == "fed" else inputs.catalog.boj
    meeting = next((m.date for m in meetings if m.date > inputs.asof), None)
    first = inputs.asof - timedelta(days=HISTORY_DAYS)
    window = sorted(d for d in set(days) if first <= d <= inputs.asof)
    if meeting is None or len(window) < 2:
        return ()
    points: list[tuple[date, OddsDistribution]] = []
    last: dict[str, OddsDistribution] = {}
    for day in window:
        anchor = range_in_force(inputs, bank, at=day)
        if isinstance(anchor, str):
            continue  # no range that day: nothing to anchor the markets on
        for dist in markets(bank, day, anchor):
            if dist.meeting != meeting or dist.refused or _anchored_elsewhere(dist):
                continue
            if last.get(dist.source) == dist:
                continue  # that day's last quotes of this source are an earlier day's
            last[dist.source] = dist
            points.append((day, dist))
    return tuple(points)


def _anchored_elsewhere(dist: OddsDistribution) -> bool:
    """A Polymarket distribution whose moves were placed on a range another decision may
    change first (``anchor:`` flag): its ranges would shift under the line."""
    return any(flag.startswith("anchor:") for flag in dist.flags)


def range_in_force(
    inputs: BriefInputs, bank: Bank, at: date | None = None
) -> tuple[float, float] | str:
    """``(lower, upper)`` in percent as of ``at`` (default: the brief's date), or why
    there is none.

    Both ends must be fresh and from the same day (a partial refresh can leave one end
    newer than the other, and pairing them could invert the range or invent one that was
    never in force); the Fed's is a range (lower < upper), the BOJ's may be a point.
    """
    low, high = (inputs.latest(sid, at) for sid in RANGE_SERIES[bank])
    if low.value is None or high.value is None:
        decided = decided_range(inputs.catalog.fomc, at or inputs.asof) if bank == "fed" else None
        if decided is not None:
            return decided
        return str(low.reason if low.value is None else high.reason)
    if low.obs_date != high.obs_date:
        return f"its ends are from different days ({low.obs_date}, {high.obs_date}); refresh both"
    if low.value > high.value or (bank == "fed" and low.value == high.value):
        return f"{low.value:g}-{high.value:g}% is not a {'range' if bank == 'fed' else 'target'}"
    return low.value, high.value


def decided_range(meetings: Sequence[FomcMeeting], day: date) -> tuple[float, float] | None:
    """The target range set by the last FOMC meeting in force on ``day`` (events.toml, each
    from the Fed's statement), or None when that meeting's outcome is not in the catalog.

    The daily FRED series can end before the brief's date while the range, which changes
    only at meetings, is still known from the statements; a meeting whose outcome is not
    recorded leaves it unknown from then on.
    """
    held = [m for m in meetings if (m.effective or m.date) <= day]
    if not held or held[-1].target_lower_pct is None or held[-1].target_upper_pct is None:
        return None
    return held[-1].target_lower_pct, held[-1].target_upper_pct


def odds_section(
    inputs: BriefInputs,
    odds: Sequence[BankOdds],
    *,
    max_meetings: int = 4,
    history: OddsHistory | None = None,
) -> Section:
    """Policy odds for the next ``max_meetings`` FOMC and BOJ meetings after the as-of date.

    One table row per meeting: the exchange-implied distribution (when one was priced)
    and each prediction market's, as ``range probability`` pairs, most likely first; a
    refused market says why. The chart groups the probability of each move (relative to
    the range in force) by meeting and source; without any priced meeting it draws the
    meeting timeline and names what is missing.

    ``history`` adds what the store holds for the FOMC meetings (module docstring of
    :mod:`carrywatch.report.odds_history`): CME FedWatch's published distribution and
    carrywatch's own computation beside it in the exchange column, the prediction markets'
    last quotes in the markets column, and a chart of those quotes over time.
    """
    by_bank = {o.bank: o for o in odds}
    upcoming: list[tuple[Bank, FomcMeeting | BojMeeting]] = sorted(
        [("fed", m) for m in _after(inputs.catalog.fomc, inputs.asof, max_meetings)]
        + [("boj", m) for m in _after(inputs.catalog.boj, inputs.asof, max_meetings)],
        key=lambda x: x[1].date,
    )
    fed_dates = [m.date for bank, m in upcoming if bank == "fed"]
    has_exchange = history is not None and any(
        history.published_at(d) or history.computed_at(d) for d in fed_dates
    )
    missing = [] if has_exchange else [NO_EXCHANGE_ODDS]
    for bank in ("fed", "boj"):
        found = by_bank.get(bank)
        if found is None or found.report is None:
            missing.append(f"{_LABELS[bank]}: {found.reason if found else 'not computed'}")
        elif not any(not d.refused for d in found.report.distributions) and not (
            bank == "fed" and history is not None and (history.quotes or has_exchange)
        ):
            notes = [n for n in found.report.notes if "prediction-market" in n]
            missing.append(f"{_LABELS[bank]}: " + (notes[0] if notes else "no source priced"))
    rows: list[tuple[Cell, ...]] = []
    bars: list[tuple[float, str, str, float]] = []
    colours: dict[str, str] = {}
    for bank, meeting in upcoming:
        bank_odds = by_bank.get(bank)
        here = bank_odds.at(meeting.date) if bank_odds else []
        exchange = [d for d in here if d.source in {"futures", "path"}]
        markets = [d for d in here if d.source not in {"futures", "path"}]
        stored = history if bank == "fed" else None
        rows.append(
            (
                _LABELS[bank],
                meeting.date.isoformat(),
                meeting.start.isoformat() if meeting.start else None,
                meeting.kind,
                meeting_extra(meeting),
                "; ".join(
                    [
                        *(_cell(d) for d in exchange),
                        *quoted_odds.exchange_cells(stored, meeting.date),
                    ]
                )
                or None,
                "; ".join(
                    [*(_cell(d) for d in markets), *quoted_odds.quote_cells(stored, meeting.date)]
                )
                or None,
                _summary_cell(here, stored, meeting.date, bank_odds),
            )
        )
        report = bank_odds.report if bank_odds else None
        if stored is not None and report is not None:
            shown = quoted_odds.distributions(stored, meeting.date)
            shown += quoted_odds.hold_bars(stored, meeting.date, report.current_range_pct)
            for name, rows_here in shown:
                label = f"{_LABELS[bank]} {meeting.date:%d %b %Y} · {name}"
                for r in rows_here:
                    key_bp, outcome, colour = _move(r, report.current_range_pct)
                    colours[outcome] = colour
                    bars.append((key_bp, label, outcome, r.probability))
        for dist in here:
            if dist.refused or report is None:
                continue
            label = f"{_LABELS[bank]} {meeting.date:%d %b %Y} · {dist.source}"
            for r in dist.probabilities:
                key_bp, outcome, colour = _move(r, report.current_range_pct)
                colours[outcome] = colour
                bars.append((key_bp, label, outcome, r.probability))
    table = Table(
        key="odds_by_meeting",
        title="Upcoming meetings and their odds",
        columns=(
            "bank",
            "decision day",
            "first day",
            "kind",
            "with",
            "exchange",
            "markets",
            "cut / hold / hike",
        ),
        rows=tuple(rows),
        note=(
            "Each odds cell lists a source's target ranges after the meeting with their "
            "probabilities, most likely first; [stale], [thin] and [repaired] mark a market "
            "whose prices deserve less trust (see `carrywatch odds fed|boj` for the details)."
        ),
        sources=(
            "events.toml (federalreserve.gov, boj.or.jp)",
            *_market_sources(odds),
            *quoted_odds.sources(history),
        ),
    )
    reason = (
        None
        if bars
        else f"no source priced an upcoming meeting as of {inputs.asof}; the notes below say why"
    )
    spec = charts.odds_by_meeting_spec(
        [(_LABELS[bank], m.date) for bank, m in upcoming],
        _ordered(bars),
        reason=reason,
        labels=list(dict.fromkeys(label for _, label, _, _ in bars)),
        colours=colours,
    )
    fig = figure(
        "odds_by_meeting",
        "Odds by meeting",
        spec,
        inputs,
        ODDS_READS,
        plotted=[],
        note=(
            "Probability of each move from the range in force, by meeting and source."
            if bars
            else "Meeting dates from events.toml; bars of odds replace the timeline once "
            "a source prices a meeting."
        ),
        extra_sources=(*_market_sources(odds), *quoted_odds.sources(history)),
    )
    return Section(
        key="odds",
        title="Policy odds",
        reads=ODDS_READS,
        lede=(
            "Fed and BOJ odds by meeting, from fed funds futures and prediction markets "
            "side by side."
        ),
        figures=(fig, *quoted_odds.path_figures(history), *_history_figures(inputs, odds)),
        tables=(table,),
        missing=missing_of(missing),
    )


def _history_figures(inputs: BriefInputs, odds: Sequence[BankOdds]) -> list[Figure]:
    """Per bank with quotes on two or more days: each market's probability of each
    target range at the next meeting, by quoted day."""
    out = []
    for found in odds:
        if not found.history:
            continue
        meeting = found.history[0][1].meeting
        by_line: dict[str, dict[pd.Timestamp, float]] = {}
        for day, dist in found.history:
            for r in dist.probabilities:
                name = f"{dist.source} {range_text(r)}"
                by_line.setdefault(name, {})[pd.Timestamp(day)] = r.probability
        lines = [
            (name, pd.Series(points).sort_index())
            for name, points in sorted(by_line.items())
            if max(points.values()) >= HISTORY_MIN_PROBABILITY
        ]
        label = _LABELS[found.bank]
        out.append(
            figure(
                f"odds_over_time_{found.bank}",
                f"{label} {meeting:%d %b %Y}: odds over time",
                charts.odds_history_spec(lines),
                inputs,
                RANGE_SERIES[found.bank],
                plotted=[s for _, s in lines],
                note=(
                    f"Each market's probability of each target range after the {label} "
                    f"meeting of {meeting.isoformat()}, one point per quoted day (its last "
                    f"quotes; last {HISTORY_DAYS} days); ranges that never reach "
                    f"{HISTORY_MIN_PROBABILITY:.0%} are left out."
                ),
                extra_sources=_market_sources([found]),
            )
        )
    return out


def _after(
    meetings: Sequence[FomcMeeting | BojMeeting], asof: date, n: int
) -> list[FomcMeeting | BojMeeting]:
    return [m for m in meetings if m.date > asof][:n]


def _summary_cell(
    here: Sequence[OddsDistribution],
    stored: OddsHistory | None,
    meeting: date,
    bank_odds: BankOdds | None,
) -> str | None:
    """Each source's P(cut) / P(hold) / P(hike) at ``meeting`` against the range in force
    today and its expected move from today (CME FedWatch's summary), one source a part."""
    report = bank_odds.report if bank_odds else None
    if report is None:
        return None
    now = report.current_range_pct
    summaries = [meeting_summary(d, now) for d in here if not d.refused]
    summaries += [
        published_summary(meeting, name, rows, now)
        for name, rows in quoted_odds.distributions(stored, meeting)
    ]
    return (
        "; ".join(
            f"{s.source}: {fraction_to_pct(s.p_cut):.1f}% / {fraction_to_pct(s.p_hold):.1f}% / "
            f"{fraction_to_pct(s.p_hike):.1f}%, {s.cumulative_change_bp:+.1f} bp from today"
            for s in summaries
        )
        or None
    )


def _cell(dist: OddsDistribution) -> str:
    """``kalshi: 3.5-3.75% 82%, 3.25-3.5% 18% [thin]``, or why it was refused."""
    if dist.reason is not None:
        return f"{dist.source}: refused ({dist.reason})"
    ranked = sorted(dist.probabilities, key=lambda r: -r.probability)
    shown = ", ".join(f"{range_text(r)} {100.0 * r.probability:.0f}%" for r in ranked[:3])
    if len(ranked) > 3:
        shown += f", {len(ranked) - 3} more"
    tags = ["repaired"] if dist.repaired else []
    if dist.quality is not None:
        tags += [t for t, on in (("stale", dist.quality.stale), ("thin", dist.quality.thin)) if on]
    return f"{dist.source}: {shown}" + "".join(f" [{t}]" for t in tags)


def _move(r: RangeProbability, current: tuple[float, float]) -> tuple[float, str, str]:
    """Where ``r`` stands against the range in force: a sort key (bp), a label and a colour.

    The move is read at both ends, ``lower - current lower`` and ``upper - current upper``
    in bp, so a bucket wider than the range in force is a span (``-50bp to hold``), and a
    lumped tail is open on one side (``-75bp or more cuts``, ``hold or lower``). A cut is
    red and a hike blue (ColorBrewer RdBu), darker for each further 25 bp; a hold is grey;
    a bucket or tail that holds both a move and a hold, or moves both ways, is light grey.
    The same outcome has the same label and colour at every meeting.
    """
    lo_bp = round(100.0 * (r.lower_pct - current[0]))
    hi_bp = round(100.0 * (r.upper_pct - current[1]))
    if r.lumped == "below":
        if hi_bp < 0:
            return hi_bp - 0.5, f"{_bp(hi_bp)} or more cuts", _shade(hi_bp)
        return hi_bp - 0.5, f"{_bp(hi_bp)} or lower", _MIXED_COLOUR
    if r.lumped == "above":
        if lo_bp > 0:
            return lo_bp + 0.5, f"{_bp(lo_bp)} or more hikes", _shade(lo_bp)
        return lo_bp + 0.5, f"{_bp(lo_bp)} or higher", _MIXED_COLOUR
    if lo_bp == hi_bp:
        return float(lo_bp), _bp(lo_bp), _shade(lo_bp)
    one_side = lo_bp > 0 or hi_bp < 0
    colour = _shade(lo_bp if lo_bp > 0 else hi_bp) if one_side else _MIXED_COLOUR
    return (lo_bp + hi_bp) / 2.0, f"{_bp(lo_bp)} to {_bp(hi_bp)}", colour


def _bp(move_bp: int) -> str:
    return "hold" if move_bp == 0 else f"{move_bp:+d}bp"


#: Diverging colours of moves (ColorBrewer RdBu): cuts red, darker the larger; hikes blue.
_CUT_COLOURS: Final = ("#f4a582", "#d6604d", "#b2182b", "#67001f")
_HIKE_COLOURS: Final = ("#92c5de", "#4393c3", "#2166ac", "#053061")
_HOLD_COLOUR: Final = "#8a9099"
_MIXED_COLOUR: Final = "#d5d8dc"


def _shade(move_bp: int) -> str:
    """Grey for a hold; otherwise the red or blue of the move's 25 bp step (up to 25 bp
    the lightest, beyond 75 bp the darkest)."""
    if move_bp == 0:
        return _HOLD_COLOUR
    step = min(math.ceil(abs(move_bp) / 25.0), 4) - 1
    return (_CUT_COLOURS if move_bp < 0 else _HIKE_COLOURS)[step]


def _ordered(bars: Sequence[tuple[float, str, str, float]]) -> list[tuple[str, str, float]]:
    """``(move_bp, label, outcome, probability)`` bars as the chart's rows, outcomes in
    move order (cuts, hold, hikes) so that the colours read alike across meetings."""
    return [(label, outcome, p) for _, label, outcome, p in sorted(bars, key=lambda b: b[0])]


def _market_sources(odds: Sequence[BankOdds]) -> tuple[str, ...]:
    """Each market behind the odds, named as the catalog names its venue."""
    names = {
        d.source
        for o in odds
        if o.report is not None
        for d in o.report.distributions
        if d.source not in {"futures", "path"}
    }
    return tuple(
        f"{VENUE_NAMES.get(n, n)} (stored quotes, `carrywatch markets refresh`; "
        "`carrywatch series list` names each series)"
        for n in sorted(names)
    )
