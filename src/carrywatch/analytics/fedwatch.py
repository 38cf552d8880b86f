"""Policy odds per meeting from 30-day fed funds futures (CME FedWatch) or from a path of
expected overnight rates (OIS, TONA forwards), with one probability tree for both.

* :func:`futures_implied_odds`: ZQ settlement prices (rows = trade dates, columns =
  contract months) to a distribution over target ranges after every FOMC meeting in the
  horizon, for every trade date in one call.
* :func:`path_implied_odds`: the same tree from expected average overnight rates, given as
  a :class:`RatePath` (read from CSV by
  :func:`rate_path_from_csv`) or as monthly averages, for banks without a fed-funds-style
  futures strip (the Bank of Japan); the step is a parameter.

The tree, its conventions and result types are in :mod:`carrywatch.analytics.rate_path`.
What is specific to the futures: a price is 100 minus the expected average daily EFFR of
its calendar month (CBOT Rulebook, 30-Day Federal Funds futures), days are calendar
days (the EFFR of a weekend or holiday is that of the business day before), and a month
without an FOMC meeting anchors its neighbours. Defaults follow CME's published method:

CME Group, "Fed Funds Futures Probability Tree Calculator", the FedWatch methodology,
https://www.cmegroup.com/education/demos-and-tutorials/fed-funds-futures-probability-tree-calculator.html,
with its worksheet "FedWatch calculation examples" (settlements of 12 September 2022:
ZQU2 97.4475, ZQV2 96.9400, ZQX2 96.4300; September start 2.2987, end 3.0600, change
0.7613; November start 3.0600, end 3.5876, change 0.5276); and J. Lao and A. Mirza,
"CME Group FedWatch Tool - Fed Funds Futures Probability Tree Calculator", CME Group
(17 September 2015 meeting: FFQ5 99.8675, FFU5 99.805, 16 days before the meeting, 14
after, FFER(end) 0.26643, P(hike) 53.6%).

Rates are in percent; OIS conventions (``tenor`` CSV rows) in :func:`forward_averages_pct`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.analytics.rate_path import (
    AnnouncementDay,
    Chain,
    MeetingOdds,
    PolicyOdds,
    TargetRangeOdds,
    odds_from_period_averages,
)
from carrywatch.analytics.units import pct_to_fraction
from carrywatch.errors import ConfigError, InsufficientDataError

__all__ = [
    "MONTH_CODES",
    "TONA_DAY_COUNT",
    "AnnouncementDay",
    "Chain",
    "MeetingOdds",
    "PolicyOdds",
    "RatePath",
    "TargetRangeOdds",
    "contract_code",
    "contract_month",
    "forward_averages_pct",
    "futures_implied_odds",
    "implied_rate_pct",
    "odds_from_monthly_averages",
    "path_implied_odds",
    "price_from_rate",
    "rate_path_from_csv",
]

FloatArray = npt.NDArray[np.float64]
Numeric = TypeVar("Numeric", float, FloatArray, pd.Series, pd.DataFrame)
Target = tuple[float | pd.Series, float | pd.Series]

#: CME month codes, January to December.
MONTH_CODES: Final = "FGHJKMNQUVXZ"
#: Days per year of the TONA OIS convention (ACT/365 fixed); SOFR and EFFR use 360.
TONA_DAY_COUNT: Final = 365.0

_CODE = re.compile(r"^(?:ZQ|FF)?([FGHJKMNQUVXZ])(\d{1,2}|\d{4})(?:\.[A-Z]+)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_TENOR = re.compile(r"^(\d+)\s*([DWMY])$")


def implied_rate_pct(price: Numeric) -> Numeric:
    """The average rate a ZQ price implies, in percent: ``100 - price``."""
    return 100.0 - price


def price_from_rate(rate_pct: Numeric) -> Numeric:
    """The ZQ price of an average rate in percent: ``100 - rate`` (inverse of the above)."""
    return 100.0 - rate_pct


def contract_month(code: str, *, reference: date | None = None) -> pd.Period:
    """The delivery month of a 30-day fed funds future, e.g. ``ZQK23`` -> 2023-05.

    Accepts ``ZQK23``, ``ZQK3``, ``ZQZ25.CBT`` (an exchange suffix is dropped), ``K23``,
    ``ZQK2023`` and ``2023-05``, in any case. A one-digit year is the year ending in that
    digit within ``reference.year - 5`` to ``reference.year + 4`` (``reference`` defaults to
    today, UTC); two digits are 2000-2069 or 1970-1999.

    Raises
    ------
    ConfigError
        When ``code`` is none of these forms.
    """
    text = code.strip().upper()
    if m := _YEAR_MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ConfigError(f"{code!r}: month {month} is not 01-12")
        return pd.Period(year=year, month=month, freq="M")
    m = _CODE.match(text)
    if m is None:
        raise ConfigError(f"{code!r} is not a ZQ contract code (ZQK23, ZQK3, ZQZ25.CBT) or YYYY-MM")
    month = MONTH_CODES.index(m.group(1)) + 1
    digits = m.group(2)
    if len(digits) == 4:
        year = int(digits)
    elif len(digits) == 2:
        year = int(digits) + (2000 if int(digits) < 70 else 1900)
    else:
        ref = (reference or datetime.now(UTC).date()).year
        year = next(y for y in range(ref - 5, ref + 5) if y % 10 == int(digits))
    return pd.Period(year=year, month=month, freq="M")


def contract_code(month: pd.Period) -> str:
    """The CME code of the ZQ contract for ``month``: 2025-03 -> ``ZQH25``."""
    return f"ZQ{MONTH_CODES[month.month - 1]}{month.year % 100:02d}"


# --- the futures engine ----------------------------------------------------------------------


def futures_implied_odds(
    settlements: pd.DataFrame,
    meetings: Sequence[date],
    target_range_pct: Target,
    *,
    step_bp: float = 25.0,
    announcement_day: AnnouncementDay = "new",
    chain: Chain = "cme",
    horizon: date | None = None,
    calendar_end: date | None = None,
) -> PolicyOdds:
    """FedWatch odds for every meeting in the horizon on every trade date of ``settlements``.

    Parameters
    ----------
    settlements:
        ZQ settlement prices: index = trade dates, columns = contract months
        (``pd.Period('2025-03', 'M')`` or any code :func:`contract_month` reads); NaN where
        a contract has no price. An expired month may hold its final settlement.
    meetings:
        FOMC decision (announcement) days, e.g. from the catalog's ``events.toml``; all of
        them, past ones included, since they shape the averages of their months.
    target_range_pct:
        (lower, upper) in force at the end of each trade date (on an announcement day, the
        range just decided), in percent: numbers, or Series indexed by the trade dates.
    step_bp:
        The move the tree is built from (CME: 25 bp).
    announcement_day, chain:
        Conventions (see :mod:`carrywatch.analytics.rate_path`); the defaults are CME's.
    horizon:
        The last meeting date of interest (default: ``calendar_end``); a horizon beyond
        the calendar is reported in ``notes``.
    calendar_end:
        The date through which ``meetings`` is the complete published calendar (default:
        the last meeting); later months anchor nothing.

    Returns
    -------
    PolicyOdds
        ``source`` "futures"; a pair that cannot be computed (a missing contract, no
        anchor, a meeting already held) has no distribution and a reason.

    Raises
    ------
    InsufficientDataError
        When ``settlements`` has no row or no column.

    Notes
    -----
    :math:`\\bar r_m = 100 - P_m`; the tree is
    :func:`~carrywatch.analytics.rate_path.odds_from_period_averages` on calendar months.

    References
    ----------
    CME Group, "Fed Funds Futures Probability Tree Calculator" and its worksheet "FedWatch
    calculation examples" (12 September 2022); Lao and Mirza, "CME Group FedWatch Tool -
    Fed Funds Futures Probability Tree Calculator" (the module docstring has both).
    """
    if settlements.shape[0] == 0 or settlements.shape[1] == 0:
        raise InsufficientDataError("no ZQ settlement prices given", series=("ZQ",))
    return odds_from_monthly_averages(
        implied_rate_pct(settlements),
        meetings,
        target_range_pct,
        source="futures",
        step_bp=step_bp,
        announcement_day=announcement_day,
        chain=chain,
        horizon=horizon,
        calendar_end=calendar_end,
    )


def odds_from_monthly_averages(
    averages_pct: pd.DataFrame,
    meetings: Sequence[date],
    target_range_pct: Target,
    *,
    source: Literal["futures", "path"],
    step_bp: float = 25.0,
    announcement_day: AnnouncementDay = "new",
    chain: Chain = "cme",
    horizon: date | None = None,
    calendar_end: date | None = None,
) -> PolicyOdds:
    """The tree on expected monthly average rates in percent: rows = trade (or valuation)
    dates, columns = months as in :func:`futures_implied_odds`, which documents the rest."""
    if averages_pct.shape[0] == 0 or averages_pct.shape[1] == 0:
        raise InsufficientDataError("no monthly average rates given", series=(source,))
    months = [c if isinstance(c, pd.Period) else contract_month(str(c)) for c in averages_pct]
    months = [m.asfreq("M") for m in months]
    if len(set(months)) != len(months):
        raise ValueError(f"a month appears twice among {averages_pct.columns.tolist()}")
    span = pd.period_range(min(months), max(months), freq="M")
    column = {m: i for i, m in enumerate(months)}
    values = averages_pct.to_numpy(dtype=np.float64)
    averages = np.full((values.shape[0], len(span)), np.nan)
    for p, month in enumerate(span):
        if month in column:
            averages[:, p] = values[:, column[month]]
    stamps = pd.DatetimeIndex(averages_pct.index)
    if stamps.has_duplicates:
        raise ValueError("trade dates must be unique")
    trade_dates = [ts.date() for ts in stamps]
    labels = [f"{m} ({contract_code(m)})" if source == "futures" else str(m) for m in span]
    return odds_from_period_averages(
        averages,
        [(m.start_time.date(), (m + 1).start_time.date()) for m in span],
        trade_dates,
        meetings,
        _target_arrays(target_range_pct, trade_dates),
        source=source,
        period_labels=labels,
        step_bp=step_bp,
        announcement_day=announcement_day,
        chain=chain,
        horizon=horizon,
        calendar_end=calendar_end,
    )


def _target_arrays(target: Target, trade_dates: Sequence[date]) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bound per trade date: a number for all, or a Series read on the
    trade dates exactly (a date it lacks gets NaN: no odds that day, never a carried value)."""
    stamps = pd.DatetimeIndex([pd.Timestamp(d) for d in trade_dates])
    out = []
    for side in target:
        if isinstance(side, pd.Series):
            values = side.set_axis(pd.DatetimeIndex(side.index).normalize()).reindex(stamps)
            out.append(values.to_numpy(dtype=np.float64))
        else:
            out.append(np.full(len(stamps), float(side)))
    if np.any(np.isinf(out[0])) or np.any(np.isinf(out[1])):
        raise ValueError("target bounds must be finite numbers")
    return out[0], out[1]


# --- the path engine -------------------------------------------------------------------------


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
    step_bp: float = 25.0,
    announcement_day: AnnouncementDay = "new",
    chain: Chain = "cme",
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
    step_bp, announcement_day, chain, horizon, calendar_end:
        As in :func:`futures_implied_odds`. For the BOJ the step is a judgement: 25 bp by
        default; it moved by 15 bp on 31 July 2024 (0-0.1% to 0.25%).

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
            step_bp=step_bp,
            announcement_day=announcement_day,
            chain=chain,
            horizon=horizon,
            calendar_end=calendar_end,
        )
    return odds_from_period_averages(
        np.array([path.average_rate_pct], dtype=np.float64),
        path.bounds,
        [path.start],
        meetings,
        _target_arrays(target_range_pct, [path.start]),
        source="path",
        step_bp=step_bp,
        announcement_day=announcement_day,
        chain=chain,
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
