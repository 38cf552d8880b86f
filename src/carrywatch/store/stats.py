"""Per-series statistics kept at write time, so status costs O(series), not O(rows).

``series list``, the default as-of date of ``brief``/``metrics``, the refresh plan and
``serve`` all ask, per series, for its coverage and where it came from. Reading that from
``observations`` grows with the store (every row, with ``COUNT(DISTINCT)`` and
``GROUP_CONCAT(DISTINCT)`` temporary B-trees); the table ``series_stats`` holds it instead,
one row per series with observations:

=================  ==============================================================
``n_rows``         observation rows (every revision and withdrawal)
``n_dates``        distinct obs_dates with at least one value row (not withdrawn)
``first_obs``      the least and greatest of those obs_dates (``YYYY-MM-DD``)
``last_obs``
``last_retrieved`` the newest ``retrieved_at`` of a fetch that stored a value row
``origins``        the distinct origins of those fetches, sorted, comma-joined
=================  ==============================================================

These are exactly what the row-scanning query of schema version 3 computed (that query is
kept as the oracle of ``tests/store/test_store_stats.py``). :meth:`Store.append` updates
the rows of the series it adds to in the same transaction, from the rows it adds and
whether each date already had a value row (which the change detection knows), with plain
``SELECT`` and ``INSERT ... ON CONFLICT DO UPDATE`` that SQLite and PostgreSQL both run.

Like ``newest_columns`` it is derived data: the trigger ``observations_unpack`` drops a
series' row on any insert into ``observations``, so a writer that does not keep it (an
older carrywatch still running, a hand-made ``INSERT``) cannot leave it stale;
:func:`status` computes such a series from its rows, and the next append to it
recomputes its row (:func:`rebuild`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from carrywatch.store.dialect import Db
from carrywatch.store.incoming import Incoming, day_texts

__all__ = [
    "STATUS_COLUMNS",
    "SeriesStats",
    "computed",
    "current",
    "rebuild",
    "record",
    "status",
    "total_rows",
    "updated",
]

#: Columns of :meth:`Store.series_status`.
STATUS_COLUMNS: Final = (
    "series_id",
    "first_obs",
    "last_obs",
    "n_obs",
    "last_retrieved",
    "origins",
    "last_checked",
)

_COLUMNS: Final = "series_id, n_rows, n_dates, first_obs, last_obs, last_retrieved, origins"


@dataclass(frozen=True, slots=True)
class SeriesStats:
    """One row of ``series_stats`` (see the module docstring)."""

    series_id: str
    n_rows: int = 0
    n_dates: int = 0
    first_obs: str | None = None
    last_obs: str | None = None
    last_retrieved: str | None = None
    origins: tuple[str, ...] = ()

    def row(self) -> tuple[object, ...]:
        return (
            self.series_id,
            self.n_rows,
            self.n_dates,
            self.first_obs,
            self.last_obs,
            self.last_retrieved,
            ",".join(self.origins) or None,
        )


def _from_row(row: Sequence[object]) -> SeriesStats:
    sid, n_rows, n_dates, first, last, retrieved, origins = row
    return SeriesStats(
        series_id=str(sid),
        n_rows=int(str(n_rows)),
        n_dates=int(str(n_dates)),
        first_obs=None if first is None else str(first),
        last_obs=None if last is None else str(last),
        last_retrieved=None if retrieved is None else str(retrieved),
        origins=tuple(str(origins).split(",")) if origins else (),
    )


def current(db: Db, series_ids: Iterable[str]) -> dict[str, SeriesStats | None]:
    """The stored row of each of ``series_ids``: ``None`` where a series has observations
    but no row (written around :meth:`Store.append`, see the module docstring); a new
    series (no observations) gets an empty :class:`SeriesStats`. Call before inserting."""
    out: dict[str, SeriesStats | None] = {}
    for series_id in dict.fromkeys(series_ids):
        found = db.execute(
            f"SELECT {_COLUMNS} FROM series_stats WHERE series_id = ?",  # noqa: S608 -- a constant
            (series_id,),
        ).fetchone()
        if found is not None:
            out[series_id] = _from_row(found)
        elif _has_rows(db, series_id):
            out[series_id] = None
        else:
            out[series_id] = SeriesStats(series_id)
    return out


def _has_rows(db: Db, series_id: str) -> bool:
    found = db.execute("SELECT 1 FROM observations WHERE series_id = ? LIMIT 1", (series_id,))
    return found.fetchone() is not None


def updated(
    before: SeriesStats,
    days: npt.NDArray[np.int64],
    withdrawn: npt.NDArray[np.bool_],
    had_value: npt.NDArray[np.bool_],
    *,
    retrieved_at: str,
    origin: str,
) -> SeriesStats:
    """``before`` after adding one fetch's rows of its series, sorted by date: their
    obs_dates (``days`` since 1970-01-01), which are withdrawals, and whether each row's
    date already had a value row before this fetch."""
    value = ~withdrawn
    if not value.any():
        return replace(before, n_rows=before.n_rows + len(days))
    # Sorted rows: a date's rows are adjacent, so distinct dates are where the day changes.
    dates = days[value]
    new = dates[~had_value[value]]
    n_new = int((new[1:] != new[:-1]).sum()) + 1 if len(new) else 0
    first, last = day_texts(dates[[0, -1]])
    firsts = [d for d in (before.first_obs, str(first)) if d is not None]  # text order
    lasts = [d for d in (before.last_obs, str(last)) if d is not None]
    retrieved = [t for t in (before.last_retrieved, retrieved_at) if t is not None]
    return SeriesStats(
        series_id=before.series_id,
        n_rows=before.n_rows + len(days),
        n_dates=before.n_dates + n_new,
        first_obs=min(firsts),
        last_obs=max(lasts),
        last_retrieved=max(retrieved),
        origins=tuple(sorted({*before.origins, origin})),
    )


def record(
    db: Db,
    before: Mapping[str, SeriesStats | None],
    fresh: Incoming,
    had_value: npt.NDArray[np.bool_],
    *,
    retrieved_at: str,
    origin: str,
) -> None:
    """Write the rows of the series of ``fresh`` (the rows one fetch added; ``had_value``
    per row, see :func:`updated`) after their insert, from ``before`` (:func:`current`,
    read before the insert). A series written around :meth:`Store.append` (``None`` in
    ``before``) is recomputed from its rows."""
    rows, lost = [], []
    for series_id, lo, hi in fresh.runs():
        old = before.get(series_id, SeriesStats(series_id))
        if old is None:
            lost.append(series_id)
            continue
        rows.append(
            updated(
                old,
                fresh.day[lo:hi],
                fresh.withdrawn[lo:hi],
                had_value[lo:hi],
                retrieved_at=retrieved_at,
                origin=origin,
            )
        )
    write(db, [*rows, *computed(db, lost)])


def write(db: Db, rows: Iterable[SeriesStats]) -> None:
    """Store ``rows`` (insert or replace each series' row). Call after inserting the
    observations (the trigger ``observations_unpack`` drops the rows it touches)."""
    db.executemany(
        f"INSERT INTO series_stats({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "  # noqa: S608 -- a constant
        "ON CONFLICT(series_id) DO UPDATE SET n_rows = excluded.n_rows, "
        "n_dates = excluded.n_dates, first_obs = excluded.first_obs, "
        "last_obs = excluded.last_obs, last_retrieved = excluded.last_retrieved, "
        "origins = excluded.origins",
        [r.row() for r in rows],
    )


def computed(db: Db, series_ids: Sequence[str]) -> list[SeriesStats]:
    """The statistics of ``series_ids`` computed from their rows (one query per series,
    each an index range of that series): for a store upgraded from schema version 3, and
    for series written around :meth:`Store.append`."""
    out = []
    for series_id in dict.fromkeys(series_ids):
        n_rows, n_dates, first, last, retrieved = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT CASE WHEN o.withdrawn = 0 THEN o.obs_date END), "
            "MIN(CASE WHEN o.withdrawn = 0 THEN o.obs_date END), "
            "MAX(CASE WHEN o.withdrawn = 0 THEN o.obs_date END), "
            "MAX(CASE WHEN o.withdrawn = 0 THEN f.retrieved_at END) "
            "FROM observations AS o JOIN fetches AS f ON f.fetch_id = o.fetch_id "
            "WHERE o.series_id = ?",
            (series_id,),
        ).fetchone()
        origins = db.execute(
            "SELECT DISTINCT f.origin FROM observations AS o "
            "JOIN fetches AS f ON f.fetch_id = o.fetch_id "
            "WHERE o.series_id = ? AND o.withdrawn = 0",
            (series_id,),
        ).fetchall()
        if not n_rows:
            continue
        out.append(
            SeriesStats(
                series_id=series_id,
                n_rows=int(n_rows),
                n_dates=int(n_dates),
                first_obs=first,
                last_obs=last,
                last_retrieved=retrieved,
                origins=tuple(sorted(str(o[0]) for o in origins)),
            )
        )
    return out


def rebuild(db: Db, series_ids: Sequence[str]) -> None:
    """Recompute the rows of ``series_ids`` from ``observations`` (inside a write
    transaction); a series without observations loses its row."""
    fresh = computed(db, series_ids)
    db.executemany(
        "DELETE FROM series_stats WHERE series_id = ?", [(s,) for s in dict.fromkeys(series_ids)]
    )
    write(db, fresh)


def status(db: Db) -> list[tuple[object, ...]]:
    """Per registered series, :data:`STATUS_COLUMNS` (``n_obs`` is ``n_dates``; a series
    without observations has 0 and ``None`` elsewhere), ordered by series id."""
    rows = db.execute(
        "SELECT s.series_id, t.first_obs, t.last_obs, t.n_dates, t.last_retrieved, t.origins, "
        "c.checked_at, t.series_id IS NULL "
        "FROM series AS s LEFT JOIN series_stats AS t ON t.series_id = s.series_id "
        "LEFT JOIN checks AS c ON c.series_id = s.series_id ORDER BY s.series_id"
    ).fetchall()
    missing = [str(r[0]) for r in rows if r[7] and _has_rows(db, str(r[0]))]
    recomputed: Mapping[str, SeriesStats] = {s.series_id: s for s in computed(db, missing)}
    out: list[tuple[object, ...]] = []
    for sid, *kept, checked, _ in rows:
        found = recomputed[sid].row() if sid in recomputed else None
        first, last, n_dates, retrieved, origins = (
            kept if found is None else [found[3], found[4], found[2], found[5], found[6]]
        )
        out.append((sid, first, last, int(str(n_dates or 0)), retrieved, origins, checked))
    return out


def total_rows(db: Db) -> int:
    """Observation rows in the store: the sum of ``n_rows``, plus a count of the rows of
    any series written around :meth:`Store.append` (no statistics row)."""
    kept = db.execute("SELECT COALESCE(SUM(n_rows), 0) FROM series_stats").fetchone()[0]
    loose = [
        str(r[0])
        for r in db.execute(
            "SELECT s.series_id FROM series AS s WHERE NOT EXISTS "
            "(SELECT 1 FROM series_stats AS t WHERE t.series_id = s.series_id)"
        ).fetchall()
    ]
    extra = sum(s.n_rows for s in computed(db, [s for s in loose if _has_rows(db, s)]))
    return int(kept) + extra
