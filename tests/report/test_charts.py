"""The brief's chart specs are plotly's JSON, written as plain dicts.

:mod:`carrywatch.report.charts` builds its specs without ``plotly.graph_objects`` (its
validators cost about a third of a cold brief). These tests hold the specs to plotly:
each one, read back by ``go.Figure``, serialises to itself (every property valid, every
value as plotly would store it), and the subplot layouts are those ``make_subplots``
computes.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no type information
import pytest
from plotly.subplots import make_subplots  # type: ignore[import-untyped]  # idem

from carrywatch.report import charts

DAYS = pd.date_range("2024-07-29", periods=6, freq="D")
LINE = pd.Series([1.25, np.nan, 3.1234567, -2.0, np.inf, 0.5], index=DAYS, name="x")
PRICES = pd.Series([100.0, 101.5, 99.25, 98.0, 103.0, 104.5], index=DAYS, name="p")

SPECS: dict[str, Callable[[], dict[str, Any]]] = {
    "empty": lambda: charts.empty_spec("no observations of us.ust.10y to plot " * 4),
    "spread_vs_usdjpy": lambda: charts.spread_vs_usdjpy_spec(LINE, PRICES, fx_name="fx.usdjpy"),
    "spread_history": lambda: charts.spread_history_spec(
        LINE, {10: np.float64(-1.5), 50: 0.5, 90: 2.75}, current=0.5
    ),
    "carry_index": lambda: charts.carry_index_spec(
        PRICES, LINE, peak=date(2024, 7, 30), trough=date(2024, 8, 2)
    ),
    "carry_index_no_episode": lambda: charts.carry_index_spec(PRICES, LINE, peak=None, trough=None),
    "hedged_yields": lambda: charts.hedged_yields_spec(LINE, LINE - 1, PRICES / 40),
    "liquidity": lambda: charts.liquidity_spec(
        LINE * 1000, {"Nasdaq": PRICES, "Bitcoin": PRICES * 3, "none": PRICES.iloc[0:0]}
    ),
    "cftc": lambda: charts.cftc_positioning_spec(LINE * 1e4, PRICES, fx_name="fx.usdjpy"),
    "cftc_without_fx": lambda: charts.cftc_positioning_spec(LINE, None, fx_name="fx.usdjpy"),
    "tic": lambda: charts.tic_holdings_spec(PRICES * 10),
    "positioning_fit": lambda: charts.positioning_fit_spec(
        [1.0, 2.5, 3.0],
        [-5e4, 1e4, 2e4],
        ["2024-07-16", "2024-07-23", "2024-07-30"],
        intercept=-1e4,
        slope=9876.5,
    ),
    "event_moves": lambda: charts.event_moves_spec(
        [
            ("BOJ hike", "USD/JPY", -2.5, "%"),
            ("BOJ hike", "UST 10y", -12.0, "bp"),
            ("Payrolls", "Nikkei 225", None, "%"),
        ]
    ),
    "policy_vs_neutral": lambda: charts.policy_vs_neutral_spec(
        {"BOJ": PRICES / 400, "Fed": PRICES / 20, "other": PRICES / 30},
        {"BOJ": (2.5, 1.0), "Fed": (2.5, 3.5)},  # a band given high-low: labelled at its top
        PRICES / 300,
    ),
    "debt_service": lambda: charts.debt_service_spec([("+1 pp", [1.0, 2.5]), ("+2 pp", [3.0])]),
    "odds": lambda: charts.odds_by_meeting_spec(
        [("FOMC", date(2024, 9, 18))], [("Sep", "hold", 0.25), ("Sep", "cut 25", 0.75)]
    ),
    "meetings": lambda: charts.odds_by_meeting_spec(
        [("FOMC", date(2024, 9, 18)), ("BOJ", date(2024, 9, 20))], reason="no odds yet " * 12
    ),
    "meetings_without_reason": lambda: charts.odds_by_meeting_spec([], reason=None),
    "odds_history": lambda: charts.odds_history_spec(
        [("kalshi 5-5.25%", PRICES.iloc[:3] / 200), ("kalshi 5.25-5.5%", 1 - PRICES.iloc[:3] / 200)]
    ),
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_spec_is_what_plotly_makes_of_it(name: str) -> None:
    spec = SPECS[name]()
    assert set(spec) == {"data", "layout"}
    assert go.Figure(spec).to_plotly_json() == spec


def test_the_two_row_layout_is_make_subplots_own() -> None:
    made = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.05
    ).to_plotly_json()["layout"]
    ours = charts.carry_index_spec(PRICES, LINE, peak=None, trough=None)["layout"]
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        assert ours[axis]["domain"] == made[axis]["domain"]
        assert ours[axis]["anchor"] == made[axis]["anchor"]
    assert ours["xaxis"]["showticklabels"] == made["xaxis"]["showticklabels"]


def test_the_two_panel_layout_and_titles_are_make_subplots_own() -> None:
    made = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.6, 0.4],
        subplot_titles=("prices, %", "yields, bp"),
        horizontal_spacing=0.1,
    ).to_plotly_json()["layout"]
    ours = charts.event_moves_spec([("E", "USD/JPY", 1.0, "%")])["layout"]
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        assert ours[axis]["domain"] == made[axis]["domain"]
        assert ours[axis]["anchor"] == made[axis]["anchor"]
    for title, theirs in zip(ours["annotations"], made["annotations"], strict=True):
        assert {**theirs, "font": title["font"]} == title


def test_lines_and_bands_are_placed_as_plotly_places_them() -> None:
    bands = {10: -1.5, 50: 0.5, 90: 2.75}
    fig = go.Figure()
    fig.add_hrect(y0=-1.5, y1=2.75, fillcolor=charts.NAVY, opacity=0.07, line_width=0)
    for pct, level in bands.items():
        fig.add_hline(
            y=level,
            line={"color": charts.GREY, "width": 1, "dash": "dot"},
            annotation_text=f"p{pct} {level:.2f}",
            annotation_position="right",
            annotation_font={"size": 10, "color": charts.GREY},
        )
    made = fig.to_plotly_json()["layout"]
    ours = charts.spread_history_spec(LINE, bands, current=0.5)["layout"]
    assert (ours["shapes"], ours["annotations"]) == (made["shapes"], made["annotations"])

    fig = go.Figure()
    for (low, high), color in (((2.5, 1.0), charts.RED), ((2.5, 3.5), charts.NAVY)):
        fig.add_hrect(
            y0=low,
            y1=high,
            fillcolor=color,
            opacity=0.08,
            line_width=0,
            annotation_text=f"X neutral {low:.1f}-{high:.1f}%",
            annotation_position="top left",
            annotation_font={"size": 10, "color": color},
        )
    made = fig.to_plotly_json()["layout"]
    ours = charts.policy_vs_neutral_spec({}, {"X": (2.5, 1.0), "Y": (2.5, 3.5)}, None)["layout"]
    for mine in ours["annotations"]:
        mine["text"] = mine["text"].replace("Y neutral", "X neutral")
    assert (ours["shapes"], ours["annotations"]) == (made["shapes"], made["annotations"])

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True)
    for row in (1, 2):  # plotly shades only subplots with a trace
        fig.add_trace(go.Scatter(x=["2024-08-01"], y=[1.0]), row=row, col=1)
    fig.add_vrect(
        x0="2024-07-30",
        x1="2024-08-02",
        fillcolor=charts.AMBER,
        opacity=0.25,
        line_width=0,
        row="all",
        col=1,
    )
    made = fig.to_plotly_json()["layout"]
    ours = charts.carry_index_spec(PRICES, LINE, peak=date(2024, 7, 30), trough=date(2024, 8, 2))
    assert ours["layout"]["shapes"] == made["shapes"]


def test_the_brief_does_not_load_plotly_graph_objects() -> None:
    code = (
        "import sys, carrywatch.report.render; "
        "print(sorted(m for m in sys.modules if m.startswith('plotly')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"


def test_an_odds_chart_draws_every_outcome_of_a_long_ladder() -> None:
    # Hypothetical: eight outcomes for one meeting, more than there are outcome colours.
    moves = ["-100bp", "-75bp", "-50bp", "-25bp", "hold", "+25bp", "+50bp", "+75bp"]
    odds = [("Dec", move, 1 / 8) for move in moves]

    spec = charts.odds_by_meeting_spec([], odds)

    assert [t["name"] for t in spec["data"]] == moves
    assert math.fsum(t["y"][0] for t in spec["data"]) == pytest.approx(100.0)


def test_odds_colours_follow_the_move_not_the_order() -> None:
    odds = [("Dec", "-25bp", 0.3), ("Dec", "hold", 0.7), ("Jan", "+25bp", 0.1)]
    colours = {"-25bp": "#d6604d", "hold": "#8a9099", "+25bp": "#4393c3"}

    spec = charts.odds_by_meeting_spec([], odds, colours=colours)

    assert {t["name"]: t["marker"]["color"] for t in spec["data"]} == colours
