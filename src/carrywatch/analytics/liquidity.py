"""Dollar liquidity: the Fed's balance sheet net of the Treasury's cash and the ON RRP,
the pace of quantitative tightening, and broad money growth.

Inputs are the catalog series in their published units: ``us.fed.assets`` (WALCL,
Wednesday level, usd_mn), ``us.tga`` (Daily Treasury Statement closing balance, usd_mn)
or ``us.tga.weekly`` (WTREGEN, Wednesday level, usd_bn), ``us.rrp`` (RRPONTSYD, daily,
usd_bn) and ``us.m2`` (M2SL, monthly, usd_bn). Every dollar amount is converted with
:func:`~carrywatch.analytics.units.to_usd_bn`; every cross-frequency lookup is "the latest
observation on or before, within a staleness limit" (:mod:`~carrywatch.analytics.alignment`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, AsofValue, align_asof, latest_asof
from carrywatch.analytics.units import to_usd_bn

__all__ = [
    "DAYS_PER_MONTH",
    "LiquiditySnapshot",
    "liquidity_asof",
    "m2_yoy_pct",
    "net_liquidity_usd_bn",
    "qt_pace_usd_bn_per_month",
    "twelve_month_change_pct",
]

#: Mean Gregorian month in days, used to express an elapsed span in months.
DAYS_PER_MONTH: Final = 365.2425 / 12

#: Catalog frequency of each series this module knows (picks the default staleness limit).
_FREQUENCY: Final[Mapping[str, str]] = {
    "us.fed.assets": "weekly",
    "us.tga": "daily",
    "us.tga.weekly": "weekly",
    "us.rrp": "daily",
    "us.m2": "monthly",
}

#: The series id assumed for an input whose Series is unnamed or named otherwise.
_ROLE_ID: Final[Mapping[str, str]] = {
    "assets": "us.fed.assets",
    "tga": "us.tga",
    "rrp": "us.rrp",
    "m2": "us.m2",
}


def _series_id(series: pd.Series, role: str) -> str:
    name = series.name
    return name if isinstance(name, str) and name else _ROLE_ID[role]


def _max_age(series: pd.Series, role: str, overrides: Mapping[str, timedelta] | None) -> timedelta:
    if overrides is not None:
        unknown = set(overrides) - set(_ROLE_ID)
        if unknown:
            raise ValueError(
                f"max_age keys must be among {sorted(_ROLE_ID)}, not {sorted(unknown)}"
            )
        if role in overrides:
            return overrides[role]
    frequency = _FREQUENCY.get(_series_id(series, role), _FREQUENCY[_ROLE_ID[role]])
    return STALENESS_LIMITS[frequency]


def _ns(index: pd.Index) -> pd.DatetimeIndex:
    """``index`` at nanosecond resolution: merge_asof refuses keys of different units
    (the snapshot reads dates as datetime64[us], the store as datetime64[ns])."""
    return pd.DatetimeIndex(index).as_unit("ns")


def _in_usd_bn(series: pd.Series, unit: str) -> pd.Series:
    clean = series.dropna().astype("float64")
    clean.index = _ns(clean.index)
    return to_usd_bn(clean.sort_index(), unit)


def net_liquidity_usd_bn(
    assets: pd.Series,
    tga: pd.Series,
    rrp: pd.Series,
    *,
    assets_unit: str = "usd_mn",
    tga_unit: str = "usd_mn",
    rrp_unit: str = "usd_bn",
    index: pd.DatetimeIndex | None = None,
    max_age: Mapping[str, timedelta] | None = None,
) -> pd.Series:
    """Fed total assets minus the Treasury General Account minus the ON RRP, in USD bn.

    Parameters
    ----------
    assets, tga, rrp:
        Fed total assets (``us.fed.assets``, WALCL), the TGA (``us.tga`` daily or
        ``us.tga.weekly``) and overnight reverse repos (``us.rrp``, RRPONTSYD), each on a
        DatetimeIndex of obs_dates, in the unit named by the matching ``*_unit``.
    assets_unit, tga_unit, rrp_unit:
        ``usd``, ``usd_mn`` or ``usd_bn`` (the catalog's unit of each series; ``us.tga``
        is usd_mn, ``us.tga.weekly`` usd_bn).
    index:
        The dates to compute on; by default the observation dates of ``assets`` (the
        Wednesdays of WALCL).
    max_age:
        Staleness limit per input, keyed ``assets``, ``tga``, ``rrp``; by default the
        limit of the series' catalog frequency (7 days for a daily series, 14 for a weekly
        one; see :data:`~carrywatch.analytics.alignment.STALENESS_LIMITS`).

    Returns
    -------
    pandas.Series
        ``net_liquidity_usd_bn`` on ``index``; NaN wherever any input has no observation
        within its limit on or before the date.

    Notes
    -----
    .. math:: NL_t = A_t - TGA_t - RRP_t

    each term the latest observation on or before :math:`t` converted to USD billions.

    "Net liquidity" is a market convention, not an official statistic: it became a widely
    followed gauge of the dollar liquidity left to markets during the 2022 start of
    quantitative tightening, on the argument that reserves created by asset purchases
    are drained when the Treasury builds cash at the Fed or money funds park cash in the
    ON RRP. Its components are liabilities and assets of the Federal Reserve's
    consolidated balance sheet.

    References
    ----------
    Board of Governors of the Federal Reserve System, statistical release H.4.1, "Factors
    Affecting Reserve Balances of Depository Institutions" (total assets; U.S. Treasury,
    General Account). Federal Reserve Bank of New York, reverse repo operations (the
    daily ON RRP take-up behind FRED RRPONTSYD, Treasury securities sold).
    """
    dates = pd.DatetimeIndex(assets.dropna().index if index is None else index)
    index = _ns(dates)
    legs: list[np.ndarray] = []
    for role, series, unit in (
        ("assets", assets, assets_unit),
        ("tga", tga, tga_unit),
        ("rrp", rrp, rrp_unit),
    ):
        limit = _max_age(series, role, max_age)
        legs.append(align_asof(_in_usd_bn(series, unit), index, limit).to_numpy(dtype="float64"))
    net = legs[0] - legs[1] - legs[2]
    return pd.Series(net, index=dates, name="net_liquidity_usd_bn")


def qt_pace_usd_bn_per_month(
    assets: pd.Series, *, months: int = 3, unit: str = "usd_mn"
) -> pd.Series:
    """Average monthly change of the Fed's total assets over a trailing window, USD bn/month.

    Negative values are balance-sheet runoff (quantitative tightening).

    Parameters
    ----------
    assets:
        Fed total assets (``us.fed.assets``, WALCL, weekly Wednesday levels).
    months:
        Length of the trailing window in calendar months (at least 1).
    unit:
        Unit of ``assets`` (catalog: usd_mn).

    Returns
    -------
    pandas.Series
        ``qt_pace_usd_bn_per_month`` on the observation dates of ``assets``; NaN where no
        observation lies within the weekly staleness limit (14 days) on or before the
        window start.

    Notes
    -----
    .. math:: \\text{pace}_t = \\frac{A_t - A_s}{(t - s)/\\bar m}

    where :math:`s` is the date of the latest observation on or before :math:`t` minus
    ``months`` calendar months, and :math:`\\bar m` = 30.436875 days (the mean Gregorian
    month). Dividing by the elapsed span rather than by ``months`` keeps the rate exact
    when the window start falls between two Wednesdays.

    References
    ----------
    Board of Governors of the Federal Reserve System, "Plans for Reducing the Size of the
    Federal Reserve's Balance Sheet" (FOMC, 4 May 2022), which sets runoff as monthly caps;
    a monthly pace is therefore the natural unit.
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months}")
    level = _in_usd_bn(assets, unit)
    name = _series_id(assets, "assets")
    limit = STALENESS_LIMITS[_FREQUENCY.get(name, "weekly")]
    when = pd.DatetimeIndex(level.index)
    starts = when - pd.DateOffset(months=months)
    day_number = pd.Series(
        (when - pd.Timestamp("1970-01-01")).days.to_numpy(dtype="float64"), index=when
    )
    start_level = align_asof(level, starts, limit).to_numpy(dtype="float64")
    start_day = align_asof(day_number, starts, limit).to_numpy(dtype="float64")
    elapsed_months = (day_number.to_numpy() - start_day) / DAYS_PER_MONTH
    pace = (level.to_numpy(dtype="float64") - start_level) / elapsed_months
    return pd.Series(pace, index=when, name="qt_pace_usd_bn_per_month")


