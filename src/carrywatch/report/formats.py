"""How numbers are written in the brief: by unit, for values and for changes.

Values keep their unit (a yield ``3.78%``, a spread ``2.999 pp``, an amount ``6,093 bn``);
changes of percent and pp quantities are written in basis points, the desk's unit for
rate moves. These functions only format: no number is rounded before it is stored.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

__all__ = [
    "MEANING_LEGEND",
    "UNIT_LABELS",
    "YEN_MEANING",
    "change_meaning",
    "change_text",
    "ordinal",
    "unit_suffix",
    "value_text",
]

#: How a unit is named next to a number.
UNIT_LABELS: Final = {
    "percent": "%",
    "pp": "pp",
    "bp": "bp",
    "jpy_per_usd": "JPY per USD",
    "usd_bn": "USD bn",
    "usd_mn": "USD mn",
    "usd": "USD",
    "contracts": "contracts",
    "ratio": "ratio",
    "index": "index",
    "jpy_tn": "JPY tn",
    "usd_bn_per_month": "USD bn / month",
    "correlation": "correlation",
    "count": "",
}


#: The unit written after a value whose text does not already carry it.
_SUFFIXES: Final = {"contracts": "contracts", "jpy_per_usd": "JPY per USD"}


def _rate(value: float) -> str:
    """Two decimals, three where the third is not zero (0.781, 5.50, 2.999)."""
    return f"{value:.3f}" if round(value, 2) != round(value, 3) else f"{value:.2f}"


#: How a value of each unit is written (default: ``,.2f``).
_VALUE_FORMATS: Final[dict[str, Callable[[float], str]]] = {
    "percent": lambda v: f"{_rate(v)}%",
    "pp": lambda v: f"{_rate(v)} pp",
    "bp": lambda v: f"{v:,.0f} bp",
    "jpy_per_usd": lambda v: f"{v:.2f}",
    "usd_bn": lambda v: f"{v:,.0f} bn",
    "usd_mn": lambda v: f"{v:,.0f} mn",
    "usd_bn_per_month": lambda v: f"{v:+,.1f} bn/mo",
    "contracts": lambda v: f"{v:,.0f}",
    "count": lambda v: f"{v:,.0f}",
    "ratio": lambda v: f"{v:.2f}",
    "correlation": lambda v: f"{v:.2f}",
    "jpy_tn": lambda v: f"{v:,.1f} tn",
}


def _bp(change: float) -> str:
    bp = change * 100.0
    return f"{bp:+.1f} bp" if 0 < abs(bp) < 1 else f"{bp:+.0f} bp"


#: How a change of each unit is written (default: ``+,.2f``).
_CHANGE_FORMATS: Final[dict[str, Callable[[float], str]]] = {
    "percent": _bp,
    "pp": _bp,
    "jpy_per_usd": lambda c: f"{c:+.2f}",
    "usd_bn": lambda c: f"{c:+,.0f} bn",
    "usd_mn": lambda c: f"{c:+,.0f} mn",
    "contracts": lambda c: f"{c:+,.0f}",
    "ratio": lambda c: f"{c:+.2f}",
    "correlation": lambda c: f"{c:+.2f}",
}


def value_text(value: float | None, unit: str) -> str:
    """``value`` written for its unit; an em dash when there is none."""
    if value is None or not math.isfinite(value):
        return "—"
    write = _VALUE_FORMATS.get(unit)
    return f"{value:,.2f}" if write is None else write(value)


def change_text(change: float | None, unit: str, *, bp: bool = True) -> str:
    """A change in ``unit`` written with its sign: changes of rates (percent, pp) in bp,
    or in pp when ``bp`` is False (a volatility, a growth rate)."""
    if change is None or not math.isfinite(change):
        return "—"
    if unit in {"percent", "pp"} and not bp:
        return f"{change:+.2f} pp"
    write = _CHANGE_FORMATS.get(unit)
    return f"{change:+,.2f}" if write is None else write(change)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 22nd ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def unit_suffix(unit: str) -> str:
    """The unit to write after :func:`value_text` (empty where the text carries it)."""
    return _SUFFIXES.get(unit, "")


#: What a rise of a metric means for the US-Japan divergence: +1 when it narrows the gap
#: or strengthens the yen, -1 when it widens the gap or weakens the yen. A metric not
#: listed (liquidity, TIC holdings, the hedged pickup) has no such meaning.
YEN_MEANING: Final = {
    "yield.us.2y": -1,
    "yield.us.10y": -1,
    "yield.jp.2y": +1,
    "yield.jp.10y": +1,
    "spread.us_jp.2y": -1,
    "spread.us_jp.10y": -1,
    "policy.fed.upper": -1,
    "policy.fed.lower": -1,
    "policy.boj.rate": +1,
    "fx.usdjpy": -1,  # more yen per dollar: a weaker yen
    "positioning.cftc.jpy_net": +1,  # speculators buying yen
    "carry.usdjpy.differential": -1,
    "carry.usdjpy.carry_to_vol": -1,
    "stance.boj.real_rate": +1,
    "stance.boj.gap_to_neutral_low": +1,
}

#: The legend of the colours of :func:`change_meaning`, shown on the page.
MEANING_LEGEND: Final = (
    "Colours of changes follow their meaning, not their sign: teal narrows the US-Japan "
    "gap or strengthens the yen (a lower spread, a BOJ hike, a lower USD/JPY); red widens "
    "the gap or weakens the yen; uncoloured changes (liquidity, holdings, the hedged "
    "pickup) have no such meaning."
)


def change_meaning(change: float | None, key: str) -> str:
    """The CSS class of a change of metric ``key``: ``"yen-firmer"`` (teal),
    ``"yen-softer"`` (red) or ``""`` (no change, or no meaning); see :data:`YEN_MEANING`."""
    sign = YEN_MEANING.get(key, 0)
    if change is None or not math.isfinite(change) or change == 0 or sign == 0:
        return ""
    return "yen-firmer" if change * sign > 0 else "yen-softer"
