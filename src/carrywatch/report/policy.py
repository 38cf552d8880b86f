"""Policy sections of the brief: cross-asset moves around the latest decisions, the stance
against neutral with a projected path, and the meeting calendar (see
:mod:`carrywatch.report.sections` for the conventions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final

import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, latest_asof
from carrywatch.analytics.event_study import (
    DEFAULT_WINDOWS,
    AssetMove,
    ChangeKind,
    EventWindow,
    cross_asset_moves,
)
from carrywatch.analytics.policy import (
    NeutralBand,
    compare_paths,
    gap_to_neutral,
    load_neutral_bands,
    moves_to_band,
    projected_path,
    real_policy_rate_pct,
)
from carrywatch.analytics.spreads import fed_target_midpoint_pct
from carrywatch.catalog.spec import BojMeeting, FomcMeeting
from carrywatch.report import charts
from carrywatch.report.elements import (
    BTC_IDS,
    FX_IDS,
    MetricsAt,
    attempt,
    figure,
    last_decision,
    local_card,
    meeting_extra,
    metric_card,
    missing_of,
    window_start,
)
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.model import Card, Cell, Figure, Section, Table

__all__ = [
    "CALENDAR_READS",
    "EVENTS_READS",
    "STANCE_READS",
    "calendar_section",
    "decision_text",
    "events_section",
    "stance_section",
]

EVENTS_READS: Final = (
    *FX_IDS,
    "us.ust.10y",
    "jp.jgb.10y",
    "us.nasdaq",
    "us.sp500",
    "us.vix",
    *BTC_IDS,
)
STANCE_READS: Final = (
    "jp.boj.policy_rate",
    "us.fed.target_upper",
    "us.fed.target_lower",
    "jp.cpi.core",
    "us.core_pce",
)
#: The calendar reads no stored series: its meetings are the catalog's events.toml.
CALENDAR_READS: Final[tuple[str, ...]] = ()

#: The window drawn in the event chart (the table shows every default window).
CHART_WINDOW: Final = EventWindow(-1, 1)
#: A BOJ path moves one step every this many months (the pace since March 2024).
PATH_CADENCE_MONTHS: Final = 6
PATH_STEP_BP: Final = 25.0


def decision_text(meeting: FomcMeeting | BojMeeting) -> str:
    """E.g. "hike to 0.25%", "hold at 5.25-5.50%", "framework change"."""
    if isinstance(meeting, FomcMeeting):
        low, high = meeting.target_lower_pct, meeting.target_upper_pct
    else:
        low, high = meeting.rate_lower_pct, meeting.rate_upper_pct
    if low is None or high is None:
        level = ""
    elif low == high:
        level = f"{high:.2f}%"
    else:
        level = f"{low:.2f}-{high:.2f}%"
    verb = {"hike": "hike to", "cut": "cut to", "hold": "hold at"}.get(meeting.decision or "", "")
    if not verb or not level:
        return meeting.decision or "no decision recorded"
    return f"{verb} {level}"


# --- cross-asset moves around the latest decisions ------------------------------------------


def events_section(inputs: BriefInputs) -> Section:
    """How USD/JPY, yields, equities, the VIX and Bitcoin moved around the latest BOJ and
    FOMC decisions on or before the as-of date (:func:`cross_asset_moves`)."""
    asof = inputs.asof
    fx_id, btc_id = inputs.first_fresh(FX_IDS), inputs.first_fresh(BTC_IDS)
    assets: dict[str, tuple[pd.Series, ChangeKind]] = {
        "USD/JPY": (inputs.series(fx_id), "price_pct"),
        "UST 10y": (inputs.series("us.ust.10y"), "yield_bp"),
        "JGB 10y": (inputs.series("jp.jgb.10y"), "yield_bp"),
        "Nasdaq": (inputs.series("us.nasdaq"), "price_pct"),
        "S&P 500": (inputs.series("us.sp500"), "price_pct"),
        "VIX": (inputs.series("us.vix"), "level"),
        "Bitcoin": (inputs.series(btc_id), "price_pct"),
    }
    ids = {name: str(series.name) for name, (series, _) in assets.items()}
    tables: list[Table] = []
    bars: list[tuple[str, str, float | None, str]] = []
    missing: list[str] = []
    events: list[tuple[str, FomcMeeting | BojMeeting | None]] = [
        ("BOJ", last_decision(inputs.catalog.boj, asof, changes_only=False)),
        ("FOMC", last_decision(inputs.catalog.fomc, asof, changes_only=False)),
    ]
    for bank, meeting in events:
        if meeting is None:
            missing.append(f"no {bank} decision on or before {asof} in events.toml")
            continue
        moves = cross_asset_moves(assets, meeting.date, DEFAULT_WINDOWS)
        frame = moves.table()
        label = f"{bank} {meeting.date.isoformat()}"
        rows: list[tuple[Cell, ...]] = []
        for asset in frame.index:
            changes = [frame.loc[asset, w.label] for w in DEFAULT_WINDOWS]
            rows.append(
                (
                    str(asset),
                    str(frame.loc[asset, "unit"]),
                    *(None if pd.isna(c) else round(float(c), 6) for c in changes),
                    ids[str(asset)],
                )
            )
        tables.append(
            Table(
                key=f"moves_{bank.lower()}",
                title=(
                    f"Around the {bank} decision of {meeting.date.isoformat()}: "
                    f"{decision_text(meeting)}"
                ),
                columns=("asset", "unit", *(w.label for w in DEFAULT_WINDOWS), "series"),
                rows=tuple(rows),
                formats=("", "", "+.2f", "+.2f", "+.2f", ""),
                note=(
                    "Trading days on each asset's own calendar around day 0, the first "
                    "observation on or after the decision date; yields in bp, prices in %, "
                    "the VIX in points. An empty cell: the window is not observed by "
                    f"{asof.isoformat()}."
                ),
                sources=(meeting.source,),
            )
        )
        for move in moves.moves:
            if move.window == CHART_WINDOW and move.kind != "level":
                bars.append((label, move.asset, move.change, move.unit))
        missing.extend(_gaps(label, moves.moves, asof))
    figures: list[Figure] = []
    if bars:
        plotted = [s for s, _ in assets.values()]
        figures.append(
            figure(
                "event_moves",
                f"Moves over {CHART_WINDOW.label} trading days around the latest decisions",
                charts.event_moves_spec(bars),
                inputs,
                tuple(ids.values()),
                plotted=[s.loc[: pd.Timestamp(asof)] for s in plotted],
                note=(
                    "Day -1 to day +1 on each asset's calendar; the tables give (-1,0) and a "
                    "week as well. Latest obs: the newest observation of the assets."
                ),
                extra_sources=tuple(m.source for _, m in events if m is not None),
            )
        )
    return Section(
        key="events",
        title="Cross-asset moves around the latest decisions",
        reads=EVENTS_READS,
        lede=(
            "How markets moved around the latest BOJ and FOMC decisions on or before the "
            "as-of date."
        ),
        figures=tuple(figures),
        tables=tuple(tables),
        notes=(
            "BOJ decisions come out around midday Tokyo, before every US close and the New "
            "York noon USD/JPY rate of the same date: (-1,0) captures them everywhere.",
            "FOMC statements come out at 14:00 New York, after the noon USD/JPY fixing and "
            "the JGB close of that date: for those two the reaction is in day +1, so read "
            "(-1,+1).",
        ),
        missing=missing_of(missing),
    )


# --- stance against neutral -----------------------------------------------------------------


def stance_section(inputs: BriefInputs, metrics: MetricsAt) -> Section:
    """Policy rates against neutral bands, real rates, a projected BOJ path, and which
    policy-rule inputs exist."""
    asof = inputs.asof
    missing: list[str] = []
    notes: list[str] = []
    bands = load_neutral_bands()
    boj_band, fed_band = bands["boj"], bands["fed"]
    boj_rate = metrics.now["policy.boj.rate"].value
    cards: list[Card] = []
    gap_reading = "" if boj_rate is None else gap_to_neutral(boj_rate, boj_band).summary()
    cards.append(metric_card("stance.boj.gap_to_neutral_low", metrics, gap_reading))
    boj_real = real_policy_rate_pct(
        inputs.series("jp.boj.policy_rate"),
        inputs.series("jp.cpi.core"),
        asof,
        measure="Japan CPI less fresh food",
        policy_max_age=STALENESS_LIMITS["event"],
        inflation_max_age=inputs.limit("jp.cpi.core"),
    )
    cards.append(metric_card("stance.boj.real_rate", metrics, boj_real.summary()))
    fed_mid = attempt(
        lambda: fed_target_midpoint_pct(
            inputs.series("us.fed.target_upper"), inputs.series("us.fed.target_lower")
        ),
        missing,
    )
    mid = None if fed_mid is None else latest_asof(fed_mid, asof, STALENESS_LIMITS["daily"])
    if fed_mid is not None and mid is not None and mid.value is not None:
        gap = gap_to_neutral(mid.value, fed_band)
        centre = fed_band.central_pct
        cards.append(
            local_card(
                "stance.fed.gap_to_neutral_central",
                "Fed midpoint vs neutral (centre)",
                value=None if centre is None else round(mid.value - centre, 10),
                unit="pp",
                obs_date=mid.obs_date,
                series=("us.fed.target_upper", "us.fed.target_lower"),
                reading=gap.summary(),
            )
        )
        fed_real = real_policy_rate_pct(
            fed_mid,
            inputs.series("us.core_pce"),
            asof,
            measure="US core PCE",
            inflation_max_age=inputs.limit("us.core_pce"),
        )
        cards.append(
            local_card(
                "stance.fed.real_rate",
                "Fed real policy rate",
                value=None if fed_real.real_rate_pct is None else round(fed_real.real_rate_pct, 10),
                unit="percent",
                obs_date=fed_real.inflation_obs_date,
                series=("us.fed.target_upper", "us.fed.target_lower", "us.core_pce"),
                reading=fed_real.summary(),
                reason=fed_real.reason,
            )
        )
        inflation = {
            "US core PCE": fed_real.inflation_pct,
            "Japan CPI less fresh food": boj_real.inflation_pct,
        }
    else:
        missing.append(f"Fed target range: {mid.reason if mid else 'not computed'}")
        inflation = {"Japan CPI less fresh food": boj_real.inflation_pct}
    path = None
    if boj_rate is not None:
        steps = moves_to_band(boj_rate, boj_band, step_bp=PATH_STEP_BP)
        cards.append(
            local_card(
                "stance.boj.moves_to_neutral",
                "BOJ 25 bp moves to neutral (low end)",
                value=float(steps),
                unit="count",
                obs_date=metrics.now["policy.boj.rate"].obs_date,
                series=("jp.boj.policy_rate",),
                reading=f"from {boj_rate:.2f}% to {boj_band.low_pct:.2f}%",
            )
        )
        path = projected_path(
            boj_rate,
            boj_band.low_pct,
            asof,
            cadence_months=PATH_CADENCE_MONTHS,
            step_bp=PATH_STEP_BP,
        )
        comparison = compare_paths(path, None)
        notes.append(
            f"Projected BOJ path: one {PATH_STEP_BP:.0f} bp hike every "
            f"{PATH_CADENCE_MONTHS} months "
            f"from {asof.isoformat()} to the low end of the neutral band; a scenario, not a "
            f"forecast. {comparison.summary()}."
        )
    else:
        missing.append(f"projected BOJ path: {metrics.now['policy.boj.rate'].reason}")
    known = ", ".join(f"{k} {v:+.2f}% y/y" for k, v in inflation.items() if v is not None)
    missing.append(
        "Taylor (1993) and balanced-approach rules not computed: they need an output gap, and "
        "no potential-output or output-gap series is in the catalog (us.gdp.real and "
        "jp.gdp.real are actual output)"
        + (f"; the inflation inputs exist ({known})" if known else "")
    )
    later = [b for b in (boj_band, fed_band) if b.as_of > asof]
    if later:
        notes.append(
            "The neutral bands are today's cited assumptions, not what was known on "
            f"{asof.isoformat()}: "
            + "; ".join(f"{b.bank} band as of {b.as_of.isoformat()}" for b in later)
            + "."
        )
    tables = [_bands_table(bands.values())]
    if path is not None:
        tables.append(
            Table(
                key="boj_path",
                title="Projected BOJ path",
                columns=("date", "policy rate, %"),
                rows=tuple(
                    (day.date().isoformat(), float(v))
                    for day, v in zip(pd.DatetimeIndex(path.index), path, strict=True)
                ),
                formats=("", ".2f"),
            )
        )
    figures = [_stance_figure(inputs, fed_mid, boj_band, fed_band, path)]
    return Section(
        key="stance",
        title="Stance against neutral and the projected path",
        reads=STANCE_READS,
        lede="How far each policy rate is from neutral, in nominal and real terms.",
        cards=tuple(cards),
        figures=tuple(figures),
        tables=tuple(tables),
        notes=tuple(notes),
        missing=missing_of(missing, cards),
    )


def _bands_table(bands: Iterable[NeutralBand]) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for band in bands:
        rows.append(
            (
                band.bank,
                band.low_pct,
                band.central_pct,
                band.high_pct,
                band.as_of.isoformat(),
                band.source,
            )
        )
    return Table(
        key="neutral_bands",
        title="Neutral bands (nominal, cited assumptions)",
        columns=("bank", "low, %", "centre, %", "high, %", "as of", "source"),
        rows=tuple(rows),
        formats=("", ".2f", ".2f", ".2f", "", ""),
        note="From carrywatch/analytics/neutral.toml; edit a copy to use other numbers.",
    )


def _stance_figure(
    inputs: BriefInputs,
    fed_mid: pd.Series | None,
    boj_band: NeutralBand,
    fed_band: NeutralBand,
    path: pd.Series | None,
) -> Figure:
    asof = inputs.asof
    start = window_start(asof)
    boj = charts.since(inputs.series("jp.boj.policy_rate"), start).dropna()
    in_force = inputs.latest("jp.boj.policy_rate")
    if in_force.value is not None and not boj.empty and boj.index[-1] < pd.Timestamp(asof):
        # The rate decided at the last meeting is in force until the next one (within the
        # 120-day event limit): drawn to the as-of date, and said so in the note.
        boj = pd.concat([boj, pd.Series([in_force.value], index=pd.DatetimeIndex([asof]))])
    rates = {"BOJ policy rate": boj}
    if fed_mid is not None:
        rates["Fed target midpoint"] = charts.weekly(charts.since(fed_mid, start))
    return figure(
        "stance",
        "Policy rates against neutral bands, with the projected BOJ path",
        charts.policy_vs_neutral_spec(
            rates,
            {
                "BOJ": (boj_band.low_pct, boj_band.high_pct),
                "Fed": (fed_band.low_pct, fed_band.high_pct),
            },
            path,
        ),
        inputs,
        ("jp.boj.policy_rate", "us.fed.target_upper", "us.fed.target_lower"),
        plotted=list(rates.values()),
        note=(
            f"Since {start.isoformat()}; the BOJ rate at each decision, drawn to the as-of date "
            "at the rate in force; the Fed midpoint weekly. Shaded: neutral bands "
            "(neutral.toml). Dashed: the projected BOJ path."
        ),
    )


# --- calendar -------------------------------------------------------------------------------


def calendar_section(inputs: BriefInputs, *, horizon_days: int = 200, recent: int = 3) -> Section:
    """Meetings in the ``horizon_days`` after the as-of date and the latest decisions."""
    asof = inputs.asof
    catalog = inputs.catalog
    meetings: list[FomcMeeting | BojMeeting] = [*catalog.fomc, *catalog.boj]
    ahead = sorted(
        (m for m in meetings if 0 < (m.date - asof).days <= horizon_days), key=lambda m: m.date
    )
    rows: list[tuple[Cell, ...]] = [
        (
            m.date.isoformat(),
            "FOMC" if isinstance(m, FomcMeeting) else "BOJ",
            m.start.isoformat() if m.start else None,
            m.kind,
            meeting_extra(m),
            (m.date - asof).days,
            m.source,
        )
        for m in ahead
    ]
    done: list[tuple[Cell, ...]] = []
    for bank, of_bank in (("FOMC", catalog.fomc), ("BOJ", catalog.boj)):
        held = [m for m in of_bank if m.decision is not None and m.date <= asof][-recent:]
        done.extend((m.date.isoformat(), bank, decision_text(m), m.source) for m in reversed(held))
    missing = [] if ahead else [f"no meeting in events.toml within {horizon_days} days of {asof}"]
    return Section(
        key="calendar",
        title="Upcoming meetings",
        reads=CALENDAR_READS,
        lede=(
            f"FOMC and BOJ meetings in the {horizon_days} days after {asof.isoformat()} "
            "(events.toml)."
        ),
        tables=(
            Table(
                key="upcoming",
                title="Next meetings",
                columns=(
                    "decision day",
                    "bank",
                    "first day",
                    "kind",
                    "with",
                    "days ahead",
                    "source",
                ),
                rows=tuple(rows),
                formats=("", "", "", "", "", "d", ""),
            ),
            Table(
                key="recent_decisions",
                title="Latest decisions",
                columns=("date", "bank", "decision", "source"),
                rows=tuple(done),
            ),
        ),
        missing=missing_of(missing),
    )


def _gaps(label: str, moves: Sequence[AssetMove], asof: date) -> list[str]:
    """The unobserved windows of one event, grouped: "(-1,+5) not observed by D: ..."."""
    grouped: dict[str, list[str]] = {}
    for move in moves:
        if move.change is not None:
            continue
        reason = move.move.reason or "not observed"
        if "reaches after its observations" in reason:
            why = f"{move.window.label} not observed by {asof.isoformat()}"
        else:
            why = reason  # day 0 not observed: the same for every window
        assets = grouped.setdefault(why, [])
        if move.asset not in assets:
            assets.append(move.asset)
    return [f"{label}, {why}: {', '.join(assets)}" for why, assets in grouped.items()]