def twelve_month_change_pct(series: pd.Series) -> pd.Series:
    """Percent change of a monthly series over twelve months, matched by calendar month.

    Parameters
    ----------
    series:
        Monthly observations (obs_date the first of the month, as in the catalog).

    Returns
    -------
    pandas.Series
        On the observation dates of ``series``: NaN where the observation dated exactly
        twelve months earlier is missing. A gap is never bridged by comparing with the
        twelfth *observation* back, which would compare the wrong months.

    Notes
    -----
    .. math:: g_t = 100\\,(x_t / x_{t-12\\,\\text{months}} - 1)

    References
    ----------
    The 12-month percent change as published with consumer prices, e.g. U.S. Bureau of
    Labor Statistics, *Handbook of Methods*, "Consumer Price Index: Calculation".
    """
    clean = series.dropna().astype("float64").sort_index()
    when = pd.DatetimeIndex(clean.index)
    if when.has_duplicates:
        raise ValueError(f"{series.name} has more than one observation for some dates")
    year_ago = clean.reindex(when - pd.DateOffset(months=12)).to_numpy(dtype="float64")
    change = 100.0 * (clean.to_numpy(dtype="float64") / year_ago - 1.0)
    return pd.Series(change, index=when, name=f"{series.name}.yoy_pct")


