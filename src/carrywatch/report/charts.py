"""Plotly figure specs for the brief: plain dicts (``{"data", "layout"}``), JSON-stable.

Each function takes analysed series and returns a spec built with
``plotly.graph_objects`` and converted with ``to_plotly_json()``: dates are ISO strings,
values floats rounded to 6 decimals, gaps ``None`` (never NaN), so the same inputs give
the same JSON. Long daily histories are thinned with :func:`weekly` (the last
observation of each week, at its own date, so no point is dated after the data) and cut
with :func:`since`; the section that uses a chart says so in the figure's note.

A chart with nothing to draw is :func:`empty_spec`: no trace, an annotation with the
reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final, cast

import pandas as pd
import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no type information
from plotly.subplots import make_subplots  # type: ignore[import-untyped]  # idem

__all__ = [
    "carry_index_spec",
    "cftc_positioning_spec",
    "debt_service_spec",
    "empty_spec",
    "event_moves_spec",
    "hedged_yields_spec",
    "iso_dates",
    "liquidity_spec",
    "odds_by_meeting_spec",
    "policy_vs_neutral_spec",
    "positioning_fit_spec",
    "since",
    "spread_history_spec",
    "spread_vs_usdjpy_spec",
    "tic_holdings_spec",
    "values",
    "weekly",
]

Spec = dict[str, Any]

#: Desk palette: dollar side, yen side, and neutral tones.
NAVY: Final = "#1f3a5f"
RED: Final = "#b03a2e"
TEAL: Final = "#12806a"
AMBER: Final = "#c47f00"
PURPLE: Final = "#6a4c93"
GREY: Final = "#8a9099"
GRID: Final = "#e6e8eb"
FONT: Final = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


# --- data helpers ---------------------------------------------------------------------------


def iso_dates(index: pd.Index) -> list[str]:
    """``YYYY-MM-DD`` strings of a DatetimeIndex."""
    return [ts.strftime("%Y-%m-%d") for ts in pd.DatetimeIndex(index)]


def values(series: pd.Series | Sequence[float]) -> list[float | None]:
    """Floats rounded to 6 decimals, ``None`` for NaN or infinities."""
    out: list[float | None] = []
    for v in list(series):
        x = float(v)
        out.append(round(x, 6) if math.isfinite(x) else None)
    return out


def since(series: pd.Series, start: date) -> pd.Series:
    """``series`` from ``start`` on (inclusive)."""
    return series.loc[pd.Timestamp(start) :]


def weekly(series: pd.Series) -> pd.Series:
    """The last observation of each week (weeks ending Friday), kept at its own date.

    A resample would date each point at the week's end, possibly after the as-of date;
    this keeps the real obs_date, so the last point is the latest observation.
    """
    clean = series.dropna().sort_index()
    if clean.empty:
        return clean
    weeks = pd.DatetimeIndex(clean.index).to_period("W-FRI")
    return clean[~weeks.duplicated(keep="last")]


# --- layout ---------------------------------------------------------------------------------


def _axis(title: str = "", **extra: Any) -> dict[str, Any]:
    axis: dict[str, Any] = {
        "title": {"text": title, "font": {"size": 11}},
        "gridcolor": GRID,
        "zerolinecolor": "#c9cdd2",
        "linecolor": "#c9cdd2",
        "tickfont": {"size": 11},
        "automargin": True,
    }
    axis.update(extra)
    return axis


def _layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": "none",
        "height": 340,
        "margin": {"l": 56, "r": 56, "t": 28, "b": 40},
        "font": {"family": FONT, "size": 12, "color": "#1d232b"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "x unified",
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": 1.02,
            "yanchor": "bottom",
            "font": {"size": 11},
        },
        "xaxis": _axis(),
        "yaxis": _axis(),
    }
    layout.update(extra)
    return layout


def _spec(figure: Any) -> Spec:
    return cast(Spec, figure.to_plotly_json())


def _line(series: pd.Series, name: str, color: str, **extra: Any) -> Any:
    line = {"color": color, "width": 1.8, **extra.pop("line", {})}
    options: dict[str, Any] = {"mode": "lines", **extra}
    return go.Scatter(x=iso_dates(series.index), y=values(series), name=name, line=line, **options)


def _annotation(text: str) -> dict[str, Any]:
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
        "showarrow": False,
        "font": {"size": 13, "color": "#5b636e"},
        "align": "center",
    }


def _wrap(text: str, width: int = 80) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def empty_spec(reason: str) -> Spec:
    """A figure with no trace and ``reason`` written across it."""
    layout = _layout(
        annotations=[_annotation(_wrap(reason))],
        xaxis=_axis(visible=False),
        yaxis=_axis(visible=False),
        height=220,
    )
    return _spec(go.Figure(layout=layout))


# --- rates and spreads ----------------------------------------------------------------------


def spread_vs_usdjpy_spec(spread: pd.Series, usdjpy: pd.Series, *, fx_name: str) -> Spec:
    """The US-Japan 10y spread (pp, left axis) against USD/JPY (right axis)."""
    fig = go.Figure(
        [
            _line(spread, "US-Japan 10y spread (pp)", NAVY),
            _line(usdjpy, f"USD/JPY ({fx_name})", RED, yaxis="y2"),
        ],
        layout=_layout(
            yaxis=_axis("spread, pp"),
            yaxis2=_axis(
                "yen per dollar", overlaying="y", side="right", showgrid=False, tickformat=".0f"
            ),
        ),
    )
    return _spec(fig)


def spread_history_spec(spread: pd.Series, bands: Mapping[int, float], *, current: float) -> Spec:
    """The spread's history with ``bands`` (its 10th, 50th and 90th percentiles) drawn as
    lines, the 10th-90th range shaded, and ``current`` marked at the last date."""
    fig = go.Figure([_line(spread, "US-Japan 10y spread (pp)", NAVY)], layout=_layout())
    low, mid, high = bands[10], bands[50], bands[90]
    fig.add_hrect(y0=low, y1=high, fillcolor=NAVY, opacity=0.07, line_width=0)
    for pct, level in ((10, low), (50, mid), (90, high)):
        fig.add_hline(
            y=level,
            line={"color": GREY, "width": 1, "dash": "dot"},
            annotation_text=f"p{pct} {level:.2f}",
            annotation_position="right",
            annotation_font={"size": 10, "color": GREY},
        )
    last = spread.dropna()
    if not last.empty:
        fig.add_trace(
            go.Scatter(
                x=iso_dates(last.index[-1:]),
                y=[round(current, 6)],
                name="latest",
                mode="markers",
                marker={"color": RED, "size": 9},
            )
        )
    fig.update_layout(
        yaxis=_axis("spread, pp"),
        margin={"l": 56, "r": 84, "t": 28, "b": 40},
    )
    return _spec(fig)


# --- carry and hedged yields ----------------------------------------------------------------


def carry_index_spec(
    index: pd.Series, drawdown_pct: pd.Series, *, peak: date | None, trough: date | None
) -> Spec:
    """The carry return index (top) and its drawdown in percent (bottom); the episode
    from ``peak`` to ``trough`` is shaded."""
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.05
    )
    fig.add_trace(_line(index, "carry index (long USD, short JPY)", NAVY), row=1, col=1)
    fig.add_trace(
        _line(drawdown_pct, "drawdown (%)", RED, fill="tozeroy", fillcolor="rgba(176,58,46,0.18)"),
        row=2,
        col=1,
    )
    if peak is not None and trough is not None and peak < trough:
        fig.add_vrect(
            x0=peak.isoformat(),
            x1=trough.isoformat(),
            fillcolor=AMBER,
            opacity=0.25,
            line_width=0,
            row="all",
            col=1,
        )
    fig.update_layout(
        _layout(
            height=400,
            xaxis=_axis(),
            xaxis2=_axis(),
            yaxis=_axis("index"),
            yaxis2=_axis("% below high"),
        )
    )
    fig.update_xaxes(matches="x")
    return _spec(fig)


def hedged_yields_spec(ust: pd.Series, hedged: pd.Series, jgb: pd.Series) -> Spec:
    """UST 10y unhedged and hedged into yen, against the JGB 10y (percent)."""
    fig = go.Figure(
        [
            _line(ust, "UST 10y", GREY),
            _line(hedged, "UST 10y hedged into yen", NAVY),
            _line(jgb, "JGB 10y", RED),
        ],
        layout=_layout(yaxis=_axis("percent")),
    )
    fig.add_hline(y=0, line={"color": "#9aa0a6", "width": 1})
    return _spec(fig)


# --- liquidity ------------------------------------------------------------------------------


def liquidity_spec(net: pd.Series, risk: Mapping[str, pd.Series]) -> Spec:
    """Net liquidity (USD bn, left) against risk assets rebased to 100 (right, log scale)."""
    traces = [_line(net, "net liquidity (USD bn)", NAVY, line={"width": 2.4})]
    colors = (AMBER, PURPLE, TEAL)
    levels: list[float] = []
    for (name, series), color in zip(risk.items(), colors, strict=False):
        clean = series.dropna()
        if clean.empty:
            continue
        rebased = clean / float(clean.iloc[0]) * 100.0
        levels += [float(rebased.min()), float(rebased.max())]
        traces.append(_line(rebased, f"{name} (= 100 at start)", color, yaxis="y2"))
    # Log axis ticks at doublings of the start (plotly's own log ticks print 2, 5, 1000.3).
    ticks = [100.0 * 2.0**k for k in range(-6, 12)]
    if levels:
        ticks = [t for t in ticks if min(levels) / 2 <= t <= max(levels) * 2]
    fig = go.Figure(
        traces,
        layout=_layout(
            yaxis=_axis("USD bn", tickformat=",.0f"),
            yaxis2=_axis(
                "rebased to 100, log scale",
                overlaying="y",
                side="right",
                type="log",
                showgrid=False,
                tickvals=ticks,
                ticktext=[f"{t:,.0f}" if t >= 10 else f"{t:.2g}" for t in ticks],
            ),
        ),
    )
    return _spec(fig)


# --- flows and positioning ------------------------------------------------------------------


def cftc_positioning_spec(net: pd.Series, usdjpy: pd.Series | None, *, fx_name: str) -> Spec:
    """Weekly CFTC non-commercial net yen futures (bars; short yen in red), USD/JPY (line)."""
    colors = [RED if (v or 0) < 0 else TEAL for v in values(net)]
    traces = [
        go.Bar(
            x=iso_dates(net.index),
            y=values(net),
            name="net yen futures (contracts)",
            marker={"color": colors, "line": {"width": 0}},
        )
    ]
    if usdjpy is not None and not usdjpy.dropna().empty:
        traces.append(_line(usdjpy, f"USD/JPY ({fx_name})", NAVY, yaxis="y2"))
    fig = go.Figure(
        traces,
        layout=_layout(
            bargap=0.1,
            yaxis=_axis("contracts (+ long yen / - short yen)"),
            yaxis2=_axis(
                "yen per dollar", overlaying="y", side="right", showgrid=False, tickformat=".0f"
            ),
        ),
    )
    return _spec(fig)


def tic_holdings_spec(holdings: pd.Series) -> Spec:
    """Japan's holdings of US Treasuries, USD bn, end of month."""
    fig = go.Figure(
        [_line(holdings, "Japan: US Treasury holdings (USD bn)", NAVY, mode="lines+markers")],
        layout=_layout(yaxis=_axis("USD bn"), height=300),
    )
    fig.update_traces(marker={"size": 3})
    return _spec(fig)


