"""Policy odds per meeting from a path of expected average overnight rates (OIS, TONA
forwards), for banks without a fed-funds-style futures strip (the Bank of Japan).

The same tree as the futures (:func:`~carrywatch.analytics.odds.tree.
odds_from_period_averages`), with the path's periods in place of calendar months.
Rates are in percent.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import numpy as np
import pandas as pd

from carrywatch.analytics.odds.conventions import CME, Conventions
from carrywatch.analytics.odds.futures import Target, odds_from_monthly_averages, target_arrays
from carrywatch.analytics.odds.policy_odds import PolicyOdds
from carrywatch.analytics.odds.tree import odds_from_period_averages
from carrywatch.analytics.units import pct_to_fraction

__all__ = [
    "TONA_DAY_COUNT",
    "RatePath",
    "forward_averages_pct",
    "path_implied_odds",
    "rate_path_from_csv",
]

#: Days per year of the TONA OIS convention (ACT/365 fixed); SOFR and EFFR use 360.
TONA_DAY_COUNT: Final = 365.0

_TENOR = re.compile(r"^(\d+)\s*([DWMY])$")


@dataclass(frozen=True, slots=True)
class RatePath:
    """Expected average overnight rates over consecutive periods from ``start``.

    Period i is [``ends[i-1]``, ``ends[i]``) (the first starts at ``start``, the valuation
    date), so it holds the overnight rates of its days as an OIS fixing schedule does;
    ``average_rate_pct[i]`` is the rate expected on average over it. ``kind`` says how
    the path was given: ``dates`` (a forward strip) or ``tenors`` (spot OIS rates).
    """

    start: date
    ends: tuple[date, ...]
    average_rate_pct: tuple[float, ...]
    kind: Literal["dates", "tenors"]

    def __post_init__(self) -> None:
        if not self.ends or len(self.ends) != len(self.average_rate_pct):
            raise ValueError("a rate path needs one rate per period end, and at least one")
        if any(b <= a for a, b in zip((self.start, *self.ends), self.ends, strict=False)):
            raise ValueError(f"period ends must rise strictly after the start {self.start}")
        if not all(math.isfinite(r) for r in self.average_rate_pct):
            raise ValueError("rates must be finite numbers")

    @property
    def bounds(self) -> list[tuple[date, date]]:
        """[start, end) of every period."""
        return list(zip((self.start, *self.ends[:-1]), self.ends, strict=True))

    def summary(self) -> str:
        """One line: the span and the first and last period averages."""
        return (
            f"rate path from {self.start} to {self.ends[-1]} ({len(self.ends)} periods, "
            f"{self.kind}): {self.average_rate_pct[0]:.3f}% .. {self.average_rate_pct[-1]:.3f}%"
        )


def path_implied_odds(
    path: RatePath | pd.Series | pd.DataFrame,
    meetings: Sequence[date],
    target_range_pct: Target,
    *,
    asof: date | None = None,
    conventions: Conventions = CME,
    horizon: date | None = None,
    calendar_end: date | None = None,
) -> PolicyOdds:
    """Meeting odds implied by a path of expected average overnight rates.

    Parameters
    ----------
    path:
        A :class:`RatePath` (valued on its ``start``); a
        Series of monthly averages in percent indexed by month (``pd.Period`` or
        ``YYYY-MM``), valued on ``asof``; or a frame of them, rows = valuation dates,
        columns = months (the futures layout, in rates instead of prices).
    meetings:
        Decision days of the bank (BOJ Monetary Policy Meetings, FOMC ...).
    target_range_pct:
        (lower, upper) in force on the valuation date(s); lower == upper for a point target.
    asof:
        The valuation date of a Series path (required then, ignored otherwise).
    conventions, horizon, calendar_end:
        As in :func:`~carrywatch.analytics.odds.futures.futures_implied_odds`.

    Returns
    -------
    PolicyOdds
        ``source`` "path"; meetings the path cannot resolve (two in one period of a coarse
        tenor path, one beyond its end) carry a reason.

    Notes
    -----
    The futures tree with the path's periods in place of months. A meeting-dated path
    (periods ending on the meetings' effective days) resolves every meeting exactly.

    References
    ----------
    CME Group, "Fed Funds Futures Probability Tree Calculator" (the method); Bank of Japan,
    "Tokyo Overnight Average Rate (TONA)" (the rate a JPY OIS averages).
    """
    if isinstance(path, pd.Series):
        if asof is None:
            raise ValueError("a Series path needs asof, its valuation date")
        path = path.to_frame().T.set_axis(pd.DatetimeIndex([pd.Timestamp(asof)]), axis=0)
    if isinstance(path, pd.DataFrame):
        return odds_from_monthly_averages(
            path,
            meetings,
            target_range_pct,
            source="path",
            conventions=conventions,
            horizon=horizon,
            calendar_end=calendar_end,
        )
    return odds_from_period_averages(
        np.array([path.average_rate_pct], dtype=np.float64),
        path.bounds,
        [path.start],
        meetings,
        target_arrays(target_range_pct, [path.start]),
        source="path",
        conventions=conventions,
        horizon=horizon,
        calendar_end=calendar_end,
    )


def forward_averages_pct(
    term_rates_pct: Sequence[float], days: Sequence[int], *, day_count: float = TONA_DAY_COUNT
) -> list[float]:
    """Forward rates between consecutive maturities of spot-starting OIS rates, percent.

    Parameters
    ----------
    term_rates_pct:
        OIS fixed rates in percent, one per maturity.
    days:
        Calendar days from the valuation date to each maturity, strictly rising.
    day_count:
        Days per year of the rate convention (365 for TONA, 360 for SOFR).

    Notes
    -----
    With :math:`\\tau_i = d_i / B` and :math:`G_i = 1 + R_i \\tau_i` (one payment at
    maturity, as OIS up to a year pay), the forward over :math:`(\\tau_{i-1}, \\tau_i]` is

    .. math:: F_i = \\frac{G_i / G_{i-1} - 1}{\\tau_i - \\tau_{i-1}}, \\qquad G_0 = 1.

    It stands for the arithmetic average of the overnight rates in the period; the two
    differ by the compounding inside it, about :math:`\\bar r^2 \\tau / 2`: under 0.1 bp at
    1% over three months (BOJ rates), about 3 bp at 5%.

    References
    ----------
    Hull, *Options, Futures, and Other Derivatives*, 11th ed., ch. 4 (forward rates from
    zero rates); Bank of Japan, "Tokyo Overnight Average Rate (TONA)" (ACT/365).
    """
    if len(term_rates_pct) != len(days) or not days:
        raise ValueError("give one term rate per maturity, and at least one")
    if any(b <= a for a, b in zip((0, *days), days, strict=False)):
        raise ValueError(f"maturities must rise strictly, not {list(days)}")
    out, prev_g, prev_tau = [], 1.0, 0.0
    for rate, d in zip(term_rates_pct, days, strict=True):
        tau = d / day_count
        g = 1.0 + pct_to_fraction(rate) * tau
        out.append(100.0 * (g / prev_g - 1.0) / (tau - prev_tau))
        prev_g, prev_tau = g, tau
    return out


def rate_path_from_csv(
    text: str, *, valuation_date: date, day_count: float = TONA_DAY_COUNT
) -> RatePath:
    """A :class:`RatePath` from CSV text.

    ``date,rate`` rows give the expected average overnight rate from the previous date
    (the first from ``valuation_date``) up to that date: a forward strip, e.g. meeting-dated
    TONA forwards. ``tenor,rate`` rows (``ON``, ``1W``, ``3M``, ``1Y``) give spot-starting
    OIS rates, maturing on the valuation date plus the tenor on the calendar (no
    business-day roll), turned into forwards by :func:`forward_averages_pct`. A header,
    blank lines and ``#`` comments are skipped; all rows must be of one kind.

    Raises
    ------
    ValueError
        When a row is neither form, kinds are mixed, or dates do not rise.
    """
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    rows = [r for r in rows if any(r) and not r[0].startswith("#")]
    if rows and _row_key(rows[0][0], valuation_date) is None:
        rows = rows[1:]  # a header
    if not rows:
        raise ValueError("the CSV holds no rate rows")
    keys, rates = [], []
    for r in rows:
        key = _row_key(r[0], valuation_date)
        if key is None or len(r) < 2:
            raise ValueError(f"row {r!r} is not 'date,rate' or 'tenor,rate'")
        try:
            rates.append(float(r[1]))
        except ValueError:
            raise ValueError(f"row {r!r}: {r[1]!r} is not a rate in percent") from None
        keys.append(key)
    kinds = {kind for kind, _ in keys}
    if len(kinds) != 1:
        raise ValueError("mix of date rows and tenor rows; give one kind")
    ends = [d for _, d in keys]
    if kinds == {"tenors"}:
        order = sorted(range(len(ends)), key=lambda i: ends[i])
        ends = [ends[i] for i in order]
        days = [(d - valuation_date).days for d in ends]
        rates = forward_averages_pct([rates[i] for i in order], days, day_count=day_count)
        return RatePath(valuation_date, tuple(ends), tuple(rates), "tenors")
    return RatePath(valuation_date, tuple(ends), tuple(rates), "dates")


def _row_key(field: str, valuation: date) -> tuple[Literal["dates", "tenors"], date] | None:
    text = "1D" if field.upper() in ("ON", "O/N") else field.upper()
    if m := _TENOR.match(text):
        n, unit = int(m.group(1)), m.group(2)
        offset = {
            "D": pd.DateOffset(days=n),
            "W": pd.DateOffset(weeks=n),
            "M": pd.DateOffset(months=n),
            "Y": pd.DateOffset(years=n),
        }[unit]
        return "tenors", (pd.Timestamp(valuation) + offset).date()
    try:
        return "dates", date.fromisoformat(field)
    except ValueError:
        return None
