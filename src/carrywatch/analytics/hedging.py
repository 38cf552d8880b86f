"""What a yen-based investor earns on Treasuries once the currency risk is hedged.

A Japanese life insurer buying a 10-year Treasury sells the dollars forward (a rolling
3-month FX swap) so that the yen value is fixed. The hedge costs roughly the dollar-yen
short-rate differential plus the cross-currency basis; when the Fed is at 5 % and the
BOJ near zero, the hedged Treasury yields less than a JGB, which is why hedged Japanese
demand for Treasuries fades when the policy gap is wide and returns when it narrows.

Conventions used throughout:

* USD/JPY is quoted in yen per dollar (``fx.usdjpy``); a forward below spot means dollar
  rates exceed yen rates.
* A hedge cost is an annualized rate in percent, positive when hedging costs the yen
  investor money; hedged yield = dollar yield - hedge cost.
* The cross-currency basis is in basis points, negative when borrowing dollars through
  FX swaps is dearer than in the dollar money market (the normal state for USD/JPY since
  2008); a negative basis *raises* the hedge cost.
* A 10-year yield hedged with a rolling 3-month hedge assumes today's hedge cost is paid
  over the holding period; it is a carry, not a locked-in return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, align_asof, latest_asof
from carrywatch.analytics.carry import JPY_DAY_BASIS, USD_DAY_BASIS
from carrywatch.analytics.units import Numeric, bp_to_pp, fraction_to_pct, pct_to_fraction

__all__ = [
    "ASSUMED_BASIS_BP",
    "ASSUMED_BASIS_SOURCE",
    "HEDGE_TENOR_MONTHS",
    "HedgedYield",
    "bill_money_market_pct",
    "hedge_cost_from_forward_pct",
    "hedge_cost_from_rates_pct",
    "hedged_yield",
    "hedged_yield_asof",
    "hedged_yield_history",
    "parity_forward_ratio",
    "tenor_days",
]

#: The hedge rolled by Japanese life insurers and the press's hedged-yield quotes.
HEDGE_TENOR_MONTHS: Final = 3

#: The 3-month USD/JPY cross-currency basis assumed when no basis series is stored, bp.
ASSUMED_BASIS_BP: Final = -53.5

#: Where :data:`ASSUMED_BASIS_BP` comes from, shown next to every figure that uses it.
ASSUMED_BASIS_SOURCE: Final = (
    "3-month USD/JPY cross-currency basis of -53.5 bp on 2024-10-03 (Bloomberg, in "
    "The Japan Times of 2024-10-05: 'a level not seen since November 2023'), the one dated "
    "3-month level found; an assumption for every date, as no basis series is stored"
)


def tenor_days(start: date | pd.DatetimeIndex, months: int) -> Any:
    """Calendar days from ``start`` to ``start`` plus ``months`` months (ACT).

    A 3-month hedge from 2024-11-12 runs to 2025-02-12: 92 days. Month ends roll back
    (2024-11-30 + 3 months = 2025-02-28), as :class:`pandas.DateOffset` does.
    """
    if months <= 0:
        raise ValueError(f"the hedge tenor must be at least one month ({months})")
    if isinstance(start, pd.DatetimeIndex):
        return ((start + pd.DateOffset(months=months)) - start).days.to_numpy()
    return int(((pd.Timestamp(start) + pd.DateOffset(months=months)) - pd.Timestamp(start)).days)


def bill_money_market_pct(bond_equivalent_pct: Numeric) -> Numeric:
    """A Treasury bill's bond-equivalent yield restated on the ACT/360 money-market basis.

    Notes
    -----
    For a bill of :math:`t` days at discount rate :math:`d`, the bond-equivalent yield
    is :math:`365\\,d / (360 - d\\,t)` and the money-market yield
    :math:`360\\,d / (360 - d\\,t)`, so

    .. math:: y_{MM} = y_{BEY}\\cdot 360/365

    (bills of up to half a year; H.15's DGS3MO and Treasury's 3-month CMT are
    bond-equivalent). At 4.63 % the money-market rate is 4.567 %.

    References
    ----------
    U.S. Treasury, "Daily Treasury Bill Rates" (interpretation: coupon equivalent);
    M. Stigum and A. Crescenzi, *Stigum's Money Market*, 4th ed. (2007), ch. 4.
    """
    converted: Numeric = bond_equivalent_pct * (USD_DAY_BASIS / JPY_DAY_BASIS)
    return converted


def hedge_cost_from_forward_pct(
    spot: Numeric, forward: Numeric, tenor_days: int | Any, *, day_count: int = USD_DAY_BASIS
) -> Numeric:
    """Annualized cost of selling dollars forward, for a yen investor, in percent.

    Parameters
    ----------
    spot, forward:
        USD/JPY spot and outright forward, yen per dollar (floats or aligned arrays).
    tenor_days:
        Calendar days from spot to the forward's value date (:func:`tenor_days`; 92 for
        3 months from 2024-11-12), an int or an array aligned with the prices.
    day_count:
        Annualization basis: 360, the ACT/360 money-market convention of the dollar leg
        the hedge replaces (the press's "hedge cost"); 365 restates it per calendar year,
        1.4 % of the cost higher (6 bp at 4.5 %).

    Notes
    -----
    .. math:: c = \\frac{S - F}{S}\\cdot\\frac{\\text{day\\_count}}{\\text{tenor}}\\cdot 100

    The investor buys dollars at :math:`S` and sells them forward at :math:`F`: per
    dollar, :math:`S - F` yen are lost over the tenor, :math:`(S - F)/S` of the yen
    invested. Under covered interest parity (:func:`parity_forward_ratio`)
    :math:`F < S` when dollar rates exceed yen rates, and then the cost is positive.

    References
    ----------
    W. Du, A. Tepper and A. Verdelhan, "Deviations from Covered Interest Rate
    Parity", *Journal of Finance* 73(3) (2018), 915-957, section I.
    """
    _check_tenor(tenor_days, day_count)
    per_year: Numeric = (spot - forward) / spot * (day_count / tenor_days)
    return fraction_to_pct(per_year)


def parity_forward_ratio(
    us_money_market_pct: Numeric,
    jp_short_pct: Numeric,
    tenor_days: int | Any,
    *,
    basis_bp: float,
) -> Numeric:
    """The outright forward over spot, :math:`F/S`, implied by money-market rates.

    Parameters
    ----------
    us_money_market_pct:
        Dollar rate of the hedge's tenor on the ACT/360 basis, percent (a bill yield
        goes through :func:`bill_money_market_pct` first).
    jp_short_pct:
        Yen rate of the hedge's tenor on the ACT/365 basis, percent.
    tenor_days:
        Calendar days of the hedge.
    basis_bp:
        USD/JPY cross-currency basis, bp: the spread added to the yen rate in an FX swap;
        negative when dollars are dearer through swaps than in the dollar money market.

    Notes
    -----
    .. math:: \\frac{F}{S} = \\frac{1 + (i_{JPY} + x)\\,\\tau/365}{1 + i_{USD}\\,\\tau/360}

    Covered interest parity with each currency's money-market day count, the basis
    :math:`x` on the yen leg (Du, Tepper and Verdelhan's definition: the yen rate
    implied by the swap is :math:`i_{JPY} + x`). A negative basis lowers the forward and
    so raises the hedge cost. With the ratio :func:`hedge_cost_from_forward_pct` gives
    the cost exactly: :math:`c = (i_{USD} - (i_{JPY} + x)\\,360/365)/(1 + i_{USD}\\tau/360)`,
    below the first-order :math:`i_{USD} - i_{JPY} - x` by the discount on the dollar leg
    (6 bp at 5 % dollar rates) and the day counts.

    References
    ----------
    W. Du, A. Tepper and A. Verdelhan (2018), section I.A; BIS, "Triennial Survey"
    glossary: FX swap.
    """
    usd = 1.0 + pct_to_fraction(us_money_market_pct) * tenor_days / USD_DAY_BASIS
    jpy = 1.0 + pct_to_fraction(jp_short_pct + bp_to_pp(basis_bp)) * tenor_days / JPY_DAY_BASIS
    ratio: Numeric = jpy / usd
    return ratio


def hedge_cost_from_rates_pct(
    us_money_market_pct: Numeric,
    jp_short_pct: Numeric,
    *,
    basis_bp: float,
    tenor_days: int | Any = 91,
    day_count: int = USD_DAY_BASIS,
) -> Numeric:
    """Annualized hedge cost under covered interest parity plus a basis, percent.

    Parameters
    ----------
    us_money_market_pct, jp_short_pct, basis_bp, tenor_days:
        As in :func:`parity_forward_ratio` (``us.ust.3m`` through
        :func:`bill_money_market_pct`; ``jp.boj.call_rate`` or ``jp.boj.policy_rate``).
    day_count:
        As in :func:`hedge_cost_from_forward_pct`.

    Notes
    -----
    :func:`hedge_cost_from_forward_pct` of the parity forward of
    :func:`parity_forward_ratio`: what the forward would cost if it were priced off these
    money-market rates and this basis. To first order
    :math:`c \\approx i_{USD} - i_{JPY} - x/100`: a negative basis adds to the cost.

    References
    ----------
    W. Du, A. Tepper and A. Verdelhan, "Deviations from Covered Interest Rate
    Parity", *Journal of Finance* 73(3) (2018), 915-957, section I.A.
    """
    _check_tenor(tenor_days, day_count)
    ratio = parity_forward_ratio(us_money_market_pct, jp_short_pct, tenor_days, basis_bp=basis_bp)
    # (S - F)/S with S = 1: the forward cost of hedge_cost_from_forward_pct.
    per_year: Numeric = (1.0 - ratio) * (day_count / tenor_days)
    return fraction_to_pct(per_year)


def _check_tenor(tenor_days: int | Any, day_count: int) -> None:
    if np.any(np.asarray(tenor_days) <= 0) or day_count <= 0:
        raise ValueError(f"tenor_days and day_count must be positive ({tenor_days}, {day_count})")


@dataclass(frozen=True, slots=True)
class HedgedYield:
    """A dollar yield hedged into yen, and its pickup over the JGB of the same tenor.

    Attributes
    ----------
    ust_yield_pct, jgb_yield_pct:
        The Treasury and JGB yields, percent.
    hedge_cost_pct:
        Annualized hedge cost, percent (positive: the hedge costs the yen investor).
    hedged_yield_pct:
        ``ust_yield_pct - hedge_cost_pct``, percent.
    pickup_vs_jgb_pp:
        ``hedged_yield_pct - jgb_yield_pct``, percentage points; negative means the JGB
        pays more than the hedged Treasury.
    method:
        How the hedge cost was obtained, in words.
    inputs:
        Every input value by series id or parameter name (None: missing).
    missing:
        The inputs that were missing; the fields they feed are None.
    reason:
        Why something is None, naming the series, or None when complete.
    """

    ust_yield_pct: float | None
    jgb_yield_pct: float | None
    hedge_cost_pct: float | None
    hedged_yield_pct: float | None
    pickup_vs_jgb_pp: float | None
    method: str
    inputs: Mapping[str, float | None]
    missing: tuple[str, ...]
    reason: str | None

    def summary(self) -> str:
        """E.g. "hedged UST -1.32 % (3.78 % - hedge cost 5.10 %), -2.10 pp vs JGB 0.78 %"."""
        if self.hedged_yield_pct is None or self.hedge_cost_pct is None:
            return f"hedged UST yield unavailable: {self.reason}"
        text = (
            f"hedged UST {self.hedged_yield_pct:.2f} % ({self.ust_yield_pct:.2f} % - "
            f"hedge cost {self.hedge_cost_pct:.2f} %)"
        )
        if self.pickup_vs_jgb_pp is None:
            return f"{text}; no JGB comparison: {self.reason}"
        return f"{text}, {self.pickup_vs_jgb_pp:+.2f} pp vs JGB {self.jgb_yield_pct:.2f} %"


def hedged_yield(
    ust_yield_pct: float | None,
    jgb_yield_pct: float | None,
    *,
    hedge_cost_pct: float | None,
    method: str,
    inputs: Mapping[str, float | None],
    reason: str | None = None,
) -> HedgedYield:
    """A Treasury yield hedged into yen, and its pickup over the JGB yield.

    Parameters
    ----------
    ust_yield_pct, jgb_yield_pct:
        Same-tenor yields, percent (``us.ust.10y``, ``jp.jgb.10y``); None when missing.
    hedge_cost_pct:
        From :func:`hedge_cost_from_rates_pct` or :func:`hedge_cost_from_forward_pct`.
    method:
        How the hedge cost was obtained (reported as given).
    inputs:
        The values behind the result, by series id; a None value marks that series as
        missing and is named in ``missing``/``reason``.
    reason:
        Why inputs are missing, if the caller knows better (e.g. "stale").

    Notes
    -----
    .. math:: y^{hedged} = y^{UST} - c,\\qquad \\text{pickup} = y^{hedged} - y^{JGB}

    The yields are each market's constant-maturity quote and the hedge cost a simple
    annual rate; the differences of compounding conventions (under 1 bp here) are
    ignored, as is the hedge's mark-to-market on the principal's price change. The
    hedge is assumed rolled at today's cost for the whole holding period.

    References
    ----------
    Bank of Japan, *Financial System Report* (semi-annual), the sections on Japanese
    investors' FX-hedged foreign bond holdings; W. Du, A. Tepper and A. Verdelhan (2018).
    """
    missing = [name for name, value in inputs.items() if value is None]
    if not missing:  # the caller named no missing series: name the empty arguments
        missing = [
            label
            for label, value in (
                ("ust_yield_pct", ust_yield_pct),
                ("jgb_yield_pct", jgb_yield_pct),
                ("hedge_cost_pct", hedge_cost_pct),
            )
            if value is None
        ]
    hedged = None
    if ust_yield_pct is not None and hedge_cost_pct is not None:
        hedged = ust_yield_pct - hedge_cost_pct
    pickup = None if hedged is None or jgb_yield_pct is None else hedged - jgb_yield_pct
    if missing and reason is None:
        reason = "missing input: " + ", ".join(missing)
    return HedgedYield(
        ust_yield_pct=ust_yield_pct,
        jgb_yield_pct=jgb_yield_pct,
        hedge_cost_pct=hedge_cost_pct,
        hedged_yield_pct=hedged,
        pickup_vs_jgb_pp=pickup,
        method=method,
        inputs=MappingProxyType(dict(inputs)),
        missing=tuple(missing),
        reason=reason,
    )


def _name(series: pd.Series, default: str) -> str:
    return default if series.name is None else str(series.name)


def _rates_method(us_id: str, jp_id: str, basis_bp: float, months: int, bill: bool) -> str:
    us_leg = f"{us_id} (bill, bond-equivalent to ACT/360)" if bill else f"{us_id} (ACT/360)"
    assumed = "assumed" if basis_bp == ASSUMED_BASIS_BP else "given"
    return (
        f"{months}-month hedge priced by covered interest parity: {us_leg} against "
        f"{jp_id} (ACT/365), cross-currency basis {basis_bp:g} bp ({assumed})"
    )


def _cost(
    us_short_pct: Numeric, jp_short_pct: Numeric, days: int | Any, basis_bp: float, bill: bool
) -> Numeric:
    us_mm = bill_money_market_pct(us_short_pct) if bill else us_short_pct
    return hedge_cost_from_rates_pct(us_mm, jp_short_pct, basis_bp=basis_bp, tenor_days=days)


def hedged_yield_asof(
    ust: pd.Series,
    jgb: pd.Series,
    us_short: pd.Series,
    jp_short: pd.Series,
    asof: date,
    *,
    basis_bp: float = ASSUMED_BASIS_BP,
    tenor_months: int = HEDGE_TENOR_MONTHS,
    us_short_is_bill: bool = True,
    max_age: timedelta = STALENESS_LIMITS["daily"],
    jp_short_max_age: timedelta = STALENESS_LIMITS["event"],
) -> HedgedYield:
    """:func:`hedged_yield` on ``asof`` from the four series, hedge cost from short rates.

    Parameters
    ----------
    ust, jgb:
        10-year yields, percent.
    us_short, jp_short:
        Dollar and yen rates of the hedge's tenor, percent: ``us_short`` a Treasury bill
        (bond-equivalent, converted by :func:`bill_money_market_pct`) unless
        ``us_short_is_bill`` is False (then already ACT/360).
    basis_bp:
        Cross-currency basis of the tenor; :data:`ASSUMED_BASIS_BP` by default.
    tenor_months:
        Hedge tenor; the rates must be of this tenor.

    Notes
    -----
    The cost is :func:`hedge_cost_from_rates_pct` over :func:`tenor_days` from the
    obs_date of ``us_short`` (the hedge is struck on the day of the rates pricing it, as
    in :func:`hedged_yield_history`). Each input is its latest observation on or before
    ``asof`` within its staleness limit (``max_age`` for the three daily series,
    ``jp_short_max_age`` for the yen short rate, 120 days for the BOJ's meeting-decision
    series). A missing or stale input leaves the fields it feeds None, and ``reason``
    says which series and why.
    """
    found = [
        latest_asof(ust, asof, max_age, series_id=_name(ust, "ust")),
        latest_asof(jgb, asof, max_age, series_id=_name(jgb, "jgb")),
        latest_asof(us_short, asof, max_age, series_id=_name(us_short, "us_short")),
        latest_asof(jp_short, asof, jp_short_max_age, series_id=_name(jp_short, "jp_short")),
    ]
    u, j, us_rate, jp_rate = (f.value for f in found)
    days = tenor_days(found[2].obs_date or asof, tenor_months)  # struck on the rate's day
    cost = (
        None
        if us_rate is None or jp_rate is None
        else float(_cost(us_rate, jp_rate, days, basis_bp, us_short_is_bill))
    )
    inputs: dict[str, float | None] = {f.series_id: f.value for f in found}
    inputs["basis_bp"] = basis_bp
    inputs["tenor_days"] = float(days)
    reasons = [f.reason for f in found if f.reason]
    return hedged_yield(
        u,
        j,
        hedge_cost_pct=cost,
        method=_rates_method(
            found[2].series_id, found[3].series_id, basis_bp, tenor_months, us_short_is_bill
        ),
        inputs=inputs,
        reason="; ".join(reasons) if reasons else None,
    )


def hedged_yield_history(
    ust: pd.Series,
    jgb: pd.Series,
    us_short: pd.Series,
    jp_short: pd.Series,
    *,
    basis_bp: float = ASSUMED_BASIS_BP,
    tenor_months: int = HEDGE_TENOR_MONTHS,
    us_short_is_bill: bool = True,
    max_age: timedelta = STALENESS_LIMITS["daily"],
    jp_short_max_age: timedelta = STALENESS_LIMITS["event"],
) -> pd.DataFrame:
    """The vectorised :func:`hedged_yield_asof`: one row per Treasury date.

    Columns ``hedge_cost_pct``, ``hedged_yield_pct`` and ``pickup_vs_jgb_pp``, on the
    dates of ``ust``; the other series are the latest on or before each date within
    their limits (as in :func:`hedged_yield_asof`), NaN past them.
    """
    dates = pd.DatetimeIndex(ust.dropna().sort_index().index)
    u = ust.dropna().sort_index().to_numpy(dtype="float64")
    j = align_asof(jgb, dates, max_age).to_numpy()
    us_rate = align_asof(us_short, dates, max_age).to_numpy()
    jp_rate = align_asof(jp_short, dates, jp_short_max_age).to_numpy()
    cost = _cost(us_rate, jp_rate, tenor_days(dates, tenor_months), basis_bp, us_short_is_bill)
    hedged = u - cost
    return pd.DataFrame(
        {"hedge_cost_pct": cost, "hedged_yield_pct": hedged, "pickup_vs_jgb_pp": hedged - j},
        index=dates,
    )
