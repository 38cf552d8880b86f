"""Headline metrics and series through time, as they stood on each day.

``diff`` and ``alerts`` ask how a value moved: a metric as of each day (only what was
published by that day counts, as in :func:`~carrywatch.report.metrics.headline_metrics`)
or a stored series. :func:`target_history` reads the store once and gives, for each
target, two views:

``daily``
    the value as of each day of a calendar of weekdays (plus the days asked for): the
    latest published observation within the target's staleness limit, NaN otherwise.
    Changes over a horizon are measured on it.
``observed``
    one value per observation (indexed by obs_date, each as first seen): moves between
    observations, crossings and sign flips are found on it.

A target is a key of :data:`~carrywatch.report.metrics.METRIC_KEYS`, a series id of the
catalog (``user.*`` series and the stored odds series included), series in their display
units (:func:`~carrywatch.analytics.units.to_display_unit`), or a meeting's P(cut) /
P(hold) / P(hike) (:mod:`carrywatch.report.odds_targets`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.analytics.alignment import staleness_limit
from carrywatch.analytics.units import display_unit, to_display_unit
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import CatalogError
from carrywatch.report.metric_history import MetricPath, metric_paths
from carrywatch.report.metrics import INPUT_SERIES, METRIC_KEYS
from carrywatch.report.odds_targets import is_summary, summary_paths, summary_reads
from carrywatch.store.sqlite import Store

__all__ = [
    "TargetHistory",
    "calendar",
    "check_targets",
    "histories_from_series",
    "target_history",
]


@dataclass(frozen=True, slots=True)
class TargetHistory:
    """One target through time (see the module docstring)."""

    target: str
    unit: str
    daily: pd.Series
    observed: pd.Series
    #: Every obs_date on or before the last day, published or not (for staleness).
    obs_dates: tuple[date, ...]
    limit: timedelta
    #: The release day of each of ``obs_dates`` (the catalog's one point-in-time rule).
    released: tuple[date, ...]


def check_targets(catalog: Catalog, targets: Iterable[str]) -> None:
    """:class:`CatalogError` for a target that is neither a metric key nor a series id,
    naming the closest of both."""
    for target in targets:
        if target in METRIC_KEYS or target in catalog.series or is_summary(target):
            continue
        close = difflib.get_close_matches(target, [*METRIC_KEYS, *catalog.series], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise CatalogError(
            f"unknown target {target!r}{hint} (a metric key of `carrywatch metrics` or a "
            "series id of `carrywatch series list`)"
        )


def calendar(start: date, end: date, extra: Iterable[date] = ()) -> pd.DatetimeIndex:
    """The weekdays from ``start`` to ``end`` and the ``extra`` days, sorted."""
    days = {d.date() for d in pd.bdate_range(start, end)} | set(extra)
    return pd.DatetimeIndex(sorted(days)).as_unit("ns")


def _series_of(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        str(sid): pd.Series(
            rows["value"].to_numpy(dtype="float64"),
            index=pd.DatetimeIndex(rows["obs_date"]),
            name=str(sid),
        )
        for sid, rows in frame.groupby("series_id")
    }


def target_history(
    store: Store,
    catalog: Catalog,
    targets: Sequence[str],
    days: pd.DatetimeIndex,
) -> dict[str, TargetHistory]:
    """Each target as of each of ``days`` (sorted), from one read of the store."""
    check_targets(catalog, targets)
    series_ids = [t for t in targets if t not in METRIC_KEYS and not is_summary(t)]
    needs_inputs = any(t in METRIC_KEYS for t in targets)
    reads = list(
        dict.fromkeys(
            [
                *(INPUT_SERIES if needs_inputs else ()),
                *series_ids,
                *summary_reads(catalog, targets),
            ]
        )
    )
    stored = _series_of(store.read(reads, asof=days[-1].date())) if reads else {}
    return histories_from_series(stored, catalog, targets, days)


def histories_from_series(
    stored: Mapping[str, pd.Series],
    catalog: Catalog,
    targets: Sequence[str],
    days: pd.DatetimeIndex,
    *,
    released: Mapping[str, pd.Series] | None = None,
) -> dict[str, TargetHistory]:
    """:func:`target_history` from series already read (float, sorted ``DatetimeIndex``
    of obs_dates, as :meth:`Store.read` gives them; the metrics' inputs among them when a
    target is a metric). ``released``: the release day of each observation of the
    metrics' inputs, as read (else from the catalog's release calendar)."""
    metric_keys = [t for t in targets if t in METRIC_KEYS]
    series_ids = [t for t in targets if t not in METRIC_KEYS and not is_summary(t)]
    out: dict[str, TargetHistory] = {}
    if metric_keys:
        out.update(_metric_histories(stored, catalog, metric_keys, days, released))

    def as_days(sid: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.datetime64]]:
        found = series_asof(stored.get(sid), catalog, sid, days)
        return found.daily, found.daily_obs

    for key, path in summary_paths(as_days, catalog, targets, days).items():
        out[key] = _path_history(path, days)
    for sid in series_ids:
        out[sid] = _series_history(stored.get(sid), catalog, sid, days)
    return {t: out[t] for t in targets}


def _metric_histories(
    stored: Mapping[str, pd.Series],
    catalog: Catalog,
    keys: Sequence[str],
    days: pd.DatetimeIndex,
    released: Mapping[str, pd.Series] | None,
) -> dict[str, TargetHistory]:
    # Every metric as of every day in one pass (metric_paths equals metrics_from_series
    # day by day).
    paths = metric_paths(stored, catalog, days, released=released)
    return {key: _path_history(paths[key], days) for key in keys}


def _path_history(path: MetricPath, days: pd.DatetimeIndex) -> TargetHistory:
    """A computed figure's history: each observation date keeps the value first seen
    with it."""
    seen: dict[date, float] = {}
    for i in np.flatnonzero(~np.isnan(path.values)).tolist():
        seen.setdefault(pd.Timestamp(path.obs_dates[i]).date(), float(path.values[i]))
    observed = pd.Series(
        list(seen.values()), index=pd.DatetimeIndex(list(seen)), name=path.key, dtype="float64"
    ).sort_index()
    obs_dates = tuple(sorted(seen))
    return TargetHistory(
        target=path.key,
        unit=path.unit,
        daily=pd.Series(path.values, index=days, name=path.key),
        observed=observed,
        obs_dates=obs_dates,
        # A computed figure is missing rather than stale (its reason says why): no limit.
        limit=timedelta.max,
        released=obs_dates,
    )


@dataclass(frozen=True, slots=True)
class SeriesAsof:
    """A stored series (display units) as of each day of a calendar: the newest
    observation released by the day, when within the series' staleness limit."""

    shown: pd.Series
    #: The release day of each observation of ``shown``.
    released: npt.NDArray[np.datetime64]
    #: The value (NaN: none or stale) and its obs_date (NaT) on each day.
    daily: npt.NDArray[np.float64]
    daily_obs: npt.NDArray[np.datetime64]
    limit: timedelta


