"""The point-in-time rule: the day each observation was released, and which rule says so.

An observation of a series is *published by* ``D`` when its release day is on or before
``D``. Every reader applies this one rule: :meth:`~carrywatch.store.sqlite.Store.read`
with ``asof=D`` (the CLI's ``series show``, ``metrics``, ``brief`` and ``odds``, the Python
API and ``serve`` all read through it) keeps only those observations.

The release day of ``(series, obs_date)`` is, in this order:

1. ``ALFRED first release``: the earliest vintage the store holds for that date from a
   vintage-publishing source, i.e. a row whose ``known_from`` is the publisher's date
   (ALFRED's ``realtime_start``) rather than our retrieval time (for a series not from
   FRED, e.g. prediction-market quotes known from their moment, ``first publication``);
2. ``release calendar``: the publisher's actual release day, from ``releases.toml``
   (2025's delayed BEA, BLS, TIC and CFTC releases, each row with its source);
3. ``usual lag of N days``: ``obs_date + release_lag_days`` from ``series.toml`` (0 for
   market data, known at the day's close).

A real release day beats a calendar, and a calendar beats a usual lag.

An as-of day must lie in ``[EARLIEST_ASOF, LATEST_ASOF]`` (:func:`asof_day`), the days the
analytics can represent: pandas' nanosecond timestamps span 1677-09-21 to 2262-04-11; a
brief as of ``D`` looks back up to 27 weeks (its "what changed" ranking) and a release
day lies up to 366 days after its obs_date, so the range keeps more than 20 years from
the first end and more than a year from the last. Every surface checks a day given by a user
with :func:`asof_day` and answers a day outside with the reason (exit 1, HTTP 400).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from carrywatch.errors import CatalogError, ConfigError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "EARLIEST_ASOF",
    "FIRST_PUBLICATION",
    "FIRST_RELEASE",
    "LATEST_ASOF",
    "RELEASE_CALENDAR",
    "ReleaseCalendar",
    "ScheduledRelease",
    "asof_day",
    "parse_releases",
    "usual_lag",
]

#: Rule names, as the brief, ``series show`` and the JSON outputs print them. A FRED
#: series' first vintage is ALFRED's; any other series' first publisher-dated moment (a
#: prediction-market quote's time) is a first publication.
FIRST_RELEASE: Final = "ALFRED first release"
FIRST_PUBLICATION: Final = "first publication"
#: Sources whose publisher-dated rows are ALFRED vintages.
_ALFRED_SOURCES: Final = frozenset({"fred", "fred_api"})
RELEASE_CALENDAR: Final = "release calendar"

#: The first and last as-of days carrywatch can represent (see the module docstring).
EARLIEST_ASOF: Final = dt.date(1700, 1, 1)
LATEST_ASOF: Final = dt.date(2260, 12, 31)


def asof_day(text: str, name: str = "asof") -> dt.date:
    """The day ``text`` (``YYYY-MM-DD``) names, checked to be a real day carrywatch can
    represent; :class:`ConfigError` says why not (``name`` is the option or parameter)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{name} {text[:40]!r} is not a date; use YYYY-MM-DD") from None
    if not EARLIEST_ASOF <= day <= LATEST_ASOF:
        raise ConfigError(
            f"{name} {day.isoformat()} is outside the dates carrywatch can represent "
            f"({EARLIEST_ASOF.isoformat()} to {LATEST_ASOF.isoformat()}); pick a day in them"
        )
    return day


def usual_lag(days: int) -> str:
    """The rule name of a usual release lag of ``days`` days."""
    return f"usual lag of {days} day{'' if days == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class ScheduledRelease:
    """One row of ``releases.toml``: the day ``obs_date`` was released, and who says so."""

    release: str
    obs_date: dt.date
    released: dt.date
    source: str