def positioning_fit_spec(
    spread: Sequence[float],
    net: Sequence[float],
    dates: Sequence[str],
    *,
    intercept: float,
    slope: float,
) -> Spec:
    """CFTC net yen position against the 10y spread on report dates, with the OLS line."""
    lo, hi = min(spread), max(spread)
    fig = go.Figure(
        [
            go.Scatter(
                x=values(spread),
                y=values(net),
                text=list(dates),
                name="weekly reports",
                mode="markers",
                marker={"color": NAVY, "size": 6, "opacity": 0.55},
                hovertemplate="%{text}: spread %{x:.2f} pp, net %{y:,.0f}<extra></extra>",
            ),
            go.Scatter(
                x=[round(lo, 6), round(hi, 6)],
                y=[round(intercept + slope * lo, 2), round(intercept + slope * hi, 2)],
                name=f"OLS fit ({slope:+,.0f} contracts per pp)",
                mode="lines",
                line={"color": RED, "width": 2},
            ),
            go.Scatter(
                x=values(spread[-1:]),
                y=values(net[-1:]),
                text=list(dates[-1:]),
                name=f"latest ({dates[-1]})",
                mode="markers",
                marker={"color": AMBER, "size": 12, "line": {"color": "#1d232b", "width": 1}},
                hovertemplate="%{text}: spread %{x:.2f} pp, net %{y:,.0f}<extra></extra>",
            ),
        ],
        layout=_layout(
            hovermode="closest",
            xaxis=_axis("US-Japan 10y spread, pp"),
            yaxis=_axis("net yen futures, contracts"),
        ),
    )
    return _spec(fig)


