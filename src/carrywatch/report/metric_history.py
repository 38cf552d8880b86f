"""Every headline metric as of each of many days, in one pass over the inputs.

``diff``, ``alerts`` and the brief's "What changed since" ask for the headline metrics
as of many days (28 weekly dates for the brief, a year of weekdays for ``diff``).
Evaluating :func:`~carrywatch.report.metrics.metrics_from_series` once per day repeats
the same work on every day: dating each input by the release calendar, cutting it to
what was published, searching it, computing M2's and Japan CPI's twelve-month changes and
USD/JPY's realized volatility over the whole history. :func:`metric_paths` does each of
these once, on arrays over the days, and gives exactly the values (and observation
dates) the per-day evaluation gives; the tests keep that evaluation as the oracle.

Notes
-----
For an input with observations :math:`x_i` dated :math:`o_i` (sorted) and released on
:math:`r_i`, the value as of day :math:`d` is :math:`x_p` with

.. math:: p(d) = \\max\\{i : x_i \\text{ not NaN},\\ \\max(r_i, o_i) \\le d\\}

(the newest observation published and dated by :math:`d`), found for all days at once by
sorting the observations by :math:`\\max(r_i, o_i)`, taking the running maximum of their
positions and a binary search of the days. It counts when :math:`d - o_p` is within the
input's staleness limit, which is longer by how late the newest published observation
:math:`q(d) = \\max\\{i : r_i \\le d\\}` came out: :math:`(r_q - o_q) - \\text{lag}`
(:func:`~carrywatch.analytics.alignment.staleness_limit`). Each metric then combines
its inputs' values day by day with the same functions and the same rounding
(``round(x, 10)``) as :mod:`carrywatch.report.metrics`. A twelve-month change as of
:math:`d` needs the observation dated a year before :math:`o_p` to be published by
:math:`d`; the realized volatility of USD/JPY at :math:`o_p` is read from one rolling
computation over the series when every earlier observation is published by :math:`d`
(pandas' rolling variance at a position depends only on the values up to it), and
computed on the published observations otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.analytics.alignment import staleness_limit
from carrywatch.analytics.carry import carry_to_vol_ratio, realized_vol_pct
from carrywatch.analytics.hedging import (
    ASSUMED_BASIS_BP,
    HEDGE_TENOR_MONTHS,
    bill_money_market_pct,
    hedge_cost_from_rates_pct,
    tenor_days,
)
from carrywatch.analytics.policy import gap_to_neutral, load_neutral_bands
from carrywatch.analytics.units import to_usd_bn
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import AnalyticsError
from carrywatch.report.metrics import INPUT_SERIES, METRIC_KEYS, VOL_WINDOW_DAYS

__all__ = ["METRIC_UNITS", "MetricPath", "metric_paths"]

#: The unit of each headline metric (as :func:`~carrywatch.report.metrics.metrics_from_series`
#: states it).
METRIC_UNITS: Final[Mapping[str, str]] = {
    "yield.us.2y": "percent",
    "yield.us.10y": "percent",
    "yield.jp.2y": "percent",
    "yield.jp.10y": "percent",
    "spread.us_jp.2y": "pp",
    "spread.us_jp.10y": "pp",
    "policy.fed.upper": "percent",
    "policy.fed.lower": "percent",
    "policy.boj.rate": "percent",
    "fx.usdjpy": "jpy_per_usd",
    "liquidity.fed_assets": "usd_bn",
    "liquidity.tga": "usd_bn",
    "liquidity.rrp": "usd_bn",
    "liquidity.net": "usd_bn",
    "liquidity.m2_yoy": "percent",
    "flows.tic.japan_holdings": "usd_bn",
    "positioning.cftc.jpy_net": "contracts",
    "carry.usdjpy.differential": "pp",
    "carry.usdjpy.realized_vol": "percent",
    "carry.usdjpy.carry_to_vol": "ratio",
    "hedged.ust10y_jpy_investor": "percent",
    "hedged.pickup_vs_jgb10y": "pp",
    "stance.boj.real_rate": "percent",
    "stance.boj.gap_to_neutral_low": "pp",
}

_NAT: Final = np.datetime64("NaT", "D")
_Floats = npt.NDArray[np.float64]
_Days = npt.NDArray[np.datetime64]
_Ints = npt.NDArray[np.int64]
_Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class MetricPath:
    """One headline metric as of each day: its value (NaN where
    :func:`~carrywatch.report.metrics.metrics_from_series` gives none) and the observation
    date of its newest input (NaT there)."""

    key: str
    unit: str
    values: _Floats
    obs_dates: _Days


def _clean(values: _Floats) -> _Floats:
    """``round(x, 10)`` of each value, as :mod:`carrywatch.report.metrics` rounds (Python's
    correctly rounded ``round``; ``numpy.round`` scales and may differ in the last bit)."""
    return np.array([round(x, 10) for x in values.tolist()], dtype="float64")


def _newest_by(order_key: _Days, candidates: _Ints, days: _Days) -> _Ints:
    """For each day, the greatest of ``candidates`` (positions) whose ``order_key`` is on or
    before it; -1 where none."""
    if candidates.size == 0:
        return np.full(len(days), -1, dtype="int64")
    order = np.argsort(order_key, kind="stable")
    newest = np.maximum.accumulate(candidates[order])
    k = np.searchsorted(order_key[order], days, side="right") - 1
    return np.where(k >= 0, newest[np.maximum(k, 0)], -1).astype("int64")


@dataclass(frozen=True, slots=True)
class _Input:
    """One input series as of each day (see the module Notes)."""

    sid: str
    obs: _Days  # every observation's date, sorted
    values: _Floats
    released: _Days
    days: _Days
    #: The newest observation with a value published and dated by each day (-1: none).
    pos: _Ints
    #: The staleness limit of each day, in days (the catalog's, longer for a late release).
    limit_days: _Ints

    @classmethod
    def build(
        cls, sid: str, series: pd.Series | None, released: _Days, catalog: Catalog, days: _Days
    ) -> _Input:
        if series is None:
            obs = np.array([], dtype="datetime64[D]")
            values = np.array([], dtype="float64")
        else:
            obs = series.index.to_numpy().astype("datetime64[D]")
            values = series.to_numpy(dtype="float64")
        spec = catalog.spec(sid)
        valid = np.flatnonzero(~np.isnan(values))
        pos = _newest_by(np.maximum(released, obs)[valid], valid, days)
        # The newest observation published (with or without a value) gives the delay.
        last = _newest_by(released, np.arange(len(obs), dtype="int64"), days)
        at = np.maximum(last, 0)
        if len(obs):
            late = (released[at] - obs[at]).astype("int64") - spec.release_lag_days
        else:
            late = np.zeros(len(days), dtype="int64")
        usual = staleness_limit(spec.frequency, spec.release_lag_days).days
        limit_days = usual + np.maximum(late, 0)
        return cls(sid, obs, values, released, days, pos, limit_days.astype("int64"))

    def found(self) -> _Bools:
        """Days with an observation on or before them (stale or not)."""
        return self.pos >= 0

    def obs_at(self) -> _Days:
        """The date of each day's newest observation (NaT: none)."""
        if not len(self.obs):
            return np.full(len(self.days), _NAT)
        return np.where(self.found(), self.obs[np.maximum(self.pos, 0)], _NAT)

    def fresh(self, limit_days: _Ints | int | None = None) -> _Bools:
        """Days whose newest observation is within the limit (``limit_days``, else the
        series' own)."""
        limit = self.limit_days if limit_days is None else limit_days
        age = (self.days - self.obs_at()).astype("int64")
        return self.found() & (age <= limit)

    def value(self, limit_days: _Ints | int | None = None) -> _Floats:
        """The value as of each day, NaN where none or stale."""
        picked = self.values[np.maximum(self.pos, 0)] if len(self.values) else np.nan
        return np.where(self.fresh(limit_days), picked, np.nan)


