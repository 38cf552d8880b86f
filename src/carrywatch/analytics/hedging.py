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

import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, align_asof, latest_asof
from carrywatch.analytics.units import Numeric, bp_to_pp, fraction_to_pct

__all__ = [
    "HedgedYield",
    "hedge_cost_from_forward_pct",
    "hedge_cost_from_rates_pct",
    "hedged_yield",
    "hedged_yield_asof",
    "hedged_yield_history",
]


def hedge_cost_from_forward_pct(
    spot: Numeric, forward: Numeric, tenor_days: int, *, day_count: int = 360
) -> Numeric:
    """Annualized cost of selling dollars forward, for a yen investor, in percent.

    Parameters
    ----------
    spot, forward:
        USD/JPY spot and outright forward, yen per dollar (floats or aligned arrays).
    tenor_days:
        Calendar days from spot to the forward's value date (about 91 for 3 months).
    day_count:
        Annualization basis (360, the USD money-market convention of the hedge).

    Notes
    -----
    .. math:: c = \\frac{S - F}{S}\\cdot\\frac{\\text{day\\_count}}{\\text{tenor}}\\cdot 100

    The investor buys dollars at :math:`S` and sells them forward at :math:`F`: per
    dollar, :math:`S - F` yen are lost over the tenor, :math:`(S - F)/S` of the yen
    invested. Under covered interest parity
    :math:`F = S (1 + i_{JPY}\\tau/365) / (1 + i_{USD}\\tau/360)`, so :math:`F < S` and
    the cost is positive when dollar rates exceed yen rates; exactly,
    :math:`c = (i_{USD} - i_{JPY}\\,360/365) / (1 + i_{USD}\\tau/360)`.

    References
    ----------
    W. Du, A. Tepper and A. Verdelhan, "Deviations from Covered Interest Rate
    Parity", *Journal of Finance* 73(3) (2018), 915-957, section I.
    """
    if tenor_days <= 0 or day_count <= 0:
        raise ValueError(f"tenor_days and day_count must be positive ({tenor_days}, {day_count})")
    per_year: Numeric = (spot - forward) / spot * (day_count / tenor_days)
    return fraction_to_pct(per_year)


def hedge_cost_from_rates_pct(
    us_short_pct: Numeric, jp_short_pct: Numeric, *, basis_bp: float = 0.0
) -> Numeric:
    """Annualized hedge cost from short rates and the cross-currency basis, in percent.

    Parameters
    ----------
    us_short_pct, jp_short_pct:
        Dollar and yen short rates of the hedge's tenor, percent (e.g. ``us.ust.3m``
        and ``jp.boj.policy_rate``).
    basis_bp:
        USD/JPY cross-currency basis at that tenor, basis points; negative when dollars
        are dearer through FX swaps (the usual sign, -10 to -100 bp since 2008).

    Notes
    -----
    .. math:: c = (i_{USD} - i_{JPY}) - x/100

    Du, Tepper and Verdelhan define the basis :math:`x` by
    :math:`y^{USD} = y^{JPY} - \\rho + x`, with :math:`\\rho = (f - s)/\\tau` the
    annualized log forward premium (yen per dollar). The hedge cost is
    :math:`-\\rho = (y^{USD} - y^{JPY}) - x`: a negative basis adds to it. This is the
    first-order (log) form: it ignores the 360/365 day-count difference and the
    :math:`1 + i_{USD}\\tau` discounting of :func:`hedge_cost_from_forward_pct`, a few
    basis points at 5 % dollar rates. Given the snapshot has no basis series, the default
    is zero, i.e. covered interest parity; say so when reporting.

    References
    ----------
    W. Du, A. Tepper and A. Verdelhan, "Deviations from Covered Interest Rate
    Parity", *Journal of Finance* 73(3) (2018), 915-957, section I.A.
    """
    differential: Numeric = us_short_pct - jp_short_pct
    return differential - bp_to_pp(basis_bp)


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


def _rates_method(us_id: str, jp_id: str, basis_bp: float) -> str:
    return (
        f"covered interest parity from short rates: {us_id} - {jp_id} - basis "
        f"({basis_bp:g} bp{', i.e. parity assumed' if basis_bp == 0.0 else ''})"
    )


def hedged_yield_asof(
    ust: pd.Series,
    jgb: pd.Series,
    us_short: pd.Series,
    jp_short: pd.Series,
    asof: date,
    *,
    basis_bp: float = 0.0,
    max_age: timedelta = STALENESS_LIMITS["daily"],
    jp_short_max_age: timedelta = STALENESS_LIMITS["event"],
) -> HedgedYield:
    """:func:`hedged_yield` on ``asof`` from the four series, hedge cost from short rates.

    Each input is its latest observation on or before ``asof`` within its staleness
    limit (``max_age`` for the three daily series, ``jp_short_max_age`` for the yen
    short rate, 120 days for the BOJ's meeting-decision series). A missing or stale
    input leaves the fields it feeds None, and ``reason`` says which series and why.
    """
    found = [
        latest_asof(ust, asof, max_age, series_id=_name(ust, "ust")),
        latest_asof(jgb, asof, max_age, series_id=_name(jgb, "jgb")),
        latest_asof(us_short, asof, max_age, series_id=_name(us_short, "us_short")),
        latest_asof(jp_short, asof, jp_short_max_age, series_id=_name(jp_short, "jp_short")),
    ]
    u, j, us_rate, jp_rate = (f.value for f in found)
    cost = (
        None
        if us_rate is None or jp_rate is None
        else hedge_cost_from_rates_pct(us_rate, jp_rate, basis_bp=basis_bp)
    )
    inputs: dict[str, float | None] = {f.series_id: f.value for f in found}
    inputs["basis_bp"] = basis_bp
    reasons = [f.reason for f in found if f.reason]
    return hedged_yield(
        u,
        j,
        hedge_cost_pct=cost,
        method=_rates_method(found[2].series_id, found[3].series_id, basis_bp),
        inputs=inputs,
        reason="; ".join(reasons) if reasons else None,
    )


def hedged_yield_history(
    ust: pd.Series,
    jgb: pd.Series,
    us_short: pd.Series,
    jp_short: pd.Series,
    *,
    basis_bp: float = 0.0,
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
    cost = hedge_cost_from_rates_pct(us_rate, jp_rate, basis_bp=basis_bp)
    hedged = u - cost
    return pd.DataFrame(
        {"hedge_cost_pct": cost, "hedged_yield_pct": hedged, "pickup_vs_jgb_pp": hedged - j},
        index=dates,
    )