def m2_yoy_pct(m2: pd.Series) -> pd.Series:
    """Year-on-year growth of M2 (``us.m2``, monthly) in percent.

    See :func:`twelve_month_change_pct`: a month whose year-ago observation is missing is
    NaN, never compared with another month.

    References
    ----------
    Board of Governors of the Federal Reserve System, statistical release H.6, "Money
    Stock Measures".
    """
    return twelve_month_change_pct(m2).rename("m2_yoy_pct")


@dataclass(frozen=True, slots=True)
class LiquiditySnapshot:
    """Dollar liquidity as of one date, each input with its own observation date.

    A field is ``None`` when its input is missing or stale; ``missing`` names those series
    and ``reasons`` says why, one sentence each.
    """

    asof: date
    assets_usd_bn: float | None
    assets_obs_date: date | None
    tga_usd_bn: float | None
    tga_obs_date: date | None
    rrp_usd_bn: float | None
    rrp_obs_date: date | None
    net_liquidity_usd_bn: float | None
    qt_pace_usd_bn_per_month: float | None
    qt_months: int
    m2_usd_bn: float | None
    m2_obs_date: date | None
    m2_yoy_pct: float | None
    missing: tuple[str, ...]
    reasons: tuple[str, ...]

    def summary(self) -> str:
        """One line: net liquidity with its parts, QT pace, M2 growth, what is missing."""
        parts: list[str] = []
        if self.net_liquidity_usd_bn is not None:
            parts.append(
                f"net liquidity USD {self.net_liquidity_usd_bn:,.0f}bn as of {self.asof} "
                f"(Fed assets {self.assets_usd_bn:,.0f} - TGA {self.tga_usd_bn:,.0f} "
                f"- ON RRP {self.rrp_usd_bn:,.0f})"
            )
        else:
            parts.append(f"net liquidity n/a as of {self.asof}")
        if self.qt_pace_usd_bn_per_month is not None:
            parts.append(
                f"balance sheet {self.qt_pace_usd_bn_per_month:+,.1f}bn/month "
                f"over {self.qt_months} months"
            )
        if self.m2_yoy_pct is not None and self.m2_obs_date is not None:
            parts.append(f"M2 {self.m2_yoy_pct:+.1f}% y/y ({self.m2_obs_date:%Y-%m})")
        if self.missing:
            parts.append("missing: " + ", ".join(self.missing))
        return "; ".join(parts)


def _component(series: pd.Series, role: str, unit: str, asof: date, limit: timedelta) -> AsofValue:
    return latest_asof(_in_usd_bn(series, unit), asof, limit, series_id=_series_id(series, role))


