"""The store as the brief sees it: every series it reads, up to the as-of date, read once.

:class:`BriefInputs` holds the observations (``store.read(ids, asof=asof)``) of the
series the sections declare, and answers the questions every section asks: the series
itself, its latest value within the staleness limit of its frequency, and the
provenance of that value (source, origin, retrieval time). Asking for a series that was
not declared is a programming error (``KeyError``), so a section's declared reads are
exactly what it uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import AsofValue, latest_asof, staleness_limit
from carrywatch.catalog.spec import Catalog
from carrywatch.report.model import Provenance
from carrywatch.store.sqlite import Store

__all__ = ["BriefInputs"]


class BriefInputs:
    """Observations of ``series_ids`` published by ``asof`` (obs_date plus the series'
    release lag on or before it, see ``release_lag_days`` in series.toml), with provenance."""

    def __init__(
        self, frame: pd.DataFrame, catalog: Catalog, asof: date, series_ids: Iterable[str]
    ):
        self.asof = asof
        self.catalog = catalog
        self.declared = tuple(dict.fromkeys(series_ids))
        self._series: dict[str, pd.Series] = {}
        self._last_rows: dict[str, pd.Series] = {}
        runs = _runs(frame["series_id"].to_numpy())
        if runs is None:  # rows of a series apart: bring them together, in order
            codes, _ = pd.factorize(frame["series_id"])
            frame = frame.iloc[np.argsort(codes, kind="stable")]
            runs = _runs(frame["series_id"].to_numpy()) or []
        dates = frame["obs_date"].to_numpy()
        for name, start, first_unpublished in runs:
            # What was published by ``asof``: obs_date + release lag <= asof (series.toml).
            cutoff = np.datetime64(self.catalog.spec(name).published_through(asof), "ns")
            stop = start + int(np.searchsorted(dates[start:first_unpublished], cutoff, "right"))
            if stop == start:
                continue
            rows = frame.iloc[start:stop]
            self._series[name] = pd.Series(
                rows["value"].to_numpy(dtype="float64"),
                index=pd.DatetimeIndex(rows["obs_date"]),
                name=name,
            )
            self._last_rows[name] = frame.iloc[stop - 1]

    @classmethod
    def load(
        cls, store: Store, catalog: Catalog, asof: date, series_ids: Sequence[str]
    ) -> BriefInputs:
        """Read ``series_ids`` from ``store`` up to ``asof`` (one query)."""
        ids = list(dict.fromkeys(series_ids))
        catalog.specs(ids)  # an unknown id fails here, with close matches named
        return cls(store.read(ids, asof=asof), catalog, asof, ids)

    def _check(self, sid: str) -> None:
        if sid not in self.declared:
            raise KeyError(f"{sid} was not declared among the series the brief reads")

    def series(self, sid: str) -> pd.Series:
        """The observations of ``sid`` (float, DatetimeIndex of obs_dates), maybe empty."""
        self._check(sid)
        found = self._series.get(sid)
        if found is None:
            return pd.Series([], dtype="float64", index=pd.DatetimeIndex([]), name=sid)
        return found

    def observed(self, sids: Iterable[str]) -> dict[str, pd.Series]:
        """The series of ``sids`` that have observations (the same objects :meth:`series`
        gives; treat them as read-only)."""
        out: dict[str, pd.Series] = {}
        for sid in sids:
            self._check(sid)
            if sid in self._series:
                out[sid] = self._series[sid]
        return out

    def limit(self, sid: str) -> timedelta:
        """The staleness limit of ``sid``: its catalog frequency's, longer for a series
        released late (see :func:`~carrywatch.analytics.alignment.staleness_limit`)."""
        spec = self.catalog.spec(sid)
        return staleness_limit(spec.frequency, spec.release_lag_days)

    def latest(self, sid: str, at: date | None = None) -> AsofValue:
        """The latest value of ``sid`` published by ``at`` (default: the as-of date),
        within its staleness limit."""
        day = self.asof if at is None else at
        spec = self.catalog.spec(sid)
        series = self.series(sid)
        if at is not None:  # what was published by that earlier date
            series = series.loc[: pd.Timestamp(spec.published_through(at))]
        found = latest_asof(series, day, self.limit(sid), series_id=sid)
        if found.obs_date is None and spec.gap:
            return AsofValue(sid, day, None, None, False, f"{sid}: {spec.gap}")
        return found

    def first_fresh(self, sids: Sequence[str]) -> str:
        """The first of ``sids`` with a fresh value as of the brief's date; else the first
        with any observation on or before it (its history still counts); else the first."""
        for sid in sids:
            if self.latest(sid).value is not None:
                return sid
        for sid in sids:
            if not self.series(sid).dropna().empty:
                return sid
        return sids[0]

    def provenance(self, sid: str) -> Provenance:
        """Where ``sid`` stands as of the brief's date (see :class:`Provenance`)."""
        self._check(sid)
        spec = self.catalog.spec(sid)
        limit = self.limit(sid)
        row = self._last_rows.get(sid)
        if row is None:
            return Provenance(
                series_id=sid,
                title=spec.title,
                publisher=spec.publisher,
                source=spec.source,
                frequency=spec.frequency,
                unit=spec.unit,
                last_obs=None,
                retrieved_at=None,
                origin=None,
                url=None,
                stale=False,
                limit_days=limit.days,
                age_days=None,
                gap=spec.gap,
            )
        last = pd.Timestamp(row["obs_date"]).date()
        age = (self.asof - last).days
        return Provenance(
            series_id=sid,
            title=spec.title,
            publisher=spec.publisher,
            source=str(row["source"]),
            frequency=spec.frequency,
            unit=spec.unit,
            last_obs=last,
            retrieved_at=str(row["retrieved_at"]),
            origin=str(row["origin"]),
            url=str(row["url"]),
            stale=age > limit.days,
            limit_days=limit.days,
            age_days=age,
            gap=spec.gap,
        )


def _runs(ids: np.ndarray) -> list[tuple[str, int, int]] | None:
    """``(series_id, start, stop)`` of each run of equal ids (:meth:`Store.read` sorts by
    series, so each series is one run); None when an id has rows in several runs."""
    if len(ids) == 0:
        return []
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    stops = np.append(starts[1:], len(ids))
    names = [str(ids[i]) for i in starts]
    if len(set(names)) != len(names):
        return None
    return list(zip(names, starts.tolist(), stops.tolist(), strict=True))