@dataclass(frozen=True, slots=True)
class _Part:
    """A metric's input as of each day: value (NaN: none) and observation date."""

    value: _Floats
    obs: _Days
    #: Which series gave it (for a choice between two).
    source: npt.NDArray[np.object_]


def _part(found: _Input, limit_days: _Ints | int | None = None) -> _Part:
    value = found.value(limit_days)
    obs = np.where(~np.isnan(value), found.obs_at(), _NAT)
    return _Part(value, obs, np.full(len(value), found.sid, dtype=object))


def _first_available(first: _Input, second: _Input) -> _Part:
    """The first input where it has a fresh value, else the second (``first_available``)."""
    a, b = _part(first), _part(second)
    use_a = ~np.isnan(a.value)
    return _Part(
        np.where(use_a, a.value, b.value),
        np.where(use_a, a.obs, b.obs),
        np.where(use_a, a.source, b.source),
    )


def _newest(*parts: _Part) -> _Days:
    """The newest observation date of the parts, where all have a value (NaT elsewhere)."""
    newest = parts[0].obs
    for p in parts[1:]:
        newest = np.maximum(newest, p.obs)
    return np.where(_all_present(*parts), newest, _NAT)


def _all_present(*parts: _Part) -> _Bools:
    present = np.ones(len(parts[0].value), dtype=bool)
    for p in parts:
        present &= ~np.isnan(p.value)
    return present


