"""Policy stance: real policy rates, the distance to a neutral band, simple policy rules
and a stylised path of moves.

Neutral bands are cited assumptions kept in ``neutral.toml`` beside this module
(:func:`load_neutral_bands`); every other function is pure. Rates are in percent, gaps in
percentage points (pp), steps in basis points (bp).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, align_asof, latest_asof
from carrywatch.analytics.liquidity import twelve_month_change_pct
from carrywatch.analytics.units import bp_to_pp, pp_to_bp
from carrywatch.errors import ConfigError

__all__ = [
    "NeutralBand",
    "NeutralGap",
    "PathComparison",
    "RealRate",
    "TaylorPrescription",
    "compare_paths",
    "gap_to_neutral",
    "load_neutral_bands",
    "moves_to_band",
    "projected_path",
    "real_policy_rate_pct",
    "taylor_1993",
    "taylor_balanced",
]

#: Catalog frequency of policy-rate series that are not daily (picks the staleness limit).
_POLICY_FREQUENCY: Final[Mapping[str, str]] = {
    "jp.boj.policy_rate": "event",
    "jp.boj.policy_rate_lower": "event",
    "jp.call_rate.monthly": "monthly",
}

#: Most moves :func:`projected_path` will lay out (a guard against a tiny step).
_MAX_MOVES: Final = 400

NO_MARKET_PATH: Final = "no market-implied path available"


# --- neutral bands ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NeutralBand:
    """A nominal neutral policy-rate band with its source (see ``neutral.toml``)."""

    key: str
    bank: str
    low_pct: float
    high_pct: float
    central_pct: float | None
    compare_with: str
    as_of: date
    source: str

    def summary(self) -> str:
        """One line: the band, its centre and date."""
        centre = f", centre {self.central_pct:.2f}%" if self.central_pct is not None else ""
        return (
            f"{self.bank} neutral {self.low_pct:.2f}%-{self.high_pct:.2f}%{centre} "
            f"(as of {self.as_of})"
        )


def _band(key: str, table: Any) -> NeutralBand:
    if not isinstance(table, dict):
        raise ConfigError(f"neutral band {key!r} must be a table")
    try:
        low = float(table["low_pct"])
        high = float(table["high_pct"])
        central = None if "central_pct" not in table else float(table["central_pct"])
        as_of = table["as_of"]
        band = NeutralBand(
            key=key,
            bank=str(table["bank"]),
            low_pct=low,
            high_pct=high,
            central_pct=central,
            compare_with=str(table.get("compare_with", "")),
            as_of=as_of,
            source=str(table["source"]),
        )
    except KeyError as exc:
        raise ConfigError(f"neutral band {key!r} lacks the field {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"neutral band {key!r} has a value that is not a number") from exc
    if not isinstance(as_of, date):
        raise ConfigError(f"neutral band {key!r}: as_of must be a TOML date (YYYY-MM-DD)")
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ConfigError(f"neutral band {key!r}: need finite low_pct <= high_pct")
    if central is not None and not low <= central <= high:
        raise ConfigError(f"neutral band {key!r}: central_pct must lie inside the band")
    if not band.source.strip():
        raise ConfigError(f"neutral band {key!r}: source must say where the numbers come from")
    return band


def load_neutral_bands(path: Path | None = None) -> dict[str, NeutralBand]:
    """The neutral bands keyed by bank (``boj``, ``fed``), from ``path`` or the packaged file.

    Raises
    ------
    ConfigError
        When the file cannot be read, is not TOML, or a band is malformed (a missing
        field, ``low_pct > high_pct``, a centre outside the band, an empty source).

    Notes
    -----
    The packaged defaults and their sources are in ``carrywatch/analytics/neutral.toml``:
    BOJ 1.0%-2.5% (2% target plus staff natural-rate estimates of about -1.0% to +0.5%,
    Uchida 2025); Fed 2.6%-3.6% around the SEP longer-run median of 3.0%.
    """
    where = str(path) if path is not None else "carrywatch/analytics/neutral.toml"
    try:
        if path is None:
            text = (
                resources.files("carrywatch.analytics").joinpath("neutral.toml").read_text("utf-8")
            )
        else:
            text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read neutral bands from {where}: {exc}") from exc
    if not data:
        raise ConfigError(f"{where} defines no neutral band")
    return {key: _band(key, table) for key, table in data.items()}


# --- real rate ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RealRate:
    """Policy rate minus year-on-year inflation, or why it cannot be computed.

    ``real_rate_pct`` is ``None`` when an input is missing or stale; ``reason`` names the
    series and its last observation.
    """

    asof: date
    measure: str
    policy_series_id: str
    price_series_id: str
    policy_rate_pct: float | None
    policy_obs_date: date | None
    inflation_pct: float | None
    inflation_obs_date: date | None
    real_rate_pct: float | None
    reason: str | None

    def summary(self) -> str:
        """One line: the real rate and its two parts, or the reason it is missing."""
        if self.real_rate_pct is None:
            return f"real policy rate ({self.measure}) n/a as of {self.asof}: {self.reason}"
        return (
            f"real policy rate {self.real_rate_pct:+.2f}% as of {self.asof} = "
            f"{self.policy_rate_pct:.2f}% ({self.policy_series_id}, {self.policy_obs_date}) "
            f"- {self.inflation_pct:.2f}% {self.measure} y/y ({self.inflation_obs_date:%Y-%m})"
        )


def _name(series: pd.Series, default: str) -> str:
    name = series.name
    return name if isinstance(name, str) and name else default


def real_policy_rate_pct(
    policy: pd.Series,
    price_index: pd.Series,
    asof: date,
    *,
    measure: str,
    policy_max_age: timedelta | None = None,
    inflation_max_age: timedelta | None = None,
) -> RealRate:
    """The ex-post real policy rate: policy rate minus 12-month inflation of a price index.

    Parameters
    ----------
    policy:
        The policy rate in percent (e.g. ``jp.boj.policy_rate``, ``us.fed.target_upper``).
    price_index:
        A monthly price index (e.g. ``jp.cpi.core``, ``us.core_pce``).
    asof:
        The cut-off for both inputs.
    measure:
        What the index measures, for the reading (e.g. ``"Japan CPI less fresh food"``,
        ``"US core PCE"``).
    policy_max_age, inflation_max_age:
        Staleness limits; by default the catalog frequency's (daily 7 days, BOJ decisions
        120 days, monthly 95 days).

    Returns
    -------
    RealRate
        ``real_rate_pct`` is ``None`` when the latest policy rate or price observation is
        stale or missing, or the price index lacks the month a year before its latest.

    Notes
    -----
    .. math:: r_t = i_t - 100\\,(P_m / P_{m-12} - 1)

    with :math:`i_t` the latest policy rate on or before the cut-off and :math:`P_m` the
    latest monthly index value on or before it. The difference is the usual approximation
    of the Fisher relation (exact: :math:`(1+i)/(1+\\pi)-1`), using realised (not
    expected) inflation. The obs_date of a month is its first day, so a cut-off sees a
    month as soon as its value is in the store; publication lags are not modelled.

    References
    ----------
    Fisher, I. (1930), *The Theory of Interest*, Macmillan (nominal and real rates).
    """
    policy_id = _name(policy, "policy rate")
    price_id = _name(price_index, "price index")
    policy_limit = (
        policy_max_age
        if policy_max_age is not None
        else STALENESS_LIMITS[_POLICY_FREQUENCY.get(policy_id, "daily")]
    )
    price_limit = (
        inflation_max_age if inflation_max_age is not None else STALENESS_LIMITS["monthly"]
    )

    rate = latest_asof(policy, asof, policy_limit, series_id=policy_id)
    level = latest_asof(price_index, asof, price_limit, series_id=price_id)
    inflation: float | None = None
    reasons: list[str] = []
    if rate.value is None:
        reasons.append(rate.reason or f"{policy_id} is missing")
    if level.value is None or level.obs_date is None:
        reasons.append(level.reason or f"{price_id} is missing")
    else:
        growth = twelve_month_change_pct(price_index).get(pd.Timestamp(level.obs_date))
        if growth is not None and np.isfinite(growth):
            inflation = float(growth)
        else:
            year_ago = (pd.Timestamp(level.obs_date) - pd.DateOffset(months=12)).date()
            reasons.append(f"{price_id} has no observation for {year_ago:%Y-%m}")

    real = None
    if rate.value is not None and inflation is not None:
        real = rate.value - inflation
    return RealRate(
        asof=asof,
        measure=measure,
        policy_series_id=policy_id,
        price_series_id=price_id,
        policy_rate_pct=rate.value,
        policy_obs_date=rate.obs_date if rate.value is not None else None,
        inflation_pct=inflation,
        inflation_obs_date=level.obs_date if inflation is not None else None,
        real_rate_pct=real,
        reason="; ".join(reasons) or None,
    )


# --- distance to neutral --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NeutralGap:
    """Where a policy rate stands against a neutral band.

    Gaps are the rate minus each end of the band: negative means the rate is below that
    end. ``position`` is ``inside`` on either end.
    """

    bank: str
    rate_pct: float
    low_pct: float
    high_pct: float
    gap_to_low_pp: float
    gap_to_high_pp: float
    position: Literal["below", "inside", "above"]

    def summary(self) -> str:
        """One line: the rate, the band and the distance to its nearer end."""
        if self.position == "below":
            tail = f"{-self.gap_to_low_pp:.2f}pp below the low end"
        elif self.position == "above":
            tail = f"{self.gap_to_high_pp:.2f}pp above the high end"
        else:
            tail = "inside the band"
        return (
            f"{self.bank} {self.rate_pct:.2f}% vs neutral "
            f"{self.low_pct:.2f}%-{self.high_pct:.2f}%: {tail}"
        )


def gap_to_neutral(rate_pct: float, band: NeutralBand) -> NeutralGap:
    """The gap in pp between a policy rate and both ends of a neutral band.

    Notes
    -----
    .. math:: g_{low} = i - n_{low}, \\qquad g_{high} = i - n_{high}

    below when :math:`g_{low} < 0`, above when :math:`g_{high} > 0`, inside otherwise.

    References
    ----------
    Laubach, T. and Williams, J. C. (2003), "Measuring the Natural Rate of Interest",
    *Review of Economics and Statistics* 85(4), 1063-1070 (the neutral rate as a yardstick
    of the policy stance).
    """
    to_low = rate_pct - band.low_pct
    to_high = rate_pct - band.high_pct
    position: Literal["below", "inside", "above"]
    if to_low < 0:
        position = "below"
    elif to_high > 0:
        position = "above"
    else:
        position = "inside"
    return NeutralGap(band.bank, rate_pct, band.low_pct, band.high_pct, to_low, to_high, position)


def _moves(distance_pp: float, step_bp: float) -> int:
    """Whole steps needed to cover a distance (rounded first so 0.25/0.25 is exactly 1)."""
    return math.ceil(round(pp_to_bp(distance_pp) / step_bp, 9))


def moves_to_band(rate_pct: float, band: NeutralBand, *, step_bp: float = 25) -> int:
    """Number of ``step_bp`` moves to reach the band: hikes to its low end (positive), cuts
    to its high end (negative), 0 inside.

    Notes
    -----
    .. math:: n = \\lceil (n_{low} - i) / s \\rceil \\text{ below}, \\quad
              n = -\\lceil (i - n_{high}) / s \\rceil \\text{ above}

    with :math:`s` the step in pp. A move that would overshoot into the band still counts
    as one move.

    References
    ----------
    25 bp is the customary step: the BOJ's hikes of January 2025 and December 2025 were
    0.25 pp each (July 2024 took the target from 0-0.1% to 0.25%), and the FOMC moves in
    25 bp steps outside larger moves such as its 50 bp cut of September 2024 (FOMC and
    BOJ statements on monetary policy).
    """
    if not step_bp > 0:
        raise ValueError(f"step_bp must be positive, not {step_bp}")
    if rate_pct < band.low_pct:
        return _moves(band.low_pct - rate_pct, step_bp)
    if rate_pct > band.high_pct:
        return -_moves(rate_pct - band.high_pct, step_bp)
    return 0


# --- policy rules ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaylorPrescription:
    """The rate a simple policy rule prescribes, with every input it used."""

    rule: str
    rate_pct: float
    inflation_pct: float
    output_gap_pct: float
    r_star_pct: float
    pi_star_pct: float
    inflation_gap_weight: float
    output_gap_weight: float
    reference: str

    def summary(self) -> str:
        """One line: the prescription and its inputs."""
        return (
            f"{self.rule}: {self.rate_pct:.2f}% (inflation {self.inflation_pct:.2f}%, "
            f"output gap {self.output_gap_pct:+.2f}%, r* {self.r_star_pct:.2f}%, "
            f"target {self.pi_star_pct:.2f}%)"
        )


def _rule(
    name: str,
    reference: str,
    *,
    inflation_pct: float,
    output_gap_pct: float,
    r_star_pct: float,
    pi_star_pct: float,
    gap_weight: float,
) -> TaylorPrescription:
    rate = r_star_pct + inflation_pct + 0.5 * (inflation_pct - pi_star_pct)
    rate += gap_weight * output_gap_pct
    return TaylorPrescription(
        rule=name,
        rate_pct=rate,
        inflation_pct=inflation_pct,
        output_gap_pct=output_gap_pct,
        r_star_pct=r_star_pct,
        pi_star_pct=pi_star_pct,
        inflation_gap_weight=0.5,
        output_gap_weight=gap_weight,
        reference=reference,
    )


def taylor_1993(
    inflation_pct: float,
    output_gap_pct: float,
    *,
    r_star_pct: float = 2.0,
    pi_star_pct: float = 2.0,
) -> TaylorPrescription:
    """The policy rate prescribed by Taylor's (1993) rule.

    Parameters
    ----------
    inflation_pct:
        Inflation over the past four quarters (Taylor used the GDP deflator; the Fed's
        rule comparisons use core PCE).
    output_gap_pct:
        Real GDP minus potential, in percent of potential.
    r_star_pct, pi_star_pct:
        Equilibrium real rate and inflation target; Taylor's 2% and 2% by default.

    Notes
    -----
    .. math:: i = r^* + \\pi + 0.5(\\pi - \\pi^*) + 0.5\\,y

    References
    ----------
    Taylor, J. B. (1993), "Discretion versus Policy Rules in Practice", *Carnegie-Rochester
    Conference Series on Public Policy* 39, 195-214.
    """
    return _rule(
        "Taylor (1993)",
        "Taylor (1993), Carnegie-Rochester Conference Series on Public Policy 39",
        inflation_pct=inflation_pct,
        output_gap_pct=output_gap_pct,
        r_star_pct=r_star_pct,
        pi_star_pct=pi_star_pct,
        gap_weight=0.5,
    )


def taylor_balanced(
    inflation_pct: float,
    output_gap_pct: float,
    *,
    r_star_pct: float = 2.0,
    pi_star_pct: float = 2.0,
) -> TaylorPrescription:
    """The balanced-approach rule: Taylor (1993) with the output gap weighted 1.0.

    Parameters are those of :func:`taylor_1993`. The Fed's own comparisons set
    :math:`r^*` to a longer-run neutral real rate, e.g. the SEP longer-run federal funds
    median minus 2% (3.0 - 2.0 = 1.0 in the 2025 SEPs), rather than Taylor's 2%.

    Notes
    -----
    .. math:: i = r^* + \\pi + 0.5(\\pi - \\pi^*) + 1.0\\,y

    References
    ----------
    Yellen, J. L. (2012), "Perspectives on Monetary Policy", speech at the Boston Economic
    Club Dinner, 6 June 2012. Board of Governors of the Federal Reserve System, "Policy
    Rules and How Policymakers Use Them" (Monetary Policy Principles and Practice).
    """
    return _rule(
        "balanced approach",
        "Yellen (2012); Federal Reserve Board, 'Policy Rules and How Policymakers Use Them'",
        inflation_pct=inflation_pct,
        output_gap_pct=output_gap_pct,
        r_star_pct=r_star_pct,
        pi_star_pct=pi_star_pct,
        gap_weight=1.0,
    )


# --- paths ------------------------------------------------------------------------------


def projected_path(
    start_rate_pct: float,
    target_pct: float,
    start: date,
    *,
    cadence_months: int = 6,
    step_bp: float = 25,
) -> pd.Series:
    """A stylised step path: one ``step_bp`` move every ``cadence_months`` until the target.

    Returns
    -------
    pandas.Series
        ``projected_path_pct`` indexed by the dates of the path: ``start`` with the
        starting rate, then the date of each move with the rate after it. The last move is
        shortened so the path ends exactly on the target (no overshoot). A single point
        when start and target are equal.

    Notes
    -----
    .. math:: i_k = i_0 + \\operatorname{sign}(i^* - i_0)\\min(k s, |i^* - i_0|), \\quad
              t_k = t_0 + k \\cdot \\text{cadence}, \\quad k = 0..\\lceil |i^*-i_0|/s \\rceil

    A scenario device, not a forecast: it answers "at the pace of one move every six
    months, when does the policy rate reach X?".

    References
    ----------
    Bank of Japan, statements on monetary policy: after the exit from negative rates in
    March 2024, hikes to 0.25% in July 2024 (from 0-0.1%), to 0.5% in January 2025 and to
    0.75% in December 2025, about one every six months or more.
    """
    if cadence_months < 1:
        raise ValueError(f"cadence_months must be at least 1, not {cadence_months}")
    if not step_bp > 0:
        raise ValueError(f"step_bp must be positive, not {step_bp}")
    distance = target_pct - start_rate_pct
    n = _moves(abs(distance), step_bp)
    if n > _MAX_MOVES:
        raise ValueError(f"{n} moves of {step_bp}bp: choose a larger step")
    step = bp_to_pp(step_bp)
    direction = math.copysign(1.0, distance)
    dates = [pd.Timestamp(start) + pd.DateOffset(months=cadence_months * k) for k in range(n + 1)]
    # Intermediate levels rounded to 1e-10 pp (0.75 + 3 x 0.25 is 1.5, not 1.5000000000000002);
    # the two ends are the exact inputs.
    values = [start_rate_pct]
    values += [round(start_rate_pct + direction * k * step, 10) for k in range(1, n)]
    values += [target_pct] if n > 0 else []
    return pd.Series(values, index=pd.DatetimeIndex(dates), name="projected_path_pct")


@dataclass(frozen=True, slots=True)
class PathComparison:
    """A projected path beside a market-implied one, when there is one.

    ``market_pct`` is the market path sampled on the projected dates; ``difference_bp`` is
    projected minus market in bp (NaN where the market path has no point close enough).
    """

    projected_pct: pd.Series
    market_pct: pd.Series | None
    difference_bp: pd.Series | None
    note: str | None

    def summary(self) -> str:
        """One line: the projected end point and the gap to the market, or the note."""
        end = self.projected_pct.index[-1]
        text = (
            f"projected {self.projected_pct.iloc[0]:.2f}% -> {self.projected_pct.iloc[-1]:.2f}% "
            f"by {end:%Y-%m} in {len(self.projected_pct) - 1} move(s)"
        )
        if self.difference_bp is not None:
            gaps = self.difference_bp.dropna()
            if not gaps.empty:
                text += f"; {gaps.iloc[-1]:+.0f}bp vs market at {gaps.index[-1]:%Y-%m}"
        if self.note:
            text += f"; {self.note}"
        return text


def compare_paths(
    projected: pd.Series,
    market: pd.Series | None,
    *,
    max_age: timedelta = timedelta(days=62),
) -> PathComparison:
    """Put a projected path and a market-implied path (percent) side by side.

    Parameters
    ----------
    projected:
        From :func:`projected_path`.
    market:
        A market-implied policy-rate path in percent (e.g. from fed funds futures), dated
        by the period each rate applies to; ``None`` when there is none (the embedded
        snapshot has no futures history: ``us.fedfunds_futures.front``).
    max_age:
        How far before a projected date a market point may lie to be compared with it.

    Notes
    -----
    .. math:: d_k = 100\\,(i^{proj}_{t_k} - i^{mkt}_{t_k}) \\text{ bp}

    with :math:`i^{mkt}_{t_k}` the latest market point on or before :math:`t_k` within
    ``max_age`` (:func:`~carrywatch.analytics.alignment.align_asof`).

    References
    ----------
    CME Group, "CME FedWatch Tool methodology" (policy paths implied by fed funds futures).
    """
    if market is None or market.dropna().empty:
        return PathComparison(projected, None, None, NO_MARKET_PATH)
    # One datetime resolution for both keys: merge_asof refuses to mix them.
    index = pd.DatetimeIndex(projected.index).as_unit("ns")
    clean = market.dropna().astype("float64")
    clean.index = pd.DatetimeIndex(clean.index).as_unit("ns")
    sampled = align_asof(clean, index, max_age).rename("market_path_pct")
    sampled.index = projected.index
    difference = pp_to_bp(projected - sampled).rename("difference_bp")
    note = None
    if sampled.isna().all():
        note = "the market-implied path has no point within range of the projected dates"
    return PathComparison(projected, sampled, difference, note)