# --- events, stance, fiscal, odds -----------------------------------------------------------


def event_moves_spec(rows: Sequence[tuple[str, str, float | None, str]]) -> Spec:
    """Bars of asset moves around events: ``(event, asset, change, unit)`` rows, prices
    in percent on the left panel and yields in bp on the right."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.6, 0.4],
        subplot_titles=("prices, %", "yields, bp"),
        horizontal_spacing=0.1,
    )
    events = list(dict.fromkeys(r[0] for r in rows))
    for event, color in zip(events, (RED, NAVY, TEAL), strict=False):
        for col, unit in ((1, "%"), (2, "bp")):
            picked = [r for r in rows if r[0] == event and r[3] == unit]
            fig.add_trace(
                go.Bar(
                    x=[r[1] for r in picked],
                    y=[None if r[2] is None else round(r[2], 4) for r in picked],
                    name=event,
                    marker={"color": color},
                    legendgroup=event,
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
    fig.update_layout(
        _layout(hovermode="closest", barmode="group", margin={"l": 56, "r": 24, "t": 48, "b": 40})
    )
    fig.update_annotations(font={"size": 11, "color": "#5b636e"})
    fig.update_yaxes(gridcolor=GRID, zerolinecolor="#9aa0a6")
    return _spec(fig)


def policy_vs_neutral_spec(
    rates: Mapping[str, pd.Series],
    bands: Mapping[str, tuple[float, float]],
    path: pd.Series | None,
) -> Spec:
    """Policy rates as steps, neutral bands shaded, and a projected path (dashed)."""
    colors = {0: RED, 1: NAVY}
    traces = [
        _line(series, name, colors.get(i, GREY), line={"shape": "hv"})
        for i, (name, series) in enumerate(rates.items())
    ]
    if path is not None and not path.empty:
        traces.append(
            _line(
                path,
                "projected BOJ path",
                RED,
                line={"shape": "hv", "dash": "dash"},
                mode="lines+markers",
            )
        )
    fig = go.Figure(traces, layout=_layout(yaxis=_axis("percent"), height=360))
    for (name, (low, high)), color in zip(bands.items(), (RED, NAVY), strict=False):
        fig.add_hrect(
            y0=low,
            y1=high,
            fillcolor=color,
            opacity=0.08,
            line_width=0,
            annotation_text=f"{name} neutral {low:.1f}-{high:.1f}%",
            annotation_position="top left",
            annotation_font={"size": 10, "color": color},
        )
    return _spec(fig)


def debt_service_spec(rows: Sequence[tuple[str, Sequence[float]]]) -> Spec:
    """Extra JGB debt service by year after a rise in rates: ``(scenario, per-year JPY tn)``."""
    traces = [
        go.Bar(
            x=[f"year {k}" for k in range(1, len(extra) + 1)],
            y=values(list(extra)),
            name=name,
            marker={"color": color},
            text=[f"{x:.1f}" for x in extra],
            textposition="outside",
        )
        for (name, extra), color in zip(rows, (NAVY, RED, AMBER, TEAL), strict=False)
    ]
    fig = go.Figure(
        traces,
        layout=_layout(hovermode="closest", barmode="group", yaxis=_axis("JPY tn per year")),
    )
    return _spec(fig)


def odds_by_meeting_spec(
    meetings: Sequence[tuple[str, date]],
    odds: Sequence[tuple[str, str, float]] = (),
    *,
    reason: str | None = None,
) -> Spec:
    """Policy odds by meeting.

    ``odds`` rows are ``(meeting label, outcome, probability in [0, 1])``: grouped bars.
    Without odds the upcoming meetings are drawn on a timeline (``meetings`` as
    ``(bank, date)``) and ``reason`` says why there are no odds.
    """
    if odds:
        outcomes = list(dict.fromkeys(o[1] for o in odds))
        traces = [
            go.Bar(
                x=[o[0] for o in odds if o[1] == outcome],
                y=[round(100.0 * o[2], 4) for o in odds if o[1] == outcome],
                name=outcome,
                marker={"color": color},
            )
            for outcome, color in zip(outcomes, (RED, GREY, TEAL, NAVY, AMBER), strict=False)
        ]
        layout = _layout(hovermode="closest", barmode="group", yaxis=_axis("probability, %"))
        return _spec(go.Figure(traces, layout=layout))
    traces = []
    for bank, color in (("FOMC", NAVY), ("BOJ", RED)):
        days = [d for b, d in meetings if b == bank]
        traces.append(
            go.Scatter(
                x=[d.isoformat() for d in days],
                y=[bank] * len(days),
                name=f"{bank} meetings",
                mode="markers",
                marker={"color": color, "size": 12, "symbol": "diamond"},
                hovertemplate="%{x}<extra>" + bank + "</extra>",
            )
        )
    annotations = []
    if reason:
        note = _annotation(_wrap(f"No odds: {reason}", 110))
        note.update(x=0, xanchor="left", y=1.04, yanchor="bottom", align="left")
        annotations.append(note)
    layout = _layout(
        hovermode="closest",
        height=250,
        margin={"l": 56, "r": 24, "t": 70, "b": 40},
        yaxis=_axis(type="category", categoryorder="array", categoryarray=["BOJ", "FOMC"]),
        annotations=annotations,
        showlegend=False,
    )
    return _spec(go.Figure(traces, layout=layout))