def _each(parts: Sequence[_Part], combine: Callable[..., float]) -> _Floats:
    """``combine`` of the parts' values day by day, NaN where one is missing; ``AnalyticsError``
    gives NaN (no value, as the per-day evaluation gives)."""
    present = _all_present(*parts)
    out = np.full(len(present), np.nan)
    columns = [p.value.tolist() for p in parts]
    for i in np.flatnonzero(present).tolist():
        try:
            out[i] = combine(*(c[i] for c in columns))
        except AnalyticsError:
            continue
    return out


def _path(key: str, values: _Floats, obs: _Days) -> MetricPath:
    present = ~np.isnan(values)
    return MetricPath(
        key, METRIC_UNITS[key], np.where(present, values, np.nan), np.where(present, obs, _NAT)
    )


def _level(key: str, part: _Part, factor: float = 1.0) -> MetricPath:
    scaled = part.value * factor if factor != 1.0 else part.value
    return _path(key, _clean(scaled), part.obs)


def _twelve_month_change_pct(found: _Input, limit_days: _Ints | None = None) -> _Part:
    """The twelve-month change (percent) at the fresh observation of each day, where the
    observation dated exactly a year before it is published by the day (as
    :func:`~carrywatch.analytics.liquidity.twelve_month_change_pct` on the published
    observations)."""
    now = _part(found, limit_days)
    if not len(found.obs):
        return now
    when = pd.DatetimeIndex(found.obs)
    year_ago = (when - pd.DateOffset(months=12)).to_numpy().astype("datetime64[D]")
    j = np.searchsorted(found.obs, year_ago)
    exact = (j < len(found.obs)) & (found.obs[np.minimum(j, len(found.obs) - 1)] == year_ago)
    j = np.where(exact, j, -1)
    at = np.maximum(found.pos, 0)
    then = j[at]
    safe = np.maximum(then, 0)
    published = (then >= 0) & (found.released[safe] <= found.days)
    base = np.where(published, found.values[safe], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = 100.0 * (now.value / base - 1.0)
    growth = np.where(np.isfinite(growth), growth, np.nan)  # a zero base: no value
    return _Part(growth, np.where(np.isnan(growth), _NAT, now.obs), now.source)


def _realized_vol(inputs: Mapping[str, _Input], fx: _Part) -> _Part:
    """USD/JPY's realized volatility at each day's chosen rate (``_realized_vol`` of
    :mod:`carrywatch.report.metrics`), see the module Notes."""
    out = np.full(len(fx.value), np.nan)
    for sid in dict.fromkeys(fx.source[~np.isnan(fx.value)].tolist()):
        found = inputs[sid]
        valid = np.flatnonzero(~np.isnan(found.values))
        prices = pd.Series(found.values[valid], index=pd.DatetimeIndex(found.obs[valid]), name=sid)
        # The latest release among each observation and those before it.
        released_upto = np.maximum.accumulate(found.released[valid])
        rank = np.searchsorted(valid, found.pos)  # the chosen observation among the valid
        nonpositive = np.cumsum(prices.to_numpy() <= 0)
        whole: _Floats | None = None
        if len(prices) > VOL_WINDOW_DAYS and nonpositive[-1] == 0:
            whole = realized_vol_pct(prices, window=VOL_WINDOW_DAYS).to_numpy()
        for i in np.flatnonzero((fx.source == sid) & ~np.isnan(fx.value)).tolist():
            k = int(rank[i])
            day = found.days[i]
            if released_upto[k] <= day:  # every observation up to it is published
                if k < VOL_WINDOW_DAYS or nonpositive[k] > 0:
                    continue  # too few prices, or a non-positive one: no value
                if whole is not None:
                    out[i] = whole[k - 1]
                    continue
            kept = prices.iloc[: k + 1][found.released[valid][: k + 1] <= day]
            try:
                vol = realized_vol_pct(kept, window=VOL_WINDOW_DAYS).dropna()
            except AnalyticsError:
                continue
            if not vol.empty:
                out[i] = vol.iloc[-1]
    return _Part(out, np.where(np.isnan(out), _NAT, fx.obs), fx.source)


def metric_paths(
    series: Mapping[str, pd.Series],
    catalog: Catalog,
    days: pd.DatetimeIndex,
    *,
    released: Mapping[str, pd.Series] | None = None,
) -> dict[str, MetricPath]:
    """Every metric of :data:`~carrywatch.report.metrics.METRIC_KEYS` as of each of
    ``days`` (sorted): the values ``metrics_from_series(series, catalog, day,
    released=released)`` gives, day by day (module Notes). Arguments as there."""
    day_array = days.to_numpy().astype("datetime64[D]")
    inputs: dict[str, _Input] = {}
    for sid in INPUT_SERIES:
        values = series.get(sid)
        obs = (
            values.index.to_numpy().astype("datetime64[D]")
            if values is not None
            else np.array([], dtype="datetime64[D]")
        )
        if released is not None and sid in released:
            rel = released[sid].to_numpy().astype("datetime64[D]")
        else:
            rel, _ = catalog.calendar.release_dates(sid, obs, np.full(len(obs), _NAT))
        inputs[sid] = _Input.build(sid, values, rel, catalog, day_array)
    return _compute(inputs, catalog, day_array)


def _compute(inputs: Mapping[str, _Input], catalog: Catalog, days: _Days) -> dict[str, MetricPath]:
    out: dict[str, MetricPath] = {}
    fresh = {sid: _part(found) for sid, found in inputs.items()}
    for key, sid in (
        ("yield.us.2y", "us.ust.2y"),
        ("yield.us.10y", "us.ust.10y"),
        ("yield.jp.2y", "jp.jgb.2y"),
        ("yield.jp.10y", "jp.jgb.10y"),
        ("policy.fed.upper", "us.fed.target_upper"),
        ("policy.fed.lower", "us.fed.target_lower"),
        ("policy.boj.rate", "jp.boj.policy_rate"),
        ("flows.tic.japan_holdings", "tic.japan.holdings"),
        ("positioning.cftc.jpy_net", "cftc.jpy.noncommercial_net"),
    ):
        out[key] = _level(key, fresh[sid])
    us2, us10 = fresh["us.ust.2y"], fresh["us.ust.10y"]
    jp2, jp10 = fresh["jp.jgb.2y"], fresh["jp.jgb.10y"]
    for key, us, jp in (("spread.us_jp.2y", us2, jp2), ("spread.us_jp.10y", us10, jp10)):
        out[key] = _path(key, _clean(us.value - jp.value), _newest(us, jp))
    # USD/JPY: the H.10 noon rate; Yahoo's close only where H.10 has no fresh value.
    fx = _first_available(inputs["fx.usdjpy"], inputs["fx.usdjpy.yahoo"])
    out["fx.usdjpy"] = _level("fx.usdjpy", fx)
    out.update(_liquidity(inputs, fresh, catalog))
    # Carry and the hedged yield (see metrics._compute).
    us3m = fresh["us.ust.3m"]
    jp_short = _first_available(inputs["jp.boj.call_rate"], inputs["jp.boj.policy_rate"])
    differential = _clean(us3m.value - jp_short.value)
    out["carry.usdjpy.differential"] = _path(
        "carry.usdjpy.differential", differential, _newest(us3m, jp_short)
    )
    vol = _realized_vol(inputs, fx)
    vol = _Part(_clean(vol.value), vol.obs, vol.source)
    out["carry.usdjpy.realized_vol"] = _path("carry.usdjpy.realized_vol", vol.value, vol.obs)
    carry = _Part(differential, _newest(us3m, jp_short), us3m.source)
    ratio = _each([carry, vol], carry_to_vol_ratio)
    out["carry.usdjpy.carry_to_vol"] = _path(
        "carry.usdjpy.carry_to_vol", _clean(ratio), _newest(carry, vol)
    )
    hedge_days = np.zeros(len(days), dtype="int64")
    struck = ~np.isnat(us3m.obs)
    if struck.any():
        hedge_days[struck] = tenor_days(pd.DatetimeIndex(us3m.obs[struck]), HEDGE_TENOR_MONTHS)
    tenor = _Part(hedge_days.astype("float64"), us3m.obs, us3m.source)

    def hedge_cost(us_bill: float, jp_rate: float, days_held: float) -> float:
        us_mm = bill_money_market_pct(us_bill)
        return float(
            hedge_cost_from_rates_pct(
                us_mm, jp_rate, basis_bp=ASSUMED_BASIS_BP, tenor_days=int(days_held)
            )
        )

    out["hedged.ust10y_jpy_investor"] = _path(
        "hedged.ust10y_jpy_investor",
        _clean(_each([us10, us3m, jp_short, tenor], lambda u, a, b, t: u - hedge_cost(a, b, t))),
        _newest(us10, us3m, jp_short),
    )
    out["hedged.pickup_vs_jgb10y"] = _path(
        "hedged.pickup_vs_jgb10y",
        _clean(
            _each(
                [us10, us3m, jp_short, tenor, jp10],
                lambda u, a, b, t, j: u - hedge_cost(a, b, t) - j,
            )
        ),
        _newest(us10, us3m, jp_short, jp10),
    )
    out.update(_stance(inputs, fresh))
    return {key: out[key] for key in METRIC_KEYS}


def _liquidity(
    inputs: Mapping[str, _Input], fresh: Mapping[str, _Part], catalog: Catalog
) -> dict[str, MetricPath]:
    """Fed assets, the TGA (daily where fresh, else weekly), ON RRP, net liquidity and M2's
    growth (:func:`~carrywatch.analytics.liquidity.liquidity_asof`)."""
    out: dict[str, MetricPath] = {}

    def in_usd_bn(sid: str) -> _Part:
        part = fresh[sid]
        return _Part(to_usd_bn(part.value, catalog.spec(sid).unit), part.obs, part.source)

    assets, rrp = in_usd_bn("us.fed.assets"), in_usd_bn("us.rrp")
    daily, weekly = in_usd_bn("us.tga"), in_usd_bn("us.tga.weekly")
    use_daily = ~np.isnan(daily.value)
    tga = _Part(
        np.where(use_daily, daily.value, weekly.value),
        np.where(use_daily, daily.obs, weekly.obs),
        np.where(use_daily, daily.source, weekly.source),
    )
    out["liquidity.fed_assets"] = _path("liquidity.fed_assets", _clean(assets.value), assets.obs)
    out["liquidity.tga"] = _path("liquidity.tga", _clean(tga.value), tga.obs)
    out["liquidity.rrp"] = _path("liquidity.rrp", _clean(rrp.value), rrp.obs)
    net = assets.value - tga.value - rrp.value
    out["liquidity.net"] = _path("liquidity.net", _clean(net), _newest(assets, tga, rrp))
    m2 = _twelve_month_change_pct(inputs["us.m2"])
    out["liquidity.m2_yoy"] = _path("liquidity.m2_yoy", _clean(m2.value), m2.obs)
    return out


def _stance(inputs: Mapping[str, _Input], fresh: Mapping[str, _Part]) -> dict[str, MetricPath]:
    """The BOJ's real policy rate (policy rate within the decisions' limit, minus Japan
    core CPI's twelve-month change) and its gap to the low end of the neutral band."""
    policy = inputs["jp.boj.policy_rate"]
    rate = _part(policy, staleness_limit("event").days)
    inflation = _twelve_month_change_pct(inputs["jp.cpi.core"])
    out = {
        "stance.boj.real_rate": _path(
            "stance.boj.real_rate", _clean(rate.value - inflation.value), _newest(rate, inflation)
        )
    }
    band = load_neutral_bands()["boj"]
    boj = fresh["jp.boj.policy_rate"]
    gap = _each([boj], lambda v: gap_to_neutral(v, band).gap_to_low_pp)
    out["stance.boj.gap_to_neutral_low"] = _path(
        "stance.boj.gap_to_neutral_low", _clean(gap), boj.obs
    )
    return out
