"""Cross-border flows and positioning: Japan's holdings of US Treasuries (TIC) and the
speculative yen position in CME futures (CFTC Commitments of Traders).

Inputs are the catalog series in their published units: ``tic.<country>.holdings`` and
``tic.total.holdings`` (usd_bn, end of month, obs_date the first of the month) and
``cftc.jpy.noncommercial_net`` (contracts, weekly, dated the Tuesday of the positions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, latest_asof
from carrywatch.analytics.units import fraction_to_pct, jpy_to_usd_bn
from carrywatch.errors import InsufficientDataError

__all__ = [
    "CME_JPY_CONTRACT_SIZE_JPY",
    "Positioning",
    "TicHoldings",
    "positioning",
    "tic_holdings",
]

#: Contract unit of CME Japanese yen futures (the contract CFTC code 097741 reports).
CME_JPY_CONTRACT_SIZE_JPY: Final = 12_500_000.0

#: Tolerance when looking for "the report one (four) weeks earlier": CFTC moves a report
#: date by a day or two around US holidays.
_REPORT_DATE_TOLERANCE: Final = timedelta(days=3)


def _name(series: pd.Series, default: str) -> str:
    name = series.name
    return name if isinstance(name, str) and name else default


def _value_on(series: pd.Series, day: date) -> float | None:
    """The observation dated exactly ``day`` (a calendar month for monthly data), if any."""
    value = series.dropna().get(pd.Timestamp(day))
    return None if value is None else float(value)


def _month_before(day: date, months: int) -> date:
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


@dataclass(frozen=True, slots=True)
class TicHoldings:
    """One country's holdings of US Treasury securities at the latest month on or before ``asof``.

    Changes compare with the observation for exactly one and twelve calendar months
    earlier; the share divides by all foreign holdings of the same month. Each is
    ``None`` when its comparison month is missing, and ``reasons`` says which.
    """

    series_id: str
    asof: date
    obs_date: date
    level_usd_bn: float
    change_1m_usd_bn: float | None
    change_12m_usd_bn: float | None
    total_usd_bn: float | None
    share_of_foreign_pct: float | None
    reasons: tuple[str, ...]

    def summary(self) -> str:
        """One line: level, monthly and yearly change, share of all foreign holdings."""
        parts = [f"{self.series_id} USD {self.level_usd_bn:,.1f}bn ({self.obs_date:%Y-%m})"]
        if self.change_1m_usd_bn is not None:
            parts.append(f"{self.change_1m_usd_bn:+,.1f}bn m/m")
        if self.change_12m_usd_bn is not None:
            parts.append(f"{self.change_12m_usd_bn:+,.1f}bn y/y")
        if self.share_of_foreign_pct is not None:
            parts.append(f"{self.share_of_foreign_pct:.2f}% of foreign holdings")
        if self.reasons:
            parts.append(f"{len(self.reasons)} input(s) missing")
        return ", ".join(parts)


def tic_holdings(
    japan: pd.Series, total: pd.Series, asof: date, *, max_age: timedelta | None = None
) -> TicHoldings:
    """Holdings of US Treasuries by one country (Japan by default): level, changes, share.

    Parameters
    ----------
    japan:
        The country's holdings, ``tic.japan.holdings`` (usd_bn, monthly); any
        ``tic.<country>.holdings`` works the same way.
    total:
        All foreign holdings, ``tic.total.holdings`` (usd_bn, monthly).
    asof:
        The cut-off: the latest month on or before it, at most ``max_age`` old.
    max_age:
        Default: the monthly staleness limit (95 days). TIC month ``M`` is released about
        80 days after ``M`` begins, so a reader of published data passes
        ``staleness_limit("monthly", 80)`` (118 days).

    Returns
    -------
    TicHoldings

    Raises
    ------
    InsufficientDataError
        When the country series has no observation within the limit on or before ``asof``.

    Notes
    -----
    With :math:`H_m` the holdings at the end of month :math:`m` and :math:`T_m` all
    foreign holdings:

    .. math::

        \\Delta_{1m} = H_m - H_{m-1}, \\quad \\Delta_{12m} = H_m - H_{m-12}, \\quad
        \\text{share} = 100\\,H_m / T_m

    Holdings are market values at end of month (TIC "Major Foreign Holders of Treasury
    Securities"), so a change mixes flows with price changes: a fall can be a
    revaluation, not a sale.

    References
    ----------
    U.S. Department of the Treasury, Treasury International Capital (TIC) System, "Major
    Foreign Holders of Treasury Securities" (table MFH).
    """
    series_id = _name(japan, "tic.japan.holdings")
    total_id = _name(total, "tic.total.holdings")
    limit = STALENESS_LIMITS["monthly"] if max_age is None else max_age
    latest = latest_asof(japan, asof, limit, series_id=series_id)
    if latest.value is None or latest.obs_date is None:
        raise InsufficientDataError(
            latest.reason or f"{series_id} has no usable observation", series=(series_id,)
        )
    month = latest.obs_date
    reasons: list[str] = []

    changes: list[float | None] = []
    for months in (1, 12):
        earlier = _month_before(month, months)
        before = _value_on(japan, earlier)
        if before is None:
            reasons.append(f"{series_id} has no observation for {earlier:%Y-%m}")
            changes.append(None)
        else:
            changes.append(latest.value - before)

    total_value = _value_on(total, month)
    share = None
    if total_value is None:
        reasons.append(f"{total_id} has no observation for {month:%Y-%m}")
    elif total_value <= 0:
        reasons.append(f"{total_id} is not positive for {month:%Y-%m}")
    else:
        share = float(fraction_to_pct(latest.value / total_value))

    return TicHoldings(
        series_id=series_id,
        asof=asof,
        obs_date=month,
        level_usd_bn=latest.value,
        change_1m_usd_bn=changes[0],
        change_12m_usd_bn=changes[1],
        total_usd_bn=total_value,
        share_of_foreign_pct=share,
        reasons=tuple(reasons),
    )


@dataclass(frozen=True, slots=True)
class Positioning:
    """The speculative (non-commercial) net yen futures position and where it stands.

    ``net_contracts`` > 0 is net long yen; < 0 net short yen (the futures leg of the carry
    trade). Statistics cover the observations in ``(obs_date - lookback_years, obs_date]``;
    ``window_start`` and ``window_obs`` say how much history that really was.
    """

    series_id: str
    asof: date
    obs_date: date
    net_contracts: float
    change_1w_contracts: float | None
    change_4w_contracts: float | None
    percentile_rank_pct: float
    zscore: float | None
    lookback_years: int
    window_start: date
    window_obs: int
    record_low_contracts: float
    record_low_date: date
    record_high_contracts: float
    record_high_date: date
    notional_usd_bn: float | None
    usdjpy: float | None
    reasons: tuple[str, ...]

    def summary(self) -> str:
        """One line: net position, rank in the window, z-score, notional, changes."""
        side = "long" if self.net_contracts > 0 else "short" if self.net_contracts < 0 else "flat"
        text = (
            f"speculators net {side} yen {abs(self.net_contracts):,.0f} contracts "
            f"({self.obs_date}), percentile {self.percentile_rank_pct:.0f} of "
            f"{self.window_obs} weeks since {self.window_start}"
        )
        if self.zscore is not None:
            text += f", z {self.zscore:+.2f}"
        if self.notional_usd_bn is not None:
            text += f", notional USD {self.notional_usd_bn:+,.1f}bn"
        if self.change_1w_contracts is not None:
            text += f", {self.change_1w_contracts:+,.0f} w/w"
        if self.change_4w_contracts is not None:
            text += f", {self.change_4w_contracts:+,.0f} over 4 weeks"
        return text


def _report_before(net: pd.Series, latest: date, weeks: int) -> float | None:
    """The report dated ``weeks`` weeks before ``latest``, give or take the tolerance."""
    target = latest - timedelta(weeks=weeks)
    found = latest_asof(net, target + _REPORT_DATE_TOLERANCE, 2 * _REPORT_DATE_TOLERANCE)
    return found.value


def positioning(
    net: pd.Series,
    asof: date,
    *,
    lookback_years: int = 3,
    usdjpy: pd.Series | float | None = None,
    max_age: timedelta | None = None,
) -> Positioning:
    """Latest CFTC non-commercial net yen position with its percentile, z-score and notional.

    Parameters
    ----------
    net:
        ``cftc.jpy.noncommercial_net`` (contracts, weekly): non-commercial long minus short
        in CME yen futures.
    asof:
        The cut-off: the latest report on or before it, at most ``max_age`` old.
    max_age:
        Default: the weekly staleness limit (14 days). Reports come out three days after
        their Tuesday, so a reader of published data passes ``staleness_limit("weekly",
        3)`` (17 days).
    lookback_years:
        Length of the trailing window for the percentile, z-score and records.
    usdjpy:
        USD/JPY in yen per dollar (``fx.usdjpy``) as a Series, sampled at the report date
        within the daily staleness limit (7 days), or a single rate. Without it the
        notional is ``None``.

    Returns
    -------
    Positioning

    Raises
    ------
    InsufficientDataError
        When no report lies within ``max_age`` on or before ``asof``.

    Notes
    -----
    With :math:`x_t` the latest net position and :math:`W` the :math:`n` reports in
    :math:`(t - L, t]` (the latest included):

    - percentile rank (mid-rank among the *other* reports, so the window minimum is 0
      and the maximum 100):
      :math:`100\\,(\\#\\{w<x_t\\} + \\tfrac12(\\#\\{w=x_t\\}-1)) / (n-1)`;
    - z-score :math:`(x_t - \\bar w)/s_w` with the sample standard deviation
      (``ddof=1``) of :math:`W`, ``None`` when :math:`s_w = 0` or :math:`n < 2`;
    - changes over one and four weeks against the report dated 7 and 28 days earlier
      (within ±3 days for holiday-shifted reports), ``None`` when there is none;
    - notional :math:`x_t \\times 12{,}500{,}000\\,\\text{JPY} / S` in USD bn, with
      :math:`S` USD/JPY (converted by :func:`~carrywatch.analytics.units.jpy_to_usd_bn`).

    A window shorter than ``lookback_years`` (the series starts later) is reported in
    ``window_start`` and ``reasons``, not padded.

    References
    ----------
    U.S. Commodity Futures Trading Commission, Commitments of Traders, legacy futures-only
    report, Japanese yen (CME, code 097741). CME Group, Japanese Yen futures contract
    specifications (contract unit 12,500,000 JPY).
    """
    if lookback_years < 1:
        raise ValueError(f"lookback_years must be at least 1, not {lookback_years}")
    series_id = _name(net, "cftc.jpy.noncommercial_net")
    clean = net.dropna().astype("float64").sort_index()
    limit = STALENESS_LIMITS["weekly"] if max_age is None else max_age
    latest = latest_asof(clean, asof, limit, series_id=series_id)
    if latest.value is None or latest.obs_date is None:
        raise InsufficientDataError(
            latest.reason or f"{series_id} has no usable observation", series=(series_id,)
        )
    x, when = latest.value, latest.obs_date
    reasons: list[str] = []

    start = pd.Timestamp(when) - pd.DateOffset(years=lookback_years)
    window = clean.loc[(clean.index > start) & (clean.index <= pd.Timestamp(when))]
    values = window.to_numpy(dtype="float64")
    n = len(values)
    first = pd.DatetimeIndex(window.index)[0].date()
    if first - start.date() > timedelta(days=14):
        reasons.append(
            f"{series_id} starts {first}: the window holds {n} weeks, "
            f"less than the {lookback_years} years asked for"
        )
    if n > 1:
        below = float(np.sum(values < x))
        ties = float(np.sum(values == x)) - 1.0
        percentile = 100.0 * (below + 0.5 * ties) / (n - 1)
    else:
        percentile = 50.0
        reasons.append(f"{series_id} has a single report in the window; its rank is undefined")
    # All equal (np.ptp == 0): no spread, even if rounding leaves np.std a hair above 0.
    spread = float(np.std(values, ddof=1)) if n > 1 and np.ptp(values) > 0 else 0.0
    zscore = (x - float(np.mean(values))) / spread if spread > 0 else None

    changes: list[float | None] = []
    for weeks in (1, 4):
        before = _report_before(clean, when, weeks)
        if before is None:
            reasons.append(f"{series_id} has no report about {weeks} week(s) before {when}")
        changes.append(None if before is None else x - before)

    rate: float | None
    if isinstance(usdjpy, pd.Series):
        fx = latest_asof(
            usdjpy, when, STALENESS_LIMITS["daily"], series_id=_name(usdjpy, "fx.usdjpy")
        )
        rate = fx.value
        if rate is None:
            reasons.append(fx.reason or "fx.usdjpy is missing")
    elif usdjpy is None:
        rate = None
        reasons.append("fx.usdjpy was not supplied; the notional is not computed")
    else:
        rate = float(usdjpy)
    notional = None if rate is None else float(jpy_to_usd_bn(x * CME_JPY_CONTRACT_SIZE_JPY, rate))

    dates = pd.DatetimeIndex(window.index)
    low_at, high_at = int(np.argmin(values)), int(np.argmax(values))
    return Positioning(
        series_id=series_id,
        asof=asof,
        obs_date=when,
        net_contracts=x,
        change_1w_contracts=changes[0],
        change_4w_contracts=changes[1],
        percentile_rank_pct=percentile,
        zscore=zscore,
        lookback_years=lookback_years,
        window_start=first,
        window_obs=n,
        record_low_contracts=float(values[low_at]),
        record_low_date=dates[low_at].date(),
        record_high_contracts=float(values[high_at]),
        record_high_date=dates[high_at].date(),
        notional_usd_bn=notional,
        usdjpy=rate,
        reasons=tuple(reasons),
    )