def series_asof(
    stored: pd.Series | None, catalog: Catalog, sid: str, days: pd.DatetimeIndex
) -> SeriesAsof:
    """``sid`` as of each of ``days`` (see :class:`SeriesAsof`)."""
    spec = catalog.spec(sid)
    limit = staleness_limit(spec.frequency, spec.release_lag_days)
    if stored is None:
        stored = pd.Series([], dtype="float64", index=pd.DatetimeIndex([]), name=sid)
    shown = to_display_unit(stored, spec.unit).rename(sid)
    obs = shown.index.to_numpy(dtype="datetime64[ns]")
    # Each observation's release day, by the catalog's one point-in-time rule.
    no_vintage = np.full(len(obs), np.datetime64("NaT", "D"))
    released, _ = catalog.calendar.release_dates(sid, obs, no_vintage)
    released_ns = released.astype("datetime64[ns]")
    # For each day, the newest observation released by it: the greatest obs position among
    # those released on or before the day (a running maximum in order of release).
    order = np.argsort(released_ns, kind="stable")
    newest = np.maximum.accumulate(order) if len(order) else order
    k = np.searchsorted(released_ns[order], days.to_numpy(dtype="datetime64[ns]"), "right") - 1
    at = np.where(k >= 0, newest[np.maximum(k, 0)] if len(order) else -1, -1)
    daily = np.full(len(days), np.nan)
    daily_obs = np.full(len(days), np.datetime64("NaT", "D"))
    if len(obs):
        last = obs[np.maximum(at, 0)]
        age = days.to_numpy(dtype="datetime64[ns]") - last
        fresh = (at >= 0) & (age <= np.timedelta64(limit))
        daily[fresh] = shown.to_numpy()[at[fresh]]
        daily_obs[fresh] = last[fresh].astype("datetime64[D]")
    return SeriesAsof(shown, released, daily, daily_obs, limit)


def _series_history(
    stored: pd.Series | None, catalog: Catalog, sid: str, days: pd.DatetimeIndex
) -> TargetHistory:
    found = series_asof(stored, catalog, sid, days)
    shown = found.shown
    released_ns = found.released.astype("datetime64[ns]")
    # Observations published by the last day.
    published_by_end = shown[released_ns <= days[-1].to_datetime64()]
    return TargetHistory(
        target=sid,
        unit=display_unit(catalog.spec(sid).unit),
        daily=pd.Series(found.daily, index=days, name=sid),
        observed=published_by_end,
        obs_dates=tuple(pd.Timestamp(d).date() for d in shown.index),
        limit=found.limit,
        released=tuple(pd.Timestamp(d).date() for d in found.released),
    )
