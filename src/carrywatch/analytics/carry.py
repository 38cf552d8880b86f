"""The yen carry trade: rate differential, return index, volatility, carry-to-vol, drawdowns.

The trade is long dollars, short yen, funded in yen: borrow yen at the Japanese short
rate, sell them for dollars, earn the dollar short rate, and carry the exchange-rate risk.
It pays the differential while USD/JPY holds and loses when the yen rallies, as in the
July-August 2024 unwind (USD/JPY 161.73 on 2024-07-10, 143.95 on 2024-08-05).

Inputs are the catalog's series: ``fx.usdjpy`` (DEXJPUS, yen per dollar, noon New York),
``us.ust.3m`` (DGS3MO, percent) and, for the yen leg, ``jp.boj.call_rate`` when present,
else ``jp.boj.policy_rate`` (one value per BOJ meeting, frequency ``event``). The
embedded snapshot has no daily call-rate history, so on it the yen leg is the policy rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, align_asof, require
from carrywatch.analytics.spreads import spread_pp
from carrywatch.analytics.units import TRADING_DAYS_PER_YEAR, fraction_to_pct, pct_to_fraction
from carrywatch.errors import AnalyticsError, InsufficientDataError

__all__ = [
    "DrawdownEpisode",
    "carry_return_index",
    "carry_to_vol",
    "carry_to_vol_ratio",
    "drawdowns",
    "max_drawdown",
    "realized_vol_pct",
    "short_rate_differential_pp",
]

#: Money-market day-count bases: USD deposits accrue ACT/360, JPY deposits ACT/365.
USD_DAY_BASIS = 360
JPY_DAY_BASIS = 365


def _name(series: pd.Series, default: str) -> str:
    return default if series.name is None else str(series.name)


def short_rate_differential_pp(
    us_short: pd.Series, jp_short: pd.Series, *, max_age: timedelta
) -> pd.Series:
    """The carry: US 3-month Treasury minus Japan's overnight rate, in percentage points.

    Parameters
    ----------
    us_short:
        ``us.ust.3m`` (DGS3MO), percent.
    jp_short:
        ``jp.boj.call_rate`` when the store has it, else ``jp.boj.policy_rate``; the
        caller chooses and passes the series.
    max_age:
        The staleness limit of the yen leg: 7 days for the daily call rate,
        ``STALENESS_LIMITS["event"]`` (120 days) for the policy rate.

    Returns
    -------
    pandas.Series
        On the dates of ``us_short``; NaN where the yen leg is missing or stale.

    Notes
    -----
    .. math:: c_t = i^{USD,3m}_t - i^{JPY,o/n}_{\\tau(t)}

    Why these legs: a 3-month bill is close to what a dollar depositor earns on the
    proceeds of the trade; the BOJ overnight rate is the cost of yen funding. There is
    no JPY 3-month bill history in the data, so the tenors differ; with the BOJ near
    zero and moving rarely, the yen term premium at 3 months is a few basis points.
    The policy rate is a step series decided at meetings and in force until the next
    one changes it, so carrying it to the next meeting is not a forward fill but the
    rate in force; the ``event`` limit (120 days, the longest gap between meetings is
    about nine weeks) still ends it where there was no rate target (April 2013 to
    January 2016, when the BOJ targeted the monetary base).

    References
    ----------
    G. Galati, A. Heath and P. McGuire, "Evidence of carry trade activity", *BIS
    Quarterly Review*, September 2007, 27-41 (the 3-month differential as the carry).
    """
    return spread_pp(us_short, jp_short, max_age=max_age)


def carry_return_index(
    usdjpy: pd.Series,
    us_rate_pct: pd.Series,
    jp_rate_pct: pd.Series,
    *,
    base: float = 100.0,
    us_max_age: timedelta = STALENESS_LIMITS["daily"],
    jp_max_age: timedelta = STALENESS_LIMITS["event"],
) -> pd.Series:
    """Total-return index of long USD / short JPY funded in yen, in yen terms.

    Parameters
    ----------
    usdjpy:
        ``fx.usdjpy`` in yen per dollar; its dates are the index's dates.
    us_rate_pct, jp_rate_pct:
        The dollar deposit rate (``us.ust.3m``) and the yen funding rate
        (``jp.boj.call_rate`` or ``jp.boj.policy_rate``), percent per annum.
    base:
        The index value on its first date.
    us_max_age, jp_max_age:
        Staleness limits of the two rates (daily: 7 days; the BOJ policy rate: the
        ``event`` limit, 120 days).

    Returns
    -------
    pandas.Series
        Named ``carry:<usdjpy id>``, from the first USD/JPY date on which both rates
        are known (earlier dates are left out) to the last USD/JPY date.

    Raises
    ------
    InsufficientDataError
        Fewer than two USD/JPY observations from that first date, no date with both
        rates, or a rate missing (stale) later on: the index cannot be chained across
        a gap; the message names the series and the date, restrict the window to
        after it.

    Notes
    -----
    With :math:`S` in yen per dollar, :math:`d_t` the calendar days between two
    consecutive USD/JPY observations, and the rates those known at :math:`t-1`:

    .. math:: I_t = I_{t-1}\\,\\frac{S_t}{S_{t-1}}\\,
              \\frac{1 + r^{USD}_{t-1}\\,d_t/360}{1 + r^{JPY}_{t-1}\\,d_t/365}

    One dollar bought with :math:`S_{t-1}` borrowed yen earns the dollar rate for
    :math:`d_t` days (money-market ACT/360) and is sold back at :math:`S_t`; the yen
    loan accrues ACT/365. Weekends and holidays accrue interest (d = 3 on Mondays);
    the position is rolled at each observation, without transaction costs. DGS3MO is a
    bond-equivalent yield; accruing it ACT/360 overstates the dollar leg by 1.4 % of
    the rate (7 bp a year at 5 %), small next to the yen moves this index is about.
    With zero rates :math:`I_t = 100\\,S_t/S_0`.

    References
    ----------
    M. K. Brunnermeier, S. Nagel and L. H. Pedersen, "Carry Trades and Currency
    Crashes", *NBER Macroeconomics Annual* 23 (2008), 313-347, section 2 (the excess
    return of a currency carry position).
    """
    spot_id = _name(usdjpy, "fx.usdjpy")
    us_id, jp_id = _name(us_rate_pct, "us_rate"), _name(jp_rate_pct, "jp_rate")
    spot = require(usdjpy.sort_index(), series_id=spot_id, min_obs=2)
    dates = pd.DatetimeIndex(spot.index)
    us = align_asof(us_rate_pct, dates, us_max_age).to_numpy()
    jp = align_asof(jp_rate_pct, dates, jp_max_age).to_numpy()
    known = np.isfinite(us) & np.isfinite(jp)
    if not known.any():
        absent = tuple(n for n, v in ((us_id, us), (jp_id, jp)) if not np.isfinite(v).any())
        raise InsufficientDataError(
            f"no {spot_id} date has both {us_id} and {jp_id} within their staleness limits",
            series=absent or (us_id, jp_id),
        )
    first = int(np.argmax(known))
    if len(dates) - first < 2:
        raise InsufficientDataError(
            f"{spot_id} has fewer than two observations once both rates are known "
            f"(from {dates[first].date()})",
            series=(spot_id,),
        )
    dates, us, jp = dates[first:], us[first:], jp[first:]
    values = spot.to_numpy(dtype="float64")[first:]
    # The rates of t-1 accrue from t-1 to t: every date but the last needs both.
    for rid, rates in ((us_id, us), (jp_id, jp)):
        gaps = np.flatnonzero(~np.isfinite(rates[:-1]))
        if gaps.size:
            raise InsufficientDataError(
                f"{rid} is missing or stale on {dates[gaps[0]].date()}, inside the carry "
                f"index window starting {dates[0].date()}; start the index after the gap "
                "or refresh the series",
                series=(rid,),
            )
    days = np.diff(dates.to_numpy()).astype("timedelta64[D]").astype("float64")
    usd = 1.0 + pct_to_fraction(us[:-1]) * days / USD_DAY_BASIS
    jpy = 1.0 + pct_to_fraction(jp[:-1]) * days / JPY_DAY_BASIS
    growth = values[1:] / values[:-1] * usd / jpy
    index = base * np.concatenate(([1.0], np.cumprod(growth)))
    return pd.Series(index, index=dates, name=f"carry:{spot_id}")


def realized_vol_pct(prices: pd.Series, *, window: int = 63) -> pd.Series:
    """Annualized realized volatility of daily log returns, in percent.

    Parameters
    ----------
    prices:
        Positive prices (e.g. ``fx.usdjpy``).
    window:
        Returns per estimate (63 trading days, about three months).

    Returns
    -------
    pandas.Series
        On the dates of the returns (the first price date is dropped), NaN until
        ``window`` returns are available.

    Notes
    -----
    .. math:: \\sigma_t = 100\\,\\sqrt{252}\\;\\mathrm{sd}(r_{t-w+1}, \\dots, r_t),\\qquad
              r_t = \\ln(P_t / P_{t-1})

    Sample standard deviation (ddof=1) around the window's mean; returns between
    consecutive observations count as one trading day each, whatever the holidays.

    References
    ----------
    J. C. Hull, *Options, Futures, and Other Derivatives* (Pearson), chapter "The
    Black-Scholes-Merton Model", "Estimating volatility from historical data".
    """
    if window < 2:
        raise ValueError(f"window must be at least 2, not {window}")
    price_id = _name(prices, "prices")
    clean = require(prices.sort_index(), series_id=price_id, min_obs=window + 1)
    if (clean <= 0).any():
        raise AnalyticsError(f"{price_id} has non-positive prices; log returns are undefined")
    returns = np.log(clean).diff().iloc[1:]
    sd = returns.rolling(window, min_periods=window).std(ddof=1)
    vol = fraction_to_pct(sd * math.sqrt(TRADING_DAYS_PER_YEAR))
    return pd.Series(vol.to_numpy(dtype="float64"), index=returns.index, name=f"vol:{price_id}")


def carry_to_vol_ratio(differential_pp: float, vol_pct: float) -> float:
    """Carry per unit of exchange-rate risk for one date: ``differential_pp / vol_pct``.

    Raises ``AnalyticsError`` unless ``vol_pct`` is a positive finite number. See
    :func:`carry_to_vol`.
    """
    if not (math.isfinite(vol_pct) and vol_pct > 0.0):
        raise AnalyticsError(f"volatility must be positive, not {vol_pct!r}")
    return differential_pp / vol_pct


def carry_to_vol(
    differential_pp: pd.Series,
    vol_pct: pd.Series,
    *,
    max_age: timedelta = STALENESS_LIMITS["daily"],
) -> pd.Series:
    """Carry-to-risk ratio: the rate differential over annualized FX volatility.

    Parameters
    ----------
    differential_pp:
        From :func:`short_rate_differential_pp`, percentage points per annum.
    vol_pct:
        From :func:`realized_vol_pct` (or an implied volatility), percent per annum.
    max_age:
        Staleness limit of the differential carried to a volatility date.

    Returns
    -------
    pandas.Series
        Unitless, on the dates of ``vol_pct``; NaN where either is missing or the
        volatility is not positive.

    Notes
    -----
    .. math:: \\text{CtV}_t = \\frac{i^{USD}_t - i^{JPY}_t}{\\sigma_t}

    Both are annual rates in percent, so the ratio is unitless: an ex-ante Sharpe ratio
    of the carry trade if the exchange rate were a driftless random walk. 5.1 pp of
    carry over 8 % volatility (0.64) pays well for the risk; the same carry over 15 %
    (0.34) does not, and a falling ratio is what precedes unwinds.

    References
    ----------
    G. Galati, A. Heath and P. McGuire, "Evidence of carry trade activity", *BIS
    Quarterly Review*, September 2007, 27-41 (the carry-to-risk ratio).
    """
    dates = pd.DatetimeIndex(vol_pct.dropna().sort_index().index)
    carry = align_asof(differential_pp, dates, max_age).to_numpy()
    vol = vol_pct.dropna().sort_index().to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(vol > 0.0, carry / vol, np.nan)
    return pd.Series(ratio, index=dates, name="carry_to_vol")


def drawdowns(index: pd.Series) -> pd.Series:
    """Fraction below the running maximum: :math:`I_t / \\max_{s \\le t} I_s - 1 \\le 0`.

    0 at every new high; -0.11 is 11 % below the best level so far. NaN are dropped.
    References: M. Magdon-Ismail and A. F. Atiya, "Maximum drawdown", *Risk* 17(10)
    (2004), 99-102.
    """
    clean = index.dropna().sort_index()
    return (clean / clean.cummax() - 1.0).rename(f"drawdown:{_name(index, 'index')}")


@dataclass(frozen=True, slots=True)
class DrawdownEpisode:
    """The deepest fall from a running high within a window.

    Attributes
    ----------
    series_id:
        The index measured.
    start, end:
        The window's first and last observation dates (the running high restarts at
        ``start``: earlier highs are not looked at).
    peak_date, peak_value:
        The last date at the window's running high before the trough, and that high.
    trough_date, trough_value:
        The lowest point relative to that high (the first, if tied).
    depth_pct:
        ``100 * (trough / peak - 1)``, percent, <= 0.
    recovery_date:
        The first date after the trough, within the whole series (not only the
        window), when the index is back at or above the peak; None if not (yet).
    data_end:
        The last date of the series (so "not recovered" can be read against it).
    """

    series_id: str
    start: date
    end: date
    peak_date: date
    peak_value: float
    trough_date: date
    trough_value: float
    depth_pct: float
    recovery_date: date | None
    data_end: date

    def summary(self) -> str:
        """One line, e.g. "carry:fx.usdjpy max drawdown 2024-07-01..2024-08-30: -10.65 %
        from 2024-07-10 to 2024-08-05, not recovered by 2026-01-30"."""
        head = f"{self.series_id} max drawdown {self.start}..{self.end}"
        if self.depth_pct == 0.0:
            return f"{head}: none (every observation a new high)"
        recovered = (
            f"recovered {self.recovery_date}"
            if self.recovery_date is not None
            else f"not recovered by {self.data_end}"
        )
        return (
            f"{head}: {self.depth_pct:.2f} % from {self.peak_date} to {self.trough_date}, "
            f"{recovered}"
        )


