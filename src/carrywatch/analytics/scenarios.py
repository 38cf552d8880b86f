"""What a narrower US-Japan spread could mean for yen carry positions: a stated scenario.

Two steps, each with its inputs in the result:

1. :func:`fit_positioning_model` regresses the CFTC speculative (non-commercial) net yen
   futures position on the US-Japan 10-year spread (and carry-to-vol when given). It is a
   descriptive regression of levels on levels, not a causal model: positioning, spreads
   and volatility are driven jointly by the same news, and the fit says only how they have
   co-moved over its sample.
2. :func:`unwind_scenario` maps a spread path through the fitted slope to a change in net
   contracts, values it in dollars, and scales a stated total carry stock by the share of
   peak positioning that change represents. Monte Carlo bands come from the slope's
   standard error and the fit's residual.

Sign convention: a positive change in net contracts means speculators buy yen (their net
short shrinks), i.e. carry is *unwound*; a negative one means carry is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from math import floor
from typing import Final

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import align_asof, staleness_limit
from carrywatch.analytics.event_study import generator_seed
from carrywatch.analytics.flows import CME_JPY_CONTRACT_SIZE_JPY
from carrywatch.analytics.units import jpy_to_usd_bn
from carrywatch.errors import InsufficientDataError

__all__ = [
    "BIS_CARRY_STOCK_SOURCE",
    "BIS_CARRY_STOCK_USD_BN",
    "CME_YEN_CONTRACT_JPY",
    "PercentileBand",
    "PositioningModel",
    "UnwindAssumptions",
    "UnwindScenario",
    "fit_positioning_model",
    "newey_west_covariance",
    "newey_west_lag",
    "unwind_scenario",
]

#: Contract unit of the CME Japanese yen future (6J), whose positions CFTC code 097741 reports.
CME_YEN_CONTRACT_JPY: Final = CME_JPY_CONTRACT_SIZE_JPY  # one definition, in flows

#: BIS Bulletin No 90's "rough middle ballpark" of yen carry positions before August 2024.
BIS_CARRY_STOCK_USD_BN: Final = 250.0
BIS_CARRY_STOCK_SOURCE: Final = (
    "BIS Bulletin No 90 (Aquilina, Lombardi, Schrimpf and Sushko, 27 August 2024, "
    '"The market turbulence and carry trade unwind of August 2024"): a rough middle '
    "ballpark of JPY 40 trillion (USD 250 bn) of yen carry positions going into the event, "
    "if anything biased down by data gaps; https://www.bis.org/publ/bisbull90.htm"
)
_DAILY_LIMIT: Final = staleness_limit("daily")
_PERCENTILES: Final = (5, 50, 95)
_USER = "user assumption (no published source given)"
_SHARE_DEFAULT_SOURCE = (
    "user assumption: upper bound, every unwound position is repatriated into yen; "
    "no published estimate is cited"
)


def newey_west_lag(n_obs: int) -> int:
    """Bartlett-kernel truncation lag ``floor(4 * (n / 100) ** (2 / 9))`` (Newey and West 1994)."""
    growth: float = (n_obs / 100.0) ** (2.0 / 9.0)
    return floor(4.0 * growth)


def newey_west_covariance(regressors: np.ndarray, residuals: np.ndarray, lag: int) -> np.ndarray:
    """Heteroskedasticity- and autocorrelation-consistent covariance of OLS coefficients.

    Parameters
    ----------
    regressors
        The ``n x k`` design matrix ``X`` (including the constant column).
    residuals
        The ``n`` OLS residuals ``e``.
    lag
        Truncation lag ``L`` of the Bartlett kernel (0 gives White's estimator).

    Returns
    -------
    numpy.ndarray
        ``k x k`` covariance matrix, in squared units of the coefficients.

    Notes
    -----
    With ``u_t = x_t e_t`` and weights ``w_l = 1 - l / (L + 1)``::

        S = sum_t u_t u_t' + sum_{l=1..L} w_l sum_{t>l} (u_t u_{t-l}' + u_{t-l} u_t')
        V = (X'X)^-1 S (X'X)^-1

    No small-sample (n / (n - k)) correction is applied.

    References
    ----------
    Newey, W. K. and West, K. D. (1987). A Simple, Positive Semi-Definite,
    Heteroskedasticity and Autocorrelation Consistent Covariance Matrix.
    *Econometrica* 55(3), 703-708.
    """
    if lag < 0:
        raise ValueError("the Newey-West lag must not be negative")
    x = np.asarray(regressors, dtype="float64")
    u = x * np.asarray(residuals, dtype="float64")[:, None]
    s = u.T @ u
    for ell in range(1, min(lag, len(u) - 1) + 1):
        gamma = u[ell:].T @ u[:-ell]
        s += (1.0 - ell / (lag + 1.0)) * (gamma + gamma.T)
    bread = np.linalg.inv(x.T @ x)
    cov: np.ndarray = bread @ s @ bread
    return cov


@dataclass(frozen=True, slots=True)
class PositioningModel:
    """``net_t = a + b * spread_t (+ c * carry_to_vol_t) + e_t`` on CFTC report dates.

    Coefficients are in contracts per unit of their regressor (``_per_pp`` for the spread;
    carry-to-vol is a ratio, so its coefficient is in contracts). Standard errors are
    Newey-West HAC with lag ``hac_lag`` (``se_method``). ``peak_net_short_contracts`` is
    the largest net short in the sample as a positive number (None if never net short).
    """

    net_series_id: str
    spread_series_id: str
    carry_to_vol_series_id: str | None
    intercept_contracts: float
    spread_coef_contracts_per_pp: float
    carry_to_vol_coef_contracts: float | None
    intercept_se_contracts: float
    spread_se_contracts_per_pp: float
    carry_to_vol_se_contracts: float | None
    r_squared: float
    n_obs: int
    n_dropped: int
    sample_start: date
    sample_end: date
    residual_std_contracts: float
    hac_lag: int
    se_method: str
    peak_net_short_contracts: float | None
    peak_net_short_date: date | None
    missing: str | None

    @property
    def spread_t_stat(self) -> float:
        """HAC t-statistic of the spread slope."""
        return self.spread_coef_contracts_per_pp / self.spread_se_contracts_per_pp

    def summary(self) -> str:
        """One line: slope, its HAC error, fit and sample."""
        line = (
            f"{self.net_series_id} = {self.intercept_contracts:,.0f} "
            f"{self.spread_coef_contracts_per_pp:+,.0f} x {self.spread_series_id} (pp)"
        )
        if self.carry_to_vol_coef_contracts is not None:
            line += f" {self.carry_to_vol_coef_contracts:+,.0f} x {self.carry_to_vol_series_id}"
        line += (
            f"; slope se {self.spread_se_contracts_per_pp:,.0f} ({self.se_method}), "
            f"R2 {self.r_squared:.2f}, n {self.n_obs} weekly "
            f"{self.sample_start}..{self.sample_end}, resid sd "
            f"{self.residual_std_contracts:,.0f} contracts; descriptive, not causal"
        )
        return line if self.missing is None else f"{line}; {self.missing}"


def fit_positioning_model(
    net_contracts: pd.Series,
    spread_pp: pd.Series,
    carry_to_vol: pd.Series | None = None,
    *,
    max_age: timedelta = _DAILY_LIMIT,
    hac_lag: int | None = None,
) -> PositioningModel:
    """OLS of the weekly CFTC net yen position on the US-Japan spread (and carry-to-vol).

    Parameters
    ----------
    net_contracts
        CFTC non-commercial net position (long - short) in contracts, indexed by report
        as-of date (Tuesdays), e.g. ``cftc.jpy.noncommercial_net``.
    spread_pp
        US minus Japan 10-year yield in percentage points, daily.
    carry_to_vol
        Optional carry-to-volatility ratio (dimensionless), daily or weekly.
    max_age
        Staleness limit when sampling the regressors on the report dates (default: the
        daily limit, 7 days); a report date without a fresh value is dropped.
    hac_lag
        Newey-West lag; default :func:`newey_west_lag` of the sample size.

    Returns
    -------
    PositioningModel
        Coefficients, Newey-West standard errors, R², n, sample dates, residual sd.

    Raises
    ------
    InsufficientDataError
        Fewer than ``k + 2`` aligned weeks (k coefficients), or a regressor without variation.

    Notes
    -----
    Regressors are sampled with :func:`~carrywatch.analytics.alignment.align_asof` (the
    latest value on or before each report date). Coefficients solve ``min ||y - X b||``
    (``numpy.linalg.lstsq``); ``R² = 1 - SSR / SST``; the residual sd is
    ``sqrt(SSR / (n - k))``. Weekly positions are strongly autocorrelated, so plain OLS
    errors would be far too small: standard errors are Newey-West (Bartlett kernel, lag
    ``floor(4 (n/100)^(2/9))`` unless given). This is a descriptive regression: it does
    not identify how positioning would respond to a spread move.

    References
    ----------
    Newey, W. K. and West, K. D. (1994). Automatic Lag Selection in Covariance Matrix
    Estimation. *Review of Economic Studies* 61(4), 631-653.
    """
    net_id = str(net_contracts.name)
    spread_id = str(spread_pp.name)
    c2v_id = None if carry_to_vol is None else str(carry_to_vol.name)
    y_all = net_contracts.dropna().sort_index()
    dates = pd.DatetimeIndex(y_all.index)
    columns = {spread_id: align_asof(spread_pp, dates, max_age).to_numpy()}
    if carry_to_vol is not None and c2v_id is not None:
        columns[c2v_id] = align_asof(carry_to_vol, dates, max_age).to_numpy()
    frame = pd.DataFrame(columns, index=dates)
    stale = {name: int(frame[name].isna().sum()) for name in frame.columns}
    keep = frame.notna().all(axis=1).to_numpy()
    k = 1 + len(columns)
    ids = (net_id, spread_id) if c2v_id is None else (net_id, spread_id, c2v_id)
    if int(keep.sum()) < k + 2:
        raise InsufficientDataError(
            f"only {int(keep.sum())} report dates of {net_id} have fresh values of "
            f"{', '.join(columns)}; at least {k + 2} are needed",
            series=ids,
        )
    y = y_all.to_numpy(dtype="float64")[keep]
    x = np.column_stack([np.ones(len(y)), frame.to_numpy(dtype="float64")[keep]])
    coef, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    if rank < k:
        raise InsufficientDataError(
            f"a regressor ({', '.join(columns)}) does not vary over the sample", series=ids
        )
    resid = y - x @ coef
    n = len(y)
    ssr = float(resid @ resid)
    sst = float(((y - y.mean()) ** 2).sum())
    lag = newey_west_lag(n) if hac_lag is None else hac_lag
    se = np.sqrt(np.diag(newey_west_covariance(x, resid, lag)))
    used = dates[keep]
    gaps = [
        f"{count} report date(s) dropped: no fresh {name} within {max_age.days} days"
        for name, count in stale.items()
        if count
    ]
    if c2v_id is None:
        gaps.append("carry-to-vol not given: spread-only model")
    low = int(np.argmin(y))
    return PositioningModel(
        net_series_id=net_id,
        spread_series_id=spread_id,
        carry_to_vol_series_id=c2v_id,
        intercept_contracts=float(coef[0]),
        spread_coef_contracts_per_pp=float(coef[1]),
        carry_to_vol_coef_contracts=None if k == 2 else float(coef[2]),
        intercept_se_contracts=float(se[0]),
        spread_se_contracts_per_pp=float(se[1]),
        carry_to_vol_se_contracts=None if k == 2 else float(se[2]),
        r_squared=1.0 - ssr / sst if sst > 0 else float("nan"),
        n_obs=n,
        n_dropped=len(y_all) - n,
        sample_start=used[0].date(),
        sample_end=used[-1].date(),
        residual_std_contracts=float(np.sqrt(ssr / (n - k))) if n > k else float("nan"),
        hac_lag=lag,
        se_method=f"Newey-West HAC, Bartlett kernel, lag {lag}",
        peak_net_short_contracts=float(-y[low]) if y[low] < 0 else None,
        peak_net_short_date=used[low].date() if y[low] < 0 else None,
        missing="; ".join(gaps) if gaps else None,
    )


@dataclass(frozen=True, slots=True)
class UnwindAssumptions:
    """The stated inputs of an unwind scenario, each with where it comes from.

    ``total_carry_stock_usd_bn`` defaults to BIS Bulletin No 90's USD 250 bn. Other
    figures people cite measure different things: TSLombard's "as much as USD 1.1 tn"
    (reported by MarketWatch, 7 August 2024) is a ceiling that counts all foreign
    short-term yen borrowing in repo and securities lending since end-2022 plus
    yen-funded foreign purchases by Japanese investors. Pass such a figure with its
    ``*_source``; a figure given without one is reported as a user assumption.
    ``positioning_scale_contracts`` None means the model's peak net short.
    """

    total_carry_stock_usd_bn: float = BIS_CARRY_STOCK_USD_BN
    total_carry_stock_source: str | None = None
    repatriation_share: float = 1.0
    repatriation_share_source: str | None = None
    positioning_scale_contracts: float | None = None

    def __post_init__(self) -> None:
        if not self.total_carry_stock_usd_bn > 0:
            raise ValueError("total_carry_stock_usd_bn must be positive")
        if not 0.0 <= self.repatriation_share <= 1.0:
            raise ValueError("repatriation_share must lie in [0, 1]")
        scale = self.positioning_scale_contracts
        if scale is not None and not scale > 0:
            raise ValueError("positioning_scale_contracts must be positive")

    @property
    def carry_stock_source(self) -> str:
        """The source of the total carry stock (BIS for the default figure)."""
        if self.total_carry_stock_source is not None:
            return self.total_carry_stock_source
        if self.total_carry_stock_usd_bn == BIS_CARRY_STOCK_USD_BN:
            return BIS_CARRY_STOCK_SOURCE
        return _USER

    @property
    def share_source(self) -> str:
        """The source of the repatriation share."""
        if self.repatriation_share_source is not None:
            return self.repatriation_share_source
        return _SHARE_DEFAULT_SOURCE if self.repatriation_share == 1.0 else _USER


@dataclass(frozen=True, slots=True)
class PercentileBand:
    """5th, 50th and 95th percentiles of a simulated quantity (unit of the field holding it)."""

    p5: float
    p50: float
    p95: float


@dataclass(frozen=True, slots=True)
class UnwindScenario:
    """A spread path mapped to positioning and dollars, with every assumption stated.

    ``unwind_*`` fields are None (``missing`` says why) when no positioning scale exists.
    """

    current_spread_pp: float
    target_spread_pp: float
    spread_change_pp: float
    months: int
    spread_path_pp: tuple[float, ...]
    usdjpy: float
    contract_size_jpy: float
    net_change_contracts: float
    net_change_band_contracts: PercentileBand
    net_change_usd_bn: float
    net_change_band_usd_bn: PercentileBand
    positioning_scale_contracts: float | None
    unwind_fraction: float | None
    unwind_usd_bn: float | None
    unwind_band_usd_bn: PercentileBand | None
    model: PositioningModel
    assumptions: UnwindAssumptions
    notes: tuple[str, ...]
    n_paths: int
    residual_scale: float
    seed: int | None
    missing: str | None

    def summary(self) -> str:
        """One line: spread move, implied positioning change and unwind with bands."""
        b = self.net_change_band_contracts
        line = (
            f"spread {self.current_spread_pp:.2f} -> {self.target_spread_pp:.2f} pp over "
            f"{self.months} months: net yen position {self.net_change_contracts:+,.0f} "
            f"contracts (90% band {b.p5:+,.0f}..{b.p95:+,.0f}), "
            f"{self.net_change_usd_bn:+.1f} USD bn at {self.usdjpy:.2f}"
        )
        if self.unwind_usd_bn is not None and self.unwind_band_usd_bn is not None:
            u = self.unwind_band_usd_bn
            line += (
                f"; unwind {self.unwind_usd_bn:+.0f} USD bn (band {u.p5:+.0f}..{u.p95:+.0f}) "
                f"of a {self.assumptions.total_carry_stock_usd_bn:.0f} USD bn stock x "
                f"{self.assumptions.repatriation_share:.2f} repatriated"
            )
        line += f" ({self.n_paths} paths, seed {self.seed}; descriptive model)"
        return line if self.missing is None else f"{line}; {self.missing}"


def _inverted_cdf_percentiles(values: np.ndarray, percents: tuple[int, ...]) -> list[float]:
    """Percentiles as order statistics ``x_(ceil(p n / 100))`` (numpy's ``inverted_cdf``).

    Partitions ``values`` in place, one order statistic at a time on the part above the
    previous one: several times faster than ``np.percentile`` on a million paths.
    """
    n = len(values)
    ranks = [max(0, -(-p * n // 100) - 1) for p in percents]  # ceil without floats
    found: dict[int, float] = {}
    done = 0
    for rank in sorted(ranks):
        values[done:].partition(rank - done)  # everything left of ``done`` is already below
        found[rank], done = float(values[rank]), rank
    return [found[r] for r in ranks]


def unwind_scenario(
    model: PositioningModel,
    current_spread_pp: float,
    target_spread_pp: float,
    months: int,
    assumptions: UnwindAssumptions,
    *,
    usdjpy: float,
    n_paths: int = 10_000,
    rng: np.random.Generator,
    residual_scale: float = 1.0,
) -> UnwindScenario:
    """Positioning change and unwind notional implied by a spread path, with MC bands.

    Parameters
    ----------
    model
        A fitted :class:`PositioningModel`.
    current_spread_pp, target_spread_pp
        US minus Japan 10-year yield now and at the horizon, percentage points.
    months
        Horizon; the path moves linearly, one point per month end.
    assumptions
        Carry stock, repatriation share and positioning scale, with sources.
    usdjpy
        Yen per dollar at which contracts are valued (e.g. the latest DEXJPUS).
    n_paths
        Monte Carlo paths.
    rng
        The only source of randomness; its seed is reported.
    residual_scale
        Multiplier of the fit's residual sd in the simulated shock (0: slope only).

    Returns
    -------
    UnwindScenario
        Central values, 5/50/95 % bands, the model, the assumptions and notes.

    Notes
    -----
    With ``b`` the spread slope (contracts per pp), ``ds`` the spread change, ``K`` the
    contract size (JPY 12.5m), ``X`` USD/JPY, ``P`` the positioning scale (the peak net
    short in the model's sample unless given), ``C`` the carry stock and ``r`` the
    repatriation share::

        dN = b * ds                                    (contracts; > 0: yen bought)
        dN_usd_bn = dN * K / X / 1e9
        f = clip(dN / P, -1, 1)                        (fraction of peak positioning)
        unwind_usd_bn = C * r * f

    The model is static in levels, so only the path's end matters; carry-to-vol (if in
    the model) is held at its current value. Each path draws
    ``b_j ~ N(b, se_b^2)`` (HAC se) and ``e_j ~ N(0, (residual_scale * s_e)^2)``, with
    ``dN_j = b_j * ds + e_j``; bands are inverse-CDF percentiles of ``dN_j`` mapped
    through the monotone formulas above (so every band edge is a simulated path).

    References
    ----------
    Aquilina, M., Lombardi, M., Schrimpf, A. and Sushko, V. (2024). The market
    turbulence and carry trade unwind of August 2024. *BIS Bulletin* No 90.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    if n_paths < 1:
        raise ValueError("n_paths must be at least 1")
    if residual_scale < 0:
        raise ValueError("residual_scale must not be negative")
    ds = target_spread_pp - current_spread_pp
    path = tuple(current_spread_pp + ds * m / months for m in range(1, months + 1))
    slope = model.spread_coef_contracts_per_pp

    draws = rng.standard_normal((2, n_paths))
    dn = draws[0]
    dn *= model.spread_se_contracts_per_pp * ds
    dn += slope * ds
    shock = draws[1]
    shock *= residual_scale * model.residual_std_contracts
    dn += shock
    p5, p50, p95 = _inverted_cdf_percentiles(dn, _PERCENTILES)
    net_band = PercentileBand(float(p5), float(p50), float(p95))
    central = slope * ds

    def to_usd_bn(contracts: float) -> float:
        return float(jpy_to_usd_bn(contracts * CME_YEN_CONTRACT_JPY, usdjpy))

    scale = assumptions.positioning_scale_contracts
    scale_text = "given in the assumptions"
    if scale is None and model.peak_net_short_contracts is not None:
        scale = model.peak_net_short_contracts
        scale_text = f"the peak net short of the model's sample ({model.peak_net_short_date})"
    notes = [
        f"positioning model: {model.summary()}",
        "the model is descriptive (co-movement over its sample), not causal",
        "static model: only the spread at the horizon matters, the path shape does not",
        *(
            ["carry-to-vol held at its current value"]
            if model.carry_to_vol_coef_contracts is not None
            else []
        ),
        f"slope drawn N({slope:,.0f}, {model.spread_se_contracts_per_pp:,.0f}^2) per pp",
        f"shock drawn N(0, ({residual_scale:g} x {model.residual_std_contracts:,.0f})^2) "
        "contracts, centred on zero (the current residual persists on average)",
        f"contract size JPY {CME_YEN_CONTRACT_JPY:,.0f} (CME yen future)",
        f"USD/JPY {usdjpy:g} fixed over the horizon",
        f"total carry stock USD {assumptions.total_carry_stock_usd_bn:g} bn: "
        f"{assumptions.carry_stock_source}",
        f"repatriation share {assumptions.repatriation_share:g}: {assumptions.share_source}",
    ]
    missing = None
    fraction = unwind = None
    unwind_band = None
    if scale is None:
        missing = (
            f"{model.net_series_id} was never net short in the model's sample: no positioning "
            "scale; pass positioning_scale_contracts in the assumptions"
        )
    else:
        notes.append(
            f"positioning scale {scale:,.0f} contracts ({scale_text}); the unwound fraction "
            "of the carry stock = change in net contracts / scale, clipped to [-1, 1]"
        )
        stock = assumptions.total_carry_stock_usd_bn * assumptions.repatriation_share

        def unwound(contracts: float) -> float:
            return stock * min(1.0, max(-1.0, contracts / scale))

        fraction = min(1.0, max(-1.0, central / scale))
        unwind = stock * fraction
        unwind_band = PercentileBand(unwound(p5), unwound(p50), unwound(p95))
    return UnwindScenario(
        current_spread_pp=current_spread_pp,
        target_spread_pp=target_spread_pp,
        spread_change_pp=ds,
        months=months,
        spread_path_pp=path,
        usdjpy=usdjpy,
        contract_size_jpy=CME_YEN_CONTRACT_JPY,
        net_change_contracts=central,
        net_change_band_contracts=net_band,
        net_change_usd_bn=to_usd_bn(central),
        net_change_band_usd_bn=PercentileBand(to_usd_bn(p5), to_usd_bn(p50), to_usd_bn(p95)),
        positioning_scale_contracts=scale,
        unwind_fraction=fraction,
        unwind_usd_bn=unwind,
        unwind_band_usd_bn=unwind_band,
        model=model,
        assumptions=assumptions,
        notes=tuple(notes),
        n_paths=n_paths,
        residual_scale=residual_scale,
        seed=generator_seed(rng),
        missing=missing,
    )
