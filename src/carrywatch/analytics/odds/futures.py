"""Policy odds per FOMC meeting from 30-day fed funds futures (CME FedWatch).

:func:`futures_implied_odds` turns ZQ settlement prices (rows = trade dates, columns =
contract months) into a distribution over target ranges after every FOMC meeting in the
horizon, for every trade date in one call. A price is 100 minus the expected average daily
EFFR of its calendar month (CBOT Rulebook, 30-Day Federal Funds futures); days are
calendar days (the EFFR of a weekend or holiday is that of the business day before); the
tree is :func:`~carrywatch.analytics.odds.tree.odds_from_period_averages` on calendar
months, with the conventions of :mod:`~carrywatch.analytics.odds.conventions` (by default
CME's live tool on each trade date).

CME's published worked examples, pinned in the tests: the worksheet "FedWatch calculation
examples" (settlements of 12 September 2022: ZQU2 97.4475, ZQV2 96.9400, ZQX2 96.4300;
September start 2.2987, end 3.0600, change 0.7613; November start 3.0600, end 3.5876,
change 0.5276) and Lao and Mirza (2015) (17 September 2015 meeting: FFQ5 99.8675, FFU5
99.805, 16 days before the meeting, 14 after, FFER(end) 0.26643, P(hike) 53.6%).

Rates are in percent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Final, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.analytics.odds.conventions import CME, Conventions
from carrywatch.analytics.odds.policy_odds import PolicyOdds
from carrywatch.analytics.odds.tree import odds_from_period_averages
from carrywatch.errors import ConfigError, InsufficientDataError

__all__ = [
    "MONTH_CODES",
    "Target",
    "contract_code",
    "contract_month",
    "futures_implied_odds",
    "implied_rate_pct",
    "odds_from_monthly_averages",
    "price_from_rate",
    "target_arrays",
]

FloatArray = npt.NDArray[np.float64]
Numeric = TypeVar("Numeric", float, FloatArray, pd.Series, pd.DataFrame)
#: The range in force: (lower, upper) in percent, numbers or Series over trade dates.
Target = tuple[float | pd.Series, float | pd.Series]

#: CME month codes, January to December.
MONTH_CODES: Final = "FGHJKMNQUVXZ"

_CODE = re.compile(r"^(?:ZQ|FF)?([FGHJKMNQUVXZ])(\d{1,2}|\d{4})(?:\.[A-Z]+)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


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
    digit within ``reference.year - 5`` to ``reference.year + 4``, ``reference`` being the
    trade date (required then: the same code names another contract ten years on, so it
    is never resolved by today's clock); two digits are 2000-2069 or 1970-1999.

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
    elif reference is None:
        raise ConfigError(
            f"{code!r}: a one-digit year needs the trade date to name its decade; give "
            "the year in two or four digits (e.g. ZQK26 or ZQK2026)"
        )
    else:
        year = next(
            y for y in range(reference.year - 5, reference.year + 5) if y % 10 == int(digits)
        )
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
    conventions: Conventions = CME,
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
    conventions:
        Chain, announcement day and step (:mod:`~carrywatch.analytics.odds.conventions`);
        the default is CME's live tool as of each trade date.
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
    :func:`~carrywatch.analytics.odds.tree.odds_from_period_averages` on calendar months.

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
        conventions=conventions,
        horizon=horizon,
        calendar_end=calendar_end,
    )


def odds_from_monthly_averages(
    averages_pct: pd.DataFrame,
    meetings: Sequence[date],
    target_range_pct: Target,
    *,
    source: Literal["futures", "path"],
    conventions: Conventions = CME,
    horizon: date | None = None,
    calendar_end: date | None = None,
) -> PolicyOdds:
    """The tree on expected monthly average rates in percent: rows = trade (or valuation)
    dates, columns = months as in :func:`futures_implied_odds`, which documents the rest."""
    if averages_pct.shape[0] == 0 or averages_pct.shape[1] == 0:
        raise InsufficientDataError("no monthly average rates given", series=(source,))
    first_day = pd.Timestamp(averages_pct.index[0]).date()  # names a one-digit year's decade
    months = [
        c if isinstance(c, pd.Period) else contract_month(str(c), reference=first_day)
        for c in averages_pct
    ]
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
        target_arrays(target_range_pct, trade_dates),
        source=source,
        period_labels=labels,
        conventions=conventions,
        horizon=horizon,
        calendar_end=calendar_end,
    )


def target_arrays(target: Target, trade_dates: Sequence[date]) -> tuple[FloatArray, FloatArray]:
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
