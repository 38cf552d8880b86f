"""Plotly figure specs for the brief: plain dicts (``{"data", "layout"}``), JSON-stable.

Each function takes analysed series and returns a spec in plotly's JSON schema, written
as plain dicts exactly as ``plotly.graph_objects`` would serialise it with
``to_plotly_json()`` (keys in plotly's order, the ``"none"`` template expanded): dates are
ISO strings, values floats rounded to 6 decimals, gaps ``None`` (never NaN), so the same
inputs give the same JSON. Building the dicts directly rather than through
``graph_objects`` keeps plotly's validators out of the brief: they cost about a third of
a cold ``carrywatch brief``; the tests check every spec against ``graph_objects``.

Long daily histories are thinned with :func:`weekly` (the last observation of each week,
at its own date, so no point is dated after the data) and cut with :func:`since`; the
section that uses a chart says so in the figure's note.

A chart with nothing to draw is :func:`empty_spec`: no trace, an annotation with the
reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from itertools import cycle
from typing import Any, Final

import numpy as np
import pandas as pd

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
    "odds_history_spec",
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
#: Colours of the outcomes of an odds chart, in turn (repeated past the last: a Kalshi
#: ladder can hold more outcomes than there are colours, and none may be dropped).
_OUTCOME_COLOURS: Final = (RED, GREY, TEAL, NAVY, AMBER, PURPLE)
FONT: Final = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


# --- data helpers ---------------------------------------------------------------------------


def iso_dates(index: pd.Index) -> list[str]:
    """``YYYY-MM-DD`` strings of a DatetimeIndex."""
    dates = pd.DatetimeIndex(index)
    if dates.tz is not None:  # the local date of each timestamp
        return [ts.strftime("%Y-%m-%d") for ts in dates]
    days = dates.to_numpy().astype("datetime64[D]")
    return [str(d) for d in np.datetime_as_string(days, unit="D").tolist()]


def values(series: pd.Series | Sequence[float]) -> list[float | None]:
    """Floats rounded to 6 decimals, ``None`` for NaN or infinities."""
    items = series.tolist() if isinstance(series, pd.Series | np.ndarray) else list(series)
    out: list[float | None] = []
    for v in items:
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


# --- plotly's JSON, written directly --------------------------------------------------------
#
# ``go.Figure(data, layout=...)`` stores every property in plotly's order, which is
# alphabetical at each level, and a trace's ``type`` last (:func:`_figure`, :func:`_trace`).
# Shapes and annotations added afterwards (``add_hline``, ``add_hrect``, ...) are appended
# to the layout (:func:`_add_shape`). ``update_layout`` on a figure from ``make_subplots``
# adds new keys after the existing ones, nested objects before plain values
# (:func:`_update`). The tests rebuild every spec with ``graph_objects`` and compare.

#: Layout properties that are lists of objects (the ones used here).
_OBJECT_ARRAYS: Final = frozenset({"annotations", "shapes"})
#: The ``"none"`` template as plotly writes it.
_TEMPLATE_NONE: Final = {"data": {"scatter": [{"type": "scatter"}]}}


def _sorted(value: Any) -> Any:
    """``value`` with the keys of every dict in it in alphabetical order."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted(v) if isinstance(v, dict | list | tuple) else v for v in value]
    return value


def _trace(kind: str, **props: Any) -> dict[str, Any]:
    """A trace as ``go.<Kind>(**props).to_plotly_json()`` gives it."""
    return {**_sorted(props), "type": kind}


def _figure(data: Sequence[dict[str, Any]], layout: dict[str, Any]) -> Spec:
    """``go.Figure(data, layout=layout).to_plotly_json()`` for traces from :func:`_trace`."""
    # An empty list of layout objects is left out, as plotly does.
    layout = {k: v for k, v in layout.items() if v or k not in _OBJECT_ARRAYS}
    if "template" in layout:
        layout = {**layout, "template": _template(layout["template"])}
    made: dict[str, Any] = _sorted(layout)
    return {"data": list(data), "layout": made}


def _template(name: str) -> dict[str, Any]:
    if name != "none":
        raise ValueError(f"only the 'none' template is written directly, not {name!r}")
    made: dict[str, Any] = _sorted(_TEMPLATE_NONE)
    return made


