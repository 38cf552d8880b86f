"""The store as the brief sees it: every series it reads, as of the brief's date, read once.

:class:`BriefInputs` holds the observations (``store.read_released(ids, asof=asof)``: what was
published by the as-of date, by the point-in-time rule of
:mod:`carrywatch.catalog.releases`) of the series the sections declare, with the day and
rule that dated each, and answers the questions every section asks: the series itself,
its latest value within the staleness limit of its frequency (as of the brief's date or
an earlier one), and the provenance of that value (source, origin, retrieval time,
release rule). Asking for a series that was not declared is a programming error
(``KeyError``), so a section's declared reads are exactly what it uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.analytics.alignment import AsofValue, latest_asof, staleness_limit
from carrywatch.catalog.spec import Catalog
from carrywatch.report.model import Provenance
from carrywatch.store.release import ReleasedRows
from carrywatch.store.sqlite import FetchSource, Store

__all__ = ["BriefInputs"]


class BriefInputs:
    """Observations of ``series_ids`` published by ``asof`` (their ``released`` day, from
    :meth:`Store.read_released`, on or before it), with the provenance of each series'
    last row from ``sources`` (its fetch's, by ``fetch_id``)."""

    def __init__(
        self,
        read: ReleasedRows,
        sources: Mapping[int, FetchSource],
        catalog: Catalog,
        asof: date,
        series_ids: Iterable[str],
    ):
        self.asof = asof
        self.catalog = catalog
        self.declared = tuple(dict.fromkeys(series_ids))
        self._series: dict[str, pd.Series] = {}
        self._released: dict[str, pd.Series] = {}
        #: Each series' obs_dates and release days as arrays (what the staleness rules
        #: read, many times per series: cheaper than through the Series).
        self._days: dict[str, tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]] = {}
        #: Each series' last row: what provenance reads.
        self._last_rows: dict[str, _LastRow] = {}
        self._empty: dict[tuple[str, str], pd.Series] = {}
        # What was published by ``asof`` (read_released(asof=) gives only that; rows read
        # up to a later date are cut here by the same released days), and only rows whose
        # fetch is known (as Store.read's join keeps them).
        fetched = np.fromiter(sources, dtype=np.int64, count=len(sources))
        keep = (read.released <= np.datetime64(asof, "D")) & np.isin(read.rows.fetch_id, fetched)
        if not keep.all():
            read = read.take(keep)
        runs = _runs(read.rows.series_id)
        if runs is None:  # rows of a series apart: bring them together, in order
            codes, _ = pd.factorize(read.rows.series_id)
            read = read.take(np.argsort(codes, kind="stable"))
            runs = _runs(read.rows.series_id) or []
        # Columns as arrays, sliced per series (much cheaper than a frame slice each).
        obs = read.rows.obs_date
        values = read.rows.value
        released = read.released.astype("datetime64[ns]")
        for name, start, stop in runs:
            index = pd.DatetimeIndex(obs[start:stop])
            self._series[name] = pd.Series(values[start:stop], index=index, name=name)
            self._released[name] = pd.Series(released[start:stop], index=index, name=name)
            self._days[name] = (obs[start:stop], released[start:stop])
            last = stop - 1
            self._last_rows[name] = _LastRow(
                obs_date=pd.Timestamp(obs[last]).date(),
                released=pd.Timestamp(released[last]).date(),
                release_rule=str(read.release_rule[last]),
                fetch=sources[int(read.rows.fetch_id[last])],
            )

    @classmethod
    def load(
        cls, store: Store, catalog: Catalog, asof: date, series_ids: Sequence[str]
    ) -> BriefInputs:
        """Read ``series_ids`` from ``store`` as of ``asof`` (one query for the rows, one
        for the fetches of the series' last rows)."""
        ids = list(dict.fromkeys(series_ids))
        catalog.specs(ids)  # an unknown id fails here, with close matches named
        read = store.read_released(ids, asof=asof, releases=catalog.calendar.release_dates)
        return cls(read, store.fetch_sources(read.rows.fetch_id), catalog, asof, ids)

    def _check(self, sid: str) -> None:
        if sid not in self.declared:
            raise KeyError(f"{sid} was not declared among the series the brief reads")

    def series(self, sid: str) -> pd.Series:
        """The observations of ``sid`` (float, DatetimeIndex of obs_dates), maybe empty."""
        return self._held(self._series, sid, "float64")

    def released(self, sid: str) -> pd.Series:
        """The release day (datetime64) of each observation of :meth:`series`."""
        return self._held(self._released, sid, "datetime64[ns]")

    def _held(self, held: dict[str, pd.Series], sid: str, dtype: str) -> pd.Series:
        self._check(sid)
        found = held.get(sid)
        if found is None:  # one empty series per id and dtype, made once (read-only)
            found = self._empty.get((sid, dtype))
            if found is None:
                found = pd.Series([], dtype=dtype, index=pd.DatetimeIndex([]), name=sid)
                self._empty[sid, dtype] = found
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

    def limit(self, sid: str, at: date | None = None) -> timedelta:
        """The staleness limit of ``sid`` as of ``at`` (default: the brief's date): its
        catalog frequency's, longer for a series released with a lag and for a newest
        value released later than that lag (see
        :func:`~carrywatch.analytics.alignment.staleness_limit`)."""
        spec = self.catalog.spec(sid)
        return staleness_limit(spec.frequency, spec.release_lag_days, self._delay(sid, at))

    def _delay(self, sid: str, at: date | None) -> int:
        """Days the newest value of ``sid`` published by ``at`` came out after its usual
        lag (0 if none, or on time)."""
        self._check(sid)
        if sid not in self._days:
            return 0
        obs, released = self._days[sid]
        if at is not None:
            kept = released <= np.datetime64(at, "ns")
            released, obs = released[kept], obs[kept]
        if not len(released):
            return 0
        late_days = (released[-1] - obs[-1]).astype("timedelta64[D]").astype("int64")
        return max(0, int(late_days) - self.catalog.spec(sid).release_lag_days)

    def latest(self, sid: str, at: date | None = None) -> AsofValue:
        """The latest value of ``sid`` published by ``at`` (default: the as-of date),
        within its staleness limit."""
        day = self.asof if at is None else at
        spec = self.catalog.spec(sid)
        series = self.series(sid)
        if at is not None:  # what was published by that earlier date
            series = series[self._published_by(sid, at)]
        found = latest_asof(series, day, self.limit(sid, at), series_id=sid)
        if found.obs_date is None and spec.gap:
            return AsofValue(sid, day, None, None, False, f"{sid}: {spec.gap}")
        return found

    def _published_by(self, sid: str, at: date) -> npt.NDArray[np.bool_]:
        """Which observations of ``sid`` (as :meth:`series` holds them) were released by
        ``at``."""
        held = self._days.get(sid)
        if held is None:
            return np.zeros(0, dtype=bool)
        return held[1] <= np.datetime64(at, "ns")

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
        last = row.obs_date
        age = (self.asof - last).days
        return Provenance(
            series_id=sid,
            title=spec.title,
            publisher=spec.publisher,
            source=row.fetch.source,
            frequency=spec.frequency,
            unit=spec.unit,
            last_obs=last,
            retrieved_at=row.fetch.retrieved_at,
            origin=row.fetch.origin,
            url=row.fetch.url,
            stale=age > limit.days,
            limit_days=limit.days,
            age_days=age,
            gap=spec.gap,
            released=row.released,
            release_rule=row.release_rule,
        )


@dataclass(frozen=True, slots=True)
class _LastRow:
    """What :meth:`BriefInputs.provenance` reads of a series' last row."""

    obs_date: date
    released: date
    release_rule: str
    fetch: FetchSource


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
