"""Market sections of the brief: rates and spreads, carry and hedged yields, liquidity,
flows and positioning (see :mod:`carrywatch.report.sections` for the conventions)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, align_asof, latest_asof
from carrywatch.analytics.carry import (
    DrawdownEpisode,
    carry_return_index,
    drawdowns,
    max_drawdown,
)
from carrywatch.analytics.flows import positioning, tic_holdings
from carrywatch.analytics.hedging import (
    ASSUMED_BASIS_BP,
    ASSUMED_BASIS_SOURCE,
    HEDGE_TENOR_MONTHS,
    hedged_yield_history,
)
from carrywatch.analytics.liquidity import liquidity_asof, net_liquidity_usd_bn
from carrywatch.analytics.spreads import policy_spread_pp, rolling_correlation, spread_pp
from carrywatch.analytics.units import to_usd_bn
from carrywatch.errors import AnalyticsError
from carrywatch.report import charts
from carrywatch.report.elements import (
    FX_IDS,
    JP_SHORT_IDS,
    RANK_START,
    MetricsAt,
    attempt,
    change_asof,
    figure,
    hedged_reading,
    liquidity_reading,
    local_card,
    metric_card,
    missing_of,
    positioning_reading,
    safe_rank,
    spread10,
    window_start,
)
from carrywatch.report.formats import change_text, value_text
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.model import Card, Cell, Figure, Section, Table
from carrywatch.report.readings import level_reading

__all__ = [
    "CARRY_READS",
    "FLOWS_READS",
    "LIQUIDITY_READS",
    "RATES_READS",
    "carry_section",
    "flows_section",
    "liquidity_section",
    "rates_section",
]

RATES_READS: Final = (
    "us.ust.2y",
    "us.ust.10y",
    "jp.jgb.2y",
    "jp.jgb.10y",
    "us.fed.target_upper",
    "us.fed.target_lower",
    "jp.boj.policy_rate",
    *FX_IDS,
)
CARRY_READS: Final = ("us.ust.3m", *JP_SHORT_IDS, *FX_IDS, "us.ust.10y", "jp.jgb.10y")
LIQUIDITY_READS: Final = (
    "us.fed.assets",
    "us.tga",
    "us.tga.weekly",
    "us.rrp",
    "us.m2",
    "us.nasdaq",
    "crypto.btcusd",
    "crypto.btcusd.yahoo",
)
FLOWS_READS: Final = (
    "tic.japan.holdings",
    "tic.total.holdings",
    "cftc.jpy.noncommercial_net",
    *FX_IDS,
)


# --- rates and spreads ----------------------------------------------------------------------


def rates_section(inputs: BriefInputs, metrics: MetricsAt) -> Section:
    """Yields, spreads and the policy spread, each with its changes and rank in history."""
    asof = inputs.asof
    daily = STALENESS_LIMITS["daily"]
    missing: list[str] = []
    fx_id = inputs.first_fresh(FX_IDS)
    fx = inputs.series(fx_id)
    s10 = attempt(lambda: spread10(inputs), missing)
    s2 = attempt(
        lambda: spread_pp(inputs.series("us.ust.2y"), inputs.series("jp.jgb.2y"), max_age=daily),
        missing,
    )
    policy = attempt(
        lambda: policy_spread_pp(
            inputs.series("us.fed.target_upper"),
            inputs.series("us.fed.target_lower"),
            inputs.series("jp.boj.policy_rate"),
        ),
        missing,
    )
    lines: list[tuple[str, pd.Series | None, str, tuple[str, ...]]] = [
        ("UST 2y", inputs.series("us.ust.2y"), "percent", ("us.ust.2y",)),
        ("UST 10y", inputs.series("us.ust.10y"), "percent", ("us.ust.10y",)),
        ("JGB 2y", inputs.series("jp.jgb.2y"), "percent", ("jp.jgb.2y",)),
        ("JGB 10y", inputs.series("jp.jgb.10y"), "percent", ("jp.jgb.10y",)),
        ("US-Japan 2y spread", s2, "pp", ("us.ust.2y", "jp.jgb.2y")),
        ("US-Japan 10y spread", s10, "pp", ("us.ust.10y", "jp.jgb.10y")),
        (
            "Policy spread (Fed midpoint - BOJ)",
            policy,
            "pp",
            ("us.fed.target_upper", "us.fed.target_lower", "jp.boj.policy_rate"),
        ),
        ("USD/JPY", fx, "jpy_per_usd", (fx_id,)),
    ]
    rows: list[tuple[Cell, ...]] = []
    classes = []
    for label, series, unit, sids in lines:
        found = None if series is None else latest_asof(series, asof, daily)
        if series is None or found is None or found.value is None:
            why = "cannot be computed" if found is None else found.reason
            rows.append((label, None, None, None, None, None, None, why, ", ".join(sids)))
            classes.append("missing")
            missing.append(f"{label}: {why}")
            continue
        rank = safe_rank(series, asof, daily)
        rows.append(
            (
                label,
                value_text(found.value, unit),
                found.obs_date.isoformat() if found.obs_date else None,
                change_text(change_asof(series, inputs, 7, daily), unit),
                change_text(change_asof(series, inputs, 30, daily), unit),
                None if rank is None else round(rank.percentile),
                None if rank is None or rank.zscore is None else round(rank.zscore, 2),
                "" if rank is None else rank.statement,
                ", ".join(sids),
            )
        )
        classes.append("")
    table = Table(
        key="rates_rank",
        title="Rates and spreads with their rank in history",
        columns=("", "latest", "obs_date", "1w", "1m", "percentile", "z", "since", "series"),
        rows=tuple(rows),
        formats=("", "", "", "", "", ".0f", "+.2f", "", ""),
        note=(
            f"Percentile and z-score over the daily history since {RANK_START.isoformat()}; "
            '"lowest/highest since" over the whole stored history. Spreads are US minus '
            "Japan on US dates, the Japanese leg the latest within 7 days (BOJ decisions: 120)."
        ),
    )
    cards = [
        metric_card("spread.us_jp.10y", metrics, _reading_or_blank(s10, asof)),
        metric_card("spread.us_jp.2y", metrics, _reading_or_blank(s2, asof)),
    ]
    corr_reading, corr_value, corr_date = "", None, None
    if s10 is not None:
        corr = attempt(lambda: rolling_correlation(s10, fx, window=60).dropna(), missing)
        if corr is not None and not corr.empty:
            at = latest_asof(corr, asof, daily)
            corr_value, corr_date = at.value, at.obs_date
            corr_reading = "60 business days of daily changes, 10y spread vs USD/JPY"
    cards.append(
        local_card(
            "corr.spread10_usdjpy.60d",
            "Correlation, spread vs USD/JPY",
            value=None if corr_value is None else round(corr_value, 4),
            unit="correlation",
            obs_date=corr_date,
            series=("us.ust.10y", "jp.jgb.10y", fx_id),
            reading=corr_reading,
            reason=None if corr_value is not None else "not enough common observations",
        )
    )
    figures = []
    start = window_start(asof)
    if s10 is not None:
        s10w, fxw = charts.weekly(charts.since(s10, start)), charts.weekly(charts.since(fx, start))
        figures.append(
            figure(
                "spread_vs_usdjpy",
                "US-Japan 10y spread against USD/JPY",
                charts.spread_vs_usdjpy_spec(s10w, fxw, fx_name=fx_id),
                inputs,
                ("us.ust.10y", "jp.jgb.10y", fx_id),
                plotted=[s10w, fxw],
                note=f"Weekly (last observation of each week) since {start.isoformat()}.",
            )
        )
        history = s10.loc[pd.Timestamp(RANK_START) :].dropna()
        latest = latest_asof(s10, asof, daily)
        if not history.empty and latest.value is not None:
            bands = {p: float(np.percentile(history.to_numpy(), p)) for p in (10, 50, 90)}
            hw = charts.weekly(history)
            figures.append(
                figure(
                    "spread_history",
                    "10y spread in its history, with the 10th-90th percentile band",
                    charts.spread_history_spec(hw, bands, current=latest.value),
                    inputs,
                    ("us.ust.10y", "jp.jgb.10y"),
                    plotted=[hw],
                    note=(
                        f"Weekly since {RANK_START.isoformat()}; percentiles of the daily spread "
                        "over the same period; the red dot is the latest value."
                    ),
                )
            )
    return Section(
        key="rates",
        title="Rates and spreads",
        reads=RATES_READS,
        lede="Where yields and the US-Japan spreads stand, and how far they have moved.",
        cards=tuple(cards),
        figures=tuple(figures),
        tables=(table,),
        missing=missing_of(missing),
    )


def _reading_or_blank(series: pd.Series | None, asof: date) -> str:
    """The spread's most notable statement (:func:`level_reading`), or nothing."""
    if series is None:
        return ""
    try:
        return level_reading(series, asof, "pp", STALENESS_LIMITS["daily"])
    except (AnalyticsError, ValueError):
        return ""