@dataclass(frozen=True, slots=True)
class ReleaseCalendar:
    """Release days of every catalog series (see the module docstring).

    ``lags`` maps series ids to their usual release lag in days; ``scheduled`` maps series
    ids to their calendar rows by obs_date; ``sources`` maps series ids to their catalog
    source (which names rule 1: ALFRED's first release for FRED series).
    """

    lags: Mapping[str, int]
    scheduled: Mapping[str, Mapping[dt.date, ScheduledRelease]] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def release_dates(
        self,
        series_id: str,
        obs_dates: npt.NDArray[np.datetime64],
        first_published: npt.NDArray[np.datetime64],
    ) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.object_]]:
        """The release day of each observation of ``series_id`` and the rule that gave it.

        Parameters
        ----------
        obs_dates:
            Observation dates (any ``datetime64`` unit).
        first_published:
            Per observation, the earliest publisher-dated ``known_from`` the store holds
            (``NaT`` where none): rule 1 of the module docstring.

        Returns
        -------
        ``(released, rule)``: ``datetime64[D]`` days and rule names, aligned with
        ``obs_dates``. An id the catalog does not know has a lag of 0.
        """
        import numpy as np  # noqa: PLC0415 -- importing carrywatch stays free of numpy

        days = np.asarray(obs_dates).astype("datetime64[D]")
        lag = self.lags.get(series_id, 0)
        released = (days + np.timedelta64(lag, "D")).astype("datetime64[D]")
        # (``fill`` rather than ``np.full``, which converts the text once per element for
        # an object array: 5 ms per 100,000 rows against 0.1 ms.)
        rule = np.empty(len(days), dtype=object)
        rule.fill(usual_lag(lag))
        calendar = self.scheduled.get(series_id)
        if calendar:
            keys = np.array(sorted(calendar), dtype="datetime64[D]")
            position = np.clip(np.searchsorted(keys, days), 0, len(keys) - 1)
            hit = keys[position] == days
            if hit.any():
                ordered = [calendar[d].released for d in sorted(calendar)]
                on_calendar = np.array(ordered, dtype="datetime64[D]")[position]
                released = np.where(hit, on_calendar, released)
                rule[hit] = RELEASE_CALENDAR
        first = np.asarray(first_published).astype("datetime64[D]")
        actual = ~np.isnat(first)
        released = np.where(actual, first, released)
        alfred = self.sources.get(series_id) in _ALFRED_SOURCES
        rule[actual] = FIRST_RELEASE if alfred else FIRST_PUBLICATION
        return released, rule

    def release_day(self, series_id: str, obs_date: dt.date) -> tuple[dt.date, str]:
        """The release day of one observation without a stored vintage, and its rule."""
        row = self.scheduled.get(series_id, {}).get(obs_date)
        if row is not None:
            return row.released, RELEASE_CALENDAR
        lag = self.lags.get(series_id, 0)
        return obs_date + dt.timedelta(days=lag), usual_lag(lag)


def parse_releases(
    doc: Mapping[str, Any], lags: Mapping[str, int], sources: Mapping[str, str] | None = None
) -> ReleaseCalendar:
    """The calendar of a parsed ``releases.toml``; ``lags`` are the catalog's usual lags
    and ``sources`` its sources, by series id.

    Raises :class:`CatalogError` for an unknown series, a row without a source, a
    release before its obs_date or two rows for one ``(series, obs_date)``.
    """
    scheduled: dict[str, dict[dt.date, ScheduledRelease]] = {}
    for i, entry in enumerate(doc.get("release", [])):
        name = entry.get("name")
        where = f"releases.toml release {name or i + 1!r}"
        if not isinstance(name, str) or not name.strip():
            raise CatalogError(f"{where}: 'name' must be a non-empty string")
        series = entry.get("series")
        if not isinstance(series, list) or not series:
            raise CatalogError(f"{where}: 'series' must list catalog ids")
        unknown = [s for s in series if s not in lags]
        if unknown:
            raise CatalogError(f"{where}: unknown series {unknown}")
        for row in entry.get("rows", []):
            obs_date, released, source = (row.get(k) for k in ("obs_date", "released", "source"))
            here = f"{where} obs_date {obs_date!r}"
            if not (isinstance(obs_date, dt.date) and isinstance(released, dt.date)):
                raise CatalogError(f"{here}: 'obs_date' and 'released' must be dates")
            if released < obs_date:
                raise CatalogError(f"{here}: released {released} is before the obs_date")
            if not isinstance(source, str) or not source.strip():
                raise CatalogError(f"{here}: every row needs the 'source' that states its day")
            for sid in series:
                rows = scheduled.setdefault(sid, {})
                if obs_date in rows:
                    raise CatalogError(f"{here}: {sid} already has a release for that date")
                rows[obs_date] = ScheduledRelease(name, obs_date, released, source)
    return ReleaseCalendar(lags=dict(lags), scheduled=scheduled, sources=dict(sources or {}))
