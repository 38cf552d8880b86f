"""Scenario sections of the brief: Japan's debt-service sensitivity to higher yields, and
what a narrower US-Japan spread could unwind of yen carry positions (see
:mod:`carrywatch.report.sections` for the conventions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, align_asof
from carrywatch.analytics.fiscal import (
    MOF_REFERENCE_STOCK_JPY_TN,
    MOF_SENSITIVITY_SOURCE,
    debt_service_increase,
)
from carrywatch.analytics.scenarios import (
    PositioningModel,
    UnwindAssumptions,
    UnwindScenario,
    fit_positioning_model,
    unwind_scenario,
)
from carrywatch.report import charts
from carrywatch.report.elements import (
    FX_IDS,
    MetricsAt,
    attempt,
    change_asof,
    figure,
    local_card,
    missing_of,
    spread10,
)
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.model import Card, Cell, Figure, Section, Table

__all__ = [
    "FISCAL_READS",
    "NARROWINGS_PP",
    "UNWIND_HORIZON_MONTHS",
    "UNWIND_PATHS",
    "UNWIND_READS",
    "fiscal_section",
    "unwind_section",
]

FISCAL_READS: Final = ("jp.jgb.10y",)
UNWIND_READS: Final = ("cftc.jpy.noncommercial_net", "us.ust.10y", "jp.jgb.10y", *FX_IDS)

#: The spread paths of the unwind scenarios: narrowing by this many pp ...
NARROWINGS_PP: Final = (0.5, 1.0, 1.5)
#: ... over this many months, each with this many Monte Carlo paths.
UNWIND_HORIZON_MONTHS: Final = 12
UNWIND_PATHS: Final = 10_000


# --- Japan's debt service -------------------------------------------------------------------


def fiscal_section(inputs: BriefInputs) -> Section:
    """Extra JGB interest in the three years after a rise in yields: the MOF's +1 pp and
    +2 pp, and the rise the JGB 10y actually had over the past twelve months."""
    asof = inputs.asof
    missing: list[str] = []
    scenarios: list[tuple[str, float]] = [("+1 pp (MOF case)", 1.0), ("+2 pp (MOF case)", 2.0)]
    jgb = inputs.series("jp.jgb.10y")
    limit = STALENESS_LIMITS["daily"]
    observed = change_asof(jgb, inputs, 365, limit)
    cards: list[Card] = []
    if observed is None:
        missing.append(
            f"jp.jgb.10y has no fresh value on {asof} or a year before: no observed-rise case"
        )
    else:
        observed = round(observed, 10)
        scenarios.append((f"JGB 10y 12-month change ({observed:+.2f} pp)", observed))
    results = [
        (name, debt_service_increase(MOF_REFERENCE_STOCK_JPY_TN, rise)) for name, rise in scenarios
    ]
    if observed is not None:
        extra = results[-1][1].extra_interest_jpy_tn
        cards.append(
            local_card(
                "fiscal.jgb10y_change_12m",
                "JGB 10y, 12-month change",
                value=observed,
                unit="pp",
                obs_date=inputs.latest("jp.jgb.10y").obs_date,
                series=("jp.jgb.10y",),
                reading=f"if every yield rose as much: +JPY {extra[0]:.1f} tn in year 1, "
                f"{extra[-1]:.1f} tn in year {len(extra)}",
            )
        )
    one = results[0][1].extra_interest_jpy_tn
    cards.append(
        local_card(
            "fiscal.extra_debt_service_1pp_y3",
            "Extra debt service, +1 pp, year 3",
            value=round(one[-1], 10),
            unit="jpy_tn",
            obs_date=None,
            series=(),
            reading=(
                f"JPY {one[0]:.1f} / {one[1]:.1f} / {one[2]:.1f} tn in years 1-3 (MOF sensitivity)"
            ),
        )
    )
    rows: list[tuple[Cell, ...]] = [
        (name, r.rate_rise_pp, *(round(x, 6) for x in r.extra_interest_jpy_tn))
        for name, r in results
    ]
    years = len(results[0][1].extra_interest_jpy_tn)
    table = Table(
        key="debt_service",
        title="Extra interest on Japan's ordinary JGBs after a parallel rise in yields",
        columns=("scenario", "rise, pp", *(f"year {k}, JPY tn" for k in range(1, years + 1))),
        rows=tuple(rows),
        # To 0.1 tn, MOF's own precision: the shares are fitted to its rounded figures.
        formats=("", "+.2f", *(".1f" for _ in range(years))),
        sources=(MOF_SENSITIVITY_SOURCE,),
    )
    fig = figure(
        "debt_service",
        "Japan's extra debt service by year after a rise in yields",
        charts.debt_service_spec([(name, r.extra_interest_jpy_tn) for name, r in results]),
        inputs,
        FISCAL_READS,
        plotted=[jgb] if observed is not None else [],
        note=(
            f"Stock: JPY {MOF_REFERENCE_STOCK_JPY_TN:,.0f} tn of ordinary JGBs (end FY2021); "
            "the share repriced each year is implied by the MOF estimate; linear in the rise."
        ),
        extra_sources=("Ministry of Finance, Japan (後年度影響試算, January 2023)",),
    )
    return Section(
        key="fiscal",
        title="Japan's debt-service sensitivity",
        reads=FISCAL_READS,
        lede=(
            "What higher yields add to the Japanese government's interest bill in the "
            "following years."
        ),
        cards=tuple(cards),
        figures=(fig,),
        tables=(table,),
        notes=(
            "Assumptions: " + results[0][1].assumptions,
            "The observed-rise case applies the 10-year yield's 12-month change to the whole "
            "curve (a parallel shift) and holds it: a yardstick, not a forecast.",
        ),
        missing=missing_of(missing),
    )


# --- unwind scenarios -----------------------------------------------------------------------


def unwind_section(inputs: BriefInputs, metrics: MetricsAt, *, seed: int) -> Section:
    """The positioning model (CFTC net yen on the 10y spread) and what narrowing the spread
    by :data:`NARROWINGS_PP` over :data:`UNWIND_HORIZON_MONTHS` months implies, with
    Monte Carlo bands from a fresh ``numpy.random.default_rng(seed)`` per scenario."""
    missing: list[str] = []
    net = inputs.series("cftc.jpy.noncommercial_net")
    spread = attempt(lambda: spread10(inputs), missing)
    model = None if spread is None else attempt(lambda: fit_positioning_model(net, spread), missing)
    current = metrics.now["spread.us_jp.10y"]
    fx = metrics.now["fx.usdjpy"]
    for metric in (current, fx):
        if metric.value is None:
            missing.append(f"{metric.key}: {metric.reason}")
    if model is None or spread is None or current.value is None or fx.value is None:
        return Section(
            key="unwind",
            title="Unwind scenarios",
            reads=UNWIND_READS,
            lede="No scenario: an input is missing.",
            missing=missing_of(missing),
        )
    assumptions = UnwindAssumptions()
    scenarios = [
        unwind_scenario(
            model,
            current.value,
            current.value - narrowing,
            UNWIND_HORIZON_MONTHS,
            assumptions,
            usdjpy=fx.value,
            n_paths=UNWIND_PATHS,
            rng=np.random.default_rng(seed),
        )
        for narrowing in NARROWINGS_PP
    ]
    if scenarios[0].missing:
        missing.append(scenarios[0].missing)
    cards = _model_cards(model)
    return Section(
        key="unwind",
        title="Unwind scenarios",
        reads=UNWIND_READS,
        lede=(
            f"If the US-Japan 10y spread narrows from {current.value:.2f} pp over "
            f"{UNWIND_HORIZON_MONTHS} months, how much yen carry could be unwound, by a "
            "descriptive model of how positioning and the spread have moved together."
        ),
        cards=tuple(cards),
        figures=(_fit_figure(inputs, net, spread, model),),
        tables=(_scenario_table(scenarios),),
        notes=(
            *scenarios[0].notes,
            f"Monte Carlo: {UNWIND_PATHS:,} paths per scenario, seed {seed} "
            "(numpy default_rng, a fresh generator per scenario); bands are the 5th and 95th "
            "percentiles.",
        ),
        missing=missing_of(missing),
    )


def _model_cards(model: PositioningModel) -> list[Card]:
    sids = (model.net_series_id, "us.ust.10y", "jp.jgb.10y")
    cards = [
        local_card(
            "unwind.model.slope",
            "Net yen position per pp of spread",
            value=round(model.spread_coef_contracts_per_pp, 6),
            unit="contracts",
            obs_date=model.sample_end,
            series=sids,
            reading=f"HAC se {model.spread_se_contracts_per_pp:,.0f}, R2 {model.r_squared:.2f}, "
            f"{model.n_obs} weeks {model.sample_start}..{model.sample_end}",
        )
    ]
    if model.peak_net_short_contracts is not None:
        cards.append(
            local_card(
                "unwind.model.peak_short",
                "Peak net short (scale)",
                value=round(-model.peak_net_short_contracts, 6),
                unit="contracts",
                obs_date=model.peak_net_short_date,
                series=(model.net_series_id,),
                reading=(
                    "the positioning scale: a change of this size unwinds the whole carry stock"
                ),
            )
        )
    return cards


def _scenario_table(scenarios: list[UnwindScenario]) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for s in scenarios:
        band = s.net_change_band_contracts
        unwind = s.unwind_band_usd_bn
        rows.append(
            (
                f"{s.spread_change_pp:+.2f} pp in {s.months} months",
                round(s.target_spread_pp, 6),
                round(s.net_change_contracts, 6),
                f"{band.p5:+,.0f} .. {band.p95:+,.0f}",
                round(s.net_change_usd_bn, 6),
                None if s.unwind_usd_bn is None else round(s.unwind_usd_bn, 6),
                None if unwind is None else f"{unwind.p5:+,.0f} .. {unwind.p95:+,.0f}",
            )
        )
    return Table(
        key="unwind_scenarios",
        title="Spread paths and the positioning change they imply",
        columns=(
            "spread path",
            "target spread, pp",
            "net yen change, contracts",
            "90% band",
            "futures notional, USD bn",
            "carry unwound, USD bn",
            "90% band, USD bn",
        ),
        rows=tuple(rows),
        formats=("", ".2f", "+,.0f", "", "+.1f", "+.0f", ""),
        note=(
            "Positive: speculators buy yen (carry unwound). The carry unwound scales the "
            "stated carry stock by the change over the positioning scale, clipped to the stock."
        ),
    )


def _fit_figure(
    inputs: BriefInputs, net: pd.Series, spread: pd.Series, model: PositioningModel
) -> Figure:
    reports = net.dropna()
    on_reports = align_asof(spread, pd.DatetimeIndex(reports.index), timedelta(days=7))
    keep = on_reports.notna().to_numpy()
    xs = on_reports.to_numpy()[keep].tolist()
    ys = reports.to_numpy()[keep].tolist()
    days = charts.iso_dates(reports.index[keep])
    spec = charts.positioning_fit_spec(
        xs, ys, days, intercept=model.intercept_contracts, slope=model.spread_coef_contracts_per_pp
    )
    return figure(
        "positioning_fit",
        "CFTC net yen position against the 10y spread, with the fitted line",
        spec,
        inputs,
        ("cftc.jpy.noncommercial_net", "us.ust.10y", "jp.jgb.10y"),
        plotted=[reports],
        note=(
            "One point per weekly report; the spread is the latest within 7 days of the report "
            "date. OLS with Newey-West errors: co-movement, not cause."
        ),
    )