# --- carry and hedged yields ----------------------------------------------------------------


def carry_section(inputs: BriefInputs, metrics: MetricsAt) -> Section:
    """The carry, its risk, the carry index with its drawdowns, and FX-hedged yields."""
    asof = inputs.asof
    missing: list[str] = []
    notes: list[str] = []
    fx_id = inputs.first_fresh(FX_IDS)
    jp_id = inputs.first_fresh(JP_SHORT_IDS)
    fx, us3m, jp = inputs.series(fx_id), inputs.series("us.ust.3m"), inputs.series(jp_id)
    start = window_start(asof)
    index = _carry_index(
        fx.loc[pd.Timestamp(start) :],
        us3m=us3m,
        jp=jp,
        inputs=inputs,
        jp_id=jp_id,
        notes=notes,
        missing=missing,
    )
    cards = [
        metric_card("carry.usdjpy.differential", metrics, f"us.ust.3m - {jp_id}"),
        metric_card(
            "carry.usdjpy.realized_vol", metrics, "annualized, 63 trading days of log returns"
        ),
        metric_card("carry.usdjpy.carry_to_vol", metrics, "carry per unit of FX risk"),
        metric_card(
            "hedged.ust10y_jpy_investor",
            metrics,
            f"UST 10y - 3-month hedge cost (parity on 3m bill and yen rate, basis "
            f"{ASSUMED_BASIS_BP:g} bp)",
        ),
        metric_card("hedged.pickup_vs_jgb10y", metrics, hedged_reading(metrics.now)),
    ]
    figures = []
    if index is not None:
        ids = (fx_id, "us.ust.3m", jp_id)
        year = attempt(lambda: max_drawdown(index, start=asof - timedelta(days=365)), missing)
        if year is not None:
            cards.append(_drawdown_card(year, ids))
        figures.append(_carry_figure(inputs, index, year, ids))
    hedged = attempt(
        lambda: hedged_yield_history(
            inputs.series("us.ust.10y"),
            inputs.series("jp.jgb.10y"),
            us3m,
            jp,
            jp_short_max_age=inputs.limit(jp_id),
        ),
        missing,
    )
    if hedged is not None:
        ust = charts.weekly(charts.since(inputs.series("us.ust.10y"), start))
        hy = charts.weekly(charts.since(hedged["hedged_yield_pct"], start))
        jgb = charts.weekly(charts.since(inputs.series("jp.jgb.10y"), start))
        figures.append(
            figure(
                "hedged_yields",
                "UST 10y hedged into yen against the JGB 10y",
                charts.hedged_yields_spec(ust, hy, jgb),
                inputs,
                ("us.ust.10y", "jp.jgb.10y", "us.ust.3m", jp_id),
                plotted=[ust, jgb],
                note=(
                    f"Weekly since {start.isoformat()}; {HEDGE_TENOR_MONTHS}-month hedge priced "
                    f"by covered interest parity on us.ust.3m and {jp_id}, basis "
                    f"{ASSUMED_BASIS_BP:g} bp."
                ),
            )
        )
    notes.append(
        f"Hedge cost: a rolling {HEDGE_TENOR_MONTHS}-month FX hedge priced by covered interest "
        "parity on the 3-month bill (bond-equivalent, restated ACT/360) and the yen short rate "
        "(ACT/365), annualized ACT/360, plus a cross-currency basis. No FX-forward or basis "
        f"series is stored, so the basis is an assumption: {ASSUMED_BASIS_SOURCE}. A negative "
        "basis raises the cost; the press's hedged yields differ from this one by up to about "
        "0.3 pp as the real basis moves."
    )
    if jp_id != "jp.boj.call_rate":
        notes.append(
            "Yen leg: the BOJ policy-rate target in force (jp.boj.policy_rate); the store has no "
            "fresh daily call rate (jp.boj.call_rate)."
        )
    return Section(
        key="carry",
        title="Carry and hedged yields",
        reads=CARRY_READS,
        lede="What the yen carry trade pays, what it risks, and what a hedged yen investor earns.",
        cards=tuple(cards),
        figures=tuple(figures),
        notes=tuple(notes),
        missing=missing_of(missing, cards),
    )