def liquidity_asof(
    assets: pd.Series,
    tga: pd.Series,
    rrp: pd.Series,
    asof: date,
    *,
    m2: pd.Series | None = None,
    assets_unit: str = "usd_mn",
    tga_unit: str = "usd_mn",
    rrp_unit: str = "usd_bn",
    m2_unit: str = "usd_bn",
    qt_months: int = 3,
    max_age: Mapping[str, timedelta] | None = None,
) -> LiquiditySnapshot:
    """Levels, net liquidity, QT pace and M2 growth as of ``asof``.

    Parameters
    ----------
    assets, tga, rrp, assets_unit, tga_unit, rrp_unit:
        As in :func:`net_liquidity_usd_bn`.
    asof:
        The cut-off: each input contributes its latest observation on or before it.
    m2, m2_unit:
        M2 (``us.m2``, monthly, usd_bn); optional.
    qt_months:
        Window of :func:`qt_pace_usd_bn_per_month`.
    max_age:
        Staleness limit per input, keyed ``assets``, ``tga``, ``rrp``, ``m2``; defaults
        from each series' catalog frequency.

    Returns
    -------
    LiquiditySnapshot
        Net liquidity is computed only when all three components are fresh; otherwise it
        is ``None`` and ``reasons`` names the stale or missing series with its last date.

    Notes
    -----
    Net liquidity :math:`= A - TGA - RRP` from the latest fresh value of each (their
    observation dates may differ by a few days: the fields report each one). The QT pace
    is :func:`qt_pace_usd_bn_per_month` at the assets observation; M2 growth is
    :func:`m2_yoy_pct` at the latest fresh M2 observation.

    References
    ----------
    See :func:`net_liquidity_usd_bn` (H.4.1) and :func:`m2_yoy_pct` (H.6).
    """
    reasons: list[str] = []
    missing: list[str] = []
    values: dict[str, AsofValue] = {}
    for role, series, unit in (
        ("assets", assets, assets_unit),
        ("tga", tga, tga_unit),
        ("rrp", rrp, rrp_unit),
    ):
        found = _component(series, role, unit, asof, _max_age(series, role, max_age))
        values[role] = found
        if found.value is None:
            missing.append(found.series_id)
            reasons.append(found.reason or f"{found.series_id} is missing")

    a, t, r = values["assets"], values["tga"], values["rrp"]
    net = None
    if a.value is not None and t.value is not None and r.value is not None:
        net = a.value - t.value - r.value

    pace = None
    if a.value is not None and a.obs_date is not None:
        paces = qt_pace_usd_bn_per_month(assets, months=qt_months, unit=assets_unit)
        at = paces.get(pd.Timestamp(a.obs_date))
        if at is not None and np.isfinite(at):
            pace = float(at)
        else:
            start = (pd.Timestamp(a.obs_date) - pd.DateOffset(months=qt_months)).date()
            limit = STALENESS_LIMITS[_FREQUENCY.get(a.series_id, "weekly")]
            reasons.append(
                f"{a.series_id} has no observation within {limit.days} days before {start}; "
                f"the {qt_months}-month QT pace needs one"
            )

    m2_value = m2_date = m2_growth = None
    if m2 is None:
        reasons.append("us.m2 was not supplied; M2 growth is not computed")
    else:
        found = _component(m2, "m2", m2_unit, asof, _max_age(m2, "m2", max_age))
        if found.value is None or found.obs_date is None:
            missing.append(found.series_id)
            reasons.append(found.reason or f"{found.series_id} is missing")
        else:
            m2_value, m2_date = found.value, found.obs_date
            growth = m2_yoy_pct(to_usd_bn(m2.astype("float64"), m2_unit)).get(pd.Timestamp(m2_date))
            if growth is not None and np.isfinite(growth):
                m2_growth = float(growth)
            else:
                year_ago = (pd.Timestamp(m2_date) - pd.DateOffset(months=12)).date()
                reasons.append(
                    f"{found.series_id} has no observation for {year_ago:%Y-%m}; "
                    "M2 growth is not computed"
                )

    return LiquiditySnapshot(
        asof=asof,
        assets_usd_bn=a.value,
        assets_obs_date=a.obs_date if a.value is not None else None,
        tga_usd_bn=t.value,
        tga_obs_date=t.obs_date if t.value is not None else None,
        rrp_usd_bn=r.value,
        rrp_obs_date=r.obs_date if r.value is not None else None,
        net_liquidity_usd_bn=net,
        qt_pace_usd_bn_per_month=pace,
        qt_months=qt_months,
        m2_usd_bn=m2_value,
        m2_obs_date=m2_date,
        m2_yoy_pct=m2_growth,
        missing=tuple(missing),
        reasons=tuple(reasons),
    )