def max_drawdown(
    index: pd.Series, start: date | None = None, end: date | None = None
) -> DrawdownEpisode:
    """The deepest drawdown of ``index`` between ``start`` and ``end`` (inclusive).

    Raises
    ------
    InsufficientDataError
        No observation in the window.

    Notes
    -----
    .. math:: \\text{MDD} = \\min_{t \\in W}\\Big(\\frac{I_t}{\\max_{s \\in W, s \\le t} I_s}
              - 1\\Big)

    over the window :math:`W`. When the index never falls (MDD = 0), peak and trough
    are the window's first date and there is no recovery date.

    References
    ----------
    M. Magdon-Ismail and A. F. Atiya, "Maximum drawdown", *Risk* 17(10) (2004), 99-102.
    """
    series_id = _name(index, "index")
    clean = index.dropna().sort_index()
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    window = require(clean.loc[lo:hi], series_id=series_id, min_obs=1)
    dd = (window / window.cummax() - 1.0).to_numpy(dtype="float64")
    at = int(np.argmin(dd))  # the first of tied minima
    trough = pd.DatetimeIndex(window.index)[at]
    depth = float(dd[at])
    if depth >= 0.0:
        first = window.index[0]
        return DrawdownEpisode(
            series_id=series_id,
            start=first.date(),
            end=window.index[-1].date(),
            peak_date=first.date(),
            peak_value=float(window.iloc[0]),
            trough_date=first.date(),
            trough_value=float(window.iloc[0]),
            depth_pct=0.0,
            recovery_date=None,
            data_end=clean.index[-1].date(),
        )
    before = window.loc[:trough]
    peak_value = float(before.max())
    peak = before.index[before.to_numpy() == peak_value][-1]
    after = clean.loc[clean.index > trough]
    back = after.index[after.to_numpy() >= peak_value]
    return DrawdownEpisode(
        series_id=series_id,
        start=window.index[0].date(),
        end=window.index[-1].date(),
        peak_date=peak.date(),
        peak_value=peak_value,
        trough_date=trough.date(),
        trough_value=float(window.iloc[at]),
        depth_pct=fraction_to_pct(depth),
        recovery_date=back[0].date() if len(back) else None,
        data_end=clean.index[-1].date(),
    )