def _drawdown_card(year: DrawdownEpisode, ids: tuple[str, ...]) -> Card:
    recovered = f"recovered {year.recovery_date}" if year.recovery_date else "not recovered"
    return local_card(
        "carry.index.max_drawdown_1y",
        "Carry index, deepest drawdown in 12 months",
        value=round(year.depth_pct, 6),
        unit="percent",
        obs_date=year.trough_date,
        series=ids,
        reading=f"from {year.peak_date} to {year.trough_date}; {recovered}",
    )


def _carry_figure(
    inputs: BriefInputs, index: pd.Series, year: DrawdownEpisode | None, ids: tuple[str, ...]
) -> Figure:
    dd_pct = drawdowns(index) * 100.0
    iw, dw = charts.weekly(index), charts.weekly(dd_pct)
    shaded = (
        ""
        if year is None
        else (
            f" Shaded: the deepest drawdown of the last 12 months, {year.depth_pct:.1f}% "
            f"from {year.peak_date} to {year.trough_date}."
        )
    )
    return figure(
        "carry_index",
        "Yen carry index (long USD, short JPY) and its drawdowns",
        charts.carry_index_spec(
            iw,
            dw,
            peak=None if year is None else year.peak_date,
            trough=None if year is None else year.trough_date,
        ),
        inputs,
        ids,
        plotted=[index],
        note=(
            f"Daily index (100 on {index.index[0].date()}), plotted weekly; drawdown: percent "
            f"below the running high.{shaded}"
        ),
    )


