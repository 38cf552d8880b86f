"""Headline metrics as of a date: the numbers a desk quotes, each with its inputs.

:func:`headline_metrics` reads the store up to ``asof`` and computes every metric from
the as-of values of its inputs: levels and differences directly (a spread is the US
value minus the Japanese one, each the latest on or before ``asof``), the rest with the
analytics functions (liquidity, volatility, real rate, neutral gap). Each metric carries
its value (or ``None`` and the reason), its unit, the observation date of its newest
input and the series it was computed from. A value is always the latest observation of each
input published by ``asof``, within the staleness limit of the input's frequency
(:mod:`carrywatch.analytics.alignment`); a stale input gives ``None`` and a reason that
names it, never an old number.

Published by ``asof`` means released on or before ``asof`` by the one point-in-time rule
of :mod:`carrywatch.catalog.releases`: a vintage source's first release, else the
publisher's release calendar, else ``obs_date`` plus the usual lag of ``series.toml`` (0
for market data, known at the day's close). Monthly series are dated on the first day of
their month, so as of 2024-08-05 the newest M2 is June 2024 (H.6 of 23 July; lag 58
days) and the newest TIC month is May 2024 (released 18 July; lag 80 days), and as of
2025-12-05 the newest core PCE is September 2025 (released that day after the shutdown,
by the release calendar), not the later months the store holds.

The keys are a public contract (the brief, the JSON output and scripts use them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import AsofValue, latest_asof, staleness_limit
from carrywatch.analytics.carry import carry_to_vol_ratio, realized_vol_pct
from carrywatch.analytics.hedging import (
    ASSUMED_BASIS_BP,
    HEDGE_TENOR_MONTHS,
    bill_money_market_pct,
    hedge_cost_from_rates_pct,
    tenor_days,
)
from carrywatch.analytics.liquidity import liquidity_asof
from carrywatch.analytics.policy import gap_to_neutral, load_neutral_bands, real_policy_rate_pct
from carrywatch.analytics.units import to_usd_bn
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import AnalyticsError
from carrywatch.store.sqlite import Store

__all__ = [
    "METRIC_KEYS",
    "HeadlineMetrics",
    "Metric",
    "default_asof",
    "headline_metrics",
    "metrics_from_series",
]

METRIC_KEYS: Final = (
    "yield.us.2y",
    "yield.us.10y",
    "yield.jp.2y",
    "yield.jp.10y",
    "spread.us_jp.2y",
    "spread.us_jp.10y",
    "policy.fed.upper",
    "policy.fed.lower",
    "policy.boj.rate",
    "fx.usdjpy",
    "liquidity.fed_assets",
    "liquidity.tga",
    "liquidity.rrp",
    "liquidity.net",
    "liquidity.m2_yoy",
    "flows.tic.japan_holdings",
    "positioning.cftc.jpy_net",
    "carry.usdjpy.differential",
    "carry.usdjpy.realized_vol",
    "carry.usdjpy.carry_to_vol",
    "hedged.ust10y_jpy_investor",
    "hedged.pickup_vs_jgb10y",
    "stance.boj.real_rate",
    "stance.boj.gap_to_neutral_low",
)

#: Every series the metrics read.
INPUT_SERIES: Final = (
    "us.ust.2y",
    "us.ust.10y",
    "us.ust.3m",
    "jp.jgb.2y",
    "jp.jgb.10y",
    "us.fed.target_upper",
    "us.fed.target_lower",
    "jp.boj.policy_rate",
    "jp.boj.call_rate",
    "fx.usdjpy",
    "fx.usdjpy.yahoo",
    "us.fed.assets",
    "us.tga",
    "us.tga.weekly",
    "us.rrp",
    "us.m2",
    "tic.japan.holdings",
    "cftc.jpy.noncommercial_net",
    "jp.cpi.core",
)

#: The market series a brief cannot do without; see :func:`default_asof`. A tuple inside
#: the tuple lists alternatives (any one will do).
CORE_SERIES: Final = (
    ("us.ust.10y",),
    ("jp.jgb.10y",),
    ("us.fed.target_upper",),
    ("fx.usdjpy", "fx.usdjpy.yahoo"),
)

#: Window of the realized volatility of USD/JPY, trading days (about three months).
VOL_WINDOW_DAYS: Final = 63


@dataclass(frozen=True, slots=True)
class Metric:
    """One headline number, or why there is none."""

    key: str
    value: float | None
    unit: str
    obs_date: date | None
    series: tuple[str, ...]
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "obs_date": self.obs_date.isoformat() if self.obs_date else None,
            "series": list(self.series),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class HeadlineMetrics:
    """All headline metrics as of one date."""

    asof: date
    metrics: Mapping[str, Metric] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Metric:
        return self.metrics[key]

    def to_json(self) -> dict[str, Any]:
        """``{"asof": "YYYY-MM-DD", "metrics": {KEY: {value, unit, obs_date, series, reason}}}``."""
        return {
            "asof": self.asof.isoformat(),
            "metrics": {key: self.metrics[key].to_json() for key in METRIC_KEYS},
        }

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(k for k in METRIC_KEYS if self.metrics[k].value is None)


class _Inputs:
    """The stored series up to ``asof``, and their latest values within staleness limits."""

    def __init__(
        self,
        series: Mapping[str, pd.Series],
        catalog: Catalog,
        asof: date,
        delays: Mapping[str, int] | None = None,
    ) -> None:
        self.asof = asof
        self.catalog = catalog
        self._series = dict(series)
        self._delays = dict(delays or {})

    def series(self, sid: str) -> pd.Series:
        found = self._series.get(sid)
        if found is None:
            return pd.Series([], dtype="float64", index=pd.DatetimeIndex([]), name=sid)
        return found

    def limit(self, sid: str) -> timedelta:
        """The staleness limit of ``sid``: its frequency's, longer for a series released
        late (see :func:`~carrywatch.analytics.alignment.staleness_limit`)."""
        spec = self.catalog.spec(sid)
        delay = self._delays.get(sid, 0)
        return staleness_limit(spec.frequency, spec.release_lag_days, delay)

    def latest(self, sid: str) -> AsofValue:
        spec = self.catalog.spec(sid)
        found = latest_asof(self.series(sid), self.asof, self.limit(sid), series_id=sid)
        if found.value is None and found.obs_date is None and spec.gap:
            return AsofValue(sid, self.asof, None, None, False, f"{sid}: {spec.gap}")
        return found

    def first_available(self, sids: Sequence[str]) -> AsofValue:
        """The first of ``sids`` with a fresh value; else why none of them has one."""
        tried = [self.latest(s) for s in sids]
        for found in tried:
            if found.value is not None:
                return found
        last = tried[-1]
        others = ", ".join(t.series_id for t in tried[:-1])
        reason = f"{last.reason} ({others}: no fresh value either)"
        return AsofValue(last.series_id, self.asof, None, last.obs_date, last.stale, reason)


def _metric(
    key: str, unit: str, parts: Sequence[AsofValue], combine: Callable[..., float]
) -> Metric:
    series = tuple(p.series_id for p in parts)
    dates = [p.obs_date for p in parts if p.obs_date is not None]
    newest = max(dates) if dates else None
    missing = [p for p in parts if p.value is None]
    if missing:
        reason = "; ".join(p.reason or f"{p.series_id} is missing" for p in missing)
        return Metric(key, None, unit, newest, series, reason)
    return Metric(key, _clean(combine(*(p.value for p in parts))), unit, newest, series)


def _clean(value: float) -> float:
    """``value`` without binary noise (3.78 - 0.781 is 2.999, not 2.9989999999999997):
    the inputs carry at most 6 decimals, so rounding to 10 changes no digit that matters."""
    return round(float(value), 10)


def _identity(x: float) -> float:
    return x


def default_asof(store: Store, today: date) -> date:
    """The date a brief is as of when none is given: the last date on which every core
    market series (:data:`CORE_SERIES`) has an observation, capped at ``today``.

    After a live refresh this is the last trading day; on the embedded snapshot it is
    the end of the snapshot's common coverage, so the brief shows real values rather than
    a page of stale inputs.
    """
    status = store.series_status().set_index("series_id")["last_obs"]
    ends: list[date] = []
    for alternatives in CORE_SERIES:
        known = [
            date.fromisoformat(str(status[s]))
            for s in alternatives
            if s in status.index and isinstance(status[s], str)
        ]
        if known:
            ends.append(max(known))
    return min([today, *ends])


def headline_metrics(store: Store, catalog: Catalog, asof: date) -> HeadlineMetrics:
    """Every metric of :data:`METRIC_KEYS` as of ``asof`` (see the module docstring)."""
    frame = store.read(list(INPUT_SERIES), asof=asof, releases=catalog.calendar.release_dates)
    series, released = {}, {}
    for sid, rows in frame.groupby("series_id"):
        index = pd.DatetimeIndex(rows["obs_date"])
        values = rows["value"].to_numpy(dtype="float64")
        series[str(sid)] = pd.Series(values, index=index, name=str(sid))
        released[str(sid)] = pd.Series(rows["released"].to_numpy(), index=index)
    return metrics_from_series(series, catalog, asof, released=released)


def metrics_from_series(
    series: Mapping[str, pd.Series],
    catalog: Catalog,
    asof: date,
    *,
    released: Mapping[str, pd.Series] | None = None,
) -> HeadlineMetrics:
    """:func:`headline_metrics` from series already read, without touching the store.

    ``series`` maps ids of :data:`INPUT_SERIES` to their stored observations (float,
    sorted :class:`~pandas.DatetimeIndex` of obs_dates, as :meth:`Store.read` gives them)
    read as of any date on or after ``asof``; ``released`` maps the same ids to the
    release day of each observation (the ``released`` column of the read). Only those
    released on or before ``asof`` count, so one read serves the metrics as of several
    dates (the brief's 1w and 1m changes). Without ``released``, the days come from the
    catalog's release calendar (no vintage first releases). The result equals
    ``headline_metrics(store, catalog, asof)`` on the store they came from.
    """
    upto: dict[str, pd.Series] = {}
    delays: dict[str, int] = {}
    cutoff = np.datetime64(asof, "D")
    for sid, values in series.items():
        if sid not in INPUT_SERIES:
            continue
        if released is not None and sid in released:
            days = released[sid].to_numpy().astype("datetime64[D]")
        else:
            no_vintage = np.full(len(values), np.datetime64("NaT", "D"))
            days, _ = catalog.calendar.release_dates(sid, values.index.to_numpy(), no_vintage)
        published = days <= cutoff
        kept = values[published]
        if not kept.empty:  # as an absent series, like a read that found nothing
            upto[sid] = kept
            # How much later than its usual lag the newest value came out (staleness).
            late = days[published][-1] - kept.index[-1].to_datetime64().astype("datetime64[D]")
            delays[sid] = int(late.astype(int)) - catalog.spec(sid).release_lag_days
    return _compute(_Inputs(upto, catalog, asof, delays))


def _compute(data: _Inputs) -> HeadlineMetrics:
    asof = data.asof
    out: dict[str, Metric] = {}

    def level(key: str, sid: str, unit: str) -> AsofValue:
        found = data.latest(sid)
        out[key] = _metric(key, unit, [found], _identity)
        return found

    us2, us10 = (
        level("yield.us.2y", "us.ust.2y", "percent"),
        level("yield.us.10y", "us.ust.10y", "percent"),
    )
    jp2, jp10 = (
        level("yield.jp.2y", "jp.jgb.2y", "percent"),
        level("yield.jp.10y", "jp.jgb.10y", "percent"),
    )
    out["spread.us_jp.2y"] = _metric("spread.us_jp.2y", "pp", [us2, jp2], lambda a, b: a - b)
    out["spread.us_jp.10y"] = _metric("spread.us_jp.10y", "pp", [us10, jp10], lambda a, b: a - b)
    level("policy.fed.upper", "us.fed.target_upper", "percent")
    level("policy.fed.lower", "us.fed.target_lower", "percent")
    boj = level("policy.boj.rate", "jp.boj.policy_rate", "percent")

    # USD/JPY: the H.10 noon rate; Yahoo's close only where H.10 has no fresh value.
    fx = data.first_available(["fx.usdjpy", "fx.usdjpy.yahoo"])
    out["fx.usdjpy"] = _metric("fx.usdjpy", "jpy_per_usd", [fx], _identity)

    _liquidity(data, out)

    out["flows.tic.japan_holdings"] = _metric(
        "flows.tic.japan_holdings", "usd_bn", [data.latest("tic.japan.holdings")], _identity
    )
    out["positioning.cftc.jpy_net"] = _metric(
        "positioning.cftc.jpy_net",
        "contracts",
        [data.latest("cftc.jpy.noncommercial_net")],
        _identity,
    )

    # Carry: US 3-month bill against the yen overnight rate (the BOJ call rate where
    # stored, else the BOJ policy-rate target in force), see analytics.carry.
    us3m = data.latest("us.ust.3m")
    jp_short = data.first_available(["jp.boj.call_rate", "jp.boj.policy_rate"])
    differential = _metric("carry.usdjpy.differential", "pp", [us3m, jp_short], lambda a, b: a - b)
    out["carry.usdjpy.differential"] = differential
    vol = _realized_vol(data, fx)
    out["carry.usdjpy.realized_vol"] = vol
    out["carry.usdjpy.carry_to_vol"] = _ratio(differential, vol)

    # FX-hedged UST 10y for a yen investor: a 3-month hedge priced by covered interest
    # parity off the 3-month bill and the yen short rate plus the assumed cross-currency
    # basis (no FX-forward or basis series is stored; see analytics.hedging).
    # The hedge is struck on the day of the rates that price it.
    days = tenor_days(us3m.obs_date or asof, HEDGE_TENOR_MONTHS)

    def hedge_cost(us_bill: float, jp_rate: float) -> float:
        us_mm = bill_money_market_pct(us_bill)
        return float(
            hedge_cost_from_rates_pct(us_mm, jp_rate, basis_bp=ASSUMED_BASIS_BP, tenor_days=days)
        )

    hedged = _metric(
        "hedged.ust10y_jpy_investor",
        "percent",
        [us10, us3m, jp_short],
        lambda u, a, b: u - hedge_cost(a, b),
    )
    out["hedged.ust10y_jpy_investor"] = hedged
    out["hedged.pickup_vs_jgb10y"] = _metric(
        "hedged.pickup_vs_jgb10y",
        "pp",
        [us10, us3m, jp_short, jp10],
        lambda u, a, b, j: u - hedge_cost(a, b) - j,
    )

    _stance(data, boj, out)
    return HeadlineMetrics(asof=asof, metrics=out)


def _liquidity(data: _Inputs, out: dict[str, Metric]) -> None:
    tga_id = "us.tga" if data.latest("us.tga").value is not None else "us.tga.weekly"
    tga_unit = data.catalog.spec(tga_id).unit
    snap = liquidity_asof(
        data.series("us.fed.assets"),
        data.series(tga_id),
        data.series("us.rrp"),
        data.asof,
        m2=data.series("us.m2"),
        assets_unit=data.catalog.spec("us.fed.assets").unit,
        tga_unit=tga_unit,
        rrp_unit=data.catalog.spec("us.rrp").unit,
        max_age={
            key: data.limit(sid)
            for key, sid in (
                ("assets", "us.fed.assets"),
                ("tga", tga_id),
                ("rrp", "us.rrp"),
                ("m2", "us.m2"),
            )
        },
    )
    reason = "; ".join(snap.reasons) or None
    for key, sid in (
        ("liquidity.fed_assets", "us.fed.assets"),
        ("liquidity.tga", tga_id),
        ("liquidity.rrp", "us.rrp"),
    ):
        found = data.latest(sid)
        unit = data.catalog.spec(sid).unit
        out[key] = _metric(key, "usd_bn", [found], lambda v, unit=unit: to_usd_bn(v, unit))
    dates = [d for d in (snap.assets_obs_date, snap.tga_obs_date, snap.rrp_obs_date) if d]
    out["liquidity.net"] = Metric(
        "liquidity.net",
        None if snap.net_liquidity_usd_bn is None else _clean(snap.net_liquidity_usd_bn),
        "usd_bn",
        max(dates) if dates else None,
        ("us.fed.assets", tga_id, "us.rrp"),
        None if snap.net_liquidity_usd_bn is not None else reason,
    )
    m2 = data.latest("us.m2")
    out["liquidity.m2_yoy"] = Metric(
        "liquidity.m2_yoy",
        None if snap.m2_yoy_pct is None else _clean(snap.m2_yoy_pct),
        "percent",
        snap.m2_obs_date or m2.obs_date,
        ("us.m2",),
        None
        if snap.m2_yoy_pct is not None
        else (m2.reason or "us.m2 has no observation twelve months before its latest"),
    )


def _realized_vol(data: _Inputs, fx: AsofValue) -> Metric:
    key = "carry.usdjpy.realized_vol"
    if fx.value is None or fx.obs_date is None:
        return Metric(key, None, "percent", fx.obs_date, (fx.series_id,), fx.reason)
    prices = data.series(fx.series_id).loc[: pd.Timestamp(fx.obs_date)]
    try:
        vol = realized_vol_pct(prices, window=VOL_WINDOW_DAYS).dropna()
    except AnalyticsError as exc:
        return Metric(key, None, "percent", fx.obs_date, (fx.series_id,), str(exc))
    if vol.empty:
        return Metric(
            key,
            None,
            "percent",
            fx.obs_date,
            (fx.series_id,),
            f"{fx.series_id} has fewer than {VOL_WINDOW_DAYS + 1} observations "
            f"before {fx.obs_date}",
        )
    return Metric(key, _clean(vol.iloc[-1]), "percent", fx.obs_date, (fx.series_id,))


def _ratio(differential: Metric, vol: Metric) -> Metric:
    key = "carry.usdjpy.carry_to_vol"
    series = tuple(dict.fromkeys(differential.series + vol.series))
    dates = [d for d in (differential.obs_date, vol.obs_date) if d]
    newest = max(dates) if dates else None
    if differential.value is None or vol.value is None:
        reason = "; ".join(r for r in (differential.reason, vol.reason) if r)
        return Metric(key, None, "ratio", newest, series, reason)
    try:
        ratio = carry_to_vol_ratio(differential.value, vol.value)
    except AnalyticsError as exc:
        return Metric(key, None, "ratio", newest, series, str(exc))
    return Metric(key, _clean(ratio), "ratio", newest, series)


def _stance(data: _Inputs, boj: AsofValue, out: dict[str, Metric]) -> None:
    real = real_policy_rate_pct(
        data.series("jp.boj.policy_rate"),
        data.series("jp.cpi.core"),
        data.asof,
        measure="Japan CPI less fresh food",
        policy_max_age=staleness_limit("event"),
        inflation_max_age=data.limit("jp.cpi.core"),
    )
    dates = [d for d in (real.policy_obs_date, real.inflation_obs_date) if d]
    out["stance.boj.real_rate"] = Metric(
        "stance.boj.real_rate",
        None if real.real_rate_pct is None else _clean(real.real_rate_pct),
        "percent",
        max(dates) if dates else None,
        ("jp.boj.policy_rate", "jp.cpi.core"),
        real.reason,
    )
    band = load_neutral_bands()["boj"]
    key = "stance.boj.gap_to_neutral_low"
    if boj.value is None:
        out[key] = Metric(key, None, "pp", boj.obs_date, ("jp.boj.policy_rate",), boj.reason)
    else:
        gap = gap_to_neutral(boj.value, band)
        out[key] = Metric(
            key, _clean(gap.gap_to_low_pp), "pp", boj.obs_date, ("jp.boj.policy_rate",)
        )