def _update(target: dict[str, Any], update: Mapping[str, Any]) -> None:
    """``target.update(update)`` as plotly's ``update_layout`` orders it: nested objects
    are updated at once (a new one appended), plain values are set after all of them
    (a new one appended then)."""
    later: list[tuple[dict[str, Any], str, Any]] = []

    def walk(into: dict[str, Any], changes: Mapping[str, Any]) -> None:
        for key, value in changes.items():
            if isinstance(value, dict):
                walk(into.setdefault(key, {}), value)
            else:
                later.append((into, key, value))

    walk(target, update)
    for into, key, value in later:
        into[key] = _template(value) if key == "template" else value


def _add_shape(spec: Spec, shape: dict[str, Any], annotation: dict[str, Any] | None = None) -> None:
    """Append a shape (and its label) to the layout, as ``fig.add_*`` does."""
    layout = spec["layout"]
    layout.setdefault("shapes", []).append(_sorted(shape))
    if annotation is not None:
        layout.setdefault("annotations", []).append(_sorted(annotation))


def _hline(spec: Spec, y: float, line: dict[str, Any], label: dict[str, Any] | None = None) -> None:
    """``fig.add_hline(y=y, line=line)``; ``label``: text and font of an annotation at its
    right end (``annotation_position="right"``)."""
    shape = {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y"}
    note = None
    if label is not None:
        note = {
            **label,
            "showarrow": False,
            "x": 1,
            "xanchor": "left",
            "xref": "x domain",
            "y": y,
            "yanchor": "middle",
            "yref": "y",
        }
    _add_shape(spec, {**shape, "line": line}, note)


def _hrect(
    spec: Spec,
    y0: float,
    y1: float,
    *,
    fillcolor: str,
    opacity: float,
    label: dict[str, Any] | None = None,
) -> None:
    """``fig.add_hrect(y0=y0, y1=y1, fillcolor=..., opacity=..., line_width=0)``;
    ``label``: text and font of an annotation at its top left
    (``annotation_position="top left"``)."""
    shape = {
        "fillcolor": fillcolor,
        "line": {"width": 0},
        "opacity": opacity,
        "type": "rect",
        "x0": 0,
        "x1": 1,
        "xref": "x domain",
        "y0": y0,
        "y1": y1,
        "yref": "y",
    }
    note = None
    if label is not None:
        note = {
            **label,
            "showarrow": False,
            "x": 0,
            "xanchor": "left",
            "xref": "x domain",
            "y": max([y0, y1]),
            "yanchor": "top",
            "yref": "y",
        }
    _add_shape(spec, shape, note)


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


def _line(series: pd.Series, name: str, color: str, **extra: Any) -> dict[str, Any]:
    line = {"color": color, "width": 1.8, **extra.pop("line", {})}
    options: dict[str, Any] = {"mode": "lines", **extra}
    return _trace(
        "scatter", x=iso_dates(series.index), y=values(series), name=name, line=line, **options
    )


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
    return _figure([], layout)


# --- rates and spreads ----------------------------------------------------------------------


def spread_vs_usdjpy_spec(spread: pd.Series, usdjpy: pd.Series, *, fx_name: str) -> Spec:
    """The US-Japan 10y spread (pp, left axis) against USD/JPY (right axis)."""
    return _figure(
        [
            _line(spread, "US-Japan 10y spread (pp)", NAVY),
            _line(usdjpy, f"USD/JPY ({fx_name})", RED, yaxis="y2"),
        ],
        _layout(
            yaxis=_axis("spread, pp"),
            yaxis2=_axis(
                "yen per dollar", overlaying="y", side="right", showgrid=False, tickformat=".0f"
            ),
        ),
    )


def spread_history_spec(spread: pd.Series, bands: Mapping[int, float], *, current: float) -> Spec:
    """The spread's history with ``bands`` (its 10th, 50th and 90th percentiles) drawn as
    lines, the 10th-90th range shaded, and ``current`` marked at the last date."""
    spec = _figure(
        [_line(spread, "US-Japan 10y spread (pp)", NAVY)],
        _layout(yaxis=_axis("spread, pp"), margin={"l": 56, "r": 84, "t": 28, "b": 40}),
    )
    low, mid, high = bands[10], bands[50], bands[90]
    _hrect(spec, low, high, fillcolor=NAVY, opacity=0.07)
    for pct, level in ((10, low), (50, mid), (90, high)):
        _hline(
            spec,
            level,
            {"color": GREY, "width": 1, "dash": "dot"},
            {"text": f"p{pct} {level:.2f}", "font": {"size": 10, "color": GREY}},
        )
    last = spread.dropna()
    if not last.empty:
        spec["data"].append(
            _trace(
                "scatter",
                x=iso_dates(last.index[-1:]),
                y=[round(current, 6)],
                name="latest",
                mode="markers",
                marker={"color": RED, "size": 9},
            )
        )
    return spec


# --- carry and hedged yields ----------------------------------------------------------------


def carry_index_spec(
    index: pd.Series, drawdown_pct: pd.Series, *, peak: date | None, trough: date | None
) -> Spec:
    """The carry return index (top) and its drawdown in percent (bottom); the episode
    from ``peak`` to ``trough`` is shaded."""
    # make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32],
    # vertical_spacing=0.05): the axes and their domains as plotly lays them out.
    layout: dict[str, Any] = {
        "template": _template("none"),
        "xaxis": {"anchor": "y", "domain": [0.0, 1.0], "matches": "x2", "showticklabels": False},
        "yaxis": {"anchor": "x", "domain": [0.354, 1.0]},
        "xaxis2": {"anchor": "y2", "domain": [0.0, 1.0]},
        "yaxis2": {"anchor": "x2", "domain": [0.0, 0.304]},
    }
    data = [
        {**_line(index, "carry index (long USD, short JPY)", NAVY), "xaxis": "x", "yaxis": "y"},
        {
            **_line(
                drawdown_pct, "drawdown (%)", RED, fill="tozeroy", fillcolor="rgba(176,58,46,0.18)"
            ),
            "xaxis": "x2",
            "yaxis": "y2",
        },
    ]
    spec: Spec = {"data": data, "layout": layout}
    if peak is not None and trough is not None and peak < trough:
        for x, y in (("x", "y"), ("x2", "y2")):  # row="all"
            _add_shape(
                spec,
                {
                    "fillcolor": AMBER,
                    "line": {"width": 0},
                    "opacity": 0.25,
                    "type": "rect",
                    "x0": peak.isoformat(),
                    "x1": trough.isoformat(),
                    "xref": x,
                    "y0": 0,
                    "y1": 1,
                    "yref": f"{y} domain",
                },
            )
    _update(
        layout,
        _layout(
            height=400,
            xaxis=_axis(),
            xaxis2=_axis(),
            yaxis=_axis("index"),
            yaxis2=_axis("% below high"),
        ),
    )
    _update(layout, {"xaxis": {"matches": "x"}, "xaxis2": {"matches": "x"}})
    return spec


def hedged_yields_spec(ust: pd.Series, hedged: pd.Series, jgb: pd.Series) -> Spec:
    """UST 10y unhedged and hedged into yen, against the JGB 10y (percent)."""
    spec = _figure(
        [
            _line(ust, "UST 10y", GREY),
            _line(hedged, "UST 10y hedged into yen", NAVY),
            _line(jgb, "JGB 10y", RED),
        ],
        _layout(yaxis=_axis("percent")),
    )
    _hline(spec, 0, {"color": "#9aa0a6", "width": 1})
    return spec


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
    return _figure(
        traces,
        _layout(
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


# --- flows and positioning ------------------------------------------------------------------


def cftc_positioning_spec(net: pd.Series, usdjpy: pd.Series | None, *, fx_name: str) -> Spec:
    """Weekly CFTC non-commercial net yen futures (bars; short yen in red), USD/JPY (line)."""
    colors = [RED if (v or 0) < 0 else TEAL for v in values(net)]
    traces = [
        _trace(
            "bar",
            x=iso_dates(net.index),
            y=values(net),
            name="net yen futures (contracts)",
            marker={"color": colors, "line": {"width": 0}},
        )
    ]
    if usdjpy is not None and not usdjpy.dropna().empty:
        traces.append(_line(usdjpy, f"USD/JPY ({fx_name})", NAVY, yaxis="y2"))
    return _figure(
        traces,
        _layout(
            bargap=0.1,
            yaxis=_axis("contracts (+ long yen / - short yen)"),
            yaxis2=_axis(
                "yen per dollar", overlaying="y", side="right", showgrid=False, tickformat=".0f"
            ),
        ),
    )


def tic_holdings_spec(holdings: pd.Series) -> Spec:
    """Japan's holdings of US Treasuries, USD bn, end of month."""
    line = _line(holdings, "Japan: US Treasury holdings (USD bn)", NAVY, mode="lines+markers")
    return _figure(
        [{**line, "marker": {"size": 3}}],  # update_traces(marker=...) appends it
        _layout(yaxis=_axis("USD bn"), height=300),
    )


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
    return _figure(
        [
            _trace(
                "scatter",
                x=values(spread),
                y=values(net),
                text=list(dates),
                name="weekly reports",
                mode="markers",
                marker={"color": NAVY, "size": 6, "opacity": 0.55},
                hovertemplate="%{text}: spread %{x:.2f} pp, net %{y:,.0f}<extra></extra>",
            ),
            _trace(
                "scatter",
                x=[round(lo, 6), round(hi, 6)],
                y=[round(intercept + slope * lo, 2), round(intercept + slope * hi, 2)],
                name=f"OLS fit ({slope:+,.0f} contracts per pp)",
                mode="lines",
                line={"color": RED, "width": 2},
            ),
            _trace(
                "scatter",
                x=values(spread[-1:]),
                y=values(net[-1:]),
                text=list(dates[-1:]),
                name=f"latest ({dates[-1]})",
                mode="markers",
                marker={"color": AMBER, "size": 12, "line": {"color": "#1d232b", "width": 1}},
                hovertemplate="%{text}: spread %{x:.2f} pp, net %{y:,.0f}<extra></extra>",
            ),
        ],
        _layout(
            hovermode="closest",
            xaxis=_axis("US-Japan 10y spread, pp"),
            yaxis=_axis("net yen futures, contracts"),
        ),
    )


# --- events, stance, fiscal, odds -----------------------------------------------------------


def event_moves_spec(rows: Sequence[tuple[str, str, float | None, str]]) -> Spec:
    """Bars of asset moves around events: ``(event, asset, change, unit)`` rows, prices
    in percent on the left panel and yields in bp on the right."""
    # make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.1,
    # subplot_titles=...): the axes, their domains and the titles as plotly lays them out.
    title = {"font": {"size": 16}, "showarrow": False, "xanchor": "center", "xref": "paper"}
    title_at = {"y": 1.0, "yanchor": "bottom", "yref": "paper"}
    layout: dict[str, Any] = {
        "template": _template("none"),
        "xaxis": {"anchor": "y", "domain": [0.0, 0.54]},
        "yaxis": {"anchor": "x", "domain": [0.0, 1.0]},
        "xaxis2": {"anchor": "y2", "domain": [0.64, 1.0]},
        "yaxis2": {"anchor": "x2", "domain": [0.0, 1.0]},
        "annotations": [
            _sorted({**title, "text": "prices, %", "x": 0.27, **title_at}),
            _sorted({**title, "text": "yields, bp", "x": 0.8200000000000001, **title_at}),
        ],
    }
    data = []
    events = list(dict.fromkeys(r[0] for r in rows))
    for event, color in zip(events, (RED, NAVY, TEAL), strict=False):
        for col, unit in ((1, "%"), (2, "bp")):
            picked = [r for r in rows if r[0] == event and r[3] == unit]
            bar = _trace(
                "bar",
                x=[r[1] for r in picked],
                y=[None if r[2] is None else round(r[2], 4) for r in picked],
                name=event,
                marker={"color": color},
                legendgroup=event,
                showlegend=col == 1,
            )
            axis = "" if col == 1 else str(col)
            data.append({**bar, "xaxis": f"x{axis}", "yaxis": f"y{axis}"})
    _update(
        layout,
        _layout(hovermode="closest", barmode="group", margin={"l": 56, "r": 24, "t": 48, "b": 40}),
    )
    for note in layout["annotations"]:
        _update(note, {"font": {"size": 11, "color": "#5b636e"}})
    for axis in ("yaxis", "yaxis2"):
        _update(layout[axis], {"gridcolor": GRID, "zerolinecolor": "#9aa0a6"})
    return {"data": data, "layout": layout}


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
    spec = _figure(traces, _layout(yaxis=_axis("percent"), height=360))
    for (name, (low, high)), color in zip(bands.items(), (RED, NAVY), strict=False):
        _hrect(
            spec,
            low,
            high,
            fillcolor=color,
            opacity=0.08,
            label={
                "text": f"{name} neutral {low:.1f}-{high:.1f}%",
                "font": {"size": 10, "color": color},
            },
        )
    return spec


def debt_service_spec(rows: Sequence[tuple[str, Sequence[float]]]) -> Spec:
    """Extra JGB debt service by year after a rise in rates: ``(scenario, per-year JPY tn)``."""
    traces = [
        _trace(
            "bar",
            x=[f"year {k}" for k in range(1, len(extra) + 1)],
            y=values(list(extra)),
            name=name,
            marker={"color": color},
            text=[f"{x:.1f}" for x in extra],
            textposition="outside",
        )
        for (name, extra), color in zip(rows, (NAVY, RED, AMBER, TEAL), strict=False)
    ]
    return _figure(
        traces,
        _layout(hovermode="closest", barmode="group", yaxis=_axis("JPY tn per year")),
    )


def odds_history_spec(
    lines: Sequence[tuple[str, pd.Series]], marks: Sequence[tuple[date, str]] = ()
) -> Spec:
    """Probabilities over time: one line per ``(name, series)``, the series a probability
    in [0, 1] on a DatetimeIndex of snapshot days (drawn in percent, with markers, since
    snapshots are irregular), or of UTC moments (intraday quotes: a step line from each
    quote to the next). ``marks`` draw a dotted vertical line with a label at the top
    on each ``(day, label)`` (a statement that moved the odds)."""
    traces = []
    for (name, series), color in zip(lines, cycle(_OUTCOME_COLOURS), strict=False):
        intraday = pd.DatetimeIndex(series.index).tz is not None
        trace = _line(
            series * 100.0,
            name,
            color,
            mode="lines" if intraday else "lines+markers",
            marker={"size": 5},
            **({"line": {"shape": "hv"}} if intraday else {}),
        )
        if intraday:  # quotes at their moment (UTC), a step until the next one
            trace["x"] = [ts.strftime("%Y-%m-%dT%H:%M:%SZ") for ts in series.index]
        traces.append(trace)
    spec = _figure(traces, _layout(hovermode="x unified", yaxis=_axis("probability, %")))
    for day, label in marks:
        shape = {
            "line": {"color": GREY, "dash": "dot", "width": 1},
            "type": "line",
            "x0": day.isoformat(),
            "x1": day.isoformat(),
            "xref": "x",
            "y0": 0,
            "y1": 1,
            "yref": "y domain",
        }
        note = {
            "font": {"color": GREY, "size": 11},
            "showarrow": False,
            "text": label,
            "x": day.isoformat(),
            "xanchor": "left",
            "xref": "x",
            "y": 1,
            "yanchor": "top",
            "yref": "y domain",
        }
        _add_shape(spec, shape, note)
    return spec


def odds_by_meeting_spec(
    meetings: Sequence[tuple[str, date]],
    odds: Sequence[tuple[str, str, float]] = (),
    *,
    reason: str | None = None,
    labels: Sequence[str] = (),
    colours: Mapping[str, str] | None = None,
) -> Spec:
    """Policy odds by meeting.

    ``odds`` rows are ``(meeting label, outcome, probability in [0, 1])``: grouped bars,
    one colour per outcome in the order outcomes first appear, meetings along the x axis
    in the order ``labels`` gives (default: as they first appear); ``colours`` maps an
    outcome to its colour (default: a palette in turn). Without odds the
    upcoming meetings are drawn on a timeline (``meetings`` as ``(bank, date)``) and
    ``reason`` says why there are no odds.
    """
    if odds:
        outcomes = list(dict.fromkeys(o[1] for o in odds))
        palette = dict(zip(outcomes, cycle(_OUTCOME_COLOURS), strict=False)) | dict(colours or {})
        traces = [
            _trace(
                "bar",
                x=[o[0] for o in odds if o[1] == outcome],
                y=[round(100.0 * o[2], 4) for o in odds if o[1] == outcome],
                name=outcome,
                marker={"color": palette[outcome]},
            )
            for outcome in outcomes
        ]
        order = list(dict.fromkeys([*labels, *(o[0] for o in odds)]))
        layout = _layout(
            hovermode="closest",
            barmode="group",
            xaxis=_axis(type="category", categoryorder="array", categoryarray=order),
            yaxis=_axis("probability, %"),
        )
        return _figure(traces, layout)
    traces = []
    for bank, color in (("FOMC", NAVY), ("BOJ", RED)):
        days = [d for b, d in meetings if b == bank]
        traces.append(
            _trace(
                "scatter",
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
    return _figure(traces, layout)