def _carry_index(
    fx: pd.Series,
    *,
    us3m: pd.Series,
    jp: pd.Series,
    inputs: BriefInputs,
    jp_id: str,
    notes: list[str],
    missing: list[str],
) -> pd.Series | None:
    """The carry index over the last stretch of ``fx`` dates on which both rates are known
    (it cannot be chained across a gap); the cut is stated in ``notes``."""
    fx = fx.dropna()
    if len(fx) < 2:
        missing.append(f"{fx.name}: fewer than two observations for the carry index")
        return None
    dates = pd.DatetimeIndex(fx.index)
    us_on = align_asof(us3m, dates, STALENESS_LIMITS["daily"]).to_numpy()
    jp_on = align_asof(jp, dates, inputs.limit(jp_id)).to_numpy()
    known = np.isfinite(us_on) & np.isfinite(jp_on)
    if not known.any():
        missing.append(f"carry index: no {fx.name} date has both us.ust.3m and {jp_id}")
        return None
    last = int(np.flatnonzero(known)[-1])
    gaps = np.flatnonzero(~known[: last + 1])
    first = int(gaps[-1]) + 1 if gaps.size else 0
    if last < len(dates) - 1:
        notes.append(
            f"The carry index ends {dates[last].date()}: after it a rate input is stale "
            f"({jp_id} or us.ust.3m)."
        )
    if first > 0:
        notes.append(
            f"The carry index starts {dates[first].date()}, after a gap in its rate inputs."
        )
    window = fx.iloc[first : last + 1]
    return attempt(
        lambda: carry_return_index(window, us3m, jp, jp_max_age=inputs.limit(jp_id)), missing
    )


# --- liquidity ------------------------------------------------------------------------------


def liquidity_section(inputs: BriefInputs, metrics: MetricsAt) -> Section:
    """Dollar liquidity (Fed assets - TGA - ON RRP), the QT pace and M2, against risk assets."""
    asof = inputs.asof
    missing: list[str] = []
    catalog = inputs.catalog
    assets = inputs.series("us.fed.assets")
    snap = liquidity_asof(
        assets,
        inputs.series("us.tga"),
        inputs.series("us.rrp"),
        asof,
        m2=inputs.series("us.m2"),
        max_age={
            key: inputs.limit(sid)
            for key, sid in (
                ("assets", "us.fed.assets"),
                ("tga", "us.tga"),
                ("rrp", "us.rrp"),
                ("m2", "us.m2"),
            )
        },
        assets_unit=catalog.spec("us.fed.assets").unit,
        tga_unit=catalog.spec("us.tga").unit,
        rrp_unit=catalog.spec("us.rrp").unit,
    )
    cards = [
        metric_card("liquidity.net", metrics, liquidity_reading(metrics.now)),
        metric_card("liquidity.fed_assets", metrics, "H.4.1 total assets, Wednesday level"),
        metric_card("liquidity.tga", metrics, "Treasury cash at the Fed"),
        metric_card("liquidity.rrp", metrics, "overnight reverse repos"),
        metric_card("liquidity.m2_yoy", metrics, "broad money, 12-month change"),
        local_card(
            "liquidity.qt_pace",
            "Balance-sheet pace, 3 months",
            value=None
            if snap.qt_pace_usd_bn_per_month is None
            else round(snap.qt_pace_usd_bn_per_month, 6),
            unit="usd_bn_per_month",
            obs_date=snap.assets_obs_date,
            series=("us.fed.assets",),
            reading="average monthly change of Fed assets (negative: runoff)",
            reason=None
            if snap.qt_pace_usd_bn_per_month is not None
            else "; ".join(r for r in snap.reasons if "us.fed.assets" in r) or None,
        ),
    ]
    net = attempt(lambda: _net_liquidity_history(inputs), missing)
    figures = []
    start = window_start(asof, 6)
    btc_id = inputs.first_fresh(("crypto.btcusd", "crypto.btcusd.yahoo"))
    if net is not None:
        netw = charts.since(net.dropna(), start)
        nasdaq = charts.weekly(charts.since(inputs.series("us.nasdaq"), start))
        btc = charts.weekly(charts.since(inputs.series(btc_id), start))
        figures.append(
            figure(
                "liquidity_vs_risk",
                "Net liquidity against the Nasdaq and Bitcoin",
                charts.liquidity_spec(
                    netw, {"Nasdaq Composite": nasdaq, f"Bitcoin ({btc_id})": btc}
                ),
                inputs,
                ("us.fed.assets", "us.tga", "us.tga.weekly", "us.rrp", "us.nasdaq", btc_id),
                plotted=[netw, nasdaq, btc],
                note=(
                    f"Since {start.isoformat()}. Net liquidity on the Wednesdays of WALCL, each "
                    "component the latest within its limit; TGA from the weekly H.4.1 series "
                    "before the first daily Treasury statement stored, daily after. Nasdaq and "
                    "Bitcoin weekly, rebased to 100 at the start, log scale."
                ),
            )
        )
    return Section(
        key="liquidity",
        title="Liquidity",
        reads=LIQUIDITY_READS,
        lede=(
            "Dollar liquidity left to markets once the Treasury's cash and the ON RRP are "
            "netted out."
        ),
        cards=tuple(cards),
        figures=tuple(figures),
        notes=("Net liquidity is a market convention, not an official statistic.",),
        missing=missing_of(missing, cards),
    )


def _net_liquidity_history(inputs: BriefInputs) -> pd.Series:
    """Net liquidity on WALCL dates, TGA weekly before the first daily observation."""
    catalog = inputs.catalog
    daily = to_usd_bn(inputs.series("us.tga").dropna(), catalog.spec("us.tga").unit)
    weekly_tga = to_usd_bn(
        inputs.series("us.tga.weekly").dropna(), catalog.spec("us.tga.weekly").unit
    )
    if not daily.empty:
        weekly_tga = weekly_tga.loc[weekly_tga.index < daily.index[0]]
    tga = pd.concat([weekly_tga, daily]).sort_index().rename("us.tga")
    return net_liquidity_usd_bn(
        inputs.series("us.fed.assets"),
        tga,
        inputs.series("us.rrp"),
        assets_unit=catalog.spec("us.fed.assets").unit,
        tga_unit="usd_bn",
        rrp_unit=catalog.spec("us.rrp").unit,
        max_age={"tga": STALENESS_LIMITS["weekly"]},
    )


# --- flows and positioning ------------------------------------------------------------------


def flows_section(inputs: BriefInputs, metrics: MetricsAt) -> Section:
    """Japan's US Treasury holdings (TIC) and speculative yen positioning (CFTC)."""
    asof = inputs.asof
    missing: list[str] = []
    fx_id = inputs.first_fresh(FX_IDS)
    fx = inputs.series(fx_id)
    cards: list[Card] = []
    tic = attempt(
        lambda: tic_holdings(
            inputs.series("tic.japan.holdings"),
            inputs.series("tic.total.holdings"),
            asof,
            max_age=inputs.limit("tic.japan.holdings"),
        ),
        missing,
    )
    tic_reading = ""
    if tic is not None:
        bits = []
        if tic.change_1m_usd_bn is not None:
            bits.append(f"{tic.change_1m_usd_bn:+,.1f} bn m/m")
        if tic.change_12m_usd_bn is not None:
            bits.append(f"{tic.change_12m_usd_bn:+,.1f} bn y/y")
        if tic.share_of_foreign_pct is not None:
            bits.append(f"{tic.share_of_foreign_pct:.1f}% of foreign holdings")
        tic_reading = ", ".join(bits) + " (market values: a change mixes flows and prices)"
        missing.extend(tic.reasons)
    cards.append(metric_card("flows.tic.japan_holdings", metrics, tic_reading))
    net = inputs.series("cftc.jpy.noncommercial_net")
    pos = attempt(
        lambda: positioning(
            net, asof, usdjpy=fx, max_age=inputs.limit("cftc.jpy.noncommercial_net")
        ),
        missing,
    )
    pos_reading = ""
    if pos is not None:
        pos_reading = positioning_reading(inputs)
        if pos.zscore is not None:
            pos_reading += f", z {pos.zscore:+.2f}"
        missing.extend(r for r in pos.reasons if "window holds" not in r)
    cards.append(metric_card("positioning.cftc.jpy_net", metrics, pos_reading))
    if pos is not None:
        cards.append(
            local_card(
                "positioning.cftc.jpy_notional",
                "CFTC net yen, notional",
                value=None if pos.notional_usd_bn is None else round(pos.notional_usd_bn, 6),
                unit="usd_bn",
                obs_date=pos.obs_date,
                series=("cftc.jpy.noncommercial_net", fx_id),
                reading="contracts x JPY 12.5m at USD/JPY of the report date"
                + (
                    f"; {pos.change_1w_contracts:+,.0f} contracts w/w"
                    if pos.change_1w_contracts is not None
                    else ""
                ),
                reason=None if pos.notional_usd_bn is not None else "no USD/JPY on the report date",
            )
        )
    figures = []
    if not net.dropna().empty:
        fxw = charts.weekly(charts.since(fx, net.dropna().index[0].date()))
        figures.append(
            figure(
                "cftc_positioning",
                "CFTC speculative net yen futures",
                charts.cftc_positioning_spec(net.dropna(), fxw, fx_name=fx_id),
                inputs,
                ("cftc.jpy.noncommercial_net", fx_id),
                plotted=[net],
                note=(
                    "Weekly Commitments of Traders (legacy, futures only, CME yen, non-commercial "
                    "long minus short), dated the Tuesday of the positions; USD/JPY weekly."
                ),
            )
        )
    start = window_start(asof)
    holdings = charts.since(inputs.series("tic.japan.holdings"), start).dropna()
    figures.append(
        figure(
            "tic_japan",
            "Japan's holdings of US Treasuries",
            charts.tic_holdings_spec(holdings),
            inputs,
            ("tic.japan.holdings",),
            plotted=[holdings],
            note=f"End of month, market value, since {start.isoformat()} (TIC table MFH).",
        )
    )
    return Section(
        key="flows",
        title="Flows and positioning",
        reads=FLOWS_READS,
        lede="Who holds the carry: Japan's Treasury holdings and speculators' yen futures.",
        cards=tuple(cards),
        figures=tuple(figures),
        missing=missing_of(missing),
    )
